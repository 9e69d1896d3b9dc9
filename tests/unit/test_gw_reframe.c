/* Stream re-framing between fronts and upstreams, event by event, the
 * input split at every byte: Bedrock -> Bedrock gives the recorded
 * Bedrock stream's own bytes back; Bedrock -> SSE the same Anthropic
 * events; SSE -> Bedrock chunk frames a Bedrock reader decodes to the same
 * events (ping and vertex_event dropped, invocationMetrics added); SSE ->
 * SSE the upstream's bytes (vertex_event only for Vertex clients); usage
 * from message_start/message_delta and Bedrock's metrics; in-stream errors
 * in the front's shape; the usage of a whole answer. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "gw_translate.h"

#define VECTOR "bedrock/dd-trace-py__anthropic_message_invoke_stream/response.body"

typedef struct out_buf {
	uint8_t *p;
	size_t len, cap;
} out_buf;

/* A Bedrock stream through the reframer, fed in two pieces split at at. */
static void reframe_bedrock(out_buf *o, gw_reframer *r, const uint8_t *in, size_t n, size_t at)
{
	bedrock_event_reader *rd;
	bedrock_event ev;
	size_t pieces[2] = { at, n - at }, off = 0;
	int i, rc;

	assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(bedrock_event_reader_feed(rd, in + off, pieces[i]), 0);
		off += pieces[i];
		while ((rc = bedrock_event_reader_next(&ev, rd)) == 0)
			assert_int_equal(gw_reframe_event(r, &o->p, &o->len, &o->cap, &ev), 0);
		assert_int_equal(rc, BEDROCK_EAGAIN);
	}
	assert_int_equal(bedrock_event_reader_finish(rd), 0);
	bedrock_event_reader_free(rd);
}

/* An SSE stream through the reframer as bedrock_messages_send_stream
 * yields it: every event, name as type, data not parsed. */
static void reframe_sse(out_buf *o, gw_reframer *r, const char *in, size_t n, size_t at)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event sev;
	bedrock_event ev;
	size_t pieces[2] = { at, n - at }, off = 0;
	int i, rc;

	assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
	for (i = 0; i < 2; i++) {
		assert_int_equal(bedrock_sse_decoder_feed(d, in + off, pieces[i]), 0);
		off += pieces[i];
		while ((rc = bedrock_sse_decoder_next(&sev, d)) == 0) {
			memset(&ev, 0, sizeof(ev));
			ev.event_type = ev.type = sev.event;
			ev.json = sev.data;
			ev.json_len = sev.data_len;
			assert_int_equal(gw_reframe_event(r, &o->p, &o->len, &o->cap, &ev), 0);
		}
		assert_int_equal(rc, BEDROCK_EAGAIN);
	}
	bedrock_sse_decoder_free(d);
}

static void test_gw_reframe__bedrock_to_bedrock_same_bytes(void **state)
{
	size_t n, at;
	uint8_t *in = (uint8_t *)harness_read_vector(VECTOR, &n);
	uint64_t i, o;

	(void)state;
	assert_non_null(in);
	for (at = 0; at <= n; at++) {
		gw_reframer *r;
		out_buf ob = { 0 };

		assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_BEDROCK,
						 BEDROCK_PLATFORM_BEDROCK), 0);
		reframe_bedrock(&ob, r, in, n, at);
		assert_bytes_equal(ob.p, ob.len, in, n);
		gw_reframer_usage(r, &i, &o, NULL, NULL);
		/* The recording's amazon-bedrock-invocationMetrics. */
		assert_true(i > 0 && o > 0);
		gw_reframer_free(r);
		free(ob.p);
	}
	free(in);
}

