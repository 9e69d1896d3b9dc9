/* Server-Sent Events decoder and encoder (WHATWG HTML, "Parsing an event
 * stream").
 *
 * The decoder keeps one buffer of unconsumed input, scans it line by line and
 * collects the current event's fields in two more buffers (name, data) that
 * it lends out when a blank line dispatches the event. A line is never
 * parsed before its end has arrived, so any split of the input gives the
 * same events; a CR at the end of one feed remembers to skip an LF at the
 * start of the next. */
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "bedrock/sse.h"
#include "alloc.h"

struct bedrock_sse_decoder {
	uint32_t max_line, max_event;

	/* Unconsumed input: [pos, len) of `in`. */
	char *in;
	size_t len, pos, cap;
	size_t scanned;     /* bytes after pos known to hold no line end */
	uint64_t in_offset; /* stream offset of in[0] */

	int bom_done;  /* the leading byte order mark was checked for */
	int skip_lf;   /* the last line ended with CR: an LF next is its end */

	/* The event being collected. */
	char *name, *data, *id;
	size_t name_len, data_len, id_len;
	size_t name_cap, data_cap, id_cap;
	int has_fields;   /* a field line was seen since the last dispatch */
	int lent;         /* name and data were lent by the last next() */
	uint64_t ev_offset;
	long long retry_ms;

	int err;
	uint64_t err_offset;
	char errmsg[160];
};

