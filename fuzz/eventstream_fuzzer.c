/* libFuzzer target for the raw event-stream decoder.
 *
 * The input is decoded twice: whole, and fed in pieces whose sizes come
 * from a PRNG seeded by the input's last byte (so every corpus file, a raw
 * stream, also picks a split plan). Both runs must agree, and every decoded
 * message must re-encode to exactly the bytes it came from. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#include "bedrock/eventstream.h"

#include "fuzz_es.h"

typedef struct {
	int rc;
	size_t count;
	uint64_t digest;
} result;

static uint64_t mix(uint64_t h, uint64_t v)
{
	return (h ^ v) * 0x100000001b3ull;
}

static void check_message(const bedrock_es_message *m, const uint8_t *orig, result *r)
{
	size_t n, i;
	uint8_t *re;

	CHECK(m->total_length >= 16);
	CHECK(m->payload_len == m->total_length - 16 - m->headers_length);
	CHECK(bedrock_es_encoded_size(&n, m->headers, m->header_count, m->payload_len) == 0);
	CHECK(n == m->total_length);
	re = malloc(n);
	CHECK(re != NULL);
	CHECK(bedrock_es_encode(&n, re, n, m->headers, m->header_count, m->payload,
				m->payload_len) == 0);
	CHECK(n == m->total_length && memcmp(re, orig, n) == 0);
	free(re);
	r->digest = mix(r->digest, m->message_crc);
	for (i = 0; i < m->header_count; i++) {
		CHECK(m->headers[i].name_len >= 1);
		CHECK(bedrock_es_message_header(m, "") == NULL);
	}
}

static void decode(result *r, const uint8_t *data, size_t size, uint32_t seed, int lenient)
{
	bedrock_es_decoder_options o = BEDROCK_ES_DECODER_OPTIONS_INIT;
	bedrock_es_decoder *d;
	bedrock_es_message m;
	size_t pos = 0, off = 0, maxstep;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (lenient) {
		/* Small limits make the ELIMIT paths reachable. */
		o.max_headers_len = 64;
		o.max_payload_len = 256;
	}
	CHECK(bedrock_es_decoder_new(&d, &o) == 0);
	maxstep = seed ? ((size_t[]){ 1, 3, 16, 100, 4096 })[seed % 5] : size;
	while (pos < size) {
		size_t n;
		uint8_t *piece;

		seed = seed * 1103515245u + 12345u;
		n = maxstep ? 1 + (seed >> 8) % maxstep : size;
		if (n > size - pos)
			n = size - pos;
		piece = malloc(n);
		CHECK(piece != NULL);
		memcpy(piece, data + pos, n);
		rc = bedrock_es_decoder_feed(d, piece, n);
		while (rc == 0 && (rc = bedrock_es_decoder_next(&m, d)) == 0) {
			check_message(&m, data + off, r);
			off += m.total_length;
			r->count++;
		}
		free(piece);
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0)
		rc = bedrock_es_decoder_finish(d);
	r->rc = rc;
	CHECK(bedrock_es_decoder_errmsg(d) != NULL);
	CHECK(rc == 0 || rc == BEDROCK_EPROTOCOL || rc == BEDROCK_ELIMIT);
	CHECK(rc != 0 || off == size);
	if (rc)
		CHECK(bedrock_es_decoder_error_offset(d) == off);
	bedrock_es_decoder_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size)
{
	uint8_t *fixed = size && (raw[size - 1] & 0x40) ? fixup_crcs(raw, size) : NULL;
	const uint8_t *data = fixed ? fixed : raw;
	result whole, split;
	uint32_t seed = size ? data[size - 1] + 1u : 1u;
	int lenient = size && (data[size - 1] & 0x80) && (data[0] & 1);

	decode(&whole, data, size, 0, lenient);
	decode(&split, data, size, seed, lenient);
	CHECK(whole.rc == split.rc);
	CHECK(whole.count == split.count);
	CHECK(whole.digest == split.digest);
	free(fixed);
	return 0;
}
