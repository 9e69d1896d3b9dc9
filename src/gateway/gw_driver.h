/* The upstream loop: one thread with a libevent base that drives every
 * relayed stream's transfer through one bedrock_multi (libcurl's socket
 * interface), so an open stream costs its socket and its buffers, not a
 * thread. Everything that touches the multi or its streams runs on that
 * thread, as a task: other threads post tasks and never touch either. */
#ifndef BEDROCK_GW_DRIVER_H
#define BEDROCK_GW_DRIVER_H

#include <bedrock/client.h>

typedef struct gw_driver gw_driver;

/* Work for the loop's thread. Embedded in the poster's own object (no
 * allocation to post); posted again only after it ran. */
typedef struct gw_task {
	void (*run)(struct gw_task *t, gw_driver *d);
	struct gw_task *next;
} gw_task;

/* Starts the thread. 0, or -1 (out of memory, no thread). */
int gw_driver_new(gw_driver **out);
/* Runs the tasks still posted, then stops the thread and frees the multi:
 * by then no stream may be left in it. */
void gw_driver_free(gw_driver *d);
/* Any thread: t->run(t, d) soon, on the loop's thread. */
void gw_driver_post(gw_driver *d, gw_task *t);
/* The multi: on the loop's thread only. */
bedrock_multi *gw_driver_multi(gw_driver *d);

#endif
