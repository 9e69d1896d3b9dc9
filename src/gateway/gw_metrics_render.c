/* The Prometheus text exposition (format 0.0.4) of gw_metrics: a snapshot
 * of the series pointers taken shard by shard, sorted so that the output
 * is stable, then the per-request series summed into each family. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_metrics_private.h"

typedef struct out {
	char *p;
	size_t len, cap;
	int oom;
} out;

static void put(out *o, const char *s, size_t n)
{
	if (o->oom)
		return;
	if (o->len + n + 1 > o->cap) {
		size_t cap = o->cap ? o->cap : 4096;
		char *p;

		while (o->len + n + 1 > cap)
			cap *= 2;
		p = realloc(o->p, cap);
		if (!p) {
			o->oom = 1;
			return;
		}
		o->p = p;
		o->cap = cap;
	}
	memcpy(o->p + o->len, s, n);
	o->len += n;
	o->p[o->len] = '\0';
}

static void puts_(out *o, const char *s)
{
	put(o, s, strlen(s));
}

static void printf_(out *o, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void printf_(out *o, const char *fmt, ...)
{
	char buf[128];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > 0)
		put(o, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

/* A label value as the format wants it: \ " and newline escaped. */
static void value(out *o, const char *s)
{
	const char *run = s;

	for (; *s; s++) {
		const char *esc = *s == '\\' ? "\\\\" : *s == '"' ? "\\\"" : *s == '\n' ? "\\n" : NULL;

		if (esc) {
			put(o, run, (size_t)(s - run));
			puts_(o, esc);
			run = s + 1;
		}
	}
	put(o, run, (size_t)(s - run));
}

/* name{a="x",b="y"} with the labels whose name is not NULL. */
static void series_name(out *o, const char *metric, const char *const *names,
			const char *const *values, size_t n)
{
	size_t i, shown = 0;

	puts_(o, metric);
	for (i = 0; i < n; i++) {
		if (!names[i])
			continue;
		puts_(o, shown++ ? "," : "{");
		puts_(o, names[i]);
		puts_(o, "=\"");
		value(o, values[i]);
		puts_(o, "\"");
	}
	if (shown)
		puts_(o, "}");
}

static void head(out *o, const char *metric, const char *type, const char *help)
{
	printf_(o, "# HELP %s ", metric);
	puts_(o, help);
	printf_(o, "\n# TYPE %s %s\n", metric, type);
}

/* Sort orders: order[] lists label indexes, compared in turn. */
static const size_t *sort_order;
static size_t sort_n;

static int cmp(const void *a, const void *b)
{
	const gw_mseries *x = *(gw_mseries *const *)a, *y = *(gw_mseries *const *)b;
	size_t i;
	int r;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	for (i = 0; i < sort_n; i++) {
		size_t l = sort_order[i];

		if (l >= x->nlabels)
			continue;
		r = strcmp(x->labels[l], y->labels[l]);
		if (r)
			return r;
	}
	return 0;
}

static pthread_mutex_t sort_mu = PTHREAD_MUTEX_INITIALIZER;

static void sort_by(gw_mseries **v, size_t n, const size_t *order, size_t k)
{
	/* qsort takes no payload: the order is a static, so one sort at a
	 * time (rendering is rare: a scrape every few seconds). */
	if (n < 2)
		return;
	pthread_mutex_lock(&sort_mu);
	sort_order = order;
	sort_n = k;
	qsort(v, n, sizeof(*v), cmp);
	pthread_mutex_unlock(&sort_mu);
}

static int same_on(const gw_mseries *a, const gw_mseries *b, const size_t *which, size_t k)
{
	size_t i;

	for (i = 0; i < k; i++)
		if (strcmp(a->labels[which[i]], b->labels[which[i]]))
			return 0;
	return 1;
}

static uint64_t get(const _Atomic uint64_t *a)
{
	return atomic_load_explicit(a, memory_order_relaxed);
}

/* Sums counter c of the request series over runs that agree on the labels
 * `group` and prints one line per run (per kind for the tokens). */
