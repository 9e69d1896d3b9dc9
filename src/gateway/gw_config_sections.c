/* The configuration's sections other than keys: upstreams, models,
 * activity_log, limits, and the listen address's form. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config_private.h"

/* Names shown in logs and metrics and used in Redis keys: no spaces, no
 * quotes, nothing to escape. */
static int name_ok(const char *s, const char *extra)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || strchr("._-@+", s[i]) ||
		      (extra && strchr(extra, s[i]))))
			return 0;
	return i > 0 && i <= 128;
}

int gw_config_name_ok(const char *s, const char *extra)
{
	return name_ok(s, extra);
}

int gw_config_check_listen(gw_yaml *y, const yaml_node_t *n, const char *listen)
{
	const char *colon = strrchr(listen, ':'), *p;
	size_t hl;

	if (!colon || !colon[1])
		goto bad;
	for (p = colon + 1; *p; p++)
		if (*p < '0' || *p > '9')
			goto bad;
	if (strlen(colon + 1) > 5 || atol(colon + 1) > 65535)
		goto bad;
	hl = (size_t)(colon - listen);
	if (hl == 0)
		goto bad;
	if (listen[0] == '[') {
		if (hl < 3 || listen[hl - 1] != ']')
			goto bad;
	} else if (memchr(listen, ':', hl) || memchr(listen, ' ', hl)) {
		goto bad;
	}
	return 0;
bad:
	return gw_yaml_fail(y, n, "listen must be HOST:PORT or [IPV6]:PORT with a port from 0 "
			    "to 65535, not '%.80s'", gw_yaml_raw(n));
}

static const char *const UPSTREAM_FIELDS[] = {
	"platform", "name", "region", "endpoint_url", "profile", "project",
	"credentials_file", "api_key_env", "cooldown_s", "timeout_s", NULL
};
enum { U_PLATFORM, U_NAME, U_REGION, U_ENDPOINT, U_PROFILE, U_PROJECT, U_CREDS, U_KEYENV,
       U_COOLDOWN, U_TIMEOUT, U_N };

static int env_name_ok(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!(s[i] == '_' || (s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' && s[i] <= 'z') ||
		      (i && s[i] >= '0' && s[i] <= '9')))
			return 0;
	return i > 0;
}

/* A field that only some platforms take: given for another, it would be
 * silently useless, which is what a typo is too. */
static int only_for(gw_yaml *y, yaml_node_t *at, const char *what, const char *field,
		    bedrock_platform have, bedrock_platform want)
{
	if (at && have != want)
		return gw_yaml_fail(y, at, "%s.%s is for %s upstreams, not %s", what, field,
				    bedrock_platform_name(want), bedrock_platform_name(have));
	return 0;
}

