/* AWS event-stream decoder (the encoder is in eventstream_encode.c).
 *
 * The decoder is a small state machine over whole frames: prelude (wait for
 * 12 bytes) -> verify the prelude CRC and the lengths -> body (wait for
 * total_length bytes) -> message CRC -> headers -> payload. Waiting for the
 * whole frame before looking at the headers costs nothing (Bedrock frames
 * are small, and the limits are checked before anything is allocated) and
 * means header bytes are only parsed once the CRC says they are intact.
 *
 * Input is read in place from the caller's buffer; only the bytes of a
 * frame that straddles two feeds are copied (into `part`). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <zlib.h>

#include "bedrock/eventstream.h"
#include "alloc.h"

#define PRELUDE_LEN 12u

/* Where the decoder is within the current frame. The waiting states
 * (PRELUDE, BODY) are where next() can return BEDROCK_EAGAIN; the others
 * run as soon as their bytes are in memory. */
typedef enum es_state {
	ST_PRELUDE,        /* wait for 12 bytes */
	ST_VERIFY_PRELUDE, /* prelude CRC, then the lengths and limits */
	ST_BODY,           /* wait for total_length bytes */
	ST_MESSAGE_CRC,    /* CRC of the whole frame, before trusting headers */
	ST_HEADERS,
	ST_PAYLOAD         /* hand the message out; back to ST_PRELUDE */
} es_state;

struct bedrock_es_decoder {
	uint32_t max_headers, max_payload;
	es_state state;
	uint32_t total;  /* total_length of the current frame, once verified */
	int in_part;     /* the current frame's bytes are in `part`, not `ext` */

	/* Lent input from the last feed; [ext_pos, ext_len) not yet consumed. */
	const uint8_t *ext;
	size_t ext_len, ext_pos;

	/* Copied input; starts at a frame boundary at part_pos. */
	uint8_t *part;
	size_t part_len, part_pos, part_cap;

	uint64_t offset; /* stream offset of the next frame */

	bedrock_es_header *hdrs;
	size_t hdr_cap;
	uint32_t *slots; /* duplicate-name hash table, reused */
	size_t slot_cap;

	int err;
	uint64_t err_offset;
	char errmsg[192];
};

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

static uint16_t be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t be64(const uint8_t *p)
{
	return (uint64_t)be32(p) << 32 | be32(p + 4);
}

static uint32_t crc(uint32_t seed, const uint8_t *p, size_t len)
{
	/* zlib takes uInt lengths; frames are far below 4 GiB. */
	return (uint32_t)crc32(seed, p, (uInt)len);
}

