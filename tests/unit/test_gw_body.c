/* Request bodies across fronts and upstreams: the same bytes on the same
 * platform; otherwise model, stream, version and betas where the upstream
 * wants them and every other member through; max_tokens, model and stream
 * read out; count-tokens bodies unwrapped from Bedrock's base64 and shaped
 * for each platform; Converse kept to Bedrock; a beta dropped from the
 * header or the body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "base64.h"
#include "gw_translate.h"

static gw_route route(bedrock_platform front, gw_op op, const char *model)
{
	gw_route r;

	memset(&r, 0, sizeof(r));
	r.front = front;
	r.op = op;
	snprintf(r.model, sizeof(r.model), "%s", model ? model : "");
	return r;
}

static serve_request request(const char *body, const serve_header *h, size_t nh)
{
	serve_request q;

	memset(&q, 0, sizeof(q));
	q.method = "POST";
	q.path = "/";
	q.query = "";
	q.body = (const uint8_t *)body;
	q.body_len = strlen(body);
	q.headers = h;
	q.header_count = nh;
	return q;
}

static void convert(gw_upstream_body *out, bedrock_platform front, gw_op op, const char *model,
		    const char *body, const serve_header *h, size_t nh, bedrock_platform to)
{
	gw_route r = route(front, op, model);
	serve_request q = request(body, h, nh);
	char err[256];

	if (gw_body_for_upstream(out, &r, &q, to, err, sizeof(err)))
		fail_msg("%s -> %s: %s", bedrock_platform_name(front), bedrock_platform_name(to), err);
	assert_int_equal(strlen(out->body), out->len);
}

static const char bedrock_body[] =
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"anthropic_beta\":[\"b1\",\"b2\"],"
	"\"max_tokens\":300,\"x_future\":{\"k\":[1,2]},"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
static const char api_body[] =
	"{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":77,\"stream\":true,"
	"\"x_future\":1,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

static const char vertex_body[] =
	"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":5,\"x_future\":1,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
static const char vertex_stream_body[] =
	"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":5,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";

static void test_gw_body__same_platform(void **state)
{
	serve_header h[] = { { (char *)"Anthropic-Beta", (char *)"b1,b2" },
			     { (char *)"x-other", (char *)"v" },
			     { (char *)"anthropic-beta", (char *)"b3" } };
	gw_upstream_body b;

	(void)state;
	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_MESSAGES, "m", bedrock_body, NULL, 0,
		BEDROCK_PLATFORM_BEDROCK);
	assert_bytes_equal(b.body, b.len, bedrock_body, strlen(bedrock_body));
	assert_int_equal(b.max_tokens, 300);
	assert_int_equal(b.stream, 0);
	assert_null(b.betas);
	assert_null(b.model);
	gw_upstream_body_dispose(&b);

	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_MESSAGES_STREAM, "m", bedrock_body, NULL, 0,
		BEDROCK_PLATFORM_BEDROCK);
	assert_int_equal(b.stream, 1);
	gw_upstream_body_dispose(&b);

	/* Repeated anthropic-beta headers join; the bytes stay. */
	convert(&b, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, NULL, api_body, h, 3,
		BEDROCK_PLATFORM_ANTHROPIC);
	assert_bytes_equal(b.body, b.len, api_body, strlen(api_body));
	assert_string_equal(b.betas, "b1,b2,b3");
	assert_string_equal(b.model, "claude-sonnet-4-5-20250929");
	assert_int_equal(b.max_tokens, 77);
	assert_int_equal(b.stream, 1);
	gw_upstream_body_dispose(&b);
	gw_upstream_body_dispose(&b);	/* twice is fine */

	/* streamRawPredict without "stream": true gets it for a Vertex upstream
	 * (which would answer JSON otherwise); with it, the bytes stay. */
	convert(&b, BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES_STREAM, "claude-sonnet-4-5@20250929",
		vertex_body, NULL, 0, BEDROCK_PLATFORM_VERTEX);
	assert_int_equal(b.stream, 1);
	assert_non_null(strstr(b.body, "\"stream\":true"));
	assert_non_null(strstr(b.body, "\"x_future\":1"));
	gw_upstream_body_dispose(&b);
	convert(&b, BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES_STREAM, "claude-sonnet-4-5@20250929",
		vertex_stream_body, NULL, 0, BEDROCK_PLATFORM_VERTEX);
	assert_bytes_equal(b.body, b.len, vertex_stream_body, strlen(vertex_stream_body));
	gw_upstream_body_dispose(&b);
}

