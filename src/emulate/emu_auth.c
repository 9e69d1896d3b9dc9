#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/bedrock.h"
#include "crypto.h"
#include "emu_auth.h"

/* Headers converted on the stack; more are converted on the heap. */
#define MAX_HEADERS 64

static int fail(emu_auth_result *out, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(emu_auth_result *out, const char *type, const char *fmt, ...)
{
	va_list ap;

	out->status = 403;
	out->error_type = type;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const BAD_TOKEN = "The security token included in the request is invalid.";

static int check_bearer(emu_auth_result *out, const emu_auth_config *cfg, const char *token)
{
	size_t i;

	for (i = 0; i < cfg->bearer_count; i++)
		if (bedrock__secret_equal(cfg->bearers[i], token)) {
			snprintf(out->access_key_id, sizeof(out->access_key_id), "bearer");
			return 0;
		}
	return fail(out, "UnrecognizedClientException", "%s", BAD_TOKEN);
}

static const char *secret_of(const char *akid, void *payload)
{
	const emu_auth_config *cfg = payload;
	size_t i;

	for (i = 0; i < cfg->key_count; i++)
		if (!strcmp(cfg->keys[i].access_key_id, akid))
			return cfg->keys[i].secret;
	return NULL;
}

/* A bearer token is checked whole here; SigV4 by the library's verifier,
 * on the head alone or with the body. */
static int check(emu_auth_result *out, const emu_auth_config *cfg, const serve_request *req,
		 int64_t now, int head_only)
{
	const char *auth = serve_request_header(req, "authorization");
	bedrock_sigv4_verify_options vo = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;
	bedrock_sigv4_header stack[MAX_HEADERS], *hdrs = stack;
	bedrock_sigv4_verification v;
	bedrock_sigv4_request vr;
	size_t i;
	int rc;

	memset(out, 0, sizeof(*out));
	if (!auth || !*auth)
		return fail(out, "MissingAuthenticationTokenException", "Missing Authentication Token");
	if (!strncasecmp(auth, "Bearer ", 7))
		return check_bearer(out, cfg, auth + 7);
	if (req->header_count > MAX_HEADERS) {
		hdrs = malloc(req->header_count * sizeof(*hdrs));
		if (!hdrs)
			return fail(out, "InternalServerException", "out of memory");
	}
	for (i = 0; i < req->header_count; i++)
		hdrs[i] = (bedrock_sigv4_header){ req->headers[i].name, strlen(req->headers[i].name),
						  req->headers[i].value,
						  strlen(req->headers[i].value) };
	memset(&vr, 0, sizeof(vr));
	vr.method = req->method;
	vr.path = req->path;
	vr.query = req->query;
	vr.headers = hdrs;
	vr.header_count = req->header_count;
	vr.body = req->body;
	vr.body_len = req->body_len;
	vo.region = cfg->region;
	vo.now = now;
	vo.max_skew = cfg->max_skew_seconds;
	/* What the emulator always took: the hash header is what was signed. */
	vo.allow_unsigned_payload = 1;
	vo.secret = secret_of;
	vo.payload = (void *)cfg;
	rc = head_only ? bedrock_sigv4_verify_head(&v, &vo, &vr) : bedrock_sigv4_verify(&v, &vo, &vr);
	if (hdrs != stack)
		free(hdrs);
	snprintf(out->access_key_id, sizeof(out->access_key_id), "%.63s", v.access_key_id);
	if (rc == 0)
		return 0;
	if (rc != BEDROCK_EAUTH)
		return fail(out, "InternalServerException", "%s", v.message);
	return fail(out, v.error_type, "%s", v.message);
}

int emu_auth_check_head(emu_auth_result *out, const emu_auth_config *cfg,
			const serve_request *req, int64_t now)
{
	return check(out, cfg, req, now, 1);
}

int emu_auth_check(emu_auth_result *out, const emu_auth_config *cfg, const serve_request *req,
		   int64_t now)
{
	return check(out, cfg, req, now, 0);
}

int emu_key_parse(emu_key *out, const char *spec)
{
	const char *colon = strchr(spec, ':');

	memset(out, 0, sizeof(*out));
	if (!colon || colon == spec || !colon[1])
		return -1;
	out->access_key_id = strndup(spec, (size_t)(colon - spec));
	out->secret = strdup(colon + 1);
	if (!out->access_key_id || !out->secret) {
		emu_key_dispose(out);
		return -1;
	}
	return 0;
}

void emu_key_dispose(emu_key *k)
{
	free(k->access_key_id);
	if (k->secret) {
		bedrock__wipe(k->secret, strlen(k->secret));
		free(k->secret);
	}
	memset(k, 0, sizeof(*k));
}
