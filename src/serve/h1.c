/* HTTP/1.1 through libmicrohttpd. The libevent loop accepts and hands
 * each HTTP/1 socket over with MHD_add_connection() (over TLS, one end of
 * a socketpair the loop relays decrypted bytes through: tls_conn.c); MHD's
 * threads then parse, call the handler and send.
 *
 * Non-blocking servers (and blocking ones with h1_in_loops): a libevent
 * loop a core, each driving its own MHD daemon (h1_loop.c); the handler
 * runs there and may use the loop (serve_request.loop). Pieces that are
 * not due yet: the content reader suspends the connection and arms a
 * libevent timer that resumes it, so no thread ever sleeps and a thousand
 * slow streams cost a timer each. A later answer suspends the connection
 * too, until serve_later_answer resumes it.
 *
 * Blocking servers: a thread per connection (small stacks), so the
 * handler and body.read may block; a piece not due yet is slept for. A
 * thread blocked in body.read cannot see its client leave, so the sweep
 * polls the sockets of streaming responses and cancels the body of one
 * whose client has gone.
 *
 * A non-blocking body (body.attach) that has nothing yet: a blocking
 * server's thread waits on its waker, a non-blocking server suspends the
 * connection until serve_wake resumes it. The sweep, drain and stop
 * interrupt either wait (serve_wake_interrupt) as they cancel a read. */
#define _GNU_SOURCE	/* POLLRDHUP: the client shut its side */
#include <errno.h>
#include <poll.h>
#include <time.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "serve_net.h"

/* Room in MHD's per-connection pool beyond the header block itself. */
#define H1_POOL_SLACK (32 * 1024)
/* The same for a blocking server, whose connections must stay small: MHD
 * touches half its pool (the first read buffer, zeroed when shrunk), and
 * chunked bodies are written into the pool's free part anyway. With 64 KiB
 * of headers allowed, an idle stream costs ~57 KiB (test_serve_memory). */
#define H1_POOL_SLACK_BLOCKING (8 * 1024)
#define PEER_CAP 64
/* The largest chunk a body read may fill. */
#define H1_CHUNK (16 * 1024)
/* A blocking server's thread waits for a non-blocking body's wake this
 * long at a time, then reads again: a lost wake would cost a second, not
 * the connection. */
#define H1_WAKE_SLICE_MS 1000
/* MHD's own buffer of a callback response, unused when chunked (reads go
 * into the connection's pool): as small as it may be. */
#define H1_BODY_BLOCK 1024

/* One per MHD connection (its socket context): the sweep in the loop's
 * thread shuts down the socket of one whose request is late; MHD then
 * closes it as it would any connection the client dropped. */
struct h1_conn {
	struct h1_conn *prev, *next;	/* in srv->h1s, under srv->lock */
	int fd;
	uint64_t deadline;		/* the request is due by then; 0: answering */
	int busy;			/* a request is in flight (drain leaves it) */
	serve_body *body;		/* a streaming body being read, for cancel */
	struct serve_wake *wake;	/* a non-blocking one's, for interrupt */
	struct serve_later *later;	/* an answer waited for, for interrupt */
	char peer[PEER_CAP];
};

struct h1_req {
	struct h1_req *prev, *next;	/* in srv->parked while suspended */
	serve_server *srv;
	struct h1_conn *hc;		/* NULL if it could not be allocated */
	struct MHD_Connection *conn;	/* set on the first access call */
	char *uri;			/* raw path, as received */
	char *query;			/* raw query, in uri's allocation */
	uint8_t *body;
	size_t len, cap;
	int answered;
	int deferred;			/* plan is a refusal for when the upload ends */
	int parked;
	struct h1_loop *loop;		/* where it is parked */
	serve_response plan;
	serve_cursor cur;			/* the next byte to send */
	struct event *timer;
	uint64_t start_ms;
	size_t bytes;
	int status;			/* 0: reset */
	int body_eof;			/* body.read returned 0 */
	struct serve_wake *wake;	/* a non-blocking body's (plan.body.attach) */
	struct serve_later *later;	/* on a loop: the answer awaited, suspended */
	const char *mhd_method;		/* MHD's, for the handler */
	char method[16];		/* a copy for the log, maybe cut */
	const char *peer;		/* the connection's (connection_cb) */
};

static void set_deadline(serve_server *s, struct h1_conn *hc, uint64_t when)
{
	if (!hc)
		return;
	pthread_mutex_lock(&s->lock);
	hc->deadline = when;
	pthread_mutex_unlock(&s->lock);
}

