/* A relayed stream: its transfer runs on the upstream loop (gw_driver.c),
 * which re-frames each event for the front (gw_reframe.c) into the
 * stream's buffer as it comes, and the serving layer sends that buffer
 * through a non-blocking body, woken when there is more. No thread waits
 * on an open stream. The request's own thread waits only for the first
 * result, which decides: an error there may still fail over, as nothing
 * reached the client. A slow client holds the upstream back (the
 * transfer is paused while the buffer is full). An upstream failure after
 * the first byte becomes the front's in-stream error and the response ends
 * there; the text already sent stands. */
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
enum { RUNNING, ENDED, CUT };

typedef struct sbody {
	gw_task open_task, unpause_task, close_task;
	gw_driver *drv;
	gw_exchange *x;
	gw_reframer *rf;
	gw_metrics *m;
	/* The opening's arguments, the waiting thread's. */
	bedrock_client *client;
	const gw_upstream_body *b;
	/* The loop's thread only. */
	bedrock_stream *st;

	pthread_mutex_t lock;
	pthread_cond_t opened;		/* phase left OPENING */
	int phase;
	int open_rc;
	bedrock_error_info open_err;
	uint8_t *buf;			/* re-framed bytes for the client */
	size_t len, cap, off;
	int state;
	int held;			/* the transfer is paused */
	int unpause_posted;
	struct serve_wake *waker;		/* NULL until attach, and after close */
	int completed;
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

/* What the client has taken leaves the buffer before more is added. */
static void compact(sbody *s)
{
	if (!s->off)
		return;
	memmove(s->buf, s->buf + s->off, s->len - s->off);
	s->len -= s->off;
	s->off = 0;
}

static void take(sbody *s, const bedrock_event *ev)
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
static void failed(sbody *s, int rc, const bedrock_error_info *e)
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
static void drain(sbody *s)
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

/* The loop's thread: the stream may have news. */
static void on_ready(void *arg, bedrock_stream *st)
{
	sbody *s = arg;
	bedrock_error_info e;
	bedrock_event ev;
	int rc;

	(void)st;
	pthread_mutex_lock(&s->lock);
	if (s->phase == OPENING) {
		memset(&e, 0, sizeof(e));
		rc = bedrock_stream_next(&ev, s->st, &e);
		if (rc == BEDROCK_EAGAIN) {
			pthread_mutex_unlock(&s->lock);
			return;
		}
		snprintf(s->x->up_request_id, sizeof(s->x->up_request_id), "%s",
			 bedrock_stream_request_id(s->st));
		if (rc && rc != BEDROCK_ITEROVER) {
			/* Nothing reached the client: the waiting thread may
			 * fail over. It owns s from here. */
			bedrock_stream_free(s->st);
			s->st = NULL;
			s->phase = FAILED;
			s->open_rc = rc;
			s->open_err = e;
			pthread_cond_signal(&s->opened);
			pthread_mutex_unlock(&s->lock);
			return;
		}
		s->phase = OPENED;
		if (rc == BEDROCK_ITEROVER)
			s->state = ENDED;
		else
			take(s, &ev);
		pthread_cond_signal(&s->opened);
	}
	drain(s);
	pthread_mutex_unlock(&s->lock);
}

static void run_open(gw_task *t, gw_driver *d)
{
	sbody *s = (sbody *)((char *)t - offsetof(sbody, open_task));
	const gw_upstream_body *b = s->b;
	bedrock_stream *st = NULL;
	bedrock_error_info e;
	int rc;

	memset(&e, 0, sizeof(e));
	if (s->x->route.op == GW_OP_CONVERSE_STREAM)
		rc = bedrock_multi_converse_stream(&st, gw_driver_multi(d), s->client,
						   s->x->up_model, b->body, b->len, NULL, &e);
	else
		rc = bedrock_multi_messages_stream(&st, gw_driver_multi(d), s->client,
						   s->x->up_model, b->body, b->len, b->betas, NULL,
						   &e);
	if (rc) {
		pthread_mutex_lock(&s->lock);
		s->phase = FAILED;
		s->open_rc = rc;
		s->open_err = e;
		pthread_cond_signal(&s->opened);
		pthread_mutex_unlock(&s->lock);
		return;
	}
	s->st = st;
	bedrock_stream_on_ready(st, on_ready, s);
	on_ready(s, st);
}

static void run_unpause(gw_task *t, gw_driver *d)
{
	sbody *s = (sbody *)((char *)t - offsetof(sbody, unpause_task));

	(void)d;
	pthread_mutex_lock(&s->lock);
	s->unpause_posted = 0;
	s->held = 0;
	pthread_mutex_unlock(&s->lock);
	if (s->st)
		bedrock_stream_pause(s->st, 0);	/* its news comes through on_ready */
	on_ready(s, s->st);
}

static void sbody_dispose(sbody *s)
{
	gw_reframer_free(s->rf);
	free(s->buf);
	pthread_mutex_destroy(&s->lock);
	pthread_cond_destroy(&s->opened);
	free(s);
}

static void run_close(gw_task *t, gw_driver *d)
{
	sbody *s = (sbody *)((char *)t - offsetof(sbody, close_task));
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
	sbody_dispose(s);
	gw_exchange_finish(x);
}

/* The serving layer's side (its thread): never blocks. */
static long sbody_read(void *self, void *out, size_t max)
{
	sbody *s = self;
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

static void sbody_attach(void *self, struct serve_wake *w)
{
	sbody *s = self;

	pthread_mutex_lock(&s->lock);
	s->waker = w;
	pthread_mutex_unlock(&s->lock);
}

static void sbody_close(void *self, int completed)
{
	sbody *s = self;

	/* No wake after this: the loop wakes only under the lock. */
	pthread_mutex_lock(&s->lock);
	s->waker = NULL;
	s->completed = completed;
	pthread_mutex_unlock(&s->lock);
	gw_driver_post(s->drv, &s->close_task);
}

int gw_stream_start(serve_response *out, gw_exchange *x, gw_upstream_rt *u,
		    const gw_upstream_body *b, bedrock_error_info *e)
{
	sbody *s = calloc(1, sizeof(*s));
	int rc;

	if (!s || gw_reframer_new(&s->rf, x->route.front, u->cfg->platform)) {
		free(s);
		snprintf(e->message, sizeof(e->message), "out of memory");
		return e->code = BEDROCK_ENOMEM;
	}
	pthread_mutex_init(&s->lock, NULL);
	pthread_cond_init(&s->opened, NULL);
	s->open_task.run = run_open;
	s->unpause_task.run = run_unpause;
	s->close_task.run = run_close;
	s->drv = gw_gateway_driver(x->g);
	s->x = x;
	s->m = gw_gateway_metrics(x->g);
	s->client = u->client;
	s->b = b;
	s->phase = OPENING;
	gw_driver_post(s->drv, &s->open_task);
	pthread_mutex_lock(&s->lock);
	while (s->phase == OPENING)
		pthread_cond_wait(&s->opened, &s->lock);
	rc = s->phase == FAILED ? s->open_rc : 0;
	if (rc)
		*e = s->open_err;
	pthread_mutex_unlock(&s->lock);
	if (rc) {
		/* The loop let go of s when it said FAILED. */
		sbody_dispose(s);
		return rc;
	}
	s->b = NULL;
	gw_metrics_inflight(s->m, 1);
	out->streaming = 1;
	out->body.read = sbody_read;
	out->body.attach = sbody_attach;
	out->body.close = sbody_close;
	out->body.self = s;
	return 0;
}
