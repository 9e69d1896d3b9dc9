#include <string.h>

#include "harness.h"
#include "emu_faults.h"

static void test_emulate_faults__parse(void **state)
{
	emu_fault f;
	char err[256];

	(void)state;
	assert_int_equal(emu_fault_parse(&f, "throttle", err, sizeof(err)), 0);
	assert_int_equal(f.kind, EMU_FAULT_THROTTLE);
	assert_int_equal(emu_fault_parse(&f, "reset-after=3", err, sizeof(err)), 0);
	assert_int_equal(f.kind, EMU_FAULT_RESET_AFTER);
	assert_int_equal(f.param, 3);
	assert_int_equal(emu_fault_parse(&f, "slow=25", err, sizeof(err)), 0);
	assert_int_equal(f.param, 25);
	assert_int_equal(emu_fault_parse(&f, "stream-exception=modelStreamErrorException", err,
					 sizeof(err)), 0);
	assert_string_equal(f.exception, "modelStreamErrorException");
	assert_int_equal(emu_fault_parse(&f, "stream-exception=bogus", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "bogus"));
	assert_int_equal(emu_fault_parse(&f, "slow", err, sizeof(err)), -1);
	assert_int_equal(emu_fault_parse(&f, "throttle=2", err, sizeof(err)), -1);
	assert_int_equal(emu_fault_parse(&f, "slow=x", err, sizeof(err)), -1);
	assert_int_equal(emu_fault_parse(&f, "burst", err, sizeof(err)), 0);
	assert_int_equal(f.kind, EMU_FAULT_BURST);
	assert_int_equal(emu_fault_parse(&f, "burst=1", err, sizeof(err)), -1);
	assert_int_equal(emu_fault_parse(&f, "explode", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown fault 'explode'"));
	assert_non_null(strstr(err, "slow=MS, burst,"));
}

static emu_fault_kind take(emu_faults *f, const char *body, size_t len)
{
	emu_fault out;
	char err[256];

	assert_int_equal(emu_faults_take(&out, f, body, len, err, sizeof(err)), 0);
	return out.kind;
}

static void test_emulate_faults__counts_and_prompts(void **state)
{
	emu_faults f;
	char err[256];
	static const char body[] = "{\"messages\":[{\"role\":\"user\",\"content\":"
				   "\"hi [[emulate:fault=not-ready]]\"}]}";

	(void)state;
	assert_int_equal(emu_faults_init(&f), 0);
	assert_int_equal(emu_faults_add(&f, "throttle:2", err, sizeof(err)), 0);
	assert_int_equal(emu_faults_add(&f, "stream-exception=throttlingException:1", err,
					sizeof(err)), 0);
	assert_int_equal(emu_faults_add(&f, "internal:0", err, sizeof(err)), -1);
	assert_int_equal(take(&f, "{}", 2), EMU_FAULT_THROTTLE);
	/* A prompt directive hits without using up the command-line counts. */
	assert_int_equal(take(&f, body, sizeof(body) - 1), EMU_FAULT_NOT_READY);
	assert_int_equal(take(&f, body, sizeof(body) - 1), EMU_FAULT_NOT_READY);
	assert_int_equal(take(&f, "{}", 2), EMU_FAULT_THROTTLE);
	assert_int_equal(take(&f, "{}", 2), EMU_FAULT_STREAM_EXCEPTION);
	assert_int_equal(take(&f, "{}", 2), EMU_FAULT_NONE);
	assert_int_equal(emu_faults_add(&f, "slow=5:*", err, sizeof(err)), 0);
	assert_int_equal(take(&f, NULL, 0), EMU_FAULT_SLOW);
	assert_int_equal(take(&f, NULL, 0), EMU_FAULT_SLOW);
	/* An unterminated directive is text like any other. */
	assert_int_equal(take(&f, "[[emulate:fault=reset", 21), EMU_FAULT_SLOW);
	emu_faults_dispose(&f);
}

/* A directive naming no fault is refused, naming it, as --fault is at
 * start; it never falls through to the command-line rules. */
static void test_emulate_faults__prompt_unknown(void **state)
{
	emu_faults f;
	emu_fault out;
	char err[256] = "";
	static const char bogus[] = "{\"content\":\"hi [[emulate:fault=bogus]]\"}";

	(void)state;
	assert_int_equal(emu_faults_init(&f), 0);
	assert_int_equal(emu_faults_add(&f, "slow=5:*", err, sizeof(err)), 0);
	assert_int_equal(emu_faults_take(&out, &f, bogus, sizeof(bogus) - 1, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "unknown fault 'bogus'"));
	assert_int_equal(emu_faults_take(&out, &f, "[[emulate:fault=reset-after=x]]", 31, err,
					 sizeof(err)), -1);
	assert_non_null(strstr(err, "reset-after"));
	assert_int_equal(emu_faults_take(&out, &f, "[[emulate:fault=reset]]", 23, err,
					 sizeof(err)), 0);
	assert_int_equal(out.kind, EMU_FAULT_RESET);
	emu_faults_dispose(&f);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_faults__parse),
		cmocka_unit_test(test_emulate_faults__counts_and_prompts),
		cmocka_unit_test(test_emulate_faults__prompt_unknown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
