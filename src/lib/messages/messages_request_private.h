/* The request builder's state and helpers, shared by messages_request.c
 * (options and rendering) and messages_blocks.c (content blocks). */
#ifndef BEDROCK_MESSAGES_REQUEST_PRIVATE_H
#define BEDROCK_MESSAGES_REQUEST_PRIVATE_H

#include "messages_private.h"

struct bedrock_messages_request {
	int max_tokens;
	cJSON *system;   /* string or array of blocks; NULL if unset */
	cJSON *messages; /* array */
	cJSON *tools;    /* array or NULL */
	cJSON *tool_choice, *thinking;
	int has_temperature, has_top_p, has_top_k;
	double temperature, top_p;
	int top_k;
	cJSON *stop_sequences, *metadata, *betas, *extra;
	char errmsg[256];
};

/* Sets errmsg and returns code. */
int bedrock__req_fail(bedrock_messages_request *req, int code, const char *fmt, ...);
/* Clears errmsg; returns 0. */
int bedrock__req_ok(bedrock_messages_request *req);
int bedrock__req_add_string(cJSON *obj, const char *key, const char *value);
int bedrock__req_check_opts(bedrock_messages_request *req, const bedrock_messages_block_options *o);
/* Adds cache_control if o asks for it; -1 on allocation failure. */
int bedrock__req_add_cache(cJSON *obj, const bedrock_messages_block_options *o);
/* Parses a caller's JSON text, which must be want_type (cJSON_Object,
 * cJSON_Array, or 0 for any); sets errmsg on failure. */
int bedrock__req_parse_arg(bedrock_messages_request *req, cJSON **out, const char *what,
			   const char *json, int want_type);
/* A text block with o's citations and cache_control; NULL with *rc set. */
cJSON *bedrock__req_new_block(bedrock_messages_request *req, const char *type);
cJSON *bedrock__req_text_block(bedrock_messages_request *req, const char *text,
			       const bedrock_messages_block_options *o, int *rc);

/* The body tree in the Bedrock dialect, model and stream still in it. */
int bedrock__req_body_tree(cJSON **out, const bedrock_messages_request *req);

#define NOMEM(req) bedrock__req_fail((req), BEDROCK_ENOMEM, "out of memory")

#define NEED(req, cond, what) \
	do { if (!(req)) return BEDROCK_EINVAL; \
	     if (!(cond)) return bedrock__req_fail((req), BEDROCK_EINVAL, "%s", (what)); } while (0)

#endif
