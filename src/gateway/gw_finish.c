/* Work that must not run on a loop (gw_internal.h): an exchange's end
 * with `redis:` quotas (settling is a round trip) or a stream's end (its
 * activity line and its quota), and a Redis admission. A few threads of
 * their own take the jobs in order; no loop ever waits on them. */
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>

#include "gw_internal.h"

/* Enough for Redis round trips side by side; each is short (the pool's
 * connections time out at 200 ms). */
#define FINISHERS 4

struct gw_finisher {
	pthread_t threads[FINISHERS];
	int started;
	pthread_mutex_t lock;
	pthread_cond_t cond;
	gw_job *head, *tail;
	int stopping;
};

static void *finisher_main(void *arg)
{
	gw_finisher *f = arg;
	gw_job *j;

	for (;;) {
		pthread_mutex_lock(&f->lock);
		while (!f->head && !f->stopping)
			pthread_cond_wait(&f->cond, &f->lock);
		j = f->head;
		if (j) {
			f->head = j->next;
			if (!f->head)
				f->tail = NULL;
		}
		pthread_mutex_unlock(&f->lock);
		if (!j)
			return NULL;	/* stopping, and nothing left */
		j->next = NULL;
		/* May free the object the job is embedded in. */
		j->run(j);
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
	for (; f->started < FINISHERS; f->started++)
		if (pthread_create(&f->threads[f->started], NULL, finisher_main, f))
			break;
	if (!f->started) {
		gw_finisher_free(f);
		return -1;
	}
	*out = f;
	return 0;
}

void gw_finisher_run(gw_finisher *f, gw_job *j)
{
	j->next = NULL;
	pthread_mutex_lock(&f->lock);
	if (f->tail)
		f->tail->next = j;
	else
		f->head = j;
	f->tail = j;
	pthread_cond_signal(&f->cond);
	pthread_mutex_unlock(&f->lock);
}

static void finish_job(gw_job *j)
{
	gw_exchange_finish_now((gw_exchange *)((char *)j - offsetof(gw_exchange, finish_job)));
}

void gw_finisher_post(gw_finisher *f, gw_exchange *x)
{
	x->finish_job.run = finish_job;
	gw_finisher_run(f, &x->finish_job);
}

void gw_finisher_free(gw_finisher *f)
{
	if (!f)
		return;
	pthread_mutex_lock(&f->lock);
	f->stopping = 1;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	for (int i = 0; i < f->started; i++)
		pthread_join(f->threads[i], NULL);
	pthread_mutex_destroy(&f->lock);
	pthread_cond_destroy(&f->cond);
	free(f);
}
