/* Platform names and the three body dialects: the builder's Bedrock body is
 * unchanged; Anthropic and Vertex bodies move model, stream, version and
 * betas; unknown members pass through in order; conversion round-trips. */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

static void test_platform__names(void **state)
{
	bedrock_platform p = BEDROCK_PLATFORM_VERTEX;

	(void)state;
	assert_string_equal(bedrock_platform_name(BEDROCK_PLATFORM_BEDROCK), "bedrock");
	assert_string_equal(bedrock_platform_name(BEDROCK_PLATFORM_ANTHROPIC), "anthropic");
	assert_string_equal(bedrock_platform_name(BEDROCK_PLATFORM_VERTEX), "vertex");
	assert_string_equal(bedrock_platform_name((bedrock_platform)7), "unknown");
	assert_int_equal(bedrock_platform_parse(&p, "anthropic"), 0);
	assert_int_equal(p, BEDROCK_PLATFORM_ANTHROPIC);
	assert_int_equal(bedrock_platform_parse(&p, "Bedrock"), BEDROCK_EINVAL);
	assert_int_equal(p, BEDROCK_PLATFORM_ANTHROPIC);
	assert_int_equal(bedrock_platform_parse(&p, NULL), BEDROCK_EINVAL);
}

static bedrock_messages_request *hello(void)
{
	bedrock_messages_request *req;

	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hello, world", NULL), 0);
	assert_int_equal(bedrock_messages_request_add_beta(req, "context-1m-2025-08-07"), 0);
	assert_int_equal(bedrock_messages_request_merge_json(req, "{\"x_future\":{\"a\":1}}"), 0);
	return req;
}

static void test_platform__render(void **state)
{
	bedrock_body_options o = BEDROCK_BODY_OPTIONS_INIT;
	bedrock_messages_request *req = hello();
	char *json, *body, *betas;
	size_t len;

	(void)state;
	/* Bedrock: byte for byte what request_json writes. */
	assert_int_equal(bedrock_messages_request_json(&json, NULL, req), 0);
	assert_int_equal(bedrock_messages_request_render(&body, &len, &betas, req, &o), 0);
	assert_string_equal(body, json);
	assert_int_equal(len, strlen(json));
	assert_null(betas);
	assert_string_equal(json,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"anthropic_beta\":[\"context-1m-2025-08-07\"],"
		"\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
		"\"text\":\"Hello, world\"}]}],\"x_future\":{\"a\":1}}");
	bedrock_messages_string_free(body);

	/* Anthropic: model first, stream last, betas to the header. */
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	assert_int_equal(bedrock_messages_request_render(&body, NULL, &betas, req, &o), BEDROCK_EINVAL);
	assert_null(body);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "no model"));
	o.model = "claude-sonnet-4-5-20250929";
	o.stream = 1;
	assert_int_equal(bedrock_messages_request_render(&body, NULL, &betas, req, &o), 0);
	assert_string_equal(body,
		"{\"model\":\"claude-sonnet-4-5-20250929\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
		"\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}],\"x_future\":{\"a\":1},"
		"\"stream\":true}");
	assert_string_equal(betas, "context-1m-2025-08-07");
	bedrock_messages_string_free(body);
	bedrock_messages_string_free(betas);

	/* Vertex: its version first, no model, stream kept. */
	o.platform = BEDROCK_PLATFORM_VERTEX;
	assert_int_equal(bedrock_messages_request_render(&body, NULL, &betas, req, &o), 0);
	assert_string_equal(body,
		"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":100,\"messages\":[{\"role\":\"user\","
		"\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}],\"x_future\":{\"a\":1},"
		"\"stream\":true}");
	assert_string_equal(betas, "context-1m-2025-08-07");
	bedrock_messages_string_free(body);
	bedrock_messages_string_free(betas);

	o.version = 42;
	assert_int_equal(bedrock_messages_request_render(&body, NULL, NULL, req, &o), BEDROCK_EINVAL);
	bedrock_messages_string_free(json);
	bedrock_messages_request_free(req);
}