static int fail(bedrock_sse_decoder *d, int err, uint64_t at, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(bedrock_sse_decoder *d, int err, uint64_t at, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(d->errmsg, sizeof(d->errmsg), fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n < sizeof(d->errmsg))
		snprintf(d->errmsg + n, sizeof(d->errmsg) - (size_t)n, " at offset %" PRIu64, at);
	d->err = err;
	d->err_offset = at;
	return err;
}

/* Grows *p to hold need bytes plus a NUL. */
static int reserve(char **p, size_t *cap, size_t need)
{
	size_t ncap;
	char *np;

	if (need + 1 <= *cap)
		return 0;
	ncap = *cap ? *cap : 256;
	while (ncap < need + 1)
		ncap *= 2;
	np = bedrock__realloc(*p, ncap);
	if (!np)
		return BEDROCK_ENOMEM;
	*p = np;
	*cap = ncap;
	return 0;
}

int bedrock_sse_decoder_new(bedrock_sse_decoder **out, const bedrock_sse_decoder_options *opts)
{
	bedrock_sse_decoder *d;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (opts && opts->version != BEDROCK_SSE_DECODER_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	d = bedrock__calloc(1, sizeof(*d));
	if (!d)
		return BEDROCK_ENOMEM;
	d->max_line = BEDROCK_SSE_MAX_LINE_LEN;
	d->max_event = BEDROCK_SSE_MAX_EVENT_LEN;
	if (opts && opts->max_line_len && opts->max_line_len < d->max_line)
		d->max_line = opts->max_line_len;
	if (opts && opts->max_event_len && opts->max_event_len < d->max_event)
		d->max_event = opts->max_event_len;
	d->retry_ms = -1;
	*out = d;
	return 0;
}

void bedrock_sse_decoder_free(bedrock_sse_decoder *d)
{
	if (!d)
		return;
	bedrock__free(d->in);
	bedrock__free(d->name);
	bedrock__free(d->data);
	bedrock__free(d->id);
	bedrock__free(d);
}

void bedrock_sse_decoder_reset(bedrock_sse_decoder *d)
{
	if (!d)
		return;
	d->len = d->pos = d->scanned = 0;
	d->in_offset = 0;
	d->bom_done = d->skip_lf = 0;
	d->name_len = d->data_len = d->id_len = 0;
	d->has_fields = d->lent = 0;
	d->ev_offset = 0;
	d->retry_ms = -1;
	d->err = 0;
	d->err_offset = 0;
	d->errmsg[0] = '\0';
}

const char *bedrock_sse_decoder_errmsg(const bedrock_sse_decoder *d)
{
	return d ? d->errmsg : "";
}

uint64_t bedrock_sse_decoder_error_offset(const bedrock_sse_decoder *d)
{
	return d ? d->err_offset : 0;
}

int bedrock_sse_decoder_feed(bedrock_sse_decoder *d, const void *buf, size_t len)
{
	if (!d || (!buf && len))
		return BEDROCK_EINVAL;
	if (d->err)
		return d->err;
	if (!len)
		return 0;
	if (d->pos) { /* keep only the unconsumed tail */
		memmove(d->in, d->in + d->pos, d->len - d->pos);
		d->len -= d->pos;
		d->in_offset += d->pos;
		d->pos = 0;
	}
	if (len > SIZE_MAX - d->len - 1 || reserve(&d->in, &d->cap, d->len + len))
		return fail(d, BEDROCK_ENOMEM, d->in_offset + d->len, "out of memory buffering input");
	memcpy(d->in + d->len, buf, len);
	d->len += len;
	return 0;
}

static int set(char **p, size_t *plen, size_t *cap, const char *v, size_t n)
{
	if (reserve(p, cap, n))
		return BEDROCK_ENOMEM;
	memcpy(*p, v, n);
	(*p)[n] = '\0';
	*plen = n;
	return 0;
}

/* Where the line starting at s ends: the first CR or LF in [from, avail),
 * else avail. memchr, not a byte loop: a stream is mostly long data lines. */
static size_t line_end(const char *s, size_t from, size_t avail)
{
	const char *lf = memchr(s + from, '\n', avail - from);
	size_t end = lf ? (size_t)(lf - s) : avail;
	const char *cr = memchr(s + from, '\r', end - from);

	return cr ? (size_t)(cr - s) : end;
}

/* One complete line, without its end. Returns 1 if it dispatched an event. */
static int line(bedrock_sse_decoder *d, const char *s, size_t n, uint64_t at)
{
	const char *colon, *v;
	size_t flen, vlen;

	if (n == 0) {
		int dispatch = d->data_len > 0;
		if (!dispatch) { /* fields without data make no event */
			d->name_len = 0;
			d->has_fields = 0;
		}
		return dispatch;
	}
	if (!d->has_fields) {
		d->has_fields = 1;
		d->ev_offset = at;
	}
	if (s[0] == ':')
		return 0; /* a comment: keep-alives use these */
	colon = memchr(s, ':', n);
	flen = colon ? (size_t)(colon - s) : n;
	v = colon ? colon + 1 : s + n;
	vlen = (size_t)(s + n - v);
	if (vlen && v[0] == ' ') {
		v++;
		vlen--;
	}
	if (flen == 5 && !memcmp(s, "event", 5)) {
		if (set(&d->name, &d->name_len, &d->name_cap, v, vlen))
			return fail(d, BEDROCK_ENOMEM, at, "out of memory");
	} else if (flen == 4 && !memcmp(s, "data", 4)) {
		if (d->data_len + 1 > d->max_event || vlen + 1 > d->max_event - d->data_len)
			return fail(d, BEDROCK_ELIMIT, d->ev_offset,
				    "event data larger than %" PRIu32 " bytes", d->max_event);
		if (reserve(&d->data, &d->data_cap, d->data_len + vlen + 1))
			return fail(d, BEDROCK_ENOMEM, at, "out of memory");
		memcpy(d->data + d->data_len, v, vlen);
		d->data_len += vlen;
		d->data[d->data_len++] = '\n';
	} else if (flen == 2 && !memcmp(s, "id", 2)) {
		if (!memchr(v, '\0', vlen) && set(&d->id, &d->id_len, &d->id_cap, v, vlen))
			return fail(d, BEDROCK_ENOMEM, at, "out of memory");
	} else if (flen == 5 && !memcmp(s, "retry", 5)) {
		long long ms = 0;
		size_t i;
		for (i = 0; i < vlen && v[i] >= '0' && v[i] <= '9'; i++)
			ms = ms > (LLONG_MAX - 9) / 10 ? LLONG_MAX : ms * 10 + (v[i] - '0');
		if (vlen && i == vlen)
			d->retry_ms = ms;
	}
	/* Any other field is ignored, as the standard says. */
	return 0;
}

static void lend(bedrock_sse_event *out, bedrock_sse_decoder *d)
{
	static const char empty[1] = "";

	d->data[--d->data_len] = '\0'; /* the last line's "\n" */
	if (d->name)
		d->name[d->name_len] = '\0';
	out->event = d->name_len ? d->name : empty;
	out->event_len = d->name_len;
	out->data = d->data;
	out->data_len = d->data_len;
	out->id = d->id_len ? d->id : empty;
	out->retry_ms = d->retry_ms;
	out->offset = d->ev_offset;
	d->lent = 1;
}

int bedrock_sse_decoder_next(bedrock_sse_event *out, bedrock_sse_decoder *d)
{
	if (!d || !out)
		return BEDROCK_EINVAL;
	if (d->err)
		return d->err;
	if (d->lent) {
		d->lent = 0;
		d->name_len = d->data_len = 0;
		d->has_fields = 0;
	}
	if (!d->in)
		return BEDROCK_EAGAIN;
	if (!d->bom_done) {
		size_t have = d->len - d->pos;
		if (have < 3 && !memcmp(d->in + d->pos, "\xEF\xBB\xBF", have))
			return BEDROCK_EAGAIN; /* maybe a BOM: wait for its end */
		if (have >= 3 && !memcmp(d->in + d->pos, "\xEF\xBB\xBF", 3))
			d->pos += 3;
		d->bom_done = 1;
	}
	for (;;) {
		const char *s = d->in + d->pos;
		size_t avail = d->len - d->pos, n;
		uint64_t at = d->in_offset + d->pos;
		int r;

		if (d->skip_lf && avail) {
			d->skip_lf = 0;
			if (s[0] == '\n') {
				d->pos++;
				continue;
			}
		}
		/* Resume where the last call stopped, so a long line fed in
		 * small pieces is scanned once, not once per piece. */
		n = line_end(s, d->scanned, avail);
		if (n == avail) {
			d->scanned = n;
			if (n > d->max_line)
				return fail(d, BEDROCK_ELIMIT, at, "line longer than %" PRIu32 " bytes",
					    d->max_line);
			return BEDROCK_EAGAIN;
		}
		if (n > d->max_line)
			return fail(d, BEDROCK_ELIMIT, at, "line longer than %" PRIu32 " bytes",
				    d->max_line);
		d->skip_lf = s[n] == '\r';
		d->pos += n + 1;
		d->scanned = 0;
		r = line(d, s, n, at);
		if (r < 0)
			return r;
		if (r > 0) {
			lend(out, d);
			return 0;
		}
	}
}

int bedrock_sse_decoder_finish(bedrock_sse_decoder *d)
{
	if (!d)
		return BEDROCK_EINVAL;
	if (d->err)
		return d->err;
	if (d->lent) {
		d->lent = 0;
		d->name_len = d->data_len = 0;
		d->has_fields = 0;
	}
	if (d->len > d->pos)
		return fail(d, BEDROCK_EPROTOCOL, d->has_fields ? d->ev_offset : d->in_offset + d->pos,
			    "stream ended mid-event (an unfinished line)");
	if (d->has_fields && (d->data_len || d->name_len))
		return fail(d, BEDROCK_EPROTOCOL, d->ev_offset,
			    "stream ended mid-event (no blank line after it)");
	return 0;
}

/* ---- encoder --------------------------------------------------------- */

/* Writes (or, with dst NULL, measures) one "data: " line per line of p: CR,
 * LF and CRLF end lines, and text after the last line end is a line too,
 * even when empty, so the decoder gives p back exactly (line ends as LF). */
static size_t lines(const char *p, size_t n, char *dst)
{
	size_t total = 0, i = 0, start = 0;

	for (;;) {
		if (i == n || p[i] == '\n' || p[i] == '\r') {
			size_t ln = i - start;
			if (dst) {
				memcpy(dst + total, "data: ", 6);
				memcpy(dst + total + 6, p + start, ln);
				dst[total + 6 + ln] = '\n';
			}
			total += 6 + ln + 1;
			if (i == n)
				break;
			if (p[i] == '\r' && i + 1 < n && p[i + 1] == '\n')
				i++;
			start = ++i;
			continue;
		}
		i++;
	}
	return total;
}

size_t bedrock_sse_encoded_size(const char *event, const void *data, size_t data_len)
{
	size_t n = event && *event ? 7 + strlen(event) + 1 : 0;

	return n + lines(data ? data : "", data ? data_len : 0, NULL) + 1;
}

int bedrock_sse_encode(size_t *out_len, void *dst, size_t cap, const char *event,
		       const void *data, size_t data_len)
{
	size_t need, n = 0;
	char *o = dst;

	if (!out_len || (!dst && cap) || (!data && data_len))
		return BEDROCK_EINVAL;
	*out_len = 0;
	if (event && strpbrk(event, "\r\n"))
		return BEDROCK_EINVAL;
	need = bedrock_sse_encoded_size(event, data, data_len);
	if (need > cap)
		return BEDROCK_ELIMIT;
	if (event && *event) {
		size_t el = strlen(event);
		memcpy(o, "event: ", 7);
		memcpy(o + 7, event, el);
		o[7 + el] = '\n';
		n = 7 + el + 1;
	}
	n += lines(data ? data : "", data ? data_len : 0, o + n);
	o[n++] = '\n';
	*out_len = n;
	return 0;
}
