/* A request through the upstreams: checked and admitted, then walked down
 * the list (gw_walk.c) on an upstream loop (gw_open.c), and the answer in
 * the front's shape. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <bedrock/models.h>

#include "gw_internal.h"
#include "json.h"

/* The text blocks of a whole answer (Messages' content, or Converse's
 * output.message.content), for the activity log when bodies: true. */
static void log_answer_text(gw_exchange *x, const char *body, size_t len)
{
	cJSON *tree = bedrock__json_parse_exact(body, len), *content, *b;

	content = cJSON_GetObjectItemCaseSensitive(tree, "content");
	if (!cJSON_IsArray(content))
		content = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(tree, "output"), "message"),
			"content");
	if (!cJSON_IsArray(content))
		content = NULL;
	cJSON_ArrayForEach(b, content) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");

		if (cJSON_IsString(t))
			gw_exchange_text(x, t->valuestring, strlen(t->valuestring));
	}
	cJSON_Delete(tree);
}

static void id_headers(serve_response *out, const gw_exchange *x)
{
	if (x->route.front == BEDROCK_PLATFORM_BEDROCK)
		serve_response_header(out, "x-amzn-RequestId", x->id);
	else
		serve_response_header(out, "request-id", x->id);
}

/* {"inputTokens":N} (Bedrock) <-> {"input_tokens":N} (the others). */
static int count_answer(serve_response *out, gw_exchange *x, const char *body, size_t len)
{
	cJSON *t = cJSON_ParseWithLength(body, len), *v;
	char text[64];
	double n = -1;
	int w;

	if (t && (cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(t, "inputTokens")) ||
		  cJSON_IsNumber(v = cJSON_GetObjectItemCaseSensitive(t, "input_tokens"))))
		n = v->valuedouble;
	cJSON_Delete(t);
	if (n < 0)
		return -1;
	w = snprintf(text, sizeof(text),
		     x->route.front == BEDROCK_PLATFORM_BEDROCK ? "{\"inputTokens\":%.0f}"
								 : "{\"input_tokens\":%.0f}", n);
	x->in_tok = 0;	/* counting spends no tokens */
	return serve_response_piece(out, text, (size_t)w, 0);
}

void gw_relay_whole_answer(serve_response *out, gw_exchange *x, const bedrock_response *resp)
{
	size_t len = 0;
	const char *body = bedrock_response_body(resp, &len);
	char n[32];

	out->status = bedrock_response_status(resp);
	serve_response_header(out, "content-type", "application/json");
	id_headers(out, x);
	if (x->route.op == GW_OP_COUNT_TOKENS) {
		if (count_answer(out, x, body, len)) {
			serve_response_dispose(out);
			serve_response_init(out, 500);
			gw_error_response(out, x->route.front, GW_ERR_BAD_GATEWAY,
					  "The upstream's count-tokens answer carries no count.",
					  NULL, 0, x->id);
			snprintf(x->error_type, sizeof(x->error_type), "bad_upstream_answer");
		}
	} else {
		gw_usage_of_body(&x->in_tok, &x->out_tok, &x->cache_read_tok, &x->cache_write_tok,
				 body, len);
		if (x->route.front == BEDROCK_PLATFORM_BEDROCK) {
			snprintf(n, sizeof(n), "%llu", (unsigned long long)x->in_tok);
			serve_response_header(out, "X-Amzn-Bedrock-Input-Token-Count", n);
			snprintf(n, sizeof(n), "%llu", (unsigned long long)x->out_tok);
			serve_response_header(out, "X-Amzn-Bedrock-Output-Token-Count", n);
		}
		serve_response_piece(out, body, len, 0);
		if (x->gen->cfg->activity_log.bodies)
			log_answer_text(x, body, len);
	}
	x->status = out->status;
	x->ttft_ms = (double)(gw_now_ns() - x->t0_ns) / 1e6;
}

void gw_relay_stream_headers(serve_response *out, const gw_exchange *x)
{
	out->status = 200;
	if (x->route.front == BEDROCK_PLATFORM_BEDROCK) {
		serve_response_header(out, "content-type", "application/vnd.amazon.eventstream");
		if (x->route.op != GW_OP_CONVERSE_STREAM)
			serve_response_header(out, "x-amzn-bedrock-content-type", "application/json");
	} else {
		serve_response_header(out, "content-type", "text/event-stream; charset=utf-8");
		serve_response_header(out, "cache-control", "no-cache");
	}
	id_headers(out, x);
}

