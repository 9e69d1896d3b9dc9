/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The retry policy, as the AWS SDKs' "standard" and "adaptive" modes
 * (botocore retries/{standard,quota,adaptive,bucket,throttling}.py).
 *
 * Pure: no I/O, no clock, no global state. The caller passes the time and
 * the random number in and does the sleeping, so every decision can be
 * tested exactly. Per attempt, the client does:
 *
 *     wait = bedrock_retry_acquire(r, now);          (adaptive; sleep it)
 *     send; bedrock_retry_record(r, now, throttled);  (adaptive)
 *     success: bedrock_retry_success(r, last_cost)
 *     failure: bedrock_retry_decide(&d, r, &attempt, rand01):
 *              0 → sleep d.delay_ms and try again; BEDROCK_ITEROVER → give up
 */
#ifndef BEDROCK_RETRY_H
#define BEDROCK_RETRY_H

#include <stdint.h>

#include "config.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bedrock_retry_mode {
	/** Not chosen: bedrock_retry_options_from_config() resolves it from
	 *  $AWS_RETRY_MODE and the profile; bedrock_retry_new() takes it as
	 *  BEDROCK_RETRY_STANDARD. */
	BEDROCK_RETRY_MODE_DEFAULT = 0,
	/** Exponential backoff with jitter, capped at 20 s, and a retry quota. */
	BEDROCK_RETRY_STANDARD = 1,
	/** Standard plus a client-side rate limiter that starts after the
	 *  first throttle. */
	BEDROCK_RETRY_ADAPTIVE = 2,
	/** botocore's old default: 5 attempts, uncapped backoff, no quota. */
	BEDROCK_RETRY_LEGACY = 3
} bedrock_retry_mode;

/** What a failed attempt was (the categories of aws-c-io retry_strategy.h). */
typedef enum bedrock_retry_category {
	/** Not a failure (a 2xx/3xx with no error code). */
	BEDROCK_RETRY_NONE = 0,
	/** Retryable: connection failures, timeouts, resets, HTTP 500/502/503/504,
	 *  RequestTimeout(Exception), ModelNotReadyException. */
	BEDROCK_RETRY_TRANSIENT = 1,
	/** Retryable, and slows the adaptive limiter: ThrottlingException and
	 *  the other throttling codes, HTTP 429. */
	BEDROCK_RETRY_THROTTLING = 2,
	/** Not retried: other 5xx. */
	BEDROCK_RETRY_SERVER_ERROR = 3,
	/** Not retried: 4xx (Validation, AccessDenied, ResourceNotFound,
	 *  ModelTimeout 408, ModelError 424, ServiceQuotaExceeded) and
	 *  transport errors other than the ones below. */
	BEDROCK_RETRY_CLIENT_ERROR = 4
} bedrock_retry_category;

/** How an attempt failed below HTTP, as the client maps its transport's codes. */
typedef enum bedrock_retry_transport {
	BEDROCK_RETRY_TRANSPORT_NONE = 0,
	/** Could not connect (refused, unreachable, DNS). */
	BEDROCK_RETRY_TRANSPORT_CONNECT = 1,
	/** Connect or read timeout (costs 10 quota units instead of 5). */
	BEDROCK_RETRY_TRANSPORT_TIMEOUT = 2,
	/** The connection was reset or closed early, nothing or a part received. */
	BEDROCK_RETRY_TRANSPORT_RESET = 3,
	/** Anything else (TLS verification, bad URL, ...): not retried. */
	BEDROCK_RETRY_TRANSPORT_OTHER = 4
} bedrock_retry_transport;

#define BEDROCK_RETRY_OPTIONS_VERSION 1

typedef struct bedrock_retry_options {
	/** (Required) BEDROCK_RETRY_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Default BEDROCK_RETRY_MODE_DEFAULT (= standard). */
	bedrock_retry_mode mode;
	/** (Optional) Total attempts including the first; 1 = never retry.
	 *  0 = default: 3, or 5 in legacy mode. */
	unsigned int max_attempts;
} bedrock_retry_options;

#define BEDROCK_RETRY_OPTIONS_INIT { BEDROCK_RETRY_OPTIONS_VERSION, BEDROCK_RETRY_MODE_DEFAULT, 0 }

