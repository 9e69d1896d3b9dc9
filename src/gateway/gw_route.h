/* Which front and operation a request is, from its method and path alone
 * (pure; no I/O). The three fronts share one port:
 *
 *   Bedrock    POST /model/{id}/invoke | invoke-with-response-stream |
 *                   converse | converse-stream | count-tokens
 *              GET  /foundation-models, /inference-profiles[/{id}]; HEAD /
 *   Anthropic  POST /v1/messages[?beta=true], /v1/messages/count_tokens
 *              GET  /v1/models[/{id}]
 *   Vertex     POST [/v1|/v1beta1]/projects/{p}/locations/{l}/publishers/
 *                   anthropic/models/{m}:rawPredict | :streamRawPredict,
 *                   models/count-tokens:rawPredict
 *   Gateway    GET  /metrics, /healthz
 *
 * Model ids arrive percent-encoded (ARNs with %2F); route holds them
 * decoded. */
#ifndef BEDROCK_GW_ROUTE_H
#define BEDROCK_GW_ROUTE_H

#include <bedrock/platform.h>

typedef enum gw_op {
	GW_OP_NONE = 0,
	GW_OP_MESSAGES,			/* invoke / rawPredict / POST /v1/messages (stream: body) */
	GW_OP_MESSAGES_STREAM,		/* invoke-with-response-stream / streamRawPredict */
	GW_OP_CONVERSE,			/* Bedrock only */
	GW_OP_CONVERSE_STREAM,		/* Bedrock only */
	GW_OP_COUNT_TOKENS,
	GW_OP_LIST_MODELS,		/* GET /v1/models, /foundation-models */
	GW_OP_GET_MODEL,		/* GET /v1/models/{id} */
	GW_OP_LIST_PROFILES,		/* GET /inference-profiles */
	GW_OP_GET_PROFILE,		/* GET /inference-profiles/{id} */
	GW_OP_PROBE,			/* HEAD / (Claude Code's startup probe) */
	GW_OP_METRICS,
	GW_OP_HEALTHZ
} gw_op;

typedef struct gw_route {
	bedrock_platform front;		/* the client's dialect (errors answer in it) */
	gw_op op;
	char model[512];		/* decoded; "" when the body carries it (Anthropic front) */
	char project[256];		/* Vertex front */
	char location[64];		/* Vertex front */
	int beta;			/* ?beta=true */
	const char *op_name;		/* for logs: "invoke", "invoke-stream", "converse",
					 * "messages", "rawPredict", "count-tokens", ... */
} gw_route;

/* 0 with *out; -1 when nothing matches (404 in the front guessed from the
 * path; out->front is set to it), -2 when the path matches but the
 * method does not (405). */
int gw_route_parse(gw_route *out, const char *method, const char *path, const char *query);

#endif
