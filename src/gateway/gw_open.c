/* A streaming request through the upstreams, holding no thread while an
 * upstream thinks: the handler starts the first opening and returns; the
 * rest runs on the upstream loop (gw_driver.c), one step per result. As
 * for a whole answer (gw_relay.c), throttling, 5xx and connection failures
 * before the first event move the request to the next upstream and rest
 * the failing one; a refused beta is retried once without it; the answer
 * (the stream, or the last error in the front's shape) goes to the client
 * through serve_later_answer. If the client leaves first, the opening in
 * progress is ended at once. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_driver.h"
#include "gw_internal.h"

#define PLATFORMS 3

typedef struct opener {
	gw_task cancel_task;
	gw_driver *drv;
	gw_exchange *x;
	gw_upstream_body body[PLATFORMS];
	int made[PLATFORMS];
	struct serve_later *later;	/* NULL: the handler waits (sync_out) */

	/* The loop's thread (the handler's before the first post). */
	size_t next;			/* the next upstream to try */
	int pass;			/* 1: the resting ones too */
	int tried, beta_retry;
	gw_upstream_rt *u, *last_u;
	bedrock_error_info last;
	char merr[256];
	gw_stream *opening;		/* the stream being opened */
	uint64_t t_open;

	pthread_mutex_t lock;
	pthread_cond_t cond;
	serve_response *sync_out;
	int answered;			/* the answer went out */
	int cancel_posted, cancel_ran;
} opener;

static uint64_t now_ms(void)
{
	return gw_now_ns() / 1000000u;
}

static void opener_free(opener *o)
{
	for (int i = 0; i < PLATFORMS; i++)
		if (o->made[i])
			gw_upstream_body_dispose(&o->body[i]);
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
	gw_upstream_rt *u = o->u;
	gw_metrics *m = gw_gateway_metrics(x->g);
	serve_response plan;

	o->opening = NULL;
	x->upstream_ns += gw_now_ns() - o->t_open;
	serve_response_init(&plan, 500);
	if (!rc) {
		gw_stream_body(&plan, s);
		x->up = u;
		gw_relay_stream_headers(&plan, x);
		x->status = 200;
		gw_upstream_healthy(u, m);
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
	if (!o->beta_retry &&
	    gw_relay_drop_refused_betas(x, &o->body[u->cfg->platform % PLATFORMS],
					u->cfg->platform, e)) {
		o->beta_retry = 1;
		try_next(o);
		return;
	}
	o->last = *e;
	if (!gw_relay_failover_worthy(rc, e)) {
		x->up = u;
		gw_relay_upstream_error(&plan, x, e);
		answer(o, &plan);
		return;
	}
	gw_upstream_cool(u, m, now_ms());
	gw_relay_note(x, u->cfg->name, " failed: ", e->aws_code[0] ? e->aws_code
						 : bedrock_error_name(rc));
	o->u = NULL;
	try_next(o);
}

/* Opens the current upstream (o->u), or moves down the list to the next
 * that can take the request; answers when none is left. */
static void try_next(opener *o)
{
	gw_exchange *x = o->x;
	gw_gen *gen = x->gen;
	serve_response plan;

	while (!o->u) {
		gw_upstream_rt *u;

		if (o->next >= gen->up_count) {
			/* Every upstream resting: try them anyway, rather than
			 * refuse outright. */
			if (o->pass || o->tried)
				break;
			o->pass = 1;
			o->next = 0;
			continue;
		}
		u = &gen->ups[o->next++];
		if (!o->pass && gw_upstream_cooling(u, now_ms()))
			continue;
		if (!o->made[u->cfg->platform % PLATFORMS])
			continue;	/* noted when the bodies were made */
		if (gw_model_for_upstream(x->up_model, sizeof(x->up_model), gen->cfg, u->cfg,
					  x->client_model, o->merr, sizeof(o->merr))) {
			gw_relay_note(x, u->cfg->name, ": ", o->merr);
			continue;
		}
		if (o->tried)
			x->hops++;
		o->tried = 1;
		o->beta_retry = 0;
		o->u = o->last_u = u;
	}
	if (!o->u) {
		if (!o->tried) {
			refuse(o, GW_ERR_BAD_REQUEST,
			       o->merr[0] ? o->merr : "No upstream can take this request.",
			       "model_not_served");
			return;
		}
		serve_response_init(&plan, 500);
		x->up = o->last_u;
		gw_relay_upstream_error(&plan, x, &o->last);
		answer(o, &plan);
		return;
	}
	o->t_open = gw_now_ns();
	if (gw_stream_open(&o->opening, x, o->u, &o->body[o->u->cfg->platform % PLATFORMS],
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

void gw_open_stream(serve_response *out, gw_exchange *x, gw_upstream_body bodies[PLATFORMS],
		    int made[PLATFORMS])
{
	opener *o = calloc(1, sizeof(*o));

	if (!o) {
		for (int i = 0; i < PLATFORMS; i++)
			if (made[i])
				gw_upstream_body_dispose(&bodies[i]);
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		return;
	}
	pthread_mutex_init(&o->lock, NULL);
	pthread_cond_init(&o->cond, NULL);
	o->cancel_task.run = run_cancel;
	o->drv = gw_gateway_driver(x->g);
	o->x = x;
	memcpy(o->body, bodies, sizeof(o->body));
	memcpy(o->made, made, sizeof(o->made));
	/* Credentials and tokens fresh now, on this thread: a refresh is an
	 * HTTP round trip the upstream loop must not wait on. (An error here
	 * comes back from the opening itself.) */
	for (size_t i = 0; i < x->gen->up_count; i++) {
		bedrock_error_info e;

		if (made[x->gen->ups[i].cfg->platform % PLATFORMS])
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
