/* The Anthropic API front: routing, keys, the API's error shape, faults as
 * this API reports them, and the models list. The request checks, the
 * answer and the stream faults are the Messages fronts' shared ones
 * (messages_front.h): a /v1/messages body is turned into the InvokeModel
 * body that means the same and answered by the Bedrock front's model. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "anthropic_front.h"
#include "anthropic_models.h"
#include "emu_handler.h"
#include "messages_front.h"
#include "model_internal.h"
#include "urlcode.h"

/* ---- errors ------------------------------------------------------------ */

char *emu_api_error_json(const char *type, const char *message, const char *request_id)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char *text = NULL;

	if (!o)
		return NULL;
	cJSON_AddStringToObject(o, "type", "error");
	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "message", message);
	if (request_id)
		cJSON_AddStringToObject(o, "request_id", request_id);
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

void emu_api_error(serve_response *out, int status, const char *type, const char *message,
		   const char *request_id)
{
	char *text = emu_api_error_json(type, message, request_id);

	serve_response_dispose(out);
	serve_response_init(out, status);
	serve_response_header(out, "content-type", "application/json");
	serve_response_header(out, "request-id", request_id);
	if (text)
		serve_response_piece(out, text, strlen(text), 0);
	free(text);
}

int emu_api_fault_to_error(emu_api_fault_error *out, const emu_fault *f)
{
	memset(out, 0, sizeof(*out));
	switch (f->kind) {
	case EMU_FAULT_THROTTLE:
		out->status = 429;
		out->type = "rate_limit_error";
		out->message = "Number of requests has exceeded your rate limit. Please try again later.";
		return 1;
	case EMU_FAULT_NOT_READY:
	case EMU_FAULT_UNAVAILABLE:
	case EMU_FAULT_OVERLOADED:
		/* The API says "cannot serve now" with 529, never 503. */
		out->status = 529;
		out->type = "overloaded_error";
		out->message = "Overloaded";
		return 1;
	case EMU_FAULT_INTERNAL:
	case EMU_FAULT_MODEL_ERROR:
		out->status = 500;
		out->type = "api_error";
		out->message = "Internal server error";
		return 1;
	case EMU_FAULT_NO_RETRY:
		out->status = 500;
		out->type = "api_error";
		out->message = "Internal server error";
		out->should_retry = "false";
		return 1;
	case EMU_FAULT_RETRY_400:
		out->status = 400;
		out->type = "invalid_request_error";
		out->message = "Invalid request (the emulator's retry-400 fault)";
		out->should_retry = "true";
		return 1;
	case EMU_FAULT_MODEL_TIMEOUT:
		out->status = 504;
		out->type = "timeout_error";
		out->message = "Request timed out";
		return 1;
	case EMU_FAULT_ACCESS_DENIED:
		out->status = 403;
		out->type = "permission_error";
		out->message = "Your API key does not have permission to use the specified resource.";
		return 1;
	default:
		return 0;
	}
}

const char *emu_api_stream_error_type(const char *exception)
{
	if (!strcmp(exception, "throttlingException"))
		return "rate_limit_error";
	if (!strcmp(exception, "serviceUnavailableException"))
		return "overloaded_error";
	if (!strcmp(exception, "modelTimeoutException"))
		return "timeout_error";
	if (!strcmp(exception, "validationException"))
		return "invalid_request_error";
	return "api_error";
}

const char *emu_api_stream_error_message(const char *type)
{
	if (!strcmp(type, "rate_limit_error"))
		return "Number of requests has exceeded your rate limit. Please try again later.";
	if (!strcmp(type, "overloaded_error"))
		return "Overloaded";
	if (!strcmp(type, "timeout_error"))
		return "Request timed out";
	if (!strcmp(type, "invalid_request_error"))
		return "The model's output could not be validated.";
	return "Internal server error";
}

/* ---- pagination -------------------------------------------------------- */

void emu_models_page(size_t *first, size_t *n, int *has_more, size_t count, long after,
		     long before, size_t limit)
{
	size_t end;

	if (before >= 0) {
		end = (size_t)before < count ? (size_t)before : count;
		*first = end > limit ? end - limit : 0;
		*n = end - *first;
		*has_more = *first > 0;
		return;
	}
	*first = after >= 0 ? (size_t)after + 1 : 0;
	if (*first > count)
		*first = count;
	*n = count - *first < limit ? count - *first : limit;
	*has_more = *first + *n < count;
}

/* ---- the front --------------------------------------------------------- */

int emu_anthropic_owns(const char *path)
{
	return path && (!strncmp(path, "/v1/", 4) || !strcmp(path, "/v1"));
}

static void request_id(char *out, size_t cap, emu_state *s)
{
	unsigned long n = atomic_fetch_add(&s->requests, 1) + 1;
	uint64_t h = emu__mix((uint64_t)n ^ ((uint64_t)s->seed << 32) ^
			      emu__mix((uint64_t)time(NULL)));

	/* "req_011" and 21 base-62 characters, the shape of real ones. */
	if (cap < 29) {
		*out = '\0';
		return;
	}
	memcpy(out, "req_011", 7);
	emu__id(out + 7, 21, h);
}

