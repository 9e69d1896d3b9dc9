/* Prometheus metrics (text exposition format 0.0.4), served at
 * GET /metrics. Counters and histograms are updated with atomics or one
 * short lock per request; rendering takes a snapshot. Label values are
 * the configuration's names (key, upstream) and catalog model ids, so
 * their number is bounded. Thread-safe. */
#ifndef BEDROCK_GW_METRICS_H
#define BEDROCK_GW_METRICS_H

#include <stddef.h>
#include <stdint.h>

typedef struct gw_metrics gw_metrics;

int gw_metrics_new(gw_metrics **out);
void gw_metrics_free(gw_metrics *m);

/* One finished request. */
typedef struct gw_metrics_sample {
	const char *key;		/* key name; "" when unauthenticated */
	const char *model;		/* model as routed; "" when none */
	const char *upstream;		/* upstream name; "" when none was reached */
	const char *front;		/* bedrock | anthropic | vertex */
	int status;
	const char *error_type;		/* NULL on success */
	uint64_t input_tokens, output_tokens, cache_read_tokens, cache_write_tokens;
	double latency_s;
	double ttft_s;			/* < 0: no first byte */
	double added_s;			/* gateway's own time: latency minus upstream time */
	unsigned hops;
} gw_metrics_sample;

void gw_metrics_record(gw_metrics *m, const gw_metrics_sample *s);
/* Streams in flight: +1 when a response body starts, -1 when it ends. */
void gw_metrics_inflight(gw_metrics *m, int delta);
/* Activity log lines that could not be written (gw_activity_on_lost's
 * shape: arg is the gw_metrics). */
void gw_metrics_activity_lost(void *m, unsigned long n);
/* Upstream health: 1 up, 0 cooling down after a failure. */
void gw_metrics_upstream_health(gw_metrics *m, const char *upstream, int up);

/* The exposition text (malloc'ed, NUL-terminated), or NULL on ENOMEM. */
char *gw_metrics_render(gw_metrics *m, size_t *len);

#endif
