/* Deferred answers (serve_response_later, serve_later_answer): the handler
 * returns at once and an answering thread of the test answers later. For
 * HTTP/1.1 and HTTP/2 in a blocking server, and HTTP/1.1 on loops (a
 * blocking server's with h1_in_loops, a non-blocking server's): the
 * client gets exactly the later plan (whole, a non-blocking body, a
 * blocking one where bodies may block), 200 HTTP/2 streams deferred at
 * once hold no worker thread each, a client that leaves or a server that
 * stops (or drains past its deadline) has cancel called once and the
 * answer that follows disposed (body closed with 0, done(0)); HTTP/2 in a
 * non-blocking server cannot defer.
 *
 * Paths: /l/whole (201, X-Later, "hello later", 100 ms later), /l/attach
 * (a non-blocking body of 50 pieces), /l/block (a blocking body of 3
 * pieces), /l/many (answered once 200 are waiting), /l/hold (answered
 * only on cancel, by the answering thread), /l/hold-sync (answered on
 * cancel by cancel itself), /l/hold-slow (/l/hold whose handler goes on
 * 300 ms after deferring), /l/now (/l/whole answered in the handler). */
#include "serve_bodies.h"

#define LT_MANY 200
#define LT_DELAY_MS 100

enum lt_kind { LT_WHOLE, LT_ATTACH, LT_BLOCK, LT_NOW, LT_MANY_KIND, LT_HOLD, LT_HOLD_SYNC };

/* Deferred requests, and what happened to them. */
static atomic_int lt_deferred, lt_nulls, lt_cancels, lt_answers, lt_errors;
/* The hold answers' bodies: closes, completed ones. */
static atomic_int hold_closes, hold_completed;

typedef struct lt_rec {
	struct lt_rec *next;
	struct serve_later *later;
	enum lt_kind kind;
	double due;			/* 0: not by time */
	int cancelled;			/* under lt_lock */
	atomic_int cancels;
} lt_rec;

static pthread_mutex_t lt_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t lt_cond = PTHREAD_COND_INITIALIZER;
static lt_rec *lt_queue;
static int lt_quit, lt_nmany, lt_many_go;	/* go: all were waiting once */
static pthread_t lt_thread;

/* ---- an answer after cancel: it must be closed, never read -------------- */

static long hold_read(void *self, void *buf, size_t max)
{
	(void)self;
	(void)buf;
	(void)max;
	atomic_fetch_add(&lt_errors, 1);
	return -1;
}

static void hold_attach(void *self, struct serve_wake *w)
{
	(void)self;
	(void)w;
	atomic_fetch_add(&lt_errors, 1);
}

static void hold_close(void *self, int completed)
{
	(void)self;
	atomic_fetch_add(&hold_closes, 1);
	if (completed)
		atomic_fetch_add(&hold_completed, 1);
}

/* ---- answering ------------------------------------------------------------ */

static void lt_answer(lt_rec *r)
{
	serve_response p;

	serve_response_init(&p, 500);
	switch (r->kind) {
	case LT_WHOLE:
	case LT_NOW:
		p.status = 201;
		serve_response_header(&p, "Content-Type", "text/plain");
		serve_response_header(&p, "X-Later", "yes");
		serve_response_piece(&p, "hello ", 6, 0);
		serve_response_piece(&p, "later", 5, 0);
		p.done = th_done;
		break;
	case LT_ATTACH:
		/* 50 pieces 2 ms apart, each woken (serve_bodies.h). */
		wb_produce_start(wb_body(&p, "/w/stream"));
		break;
	case LT_BLOCK:
		th_stream(&p, 3, 0, 0, 0);
		p.done = th_done;
		break;
	case LT_MANY_KIND:
		p.status = 200;
		serve_response_piece(&p, "many", 4, 0);
		break;
	case LT_HOLD:
	case LT_HOLD_SYNC:
		p.status = 200;
		p.body.read = hold_read;
		p.body.attach = hold_attach;
		p.body.close = hold_close;
		p.done = th_done;
		break;
	}
	serve_later_answer(r->later, &p);
	/* serve_later_answer leaves it initialised: disposing is harmless. */
	serve_response_dispose(&p);
	atomic_fetch_add(&lt_answers, 1);
	free(r);
}

