/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The model catalog: which Claude model ids Bedrock knows, which
 * cross-region inference profiles exist for each, and which ids can be
 * invoked directly. `bedrock emulate` renders ListFoundationModels,
 * GetFoundationModel and ListInferenceProfiles from it and applies its
 * rules to InvokeModel; the CLI takes its model aliases from it.
 *
 * Where the data comes from: the Claude-on-Bedrock tables of the project's
 * seed documents, copied into a static table in the library. Where two
 * seeds disagree the newest one wins. Fields the seeds do not give (output
 * limits, modalities, the regions a profile routes to) are marked as such
 * where they are declared.
 *
 * The models file. Models ship faster than releases, so the catalog can be
 * extended at run time from a JSON file (docs/models-file.md has the
 * format): $BEDROCK_MODELS_FILE, else $XDG_CONFIG_HOME/bedrock/models.json,
 * else ~/.config/bedrock/models.json, read once on the catalog's first use
 * (a missing default file is no error), or the file given to
 * bedrock_models_load(). Its new entries come first, in the file's order
 * (newest first), then the built-in rows; an entry whose id is a built-in
 * one replaces that row in place. Each entry says where it came from
 * (bedrock_model_info.source). A file is taken whole or not at all: a bad
 * one leaves the catalog as it was and is reported
 * (bedrock_models_load_error()), never failing a lookup.
 *
 * Rules the catalog encodes:
 *
 * 1. Accepted identifiers (already percent-DECODED; "%3A" is not ":"):
 *    - a base id, "anthropic.claude-sonnet-4-5-20250929-v1:0";
 *    - a system inference profile id, "<geo>.<base id>" with geo one of
 *      global, us, eu, jp, apac, and only if the seeds (or the models file)
 *      list that profile
 *      for that model ("jp.anthropic.claude-haiku-4-5-…" does not exist);
 *    - a foundation-model ARN,
 *      "arn:<partition>:bedrock:<region>::foundation-model/<base id>";
 *    - an inference-profile ARN,
 *      "arn:<partition>:bedrock:<region>:<account>:inference-profile/<profile id>";
 *    - an alias ("sonnet-4.5", see bedrock_model_info.alias) or a family
 *      name ("sonnet", "opus", "haiku": the newest model of that family
 *      that is not LEGACY). Aliases are a libbedrock convenience: Bedrock
 *      itself never sees them.
 *    The partition is aws, aws-cn or aws-us-gov and must agree with the
 *    region (cn-* only in aws-cn, us-gov-* only in aws-us-gov). Ids are
 *    case-sensitive; aliases are not.
 * 2. ARNs of resources a user creates (application-inference-profile,
 *    provisioned-model, custom-model-deployment, imported-model, prompt,
 *    default-prompt-router, prompt-router) are well formed but cannot be
 *    mapped to a model offline: they resolve with kind
 *    BEDROCK_MODEL_REF_OPAQUE_ARN and model NULL, and the caller decides.
 * 3. Anything else is unknown, and Bedrock answers it with
 *    ValidationException "The provided model identifier is invalid."
 *    (bedrock_model_invalid_id_message()).
 * 4. On-demand rule. The Claude 3 generation (Claude 3 Haiku, Sonnet, Opus,
 *    Claude 3.5 Sonnet v2, Claude 3.5 Haiku) can be invoked by base id.
 *    Claude Sonnet 3.7 and every newer model (Sonnet 4, 4.5; Opus 4, 4.1,
 *    4.5, 4.6; Haiku 4.5) can only be invoked through an inference profile
 *    (its id or ARN); their base id, alone or in a foundation-model ARN,
 *    gets ValidationException "Invocation of model ID <id> with on-demand
 *    throughput isn’t supported. Retry your request with the ID or ARN of
 *    an inference profile that contains this model." (with a typographic
 *    apostrophe, U+2019, as Bedrock sends it).
 *
 * Thread safety: every function here may be called from any thread at any
 * time, bedrock_models_unload() excepted. The catalog is an immutable
 * snapshot published through an atomic pointer; bedrock_models_load()
 * builds a new one and swaps it in, and never frees the one it replaced
 * (readers may hold its entries), so every bedrock_model_info pointer
 * stays valid for the life of the process. Lookups take no lock. Two
 * calls may straddle a reload: an index given to bedrock_models_at() or
 * bedrock_profiles_at() may then name an entry of the newer snapshot.
 */
