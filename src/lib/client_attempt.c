/* The attempt loop. Every call and every stream opening goes through it,
 * so cancellation, rate limiting, re-signing after a clock skew, the
 * per-attempt log line and the retry decision exist once. What an attempt
 * is (a whole answer read into memory, or a stream opened up to its
 * headers) is the caller's function. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "bedrock/bedrock.h"
#include "client_private.h"
#include "anthropic_retry.h"
#include "errinfo.h"
#include "http.h"
#include "timeutil.h"

int bedrock__client_attempts(bedrock_client *c, const bedrock__call *call, const char *what,
			     long long end_ms, bedrock__attempt_fn fn, void *ctx,
			     bedrock_error_info *err)
{
	const bedrock_cancel *cancel = BEDROCK__CALL_CANCEL(call);
	unsigned number, cost = 0;
	int rc = 0, skew_retried = 0, reauthed = 0;

	for (number = 1;; number++) {
		bedrock__attempt a = { number, 0, 0, 0, NULL };

		if (bedrock__cancelled(cancel))
			return bedrock__client_cancelled(err, what);
		bedrock__client_before_send(c, cancel);
		if (bedrock__cancelled(cancel))
			return bedrock__client_cancelled(err, what);
		if (end_ms && bedrock__now_ms() >= end_ms)
			return bedrock__client_deadline_error(err, c);
		rc = fn(ctx, &a, err);
		if (a.status)
			bedrock__client_after_answer(c, a.status == 429);
		if (rc == BEDROCK_ECANCELED)
			return rc;
		if (rc && !skew_retried && a.headers && bedrock__client_skew(c, err, a.headers)) {
			/* Not counted as an attempt: our clock was wrong, not the
			 * service. The next attempt is signed with the server's. */
			skew_retried = 1;
			number--;
			continue;
		}
		if (rc && a.status == 401 && !reauthed && bedrock__vertex_reauth(c)) {
			/* A Google token can be revoked before its expiry: once,
			 * with a fresh one, as Google's libraries do. */
			reauthed = 1;
			number--;
			bedrock__client_log(c, BEDROCK_LOG_INFO, "%s %s -> 401: a fresh token, once",
					    call->method, call->path);
			continue;
		}
		/* A request that was never sent (no credentials) is not logged as one. */
		if (a.sent)
			bedrock__client_log(c, rc ? BEDROCK_LOG_WARN : BEDROCK_LOG_DEBUG,
					    "%s %s -> %ld (attempt %u)%s%s", call->method, call->path,
					    a.status, number, rc && err ? ": " : "",
					    rc && err ? err->message : "");
		if (!rc) {
			bedrock_retry_success(c->retry, cost);
			return 0;
		}
		if (rc == BEDROCK_ETIMEOUT && end_ms && bedrock__now_ms() >= end_ms)
			return rc;
		if (!bedrock__client_should_retry(c, number, rc, err, a.curl_code, a.headers, &cost,
						  cancel, end_ms))
			return rc;
	}
}

static double now_seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

int bedrock__client_sleep(uint64_t ms, const bedrock_cancel *cancel)
{
	while (ms && !bedrock__cancelled(cancel)) {
		uint64_t slice = ms < BEDROCK__CANCEL_SLICE_MS ? ms : BEDROCK__CANCEL_SLICE_MS;
		struct timespec ts = { 0, (long)slice * 1000000L };

		/* A signal cuts the slice short; the flag is looked at again. */
		nanosleep(&ts, NULL);
		ms -= slice;
	}
	return bedrock__cancelled(cancel);
}

static double random01(void)
{
	uint32_t r = 0;

	if (RAND_bytes((unsigned char *)&r, sizeof(r)) != 1)
		r = (uint32_t)time(NULL) * 2654435761u;
	return r / 4294967296.0;
}

static bedrock_retry_transport transport_kind(int cc)
{
	switch (cc) {
	case CURLE_OK: return BEDROCK_RETRY_TRANSPORT_NONE;
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST: return BEDROCK_RETRY_TRANSPORT_CONNECT;
	case CURLE_OPERATION_TIMEDOUT: return BEDROCK_RETRY_TRANSPORT_TIMEOUT;
	case CURLE_SEND_ERROR:
	case CURLE_RECV_ERROR:
	case CURLE_GOT_NOTHING:
	case CURLE_PARTIAL_FILE:
	case CURLE_HTTP2:
	case CURLE_HTTP2_STREAM: return BEDROCK_RETRY_TRANSPORT_RESET;
	default: return BEDROCK_RETRY_TRANSPORT_OTHER;
	}
}