static void test_platform__convert(void **state)
{
	static const char api_body[] =
		"{\"model\":\"claude-opus-4-6\",\"max_tokens\":64,\"stream\":true,"
		"\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"zz_unknown\":[1,2]}";
	bedrock_body_options o = BEDROCK_BODY_OPTIONS_INIT;
	char *out, *betas, *model, *back;
	size_t len;

	(void)state;
	/* Anthropic -> Bedrock: the header's betas join the body; the model
	 * comes back to the caller for the URL. */
	assert_int_equal(bedrock_body_convert(&out, &len, &betas, &model, api_body, strlen(api_body),
					      "b1, b2,b1", &o), 0);
	assert_string_equal(out,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"anthropic_beta\":[\"b1\",\"b2\"],"
		"\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"}],\"zz_unknown\":[1,2]}");
	assert_int_equal(len, strlen(out));
	assert_null(betas);
	assert_string_equal(model, "claude-opus-4-6");
	bedrock_messages_string_free(model);

	/* ... and back, with a mapped model. */
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	o.model = "claude-opus-4-6";
	o.stream = 1;
	assert_int_equal(bedrock_body_convert(&back, NULL, &betas, &model, out, strlen(out), NULL, &o), 0);
	assert_string_equal(back,
		"{\"model\":\"claude-opus-4-6\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
		"\"content\":\"Hi\"}],\"zz_unknown\":[1,2],\"stream\":true}");
	assert_string_equal(betas, "b1,b2");
	assert_null(model);
	bedrock_messages_string_free(back);
	bedrock_messages_string_free(betas);
	bedrock_messages_string_free(out);

	/* Anthropic with the body's own model kept. */
	o.model = NULL;
	o.stream = 0;
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, api_body, strlen(api_body), NULL, &o), 0);
	assert_non_null(strstr(out, "{\"model\":\"claude-opus-4-6\",\"max_tokens\":64,"));
	assert_null(strstr(out, "stream"));
	bedrock_messages_string_free(out);

	/* Bad input: not an object, trailing garbage, betas not strings, a
	 * Bedrock body to the API without a model. */
	o.platform = BEDROCK_PLATFORM_BEDROCK;
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, "[1]", 3, NULL, &o), BEDROCK_EINVAL);
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, "{}x", 3, NULL, &o), BEDROCK_EINVAL);
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, "{\"anthropic_beta\":[1]}", 22, NULL, &o),
			 BEDROCK_EINVAL);
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, "{\"anthropic_beta\":\"a\"}", 22, NULL, &o),
			 BEDROCK_EINVAL);
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	assert_int_equal(bedrock_body_convert(&out, NULL, &betas, &model, "{\"max_tokens\":1}", 16, "x", &o),
			 BEDROCK_EINVAL);
	assert_null(out);
	assert_null(betas);
	assert_null(model);
	o.platform = (bedrock_platform)9;
	assert_int_equal(bedrock_body_convert(&out, NULL, NULL, NULL, "{}", 2, NULL, &o), BEDROCK_EINVAL);
	assert_int_equal(bedrock_body_convert(NULL, NULL, NULL, NULL, "{}", 2, NULL, NULL), BEDROCK_EINVAL);
}

/* Every allocation failure is reported, and nothing leaks. */
static void test_platform__allocation_failures(void **state)
{
	static const char body[] = "{\"model\":\"m\",\"anthropic_beta\":[\"a\"],\"max_tokens\":1,\"messages\":[]}";
	bedrock_body_options o = BEDROCK_BODY_OPTIONS_INIT;
	size_t k;
	int failures = 0;

	(void)state;
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	o.stream = 1;
	for (k = 1; k < 200; k++) {
		char *out = NULL, *betas = NULL, *model = NULL;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_body_convert(&out, NULL, &betas, &model, body, strlen(body), "b", &o);
		harness_fail_allocation(0);
		bedrock_messages_string_free(out);
		bedrock_messages_string_free(betas);
		bedrock_messages_string_free(model);
		assert_int_equal(harness_live_allocations(), 0);
		if (rc == 0)
			break;
		assert_int_equal(rc, BEDROCK_ENOMEM);
		failures++;
	}
	assert_true(failures >= 5);
}

/* The Vertex column of the seeds' Claude-on-Vertex table, and the Anthropic
 * API's ids, from the one catalog; every id finds its model again. */
