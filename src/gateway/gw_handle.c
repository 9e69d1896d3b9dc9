/* The serving layer's callbacks: route and authenticate on the head
 * (precheck: a request that cannot succeed is refused before its body is
 * read), then the gateway's own paths, the quotas and the relay; and the
 * end of every exchange (activity log, metrics, quota settled). */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include "gw_internal.h"

static _Atomic uint64_t id_seq;
static uint64_t id_salt;
static pthread_once_t salt_once = PTHREAD_ONCE_INIT;

static void salt_init(void)
{
	if (getrandom(&id_salt, sizeof(id_salt), 0) != (ssize_t)sizeof(id_salt))
		id_salt = (uint64_t)time(NULL) * 0x9e3779b97f4a7c15ull;
}

/* A request id shaped like Bedrock's (a UUID), unique per process. */
static void new_id(char *out, size_t cap)
{
	uint64_t n = atomic_fetch_add(&id_seq, 1) + 1, s;

	pthread_once(&salt_once, salt_init);
	s = id_salt;
	snprintf(out, cap, "%08x-%04x-4%03x-%04x-%012llx", (unsigned)(s >> 32),
		 (unsigned)(s >> 16) & 0xffffu, (unsigned)s & 0xfffu,
		 0x8000u | ((unsigned)(n >> 48) & 0x3fffu),
		 (unsigned long long)(n & 0xffffffffffffull));
}

static gw_error_kind auth_kind(int status)
{
	return status == 401 ? GW_ERR_UNAUTHENTICATED : GW_ERR_FORBIDDEN;
}

/* Refused for its key (a head or a body check): the front's 401/403 and
 * the activity log's word for it; finishes x. */
static void refuse_auth(serve_response *out, gw_exchange *x, const gw_auth *a)
{
	gw_refuse(out, x, auth_kind(a->status), a->message, 0,
		  a->status == 401 ? "unauthenticated" : "forbidden");
}

static int route_of(gw_route *r, serve_response *out, const serve_request *req)
{
	int rc = gw_route_parse(r, req->method, req->path, req->query);
	char id[40];

	if (!rc)
		return 0;
	/* Every answer carries a request id, a refused route's too. */
	new_id(id, sizeof(id));
	gw_error_response(out, r->front, rc == -2 ? GW_ERR_METHOD : GW_ERR_NOT_FOUND, NULL, NULL,
			  0, id);
	return -1;
}

static gw_exchange *exchange_new(struct gateway *g, const gw_route *r, const serve_request *req);

static int gateway_path(gw_op op)
{
	return op == GW_OP_METRICS || op == GW_OP_HEALTHZ || op == GW_OP_PROBE;
}

int gw_precheck(serve_response *out, const serve_request *req, void *payload)
{
	gw_exchange *x;
	gw_route r;
	gw_auth a;
	gw_gen *gen;
	int rc;

	if (route_of(&r, out, req))
		return 1;
	if (gateway_path(r.op))
		return 0;
	gen = gw_gen_acquire(payload);
	rc = gw_auth_head(&a, gen->cfg, req, time(NULL));
	gw_gen_release(gen);
	if (rc >= 0)
		return 0;
	/* Refused on its head: still one activity line and one metric (an
	 * append and a few atomics; nothing here waits). */
	if ((x = exchange_new(payload, &r, req)) != NULL) {
		refuse_auth(out, x, &a);
		return 1;
	}
	gw_error_response(out, r.front, auth_kind(a.status), a.message, NULL, 0, NULL);
	return 1;
}

int gw_refuse_status(serve_response *out, const serve_request *req, int status, void *payload)
{
	struct gateway *g = payload;
	gw_exchange *x;
	gw_route r;
	gw_auth a;
	char msg[160];
	int rc;

	if (status != 413)
		return 0;
	if (route_of(&r, out, req))
		return 1;
	if (gateway_path(r.op) || !(x = exchange_new(g, &r, req)))
		return 0;
	/* A client without a valid key learns nothing about the limit. A
	 * SigV4 signature cannot be checked without the body: such a line
	 * names no key. */
	rc = gw_auth_head(&a, x->gen->cfg, req, time(NULL));
	if (rc < 0) {
		refuse_auth(out, x, &a);
		return 1;
	}
	if (rc == 0)
		x->key = a.key;
	snprintf(msg, sizeof(msg), "The request body is larger than this gateway takes "
		 "(limits.max_body_bytes: %zu bytes).", x->gen->cfg->limits.max_body);
	gw_refuse(out, x, GW_ERR_TOO_LARGE, msg, 0, "request_too_large");
	return 1;
}

static char *dup_header(const serve_request *req, const char *name)
{
	const char *v = serve_request_header(req, name);

	return v ? strdup(v) : NULL;
}

