/* The Bedrock event layer: chunk unwrapping, ConverseStream events, text
 * deltas, in-stream exceptions and errors, bad chunks, every split point. */
#include "eventstream_helpers.h"

/* Every split point of every recorded stream costs two JSON parses per
 * frame per split (about 7M parses). Under ASan that alone takes a minute,
 * so sanitizer builds take every 5th split of the streams over 8 KB; the
 * raw decoder test still covers every index of every stream there. */
#if defined(__SANITIZE_ADDRESS__)
#define BIG_STREAM_STRIDE 5
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BIG_STREAM_STRIDE 5
#endif
#endif
#ifndef BIG_STREAM_STRIDE
#define BIG_STREAM_STRIDE 1
#endif

typedef struct {
	int rc;
	size_t count, services;
	char errmsg[512];
	uint64_t err_offset;
} run_result;

static void transcript_event(tbuf *t, const bedrock_event *ev, int rc)
{
	tbuf_u64(t, (uint64_t)rc);
	tbuf_u64(t, (uint64_t)ev->kind);
	tbuf_str(t, ev->event_type, strlen(ev->event_type));
	tbuf_str(t, ev->type, ev->type ? strlen(ev->type) : 0);
	tbuf_str(t, ev->json, ev->json_len);
	tbuf_str(t, ev->text, ev->text_len);
	transcript_message(t, ev->message);
}

static int is_service(int rc)
{
	return rc == BEDROCK_ETHROTTLED || rc == BEDROCK_ETIMEOUT || rc == BEDROCK_ESERVICE;
}

/* As in test_eventstream.c: pieces in short-lived copies, then finish. */
static void run(run_result *res, tbuf *t, const uint8_t *data, size_t len, size_t split,
		size_t step)
{
	bedrock_event_reader *r;
	bedrock_event ev;
	size_t pos = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	while (pos < len) {
		size_t n = step ? step : (pos < split ? split - pos : len - pos);
		uint8_t *piece;

		if (n > len - pos)
			n = len - pos;
		piece = malloc(n);
		assert_non_null(piece);
		memcpy(piece, data + pos, n);
		rc = bedrock_event_reader_feed(r, piece, n);
		while (rc == 0 || is_service(rc)) {
			rc = bedrock_event_reader_next(&ev, r);
			if (rc == 0 || is_service(rc)) {
				res->count++;
				res->services += rc != 0;
				if (t)
					transcript_event(t, &ev, rc);
			}
		}
		memset(piece, 0xAA, n);
		free(piece);
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0)
		rc = bedrock_event_reader_finish(r);
	res->rc = rc;
	snprintf(res->errmsg, sizeof(res->errmsg), "%s", bedrock_event_reader_errmsg(r));
	res->err_offset = bedrock_event_reader_error_offset(r);
	if (rc)
		assert_int_equal(bedrock_event_reader_next(&ev, r), rc);
	bedrock_event_reader_free(r);
}

static void check_all_splits(const uint8_t *data, size_t len, const run_result *want,
			     const tbuf *want_t, size_t stride)
{
	size_t k;
	run_result r;
	tbuf t = { 0 };

	for (k = 0; k <= len + 1; k += k > len ? 1 : stride) {
		t.len = 0;
		if (k <= len)
			run(&r, &t, data, len, k, 0);
		else
			run(&r, &t, data, len, 0, 1);
		if (r.rc != want->rc || r.count != want->count || strcmp(r.errmsg, want->errmsg) ||
		    t.len != want_t->len || (t.len && memcmp(t.p, want_t->p, t.len)))
			fail_msg("split %zu of %zu: rc %d count %zu \"%s\", want rc %d count %zu \"%s\"",
				 k, len, r.rc, r.count, r.errmsg, want->rc, want->count, want->errmsg);
		if (k == len + 1)
			break;
	}
	tbuf_free(&t);
}

static const char *stop_reason_of(const bedrock_event *ev, cJSON *j)
{
	const cJSON *it;

	if (!strcmp(ev->event_type, "messageStop"))
		it = cJSON_GetObjectItemCaseSensitive(j, "stopReason");
	else if (ev->type && !strcmp(ev->type, "message_delta"))
		it = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(j, "delta"), "stop_reason");
	else if (ev->type && !ev->type[0])
		it = cJSON_GetObjectItemCaseSensitive(j, "stop_reason");
	else
		return NULL;
	return cJSON_IsString(it) ? it->valuestring : NULL;
}

