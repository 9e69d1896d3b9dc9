#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "anthropic_models.h"
#include "bedrock/bedrock.h"
#include "emu_handler.h"
#include "model.h"
#include "urlcode.h"
#include "vertex_front.h"

#define MAX_BODY 25000000

typedef enum { OP_INVOKE, OP_INVOKE_STREAM, OP_CONVERSE, OP_CONVERSE_STREAM, OP_COUNT } op_kind;

static const struct {
	const char *suffix;
	op_kind op;
} ops[] = {
	{ "/invoke-with-response-stream", OP_INVOKE_STREAM },
	{ "/converse-stream", OP_CONVERSE_STREAM },
	{ "/count-tokens", OP_COUNT },
	{ "/converse", OP_CONVERSE },
	{ "/invoke", OP_INVOKE },
};

static void request_id(char *out, size_t cap, emu_state *s)
{
	unsigned long n = atomic_fetch_add(&s->requests, 1) + 1;
	unsigned long long t = (unsigned long long)time(NULL);

	/* UUID-shaped, unique per run; real ones are random UUIDs. */
	snprintf(out, cap, "%08llx-%04lx-4%03lx-a%03lx-%012lx", t & 0xffffffffULL,
		 (n >> 28) & 0xffff, (n >> 16) & 0xfff, (s->seed & 0xfff), n & 0xffffffffffffUL);
}

/* Pre-response faults: an AWS error or a dropped connection. */
static int apply_error_fault(serve_response *out, const emu_fault *f, const char *rid)
{
	switch (f->kind) {
	case EMU_FAULT_THROTTLE:
		emu_error(out, 429, "ThrottlingException",
			  "Too many requests, please wait before trying again.", rid);
		return 1;
	case EMU_FAULT_NOT_READY:
		emu_error(out, 429, "ModelNotReadyException",
			  "Model is not ready to serve inference requests. The model might be "
			  "loading; retry the request later.", rid);
		return 1;
	case EMU_FAULT_INTERNAL:
		emu_error(out, 500, "InternalServerException",
			  "The system encountered an unexpected error during processing. Try your "
			  "request again.", rid);
		return 1;
	case EMU_FAULT_UNAVAILABLE:
		emu_error(out, 503, "ServiceUnavailableException",
			  "The service is unavailable. Try again later.", rid);
		return 1;
	case EMU_FAULT_OVERLOADED:
		emu_error(out, 503, "ServiceUnavailableException",
			  "Bedrock is unable to process your request.", rid);
		return 1;
	case EMU_FAULT_NO_RETRY:
		emu_error(out, 500, "InternalServerException",
			  "The system encountered an unexpected error during processing. Try your "
			  "request again.", rid);
		return 1;
	case EMU_FAULT_RETRY_400:
		emu_error(out, 400, "ValidationException",
			  "Malformed input request, please reformat your input and try again.", rid);
		return 1;
	case EMU_FAULT_MODEL_TIMEOUT:
		emu_error(out, 408, "ModelTimeoutException",
			  "Model has timed out in processing the request. Try your request again.", rid);
		return 1;
	case EMU_FAULT_MODEL_ERROR:
		emu_error(out, 424, "ModelErrorException",
			  "Received server error (500) from model. Try your request again.", rid);
		return 1;
	case EMU_FAULT_ACCESS_DENIED:
		/* What Bedrock says to an account that has not been granted the model. */
		emu_error(out, 403, "AccessDeniedException",
			  "You don't have access to the model with the specified model ID.", rid);
		return 1;
	case EMU_FAULT_RESET:
		serve_response_dispose(out);
		serve_response_init(out, 0);
		out->reset_before_headers = 1;
		return 1;
	default:
		return 0;
	}
}

static const char *exception_message(const char *kind)
{
	if (!strcmp(kind, "throttlingException"))
		return "Too many requests, please wait before trying again.";
	if (!strcmp(kind, "modelTimeoutException"))
		return "Model has timed out in processing the request. Try your request again.";
	if (!strcmp(kind, "serviceUnavailableException"))
		return "The service is unavailable. Try again later.";
	if (!strcmp(kind, "validationException"))
		return "The model's output could not be validated.";
	if (!strcmp(kind, "modelStreamErrorException"))
		return "The model encountered an error while streaming. Try your request again.";
	return "The system encountered an unexpected error during processing. Try your request again.";
}

/* Faults that change a stream after it is rendered: delays, a cut
 * connection, a corrupt or truncated frame, an in-stream exception. */
