/* The gateway's routing: every front's paths (Bedrock runtime and control
 * plane, the Anthropic API, Vertex with /v1, /v1beta1 and no prefix), ids
 * percent-decoded (ARNs with %2F, a colon as %3A), ?beta=true, HEAD /,
 * /metrics and /healthz, and 404 (in the front the path looks like)
 * versus 405. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "gw_route.h"

#define PROFILE_ARN_ENC \
	"arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2F" \
	"us.anthropic.claude-sonnet-4-5-20250929-v1%3A0"
#define PROFILE_ARN \
	"arn:aws:bedrock:us-east-1:123456789012:inference-profile/" \
	"us.anthropic.claude-sonnet-4-5-20250929-v1:0"

static void ok(gw_route *r, const char *method, const char *path, const char *query,
	       bedrock_platform front, gw_op op, const char *op_name)
{
	int rc = gw_route_parse(r, method, path, query);

	if (rc)
		fail_msg("%s %s: %d", method, path, rc);
	assert_int_equal(r->front, front);
	assert_int_equal(r->op, op);
	assert_string_equal(r->op_name, op_name);
}

static void test_gw_route__bedrock(void **state)
{
	gw_route r;

	(void)state;
	ok(&r, "POST", "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke", "",
	   BEDROCK_PLATFORM_BEDROCK, GW_OP_MESSAGES, "invoke");
	assert_string_equal(r.model, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	ok(&r, "POST", "/model/" PROFILE_ARN_ENC "/invoke-with-response-stream", "",
	   BEDROCK_PLATFORM_BEDROCK, GW_OP_MESSAGES_STREAM, "invoke-stream");
	assert_string_equal(r.model, PROFILE_ARN);
	/* The same ARN with its '/' unencoded still routes. */
	ok(&r, "POST", "/model/" PROFILE_ARN "/invoke", NULL, BEDROCK_PLATFORM_BEDROCK,
	   GW_OP_MESSAGES, "invoke");
	assert_string_equal(r.model, PROFILE_ARN);
	ok(&r, "POST", "/model/m/converse", "", BEDROCK_PLATFORM_BEDROCK, GW_OP_CONVERSE,
	   "converse");
	ok(&r, "POST", "/model/m/converse-stream", "", BEDROCK_PLATFORM_BEDROCK,
	   GW_OP_CONVERSE_STREAM, "converse-stream");
	ok(&r, "POST", "/model/anthropic.claude-3-haiku-20240307-v1:0/count-tokens", "",
	   BEDROCK_PLATFORM_BEDROCK, GW_OP_COUNT_TOKENS, "count-tokens");
	assert_string_equal(r.model, "anthropic.claude-3-haiku-20240307-v1:0");

	ok(&r, "GET", "/foundation-models", "byProvider=Anthropic", BEDROCK_PLATFORM_BEDROCK,
	   GW_OP_LIST_MODELS, "list-models");
	ok(&r, "GET", "/foundation-models/anthropic.claude-3-haiku-20240307-v1%3A0", "",
	   BEDROCK_PLATFORM_BEDROCK, GW_OP_GET_MODEL, "get-model");
	assert_string_equal(r.model, "anthropic.claude-3-haiku-20240307-v1:0");
	ok(&r, "GET", "/inference-profiles", "maxResults=10", BEDROCK_PLATFORM_BEDROCK,
	   GW_OP_LIST_PROFILES, "list-profiles");
	ok(&r, "GET", "/inference-profiles/" PROFILE_ARN_ENC, "", BEDROCK_PLATFORM_BEDROCK,
	   GW_OP_GET_PROFILE, "get-profile");
	assert_string_equal(r.model, PROFILE_ARN);
	ok(&r, "HEAD", "/", "", BEDROCK_PLATFORM_BEDROCK, GW_OP_PROBE, "probe");

	/* Misses: unknown operation, empty id, bad escape, %00. */
	assert_int_equal(gw_route_parse(&r, "POST", "/model/m/invoke-foo", ""), -1);
	assert_int_equal(r.front, BEDROCK_PLATFORM_BEDROCK);
	assert_int_equal(r.op, GW_OP_NONE);
	assert_string_equal(r.model, "");
	assert_int_equal(gw_route_parse(&r, "POST", "/model//invoke", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/model/invoke", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/model/a%2/invoke", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/model/a%00b/invoke", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/nothing", ""), -1);
	assert_int_equal(r.front, BEDROCK_PLATFORM_BEDROCK);
	/* Wrong method: 405, the front known. */
	assert_int_equal(gw_route_parse(&r, "GET", "/model/m/invoke", ""), -2);
	assert_int_equal(r.front, BEDROCK_PLATFORM_BEDROCK);
	assert_int_equal(gw_route_parse(&r, "POST", "/foundation-models", ""), -2);
	assert_int_equal(gw_route_parse(&r, "GET", "/", ""), -2);
}