void gw_relay_upstream_error(serve_response *out, gw_exchange *x, const bedrock_error_info *e)
{
	serve_response_dispose(out);
	serve_response_init(out, 500);
	if (e->code == BEDROCK_ETIMEOUT && !e->http_status)
		gw_error_response(out, x->route.front, GW_ERR_TIMEOUT, e->message, NULL, 0, x->id);
	else
		gw_error_response(out, x->route.front, GW_ERR_UPSTREAM, NULL, e, 0, x->id);
	x->status = out->status;
	snprintf(x->error_type, sizeof(x->error_type), "%s",
		 e->aws_code[0] ? e->aws_code : e->http_status ? "upstream_error"
		 : e->code == BEDROCK_ETIMEOUT ? "timeout" : "connection_failed");
	gw_exchange_finish(x);
}

void gw_relay_quota_refuse(serve_response *out, gw_exchange *x, gw_quota_verdict v,
			   unsigned retry_after)
{
	char msg[256], type[64];

	if (v == GW_QUOTA_UNAVAILABLE) {
		gw_refuse(out, x, GW_ERR_UNAVAILABLE, "The quota store cannot be reached.", 1,
			  "quota_unavailable");
		return;
	}
	snprintf(msg, sizeof(msg), "The key '%s' is over its %s limit. Please try again later.",
		 x->key->name, gw_quota_verdict_name(v));
	snprintf(type, sizeof(type), "quota_%s", gw_quota_verdict_name(v));
	gw_refuse(out, x, GW_ERR_RATE_LIMITED, msg, retry_after ? retry_after : 1, type);
}

void gw_relay(serve_response *out, gw_exchange *x, const serve_request *req)
{
	gw_gen *gen = x->gen;
	gw_walk w;
	gw_upstream_body *b;
	const char *model;
	unsigned retry_after = 0;
	uint64_t reserve;
	gw_quota_verdict v;

	gw_walk_init(&w, x, req);
	/* The body in the client's own dialect: checked once, and the model
	 * it names is the client's. */
	if (!(b = gw_walk_body(&w, x->route.front))) {
		gw_refuse(out, x, GW_ERR_BAD_REQUEST, gw_walk_body_error(&w, x->route.front), 0,
			  "invalid_request");
		goto done;
	}
	model = x->route.model[0] ? x->route.model : b->model;
	if (!model || !*model) {
		gw_refuse(out, x, GW_ERR_BAD_REQUEST, "The request names no model.", 0,
			  "invalid_request");
		goto done;
	}
	if (!(x->client_model = strdup(model))) {
		gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
		goto done;
	}
	if (!gw_model_allowed(x->key, model)) {
		char msg[640];

		snprintf(msg, sizeof(msg), "The key '%s' may not call the model '%s'.", x->key->name,
			 model);
		gw_refuse(out, x, GW_ERR_FORBIDDEN, msg, 0, "model_not_allowed");
		goto done;
	}
	/* Counting tokens spends none; a call reserves its max_tokens and a
	 * rough 4 bytes per input token. */
	reserve = x->route.op == GW_OP_COUNT_TOKENS ? 0 : b->max_tokens + req->body_len / 4;
	if (gw_quota_remote(gen->quota->q, x->key)) {
		/* A Redis round trip: admitted off the loop, then on (gw_open.c). */
		gw_open(out, &w, !b->stream, req->loop, 1, reserve);
		return;
	}
	v = gw_quota_admit(&x->ticket, &retry_after, gen->quota->q, x->key, reserve,
			   (uint64_t)gw_wall_ms());
	if (v != GW_QUOTA_OK) {
		gw_relay_quota_refuse(out, x, v, retry_after);
		goto done;
	}
	x->admitted = 1;
	gw_open(out, &w, !b->stream, req->loop, 0, 0);
	return;
done:
	gw_walk_dispose(&w);
}

