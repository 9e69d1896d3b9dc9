/* The Anthropic API front: routing, keys, the API's error shape, request
 * checks, faults as this API reports them, and the models list. The
 * model and its renderers are the Bedrock front's: a /v1/messages body is
 * turned into the InvokeModel body that means the same (model and stream
 * out, anthropic_version in) and answered by emu_model_answer. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "anthropic_front.h"
#include "anthropic_models.h"
#include "emu_handler.h"
#include "model.h"
#include "model_internal.h"
#include "urlcode.h"

#define MSG_CAP 1024

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

void emu_api_error(emu_response *out, int status, const char *type, const char *message,
		   const char *request_id)
{
	char *text = emu_api_error_json(type, message, request_id);

	emu_response_dispose(out);
	emu_response_init(out, status);
	emu_response_header(out, "content-type", "application/json");
	emu_response_header(out, "request-id", request_id);
	if (text)
		emu_response_piece(out, text, strlen(text), 0);
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
static int authenticate(const emu_anthropic_config *cfg, emu_response *out,
			const emu_request *req, const char *rid)
{
	const char *key = emu_request_header(req, "x-api-key");
	const char *authz = emu_request_header(req, "authorization");
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

/* The API's words for a type mismatch, pydantic style. */
static const char *type_error(const cJSON *v, const char *want)
{
	if (!strcmp(want, "integer"))
		return cJSON_IsNumber(v) && v->valuedouble == emu__floor(v->valuedouble)
		       ? NULL : "Input should be a valid integer";
	if (!strcmp(want, "number"))
		return cJSON_IsNumber(v) ? NULL : "Input should be a valid number";
	if (!strcmp(want, "boolean"))
		return cJSON_IsBool(v) ? NULL : "Input should be a valid boolean";
	if (!strcmp(want, "string"))
		return cJSON_IsString(v) ? NULL : "Input should be a valid string";
	if (!strcmp(want, "list"))
		return cJSON_IsArray(v) ? NULL : "Input should be a valid list";
	if (!strcmp(want, "object"))
		return cJSON_IsObject(v) ? NULL : "Input should be a valid dictionary";
	if (!strcmp(want, "system"))
		return cJSON_IsString(v) || cJSON_IsArray(v) ? NULL : "Input should be a valid list";
	return NULL;	/* "any" */
}

typedef struct field {
	const char *name;
	const char *type;
	int in_count;		/* accepted by count_tokens too */
} field;

/* Top-level fields of a Messages request. anthropic_version and
 * anthropic_beta are the SDKs' Bedrock/Vertex body fields: tolerated and
 * dropped. */
static const field fields[] = {
	{ "model", "string", 1 }, { "messages", "list", 1 }, { "max_tokens", "integer", 0 },
	{ "system", "system", 1 }, { "temperature", "number", 0 }, { "top_p", "number", 0 },
	{ "top_k", "integer", 0 }, { "stop_sequences", "list", 0 }, { "stream", "boolean", 0 },
	{ "tools", "list", 1 }, { "tool_choice", "object", 1 }, { "thinking", "object", 1 },
	{ "metadata", "object", 0 }, { "service_tier", "string", 0 }, { "container", "any", 0 },
	{ "mcp_servers", "list", 1 }, { "output_config", "object", 1 },
	{ "output_format", "any", 1 }, { "context_management", "any", 1 },
	{ "cache_control", "object", 1 }, { "anthropic_version", "any", 1 },
	{ "anthropic_beta", "any", 1 },
};

/* Fields checked here and not sent on to the model. */
static const char *const dropped[] = {
	"model", "stream", "service_tier", "container", "mcp_servers", "anthropic_version",
	"anthropic_beta",
};

/* The parsed request, checked field by field, turned into the InvokeModel
 * body that means the same. 0, or -1 with status/type/message (404 for an
 * unknown model). */
typedef struct api_req {
	cJSON *messages_req;	/* owned: the Bedrock-shaped request */
	const bedrock_model_info *model;
	char model_id[EMU_ANTHROPIC_MODEL_ID_MAX];
	int stream;
	int status;
	const char *type;
	char msg[MSG_CAP];
} api_req;

