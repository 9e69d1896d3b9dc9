/* Deferred answers (serve_response_later): the handler returns at once
 * and the app answers from another thread when it knows what to say (an
 * upstream's first event), so no thread is held while it thinks. HTTP/2
 * hands the answer to its stream's job, which wakes the loop as a handler
 * returning on a worker would (h2_worker.c). HTTP/1.1 on a loop suspends
 * its connection, which the answer resumes (serve_later_take); HTTP/1.1's
 * connection thread in a blocking server waits for it here, since MHD's
 * thread-per-connection has no way to answer a request from elsewhere.
 *
 * cancel is the app's code: it runs holding no lock of ours, so it may
 * post work anywhere, even answer at once. An answer from another thread
 * waits for a running cancel, so once serve_later_answer has returned the
 * app knows cancel is over and never comes. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <microhttpd.h>

#include "serve_net.h"

/* A waiting HTTP/1.1 thread looks again this often, interrupted or not. */
#define LATER_SLICE_MS 1000

static _Thread_local struct serve_later_call *current;

void serve_later_begin(struct serve_later_call *c, serve_server *s, serve_response *out,
		       struct h2_job *job)
{
	memset(c, 0, sizeof(*c));
	c->srv = s;
	c->out = out;
	c->job = job;
	c->prev = current;
	current = c;
}

struct serve_later *serve_later_end(struct serve_later_call *c)
{
	current = c->prev;
	return c->later;
}

struct serve_later *serve_response_later(serve_response *out, void (*cancel)(void *arg), void *arg)
{
	struct serve_later_call *c = current;
	struct serve_later *l;

	int stopping;

	/* A handler on a thread of its own to leave (a blocking server's), or
	 * HTTP/1.1 on a loop, whose connection waits suspended. Not once the
	 * server stops: the loops are about to end. */
	if (!c || c->out != out || c->later)
		return NULL;
	pthread_mutex_lock(&c->srv->lock);
	stopping = c->srv->stopping;
	pthread_mutex_unlock(&c->srv->lock);
	if (stopping)
		return NULL;
	l = calloc(1, sizeof(*l));
	if (!l)
		return NULL;	/* answered as usual */
	serve_cond_init(&l->cond);
	pthread_mutex_init(&l->lock, NULL);
	l->srv = c->srv;
	l->cancel = cancel;
	l->arg = arg;
	l->refs = 2;	/* the app's and the exchange's */
	serve_response_init(&l->plan, 500);
	pthread_mutex_lock(&c->srv->later_lock);
	c->srv->nlaters++;
	pthread_mutex_unlock(&c->srv->later_lock);
	/* Bound before the handler returns: the answer may come first. */
	if (c->job)
		serve_h2_job_later(c->job, l);
	c->later = l;
	out->later = l;
	return l;
}

/* A connection suspended for l goes on (under l->lock). */
static void unpark(struct serve_later *l)
{
	if (l->parked)
		serve_h1_resume(l->parked_loop, l->parked);
	l->parked = NULL;
}

void serve_later_unref(struct serve_later *l)
{
	int last;

	pthread_mutex_lock(&l->lock);
	last = --l->refs == 0;
	pthread_mutex_unlock(&l->lock);
	if (!last)
		return;
	serve_later_drop(&l->plan);	/* an answer nobody took */
	pthread_mutex_destroy(&l->lock);
	pthread_cond_destroy(&l->cond);
	free(l);
}

void serve_later_drop(serve_response *plan)
{
	if (plan->body.close)
		plan->body.close(plan->body.self, 0);
	memset(&plan->body, 0, sizeof(plan->body));
	serve_response_done(plan, 0);
	serve_response_dispose(plan);
}

void serve_later_answer(struct serve_later *l, serve_response *plan)
{
	serve_server *s;
	struct h2_job *job;
	serve_response p = *plan;

	serve_response_init(plan, 500);
	p.later = NULL;
	if (!l) {
		serve_later_drop(&p);
		return;
	}
	s = l->srv;
	pthread_mutex_lock(&l->lock);
	/* cancel may run on another thread now: the app knows it is over
	 * once this returns. From cancel itself, there is nothing to wait for. */
	while (l->cancelling && !pthread_equal(l->canceller, pthread_self()))
		pthread_cond_wait(&l->cond, &l->lock);
	l->answered = 1;
	job = l->job;
	l->job = NULL;
	if (!job) {
		serve_response_dispose(&l->plan);
		l->plan = p;
		pthread_cond_broadcast(&l->cond);
		unpark(l);
	}
	pthread_mutex_unlock(&l->lock);
	if (job)
		serve_h2_job_answer(job, l, &p);
	serve_later_unref(l);
	/* Last: the server may be freed once the count is 0. */
	pthread_mutex_lock(&s->later_lock);
	s->nlaters--;
	pthread_cond_broadcast(&s->later_cond);
	pthread_mutex_unlock(&s->later_lock);
}

void serve_later_cancel(struct serve_later *l)
{
	pthread_mutex_lock(&l->lock);
	if (l->answered || l->cancelled) {
		pthread_mutex_unlock(&l->lock);
		return;
	}
	l->cancelled = 1;
	l->cancelling = 1;
	l->canceller = pthread_self();
	pthread_mutex_unlock(&l->lock);
	if (l->cancel)
		l->cancel(l->arg);
	pthread_mutex_lock(&l->lock);
	l->cancelling = 0;
	pthread_cond_broadcast(&l->cond);
	pthread_mutex_unlock(&l->lock);
}

void serve_later_interrupt(struct serve_later *l)
{
	pthread_mutex_lock(&l->lock);
	l->gone = 1;
	pthread_cond_broadcast(&l->cond);
	unpark(l);
	pthread_mutex_unlock(&l->lock);
}

int serve_later_take(struct serve_later *l, serve_response *plan, struct MHD_Connection *conn)
{
	struct timespec until;
	int rc;

	pthread_mutex_lock(&l->lock);
	while (!l->answered) {
		if (l->gone && !l->cancelled) {
			pthread_mutex_unlock(&l->lock);
			serve_later_cancel(l);
			pthread_mutex_lock(&l->lock);
			continue;
		}
		if (conn) {
			/* An answer or interrupt from here on resumes it: none
			 * can come in between. */
			MHD_suspend_connection(conn);
			l->parked = conn;
			l->parked_loop = serve_h1_loop_current();
			pthread_mutex_unlock(&l->lock);
			return 1;
		}
		/* Slices: a lost signal would cost a second, not the thread. */
		serve_deadline(&until, LATER_SLICE_MS);
		pthread_cond_timedwait(&l->cond, &l->lock, &until);
	}
	*plan = l->plan;
	serve_response_init(&l->plan, 500);
	rc = l->cancelled ? -1 : 0;
	pthread_mutex_unlock(&l->lock);
	return rc;
}

void serve_later_forget(struct serve_later *l)
{
	pthread_mutex_lock(&l->lock);
	l->parked = NULL;
	pthread_mutex_unlock(&l->lock);
	serve_later_cancel(l);	/* nothing if the answer came */
	serve_later_unref(l);
}

void serve_later_wait_all(serve_server *s)
{
	pthread_mutex_lock(&s->later_lock);
	while (s->nlaters)
		pthread_cond_wait(&s->later_cond, &s->later_lock);
	pthread_mutex_unlock(&s->later_lock);
}
