/* The shared cJSON helpers (src/util/json.c): one value spanning exactly
 * the given bytes, and the typed getters. */
#include <string.h>

#include "harness.h"
#include "alloc.h"
#include "json.h"

static void test_util_json__parse_exact(void **state)
{
	static const char *const good[] = {
		"{}", "{\"a\":1}", "[1,2]", "\"s\"", "0", "true", "null",
		"{} ", "{}\n", "{}\r\n\t ", " {}",
	};
	static const char *const bad[] = {
		"", " ", "{}garbage", "{}{}", "{} x", "[1,2]]", "{\"a\":1", "nul", "{}\v",
	};
	/* A slice of a larger buffer, with no NUL after it. */
	static const char slice[] = "{\"a\":[1,2]}{\"b\":2}";
	cJSON *j;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(good) / sizeof(*good); i++) {
		j = bedrock__json_parse_exact(good[i], strlen(good[i]));
		if (!j)
			fail_msg("refused \"%s\"", good[i]);
		cJSON_Delete(j);
		j = bedrock__json_parse_str(good[i]);
		assert_non_null(j);
		cJSON_Delete(j);
	}
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		j = bedrock__json_parse_exact(bad[i], strlen(bad[i]));
		if (j)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_null(bedrock__json_parse_str(bad[i]));
	}
	j = bedrock__json_parse_exact(slice, 11);
	assert_non_null(j);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "a")), 2);
	cJSON_Delete(j);
	assert_null(bedrock__json_parse_exact(slice, 12));
	assert_null(bedrock__json_parse_exact(slice, 10));
	assert_null(bedrock__json_parse_exact(NULL, 0));
	assert_null(bedrock__json_parse_str(NULL));
}

static void test_util_json__getters(void **state)
{
	cJSON *j = bedrock__json_parse_str("{\"s\":\"v\",\"n\":12,\"t\":true,\"big\":1e300,\"S\":\"w\"}");
	size_t len = 0;
	char *s;

	(void)state;
	assert_non_null(j);
	assert_string_equal(bedrock__json_str(j, "s"), "v");
	assert_string_equal(bedrock__json_str(j, "S"), "w");	/* case-sensitive */
	assert_null(bedrock__json_str(j, "n"));
	assert_null(bedrock__json_str(j, "missing"));
	assert_null(bedrock__json_str(NULL, "s"));
	assert_int_equal(bedrock__json_int(j, "n"), 12);
	assert_int_equal(bedrock__json_int(j, "t"), -1);
	assert_int_equal(bedrock__json_int(j, "big"), -1);
	assert_int_equal(bedrock__json_int(j, "missing"), -1);
	s = bedrock__json_print(j, &len);
	assert_non_null(s);
	assert_int_equal(len, strlen(s));
	assert_string_equal(s, "{\"s\":\"v\",\"n\":12,\"t\":true,\"big\":1e+300,\"S\":\"w\"}");
	bedrock__free(s);
	cJSON_Delete(j);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_json__parse_exact),
		cmocka_unit_test(test_util_json__getters),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