static int bad(api_req *r, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(api_req *r, int status, const char *type, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->type = type;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

static int parse_request(api_req *r, const emu_request *req, int count_tokens)
{
	cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len), *v;
	const cJSON *mt, *th;
	size_t i;

	memset(r, 0, sizeof(*r));
	if (!body)
		return bad(r, 400, "invalid_request_error",
			   "There was an error parsing the body of your request: not valid JSON");
	r->messages_req = body;
	if (!cJSON_IsObject(body))
		return bad(r, 400, "invalid_request_error",
			   "Input should be a valid dictionary");
	cJSON_ArrayForEach(v, body) {
		const char *err;

		for (i = 0; i < sizeof(fields) / sizeof(fields[0]); i++)
			if (!strcmp(fields[i].name, v->string))
				break;
		if (i == sizeof(fields) / sizeof(fields[0]) || (count_tokens && !fields[i].in_count))
			return bad(r, 400, "invalid_request_error",
				   "%.64s: Extra inputs are not permitted", v->string);
		if ((err = type_error(v, fields[i].type)) != NULL)
			return bad(r, 400, "invalid_request_error", "%.64s: %s", v->string, err);
	}
	if (!(v = cJSON_GetObjectItemCaseSensitive(body, "model")))
		return bad(r, 400, "invalid_request_error", "model: Field required");
	if (!(r->model = emu_anthropic_model_find(r->model_id, sizeof(r->model_id),
						  v->valuestring)))
		return bad(r, 404, "not_found_error", "model: %.128s", v->valuestring);
	mt = cJSON_GetObjectItemCaseSensitive(body, "max_tokens");
	if (!count_tokens && !mt)
		return bad(r, 400, "invalid_request_error", "max_tokens: Field required");
	if (!cJSON_GetObjectItemCaseSensitive(body, "messages"))
		return bad(r, 400, "invalid_request_error", "messages: Field required");
	if (mt && mt->valuedouble < 1)
		return bad(r, 400, "invalid_request_error",
			   "max_tokens: Input should be greater than or equal to 1");
	if (mt && r->model->max_output_tokens && mt->valuedouble > r->model->max_output_tokens) {
		char n[32], max[160];

		snprintf(n, sizeof(n), "%.0f", mt->valuedouble);
		snprintf(max, sizeof(max), "%u, which is the maximum allowed number of output "
			 "tokens for %.40s", r->model->max_output_tokens, r->model_id);
		return bad(r, 400, "invalid_request_error", "max_tokens: %s > %s", n, max);
	}
	r->stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream"));
	for (i = 0; i < sizeof(dropped) / sizeof(dropped[0]); i++)
		cJSON_DeleteItemFromObjectCaseSensitive(body, dropped[i]);
	if (!cJSON_AddStringToObject(body, "anthropic_version", "bedrock-2023-05-31"))
		return bad(r, 500, "api_error", "out of memory");
	if (count_tokens) {
		/* count_tokens has no max_tokens; one above any budget stands in. */
		double budget = 0;

		th = cJSON_GetObjectItemCaseSensitive(body, "thinking");
		if (cJSON_IsNumber(cJSON_GetObjectItemCaseSensitive(th, "budget_tokens")))
			budget = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens")->valuedouble;
		cJSON_AddNumberToObject(body, "max_tokens",
					budget >= EMU_CONVERSE_DEFAULT_MAX_TOKENS
					? budget + 1 : EMU_CONVERSE_DEFAULT_MAX_TOKENS);
	}
	if (emu_validate_messages(body, emu_exclusive_sampling(r->model), r->msg, sizeof(r->msg))) {
		static const char wrap[] = "Malformed input request: ";
		char *tail;

		r->status = 400;
		r->type = "invalid_request_error";
		/* Bedrock's schema layer wraps some texts; the API does not. */
		if (!strncmp(r->msg, wrap, sizeof(wrap) - 1)) {
			memmove(r->msg, r->msg + sizeof(wrap) - 1, strlen(r->msg) - sizeof(wrap) + 2);
			if ((tail = strstr(r->msg, ", please reformat")) != NULL)
				*tail = '\0';
			if (r->msg[0] == '#' && r->msg[1] == '/')
				memmove(r->msg, r->msg + 2, strlen(r->msg) - 1);
		}
		return -1;
	}
	return 0;
}

/* "msg_bdrk_X" -> "msg_01X", "toolu_bdrk_X" -> "toolu_01X": the API's ids. */
static void api_ids(cJSON *answer)
{
	cJSON *b, *id = cJSON_GetObjectItemCaseSensitive(answer, "id");
	char tmp[96];

	if (cJSON_IsString(id) && !strncmp(id->valuestring, "msg_bdrk_", 9)) {
		snprintf(tmp, sizeof(tmp), "msg_01%s", id->valuestring + 9);
		cJSON_SetValuestring(id, tmp);
	}
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content")) {
		id = cJSON_GetObjectItemCaseSensitive(b, "id");
		if (cJSON_IsString(id) && !strncmp(id->valuestring, "toolu_bdrk_", 11)) {
			snprintf(tmp, sizeof(tmp), "toolu_01%s", id->valuestring + 11);
			cJSON_SetValuestring(id, tmp);
		}
	}
}

static void fault_error(emu_state *s, emu_response *out, const emu_api_fault_error *e,
			const char *rid)
{
	emu_api_error(out, e->status, e->type, e->message, rid);
	if (e->status == 429)
		emu_response_header(out, "retry-after", "1");
	if (s->anthropic.fast_retry && (e->status == 429 || e->status == 529))
		emu_response_header(out, "retry-after-ms", "1");
	if (e->should_retry)
		emu_response_header(out, "x-should-retry", e->should_retry);
}

/* Index of the first piece after the first content_block_start and its
 * ping, the point where an in-stream error cuts in. */
static size_t after_first_block(const emu_response *out)
{
	size_t i;

	for (i = 0; i < out->piece_count; i++)
		if (out->pieces[i].len > 26 &&
		    !memcmp(out->pieces[i].data, "event: content_block_start", 26))
			return i + 2 < out->piece_count ? i + 2 : out->piece_count;
	return out->piece_count < 2 ? out->piece_count : 2;
}

