/* The serving layer of bedrock emulate and bedrock gateway: one port
 * (libevent accepting and peeking at the first bytes), HTTP/1.1 through
 * libmicrohttpd, HTTP/2 with prior knowledge through nghttp2, and
 * HTTP/1.1 and HTTP/2 over TLS (OpenSSL, ALPN). It holds no Bedrock logic.
 *
 * The handler turns a request into a response *plan*. The network layer
 * carries the plan out: status and headers, then the body, then the end
 * or an abrupt reset. Two kinds of body:
 * - pieces, each with a delay (the emulator): flushed on its own (one
 *   chunk in HTTP/1.1, one DATA frame in HTTP/2), timers never sleeps;
 * - a serve_body whose read() produces the bytes while they are sent (the
 *   gateway relaying an upstream stream): each read's bytes are one chunk
 *   or DATA frame, always chunked / without content-length. Its read may
 *   block (a blocking server), or, with body.attach, never block and say
 *   SERVE_BODY_LATER until the app calls serve_wake: then no thread waits
 *   for it in HTTP/2, and one per connection only in a blocking server's
 *   HTTP/1.1.
 *
 * Two modes (serve_server_options.blocking):
 * - Non-blocking (the emulator): the handler and body reads must not
 *   block. HTTP/1.1 runs on a libevent loop a core, each driving its own
 *   libmicrohttpd daemon (epoll), and the handler gets that loop
 *   (serve_request.loop) for I/O of its own; HTTP/2 runs in the libevent
 *   thread; a piece not due yet suspends the connection (HTTP/1.1) or
 *   defers the stream (HTTP/2) behind a timer.
 * - Blocking (the gateway): the handler and body reads may block.
 *   HTTP/1.1 runs a thread per connection (small stacks, max_threads of
 *   them); HTTP/2 runs each stream's handler and body reads on a worker
 *   thread from a pool that grows to max_threads and shrinks when idle,
 *   and hands each read's bytes back to the libevent thread through a
 *   one-chunk buffer per stream (h2_worker.c). With h1_in_loops, HTTP/1.1
 *   runs as in a non-blocking server instead (the gateway: its handler
 *   then does not block, and answers on the loop). The precheck still runs on
 *   the head alone, before the body is read. A handler may also say
 *   that its answer comes later, from another thread
 *   (serve_response_later): then no thread waits for it in HTTP/2, and
 *   the connection's own one in HTTP/1.1.
 *
 * How a plan is carried out, in both modes:
 * - Headers leave as soon as the handler returns; each piece leaves
 *   delay_ms after the previous one was handed to the socket (the first,
 *   after the headers).
 * - streaming == 0, no body.read and end == SERVE_END_NORMAL:
 *   Content-Length. Otherwise chunked (HTTP/1.1) or no content-length
 *   (HTTP/2): a body that ends in a reset has no honest length, and
 *   chunking makes the cut visible.
 * - SERVE_END_RESET, or body.read returning -1: HTTP/1.1 closes the
 *   connection with no last chunk; HTTP/2 sends RST_STREAM(INTERNAL_ERROR)
 *   after the last DATA frame and keeps the connection for its other
 *   streams.
 * - reset_before_headers: HTTP/1.1 closes the connection; HTTP/2 resets
 *   only that stream, RST_STREAM(INTERNAL_ERROR).
 * - The server adds Date, and drops Content-Length and Transfer-Encoding
 *   from the plan (HTTP/2 also the connection-specific fields, and lower-
 *   cases names). Nothing else: x-amzn-RequestId is the handler's.
 * - HTTP/2 requests get a "host" header from :authority when they have
 *   none, as RFC 9113 8.3.1 equates them (a SigV4 check needs it).
 * - The handler may run concurrently with itself, on several threads. */
#ifndef BEDROCK_SERVE_H
#define BEDROCK_SERVE_H

#include <stddef.h>
#include <stdint.h>

struct event_base;

typedef struct serve_header {
	char *name;
	char *value;
} serve_header;

