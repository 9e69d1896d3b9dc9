/* The Messages request checks, the answer and the stream faults the
 * Anthropic API and Vertex fronts share (messages_front.h). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "anthropic_front.h"
#include "emu_handler.h"
#include "messages_front.h"
#include "model.h"
#include "model_internal.h"

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
 * anthropic_beta are the SDKs' Bedrock/Vertex body fields: tolerated (on
 * Vertex anthropic_version is required) and dropped. */
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

static int bad(emu_messages_req *r, int status, const char *type, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(emu_messages_req *r, int status, const char *type, const char *fmt, ...)
{
	va_list ap;

	r->status = status;
	r->type = type;
	va_start(ap, fmt);
	vsnprintf(r->msg, sizeof(r->msg), fmt, ap);
	va_end(ap);
	return -1;
}

/* "vertex-2023-10-16", or a date "YYYY-MM-DD" (2023-06-01, 2026-10-21). */
static int version_ok(const char *v)
{
	size_t i;

	if (!strcmp(v, "vertex-2023-10-16"))
		return 1;
	if (strlen(v) != 10 || v[4] != '-' || v[7] != '-')
		return 0;
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (v[i] < '0' || v[i] > '9'))
			return 0;
	return 1;
}

/* The model: the URL's, or the body's looked up. 0 or -1 (written). */
static int pick_model(emu_messages_req *r, const cJSON *body, const emu_messages_dialect *d)
{
	const cJSON *v;

	if (d->url_model) {
		r->model = d->url_model;
		if (emu_anthropic_model_api_id(r->model_id, sizeof(r->model_id), r->model))
			snprintf(r->model_id, sizeof(r->model_id), "%.64s", r->model->id);
		return 0;
	}
	if (!(v = cJSON_GetObjectItemCaseSensitive(body, "model")))
		return bad(r, 400, "invalid_request_error", "model: Field required");
	if (!(r->model = d->find(r->model_id, sizeof(r->model_id), v->valuestring)))
		return bad(r, 404, "not_found_error", "model: %.128s", v->valuestring);
	return 0;
}

int emu_messages_parse(emu_messages_req *r, const serve_request *req,
		       const emu_messages_dialect *d)
{
	cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len), *v;
	const cJSON *mt, *th;
	int count_tokens = d->count_tokens;
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
	if (d->version_required) {
		v = cJSON_GetObjectItemCaseSensitive(body, "anthropic_version");
		if (!v)
			return bad(r, 400, "invalid_request_error", "anthropic_version: Field required");
		if (!cJSON_IsString(v) || !version_ok(v->valuestring))
			return bad(r, 400, "invalid_request_error", "anthropic_version: Input should "
				   "be 'vertex-2023-10-16' or an API version date such as '2023-06-01'");
	}
	if (pick_model(r, body, d))
		return -1;
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

void emu_messages_req_dispose(emu_messages_req *r)
{
	cJSON_Delete(r->messages_req);
	r->messages_req = NULL;
}

int emu_messages_count_reply(serve_response *out, const emu_messages_req *r)
{
	char body[48];

	snprintf(body, sizeof(body), "{\"input_tokens\":%u}", emu_count_tokens(r->messages_req));
	serve_response_dispose(out);
	serve_response_init(out, 200);
	return serve_response_header(out, "content-type", "application/json") ||
	       serve_response_piece(out, body, strlen(body), 0) ? -1 : 0;
}

static void swap_infix(cJSON *id, const char *prefix, const char *infix)
{
	size_t n = strlen(prefix);
	char tmp[128];

	if (cJSON_IsString(id) && !strncmp(id->valuestring, prefix, n) &&
	    !strncmp(id->valuestring + n, "bdrk_", 5)) {
		snprintf(tmp, sizeof(tmp), "%s%s%s", prefix, infix, id->valuestring + n + 5);
		cJSON_SetValuestring(id, tmp);
	}
}

void emu_messages_ids(cJSON *answer, const char *infix)
{
	cJSON *b;

	swap_infix(cJSON_GetObjectItemCaseSensitive(answer, "id"), "msg_", infix);
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		swap_infix(cJSON_GetObjectItemCaseSensitive(b, "id"), "toolu_", infix);
}

