/* A small HTTP/2 client for the serving layer's tests: several streams on
 * one connection (prior knowledge), each DATA frame's arrival and each
 * stream's end (RST_STREAM and its code) seen as they are. libcurl 7.88
 * cannot be used for this: it fails every transfer queued on a reused
 * prior-knowledge connection (CURLE_HTTP2) before sending it. */
#ifndef BEDROCK_TEST_SERVE_H2CLIENT_H
#define BEDROCK_TEST_SERVE_H2CLIENT_H

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <netinet/in.h>
#include <arpa/inet.h>
#include <sys/socket.h>

#include <nghttp2/nghttp2.h>

typedef struct h2c_stream {
	const char *path;		/* in */
	int cancel_after;		/* in: > 0: RST_STREAM(CANCEL) after this many DATA frames */
	int32_t id;
	int status;
	char body[4096];
	size_t len;
	int frames;			/* DATA frames with bytes */
	double first_at, last_at;	/* when the first and the last came */
	size_t first_len;		/* bytes in the first */
	int closed;
	uint32_t error;			/* the stream's close code (0: NO_ERROR) */
	int reset;			/* the server sent RST_STREAM */
} h2c_stream;

typedef struct h2c {
	int fd;
	nghttp2_session *session;
	h2c_stream *streams;
	size_t n;
	int drop_after_data;		/* in: close the socket at the first DATA */
	int dropped;
} h2c;

static double h2c_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static h2c_stream *h2c_find(h2c *c, int32_t id)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (c->streams[i].id == id)
			return &c->streams[i];
	return NULL;
}

static ssize_t h2c_send(nghttp2_session *s, const uint8_t *data, size_t len, int flags, void *u)
{
	h2c *c = u;
	ssize_t n = send(c->fd, data, len, MSG_NOSIGNAL);

	(void)s;
	(void)flags;
	return n < 0 ? NGHTTP2_ERR_CALLBACK_FAILURE : n;
}

static int h2c_header(nghttp2_session *s, const nghttp2_frame *f, const uint8_t *name, size_t nl,
		      const uint8_t *value, size_t vl, uint8_t flags, void *u)
{
	h2c_stream *st = h2c_find(u, f->hd.stream_id);
	char v[16];

	(void)s;
	(void)flags;
	if (st && nl == 7 && !memcmp(name, ":status", 7) && vl < sizeof(v)) {
		memcpy(v, value, vl);
		v[vl] = 0;
		st->status = atoi(v);
	}
	return 0;
}

static int h2c_data(nghttp2_session *s, uint8_t flags, int32_t id, const uint8_t *data,
		    size_t len, void *u)
{
	h2c *c = u;
	h2c_stream *st = h2c_find(c, id);

	(void)flags;
	if (!st || !len)
		return 0;
	st->last_at = h2c_now();
	if (!st->frames++) {
		st->first_at = st->last_at;
		st->first_len = len;
	}
	if (st->len + len < sizeof(st->body)) {
		memcpy(st->body + st->len, data, len);
		st->len += len;
		st->body[st->len] = 0;
	}
	if (st->cancel_after && st->frames == st->cancel_after)
		nghttp2_submit_rst_stream(s, NGHTTP2_FLAG_NONE, id, NGHTTP2_CANCEL);
	if (c->drop_after_data)
		c->dropped = 1;
	return 0;
}

static int h2c_frame(nghttp2_session *s, const nghttp2_frame *f, void *u)
{
	h2c_stream *st = h2c_find(u, f->hd.stream_id);

	(void)s;
	if (st && f->hd.type == NGHTTP2_RST_STREAM)
		st->reset = 1;
	return 0;
}

static int h2c_close(nghttp2_session *s, int32_t id, uint32_t error, void *u)
{
	h2c_stream *st = h2c_find(u, id);

	(void)s;
	if (st) {
		st->closed = 1;
		st->error = error;
	}
	return 0;
}

