#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_auth__precedence(void **state)
{
	bedrock_auth_options o = BEDROCK_AUTH_OPTIONS_INIT;
	bedrock_creds_provider *p;
	bedrock_error_info err;
	bedrock_auth *a;

	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	/* Nothing given: the default chain (asked only later). */
	assert_int_equal(bedrock_auth_new(&a, NULL, &err), 0);
	assert_int_equal(bedrock_auth_get_kind(a), BEDROCK_AUTH_SIGV4);
	assert_string_equal(bedrock_auth_source(a), "default-chain");
	assert_non_null(bedrock_auth_provider(a));
	assert_null(bedrock_auth_bearer_token(a));
	bedrock_auth_free(a);

	/* A key in the environment wins over the chain. */
	setenv("AWS_BEARER_TOKEN_BEDROCK", "bedrock-api-key-ENV", 1);
	assert_int_equal(bedrock_auth_new(&a, &o, &err), 0);
	assert_int_equal(bedrock_auth_get_kind(a), BEDROCK_AUTH_BEARER);
	assert_string_equal(bedrock_auth_bearer_token(a), "bedrock-api-key-ENV");
	assert_string_equal(bedrock_auth_source(a), "AWS_BEARER_TOKEN_BEDROCK");
	assert_null(bedrock_auth_provider(a));
	bedrock_auth_free(a);

	/* ...but not over keys or a provider given in code. */
	o.access_key_id = "AKIDEXPLICIT0001";
	o.secret_access_key = "secret";
	assert_int_equal(bedrock_auth_new(&a, &o, &err), 0);
	assert_int_equal(bedrock_auth_get_kind(a), BEDROCK_AUTH_SIGV4);
	assert_string_equal(bedrock_auth_source(a), "explicit-keys");
	bedrock_auth_free(a);
	o.access_key_id = o.secret_access_key = NULL;
	assert_int_equal(bedrock_creds_provider_new_static(&p, "AKIDP", "s", NULL), 0);
	o.provider = p;
	assert_int_equal(bedrock_auth_new(&a, &o, &err), 0);
	assert_string_equal(bedrock_auth_source(a), "provider");
	assert_ptr_equal(bedrock_auth_provider(a), p);
	bedrock_auth_free(a);
	o.provider = NULL;

	/* An explicit key beats the environment's. */
	o.bearer_token = "bedrock-api-key-EXPLICIT";
	assert_int_equal(bedrock_auth_new(&a, &o, &err), 0);
	assert_string_equal(bedrock_auth_bearer_token(a), "bedrock-api-key-EXPLICIT");
	assert_string_equal(bedrock_auth_source(a), "explicit-bearer");
	bedrock_auth_free(a);

	/* An explicit key together with explicit credentials is an error. */
	o.access_key_id = "AKIDEXPLICIT0001";
	o.secret_access_key = "secret";
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
	assert_null(a);
	assert_non_null(strstr(err.message, "pass one"));
	assert_null(strstr(err.message, "EXPLICIT"));
	o.access_key_id = o.secret_access_key = NULL;
	o.provider = p;
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
	o.provider = NULL;
	bedrock_creds_provider_release(p);

	/* Keys that would forge headers are refused. */
	o.bearer_token = "key\r\nX-Evil: 1";
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
	assert_non_null(strstr(err.message, "CR or LF"));
	o.bearer_token = NULL;
	setenv("AWS_BEARER_TOKEN_BEDROCK", "k\n", 1);
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
	/* Half a key pair is an error, not a silent fallback. */
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	o.access_key_id = "AKIDONLY";
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
	o.version = 99;
	assert_int_equal(bedrock_auth_new(&a, &o, &err), BEDROCK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_auth__precedence),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