static void apply_stream_fault(serve_response *out, const emu_fault *f)
{
	size_t i, keep;

	switch (f->kind) {
	case EMU_FAULT_SLOW:
		for (i = 0; i < out->piece_count; i++)
			out->pieces[i].delay_ms = f->param;
		break;
	case EMU_FAULT_BURST:
		out->coalesce = 1;
		break;
	case EMU_FAULT_RESET_AFTER:
		for (i = f->param; i < out->piece_count; i++)
			free(out->pieces[i].data);
		if (f->param < out->piece_count)
			out->piece_count = f->param;
		out->end = SERVE_END_RESET;
		break;
	case EMU_FAULT_CORRUPT_CRC:
		/* The second frame, so the first event still arrives whole. */
		i = out->piece_count > 1 ? 1 : 0;
		if (out->piece_count && out->pieces[i].len >= 16)
			out->pieces[i].data[out->pieces[i].len - 1] ^= 0x5a;
		break;
	case EMU_FAULT_TRUNCATE:
		keep = out->piece_count > 1 ? 1 : 0;
		if (out->piece_count) {
			out->pieces[keep].len /= 2;
			for (i = keep + 1; i < out->piece_count; i++)
				free(out->pieces[i].data);
			out->piece_count = keep + 1;
		}
		break;
	case EMU_FAULT_STREAM_EXCEPTION: {
		cJSON *o = cJSON_CreateObject();
		uint8_t *frame = NULL;
		size_t len = 0;
		char *text;

		keep = out->piece_count > 2 ? 2 : out->piece_count;
		for (i = keep; i < out->piece_count; i++)
			free(out->pieces[i].data);
		out->piece_count = keep;
		cJSON_AddStringToObject(o, "message", exception_message(f->exception));
		if (!strcmp(f->exception, "modelStreamErrorException")) {
			cJSON_AddNumberToObject(o, "originalStatusCode", 500);
			cJSON_AddStringToObject(o, "originalMessage", "Internal error while streaming");
		}
		text = cJSON_PrintUnformatted(o);
		if (text && emu_encode_frame(&frame, &len, "exception", f->exception, text,
					     strlen(text)) == 0)
			serve_response_piece(out, frame, len, 0);
		free(frame);
		free(text);
		cJSON_Delete(o);
		break;
	}
	default:
		break;
	}
}

int emu_exclusive_sampling(const bedrock_model_info *m)
{
	static const char *const aliases[] = { "sonnet-4.5", "haiku-4.5", "opus-4.5", "opus-4.6" };
	size_t i;

	for (i = 0; i < sizeof(aliases) / sizeof(aliases[0]); i++)
		if (m->alias && !strcmp(m->alias, aliases[i]))
			return 1;
	return 0;
}

