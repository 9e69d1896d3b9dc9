/* One catalog, three platforms' ids. The Anthropic API and Vertex AI ids
 * follow from Bedrock's base id by rule, checked against every row of the
 * Claude-on-Vertex table in the seeds:
 *
 *   anthropic.claude-sonnet-4-5-20250929-v1:0  Bedrock base id
 *   claude-sonnet-4-5-20250929                 Anthropic API (alias: claude-sonnet-4-5)
 *   claude-sonnet-4-5@20250929                 Vertex AI
 *   anthropic.claude-opus-4-6-v1               (undated)
 *   claude-opus-4-6                            both
 *   anthropic.claude-3-5-sonnet-20241022-v2:0
 *   claude-3-5-sonnet-v2@20241022              Vertex keeps the version
 */
#include <string.h>

#include "bedrock/errors.h"
#include "bedrock/platform.h"
#include "models_private.h"

#define PREFIX "anthropic."

/* Splits a base id into name ("claude-sonnet-4-5"), date ("20250929" or
 * "") and version (2 for "-v2:0", 1 otherwise). 0 if the id is not of
 * that form. */
static int parts(const char *id, size_t *name_len, const char **date, int *version)
{
	const char *s, *v;
	size_t n;

	if (strncmp(id, PREFIX, strlen(PREFIX)))
		return 0;
	s = id + strlen(PREFIX);
	v = strrchr(s, '-');
	if (!v || v[1] != 'v' || v[2] < '1' || v[2] > '9')
		return 0;
	*version = v[2] - '0';
	n = (size_t)(v - s);
	*date = "";
	if (n > 9 && s[n - 9] == '-' && strspn(s + n - 8, "0123456789") >= 8) {
		*date = s + n - 8;
		n -= 9;
	}
	*name_len = n;
	return 1;
}

int bedrock_model_platform_id(char *out, size_t cap, const bedrock_model_info *m,
			      bedrock_platform platform)
{
	const char *date, *name;
	size_t nlen, need;
	int version;
	char vtag[4] = "";

	if (!out || !m || !cap)
		return BEDROCK_EINVAL;
	out[0] = '\0';
	if (platform == BEDROCK_PLATFORM_BEDROCK) {
		need = strlen(m->id) + 1;
		if (need > cap)
			return BEDROCK_ELIMIT;
		memcpy(out, m->id, need);
		return 0;
	}
	if (platform != BEDROCK_PLATFORM_ANTHROPIC && platform != BEDROCK_PLATFORM_VERTEX)
		return BEDROCK_EINVAL;
	if (!parts(m->id, &nlen, &date, &version))
		return BEDROCK_ENOTFOUND;
	name = m->id + strlen(PREFIX);
	if (platform == BEDROCK_PLATFORM_VERTEX && version > 1) {
		vtag[0] = '-';
		vtag[1] = 'v';
		vtag[2] = (char)('0' + version);
	}
	need = nlen + strlen(vtag) + (*date ? 9 : 0) + 1;
	if (need > cap)
		return BEDROCK_ELIMIT;
	memcpy(out, name, nlen);
	strcpy(out + nlen, vtag);
	if (*date) {
		size_t at = nlen + strlen(vtag);
		out[at] = platform == BEDROCK_PLATFORM_VERTEX ? '@' : '-';
		memcpy(out + at + 1, date, 8);
		out[at + 9] = '\0';
	}
	return 0;
}

const bedrock_model_info *bedrock_model_find_platform_id(bedrock_platform *platform, const char *id)
{
	bedrock_model_ref ref;
	size_t i;

	if (!id || !*id)
		return NULL;
	if (bedrock_model_resolve(&ref, id) == 0 && ref.model && ref.kind != BEDROCK_MODEL_REF_ALIAS) {
		if (platform)
			*platform = BEDROCK_PLATFORM_BEDROCK;
		return ref.model;
	}
	for (i = 0; i < bedrock__models_count; i++) {
		const bedrock_model_info *m = &bedrock__models[i];
		char a[128], v[128];
		size_t alen;

		if (bedrock_model_platform_id(a, sizeof(a), m, BEDROCK_PLATFORM_ANTHROPIC) ||
		    bedrock_model_platform_id(v, sizeof(v), m, BEDROCK_PLATFORM_VERTEX))
			continue;
		/* The API's undated alias: "claude-sonnet-4-5" for "...-20250929". */
		alen = strlen(a);
		if (alen > 9 && a[alen - 9] == '-' && strspn(a + alen - 8, "0123456789") == 8)
			alen -= 9;
		if (!strcmp(id, a) || (strlen(id) == alen && !strncmp(id, a, alen))) {
			if (platform)
				*platform = BEDROCK_PLATFORM_ANTHROPIC;
			return m;
		}
		if (!strcmp(id, v)) {
			if (platform)
				*platform = BEDROCK_PLATFORM_VERTEX;
			return m;
		}
	}
	return NULL;
}