static void test_eventstream__reader_recorded_streams(void **state)
{
	char **dirs = stream_dirs();
	size_t i;

	(void)state;
	for (i = 0; dirs[i]; i++) {
		char rel[512], stop[64] = "";
		size_t len, k = 0;
		uint8_t *bin;
		cJSON *want, *frames, *ft, *sr;
		bedrock_event_reader *r;
		bedrock_event ev;
		run_result res;
		tbuf text = { 0 }, t = { 0 };
		int rc;

		snprintf(rel, sizeof(rel), "bedrock/%s/response.body", dirs[i]);
		bin = (uint8_t *)harness_read_vector(rel, &len);
		assert_non_null(bin);
		snprintf(rel, sizeof(rel), "bedrock/%s/expected.json", dirs[i]);
		want = read_json_vector(rel);
		frames = cJSON_GetObjectItemCaseSensitive(want, "frames");

		assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
		assert_int_equal(bedrock_event_reader_feed(r, bin, len), 0);
		while ((rc = bedrock_event_reader_next(&ev, r)) == 0) {
			const cJSON *f = cJSON_GetArrayItem(frames, (int)k);
			const cJSON *et = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(
					cJSON_GetObjectItemCaseSensitive(f, "headers"), ":event-type"),
				"value");
			const cJSON *event = cJSON_GetObjectItemCaseSensitive(f, "event");
			const cJSON *pj = cJSON_GetObjectItemCaseSensitive(f, "payload_json");
			cJSON *got;
			const char *s;

			assert_non_null(f);
			assert_int_equal(ev.kind, BEDROCK_EVENT_EVENT);
			assert_string_equal(ev.event_type, et->valuestring);
			assert_int_equal(ev.message->total_length,
					 (uint32_t)cJSON_GetObjectItemCaseSensitive(f, "total_length")->valuedouble);
			assert_int_equal(ev.message->message_crc,
					 (uint32_t)cJSON_GetObjectItemCaseSensitive(f, "message_crc")->valuedouble);
			assert_int_equal(ev.message->prelude_crc,
					 (uint32_t)cJSON_GetObjectItemCaseSensitive(f, "prelude_crc")->valuedouble);
			assert_int_equal(ev.json[ev.json_len], '\0');
			got = cJSON_ParseWithLength(ev.json, ev.json_len);
			assert_non_null(got);
			if (event) {
				const cJSON *type = cJSON_GetObjectItemCaseSensitive(event, "type");

				assert_string_equal(ev.event_type, "chunk");
				assert_true(cJSON_Compare(got, event, 1));
				assert_string_equal(ev.type, cJSON_IsString(type) ? type->valuestring : "");
			} else {
				assert_null(ev.type);
				assert_true(cJSON_Compare(got, pj, 1));
			}
			if (ev.text) {
				assert_int_equal(ev.text[ev.text_len], '\0');
				tbuf_put(&text, ev.text, ev.text_len);
			}
			if ((s = stop_reason_of(&ev, got)) != NULL)
				snprintf(stop, sizeof(stop), "%s", s);
			cJSON_Delete(got);
			k++;
		}
		assert_int_equal(rc, BEDROCK_EAGAIN);
		assert_int_equal(k, cJSON_GetArraySize(frames));
		assert_int_equal(bedrock_event_reader_finish(r), 0);
		assert_null(bedrock_event_reader_exception_type(r));
		bedrock_event_reader_free(r);

		ft = cJSON_GetObjectItemCaseSensitive(want, "final_text");
		assert_bytes_equal(text.p, text.len, ft->valuestring, strlen(ft->valuestring));
		sr = cJSON_GetObjectItemCaseSensitive(want, "stop_reason");
		assert_string_equal(stop, cJSON_IsString(sr) ? sr->valuestring : "");

		run(&res, &t, bin, len, len, 0);
		assert_int_equal(res.rc, 0);
		assert_int_equal(res.count, k);
		check_all_splits(bin, len, &res, &t, len > 8192 ? BIG_STREAM_STRIDE : 1);
		tbuf_free(&t);
		tbuf_free(&text);
		cJSON_Delete(want);
		free(bin);
	}
	assert_int_equal(i, 12);
	for (i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
}

