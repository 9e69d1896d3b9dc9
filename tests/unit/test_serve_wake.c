/* Non-blocking bodies (serve_body.attach): read() says SERVE_BODY_LATER
 * until a producer thread of the test appends a piece and calls
 * serve_wake. For HTTP/1.1 and HTTP/2, in a blocking and a non-blocking
 * server: every byte arrives in order, a wake that comes before the
 * server acts on LATER is not lost, a cut shows, a client leaving or the
 * server stopping closes the body once (completed 0), and in a blocking
 * server 200 HTTP/2 streams waiting at once hold no worker thread each.
 *
 * Paths: /w/stream (50 pieces, 2 ms apart), /w/race (50 pieces, each
 * appended and woken while read is about to say LATER), /w/cut (3 pieces,
 * then -1), /w/slow (a piece every 20 ms, 1000 of them), /w/stuck (2
 * pieces, then silence), /w/many (5 pieces, fed by one producer once 200
 * such bodies are attached). */
#include "serve_helpers.h"

#define WB_MANY 200
#define WB_MANY_PIECES 5

/* Counted by the server's calls on every body. */
static atomic_int wb_closes, wb_completed, wb_attaches, wb_errors, wb_producers;

typedef struct wb {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* closed, or a race read wants a piece */
	struct serve_wake *w;		/* set by attach, NULL after close */
	char data[16384];
	size_t len, off;
	int end;			/* 1: the clean end; -1: cut */
	int closed;
	int refs;			/* the server's and the producer's */
	int pieces, made;
	unsigned gap_ms;
	int cut, stuck, race;
	int want;			/* race: read waits for the producer */
} wb;

static void wb_unref(wb *b)
{
	int last;

	pthread_mutex_lock(&b->lock);
	last = --b->refs == 0;
	pthread_mutex_unlock(&b->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b);
}

/* Under b->lock: one more piece, and the wake (unless closed). */
static void wb_put(wb *b)
{
	int n = snprintf(b->data + b->len, sizeof(b->data) - b->len, "piece-%d\n", b->made++);

	if (n > 0 && (size_t)n < sizeof(b->data) - b->len)
		b->len += (size_t)n;
	if (b->w)
		serve_wake(b->w);
}

/* Under b->lock: the end, and its wake. */
static void wb_finish(wb *b, int end)
{
	b->end = end;
	if (b->w)
		serve_wake(b->w);
}

/* Sleeps ms under b->lock, or less if closed. 0 when closed. */
static int wb_nap(wb *b, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	while (!b->closed && pthread_cond_timedwait(&b->cond, &b->lock, &until) == 0)
		;
	return !b->closed;
}

/* Waits under b->lock for a signal, up to ms. */
static void wb_wait(wb *b, unsigned ms)
{
	struct timespec until;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_nsec += (long)ms * 1000000;
	until.tv_sec += until.tv_nsec / 1000000000;
	until.tv_nsec %= 1000000000;
	pthread_cond_timedwait(&b->cond, &b->lock, &until);
}

static void *wb_produce(void *arg)
{
	wb *b = arg;
	double until = th_now() + 30;	/* no test waits longer */

	pthread_mutex_lock(&b->lock);
	if (b->race) {
		/* A piece each time read is about to say LATER: the wake comes
		 * before the server has acted on it. */
		while (!b->closed && b->made < b->pieces && th_now() < until) {
			if (!b->want) {
				wb_wait(b, 100);
				continue;
			}
			wb_put(b);
			b->want = 0;
			pthread_cond_broadcast(&b->cond);
		}
		if (!b->closed)
			wb_finish(b, 1);
	} else {
		while (!b->closed && b->made < b->pieces && wb_nap(b, b->made ? b->gap_ms : 0))
			wb_put(b);
		while (b->stuck && !b->closed && th_now() < until)
			wb_nap(b, 100);	/* an upstream gone silent */
		if (!b->closed && !b->stuck)
			wb_finish(b, b->cut ? -1 : 1);
	}
	pthread_mutex_unlock(&b->lock);
	wb_unref(b);
	atomic_fetch_sub(&wb_producers, 1);
	return NULL;
}