static void test_gw_body__across(void **state)
{
	serve_header h[] = { { (char *)"anthropic-beta", (char *)"b9" } };
	gw_upstream_body b;

	(void)state;
	/* Bedrock stream -> Anthropic: the model (the client's, until the send
	 * writes the upstream's), stream in the body, betas to the header. */
	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_MESSAGES_STREAM,
		"us.anthropic.claude-sonnet-4-5-20250929-v1:0", bedrock_body, NULL, 0,
		BEDROCK_PLATFORM_ANTHROPIC);
	assert_non_null(strstr(b.body, "\"model\":\"us.anthropic.claude-sonnet-4-5-20250929-v1:0\""));
	assert_non_null(strstr(b.body, "\"stream\":true"));
	assert_non_null(strstr(b.body, "\"x_future\":{\"k\":[1,2]}"));
	assert_null(strstr(b.body, "anthropic_version"));
	assert_null(strstr(b.body, "anthropic_beta"));
	assert_string_equal(b.betas, "b1,b2");
	assert_int_equal(b.stream, 1);
	assert_int_equal(b.max_tokens, 300);
	gw_upstream_body_dispose(&b);

	/* Anthropic -> Bedrock: the model and stream leave the body, the
	 * version and the header's betas go in. */
	convert(&b, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, NULL, api_body, h, 1,
		BEDROCK_PLATFORM_BEDROCK);
	assert_null(strstr(b.body, "\"model\""));
	assert_null(strstr(b.body, "\"stream\""));
	assert_non_null(strstr(b.body, "\"anthropic_version\":\"bedrock-2023-05-31\""));
	assert_non_null(strstr(b.body, "\"anthropic_beta\":[\"b9\"]"));
	assert_non_null(strstr(b.body, "\"x_future\":1"));
	assert_null(b.betas);
	assert_string_equal(b.model, "claude-sonnet-4-5-20250929");
	assert_int_equal(b.stream, 1);
	gw_upstream_body_dispose(&b);

	/* Anthropic -> Vertex: stream stays in the body, Vertex's version. */
	convert(&b, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, NULL, api_body, h, 1,
		BEDROCK_PLATFORM_VERTEX);
	assert_non_null(strstr(b.body, "\"stream\":true"));
	assert_non_null(strstr(b.body, "\"anthropic_version\":\"vertex-2023-10-16\""));
	assert_string_equal(b.betas, "b9");
	gw_upstream_body_dispose(&b);

	/* Vertex -> Bedrock. */
	convert(&b, BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES_STREAM, "claude-sonnet-4-5@20250929",
		"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":5,\"stream\":true,"
		"\"messages\":[]}", h, 1, BEDROCK_PLATFORM_BEDROCK);
	assert_non_null(strstr(b.body, "\"anthropic_version\":\"bedrock-2023-05-31\""));
	assert_non_null(strstr(b.body, "\"anthropic_beta\":[\"b9\"]"));
	assert_null(strstr(b.body, "\"stream\""));
	assert_int_equal(b.stream, 1);
	assert_int_equal(b.max_tokens, 5);
	gw_upstream_body_dispose(&b);
}

