/* The model catalog: looking identifiers up in the current snapshot (the
 * static table of models_data.c with a models file's entries merged in,
 * models_catalog.c; found by models_lookup.c). ARNs are taken apart in
 * models_arn.c. */
#include <string.h>

#include "bedrock/errors.h"
#include "ascii.h"
#include "models_private.h"

/* InvokeModelIdentifier's maximum length in the Bedrock model. */
#define MODEL_ID_LIMIT 2048

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
	const bedrock__catalog *cat = bedrock__catalog_get();
	const bedrock_model_info *m;
	size_t i;

	for (i = 0; (m = bedrock__catalog_at(cat, i)) != NULL; i++)
		if (m->alias[0] && ascii_caseeq(s, m->alias))
			return m;
	/* A bare family name means its newest model still ACTIVE; the
	 * catalog is newest first, a models file's new entries before the
	 * built-in rows. */
	for (i = 0; (m = bedrock__catalog_at(cat, i)) != NULL; i++)
		if (!m->legacy && ascii_caseeq(s, m->family))
			return m;
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
