/* Adaptive mode's client-side rate limiter (botocore retries/adaptive.py,
 * bucket.py, throttling.py): a token bucket that only starts limiting after
 * the first throttle, whose rate falls by BETA on each throttle and climbs
 * back along a CUBIC curve, never above twice the measured send rate.
 * The caller holds the lock and brings the time. */
#include <float.h>

#include "retry_private.h"

#define MIN_FILL_RATE 0.5
#define BETA 0.7
#define SCALE 0.4
#define SMOOTHING 0.8
#define BUCKETS_PER_SECOND 2.0	/* send rate counted in 0.5 s buckets */
#define MAX_RATE_SCALE 2.0

/* floor and ceil for finite x, also ours (an unoptimised build calls
 * libm's). Doubles of 2^52 and beyond are whole already. */
static double floor_of(double x)
{
	double t;

	if (x >= 4503599627370496.0 || x <= -4503599627370496.0)
		return x;
	t = (double)(long long)x;
	return t > x ? t - 1.0 : t;
}

static double ceil_of(double x)
{
	return -floor_of(-x);
}

/* The cube root of x >= 0, by Newton's method from above (it converges
 * monotonically once the start is within a factor of two). Our own, so the
 * library needs no libm: one more shared library costs every process that
 * links us ~300 KB of resident pages, for one call per throttle. */
static double cube_root(double x)
{
	double r = 1.0, next;
	int i;

	if (!(x > 0.0) || x > DBL_MAX)
		return x > 0.0 ? x : 0.0;
	while (r * r * r < x)
		r *= 2.0;
	while (r > DBL_MIN && (r / 2.0) * (r / 2.0) * (r / 2.0) >= x)
		r /= 2.0;
	for (i = 0; i < 100; i++) {
		next = (2.0 * r + x / (r * r)) / 3.0;
		if (next >= r)
			break;
		r = next;
	}
	return r;
}

void bedrock__limiter_init(bedrock__limiter *l)
{
	/* botocore starts the bucket at max_rate 1 with no tokens, and the
	 * CUBIC curve at w_max 0. */
	l->started = 0;
	l->enabled = 0;
	l->fill_rate = 1.0;
	l->max_capacity = 1.0;
	l->tokens = 0.0;
	l->w_max = 0.0;
	l->k = 0.0;
	l->measured = 0.0;
	l->count = 0;
}

/* The first time seen stands for botocore's construction time. */
static void start(bedrock__limiter *l, double now)
{
	if (l->started)
		return;
	l->started = 1;
	l->last_refill = now;
	l->last_fail = now;
	/* botocore RateClocker floors to whole seconds here (not to a
	 * half-second bucket); kept so the rates match it exactly. */
	l->last_bucket = floor_of(now);
}

static void refill(bedrock__limiter *l, double now)
{
	double t;

	/* Threads may bring slightly older times: never go backwards. */
	if (now <= l->last_refill)
		return;
	t = l->tokens + (now - l->last_refill) * l->fill_rate;
	l->tokens = t < l->max_capacity ? t : l->max_capacity;
	l->last_refill = now;
}

static void set_rate(bedrock__limiter *l, double rate, double now)
{
	/* Tokens earned so far were earned at the old rate. */
	refill(l, now);
	l->fill_rate = rate > MIN_FILL_RATE ? rate : MIN_FILL_RATE;
	l->max_capacity = rate >= 1.0 ? rate : 1.0;
	if (l->tokens > l->max_capacity)
		l->tokens = l->max_capacity;
}

uint64_t bedrock__limiter_acquire(bedrock__limiter *l, double now)
{
	double wait;

	start(l, now);
	if (!l->enabled)
		return 0;
	refill(l, now);
	/* Take the token even when it is not there yet: the bucket goes
	 * negative and the caller sleeps until it would have refilled, so
	 * concurrent callers queue up behind one another instead of all
	 * waking at once (botocore blocks inside acquire instead). */
	wait = (1.0 - l->tokens) / l->fill_rate;
	l->tokens -= 1.0;
	if (!(wait > 0.0))
		return 0;
	/* Only a caller reserving for years gets here; keep the cast defined. */
	if (wait > 1e12)
		wait = 1e12;
	return (uint64_t)ceil_of(wait * 1000.0);
}

static double measure(bedrock__limiter *l, double now)
{
	double bucket = floor_of(now * BUCKETS_PER_SECOND) / BUCKETS_PER_SECOND;

	l->count++;
	if (bucket > l->last_bucket) {
		double rate = (double)l->count / (bucket - l->last_bucket);

		l->measured = rate * SMOOTHING + l->measured * (1.0 - SMOOTHING);
		l->count = 0;
		l->last_bucket = bucket;
	}
	return l->measured;
}

void bedrock__limiter_record(bedrock__limiter *l, double now, int throttled)
{
	double measured, rate, d;

	start(l, now);
	measured = measure(l, now);
	if (!throttled) {
		d = now - l->last_fail - l->k;
		rate = SCALE * d * d * d + l->w_max;
	} else {
		/* The rate we were sending at when throttled becomes w_max. */
		l->w_max = l->enabled && l->fill_rate < measured ? l->fill_rate : measured;
		l->k = cube_root(l->w_max * (1.0 - BETA) / SCALE);
		l->last_fail = now;
		rate = l->w_max * BETA;
		l->enabled = 1;
	}
	if (rate > MAX_RATE_SCALE * measured)
		rate = MAX_RATE_SCALE * measured;
	set_rate(l, rate, now);
}
