/* gw_metrics' inside, shared by the recording (gw_metrics.c) and the
 * rendering (gw_metrics_render.c), and the cap the tests lower. */
#ifndef BEDROCK_GW_METRICS_PRIVATE_H
#define BEDROCK_GW_METRICS_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "gw_metrics.h"

#define GW_METRICS_SHARDS 16
#define GW_METRICS_BUCKETS 21
/* Distinct series kept; past it new label sets count as "other". */
#define GW_METRICS_MAX_SERIES 10000
/* Label values are kept (and shown) cut to this many bytes. */
#define GW_METRICS_MAX_LABEL 256

extern const double gw_metrics__buckets[GW_METRICS_BUCKETS];

typedef enum gw_mfamily {
	GW_MF_REQ,		/* labels: key, model, upstream, front, status, error type */
	GW_MF_LATENCY,		/* labels: upstream */
	GW_MF_TTFT,		/* labels: upstream */
	GW_MF_ADDED,		/* no labels */
	GW_MF_HEALTH		/* labels: upstream */
} gw_mfamily;

enum { GW_MC_REQ, GW_MC_IN, GW_MC_OUT, GW_MC_CREAD, GW_MC_CWRITE, GW_MC_HOPS, GW_MC_N };
enum { GW_ML_KEY, GW_ML_MODEL, GW_ML_UPSTREAM, GW_ML_FRONT, GW_ML_STATUS, GW_ML_ERROR,
       GW_ML_N };

typedef struct gw_mseries {
	struct gw_mseries *next;
	uint64_t hash;
	gw_mfamily family;
	char *labels[GW_ML_N];
	size_t nlabels;
	_Atomic uint64_t c[GW_MC_N];
	_Atomic uint64_t bucket[GW_METRICS_BUCKETS];	/* not cumulative */
	_Atomic uint64_t count;
	_Atomic uint64_t sum_bits;	/* a double, added to with compare-and-swap */
	_Atomic int64_t gauge;
} gw_mseries;

typedef struct gw_mshard {
	pthread_mutex_t mu;
	gw_mseries **slots;
	size_t nslots, count;
} gw_mshard;

struct gw_metrics {
	gw_mshard shards[GW_METRICS_SHARDS];
	_Atomic size_t total;
	size_t cap;
	_Atomic int64_t inflight;
	_Atomic uint64_t activity_lost;
};

/* gw_metrics_new with another cap on the series. */
int gw_metrics_new_capped(gw_metrics **out, size_t cap);

#endif
