/* SigV4: the result object, argument checks and the driver over the stages
 * (canonical request -> string to sign -> signature -> what to add). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "sigv4_private.h"
#include "timeutil.h"
#include "urlcode.h"

int bedrock_sigv4_result_new(bedrock_sigv4_result **out)
{
	bedrock_sigv4_result *r;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	r = bedrock__calloc(1, sizeof(*r));
	if (!r)
		return BEDROCK_ENOMEM;
	if (bedrock__crypto_new(&r->crypto)) {
		bedrock__free(r);
		return BEDROCK_ENOMEM;
	}
	*out = r;
	return 0;
}

static void dispose_wiped(bedrock_buf *b)
{
	/* Buffers may have held the session token. */
	bedrock__wipe(b->ptr, b->cap);
	bedrock__buf_dispose(b);
}

void bedrock_sigv4_result_free(bedrock_sigv4_result *r)
{
	if (!r)
		return;
	bedrock__crypto_free(r->crypto);
	dispose_wiped(&r->creq);
	dispose_wiped(&r->sts);
	dispose_wiped(&r->signed_headers);
	dispose_wiped(&r->auth);
	dispose_wiped(&r->query);
	dispose_wiped(&r->token);
	dispose_wiped(&r->hdrs);
	dispose_wiped(&r->cquery);
	dispose_wiped(&r->scope);
	dispose_wiped(&r->scratch);
	dispose_wiped(&r->norm);
	bedrock__free(r->items);
	bedrock__free(r);
}

static void put_digits(char *out, int64_t v, int n)
{
	while (n-- > 0) {
		out[n] = (char)('0' + v % 10);
		v /= 10;
	}
}

int bedrock__sigv4_format_time(char amz_date[17], char date8[9], int64_t t)
{
	int64_t days, secs, y;
	int m, d;

	/* Years 1970..9999: the formats have four digits for the year. */
	if (t < 0 || t > INT64_C(253402300799))
		return -1;
	days = t / 86400;
	secs = t % 86400;
	/* No gmtime: no locale, no TZ, no lock. */
	bedrock__civil_from_days(days, &y, &m, &d);
	put_digits(amz_date, y, 4);
	put_digits(amz_date + 4, m, 2);
	put_digits(amz_date + 6, d, 2);
	amz_date[8] = 'T';
	put_digits(amz_date + 9, secs / 3600, 2);
	put_digits(amz_date + 11, secs / 60 % 60, 2);
	put_digits(amz_date + 13, secs % 60, 2);
	amz_date[15] = 'Z';
	amz_date[16] = '\0';
	memcpy(date8, amz_date, 8);
	date8[8] = '\0';
	return 0;
}

/* CR, LF or NUL would let the text we sign differ from what is sent (or
 * split one header into two): refuse them everywhere. */
static int has_ctl(const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (s[i] == '\r' || s[i] == '\n' || s[i] == '\0')
			return 1;
	return 0;
}

static int bad_string(const char *s)
{
	return !s || !*s || strpbrk(s, "\r\n") != NULL;
}

static int check_name(const char *name, size_t len)
{
	size_t i;

	if (!name || !len)
		return -1;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)name[i];

		/* ':' only to start an HTTP/2 pseudo-header such as :authority. */
		if (c <= ' ' || (c == ':' && (i > 0 || len == 1)) || c >= 0x7f)
			return -1;
	}
	return 0;
}

