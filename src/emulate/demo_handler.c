/* TEMPORARY: the demo routes that let the network layer be tested before
 * the Bedrock handler exists. Replace, do not grow. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "demo_handler.h"

/* Caps keep a hostile query from asking for a plan of unbounded size. */
#define DEMO_MAX_PIECES 100000
#define DEMO_MAX_DELAY_MS 60000

static unsigned query_uint(const char *query, const char *key, unsigned dflt, unsigned max)
{
	size_t kl = strlen(key);
	const char *p = query;

	while (p && *p) {
		if (!strncmp(p, key, kl) && p[kl] == '=') {
			unsigned long v = strtoul(p + kl + 1, NULL, 10);

			return v > max ? max : (unsigned)v;
		}
		p = strchr(p, '&');
		if (p)
			p++;
	}
	return dflt;
}

static void pieces(serve_response *out, unsigned n, unsigned ms)
{
	char line[32];
	unsigned i;

	for (i = 0; i < n; i++) {
		int len = snprintf(line, sizeof(line), "piece %u\n", i);

		if (serve_response_piece(out, line, (size_t)len, ms))
			return;
	}
}

void emu_demo_handler(serve_response *out, const serve_request *req, void *payload)
{
	int post = !strcmp(req->method, "POST");
	static const char ok[] = "{\"ok\":true}";

	(void)payload;
	if (!strcmp(req->method, "GET") && !strcmp(req->path, "/__health")) {
		out->status = 200;
		serve_response_header(out, "Content-Type", "application/json");
		serve_response_piece(out, ok, sizeof(ok) - 1, 0);
	} else if (post && !strcmp(req->path, "/echo")) {
		const char *ct = serve_request_header(req, "Content-Type");

		out->status = 200;
		serve_response_header(out, "Content-Type", ct ? ct : "application/octet-stream");
		serve_response_piece(out, req->body, req->body_len, 0);
	} else if (post && !strcmp(req->path, "/stream")) {
		out->status = 200;
		out->streaming = 1;
		serve_response_header(out, "Content-Type", "text/plain");
		pieces(out, query_uint(req->query, "n", 3, DEMO_MAX_PIECES),
		       query_uint(req->query, "ms", 100, DEMO_MAX_DELAY_MS));
	} else if (post && !strcmp(req->path, "/reset")) {
		out->reset_before_headers = 1;
	} else if (post && !strcmp(req->path, "/reset-after")) {
		out->status = 200;
		out->streaming = 1;
		out->end = SERVE_END_RESET;
		serve_response_header(out, "Content-Type", "text/plain");
		pieces(out, query_uint(req->query, "n", 2, DEMO_MAX_PIECES), 50);
	} else {
		static const char nf[] = "{\"message\":\"not found\"}";

		out->status = 404;
		serve_response_header(out, "Content-Type", "application/json");
		serve_response_piece(out, nf, sizeof(nf) - 1, 0);
	}
}
