/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The Anthropic Messages model as Bedrock carries it: request bodies for
 * InvokeModel / InvokeModelWithResponseStream, parsed responses, typed
 * stream events, and accumulators that rebuild a whole message from a
 * stream (Anthropic events, and ConverseStream events).
 *
 * Everything here is pure: no I/O, no clock, no global state. The raw JSON
 * is always reachable (bedrock_message_json(), bedrock_content_block.json,
 * bedrock_messages_event.json), so a field the API gains tomorrow is never
 * out of reach.
 *
 * Strings handed out through `const char *` are lent: they live as long as
 * the object they came from. Strings returned through `char **out` belong
 * to the caller and are freed with bedrock_messages_string_free().
 */
#ifndef BEDROCK_MESSAGES_H
#define BEDROCK_MESSAGES_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"
#include "platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/** The `anthropic_version` every Bedrock Messages body carries. */
#define BEDROCK_ANTHROPIC_VERSION "bedrock-2023-05-31"

/** Frees a string the library returned through `char **out`. NULL is ok. */
void bedrock_messages_string_free(char *s);

/* ---- request ------------------------------------------------------------ */

typedef enum bedrock_messages_role {
	BEDROCK_ROLE_USER = 0,
	BEDROCK_ROLE_ASSISTANT = 1
} bedrock_messages_role;

/** `cache_control` on a block, tool or system block. */
typedef enum bedrock_messages_cache {
	BEDROCK_CACHE_NONE = 0,
	/** {"type":"ephemeral"} (the default 5-minute TTL) */
	BEDROCK_CACHE_EPHEMERAL = 1,
	/** {"type":"ephemeral","ttl":"5m"} */
	BEDROCK_CACHE_EPHEMERAL_5M = 2,
	/** {"type":"ephemeral","ttl":"1h"} */
	BEDROCK_CACHE_EPHEMERAL_1H = 3
} bedrock_messages_cache;

#define BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION 1

/**
 * Optional parts of a content block. Initialise with
 * BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT; pass NULL for all defaults. Fields a
 * block type does not have are ignored.
 */
typedef struct bedrock_messages_block_options {
	/** (Required) BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) cache_control; any block, tool or system block. */
	bedrock_messages_cache cache;
	/** (Optional) document: {"citations":{"enabled":true}}. */
	int citations;
	/** (Optional) document: "title". */
	const char *title;
	/** (Optional) document: "context". */
	const char *context;
	/** (Optional) text: a JSON array of citations, sent back unchanged. */
	const char *citations_json;
} bedrock_messages_block_options;

#define BEDROCK_MESSAGES_BLOCK_OPTIONS_INIT \
	{ BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION, BEDROCK_CACHE_NONE, 0, NULL, NULL, NULL }

typedef enum bedrock_messages_tool_choice {
	/** Not sent: the model's default. */
	BEDROCK_TOOL_CHOICE_DEFAULT = 0,
	BEDROCK_TOOL_CHOICE_AUTO = 1,
	BEDROCK_TOOL_CHOICE_ANY = 2,
	BEDROCK_TOOL_CHOICE_NONE = 3,
	/** A named tool. */
	BEDROCK_TOOL_CHOICE_TOOL = 4
} bedrock_messages_tool_choice;

typedef enum bedrock_messages_thinking {
	/** Not sent. */
	BEDROCK_THINKING_DEFAULT = 0,
	/** {"type":"enabled","budget_tokens":N} */
	BEDROCK_THINKING_ENABLED = 1,
	/** {"type":"adaptive"} */
	BEDROCK_THINKING_ADAPTIVE = 2,
	/** {"type":"disabled"} */
	BEDROCK_THINKING_DISABLED = 3
} bedrock_messages_thinking;

/** Opaque request builder. Not thread-safe. */
typedef struct bedrock_messages_request bedrock_messages_request;

/**
 * Creates a request.
 *
 * @param[out] out the request, owned by the caller
 *             (bedrock_messages_request_free())
 * @param max_tokens required, > 0
 * @return 0, BEDROCK_EINVAL or BEDROCK_ENOMEM
 */
