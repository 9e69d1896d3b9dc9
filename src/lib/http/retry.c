/* The retry policy: classify → decide → delay with jitter, plus the retry
 * quota (botocore retries/standard.py and quota.py). Pure: the caller
 * brings the random number and sleeps. */
#include <math.h>
#include <string.h>

#include "bedrock/retry.h"
#include "alloc.h"
#include "retry_private.h"

/* botocore ThrottledRetryableChecker._THROTTLED_ERROR_CODES. */
static const char *const throttling_codes[] = {
	"Throttling", "ThrottlingException", "ThrottledException",
	"RequestThrottledException", "TooManyRequestsException",
	"ProvisionedThroughputExceededException", "TransactionInProgressException",
	"RequestLimitExceeded", "BandwidthLimitExceeded", "LimitExceededException",
	"RequestThrottled", "SlowDown", "PriorRequestNotComplete",
	"EC2ThrottledException", NULL
};

/* TransientRetryableChecker codes; ModelNotReadyException is modelled
 * `retryable` with throttling false; the two server exceptions are listed
 * so that they classify the same when no status comes with them. */
static const char *const transient_codes[] = {
	"RequestTimeout", "RequestTimeoutException", "ModelNotReadyException",
	"InternalServerException", "ServiceUnavailableException", NULL
};

static int in_list(const char *const *list, const char *code, size_t len)
{
	for (; *list; list++)
		if (strlen(*list) == len && memcmp(*list, code, len) == 0)
			return 1;
	return 0;
}

bedrock_retry_category bedrock_retry_classify(int http_status, const char *aws_code,
					      bedrock_retry_transport transport)
{
	const char *code = NULL;
	size_t len = 0;

	switch (transport) {
	case BEDROCK_RETRY_TRANSPORT_NONE:
		break;
	case BEDROCK_RETRY_TRANSPORT_CONNECT:
	case BEDROCK_RETRY_TRANSPORT_TIMEOUT:
	case BEDROCK_RETRY_TRANSPORT_RESET:
		return BEDROCK_RETRY_TRANSIENT;
	case BEDROCK_RETRY_TRANSPORT_OTHER:
	default:
		return BEDROCK_RETRY_CLIENT_ERROR;
	}
	if (aws_code && *aws_code) {
		/* botocore's rest-json parser: drop "…#" and ":…". */
		const char *hash = strrchr(aws_code, '#');

		code = hash ? hash + 1 : aws_code;
		len = strcspn(code, ":");
	}
	if (code && len) {
		/* PriorRequestNotComplete is in both botocore lists; the
		 * throttling detector sees it first, so it slows the limiter. */
		if (in_list(throttling_codes, code, len))
			return BEDROCK_RETRY_THROTTLING;
		if (in_list(transient_codes, code, len))
			return BEDROCK_RETRY_TRANSIENT;
	}
	switch (http_status) {
	case 500: case 502: case 503: case 504:
		return BEDROCK_RETRY_TRANSIENT;
	case 429:
		/* Bedrock sends 429 only with ThrottlingException or
		 * ModelNotReadyException (caught above); a bare 429 (a proxy)
		 * means the same. botocore standard would not retry it. */
		return BEDROCK_RETRY_THROTTLING;
	default:
		break;
	}
	if (http_status >= 500)
		return BEDROCK_RETRY_SERVER_ERROR;
	if (http_status >= 400 || (code && len))
		return BEDROCK_RETRY_CLIENT_ERROR;
	return BEDROCK_RETRY_NONE;
}

int bedrock_retry_category_retryable(bedrock_retry_category category)
{
	return category == BEDROCK_RETRY_TRANSIENT || category == BEDROCK_RETRY_THROTTLING;
}

const char *bedrock_retry_category_name(bedrock_retry_category category)
{
	switch (category) {
	case BEDROCK_RETRY_NONE: return "none";
	case BEDROCK_RETRY_TRANSIENT: return "transient";
	case BEDROCK_RETRY_THROTTLING: return "throttling";
	case BEDROCK_RETRY_SERVER_ERROR: return "server_error";
	case BEDROCK_RETRY_CLIENT_ERROR: return "client_error";
	}
	return "unknown";
}

