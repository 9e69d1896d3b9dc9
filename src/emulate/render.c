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

#define S(s) ((s) ? (s) : "")

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
int emu__frame(emu_response *out, const char *event_type, cJSON *payload)
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
		rc = emu_response_piece(out, frame, len, 0);
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

static int header_num(emu_response *out, const char *name, unsigned v)
{
	char tmp[16];

	snprintf(tmp, sizeof(tmp), "%u", v);
	return emu_response_header(out, name, tmp);
}

static int has_cache(const cJSON *usage)
{
	return cJSON_GetObjectItemCaseSensitive(usage, "cache_read_input_tokens") ||
	       cJSON_GetObjectItemCaseSensitive(usage, "cache_creation_input_tokens");
}

int emu_render_invoke(emu_response *out, const cJSON *answer, const char *request_id)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(answer, "usage");
	unsigned in = emu__num(usage, "input_tokens"), outp = emu__num(usage, "output_tokens");
	char *body = cJSON_PrintUnformatted(answer);
	int rc = -1;

	if (!body)
		return -1;
	out->status = 200;
	if (emu_response_header(out, "Content-Type", "application/json") ||
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
	if (emu_response_header(out, "x-amzn-RequestId", request_id ? request_id : "") ||
	    emu_response_piece(out, body, strlen(body), 0))
		goto done;
	rc = 0;
done:
	free(body);
	return rc;
}

/* One chunk event: the Anthropic event JSON, base64'd into "bytes". */
static int chunk(emu_response *out, cJSON *event)
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

static cJSON *event(const char *type, int index)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "type", type);
	if (index >= 0)
		cJSON_AddNumberToObject(e, "index", index);
	return e;
}

static int delta(emu_response *out, int index, const char *dtype, const char *key,
		 const char *s, size_t n)
{
	cJSON *e = event("content_block_delta", index), *d;
	char *piece = malloc(n + 1);

	if (!piece) {
		cJSON_Delete(e);
		return -1;
	}
	memcpy(piece, s, n);
	piece[n] = '\0';
	d = cJSON_AddObjectToObject(e, "delta");
	cJSON_AddStringToObject(d, "type", dtype);
	cJSON_AddStringToObject(d, key, piece);
	free(piece);
	return chunk(out, e);
}

static int text_deltas(emu_response *out, int index, const char *dtype, const char *key,
		       const char *s)
{
	size_t n = strlen(s), pos = 0, end;

	for (; pos < n; pos = end) {
		end = emu__piece_end(s, n, pos);
		if (delta(out, index, dtype, key, s + pos, end - pos))
			return -1;
	}
	return 0;
}

