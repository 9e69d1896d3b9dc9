/* The serving layer's front door: binds the port, accepts with libevent
 * and sends each connection to HTTP/2 (nghttp2) or HTTP/1.1
 * (libmicrohttpd) after peeking at its first bytes. One port serves both,
 * as Bedrock's endpoint does for clients that speak HTTP/2 with prior
 * knowledge (the AWS JS SDK on an http:// endpoint) and for everyone
 * else. With TLS, a ClientHello goes to OpenSSL (tls_conn.c), which
 * hands the connection on by ALPN, and anything else is closed. Also the
 * server's life: start, run, drain, stop. */
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>

#include <event2/thread.h>

#include "serve_net.h"

/* The client connection preface of RFC 9113 section 3.4. */
static const char preface[] = "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n";
/* "PRI" tells the preface from every HTTP/1 method (PROPFIND, POST, ...). */
#define PEEK_DECISIVE 3
/* Defaults of the serve_server_options limits (documented in bedrock(1)). */
#define DEFAULT_MAX_BUFFERED ((size_t)256 * 1024 * 1024)
#define DEFAULT_MAX_CONNECTIONS 4096
#define DEFAULT_IDLE_TIMEOUT_S 30
#define DEFAULT_REQUEST_TIMEOUT_S 60
/* How often the deadlines are looked at. */
#define SWEEP_MS 250
/* How often to look again when only part of "PRI" has arrived. */
#define PEEK_RETRY_MS 5
/* How long accepting pauses after accept() fails (out of descriptors). */
#define ACCEPT_PAUSE_MS 100
/* NI_MAXHOST/NI_MAXSERV are not POSIX; numeric forms are short anyway. */
#define HOST_CAP 64
#define SERV_CAP 8
/* A TLS record's first byte: handshake (RFC 8446 5.1), so a ClientHello. */
#define TLS_HANDSHAKE 0x16
/* What serve_server_stop() and serve_server_drain() write to the pipe. */
#define WAKE_STOP 'S'
#define WAKE_DRAIN 'D'
#define DEFAULT_NAME "bedrock emulate"
#define DEFAULT_MAX_THREADS 16384

struct peek_conn {
	struct peek_conn *prev, *next;
	serve_server *srv;
	int fd;
	struct event *ev;
	uint64_t deadline;
	uint64_t start_ms;
	int h1;				/* HTTP/1: waiting for the whole first head */
	int edge;			/* ev is registered edge-triggered for it */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

/* An event base whose timers keep time to the millisecond: libevent's
 * default clock is CLOCK_MONOTONIC_COARSE, which advances once a kernel
 * tick (4 ms at HZ=250), so a stream paced with slow=1 came out one event
 * every 4 ms. */
static struct event_base *new_base(void)
{
	struct event_config *cfg = event_config_new();
	struct event_base *base = NULL;