static void test_gw_reframe__bedrock_to_sse(void **state)
{
	size_t n, at;
	uint8_t *in = (uint8_t *)harness_read_vector(VECTOR, &n);
	bedrock_platform fronts[] = { BEDROCK_PLATFORM_ANTHROPIC, BEDROCK_PLATFORM_VERTEX };
	size_t f;

	(void)state;
	for (f = 0; f < 2; f++)
		for (at = 0; at <= n; at += 7) {
			gw_reframer *r;
			out_buf ob = { 0 };
			bedrock_event_reader *rd;
			bedrock_sse_decoder *d;
			bedrock_sse_event sev;
			bedrock_event ev;
			int rc, events = 0;

			assert_int_equal(gw_reframer_new(&r, fronts[f], BEDROCK_PLATFORM_BEDROCK), 0);
			reframe_bedrock(&ob, r, in, n, at);
			/* Decoded back, the SSE events are the chunks' events, in order. */
			assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
			assert_int_equal(bedrock_event_reader_feed(rd, in, n), 0);
			assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
			assert_int_equal(bedrock_sse_decoder_feed(d, ob.p, ob.len), 0);
			while ((rc = bedrock_event_reader_next(&ev, rd)) == 0) {
				assert_int_equal(bedrock_sse_decoder_next(&sev, d), 0);
				assert_string_equal(sev.event, ev.type);
				if (strcmp(ev.type, "message_stop")) {
					assert_bytes_equal(sev.data, sev.data_len, ev.json, ev.json_len);
				} else {
					/* Bedrock's metrics stay on Bedrock; the rest
					 * of the event is kept. */
					assert_non_null(strstr(ev.json, "invocationMetrics"));
					assert_null(strstr(sev.data, "invocationMetrics"));
					assert_non_null(strstr(sev.data, "\"type\":\"message_stop\""));
				}
				events++;
			}
			assert_int_equal(bedrock_sse_decoder_next(&sev, d), BEDROCK_EAGAIN);
			assert_int_equal(bedrock_sse_decoder_finish(d), 0);
			assert_true(events > 5);
			bedrock_sse_decoder_free(d);
			bedrock_event_reader_free(rd);
			gw_reframer_free(r);
			free(ob.p);
		}
	free(in);
}

/* An SSE stream as the API (and Vertex) write it. */
static char *sse_stream(size_t *len, int vertex)
{
	static const char *const ev[][2] = {
		{ "message_start", "{\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\","
				   "\"type\":\"message\",\"role\":\"assistant\",\"content\":[],"
				   "\"usage\":{\"input_tokens\":12,\"cache_read_input_tokens\":3,"
				   "\"output_tokens\":1}}}" },
		{ "vertex_event", "{\"type\":\"vertex_event\"}" },
		{ "content_block_start", "{\"type\":\"content_block_start\",\"index\":0,"
					 "\"content_block\":{\"type\":\"text\",\"text\":\"\"}}" },
		{ "ping", "{\"type\": \"ping\"}" },
		{ "content_block_delta", "{\"type\":\"content_block_delta\",\"index\":0,"
					 "\"delta\":{\"type\":\"text_delta\",\"text\":\"Hi \\u00e9\"}}" },
		{ "content_block_stop", "{\"type\":\"content_block_stop\",\"index\":0}" },
		{ "message_delta", "{\"type\":\"message_delta\",\"delta\":{\"stop_reason\":"
				   "\"end_turn\"},\"usage\":{\"output_tokens\":7}}" },
		{ "message_stop", "{\"type\":\"message_stop\"}" },
	};
	char *out = malloc(4096);
	size_t i, n;

	*len = 0;
	for (i = 0; i < sizeof(ev) / sizeof(ev[0]); i++) {
		if (!vertex && !strcmp(ev[i][0], "vertex_event"))
			continue;
		assert_int_equal(bedrock_sse_encode(&n, out + *len, 4096 - *len, ev[i][0], ev[i][1],
						    strlen(ev[i][1])), 0);
		*len += n;
	}
	return out;
}

