/* Anthropic stream events, the message accumulator and the ConverseStream
 * accumulator, over the recorded streams and synthetic ones. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"

static char *vector_text(const char *dir, const char *file, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "bedrock/%s/%s", dir, file);
	return harness_read_vector(rel, len);
}

/* The recorded operation of dir ("" if none); static storage. */
static const char *operation(const char *dir)
{
	static char op[64];
	char *txt = vector_text(dir, "request.json", NULL);
	cJSON *j = txt ? cJSON_Parse(txt) : NULL, *o = cJSON_GetObjectItem(j, "operation");

	snprintf(op, sizeof(op), "%s", cJSON_IsString(o) ? o->valuestring : "");
	cJSON_Delete(j);
	free(txt);
	return op;
}

/* Expected final_text and stop_reason from expected.json. */
static cJSON *expected(const char *dir)
{
	char *txt = vector_text(dir, "expected.json", NULL);
	cJSON *j = txt ? cJSON_Parse(txt) : NULL;

	free(txt);
	return j;
}

/* Feeds one recorded InvokeModelWithResponseStream through the event
 * parser and the accumulator; returns the message, or NULL for a legacy
 * text-completion stream. */
static bedrock_message *replay_messages_stream(const char *dir, bedrock_message_accumulator **acc_out)
{
	size_t len, events = 0;
	char *bin = vector_text(dir, "response.body", &len);
	bedrock_event_reader *r = NULL;
	bedrock_message_accumulator *acc = NULL;
	bedrock_message *m = NULL;
	bedrock_messages_event sev = BEDROCK_MESSAGES_EVENT_INIT;
	bedrock_event ev;
	int rc, legacy = 0;

	assert_non_null(bin);
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_event_reader_feed(r, bin, len), 0);
	while ((rc = bedrock_event_reader_next(&ev, r)) == 0) {
		if (!ev.type)
			continue;
		assert_int_equal(bedrock_messages_event_parse(&sev, ev.json, ev.json_len), 0);
		assert_string_equal(sev.type, ev.type);
		if (events++ == 0 && sev.kind != BEDROCK_STREAM_MESSAGE_START)
			legacy = 1;
		if (sev.kind == BEDROCK_STREAM_CONTENT_BLOCK_DELTA && sev.delta_kind == BEDROCK_DELTA_TEXT) {
			/* the same text slice the event reader found */
			assert_non_null(ev.text);
			assert_bytes_equal(sev.text, sev.text_len, ev.text, ev.text_len);
		}
		if (!legacy)
			assert_int_equal(bedrock_message_accumulator_feed(acc, &sev), 0);
	}
	bedrock_messages_event_dispose(&sev);
	assert_int_equal(rc, BEDROCK_EAGAIN);
	bedrock_event_reader_free(r);
	free(bin);
	if (!legacy) {
		assert_int_equal(bedrock_message_accumulator_message(&m, acc), 0);
	}
	if (acc_out)
		*acc_out = acc;
	else
		bedrock_message_accumulator_free(acc);
	return m;
}

static void test_messages__recorded_invoke_streams(void **state)
{
	char path[512];
	char **dirs;
	size_t i, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/bedrock", harness_vectors());
	dirs = harness_list_dir(path);
	for (i = 0; dirs[i]; i++) {
		bedrock_message_accumulator *acc = NULL;
		bedrock_message *m;
		const bedrock_invocation_metrics *im;
		cJSON *want;
		char *text = NULL;

		if (strcmp(operation(dirs[i]), "InvokeModelWithResponseStream"))
			continue;
		m = replay_messages_stream(dirs[i], &acc);
		if (!m) {
			bedrock_message_accumulator_free(acc);
			continue;
		}
		n++;
		want = expected(dirs[i]);
		assert_int_equal(bedrock_message_text(&text, NULL, m), 0);
		assert_string_equal(text, cJSON_GetObjectItem(want, "final_text")->valuestring);
		assert_string_equal(bedrock_message_role(m), "assistant");
		assert_true(bedrock_message_usage(m)->output_tokens > 0);
		if (!cJSON_GetObjectItem(want, "stop_reason")) {
			/* A recording cut before message_delta: what came is kept. */
			assert_false(bedrock_message_accumulator_done(acc));
			assert_null(bedrock_message_stop_reason_str(m));
			goto next;
		}
		assert_true(bedrock_message_accumulator_done(acc));
		assert_string_equal(bedrock_message_stop_reason_str(m),
				    cJSON_GetObjectItem(want, "stop_reason")->valuestring);
		/* Bedrock's metrics ride on the last chunk and agree with usage. */
		im = bedrock_message_accumulator_metrics(acc);
		assert_non_null(im);
		assert_int_equal(im->output_token_count, bedrock_message_usage(m)->output_tokens);
		assert_int_equal(im->input_token_count, bedrock_message_usage(m)->input_tokens);
next:
		bedrock_messages_string_free(text);
		cJSON_Delete(want);
		bedrock_message_free(m);
		bedrock_message_accumulator_free(acc);
	}
	harness_free_list(dirs);
	assert_true(n >= 4);
}