static void test_eventstream__reader_negative_stream(void **state)
{
	const char *dir = "bedrock/negative/"
		"newrelic__invoke_stream__amazon.titan-text-express-v1__Malformed_Streaming_Chunk";
	char rel[512];
	size_t len;
	uint8_t *bin;
	cJSON *want;
	const char *err;
	run_result r;
	tbuf t = { 0 };

	(void)state;
	snprintf(rel, sizeof(rel), "%s/response.body", dir);
	bin = (uint8_t *)harness_read_vector(rel, &len);
	assert_non_null(bin);
	snprintf(rel, sizeof(rel), "%s/expected.json", dir);
	want = read_json_vector(rel);
	err = cJSON_GetObjectItemCaseSensitive(want, "error")->valuestring;
	run(&r, &t, bin, len, len, 0);
	assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
	assert_int_equal(r.count, 0);
	if (strncmp(r.errmsg, err, strlen(err)))
		fail_msg("got \"%s\", want \"%s\"", r.errmsg, err);
	check_all_splits(bin, len, &r, &t, 1);
	tbuf_free(&t);
	cJSON_Delete(want);
	free(bin);
}

/* Encodes a frame with the three usual Bedrock headers. */
static size_t event_frame(uint8_t *dst, size_t cap, const char *mtype, const char *name,
			  const char *value, const char *payload)
{
	bedrock_es_header h[4];
	size_t n = 0, out;

	h[n++] = str_header(":message-type", mtype);
	if (name)
		h[n++] = str_header(name, value);
	h[n++] = str_header(":content-type", "application/json");
	assert_int_equal(bedrock_es_encode(&out, dst, cap, h, n, payload, strlen(payload)), 0);
	return out;
}

static size_t chunk_frame(uint8_t *dst, size_t cap, const char *payload)
{
	return event_frame(dst, cap, "event", ":event-type", "chunk", payload);
}

