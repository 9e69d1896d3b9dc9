/* Converse -> Messages, so that one model answers all four operations the
 * same way, and the CountTokens body. Converse's own checks use Bedrock's
 * Smithy-style texts ("1 validation error detected: ..."); what is left
 * (tool pairing, thinking rules) is for emu_validate_messages afterwards. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"
#include "model_internal.h"

#define FAIL(...) do { emu__msg(msg, cap, __VA_ARGS__); goto fail; } while (0)

static const char *const start_user =
	"A conversation must start with a user message. Try again with a conversation that starts with a user message.";

/* Moves cache_control onto the last block of arr (a cachePoint marks the
 * end of the prefix before it). */
static void cache_point(cJSON *arr, const cJSON *cp)
{
	cJSON *last = cJSON_GetArrayItem(arr, cJSON_GetArraySize(arr) - 1), *cc;
	const char *ttl = bedrock__json_str(cp, "ttl");

	if (!last)
		return;
	cJSON_DeleteItemFromObjectCaseSensitive(last, "cache_control");
	cc = cJSON_AddObjectToObject(last, "cache_control");
	cJSON_AddStringToObject(cc, "type", "ephemeral");
	if (ttl)
		cJSON_AddStringToObject(cc, "ttl", ttl);
}

static cJSON *text_block(const char *text)
{
	cJSON *b = cJSON_CreateObject();

	cJSON_AddStringToObject(b, "type", "text");
	cJSON_AddStringToObject(b, "text", text);
	return b;
}

static int is_text_format(const char *f)
{
	return f && (!strcmp(f, "txt") || !strcmp(f, "md") || !strcmp(f, "csv") ||
		     !strcmp(f, "html"));
}

static cJSON *document(const cJSON *d, const char *where, char *msg, size_t cap)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(d, "source");
	const char *fmt = bedrock__json_str(d, "format");
	cJSON *b = cJSON_CreateObject(), *s;
	const cJSON *cit = cJSON_GetObjectItemCaseSensitive(d, "citations");

	cJSON_AddStringToObject(b, "type", "document");
	s = cJSON_AddObjectToObject(b, "source");
	if (bedrock__json_str(src, "bytes")) {
		size_t n;
		uint8_t *raw = emu__b64_decode(bedrock__json_str(src, "bytes"), &n);

		if (!raw) {
			emu__msg(msg, cap, "1 validation error detected: Value at '%s.document.source.bytes' failed to satisfy constraint: Member must be valid base64",
				 where);
			cJSON_Delete(b);
			return NULL;
		}
		if (is_text_format(fmt)) {
			cJSON_AddStringToObject(s, "type", "text");
			cJSON_AddStringToObject(s, "media_type", "text/plain");
			cJSON_AddStringToObject(s, "data", (const char *)raw);
		} else {
			/* pdf, and the office formats, which Claude reads as pages. */
			cJSON_AddStringToObject(s, "type", "base64");
			cJSON_AddStringToObject(s, "media_type", "application/pdf");
			cJSON_AddStringToObject(s, "data", bedrock__json_str(src, "bytes"));
		}
		free(raw);
	} else if (bedrock__json_str(src, "text")) {
		cJSON_AddStringToObject(s, "type", "text");
		cJSON_AddStringToObject(s, "media_type", "text/plain");
		cJSON_AddStringToObject(s, "data", bedrock__json_str(src, "text"));
	} else if (cJSON_IsArray(cJSON_GetObjectItemCaseSensitive(src, "content"))) {
		const cJSON *c;
		cJSON *arr;

		cJSON_AddStringToObject(s, "type", "content");
		arr = cJSON_AddArrayToObject(s, "content");
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(src, "content"))
			if (bedrock__json_str(c, "text"))
				emu__push(arr, text_block(bedrock__json_str(c, "text")));
	} else {
		emu__msg(msg, cap, cJSON_GetObjectItemCaseSensitive(src, "s3Location")
			 ? "The emulator cannot read S3 objects: send %s.document.source.bytes instead."
			 : "1 validation error detected: Value null at '%s.document.source' failed to satisfy constraint: Member must not be null",
			 where);
		cJSON_Delete(b);
		return NULL;
	}
	if (bedrock__json_str(d, "name"))
		cJSON_AddStringToObject(b, "title", bedrock__json_str(d, "name"));
	if (bedrock__json_str(d, "context"))
		cJSON_AddStringToObject(b, "context", bedrock__json_str(d, "context"));
	if (cJSON_IsObject(cit))
		emu__put(cJSON_AddObjectToObject(b, "citations"), "enabled",
				      cJSON_CreateBool(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(cit, "enabled"))));
	return b;
}

