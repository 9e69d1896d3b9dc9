/* Per-key quotas, in-process: one entry per key name in a small hash
 * table behind one mutex (the critical section is a few comparisons and
 * additions, far shorter than anything else a request does). Windows are
 * fixed epoch minutes: an entry keeps only the current minute's counts
 * and starts over when a request arrives in a later one, so memory is
 * one entry per key name, however long the gateway runs. Entries of
 * names no longer configured (after a reload) are swept when idle.
 *
 * With a redis: URL every call goes to gw_quota_redis.c instead. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_quota.h"
#include "gw_quota_redis.h"

typedef struct qentry {
	struct qentry *next;
	uint64_t minute;	/* the window rpm and tpm count */
	uint64_t rpm;
	uint64_t tpm;
	uint32_t inflight;
	char name[];
} qentry;

struct gw_quota {
	gw_qredis *redis;	/* NULL: in-process */
	pthread_mutex_t lock;
	qentry **buckets;
	size_t nbuckets;	/* a power of two */
	size_t count;
};

#define QUOTA_INITIAL_BUCKETS 64

int gw_quota_new(gw_quota **out, const char *redis_url, char *err, size_t err_cap)
{
	gw_quota *q = calloc(1, sizeof(*q));

	*out = NULL;
	if (!q) {
		snprintf(err, err_cap, "quotas: out of memory");
		return -1;
	}
	if (redis_url) {
		if (gw_qredis_new(&q->redis, redis_url, err, err_cap) != 0) {
			free(q);
			return -1;
		}
		*out = q;
		return 0;
	}
	q->nbuckets = QUOTA_INITIAL_BUCKETS;
	q->buckets = calloc(q->nbuckets, sizeof(*q->buckets));
	if (!q->buckets || pthread_mutex_init(&q->lock, NULL) != 0) {
		free(q->buckets);
		free(q);
		snprintf(err, err_cap, "quotas: out of memory");
		return -1;
	}
	*out = q;
	return 0;
}