static void test_eventstream__reader_exceptions(void **state)
{
	static const struct {
		const char *mtype, *type, *payload;
		int rc;
		const char *name, *message, *orig;
		int status;
		bedrock_event_kind kind;
	} cases[] = {
		{ "exception", "throttlingException", "{\"message\":\"Too many requests, please wait.\"}",
		  BEDROCK_ETHROTTLED, "ThrottlingException", "Too many requests, please wait.", NULL, 0,
		  BEDROCK_EVENT_EXCEPTION },
		{ "exception", "modelTimeoutException", "{\"message\":\"Model timed out\"}",
		  BEDROCK_ETIMEOUT, "ModelTimeoutException", "Model timed out", NULL, 0,
		  BEDROCK_EVENT_EXCEPTION },
		{ "exception", "modelStreamErrorException",
		  "{\"message\":\"stream error\",\"originalStatusCode\":429,\"originalMessage\":\"busy\"}",
		  BEDROCK_ESERVICE, "ModelStreamErrorException", "stream error", "busy", 429,
		  BEDROCK_EVENT_EXCEPTION },
		{ "exception", "validationException", "{\"Message\":\"bad input\"}",
		  BEDROCK_ESERVICE, "ValidationException", "bad input", NULL, 0, BEDROCK_EVENT_EXCEPTION },
		{ "exception", "internalServerException", "not json",
		  BEDROCK_ESERVICE, "InternalServerException", "not json", NULL, 0, BEDROCK_EVENT_EXCEPTION },
		{ "exception", "serviceUnavailableException", "{}",
		  BEDROCK_ESERVICE, "ServiceUnavailableException", NULL, NULL, 0, BEDROCK_EVENT_EXCEPTION },
		{ "error", NULL, "", BEDROCK_ESERVICE, "InternalFailure", "something broke", NULL, 0,
		  BEDROCK_EVENT_ERROR },
		{ "error", NULL, "", BEDROCK_ETHROTTLED, "ThrottlingException", "slow down", NULL, 0,
		  BEDROCK_EVENT_ERROR },
	};
	uint8_t buf[4096];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bedrock_event_reader *r;
		bedrock_event ev;
		size_t n = 0, first;
		char want[256];
		bedrock_es_header h[4];
		int rc;

		first = n = chunk_frame(buf, sizeof(buf),
					"{\"bytes\":\"eyJ0eXBlIjoicGluZyJ9\"}"); /* {"type":"ping"} */
		if (cases[i].type) {
			n += event_frame(buf + n, sizeof(buf) - n, cases[i].mtype, ":exception-type",
					 cases[i].type, cases[i].payload);
		} else {
			size_t out;

			h[0] = str_header(":message-type", "error");
			h[1] = str_header(":error-code", cases[i].name);
			h[2] = str_header(":error-message", cases[i].message);
			assert_int_equal(bedrock_es_encode(&out, buf + n, sizeof(buf) - n, h, 3, NULL, 0), 0);
			n += out;
		}
		n += chunk_frame(buf + n, sizeof(buf) - n, "{\"bytes\":\"eyJ0eXBlIjoicGluZyJ9\"}");

		assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
		assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
		assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
		assert_string_equal(ev.type, "ping");
		assert_null(bedrock_event_reader_exception_type(r));
		rc = bedrock_event_reader_next(&ev, r);
		assert_int_equal(rc, cases[i].rc);
		assert_int_equal(ev.kind, cases[i].kind);
		assert_non_null(ev.message);
		assert_string_equal(ev.event_type, "");
		assert_string_equal(bedrock_event_reader_exception_name(r), cases[i].name);
		if (cases[i].type)
			assert_string_equal(bedrock_event_reader_exception_type(r), cases[i].type);
		else
			assert_string_equal(bedrock_event_reader_exception_type(r), cases[i].name);
		if (cases[i].message)
			assert_string_equal(bedrock_event_reader_exception_message(r), cases[i].message);
		else
			assert_null(bedrock_event_reader_exception_message(r));
		if (cases[i].orig)
			assert_string_equal(bedrock_event_reader_original_message(r), cases[i].orig);
		else
			assert_null(bedrock_event_reader_original_message(r));
		assert_int_equal(bedrock_event_reader_original_status(r), cases[i].status);
		assert_int_equal(bedrock_event_reader_error_offset(r), first);
		snprintf(want, sizeof(want), "%s at offset %zu: %s", cases[i].name, first,
			 cases[i].message ? cases[i].message : "(no message)");
		assert_string_equal(bedrock_event_reader_errmsg(r), want);
		/* Not sticky: the frame after it still decodes, and the
		 * exception is forgotten. */
		assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
		assert_string_equal(ev.type, "ping");
		assert_null(bedrock_event_reader_exception_type(r));
		assert_null(bedrock_event_reader_exception_name(r));
		assert_string_equal(bedrock_event_reader_errmsg(r), "");
		assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_EAGAIN);
		assert_int_equal(bedrock_event_reader_finish(r), 0);
		bedrock_event_reader_free(r);
	}
}

