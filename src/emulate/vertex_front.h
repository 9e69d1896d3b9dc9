/* The Vertex AI front of `bedrock emulate`, on the same port as Bedrock and
 * the Anthropic API. Paths, under /v1/, /v1beta1/ or no version at all
 * (Claude Code posts /projects/... to a base URL without /v1):
 *
 *   POST projects/P/locations/L/publishers/anthropic/models/M:rawPredict
 *   POST .../models/M:streamRawPredict
 *   POST .../models/count-tokens:rawPredict          (the model in the body)
 *   POST .../models/M:setPublisherModelConfig        (vertex_config.c)
 *   GET  .../models/M:fetchPublisherModelConfig
 *
 * Bodies as Vertex takes them: no model (the URL names it: a Vertex id,
 * claude-sonnet-4-5@20250929, or the undated claude-sonnet-4-5),
 * anthropic_version required, "stream": true for Server-Sent Events,
 * anthropic-beta as a header. Requests need "Authorization: Bearer T" for
 * a token the emulator issued (emu_google.h) or one given with
 * --google-token, for the emulator's project (--project, or its number).
 * The answer is the other fronts' for the same body (messages_front.h),
 * with ids msg_vrtx_01..., toolu_vrtx_01... and a "request-id:
 * req_vrtx_..." header; streams carry vertex_event events.
 *
 * Errors come in the two shapes Vertex uses. What Google's side refuses
 * (authentication, routing, project, quota, availability) is
 * {"error":{"code","message","status"}}, wrapped in a JSON array on
 * streamRawPredict, with no request-id (as a real Google-side 429 has
 * none). What the model refuses (the body, overload, a model error or
 * timeout) is Anthropic's {"type":"error","error":{"type","message"},
 * "request_id"} with its request-id. */
#ifndef BEDROCK_EMU_VERTEX_FRONT_H
#define BEDROCK_EMU_VERTEX_FRONT_H

#include <stddef.h>

#include "anthropic_models.h"
#include "bedrock/models.h"
#include "emu_faults.h"
#include "emu_google.h"
#include "serve.h"

/* The payload limit of Google's front ends: 30 MiB. */
#define EMU_VERTEX_MAX_BODY (30u * 1024u * 1024u)

typedef enum emu_vertex_verb {
	EMU_VERTEX_OTHER = 0,		/* a verb Vertex does not serve for Claude */
	EMU_VERTEX_RAW_PREDICT,
	EMU_VERTEX_STREAM_RAW_PREDICT,
	EMU_VERTEX_SET_CONFIG,		/* setPublisherModelConfig */
	EMU_VERTEX_FETCH_CONFIG,	/* fetchPublisherModelConfig */
	EMU_VERTEX_GEMINI		/* generateContent and the like: not for Claude */
} emu_vertex_verb;

/* A Vertex path, its segments percent-decoded. */
typedef struct emu_vertex_path {
	char version[12];		/* "v1", "v1beta1", or "" */
	char project[64];
	char location[64];
	char publisher[64];
	char model[EMU_ANTHROPIC_MODEL_ID_MAX];
	char verb[48];
	emu_vertex_verb kind;
} emu_vertex_path;

struct emu_state;

/* 1 if the path is this front's: "/projects/...", "/v1/projects/...",
 * "/v1beta1/projects/...". */
int emu_vertex_owns(const char *path);
/* Parses "[/VERSION]/projects/P/locations/L/publishers/X/models/M:VERB".
 * 0, or -1 when the path is not of that shape. Pure. */
int emu_vertex_path_parse(emu_vertex_path *out, const char *path);

/* Answers a request of this front. Thread-safe, like emu_handle. */
void emu_vertex_handle(struct emu_state *s, serve_response *out, const serve_request *req);
/* The token check on the headers alone, before the body is read: 0, or 1
 * with the 401 written. */
int emu_vertex_precheck(struct emu_state *s, serve_response *out, const serve_request *req);

/* The catalog model a Vertex model id names, writing its Anthropic API id
 * (what answers say in "model") to api_id; NULL when unknown. */
const bedrock_model_info *emu_vertex_model_find(char *api_id, size_t cap, const char *name);

/* Google's error body, {"error":{"code":N,"message":"...","status":"..."}},
 * inside "[...]" when array. malloc'd, NULL on ENOMEM. */
char *emu_google_error_json(int code, const char *status, const char *message, int array);
/* Replaces *out with such an error (content-type application/json). */
void emu_google_error(serve_response *out, int code, const char *status, const char *message,
		      int array);

/* How a fault shows on Vertex before the response: Google's shape for
 * what Google's side says (throttle 429 RESOURCE_EXHAUSTED, unavailable
 * and not-ready 503 UNAVAILABLE, internal and no-retry 500 INTERNAL,
 * access-denied 403 PERMISSION_DENIED, retry-400 400 INVALID_ARGUMENT),
 * Anthropic's for what the model says (overloaded 529 overloaded_error,
 * model-error 500 api_error, model-timeout 504 timeout_error). Returns 1
 * with *out filled, or 0 for a fault that is not an HTTP error (none,
 * connection drops, stream faults, slow). */
typedef struct emu_vertex_fault_error {
	int status;
	int google;			/* 1: Google's shape, type is its status */
	const char *type;		/* "RESOURCE_EXHAUSTED", "overloaded_error", ... */
	const char *message;
	const char *should_retry;	/* x-should-retry value, or NULL */
} emu_vertex_fault_error;
int emu_vertex_fault_to_error(emu_vertex_fault_error *out, const emu_fault *f);

/* setPublisherModelConfig and fetchPublisherModelConfig (vertex_config.c):
 * the request-response logging configuration (loggingConfig: enabled,
 * samplingRate 0..1, bigqueryDestination.outputUri "bq://...") kept in
 * memory per project, location and model. Set answers with a finished
 * long-running Operation; with an updateMask only the fields it names
 * change, without one the whole configuration is replaced. */
void emu_vertex_set_config(emu_google *g, serve_response *out, const serve_request *req,
			   const emu_vertex_path *p, long long now);
void emu_vertex_fetch_config(emu_google *g, serve_response *out, const emu_vertex_path *p);

#endif
