/* Exchanges finished off the upstream loop (gw_internal.h): a stream's end
 * writes its activity line and settles its quota, which with `redis:` is a
 * round trip; on this thread of its own, the loop never waits on either. */
#include <pthread.h>
#include <stdlib.h>

#include "gw_internal.h"

struct gw_finisher {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	gw_exchange *head, *tail;
	int stopping;
};

static void *finisher_main(void *arg)
{
	gw_finisher *f = arg;
	gw_exchange *x;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		while (!f->head && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		x = f->head;
		f->head = f->tail = NULL;
		pthread_mutex_unlock(&f->lock);
		if (!x)
			return NULL;	/* stopping, and nothing left */
		while (x) {
			gw_exchange *next = x->finish_next;

			gw_exchange_finish(x);
			x = next;
		}
	}
}

int gw_finisher_new(gw_finisher **out)
{
	gw_finisher *f = calloc(1, sizeof(*f));

	*out = NULL;
	if (!f)
		return -1;
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	if (pthread_create(&f->thread, NULL, finisher_main, f)) {
		pthread_mutex_destroy(&f->lock);
		pthread_cond_destroy(&f->cond);
		free(f);
		return -1;
	}
	*out = f;
	return 0;
}

void gw_finisher_post(gw_finisher *f, gw_exchange *x)
{
	x->finish_next = NULL;
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->finish_next = x;
	else
		f->head = x;
	f->tail = x;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

void gw_finisher_free(gw_finisher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thread, NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
}
