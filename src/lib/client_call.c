/* Whole (non-streaming) calls in a bedrock_multi driven from the caller's
 * event loop. The request is the blocking call's: the same builders make
 * it (client.c, client_raw.c), and client_transfer.c sets the easy handle
 * up and reads the end of the transfer for both. What differs is only
 * who waits: nobody. The call starts at once; bedrock_multi_act() reaps
 * it (client_multi.c) and tells its done callback. Not retried: a back-off
 * would stall the loop, and the caller sees each error, as with a looped
 * stream.
 *
 * A gateway runs tens of thousands of these a second, so a freed call is
 * kept by its multi with its easy handle still set up for its client (and
 * its body and URL buffers): the next call skips curl_easy_init(),
 * curl_easy_reset() and the client's options, and allocates what the
 * blocking call does (its response, its header list) and no more. Signing
 * uses the multi's work space. */
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_stream_private.h"
#include "errinfo.h"
#include "http.h"

/* Freed calls a multi keeps for its next ones, with their easy handles:
 * as many as the idle connections it keeps, each a few KiB. */
#define SPARE_MAX BEDROCK__MULTI_IDLE_CONNS

struct bedrock_call {
	bedrock__xfer kind;		/* first: BEDROCK__XFER_CALL */
	bedrock_multi *multi;		/* NULL once the multi is freed */
	/* Kept from call to call (client_call.c's reuse): */
	CURL *easy;
	unsigned long long set_for;	/* the client serial its options are for; 0: none */
	const char *endpoint;		/* ... and the endpoint */
	bedrock_buf body;		/* the request body, copied */
	bedrock_buf url;
	char errbuf[CURL_ERROR_SIZE];
	/* This call's: */
	bedrock_client *client;
	struct curl_slist *list;
	bedrock_response *r;		/* the answer, until taken */
	size_t path_at;			/* where the path starts in url (the log line's) */
	long long end_ms;		/* the deadline, 0: none */
	int running;			/* in the multi handle */
	int ended, taken, queued;
	int rc;				/* the result, once ended */
	bedrock_error_info err;
	bedrock_call_done_fn done;
	void *arg;
	bedrock_call *prev, *next;	/* the multi's calls (next: its spares, once freed) */
	bedrock_call *dprev, *dnext;	/* the multi's ended calls, not yet told */
};

int bedrock__in_multi_init(bedrock__in_multi *in, bedrock_call **out, bedrock_multi *m,
			   bedrock_call_done_fn done, void *arg, bedrock_error_info *err)
{
	if (out)
		*out = NULL;
	if (!out || !m)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	/* In a pulled multi nobody would reap the call but bedrock_multi_next(),
	 * which speaks of streams. */
	if (!m->looped)
		return bedrock__err(err, BEDROCK_EINVAL,
				    "a whole call runs in a bedrock_multi in an event loop "
				    "(call bedrock_multi_use_loop first)");
	in->out = out;
	in->multi = m;
	in->done = done;
	in->arg = arg;
	return 0;
}

static void destroy(bedrock_call *x)
{
	curl_easy_cleanup(x->easy);
	bedrock__buf_dispose(&x->body);
	bedrock__buf_dispose(&x->url);
	bedrock__free(x);
}

/* A call for m: a kept one, else a new one. */
static bedrock_call *take(bedrock_multi *m)
{
	bedrock_call *x = m->spare;

	if (x) {
		m->spare = x->next;
		m->spare_count--;
	} else {
		if (!(x = bedrock__calloc(1, sizeof(*x))))
			return NULL;
		x->kind = BEDROCK__XFER_CALL;
		if (!(x->easy = curl_easy_init())) {
			bedrock__free(x);
			return NULL;
		}
	}
	x->multi = m;
	x->list = NULL;
	x->r = NULL;
	x->running = x->ended = x->taken = x->queued = 0;
	x->rc = 0;
	x->prev = x->next = x->dprev = x->dnext = NULL;
	return x;
}

/* Back to its multi for the next call, or freed. Not in any list. */
static void give_back(bedrock_call *x)
{
	bedrock_multi *m = x->multi;

	curl_slist_free_all(x->list);
	x->list = NULL;
	bedrock_response_free(x->r);
	x->r = NULL;
	if (!m || m->spare_count >= SPARE_MAX || x->body.oom || x->url.oom) {
		destroy(x);
		return;
	}
	/* A big body is not kept for calls that may never need it. */
	if (x->body.cap > BEDROCK__RX_KEEP)
		bedrock__buf_dispose(&x->body);
	x->next = m->spare;
	m->spare = x;
	m->spare_count++;
}

static void link_call(bedrock_multi *m, bedrock_call *x)
{
	x->prev = NULL;
	x->next = m->calls;
	if (m->calls)
		m->calls->prev = x;
	m->calls = x;
}

static void unlink_call(bedrock_multi *m, bedrock_call *x)
{
	if (x->prev)
		x->prev->next = x->next;
	else
		m->calls = x->next;
	if (x->next)
		x->next->prev = x->prev;
	x->prev = x->next = NULL;
}

static void unqueue(bedrock_multi *m, bedrock_call *x)
{
	if (!x->queued)
		return;
	if (x->dprev)
		x->dprev->dnext = x->dnext;
	else
		m->done_head = x->dnext;
	if (x->dnext)
		x->dnext->dprev = x->dprev;
	else
		m->done_tail = x->dprev;
	x->dprev = x->dnext = NULL;
	x->queued = 0;
}

/* The transfer leaves the multi handle: a finished one leaves its
 * connection in the multi's cache for the next call; an unfinished one's
 * is closed. */
