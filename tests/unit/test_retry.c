#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"

static bedrock_retry *make(bedrock_retry_mode mode, unsigned max_attempts)
{
	bedrock_retry_options o = BEDROCK_RETRY_OPTIONS_INIT;
	bedrock_retry *r = NULL;

	o.mode = mode;
	o.max_attempts = max_attempts;
	assert_int_equal(bedrock_retry_new(&r, &o), 0);
	assert_non_null(r);
	return r;
}

static unsigned quota_of(bedrock_retry *r)
{
	bedrock_retry_stats s;

	bedrock_retry_get_stats(&s, r);
	return s.quota;
}

/* One failed attempt with an HTTP error. */
static int decide_http(bedrock_retry_decision *d, bedrock_retry *r, unsigned attempt,
		       int status, const char *code, double rnd)
{
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;

	a.attempt = attempt;
	a.http_status = status;
	a.aws_code = code;
	return bedrock_retry_decide(d, r, &a, rnd);
}

/* ---- classification ------------------------------------------------------ */

static void test_retry__classify_bedrock_exceptions(void **state)
{
	/* PROTOCOL.md §2, with each exception's own status. */
	static const struct { const char *code; int status; bedrock_retry_category want; } t[] = {
		{ "ValidationException", 400, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ServiceQuotaExceededException", 400, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ConflictException", 400, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ResourceInUseException", 400, BEDROCK_RETRY_CLIENT_ERROR },
		{ "TooManyTagsException", 400, BEDROCK_RETRY_CLIENT_ERROR },
		{ "AccessDeniedException", 403, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ResourceNotFoundException", 404, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ModelTimeoutException", 408, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ModelErrorException", 424, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ModelStreamErrorException", 424, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ThrottlingException", 429, BEDROCK_RETRY_THROTTLING },
		{ "ModelNotReadyException", 429, BEDROCK_RETRY_TRANSIENT },
		{ "InternalServerException", 500, BEDROCK_RETRY_TRANSIENT },
		{ "ServiceUnavailableException", 503, BEDROCK_RETRY_TRANSIENT },
		/* The same codes with no status (e.g. from an exception frame). */
		{ "ThrottlingException", 0, BEDROCK_RETRY_THROTTLING },
		{ "ModelNotReadyException", 0, BEDROCK_RETRY_TRANSIENT },
		{ "InternalServerException", 0, BEDROCK_RETRY_TRANSIENT },
		{ "ServiceUnavailableException", 0, BEDROCK_RETRY_TRANSIENT },
		{ "ValidationException", 0, BEDROCK_RETRY_CLIENT_ERROR },
		{ "ModelStreamErrorException", 0, BEDROCK_RETRY_CLIENT_ERROR },
		/* The generic transient and throttling codes. */
		{ "RequestTimeout", 400, BEDROCK_RETRY_TRANSIENT },
		{ "RequestTimeoutException", 408, BEDROCK_RETRY_TRANSIENT },
		{ "PriorRequestNotComplete", 400, BEDROCK_RETRY_THROTTLING },
		{ "Throttling", 400, BEDROCK_RETRY_THROTTLING },
		{ "TooManyRequestsException", 400, BEDROCK_RETRY_THROTTLING },
		{ "SlowDown", 503, BEDROCK_RETRY_THROTTLING },
		{ "EC2ThrottledException", 400, BEDROCK_RETRY_THROTTLING },
		{ "LimitExceededException", 400, BEDROCK_RETRY_THROTTLING },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		bedrock_retry_category c = bedrock_retry_classify(t[i].status, t[i].code,
								   BEDROCK_RETRY_TRANSPORT_NONE);

		if (c != t[i].want)
			fail_msg("%s/%d: %s, want %s", t[i].code, t[i].status,
				 bedrock_retry_category_name(c),
				 bedrock_retry_category_name(t[i].want));
		assert_int_equal(bedrock_retry_category_retryable(c),
				 t[i].want == BEDROCK_RETRY_TRANSIENT ||
				 t[i].want == BEDROCK_RETRY_THROTTLING);
	}
}

static void test_retry__classify_status_only(void **state)
{
	(void)state;
	assert_int_equal(bedrock_retry_classify(200, NULL, 0), BEDROCK_RETRY_NONE);
	assert_int_equal(bedrock_retry_classify(0, NULL, 0), BEDROCK_RETRY_NONE);
	assert_int_equal(bedrock_retry_classify(204, "", 0), BEDROCK_RETRY_NONE);
	assert_int_equal(bedrock_retry_classify(500, NULL, 0), BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(502, NULL, 0), BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(503, NULL, 0), BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(504, NULL, 0), BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(501, NULL, 0), BEDROCK_RETRY_SERVER_ERROR);
	assert_int_equal(bedrock_retry_classify(505, NULL, 0), BEDROCK_RETRY_SERVER_ERROR);
	assert_int_equal(bedrock_retry_classify(429, NULL, 0), BEDROCK_RETRY_THROTTLING);
	assert_int_equal(bedrock_retry_classify(400, NULL, 0), BEDROCK_RETRY_CLIENT_ERROR);
	assert_int_equal(bedrock_retry_classify(408, NULL, 0), BEDROCK_RETRY_CLIENT_ERROR);
	assert_int_equal(bedrock_retry_classify(424, NULL, 0), BEDROCK_RETRY_CLIENT_ERROR);
	/* An unknown code with a transient status keeps the status's meaning. */
	assert_int_equal(bedrock_retry_classify(503, "SomethingElse", 0), BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(501, "SomethingElse", 0),
			 BEDROCK_RETRY_SERVER_ERROR);
}

static void test_retry__classify_code_forms(void **state)
{
	(void)state;
	/* botocore reduces "…#Code:…" to "Code". */
	assert_int_equal(bedrock_retry_classify(0, "com.amazon.bedrock#ThrottlingException", 0),
			 BEDROCK_RETRY_THROTTLING);
	assert_int_equal(bedrock_retry_classify(0, "ThrottlingException:http://internal.amazon.com/", 0),
			 BEDROCK_RETRY_THROTTLING);
	assert_int_equal(bedrock_retry_classify(0, "aws#ModelNotReadyException:x", 0),
			 BEDROCK_RETRY_TRANSIENT);
	/* Exact match only. */
	assert_int_equal(bedrock_retry_classify(400, "ThrottlingExceptio", 0),
			 BEDROCK_RETRY_CLIENT_ERROR);
	assert_int_equal(bedrock_retry_classify(400, "ThrottlingExceptionX", 0),
			 BEDROCK_RETRY_CLIENT_ERROR);
	assert_int_equal(bedrock_retry_classify(400, "throttlingexception", 0),
			 BEDROCK_RETRY_CLIENT_ERROR);
}

static void test_retry__classify_transport(void **state)
{
	(void)state;
	assert_int_equal(bedrock_retry_classify(0, NULL, BEDROCK_RETRY_TRANSPORT_CONNECT),
			 BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(0, NULL, BEDROCK_RETRY_TRANSPORT_TIMEOUT),
			 BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(0, NULL, BEDROCK_RETRY_TRANSPORT_RESET),
			 BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(0, NULL, BEDROCK_RETRY_TRANSPORT_OTHER),
			 BEDROCK_RETRY_CLIENT_ERROR);
	/* A transport failure decides, whatever status came before it. */
	assert_int_equal(bedrock_retry_classify(200, NULL, BEDROCK_RETRY_TRANSPORT_RESET),
			 BEDROCK_RETRY_TRANSIENT);
	assert_int_equal(bedrock_retry_classify(0, NULL, (bedrock_retry_transport)99),
			 BEDROCK_RETRY_CLIENT_ERROR);
}

static void test_retry__names(void **state)
{
	(void)state;
	assert_string_equal(bedrock_retry_category_name(BEDROCK_RETRY_THROTTLING), "throttling");
	assert_string_equal(bedrock_retry_category_name(BEDROCK_RETRY_CLIENT_ERROR), "client_error");
	assert_string_equal(bedrock_retry_mode_name(BEDROCK_RETRY_ADAPTIVE), "adaptive");
	assert_string_equal(bedrock_retry_reason_name(BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED),
			    "retry quota exhausted");
	assert_string_equal(bedrock_retry_category_name((bedrock_retry_category)42), "unknown");
}

/* ---- construction ---------------------------------------------------------- */

static void test_retry__new_defaults_and_invalid(void **state)
{
	bedrock_retry_options o = BEDROCK_RETRY_OPTIONS_INIT;
	bedrock_retry *r = NULL;

	(void)state;
	assert_int_equal(bedrock_retry_new(&r, NULL), 0);
	assert_int_equal(bedrock_retry_get_mode(r), BEDROCK_RETRY_STANDARD);
	assert_int_equal(bedrock_retry_get_max_attempts(r), 3);
	assert_int_equal(quota_of(r), 500);
	bedrock_retry_free(r);

	o.mode = BEDROCK_RETRY_LEGACY;
	assert_int_equal(bedrock_retry_new(&r, &o), 0);
	assert_int_equal(bedrock_retry_get_max_attempts(r), 5);
	bedrock_retry_free(r);

	o.mode = (bedrock_retry_mode)9;
	assert_int_equal(bedrock_retry_new(&r, &o), BEDROCK_EINVAL);
	assert_null(r);
	o.mode = BEDROCK_RETRY_STANDARD;
	o.version = 99;
	assert_int_equal(bedrock_retry_new(&r, &o), BEDROCK_EINVAL);
	assert_int_equal(bedrock_retry_new(NULL, NULL), BEDROCK_EINVAL);

	harness_fail_allocation(1);
	assert_int_equal(bedrock_retry_new(&r, NULL), BEDROCK_ENOMEM);
	harness_fail_allocation(0);
	assert_null(r);
	bedrock_retry_free(NULL);
}

/* ---- standard decisions ---------------------------------------------------- */

static void test_retry__decide_max_attempts(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_decision d;

	(void)state;
	assert_int_equal(decide_http(&d, r, 1, 429, "ThrottlingException", 0.5), 0);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_RETRY);
	assert_int_equal(d.category, BEDROCK_RETRY_THROTTLING);
	assert_int_equal(d.quota_cost, 5);
	assert_int_equal(decide_http(&d, r, 2, 503, "ServiceUnavailableException", 0.5), 0);
	assert_int_equal(decide_http(&d, r, 3, 503, NULL, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_MAX_ATTEMPTS);
	assert_int_equal(d.quota_cost, 0);
	assert_int_equal(quota_of(r), 490);
	bedrock_retry_free(r);

	/* 1 attempt: never retried, quota untouched. */
	r = make(BEDROCK_RETRY_STANDARD, 1);
	assert_int_equal(decide_http(&d, r, 1, 500, NULL, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_MAX_ATTEMPTS);
	assert_int_equal(quota_of(r), 500);
	/* Invalid input. */
	assert_int_equal(decide_http(&d, r, 0, 500, NULL, 0.5), BEDROCK_EINVAL);
	assert_int_equal(bedrock_retry_decide(NULL, r, NULL, 0), BEDROCK_EINVAL);
	bedrock_retry_free(r);
}

static void test_retry__decide_not_retryable(void **state)
{
	static const struct { const char *code; int status; } t[] = {
		{ "ValidationException", 400 }, { "AccessDeniedException", 403 },
		{ "ResourceNotFoundException", 404 }, { "ModelTimeoutException", 408 },
		{ "ModelErrorException", 424 }, { "ServiceQuotaExceededException", 400 },
		{ NULL, 501 }, { NULL, 200 },
	};
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(decide_http(&d, r, 1, t[i].status, t[i].code, 0.5),
				 BEDROCK_ITEROVER);
		assert_int_equal(d.reason, BEDROCK_RETRY_REASON_NOT_RETRYABLE);
	}
	assert_int_equal(quota_of(r), 500);
	bedrock_retry_free(r);
}

static void test_retry__decide_partial_delivered(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;

	(void)state;
	a.http_status = 200;
	a.transport = BEDROCK_RETRY_TRANSPORT_RESET;
	a.partial_delivered = 1;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_PARTIAL_DELIVERED);
	assert_int_equal(d.category, BEDROCK_RETRY_TRANSIENT);
	a.transport = BEDROCK_RETRY_TRANSPORT_NONE;
	a.aws_code = "ThrottlingException";
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_PARTIAL_DELIVERED);
	assert_int_equal(quota_of(r), 500);
	/* Not delivered: the same failure is retried. */
	a.partial_delivered = 0;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
	bedrock_retry_free(r);
}