static gw_exchange *exchange_new(struct gateway *g, const gw_route *r, const serve_request *req)
{
	gw_exchange *x = calloc(1, sizeof(*x));

	if (!x)
		return NULL;
	x->g = g;
	gw_gateway_busy(g, 1);
	x->gen = gw_gen_acquire(g);
	x->route = *r;
	x->arrival_ms = gw_wall_ms();
	x->t0_ns = gw_now_ns();
	x->ttft_ms = -1;
	new_id(x->id, sizeof(x->id));
	x->user_agent = dup_header(req, "user-agent");
	x->session_id = dup_header(req, "x-claude-code-session-id");
	x->agent_id = dup_header(req, "x-claude-code-agent-id");
	x->parent_agent_id = dup_header(req, "x-claude-code-parent-agent-id");
	if (x->gen->cfg->activity_log.bodies && req->body_len &&
	    (x->request_body = malloc(req->body_len))) {
		memcpy(x->request_body, req->body, req->body_len);
		x->request_body_len = req->body_len;
	}
	return x;
}

void gw_exchange_text(gw_exchange *x, const char *text, size_t len)
{
	/* Enough for an activity log line; the rest is cut (body_truncated). */
	const size_t max = 256 * 1024;

	if (!x->gen->cfg->activity_log.bodies || !text || !len)
		return;
	if (x->response_text_len + len > max)
		len = max - x->response_text_len;
	if (!len)
		return;
	if (x->response_text_len + len > x->response_text_cap) {
		size_t cap = x->response_text_cap ? x->response_text_cap * 2 : 4096;
		char *p;

		while (cap < x->response_text_len + len)
			cap *= 2;
		if (!(p = realloc(x->response_text, cap)))
			return;
		x->response_text = p;
		x->response_text_cap = cap;
	}
	memcpy(x->response_text + x->response_text_len, text, len);
	x->response_text_len += len;
}

void gw_exchange_finish(gw_exchange *x)
{
	if (x->admitted && gw_quota_remote(x->gen->quota->q, x->key)) {
		gw_finisher_post(gw_gateway_finisher(x->g), x);
		return;
	}
	gw_exchange_finish_now(x);
}

void gw_exchange_finish_now(gw_exchange *x)
{
	const gw_upstream *u = x->up ? x->up->cfg : NULL;
	double latency_ms = (double)(gw_now_ns() - x->t0_ns) / 1e6;
	double upstream_ms = (double)x->upstream_ns / 1e6;
	const char *front = bedrock_platform_name(x->route.front);
	const char *model = x->client_model ? x->client_model : x->route.model;

	if (x->admitted)
		gw_quota_settle(x->gen->quota->q, &x->ticket, x->in_tok + x->out_tok);
	if (x->gen->activity) {
		gw_activity_record r;

		memset(&r, 0, sizeof(r));
		r.time_ms = x->arrival_ms;
		r.id = x->id;
		r.key = x->key ? x->key->name : NULL;
		r.user_agent = x->user_agent;
		r.session_id = x->session_id;
		r.agent_id = x->agent_id;
		r.parent_agent_id = x->parent_agent_id;
		r.front = front;
		r.operation = x->route.op_name;
		r.model = model && *model ? model : NULL;
		r.upstream = u ? u->name : NULL;
		r.upstream_platform = u ? bedrock_platform_name(u->platform) : NULL;
		r.upstream_region = u ? u->region : NULL;
		r.upstream_model = x->up_model[0] ? x->up_model : NULL;
		r.status = x->status;
		r.error_type = x->error_type[0] ? x->error_type : NULL;
		r.input_tokens = x->in_tok;
		r.output_tokens = x->out_tok;
		r.cache_read_tokens = x->cache_read_tok;
		r.cache_write_tokens = x->cache_write_tok;
		r.latency_ms = latency_ms;
		r.ttft_ms = x->ttft_ms;
		r.upstream_ms = upstream_ms;
		r.upstream_request_id = x->up_request_id[0] ? x->up_request_id : NULL;
		r.hops = x->hops;
		r.note = x->note[0] ? x->note : NULL;
		r.request_body = x->request_body;
		r.request_body_len = x->request_body_len;
		r.response_text = x->response_text;
		r.response_text_len = x->response_text_len;
		gw_activity_write(x->gen->activity, &r);
	}
	{
		gw_metrics_sample s;

		memset(&s, 0, sizeof(s));
		s.key = x->key ? x->key->name : "";
		s.model = model ? model : "";
		s.upstream = u ? u->name : "";
		s.front = front;
		s.status = x->status;
		s.error_type = x->error_type[0] ? x->error_type : NULL;
		s.input_tokens = x->in_tok;
		s.output_tokens = x->out_tok;
		s.cache_read_tokens = x->cache_read_tok;
		s.cache_write_tokens = x->cache_write_tok;
		s.latency_s = latency_ms / 1e3;
		s.ttft_s = x->ttft_ms < 0 ? -1 : x->ttft_ms / 1e3;
		s.added_s = (latency_ms - upstream_ms) / 1e3;
		if (s.added_s < 0)
			s.added_s = 0;
		s.hops = x->hops;
		gw_metrics_record(gw_gateway_metrics(x->g), &s);
	}
	gw_gen_release(x->gen);
	free(x->client_model);
	free(x->user_agent);
	free(x->session_id);
	free(x->agent_id);
	free(x->parent_agent_id);
	free(x->request_body);
	free(x->response_text);
	gw_gateway_busy(x->g, -1);
	free(x);
}

