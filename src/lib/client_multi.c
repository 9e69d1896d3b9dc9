/* Many streams over one libcurl multi handle: pulled from one thread
 * (bedrock_multi_next), or driven from the caller's event loop through
 * libcurl's socket interface (bedrock_multi_use_loop), where whole calls
 * (client_call.c) run too. */
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_stream_private.h"
#include "errinfo.h"
#include "http.h"

static long long now_ms(void)
{
	return bedrock__now_ms();
}

int bedrock_multi_new(bedrock_multi **out)
{
	bedrock_multi *m;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (bedrock__curl_init())
		return BEDROCK_EIO;
	m = bedrock__calloc(1, sizeof(*m));
	if (!m)
		return BEDROCK_ENOMEM;
	m->multi = curl_multi_init();
	if (!m->multi) {
		bedrock__free(m);
		return BEDROCK_ENOMEM;
	}
	/* libcurl would keep four idle connections for every transfer ever
	 * added at once: ten thousand streams would leave forty thousand
	 * allowed, each with its buffers. */
	curl_multi_setopt(m->multi, CURLMOPT_MAXCONNECTS, (long)BEDROCK__MULTI_IDLE_CONNS);
	*out = m;
	return 0;
}

void bedrock_multi_free(bedrock_multi *m)
{
	if (!m)
		return;
	/* Streams still running stop here; they stay the caller's to free. */
	while (m->count)
		bedrock__stream_close(m->streams[m->count - 1]);
	bedrock__multi_calls_free(m);
	curl_multi_cleanup(m->multi);
	bedrock_sigv4_result_free(m->sig);
	bedrock__free(m->streams);
	bedrock__free(m);
}

size_t bedrock_multi_count(const bedrock_multi *m)
{
	return m ? m->count : 0;
}

int bedrock__multi_add(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
		       const bedrock__call *call, int sse, bedrock_error_info *err)
{
	bedrock_stream *s;
	int rc;

	*out = NULL;
	if (!m->looped && m->count == m->cap) {
		size_t cap = m->cap ? m->cap * 2 : 16;
		bedrock_stream **p = bedrock__realloc(m->streams, cap * sizeof(*p));

		if (!p)
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		m->streams = p;
		m->cap = cap;
	}
	if ((rc = bedrock__stream_new(&s, c, call, sse, err)) != 0)
		return rc;
	if (bedrock__cancelled(s->token)) {
		bedrock_stream_free(s);
		return bedrock__client_cancelled(err, "the stream");
	}
	s->owner = m;
	rc = bedrock__stream_setup(s, m->multi, call, 1, err);
	if (rc) {
		bedrock_stream_free(s);
		return rc;
	}
	if (!m->looped)
		m->streams[m->count++] = s;
	*out = s;
	return 0;
}

static int multi_open(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
		      const char *model_id, const char *op, const char *what, const void *body,
		      size_t len, const bedrock_request_options *o, bedrock_error_info *err)
{
	char path[STREAM_PATH_MAX];
	bedrock__call call = { "POST", c ? c->endpoint : NULL, path, NULL, body, len,
			       "application/json", o, 1, NULL };
	int rc;

	if (!out || !m)
		return bedrock__err(err, BEDROCK_EINVAL, "missing or invalid argument");
	*out = NULL;
	rc = bedrock__stream_path(path, sizeof(path), c, model_id, op, what, body, len, err);
	return rc ? rc : bedrock__multi_add(out, m, c, &call, 0, err);
}

int bedrock_multi_invoke_model_stream(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
				      const char *model_id, const void *body, size_t len,
				      const bedrock_request_options *o, bedrock_error_info *err)
{
	return multi_open(out, m, c, model_id, "/invoke-with-response-stream",
			  "InvokeModelWithResponseStream", body, len, o, err);
}

int bedrock_multi_converse_stream(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
				  const char *model_id, const void *body, size_t len,
				  const bedrock_request_options *o, bedrock_error_info *err)
{
	return multi_open(out, m, c, model_id, "/converse-stream", "ConverseStream", body, len, o,
			  err);
}

int bedrock_multi_next(bedrock_stream **which, bedrock_event *out, bedrock_multi *m,
		       long timeout_ms, bedrock_error_info *err)
{
	long long deadline = now_ms() + (timeout_ms > 0 ? timeout_ms : 0);

	if (!which || !out || !m)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	if (m->looped)
		return bedrock__err(err, BEDROCK_EINVAL,
				    "a multi in an event loop is driven by bedrock_multi_act()");
	*which = NULL;
	for (;;) {
		int running = 0, left;
		CURLMsg *msg;
		size_t k;

		if (!m->count)
			return BEDROCK_ITEROVER;
		/* Round robin, so one fast stream cannot starve the others. */
		for (k = 0; k < m->count; k++) {
			size_t i = (m->next + k) % m->count;
			bedrock_stream *s = m->streams[i];
			int rc = bedrock__stream_step(out, s, err, 0);

			if (rc == BEDROCK_EAGAIN)
				continue;
			m->next = i + 1;
			*which = s;
			if (rc == BEDROCK_ITEROVER)
				bedrock__multi_forget(m, s);
			return rc;
		}
		if (curl_multi_perform(m->multi, &running) != CURLM_OK)
			return bedrock__err(err, BEDROCK_EIO, "the transfers failed");
		while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
			bedrock_stream *s = NULL;

			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&s);
			if (s) {
				s->done = 1;
				s->result = msg->data.result;
				if (!s->status)
					curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
			}
		}
		for (k = 0; k < m->count; k++)
			if (m->streams[k]->pending.len || m->streams[k]->done)
				break;
		if (k < m->count)
			continue;
		if (timeout_ms >= 0 && now_ms() >= deadline)
			return BEDROCK_EAGAIN;
		{
			/* In slices, so a cancel from another thread is seen soon. */
			long long left_ms = timeout_ms < 0 ? BEDROCK__CANCEL_SLICE_MS : deadline - now_ms();

			if (left_ms > BEDROCK__CANCEL_SLICE_MS)
				left_ms = BEDROCK__CANCEL_SLICE_MS;
			curl_multi_poll(m->multi, NULL, 0, (int)(left_ms > 0 ? left_ms : 0), NULL);
		}
	}
}

