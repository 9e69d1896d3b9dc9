/* HTTP/2 with prior knowledge: nghttp2's server session on a libevent
 * bufferevent, in the loop's thread. Each stream is collected (headers,
 * body), handed to the handler when the client ends it, and the plan is
 * played back as DATA frames: one per piece, each when its timer says so
 * (NGHTTP2_ERR_DEFERRED until then). A blocking server's handler, and any
 * body.read that may block, run on a worker instead (h2_worker.c): the
 * stream is deferred until the worker hands over the plan or the next
 * chunk. A non-blocking body (body.attach) is read here, into nghttp2's
 * buffer; while it has nothing the stream is deferred, and serve_wake
 * resumes it through an event of the stream's. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <nghttp2/nghttp2.h>

#include "serve_h2.h"

#define H2_MAX_STREAMS 128
#define H2_STREAM_WINDOW (1 << 20)
/* A body announced at most this long is let finish after an early answer
 * rather than reset: Debian 12's curl (7.88) reports RST_STREAM(NO_ERROR)
 * after a whole answer as an error, hiding e.g. a 401 from its user. */
#define H2_ABSORB_MAX (64 * 1024)
#define H2_CONN_WINDOW (16 << 20)
/* Stop producing frames while this much waits for the socket. */
#define H2_OUT_HIGH (64 * 1024)
/* RFC 9113 section 6.5.2 counts 32 bytes of overhead per field. */
#define H2_FIELD_OVERHEAD 32

static const char *const BUSY =
	"The emulator holds as many request bodies as it may (--max-buffered). "
	"Try again later.";

/* Releases the request body and its share of the budget. */
static void drop_body(struct h2_stream *st)
{
	serve_budget_give(st->c->srv, st->len);
	free(st->body);
	st->body = NULL;
	st->len = st->cap = 0;
}

static void stream_free(struct h2_stream *st, int completed)
{
	struct h2_conn *c = st->c;
	serve_body *b = &st->plan.body;
	size_t i;

	if (st->job)
		serve_h2_job_detach(st->job, completed);
	st->job = NULL;
	/* A body read here (non-blocking), or one never read: the app's
	 * wakes end with close, then its waker can go. */
	if (b->read && b->close)
		b->close(b->self, completed && st->body_end);
	memset(b, 0, sizeof(*b));
	serve_wake_free(st->wake);
	st->wake = NULL;
	if (st->prev)
		st->prev->next = st->next;
	else
		c->streams = st->next;
	if (st->next)
		st->next->prev = st->prev;
	c->nstreams--;
	if (st->timer)
		event_free(st->timer);
	for (i = 0; i < st->nh; i++) {
		free(st->hdrs[i].name);
		free(st->hdrs[i].value);
	}
	free(st->hdrs);
	free(st->method);
	free(st->path);
	free(st->authority);
	drop_body(st);
	serve_response_done(&st->plan, completed);
	serve_response_dispose(&st->plan);
	free(st);
}

static void conn_free(struct h2_conn *c)
{
	serve_server *s = c->srv;

	if (c->prev)
		c->prev->next = c->next;
	else
		s->h2s = c->next;
	if (c->next)
		c->next->prev = c->prev;
	while (c->streams)
		stream_free(c->streams, 0);
	s->nh2--;
	nghttp2_session_del(c->session);
	bufferevent_free(c->bev);
	free(c);
}

/* A connection with no open stream may idle only so long (the sweep
 * closes it), however many PINGs or stray bytes it sends meanwhile. */
static void update_idle(struct h2_conn *c)
{
	if (!c->nstreams)
		c->idle_since = serve_now_ms();
}

/* Sends what nghttp2 has; -1 when the connection is over. */
static int conn_send(struct h2_conn *c)
{
	if (nghttp2_session_send(c->session))
		return -1;
	if (!nghttp2_session_want_read(c->session) && !nghttp2_session_want_write(c->session) &&
	    !evbuffer_get_length(bufferevent_get_output(c->bev)))
		return -1;
	return 0;
}

int serve_h2_flush(struct h2_conn *c)
{
	if (!conn_send(c))
		return 0;
	conn_free(c);
	return -1;
}

