/* The emulator's Anthropic API front: model ids, the SSE rendering order,
 * the error shape, the fault mapping, pagination and the handler end to
 * end (keys, request-id, routes). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "anthropic_front.h"
#include "anthropic_models.h"
#include "bedrock/sse.h"
#include "emu_handler.h"
#include "model.h"

static void test_emulate_anthropic__model_ids(void **state)
{
	char out[EMU_ANTHROPIC_MODEL_ID_MAX];
	const bedrock_model_info *m;
	size_t i;

	(void)state;
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out),
						"anthropic.claude-sonnet-4-5-20250929-v1:0"), 0);
	assert_string_equal(out, "claude-sonnet-4-5-20250929");
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out), "anthropic.claude-opus-4-6-v1"), 0);
	assert_string_equal(out, "claude-opus-4-6");
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out),
						"anthropic.claude-3-5-sonnet-20241022-v2:0"), 0);
	assert_string_equal(out, "claude-3-5-sonnet-20241022");
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out), "anthropic.claude-x-v1:beta"), 0);
	assert_string_equal(out, "claude-x-v1:beta");
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out), "meta.llama3-v1:0"), -1);
	assert_int_equal(emu_anthropic_model_id(out, 5, "anthropic.claude-opus-4-6-v1"), -1);
	assert_int_equal(emu_anthropic_model_id(out, sizeof(out), "anthropic.-v1"), -1);

	assert_int_equal(emu_anthropic_model_alias(out, sizeof(out), "claude-sonnet-4-5-20250929"), 0);
	assert_string_equal(out, "claude-sonnet-4-5");
	assert_int_equal(emu_anthropic_model_alias(out, sizeof(out), "claude-opus-4-20250514"), 0);
	assert_string_equal(out, "claude-opus-4-0");
	assert_int_equal(emu_anthropic_model_alias(out, sizeof(out), "claude-3-7-sonnet-20250219"), 0);
	assert_string_equal(out, "claude-3-7-sonnet-latest");
	assert_int_equal(emu_anthropic_model_alias(out, sizeof(out), "claude-opus-4-6"), 0);
	assert_string_equal(out, "");

	assert_non_null(m = emu_anthropic_model_find(out, sizeof(out), "claude-haiku-4-5"));
	assert_string_equal(out, "claude-haiku-4-5-20251001");
	assert_string_equal(m->id, "anthropic.claude-haiku-4-5-20251001-v1:0");
	assert_non_null(emu_anthropic_model_find(out, sizeof(out), "claude-opus-4-6"));
	assert_null(emu_anthropic_model_find(out, sizeof(out), "anthropic.claude-opus-4-6-v1"));
	assert_null(emu_anthropic_model_find(out, sizeof(out), "Claude-Opus-4-6"));
	assert_null(emu_anthropic_model_find(out, sizeof(out), "sonnet-4.5"));
	assert_string_equal(out, "");
	/* Every catalog model has an API id that finds it again. */
	for (i = 0; (m = bedrock_models_at(i)) != NULL; i++) {
		char id[EMU_ANTHROPIC_MODEL_ID_MAX];

		assert_int_equal(emu_anthropic_model_id(id, sizeof(id), m->id), 0);
		assert_ptr_equal(emu_anthropic_model_find(NULL, 0, id), m);
	}
	emu_anthropic_model_created(out, sizeof(out), "claude-sonnet-4-5-20250929");
	assert_string_equal(out, "2025-09-29T00:00:00Z");
	emu_anthropic_model_created(out, sizeof(out), "claude-opus-4-6");
	assert_string_equal(out, "2026-02-05T00:00:00Z");
}

