/* Streams: a pull iterator driving one libcurl multi handle. The write
 * callback only appends bytes; bedrock_stream_next() feeds them to the
 * event reader and pumps the transfer until an event, the end, an error,
 * the idle timeout or a cancel.
 *
 * Cancellation is a lock-free atomic flag, looked at between poll()s of at
 * most BEDROCK__CANCEL_SLICE_MS. Storing to it is all bedrock_stream_cancel
 * does, so it is async-signal-safe; a signal also interrupts the poll()
 * (EINTR), so a SIGINT handler's cancel is seen at once, another thread's
 * within a slice. A self-pipe or eventfd would wake the poll from another
 * thread at once too, but costs two descriptors per stream (a thousand
 * streams in a bedrock_multi would need them all polled) and must still
 * not be touched after the stream is freed; a 100 ms bound is well under
 * what a person pressing Ctrl-C notices, and an idle poll wakes ten times
 * a second at most. */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "anthropic_events.h"
#include "client_private.h"
#include "errinfo.h"
#include "client_stream_private.h"
#include "http.h"



static size_t on_data(char *data, size_t size, size_t n, void *p)
{
	bedrock_stream *s = p;
	bedrock_buf *b;

	if (!s->status)
		curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
	b = s->status >= 300 ? &s->error_body : &s->pending;
	bedrock__buf_put(b, data, size * n);
	if (b->oom)
		return 0;
	bedrock__multi_ready(s);
	return size * n;
}

static size_t on_head(char *data, size_t size, size_t n, void *p)
{
	bedrock_stream *s = p;

	bedrock__header_line(&s->headers, data, size * n);
	return s->headers.oom ? 0 : size * n;
}

static int is_cancelled(const bedrock_stream *s)
{
	return atomic_load_explicit(&((bedrock_stream *)s)->cancelled, memory_order_relaxed) ||
	       bedrock__cancelled(s->token);
}

void bedrock_stream_cancel(bedrock_stream *s)
{
	/* Nothing but a lock-free store: safe in a signal handler. */
	if (s)
		atomic_store_explicit(&s->cancelled, 1, memory_order_relaxed);
}

static long long now_ms(void)
{
	return bedrock__now_ms();
}

/* Which limit, if any, has passed: the call's deadline, the attempt's
 * total_timeout_ms while it opens, or the idle timeout (idle_end). */
static int limit_passed(const bedrock_stream *s, long long idle_end, int until_headers,
			bedrock_error_info *err)
{
	long long now = now_ms();
	char d[32];

	if (s->end_ms && now >= s->end_ms)
		return bedrock__client_deadline_error(err, s->client);
	if (s->open_end_ms && now >= s->open_end_ms) {
		bedrock__duration(d, sizeof(d), s->client->total_timeout_ms);
		return bedrock__err(err, BEDROCK_ETIMEOUT, "no answer from Bedrock within %s", d);
	}
	if (now >= idle_end) {
		bedrock__duration(d, sizeof(d), s->client->idle_timeout_ms);
		return until_headers ? bedrock__err(err, BEDROCK_ETIMEOUT,
						    "no answer from Bedrock within %s", d)
				     : bedrock__err(err, BEDROCK_ETIMEOUT,
						    "nothing arrived on the stream for %s", d);
	}
	return 0;
}

/* Runs the transfer until new body bytes arrive, it ends, or a timeout
 * passes. 0, or an error code with err set.
 *
 * A perform that brought bytes read until the socket had no more (libcurl
 * drains it, and anything it still holds it marks with a timer that ends
 * the poll at once), so the next pump starts with the poll, as libcurl's
 * own perform-poll loop does: a perform first would only find nothing,
 * and cost a wake-up's worth of syscalls on every paced event. */
