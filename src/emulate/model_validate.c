/* Validation of an InvokeModel body for Claude, with the messages Bedrock
 * returns: its JSON-schema layer ("Malformed input request: #...") for
 * shape and types, then Anthropic's own texts for the Messages rules.
 * The first problem found is reported, in a fixed order. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"

/* Bedrock's schema layer wraps the detail this way. */
static int malformed(char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int malformed(char *msg, size_t cap, const char *fmt, ...)
{
	char detail[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	emu__msg(msg, cap, "Malformed input request: %s, please reformat your input and try again.",
		 detail);
	return -1;
}

#define FAIL(...) do { emu__msg(msg, cap, __VA_ARGS__); return -1; } while (0)

/* The schema layer's name for a JSON value's type (everit-json-schema). */
static const char *found(const cJSON *v)
{
	if (cJSON_IsString(v))
		return "String";
	if (cJSON_IsBool(v))
		return "Boolean";
	if (cJSON_IsNumber(v))
		return v->valuedouble == emu__floor(v->valuedouble) ? "Integer" : "BigDecimal";
	if (cJSON_IsArray(v))
		return "JSONArray";
	if (cJSON_IsObject(v))
		return "JSONObject";
	return "Null";
}

static int is_int(const cJSON *v)
{
	return cJSON_IsNumber(v) && isfinite(v->valuedouble) &&
	       v->valuedouble == emu__floor(v->valuedouble);
}

static const char *const allowed_keys[] = {
	"anthropic_version", "anthropic_beta", "max_tokens", "messages", "system",
	"temperature", "top_p", "top_k", "stop_sequences", "tools", "tool_choice",
	"thinking", "metadata", "output_config", "output_format", "cache_control",
	"context_management", NULL
};

static int check_range(const cJSON *body, const char *key, double lo, double hi,
		       char *msg, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(body, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v))
		return malformed(msg, cap, "#/%s: expected type: Number, found: %s", key, found(v));
	if (v->valuedouble < lo)
		FAIL("%s: Input should be greater than or equal to %g", key, lo);
	if (v->valuedouble > hi)
		FAIL("%s: Input should be less than or equal to %g", key, hi);
	return 0;
}

static int check_text(const char *where, const cJSON *b, char *msg, size_t cap)
{
	const char *t = bedrock__json_str(b, "text");

	if (!t)
		FAIL("%s.text: Field required", where);
	/* Whitespace-only text is accepted: Bedrock took "\n" blocks in the
	 * recorded pydantic-ai cache test. */
	if (!*t)
		FAIL("messages: text content blocks must be non-empty");
	return 0;
}

static int check_base64(const char *where, const cJSON *src, char *msg, size_t cap)
{
	const char *data = bedrock__json_str(src, "data");
	uint8_t *raw;
	size_t n;

	if (!data)
		FAIL("%s.data: Field required", where);
	raw = emu__b64_decode(data, &n);
	if (!raw)
		FAIL("%s.data: Invalid base64 data", where);
	free(raw);
	return 0;
}

static int check_image(const char *where, const cJSON *b, char *msg, size_t cap)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "source");
	const char *type = bedrock__json_str(src, "type"), *mt;
	char w[96];

	if (!cJSON_IsObject(src))
		FAIL("%s.source: Field required", where);
	if (type && !strcmp(type, "url")) {
		if (!bedrock__json_str(src, "url"))
			FAIL("%s.source.url.url: Field required", where);
		return 0;
	}
	if (!type || strcmp(type, "base64"))
		FAIL("%s.source: Input tag '%s' found using 'type' does not match any of the expected tags: 'base64', 'url'",
		     where, type ? type : "");
	mt = bedrock__json_str(src, "media_type");
	if (!mt || (strcmp(mt, "image/jpeg") && strcmp(mt, "image/png") &&
		    strcmp(mt, "image/gif") && strcmp(mt, "image/webp")))
		FAIL("%s.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'",
		     where);
	snprintf(w, sizeof(w), "%s.source.base64", where);
	return check_base64(w, src, msg, cap);
}