static int block_events(emu_response *out, const cJSON *block, int index)
{
	const char *type = emu__str(block, "type");
	cJSON *e = event("content_block_start", index), *cb, *d;
	const cJSON *c;

	cb = cJSON_AddObjectToObject(e, "content_block");
	cJSON_AddStringToObject(cb, "type", type ? type : "text");
	if (type && !strcmp(type, "thinking")) {
		cJSON_AddStringToObject(cb, "thinking", "");
		cJSON_AddStringToObject(cb, "signature", "");
		if (chunk(out, e) ||
		    text_deltas(out, index, "thinking_delta", "thinking", S(emu__str(block, "thinking"))))
			return -1;
		e = event("content_block_delta", index);
		d = cJSON_AddObjectToObject(e, "delta");
		cJSON_AddStringToObject(d, "type", "signature_delta");
		cJSON_AddStringToObject(d, "signature", S(emu__str(block, "signature")));
		if (chunk(out, e))
			return -1;
	} else if (type && !strcmp(type, "tool_use")) {
		emu_buf json = { 0 };
		size_t pos = 0, end;
		int rc = 0;

		cJSON_AddStringToObject(cb, "id", S(emu__str(block, "id")));
		cJSON_AddStringToObject(cb, "name", S(emu__str(block, "name")));
		cJSON_AddObjectToObject(cb, "input");
		if (chunk(out, e))
			return -1;
		emu__canonical(&json, cJSON_GetObjectItemCaseSensitive(block, "input"));
		if (json.oom)
			rc = -1;
		/* An empty piece first, as Bedrock sends, then 8-byte pieces. */
		if (!rc)
			rc = delta(out, index, "input_json_delta", "partial_json", "", 0);
		for (; !rc && pos < json.len; pos = end) {
			end = emu__chunk_end(json.p, json.len, pos, 8);
			rc = delta(out, index, "input_json_delta", "partial_json", json.p + pos,
				   end - pos);
		}
		emu__buf_free(&json);
		if (rc)
			return -1;
	} else {
		cJSON_AddStringToObject(cb, "text", "");
		if (chunk(out, e))
			return -1;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(block, "citations")) {
			e = event("content_block_delta", index);
			d = cJSON_AddObjectToObject(e, "delta");
			cJSON_AddStringToObject(d, "type", "citations_delta");
			emu__put(d, "citation", cJSON_Duplicate(c, 1));
			if (chunk(out, e))
				return -1;
		}
		if (text_deltas(out, index, "text_delta", "text", S(emu__str(block, "text"))))
			return -1;
	}
	return chunk(out, event("content_block_stop", index));
}

int emu_render_invoke_stream(emu_response *out, const cJSON *answer, const char *request_id)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(answer, "usage"), *b;
	unsigned in = emu__num(usage, "input_tokens"), outp = emu__num(usage, "output_tokens");
	cJSON *e, *m, *u, *d, *metrics;
	int index = 0;

	out->status = 200;
	out->streaming = 1;
	if (emu_response_header(out, "Content-Type", "application/vnd.amazon.eventstream") ||
	    emu_response_header(out, "X-Amzn-Bedrock-Content-Type", "application/json") ||
	    emu_response_header(out, "x-amzn-RequestId", request_id ? request_id : ""))
		return -1;

	e = event("message_start", -1);
	m = cJSON_Duplicate(answer, 1);
	if (m) {
		cJSON_ReplaceItemInObjectCaseSensitive(m, "content", cJSON_CreateArray());
		cJSON_ReplaceItemInObjectCaseSensitive(m, "stop_reason", cJSON_CreateNull());
		cJSON_ReplaceItemInObjectCaseSensitive(m, "stop_sequence", cJSON_CreateNull());
		u = cJSON_GetObjectItemCaseSensitive(m, "usage");
		cJSON_ReplaceItemInObjectCaseSensitive(u, "output_tokens", cJSON_CreateNumber(1));
	}
	if (!m || !cJSON_AddItemToObject(e, "message", m)) {
		cJSON_Delete(m);
		cJSON_Delete(e);
		return -1;
	}
	if (chunk(out, e))
		return -1;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		if (block_events(out, b, index++))
			return -1;

	e = event("message_delta", -1);
	d = cJSON_AddObjectToObject(e, "delta");
	emu__put(d, "stop_reason",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "stop_reason"), 1));
	emu__put(d, "stop_sequence",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "stop_sequence"), 1));
	u = cJSON_AddObjectToObject(e, "usage");
	cJSON_AddNumberToObject(u, "output_tokens", outp);
	if (chunk(out, e))
		return -1;

	e = event("message_stop", -1);
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
	return chunk(out, e);
}

int emu_render_count_tokens(emu_response *out, unsigned tokens, const char *request_id)
{
	char body[48];

	snprintf(body, sizeof(body), "{\"inputTokens\":%u}", tokens);
	out->status = 200;
	if (emu_response_header(out, "Content-Type", "application/json") ||
	    emu_response_header(out, "x-amzn-RequestId", request_id ? request_id : "") ||
	    emu_response_piece(out, body, strlen(body), 0))
		return -1;
	return 0;
}
