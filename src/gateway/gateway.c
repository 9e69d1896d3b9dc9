/* The gateway: generations of the configuration, the reload thread, the
 * server. See gateway.h. */
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "gateway.h"
#include "gw_driver.h"
#include "gw_internal.h"

/* The serving layer makes at most 16 HTTP/1.1 loops. */
#define GW_LOOPS_MAX 16

struct gateway {
	serve_server *server;
	gw_metrics *metrics;
	gw_driver *driver;		/* the upstream loop of relayed streams */
	/* The drivers of the serving layer's HTTP/1.1 loops (whole answers),
	 * made on each loop's first request: read without a lock (entries
	 * are published by the count, never changed), added under lock. */
	struct {
		struct event_base *base;
		gw_driver *drv;
	} loops[GW_LOOPS_MAX];
	atomic_size_t nloops;
	gw_finisher *finisher;		/* their ends, off the loop */
	char *config_path;
	char *listen_override;
	int quiet;
	pthread_mutex_t lock;		/* current */
	gw_gen *current;
	pthread_mutex_t log_lock;
	/* Signals post, the reload thread waits: no allocation or lock in a
	 * signal handler. */
	sem_t wake;
	atomic_int reload_wanted;
	atomic_int quitting;
	pthread_t reloader;
	int reloader_started;
	atomic_uint drain_s;
	atomic_int active;		/* exchanges not finished */
	atomic_uint_fast64_t finished;	/* exchanges finished, ever */
};

/* glibc's mmap and trim thresholds (gateway_new). */
#define GW_MALLOC_THRESHOLD (256 * 1024)

/* Two malloc arenas a core (gateway_new). */
static int gw_malloc_arenas(void)
{
	long cores = sysconf(_SC_NPROCESSORS_ONLN);

	return cores > 0 && cores < 1024 ? (int)cores * 2 : 4;
}

/* How often the reload thread looks whether the gateway went idle. */
#define IDLE_CHECK_S 5
/* How long keep_warm leaves an upstream whose credentials failed. */
#define WARM_RETRY_MS 60000

uint64_t gw_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