/* The same prompt recorded streamed and not: the accumulated message has
 * the shape and content of the InvokeModel body. */
static void test_messages__stream_matches_invoke(void **state)
{
	bedrock_message *streamed = replay_messages_stream("dd-trace-py__anthropic_message_invoke_stream", NULL);
	char *body = vector_text("dd-trace-py__anthropic_message_invoke", "response.body", NULL);
	size_t len;
	const char *acc_json;
	cJSON *a, *b, *it;

	(void)state;
	assert_non_null(streamed);
	acc_json = bedrock_message_json(streamed, &len);
	a = cJSON_ParseWithLength(acc_json, len);
	b = cJSON_Parse(body);
	/* Same members, same order. */
	assert_int_equal(cJSON_GetArraySize(a), cJSON_GetArraySize(b));
	for (it = b->child; it; it = it->next)
		assert_non_null(cJSON_GetObjectItemCaseSensitive(a, it->string));
	assert_true(cJSON_Compare(cJSON_GetObjectItem(a, "content"), cJSON_GetObjectItem(b, "content"), 1));
	assert_true(cJSON_Compare(cJSON_GetObjectItem(a, "stop_reason"), cJSON_GetObjectItem(b, "stop_reason"), 1));
	assert_true(cJSON_Compare(cJSON_GetObjectItem(a, "stop_sequence"), cJSON_GetObjectItem(b, "stop_sequence"), 1));
	assert_true(cJSON_Compare(cJSON_GetObjectItem(a, "usage"), cJSON_GetObjectItem(b, "usage"), 1));
	cJSON_Delete(a);
	cJSON_Delete(b);
	free(body);
	bedrock_message_free(streamed);
}

static void test_messages__recorded_converse_streams(void **state)
{
	char path[512];
	char **dirs;
	size_t i, n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/bedrock", harness_vectors());
	dirs = harness_list_dir(path);
	for (i = 0; dirs[i]; i++) {
		size_t len;
		char *bin;
		bedrock_event_reader *r = NULL;
		bedrock_converse_accumulator *acc = NULL;
		const bedrock_converse_result *res;
		bedrock_event ev;
		cJSON *want;
		int rc;

		if (strcmp(operation(dirs[i]), "ConverseStream"))
			continue;
		n++;
		bin = vector_text(dirs[i], "response.body", &len);
		assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
		assert_int_equal(bedrock_converse_accumulator_new(&acc), 0);
		assert_int_equal(bedrock_event_reader_feed(r, bin, len), 0);
		while ((rc = bedrock_event_reader_next(&ev, r)) == 0)
			assert_int_equal(bedrock_converse_accumulator_feed(acc, ev.event_type, ev.json, ev.json_len), 0);
		assert_int_equal(rc, BEDROCK_EAGAIN);
		want = expected(dirs[i]);
		res = bedrock_converse_accumulator_result(acc);
		assert_string_equal(res->text, cJSON_GetObjectItem(want, "final_text")->valuestring);
		assert_int_equal(res->text_len, strlen(res->text));
		assert_string_equal(res->stop_reason_str, cJSON_GetObjectItem(want, "stop_reason")->valuestring);
		assert_string_equal(res->role, "assistant");
		assert_true(res->usage.output_tokens > 0);
		assert_true(res->usage.total_tokens >= res->usage.output_tokens);
		assert_true(res->latency_ms >= 0);
		if (res->stop_reason == BEDROCK_STOP_TOOL_USE) {
			assert_true(res->tool_use_count >= 1);
			assert_string_not_equal(res->tool_uses[0].name, "");
			assert_int_equal(res->tool_uses[0].input_partial, 0);
		}
		cJSON_Delete(want);
		bedrock_converse_accumulator_free(acc);
		bedrock_event_reader_free(r);
		free(bin);
	}
	harness_free_list(dirs);
	assert_true(n >= 4);
}

