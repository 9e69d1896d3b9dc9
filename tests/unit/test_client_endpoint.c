/* Endpoint URLs: the ones that cannot work are refused when the client is
 * made (never quoting a password), and a path in one (a gateway's prefix)
 * is signed with every request, as it is sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define HELLO "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
	      "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"
#define CONVERSE "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, world\"}]}]," \
		 "\"inferenceConfig\":{\"maxTokens\":100}}"
#define COUNT "{\"input\":{\"invokeModel\":{\"body\":\"e30=\"}}}"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

static harness_emulator emu;

static int setup(void **state)
{
	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	unsetenv("AWS_ENDPOINT_URL");
	unsetenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	unsetenv("AWS_ENDPOINT_URL_BEDROCK");
	harness_emulator_start(&emu, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

static int client_at(bedrock_client **out, const char *url, const char *control_url,
		     const char *secret, bedrock_error_info *err)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;

	o.region = "us-east-1";
	o.endpoint_url = url;
	o.control_endpoint_url = control_url;
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = secret;
	o.max_attempts = 1;
	return bedrock_client_new(out, &o, err);
}

static void test_endpoint__refused(void **state)
{
	static const struct {
		const char *url, *why;
	} bad[] = {
		{ "http://127.0.0.1:4567?x=1", "query" },
		{ "http://127.0.0.1:4567/?", "query" },
		{ "http://127.0.0.1:4567/#frag", "fragment" },
		{ "http://user:s3cretpw@127.0.0.1:4567", "user name or password" },
		{ "http://:s3cretpw@127.0.0.1:4567", "user name or password" },
		{ "http://s3cretpw@127.0.0.1:4567", "user name or password" },
		{ "http://127.0.0.1:99999", "port" },
		{ "http://127.0.0.1:0", "port" },
		{ "http://127.0.0.1:45x67", "port" },
		{ "http://127.0.0.1:4567 ", "white space" },
		{ " http://127.0.0.1:4567", "white space" },
		{ "http://127.0.0.1:4567\r\nX-Evil: 1", "white space" },
		{ "http://127.0.0.1:4567\n", "white space" },
		{ "http://", "not valid" },
		{ "ftp://x", "http://" },
		{ "127.0.0.1:4567", "http://" },
	};
	bedrock_error_info err;
	bedrock_client *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		c = NULL;
		memset(&err, 0, sizeof(err));
		if (client_at(&c, bad[i].url, NULL, SECRET, &err) != BEDROCK_ECONFIG)
			fail_msg("accepted %s", bad[i].url);
		assert_null(c);
		if (!strstr(err.message, bad[i].why) || !strstr(err.message, "endpoint URL"))
			fail_msg("%s: '%s' does not say %s", bad[i].url, err.message, bad[i].why);
		assert_null(strstr(err.message, "s3cretpw"));
		/* The control plane's own URL is checked the same way. */
		memset(&err, 0, sizeof(err));
		assert_int_equal(client_at(&c, emu.url, bad[i].url, SECRET, &err), BEDROCK_ECONFIG);
		assert_non_null(strstr(err.message, "control-plane endpoint URL"));
		assert_null(strstr(err.message, "s3cretpw"));
	}
	/* From the environment, too. */
	setenv("AWS_ENDPOINT_URL", "https://u:s3cretpw@example.com", 1);
	assert_int_equal(client_at(&c, NULL, NULL, SECRET, &err), BEDROCK_ECONFIG);
	assert_null(strstr(err.message, "s3cretpw"));
	unsetenv("AWS_ENDPOINT_URL");
}