int64_t gw_wall_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void gw_logf(gateway *g, const char *fmt, ...)
{
	char line[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	pthread_mutex_lock(&g->log_lock);
	fprintf(stderr, "bedrock gateway: %s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&g->log_lock);
}

static void serve_log(void *payload, const char *line)
{
	gateway *g = payload;

	pthread_mutex_lock(&g->log_lock);
	fprintf(stderr, "%s\n", line);
	fflush(stderr);
	pthread_mutex_unlock(&g->log_lock);
}

gw_driver *gw_gateway_driver(gateway *g)
{
	return g->driver;
}

gw_driver *gw_gateway_loop_driver(gateway *g, struct event_base *base)
{
	size_t i, n = atomic_load(&g->nloops);
	gw_driver *d = NULL;

	for (i = 0; i < n; i++)
		if (g->loops[i].base == base)
			return g->loops[i].drv;
	/* This loop's first request: only its own thread gets here for it. */
	pthread_mutex_lock(&g->lock);
	n = atomic_load(&g->nloops);
	if (n < GW_LOOPS_MAX && !gw_driver_on_loop(&d, base)) {
		g->loops[n].base = base;
		g->loops[n].drv = d;
		atomic_store(&g->nloops, n + 1);
	}
	pthread_mutex_unlock(&g->lock);
	return d;
}

gw_finisher *gw_gateway_finisher(gateway *g)
{
	return g->finisher;
}

gw_metrics *gw_gateway_metrics(gateway *g)
{
	return g->metrics;
}

size_t gw_gateway_loops(gateway *g, serve_loop_stat *out, size_t cap)
{
	return g->server ? serve_server_loops(g->server, out, cap) : 0;
}

static void quota_unref(gw_quota_ref *r)
{
	if (r && atomic_fetch_sub(&r->refs, 1) == 1) {
		gw_quota_free(r->q);
		free(r->redis);
		free(r);
	}
}

static void gen_free(gw_gen *gen)
{
	gw_upstreams_free(gen);
	gw_activity_free(gen->activity);
	quota_unref(gen->quota);
	gw_config_unref(gen->cfg);
	free(gen);
}

void gw_gen_release(gw_gen *gen)
{
	if (gen && atomic_fetch_sub(&gen->refs, 1) == 1)
		gen_free(gen);
}

gw_gen *gw_gen_acquire(gateway *g)
{
	gw_gen *gen;

	pthread_mutex_lock(&g->lock);
	gen = g->current;
	atomic_fetch_add(&gen->refs, 1);
	pthread_mutex_unlock(&g->lock);
	return gen;
}

static int same_str(const char *a, const char *b)
{
	return a == b || (a && b && !strcmp(a, b));
}

/* A generation for cfg (taken over). The quota of prev is shared when its
 * Redis URL is the same, so a reload keeps the minute's counts. */
static gw_gen *gen_make(gw_config *cfg, const gw_gen *prev, gw_metrics *metrics, char *err,
			size_t err_cap)
{
	gw_gen *gen = calloc(1, sizeof(*gen));

	if (!gen) {
		gw_config_unref(cfg);
		snprintf(err, err_cap, "out of memory");
		return NULL;
	}
	atomic_init(&gen->refs, 1);
	gen->cfg = cfg;
	if (prev && same_str(prev->quota->redis, cfg->redis)) {
		gen->quota = prev->quota;
		atomic_fetch_add(&gen->quota->refs, 1);
	} else {
		gw_quota_ref *r = calloc(1, sizeof(*r));

		if (!r || (cfg->redis && !(r->redis = strdup(cfg->redis)))) {
			free(r);
			snprintf(err, err_cap, "out of memory");
			goto fail;
		}
		atomic_init(&r->refs, 1);
		gen->quota = r;
		if (gw_quota_new(&r->q, cfg->redis, err, err_cap))
			goto fail;
	}
	if (cfg->activity_log.dir &&
	    (gw_activity_open(&gen->activity, cfg->activity_log.dir, cfg->activity_log.retention_days,
			     cfg->activity_log.bodies, err, err_cap) ||
	     gw_activity_set_flush(gen->activity, cfg->activity_log.flush_ms, err, err_cap)))
		goto fail;
	if (gen->activity)
		gw_activity_on_lost(gen->activity, gw_metrics_activity_lost, metrics);
	if (gw_upstreams_make(gen, err, err_cap))
		goto fail;
	return gen;
fail:
	gen_free(gen);
	return NULL;
}

static void reload(gateway *g)
{
	gw_config *cfg;
	gw_gen *gen, *old;
	char err[1024];

	if (gw_config_load(&cfg, g->config_path, err, sizeof(err))) {
		gw_logf(g, "%s; keeping the running configuration", err);
		return;
	}
	if (!same_str(cfg->listen, g->current->cfg->listen) && !g->listen_override)
		gw_logf(g, "%s: listen: changes only at a restart; still serving the old address",
			g->config_path);
	if (!same_str(cfg->tls_cert, g->current->cfg->tls_cert) ||
	    !same_str(cfg->tls_key, g->current->cfg->tls_key))
		gw_logf(g, "%s: tls_cert/tls_key change only at a restart", g->config_path);
	if (!(gen = gen_make(cfg, g->current, g->metrics, err, sizeof(err)))) {
		gw_logf(g, "%s: %s; keeping the running configuration", g->config_path, err);
		return;
	}
	atomic_store(&g->drain_s, cfg->limits.drain_timeout_s);
	pthread_mutex_lock(&g->lock);
	old = g->current;
	g->current = gen;
	pthread_mutex_unlock(&g->lock);
	gw_gen_release(old);
	gw_logf(g, "configuration reloaded from %s", g->config_path);
}

void gw_gateway_busy(gateway *g, int delta)
{
	atomic_fetch_add(&g->active, delta);
	if (delta < 0)
		atomic_fetch_add(&g->finished, 1);
}

/* Idle after work: the memory a burst freed goes back to the system.
 * glibc returns freed pages inside its heaps only when asked; the worker
 * threads and the finisher let go of theirs over the next idle seconds,
 * so the first few idle looks each trim. */
#define IDLE_TRIMS 4

static void trim_if_idle(gateway *g, uint_fast64_t *seen, int *trims_left)
{
	uint_fast64_t done = atomic_load(&g->finished);

	if (done != *seen) {
		*seen = done;
		*trims_left = IDLE_TRIMS;
	}
	if (atomic_load(&g->active) || !*trims_left)
		return;
	malloc_trim(0);
	(*trims_left)--;
}

/* Credentials and tokens resolved here, ahead of the requests: the
 * library refreshes them only near their expiry, so a request then finds
 * them fresh, and a loop (an HTTP/1.1 request's thread) never waits for
 * a refresh's round trip. An error is left for the request to meet. */
static void keep_warm(gateway *g)
{
	gw_gen *gen = gw_gen_acquire(g);
	uint64_t now = gw_now_ns() / 1000000;

	for (size_t i = 0; i < gen->up_count; i++) {
		gw_upstream_rt *u = &gen->ups[i];
		bedrock_error_info e;

		/* A chain that fails (no credentials yet, a provider down) is
		 * tried again a minute later, not every few seconds. */
		if (now < u->warm_retry_ms)
			continue;
		if (bedrock_client_prepare(u->client, &e))
			u->warm_retry_ms = now + WARM_RETRY_MS;
	}
	gw_gen_release(gen);
}

static void *reloader(void *arg)
{
	gateway *g = arg;
	uint_fast64_t seen = 0;
	int trims_left = 0;

	keep_warm(g);
	for (;;) {
		struct timespec until;
		int rc;

		clock_gettime(CLOCK_REALTIME, &until);
		until.tv_sec += IDLE_CHECK_S;
		while ((rc = sem_timedwait(&g->wake, &until)) && errno == EINTR)
			;
		if (atomic_load(&g->quitting))
			return NULL;
		if (rc) {
			trim_if_idle(g, &seen, &trims_left);
			keep_warm(g);
			continue;
		}
		if (atomic_exchange(&g->reload_wanted, 0)) {
			reload(g);
			keep_warm(g);
		}
	}
}

int gateway_new(gateway **out, const gateway_options *opts, char *url, size_t url_cap,
		char *err, size_t err_cap)
{
	serve_server_options so;
	gw_config *cfg;
	gateway *g;

	*out = NULL;
	if (gw_config_load(&cfg, opts->config_path, err, err_cap))
		return -1;
	/* Memory back to the system once a burst is over. glibc gives a
	 * thread arena's free top back only when a big block is freed into it,
	 * never on malloc_trim: its sixteen arenas (eight a core) kept about
	 * 4 MiB each after 10,000 streams. One arena fixed that but cost 40 µs
	 * of CPU a request in lock waits (130 against 82); two a core cost
	 * nothing measurable and kept 5 MiB. Fixed thresholds, not glibc's
	 * sliding ones, which after one big free would keep twice its size
	 * unreturned; blocks over 256 KiB are mapped on their own. */
	mallopt(M_ARENA_MAX, gw_malloc_arenas());
	mallopt(M_MMAP_THRESHOLD, GW_MALLOC_THRESHOLD);
	mallopt(M_TRIM_THRESHOLD, GW_MALLOC_THRESHOLD);
	if (!(g = calloc(1, sizeof(*g)))) {
		gw_config_unref(cfg);
		snprintf(err, err_cap, "out of memory");
		return -1;
	}
	pthread_mutex_init(&g->lock, NULL);
	pthread_mutex_init(&g->log_lock, NULL);
	sem_init(&g->wake, 0, 0);
	g->quiet = opts->quiet;
	atomic_init(&g->drain_s, cfg->limits.drain_timeout_s);
	if (!(g->config_path = strdup(opts->config_path)) ||
	    (opts->listen && !(g->listen_override = strdup(opts->listen))) ||
	    gw_metrics_new(&g->metrics) || gw_driver_new(&g->driver) ||
	    gw_finisher_new(&g->finisher)) {
		gw_config_unref(cfg);
		snprintf(err, err_cap, "out of memory");
		goto fail;
	}
	if (!(g->current = gen_make(cfg, NULL, g->metrics, err, err_cap)))
		goto fail;
	for (size_t i = 0; i < g->current->up_count; i++)
		gw_metrics_upstream_health(g->metrics, g->current->ups[i].cfg->name, 1);
	memset(&so, 0, sizeof(so));
	so.listen = g->listen_override ? g->listen_override : cfg->listen;
	so.handler = gw_handle;
	so.precheck = gw_precheck;
	so.refuse = gw_refuse_status;
	so.payload = g;
	so.max_body = cfg->limits.max_body;
	so.max_header_bytes = cfg->limits.max_header_bytes;
	so.max_connections = cfg->limits.max_connections;
	so.max_threads = cfg->limits.max_threads;
	so.h1_loops = cfg->limits.loops;
	so.idle_timeout_s = cfg->limits.idle_timeout_s;
	so.request_timeout_s = cfg->limits.request_timeout_s;
	so.access_log = !opts->quiet;
	so.name = "bedrock gateway";
	so.blocking = 1;
	/* HTTP/1.1 on loops, whole answers on each loop's own upstream
	 * multi: no thread waits on a client or an upstream (Redis round
	 * trips run on the finisher's threads). */
	so.h1_in_loops = 1;
	/* New connections fill one loop until it is busy: per request, a
	 * loop that finds more to do at each wake-up costs less CPU, and a
	 * gateway's connections are mostly idle between calls. */
	so.h1_fill = 1;
	so.tls_cert = cfg->tls_cert;
	so.tls_key = cfg->tls_key;
	so.log = serve_log;
	so.log_payload = g;
	if (serve_server_new(&g->server, &so, url, url_cap)) {
		snprintf(err, err_cap, "cannot serve on %s", so.listen);
		goto fail;
	}
	if (pthread_create(&g->reloader, NULL, reloader, g)) {
		snprintf(err, err_cap, "cannot start the reload thread");
		goto fail;
	}
	g->reloader_started = 1;
	*out = g;
	return 0;
fail:
	gateway_free(g);
	return -1;
}

int gateway_run(gateway *g)
{
	return serve_server_run(g->server);
}

void gateway_reload(gateway *g)
{
	atomic_store(&g->reload_wanted, 1);
	sem_post(&g->wake);
}

void gateway_drain(gateway *g)
{
	serve_server_drain(g->server, atomic_load(&g->drain_s) * 1000u);
}

void gateway_stop(gateway *g)
{
	serve_server_stop(g->server);
}

void gateway_free(gateway *g)
{
	if (!g)
		return;
	if (g->reloader_started) {
		atomic_store(&g->quitting, 1);
		sem_post(&g->wake);
		pthread_join(g->reloader, NULL);
	}
	/* The loops have stopped (or never ran), owing no answer: their
	 * drivers go before the loops' bases. */
	for (size_t i = 0; i < atomic_load(&g->nloops); i++)
		gw_driver_free(g->loops[i].drv);
	serve_server_free(g->server);
	/* After the server: the streams it closed end on the loop, and are
	 * finished by the finisher. */
	gw_driver_free(g->driver);
	gw_finisher_free(g->finisher);
	if (g->current) {
		if (g->current->activity)
			gw_activity_flush(g->current->activity);
		if (g->current->activity && gw_activity_errors(g->current->activity))
			gw_logf(g, "%lu activity log lines could not be written",
				gw_activity_errors(g->current->activity));
		gw_gen_release(g->current);
	}
	gw_metrics_free(g->metrics);
	free(g->config_path);
	free(g->listen_override);
	sem_destroy(&g->wake);
	pthread_mutex_destroy(&g->lock);
	pthread_mutex_destroy(&g->log_lock);
	free(g);
}