/* Under lt_lock. */
static void lt_unlink(lt_rec *r)
{
	lt_rec **pp;

	for (pp = &lt_queue; *pp; pp = &(*pp)->next)
		if (*pp == r) {
			*pp = r->next;
			if (r->kind == LT_MANY_KIND)
				lt_nmany--;
			return;
		}
}

static void lt_cancel(void *arg)
{
	lt_rec *r = arg;

	atomic_fetch_add(&lt_cancels, 1);
	if (atomic_fetch_add(&r->cancels, 1))
		atomic_fetch_add(&lt_errors, 1);	/* twice */
	if (r->kind == LT_HOLD_SYNC) {
		/* Answered from cancel itself, at once. */
		pthread_mutex_lock(&lt_lock);
		lt_unlink(r);
		pthread_mutex_unlock(&lt_lock);
		lt_answer(r);
		return;
	}
	/* Posted to the answering thread, as an app's own thread would. */
	pthread_mutex_lock(&lt_lock);
	r->cancelled = 1;
	pthread_cond_broadcast(&lt_cond);
	pthread_mutex_unlock(&lt_lock);
}

static void *lt_answerer(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lt_lock);
	for (;;) {
		double now = th_now();
		lt_rec *r;

		lt_many_go |= lt_nmany >= LT_MANY;
		for (r = lt_queue; r; r = r->next)
			if (r->cancelled || (r->due && now >= r->due) ||
			    (lt_many_go && r->kind == LT_MANY_KIND))
				break;
		if (r) {
			lt_unlink(r);
			/* Never holding the lock cancel takes. */
			pthread_mutex_unlock(&lt_lock);
			lt_answer(r);
			pthread_mutex_lock(&lt_lock);
			continue;
		}
		if (lt_quit && !lt_queue)
			break;
		{
			struct timespec until;

			th_until(&until, 5);
			pthread_cond_timedwait(&lt_cond, &lt_lock, &until);
		}
	}
	pthread_mutex_unlock(&lt_lock);
	return NULL;
}

/* ---- the handler ---------------------------------------------------------- */

static void lt_handler(serve_response *out, const serve_request *req, void *payload)
{
	lt_rec *r;

	if (strncmp(req->path, "/l/", 3)) {
		th_handler(out, req, payload);
		return;
	}
	r = calloc(1, sizeof(*r));
	assert_non_null(r);
	if (!strcmp(req->path, "/l/whole"))
		r->kind = LT_WHOLE;
	else if (!strcmp(req->path, "/l/attach"))
		r->kind = LT_ATTACH;
	else if (!strcmp(req->path, "/l/block"))
		r->kind = LT_BLOCK;
	else if (!strcmp(req->path, "/l/now"))
		r->kind = LT_NOW;
	else if (!strcmp(req->path, "/l/many"))
		r->kind = LT_MANY_KIND;
	else if (!strcmp(req->path, "/l/hold") || !strcmp(req->path, "/l/hold-slow"))
		r->kind = LT_HOLD;
	else
		r->kind = LT_HOLD_SYNC;
	if (r->kind < LT_NOW)
		r->due = th_now() + LT_DELAY_MS / 1000.0;
	/* Queued before asking: cancel may find it at once. */
	pthread_mutex_lock(&lt_lock);
	r->later = serve_response_later(out, lt_cancel, r);
	if (!r->later) {
		pthread_mutex_unlock(&lt_lock);
		free(r);
		atomic_fetch_add(&lt_nulls, 1);
		out->status = 200;
		serve_response_piece(out, "now", 3, 0);
		return;
	}
	if (out->later != r->later)
		atomic_fetch_add(&lt_errors, 1);
	if (r->kind == LT_NOW) {
		/* Answered before the handler returns. */
		pthread_mutex_unlock(&lt_lock);
		atomic_fetch_add(&lt_deferred, 1);
		lt_answer(r);
		return;
	}
	r->next = lt_queue;
	lt_queue = r;
	if (r->kind == LT_MANY_KIND)
		lt_nmany++;
	pthread_cond_broadcast(&lt_cond);
	pthread_mutex_unlock(&lt_lock);
	atomic_fetch_add(&lt_deferred, 1);
	/* The client may leave while the handler still runs: cancel waits
	 * for it to return. */
	if (!strcmp(req->path, "/l/hold-slow"))
		th_sleep_ms(300);
}

