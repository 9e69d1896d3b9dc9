/* Private to the serving layer (server.c, log.c, tls_files.c, h1.c,
 * h1_head.c, h1_loop.c, h2.c, h2_worker.c, later.c, pool.c, tls_files.c, tls_conn.c, wake.c): the server object and what the
 * protocol halves share.
 *
 * Threads: the caller of serve_server_run() runs the libevent loop, which
 * accepts every connection, decides its protocol, runs HTTP/2 (nghttp2)
 * and all timers. libmicrohttpd runs HTTP/1.1 (cleartext, and TLS relayed to
 * it by the loop, tls_conn.c) on loops of its own (h1_loop.c: a libevent
 * base and an MHD daemon each, one a core) when its handler does not
 * block, in a thread per connection when it does. In a blocking
 * server, HTTP/2 handlers and body reads run on the worker pool (pool.c)
 * and hand their results to the loop through event_active (h2_worker.c);
 * a non-blocking body (body.attach) is read in the loop itself, resumed by
 * serve_wake through event_active too (h2.c). A deferred answer
 * (later.c) comes from the app's thread the same way.
 * So the handler is called from several threads, possibly at once.
 *
 * Draining (serve_server_drain): the loop closes the listener and the
 * connections with nothing in flight, answers with Connection: close
 * (HTTP/1.1) or sends GOAWAY (HTTP/2), and the sweep ends the loop when
 * nothing is left or the deadline has passed (cancelling what is). */
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
struct serve_pool;

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

	struct MHD_Daemon *mhd;		/* a blocking server's (thread per connection) */
	struct h1_loop *h1_loops;	/* otherwise: a loop and a daemon a core */
	unsigned nh1_loops;
	atomic_uint h1_next;		/* the loop the next connection goes to */
	/* Guards parked and stopping: HTTP/1.1 responses waiting for their
	 * next piece are suspended in MHD and woken by a libevent timer. */
	pthread_mutex_t lock;
	struct h1_req *parked;
	int stopping;
	struct h1_conn *h1s;		/* every HTTP/1.1 connection, for the sweep */

	struct ssl_ctx_st *tls_ctx;	/* OpenSSL's SSL_CTX, when tls_cert is set */
	struct tls_conn *tlss;		/* TLS connections handshaking or relaying */
	size_t ntls, nrelay;		/* how many; of them relaying to MHD (which
					 * counts those too) */
	struct serve_pool *pool;	/* HTTP/2 workers (blocking servers) */
	/* Answers owed (serve_response_later): run and free wait for them,
	 * so no later outlives the server. */
	pthread_mutex_t later_lock;
	pthread_cond_t later_cond;	/* an answer came */
	size_t nlaters;
	atomic_uint drain_ms;		/* set by serve_server_drain() */
	atomic_int draining;		/* 1 once the loop began draining */
	uint64_t drain_deadline;	/* loop thread */
};

/* Loads opt.tls_cert and opt.tls_key into tls_ctx (tls_files.c): 0, or
 * -1 having said why. unload frees it. */
int serve_tls_load(serve_server *s);
void serve_tls_unload(serve_server *s);
/* A connection whose first byte was a ClientHello's 0x16 (tls_conn.c):
 * the handshake, then HTTP/2 or HTTP/1.1 as ALPN chose. Takes the socket
 * in every case. */
void serve_tls_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* Ends every TLS connection still handshaking or relaying (loop thread). */
void serve_tls_close_all(serve_server *s);
/* Draining: ends the connections still in their handshake. */
void serve_tls_drain(serve_server *s);

