/* The threads HTTP/1.1 runs on when its handler does not block: one
 * libevent loop a core, each driving a libmicrohttpd daemon of its own
 * through MHD's epoll descriptor (MHD's "external" mode) rather than MHD's
 * internal thread pool. So the handler runs on a loop the app may use too
 * (serve_request.loop): an upstream's socket watched on the same thread
 * as the client's costs no thread hand-off and no sleep per request.
 *
 * A connection is given to a loop round robin, or with h1_fill to the
 * first loop that is not busy (below), and added to its daemon on
 * that loop's thread (MHD_add_connection is not for another thread in
 * this mode). MHD has no inter-thread channel in this mode either, so a
 * resume from any thread (a piece due, a wake, an answer) also makes the
 * loop run MHD (serve_h1_resume). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <microhttpd.h>

#include "serve_net.h"

#define H1_LOOPS_MAX 16
/* h1_fill: a loop takes new connections while it used less than this much
 * of a core (per mille) over the last sweep and holds fewer than this
 * many; past that, the next loop does. Work concentrated on one loop finds
 * more to do at each wake-up: on two shared cores one loop costs the
 * gateway 54 µs of CPU a request where two cost 63-79. */
#define H1_FILL_BUSY 500
#define H1_FILL_CONNS 64

struct h1_adopt {
	struct h1_adopt *next;
	int fd;
	socklen_t len;
	struct sockaddr_storage sa;
};

struct h1_loop {
	serve_server *srv;
	pthread_t thread;
	int started;
	struct event_base *base;
	struct MHD_Daemon *mhd;
	struct event *mhd_ev;		/* MHD's epoll descriptor is readable */
	struct event *timer;		/* MHD wants to run by then */
	struct event *adopt_ev;		/* connections are waiting in adopts */
	struct event *stop_ev;
	struct event *run_ev;		/* run MHD: a connection was resumed */
	pthread_mutex_t lock;		/* adopts */
	struct h1_adopt *adopts, **adopts_tail;
	/* For h1_fill: connections given to it (not yet closed), and the
	 * share of a core its thread used over the last sweep. */
	atomic_uint load;
	atomic_uint busy;		/* per mille */
	clockid_t cpu_clock;
	int have_clock;
	uint64_t cpu_seen_ns, wall_seen_ns;
};

unsigned serve_h1_loop_count(const serve_server *s)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (s->opt.h1_loops)
		return s->opt.h1_loops > H1_LOOPS_MAX ? H1_LOOPS_MAX : s->opt.h1_loops;

	/* Never fewer than two: a request and its neighbour on another loop
	 * is the case the tests must see on every machine. */
	return n < 2 ? 2 : n > H1_LOOPS_MAX ? H1_LOOPS_MAX : (unsigned)n;
}

/* MHD may have more to do by a deadline (an idle timeout, or now: data
 * it buffered); its epoll descriptor does not say so. */
static void arm_timer(struct h1_loop *l)
{
	MHD_UNSIGNED_LONG_LONG ms = 0;

	if (MHD_get_timeout(l->mhd, &ms) != MHD_YES) {
		event_del(l->timer);
		return;
	}
	if (ms > 3600 * 1000ULL)
		ms = 3600 * 1000ULL;
	event_add(l->timer, &(struct timeval){ (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 });
}

/* A few rounds while MHD says it has more to do at once (a resumed
 * connection to pick up, data it read ahead): each round through the
 * loop's timer would cost a poll more. Bounded, so other events wait
 * little. */
#define H1_RUN_ROUNDS 4

static void run_mhd(evutil_socket_t fd, short what, void *arg)
{
	struct h1_loop *l = arg;
	MHD_UNSIGNED_LONG_LONG ms = 1;
	int rounds = 0;

	(void)fd;
	(void)what;
	do
		MHD_run(l->mhd);
	while (++rounds < H1_RUN_ROUNDS && MHD_get_timeout(l->mhd, &ms) == MHD_YES && ms == 0);
	arm_timer(l);
}

static void adopt_cb(evutil_socket_t fd, short what, void *arg)
{
	struct h1_loop *l = arg;
	struct h1_adopt *a;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&l->lock);
	a = l->adopts;
	l->adopts = NULL;
	l->adopts_tail = &l->adopts;
	pthread_mutex_unlock(&l->lock);
	while (a) {
		struct h1_adopt *next = a->next;

		/* MHD owns (and on failure closes) the socket from here on. */
		if (MHD_add_connection(l->mhd, a->fd, (struct sockaddr *)&a->sa, a->len) != MHD_YES &&
		    l->srv->opt.access_log)
			serve_say(l->srv, "cannot add connection: %s", strerror(errno));
		atomic_fetch_sub(&l->load, 1);
		free(a);
		a = next;
	}
	run_mhd(-1, 0, l);
}

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	(void)fd;
	(void)what;
	event_base_loopbreak(((struct h1_loop *)arg)->base);
}