const char *bedrock_retry_mode_name(bedrock_retry_mode mode)
{
	switch (mode) {
	case BEDROCK_RETRY_MODE_DEFAULT: return "default";
	case BEDROCK_RETRY_STANDARD: return "standard";
	case BEDROCK_RETRY_ADAPTIVE: return "adaptive";
	case BEDROCK_RETRY_LEGACY: return "legacy";
	}
	return "unknown";
}

const char *bedrock_retry_reason_name(bedrock_retry_reason reason)
{
	switch (reason) {
	case BEDROCK_RETRY_REASON_RETRY: return "retry";
	case BEDROCK_RETRY_REASON_NOT_RETRYABLE: return "not retryable";
	case BEDROCK_RETRY_REASON_MAX_ATTEMPTS: return "max attempts reached";
	case BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED: return "retry quota exhausted";
	case BEDROCK_RETRY_REASON_PARTIAL_DELIVERED: return "response already partly delivered";
	}
	return "unknown";
}

int bedrock_retry_new(bedrock_retry **out, const bedrock_retry_options *options)
{
	bedrock_retry_options defaults = BEDROCK_RETRY_OPTIONS_INIT;
	bedrock_retry *r;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!options)
		options = &defaults;
	if (options->version != BEDROCK_RETRY_OPTIONS_VERSION ||
	    (unsigned)options->mode > BEDROCK_RETRY_LEGACY)
		return BEDROCK_EINVAL;
	if (!(r = bedrock__calloc(1, sizeof(*r))))
		return BEDROCK_ENOMEM;
	if (pthread_mutex_init(&r->lock, NULL)) {
		bedrock__free(r);
		return BEDROCK_ENOMEM;
	}
	r->mode = options->mode ? options->mode : BEDROCK_RETRY_STANDARD;
	r->max_attempts = options->max_attempts ? options->max_attempts
			  : r->mode == BEDROCK_RETRY_LEGACY ? 5 : 3;
	r->quota = BEDROCK_RETRY_QUOTA_MAX;
	bedrock__limiter_init(&r->lim);
	*out = r;
	return 0;
}

void bedrock_retry_free(bedrock_retry *retry)
{
	if (!retry)
		return;
	pthread_mutex_destroy(&retry->lock);
	bedrock__free(retry);
}

bedrock_retry_mode bedrock_retry_get_mode(const bedrock_retry *retry)
{
	return retry ? retry->mode : BEDROCK_RETRY_MODE_DEFAULT;
}

unsigned int bedrock_retry_get_max_attempts(const bedrock_retry *retry)
{
	return retry ? retry->max_attempts : 0;
}

/* random01 × min(2^(attempt−1), cap) seconds, in ms rounded to nearest. */
static uint64_t backoff_ms(unsigned attempt, double random01, int capped)
{
	double ceiling_ms;

	if (!(random01 >= 0.0))		/* also NaN */
		random01 = 0.0;
	if (random01 >= 1.0)
		random01 = 1.0 - 1.0 / 9007199254740992.0;	/* 1 − 2^−53 */
	/* Legacy is uncapped; past 2^40 s nobody is waiting anyway. */
	if (attempt - 1 > 40)
		attempt = 41;
	ceiling_ms = (double)(1ull << (attempt - 1)) * 1000.0;
	if (capped && ceiling_ms > BEDROCK_RETRY_MAX_BACKOFF_MS)
		ceiling_ms = BEDROCK_RETRY_MAX_BACKOFF_MS;
	return (uint64_t)(random01 * ceiling_ms + 0.5);
}