static int pump(bedrock_stream *s, bedrock_error_info *err, int until_headers)
{
	long long deadline = now_ms() + s->client->idle_timeout_ms;
	size_t before = s->pending.len;
	int rc, wait_first = s->drained;

	s->drained = 0;
	while (!s->done) {
		int running = 0, left;
		CURLMsg *m;

		if (!wait_first) {
			if (curl_multi_perform(s->multi, &running) != CURLM_OK)
				return bedrock__err(err, BEDROCK_EIO, "the transfer failed");
			while ((m = curl_multi_info_read(s->multi, &left)) != NULL)
				if (m->msg == CURLMSG_DONE) {
					s->done = 1;
					s->result = m->data.result;
				}
			if (!s->status)
				curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
			if (s->done || s->pending.len > before || (until_headers && s->status))
				break;
		}
		wait_first = 0;
		if (is_cancelled(s))
			return bedrock__client_cancelled(err, "the stream");
		if ((rc = limit_passed(s, deadline, until_headers, err)) != 0) {
			/* Classified for a retry as libcurl's own timeout would be. */
			s->result = CURLE_OPERATION_TIMEDOUT;
			return rc;
		}
		curl_multi_poll(s->multi, NULL, 0, BEDROCK__CANCEL_SLICE_MS, NULL);
	}
	s->drained = !s->done && s->pending.len > before;
	/* A transfer that broke after a 2xx answer is reported once the bytes
	 * that did arrive have been delivered (in bedrock_stream_next). */
	if (s->done && s->result != CURLE_OK && !(s->status >= 200 && s->status < 300))
		return bedrock__client_transport_error(err, s->client, s->client->endpoint, s->url,
						       (int)s->result, NULL);
	return 0;
}



/* ---- the owner's lists (a bedrock_multi, client_multi.c) ---- */

void bedrock__multi_forget(bedrock_multi *m, bedrock_stream *s)
{
	size_t i;

	for (i = 0; i < m->count; i++)
		if (m->streams[i] == s) {
			m->streams[i] = m->streams[--m->count];
			break;
		}
}

void bedrock__multi_ready(bedrock_stream *s)
{
	bedrock_multi *m = s->owner;

	if (!m || !m->looped || s->queued)
		return;
	s->queued = 1;
	s->rnext = NULL;
	s->rprev = m->ready_tail;
	if (m->ready_tail)
		m->ready_tail->rnext = s;
	else
		m->ready_head = s;
	m->ready_tail = s;
}

void bedrock__multi_unready(bedrock_stream *s)
{
	bedrock_multi *m = s->owner;

	if (!m || !s->queued)
		return;
	if (s->rprev)
		s->rprev->rnext = s->rnext;
	else
		m->ready_head = s->rnext;
	if (s->rnext)
		s->rnext->rprev = s->rprev;
	else
		m->ready_tail = s->rprev;
	s->rnext = s->rprev = NULL;
	s->queued = 0;
}

/* A buffer kept for the next stream on the transfer: emptied, and only
 * if it is not too big. */
static void rx_keep(bedrock_buf *keep, bedrock_buf *b)
{
	bedrock__buf_dispose(keep);
	if (b->cap <= BEDROCK__RX_KEEP && !b->oom) {
		*keep = *b;
		*b = (bedrock_buf)BEDROCK_BUF_INIT;
		bedrock__buf_clear(keep);
	}
}

void bedrock__stream_close(bedrock_stream *s)
{
	if (s->owner) {
		/* The multi handle is shared: only this transfer leaves it. */
		if (s->easy) {
			curl_multi_remove_handle(s->owner->multi, s->easy);
			curl_easy_cleanup(s->easy);
		}
		bedrock__multi_forget(s->owner, s);
	} else if (s->conn.easy) {
		/* Back to the pool: a finished transfer leaves its connection
		 * open for the next call; an unfinished one closes it here. The
		 * receive buffers go with it: nothing is decoded from them once
		 * the transfer is closed (it ended, failed, or starts over). */
		curl_multi_remove_handle(s->conn.multi, s->conn.easy);
		rx_keep(&s->conn.rx[0], &s->pending);
		rx_keep(&s->conn.rx[1], &s->fed);
		s->fed_off = 0;
		bedrock__client_release_conn(s->client, &s->conn);
	}
	curl_slist_free_all(s->list);
	s->easy = NULL;
	s->multi = NULL;
	s->list = NULL;
}

void bedrock_stream_free(bedrock_stream *s)
{
	if (!s)
		return;
	bedrock__multi_unready(s);
	bedrock__stream_close(s);
	bedrock_event_reader_free(s->reader);
	bedrock_sse_decoder_free(s->sse);
	bedrock__sse_events_dispose(&s->events);
	bedrock__buf_dispose(&s->pending);
	bedrock__buf_dispose(&s->fed);
	bedrock__buf_dispose(&s->headers);
	bedrock__buf_dispose(&s->error_body);
	bedrock__free(s->url);
	bedrock__free(s);
}

