/* The Server-Sent Events decoder and encoder: an Anthropic API stream split
 * at every byte, the three line ends, comments, multi-line data, BOM, id and
 * retry, limits, truncation, sticky errors, allocation failures. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "bedrock/sse.h"

/* A stream as the Anthropic API sends it (docs, "Streaming Messages"). */
static const char anthropic_stream[] =
	"event: message_start\n"
	"data: {\"type\":\"message_start\",\"message\":{\"id\":\"msg_1\",\"type\":\"message\","
	"\"role\":\"assistant\",\"content\":[],\"model\":\"claude-sonnet-4-5-20250929\","
	"\"stop_reason\":null,\"usage\":{\"input_tokens\":25,\"output_tokens\":1}}}\n"
	"\n"
	"event: content_block_start\n"
	"data: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"text\",\"text\":\"\"}}\n"
	"\n"
	"event: ping\n"
	"data: {\"type\": \"ping\"}\n"
	"\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"Hello\"}}\n"
	"\n"
	"event: content_block_delta\n"
	"data: {\"type\":\"content_block_delta\",\"index\":0,\"delta\":{\"type\":\"text_delta\",\"text\":\"!\"}}\n"
	"\n"
	"event: content_block_stop\n"
	"data: {\"type\":\"content_block_stop\",\"index\":0}\n"
	"\n"
	"event: message_delta\n"
	"data: {\"type\":\"message_delta\",\"delta\":{\"stop_reason\":\"end_turn\"},\"usage\":{\"output_tokens\":15}}\n"
	"\n"
	"event: message_stop\n"
	"data: {\"type\":\"message_stop\"}\n"
	"\n";

/* Everything the events of one run said, for comparing runs. */
typedef struct {
	int rc;
	size_t count;
	char text[8192];
	size_t len;
	char errmsg[200];
	uint64_t err_offset;
} run_result;

static void append(run_result *r, const char *s, size_t n)
{
	assert_true(r->len + n < sizeof(r->text));
	memcpy(r->text + r->len, s, n);
	r->len += n;
	r->text[r->len] = '\0';
}

static void record(run_result *r, const bedrock_sse_event *e)
{
	char tmp[64];

	assert_int_equal(e->event[e->event_len], '\0');
	assert_int_equal(e->data[e->data_len], '\0');
	append(r, "[", 1);
	append(r, e->event, e->event_len);
	append(r, "|", 1);
	append(r, e->data, e->data_len);
	snprintf(tmp, sizeof(tmp), "|%s|%lld@%llu]\n", e->id, e->retry_ms,
		 (unsigned long long)e->offset);
	append(r, tmp, strlen(tmp));
	r->count++;
}

/* Feeds `data` in pieces of `step` bytes (0: cut once at `split`), each
 * piece in its own buffer that is scribbled over after the feed. */
static void run(run_result *r, const bedrock_sse_decoder_options *o, const char *data,
		size_t len, size_t split, size_t step)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event e;
	size_t pos = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	assert_int_equal(bedrock_sse_decoder_new(&d, o), 0);
	while (pos < len) {
		size_t n = step ? step : (pos < split ? split - pos : len - pos);
		char *piece;

		if (n > len - pos)
			n = len - pos;
		piece = malloc(n);
		assert_non_null(piece);
		memcpy(piece, data + pos, n);
		rc = bedrock_sse_decoder_feed(d, piece, n);
		memset(piece, 0xAA, n);
		free(piece);
		while (rc == 0) {
			rc = bedrock_sse_decoder_next(&e, d);
			if (rc == 0)
				record(r, &e);
		}
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0) {
		while ((rc = bedrock_sse_decoder_next(&e, d)) == 0)
			record(r, &e);
		if (rc == BEDROCK_EAGAIN)
			rc = bedrock_sse_decoder_finish(d);
	}
	r->rc = rc;
	snprintf(r->errmsg, sizeof(r->errmsg), "%s", bedrock_sse_decoder_errmsg(d));
	r->err_offset = bedrock_sse_decoder_error_offset(d);
	if (rc) { /* sticky */
		assert_int_equal(bedrock_sse_decoder_next(&e, d), rc);
		assert_int_equal(bedrock_sse_decoder_feed(d, "x", 1), rc);
		assert_int_equal(bedrock_sse_decoder_finish(d), rc);
	}
	bedrock_sse_decoder_free(d);
}

