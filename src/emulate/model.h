/* bedrock emulate: the deterministic model and the response renderers.
 *
 * Everything here is pure (no I/O, no clock, no global state): the handler
 * parses the request, calls these, and then adds faults and delays to the
 * plan. The same Anthropic Messages answer feeds all four operations, so an
 * InvokeModel call, its stream, a Converse call and its stream that mean
 * the same thing say the same thing. The rules are in
 * docs/emulator-model.md; the tests in tests/unit/test_emulate_model.c
 * hold them to it.
 *
 * Conventions: 0 on success, -1 on failure. Functions with a message
 * buffer write Bedrock's ValidationException text there (HTTP 400);
 * other failures are out of memory. Objects returned through **out belong
 * to the caller (cJSON_Delete / free). */
#ifndef BEDROCK_EMULATE_MODEL_H
#define BEDROCK_EMULATE_MODEL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "serve.h"

/* max_tokens when Converse sends no inferenceConfig.maxTokens: Bedrock
 * then allows the model's whole output (a recorded Sonnet 4.5 call asked
 * for a 10000-token thinking budget with no maxTokens), so the largest
 * output of current Claude models. */
#define EMU_CONVERSE_DEFAULT_MAX_TOKENS 64000

/* Checks an InvokeModel (Anthropic Messages) body. body NULL means "not
 * JSON". temperature_top_p_exclusive: the model refuses both at once
 * (Sonnet 4.5, Haiku 4.5 and later). Returns 0, or -1 with the message. */
int emu_validate_messages(const cJSON *body, int temperature_top_p_exclusive,
			  char *msg, size_t cap);

/* Converse (or ConverseStream) request -> the equivalent Messages request,
 * ready for emu_validate_messages and emu_model_answer. -1 with a
 * Bedrock-style message for a bad Converse body (msg empty: out of memory). */
int emu_converse_to_messages(cJSON **out, const cJSON *converse, char *msg, size_t cap);

/* The deterministic answer: an Anthropic Messages response object. The
 * request must have passed emu_validate_messages (anything else is
 * answered too, never crashes, but the answer is unspecified). */
int emu_model_answer(cJSON **out, const cJSON *messages_request,
		     const char *model_name_for_response, unsigned long seed);

/* Input tokens of a Messages request: the one rule behind usage (without
 * caching), CountTokens and X-Amzn-Bedrock-Input-Token-Count. */
unsigned emu_count_tokens(const cJSON *messages_request);

/* Tokens in a piece of text under the same rule (exposed for tests). */
unsigned emu_count_text_tokens(const char *text);

/* CountTokens body ({"input":{"invokeModel":{"body":"<base64>"}}} or
 * {"input":{"converse":{...}}}) -> token count; the inner request is
 * validated like the operation it names. -1 with a message. */
int emu_count_tokens_request(unsigned *out, const cJSON *count_tokens_body,
			     int temperature_top_p_exclusive, char *msg, size_t cap);

/* Renderers: fill an serve_response initialised by the caller
 * (serve_response_init). Status 200 and Bedrock's headers; streams get one
 * piece per event-stream frame, delay 0. On failure the response may hold
 * partial content: dispose it. */
int emu_render_invoke(serve_response *out, const cJSON *answer, const char *request_id);
int emu_render_invoke_stream(serve_response *out, const cJSON *answer, const char *request_id);
int emu_render_converse(serve_response *out, const cJSON *answer, const char *request_id);
int emu_render_converse_stream(serve_response *out, const cJSON *answer, const char *request_id);
int emu_render_count_tokens(serve_response *out, unsigned tokens, const char *request_id);

/* The answer as the Anthropic Messages stream: calls emit once per event
 * object (message_start, content_block_start/delta/stop per block,
 * message_delta, message_stop; no pings), in order. emit owns the event
 * (cJSON_Delete it) and returns 0, or -1 to stop. Returns 0 or -1. */
typedef int (*emu_event_fn)(void *payload, cJSON *event);
int emu_answer_events(const cJSON *answer, emu_event_fn emit, void *payload);

/* The Messages answer as a Converse response body, the object
 * emu_render_converse sends (exposed for tests). */
int emu_answer_to_converse(cJSON **out, const cJSON *answer);

/* One event-stream message with the string headers :event-type (or
 * :exception-type when message_type is "exception"), :content-type
 * application/json and :message-type. *out is malloc'd (free it). */
int emu_encode_frame(uint8_t **out, size_t *out_len, const char *message_type,
		     const char *event_or_exception_type,
		     const char *payload, size_t payload_len);

#endif