typedef struct serve_request {
	const char *method;		/* "POST" */
	const char *path;		/* as received: percent-encoded, no query */
	const char *query;		/* raw query string without '?', "" if none */
	const serve_header *headers;	/* as received; names compared case-insensitively */
	size_t header_count;
	const uint8_t *body;
	size_t body_len;
	const char *peer;		/* "127.0.0.1:50123", for the access log */
	int http2;			/* 1 for HTTP/2 */
	/* The libevent loop this handler runs on when it must not block
	 * (HTTP/1.1 on a loop), for the app's own I/O on the same thread, so
	 * that an answer needs no other thread; NULL when the handler may
	 * block, or runs on the server's own loop (HTTP/2). */
	struct event_base *loop;
} serve_request;

typedef struct serve_piece {
	uint8_t *data;
	size_t len;
	unsigned delay_ms;		/* wait this long before sending the piece */
} serve_piece;

typedef enum serve_end {
	SERVE_END_NORMAL = 0,	/* finish the response (chunked terminator / END_STREAM) */
	SERVE_END_RESET = 1	/* after the pieces, drop the connection (HTTP/2: RST_STREAM) */
} serve_end;

/* A non-blocking body's read() returns this when it has nothing yet. */
#define SERVE_BODY_LATER (-2)

/* The server's side of a non-blocking body (serve_body.attach). Only a
 * struct tag: a typedef of the same name would clash with serve_wake(). */
struct serve_wake;

/* A response body produced while it is sent (a relayed upstream stream). */
typedef struct serve_body {
	/* Up to max bytes into buf: > 0 bytes (sent and flushed at once: one
	 * chunk / DATA frame), 0 at the clean end, -1 to cut the response
	 * (HTTP/1.1: the connection closes without the last chunk; HTTP/2:
	 * RST_STREAM). May block, in a blocking server only. */
	long (*read)(void *self, void *buf, size_t max);
	/* The client went away or the server stops hard: make a blocked read
	 * return soon (-1 or 0). Any thread, possibly while read runs; never
	 * after close. Called under a server lock: it must not block. May be
	 * NULL. */
	void (*cancel)(void *self);
	/* Exactly once when the exchange is over, after the last read;
	 * completed = 1 when the whole body went out. May be NULL. */
	void (*close)(void *self, int completed);
	void *self;
	/* Optional: makes the body non-blocking. Called once by the server, before
	 * the first read, with the body's waker. read() then never blocks: it returns
	 * bytes, 0 (end), -1 (cut) or SERVE_BODY_LATER when it has nothing yet; the
	 * app calls serve_wake(w) from any thread once read() would return something
	 * else. serve_wake may be called any time from attach until close is
	 * called; the app must not let a serve_wake run concurrently with or after
	 * its close (e.g. it wakes and closes under one lock of its own). The server
	 * frees w after close returns. cancel is not called for such a body.
	 * HTTP/2 reads it on the libevent thread, holding no thread while it waits
	 * (in a blocking server too); HTTP/1.1 suspends the connection (non-
	 * blocking server) or waits on the waker in the connection's thread. A
	 * body whose plan is never sent (reset_before_headers, the stream gone
	 * before the handler returned) may be closed without having been attached. */
	void (*attach)(void *self, struct serve_wake *w);
} serve_body;

/* Any thread, never blocks, never lost: a wake that comes before the server
 * has acted on a SERVE_BODY_LATER still makes it read again. */
void serve_wake(struct serve_wake *w);

/* A handler's answer that comes later, from any thread (serve_response_later). */
struct serve_later;