static ssize_t send_cb(nghttp2_session *session, const uint8_t *data, size_t len, int flags,
		       void *user_data)
{
	struct h2_conn *c = user_data;

	(void)session;
	(void)flags;
	if (evbuffer_get_length(bufferevent_get_output(c->bev)) >= H2_OUT_HIGH)
		return NGHTTP2_ERR_WOULDBLOCK;	/* write_cb carries on */
	if (bufferevent_write(c->bev, data, len))
		return NGHTTP2_ERR_CALLBACK_FAILURE;
	return (ssize_t)len;
}

/* A piece's timer, or a non-blocking body's wake: the stream goes on. */
static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct h2_stream *st = arg;
	struct h2_conn *c = st->c;

	(void)fd;
	(void)what;
	nghttp2_session_resume_data(c->session, st->id);
	if (conn_send(c))
		conn_free(c);
}

/* A non-blocking body, read straight into nghttp2's buffer; while it has
 * nothing the stream is deferred, and its waker's event resumes it. */
static ssize_t body_data_cb(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
			    size_t length, uint32_t *data_flags, nghttp2_data_source *source,
			    void *user_data)
{
	struct h2_stream *st = source->ptr;
	const serve_body *b = &st->plan.body;
	long n;

	(void)session;
	(void)stream_id;
	(void)user_data;
	(void)serve_wake_arm(st->wake);	/* never gone here */
	n = b->read(b->self, buf, length);
	if (n > 0) {
		if ((size_t)n > length)
			n = (long)length;
		st->bytes += (size_t)n;
		return (ssize_t)n;
	}
	if (n == 0) {
		st->body_end = 1;
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		st->eof_sent = 1;
		return 0;
	}
	if (n == SERVE_BODY_LATER)
		return NGHTTP2_ERR_DEFERRED;
	return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;	/* RST_STREAM(INTERNAL_ERROR) */
}

static ssize_t data_cb(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
		       size_t length, uint32_t *data_flags, nghttp2_data_source *source,
		       void *user_data)
{
	struct h2_stream *st = source->ptr;
	const serve_response *p = &st->plan;

	(void)session;
	(void)stream_id;
	(void)user_data;
	for (;;) {
		uint64_t wait_ms;
		size_t n;

		switch (serve_cursor_next(&st->cur, p, buf, length, &n, &wait_ms)) {
		case SERVE_CURSOR_END:
			if (p->end == SERVE_END_RESET)
				return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE; /* RST_STREAM(INTERNAL_ERROR) */
			*data_flags |= NGHTTP2_DATA_FLAG_EOF;
			return 0;
		case SERVE_CURSOR_WAIT: {
			struct timeval tv = { (time_t)(wait_ms / 1000),
					      (suseconds_t)(wait_ms % 1000) * 1000 };

			if (!st->timer && !(st->timer = evtimer_new(st->c->srv->base, wake_cb, st)))
				return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
			evtimer_add(st->timer, &tv);
			return NGHTTP2_ERR_DEFERRED;
		}
		case SERVE_CURSOR_DATA:
			/* END_STREAM on the last piece. */
			if (st->cur.piece == p->piece_count && p->end == SERVE_END_NORMAL)
				*data_flags |= NGHTTP2_DATA_FLAG_EOF;
			if (n || (*data_flags & NGHTTP2_DATA_FLAG_EOF)) {
				st->bytes += n;
				return (ssize_t)n;
			}
		}
	}
}

static void respond_status(struct h2_stream *st, int status)
{
	char code[8];
	nghttp2_nv nv = { (uint8_t *)":status", (uint8_t *)code, 7, 0, NGHTTP2_NV_FLAG_NONE };

	snprintf(code, sizeof(code), "%d", status);
	nv.valuelen = strlen(code);
	st->answered = 1;
	st->deadline = 0;
	st->status = status;
	drop_body(st);
	if (nghttp2_submit_response(st->c->session, st->id, &nv, 1, NULL))
		nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
}

/* Connection-specific fields are forbidden in HTTP/2 (RFC 9113 8.2.2);
 * the length is ours to state. */
