/* The serving layer in blocking mode (what bedrock gateway runs): handlers
 * that block run side by side on both protocols, a body read while it is
 * sent leaves piece by piece as the producer makes it, many slow HTTP/2
 * streams share one connection, and the log callback gets the access log. */
#include "serve_helpers.h"

/* Four requests whose handler blocks 1 s each: at once, they take about
 * 1 s; one after the other (a handler blocking the loop) 4 s. */
static void test_serve_blocking__handler_h1(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f[4];
	double start;
	size_t i;

	(void)state;
	th_options(&o, 1);
	th_start(&t, &o);
	for (i = 0; i < 4; i++)
		th_fetch_init(&f[i], t.url, "/sleep", 0);
	start = th_now();
	th_get_all(f, 4);
	for (i = 0; i < 4; i++) {
		assert_int_equal(f[i].rc, CURLE_OK);
		assert_int_equal(f[i].status, 200);
		assert_string_equal(f[i].body, "slept");
	}
	assert_true(th_now() - start < 3.0);
	th_stop(&t);
}

/* The same as four streams on one HTTP/2 connection. */
static void test_serve_blocking__handler_h2(void **state)
{
	serve_server_options o;
	th_server t;
	h2c_stream st[4];
	double start;
	size_t i;

	(void)state;
	th_options(&o, 1);
	th_start(&t, &o);
	memset(st, 0, sizeof(st));
	for (i = 0; i < 4; i++)
		st[i].path = "/sleep";
	start = th_now();
	assert_int_equal(h2c_run(h2c_port(t.url), st, 4, 20, 0), 0);
	for (i = 0; i < 4; i++) {
		assert_true(st[i].closed);
		assert_int_equal(st[i].error, NGHTTP2_NO_ERROR);
		assert_int_equal(st[i].status, 200);
		assert_string_equal(st[i].body, "slept");
	}
	assert_true(th_now() - start < 3.0);
	th_stop(&t);
}

/* Three pieces 400 ms apart arrive as three separate deliveries (chunks,
 * DATA frames), the first before the second was made. */
static void pieces_arrive_apart(int blocking, int h2)
{
	serve_server_options o;
	th_server t;
	th_fetch f;
	h2c_stream st;

	th_reset_counts();
	th_options(&o, blocking);
	th_start(&t, &o);
	if (h2) {
		memset(&st, 0, sizeof(st));
		st.path = "/pieces";
		assert_int_equal(h2c_run(h2c_port(t.url), &st, 1, 20, 0), 0);
		assert_true(st.closed);
		assert_int_equal(st.error, NGHTTP2_NO_ERROR);
		assert_int_equal(st.status, 200);
		assert_string_equal(st.body, "piece0;piece1;piece2;");
		assert_int_equal(st.frames, 3);
		assert_int_equal(st.first_len, strlen("piece0;"));
		assert_true(st.last_at - st.first_at >= 0.6);
	} else {
		th_get(&f, t.url, "/pieces", 0);
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, 200);
		assert_string_equal(f.body, "piece0;piece1;piece2;");
		assert_true(f.arrivals >= 3);
		assert_int_equal(f.upto[0], strlen("piece0;"));
		assert_true(f.at[f.arrivals - 1] - f.at[0] >= 0.6);
	}
	/* The whole body went out: closed once, completed. */
	assert_true(th_wait_count(&th_closes, 1, 5));
	assert_int_equal(atomic_load(&th_closes_completed), 1);
	assert_int_equal(atomic_load(&th_cancels), 0);
	th_stop(&t);
}

static void test_serve_blocking__pieces_h1(void **state)
{
	(void)state;
	pieces_arrive_apart(1, 0);
}

static void test_serve_blocking__pieces_h2(void **state)
{
	(void)state;
	pieces_arrive_apart(1, 1);
}

/* A non-blocking server (the emulator's mode) streams a body too. */
static void test_serve_blocking__pieces_nonblocking(void **state)
{
	(void)state;
	pieces_arrive_apart(0, 0);
	pieces_arrive_apart(0, 1);
}

/* 40 streams on one HTTP/2 connection, each a body of 4 pieces 250 ms
 * apart: all complete, side by side (one after the other: 30 s). */