static int upstream(gw_yaml *y, gw_config *c, gw_upstream *u, const yaml_node_t *n,
		    const char *what)
{
	yaml_node_t *at[U_N + 1];
	char field[96], *plat = NULL;
	uint64_t v;
	size_t i;

	if (gw_yaml_fields(y, n, what, UPSTREAM_FIELDS, at))
		return -1;
	if (!at[U_PLATFORM])
		return gw_yaml_fail(y, n, "%s: platform is missing (bedrock, vertex or anthropic)",
				    what);
	snprintf(field, sizeof(field), "%s.platform", what);
	if (gw_yaml_string(y, at[U_PLATFORM], field, 0, &plat))
		return -1;
	if (bedrock_platform_parse(&u->platform, plat)) {
		gw_yaml_fail(y, at[U_PLATFORM], "%s: unknown platform '%.40s' (bedrock, vertex or "
			     "anthropic)", field, gw_yaml_raw(at[U_PLATFORM]));
		free(plat);
		return -1;
	}
	free(plat);
	if (only_for(y, at[U_PROFILE], what, "profile", u->platform, BEDROCK_PLATFORM_BEDROCK) ||
	    only_for(y, at[U_PROJECT], what, "project", u->platform, BEDROCK_PLATFORM_VERTEX) ||
	    only_for(y, at[U_CREDS], what, "credentials_file", u->platform,
		     BEDROCK_PLATFORM_VERTEX))
		return -1;
	if (at[U_KEYENV] && u->platform == BEDROCK_PLATFORM_VERTEX)
		return gw_yaml_fail(y, at[U_KEYENV], "%s.api_key_env is for bedrock and anthropic "
				    "upstreams, not vertex", what);
	if (at[U_KEYENV] && at[U_PROFILE])
		return gw_yaml_fail(y, at[U_KEYENV], "%s: api_key_env and profile both say how to "
				    "sign; give one", what);
	if (u->platform == BEDROCK_PLATFORM_ANTHROPIC && at[U_REGION])
		return gw_yaml_fail(y, at[U_REGION], "%s.region: the anthropic platform has no "
				    "regions", what);
	if (u->platform != BEDROCK_PLATFORM_ANTHROPIC && !at[U_REGION])
		return gw_yaml_fail(y, n, "%s: region is missing (a %s upstream needs one)", what,
				    bedrock_platform_name(u->platform));
#define STR(idx, fname, dst)                                                          \
	do {                                                                          \
		snprintf(field, sizeof(field), "%s.%s", what, fname);                 \
		if (at[idx] && gw_yaml_string(y, at[idx], field, 0, dst))          \
			return -1;                                                    \
	} while (0)
	STR(U_REGION, "region", &u->region);
	STR(U_ENDPOINT, "endpoint_url", &u->endpoint_url);
	STR(U_PROFILE, "profile", &u->profile);
	STR(U_PROJECT, "project", &u->project);
	STR(U_CREDS, "credentials_file", &u->credentials_file);
	STR(U_KEYENV, "api_key_env", &u->api_key_env);
	snprintf(field, sizeof(field), "%s.name", what);
	if (at[U_NAME] && gw_yaml_no_env(y, at[U_NAME], field))
		return -1;
	STR(U_NAME, "name", &u->name);
#undef STR
	if (u->region && !name_ok(u->region, NULL))
		return gw_yaml_fail(y, at[U_REGION], "%s.region '%.40s' is not a region name", what,
				    gw_yaml_raw(at[U_REGION]));
	if (u->endpoint_url && strncmp(u->endpoint_url, "http://", 7) &&
	    strncmp(u->endpoint_url, "https://", 8))
		return gw_yaml_fail(y, at[U_ENDPOINT], "%s.endpoint_url must start with http:// or "
				    "https://", what);
	if (u->api_key_env && !env_name_ok(u->api_key_env))
		return gw_yaml_fail(y, at[U_KEYENV], "%s.api_key_env must name an environment "
				    "variable (the key itself never goes in the file)", what);
	if (u->platform == BEDROCK_PLATFORM_ANTHROPIC && !u->api_key_env &&
	    !(u->api_key_env = strdup("ANTHROPIC_API_KEY")))
		return gw_yaml_fail(y, n, "out of memory");
	u->cooldown_s = 30;
	u->timeout_s = 600;
	snprintf(field, sizeof(field), "%s.cooldown_s", what);
	if (at[U_COOLDOWN] && gw_yaml_uint(y, at[U_COOLDOWN], field, 0, 86400, &v))
		return -1;
	if (at[U_COOLDOWN])
		u->cooldown_s = (unsigned)v;
	snprintf(field, sizeof(field), "%s.timeout_s", what);
	if (at[U_TIMEOUT] && gw_yaml_uint(y, at[U_TIMEOUT], field, 1, 86400, &v))
		return -1;
	if (at[U_TIMEOUT])
		u->timeout_s = (unsigned)v;
	if (u->name) {
		if (!name_ok(u->name, "/:#"))
			return gw_yaml_fail(y, at[U_NAME], "%s.name may hold letters, digits and "
					    "._-@+/:# only (1 to 128)", what);
		for (i = 0; c->upstreams + i < u; i++)
			if (c->upstreams[i].name && !strcmp(c->upstreams[i].name, u->name))
				return gw_yaml_fail(y, at[U_NAME], "%s.name '%s' is already the name "
						    "of upstreams[%zu]", what, u->name, i);
	}
	return 0;
}

