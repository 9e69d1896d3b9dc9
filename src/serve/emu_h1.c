/* HTTP/1.1 for bedrock emulate, through libmicrohttpd. The libevent loop
 * accepts and hands each HTTP/1 socket over with MHD_add_connection();
 * MHD's own worker threads (epoll) then parse, call the handler and send.
 *
 * Pieces that are not due yet: the content reader suspends the connection
 * and arms a libevent timer that resumes it, so no thread ever sleeps and
 * a thousand slow streams cost a timer each. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <netinet/in.h>
#include <sys/types.h>

#include <microhttpd.h>

#include "emu_net.h"

/* Two workers match the two cores this is tuned on; the libevent thread
 * only accepts HTTP/1 connections. */
#define H1_THREADS 2
#define H1_CONNECTION_LIMIT 10000
#define H1_IDLE_TIMEOUT_S 120
/* Room in MHD's per-connection pool beyond the header block itself. */
#define H1_POOL_SLACK (32 * 1024)
#define PEER_CAP 64

struct h1_req {
	struct h1_req *prev, *next;	/* in srv->parked while suspended */
	emu_server *srv;
	struct MHD_Connection *conn;	/* set on the first access call */
	char *uri;			/* raw path, as received */
	char *query;			/* raw query, in uri's allocation */
	uint8_t *body;
	size_t len, cap;
	int answered;
	int parked;
	emu_response plan;
	emu_cursor cur;			/* the next byte to send */
	struct event *timer;
	uint64_t start_ms;
	size_t bytes;
	int status;			/* 0: reset */
	const char *mhd_method;		/* MHD's, for the handler */
	char method[16];		/* a copy for the log, maybe cut */
	const char *peer;		/* the connection's (connection_cb) */
};

/* The peer, formatted once per connection rather than per request. */
static void connection_cb(void *cls, struct MHD_Connection *conn, void **socket_context,
			  enum MHD_ConnectionNotificationCode toe)
{
	const union MHD_ConnectionInfo *ci;
	char *peer;

	(void)cls;
	if (toe == MHD_CONNECTION_NOTIFY_CLOSED) {
		free(*socket_context);
		*socket_context = NULL;
		return;
	}
	peer = malloc(PEER_CAP);
	if (!peer)
		return;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_CLIENT_ADDRESS);
	if (ci && ci->client_addr)
		emu_format_peer(peer, PEER_CAP, ci->client_addr,
				ci->client_addr->sa_family == AF_INET6 ?
				sizeof(struct sockaddr_in6) : sizeof(struct sockaddr_in));
	else
		snprintf(peer, PEER_CAP, "-");
	*socket_context = peer;
}

static void *uri_cb(void *cls, const char *uri, struct MHD_Connection *conn)
{
	const union MHD_ConnectionInfo *ci;
	struct h1_req *r = calloc(1, sizeof(*r));

	if (!r)
		return NULL;
	r->srv = cls;
	r->start_ms = emu_now_ms();
	r->uri = strdup(uri);
	if (!r->uri) {
		free(r);
		return NULL;
	}
	r->query = strchr(r->uri, '?');
	if (r->query)
		*r->query++ = 0;
	ci = MHD_get_connection_info(conn, MHD_CONNECTION_INFO_SOCKET_CONTEXT);
	r->peer = ci && ci->socket_context ? ci->socket_context : "-";
	return r;
}

static void completed_cb(void *cls, struct MHD_Connection *conn, void **con_cls,
			 enum MHD_RequestTerminationCode toe)
{
	struct h1_req *r = *con_cls;

	(void)cls;
	(void)conn;
	(void)toe;
	if (!r)
		return;
	/* Requests MHD refused by itself (bad request line, 431) never reached
	 * the access handler; MHD answered them, there is nothing to log. */
	if (r->conn)
		emu_access_log(r->srv, r->peer, r->method, r->uri, r->status, r->bytes,
			       r->start_ms, 0);
	/* Not parked (completion never comes to a suspended connection), so
	 * no timer can fire for r any more. */
	if (r->timer)
		event_free(r->timer);
	emu_response_dispose(&r->plan);
	free(r->body);
	free(r->uri);
	free(r);
	*con_cls = NULL;
}