int bedrock_retry_decide(bedrock_retry_decision *out, bedrock_retry *retry,
			 const bedrock_retry_attempt *attempt, double random01)
{
	unsigned cost = 0;
	uint64_t t;

	if (!out || !retry || !attempt || attempt->attempt == 0)
		return BEDROCK_EINVAL;
	memset(out, 0, sizeof(*out));
	out->category = bedrock_retry_classify(attempt->http_status, attempt->aws_code,
					       attempt->transport);
	if (attempt->partial_delivered)
		out->reason = BEDROCK_RETRY_REASON_PARTIAL_DELIVERED;
	else if (!bedrock_retry_category_retryable(out->category))
		out->reason = BEDROCK_RETRY_REASON_NOT_RETRYABLE;
	else if (attempt->attempt >= retry->max_attempts)
		out->reason = BEDROCK_RETRY_REASON_MAX_ATTEMPTS;
	if (out->reason != BEDROCK_RETRY_REASON_RETRY)
		return BEDROCK_ITEROVER;

	if (retry->mode != BEDROCK_RETRY_LEGACY) {
		cost = attempt->transport == BEDROCK_RETRY_TRANSPORT_TIMEOUT
			       ? BEDROCK_RETRY_TIMEOUT_COST : BEDROCK_RETRY_COST;
		pthread_mutex_lock(&retry->lock);
		if (cost <= retry->quota)
			retry->quota -= cost;
		else
			cost = 0;
		pthread_mutex_unlock(&retry->lock);
		if (!cost) {
			out->reason = BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED;
			return BEDROCK_ITEROVER;
		}
	}
	out->quota_cost = cost;
	t = backoff_ms(attempt->attempt, random01, retry->mode != BEDROCK_RETRY_LEGACY);
	if (attempt->retry_after_ms >= 0) {
		/* botocore 2026: the server may lengthen the wait by at most
		 * 5 s past ours, and never shorten it. */
		uint64_t ra = (uint64_t)attempt->retry_after_ms;
		uint64_t hi = t + BEDROCK_RETRY_AFTER_MAX_EXTRA_MS;

		if (ra > t)
			t = ra < hi ? ra : hi;
	}
	out->delay_ms = t;
	return 0;
}

void bedrock_retry_success(bedrock_retry *retry, unsigned int last_cost)
{
	unsigned refund = last_cost ? last_cost : 1;

	if (!retry || retry->mode == BEDROCK_RETRY_LEGACY)
		return;
	pthread_mutex_lock(&retry->lock);
	if (refund > BEDROCK_RETRY_QUOTA_MAX - retry->quota)
		refund = BEDROCK_RETRY_QUOTA_MAX - retry->quota;
	retry->quota += refund;
	pthread_mutex_unlock(&retry->lock);
}

uint64_t bedrock_retry_acquire(bedrock_retry *retry, double now_s)
{
	uint64_t wait;

	/* A NaN or infinite time would poison the limiter for good. */
	if (!retry || retry->mode != BEDROCK_RETRY_ADAPTIVE || !isfinite(now_s))
		return 0;
	pthread_mutex_lock(&retry->lock);
	wait = bedrock__limiter_acquire(&retry->lim, now_s);
	pthread_mutex_unlock(&retry->lock);
	return wait;
}

void bedrock_retry_record(bedrock_retry *retry, double now_s, int throttled)
{
	if (!retry || retry->mode != BEDROCK_RETRY_ADAPTIVE || !isfinite(now_s))
		return;
	pthread_mutex_lock(&retry->lock);
	bedrock__limiter_record(&retry->lim, now_s, throttled);
	pthread_mutex_unlock(&retry->lock);
}

void bedrock_retry_get_stats(bedrock_retry_stats *out, bedrock_retry *retry)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	if (!retry)
		return;
	pthread_mutex_lock(&retry->lock);
	out->quota = retry->quota;
	if (retry->mode == BEDROCK_RETRY_ADAPTIVE) {
		out->limiter_enabled = retry->lim.enabled;
		out->fill_rate = retry->lim.fill_rate;
		out->max_capacity = retry->lim.max_capacity;
		out->tokens = retry->lim.tokens;
		out->measured_rate = retry->lim.measured;
	}
	pthread_mutex_unlock(&retry->lock);
}

/* A non-negative decimal integer and nothing else (spaces around allowed). */
static int parse_uint(int64_t *out, const char *s)
{
	int64_t v = 0;
	int digits = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s >= '0' && *s <= '9'; s++, digits++) {
		if (v > (INT64_MAX - 9) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	while (*s == ' ' || *s == '\t')
		s++;
	if (!digits || *s)
		return -1;
	*out = v;
	return 0;
}

int64_t bedrock_retry_parse_retry_after(const char *x_amz_retry_after,
					const char *retry_after)
{
	int64_t v;

	if (x_amz_retry_after && parse_uint(&v, x_amz_retry_after) == 0)
		return v;
	if (retry_after && parse_uint(&v, retry_after) == 0)
		return v > INT64_MAX / 1000 ? INT64_MAX : v * 1000;
	return -1;
}
