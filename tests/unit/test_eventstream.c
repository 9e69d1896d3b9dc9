/* The raw event-stream decoder and encoder: aws-sdk-go vectors, recorded
 * Bedrock streams, every split point, limits, malformed frames, torture. */
#include "eventstream_helpers.h"

typedef struct {
	int rc;            /* 0 = finished cleanly, else the error */
	size_t count;      /* messages decoded */
	char errmsg[256];
	uint64_t err_offset;
} run_result;

/* Feeds data in pieces (each copied into its own short-lived buffer, so a
 * decoder that kept a stale pointer trips ASan), draining after each; then
 * finishes. Pieces: cut at `split` if step == 0, else `step` bytes each. */
static void run(run_result *res, tbuf *t, const bedrock_es_decoder_options *opts,
		const uint8_t *data, size_t len, size_t split, size_t step)
{
	bedrock_es_decoder *d;
	bedrock_es_message m;
	size_t pos = 0;
	int rc = 0;

	memset(res, 0, sizeof(*res));
	assert_int_equal(bedrock_es_decoder_new(&d, opts), 0);
	while (pos < len) {
		size_t n = step ? step : (pos < split ? split - pos : len - pos);
		uint8_t *piece;

		if (n > len - pos)
			n = len - pos;
		piece = malloc(n ? n : 1);
		assert_non_null(piece);
		memcpy(piece, data + pos, n);
		rc = bedrock_es_decoder_feed(d, piece, n);
		while (rc == 0) {
			rc = bedrock_es_decoder_next(&m, d);
			if (rc == 0) {
				res->count++;
				if (t)
					transcript_message(t, &m);
			}
		}
		memset(piece, 0xAA, n);
		free(piece);
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0)
		rc = bedrock_es_decoder_finish(d);
	res->rc = rc;
	snprintf(res->errmsg, sizeof(res->errmsg), "%s", bedrock_es_decoder_errmsg(d));
	res->err_offset = bedrock_es_decoder_error_offset(d);
	if (rc) {
		/* Sticky. */
		assert_int_equal(bedrock_es_decoder_next(&m, d), rc);
		assert_int_equal(bedrock_es_decoder_feed(d, "x", 1), rc);
		assert_int_equal(bedrock_es_decoder_finish(d), rc);
	}
	bedrock_es_decoder_free(d);
}

/* Whole, at every split point and byte by byte: identical results. */
static void check_all_splits(const uint8_t *data, size_t len, const run_result *want,
			     const tbuf *want_t)
{
	size_t k;
	run_result r;
	tbuf t = { 0 };

	for (k = 0; k <= len + 1; k++) {
		t.len = 0;
		if (k <= len)
			run(&r, &t, NULL, data, len, k, 0);
		else
			run(&r, &t, NULL, data, len, 0, 1);
		if (r.rc != want->rc || r.count != want->count || strcmp(r.errmsg, want->errmsg) ||
		    t.len != want_t->len || (t.len && memcmp(t.p, want_t->p, t.len)))
			fail_msg("split %zu of %zu: rc %d count %zu \"%s\", want rc %d count %zu \"%s\"",
				 k, len, r.rc, r.count, r.errmsg, want->rc, want->count, want->errmsg);
	}
	tbuf_free(&t);
}

static int64_t json_int(const cJSON *o, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(o, key);

	assert_true(cJSON_IsNumber(it));
	return (int64_t)it->valuedouble;
}

static void check_header_value(const bedrock_es_header *h, int type, const cJSON *v, int b64)
{
	uint8_t *bin;
	size_t len;

	assert_int_equal(h->type, type);
	switch (type) {
	case BEDROCK_ES_BOOL_TRUE:
	case BEDROCK_ES_BOOL_FALSE:
		assert_int_equal(h->value.boolean, cJSON_IsTrue(v));
		assert_int_equal(h->value.boolean, type == BEDROCK_ES_BOOL_TRUE);
		break;
	case BEDROCK_ES_BYTE: assert_int_equal(h->value.byte, (int64_t)v->valuedouble); break;
	case BEDROCK_ES_SHORT: assert_int_equal(h->value.i16, (int64_t)v->valuedouble); break;
	case BEDROCK_ES_INTEGER: assert_int_equal(h->value.i32, (int64_t)v->valuedouble); break;
	case BEDROCK_ES_LONG:
	case BEDROCK_ES_TIMESTAMP: assert_int_equal(h->value.i64, (int64_t)v->valuedouble); break;
	case BEDROCK_ES_STRING:
		if (!b64) {
			assert_true(cJSON_IsString(v));
			assert_bytes_equal(h->value.bytes.ptr, h->value.bytes.len,
					   v->valuestring, strlen(v->valuestring));
			break;
		}
		/* aws-sdk-go vectors base64 their strings */
		/* fall through */
	case BEDROCK_ES_BYTES:
		bin = harness_base64_decode(v->valuestring, &len);
		assert_non_null(bin);
		assert_bytes_equal(h->value.bytes.ptr, h->value.bytes.len, bin, len);
		free(bin);
		break;
	case BEDROCK_ES_UUID:
		bin = harness_base64_decode(v->valuestring, &len);
		assert_non_null(bin);
		assert_bytes_equal(h->value.uuid, 16, bin, len);
		free(bin);
		break;
	default:
		fail_msg("unexpected type %d", type);
	}
}

