/* Renderers for InvokeModel, InvokeModelWithResponseStream, CountTokens,
 * and the event-stream frame encoder they share with the handler. Header
 * sets and event shapes copy the recorded exchanges in
 * tests/vectors/bedrock/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/eventstream.h"
#include "model.h"
#include "model_internal.h"
#include "render_internal.h"

int emu_encode_frame(uint8_t **out, size_t *out_len, const char *message_type,
		     const char *event_or_exception_type, const char *payload, size_t payload_len)
{
	bedrock_es_header h[3];
	int exception = !strcmp(message_type, "exception");
	size_t size, len;
	uint8_t *buf;

	*out = NULL;
	*out_len = 0;
	memset(h, 0, sizeof(h));
	h[0].name = exception ? ":exception-type" : ":event-type";
	h[0].value.bytes.ptr = (const uint8_t *)event_or_exception_type;
	h[0].value.bytes.len = strlen(event_or_exception_type);
	h[1].name = ":content-type";
	h[1].value.bytes.ptr = (const uint8_t *)"application/json";
	h[1].value.bytes.len = strlen("application/json");
	h[2].name = ":message-type";
	h[2].value.bytes.ptr = (const uint8_t *)message_type;
	h[2].value.bytes.len = strlen(message_type);
	for (size = 0; size < 3; size++) {
		h[size].name_len = strlen(h[size].name);
		h[size].type = BEDROCK_ES_STRING;
	}
	if (bedrock_es_encoded_size(&size, h, 3, payload_len))
		return -1;
	if (!(buf = malloc(size)))
		return -1;
	if (bedrock_es_encode(&len, buf, size, h, 3, payload, payload_len)) {
		free(buf);
		return -1;
	}
	*out = buf;
	*out_len = len;
	return 0;
}

/* Bedrock pads every event with "p": a prefix of this alphabet whose
 * length varies, so frame sizes do not leak content. Ours varies with the
 * frame number only. */
void emu__add_padding(cJSON *payload, unsigned frame)
{
	static const char pad[] =
		"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
	char tmp[sizeof(pad)];
	size_t n = 1 + (size_t)(emu__mix(frame) % (sizeof(pad) - 2));

	memcpy(tmp, pad, n);
	tmp[n] = '\0';
	cJSON_AddStringToObject(payload, "p", tmp);
}

/* Appends one frame; consumes payload. */
int emu__frame(serve_response *out, const char *event_type, cJSON *payload)
{
	char *json;
	uint8_t *frame = NULL;
	size_t len = 0;
	int rc = -1;

	if (!payload)
		return -1;
	json = cJSON_PrintUnformatted(payload);
	cJSON_Delete(payload);
	if (json && !emu_encode_frame(&frame, &len, "event", event_type, json, strlen(json)))
		rc = serve_response_piece(out, frame, len, 0);
	free(frame);
	free(json);
	return rc;
}

unsigned emu__latency(unsigned output_tokens)
{
	return 100 + 10 * output_tokens;
}

unsigned emu__num(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 4e9
	       ? (unsigned)v->valuedouble : 0;
}

static int header_num(serve_response *out, const char *name, unsigned v)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%u", v);
	return serve_response_header(out, name, tmp);
}

static int has_cache(const cJSON *usage)
{
	return cJSON_GetObjectItemCaseSensitive(usage, "cache_read_input_tokens") ||
	       cJSON_GetObjectItemCaseSensitive(usage, "cache_creation_input_tokens");
}

