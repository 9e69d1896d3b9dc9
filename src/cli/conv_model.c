/* -m/--model: from what people type to the id Bedrock takes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"

static void list_profiles(char *out, size_t cap, const bedrock_model_info *m)
{
	static const bedrock_profile_geo geos[] = { BEDROCK_PROFILE_GLOBAL, BEDROCK_PROFILE_US,
						    BEDROCK_PROFILE_EU, BEDROCK_PROFILE_JP,
						    BEDROCK_PROFILE_APAC };
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < sizeof(geos) / sizeof(geos[0]) && n < cap; i++)
		if (m->profiles & (unsigned)geos[i])
			n += (size_t)snprintf(out + n, cap - n, "%s%s.", n ? ", " : "",
					      bedrock_profile_geo_prefix(geos[i]));
}

/* An alias: the id to call the model with from the region, as `bedrock
 * models` shows it (bedrock_model_id_for_region()), or the profile of the
 * geography named in "GEO.ALIAS". */
static int from_alias(conv_model *out, const bedrock_model_info *m, bedrock_profile_geo want,
		      const char *region, char *err, size_t cap)
{
	char have[64];

	if (want ? (m->profiles & (unsigned)want) &&
			   bedrock_model_profile_id(out->id, sizeof(out->id), m, want) == 0
		 : bedrock_model_id_for_region(out->id, sizeof(out->id), m, region) == 0)
		return 0;
	list_profiles(have, sizeof(have), m);
	if (want)
		snprintf(err, cap, "%s has no %s. inference profile (it has: %s)", m->name,
			 bedrock_profile_geo_prefix(want), have[0] ? have : "none");
	else
		snprintf(err, cap, "%s has no inference profile for %s (it has: %s); name one with "
			 "-m GEO.%s, a full profile id, or choose another --region",
			 m->name, region, have[0] ? have : "none", m->alias);
	return -1;
}

/* Anything that looks like an id rather than a misspelt alias. */
static int looks_like_id(const char *s)
{
	return strchr(s, '.') || strchr(s, ':') || strchr(s, '/');
}

static const bedrock_profile_geo all_geos[] = { BEDROCK_PROFILE_GLOBAL, BEDROCK_PROFILE_US,
						BEDROCK_PROFILE_EU, BEDROCK_PROFILE_JP,
						BEDROCK_PROFILE_APAC };

/* Off Bedrock: an alias becomes the platform's id; any id passes. */
static int other_platform(conv_model *out, const char *arg, bedrock_platform platform, char *err,
			  size_t cap)
{
	bedrock_model_ref ref;
	bedrock_platform p;
	const bedrock_model_info *m;

	if (bedrock_model_resolve(&ref, arg) == 0 && ref.kind == BEDROCK_MODEL_REF_ALIAS) {
		out->info = ref.model;
		out->claude = 1;
		if (bedrock_model_platform_id(out->id, sizeof(out->id), ref.model, platform) == 0)
			return 0;
		snprintf(err, cap, "%s has no id on %s", ref.model->name, bedrock_platform_name(platform));
		return -1;
	}
	if ((m = bedrock_model_find_platform_id(&p, arg)) != NULL) {
		out->info = m;
		out->claude = 1;
	} else if (!looks_like_id(arg) && strncmp(arg, "claude-", 7)) {
		snprintf(err, cap, "unknown model '%s': use an alias (sonnet, opus, haiku, sonnet-4.5, "
			 "opus-4.6, ...) or a model id such as claude-sonnet-4-5-20250929", arg);
		return -1;
	} else {
		out->claude = !strncmp(arg, "claude-", 7);
	}
	snprintf(out->id, sizeof(out->id), "%s", arg);
	return 0;
}

int conv_model_resolve(conv_model *out, const char *arg, const char *region, char *err,
		       size_t cap)
{
	return conv_model_resolve_on(out, arg, BEDROCK_PLATFORM_BEDROCK, region, err, cap);
}

int conv_model_resolve_on(conv_model *out, const char *arg, bedrock_platform platform,
			  const char *region, char *err, size_t cap)
{
	bedrock_model_ref ref;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!arg || !*arg)
		arg = getenv("BEDROCK_MODEL");
	/* Claude Code's variable means the same here. */
	if (!arg || !*arg)
		arg = getenv("ANTHROPIC_MODEL");
	if (!arg || !*arg)
		arg = CONV_DEFAULT_MODEL;
	if (strlen(arg) >= sizeof(out->id)) {
		snprintf(err, cap, "the model id is too long");
		return -1;
	}
	if (platform != BEDROCK_PLATFORM_BEDROCK)
		return other_platform(out, arg, platform, err, cap);
	if (!region)
		region = "";
	if (strlen(arg) >= sizeof(out->id)) {
		snprintf(err, cap, "the model id is too long");
		return -1;
	}
	/* "eu.sonnet-4.5": an alias with the geography chosen. */
	for (i = 0; i < sizeof(all_geos) / sizeof(all_geos[0]); i++) {
		const char *p = bedrock_profile_geo_prefix(all_geos[i]);
		size_t n = strlen(p);

		if (!strncmp(arg, p, n) && arg[n] == '.' && bedrock_model_resolve(&ref, arg + n + 1) == 0 &&
		    ref.kind == BEDROCK_MODEL_REF_ALIAS) {
			out->info = ref.model;
			out->claude = 1;
			return from_alias(out, ref.model, all_geos[i], region, err, cap);
		}
	}
	if (bedrock_model_resolve(&ref, arg) == 0) {
		out->info = ref.model;
		out->claude = 1;
		if (ref.kind == BEDROCK_MODEL_REF_ALIAS)
			return from_alias(out, ref.model, (bedrock_profile_geo)0, region, err, cap);
		snprintf(out->id, sizeof(out->id), "%s", arg);
		return 0;
	}
	if (!looks_like_id(arg)) {
		snprintf(err, cap, "unknown model '%s': use an alias (sonnet, opus, haiku, sonnet-4.5, "
			 "opus-4.6, ...; `bedrock models` lists them), a model id, a profile id or "
			 "an ARN", arg);
		return -1;
	}
	/* Another provider's model, a Claude newer than the catalog, a user
	 * resource's ARN: Bedrock decides. */
	snprintf(out->id, sizeof(out->id), "%s", arg);
	out->claude = strstr(arg, "anthropic.") != NULL || !strncmp(arg, "arn:", 4);
	return 0;
}

const char *conv_model_count_id(const conv_model *m)
{
	return m->info ? m->info->id : m->id;
}
