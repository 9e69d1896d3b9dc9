/* Shared by tests/unit/test_serve_*.c: a serving-layer server on a thread
 * of the test (127.0.0.1, a free port), a handler whose paths exercise
 * blocking handlers and streamed bodies, and libcurl fetches that keep
 * each arrival of body bytes apart with its time.
 *
 * Paths: /hello (a whole body), /sleep (blocks 1 s, then answers),
 * /pieces (a body read in 3 pieces 400 ms apart), /cut ("partial", then
 * read returns -1), /stuck (one piece, then a read that blocks until
 * cancelled), /slow (4 pieces 250 ms apart), /gap (2 pieces 2.5 s apart). Every body counts its
 * cancel and close calls in the globals below. Also: HTTP/2 streams on a
 * thread of their own, and a certificate for the TLS tests. */
#ifndef BEDROCK_TEST_SERVE_HELPERS_H
#define BEDROCK_TEST_SERVE_HELPERS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include "harness.h"
#include "serve.h"
#include "serve_h2client.h"

/* Each test file uses some of these. */
#define TH_FN static __attribute__((unused))

static atomic_int th_cancels, th_closes, th_closes_completed, th_bodies_open;
/* serve_response.done calls: all, and those that said sent. */
static atomic_int th_dones, th_dones_sent;

TH_FN double th_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

TH_FN void th_sleep_ms(unsigned ms)
{
	struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

	nanosleep(&ts, NULL);
}

/* ms from now on CLOCK_REALTIME, the clock pthread_cond_timedwait counts
 * on. */
TH_FN void th_until(struct timespec *until, unsigned ms)
{
	clock_gettime(CLOCK_REALTIME, until);
	until->tv_nsec += (long)ms * 1000000;
	until->tv_sec += until->tv_nsec / 1000000000;
	until->tv_nsec %= 1000000000;
}

/* ---- a body produced while it is sent ------------------------------------ */

typedef struct th_body {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	int cancelled;
	int step;
	int pieces;		/* how many pieces before the end */
	unsigned gap_ms;	/* sleep before each piece after the first */
	int cut;		/* -1 after the pieces instead of 0 */
	int stuck;		/* block after the pieces until cancelled */
} th_body;

TH_FN long th_body_read(void *self, void *buf, size_t max)
{
	th_body *b = self;
	char piece[32];
	int n;

	pthread_mutex_lock(&b->lock);
	if (b->step > 0 && b->step < b->pieces) {
		struct timespec until;

		th_until(&until, b->gap_ms);
		while (!b->cancelled &&
		       pthread_cond_timedwait(&b->cond, &b->lock, &until) == 0)
			;
	}
	if (b->cancelled) {
		pthread_mutex_unlock(&b->lock);
		return -1;
	}
	if (b->step == b->pieces) {
		if (b->stuck) {
			/* An upstream that never answers: only cancel ends it. */
			while (!b->cancelled)
				pthread_cond_wait(&b->cond, &b->lock);
			pthread_mutex_unlock(&b->lock);
			return -1;
		}
		pthread_mutex_unlock(&b->lock);
		return b->cut ? -1 : 0;
	}
	n = snprintf(piece, sizeof(piece), "piece%d;", b->step);
	b->step++;
	pthread_mutex_unlock(&b->lock);
	if ((size_t)n > max)
		n = (int)max;
	memcpy(buf, piece, (size_t)n);
	return n;
}

TH_FN void th_body_cancel(void *self)
{
	th_body *b = self;

	atomic_fetch_add(&th_cancels, 1);
	pthread_mutex_lock(&b->lock);
	b->cancelled = 1;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
}

TH_FN void th_body_close(void *self, int completed)
{
	th_body *b = self;

	atomic_fetch_add(&th_closes, 1);
	if (completed)
		atomic_fetch_add(&th_closes_completed, 1);
	atomic_fetch_sub(&th_bodies_open, 1);
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b);
}

