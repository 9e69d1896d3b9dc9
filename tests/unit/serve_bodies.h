/* Shared by tests/unit/test_serve_wake.c and test_serve_later.c: a
 * non-blocking body (serve_body.attach). read() says SERVE_BODY_LATER
 * until a producer thread of the test appends a piece ("piece-0\n" on)
 * and calls serve_wake; every call the server makes on such a body is
 * counted in the globals below, and a call it must never make (a second
 * close or attach, cancel) counts as an error.
 *
 * The kinds, by the path that asks for them (wb_body): /w/stream (50
 * pieces, 2 ms apart; any other path too), /w/race (50 pieces, each
 * appended and woken while read is about to say LATER), /w/cut (3 pieces,
 * then -1), /w/slow (a piece every 20 ms, 1000 of them), /w/stuck (2
 * pieces, then silence). */
#ifndef BEDROCK_TEST_SERVE_BODIES_H
#define BEDROCK_TEST_SERVE_BODIES_H

#include "serve_helpers.h"

/* Counted by the server's calls on every body. */
static atomic_int wb_closes, wb_completed, wb_attaches, wb_errors, wb_producers;

typedef struct wb {
	pthread_mutex_t lock;
	pthread_cond_t cond;		/* closed, or a race read wants a piece */
	struct serve_wake *w;		/* set by attach, NULL after close */
	char data[16384];
	size_t len, off;
	int end;			/* 1: the clean end; -1: cut */
	int closed;
	int refs;			/* the server's and the producer's */
	int pieces, made;
	unsigned gap_ms;
	int cut, stuck, race;
	int want;			/* race: read waits for the producer */
} wb;

TH_FN void wb_unref(wb *b)
{
	int last;

	pthread_mutex_lock(&b->lock);
	last = --b->refs == 0;
	pthread_mutex_unlock(&b->lock);
	if (!last)
		return;
	pthread_mutex_destroy(&b->lock);
	pthread_cond_destroy(&b->cond);
	free(b);
}

/* Under b->lock: one more piece, and the wake (unless closed). */
TH_FN void wb_put(wb *b)
{
	int n = snprintf(b->data + b->len, sizeof(b->data) - b->len, "piece-%d\n", b->made++);

	if (n > 0 && (size_t)n < sizeof(b->data) - b->len)
		b->len += (size_t)n;
	if (b->w)
		serve_wake(b->w);
}

/* Under b->lock: the end, and its wake. */
TH_FN void wb_finish(wb *b, int end)
{
	b->end = end;
	if (b->w)
		serve_wake(b->w);
}

/* Sleeps ms under b->lock, or less if closed. 0 when closed. */
TH_FN int wb_nap(wb *b, unsigned ms)
{
	struct timespec until;

	th_until(&until, ms);
	while (!b->closed && pthread_cond_timedwait(&b->cond, &b->lock, &until) == 0)
		;
	return !b->closed;
}

/* Waits under b->lock for a signal, up to ms. */
TH_FN void wb_wait(wb *b, unsigned ms)
{
	struct timespec until;

	th_until(&until, ms);
	pthread_cond_timedwait(&b->cond, &b->lock, &until);
}

TH_FN void *wb_produce(void *arg)
{
	wb *b = arg;
	double until = th_now() + 30;	/* no test waits longer */

	pthread_mutex_lock(&b->lock);
	if (b->race) {
		/* A piece each time read is about to say LATER: the wake comes
		 * before the server has acted on it. */
		while (!b->closed && b->made < b->pieces && th_now() < until) {
			if (!b->want) {
				wb_wait(b, 100);
				continue;
			}
			wb_put(b);
			b->want = 0;
			pthread_cond_broadcast(&b->cond);
		}
		if (!b->closed)
			wb_finish(b, 1);
	} else {
		while (!b->closed && b->made < b->pieces && wb_nap(b, b->made ? b->gap_ms : 0))
			wb_put(b);
		while (b->stuck && !b->closed && th_now() < until)
			wb_nap(b, 100);	/* an upstream gone silent */
		if (!b->closed && !b->stuck)
			wb_finish(b, b->cut ? -1 : 1);
	}
	pthread_mutex_unlock(&b->lock);
	wb_unref(b);
	atomic_fetch_sub(&wb_producers, 1);
	return NULL;
}

