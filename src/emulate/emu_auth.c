#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "bedrock/bedrock.h"
#include "crypto.h"
#include "emu_auth.h"
#include "timeutil.h"

#define MAX_SIGNED 64

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

static const char *const BAD_SIGNATURE =
	"The request signature we calculated does not match the signature you provided. "
	"Check your AWS Secret Access Key and signing method. Consult the service "
	"documentation for details.";
static const char *const BAD_TOKEN = "The security token included in the request is invalid.";

/* "20261123T045825Z" -> Unix seconds; -1 if malformed. */
static int64_t amz_date(const char *s)
{
	int y, mo, d, h, mi, se;

	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z' ||
	    sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &se) != 6 || mo < 1 ||
	    mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	return bedrock__utc_to_unix(y, mo, d, h, mi, se);
}

static void fmt_amz(char *out, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y%m%dT%H%M%SZ", &tm);
}

/* Copies the value of "key=" from an Authorization header's parameter list. */
static int param(char *out, size_t cap, const char *auth, const char *key)
{
	const char *p = auth;
	size_t kl = strlen(key), n;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[kl] == '=') {
			p += kl + 1;
			n = strcspn(p, ", ");
			if (n >= cap)
				return -1;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p += kl;
	}
	return -1;
}

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

/* What the head says, parsed once for both halves of the check. */
struct head {
	char credential[256], signed_list[1024], signature[80], *scope[5];
	const emu_key *key;
	const char *date, *token, *sha;
	int64_t t;
	int bearer;
};

/* Everything that needs no body: present, well formed, a known key, the
 * region, the service and the clock. */
static int check_head(emu_auth_result *out, struct head *h, const emu_auth_config *cfg,
		      const serve_request *req, int64_t now)
{
	const char *auth = serve_request_header(req, "authorization");
	char *p, *save = NULL;
	size_t i;

	memset(out, 0, sizeof(*out));
	memset(h, 0, sizeof(*h));
	h->date = serve_request_header(req, "x-amz-date");
	h->token = serve_request_header(req, "x-amz-security-token");
	h->sha = serve_request_header(req, "x-amz-content-sha256");
	if (!auth || !*auth)
		return fail(out, "MissingAuthenticationTokenException", "Missing Authentication Token");
	if (!strncasecmp(auth, "Bearer ", 7)) {
		h->bearer = 1;
		return check_bearer(out, cfg, auth + 7);
	}
	if (strncmp(auth, "AWS4-HMAC-SHA256 ", 17))
		return fail(out, "IncompleteSignatureException",
			    "Authorization header requires 'Credential', 'Signature' and "
			    "'SignedHeaders' parameters (AWS4-HMAC-SHA256).");
	if (param(h->credential, sizeof(h->credential), auth + 17, "Credential") ||
	    param(h->signed_list, sizeof(h->signed_list), auth + 17, "SignedHeaders") ||
	    param(h->signature, sizeof(h->signature), auth + 17, "Signature"))
		return fail(out, "IncompleteSignatureException",
			    "Authorization header requires 'Credential', 'Signature' and "
			    "'SignedHeaders' parameters.");
	/* AKID/date/region/service/aws4_request */
	for (i = 0, p = strtok_r(h->credential, "/", &save); p && i < 5;
	     p = strtok_r(NULL, "/", &save))
		h->scope[i++] = p;
	if (i != 5 || p || strcmp(h->scope[4], "aws4_request"))
		return fail(out, "IncompleteSignatureException", "Credential is malformed.");
	snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", h->scope[0]);
	for (i = 0; i < cfg->key_count; i++)
		if (!strcmp(cfg->keys[i].access_key_id, h->scope[0]))
			h->key = &cfg->keys[i];
	if (!h->key)
		return fail(out, "UnrecognizedClientException", "%s", BAD_TOKEN);
	if (strcmp(h->scope[3], "bedrock"))
		return fail(out, "InvalidSignatureException",
			    "Credential should be scoped to correct service: 'bedrock'. ");
	if (strcmp(h->scope[2], cfg->region))
		return fail(out, "InvalidSignatureException",
			    "Credential should be scoped to a valid region. ");
	h->t = amz_date(h->date);
	if (h->t < 0)
		return fail(out, "IncompleteSignatureException",
			    "Authorization header requires existence of either a 'X-Amz-Date' or a "
			    "'Date' header.");
	if (strncmp(h->date, h->scope[1], 8))
		return fail(out, "InvalidSignatureException",
			    "Date in Credential scope does not match YYYYMMDD from ISO-8601 version of "
			    "date from HTTP: '%.8s' != '%.8s', from '%s'.", h->scope[1], h->date,
			    h->date);
	if (h->t < now - cfg->max_skew_seconds || h->t > now + cfg->max_skew_seconds) {
		char a[32], b[32], c[32];

		fmt_amz(a, sizeof(a), h->t);
		fmt_amz(c, sizeof(c), now);
		if (h->t < now) {
			fmt_amz(b, sizeof(b), now - cfg->max_skew_seconds);
			return fail(out, "InvalidSignatureException",
				    "Signature expired: %s is now earlier than %s (%s - %lld min.)", a,
				    b, c, (long long)(cfg->max_skew_seconds / 60));
		}
		fmt_amz(b, sizeof(b), now + cfg->max_skew_seconds);
		return fail(out, "InvalidSignatureException",
			    "Signature not yet current: %s is still later than %s (%s + %lld min.)",
			    a, b, c, (long long)(cfg->max_skew_seconds / 60));
	}
	return 0;
}

