/* Bedrock's request headers as typed options, seen on the wire by a
 * recording proxy in front of `bedrock emulate` (exact names and values,
 * signed: the emulator checks the signature over them), and the response
 * metadata read back with bedrock_response_header(). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "proxy_helpers.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define HELLO "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
	      "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"

static harness_emulator emu;
static test_proxy px;

static int setup(void **state)
{
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_setup(state);
	harness_emulator_start(&emu, NULL);
	test_proxy_start(&px);
	return 0;
}

static int teardown(void **state)
{
	test_proxy_stop(&px);
	harness_emulator_stop(&emu);
	return harness_teardown(state);
}

static bedrock_client *client(void)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;

	harness_emulator_options(&o, &emu);
	o.max_attempts = 1;
	o.proxy = px.url;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static bedrock_request_options all_options(void)
{
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;

	ro.guardrail_identifier = "gr-abc123def456";
	ro.guardrail_version = "DRAFT";
	ro.trace = "ENABLED_FULL";
	ro.performance_latency = "optimized";
	ro.service_tier = "priority";
	ro.request_metadata = "{\"team\":\"search\"}";
	return ro;
}

/* The proxy's log records headers as ["Name", "Value"] pairs, as sent. */
static const char *const wire[] = {
	"[\"X-Amzn-Bedrock-GuardrailIdentifier\", \"gr-abc123def456\"]",
	"[\"X-Amzn-Bedrock-GuardrailVersion\", \"DRAFT\"]",
	"[\"X-Amzn-Bedrock-Trace\", \"ENABLED_FULL\"]",
	"[\"X-Amzn-Bedrock-PerformanceConfig-Latency\", \"optimized\"]",
	"[\"X-Amzn-Bedrock-Service-Tier\", \"priority\"]",
	"[\"X-Amzn-Bedrock-Request-Metadata\", \"{\\\"team\\\":\\\"search\\\"}\"]",
};

#define SIGNED "SignedHeaders=accept;content-type;host;x-amz-date;x-amzn-bedrock-guardrailidentifier;" \
	       "x-amzn-bedrock-guardrailversion;x-amzn-bedrock-performanceconfig-latency;" \
	       "x-amzn-bedrock-request-metadata;x-amzn-bedrock-service-tier;x-amzn-bedrock-trace,"
#define SIGNED_STREAM "SignedHeaders=content-type;host;x-amz-date;x-amzn-bedrock-accept;" \
		      "x-amzn-bedrock-guardrailidentifier;x-amzn-bedrock-guardrailversion;" \
		      "x-amzn-bedrock-performanceconfig-latency;x-amzn-bedrock-request-metadata;" \
		      "x-amzn-bedrock-service-tier;x-amzn-bedrock-trace,"

static void assert_all_on_the_wire(int times)
{
	size_t i;

	for (i = 0; i < sizeof(wire) / sizeof(wire[0]); i++)
		if (test_proxy_count(&px, wire[i]) != times)
			fail_msg("%s seen %d times, not %d", wire[i], test_proxy_count(&px, wire[i]), times);
}

static void test_client_headers__invoke_model(void **state)
{
	bedrock_client *c = client();
	bedrock_request_options ro = all_options();
	bedrock_error_info err;
	bedrock_response *r;

	(void)state;
	test_proxy_clear(&px);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), &ro, &err), 0);
	bedrock_response_free(r);
	assert_all_on_the_wire(1);
	/* Signed, so a proxy cannot change them; the emulator verified it. */
	assert_int_equal(test_proxy_count(&px, SIGNED), 1);
	assert_int_equal(test_proxy_count(&px, "[\"Accept\", \"application/json\"]"), 1);
	assert_int_equal(test_proxy_count(&px, "[\"Content-Type\", \"application/json\"]"), 1);

	/* Without options, none of them. */
	test_proxy_clear(&px);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	bedrock_response_free(r);
	assert_int_equal(test_proxy_count(&px, "X-Amzn-Bedrock-"), 0);

	/* One at a time: only that one. */
	ro = (bedrock_request_options)BEDROCK_REQUEST_OPTIONS_INIT;
	ro.service_tier = "flex";
	test_proxy_clear(&px);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), &ro, &err), 0);
	bedrock_response_free(r);
	assert_int_equal(test_proxy_count(&px, "[\"X-Amzn-Bedrock-Service-Tier\", \"flex\"]"), 1);
	assert_int_equal(test_proxy_count(&px, "X-Amzn-Bedrock-"), 1);
	bedrock_client_free(c);
}

