/* Small cJSON helpers shared across the library (json.h). */
#include <string.h>

#include "json.h"
#include "alloc.h"

cJSON *bedrock__json_parse_exact(const char *p, size_t len)
{
	const char *end = NULL;
	cJSON *j;

	if (!p)
		return NULL;
	/* require_null_terminated wants the NUL inside len, which a slice of a
	 * larger buffer does not have: check the tail here instead. */
	j = cJSON_ParseWithLengthOpts(p, len, &end, 0);
	while (j && end < p + len && (*end == ' ' || *end == '\t' || *end == '\n' || *end == '\r'))
		end++;
	if (j && end != p + len) {
		cJSON_Delete(j);
		return NULL;
	}
	return j;
}

cJSON *bedrock__json_parse_str(const char *s)
{
	return s ? bedrock__json_parse_exact(s, strlen(s)) : NULL;
}

const char *bedrock__json_str(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(it) && it->valuestring ? it->valuestring : NULL;
}

int64_t bedrock__json_int(const cJSON *obj, const char *key)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);
	double d;

	if (!cJSON_IsNumber(it))
		return -1;
	d = it->valuedouble;
	/* Token counts and offsets: clamp what no int64 can hold. */
	if (!(d >= -9.0e18 && d <= 9.0e18))
		return -1;
	return (int64_t)d;
}

char *bedrock__json_print(const cJSON *item, size_t *len)
{
	char *tmp = cJSON_PrintUnformatted(item);
	char *s;
	size_t n;

	if (!tmp)
		return NULL;
	n = strlen(tmp);
	s = bedrock__strndup(tmp, n);
	cJSON_free(tmp);
	if (s && len)
		*len = n;
	return s;
}