/* The loop the calling thread runs, if it is one of these. */
static _Thread_local struct h1_loop *running;

struct event_base *serve_h1_loop_base(void)
{
	return running ? running->base : NULL;
}

struct h1_loop *serve_h1_loop_current(void)
{
	return running;
}

void serve_h1_resume(struct h1_loop *l, struct MHD_Connection *conn)
{
	MHD_resume_connection(conn);
	if (l)
		event_active(l->run_ev, 0, 0);
}

static void *loop_main(void *arg)
{
	struct h1_loop *l = arg;

	running = l;
	event_base_loop(l->base, EVLOOP_NO_EXIT_ON_EMPTY);
	return NULL;
}

/* epoll's change list: libcurl's sockets on the same loop (the app's)
 * change what they wait for several times a request, and a change undone
 * before the loop polls again then costs no epoll_ctl. */
static struct event_base *new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base = NULL;

	if (cfg && !event_config_set_flag(cfg, EVENT_BASE_FLAG_EPOLL_USE_CHANGELIST))
		base = event_base_new_with_config(cfg);
	if (cfg)
		event_config_free(cfg);
	return base;
}

static int loop_start(struct h1_loop *l, serve_server *s, struct MHD_Daemon *mhd)
{
	const union MHD_DaemonInfo *di;
	pthread_attr_t attr;
	int rc;

	l->srv = s;
	l->mhd = mhd;
	l->adopts_tail = &l->adopts;
	pthread_mutex_init(&l->lock, NULL);
	di = MHD_get_daemon_info(mhd, MHD_DAEMON_INFO_EPOLL_FD);
	if (!di || !(l->base = new_base()) ||
	    !(l->mhd_ev = event_new(l->base, di->epoll_fd, EV_READ | EV_PERSIST, run_mhd, l)) ||
	    event_add(l->mhd_ev, NULL) || !(l->timer = evtimer_new(l->base, run_mhd, l)) ||
	    !(l->adopt_ev = event_new(l->base, -1, 0, adopt_cb, l)) ||
	    !(l->stop_ev = event_new(l->base, -1, 0, stop_cb, l)) ||
	    !(l->run_ev = event_new(l->base, -1, 0, run_mhd, l)))
		return -1;
	pthread_attr_init(&attr);
	pthread_attr_setstacksize(&attr, SERVE_THREAD_STACK);
	rc = pthread_create(&l->thread, &attr, loop_main, l);
	pthread_attr_destroy(&attr);
	if (rc)
		return -1;
	l->started = 1;
	l->have_clock = pthread_getcpuclockid(l->thread, &l->cpu_clock) == 0;
	return 0;
}

int serve_h1_loops_start(serve_server *s, struct MHD_Daemon *(*daemon)(serve_server *))
{
	unsigned i, n = serve_h1_loop_count(s);

	s->h1_loops = calloc(n, sizeof(*s->h1_loops));
	if (!s->h1_loops)
		return -1;
	s->nh1_loops = n;
	for (i = 0; i < n; i++) {
		struct MHD_Daemon *d = daemon(s);

		if (!d)
			return -1;
		if (loop_start(&s->h1_loops[i], s, d))
			return -1;
	}
	return 0;
}

