/* What the two halves of a stream share: client_stream.c (one stream, its
 * own transfer) and client_multi.c (many in one libcurl multi handle,
 * pulled or driven from the caller's event loop); and what a looped
 * multi's whole calls (client_call.c) share with client_multi.c. */
#ifndef BEDROCK_CLIENT_STREAM_PRIVATE_H
#define BEDROCK_CLIENT_STREAM_PRIVATE_H

#include <stdatomic.h>

#include <curl/curl.h>

#include "bedrock/bedrock.h"
#include "anthropic_events.h"
#include "client_private.h"

/* The longest request URL a stream takes: endpoint, path and NUL; and
 * the longest path of a Bedrock stream operation. */
#define STREAM_URL_MAX 8448
#define STREAM_PATH_MAX 8192
/* Idle connections a bedrock_multi keeps for its next streams. */
#define BEDROCK__MULTI_IDLE_CONNS 64

/* What a transfer in a bedrock_multi is. Its easy handle's CURLOPT_PRIVATE
 * points at a stream or a call, each of which starts with this. */
typedef enum bedrock__xfer {
	BEDROCK__XFER_STREAM = 0,	/* a calloc'd stream is one */
	BEDROCK__XFER_CALL
} bedrock__xfer;

struct bedrock_stream {
	bedrock__xfer kind;	/* first: BEDROCK__XFER_STREAM */
	bedrock_client *client;
	bedrock_multi *owner;	/* set when a bedrock_multi drives the transfer */
	bedrock__conn conn;	/* from the client's pool, when not in a bedrock_multi */
	CURLM *multi;		/* conn.multi, or the owner's */
	CURL *easy;
	atomic_int cancelled;	/* bedrock_stream_cancel() */
	const bedrock_cancel *token;	/* the request options' cancel token */
	struct curl_slist *list;
	bedrock_event_reader *reader;	/* Bedrock's event stream, or: */
	bedrock_sse_decoder *sse;	/* Server-Sent Events (the Anthropic API) */
	bedrock__sse_events events;	/* SSE events as bedrock_event */
	int raw;		/* SSE relayed as it came: ping, unknown names too */
	bedrock_buf pending;	/* received, not yet fed */
	bedrock_buf fed;	/* fed to the reader (it may lend from it) */
	size_t fed_off;		/* how much of fed the decoder has been given */
	bedrock_buf headers;
	bedrock_buf error_body;
	char request_id[64];
	char *url;		/* endpoint + path, at most STREAM_URL_MAX */
	long status;
	int done;		/* transfer finished */
	CURLcode result;
	int finished;		/* reader finished: ITEROVER delivered */
	int failed;		/* sticky error code */
	int sent;		/* this attempt reached libcurl (signed, handed over) */
	int drained;		/* the last pump() emptied the socket: wait before reading */
	bedrock_error_info failure;
	long long end_ms;	/* the call's deadline (0: none) */
	long long open_end_ms;	/* this attempt's total_timeout_ms, until it opens */
	/* A bedrock_multi in the caller's event loop: told when next() may
	 * have something, through the owner's ready list. */
	bedrock_stream_ready_fn on_ready;
	void *ready_arg;
	bedrock_stream *rnext, *rprev;
	int queued;		/* on the owner's ready list */
	int paused;		/* bedrock_stream_pause() */
};

struct bedrock_multi {
	CURLM *multi;
	bedrock_stream **streams;	/* active: not yet ended */
	size_t count, cap, next;	/* next: where the round robin resumes */
	/* Driven by the caller's loop (bedrock_multi_use_loop): streams are
	 * not in streams[]; those with news wait on the ready list. */
	int looped;
	bedrock_multi_loop loop;
	bedrock_stream *ready_head, *ready_tail;
	int draining;		/* the ready list is being run: no nested runs */
	/* Whole calls (looped only; client_call.c): every call not yet freed,
	 * the ended ones not yet told (in the order they ended), and freed
	 * ones kept with their easy handle for the next calls. */
	bedrock_call *calls;
	bedrock_call *done_head, *done_tail;
	bedrock_call *spare;
	size_t spare_count;
	/* Signing work space of the transfers started in the multi (one thread
	 * at a time), so that signing one allocates nothing. */
	bedrock_sigv4_result *sig;
};

/* client_stream.c */
int bedrock__stream_new(bedrock_stream **out, bedrock_client *c, const bedrock__call *call, int sse,
			bedrock_error_info *err);
int bedrock__stream_setup(bedrock_stream *s, CURLM *multi, const bedrock__call *call,
			  int copy_body, bedrock_error_info *err);
void bedrock__stream_close(bedrock_stream *s);
int bedrock__stream_step(bedrock_event *out, bedrock_stream *s, bedrock_error_info *err,
			 int may_pump);
int bedrock__stream_path(char *path, size_t cap, bedrock_client *c, const char *model_id,
			 const char *op, const char *what, const void *body, size_t len,
			 bedrock_error_info *err);

/* The owner's lists, kept here so the calls go one way: client_multi.c
 * calls into this file, never back. */
void bedrock__multi_forget(bedrock_multi *m, bedrock_stream *s);
/* s may have something for next(): queued for its on_ready (looped
 * multi only; a no-op otherwise). */
void bedrock__multi_ready(bedrock_stream *s);
/* Takes s off its owner's ready list (it is being freed). */
void bedrock__multi_unready(bedrock_stream *s);

/* client_call.c, for client_multi.c */
/* call's transfer ended with result: its result is read, the transfer
 * leaves the multi handle (its connection stays for the next one), and
 * the call is queued to be told. */
void bedrock__call_finished(bedrock_call *call, CURLcode result);
/* Takes call off the ended list and calls its done callback (which may
 * free it). */
void bedrock__call_tell(bedrock_call *call);
/* The multi is being freed: its calls stop (their result
 * BEDROCK_ECANCELED) and forget it; the kept ones are freed. */
void bedrock__multi_calls_free(bedrock_multi *m);

/* client_multi.c */
/* A stream of call started in m, not waiting for its answer. */
int bedrock__multi_add(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
		       const bedrock__call *call, int sse, bedrock_error_info *err);

#endif
