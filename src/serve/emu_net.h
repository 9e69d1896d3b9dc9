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
#include <stdint.h>
#include <sys/socket.h>

#include <event2/event.h>
#include <event2/listener.h>

#include "emulate.h"

struct MHD_Daemon;
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

	struct MHD_Daemon *mhd;
	/* Guards parked and stopping: HTTP/1.1 responses waiting for their
	 * next piece are suspended in MHD and woken by a libevent timer. */
	pthread_mutex_t lock;
	struct h1_req *parked;
	int stopping;
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
/* The next bytes of the current piece (at most max) into buf. */
emu_cursor_step emu_cursor_next(emu_cursor *c, const emu_response *p, void *buf, size_t max,
				size_t *n, uint64_t *wait_ms);
/* "ip:port" / "[ip6]:port", numeric. */
void emu_format_peer(char *out, size_t cap, const struct sockaddr *sa, socklen_t len);
/* One access-log line on stderr, written whole; status 0 means reset. */
void emu_access_log(const emu_server *s, const char *peer, const char *method,
		    const char *path, int status, size_t bytes, uint64_t start_ms, int http2);

/* HTTP/1.1 through libmicrohttpd (emu_h1.c). */
int emu_h1_start(emu_server *s);
/* Takes the socket in every case (closes it if MHD cannot). */
void emu_h1_adopt(emu_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* Wakes parked responses so they fail, then stops MHD. After the loop. */
void emu_h1_stop(emu_server *s);

/* HTTP/2 with prior knowledge through nghttp2 (emu_h2.c). */
void emu_h2_adopt(emu_server *s, int fd, const struct sockaddr *sa, socklen_t len);
void emu_h2_close_all(emu_server *s);

#endif