static int drop_response_header(const char *name)
{
	static const char *const drop[] = { "connection", "keep-alive", "proxy-connection",
					    "transfer-encoding", "upgrade", "content-length" };
	size_t i;

	for (i = 0; i < sizeof(drop) / sizeof(drop[0]); i++)
		if (!strcmp(name, drop[i]))
			return 1;
	return 0;
}

static int add_header(struct h2_stream *st, const char *name, size_t nl, const char *value,
		      size_t vl)
{
	if (st->nh == st->caph) {
		size_t cap = st->caph ? st->caph * 2 : 16;
		serve_header *h = realloc(st->hdrs, cap * sizeof(*h));

		if (!h)
			return -1;
		st->hdrs = h;
		st->caph = cap;
	}
	st->hdrs[st->nh].name = strndup(name, nl);
	st->hdrs[st->nh].value = strndup(value, vl);
	if (!st->hdrs[st->nh].name || !st->hdrs[st->nh].value) {
		free(st->hdrs[st->nh].name);
		free(st->hdrs[st->nh].value);
		return -1;
	}
	st->nh++;
	return 0;
}

static void submit_plan(struct h2_stream *st)
{
	serve_response *p = &st->plan;
	nghttp2_data_provider prd;
	nghttp2_nv *nva;
	char code[8], clen[24], date[64];
	size_t i, n = 0, total = 0;
	time_t now = time(NULL);
	struct tm tm;
	int streams = st->job || st->wake;
	int has_body = p->piece_count || p->end == SERVE_END_RESET || streams;

	nva = calloc(p->header_count + 3, sizeof(*nva));
	if (!nva) {
		nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
		return;
	}
#define NV(nm, nlen, val) do { \
		nva[n].name = (uint8_t *)(nm); nva[n].namelen = (nlen); \
		nva[n].value = (uint8_t *)(val); nva[n].valuelen = strlen(val); \
		nva[n].flags = NGHTTP2_NV_FLAG_NONE; n++; } while (0)
	snprintf(code, sizeof(code), "%d", p->status);
	NV(":status", 7, code);
	for (i = 0; i < p->header_count; i++) {
		char *c;

		/* HTTP/2 field names are lower case; the plan is ours now. */
		for (c = p->headers[i].name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!drop_response_header(p->headers[i].name))
			NV(p->headers[i].name, strlen(p->headers[i].name), p->headers[i].value);
	}
	for (i = 0; i < p->piece_count; i++)
		total += p->pieces[i].len;
	/* A reset body, or one produced while sent, has no honest length. */
	if (!p->streaming && p->end == SERVE_END_NORMAL && !streams) {
		snprintf(clen, sizeof(clen), "%zu", total);
		NV("content-length", 14, clen);
	}
	gmtime_r(&now, &tm);
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", &tm);
	NV("date", 4, date);
#undef NV
	serve_cursor_start(&st->cur, p);
	prd.source.ptr = st;
	prd.read_callback = st->job ? serve_h2_job_data : st->wake ? body_data_cb : data_cb;
	/* A response to HEAD has headers only (DATA would be a stream error),
	 * as libmicrohttpd does for HTTP/1.1. */
	if (st->method && !strcmp(st->method, "HEAD")) {
		has_body = 0;
		if (st->job) {
			serve_h2_job_detach(st->job, 0);	/* nothing will be read */
			st->job = NULL;
		}
	}
	if (nghttp2_submit_response(st->c->session, st->id, nva, n, has_body ? &prd : NULL))
		nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
	free(nva);
}

/* The request as received so far; the query is split off the path once.
 * -1 when out of memory. */
static int fill_request(struct h2_stream *st, serve_request *req)
{
	size_t i;
	int has_host = 0;

	/* :authority stands in for Host (RFC 9113 8.3.1); a signer needs it. */
	for (i = 0; i < st->nh; i++)
		has_host |= !strcmp(st->hdrs[i].name, "host");
	if (!has_host && st->authority &&
	    add_header(st, "host", 4, st->authority, strlen(st->authority)))
		return -1;
	if (!st->query) {
		char *q = strchr(st->path, '?');

		if (q)
			*q++ = 0;
		st->query = q ? q : "";
	}
	memset(req, 0, sizeof(*req));
	req->method = st->method;
	req->path = st->path;
	req->query = st->query;
	req->headers = st->hdrs;
	req->header_count = st->nh;
	req->body = st->body ? st->body : (const uint8_t *)"";
	req->body_len = st->len;
	req->peer = st->c->peer;
	req->http2 = 1;
	return 0;
}