void gw_quota_free(gw_quota *q)
{
	size_t i;

	if (!q)
		return;
	if (q->redis) {
		gw_qredis_free(q->redis);
		free(q);
		return;
	}
	for (i = 0; i < q->nbuckets; i++) {
		qentry *e = q->buckets[i], *next;

		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(q->buckets);
	pthread_mutex_destroy(&q->lock);
	free(q);
}

/* For the tests of slot leases (Redis only; the in-process counts die
 * with the process anyway). */
void gw_quota_set_lease_ms(gw_quota *q, unsigned lease_ms)
{
	if (q && q->redis)
		gw_qredis_set_lease_ms(q->redis, lease_ms);
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;	/* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* Drops the entries nobody holds a slot of and whose window is over:
 * called before the table grows, so names removed by a reload go. */
static void sweep(gw_quota *q, uint64_t minute)
{
	size_t i;

	for (i = 0; i < q->nbuckets; i++) {
		qentry **pp = &q->buckets[i];

		while (*pp) {
			qentry *e = *pp;

			if (e->inflight == 0 && e->minute < minute) {
				*pp = e->next;
				free(e);
				q->count--;
			} else {
				pp = &e->next;
			}
		}
	}
}

static void grow(gw_quota *q)
{
	size_t n = q->nbuckets * 2, i;
	qentry **b = calloc(n, sizeof(*b));

	if (!b)
		return;	/* longer chains, still correct */
	for (i = 0; i < q->nbuckets; i++) {
		qentry *e = q->buckets[i], *next;

		for (; e; e = next) {
			size_t k = hash_name(e->name) & (n - 1);

			next = e->next;
			e->next = b[k];
			b[k] = e;
		}
	}
	free(q->buckets);
	q->buckets = b;
	q->nbuckets = n;
}

/* The entry of name, created if need be (NULL when out of memory). */
static qentry *entry_of(gw_quota *q, const char *name, uint64_t minute, int create)
{
	size_t k = hash_name(name) & (q->nbuckets - 1), len;
	qentry *e;

	for (e = q->buckets[k]; e; e = e->next)
		if (!strcmp(e->name, name))
			return e;
	if (!create)
		return NULL;
	if (q->count >= q->nbuckets) {
		sweep(q, minute);
		if (q->count >= q->nbuckets) {
			grow(q);
		}
		k = hash_name(name) & (q->nbuckets - 1);
	}
	len = strlen(name);
	e = calloc(1, sizeof(*e) + len + 1);
	if (!e)
		return NULL;
	memcpy(e->name, name, len + 1);
	e->minute = minute;
	e->next = q->buckets[k];
	q->buckets[k] = e;
	q->count++;
	return e;
}

/* Seconds to the start of the next minute, at least 1. */
static unsigned to_next_minute(uint64_t now_ms)
{
	uint64_t left = 60000 - now_ms % 60000;

	return (unsigned)((left + 999) / 1000);
}

/* Nothing to count: every limit off. */
static int unlimited(const gw_key *key)
{
	return key->rpm == 0 && key->tpm == 0 && key->max_concurrent == 0;
}

int gw_quota_remote(const gw_quota *q, const gw_key *key)
{
	return q->redis && !unlimited(key);
}

gw_quota_verdict gw_quota_admit(gw_quota_ticket *out, unsigned *retry_after_s, gw_quota *q,
				const gw_key *key, uint64_t reserve_tokens, uint64_t now_ms)
{
	uint64_t minute = now_ms / 60000;
	gw_quota_verdict v = GW_QUOTA_OK;
	qentry *e;

	memset(out, 0, sizeof(*out));
	out->key = key;
	out->minute = minute;
	*retry_after_s = 0;
	if (unlimited(key))
		return GW_QUOTA_OK;
	if (q->redis)
		return gw_qredis_admit(q->redis, out, retry_after_s, key, reserve_tokens, now_ms);

	pthread_mutex_lock(&q->lock);
	e = entry_of(q, key->name, minute, 1);
	if (!e) {
		pthread_mutex_unlock(&q->lock);
		*retry_after_s = 1;
		return GW_QUOTA_UNAVAILABLE;
	}
	if (e->minute < minute) {
		e->minute = minute;
		e->rpm = 0;
		e->tpm = 0;
	}
	/* A reservation larger than the whole limit is let into an empty
	 * window, or a key with a small tpm could never call at all. */
	if (key->rpm && e->rpm + 1 > key->rpm)
		v = GW_QUOTA_RPM;
	else if (key->tpm && e->tpm > 0 && e->tpm + reserve_tokens > key->tpm)
		v = GW_QUOTA_TPM;
	else if (key->max_concurrent && e->inflight >= key->max_concurrent)
		v = GW_QUOTA_CONCURRENT;
	if (v == GW_QUOTA_OK) {
		e->rpm++;
		e->tpm += reserve_tokens;
		if (key->max_concurrent) {
			e->inflight++;
			out->holds_slot = 1;
		}
		out->reserved_tokens = reserve_tokens;
	}
	pthread_mutex_unlock(&q->lock);
	if (v == GW_QUOTA_RPM || v == GW_QUOTA_TPM)
		*retry_after_s = to_next_minute(now_ms);
	else if (v != GW_QUOTA_OK)
		*retry_after_s = 1;	/* a slot frees when any request ends */
	return v;
}

void gw_quota_settle(gw_quota *q, gw_quota_ticket *t, uint64_t used_tokens)
{
	qentry *e;

	if (!t->key || unlimited(t->key)) {
		t->key = NULL;
		return;
	}
	if (q->redis) {
		gw_qredis_settle(q->redis, t, used_tokens);
		t->key = NULL;
		return;
	}
	pthread_mutex_lock(&q->lock);
	e = entry_of(q, t->key->name, t->minute, 0);
	if (e) {
		/* Only in the window the tokens were reserved in: once it is
		 * over its counts are gone, and the next window owes nothing. */
		if (e->minute == t->minute) {
			if (used_tokens >= t->reserved_tokens)
				e->tpm += used_tokens - t->reserved_tokens;
			else
				e->tpm -= e->tpm < t->reserved_tokens - used_tokens
						  ? e->tpm
						  : t->reserved_tokens - used_tokens;
		}
		if (t->holds_slot && e->inflight > 0)
			e->inflight--;
	}
	pthread_mutex_unlock(&q->lock);
	t->key = NULL;
	t->holds_slot = 0;
}

const char *gw_quota_verdict_name(gw_quota_verdict v)
{
	switch (v) {
	case GW_QUOTA_OK:
		return "ok";
	case GW_QUOTA_RPM:
		return "rpm";
	case GW_QUOTA_TPM:
		return "tpm";
	case GW_QUOTA_CONCURRENT:
		return "max_concurrent";
	case GW_QUOTA_UNAVAILABLE:
		return "unavailable";
	}
	return "unknown";
}
