/* Non-blocking bodies (serve_body.attach): read() says SERVE_BODY_LATER
 * until a producer thread of the test appends a piece and calls
 * serve_wake. For HTTP/1.1 and HTTP/2, in a blocking and a non-blocking
 * server: every byte arrives in order, a wake that comes before the
 * server acts on LATER is not lost, a cut shows, a client leaving or the
 * server stopping closes the body once (completed 0), and in a blocking
 * server 200 HTTP/2 streams waiting at once hold no worker thread each.
 *
 * Paths (the bodies are serve_bodies.h's): /w/stream (50 pieces, 2 ms
 * apart), /w/race (50 pieces, each appended and woken while read is about
 * to say LATER), /w/cut (3 pieces, then -1), /w/slow (a piece every 20 ms,
 * 1000 of them), /w/stuck (2 pieces, then silence), /w/many (5 pieces,
 * fed by one producer once 200 such bodies are attached). */
#include "serve_bodies.h"

#define WB_MANY 200
#define WB_MANY_PIECES 5

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
	int many_path = !strcmp(req->path, "/w/many");

	(void)payload;
	if (strncmp(req->path, "/w/", 3)) {
		th_handler(out, req, payload);
		return;
	}
	b = wb_body(out, req->path);
	if (many_path) {
		pthread_mutex_lock(&many_lock);
		assert_true(nmany < WB_MANY);
		many[nmany++] = b;
		pthread_mutex_unlock(&many_lock);
		return;
	}
	wb_produce_start(b);
}

/* ---- helpers --------------------------------------------------------------- */

static void wb_start(th_server *t, int blocking, unsigned max_threads)
{
	serve_server_options o;

	wb_reset();
	th_options(&o, blocking);
	o.handler = wb_handler;
	o.max_threads = max_threads;
	th_start(t, &o);
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
		wb_expect_pieces(st.body, st.len, 50);
	} else {
		th_fetch f;

		th_get(&f, t.url, path, 0);
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, 200);
		wb_expect_pieces(f.body, f.len, 50);
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
		wb_expect_pieces(st.body, st.len, 3);
	} else {
		th_fetch f;

		th_get(&f, t.url, "/w/cut", 0);
		assert_int_equal(f.status, 200);
		assert_true(f.rc == CURLE_PARTIAL_FILE || f.rc == CURLE_RECV_ERROR);
		wb_expect_pieces(f.body, f.len, 3);
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

static void stop_waiting(int blocking, int h2)
{
	th_server t;
	th_bg bg;
	th_h2_bg *hb = NULL;

	wb_start(&t, blocking, 0);
	if (h2) {
		hb = calloc(1, sizeof(*hb));
		assert_non_null(hb);
		th_h2_bg_start(hb, &t, "/w/stuck", 1);
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
		wb_expect_pieces(hb->st[0].body, hb->st[0].len, 2);
		free(hb);
	} else {
		pthread_join(bg.thread, NULL);
		assert_int_not_equal(bg.f.rc, CURLE_OK);
		wb_expect_pieces(bg.f.body, bg.f.len, 2);
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
	th_h2_bg *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	pthread_t producer;
	size_t i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	wb_start(&t, 1, 4);
	assert_int_equal(pthread_create(&producer, NULL, many_produce, NULL), 0);
	th_h2_bg_start(a, &t, "/w/many", WB_MANY / 2);
	th_h2_bg_start(b, &t, "/w/many", WB_MANY / 2);
	pthread_join(a->thread, NULL);
	pthread_join(b->thread, NULL);
	pthread_join(producer, NULL);
	assert_int_equal(atomic_load(&wb_attaches), WB_MANY);
	for (i = 0; i < WB_MANY / 2; i++) {
		h2c_stream *s[2] = { &a->st[i], &b->st[i] };
		int k;

		for (k = 0; k < 2; k++) {
			th_h2_expect_ok(s[k]);
			wb_expect_pieces(s[k]->body, s[k]->len, WB_MANY_PIECES);
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
	th_tls_dir d;
	int blocking, h2;

	(void)state;
	th_tls_dir_make(&d, "serve-wake");
	for (blocking = 0; blocking < 2; blocking++)
		for (h2 = 0; h2 < 2; h2++) {
			serve_server_options o;
			th_server t;
			th_fetch f;

			wb_reset();
			th_options(&o, blocking);
			o.handler = wb_handler;
			o.tls_cert = d.cert;
			o.tls_key = d.key;
			th_start(&t, &o);
			th_tls_get(&f, t.url, "/w/stream", h2, d.cert);
			assert_int_equal(f.rc, CURLE_OK);
			wb_expect_pieces(f.body, f.len, 50);
			assert_true(th_wait_count(&wb_closes, 1, 5));
			assert_int_equal(atomic_load(&wb_completed), 1);
			th_stop(&t);
			wb_settle();
		}
	th_tls_dir_remove(&d);
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