static void finish_sent(void *arg, int sent)
{
	gw_exchange *x = arg;

	if (!sent) {
		x->status = 0;
		if (!x->error_type[0])
			snprintf(x->error_type, sizeof(x->error_type), "client_closed");
	}
	gw_exchange_finish(x);
}

void gw_exchange_finish_after(serve_response *out, gw_exchange *x)
{
	out->done = finish_sent;
	out->done_arg = x;
}

static void answer_text(serve_response *out, int status, const char *type, const char *text,
			size_t len)
{
	out->status = status;
	serve_response_header(out, "content-type", type);
	if (len)
		serve_response_piece(out, text, len, 0);
}

/* One gauge family with a series a loop. */
static size_t loop_family(char *p, size_t cap, const char *name, const char *help,
			  const double *v, size_t n)
{
	size_t used = (size_t)snprintf(p, cap, "# HELP %s %s\n# TYPE %s gauge\n", name, help, name);

	for (size_t i = 0; i < n && used < cap; i++)
		used += (size_t)snprintf(p + used, cap - used, "%s{loop=\"%zu\"} %g\n", name, i,
					 v[i]);
	return used < cap ? used : cap - 1;
}

/* The serving layer's HTTP/1.1 loops, after the gateway's own families:
 * where connections went (limits.loops, and how a loop takes new ones) and
 * how busy each loop is. 0, or -1 when out of memory. */
static int loop_metrics(char **text, size_t *len, struct gateway *g)
{
	serve_loop_stat st[16];
	double conns[16], busy[16];
	size_t n = gw_gateway_loops(g, st, 16), cap;
	char *p;

	if (n > 16)
		n = 16;
	for (size_t i = 0; i < n; i++) {
		conns[i] = st[i].connections;
		busy[i] = st[i].busy;
	}
	cap = *len + 512 + n * 128;
	if (!(p = realloc(*text, cap)))
		return -1;
	*text = p;
	*len += loop_family(p + *len, cap - *len, "bedrock_gateway_loop_connections",
			    "HTTP/1.1 connections on each event loop.", conns, n);
	*len += loop_family(p + *len, cap - *len, "bedrock_gateway_loop_busy_ratio",
			    "The share of a core each HTTP/1.1 event loop used over the last "
			    "quarter second.", busy, n);
	return 0;
}

/* /metrics, /healthz, HEAD /: no key, no exchange record. */
static void gateway_own(serve_response *out, const gw_route *r, struct gateway *g)
{
	gw_gen *gen;
	size_t len = 0;
	char *text;

	switch (r->op) {
	case GW_OP_HEALTHZ:
		answer_text(out, 200, "text/plain; charset=utf-8", "ok\n", 3);
		return;
	case GW_OP_PROBE:
		answer_text(out, 200, "text/plain; charset=utf-8", "", 0);
		return;
	default:
		break;
	}
	gen = gw_gen_acquire(g);
	if (!gen->cfg->metrics) {
		gw_gen_release(gen);
		gw_error_response(out, r->front, GW_ERR_NOT_FOUND, NULL, NULL, 0, NULL);
		return;
	}
	gw_gen_release(gen);
	if (!(text = gw_metrics_render(gw_gateway_metrics(g), &len)) ||
	    loop_metrics(&text, &len, g)) {
		free(text);
		gw_error_response(out, r->front, GW_ERR_INTERNAL, NULL, NULL, 0, NULL);
		return;
	}
	answer_text(out, 200, "text/plain; version=0.0.4; charset=utf-8", text, len);
	free(text);
}

/* Ends an exchange the gateway refused itself. */
void gw_refuse(serve_response *out, gw_exchange *x, gw_error_kind kind, const char *message,
	       unsigned retry_after_s, const char *error_type)
{
	serve_response_dispose(out);
	serve_response_init(out, 500);
	gw_error_response(out, x->route.front, kind, message, NULL, retry_after_s, x->id);
	x->status = out->status;
	snprintf(x->error_type, sizeof(x->error_type), "%s", error_type);
	gw_exchange_finish(x);
}

void gw_handle(serve_response *out, const serve_request *req, void *payload)
{
	struct gateway *g = payload;
	gw_exchange *x;
	gw_route r;
	gw_auth a;

	if (route_of(&r, out, req))
		return;
	if (gateway_path(r.op)) {
		gateway_own(out, &r, g);
		return;
	}
	if (!(x = exchange_new(g, &r, req))) {
		gw_error_response(out, r.front, GW_ERR_INTERNAL, "out of memory", NULL, 0, NULL);
		return;
	}
	if (gw_auth_body(&a, x->gen->cfg, req, time(NULL))) {
		refuse_auth(out, x, &a);
		return;
	}
	x->key = a.key;
	if (r.op == GW_OP_LIST_MODELS || r.op == GW_OP_GET_MODEL || r.op == GW_OP_LIST_PROFILES ||
	    r.op == GW_OP_GET_PROFILE)
		gw_relay_listing(out, x, req);
	else
		gw_relay(out, x, req);
}