static cJSON *image(const cJSON *im, const char *where, char *msg, size_t cap)
{
	const char *fmt = bedrock__json_str(im, "format");
	const char *bytes = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(im, "source"), "bytes");
	cJSON *b, *s;
	char mt[32];

	if (!fmt || (strcmp(fmt, "png") && strcmp(fmt, "jpeg") && strcmp(fmt, "gif") &&
		     strcmp(fmt, "webp"))) {
		emu__msg(msg, cap, "1 validation error detected: Value '%.32s' at '%s.image.format' failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]",
			 fmt ? fmt : "null", where);
		return NULL;
	}
	if (!bytes) {
		emu__msg(msg, cap, "1 validation error detected: Value null at '%s.image.source.bytes' failed to satisfy constraint: Member must not be null",
			 where);
		return NULL;
	}
	snprintf(mt, sizeof(mt), "image/%s", fmt);
	b = cJSON_CreateObject();
	cJSON_AddStringToObject(b, "type", "image");
	s = cJSON_AddObjectToObject(b, "source");
	cJSON_AddStringToObject(s, "type", "base64");
	cJSON_AddStringToObject(s, "media_type", mt);
	cJSON_AddStringToObject(s, "data", bytes);
	return b;
}

static cJSON *tool_result(const cJSON *tr)
{
	cJSON *b = cJSON_CreateObject(), *content;
	const cJSON *c;
	const char *status = bedrock__json_str(tr, "status");

	cJSON_AddStringToObject(b, "type", "tool_result");
	cJSON_AddStringToObject(b, "tool_use_id", bedrock__json_str(tr, "toolUseId"));
	content = cJSON_AddArrayToObject(b, "content");
	cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(tr, "content")) {
		if (bedrock__json_str(c, "text")) {
			emu__push(content, text_block(bedrock__json_str(c, "text")));
		} else if (cJSON_GetObjectItemCaseSensitive(c, "json")) {
			bedrock_buf j = BEDROCK_BUF_INIT;

			emu__canonical(&j, cJSON_GetObjectItemCaseSensitive(c, "json"));
			emu__push(content, text_block(j.ptr ? j.ptr : "null"));
			bedrock__buf_dispose(&j);
		}
	}
	if (status && !strcmp(status, "error"))
		cJSON_AddTrueToObject(b, "is_error");
	return b;
}

/* One Converse ContentBlock -> one Messages block; a JSON null for a
 * cachePoint (it marks the previous block instead). NULL + msg on error. */
