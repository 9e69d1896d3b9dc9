/* Talking to Google's token endpoints: one exchange with google-auth's
 * retries, the form body, and the answer (a token, or Google's error). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"
#include "timeutil.h"
#include "urlcode.h"

#define DEFAULT_TIMEOUT_MS 30000

void bedrock__google_ctx_dispose(bedrock__google_ctx *c)
{
	bedrock__http_free(c->http);
	bedrock__http_free(c->direct);
	c->http = c->direct = NULL;
}

void bedrock__google_reply_dispose(bedrock__google_reply *r)
{
	if (r->access_token) {
		bedrock__wipe(r->access_token, strlen(r->access_token));
		bedrock__free(r->access_token);
	}
	r->access_token = NULL;
	r->expiry = 0;
}

void bedrock__google_form_add(bedrock_buf *b, const char *name, const char *value)
{
	if (b->len)
		bedrock__buf_putc(b, '&');
	bedrock__buf_puts(b, name);
	bedrock__buf_putc(b, '=');
	bedrock__url_encode_buf(b, value, strlen(value), 0);
}

void bedrock__google_describe(char *out, size_t cap, const bedrock__google_file *f)
{
	char key[9] = "";

	switch (f->type) {
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT:
		if (f->private_key_id) {
			size_t n = strlen(f->private_key_id);

			memcpy(key, "****", 5);
			if (n >= 8)
				memcpy(key + 4, f->private_key_id + n - 4, 5);
		}
		snprintf(out, cap, "service account %s%s%s%s in %s", f->client_email,
			 key[0] ? " (key " : "", key, key[0] ? ")" : "", f->name);
		break;
	case BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT:
		snprintf(out, cap, "impersonated service account %s in %s", f->impersonated_email,
			 f->name);
		break;
	default:
		snprintf(out, cap, "%s credentials in %s", bedrock_google_credential_type_name(f->type),
			 f->name);
		break;
	}
}

/* Sleeps ms, waking to look at the cancel token; 0 or ECANCELED. */
static int pause_ms(long ms, const struct bedrock_cancel *cancel)
{
	while (ms > 0) {
		long step = ms < 50 ? ms : 50;
		struct timespec ts = { 0, step * 1000000L };

		if (bedrock__cancelled(cancel))
			return BEDROCK_ECANCELED;
		nanosleep(&ts, NULL);
		ms -= step;
	}
	return bedrock__cancelled(cancel) ? BEDROCK_ECANCELED : 0;
}

static int retry_status(long s)
{
	return s == 408 || s == 429 || s == 500 || s == 502 || s == 503 || s == 504;
}

int bedrock__google_exchange(bedrock__http_response *resp, bedrock__google_ctx *c,
			     const bedrock__google_request *r, const char *what,
			     bedrock_error_info *err)
{
	bedrock__http **hp = r->direct ? &c->direct : &c->http;
	bedrock__http_request req;
	int attempts = r->attempts > 0 ? r->attempts : 3, attempt, rc = 0;

	if (!*hp) {
		rc = bedrock__http_new(hp, r->direct ? NULL : c->ca_bundle);
		if (rc)
			return bedrock__err(err, rc, "%s: cannot start HTTP", what);
		if (r->direct)
			bedrock__http_direct(*hp);
	}
	memset(&req, 0, sizeof(req));
	req.method = r->method;
	req.url = r->url;
	req.headers = r->headers;
	req.header_count = r->header_count;
	req.body = r->body;
	req.body_len = r->body_len;
	req.connect_timeout_ms = r->connect_timeout_ms;
	req.timeout_ms = r->timeout_ms > 0 ? r->timeout_ms
		       : c->timeout_ms > 0 ? c->timeout_ms : DEFAULT_TIMEOUT_MS;
	req.cancel = c->cancel;
	for (attempt = 1; attempt <= attempts; attempt++) {
		if (attempt > 1 && (rc = pause_ms(100L << (attempt - 2), c->cancel)) != 0)
			return bedrock__err(err, rc, "%s: cancelled", what);
		rc = bedrock__http_perform(*hp, resp, &req, err);
		/* Only a connection that failed is worth another try; a
		 * timeout would make the caller wait that long again. */
		if (rc == BEDROCK_EIO)
			continue;
		if (rc)
			break;
		if (!retry_status(resp->status))
			break;
	}
	if (rc)
		bedrock__err_prefix(err, what);
	return rc;
}

/* Google's error, in its two shapes: OAuth's {"error": "invalid_grant",
 * "error_description": "..."} and the APIs' {"error": {"code", "message",
 * "status"}}. */
