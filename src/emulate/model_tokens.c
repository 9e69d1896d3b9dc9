/* The token rule, applied to a whole Messages request, and the cached
 * prefix that prompt caching reports (docs/emulator-model.md). */
#include <string.h>

#include "model.h"
#include "model_internal.h"
#include "model_tokens.h"

static unsigned str_tokens(const char *s)
{
	return s ? emu__tokens(s, strlen(s)) : 0;
}

static unsigned json_tokens(const cJSON *v)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	unsigned n;

	emu__canonical(&b, v);
	n = b.ptr ? emu__tokens(b.ptr, b.len) : 0;
	bedrock__buf_dispose(&b);
	return n;
}

static unsigned content_tokens(const cJSON *content);

/* A document's readable text, if it has any; base64 and URL sources are
 * opaque and cost one token. */
static unsigned document_tokens(const cJSON *block)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(block, "source");
	const char *type = bedrock__json_str(src, "type");
	unsigned n = str_tokens(bedrock__json_str(block, "title")) +
		     str_tokens(bedrock__json_str(block, "context"));

	if (type && !strcmp(type, "text"))
		return n + str_tokens(bedrock__json_str(src, "data"));
	if (type && !strcmp(type, "content")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(src, "content");

		return n + (cJSON_IsString(c) ? str_tokens(c->valuestring) : content_tokens(c));
	}
	return n + 1;
}

unsigned emu__block_tokens(const cJSON *block)
{
	const char *type = bedrock__json_str(block, "type");

	if (!type)
		return 0;
	if (!strcmp(type, "text"))
		return str_tokens(bedrock__json_str(block, "text"));
	if (!strcmp(type, "image"))
		return 1;
	if (!strcmp(type, "document"))
		return document_tokens(block);
	if (!strcmp(type, "tool_use"))
		return str_tokens(bedrock__json_str(block, "name")) +
		       json_tokens(cJSON_GetObjectItemCaseSensitive(block, "input"));
	if (!strcmp(type, "tool_result")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(block, "content");

		return cJSON_IsString(c) ? str_tokens(c->valuestring) : content_tokens(c);
	}
	if (!strcmp(type, "thinking"))
		return str_tokens(bedrock__json_str(block, "thinking"));
	if (!strcmp(type, "search_result")) {
		return str_tokens(bedrock__json_str(block, "title")) +
		       content_tokens(cJSON_GetObjectItemCaseSensitive(block, "content"));
	}
	return 0;	/* redacted_thinking and anything unknown */
}

static unsigned content_tokens(const cJSON *content)
{
	const cJSON *b;
	unsigned n = 0;

	cJSON_ArrayForEach(b, content)
		n += emu__block_tokens(b);
	return n;
}

unsigned emu__tool_tokens(const cJSON *tool)
{
	return str_tokens(bedrock__json_str(tool, "name")) +
	       str_tokens(bedrock__json_str(tool, "description")) +
	       json_tokens(cJSON_GetObjectItemCaseSensitive(tool, "input_schema"));
}

/* Walks tools, system, messages in that order (the order Anthropic caches
 * a prompt in), noting the running total at each cache_control. */
static void walk(emu_token_count *tc, const cJSON *item)
{
	const cJSON *cc = cJSON_GetObjectItemCaseSensitive(item, "cache_control");

	if (cJSON_IsObject(cc)) {
		const char *ttl = bedrock__json_str(cc, "ttl");

		tc->has_cache = 1;
		tc->cached = tc->total;
		tc->ttl_1h = ttl && !strcmp(ttl, "1h");
	}
}

void emu__count(emu_token_count *tc, const cJSON *req)
{
	const cJSON *v, *m, *b;

	memset(tc, 0, sizeof(*tc));
	cJSON_ArrayForEach(v, cJSON_GetObjectItemCaseSensitive(req, "tools")) {
		tc->total += emu__tool_tokens(v);
		walk(tc, v);
	}
	v = cJSON_GetObjectItemCaseSensitive(req, "system");
	if (cJSON_IsString(v)) {
		tc->total += str_tokens(v->valuestring);
	} else {
		cJSON_ArrayForEach(b, v) {
			tc->total += str_tokens(bedrock__json_str(b, "text"));
			walk(tc, b);
		}
	}
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(req, "messages")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(m, "content");

		if (cJSON_IsString(c)) {
			tc->total += str_tokens(c->valuestring);
			continue;
		}
		cJSON_ArrayForEach(b, c) {
			tc->total += emu__block_tokens(b);
			walk(tc, b);
		}
	}
	/* Top-level cache_control (automatic caching) covers the whole prompt. */
	if (cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(req, "cache_control"))) {
		walk(tc, req);
		tc->cached = tc->total;
	}
}

unsigned emu_count_tokens(const cJSON *messages_request)
{
	emu_token_count tc;

	emu__count(&tc, messages_request);
	return tc.total;
}
