/* SigV4 from the server's side: a request as received is checked the way
 * AWS checks it (form, key, scope, clock, content hash) and its signature
 * recomputed with bedrock_sigv4_sign(), so signing and verifying can never
 * disagree about canonicalisation. The order of the checks and the
 * messages are AWS's: SDKs and people recognise them. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crypto.h"
#include "sigv4_private.h"
#include "timeutil.h"

/* Headers a signature may cover; more is not a request any SDK sends. */
#define MAX_SIGNED 64
#define MAX_AUTH 4096

static const char *const BAD_SIGNATURE =
	"The request signature we calculated does not match the signature you provided. "
	"Check your AWS Secret Access Key and signing method. Consult the service "
	"documentation for details.";
static const char *const BAD_TOKEN = "The security token included in the request is invalid.";

/* Each thread's work space, made on its first verify and freed when the
 * thread ends; and, for callers that bring no signer, one key cache for
 * the process (thread-safe). A work space a verify was a third of its
 * cost (OpenSSL fetching SHA-256 and HMAC anew), and deriving the day's
 * key another third. The space keeps the last derived key until the next
 * verify on its thread, as the cache keeps it anyway. */
static pthread_once_t ws_once = PTHREAD_ONCE_INIT;
static pthread_key_t ws_key;
static int ws_key_ok;
static bedrock_sigv4_signer *shared_signer;

static void ws_destroy(void *p)
{
	bedrock_sigv4_result_free(p);
}

static void ws_init(void)
{
	ws_key_ok = pthread_key_create(&ws_key, ws_destroy) == 0;
	if (bedrock_sigv4_signer_new(&shared_signer))
		shared_signer = NULL;	/* each key derived anew, then */
}

/* The thread's work space (*owned 0), or a new one the caller frees
 * (*owned 1) when there can be none. */
static int take_space(bedrock_sigv4_result **out, int *owned)
{
	int rc;

	pthread_once(&ws_once, ws_init);
	*owned = 0;
	if (ws_key_ok && (*out = pthread_getspecific(ws_key)))
		return 0;
	rc = bedrock_sigv4_result_new(out);
	if (rc)
		return rc;
	if (!ws_key_ok || pthread_setspecific(ws_key, *out))
		*owned = 1;
	return 0;
}

static const char *type_of(bedrock_sigv4_verdict v)
{
	switch (v) {
	case BEDROCK_SIGV4_OK:
		return "";
	case BEDROCK_SIGV4_MISSING:
		return "MissingAuthenticationTokenException";
	case BEDROCK_SIGV4_MALFORMED:
	case BEDROCK_SIGV4_BAD_DATE:
		return "IncompleteSignatureException";
	case BEDROCK_SIGV4_UNKNOWN_KEY:
		return "UnrecognizedClientException";
	case BEDROCK_SIGV4_WRONG_SERVICE:
	case BEDROCK_SIGV4_WRONG_REGION:
	case BEDROCK_SIGV4_DATE_MISMATCH:
	case BEDROCK_SIGV4_EXPIRED:
	case BEDROCK_SIGV4_NOT_YET_VALID:
	case BEDROCK_SIGV4_BAD_SIGNATURE:
		return "InvalidSignatureException";
	case BEDROCK_SIGV4_BAD_CONTENT_SHA256:
		return "ValidationException";
	}
	return "InvalidSignatureException";
}