static void test_retry__backoff_bounds(void **state)
{
	/* delay = rand × min(2^(attempt−1), 20) s, rounded to the ms. */
	static const struct { unsigned attempt; double rnd; uint64_t want; } t[] = {
		{ 1, 0.0, 0 }, { 2, 0.0, 0 }, { 10, 0.0, 0 },
		{ 1, 0.5, 500 }, { 2, 0.5, 1000 }, { 3, 0.5, 2000 }, { 4, 0.5, 4000 },
		{ 5, 0.5, 8000 }, { 6, 0.5, 10000 }, { 7, 0.5, 10000 }, { 60, 0.5, 10000 },
		{ 1, 0.999, 999 }, { 2, 0.999, 1998 }, { 3, 0.999, 3996 }, { 4, 0.999, 7992 },
		{ 5, 0.999, 15984 }, { 6, 0.999, 19980 }, { 1000, 0.999, 19980 },
		/* Out of range randoms are clamped into [0, 1). */
		{ 6, 1.0, 20000 }, { 6, 7.5, 20000 }, { 6, -1.0, 0 }, { 6, NAN, 0 },
	};
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 2000);
	bedrock_retry_decision d;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		assert_int_equal(decide_http(&d, r, t[i].attempt, 503, NULL, t[i].rnd), 0);
		if (d.delay_ms != t[i].want)
			fail_msg("attempt %u rand %g: %llu ms, want %llu", t[i].attempt, t[i].rnd,
				 (unsigned long long)d.delay_ms, (unsigned long long)t[i].want);
		assert_true(d.delay_ms <= BEDROCK_RETRY_MAX_BACKOFF_MS);
		bedrock_retry_success(r, d.quota_cost);
	}
	bedrock_retry_free(r);
}

