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
 *
 * The bottom of the module: the models file's parser and the lookups both
 * apply it, and it touches no table.
 */
#include <string.h>

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

int bedrock__model_derive_id(char *out, size_t cap, const char *bedrock_id,
			     bedrock_platform platform)
{
	const char *date, *name;
	size_t nlen, need;
	int version;
	char vtag[4] = "";

	if (!out || !bedrock_id || !cap)
		return BEDROCK_EINVAL;
	out[0] = '\0';
	if (platform != BEDROCK_PLATFORM_ANTHROPIC && platform != BEDROCK_PLATFORM_VERTEX)
		return BEDROCK_EINVAL;
	if (!parts(bedrock_id, &nlen, &date, &version))
		return BEDROCK_ENOTFOUND;
	name = bedrock_id + strlen(PREFIX);
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
