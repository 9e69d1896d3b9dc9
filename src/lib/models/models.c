/* The model catalog: looking identifiers up in the static table
 * (models_data.c). ARNs are taken apart in models_arn.c. */
#include <string.h>

#include "bedrock/errors.h"
#include "models_private.h"

/* InvokeModelIdentifier's maximum length in the Bedrock model. */
#define MODEL_ID_LIMIT 2048

static const struct {
	bedrock_profile_geo geo;
	const char *prefix;
} geo_prefixes[] = {
	{ BEDROCK_PROFILE_GLOBAL, "global" },
	{ BEDROCK_PROFILE_US, "us" },
	{ BEDROCK_PROFILE_EU, "eu" },
	{ BEDROCK_PROFILE_JP, "jp" },
	{ BEDROCK_PROFILE_APAC, "apac" },
};

size_t bedrock_models_count(void)
{
	return bedrock__models_count;
}

const bedrock_model_info *bedrock_models_at(size_t i)
{
	return i < bedrock__models_count ? &bedrock__models[i] : NULL;
}

const char *bedrock_profile_geo_prefix(bedrock_profile_geo geo)
{
	size_t i;

	for (i = 0; i < sizeof(geo_prefixes) / sizeof(geo_prefixes[0]); i++)
		if (geo_prefixes[i].geo == geo)
			return geo_prefixes[i].prefix;
	return NULL;
}

const bedrock_model_info *bedrock__model_find_base(const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < bedrock__models_count; i++) {
		const char *m = bedrock__models[i].id;

		if (strlen(m) == len && memcmp(m, id, len) == 0)
			return &bedrock__models[i];
	}
	return NULL;
}

const bedrock_model_info *bedrock__model_find_profile(bedrock_profile_geo *geo,
						      const char *id, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(geo_prefixes) / sizeof(geo_prefixes[0]); i++) {
		size_t plen = strlen(geo_prefixes[i].prefix);
		const bedrock_model_info *m;

		if (len <= plen + 1 || id[plen] != '.' ||
		    memcmp(id, geo_prefixes[i].prefix, plen) != 0)
			continue;
		m = bedrock__model_find_base(id + plen + 1, len - plen - 1);
		/* A geo the seeds do not list for the model does not exist. */
		if (m == NULL || !(m->profiles & (unsigned)geo_prefixes[i].geo))
			return NULL;
		*geo = geo_prefixes[i].geo;
		return m;
	}
	return NULL;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
		char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
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

bedrock_profile_geo bedrock_model_default_geo(const bedrock_model_info *m)
{
	size_t i;

	if (m == NULL)
		return (bedrock_profile_geo)0;
	for (i = 0; i < sizeof(geo_prefixes) / sizeof(geo_prefixes[0]); i++)
		if (m->profiles & (unsigned)geo_prefixes[i].geo)
			return geo_prefixes[i].geo;
	return (bedrock_profile_geo)0;
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