/* One message against an aws-sdk-go decoded/positive JSON file. */
static void check_sdk_message(const bedrock_es_message *m, const cJSON *want)
{
	const cJSON *hs = cJSON_GetObjectItemCaseSensitive(want, "headers"), *h;
	size_t i = 0, len;
	uint8_t *payload;

	assert_int_equal(m->total_length, json_int(want, "total_length"));
	assert_int_equal(m->headers_length, json_int(want, "headers_length"));
	/* The Go vectors store CRCs as signed int32. */
	assert_int_equal(m->prelude_crc, (uint32_t)(int32_t)json_int(want, "prelude_crc"));
	assert_int_equal(m->message_crc, (uint32_t)(int32_t)json_int(want, "message_crc"));
	assert_int_equal(m->header_count, cJSON_GetArraySize(hs));
	cJSON_ArrayForEach(h, hs) {
		const char *name = cJSON_GetObjectItemCaseSensitive(h, "name")->valuestring;

		assert_bytes_equal(m->headers[i].name, m->headers[i].name_len, name, strlen(name));
		assert_ptr_equal(bedrock_es_message_header(m, name), &m->headers[i]);
		check_header_value(&m->headers[i], (int)json_int(h, "type"),
				   cJSON_GetObjectItemCaseSensitive(h, "value"), 1);
		i++;
	}
	payload = harness_base64_decode(
		cJSON_GetObjectItemCaseSensitive(want, "payload")->valuestring, &len);
	assert_bytes_equal(m->payload, m->payload_len, payload, len);
	free(payload);
}

static uint8_t *read_bin(const char *rel, size_t *len)
{
	uint8_t *p = (uint8_t *)harness_read_vector(rel, len);

	if (!p)
		fail_msg("cannot read %s", rel);
	return p;
}

static void test_eventstream__positive_vectors(void **state)
{
	char path[4096], **names;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/eventstream/decoded/positive", harness_vectors());
	names = harness_list_dir(path);
	assert_non_null(names);
	for (i = 0; names[i]; i++) {
		char rel[512];
		size_t len, out_len;
		uint8_t *bin, *re;
		cJSON *want;
		bedrock_es_decoder *d;
		bedrock_es_message m;
		run_result r;
		tbuf t = { 0 };

		snprintf(rel, sizeof(rel), "eventstream/encoded/positive/%s", names[i]);
		bin = read_bin(rel, &len);
		snprintf(rel, sizeof(rel), "eventstream/decoded/positive/%s", names[i]);
		want = read_json_vector(rel);

		assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
		assert_int_equal(bedrock_es_decoder_feed(d, bin, len), 0);
		assert_int_equal(bedrock_es_decoder_next(&m, d), 0);
		check_sdk_message(&m, want);

		/* Re-encoding the decoded message gives the same bytes. */
		re = malloc(len);
		assert_int_equal(bedrock_es_encoded_size(&out_len, m.headers, m.header_count,
							 m.payload_len), 0);
		assert_int_equal(out_len, len);
		assert_int_equal(bedrock_es_encode(&out_len, re, len, m.headers, m.header_count,
						   m.payload, m.payload_len), 0);
		assert_bytes_equal(re, out_len, bin, len);
		free(re);

		assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_EAGAIN);
		assert_int_equal(bedrock_es_decoder_finish(d), 0);
		assert_string_equal(bedrock_es_decoder_errmsg(d), "");
		bedrock_es_decoder_free(d);

		run(&r, &t, NULL, bin, len, len, 0);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.count, 1);
		check_all_splits(bin, len, &r, &t);
		tbuf_free(&t);
		cJSON_Delete(want);
		free(bin);
	}
	assert_int_equal(i, 5);
	harness_free_list(names);
}

