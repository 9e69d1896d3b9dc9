/* One whole answer's transfer: how its easy handle is set up, what its end
 * means, and the bedrock_response it fills. The blocking call (client.c,
 * once per attempt) and a looped multi's call (client_call.c) both go
 * through here, so they send the same request and fill bedrock_error_info
 * the same way. */
#include <stdio.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "errinfo.h"
#include "http.h"

static size_t on_body(char *data, size_t size, size_t n, void *p)
{
	bedrock_buf *b = p;

	bedrock__buf_put(b, data, size * n);
	return b->oom ? 0 : size * n;
}

static size_t on_header(char *data, size_t size, size_t n, void *p)
{
	bedrock_buf *h = p;

	bedrock__header_line(h, data, size * n);
	return h->oom ? 0 : size * n;
}

/* Whether libcurl's timeout was the call's deadline. libcurl times a
 * transfer on CLOCK_MONOTONIC_RAW where there is one, which NTP does not
 * slew, and ours (CLOCK_MONOTONIC) may read up to 500 ppm behind it: a
 * timeout that libcurl saw at the deadline we may see a millisecond or so
 * short of it. Twice that rate, and a millisecond, is taken as reached. */
static int deadline_passed(const bedrock_client *c, long long end_ms)
{
	return end_ms && bedrock__now_ms() + 1 + c->deadline_ms / 1000 >= end_ms;
}

size_t bedrock__transfer_url(char *out, size_t cap, const bedrock__call *call)
{
	int n = snprintf(out, cap, "%s%s%s%s", call->endpoint, call->path, call->query ? "?" : "",
			 call->query ? call->query : "");

	return n < 0 ? 0 : (size_t)n;
}

int bedrock__transfer_setup(struct curl_slist **list, CURL *e, bedrock_client *c,
			    const bedrock__call *call, const char *url, bedrock_response *r,
			    char *errbuf, long long end_ms, bedrock_sigv4_result **sig,
			    bedrock_error_info *err)
{
	long limit = c->total_timeout_ms;
	int rc;

	bedrock__buf_clear(&r->body);
	bedrock__buf_clear(&r->headers);
	if (end_ms) {
		/* This attempt gets what is left of the call, if less. */
		long long left = end_ms - bedrock__now_ms();

		if (!limit || left < limit)
			limit = (long)(left > 1 ? left : 1);
	}
	/* Signed afresh each attempt: a new date, and fresh credentials. */
	rc = bedrock__client_request_headers(list, c, call, sig, err);
	if (rc)
		return rc;
	/* Set every time: a handle kept from an earlier call still has that
	 * call's limit. */
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, limit);
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *list);
	if (call->body || !strcmp(call->method, "POST") || !strcmp(call->method, "PUT")) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, call->body ? (const char *)call->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
	} else {
		curl_easy_setopt(e, CURLOPT_HTTPGET, 1L);
		curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, call->method);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &r->body);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &r->headers);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	return 0;
}

int bedrock__transfer_end(bedrock_response *r, bedrock_client *c, const char *endpoint,
			  const char *url, int cc, long status, const char *errbuf,
			  long long end_ms, bedrock_error_info *err)
{
	r->status = (int)status;
	bedrock__headers_get(&r->headers, c->request_id_header, r->request_id,
			     sizeof(r->request_id));
	if (cc == CURLE_OPERATION_TIMEDOUT && deadline_passed(c, end_ms))
		return bedrock__client_deadline_error(err, c);
	if (cc != CURLE_OK)
		return r->body.oom || r->headers.oom
			       ? bedrock__err(err, BEDROCK_ENOMEM, "out of memory")
			       : bedrock__client_transport_error(err, c, endpoint, url, cc, errbuf);
	if (status >= 300)
		return bedrock__client_http_error(err, c, (int)status, &r->headers, r->body.ptr,
						  r->body.len);
	return 0;
}

/* ---- responses ---- */

const char *bedrock_response_body(const bedrock_response *r, size_t *len)
{
	if (len)
		*len = r->body.len;
	return r->body.ptr ? r->body.ptr : "";
}

int bedrock_response_status(const bedrock_response *r) { return r->status; }
const char *bedrock_response_request_id(const bedrock_response *r) { return r->request_id; }
unsigned bedrock_response_attempts(const bedrock_response *r) { return r->attempts; }

const char *bedrock_response_header(const bedrock_response *r, const char *name)
{
	/* The response is used by one thread: its scratch buffer is fine. */
	bedrock_response *m = (bedrock_response *)r;

	return bedrock__headers_get(&r->headers, name, m->header_value, sizeof(m->header_value))
		       ? NULL : m->header_value;
}

void bedrock_response_free(bedrock_response *r)
{
	if (!r)
		return;
	bedrock__buf_dispose(&r->body);
	bedrock__buf_dispose(&r->headers);
	bedrock__free(r);
}
