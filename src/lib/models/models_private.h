/* The catalog's table, shared by the module's files. */
#ifndef BEDROCK_MODELS_PRIVATE_H
#define BEDROCK_MODELS_PRIVATE_H

#include <stddef.h>

#include "bedrock/models.h"

extern const bedrock_model_info bedrock__models[];
extern const size_t bedrock__models_count;

/* Every geo bit, in bit order; the low bits of a profile set. */
#define BEDROCK__PROFILE_ALL 31u

/* Exact, case-sensitive lookups of len bytes of id (not NUL-terminated). */
const bedrock_model_info *bedrock__model_find_base(const char *id, size_t len);
/* A "<geo>.<base id>" that the seeds list; sets *geo. */
const bedrock_model_info *bedrock__model_find_profile(bedrock_profile_geo *geo,
						      const char *id, size_t len);
/* bedrock_model_resolve() for an id starting "arn:" of length len. */
int bedrock__model_resolve_arn(bedrock_model_ref *out, const char *arn, size_t len);

#endif
