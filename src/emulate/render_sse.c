/* The Anthropic API's renderings of an answer: the Message as JSON, and
 * the Messages stream as Server-Sent Events written with libbedrock's
 * public encoder. The events come from emu_answer_events, the generator
 * the Bedrock stream uses too, so both fronts stream the same text in
 * the same pieces. */
#include <stdlib.h>
#include <string.h>

#include "anthropic_front.h"
#include "bedrock/sse.h"
#include "model.h"

int emu_sse_piece(serve_response *out, const char *event, const char *data)
{
	size_t len = strlen(data), size = bedrock_sse_encoded_size(event, data, len), n;
	char *buf = malloc(size);
	int rc = -1;

	if (buf && bedrock_sse_encode(&n, buf, size, event, data, len) == 0)
		rc = serve_response_piece(out, buf, n, 0);
	free(buf);
	return rc;
}

/* Writes one event object as SSE (event name = its type); consumes it. */
static int event_piece(serve_response *out, cJSON *e)
{
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
	char *json = cJSON_PrintUnformatted(e);
	int rc = -1;

	if (json && type)
		rc = emu_sse_piece(out, type, json);
	free(json);
	cJSON_Delete(e);
	return rc;
}

typedef struct api_stream {
	serve_response *out;
	const cJSON *usage;
	int pinged;
} api_stream;

static int ping(api_stream *st)
{
	st->pinged = 1;
	return emu_sse_piece(st->out, "ping", "{\"type\":\"ping\"}");
}

static void copy_usage(cJSON *to, const cJSON *usage, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(usage, key);

	if (cJSON_IsNumber(v))
		cJSON_AddNumberToObject(to, key, v->valuedouble);
}

static int api_event(void *payload, cJSON *e)
{
	api_stream *st = payload;
	const char *type = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(e, "type"));
	int start = type && !strcmp(type, "content_block_start");

	if (type && !strcmp(type, "message_delta")) {
		cJSON *u = cJSON_CreateObject();

		if (!st->pinged && ping(st)) {
			cJSON_Delete(u);
			cJSON_Delete(e);
			return -1;
		}
		/* The API's usage here is cumulative: input as well as output. */
		copy_usage(u, st->usage, "input_tokens");
		copy_usage(u, st->usage, "cache_creation_input_tokens");
		copy_usage(u, st->usage, "cache_read_input_tokens");
		copy_usage(u, st->usage, "output_tokens");
		if (!u || !cJSON_ReplaceItemInObjectCaseSensitive(e, "usage", u)) {
			cJSON_Delete(u);
			cJSON_Delete(e);
			return -1;
		}
	}
	if (event_piece(st->out, e))
		return -1;
	return start && !st->pinged ? ping(st) : 0;
}

int emu_render_api_stream(serve_response *out, const cJSON *answer)
{
	api_stream st = { out, cJSON_GetObjectItemCaseSensitive(answer, "usage"), 0 };

	out->status = 200;
	out->streaming = 1;
	if (serve_response_header(out, "content-type", "text/event-stream; charset=utf-8") ||
	    serve_response_header(out, "cache-control", "no-cache"))
		return -1;
	return emu_answer_events(answer, api_event, &st);
}

int emu_render_api_message(serve_response *out, const cJSON *answer)
{
	char *body = cJSON_PrintUnformatted(answer);
	int rc = -1;

	out->status = 200;
	if (body && !serve_response_header(out, "content-type", "application/json") &&
	    !serve_response_piece(out, body, strlen(body), 0))
		rc = 0;
	free(body);
	return rc;
}