static void test_retry__retry_after(void **state)
{
	/* t = 500 ms (attempt 1, rand 0.5); delay = max(t, min(ra, t + 5 s)). */
	static const struct { int64_t ra; uint64_t want; } t[] = {
		{ -1, 500 }, { 0, 500 }, { 100, 500 }, { 500, 500 }, { 2000, 2000 },
		{ 5500, 5500 }, { 5501, 5500 }, { 60000, 5500 }, { INT64_MAX, 5500 },
	};
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;
	size_t i;

	(void)state;
	a.http_status = 429;
	a.aws_code = "ThrottlingException";
	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		a.retry_after_ms = t[i].ra;
		assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
		assert_int_equal(d.delay_ms, t[i].want);
		bedrock_retry_success(r, d.quota_cost);
	}
	/* With rand 0, the server's 3 s is taken whole; at the cap, 20 s + 5 s. */
	a.retry_after_ms = 3000;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.0), 0);
	assert_int_equal(d.delay_ms, 3000);
	bedrock_retry_free(r);

	r = make(BEDROCK_RETRY_STANDARD, 20);
	a.attempt = 10;
	a.retry_after_ms = 60000;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.999), 0);
	assert_int_equal(d.delay_ms, 19980 + 5000);
	bedrock_retry_free(r);
}