static int check_document(const char *where, const cJSON *b, char *msg, size_t cap)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "source");
	const char *type = bedrock__json_str(src, "type"), *mt = bedrock__json_str(src, "media_type");
	char w[96];

	if (!cJSON_IsObject(src))
		FAIL("%s.source: Field required", where);
	if (!type)
		type = "";
	if (!strcmp(type, "base64")) {
		if (!mt || strcmp(mt, "application/pdf"))
			FAIL("%s.source.base64.media_type: Input should be 'application/pdf'", where);
		snprintf(w, sizeof(w), "%s.source.base64", where);
		return check_base64(w, src, msg, cap);
	}
	if (!strcmp(type, "text")) {
		if (!mt || strcmp(mt, "text/plain"))
			FAIL("%s.source.text.media_type: Input should be 'text/plain'", where);
		if (!bedrock__json_str(src, "data"))
			FAIL("%s.source.text.data: Field required", where);
		return 0;
	}
	if (!strcmp(type, "content")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(src, "content");

		if (!cJSON_IsString(c) && !cJSON_IsArray(c))
			FAIL("%s.source.content.content: Field required", where);
		return 0;
	}
	if (!strcmp(type, "url")) {
		if (!bedrock__json_str(src, "url"))
			FAIL("%s.source.url.url: Field required", where);
		return 0;
	}
	FAIL("%s.source: Input tag '%s' found using 'type' does not match any of the expected tags: 'base64', 'content', 'text', 'url'",
	     where, type);
}

static int check_block(int mi, int bi, const cJSON *b, char *msg, size_t cap)
{
	const char *type = bedrock__json_str(b, "type");
	char where[64];

	snprintf(where, sizeof(where), "messages.%d.content.%d", mi, bi);
	if (!cJSON_IsObject(b))
		FAIL("%s: Input should be a valid dictionary or object to extract fields from", where);
	if (!type)
		FAIL("%s.type: Field required", where);
	if (!strcmp(type, "text"))
		return check_text(where, b, msg, cap);
	if (!strcmp(type, "image"))
		return check_image(where, b, msg, cap);
	if (!strcmp(type, "document"))
		return check_document(where, b, msg, cap);
	if (!strcmp(type, "tool_use")) {
		if (!bedrock__json_str(b, "id"))
			FAIL("%s.id: Field required", where);
		if (!bedrock__json_str(b, "name"))
			FAIL("%s.name: Field required", where);
		if (!cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(b, "input")))
			FAIL("%s.input: Input should be a valid dictionary", where);
		return 0;
	}
	if (!strcmp(type, "tool_result")) {
		const cJSON *c = cJSON_GetObjectItemCaseSensitive(b, "content");

		if (!bedrock__json_str(b, "tool_use_id"))
			FAIL("%s.tool_use_id: Field required", where);
		if (c && !cJSON_IsString(c) && !cJSON_IsArray(c))
			FAIL("%s.content: Input should be a valid list", where);
		return 0;
	}
	if (!strcmp(type, "thinking")) {
		if (!bedrock__json_str(b, "thinking"))
			FAIL("%s.thinking: Field required", where);
		if (!bedrock__json_str(b, "signature"))
			FAIL("%s.signature: Field required", where);
		return 0;
	}
	if (!strcmp(type, "redacted_thinking")) {
		if (!bedrock__json_str(b, "data"))
			FAIL("%s.data: Field required", where);
		return 0;
	}
	if (!strcmp(type, "search_result"))
		return 0;
	FAIL("%s: Input tag '%s' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'",
	     where, type);
}

static int has_block_id(const cJSON *content, const char *type, const char *key, const char *id)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, content) {
		const char *t = bedrock__json_str(b, "type"), *v = bedrock__json_str(b, key);

		if (t && !strcmp(t, type) && v && !strcmp(v, id))
			return 1;
	}
	return 0;
}

/* Every tool_result answers a tool_use of the previous message, and every
 * tool_use is answered in the next one (if there is a next one). */
