/* What the server's files share (gateway.c, gw_handle.c, gw_relay.c,
 * gw_stream.c, gw_upstreams.c); not for the parts below them. */
#ifndef BEDROCK_GW_INTERNAL_H
#define BEDROCK_GW_INTERNAL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include <bedrock/client.h>

#include "gw_activity.h"
#include "gw_config.h"
#include "gw_keys.h"
#include "gw_metrics.h"
#include "gw_quota.h"
#include "gw_route.h"
#include "gw_translate.h"
#include "serve.h"

/* One upstream at run time: its client and its rest after a failure. */
typedef struct gw_upstream_rt {
	const gw_upstream *cfg;
	bedrock_client *client;
	_Atomic uint64_t cool_until_ms;	/* monotonic ms; 0 = healthy */
	uint64_t warm_retry_ms;		/* the reload thread's: keep_warm skips it until */
} gw_upstream_rt;

/* Quotas outlive a reload when redis: did not change (counts kept). */
typedef struct gw_quota_ref {
	atomic_int refs;
	gw_quota *q;
	char *redis;			/* the URL it was made for, or NULL */
} gw_quota_ref;

/* One configuration and everything made from it. */
typedef struct gw_gen {
	atomic_int refs;
	gw_config *cfg;
	gw_upstream_rt *ups;
	size_t up_count;
	gw_activity *activity;		/* NULL: no activity log */
	gw_quota_ref *quota;
} gw_gen;

struct gateway;

/* Work for gw_finish.c's threads, embedded in its owner's object. */
typedef struct gw_job {
	void (*run)(struct gw_job *j);
	struct gw_job *next;
} gw_job;

/* One request, from arrival to its last byte (a stream's close). */
typedef struct gw_exchange {
	struct gateway *g;
	gw_gen *gen;			/* referenced */
	gw_route route;
	const gw_key *key;
	gw_quota_ticket ticket;
	int admitted;
	char id[40];
	int64_t arrival_ms;		/* wall clock */
	uint64_t t0_ns;			/* monotonic */
	uint64_t upstream_ns;
	double ttft_ms;			/* < 0: no body byte yet */
	int status;
	char error_type[64];
	uint64_t in_tok, out_tok, cache_read_tok, cache_write_tok;
	const gw_upstream_rt *up;	/* the upstream that answered */
	char up_model[512];
	char up_request_id[64];
	unsigned hops;
	char note[256];
	char *client_model;
	char *user_agent, *session_id, *agent_id, *parent_agent_id;
	char *request_body;		/* bodies: true only */
	size_t request_body_len;
	gw_job finish_job;		/* gw_finish.c's: gw_exchange_finish_now */
	char *response_text;		/* bodies: true only */
	size_t response_text_len, response_text_cap;
} gw_exchange;

/* gateway.c */
gw_gen *gw_gen_acquire(struct gateway *g);
void gw_gen_release(gw_gen *gen);
gw_metrics *gw_gateway_metrics(struct gateway *g);
/* The HTTP/1.1 loops' connections and load (serve_server_loops). */
size_t gw_gateway_loops(struct gateway *g, serve_loop_stat *out, size_t cap);
struct gw_driver *gw_gateway_driver(struct gateway *g);
/* The driver of an HTTP/1.1 loop (serve_request.loop), made on its first
 * use; on that loop's thread. NULL when out of memory. */
struct event_base;
struct gw_driver *gw_gateway_loop_driver(struct gateway *g, struct event_base *base);
struct gw_finisher *gw_gateway_finisher(struct gateway *g);
/* An exchange begins (+1) or ends (-1): the reload thread gives memory
 * back once none is left. */
