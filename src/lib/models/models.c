/* The model catalog: looking identifiers up in the static table
 * (models_data.c, found by models_lookup.c). ARNs are taken apart in
 * models_arn.c. */
#include <string.h>

#include "bedrock/errors.h"
#include "ascii.h"
#include "models_private.h"

/* InvokeModelIdentifier's maximum length in the Bedrock model. */
#define MODEL_ID_LIMIT 2048

size_t bedrock_models_count(void)
{
	return bedrock__models_count;
}

const bedrock_model_info *bedrock_models_at(size_t i)
{
	return i < bedrock__models_count ? &bedrock__models[i] : NULL;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		if (bedrock__ascii_lower((unsigned char)*a) != bedrock__ascii_lower((unsigned char)*b))
			return 0;
	}
	return *a == *b;
}

static const bedrock_model_info *find_alias(const char *s)
{
	size_t i;

	for (i = 0; i < bedrock__models_count; i++)
		if (ascii_caseeq(s, bedrock__models[i].alias))
			return &bedrock__models[i];
	/* A bare family name means its newest model still ACTIVE; the table
	 * is newest first. */
	for (i = 0; i < bedrock__models_count; i++)
		if (!bedrock__models[i].legacy && ascii_caseeq(s, bedrock__models[i].family))
			return &bedrock__models[i];
	return NULL;
}

int bedrock_model_resolve(bedrock_model_ref *out, const char *model_id)
{
	size_t len;

	if (out == NULL || model_id == NULL)
		return BEDROCK_EINVAL;
	memset(out, 0, sizeof(*out));
	len = strnlen(model_id, MODEL_ID_LIMIT + 1);
	if (len == 0 || len > MODEL_ID_LIMIT)
		return BEDROCK_ENOTFOUND;
	if (strncmp(model_id, "arn:", 4) == 0)
		return bedrock__model_resolve_arn(out, model_id, len);
	if ((out->model = bedrock__model_find_base(model_id, len)) != NULL) {
		out->kind = BEDROCK_MODEL_REF_BASE;
		return 0;
	}
	if ((out->model = bedrock__model_find_profile(&out->geo, model_id, len)) != NULL) {
		out->kind = BEDROCK_MODEL_REF_PROFILE;
		return 0;
	}
	if ((out->model = find_alias(model_id)) != NULL) {
		out->kind = BEDROCK_MODEL_REF_ALIAS;
		return 0;
	}
	return BEDROCK_ENOTFOUND;
}

int bedrock_model_profile_id(char *out, size_t cap, const bedrock_model_info *m,
			     bedrock_profile_geo geo)
{
	const char *prefix = bedrock_profile_geo_prefix(geo);
	size_t plen, ilen;

	if (out == NULL || m == NULL || prefix == NULL)
		return BEDROCK_EINVAL;
	if (cap > 0)
		out[0] = '\0';
	if (!(m->profiles & (unsigned)geo))
		return BEDROCK_ENOTFOUND;
	plen = strlen(prefix);
	ilen = strlen(m->id);
	if (plen + 1 + ilen >= cap)
		return BEDROCK_ELIMIT;
	memcpy(out, prefix, plen);
	out[plen] = '.';
	memcpy(out + plen + 1, m->id, ilen + 1);
	return 0;
}