static void test_retry__parse_retry_after(void **state)
{
	(void)state;
	assert_int_equal(bedrock_retry_parse_retry_after("1500", NULL), 1500);
	assert_int_equal(bedrock_retry_parse_retry_after("1500", "9"), 1500);
	assert_int_equal(bedrock_retry_parse_retry_after(NULL, "2"), 2000);
	assert_int_equal(bedrock_retry_parse_retry_after("abc", "3"), 3000);
	assert_int_equal(bedrock_retry_parse_retry_after(" 250 ", NULL), 250);
	assert_int_equal(bedrock_retry_parse_retry_after("0", NULL), 0);
	assert_int_equal(bedrock_retry_parse_retry_after(NULL, "Wed, 21 Oct 2015 07:28:00 GMT"), -1);
	assert_int_equal(bedrock_retry_parse_retry_after("", ""), -1);
	assert_int_equal(bedrock_retry_parse_retry_after("-5", "-1"), -1);
	assert_int_equal(bedrock_retry_parse_retry_after("1.5", NULL), -1);
	assert_int_equal(bedrock_retry_parse_retry_after("99999999999999999999999", NULL), -1);
	assert_int_equal(bedrock_retry_parse_retry_after(NULL, "9999999999999999"), INT64_MAX);
	assert_int_equal(bedrock_retry_parse_retry_after(NULL, NULL), -1);
}

/* ---- the retry quota --------------------------------------------------------- */

static void test_retry__quota_drains_and_refills(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_decision d;
	int i;

	(void)state;
	/* 100 retries at 5 each use up all 500. */
	for (i = 0; i < 100; i++) {
		assert_int_equal(decide_http(&d, r, 1, 500, NULL, 0.1), 0);
		assert_int_equal(d.quota_cost, 5);
	}
	assert_int_equal(quota_of(r), 0);
	assert_int_equal(decide_http(&d, r, 1, 500, NULL, 0.1), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED);
	assert_int_equal(d.quota_cost, 0);
	assert_int_equal(quota_of(r), 0);

	/* A first-try success gives 1 back: not enough for a retry of 5. */
	bedrock_retry_success(r, 0);
	assert_int_equal(quota_of(r), 1);
	assert_int_equal(decide_http(&d, r, 1, 500, NULL, 0.1), BEDROCK_ITEROVER);
	/* A retry that succeeded gives its cost back. */
	bedrock_retry_success(r, 5);
	assert_int_equal(quota_of(r), 6);
	assert_int_equal(decide_http(&d, r, 1, 429, NULL, 0.1), 0);
	assert_int_equal(quota_of(r), 1);

	/* Never above 500. */
	for (i = 0; i < 200; i++)
		bedrock_retry_success(r, 10);
	assert_int_equal(quota_of(r), 500);
	bedrock_retry_success(r, 0);
	assert_int_equal(quota_of(r), 500);
	bedrock_retry_free(r);
}