int emu_render_invoke(serve_response *out, const cJSON *answer, const char *request_id)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(answer, "usage");
	unsigned in = emu__num(usage, "input_tokens"), outp = emu__num(usage, "output_tokens");
	char *body = cJSON_PrintUnformatted(answer);
	int rc = -1;

	if (!body)
		return -1;
	out->status = 200;
	if (serve_response_header(out, "Content-Type", "application/json") ||
	    header_num(out, "X-Amzn-Bedrock-Input-Token-Count", in) ||
	    header_num(out, "X-Amzn-Bedrock-Invocation-Latency", emu__latency(outp)) ||
	    header_num(out, "X-Amzn-Bedrock-Output-Token-Count", outp))
		goto done;
	if (has_cache(usage) &&
	    (header_num(out, "X-Amzn-Bedrock-Cache-Read-Input-Token-Count",
			emu__num(usage, "cache_read_input_tokens")) ||
	     header_num(out, "X-Amzn-Bedrock-Cache-Write-Input-Token-Count",
			emu__num(usage, "cache_creation_input_tokens"))))
		goto done;
	if (serve_response_header(out, "x-amzn-RequestId", request_id ? request_id : "") ||
	    serve_response_piece(out, body, strlen(body), 0))
		goto done;
	rc = 0;
done:
	free(body);
	return rc;
}

/* One chunk event: the Anthropic event JSON, base64'd into "bytes". */
static int chunk(serve_response *out, cJSON *event)
{
	char *json, *b64;
	cJSON *payload;

	if (!event)
		return -1;
	json = cJSON_PrintUnformatted(event);
	cJSON_Delete(event);
	if (!json)
		return -1;
	b64 = emu__b64_encode(json, strlen(json));
	free(json);
	if (!b64)
		return -1;
	payload = cJSON_CreateObject();
	if (payload) {
		cJSON_AddStringToObject(payload, "bytes", b64);
		emu__add_padding(payload, (unsigned)out->piece_count);
	}
	free(b64);
	return emu__frame(out, "chunk", payload);
}

typedef struct bedrock_stream {
	serve_response *out;
	const cJSON *usage;
} bedrock_stream;

/* The emu_event_fn of the Bedrock stream: one chunk per event, and the
 * invocation metrics in message_stop. */
static int chunk_event(void *payload, cJSON *e)
{
	bedrock_stream *bs = payload;
	const cJSON *usage = bs->usage;
	unsigned in = emu__num(usage, "input_tokens"), outp = emu__num(usage, "output_tokens");
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
	cJSON *metrics;

	if (type && !strcmp(type, "message_stop")) {
		metrics = cJSON_AddObjectToObject(e, "amazon-bedrock-invocationMetrics");
		cJSON_AddNumberToObject(metrics, "inputTokenCount", in);
		cJSON_AddNumberToObject(metrics, "outputTokenCount", outp);
		cJSON_AddNumberToObject(metrics, "invocationLatency", emu__latency(outp));
		cJSON_AddNumberToObject(metrics, "firstByteLatency", emu__latency(0));
		if (has_cache(usage)) {
			cJSON_AddNumberToObject(metrics, "cacheReadInputTokenCount",
						emu__num(usage, "cache_read_input_tokens"));
			cJSON_AddNumberToObject(metrics, "cacheWriteInputTokenCount",
						emu__num(usage, "cache_creation_input_tokens"));
		}
	}
	return chunk(bs->out, e);
}

int emu_render_invoke_stream(serve_response *out, const cJSON *answer, const char *request_id)
{
	bedrock_stream bs = { out, cJSON_GetObjectItemCaseSensitive(answer, "usage") };

	out->status = 200;
	out->streaming = 1;
	if (serve_response_header(out, "Content-Type", "application/vnd.amazon.eventstream") ||
	    serve_response_header(out, "X-Amzn-Bedrock-Content-Type", "application/json") ||
	    serve_response_header(out, "x-amzn-RequestId", request_id ? request_id : ""))
		return -1;
	return emu_answer_events(answer, chunk_event, &bs);
}

int emu_render_count_tokens(serve_response *out, unsigned tokens, const char *request_id)
{
	char body[48];

	snprintf(body, sizeof(body), "{\"inputTokens\":%u}", tokens);
	out->status = 200;
	if (serve_response_header(out, "Content-Type", "application/json") ||
	    serve_response_header(out, "x-amzn-RequestId", request_id ? request_id : "") ||
	    serve_response_piece(out, body, strlen(body), 0))
		return -1;
	return 0;
}