static cJSON *block(const cJSON *c, cJSON *arr, int mi, int bi, char *msg, size_t cap)
{
	const cJSON *v;
	char where[64];
	cJSON *b;

	snprintf(where, sizeof(where), "messages.%d.member.content.%d.member", mi + 1, bi + 1);
	if (!cJSON_IsObject(c) || !c->child || c->child->next) {
		emu__msg(msg, cap, "1 validation error detected: Value at '%s' failed to satisfy constraint: Member must have exactly one field set",
			 where);
		return NULL;
	}
	v = c->child;
	if (!strcmp(v->string, "text")) {
		if (!cJSON_IsString(v) || !v->valuestring[0]) {
			emu__msg(msg, cap, "The text field in the ContentBlock object at messages.%d.content.%d is blank. Add text to the text field, and try again.",
				 mi, bi);
			return NULL;
		}
		return text_block(v->valuestring);
	}
	if (!strcmp(v->string, "image"))
		return image(v, where, msg, cap);
	if (!strcmp(v->string, "document"))
		return document(v, where, msg, cap);
	if (!strcmp(v->string, "toolUse")) {
		const cJSON *input = cJSON_GetObjectItemCaseSensitive(v, "input");

		if (!bedrock__json_str(v, "toolUseId") || !bedrock__json_str(v, "name") ||
		    !cJSON_IsObject(input)) {
			emu__msg(msg, cap, "1 validation error detected: Value null at '%s.toolUse' failed to satisfy constraint: toolUseId, name and input must be set",
				 where);
			return NULL;
		}
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "tool_use");
		cJSON_AddStringToObject(b, "id", bedrock__json_str(v, "toolUseId"));
		cJSON_AddStringToObject(b, "name", bedrock__json_str(v, "name"));
		emu__put(b, "input", cJSON_Duplicate(input, 1));
		return b;
	}
	if (!strcmp(v->string, "toolResult")) {
		if (!bedrock__json_str(v, "toolUseId")) {
			emu__msg(msg, cap, "1 validation error detected: Value null at '%s.toolResult.toolUseId' failed to satisfy constraint: Member must not be null",
				 where);
			return NULL;
		}
		return tool_result(v);
	}
	if (!strcmp(v->string, "reasoningContent")) {
		const cJSON *rt = cJSON_GetObjectItemCaseSensitive(v, "reasoningText");

		b = cJSON_CreateObject();
		if (bedrock__json_str(v, "redactedContent")) {
			cJSON_AddStringToObject(b, "type", "redacted_thinking");
			cJSON_AddStringToObject(b, "data", bedrock__json_str(v, "redactedContent"));
		} else {
			const char *text = bedrock__json_str(rt, "text");
			const char *sig = bedrock__json_str(rt, "signature");

			cJSON_AddStringToObject(b, "type", "thinking");
			cJSON_AddStringToObject(b, "thinking", text ? text : "");
			cJSON_AddStringToObject(b, "signature", sig ? sig : "");
		}
		return b;
	}
	if (!strcmp(v->string, "guardContent")) {
		const char *t = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(v, "text"), "text");

		return text_block(t ? t : "");
	}
	if (!strcmp(v->string, "citationsContent")) {
		bedrock_buf t = BEDROCK_BUF_INIT;
		const cJSON *x;

		cJSON_ArrayForEach(x, cJSON_GetObjectItemCaseSensitive(v, "content"))
			if (bedrock__json_str(x, "text"))
				bedrock__buf_puts(&t, bedrock__json_str(x, "text"));
		b = text_block(t.ptr ? t.ptr : "");
		bedrock__buf_dispose(&t);
		return b;
	}
	if (!strcmp(v->string, "cachePoint")) {
		cache_point(arr, v);
		return cJSON_CreateNull();	/* placeholder: dropped by the caller */
	}
	emu__msg(msg, cap, "This model doesn't support the %.32s content block that you provided. Try again with supported content.",
		 v->string);
	return NULL;
}

static int number_in(const cJSON *cfg, const char *key, double lo, double hi, char *msg, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(cfg, key);

	if (!v)
		return 0;
	if (!cJSON_IsNumber(v)) {
		emu__msg(msg, cap, "1 validation error detected: Value at 'inferenceConfig.%s' failed to satisfy constraint: Member must be a number",
			 key);
		return -1;
	}
	if (v->valuedouble < lo) {
		emu__msg(msg, cap, "1 validation error detected: Value '%g' at 'inferenceConfig.%s' failed to satisfy constraint: Member must have value greater than or equal to %g",
			 v->valuedouble, key, lo);
		return -1;
	}
	if (v->valuedouble > hi) {
		emu__msg(msg, cap, "1 validation error detected: Value '%g' at 'inferenceConfig.%s' failed to satisfy constraint: Member must have value less than or equal to %g",
			 v->valuedouble, key, hi);
		return -1;
	}
	return 0;
}