/* A non-blocking body gets its waker: each wake resumes the stream on
 * the loop (wake_cb). 0, or -1 when out of memory. */
static int attach_body(struct h2_stream *st)
{
	serve_body *b = &st->plan.body;
	struct event *ev = event_new(st->c->srv->base, -1, 0, wake_cb, st);

	st->wake = ev ? serve_wake_new(ev) : NULL;
	if (!st->wake) {
		if (ev)
			event_free(ev);
		return -1;
	}
	b->attach(b->self, st->wake);
	return 0;
}

/* Answers with st->plan: the handler's, or one made before the body. */
static void answer_plan(struct h2_stream *st)
{
	st->answered = 1;
	st->deadline = 0;
	drop_body(st);
	if (st->plan.body.read && st->plan.body.attach && !st->plan.reset_before_headers &&
	    !st->wake && attach_body(st)) {
		/* stream_free closes the body. */
		st->status = 0;
		nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
		return;
	}
	if (st->plan.body.read && !st->plan.body.attach && !st->job) {
		/* Read on a worker, whatever the plan says next (it closes it). */
		serve_h2_job_body(st);
		if (!st->job) {
			st->status = 0;
			nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
						  NGHTTP2_INTERNAL_ERROR);
			return;
		}
	}
	if (st->plan.reset_before_headers) {
		st->status = 0;
		nghttp2_submit_rst_stream(st->c->session, NGHTTP2_FLAG_NONE, st->id,
					  NGHTTP2_INTERNAL_ERROR);
		return;
	}
	st->status = st->plan.status;
	submit_plan(st);
}

/* A refusal of the serving layer's own, in the app's shape when it has a
 * renderer, else bare. */
static void refuse(struct h2_stream *st, int status)
{
	serve_server *s = st->c->srv;
	serve_request req;

	drop_body(st);
	if (!s->opt.refuse || fill_request(st, &req)) {
		respond_status(st, status);
		return;
	}
	req.body = (const uint8_t *)"";
	req.body_len = 0;
	serve_response_init(&st->plan, status);
	if (s->opt.refuse(&st->plan, &req, status, s->opt.payload)) {
		answer_plan(st);
		return;
	}
	serve_response_dispose(&st->plan);
	respond_status(st, status);
}

void serve_h2_answer(struct h2_stream *st)
{
	answer_plan(st);
}

static void respond_refusal(struct h2_stream *st, int status, const char *type,
			    const char *message)
{
	serve_response_init(&st->plan, status);
	serve_refusal(&st->plan, status, type, message);
	answer_plan(st);
}

static void dispatch(struct h2_stream *st)
{
	serve_server *s = st->c->srv;
	serve_request req;

	st->answered = 1;
	st->deadline = 0;
	if (!st->method || !st->path || !serve_target_ok(st->path)) {
		/* nghttp2 checks pseudo-headers; this is only belt and braces. */
		respond_status(st, 400);
		return;
	}
	if (fill_request(st, &req)) {
		respond_status(st, 500);
		return;
	}
	if (s->opt.blocking) {
		serve_h2_job_handle(st);	/* answers when the handler returns */
		return;
	}
	serve_response_init(&st->plan, 500);
	s->opt.handler(&st->plan, &req, s->opt.payload);
	answer_plan(st);
}

/* The head is in and a body follows: everything that can be refused now
 * is, so that no byte of a body that cannot succeed is held. */
