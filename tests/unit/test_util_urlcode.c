/* The shared percent-coding (src/util/urlcode.c): SigV4's encoding of
 * every byte, the emulator's strict decoding of paths and query values. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "urlcode.h"

static void test_util_urlcode__hexval(void **state)
{
	int c;

	(void)state;
	for (c = -128; c < 256; c++) {
		int want = c >= '0' && c <= '9' ? c - '0'
			   : c >= 'a' && c <= 'f' ? c - 'a' + 10
			   : c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;

		assert_int_equal(bedrock__hexval(c), want);
	}
}

static void test_util_urlcode__encode(void **state)
{
	char in[256], out[3 * 256 + 1];
	size_t i, n;

	(void)state;
	n = bedrock__url_encode(out, "AZaz09-._~ /:%+\xe2\x82\xac", 18, 0);
	assert_string_equal(out, "AZaz09-._~%20%2F%3A%25%2B%E2%82%AC");
	assert_int_equal(n, strlen(out));
	assert_int_equal(bedrock__url_encode(NULL, "a/b c", 5, 0), 9);
	assert_int_equal(bedrock__url_encode(out, "/model/a:b/x y", 14, BEDROCK__URL_KEEP_SLASH), 18);
	assert_string_equal(out, "/model/a%3Ab/x%20y");
	assert_int_equal(bedrock__url_encode(out, "", 0, 0), 0);
	assert_string_equal(out, "");
	/* Every byte: only the 66 unreserved ones stay as they are. */
	for (i = 0; i < 256; i++)
		in[i] = (char)i;
	n = bedrock__url_encode(out, in, 256, 0);
	assert_int_equal(n, 66 + 3 * (256 - 66));
	assert_int_equal(bedrock__url_encode(NULL, in, 256, 0), n);
	assert_memory_equal(out, "%00%01", 6);
	assert_memory_equal(out + n - 3, "%FF", 3);
	assert_int_equal(out[n], '\0');
}

static void test_util_urlcode__encode_buf(void **state)
{
	static const char long_value[] = "a long value that must grow the buffer: 0123456789 "
					 "0123456789 0123456789 0123456789";
	bedrock_buf b = BEDROCK_BUF_INIT;
	size_t n;

	(void)state;
	bedrock__buf_puts(&b, "k=");
	bedrock__url_encode_buf(&b, "a b&c", 5, 0);
	bedrock__url_encode_buf(&b, "/x/", 3, BEDROCK__URL_KEEP_SLASH);
	assert_false(b.oom);
	assert_string_equal(b.ptr, "k=a%20b%26c/x/");
	assert_int_equal(b.len, strlen(b.ptr));
	bedrock__buf_dispose(&b);

	/* An allocation failure is sticky and leaves nothing behind. */
	for (n = 1; n <= 3; n++) {
		harness_fail_allocation(n);
		bedrock__buf_puts(&b, "prefix=");
		bedrock__url_encode_buf(&b, long_value, strlen(long_value), 0);
		harness_fail_allocation(0);
		if (b.oom)
			assert_true(b.len <= strlen("prefix="));
		bedrock__buf_dispose(&b);
		assert_int_equal(harness_live_allocations(), 0);
	}
}

static void test_util_urlcode__decode(void **state)
{
	static const struct {
		const char *in;
		const char *out;	/* NULL: -1 */
	} cases[] = {
		{ "", "" },
		{ "plain", "plain" },
		{ "a%3Ab", "a:b" },
		{ "a%3ab", "a:b" },
		{ "%E2%82%AC", "\xe2\x82\xac" },
		{ "a+b", "a+b" },		/* not form encoding */
		{ "100%25", "100%" },
		{ "%252F", "%2F" },		/* decoded once only */
		{ "a%3", NULL },
		{ "a%", NULL },
		{ "%", NULL },
		{ "a%zz", NULL },
		{ "a%3g", NULL },
		{ "a%00", NULL },		/* no NUL in a C string */
		{ "%-1", NULL },
	};
	char buf[16];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		int rc = bedrock__url_decode(buf, sizeof(buf), cases[i].in, strlen(cases[i].in));

		if (!cases[i].out) {
			if (rc != -1)
				fail_msg("accepted \"%s\"", cases[i].in);
			continue;
		}
		assert_int_equal(rc, 0);
		assert_string_equal(buf, cases[i].out);
	}
	/* Only [0, len) is read. */
	assert_int_equal(bedrock__url_decode(buf, sizeof(buf), "ab%41%", 5), 0);
	assert_string_equal(buf, "abA");
	/* The result and its NUL must fit. */
	assert_int_equal(bedrock__url_decode(buf, 4, "abcdef", 6), -1);
	assert_int_equal(bedrock__url_decode(buf, 4, "abcd", 4), -1);
	assert_int_equal(bedrock__url_decode(buf, 4, "abc", 3), 0);
	assert_string_equal(buf, "abc");
	assert_int_equal(bedrock__url_decode(buf, 4, "%41%42%43", 9), 0);
	assert_string_equal(buf, "ABC");
	assert_int_equal(bedrock__url_decode(buf, 0, "", 0), -1);
}

static void test_util_urlcode__query_param(void **state)
{
	char v[8];

	(void)state;
	assert_int_equal(bedrock__query_param(v, sizeof(v), "a=1&limit=20&b=2", "limit"), 1);
	assert_string_equal(v, "20");
	assert_int_equal(bedrock__query_param(v, sizeof(v), "a=1", "a"), 1);
	assert_string_equal(v, "1");
	assert_int_equal(bedrock__query_param(v, sizeof(v), "id=a%3Ab", "id"), 1);
	assert_string_equal(v, "a:b");
	/* Present but empty. */
	assert_int_equal(bedrock__query_param(v, sizeof(v), "x=&y=1", "x"), 1);
	assert_string_equal(v, "");
	/* The first one wins, even when the second would decode. */
	assert_int_equal(bedrock__query_param(v, sizeof(v), "k=1&k=2", "k"), 1);
	assert_string_equal(v, "1");
	assert_int_equal(bedrock__query_param(v, sizeof(v), "k=%zz&k=2", "k"), -1);
	/* Absent: a bare name, a longer or shorter name, an empty query. */
	assert_int_equal(bedrock__query_param(v, sizeof(v), "limit&x=1", "limit"), 0);
	assert_int_equal(bedrock__query_param(v, sizeof(v), "limits=1", "limit"), 0);
	assert_int_equal(bedrock__query_param(v, sizeof(v), "imit=1", "limit"), 0);
	assert_int_equal(bedrock__query_param(v, sizeof(v), "", "limit"), 0);
	assert_int_equal(bedrock__query_param(v, sizeof(v), NULL, "limit"), 0);
	assert_int_equal(bedrock__query_param(v, sizeof(v), "&&a=1&", "a"), 1);
	assert_string_equal(v, "1");
	/* Too long for out. */
	assert_int_equal(bedrock__query_param(v, sizeof(v), "a=12345678", "a"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_urlcode__hexval),
		cmocka_unit_test(test_util_urlcode__encode),
		cmocka_unit_test(test_util_urlcode__encode_buf),
		cmocka_unit_test(test_util_urlcode__decode),
		cmocka_unit_test(test_util_urlcode__query_param),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