static void test_sse__anthropic_stream_every_split(void **state)
{
	run_result whole, part;
	size_t len = strlen(anthropic_stream), i;

	(void)state;
	run(&whole, NULL, anthropic_stream, len, len, 0);
	assert_int_equal(whole.rc, 0);
	assert_int_equal(whole.count, 8);
	assert_non_null(strstr(whole.text, "[message_start|{\"type\":\"message_start\""));
	assert_non_null(strstr(whole.text, "[ping|{\"type\": \"ping\"}||-1@"));
	assert_non_null(strstr(whole.text, "[message_stop|{\"type\":\"message_stop\"}||-1@"));
	for (i = 0; i <= len; i++) {
		run(&part, NULL, anthropic_stream, len, i, 0);
		assert_int_equal(part.rc, 0);
		assert_string_equal(part.text, whole.text);
	}
	run(&part, NULL, anthropic_stream, len, 0, 1);
	assert_string_equal(part.text, whole.text);
	run(&part, NULL, anthropic_stream, len, 0, 7);
	assert_string_equal(part.text, whole.text);
}

/* The same stream with every LF replaced by CRLF, or by CR: same events. */
static void test_sse__line_ends(void **state)
{
	run_result lf, other;
	size_t len = strlen(anthropic_stream), i, j, k;
	char *crlf = malloc(2 * len + 1), *cr = malloc(len + 1);

	(void)state;
	assert_non_null(crlf);
	assert_non_null(cr);
	for (i = j = 0; i < len; i++) {
		if (anthropic_stream[i] == '\n')
			crlf[j++] = '\r';
		crlf[j++] = anthropic_stream[i];
		cr[i] = anthropic_stream[i] == '\n' ? '\r' : anthropic_stream[i];
	}
	run(&lf, NULL, anthropic_stream, len, len, 0);
	/* Offsets differ with CRLF; compare without them. */
	for (k = 0; k <= j; k++) {
		run(&other, NULL, crlf, j, k, 0);
		assert_int_equal(other.rc, 0);
		assert_int_equal(other.count, lf.count);
	}
	run(&other, NULL, cr, len, len, 0);
	assert_string_equal(other.text, lf.text);
	for (k = 0; k <= len; k++) {
		run(&other, NULL, cr, len, k, 0);
		assert_string_equal(other.text, lf.text);
	}
	/* A CR at the end of one feed and its LF at the start of the next
	 * are one line end, not two (which would be an empty line). */
	run(&other, NULL, "data: a\r\ndata: b\r\n\r\n", 20, 8, 0);
	assert_int_equal(other.rc, 0);
	assert_string_equal(other.text, "[|a\nb||-1@0]\n");
	free(crlf);
	free(cr);
}

static void test_sse__fields(void **state)
{
	run_result r;
	const char *s;

	(void)state;
	/* Comments, a field with no colon, no space after the colon, two spaces
	 * (only one is removed), unknown fields, multi-line data. */
	s = ": keep-alive\n"
	    "event:a\n"
	    "data:  two\n"
	    "data\n"
	    "data: three\n"
	    "unknown: x\n"
	    "\n";
	run(&r, NULL, s, strlen(s), strlen(s), 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "[a| two\n\nthree||-1@0]\n");

	/* Fields without data dispatch nothing; the name does not leak into
	 * the next event. */
	s = "event: lost\n\ndata: x\n\n";
	run(&r, NULL, s, strlen(s), strlen(s), 0);
	assert_string_equal(r.text, "[|x||-1@13]\n");

	/* id persists across events; an id with a NUL is ignored; retry takes
	 * digits only. */
	s = "id: 7\nretry: 1500\ndata: a\n\nid: x\0y\nretry: 12a\ndata: b\n\n";
	run(&r, NULL, s, 55, 55, 0);
	assert_int_equal(r.rc, 0);
	assert_string_equal(r.text, "[|a|7|1500@0]\n[|b|7|1500@27]\n");

	/* Data may hold NUL bytes: counted, not cut. */
	{
		bedrock_sse_decoder *d;
		bedrock_sse_event e;
		assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
		assert_int_equal(bedrock_sse_decoder_feed(d, "data: a\0b\n\n", 11), 0);
		assert_int_equal(bedrock_sse_decoder_next(&e, d), 0);
		assert_int_equal(e.data_len, 3);
		assert_memory_equal(e.data, "a\0b", 3);
		assert_int_equal(e.event_len, 0);
		assert_string_equal(e.event, "");
		bedrock_sse_decoder_free(d);
	}
}

