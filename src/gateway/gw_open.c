/* A streaming request through the upstreams, holding no thread while an
 * upstream thinks: the handler starts the first opening and returns; the
 * rest runs on the upstream loop (gw_driver.c), one step of the walk
 * (gw_walk.c) per result, until a first event is in. The answer (the
 * stream, or the last error in the front's shape) goes to the client
 * through serve_later_answer. If the client leaves first, the opening in
 * progress is ended at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_driver.h"
#include "gw_internal.h"

typedef struct opener {
	gw_task cancel_task;
	gw_driver *drv;
	gw_exchange *x;
	struct serve_later *later;	/* NULL: the handler waits (sync_out) */

	/* The loop's thread (the handler's before the first post). */
	gw_walk w;
	gw_stream *opening;		/* the stream being opened */
	uint64_t t_open;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	serve_response *sync_out;
	int answered;			/* the answer went out */
	int cancel_posted, cancel_ran;
} opener;

static void opener_free(opener *o)
{
	gw_walk_dispose(&o->w);
	pthread_mutex_destroy(&o->lock);
	pthread_cond_destroy(&o->cond);
	free(o);
}

/* The answer, once. o is freed here unless the handler waits for it
 * (it frees o) or a cancel task is still to run (it does). */
static void answer(opener *o, serve_response *plan)
{
	int free_now;

	if (!o->later) {
		pthread_mutex_lock(&o->lock);
		*o->sync_out = *plan;
		o->answered = 1;
		pthread_cond_signal(&o->cond);
		pthread_mutex_unlock(&o->lock);
		return;
	}
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

static void on_opened(void *arg, int rc, const bedrock_error_info *e, gw_stream *s)
{
	opener *o = arg;
	gw_exchange *x = o->x;
	gw_upstream_rt *u = o->w.u;
	serve_response plan;

	o->opening = NULL;
	x->upstream_ns += gw_now_ns() - o->t_open;
	serve_response_init(&plan, 500);
	if (!rc) {
		gw_stream_body(&plan, s);
		x->up = u;
		gw_relay_stream_headers(&plan, x);
		x->status = 200;
		gw_upstream_healthy(u, gw_gateway_metrics(x->g));
		answer(o, &plan);
		return;
	}
	if (rc == BEDROCK_ECANCELED) {
		/* The client left: nobody reads this answer. */
		x->up = u;
		x->status = 0;
		snprintf(x->error_type, sizeof(x->error_type), "client_closed");
		gw_exchange_finish(x);
		plan.reset_before_headers = 1;
		answer(o, &plan);
		return;
	}
	if (gw_walk_failed(&o->w, rc, e) != GW_WALK_STOP) {
		try_next(o);
		return;
	}
	gw_relay_upstream_error(&plan, x, e);
	answer(o, &plan);
}

/* Opens the current upstream again (a refused beta dropped), or the next
 * that can take the request; answers when none is left. */
static void try_next(opener *o)
{
	serve_response plan;

	if (!o->w.u && !gw_walk_next(&o->w)) {
		serve_response_init(&plan, 500);
		gw_walk_give_up(&o->w, &plan);
		answer(o, &plan);
		return;
	}
	o->t_open = gw_now_ns();
	if (gw_stream_open(&o->opening, o->x, o->w.u, gw_walk_body(&o->w, o->w.u->cfg->platform),
			   on_opened, o))
		refuse(o, GW_ERR_INTERNAL, "out of memory", "internal");
}

static void run_cancel(gw_task *t, gw_driver *d)
{
	opener *o = (opener *)((char *)t - offsetof(opener, cancel_task));
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
	/* Answers (as cancelled) and frees o. */
	if (o->opening)
		gw_stream_abort(o->opening);
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

void gw_open_stream(serve_response *out, gw_walk *w)
{
	gw_exchange *x = w->x;
	opener *o = calloc(1, sizeof(*o));

	if (!o) {
		gw_walk_dispose(w);
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		return;
	}
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->cancel_task.run = run_cancel;
	o->drv = gw_gateway_driver(x->g);
	o->x = x;
	/* The bodies are the opener's now. */
	o->w = *w;
	memset(w->made, 0, sizeof(w->made));
	/* Credentials and tokens fresh now, on this thread: a refresh is an
	 * HTTP round trip the upstream loop must not wait on. (An error here
	 * comes back from the opening itself.) */
	for (size_t i = 0; i < x->gen->up_count; i++) {
		bedrock_error_info e;

		if (gw_walk_body(&o->w, x->gen->ups[i].cfg->platform))
			bedrock_client_prepare(x->gen->ups[i].client, &e);
	}
	o->later = serve_response_later(out, on_cancel, o);
	if (o->later) {
		/* From here o is the loop's: the answer may come before this
		 * handler has returned. */
		try_next(o);
		return;
	}
	/* A server that cannot defer: wait for the answer here. */
	o->sync_out = out;
	try_next(o);
	pthread_mutex_lock(&o->lock);
	while (!o->answered)
		pthread_cond_wait(&o->cond, &o->lock);
	pthread_mutex_unlock(&o->lock);
	opener_free(o);
}
