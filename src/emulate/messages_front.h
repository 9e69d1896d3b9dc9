/* What the emulator's Anthropic-Messages fronts share: the Anthropic API
 * (/v1/messages, anthropic_front.c) and Vertex AI (rawPredict,
 * vertex_front.c) take the same request body, give the same answer and
 * stream it the same way; they differ in where the model is named, in
 * their ids, request ids and error shapes, and in how a fault shows
 * before the response. The differences are parameters here, so each front
 * keeps only its routing, keys and errors.
 *
 * A request is checked field by field as the API checks it and turned
 * into the InvokeModel body that means the same (model and stream out,
 * anthropic_version in), which the Bedrock front's deterministic model
 * answers (emu_model_answer). */
#ifndef BEDROCK_EMU_MESSAGES_FRONT_H
#define BEDROCK_EMU_MESSAGES_FRONT_H

#include <stddef.h>

#include <cjson/cJSON.h>

#include "anthropic_models.h"
#include "bedrock/models.h"
#include "emu_faults.h"
#include "serve.h"

#define EMU_MESSAGES_MSG_CAP 1024

/* Where a front's request differs. */
typedef struct emu_messages_dialect {
	int count_tokens;	/* a token count: no max_tokens, fewer fields */
	/* The model the URL names (Vertex's rawPredict), or NULL: the body's
	 * "model" is required and looked up with find (a body "model" next
	 * to a URL model is tolerated and ignored, as the SDKs strip it). */
	const bedrock_model_info *url_model;
	const bedrock_model_info *(*find)(char *api_id_out, size_t cap, const char *name);
	/* The body must carry anthropic_version (Vertex): "vertex-2023-10-16"
	 * or an API version date ("2023-06-01"; the TS SDK 1.x sends the
	 * header's date there). */
	int version_required;
} emu_messages_dialect;

/* A checked request. On failure: status, the Anthropic error type and
 * the message; 404 is an unknown body model. */
typedef struct emu_messages_req {
	cJSON *messages_req;	/* owned: the Bedrock-shaped request */
	const bedrock_model_info *model;
	char model_id[EMU_ANTHROPIC_MODEL_ID_MAX];	/* the API id answers carry */
	int stream;		/* "stream": true */
	int status;
	const char *type;
	char msg[EMU_MESSAGES_MSG_CAP];
} emu_messages_req;

/* 0, or -1 with status/type/msg. Dispose *r either way. */
int emu_messages_parse(emu_messages_req *r, const serve_request *req,
		       const emu_messages_dialect *d);
void emu_messages_req_dispose(emu_messages_req *r);

/* The answer of a count: {"input_tokens":N}, status 200. 0, or -1 (ENOMEM). */
int emu_messages_count_reply(serve_response *out, const emu_messages_req *r);

/* How a front renders its answers. */
typedef struct emu_messages_style {
	/* Replaces "bdrk_" in the model's message and tool ids: "01" gives the
	 * API's msg_01..., "vrtx_01" Vertex's msg_vrtx_01... */
	const char *id_infix;
	/* Vertex's own SSE events ("event: vertex_event", data
	 * {"type":"vertex_event"}), which clients must skip: one after
	 * message_start and one before message_delta. */
	int vertex_events;
	/* In-stream errors carry "details": null in error, as a Vertex
	 * capture shows. */
	int error_details;
} emu_messages_style;

/* The answer to a checked request after its pre-response fault (none, or
 * one that is not an HTTP error on this front), as 200 JSON or SSE, with
 * the faults that change a response applied: reset (no answer at all),
 * reset-after, slow, and in a stream corrupt-crc (the second event's data
 * stops being JSON), truncate (the second event cut in half, then the
 * end) and stream-exception (an "event: error" after the first block
 * starts). Replaces *out. 0, or -1 on ENOMEM. */
int emu_messages_answer(serve_response *out, const emu_messages_req *r, const emu_fault *fault,
			unsigned long seed, const emu_messages_style *style);

/* "msg_bdrk_X" -> "msg_<infix>X", "toolu_bdrk_X" -> "toolu_<infix>X". */
void emu_messages_ids(cJSON *answer, const char *infix);

#endif