static void test_eventstream__negative_vectors(void **state)
{
	char path[4096], **names;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/eventstream/decoded/negative", harness_vectors());
	names = harness_list_dir(path);
	assert_non_null(names);
	for (i = 0; names[i]; i++) {
		char rel[512], *expect, want_msg[128];
		size_t len;
		uint8_t *bin;
		run_result r;
		tbuf t = { 0 };

		snprintf(rel, sizeof(rel), "eventstream/encoded/negative/%s", names[i]);
		bin = read_bin(rel, &len);
		snprintf(rel, sizeof(rel), "eventstream/decoded/negative/%s", names[i]);
		expect = harness_read_vector(rel, NULL);
		assert_non_null(expect);
		/* aws-sdk-go says "Prelude checksum mismatch"; we say which CRC. */
		if (!strncmp(expect, "Prelude checksum mismatch", 25))
			snprintf(want_msg, sizeof(want_msg), "prelude CRC mismatch at offset 0 (");
		else if (!strncmp(expect, "Message checksum mismatch", 25))
			snprintf(want_msg, sizeof(want_msg), "message CRC mismatch at offset 0 (");
		else
			fail_msg("unexpected vector error \"%s\"", expect);

		run(&r, &t, NULL, bin, len, len, 0);
		assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
		assert_int_equal(r.count, 0);
		assert_int_equal(r.err_offset, 0);
		if (strncmp(r.errmsg, want_msg, strlen(want_msg)))
			fail_msg("%s: got \"%s\", want \"%s...\"", names[i], r.errmsg, want_msg);
		check_all_splits(bin, len, &r, &t);
		tbuf_free(&t);
		free(expect);
		free(bin);
	}
	assert_int_equal(i, 4);
	harness_free_list(names);
}

static void check_recorded_frame(const bedrock_es_message *m, const cJSON *want)
{
	const cJSON *hs = cJSON_GetObjectItemCaseSensitive(want, "headers"), *h;
	const cJSON *pj = cJSON_GetObjectItemCaseSensitive(want, "payload_json");
	const cJSON *pb = cJSON_GetObjectItemCaseSensitive(want, "payload_base64");

	assert_int_equal(m->total_length, json_int(want, "total_length"));
	assert_int_equal(m->headers_length, json_int(want, "headers_length"));
	assert_int_equal(m->prelude_crc, json_int(want, "prelude_crc"));
	assert_int_equal(m->message_crc, json_int(want, "message_crc"));
	assert_int_equal(m->header_count, cJSON_GetArraySize(hs));
	cJSON_ArrayForEach(h, hs) {
		const bedrock_es_header *got = bedrock_es_message_header(m, h->string);

		assert_non_null(got);
		check_header_value(got, (int)json_int(h, "type"),
				   cJSON_GetObjectItemCaseSensitive(h, "value"), 0);
	}
	if (pj) {
		cJSON *p = cJSON_ParseWithLength((const char *)m->payload, m->payload_len);

		assert_non_null(p);
		assert_true(cJSON_Compare(p, pj, 1));
		cJSON_Delete(p);
	} else {
		size_t len;
		uint8_t *bin;

		assert_non_null(pb);
		bin = harness_base64_decode(pb->valuestring, &len);
		assert_bytes_equal(m->payload, m->payload_len, bin, len);
		free(bin);
	}
}

static void test_eventstream__recorded_streams(void **state)
{
	char **dirs = stream_dirs();
	size_t i, streams = 0;

	(void)state;
	for (i = 0; dirs[i]; i++) {
		char rel[512];
		size_t len, k = 0;
		uint8_t *bin;
		cJSON *want, *frames;
		bedrock_es_decoder *d;
		bedrock_es_message m;
		run_result r;
		tbuf t = { 0 };
		int rc;

		snprintf(rel, sizeof(rel), "bedrock/%s/response.body", dirs[i]);
		bin = read_bin(rel, &len);
		snprintf(rel, sizeof(rel), "bedrock/%s/expected.json", dirs[i]);
		want = read_json_vector(rel);
		frames = cJSON_GetObjectItemCaseSensitive(want, "frames");

		assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
		assert_int_equal(bedrock_es_decoder_feed(d, bin, len), 0);
		while ((rc = bedrock_es_decoder_next(&m, d)) == 0) {
			assert_true(k < (size_t)cJSON_GetArraySize(frames));
			check_recorded_frame(&m, cJSON_GetArrayItem(frames, (int)k));
			k++;
		}
		assert_int_equal(rc, BEDROCK_EAGAIN);
		assert_int_equal(k, cJSON_GetArraySize(frames));
		assert_int_equal(bedrock_es_decoder_finish(d), 0);
		bedrock_es_decoder_free(d);

		run(&r, &t, NULL, bin, len, len, 0);
		assert_int_equal(r.rc, 0);
		assert_int_equal(r.count, k);
		check_all_splits(bin, len, &r, &t);
		tbuf_free(&t);
		cJSON_Delete(want);
		free(bin);
		streams++;
	}
	assert_int_equal(streams, 12);
	for (i = 0; dirs[i]; i++)
		free(dirs[i]);
	free(dirs);
}

