/* The HTTP/1 first-head check of bedrock emulate (serve_h1_head_check): what
 * is refused 400 before libmicrohttpd sees it, what is left to MHD, and
 * that a head is judged only once it is whole. */
#include <string.h>

#include "harness.h"
#include "serve_net.h"

static serve_head check_str(const char *s)
{
	return serve_h1_head_check(s, strlen(s));
}

static void test_emulate_head__good_and_partial(void **state)
{
	static const char good[] = "POST /model/x/invoke?a=b HTTP/1.1\r\nHost: x\r\n"
				   "Content-Length: 3\r\n\r\nabc";
	size_t i;

	(void)state;
	assert_int_equal(check_str(good), SERVE_HEAD_OK);
	/* Cut anywhere before the blank line: not judged yet. */
	for (i = 0; i < strlen(good) - 3; i++)
		assert_int_equal(serve_h1_head_check(good, i), SERVE_HEAD_PARTIAL);
	assert_int_equal(check_str("GET / HTTP/1.1\n\n"), SERVE_HEAD_OK);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\n"),
			 SERVE_HEAD_OK);
	assert_int_equal(check_str("POST / HTTP/1.1\r\ncontent-length:  7 \r\n\r\n"), SERVE_HEAD_OK);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n"),
			 SERVE_HEAD_OK);
	/* Not ours to judge: MHD answers these. */
	assert_int_equal(check_str("\x01\xff garbage\r\n\r\n"), SERVE_HEAD_OK);
	assert_int_equal(check_str("GET\r\n\r\n"), SERVE_HEAD_OK);
}

static void test_emulate_head__bad(void **state)
{
	(void)state;
	assert_int_equal(check_str("GET /a\x1b[31m HTTP/1.1\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("GET /a b HTTP/1.1\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("GET /a\x7f HTTP/1.1\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("GET /a\tb HTTP/1.1\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: -1\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: \r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: 3, 3\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\n"),
			 SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nContent-Length: 3\r\n"
				   "Transfer-Encoding: chunked\r\n\r\n"), SERVE_HEAD_BAD);
	assert_int_equal(check_str("POST / HTTP/1.1\r\nTransfer-Encoding: chunked\r\n"
				   "content-length: 3\r\n\r\n"), SERVE_HEAD_BAD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_head__good_and_partial),
		cmocka_unit_test(test_emulate_head__bad),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