/* Default names: "bedrock/us-east-1", "anthropic"; the same platform and
 * region twice (two endpoints) get "#2", "#3", ... so that every upstream
 * has its own metrics and log name. */
static int default_names(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	size_t i, j, dup;
	char buf[192];

	for (i = 0; i < c->upstream_count; i++) {
		gw_upstream *u = &c->upstreams[i];
		const char *p = bedrock_platform_name(u->platform);

		if (u->name)
			continue;
		if (u->region)
			snprintf(buf, sizeof(buf), "%s/%s", p, u->region);
		else
			snprintf(buf, sizeof(buf), "%s", p);
		for (dup = 1;; dup++) {
			char cand[200];

			if (dup == 1)
				snprintf(cand, sizeof(cand), "%s", buf);
			else
				snprintf(cand, sizeof(cand), "%s#%zu", buf, dup);
			for (j = 0; j < c->upstream_count; j++)
				if (j != i && c->upstreams[j].name && !strcmp(c->upstreams[j].name, cand))
					break;
			if (j == c->upstream_count) {
				if (!(u->name = strdup(cand)))
					return gw_yaml_fail(y, n, "out of memory");
				break;
			}
		}
	}
	return 0;
}

int gw_config_upstreams(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	const yaml_node_item_t *it;
	size_t count;

	if (gw_yaml_sequence(y, n, "upstreams"))
		return -1;
	count = (size_t)(n->data.sequence.items.top - n->data.sequence.items.start);
	if (!count)
		return gw_yaml_fail(y, n, "upstreams is empty: at least one is needed");
	c->upstreams = calloc(count, sizeof(*c->upstreams));
	if (!c->upstreams)
		return gw_yaml_fail(y, n, "out of memory");
	for (it = n->data.sequence.items.start; it < n->data.sequence.items.top; it++) {
		yaml_node_t *e = gw_yaml_node(y, *it, n);
		char what[32];

		if (!e)
			return -1;
		snprintf(what, sizeof(what), "upstreams[%zu]", c->upstream_count);
		/* counted before it is read, so that a half-read one is freed */
		c->upstream_count++;
		if (upstream(y, c, &c->upstreams[c->upstream_count - 1], e, what))
			return -1;
	}
	return default_names(y, c, n);
}

/* models:
 *   claude-sonnet-4-5:                       # the name clients send
 *     bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0
 *     vertex: claude-sonnet-4-5@20250929
 *     anthropic: claude-sonnet-4-5-20250929
 * One gw_model_map per (name, platform). */