static void test_eventstream__negative_recorded_stream(void **state)
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
	bin = read_bin(rel, &len);
	snprintf(rel, sizeof(rel), "%s/expected.json", dir);
	want = read_json_vector(rel);
	err = cJSON_GetObjectItemCaseSensitive(want, "error")->valuestring;
	run(&r, &t, NULL, bin, len, len, 0);
	assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
	if (strncmp(r.errmsg, err, strlen(err)))
		fail_msg("got \"%s\", want \"%s\"", r.errmsg, err);
	check_all_splits(bin, len, &r, &t);
	tbuf_free(&t);
	cJSON_Delete(want);
	free(bin);
}

static uint8_t *recorded(const char *name, size_t *len)
{
	char rel[512];

	snprintf(rel, sizeof(rel), "bedrock/%s/response.body", name);
	return read_bin(rel, len);
}

#define DEMO "newrelic__invoke_stream__anthropic.claude-3-sonnet-20240229-v1_3A0__What_is_212_degrees_Fahrenheit_converted"

static void test_eventstream__truncated(void **state)
{
	size_t len, cut, starts[64], n = 0, off = 0;
	uint8_t *bin = recorded(DEMO, &len);

	(void)state;
	while (off < len) {
		starts[n++] = off;
		off += (size_t)bin[off] << 24 | (size_t)bin[off + 1] << 16 |
		       (size_t)bin[off + 2] << 8 | bin[off + 3];
	}
	assert_int_equal(off, len);
	/* Cut inside the prelude, the headers, the payload, the CRC. */
	for (cut = 1; cut < len; cut++) {
		run_result r;
		size_t k = 0;
		char want[128];

		while (k + 1 < n && starts[k + 1] <= cut)
			k++;
		run(&r, NULL, NULL, bin, cut, cut, 0);
		if (cut == starts[k]) {
			assert_int_equal(r.rc, 0);
			assert_int_equal(r.count, k);
			continue;
		}
		assert_int_equal(r.rc, BEDROCK_EPROTOCOL);
		assert_int_equal(r.count, k);
		assert_int_equal(r.err_offset, starts[k]);
		snprintf(want, sizeof(want), "stream ended mid-frame at offset %zu (%zu bytes",
			 starts[k], cut - starts[k]);
		if (strncmp(r.errmsg, want, strlen(want)))
			fail_msg("cut %zu: \"%s\", want \"%s\"", cut, r.errmsg, want);
	}
	free(bin);
}

static void test_eventstream__empty_input(void **state)
{
	bedrock_es_decoder *d;
	bedrock_es_message m;

	(void)state;
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_EAGAIN);
	assert_int_equal(bedrock_es_decoder_feed(d, NULL, 0), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_EAGAIN);
	assert_int_equal(bedrock_es_decoder_finish(d), 0);
	bedrock_es_decoder_free(d);
	bedrock_es_decoder_free(NULL);
}

/* A prelude claiming `total` and `hlen`, with a valid prelude CRC. */
static void prelude(uint8_t *p, uint32_t total, uint32_t hlen)
{
	uint32_t c;

	p[0] = (uint8_t)(total >> 24); p[1] = (uint8_t)(total >> 16);
	p[2] = (uint8_t)(total >> 8); p[3] = (uint8_t)total;
	p[4] = (uint8_t)(hlen >> 24); p[5] = (uint8_t)(hlen >> 16);
	p[6] = (uint8_t)(hlen >> 8); p[7] = (uint8_t)hlen;
	c = (uint32_t)crc32(0, p, 8);
	p[8] = (uint8_t)(c >> 24); p[9] = (uint8_t)(c >> 16);
	p[10] = (uint8_t)(c >> 8); p[11] = (uint8_t)c;
}