static void error_of(const cJSON *j, const char **code, const char **desc)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");

	*code = *desc = NULL;
	if (cJSON_IsString(e)) {
		*code = e->valuestring;
		*desc = bedrock__json_str(j, "error_description");
	} else if (cJSON_IsObject(e)) {
		*code = bedrock__json_str(e, "status");
		*desc = bedrock__json_str(e, "message");
	}
}

/* Text from the peer goes into a message: printable characters only,
 * and not too much of it. */
static void clean(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; s && *s && n + 1 < cap; s++)
		out[n++] = (unsigned char)*s < ' ' || (unsigned char)*s == 127 ? ' ' : *s;
	out[n] = '\0';
}

int bedrock__google_reply_parse(bedrock__google_reply *out, int style, long status,
				const char *body, size_t len, int64_t now, const char *what,
				const char *url, bedrock_error_info *err)
{
	cJSON *j = body ? bedrock__json_parse_exact(body, len) : NULL;
	const char *tok, *raw;
	int rc;

	out->access_token = NULL;
	out->expiry = 0;
	if (status < 200 || status > 299) {
		const char *code = NULL, *desc = NULL;
		char c[64], d[200];

		if (j)
			error_of(j, &code, &desc);
		clean(c, sizeof(c), code);
		clean(d, sizeof(d), desc);
		rc = status == 400 || status == 401 || status == 403 ? BEDROCK_EAUTH
		   : status == 429 ? BEDROCK_ETHROTTLED : BEDROCK_EHTTP;
		bedrock__err(err, rc, "%s: %s refused: %s%s%s (HTTP %ld)", what, url,
			     c[0] ? c : "no error given", d[0] ? ": " : "", d, status);
		if (err) {
			err->http_status = (int)status;
			err->retryable = status == 408 || status == 429 || status >= 500;
			snprintf(err->aws_code, sizeof(err->aws_code), "%s", c);
		}
		cJSON_Delete(j);
		return rc;
	}
	if (!j || !cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s answered something other than "
				    "a JSON object (HTTP %ld)", what, url, status);
	}
	raw = tok = bedrock__json_str(j, style == BEDROCK__REPLY_IAM ? "accessToken"
								      : "access_token");
	if (style == BEDROCK__REPLY_IAM) {
		const char *t = bedrock__json_str(j, "expireTime");

		if (!t || bedrock__parse_iso8601(t, &out->expiry))
			tok = NULL;
	} else {
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "expires_in");
		double secs = -1;

		/* A number, though some servers send it as a string. */
		if (cJSON_IsNumber(e))
			secs = e->valuedouble;
		else if (cJSON_IsString(e) && e->valuestring[0] &&
			 strspn(e->valuestring, "0123456789") == strlen(e->valuestring) &&
			 strlen(e->valuestring) < 10)
			secs = (double)atol(e->valuestring);
		if (!(secs >= 0 && secs < 1e9))
			tok = NULL;
		else
			out->expiry = now + (int64_t)secs;
	}
	if (!tok || !bedrock__google_token_ok(tok)) {
		/* Scrub: a malformed token, or one without its expiry, is still a token. */
		if (raw)
			bedrock__wipe((char *)raw, strlen(raw));
		cJSON_Delete(j);
		out->expiry = 0;
		return bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s answered without a usable %s "
				    "and %s", what, url,
				    style == BEDROCK__REPLY_IAM ? "accessToken" : "access_token",
				    style == BEDROCK__REPLY_IAM ? "expireTime" : "expires_in");
	}
	out->access_token = bedrock__strdup(tok);
	bedrock__wipe((char *)tok, strlen(tok));
	cJSON_Delete(j);
	if (!out->access_token)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	return 0;
}

int bedrock__google_post_form(bedrock__google_reply *out, bedrock__google_ctx *c, const char *url,
			      const char *form, const bedrock__http_header *extra, size_t extra_count,
			      const char *what, bedrock_error_info *err)
{
	bedrock__http_header h[6];
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__google_request r;
	size_t n = 0, i;
	int rc;

	h[n++] = (bedrock__http_header){ "Content-Type", "application/x-www-form-urlencoded" };
	h[n++] = (bedrock__http_header){ "Accept", "application/json" };
	for (i = 0; i < extra_count && n < sizeof(h) / sizeof(h[0]); i++)
		h[n++] = extra[i];
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = url;
	r.headers = h;
	r.header_count = n;
	r.body = form;
	r.body_len = strlen(form);
	rc = bedrock__google_exchange(&resp, c, &r, what, err);
	if (!rc)
		rc = bedrock__google_reply_parse(out, BEDROCK__REPLY_OAUTH, resp.status, resp.body.ptr,
						 resp.body.len, c->now, what, url, err);
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	return rc;
}