#if defined(__GNUC__)
__attribute__((format(printf, 4, 5)))
#endif
static int fail(bedrock_es_decoder *d, int code, const char *what, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(bedrock_es_decoder *d, int code, const char *what, const char *fmt, ...)
{
	int n;

	d->err = code;
	d->err_offset = d->offset;
	n = snprintf(d->errmsg, sizeof(d->errmsg), "%s at offset %" PRIu64, what, d->offset);
	if (fmt && n > 0 && (size_t)n < sizeof(d->errmsg) - 3) {
		va_list ap;

		memcpy(d->errmsg + n, " (", 3);
		va_start(ap, fmt);
		vsnprintf(d->errmsg + n + 2, sizeof(d->errmsg) - (size_t)n - 2, fmt, ap);
		va_end(ap);
		n = (int)strlen(d->errmsg);
		if ((size_t)n < sizeof(d->errmsg) - 1)
			memcpy(d->errmsg + n, ")", 2);
	}
	return code;
}

static uint32_t clamp_limit(uint32_t v, uint32_t max)
{
	return v == 0 || v > max ? max : v;
}

int bedrock_es_decoder_new(bedrock_es_decoder **out, const bedrock_es_decoder_options *opts)
{
	bedrock_es_decoder *d;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (opts && opts->version != BEDROCK_ES_DECODER_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	d = bedrock__calloc(1, sizeof(*d));
	if (!d)
		return BEDROCK_ENOMEM;
	d->max_headers = clamp_limit(opts ? opts->max_headers_len : 0, BEDROCK_ES_MAX_HEADERS_LEN);
	d->max_payload = clamp_limit(opts ? opts->max_payload_len : 0, BEDROCK_ES_MAX_PAYLOAD_LEN);
	*out = d;
	return 0;
}

void bedrock_es_decoder_free(bedrock_es_decoder *d)
{
	if (!d)
		return;
	bedrock__free(d->part);
	bedrock__free(d->hdrs);
	bedrock__free(d->slots);
	bedrock__free(d);
}

void bedrock_es_decoder_reset(bedrock_es_decoder *d)
{
	d->ext = NULL;
	d->ext_len = d->ext_pos = 0;
	d->part_len = d->part_pos = 0;
	d->state = ST_PRELUDE;
	d->total = 0;
	d->in_part = 0;
	d->offset = 0;
	d->err = 0;
	d->err_offset = 0;
	d->errmsg[0] = '\0';
}

const char *bedrock_es_decoder_errmsg(const bedrock_es_decoder *d)
{
	return d->errmsg;
}

uint64_t bedrock_es_decoder_error_offset(const bedrock_es_decoder *d)
{
	return d->err_offset;
}

static int part_reserve(bedrock_es_decoder *d, size_t need)
{
	size_t cap;
	uint8_t *p;

	if (need <= d->part_cap)
		return 0;
	cap = d->part_cap ? d->part_cap : 256;
	while (cap < need)
		cap *= 2;
	p = bedrock__realloc(d->part, cap);
	if (!p)
		return fail(d, BEDROCK_ENOMEM, "out of memory buffering the message", NULL);
	d->part = p;
	d->part_cap = cap;
	return 0;
}

static int part_append(bedrock_es_decoder *d, const uint8_t *p, size_t len)
{
	int rc;

	if (d->part_pos > 0) {
		/* Only ever the tail of one frame is left; moving it is cheap. */
		memmove(d->part, d->part + d->part_pos, d->part_len - d->part_pos);
		d->part_len -= d->part_pos;
		d->part_pos = 0;
	}
	if ((rc = part_reserve(d, d->part_len + len)) != 0)
		return rc;
	if (len)
		memcpy(d->part + d->part_len, p, len);
	d->part_len += len;
	return 0;
}

int bedrock_es_decoder_feed(bedrock_es_decoder *d, const void *buf, size_t len)
{
	int rc;

	if (d->err)
		return d->err;
	if (len == 0)
		return 0;
	if (!buf)
		return BEDROCK_EINVAL;
	/* The caller fed again without draining: keep the old bytes in order. */
	if (d->ext_pos < d->ext_len) {
		if ((rc = part_append(d, d->ext + d->ext_pos, d->ext_len - d->ext_pos)) != 0)
			return rc;
	}
	d->ext = buf;
	d->ext_len = len;
	d->ext_pos = 0;
	return 0;
}

/* Verifies the prelude and the lengths before anything trusts them. */
static int check_prelude(bedrock_es_decoder *d, const uint8_t *p, uint32_t *out_total)
{
	uint32_t total = be32(p), hlen = be32(p + 4), want = be32(p + 8);
	uint32_t got = crc(0, p, 8);

	if (got != want)
		return fail(d, BEDROCK_EPROTOCOL, "prelude CRC mismatch",
			    "computed 0x%08" PRIx32 ", frame has 0x%08" PRIx32, got, want);
	if (total < BEDROCK_ES_MIN_MESSAGE_LEN)
		return fail(d, BEDROCK_EPROTOCOL, "message too short",
			    "total length %" PRIu32 " is below the minimum of 16", total);
	if (hlen > total - BEDROCK_ES_MIN_MESSAGE_LEN)
		return fail(d, BEDROCK_EPROTOCOL, "headers do not fit in the message",
			    "headers length %" PRIu32 ", total length %" PRIu32, hlen, total);
	if (hlen > d->max_headers)
		return fail(d, BEDROCK_ELIMIT, "headers too long",
			    "headers length %" PRIu32 " exceeds the limit of %" PRIu32,
			    hlen, d->max_headers);
	if (total - BEDROCK_ES_MIN_MESSAGE_LEN - hlen > d->max_payload)
		return fail(d, BEDROCK_ELIMIT, "payload too long",
			    "payload length %" PRIu32 " exceeds the limit of %" PRIu32,
			    total - BEDROCK_ES_MIN_MESSAGE_LEN - hlen, d->max_payload);
	*out_total = total;
	return 0;
}

static int grow_headers(bedrock_es_decoder *d)
{
	size_t cap = d->hdr_cap ? d->hdr_cap * 2 : 8;
	bedrock_es_header *h;

	if (cap > SIZE_MAX / sizeof(*h))
		return fail(d, BEDROCK_ENOMEM, "out of memory for headers", NULL);
	h = bedrock__realloc(d->hdrs, cap * sizeof(*h));
	if (!h)
		return fail(d, BEDROCK_ENOMEM, "out of memory for headers", NULL);
	d->hdrs = h;
	d->hdr_cap = cap;
	return 0;
}

static int same_name(const bedrock_es_header *a, const bedrock_es_header *b)
{
	return a->name_len == b->name_len && !memcmp(a->name, b->name, a->name_len);
}

static int duplicate(bedrock_es_decoder *d, size_t n)
{
	size_t i, j, cap, mask;

	if (n <= 8) {
		for (i = 1; i < n; i++)
			for (j = 0; j < i; j++)
				if (same_name(&d->hdrs[i], &d->hdrs[j]))
					return (int)i + 1;
		return 0;
	}
	/* Many headers (up to ~43k fit in 128 KiB): hash, don't go quadratic. */
	for (cap = 16; cap < n * 2; cap *= 2)
		;
	if (cap > d->slot_cap) {
		uint32_t *s = bedrock__realloc(d->slots, cap * sizeof(*s));

		if (!s)
			return -1;
		d->slots = s;
		d->slot_cap = cap;
	}
	memset(d->slots, 0, cap * sizeof(*d->slots));
	mask = cap - 1;
	for (i = 0; i < n; i++) {
		uint32_t h = 2166136261u;

		for (j = 0; j < d->hdrs[i].name_len; j++)
			h = (h ^ (uint8_t)d->hdrs[i].name[j]) * 16777619u;
		for (j = h & mask; d->slots[j]; j = (j + 1) & mask)
			if (same_name(&d->hdrs[i], &d->hdrs[d->slots[j] - 1]))
				return (int)i + 1;
		d->slots[j] = (uint32_t)i + 1;
	}
	return 0;
}

static int parse_headers(bedrock_es_decoder *d, const uint8_t *p, size_t len, size_t *out_n)
{
	size_t i = 0, n = 0;
	int dup;

	while (i < len) {
		bedrock_es_header *h;
		size_t name_len = p[i], vlen;
		uint8_t type;

		if (name_len == 0)
			return fail(d, BEDROCK_EPROTOCOL, "empty header name",
				    "header %zu", n);
		if (len - i < 2 + name_len)
			return fail(d, BEDROCK_EPROTOCOL, "header runs past the headers section",
				    "header %zu", n);
		if (n == d->hdr_cap && grow_headers(d))
			return d->err;
		h = &d->hdrs[n];
		h->name = (const char *)p + i + 1;
		h->name_len = name_len;
		i += 1 + name_len;
		type = p[i++];
		switch (type) {
		case BEDROCK_ES_BOOL_TRUE:
		case BEDROCK_ES_BOOL_FALSE: vlen = 0; break;
		case BEDROCK_ES_BYTE: vlen = 1; break;
		case BEDROCK_ES_SHORT: vlen = 2; break;
		case BEDROCK_ES_INTEGER: vlen = 4; break;
		case BEDROCK_ES_LONG:
		case BEDROCK_ES_TIMESTAMP: vlen = 8; break;
		case BEDROCK_ES_UUID: vlen = 16; break;
		case BEDROCK_ES_BYTES:
		case BEDROCK_ES_STRING:
			if (len - i < 2)
				return fail(d, BEDROCK_EPROTOCOL, "header runs past the headers section",
					    "header %zu", n);
			vlen = be16(p + i);
			i += 2;
			break;
		default:
			return fail(d, BEDROCK_EPROTOCOL, "unknown header value type",
				    "type %u in header %zu", type, n);
		}
		if (len - i < vlen)
			return fail(d, BEDROCK_EPROTOCOL, "header runs past the headers section",
				    "header %zu", n);
		h->type = (bedrock_es_header_type)type;
		switch (type) {
		case BEDROCK_ES_BOOL_TRUE: h->value.boolean = 1; break;
		case BEDROCK_ES_BOOL_FALSE: h->value.boolean = 0; break;
		case BEDROCK_ES_BYTE: h->value.byte = (int8_t)p[i]; break;
		case BEDROCK_ES_SHORT: h->value.i16 = (int16_t)be16(p + i); break;
		case BEDROCK_ES_INTEGER: h->value.i32 = (int32_t)be32(p + i); break;
		case BEDROCK_ES_UUID: memcpy(h->value.uuid, p + i, 16); break;
		case BEDROCK_ES_BYTES:
		case BEDROCK_ES_STRING:
			h->value.bytes.ptr = p + i;
			h->value.bytes.len = vlen;
			break;
		default: h->value.i64 = (int64_t)be64(p + i); break;
		}
		i += vlen;
		n++;
	}
	dup = duplicate(d, n);
	if (dup < 0)
		return fail(d, BEDROCK_ENOMEM, "out of memory checking header names", NULL);
	if (dup > 0)
		return fail(d, BEDROCK_EPROTOCOL, "duplicate header name", "\"%.*s\"",
			    (int)d->hdrs[dup - 1].name_len, d->hdrs[dup - 1].name);
	*out_n = n;
	return 0;
}

/* Tops the buffered frame up to `want` bytes from the lent input, or to
 * whatever the lent input has. */
static int pull(bedrock_es_decoder *d, size_t want)
{
	size_t have = d->part_len - d->part_pos, take;

	if (have >= want)
		return 0;
	take = want - have;
	if (take > d->ext_len - d->ext_pos)
		take = d->ext_len - d->ext_pos;
	if (part_append(d, d->ext + d->ext_pos, take))
		return d->err;
	d->ext_pos += take;
	return 0;
}

/* Points *out at the first `need` bytes of the current frame, read in
 * place from the lent input when it holds them all (the fast path), else
 * from `part`. When there are not enough bytes yet, copies what there is
 * into `part` (reserving `reserve` bytes once) and leaves *out NULL. */
static int frame_bytes(bedrock_es_decoder *d, const uint8_t **out, size_t need,
		       size_t reserve)
{
	int rc;

	*out = NULL;
	if (d->part_len == d->part_pos) {
		d->part_len = d->part_pos = 0;
		if (d->ext_len - d->ext_pos >= need) {
			d->in_part = 0;
			*out = d->ext + d->ext_pos;
			return 0;
		}
	}
	if ((rc = part_reserve(d, d->part_pos + reserve)) != 0)
		return rc;
	if ((rc = pull(d, need)) != 0)
		return rc;
	if (d->part_len - d->part_pos >= need) {
		d->in_part = 1;
		*out = d->part + d->part_pos;
	}
	return 0;
}

static int eagain(bedrock_es_decoder *d)
{
	/* Everything lent has been consumed or copied: release the buffer. */
	d->ext = NULL;
	d->ext_len = d->ext_pos = 0;
	return BEDROCK_EAGAIN;
}

int bedrock_es_decoder_next(bedrock_es_message *out, bedrock_es_decoder *d)
{
	const uint8_t *f = NULL;
	size_t n = 0;
	int rc;

	if (!out || !d)
		return BEDROCK_EINVAL;
	if (d->err)
		return d->err;
	for (;;) {
		switch (d->state) {
		case ST_PRELUDE:
			if ((rc = frame_bytes(d, &f, PRELUDE_LEN, PRELUDE_LEN)) != 0)
				return rc;
			if (!f)
				return eagain(d);
			d->state = ST_VERIFY_PRELUDE;
			break;
		case ST_VERIFY_PRELUDE:
			if ((rc = check_prelude(d, f, &d->total)) != 0)
				return rc;
			d->state = ST_BODY;
			break;
		case ST_BODY:
			/* Reserve the whole frame once, after the limits passed. */
			if ((rc = frame_bytes(d, &f, d->total, d->total)) != 0)
				return rc;
			if (!f)
				return eagain(d);
			d->state = ST_MESSAGE_CRC;
			break;
		case ST_MESSAGE_CRC: {
			uint32_t pcrc = be32(f + 8), want = be32(f + d->total - 4);
			/* Continuing from the prelude CRC covers [0, total-4) in
			 * one pass over the frame. */
			uint32_t got = crc(pcrc, f + 8, d->total - 12);

			if (got != want)
				return fail(d, BEDROCK_EPROTOCOL, "message CRC mismatch",
					    "computed 0x%08" PRIx32 ", frame has 0x%08" PRIx32,
					    got, want);
			d->state = ST_HEADERS;
			break;
		}
		case ST_HEADERS:
			if ((rc = parse_headers(d, f + PRELUDE_LEN, be32(f + 4), &n)) != 0)
				return rc;
			d->state = ST_PAYLOAD;
			break;
		case ST_PAYLOAD: {
			uint32_t hlen = be32(f + 4);

			out->total_length = d->total;
			out->headers_length = hlen;
			out->prelude_crc = be32(f + 8);
			out->message_crc = be32(f + d->total - 4);
			out->headers = n ? d->hdrs : NULL;
			out->header_count = n;
			out->payload = f + PRELUDE_LEN + hlen;
			out->payload_len = d->total - BEDROCK_ES_MIN_MESSAGE_LEN - hlen;
			if (d->in_part)
				d->part_pos += d->total;
			else
				d->ext_pos += d->total;
			d->offset += d->total;
			d->state = ST_PRELUDE;
			return 0;
		}
		}
	}
}

int bedrock_es_decoder_finish(bedrock_es_decoder *d)
{
	size_t left;

	if (d->err)
		return d->err;
	left = (d->part_len - d->part_pos) + (d->ext_len - d->ext_pos);
	if (left)
		return fail(d, BEDROCK_EPROTOCOL, "stream ended mid-frame",
			    "%zu bytes of an incomplete message", left);
	return 0;
}

const bedrock_es_header *bedrock_es_message_header(const bedrock_es_message *msg,
						   const char *name)
{
	size_t i, len = strlen(name);

	for (i = 0; i < msg->header_count; i++) {
		const bedrock_es_header *h = &msg->headers[i];

		if (h->name_len == len && !memcmp(h->name, name, len))
			return h;
	}
	return NULL;
}
