/* Private to the emulator's network layer (serve_server.c, h1.c,
 * h2.c): the server object and what the two protocol halves share.
 *
 * Threads: the caller of serve_server_run() runs the libevent loop, which
 * accepts every connection, decides its protocol, runs HTTP/2 (nghttp2)
 * and all timers. libmicrohttpd runs HTTP/1.1 in its own worker threads.
 * So the handler is called from the libevent thread (HTTP/2) and from the
 * MHD workers (HTTP/1.1), possibly at the same time. */
#ifndef BEDROCK_SERVE_NET_H
#define BEDROCK_SERVE_NET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "serve.h"

struct MHD_Daemon;
struct h1_conn;
struct h1_req;
struct h2_conn;
struct peek_conn;

struct serve_server {
	serve_server_options opt;		/* listen is ours (strdup) */
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *accept_resume;	/* re-enables accepting after EMFILE */
	uint64_t accept_error_said;	/* when the last accept error was printed */
	int stop_pipe[2];		/* serve_server_stop() writes here */
	struct event *stop_ev;
	struct peek_conn *peeks;	/* accepted, protocol not known yet */
	struct h2_conn *h2s;		/* live HTTP/2 connections */
	size_t npeeks, nh2;		/* how many of each (loop thread) */
	uint64_t limit_said;		/* when the connection limit was last mentioned */
	struct event *sweep;		/* enforces the idle and request deadlines */
	atomic_size_t buffered;		/* request body bytes held, all connections */

	struct MHD_Daemon *mhd;
	/* Guards parked and stopping: HTTP/1.1 responses waiting for their
	 * next piece are suspended in MHD and woken by a libevent timer. */
	pthread_mutex_t lock;
	struct h1_req *parked;
	int stopping;
	struct h1_conn *h1s;		/* every HTTP/1.1 connection, for the sweep */
};

/* Milliseconds on the monotonic clock. */
uint64_t serve_now_ms(void);
/* Where a response body is in being sent, the same for both protocols:
 * the next byte, and when the current piece may go (its delay after the
 * previous piece left). */
typedef struct serve_cursor {
	size_t piece, off;
	uint64_t due;
	int due_passed;
} serve_cursor;

typedef enum serve_cursor_step {
	SERVE_CURSOR_DATA = 0,	/* *n bytes copied (0 for an empty piece) */
	SERVE_CURSOR_WAIT = 1,	/* nothing may go for *wait_ms */
	SERVE_CURSOR_END = 2	/* every piece went */
} serve_cursor_step;

/* Starts the clock: the first piece is due its delay from now. */
void serve_cursor_start(serve_cursor *c, const serve_response *p);
/* The next bytes of the current piece (at most max) into buf; with
 * p->coalesce, of every piece already due, up to max. */
serve_cursor_step serve_cursor_next(serve_cursor *c, const serve_response *p, void *buf, size_t max,
				size_t *n, uint64_t *wait_ms);
/* "ip:port" / "[ip6]:port", numeric. */
void serve_format_peer(char *out, size_t cap, const struct sockaddr *sa, socklen_t len);
/* One access-log line on stderr, written whole; status 0 means reset. */
void serve_access_log(const serve_server *s, const char *peer, const char *method,
		    const char *path, int status, size_t bytes, uint64_t start_ms, int http2);

/* Takes n bytes of the shared body budget (max_buffered): 0, or -1 when
 * that would pass it (nothing taken). give returns them. */
int serve_budget_take(serve_server *s, size_t n);
void serve_budget_give(serve_server *s, size_t n);
/* A refusal in Bedrock's error shape (x-amzn-ErrorType, {"message"}),
 * made by the network layer itself: *out is reset first. */
void serve_refusal(serve_response *out, int status, const char *type, const char *message);
/* 0 when a request target has a control byte, a space or DEL (400). */
int serve_target_ok(const char *target);
/* The deadlines in milliseconds. */
uint64_t serve_idle_ms(const serve_server *s);
uint64_t serve_request_ms(const serve_server *s);

/* HTTP/1.1 through libmicrohttpd (h1.c). */
typedef enum serve_head {
	SERVE_HEAD_OK = 0,	/* a whole head, nothing against it */
	SERVE_HEAD_PARTIAL = 1,	/* no blank line yet */
	SERVE_HEAD_BAD = 2	/* 400: a control byte or space in the target, a
				 * Content-Length that is not a number, two
				 * different ones, or one with Transfer-Encoding */
} serve_head;
/* Judges the first bytes of an HTTP/1 request (pure; bytes past the head
 * are ignored). What it does not understand is OK: MHD judges that. */
serve_head serve_h1_head_check(const char *buf, size_t len);
int serve_h1_start(serve_server *s);
/* Takes the socket in every case (closes it if MHD cannot). */
void serve_h1_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* Wakes parked responses so they fail, then stops MHD. After the loop. */
void serve_h1_stop(serve_server *s);
/* Connections MHD holds now. */
size_t serve_h1_count(serve_server *s);
/* Closes the connections whose request is late (loop thread). */
void serve_h1_sweep(serve_server *s, uint64_t now);

/* HTTP/2 with prior knowledge through nghttp2 (h2.c). */
void serve_h2_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
void serve_h2_close_all(serve_server *s);
/* Closes idle connections, answers late requests 408 (loop thread). */
void serve_h2_sweep(serve_server *s, uint64_t now);

#endif
