/* The Claude models on Bedrock, newest first, from the seed documents
 * (seeds/000..004). Where the seeds disagree the newest wins; by content
 * the order is 001 (before Sonnet 4.5) < 000 (last_updated 2025-11-08) <
 * 002 (Opus 4.5, a December 2025 deprecation) < 003 (Opus 4.6); 004 has
 * no date, so it ranks by its number, last: its AWS-style names ("Claude
 * 3 Haiku") win over "Claude Haiku 3". A model one seed leaves out (Opus 3
 * in 002) is kept: omission is not a contradiction.
 *
 * max_output_tokens and modalities are not in the seeds; they come from
 * Anthropic's model pages. A model whose seeds give no profile columns
 * (Sonnet 3.5 v2, Sonnet 3) has no profiles. */
#include "models_private.h"

#define G BEDROCK_PROFILE_GLOBAL
#define US BEDROCK_PROFILE_US
#define EU BEDROCK_PROFILE_EU
#define JP BEDROCK_PROFILE_JP
#define APAC BEDROCK_PROFILE_APAC
#define TXT BEDROCK_MODALITY_TEXT
#define IMG BEDROCK_MODALITY_IMAGE
#define C1M BEDROCK_MODEL_FEATURE_CONTEXT_1M
#define ADAPT BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING
#define THINK BEDROCK_MODEL_FEATURE_THINKING
/* 002: "Starting with Claude Sonnet 4.5 and all future models", global too on Vertex. */
#define VGLOBAL BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL
/* source; anthropic_id and vertex_id are NULL: they follow from the id by
 * rule (models_idrule.c). */
#define BUILTIN BEDROCK__SOURCE_BUILTIN, NULL, NULL

/* id, name, alias, family, profiles, on_demand, legacy, legacy_since,
 * max_output_tokens, context_tokens, modalities, features, then BUILTIN
 * (source, anthropic_id, vertex_id) */
const bedrock_model_info bedrock__models[] = {
	/* 003: no date, no ":0"; global. and us. ids shown; 1M beta. Adaptive
	 * thinking (not in the seeds): Anthropic's and AWS's adaptive-thinking
	 * pages list Opus 4.6 as the first model with it. */
	{ "anthropic.claude-opus-4-6-v1", "Claude Opus 4.6", "opus-4.6", "opus",
	  G | US, 0, 0, NULL, 128000, 200000, TXT | IMG, C1M | ADAPT | THINK | VGLOBAL, BUILTIN },
	/* 002 */
	{ "anthropic.claude-opus-4-5-20251101-v1:0", "Claude Opus 4.5", "opus-4.5", "opus",
	  G | US | EU, 0, 0, NULL, 64000, 200000, TXT | IMG, THINK | VGLOBAL, BUILTIN },
	/* 000, 002, 003; 1M beta per 002 and 003. */
	{ "anthropic.claude-sonnet-4-5-20250929-v1:0", "Claude Sonnet 4.5", "sonnet-4.5", "sonnet",
	  G | US | EU | JP, 0, 0, NULL, 64000, 200000, TXT | IMG, C1M | THINK | VGLOBAL, BUILTIN },
	/* 000, 002, 003 */
	{ "anthropic.claude-haiku-4-5-20251001-v1:0", "Claude Haiku 4.5", "haiku-4.5", "haiku",
	  G | US | EU, 0, 0, NULL, 64000, 200000, TXT | IMG, THINK | VGLOBAL, BUILTIN },
	/* 000, 001, 002 */
	{ "anthropic.claude-opus-4-1-20250805-v1:0", "Claude Opus 4.1", "opus-4.1", "opus",
	  US, 0, 0, NULL, 32000, 200000, TXT | IMG, THINK, BUILTIN },
	{ "anthropic.claude-opus-4-20250514-v1:0", "Claude Opus 4", "opus-4", "opus",
	  US, 0, 0, NULL, 32000, 200000, TXT | IMG, THINK, BUILTIN },
	/* 1M beta per 001, 002, 003. */
	{ "anthropic.claude-sonnet-4-20250514-v1:0", "Claude Sonnet 4", "sonnet-4", "sonnet",
	  G | US | EU | APAC, 0, 0, NULL, 64000, 200000, TXT | IMG, C1M | THINK, BUILTIN },
	/* Deprecated per 000 and 002 (001, older, does not say). Profile-only:
	 * 004's list of base ids invoked directly stops at Claude 3.5. */
	{ "anthropic.claude-3-7-sonnet-20250219-v1:0", "Claude Sonnet 3.7", "sonnet-3.7", "sonnet",
	  US | EU | APAC, 0, 1, "2025-10-28", 64000, 200000, TXT | IMG, THINK, BUILTIN },
	/* Deprecated per 002 (000, older, does not say). Text-only input as
	 * Bedrock launched it (not in the seeds; the least certain field here). */
	{ "anthropic.claude-3-5-haiku-20241022-v1:0", "Claude 3.5 Haiku", "haiku-3.5", "haiku",
	  US, 1, 1, "2025-12-19", 8192, 200000, TXT, 0, BUILTIN },
	/* 001 (deprecated), 004; no profile columns in either. */
	{ "anthropic.claude-3-5-sonnet-20241022-v2:0", "Claude 3.5 Sonnet v2", "sonnet-3.5", "sonnet",
	  0, 1, 1, "2025-08-13", 8192, 200000, TXT | IMG, 0, BUILTIN },
	/* 000, 001 (deprecated), 004; absent from 002 and 003. */
	{ "anthropic.claude-3-opus-20240229-v1:0", "Claude 3 Opus", "opus-3", "opus",
	  US, 1, 1, "2025-06-30", 4096, 200000, TXT | IMG, 0, BUILTIN },
	/* 004 only, not marked deprecated there. */
	{ "anthropic.claude-3-sonnet-20240229-v1:0", "Claude 3 Sonnet", "sonnet-3", "sonnet",
	  0, 1, 0, NULL, 4096, 200000, TXT | IMG, 0, BUILTIN },
	/* 000, 001, 002, 004 */
	{ "anthropic.claude-3-haiku-20240307-v1:0", "Claude 3 Haiku", "haiku-3", "haiku",
	  US | EU | APAC, 1, 0, NULL, 4096, 200000, TXT | IMG, 0, BUILTIN },
};

const size_t bedrock__models_count = sizeof(bedrock__models) / sizeof(bedrock__models[0]);