static int catalog_models(serve_response *out, const gw_exchange *x)
{
	cJSON *o = cJSON_CreateObject(), *data = cJSON_AddArrayToObject(o, "data"), *one = NULL;
	const char *want = x->route.op == GW_OP_GET_MODEL ? x->route.model : NULL;
	char id[128], *text;
	const char *first = NULL, *last = NULL;
	int rc = -1;

	if (!o || !data)
		goto done;
	for (size_t i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *mi = bedrock_models_at(i);
		cJSON *e;

		if (bedrock_model_platform_id(id, sizeof(id), mi, BEDROCK_PLATFORM_ANTHROPIC))
			continue;
		if (want && strcmp(want, id) && bedrock_model_find_platform_id(NULL, want) != mi)
			continue;
		if (!(e = cJSON_CreateObject()) || !cJSON_AddStringToObject(e, "type", "model") ||
		    !cJSON_AddStringToObject(e, "id", id) ||
		    !cJSON_AddStringToObject(e, "display_name", mi->name) ||
		    !cJSON_AddStringToObject(e, "created_at", "2025-01-01T00:00:00Z")) {
			cJSON_Delete(e);
			goto done;
		}
		if (want) {
			one = e;
			break;
		}
		cJSON_AddItemToArray(data, e);
		if (!first)
			first = cJSON_GetObjectItem(e, "id")->valuestring;
		last = cJSON_GetObjectItem(e, "id")->valuestring;
	}
	if (want && !one) {
		rc = gw_error_response(out, x->route.front, GW_ERR_NOT_FOUND, "model not found", NULL,
				       0, x->id);
		goto done;
	}
	if (!want) {
		cJSON_AddBoolToObject(o, "has_more", 0);
		if (first) {
			cJSON_AddStringToObject(o, "first_id", first);
			cJSON_AddStringToObject(o, "last_id", last);
		} else {
			cJSON_AddNullToObject(o, "first_id");
			cJSON_AddNullToObject(o, "last_id");
		}
	}
	if ((text = cJSON_PrintUnformatted(want ? one : o)) != NULL) {
		out->status = 200;
		serve_response_header(out, "content-type", "application/json");
		serve_response_header(out, "request-id", x->id);
		rc = serve_response_piece(out, text, strlen(text), 0);
		cJSON_free(text);
	}
done:
	cJSON_Delete(one);
	cJSON_Delete(o);
	return rc;
}

void gw_relay_listing_answer(serve_response *out, gw_exchange *x, const bedrock_response *resp)
{
	size_t len = 0;
	const char *body = bedrock_response_body(resp, &len);

	out->status = bedrock_response_status(resp);
	serve_response_header(out, "content-type", "application/json");
	id_headers(out, x);
	serve_response_piece(out, body, len, 0);
	x->status = out->status;
}

void gw_relay_listing(serve_response *out, gw_exchange *x, const serve_request *req)
{
	bedrock_platform want = x->route.front == BEDROCK_PLATFORM_VERTEX ? BEDROCK_PLATFORM_ANTHROPIC
									 : x->route.front;
	gw_gen *gen = x->gen;
	char *pq;

	for (size_t i = 0; i < gen->up_count; i++) {
		if (gen->ups[i].cfg->platform != want)
			continue;
		/* From the first upstream of that platform, the next on a
		 * failure, without holding a thread (gw_open.c). */
		if (asprintf(&pq, "%s%s%s", req->path, req->query[0] ? "?" : "", req->query) < 0) {
			gw_refuse(out, x, GW_ERR_INTERNAL, "out of memory", 0, "internal");
			return;
		}
		gw_open_listing(out, x, want, pq, req->loop);
		return;
	}
	if (want == BEDROCK_PLATFORM_ANTHROPIC) {
		/* No Anthropic upstream: the catalog answers (Claude Code's
		 * model discovery, the SDKs' models.list). */
		x->up = NULL;
		if (catalog_models(out, x))
			gw_error_response(out, x->route.front, GW_ERR_INTERNAL, NULL, NULL, 0, x->id);
		x->status = out->status;
		gw_exchange_finish(x);
		return;
	}
	gw_refuse(out, x, GW_ERR_NOT_FOUND, "No Bedrock upstream is configured to list from.", 0,
		  "not_found");
}