/* The peer, formatted once per connection rather than per request. */
static void connection_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	serve_server *s = cls;
	const union MHD_ConnectionInfo *ci;
	struct h1_conn *hc = *socket_context;

	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		serve_h1_loops_closed();
		/* MHD closes the socket only after this: the sweep can no longer
		 * touch a descriptor that is about to be reused. */
		if (!hc)
			return;
		pthread_mutex_lock(&s->lock);
		if (hc->prev)
			hc->prev->next = hc->next;
		else
			s->h1s = hc->next;
		if (hc->next)
			hc->next->prev = hc->prev;
		pthread_mutex_unlock(&s->lock);
		free(hc);
		*socket_context = NULL;
		return;
	}
	serve_h1_loops_opened();
	hc = calloc(1, sizeof(*hc));
	if (!hc)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		serve_format_peer(hc->peer, PEER_CAP, ci->client_addr,
				ci->client_addr->sa_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	else
		snprintf(hc->peer, PEER_CAP, "-");
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CONNECTION_FD);
	hc->fd = ci ? ci->connect_fd : -1;
	/* The first request began arriving before MHD got the socket. */
	hc->deadline = serve_now_ms() + serve_request_ms(s);
	pthread_mutex_lock(&s->lock);
	hc->next = s->h1s;
	if (s->h1s)
		s->h1s->prev = hc;
	s->h1s = hc;
	pthread_mutex_unlock(&s->lock);
	*socket_context = hc;
}

/* Makes a streaming body's reader come back: a blocking read is
 * cancelled, a wait for a wake (or a suspension) interrupted. Once. A
 * thread waiting for a later answer is interrupted too: it calls the
 * app's cancel itself, holding no lock. */
static void cut_stream(struct h1_conn *hc)
{
	if (hc->body && hc->body->cancel)
		hc->body->cancel(hc->body->self);
	hc->body = NULL;
	if (hc->wake)
		serve_wake_interrupt(hc->wake);
	hc->wake = NULL;
	if (hc->later)
		serve_later_interrupt(hc->later);
	hc->later = NULL;
}

/* A blocking server's streaming responses and later answers, and any
 * server's waiting for a wake, whose client has gone (shut its side, reset): their reader comes
 * back (cut_stream) and MHD sees the dead socket. One poll() for all. */
static int watched(const serve_server *s, const struct h1_conn *hc)
{
	return ((hc->body && H1_BLOCKS(s)) || hc->wake || hc->later) && hc->fd >= 0;
}

static void watch_streams(serve_server *s)
{
	struct pollfd *fds;
	struct h1_conn *hc;
	size_t n = 0, i;

	for (hc = s->h1s; hc; hc = hc->next)
		n += watched(s, hc);
	if (!n || !(fds = calloc(n, sizeof(*fds))))
		return;
	i = 0;
	for (hc = s->h1s; hc && i < n; hc = hc->next)
		if (watched(s, hc)) {
			fds[i].fd = hc->fd;
			fds[i++].events = POLLRDHUP;
		}
	if (poll(fds, i, 0) > 0) {
		n = i;
		i = 0;
		for (hc = s->h1s; hc && i < n; hc = hc->next) {
			if (!watched(s, hc))
				continue;
			if (fds[i++].revents & (POLLRDHUP | POLLHUP | POLLERR))
				cut_stream(hc);
		}
	}
	free(fds);
}

void serve_h1_sweep(serve_server *s, uint64_t now)
{
	struct h1_conn *hc;

	pthread_mutex_lock(&s->lock);
	for (hc = s->h1s; hc; hc = hc->next)
		if (hc->deadline && now >= hc->deadline && hc->fd >= 0) {
			shutdown(hc->fd, SHUT_RDWR);
			hc->deadline = 0;
		}
	watch_streams(s);
	pthread_mutex_unlock(&s->lock);
}