/* ---- synthetic streams ---- */

#define START "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_s\",\"type\":\"message\",\"role\":\"assistant\"," \
	"\"content\":[],\"model\":\"claude-test\",\"stop_reason\":null,\"stop_sequence\":null," \
	"\"usage\":{\"input_tokens\":25,\"output_tokens\":1,\"cache_read_input_tokens\":7}}}"

static void feed_all(bedrock_message_accumulator *acc, const char *const *events)
{
	size_t i;

	for (i = 0; events[i]; i++) {
		int rc = bedrock_message_accumulator_feed_json(acc, events[i], strlen(events[i]));
		if (rc)
			fail_msg("event %zu: %d %s", i, rc, bedrock_message_accumulator_errmsg(acc));
	}
}

static bedrock_message *accumulate(const char *const *events)
{
	bedrock_message_accumulator *acc = NULL;
	bedrock_message *m = NULL;

	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	feed_all(acc, events);
	assert_int_equal(bedrock_message_accumulator_message(&m, acc), 0);
	bedrock_message_accumulator_free(acc);
	return m;
}

static void test_messages__stream_tool_use(void **state)
{
	static const char *const events[] = {
		START,
		"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Checking.\"}}",
		"{\"type\":\"content_block_stop\",\"index\":0}",
		"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"weather\",\"input\":{}}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"city\\\": \\\"Par\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"is\\\", \\\"days\\\": [1,\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"2]}\"}}",
		"{\"type\":\"content_block_stop\",\"index\":1}",
		"{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_2\",\"name\":\"noargs\",\"input\":{}}}",
		"{\"type\":\"content_block_stop\",\"index\":2}",
		"{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"toolu_3\",\"name\":\"cut\",\"input\":{}}}",
		"{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"text\\\": \\\"unfini\"}}",
		"{\"type\":\"content_block_stop\",\"index\":3}",
		"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"tool_use\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":88}}",
		"{\"type\":\"message_stop\"}",
		NULL
	};
	bedrock_message *m = accumulate(events);
	const bedrock_content_block *b;
	const char *json;
	size_t len;

	(void)state;
	assert_int_equal(bedrock_message_content_count(m), 4);
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_TOOL_USE);
	assert_int_equal(bedrock_message_usage(m)->output_tokens, 88);
	assert_int_equal(bedrock_message_usage(m)->input_tokens, 25);
	assert_int_equal(bedrock_message_usage(m)->cache_read_input_tokens, 7);
	b = bedrock_message_content(m, 1);
	assert_string_equal(b->id, "toolu_1");
	assert_string_equal(b->input_json, "{\"city\":\"Paris\",\"days\":[1,2]}");
	assert_int_equal(b->input_partial, 0);
	b = bedrock_message_content(m, 2);
	assert_string_equal(b->input_json, "{}");
	assert_int_equal(b->input_partial, 0);
	/* Fine-grained tool streaming may cut JSON short: kept, flagged. */
	b = bedrock_message_content(m, 3);
	assert_int_equal(b->input_partial, 1);
	assert_string_equal(b->input_json, "{\"text\": \"unfini");
	json = bedrock_message_json(m, &len);
	assert_non_null(strstr(json, "\"input\":\"{\\\"text\\\": \\\"unfini\""));
	bedrock_message_free(m);
}