static int check_args(bedrock_sigv4_result *r, const bedrock_sigv4_config *cfg,
		      const bedrock_sigv4_credentials *creds,
		      const bedrock_sigv4_request *req)
{
	const char *token;
	size_t i;

	if (!cfg || !creds || !req)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "config, credentials and request are required");
	if (cfg->version != BEDROCK_SIGV4_CONFIG_VERSION)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "config version %u is not %u (use BEDROCK_SIGV4_CONFIG_INIT)",
					   cfg->version, BEDROCK_SIGV4_CONFIG_VERSION);
	if (bad_string(cfg->region) || strchr(cfg->region, '/'))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "region is missing or invalid");
	if (bad_string(cfg->service) || strchr(cfg->service, '/'))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "service is missing or invalid");
	if (cfg->mode != BEDROCK_SIGV4_MODE_HEADERS && cfg->mode != BEDROCK_SIGV4_MODE_QUERY)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "unknown signing mode %d", (int)cfg->mode);
	if (cfg->mode == BEDROCK_SIGV4_MODE_QUERY &&
	    (cfg->expires == 0 || cfg->expires > BEDROCK__SIGV4_MAX_EXPIRES))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "expires must be 1..%u seconds",
					   BEDROCK__SIGV4_MAX_EXPIRES);
	if (bad_string(creds->access_key_id))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "access key id is missing or contains CR/LF");
	if (!creds->secret_access_key || !*creds->secret_access_key)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "secret access key is missing");
	token = creds->session_token;
	if (token && strpbrk(token, "\r\n"))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "session token contains CR or LF");
	if (bad_string(req->method) || strpbrk(req->method, " \t"))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "method is missing or invalid");
	if (!req->path || strpbrk(req->path, "\r\n?#"))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "path is missing or contains CR, LF, '?' or '#'");
	if (req->query && strpbrk(req->query, "\r\n#"))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "query contains CR, LF or '#'");
	if (req->header_count && !req->headers)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "header_count is set but headers is NULL");
	if (!req->body && req->body_len)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "body_len is set but body is NULL");
	if (req->payload_hash && (!*req->payload_hash ||
				  strlen(req->payload_hash) > BEDROCK__SIGV4_MAX_PAYLOAD_HASH ||
				  strpbrk(req->payload_hash, "\r\n")))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "payload hash must be 1..%d characters without CR/LF",
					   BEDROCK__SIGV4_MAX_PAYLOAD_HASH);
	for (i = 0; i < req->header_count; i++) {
		const bedrock_sigv4_header *h = &req->headers[i];

		if (check_name(h->name, h->name_len))
			return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "header %zu has an empty or invalid name", i);
		if ((!h->value && h->value_len) || has_ctl(h->value, h->value_len))
			return bedrock__sigv4_fail(r, BEDROCK_EINVAL,
						   "header %zu (%.*s) value contains CR, LF or NUL", i,
						   (int)(h->name_len > 64 ? 64 : h->name_len), h->name);
		if (bedrock__sigv4_name_is(h->name, h->name_len, "authorization") ||
		    bedrock__sigv4_name_is(h->name, h->name_len, "x-amz-date") ||
		    (token && *token && bedrock__sigv4_name_is(h->name, h->name_len, "x-amz-security-token")) ||
		    (cfg->sign_body && cfg->mode == BEDROCK_SIGV4_MODE_HEADERS &&
		     bedrock__sigv4_name_is(h->name, h->name_len, "x-amz-content-sha256")))
			return bedrock__sigv4_fail(r, BEDROCK_EINVAL,
						   "header %.*s is added by signing; remove it before signing again",
						   (int)h->name_len, h->name);
	}
	return 0;
}

static void reset(bedrock_sigv4_result *r)
{
	bedrock__buf_clear(&r->creq);
	bedrock__buf_clear(&r->sts);
	bedrock__buf_clear(&r->signed_headers);
	bedrock__buf_clear(&r->auth);
	bedrock__buf_clear(&r->query);
	bedrock__buf_clear(&r->token);
	bedrock__buf_clear(&r->hdrs);
	bedrock__buf_clear(&r->cquery);
	bedrock__buf_clear(&r->scope);
	bedrock__buf_clear(&r->scratch);
	bedrock__buf_clear(&r->norm);
	r->signature[0] = '\0';
	r->header_count = 0;
	r->param_count = 0;
	r->errmsg[0] = '\0';
}

static void set_pair(bedrock_sigv4_header *h, const char *name, const char *value, size_t len)
{
	h->name = name;
	h->name_len = strlen(name);
	h->value = value;
	h->value_len = len;
}