#ifndef BEDROCK_MODELS_H
#define BEDROCK_MODELS_H

#include <stddef.h>

#include "errors.h"
#include "platform.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Cross-region (system-defined) inference profile geographies; a bit set. */
typedef enum bedrock_profile_geo {
	BEDROCK_PROFILE_GLOBAL = 1,	/* "global." */
	BEDROCK_PROFILE_US = 2,		/* "us." */
	BEDROCK_PROFILE_EU = 4,		/* "eu." */
	BEDROCK_PROFILE_JP = 8,		/* "jp." */
	BEDROCK_PROFILE_APAC = 16	/* "apac." */
	/* Append only: new geographies take the next bit. */
} bedrock_profile_geo;

/** bedrock_model_info.modalities */
#define BEDROCK_MODALITY_TEXT  1u
#define BEDROCK_MODALITY_IMAGE 2u
/* PDF documents as input. Only a models file sets it ("pdf"): the seeds
 * do not say, so no built-in row claims it. */
#define BEDROCK_MODALITY_PDF   4u

/** bedrock_model_info.features */
/* The 1M-token context window beta (anthropic_beta "context-1m-2025-08-07"). */
#define BEDROCK_MODEL_FEATURE_CONTEXT_1M 1u
/*
 * Adaptive thinking ({"thinking":{"type":"adaptive"}} with
 * {"output_config":{"effort":...}}), the recommended way to think on the
 * models that have it; budgeted thinking ("enabled" + budget_tokens) is
 * deprecated there. Not in the seeds: from Anthropic's and AWS's
 * adaptive-thinking pages.
 */
#define BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING 2u
/*
 * Extended thinking at all ({"thinking":{"type":"enabled","budget_tokens":
 * N}}): Claude Sonnet 3.7 and the Claude 4 models; the Claude 3 and 3.5
 * models have none. Not in the seeds: from Anthropic's extended-thinking
 * page.
 */
#define BEDROCK_MODEL_FEATURE_THINKING 4u
/*
 * Served on Vertex AI's global endpoint (location "global"), not only on
 * regional ones: Claude Sonnet 4.5 and every later model, per the seeds'
 * Claude-on-Vertex page; older models are regional only. A models file's
 * new entries have it unless their "features" leave it out.
 */
#define BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL 8u

/** The AWS error code of both catalog errors. */
#define BEDROCK_MODEL_ERROR_CODE "ValidationException"

/** Room for any message this module writes (fits bedrock_error_info.message). */
#define BEDROCK_MODEL_MESSAGE_MAX 512

/** Room for any profile id this module writes, NUL included. */
#define BEDROCK_MODEL_ID_MAX 128

/**
 * One Claude model. The library owns every instance (the static table or
 * a models file's snapshot, both kept for the life of the process); fields
 * may be appended in later releases, so never allocate one, copy one by
 * value into long-lived storage, or rely on sizeof.
 */
typedef struct bedrock_model_info {
	/** Base id, "anthropic.claude-sonnet-4-5-20250929-v1:0". */
	const char *id;
	/** modelName, "Claude Sonnet 4.5". */
	const char *name;
	/** Short CLI alias, unique: "sonnet-4.5"; "" when a models file's
	 *  entry has none (never NULL). */
	const char *alias;
	/** "sonnet", "opus" or "haiku" (a models file may name another). */
	const char *family;
	/** The system inference profiles that exist: bedrock_profile_geo bits. */
	unsigned profiles;
	/**
	 * 1 if the base id can be invoked directly (inferenceTypesSupported
	 * ["ON_DEMAND"]); 0 if only through a profile (["INFERENCE_PROFILE"]).
	 */
	int on_demand;
	/** 1 if deprecated in the seeds: modelLifecycle.status "LEGACY". */
	int legacy;
	/** The deprecation date, "2025-10-28", or NULL when not legacy. */
	const char *legacy_since;
	/**
	 * Largest max_tokens the model accepts. Not in the seeds: taken from
	 * Anthropic's model pages.
	 */
	unsigned max_output_tokens;
	/** Context window without betas: 200000 for every model here. */
	unsigned context_tokens;
	/**
	 * Input modalities, BEDROCK_MODALITY_* (output is always TEXT and
	 * responseStreamingSupported always true). Not in the seeds.
	 */
	unsigned modalities;
	/** BEDROCK_MODEL_FEATURE_* bits (1M context from the seeds; adaptive
	 *  thinking from Anthropic's pages). */
	unsigned features;
	/* Appended with the models file (0.1 ABI: read only from the library's
	 * own instances, so older programs never see past `features`). */
	/** Where the entry comes from: "built-in", or the path of the models
	 *  file that added or replaced it. */
	const char *source;
	/** The Anthropic API id a models file gave ("anthropic_id"), or NULL
	 *  when it follows from id by rule; bedrock_model_platform_id()
	 *  answers either way. */
	const char *anthropic_id;
	/** The same for Vertex AI ("vertex_id"). */
	const char *vertex_id;
} bedrock_model_info;

