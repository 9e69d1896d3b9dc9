/* The worker pool of a blocking server: HTTP/2 streams whose handler or
 * body reads may block each hold a thread while they do. Threads start as
 * work comes (up to max) with small stacks, so 10,000 streams waiting on
 * their upstreams cost 10,000 mostly untouched stacks, and end after a
 * while without work, so a burst does not leave them behind. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <openssl/crypto.h>

#include "serve_net.h"

/* How long an idle worker waits for work before it ends. */
#define POOL_IDLE_S 10

struct pool_task {
	struct pool_task *next;
	void (*fn)(void *);
	void *arg;
};

struct serve_pool {
	pthread_mutex_t lock;
	pthread_cond_t work;		/* a task was queued, or stopping */
	pthread_cond_t gone;		/* a thread ended */
	struct pool_task *head, *tail;
	size_t queued;
	unsigned threads, idle, max;
	int stopping;
};

static void *worker(void *arg)
{
	struct serve_pool *p = arg;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		struct pool_task *t;
		struct timespec until;

		while (!p->head && !p->stopping) {
			int rc;

			clock_gettime(CLOCK_REALTIME, &until);
			until.tv_sec += POOL_IDLE_S;
			p->idle++;
			rc = pthread_cond_timedwait(&p->work, &p->lock, &until);
			p->idle--;
			if (rc == ETIMEDOUT && !p->head)
				goto out;
		}
		t = p->head;
		if (!t)
			break;	/* stopping, nothing left */
		p->head = t->next;
		if (!p->head)
			p->tail = NULL;
		p->queued--;
		pthread_mutex_unlock(&p->lock);
		t->fn(t->arg);
		free(t);
		pthread_mutex_lock(&p->lock);
	}
out:
	/* OpenSSL's per-thread state (the error queue its EVP calls use, in
	 * signing and TLS) is freed now, not by a key destructor after the
	 * last signal: serve_pool_free's caller may exit at once, and a
	 * destructor still running then is a leak to LeakSanitizer. */
	OPENSSL_thread_stop();
	p->threads--;
	pthread_cond_broadcast(&p->gone);
	pthread_mutex_unlock(&p->lock);
	return NULL;
}

int serve_pool_new(struct serve_pool **out, unsigned max_threads)
{
	struct serve_pool *p = calloc(1, sizeof(*p));

	*out = NULL;
	if (!p)
		return -1;
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->work, NULL);
	pthread_cond_init(&p->gone, NULL);
	p->max = max_threads ? max_threads : 1;
	*out = p;
	return 0;
}

int serve_pool_submit(struct serve_pool *p, void (*fn)(void *), void *arg)
{
	struct pool_task *t = malloc(sizeof(*t));
	pthread_attr_t attr;
	pthread_t th;
	int rc = 0;

	if (!t)
		return -1;
	t->next = NULL;
	t->fn = fn;
	t->arg = arg;
	pthread_mutex_lock(&p->lock);
	if (p->stopping) {
		pthread_mutex_unlock(&p->lock);
		free(t);
		return -1;
	}
	/* A new thread unless an idle one is there for every queued task. */
	if (p->idle <= p->queued && p->threads < p->max) {
		pthread_attr_init(&attr);
		pthread_attr_setstacksize(&attr, SERVE_THREAD_STACK);
		pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
		rc = pthread_create(&th, &attr, worker, p);
		pthread_attr_destroy(&attr);
		if (!rc)
			p->threads++;
	}
	if (!p->threads) {
		pthread_mutex_unlock(&p->lock);
		free(t);
		return -1;
	}
	if (p->tail)
		p->tail->next = t;
	else
		p->head = t;
	p->tail = t;
	p->queued++;
	pthread_cond_signal(&p->work);
	pthread_mutex_unlock(&p->lock);
	return 0;
}

void serve_pool_free(struct serve_pool *p)
{
	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = 1;
	pthread_cond_broadcast(&p->work);
	/* Detached threads: wait until the last one has let go of p. */
	while (p->threads)
		pthread_cond_wait(&p->gone, &p->lock);
	pthread_mutex_unlock(&p->lock);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->work);
	pthread_cond_destroy(&p->gone);
	free(p);
}