static int decode_one(const bedrock_es_decoder_options *o, const uint8_t *p, size_t len,
		      char *msg, size_t msg_len)
{
	bedrock_es_decoder *d;
	bedrock_es_message m;
	int rc;

	assert_int_equal(bedrock_es_decoder_new(&d, o), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, p, len), 0);
	rc = bedrock_es_decoder_next(&m, d);
	if (msg)
		snprintf(msg, msg_len, "%s", bedrock_es_decoder_errmsg(d));
	bedrock_es_decoder_free(d);
	return rc;
}

static void test_eventstream__limits(void **state)
{
	uint8_t p[12 + 64] = { 0 }, big[64];
	bedrock_es_decoder_options o = BEDROCK_ES_DECODER_OPTIONS_INIT;
	bedrock_es_decoder *d;
	bedrock_es_message m;
	char msg[256];
	size_t before, n;

	(void)state;
	/* Rejected from the 12-byte prelude alone, before any allocation. */
	prelude(p, 16 + BEDROCK_ES_MAX_HEADERS_LEN + 1, BEDROCK_ES_MAX_HEADERS_LEN + 1);
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	before = harness_allocation_count();
	assert_int_equal(bedrock_es_decoder_feed(d, p, 12), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_ELIMIT);
	assert_int_equal(harness_allocation_count(), before);
	assert_non_null(strstr(bedrock_es_decoder_errmsg(d), "headers too long at offset 0"));
	bedrock_es_decoder_free(d);

	prelude(p, 16 + BEDROCK_ES_MAX_PAYLOAD_LEN + 1, 0);
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	before = harness_allocation_count();
	assert_int_equal(bedrock_es_decoder_feed(d, p, 12), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_ELIMIT);
	assert_int_equal(harness_allocation_count(), before);
	assert_non_null(strstr(bedrock_es_decoder_errmsg(d), "payload too long at offset 0"));
	bedrock_es_decoder_free(d);

	/* Exactly at the limits: accepted (needs more input). */
	prelude(p, 16 + BEDROCK_ES_MAX_PAYLOAD_LEN + BEDROCK_ES_MAX_HEADERS_LEN,
		BEDROCK_ES_MAX_HEADERS_LEN);
	assert_int_equal(decode_one(NULL, p, 12, NULL, 0), BEDROCK_EAGAIN);
	prelude(p, 0xFFFFFFFFu, 0);
	assert_int_equal(decode_one(NULL, p, 12, NULL, 0), BEDROCK_ELIMIT);

	/* Lower limits through the options. */
	o.max_payload_len = 10;
	o.max_headers_len = 4;
	assert_int_equal(bedrock_es_encode(&n, big, sizeof(big), NULL, 0, "0123456789", 10), 0);
	assert_int_equal(decode_one(&o, big, n, NULL, 0), 0);
	assert_int_equal(bedrock_es_encode(&n, big, sizeof(big), NULL, 0, "0123456789X", 11), 0);
	assert_int_equal(decode_one(&o, big, n, msg, sizeof(msg)), BEDROCK_ELIMIT);
	assert_non_null(strstr(msg, "exceeds the limit of 10"));
	{
		bedrock_es_header h = str_header("a", "b");

		assert_int_equal(bedrock_es_encode(&n, big, sizeof(big), &h, 1, NULL, 0), 0);
		assert_int_equal(decode_one(&o, big, n, NULL, 0), BEDROCK_ELIMIT);
	}
	o.version = 99;
	assert_int_equal(bedrock_es_decoder_new(&d, &o), BEDROCK_EINVAL);
	assert_null(d);
	assert_int_equal(bedrock_es_decoder_new(NULL, NULL), BEDROCK_EINVAL);
}

static void test_eventstream__bad_lengths(void **state)
{
	uint8_t p[64];
	char msg[256];

	(void)state;
	prelude(p, 15, 0);
	memset(p + 12, 0, 4);
	assert_int_equal(decode_one(NULL, p, 16, msg, sizeof(msg)), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(msg, "message too short at offset 0"));
	prelude(p, 20, 5);
	assert_int_equal(decode_one(NULL, p, 20, msg, sizeof(msg)), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(msg, "headers do not fit in the message at offset 0"));
	prelude(p, 0, 0);
	assert_int_equal(decode_one(NULL, p, 16, NULL, 0), BEDROCK_EPROTOCOL);
}