TH_FN void th_stream(serve_response *out, int pieces, unsigned gap_ms, int cut, int stuck)
{
	th_body *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->pieces = pieces;
	b->gap_ms = gap_ms;
	b->cut = cut;
	b->stuck = stuck;
	atomic_fetch_add(&th_bodies_open, 1);
	out->status = 200;
	serve_response_header(out, "Content-Type", "text/plain");
	out->body.read = th_body_read;
	out->body.cancel = th_body_cancel;
	out->body.close = th_body_close;
	out->body.self = b;
}

TH_FN void th_done(void *arg, int sent)
{
	(void)arg;
	atomic_fetch_add(&th_dones, 1);
	if (sent)
		atomic_fetch_add(&th_dones_sent, 1);
}

TH_FN void th_handler(serve_response *out, const serve_request *req, void *payload)
{
	(void)payload;
	if (!strncmp(req->path, "/done", 5)) {
		/* /done: a whole answer; /done-reset: dropped before its head;
		 * /done-stream: a streamed body. Each with a done callback. */
		if (!strcmp(req->path, "/done-stream"))
			th_stream(out, 3, 0, 0, 0);
		out->status = 200;
		if (!strcmp(req->path, "/done"))
			serve_response_piece(out, "done", 4, 0);
		out->reset_before_headers = !strcmp(req->path, "/done-reset");
		out->done = th_done;
	} else if (!strcmp(req->path, "/hello")) {
		out->status = 200;
		serve_response_header(out, "Content-Type", "text/plain");
		serve_response_piece(out, "hello", 5, 0);
	} else if (!strcmp(req->path, "/sleep")) {
		th_sleep_ms(1000);	/* an upstream taking its time */
		out->status = 200;
		serve_response_piece(out, "slept", 5, 0);
	} else if (!strcmp(req->path, "/pieces")) {
		th_stream(out, 3, 400, 0, 0);
	} else if (!strcmp(req->path, "/cut")) {
		th_stream(out, 1, 0, 1, 0);
	} else if (!strcmp(req->path, "/stuck")) {
		th_stream(out, 1, 0, 0, 1);
	} else if (!strcmp(req->path, "/gap")) {
		th_stream(out, 2, 2500, 0, 0);	/* silent longer than a 1 s idle time */
	} else if (!strcmp(req->path, "/slow")) {
		th_stream(out, 4, 250, 0, 0);
	} else {
		out->status = 404;
	}
}

/* ---- the server on a thread ---------------------------------------------- */

typedef struct th_server {
	serve_server *s;
	pthread_t thread;
	char url[128];
	atomic_int returned;	/* serve_server_run came back */
} th_server;

TH_FN void *th_run(void *arg)
{
	th_server *t = arg;

	serve_server_run(t->s);
	atomic_store(&t->returned, 1);
	return NULL;
}

TH_FN void th_options(serve_server_options *o, int blocking)
{
	memset(o, 0, sizeof(*o));
	o->listen = "127.0.0.1:0";
	o->handler = th_handler;
	o->blocking = blocking;
	o->name = "serve test";
}

TH_FN void th_start(th_server *t, const serve_server_options *o)
{
	memset(t, 0, sizeof(*t));
	assert_int_equal(serve_server_new(&t->s, o, t->url, sizeof(t->url)), 0);
	assert_int_equal(pthread_create(&t->thread, NULL, th_run, t), 0);
}

/* Waits (up to secs) for serve_server_run to return, then frees. */
TH_FN int th_join(th_server *t, double secs)
{
	double until = th_now() + secs;

	while (!atomic_load(&t->returned) && th_now() < until)
		th_sleep_ms(20);
	if (!atomic_load(&t->returned))
		return -1;
	pthread_join(t->thread, NULL);
	serve_server_free(t->s);
	t->s = NULL;
	return 0;
}

TH_FN void th_stop(th_server *t)
{
	serve_server_stop(t->s);
	assert_int_equal(th_join(t, 20), 0);
}

/* ---- fetching ------------------------------------------------------------- */

#define TH_MAX_ARRIVALS 64

typedef struct th_fetch {
	CURL *curl;
	char body[4096];
	size_t len;
	int arrivals;			/* write callbacks */
	double at[TH_MAX_ARRIVALS];	/* when each came */
	size_t upto[TH_MAX_ARRIVALS];	/* body length after each */
	int abort_after;		/* > 0: abort the transfer after this many */
	long status;
	long connects;			/* connections this transfer opened */
	CURLcode rc;
	char errbuf[CURL_ERROR_SIZE];
} th_fetch;

