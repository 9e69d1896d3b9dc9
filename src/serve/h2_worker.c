/* HTTP/2 streams whose handler may block (a blocking server) or whose body
 * is produced while it is sent by a read that may block (body.read without
 * attach): a job that a pool worker runs, handing results back to the
 * libevent thread, which alone touches nghttp2. A non-blocking body (attach)
 * needs no job: the loop reads it (h2.c), and a blocking handler's job ends
 * when its plan is handed over.
 *
 * The worker runs the handler, then reads the body one chunk at a time.
 * Each chunk is handed over in j->chunk and the loop woken (event_active);
 * the stream's data source copies it into one DATA frame, or defers the
 * stream while there is none. The worker reads the next chunk while the
 * loop sends this one, and waits while the loop still holds one: a slow
 * client holds back the upstream, and a stream costs two chunk buffers at
 * most. When the stream closes (sent, reset, connection gone) the loop
 * detaches the job and cancels a read in progress; the worker then calls
 * body.close, once. A job is freed by whichever side lets go last.
 *
 * A handler that defers its answer (serve_response_later) leaves the job
 * to its later: the worker goes back to the pool, and serve_later_answer
 * hands the plan over and wakes the loop as the worker would have. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include "serve_h2.h"

/* The most a body read may fill: one DATA frame at the default frame size. */
#define H2_CHUNK 16384

struct h2_job {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* chunk taken, or gone */
	serve_server *srv;
	struct event *wake;		/* worker → loop */
	int refs;			/* the stream's and the worker's */
	struct h2_stream *st;		/* loop thread; NULL once detached */

	/* The request, moved from the stream, for a blocking handler. */
	int handle;
	serve_request req;
	serve_header *hdrs;
	size_t nh;
	char *method, *path, *query, *peer;
	uint8_t *body;
	size_t body_len;

	/* Under lock. */
	serve_response plan;		/* the handler's, until the loop takes it */
	int plan_ready;
	serve_body out;			/* the body being read */
	uint8_t *chunk, *spare;		/* handed to the loop; its buffer, taken back */
	size_t len, off;
	int eof, cut;			/* the reads ended: 0 / -1 */
	int gone;			/* the stream is over */
	int completed;			/* its whole body went out */
	int closing;			/* out.close runs: no cancel any more */
	int in_handler;			/* the handler runs: no cancel yet */
	struct serve_later *later;	/* the handler deferred; a reference, until
					 * answered or cancelled */
};

static void free_request(struct h2_job *j)
{
	size_t i;

	for (i = 0; i < j->nh; i++) {
		free(j->hdrs[i].name);
		free(j->hdrs[i].value);
	}
	free(j->hdrs);
	free(j->method);
	free(j->path);
	free(j->query);
	free(j->peer);
	if (j->body_len)
		serve_budget_give(j->srv, j->body_len);
	free(j->body);
	j->hdrs = NULL;
	j->nh = j->body_len = 0;
	j->method = j->path = j->query = j->peer = NULL;
	j->body = NULL;
}

static void job_unref(struct h2_job *j)
{
	int last;

	pthread_mutex_lock(&j->lock);
	last = --j->refs == 0;
	pthread_mutex_unlock(&j->lock);
	if (!last)
		return;
	/* Waits for a wake_cb running in the loop (it finds st NULL). */
	event_free(j->wake);
	free_request(j);
	/* A plan the stream never took: the exchange is over all the same.
	 * Its non-blocking body was never attached: nothing wakes it. */
	if (j->plan.body.read && j->plan.body.close)
		j->plan.body.close(j->plan.body.self, 0);
	serve_response_done(&j->plan, 0);
	serve_response_dispose(&j->plan);
	free(j->chunk);
	free(j->spare);
	pthread_mutex_destroy(&j->lock);
	pthread_cond_destroy(&j->cond);
	free(j);
}

/* The loop's side of a hand-over: a plan to answer, or a chunk to send. */
static void wake_cb(evutil_socket_t fd, short what, void *arg)
{
	struct h2_job *j = arg;
	struct h2_stream *st;
	serve_response plan;
	int ready, streams;

	(void)fd;
	(void)what;
	pthread_mutex_lock(&j->lock);
	st = j->st;
	ready = st && j->plan_ready;
	if (ready) {
		plan = j->plan;
		serve_response_init(&j->plan, 500);
		j->plan_ready = 0;
	}
	streams = j->out.read != NULL;
	pthread_mutex_unlock(&j->lock);
	if (!st)
		return;
	if (ready) {
		serve_response_dispose(&st->plan);
		st->plan = plan;
		if (!streams) {
			/* Pieces, or a non-blocking body, played on the loop as
			 * always: the job is done. */
			st->job = NULL;
			serve_h2_job_detach(j, 0);
		}
		serve_h2_answer(st);
	} else {
		nghttp2_session_resume_data(st->c->session, st->id);
	}
	serve_h2_flush(st->c);
}