static void test_eventstream__malformed_headers(void **state)
{
	static const struct {
		const char *hdr;
		size_t len;
		const char *err;
	} cases[] = {
		{ "\x01" "a" "\x0a", 3, "unknown header value type at offset 0 (type 10" },
		{ "\x01" "a" "\xff", 3, "unknown header value type" },
		{ "\x00" "\x00", 2, "empty header name at offset 0" },
		{ "\x05" "ab", 3, "header runs past the headers section" },
		{ "\x01" "a", 2, "header runs past the headers section" },
		{ "\x01" "a" "\x07" "\x00", 4, "header runs past the headers section" },
		{ "\x01" "a" "\x07" "\x00\x05" "abc", 8, "header runs past the headers section" },
		{ "\x01" "a" "\x04" "\x00\x00", 5, "header runs past the headers section" },
		{ "\x01" "a" "\x09" "0123456789abcde", 18, "header runs past the headers section" },
		{ "\x01" "a" "\x00" "\x01" "a" "\x01", 6, "duplicate header name at offset 0 (\"a\")" },
	};
	uint8_t frame[128];
	size_t i, n;
	char msg[256];

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = raw_frame(frame, cases[i].hdr, (uint32_t)cases[i].len, "{}", 2);
		assert_int_equal(decode_one(NULL, frame, n, msg, sizeof(msg)), BEDROCK_EPROTOCOL);
		if (!strstr(msg, cases[i].err))
			fail_msg("case %zu: \"%s\", want \"%s\"", i, msg, cases[i].err);
	}
}

static void test_eventstream__duplicates_among_many(void **state)
{
	bedrock_es_header h[300];
	char names[300][8];
	uint8_t *buf = malloc(65536);
	size_t i, n;
	char msg[256];

	(void)state;
	for (i = 0; i < 300; i++) {
		snprintf(names[i], sizeof(names[i]), "h%zu", i);
		h[i] = str_header(names[i], "v");
	}
	assert_int_equal(bedrock_es_encode(&n, buf, 65536, h, 300, "x", 1), 0);
	assert_int_equal(decode_one(NULL, buf, n, NULL, 0), 0);
	h[299] = str_header("h17", "other");
	assert_int_equal(bedrock_es_encode(&n, buf, 65536, h, 300, "x", 1), 0);
	assert_int_equal(decode_one(NULL, buf, n, msg, sizeof(msg)), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(msg, "duplicate header name at offset 0 (\"h17\")"));
	/* Same name but a different length is not a duplicate. */
	h[299] = str_header("h1", "v");
	h[298] = str_header("h1x", "v");
	assert_int_equal(bedrock_es_encode(&n, buf, 65536, h, 300, "x", 1), BEDROCK_OK);
	assert_int_equal(decode_one(NULL, buf, n, NULL, 0), BEDROCK_EPROTOCOL);
	h[299] = str_header("h1y", "v");
	assert_int_equal(bedrock_es_encode(&n, buf, 65536, h, 300, "x", 1), BEDROCK_OK);
	assert_int_equal(decode_one(NULL, buf, n, NULL, 0), 0);
	free(buf);
}

static void all_types(bedrock_es_header h[10])
{
	static const uint8_t uuid[16] = { 0xde, 0xad, 0xbe, 0xef, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 0xff };
	static const char *names[10] = { "t", "f", "byte", "short", "int", "long", "bytes",
					 "string", "ts", "uuid" };
	int i;

	memset(h, 0, 10 * sizeof(*h));
	for (i = 0; i < 10; i++) {
		h[i].name = names[i];
		h[i].name_len = strlen(names[i]);
		h[i].type = (bedrock_es_header_type)i;
	}
	h[0].value.boolean = 1;
	h[2].value.byte = -128;
	h[3].value.i16 = -32768;
	h[4].value.i32 = INT32_MIN;
	h[5].value.i64 = INT64_MIN + 1;
	h[6].value.bytes.ptr = (const uint8_t *)"\x00\x01\xff";
	h[6].value.bytes.len = 3;
	h[7].value.bytes.ptr = (const uint8_t *)"h\xc3\xa9llo";
	h[7].value.bytes.len = 6;
	h[8].value.i64 = 1700000000123;
	memcpy(h[9].value.uuid, uuid, 16);
}

