/* The Messages request builder and response parser. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"

/* Renders req and checks it means the same JSON as `want`. */
static void assert_body(const bedrock_messages_request *req, const char *want)
{
	char *got = NULL;
	size_t len = 0;
	cJSON *a, *b;

	assert_int_equal(bedrock_messages_request_json(&got, &len, req), 0);
	assert_int_equal(strlen(got), len);
	a = cJSON_Parse(got);
	b = cJSON_Parse(want);
	assert_non_null(a);
	assert_non_null(b);
	if (!cJSON_Compare(a, b, 1))
		fail_msg("body differs:\n got: %s\nwant: %s", got, want);
	cJSON_Delete(a);
	cJSON_Delete(b);
	bedrock_messages_string_free(got);
}

static bedrock_messages_request *hello(int max_tokens)
{
	bedrock_messages_request *req = NULL;

	assert_int_equal(bedrock_messages_request_new(&req, max_tokens), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hello, world", NULL), 0);
	return req;
}

static void test_messages__request_minimal_bytes(void **state)
{
	bedrock_messages_request *req = hello(1024);
	char *got = NULL;
	size_t len;
	const char *want = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
			   "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}]}";

	(void)state;
	assert_int_equal(bedrock_messages_request_json(&got, &len, req), 0);
	/* Byte-stable: the member order is fixed. */
	assert_bytes_equal(got, len, want, strlen(want));
	bedrock_messages_string_free(got);
	bedrock_messages_request_free(req);
}

/* A recorded boto3 InvokeModel body, rebuilt with the builder. */
static void test_messages__request_recorded_body(void **state)
{
	char *txt = harness_read_vector("bedrock/dd-trace-py__anthropic_message_invoke/request.json", NULL);
	cJSON *rec = cJSON_Parse(txt);
	char *want = cJSON_PrintUnformatted(cJSON_GetObjectItem(rec, "body"));
	bedrock_messages_request *req = NULL;

	(void)state;
	assert_int_equal(bedrock_messages_request_new(&req, 50), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req,
		"summarize the plot to the lord of the rings in a dozen words", NULL), 0);
	assert_int_equal(bedrock_messages_request_set_temperature(req, 0), 0);
	assert_body(req, want);
	bedrock_messages_request_free(req);
	cJSON_free(want);
	cJSON_Delete(rec);
	free(txt);
}

static void test_messages__request_every_block(void **state)
{
	bedrock_messages_request *req = NULL;
	bedrock_messages_block_options cache = BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT;
	bedrock_messages_block_options doc = BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT;
	bedrock_messages_block_options cit = BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT;

	(void)state;
	cache.cache = BEDROCK_CACHE_EPHEMERAL;
	doc.title = "Manual";
	doc.context = "v2";
	doc.citations = 1;
	doc.cache = BEDROCK_CACHE_EPHEMERAL_1H;
	cit.citations_json = "[{\"type\":\"char_location\",\"cited_text\":\"x\",\"document_index\":0,"
			     "\"document_title\":null,\"start_char_index\":0,\"end_char_index\":1}]";
	assert_int_equal(bedrock_messages_request_new(&req, 50), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "hi", &cache), 0);
	assert_int_equal(bedrock_messages_request_add_image_base64(req, "image/png", "iVBO", NULL), 0);
	assert_int_equal(bedrock_messages_request_add_image_url(req, "https://x/y.jpg", NULL), 0);
	assert_int_equal(bedrock_messages_request_add_document_pdf(req, "JVBE", &doc), 0);
	assert_int_equal(bedrock_messages_request_add_document_text(req, "plain", NULL), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_ASSISTANT), 0);
	assert_int_equal(bedrock_messages_request_add_thinking(req, "hmm", "sig=="), 0);
	assert_int_equal(bedrock_messages_request_add_redacted_thinking(req, "EmwK"), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "x", &cit), 0);
	assert_int_equal(bedrock_messages_request_add_tool_use(req, "toolu_1", "get", "{\"a\": 1}", NULL), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_tool_result_text(req, "toolu_1", "42", 0, NULL), 0);
	assert_int_equal(bedrock_messages_request_add_tool_result_blocks(
				 req, "toolu_2", "[{\"type\":\"text\",\"text\":\"no\"}]", 1, &cache), 0);
	assert_int_equal(bedrock_messages_request_add_tool_result_text(req, "toolu_3", NULL, 0, NULL), 0);
	assert_int_equal(bedrock_messages_request_add_block_json(req, "{\"type\":\"search_result\",\"x\":1}"), 0);
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":50,\"messages\":["
		"{\"role\":\"user\",\"content\":["
		"{\"type\":\"text\",\"text\":\"hi\",\"cache_control\":{\"type\":\"ephemeral\"}},"
		"{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBO\"}},"
		"{\"type\":\"image\",\"source\":{\"type\":\"url\",\"url\":\"https://x/y.jpg\"}},"
		"{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBE\"},"
		"\"title\":\"Manual\",\"context\":\"v2\",\"citations\":{\"enabled\":true},"
		"\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}},"
		"{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"plain\"}}]},"
		"{\"role\":\"assistant\",\"content\":["
		"{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"sig==\"},"
		"{\"type\":\"redacted_thinking\",\"data\":\"EmwK\"},"
		"{\"type\":\"text\",\"text\":\"x\",\"citations\":[{\"type\":\"char_location\",\"cited_text\":\"x\","
		"\"document_index\":0,\"document_title\":null,\"start_char_index\":0,\"end_char_index\":1}]},"
		"{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"get\",\"input\":{\"a\":1}}]},"
		"{\"role\":\"user\",\"content\":["
		"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"42\"},"
		"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_2\",\"content\":[{\"type\":\"text\",\"text\":\"no\"}],"
		"\"is_error\":true,\"cache_control\":{\"type\":\"ephemeral\"}},"
		"{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_3\"},"
		"{\"type\":\"search_result\",\"x\":1}]}]}");
	bedrock_messages_request_free(req);
}