static uint64_t clock_ns(clockid_t c)
{
	struct timespec t;

	if (clock_gettime(c, &t))
		return 0;
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

void serve_h1_loops_sample(serve_server *s)
{
	uint64_t wall = clock_ns(CLOCK_MONOTONIC);

	for (unsigned i = 0; i < s->nh1_loops; i++) {
		struct h1_loop *l = &s->h1_loops[i];
		uint64_t cpu;

		if (!l->started || !l->have_clock)
			continue;
		cpu = clock_ns(l->cpu_clock);
		if (l->wall_seen_ns && wall > l->wall_seen_ns && cpu >= l->cpu_seen_ns)
			atomic_store(&l->busy, (unsigned)((cpu - l->cpu_seen_ns) * 1000 /
							  (wall - l->wall_seen_ns)));
		l->cpu_seen_ns = cpu;
		l->wall_seen_ns = wall;
	}
}

/* The first loop that is neither busy nor full, else the least busy (then
 * the one with the fewest connections). */
static struct h1_loop *fill_pick(serve_server *s)
{
	struct h1_loop *best = NULL;
	unsigned best_busy = 0, best_load = 0;

	for (unsigned i = 0; i < s->nh1_loops; i++) {
		struct h1_loop *l = &s->h1_loops[i];
		unsigned busy = atomic_load(&l->busy), load = atomic_load(&l->load);

		if (busy < H1_FILL_BUSY && load < H1_FILL_CONNS)
			return l;
		/* Busy in tenths of a core: a loop a little less busy but
		 * fuller is no better. */
		if (!best || busy / 100 < best_busy / 100 ||
		    (busy / 100 == best_busy / 100 && load < best_load)) {
			best = l;
			best_busy = busy;
			best_load = load;
		}
	}
	return best;
}

size_t serve_server_loops(const serve_server *s, serve_loop_stat *out, size_t cap)
{
	for (unsigned i = 0; i < s->nh1_loops && i < cap; i++) {
		struct h1_loop *l = &s->h1_loops[i];

		out[i].connections = atomic_load(&l->load);
		out[i].busy = atomic_load(&l->busy) / 1000.0;
	}
	return s->nh1_loops;
}

void serve_h1_loops_opened(void)
{
	if (running)
		atomic_fetch_add(&running->load, 1);
}

void serve_h1_loops_closed(void)
{
	if (running)
		atomic_fetch_sub(&running->load, 1);
}

void serve_h1_loops_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct h1_loop *l = s->opt.h1_fill ? fill_pick(s)
			    : &s->h1_loops[atomic_fetch_add(&s->h1_next, 1) % s->nh1_loops];
	struct h1_adopt *a = calloc(1, sizeof(*a));

	if (!a || len > sizeof(a->sa)) {
		free(a);
		close(fd);
		return;
	}
	/* Counted while it waits (a burst is spread before its loop adds
	 * any); from then on MHD's notices count it (serve_h1_loops_opened
	 * and _closed). */
	atomic_fetch_add(&l->load, 1);
	a->fd = fd;
	a->len = len;
	memcpy(&a->sa, sa, len);
	pthread_mutex_lock(&l->lock);
	*l->adopts_tail = a;
	l->adopts_tail = &a->next;
	pthread_mutex_unlock(&l->lock);
	event_active(l->adopt_ev, 0, 0);
}

size_t serve_h1_loops_connections(serve_server *s)
{
	size_t n = 0;

	for (unsigned i = 0; i < s->nh1_loops; i++) {
		const union MHD_DaemonInfo *di = s->h1_loops[i].mhd ?
			MHD_get_daemon_info(s->h1_loops[i].mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) :
			NULL;

		n += di ? di->num_connections : 0;
	}
	return n;
}

void serve_h1_loops_stop(serve_server *s)
{
	for (unsigned i = 0; i < s->nh1_loops; i++) {
		struct h1_loop *l = &s->h1_loops[i];

		if (l->started) {
			event_active(l->stop_ev, 0, 0);
			pthread_join(l->thread, NULL);
			l->started = 0;
		}
	}
	/* The threads are gone: MHD is stopped from here. Connections that
	 * never reached a daemon are closed. */
	for (unsigned i = 0; i < s->nh1_loops; i++) {
		struct h1_loop *l = &s->h1_loops[i];

		while (l->adopts) {
			struct h1_adopt *a = l->adopts;

			l->adopts = a->next;
			close(a->fd);
			free(a);
		}
		l->adopts_tail = &l->adopts;
		if (l->mhd)
			MHD_stop_daemon(l->mhd);
		l->mhd = NULL;
	}
}

void serve_h1_loops_free(serve_server *s)
{
	if (!s->h1_loops)
		return;
	serve_h1_loops_stop(s);
	for (unsigned i = 0; i < s->nh1_loops; i++) {
		struct h1_loop *l = &s->h1_loops[i];

		if (l->mhd_ev)
			event_free(l->mhd_ev);
		if (l->timer)
			event_free(l->timer);
		if (l->adopt_ev)
			event_free(l->adopt_ev);
		if (l->stop_ev)
			event_free(l->stop_ev);
		if (l->run_ev)
			event_free(l->run_ev);
		if (l->base)
			event_base_free(l->base);
		pthread_mutex_destroy(&l->lock);
	}
	free(s->h1_loops);
	s->h1_loops = NULL;
	s->nh1_loops = 0;
}