/* Header mode: Authorization plus the X-Amz-* headers to add. */
static int finish_headers(bedrock_sigv4_result *r, const bedrock_sigv4_config *cfg,
			  const bedrock_sigv4_credentials *creds,
			  const bedrock_sigv4_request *req)
{
	const char *token = creds->session_token;
	size_t n = 0;

	bedrock__buf_puts(&r->auth, BEDROCK__SIGV4_ALGORITHM " Credential=");
	bedrock__buf_puts(&r->auth, creds->access_key_id);
	bedrock__buf_putc(&r->auth, '/');
	bedrock__buf_put(&r->auth, r->scope.ptr, r->scope.len);
	bedrock__buf_puts(&r->auth, ", SignedHeaders=");
	bedrock__buf_put(&r->auth, r->signed_headers.ptr, r->signed_headers.len);
	bedrock__buf_puts(&r->auth, ", Signature=");
	bedrock__buf_puts(&r->auth, r->signature);
	if (req->query)
		bedrock__buf_puts(&r->query, req->query);
	if (token && *token)
		bedrock__buf_puts(&r->token, token);
	if (r->auth.oom || r->query.oom || r->token.oom)
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");
	/* The order aws-c-auth writes them in, which the suite's
	 * signed requests show; the token even when it is not signed. */
	if (token && *token)
		set_pair(&r->headers[n++], "X-Amz-Security-Token", r->token.ptr, r->token.len);
	set_pair(&r->headers[n++], "X-Amz-Date", r->amz_date, 16);
	if (cfg->sign_body)
		set_pair(&r->headers[n++], "x-amz-content-sha256", r->payload_hash,
			 strlen(r->payload_hash));
	set_pair(&r->headers[n++], "Authorization", r->auth.ptr, r->auth.len);
	r->header_count = n;
	return 0;
}

/* Query mode: the request's own query, then the X-Amz-* parameters. */
static int finish_query(bedrock_sigv4_result *r, const bedrock_sigv4_credentials *creds,
			const bedrock_sigv4_request *req)
{
	const char *token = creds->session_token;
	const char *names[7];
	size_t off[7], len[7], n = 0, i;
	bedrock_buf *q = &r->query;

	if (req->query && *req->query) {
		bedrock__buf_puts(q, req->query);
		bedrock__buf_putc(q, '&');
	}
#define PARAM(name, put) do { \
		bedrock__buf_puts(q, name "="); \
		names[n] = name; \
		off[n] = q->len; \
		put; \
		len[n] = q->len - off[n]; \
		n++; \
		bedrock__buf_putc(q, '&'); \
	} while (0)
	PARAM("X-Amz-Algorithm", bedrock__buf_puts(q, BEDROCK__SIGV4_ALGORITHM));
	PARAM("X-Amz-Credential",
	      (bedrock__url_encode_buf(q, creds->access_key_id, strlen(creds->access_key_id), 0),
	       bedrock__url_encode_buf(q, "/", 1, 0),
	       bedrock__url_encode_buf(q, r->scope.ptr, r->scope.len, 0)));
	PARAM("X-Amz-Date", bedrock__buf_puts(q, r->amz_date));
	PARAM("X-Amz-SignedHeaders",
	      bedrock__url_encode_buf(q, r->signed_headers.ptr, r->signed_headers.len, 0));
	PARAM("X-Amz-Expires", bedrock__buf_puts(q, r->expires));
	if (token && *token)
		PARAM("X-Amz-Security-Token", bedrock__url_encode_buf(q, token, strlen(token), 0));
	PARAM("X-Amz-Signature", bedrock__buf_puts(q, r->signature));
#undef PARAM
	if (q->oom)
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");
	q->ptr[--q->len] = '\0'; /* the last '&' */
	for (i = 0; i < n; i++)
		set_pair(&r->params[i], names[i], q->ptr + off[i], len[i]);
	r->param_count = n;
	return 0;
}

