/* Client authentication. A presented key is hashed once (SHA-256) and its
 * digest compared with every configured key's digest, each comparison
 * reading all 32 bytes and none ending the loop early: the time taken
 * depends on the number of keys only, never on which one matched or how
 * close a guess came. SigV4 goes through the library's verifier with the
 * key pairs the gateway issued. */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <bedrock/sigv4.h>

#include "crypto.h"
#include "gw_keys.h"
#include "gw_keys_private.h"

/* Requests carry a few dozen headers; more go through the heap. */
#define STACK_HEADERS 64

_Thread_local unsigned long gw_keys__compares;

/* One hashing context per thread, made on first use and freed when the
 * thread ends: hashing a key then costs no allocation. (SigV4 verifying
 * keeps its own work space a thread and derived keys a process.) */
static pthread_key_t crypto_key;
static pthread_once_t crypto_once = PTHREAD_ONCE_INIT;
static int crypto_key_ok;

static void crypto_destroy(void *p)
{
	bedrock__crypto_free(p);
}

static void crypto_init(void)
{
	crypto_key_ok = pthread_key_create(&crypto_key, crypto_destroy) == 0;
}

static bedrock__crypto *thread_crypto(void)
{
	bedrock__crypto *c;

	pthread_once(&crypto_once, crypto_init);
	if (!crypto_key_ok)
		return NULL;
	c = pthread_getspecific(crypto_key);
	if (!c) {
		if (bedrock__crypto_new(&c))
			return NULL;
		if (pthread_setspecific(crypto_key, c)) {
			bedrock__crypto_free(c);
			return NULL;
		}
	}
	return c;
}