int bedrock_messages_request_new(bedrock_messages_request **out, int max_tokens);
void bedrock_messages_request_free(bedrock_messages_request *req);

/** Why the last failed call on req failed; "" if none did. */
const char *bedrock_messages_request_errmsg(const bedrock_messages_request *req);

int bedrock_messages_request_set_max_tokens(bedrock_messages_request *req, int max_tokens);

/** `system` as one string. Replaces any system text or blocks. */
int bedrock_messages_request_set_system(bedrock_messages_request *req, const char *text);
/** Appends a system text block (turning `system` into an array). */
int bedrock_messages_request_add_system_text(bedrock_messages_request *req, const char *text,
					     const bedrock_messages_block_options *opts);

/** Starts a new message; the add_* block functions below append to it. */
int bedrock_messages_request_add_message(bedrock_messages_request *req, bedrock_messages_role role);

int bedrock_messages_request_add_text(bedrock_messages_request *req, const char *text,
				      const bedrock_messages_block_options *opts);
/** media_type: image/jpeg, image/png, image/gif or image/webp. */
int bedrock_messages_request_add_image_base64(bedrock_messages_request *req, const char *media_type,
					      const char *data,
					      const bedrock_messages_block_options *opts);
int bedrock_messages_request_add_image_url(bedrock_messages_request *req, const char *url,
					   const bedrock_messages_block_options *opts);
/** A PDF, base64-encoded. */
int bedrock_messages_request_add_document_pdf(bedrock_messages_request *req, const char *data,
					      const bedrock_messages_block_options *opts);
/** A plain-text document. */
int bedrock_messages_request_add_document_text(bedrock_messages_request *req, const char *text,
					       const bedrock_messages_block_options *opts);
/** input_json: a JSON object, as text. */
int bedrock_messages_request_add_tool_use(bedrock_messages_request *req, const char *id,
					  const char *name, const char *input_json,
					  const bedrock_messages_block_options *opts);
/** Tool result whose content is a string (NULL: no content). */
int bedrock_messages_request_add_tool_result_text(bedrock_messages_request *req,
						  const char *tool_use_id, const char *text,
						  int is_error,
						  const bedrock_messages_block_options *opts);
/** Tool result whose content is a JSON array of content blocks, as text. */
int bedrock_messages_request_add_tool_result_blocks(bedrock_messages_request *req,
						    const char *tool_use_id,
						    const char *blocks_json, int is_error,
						    const bedrock_messages_block_options *opts);
/** A thinking block from an earlier response, passed back unchanged. */
int bedrock_messages_request_add_thinking(bedrock_messages_request *req, const char *thinking,
					  const char *signature);
int bedrock_messages_request_add_redacted_thinking(bedrock_messages_request *req, const char *data);
/** Any block, as a JSON object (types this header does not know yet). */
int bedrock_messages_request_add_block_json(bedrock_messages_request *req, const char *block_json);

typedef struct bedrock_message bedrock_message;

/**
 * Appends a response as the next assistant turn, its content blocks
 * unchanged (thinking signatures included), as a tool-use loop needs.
 *
 * @return 0; BEDROCK_EINVAL if a tool input never became JSON
 *         (input_partial); BEDROCK_ENOMEM
 */
int bedrock_messages_request_add_response(bedrock_messages_request *req, const bedrock_message *msg);

/** A client tool. input_schema_json: a JSON object, as text. */
int bedrock_messages_request_add_tool(bedrock_messages_request *req, const char *name,
				      const char *description, const char *input_schema_json,
				      const bedrock_messages_block_options *opts);
/** Any tool definition (server tools), as a JSON object. */
int bedrock_messages_request_add_tool_json(bedrock_messages_request *req, const char *tool_json);
/** name: required for BEDROCK_TOOL_CHOICE_TOOL, else ignored. */
int bedrock_messages_request_set_tool_choice(bedrock_messages_request *req,
					     bedrock_messages_tool_choice choice, const char *name,
					     int disable_parallel_tool_use);

/** budget_tokens: required (>= 1) for BEDROCK_THINKING_ENABLED, else ignored. */
int bedrock_messages_request_set_thinking(bedrock_messages_request *req,
					  bedrock_messages_thinking mode, int budget_tokens);