static void test_emulate_anthropic__pagination(void **state)
{
	size_t first, n;
	int more;

	(void)state;
	emu_models_page(&first, &n, &more, 13, -1, -1, 20);
	assert_true(first == 0 && n == 13 && !more);
	emu_models_page(&first, &n, &more, 13, -1, -1, 5);
	assert_true(first == 0 && n == 5 && more);
	emu_models_page(&first, &n, &more, 13, 4, -1, 5);	/* after the 5th */
	assert_true(first == 5 && n == 5 && more);
	emu_models_page(&first, &n, &more, 13, 9, -1, 5);
	assert_true(first == 10 && n == 3 && !more);
	emu_models_page(&first, &n, &more, 13, 12, -1, 5);	/* after the last */
	assert_true(first == 13 && n == 0 && !more);
	emu_models_page(&first, &n, &more, 13, -1, 10, 5);	/* before the 11th */
	assert_true(first == 5 && n == 5 && more);
	emu_models_page(&first, &n, &more, 13, -1, 3, 5);
	assert_true(first == 0 && n == 3 && !more);
	emu_models_page(&first, &n, &more, 13, -1, 0, 5);
	assert_true(n == 0 && !more);
	emu_models_page(&first, &n, &more, 0, -1, -1, 20);
	assert_true(n == 0 && !more);
}

static void test_emulate_anthropic__errors(void **state)
{
	char *j;
	serve_response r;
	emu_api_fault_error e;
	emu_fault f;
	char err[128];
	static const struct {
		const char *fault;
		int status;
		const char *type;
	} map[] = {
		{ "throttle", 429, "rate_limit_error" }, { "internal", 500, "api_error" },
		{ "model-error", 500, "api_error" }, { "unavailable", 529, "overloaded_error" },
		{ "overloaded", 529, "overloaded_error" }, { "not-ready", 529, "overloaded_error" },
		{ "model-timeout", 504, "timeout_error" },
		{ "access-denied", 403, "permission_error" }, { "no-retry", 500, "api_error" },
		{ "retry-400", 400, "invalid_request_error" },
	};
	size_t i;

	(void)state;
	j = emu_api_error_json("not_found_error", "model: x", "req_1");
	assert_string_equal(j, "{\"type\":\"error\",\"error\":{\"type\":\"not_found_error\","
			       "\"message\":\"model: x\"},\"request_id\":\"req_1\"}");
	free(j);
	j = emu_api_error_json("overloaded_error", "Overloaded", NULL);
	assert_string_equal(j, "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
			       "\"message\":\"Overloaded\"}}");
	free(j);
	serve_response_init(&r, 500);
	emu_api_error(&r, 401, "authentication_error", "invalid x-api-key", "req_2");
	assert_int_equal(r.status, 401);
	assert_int_equal(r.piece_count, 1);
	assert_int_equal(r.header_count, 2);
	assert_string_equal(r.headers[1].name, "request-id");
	assert_string_equal(r.headers[1].value, "req_2");
	serve_response_dispose(&r);

	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		assert_int_equal(emu_fault_parse(&f, map[i].fault, err, sizeof(err)), 0);
		assert_int_equal(emu_api_fault_to_error(&e, &f), 1);
		assert_int_equal(e.status, map[i].status);
		assert_string_equal(e.type, map[i].type);
	}
	assert_int_equal(emu_fault_parse(&f, "no-retry", err, sizeof(err)), 0);
	emu_api_fault_to_error(&e, &f);
	assert_string_equal(e.should_retry, "false");
	assert_int_equal(emu_fault_parse(&f, "retry-400", err, sizeof(err)), 0);
	emu_api_fault_to_error(&e, &f);
	assert_string_equal(e.should_retry, "true");
	assert_int_equal(emu_fault_parse(&f, "slow=5", err, sizeof(err)), 0);
	assert_int_equal(emu_api_fault_to_error(&e, &f), 0);
	assert_int_equal(emu_fault_parse(&f, "reset", err, sizeof(err)), 0);
	assert_int_equal(emu_api_fault_to_error(&e, &f), 0);
	assert_string_equal(emu_api_stream_error_type("throttlingException"), "rate_limit_error");
	assert_string_equal(emu_api_stream_error_type("serviceUnavailableException"),
			    "overloaded_error");
	assert_string_equal(emu_api_stream_error_type("modelStreamErrorException"), "api_error");
}