static void test_messages__stream_thinking_and_citations(void **state)
{
	static const char *const events[] = {
		START,
		"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\",\"signature\":\"\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"Let me \"}}",
		"{\"type\":\"ping\"}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"see.\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"EqQB\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"Cfoo==\"}}",
		"{\"type\":\"content_block_stop\",\"index\":0}",
		"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"redacted_thinking\",\"data\":\"ENCRYPTED\"}}",
		"{\"type\":\"content_block_stop\",\"index\":1}",
		"{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"text\",\"text\":\"\",\"citations\":[]}}",
		"{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"citations_delta\",\"citation\":"
		"{\"type\":\"char_location\",\"cited_text\":\"sky is blue\",\"document_index\":0,\"document_title\":\"Doc\",\"start_char_index\":4,\"end_char_index\":15}}}",
		"{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"text_delta\",\"text\":\"The sky is blue.\"}}",
		"{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"citations_delta\",\"citation\":"
		"{\"type\":\"page_location\",\"cited_text\":\"p\",\"document_index\":1,\"document_title\":null,\"start_page_number\":2,\"end_page_number\":3}}}",
		"{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"some_future_delta\",\"x\":1}}",
		"{\"type\":\"content_block_stop\",\"index\":2}",
		"{\"type\":\"some_future_event\",\"data\":{}}",
		"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\",\"stop_sequence\":null},\"usage\":{\"output_tokens\":40,\"input_tokens\":null}}",
		"{\"type\":\"message_stop\"}",
		NULL
	};
	bedrock_message *m = accumulate(events);
	const bedrock_content_block *b;
	char *text;

	(void)state;
	assert_int_equal(bedrock_message_content_count(m), 3);
	b = bedrock_message_content(m, 0);
	assert_int_equal(b->type, BEDROCK_CONTENT_THINKING);
	assert_string_equal(b->text, "Let me see.");
	assert_string_equal(b->signature, "EqQBCfoo==");
	b = bedrock_message_content(m, 1);
	assert_int_equal(b->type, BEDROCK_CONTENT_REDACTED_THINKING);
	assert_string_equal(b->data, "ENCRYPTED");
	b = bedrock_message_content(m, 2);
	assert_string_equal(b->text, "The sky is blue.");
	assert_int_equal(b->citation_count, 2);
	assert_int_equal(b->citations[0].type, BEDROCK_CITATION_CHAR_LOCATION);
	assert_int_equal(b->citations[0].start_char_index, 4);
	assert_int_equal(b->citations[1].type, BEDROCK_CITATION_PAGE_LOCATION);
	assert_int_equal(b->citations[1].end_page_number, 3);
	/* null in message_delta's usage leaves the start's value */
	assert_int_equal(bedrock_message_usage(m)->input_tokens, 25);
	assert_int_equal(bedrock_message_usage(m)->output_tokens, 40);
	assert_int_equal(bedrock_message_text(&text, NULL, m), 0);
	assert_string_equal(text, "The sky is blue.");
	bedrock_messages_string_free(text);
	bedrock_message_free(m);
}