void serve_h1_drain(serve_server *s, int cut)
{
	struct h1_conn *hc;

	pthread_mutex_lock(&s->lock);
	for (hc = s->h1s; hc; hc = hc->next) {
		if (hc->busy && !cut)
			continue;
		cut_stream(hc);
		/* MHD closes it as it would any connection the client dropped. */
		if (hc->fd >= 0)
			shutdown(hc->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&s->lock);
}

size_t serve_h1_count(serve_server *s)
{
	const union MHD_DaemonInfo *di = s->mhd ?
		MHD_get_daemon_info(s->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS) : NULL;

	return (di ? di->num_connections : 0) + serve_h1_loops_connections(s);
}

/* Releases the request body and its share of the budget. */
static void drop_body(struct h1_req *r)
{
	serve_budget_give(r->srv, r->len);
	free(r->body);
	r->body = NULL;
	r->len = r->cap = 0;
}

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct h1_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->srv = cls;
	r->start_ms = serve_now_ms();
	r->uri = strdup(uri);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	r->query = strchr(r->uri, '?');
	if (r->query)
		*r->query++ = 0;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	r->hc = ci ? ci->socket_context : NULL;
	r->peer = r->hc ? r->hc->peer : "-";
	/* The request line is in: the rest of the request is due. */
	set_deadline(r->srv, r->hc, r->start_ms + serve_request_ms(r->srv));
	if (r->hc) {
		int stopping;

		pthread_mutex_lock(&r->srv->lock);
		stopping = r->srv->stopping;
		r->hc->busy = !stopping;
		pthread_mutex_unlock(&r->srv->lock);
		if (stopping) {
			/* The server stops: no new exchange begins (MHD closes). */
			free(r->uri);
			free(r);
			return NULL;
		}
	}
	return r;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct h1_req *r = *con_cls;
	serve_body *b;

	(void)cls;
	(void)conn;
	if (!r)
		return;
	if (r->hc) {
		pthread_mutex_lock(&r->srv->lock);
		r->hc->busy = 0;
		r->hc->body = NULL;	/* no cancel from here on */
		r->hc->wake = NULL;	/* nor interrupt */
		r->hc->later = NULL;
		pthread_mutex_unlock(&r->srv->lock);
	}
	if (r->later) {
		/* The connection ended between a resume and MHD's call: the app
		 * is told (if its answer had not come), and its answer dropped. */
		serve_later_forget(r->later);
		r->later = NULL;
	}
	b = &r->plan.body;
	if (b->read && b->close)
		b->close(b->self, r->body_eof && toe == MHD_REQUEST_TERMINATED_COMPLETED_OK);
	/* The app wakes no more once close has returned. */
	serve_wake_free(r->wake);
	serve_response_done(&r->plan, toe == MHD_REQUEST_TERMINATED_COMPLETED_OK && r->status &&
				      (!b->read || r->body_eof));
	/* Requests MHD refused by itself (bad request line, 431) never reached
	 * the access handler; MHD answered them, there is nothing to log. */
	if (r->conn)
		serve_access_log(r->srv, r->peer, r->method, r->uri, r->status, r->bytes,
			       r->start_ms, 0);
	/* Not parked (completion never comes to a suspended connection), so
	 * no timer can fire for r any more. */
	if (r->timer)
		event_free(r->timer);
	/* Keep-alive: the next request may idle, then must come in time. */
	set_deadline(r->srv, r->hc, serve_now_ms() + serve_idle_ms(r->srv) + serve_request_ms(r->srv));
	serve_response_dispose(&r->plan);
	drop_body(r);
	free(r->uri);
	free(r);
	*con_cls = NULL;
}

/* A refusal with no body; close: the connection cannot be trusted to
 * find the next request (RFC 9112 6.3). */
static enum MHD_Result reply_status(struct h1_req *r, unsigned status, int close)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!resp)
		return MHD_NO;
	if (close)
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	set_deadline(r->srv, r->hc, 0);
	ok = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->answered = 1;
	r->status = (int)status;
	return ok;
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct h1_req *r = arg;
	serve_server *s = r->srv;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&s->lock);
	if (r->parked) {
		r->parked = 0;
		if (r->prev)
			r->prev->next = r->next;
		else
			s->parked = r->next;
		if (r->next)
			r->next->prev = r->prev;
		serve_h1_resume(r->loop, r->conn);
	}
	pthread_mutex_unlock(&s->lock);
}

/* A blocking server's connection thread about to wait on the handler or
 * body.read (on = 1), and back (on = 0): MHD's idle timeout counts from
 * the last socket activity, so a stream silent for longer than it (an
 * upstream thinking) would be closed when the bytes come. The timeout is
 * lifted meanwhile; set again, it counts from now. */
static void waiting(struct h1_req *r, int on)
{
	if (!H1_BLOCKS(r->srv))
		return;
	MHD_set_connection_option(r->conn, MHD_CONNECTION_OPTION_TIMEOUT,
				  on ? 0u : r->srv->opt.idle_timeout_s);
}

