/* What crosses between a front and an upstream of another (or the same)
 * platform (pure; no I/O):
 * - the model a client names, resolved through the one catalog (and the
 *   configuration's models: map) to the upstream's id for its region;
 * - the request body re-rendered for the upstream (bedrock_body_convert:
 *   every unknown member, anthropic_version and the betas pass through);
 * - stream events re-framed event by event for the front (event stream
 *   <-> SSE), never buffered; same platform: the same bytes;
 * - errors written in the front's own shape (Bedrock: {"message"} with
 *   x-amzn-ErrorType; Anthropic: {"type":"error",...}; Vertex: Google's
 *   {"error":{code,message,status}} for the gateway's own refusals). */
#ifndef BEDROCK_GW_TRANSLATE_H
#define BEDROCK_GW_TRANSLATE_H

#include <stddef.h>
#include <stdint.h>

#include <bedrock/client.h>
#include <bedrock/platform.h>

#include "gw_config.h"
#include "gw_route.h"
#include "serve.h"

/* The id to send to upstream up for the model the client named (route
 * model, or the body's "model" on the Anthropic front). 0, or -1 with err
 * ("model X is not served on vertex/us-east5"). */
int gw_model_for_upstream(char *out, size_t cap, const gw_config *cfg, const gw_upstream *up,
			  const char *client_model, char *err, size_t err_cap);
/* Whether a key's models: list allows client_model (aliases and every id
 * of the same catalog model match one another). */
int gw_model_allowed(const gw_key *key, const char *client_model);

/* The request as one upstream gets it. */
typedef struct gw_upstream_body {
	char *body;			/* in the upstream's dialect */
	size_t len;
	char *betas;			/* anthropic-beta header value, or NULL */
	char *model;			/* the body's model as the client sent it (Anthropic front) */
	uint64_t max_tokens;		/* for the token reservation; 0 when absent */
	int stream;			/* the client asked for a stream */
	int bedrock_count_raw;		/* count-tokens: body is Bedrock CountTokens' own whole
					 * body (its converse input), for bedrock_count_tokens;
					 * otherwise a count body is the Messages one, for
					 * bedrock_messages_send_count_tokens (which wraps it
					 * for Bedrock, and sets the model for Vertex) */
} gw_upstream_body;

/* Renders req's body (front route->front) for platform to. Same platform:
 * the bytes unchanged. 0, or -1 with err (400 in the front's shape). */
int gw_body_for_upstream(gw_upstream_body *out, const gw_route *route, const serve_request *req,
			 bedrock_platform to, char *err, size_t err_cap);
void gw_upstream_body_dispose(gw_upstream_body *b);
/* The same body without one beta (the upstream refused it). 0 or -1. */
int gw_body_drop_beta(gw_upstream_body *b, bedrock_platform to, const char *beta);

/* Re-frames an upstream stream's events for the front. */
typedef struct gw_reframer gw_reframer;
int gw_reframer_new(gw_reframer **out, bedrock_platform front, bedrock_platform upstream);
void gw_reframer_free(gw_reframer *r);
/* The bytes to send the client for one upstream event (appended to *buf,
 * grown with realloc; *len updated). Usage seen is remembered. 0 or -1. */
int gw_reframe_event(gw_reframer *r, uint8_t **buf, size_t *len, size_t *cap,
		     const bedrock_event *ev);
/* An upstream error after the first byte: the front's in-stream error
 * (Bedrock: an exception frame; SSE: event: error). 0 or -1. */
int gw_reframe_error(gw_reframer *r, uint8_t **buf, size_t *len, size_t *cap,
		     const bedrock_error_info *err);
/* Usage seen so far in the stream (message_start + message_delta, or
 * Bedrock's amazon-bedrock-invocationMetrics). */
void gw_reframer_usage(const gw_reframer *r, uint64_t *input, uint64_t *output,
		       uint64_t *cache_read, uint64_t *cache_write);
/* Usage of a whole (non-streamed) Messages answer. 0, or -1 when none. */
int gw_usage_of_body(uint64_t *input, uint64_t *output, uint64_t *cache_read,
		     uint64_t *cache_write, const char *body, size_t len);

/* The gateway's own refusals and upstream failures, in the front's shape. */
typedef enum gw_error_kind {
	GW_ERR_BAD_REQUEST,		/* 400 */
	GW_ERR_UNAUTHENTICATED,		/* 401: no key */
	GW_ERR_FORBIDDEN,		/* 403: wrong key, bad signature, model not allowed */
	GW_ERR_NOT_FOUND,		/* 404 */
	GW_ERR_METHOD,			/* 405 */
	GW_ERR_TOO_LARGE,		/* 413 */
	GW_ERR_RATE_LIMITED,		/* 429 (a quota; retry_after set) */
	GW_ERR_INTERNAL,		/* 500 */
	GW_ERR_BAD_GATEWAY,		/* 502: no upstream answered */
	GW_ERR_UNAVAILABLE,		/* 503: every upstream cooling down, draining */
	GW_ERR_TIMEOUT,			/* 504 */
	GW_ERR_UPSTREAM			/* the upstream's own status and type (from err) */
} gw_error_kind;

/* Fills out (initialised by the caller) with the error in the front's
 * shape: status, content type, body, and for Bedrock x-amzn-ErrorType;
 * retry-after when retry_after_s > 0; x-amzn-RequestId / request-id.
 * upstream_err is used for GW_ERR_UPSTREAM (status, aws_code, message
 * kept word for word: Claude Code matches on them). 0 or -1 (ENOMEM). */
int gw_error_response(serve_response *out, bedrock_platform front, gw_error_kind kind,
		      const char *message, const bedrock_error_info *upstream_err,
		      unsigned retry_after_s, const char *request_id);

#endif
