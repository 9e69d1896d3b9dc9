/* A Vertex AI stream as Vertex writes it (vertex_event and ping among the
 * Messages events, CRLF and LF line ends, a comment), through the SSE
 * decoder and the mapping to bedrock_event, split at every byte: in two
 * pieces at each offset, and one byte at a time. Every split yields the
 * same events, the same text and the same final message; vertex_event and
 * ping never reach the caller. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "anthropic_events.h"

static const char stream[] =
	"event: message_start\r\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_vrtx_01\",\"type\":\"message\","
	"\"role\":\"assistant\",\"model\":\"claude-sonnet-4-5-20250929\",\"content\":[],"
	"\"stop_reason\":null,\"usage\":{\"input_tokens\":9,\"output_tokens\":1}}}\r\n\r\n"
	"event: vertex_event\n"
	"data: {\"type\":\"vertex_event\",\"usage\":{\"x\":1}}\n\n"
	": a comment line\n"
	"event: ping\r\n"
	"data: {\"type\": \"ping\"}\r\n\r\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Bonjour, \"}}\n\n"
	"event: vertex_event\r\n"
	"data: {\"type\":\"vertex_event\"}\r\n\r\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"le monde \\u00e9t\\u00e9\"}}\n\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":6}}\n\n"
	"event: message_stop\n"
	"data: {\"type\":\"message_stop\"}\n\n";

typedef struct result {
	char types[512];
	char text[256];
	char final_text[256];
	int events;
} result;

/* Decodes stream fed in pieces of the given sizes (0-terminated list; the
 * rest in one piece), mapping and accumulating as bedrock_stream_next does. */
static void run(result *r, const size_t *pieces)
{
	bedrock_sse_decoder *d;
	bedrock__sse_events st;
	bedrock_message_accumulator *acc;
	bedrock_messages_event se = BEDROCK_MESSAGES_EVENT_INIT;
	bedrock_message *msg = NULL;
	size_t at = 0, total = sizeof(stream) - 1, n;
	int last = 0;

	memset(r, 0, sizeof(*r));
	memset(&st, 0, sizeof(st));
	assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	while (!last) {
		bedrock_sse_event ev;
		bedrock_event out;
		int rc;

		n = *pieces ? *pieces++ : total - at;
		if (at + n >= total) {
			n = total - at;
			last = 1;
		}
		assert_int_equal(bedrock_sse_decoder_feed(d, stream + at, n), 0);
		at += n;
		while ((rc = bedrock_sse_decoder_next(&ev, d)) == 0) {
			rc = bedrock__sse_event_map(&out, &st, &ev);
			if (rc == BEDROCK_EAGAIN)
				continue;
			assert_int_equal(rc, 0);
			if (!strcmp(out.type, "vertex_event") || !strcmp(out.type, "ping"))
				fail_msg("%s reached the caller", out.type);
			r->events++;
			strcat(r->types, out.type);
			strcat(r->types, ",");
			if (out.text)
				strncat(r->text, out.text, out.text_len);
			assert_int_equal(bedrock_messages_event_parse(&se, out.json, out.json_len), 0);
			assert_int_equal(bedrock_message_accumulator_feed(acc, &se), 0);
		}
		assert_int_equal(rc, BEDROCK_EAGAIN);
	}
	assert_int_equal(bedrock_message_accumulator_message(&msg, acc), 0);
	snprintf(r->final_text, sizeof(r->final_text), "%s", bedrock_message_content(msg, 0)->text);
	bedrock_message_free(msg);
	bedrock_messages_event_dispose(&se);
	bedrock_message_accumulator_free(acc);
	bedrock__sse_events_dispose(&st);
	bedrock_sse_decoder_free(d);
}

static void test_vertex_sse__every_split(void **state)
{
	result whole, r;
	size_t k, total = sizeof(stream) - 1;
	static size_t ones[sizeof(stream)];

	(void)state;
	{
		const size_t none[] = { 0 };

		run(&whole, none);
	}
	assert_string_equal(whole.types, "message_start,content_block_start,content_block_delta,"
					 "content_block_delta,content_block_stop,message_delta,"
					 "message_stop,");
	assert_string_equal(whole.text, "Bonjour, le monde \xc3\xa9t\xc3\xa9");
	assert_string_equal(whole.final_text, whole.text);
	for (k = 1; k < total; k++) {
		const size_t two[] = { k, 0 };

		run(&r, two);
		if (strcmp(r.types, whole.types) || strcmp(r.text, whole.text) ||
		    strcmp(r.final_text, whole.final_text))
			fail_msg("split at byte %zu: %s / %s", k, r.types, r.text);
	}
	for (k = 0; k + 1 < sizeof(ones) / sizeof(ones[0]); k++)
		ones[k] = 1;
	ones[k] = 0;
	run(&r, ones);
	assert_string_equal(r.types, whole.types);
	assert_string_equal(r.text, whole.text);
	assert_string_equal(r.final_text, whole.final_text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_vertex_sse__every_split, harness_setup,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
