/* SigV4 percent-encoding: path labels, the canonical URI, query values. */
#include <string.h>

#include "sigv4_private.h"
#include "urlcode.h"

int bedrock_sigv4_uri_encode(char *out, size_t out_size, size_t *out_len,
			     const char *in, size_t in_len)
{
	size_t n;

	if (!in && in_len)
		return BEDROCK_EINVAL;
	n = bedrock__url_encode(NULL, in, in_len, 0);
	if (out_len)
		*out_len = n;
	if (!out)
		return out_size == 0 && out_len ? 0 : BEDROCK_EINVAL;
	if (out_size <= n)
		return BEDROCK_ELIMIT;
	bedrock__url_encode(out, in, in_len, 0);
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
		bedrock__url_encode_buf(out, path, len, BEDROCK__URL_KEEP_SLASH);
	else
		bedrock__buf_put(out, path, len);
}

void bedrock__sigv4_recode(bedrock_buf *out, const char *s, size_t len)
{
	size_t i, run = 0;

	for (i = 0; i < len; i++) {
		int hi, lo;
		char c;

		if (s[i] != '%' || len - i < 3)
			continue;
		hi = bedrock__hexval(s[i + 1]);
		lo = bedrock__hexval(s[i + 2]);
		if (hi < 0 || lo < 0)
			continue;
		bedrock__url_encode_buf(out, s + run, i - run, 0);
		c = (char)(hi * 16 + lo);
		bedrock__url_encode_buf(out, &c, 1, 0);
		i += 2;
		run = i + 1;
	}
	bedrock__url_encode_buf(out, s + run, len - run, 0);
}