/** Number of models in the catalog (built-in and models file). */
size_t bedrock_models_count(void);

/**
 * The i-th model, newest first (a models file's new entries, then the
 * built-in rows), or NULL when i >= bedrock_models_count(). The pointer is
 * lent for the life of the program.
 */
const bedrock_model_info *bedrock_models_at(size_t i);

/** The environment variable naming the models file. */
#define BEDROCK_MODELS_FILE_ENV "BEDROCK_MODELS_FILE"

/** The largest models file read, in bytes. */
#define BEDROCK_MODELS_FILE_MAX (1024u * 1024u)

/**
 * Replaces the catalog's models-file entries with those of @p path, all
 * at once: lookups in other threads see the old catalog or the new one,
 * never a mix. Built-in rows stay unless the file replaces them.
 *
 * @param path the file; NULL for the default location:
 *             $BEDROCK_MODELS_FILE if set and not empty, else
 *             $XDG_CONFIG_HOME/bedrock/models.json (an absolute
 *             XDG_CONFIG_HOME), else $HOME/.config/bedrock/models.json. A
 *             missing file there is not an error (the catalog is then the
 *             built-in one); a missing file named by @p path or by the
 *             variable is.
 * @param err  (optional) detail on failure: the message names the file
 *             and, where it can, the entry and field
 *             ("models.json: models[2].max_output_tokens: wants a positive
 *             integer"); never a secret
 * @return 0; BEDROCK_ECONFIG for a file that is missing, unreadable,
 *         larger than BEDROCK_MODELS_FILE_MAX or not a valid models file
 *         (the catalog is then unchanged, or built-in only if nothing had
 *         been loaded: the default file is not read instead);
 *         BEDROCK_ENOMEM. Either way the result is what
 *         bedrock_models_load_error() reports until the next load.
 */
int bedrock_models_load(const char *path, bedrock_error_info *err);

/**
 * Whether the last load failed: the automatic one of the default location
 * (on the catalog's first use) or the last bedrock_models_load(). Lets a
 * program warn about a bad models file that lookups quietly did without.
 * Loads the default location first if nothing has been loaded yet.
 *
 * @param out (optional) receives the failed load's detail; zeroed on 0
 * @return 0 if the catalog in use loaded cleanly, else that load's error
 *         code (BEDROCK_ECONFIG, BEDROCK_ENOMEM)
 */
int bedrock_models_load_error(bedrock_error_info *out);

/**
 * Writes the path bedrock_models_load(NULL, ...) reads.
 *
 * @param[out] named (may be NULL) 1 when $BEDROCK_MODELS_FILE names it
 *             (a missing file is then an error), 0 for the XDG default
 * @return 0; BEDROCK_ENOTFOUND when neither the variable, XDG_CONFIG_HOME
 *         nor HOME is set (out is then ""); BEDROCK_ELIMIT if cap is too
 *         small; BEDROCK_EINVAL for a NULL out or cap 0
 */
int bedrock_models_default_path(char *out, size_t cap, int *named);

/**
 * Drops every models file loaded so far and frees its memory: the catalog
 * is built-in only from then on (the default file is not read again until
 * bedrock_models_load()). For leak checkers at exit and for tests.
 *
 * Not thread-safe: no other thread may use the catalog during the call,
 * and no bedrock_model_info pointer obtained before it may be used after.
 */
