#include <string.h>

#include "harness.h"

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

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__every_code_has_a_message),
		cmocka_unit_test(test_error__codes_are_stable),
		cmocka_unit_test(test_error__version),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