/* Suspends the connection until the next piece is due; a blocking
 * server's connection thread sleeps instead (0: go on). */
static ssize_t park(struct h1_req *r, uint64_t ms)
{
	serve_server *s = r->srv;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	if (H1_BLOCKS(s)) {
		struct timespec ts = { (time_t)(ms / 1000), (long)(ms % 1000) * 1000000 };

		waiting(r, 1);
		nanosleep(&ts, NULL);
		waiting(r, 0);
		pthread_mutex_lock(&s->lock);
		ms = (uint64_t)s->stopping;
		pthread_mutex_unlock(&s->lock);
		return ms ? MHD_CONTENT_READER_END_WITH_ERROR : 0;
	}
	pthread_mutex_lock(&s->lock);
	if (s->stopping)
		goto fail;
	if (!r->timer && !(r->timer = evtimer_new(s->base, wake_cb, r)))
		goto fail;
	MHD_suspend_connection(r->conn);
	r->loop = serve_h1_loop_current();
	r->parked = 1;
	r->prev = NULL;
	r->next = s->parked;
	if (s->parked)
		s->parked->prev = r;
	s->parked = r;
	evtimer_add(r->timer, &tv);
	pthread_mutex_unlock(&s->lock);
	return 0;
fail:
	pthread_mutex_unlock(&s->lock);
	return MHD_CONTENT_READER_END_WITH_ERROR;
}

/* A non-blocking body's next bytes: while it has nothing, a blocking
 * server's thread waits for the wake (or an interrupt), a non-blocking
 * server suspends the connection until it (MHD calls again then: 0). */
static long read_later(struct h1_req *r, void *buf, size_t max, int *suspended)
{
	const serve_body *b = &r->plan.body;
	long n;
	int rc;

	for (;;) {
		if (serve_wake_arm(r->wake))
			return -1;	/* the client went, the server stops */
		n = b->read(b->self, buf, max);
		if (n != SERVE_BODY_LATER)
			return n;
		if (H1_BLOCKS(r->srv)) {
			if (serve_wake_wait(r->wake, H1_WAKE_SLICE_MS) < 0)
				return -1;
			continue;	/* woken, or a slice went by: read again */
		}
		rc = serve_wake_park(r->wake, r->conn);
		if (rc < 0)
			return -1;
		if (!rc) {
			*suspended = 1;
			return 0;
		}
	}
}

/* Hands MHD the current piece (one chunk when chunked); MHD asks again
 * only after the previous data went out, so each piece leaves on its own. */
static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct h1_req *r = cls;
	const serve_response *p = &r->plan;

	(void)pos;
	if (p->body.read) {
		/* MHD offers what is free in the connection's pool (~all of it):
		 * pages written stay resident, so a relay touches 16 KiB. */
		size_t cap = max < H1_CHUNK ? max : H1_CHUNK;
		int suspended = 0;
		long n;

		waiting(r, 1);
		if (r->wake)
			n = read_later(r, buf, cap, &suspended);
		else
			n = p->body.read(p->body.self, buf, cap);
		waiting(r, 0);
		if (suspended)
			return 0;	/* resumed by serve_wake */

		if (n > 0) {
			r->bytes += (size_t)n;
			return (ssize_t)(n > (long)max ? (long)max : n);
		}
		r->body_eof = n == 0;
		return n == 0 ? MHD_CONTENT_READER_END_OF_STREAM :
				MHD_CONTENT_READER_END_WITH_ERROR;
	}
	for (;;) {
		uint64_t wait_ms;
		size_t n;
		ssize_t rc;

		switch (serve_cursor_next(&r->cur, p, buf, max, &n, &wait_ms)) {
		case SERVE_CURSOR_END:
			return p->end == SERVE_END_RESET ? MHD_CONTENT_READER_END_WITH_ERROR :
							 MHD_CONTENT_READER_END_OF_STREAM;
		case SERVE_CURSOR_WAIT:
			rc = park(r, wait_ms);
			if (rc || !H1_BLOCKS(r->srv))
				return rc;
			break;
		case SERVE_CURSOR_DATA:
			if (n) {
				r->bytes += n;
				return (ssize_t)n;
			}
		}
	}
}

struct hdr_fill {
	serve_header *h;
	size_t n, cap;
};

