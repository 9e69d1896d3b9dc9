/* The upstream loop (gw_driver.h): libevent watching libcurl's sockets
 * for the bedrock_multi, a timer for it, and a queue of posted tasks. */
#include <fcntl.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <event2/event.h>
#include <event2/thread.h>

#include "gw_driver.h"

struct gw_driver {
	struct event_base *base;
	struct event *timer;
	struct event *kick;		/* tasks were posted */
	bedrock_multi *multi;
	pthread_t thread;
	int own;			/* the base and the thread are the driver's */
	pthread_mutex_t lock;		/* the queue */
	gw_task *head, *tail;
	int stopping;			/* under lock: run what is left, then stop */
};

static void on_fd(evutil_socket_t fd, short what, void *arg)
{
	gw_driver *d = arg;

	bedrock_multi_act(d->multi, (int)fd, (what & EV_READ ? BEDROCK_WATCH_IN : 0) |
						     (what & EV_WRITE ? BEDROCK_WATCH_OUT : 0));
}

static void on_timer(evutil_socket_t fd, short what, void *arg)
{
	gw_driver *d = arg;

	(void)fd;
	(void)what;
	bedrock_multi_act(d->multi, BEDROCK_MULTI_TIMEOUT, 0);
}

/* libcurl's sockets as libevent events: the slot is the fd's event. */
static void *watch(void *arg, int fd, int what, void *slot)
{
	gw_driver *d = arg;
	struct event *ev = slot;
	short flags = EV_PERSIST;

	if (what == BEDROCK_WATCH_REMOVE) {
		if (ev)
			event_free(ev);
		return NULL;
	}
	if (what & BEDROCK_WATCH_IN)
		flags |= EV_READ;
	if (what & BEDROCK_WATCH_OUT)
		flags |= EV_WRITE;
	if (ev) {
		event_del(ev);
		event_assign(ev, d->base, fd, flags, on_fd, d);
	} else if (!(ev = event_new(d->base, fd, flags, on_fd, d))) {
		return NULL;	/* the transfer stalls and its idle timeout ends it */
	}
	event_add(ev, NULL);
	return ev;
}

static void timer(void *arg, long ms)
{
	gw_driver *d = arg;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (ms < 0) {
		evtimer_del(d->timer);
	} else if (ms == 0) {
		/* Now: in this turn of the loop, not after another poll. */
		evtimer_del(d->timer);
		event_active(d->timer, EV_TIMEOUT, 0);
	} else {
		evtimer_add(d->timer, &tv);
	}
}

static void on_kick(evutil_socket_t fd, short what, void *arg)
{
	gw_driver *d = arg;
	gw_task *t;
	int stop;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&d->lock);
	t = d->head;
	d->head = d->tail = NULL;
	stop = d->stopping;
	pthread_mutex_unlock(&d->lock);
	while (t) {
		gw_task *next = t->next;

		/* A task may free the object it is embedded in. */
		t->next = NULL;
		t->run(t, d);
		t = next;
	}
	if (stop)
		event_base_loopbreak(d->base);
}

/* The most descriptor numbers reserve_fd_records() prepares. */
#define FD_RECORDS_MAX 32768

static void noop(evutil_socket_t fd, short what, void *arg)
{
	(void)fd, (void)what, (void)arg;
}

/* libevent keeps a small record for every descriptor number a base has
 * ever watched, made the first time, for the base's life. Made while
 * thousands of streams open, each lands between one stream's buffers and
 * the next, and once the streams are gone those records keep a page each
 * from going back to the system: 40 MiB after 10,000 streams. Made here,
 * at start and one after the other, they fill a few hundred KiB. Each
 * free number up to the open-file limit is borrowed for a moment (a pipe
 * duplicated onto it), before any other thread exists. */
static void reserve_fd_records(gw_driver *d)
{
	struct rlimit rl;
	struct event *ev;
	int p[2], fd, n;

	if (getrlimit(RLIMIT_NOFILE, &rl) || !(ev = event_new(d->base, -1, 0, noop, NULL)))
		return;
	if (pipe(p)) {
		event_free(ev);
		return;
	}
	n = rl.rlim_cur > FD_RECORDS_MAX ? FD_RECORDS_MAX : (int)rl.rlim_cur;
	for (fd = 0; fd < n; fd++) {
		if (fcntl(fd, F_GETFD) != -1 || dup2(p[0], fd) != fd)
			continue;
		event_assign(ev, d->base, fd, EV_READ, noop, NULL);
		if (!event_add(ev, NULL))
			event_del(ev);
		close(fd);
	}
	event_free(ev);
	close(p[0]);
	close(p[1]);
}

static void *loop_main(void *arg)
{
	gw_driver *d = arg;

	event_base_loop(d->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

static void driver_dispose(gw_driver *d)
{
	bedrock_multi_free(d->multi);
	if (d->kick)
		event_free(d->kick);
	if (d->timer)
		event_free(d->timer);
	if (d->base && d->own)
		event_base_free(d->base);
	pthread_mutex_destroy(&d->lock);
	free(d);
}

/* The driver on base (own: made here, with a thread to run it). */
static int driver_make(gw_driver **out, struct event_base *base)
{
	gw_driver *d = calloc(1, sizeof(*d));
	bedrock_multi_loop hooks;

	*out = NULL;
	if (!d)
		return -1;
	pthread_mutex_init(&d->lock, NULL);
	d->own = !base;
	/* Tasks are posted from other threads: the base must lock. */
	if (evthread_use_pthreads() || !(d->base = base ? base : event_base_new()) ||
	    !(d->timer = evtimer_new(d->base, on_timer, d)) ||
	    !(d->kick = event_new(d->base, -1, 0, on_kick, d)) || bedrock_multi_new(&d->multi))
		goto fail;
	hooks.watch = watch;
	hooks.timer = timer;
	hooks.arg = d;
	if (d->own)
		reserve_fd_records(d);
	if (bedrock_multi_use_loop(d->multi, &hooks) ||
	    (d->own && pthread_create(&d->thread, NULL, loop_main, d)))
		goto fail;
	*out = d;
	return 0;
fail:
	driver_dispose(d);
	return -1;
}

int gw_driver_new(gw_driver **out)
{
	return driver_make(out, NULL);
}

int gw_driver_on_loop(gw_driver **out, struct event_base *base)
{
	return base ? driver_make(out, base) : -1;
}

void gw_driver_post(gw_driver *d, gw_task *t)
{
	t->next = NULL;
	pthread_mutex_lock(&d->lock);
	if (d->tail)
		d->tail->next = t;
	else
		d->head = t;
	d->tail = t;
	pthread_mutex_unlock(&d->lock);
	event_active(d->kick, EV_READ, 0);
}

bedrock_multi *gw_driver_multi(gw_driver *d)
{
	return d->multi;
}

void gw_driver_free(gw_driver *d)
{
	if (!d)
		return;
	if (d->own) {
		pthread_mutex_lock(&d->lock);
		d->stopping = 1;
		pthread_mutex_unlock(&d->lock);
		event_active(d->kick, EV_READ, 0);
		pthread_join(d->thread, NULL);
	} else {
		/* Its loop has stopped: what was posted runs here. */
		on_kick(-1, 0, d);
	}
	driver_dispose(d);
}
