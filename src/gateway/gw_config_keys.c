/* The configuration's keys: section, and the checks across keys (names,
 * secrets and access key ids unique). No message quotes a secret, nor its
 * hash: they name the key and the field only. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "gw_config_private.h"

static const char *const KEY_FIELDS[] = {
	"name", "key", "key_sha256", "aws_access_key_id", "aws_secret_access_key",
	"rpm", "tpm", "max_concurrent", "models", NULL
};
enum { K_NAME, K_KEY, K_SHA, K_AKID, K_SECRET, K_RPM, K_TPM, K_CONC, K_MODELS, K_N };

/* Secrets travel in headers: printable ASCII without spaces, or a client
 * could not send them (and a pasted newline is a mistake). */
static int secret_ok(const char *s)
{
	for (; *s; s++)
		if (*s <= ' ' || *s > '~')
			return 0;
	return 1;
}

static int unhex(uint8_t *out, const char *s, size_t n)
{
	size_t i;

	if (strlen(s) != 2 * n)
		return -1;
	for (i = 0; i < 2 * n; i++) {
		char ch = s[i];
		int v = ch >= '0' && ch <= '9' ? ch - '0' : ch >= 'a' && ch <= 'f' ? ch - 'a' + 10
			: ch >= 'A' && ch <= 'F' ? ch - 'A' + 10 : -1;

		if (v < 0)
			return -1;
		if (i % 2)
			out[i / 2] = (uint8_t)(out[i / 2] | v);
		else
			out[i / 2] = (uint8_t)(v << 4);
	}
	return 0;
}

static int models(gw_yaml *y, gw_key *k, const yaml_node_t *n, const char *what)
{
	const yaml_node_item_t *it;
	size_t count, all = 0;
	char field[96];

	if (gw_yaml_sequence(y, n, what))
		return -1;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count)
		return gw_yaml_fail(y, n, "%s is empty: leave it out, or write [\"*\"], for every "
				    "model", what);
	k->models = calloc(count, sizeof(*k->models));
	if (!k->models)
		return gw_yaml_fail(y, n, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = gw_yaml_node(y, *it, n);

		if (!e)
			return -1;
		/* A cut name only shortens a message. */
		if (snprintf(field, sizeof(field), "%s[%zu]", what, k->model_count) < 0)
			field[0] = '\0';
		if (gw_yaml_string(y, e, field, 0, &k->models[k->model_count]))
			return -1;
		if (!strcmp(k->models[k->model_count], "*"))
			all = 1;
		k->model_count++;
	}
	/* "*" anywhere: every model, which the header spells NULL. */
	if (all) {
		while (k->model_count)
			free(k->models[--k->model_count]);
		free(k->models);
		k->models = NULL;
	}
	return 0;
}

/* This key against the ones before it. */
static int unique(gw_yaml *y, const gw_config *c, const gw_key *k, yaml_node_t *const *at,
		  const yaml_node_t *n, const char *what)
{
	size_t i;

	for (i = 0; c->keys + i < k; i++) {
		const gw_key *o = &c->keys[i];

		if (!strcmp(o->name, k->name))
			return gw_yaml_fail(y, at[K_NAME], "%s.name '%s' is already the name of "
					    "keys[%zu]", what, k->name, i);
		if ((k->key || k->has_sha256) && (o->key || o->has_sha256) &&
		    !memcmp(o->sha256, k->sha256, sizeof(k->sha256)))
			return gw_yaml_fail(y, at[K_KEY] ? at[K_KEY] : at[K_SHA] ? at[K_SHA] : n,
					    "%s ('%s') has the same secret as keys[%zu] ('%s'): "
					    "each key needs its own", what, k->name, i, o->name);
		if (k->aws_access_key_id && o->aws_access_key_id &&
		    !strcmp(o->aws_access_key_id, k->aws_access_key_id))
			return gw_yaml_fail(y, at[K_AKID], "%s ('%s') has the same "
					    "aws_access_key_id as keys[%zu] ('%s')", what, k->name,
					    i, o->name);
	}
	return 0;
}