	if (cfg && !event_config_set_flag(cfg, EVENT_BASE_FLAG_PRECISE_TIMER))
		base = event_base_new_with_config(cfg);
	if (cfg)
		event_config_free(cfg);
	return base;
}

uint64_t serve_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

void serve_cursor_start(serve_cursor *c, const serve_response *p)
{
	memset(c, 0, sizeof(*c));
	c->due = serve_now_ms() + (p->piece_count ? p->pieces[0].delay_ms : 0);
}

serve_cursor_step serve_cursor_next(serve_cursor *c, const serve_response *p, void *buf, size_t max,
				size_t *n, uint64_t *wait_ms)
{
	*n = 0;
	for (;;) {
		const serve_piece *pc;
		size_t k;

		if (c->piece == p->piece_count)
			return *n ? SERVE_CURSOR_DATA : SERVE_CURSOR_END;
		pc = &p->pieces[c->piece];
		if (!c->due_passed) {
			uint64_t now = serve_now_ms();

			if (now < c->due) {
				if (*n)
					return SERVE_CURSOR_DATA;
				*wait_ms = c->due - now;
				return SERVE_CURSOR_WAIT;
			}
			c->due_passed = 1;
		}
		k = pc->len - c->off < max - *n ? pc->len - c->off : max - *n;
		memcpy((uint8_t *)buf + *n, pc->data + c->off, k);
		*n += k;
		c->off += k;
		if (c->off == pc->len) {
			c->piece++;
			c->off = 0;
			c->due_passed = 0;
			if (c->piece < p->piece_count)
				c->due = serve_now_ms() + p->pieces[c->piece].delay_ms;
		}
		/* One piece a call, so each leaves on its own, unless the plan
		 * wants the pieces that are due together sent together. */
		if (!p->coalesce || *n == max)
			return SERVE_CURSOR_DATA;
	}
}

/* ---- limits shared by both protocols --------------------------------------- */

uint64_t serve_idle_ms(const serve_server *s)
{
	return (uint64_t)s->opt.idle_timeout_s * 1000;
}

uint64_t serve_request_ms(const serve_server *s)
{
	return (uint64_t)s->opt.request_timeout_s * 1000;
}

int serve_budget_take(serve_server *s, size_t n)
{
	size_t cur = atomic_load(&s->buffered);

	do {
		if (n > s->opt.max_buffered || cur > s->opt.max_buffered - n)
			return -1;
	} while (!atomic_compare_exchange_weak(&s->buffered, &cur, cur + n));
	return 0;
}

void serve_budget_give(serve_server *s, size_t n)
{
	atomic_fetch_sub(&s->buffered, n);
}

void serve_refusal(serve_response *out, int status, const char *type, const char *message)
{
	char full[160], body[256];
	int n;

	serve_response_dispose(out);
	serve_response_init(out, status);
	snprintf(full, sizeof(full), "%s:http://internal.amazon.com/coral/com.amazon.bedrock/", type);
	/* message is ours, a constant with nothing to escape in JSON */
	n = snprintf(body, sizeof(body), "{\"message\":\"%s\"}", message);
	serve_response_header(out, "Content-Type", "application/json");
	serve_response_header(out, "x-amzn-ErrorType", full);
	if (n > 0 && (size_t)n < sizeof(body))
		serve_response_piece(out, body, (size_t)n, 0);
}

int serve_target_ok(const char *t)
{
	for (; *t; t++)
		if ((unsigned char)*t <= 0x20 || *t == 0x7f)
			return 0;
	return 1;
}

/* ---- peeking ------------------------------------------------------------ */

static void peek_free(struct peek_conn *p, int close_fd)
{
	serve_server *s = p->srv;

	if (p->prev)
		p->prev->next = p->next;
	else
		s->peeks = p->next;
	if (p->next)
		p->next->prev = p->prev;
	s->npeeks--;
	event_free(p->ev);
	if (close_fd)
		close(p->fd);
	free(p);
}

static void peek_cb(evutil_socket_t fd, short what, void *arg);

/* Waits for bytes until the deadline. by_timer: only part of "PRI" is in;
 * look again shortly (the socket stays readable and would spin the loop).
 * An HTTP/1 head still coming in waits edge-triggered and registered once
 * (EV_PERSIST): peeking leaves the bytes in, so only new ones may wake it;
 * a re-registration would report the old ones again at once. */
static void peek_arm(struct peek_conn *p, int by_timer)
{
	struct timeval tv = { 0, PEEK_RETRY_MS * 1000 };
	uint64_t now = serve_now_ms(), left = p->deadline > now ? p->deadline - now : 0;
	struct timeval until = { (time_t)(left / 1000), (suseconds_t)(left % 1000) * 1000 };

	if (p->h1 && p->edge) {
		event_add(p->ev, &until);	/* only the timeout changes */
		return;
	}
	event_del(p->ev);
	if (p->h1)
		p->edge = 1;
	event_assign(p->ev, p->srv->base, p->fd,
		     by_timer ? 0 : p->h1 ? EV_READ | EV_ET | EV_PERSIST : EV_READ, peek_cb, p);
	event_add(p->ev, by_timer ? &tv : &until);
}

/* Answers 400 to a first request whose head libmicrohttpd would take
 * (or answer twice), logs it and closes. The rest of what the client sent
 * is read away first, so the close does not reset the answer away. */
static void peek_refuse(struct peek_conn *p, const char *head, size_t len)
{
	static const char resp[] = "HTTP/1.1 400 Bad Request\r\nConnection: close\r\n"
				   "Content-Length: 0\r\n\r\n";
	char method[32] = "-", target[600] = "-", peer[64], buf[4096];
	const char *sp = memchr(head, ' ', len), *eol = memchr(head, '\n', len);
	int rounds = 64;

	if (sp && eol && sp < eol) {
		const char *last = sp + 1, *q;

		for (q = sp + 1; q < eol; q++)
			if (*q == ' ')
				last = q;
		snprintf(method, sizeof(method), "%.*s", (int)(sp - head), head);
		if (last > sp + 1)
			snprintf(target, sizeof(target), "%.*s", (int)(last - sp - 1), sp + 1);
	}
	/* the log shows the path only, as for every request */
	target[strcspn(target, "?")] = 0;
	if (send(p->fd, resp, sizeof(resp) - 1, MSG_NOSIGNAL) < 0) {
		/* gone already */
	}
	shutdown(p->fd, SHUT_WR);
	while (rounds-- && recv(p->fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	serve_format_peer(peer, sizeof(peer), (struct sockaddr *)&p->addr, p->addrlen);
	serve_access_log(p->srv, peer, method, target, 400, 0, p->start_ms, 0);
	peek_free(p, 1);
}

/* An HTTP/1 connection: its first head, whole, before MHD sees it. */
static void peek_h1(struct peek_conn *p)
{
	serve_server *s = p->srv;
	size_t cap = s->opt.max_header_bytes + 1, len;
	char *buf = malloc(cap);
	ssize_t n;

	if (!buf) {
		peek_free(p, 1);
		return;
	}
	n = recv(p->fd, buf, cap, MSG_PEEK);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
		free(buf);
		peek_free(p, 1);
		return;
	}
	len = n > 0 ? (size_t)n : 0;
	switch (serve_h1_head_check(buf, len)) {
	case SERVE_HEAD_PARTIAL:
		free(buf);
		if (len < cap && serve_now_ms() < p->deadline) {
			peek_arm(p, 0);
			return;
		}
		if (len < cap) {	/* the head did not come in time */
			peek_free(p, 1);
			return;
		}
		/* Too big: MHD answers that (431). */
		serve_h1_adopt(s, p->fd, (struct sockaddr *)&p->addr, p->addrlen);
		peek_free(p, 0);
		return;
	case SERVE_HEAD_BAD:
		peek_refuse(p, buf, len);
		free(buf);
		return;
	default:
		free(buf);
		serve_h1_adopt(s, p->fd, (struct sockaddr *)&p->addr, p->addrlen);
		peek_free(p, 0);
	}
}

static void peek_cb(evutil_socket_t fd, short what, void *arg)
{
	struct peek_conn *p = arg;
	serve_server *s = p->srv;
	char buf[PEEK_DECISIVE];
	ssize_t n;

	(void)what;
	if (p->h1) {
		peek_h1(p);
		return;
	}
	n = recv(fd, buf, sizeof(buf), MSG_PEEK);
	if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) ||
	    serve_now_ms() >= p->deadline) {
		peek_free(p, 1);
		return;
	}
	if (n < 0) {
		peek_arm(p, 0);
		return;
	}
	if (s->tls_ctx) {
		/* TLS only: a cleartext request would carry keys in the clear. */
		if ((unsigned char)buf[0] == TLS_HANDSHAKE) {
			serve_tls_adopt(s, fd, (struct sockaddr *)&p->addr, p->addrlen);
			peek_free(p, 0);
		} else {
			peek_free(p, 1);
		}
		return;
	}
	if (memcmp(buf, preface, (size_t)n)) {
		/* A request has begun: its head is due within the request time. */
		p->h1 = 1;
		p->start_ms = serve_now_ms();
		p->deadline = p->start_ms + serve_request_ms(s);
		peek_h1(p);
		return;
	} else if (n < PEEK_DECISIVE) {
		peek_arm(p, 1);
		return;
	} else {
		serve_h2_adopt(s, fd, (struct sockaddr *)&p->addr, p->addrlen);
	}
	peek_free(p, 0);
}

