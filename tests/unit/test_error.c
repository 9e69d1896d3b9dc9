#include <string.h>

#include "harness.h"
#include "buf.h"
#include "client_private.h"

static void test_error__every_code_has_a_message(void **state)
{
	int code;

	(void)state;
	for (code = BEDROCK_OK; code >= BEDROCK_ENOTFOUND; code--) {
		assert_string_not_equal(bedrock_strerror(code), "unknown error");
		assert_string_not_equal(bedrock_error_name(code), "BEDROCK_EUNKNOWN");
	}
	assert_string_equal(bedrock_strerror(1), "unknown error");
	assert_string_equal(bedrock_strerror(-1000), "unknown error");
	assert_string_equal(bedrock_error_name(BEDROCK_EPROTOCOL), "BEDROCK_EPROTOCOL");
}

static void test_error__codes_are_stable(void **state)
{
	(void)state;
	/* Append-only: these values are ABI. */
	assert_int_equal(BEDROCK_ITEROVER, -1);
	assert_int_equal(BEDROCK_EAGAIN, -2);
	assert_int_equal(BEDROCK_EPROTOCOL, -5);
	assert_int_equal(BEDROCK_ECONFIG, -13);
	assert_int_equal(BEDROCK_ENOTFOUND, -14);
}

static void test_error__version(void **state)
{
	(void)state;
	assert_string_equal(bedrock_version(), BEDROCK_VERSION);
}

/* An HTTP error without a body that says what it is (a proxy's 413, a
 * bare 502) names its status and reason, not just "HTTP error". */
static void test_error__bodiless_http_error_names_the_status(void **state)
{
	bedrock_buf h = BEDROCK_BUF_INIT;
	bedrock_error_info err;

	(void)state;
	assert_int_equal(bedrock__client_http_error(&err, 413, &h, NULL, 0), BEDROCK_EHTTP);
	assert_string_equal(err.message, "HTTP 413 Payload Too Large");
	assert_int_equal(err.http_status, 413);
	assert_string_equal(err.aws_code, "");
	bedrock__client_http_error(&err, 502, &h, "<html>Bad Gateway</html>", 24);
	assert_string_equal(err.message, "HTTP 502 Bad Gateway");
	bedrock__client_http_error(&err, 599, &h, "", 0);
	assert_string_equal(err.message, "HTTP 599");
	/* A body that speaks still wins. */
	bedrock__client_http_error(&err, 413, &h, "{\"message\":\"too big\"}", 21);
	assert_string_equal(err.message, "too big");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__every_code_has_a_message),
		cmocka_unit_test(test_error__codes_are_stable),
		cmocka_unit_test(test_error__version),
		cmocka_unit_test(test_error__bodiless_http_error_names_the_status),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