int emu_auth_check_head(emu_auth_result *out, const emu_auth_config *cfg,
			const serve_request *req, int64_t now)
{
	struct head h;

	return check_head(out, &h, cfg, req, now);
}

int emu_auth_check(emu_auth_result *out, const emu_auth_config *cfg, const serve_request *req,
		   int64_t now)
{
	bedrock_sigv4_header hdrs[MAX_SIGNED];
	bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_credentials creds;
	bedrock_sigv4_request sreq;
	bedrock_sigv4_result *res = NULL;
	struct head h;
	size_t nh = 0;
	char *p, *save = NULL;
	int rc, token_signed = 0;

	rc = check_head(out, &h, cfg, req, now);
	if (rc || h.bearer)
		return rc;	/* a bearer token is checked whole by its head */

	/* Rebuild the signed part of the request. The signer adds X-Amz-Date
	 * and X-Amz-Security-Token itself, so those are passed as settings. */
	for (p = strtok_r(h.signed_list, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		const char *v;

		if (nh == MAX_SIGNED)
			return fail(out, "InvalidSignatureException", "%s", BAD_SIGNATURE);
		if (!strcmp(p, "x-amz-date"))
			continue;
		if (!strcmp(p, "x-amz-security-token")) {
			token_signed = 1;
			continue;
		}
		v = serve_request_header(req, p);
		/* HTTP/2 has :authority in Host's place (and signers may sign either). */
		if (!v && !strcmp(p, "host"))
			v = serve_request_header(req, ":authority");
		if (!v && !strcmp(p, ":authority"))
			v = serve_request_header(req, "host");
		if (!v)
			return fail(out, "InvalidSignatureException", "%s", BAD_SIGNATURE);
		hdrs[nh++] = (bedrock_sigv4_header){ p, strlen(p), v, strlen(v) };
	}
	creds.access_key_id = h.key->access_key_id;
	creds.secret_access_key = h.key->secret;
	creds.session_token = h.token && *h.token ? h.token : NULL;
	sc.region = h.scope[2];
	sc.service = h.scope[3];
	sc.signing_time = h.t;
	sc.omit_session_token = creds.session_token && !token_signed;
	memset(&sreq, 0, sizeof(sreq));
	sreq.method = req->method;
	sreq.path = req->path;
	sreq.query = req->query && *req->query ? req->query : NULL;
	sreq.headers = hdrs;
	sreq.header_count = nh;
	sreq.body = req->body;
	sreq.body_len = req->body_len;
	/* Like the SDKs' signers: a content hash header is the payload hash. */
	sreq.payload_hash = h.sha && *h.sha ? h.sha : NULL;
	if (bedrock_sigv4_result_new(&res))
		return fail(out, "InternalServerException", "out of memory");
	rc = bedrock_sigv4_sign(res, NULL, &sc, &creds, &sreq);
	if (rc == 0) {
		const char *mine = bedrock_sigv4_result_signature(res);

		rc = bedrock__secret_equal(mine, h.signature) ? 0 : -1;
	}
	if (rc && getenv("BEDROCK_EMULATE_DEBUG_AUTH"))
		fprintf(stderr, "canonical request the emulator computed:\n%s\n%s\n",
			bedrock_sigv4_result_canonical_request(res),
			bedrock_sigv4_result_errmsg(res));
	bedrock_sigv4_result_free(res);
	if (rc)
		return fail(out, "InvalidSignatureException", "%s", BAD_SIGNATURE);
	return 0;
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