static void on_head(struct h2_stream *st)
{
	serve_server *s = st->c->srv;
	unsigned long long cl = 0;
	serve_request req;
	size_t i;

	if (!st->method || !st->path || !serve_target_ok(st->path)) {
		respond_status(st, 400);
		return;
	}
	/* nghttp2 has checked that it is a number. */
	for (i = 0; i < st->nh; i++)
		if (!strcmp(st->hdrs[i].name, "content-length")) {
			cl = strtoull(st->hdrs[i].value, NULL, 10);
			st->absorb = cl <= H2_ABSORB_MAX;
		}
	if (cl > s->opt.max_body) {
		refuse(st, 413);
		return;
	}
	if (s->opt.precheck) {
		if (fill_request(st, &req)) {
			respond_status(st, 500);
			return;
		}
		serve_response_init(&st->plan, 500);
		if (s->opt.precheck(&st->plan, &req, s->opt.payload)) {
			answer_plan(st);
			return;
		}
		serve_response_dispose(&st->plan);
	}
	if (cl > s->opt.max_buffered || cl > s->opt.max_buffered - atomic_load(&s->buffered))
		respond_refusal(st, 503, "ServiceUnavailableException", BUSY);
}

static int begin_headers_cb(nghttp2_session *session, const nghttp2_frame *frame,
			    void *user_data)
{
	struct h2_conn *c = user_data;
	struct h2_stream *st;

	if (frame->hd.type != NGHTTP2_HEADERS || frame->headers.cat != NGHTTP2_HCAT_REQUEST)
		return 0;
	st = calloc(1, sizeof(*st));
	if (!st)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	st->c = c;
	st->id = frame->hd.stream_id;
	st->start_ms = serve_now_ms();
	st->deadline = st->start_ms + serve_request_ms(c->srv);
	st->next = c->streams;
	if (c->streams)
		c->streams->prev = st;
	c->streams = st;
	c->nstreams++;
	update_idle(c);
	nghttp2_session_set_stream_user_data(session, st->id, st);
	return 0;
}

static int header_cb(nghttp2_session *session, const nghttp2_frame *frame,
		     const uint8_t *name, size_t nl, const uint8_t *value, size_t vl,
		     uint8_t flags, void *user_data)
{
	struct h2_stream *st = nghttp2_session_get_stream_user_data(session,
								    frame->hd.stream_id);
	struct h2_conn *c = user_data;
	char **slot = NULL;

	(void)flags;
	if (!st || st->answered || st->headers_too_big || frame->hd.type != NGHTTP2_HEADERS)
		return 0;
	st->header_bytes += nl + vl + H2_FIELD_OVERHEAD;
	if (st->header_bytes > c->srv->opt.max_header_bytes) {
		st->headers_too_big = 1;
		return 0;
	}
	if (nl && name[0] == ':') {
		if (nl == 7 && !memcmp(name, ":method", 7))
			slot = &st->method;
		else if (nl == 5 && !memcmp(name, ":path", 5))
			slot = &st->path;
		else if (nl == 10 && !memcmp(name, ":authority", 10))
			slot = &st->authority;
		if (slot && !*slot && !(*slot = strndup((const char *)value, vl)))
			return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
		return 0;
	}
	if (add_header(st, (const char *)name, nl, (const char *)value, vl))
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	return 0;
}

static int data_chunk_cb(nghttp2_session *session, uint8_t flags, int32_t stream_id,
			 const uint8_t *data, size_t len, void *user_data)
{
	struct h2_stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
	struct h2_conn *c = user_data;

	(void)flags;
	if (!st || st->answered)
		return 0;	/* the rest of a refused body */
	if (len > c->srv->opt.max_body - st->len) {
		refuse(st, 413);
		return 0;
	}
	if (serve_budget_take(c->srv, len)) {
		respond_refusal(st, 503, "ServiceUnavailableException", BUSY);
		return 0;
	}
	if (serve_body_append(&st->body, &st->len, &st->cap, data, len)) {
		serve_budget_give(c->srv, len);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	}
	return 0;
}

static int frame_recv_cb(nghttp2_session *session, const nghttp2_frame *frame,
			 void *user_data)
{
	struct h2_stream *st;

	(void)user_data;
	if (frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA)
		return 0;
	st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
	if (!st)
		return 0;
	if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
		st->remote_done = 1;
	if (st->answered)
		return 0;
	if (st->headers_too_big)
		respond_status(st, 431);
	else if (frame->hd.flags & NGHTTP2_FLAG_END_STREAM)
		dispatch(st);
	else if (frame->hd.type == NGHTTP2_HEADERS)
		on_head(st);
	return 0;
}