static void test_eventstream__encoder_round_trip(void **state)
{
	bedrock_es_header h[10], big;
	uint8_t buf[512], *huge;
	size_t n, size;
	bedrock_es_decoder *d;
	bedrock_es_message m;
	int i;

	(void)state;
	all_types(h);
	assert_int_equal(bedrock_es_encoded_size(&size, h, 10, 5), 0);
	assert_int_equal(bedrock_es_encode(&n, buf, size - 1, h, 10, "hello", 5), BEDROCK_ELIMIT);
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), h, 10, "hello", 5), 0);
	assert_int_equal(n, size);
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, buf, n), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), 0);
	assert_int_equal(m.header_count, 10);
	for (i = 0; i < 10; i++) {
		const bedrock_es_header *g = &m.headers[i];

		assert_int_equal(g->type, i);
		assert_bytes_equal(g->name, g->name_len, h[i].name, h[i].name_len);
	}
	assert_int_equal(m.headers[0].value.boolean, 1);
	assert_int_equal(m.headers[1].value.boolean, 0);
	assert_int_equal(m.headers[2].value.byte, -128);
	assert_int_equal(m.headers[3].value.i16, -32768);
	assert_int_equal(m.headers[4].value.i32, INT32_MIN);
	assert_true(m.headers[5].value.i64 == INT64_MIN + 1);
	assert_bytes_equal(m.headers[6].value.bytes.ptr, m.headers[6].value.bytes.len, "\x00\x01\xff", 3);
	assert_bytes_equal(m.headers[7].value.bytes.ptr, m.headers[7].value.bytes.len, "h\xc3\xa9llo", 6);
	assert_true(m.headers[8].value.i64 == 1700000000123);
	assert_bytes_equal(m.headers[9].value.uuid, 16, h[9].value.uuid, 16);
	assert_bytes_equal(m.payload, m.payload_len, "hello", 5);
	assert_null(bedrock_es_message_header(&m, "nope"));
	assert_ptr_equal(bedrock_es_message_header(&m, "uuid"), &m.headers[9]);
	bedrock_es_decoder_free(d);

	/* PROTOCOL.md's published example vectors. */
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), NULL, 0, NULL, 0), 0);
	assert_bytes_equal(buf, n, "\x00\x00\x00\x10\x00\x00\x00\x00\x05\xc2\x48\xeb\x7d\x98\xc8\xff", 16);
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), NULL, 0, "{\"foo\": \"bar\"}", 14), 0);
	assert_bytes_equal(buf, 12, "\x00\x00\x00\x1e\x00\x00\x00\x00\xba\xf2\xf6\x8a", 12);
	assert_bytes_equal(buf + n - 4, 4, "\xae\x72\x58\xe4", 4);

	/* Invalid headers. */
	big = str_header("", "x");
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), &big, 1, NULL, 0), BEDROCK_EINVAL);
	big.name = "0123456789012345678901234567890123456789012345678901234567890123"
		   "0123456789012345678901234567890123456789012345678901234567890123"
		   "0123456789012345678901234567890123456789012345678901234567890123"
		   "0123456789012345678901234567890123456789012345678901234567890123";
	big.name_len = 256;
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), &big, 1, NULL, 0), BEDROCK_EINVAL);
	big.name_len = 255;
	assert_int_equal(bedrock_es_encode(&n, buf, sizeof(buf), &big, 1, NULL, 0), 0);
	big.value.bytes.len = 65536;
	assert_int_equal(bedrock_es_encoded_size(&n, &big, 1, 0), BEDROCK_EINVAL);
	big.type = (bedrock_es_header_type)10;
	assert_int_equal(bedrock_es_encoded_size(&n, &big, 1, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_es_encoded_size(&n, NULL, 0, BEDROCK_ES_MAX_PAYLOAD_LEN + 1),
			 BEDROCK_ELIMIT);
	assert_int_equal(bedrock_es_encoded_size(&n, NULL, 1, 0), BEDROCK_EINVAL);

	/* Largest bytes value round-trips. */
	huge = calloc(1, 70000);
	big = str_header("big", "");
	big.type = BEDROCK_ES_BYTES;
	big.value.bytes.ptr = huge;
	big.value.bytes.len = 65535;
	assert_int_equal(bedrock_es_encode(&n, huge + 65536, 70000 - 65536, &big, 1, NULL, 0),
			 BEDROCK_ELIMIT);
	{
		uint8_t *out = malloc(70000);

		assert_int_equal(bedrock_es_encode(&n, out, 70000, &big, 1, NULL, 0), 0);
		assert_int_equal(decode_one(NULL, out, n, NULL, 0), 0);
		free(out);
	}
	free(huge);
}