static void test_messages__stream_event_parse(void **state)
{
	bedrock_messages_event ev;
	const char *e;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	e = "{\"type\":\"content_block_delta\",\"index\":3,\"delta\":{\"type\":\"text_delta\",\"text\":\"a\\u00e9\\n\"}}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_int_equal(ev.kind, BEDROCK_STREAM_CONTENT_BLOCK_DELTA);
	assert_int_equal(ev.index, 3);
	assert_int_equal(ev.delta_kind, BEDROCK_DELTA_TEXT);
	assert_string_equal(ev.text, "a\xc3\xa9\n");
	assert_int_equal(ev.text_len, 4);
	assert_ptr_equal(ev.json, e);

	e = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"x\"}}}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_int_equal(ev.delta_kind, BEDROCK_DELTA_CITATIONS);
	assert_string_equal(ev.text, "{\"type\":\"x\"}");

	e = "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"stop_sequence\",\"stop_sequence\":\"END\"},\"usage\":{\"output_tokens\":9}}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_int_equal(ev.kind, BEDROCK_STREAM_MESSAGE_DELTA);
	assert_int_equal(ev.stop_reason, BEDROCK_STOP_STOP_SEQUENCE);
	assert_string_equal(ev.stop_sequence, "END");
	assert_int_equal(ev.has_usage, 1);
	assert_int_equal(ev.usage.output_tokens, 9);
	assert_int_equal(ev.usage.input_tokens, -1);
	assert_int_equal(ev.index, -1);

	/* Metrics are accepted on any event, known or not. */
	e = "{\"type\":\"brand_new\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":1,\"outputTokenCount\":2,"
	    "\"invocationLatency\":3,\"firstByteLatency\":4,\"cacheReadInputTokenCount\":5,\"cacheWriteInputTokenCount\":6}}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_int_equal(ev.kind, BEDROCK_STREAM_UNKNOWN);
	assert_string_equal(ev.type, "brand_new");
	assert_int_equal(ev.has_metrics, 1);
	assert_int_equal(ev.metrics.input_token_count, 1);
	assert_int_equal(ev.metrics.output_token_count, 2);
	assert_int_equal(ev.metrics.invocation_latency, 3);
	assert_int_equal(ev.metrics.first_byte_latency, 4);
	assert_int_equal(ev.metrics.cache_read_input_token_count, 5);
	assert_int_equal(ev.metrics.cache_write_input_token_count, 6);

	e = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_int_equal(ev.kind, BEDROCK_STREAM_ERROR);
	assert_string_equal(ev.error_type, "overloaded_error");
	assert_string_equal(ev.error_message, "Overloaded");

	e = "{\"no_type\":1}";
	assert_int_equal(bedrock_messages_event_parse(&ev, e, strlen(e)), 0);
	assert_string_equal(ev.type, "");
	assert_int_equal(bedrock_messages_event_parse(&ev, "[]", 2), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_messages_event_parse(&ev, "{\"type\":", 8), BEDROCK_EPROTOCOL);
	bedrock_messages_event_dispose(&ev);
	bedrock_messages_event_dispose(NULL);
}

static void test_messages__stream_metrics_and_errors(void **state)
{
	bedrock_message_accumulator *acc = NULL;
	bedrock_message *m = NULL;
	const char *e;

	(void)state;
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_message_accumulator_message(&m, acc), BEDROCK_EPROTOCOL);
	e = "{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, e, strlen(e)), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(bedrock_message_accumulator_errmsg(acc), "before message_start"));
	/* sticky */
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, START, strlen(START)), BEDROCK_EPROTOCOL);
	bedrock_message_accumulator_free(acc);

	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, START, strlen(START)), 0);
	e = "{\"type\":\"ping\",\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":11}}";
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, e, strlen(e)), 0);
	assert_int_equal(bedrock_message_accumulator_metrics(acc)->input_token_count, 11);
	assert_int_equal(bedrock_message_accumulator_metrics(acc)->output_token_count, -1);
	e = "{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"x\"}}";
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, e, strlen(e)), BEDROCK_EPROTOCOL);
	bedrock_message_accumulator_free(acc);

	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, START, strlen(START)), 0);
	e = "{\"type\":\"content_block_start\",\"index\":5,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}";
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, e, strlen(e)), BEDROCK_EPROTOCOL);
	bedrock_message_accumulator_free(acc);

	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, START, strlen(START)), 0);
	e = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}";
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, e, strlen(e)), BEDROCK_ESERVICE);
	assert_non_null(strstr(bedrock_message_accumulator_errmsg(acc), "overloaded_error"));
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, "{oops", 5), BEDROCK_ESERVICE);
	/* What arrived before the error is still there. */
	assert_int_equal(bedrock_message_accumulator_message(&m, acc), 0);
	assert_string_equal(bedrock_message_id(m), "msg_s");
	assert_int_equal(bedrock_message_accumulator_done(acc), 0);
	bedrock_message_free(m);
	bedrock_message_accumulator_free(acc);
	bedrock_message_accumulator_free(NULL);

	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	assert_int_equal(bedrock_message_accumulator_feed_json(acc, "[1]", 3), BEDROCK_EPROTOCOL);
	bedrock_message_accumulator_free(acc);
}

