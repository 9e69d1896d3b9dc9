#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "ini.h"

static bedrock__ini parse_ok(const char *text)
{
	bedrock__ini ini;
	int rc = bedrock__ini_parse(&ini, text, strlen(text));

	if (rc)
		fprintf(stderr, "unexpected: %s\n", ini.errmsg);
	assert_int_equal(rc, 0);
	return ini;
}

static void test_ini__profiles_and_values(void **state)
{
	bedrock__ini ini = parse_ok(
		"# comment\n"
		"; another\n"
		"[default]\n"
		"region = us-west-2\n"
		"aws_access_key_id=AKIDEXAMPLE\n"
		"\n"
		"[profile dev]  # trailing comment\n"
		"  region : eu-west-1  \n"
		"Role_Arn = arn:aws:iam::123456789012:role/x\n"
		"note = a # not a comment\n");

	(void)state;
	assert_int_equal(ini.count, 2);
	assert_string_equal(bedrock__ini_value(&ini, "default", "region"), "us-west-2");
	assert_string_equal(bedrock__ini_value(&ini, "default", "aws_access_key_id"), "AKIDEXAMPLE");
	assert_string_equal(bedrock__ini_value(&ini, "profile dev", "region"), "eu-west-1");
	/* Keys are lower-cased as botocore's configparser does. */
	assert_string_equal(bedrock__ini_value(&ini, "profile dev", "role_arn"),
			    "arn:aws:iam::123456789012:role/x");
	assert_string_equal(bedrock__ini_value(&ini, "profile dev", "note"), "a # not a comment");
	assert_null(bedrock__ini_value(&ini, "profile dev", "missing"));
	assert_null(bedrock__ini_value(&ini, "profile nope", "region"));
	bedrock__ini_dispose(&ini);
}

static void test_ini__nested_sections(void **state)
{
	bedrock__ini ini = parse_ok(
		"[services local]\n"
		"bedrock_runtime =\n"
		"  endpoint_url = http://127.0.0.1:8080\n"
		"  Other = 1\n"
		"sts =\n"
		"\tendpoint_url = http://127.0.0.1:9090\n"
		"after = top\n");
	const bedrock__ini_section *s = bedrock__ini_section_get(&ini, "services local");
	const bedrock__ini_entry *e = bedrock__ini_entry_get(s, "bedrock_runtime");

	(void)state;
	assert_non_null(e);
	assert_string_equal(e->value, "");
	assert_int_equal(e->sub_count, 2);
	assert_string_equal(e->sub[0].key, "endpoint_url");
	assert_string_equal(e->sub[0].value, "http://127.0.0.1:8080");
	assert_string_equal(e->sub[1].key, "other");
	e = bedrock__ini_entry_get(s, "sts");
	assert_int_equal(e->sub_count, 1);
	assert_string_equal(e->sub[0].value, "http://127.0.0.1:9090");
	assert_string_equal(bedrock__ini_value(&ini, "services local", "after"), "top");
	bedrock__ini_dispose(&ini);
}

static void test_ini__continuation_duplicates_crlf_bom(void **state)
{
	bedrock__ini ini = parse_ok(
		"\xEF\xBB\xBF[a]\r\n"
		"k = one\r\n"
		"  two\r\n"
		"k2 = x\r\n"
		"[b]\r\n"
		"z = 1\r\n"
		"[a]\r\n"
		"k2 = y");

	(void)state;
	assert_int_equal(ini.count, 2);
	assert_string_equal(bedrock__ini_value(&ini, "a", "k"), "one\ntwo");
	/* A repeated section merges; the later key wins. */
	assert_string_equal(bedrock__ini_value(&ini, "a", "k2"), "y");
	assert_string_equal(bedrock__ini_value(&ini, "b", "z"), "1");
	bedrock__ini_dispose(&ini);
}

static void expect_error(const char *text, unsigned line, const char *msg)
{
	bedrock__ini ini;

	assert_int_equal(bedrock__ini_parse(&ini, text, strlen(text)), BEDROCK_EPROTOCOL);
	assert_int_equal(ini.errline, line);
	assert_non_null(strstr(ini.errmsg, msg));
	bedrock__ini_dispose(&ini);
}

static void test_ini__errors_name_the_line(void **state)
{
	(void)state;
	expect_error("key = value\n", 1, "outside any [section]");
	expect_error("[default]\nregion us-east-1\n", 2, "expected 'key = value'");
	expect_error("[default]\n\n[profile x\n", 3, "without ']'");
	expect_error("[ ]\n", 1, "empty section name");
	expect_error("[a] junk\n", 1, "unexpected text");
	expect_error("[a]\n= v\n", 2, "expected 'key = value'");
	expect_error("[a]\nn =\n  no equals here\n", 3, "nested");
	{
		static const char nul[] = "[a]\nk = v\0x\n";
		bedrock__ini ini;

		assert_int_equal(bedrock__ini_parse(&ini, nul, sizeof(nul) - 1), BEDROCK_EPROTOCOL);
		assert_int_equal(ini.errline, 2);
		bedrock__ini_dispose(&ini);
	}
}

static void test_ini__empty_input(void **state)
{
	bedrock__ini ini = parse_ok("");

	(void)state;
	assert_int_equal(ini.count, 0);
	bedrock__ini_dispose(&ini);
}

static void test_ini__allocation_failures(void **state)
{
	static const char text[] = "[default]\nregion = x\n[profile p]\ns3 =\n  a = b\nk = v\n  more\n";
	size_t n;
	int saw_ok = 0;

	(void)state;
	for (n = 1; n < 200 && !saw_ok; n++) {
		bedrock__ini ini;
		int rc;

		harness_fail_allocation(n);
		rc = bedrock__ini_parse(&ini, text, sizeof(text) - 1);
		harness_fail_allocation(0);
		assert_true(rc == 0 || rc == BEDROCK_ENOMEM);
		saw_ok = rc == 0;
		bedrock__ini_dispose(&ini);
		assert_int_equal(harness_live_allocations(), 0);
	}
	assert_true(saw_ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ini__profiles_and_values),
		cmocka_unit_test(test_ini__nested_sections),
		cmocka_unit_test(test_ini__continuation_duplicates_crlf_bom),
		cmocka_unit_test(test_ini__errors_name_the_line),
		cmocka_unit_test(test_ini__empty_input),
		cmocka_unit_test(test_ini__allocation_failures),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
