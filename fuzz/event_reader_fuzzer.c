/* libFuzzer target for the Bedrock event layer: decode whole and in pieces
 * (plan from the input's last byte), touch everything lent, and require
 * both runs to agree. */
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

static uint64_t mix(uint64_t h, const void *p, size_t len)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return h;
}

static int is_service(int rc)
{
	return rc == BEDROCK_ETHROTTLED || rc == BEDROCK_ETIMEOUT || rc == BEDROCK_ESERVICE;
}

static void touch(result *r, const bedrock_event *ev, const bedrock_event_reader *rd, int rc)
{
	const char *s;

	r->digest = mix(r->digest, &rc, sizeof(rc));
	r->digest = mix(r->digest, ev->event_type, strlen(ev->event_type));
	if (ev->type)
		r->digest = mix(r->digest, ev->type, strlen(ev->type));
	CHECK(ev->json != NULL && ev->json[ev->json_len] == '\0');
	r->digest = mix(r->digest, ev->json, ev->json_len);
	if (ev->text)
		r->digest = mix(r->digest, ev->text, ev->text_len);
	CHECK(ev->message != NULL);
	r->digest = mix(r->digest, ev->message->payload, ev->message->payload_len);
	if (rc) {
		CHECK(ev->kind != BEDROCK_EVENT_EVENT);
		CHECK(bedrock_event_reader_exception_type(rd) != NULL);
		CHECK(bedrock_event_reader_exception_name(rd) != NULL);
		if ((s = bedrock_event_reader_exception_message(rd)) != NULL)
			r->digest = mix(r->digest, s, strlen(s));
		if ((s = bedrock_event_reader_original_message(rd)) != NULL)
			r->digest = mix(r->digest, s, strlen(s));
		r->digest += (uint64_t)bedrock_event_reader_original_status(rd);
	} else {
		CHECK(ev->kind == BEDROCK_EVENT_EVENT);
		CHECK(bedrock_event_reader_exception_type(rd) == NULL);
	}
}

static void decode(result *r, const uint8_t *data, size_t size, uint32_t seed)
{
	bedrock_event_reader *rd;
	bedrock_event ev;
	size_t pos = 0, maxstep;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	CHECK(bedrock_event_reader_new(&rd, NULL) == 0);
	maxstep = seed ? ((size_t[]){ 1, 5, 64, 1000 })[seed % 4] : size;
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
		rc = bedrock_event_reader_feed(rd, piece, n);
		while (rc == 0 || is_service(rc)) {
			rc = bedrock_event_reader_next(&ev, rd);
			if (rc == 0 || is_service(rc)) {
				touch(r, &ev, rd, rc);
				r->count++;
			}
		}
		free(piece);
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0)
		rc = bedrock_event_reader_finish(rd);
	r->rc = rc;
	CHECK(rc == 0 || rc == BEDROCK_EPROTOCOL || rc == BEDROCK_ELIMIT);
	CHECK(bedrock_event_reader_errmsg(rd) != NULL);
	bedrock_event_reader_free(rd);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *raw, size_t size)
{
	uint8_t *fixed = size && (raw[size - 1] & 0x40) ? fixup_crcs(raw, size) : NULL;
	const uint8_t *data = fixed ? fixed : raw;
	result whole, split;

	decode(&whole, data, size, 0);
	decode(&split, data, size, size ? data[size - 1] + 1u : 1u);
	CHECK(whole.rc == split.rc);
	CHECK(whole.count == split.count);
	CHECK(whole.digest == split.digest);
	free(fixed);
	return 0;
}
