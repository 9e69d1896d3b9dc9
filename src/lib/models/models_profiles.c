/* Bedrock's answers to model ids it will not run, and the list of
 * system-defined inference profiles derived from the catalog's profile
 * bits. */
#include <stdio.h>
#include <string.h>

#include "bedrock/errors.h"
#include "models_private.h"

/* Bedrock's text, byte for byte: note "isn’t" with U+2019. */
#define ON_DEMAND_FMT "Invocation of model ID %s with on-demand throughput isn\xE2\x80\x99t supported. " \
	"Retry your request with the ID or ARN of an inference profile that contains this model."

static const char invalid_id[] = "The provided model identifier is invalid.";

/* Not in the seeds: where each geography's profiles route, for rendering
 * GetInferenceProfile's models[]. */
static const char *const regions_us[] = { "us-east-1", "us-east-2", "us-west-2", NULL };
static const char *const regions_eu[] = {
	"eu-central-1", "eu-north-1", "eu-south-1", "eu-south-2", "eu-west-1", "eu-west-3", NULL
};
static const char *const regions_jp[] = { "ap-northeast-1", "ap-northeast-3", NULL };
static const char *const regions_apac[] = {
	"ap-northeast-1", "ap-northeast-2", "ap-northeast-3", "ap-south-1", "ap-south-2",
	"ap-southeast-1", "ap-southeast-2", "ap-southeast-4", NULL
};
static const char *const regions_global[] = {
	"us-east-1", "us-east-2", "us-west-2", "eu-central-1", "eu-north-1", "eu-west-1",
	"eu-west-3", "ap-northeast-1", "ap-northeast-2", "ap-south-1", "ap-southeast-1",
	"ap-southeast-2", "ca-central-1", "sa-east-1", NULL
};

const char *bedrock_model_invalid_id_message(void)
{
	return invalid_id;
}

int bedrock_model_on_demand_message(char *out, size_t cap, const char *model_id)
{
	int n;

	if (out == NULL || cap == 0 || model_id == NULL)
		return BEDROCK_EINVAL;
	n = snprintf(out, cap, ON_DEMAND_FMT, model_id);
	if (n < 0) {
		out[0] = '\0';
		return BEDROCK_EINVAL;
	}
	return (size_t)n >= cap ? BEDROCK_ELIMIT : 0;
}

static void set_message(char *out, size_t cap, const char *msg)
{
	size_t len;

	if (out == NULL || cap == 0)
		return;
	len = strlen(msg);
	if (len >= cap)
		len = cap - 1;
	memcpy(out, msg, len);
	out[len] = '\0';
}

int bedrock_model_check_invocable(char *out, size_t cap, const bedrock_model_ref *ref)
{
	set_message(out, cap, "");
	if (ref == NULL || ref->model == NULL) {
		set_message(out, cap, invalid_id);
		return BEDROCK_ENOTFOUND;
	}
	if (ref->kind == BEDROCK_MODEL_REF_PROFILE || ref->kind == BEDROCK_MODEL_REF_PROFILE_ARN ||
	    ref->model->on_demand)
		return 0;
	/* The message names the base id even when given an ARN or alias. */
	if (out != NULL && cap > 0)
		(void)bedrock_model_on_demand_message(out, cap, ref->model->id);
	return BEDROCK_EINVAL;
}

const char *const *bedrock_profile_geo_regions(bedrock_profile_geo geo)
{
	switch (geo) {
	case BEDROCK_PROFILE_GLOBAL: return regions_global;
	case BEDROCK_PROFILE_US: return regions_us;
	case BEDROCK_PROFILE_EU: return regions_eu;
	case BEDROCK_PROFILE_JP: return regions_jp;
	case BEDROCK_PROFILE_APAC: return regions_apac;
	}
	return NULL;
}

