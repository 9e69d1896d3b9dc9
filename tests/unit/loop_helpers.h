/* A small poll() loop standing in for libevent, for the tests of a
 * bedrock_multi in an event loop (bedrock_multi_use_loop): the two hooks,
 * and one turn of the loop. It also notes the local port of every socket it
 * is asked to watch, so a test can tell how many connections were used. */
#ifndef BEDROCK_TEST_LOOP_HELPERS_H
#define BEDROCK_TEST_LOOP_HELPERS_H

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "harness.h"

/* The loop: watched descriptors, one timer. */
typedef struct loop {
	struct pollfd fds[256];
	int nfds;
	long long timer_at;	/* ms; -1: none */
	int slots_live;		/* slots handed out, not yet released */
	int ports[64];		/* distinct local ports of the watched sockets */
	int nports;
	bedrock_multi *m;
} loop;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

static void note_port(loop *l, int fd)
{
	struct sockaddr_in a;
	socklen_t n = sizeof(a);
	int i, port;

	if (getsockname(fd, (struct sockaddr *)&a, &n) || a.sin_family != AF_INET)
		return;
	port = ntohs(a.sin_port);
	for (i = 0; i < l->nports; i++)
		if (l->ports[i] == port)
			return;
	if (l->nports < 64)
		l->ports[l->nports++] = port;
}

static void *watch(void *arg, int fd, int what, void *slot)
{
	loop *l = arg;
	int i;

	for (i = 0; i < l->nfds && l->fds[i].fd != fd; i++)
		;
	if (what == BEDROCK_WATCH_REMOVE) {
		if (i < l->nfds)
			l->fds[i] = l->fds[--l->nfds];
		if (slot) {
			free(slot);
			l->slots_live--;
		}
		return NULL;
	}
	if (i == l->nfds) {
		assert_true(l->nfds < 256);
		l->fds[l->nfds++].fd = fd;
		note_port(l, fd);
	}
	l->fds[i].events = (short)((what & BEDROCK_WATCH_IN ? POLLIN : 0) |
				   (what & BEDROCK_WATCH_OUT ? POLLOUT : 0));
	if (!slot) {
		/* Something to give back on REMOVE: a leak shows under ASan. */
		slot = malloc(8);
		l->slots_live++;
	}
	return slot;
}

static void timer(void *arg, long ms)
{
	loop *l = arg;

	l->timer_at = ms < 0 ? -1 : now_ms() + ms;
}

static void loop_init(loop *l)
{
	bedrock_multi_loop hooks = { watch, timer, l };

	memset(l, 0, sizeof(*l));
	l->timer_at = -1;
	assert_int_equal(bedrock_multi_new(&l->m), 0);
	assert_int_equal(bedrock_multi_use_loop(l->m, &hooks), 0);
}

/* One turn: wait for a socket or the timer (at most max_ms), act. */
static void loop_turn(loop *l, int max_ms)
{
	int wait = max_ms, i, n;
	struct pollfd ready[256];

	if (l->timer_at >= 0) {
		long long left = l->timer_at - now_ms();

		wait = left < 0 ? 0 : left < wait ? (int)left : wait;
	}
	memcpy(ready, l->fds, sizeof(ready[0]) * (size_t)l->nfds);
	n = l->nfds;
	assert_true(poll(ready, (nfds_t)n, wait) >= 0);
	for (i = 0; i < n; i++) {
		int what = (ready[i].revents & (POLLIN | POLLHUP | POLLERR) ? BEDROCK_WATCH_IN : 0) |
			   (ready[i].revents & POLLOUT ? BEDROCK_WATCH_OUT : 0);

		if (what)
			assert_int_equal(bedrock_multi_act(l->m, ready[i].fd, what), 0);
	}
	if (l->timer_at >= 0 && now_ms() >= l->timer_at) {
		l->timer_at = -1;
		assert_int_equal(bedrock_multi_act(l->m, BEDROCK_MULTI_TIMEOUT, 0), 0);
	}
}

#endif