static void stop(bedrock_call *x)
{
	if (x->running)
		curl_multi_remove_handle(x->multi->multi, x->easy);
	x->running = 0;
	curl_slist_free_all(x->list);
	x->list = NULL;
}

int bedrock__call_start(const bedrock__in_multi *in, bedrock_client *c, const bedrock__call *call,
			bedrock_error_info *err)
{
	bedrock_multi *m = in->multi;
	bedrock__call sent = *call;
	bedrock_call *x;
	size_t n;
	int rc;

	if (bedrock__cancelled(BEDROCK__CALL_CANCEL(call)))
		return bedrock__client_cancelled(err, "the call");
	if (!(x = take(m)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	x->client = c;
	x->done = in->done;
	x->arg = in->arg;
	if (x->set_for != c->serial || x->endpoint != call->endpoint) {
		/* New, or set up for another client: its options from scratch.
		 * Those that never change from call to call are set here only. */
		if (x->set_for)
			curl_easy_reset(x->easy);
		bedrock__client_easy_defaults(c, x->easy, call->endpoint);
		bedrock__client_easy_idle(c, x->easy);
		curl_easy_setopt(x->easy, CURLOPT_PRIVATE, x);
		x->set_for = c->serial;
		x->endpoint = call->endpoint;
	}
	/* The caller's body may go once this returns: a copy, in a buffer the
	 * call keeps for the next one. */
	bedrock__buf_clear(&x->body);
	bedrock__buf_put(&x->body, call->body, call->body_len);
	if (call->body)
		sent.body = x->body.ptr;
	n = bedrock__transfer_url(NULL, 0, call);
	bedrock__buf_clear(&x->url);
	if (x->body.oom || bedrock__buf_grow(&x->url, n) ||
	    !(x->r = bedrock__calloc(1, sizeof(*x->r)))) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto fail;
	}
	x->url.len = bedrock__transfer_url(x->url.ptr, n + 1, call);
	x->path_at = strlen(call->endpoint);
	x->r->attempts = 1;
	x->end_ms = bedrock__client_call_end(c);
	rc = bedrock__transfer_setup(&x->list, x->easy, c, &sent, x->url.ptr, x->r, x->errbuf,
				     x->end_ms, &m->sig, err);
	if (rc)
		goto fail;
	if (curl_multi_add_handle(m->multi, x->easy) != CURLM_OK) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "cannot add the transfer");
		goto fail;
	}
	x->running = 1;
	link_call(m, x);
	*in->out = x;
	return 0;
fail:
	give_back(x);
	return rc;
}

void bedrock__call_finished(bedrock_call *x, CURLcode result)
{
	bedrock_multi *m = x->multi;
	long status = 0;

	curl_easy_getinfo(x->easy, CURLINFO_RESPONSE_CODE, &status);
	stop(x);
	x->rc = bedrock__transfer_end(x->r, x->client, x->endpoint, x->url.ptr, (int)result, status,
				      x->errbuf, x->end_ms, &x->err);
	if (result == CURLE_OK && status)
		bedrock__client_after_answer(x->client, status == 429);
	/* The blocking call's line for its one attempt. */
	bedrock__client_log(x->client, x->rc ? BEDROCK_LOG_WARN : BEDROCK_LOG_DEBUG,
			    "POST %s -> %ld (attempt 1)%s%s", x->url.ptr + x->path_at,
			    result == CURLE_OK ? status : 0L, x->rc ? ": " : "",
			    x->rc ? x->err.message : "");
	if (x->rc) {
		bedrock_response_free(x->r);
		x->r = NULL;
	}
	x->ended = 1;
	x->queued = 1;
	x->dnext = NULL;
	x->dprev = m->done_tail;
	if (m->done_tail)
		m->done_tail->dnext = x;
	else
		m->done_head = x;
	m->done_tail = x;
}

void bedrock__call_tell(bedrock_call *x)
{
	unqueue(x->multi, x);
	/* Last: the callback may free x. */
	if (x->done)
		x->done(x->arg, x);
}

void bedrock__multi_calls_free(bedrock_multi *m)
{
	while (m->calls) {
		bedrock_call *x = m->calls;

		stop(x);
		unqueue(m, x);
		unlink_call(m, x);
		if (!x->ended) {
			x->ended = 1;
			x->rc = bedrock__err(&x->err, BEDROCK_ECANCELED,
					     "the call was stopped: its bedrock_multi was freed");
			bedrock_response_free(x->r);
			x->r = NULL;
		}
		/* The caller frees it; it has no multi to go back to. */
		x->multi = NULL;
	}
	while (m->spare) {
		bedrock_call *x = m->spare;

		m->spare = x->next;
		destroy(x);
	}
	m->spare_count = 0;
}

int bedrock_call_result(bedrock_response **out, bedrock_call *x, bedrock_error_info *err)
{
	if (out)
		*out = NULL;
	if (!out || !x)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	if (!x->ended)
		return bedrock__err(err, BEDROCK_EAGAIN, "the call has not ended yet");
	if (x->taken)
		return bedrock__err(err, BEDROCK_EINVAL, "the call's result was already taken");
	x->taken = 1;
	if (x->rc) {
		if (err)
			*err = x->err;
		return x->rc;
	}
	*out = x->r;
	x->r = NULL;
	return 0;
}

void bedrock_call_free(bedrock_call *x)
{
	if (!x)
		return;
	if (x->multi) {
		stop(x);
		unqueue(x->multi, x);
		unlink_call(x->multi, x);
	}
	give_back(x);
}