const char *bedrock_stream_request_id(const bedrock_stream *s)
{
	return s->request_id;
}

/* Creates the transfer of one attempt and adds it to multi. copy_body:
 * libcurl keeps its own copy (the caller's buffer may go before the
 * transfer ends, as with a bedrock_multi). */
int bedrock__stream_setup(bedrock_stream *s, CURLM *multi, const bedrock__call *call, int copy_body,
		 bedrock_error_info *err)
{
	long total = 0;
	int rc;

	if (multi) {
		if (s->end_ms)
			total = s->end_ms > now_ms() ? (long)(s->end_ms - now_ms()) : 1;
		/* The multi's signing work space: one thread at a time. */
		rc = bedrock__client_request_headers(&s->list, s->client, call,
						     s->owner ? &s->owner->sig : NULL, err);
		if (rc)
			return rc;
		s->easy = curl_easy_init();
		if (!s->easy)
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		bedrock__client_easy_defaults(s->client, s->easy, call->endpoint);
		/* Nobody pumps a multi's stream with a deadline in hand: a
		 * silent server is cut by libcurl's low-speed limit, and the
		 * call's deadline is libcurl's total timeout (next() then says
		 * it). */
		bedrock__client_easy_idle(s->client, s->easy);
	} else {
		if (bedrock__client_conn(&s->conn, s->client, call->endpoint))
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		if (!s->pending.ptr && !s->fed.ptr) {
			s->pending = s->conn.rx[0];
			s->fed = s->conn.rx[1];
			s->conn.rx[0] = s->conn.rx[1] = (bedrock_buf)BEDROCK_BUF_INIT;
		}
		rc = bedrock__client_request_headers(&s->list, s->client, call, &s->conn.sig, err);
		if (rc)
			return rc;
		s->easy = s->conn.easy;
		multi = s->multi = s->conn.multi;
	}
	/* Not libcurl's total timeout: it would cut a stream that is still
	 * coming. pump() applies total_timeout_ms to the opening only. A
	 * multi's stream is cut at the call's deadline, if it has one. */
	curl_easy_setopt(s->easy, CURLOPT_TIMEOUT_MS, total);
	curl_easy_setopt(s->easy, CURLOPT_URL, s->url);
	curl_easy_setopt(s->easy, CURLOPT_HTTPHEADER, s->list);
	curl_easy_setopt(s->easy, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)call->body_len);
	curl_easy_setopt(s->easy, copy_body ? CURLOPT_COPYPOSTFIELDS : CURLOPT_POSTFIELDS,
			 call->body ? (const char *)call->body : "");
	curl_easy_setopt(s->easy, CURLOPT_PRIVATE, s);
	curl_easy_setopt(s->easy, CURLOPT_WRITEFUNCTION, on_data);
	curl_easy_setopt(s->easy, CURLOPT_WRITEDATA, s);
	curl_easy_setopt(s->easy, CURLOPT_HEADERFUNCTION, on_head);
	curl_easy_setopt(s->easy, CURLOPT_HEADERDATA, s);
	if (curl_multi_add_handle(multi, s->easy) != CURLM_OK)
		return bedrock__err(err, BEDROCK_ENOMEM, "cannot add the transfer");
	return 0;
}

/* Starts one attempt and waits for the response headers. */
static int start(bedrock_stream *s, const bedrock__call *call, bedrock_error_info *err)
{
	int rc;

	bedrock__stream_close(s);
	bedrock__buf_clear(&s->headers);
	bedrock__buf_clear(&s->error_body);
	bedrock__buf_clear(&s->pending);
	s->status = 0;
	s->done = 0;
	s->result = CURLE_OK;
	s->sent = 0;
	s->drained = 0;
	rc = bedrock__stream_setup(s, NULL, call, 0, err);
	if (rc)
		return rc;
	s->sent = 1;
	s->open_end_ms = s->client->total_timeout_ms ? now_ms() + s->client->total_timeout_ms : 0;
	rc = pump(s, err, 1);
	if (rc) {
		s->open_end_ms = 0;
		return rc;
	}
	bedrock__headers_get(&s->headers, s->client->request_id_header, s->request_id,
			     sizeof(s->request_id));
	if (s->status >= 300 || (s->done && s->status == 0)) {
		/* An error answer is short: read it whole. */
		while (!s->done && (rc = pump(s, err, 0)) == 0)
			;
		if (!rc)
			rc = bedrock__client_http_error(err, s->client, (int)s->status, &s->headers,
							s->error_body.ptr, s->error_body.len);
	}
	s->open_end_ms = 0;
	return rc;
}