void gw_gateway_busy(struct gateway *g, int delta);
void gw_logf(struct gateway *g, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
uint64_t gw_now_ns(void);
int64_t gw_wall_ms(void);

/* gw_handle.c: the serving layer's callbacks (payload: the gateway). */
int gw_precheck(serve_response *out, const serve_request *req, void *payload);
/* The serving layer's own 413 (a body over limits.max_body_bytes) in the
 * front's shape, with its activity line and metric (serve_refuse_fn). */
int gw_refuse_status(serve_response *out, const serve_request *req, int status, void *payload);
void gw_handle(serve_response *out, const serve_request *req, void *payload);
/* Records the exchange (activity log, metrics), settles its quota,
 * releases its generation and frees it: now, or (a Redis quota to settle,
 * a round trip) on gw_finish.c's threads, so a loop never waits on it. */
void gw_exchange_finish(gw_exchange *x);
/* The same, now, on this thread. */
void gw_exchange_finish_now(gw_exchange *x);
/* The same once out (a whole answer) has been sent, or has failed to be:
 * the activity line and the metrics do not delay the answer, and its
 * latency counts the sending. */
void gw_exchange_finish_after(serve_response *out, gw_exchange *x);
/* Answers with the gateway's own error and finishes x. */
void gw_refuse(serve_response *out, gw_exchange *x, gw_error_kind kind, const char *message,
	       unsigned retry_after_s, const char *error_type);
/* Appends answer text for the activity log (bodies: true; capped). */
void gw_exchange_text(gw_exchange *x, const char *text, size_t len);

/* gw_relay.c: a Messages, Converse or count-tokens request through the
 * upstreams, with failover; fills out. Takes x over: it is finished here
 * or by the streamed body's close. */
void gw_relay(serve_response *out, gw_exchange *x, const serve_request *req);
/* GET listings (models, profiles) from an upstream, or the catalog. */
void gw_relay_listing(serve_response *out, gw_exchange *x, const serve_request *req);

/* gw_stream.c: a relayed stream, on the upstream loop (gw_driver.c). */
typedef struct gw_stream gw_stream;
/* On the loop's thread, once: rc 0 and s opened (its first event in;
 * answer with gw_stream_body), or the error in e and s is gone. */
typedef void (*gw_stream_opened_fn)(void *arg, int rc, const bedrock_error_info *e,
				    gw_stream *s);
/* Opens body b's stream to upstream u (b must live until opened is
 * called). 0 (opened will be called), or -1 (out of memory). */
int gw_stream_open(gw_stream **out, gw_exchange *x, gw_upstream_rt *u, const gw_upstream_body *b,
		   gw_stream_opened_fn opened, void *arg);
/* The loop's thread: an opening not yet decided ends now, told to opened
 * as BEDROCK_ECANCELED. */
void gw_stream_abort(gw_stream *s);
/* out's body relays s (takes s over: x is finished at its close). */
void gw_stream_body(serve_response *out, gw_stream *s);

/* gw_walk.c: the walk down the upstream list, for a whole answer and a
 * stream alike. */
#define GW_PLATFORMS 3
typedef struct gw_walk {
	gw_exchange *x;
	const serve_request *req;	/* bodies are made from it; NULL once all are */
	gw_upstream_body body[GW_PLATFORMS];
	int made[GW_PLATFORMS];		/* 1 made, -1 could not be, 0 not yet */
	char err[GW_PLATFORMS][512];	/* why not */
	const char *last_err;		/* the last of those */
	size_t next;			/* the next upstream to look at */
	int pass;			/* 1: the resting ones too */
	int tried, beta_retry;
	gw_upstream_rt *u, *last_u;	/* being tried; the last tried */
	bedrock_error_info last;	/* the last failure */
	char merr[256];			/* why the model could not be named */
} gw_walk;
enum { GW_WALK_RETRY, GW_WALK_NEXT, GW_WALK_STOP };
void gw_walk_init(gw_walk *w, gw_exchange *x, const serve_request *req);
void gw_walk_dispose(gw_walk *w);
/* The body for platform p, made from the request the first time; NULL
 * when it cannot be (gw_walk_body_error says why). */
gw_upstream_body *gw_walk_body(gw_walk *w, bedrock_platform p);
const char *gw_walk_body_error(const gw_walk *w, bedrock_platform p);
/* Every upstream's body now, so the walk outlives the request (a stream). */
void gw_walk_make_all(gw_walk *w);
/* The next upstream that can take the request (w->u, with x->up_model
 * named for it), or NULL when none is left. */
gw_upstream_rt *gw_walk_next(gw_walk *w);
/* w->u failed with rc, e: GW_WALK_RETRY (the same upstream, a refused beta
 * dropped), GW_WALK_NEXT (it rests, noted: gw_walk_next), or GW_WALK_STOP
 * (answer with e; x->up set). */
int gw_walk_failed(gw_walk *w, int rc, const bedrock_error_info *e);
/* No upstream answered: out gets the last error, or why none could be
 * tried; x is finished. */
void gw_walk_give_up(gw_walk *w, serve_response *out);
/* A failure the next upstream may not have: throttling, 5xx, overload,
 * the connection. */
int gw_walk_failover_worthy(int rc, const bedrock_error_info *e);

/* gw_open.c: a request through the upstreams without holding
 * a thread: the answer comes later (serve_response_later), from an
 * upstream loop, once an upstream's first event (a stream) or its whole
 * answer is in, or every upstream failed. A whole answer runs on loop's
 * own driver when the request came on a loop (serve_request.loop), else
 * on the stream loop. admit: x is not admitted yet, and admitting it
 * (reserve tokens) is a Redis round trip: it is made on gw_finish.c's
 * threads first, and a refusal answered from there. Takes x and w over. */
void gw_open(serve_response *out, gw_walk *w, int whole, struct event_base *loop, int admit,
	     uint64_t reserve);
/* A listing (GET pq, malloc'ed, taken) from the upstreams of platform want,
 * the next on a failover-worthy failure, the same way. Takes x over. */
void gw_open_listing(serve_response *out, gw_exchange *x, bedrock_platform want, char *pq,
		     struct event_base *loop);

/* gw_relay.c's helpers, shared with gw_open.c and gw_walk.c. */
void gw_relay_stream_headers(serve_response *out, const gw_exchange *x);
/* A whole answer from the upstream in the front's shape (its tokens
 * counted, count-tokens converted); x->status set. */
void gw_relay_whole_answer(serve_response *out, gw_exchange *x, const bedrock_response *resp);
/* A listing's answer as the upstream gave it; x->status set. */
void gw_relay_listing_answer(serve_response *out, gw_exchange *x, const bedrock_response *resp);
/* Answers a request the quota refused (v, retry after) in the front's
 * shape, and finishes x. */
void gw_relay_quota_refuse(serve_response *out, gw_exchange *x, gw_quota_verdict v,
			   unsigned retry_after);
/* Answers with the upstream's error e (or a timeout) and finishes x. */
void gw_relay_upstream_error(serve_response *out, gw_exchange *x, const bedrock_error_info *e);

/* gw_finish.c: work off the loops, on a few threads of its own, in order
 * of posting: gw_exchange_finish_now, or any job (a Redis admission). */
typedef struct gw_finisher gw_finisher;
int gw_finisher_new(gw_finisher **out);
void gw_finisher_post(gw_finisher *f, gw_exchange *x);
void gw_finisher_run(gw_finisher *f, gw_job *j);
/* Finishes what is queued, then stops. */
void gw_finisher_free(gw_finisher *f);

/* gw_upstreams.c */
int gw_upstreams_make(gw_gen *gen, char *err, size_t err_cap);
void gw_upstreams_free(gw_gen *gen);
int gw_upstream_cooling(const gw_upstream_rt *u, uint64_t now_ms);
void gw_upstream_cool(gw_upstream_rt *u, gw_metrics *m, uint64_t now_ms);
void gw_upstream_healthy(gw_upstream_rt *u, gw_metrics *m);

#endif