int bedrock_sigv4_sign(bedrock_sigv4_result *out, bedrock_sigv4_signer *signer,
		       const bedrock_sigv4_config *cfg,
		       const bedrock_sigv4_credentials *creds,
		       const bedrock_sigv4_request *req)
{
	bedrock_sigv4_result *r = out;
	uint8_t key[BEDROCK__SHA256_LEN];
	int err;

	if (!r)
		return BEDROCK_EINVAL;
	reset(r);
	err = check_args(r, cfg, creds, req);
	if (err)
		return err;
	if (bedrock__sigv4_format_time(r->amz_date, r->date8, cfg->signing_time))
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "signing time %lld is out of range",
					   (long long)cfg->signing_time);
	snprintf(r->expires, sizeof(r->expires), "%u", cfg->expires);
	if (req->payload_hash) {
		strcpy(r->payload_hash, req->payload_hash);
	} else {
		uint8_t digest[BEDROCK__SHA256_LEN];

		if (bedrock__sha256(r->crypto, digest, req->body ? req->body : "", req->body_len))
			return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "hashing the body failed");
		bedrock__hex(r->payload_hash, digest, sizeof(digest));
	}
	bedrock__buf_put(&r->scope, r->date8, 8);
	bedrock__buf_putc(&r->scope, '/');
	bedrock__buf_puts(&r->scope, cfg->region);
	bedrock__buf_putc(&r->scope, '/');
	bedrock__buf_puts(&r->scope, cfg->service);
	bedrock__buf_puts(&r->scope, "/aws4_request");
	if (r->scope.oom)
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");

	err = bedrock__sigv4_canonical_request(r, cfg, creds, req);
	if (err)
		goto fail;
	err = bedrock__sigv4_string_to_sign(&r->sts, r->crypto, r->amz_date, r->scope.ptr,
					    r->creq.ptr, r->creq.len);
	if (err) {
		bedrock__sigv4_fail(r, err, "out of memory");
		goto fail;
	}
	err = bedrock__sigv4_signer_key(signer, r->crypto, key, creds->secret_access_key,
					r->date8, cfg->region, cfg->service);
	if (!err)
		err = bedrock__sigv4_signature(r->crypto, r->signature, key,
					       r->sts.ptr, r->sts.len);
	bedrock__wipe(key, sizeof(key));
	if (err) {
		bedrock__sigv4_fail(r, err, "deriving the signing key failed");
		goto fail;
	}
	err = cfg->mode == BEDROCK_SIGV4_MODE_QUERY ? finish_query(r, creds, req)
						     : finish_headers(r, cfg, creds, req);
	if (err)
		goto fail;
	return 0;
fail:
	{
		/* Keep the message but no half-built stages. */
		char msg[sizeof(r->errmsg)];

		memcpy(msg, r->errmsg, sizeof(msg));
		reset(r);
		memcpy(r->errmsg, msg, sizeof(msg));
	}
	return err;
}

static const char *str(const bedrock_buf *b)
{
	return b->ptr ? b->ptr : "";
}

const char *bedrock_sigv4_result_canonical_request(const bedrock_sigv4_result *r)
{
	return r ? str(&r->creq) : "";
}

const char *bedrock_sigv4_result_string_to_sign(const bedrock_sigv4_result *r)
{
	return r ? str(&r->sts) : "";
}

const char *bedrock_sigv4_result_signature(const bedrock_sigv4_result *r)
{
	return r ? r->signature : "";
}

const char *bedrock_sigv4_result_authorization(const bedrock_sigv4_result *r)
{
	return r && r->auth.len ? r->auth.ptr : NULL;
}

const char *bedrock_sigv4_result_signed_headers(const bedrock_sigv4_result *r)
{
	return r ? str(&r->signed_headers) : "";
}

size_t bedrock_sigv4_result_headers(const bedrock_sigv4_header **out,
				    const bedrock_sigv4_result *r)
{
	if (out)
		*out = r ? r->headers : NULL;
	return r ? r->header_count : 0;
}

size_t bedrock_sigv4_result_query_params(const bedrock_sigv4_header **out,
					 const bedrock_sigv4_result *r)
{
	if (out)
		*out = r ? r->params : NULL;
	return r ? r->param_count : 0;
}

const char *bedrock_sigv4_result_query(const bedrock_sigv4_result *r)
{
	return r ? str(&r->query) : "";
}

const char *bedrock_sigv4_result_errmsg(const bedrock_sigv4_result *r)
{
	return r ? r->errmsg : "invalid result";
}