/* A stream not yet sent to url, its decoder ready. Shared by both ways of
 * opening one. */
int bedrock__stream_new(bedrock_stream **out, bedrock_client *c, const bedrock__call *call, int sse,
		      bedrock_error_info *err)
{
	bedrock_stream *s;
	size_t n;
	int rc;

	*out = NULL;
	s = bedrock__calloc(1, sizeof(*s));
	if (!s)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	s->client = c;
	s->end_ms = bedrock__client_call_end(c);
	s->token = call->options ? call->options->cancel : NULL;
	atomic_init(&s->cancelled, 0);
	/* Sized to the URL, not to the longest one: a gateway holds thousands
	 * of streams at once. */
	n = strlen(call->endpoint) + strlen(call->path) + 1;
	if (n > STREAM_URL_MAX) {
		bedrock_stream_free(s);
		return bedrock__err(err, BEDROCK_EINVAL, "the request URL is too long");
	}
	if (!(s->url = bedrock__malloc(n))) {
		bedrock_stream_free(s);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	snprintf(s->url, n, "%s%s", call->endpoint, call->path);
	rc = sse ? bedrock_sse_decoder_new(&s->sse, NULL) : bedrock_event_reader_new(&s->reader, NULL);
	s->raw = sse == BEDROCK__SSE_RAW;
	if (rc) {
		bedrock_stream_free(s);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	*out = s;
	return 0;
}

/* "/model/<encoded id><op>" into path, for a Bedrock stream operation. */
int bedrock__stream_path(char *path, size_t cap, bedrock_client *c, const char *model_id,
			       const char *op, const char *what, const void *body, size_t len,
			       bedrock_error_info *err)
{
	char label[2100 * 3];
	size_t n;
	int rc;

	if (!c || !model_id || !*model_id || (!body && len) || strlen(model_id) > 2048)
		return bedrock__err(err, BEDROCK_EINVAL, "missing or invalid argument");
	if ((rc = bedrock__client_bedrock_only(c, what, err)) != 0)
		return rc;
	if (bedrock_sigv4_uri_encode(label, sizeof(label), &n, model_id, strlen(model_id)))
		return bedrock__err(err, BEDROCK_EINVAL, "the model id cannot be encoded");
	snprintf(path, cap, "/model/%s%s", label, op);
	return 0;
}

typedef struct open_ctx {
	bedrock_stream *s;
	const bedrock__call *call;
} open_ctx;

/* One attempt at opening s: the answer's headers read, or its error whole. */
static int open_attempt(void *p, bedrock__attempt *a, bedrock_error_info *err)
{
	open_ctx *x = p;
	bedrock_stream *s = x->s;
	int rc = start(s, x->call, err);

	a->sent = s->sent;
	a->status = s->status;
	a->curl_code = (int)s->result;
	a->headers = &s->headers;
	return rc;
}

int bedrock__client_open_stream(bedrock_stream **out, bedrock_client *c, const bedrock__call *call,
				int sse, bedrock_error_info *err)
{
	open_ctx x;
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "missing or invalid argument");
	*out = NULL;
	if (bedrock__curl_init())
		return bedrock__err(err, BEDROCK_EIO, "libcurl could not be initialised");
	rc = bedrock__stream_new(&x.s, c, call, sse, err);
	if (rc)
		return rc;
	x.call = call;
	/* Only the opening of a stream is retried: no event has reached the
	 * caller yet. */
	rc = bedrock__client_attempts(c, call, "the stream", x.s->end_ms, open_attempt, &x, err);
	if (rc) {
		bedrock_stream_free(x.s);
		return rc;
	}
	*out = x.s;
	return 0;
}

static int open_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
		       const char *op, const char *what, const void *body, size_t len,
		       const bedrock_request_options *o, bedrock_error_info *err)
{
	/* On the heap: the opening's stack stays touched for the stream's
	 * life in the thread that holds it (a gateway holds thousands). */
	char *path = bedrock__malloc(STREAM_PATH_MAX);
	bedrock__call call = { "POST", c ? c->endpoint : NULL, path, NULL, body, len,
			       "application/json", o, 1, NULL };
	int rc;

	if (!out) {
		bedrock__free(path);
		return bedrock__err(err, BEDROCK_EINVAL, "missing or invalid argument");
	}
	*out = NULL;
	if (!path)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = bedrock__stream_path(path, STREAM_PATH_MAX, c, model_id, op, what, body, len, err);
	if (!rc)
		rc = bedrock__client_open_stream(out, c, &call, 0, err);
	bedrock__free(path);
	return rc;
}