static void test_gw_route__anthropic(void **state)
{
	gw_route r;

	(void)state;
	ok(&r, "POST", "/v1/messages", "", BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, "messages");
	assert_int_equal(r.beta, 0);
	assert_string_equal(r.model, "");
	ok(&r, "POST", "/v1/messages", "beta=true", BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES,
	   "messages");
	assert_int_equal(r.beta, 1);
	ok(&r, "POST", "/v1/messages", "x=1&beta=false", BEDROCK_PLATFORM_ANTHROPIC,
	   GW_OP_MESSAGES, "messages");
	assert_int_equal(r.beta, 0);
	ok(&r, "POST", "/v1/messages/count_tokens", "beta=true", BEDROCK_PLATFORM_ANTHROPIC,
	   GW_OP_COUNT_TOKENS, "count-tokens");
	assert_int_equal(r.beta, 1);
	ok(&r, "GET", "/v1/models", "limit=5", BEDROCK_PLATFORM_ANTHROPIC, GW_OP_LIST_MODELS,
	   "list-models");
	ok(&r, "GET", "/v1/models/claude-sonnet-4-5-20250929", "", BEDROCK_PLATFORM_ANTHROPIC,
	   GW_OP_GET_MODEL, "get-model");
	assert_string_equal(r.model, "claude-sonnet-4-5-20250929");

	assert_int_equal(gw_route_parse(&r, "GET", "/v1/messages", ""), -2);
	assert_int_equal(r.front, BEDROCK_PLATFORM_ANTHROPIC);
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/models", ""), -2);
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/messages/batches", ""), -1);
	assert_int_equal(r.front, BEDROCK_PLATFORM_ANTHROPIC);
	assert_int_equal(gw_route_parse(&r, "GET", "/v1/models/a/b", ""), -1);
}

static void test_gw_route__vertex(void **state)
{
	static const char *const prefixes[] = { "/v1", "/v1beta1", "" };
	char path[512];
	gw_route r;
	size_t i;

	(void)state;
	for (i = 0; i < 3; i++) {
		snprintf(path, sizeof(path),
			 "%s/projects/my-proj/locations/us-east5/publishers/anthropic/models/"
			 "claude-sonnet-4-5@20250929:rawPredict", prefixes[i]);
		ok(&r, "POST", path, "", BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES, "rawPredict");
		assert_string_equal(r.project, "my-proj");
		assert_string_equal(r.location, "us-east5");
		assert_string_equal(r.model, "claude-sonnet-4-5@20250929");

		snprintf(path, sizeof(path),
			 "%s/projects/p/locations/global/publishers/anthropic/models/"
			 "claude-opus-4-6%%3AstreamRawPredict", prefixes[i]);
		ok(&r, "POST", path, "", BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES_STREAM,
		   "streamRawPredict");
		assert_string_equal(r.model, "claude-opus-4-6");
		assert_string_equal(r.location, "global");

		snprintf(path, sizeof(path),
			 "%s/projects/p/locations/us/publishers/anthropic/models/"
			 "count-tokens:rawPredict", prefixes[i]);
		ok(&r, "POST", path, "", BEDROCK_PLATFORM_VERTEX, GW_OP_COUNT_TOKENS,
		   "count-tokens");
		assert_string_equal(r.model, "");
	}
	/* TS percent-encodes '@' and ';' sometimes. */
	ok(&r, "POST", "/v1/projects/p%3Bx/locations/us-east5/publishers/anthropic/models/"
		       "claude-sonnet-4-5%4020250929:rawPredict", "", BEDROCK_PLATFORM_VERTEX,
	   GW_OP_MESSAGES, "rawPredict");
	assert_string_equal(r.project, "p;x");
	assert_string_equal(r.model, "claude-sonnet-4-5@20250929");

	/* Another publisher, another verb, a missing part: 404 in Vertex's shape. */
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/projects/p/locations/l/publishers/google/"
					 "models/gemini:rawPredict", ""), -1);
	assert_int_equal(r.front, BEDROCK_PLATFORM_VERTEX);
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/projects/p/locations/l/publishers/"
					 "anthropic/models/m:generateContent", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/projects/p/locations/l/publishers/"
					 "anthropic/models/:rawPredict", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/v1/projects/p/locations//publishers/"
					 "anthropic/models/m:rawPredict", ""), -1);
	assert_int_equal(gw_route_parse(&r, "POST", "/v2/projects/p/locations/l/publishers/"
					 "anthropic/models/m:rawPredict", ""), -1);
	assert_int_equal(r.front, BEDROCK_PLATFORM_VERTEX);
	assert_int_equal(gw_route_parse(&r, "GET", "/v1/projects/p/locations/l/publishers/"
					 "anthropic/models/m:rawPredict", ""), -2);
	assert_int_equal(r.front, BEDROCK_PLATFORM_VERTEX);
}

static void test_gw_route__gateway_and_bounds(void **state)
{
	char path[2200];
	gw_route r;

	(void)state;
	ok(&r, "GET", "/metrics", "", BEDROCK_PLATFORM_BEDROCK, GW_OP_METRICS, "metrics");
	ok(&r, "GET", "/healthz", "", BEDROCK_PLATFORM_BEDROCK, GW_OP_HEALTHZ, "healthz");
	ok(&r, "HEAD", "/healthz", "", BEDROCK_PLATFORM_BEDROCK, GW_OP_HEALTHZ, "healthz");
	assert_int_equal(gw_route_parse(&r, "POST", "/metrics", ""), -2);
	assert_int_equal(gw_route_parse(&r, "GET", "", ""), -1);
	assert_int_equal(gw_route_parse(&r, "GET", NULL, ""), -1);
	assert_int_equal(gw_route_parse(&r, NULL, "/model/m/invoke", ""), -2);

	/* An id longer than the route holds does not match (nothing is cut). */
	memset(path, 'a', sizeof(path));
	memcpy(path, "/model/", 7);
	memcpy(path + 7 + 600, "/invoke", 8);
	assert_int_equal(gw_route_parse(&r, "POST", path, ""), -1);
	memcpy(path + 7 + 511, "/invoke", 8);
	assert_int_equal(gw_route_parse(&r, "POST", path, ""), 0);
	assert_int_equal(strlen(r.model), 511);
	memcpy(path + 7 + 512, "/invoke", 8);
	assert_int_equal(gw_route_parse(&r, "POST", path, ""), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_route__bedrock),
		cmocka_unit_test(test_gw_route__anthropic),
		cmocka_unit_test(test_gw_route__vertex),
		cmocka_unit_test(test_gw_route__gateway_and_bounds),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