static enum MHD_Result reply_status(struct h1_req *r, unsigned status)
{
	struct MHD_Response *resp = MHD_create_response_from_buffer(0, NULL,
								    MHD_RESPMEM_PERSISTENT);
	enum MHD_Result ok;

	if (!resp)
		return MHD_NO;
	ok = MHD_queue_response(r->conn, status, resp);
	MHD_destroy_response(resp);
	r->answered = 1;
	r->status = (int)status;
	return ok;
}

static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct h1_req *r = arg;
	emu_server *s = r->srv;

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
		MHD_resume_connection(r->conn);
	}
	pthread_mutex_unlock(&s->lock);
}

/* Suspends the connection until the next piece is due. */
static ssize_t park(struct h1_req *r, uint64_t ms)
{
	emu_server *s = r->srv;
	struct timeval tv = { (time_t)(ms / 1000), (suseconds_t)(ms % 1000) * 1000 };

	pthread_mutex_lock(&s->lock);
	if (s->stopping)
		goto fail;
	if (!r->timer && !(r->timer = evtimer_new(s->base, wake_cb, r)))
		goto fail;
	MHD_suspend_connection(r->conn);
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

/* Hands MHD the current piece (one chunk when chunked); MHD asks again
 * only after the previous data went out, so each piece leaves on its own. */
static ssize_t read_cb(void *cls, uint64_t pos, char *buf, size_t max)
{
	struct h1_req *r = cls;
	const emu_response *p = &r->plan;

	(void)pos;
	for (;;) {
		uint64_t wait_ms;
		size_t n;

		switch (emu_cursor_next(&r->cur, p, buf, max, &n, &wait_ms)) {
		case EMU_CURSOR_END:
			return p->end == EMU_END_RESET ? MHD_CONTENT_READER_END_WITH_ERROR :
							 MHD_CONTENT_READER_END_OF_STREAM;
		case EMU_CURSOR_WAIT:
			return park(r, wait_ms);
		case EMU_CURSOR_DATA:
			if (n) {
				r->bytes += n;
				return (ssize_t)n;
			}
		}
	}
}

struct hdr_fill {
	emu_header *h;
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
	emu_response *p = &r->plan;
	struct MHD_Response *resp;
	size_t i, total = 0;
	int timed = p->streaming || p->end == EMU_END_RESET;
	uint8_t *buf;

	for (i = 0; i < p->piece_count; i++) {
		total += p->pieces[i].len;
		timed |= p->pieces[i].delay_ms != 0;
	}
	if (timed) {
		/* A reset body has no honest length: chunked, so the cut shows. */
		emu_cursor_start(&r->cur, p);
		return MHD_create_response_from_callback(p->streaming || p->end == EMU_END_RESET ?
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

static enum MHD_Result dispatch(struct h1_req *r)
{
	emu_server *s = r->srv;
	struct hdr_fill f = { NULL, 0, 0 };
	struct MHD_Response *resp;
	emu_request req;
	enum MHD_Result ok;
	size_t i;

	r->answered = 1;
	f.cap = (size_t)MHD_get_connection_values(r->conn, MHD_HEADER_KIND, NULL, NULL);
	f.h = calloc(f.cap ? f.cap : 1, sizeof(*f.h));
	if (!f.h)
		return MHD_NO;
	MHD_get_connection_values(r->conn, MHD_HEADER_KIND, hdr_cb, &f);
	memset(&req, 0, sizeof(req));
	req.method = r->mhd_method;
	req.path = r->uri;
	req.query = r->query ? r->query : "";
	req.headers = f.h;
	req.header_count = f.n < f.cap ? f.n : f.cap;
	req.body = r->body ? r->body : (const uint8_t *)"";
	req.body_len = r->len;
	req.peer = r->peer;
	req.http2 = 0;
	emu_response_init(&r->plan, 500);
	s->opt.handler(&r->plan, &req, s->opt.payload);
	free(f.h);
	/* The body is no longer needed; a slow stream should not hold it. */
	free(r->body);
	r->body = NULL;
	r->len = r->cap = 0;
	if (r->plan.reset_before_headers) {
		r->status = 0;
		return MHD_NO;	/* MHD drops the connection, answering nothing */
	}
	resp = plan_response(r);
	if (!resp)
		return MHD_NO;
	for (i = 0; i < r->plan.header_count; i++) {
		const emu_header *h = &r->plan.headers[i];

		if (!strcasecmp(h->name, "Content-Length") ||
		    !strcasecmp(h->name, "Transfer-Encoding"))
			continue;
		MHD_add_response_header(resp, h->name, h->value);
	}
	r->status = r->plan.status;
	if (!strcmp(r->mhd_method, "HEAD"))
		r->bytes = 0;	/* MHD sends the headers only */
	ok = MHD_queue_response(r->conn, (unsigned)r->plan.status, resp);
	MHD_destroy_response(resp);
	return ok;
}

static enum MHD_Result access_cb(void *cls, struct MHD_Connection *conn, const char *url,
				 const char *method, const char *version,
				 const char *upload, size_t *upload_size, void **con_cls)
{
	struct h1_req *r = *con_cls;
	emu_server *s = cls;

	(void)url;
	(void)version;
	if (!r)
		return MHD_NO;	/* out of memory in uri_cb */
	if (!r->conn) {
		const char *cl = MHD_lookup_connection_value(conn, MHD_HEADER_KIND,
							     "Content-Length");

		r->conn = conn;
		r->mhd_method = method;
		snprintf(r->method, sizeof(r->method), "%s", method);
		/* Refuse before a byte of an announced oversize body is read. */
		if (cl && strtoull(cl, NULL, 10) > s->opt.max_body)
			return reply_status(r, 413);
		return MHD_YES;
	}
	if (*upload_size) {
		size_t n = *upload_size;

		*upload_size = 0;
		if (r->answered)
			return MHD_YES;
		if (n > s->opt.max_body - r->len) {
			free(r->body);
			r->body = NULL;
			return reply_status(r, 413);
		}
		return emu_body_append(&r->body, &r->len, &r->cap, upload, n) ? MHD_NO : MHD_YES;
	}
	if (r->answered)
		return MHD_YES;
	return dispatch(r);
}

int emu_h1_start(emu_server *s)
{
	unsigned flags = MHD_USE_INTERNAL_POLLING_THREAD | MHD_USE_EPOLL |
			 MHD_USE_NO_LISTEN_SOCKET | MHD_USE_ITC | MHD_ALLOW_SUSPEND_RESUME;

	s->mhd = MHD_start_daemon(flags, 0, NULL, NULL, access_cb, s,
		MHD_OPTION_THREAD_POOL_SIZE, (unsigned)H1_THREADS,
		MHD_OPTION_CONNECTION_LIMIT, (unsigned)H1_CONNECTION_LIMIT,
		MHD_OPTION_CONNECTION_TIMEOUT, (unsigned)H1_IDLE_TIMEOUT_S,
		MHD_OPTION_CONNECTION_MEMORY_LIMIT, s->opt.max_header_bytes + H1_POOL_SLACK,
		MHD_OPTION_URI_LOG_CALLBACK, uri_cb, s,
		MHD_OPTION_NOTIFY_COMPLETED, completed_cb, s,
		MHD_OPTION_NOTIFY_CONNECTION, connection_cb, s,
		MHD_OPTION_END);
	if (!s->mhd) {
		fprintf(stderr, "bedrock emulate: cannot start libmicrohttpd\n");
		return -1;
	}
	return 0;
}

void emu_h1_adopt(emu_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	/* MHD owns (and on failure closes) the socket from here on. */
	if (MHD_add_connection(s->mhd, fd, sa, len) != MHD_YES && s->opt.access_log)
		fprintf(stderr, "bedrock emulate: cannot add connection: %s\n", strerror(errno));
}

void emu_h1_stop(emu_server *s)
{
	if (!s->mhd)
		return;
	/* MHD must not be stopped with suspended connections: wake them all;
	 * their readers see stopping and end with an error. */
	pthread_mutex_lock(&s->lock);
	s->stopping = 1;
	while (s->parked) {
		struct h1_req *r = s->parked;

		s->parked = r->next;
		if (s->parked)
			s->parked->prev = NULL;
		r->parked = 0;
		event_del(r->timer);
		MHD_resume_connection(r->conn);
	}
	pthread_mutex_unlock(&s->lock);
	MHD_stop_daemon(s->mhd);
	s->mhd = NULL;
}