static void counters(out *o, gw_mseries **v, size_t n, const size_t *group, size_t k,
		     const char *metric, const char *const *names, int tokens, int errors_only)
{
	static const char *const kinds[] = { "input", "output", "cache_read", "cache_write" };
	size_t i = 0, j, c;

	while (i < n) {
		uint64_t sum[GW_MC_N] = { 0 };
		const char *vals[GW_ML_N + 1];

		for (j = i; j < n && same_on(v[i], v[j], group, k); j++)
			for (c = 0; c < GW_MC_N; c++)
				sum[c] += get(&v[j]->c[c]);
		for (c = 0; c < k; c++)
			vals[c] = v[i]->labels[group[c]];
		if (errors_only && !*v[i]->labels[GW_ML_ERROR]) {
			i = j;
			continue;
		}
		if (tokens) {
			const char *tn[GW_ML_N + 1];

			memcpy(tn, names, k * sizeof(*tn));
			tn[k] = "kind";
			for (c = 0; c < 4; c++) {
				vals[k] = kinds[c];
				series_name(o, metric, tn, vals, k + 1);
				printf_(o, " %llu\n", (unsigned long long)sum[GW_MC_IN + c]);
			}
		} else {
			series_name(o, metric, names, vals, k);
			printf_(o, " %llu\n", (unsigned long long)sum[GW_MC_REQ]);
		}
		i = j;
	}
}

static void hops(out *o, gw_mseries **v, size_t n)
{
	static const size_t group[] = { GW_ML_KEY, GW_ML_MODEL, GW_ML_UPSTREAM };
	static const char *const names[] = { "key", "model", "upstream" };
	size_t i = 0, j;

	while (i < n) {
		uint64_t sum = 0;
		const char *vals[3];

		for (j = i; j < n && same_on(v[i], v[j], group, 3); j++)
			sum += get(&v[j]->c[GW_MC_HOPS]);
		vals[0] = v[i]->labels[GW_ML_KEY];
		vals[1] = v[i]->labels[GW_ML_MODEL];
		vals[2] = v[i]->labels[GW_ML_UPSTREAM];
		if (sum) {
			series_name(o, "bedrock_gateway_failover_hops_total", names, vals, 3);
			printf_(o, " %llu\n", (unsigned long long)sum);
		}
		i = j;
	}
}

static void histogram(out *o, gw_mseries **v, size_t n, const char *metric, const char *label)
{
	char name[128];
	size_t i, b;

	for (i = 0; i < n; i++) {
		const char *names[2] = { label, "le" }, *vals[2];
		size_t nl = label ? 2 : 1, li = label ? 1 : 0;
		uint64_t cum = 0, bits = get(&v[i]->sum_bits);
		char le[32];
		double sum;

		memcpy(&sum, &bits, sizeof(sum));
		if (label)
			vals[0] = v[i]->labels[0];
		else
			names[0] = "le";
		snprintf(name, sizeof(name), "%s_bucket", metric);
		for (b = 0; b <= GW_METRICS_BUCKETS; b++) {
			if (b < GW_METRICS_BUCKETS) {
				cum += get(&v[i]->bucket[b]);
				snprintf(le, sizeof(le), "%g", gw_metrics__buckets[b]);
			} else {
				cum = get(&v[i]->count);
				snprintf(le, sizeof(le), "+Inf");
			}
			vals[li] = le;
			series_name(o, name, names, vals, nl);
			printf_(o, " %llu\n", (unsigned long long)cum);
		}
		snprintf(name, sizeof(name), "%s_sum", metric);
		series_name(o, name, names, vals, nl - 1);
		printf_(o, " %.10g\n", sum);
		snprintf(name, sizeof(name), "%s_count", metric);
		series_name(o, name, names, vals, nl - 1);
		printf_(o, " %llu\n", (unsigned long long)get(&v[i]->count));
	}
}

/* The run of v (sorted by family) of family f. */
static gw_mseries **family(gw_mseries **v, size_t n, gw_mfamily f, size_t *count)
{
	size_t i = 0, j;

	while (i < n && v[i]->family != f)
		i++;
	for (j = i; j < n && v[j]->family == f; j++)
		;
	*count = j - i;
	return v + i;
}