/* Connects to 127.0.0.1:port and submits every stream. 0 or -1. */
__attribute__((unused)) static int h2c_open(h2c *c, int port, h2c_stream *streams, size_t n)
{
	struct sockaddr_in sa;
	nghttp2_session_callbacks *cbs;
	char authority[32];
	size_t i;

	memset(c, 0, sizeof(*c));
	c->streams = streams;
	c->n = n;
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM, 0);
	if (c->fd < 0 || connect(c->fd, (struct sockaddr *)&sa, sizeof(sa))) {
		if (c->fd >= 0)
			close(c->fd);
		return -1;
	}
	nghttp2_session_callbacks_new(&cbs);
	nghttp2_session_callbacks_set_send_callback(cbs, h2c_send);
	nghttp2_session_callbacks_set_on_header_callback(cbs, h2c_header);
	nghttp2_session_callbacks_set_on_data_chunk_recv_callback(cbs, h2c_data);
	nghttp2_session_callbacks_set_on_frame_recv_callback(cbs, h2c_frame);
	nghttp2_session_callbacks_set_on_stream_close_callback(cbs, h2c_close);
	nghttp2_session_client_new(&c->session, cbs, c);
	nghttp2_session_callbacks_del(cbs);
	nghttp2_submit_settings(c->session, NGHTTP2_FLAG_NONE, NULL, 0);
	snprintf(authority, sizeof(authority), "127.0.0.1:%d", port);
	for (i = 0; i < n; i++) {
		nghttp2_nv nva[] = {
			{ (uint8_t *)":method", (uint8_t *)"GET", 7, 3, 0 },
			{ (uint8_t *)":scheme", (uint8_t *)"http", 7, 4, 0 },
			{ (uint8_t *)":authority", (uint8_t *)authority, 10, strlen(authority), 0 },
			{ (uint8_t *)":path", (uint8_t *)streams[i].path, 5, strlen(streams[i].path), 0 },
		};

		streams[i].id = nghttp2_submit_request(c->session, NULL, nva, 4, NULL, NULL);
	}
	return 0;
}

/* Sends and receives for up to ms; -1 when the connection ended. */
__attribute__((unused)) static int h2c_pump(h2c *c, int ms)
{
	struct pollfd p = { c->fd, POLLIN, 0 };
	uint8_t buf[16384];
	ssize_t k;

	if (nghttp2_session_send(c->session))
		return -1;
	if (poll(&p, 1, ms) <= 0)
		return 0;
	k = recv(c->fd, buf, sizeof(buf), 0);
	if (k <= 0 || nghttp2_session_mem_recv(c->session, buf, (size_t)k) < 0)
		return -1;
	return nghttp2_session_send(c->session) ? -1 : 0;
}

__attribute__((unused)) static void h2c_end(h2c *c)
{
	nghttp2_session_del(c->session);
	close(c->fd);
}

/* Runs every stream at once on one connection to 127.0.0.1:port; returns
 * when all are closed, the connection ends, or after secs. 0, or -1 when
 * the connection could not be made. drop_after_data: close the socket at
 * the first DATA frame. */
__attribute__((unused)) static int h2c_run(int port, h2c_stream *streams, size_t n, double secs,
					   int drop_after_data)
{
	h2c c;
	double until = h2c_now() + secs;
	size_t i, open = n;

	if (h2c_open(&c, port, streams, n))
		return -1;
	c.drop_after_data = drop_after_data;
	while (open && !c.dropped && h2c_now() < until) {
		if (h2c_pump(&c, 100))
			break;
		for (open = 0, i = 0; i < n; i++)
			open += !streams[i].closed;
	}
	h2c_end(&c);
	return 0;
}

/* The port of "http://127.0.0.1:PORT". */
__attribute__((unused)) static int h2c_port(const char *url)
{
	const char *colon = strrchr(url, ':');

	return colon ? atoi(colon + 1) : -1;
}

#endif