static int convert_messages(cJSON *out, const cJSON *messages, char *msg, size_t cap)
{
	const cJSON *m, *c;
	const char *prev = NULL;
	cJSON *arr = cJSON_AddArrayToObject(out, "messages");
	int mi = 0;

	if (!arr)
		return -1;
	cJSON_ArrayForEach(m, messages) {
		const char *role = bedrock__json_str(m, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(m, "content");
		cJSON *om, *oc;
		int bi = 0;

		if (!role || (strcmp(role, "user") && strcmp(role, "assistant"))) {
			emu__msg(msg, cap, "1 validation error detected: Value '%.32s' at 'messages.%d.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]",
				 role ? role : "null", mi + 1);
			return -1;
		}
		if (!cJSON_IsArray(content)) {
			emu__msg(msg, cap, "1 validation error detected: Value null at 'messages.%d.member.content' failed to satisfy constraint: Member must not be null",
				 mi + 1);
			return -1;
		}
		if (prev && !strcmp(prev, role)) {
			emu__msg(msg, cap, "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again.");
			return -1;
		}
		om = cJSON_CreateObject();
		if (!om || !cJSON_AddItemToArray(arr, om)) {
			cJSON_Delete(om);
			return -1;
		}
		cJSON_AddStringToObject(om, "role", role);
		oc = cJSON_AddArrayToObject(om, "content");
		cJSON_ArrayForEach(c, content) {
			cJSON *b = block(c, oc, mi, bi++, msg, cap);

			if (!b)
				return -1;
			if (cJSON_IsNull(b))
				cJSON_Delete(b);
			else if (!cJSON_AddItemToArray(oc, b)) {
				cJSON_Delete(b);
				return -1;
			}
		}
		prev = role;
		mi++;
	}
	/* Real Bedrock accepts a history that opens with an assistant turn (a
	 * recorded call shows it) but not one without any user message. */
	if (!mi || (mi == 1 && prev && strcmp(prev, "user"))) {
		emu__msg(msg, cap, "%s", start_user);
		return -1;
	}
	return 0;
}

static int convert_system(cJSON *out, const cJSON *system)
{
	const cJSON *s;
	cJSON *arr;

	if (!cJSON_GetArraySize(system))
		return 0;
	arr = cJSON_AddArrayToObject(out, "system");
	cJSON_ArrayForEach(s, system) {
		const char *t = bedrock__json_str(s, "text");

		if (!t && cJSON_GetObjectItemCaseSensitive(s, "guardContent"))
			t = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(s, "guardContent"), "text"), "text");
		if (t)
			emu__push(arr, text_block(t));
		else if (cJSON_GetObjectItemCaseSensitive(s, "cachePoint"))
			cache_point(arr, cJSON_GetObjectItemCaseSensitive(s, "cachePoint"));
	}
	if (!cJSON_GetArraySize(arr))
		cJSON_DeleteItemFromObjectCaseSensitive(out, "system");
	return 0;
}

static int convert_tools(cJSON *out, const cJSON *config, char *msg, size_t cap)
{
	const cJSON *t, *choice = cJSON_GetObjectItemCaseSensitive(config, "toolChoice");
	cJSON *arr;
	int i = 0;

	if (!config)
		return 0;
	arr = cJSON_AddArrayToObject(out, "tools");
	cJSON_ArrayForEach(t, cJSON_GetObjectItemCaseSensitive(config, "tools")) {
		const cJSON *spec = cJSON_GetObjectItemCaseSensitive(t, "toolSpec");
		const char *name = bedrock__json_str(spec, "name");
		cJSON *o;

		i++;
		if (cJSON_GetObjectItemCaseSensitive(t, "cachePoint")) {
			cache_point(arr, cJSON_GetObjectItemCaseSensitive(t, "cachePoint"));
			continue;
		}
		if (!spec)
			continue;	/* systemTool: nothing the emulator can run */
		if (!name || !*name || strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != strlen(name)) {
			emu__msg(msg, cap, "1 validation error detected: Value '%.64s' at 'toolConfig.tools.%d.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+",
				 name ? name : "null", i);
			return -1;
		}
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "name", name);
		if (bedrock__json_str(spec, "description"))
			cJSON_AddStringToObject(o, "description", bedrock__json_str(spec, "description"));
		emu__put(o, "input_schema", cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(spec, "inputSchema"), "json"), 1));
		if (!cJSON_GetObjectItemCaseSensitive(o, "input_schema"))
			emu__put(cJSON_AddObjectToObject(o, "input_schema"), "type",
					      cJSON_CreateString("object"));
		emu__push(arr, o);
	}
	if (!cJSON_GetArraySize(arr))
		cJSON_DeleteItemFromObjectCaseSensitive(out, "tools");
	if (cJSON_IsObject(choice) && choice->child) {
		cJSON *c = cJSON_AddObjectToObject(out, "tool_choice");

		if (!strcmp(choice->child->string, "tool")) {
			cJSON_AddStringToObject(c, "type", "tool");
			cJSON_AddStringToObject(c, "name", bedrock__json_str(choice->child, "name")
						? bedrock__json_str(choice->child, "name") : "");
		} else {
			cJSON_AddStringToObject(c, "type", strcmp(choice->child->string, "any") ? "auto" : "any");
		}
	}
	return 0;
}

