/* AWS event-stream encoder: the inverse of eventstream.c, writing into a
 * caller-supplied buffer without allocating. Used by the emulator, and by
 * tests to build frames (including ones the decoder must reject, such as
 * duplicate header names, which is why the encoder does not check them). */
#include <string.h>

#include <zlib.h>

#include "bedrock/eventstream.h"

#define PRELUDE_LEN 12u

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t crc(const uint8_t *p, size_t len)
{
	return (uint32_t)crc32(0, p, (uInt)len);
}

static int header_size(size_t *out, const bedrock_es_header *h)
{
	size_t v;

	if (!h->name || h->name_len == 0 || h->name_len > 255)
		return BEDROCK_EINVAL;
	switch (h->type) {
	case BEDROCK_ES_BOOL_TRUE:
	case BEDROCK_ES_BOOL_FALSE: v = 0; break;
	case BEDROCK_ES_BYTE: v = 1; break;
	case BEDROCK_ES_SHORT: v = 2; break;
	case BEDROCK_ES_INTEGER: v = 4; break;
	case BEDROCK_ES_LONG:
	case BEDROCK_ES_TIMESTAMP: v = 8; break;
	case BEDROCK_ES_UUID: v = 16; break;
	case BEDROCK_ES_BYTES:
	case BEDROCK_ES_STRING:
		if (h->value.bytes.len > 65535 || (h->value.bytes.len && !h->value.bytes.ptr))
			return BEDROCK_EINVAL;
		v = 2 + h->value.bytes.len;
		break;
	default:
		return BEDROCK_EINVAL;
	}
	*out = 2 + h->name_len + v;
	return 0;
}

static int headers_size(size_t *out, const bedrock_es_header *headers, size_t n)
{
	size_t i, sum = 0, one;
	int rc;

	if (n && !headers)
		return BEDROCK_EINVAL;
	for (i = 0; i < n; i++) {
		if ((rc = header_size(&one, &headers[i])) != 0)
			return rc;
		sum += one;
		if (sum > BEDROCK_ES_MAX_HEADERS_LEN)
			return BEDROCK_ELIMIT;
	}
	*out = sum;
	return 0;
}

int bedrock_es_encoded_size(size_t *out, const bedrock_es_header *headers,
			    size_t header_count, size_t payload_len)
{
	size_t hlen;
	int rc;

	if (!out)
		return BEDROCK_EINVAL;
	if ((rc = headers_size(&hlen, headers, header_count)) != 0)
		return rc;
	if (payload_len > BEDROCK_ES_MAX_PAYLOAD_LEN)
		return BEDROCK_ELIMIT;
	*out = BEDROCK_ES_MIN_MESSAGE_LEN + hlen + payload_len;
	return 0;
}

static uint8_t *put_header(uint8_t *w, const bedrock_es_header *h)
{
	uint64_t v;
	int i, bytes = 0;

	*w++ = (uint8_t)h->name_len;
	memcpy(w, h->name, h->name_len);
	w += h->name_len;
	*w++ = (uint8_t)h->type;
	switch (h->type) {
	case BEDROCK_ES_BOOL_TRUE:
	case BEDROCK_ES_BOOL_FALSE:
		return w;
	case BEDROCK_ES_BYTE: v = (uint8_t)h->value.byte; bytes = 1; break;
	case BEDROCK_ES_SHORT: v = (uint16_t)h->value.i16; bytes = 2; break;
	case BEDROCK_ES_INTEGER: v = (uint32_t)h->value.i32; bytes = 4; break;
	case BEDROCK_ES_UUID:
		memcpy(w, h->value.uuid, 16);
		return w + 16;
	case BEDROCK_ES_BYTES:
	case BEDROCK_ES_STRING:
		*w++ = (uint8_t)(h->value.bytes.len >> 8);
		*w++ = (uint8_t)h->value.bytes.len;
		if (h->value.bytes.len)
			memcpy(w, h->value.bytes.ptr, h->value.bytes.len);
		return w + h->value.bytes.len;
	default: v = (uint64_t)h->value.i64; bytes = 8; break;
	}
	for (i = bytes - 1; i >= 0; i--)
		*w++ = (uint8_t)(v >> (8 * i));
	return w;
}

int bedrock_es_encode(size_t *out_len, void *dst, size_t cap,
		      const bedrock_es_header *headers, size_t header_count,
		      const void *payload, size_t payload_len)
{
	uint8_t *p = dst, *w;
	size_t hlen, total, i;
	int rc;

	if (!out_len || (!dst && cap) || (payload_len && !payload))
		return BEDROCK_EINVAL;
	if ((rc = headers_size(&hlen, headers, header_count)) != 0)
		return rc;
	if (payload_len > BEDROCK_ES_MAX_PAYLOAD_LEN)
		return BEDROCK_ELIMIT;
	total = BEDROCK_ES_MIN_MESSAGE_LEN + hlen + payload_len;
	if (cap < total)
		return BEDROCK_ELIMIT;
	put32(p, (uint32_t)total);
	put32(p + 4, (uint32_t)hlen);
	put32(p + 8, crc(p, 8));
	w = p + PRELUDE_LEN;
	for (i = 0; i < header_count; i++)
		w = put_header(w, &headers[i]);
	if (payload_len)
		memcpy(w, payload, payload_len);
	w += payload_len;
	put32(w, crc(p, total - 4));
	*out_len = total;
	return 0;
}