static void test_messages__request_every_option(void **state)
{
	bedrock_messages_request *req = hello(10);
	bedrock_messages_block_options cache = BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT;

	(void)state;
	cache.cache = BEDROCK_CACHE_EPHEMERAL_5M;
	assert_int_equal(bedrock_messages_request_set_max_tokens(req, 2048), 0);
	assert_int_equal(bedrock_messages_request_set_system(req, "Be brief."), 0);
	assert_int_equal(bedrock_messages_request_add_system_text(req, "Big doc", &cache), 0);
	assert_int_equal(bedrock_messages_request_add_tool(req, "get_weather", "Weather now",
		"{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}}", &cache), 0);
	assert_int_equal(bedrock_messages_request_add_tool_json(req,
		"{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}"), 0);
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_TOOL, "get_weather", 1), 0);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_ENABLED, 1024), 0);
	assert_int_equal(bedrock_messages_request_set_temperature(req, 0.5), 0);
	assert_int_equal(bedrock_messages_request_set_top_p(req, 0.25), 0);
	assert_int_equal(bedrock_messages_request_set_top_k(req, 40), 0);
	assert_int_equal(bedrock_messages_request_add_stop_sequence(req, "\n\nHuman:"), 0);
	assert_int_equal(bedrock_messages_request_add_stop_sequence(req, "END"), 0);
	assert_int_equal(bedrock_messages_request_set_metadata_user_id(req, "u-1"), 0);
	assert_int_equal(bedrock_messages_request_add_beta(req, "interleaved-thinking-2025-05-14"), 0);
	assert_int_equal(bedrock_messages_request_add_beta(req, "context-1m-2025-08-07"), 0);
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\","
		"\"anthropic_beta\":[\"interleaved-thinking-2025-05-14\",\"context-1m-2025-08-07\"],"
		"\"max_tokens\":2048,"
		"\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"},"
		"{\"type\":\"text\",\"text\":\"Big doc\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"5m\"}}],"
		"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}],"
		"\"tools\":[{\"name\":\"get_weather\",\"description\":\"Weather now\",\"input_schema\":"
		"{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}}},"
		"\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"5m\"}},"
		"{\"type\":\"web_search_20250305\",\"name\":\"web_search\"}],"
		"\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\",\"disable_parallel_tool_use\":true},"
		"\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
		"\"temperature\":0.5,\"top_p\":0.25,\"top_k\":40,"
		"\"stop_sequences\":[\"\\n\\nHuman:\",\"END\"],\"metadata\":{\"user_id\":\"u-1\"}}");

	/* The other choices and thinking modes; DEFAULT removes them. */
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_AUTO, NULL, 0), 0);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_ADAPTIVE, 0), 0);
	assert_int_equal(bedrock_messages_request_set_system(req, "plain"), 0);
	assert_int_equal(bedrock_messages_request_merge_json(req, "{\"model\":\"x\",\"stream\":true}"), 0);
	{
		char *got = NULL;
		cJSON *j;
		assert_int_equal(bedrock_messages_request_json(&got, NULL, req), 0);
		j = cJSON_Parse(got);
		assert_string_equal(cJSON_GetObjectItem(j, "system")->valuestring, "plain");
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "tool_choice"), "type")->valuestring, "auto");
		assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "thinking"), "type")->valuestring, "adaptive");
		/* model and stream never reach the body, even through the hatch */
		assert_null(cJSON_GetObjectItem(j, "model"));
		assert_null(cJSON_GetObjectItem(j, "stream"));
		cJSON_Delete(j);
		bedrock_messages_string_free(got);
	}
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_ANY, NULL, 1), 0);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_DISABLED, 0), 0);
	bedrock_messages_request_free(req);

	req = hello(5);
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_NONE, NULL, 1), 0);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_DISABLED, 0), 0);
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":5,"
		"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}],"
		"\"tool_choice\":{\"type\":\"none\"},\"thinking\":{\"type\":\"disabled\"}}");
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_DEFAULT, NULL, 0), 0);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_DEFAULT, 0), 0);
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":5,"
		"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}]}");
	bedrock_messages_request_free(req);
}