static void accept_cb(struct evconnlistener *l, evutil_socket_t fd, struct sockaddr *sa,
		      int len, void *arg)
{
	serve_server *s = arg;
	struct peek_conn *p;
	int one = 1;

	(void)l;
	/* Over the limit: closed at once, so the client hears about it now
	 * rather than waiting in the backlog. */
	if (s->npeeks + s->ntls - s->nrelay + s->nh2 + serve_h1_count(s) >= s->opt.max_connections) {
		uint64_t now = serve_now_ms();

		if (now - s->limit_said >= 1000) {
			serve_say(s, "%u connections open (--max-connections): closing new ones",
				  s->opt.max_connections);
			s->limit_said = now;
		}
		close(fd);
		return;
	}
	p = calloc(1, sizeof(*p));
	if (!p || (size_t)len > sizeof(p->addr)) {
		free(p);
		close(fd);
		return;
	}
	/* Small streamed pieces must leave at once. */
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	p->srv = s;
	p->fd = fd;
	memcpy(&p->addr, sa, (size_t)len);
	p->addrlen = (socklen_t)len;
	p->start_ms = serve_now_ms();
	p->deadline = p->start_ms + serve_idle_ms(s);
	p->ev = event_new(s->base, fd, EV_READ, peek_cb, p);
	if (!p->ev) {
		free(p);
		close(fd);
		return;
	}
	p->next = s->peeks;
	if (s->peeks)
		s->peeks->prev = p;
	s->peeks = p;
	s->npeeks++;
	peek_arm(p, 0);
}