static void test_messages__accumulator_allocation_failures(void **state)
{
	static const char *const events[] = {
		START,
		"{\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"thinking\",\"thinking\":\"\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"thinking_delta\",\"thinking\":\"hm\"}}",
		"{\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"signature_delta\",\"signature\":\"S\"}}",
		"{\"type\":\"content_block_start\",\"index\":1,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"text_delta\",\"text\":\"hi\"}}",
		"{\"type\":\"content_block_delta\",\"index\":1,\"delta\":{\"type\":\"citations_delta\",\"citation\":{\"type\":\"char_location\"}}}",
		"{\"type\":\"content_block_start\",\"index\":2,\"content_block\":{\"type\":\"tool_use\",\"id\":\"t\",\"name\":\"n\",\"input\":{}}}",
		"{\"type\":\"content_block_delta\",\"index\":2,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\\\":1}\"}}",
		"{\"type\":\"content_block_start\",\"index\":3,\"content_block\":{\"type\":\"tool_use\",\"id\":\"u\",\"name\":\"n\",\"input\":{}}}",
		"{\"type\":\"content_block_start\",\"index\":4,\"content_block\":{\"type\":\"tool_use\",\"id\":\"v\",\"name\":\"n\",\"input\":{}}}",
		"{\"type\":\"content_block_delta\",\"index\":4,\"delta\":{\"type\":\"input_json_delta\",\"partial_json\":\"{\\\"a\"}}",
		"{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":5}}",
		"{\"type\":\"message_stop\"}",
		NULL
	};
	size_t k, i;
	int ok = 0, failures = 0;

	(void)state;
	for (k = 1; k < 500 && !ok; k++) {
		bedrock_message_accumulator *acc = NULL;
		bedrock_message *m = NULL;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_message_accumulator_new(&acc);
		for (i = 0; rc == 0 && events[i]; i++)
			rc = bedrock_message_accumulator_feed_json(acc, events[i], strlen(events[i]));
		if (rc == 0)
			rc = bedrock_message_accumulator_message(&m, acc);
		harness_fail_allocation(0);
		if (rc != 0 && rc != BEDROCK_ENOMEM)
			fail_msg("allocation %zu: rc %d (%s)", k, rc, bedrock_message_accumulator_errmsg(acc));
		ok = rc == 0;
		failures += !ok;
		if (ok) {
			assert_int_equal(bedrock_message_content_count(m), 5);
			assert_int_equal(bedrock_message_content(m, 4)->input_partial, 1);
		}
		bedrock_message_free(m);
		bedrock_message_accumulator_free(acc);
		if (harness_live_allocations())
			fail_msg("leak after failing allocation %zu", k);
	}
	assert_true(ok);
	assert_true(failures >= 10);
}