int bedrock_messages_request_set_temperature(bedrock_messages_request *req, double temperature);
int bedrock_messages_request_set_top_p(bedrock_messages_request *req, double top_p);
int bedrock_messages_request_set_top_k(bedrock_messages_request *req, int top_k);
int bedrock_messages_request_add_stop_sequence(bedrock_messages_request *req, const char *seq);
int bedrock_messages_request_set_metadata_user_id(bedrock_messages_request *req, const char *user_id);
/** A beta flag, sent in the body's `anthropic_beta` array. */
int bedrock_messages_request_add_beta(bedrock_messages_request *req, const char *beta);
/**
 * Merges the members of a JSON object into the body's top level, last:
 * a member named like one the builder sets replaces it.
 */
int bedrock_messages_request_merge_json(bedrock_messages_request *req, const char *object_json);

/**
 * Renders the InvokeModel body: `anthropic_version` added, no `model`, no
 * `stream`. Compact JSON, members in a fixed order.
 *
 * @param[out] out the body, NUL-terminated; bedrock_messages_string_free()
 * @param[out] len its length (may be NULL)
 * @return 0, BEDROCK_EINVAL (no messages) or BEDROCK_ENOMEM
 */
int bedrock_messages_request_json(char **out, size_t *len, const bedrock_messages_request *req);

/**
 * Renders the body for a platform's dialect (platform.h): for Bedrock,
 * exactly bedrock_messages_request_json(); for the Anthropic API, `model`
 * (from @p opts, or one merged into the body) first and `"stream": true`
 * when @p opts asks for it; for Vertex AI, its `anthropic_version` and the
 * stream flag. Betas go to @p out_betas on the platforms that take them as
 * the `anthropic-beta` header.
 *
 * @param[out] out the body; bedrock_messages_string_free()
 * @param[out] len its length (may be NULL)
 * @param[out] out_betas (may be NULL) the anthropic-beta header value, or
 *             NULL if none; bedrock_messages_string_free()
 * @param opts NULL for Bedrock
 * @return 0, BEDROCK_EINVAL (no messages; no model for the Anthropic API),
 *         BEDROCK_ENOMEM
 */
int bedrock_messages_request_render(char **out, size_t *len, char **out_betas,
				    const bedrock_messages_request *req,
				    const bedrock_body_options *opts);

/* ---- response ----------------------------------------------------------- */

typedef enum bedrock_stop_reason {
	BEDROCK_STOP_NONE = 0, /* null or absent */
	BEDROCK_STOP_END_TURN,
	BEDROCK_STOP_MAX_TOKENS,
	BEDROCK_STOP_STOP_SEQUENCE,
	BEDROCK_STOP_TOOL_USE,
	BEDROCK_STOP_PAUSE_TURN,
	BEDROCK_STOP_REFUSAL,
	BEDROCK_STOP_MODEL_CONTEXT_WINDOW_EXCEEDED,
	/** Anything else: read the string. */
	BEDROCK_STOP_UNKNOWN
} bedrock_stop_reason;

