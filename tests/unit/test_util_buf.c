/* The shared growable buffer (src/util/buf.c), which the library and the
 * emulator's model both write their text in. */
#include <string.h>

#include "harness.h"
#include "buf.h"

static void test_util_buf__append(void **state)
{
	bedrock_buf b = BEDROCK_BUF_INIT;

	(void)state;
	bedrock__buf_put(&b, "", 0);
	/* Even an empty append lends out a string. */
	assert_non_null(b.ptr);
	assert_string_equal(b.ptr, "");
	bedrock__buf_puts(&b, "ab");
	bedrock__buf_putc(&b, 'c');
	bedrock__buf_put(&b, "d\0e", 3);
	assert_int_equal(b.len, 6);
	assert_memory_equal(b.ptr, "abcd\0e", 7);
	bedrock__buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_string_equal(b.ptr, "");
	bedrock__buf_dispose(&b);
	assert_null(b.ptr);
	assert_int_equal(b.cap, 0);
}

static void test_util_buf__printf(void **state)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	char want[1200];
	size_t i;

	(void)state;
	bedrock__buf_printf(&b, "%u tokens", 42u);
	bedrock__buf_printf(&b, ", %s", "then more");
	bedrock__buf_printf(&b, "%s", "");
	assert_string_equal(b.ptr, "42 tokens, then more");
	assert_int_equal(b.len, strlen(b.ptr));
	/* No cap on the length (the emulator's old helper cut at 255 bytes). */
	for (i = 0; i < 1000; i++)
		want[i] = (char)('a' + i % 26);
	want[1000] = '\0';
	bedrock__buf_clear(&b);
	bedrock__buf_printf(&b, "Calling the %s tool.", want);
	assert_int_equal(b.len, 1000 + strlen("Calling the  tool."));
	assert_memory_equal(b.ptr + 12, want, 1000);
	assert_string_equal(b.ptr + 1012, " tool.");
	bedrock__buf_dispose(&b);
}

/* Allocation failure is sticky: later appends do nothing, oom says so
 * once, and nothing leaks. */
static void test_util_buf__oom(void **state)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	char big[200];

	(void)state;
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	bedrock__buf_puts(&b, "ok");
	harness_fail_allocation(1);
	bedrock__buf_printf(&b, "%s", big);
	harness_fail_allocation(0);
	assert_true(b.oom);
	assert_string_equal(b.ptr, "ok");
	bedrock__buf_puts(&b, "more");
	bedrock__buf_printf(&b, "%d", 1);
	assert_string_equal(b.ptr, "ok");
	assert_int_equal(b.len, 2);
	bedrock__buf_clear(&b);
	assert_false(b.oom);
	bedrock__buf_printf(&b, "%s", big);
	assert_int_equal(b.len, sizeof(big) - 1);
	bedrock__buf_dispose(&b);
	assert_int_equal(harness_live_allocations(), 0);
	/* Growth that cannot be sized is refused, not wrapped round. */
	bedrock__buf_puts(&b, "x");
	assert_int_equal(bedrock__buf_grow(&b, (size_t)-1), -1);
	assert_true(b.oom);
	bedrock__buf_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_buf__append),
		cmocka_unit_test(test_util_buf__printf),
		cmocka_unit_test(test_util_buf__oom),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