static int refuse(gw_auth *out, int status, const char *reason, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int refuse(gw_auth *out, int status, const char *reason, const char *fmt, ...)
{
	va_list ap;

	out->key = NULL;
	out->status = status;
	out->reason = reason;
	va_start(ap, fmt);
	vsnprintf(out->message, sizeof(out->message), fmt, ap);
	va_end(ap);
	return -1;
}

const gw_key *gw_keys__match(const gw_config *cfg, const char *presented, int *nomem)
{
	uint8_t d[GW_SHA256_LEN];
	bedrock__crypto *c = thread_crypto();
	size_t i, found = 0;

	*nomem = 0;
	if (!c || bedrock__sha256(c, d, presented, strlen(presented))) {
		*nomem = 1;
		return NULL;
	}
	for (i = 0; i < cfg->key_count; i++) {
		const gw_key *k = &cfg->keys[i];
		/* A key pair-only entry has no digest: it takes part all the
		 * same (and cannot match), so the loop's length never changes. */
		size_t has = (size_t)(k->key != NULL || k->has_sha256);
		size_t eq = (size_t)bedrock__mem_equal(d, k->sha256, GW_SHA256_LEN) & has;
		size_t mask = (size_t)0 - eq;

		found = (found & ~mask) | ((i + 1) & mask);
		gw_keys__compares++;
	}
	bedrock__wipe(d, sizeof(d));
	return found ? &cfg->keys[found - 1] : NULL;
}

static int check_secret(gw_auth *out, const gw_config *cfg, const char *presented,
			const char *how)
{
	int nomem;

	while (*presented == ' ' || *presented == '\t')
		presented++;
	if (!*presented)
		return refuse(out, 401, "missing", "%s carries no key", how);
	out->key = gw_keys__match(cfg, presented, &nomem);
	if (nomem)
		return refuse(out, 500, "internal", "out of memory checking the key");
	if (!out->key)
		return refuse(out, 403, "unknown key", "The key in %s is not valid for this gateway.",
			      how);
	return 0;
}

struct lookup {
	const gw_config *cfg;
	const gw_key *found;
};

static const char *secret_of(const char *akid, void *payload)
{
	struct lookup *l = payload;
	size_t i;

	/* Access key ids are not secret: a plain search. */
	for (i = 0; i < l->cfg->key_count; i++) {
		const gw_key *k = &l->cfg->keys[i];

		if (k->aws_access_key_id && !strcmp(k->aws_access_key_id, akid)) {
			l->found = k;
			return k->aws_secret_access_key;
		}
	}
	return NULL;
}

static const char *reason_of(bedrock_sigv4_verdict v)
{
	switch (v) {
	case BEDROCK_SIGV4_OK:
		return "ok";
	case BEDROCK_SIGV4_MISSING:
		return "missing";
	case BEDROCK_SIGV4_MALFORMED:
		return "malformed signature";
	case BEDROCK_SIGV4_UNKNOWN_KEY:
		return "unknown key";
	case BEDROCK_SIGV4_WRONG_SERVICE:
		return "wrong service";
	case BEDROCK_SIGV4_WRONG_REGION:
		return "wrong region";
	case BEDROCK_SIGV4_BAD_DATE:
		return "bad date";
	case BEDROCK_SIGV4_DATE_MISMATCH:
		return "date mismatch";
	case BEDROCK_SIGV4_EXPIRED:
		return "expired";
	case BEDROCK_SIGV4_NOT_YET_VALID:
		return "not yet valid";
	case BEDROCK_SIGV4_BAD_CONTENT_SHA256:
		return "bad content hash";
	case BEDROCK_SIGV4_BAD_SIGNATURE:
		return "bad signature";
	}
	return "bad signature";
}

static int sigv4(gw_auth *out, const gw_config *cfg, const serve_request *req, int64_t now,
		 int head_only)
{
	bedrock_sigv4_verify_options vo = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;
	bedrock_sigv4_header stack[STACK_HEADERS], *hdrs = stack;
	bedrock_sigv4_verification v;
	bedrock_sigv4_request vr;
	struct lookup l = { cfg, NULL };
	size_t i;
	int rc;

	if (req->header_count > STACK_HEADERS) {
		hdrs = malloc(req->header_count * sizeof(*hdrs));
		if (!hdrs)
			return refuse(out, 500, "internal", "out of memory checking the signature");
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
	/* Any region: clients sign for the region they think they call, and
	 * the gateway decides where the request goes. */
	vo.region = NULL;
	vo.service = "bedrock";
	vo.now = now;
	vo.max_skew = 300;
	vo.allow_unsigned_payload = 0;	/* the signature covers the body */
	vo.secret = secret_of;
	vo.payload = &l;
	rc = head_only ? bedrock_sigv4_verify_head(&v, &vo, &vr) : bedrock_sigv4_verify(&v, &vo, &vr);
	if (hdrs != stack)
		free(hdrs);
	if (rc == 0) {
		out->key = l.found;
		out->status = 0;
		out->reason = NULL;
		out->message[0] = '\0';
		return head_only ? 1 : 0;
	}
	if (rc != BEDROCK_EAUTH)
		return refuse(out, 500, "internal", "%s", v.message);
	return refuse(out, v.verdict == BEDROCK_SIGV4_MISSING ? 401 : 403, reason_of(v.verdict),
		      "%s", v.message);
}

int gw_auth_head(gw_auth *out, const gw_config *cfg, const serve_request *req, int64_t now)
{
	const char *auth = serve_request_header(req, "authorization");
	const char *xkey = serve_request_header(req, "x-api-key");

	memset(out, 0, sizeof(*out));
	if (auth && !strncasecmp(auth, "Bearer ", 7))
		return check_secret(out, cfg, auth + 7, "Authorization: Bearer");
	if (xkey)
		return check_secret(out, cfg, xkey, "x-api-key");
	if (auth && !strncmp(auth, "AWS4-HMAC-SHA256 ", 17))
		return sigv4(out, cfg, req, now, 1);
	if (auth && *auth)
		return refuse(out, 401, "unsupported scheme",
			      "Authorization must be 'Bearer KEY' or an AWS4-HMAC-SHA256 signature.");
	return refuse(out, 401, "missing",
		      "No key: send Authorization: Bearer KEY or x-api-key: KEY, or sign the "
		      "request with SigV4.");
}

int gw_auth_body(gw_auth *out, const gw_config *cfg, const serve_request *req, int64_t now)
{
	const char *auth = serve_request_header(req, "authorization");
	int rc;

	if (auth && !strncmp(auth, "AWS4-HMAC-SHA256 ", 17) &&
	    !serve_request_header(req, "x-api-key")) {
		memset(out, 0, sizeof(*out));
		return sigv4(out, cfg, req, now, 0);
	}
	/* A bearer or x-api-key request was decided by its head already. */
	rc = gw_auth_head(out, cfg, req, now);
	return rc > 0 ? 0 : rc;
}
