/* Converse and ConverseStream renderers: the Messages answer in Converse
 * shapes (output.message.content[], stopReason, usage, metrics), and the
 * ConverseStream events, each a member's JSON plus Bedrock's "p" padding. */
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "render_internal.h"

#define S(s) ((s) ? (s) : "")

/* A Messages citation -> a Converse citation (Citation shape). */
static cJSON *citation(const cJSON *c)
{
	const char *type = S(bedrock__json_str(c, "type"));
	cJSON *out = cJSON_CreateObject(), *sc, *loc, *where;
	const char *title = bedrock__json_str(c, "document_title");
	const char *kind = "documentChar", *s = "start_char_index", *e = "end_char_index";

	if (!strcmp(type, "page_location"))
		kind = "documentPage", s = "start_page_number", e = "end_page_number";
	else if (!strcmp(type, "content_block_location"))
		kind = "documentChunk", s = "start_block_index", e = "end_block_index";
	if (title)
		cJSON_AddStringToObject(out, "title", title);
	sc = cJSON_AddArrayToObject(out, "sourceContent");
	where = cJSON_CreateObject();
	cJSON_AddStringToObject(where, "text", S(bedrock__json_str(c, "cited_text")));
	emu__push(sc, where);
	loc = cJSON_AddObjectToObject(out, "location");
	where = cJSON_AddObjectToObject(loc, kind);
	cJSON_AddNumberToObject(where, "documentIndex", emu__num(c, "document_index"));
	cJSON_AddNumberToObject(where, "start", emu__num(c, s));
	cJSON_AddNumberToObject(where, "end", emu__num(c, e));
	return out;
}

static cJSON *converse_block(const cJSON *b)
{
	const char *type = S(bedrock__json_str(b, "type"));
	cJSON *out = cJSON_CreateObject(), *x, *y;
	const cJSON *c;

	if (!strcmp(type, "thinking")) {
		x = cJSON_AddObjectToObject(out, "reasoningContent");
		y = cJSON_AddObjectToObject(x, "reasoningText");
		cJSON_AddStringToObject(y, "text", S(bedrock__json_str(b, "thinking")));
		cJSON_AddStringToObject(y, "signature", S(bedrock__json_str(b, "signature")));
	} else if (!strcmp(type, "tool_use")) {
		x = cJSON_AddObjectToObject(out, "toolUse");
		cJSON_AddStringToObject(x, "toolUseId", S(bedrock__json_str(b, "id")));
		cJSON_AddStringToObject(x, "name", S(bedrock__json_str(b, "name")));
		emu__put(x, "input",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b, "input"), 1));
	} else if (cJSON_GetObjectItemCaseSensitive(b, "citations")) {
		x = cJSON_AddObjectToObject(out, "citationsContent");
		y = cJSON_CreateObject();
		cJSON_AddStringToObject(y, "text", S(bedrock__json_str(b, "text")));
		emu__push(cJSON_AddArrayToObject(x, "content"), y);
		y = cJSON_AddArrayToObject(x, "citations");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(b, "citations"))
			emu__push(y, citation(c));
	} else {
		cJSON_AddStringToObject(out, "text", S(bedrock__json_str(b, "text")));
	}
	return out;
}

/* Converse usage: totalTokens counts cache reads and writes too; the
 * cache counts appear under both names Bedrock uses. */
static cJSON *converse_usage(const cJSON *usage)
{
	unsigned in = emu__num(usage, "input_tokens"), out = emu__num(usage, "output_tokens");
	unsigned rd = emu__num(usage, "cache_read_input_tokens");
	unsigned wr = emu__num(usage, "cache_creation_input_tokens");
	cJSON *u = cJSON_CreateObject();

	if (cJSON_GetObjectItemCaseSensitive(usage, "cache_read_input_tokens")) {
		cJSON_AddNumberToObject(u, "cacheReadInputTokenCount", rd);
		cJSON_AddNumberToObject(u, "cacheReadInputTokens", rd);
		cJSON_AddNumberToObject(u, "cacheWriteInputTokenCount", wr);
		cJSON_AddNumberToObject(u, "cacheWriteInputTokens", wr);
	}
	cJSON_AddNumberToObject(u, "inputTokens", in);
	cJSON_AddNumberToObject(u, "outputTokens", out);
	cJSON_AddNumberToObject(u, "totalTokens", (double)in + out + rd + wr);
	return u;
}

int emu_answer_to_converse(cJSON **out, const cJSON *answer)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(answer, "usage"), *b;
	cJSON *r = cJSON_CreateObject(), *m, *content;
	char *probe;

	*out = NULL;
	m = cJSON_AddObjectToObject(r, "metrics");
	cJSON_AddNumberToObject(m, "latencyMs", emu__latency(emu__num(usage, "output_tokens")));
	m = cJSON_AddObjectToObject(cJSON_AddObjectToObject(r, "output"), "message");
	content = cJSON_AddArrayToObject(m, "content");
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		emu__push(content, converse_block(b));
	cJSON_AddStringToObject(m, "role", "assistant");
	cJSON_AddStringToObject(r, "stopReason", S(bedrock__json_str(answer, "stop_reason")));
	emu__put(r, "usage", converse_usage(usage));
	/* The Add helpers fail silently; printing checks the whole tree. */
	probe = cJSON_PrintUnformatted(r);
	if (!probe || !cJSON_GetObjectItemCaseSensitive(r, "usage")) {
		free(probe);
		cJSON_Delete(r);
		return -1;
	}
	free(probe);
	*out = r;
	return 0;
}