typedef struct serve_response {
	int status;
	serve_header *headers;	/* owned; Content-Length/Transfer-Encoding are the server's job */
	size_t header_count;
	serve_piece *pieces;	/* owned */
	size_t piece_count;
	int streaming;		/* 1: send pieces as they come (chunked / DATA frames), no Content-Length */
	int coalesce;		/* 1: pieces due together go out together (one chunk or DATA
				 * frame holds as many as fit), not one write each */
	int reset_before_headers; /* 1: drop the connection without answering */
	serve_end end;
	serve_body body;	/* body.read set: the body streams from it (chunked / DATA
				 * frames, no Content-Length); pieces are ignored. The
				 * server calls body.close once, even if the plan is never
				 * sent; serve_response_dispose does not. */
	/* Optional: called once when the exchange is over, sent 1 when the
	 * answer's last byte left, 0 when it did not (client gone, reset,
	 * server stopping); from any thread. So work that need not delay the
	 * answer (a log line) happens after it. Not called by dispose. */
	void (*done)(void *done_arg, int sent);
	void *done_arg;
	/* Set by serve_response_later: the answer comes later. NULL from
	 * serve_response_init; serve_response_dispose leaves it. */
	struct serve_later *later;
} serve_response;

/* Response building helpers (response.c). All return 0 or -1 (ENOMEM). */
void serve_response_init(serve_response *r, int status);
int serve_response_header(serve_response *r, const char *name, const char *value);
int serve_response_piece(serve_response *r, const void *data, size_t len, unsigned delay_ms);
void serve_response_dispose(serve_response *r);
/* Calls r->done once, if set (the server's side of it). */
void serve_response_done(serve_response *r, int sent);
/* In the handler: the answer will come later, through serve_later_answer(),
 * so that no thread waits for it (an upstream's first event, seconds away):
 * an HTTP/2 stream holds no worker meanwhile; an HTTP/1.1 connection on a
 * loop is suspended until it; one with a thread of its own (blocking
 * server) waits for it (mutex and condition), as it would for a blocking
 * handler. The handler then leaves *out as it was initialised, and must not
 * use req after it returns (as ever). At most once per handler call, in the
 * handler only (not in the precheck or the refusal renderer).
 * cancel(arg) (may be NULL) is called at most once, from any thread,
 * holding no lock of the server's, if the exchange must end before the
 * answer came: the client went away (HTTP/2 RST_STREAM, connection
 * closed) or the server stops or its drain deadline passed. It must not
 * block; it may call serve_later_answer itself. Never after
 * serve_later_answer returned: an answer from another thread while cancel
 * runs waits for it to return, so do not answer holding a lock that cancel
 * takes. The app must still call serve_later_answer exactly once
 * afterwards, promptly: serve_server_run (and serve_server_free) waits for
 * every answer before it returns. That plan is then disposed: its body
 * closed (body.close(self, 0), never attached nor read) and its done(..., 0)
 * called. Returns NULL when this exchange cannot be deferred (HTTP/2 in a
 * non-blocking server, not called from the handler on out, the server
 * stopping, out of memory): the handler then answers as usual (a handler
 * on a loop must not wait for an answer that the same loop would bring). */
struct serve_later *serve_response_later(serve_response *out, void (*cancel)(void *arg), void *arg);
/* Any thread, exactly once per later, even after its cancel: takes plan
 * over (headers, pieces, body, done) as if the handler had returned it,
 * and leaves *plan initialised; the later is freed by the server. */
void serve_later_answer(struct serve_later *l, serve_response *plan);
/* Appends n bytes to a growing request body; 0, or -1 when out of memory. */
int serve_body_append(uint8_t **body, size_t *len, size_t *cap, const void *data, size_t n);
/* A request header's value (first match, case-insensitive), or NULL. */
const char *serve_request_header(const serve_request *req, const char *name);

/* The handler: fills *out (initialised by the caller with
 * serve_response_init(out, 500)). Thread-safe; must not block unless the
 * server is a blocking one. */
typedef void (*serve_handler_fn)(serve_response *out, const serve_request *req, void *payload);

/* Answers a request from its head alone, before a byte of its body is
 * read (req->body is "" and body_len 0): 1 if it filled *out (initialised
 * as for the handler), 0 to go on. So a request that cannot succeed (no
 * credentials) never gets its body buffered. Must not block, even in a
 * blocking server: HTTP/2 runs it on the libevent thread. */
typedef int (*serve_precheck_fn)(serve_response *out, const serve_request *req, void *payload);

