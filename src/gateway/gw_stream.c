/* A relayed stream: its transfer runs on the upstream loop (gw_driver.c),
 * which re-frames each event for the front (gw_reframe.c) into the
 * stream's buffer as it comes, and the serving layer sends that buffer
 * through a non-blocking body, woken when there is more. No thread waits
 * on a stream, opening or open. The first result decides, and is told to
 * the opener's callback on the loop: an error there may still fail over
 * (gw_open.c), as nothing reached the client. A slow client holds the
 * upstream back (the transfer is paused while the buffer is full). An
 * upstream failure after the first byte becomes the front's in-stream
 * error and the response ends there; the text already sent stands. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gw_driver.h"
#include "gw_internal.h"

/* The transfer is paused when this much waits for the client, and goes on
 * when the client has taken all but LOW of it. */
#define HIGH (32 * 1024)
#define LOW (8 * 1024)

enum { OPENING, OPENED, FAILED };

/* The opener's callback: 0 and s (then gw_stream_body), or the error. */
enum { RUNNING, ENDED, CUT };

struct gw_stream {
	gw_task open_task, unpause_task, close_task;
	gw_driver *drv;
	gw_exchange *x;
	gw_reframer *rf;
	gw_metrics *m;
	/* The opening's arguments, and whom to tell. */
	bedrock_client *client;
	const gw_upstream_body *b;
	gw_stream_opened_fn opened;
	void *opened_arg;
	/* The loop's thread only. */
	bedrock_stream *st;

	pthread_mutex_t lock;
	int phase;			/* the loop's thread */
	int aborted;			/* gw_stream_abort before the open task ran */
	uint8_t *buf;			/* re-framed bytes for the client */
	size_t len, cap, off;
	int state;
	int held;			/* the transfer is paused */
	int unpause_posted;
	struct serve_wake *waker;		/* NULL until attach, and after close */
	int completed;
};

/* bodies: true only: the answer's text for the activity log. */
static void keep_text(gw_stream *s, const bedrock_event *ev)
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

/* What the client has taken leaves the buffer before more is added. */
static void compact(gw_stream *s)
{
	if (!s->off)
		return;
	memmove(s->buf, s->buf + s->off, s->len - s->off);
	s->len -= s->off;
	s->off = 0;
}

static void take(gw_stream *s, const bedrock_event *ev)
{
	compact(s);
	if (gw_reframe_event(s->rf, &s->buf, &s->len, &s->cap, ev)) {
		s->state = CUT;
		snprintf(s->x->error_type, sizeof(s->x->error_type), "internal");
		return;
	}
	keep_text(s, ev);
}

/* The upstream failed after the first byte: the front's in-stream error. */
static void failed(gw_stream *s, int rc, const bedrock_error_info *e)
{
	if (rc == BEDROCK_ECANCELED) {
		s->state = CUT;
		return;
	}
	compact(s);
	s->state = gw_reframe_error(s->rf, &s->buf, &s->len, &s->cap, e) ? CUT : ENDED;
	/* The activity log's vocabulary (docs/gateway.md), as a failure
	 * before the first byte is named in gw_relay.c. */
	snprintf(s->x->error_type, sizeof(s->x->error_type), "%s",
		 e->aws_code[0] ? e->aws_code
		 : rc == BEDROCK_ETIMEOUT ? "timeout"
		 : rc == BEDROCK_EIO ? "connection_failed" : "upstream_error");
}

/* The loop's thread, under s->lock: events into the buffer until it is
 * full, the upstream has nothing more for now, or the stream is over. */
static void drain(gw_stream *s)
{
	bedrock_error_info e;
	bedrock_event ev;
	int rc;

	while (s->state == RUNNING && s->len - s->off < HIGH) {
		memset(&e, 0, sizeof(e));
		rc = bedrock_stream_next(&ev, s->st, &e);
		if (rc == BEDROCK_EAGAIN)
			break;
		if (!rc)
			take(s, &ev);
		else if (rc == BEDROCK_ITEROVER)
			s->state = ENDED;
		else
			failed(s, rc, &e);
	}
	if (s->state != RUNNING) {
		/* Its socket goes back now, not when the client has read. */
		bedrock_stream_free(s->st);
		s->st = NULL;
	} else if (s->len - s->off >= HIGH && !s->held) {
		s->held = 1;
		bedrock_stream_pause(s->st, 1);
	}
	if (s->waker && (s->len > s->off || s->state != RUNNING))
		serve_wake(s->waker);
}

