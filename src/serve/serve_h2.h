/* Private to the HTTP/2 half of the serving layer (h2.c, h2_worker.c):
 * a connection and its streams live in the libevent thread; a stream
 * whose handler may block, or whose body is read while sent, has a job
 * that a pool worker runs and that hands its results back to the loop. */
#ifndef BEDROCK_SERVE_H2_H
#define BEDROCK_SERVE_H2_H

#include <nghttp2/nghttp2.h>

#include "serve_net.h"

struct h2_job;

struct h2_stream {
	struct h2_stream *prev, *next;
	struct h2_conn *c;
	int32_t id;
	serve_header *hdrs;
	size_t nh, caph, header_bytes;
	char *method, *path, *authority;
	const char *query;		/* in path's allocation, once split off */
	int headers_too_big;
	int remote_done;		/* the client ended its side (END_STREAM) */
	uint64_t deadline;		/* the request is due by then; 0: answered */
	uint8_t *body;
	size_t len, cap;
	int answered;
	serve_response plan;
	serve_cursor cur;			/* the next byte to send */
	struct event *timer;
	uint64_t start_ms;
	size_t bytes;
	int status;			/* 0: reset */
	struct h2_job *job;		/* the worker side of a body.read or a
					 * blocking handler (h2_worker.c) */
	int eof_sent;			/* END_STREAM went with the body's end */
	struct serve_wake *wake;	/* a non-blocking body's (plan.body.attach),
					 * read here on the loop thread */
	int body_end;			/* its read returned 0 */
	int absorb;			/* answered early, the rest of a small
					 * announced body is let in (and dropped) */
	uint64_t absorb_until;		/* ...until then; then RST_STREAM */
};

struct h2_conn {
	struct h2_conn *prev, *next;
	serve_server *srv;
	struct bufferevent *bev;
	nghttp2_session *session;
	struct h2_stream *streams;
	size_t nstreams;
	uint64_t idle_since;		/* when the last stream closed (nstreams 0) */
	char peer[64];
};

/* Answers with st->plan (the loop thread). */
void serve_h2_answer(struct h2_stream *st);
/* Sends what nghttp2 has; frees the connection when it is over: then -1. */
int serve_h2_flush(struct h2_conn *c);

/* h2_worker.c. A blocking server's stream, once the client ended it:
 * the handler runs on a worker (the request's fields move to the job). */
void serve_h2_job_handle(struct h2_stream *st);
/* st->plan has a body.read that may block (no attach): it is read on a
 * worker, and the plan answered.
 * Takes the body (st->plan.body is cleared); on failure closes it. */
void serve_h2_job_body(struct h2_stream *st);
/* The data source of a response whose body a job reads. */
ssize_t serve_h2_job_data(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
			  size_t length, uint32_t *data_flags, nghttp2_data_source *source,
			  void *user_data);
/* The stream is gone (completed: its whole body went out): the job's
 * body is cancelled if still being read, and closed by the worker. */
void serve_h2_job_detach(struct h2_job *j, int completed);

#endif