static int equal_ct(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), i;
	unsigned char d = la != lb;

	for (i = 0; i < la; i++)
		d |= (unsigned char)(a[i] ^ b[i % (lb ? lb : 1)]);
	return d == 0 && lb;
}

/* 0 when a configured key is presented; -1 with the error written. */
static int authenticate(const emu_anthropic_config *cfg, serve_response *out,
			const serve_request *req, const char *rid)
{
	const char *key = serve_request_header(req, "x-api-key");
	const char *authz = serve_request_header(req, "authorization");
	size_t i;

	if (!key && authz && !strncasecmp(authz, "Bearer ", 7))
		key = authz + 7;
	if (!key || !*key) {
		emu_api_error(out, 401, "authentication_error", "x-api-key header is required", rid);
		return -1;
	}
	if (!cfg->api_key_count && equal_ct(key, EMU_ANTHROPIC_DEFAULT_KEY))
		return 0;
	for (i = 0; i < cfg->api_key_count; i++)
		if (equal_ct(key, cfg->api_keys[i]))
			return 0;
	emu_api_error(out, 401, "authentication_error", "invalid x-api-key", rid);
	return -1;
}

static void fault_error(emu_state *s, serve_response *out, const emu_api_fault_error *e,
			const char *rid)
{
	emu_api_error(out, e->status, e->type, e->message, rid);
	if (e->status == 429)
		serve_response_header(out, "retry-after", "1");
	if (s->anthropic.fast_retry && (e->status == 429 || e->status == 529))
		serve_response_header(out, "retry-after-ms", "1");
	if (e->should_retry)
		serve_response_header(out, "x-should-retry", e->should_retry);
}

static void messages(emu_state *s, serve_response *out, const serve_request *req, const char *rid,
		     int count_tokens)
{
	static const emu_messages_style style = { "01", 0, 0 };
	emu_messages_dialect d = { count_tokens, NULL, emu_anthropic_model_find, 0 };
	emu_messages_req r;
	emu_fault fault;
	emu_api_fault_error fe;
	char msg[256];

	if (emu_messages_parse(&r, req, &d)) {
		emu_api_error(out, r.status, r.type, r.msg, rid);
	} else if (count_tokens) {
		if (emu_messages_count_reply(out, &r))
			emu_api_error(out, 500, "api_error", "out of memory", rid);
	} else if (emu_faults_take(&fault, &s->faults, req->body, req->body_len, msg,
				   sizeof(msg))) {
		/* A prompt's directive naming no fault: the caller's mistake. */
		emu_api_error(out, 400, "invalid_request_error", msg, rid);
	} else if (emu_api_fault_to_error(&fe, &fault)) {
		fault_error(s, out, &fe, rid);
	} else if (emu_messages_answer(out, &r, &fault, s->seed, &style)) {
		emu_api_error(out, 500, "api_error", "out of memory", rid);
	}
	emu_messages_req_dispose(&r);
}

static cJSON *model_info(const bedrock_model_info *m)
{
	char id[EMU_ANTHROPIC_MODEL_ID_MAX], created[32];
	cJSON *o;

	if (!m || emu_anthropic_model_api_id(id, sizeof(id), m))
		return NULL;
	emu_anthropic_model_created(created, sizeof(created), id);
	if (!(o = cJSON_CreateObject()))
		return NULL;
	cJSON_AddStringToObject(o, "type", "model");
	cJSON_AddStringToObject(o, "id", id);
	cJSON_AddStringToObject(o, "display_name", m->name);
	cJSON_AddStringToObject(o, "created_at", created);
	return o;
}

static void json_reply(serve_response *out, cJSON *o, const char *rid)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	serve_response_dispose(out);
	serve_response_init(out, 200);
	if (!text || serve_response_header(out, "content-type", "application/json") ||
	    serve_response_piece(out, text, strlen(text), 0))
		emu_api_error(out, 500, "api_error", "out of memory", rid);
	free(text);
	cJSON_Delete(o);
}

static long model_index(const char *api_id)
{
	const bedrock_model_info *m = emu_anthropic_model_find(NULL, 0, api_id), *c;
	long i;

	for (i = 0; m && (c = bedrock_models_at((size_t)i)) != NULL; i++)
		if (c == m)
			return i;
	return -2;	/* unknown */
}