/* ---- helpers ---------------------------------------------------------------- */

/* How the server runs: non-blocking, blocking, blocking with HTTP/1.1 on
 * loops. */
enum { LT_NONBLOCKING = 0, LT_BLOCKING = 1, LT_LOOPS = 2 };

static void lt_start(th_server *t, int mode, unsigned max_threads)
{
	serve_server_options o;

	wb_reset();
	atomic_store(&lt_deferred, 0);
	atomic_store(&lt_nulls, 0);
	atomic_store(&lt_cancels, 0);
	atomic_store(&lt_answers, 0);
	atomic_store(&lt_errors, 0);
	atomic_store(&hold_closes, 0);
	atomic_store(&hold_completed, 0);
	lt_quit = 0;
	lt_nmany = 0;
	lt_many_go = 0;
	assert_int_equal(pthread_create(&lt_thread, NULL, lt_answerer, NULL), 0);
	th_options(&o, mode != LT_NONBLOCKING);
	o.h1_in_loops = mode == LT_LOOPS;
	o.handler = lt_handler;
	o.max_threads = max_threads;
	th_start(t, &o);
}

/* After the server is gone: every later was answered, nothing is left. */
static void lt_finish(void)
{
	pthread_mutex_lock(&lt_lock);
	lt_quit = 1;
	pthread_cond_broadcast(&lt_cond);
	pthread_mutex_unlock(&lt_lock);
	pthread_join(lt_thread, NULL);
	assert_null(lt_queue);
	assert_int_equal(atomic_load(&lt_answers), atomic_load(&lt_deferred));
	wb_settle();
	assert_int_equal(atomic_load(&lt_errors), 0);
}

static void lt_stop(th_server *t)
{
	th_stop(t);
	lt_finish();
}

/* Headers of a curl fetch, lower-cased, for a look. */
static size_t lt_header(char *data, size_t size, size_t n, void *arg)
{
	char *h = arg;
	size_t k = size * n, len = strlen(h), i;

	for (i = 0; i < k && len + 1 < 2048; i++)
		h[len++] = (char)(data[i] >= 'A' && data[i] <= 'Z' ? data[i] + 32 : data[i]);
	h[len] = 0;
	return k;
}

/* One fetch with curl (HTTP/1.1, or HTTP/2 with prior knowledge). */
static void lt_get(th_fetch *f, char *headers, const th_server *t, const char *path, int h2)
{
	headers[0] = 0;
	th_fetch_init(f, t->url, path, h2);
	curl_easy_setopt(f->curl, CURLOPT_HEADERFUNCTION, lt_header);
	curl_easy_setopt(f->curl, CURLOPT_HEADERDATA, headers);
	f->rc = curl_easy_perform(f->curl);
	th_fetch_done(f);
}

/* ---- the later answer, whole ----------------------------------------------- */

static void whole(int h2, const char *path, int mode)
{
	th_server t;
	th_fetch f;
	char headers[2048];
	double t0;

	lt_start(&t, mode, 0);
	t0 = th_now();
	lt_get(&f, headers, &t, path, h2);
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.status, 201);
	assert_string_equal(f.body, "hello later");
	assert_non_null(strstr(headers, "x-later: yes"));
	assert_non_null(strstr(headers, "content-type: text/plain"));
	if (!strcmp(path, "/l/whole"))
		assert_true(th_now() - t0 >= LT_DELAY_MS / 1000.0 - 0.01);
	assert_int_equal(atomic_load(&lt_deferred), 1);
	assert_true(th_wait_count(&th_dones_sent, 1, 5));
	lt_stop(&t);
	assert_int_equal(atomic_load(&lt_cancels), 0);
	assert_int_equal(atomic_load(&th_dones), 1);
}

static void test_serve_later__whole_h1(void **state)
{
	int mode;

	(void)state;
	for (mode = LT_NONBLOCKING; mode <= LT_LOOPS; mode++) {
		whole(0, "/l/whole", mode);
		whole(0, "/l/now", mode);
	}
}