static void stream_dispose(gw_stream *s);

/* The opening failed: the opener is told, and s is gone. */
static void open_failed(gw_stream *s, int rc, const bedrock_error_info *e)
{
	gw_stream_opened_fn fn = s->opened;
	void *arg = s->opened_arg;
	bedrock_error_info copy = *e;

	bedrock_stream_free(s->st);
	s->st = NULL;
	stream_dispose(s);
	fn(arg, rc, &copy, NULL);
}

static void aborted(bedrock_error_info *e)
{
	memset(e, 0, sizeof(*e));
	e->code = BEDROCK_ECANCELED;
	snprintf(e->message, sizeof(e->message), "the client went away before the answer");
}

/* The loop's thread: the stream may have news. */
static void on_ready(void *arg, bedrock_stream *st)
{
	gw_stream *s = arg;
	bedrock_error_info e;
	bedrock_event ev;
	int rc;

	(void)st;
	if (s->phase == OPENING) {
		memset(&e, 0, sizeof(e));
		rc = bedrock_stream_next(&ev, s->st, &e);
		if (rc == BEDROCK_EAGAIN)
			return;
		snprintf(s->x->up_request_id, sizeof(s->x->up_request_id), "%s",
			 bedrock_stream_request_id(s->st));
		if (rc && rc != BEDROCK_ITEROVER) {
			/* Nothing reached the client: the opener may fail over. */
			open_failed(s, rc, &e);
			return;
		}
		s->phase = OPENED;
		pthread_mutex_lock(&s->lock);
		if (rc == BEDROCK_ITEROVER)
			s->state = ENDED;
		else
			take(s, &ev);
		pthread_mutex_unlock(&s->lock);
		/* The opener answers with s's body; the events that came with
		 * the first are drained below, into the buffer. */
		s->opened(s->opened_arg, 0, NULL, s);
	}
	pthread_mutex_lock(&s->lock);
	drain(s);
	pthread_mutex_unlock(&s->lock);
}

static void run_open(gw_task *t, gw_driver *d)
{
	gw_stream *s = (gw_stream *)((char *)t - offsetof(gw_stream, open_task));
	const gw_upstream_body *b = s->b;
	bedrock_stream *st = NULL;
	bedrock_error_info e;
	int rc;

	if (s->aborted) {
		aborted(&e);
		open_failed(s, BEDROCK_ECANCELED, &e);
		return;
	}
	memset(&e, 0, sizeof(e));
	if (s->x->route.op == GW_OP_CONVERSE_STREAM)
		rc = bedrock_multi_converse_stream(&st, gw_driver_multi(d), s->client,
						   s->x->up_model, b->body, b->len, NULL, &e);
	else
		rc = bedrock_multi_messages_stream(&st, gw_driver_multi(d), s->client,
						   s->x->up_model, b->body, b->len, b->betas, NULL,
						   &e);
	/* libcurl copied the body: the opener may let it go. */
	s->b = NULL;
	if (rc) {
		open_failed(s, rc, &e);
		return;
	}
	s->st = st;
	bedrock_stream_on_ready(st, on_ready, s);
	on_ready(s, st);
}

void gw_stream_abort(gw_stream *s)
{
	bedrock_error_info e;

	if (s->phase != OPENING)
		return;
	if (!s->st) {
		/* Its open task is still to run: it ends there. */
		s->aborted = 1;
		return;
	}
	aborted(&e);
	open_failed(s, BEDROCK_ECANCELED, &e);
}

