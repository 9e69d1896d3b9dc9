/* Model ids of the Anthropic API, derived from libbedrock's catalog
 * (include/bedrock/models.h), for the emulator's Anthropic API front.
 * Pure: no state, safe from any thread. */
#ifndef BEDROCK_EMU_ANTHROPIC_MODELS_H
#define BEDROCK_EMU_ANTHROPIC_MODELS_H

#include <stddef.h>

#include "bedrock/models.h"

/* Room for any id or alias written here, NUL included. */
#define EMU_ANTHROPIC_MODEL_ID_MAX 96

/* The Anthropic API id of a Bedrock base id: "anthropic." and the
 * "-vN:M" / "-vN" suffix stripped,
 * "anthropic.claude-sonnet-4-5-20250929-v1:0" -> "claude-sonnet-4-5-20250929",
 * "anthropic.claude-opus-4-6-v1" -> "claude-opus-4-6". The one place this
 * rule lives (a candidate for the library's catalog). 0, or -1 when the
 * id is not an "anthropic." id or does not fit in cap. */
int emu_anthropic_model_id(char *out, size_t cap, const char *bedrock_id);

/* The Anthropic API id of a catalog model: the one a models file gave
 * (anthropic_id), else emu_anthropic_model_id() of its base id. 0 or -1. */
int emu_anthropic_model_api_id(char *out, size_t cap, const bedrock_model_info *m);

/* The API's moving alias of a dated id: the date dropped
 * ("claude-sonnet-4-5"), "-0" added to a whole version ("claude-opus-4-0")
 * and "-latest" to the Claude 3 generation ("claude-3-7-sonnet-latest").
 * Writes "" for an undated id (it is its own alias). 0 or -1 (cap). */
int emu_anthropic_model_alias(char *out, size_t cap, const char *api_id);

/* The catalog model an API id or alias names (case-sensitive, as the API
 * is), writing its full API id to out (may be NULL); NULL when unknown. */
const bedrock_model_info *emu_anthropic_model_find(char *out, size_t cap, const char *name);

/* created_at of the model list, RFC 3339: the id's date at midnight UTC;
 * for an undated id its release date (not in the catalog: from
 * Anthropic's announcements). */
void emu_anthropic_model_created(char *out, size_t cap, const char *api_id);

#endif
