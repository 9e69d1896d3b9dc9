/* The gateway's routing and translation on arbitrary bytes: the first
 * line is "METHOD PATH[?QUERY]", the rest a body. The route is parsed;
 * a body is rendered for every upstream platform (and a beta dropped);
 * the body is also read as an SSE stream and as an event stream and
 * re-framed event by event for every front, with an in-stream error at
 * the end; and an error response is written in the route's front's shape.
 * Nothing may crash, leak or break the invariants the gateway relies on. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/eventstream.h>
#include <bedrock/sse.h>

#include "gw_translate.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void reframe_all(const uint8_t *body, size_t len, int sse)
{
	static const bedrock_platform p[] = { BEDROCK_PLATFORM_BEDROCK, BEDROCK_PLATFORM_ANTHROPIC,
					      BEDROCK_PLATFORM_VERTEX };
	size_t f;

	for (f = 0; f < 3; f++) {
		bedrock_platform up = sse ? p[1 + f % 2] : BEDROCK_PLATFORM_BEDROCK;
		gw_reframer *r;
		uint8_t *buf = NULL;
		size_t blen = 0, cap = 0, n = 0;
		bedrock_error_info e;
		bedrock_event ev;

		if (gw_reframer_new(&r, p[f], up))
			return;
		if (sse) {
			bedrock_sse_decoder *d;
			bedrock_sse_event s;

			if (bedrock_sse_decoder_new(&d, NULL) == 0) {
				bedrock_sse_decoder_feed(d, body, len);
				while (n++ < 256 && bedrock_sse_decoder_next(&s, d) == 0) {
					memset(&ev, 0, sizeof(ev));
					ev.event_type = ev.type = s.event;
					ev.json = s.data;
					ev.json_len = s.data_len;
					gw_reframe_event(r, &buf, &blen, &cap, &ev);
				}
				bedrock_sse_decoder_free(d);
			}
		} else {
			bedrock_event_reader *rd;
			int rc;

			if (bedrock_event_reader_new(&rd, NULL) == 0) {
				bedrock_event_reader_feed(rd, body, len);
				while (n++ < 256 && ((rc = bedrock_event_reader_next(&ev, rd)) == 0))
					gw_reframe_event(r, &buf, &blen, &cap, &ev);
				bedrock_event_reader_free(rd);
			}
		}
		memset(&e, 0, sizeof(e));
		memcpy(e.aws_code, body, len < sizeof(e.aws_code) - 1 ? len : sizeof(e.aws_code) - 1);
		e.aws_code[strnlen(e.aws_code, sizeof(e.aws_code) - 1)] = '\0';
		e.http_status = len ? body[0] * 3 : 0;
		if (gw_reframe_error(r, &buf, &blen, &cap, &e) || blen > cap)
			__builtin_trap();
		free(buf);
		gw_reframer_free(r);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *nl = memchr(data, '\n', size);
	char line[4096], *sp, *q, *path, *query = "";
	serve_request req;
	serve_response resp;
	gw_route route;
	uint64_t a, b, c, d;
	size_t n = nl ? (size_t)(nl - data) : size;
	int rc, i;

	if (n >= sizeof(line))
		return 0;
	memcpy(line, data, n);
	line[n] = '\0';
	if (strlen(line) != n)
		return 0;
	sp = strchr(line, ' ');
	if (!sp)
		return 0;
	*sp = '\0';
	path = sp + 1;
	if ((q = strchr(path, '?')) != NULL) {
		*q = '\0';
		query = q + 1;
	}
	rc = gw_route_parse(&route, line, path, query);
	if (rc != 0 && rc != -1 && rc != -2)
		__builtin_trap();
	if (strlen(route.model) >= sizeof(route.model) || !route.op_name ||
	    (rc != 0 && route.op != GW_OP_NONE))
		__builtin_trap();
	memset(&req, 0, sizeof(req));
	req.method = line;
	req.path = path;
	req.query = query;
	req.body = nl ? nl + 1 : (const uint8_t *)"";
	req.body_len = nl ? size - n - 1 : 0;
	if (rc == 0 && route.op >= GW_OP_MESSAGES && route.op <= GW_OP_COUNT_TOKENS) {
		for (i = 0; i < 3; i++) {
			gw_upstream_body ub;
			char err[256];

			if (gw_body_for_upstream(&ub, &route, &req, (bedrock_platform)i, err,
						 sizeof(err)) == 0) {
				if (!ub.body || strlen(ub.body) > ub.len)
					__builtin_trap();
				gw_body_drop_beta(&ub, (bedrock_platform)i, "b1");
				gw_upstream_body_dispose(&ub);
			} else if (ub.body || !err[0]) {
				__builtin_trap();
			}
		}
	}
	gw_usage_of_body(&a, &b, &c, &d, (const char *)req.body, req.body_len);
	reframe_all(req.body, req.body_len, 1);
	reframe_all(req.body, req.body_len, 0);
	serve_response_init(&resp, 500);
	if (gw_error_response(&resp, route.front, (gw_error_kind)(size % 12), NULL, NULL,
			      (unsigned)(size % 3), "r") || resp.status < 400)
		__builtin_trap();
	serve_response_dispose(&resp);
	return 0;
}