static void test_sse__bom(void **state)
{
	run_result r;
	const char *s = "\xEF\xBB\xBF" "data: x\n\n";
	size_t i;

	(void)state;
	for (i = 0; i <= strlen(s); i++) {
		run(&r, NULL, s, strlen(s), i, 0);
		assert_int_equal(r.rc, 0);
		assert_string_equal(r.text, "[|x||-1@3]\n");
	}
	/* Only at the start of the stream: later, it is part of a field name
	 * ("\xEF\xBB\xBFdata"), which is unknown and ignored. */
	s = "data: x\n\n\xEF\xBB\xBF" "data: y\n\n";
	run(&r, NULL, s, strlen(s), strlen(s), 0);
	assert_int_equal(r.count, 1);
	assert_non_null(strstr(r.text, "[|x||-1@0]\n"));
}

static void test_sse__truncated(void **state)
{
	run_result r;
	const char *s;
	size_t len = strlen(anthropic_stream), i;

	(void)state;
	/* Every proper prefix that does not end between events fails. */
	for (i = 1; i < len; i++) {
		int between = anthropic_stream[i - 1] == '\n' && (i < 2 || anthropic_stream[i - 2] == '\n');
		run(&r, NULL, anthropic_stream, i, i, 0);
		if (between) {
			assert_int_equal(r.rc, 0);
		} else {
			assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
			assert_non_null(strstr(r.errmsg, "stream ended mid-event"));
		}
	}
	s = "data: a\n\nevent: b\ndata: partial";
	run(&r, NULL, s, strlen(s), strlen(s), 0);
	assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
	assert_int_equal(r.count, 1);   /* the whole event before it is kept */
	assert_int_equal(r.err_offset, 9);
	assert_non_null(strstr(r.errmsg, "at offset 9"));
	/* An empty stream, and one of comments only, end cleanly. */
	run(&r, NULL, "", 0, 0, 0);
	assert_int_equal(r.rc, 0);
	run(&r, NULL, ": hi\n\n", 6, 6, 0);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.count, 0);
}

static void test_sse__limits(void **state)
{
	bedrock_sse_decoder_options o = BEDROCK_SSE_DECODER_OPTIONS_INIT;
	run_result r;
	char big[300];

	(void)state;
	o.max_line_len = 64;
	o.max_event_len = 100;
	memset(big, 'x', sizeof(big));
	memcpy(big, "data: ", 6);
	/* A line over the limit fails even before its end arrives. */
	run(&r, &o, big, sizeof(big), 0, 10);
	assert_int_equal(r.rc, BEDROCK_ELIMIT);
	assert_non_null(strstr(r.errmsg, "line longer than 64 bytes at offset 0"));
	/* Exactly at the limit is fine. */
	{
		char ok[80];
		memset(ok, 'y', sizeof(ok));
		memcpy(ok, "data: ", 6);
		ok[64] = '\n';
		ok[65] = '\n';
		run(&r, &o, ok, 66, 66, 0);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.count, 1);
	}
	/* Many short data lines over the event limit. */
	{
		const char *line = "data: 0123456789012345678901234567890123456789\n";
		char ev[600] = "";
		int i;
		for (i = 0; i < 3; i++)
			strcat(ev, line);
		strcat(ev, "\n");
		run(&r, &o, ev, strlen(ev), strlen(ev), 0);
		assert_int_equal(r.rc, BEDROCK_ELIMIT);
		assert_non_null(strstr(r.errmsg, "event data larger than 100 bytes"));
	}
	/* Bad options. */
	{
		bedrock_sse_decoder *d;
		o.version = 99;
		assert_int_equal(bedrock_sse_decoder_new(&d, &o), BEDROCK_EINVAL);
		assert_int_equal(bedrock_sse_decoder_new(NULL, NULL), BEDROCK_EINVAL);
	}
}

/* A long line fed one byte at a time is scanned once, not once per byte:
 * 2 MB in 1-byte pieces would take minutes if it were rescanned. */
static void test_sse__long_line_linear(void **state)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event e;
	size_t n = 2u << 20, i;
	int rc;

	(void)state;
	assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_sse_decoder_feed(d, "data: ", 6), 0);
	for (i = 0; i < n; i++) {
		assert_int_equal(bedrock_sse_decoder_feed(d, "z", 1), 0);
		rc = bedrock_sse_decoder_next(&e, d);
		assert_int_equal(rc, BEDROCK_EAGAIN);
	}
	assert_int_equal(bedrock_sse_decoder_feed(d, "\n\n", 2), 0);
	assert_int_equal(bedrock_sse_decoder_next(&e, d), 0);
	assert_int_equal(e.data_len, n);
	bedrock_sse_decoder_free(d);
}