static void test_platform__model_ids(void **state)
{
	static const struct { const char *bedrock, *anthropic, *vertex; } rows[] = {
		{ "anthropic.claude-sonnet-4-5-20250929-v1:0", "claude-sonnet-4-5-20250929", "claude-sonnet-4-5@20250929" },
		{ "anthropic.claude-haiku-4-5-20251001-v1:0", "claude-haiku-4-5-20251001", "claude-haiku-4-5@20251001" },
		{ "anthropic.claude-opus-4-1-20250805-v1:0", "claude-opus-4-1-20250805", "claude-opus-4-1@20250805" },
		{ "anthropic.claude-opus-4-20250514-v1:0", "claude-opus-4-20250514", "claude-opus-4@20250514" },
		{ "anthropic.claude-3-7-sonnet-20250219-v1:0", "claude-3-7-sonnet-20250219", "claude-3-7-sonnet@20250219" },
		{ "anthropic.claude-3-5-haiku-20241022-v1:0", "claude-3-5-haiku-20241022", "claude-3-5-haiku@20241022" },
		{ "anthropic.claude-3-haiku-20240307-v1:0", "claude-3-haiku-20240307", "claude-3-haiku@20240307" },
		{ "anthropic.claude-3-5-sonnet-20241022-v2:0", "claude-3-5-sonnet-20241022", "claude-3-5-sonnet-v2@20241022" },
		{ "anthropic.claude-opus-4-6-v1", "claude-opus-4-6", "claude-opus-4-6" },
	};
	char buf[64];
	size_t i;
	bedrock_platform p;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		bedrock_model_ref ref;
		assert_int_equal(bedrock_model_resolve(&ref, rows[i].bedrock), 0);
		assert_int_equal(bedrock_model_platform_id(buf, sizeof(buf), ref.model, BEDROCK_PLATFORM_ANTHROPIC), 0);
		assert_string_equal(buf, rows[i].anthropic);
		assert_int_equal(bedrock_model_platform_id(buf, sizeof(buf), ref.model, BEDROCK_PLATFORM_VERTEX), 0);
		assert_string_equal(buf, rows[i].vertex);
		assert_int_equal(bedrock_model_platform_id(buf, sizeof(buf), ref.model, BEDROCK_PLATFORM_BEDROCK), 0);
		assert_string_equal(buf, rows[i].bedrock);
		assert_ptr_equal(bedrock_model_find_platform_id(&p, rows[i].anthropic), ref.model);
		assert_ptr_equal(bedrock_model_find_platform_id(NULL, rows[i].vertex), ref.model);
	}
	/* Every catalog row maps both ways. */
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);
		assert_int_equal(bedrock_model_platform_id(buf, sizeof(buf), m, BEDROCK_PLATFORM_ANTHROPIC), 0);
		assert_ptr_equal(bedrock_model_find_platform_id(&p, buf), m);
		assert_int_equal(p, BEDROCK_PLATFORM_ANTHROPIC);
		assert_int_equal(bedrock_model_platform_id(buf, sizeof(buf), m, BEDROCK_PLATFORM_VERTEX), 0);
		assert_ptr_equal(bedrock_model_find_platform_id(NULL, buf), m);
	}
	/* Undated API aliases, profile ids, unknown ids, a short buffer. */
	assert_string_equal(bedrock_model_find_platform_id(&p, "claude-sonnet-4-5")->id,
			    "anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_int_equal(p, BEDROCK_PLATFORM_ANTHROPIC);
	assert_string_equal(bedrock_model_find_platform_id(&p, "eu.anthropic.claude-sonnet-4-5-20250929-v1:0")->id,
			    "anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_int_equal(p, BEDROCK_PLATFORM_BEDROCK);
	assert_null(bedrock_model_find_platform_id(NULL, "claude-nonexistent-9"));
	assert_null(bedrock_model_find_platform_id(NULL, "sonnet-4.5"));
	assert_null(bedrock_model_find_platform_id(NULL, ""));
	assert_int_equal(bedrock_model_platform_id(buf, 8, bedrock_models_at(0), BEDROCK_PLATFORM_VERTEX), BEDROCK_ELIMIT);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_platform__names, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_platform__render, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_platform__convert, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_platform__allocation_failures, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_platform__model_ids, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
