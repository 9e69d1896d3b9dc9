/* SigV4 percent-encoding: path labels, the canonical URI, query values. */
#include <string.h>

#include "sigv4_private.h"

/* RFC 3986 unreserved: the only bytes SigV4 leaves unencoded. */
static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

void bedrock__sigv4_encode(bedrock_buf *out, const char *s, size_t len, int keep_slash)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, run = 0;

	if (bedrock__buf_grow(out, len))
		return;
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[3];

		if (is_unreserved(c) || (keep_slash && c == '/'))
			continue;
		/* Copy the unescaped run in one go: most input has none. */
		bedrock__buf_put(out, s + run, i - run);
		esc[0] = '%';
		esc[1] = hex[c >> 4];
		esc[2] = hex[c & 15];
		bedrock__buf_put(out, esc, 3);
		run = i + 1;
	}
	bedrock__buf_put(out, s + run, len - run);
}

int bedrock_sigv4_uri_encode(char *out, size_t out_size, size_t *out_len,
			     const char *in, size_t in_len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i, n = 0;

	if (!in && in_len)
		return BEDROCK_EINVAL;
	for (i = 0; i < in_len; i++)
		n += is_unreserved((unsigned char)in[i]) ? 1 : 3;
	if (out_len)
		*out_len = n;
	if (!out)
		return out_size == 0 && out_len ? 0 : BEDROCK_EINVAL;
	if (out_size <= n)
		return BEDROCK_ELIMIT;
	for (i = 0, n = 0; i < in_len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_unreserved(c)) {
			out[n++] = (char)c;
		} else {
			out[n++] = '%';
			out[n++] = hex[c >> 4];
			out[n++] = hex[c & 15];
		}
	}
	out[n] = '\0';
	return 0;
}

/* Removes empty, "." and ".." segments (RFC 3986 5.2.4 plus the empty ones
 * SigV4 also drops) and keeps a trailing slash: "//a/./b/../" -> "/a/". */
static void normalize_path(bedrock_buf *out, const char *path, size_t len)
{
	size_t i = 0;

	bedrock__buf_clear(out);
	while (i < len) {
		size_t start, seg;

		while (i < len && path[i] == '/')
			i++;
		start = i;
		while (i < len && path[i] != '/')
			i++;
		seg = i - start;
		if (seg == 0 || (seg == 1 && path[start] == '.'))
			continue;
		if (seg == 2 && path[start] == '.' && path[start + 1] == '.') {
			while (out->len > 0 && out->ptr[out->len - 1] != '/')
				out->len--;
			if (out->len > 0)
				out->len--;
			if (out->ptr)
				out->ptr[out->len] = '\0';
			continue;
		}
		bedrock__buf_putc(out, '/');
		bedrock__buf_put(out, path + start, seg);
	}
	if (out->len == 0)
		bedrock__buf_putc(out, '/');
	else if (len > 0 && path[len - 1] == '/')
		bedrock__buf_putc(out, '/');
}

void bedrock__sigv4_canonical_uri(bedrock_buf *out, bedrock_buf *work,
				  const char *path, size_t len,
				  int normalize, int double_encode)
{
	if (normalize) {
		normalize_path(work, path, len);
		if (work->oom) {
			out->oom = 1;
			return;
		}
		path = work->ptr;
		len = work->len;
	} else if (len == 0) {
		path = "/";
		len = 1;
	}
	if (double_encode)
		bedrock__sigv4_encode(out, path, len, 1);
	else
		bedrock__buf_put(out, path, len);
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

void bedrock__sigv4_recode(bedrock_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;
		char c;

		if (s[i] != '%' || len - i < 3)
			continue;
		hi = hexval(s[i + 1]);
		lo = hexval(s[i + 2]);
		if (hi < 0 || lo < 0)
			continue;
		bedrock__sigv4_encode(out, s + run, i - run, 0);
		c = (char)(hi * 16 + lo);
		bedrock__sigv4_encode(out, &c, 1, 0);
		i += 2;
		run = i + 1;
	}
	bedrock__sigv4_encode(out, s + run, len - run, 0);
}