/** Retry quota: capacity, and what a retry costs (botocore quota.py). */
#define BEDROCK_RETRY_QUOTA_MAX 500
#define BEDROCK_RETRY_COST 5
#define BEDROCK_RETRY_TIMEOUT_COST 10
/** Cap of the computed backoff, and how far past it Retry-After may go. */
#define BEDROCK_RETRY_MAX_BACKOFF_MS 20000
#define BEDROCK_RETRY_AFTER_MAX_EXTRA_MS 5000

/** One client's retry state: the quota and the rate limiter. Thread-safe. */
typedef struct bedrock_retry bedrock_retry;

/**
 * @param out     the new state; free with bedrock_retry_free()
 * @param options NULL for the defaults (standard, 3 attempts)
 * @return 0, BEDROCK_EINVAL (bad version or mode) or BEDROCK_ENOMEM
 */
int bedrock_retry_new(bedrock_retry **out, const bedrock_retry_options *options);
void bedrock_retry_free(bedrock_retry *retry);

/** The mode and total attempts in force (after defaults). */
bedrock_retry_mode bedrock_retry_get_mode(const bedrock_retry *retry);
unsigned int bedrock_retry_get_max_attempts(const bedrock_retry *retry);

/**
 * Fills the fields of @p out that are still unset (mode
 * BEDROCK_RETRY_MODE_DEFAULT, max_attempts 0) from $AWS_RETRY_MODE /
 * $AWS_MAX_ATTEMPTS, then the profile's `retry_mode` / `max_attempts`,
 * then the defaults; values set in @p out win.
 *
 * @param out    in/out; initialise with BEDROCK_RETRY_OPTIONS_INIT
 * @param config (Optional) the loaded profile; NULL reads the environment only
 * @param err    (Optional) says which setting was invalid and why
 * @return 0, BEDROCK_ECONFIG (a mode other than legacy, standard or
 *         adaptive; attempts not a positive integer) or BEDROCK_EINVAL
 */
int bedrock_retry_options_from_config(bedrock_retry_options *out,
				      const bedrock_config *config,
				      bedrock_error_info *err);

/**
 * Classifies one failed (or successful) attempt.
 *
 * @param http_status 0 when no response arrived
 * @param aws_code    (Optional) the AWS error code, e.g. "ThrottlingException";
 *                    a botocore-style "prefix#Code:suffix" is reduced to "Code"
 * @param transport   BEDROCK_RETRY_TRANSPORT_NONE when a response arrived
 */
bedrock_retry_category bedrock_retry_classify(int http_status, const char *aws_code,
					      bedrock_retry_transport transport);

/** 1 for TRANSIENT and THROTTLING, else 0. */
int bedrock_retry_category_retryable(bedrock_retry_category category);
/** "none", "transient", "throttling", "server_error", "client_error". */
const char *bedrock_retry_category_name(bedrock_retry_category category);
/** "default", "standard", "adaptive", "legacy". */
const char *bedrock_retry_mode_name(bedrock_retry_mode mode);

/** A failed attempt, as bedrock_retry_decide() needs it. */
typedef struct bedrock_retry_attempt {
	/** Attempts made so far, this failed one included (1 after the first). */
	unsigned int attempt;
	/** HTTP status, 0 when none. */
	int http_status;
	/** (Optional) AWS error code. */
	const char *aws_code;
	bedrock_retry_transport transport;
	/** Non-zero once any part of the response (a stream event) has reached
	 *  the caller: never retried, since a retry would repeat it. */
	int partial_delivered;
	/** From bedrock_retry_parse_retry_after(); -1 when none. */
	int64_t retry_after_ms;
} bedrock_retry_attempt;

#define BEDROCK_RETRY_ATTEMPT_INIT { 1, 0, NULL, BEDROCK_RETRY_TRANSPORT_NONE, 0, -1 }

/** Why bedrock_retry_decide() decided as it did. */
typedef enum bedrock_retry_reason {
	BEDROCK_RETRY_REASON_RETRY = 0,
	BEDROCK_RETRY_REASON_NOT_RETRYABLE = 1,
	BEDROCK_RETRY_REASON_MAX_ATTEMPTS = 2,
	BEDROCK_RETRY_REASON_QUOTA_EXHAUSTED = 3,
	BEDROCK_RETRY_REASON_PARTIAL_DELIVERED = 4
} bedrock_retry_reason;

