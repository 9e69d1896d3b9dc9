/* One library client per upstream, and the rest a failing upstream takes.
 * Each client makes one attempt per call: the gateway's failover is the
 * retry, and a client that retried on its own would keep a throttled
 * request in one region for seconds. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/google.h>

#include "gw_internal.h"

static int make_client(gw_upstream_rt *u, char *err, size_t err_cap)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	const gw_upstream *c = u->cfg;
	bedrock_google_provider *google = NULL;
	bedrock_error_info e;
	int rc;

	memset(&e, 0, sizeof(e));
	o.platform = c->platform;
	o.region = c->region;
	o.endpoint_url = c->endpoint_url;
	o.max_attempts = 1;
	o.deadline_ms = (long)c->timeout_s * 1000;
	o.user_agent_suffix = "bedrock-gateway";
	switch (c->platform) {
	case BEDROCK_PLATFORM_BEDROCK:
		o.profile = c->profile;
		/* A Bedrock upstream sends the Bedrock API key its
		 * api_key_env names, or else takes the library's chain:
		 * AWS_BEARER_TOKEN_BEDROCK, then the AWS credentials (profile). */
		if (c->api_key_env) {
			const char *key = getenv(c->api_key_env);

			if (!key || !*key) {
				snprintf(err, err_cap, "upstream %s: the variable %s (api_key_env) is "
					 "not set", c->name, c->api_key_env);
				return -1;
			}
			o.bearer_token = key;
		}
		break;
	case BEDROCK_PLATFORM_VERTEX:
		o.project = c->project;
		if (c->credentials_file &&
		    bedrock_google_provider_new_file(&google, c->credentials_file, &e)) {
			snprintf(err, err_cap, "upstream %s: %s", c->name, e.message);
			return -1;
		}
		o.google_credentials = google;
		break;
	case BEDROCK_PLATFORM_ANTHROPIC: {
		const char *var = c->api_key_env ? c->api_key_env : "ANTHROPIC_API_KEY";
		const char *key = getenv(var);

		if (key && *key)
			o.api_key = key;
		else if (c->api_key_env) {
			snprintf(err, err_cap, "upstream %s: the variable %s (api_key_env) is not set",
				 c->name, var);
			return -1;
		}
		break;
	}
	default:
		snprintf(err, err_cap, "upstream %s: unknown platform", c->name);
		return -1;
	}
	rc = bedrock_client_new(&u->client, &o, &e);
	bedrock_google_provider_release(google);
	if (rc) {
		snprintf(err, err_cap, "upstream %s: %s", c->name, e.message);
		return -1;
	}
	return 0;
}

int gw_upstreams_make(gw_gen *gen, char *err, size_t err_cap)
{
	const gw_config *cfg = gen->cfg;

	if (!(gen->ups = calloc(cfg->upstream_count, sizeof(*gen->ups)))) {
		snprintf(err, err_cap, "out of memory");
		return -1;
	}
	for (size_t i = 0; i < cfg->upstream_count; i++) {
		gen->ups[i].cfg = &cfg->upstreams[i];
		atomic_init(&gen->ups[i].cool_until_ms, 0);
		gen->up_count = i + 1;
		if (make_client(&gen->ups[i], err, err_cap))
			return -1;
	}
	return 0;
}

void gw_upstreams_free(gw_gen *gen)
{
	for (size_t i = 0; i < gen->up_count; i++)
		bedrock_client_free(gen->ups[i].client);
	free(gen->ups);
	gen->ups = NULL;
	gen->up_count = 0;
}

int gw_upstream_cooling(const gw_upstream_rt *u, uint64_t now_ms)
{
	return atomic_load(&u->cool_until_ms) > now_ms;
}

void gw_upstream_cool(gw_upstream_rt *u, gw_metrics *m, uint64_t now_ms)
{
	if (!u->cfg->cooldown_s)
		return;
	atomic_store(&u->cool_until_ms, now_ms + (uint64_t)u->cfg->cooldown_s * 1000u);
	gw_metrics_upstream_health(m, u->cfg->name, 0);
}

void gw_upstream_healthy(gw_upstream_rt *u, gw_metrics *m)
{
	if (atomic_exchange(&u->cool_until_ms, 0))
		gw_metrics_upstream_health(m, u->cfg->name, 1);
}
