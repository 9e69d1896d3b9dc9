/* The gateway's configuration: the file's schema. Each section has its own
 * reader, which names every key it knows; anything else is an error, so a
 * typo ("rmp: 600") is never silently ignored. Checks that span entries
 * (unique names and secrets, tls_cert with tls_key) run once all is read.
 * docs/gateway.md ("Configuration") documents every key. */
#include <errno.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "crypto.h"
#include "gw_config.h"
#include "gw_config_private.h"
#include "gw_quota_redis.h"
#include "gw_yaml.h"

/* A configuration is a few kilobytes; this bounds what a mistaken path
 * (a log file, /dev/zero) can make the parser chew on. */
#define MAX_FILE (1u << 20)

typedef struct gw_config_box {
	gw_config pub;
	atomic_uint refs;
} gw_config_box;

static gw_config_box *box_of(gw_config *c)
{
	return (gw_config_box *)((char *)c - offsetof(gw_config_box, pub));
}

static void wipe_str(char *s)
{
	if (s) {
		bedrock__wipe(s, strlen(s));
		free(s);
	}
}

static void free_config(gw_config *c)
{
	size_t i, j;

	free(c->path);
	free(c->listen);
	for (i = 0; i < c->upstream_count; i++) {
		gw_upstream *u = &c->upstreams[i];

		free(u->name);
		free(u->region);
		free(u->endpoint_url);
		free(u->profile);
		free(u->project);
		free(u->credentials_file);
		free(u->api_key_env);
	}
	free(c->upstreams);
	for (i = 0; i < c->key_count; i++) {
		gw_key *k = &c->keys[i];

		free(k->name);
		wipe_str(k->key);
		free(k->aws_access_key_id);
		wipe_str(k->aws_secret_access_key);
		for (j = 0; j < k->model_count; j++)
			free(k->models[j]);
		free(k->models);
	}
	if (c->keys)
		bedrock__wipe(c->keys, c->key_count * sizeof(*c->keys));
	free(c->keys);
	for (i = 0; i < c->model_count; i++) {
		free(c->models[i].from);
		free(c->models[i].to);
	}
	free(c->models);
	free(c->activity_log.dir);
	wipe_str(c->redis);	/* redis://:PASSWORD@HOST */
	free(c->tls_cert);
	free(c->tls_key);
	free(box_of(c));
}

gw_config *gw_config_ref(gw_config *c)
{
	if (c)
		atomic_fetch_add_explicit(&box_of(c)->refs, 1, memory_order_relaxed);
	return c;
}

void gw_config_unref(gw_config *c)
{
	if (c && atomic_fetch_sub_explicit(&box_of(c)->refs, 1, memory_order_acq_rel) == 1)
		free_config(c);
}

static void defaults(gw_config *c)
{
	c->activity_log.retention_days = 30;
	c->activity_log.flush_ms = 200;
	c->metrics = 1;
	c->limits.max_body = 32u << 20;
	/* MHD zeroes a connection's whole pool (this plus 8 KiB) after each
	 * request, so an idle kept-alive connection holds all of it: 73 KiB
	 * at 64 KiB of headers, 41 at 32. Clients send 1-3 KiB. */
	c->limits.max_header_bytes = 32u << 10;
	c->limits.max_connections = 16384;
	c->limits.max_threads = 16384;
	c->limits.idle_timeout_s = 120;
	c->limits.request_timeout_s = 60;
	c->limits.drain_timeout_s = 30;
}

static const char *const TOP_FIELDS[] = {
	"listen", "upstreams", "keys", "models", "activity_log", "metrics", "redis",
	"tls_cert", "tls_key", "limits", NULL
};
enum { T_LISTEN, T_UPSTREAMS, T_KEYS, T_MODELS, T_ACTIVITY, T_METRICS, T_REDIS, T_CERT, T_KEY,
       T_LIMITS, T_N };