static void test_retry__timeout_costs_ten(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;
	int i;

	(void)state;
	a.transport = BEDROCK_RETRY_TRANSPORT_TIMEOUT;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
	assert_int_equal(d.quota_cost, 10);
	assert_int_equal(quota_of(r), 490);
	/* Connect failures and resets cost the usual 5. */
	a.transport = BEDROCK_RETRY_TRANSPORT_CONNECT;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
	assert_int_equal(d.quota_cost, 5);
	a.transport = BEDROCK_RETRY_TRANSPORT_RESET;
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
	assert_int_equal(d.quota_cost, 5);
	assert_int_equal(quota_of(r), 480);
	bedrock_retry_success(r, 10);
	assert_int_equal(quota_of(r), 490);

	/* 49 timeouts more leave 0; a 5-cost retry then fails too. */
	a.transport = BEDROCK_RETRY_TRANSPORT_TIMEOUT;
	for (i = 0; i < 49; i++)
		assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), 0);
	assert_int_equal(quota_of(r), 0);
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED);
	/* 5 left: a timeout (10) is refused, a throttle (5) is not. */
	bedrock_retry_success(r, 5);
	assert_int_equal(bedrock_retry_decide(&d, r, &a, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(decide_http(&d, r, 1, 429, "ThrottlingException", 0.5), 0);
	assert_int_equal(quota_of(r), 0);
	bedrock_retry_free(r);
}

static void test_retry__legacy(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_LEGACY, 0);
	bedrock_retry_decision d;
	int i;

	(void)state;
	assert_int_equal(bedrock_retry_get_max_attempts(r), 5);
	/* No quota: 200 retries in a row are all allowed. */
	for (i = 0; i < 200; i++) {
		assert_int_equal(decide_http(&d, r, 1, 503, NULL, 0.5), 0);
		assert_int_equal(d.quota_cost, 0);
	}
	assert_int_equal(decide_http(&d, r, 5, 503, NULL, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(d.reason, BEDROCK_RETRY_REASON_MAX_ATTEMPTS);
	bedrock_retry_free(r);

	/* Uncapped backoff. */
	r = make(BEDROCK_RETRY_LEGACY, 100);
	assert_int_equal(decide_http(&d, r, 6, 503, NULL, 0.5), 0);
	assert_int_equal(d.delay_ms, 16000);
	assert_int_equal(decide_http(&d, r, 7, 503, NULL, 0.5), 0);
	assert_int_equal(d.delay_ms, 32000);
	assert_int_equal(decide_http(&d, r, 99, 503, NULL, 0.5), 0);
	assert_true(d.delay_ms > 500000000000ull);
	bedrock_retry_free(r);
}

/* ---- adaptive ----------------------------------------------------------------- */

static void test_retry__adaptive_off_in_standard(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_STANDARD, 3);
	bedrock_retry_stats s;
	int i;

	(void)state;
	for (i = 0; i < 10; i++) {
		bedrock_retry_record(r, 100.0 + i * 0.01, 1);
		assert_int_equal(bedrock_retry_acquire(r, 100.0 + i * 0.01), 0);
	}
	bedrock_retry_get_stats(&s, r);
	assert_int_equal(s.limiter_enabled, 0);
	assert_true(s.fill_rate == 0.0);
	bedrock_retry_free(r);
}

#define assert_close(a, b) do { \
	double a_ = (a), b_ = (b); \
	if (fabs(a_ - b_) > 1e-9 * (fabs(b_) > 1 ? fabs(b_) : 1)) \
		fail_msg("%s = %.12f, want %.12f", #a, a_, b_); \
} while (0)

static void expect(bedrock_retry *r, int enabled, double measured, double fill,
		   double cap, double tokens)
{
	bedrock_retry_stats s;

	bedrock_retry_get_stats(&s, r);
	assert_int_equal(s.limiter_enabled, enabled);
	assert_close(s.measured_rate, measured);
	assert_close(s.fill_rate, fill);
	assert_close(s.max_capacity, cap);
	assert_close(s.tokens, tokens);
}

/*
 * Expected values from a hand computation: botocore's TokenBucket,
 * CubicCalculator and RateClocker run in Python with a fake clock over the
 * same sequence of sends and responses (0.1 s apart from t = 100).
 */
static void test_retry__adaptive_cubic(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_ADAPTIVE, 3);
	int i;

	(void)state;
	assert_int_equal(bedrock_retry_acquire(r, 100.0), 0);
	for (i = 1; i <= 20; i++) {
		double t = 100.0 + 0.1 * i;

		/* Off until the first throttle, however fast we send. */
		assert_int_equal(bedrock_retry_acquire(r, t), 0);
		bedrock_retry_record(r, t + 0.05, 0);
		if (i == 4)	/* still in the first half-second bucket */
			expect(r, 0, 0.0, 0.5, 1.0, 0.3);
		if (i == 5)	/* 5 sends / 0.5 s × 0.8 */
			expect(r, 0, 8.0, 0.5, 1.0, 0.35);
		if (i == 11)
			expect(r, 0, 9.6, 0.60835, 1.0, 0.65);
		if (i == 14)
			expect(r, 0, 9.6, 1.21945, 1.21945, 0.887375);
		if (i == 20)
			expect(r, 0, 9.984, 3.44605, 3.44605, 2.102195);
	}

	/* The first throttle: w_max = measured rate, rate × 0.7. */
	bedrock_retry_record(r, 102.2, 1);
	expect(r, 1, 9.984, 6.9888, 6.9888, 2.6191025);
	assert_int_equal(bedrock_retry_acquire(r, 102.2), 0);
	assert_int_equal(bedrock_retry_acquire(r, 102.3), 0);
	assert_int_equal(bedrock_retry_acquire(r, 102.4), 0);
	assert_int_equal(bedrock_retry_acquire(r, 102.5), 0);
	expect(r, 1, 9.984, 6.9888, 6.9888, 0.7157425);

	/* Recovery along the cubic, capped at twice the measured rate. */
	bedrock_retry_record(r, 102.5, 0);
	expect(r, 1, 5.1968, 8.166195227319, 8.166195227319, 0.7157425);
	bedrock_retry_record(r, 103.0, 0);
	expect(r, 1, 2.63936, 5.27872, 5.27872, 4.79884011366);
	bedrock_retry_record(r, 104.0, 0);
	expect(r, 1, 1.327872, 2.655744, 2.655744, 2.655744);

	/* A throttle with the limiter on: w_max = min(measured, fill rate). */
	bedrock_retry_record(r, 105.0, 1);
	expect(r, 1, 1.0655744, 0.74590208, 1.0, 1.0);
	bedrock_retry_record(r, 106.0, 0);
	expect(r, 1, 1.01311488, 1.065723694269, 1.065723694269, 1.0);

	/* Out of tokens: the waits queue up. */
	assert_int_equal(bedrock_retry_acquire(r, 106.0), 0);
	assert_int_equal(bedrock_retry_acquire(r, 106.0), 939);
	assert_int_equal(bedrock_retry_acquire(r, 106.0), 1877);
	assert_int_equal(bedrock_retry_acquire(r, 106.5), 2315);
	expect(r, 1, 1.01311488, 1.065723694269, 1.065723694269, -2.467138152866);
	bedrock_retry_free(r);
}

