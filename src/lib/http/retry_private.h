/* The retry state shared by retry.c (policy and quota) and
 * retry_adaptive.c (the client-side rate limiter). */
#ifndef BEDROCK_RETRY_PRIVATE_H
#define BEDROCK_RETRY_PRIVATE_H

#include <pthread.h>

#include "bedrock/retry.h"

/* botocore adaptive.py / bucket.py / throttling.py. The times are the
 * caller's clock; `started` is 0 until the first call brings one. */
typedef struct bedrock__limiter {
	int started;
	int enabled;
	/* token bucket */
	double fill_rate, max_capacity, tokens, last_refill;
	/* CUBIC */
	double w_max, k, last_fail;
	/* measured send rate */
	double measured, last_bucket;
	unsigned long count;
} bedrock__limiter;

struct bedrock_retry {
	bedrock_retry_mode mode;
	unsigned int max_attempts;
	/* One lock for the quota and the limiter: a client's threads share
	 * both, and each critical section is a few arithmetic operations. */
	pthread_mutex_t lock;
	unsigned int quota;
	bedrock__limiter lim;
};

/* Called with r->lock held. */
void bedrock__limiter_init(bedrock__limiter *l);
uint64_t bedrock__limiter_acquire(bedrock__limiter *l, double now);
void bedrock__limiter_record(bedrock__limiter *l, double now, int throttled);

#endif