/* Reads the body, a chunk at a time, until it ends or the stream is gone;
 * then waits for the stream to be over and closes the body. */
static void pump(struct h2_job *j)
{
	uint8_t *buf = NULL;
	int completed;
	long n;

	for (;;) {
		pthread_mutex_lock(&j->lock);
		while (j->chunk && !j->gone)
			pthread_cond_wait(&j->cond, &j->lock);
		if (j->gone) {
			pthread_mutex_unlock(&j->lock);
			break;
		}
		if (!buf) {
			buf = j->spare;
			j->spare = NULL;
		}
		pthread_mutex_unlock(&j->lock);
		if (!buf)
			buf = malloc(H2_CHUNK);
		n = buf ? j->out.read(j->out.self, buf, H2_CHUNK) : -1;
		pthread_mutex_lock(&j->lock);
		if (n > 0) {
			j->chunk = buf;
			j->len = n > H2_CHUNK ? H2_CHUNK : (size_t)n;
			j->off = 0;
			buf = NULL;
		} else if (n == 0) {
			j->eof = 1;
		} else {
			j->cut = 1;
		}
		pthread_mutex_unlock(&j->lock);
		event_active(j->wake, EV_READ, 0);
		if (n <= 0)
			break;
	}
	free(buf);
	pthread_mutex_lock(&j->lock);
	while (!j->gone)
		pthread_cond_wait(&j->cond, &j->lock);
	j->closing = 1;
	completed = j->completed;
	pthread_mutex_unlock(&j->lock);
	if (j->out.close)
		j->out.close(j->out.self, completed);
}

/* The handler deferred its answer: this thread goes back to the pool,
 * the later keeps the job. A stream that went while the handler ran is
 * cancelled now, not under the handler's feet. */
static void job_deferred(struct h2_job *j, serve_response *plan)
{
	struct serve_later *l = NULL;

	serve_response_dispose(plan);
	pthread_mutex_lock(&j->lock);
	j->in_handler = 0;
	if (j->gone) {
		l = j->later;
		j->later = NULL;
	}
	pthread_mutex_unlock(&j->lock);
	if (l) {
		serve_later_cancel(l);
		serve_later_unref(l);
	}
	job_unref(j);
}

static void job_run(void *arg)
{
	struct h2_job *j = arg;

	if (j->handle) {
		struct serve_later_call call;
		serve_response plan;

		serve_response_init(&plan, 500);
		pthread_mutex_lock(&j->lock);
		j->in_handler = 1;
		pthread_mutex_unlock(&j->lock);
		serve_later_begin(&call, j->srv, &plan, j);
		j->srv->opt.handler(&plan, &j->req, j->srv->opt.payload);
		free_request(j);
		if (serve_later_end(&call)) {
			job_deferred(j, &plan);
			return;
		}
		pthread_mutex_lock(&j->lock);
		j->in_handler = 0;
		/* A non-blocking body stays in the plan: the loop reads it, and
		 * this thread is free once the plan is handed over. */
		if (!plan.body.attach) {
			j->out = plan.body;
			memset(&plan.body, 0, sizeof(plan.body));
		}
		j->plan = plan;
		j->plan_ready = 1;
		pthread_mutex_unlock(&j->lock);
		event_active(j->wake, EV_READ, 0);
	}
	if (j->out.read)
		pump(j);
	job_unref(j);
}

static struct h2_job *job_new(struct h2_stream *st)
{
	serve_server *s = st->c->srv;
	struct h2_job *j;

	/* A non-blocking server gets workers only if it streams bodies. */
	if (!s->pool && serve_pool_new(&s->pool, s->opt.max_threads))
		return NULL;
	j = calloc(1, sizeof(*j));
	if (!j)
		return NULL;
	j->wake = event_new(s->base, -1, 0, wake_cb, j);
	if (!j->wake) {
		free(j);
		return NULL;
	}
	pthread_mutex_init(&j->lock, NULL);
	pthread_cond_init(&j->cond, NULL);
	j->srv = s;
	j->st = st;
	j->refs = 2;
	serve_response_init(&j->plan, 500);
	return j;
}

/* The worker could not start: the job was never shared. */
static void job_abandon(struct h2_job *j)
{
	j->refs = 1;
	job_unref(j);
}