int bedrock_invoke_model_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
				const void *body, size_t len, const bedrock_request_options *o,
				bedrock_error_info *err)
{
	return open_stream(out, c, model_id, "/invoke-with-response-stream",
			   "InvokeModelWithResponseStream", body, len, o, err);
}

int bedrock_converse_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
			    const void *body, size_t len, const bedrock_request_options *o,
			    bedrock_error_info *err)
{
	return open_stream(out, c, model_id, "/converse-stream", "ConverseStream", body, len, o,
			   err);
}

static int fail(bedrock_stream *s, int rc, bedrock_error_info *err)
{
	s->failed = rc;
	if (err)
		s->failure = *err;
	bedrock__stream_close(s);
	return rc;
}

/* The stream's decoder, event stream or SSE, behind one face. */
static int dec_next(bedrock_event *out, bedrock_stream *s)
{
	bedrock_sse_event ev;
	int rc;

	if (!s->sse)
		return bedrock_event_reader_next(out, s->reader);
	for (;;) {
		if ((rc = bedrock_sse_decoder_next(&ev, s->sse)) != 0)
			return rc;
		rc = s->raw ? bedrock__sse_event_raw(out, &s->events, &ev)
			    : bedrock__sse_event_map(out, &s->events, &ev);
		if (rc != BEDROCK_EAGAIN)
			return rc;
	}
}

static int dec_feed(bedrock_stream *s, const void *p, size_t n)
{
	return s->sse ? bedrock_sse_decoder_feed(s->sse, p, n)
		      : bedrock_event_reader_feed(s->reader, p, n);
}

/* At most this much is handed to the SSE decoder at once. It copies what
 * it is given, so a burst fed whole (curl reads a fast server's answer to
 * the end in one go) would grow its buffer to the whole answer; in slices
 * it stays this size. The event-stream reader reads fed in place: all of
 * it at once. */
#define SSE_SLICE (16 * 1024)

/* The next part of fed to the decoder. */
static int feed_slice(bedrock_stream *s)
{
	size_t n = s->fed.len - s->fed_off;

	if (s->sse && n > SSE_SLICE)
		n = SSE_SLICE;
	s->fed_off += n;
	return dec_feed(s, s->fed.ptr + s->fed_off - n, n);
}

static int dec_finish(bedrock_stream *s)
{
	return s->sse ? bedrock_sse_decoder_finish(s->sse) : bedrock_event_reader_finish(s->reader);
}

static const char *dec_errmsg(const bedrock_stream *s)
{
	if (!s->sse)
		return bedrock_event_reader_errmsg(s->reader);
	return *bedrock_sse_decoder_errmsg(s->sse) ? bedrock_sse_decoder_errmsg(s->sse)
						   : s->events.error_message;
}

/* The HTTP status an in-stream error of the Anthropic API stands for. */
static int sse_error_status(const char *type)
{
	if (!strcmp(type, "overloaded_error"))
		return 529;
	if (!strcmp(type, "rate_limit_error"))
		return 429;
	if (!strcmp(type, "api_error"))
		return 500;
	return 0;
}

/* An error the service sent inside the stream: typed, in its own words. */
static int in_stream_error(bedrock_stream *s, int rc, bedrock_error_info *err)
{
	if (s->sse) {
		bedrock__err(err, rc, "%s", s->events.error_message);
		if (err) {
			snprintf(err->aws_code, sizeof(err->aws_code), "%s", s->events.error_type);
			err->http_status = sse_error_status(s->events.error_type);
			err->retryable = err->http_status != 0;
		}
	} else {
		bedrock__err(err, rc, "%s", bedrock_event_reader_exception_message(s->reader));
		if (err) {
			snprintf(err->aws_code, sizeof(err->aws_code), "%s",
				 bedrock_event_reader_exception_name(s->reader));
			err->http_status = bedrock_event_reader_original_status(s->reader);
		}
	}
	if (err)
		snprintf(err->request_id, sizeof(err->request_id), "%s", s->request_id);
	s->failed = rc;
	if (err)
		s->failure = *err;
	bedrock__stream_close(s);
	return rc;
}

