/* serve_server_drain: the listener closes at once, exchanges in flight
 * finish (HTTP/1.1 and HTTP/2), idle keep-alive connections are closed,
 * serve_server_run returns by itself; at the deadline what is left is
 * cancelled. */
#include "serve_helpers.h"

typedef struct h2_bg {
	pthread_t thread;
	int port;
	h2c_stream st;
} h2_bg;

static void *h2_bg_run(void *arg)
{
	h2_bg *b = arg;

	h2c_run(b->port, &b->st, 1, 20, 0);
	return NULL;
}

static void in_flight_finishes(int h2)
{
	serve_server_options o;
	th_server t;
	th_fetch f, idle;
	th_bg bg;
	h2_bg hb;
	double start;

	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	/* A keep-alive connection left open and idle by its client. */
	th_fetch_init(&idle, t.url, "/hello", 0);
	assert_int_equal(curl_easy_perform(idle.curl), CURLE_OK);
	if (h2) {
		memset(&hb, 0, sizeof(hb));
		hb.port = h2c_port(t.url);
		hb.st.path = "/pieces";
		assert_int_equal(pthread_create(&hb.thread, NULL, h2_bg_run, &hb), 0);
	} else {
		th_bg_start(&bg, t.url, "/pieces");
	}
	assert_true(th_wait_count(&th_bodies_open, 1, 5));
	start = th_now();
	serve_server_drain(t.s, 10000);
	th_sleep_ms(150);
	/* No new connection is taken. */
	th_get(&f, t.url, "/hello", 0);
	assert_int_equal(f.rc, CURLE_COULDNT_CONNECT);
	/* The one in flight completes, then run returns, long before the
	 * deadline. */
	if (h2) {
		pthread_join(hb.thread, NULL);
		assert_int_equal(hb.st.error, NGHTTP2_NO_ERROR);
		assert_string_equal(hb.st.body, "piece0;piece1;piece2;");
	} else {
		pthread_join(bg.thread, NULL);
		assert_int_equal(bg.f.rc, CURLE_OK);
		assert_string_equal(bg.f.body, "piece0;piece1;piece2;");
	}
	assert_int_equal(th_join(&t, 5), 0);
	assert_true(th_now() - start < 5);
	assert_int_equal(atomic_load(&th_closes_completed), 1);
	assert_int_equal(atomic_load(&th_cancels), 0);
	th_fetch_done(&idle);
}

static void test_serve_drain__h1_in_flight_finishes(void **state)
{
	(void)state;
	in_flight_finishes(0);
}

static void test_serve_drain__h2_in_flight_finishes(void **state)
{
	(void)state;
	in_flight_finishes(1);
}

/* A request that reaches the server during the drain on a keep-alive
 * connection (here: pipelined behind one in flight) is answered, with
 * Connection: close, and the connection then ends. */
static void test_serve_drain__h1_next_request_closes(void **state)
{
	static const char reqs[] = "GET /pieces HTTP/1.1\r\nHost: x\r\n\r\n"
				   "GET /hello HTTP/1.1\r\nHost: x\r\n\r\n";
	serve_server_options o;
	th_server t;
	struct sockaddr_in sa;
	char buf[4096];
	size_t len = 0;
	ssize_t n;
	int fd;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)h2c_port(t.url));
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(send(fd, reqs, sizeof(reqs) - 1, 0), (ssize_t)(sizeof(reqs) - 1));
	assert_true(th_wait_count(&th_bodies_open, 1, 5));
	serve_server_drain(t.s, 10000);
	/* Everything until the server closes the connection. */
	while ((n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0)) > 0)
		len += (size_t)n;
	buf[len] = 0;
	close(fd);
	assert_non_null(strstr(buf, "piece2;"));
	assert_non_null(strstr(strstr(buf, "piece2;"), "HTTP/1.1 200"));
	assert_non_null(strstr(strstr(buf, "piece2;"), "Connection: close"));
	assert_non_null(strstr(buf, "hello"));
	assert_int_equal(th_join(&t, 5), 0);
}

/* A body that never ends is cut at the deadline. */
static void test_serve_drain__deadline_cuts(void **state)
{
	serve_server_options o;
	th_server t;
	th_bg bg;
	h2_bg hb;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	th_bg_start(&bg, t.url, "/stuck");
	memset(&hb, 0, sizeof(hb));
	hb.port = h2c_port(t.url);
	hb.st.path = "/stuck";
	assert_int_equal(pthread_create(&hb.thread, NULL, h2_bg_run, &hb), 0);
	assert_true(th_wait_count(&th_bodies_open, 2, 5));
	th_sleep_ms(200);
	serve_server_drain(t.s, 500);
	assert_int_equal(th_join(&t, 5), 0);
	assert_int_equal(atomic_load(&th_cancels), 2);
	assert_int_equal(atomic_load(&th_closes), 2);
	assert_int_equal(atomic_load(&th_closes_completed), 0);
	pthread_join(bg.thread, NULL);
	pthread_join(hb.thread, NULL);
	assert_int_not_equal(bg.f.rc, CURLE_OK);
	assert_string_equal(bg.f.body, "piece0;");
	assert_string_equal(hb.st.body, "piece0;");
	/* The connection closed under it: never a clean end. */
	assert_false(hb.st.closed && hb.st.error == NGHTTP2_NO_ERROR);
}

/* The emulator's mode drains too; with nothing in flight, at once. */
static void test_serve_drain__idle_nonblocking(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;
	double start;

	(void)state;
	th_options(&o, 0);
	th_start(&t, &o);
	th_get(&f, t.url, "/hello", 0);
	assert_string_equal(f.body, "hello");
	start = th_now();
	serve_server_drain(t.s, 10000);
	assert_int_equal(th_join(&t, 5), 0);
	assert_true(th_now() - start < 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_drain__h1_in_flight_finishes),
		cmocka_unit_test(test_serve_drain__h2_in_flight_finishes),
		cmocka_unit_test(test_serve_drain__h1_next_request_closes),
		cmocka_unit_test(test_serve_drain__deadline_cuts),
		cmocka_unit_test(test_serve_drain__idle_nonblocking),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