static void test_messages__converse_synthetic(void **state)
{
	static const char *const events[][2] = {
		{ "messageStart", "{\"role\":\"assistant\"}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"Think \"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"more.\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"signature\":\"SIG\"}}}" },
		{ "contentBlockStop", "{\"contentBlockIndex\":0}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"reasoningContent\":{\"redactedContent\":\"AAAA\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"text\":\"Let me check.\"}}" },
		{ "contentBlockStart", "{\"contentBlockIndex\":3,\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"weather\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":3,\"delta\":{\"toolUse\":{\"input\":\"{\\\"city\\\":\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":3,\"delta\":{\"toolUse\":{\"input\":\"\\\"Oslo\\\"}\"}}}" },
		{ "contentBlockStop", "{\"contentBlockIndex\":3}" },
		{ "contentBlockStart", "{\"contentBlockIndex\":4,\"start\":{\"toolUse\":{\"toolUseId\":\"tooluse_2\",\"name\":\"cut\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":4,\"delta\":{\"toolUse\":{\"input\":\"{\\\"a\"}}}" },
		{ "somethingNew", "{}" },
		{ "messageStop", "{\"stopReason\":\"tool_use\"}" },
		{ "metadata", "{\"usage\":{\"inputTokens\":10,\"outputTokens\":20,\"totalTokens\":30,\"cacheReadInputTokens\":4,\"cacheWriteInputTokens\":5},\"metrics\":{\"latencyMs\":321}}" },
	};
	bedrock_converse_accumulator *acc = NULL;
	const bedrock_converse_result *r;
	size_t i;

	(void)state;
	assert_int_equal(bedrock_converse_accumulator_new(&acc), 0);
	r = bedrock_converse_accumulator_result(acc);
	assert_null(r->stop_reason_str);
	assert_string_equal(r->text, "");
	for (i = 0; i < sizeof(events) / sizeof(events[0]); i++)
		assert_int_equal(bedrock_converse_accumulator_feed(acc, events[i][0], events[i][1], strlen(events[i][1])), 0);
	r = bedrock_converse_accumulator_result(acc);
	assert_string_equal(r->role, "assistant");
	assert_string_equal(r->text, "Let me check.");
	assert_string_equal(r->reasoning_text, "Think more.");
	assert_string_equal(r->reasoning_signature, "SIG");
	assert_int_equal(r->redacted_reasoning_count, 1);
	assert_int_equal(r->stop_reason, BEDROCK_STOP_TOOL_USE);
	assert_int_equal(r->usage.input_tokens, 10);
	assert_int_equal(r->usage.output_tokens, 20);
	assert_int_equal(r->usage.total_tokens, 30);
	assert_int_equal(r->usage.cache_read_input_tokens, 4);
	assert_int_equal(r->usage.cache_write_input_tokens, 5);
	assert_int_equal(r->latency_ms, 321);
	assert_int_equal(r->tool_use_count, 2);
	assert_int_equal(r->tool_uses[0].index, 3);
	assert_string_equal(r->tool_uses[0].tool_use_id, "tooluse_1");
	assert_string_equal(r->tool_uses[0].name, "weather");
	assert_string_equal(r->tool_uses[0].input_json, "{\"city\":\"Oslo\"}");
	assert_int_equal(r->tool_uses[0].input_partial, 0);
	assert_string_equal(r->tool_uses[1].input_json, "{\"a");
	assert_int_equal(r->tool_uses[1].input_partial, 1);
	assert_int_equal(bedrock_converse_accumulator_feed(acc, "metadata", "nope", 4), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_converse_accumulator_feed(acc, NULL, "{}", 2), BEDROCK_EINVAL);
	bedrock_converse_accumulator_free(acc);
	bedrock_converse_accumulator_free(NULL);
}

static void test_messages__converse_allocation_failures(void **state)
{
	static const char *const events[][2] = {
		{ "messageStart", "{\"role\":\"assistant\"}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"hi\"}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"r\",\"signature\":\"s\"}}}" },
		{ "contentBlockStart", "{\"contentBlockIndex\":1,\"start\":{\"toolUse\":{\"toolUseId\":\"t\",\"name\":\"n\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":1,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":2,\"delta\":{\"toolUse\":{\"input\":\"{}\"}}}" },
		{ "messageStop", "{\"stopReason\":\"end_turn\"}" },
	};
	size_t k, i;
	int ok = 0;

	(void)state;
	for (k = 1; k < 300 && !ok; k++) {
		bedrock_converse_accumulator *acc = NULL;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_converse_accumulator_new(&acc);
		for (i = 0; rc == 0 && i < sizeof(events) / sizeof(events[0]); i++)
			rc = bedrock_converse_accumulator_feed(acc, events[i][0], events[i][1], strlen(events[i][1]));
		harness_fail_allocation(0);
		assert_true(rc == 0 || rc == BEDROCK_ENOMEM);
		ok = rc == 0;
		if (ok)
			assert_int_equal(bedrock_converse_accumulator_result(acc)->tool_use_count, 2);
		bedrock_converse_accumulator_free(acc);
		if (harness_live_allocations())
			fail_msg("leak after failing allocation %zu", k);
	}
	assert_true(ok);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_messages__recorded_invoke_streams, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__stream_matches_invoke, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__recorded_converse_streams, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__stream_tool_use, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__stream_thinking_and_citations, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__stream_event_parse, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__stream_metrics_and_errors, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__accumulator_allocation_failures, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__converse_synthetic, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_messages__converse_allocation_failures, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