static void test_serve_later__whole_h2(void **state)
{
	(void)state;
	whole(1, "/l/whole", LT_BLOCKING);
	whole(1, "/l/now", LT_BLOCKING);
}

/* ---- a non-blocking body, answered later ------------------------------------ */

static void attach(int h2, int mode)
{
	th_server t;
	th_fetch f;
	char headers[2048];

	lt_start(&t, mode, 0);
	lt_get(&f, headers, &t, "/l/attach", h2);
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.status, 200);
	wb_expect_pieces(f.body, f.len, 50);
	assert_true(th_wait_count(&wb_closes, 1, 5));
	assert_int_equal(atomic_load(&wb_completed), 1);
	assert_int_equal(atomic_load(&wb_attaches), 1);
	assert_true(th_wait_count(&th_dones_sent, 1, 5));
	lt_stop(&t);
	assert_int_equal(atomic_load(&wb_closes), 1);
}

static void test_serve_later__attach_h1(void **state)
{
	int mode;

	(void)state;
	for (mode = LT_NONBLOCKING; mode <= LT_LOOPS; mode++)
		attach(0, mode);
}

static void test_serve_later__attach_h2(void **state)
{
	(void)state;
	attach(1, LT_BLOCKING);
}

/* ---- a blocking body, answered later: a worker reads it --------------------- */

static void block(int h2)
{
	th_server t;
	th_fetch f;
	char headers[2048];

	lt_start(&t, LT_BLOCKING, 0);
	lt_get(&f, headers, &t, "/l/block", h2);
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.status, 200);
	assert_string_equal(f.body, "piece0;piece1;piece2;");
	assert_true(th_wait_count(&th_closes, 1, 5));
	assert_int_equal(atomic_load(&th_closes_completed), 1);
	assert_true(th_wait_count(&th_dones_sent, 1, 5));
	lt_stop(&t);
}

static void test_serve_later__block(void **state)
{
	(void)state;
	block(0);
	block(1);
}

/* ---- many deferred streams, few threads ------------------------------------- */

/* 200 streams on two connections, 4 worker threads; nothing is answered
 * until all 200 wait. A deferred stream holding its worker would leave
 * all but 4 of them unasked. */
static void test_serve_later__h2_many_few_threads(void **state)
{
	th_server t;
	th_h2_bg *a = calloc(1, sizeof(*a)), *b = calloc(1, sizeof(*b));
	size_t i;

	(void)state;
	assert_non_null(a);
	assert_non_null(b);
	lt_start(&t, LT_BLOCKING, 4);
	th_h2_bg_start(a, &t, "/l/many", LT_MANY / 2);
	th_h2_bg_start(b, &t, "/l/many", LT_MANY / 2);
	pthread_join(a->thread, NULL);
	pthread_join(b->thread, NULL);
	assert_int_equal(atomic_load(&lt_deferred), LT_MANY);
	for (i = 0; i < LT_MANY / 2; i++) {
		h2c_stream *s[2] = { &a->st[i], &b->st[i] };
		int k;

		for (k = 0; k < 2; k++) {
			th_h2_expect_ok(s[k]);
			assert_string_equal(s[k]->body, "many");
		}
	}
	lt_stop(&t);
	assert_int_equal(atomic_load(&lt_answers), LT_MANY);
	assert_int_equal(atomic_load(&lt_cancels), 0);
	free(a);
	free(b);
}

/* ---- the client leaves before the answer ------------------------------------ */

/* The hold answer that came after cancel: closed with 0, never read,
 * done(0). */
static void expect_dropped(int n)
{
	assert_true(th_wait_count(&lt_answers, n, 10));
	assert_true(th_wait_count(&hold_closes, n, 5));
	assert_true(th_wait_count(&th_dones, n, 5));
	assert_int_equal(atomic_load(&hold_completed), 0);
	assert_int_equal(atomic_load(&th_dones_sent), 0);
	assert_int_equal(atomic_load(&lt_errors), 0);
}