TH_FN long wb_read(void *self, void *buf, size_t max)
{
	wb *b = self;
	long n;

	pthread_mutex_lock(&b->lock);
	if (b->off == b->len && !b->end && b->race && b->made < b->pieces) {
		/* Let the producer append and wake now, then say LATER all the
		 * same, as a read that looked a moment too early would. */
		b->want = 1;
		pthread_cond_broadcast(&b->cond);
		double until = th_now() + 1;

		while (b->want && !b->closed && th_now() < until)
			wb_wait(b, 100);
		pthread_mutex_unlock(&b->lock);
		return SERVE_BODY_LATER;
	}
	if (b->off < b->len) {
		size_t k = b->len - b->off < max ? b->len - b->off : max;

		memcpy(buf, b->data + b->off, k);
		b->off += k;
		n = (long)k;
	} else if (b->end) {
		n = b->end > 0 ? 0 : -1;
	} else {
		n = SERVE_BODY_LATER;
	}
	pthread_mutex_unlock(&b->lock);
	return n;
}

TH_FN void wb_attach(void *self, struct serve_wake *w)
{
	wb *b = self;

	pthread_mutex_lock(&b->lock);
	if (b->w)
		atomic_fetch_add(&wb_errors, 1);	/* attached twice */
	b->w = w;
	pthread_mutex_unlock(&b->lock);
	atomic_fetch_add(&wb_attaches, 1);
}

TH_FN void wb_cancel(void *self)
{
	(void)self;
	atomic_fetch_add(&wb_errors, 1);	/* never for a non-blocking body */
}

TH_FN void wb_close(void *self, int completed)
{
	wb *b = self;

	/* Under the lock the producer wakes under: no wake after this. */
	pthread_mutex_lock(&b->lock);
	if (b->closed)
		atomic_fetch_add(&wb_errors, 1);
	b->closed = 1;
	b->w = NULL;
	pthread_cond_broadcast(&b->cond);
	pthread_mutex_unlock(&b->lock);
	atomic_fetch_add(&wb_closes, 1);
	if (completed)
		atomic_fetch_add(&wb_completed, 1);
	wb_unref(b);
}

/* The body for path into out (status 200, text/plain, done th_done),
 * without its producer: the caller starts one (wb_produce_start) or feeds
 * it itself, under b->lock with wb_put and wb_finish, then wb_unref. */
TH_FN wb *wb_body(serve_response *out, const char *path)
{
	wb *b = calloc(1, sizeof(*b));

	assert_non_null(b);
	pthread_mutex_init(&b->lock, NULL);
	pthread_cond_init(&b->cond, NULL);
	b->refs = 2;
	b->pieces = 50;
	b->gap_ms = 2;
	if (!strcmp(path, "/w/race")) {
		b->race = 1;
	} else if (!strcmp(path, "/w/cut")) {
		b->pieces = 3;
		b->cut = 1;
	} else if (!strcmp(path, "/w/slow")) {
		b->pieces = 1000;
		b->gap_ms = 20;
	} else if (!strcmp(path, "/w/stuck")) {
		b->pieces = 2;
		b->stuck = 1;
	}
	out->status = 200;
	serve_response_header(out, "Content-Type", "text/plain");
	out->body.read = wb_read;
	out->body.cancel = wb_cancel;
	out->body.close = wb_close;
	out->body.attach = wb_attach;
	out->body.self = b;
	out->done = th_done;
	return b;
}

/* The producer may append before attach: it wakes only once w is set. */
TH_FN void wb_produce_start(wb *b)
{
	pthread_t th;

	atomic_fetch_add(&wb_producers, 1);
	assert_int_equal(pthread_create(&th, NULL, wb_produce, b), 0);
	pthread_detach(th);
}

TH_FN void wb_reset(void)
{
	th_reset_counts();
	atomic_store(&wb_closes, 0);
	atomic_store(&wb_completed, 0);
	atomic_store(&wb_attaches, 0);
	atomic_store(&wb_errors, 0);
}

/* The producers have let go (before the test ends: nothing leaks). */
TH_FN void wb_settle(void)
{
	double until = th_now() + 10;

	while (atomic_load(&wb_producers) && th_now() < until)
		th_sleep_ms(10);
	assert_int_equal(atomic_load(&wb_producers), 0);
	assert_int_equal(atomic_load(&wb_errors), 0);
}

/* A body of these pieces (th_body's are "piece0;"): exactly the first
 * pieces of them. */
TH_FN void wb_expect_pieces(const char *body, size_t len, int pieces)
{
	char want[4096];
	size_t n = 0;
	int i;

	for (i = 0; i < pieces; i++)
		n += (size_t)snprintf(want + n, sizeof(want) - n, "piece-%d\n", i);
	assert_int_equal(len, n);
	assert_memory_equal(body, want, n);
}

#endif
