/* A relayed stream as a response body: each read pulls upstream events
 * until one yields bytes for the front (re-framed by gw_reframe.c), so the
 * client gets every event as it comes and nothing is buffered beyond one
 * event. An upstream failure after the first byte becomes the front's
 * in-stream error and the response ends there; the text already sent
 * stands. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gw_internal.h"

enum { RUNNING, ENDED, CUT };

typedef struct sbody {
	gw_exchange *x;
	bedrock_stream *st;
	gw_reframer *rf;
	gw_metrics *m;
	uint8_t *buf;
	size_t len, cap, off;
	int state;
} sbody;

/* bodies: true only: the answer's text for the activity log. */
static void keep_text(sbody *s, const bedrock_event *ev)
{
	cJSON *t, *d, *v;

	if (!s->x->gen->cfg->activity_log.bodies)
		return;
	if (ev->text) {
		gw_exchange_text(s->x, ev->text, ev->text_len);
		return;
	}
	if (!ev->type || strcmp(ev->type, "content_block_delta") || !ev->json)
		return;
	t = cJSON_ParseWithLength(ev->json, ev->json_len);
	d = t ? cJSON_GetObjectItemCaseSensitive(t, "delta") : NULL;
	v = d ? cJSON_GetObjectItemCaseSensitive(d, "text") : NULL;
	if (cJSON_IsString(v))
		gw_exchange_text(s->x, v->valuestring, strlen(v->valuestring));
	cJSON_Delete(t);
}

static void take(sbody *s, const bedrock_event *ev)
{
	if (gw_reframe_event(s->rf, &s->buf, &s->len, &s->cap, ev)) {
		s->state = CUT;
		snprintf(s->x->error_type, sizeof(s->x->error_type), "internal");
		return;
	}
	keep_text(s, ev);
}

/* Refills buf with the next bytes for the client, or changes state. */
static void fill(sbody *s)
{
	bedrock_error_info e;
	bedrock_event ev;
	int rc;

	s->len = s->off = 0;
	while (!s->len && s->state == RUNNING) {
		uint64_t t = gw_now_ns();

		memset(&e, 0, sizeof(e));
		rc = bedrock_stream_next(&ev, s->st, &e);
		s->x->upstream_ns += gw_now_ns() - t;
		if (!rc) {
			take(s, &ev);
		} else if (rc == BEDROCK_ITEROVER) {
			s->state = ENDED;
		} else if (rc == BEDROCK_ECANCELED) {
			s->state = CUT;
		} else {
			s->state = gw_reframe_error(s->rf, &s->buf, &s->len, &s->cap, &e) ? CUT
											  : ENDED;
			/* The activity log's vocabulary (docs/gateway.md), as a
			 * failure before the first byte is named in gw_relay.c. */
			snprintf(s->x->error_type, sizeof(s->x->error_type), "%s",
				 e.aws_code[0] ? e.aws_code
				 : rc == BEDROCK_ETIMEOUT ? "timeout"
				 : rc == BEDROCK_EIO ? "connection_failed" : "upstream_error");
		}
	}
}

static long sbody_read(void *self, void *out, size_t max)
{
	sbody *s = self;
	size_t n;

	if (s->off == s->len) {
		if (s->state != RUNNING)
			return s->state == CUT ? -1 : 0;
		fill(s);
		if (!s->len)
			return s->state == CUT ? -1 : 0;
	}
	n = s->len - s->off < max ? s->len - s->off : max;
	memcpy(out, s->buf + s->off, n);
	s->off += n;
	if (s->x->ttft_ms < 0)
		s->x->ttft_ms = (double)(gw_now_ns() - s->x->t0_ns) / 1e6;
	return (long)n;
}

static void sbody_cancel(void *self)
{
	bedrock_stream_cancel(((sbody *)self)->st);
}

static void sbody_close(void *self, int completed)
{
	sbody *s = self;
	gw_exchange *x = s->x;

	gw_reframer_usage(s->rf, &x->in_tok, &x->out_tok, &x->cache_read_tok, &x->cache_write_tok);
	if (!completed || s->state == CUT) {
		x->status = 0;
		if (!x->error_type[0])
			snprintf(x->error_type, sizeof(x->error_type), "client_closed");
	}
	gw_metrics_inflight(s->m, -1);
	bedrock_stream_free(s->st);
	gw_reframer_free(s->rf);
	free(s->buf);
	free(s);
	gw_exchange_finish(x);
}

int gw_stream_body(serve_response *out, gw_exchange *x, bedrock_stream *st, gw_reframer *rf,
		   const bedrock_event *first)
{
	sbody *s = calloc(1, sizeof(*s));

	if (!s) {
		bedrock_stream_free(st);
		gw_reframer_free(rf);
		return -1;
	}
	s->x = x;
	s->st = st;
	s->rf = rf;
	s->m = gw_gateway_metrics(x->g);
	if (first)
		take(s, first);
	else
		s->state = ENDED;
	gw_metrics_inflight(s->m, 1);
	out->streaming = 1;
	out->body.read = sbody_read;
	out->body.cancel = sbody_cancel;
	out->body.close = sbody_close;
	out->body.self = s;
	return 0;
}