static void test_messages__request_extra_json_merge(void **state)
{
	bedrock_messages_request *req = hello(10);

	(void)state;
	assert_int_equal(bedrock_messages_request_set_temperature(req, 1.0), 0);
	assert_int_equal(bedrock_messages_request_merge_json(req, "{\"temperature\":0.1,\"output_config\":{\"effort\":\"low\"}}"), 0);
	assert_int_equal(bedrock_messages_request_merge_json(req, "{\"output_config\":{\"effort\":\"high\"},\"x\":[1]}"), 0);
	/* Replaced members keep their place; new ones go last, in order. */
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":10,"
		"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]}],"
		"\"temperature\":0.1,\"output_config\":{\"effort\":\"high\"},\"x\":[1]}");
	{
		char *got = NULL;
		assert_int_equal(bedrock_messages_request_json(&got, NULL, req), 0);
		assert_non_null(strstr(got, "\"temperature\":0.1,\"output_config\""));
		bedrock_messages_string_free(got);
	}
	bedrock_messages_request_free(req);
}

static void test_messages__request_errors(void **state)
{
	bedrock_messages_request *req = NULL;
	char *out = (char *)"x";

	(void)state;
	assert_int_equal(bedrock_messages_request_new(&req, 0), BEDROCK_EINVAL);
	assert_null(req);
	assert_int_equal(bedrock_messages_request_new(&req, -5), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_new(NULL, 5), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_new(&req, 5), 0);
	assert_int_equal(bedrock_messages_request_json(&out, NULL, req), BEDROCK_EINVAL);
	assert_null(out);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "no messages"));
	assert_int_equal(bedrock_messages_request_add_text(req, "x", NULL), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "add_message"));
	assert_int_equal(bedrock_messages_request_set_max_tokens(req, 0), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "max_tokens"));
	assert_int_equal(bedrock_messages_request_add_message(req, (bedrock_messages_role)7), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_string_equal(bedrock_messages_request_errmsg(req), "");
	assert_int_equal(bedrock_messages_request_add_tool_use(req, "id", "n", "{oops", NULL), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "not valid JSON"));
	assert_int_equal(bedrock_messages_request_add_tool_use(req, "id", "n", "[1]", NULL), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "object"));
	assert_int_equal(bedrock_messages_request_add_tool_use(req, "id", "n", "{} x", NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_tool(req, "t", NULL, "nope", NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_tool(req, "", NULL, "{}", NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_tool_json(req, "[]"), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_tool_result_blocks(req, "t", "{}", 0, NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_block_json(req, "{\"text\":\"no type\"}"), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_image_base64(req, "image/bmp", "AA", NULL), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "image/webp"));
	assert_int_equal(bedrock_messages_request_set_tool_choice(req, BEDROCK_TOOL_CHOICE_TOOL, NULL, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_ENABLED, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_set_temperature(req, 1.5), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_set_top_p(req, -0.1), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_set_top_k(req, -1), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_stop_sequence(req, ""), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_add_beta(req, NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_messages_request_merge_json(req, "[1]"), BEDROCK_EINVAL);
	{
		bedrock_messages_block_options bad = BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT;
		bad.version = 99;
		assert_int_equal(bedrock_messages_request_add_text(req, "x", &bad), BEDROCK_EINVAL);
		assert_non_null(strstr(bedrock_messages_request_errmsg(req), "version"));
		bad.version = BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION;
		bad.citations_json = "{}";
		assert_int_equal(bedrock_messages_request_add_text(req, "x", &bad), BEDROCK_EINVAL);
	}
	/* Nothing that failed was added. */
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":5,"
		"\"messages\":[{\"role\":\"user\",\"content\":[]}]}");
	bedrock_messages_request_free(req);
	bedrock_messages_request_free(NULL);
}

static void test_messages__request_add_response(void **state)
{
	const char *body = "{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"content\":["
			   "{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"S\"},"
			   "{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{\"a\":1}}],"
			   "\"stop_reason\":\"tool_use\"}";
	const char *partial = "{\"content\":[{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"f\",\"input\":\"{\\\"a\"}]}";
	bedrock_messages_request *req = hello(100);
	bedrock_message *m = NULL;

	(void)state;
	assert_int_equal(bedrock_message_parse(&m, body, strlen(body)), 0);
	assert_int_equal(bedrock_messages_request_add_response(req, m), 0);
	bedrock_message_free(m);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_tool_result_text(req, "toolu_1", "ok", 0, NULL), 0);
	assert_body(req,
		"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,\"messages\":["
		"{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"Hello, world\"}]},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\",\"signature\":\"S\"},"
		"{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"f\",\"input\":{\"a\":1}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\",\"content\":\"ok\"}]}]}");
	/* Tool input that never became JSON cannot go back. */
	assert_int_equal(bedrock_message_parse(&m, partial, strlen(partial)), 0);
	assert_int_equal(bedrock_message_content(m, 0)->input_partial, 1);
	assert_int_equal(bedrock_messages_request_add_response(req, m), BEDROCK_EINVAL);
	assert_non_null(strstr(bedrock_messages_request_errmsg(req), "not JSON"));
	assert_int_equal(bedrock_messages_request_add_response(req, NULL), BEDROCK_EINVAL);
	bedrock_message_free(m);
	bedrock_messages_request_free(req);
}

static void test_messages__request_allocation_failures(void **state)
{
	size_t k;
	int ok = 0;

	(void)state;
	for (k = 1; k < 200 && !ok; k++) {
		bedrock_messages_request *req = NULL;
		char *out = NULL;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_messages_request_new(&req, 10);
		if (!rc)
			rc = bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER);
		if (!rc)
			rc = bedrock_messages_request_add_text(req, "hi", NULL);
		if (!rc)
			rc = bedrock_messages_request_json(&out, NULL, req);
		harness_fail_allocation(0);
		assert_true(rc == 0 || rc == BEDROCK_ENOMEM);
		ok = rc == 0;
		bedrock_messages_string_free(out);
		bedrock_messages_request_free(req);
		assert_int_equal(harness_live_allocations(), 0);
	}
	assert_true(ok);
}

/* ---- responses ---- */

/* The body if dir holds a 200 InvokeModel exchange with a Messages body. */
static char *messages_response(const char *dir, size_t *len)
{
	char rel[512];
	char *req, *resp, *body;
	cJSON *r, *s;
	int keep;

	snprintf(rel, sizeof(rel), "bedrock/%s/request.json", dir);
	req = harness_read_vector(rel, NULL);
	snprintf(rel, sizeof(rel), "bedrock/%s/response.json", dir);
	resp = harness_read_vector(rel, NULL);
	if (!req || !resp) {
		free(req);
		free(resp);
		return NULL;
	}
	r = cJSON_Parse(req);
	s = cJSON_Parse(resp);
	keep = cJSON_IsString(cJSON_GetObjectItem(r, "operation")) &&
	       !strcmp(cJSON_GetObjectItem(r, "operation")->valuestring, "InvokeModel") &&
	       cJSON_GetObjectItem(s, "status") && cJSON_GetObjectItem(s, "status")->valueint == 200;
	cJSON_Delete(r);
	cJSON_Delete(s);
	free(req);
	free(resp);
	if (!keep)
		return NULL;
	snprintf(rel, sizeof(rel), "bedrock/%s/response.body", dir);
	body = harness_read_vector(rel, len);
	/* Legacy text completions ({"completion": ...}) are not Messages. */
	r = body ? cJSON_Parse(body) : NULL;
	keep = cJSON_IsArray(cJSON_GetObjectItem(r, "content")) && !cJSON_GetObjectItem(r, "completion");
	cJSON_Delete(r);
	if (!keep) {
		free(body);
		return NULL;
	}
	return body;
}

static void test_messages__recorded_responses(void **state)
{
	char path[512];
	char **dirs;
	size_t i, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/bedrock", harness_vectors());
	dirs = harness_list_dir(path);
	assert_non_null(dirs);
	for (i = 0; dirs[i]; i++) {
		bedrock_message *m = NULL;
		size_t len, jlen, k, tlen;
		char *body = messages_response(dirs[i], &len), *text = NULL;
		cJSON *j, *content;
		const bedrock_usage *u;

		if (!body)
			continue;
		n++;
		assert_int_equal(bedrock_message_parse(&m, body, len), 0);
		j = cJSON_Parse(body);
		assert_string_equal(bedrock_message_id(m), cJSON_GetObjectItem(j, "id")->valuestring);
		assert_string_equal(bedrock_message_model(m), cJSON_GetObjectItem(j, "model")->valuestring);
		assert_string_equal(bedrock_message_role(m), "assistant");
		assert_string_equal(bedrock_message_stop_reason_str(m),
				    cJSON_GetObjectItem(j, "stop_reason")->valuestring);
		assert_int_not_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_UNKNOWN);
		u = bedrock_message_usage(m);
		assert_int_equal(u->input_tokens,
				 cJSON_GetObjectItem(cJSON_GetObjectItem(j, "usage"), "input_tokens")->valueint);
		assert_int_equal(u->output_tokens,
				 cJSON_GetObjectItem(cJSON_GetObjectItem(j, "usage"), "output_tokens")->valueint);
		{
			const char *raw = bedrock_message_json(m, &jlen);
			assert_bytes_equal(raw, jlen, body, len);
		}
		content = cJSON_GetObjectItem(j, "content");
		assert_int_equal(bedrock_message_content_count(m), cJSON_GetArraySize(content));
		for (k = 0; k < bedrock_message_content_count(m); k++) {
			const bedrock_content_block *b = bedrock_message_content(m, k);
			cJSON *want = cJSON_GetArrayItem(content, (int)k), *got = cJSON_Parse(b->json);
			assert_true(cJSON_Compare(got, want, 1));
			cJSON_Delete(got);
			if (b->type == BEDROCK_CONTENT_TEXT)
				assert_string_equal(b->text, cJSON_GetObjectItem(want, "text")->valuestring);
		}
		assert_null(bedrock_message_content(m, k));
		assert_int_equal(bedrock_message_text(&text, &tlen, m), 0);
		assert_int_equal(strlen(text), tlen);
		bedrock_messages_string_free(text);
		cJSON_Delete(j);
		bedrock_message_free(m);
		free(body);
	}
	harness_free_list(dirs);
	assert_true(n >= 3);
}