static void test_serve_blocking__many_h2_streams(void **state)
{
	enum { N = 40 };
	serve_server_options o;
	th_server t;
	h2c_stream st[N];
	double start;
	size_t i;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	memset(st, 0, sizeof(st));
	for (i = 0; i < N; i++)
		st[i].path = "/slow";
	start = th_now();
	assert_int_equal(h2c_run(h2c_port(t.url), st, N, 30, 0), 0);
	for (i = 0; i < N; i++) {
		assert_true(st[i].closed);
		assert_int_equal(st[i].error, NGHTTP2_NO_ERROR);
		assert_string_equal(st[i].body, "piece0;piece1;piece2;piece3;");
		assert_int_equal(st[i].frames, 4);
	}
	assert_true(th_now() - start < 10.0);
	assert_true(th_wait_count(&th_closes_completed, N, 5));
	th_stop(&t);
}

/* A stream silent for longer than the idle time (an upstream thinking)
 * is not an idle connection: it goes on. */
static void test_serve_blocking__silence_is_not_idle(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;
	h2c_stream st;

	(void)state;
	th_options(&o, 1);
	o.idle_timeout_s = 1;
	th_start(&t, &o);
	th_get(&f, t.url, "/gap", 0);
	assert_int_equal(f.rc, CURLE_OK);
	assert_string_equal(f.body, "piece0;piece1;");
	memset(&st, 0, sizeof(st));
	st.path = "/gap";
	assert_int_equal(h2c_run(h2c_port(t.url), &st, 1, 20, 0), 0);
	assert_int_equal(st.error, NGHTTP2_NO_ERROR);
	assert_string_equal(st.body, "piece0;piece1;");
	th_stop(&t);
}

/* ---- the log callback ------------------------------------------------------ */

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static char log_text[8192];

static void on_log(void *payload, const char *line)
{
	(void)payload;
	pthread_mutex_lock(&log_lock);
	/* One line per call, without its newline. */
	assert_null(strchr(line, '\n'));
	if (strlen(log_text) + strlen(line) + 2 < sizeof(log_text)) {
		strcat(log_text, line);
		strcat(log_text, "\n");
	}
	pthread_mutex_unlock(&log_lock);
}

static void test_serve_blocking__log_callback(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;

	(void)state;
	log_text[0] = 0;
	th_options(&o, 1);
	o.access_log = 1;
	o.log = on_log;
	th_start(&t, &o);
	th_get(&f, t.url, "/hello?X-Amz-Signature=sekrit", 0);
	assert_string_equal(f.body, "hello");
	{
		h2c_stream st;

		memset(&st, 0, sizeof(st));
		st.path = "/nothing";
		assert_int_equal(h2c_run(h2c_port(t.url), &st, 1, 20, 0), 0);
		assert_int_equal(st.status, 404);
	}
	th_stop(&t);
	pthread_mutex_lock(&log_lock);
	assert_non_null(strstr(log_text, " GET /hello 200 5 "));
	assert_non_null(strstr(log_text, " GET /nothing 404 0 "));
	assert_non_null(strstr(log_text, "ms h1\n"));
	assert_non_null(strstr(log_text, "ms h2\n"));
	/* The query can hold a presigned signature: never logged. */
	assert_null(strstr(log_text, "sekrit"));
	pthread_mutex_unlock(&log_lock);
}

/* Errors go to the callback too, under the server's name. */
static void test_serve_blocking__log_errors(void **state)
{
	serve_server_options o;
	serve_server *s = NULL;
	char url[64];

	(void)state;
	log_text[0] = 0;
	th_options(&o, 1);
	o.listen = "127.0.0.1:70000";
	o.log = on_log;
	o.name = "bedrock gateway";
	assert_int_equal(serve_server_new(&s, &o, url, sizeof(url)), -1);
	assert_null(s);
	assert_non_null(strstr(log_text, "bedrock gateway: --listen wants HOST:PORT"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_blocking__handler_h1),
		cmocka_unit_test(test_serve_blocking__handler_h2),
		cmocka_unit_test(test_serve_blocking__pieces_h1),
		cmocka_unit_test(test_serve_blocking__pieces_h2),
		cmocka_unit_test(test_serve_blocking__pieces_nonblocking),
		cmocka_unit_test(test_serve_blocking__many_h2_streams),
		cmocka_unit_test(test_serve_blocking__silence_is_not_idle),
		cmocka_unit_test(test_serve_blocking__log_callback),
		cmocka_unit_test(test_serve_blocking__log_errors),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