static void models_list(serve_response *out, const serve_request *req, const char *rid)
{
	char v[EMU_ANTHROPIC_MODEL_ID_MAX * 2], *end;
	size_t count = bedrock_models_count(), first, n, i, limit = EMU_MODELS_DEFAULT_LIMIT;
	long after = -1, before = -1;
	int has_more, q;
	cJSON *o, *data, *item;

	if ((q = bedrock__query_param(v, sizeof(v), req->query, "limit")) != 0) {
		long l = q > 0 ? strtol(v, &end, 10) : 0;

		if (q < 0 || !*v || *end) {
			emu_api_error(out, 400, "invalid_request_error",
				      "limit: Input should be a valid integer", rid);
			return;
		}
		if (l < 1 || l > EMU_MODELS_MAX_LIMIT) {
			emu_api_error(out, 400, "invalid_request_error", l < 1
				      ? "limit: Input should be greater than or equal to 1"
				      : "limit: Input should be less than or equal to 1000", rid);
			return;
		}
		limit = (size_t)l;
	}
	if ((q = bedrock__query_param(v, sizeof(v), req->query, "after_id")) != 0)
		after = q > 0 ? model_index(v) : -2;
	if ((q = bedrock__query_param(v, sizeof(v), req->query, "before_id")) != 0)
		before = q > 0 ? model_index(v) : -2;
	if (after != -1 && before != -1) {
		emu_api_error(out, 400, "invalid_request_error",
			      "Only one of after_id and before_id may be given", rid);
		return;
	}
	/* A cursor naming no model: an empty page. */
	if (after == -2)
		after = (long)count;
	if (before == -2)
		before = 0;
	emu_models_page(&first, &n, &has_more, count, after, before, limit);
	o = cJSON_CreateObject();
	data = cJSON_AddArrayToObject(o, "data");
	for (i = first; i < first + n; i++)
		if (!(item = model_info(bedrock_models_at(i))) || !emu__push(data, item)) {
			cJSON_Delete(o);
			emu_api_error(out, 500, "api_error", "out of memory", rid);
			return;
		}
	cJSON_AddBoolToObject(o, "has_more", has_more);
	if (n) {
		cJSON_AddItemToObject(o, "first_id", cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(data, 0), "id"), 1));
		cJSON_AddItemToObject(o, "last_id", cJSON_Duplicate(
			cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(data, (int)n - 1), "id"), 1));
	} else {
		cJSON_AddNullToObject(o, "first_id");
		cJSON_AddNullToObject(o, "last_id");
	}
	json_reply(out, o, rid);
}

static void model_get(serve_response *out, const char *segment, const char *rid)
{
	char id[EMU_ANTHROPIC_MODEL_ID_MAX * 2];
	const bedrock_model_info *m = NULL;

	if (!bedrock__url_decode(id, sizeof(id), segment, strlen(segment)))
		m = emu_anthropic_model_find(NULL, 0, id);
	else
		snprintf(id, sizeof(id), "%.64s", segment);
	if (!m) {
		char msg[EMU_ANTHROPIC_MODEL_ID_MAX * 2 + 8];

		snprintf(msg, sizeof(msg), "model: %s", id);
		emu_api_error(out, 404, "not_found_error", msg, rid);
		return;
	}
	json_reply(out, model_info(m), rid);
}

static int has_header(const serve_response *out, const char *name)
{
	size_t i;

	for (i = 0; i < out->header_count; i++)
		if (!strcasecmp(out->headers[i].name, name))
			return 1;
	return 0;
}

void emu_anthropic_handle(emu_state *s, serve_response *out, const serve_request *req)
{
	const char *path = req->path, *method = req->method;
	char rid[32];
	int post = !strcmp(method, "POST"), get = !strcmp(method, "GET");

	request_id(rid, sizeof(rid), s);
	if (req->body_len > EMU_ANTHROPIC_MAX_BODY) {
		emu_api_error(out, 413, "request_too_large",
			      "Request exceeds the maximum allowed number of bytes.", rid);
	} else if (authenticate(&s->anthropic, out, req, rid)) {
		/* written */
	} else if (!strcmp(path, "/v1/messages") && post) {
		messages(s, out, req, rid, 0);
	} else if (!strcmp(path, "/v1/messages/count_tokens") && post) {
		messages(s, out, req, rid, 1);
	} else if (!strcmp(path, "/v1/models") && get) {
		models_list(out, req, rid);
	} else if (!strncmp(path, "/v1/models/", 11) && path[11] && !strchr(path + 11, '/') &&
		   get) {
		model_get(out, path + 11, rid);
	} else if (!strcmp(path, "/v1/messages") || !strcmp(path, "/v1/messages/count_tokens") ||
		   !strcmp(path, "/v1/models") || !strncmp(path, "/v1/models/", 11)) {
		emu_api_error(out, 405, "invalid_request_error", "Method Not Allowed", rid);
	} else {
		emu_api_error(out, 404, "not_found_error", "Not Found", rid);
	}
	/* Every response of this front names its request, success or not
	 * (a dropped connection has no headers to carry it). */
	if (!out->reset_before_headers && !has_header(out, "request-id"))
		serve_response_header(out, "request-id", rid);
}

int emu_anthropic_precheck(emu_state *s, serve_response *out, const serve_request *req)
{
	char rid[32];

	request_id(rid, sizeof(rid), s);
	if (!authenticate(&s->anthropic, out, req, rid))
		return 0;
	serve_response_header(out, "request-id", rid);
	return 1;
}
