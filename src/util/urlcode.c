/* Percent-encoding and decoding (urlcode.h). */
#include <string.h>

#include "urlcode.h"

int bedrock__hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* RFC 3986 unreserved: the only bytes SigV4 leaves unencoded. */
static int is_unreserved(unsigned char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (c >= '0' && c <= '9') || c == '-' || c == '.' || c == '_' || c == '~';
}

size_t bedrock__url_encode(char *out, const char *in, size_t len, unsigned flags)
{
	static const char hex[] = "0123456789ABCDEF";
	int keep_slash = (flags & BEDROCK__URL_KEEP_SLASH) != 0;
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)in[i];

		if (is_unreserved(c) || (keep_slash && c == '/')) {
			if (out)
				out[n] = (char)c;
			n++;
		} else {
			if (out) {
				out[n] = '%';
				out[n + 1] = hex[c >> 4];
				out[n + 2] = hex[c & 15];
			}
			n += 3;
		}
	}
	if (out)
		out[n] = '\0';
	return n;
}

void bedrock__url_encode_buf(bedrock_buf *b, const char *in, size_t len, unsigned flags)
{
	size_t n = bedrock__url_encode(NULL, in, len, flags);

	if (bedrock__buf_grow(b, n))
		return;
	b->len += bedrock__url_encode(b->ptr + b->len, in, len, flags);
}

int bedrock__url_decode(char *out, size_t cap, const char *s, size_t len)
{
	size_t i, n = 0;

	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '%') {
			int hi, lo;

			if (i + 2 >= len)
				return -1;
			hi = bedrock__hexval(s[i + 1]);
			lo = bedrock__hexval(s[i + 2]);
			if (hi < 0 || lo < 0)
				return -1;
			c = (char)(hi * 16 + lo);
			i += 2;
		}
		if (c == '\0' || n + 1 >= cap)
			return -1;
		out[n++] = c;
	}
	if (cap == 0)
		return -1;
	out[n] = '\0';
	return 0;
}

int bedrock__query_param(char *out, size_t cap, const char *query, const char *name)
{
	size_t nl = strlen(name);
	const char *p = query;

	while (p && *p) {
		const char *end = strchr(p, '&');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		if (len > nl && !strncmp(p, name, nl) && p[nl] == '=')
			return bedrock__url_decode(out, cap, p + nl + 1, len - nl - 1) ? -1 : 1;
		p = end ? end + 1 : NULL;
	}
	return 0;
}
