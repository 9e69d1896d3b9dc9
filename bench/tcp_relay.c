/* tcp_relay: a bare TCP relay, the floor of "one more process hop" in
 * bench/bench_gateway.c. Each accepted connection gets its own connection
 * to the target, and bytes are copied both ways by one epoll thread with
 * read()/write() and nothing else: no parsing, no allocation per message,
 * no logging. Whatever a gateway adds above this is the gateway's own cost.
 *
 * Usage: tcp_relay --listen HOST:PORT --to HOST:PORT
 * The first stdout line is `listening on http://HOST:PORT`, as
 * `bedrock emulate` prints it (port 0 picks a free one). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF_CAP 65536

/* One direction of a pair: bytes read from `fd` wait in buf until the
 * peer's socket takes them. */
struct side {
	int fd;
	struct side *peer;
	char *buf;
	size_t off, len;	/* pending bytes are buf[off..len) */
	int want_out;		/* EPOLLOUT armed on this fd */
	int in_off;		/* EPOLLIN disarmed while the peer is full */
	int closed;
	struct side *next_dead;
};

static int epfd;
static struct side *dead;	/* closed this round, freed after it */

static int parse_addr(const char *s, struct sockaddr_in *sa)
{
	char host[64];
	const char *colon = strrchr(s, ':');

	if (!colon || (size_t)(colon - s) >= sizeof host)
		return -1;
	memcpy(host, s, (size_t)(colon - s));
	host[colon - s] = '\0';
	memset(sa, 0, sizeof *sa);
	sa->sin_family = AF_INET;
	sa->sin_port = htons((unsigned short)atoi(colon + 1));
	return inet_pton(AF_INET, host, &sa->sin_addr) == 1 ? 0 : -1;
}

static void arm(struct side *s)
{
	struct epoll_event ev = { 0 };

	ev.events = (s->in_off ? 0 : EPOLLIN) | (s->want_out ? EPOLLOUT : 0) | EPOLLRDHUP;
	ev.data.ptr = s;
	epoll_ctl(epfd, EPOLL_CTL_MOD, s->fd, &ev);
}

static void close_pair(struct side *a)
{
	struct side *b = a->peer;

	epoll_ctl(epfd, EPOLL_CTL_DEL, a->fd, NULL);
	epoll_ctl(epfd, EPOLL_CTL_DEL, b->fd, NULL);
	close(a->fd);
	close(b->fd);
	/* Closed sides may still be in this round's event list: mark them,
	 * free them when the round is over. */
	a->closed = b->closed = 1;
	a->next_dead = b;
	b->next_dead = dead;
	dead = a;
}

/* Writes what `s` holds to its peer; returns -1 when the pair must close. */
static int flush(struct side *s)
{
	struct side *p = s->peer;

	while (s->off < s->len) {
		ssize_t n = write(p->fd, s->buf + s->off, s->len - s->off);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN) {
				/* Peer full: stop reading here, wait for it. */
				if (!p->want_out) {
					p->want_out = 1;
					arm(p);
				}
				if (!s->in_off) {
					s->in_off = 1;
					arm(s);
				}
				return 0;
			}
			return -1;
		}
		s->off += (size_t)n;
	}
	s->off = s->len = 0;
	if (p->want_out) {
		p->want_out = 0;
		arm(p);
	}
	if (s->in_off) {
		s->in_off = 0;
		arm(s);
	}
	return 0;
}

static int pump(struct side *s)
{
	for (;;) {
		ssize_t n;

		if (s->len)
			return 0;	/* still waiting on the peer */
		n = read(s->fd, s->buf, BUF_CAP);
		if (n == 0)
			return -1;
		if (n < 0)
			return errno == EAGAIN ? 0 : errno == EINTR ? 0 : -1;
		s->len = (size_t)n;
		if (flush(s) < 0)
			return -1;
		if ((size_t)n < BUF_CAP)
			return 0;	/* drained: level-triggered epoll says when more */
	}
}

static void add(struct side *s)
{
	struct epoll_event ev = { 0 };

	ev.events = EPOLLIN | EPOLLRDHUP;
	ev.data.ptr = s;
	epoll_ctl(epfd, EPOLL_CTL_ADD, s->fd, &ev);
}

static void accept_one(int lfd, const struct sockaddr_in *to)
{
	int one = 1, c, u;
	struct side *a, *b;

	c = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (c < 0)
		return;
	u = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	/* Loopback connects at once: a blocking connect keeps this simple. */
	if (u < 0 || connect(u, (const struct sockaddr *)to, sizeof *to) < 0) {
		close(c);
		if (u >= 0)
			close(u);
		return;
	}
	fcntl(u, F_SETFL, O_NONBLOCK);
	setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	setsockopt(u, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	a = calloc(1, sizeof *a);
	b = calloc(1, sizeof *b);
	a->buf = malloc(BUF_CAP);
	b->buf = malloc(BUF_CAP);
	if (!a || !b || !a->buf || !b->buf) {
		close(c);
		close(u);
		return;
	}
	a->fd = c;
	b->fd = u;
	a->peer = b;
	b->peer = a;
	add(a);
	add(b);
}

int main(int argc, char **argv)
{
	struct sockaddr_in listen_sa, to_sa;
	socklen_t sl = sizeof listen_sa;
	const char *listen_s = "127.0.0.1:0", *to_s = NULL;
	struct epoll_event evs[256];
	int lfd, one = 1, i;

	for (i = 1; i + 1 < argc; i += 2) {
		if (!strcmp(argv[i], "--listen"))
			listen_s = argv[i + 1];
		else if (!strcmp(argv[i], "--to"))
			to_s = argv[i + 1];
	}
	if (!to_s || parse_addr(listen_s, &listen_sa) || parse_addr(to_s, &to_sa)) {
		fprintf(stderr, "usage: tcp_relay --listen HOST:PORT --to HOST:PORT (IPv4)\n");
		return 2;
	}
	signal(SIGPIPE, SIG_IGN);
	lfd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
	if (lfd < 0 || bind(lfd, (struct sockaddr *)&listen_sa, sizeof listen_sa) ||
	    listen(lfd, 4096) || getsockname(lfd, (struct sockaddr *)&listen_sa, &sl)) {
		perror("tcp_relay: listen");
		return 1;
	}
	epfd = epoll_create1(EPOLL_CLOEXEC);
	{
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = NULL };

		epoll_ctl(epfd, EPOLL_CTL_ADD, lfd, &ev);
	}
	{
		char host[INET_ADDRSTRLEN];

		inet_ntop(AF_INET, &listen_sa.sin_addr, host, sizeof host);
		printf("listening on http://%s:%u\n", host, ntohs(listen_sa.sin_port));
		fflush(stdout);
	}
	for (;;) {
		int n = epoll_wait(epfd, evs, 256, -1);

		for (i = 0; i < n; i++) {
			struct side *s = evs[i].data.ptr;

			if (!s) {
				accept_one(lfd, &to_sa);
				continue;
			}
			if (s->closed)
				continue;
			if ((evs[i].events & EPOLLOUT) && flush(s->peer) < 0) {
				close_pair(s);
				continue;
			}
			if ((evs[i].events & (EPOLLIN | EPOLLRDHUP | EPOLLHUP | EPOLLERR)) &&
			    pump(s) < 0)
				close_pair(s);
		}
		while (dead) {
			struct side *d = dead;

			dead = d->next_dead;
			free(d->buf);
			free(d);
		}
	}
}