static void test_eventstream__reader_bad_chunks(void **state)
{
	static const struct {
		const char *payload, *err;
	} cases[] = {
		{ "not json", "chunk payload is not a JSON object" },
		{ "[1,2]", "chunk payload is not a JSON object" },
		{ "{\"p\":\"abc\"}", "chunk payload has no \"bytes\" string" },
		{ "{\"bytes\":42}", "chunk payload has no \"bytes\" string" },
		{ "{\"bytes\":\"abc\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"ab=c\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"a===\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\" YWJj\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"YWJj    \"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"YW\\nJj\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"YWJ*\"}", "chunk \"bytes\" is not valid base64" },
		{ "{\"bytes\":\"YWJj\"}", "chunk event is not a JSON object" },   /* "abc" */
		{ "{\"bytes\":\"\"}", "chunk event is not a JSON object" },
		{ "{\"bytes\":\"WzFd\"}", "chunk event is not a JSON object" },   /* "[1]" */
		{ "{\"bytes\":\"e314\"}", "chunk event is not a JSON object" },   /* "{}x" */
		{ "{\"bytes\":\"e30=\"} x", "chunk payload is not a JSON object" },
	};
	uint8_t buf[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bedrock_event_reader *r;
		bedrock_event ev;
		size_t n, first;
		char want[256];

		first = n = chunk_frame(buf, sizeof(buf), "{\"bytes\":\"e30=\",\"p\":\"x\"}"); /* {} */
		n += chunk_frame(buf + n, sizeof(buf) - n, cases[i].payload);
		assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
		assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
		assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
		assert_string_equal(ev.json, "{}");
		assert_string_equal(ev.type, "");
		assert_null(ev.text);
		assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_EPROTOCOL);
		snprintf(want, sizeof(want), "%s at offset %zu", cases[i].err, first);
		if (strcmp(bedrock_event_reader_errmsg(r), want))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, bedrock_event_reader_errmsg(r), want);
		assert_int_equal(bedrock_event_reader_error_offset(r), first);
		/* Sticky. */
		assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_EPROTOCOL);
		assert_int_equal(bedrock_event_reader_feed(r, buf, first), BEDROCK_EPROTOCOL);
		assert_int_equal(bedrock_event_reader_finish(r), BEDROCK_EPROTOCOL);
		bedrock_event_reader_reset(r);
		assert_string_equal(bedrock_event_reader_errmsg(r), "");
		assert_int_equal(bedrock_event_reader_feed(r, buf, first), 0);
		assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
		assert_int_equal(bedrock_event_reader_finish(r), 0);
		bedrock_event_reader_free(r);
	}
}

static void test_eventstream__reader_text_kinds(void **state)
{
	static const struct {
		const char *event_type, *payload, *type, *text;
	} cases[] = {
		/* {"type":"content_block_delta","delta":{"type":"text_delta","text":"Hi"}} */
		{ "chunk", "{\"bytes\":\"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSIsImRlbHRhIjp7InR5cGUiOiJ0ZXh0X2RlbHRhIiwidGV4dCI6IkhpIn19\"}",
		  "content_block_delta", "Hi" },
		/* {"type":"content_block_delta","delta":{"type":"input_json_delta","partial_json":"{"}} */
		{ "chunk", "{\"bytes\":\"eyJ0eXBlIjoiY29udGVudF9ibG9ja19kZWx0YSIsImRlbHRhIjp7InR5cGUiOiJpbnB1dF9qc29uX2RlbHRhIiwicGFydGlhbF9qc29uIjoieyJ9fQ==\"}",
		  "content_block_delta", NULL },
		/* {"completion":" Hello","stop_reason":null} */
		{ "chunk", "{\"bytes\":\"eyJjb21wbGV0aW9uIjoiIEhlbGxvIiwic3RvcF9yZWFzb24iOm51bGx9\",\"p\":\"ab\"}",
		  "", " Hello" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"text\":\"Bonjour\"}}", NULL, "Bonjour" },
		{ "contentBlockDelta", "{\"contentBlockIndex\":0,\"delta\":{\"reasoningContent\":{\"text\":\"hmm\"}}}", NULL, NULL },
		{ "messageStop", "{\"stopReason\":\"end_turn\"}", NULL, NULL },
	};
	uint8_t buf[1024];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		bedrock_event_reader *r;
		bedrock_event ev;

		n = event_frame(buf, sizeof(buf), "event", ":event-type", cases[i].event_type,
				cases[i].payload);
		assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
		assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
		assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
		assert_int_equal(ev.kind, BEDROCK_EVENT_EVENT);
		assert_string_equal(ev.event_type, cases[i].event_type);
		if (cases[i].type)
			assert_string_equal(ev.type, cases[i].type);
		else
			assert_null(ev.type);
		if (cases[i].text) {
			assert_non_null(ev.text);
			assert_bytes_equal(ev.text, ev.text_len, cases[i].text, strlen(cases[i].text));
		} else {
			assert_null(ev.text);
		}
		if (!strcmp(cases[i].event_type, "chunk"))
			assert_int_equal(ev.json[0], '{');
		else
			assert_string_equal(ev.json, cases[i].payload);
		bedrock_event_reader_free(r);
	}
}

