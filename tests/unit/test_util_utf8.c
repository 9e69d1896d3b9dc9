/* The shared UTF-8 check (src/util/utf8.c): RFC 3629's well-formed
 * sequences and the offset of the first bad byte. */
#include <string.h>

#include "harness.h"
#include "utf8.h"

static void test_util_utf8__valid(void **state)
{
	static const char *const good[] = {
		"",
		"plain ASCII\t\r\n\x7f",
		"\xc2\x80",			/* U+0080, the first two-byte */
		"\xdf\xbf",			/* U+07FF */
		"\xe0\xa0\x80",			/* U+0800, the first three-byte */
		"\xed\x9f\xbf",			/* U+D7FF, below the surrogates */
		"\xee\x80\x80",			/* U+E000, above them */
		"\xef\xbf\xbf",			/* U+FFFF */
		"\xf0\x90\x80\x80",		/* U+10000 */
		"\xf4\x8f\xbf\xbf",		/* U+10FFFF, the last */
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80",
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		size_t len = strlen(good[i]);

		assert_int_equal(bedrock__utf8_check(good[i], len), len);
		assert_true(bedrock__utf8_valid(good[i], len));
	}
}

static void test_util_utf8__invalid(void **state)
{
	static const struct {
		const char *s;
		size_t len;
		size_t bad;
	} cases[] = {
		{ "ab\0c", 4, 2 },			/* NUL */
		{ "a\x80", 2, 1 },			/* a lone continuation byte */
		{ "a\xc0\x80", 3, 1 },			/* overlong NUL */
		{ "\xc1\xbf", 2, 0 },			/* overlong two-byte */
		{ "\xe0\x9f\xbf", 3, 0 },		/* overlong three-byte */
		{ "\xf0\x8f\xbf\xbf", 4, 0 },		/* overlong four-byte */
		{ "x\xed\xa0\x80", 4, 1 },		/* U+D800, a surrogate */
		{ "\xed\xbf\xbf", 3, 0 },		/* U+DFFF */
		{ "\xf4\x90\x80\x80", 4, 0 },		/* U+110000 */
		{ "\xf5\x80\x80\x80", 4, 0 },		/* no such lead byte */
		{ "\xff", 1, 0 },
		{ "ok\xc3", 3, 2 },			/* cut short by len */
		{ "ok\xe2\x82", 4, 2 },
		{ "\xe2\x82" "a", 3, 0 },		/* a bad continuation */
		{ "\xc3\xa9\xf0\x9f\x98", 5, 2 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		assert_int_equal(bedrock__utf8_check(cases[i].s, cases[i].len), cases[i].bad);
		assert_false(bedrock__utf8_valid(cases[i].s, cases[i].len));
	}
	/* len bounds the check: a valid prefix is valid. */
	assert_true(bedrock__utf8_valid("ok\xc3\xa9", 2));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_utf8__valid),
		cmocka_unit_test(test_util_utf8__invalid),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
