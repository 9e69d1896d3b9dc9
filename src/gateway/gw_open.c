/* A request through the upstreams, holding no thread while an upstream
 * thinks. The handler admits it (or, when that is a Redis round trip,
 * has gw_finish.c's threads do it), renders its bodies, and returns; the
 * rest runs on an upstream loop (gw_driver.c), one step of the walk
 * (gw_walk.c) per result, until the answer is known: a stream's first
 * event (on the gateway's stream loop), or a whole answer (on the
 * request's own HTTP/1.1 loop when it has one, so that no other thread is
 * involved at all). The answer (the stream, the whole answer, or the last
 * error in the front's shape) goes to the client through
 * serve_later_answer. If the client leaves first, the attempt in progress
 * is ended at once. A listing from an upstream (models, profiles) goes the
 * same way, down the upstreams of its platform. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_driver.h"
#include "gw_internal.h"

typedef struct opener {
	gw_task start_task, cancel_task;
	gw_job admit_job;		/* a Redis admission, off the loops */
	uint64_t reserve;		/* ...of so many tokens */
	gw_driver *drv;			/* where the attempts run */
	gw_exchange *x;
	struct serve_later *later;
	enum { OPEN_STREAM, OPEN_WHOLE, OPEN_LISTING } kind;
	bedrock_platform want;		/* a listing: the upstreams it may come from */
	char *pq;			/* ...and its path and query */

	/* The loop's thread. */
	gw_walk w;
	gw_stream *opening;		/* the stream being opened */
	bedrock_call *call;		/* the whole call running */
	uint64_t t_try;

	pthread_mutex_t lock;
	int answered;			/* the answer went out */
	int cancel_posted, cancel_ran;
} opener;

static void opener_free(opener *o)
{
	free(o->pq);
	gw_walk_dispose(&o->w);
	pthread_mutex_destroy(&o->lock);
	free(o);
}

/* The answer, once. o is freed here unless a cancel task is still to
 * run (it frees o then). */
static void answer(opener *o, serve_response *plan)
{
	int free_now;

	serve_later_answer(o->later, plan);
	pthread_mutex_lock(&o->lock);
	o->answered = 1;
	free_now = !o->cancel_posted || o->cancel_ran;
	pthread_mutex_unlock(&o->lock);
	if (free_now)
		opener_free(o);
}

static void refuse(opener *o, gw_error_kind kind, const char *msg, const char *type)
{
	serve_response plan;

	serve_response_init(&plan, 500);
	gw_refuse(&plan, o->x, kind, msg, 0, type);
	answer(o, &plan);
}

static void try_next(opener *o);

/* A listing's next upstream of its platform (take: make it the current
 * one), or NULL when none is left. */
static gw_upstream_rt *next_lister(opener *o, int take)
{
	gw_gen *gen = o->x->gen;

	for (size_t i = o->w.next; i < gen->up_count; i++) {
		if (gen->ups[i].cfg->platform != o->want)
			continue;
		if (take) {
			o->w.next = i + 1;
			if (o->w.tried)
				o->x->hops++;
			o->w.tried = 1;
			o->w.u = &gen->ups[i];
		}
		return &gen->ups[i];
	}
	return NULL;
}

/* An attempt's result: the answer in plan (rc 0), the client gone, or
 * the walk's next step. */
static void attempt_over(opener *o, int rc, const bedrock_error_info *e, serve_response *plan)
{
	gw_exchange *x = o->x;
	gw_upstream_rt *u = o->w.u;

	x->upstream_ns += gw_now_ns() - o->t_try;
	if (!rc) {
		x->up = u;
		gw_upstream_healthy(u, gw_gateway_metrics(x->g));
		answer(o, plan);
		return;
	}
	if (rc == BEDROCK_ECANCELED) {
		/* The client left: nobody reads this answer. */
		x->up = u;
		x->status = 0;
		snprintf(x->error_type, sizeof(x->error_type), "client_closed");
		gw_exchange_finish(x);
		plan->reset_before_headers = 1;
		answer(o, plan);
		return;
	}
	if (o->kind == OPEN_LISTING)
		x->up = u;	/* named in the activity line, failed or not */
	if (o->kind == OPEN_LISTING ? gw_walk_failover_worthy(rc, e) && next_lister(o, 0)
				    : gw_walk_failed(&o->w, rc, e) != GW_WALK_STOP) {
		serve_response_dispose(plan);
		try_next(o);
		return;
	}
	gw_relay_upstream_error(plan, x, e);
	answer(o, plan);
}

static void on_opened(void *arg, int rc, const bedrock_error_info *e, gw_stream *s)
{
	opener *o = arg;
	serve_response plan;

	o->opening = NULL;
	serve_response_init(&plan, 500);
	if (!rc) {
		gw_stream_body(&plan, s);
		o->x->up = o->w.u;
		gw_relay_stream_headers(&plan, o->x);
		o->x->status = 200;
	}
	attempt_over(o, rc, e, &plan);
}

