/* The catalog's table, shared by the module's files, and the snapshot the
 * models file extends it with. */
#ifndef BEDROCK_MODELS_PRIVATE_H
#define BEDROCK_MODELS_PRIVATE_H

#include <stddef.h>

#include "bedrock/errors.h"
#include "bedrock/models.h"
#include "bedrock/platform.h"

extern const bedrock_model_info bedrock__models[];
extern const size_t bedrock__models_count;

/* Every geo bit, in bit order; the low bits of a profile set. */
#define BEDROCK__PROFILE_ALL 31u

/* bedrock_model_info.source of the compiled-in rows. */
#define BEDROCK__SOURCE_BUILTIN "built-in"

/* Limits of a models file, each named in the error that enforces it. */
#define BEDROCK__MODELS_FILE_MAX_MODELS 256
#define BEDROCK__MODELS_FILE_ID_MAX 63		/* id, anthropic_id, vertex_id */
#define BEDROCK__MODELS_FILE_NAME_MAX 64	/* fits bedrock_inference_profile.name */
#define BEDROCK__MODELS_FILE_WORD_MAX 32	/* alias, family */
#define BEDROCK__MODELS_FILE_TOKENS_MAX 100000000u

typedef struct bedrock__string bedrock__string;

/*
 * One published catalog: the built-in rows with a models file's entries
 * merged in. Immutable once published; never freed while published or
 * while an older pointer to one of its entries may be in use (see
 * models_catalog.c), so every bedrock_model_info it lends stays valid.
 */
typedef struct bedrock__catalog {
	/* The snapshot this one replaced: kept (and reachable, for leak
	 * checkers) because readers may still hold its entries. */
	const struct bedrock__catalog *older;
	/* The merged list, count long; NULL for the built-in table alone. */
	const bedrock_model_info **list;
	size_t count;
	/* The file's own entries (new ones and overrides) and their strings. */
	bedrock_model_info *entries;
	size_t entry_count;
	bedrock__string *strings;
} bedrock__catalog;

/* The current snapshot; loads the default models file on first use. */
const bedrock__catalog *bedrock__catalog_get(void);

static inline size_t bedrock__catalog_count(const bedrock__catalog *c)
{
	return c->list ? c->count : bedrock__models_count;
}

static inline const bedrock_model_info *bedrock__catalog_at(const bedrock__catalog *c, size_t i)
{
	if (i >= bedrock__catalog_count(c))
		return NULL;
	return c->list ? c->list[i] : &bedrock__models[i];
}

/*
 * Parses a models file's text (pure: no I/O) and merges it with the
 * built-in table into a new, unpublished snapshot. source names the file
 * in errors and becomes each entry's bedrock_model_info.source.
 *
 * @return 0; BEDROCK_ECONFIG with err->message "SOURCE: models[2].field:
 *         what is wrong"; BEDROCK_ENOMEM; BEDROCK_EINVAL for a NULL argument
 */
int bedrock__models_file_parse(bedrock__catalog **out, const char *data, size_t len,
			       const char *source, bedrock_error_info *err);
/* Frees a snapshot from bedrock__models_file_parse(), not its older ones. */
void bedrock__catalog_free(bedrock__catalog *c);

/*
 * The rule that takes a Bedrock base id to the Anthropic API's or Vertex
 * AI's ("anthropic.claude-sonnet-4-5-20250929-v1:0" -> "claude-sonnet-4-5-
 * 20250929" or "claude-sonnet-4-5@20250929"). Pure, so the parser checks
 * what lookups will derive.
 *
 * @return 0; BEDROCK_ENOTFOUND if the id is not of Anthropic's form;
 *         BEDROCK_ELIMIT if cap is too small; BEDROCK_EINVAL
 */
int bedrock__model_derive_id(char *out, size_t cap, const char *bedrock_id,
			     bedrock_platform platform);

/* Exact, case-sensitive lookups of len bytes of id (not NUL-terminated). */
const bedrock_model_info *bedrock__model_find_base(const char *id, size_t len);
/* A "<geo>.<base id>" that the seeds list; sets *geo. */
const bedrock_model_info *bedrock__model_find_profile(bedrock_profile_geo *geo,
						      const char *id, size_t len);
/* bedrock_model_resolve() for an id starting "arn:" of length len. */
int bedrock__model_resolve_arn(bedrock_model_ref *out, const char *arn, size_t len);

#endif