char *gw_metrics_render(gw_metrics *m, size_t *len)
{
	static const size_t req_order[] = { GW_ML_KEY, GW_ML_MODEL, GW_ML_UPSTREAM, GW_ML_FRONT,
					    GW_ML_STATUS, GW_ML_ERROR };
	static const size_t err_order[] = { GW_ML_KEY, GW_ML_MODEL, GW_ML_UPSTREAM, GW_ML_ERROR,
					    GW_ML_FRONT, GW_ML_STATUS };
	static const size_t by_first[] = { 0 };
	static const char *const req_names[] = { "key", "model", "upstream", "front", "status" };
	static const char *const err_names[] = { "key", "model", "upstream", "type" };
	gw_mseries **v = NULL, **f;
	size_t n = 0, cap = 0, i, j, k;
	out o = { NULL, 0, 0, 0 };

	/* never NULL, so that the pointer arithmetic below is on an array */
	cap = 16;
	v = malloc(cap * sizeof(*v));
	if (!v)
		return NULL;
	for (i = 0; i < GW_METRICS_SHARDS; i++) {
		gw_mshard *sh = &m->shards[i];

		pthread_mutex_lock(&sh->mu);
		if (n + sh->count > cap) {
			size_t nc = (n + sh->count) * 2 + 16;
			gw_mseries **nv = realloc(v, nc * sizeof(*v));

			if (!nv) {
				pthread_mutex_unlock(&sh->mu);
				free(v);
				return NULL;
			}
			v = nv;
			cap = nc;
		}
		for (j = 0; j < sh->nslots; j++) {
			gw_mseries *s;

			for (s = sh->slots[j]; s; s = s->next)
				v[n++] = s;
		}
		pthread_mutex_unlock(&sh->mu);
	}

	sort_by(v, n, req_order, 6);
	f = family(v, n, GW_MF_REQ, &k);
	head(&o, "bedrock_gateway_requests_total", "counter",
	     "Requests answered, by client key, model, upstream, front and HTTP status.");
	counters(&o, f, k, req_order, 5, "bedrock_gateway_requests_total", req_names, 0, 0);
	head(&o, "bedrock_gateway_tokens_total", "counter",
	     "Tokens, by client key, model, upstream and kind (input, output, cache_read, "
	     "cache_write).");
	counters(&o, f, k, req_order, 3, "bedrock_gateway_tokens_total", req_names, 1, 0);
	head(&o, "bedrock_gateway_failover_hops_total", "counter",
	     "Upstreams skipped (failover), by client key, model and the upstream that answered.");
	hops(&o, f, k);
	sort_by(f, k, err_order, 6);
	head(&o, "bedrock_gateway_errors_total", "counter",
	     "Failed requests, by client key, model, upstream and error type.");
	counters(&o, f, k, err_order, 4, "bedrock_gateway_errors_total", err_names, 0, 1);

	sort_by(v, n, by_first, 1);
	f = family(v, n, GW_MF_LATENCY, &k);
	head(&o, "bedrock_gateway_request_duration_seconds", "histogram",
	     "Time from the request's arrival to the end of its answer, by upstream.");
	histogram(&o, f, k, "bedrock_gateway_request_duration_seconds", "upstream");
	f = family(v, n, GW_MF_TTFT, &k);
	head(&o, "bedrock_gateway_time_to_first_token_seconds", "histogram",
	     "Time from the request's arrival to the first byte of the answer's body, by "
	     "upstream.");
	histogram(&o, f, k, "bedrock_gateway_time_to_first_token_seconds", "upstream");
	f = family(v, n, GW_MF_ADDED, &k);
	head(&o, "bedrock_gateway_added_seconds", "histogram",
	     "The gateway's own time per request: the latency minus the time spent waiting on "
	     "upstreams.");
	histogram(&o, f, k, "bedrock_gateway_added_seconds", NULL);
	head(&o, "bedrock_gateway_streams_in_flight", "gauge",
	     "Response bodies being sent now.");
	printf_(&o, "bedrock_gateway_streams_in_flight %lld\n",
		(long long)atomic_load_explicit(&m->inflight, memory_order_relaxed));
	head(&o, "bedrock_gateway_activity_lines_lost_total", "counter",
	     "Activity log lines that could not be written (a full disk, a removed directory).");
	printf_(&o, "bedrock_gateway_activity_lines_lost_total %llu\n",
		(unsigned long long)atomic_load_explicit(&m->activity_lost, memory_order_relaxed));
	f = family(v, n, GW_MF_HEALTH, &k);
	head(&o, "bedrock_gateway_upstream_up", "gauge",
	     "1 when the upstream takes requests, 0 while it cools down after a failure.");
	for (i = 0; i < k; i++) {
		static const char *const un[] = { "upstream" };

		series_name(&o, "bedrock_gateway_upstream_up", un, (const char *const *)f[i]->labels,
			    1);
		printf_(&o, " %lld\n",
			(long long)atomic_load_explicit(&f[i]->gauge, memory_order_relaxed));
	}
	free(v);
	if (o.oom) {
		free(o.p);
		return NULL;
	}
	if (len)
		*len = o.len;
	return o.p;
}