/* One step of a stream: an event, its end, an error, or (may_pump 0)
 * BEDROCK_EAGAIN when it needs bytes that have not arrived yet. */
int bedrock__stream_step(bedrock_event *out, bedrock_stream *s, bedrock_error_info *err,
		       int may_pump)
{
	int rc;

	if (s->failed) {
		if (err)
			*err = s->failure;
		return s->failed;
	}
	if (s->finished)
		return BEDROCK_ITEROVER;
	if (is_cancelled(s))
		return fail(s, bedrock__client_cancelled(err, "the stream"), err);
	if (s->end_ms && now_ms() >= s->end_ms)
		return fail(s, bedrock__client_deadline_error(err, s->client), err);
	if (s->owner) {
		/* Started without waiting for the answer: check it now. */
		if (!s->request_id[0])
			bedrock__headers_get(&s->headers, s->client->request_id_header, s->request_id,
					     sizeof(s->request_id));
		if (s->status >= 300 || (s->done && s->status == 0 && s->result == CURLE_OK)) {
			if (!s->done)
				return BEDROCK_EAGAIN;
			rc = bedrock__client_http_error(err, s->client, (int)s->status, &s->headers,
							s->error_body.ptr, s->error_body.len);
			return fail(s, rc, err);
		}
	}
	for (;;) {
		rc = dec_next(out, s);
		if (rc == 0)
			return 0;
		if (rc != BEDROCK_EAGAIN) {
			if (rc == BEDROCK_ESERVICE || rc == BEDROCK_ETHROTTLED || rc == BEDROCK_ETIMEOUT)
				return in_stream_error(s, rc, err);
			bedrock__err(err, rc, "%s", dec_errmsg(s));
			return fail(s, rc, err);
		}
		if (s->fed_off < s->fed.len) {
			if ((rc = feed_slice(s)) != 0) {
				bedrock__err(err, rc, "%s", dec_errmsg(s));
				return fail(s, rc, err);
			}
			continue;
		}
		/* The reader copied any partial frame: our fed bytes are free. */
		bedrock__buf_clear(&s->fed);
		s->fed_off = 0;
		if (s->pending.len == 0) {
			if (s->done && s->result != CURLE_OK) {
				rc = s->result == CURLE_OPERATION_TIMEDOUT ? BEDROCK_ETIMEOUT : BEDROCK_EIO;
				bedrock__err(err, rc, rc == BEDROCK_ETIMEOUT ? "the stream timed out: %s"
					     : "the connection broke mid-stream: %s",
					     curl_easy_strerror(s->result));
				return fail(s, rc, err);
			}
			if (s->done) {
				rc = dec_finish(s);
				if (rc) {
					bedrock__err(err, rc, "%s (the stream was cut short)",
						     dec_errmsg(s));
					return fail(s, rc, err);
				}
				s->finished = 1;
				bedrock__stream_close(s);
				return BEDROCK_ITEROVER;
			}
			if (!may_pump)
				return BEDROCK_EAGAIN;
			rc = pump(s, err, 0);
			if (rc)
				return fail(s, rc, err);
			continue;
		}
		/* Hand the pending bytes over; the reader may lend from them until
		 * it next says EAGAIN. */
		{
			bedrock_buf t = s->fed;

			s->fed = s->pending;
			s->pending = t;
			bedrock__buf_clear(&s->pending);
		}
		rc = feed_slice(s);
		if (rc) {
			bedrock__err(err, rc, "%s", dec_errmsg(s));
			return fail(s, rc, err);
		}
	}
}

int bedrock_stream_next(bedrock_event *out, bedrock_stream *s, bedrock_error_info *err)
{
	if (!out || !s)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	/* A stream in a bedrock_multi is driven by bedrock_multi_next(). */
	return bedrock__stream_step(out, s, err, !s->owner);
}