static void on_called(void *arg, bedrock_call *call)
{
	opener *o = arg;
	bedrock_response *resp = NULL;
	bedrock_error_info e;
	serve_response plan;
	int rc;

	memset(&e, 0, sizeof(e));
	rc = bedrock_call_result(&resp, call, &e);
	bedrock_call_free(call);
	o->call = NULL;
	serve_response_init(&plan, 500);
	if (!rc) {
		o->x->up = o->w.u;
		snprintf(o->x->up_request_id, sizeof(o->x->up_request_id), "%s",
			 bedrock_response_request_id(resp));
		if (o->kind == OPEN_LISTING)
			gw_relay_listing_answer(&plan, o->x, resp);
		else
			gw_relay_whole_answer(&plan, o->x, resp);
		bedrock_response_free(resp);
		gw_exchange_finish_after(&plan, o->x);
	}
	attempt_over(o, rc, &e, &plan);
}

/* Starts the whole call to the current upstream in the loop's multi. */
static int call_start(opener *o, bedrock_error_info *e)
{
	gw_exchange *x = o->x;
	gw_upstream_rt *u = o->w.u;
	const gw_upstream_body *b = o->kind == OPEN_LISTING ? NULL
							   : gw_walk_body(&o->w, u->cfg->platform);
	bedrock_multi *m = gw_driver_multi(o->drv);

	memset(e, 0, sizeof(*e));
	if (o->kind == OPEN_LISTING)
		return bedrock_multi_control_request(&o->call, m, u->client, "GET", o->pq, NULL, 0,
						     on_called, o, e);
	if (x->route.op == GW_OP_CONVERSE)
		return bedrock_multi_converse(&o->call, m, u->client, x->up_model, b->body, b->len,
					      NULL, on_called, o, e);
	if (x->route.op == GW_OP_COUNT_TOKENS && b->bedrock_count_raw)
		return bedrock_multi_count_tokens(&o->call, m, u->client, x->up_model, b->body,
						  b->len, NULL, on_called, o, e);
	if (x->route.op == GW_OP_COUNT_TOKENS)
		return bedrock_multi_messages_send_count_tokens(&o->call, m, u->client, x->up_model,
								b->body, b->len, b->betas, NULL,
								on_called, o, e);
	return bedrock_multi_messages_send(&o->call, m, u->client, x->up_model, b->body, b->len,
					   b->betas, NULL, on_called, o, e);
}

/* Tries the current upstream again (a refused beta dropped), or the next
 * that can take the request; answers when none is left. The loop's
 * thread. */
static void try_next(opener *o)
{
	serve_response plan;
	bedrock_error_info e;
	int rc;

	if (o->kind == OPEN_LISTING) {
		if (!next_lister(o, 1)) {
			/* gw_open_listing checked there is one: out of memory. */
			refuse(o, GW_ERR_INTERNAL, "No upstream can list.", "internal");
			return;
		}
	} else if (!o->w.u && !gw_walk_next(&o->w)) {
		serve_response_init(&plan, 500);
		gw_walk_give_up(&o->w, &plan);
		answer(o, &plan);
		return;
	}
	o->t_try = gw_now_ns();
	if (o->kind == OPEN_STREAM) {
		if (gw_stream_open(&o->opening, o->x, o->w.u,
				   gw_walk_body(&o->w, o->w.u->cfg->platform), on_opened, o))
			refuse(o, GW_ERR_INTERNAL, "out of memory", "internal");
		return;
	}
	rc = call_start(o, &e);
	if (rc) {
		/* Refused before a byte went (a bad argument, no memory): as a
		 * failed attempt, so the walk decides. */
		o->call = NULL;
		serve_response_init(&plan, 500);
		attempt_over(o, rc, &e, &plan);
	}
}

static void run_start(gw_task *t, gw_driver *d)
{
	opener *o = (opener *)((char *)t - offsetof(opener, start_task));
	bedrock_error_info e;
	serve_response plan;
	int cancelled;

	(void)d;
	pthread_mutex_lock(&o->lock);
	cancelled = o->cancel_ran;
	pthread_mutex_unlock(&o->lock);
	if (!cancelled) {
		try_next(o);
		return;
	}
	/* The client left before the first attempt began. */
	memset(&e, 0, sizeof(e));
	serve_response_init(&plan, 500);
	o->t_try = gw_now_ns();
	attempt_over(o, BEDROCK_ECANCELED, &e, &plan);
}

static void run_cancel(gw_task *t, gw_driver *d)
{
	opener *o = (opener *)((char *)t - offsetof(opener, cancel_task));
	bedrock_error_info e;
	serve_response plan;
	int answered;

	(void)d;
	pthread_mutex_lock(&o->lock);
	o->cancel_ran = 1;
	answered = o->answered;
	pthread_mutex_unlock(&o->lock);
	if (answered) {
		opener_free(o);
		return;
	}
	/* Each answers (as cancelled) and frees o. */
	if (o->opening) {
		gw_stream_abort(o->opening);
	} else if (o->call) {
		bedrock_call_free(o->call);
		o->call = NULL;
		memset(&e, 0, sizeof(e));
		e.code = BEDROCK_ECANCELED;
		serve_response_init(&plan, 500);
		attempt_over(o, BEDROCK_ECANCELED, &e, &plan);
	}
	/* Else the start task has not run yet: it runs next, and its
	 * attempt's end answers. */
}

