/* bedrock emulate: the seam between the network layer (HTTP/1.1 through
 * libmicrohttpd, HTTP/2 through nghttp2, one port, libevent accepting) and
 * the Bedrock logic (routing, auth, validation, the deterministic model,
 * faults, replay).
 *
 * The handler is pure: a request in, a response *plan* out. The network
 * layer carries the plan out: status and headers, then each body piece
 * after its delay (flushed on its own: one chunk in HTTP/1.1, one DATA
 * frame in HTTP/2), then the end or an abrupt reset. This keeps every
 * Bedrock rule testable without sockets and lets a fuzzer drive the
 * handler directly. The emulator uses libbedrock's public API only.
 *
 * How the network layer (serve_server.c, h1.c, h2.c) carries out a
 * plan:
 * - Headers leave as soon as the handler returns; each piece leaves
 *   delay_ms after the previous one was handed to the socket (the first,
 *   after the headers). Timers, never sleeps.
 * - streaming == 0 and end == SERVE_END_NORMAL: Content-Length. Otherwise
 *   chunked (HTTP/1.1) or no content-length (HTTP/2): a body that ends in
 *   a reset has no honest length, and chunking makes the cut visible.
 * - SERVE_END_RESET: HTTP/1.1 closes the connection with no last chunk;
 *   HTTP/2 sends RST_STREAM(INTERNAL_ERROR) after the last DATA frame and
 *   keeps the connection for its other streams.
 * - reset_before_headers: HTTP/1.1 closes the connection; HTTP/2 resets
 *   only that stream, RST_STREAM(INTERNAL_ERROR).
 * - The server adds Date, and drops Content-Length and Transfer-Encoding
 *   from the plan (HTTP/2 also the connection-specific fields, and lower-
 *   cases names). Nothing else: x-amzn-RequestId is the handler's.
 * - HTTP/2 requests get a "host" header from :authority when they have
 *   none, as RFC 9113 8.3.1 equates them (a SigV4 check needs it).
 * - The handler runs in libmicrohttpd's worker threads (HTTP/1.1) and in
 *   the libevent thread (HTTP/2), so it may run concurrently with itself. */
#ifndef BEDROCK_SERVE_H
#define BEDROCK_SERVE_H

#include <stddef.h>
#include <stdint.h>

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
} serve_response;

/* Response building helpers (response.c). All return 0 or -1 (ENOMEM). */
void serve_response_init(serve_response *r, int status);
int serve_response_header(serve_response *r, const char *name, const char *value);
int serve_response_piece(serve_response *r, const void *data, size_t len, unsigned delay_ms);
void serve_response_dispose(serve_response *r);
/* Appends n bytes to a growing request body; 0, or -1 when out of memory. */
int serve_body_append(uint8_t **body, size_t *len, size_t *cap, const void *data, size_t n);
/* A request header's value (first match, case-insensitive), or NULL. */
const char *serve_request_header(const serve_request *req, const char *name);

/* The handler: fills *out (initialised by the caller with
 * serve_response_init(out, 500)). Must not block and must be thread-safe if
 * the server calls it from several threads. */
typedef void (*serve_handler_fn)(serve_response *out, const serve_request *req, void *payload);

/* Answers a request from its head alone, before a byte of its body is
 * read (req->body is "" and body_len 0): 1 if it filled *out (initialised
 * as for the handler), 0 to go on. So a request that cannot succeed (no
 * credentials) never gets its body buffered. Same threads as the handler. */
typedef int (*serve_precheck_fn)(serve_response *out, const serve_request *req, void *payload);

typedef struct serve_server serve_server;

typedef struct serve_server_options {
	const char *listen;		/* "HOST:PORT", "[v6]:PORT"; port 0 = any free port */
	serve_handler_fn handler;
	void *payload;
	size_t max_body;		/* request body limit (default 25,000,000 + slack) */
	size_t max_header_bytes;	/* request header block limit (default 64 KiB) */
	int access_log;			/* 1: one line per request on stderr (no secrets) */
	serve_precheck_fn precheck;	/* optional */
	size_t max_buffered;		/* request body bytes held at once, all connections
					 * together (default 256 MiB); over it: 503 */
	unsigned max_connections;	/* open at once (default 4096); more are closed */
	unsigned idle_timeout_s;	/* a connection with no request in flight (default 30) */
	unsigned request_timeout_s;	/* a request's head and body must be in by then
					 * (default 60; HTTP/1.1 keep-alive: after the idle
					 * time, counted from the previous response) */
} serve_server_options;

/* Binds and prepares; writes the bound URL ("http://127.0.0.1:PORT",
 * IPv6 in brackets) into url. 0 or -1 with a message on stderr. */
int serve_server_new(serve_server **out, const serve_server_options *opts, char *url, size_t url_cap);
/* Runs until serve_server_stop() (async-signal-safe) is called. */
int serve_server_run(serve_server *s);
void serve_server_stop(serve_server *s);
void serve_server_free(serve_server *s);

#endif
