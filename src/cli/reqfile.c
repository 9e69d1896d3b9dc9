#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "reqfile.h"

/* Headers beyond this are refused: the suite needs a handful, and a bound
 * keeps a fuzzed input from asking for gigabytes. */
#define REQFILE_MAX_HEADERS 1000

static int fail(reqfile *r, const char *msg, size_t line)
{
	snprintf(r->err, sizeof(r->err), "line %zu: %s", line, msg);
	return -1;
}

/* Length of the line at p (without LF and a CR before it); *next is where
 * the following line starts. */
static size_t line_len(const char *p, const char *end, const char **next)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);

	*next = nl ? nl + 1 : end;
	if (n && p[n - 1] == '\r')
		n--;
	return n;
}

static int parse_request_line(reqfile *r, const char *p, size_t n, char **w)
{
	const char *sp1 = memchr(p, ' ', n), *sp2 = NULL, *q;
	size_t i;

	/* The target may contain spaces ("/example space/"): the method ends
	 * at the first space and the version starts after the last one. */
	for (i = n; i > 0; i--)
		if (p[i - 1] == ' ') {
			sp2 = p + i - 1;
			break;
		}
	if (!sp1 || sp1 == p || sp2 == sp1 || (size_t)(sp2 - p) + 1 >= n)
		return fail(r, "not a request line (want 'METHOD TARGET HTTP/1.1')", 1);
	if (sp1[1] != '/')
		return fail(r, "the request target must start with '/'", 1);
	if (memchr(p, '\0', n))
		return fail(r, "NUL byte in the request line", 1);
	r->method = *w;
	memcpy(*w, p, (size_t)(sp1 - p));
	*w += sp1 - p;
	*(*w)++ = '\0';
	q = memchr(sp1 + 1, '?', (size_t)(sp2 - sp1 - 1));
	r->path = *w;
	memcpy(*w, sp1 + 1, (size_t)((q ? q : sp2) - sp1 - 1));
	*w += (q ? q : sp2) - sp1 - 1;
	*(*w)++ = '\0';
	if (q) {
		r->query = *w;
		memcpy(*w, q + 1, (size_t)(sp2 - q - 1));
		*w += sp2 - q - 1;
		*(*w)++ = '\0';
	}
	r->version = *w;
	memcpy(*w, sp2 + 1, n - (size_t)(sp2 - p) - 1);
	*w += n - (size_t)(sp2 - p) - 1;
	*(*w)++ = '\0';
	return 0;
}

int reqfile_parse(reqfile *r, const char *data, size_t len)
{
	const char *p = data, *end = data + len, *next, *headers_start;
	size_t n, line = 1, cap = 0;
	char *w;

	memset(r, 0, sizeof(*r));
	if (!data || len == 0)
		return fail(r, "empty request", 1);
	/* Everything parsed fits in len bytes plus a NUL per field. */
	r->mem = malloc(len + 8);
	if (!r->mem)
		return fail(r, "out of memory", 1);
	w = r->mem;
	n = line_len(p, end, &next);
	if (parse_request_line(r, p, n, &w))
		return -1;
	p = headers_start = next;
	while (p < end) {
		line++;
		n = line_len(p, end, &next);
		if (n == 0)
			break;
		if (memchr(p, '\0', n))
			return fail(r, "NUL byte in a header", line);
		if (*p == ' ' || *p == '\t') {
			bedrock_sigv4_header *h;

			/* obs-fold: the line continues the previous value. */
			if (!r->header_count)
				return fail(r, "continuation line before any header", line);
			h = &r->headers[r->header_count - 1];
			*w++ = ' ';
			memcpy(w, p, n);
			w += n;
			h->value_len += 1 + n;
		} else {
			const char *colon = memchr(p, ':', n);
			bedrock_sigv4_header *h;

			if (!colon || colon == p)
				return fail(r, "header without a name and ':'", line);
			if (r->header_count == REQFILE_MAX_HEADERS)
				return fail(r, "too many headers", line);
			if (r->header_count == cap) {
				size_t ncap = cap ? cap * 2 : 8;
				void *np = realloc(r->headers, ncap * sizeof(*r->headers));

				if (!np)
					return fail(r, "out of memory", line);
				r->headers = np;
				cap = ncap;
			}
			h = &r->headers[r->header_count++];
			memcpy(w, p, n);
			h->name = w;
			h->name_len = (size_t)(colon - p);
			h->value = w + h->name_len + 1;
			h->value_len = n - h->name_len - 1;
			w += n;
		}
		p = next;
	}
	r->raw_headers = headers_start;
	r->raw_headers_len = (size_t)(p - headers_start);
	if (p < end) {
		/* p is at the blank line. */
		line_len(p, end, &next);
		r->body = (const unsigned char *)next;
		r->body_len = (size_t)(end - next);
	}
	return 0;
}

void reqfile_dispose(reqfile *r)
{
	free(r->mem);
	free(r->headers);
	memset(r, 0, sizeof(*r));
}
