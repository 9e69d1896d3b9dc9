/* The Anthropic API platform's part of the client: its base URL and
 * credentials, its request headers and its retry rules (the official
 * SDKs'). The wire dialect of the body is messages_render.c's; the SSE
 * events are turned into bedrock_event by anthropic_events.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "anthropic_retry.h"

#define DEFAULT_BASE_URL "https://api.anthropic.com"

/* An empty variable is an unset one, as the SDKs read them. */
static const char *env(const char *name)
{
	const char *v = bedrock__env(name);

	return v && *v ? v : NULL;
}

/* A header value must not be able to end the header. */
static int printable(const char *s)
{
	for (; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			return 0;
	return 1;
}

int bedrock__anthropic_setup(bedrock_client *c, const bedrock_client_options *o,
			     bedrock_error_info *err)
{
	const char *key = o->api_key, *token = o->auth_token, *src = "the options", *ep;
	int rc;

	c->request_id_header = "request-id";
	ep = o->endpoint_url ? o->endpoint_url : env("ANTHROPIC_BASE_URL");
	rc = bedrock__endpoint_parse(&c->endpoint, &c->endpoint_path, "endpoint",
				     ep ? ep : DEFAULT_BASE_URL, err);
	if (rc)
		return rc;
	/* The API's other paths (/v1/models) go where the Messages calls go. */
	c->control_endpoint = bedrock__strdup(c->endpoint);
	c->control_endpoint_path = bedrock__strdup(c->endpoint_path);
	if (!c->control_endpoint || !c->control_endpoint_path)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	if (key && !*key)
		key = NULL;
	if (token && !*token)
		token = NULL;
	if (!key && !token) {
		key = env("ANTHROPIC_API_KEY");
		token = env("ANTHROPIC_AUTH_TOKEN");
		src = key ? "ANTHROPIC_API_KEY" : "ANTHROPIC_AUTH_TOKEN";
		if (key && token)
			return bedrock__err(err, BEDROCK_ECONFIG, "both ANTHROPIC_API_KEY and "
					    "ANTHROPIC_AUTH_TOKEN are set: unset one (an API key "
					    "goes as x-api-key, a token as Authorization: Bearer)");
	} else if (key && token) {
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "an API key and an auth token were both given: pass one");
	}
	if ((key && !printable(key)) || (token && !printable(token)))
		return bedrock__err(err, BEDROCK_ECONFIG, "the %s contains control characters",
				    key ? "API key" : "auth token");
	if ((key && !(c->api_key = bedrock__strdup(key))) ||
	    (token && !(c->auth_token = bedrock__strdup(token))))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	c->api_key_source = key || token ? src : NULL;
	bedrock__client_log(c, BEDROCK_LOG_DEBUG, "anthropic: %s, %s%s", c->endpoint,
			    key ? "API key from " : token ? "auth token from " : "no credentials",
			    key || token ? src : "");
	return 0;
}

const char *bedrock__anthropic_credential_source(const bedrock_client *c)
{
	return c->api_key_source;
}

int bedrock__anthropic_headers(struct curl_slist **list, bedrock_client *c,
				const bedrock__call *call, bedrock_error_info *err)
{
	const bedrock_request_options *o = call->options;
	char auth[4096];
	size_t n;
	int rc = 0;

	*list = NULL;
	if (o && (o->guardrail_identifier || o->guardrail_version || o->trace ||
		  o->performance_latency || o->service_tier || o->request_metadata))
		return bedrock__err(err, BEDROCK_ENOTSUP, "guardrails, trace, latency, service tier "
				    "and request metadata are Bedrock request options");
	if (!c->api_key && !c->auth_token)
		return bedrock__err(err, BEDROCK_EAUTH, "no Anthropic API key: set ANTHROPIC_API_KEY "
				    "(or ANTHROPIC_AUTH_TOKEN for an OAuth token)");
	if (call->betas && strpbrk(call->betas, "\r\n"))
		return bedrock__err(err, BEDROCK_EINVAL, "anthropic-beta contains CR or LF");
	if (c->api_key)
		n = (size_t)snprintf(auth, sizeof(auth), "%s", c->api_key);
	else
		n = (size_t)snprintf(auth, sizeof(auth), "Bearer %s", c->auth_token);
	/* Wiped below as far as it was written, not all 4 KiB at every call. */
	n = n < sizeof(auth) ? n + 1 : sizeof(auth);
	if ((call->body || !strcmp(call->method, "POST")) &&
	    bedrock__header_append(list, "Content-Type", "application/json"))
		goto oom;
	if (bedrock__header_append(list, "Accept", call->accept) ||
	    bedrock__header_append(list, "anthropic-version", BEDROCK_ANTHROPIC_API_VERSION) ||
	    (call->betas && bedrock__header_append(list, "anthropic-beta", call->betas)) ||
	    bedrock__header_append(list, c->api_key ? "x-api-key" : "Authorization", auth) ||
	    bedrock__header_append(list, "User-Agent", c->user_agent) ||
	    bedrock__header_append(list, "Expect", ""))
		goto oom;
	bedrock__wipe(auth, n);
	return 0;
oom:
	bedrock__wipe(auth, n);
	rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	curl_slist_free_all(*list);
	*list = NULL;
	return rc;
}

