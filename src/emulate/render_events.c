/* The Anthropic Messages stream of an answer, as a sequence of event
 * objects: message_start, per block content_block_start, its deltas and
 * content_block_stop, message_delta, message_stop. Both streaming fronts
 * render from here (Bedrock wraps each event in an event-stream chunk,
 * the Anthropic API front writes it as SSE), so a stream says the same
 * thing whichever front serves it. Text is cut where the deterministic
 * model's pieces end; tool input goes in 8-byte pieces after an empty one,
 * as Bedrock sends it. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "render_internal.h"

#define S(s) ((s) ? (s) : "")

typedef struct events {
	emu_event_fn emit;
	void *payload;
} events;

static cJSON *event(const char *type, int index)
{
	cJSON *e = cJSON_CreateObject();

	cJSON_AddStringToObject(e, "type", type);
	if (index >= 0)
		cJSON_AddNumberToObject(e, "index", index);
	return e;
}

static int emit_event(const events *ev, cJSON *e)
{
	return e ? ev->emit(ev->payload, e) : -1;
}

static int delta(const events *ev, int index, const char *dtype, const char *key,
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
	return emit_event(ev, e);
}

static int text_deltas(const events *ev, int index, const char *dtype, const char *key,
		       const char *s)
{
	size_t n = strlen(s), pos = 0, end;

	for (; pos < n; pos = end) {
		end = emu__piece_end(s, n, pos);
		if (delta(ev, index, dtype, key, s + pos, end - pos))
			return -1;
	}
	return 0;
}

static int block_events(const events *ev, const cJSON *block, int index)
{
	const char *type = bedrock__json_str(block, "type");
	cJSON *e = event("content_block_start", index), *cb, *d;
	const cJSON *c;

	cb = cJSON_AddObjectToObject(e, "content_block");
	cJSON_AddStringToObject(cb, "type", type ? type : "text");
	if (type && !strcmp(type, "thinking")) {
		cJSON_AddStringToObject(cb, "thinking", "");
		cJSON_AddStringToObject(cb, "signature", "");
		if (emit_event(ev, e) ||
		    text_deltas(ev, index, "thinking_delta", "thinking",
				S(bedrock__json_str(block, "thinking"))))
			return -1;
		e = event("content_block_delta", index);
		d = cJSON_AddObjectToObject(e, "delta");
		cJSON_AddStringToObject(d, "type", "signature_delta");
		cJSON_AddStringToObject(d, "signature", S(bedrock__json_str(block, "signature")));
		if (emit_event(ev, e))
			return -1;
	} else if (type && !strcmp(type, "tool_use")) {
		bedrock_buf json = BEDROCK_BUF_INIT;
		size_t pos = 0, end;
		int rc = 0;

		cJSON_AddStringToObject(cb, "id", S(bedrock__json_str(block, "id")));
		cJSON_AddStringToObject(cb, "name", S(bedrock__json_str(block, "name")));
		cJSON_AddObjectToObject(cb, "input");
		if (emit_event(ev, e))
			return -1;
		emu__canonical(&json, cJSON_GetObjectItemCaseSensitive(block, "input"));
		if (json.oom)
			rc = -1;
		/* An empty piece first, as Bedrock sends, then 8-byte pieces. */
		if (!rc)
			rc = delta(ev, index, "input_json_delta", "partial_json", "", 0);
		for (; !rc && pos < json.len; pos = end) {
			end = emu__chunk_end(json.ptr, json.len, pos, 8);
			rc = delta(ev, index, "input_json_delta", "partial_json", json.ptr + pos,
				   end - pos);
		}
		bedrock__buf_dispose(&json);
		if (rc)
			return -1;
	} else {
		cJSON_AddStringToObject(cb, "text", "");
		if (emit_event(ev, e))
			return -1;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(block, "citations")) {
			e = event("content_block_delta", index);
			d = cJSON_AddObjectToObject(e, "delta");
			cJSON_AddStringToObject(d, "type", "citations_delta");
			emu__put(d, "citation", cJSON_Duplicate(c, 1));
			if (emit_event(ev, e))
				return -1;
		}
		if (text_deltas(ev, index, "text_delta", "text", S(bedrock__json_str(block, "text"))))
			return -1;
	}
	return emit_event(ev, event("content_block_stop", index));
}

int emu_answer_events(const cJSON *answer, emu_event_fn emit, void *payload)
{
	const cJSON *b;
	cJSON *e, *m, *u, *d;
	events ev = { emit, payload };
	int index = 0;

	e = event("message_start", -1);
	m = cJSON_Duplicate(answer, 1);
	if (m) {
		cJSON_ReplaceItemInObjectCaseSensitive(m, "content", cJSON_CreateArray());
		cJSON_ReplaceItemInObjectCaseSensitive(m, "stop_reason", cJSON_CreateNull());
		cJSON_ReplaceItemInObjectCaseSensitive(m, "stop_sequence", cJSON_CreateNull());
		u = cJSON_GetObjectItemCaseSensitive(m, "usage");
		cJSON_ReplaceItemInObjectCaseSensitive(u, "output_tokens", cJSON_CreateNumber(1));
	}
	if (!e || !m || !cJSON_AddItemToObject(e, "message", m)) {
		cJSON_Delete(m);
		cJSON_Delete(e);
		return -1;
	}
	if (emit_event(&ev, e))
		return -1;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		if (block_events(&ev, b, index++))
			return -1;

	e = event("message_delta", -1);
	d = cJSON_AddObjectToObject(e, "delta");
	emu__put(d, "stop_reason",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "stop_reason"), 1));
	emu__put(d, "stop_sequence",
		cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(answer, "stop_sequence"), 1));
	u = cJSON_AddObjectToObject(e, "usage");
	cJSON_AddNumberToObject(u, "output_tokens",
		emu__num(cJSON_GetObjectItemCaseSensitive(answer, "usage"), "output_tokens"));
	if (emit_event(&ev, e))
		return -1;
	return emit_event(&ev, event("message_stop", -1));
}