static int check_pairing(const cJSON *messages, char *msg, size_t cap)
{
	const cJSON *m, *prev = NULL, *b;
	int mi = 0;

	cJSON_ArrayForEach(m, messages) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		const cJSON *pc = prev ? cJSON_GetObjectItemCaseSensitive(prev, "content") : NULL;
		int bi = 0;

		cJSON_ArrayForEach(b, content) {
			const char *t = bedrock__json_str(b, "type");
			const char *id = bedrock__json_str(b, "tool_use_id");

			if (t && !strcmp(t, "tool_result") && id &&
			    !has_block_id(pc, "tool_use", "id", id))
				FAIL("messages.%d.content.%d: unexpected `tool_use_id` found in `tool_result` blocks: %.64s. Each `tool_result` block must have a corresponding `tool_use` block in the previous message.",
				     mi, bi, id);
			bi++;
		}
		cJSON_ArrayForEach(b, pc) {
			const char *t = bedrock__json_str(b, "type"), *id = bedrock__json_str(b, "id");

			if (t && !strcmp(t, "tool_use") && id &&
			    !has_block_id(content, "tool_result", "tool_use_id", id))
				FAIL("messages.%d: `tool_use` ids were found without `tool_result` blocks immediately after: %.64s. Each `tool_use` block must have a corresponding `tool_result` block in the next message.",
				     mi - 1, id);
		}
		prev = m;
		mi++;
	}
	return 0;
}