/* The events of an SSE body, "name name ...". */
static char *event_names(const serve_response *r)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event ev;
	size_t i, len = 0;
	char *names = calloc(1, 4096);

	assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
	for (i = 0; i < r->piece_count; i++)
		assert_int_equal(bedrock_sse_decoder_feed(d, r->pieces[i].data, r->pieces[i].len), 0);
	while (bedrock_sse_decoder_next(&ev, d) == 0) {
		len += (size_t)snprintf(names + len, 4096 - len, "%s%s", len ? " " : "", ev.event);
		if (!strcmp(ev.event, "message_delta"))
			assert_non_null(strstr(ev.data, "\"usage\":{\"input_tokens\":"));
	}
	assert_int_equal(bedrock_sse_decoder_finish(d), 0);
	bedrock_sse_decoder_free(d);
	return names;
}

static cJSON *answer_for(const char *body)
{
	cJSON *req = cJSON_Parse(body), *a = NULL;

	assert_int_equal(emu_model_answer(&a, req, "claude-sonnet-4-5-20250929", 0), 0);
	cJSON_Delete(req);
	return a;
}

static void test_emulate_anthropic__sse_order(void **state)
{
	serve_response r;
	cJSON *a;
	char *names;

	(void)state;
	a = answer_for("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100,"
		       "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_api_stream(&r, a), 0);
	assert_int_equal(r.status, 200);
	assert_true(r.streaming);
	names = event_names(&r);
	assert_string_equal(names, "message_start content_block_start ping content_block_delta "
			    "content_block_delta content_block_delta content_block_delta "
			    "content_block_delta content_block_delta content_block_stop "
			    "message_delta message_stop");
	/* One piece per event. */
	assert_int_equal(r.piece_count, 12);
	free(names);
	serve_response_dispose(&r);
	cJSON_Delete(a);

	/* A tool call: thinking-free text block, then tool_use. */
	a = answer_for("{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":300,"
		       "\"tools\":[{\"name\":\"w\",\"input_schema\":{\"type\":\"object\"}}],"
		       "\"messages\":[{\"role\":\"user\",\"content\":\"Use w\"}]}");
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_api_stream(&r, a), 0);
	names = event_names(&r);
	assert_non_null(strstr(names, "message_start content_block_start ping "));
	assert_non_null(strstr(names, "content_block_stop content_block_start content_block_delta"));
	assert_non_null(strstr(names, "content_block_stop message_delta message_stop"));
	free(names);
	serve_response_dispose(&r);
	cJSON_Delete(a);
}

/* ---- the handler ---- */

static emu_state *new_state(void)
{
	emu_state *s = calloc(1, sizeof(*s));

	s->auth.region = "us-east-1";
	s->auth.max_skew_seconds = 300;
	emu_faults_init(&s->faults);
	emu_replay_init(&s->replay);
	emu_control_init(&s->control, "us-east-1");
	return s;
}

static void free_state(emu_state *s)
{
	emu_faults_dispose(&s->faults);
	emu_replay_dispose(&s->replay);
	emu_control_dispose(&s->control);
	free(s);
}

