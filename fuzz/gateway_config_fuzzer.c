/* The gateway's configuration parser on arbitrary bytes: either a
 * configuration that keeps gw_config.h's promises (at least one upstream
 * and one key, every key with a secret, names unique, TLS files paired)
 * or an error "fuzz.yaml:LINE: ..." that never quotes a secret taken from
 * the environment; never a crash, a leak or a walk longer than the file. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "gw_config_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define ENV_SECRET "env-secret-value-7Q2"

static const char *fake_env(const char *name, void *payload)
{
	(void)payload;
	if (!strcmp(name, "SECRET"))
		return ENV_SECRET;
	if (!strcmp(name, "N"))
		return "42";
	return NULL;
}

static int contains(const uint8_t *data, size_t size, const char *s)
{
	size_t n = strlen(s), i;

	for (i = 0; i + n <= size; i++)
		if (!memcmp(data + i, s, n))
			return 1;
	return 0;
}

static void check(const gw_config *c)
{
	size_t i, j;

	if (!c->listen || !c->upstream_count || !c->key_count || !c->path ||
	    !c->tls_cert != !c->tls_key)
		__builtin_trap();
	for (i = 0; i < c->upstream_count; i++) {
		const gw_upstream *u = &c->upstreams[i];

		if (!u->name || (u->platform == BEDROCK_PLATFORM_ANTHROPIC) != !u->region)
			__builtin_trap();
		for (j = 0; j < i; j++)
			if (!strcmp(u->name, c->upstreams[j].name))
				__builtin_trap();
	}
	for (i = 0; i < c->key_count; i++) {
		const gw_key *k = &c->keys[i];

		if (!k->name || (k->key && k->has_sha256) ||
		    (!k->key && !k->has_sha256 && !k->aws_access_key_id) ||
		    !k->aws_access_key_id != !k->aws_secret_access_key ||
		    (k->models && !k->model_count))
			__builtin_trap();
		for (j = 0; j < i; j++)
			if (!strcmp(k->name, c->keys[j].name))
				__builtin_trap();
	}
	for (i = 0; i < c->model_count; i++)
		if (!c->models[i].from || !c->models[i].to || !*c->models[i].to)
			__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	gw_config *c = NULL;
	char err[512], *p;

	if (gw_config_parse_env(&c, (const char *)data, size, "fuzz.yaml", err, sizeof(err),
				fake_env, NULL) == 0) {
		if (!c)
			__builtin_trap();
		check(c);
		gw_config_unref(gw_config_ref(c));
		gw_config_unref(c);
		return 0;
	}
	if (c || strncmp(err, "fuzz.yaml:", 10))
		__builtin_trap();
	for (p = err + 10; *p >= '0' && *p <= '9'; p++)
		;
	if (p == err + 10 || p[0] != ':' || p[1] != ' ')
		__builtin_trap();
	if (strstr(err, ENV_SECRET) && !contains(data, size, ENV_SECRET))
		__builtin_trap();
	return 0;
}