/* ---- in the caller's event loop ---- */

/* Finished transfers are marked (a stream learns it in next()), a call's
 * result read and queued for its done callback. */
static void reap(bedrock_multi *m)
{
	CURLMsg *msg;
	int left;

	while ((msg = curl_multi_info_read(m->multi, &left)) != NULL) {
		bedrock__xfer *kind = NULL;
		bedrock_stream *s;

		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&kind);
		if (!kind)
			continue;
		if (*kind == BEDROCK__XFER_CALL) {
			/* msg is not read again: the call's transfer leaves the
			 * multi handle, which ends msg's life. */
			bedrock__call_finished((bedrock_call *)kind, msg->data.result);
			continue;
		}
		s = (bedrock_stream *)kind;
		s->done = 1;
		s->result = msg->data.result;
		if (!s->status)
			curl_easy_getinfo(s->easy, CURLINFO_RESPONSE_CODE, &s->status);
		bedrock__multi_ready(s);
	}
}

/* Tells each queued stream and each ended call, once; a callback may free
 * any stream or call (it leaves its list) or queue more (they are told in
 * this same run). */
static void run_ready(bedrock_multi *m)
{
	if (m->draining)
		return;
	m->draining = 1;
	while (m->ready_head || m->done_head) {
		bedrock_stream *s = m->ready_head;

		if (!s) {
			bedrock__call_tell(m->done_head);
			continue;
		}
		bedrock__multi_unready(s);
		if (s->on_ready)
			s->on_ready(s->ready_arg, s);
	}
	m->draining = 0;
}

static int on_socket(CURL *e, curl_socket_t fd, int what, void *userp, void *socketp)
{
	bedrock_multi *m = userp;
	int w = what == CURL_POLL_REMOVE ? BEDROCK_WATCH_REMOVE
		: (what & CURL_POLL_IN ? BEDROCK_WATCH_IN : 0) |
		  (what & CURL_POLL_OUT ? BEDROCK_WATCH_OUT : 0);
	void *slot;

	(void)e;
	slot = m->loop.watch(m->loop.arg, (int)fd, w, socketp);
	if (w != BEDROCK_WATCH_REMOVE && slot != socketp)
		curl_multi_assign(m->multi, fd, slot);
	return 0;
}

static int on_timer(CURLM *multi, long timeout_ms, void *userp)
{
	bedrock_multi *m = userp;

	(void)multi;
	m->loop.timer(m->loop.arg, timeout_ms);
	return 0;
}

int bedrock_multi_use_loop(bedrock_multi *m, const bedrock_multi_loop *loop)
{
	if (!m || !loop || !loop->watch || !loop->timer || m->count)
		return BEDROCK_EINVAL;
	m->loop = *loop;
	m->looped = 1;
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETFUNCTION, on_socket);
	curl_multi_setopt(m->multi, CURLMOPT_SOCKETDATA, m);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERFUNCTION, on_timer);
	curl_multi_setopt(m->multi, CURLMOPT_TIMERDATA, m);
	return 0;
}

int bedrock_multi_act(bedrock_multi *m, int fd, int what)
{
	int running = 0, mask = 0;
	CURLMcode rc;

	if (!m || !m->looped)
		return BEDROCK_EINVAL;
	if (what & BEDROCK_WATCH_IN)
		mask |= CURL_CSELECT_IN;
	if (what & BEDROCK_WATCH_OUT)
		mask |= CURL_CSELECT_OUT;
	rc = curl_multi_socket_action(m->multi, fd == BEDROCK_MULTI_TIMEOUT ? CURL_SOCKET_TIMEOUT
					      : (curl_socket_t)fd, mask, &running);
	reap(m);
	run_ready(m);
	return rc == CURLM_OK ? 0 : BEDROCK_EIO;
}

void bedrock_stream_on_ready(bedrock_stream *s, bedrock_stream_ready_fn fn, void *arg)
{
	if (!s)
		return;
	s->on_ready = fn;
	s->ready_arg = arg;
}

int bedrock_stream_pause(bedrock_stream *s, int paused)
{
	if (!s || !s->owner || !s->owner->looped)
		return BEDROCK_EINVAL;
	paused = !!paused;
	if (!s->easy || s->paused == paused)
		return 0;
	s->paused = paused;
	/* Going on may hand over held bytes at once (and finish the
	 * transfer): their news goes out as from bedrock_multi_act(). */
	if (curl_easy_pause(s->easy, paused ? CURLPAUSE_RECV : CURLPAUSE_CONT) != CURLE_OK)
		return BEDROCK_EIO;
	if (!paused) {
		reap(s->owner);
		run_ready(s->owner);
	}
	return 0;
}
