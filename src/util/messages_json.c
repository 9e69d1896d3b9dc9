/* Small cJSON helpers shared by the Messages model. */
#include <string.h>

#include "messages_private.h"
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

	return cJSON_IsString(it) ? it->valuestring : NULL;
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

void bedrock_messages_string_free(char *s)
{
	bedrock__free(s);
}

void bedrock__usage_init(bedrock_usage *u)
{
	u->input_tokens = u->output_tokens = -1;
	u->cache_creation_input_tokens = u->cache_read_input_tokens = -1;
	u->ephemeral_5m_input_tokens = u->ephemeral_1h_input_tokens = -1;
}

static void take(int64_t *dst, const cJSON *obj, const char *key)
{
	int64_t v = bedrock__json_int(obj, key);

	if (v >= 0)
		*dst = v;
}

void bedrock__usage_read(bedrock_usage *u, const cJSON *usage)
{
	const cJSON *cc;

	if (!cJSON_IsObject(usage))
		return;
	take(&u->input_tokens, usage, "input_tokens");
	take(&u->output_tokens, usage, "output_tokens");
	take(&u->cache_creation_input_tokens, usage, "cache_creation_input_tokens");
	take(&u->cache_read_input_tokens, usage, "cache_read_input_tokens");
	cc = cJSON_GetObjectItemCaseSensitive(usage, "cache_creation");
	if (cJSON_IsObject(cc)) {
		take(&u->ephemeral_5m_input_tokens, cc, "ephemeral_5m_input_tokens");
		take(&u->ephemeral_1h_input_tokens, cc, "ephemeral_1h_input_tokens");
	}
}

void bedrock__metrics_init(bedrock_invocation_metrics *m)
{
	m->input_token_count = m->output_token_count = -1;
	m->invocation_latency = m->first_byte_latency = -1;
	m->cache_read_input_token_count = m->cache_write_input_token_count = -1;
}

int bedrock__metrics_read(bedrock_invocation_metrics *m, const cJSON *obj)
{
	const cJSON *im = cJSON_GetObjectItemCaseSensitive(obj, "amazon-bedrock-invocationMetrics");

	if (!cJSON_IsObject(im))
		return 0;
	bedrock__metrics_init(m);
	take(&m->input_token_count, im, "inputTokenCount");
	take(&m->output_token_count, im, "outputTokenCount");
	take(&m->invocation_latency, im, "invocationLatency");
	take(&m->first_byte_latency, im, "firstByteLatency");
	take(&m->cache_read_input_token_count, im, "cacheReadInputTokenCount");
	take(&m->cache_write_input_token_count, im, "cacheWriteInputTokenCount");
	return 1;
}