static int top_level(gw_yaml *y, gw_config *c, yaml_node_t *root)
{
	yaml_node_t *at[T_N + 1];

	if (gw_yaml_fields(y, root, NULL, TOP_FIELDS, at))
		return -1;
	if (at[T_LISTEN] && (gw_yaml_string(y, at[T_LISTEN], "listen", 0, &c->listen) ||
			     gw_config_check_listen(y, at[T_LISTEN], c->listen)))
		return -1;
	if (!c->listen && !(c->listen = strdup("127.0.0.1:8080")))
		return gw_yaml_fail(y, root, "out of memory");
	if (!at[T_UPSTREAMS])
		return gw_yaml_fail(y, root, "no upstreams: at least one is needed "
				    "(upstreams: - platform: bedrock ...)");
	if (gw_config_upstreams(y, c, at[T_UPSTREAMS]))
		return -1;
	if (!at[T_KEYS])
		return gw_yaml_fail(y, root, "no keys: at least one client key is needed "
				    "(keys: - name: ... key: ...)");
	if (gw_config_keys(y, c, at[T_KEYS]))
		return -1;
	if (at[T_MODELS] && gw_config_models(y, c, at[T_MODELS]))
		return -1;
	if (at[T_ACTIVITY] && gw_config_activity(y, c, at[T_ACTIVITY]))
		return -1;
	if (at[T_METRICS] && gw_yaml_bool(y, at[T_METRICS], "metrics", &c->metrics))
		return -1;
	if (at[T_REDIS]) {
		if (gw_yaml_string(y, at[T_REDIS], "redis", 0, &c->redis))
			return -1;
		/* Checked here, by the quota's own parser, for a message with
		 * the line; its messages never hold the password. */
		{
			gw_redis_url u;
			char why[256];
			int bad = gw_redis_url_parse(&u, c->redis, why, sizeof(why));

			bedrock__wipe(&u, sizeof(u));
			if (bad)
				return gw_yaml_fail(y, at[T_REDIS], "%s", why);
		}
	}
	if ((at[T_CERT] && gw_yaml_string(y, at[T_CERT], "tls_cert", 0, &c->tls_cert)) ||
	    (at[T_KEY] && gw_yaml_string(y, at[T_KEY], "tls_key", 0, &c->tls_key)))
		return -1;
	if (!at[T_CERT] != !at[T_KEY])
		return gw_yaml_fail(y, at[T_CERT] ? at[T_CERT] : at[T_KEY],
				    "%s without %s: give both PEM files, or neither",
				    at[T_CERT] ? "tls_cert" : "tls_key",
				    at[T_CERT] ? "tls_key" : "tls_cert");
	if (at[T_LIMITS] && gw_config_limits(y, c, at[T_LIMITS]))
		return -1;
	return 0;
}

/* libyaml keeps copies of the text in its buffers and frees them as they
 * are: wipe them first, since the text holds the keys' secrets. */
static void wipe_parser(yaml_parser_t *p)
{
	if (p->raw_buffer.start)
		bedrock__wipe(p->raw_buffer.start,
			      (size_t)(p->raw_buffer.end - p->raw_buffer.start));
	if (p->buffer.start)
		bedrock__wipe(p->buffer.start, (size_t)(p->buffer.end - p->buffer.start));
}

static void wipe_document(yaml_document_t *d)
{
	yaml_node_t *n;

	for (n = d->nodes.start; n && n < d->nodes.top; n++)
		if (n->type == YAML_SCALAR_NODE && n->data.scalar.value)
			bedrock__wipe(n->data.scalar.value, n->data.scalar.length);
}