/** Token usage; -1 where the field was absent. */
typedef struct bedrock_usage {
	int64_t input_tokens;
	int64_t output_tokens;
	int64_t cache_creation_input_tokens;
	int64_t cache_read_input_tokens;
	/** usage.cache_creation.ephemeral_5m_input_tokens */
	int64_t ephemeral_5m_input_tokens;
	/** usage.cache_creation.ephemeral_1h_input_tokens */
	int64_t ephemeral_1h_input_tokens;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_usage;

typedef enum bedrock_content_type {
	BEDROCK_CONTENT_UNKNOWN = 0, /* server_tool_use, *_tool_result, ...: read json */
	BEDROCK_CONTENT_TEXT,
	BEDROCK_CONTENT_TOOL_USE,
	BEDROCK_CONTENT_THINKING,
	BEDROCK_CONTENT_REDACTED_THINKING
} bedrock_content_type;

typedef enum bedrock_citation_type {
	BEDROCK_CITATION_UNKNOWN = 0,
	BEDROCK_CITATION_CHAR_LOCATION,
	BEDROCK_CITATION_PAGE_LOCATION,
	BEDROCK_CITATION_CONTENT_BLOCK_LOCATION,
	BEDROCK_CITATION_SEARCH_RESULT_LOCATION,
	BEDROCK_CITATION_WEB_SEARCH_RESULT_LOCATION
} bedrock_citation_type;

/** One citation. Integers are -1 and strings NULL where absent. */
typedef struct bedrock_citation {
	bedrock_citation_type type;
	const char *type_name;
	const char *cited_text;
	int64_t document_index;
	const char *document_title;
	int64_t start_char_index, end_char_index;         /* char_location */
	int64_t start_page_number, end_page_number;       /* page_location */
	int64_t start_block_index, end_block_index;       /* content_block / search_result */
	int64_t search_result_index;                      /* search_result_location */
	const char *source;                               /* search_result_location */
	const char *title;                                /* search / web search */
	const char *url;                                  /* web_search_result_location */
	const char *encrypted_index;                      /* web_search_result_location */
	/** The citation object, compact JSON. */
	const char *json;
	size_t json_len;
} bedrock_citation;

/** One content block of a message, lent by the message. */
typedef struct bedrock_content_block {
	bedrock_content_type type;
	/** The block's "type" as sent ("text", "server_tool_use", ...). */
	const char *type_name;
	/** text: the text; thinking: the thinking. */
	const char *text;
	size_t text_len;
	/** thinking: the signature (NULL if none). */
	const char *signature;
	/** redacted_thinking: the data. */
	const char *data;
	/** tool_use (and server_tool_use): id and name. */
	const char *id;
	const char *name;
	/** tool_use: the input, compact JSON text. */
	const char *input_json;
	size_t input_json_len;
	/** 1 if the input is not JSON (streamed and cut short or malformed):
	 * input_json is then the text exactly as it was streamed. */
	int input_partial;
	/** text: its citations. */
	const bedrock_citation *citations;
	size_t citation_count;
	/** The whole block, compact JSON. */
	const char *json;
	size_t json_len;
} bedrock_content_block;

/* bedrock_message (declared above): a parsed Messages response. Opaque,
 * immutable, safe to share between threads. */

/**
 * Parses an InvokeModel response body (or any Messages `message` object).
 *
 * @param[out] out the message; bedrock_message_free()
 * @return 0, BEDROCK_EPROTOCOL (not JSON, not an object) or BEDROCK_ENOMEM
 */
int bedrock_message_parse(bedrock_message **out, const char *json, size_t len);
void bedrock_message_free(bedrock_message *msg);

/** The body, as given to bedrock_message_parse() (or as accumulated). */
const char *bedrock_message_json(const bedrock_message *msg, size_t *len);
const char *bedrock_message_id(const bedrock_message *msg);
const char *bedrock_message_model(const bedrock_message *msg);
const char *bedrock_message_role(const bedrock_message *msg);
bedrock_stop_reason bedrock_message_stop_reason(const bedrock_message *msg);
/** The stop_reason string, NULL if null/absent. */
const char *bedrock_message_stop_reason_str(const bedrock_message *msg);
const char *bedrock_message_stop_sequence(const bedrock_message *msg);
const bedrock_usage *bedrock_message_usage(const bedrock_message *msg);
size_t bedrock_message_content_count(const bedrock_message *msg);
/** Block i, or NULL past the end. */
const bedrock_content_block *bedrock_message_content(const bedrock_message *msg, size_t i);
/**
 * The text blocks, concatenated.
 *
 * @param[out] out NUL-terminated; bedrock_messages_string_free()
 */
int bedrock_message_text(char **out, size_t *len, const bedrock_message *msg);

/** Maps a stop_reason string (NULL: BEDROCK_STOP_NONE). */
bedrock_stop_reason bedrock_stop_reason_from_string(const char *s);

/* ---- streaming ---------------------------------------------------------- */

typedef enum bedrock_messages_event_kind {
	BEDROCK_STREAM_UNKNOWN = 0,
	BEDROCK_STREAM_MESSAGE_START,
	BEDROCK_STREAM_CONTENT_BLOCK_START,
	BEDROCK_STREAM_CONTENT_BLOCK_DELTA,
	BEDROCK_STREAM_CONTENT_BLOCK_STOP,
	BEDROCK_STREAM_MESSAGE_DELTA,
	BEDROCK_STREAM_MESSAGE_STOP,
	BEDROCK_STREAM_PING,
	BEDROCK_STREAM_ERROR
} bedrock_messages_event_kind;

typedef enum bedrock_stream_delta_kind {
	BEDROCK_DELTA_NONE = 0,
	BEDROCK_DELTA_TEXT,       /* text_delta: text */
	BEDROCK_DELTA_INPUT_JSON, /* input_json_delta: partial_json */
	BEDROCK_DELTA_THINKING,   /* thinking_delta: thinking */
	BEDROCK_DELTA_SIGNATURE,  /* signature_delta: signature */
	BEDROCK_DELTA_CITATIONS,  /* citations_delta: citation (json) */
	BEDROCK_DELTA_UNKNOWN
} bedrock_stream_delta_kind;

/** Bedrock's `amazon-bedrock-invocationMetrics`; -1 where absent. */
typedef struct bedrock_invocation_metrics {
	int64_t input_token_count;
	int64_t output_token_count;
	int64_t invocation_latency;
	int64_t first_byte_latency;
	int64_t cache_read_input_token_count;
	int64_t cache_write_input_token_count;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_invocation_metrics;

/**
 * One Anthropic stream event (bedrock_event.json of a `chunk`). Filled by
 * bedrock_messages_event_parse(); its strings are lent until
 * bedrock_messages_event_dispose() or the next parse into it.
 */
typedef struct bedrock_messages_event {
	bedrock_messages_event_kind kind;
	/** The event's "type" ("" if none). */
	const char *type;
	/** content_block_*: the block index; else -1. */
	int64_t index;
	/** content_block_delta: which delta. */
	bedrock_stream_delta_kind delta_kind;
	/** The delta's string: text, partial_json, thinking or signature;
	 * for citations_delta the citation as JSON. NULL otherwise. */
	const char *text;
	size_t text_len;
	/** content_block_start: the block's type ("text", "tool_use", ...). */
	const char *block_type;
	/** message_delta: stop_reason (+ string) and stop_sequence. */
	bedrock_stop_reason stop_reason;
	const char *stop_reason_str;
	const char *stop_sequence;
	/** message_start / message_delta: 1 and the usage given. */
	int has_usage;
	bedrock_usage usage;
	/** Any event: 1 and Bedrock's invocation metrics, if it carries them. */
	int has_metrics;
	bedrock_invocation_metrics metrics;
	/** error: error.type and error.message. */
	const char *error_type;
	const char *error_message;
	/** The event JSON, lent from the caller's buffer. */
	const char *json;
	size_t json_len;
	/** Internal: the parsed tree. */
	void *priv;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_messages_event;

/**
 * Parses one Anthropic stream event. `out` must start as
 * BEDROCK_MESSAGES_EVENT_INIT (or zeroed); parsing again reuses it.
 *
 * @param[out] out the event; bedrock_messages_event_dispose() when done
 * @param json the event JSON; must outlive `out` (json is lent from it)
 * @return 0, BEDROCK_EPROTOCOL (not a JSON object) or BEDROCK_ENOMEM
 */
int bedrock_messages_event_parse(bedrock_messages_event *out, const char *json, size_t len);
/** Zeroes a bedrock_messages_event before its first parse. */
#define BEDROCK_MESSAGES_EVENT_INIT { BEDROCK_STREAM_UNKNOWN, NULL, 0, BEDROCK_DELTA_NONE, NULL, 0, NULL, \
	BEDROCK_STOP_NONE, NULL, NULL, 0, { 0, 0, 0, 0, 0, 0, { NULL } }, 0, { 0, 0, 0, 0, 0, 0, { NULL } }, \
	NULL, NULL, NULL, 0, NULL, { NULL } }
void bedrock_messages_event_dispose(bedrock_messages_event *ev);

/** Rebuilds the final message from a stream of events. Not thread-safe. */
typedef struct bedrock_message_accumulator bedrock_message_accumulator;

int bedrock_message_accumulator_new(bedrock_message_accumulator **out);
void bedrock_message_accumulator_free(bedrock_message_accumulator *acc);
/**
 * Feeds one event. Unknown events and ping are ignored; an `error` event
 * returns BEDROCK_ESERVICE (see errmsg). Errors are sticky.
 *
 * @return 0, BEDROCK_EPROTOCOL (out of order: delta before start, index
 *         out of range), BEDROCK_ESERVICE or BEDROCK_ENOMEM
 */
int bedrock_message_accumulator_feed(bedrock_message_accumulator *acc,
				     const bedrock_messages_event *ev);
/** Parses and feeds one event JSON. */
int bedrock_message_accumulator_feed_json(bedrock_message_accumulator *acc, const char *json,
					  size_t len);
/** 1 once message_stop was fed. */
int bedrock_message_accumulator_done(const bedrock_message_accumulator *acc);
/** The last invocation metrics seen on any event; NULL if none. */
const bedrock_invocation_metrics *
bedrock_message_accumulator_metrics(const bedrock_message_accumulator *acc);
const char *bedrock_message_accumulator_errmsg(const bedrock_message_accumulator *acc);
/**
 * The message so far (complete after message_stop). Tool input still being
 * streamed, or not JSON at its block's stop, is kept as text and flagged
 * input_partial; in the message JSON its "input" is then that string.
 *
 * @param[out] out a new message; bedrock_message_free()
 * @return 0, BEDROCK_EPROTOCOL (no message_start yet) or BEDROCK_ENOMEM
 */
int bedrock_message_accumulator_message(bedrock_message **out,
					const bedrock_message_accumulator *acc);

/* ---- ConverseStream ----------------------------------------------------- */

/** Converse usage; -1 where absent. */
typedef struct bedrock_converse_usage {
	int64_t input_tokens;
	int64_t output_tokens;
	int64_t total_tokens;
	int64_t cache_read_input_tokens;
	int64_t cache_write_input_tokens;
} bedrock_converse_usage;

/** One toolUse block of a Converse response. */
typedef struct bedrock_converse_tool_use {
	int64_t index;
	const char *tool_use_id;
	const char *name;
	/** The input as streamed (the pieces joined). */
	const char *input_json;
	size_t input_json_len;
	/** 1 if input_json is not valid JSON. */
	int input_partial;
} bedrock_converse_tool_use;

/** What a ConverseStream added up to; lent by the accumulator. */
typedef struct bedrock_converse_result {
	const char *role;
	/** All text deltas, in order. */
	const char *text;
	size_t text_len;
	/** reasoningContent text and signature; redacted content count. */
	const char *reasoning_text;
	size_t reasoning_text_len;
	const char *reasoning_signature;
	size_t redacted_reasoning_count;
	/** messageStop.stopReason (NULL until then) and its enum. */
	const char *stop_reason_str;
	bedrock_stop_reason stop_reason;
	bedrock_converse_usage usage;
	/** metadata.metrics.latencyMs, -1 if absent. */
	int64_t latency_ms;
	const bedrock_converse_tool_use *tool_uses;
	size_t tool_use_count;
} bedrock_converse_result;

typedef struct bedrock_converse_accumulator bedrock_converse_accumulator;

int bedrock_converse_accumulator_new(bedrock_converse_accumulator **out);
void bedrock_converse_accumulator_free(bedrock_converse_accumulator *acc);
/**
 * Feeds one ConverseStream event: its `:event-type` and JSON payload
 * (bedrock_event.event_type and .json). Unknown event types are ignored.
 *
 * @return 0, BEDROCK_EPROTOCOL (payload not a JSON object) or BEDROCK_ENOMEM
 */
int bedrock_converse_accumulator_feed(bedrock_converse_accumulator *acc, const char *event_type,
				      const char *json, size_t len);
/** The result so far; valid until the next feed or free. */
const bedrock_converse_result *
bedrock_converse_accumulator_result(const bedrock_converse_accumulator *acc);

#ifdef __cplusplus
}
#endif

#endif