static void leave_h1(const char *path, int mode)
{
	th_server t;
	th_fetch f;

	lt_start(&t, mode, 0);
	th_fetch_init(&f, t.url, path, 0);
	curl_easy_setopt(f.curl, CURLOPT_TIMEOUT_MS, 300L);	/* gives up, closes */
	f.rc = curl_easy_perform(f.curl);
	th_fetch_done(&f);
	assert_int_equal(f.rc, CURLE_OPERATION_TIMEDOUT);
	/* The sweep sees the socket closed: cancel, then the answer. */
	assert_true(th_wait_count(&lt_cancels, 1, 5));
	expect_dropped(1);
	th_sleep_ms(100);
	assert_int_equal(atomic_load(&lt_cancels), 1);
	lt_stop(&t);
	assert_int_equal(atomic_load(&hold_closes), 1);
	assert_int_equal(atomic_load(&th_dones), 1);
}

/* rst: RST_STREAM(CANCEL) on a connection that stays; else the
 * connection closes. */
static void leave_h2(const char *path, int rst)
{
	th_server t;
	h2c_stream st;
	h2c c;
	double until;

	lt_start(&t, LT_BLOCKING, 0);
	memset(&st, 0, sizeof(st));
	st.path = path;
	assert_int_equal(h2c_open(&c, h2c_port(t.url), &st, 1), 0);
	until = th_now() + 5;
	while (!atomic_load(&lt_deferred) && th_now() < until)
		assert_int_equal(h2c_pump(&c, 20), 0);
	assert_int_equal(atomic_load(&lt_deferred), 1);
	if (rst) {
		nghttp2_submit_rst_stream(c.session, NGHTTP2_FLAG_NONE, st.id, NGHTTP2_CANCEL);
		until = th_now() + 1;
		while (th_now() < until)
			assert_int_equal(h2c_pump(&c, 20), 0);
		assert_int_equal(atomic_load(&lt_cancels), 1);
		expect_dropped(1);
		/* The server still serves. */
		{
			th_fetch f;
			char headers[2048];

			lt_get(&f, headers, &t, "/hello", 1);
			assert_string_equal(f.body, "hello");
		}
	}
	h2c_end(&c);
	if (!rst) {
		assert_true(th_wait_count(&lt_cancels, 1, 5));
		expect_dropped(1);
	}
	th_sleep_ms(100);
	assert_int_equal(atomic_load(&lt_cancels), 1);
	lt_stop(&t);
	assert_int_equal(atomic_load(&hold_closes), 1);
	assert_int_equal(atomic_load(&th_dones), 1);
}

static void test_serve_later__h1_client_leaves(void **state)
{
	int mode;

	(void)state;
	for (mode = LT_NONBLOCKING; mode <= LT_LOOPS; mode++) {
		leave_h1("/l/hold", mode);
		leave_h1("/l/hold-sync", mode);
		leave_h1("/l/hold-slow", mode);
	}
}

static void test_serve_later__h2_client_leaves(void **state)
{
	(void)state;
	leave_h2("/l/hold", 1);
	leave_h2("/l/hold", 0);
	leave_h2("/l/hold-sync", 1);
	leave_h2("/l/hold-sync", 0);
	leave_h2("/l/hold-slow", 1);
	leave_h2("/l/hold-slow", 0);
}

/* ---- the server stops, or drains past its deadline -------------------------- */

/* Two deferred HTTP/1.1 requests and two HTTP/2 streams wait; the server
 * stops (drain_ms 0) or drains for drain_ms: each is cancelled once, its
 * answer dropped, and serve_server_run returns. */
static void stop_pending(unsigned drain_ms, const char *path, int mode)
{
	th_server t;
	th_bg hb[2];
	th_h2_bg *b = calloc(1, sizeof(*b));
	double t0;
	int i;

	assert_non_null(b);
	lt_start(&t, mode, 0);
	for (i = 0; i < 2; i++)
		th_bg_start(&hb[i], t.url, path);
	th_h2_bg_start(b, &t, path, 2);
	assert_true(th_wait_count(&lt_deferred, 4, 10));
	th_sleep_ms(100);
	assert_int_equal(atomic_load(&lt_cancels), 0);
	t0 = th_now();
	if (drain_ms)
		serve_server_drain(t.s, drain_ms);
	else
		serve_server_stop(t.s);
	assert_int_equal(th_join(&t, 10), 0);
	if (drain_ms)
		assert_true(th_now() - t0 >= drain_ms / 1000.0 - 0.05);
	/* run returned: every answer came, and was dropped. */
	assert_int_equal(atomic_load(&lt_cancels), 4);
	assert_int_equal(atomic_load(&lt_answers), 4);
	assert_int_equal(atomic_load(&hold_closes), 4);
	assert_int_equal(atomic_load(&hold_completed), 0);
	assert_int_equal(atomic_load(&th_dones), 4);
	assert_int_equal(atomic_load(&th_dones_sent), 0);
	for (i = 0; i < 2; i++) {
		pthread_join(hb[i].thread, NULL);
		assert_int_not_equal(hb[i].f.rc, CURLE_OK);
	}
	pthread_join(b->thread, NULL);
	for (i = 0; i < 2; i++)
		assert_int_not_equal(b->st[i].status, 200);
	free(b);
	lt_finish();
}

