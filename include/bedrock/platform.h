/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The platforms Claude is served on, and how a Messages request body is
 * written for each.
 *
 * One Messages request, three dialects:
 *
 * | platform  | model           | stream          | version                        | betas                  |
 * |-----------|-----------------|-----------------|--------------------------------|------------------------|
 * | Bedrock   | in the URL      | in the URL      | body `anthropic_version`       | body `anthropic_beta`  |
 * |           |                 |                 | = "bedrock-2023-05-31"         |                        |
 * | Anthropic | body `model`    | body `stream`   | header `anthropic-version`     | header `anthropic-beta`|
 * |           |                 |                 | = "2023-06-01"                 |                        |
 * | Vertex AI | in the URL      | body `stream`   | body `anthropic_version`       | header `anthropic-beta`|
 * |           |                 | (and the verb)  | = "vertex-2023-10-16"          |                        |
 *
 * Everything here is pure: no I/O.
 */
#ifndef BEDROCK_PLATFORM_H
#define BEDROCK_PLATFORM_H

#include <stddef.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bedrock_platform {
	/** Amazon Bedrock (the default). */
	BEDROCK_PLATFORM_BEDROCK = 0,
	/** Anthropic's own API (api.anthropic.com). */
	BEDROCK_PLATFORM_ANTHROPIC = 1,
	/** Google Vertex AI. */
	BEDROCK_PLATFORM_VERTEX = 2
} bedrock_platform;

/** The `anthropic-version` header the Anthropic API is called with. */
#define BEDROCK_ANTHROPIC_API_VERSION "2023-06-01"
/** The body `anthropic_version` of a Vertex AI request. */
#define BEDROCK_VERTEX_ANTHROPIC_VERSION "vertex-2023-10-16"

/** "bedrock", "anthropic" or "vertex"; "unknown" for anything else. */
const char *bedrock_platform_name(bedrock_platform platform);

/**
 * Parses a platform name ("bedrock", "anthropic", "vertex"; case matters).
 *
 * @return 0, or BEDROCK_EINVAL for anything else (out untouched)
 */
int bedrock_platform_parse(bedrock_platform *out, const char *name);

#define BEDROCK_BODY_OPTIONS_VERSION 1

/**
 * How to write a Messages body. Initialise with BEDROCK_BODY_OPTIONS_INIT.
 */
typedef struct bedrock_body_options {
	/** (Required) BEDROCK_BODY_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) The dialect to write; Bedrock by default. */
	bedrock_platform platform;
	/** (Optional) The model id for the body's `model` (Anthropic API only:
	 * the other platforms carry it in the URL). NULL keeps a `model` the
	 * body already has. */
	const char *model;
	/** (Optional) 1 for a streaming call: `"stream": true` where the
	 * platform carries it in the body. */
	int stream;
} bedrock_body_options;

#define BEDROCK_BODY_OPTIONS_INIT { BEDROCK_BODY_OPTIONS_VERSION, BEDROCK_PLATFORM_BEDROCK, NULL, 0 }

/**
 * Rewrites a Messages request body written for any platform into the
 * dialect of @p opts (the table above): `model`, `stream`,
 * `anthropic_version` and the betas move to where that platform wants them.
 * Every other member, known or not, passes through untouched and in order.
 *
 * Betas are the union, in order and without repeats, of the body's
 * `anthropic_beta` array and @p betas_header (a comma-separated
 * `anthropic-beta` value; NULL or "" for none).
 *
 * @param[out] out the body, NUL-terminated, compact; free with
 *             bedrock_messages_string_free()
 * @param[out] out_len its length (may be NULL)
 * @param[out] out_betas (may be NULL) for platforms that take betas as a
 *             header: the comma-separated value to send, or NULL when there
 *             are none; free with bedrock_messages_string_free()
 * @param[out] out_model (may be NULL) the `model` the input body named, or
 *             NULL; free with bedrock_messages_string_free()
 * @return 0; BEDROCK_EINVAL (not a JSON object, `anthropic_beta` not an
 *         array of strings, unknown platform or options version, no model
 *         for the Anthropic API); BEDROCK_ENOMEM
 */
int bedrock_body_convert(char **out, size_t *out_len, char **out_betas, char **out_model,
			 const char *body, size_t body_len, const char *betas_header,
			 const bedrock_body_options *opts);

#ifdef __cplusplus
}
#endif

#endif
