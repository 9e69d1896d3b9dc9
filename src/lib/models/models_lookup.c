/* Finding a base model id or a profile id in the catalog's current
 * snapshot (models_catalog.c). models.c and models_arn.c both call down
 * into it. */
#include <string.h>

#include "bedrock/errors.h"
#include "models_private.h"

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
	const bedrock__catalog *cat = bedrock__catalog_get();
	const bedrock_model_info *m;
	size_t i;

	for (i = 0; (m = bedrock__catalog_at(cat, i)) != NULL; i++)
		if (strlen(m->id) == len && memcmp(m->id, id, len) == 0)
			return m;
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