/* END_STREAM sent: the whole answer is out (eof_sent, for done). If the
 * client has not finished sending, ask it to stop (RFC 9113 8.1,
 * RST_STREAM NO_ERROR), so the rest of a refused body is neither sent nor
 * kept, unless it is small enough to let in (absorb). */
static int frame_send_cb(nghttp2_session *session, const nghttp2_frame *frame,
			 void *user_data)
{
	struct h2_stream *st;

	(void)user_data;
	if ((frame->hd.type != NGHTTP2_HEADERS && frame->hd.type != NGHTTP2_DATA) ||
	    !(frame->hd.flags & NGHTTP2_FLAG_END_STREAM))
		return 0;
	st = nghttp2_session_get_stream_user_data(session, frame->hd.stream_id);
	if (st)
		st->eof_sent = 1;	/* the whole answer is out */
	if (!st || st->remote_done)
		return 0;
	if (st->absorb) {
		/* The sweep resets it if the rest does not come in time. */
		st->absorb_until = serve_now_ms() + serve_request_ms(st->c->srv);
		return 0;
	}
	nghttp2_submit_rst_stream(session, NGHTTP2_FLAG_NONE, st->id, NGHTTP2_NO_ERROR);
	return 0;
}

static int stream_close_cb(nghttp2_session *session, int32_t stream_id, uint32_t error_code,
			   void *user_data)
{
	struct h2_stream *st = nghttp2_session_get_stream_user_data(session, stream_id);
	struct h2_conn *c = user_data;

	if (!st)
		return 0;
	if (st->answered) {
		char *q = st->path && !st->query ? strchr(st->path, '?') : NULL;

		if (q)
			*q = 0;	/* refused before the query was split off */
		serve_access_log(c->srv, c->peer, st->method, st->path ? st->path : "-",
			       st->status, st->bytes, st->start_ms, 1);
	}
	nghttp2_session_set_stream_user_data(session, stream_id, NULL);
	stream_free(st, error_code == NGHTTP2_NO_ERROR && st->eof_sent);
	update_idle(c);
	return 0;
}

static void read_cb(struct bufferevent *bev, void *arg)
{
	struct h2_conn *c = arg;
	struct evbuffer *in = bufferevent_get_input(bev);
	size_t len = evbuffer_get_length(in);
	unsigned char *data = evbuffer_pullup(in, -1);
	ssize_t rv = nghttp2_session_mem_recv(c->session, data, len);

	if (rv < 0) {
		struct timeval tv = { 5, 0 };

		/* nghttp2 queued a GOAWAY: read no more, let it drain (briefly),
		 * and write_cb frees the connection once it has. */
		bufferevent_disable(bev, EV_READ);
		bufferevent_set_timeouts(bev, NULL, &tv);
		if (nghttp2_session_terminate_session(c->session, NGHTTP2_PROTOCOL_ERROR) ||
		    conn_send(c) || !evbuffer_get_length(bufferevent_get_output(bev)))
			conn_free(c);
		return;
	}
	evbuffer_drain(in, (size_t)rv);
	if (conn_send(c))
		conn_free(c);
}

static void write_cb(struct bufferevent *bev, void *arg)
{
	struct h2_conn *c = arg;

	(void)bev;
	if (conn_send(c))
		conn_free(c);
}

static void event_cb(struct bufferevent *bev, short events, void *arg)
{
	(void)bev;
	if (events & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT))
		conn_free(arg);
}

void serve_h2_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct bufferevent *bev = bufferevent_socket_new(s->base, fd, BEV_OPT_CLOSE_ON_FREE);

	if (!bev) {
		close(fd);
		return;
	}
	serve_h2_adopt_bev(s, bev, sa, len);
}

