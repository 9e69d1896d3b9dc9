/* The locale-free ASCII helpers (src/util/ascii.h): the same answers as
 * <ctype.h> in the "C" locale for every byte, whatever the locale, and
 * the DNS label check regions go through. */
#include <ctype.h>
#include <string.h>

#include "harness.h"
#include "ascii.h"

static void test_util_ascii__classes(void **state)
{
	int c;

	(void)state;
	/* The test runs in the "C" locale (no setlocale call), where
	 * <ctype.h> is pure ASCII. */
	for (c = -1; c < 256; c++) {
		assert_int_equal(bedrock__ascii_space(c), c >= 0 && isspace(c) != 0);
		assert_int_equal(bedrock__ascii_alnum(c), c >= 0 && isalnum(c) != 0);
		assert_int_equal(bedrock__ascii_lower(c), c >= 0 ? tolower(c) : c);
		assert_int_equal(bedrock__ascii_upper(c), c >= 0 ? toupper(c) : c);
	}
	/* Bytes of UTF-8 (é is C3 A9) are never letters or spaces. */
	assert_false(bedrock__ascii_alnum(0xe9));
	assert_int_equal(bedrock__ascii_upper(0xe9), 0xe9);
	assert_false(bedrock__ascii_space(0x85));
	assert_false(bedrock__ascii_space(0xa0));
}

static void test_util_ascii__dns_label(void **state)
{
	static const char *const good[] = {
		"us-east-1", "eu-west-3", "us-gov-west-1", "cn-north-1", "a", "0", "A-1",
		"a23456789012345678901234567890123456789012345678901234567890123",	/* 63 */
	};
	static const char *const bad[] = {
		"", "-us", "us-", "-", "us_east_1", "us.east.1", "us east", "us/1", "us:1",
		"r\xc3\xa9gion", "us-east-1\n",
		"a234567890123456789012345678901234567890123456789012345678901234",	/* 64 */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++)
		if (!bedrock__dns_label_valid(good[i]))
			fail_msg("refused \"%s\"", good[i]);
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++)
		if (bedrock__dns_label_valid(bad[i]))
			fail_msg("accepted \"%s\"", bad[i]);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_ascii__classes),
		cmocka_unit_test(test_util_ascii__dns_label),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