static int check_messages(const cJSON *messages, char *msg, size_t cap)
{
	const cJSON *m, *b;
	const char *prev_role = NULL;
	int mi = 0, count = cJSON_GetArraySize(messages);

	if (!count)
		FAIL("messages: at least one message is required");
	cJSON_ArrayForEach(m, messages) {
		const char *role = bedrock__json_str(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		int bi = 0, empty;

		if (!cJSON_IsObject(m))
			FAIL("messages.%d: Input should be a valid dictionary or object to extract fields from", mi);
		if (!cJSON_GetObjectItemCaseSensitive(m, "role"))
			FAIL("messages.%d.role: Field required", mi);
		if (!role || (strcmp(role, "user") && strcmp(role, "assistant")))
			FAIL("messages.%d.role: Input should be 'user' or 'assistant'", mi);
		if (!content)
			FAIL("messages.%d.content: Field required", mi);
		if (!cJSON_IsString(content) && !cJSON_IsArray(content))
			FAIL("messages.%d.content: Input should be a valid list", mi);
		/* No first-must-be-user rule: real Bedrock accepts a history that
		 * starts with an assistant turn (a recorded Converse call shows it). */
		if (prev_role && !strcmp(prev_role, role))
			FAIL("messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"%s\" roles in a row",
			     role);
		empty = cJSON_IsString(content) ? !*content->valuestring : !content->child;
		if (empty && !(mi == count - 1 && !strcmp(role, "assistant")))
			FAIL("messages.%d: all messages must have non-empty content except for the optional final assistant message",
			     mi);
		cJSON_ArrayForEach(b, content)
			if (check_block(mi, bi++, b, msg, cap))
				return -1;
		prev_role = role;
		mi++;
	}
	return check_pairing(messages, msg, cap);
}

static int check_system(const cJSON *sys, char *msg, size_t cap)
{
	const cJSON *b;
	int i = 0;

	if (!sys || cJSON_IsString(sys))
		return 0;
	if (!cJSON_IsArray(sys))
		FAIL("system: Input should be a valid list");
	cJSON_ArrayForEach(b, sys) {
		const char *type = bedrock__json_str(b, "type");
		char where[32];

		snprintf(where, sizeof(where), "system.%d", i++);
		if (!type || strcmp(type, "text"))
			FAIL("%s.type: Input should be 'text'", where);
		if (!bedrock__json_str(b, "text"))
			FAIL("%s.text: Field required", where);
		if (!*bedrock__json_str(b, "text"))
			FAIL("system: text content blocks must be non-empty");
	}
	return 0;
}

static int valid_tool_name(const char *s)
{
	size_t n = 0;

	for (; s[n]; n++)
		if (!(s[n] == '_' || s[n] == '-' || bedrock__ascii_alnum((unsigned char)s[n])))
			return 0;
	return n >= 1 && n <= 128;
}

static int check_tools(const cJSON *tools, char *msg, size_t cap)
{
	const cJSON *t, *u;
	int i = 0;

	if (!tools)
		return 0;
	if (!cJSON_IsArray(tools))
		return malformed(msg, cap, "#/tools: expected type: JSONArray, found: %s", found(tools));
	cJSON_ArrayForEach(t, tools) {
		const char *type = bedrock__json_str(t, "type"), *name = bedrock__json_str(t, "name");
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(t, "input_schema");

		if (!cJSON_IsObject(t))
			FAIL("tools.%d: Input should be a valid dictionary or object to extract fields from", i);
		if (type && strcmp(type, "custom")) {
			/* Server and client tools with a versioned type need a name only. */
			if (!name)
				FAIL("tools.%d.%s.name: Field required", i, type);
		} else {
			if (!name)
				FAIL("tools.%d.custom.name: Field required", i);
			if (!valid_tool_name(name))
				FAIL("tools.%d.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'", i);
			if (!schema)
				FAIL("tools.%d.custom.input_schema: Field required", i);
			if (!cJSON_IsObject(schema))
				FAIL("tools.%d.custom.input_schema: Input should be a valid dictionary", i);
			if (!bedrock__json_str(schema, "type") ||
			    strcmp(bedrock__json_str(schema, "type"), "object"))
				FAIL("tools.%d.custom.input_schema.type: Input should be 'object'", i);
		}
		for (u = tools->child; u != t; u = u->next)
			if (bedrock__json_str(u, "name") && !strcmp(bedrock__json_str(u, "name"), name))
				FAIL("tools: Tool names must be unique.");
		i++;
	}
	return 0;
}

static int check_tool_choice(const cJSON *choice, const cJSON *tools, char *msg, size_t cap)
{
	const char *type = bedrock__json_str(choice, "type"), *name;
	const cJSON *t;

	if (!choice)
		return 0;
	if (!cJSON_IsObject(choice))
		return malformed(msg, cap, "#/tool_choice: expected type: JSONObject, found: %s",
				 found(choice));
	if (!type || (strcmp(type, "auto") && strcmp(type, "any") && strcmp(type, "tool") &&
		      strcmp(type, "none")))
		FAIL("tool_choice: Input tag '%s' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'",
		     type ? type : "");
	if ((!strcmp(type, "any") || !strcmp(type, "tool")) && !cJSON_GetArraySize(tools))
		FAIL("tool_choice may only be specified while providing tools.");
	if (strcmp(type, "tool"))
		return 0;
	if (!(name = bedrock__json_str(choice, "name")))
		FAIL("tool_choice.tool.name: Field required");
	cJSON_ArrayForEach(t, tools)
		if (bedrock__json_str(t, "name") && !strcmp(bedrock__json_str(t, "name"), name))
			return 0;
	FAIL("tool_choice.tool.name: Tool '%.64s' not found in provided tools", name);
}

static int check_thinking(const cJSON *body, char *msg, size_t cap)
{
	const cJSON *th = cJSON_GetObjectItemCaseSensitive(body, "thinking");
	const cJSON *temp = cJSON_GetObjectItemCaseSensitive(body, "temperature");
	const char *type = bedrock__json_str(th, "type"), *choice;
	const cJSON *budget;

	if (!th)
		return 0;
	if (!cJSON_IsObject(th))
		return malformed(msg, cap, "#/thinking: expected type: JSONObject, found: %s", found(th));
	if (!type || (strcmp(type, "enabled") && strcmp(type, "disabled") && strcmp(type, "adaptive")))
		FAIL("thinking: Input tag '%s' found using 'type' does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'",
		     type ? type : "");
	if (!strcmp(type, "disabled"))
		return 0;
	if (!strcmp(type, "enabled")) {
		budget = cJSON_GetObjectItemCaseSensitive(th, "budget_tokens");
		if (!budget)
			FAIL("thinking.enabled.budget_tokens: Field required");
		if (!is_int(budget))
			FAIL("thinking.enabled.budget_tokens: Input should be a valid integer");
		if (budget->valuedouble < 1024)
			FAIL("thinking.enabled.budget_tokens: Input should be greater than or equal to 1024");
		if (budget->valuedouble >= cJSON_GetObjectItemCaseSensitive(body, "max_tokens")->valuedouble)
			FAIL("`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size");
	}
	if (temp && temp->valuedouble != 1)
		FAIL("`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility");
	choice = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(body, "tool_choice"), "type");
	if (choice && (!strcmp(choice, "any") || !strcmp(choice, "tool")))
		FAIL("Thinking may not be enabled when tool_choice forces tool use.");
	return 0;
}