static void test_eventstream__reader_message_types(void **state)
{
	uint8_t buf[256];
	size_t n;
	bedrock_event_reader *r;
	bedrock_event ev;
	bedrock_es_header h = str_header(":event-type", "messageStart");

	(void)state;
	/* No :message-type: treated as an event. */
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), &h, 1, "{}", 2), 0);
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
	assert_string_equal(ev.event_type, "messageStart");
	assert_string_equal(ev.json, "{}");
	bedrock_event_reader_free(r);

	n = event_frame(buf, sizeof(buf), "bogus", ":event-type", "chunk", "{}");
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_EPROTOCOL);
	assert_string_equal(bedrock_event_reader_errmsg(r), "unknown :message-type at offset 0");
	bedrock_event_reader_free(r);

	/* Whitespace after the JSON value is fine, on both layers. */
	n = chunk_frame(buf, sizeof(buf), "{\"bytes\":\"e30K\"} \n"); /* "{}\n" */
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, r), 0);
	assert_string_equal(ev.json, "{}\n");
	bedrock_event_reader_free(r);

	/* Truncated stream through the reader. */
	n = chunk_frame(buf, sizeof(buf), "{\"bytes\":\"e30=\"}");
	assert_int_equal(bedrock_event_reader_new(&r, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(r, buf, n - 1), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_EAGAIN);
	assert_int_equal(bedrock_event_reader_finish(r), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(bedrock_event_reader_errmsg(r), "stream ended mid-frame at offset 0"));
	bedrock_event_reader_free(r);

	{
		bedrock_event_reader_options o = BEDROCK_EVENT_READER_OPTIONS_INIT;

		o.version = 7;
		assert_int_equal(bedrock_event_reader_new(&r, &o), BEDROCK_EINVAL);
		o.version = BEDROCK_EVENT_READER_OPTIONS_VERSION;
		o.decoder.max_payload_len = 4;
		assert_int_equal(bedrock_event_reader_new(&r, &o), 0);
		assert_int_equal(bedrock_event_reader_feed(r, buf, n), 0);
		assert_int_equal(bedrock_event_reader_next(&ev, r), BEDROCK_ELIMIT);
		bedrock_event_reader_free(r);
		bedrock_event_reader_free(NULL);
	}
}

static void test_eventstream__reader_allocation_failures(void **state)
{
	uint8_t buf[2048];
	size_t n = 0, k, failures = 0;

	(void)state;
	n += chunk_frame(buf + n, sizeof(buf) - n,
			 "{\"bytes\":\"eyJjb21wbGV0aW9uIjoiIEhlbGxvIiwic3RvcF9yZWFzb24iOm51bGx9\"}");
	n += event_frame(buf + n, sizeof(buf) - n, "event", ":event-type", "contentBlockDelta",
			 "{\"delta\":{\"text\":\"x\"}}");
	n += event_frame(buf + n, sizeof(buf) - n, "exception", ":exception-type",
			 "modelStreamErrorException",
			 "{\"message\":\"m\",\"originalStatusCode\":500,\"originalMessage\":\"o\"}");
	for (k = 1;; k++) {
		bedrock_event_reader *r = NULL;
		bedrock_event ev;
		size_t pos, events = 0;
		int rc;

		harness_fail_allocation(k);
		rc = bedrock_event_reader_new(&r, NULL);
		for (pos = 0; rc == 0 && pos < n; pos += 50) {
			rc = bedrock_event_reader_feed(r, buf + pos, n - pos < 50 ? n - pos : 50);
			while (rc == 0 || rc == BEDROCK_ESERVICE) {
				rc = bedrock_event_reader_next(&ev, r);
				events += rc == 0 || rc == BEDROCK_ESERVICE;
			}
			if (rc == BEDROCK_EAGAIN)
				rc = 0;
		}
		harness_fail_allocation(0);
		bedrock_event_reader_free(r);
		assert_int_equal(harness_live_allocations(), 0);
		if (rc == 0) {
			assert_int_equal(events, 3);
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
		cmocka_unit_test_setup_teardown(test_eventstream__reader_recorded_streams, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_negative_stream, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_exceptions, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_bad_chunks, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_text_kinds, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_message_types, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__reader_allocation_failures, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
