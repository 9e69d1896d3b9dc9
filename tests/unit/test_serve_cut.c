/* The ends of a streamed body that are not a clean finish: body.read
 * returning -1 (HTTP/1.1: no last chunk; HTTP/2: RST_STREAM for that
 * stream only), and the client going away mid-body (the body's cancel
 * makes a blocked read return, then close(0)). */
#include "serve_helpers.h"

static void test_serve_cut__h1_read_fails(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	th_get(&f, t.url, "/cut", 0);
	/* The bytes before the cut arrived; the response is not complete. */
	assert_int_equal(f.status, 200);
	assert_string_equal(f.body, "piece0;");
	assert_true(f.rc == CURLE_PARTIAL_FILE || f.rc == CURLE_RECV_ERROR);
	assert_true(th_wait_count(&th_closes, 1, 5));
	assert_int_equal(atomic_load(&th_closes_completed), 0);
	/* The server goes on: a new connection is answered. */
	th_get(&f, t.url, "/hello", 0);
	assert_int_equal(f.rc, CURLE_OK);
	assert_string_equal(f.body, "hello");
	th_stop(&t);
}

static void h2_read_fails(int blocking)
{
	serve_server_options o;
	th_server t;
	h2c_stream st[2];

	th_reset_counts();
	th_options(&o, blocking);
	th_start(&t, &o);
	memset(st, 0, sizeof(st));
	st[0].path = "/cut";
	st[1].path = "/slow";
	assert_int_equal(h2c_run(h2c_port(t.url), st, 2, 20, 0), 0);
	assert_true(st[0].closed);
	assert_true(st[0].reset);
	assert_int_equal(st[0].error, NGHTTP2_INTERNAL_ERROR);
	assert_string_equal(st[0].body, "piece0;");
	/* Its neighbour on the same connection is untouched. */
	assert_true(st[1].closed);
	assert_false(st[1].reset);
	assert_int_equal(st[1].error, NGHTTP2_NO_ERROR);
	assert_string_equal(st[1].body, "piece0;piece1;piece2;piece3;");
	assert_true(th_wait_count(&th_closes, 2, 5));
	assert_int_equal(atomic_load(&th_closes_completed), 1);
	th_stop(&t);
}

static void test_serve_cut__h2_read_fails(void **state)
{
	(void)state;
	h2_read_fails(1);
	h2_read_fails(0);
}

/* The client reads one piece of a body whose next read blocks, then
 * closes: the server notices, cancels the read and closes the body. */
static void test_serve_cut__h1_client_leaves(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	th_fetch_init(&f, t.url, "/stuck", 0);
	f.abort_after = 1;
	f.rc = curl_easy_perform(f.curl);
	th_fetch_done(&f);
	assert_int_equal(f.rc, CURLE_WRITE_ERROR);
	assert_string_equal(f.body, "piece0;");
	assert_true(th_wait_count(&th_closes, 1, 5));
	assert_int_equal(atomic_load(&th_cancels), 1);
	assert_int_equal(atomic_load(&th_closes_completed), 0);
	th_stop(&t);
}

/* HTTP/2: the client cancels one stream (RST_STREAM) while another on the
 * connection goes on; then a client that drops the whole connection. */
static void test_serve_cut__h2_client_leaves(void **state)
{
	serve_server_options o;
	th_server t;
	h2c_stream st[2];

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	memset(st, 0, sizeof(st));
	st[0].path = "/stuck";
	st[0].cancel_after = 1;
	st[1].path = "/pieces";
	assert_int_equal(h2c_run(h2c_port(t.url), st, 2, 20, 0), 0);
	assert_string_equal(st[0].body, "piece0;");
	assert_int_equal(st[0].error, NGHTTP2_CANCEL);
	assert_int_equal(st[1].error, NGHTTP2_NO_ERROR);
	assert_string_equal(st[1].body, "piece0;piece1;piece2;");
	assert_true(th_wait_count(&th_closes, 2, 5));
	assert_int_equal(atomic_load(&th_cancels), 1);
	assert_int_equal(atomic_load(&th_closes_completed), 1);

	th_reset_counts();
	memset(st, 0, sizeof(st));
	st[0].path = "/stuck";
	assert_int_equal(h2c_run(h2c_port(t.url), st, 1, 20, 1), 0);
	assert_string_equal(st[0].body, "piece0;");
	assert_true(th_wait_count(&th_closes, 1, 5));
	assert_int_equal(atomic_load(&th_cancels), 1);
	assert_int_equal(atomic_load(&th_closes_completed), 0);
	th_stop(&t);
}

/* A hard stop with a read blocked: cancelled, closed, and run returns. */
static void test_serve_cut__stop_cancels(void **state)
{
	serve_server_options o;
	th_server t;
	th_bg bg;

	(void)state;
	th_reset_counts();
	th_options(&o, 1);
	th_start(&t, &o);
	th_bg_start(&bg, t.url, "/stuck");
	/* The body is open and its first piece out: the read now blocks. */
	assert_true(th_wait_count(&th_bodies_open, 1, 5));
	th_sleep_ms(200);
	serve_server_stop(t.s);
	assert_int_equal(th_join(&t, 5), 0);
	assert_int_equal(atomic_load(&th_cancels), 1);
	assert_int_equal(atomic_load(&th_closes), 1);
	assert_int_equal(atomic_load(&th_closes_completed), 0);
	pthread_join(bg.thread, NULL);
	assert_int_not_equal(bg.f.rc, CURLE_OK);
	assert_string_equal(bg.f.body, "piece0;");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_cut__h1_read_fails),
		cmocka_unit_test(test_serve_cut__h2_read_fails),
		cmocka_unit_test(test_serve_cut__h1_client_leaves),
		cmocka_unit_test(test_serve_cut__h2_client_leaves),
		cmocka_unit_test(test_serve_cut__stop_cancels),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
