/* libFuzzer target for the Server-Sent Events decoder.
 *
 * The input is decoded twice: whole, and fed in pieces whose sizes come from
 * a PRNG seeded by the input's last byte. Both runs must agree event for
 * event, and every event must survive encode -> decode unchanged. When bit
 * 0x80 of the last byte is set, small limits make the ELIMIT paths
 * reachable. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/sse.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

typedef struct {
	int rc;
	size_t count;
	uint64_t digest;
} result;

static uint64_t mix(uint64_t h, const void *p, size_t n)
{
	const uint8_t *b = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ b[i]) * 0x100000001b3ull;
	return (h ^ n) * 0x100000001b3ull;
}

static void round_trip(const bedrock_sse_event *e)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event back;
	size_t n = bedrock_sse_encoded_size(e->event, e->data, e->data_len), got;
	char *buf;

	if (memchr(e->event, '\r', e->event_len) || memchr(e->event, '\n', e->event_len) ||
	    strlen(e->event) != e->event_len)
		return; /* cannot happen: names end at a line end; NULs just shorten it */
	buf = malloc(n);
	CHECK(buf != NULL);
	CHECK(bedrock_sse_encode(&got, buf, n, e->event, e->data, e->data_len) == 0);
	CHECK(got == n);
	CHECK(bedrock_sse_decoder_new(&d, NULL) == 0);
	CHECK(bedrock_sse_decoder_feed(d, buf, n) == 0);
	CHECK(bedrock_sse_decoder_next(&back, d) == 0);
	CHECK(back.event_len == e->event_len && !memcmp(back.event, e->event, e->event_len));
	CHECK(back.data_len == e->data_len && !memcmp(back.data, e->data, e->data_len));
	CHECK(bedrock_sse_decoder_next(&back, d) == BEDROCK_EAGAIN);
	CHECK(bedrock_sse_decoder_finish(d) == 0);
	bedrock_sse_decoder_free(d);
	free(buf);
}

static void decode(result *r, const uint8_t *data, size_t size, uint32_t seed, int small)
{
	bedrock_sse_decoder_options o = BEDROCK_SSE_DECODER_OPTIONS_INIT;
	bedrock_sse_decoder *d;
	bedrock_sse_event e;
	size_t pos = 0;
	int rc = 0;

	memset(r, 0, sizeof(*r));
	if (small) {
		o.max_line_len = 64;
		o.max_event_len = 256;
	}
	CHECK(bedrock_sse_decoder_new(&d, &o) == 0);
	while (pos < size) {
		size_t n = size - pos;
		if (seed) {
			seed = seed * 1103515245u + 12345u;
			n = 1 + (seed >> 16) % 17;
			if (n > size - pos)
				n = size - pos;
		}
		rc = bedrock_sse_decoder_feed(d, data + pos, n);
		while (rc == 0 && (rc = bedrock_sse_decoder_next(&e, d)) == 0) {
			CHECK(e.data[e.data_len] == '\0' && e.event[e.event_len] == '\0');
			r->count++;
			r->digest = mix(r->digest, e.event, e.event_len);
			r->digest = mix(r->digest, e.data, e.data_len);
			r->digest = mix(r->digest, e.id, strlen(e.id));
			r->digest = mix(r->digest, &e.retry_ms, sizeof(e.retry_ms));
			r->digest = mix(r->digest, &e.offset, sizeof(e.offset));
			if (!seed)
				round_trip(&e);
		}
		pos += n;
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (rc == BEDROCK_EAGAIN)
		rc = bedrock_sse_decoder_finish(d);
	r->rc = rc;
	CHECK(bedrock_sse_decoder_errmsg(d) != NULL);
	bedrock_sse_decoder_free(d);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	result whole, split;
	uint8_t last = size ? data[size - 1] : 0;

	decode(&whole, data, size, 0, last & 0x80);
	decode(&split, data, size, last | 1u, last & 0x80);
	/* A limit error is found at the same line whatever the split, but the
	 * split run may see it before the whole run's events are drained. */
	if (whole.rc != BEDROCK_ELIMIT && split.rc != BEDROCK_ELIMIT) {
		CHECK(whole.rc == split.rc);
		CHECK(whole.count == split.count);
		CHECK(whole.digest == split.digest);
	}
	return 0;
}