static void test_sse__reset(void **state)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event e;
	bedrock_sse_decoder_options o = BEDROCK_SSE_DECODER_OPTIONS_INIT;

	(void)state;
	o.max_line_len = 8;
	assert_int_equal(bedrock_sse_decoder_new(&d, &o), 0);
	assert_int_equal(bedrock_sse_decoder_feed(d, "data: 0123456789\n", 17), 0);
	assert_int_equal(bedrock_sse_decoder_next(&e, d), BEDROCK_ELIMIT);
	bedrock_sse_decoder_reset(d);
	assert_string_equal(bedrock_sse_decoder_errmsg(d), "");
	assert_int_equal(bedrock_sse_decoder_error_offset(d), 0);
	assert_int_equal(bedrock_sse_decoder_feed(d, "id: 1\n\ndata: ok\n\n", 17), 0);
	assert_int_equal(bedrock_sse_decoder_next(&e, d), 0);
	assert_string_equal(e.data, "ok");
	assert_string_equal(e.id, "1");
	assert_int_equal(e.offset, 7);
	assert_int_equal(bedrock_sse_decoder_next(&e, d), BEDROCK_EAGAIN);
	assert_int_equal(bedrock_sse_decoder_finish(d), 0);
	assert_int_equal(bedrock_sse_decoder_feed(NULL, "x", 1), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sse_decoder_feed(d, NULL, 1), BEDROCK_EINVAL);
	bedrock_sse_decoder_free(d);
	bedrock_sse_decoder_free(NULL);
}

static void test_sse__encode_round_trip(void **state)
{
	static const char *const datas[] = {
		"{\"type\":\"ping\"}", "", "a\nb", "a\r\nb\rc", "trailing\n", "\n", "\n\n"};
	static const char *const want[] = {
		"{\"type\":\"ping\"}", "", "a\nb", "a\nb\nc", "trailing\n", "\n", "\n\n"};
	char buf[256];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(datas) / sizeof(datas[0]); i++) {
		bedrock_sse_decoder *d;
		bedrock_sse_event e;
		size_t dl = strlen(datas[i]);

		n = bedrock_sse_encoded_size("ev", datas[i], dl);
		assert_int_equal(bedrock_sse_encode(&n, buf, n - 1, "ev", datas[i], dl), BEDROCK_ELIMIT);
		assert_int_equal(bedrock_sse_encode(&n, buf, sizeof(buf), "ev", datas[i], dl), 0);
		assert_int_equal(n, bedrock_sse_encoded_size("ev", datas[i], dl));
		assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
		assert_int_equal(bedrock_sse_decoder_feed(d, buf, n), 0);
		assert_int_equal(bedrock_sse_decoder_next(&e, d), 0);
		assert_string_equal(e.event, "ev");
		assert_int_equal(e.data_len, strlen(want[i]));
		assert_memory_equal(e.data, want[i], e.data_len);
		assert_int_equal(bedrock_sse_decoder_next(&e, d), BEDROCK_EAGAIN);
		assert_int_equal(bedrock_sse_decoder_finish(d), 0);
		bedrock_sse_decoder_free(d);
	}
	assert_int_equal(bedrock_sse_encode(&n, buf, sizeof(buf), NULL, "x", 1), 0);
	assert_int_equal(n, 9);
	assert_memory_equal(buf, "data: x\n\n", 9);
	assert_int_equal(bedrock_sse_encode(&n, buf, sizeof(buf), "a\nb", "x", 1), BEDROCK_EINVAL);
}

static void test_sse__allocation_failures(void **state)
{
	size_t len = strlen(anthropic_stream), k;
	int failures = 0;

	(void)state;
	for (k = 1; k < 50; k++) {
		bedrock_sse_decoder *d = NULL;
		bedrock_sse_event e;
		size_t count = 0;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_sse_decoder_new(&d, NULL);
		if (rc == 0) {
			rc = bedrock_sse_decoder_feed(d, anthropic_stream, len);
			while (rc == 0 && (rc = bedrock_sse_decoder_next(&e, d)) == 0)
				count++;
			if (rc == BEDROCK_EAGAIN)
				rc = bedrock_sse_decoder_finish(d);
		}
		harness_fail_allocation(0);
		bedrock_sse_decoder_free(d);
		assert_int_equal(harness_live_allocations(), 0);
		if (rc == 0) {
			assert_int_equal(count, 8);
			break;
		}
		assert_int_equal(rc, BEDROCK_ENOMEM);
		failures++;
	}
	assert_true(failures >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sse__anthropic_stream_every_split, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__line_ends, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__fields, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__bom, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__truncated, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__limits, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__long_line_linear, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__reset, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__encode_round_trip, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_sse__allocation_failures, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