/* Draining, at each sweep: the connections that finished their last
 * exchange are closed; the loop ends when none is left, or at the
 * deadline, cutting what is. */
static void drain_step(serve_server *s, uint64_t now)
{
	serve_h1_drain(s, 0);
	if (!s->npeeks && !s->ntls && !s->nh2 && !serve_h1_count(s)) {
		event_base_loopbreak(s->base);
		return;
	}
	if (now >= s->drain_deadline) {
		serve_say(s, "drain deadline passed: cutting what is left");
		serve_h1_drain(s, 1);
		serve_h2_close_all(s);
		serve_tls_close_all(s);
		event_base_loopbreak(s->base);
	}
}

static void sweep_cb(evutil_socket_t fd, short what, void *arg)
{
	serve_server *s = arg;
	uint64_t now = serve_now_ms();

	(void)fd;
	(void)what;
	serve_h1_sweep(s, now);
	serve_h2_sweep(s, now);
	if (s->nh1_loops)
		serve_h1_loops_sample(s);
	if (atomic_load(&s->draining))
		drain_step(s, now);
}

static void drain_begin(serve_server *s)
{
	if (atomic_load(&s->draining))
		return;
	s->drain_deadline = serve_now_ms() + atomic_load(&s->drain_ms);
	atomic_store(&s->draining, 1);
	/* Closed, not paused: new connections are refused at once. */
	if (s->listener)
		evconnlistener_free(s->listener);
	s->listener = NULL;
	event_del(s->accept_resume);
	/* Accepted but no request yet: nothing in flight. */
	while (s->peeks)
		peek_free(s->peeks, 1);
	serve_tls_drain(s);
	serve_h2_drain(s);
	drain_step(s, serve_now_ms());
}

