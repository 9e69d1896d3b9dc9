/* Usage and invocation-metrics readers shared by the Messages response,
 * stream and Converse parsers, and the free function for strings the
 * Messages model hands out. */
#include "messages_private.h"
#include "alloc.h"

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