void bedrock_models_unload(void);

/** What kind of identifier bedrock_model_resolve() was given. */
typedef enum bedrock_model_ref_kind {
	BEDROCK_MODEL_REF_BASE = 0,		/* "anthropic.claude-…" */
	BEDROCK_MODEL_REF_PROFILE = 1,		/* "us.anthropic.claude-…" */
	BEDROCK_MODEL_REF_FOUNDATION_ARN = 2,	/* "arn:…::foundation-model/…" */
	BEDROCK_MODEL_REF_PROFILE_ARN = 3,	/* "arn:…:inference-profile/…" */
	BEDROCK_MODEL_REF_ALIAS = 4,		/* "sonnet-4.5", "sonnet" */
	BEDROCK_MODEL_REF_OPAQUE_ARN = 5	/* a user resource's ARN; model NULL */
} bedrock_model_ref_kind;

/** A resolved identifier. Plain data: the caller owns it. */
typedef struct bedrock_model_ref {
	/** The model; NULL only when kind is BEDROCK_MODEL_REF_OPAQUE_ARN. */
	const bedrock_model_info *model;
	bedrock_model_ref_kind kind;
	/** The profile's geography, or 0 when the id names no system profile. */
	bedrock_profile_geo geo;
	/** From an ARN: "aws", "aws-cn", "aws-us-gov"; else "". */
	char partition[16];
	/** From an ARN: "us-east-1"; else "". */
	char region[32];
	/** From an ARN: the 12-digit account, "" when the ARN has none. */
	char account[16];
	/** From an ARN: "foundation-model", "provisioned-model", …; else "". */
	char resource_type[32];
	/**
	 * Opaque ARNs only: what follows the resource type's '/', lent from
	 * the string given to bedrock_model_resolve(); else NULL.
	 */
	const char *resource_id;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_model_ref;

/**
 * Resolves any accepted identifier (rules 1–3 above).
 *
 * @param out      filled on success; zeroed on failure
 * @param model_id NUL-terminated and percent-decoded; at most 2048 bytes
 *                 (Bedrock's limit), longer is unknown
 * @return 0; BEDROCK_ENOTFOUND for an unknown or malformed identifier
 *         (answer it with bedrock_model_invalid_id_message());
 *         BEDROCK_EINVAL if out or model_id is NULL
 */
int bedrock_model_resolve(bedrock_model_ref *out, const char *model_id);

/**
 * Applies the on-demand rule (rule 4) to a resolved identifier.
 *
 * @param out     if not NULL, receives Bedrock's message when the result is
 *                not 0 ("" when it is 0); NUL-terminated, truncated to cap
 * @param cap     size of out (BEDROCK_MODEL_MESSAGE_MAX is always enough)
 * @param ref     from bedrock_model_resolve()
 * @return 0 if Bedrock would accept the id; BEDROCK_EINVAL (the on-demand
 *         message) for a profile-only model named by base id, foundation
 *         ARN or alias; BEDROCK_ENOTFOUND (the invalid-identifier message)
 *         for an opaque ARN, which the catalog cannot vouch for, or a NULL
 *         ref
 */
int bedrock_model_check_invocable(char *out, size_t cap, const bedrock_model_ref *ref);

/** "The provided model identifier is invalid." (static). */
const char *bedrock_model_invalid_id_message(void);

/**
 * Writes Bedrock's on-demand message for model_id.
 *
 * @return 0, BEDROCK_ELIMIT if truncated (out still NUL-terminated), or
 *         BEDROCK_EINVAL for a NULL argument or cap 0
 */
int bedrock_model_on_demand_message(char *out, size_t cap, const char *model_id);

/**
 * Writes the system inference profile id of m in geo,
 * "global.anthropic.claude-sonnet-4-5-20250929-v1:0".
 *
 * @return 0; BEDROCK_ENOTFOUND if the model has no such profile;
 *         BEDROCK_EINVAL if geo is not exactly one bedrock_profile_geo or
 *         an argument is NULL; BEDROCK_ELIMIT if cap is too small
 *         (BEDROCK_MODEL_ID_MAX is always enough)
 */
int bedrock_model_profile_id(char *out, size_t cap, const bedrock_model_info *m,
			     bedrock_profile_geo geo);

/**
 * The profile a client should use when given only a model: global if it
 * exists, else us, eu, jp, apac in that order; 0 when the model has none
 * (it is then invoked by base id).
 */
bedrock_profile_geo bedrock_model_default_geo(const bedrock_model_info *m);

/**
 * The geographies whose system profiles can be called from @p region
 * (bedrock_profile_geo bits): those whose bedrock_profile_geo_regions()
 * list the region. 0 for NULL or a region no profile serves.
 */
unsigned bedrock_region_profile_geos(const char *region);

/**
 * The id to call @p m with from @p region: its global profile when the
 * region can use it, else the profile of the region's own geography, else
 * the base id when the model is offered on demand.
 *
 * @return 0; BEDROCK_ENOTFOUND when the model cannot be called from the
 *         region at all (out is then ""); BEDROCK_EINVAL for a NULL
 *         argument; BEDROCK_ELIMIT if cap is too small
 *         (BEDROCK_MODEL_ID_MAX is always enough)
 */
int bedrock_model_id_for_region(char *out, size_t cap, const bedrock_model_info *m,
				const char *region);

/**
 * The model's id on a platform: Bedrock's base id
 * ("anthropic.claude-sonnet-4-5-20250929-v1:0"; for the id to call from a
 * region, bedrock_model_id_for_region()), the Anthropic API's
 * ("claude-sonnet-4-5-20250929") or Vertex AI's
 * ("claude-sonnet-4-5@20250929"; undated models such as "claude-opus-4-6"
 * are the same on both). A models file's anthropic_id or vertex_id, when
 * given, is the answer instead of the rule.
 *
 * @return 0; BEDROCK_ELIMIT if cap is too small (64 is always enough);
 *         BEDROCK_ENOTFOUND if the base id is not of Anthropic's form;
 *         BEDROCK_EINVAL
 */
int bedrock_model_platform_id(char *out, size_t cap, const bedrock_model_info *m,
			      bedrock_platform platform);

/**
 * Finds a model by any platform's full id: Bedrock base, profile and ARN
 * ids, Anthropic API ids (dated, or the undated alias "claude-sonnet-4-5"),
 * Vertex AI ids. Short CLI aliases ("sonnet-4.5") are not ids: see
 * bedrock_model_resolve().
 *
 * @param[out] platform (may be NULL) which platform's form @p id has
 * @return the model (lent for the life of the program), or NULL if the
 *         catalog has none
 */
const bedrock_model_info *bedrock_model_find_platform_id(bedrock_platform *platform, const char *id);

/** "global", "us", "eu", "jp", "apac"; NULL for anything else. */
const char *bedrock_profile_geo_prefix(bedrock_profile_geo geo);

/**
 * The Regions a profile of this geography routes requests to,
 * NULL-terminated and static; NULL for an unknown geo. Not in the seeds:
 * a representative list for rendering, not a statement about availability.
 */
const char *const *bedrock_profile_geo_regions(bedrock_profile_geo geo);

/** One system-defined inference profile, as ListInferenceProfiles lists it. */
typedef struct bedrock_inference_profile {
	const bedrock_model_info *model;
	bedrock_profile_geo geo;
	/** inferenceProfileId, "us.anthropic.claude-sonnet-4-5-20250929-v1:0". */
	char id[BEDROCK_MODEL_ID_MAX];
	/** inferenceProfileName, "US Anthropic Claude Sonnet 4.5". */
	char name[96];
	/** bedrock_profile_geo_regions(geo). */
	const char *const *regions;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_inference_profile;

/** Number of system inference profiles (one per model and geo bit). */
size_t bedrock_profiles_count(void);

/**
 * The i-th profile: models in catalog order, then geographies in bit order.
 *
 * @return 0, BEDROCK_ITEROVER when i >= bedrock_profiles_count(), or
 *         BEDROCK_EINVAL if out is NULL
 */
int bedrock_profiles_at(bedrock_inference_profile *out, size_t i);

#ifdef __cplusplus
}
#endif

#endif