int bedrock__client_should_retry(bedrock_client *c, unsigned attempt, int rc,
				 const bedrock_error_info *err, int curl_code,
				 const bedrock_buf *headers, unsigned *cost,
				 const bedrock_cancel *cancel, long long end_ms)
{
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;
	char xra[32], ra[64];
	long long headers_wait = -1;

	if (rc == BEDROCK_ENOMEM || rc == BEDROCK_EINVAL || rc == BEDROCK_ECONFIG ||
	    rc == BEDROCK_ECANCELED ||
	    (rc == BEDROCK_EAUTH && !(err && err->http_status)))
		return 0;
	a.attempt = attempt;
	a.http_status = err ? err->http_status : 0;
	a.aws_code = err && err->aws_code[0] ? err->aws_code : NULL;
	a.transport = transport_kind(curl_code);
	if (c->platform != BEDROCK_PLATFORM_BEDROCK && a.http_status) {
		/* The SDKs' rule decides; the policy still spaces the attempts
		 * (and keeps the retry quota): a retryable answer goes to it as
		 * what AWS calls transient, or throttling for a 429. */
		if (!bedrock__anthropic_retryable(a.http_status, headers)) {
			bedrock__client_log(c, BEDROCK_LOG_DEBUG, "not retrying: HTTP %d%s", a.http_status,
					    headers && !bedrock__headers_get(headers, "x-should-retry", ra,
									     sizeof(ra))
					    ? " (x-should-retry: false)" : "");
			return 0;
		}
		a.http_status = a.http_status == 429 ? 429 : 503;
		a.aws_code = NULL;
		a.retry_after_ms = -1;
		headers_wait = bedrock__anthropic_retry_wait(headers);
		headers = NULL;
	}
	if (headers) {
		bedrock__headers_get(headers, "x-amz-retry-after", xra, sizeof(xra));
		bedrock__headers_get(headers, "retry-after", ra, sizeof(ra));
		a.retry_after_ms = bedrock_retry_parse_retry_after(xra[0] ? xra : NULL, ra[0] ? ra : NULL);
	}
	if (bedrock_retry_decide(&d, c->retry, &a, random01()) != 0) {
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "not retrying: %s",
				    bedrock_retry_reason_name(d.reason));
		return 0;
	}
	if (headers_wait >= 0)
		d.delay_ms = (uint64_t)headers_wait;	/* exactly, as the SDKs wait */
	if (end_ms && bedrock__now_ms() + (long long)d.delay_ms >= end_ms) {
		if (d.quota_cost)	/* not spent: give it back */
			bedrock_retry_success(c->retry, d.quota_cost);
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "not retrying: the call's deadline would pass");
		return 0;
	}
	*cost = d.quota_cost;
	bedrock__client_log(c, BEDROCK_LOG_INFO, "retrying after %llu ms (%s)",
			    (unsigned long long)d.delay_ms, bedrock_retry_category_name(d.category));
	/* A cancel during the back-off ends it; the caller's loop sees the flag. */
	bedrock__client_sleep(d.delay_ms, cancel);
	return 1;
}

void bedrock__client_before_send(bedrock_client *c, const bedrock_cancel *cancel)
{
	uint64_t wait = bedrock_retry_acquire(c->retry, now_seconds());

	if (wait)
		bedrock__client_sleep(wait, cancel);
}

void bedrock__client_after_answer(bedrock_client *c, int throttled)
{
	bedrock_retry_record(c->retry, now_seconds(), throttled);
}

int bedrock__client_skew(bedrock_client *c, const bedrock_error_info *err, const bedrock_buf *headers)
{
	char date[64];
	struct tm tm;
	time_t server;

	if (!err || err->http_status != 403 ||
	    (strcmp(err->aws_code, "RequestTimeTooSkewed") &&
	     !(strcmp(err->aws_code, "InvalidSignatureException") == 0 &&
	       (strstr(err->message, "Signature expired") ||
		strstr(err->message, "Signature not yet current")))))
		return 0;
	if (bedrock__headers_get(headers, "date", date, sizeof(date)))
		return 0;
	memset(&tm, 0, sizeof(tm));
	/* "Mon, 23 Nov 2026 05:48:12 GMT" */
	{
		static const char *mon = "JanFebMarAprMayJunJulAugSepOctNovDec";
		char m[4] = "";
		int d, y, H, M, S;
		const char *p;

		if (sscanf(date, "%*3s, %d %3s %d %d:%d:%d", &d, m, &y, &H, &M, &S) != 6 ||
		    !(p = strstr(mon, m)))
			return 0;
		tm.tm_mday = d;
		tm.tm_mon = (int)((p - mon) / 3);
		tm.tm_year = y - 1900;
		tm.tm_hour = H;
		tm.tm_min = M;
		tm.tm_sec = S;
	}
	server = (time_t)bedrock__utc_to_unix(tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday,
					      tm.tm_hour, tm.tm_min, tm.tm_sec);
	atomic_store(&c->skew_seconds, (long long)(server - time(NULL)));
	bedrock__client_log(c, BEDROCK_LOG_WARN, "clock skew of %lld s corrected from the server's Date",
			    (long long)atomic_load(&c->skew_seconds));
	return 1;
}
