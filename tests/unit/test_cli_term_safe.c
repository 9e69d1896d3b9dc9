/* The CLI's terminal filter (src/cli/term_safe.c): what model text and
 * service messages look like on a terminal. Controls are shown, never
 * acted on; printable text and valid UTF-8 pass unchanged; the result
 * does not depend on where a stream splits its deltas. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "term_safe.h"

/* s[0..n) fed in pieces of `step` bytes, then ended. */
static char *filter_pieces(const char *s, size_t n, size_t step)
{
	char *out = malloc(TERM_SAFE_MAX(n) + 1);
	term_safe st;
	size_t i, k, o = 0;

	assert_non_null(out);
	term_safe_init(&st);
	for (i = 0; i < n; i += k) {
		k = n - i < step ? n - i : step;
		o += term_safe_feed(&st, out + o, s + i, k);
	}
	o += term_safe_end(&st, out + o);
	out[o] = '\0';
	return out;
}

static void expect(const char *in, size_t n, const char *want)
{
	char *got = term_safe_dup(in, n);

	assert_non_null(got);
	assert_string_equal(got, want);
	free(got);
}

#define EXPECT(in, want) expect(in, sizeof(in) - 1, want)

static void test_term_safe__escape_sequences_are_shown(void **state)
{
	(void)state;
	/* Retitle, clear the screen, set the clipboard (OSC 52). */
	EXPECT("\x1b]2;PWNED\x07 \x1b[2J", "^[]2;PWNED^G ^[[2J");
	EXPECT("\x1b]52;c;cm0gLXJmIH4K\x1b\\", "^[]52;c;cm0gLXJmIH4K^[\\");
	EXPECT("a\rb\bc\x7f\x00" "d", "a^Mb^Hc^?^@d");
	EXPECT("\x01\x1f", "^A^_");
}

static void test_term_safe__text_passes(void **state)
{
	(void)state;
	EXPECT("Hello, world\n\tindented ~ {}\n", "Hello, world\n\tindented ~ {}\n");
	/* NBSP (U+00A0, just past C1), é, €, an emoji. */
	EXPECT("\xc2\xa0 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", "\xc2\xa0 caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
}

static void test_term_safe__c1_controls(void **state)
{
	(void)state;
	EXPECT("\xc2\x9b" "2J", "<U+009B>2J");
	EXPECT("\xc2\x80\xc2\x9f\xc2\x9d", "<U+0080><U+009F><U+009D>");
}

static void test_term_safe__bytes_that_are_not_utf8(void **state)
{
	(void)state;
	/* A lone C1 byte, a stray lead byte, an overlong '/', a surrogate,
	 * above U+10FFFF, a sequence cut by the end. */
	EXPECT("\x9b" "2J", "\\x9b2J");
	EXPECT("\xff\xfe", "\\xff\\xfe");
	EXPECT("\xc0\xaf", "\\xc0\\xaf");
	EXPECT("\xed\xa0\x80", "\\xed\\xa0\\x80");
	EXPECT("\xf4\x90\x80\x80", "\\xf4\\x90\\x80\\x80");
	EXPECT("ok\xe2\x82", "ok\\xe2\\x82");
	/* A lead byte followed by an ASCII byte: the ASCII byte stays itself. */
	EXPECT("\xc3" "A\xe2\x82" "B", "\\xc3A\\xe2\\x82B");
	EXPECT("\xc2\x1b", "\\xc2^[");
}

/* A C1 control whose two bytes come in two deltas. */
static void test_term_safe__sequence_split_across_pieces(void **state)
{
	char out[TERM_SAFE_MAX(8)];
	term_safe st;
	size_t o;

	(void)state;
	term_safe_init(&st);
	o = term_safe_feed(&st, out, "x\xc2", 2);
	assert_int_equal(o, 1);
	assert_memory_equal(out, "x", 1);
	o = term_safe_feed(&st, out, "\x9b", 1);
	assert_int_equal(o, 8);
	assert_memory_equal(out, "<U+009B>", 8);
	/* A 4-byte sequence in 4 pieces. */
	assert_int_equal(term_safe_feed(&st, out, "\xf0", 1), 0);
	assert_int_equal(term_safe_feed(&st, out, "\x9f", 1), 0);
	assert_int_equal(term_safe_feed(&st, out, "\x98", 1), 0);
	assert_int_equal(term_safe_feed(&st, out, "\x80", 1), 4);
	assert_memory_equal(out, "\xf0\x9f\x98\x80", 4);
	assert_int_equal(term_safe_end(&st, out), 0);
	/* Cut for good: the end shows what was held back. */
	assert_int_equal(term_safe_feed(&st, out, "\xe2\x82", 2), 0);
	o = term_safe_end(&st, out);
	assert_int_equal(o, 8);
	assert_memory_equal(out, "\\xe2\\x82", 8);
}

/* Every split point, and a byte at a time, give what the whole gives. */
static void test_term_safe__splits_do_not_matter(void **state)
{
	static const char text[] = "a\xc2\x9b" "b\x1b[2J\xf0\x9f\x98\x80\xe2\x82\xac\xff\xc2\xa0"
				   "\xe0\x80\x80\xed\xa0\x80\xc2\x85z\xe2\x82";
	size_t n = sizeof(text) - 1, step;
	char *whole = term_safe_dup(text, n), *got;

	(void)state;
	assert_non_null(whole);
	for (step = 1; step <= n; step++) {
		got = filter_pieces(text, n, step);
		assert_string_equal(got, whole);
		free(got);
	}
	/* Two pieces, split at every index. */
	for (step = 0; step <= n; step++) {
		char *out = malloc(TERM_SAFE_MAX(n) + 1);
		term_safe st;
		size_t o;

		assert_non_null(out);
		term_safe_init(&st);
		o = term_safe_feed(&st, out, text, step);
		o += term_safe_feed(&st, out + o, text + step, n - step);
		o += term_safe_end(&st, out + o);
		out[o] = '\0';
		assert_string_equal(out, whole);
		free(out);
	}
	free(whole);
}

/* Every byte value, alone and after each lead byte: the output holds no
 * control byte but newline and tab, no C1 code point, and fits the bound. */
static void test_term_safe__no_control_gets_through(void **state)
{
	unsigned a, b;

	(void)state;
	for (a = 0; a < 256; a++) {
		for (b = 0; b < 256; b++) {
			char in[2] = { (char)a, (char)b }, *out = term_safe_dup(in, 2);
			size_t i, n;

			assert_non_null(out);
			n = strlen(out);
			assert_true(n <= TERM_SAFE_MAX(2));
			for (i = 0; i < n; i++) {
				unsigned char c = (unsigned char)out[i];

				assert_false((c < 0x20 && c != '\n' && c != '\t') || c == 0x7f);
				assert_false(c == 0xc2 && i + 1 < n && (unsigned char)out[i + 1] < 0xa0);
				assert_false(c >= 0x80 && c < 0xa0 && (i == 0 || (unsigned char)out[i - 1] < 0x80));
			}
			free(out);
		}
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_term_safe__escape_sequences_are_shown),
		cmocka_unit_test(test_term_safe__text_passes),
		cmocka_unit_test(test_term_safe__c1_controls),
		cmocka_unit_test(test_term_safe__bytes_that_are_not_utf8),
		cmocka_unit_test(test_term_safe__sequence_split_across_pieces),
		cmocka_unit_test(test_term_safe__splits_do_not_matter),
		cmocka_unit_test(test_term_safe__no_control_gets_through),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