static void test_messages__response_every_block(void **state)
{
	const char *body =
		"{\"id\":\"msg_1\",\"type\":\"message\",\"role\":\"assistant\",\"model\":\"claude-x\","
		"\"content\":["
		"{\"type\":\"thinking\",\"thinking\":\"Let me think\",\"signature\":\"SIG\"},"
		"{\"type\":\"redacted_thinking\",\"data\":\"REDACTED\"},"
		"{\"type\":\"text\",\"text\":\"A \",\"citations\":["
		"{\"type\":\"char_location\",\"cited_text\":\"c\",\"document_index\":0,\"document_title\":\"T\",\"start_char_index\":1,\"end_char_index\":2},"
		"{\"type\":\"page_location\",\"cited_text\":\"p\",\"document_index\":1,\"document_title\":null,\"start_page_number\":3,\"end_page_number\":4},"
		"{\"type\":\"content_block_location\",\"cited_text\":\"b\",\"document_index\":2,\"start_block_index\":5,\"end_block_index\":6},"
		"{\"type\":\"search_result_location\",\"cited_text\":\"s\",\"search_result_index\":7,\"source\":\"src\",\"title\":\"ti\",\"start_block_index\":0,\"end_block_index\":1},"
		"{\"type\":\"web_search_result_location\",\"cited_text\":\"w\",\"url\":\"https://u\",\"title\":\"wt\",\"encrypted_index\":\"EI\"},"
		"{\"type\":\"future_location\",\"z\":1}]},"
		"{\"type\":\"text\",\"text\":\"B\"},"
		"{\"type\":\"tool_use\",\"id\":\"toolu_9\",\"name\":\"calc\",\"input\":{\"x\":[1,2]}},"
		"{\"type\":\"server_tool_use\",\"id\":\"srvtoolu_1\",\"name\":\"web_search\",\"input\":{\"query\":\"q\"}},"
		"{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]}],"
		"\"stop_reason\":\"refusal\",\"stop_sequence\":null,"
		"\"usage\":{\"input_tokens\":10,\"output_tokens\":20,\"cache_creation_input_tokens\":30,"
		"\"cache_read_input_tokens\":40,\"cache_creation\":{\"ephemeral_5m_input_tokens\":12,\"ephemeral_1h_input_tokens\":18}}}";
	bedrock_message *m = NULL;
	const bedrock_content_block *b;
	const bedrock_usage *u;
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(bedrock_message_parse(&m, body, strlen(body)), 0);
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_REFUSAL);
	assert_null(bedrock_message_stop_sequence(m));
	u = bedrock_message_usage(m);
	assert_int_equal(u->cache_creation_input_tokens, 30);
	assert_int_equal(u->cache_read_input_tokens, 40);
	assert_int_equal(u->ephemeral_5m_input_tokens, 12);
	assert_int_equal(u->ephemeral_1h_input_tokens, 18);
	assert_int_equal(bedrock_message_content_count(m), 7);
	b = bedrock_message_content(m, 0);
	assert_int_equal(b->type, BEDROCK_CONTENT_THINKING);
	assert_string_equal(b->text, "Let me think");
	assert_string_equal(b->signature, "SIG");
	b = bedrock_message_content(m, 1);
	assert_int_equal(b->type, BEDROCK_CONTENT_REDACTED_THINKING);
	assert_string_equal(b->data, "REDACTED");
	b = bedrock_message_content(m, 2);
	assert_int_equal(b->type, BEDROCK_CONTENT_TEXT);
	assert_int_equal(b->citation_count, 6);
	assert_int_equal(b->citations[0].type, BEDROCK_CITATION_CHAR_LOCATION);
	assert_string_equal(b->citations[0].document_title, "T");
	assert_int_equal(b->citations[0].start_char_index, 1);
	assert_int_equal(b->citations[0].end_char_index, 2);
	assert_int_equal(b->citations[1].type, BEDROCK_CITATION_PAGE_LOCATION);
	assert_null(b->citations[1].document_title);
	assert_int_equal(b->citations[1].start_page_number, 3);
	assert_int_equal(b->citations[1].end_page_number, 4);
	assert_int_equal(b->citations[2].type, BEDROCK_CITATION_CONTENT_BLOCK_LOCATION);
	assert_int_equal(b->citations[2].end_block_index, 6);
	assert_int_equal(b->citations[3].type, BEDROCK_CITATION_SEARCH_RESULT_LOCATION);
	assert_int_equal(b->citations[3].search_result_index, 7);
	assert_string_equal(b->citations[3].source, "src");
	assert_int_equal(b->citations[4].type, BEDROCK_CITATION_WEB_SEARCH_RESULT_LOCATION);
	assert_string_equal(b->citations[4].url, "https://u");
	assert_string_equal(b->citations[4].encrypted_index, "EI");
	assert_int_equal(b->citations[4].document_index, -1);
	assert_int_equal(b->citations[5].type, BEDROCK_CITATION_UNKNOWN);
	assert_string_equal(b->citations[5].json, "{\"type\":\"future_location\",\"z\":1}");
	b = bedrock_message_content(m, 4);
	assert_int_equal(b->type, BEDROCK_CONTENT_TOOL_USE);
	assert_string_equal(b->id, "toolu_9");
	assert_string_equal(b->name, "calc");
	assert_string_equal(b->input_json, "{\"x\":[1,2]}");
	assert_int_equal(b->input_partial, 0);
	b = bedrock_message_content(m, 5);
	assert_int_equal(b->type, BEDROCK_CONTENT_UNKNOWN);
	assert_string_equal(b->type_name, "server_tool_use");
	assert_string_equal(b->input_json, "{\"query\":\"q\"}");
	b = bedrock_message_content(m, 6);
	assert_int_equal(b->type, BEDROCK_CONTENT_UNKNOWN);
	assert_string_equal(b->json, "{\"type\":\"web_search_tool_result\",\"tool_use_id\":\"srvtoolu_1\",\"content\":[]}");
	assert_int_equal(bedrock_message_text(&text, &len, m), 0);
	assert_string_equal(text, "A B");
	bedrock_messages_string_free(text);
	bedrock_message_free(m);
}