TH_FN size_t th_write(char *data, size_t size, size_t n, void *arg)
{
	th_fetch *f = arg;
	size_t k = size * n;

	if (f->arrivals < TH_MAX_ARRIVALS) {
		f->at[f->arrivals] = th_now();
		f->upto[f->arrivals] = f->len + k;
	}
	f->arrivals++;
	if (f->len + k < sizeof(f->body)) {
		memcpy(f->body + f->len, data, k);
		f->len += k;
		f->body[f->len] = 0;
	}
	if (f->abort_after && f->arrivals >= f->abort_after)
		return 0;	/* the client goes away mid-body */
	return k;
}

/* An easy handle for base + path; h2: HTTP/2 with prior knowledge. */
TH_FN void th_fetch_init(th_fetch *f, const char *base, const char *path, int h2)
{
	char url[256];

	memset(f, 0, sizeof(*f));
	snprintf(url, sizeof(url), "%s%s", base, path);
	f->curl = curl_easy_init();
	assert_non_null(f->curl);
	curl_easy_setopt(f->curl, CURLOPT_URL, url);
	curl_easy_setopt(f->curl, CURLOPT_WRITEFUNCTION, th_write);
	curl_easy_setopt(f->curl, CURLOPT_WRITEDATA, f);
	curl_easy_setopt(f->curl, CURLOPT_ERRORBUFFER, f->errbuf);
	curl_easy_setopt(f->curl, CURLOPT_TIMEOUT, 30L);
	curl_easy_setopt(f->curl, CURLOPT_NOPROXY, "*");
	curl_easy_setopt(f->curl, CURLOPT_HTTP_VERSION,
			 h2 ? (long)CURL_HTTP_VERSION_2_PRIOR_KNOWLEDGE : (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(f->curl, CURLOPT_PIPEWAIT, 1L);
	if (getenv("SERVE_TEST_VERBOSE"))
		curl_easy_setopt(f->curl, CURLOPT_VERBOSE, 1L);
}

TH_FN void th_fetch_done(th_fetch *f)
{
	curl_easy_getinfo(f->curl, CURLINFO_RESPONSE_CODE, &f->status);
	curl_easy_getinfo(f->curl, CURLINFO_NUM_CONNECTS, &f->connects);
	curl_easy_cleanup(f->curl);
	f->curl = NULL;
}

TH_FN void th_get(th_fetch *f, const char *base, const char *path, int h2)
{
	th_fetch_init(f, base, path, h2);
	f->rc = curl_easy_perform(f->curl);
	th_fetch_done(f);
}

/* Drives m until no transfer runs. */
TH_FN void th_multi_run(CURLM *m)
{
	int running = 1;

	while (running) {
		curl_multi_perform(m, &running);
		if (running)
			curl_multi_poll(m, NULL, 0, 100, NULL);
	}
}

/* Runs every fetch at once on one multi handle (HTTP/1.1: a connection
 * each; HTTP/2 goes through serve_h2client.h). */
TH_FN void th_get_all(th_fetch *fs, size_t n)
{
	CURLM *m = curl_multi_init();
	size_t i;
	CURLMsg *msg;
	int left;

	assert_non_null(m);
	for (i = 0; i < n; i++)
		curl_multi_add_handle(m, fs[i].curl);
	th_multi_run(m);
	while ((msg = curl_multi_info_read(m, &left)))
		for (i = 0; i < n; i++)
			if (msg->msg == CURLMSG_DONE && msg->easy_handle == fs[i].curl)
				fs[i].rc = msg->data.result;
	for (i = 0; i < n; i++) {
		curl_multi_remove_handle(m, fs[i].curl);
		th_fetch_done(&fs[i]);
	}
	curl_multi_cleanup(m);
}

/* A fetch on a thread of its own, for the tests that act meanwhile. */
typedef struct th_bg {
	pthread_t thread;
	th_fetch f;
	const char *base, *path;
} th_bg;

TH_FN void *th_bg_run(void *arg)
{
	th_bg *b = arg;

	th_get(&b->f, b->base, b->path, 0);
	return NULL;
}

TH_FN void th_bg_start(th_bg *b, const char *base, const char *path)
{
	memset(b, 0, sizeof(*b));
	b->base = base;
	b->path = path;
	assert_int_equal(pthread_create(&b->thread, NULL, th_bg_run, b), 0);
}

/* HTTP/2 streams on one connection of their own, on a thread of their
 * own (serve_h2client.h), for the tests that act meanwhile: up to
 * TH_H2_BG_STREAMS, half of the 200 that the many-stream tests send, as a
 * connection allows 128 at once. */
#define TH_H2_BG_STREAMS 100

typedef struct th_h2_bg {
	pthread_t thread;
	const th_server *t;
	h2c_stream st[TH_H2_BG_STREAMS];
	size_t n;
	const char *path;
} th_h2_bg;

TH_FN void *th_h2_bg_run(void *arg)
{
	th_h2_bg *b = arg;
	size_t i;

	for (i = 0; i < b->n; i++)
		b->st[i].path = b->path;
	h2c_run(h2c_port(b->t->url), b->st, b->n, 30, 0);
	return NULL;
}

/* n streams for path; the struct is large: calloc it. */
TH_FN void th_h2_bg_start(th_h2_bg *b, const th_server *t, const char *path, size_t n)
{
	assert_true(n <= TH_H2_BG_STREAMS);
	memset(b, 0, sizeof(*b));
	b->t = t;
	b->path = path;
	b->n = n;
	assert_int_equal(pthread_create(&b->thread, NULL, th_h2_bg_run, b), 0);
}

/* A stream that ended well: closed, never reset, status 200. */
TH_FN void th_h2_expect_ok(const h2c_stream *s)
{
	assert_true(s->closed);
	assert_false(s->reset);
	assert_int_equal(s->status, 200);
}

/* ---- TLS ------------------------------------------------------------------- */

/* A self-signed EC certificate for 127.0.0.1, made with the openssl CLI. */
TH_FN void th_tls_cert(const char *cert, const char *key)
{
	char cmd[1024];

	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 2>/dev/null", key, cert);
	assert_int_equal(system(cmd), 0);
}

/* A temporary directory holding one such certificate and its key. */
typedef struct th_tls_dir {
	char dir[64];
	char cert[128], key[128];
} th_tls_dir;

/* name: the directory's prefix under /tmp. */
TH_FN void th_tls_dir_make(th_tls_dir *d, const char *name)
{
	snprintf(d->dir, sizeof(d->dir), "/tmp/%s-XXXXXX", name);
	assert_non_null(mkdtemp(d->dir));
	snprintf(d->cert, sizeof(d->cert), "%s/cert.pem", d->dir);
	snprintf(d->key, sizeof(d->key), "%s/key.pem", d->dir);
	th_tls_cert(d->cert, d->key);
}

TH_FN void th_tls_dir_remove(th_tls_dir *d)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf %s", d->dir);
	assert_int_equal(system(cmd), 0);
}

/* One fetch over TLS trusting ca alone (never -k): HTTP/2 by ALPN when
 * h2, else HTTP/1.1. */
TH_FN void th_tls_get(th_fetch *f, const char *base, const char *path, int h2, const char *ca)
{
	th_fetch_init(f, base, path, 0);
	curl_easy_setopt(f->curl, CURLOPT_HTTP_VERSION, h2 ?
			 (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(f->curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(f->curl, CURLOPT_CAPATH, NULL);
	f->rc = curl_easy_perform(f->curl);
	th_fetch_done(f);
}

/* Waits up to secs for *counter to reach want. */
TH_FN int th_wait_count(atomic_int *counter, int want, double secs)
{
	double until = th_now() + secs;

	while (atomic_load(counter) < want && th_now() < until)
		th_sleep_ms(10);
	return atomic_load(counter) >= want;
}

TH_FN void th_reset_counts(void)
{
	atomic_store(&th_cancels, 0);
	atomic_store(&th_closes, 0);
	atomic_store(&th_closes_completed, 0);
	atomic_store(&th_dones, 0);
	atomic_store(&th_dones_sent, 0);
}

#endif