static void run_unpause(gw_task *t, gw_driver *d)
{
	gw_stream *s = (gw_stream *)((char *)t - offsetof(gw_stream, unpause_task));

	(void)d;
	pthread_mutex_lock(&s->lock);
	s->unpause_posted = 0;
	s->held = 0;
	pthread_mutex_unlock(&s->lock);
	if (s->st)
		bedrock_stream_pause(s->st, 0);	/* its news comes through on_ready */
	on_ready(s, s->st);
}

static void stream_dispose(gw_stream *s)
{
	gw_reframer_free(s->rf);
	free(s->buf);
	pthread_mutex_destroy(&s->lock);
	free(s);
}

static void run_close(gw_task *t, gw_driver *d)
{
	gw_stream *s = (gw_stream *)((char *)t - offsetof(gw_stream, close_task));
	gw_exchange *x = s->x;

	(void)d;
	bedrock_stream_free(s->st);
	gw_reframer_usage(s->rf, &x->in_tok, &x->out_tok, &x->cache_read_tok, &x->cache_write_tok);
	if (!s->completed || s->state == CUT) {
		x->status = 0;
		if (!x->error_type[0])
			snprintf(x->error_type, sizeof(x->error_type), "client_closed");
	}
	gw_metrics_inflight(s->m, -1);
	stream_dispose(s);
	gw_finisher_post(gw_gateway_finisher(x->g), x);
}

/* The serving layer's side (its thread): never blocks. */
static long stream_read(void *self, void *out, size_t max)
{
	gw_stream *s = self;
	size_t n;
	long rc;

	pthread_mutex_lock(&s->lock);
	if (s->off < s->len) {
		n = s->len - s->off < max ? s->len - s->off : max;
		memcpy(out, s->buf + s->off, n);
		s->off += n;
		if (s->off == s->len)
			s->len = s->off = 0;
		if (s->x->ttft_ms < 0)
			s->x->ttft_ms = (double)(gw_now_ns() - s->x->t0_ns) / 1e6;
		if (s->held && s->len - s->off <= LOW && !s->unpause_posted) {
			s->unpause_posted = 1;
			gw_driver_post(s->drv, &s->unpause_task);
		}
		rc = (long)n;
	} else {
		rc = s->state == RUNNING ? SERVE_BODY_LATER : s->state == CUT ? -1 : 0;
	}
	pthread_mutex_unlock(&s->lock);
	return rc;
}

static void stream_attach(void *self, struct serve_wake *w)
{
	gw_stream *s = self;

	pthread_mutex_lock(&s->lock);
	s->waker = w;
	pthread_mutex_unlock(&s->lock);
}

static void stream_close(void *self, int completed)
{
	gw_stream *s = self;

	/* No wake after this: the loop wakes only under the lock. */
	pthread_mutex_lock(&s->lock);
	s->waker = NULL;
	s->completed = completed;
	pthread_mutex_unlock(&s->lock);
	gw_driver_post(s->drv, &s->close_task);
}

int gw_stream_open(gw_stream **out, gw_exchange *x, gw_upstream_rt *u, const gw_upstream_body *b,
		   gw_stream_opened_fn opened, void *arg)
{
	gw_stream *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s || gw_reframer_new(&s->rf, x->route.front, u->cfg->platform)) {
		free(s);
		return -1;
	}
	pthread_mutex_init(&s->lock, NULL);
	s->open_task.run = run_open;
	s->unpause_task.run = run_unpause;
	s->close_task.run = run_close;
	s->drv = gw_gateway_driver(x->g);
	s->x = x;
	s->m = gw_gateway_metrics(x->g);
	s->client = u->client;
	s->b = b;
	s->opened = opened;
	s->opened_arg = arg;
	s->phase = OPENING;
	*out = s;
	gw_driver_post(s->drv, &s->open_task);
	return 0;
}

void gw_stream_body(serve_response *out, gw_stream *s)
{
	gw_metrics_inflight(s->m, 1);
	out->streaming = 1;
	out->body.read = stream_read;
	out->body.attach = stream_attach;
	out->body.close = stream_close;
	out->body.self = s;
}