static void accept_resume_cb(evutil_socket_t fd, short what, void *arg)
{
	serve_server *s = arg;

	(void)fd;
	(void)what;
	if (s->listener)
		evconnlistener_enable(s->listener);
}

static void accept_error_cb(struct evconnlistener *l, void *arg)
{
	serve_server *s = arg;
	struct timeval tv = { 0, ACCEPT_PAUSE_MS * 1000 };
	uint64_t now = serve_now_ms();

	/* EMFILE and friends: the pending connection stays in the backlog and
	 * the listener would fire again at once, so pause it briefly and keep
	 * serving the connections we have. Say so once a second at most. */
	if (now - s->accept_error_said >= 1000) {
		serve_say(s, "accept: %s", strerror(errno));
		s->accept_error_said = now;
	}
	evconnlistener_disable(l);
	evtimer_add(s->accept_resume, &tv);
}

/* ---- lifecycle ------------------------------------------------------------ */

static void stop_cb(evutil_socket_t fd, short what, void *arg)
{
	serve_server *s = arg;
	char buf[64];
	int stop = 0, drain = 0;
	ssize_t n, i;

	(void)what;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (i = 0; i < n; i++) {
			stop |= buf[i] == WAKE_STOP;
			drain |= buf[i] == WAKE_DRAIN;
		}
	if (stop)
		event_base_loopbreak(s->base);
	else if (drain)
		drain_begin(s);
}

/* Splits "host:port" or "[v6]:port"; host may be empty (all addresses). */
static int split_listen(const char *addr, char *host, size_t hcap, char *port, size_t pcap)
{
	const char *colon, *h = addr;
	size_t hl;

	if (addr[0] == '[') {
		const char *end = strchr(addr, ']');

		if (!end || end[1] != ':')
			return -1;
		h = addr + 1;
		hl = (size_t)(end - h);
		colon = end + 1;
	} else {
		colon = strrchr(addr, ':');
		if (!colon)
			return -1;
		hl = (size_t)(colon - addr);
	}
	if (hl >= hcap || strlen(colon + 1) >= pcap || !colon[1])
		return -1;
	/* An IPv6 address goes in brackets; unbracketed, its colons make the
	 * port ambiguous. */
	if (addr[0] != '[' && memchr(addr, ':', hl))
		return -1;
	/* Decimal, 0 to 65535: getaddrinfo() takes 70000 and listens on
	 * 70000 mod 65536, and takes " 80" or "+80" too. */
	{
		const char *d = colon + 1;
		unsigned long n = 0;

		for (; *d; d++) {
			if (*d < '0' || *d > '9')
				return -1;
			n = n * 10 + (unsigned long)(*d - '0');
			if (n > 65535)
				return -1;
		}
	}
	memcpy(host, h, hl);
	host[hl] = 0;
	strcpy(port, colon + 1);
	return 0;
}

static int bind_listen(const serve_server *s, const char *addr, char *url, size_t url_cap)
{
	struct addrinfo hints, *res = NULL, *ai;
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[256], port[16], bound[HOST_CAP + SERV_CAP + 4];
	int fd = -1, one = 1, rc;

	if (split_listen(addr, host, sizeof(host), port, sizeof(port))) {
		serve_say(s, "--listen wants HOST:PORT or [V6]:PORT with a port from 0 to 65535, "
			  "not '%s'", addr);
		return -1;
	}
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	rc = getaddrinfo(host[0] ? host : NULL, port, &hints, &res);
	if (rc) {
		serve_say(s, "%s: %s", addr, gai_strerror(rc));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		/* Non-blocking: evconnlistener accepts until EAGAIN. */
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC | SOCK_NONBLOCK,
			    ai->ai_protocol);
		if (fd < 0)
			continue;
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (!bind(fd, ai->ai_addr, ai->ai_addrlen) && !listen(fd, 4096))
			break;
		close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0) {
		serve_say(s, "cannot listen on %s: %s", addr, strerror(errno));
		return -1;
	}
	if (getsockname(fd, (struct sockaddr *)&ss, &sl)) {
		close(fd);
		return -1;
	}
	serve_format_peer(bound, sizeof(bound), (struct sockaddr *)&ss, sl);
	snprintf(url, url_cap, "%s://%s", s->opt.tls_cert ? "https" : "http", bound);
	return fd;
}