static void test_retry__adaptive_min_rate(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_ADAPTIVE, 3);
	bedrock_retry_stats s;
	int i;

	(void)state;
	/* Throttled from the start, with nothing measured yet: the rate
	 * floors at 0.5/s, one token every 2 s. */
	bedrock_retry_record(r, 50.0, 1);
	bedrock_retry_get_stats(&s, r);
	assert_int_equal(s.limiter_enabled, 1);
	assert_close(s.fill_rate, 0.5);
	assert_close(s.max_capacity, 1.0);
	assert_int_equal(bedrock_retry_acquire(r, 50.0), 2000);
	assert_int_equal(bedrock_retry_acquire(r, 50.0), 4000);
	/* Time passing pays the reservations back, never above capacity. */
	assert_int_equal(bedrock_retry_acquire(r, 60.0), 0);
	for (i = 0; i < 3; i++)
		bedrock_retry_record(r, 60.0 + i, 1);
	bedrock_retry_get_stats(&s, r);
	assert_true(s.fill_rate >= 0.5);
	assert_true(s.tokens <= s.max_capacity);
	/* A clock that steps back earns no tokens (and loses none). */
	bedrock_retry_get_stats(&s, r);
	(void)bedrock_retry_acquire(r, 10.0);
	{
		double before = s.tokens;

		bedrock_retry_get_stats(&s, r);
		assert_close(s.tokens, before - 1.0);
	}
	bedrock_retry_free(r);
}