static const char *header(const serve_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->header_count; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static char *call(serve_response *r, emu_state *s, const char *method, const char *path,
		  const char *query, const char *key, const char *body)
{
	serve_header h[1] = { { "x-api-key", (char *)key } };
	serve_request req;
	char *text;
	size_t i, n = 0;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.query = query ? query : "";
	req.headers = h;
	req.header_count = key ? 1 : 0;
	req.body = (const uint8_t *)(body ? body : "");
	req.body_len = body ? strlen(body) : 0;
	req.peer = "test";
	serve_response_init(r, 500);
	emu_handle(r, &req, s);
	for (i = 0; i < r->piece_count; i++)
		n += r->pieces[i].len;
	text = calloc(1, n + 1);
	for (n = 0, i = 0; i < r->piece_count; i++) {
		memcpy(text + n, r->pieces[i].data, r->pieces[i].len);
		n += r->pieces[i].len;
	}
	return text;
}

static void test_emulate_anthropic__handler(void **state)
{
	emu_state *s = new_state();
	serve_response r;
	char *body;
	char *keys[] = { "k1" };
	static const char hello[] = "{\"model\":\"claude-opus-4-6\",\"max_tokens\":50,"
				    "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}";

	(void)state;
	/* The default key, and request-id on success and failure alike. */
	body = call(&r, s, "POST", "/v1/messages", "beta=true", EMU_ANTHROPIC_DEFAULT_KEY, hello);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(body, "\"text\":\"You said: Hello, world\""));
	assert_non_null(strstr(body, "\"model\":\"claude-opus-4-6\""));
	assert_true(!strncmp(header(&r, "request-id"), "req_011", 7));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "POST", "/v1/messages", NULL, NULL, hello);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(body, "\"type\":\"authentication_error\""));
	assert_non_null(header(&r, "request-id"));
	free(body);
	serve_response_dispose(&r);

	s->anthropic.api_keys = keys;
	s->anthropic.api_key_count = 1;
	body = call(&r, s, "GET", "/v1/models", NULL, EMU_ANTHROPIC_DEFAULT_KEY, NULL);
	assert_int_equal(r.status, 401);	/* --api-key replaces the default */
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "GET", "/v1/models", "limit=2&after_id=claude-opus-4-6", "k1", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(body, "\"first_id\":\"claude-opus-4-5-20251101\""));
	assert_non_null(strstr(body, "\"has_more\":true"));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "GET", "/v1/models", "limit=1001", "k1", NULL);
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(body, "limit: Input should be less than or equal to 1000"));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "GET", "/v1/models/claude-sonnet-4-0", NULL, "k1", NULL);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(body, "\"id\":\"claude-sonnet-4-20250514\""));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "POST", "/v1/messages/count_tokens", NULL, "k1",
		    "{\"model\":\"claude-opus-4-6\",\"messages\":[{\"role\":\"user\","
		    "\"content\":\"Hello, world\"}]}");
	assert_int_equal(r.status, 200);
	assert_string_equal(body, "{\"input_tokens\":3}");
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "POST", "/v1/messages", NULL, "k1",
		    "{\"model\":\"claude-opus-4-6\",\"max_tokens\":5,\"messages\":[],\"x\":1}");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(body, "x: Extra inputs are not permitted"));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "POST", "/v1/messages", NULL, "k1", "{not json");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(body, "invalid_request_error"));
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "GET", "/v1/messages", NULL, "k1", NULL);
	assert_int_equal(r.status, 405);
	free(body);
	serve_response_dispose(&r);

	body = call(&r, s, "GET", "/v1/nothing", NULL, "k1", NULL);
	assert_int_equal(r.status, 404);
	assert_non_null(strstr(body, "not_found_error"));
	free(body);
	serve_response_dispose(&r);

	/* A fault in the prompt, streamed: an error event after the first block starts. */
	body = call(&r, s, "POST", "/v1/messages", NULL, "k1",
		    "{\"model\":\"claude-opus-4-6\",\"max_tokens\":50,\"stream\":true,\"messages\":"
		    "[{\"role\":\"user\",\"content\":\"hi [[emulate:fault=stream-exception="
		    "throttlingException]]\"}]}");
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(body, "event: ping\n"));
	assert_non_null(strstr(body, "event: error\ndata: {\"type\":\"error\",\"error\":"
				     "{\"type\":\"rate_limit_error\""));
	assert_null(strstr(body, "message_stop"));
	free(body);
	serve_response_dispose(&r);

	s->anthropic.fast_retry = 1;
	body = call(&r, s, "POST", "/v1/messages", NULL, "k1",
		    "{\"model\":\"claude-opus-4-6\",\"max_tokens\":50,\"messages\":"
		    "[{\"role\":\"user\",\"content\":\"hi [[emulate:fault=throttle]]\"}]}");
	assert_int_equal(r.status, 429);
	assert_string_equal(header(&r, "retry-after"), "1");
	assert_string_equal(header(&r, "retry-after-ms"), "1");
	free(body);
	serve_response_dispose(&r);
	free_state(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_anthropic__model_ids),
		cmocka_unit_test(test_emulate_anthropic__pagination),
		cmocka_unit_test(test_emulate_anthropic__errors),
		cmocka_unit_test(test_emulate_anthropic__sse_order),
		cmocka_unit_test(test_emulate_anthropic__handler),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