static void test_gw_reframe__sse_to_bedrock(void **state)
{
	size_t n, at;
	char *in = sse_stream(&n, 1);

	(void)state;
	for (at = 0; at <= n; at++) {
		static const char *const want[] = { "message_start", "content_block_start",
						    "content_block_delta", "content_block_stop",
						    "message_delta", "message_stop" };
		gw_reframer *r;
		out_buf ob = { 0 };
		bedrock_event_reader *rd;
		bedrock_event ev;
		uint64_t i, o, cr, cw;
		size_t k = 0;
		int rc;

		assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_BEDROCK, BEDROCK_PLATFORM_VERTEX),
				 0);
		reframe_sse(&ob, r, in, n, at);
		gw_reframer_usage(r, &i, &o, &cr, &cw);
		assert_int_equal(i, 12);
		assert_int_equal(o, 7);
		assert_int_equal(cr, 3);
		assert_int_equal(cw, 0);
		assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
		assert_int_equal(bedrock_event_reader_feed(rd, ob.p, ob.len), 0);
		while ((rc = bedrock_event_reader_next(&ev, rd)) == 0) {
			assert_true(k < 6);
			assert_string_equal(ev.event_type, "chunk");
			assert_string_equal(ev.type, want[k]);
			assert_int_equal(bedrock_es_message_header(ev.message, ":message-type")
						 ->value.bytes.len, 5);
			if (k == 5)
				assert_non_null(strstr(ev.json, "\"amazon-bedrock-invocationMetrics\":"
							    "{\"inputTokenCount\":12,\"outputTokenCount\":7,"
							    "\"cacheReadInputTokenCount\":3"));
			if (k == 2)
				assert_string_equal(ev.text, "Hi \xc3\xa9");
			k++;
		}
		assert_int_equal(rc, BEDROCK_EAGAIN);
		assert_int_equal(k, 6);
		assert_int_equal(bedrock_event_reader_finish(rd), 0);
		bedrock_event_reader_free(rd);
		gw_reframer_free(r);
		free(ob.p);
	}
	free(in);
}

static void test_gw_reframe__sse_to_sse(void **state)
{
	size_t n, plain_n, at;
	char *in = sse_stream(&n, 1), *plain = sse_stream(&plain_n, 0);

	(void)state;
	for (at = 0; at <= n; at++) {
		gw_reframer *r;
		out_buf ob = { 0 };

		/* Vertex to a Vertex client: the same bytes, vertex_event too. */
		assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_VERTEX, BEDROCK_PLATFORM_VERTEX),
				 0);
		reframe_sse(&ob, r, in, n, at);
		assert_bytes_equal(ob.p, ob.len, in, n);
		gw_reframer_free(r);
		ob.len = 0;
		/* Vertex to an API client: without vertex_event, else the same. */
		assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_ANTHROPIC,
						 BEDROCK_PLATFORM_VERTEX), 0);
		reframe_sse(&ob, r, in, n, at);
		assert_bytes_equal(ob.p, ob.len, plain, plain_n);
		gw_reframer_free(r);
		ob.len = 0;
		/* The API to a Vertex client. */
		assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_VERTEX,
						 BEDROCK_PLATFORM_ANTHROPIC), 0);
		reframe_sse(&ob, r, plain, plain_n, at < plain_n ? at : plain_n);
		assert_bytes_equal(ob.p, ob.len, plain, plain_n);
		gw_reframer_free(r);
		free(ob.p);
	}
	free(in);
	free(plain);
}