void serve_h2_adopt_bev(serve_server *s, struct bufferevent *bev, const struct sockaddr *sa,
			socklen_t len)
{
	nghttp2_settings_entry iv[] = {
		{ NGHTTP2_SETTINGS_MAX_CONCURRENT_STREAMS, H2_MAX_STREAMS },
		{ NGHTTP2_SETTINGS_INITIAL_WINDOW_SIZE, H2_STREAM_WINDOW },
		{ NGHTTP2_SETTINGS_MAX_HEADER_LIST_SIZE, (uint32_t)s->opt.max_header_bytes },
	};
	nghttp2_session_callbacks *cbs;
	struct h2_conn *c = calloc(1, sizeof(*c));
	int rc;

	if (!c) {
		bufferevent_free(bev);
		return;
	}
	c->bev = bev;
	c->srv = s;
	serve_format_peer(c->peer, sizeof(c->peer), sa, len);
	if (nghttp2_session_callbacks_new(&cbs)) {
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	nghttp2_session_callbacks_set_send_callback(cbs, send_cb);
	nghttp2_session_callbacks_set_on_begin_headers_callback(cbs, begin_headers_cb);
	nghttp2_session_callbacks_set_on_header_callback(cbs, header_cb);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, data_chunk_cb);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, frame_recv_cb);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, stream_close_cb);
	nghttp2_session_callbacks_set_on_frame_send_callback(cbs, frame_send_cb);
	rc = nghttp2_session_server_new(&c->session, cbs, c);
	nghttp2_session_callbacks_del(cbs);
	if (rc) {
		bufferevent_free(c->bev);
		free(c);
		return;
	}
	c->next = s->h2s;
	if (s->h2s)
		s->h2s->prev = c;
	s->h2s = c;
	s->nh2++;
	if (nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, iv, sizeof(iv) / sizeof(iv[0])) ||
	    nghttp2_session_set_local_window_size(c->session, NGHTTP2_FLAG_NONE, 0,
						  H2_CONN_WINDOW)) {
		conn_free(c);
		return;
	}
	bufferevent_setcb(c->bev, read_cb, write_cb, event_cb, c);
	bufferevent_enable(c->bev, EV_READ | EV_WRITE);
	/* A client that stops reading holds our output only so long. */
	bufferevent_set_timeouts(c->bev, NULL,
				 &(struct timeval){ (time_t)s->opt.idle_timeout_s, 0 });
	update_idle(c);
	if (conn_send(c)) {
		conn_free(c);
		return;
	}
	/* Over TLS, the preface may have come with the handshake. */
	if (evbuffer_get_length(bufferevent_get_input(c->bev)))
		read_cb(c->bev, c);
}

void serve_h2_sweep(serve_server *s, uint64_t now)
{
	struct h2_conn *c, *next;

	for (c = s->h2s; c; c = next) {
		struct h2_stream *st;
		int late = 0;

		next = c->next;
		if (!c->nstreams) {
			if (now - c->idle_since >= serve_idle_ms(s))
				conn_free(c);
			continue;
		}
		for (st = c->streams; st; st = st->next)
			if (st->deadline && now >= st->deadline && !st->answered) {
				respond_status(st, 408);
				late = 1;
			} else if (st->absorb_until && now >= st->absorb_until && !st->remote_done) {
				st->absorb_until = 0;
				nghttp2_submit_rst_stream(c->session, NGHTTP2_FLAG_NONE, st->id,
							  NGHTTP2_NO_ERROR);
				late = 1;
			}
		if (late && conn_send(c))
			conn_free(c);
	}
}

void serve_h2_drain(serve_server *s)
{
	struct h2_conn *c, *next;

	/* Streams up to the last one begun still finish; the client opens
	 * no more on this connection, which ends when they have. */
	for (c = s->h2s; c; c = next) {
		next = c->next;
		if (nghttp2_submit_goaway(c->session, NGHTTP2_FLAG_NONE,
					  nghttp2_session_get_last_proc_stream_id(c->session),
					  NGHTTP2_NO_ERROR, NULL, 0))
			conn_free(c);
		else
			serve_h2_flush(c);
	}
}

void serve_h2_close_all(serve_server *s)
{
	while (s->h2s)
		conn_free(s->h2s);
}