/* A message "NAME: ..." to the log callback or stderr, whole. */
void serve_say(const serve_server *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

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
/* One access-log line (log callback or stderr), whole; status 0 means reset. */
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

/* The waker of a non-blocking body (wake.c): what serve_wake() does
 * depends on who waits for it. HTTP/2 makes ev active (the loop resumes
 * the stream); HTTP/1.1 resumes the connection suspended for it (non-
 * blocking server) or signals the connection's thread (blocking). */
struct MHD_Connection;
struct serve_wake {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* woken or gone */
	int woken;			/* a wake not acted on yet */
	int gone;			/* the exchange is ending: wait no more */
	struct event *ev;		/* HTTP/2: the stream's resume */
	struct MHD_Connection *parked;	/* HTTP/1.1: suspended until a wake */
	struct h1_loop *parked_loop;	/* ...on this loop */
};

/* A waker; ev may be NULL (HTTP/1.1). NULL when out of memory. */
/* A condition variable timed on the monotonic clock, and a deadline ms
 * from now on that clock (wake.c; later.c uses them too). */
void serve_cond_init(pthread_cond_t *c);
void serve_deadline(struct timespec *until, unsigned ms);
struct serve_wake *serve_wake_new(struct event *ev);
/* Frees w and its event (the body is closed: no wake can come). */
void serve_wake_free(struct serve_wake *w);
/* Forgets the wakes so far, before a read: a wake from now on counts.
 * 0, or -1 when gone (read no more). */
int serve_wake_arm(struct serve_wake *w);
/* The exchange is ending (client gone, server stopping): a waiting
 * thread, or a suspended connection, comes back and sees gone. */
void serve_wake_interrupt(struct serve_wake *w);
/* A thread waits up to ms for a wake since serve_wake_arm: 1 woken,
 * 0 not yet, -1 gone. */
int serve_wake_wait(struct serve_wake *w, unsigned ms);
/* After a SERVE_BODY_LATER, suspends conn (MHD) unless a wake came
 * since serve_wake_arm: 0 suspended, 1 woken (read again), -1 gone. */
int serve_wake_park(struct serve_wake *w, struct MHD_Connection *conn);

/* A deferred answer (later.c, serve_response_later). The app holds one
 * reference until it answers, the exchange one until it no longer needs
 * to cancel; the last frees it. */
struct h2_job;
struct serve_later {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* answered, gone, or a cancel returned */
	serve_server *srv;
	void (*cancel)(void *arg);
	void *arg;
	int refs;
	int answered;			/* serve_later_answer came */
	int cancelled;			/* cancel was called (or is running) */
	int cancelling;			/* ...and runs now, on canceller */
	pthread_t canceller;
	int gone;			/* HTTP/1.1: end the exchange; its thread cancels */
	serve_response plan;		/* HTTP/1.1: the answer, for the waiting thread
					 * or the suspended connection */
	struct MHD_Connection *parked;	/* HTTP/1.1 on a loop: suspended until the
					 * answer or an interrupt */
	struct h1_loop *parked_loop;	/* ...on this loop */
	struct h2_job *job;		/* HTTP/2: where the answer goes; a reference,
					 * until answered */
};

/* The handler's call: serve_response_later looks for it (thread-local)
 * to know whether, and for which exchange, out may be deferred. */
struct serve_later_call {
	struct serve_later_call *prev;
	serve_server *srv;
	serve_response *out;
	struct h2_job *job;		/* HTTP/2: the stream's job; NULL: HTTP/1.1 */
	struct serve_later *later;	/* what the handler asked for */
};
/* Around the handler: begin before, end after; end returns the later the
 * handler asked for (the exchange's reference to it), or NULL. */
void serve_later_begin(struct serve_later_call *c, serve_server *s, serve_response *out,
		       struct h2_job *job);
struct serve_later *serve_later_end(struct serve_later_call *c);
/* Calls the app's cancel unless it was called, or the answer came: once,
 * holding no lock. Any thread. */
void serve_later_cancel(struct serve_later *l);
/* HTTP/1.1: the exchange must end; the waiting thread cancels (any
 * thread, never blocks). */
void serve_later_interrupt(struct serve_later *l);
/* HTTP/1.1: the answer into *plan (0), or -1 when cancel was called (the
 * plan is to be dropped), cancelling once if interrupted meanwhile. With
 * conn (on a loop, in MHD's access handler for it) it never blocks: 1
 * when conn is suspended until the answer or an interrupt resumes it.
 * Without, the connection's own thread waits for the answer. */
int serve_later_take(struct serve_later *l, serve_response *plan, struct MHD_Connection *conn);
/* The exchange ended before its answer was taken (its connection
 * closed): cancels unless answered, and drops the exchange's reference. */
void serve_later_forget(struct serve_later *l);
/* Drops a reference. */
void serve_later_unref(struct serve_later *l);
/* Disposes a plan that will not be sent: body.close(self, 0), done(0). */
void serve_later_drop(serve_response *plan);
/* Waits until every later is answered (serve_server_run, _free). */
void serve_later_wait_all(serve_server *s);
/* h2_worker.c: the handler on j deferred (l->job = j, a reference); and
 * the answer for it, which goes to the loop as a returning handler's would. */
void serve_h2_job_later(struct h2_job *j, struct serve_later *l);
void serve_h2_job_answer(struct h2_job *j, struct serve_later *l, serve_response *plan);

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
/* Whether HTTP/1.1 runs a thread per connection, whose handler may block
 * (a blocking server without h1_in_loops), rather than on loops. */
#define H1_BLOCKS(s) ((s)->opt.blocking && !(s)->opt.h1_in_loops)
/* The loops (h1_loop.c): started with a daemon each from make_daemon;
 * adopt hands a socket to the next loop; connections counts them all;
 * stop ends the threads and stops the daemons (after the loops: nothing
 * else runs them then); free also frees the bases. */
struct h1_loop;
int serve_h1_loops_start(serve_server *s, struct MHD_Daemon *(*make_daemon)(serve_server *));
void serve_h1_loops_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
size_t serve_h1_loops_connections(serve_server *s);
/* Each loop's share of a core since the last call (the sweep's): for
 * h1_fill and serve_server_loops. */
void serve_h1_loops_sample(serve_server *s);
/* MHD's connection notices, counted for the loop they run on (no-ops off
 * a loop). */
void serve_h1_loops_opened(void);
void serve_h1_loops_closed(void);
void serve_h1_loops_stop(serve_server *s);
void serve_h1_loops_free(serve_server *s);
/* The loop's base, on one of its threads; NULL on any other. */
struct event_base *serve_h1_loop_base(void);
/* The loop of the calling thread, or NULL (a blocking server's thread). */
struct h1_loop *serve_h1_loop_current(void);
/* MHD_resume_connection, from any thread, and l (conn's loop, where it
 * was suspended) runs MHD for it: MHD would not notice on its own. */
void serve_h1_resume(struct h1_loop *l, struct MHD_Connection *conn);
/* How many loops s runs (serve_server_options.h1_loops). */
unsigned serve_h1_loop_count(const serve_server *s);
/* Takes the socket in every case (closes it if MHD cannot). */
void serve_h1_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* Wakes parked responses so they fail, cancels streaming bodies and
 * interrupts waits for a wake, then stops MHD. After the loop. */
void serve_h1_stop(serve_server *s);
/* Draining: closes the connections with no request in flight; with
 * cut, every connection, cancelling streaming bodies and interrupting
 * waits for a wake (loop thread). */
void serve_h1_drain(serve_server *s, int cut);
/* Connections MHD holds now. */
size_t serve_h1_count(serve_server *s);
/* Closes the connections whose request is late (loop thread). */
void serve_h1_sweep(serve_server *s, uint64_t now);

/* HTTP/2 with prior knowledge through nghttp2 (h2.c). */
void serve_h2_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len);
/* The same on a bufferevent that is already set up (TLS); takes it. */
struct bufferevent;
void serve_h2_adopt_bev(serve_server *s, struct bufferevent *bev, const struct sockaddr *sa,
			socklen_t len);
void serve_h2_close_all(serve_server *s);
/* Closes idle connections, answers late requests 408 (loop thread). */
void serve_h2_sweep(serve_server *s, uint64_t now);
/* Draining: GOAWAY on every connection (loop thread). */
void serve_h2_drain(serve_server *s);

/* The worker pool of a blocking server (pool.c): threads with small
 * stacks, started as work comes (up to max), ending after a while idle. */
int serve_pool_new(struct serve_pool **out, unsigned max_threads);
/* 0, or -1 when no thread could take it (none idle, none could start). */
int serve_pool_submit(struct serve_pool *p, void (*fn)(void *), void *arg);
/* Waits for every thread to end (their work must be ending: cancelled). */
void serve_pool_free(struct serve_pool *p);
/* Thread stack size for HTTP/1.1 connection threads and pool workers. */
#define SERVE_THREAD_STACK ((size_t)256 * 1024)

#endif