/* 1 if the piece is the SSE event of that name. */
static int is_event(const serve_piece *p, const char *name)
{
	size_t n = strlen(name);

	return p->len > 7 + n && !memcmp(p->data, "event: ", 7) && !memcmp(p->data + 7, name, n) &&
	       p->data[7 + n] == '\n';
}

/* Index of the first piece after the first content_block_start and its
 * ping, the point where an in-stream error cuts in. */
static size_t after_first_block(const serve_response *out)
{
	size_t i;

	for (i = 0; i < out->piece_count; i++)
		if (is_event(&out->pieces[i], "content_block_start"))
			return i + 2 < out->piece_count ? i + 2 : out->piece_count;
	return out->piece_count < 2 ? out->piece_count : 2;
}

static void drop_from(serve_response *out, size_t keep)
{
	size_t i;

	for (i = keep; i < out->piece_count; i++)
		free(out->pieces[i].data);
	if (keep < out->piece_count)
		out->piece_count = keep;
}

static char *stream_error_json(const char *type, int details)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char *text;

	cJSON_AddStringToObject(o, "type", "error");
	e = cJSON_AddObjectToObject(o, "error");
	if (details)
		cJSON_AddNullToObject(e, "details");
	cJSON_AddStringToObject(e, "type", type);
	cJSON_AddStringToObject(e, "message", emu_api_stream_error_message(type));
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return text;
}

/* The faults that change a rendered stream (slow is the caller's: it
 * applies to every piece, added ones too). */
static void stream_fault(serve_response *out, const emu_fault *f, int details)
{
	switch (f->kind) {
	case EMU_FAULT_BURST:
		out->coalesce = 1;
		break;
	case EMU_FAULT_RESET_AFTER:
		drop_from(out, f->param);
		out->end = SERVE_END_RESET;
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
		char *json = stream_error_json(emu_api_stream_error_type(f->exception), details);

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

/* Moves the last piece to index at. */
static void move_last_to(serve_response *out, size_t at)
{
	serve_piece last = out->pieces[out->piece_count - 1];

	memmove(&out->pieces[at + 1], &out->pieces[at],
		(out->piece_count - 1 - at) * sizeof(out->pieces[0]));
	out->pieces[at] = last;
}

/* Vertex's vertex_event after message_start and before message_delta
 * (when the stream, after its faults, still has them). */
static int vertex_events(serve_response *out)
{
	static const char data[] = "{\"type\":\"vertex_event\"}";
	size_t i;

	for (i = out->piece_count; i-- > 0;)
		if (is_event(&out->pieces[i], "message_delta")) {
			if (emu_sse_piece(out, "vertex_event", data))
				return -1;
			move_last_to(out, i);
			break;
		}
	if (out->piece_count && is_event(&out->pieces[0], "message_start")) {
		if (emu_sse_piece(out, "vertex_event", data))
			return -1;
		move_last_to(out, 1);
	}
	return 0;
}

int emu_messages_answer(serve_response *out, const emu_messages_req *r, const emu_fault *fault,
			unsigned long seed, const emu_messages_style *style)
{
	cJSON *answer = NULL;
	size_t i;
	int rc;

	serve_response_dispose(out);
	if (fault->kind == EMU_FAULT_RESET) {
		serve_response_init(out, 0);
		out->reset_before_headers = 1;
		return 0;
	}
	serve_response_init(out, 200);
	if (emu_model_answer(&answer, r->messages_req, r->model_id, seed))
		return -1;
	emu_messages_ids(answer, style->id_infix);
	rc = r->stream ? emu_render_api_stream(out, answer) : emu_render_api_message(out, answer);
	cJSON_Delete(answer);
	if (rc)
		return -1;
	if (r->stream) {
		stream_fault(out, fault, style->error_details);
		if (style->vertex_events && vertex_events(out))
			return -1;
		for (i = 0; fault->kind == EMU_FAULT_SLOW && i < out->piece_count; i++)
			out->pieces[i].delay_ms = fault->param;
	} else if (fault->kind == EMU_FAULT_SLOW && out->piece_count) {
		out->pieces[0].delay_ms = fault->param;
	} else if (fault->kind == EMU_FAULT_RESET_AFTER) {
		out->reset_before_headers = 1;
	}
	return 0;
}
