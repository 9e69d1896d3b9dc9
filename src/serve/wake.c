/* The waker of a non-blocking body (serve_body.attach): the app says
 * "read again" from any thread, and whoever waits for the body hears it
 * exactly when it must. A wake is a flag as well as a signal, so one that
 * comes between a read saying SERVE_BODY_LATER and the server acting on
 * it is not lost: the server checks the flag under the same lock before
 * it suspends or waits. */
#include <errno.h>
#include <stdlib.h>
#include <time.h>

#include <microhttpd.h>

#include "serve_net.h"

void serve_cond_init(pthread_cond_t *c)
{
	pthread_condattr_t ca;

	/* Waits are timed on the monotonic clock: a clock step must not make
	 * one long. */
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(c, &ca);
	pthread_condattr_destroy(&ca);
}

void serve_deadline(struct timespec *until, unsigned ms)
{
	clock_gettime(CLOCK_MONOTONIC, until);
	until->tv_sec += (time_t)(ms / 1000);
	until->tv_nsec += (long)(ms % 1000) * 1000000;
	if (until->tv_nsec >= 1000000000) {
		until->tv_sec++;
		until->tv_nsec -= 1000000000;
	}
}

struct serve_wake *serve_wake_new(struct event *ev)
{
	struct serve_wake *w = calloc(1, sizeof(*w));

	if (!w)
		return NULL;
	serve_cond_init(&w->cond);
	pthread_mutex_init(&w->lock, NULL);
	w->ev = ev;
	return w;
}

void serve_wake_free(struct serve_wake *w)
{
	if (!w)
		return;
	/* On the loop thread: safe even while the event is active. */
	if (w->ev)
		event_free(w->ev);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->cond);
	free(w);
}

void serve_wake(struct serve_wake *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->woken = 1;
	if (w->parked) {
		serve_h1_resume(w->parked_loop, w->parked);
		w->parked = NULL;
	}
	if (w->ev)
		event_active(w->ev, EV_READ, 0);
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int serve_wake_arm(struct serve_wake *w)
{
	int gone;

	pthread_mutex_lock(&w->lock);
	w->woken = 0;
	gone = w->gone;
	pthread_mutex_unlock(&w->lock);
	return gone ? -1 : 0;
}

void serve_wake_interrupt(struct serve_wake *w)
{
	pthread_mutex_lock(&w->lock);
	w->gone = 1;
	if (w->parked) {
		serve_h1_resume(w->parked_loop, w->parked);
		w->parked = NULL;
	}
	pthread_cond_broadcast(&w->cond);
	pthread_mutex_unlock(&w->lock);
}

int serve_wake_wait(struct serve_wake *w, unsigned ms)
{
	struct timespec until;
	int rc;

	serve_deadline(&until, ms);
	pthread_mutex_lock(&w->lock);
	while (!w->woken && !w->gone)
		if (pthread_cond_timedwait(&w->cond, &w->lock, &until) == ETIMEDOUT)
			break;
	rc = w->gone ? -1 : w->woken;
	w->woken = 0;
	pthread_mutex_unlock(&w->lock);
	return rc;
}

int serve_wake_park(struct serve_wake *w, struct MHD_Connection *conn)
{
	int rc = 0;

	pthread_mutex_lock(&w->lock);
	if (w->gone) {
		rc = -1;
	} else if (w->woken) {
		w->woken = 0;
		rc = 1;
	} else {
		/* A wake from here on resumes it; none can come in between. */
		MHD_suspend_connection(conn);
		w->parked = conn;
		w->parked_loop = serve_h1_loop_current();
	}
	pthread_mutex_unlock(&w->lock);
	return rc;
}