static void test_endpoint__normalised(void **state)
{
	static const struct {
		const char *in, *out;
	} ok[] = {
		{ "http://127.0.0.1:4567/", "http://127.0.0.1:4567" },
		{ "http://127.0.0.1:4567/gw/v1//", "http://127.0.0.1:4567/gw/v1" },
		{ "http://127.0.0.1:4567/gw/../x/./y", "http://127.0.0.1:4567/x/y" },
		{ "HTTPS://bedrock.example.com:443/", "https://bedrock.example.com" },
		{ "http://[::1]:4567", "http://[::1]:4567" },
	};
	bedrock_error_info err;
	bedrock_client *c;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		if (client_at(&c, ok[i].in, NULL, SECRET, &err))
			fail_msg("%s: %s", ok[i].in, err.message);
		assert_string_equal(bedrock_client_endpoint(c), ok[i].out);
		bedrock_client_free(c);
	}
}

/* The emulator checks the signature over the path it received before it
 * routes, so a prefixed request that is signed right is an unknown
 * operation (404), and one signed over another path is refused (403). */
static void expect_unknown(int rc, const bedrock_error_info *err, const char *what)
{
	if (rc == 0 || strcmp(err->aws_code, "UnknownOperationException") || err->http_status != 404)
		fail_msg("%s: rc %d, %d %s: %s", what, rc, err->http_status, err->aws_code, err->message);
}

static void test_endpoint__path_prefix_is_signed(void **state)
{
	bedrock_client *c, *wrong;
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL, *which;
	bedrock_multi *m;
	bedrock_error_info err;
	bedrock_event ev;
	char url[256];
	int rc, i;

	(void)state;
	snprintf(url, sizeof(url), "%s/extra/path/", emu.url);
	assert_int_equal(client_at(&c, url, NULL, SECRET, &err), 0);
	rc = bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err);
	expect_unknown(rc, &err, "invoke");
	rc = bedrock_converse(&r, c, MODEL, CONVERSE, strlen(CONVERSE), NULL, &err);
	expect_unknown(rc, &err, "converse");
	rc = bedrock_count_tokens(&r, c, MODEL, COUNT, strlen(COUNT), NULL, &err);
	expect_unknown(rc, &err, "count-tokens");
	rc = bedrock_control_request(&r, c, "GET", "/foundation-models?byProvider=Anthropic", NULL, 0,
				     &err);
	expect_unknown(rc, &err, "control plane");
	rc = bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err);
	expect_unknown(rc, &err, "invoke stream");
	rc = bedrock_converse_stream(&s, c, MODEL, CONVERSE, strlen(CONVERSE), NULL, &err);
	expect_unknown(rc, &err, "converse stream");
	assert_int_equal(bedrock_multi_new(&m), 0);
	for (i = 0; i < 2; i++) {
		rc = i ? bedrock_multi_converse_stream(&s, m, c, MODEL, CONVERSE, strlen(CONVERSE), NULL, &err)
		       : bedrock_multi_invoke_model_stream(&s, m, c, MODEL, HELLO, strlen(HELLO), NULL,
							   &err);
		assert_int_equal(rc, 0);
		rc = bedrock_multi_next(&which, &ev, m, 10000, &err);
		assert_ptr_equal(which, s);
		expect_unknown(rc, &err, i ? "multi converse stream" : "multi invoke stream");
		bedrock_stream_free(s);
	}
	bedrock_multi_free(m);

	/* The emulator does check those signatures: a wrong key is refused. */
	assert_int_equal(client_at(&wrong, url, NULL, "not-the-secret", &err), 0);
	rc = bedrock_invoke_model(&r, wrong, MODEL, HELLO, strlen(HELLO), NULL, &err);
	assert_int_not_equal(rc, 0);
	assert_string_equal(err.aws_code, "InvalidSignatureException");
	bedrock_client_free(wrong);

	/* And without a prefix everything still works. */
	bedrock_client_free(c);
	snprintf(url, sizeof(url), "%s/", emu.url);
	assert_int_equal(client_at(&c, url, NULL, SECRET, &err), 0);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	assert_int_equal(bedrock_response_status(r), 200);
	bedrock_response_free(r);
	bedrock_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoint__refused),
		cmocka_unit_test(test_endpoint__normalised),
		cmocka_unit_test(test_endpoint__path_prefix_is_signed),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