int emu_converse_to_messages(cJSON **out, const cJSON *converse, char *msg, size_t cap)
{
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(converse, "inferenceConfig");
	const cJSON *messages = cJSON_GetObjectItemCaseSensitive(converse, "messages");
	const cJSON *v, *extra;
	cJSON *r = NULL;
	char *probe;

	*out = NULL;
	if (msg && cap)
		*msg = '\0';
	if (!cJSON_IsObject(converse))
		FAIL("Malformed input request: expected a JSON object, please reformat your input and try again.");
	if (!messages || cJSON_IsNull(messages))
		FAIL("%s", start_user);
	if (!cJSON_IsArray(messages))
		FAIL("1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must be a list");
	v = cJSON_GetObjectItemCaseSensitive(cfg, "maxTokens");
	if (v && (!cJSON_IsNumber(v) || v->valuedouble < 1))
		FAIL("1 validation error detected: Value '%.0f' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1",
		     cJSON_IsNumber(v) ? v->valuedouble : 0.0);
	if (number_in(cfg, "temperature", 0, 1, msg, cap) || number_in(cfg, "topP", 0, 1, msg, cap))
		goto fail;
	if (!(r = cJSON_CreateObject()))
		goto fail;
	cJSON_AddStringToObject(r, "anthropic_version", "bedrock-2023-05-31");
	/* Copied as is: a fraction or a huge value is for the Messages
	 * validation to reject in its own words. */
	cJSON_AddNumberToObject(r, "max_tokens", v ? v->valuedouble : EMU_CONVERSE_DEFAULT_MAX_TOKENS);
	if (convert_messages(r, messages, msg, cap) ||
	    convert_system(r, cJSON_GetObjectItemCaseSensitive(converse, "system")) ||
	    convert_tools(r, cJSON_GetObjectItemCaseSensitive(converse, "toolConfig"), msg, cap))
		goto fail;
	if ((v = cJSON_GetObjectItemCaseSensitive(cfg, "temperature")))
		cJSON_AddNumberToObject(r, "temperature", v->valuedouble);
	if ((v = cJSON_GetObjectItemCaseSensitive(cfg, "topP")))
		cJSON_AddNumberToObject(r, "top_p", v->valuedouble);
	if (cJSON_GetArraySize(v = cJSON_GetObjectItemCaseSensitive(cfg, "stopSequences")))
		emu__put(r, "stop_sequences", cJSON_Duplicate(v, 1));
	/* Anthropic-only fields (thinking, top_k, anthropic_beta, ...) ride in
	 * additionalModelRequestFields; fields Converse set win. */
	extra = cJSON_GetObjectItemCaseSensitive(converse, "additionalModelRequestFields");
	if (!cJSON_IsObject(extra))
		extra = NULL;
	cJSON_ArrayForEach(v, extra)
		if (!cJSON_GetObjectItemCaseSensitive(r, v->string))
			emu__put(r, v->string, cJSON_Duplicate(v, 1));
	probe = cJSON_PrintUnformatted(r);
	if (!probe)
		goto fail;
	free(probe);
	*out = r;
	return 0;
fail:
	cJSON_Delete(r);
	return -1;
}

int emu_count_tokens_request(unsigned *out, const cJSON *body, int exclusive, char *msg, size_t cap)
{
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(body, "input");
	const cJSON *invoke = cJSON_GetObjectItemCaseSensitive(input, "invokeModel");
	const cJSON *converse = cJSON_GetObjectItemCaseSensitive(input, "converse");
	cJSON *req = NULL;
	int rc = -1;

	*out = 0;
	if (msg && cap)
		*msg = '\0';
	if (!cJSON_IsObject(input) || (!invoke == !converse)) {
		emu__msg(msg, cap, "1 validation error detected: Value at 'input' failed to satisfy constraint: Member must have exactly one of invokeModel or converse set");
		return -1;
	}
	if (invoke) {
		const char *b64 = bedrock__json_str(invoke, "body");
		size_t n;
		uint8_t *raw = b64 ? emu__b64_decode(b64, &n) : NULL;

		if (!b64) {
			emu__msg(msg, cap, "1 validation error detected: Value null at 'input.invokeModel.body' failed to satisfy constraint: Member must not be null");
			return -1;
		}
		req = raw ? cJSON_ParseWithLength((const char *)raw, n) : NULL;
		free(raw);
	} else {
		/* CountTokens' converse input has no inferenceConfig; the default
		 * max_tokens stands in. */
		if (emu_converse_to_messages(&req, converse, msg, cap))
			return -1;
	}
	if (!emu_validate_messages(req, exclusive, msg, cap)) {
		*out = emu_count_tokens(req);
		rc = 0;
	}
	cJSON_Delete(req);
	return rc;
}