unsigned bedrock_region_profile_geos(const char *region)
{
	static const bedrock_profile_geo all[] = {
		BEDROCK_PROFILE_GLOBAL, BEDROCK_PROFILE_US, BEDROCK_PROFILE_EU,
		BEDROCK_PROFILE_JP, BEDROCK_PROFILE_APAC
	};
	unsigned geos = 0;
	size_t i, j;

	if (region == NULL)
		return 0;
	for (i = 0; i < sizeof(all) / sizeof(all[0]); i++) {
		const char *const *r = bedrock_profile_geo_regions(all[i]);

		for (j = 0; r[j]; j++)
			if (!strcmp(r[j], region))
				geos |= (unsigned)all[i];
	}
	return geos;
}

int bedrock_model_id_for_region(char *out, size_t cap, const bedrock_model_info *m,
				const char *region)
{
	/* Global first: it has the most capacity behind it. A region in both
	 * JP and APAC prefers JP, which keeps the data in the country. */
	static const bedrock_profile_geo order[] = {
		BEDROCK_PROFILE_GLOBAL, BEDROCK_PROFILE_US, BEDROCK_PROFILE_EU,
		BEDROCK_PROFILE_JP, BEDROCK_PROFILE_APAC
	};
	unsigned usable;
	size_t i;

	if (out == NULL || m == NULL || region == NULL)
		return BEDROCK_EINVAL;
	if (cap > 0)
		out[0] = '\0';
	usable = m->profiles & bedrock_region_profile_geos(region);
	for (i = 0; i < sizeof(order) / sizeof(order[0]); i++)
		if (usable & (unsigned)order[i])
			return bedrock_model_profile_id(out, cap, m, order[i]);
	if (!m->on_demand)
		return BEDROCK_ENOTFOUND;
	if (strlen(m->id) >= cap)
		return BEDROCK_ELIMIT;
	memcpy(out, m->id, strlen(m->id) + 1);
	return 0;
}

static const char *geo_label(bedrock_profile_geo geo)
{
	switch (geo) {
	case BEDROCK_PROFILE_GLOBAL: return "Global";
	case BEDROCK_PROFILE_US: return "US";
	case BEDROCK_PROFILE_EU: return "EU";
	case BEDROCK_PROFILE_JP: return "JP";
	case BEDROCK_PROFILE_APAC: return "APAC";
	}
	return "";
}

static unsigned popcount(unsigned v)
{
	unsigned n = 0;

	for (; v; v &= v - 1)
		n++;
	return n;
}

size_t bedrock_profiles_count(void)
{
	const bedrock__catalog *cat = bedrock__catalog_get();
	const bedrock_model_info *m;
	size_t i, n = 0;

	for (i = 0; (m = bedrock__catalog_at(cat, i)) != NULL; i++)
		n += popcount(m->profiles & BEDROCK__PROFILE_ALL);
	return n;
}

int bedrock_profiles_at(bedrock_inference_profile *out, size_t i)
{
	const bedrock__catalog *cat = bedrock__catalog_get();
	const bedrock_model_info *info;
	size_t m;
	unsigned bit;

	if (out == NULL)
		return BEDROCK_EINVAL;
	memset(out, 0, sizeof(*out));
	/* One snapshot for the whole walk, so a reload cannot mix two. */
	for (m = 0; (info = bedrock__catalog_at(cat, m)) != NULL; m++) {
		for (bit = 1; bit <= BEDROCK__PROFILE_ALL; bit <<= 1) {
			if (!(info->profiles & bit))
				continue;
			if (i-- > 0)
				continue;
			out->model = info;
			out->geo = (bedrock_profile_geo)bit;
			out->regions = bedrock_profile_geo_regions(out->geo);
			if (bedrock_model_profile_id(out->id, sizeof(out->id), info, out->geo) != 0)
				return BEDROCK_ELIMIT;
			snprintf(out->name, sizeof(out->name), "%s Anthropic %s",
				 geo_label(out->geo), info->name);
			return 0;
		}
	}
	return BEDROCK_ITEROVER;
}