int emu_render_converse(serve_response *out, const cJSON *answer, const char *request_id)
{
	cJSON *r;
	char *body;
	int rc = -1;

	if (emu_answer_to_converse(&r, answer))
		return -1;
	body = cJSON_PrintUnformatted(r);
	cJSON_Delete(r);
	if (!body)
		return -1;
	out->status = 200;
	if (!serve_response_header(out, "Content-Type", "application/json") &&
	    !serve_response_header(out, "x-amzn-RequestId", request_id ? request_id : "") &&
	    !serve_response_piece(out, body, strlen(body), 0))
		rc = 0;
	free(body);
	return rc;
}

static cJSON *indexed(int index)
{
	cJSON *p = cJSON_CreateObject();

	cJSON_AddNumberToObject(p, "contentBlockIndex", index);
	return p;
}

static int emit(serve_response *out, const char *type, cJSON *p)
{
	if (p)
		emu__add_padding(p, (unsigned)out->piece_count);
	return emu__frame(out, type, p);
}

/* contentBlockDelta with delta.<member>[.<inner>] = s[0,n). */
static int cdelta(serve_response *out, int index, const char *member, const char *inner,
		  const char *s, size_t n)
{
	cJSON *p = indexed(index), *d = cJSON_AddObjectToObject(p, "delta");
	char *piece = malloc(n + 1);

	if (!piece) {
		cJSON_Delete(p);
		return -1;
	}
	memcpy(piece, s, n);
	piece[n] = '\0';
	if (inner)
		d = cJSON_AddObjectToObject(d, member);
	cJSON_AddStringToObject(d, inner ? inner : member, piece);
	free(piece);
	return emit(out, "contentBlockDelta", p);
}

static int words(serve_response *out, int index, const char *member, const char *inner,
		 const char *s)
{
	size_t n = strlen(s), pos = 0, end;

	for (; pos < n; pos = end) {
		end = emu__piece_end(s, n, pos);
		if (cdelta(out, index, member, inner, s + pos, end - pos))
			return -1;
	}
	return 0;
}

static int stream_block(serve_response *out, const cJSON *b, int index)
{
	const char *type = S(bedrock__json_str(b, "type"));
	const cJSON *c;
	cJSON *p, *x;

	if (!strcmp(type, "thinking")) {
		if (words(out, index, "reasoningContent", "text", S(bedrock__json_str(b, "thinking"))) ||
		    cdelta(out, index, "reasoningContent", "signature", S(bedrock__json_str(b, "signature")),
			   strlen(S(bedrock__json_str(b, "signature")))))
			return -1;
	} else if (!strcmp(type, "tool_use")) {
		bedrock_buf json = BEDROCK_BUF_INIT;
		size_t pos = 0, end;
		int rc;

		p = indexed(index);
		x = cJSON_AddObjectToObject(cJSON_AddObjectToObject(p, "start"), "toolUse");
		cJSON_AddStringToObject(x, "name", S(bedrock__json_str(b, "name")));
		cJSON_AddStringToObject(x, "toolUseId", S(bedrock__json_str(b, "id")));
		if (emit(out, "contentBlockStart", p))
			return -1;
		emu__canonical(&json, cJSON_GetObjectItemCaseSensitive(b, "input"));
		rc = json.oom ? -1 : cdelta(out, index, "toolUse", "input", "", 0);
		for (; !rc && pos < json.len; pos = end) {
			end = emu__chunk_end(json.ptr, json.len, pos, 8);
			rc = cdelta(out, index, "toolUse", "input", json.ptr + pos, end - pos);
		}
		bedrock__buf_dispose(&json);
		if (rc)
			return -1;
	} else {
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(b, "citations")) {
			p = indexed(index);
			x = cJSON_AddObjectToObject(p, "delta");
			emu__put(x, "citation", citation(c));
			if (emit(out, "contentBlockDelta", p))
				return -1;
		}
		if (words(out, index, "text", NULL, S(bedrock__json_str(b, "text"))))
			return -1;
	}
	return emit(out, "contentBlockStop", indexed(index));
}

int emu_render_converse_stream(serve_response *out, const cJSON *answer, const char *request_id)
{
	const cJSON *usage = cJSON_GetObjectItemCaseSensitive(answer, "usage"), *b;
	cJSON *p;
	int index = 0;

	out->status = 200;
	out->streaming = 1;
	if (serve_response_header(out, "Content-Type", "application/vnd.amazon.eventstream") ||
	    serve_response_header(out, "x-amzn-RequestId", request_id ? request_id : ""))
		return -1;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "role", "assistant");
	if (emit(out, "messageStart", p))
		return -1;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		if (stream_block(out, b, index++))
			return -1;
	p = cJSON_CreateObject();
	cJSON_AddStringToObject(p, "stopReason", S(bedrock__json_str(answer, "stop_reason")));
	if (emit(out, "messageStop", p))
		return -1;
	p = cJSON_CreateObject();
	emu__put(cJSON_AddObjectToObject(p, "metrics"), "latencyMs",
			      cJSON_CreateNumber(emu__latency(emu__num(usage, "output_tokens"))));
	emu__put(p, "usage", converse_usage(usage));
	return emit(out, "metadata", p);
}
