/* Helpers shared by test_eventstream.c and test_event_reader.c: a plain
 * byte buffer for transcripts, vector loading, and split feeding. */
#ifndef EVENTSTREAM_HELPERS_H
#define EVENTSTREAM_HELPERS_H

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <zlib.h>

#include "harness.h"

typedef struct {
	uint8_t *p;
	size_t len, cap;
} tbuf;

static inline void tbuf_put(tbuf *b, const void *data, size_t len)
{
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 1024;

		while (cap < b->len + len)
			cap *= 2;
		b->p = realloc(b->p, cap);
		assert_non_null(b->p);
		b->cap = cap;
	}
	if (len)
		memcpy(b->p + b->len, data, len);
	b->len += len;
}

static inline void tbuf_u64(tbuf *b, uint64_t v)
{
	tbuf_put(b, &v, sizeof(v));
}

static inline void tbuf_str(tbuf *b, const char *s, size_t len)
{
	tbuf_u64(b, s ? len : UINT64_MAX);
	if (s)
		tbuf_put(b, s, len);
}

static inline void tbuf_free(tbuf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

/* Everything a decoded message carries, in a comparable form. */
static inline void transcript_message(tbuf *t, const bedrock_es_message *m)
{
	size_t i;

	tbuf_u64(t, m->total_length);
	tbuf_u64(t, m->headers_length);
	tbuf_u64(t, m->prelude_crc);
	tbuf_u64(t, m->message_crc);
	tbuf_u64(t, m->header_count);
	for (i = 0; i < m->header_count; i++) {
		const bedrock_es_header *h = &m->headers[i];

		tbuf_str(t, h->name, h->name_len);
		tbuf_u64(t, (uint64_t)h->type);
		switch (h->type) {
		case BEDROCK_ES_BYTES:
		case BEDROCK_ES_STRING:
			tbuf_str(t, (const char *)h->value.bytes.ptr, h->value.bytes.len);
			break;
		case BEDROCK_ES_UUID:
			tbuf_put(t, h->value.uuid, 16);
			break;
		case BEDROCK_ES_BOOL_TRUE:
		case BEDROCK_ES_BOOL_FALSE:
			tbuf_u64(t, (uint64_t)h->value.boolean);
			break;
		case BEDROCK_ES_BYTE: tbuf_u64(t, (uint64_t)h->value.byte); break;
		case BEDROCK_ES_SHORT: tbuf_u64(t, (uint64_t)h->value.i16); break;
		case BEDROCK_ES_INTEGER: tbuf_u64(t, (uint64_t)h->value.i32); break;
		default: tbuf_u64(t, (uint64_t)h->value.i64); break;
		}
	}
	tbuf_str(t, (const char *)m->payload, m->payload_len);
}

static inline cJSON *read_json_vector(const char *rel)
{
	size_t len;
	char *s = harness_read_vector(rel, &len);
	cJSON *j;

	if (!s)
		fail_msg("cannot read vector %s", rel);
	j = cJSON_ParseWithLength(s, len);
	free(s);
	if (!j)
		fail_msg("vector %s is not JSON", rel);
	return j;
}

/* Bedrock exchange directories that have an expected.json (streams). */
static inline char **stream_dirs(void)
{
	char path[4096], **all, **out;
	size_t i, n = 0;

	snprintf(path, sizeof(path), "%s/bedrock", harness_vectors());
	all = harness_list_dir(path);
	assert_non_null(all);
	for (i = 0; all[i]; i++)
		;
	out = calloc(i + 1, sizeof(*out));
	assert_non_null(out);
	for (i = 0; all[i]; i++) {
		FILE *f;

		snprintf(path, sizeof(path), "%s/bedrock/%s/expected.json", harness_vectors(), all[i]);
		if (!strcmp(all[i], "negative") || !(f = fopen(path, "rb")))
			continue;
		fclose(f);
		out[n++] = strdup(all[i]);
	}
	harness_free_list(all);
	return out;
}

/* Builds a frame from raw header bytes with correct CRCs (for malformed
 * headers the encoder refuses to produce). */
static inline size_t raw_frame(uint8_t *dst, const void *hdrs, uint32_t hlen,
			const void *payload, uint32_t plen)
{
	uint32_t total = 16 + hlen + plen, c;
	uint8_t *w = dst;

	w[0] = (uint8_t)(total >> 24); w[1] = (uint8_t)(total >> 16);
	w[2] = (uint8_t)(total >> 8); w[3] = (uint8_t)total;
	w[4] = (uint8_t)(hlen >> 24); w[5] = (uint8_t)(hlen >> 16);
	w[6] = (uint8_t)(hlen >> 8); w[7] = (uint8_t)hlen;
	c = (uint32_t)crc32(0, w, 8);
	w[8] = (uint8_t)(c >> 24); w[9] = (uint8_t)(c >> 16);
	w[10] = (uint8_t)(c >> 8); w[11] = (uint8_t)c;
	memcpy(w + 12, hdrs, hlen);
	memcpy(w + 12 + hlen, payload, plen);
	c = (uint32_t)crc32(0, w, total - 4);
	w += total - 4;
	w[0] = (uint8_t)(c >> 24); w[1] = (uint8_t)(c >> 16);
	w[2] = (uint8_t)(c >> 8); w[3] = (uint8_t)c;
	return total;
}

static inline bedrock_es_header str_header(const char *name, const char *value)
{
	bedrock_es_header h;

	memset(&h, 0, sizeof(h));
	h.name = name;
	h.name_len = strlen(name);
	h.type = BEDROCK_ES_STRING;
	h.value.bytes.ptr = (const uint8_t *)value;
	h.value.bytes.len = strlen(value);
	return h;
}

#endif