int gw_config_parse_env(gw_config **out, const char *text, size_t len, const char *name,
			char *err, size_t err_cap,
			const char *(*getenv_fn)(const char *name, void *payload), void *payload)
{
	yaml_parser_t parser;
	yaml_document_t doc, extra;
	gw_config_box *box;
	gw_config *c;
	gw_yaml y;
	yaml_node_t *root;
	int rc = -1;

	*out = NULL;
	if (err && err_cap)
		err[0] = '\0';
	memset(&y, 0, sizeof(y));
	y.name = name ? name : "<config>";
	y.err = err;
	y.err_cap = err_cap;
	y.getenv_fn = getenv_fn;
	y.getenv_payload = payload;
	if (len > MAX_FILE)
		return gw_yaml_fail(&y, NULL, "the file is larger than %u bytes", MAX_FILE);
	box = calloc(1, sizeof(*box));
	if (!box)
		return gw_yaml_fail(&y, NULL, "out of memory");
	atomic_init(&box->refs, 1);
	c = &box->pub;
	defaults(c);
	if (!yaml_parser_initialize(&parser)) {
		free(box);
		return gw_yaml_fail(&y, NULL, "out of memory");
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		yaml_node_t at;

		/* libyaml's problem texts name tokens, never the text itself. */
		memset(&at, 0, sizeof(at));
		at.start_mark = parser.problem ? parser.problem_mark : parser.context_mark;
		gw_yaml_fail(&y, &at, "YAML: %s%s%s", parser.problem ? parser.problem : "syntax error",
			     parser.context ? " " : "", parser.context ? parser.context : "");
		wipe_parser(&parser);
		yaml_parser_delete(&parser);
		free(box);
		return -1;
	}
	y.doc = &doc;
	root = yaml_document_get_root_node(&doc);
	if (!root) {
		gw_yaml_fail(&y, NULL, "the configuration is empty");
		goto done;
	}
	/* A second document ("---") would be ignored: refuse it instead. */
	if (!yaml_parser_load(&parser, &extra)) {
		yaml_node_t at;

		memset(&at, 0, sizeof(at));
		at.start_mark = parser.problem_mark;
		gw_yaml_fail(&y, &at, "YAML: %s", parser.problem ? parser.problem : "syntax error");
		goto done;
	}
	if (yaml_document_get_root_node(&extra)) {
		gw_yaml_fail(&y, yaml_document_get_root_node(&extra),
			     "a second YAML document: the configuration is one document");
		wipe_document(&extra);
		yaml_document_delete(&extra);
		goto done;
	}
	yaml_document_delete(&extra);
	y.node_count = (size_t)(doc.nodes.top - doc.nodes.start);
	y.seen = calloc(y.node_count ? y.node_count : 1, 1);
	if (!y.seen) {
		gw_yaml_fail(&y, NULL, "out of memory");
		goto done;
	}
	y.seen[root - doc.nodes.start] = 1;
	if (!(c->path = strdup(y.name))) {
		gw_yaml_fail(&y, NULL, "out of memory");
		goto done;
	}
	if (top_level(&y, c, root))
		goto done;
	rc = 0;
done:
	free(y.seen);
	wipe_document(&doc);
	yaml_document_delete(&doc);
	wipe_parser(&parser);
	yaml_parser_delete(&parser);
	if (rc)
		free_config(c);
	else
		*out = c;
	return rc;
}

int gw_config_parse(gw_config **out, const char *text, size_t len, const char *name,
		    char *err, size_t err_cap)
{
	return gw_config_parse_env(out, text, len, name, err, err_cap, NULL, NULL);
}

int gw_config_load(gw_config **out, const char *path, char *err, size_t err_cap)
{
	FILE *f;
	char *text;
	size_t n;
	struct stat st;
	int rc;

	*out = NULL;
	f = fopen(path, "rb");
	if (!f || fstat(fileno(f), &st) || !S_ISREG(st.st_mode)) {
		snprintf(err, err_cap, "%s: %s", path, f ? "not a regular file" : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	if (st.st_size > (off_t)MAX_FILE) {
		snprintf(err, err_cap, "%s: larger than %u bytes: not a configuration", path,
			 MAX_FILE);
		fclose(f);
		return -1;
	}
	text = malloc((size_t)st.st_size + 1);
	if (!text) {
		fclose(f);
		snprintf(err, err_cap, "%s: out of memory", path);
		return -1;
	}
	n = fread(text, 1, (size_t)st.st_size, f);
	if (ferror(f)) {
		snprintf(err, err_cap, "%s: %s", path, strerror(errno));
		fclose(f);
		bedrock__wipe(text, (size_t)st.st_size);
		free(text);
		return -1;
	}
	fclose(f);
	rc = gw_config_parse(out, text, n, path, err, err_cap);
	bedrock__wipe(text, (size_t)st.st_size);
	free(text);
	return rc;
}