static void test_serve_later__stop(void **state)
{
	(void)state;
	stop_pending(0, "/l/hold", LT_BLOCKING);
	stop_pending(0, "/l/hold-sync", LT_BLOCKING);
	stop_pending(0, "/l/hold", LT_LOOPS);
	stop_pending(0, "/l/hold-sync", LT_LOOPS);
}

static void test_serve_later__drain(void **state)
{
	(void)state;
	stop_pending(300, "/l/hold", LT_BLOCKING);
	stop_pending(300, "/l/hold-sync", LT_BLOCKING);
	stop_pending(300, "/l/hold", LT_LOOPS);
	stop_pending(300, "/l/hold-sync", LT_LOOPS);
}

/* ---- HTTP/2 in a non-blocking server cannot defer; HTTP/1.1 there can ---------- */

static void test_serve_later__nonblocking(void **state)
{
	th_server t;
	th_fetch f;
	char headers[2048];
	int h2;

	(void)state;
	lt_start(&t, LT_NONBLOCKING, 0);
	for (h2 = 0; h2 < 2; h2++) {
		lt_get(&f, headers, &t, "/l/whole", h2);
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, h2 ? 200 : 201);
		assert_string_equal(f.body, h2 ? "now" : "hello later");
	}
	assert_int_equal(atomic_load(&lt_nulls), 1);
	assert_int_equal(atomic_load(&lt_deferred), 1);
	lt_stop(&t);
}

/* ---- over TLS -------------------------------------------------------------------- */

/* HTTP/1.1 over TLS is relayed to MHD, HTTP/2 over TLS is the same h2
 * code: a later answer arrives whole either way. */
static void test_serve_later__tls(void **state)
{
	th_tls_dir d;
	int h2;

	(void)state;
	th_tls_dir_make(&d, "serve-later");
	for (h2 = 0; h2 < 3; h2++) {
		serve_server_options o;
		th_server t;
		th_fetch f;

		th_reset_counts();
		atomic_store(&lt_deferred, 0);
		atomic_store(&lt_answers, 0);
		atomic_store(&lt_errors, 0);
		lt_quit = 0;
		assert_int_equal(pthread_create(&lt_thread, NULL, lt_answerer, NULL), 0);
		th_options(&o, 1);
		o.h1_in_loops = h2 == 2;	/* HTTP/1.1 on loops, over TLS */
		o.handler = lt_handler;
		o.tls_cert = d.cert;
		o.tls_key = d.key;
		th_start(&t, &o);
		th_tls_get(&f, t.url, "/l/whole", h2 == 1, d.cert);
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, 201);
		assert_string_equal(f.body, "hello later");
		lt_stop(&t);
	}
	th_tls_dir_remove(&d);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_later__whole_h1),
		cmocka_unit_test(test_serve_later__whole_h2),
		cmocka_unit_test(test_serve_later__attach_h1),
		cmocka_unit_test(test_serve_later__attach_h2),
		cmocka_unit_test(test_serve_later__block),
		cmocka_unit_test(test_serve_later__h2_many_few_threads),
		cmocka_unit_test(test_serve_later__h1_client_leaves),
		cmocka_unit_test(test_serve_later__h2_client_leaves),
		cmocka_unit_test(test_serve_later__stop),
		cmocka_unit_test(test_serve_later__drain),
		cmocka_unit_test(test_serve_later__nonblocking),
		cmocka_unit_test(test_serve_later__tls),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
