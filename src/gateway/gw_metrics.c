/* Prometheus metrics. Every series lives in a hash table split in shards,
 * each with its own mutex held only to find or add a series; the counts
 * themselves are atomics, so requests on different threads contend only
 * when they hash to one shard at the same instant. Series are never freed
 * before the table, which lets rendering copy the pointers under each
 * shard's lock and read the atomics after.
 *
 * One "request" series per (key, model, upstream, front, status, error
 * type) holds the request, token and hop counts; rendering sums them into
 * the families gw_metrics_render.c prints, so a request costs one lookup, not one per family.
 * The number of series is capped: past it, new label sets count in one
 * series whose labels are all "other". */
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_metrics.h"
#include "gw_metrics_private.h"

/* 100 µs to 10 minutes, about three per decade. */
const double gw_metrics__buckets[GW_METRICS_BUCKETS] = {
	0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
	0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 600
};

int gw_metrics_new(gw_metrics **out)
{
	return gw_metrics_new_capped(out, GW_METRICS_MAX_SERIES);
}

int gw_metrics_new_capped(gw_metrics **out, size_t cap)
{
	gw_metrics *m = calloc(1, sizeof(*m));
	size_t i;

	*out = NULL;
	if (!m)
		return -1;
	for (i = 0; i < GW_METRICS_SHARDS; i++)
		pthread_mutex_init(&m->shards[i].mu, NULL);
	m->cap = cap;
	*out = m;
	return 0;
}

static void series_free(gw_mseries *s)
{
	size_t i;

	for (i = 0; i < s->nlabels; i++)
		free(s->labels[i]);
	free(s);
}

void gw_metrics_free(gw_metrics *m)
{
	size_t i, j;

	if (!m)
		return;
	for (i = 0; i < GW_METRICS_SHARDS; i++) {
		gw_mshard *sh = &m->shards[i];

		for (j = 0; j < sh->nslots; j++)
			while (sh->slots[j]) {
				gw_mseries *s = sh->slots[j];

				sh->slots[j] = s->next;
				series_free(s);
			}
		free(sh->slots);
		pthread_mutex_destroy(&sh->mu);
	}
	free(m);
}

/* FNV-1a over the family and the labels (each with its length, so that
 * ("ab","c") and ("a","bc") differ). */
static uint64_t hash_of(gw_mfamily f, const char *const *labels, size_t n)
{
	uint64_t h = 1469598103934665603ull ^ (uint64_t)f;
	size_t i, j, len;

	for (i = 0; i < n; i++) {
		len = strlen(labels[i]);
		for (j = 0; j < sizeof(len); j++)
			h = (h ^ ((len >> (8 * j)) & 0xff)) * 1099511628211ull;
		for (j = 0; j < len; j++)
			h = (h ^ (unsigned char)labels[i][j]) * 1099511628211ull;
	}
	return h;
}

static int same(const gw_mseries *s, gw_mfamily f, const char *const *labels, size_t n)
{
	size_t i;

	if (s->family != f || s->nlabels != n)
		return 0;
	for (i = 0; i < n; i++)
		if (strcmp(s->labels[i], labels[i]))
			return 0;
	return 1;
}

static int grow(gw_mshard *sh)
{
	size_t n = sh->nslots ? 2 * sh->nslots : 64, i;
	gw_mseries **slots = calloc(n, sizeof(*slots));

	if (!slots)
		return -1;
	for (i = 0; i < sh->nslots; i++)
		while (sh->slots[i]) {
			gw_mseries *s = sh->slots[i];

			sh->slots[i] = s->next;
			s->next = slots[(s->hash / GW_METRICS_SHARDS) & (n - 1)];
			slots[(s->hash / GW_METRICS_SHARDS) & (n - 1)] = s;
		}
	free(sh->slots);
	sh->slots = slots;
	sh->nslots = n;
	return 0;
}

/* Not inlined into overflow(): GCC 12 at -O3 then sees its 6-byte "other"
 * labels reach the cut's memcpy (which the strnlen test rules out) and
 * -Werror=array-bounds breaks the Release build. */
static gw_mseries *find_or_add(gw_metrics *m, gw_mfamily f, const char *const *labels, size_t n,
			   int capped) __attribute__((noinline));

/* The gw_mseries every label set past the cap counts in. */
static gw_mseries *overflow(gw_metrics *m, gw_mfamily f, size_t n)
{
	static const char *const other[GW_ML_N] = { "other", "other", "other",
						 "other", "other", "other" };

	return find_or_add(m, f, other, n, 0);
}

