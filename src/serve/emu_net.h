/* Private to the emulator's network layer (emu_server.c, emu_h1.c,
 * emu_h2.c): the server object and what the two protocol halves share.
 *
 * Threads: the caller of emu_server_run() runs the libevent loop, which
 * accepts every connection, decides its protocol, runs HTTP/2 (nghttp2)
 * and all timers. libmicrohttpd runs HTTP/1.1 in its own worker threads.
 * So the handler is called from the libevent thread (HTTP/2) and from the
 * MHD workers (HTTP/1.1), possibly at the same time. */
#ifndef BEDROCK_EMU_NET_H
#define BEDROCK_EMU_NET_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "emulate.h"

struct MHD_Daemon;
struct h1_conn;
struct h1_req;
struct h2_conn;
struct peek_conn;

struct emu_server {
	emu_server_options opt;		/* listen is ours (strdup) */
	struct event_base *base;
	struct evconnlistener *listener;
	struct event *accept_resume;	/* re-enables accepting after EMFILE */
	uint64_t accept_error_said;	/* when the last accept error was printed */
	int stop_pipe[2];		/* emu_server_stop() writes here */
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
uint64_t emu_now_ms(void);
/* Where a response body is in being sent, the same for both protocols:
 * the next byte, and when the current piece may go (its delay after the
 * previous piece left). */
typedef struct emu_cursor {
	size_t piece, off;
	uint64_t due;
	int due_passed;
} emu_cursor;

typedef enum emu_cursor_step {
	EMU_CURSOR_DATA = 0,	/* *n bytes copied (0 for an empty piece) */
	EMU_CURSOR_WAIT = 1,	/* nothing may go for *wait_ms */
	EMU_CURSOR_END = 2	/* every piece went */
} emu_cursor_step;

/* Starts the clock: the first piece is due its delay from now. */
void emu_cursor_start(emu_cursor *c, const emu_response *p);
/* The next bytes of the current piece (at most max) into buf; with
 * p->coalesce, of every piece already due, up to max. */
emu_cursor_step emu_cursor_next(emu_cursor *c, const emu_response *p, void *buf, size_t max,
				size_t *n, uint64_t *wait_ms);
/* "ip:port" / "[ip6]:port", numeric. */
void emu_format_peer(char *out, size_t cap, const struct sockaddr *sa, socklen_t len);
/* One access-log line on stderr, written whole; status 0 means reset. */
void emu_access_log(const emu_server *s, const char *peer, const char *method,
		    const char *path, int status, size_t bytes, uint64_t start_ms, int http2);

/* Takes n bytes of the shared body budget (max_buffered): 0, or -1 when
 * that would pass it (nothing taken). give returns them. */
int emu_budget_take(emu_server *s, size_t n);
void emu_budget_give(emu_server *s, size_t n);
/* A refusal in Bedrock's error shape (x-amzn-ErrorType, {"message"}),
 * made by the network layer itself: *out is reset first. */
void emu_refusal(emu_response *out, int status, const char *type, const char *message);
/* 0 when a request target has a control byte, a space or DEL (400). */
int emu_target_ok(const char *target);
/* The deadlines in milliseconds. */
uint64_t emu_idle_ms(const emu_server *s);
uint64_t emu_request_ms(const emu_server *s);

/* HTTP/1.1 through libmicrohttpd (emu_h1.c). */
typedef enum emu_head {
	EMU_HEAD_OK = 0,	/* a whole head, nothing against it */
	EMU_HEAD_PARTIAL = 1,	/* no blank line yet */
	EMU_HEAD_BAD = 2	/* 400: a control byte or space in the target, a
				 * Content-Length that is not a number, two
				 * different ones, or one with Transfer-Encoding */
} emu_head;
/* Judges the first bytes of an HTTP/1 request (pure; bytes past the head
 * are ignored). What it does not understand is OK: MHD judges that. */
emu_head emu_h1_head_check(const char *buf, size_t len);
int emu_h1_start(emu_server *s);
/* Takes the socket in every case (closes it if MHD cannot). */
void emu_h1_adopt(emu_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* Wakes parked responses so they fail, then stops MHD. After the loop. */
void emu_h1_stop(emu_server *s);
/* Connections MHD holds now. */
size_t emu_h1_count(emu_server *s);
/* Closes the connections whose request is late (loop thread). */
void emu_h1_sweep(emu_server *s, uint64_t now);

/* HTTP/2 with prior knowledge through nghttp2 (emu_h2.c). */
void emu_h2_adopt(emu_server *s, int fd, const struct sockaddr *sa, socklen_t len);
void emu_h2_close_all(emu_server *s);
/* Closes idle connections, answers late requests 408 (loop thread). */
void emu_h2_sweep(emu_server *s, uint64_t now);

#endif