/* Puts a refusal the serving layer makes on its own (413: a body over
 * max_body, announced or found while reading) in the app's shape: fills
 * *out (initialised with that status) from the request's head (req->body
 * is "") and returns 1, or 0 for a bare status. Must not block. */
typedef int (*serve_refuse_fn)(serve_response *out, const serve_request *req, int status,
			       void *payload);

typedef struct serve_server serve_server;

typedef struct serve_server_options {
	const char *listen;		/* "HOST:PORT", "[v6]:PORT"; port 0 = any free port */
	serve_handler_fn handler;
	void *payload;
	size_t max_body;		/* request body limit (default 25,000,000 + slack) */
	size_t max_header_bytes;	/* request header block limit (default 64 KiB) */
	int access_log;			/* 1: one line per request on stderr or to log
					 * (no secrets) */
	serve_precheck_fn precheck;	/* optional */
	serve_refuse_fn refuse;		/* optional */
	size_t max_buffered;		/* request body bytes held at once, all connections
					 * together (default 256 MiB); over it: 503 */
	unsigned max_connections;	/* open at once (default 4096); more are closed */
	unsigned idle_timeout_s;	/* a connection with no request in flight (default 30) */
	unsigned request_timeout_s;	/* a request's head and body must be in by then
					 * (default 60; HTTP/1.1 keep-alive: after the idle
					 * time, counted from the previous response) */
	const char *name;		/* prefix of the server's messages (default
					 * "bedrock emulate") */
	int blocking;			/* 1: the handler and body reads may block (above) */
	int h1_in_loops;		/* blocking: HTTP/1.1 as in a non-blocking server
					 * (on loops; its handler must not block) */
	unsigned h1_loops;		/* HTTP/1.1 on loops: how many (threads); 0: one
					 * a core, at least 2, at most 16 */
	int h1_fill;			/* HTTP/1.1 on loops: a new connection goes to
					 * the first loop using under half a core with
					 * under 64 connections, else the least busy
					 * (0: round robin) */
	unsigned max_threads;		/* blocking: HTTP/1.1 connections (at most
					 * max_connections too), and HTTP/2 worker threads
					 * (more streams wait for one); default 16384 each */
	const char *tls_cert, *tls_key;	/* PEM files: TLS on the listener (HTTP/2 or
					 * HTTP/1.1 by ALPN; a cleartext connection is
					 * closed) */
	/* When set, access-log and error lines (no newline) go here instead of
	 * stderr, from any thread, possibly at once. */
	void (*log)(void *log_payload, const char *line);
	void *log_payload;
} serve_server_options;

/* Binds and prepares; writes the bound URL ("http://127.0.0.1:PORT",
 * "https://" with TLS, IPv6 in brackets) into url. 0 or -1 with a message
 * on stderr (or the log callback). */
int serve_server_new(serve_server **out, const serve_server_options *opts, char *url, size_t url_cap);
/* Runs until serve_server_stop() or the end of a drain. */
int serve_server_run(serve_server *s);
/* Stops hard: exchanges in flight are cut (body.cancel). Async-signal-safe. */
void serve_server_stop(serve_server *s);
/* Stops gently (async-signal-safe): closes the listener, answers new
 * requests on open keep-alive connections with Connection: close (HTTP/2:
 * GOAWAY), lets exchanges in flight finish for up to deadline_ms, then
 * cancels what is left and makes serve_server_run return. */
void serve_server_drain(serve_server *s, unsigned deadline_ms);
void serve_server_free(serve_server *s);

/* One HTTP/1.1 loop, for an operator: its connections, and the share of a
 * core its thread used over the last sweep (a quarter second). */
typedef struct serve_loop_stat {
	unsigned connections;
	double busy;
} serve_loop_stat;

/* Up to cap loops' stats into out; the number of loops (0 when HTTP/1.1
 * does not run on loops). Thread-safe. */
size_t serve_server_loops(const serve_server *s, serve_loop_stat *out, size_t cap);

#endif