void serve_h2_job_handle(struct h2_stream *st)
{
	struct h2_job *j = job_new(st);

	if (j) {
		/* Copies: the stream keeps what the access log needs, and the
		 * connection may close while the handler runs. */
		j->method = strdup(st->method);
		j->path = strdup(st->path);
		j->query = strdup(st->query ? st->query : "");
		j->peer = strdup(st->c->peer);
	}
	if (!j || !j->method || !j->path || !j->query || !j->peer) {
		if (j)
			job_abandon(j);
		serve_refusal(&st->plan, 500, "InternalServerException", "Out of memory.");
		serve_h2_answer(st);
		return;
	}
	j->handle = 1;
	j->hdrs = st->hdrs;
	j->nh = st->nh;
	j->body = st->body;
	j->body_len = st->len;
	st->hdrs = NULL;
	st->nh = st->caph = 0;
	st->body = NULL;
	st->len = st->cap = 0;
	j->req.method = j->method;
	j->req.path = j->path;
	j->req.query = j->query;
	j->req.headers = j->hdrs;
	j->req.header_count = j->nh;
	j->req.body = j->body ? j->body : (const uint8_t *)"";
	j->req.body_len = j->body_len;
	j->req.peer = j->peer;
	j->req.http2 = 1;
	st->job = j;
	if (serve_pool_submit(j->srv->pool, job_run, j)) {
		st->job = NULL;
		job_abandon(j);
		serve_refusal(&st->plan, 503, "ServiceUnavailableException",
			      "No worker thread is free. Try again later.");
		serve_h2_answer(st);
	}
}

void serve_h2_job_body(struct h2_stream *st)
{
	serve_body b = st->plan.body;
	struct h2_job *j = job_new(st);

	memset(&st->plan.body, 0, sizeof(st->plan.body));
	if (!j) {
		if (b.close)
			b.close(b.self, 0);
		return;
	}
	j->out = b;
	st->job = j;
	if (serve_pool_submit(j->srv->pool, job_run, j)) {
		st->job = NULL;
		job_abandon(j);	/* closes nothing: the body is closed here */
		if (b.close)
			b.close(b.self, 0);
	}
}

ssize_t serve_h2_job_data(nghttp2_session *session, int32_t stream_id, uint8_t *buf,
			  size_t length, uint32_t *data_flags, nghttp2_data_source *source,
			  void *user_data)
{
	struct h2_stream *st = source->ptr;
	struct h2_job *j = st->job;
	size_t k;

	(void)session;
	(void)stream_id;
	(void)user_data;
	if (!j)
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;
	pthread_mutex_lock(&j->lock);
	if (j->chunk) {
		k = j->len - j->off < length ? j->len - j->off : length;
		memcpy(buf, j->chunk + j->off, k);
		j->off += k;
		if (j->off == j->len) {
			/* Taken whole: the buffer goes back for the next read. */
			free(j->spare);
			j->spare = j->chunk;
			j->chunk = NULL;
			pthread_cond_signal(&j->cond);
		}
		pthread_mutex_unlock(&j->lock);
		st->bytes += k;
		return (ssize_t)k;
	}
	if (j->eof) {
		pthread_mutex_unlock(&j->lock);
		*data_flags |= NGHTTP2_DATA_FLAG_EOF;
		st->eof_sent = 1;
		return 0;
	}
	if (j->cut) {
		pthread_mutex_unlock(&j->lock);
		return NGHTTP2_ERR_TEMPORAL_CALLBACK_FAILURE;	/* RST_STREAM(INTERNAL_ERROR) */
	}
	pthread_mutex_unlock(&j->lock);
	return NGHTTP2_ERR_DEFERRED;
}

void serve_h2_job_detach(struct h2_job *j, int completed)
{
	struct serve_later *l = NULL;

	pthread_mutex_lock(&j->lock);
	j->st = NULL;
	j->gone = 1;
	j->completed = completed;
	/* A read in progress (or about to start) comes back soon. */
	if (j->out.read && !j->closing && !j->eof && !j->cut && j->out.cancel)
		j->out.cancel(j->out.self);
	/* An answer still owed: the app hears of it, once the handler has
	 * returned (else job_deferred does it). */
	if (j->later && !j->in_handler) {
		l = j->later;
		j->later = NULL;
	}
	pthread_cond_broadcast(&j->cond);
	pthread_mutex_unlock(&j->lock);
	/* The app's cancel runs holding no lock: it may even answer. */
	if (l) {
		serve_later_cancel(l);
		serve_later_unref(l);
	}
	job_unref(j);
}

void serve_h2_job_later(struct h2_job *j, struct serve_later *l)
{
	pthread_mutex_lock(&j->lock);
	j->refs++;
	j->later = l;
	pthread_mutex_unlock(&j->lock);
	l->job = j;
}

void serve_h2_job_answer(struct h2_job *j, struct serve_later *l, serve_response *plan)
{
	int ours, live;

	pthread_mutex_lock(&j->lock);
	ours = j->later == l;
	if (ours)
		j->later = NULL;
	/* Handed over whole, as a handler returning here would: the loop
	 * reads a non-blocking body itself and gives a blocking one a job of
	 * its own (answer_plan). A stream gone by now: job_unref drops it. */
	serve_response_dispose(&j->plan);
	j->plan = *plan;
	j->plan_ready = 1;
	live = j->st != NULL;
	pthread_mutex_unlock(&j->lock);
	if (live)
		event_active(j->wake, EV_READ, 0);
	if (ours)
		serve_later_unref(l);
	job_unref(j);
}