int serve_server_new(serve_server **out, const serve_server_options *opts, char *url, size_t url_cap)
{
	serve_server *s;
	int fd;

	*out = NULL;
	if (url_cap)
		*url = 0;
	if (!opts->handler || !opts->listen) {
		fprintf(stderr, "%s: no handler or listen address\n",
			opts->name ? opts->name : DEFAULT_NAME);
		return -1;
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return -1;
	s->opt = *opts;
	s->stop_pipe[0] = s->stop_pipe[1] = -1;
	pthread_mutex_init(&s->lock, NULL);
	pthread_mutex_init(&s->later_lock, NULL);
	pthread_cond_init(&s->later_cond, NULL);
	atomic_init(&s->buffered, 0);
	if (!s->opt.max_body)
		s->opt.max_body = 25000000 + 1024 * 1024;
	if (!s->opt.max_header_bytes)
		s->opt.max_header_bytes = 64 * 1024;
	if (!s->opt.max_buffered)
		s->opt.max_buffered = DEFAULT_MAX_BUFFERED;
	if (!s->opt.max_connections)
		s->opt.max_connections = DEFAULT_MAX_CONNECTIONS;
	if (!s->opt.idle_timeout_s)
		s->opt.idle_timeout_s = DEFAULT_IDLE_TIMEOUT_S;
	if (!s->opt.request_timeout_s)
		s->opt.request_timeout_s = DEFAULT_REQUEST_TIMEOUT_S;
	if (!s->opt.max_threads)
		s->opt.max_threads = DEFAULT_MAX_THREADS;
	/* The caller's strings are copied: they need not outlive this call. */
	s->opt.name = strdup(opts->name ? opts->name : DEFAULT_NAME);
	s->opt.tls_cert = s->opt.tls_key = NULL;
	if ((opts->tls_cert && !(s->opt.tls_cert = strdup(opts->tls_cert))) ||
	    (opts->tls_key && !(s->opt.tls_key = strdup(opts->tls_key))) || !s->opt.name) {
		s->opt.listen = NULL;
		fprintf(stderr, "%s: out of memory\n", opts->name ? opts->name : DEFAULT_NAME);
		goto fail;
	}
	s->opt.listen = strdup(opts->listen);
	/* MHD's threads arm libevent timers, so the base needs its locks. */
	if (!s->opt.listen || evthread_use_pthreads() || !(s->base = new_base()) ||
	    pipe(s->stop_pipe) || fcntl(s->stop_pipe[0], F_SETFL, O_NONBLOCK) ||
	    fcntl(s->stop_pipe[1], F_SETFL, O_NONBLOCK) ||
	    fcntl(s->stop_pipe[0], F_SETFD, FD_CLOEXEC) ||
	    fcntl(s->stop_pipe[1], F_SETFD, FD_CLOEXEC) ||
	    !(s->stop_ev = event_new(s->base, s->stop_pipe[0], EV_READ | EV_PERSIST, stop_cb, s)) ||
	    event_add(s->stop_ev, NULL) ||
	    !(s->accept_resume = evtimer_new(s->base, accept_resume_cb, s)) ||
	    !(s->sweep = event_new(s->base, -1, EV_PERSIST, sweep_cb, s)) ||
	    event_add(s->sweep, &(struct timeval){ 0, SWEEP_MS * 1000 })) {
		serve_say(s, "cannot set up the event loop: %s", strerror(errno));
		goto fail;
	}
	if (s->opt.blocking && serve_pool_new(&s->pool, s->opt.max_threads)) {
		serve_say(s, "out of memory");
		goto fail;
	}
	if ((s->opt.tls_cert || s->opt.tls_key) && serve_tls_load(s))
		goto fail;	/* it said why */
	fd = bind_listen(s, s->opt.listen, url, url_cap);
	if (fd < 0)
		goto fail;	/* bind_listen said why */
	s->listener = evconnlistener_new(s->base, accept_cb, s,
					 LEV_OPT_CLOSE_ON_FREE | LEV_OPT_CLOSE_ON_EXEC, 0, fd);
	if (!s->listener) {
		serve_say(s, "cannot listen: %s", strerror(errno));
		close(fd);
		goto fail;
	}
	evconnlistener_set_error_cb(s->listener, accept_error_cb);
	if (serve_h1_start(s))
		goto fail;
	*out = s;
	return 0;
fail:
	serve_server_free(s);
	return -1;
}

int serve_server_run(serve_server *s)
{
	int rc = event_base_dispatch(s->base);

	/* Stop accepting, then end every connection: HTTP/2 ones here in
	 * the loop's thread, HTTP/1.1 ones by stopping MHD. */
	if (s->listener)
		evconnlistener_disable(s->listener);
	event_del(s->sweep);
	while (s->peeks)
		peek_free(s->peeks, 1);
	serve_h2_close_all(s);
	serve_tls_close_all(s);
	serve_h1_stop(s);
	/* Every later was cancelled above (its stream freed, its HTTP/1.1
	 * thread interrupted, then joined): the app answers them promptly. */
	serve_later_wait_all(s);
	return rc < 0 ? -1 : 0;
}

void serve_server_stop(serve_server *s)
{
	int saved = errno;
	char c = WAKE_STOP;

	/* write() is async-signal-safe; the loop wakes on the pipe. */
	if (s && s->stop_pipe[1] >= 0 && write(s->stop_pipe[1], &c, 1) < 0) {
		/* A full pipe already holds a wake-up. */
	}
	errno = saved;
}

void serve_server_drain(serve_server *s, unsigned deadline_ms)
{
	int saved = errno;
	char c = WAKE_DRAIN;

	if (!s)
		return;
	/* A lock-free atomic store is async-signal-safe. */
	atomic_store(&s->drain_ms, deadline_ms);
	if (s->stop_pipe[1] >= 0 && write(s->stop_pipe[1], &c, 1) < 0) {
		/* A full pipe already holds a wake-up. */
	}
	errno = saved;
}

void serve_server_free(serve_server *s)
{
	if (!s)
		return;
	while (s->peeks)
		peek_free(s->peeks, 1);
	serve_h2_close_all(s);
	serve_tls_close_all(s);
	serve_h1_stop(s);
	/* A later's answer may still touch its stream's event: the base
	 * stays until each came (none is owed after serve_server_run). */
	serve_later_wait_all(s);
	serve_h1_loops_free(s);
	/* Its workers' streams are cancelled; they end, then the base may go. */
	serve_pool_free(s->pool);
	if (s->accept_resume)
		event_free(s->accept_resume);
	if (s->sweep)
		event_free(s->sweep);
	if (s->listener)
		evconnlistener_free(s->listener);
	if (s->stop_ev)
		event_free(s->stop_ev);
	if (s->base)
		event_base_free(s->base);
	if (s->stop_pipe[0] >= 0)
		close(s->stop_pipe[0]);
	if (s->stop_pipe[1] >= 0)
		close(s->stop_pipe[1]);
	pthread_mutex_destroy(&s->lock);
	pthread_mutex_destroy(&s->later_lock);
	pthread_cond_destroy(&s->later_cond);
	free((char *)s->opt.listen);
	free((char *)s->opt.name);
	free((char *)s->opt.tls_cert);
	free((char *)s->opt.tls_key);
	serve_tls_unload(s);
	free(s);
}
