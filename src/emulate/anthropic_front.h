/* The Anthropic API front of `bedrock emulate`, on the Bedrock port:
 * POST /v1/messages (JSON, or SSE with "stream": true), POST
 * /v1/messages/count_tokens, GET /v1/models[/{id}]. Keys come in
 * x-api-key or Authorization: Bearer; every response carries
 * request-id: req_...; errors have the API's shape,
 * {"type":"error","error":{"type","message"},"request_id"}. Answers come
 * from the same deterministic model as the Bedrock front (the same body
 * says the same thing on both), and every fault applies, mapped to the
 * status and error type this API uses (see emu_api_fault_error). */
#ifndef BEDROCK_EMU_ANTHROPIC_FRONT_H
#define BEDROCK_EMU_ANTHROPIC_FRONT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "emu_faults.h"
#include "serve.h"

/* The key accepted when no --api-key is given: clearly fake, documented. */
#define EMU_ANTHROPIC_DEFAULT_KEY "sk-ant-emulator-key"

/* The API's request size limit (messages and count_tokens): 32 MB. */
#define EMU_ANTHROPIC_MAX_BODY (32u * 1024u * 1024u)

/* The models list's page size: default and largest. */
#define EMU_MODELS_DEFAULT_LIMIT 20
#define EMU_MODELS_MAX_LIMIT 1000

typedef struct emu_anthropic_config {
	char *const *api_keys;		/* --api-key; none: EMU_ANTHROPIC_DEFAULT_KEY */
	size_t api_key_count;
	int fast_retry;			/* --fast-retry: "retry-after-ms: 1" on 429 and 529 */
} emu_anthropic_config;

struct emu_state;

/* 1 if the path belongs to this front ("/v1/..."). */
int emu_anthropic_owns(const char *path);
/* Answers a request of this front. Thread-safe, like emu_handle. */
void emu_anthropic_handle(struct emu_state *s, serve_response *out, const serve_request *req);

/* The key check on the headers alone, before the body is read (the
 * server's precheck): 0, or 1 with the 401 written. */
int emu_anthropic_precheck(struct emu_state *s, serve_response *out, const serve_request *req);

/* ---- pure parts, exposed for tests ---- */

/* An error of the API's shape; request_id NULL leaves "request_id" out
 * (the in-stream error event has none). malloc'd JSON, NULL on ENOMEM. */
char *emu_api_error_json(const char *type, const char *message, const char *request_id);

/* Replaces *out with an error response: status, content-type, request-id
 * and the body. */
void emu_api_error(serve_response *out, int status, const char *type, const char *message,
		   const char *request_id);

/* How a fault shows on this front before the response: fills status, type
 * and message and returns 1, or returns 0 for a fault that is not an HTTP
 * error here (none, connection drops, stream faults, slow). */
typedef struct emu_api_fault_error {
	int status;
	const char *type;
	const char *message;
	const char *should_retry;	/* x-should-retry value, or NULL */
} emu_api_fault_error;
int emu_api_fault_to_error(emu_api_fault_error *out, const emu_fault *f);

/* The error.type of an in-stream error for a stream-exception fault kind
 * ("throttlingException" -> "rate_limit_error"), and its message. */
const char *emu_api_stream_error_type(const char *exception);
const char *emu_api_stream_error_message(const char *type);

/* One page of a list of count items, newest first: after (index of
 * after_id, or -1), before (index of before_id, or -1), limit. Writes the
 * first index and how many, and whether more lie beyond the page in the
 * direction of travel (before_id: towards the start). */
void emu_models_page(size_t *first, size_t *n, int *has_more, size_t count, long after,
		     long before, size_t limit);

/* Renderers (render_sse.c). The answer is an Anthropic Messages response
 * (emu_model_answer). JSON: one piece. SSE: one piece per event, written
 * with bedrock_sse_encode(): message_start, content_block_start of the
 * first block, one ping (as the API sends it, after the first block
 * starts; after message_start when there are no blocks), the rest of the
 * blocks, message_delta with cumulative usage (input and output), and
 * message_stop. Both set status 200 and content-type; -1 on ENOMEM. */
int emu_render_api_message(serve_response *out, const cJSON *answer);
int emu_render_api_stream(serve_response *out, const cJSON *answer);
/* Appends one SSE event (data is JSON text) as a piece. */
int emu_sse_piece(serve_response *out, const char *event, const char *data);

#endif