static enum MHD_Result hdr_cb(void *cls, enum MHD_ValueKind kind, const char *key,
			      const char *value)
{
	struct hdr_fill *f = cls;

	(void)kind;
	if (f->n < f->cap) {
		/* Lent to the handler, which sees them const. */
		f->h[f->n].name = (char *)key;
		f->h[f->n].value = (char *)(value ? value : "");
	}
	f->n++;
	return MHD_YES;
}

/* Everything but one unhurried whole body goes through the reader. */
static struct MHD_Response *plan_response(struct h1_req *r)
{
	serve_response *p = &r->plan;
	struct MHD_Response *resp;
	size_t i, total = 0;
	int timed = p->streaming || p->end == SERVE_END_RESET;
	uint8_t *buf;

	if (p->body.read && p->body.attach) {
		/* Non-blocking: the waker is the server's way in, so a body
		 * with no connection record (out of memory) is not begun. */
		if (!r->hc || !(r->wake = serve_wake_new(NULL)))
			return NULL;
		pthread_mutex_lock(&r->srv->lock);
		r->hc->wake = r->wake;
		if (r->srv->stopping)
			cut_stream(r->hc);
		pthread_mutex_unlock(&r->srv->lock);
		p->body.attach(p->body.self, r->wake);
	} else if (p->body.read && r->hc) {
		pthread_mutex_lock(&r->srv->lock);
		r->hc->body = &p->body;
		pthread_mutex_unlock(&r->srv->lock);
	}
	if (p->body.read) {
		/* Produced while it is sent: chunked, a chunk per read. */
		return MHD_create_response_from_callback(MHD_SIZE_UNKNOWN, H1_BODY_BLOCK, read_cb,
							 r, NULL);
	}
	for (i = 0; i < p->piece_count; i++) {
		total += p->pieces[i].len;
		timed |= p->pieces[i].delay_ms != 0;
	}
	if (timed) {
		/* A reset body has no honest length: chunked, so the cut shows. */
		serve_cursor_start(&r->cur, p);
		return MHD_create_response_from_callback(p->streaming || p->end == SERVE_END_RESET ?
							 MHD_SIZE_UNKNOWN : total,
							 16 * 1024, read_cb, r, NULL);
	}
	if (p->piece_count == 1) {
		buf = p->pieces[0].data;
		p->pieces[0].data = NULL;
	} else {
		size_t off = 0;

		buf = malloc(total ? total : 1);
		if (!buf)
			return NULL;
		for (i = 0; i < p->piece_count; i++) {
			memcpy(buf + off, p->pieces[i].data, p->pieces[i].len);
			off += p->pieces[i].len;
		}
	}
	resp = MHD_create_response_from_buffer(total, buf, MHD_RESPMEM_MUST_FREE);
	if (!resp)
		free(buf);
	else
		r->bytes = total;
	return resp;
}

/* Sends r->plan (the handler's, or a refusal made before the body). */
static enum MHD_Result send_plan(struct h1_req *r)
{
	struct MHD_Response *resp;
	enum MHD_Result ok;
	size_t i;

	r->answered = 1;
	set_deadline(r->srv, r->hc, 0);
	if (r->plan.reset_before_headers) {
		r->status = 0;
		return MHD_NO;	/* MHD drops the connection, answering nothing */
	}
	resp = plan_response(r);
	if (!resp)
		return MHD_NO;
	for (i = 0; i < r->plan.header_count; i++) {
		const serve_header *h = &r->plan.headers[i];

		if (!strcasecmp(h->name, "Content-Length") ||
		    !strcasecmp(h->name, "Transfer-Encoding"))
			continue;
		MHD_add_response_header(resp, h->name, h->value);
	}
	/* Draining: this exchange is the connection's last. */
	if (atomic_load(&r->srv->draining))
		MHD_add_response_header(resp, MHD_HTTP_HEADER_CONNECTION, "close");
	r->status = r->plan.status;
	if (!strcmp(r->mhd_method, "HEAD"))
		r->bytes = 0;	/* MHD sends the headers only */
	ok = MHD_queue_response(r->conn, (unsigned)r->plan.status, resp);
	MHD_destroy_response(resp);
	return ok;
}

/* The handler deferred: this thread waits for the answer (the request
 * is in, so no deadline), as it would for a handler that blocks; the
 * sweep, drain and stop interrupt it, and it cancels. 0 with r->plan the
 * answer, or -1 when cancelled (the answer dropped). */