/* On gw_finish.c's threads: the Redis round trip that admits the
 * request; then its first attempt on the loop, or the refusal. */
static void run_admit(gw_job *j)
{
	opener *o = (opener *)((char *)j - offsetof(opener, admit_job));
	gw_exchange *x = o->x;
	serve_response plan;
	unsigned retry = 0;
	gw_quota_verdict v = gw_quota_admit(&x->ticket, &retry, x->gen->quota->q, x->key,
					    o->reserve, (uint64_t)gw_wall_ms());

	if (v == GW_QUOTA_OK) {
		x->admitted = 1;
		gw_driver_post(o->drv, &o->start_task);
		return;
	}
	serve_response_init(&plan, 500);
	gw_relay_quota_refuse(&plan, x, v, retry);
	answer(o, &plan);
}

/* The serving layer: the client left or the server stops. Never blocks. */
static void on_cancel(void *arg)
{
	opener *o = arg;

	pthread_mutex_lock(&o->lock);
	if (!o->answered && !o->cancel_posted) {
		o->cancel_posted = 1;
		gw_driver_post(o->drv, &o->cancel_task);
	}
	pthread_mutex_unlock(&o->lock);
}

/* Credentials and tokens fresh now, on this thread, for the upstreams the
 * request may go to (those w made a body for; without w, those of
 * platform want): a refresh is an HTTP round trip the stream loop must
 * not wait on. (An error here comes back from the attempt itself.) The
 * reload thread keeps them fresh ahead (gateway.c, keep_warm), so on an
 * HTTP/1.1 loop this is a lock, not a round trip, but for a first request
 * or after a failure. */
static void prepare(gw_exchange *x, gw_walk *w, bedrock_platform want)
{
	for (size_t i = 0; i < x->gen->up_count; i++) {
		bedrock_platform p = x->gen->ups[i].cfg->platform;
		bedrock_error_info e;

		if (w ? gw_walk_body(w, p) != NULL : p == want)
			bedrock_client_prepare(x->gen->ups[i].client, &e);
	}
}

/* The opener's tasks and its deferred answer; 0, after which o is the
 * loop's (the answer may come before the handler has returned). -1 when
 * nothing may begin (out of memory, or the server stops: a handler on a
 * loop could not wait for its own loop): o freed and x refused. */
static int arm(serve_response *out, opener *o)
{
	gw_exchange *x = o->x;

	pthread_mutex_init(&o->lock, NULL);
	o->start_task.run = run_start;
	o->cancel_task.run = run_cancel;
	o->later = serve_response_later(out, on_cancel, o);
	if (o->later)
		return 0;
	opener_free(o);
	gw_refuse(out, x, GW_ERR_UNAVAILABLE, "The gateway is stopping.", 1, "stopping");
	return -1;
}

void gw_open(serve_response *out, gw_walk *w, int whole, struct event_base *loop, int admit,
	     uint64_t reserve)
{
	gw_exchange *x = w->x;
	opener *o = calloc(1, sizeof(*o));

	if (!o) {
		gw_walk_dispose(w);
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		return;
	}
	o->x = x;
	o->kind = whole ? OPEN_WHOLE : OPEN_STREAM;
	o->reserve = reserve;
	/* A whole answer on the request's own loop, when it has one. */
	o->drv = whole && loop ? gw_gateway_loop_driver(x->g, loop) : gw_gateway_driver(x->g);
	if (!o->drv) {
		free(o);
		gw_walk_dispose(w);
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		return;
	}
	/* Every upstream's body now: the request is gone by the time a later
	 * upstream is tried. */
	gw_walk_make_all(w);
	prepare(x, w, 0);
	/* The bodies are the opener's now. */
	o->w = *w;
	memset(w->made, 0, sizeof(w->made));
	o->admit_job.run = run_admit;
	if (arm(out, o))
		return;
	if (admit)
		gw_finisher_run(gw_gateway_finisher(x->g), &o->admit_job);
	else
		gw_driver_post(o->drv, &o->start_task);
}

void gw_open_listing(serve_response *out, gw_exchange *x, bedrock_platform want, char *pq,
		     struct event_base *loop)
{
	opener *o = calloc(1, sizeof(*o));

	if (!o || !(o->drv = loop ? gw_gateway_loop_driver(x->g, loop) : gw_gateway_driver(x->g))) {
		free(o);
		free(pq);
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		return;
	}
	o->x = x;
	o->kind = OPEN_LISTING;
	o->want = want;
	o->pq = pq;
	gw_walk_init(&o->w, x, NULL);
	prepare(x, NULL, want);
	if (!arm(out, o))
		gw_driver_post(o->drv, &o->start_task);
}
