/* One catalog, three platforms' ids: the rule (models_idrule.c) unless a
 * models file gave the id explicitly (anthropic_id, vertex_id). */
#include <string.h>

#include "bedrock/errors.h"
#include "bedrock/platform.h"
#include "models_private.h"

static int copy(char *out, size_t cap, const char *s)
{
	size_t need = strlen(s) + 1;

	if (need > cap)
		return BEDROCK_ELIMIT;
	memcpy(out, s, need);
	return 0;
}

int bedrock_model_platform_id(char *out, size_t cap, const bedrock_model_info *m,
			      bedrock_platform platform)
{
	if (!out || !m || !cap)
		return BEDROCK_EINVAL;
	out[0] = '\0';
	if (platform == BEDROCK_PLATFORM_BEDROCK)
		return copy(out, cap, m->id);
	if (platform == BEDROCK_PLATFORM_ANTHROPIC && m->anthropic_id)
		return copy(out, cap, m->anthropic_id);
	if (platform == BEDROCK_PLATFORM_VERTEX && m->vertex_id)
		return copy(out, cap, m->vertex_id);
	return bedrock__model_derive_id(out, cap, m->id, platform);
}

const bedrock_model_info *bedrock_model_find_platform_id(bedrock_platform *platform, const char *id)
{
	const bedrock__catalog *cat;
	bedrock_model_ref ref;
	size_t i;

	if (!id || !*id)
		return NULL;
	if (bedrock_model_resolve(&ref, id) == 0 && ref.model && ref.kind != BEDROCK_MODEL_REF_ALIAS) {
		if (platform)
			*platform = BEDROCK_PLATFORM_BEDROCK;
		return ref.model;
	}
	cat = bedrock__catalog_get();
	for (i = 0; i < bedrock__catalog_count(cat); i++) {
		const bedrock_model_info *m = bedrock__catalog_at(cat, i);
		char a[128], v[128];
		size_t alen;

		/* Each platform on its own: a file may give one id and not the
		 * other, for a base id the rule does not apply to. */
		if (bedrock_model_platform_id(a, sizeof(a), m, BEDROCK_PLATFORM_ANTHROPIC) == 0) {
			/* The API's undated alias: "claude-sonnet-4-5" for "...-20250929". */
			alen = strlen(a);
			if (alen > 9 && a[alen - 9] == '-' && strspn(a + alen - 8, "0123456789") == 8)
				alen -= 9;
			if (!strcmp(id, a) || (strlen(id) == alen && !strncmp(id, a, alen))) {
				if (platform)
					*platform = BEDROCK_PLATFORM_ANTHROPIC;
				return m;
			}
		}
		if (bedrock_model_platform_id(v, sizeof(v), m, BEDROCK_PLATFORM_VERTEX) == 0 &&
		    !strcmp(id, v)) {
			if (platform)
				*platform = BEDROCK_PLATFORM_VERTEX;
			return m;
		}
	}
	return NULL;
}