static int await_later(struct h1_req *r, struct serve_later *l)
{
	serve_server *s = r->srv;
	int rc;

	serve_response_dispose(&r->plan);	/* as the handler left it */
	if (r->hc) {
		pthread_mutex_lock(&s->lock);
		r->hc->deadline = 0;
		r->hc->later = l;
		if (s->stopping)
			cut_stream(r->hc);
		pthread_mutex_unlock(&s->lock);
	} else {
		serve_later_interrupt(l);	/* nothing else could */
	}
	rc = serve_later_take(l, &r->plan, NULL);
	if (r->hc) {
		pthread_mutex_lock(&s->lock);
		r->hc->later = NULL;
		pthread_mutex_unlock(&s->lock);
	}
	serve_later_unref(l);
	if (rc)
		serve_later_drop(&r->plan);
	return rc;
}

/* Runs the handler, or on the head alone the precheck (APP_PRECHECK) or
 * the refusal renderer for status (APP_REFUSE): 1 when r->plan is the
 * answer, 0 when the precheck let the request on (or the renderer
 * declined), -1 when out of memory or a later answer was cancelled,
 * APP_PARKED when the connection waits for a later answer. */
enum { APP_HANDLE = 0, APP_PRECHECK = 1, APP_REFUSE = 2 };
/* call_app's answer when the handler's answer comes later, on a loop. */
#define APP_PARKED 2

static int park_later(struct h1_req *r, struct serve_later *l);

static int call_app(struct h1_req *r, int mode, int status)
{
	int precheck = mode != APP_HANDLE;
	serve_server *s = r->srv;
	struct hdr_fill f = { NULL, 0, 0 };
	serve_request req;
	struct serve_later_call call;
	struct serve_later *later = NULL;
	int answered = 1;

	f.cap = (size_t)MHD_get_connection_values(r->conn, MHD_HEADER_KIND, NULL, NULL);
	f.h = calloc(f.cap ? f.cap : 1, sizeof(*f.h));
	if (!f.h)
		return -1;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, hdr_cb, &f);
	memset(&req, 0, sizeof(req));
	req.method = r->mhd_method;
	req.path = r->uri;
	req.query = r->query ? r->query : "";
	req.headers = f.h;
	req.header_count = f.n < f.cap ? f.n : f.cap;
	req.body = r->body && !precheck ? r->body : (const uint8_t *)"";
	req.body_len = precheck ? 0 : r->len;
	req.peer = r->peer;
	req.http2 = 0;
	req.loop = serve_h1_loop_base();
	serve_response_init(&r->plan, mode == APP_REFUSE ? status : 500);
	waiting(r, 1);
	if (mode == APP_REFUSE) {
		answered = s->opt.refuse(&r->plan, &req, status, s->opt.payload);
	} else if (precheck) {
		answered = s->opt.precheck(&r->plan, &req, s->opt.payload);
	} else {
		serve_later_begin(&call, s, &r->plan, NULL);
		s->opt.handler(&r->plan, &req, s->opt.payload);
		later = serve_later_end(&call);
	}
	free(f.h);
	if (later && !H1_BLOCKS(s))
		answered = park_later(r, later);
	else if (later && await_later(r, later))
		answered = -1;	/* the connection closes, answering nothing */
	waiting(r, 0);
	if (!answered)
		serve_response_dispose(&r->plan);
	return answered;
}

/* On a loop: the handler's later, or a resume for it. The answer is
 * taken (1), or it was cancelled (-1: close), or the connection is
 * suspended until it comes (APP_PARKED: MHD calls access_cb again). */
static int later_step(struct h1_req *r)
{
	serve_server *s = r->srv;
	struct serve_later *l = r->later;
	int rc = serve_later_take(l, &r->plan, r->conn);

	if (rc > 0)
		return APP_PARKED;
	if (r->hc) {
		pthread_mutex_lock(&s->lock);
		r->hc->later = NULL;
		pthread_mutex_unlock(&s->lock);
	}
	r->later = NULL;
	serve_later_unref(l);
	if (rc < 0) {
		serve_later_drop(&r->plan);
		return -1;
	}
	return 1;
}

static int park_later(struct h1_req *r, struct serve_later *l)
{
	serve_server *s = r->srv;

	serve_response_dispose(&r->plan);	/* as the handler left it */
	r->later = l;
	if (r->hc) {
		pthread_mutex_lock(&s->lock);
		r->hc->deadline = 0;
		r->hc->later = l;	/* the sweep sees the client leave */
		if (s->stopping)
			cut_stream(r->hc);
		pthread_mutex_unlock(&s->lock);
	} else {
		serve_later_interrupt(l);	/* nothing else could */
	}
	return later_step(r);
}

