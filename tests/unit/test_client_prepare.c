/* bedrock_client_prepare: the credentials a request will need, fetched on
 * the calling thread and cached, so that a request started later from an
 * event loop finds them ready; the same error as the request would get. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define HELLO "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
	      "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"

static harness_emulator emu;

typedef struct counted {
	int calls;
	int fail;
} counted;

/* A source that says how often it was asked (as IMDS or SSO would be). */
static int counted_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	counted *c = impl;

	c->calls++;
	if (c->fail) {
		err->code = BEDROCK_EPROTOCOL;
		strcpy(err->message, "credential_process: output is not a JSON object");
		return BEDROCK_EPROTOCOL;
	}
	return bedrock_credentials_new(out, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
				       NULL, 0);
}

static bedrock_client *client_with(counted *k)
{
	static const bedrock_creds_provider_vtable vt = {
		BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "counted", counted_get, NULL
	};
	bedrock_creds_cache_options co = BEDROCK_CREDS_CACHE_OPTIONS_INIT;
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_creds_provider *src, *cached;
	bedrock_error_info err;
	bedrock_client *c;

	assert_int_equal(bedrock_creds_provider_new(&src, &vt, k), 0);
	assert_int_equal(bedrock_creds_provider_new_cached(&cached, src, &co), 0);
	bedrock_creds_provider_release(src);
	o.region = "us-east-1";
	o.endpoint_url = emu.url;
	o.credentials = cached;
	o.max_attempts = 1;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	bedrock_creds_provider_release(cached);
	return c;
}

static void test_prepare__fetches_once_then_requests_find_it(void **state)
{
	counted k = { 0, 0 };
	bedrock_client *c = client_with(&k);
	bedrock_error_info err;
	bedrock_response *r;

	(void)state;
	assert_int_equal(k.calls, 0);
	assert_int_equal(bedrock_client_prepare(c, &err), 0);
	assert_int_equal(k.calls, 1);
	assert_int_equal(bedrock_client_prepare(c, &err), 0);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	bedrock_response_free(r);
	/* The request signed with what prepare fetched: the source was not
	 * asked again. */
	assert_int_equal(k.calls, 1);
	bedrock_client_free(c);
}

static void test_prepare__the_request_s_error(void **state)
{
	counted k = { 0, 1 };
	bedrock_client *c = client_with(&k);
	bedrock_error_info err;
	bedrock_response *r = NULL;
	int rc;

	(void)state;
	rc = bedrock_client_prepare(c, &err);
	assert_int_equal(rc, BEDROCK_EAUTH);
	assert_int_equal(err.code, BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "credential_process"));
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), rc);
	bedrock_client_free(c);
}

static void test_prepare__nothing_to_fetch(void **state)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	(void)state;
	assert_int_equal(bedrock_client_prepare(NULL, &err), BEDROCK_EINVAL);
	/* A Bedrock API key, and the Anthropic API's key: nothing to fetch. */
	o.region = "us-east-1";
	o.endpoint_url = emu.url;
	o.bearer_token = "bedrock-api-key-x";
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_int_equal(bedrock_client_prepare(c, &err), 0);
	bedrock_client_free(c);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_emulator_start(&emu, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prepare__fetches_once_then_requests_find_it),
		cmocka_unit_test(test_prepare__the_request_s_error),
		cmocka_unit_test(test_prepare__nothing_to_fetch),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
