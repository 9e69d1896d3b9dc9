#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "serve.h"

void serve_response_init(serve_response *r, int status)
{
	memset(r, 0, sizeof(*r));
	r->status = status;
}

int serve_response_header(serve_response *r, const char *name, const char *value)
{
	serve_header *h = realloc(r->headers, (r->header_count + 1) * sizeof(*h));

	if (!h)
		return -1;
	r->headers = h;
	h[r->header_count].name = strdup(name);
	h[r->header_count].value = strdup(value);
	if (!h[r->header_count].name || !h[r->header_count].value) {
		free(h[r->header_count].name);
		free(h[r->header_count].value);
		return -1;
	}
	r->header_count++;
	return 0;
}

int serve_response_piece(serve_response *r, const void *data, size_t len, unsigned delay_ms)
{
	serve_piece *p = realloc(r->pieces, (r->piece_count + 1) * sizeof(*p));

	if (!p)
		return -1;
	r->pieces = p;
	p[r->piece_count].data = malloc(len ? len : 1);
	if (!p[r->piece_count].data)
		return -1;
	if (len)
		memcpy(p[r->piece_count].data, data, len);
	p[r->piece_count].len = len;
	p[r->piece_count].delay_ms = delay_ms;
	r->piece_count++;
	return 0;
}

void serve_response_done(serve_response *r, int sent)
{
	void (*done)(void *, int) = r->done;

	r->done = NULL;
	if (done)
		done(r->done_arg, sent);
}

void serve_response_dispose(serve_response *r)
{
	struct serve_later *later = r->later;
	size_t i;

	for (i = 0; i < r->header_count; i++) {
		free(r->headers[i].name);
		free(r->headers[i].value);
	}
	for (i = 0; i < r->piece_count; i++)
		free(r->pieces[i].data);
	free(r->headers);
	free(r->pieces);
	memset(r, 0, sizeof(*r));
	/* A handler that asked to answer later may dispose what it began. */
	r->later = later;
}

const char *serve_request_header(const serve_request *req, const char *name)
{
	size_t i;

	for (i = 0; i < req->header_count; i++)
		if (!strcasecmp(req->headers[i].name, name))
			return req->headers[i].value;
	return NULL;
}

int serve_body_append(uint8_t **body, size_t *len, size_t *cap, const void *data, size_t n)
{
	if (*len + n > *cap) {
		/* Small first: an allocation of 1 KiB or more makes glibc
		 * consolidate its fast bins, a cost most bodies (a few hundred
		 * bytes) need not pay. */
		size_t c = *cap ? *cap : 512;
		uint8_t *b;

		while (c < *len + n)
			c *= 2;
		b = realloc(*body, c);
		if (!b)
			return -1;
		*body = b;
		*cap = c;
	}
	memcpy(*body + *len, data, n);
	*len += n;
	return 0;
}