/** "retry", "not retryable", "max attempts reached", ... */
const char *bedrock_retry_reason_name(bedrock_retry_reason reason);

typedef struct bedrock_retry_decision {
	bedrock_retry_category category;
	bedrock_retry_reason reason;
	/** When retrying: how long to sleep first. */
	uint64_t delay_ms;
	/** When retrying: the quota taken; pass it to bedrock_retry_success()
	 *  if the retry succeeds. 0 otherwise (and always in legacy mode). */
	unsigned int quota_cost;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_retry_decision;

/**
 * Decides whether to retry a failed attempt and after how long.
 *
 * Retries when the attempt is not partly delivered, attempt < max attempts,
 * the category is retryable and (standard, adaptive) the quota holds the
 * retry's cost, which is then taken. The delay is
 * `random01 × min(2^(attempt−1), 20)` seconds (legacy: uncapped); with a
 * Retry-After of `ra`, `max(t, min(ra, t + 5 s))`.
 *
 * @param out      the decision (always filled when @p retry and @p attempt are valid)
 * @param random01 a uniform random number in [0, 1); clamped into it
 * @return 0 (retry after out->delay_ms), BEDROCK_ITEROVER (do not retry;
 *         out->reason says why) or BEDROCK_EINVAL (NULL, attempt 0)
 */
int bedrock_retry_decide(bedrock_retry_decision *out, bedrock_retry *retry,
			 const bedrock_retry_attempt *attempt, double random01);

/**
 * Call once per request that ended in a 2xx: refunds @p last_cost (the
 * quota_cost of the retry that succeeded) or, if 0 (the first try
 * succeeded), 1 unit; never above BEDROCK_RETRY_QUOTA_MAX.
 */
void bedrock_retry_success(bedrock_retry *retry, unsigned int last_cost);

/**
 * Adaptive mode, before each send (retries included): takes one token and
 * returns how many milliseconds the caller must sleep before sending (0 when
 * a token was there, and always in the other modes or before the first
 * throttle). A token may be reserved ahead, so concurrent callers queue.
 *
 * @param now_s any monotonic clock in seconds, the same for every call;
 *              a NaN or infinite time is ignored (0, nothing taken)
 */
uint64_t bedrock_retry_acquire(bedrock_retry *retry, double now_s);

/**
 * Adaptive mode, after each response (success or error): measures the send
 * rate and moves the limiter's rate along CUBIC. No-op in other modes.
 *
 * @param throttled non-zero when the response classified as THROTTLING
 */
void bedrock_retry_record(bedrock_retry *retry, double now_s, int throttled);

/** A snapshot of the state, for logs and tests. */
typedef struct bedrock_retry_stats {
	/** Retry quota left, 0..BEDROCK_RETRY_QUOTA_MAX. */
	unsigned int quota;
	/** Adaptive: 1 once the limiter is on (after the first throttle). */
	int limiter_enabled;
	/** Adaptive: tokens per second, at least 0.5. */
	double fill_rate;
	/** Adaptive: the bucket's capacity, max(rate, 1). */
	double max_capacity;
	/** Adaptive: tokens now (negative when sends are reserved ahead). */
	double tokens;
	/** Adaptive: smoothed send rate, requests per second. */
	double measured_rate;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_retry_stats;

void bedrock_retry_get_stats(bedrock_retry_stats *out, bedrock_retry *retry);

/**
 * The server's requested wait: `x-amz-retry-after` (milliseconds) if it is a
 * valid integer, else `Retry-After` in delta-seconds. HTTP-date values are
 * ignored (that would need the clock).
 *
 * @param x_amz_retry_after (Optional) the header's value
 * @param retry_after       (Optional) the header's value
 * @return milliseconds, or -1 when neither gives one
 */
int64_t bedrock_retry_parse_retry_after(const char *x_amz_retry_after,
					const char *retry_after);

#ifdef __cplusplus
}
#endif

#endif