/* ---- settings ------------------------------------------------------------------ */

static char cfg_dir[64], cfg_path[128];

static void write_config(const char *text)
{
	FILE *f = fopen(cfg_path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bedrock_config *load_config(const char *text)
{
	bedrock_config_options o = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_config *c = NULL;

	write_config(text);
	o.config_file = cfg_path;
	o.credentials_file = "/nonexistent/credentials";
	o.profile = "p";
	assert_int_equal(bedrock_config_load(&c, &o), 0);
	return c;
}

static int from(bedrock_retry_options *o, bedrock_retry_mode mode, unsigned attempts,
		bedrock_config *c, bedrock_error_info *err)
{
	bedrock_retry_options init = BEDROCK_RETRY_OPTIONS_INIT;

	*o = init;
	o->mode = mode;
	o->max_attempts = attempts;
	return bedrock_retry_options_from_config(o, c, err);
}

static void test_retry__config_precedence(void **state)
{
	bedrock_retry_options o;
	bedrock_error_info err;
	bedrock_config *c;

	(void)state;
	unsetenv("AWS_RETRY_MODE");
	unsetenv("AWS_MAX_ATTEMPTS");
	/* Nothing set anywhere: standard, 3. */
	assert_int_equal(from(&o, 0, 0, NULL, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_STANDARD);
	assert_int_equal(o.max_attempts, 3);

	/* The profile. */
	c = load_config("[profile p]\nretry_mode = adaptive\nmax_attempts = 6\n");
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_ADAPTIVE);
	assert_int_equal(o.max_attempts, 6);

	/* The environment beats the profile. */
	setenv("AWS_RETRY_MODE", "legacy", 1);
	setenv("AWS_MAX_ATTEMPTS", "9", 1);
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_LEGACY);
	assert_int_equal(o.max_attempts, 9);
	setenv("AWS_RETRY_MODE", " Standard ", 1);
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_STANDARD);

	/* Explicit values beat both, and invalid ones elsewhere are not read. */
	setenv("AWS_RETRY_MODE", "bogus", 1);
	setenv("AWS_MAX_ATTEMPTS", "zero", 1);
	assert_int_equal(from(&o, BEDROCK_RETRY_STANDARD, 2, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_STANDARD);
	assert_int_equal(o.max_attempts, 2);

	/* One from each place. */
	unsetenv("AWS_RETRY_MODE");
	setenv("AWS_MAX_ATTEMPTS", "4", 1);
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_ADAPTIVE);
	assert_int_equal(o.max_attempts, 4);
	/* An empty variable counts as unset. */
	setenv("AWS_MAX_ATTEMPTS", "", 1);
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.max_attempts, 6);
	unsetenv("AWS_MAX_ATTEMPTS");
	bedrock_config_free(c);

	/* Legacy's default is 5 attempts. */
	c = load_config("[profile p]\nretry_mode = legacy\n");
	assert_int_equal(from(&o, 0, 0, c, &err), 0);
	assert_int_equal(o.mode, BEDROCK_RETRY_LEGACY);
	assert_int_equal(o.max_attempts, 5);
	bedrock_config_free(c);
}

static void test_retry__config_invalid(void **state)
{
	static const char *const bad_attempts[] = { "0", "-1", "three", "3.5", "4x", "+2",
						    "99999999999999999999" };
	bedrock_retry_options o;
	bedrock_error_info err;
	bedrock_config *c;
	size_t i;

	(void)state;
	unsetenv("AWS_RETRY_MODE");
	unsetenv("AWS_MAX_ATTEMPTS");
	setenv("AWS_RETRY_MODE", "fast", 1);
	assert_int_equal(from(&o, 0, 0, NULL, &err), BEDROCK_ECONFIG);
	assert_int_equal(err.code, BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "AWS_RETRY_MODE"));
	assert_non_null(strstr(err.message, "\"fast\""));
	assert_non_null(strstr(err.message, "standard, adaptive or legacy"));
	unsetenv("AWS_RETRY_MODE");

	for (i = 0; i < sizeof(bad_attempts) / sizeof(bad_attempts[0]); i++) {
		setenv("AWS_MAX_ATTEMPTS", bad_attempts[i], 1);
		assert_int_equal(from(&o, 0, 0, NULL, &err), BEDROCK_ECONFIG);
		assert_non_null(strstr(err.message, "AWS_MAX_ATTEMPTS"));
	}
	unsetenv("AWS_MAX_ATTEMPTS");

	c = load_config("[profile p]\nretry_mode = turbo\n");
	assert_int_equal(from(&o, 0, 0, c, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "profile p: retry_mode"));
	assert_non_null(strstr(err.message, "\"turbo\""));
	bedrock_config_free(c);
	c = load_config("[profile p]\nmax_attempts = 0\n");
	assert_int_equal(from(&o, 0, 0, c, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "profile p: max_attempts"));
	bedrock_config_free(c);

	assert_int_equal(from(&o, (bedrock_retry_mode)7, 0, NULL, &err), BEDROCK_EINVAL);
	assert_int_equal(bedrock_retry_options_from_config(NULL, NULL, NULL), BEDROCK_EINVAL);
}