static void test_eventstream__sticky_and_reset(void **state)
{
	uint8_t good[64], bad[64];
	size_t gn, bn;
	bedrock_es_decoder *d;
	bedrock_es_message m;

	(void)state;
	assert_int_equal(bedrock_es_encode(&gn, good, sizeof(good), NULL, 0, "ok", 2), 0);
	memcpy(bad, good, gn);
	bn = gn;
	bad[13] ^= 1; /* payload byte: message CRC mismatch */
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, good, gn), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, bad, bn), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_es_decoder_error_offset(d), gn);
	assert_non_null(strstr(bedrock_es_decoder_errmsg(d), "message CRC mismatch at offset 18"));
	assert_int_equal(bedrock_es_decoder_next(&m, d), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_es_decoder_feed(d, good, gn), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock_es_decoder_finish(d), BEDROCK_EPROTOCOL);
	bedrock_es_decoder_reset(d);
	assert_string_equal(bedrock_es_decoder_errmsg(d), "");
	assert_int_equal(bedrock_es_decoder_error_offset(d), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, good, gn), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), 0);
	assert_bytes_equal(m.payload, m.payload_len, "ok", 2);
	assert_int_equal(bedrock_es_decoder_finish(d), 0);
	bedrock_es_decoder_free(d);
}

/* Feeding again without draining keeps the bytes in order. */
static void test_eventstream__feed_without_draining(void **state)
{
	size_t len, k;
	uint8_t *bin = recorded(DEMO, &len);
	run_result want;
	tbuf wt = { 0 }, t = { 0 };

	(void)state;
	run(&want, &wt, NULL, bin, len, len, 0);
	for (k = 1; k < len; k += 37) {
		bedrock_es_decoder *d;
		bedrock_es_message m;
		int rc;

		t.len = 0;
		assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
		/* Three feeds, drain only once at the end, then once mid-way. */
		assert_int_equal(bedrock_es_decoder_feed(d, bin, k / 2), 0);
		if (k & 1) {
			assert_int_equal(bedrock_es_decoder_next(&m, d),
					 k / 2 >= 536 ? 0 : BEDROCK_EAGAIN);
			if (k / 2 >= 536)
				transcript_message(&t, &m);
		}
		assert_int_equal(bedrock_es_decoder_feed(d, bin + k / 2, k - k / 2), 0);
		assert_int_equal(bedrock_es_decoder_feed(d, bin + k, len - k), 0);
		while ((rc = bedrock_es_decoder_next(&m, d)) == 0)
			transcript_message(&t, &m);
		assert_int_equal(rc, BEDROCK_EAGAIN);
		assert_int_equal(bedrock_es_decoder_finish(d), 0);
		assert_bytes_equal(t.p, t.len, wt.p, wt.len);
		bedrock_es_decoder_free(d);
	}
	tbuf_free(&t);
	tbuf_free(&wt);
	free(bin);
}

static void test_eventstream__allocation_failures(void **state)
{
	size_t len, n, failures = 0;
	uint8_t *bin = recorded(DEMO, &len);
	bedrock_es_header many[20];
	char names[20][4];
	uint8_t frame[1024];
	size_t flen, i;

	(void)state;
	/* Twenty headers take the hash-table path for duplicates. */
	for (i = 0; i < 20; i++) {
		snprintf(names[i], sizeof(names[i]), "%zu", i);
		many[i] = str_header(names[i], "v");
	}
	assert_int_equal(bedrock_es_encode(&flen, frame, sizeof(frame), many, 20, "p", 1), 0);
	for (n = 1;; n++) {
		bedrock_es_decoder *d = NULL;
		bedrock_es_message m;
		size_t pos = 0, count = 0;
		int rc;

		harness_fail_allocation(n);
		rc = bedrock_es_decoder_new(&d, NULL);
		/* Small pieces force the straddling-frame buffer to grow. */
		while (rc == 0 && pos < len) {
			size_t step = len - pos < 100 ? len - pos : 100;

			rc = bedrock_es_decoder_feed(d, bin + pos, step);
			pos += step;
			while (rc == 0 && (rc = bedrock_es_decoder_next(&m, d)) == 0)
				count++;
			if (rc == BEDROCK_EAGAIN)
				rc = 0;
		}
		if (rc == 0) {
			rc = bedrock_es_decoder_feed(d, frame, flen);
			if (rc == 0 && (rc = bedrock_es_decoder_next(&m, d)) == 0)
				count++;
		}
		harness_fail_allocation(0);
		bedrock_es_decoder_free(d);
		assert_int_equal(harness_live_allocations(), 0);
		if (rc == 0) {
			assert_int_equal(count, 11);
			break;
		}
		assert_int_equal(rc, BEDROCK_ENOMEM);
		failures++;
	}
	assert_true(failures >= 3);
	free(bin);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_eventstream__positive_vectors, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__negative_vectors, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__recorded_streams, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__negative_recorded_stream, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__truncated, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__empty_input, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__limits, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__bad_lengths, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__malformed_headers, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__duplicates_among_many, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__encoder_round_trip, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__sticky_and_reset, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__feed_without_draining, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_eventstream__allocation_failures, harness_setup, harness_teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
