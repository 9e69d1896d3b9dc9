/* An upstream loop: a libevent base that drives upstream transfers
 * through one bedrock_multi (libcurl's socket interface), so an open
 * stream or a call waiting for its answer costs its socket and its
 * buffers, not a thread. The gateway's own loop (a thread of its own)
 * runs the streams; each HTTP/1.1 loop of the serving layer gets one for
 * the whole answers of its requests, so they need no other thread.
 * Everything that touches the multi or its transfers runs on the loop's
 * thread, as a task: other threads post tasks and never touch either. */
#ifndef BEDROCK_GW_DRIVER_H
#define BEDROCK_GW_DRIVER_H

#include <bedrock/client.h>

typedef struct gw_driver gw_driver;
struct event_base;

/* Work for the loop's thread. Embedded in the poster's own object (no
 * allocation to post); posted again only after it ran. */
typedef struct gw_task {
	void (*run)(struct gw_task *t, gw_driver *d);
	struct gw_task *next;
} gw_task;

/* Starts the thread. 0, or -1 (out of memory, no thread). */
int gw_driver_new(gw_driver **out);
/* A driver on a loop someone else runs (an HTTP/1.1 loop of the serving
 * layer, base): no thread of its own; made on that loop's thread. */
int gw_driver_on_loop(gw_driver **out, struct event_base *base);
/* Runs the tasks still posted, then stops the thread (if its own) and
 * frees the multi: by then no transfer may be left in it. A driver on
 * someone else's loop is freed once that loop has stopped. */
void gw_driver_free(gw_driver *d);
/* Any thread: t->run(t, d) soon, on the loop's thread. */
void gw_driver_post(gw_driver *d, gw_task *t);
/* The multi: on the loop's thread only. */
bedrock_multi *gw_driver_multi(gw_driver *d);

#endif