/* ---- threads ------------------------------------------------------------------- */

struct hammer {
	bedrock_retry *r;
	unsigned seed;
	int bad;
};

static void *hammer_run(void *arg)
{
	struct hammer *h = arg;
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;
	bedrock_retry_stats s;
	int i;

	for (i = 0; i < 20000; i++) {
		unsigned x = h->seed = h->seed * 1103515245u + 12345u;

		a.transport = (x >> 8) % 3 == 0 ? BEDROCK_RETRY_TRANSPORT_TIMEOUT
						: BEDROCK_RETRY_TRANSPORT_NONE;
		a.http_status = 503;
		if (bedrock_retry_decide(&d, h->r, &a, 0.5) == 0 && (x >> 12) % 4 == 0)
			bedrock_retry_success(h->r, d.quota_cost);
		else if ((x >> 16) % 5 == 0)
			bedrock_retry_success(h->r, 0);
		bedrock_retry_record(h->r, i * 0.001, (x >> 20) % 7 == 0);
		(void)bedrock_retry_acquire(h->r, i * 0.001);
		bedrock_retry_get_stats(&s, h->r);
		if (s.quota > BEDROCK_RETRY_QUOTA_MAX)
			h->bad = 1;
	}
	return NULL;
}

static void test_retry__threads_share_the_quota(void **state)
{
	bedrock_retry *r = make(BEDROCK_RETRY_ADAPTIVE, 3);
	struct hammer h[4];
	pthread_t th[4];
	bedrock_retry_decision d;
	unsigned q;
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		h[i].r = r;
		h[i].seed = 7u + (unsigned)i * 977u;
		h[i].bad = 0;
		assert_int_equal(pthread_create(&th[i], NULL, hammer_run, &h[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(h[i].bad, 0);
	}
	/* Whatever is left is consistent: exactly floor(q / 5) more retries. */
	q = quota_of(r);
	assert_true(q <= BEDROCK_RETRY_QUOTA_MAX);
	for (i = 0; i < (int)q / 5; i++)
		assert_int_equal(decide_http(&d, r, 1, 503, NULL, 0.5), 0);
	assert_int_equal(decide_http(&d, r, 1, 503, NULL, 0.5), BEDROCK_ITEROVER);
	assert_int_equal(quota_of(r), q % 5);
	bedrock_retry_free(r);
}

static int setup(void **state)
{
	strcpy(cfg_dir, "/tmp/bedrock-test-retry-XXXXXX");
	assert_non_null(mkdtemp(cfg_dir));
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", cfg_dir);
	return harness_setup(state);
}

static int teardown(void **state)
{
	unlink(cfg_path);
	rmdir(cfg_dir);
	return harness_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_retry__classify_bedrock_exceptions),
		cmocka_unit_test(test_retry__classify_status_only),
		cmocka_unit_test(test_retry__classify_code_forms),
		cmocka_unit_test(test_retry__classify_transport),
		cmocka_unit_test(test_retry__names),
		cmocka_unit_test(test_retry__new_defaults_and_invalid),
		cmocka_unit_test(test_retry__decide_max_attempts),
		cmocka_unit_test(test_retry__decide_not_retryable),
		cmocka_unit_test(test_retry__decide_partial_delivered),
		cmocka_unit_test(test_retry__backoff_bounds),
		cmocka_unit_test(test_retry__retry_after),
		cmocka_unit_test(test_retry__parse_retry_after),
		cmocka_unit_test(test_retry__quota_drains_and_refills),
		cmocka_unit_test(test_retry__timeout_costs_ten),
		cmocka_unit_test(test_retry__legacy),
		cmocka_unit_test(test_retry__adaptive_off_in_standard),
		cmocka_unit_test(test_retry__adaptive_cubic),
		cmocka_unit_test(test_retry__adaptive_min_rate),
		cmocka_unit_test(test_retry__config_precedence),
		cmocka_unit_test(test_retry__config_invalid),
		cmocka_unit_test(test_retry__threads_share_the_quota),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