struct framing {
	const char *cl;		/* the first Content-Length */
	int cl_differ;		/* another one with a different value */
	int te;			/* Transfer-Encoding present */
};

static enum MHD_Result framing_cb(void *cls, enum MHD_ValueKind kind, const char *key,
				  const char *value)
{
	struct framing *f = cls;

	(void)kind;
	if (!strcasecmp(key, "Content-Length")) {
		if (!f->cl)
			f->cl = value ? value : "";
		else if (strcmp(f->cl, value ? value : ""))
			f->cl_differ = 1;
	} else if (!strcasecmp(key, "Transfer-Encoding")) {
		f->te = 1;
	}
	return MHD_YES;
}

/* A refusal of the serving layer's own, in the app's shape when it has a
 * renderer, else bare. MHD takes no response in mid-upload: there, the
 * app's refusal waits while the rest is read and dropped (the request
 * deadline still holds); a bare one closes the connection. */
static enum MHD_Result refuse(struct h1_req *r, unsigned status, int mid_upload)
{
	int rc = 0;

	drop_body(r);
	if (r->srv->opt.refuse && (rc = call_app(r, APP_REFUSE, (int)status)) < 0)
		return MHD_NO;
	if (!rc)
		return reply_status(r, status, 0);
	if (!mid_upload)
		return send_plan(r);
	r->answered = r->deferred = 1;
	return MHD_YES;
}

/* The head is in, the body not yet: everything that can be refused now
 * is, so that no byte of a body that cannot succeed is held. */
static enum MHD_Result on_head(struct h1_req *r)
{
	serve_server *s = r->srv;
	struct framing f = { NULL, 0, 0 };
	unsigned long long cl = 0;
	int rc;

	if (!serve_target_ok(r->uri) || (r->query && !serve_target_ok(r->query)))
		return reply_status(r, 400, 1);
	/* Requests after the first on a connection; the first was judged whole
	 * in serve_server.c before MHD saw it. */
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, framing_cb, &f);
	if (f.cl_differ || (f.cl && f.te))
		return reply_status(r, 400, 1);
	if (f.cl && !f.te)
		cl = strtoull(f.cl, NULL, 10);
	/* Refuse before a byte of an announced oversize body is read. */
	if (cl > s->opt.max_body)
		return refuse(r, 413, 0);
	if (s->opt.precheck) {
		rc = call_app(r, APP_PRECHECK, 0);
		if (rc < 0)
			return MHD_NO;
		if (rc)
			return send_plan(r);
	}
	if (cl > s->opt.max_buffered - atomic_load(&s->buffered) ||
	    cl > s->opt.max_buffered) {
		serve_refusal(&r->plan, 503, "ServiceUnavailableException",
			    "The emulator holds as many request bodies as it may "
			    "(--max-buffered). Try again later.");
		return send_plan(r);
	}
	return MHD_YES;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload, size_t *upload_size, void **con_cls)
{
	struct h1_req *r = *con_cls;
	serve_server *s = cls;
	int rc;

	(void)url;
	(void)version;
	if (!r)
		return MHD_NO;	/* out of memory in uri_cb */
	if (!r->conn) {
		r->conn = conn;
		r->mhd_method = method;
		snprintf(r->method, sizeof(r->method), "%s", method);
		return on_head(r);
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (r->answered)
			return MHD_YES;
		if (n > s->opt.max_body - r->len)
			return refuse(r, 413, 1);
		if (serve_budget_take(s, n)) {
			/* MHD takes no response in mid-upload: the rest is read
			 * and dropped (the request deadline still holds), then
			 * the refusal goes. */
			drop_body(r);
			serve_refusal(&r->plan, 503, "ServiceUnavailableException",
				    "The emulator holds as many request bodies as it may "
				    "(--max-buffered). Try again later.");
			r->answered = r->deferred = 1;
			return MHD_YES;
		}
		if (serve_body_append(&r->body, &r->len, &r->cap, upload, n)) {
			serve_budget_give(s, n);
			return MHD_NO;
		}
		return MHD_YES;
	}
	if (r->deferred) {
		r->deferred = 0;
		return send_plan(r);
	}
	if (r->later) {
		/* Resumed: the answer came, or the exchange must end. */
		rc = later_step(r);
		return rc == APP_PARKED ? MHD_YES : rc < 0 ? MHD_NO : send_plan(r);
	}
	if (r->answered)
		return MHD_YES;
	r->answered = 1;
	rc = call_app(r, APP_HANDLE, 0);
	if (rc < 0)
		return MHD_NO;
	/* The body is no longer needed; a slow stream should not hold it. */
	drop_body(r);
	return rc == APP_PARKED ? MHD_YES : send_plan(r);
}