static void runtime(emu_state *s, serve_response *out, const serve_request *req, const char *rid)
{
	const char *p = req->path + 7, *slash; /* after "/model/" */
	char id[2100], msg[1024], name[128];
	bedrock_model_ref ref;
	cJSON *body = NULL, *messages = NULL, *answer = NULL;
	emu_fault fault;
	const char *trace = serve_request_header(req, "x-amzn-bedrock-trace");
	op_kind op = OP_INVOKE;
	size_t i;
	int rc, excl;

	slash = strchr(p, '/');
	for (i = 0; slash && i < sizeof(ops) / sizeof(ops[0]); i++)
		if (!strcmp(slash, ops[i].suffix))
			break;
	if (!slash || i == sizeof(ops) / sizeof(ops[0]) || strcmp(req->method, "POST")) {
		emu_error(out, 404, "UnknownOperationException", "Unknown operation", rid);
		return;
	}
	op = ops[i].op;
	if (bedrock__url_decode(id, sizeof(id), p, (size_t)(slash - p)) || !*id) {
		emu_error(out, 400, "ValidationException", bedrock_model_invalid_id_message(), rid);
		return;
	}
	if (bedrock_model_resolve(&ref, id) != 0 ||
	    (op != OP_COUNT && bedrock_model_check_invocable(msg, sizeof(msg), &ref) != 0)) {
		if (bedrock_model_resolve(&ref, id) != 0 || !ref.model)
			snprintf(msg, sizeof(msg), "%s", bedrock_model_invalid_id_message());
		emu_error(out, 400, "ValidationException", msg, rid);
		return;
	}
	/* A system profile of another geography is not callable from here
	 * (Bedrock answers as for an unknown id). */
	if (!ref.model || (ref.geo && !(ref.geo & bedrock_region_profile_geos(s->auth.region)))) {
		emu_error(out, 400, "ValidationException", bedrock_model_invalid_id_message(), rid);
		return;
	}
	if (trace && strcmp(trace, "ENABLED") && strcmp(trace, "DISABLED") &&
	    strcmp(trace, "ENABLED_FULL")) {
		char m[256];

		snprintf(m, sizeof(m), "1 validation error detected: Value '%.64s' at 'trace' failed to "
			 "satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED, "
			 "ENABLED_FULL]", trace);
		emu_error(out, 400, "ValidationException", m, rid);
		return;
	}
	if (req->body_len > MAX_BODY) {
		emu_error(out, 413, "ValidationException", "Input is too long for requested model.", rid);
		return;
	}
	excl = emu_exclusive_sampling(ref.model);
	body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
	msg[0] = '\0';
	if (op == OP_COUNT) {
		unsigned tokens = 0;

		if (emu_count_tokens_request(&tokens, body, excl, msg, sizeof(msg)))
			emu_error(out, 400, "ValidationException", msg[0] ? msg : "Invalid request", rid);
		else if (emu_render_count_tokens(out, tokens, rid))
			emu_error(out, 500, "InternalServerException", "out of memory", rid);
		goto done;
	}
	if (op == OP_CONVERSE || op == OP_CONVERSE_STREAM) {
		if (!cJSON_IsObject(body) ||
		    emu_converse_to_messages(&messages, body, msg, sizeof(msg))) {
			emu_error(out, 400, "ValidationException",
				  msg[0] ? msg : "Malformed input request, please reformat your input "
						 "and try again.", rid);
			goto done;
		}
	} else {
		messages = body;
		body = NULL;
	}
	if (emu_validate_messages(messages, excl, msg, sizeof(msg))) {
		emu_error(out, 400, "ValidationException", msg, rid);
		goto done;
	}
	if (emu_faults_take(&fault, &s->faults, req->body, req->body_len, msg, sizeof(msg))) {
		emu_error(out, 400, "ValidationException", msg, rid);
		goto done;
	}
	if (apply_error_fault(out, &fault, rid))
		goto done;
	/* The name Claude's responses carry in "model": the API id. */
	if (emu_anthropic_model_api_id(name, sizeof(name), ref.model))
		snprintf(name, sizeof(name), "%.100s", ref.model->id);
	if (emu_model_answer(&answer, messages, name, s->seed)) {
		emu_error(out, 500, "InternalServerException", "out of memory", rid);
		goto done;
	}
	serve_response_dispose(out);
	serve_response_init(out, 200);
	switch (op) {
	case OP_INVOKE: rc = emu_render_invoke(out, answer, rid); break;
	case OP_INVOKE_STREAM: rc = emu_render_invoke_stream(out, answer, rid); break;
	case OP_CONVERSE: rc = emu_render_converse(out, answer, rid); break;
	default: rc = emu_render_converse_stream(out, answer, rid); break;
	}
	if (rc) {
		emu_error(out, 500, "InternalServerException", "out of memory", rid);
		goto done;
	}
	if (op == OP_INVOKE_STREAM || op == OP_CONVERSE_STREAM) {
		out->streaming = 1;
		apply_stream_fault(out, &fault);
	} else if (fault.kind == EMU_FAULT_SLOW && out->piece_count) {
		out->pieces[0].delay_ms = fault.param;
	} else if (fault.kind == EMU_FAULT_RESET_AFTER) {
		out->reset_before_headers = 1;
	}
done:
	cJSON_Delete(body);
	cJSON_Delete(messages);
	cJSON_Delete(answer);
}

int emu_precheck(serve_response *out, const serve_request *req, void *payload)
{
	emu_state *s = payload;
	emu_auth_result auth;
	char rid[64];

	if (emu_google_owns(req))
		return 0;	/* no credentials there */
	if (emu_vertex_owns(req->path))
		return emu_vertex_precheck(s, out, req);
	if (emu_anthropic_owns(req->path))
		return emu_anthropic_precheck(s, out, req);
	if (!emu_auth_check_head(&auth, &s->auth, req,
				 s->now ? s->now() : (long long)time(NULL)))
		return 0;
	request_id(rid, sizeof(rid), s);
	emu_error(out, auth.status, auth.error_type, auth.message, rid);
	return 1;
}

void emu_handle(serve_response *out, const serve_request *req, void *payload)
{
	emu_state *s = payload;
	emu_auth_result auth;
	char rid[64];

	if (emu_google_owns(req)) {
		emu_google_handle(&s->google, out, req, s->now ? s->now() : (long long)time(NULL));
		return;
	}
	if (emu_vertex_owns(req->path)) {
		emu_vertex_handle(s, out, req);
		return;
	}
	if (emu_anthropic_owns(req->path)) {
		emu_anthropic_handle(s, out, req);
		return;
	}
	request_id(rid, sizeof(rid), s);
	if (emu_auth_check(&auth, &s->auth, req, s->now ? s->now() : (long long)time(NULL))) {
		emu_error(out, auth.status, auth.error_type, auth.message, rid);
		return;
	}
	if (s->replaying) {
		serve_response_dispose(out);
		emu_replay_answer(&s->replay, out, req);
		return;
	}
	if (emu_control_handle(&s->control, out, req, rid))
		return;
	if (!strncmp(req->path, "/model/", 7)) {
		runtime(s, out, req, rid);
		return;
	}
	emu_error(out, 404, "UnknownOperationException", "Unknown operation", rid);
}