static gw_mseries *find_or_add(gw_metrics *m, gw_mfamily f, const char *const *labels, size_t n,
			   int capped)
{
	char cut[GW_ML_N][GW_METRICS_MAX_LABEL + 1];
	const char *lab[GW_ML_N];
	uint64_t h;
	gw_mshard *sh;
	gw_mseries *s;
	size_t i;

	/* Labels are stored cut to GW_METRICS_MAX_LABEL bytes: cut them before hashing
	 * so that a long one finds its gw_mseries again. */
	for (i = 0; i < n; i++) {
		lab[i] = labels[i];
		if (strnlen(labels[i], GW_METRICS_MAX_LABEL + 1) > GW_METRICS_MAX_LABEL) {
			memcpy(cut[i], labels[i], GW_METRICS_MAX_LABEL);
			cut[i][GW_METRICS_MAX_LABEL] = '\0';
			lab[i] = cut[i];
		}
	}
	labels = lab;
	h = hash_of(f, labels, n);
	sh = &m->shards[h % GW_METRICS_SHARDS];

	pthread_mutex_lock(&sh->mu);
	if (sh->nslots)
		for (s = sh->slots[(h / GW_METRICS_SHARDS) & (sh->nslots - 1)]; s; s = s->next)
			if (s->hash == h && same(s, f, labels, n)) {
				pthread_mutex_unlock(&sh->mu);
				return s;
			}
	if (capped && atomic_load_explicit(&m->total, memory_order_relaxed) >= m->cap) {
		pthread_mutex_unlock(&sh->mu);
		return overflow(m, f, n);
	}
	if ((sh->count + 1 > sh->nslots * 2 || !sh->nslots) && grow(sh)) {
		pthread_mutex_unlock(&sh->mu);
		return NULL;
	}
	s = calloc(1, sizeof(*s));
	if (!s) {
		pthread_mutex_unlock(&sh->mu);
		return NULL;
	}
	s->hash = h;
	s->family = f;
	for (i = 0; i < n; i++) {
		size_t len = strlen(labels[i]);

		s->labels[i] = malloc(len + 1);
		if (!s->labels[i]) {
			s->nlabels = i;
			series_free(s);
			pthread_mutex_unlock(&sh->mu);
			return NULL;
		}
		memcpy(s->labels[i], labels[i], len);
		s->labels[i][len] = '\0';
		s->nlabels = i + 1;
	}
	s->next = sh->slots[(h / GW_METRICS_SHARDS) & (sh->nslots - 1)];
	sh->slots[(h / GW_METRICS_SHARDS) & (sh->nslots - 1)] = s;
	sh->count++;
	atomic_fetch_add_explicit(&m->total, 1, memory_order_relaxed);
	pthread_mutex_unlock(&sh->mu);
	return s;
}

static void add_double(_Atomic uint64_t *bits, double v)
{
	uint64_t old = atomic_load_explicit(bits, memory_order_relaxed), nw;
	double d;

	do {
		memcpy(&d, &old, sizeof(d));
		d += v;
		memcpy(&nw, &d, sizeof(nw));
	} while (!atomic_compare_exchange_weak_explicit(bits, &old, nw, memory_order_relaxed,
							memory_order_relaxed));
}

static void observe(gw_metrics *m, gw_mfamily f, const char *label, double v)
{
	const char *labels[1] = { label };
	gw_mseries *s = find_or_add(m, f, labels, label ? 1 : 0, 1);
	size_t i;

	if (!s || !(v >= 0))
		return;
	for (i = 0; i < GW_METRICS_BUCKETS && v > gw_metrics__buckets[i]; i++)
		;
	if (i < GW_METRICS_BUCKETS)
		atomic_fetch_add_explicit(&s->bucket[i], 1, memory_order_relaxed);
	atomic_fetch_add_explicit(&s->count, 1, memory_order_relaxed);
	add_double(&s->sum_bits, v);
}

static const char *nz(const char *s)
{
	return s ? s : "";
}

void gw_metrics_record(gw_metrics *m, const gw_metrics_sample *smp)
{
	char status[16];
	const char *labels[GW_ML_N];
	gw_mseries *s;

	snprintf(status, sizeof(status), "%d", smp->status);
	labels[GW_ML_KEY] = nz(smp->key);
	labels[GW_ML_MODEL] = nz(smp->model);
	labels[GW_ML_UPSTREAM] = nz(smp->upstream);
	labels[GW_ML_FRONT] = nz(smp->front);
	labels[GW_ML_STATUS] = status;
	labels[GW_ML_ERROR] = nz(smp->error_type);
	s = find_or_add(m, GW_MF_REQ, labels, GW_ML_N, 1);
	if (s) {
		atomic_fetch_add_explicit(&s->c[GW_MC_REQ], 1, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->c[GW_MC_IN], smp->input_tokens, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->c[GW_MC_OUT], smp->output_tokens, memory_order_relaxed);
		atomic_fetch_add_explicit(&s->c[GW_MC_CREAD], smp->cache_read_tokens,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&s->c[GW_MC_CWRITE], smp->cache_write_tokens,
					  memory_order_relaxed);
		atomic_fetch_add_explicit(&s->c[GW_MC_HOPS], smp->hops, memory_order_relaxed);
	}
	observe(m, GW_MF_LATENCY, nz(smp->upstream), smp->latency_s);
	if (smp->ttft_s >= 0)
		observe(m, GW_MF_TTFT, nz(smp->upstream), smp->ttft_s);
	observe(m, GW_MF_ADDED, NULL, smp->added_s);
}

void gw_metrics_inflight(gw_metrics *m, int delta)
{
	atomic_fetch_add_explicit(&m->inflight, delta, memory_order_relaxed);
}

void gw_metrics_activity_lost(void *m, unsigned long n)
{
	atomic_fetch_add_explicit(&((gw_metrics *)m)->activity_lost, n, memory_order_relaxed);
}

void gw_metrics_upstream_health(gw_metrics *m, const char *upstream, int up)
{
	const char *labels[1] = { nz(upstream) };
	gw_mseries *s = find_or_add(m, GW_MF_HEALTH, labels, 1, 1);

	if (s)
		atomic_store_explicit(&s->gauge, up ? 1 : 0, memory_order_relaxed);
}