/* A daemon: cleartext, and TLS connections relayed by the loop. A
 * blocking server's runs a thread per connection; otherwise one daemon a
 * loop, driven by it (h1_loop.c). */
static struct MHD_Daemon *start_daemon(serve_server *s)
{
	unsigned flags = MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC;
	struct MHD_OptionItem ops[16];
	size_t n = 0;

#define OPT(o, v, p) (ops[n].option = (o), ops[n].value = (intptr_t)(v), ops[n].ptr_value = (p), n++)
	if (H1_BLOCKS(s)) {
		/* A thread per connection: the handler and body reads block.
		 * poll(), not MHD's default select(): select() cannot watch a
		 * descriptor past FD_SETSIZE (1024), so every connection after
		 * about the thousandth was closed unanswered. */
		flags |= MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_THREAD_PER_CONNECTION |
			 MHD_USE_POLL;
		OPT(MHD_OPTION_THREAD_STACK_SIZE, SERVE_THREAD_STACK, NULL);
		OPT(MHD_OPTION_CONNECTION_LIMIT, s->opt.max_threads < s->opt.max_connections ?
		    s->opt.max_threads : s->opt.max_connections, NULL);
	} else {
		/* No internal thread: a loop runs it (the ITC above is how a
		 * resume from another thread reaches that loop). */
		flags |= MHD_USE_EPOLL | MHD_ALLOW_SUSPEND_RESUME;
		OPT(MHD_OPTION_CONNECTION_LIMIT, s->opt.max_connections, NULL);
	}
	OPT(MHD_OPTION_CONNECTION_TIMEOUT, s->opt.idle_timeout_s, NULL);
	OPT(MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->opt.max_header_bytes +
	    (s->opt.blocking ? H1_POOL_SLACK_BLOCKING : H1_POOL_SLACK), NULL);
	OPT(MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s);
	OPT(MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s);
	OPT(MHD_OPTION_NOTIFY_CONNECTION, connection_cb, s);
	OPT(MHD_OPTION_END, 0, NULL);
#undef OPT
	return MHD_start_daemon(flags, 0, NULL, NULL, access_cb, s, MHD_OPTION_ARRAY, ops,
				MHD_OPTION_END);
}

int serve_h1_start(serve_server *s)
{
	if (H1_BLOCKS(s) ? !(s->mhd = start_daemon(s)) : serve_h1_loops_start(s, start_daemon)) {
		serve_say(s, "cannot start libmicrohttpd");
		return -1;
	}
	return 0;
}

void serve_h1_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	if (!s->mhd) {
		serve_h1_loops_adopt(s, fd, sa, len);
		return;
	}
	/* MHD owns (and on failure closes) the socket from here on. */
	if (MHD_add_connection(s->mhd, fd, sa, len) != MHD_YES && s->opt.access_log)
		serve_say(s, "cannot add connection: %s", strerror(errno));
}

void serve_h1_stop(serve_server *s)
{
	struct h1_conn *hc;

	if (!s->mhd && !s->nh1_loops)
		return;
	/* MHD must not be stopped with suspended connections: wake them all;
	 * their readers see stopping and end with an error. Threads blocked
	 * in body.read are cancelled, and waits for a wake or an answer (a
	 * thread's, or a suspension) interrupted, so MHD can join them. */
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	while (s->parked) {
		struct h1_req *r = s->parked;

		s->parked = r->next;
		if (s->parked)
			s->parked->prev = NULL;
		r->parked = 0;
		event_del(r->timer);
		serve_h1_resume(r->loop, r->conn);
	}
	for (hc = s->h1s; hc; hc = hc->next)
		cut_stream(hc);
	pthread_mutex_unlock(&s->lock);
	if (s->nh1_loops) {
		/* An interrupted later's connection is resumed, cancels, and
		 * waits for the app's answer on its loop, which runs until it
		 * came; none begins once stopping is set. */
		serve_later_wait_all(s);
		serve_h1_loops_stop(s);
	}
	if (s->mhd)
		MHD_stop_daemon(s->mhd);
	s->mhd = NULL;
}