static void test_messages__response_errors(void **state)
{
	bedrock_message *m = (bedrock_message *)1;
	const char *unknown = "{\"stop_reason\":\"something_new\",\"content\":\"not an array\"}";

	(void)state;
	assert_int_equal(bedrock_message_parse(&m, "{", 1), BEDROCK_EPROTOCOL);
	assert_null(m);
	assert_int_equal(bedrock_message_parse(&m, "[1]", 3), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_message_parse(&m, "{} {}", 5), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_message_parse(&m, NULL, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_message_parse(&m, unknown, strlen(unknown)), 0);
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_UNKNOWN);
	assert_string_equal(bedrock_message_stop_reason_str(m), "something_new");
	assert_int_equal(bedrock_message_content_count(m), 0);
	assert_null(bedrock_message_id(m));
	assert_int_equal(bedrock_message_usage(m)->input_tokens, -1);
	bedrock_message_free(m);
	bedrock_message_free(NULL);
	assert_int_equal(bedrock_stop_reason_from_string(NULL), BEDROCK_STOP_NONE);
	assert_int_equal(bedrock_stop_reason_from_string("max_tokens"), BEDROCK_STOP_MAX_TOKENS);
	assert_int_equal(bedrock_stop_reason_from_string("model_context_window_exceeded"),
			 BEDROCK_STOP_MODEL_CONTEXT_WINDOW_EXCEEDED);
}

static void test_messages__response_allocation_failures(void **state)
{
	const char *body = "{\"content\":[{\"type\":\"text\",\"text\":\"a\",\"citations\":[{\"type\":\"char_location\"}]},"
			   "{\"type\":\"tool_use\",\"input\":{}}]}";
	size_t k;
	int ok = 0;

	(void)state;
	for (k = 1; k < 100 && !ok; k++) {
		bedrock_message *m = NULL;
		char *text = NULL;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_message_parse(&m, body, strlen(body));
		if (!rc)
			rc = bedrock_message_text(&text, NULL, m);
		harness_fail_allocation(0);
		assert_true(rc == 0 || rc == BEDROCK_ENOMEM);
		ok = rc == 0;
		bedrock_messages_string_free(text);
		bedrock_message_free(m);
		if (harness_live_allocations())
			fail_msg("leak after failing allocation %zu (rc %d)", k, rc);
	}
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_messages__request_minimal_bytes, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_recorded_body, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_every_block, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_every_option, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_extra_json_merge, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_errors, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_add_response, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__request_allocation_failures, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__recorded_responses, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__response_every_block, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__response_errors, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__response_allocation_failures, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
