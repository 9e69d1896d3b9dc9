/* serve_response.done: called once per exchange, after the answer has
 * left (sent 1), on both protocols, blocking servers or not, for whole
 * answers and streamed bodies; with sent 0 when the answer never left
 * (reset before its head). The gateway writes its activity line there. */
#include "serve_helpers.h"

static void one(int blocking, int h2, const char *path, int want_sent)
{
	serve_server_options o;
	th_server t;
	th_fetch f;

	th_reset_counts();
	th_options(&o, blocking);
	th_start(&t, &o);
	th_get(&f, t.url, path, h2);
	if (want_sent) {
		assert_int_equal(f.rc, CURLE_OK);
		assert_int_equal(f.status, 200);
	} else {
		assert_int_not_equal(f.rc, CURLE_OK);
	}
	assert_true(th_wait_count(&th_dones, 1, 5));
	th_sleep_ms(100);
	/* Once, and as sent or not. */
	assert_int_equal(atomic_load(&th_dones), 1);
	assert_int_equal(atomic_load(&th_dones_sent), want_sent);
	th_stop(&t);
	assert_int_equal(atomic_load(&th_dones), 1);
}

static void test_serve_done__whole(void **state)
{
	int blocking, h2;

	(void)state;
	for (blocking = 0; blocking < 2; blocking++)
		for (h2 = 0; h2 < 2; h2++)
			one(blocking, h2, "/done", 1);
}

static void test_serve_done__stream(void **state)
{
	int h2;

	(void)state;
	/* A streamed body's read runs on a worker: blocking servers. */
	for (h2 = 0; h2 < 2; h2++)
		one(1, h2, "/done-stream", 1);
}

static void test_serve_done__reset(void **state)
{
	int blocking, h2;

	(void)state;
	for (blocking = 0; blocking < 2; blocking++)
		for (h2 = 0; h2 < 2; h2++)
			one(blocking, h2, "/done-reset", 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_done__whole),
		cmocka_unit_test(test_serve_done__stream),
		cmocka_unit_test(test_serve_done__reset),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