static void test_gw_reframe__errors(void **state)
{
	bedrock_error_info e;
	gw_reframer *r;
	out_buf ob = { 0 };
	bedrock_event_reader *rd;
	bedrock_event ev;

	(void)state;
	memset(&e, 0, sizeof(e));
	snprintf(e.aws_code, sizeof(e.aws_code), "rate_limit_error");
	snprintf(e.message, sizeof(e.message), "Number of requests has exceeded your rate limit.");
	e.http_status = 429;
	/* An API error to a Bedrock client: throttlingException. */
	assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_BEDROCK, BEDROCK_PLATFORM_ANTHROPIC), 0);
	assert_int_equal(gw_reframe_error(r, &ob.p, &ob.len, &ob.cap, &e), 0);
	assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(rd, ob.p, ob.len), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, rd), BEDROCK_ETHROTTLED);
	assert_string_equal(bedrock_event_reader_exception_type(rd), "throttlingException");
	assert_string_equal(bedrock_event_reader_exception_message(rd), e.message);
	bedrock_event_reader_free(rd);
	gw_reframer_free(r);

	/* A model failure: modelStreamErrorException with its status. */
	ob.len = 0;
	snprintf(e.aws_code, sizeof(e.aws_code), "api_error");
	e.http_status = 500;
	assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_BEDROCK, BEDROCK_PLATFORM_VERTEX), 0);
	assert_int_equal(gw_reframe_error(r, &ob.p, &ob.len, &ob.cap, &e), 0);
	assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(rd, ob.p, ob.len), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, rd), BEDROCK_ESERVICE);
	assert_string_equal(bedrock_event_reader_exception_type(rd), "modelStreamErrorException");
	assert_int_equal(bedrock_event_reader_original_status(rd), 500);
	bedrock_event_reader_free(rd);
	gw_reframer_free(r);

	/* Bedrock's exception to an SSE client: event: error, the API's type. */
	ob.len = 0;
	snprintf(e.aws_code, sizeof(e.aws_code), "ServiceUnavailableException");
	snprintf(e.message, sizeof(e.message), "Bedrock is unable to process your request.");
	e.http_status = 503;
	assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_ANTHROPIC, BEDROCK_PLATFORM_BEDROCK), 0);
	assert_int_equal(gw_reframe_error(r, &ob.p, &ob.len, &ob.cap, &e), 0);
	assert_bytes_equal(ob.p, ob.len,
			   "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":"
			   "\"overloaded_error\",\"message\":\"Bedrock is unable to process your "
			   "request.\"}}\n\n", strlen("event: error\ndata: {\"type\":\"error\","
			   "\"error\":{\"type\":\"overloaded_error\",\"message\":\"Bedrock is unable"
			   " to process your request.\"}}\n\n"));
	gw_reframer_free(r);

	/* An API type passes as it is; a cut connection is an api_error. */
	ob.len = 0;
	snprintf(e.aws_code, sizeof(e.aws_code), "overloaded_error");
	assert_int_equal(gw_reframer_new(&r, BEDROCK_PLATFORM_VERTEX, BEDROCK_PLATFORM_VERTEX), 0);
	assert_int_equal(gw_reframe_error(r, &ob.p, &ob.len, &ob.cap, &e), 0);
	assert_non_null(memmem(ob.p, ob.len, "\"type\":\"overloaded_error\"", 25));
	ob.len = 0;
	memset(&e, 0, sizeof(e));
	snprintf(e.message, sizeof(e.message), "the connection broke mid-stream");
	assert_int_equal(gw_reframe_error(r, &ob.p, &ob.len, &ob.cap, &e), 0);
	assert_non_null(memmem(ob.p, ob.len, "\"type\":\"api_error\"", 18));
	gw_reframer_free(r);
	free(ob.p);
}

static void test_gw_reframe__usage_of_body(void **state)
{
	uint64_t i, o, cr, cw;
	const char *msg = "{\"type\":\"message\",\"usage\":{\"input_tokens\":10,\"output_tokens\":4,"
			  "\"cache_creation_input_tokens\":2,\"cache_read_input_tokens\":1}}";
	const char *conv = "{\"output\":{},\"usage\":{\"inputTokens\":9,\"outputTokens\":3,"
			   "\"totalTokens\":12,\"cacheWriteInputTokens\":5}}";

	(void)state;
	assert_int_equal(gw_usage_of_body(&i, &o, &cr, &cw, msg, strlen(msg)), 0);
	assert_true(i == 10 && o == 4 && cr == 1 && cw == 2);
	assert_int_equal(gw_usage_of_body(&i, &o, &cr, &cw, conv, strlen(conv)), 0);
	assert_true(i == 9 && o == 3 && cr == 0 && cw == 5);
	assert_int_equal(gw_usage_of_body(&i, &o, &cr, &cw, "{}", 2), -1);
	assert_int_equal(gw_usage_of_body(&i, &o, &cr, &cw, "not json", 8), -1);
	assert_true(i == 0 && o == 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_reframe__bedrock_to_bedrock_same_bytes),
		cmocka_unit_test(test_gw_reframe__bedrock_to_sse),
		cmocka_unit_test(test_gw_reframe__sse_to_bedrock),
		cmocka_unit_test(test_gw_reframe__sse_to_sse),
		cmocka_unit_test(test_gw_reframe__errors),
		cmocka_unit_test(test_gw_reframe__usage_of_body),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