static int refuse(bedrock_sigv4_verification *out, bedrock_sigv4_verdict v, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int refuse(bedrock_sigv4_verification *out, bedrock_sigv4_verdict v, const char *fmt, ...)
{
	va_list ap;

	out->verdict = v;
	out->error_type = type_of(v);
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return BEDROCK_EAUTH;
}

static int name_is(const bedrock_sigv4_header *h, const char *name)
{
	size_t n = strlen(name);

	return h->name_len == n && !strncasecmp(h->name, name, n);
}

/* The first header of that name, NUL-terminated into buf; NULL if absent
 * or longer than cap allows. */
static const char *header(char *buf, size_t cap, const bedrock_sigv4_request *req,
			  const char *name, int *too_long)
{
	size_t i;

	for (i = 0; i < req->header_count; i++)
		if (name_is(&req->headers[i], name)) {
			if (req->headers[i].value_len >= cap) {
				if (too_long)
					*too_long = 1;
				return NULL;
			}
			memcpy(buf, req->headers[i].value, req->headers[i].value_len);
			buf[req->headers[i].value_len] = '\0';
			return buf;
		}
	return NULL;
}

/* "20261123T045825Z" -> Unix seconds; -1 if malformed. */
static int64_t amz_date(const char *s)
{
	int y, mo, d, h, mi, se, i;

	if (!s || strlen(s) != 16 || s[8] != 'T' || s[15] != 'Z')
		return -1;
	for (i = 0; i < 15; i++)
		if (i != 8 && (s[i] < '0' || s[i] > '9'))
			return -1;
	if (sscanf(s, "%4d%2d%2dT%2d%2d%2dZ", &y, &mo, &d, &h, &mi, &se) != 6 || mo < 1 ||
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

/* Copies the value of "key=" from an Authorization header's parameters. */
static int param(char *out, size_t cap, const char *auth, const char *key)
{
	const char *p = auth;
	size_t kl = strlen(key), n;

	while ((p = strstr(p, key)) != NULL) {
		if ((p == auth || p[-1] == ' ' || p[-1] == ',') && p[kl] == '=') {
			p += kl + 1;
			n = strcspn(p, ", ");
			if (n == 0 || n >= cap)
				return -1;
			memcpy(out, p, n);
			out[n] = '\0';
			return 0;
		}
		p += kl;
	}
	return -1;
}

static int is_hex64(const char *s)
{
	size_t i;

	for (i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f') ||
		      (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return s[64] == '\0';
}

/* What the head says, parsed once for both halves of the check. */
struct head {
	char auth[MAX_AUTH], credential[512], signed_list[1024], signature[80];
	char date[32], token[4096], sha[80];
	char *scope[5];
	const char *secret, *token_p, *sha_p;
};

static int check_head(bedrock_sigv4_verification *out, struct head *h,
		      const bedrock_sigv4_verify_options *opts, const bedrock_sigv4_request *req)
{
	const char *service = opts->service ? opts->service : "bedrock";
	int64_t skew = opts->max_skew > 0 ? opts->max_skew : 300;
	char *p;
	int too_long = 0;
	size_t i;

	if (!header(h->auth, sizeof(h->auth), req, "authorization", &too_long)) {
		if (too_long)
			return refuse(out, BEDROCK_SIGV4_MALFORMED, "Authorization header is too long.");
		return refuse(out, BEDROCK_SIGV4_MISSING, "Missing Authentication Token");
	}
	if (strncmp(h->auth, "AWS4-HMAC-SHA256 ", 17))
		return refuse(out, BEDROCK_SIGV4_MALFORMED,
			      "Authorization header requires 'Credential', 'Signature' and "
			      "'SignedHeaders' parameters (AWS4-HMAC-SHA256).");
	if (param(h->credential, sizeof(h->credential), h->auth + 17, "Credential") ||
	    param(h->signed_list, sizeof(h->signed_list), h->auth + 17, "SignedHeaders") ||
	    param(h->signature, sizeof(h->signature), h->auth + 17, "Signature"))
		return refuse(out, BEDROCK_SIGV4_MALFORMED,
			      "Authorization header requires 'Credential', 'Signature' and "
			      "'SignedHeaders' parameters.");
	/* AKID/date/region/service/aws4_request, none empty */
	for (i = 0, p = h->credential; i < 5; i++) {
		h->scope[i] = p;
		p = strchr(p, '/');
		if (!p)
			break;
		*p++ = '\0';
	}
	if (i != 4 || strcmp(h->scope[4], "aws4_request") || !*h->scope[0] || !*h->scope[1] ||
	    !*h->scope[2] || !*h->scope[3])
		return refuse(out, BEDROCK_SIGV4_MALFORMED, "Credential is malformed.");
	snprintf(out->access_key_id, sizeof(out->access_key_id), "%s", h->scope[0]);
	snprintf(out->region, sizeof(out->region), "%s", h->scope[2]);
	snprintf(out->service, sizeof(out->service), "%s", h->scope[3]);
	h->secret = opts->secret(h->scope[0], opts->payload);
	if (!h->secret)
		return refuse(out, BEDROCK_SIGV4_UNKNOWN_KEY, "%s", BAD_TOKEN);
	if (strcmp(h->scope[3], service))
		return refuse(out, BEDROCK_SIGV4_WRONG_SERVICE,
			      "Credential should be scoped to correct service: '%s'. ", service);
	if (opts->region && strcmp(h->scope[2], opts->region))
		return refuse(out, BEDROCK_SIGV4_WRONG_REGION,
			      "Credential should be scoped to a valid region. ");
	out->signing_time = amz_date(header(h->date, sizeof(h->date), req, "x-amz-date", NULL));
	if (out->signing_time < 0) {
		out->signing_time = 0;
		return refuse(out, BEDROCK_SIGV4_BAD_DATE,
			      "Authorization header requires existence of either a 'X-Amz-Date' or "
			      "a 'Date' header.");
	}
	if (strncmp(h->date, h->scope[1], 8) || strlen(h->scope[1]) != 8)
		return refuse(out, BEDROCK_SIGV4_DATE_MISMATCH,
			      "Date in Credential scope does not match YYYYMMDD from ISO-8601 "
			      "version of date from HTTP: '%.8s' != '%.8s', from '%s'.",
			      h->scope[1], h->date, h->date);
	if (out->signing_time < opts->now - skew || out->signing_time > opts->now + skew) {
		char a[32], b[32], c[32];

		fmt_amz(a, sizeof(a), out->signing_time);
		fmt_amz(c, sizeof(c), opts->now);
		if (out->signing_time < opts->now) {
			fmt_amz(b, sizeof(b), opts->now - skew);
			return refuse(out, BEDROCK_SIGV4_EXPIRED,
				      "Signature expired: %s is now earlier than %s (%s - %lld min.)",
				      a, b, c, (long long)(skew / 60));
		}
		fmt_amz(b, sizeof(b), opts->now + skew);
		return refuse(out, BEDROCK_SIGV4_NOT_YET_VALID,
			      "Signature not yet current: %s is still later than %s (%s + %lld "
			      "min.)", a, b, c, (long long)(skew / 60));
	}
	too_long = 0;
	h->sha_p = header(h->sha, sizeof(h->sha), req, "x-amz-content-sha256", &too_long);
	if (too_long || (h->sha_p && !is_hex64(h->sha_p) &&
			 !(opts->allow_unsigned_payload && !strcmp(h->sha_p, "UNSIGNED-PAYLOAD"))))
		return refuse(out, BEDROCK_SIGV4_BAD_CONTENT_SHA256,
			      "x-amz-content-sha256 must be the hex SHA-256 of the body.");
	too_long = 0;
	h->token_p = header(h->token, sizeof(h->token), req, "x-amz-security-token", &too_long);
	if (too_long)
		return refuse(out, BEDROCK_SIGV4_UNKNOWN_KEY, "%s", BAD_TOKEN);
	if (h->token_p && !*h->token_p)
		h->token_p = NULL;
	return 0;
}

static int check_args(bedrock_sigv4_verification *out, const bedrock_sigv4_verify_options *opts,
		      const bedrock_sigv4_request *req)
{
	if (!out)
		return BEDROCK_EINVAL;
	memset(out, 0, sizeof(*out));
	out->error_type = "";
	if (!opts || opts->version != BEDROCK_SIGV4_VERIFY_OPTIONS_VERSION || !opts->secret ||
	    !req || !req->method || !req->path || (req->header_count && !req->headers) ||
	    (req->body_len && !req->body)) {
		out->verdict = BEDROCK_SIGV4_MALFORMED;
		out->error_type = "InternalFailure";
		snprintf(out->message, sizeof(out->message), "bedrock_sigv4_verify: bad argument");
		return BEDROCK_EINVAL;
	}
	return 0;
}

int bedrock_sigv4_verify_head(bedrock_sigv4_verification *out,
			      const bedrock_sigv4_verify_options *opts,
			      const bedrock_sigv4_request *req)
{
	struct head h;
	int rc = check_args(out, opts, req);

	if (rc)
		return rc;
	rc = check_head(out, &h, opts, req);
	bedrock__wipe(&h, sizeof(h));
	return rc;
}

/* The headers the client says it signed, as received, for the signer.
 * X-Amz-Date and the token are the signer's settings, not headers. */
static int collect(bedrock_sigv4_header *hdrs, size_t *nh, int *token_signed, char *list,
		   const bedrock_sigv4_request *req)
{
	char *p, *save = NULL;
	const char *alt;
	size_t i, found;
	int pass;

	*nh = 0;
	*token_signed = 0;
	for (p = strtok_r(list, ";", &save); p; p = strtok_r(NULL, ";", &save)) {
		if (!strcmp(p, "x-amz-date"))
			continue;
		if (!strcmp(p, "x-amz-security-token")) {
			*token_signed = 1;
			continue;
		}
		alt = !strcmp(p, "host") ? ":authority" : !strcmp(p, ":authority") ? "host" : NULL;
		/* HTTP/2 has :authority in Host's place (and signers may sign
		 * either): one stands for the other when it is absent. */
		for (pass = 0, found = 0; pass < 2 && !found; pass++) {
			const char *want = pass ? alt : p;

			for (i = 0; want && i < req->header_count; i++) {
				if (!name_is(&req->headers[i], want))
					continue;
				if (*nh == MAX_SIGNED)
					return -1;
				hdrs[(*nh)++] = (bedrock_sigv4_header){ p, strlen(p),
									req->headers[i].value,
									req->headers[i].value_len };
				found++;
			}
		}
		if (!found)
			return -1;
	}
	return 0;
}

int bedrock_sigv4_verify(bedrock_sigv4_verification *out,
			 const bedrock_sigv4_verify_options *opts,
			 const bedrock_sigv4_request *req)
{
	bedrock_sigv4_header hdrs[MAX_SIGNED];
	bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_credentials creds;
	bedrock_sigv4_request sreq;
	bedrock_sigv4_result *res = NULL;
	struct head h;
	size_t nh;
	int rc, token_signed, owned = 0;

	rc = check_args(out, opts, req);
	if (rc)
		return rc;
	rc = check_head(out, &h, opts, req);
	if (rc)
		goto done;
	if (collect(hdrs, &nh, &token_signed, h.signed_list, req)) {
		rc = refuse(out, BEDROCK_SIGV4_BAD_SIGNATURE, "%s", BAD_SIGNATURE);
		goto done;
	}
	rc = take_space(&res, &owned);
	if (rc)
		goto done;
	if (h.sha_p && strcmp(h.sha_p, "UNSIGNED-PAYLOAD")) {
		uint8_t d[BEDROCK__SHA256_LEN];
		char hex[2 * BEDROCK__SHA256_LEN + 1];

		if (bedrock__sha256(res->crypto, d, req->body ? req->body : "", req->body_len)) {
			rc = BEDROCK_ENOMEM;
			goto done;
		}
		bedrock__hex(hex, d, sizeof(d));
		if (strcasecmp(hex, h.sha_p)) {
			rc = refuse(out, BEDROCK_SIGV4_BAD_CONTENT_SHA256,
				    "The provided 'x-amz-content-sha256' header does not match what "
				    "was computed.");
			goto done;
		}
	}
	creds.access_key_id = h.scope[0];
	creds.secret_access_key = h.secret;
	creds.session_token = h.token_p;
	sc.region = h.scope[2];
	sc.service = h.scope[3];
	sc.signing_time = out->signing_time;
	sc.omit_session_token = h.token_p && !token_signed;
	memset(&sreq, 0, sizeof(sreq));
	sreq.method = req->method;
	sreq.path = req->path;
	sreq.query = req->query && *req->query ? req->query : NULL;
	sreq.headers = hdrs;
	sreq.header_count = nh;
	sreq.body = req->body;
	sreq.body_len = req->body_len;
	/* Like the SDKs' signers: a content hash header is the payload hash. */
	sreq.payload_hash = h.sha_p;
	rc = bedrock_sigv4_sign(res, opts->signer ? opts->signer : shared_signer, &sc, &creds,
				&sreq);
	if (rc == BEDROCK_ENOMEM)
		goto done;
	/* A request the signer refuses (no Host, a CR in a value) was not
	 * signed by anyone either. */
	if (rc || !bedrock__secret_equal(bedrock_sigv4_result_signature(res), h.signature)) {
		rc = refuse(out, BEDROCK_SIGV4_BAD_SIGNATURE, "%s", BAD_SIGNATURE);
		goto done;
	}
	rc = 0;
done:
	if (owned)
		bedrock_sigv4_result_free(res);
	bedrock__wipe(&h, sizeof(h));
	if (rc == BEDROCK_ENOMEM) {
		out->verdict = BEDROCK_SIGV4_BAD_SIGNATURE;
		out->error_type = "InternalFailure";
		snprintf(out->message, sizeof(out->message), "out of memory");
	}
	return rc;
}