int gw_config_models(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	const yaml_node_pair_t *p, *q;
	size_t total = 0;

	if (gw_yaml_mapping(y, n, "models"))
		return -1;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *v = gw_yaml_node(y, p->value, n);
		char what[160];

		if (!v)
			return -1;
		snprintf(what, sizeof(what), "models.%.128s", gw_yaml_key(y, p));
		if (gw_yaml_mapping(y, v, what))
			return -1;
		if (v->data.mapping.pairs.top == v->data.mapping.pairs.start)
			return gw_yaml_fail(y, v, "%s names no platform (bedrock:, vertex:, "
					    "anthropic:)", what);
		if (!*gw_yaml_key(y, p))
			return gw_yaml_fail(y, v, "models: a model name must not be empty");
		total += (size_t)(v->data.mapping.pairs.top - v->data.mapping.pairs.start);
	}
	c->models = calloc(total ? total : 1, sizeof(*c->models));
	if (!c->models)
		return gw_yaml_fail(y, n, "out of memory");
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		yaml_node_t *v = yaml_document_get_node(y->doc, p->value);

		for (q = v->data.mapping.pairs.start; q < v->data.mapping.pairs.top; q++) {
			gw_model_map *m = &c->models[c->model_count];
			yaml_node_t *to = gw_yaml_node(y, q->value, v);
			const char *plat = gw_yaml_key(y, q);
			char what[200];

			if (!to)
				return -1;
			snprintf(what, sizeof(what), "models.%.128s.%.32s", gw_yaml_key(y, p), plat);
			if (bedrock_platform_parse(&m->platform, plat))
				return gw_yaml_fail(y, yaml_document_get_node(y->doc, q->key),
						    "models.%.128s: unknown platform '%.32s' "
						    "(bedrock, vertex or anthropic)",
						    gw_yaml_key(y, p), plat);
			c->model_count++;
			if (!(m->from = strdup(gw_yaml_key(y, p))))
				return gw_yaml_fail(y, v, "out of memory");
			if (gw_yaml_string(y, to, what, 0, &m->to))
				return -1;
		}
	}
	return 0;
}

int gw_config_activity(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	static const char *const names[] = { "dir", "retention_days", "bodies", "flush_ms", NULL };
	yaml_node_t *at[5];
	uint64_t v;

	if (gw_yaml_fields(y, n, "activity_log", names, at))
		return -1;
	if (at[0] && gw_yaml_string(y, at[0], "activity_log.dir", 0, &c->activity_log.dir))
		return -1;
	if (at[1]) {
		/* 0: keep every file (docs/gateway.md, Retention). */
		if (gw_yaml_uint(y, at[1], "activity_log.retention_days", 0, 36500, &v))
			return -1;
		c->activity_log.retention_days = (unsigned)v;
	}
	if (at[2] && gw_yaml_bool(y, at[2], "activity_log.bodies", &c->activity_log.bodies))
		return -1;
	if (at[3]) {
		/* 0: each line written as its request ends. */
		if (gw_yaml_uint(y, at[3], "activity_log.flush_ms", 0, 60000, &v))
			return -1;
		c->activity_log.flush_ms = (unsigned)v;
	}
	return 0;
}

int gw_config_limits(gw_yaml *y, gw_config *c, const yaml_node_t *n)
{
	static const char *const names[] = { "max_body_bytes", "max_header_bytes",
					     "max_connections", "idle_timeout_s",
					     "request_timeout_s", "drain_timeout_s", "max_threads",
					     "loops", NULL };
	static const uint64_t lo[] = { 1, 1024, 1, 1, 1, 0, 1, 1 };
	static const uint64_t hi[] = { 1ull << 32, 16u << 20, 1000000, 86400, 86400, 86400, 100000,
				       16 };
	yaml_node_t *at[9];
	uint64_t v[8];
	size_t i;
	char what[64];

	if (gw_yaml_fields(y, n, "limits", names, at))
		return -1;
	for (i = 0; i < 8; i++) {
		if (!at[i])
			continue;
		snprintf(what, sizeof(what), "limits.%s", names[i]);
		if (gw_yaml_uint(y, at[i], what, lo[i], hi[i], &v[i]))
			return -1;
	}
	if (at[0])
		c->limits.max_body = (size_t)v[0];
	if (at[1])
		c->limits.max_header_bytes = (size_t)v[1];
	if (at[2])
		c->limits.max_connections = (unsigned)v[2];
	if (at[3])
		c->limits.idle_timeout_s = (unsigned)v[3];
	if (at[4])
		c->limits.request_timeout_s = (unsigned)v[4];
	if (at[5])
		c->limits.drain_timeout_s = (unsigned)v[5];
	if (at[6])
		c->limits.max_threads = (unsigned)v[6];
	if (at[7])
		c->limits.loops = (unsigned)v[7];
	return 0;
}