int emu_validate_messages(const cJSON *body, int temperature_top_p_exclusive, char *msg, size_t cap)
{
	static const char *const required[] = { "anthropic_version", "max_tokens", "messages" };
	const cJSON *v;
	size_t i;

	if (msg && cap)
		*msg = '\0';
	if (!cJSON_IsObject(body))
		return malformed(msg, cap, "expected a JSON object");
	for (i = 0; i < sizeof(required) / sizeof(*required); i++)
		if (!cJSON_GetObjectItemCaseSensitive(body, required[i]))
			return malformed(msg, cap, "#: required key [%s] not found", required[i]);
	cJSON_ArrayForEach(v, body) {
		for (i = 0; allowed_keys[i] && strcmp(allowed_keys[i], v->string); i++)
			;
		if (!allowed_keys[i])
			return malformed(msg, cap, "#: extraneous key [%.64s] is not permitted", v->string);
	}
	v = cJSON_GetObjectItemCaseSensitive(body, "anthropic_version");
	if (!cJSON_IsString(v))
		return malformed(msg, cap, "#/anthropic_version: expected type: String, found: %s", found(v));
	/* The Bedrock version, and the dated API version that Anthropic's SDKs
	 * from 1.0 (2026-10-21) put in the body. */
	if (strcmp(v->valuestring, "bedrock-2023-05-31") && strcmp(v->valuestring, "2026-10-21"))
		return malformed(msg, cap, "#/anthropic_version: %.64s is not a valid enum value",
				 v->valuestring);
	v = cJSON_GetObjectItemCaseSensitive(body, "anthropic_beta");
	if (v && !cJSON_IsArray(v))
		return malformed(msg, cap, "#/anthropic_beta: expected type: JSONArray, found: %s", found(v));
	v = cJSON_GetObjectItemCaseSensitive(body, "max_tokens");
	if (!is_int(v))
		return malformed(msg, cap, "#/max_tokens: expected type: Integer, found: %s", found(v));
	if (v->valuedouble < 1)
		return malformed(msg, cap, "#/max_tokens: %.0f is not greater or equal to 1", v->valuedouble);
	v = cJSON_GetObjectItemCaseSensitive(body, "messages");
	if (!cJSON_IsArray(v))
		return malformed(msg, cap, "#/messages: expected type: JSONArray, found: %s", found(v));
	if (check_range(body, "temperature", 0, 1, msg, cap) || check_range(body, "top_p", 0, 1, msg, cap))
		return -1;
	v = cJSON_GetObjectItemCaseSensitive(body, "top_k");
	if (v && !is_int(v))
		return malformed(msg, cap, "#/top_k: expected type: Integer, found: %s", found(v));
	if (v && v->valuedouble < 0)
		FAIL("top_k: Input should be greater than or equal to 0");
	if (temperature_top_p_exclusive && cJSON_GetObjectItemCaseSensitive(body, "temperature") &&
	    cJSON_GetObjectItemCaseSensitive(body, "top_p"))
		FAIL("`temperature` and `top_p` cannot both be specified for this model. Please use only one.");
	v = cJSON_GetObjectItemCaseSensitive(body, "stop_sequences");
	if (v) {
		const cJSON *s;

		i = 0;
		if (!cJSON_IsArray(v))
			return malformed(msg, cap, "#/stop_sequences: expected type: JSONArray, found: %s",
					 found(v));
		cJSON_ArrayForEach(s, v) {
			if (!cJSON_IsString(s))
				return malformed(msg, cap, "#/stop_sequences/%zu: expected type: String, found: %s",
						 i, found(s));
			i++;
		}
	}
	if (check_system(cJSON_GetObjectItemCaseSensitive(body, "system"), msg, cap) ||
	    check_messages(cJSON_GetObjectItemCaseSensitive(body, "messages"), msg, cap) ||
	    check_tools(cJSON_GetObjectItemCaseSensitive(body, "tools"), msg, cap) ||
	    check_tool_choice(cJSON_GetObjectItemCaseSensitive(body, "tool_choice"),
			      cJSON_GetObjectItemCaseSensitive(body, "tools"), msg, cap) ||
	    check_thinking(body, msg, cap))
		return -1;
	return 0;
}