static void test_client_headers__streams_and_typed_calls(void **state)
{
	bedrock_client *c = client();
	bedrock_request_options ro = all_options();
	bedrock_messages_request *req;
	bedrock_message *m;
	bedrock_error_info err;
	bedrock_stream *s, *which;
	bedrock_multi *multi;
	bedrock_event ev;
	int rc;

	(void)state;
	test_proxy_clear(&px);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), &ro, &err), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		;
	assert_int_equal(rc, BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	assert_all_on_the_wire(1);
	assert_int_equal(test_proxy_count(&px, "[\"X-Amzn-Bedrock-Accept\", \"application/json\"]"), 1);
	assert_int_equal(test_proxy_count(&px, SIGNED_STREAM), 1);

	/* bedrock_multi and the typed Messages calls pass them on too. */
	assert_int_equal(bedrock_multi_new(&multi), 0);
	assert_int_equal(bedrock_multi_invoke_model_stream(&s, multi, c, MODEL, HELLO, strlen(HELLO), &ro,
							   &err), 0);
	while ((rc = bedrock_multi_next(&which, &ev, multi, 5000, &err)) != BEDROCK_ITEROVER || which)
		assert_true(rc == 0 || rc == BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	bedrock_multi_free(multi);
	assert_all_on_the_wire(2);

	assert_int_equal(bedrock_messages_request_new(&req, 50), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hello, world", NULL), 0);
	assert_int_equal(bedrock_messages_create(&m, c, MODEL, req, &ro, &err), 0);
	bedrock_message_free(m);
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, req, &ro, &err), 0);
	while (bedrock_stream_next(&ev, s, &err) == 0)
		;
	bedrock_stream_free(s);
	bedrock_messages_request_free(req);
	assert_all_on_the_wire(4);
	bedrock_client_free(c);
}

static void test_client_headers__bad_values_are_refused_before_sending(void **state)
{
	bedrock_client *c = client();
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_response *r;
	bedrock_stream *s;

	(void)state;
	ro.guardrail_identifier = "gr-1\r\nX-Injected: yes";
	test_proxy_clear(&px);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), &ro, &err), BEDROCK_EINVAL);
	assert_non_null(strstr(err.message, "X-Amzn-Bedrock-GuardrailIdentifier contains CR or LF"));
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), &ro, &err),
			 BEDROCK_EINVAL);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 0);
	bedrock_client_free(c);
}

static long header_number(const bedrock_response *r, const char *name)
{
	const char *v = bedrock_response_header(r, name);
	char *end;
	long n;

	if (!v)
		fail_msg("no %s header", name);
	n = strtol(v, &end, 10);
	if (*end || end == v)
		fail_msg("%s is not a number: %s", name, v);
	return n;
}

static void test_client_headers__response_metadata(void **state)
{
	bedrock_client *c = client();
	bedrock_error_info err;
	bedrock_response *r;
	const char *body;
	cJSON *j, *usage;
	size_t len;

	(void)state;
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	body = bedrock_response_body(r, &len);
	j = cJSON_ParseWithLength(body, len);
	usage = cJSON_GetObjectItem(j, "usage");
	assert_non_null(usage);
	/* The token counts in the headers are the body's usage. */
	assert_int_equal(header_number(r, "X-Amzn-Bedrock-Input-Token-Count"),
			 cJSON_GetObjectItem(usage, "input_tokens")->valueint);
	assert_int_equal(header_number(r, "x-amzn-bedrock-output-token-count"),
			 cJSON_GetObjectItem(usage, "output_tokens")->valueint);
	assert_true(header_number(r, "X-AMZN-BEDROCK-INVOCATION-LATENCY") >= 0);
	assert_string_equal(bedrock_response_header(r, "x-amzn-RequestId"), bedrock_response_request_id(r));
	assert_int_equal(strlen(bedrock_response_request_id(r)), 36);
	assert_string_equal(bedrock_response_header(r, "content-type"), "application/json");
	assert_null(bedrock_response_header(r, "X-Amzn-Bedrock-Cache-Read-Input-Token-Count"));
	assert_null(bedrock_response_header(r, "x-amzn-bedrock"));
	cJSON_Delete(j);
	bedrock_response_free(r);
	bedrock_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_headers__invoke_model),
		cmocka_unit_test(test_client_headers__streams_and_typed_calls),
		cmocka_unit_test(test_client_headers__bad_values_are_refused_before_sending),
		cmocka_unit_test(test_client_headers__response_metadata),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