static void test_gw_body__count_tokens(void **state)
{
	static const char inner[] =
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":10,"
		"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}]}";
	char wrapped[512], b64[256];
	gw_upstream_body b;
	gw_route r;
	serve_request q;
	char err[256];

	(void)state;
	bedrock__base64_encode(b64, inner, strlen(inner));
	snprintf(wrapped, sizeof(wrapped), "{\"input\":{\"invokeModel\":{\"body\":\"%s\"}}}", b64);
	/* Bedrock -> Bedrock: the InvokeModel body, byte for byte (the send
	 * wraps it again). */
	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_COUNT_TOKENS, "m", wrapped, NULL, 0,
		BEDROCK_PLATFORM_BEDROCK);
	assert_bytes_equal(b.body, b.len, inner, strlen(inner));
	assert_int_equal(b.bedrock_count_raw, 0);
	gw_upstream_body_dispose(&b);
	/* Bedrock -> Anthropic: no output-shaping member. */
	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_COUNT_TOKENS, "m", wrapped, NULL, 0,
		BEDROCK_PLATFORM_ANTHROPIC);
	assert_null(strstr(b.body, "max_tokens"));
	assert_non_null(strstr(b.body, "\"messages\""));
	gw_upstream_body_dispose(&b);
	/* Anthropic -> Bedrock: InvokeModel wants a max_tokens. */
	convert(&b, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_COUNT_TOKENS, NULL,
		"{\"model\":\"claude-opus-4-6\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}",
		NULL, 0, BEDROCK_PLATFORM_BEDROCK);
	assert_non_null(strstr(b.body, "\"max_tokens\":1"));
	assert_string_equal(b.model, "claude-opus-4-6");
	assert_int_equal(b.stream, 0);
	gw_upstream_body_dispose(&b);

	/* The Converse form: Bedrock's alone, sent whole. */
	convert(&b, BEDROCK_PLATFORM_BEDROCK, GW_OP_COUNT_TOKENS, "m",
		"{\"input\":{\"converse\":{\"messages\":[]}}}", NULL, 0, BEDROCK_PLATFORM_BEDROCK);
	assert_int_equal(b.bedrock_count_raw, 1);
	gw_upstream_body_dispose(&b);
	r = route(BEDROCK_PLATFORM_BEDROCK, GW_OP_COUNT_TOKENS, "m");
	q = request("{\"input\":{\"converse\":{\"messages\":[]}}}", NULL, 0);
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_VERTEX, err, sizeof(err)),
			 -1);
	assert_non_null(strstr(err, "only by Bedrock"));
	q = request("{\"input\":{\"invokeModel\":{\"body\":\"not base64!\"}}}", NULL, 0);
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_BEDROCK, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "base64"));
	q = request("{\"input\":{}}", NULL, 0);
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_BEDROCK, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "exactly one of invokeModel or converse"));
	assert_null(b.body);
}

static void test_gw_body__refusals(void **state)
{
	gw_route r = route(BEDROCK_PLATFORM_BEDROCK, GW_OP_CONVERSE, "m");
	serve_request q = request("{\"messages\":[]}", NULL, 0);
	gw_upstream_body b;
	char err[256];

	(void)state;
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_ANTHROPIC, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "Converse"));
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_BEDROCK, err,
					      sizeof(err)), 0);
	assert_bytes_equal(b.body, b.len, "{\"messages\":[]}", 15);
	gw_upstream_body_dispose(&b);

	r = route(BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, NULL);
	q = request("[1,2]", NULL, 0);
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_BEDROCK, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "JSON object"));
	q = request("{\"anthropic_beta\":\"x\",\"messages\":[]}", NULL, 0);
	assert_int_equal(gw_body_for_upstream(&b, &r, &q, BEDROCK_PLATFORM_VERTEX, err,
					      sizeof(err)), -1);
	assert_non_null(strstr(err, "anthropic_beta"));
	assert_null(b.body);
}

static void test_gw_body__drop_beta(void **state)
{
	gw_upstream_body b;

	(void)state;
	memset(&b, 0, sizeof(b));
	b.betas = strdup("a, b ,c");
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_ANTHROPIC, "b"), 0);
	assert_string_equal(b.betas, "a,c");
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_ANTHROPIC, "b"), -1);
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_VERTEX, "a"), 0);
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_VERTEX, "c"), 0);
	assert_null(b.betas);
	gw_upstream_body_dispose(&b);

	b.body = strdup(bedrock_body);
	b.len = strlen(bedrock_body);
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_BEDROCK, "b1"), 0);
	assert_non_null(strstr(b.body, "\"anthropic_beta\":[\"b2\"]"));
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_BEDROCK, "b2"), 0);
	assert_null(strstr(b.body, "anthropic_beta"));
	assert_non_null(strstr(b.body, "\"x_future\":{\"k\":[1,2]}"));
	assert_int_equal(strlen(b.body), b.len);
	assert_int_equal(gw_body_drop_beta(&b, BEDROCK_PLATFORM_BEDROCK, "b2"), -1);
	gw_upstream_body_dispose(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_body__same_platform),
		cmocka_unit_test(test_gw_body__across),
		cmocka_unit_test(test_gw_body__count_tokens),
		cmocka_unit_test(test_gw_body__refusals),
		cmocka_unit_test(test_gw_body__drop_beta),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