static int one_key(gw_yaml *y, gw_config *c, gw_key *k, const yaml_node_t *n, const char *what,
		   bedrock__crypto *cr)
{
	yaml_node_t *at[K_N + 1];
	char field[96], *hex = NULL;
	uint64_t v;

	if (gw_yaml_fields(y, n, what, KEY_FIELDS, at))
		return -1;
	if (!at[K_NAME])
		return gw_yaml_fail(y, n, "%s: name is missing", what);
	snprintf(field, sizeof(field), "%s.name", what);
	if (gw_yaml_no_env(y, at[K_NAME], field) ||
	    gw_yaml_string(y, at[K_NAME], field, 0, &k->name))
		return -1;
	if (!gw_config_name_ok(k->name, NULL))
		return gw_yaml_fail(y, at[K_NAME], "%s may hold letters, digits and ._-@+ only "
				    "(1 to 128)", field);
	if (at[K_KEY] && at[K_SHA])
		return gw_yaml_fail(y, at[K_SHA], "%s ('%s'): key and key_sha256 both given: "
				    "keep one", what, k->name);
	if (!at[K_KEY] && !at[K_SHA] && !at[K_AKID] && !at[K_SECRET])
		return gw_yaml_fail(y, n, "%s ('%s') has no secret: give key (or key_sha256), or "
				    "aws_access_key_id with aws_secret_access_key", what, k->name);
	if (!at[K_AKID] != !at[K_SECRET])
		return gw_yaml_fail(y, at[K_AKID] ? at[K_AKID] : at[K_SECRET],
				    "%s ('%s'): aws_access_key_id and aws_secret_access_key go "
				    "together", what, k->name);
	if (at[K_KEY]) {
		snprintf(field, sizeof(field), "%s.key", what);
		if (gw_yaml_string(y, at[K_KEY], field, 0, &k->key))
			return -1;
		if (!secret_ok(k->key))
			return gw_yaml_fail(y, at[K_KEY], "%s must be printable ASCII without "
					    "spaces", field);
		/* The digest of a key in clear too: duplicates are found across
		 * both forms, and gw_keys compares digests only. */
		if (bedrock__sha256(cr, k->sha256, k->key, strlen(k->key)))
			return gw_yaml_fail(y, at[K_KEY], "out of memory");
	}
	if (at[K_SHA]) {
		int bad;

		snprintf(field, sizeof(field), "%s.key_sha256", what);
		if (gw_yaml_string(y, at[K_SHA], field, 0, &hex))
			return -1;
		bad = unhex(k->sha256, hex, sizeof(k->sha256));
		free(hex);
		if (bad)
			return gw_yaml_fail(y, at[K_SHA], "%s must be 64 hex digits (the SHA-256 of "
					    "the key, as sha256sum prints it)", field);
		k->has_sha256 = 1;
	}
	if (at[K_AKID]) {
		snprintf(field, sizeof(field), "%s.aws_access_key_id", what);
		if (gw_yaml_string(y, at[K_AKID], field, 0, &k->aws_access_key_id))
			return -1;
		if (!gw_config_name_ok(k->aws_access_key_id, NULL) ||
		    strpbrk(k->aws_access_key_id, "@+"))
			return gw_yaml_fail(y, at[K_AKID], "%s may hold letters, digits and ._- "
					    "only (1 to 128)", field);
		snprintf(field, sizeof(field), "%s.aws_secret_access_key", what);
		if (gw_yaml_string(y, at[K_SECRET], field, 0, &k->aws_secret_access_key))
			return -1;
		if (!secret_ok(k->aws_secret_access_key))
			return gw_yaml_fail(y, at[K_SECRET], "%s must be printable ASCII without "
					    "spaces", field);
	}
	snprintf(field, sizeof(field), "%s.rpm", what);
	if (at[K_RPM] && gw_yaml_uint(y, at[K_RPM], field, 1, UINT64_MAX, &k->rpm))
		return -1;
	snprintf(field, sizeof(field), "%s.tpm", what);
	if (at[K_TPM] && gw_yaml_uint(y, at[K_TPM], field, 1, UINT64_MAX, &k->tpm))
		return -1;
	snprintf(field, sizeof(field), "%s.max_concurrent", what);
	if (at[K_CONC]) {
		if (gw_yaml_uint(y, at[K_CONC], field, 1, UINT32_MAX, &v))
			return -1;
		k->max_concurrent = (uint32_t)v;
	}
	snprintf(field, sizeof(field), "%s.models", what);
	if (at[K_MODELS] && models(y, k, at[K_MODELS], field))
		return -1;
	return unique(y, c, k, at, n, what);
}

int gw_config_keys(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	const yaml_node_item_t *it;
	bedrock__crypto *cr;
	size_t count;
	int rc = 0;

	if (gw_yaml_sequence(y, n, "keys"))
		return -1;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count)
		return gw_yaml_fail(y, n, "keys is empty: at least one client key is needed");
	c->keys = calloc(count, sizeof(*c->keys));
	if (!c->keys || bedrock__crypto_new(&cr))
		return gw_yaml_fail(y, n, "out of memory");
	for (it = n->data.sequence.items.start; !rc && it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = gw_yaml_node(y, *it, n);
		char what[32];

		if (!e) {
			rc = -1;
			break;
		}
		snprintf(what, sizeof(what), "keys[%zu]", c->key_count);
		c->key_count++;
		rc = one_key(y, c, &c->keys[c->key_count - 1], e, what, cr);
	}
	bedrock__crypto_free(cr);
	return rc;
}