static void drop_from(emu_response *out, size_t keep)
{
	size_t i;

	for (i = keep; i < out->piece_count; i++)
		free(out->pieces[i].data);
	if (keep < out->piece_count)
		out->piece_count = keep;
}

static void stream_fault(emu_response *out, const emu_fault *f)
{
	size_t i;

	switch (f->kind) {
	case EMU_FAULT_SLOW:
		for (i = 0; i < out->piece_count; i++)
			out->pieces[i].delay_ms = f->param;
		break;
	case EMU_FAULT_BURST:
		out->coalesce = 1;
		break;
	case EMU_FAULT_RESET_AFTER:
		drop_from(out, f->param);
		out->end = EMU_END_RESET;
		break;
	case EMU_FAULT_CORRUPT_CRC:
		/* No CRC in SSE: the second event's data stops being JSON. */
		if (out->piece_count > 1) {
			char *p = memchr(out->pieces[1].data, '{', out->pieces[1].len);

			if (p)
				*p = '#';
		}
		break;
	case EMU_FAULT_TRUNCATE:
		if (out->piece_count > 1) {
			out->pieces[1].len /= 2;
			drop_from(out, 2);
		}
		break;
	case EMU_FAULT_STREAM_EXCEPTION: {
		const char *type = emu_api_stream_error_type(f->exception);
		char *json = emu_api_error_json(type, emu_api_stream_error_message(type), NULL);

		drop_from(out, after_first_block(out));
		if (json)
			emu_sse_piece(out, "error", json);
		free(json);
		break;
	}
	default:
		break;
	}
}

static void messages(emu_state *s, emu_response *out, const emu_request *req, const char *rid,
		     int count_tokens)
{
	api_req r;
	emu_fault fault;
	emu_api_fault_error fe;
	cJSON *answer = NULL;
	char body[48], msg[256];
	int rc;

	if (parse_request(&r, req, count_tokens)) {
		emu_api_error(out, r.status, r.type, r.msg, rid);
		goto done;
	}
	if (count_tokens) {
		snprintf(body, sizeof(body), "{\"input_tokens\":%u}", emu_count_tokens(r.messages_req));
		emu_response_dispose(out);
		emu_response_init(out, 200);
		if (emu_response_header(out, "content-type", "application/json") ||
		    emu_response_piece(out, body, strlen(body), 0))
			emu_api_error(out, 500, "api_error", "out of memory", rid);
		goto done;
	}
	if (emu_faults_take(&fault, &s->faults, req->body, req->body_len, msg, sizeof(msg))) {
		/* A prompt's directive naming no fault: the caller's mistake. */
		emu_api_error(out, 400, "invalid_request_error", msg, rid);
		goto done;
	}
	if (emu_api_fault_to_error(&fe, &fault)) {
		fault_error(s, out, &fe, rid);
		goto done;
	}
	if (fault.kind == EMU_FAULT_RESET) {
		emu_response_dispose(out);
		emu_response_init(out, 0);
		out->reset_before_headers = 1;
		goto done;
	}
	if (emu_model_answer(&answer, r.messages_req, r.model_id, s->seed)) {
		emu_api_error(out, 500, "api_error", "out of memory", rid);
		goto done;
	}
	api_ids(answer);
	emu_response_dispose(out);
	emu_response_init(out, 200);
	rc = r.stream ? emu_render_api_stream(out, answer) : emu_render_api_message(out, answer);
	if (rc) {
		emu_api_error(out, 500, "api_error", "out of memory", rid);
		goto done;
	}
	if (r.stream) {
		stream_fault(out, &fault);
	} else if (fault.kind == EMU_FAULT_SLOW && out->piece_count) {
		out->pieces[0].delay_ms = fault.param;
	} else if (fault.kind == EMU_FAULT_RESET_AFTER) {
		out->reset_before_headers = 1;
	}
done:
	cJSON_Delete(r.messages_req);
	cJSON_Delete(answer);
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

static void json_reply(emu_response *out, cJSON *o, const char *rid)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	emu_response_dispose(out);
	emu_response_init(out, 200);
	if (!text || emu_response_header(out, "content-type", "application/json") ||
	    emu_response_piece(out, text, strlen(text), 0))
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

static void models_list(emu_response *out, const emu_request *req, const char *rid)
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

static void model_get(emu_response *out, const char *segment, const char *rid)
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

static int has_header(const emu_response *out, const char *name)
{
	size_t i;

	for (i = 0; i < out->header_count; i++)
		if (!strcasecmp(out->headers[i].name, name))
			return 1;
	return 0;
}

void emu_anthropic_handle(emu_state *s, emu_response *out, const emu_request *req)
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
		emu_response_header(out, "request-id", rid);
}

int emu_anthropic_precheck(emu_state *s, emu_response *out, const emu_request *req)
{
	char rid[32];

	request_id(rid, sizeof(rid), s);
	if (!authenticate(&s->anthropic, out, req, rid))
		return 0;
	emu_response_header(out, "request-id", rid);
	return 1;
}