static long wb_read(void *self, void *buf, size_t max)
{
	wb *b = self;
	long n;

	pthread_mutex_lock(&b->lock);
	if (b->off == b->len && !b->end && b->race && b->made < b->pieces) {
		/* Let the producer append and wake now, then say LATER all the
		 * same, as a read that looked a moment too early would. */
		b->want = 1;
		pthread_cond_broadcast(&b->cond);
		double until = th_now() + 1;

		while (b->want && !b->closed && th_now() < until)
			wb_wait(b, 100);
		pthread_mutex_unlock(&b->lock);
		return SERVE_BODY_LATER;
	}
	if (b->off < b->len) {
		size_t k = b->len - b->off < max ? b->len - b->off : max;

		memcpy(buf, b->data + b->off, k);
		b->off += k;
		n = (long)k;
	} else if (b->end) {
		n = b->end > 0 ? 0 : -1;
	} else {
		n = SERVE_BODY_LATER;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

static void wb_attach(void *self, struct serve_wake *w)
{
	wb *b = self;

	pthread_mutex_lock(&b->lock);
	if (b->w)
		atomic_fetch_add(&wb_errors, 1);	/* attached twice */
	b->w = w;
	pthread_mutex_unlock(&b->lock);
	atomic_fetch_add(&wb_attaches, 1);
}

static void wb_cancel(void *self)
{
	(void)self;
	atomic_fetch_add(&wb_errors, 1);	/* never for a non-blocking body */
}

static void wb_close(void *self, int completed)
{
	wb *b = self;

	/* Under the lock the producer wakes under: no wake after this. */
	pthread_mutex_lock(&b->lock);
	if (b->closed)
		atomic_fetch_add(&wb_errors, 1);
	b->closed = 1;
	b->w = NULL;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	atomic_fetch_add(&wb_closes, 1);
	if (completed)
		atomic_fetch_add(&wb_completed, 1);
	wb_unref(b);
}

/* ---- /w/many: one producer for every body ------------------------------ */

static pthread_mutex_t many_lock = PTHREAD_MUTEX_INITIALIZER;
static wb *many[WB_MANY];
static size_t nmany;

static void *many_produce(void *arg)
{
	double until = th_now() + 30;
	size_t i;
	int round;

	(void)arg;
	/* Nothing until every stream waits: a stream that held a thread
	 * while it waited would leave the later ones unanswered. */
	while (atomic_load(&wb_attaches) < WB_MANY && th_now() < until)
		th_sleep_ms(10);
	for (round = 0; round <= WB_MANY_PIECES; round++) {
		pthread_mutex_lock(&many_lock);
		for (i = 0; i < nmany; i++) {
			pthread_mutex_lock(&many[i]->lock);
			if (!many[i]->closed) {
				if (round < WB_MANY_PIECES)
					wb_put(many[i]);
				else
					wb_finish(many[i], 1);
			}
			pthread_mutex_unlock(&many[i]->lock);
		}
		pthread_mutex_unlock(&many_lock);
		th_sleep_ms(5);
	}
	pthread_mutex_lock(&many_lock);
	for (i = 0; i < nmany; i++)
		wb_unref(many[i]);
	nmany = 0;
	pthread_mutex_unlock(&many_lock);
	return NULL;
}

/* ---- the handler --------------------------------------------------------- */

static void wb_handler(serve_response *out, const serve_request *req, void *payload)
{
	wb *b;
	pthread_t th;
	int many_path = !strcmp(req->path, "/w/many");

	(void)payload;
	if (strncmp(req->path, "/w/", 3)) {
		th_handler(out, req, payload);
		return;
	}
	b = calloc(1, sizeof(*b));
	assert_non_null(b);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->refs = 2;
	b->pieces = 50;
	b->gap_ms = 2;
	if (!strcmp(req->path, "/w/race")) {
		b->race = 1;
	} else if (!strcmp(req->path, "/w/cut")) {
		b->pieces = 3;
		b->cut = 1;
	} else if (!strcmp(req->path, "/w/slow")) {
		b->pieces = 1000;
		b->gap_ms = 20;
	} else if (!strcmp(req->path, "/w/stuck")) {
		b->pieces = 2;
		b->stuck = 1;
	}
	out->status = 200;
	serve_response_header(out, "Content-Type", "text/plain");
	out->body.read = wb_read;
	out->body.cancel = wb_cancel;
	out->body.close = wb_close;
	out->body.attach = wb_attach;
	out->body.self = b;
	out->done = th_done;
	if (many_path) {
		pthread_mutex_lock(&many_lock);
		assert_true(nmany < WB_MANY);
		many[nmany++] = b;
		pthread_mutex_unlock(&many_lock);
		return;
	}
	/* The producer may append before attach: it wakes only once w is set. */
	atomic_fetch_add(&wb_producers, 1);
	assert_int_equal(pthread_create(&th, NULL, wb_produce, b), 0);
	pthread_detach(th);
}

/* ---- helpers --------------------------------------------------------------- */

static void wb_reset(void)
{
	th_reset_counts();
	atomic_store(&wb_closes, 0);
	atomic_store(&wb_completed, 0);
	atomic_store(&wb_attaches, 0);
	atomic_store(&wb_errors, 0);
}

static void wb_start(th_server *t, int blocking, unsigned max_threads)
{
	serve_server_options o;

	wb_reset();
	th_options(&o, blocking);
	o.handler = wb_handler;
	o.max_threads = max_threads;
	th_start(t, &o);
}

/* The producers have let go (before the test ends: nothing leaks). */
static void wb_settle(void)
{
	double until = th_now() + 10;

	while (atomic_load(&wb_producers) && th_now() < until)
		th_sleep_ms(10);
	assert_int_equal(atomic_load(&wb_producers), 0);
	assert_int_equal(atomic_load(&wb_errors), 0);
}

static void expect_pieces(const char *body, size_t len, int pieces)
{
	char want[4096];
	size_t n = 0;
	int i;

	for (i = 0; i < pieces; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "piece-%d\n", i);
	assert_int_equal(len, n);
	assert_memory_equal(body, want, n);
}

/* One HTTP/2 stream on its own connection. */
static void h2_one(const th_server *t, h2c_stream *st, const char *path, int cancel_after,
		   int drop)
{
	memset(st, 0, sizeof(*st));
	st->path = path;
	st->cancel_after = cancel_after;
	assert_int_equal(h2c_run(h2c_port(t->url), st, 1, 20, drop), 0);
}

/* ---- every byte, in order ------------------------------------------------ */

static void whole(int blocking, int h2, const char *path)
{
	th_server t;
	double t0 = th_now();

	wb_start(&t, blocking, 0);
	if (h2) {
		h2c_stream st;

		h2_one(&t, &st, path, 0, 0);
		assert_true(st.closed);
		assert_false(st.reset);
		assert_int_equal(st.error, NGHTTP2_NO_ERROR);
		assert_int_equal(st.status, 200);
		expect_pieces(st.body, st.len, 50);
	} else {
		th_fetch f;

		th_get(&f, t.url, path, 0);
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, 200);
		expect_pieces(f.body, f.len, 50);
	}
	/* A lost wake would cost the HTTP/1.1 thread a second a piece. */
	assert_true(th_now() - t0 < 10);
	assert_true(th_wait_count(&wb_closes, 1, 5));
	assert_int_equal(atomic_load(&wb_completed), 1);
	assert_int_equal(atomic_load(&wb_attaches), 1);
	assert_true(th_wait_count(&th_dones_sent, 1, 5));
	th_stop(&t);
	assert_int_equal(atomic_load(&wb_closes), 1);
	wb_settle();
}

static void test_serve_wake__h1_stream(void **state)
{
	(void)state;
	whole(1, 0, "/w/stream");
	whole(0, 0, "/w/stream");
}

static void test_serve_wake__h2_stream(void **state)
{
	(void)state;
	whole(1, 1, "/w/stream");
	whole(0, 1, "/w/stream");
}

/* The wake comes while read is about to say LATER: no hang. */
static void test_serve_wake__early_wake(void **state)
{
	(void)state;
	whole(1, 0, "/w/race");
	whole(0, 0, "/w/race");
	whole(1, 1, "/w/race");
	whole(0, 1, "/w/race");
}

/* ---- the producer cuts ------------------------------------------------------ */

static void cut(int blocking, int h2)
{
	th_server t;

	wb_start(&t, blocking, 0);
	if (h2) {
		h2c_stream st;

		h2_one(&t, &st, "/w/cut", 0, 0);
		assert_true(st.closed);
		assert_true(st.reset);
		assert_int_equal(st.error, NGHTTP2_INTERNAL_ERROR);
		expect_pieces(st.body, st.len, 3);
	} else {
		th_fetch f;

		th_get(&f, t.url, "/w/cut", 0);
		assert_int_equal(f.status, 200);
		assert_true(f.rc == CURLE_PARTIAL_FILE || f.rc == CURLE_RECV_ERROR);
		expect_pieces(f.body, f.len, 3);
	}
	assert_true(th_wait_count(&wb_closes, 1, 5));
	assert_int_equal(atomic_load(&wb_completed), 0);
	th_stop(&t);
	assert_int_equal(atomic_load(&wb_closes), 1);
	wb_settle();
}

static void test_serve_wake__cut(void **state)
{
	(void)state;
	cut(1, 0);
	cut(0, 0);
	cut(1, 1);
	cut(0, 1);
}

/* ---- the client leaves ------------------------------------------------------ */

/* path /w/slow: the producer goes on waking until it sees closed; /w/stuck:
 * it says nothing more, so the server must notice the client itself. */
static void leave(int blocking, int h2, const char *path)
{
	th_server t;

	wb_start(&t, blocking, 0);
	if (h2) {
		h2c_stream st;

		/* /w/slow: RST_STREAM(CANCEL) after 2 frames; /w/stuck: the
		 * connection dropped at the first. */
		h2_one(&t, &st, path, 2, !strcmp(path, "/w/stuck"));
		assert_true(st.len > 0);
	} else {
		th_fetch f;

		th_fetch_init(&f, t.url, path, 0);
		f.abort_after = 1;
		f.rc = curl_easy_perform(f.curl);
		th_fetch_done(&f);
		assert_int_equal(f.rc, CURLE_WRITE_ERROR);
	}
	assert_true(th_wait_count(&wb_closes, 1, 10));
	assert_int_equal(atomic_load(&wb_completed), 0);
	/* The producer sees closed and stops: nothing more happens. */
	wb_settle();
	th_sleep_ms(100);
	assert_int_equal(atomic_load(&wb_closes), 1);
	assert_true(th_wait_count(&th_dones, 1, 5));
	assert_int_equal(atomic_load(&th_dones_sent), 0);
	th_stop(&t);
	assert_int_equal(atomic_load(&wb_closes), 1);
	wb_settle();
}

static void test_serve_wake__h1_client_leaves(void **state)
{
	(void)state;
	leave(1, 0, "/w/slow");
	leave(0, 0, "/w/slow");
	leave(1, 0, "/w/stuck");
	leave(0, 0, "/w/stuck");
}

static void test_serve_wake__h2_client_leaves(void **state)
{
	(void)state;
	leave(1, 1, "/w/slow");
	leave(0, 1, "/w/slow");
	leave(1, 1, "/w/stuck");
	leave(0, 1, "/w/stuck");
}

/* ---- the server stops -------------------------------------------------------- */

typedef struct h2_bg {
	pthread_t thread;
	const th_server *t;
	h2c_stream st[WB_MANY / 2];
	size_t n;
	const char *path;
} h2_bg;

static void *h2_bg_run(void *arg)
{
	h2_bg *b = arg;
	size_t i;

	for (i = 0; i < b->n; i++)
		b->st[i].path = b->path;
	h2c_run(h2c_port(b->t->url), b->st, b->n, 30, 0);
	return NULL;
}

static void h2_bg_start(h2_bg *b, const th_server *t, const char *path, size_t n)
{
	memset(b, 0, sizeof(*b));
	b->t = t;
	b->path = path;
	b->n = n;
	assert_int_equal(pthread_create(&b->thread, NULL, h2_bg_run, b), 0);
}

static void stop_waiting(int blocking, int h2)
{
	th_server t;
	th_bg bg;
	h2_bg *hb = NULL;

	wb_start(&t, blocking, 0);
	if (h2) {
		hb = calloc(1, sizeof(*hb));
		assert_non_null(hb);
		h2_bg_start(hb, &t, "/w/stuck", 1);
	} else {
		th_bg_start(&bg, t.url, "/w/stuck");
	}
	/* Both pieces out, the body waiting for a wake that never comes. */
	assert_true(th_wait_count(&wb_attaches, 1, 10));
	th_sleep_ms(300);
	assert_int_equal(atomic_load(&wb_closes), 0);
	serve_server_stop(t.s);
	assert_int_equal(th_join(&t, 10), 0);
	assert_int_equal(atomic_load(&wb_closes), 1);
	assert_int_equal(atomic_load(&wb_completed), 0);
	if (h2) {
		pthread_join(hb->thread, NULL);
		expect_pieces(hb->st[0].body, hb->st[0].len, 2);
		free(hb);
	} else {
		pthread_join(bg.thread, NULL);
		assert_int_not_equal(bg.f.rc, CURLE_OK);
		expect_pieces(bg.f.body, bg.f.len, 2);
	}
	wb_settle();
}

static void test_serve_wake__stop(void **state)
{
	(void)state;
	stop_waiting(1, 0);
	stop_waiting(0, 0);
	stop_waiting(1, 1);
	stop_waiting(0, 1);
}

/* ---- many streams, few threads ------------------------------------------------ */

/* 200 streams on two connections (a connection allows 128 at once) wait
 * together in a blocking server of 4 worker threads; the bodies begin
 * only once all of them are attached. A stream holding a thread while it
 * waits would leave all but 4 unanswered. */
static void test_serve_wake__h2_many_few_threads(void **state)
{
	th_server t;
	h2_bg *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	pthread_t producer;
	size_t i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	wb_start(&t, 1, 4);
	assert_int_equal(pthread_create(&producer, NULL, many_produce, NULL), 0);
	h2_bg_start(a, &t, "/w/many", WB_MANY / 2);
	h2_bg_start(b, &t, "/w/many", WB_MANY / 2);
	pthread_join(a->thread, NULL);
	pthread_join(b->thread, NULL);
	pthread_join(producer, NULL);
	assert_int_equal(atomic_load(&wb_attaches), WB_MANY);
	for (i = 0; i < WB_MANY / 2; i++) {
		h2c_stream *s[2] = { &a->st[i], &b->st[i] };
		int k;

		for (k = 0; k < 2; k++) {
			assert_true(s[k]->closed);
			assert_false(s[k]->reset);
			assert_int_equal(s[k]->status, 200);
			expect_pieces(s[k]->body, s[k]->len, WB_MANY_PIECES);
		}
	}
	assert_true(th_wait_count(&wb_closes, WB_MANY, 5));
	assert_int_equal(atomic_load(&wb_completed), WB_MANY);
	th_stop(&t);
	assert_int_equal(atomic_load(&wb_closes), WB_MANY);
	free(a);
	free(b);
	wb_settle();
}

/* ---- over TLS ------------------------------------------------------------------ */

/* HTTP/1.1 over TLS is relayed to MHD, HTTP/2 over TLS is the same h2
 * code: a stream arrives whole either way (certificate made here). */
static void test_serve_wake__tls(void **state)
{
	char dir[] = "/tmp/serve-wake-XXXXXX", cert[64], key[64], cmd[512];
	int blocking, h2;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes "
		 "-keyout %s -out %s -days 1 -subj /CN=127.0.0.1 "
		 "-addext subjectAltName=IP:127.0.0.1 2>/dev/null", key, cert);
	assert_int_equal(system(cmd), 0);
	for (blocking = 0; blocking < 2; blocking++)
		for (h2 = 0; h2 < 2; h2++) {
			serve_server_options o;
			th_server t;
			th_fetch f;

			wb_reset();
			th_options(&o, blocking);
			o.handler = wb_handler;
			o.tls_cert = cert;
			o.tls_key = key;
			th_start(&t, &o);
			th_fetch_init(&f, t.url, "/w/stream", 0);
			curl_easy_setopt(f.curl, CURLOPT_HTTP_VERSION, h2 ?
					 (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
			curl_easy_setopt(f.curl, CURLOPT_CAINFO, cert);
			curl_easy_setopt(f.curl, CURLOPT_CAPATH, NULL);
			f.rc = curl_easy_perform(f.curl);
			th_fetch_done(&f);
			assert_int_equal(f.rc, CURLE_OK);
			expect_pieces(f.body, f.len, 50);
			assert_true(th_wait_count(&wb_closes, 1, 5));
			assert_int_equal(atomic_load(&wb_completed), 1);
			th_stop(&t);
			wb_settle();
		}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_wake__h1_stream),
		cmocka_unit_test(test_serve_wake__h2_stream),
		cmocka_unit_test(test_serve_wake__early_wake),
		cmocka_unit_test(test_serve_wake__cut),
		cmocka_unit_test(test_serve_wake__h1_client_leaves),
		cmocka_unit_test(test_serve_wake__h2_client_leaves),
		cmocka_unit_test(test_serve_wake__stop),
		cmocka_unit_test(test_serve_wake__h2_many_few_threads),
		cmocka_unit_test(test_serve_wake__tls),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
