/* The Messages request builder. Each part is kept as its own cJSON tree and
 * the body is assembled at render time in one fixed member order, so the
 * same calls always give the same bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "messages_request_private.h"
#include "alloc.h"

int bedrock__req_fail(bedrock_messages_request *req, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int bedrock__req_fail(bedrock_messages_request *req, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->errmsg, sizeof(req->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

int bedrock__req_ok(bedrock_messages_request *req)
{
	req->errmsg[0] = '\0';
	return 0;
}

int bedrock_messages_request_new(bedrock_messages_request **out, int max_tokens)
{
	bedrock_messages_request *req;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (max_tokens <= 0)
		return BEDROCK_EINVAL;
	req = bedrock__calloc(1, sizeof(*req));
	if (!req)
		return BEDROCK_ENOMEM;
	req->max_tokens = max_tokens;
	req->messages = cJSON_CreateArray();
	if (!req->messages) {
		bedrock__free(req);
		return BEDROCK_ENOMEM;
	}
	*out = req;
	return 0;
}

void bedrock_messages_request_free(bedrock_messages_request *req)
{
	if (!req)
		return;
	cJSON_Delete(req->system);
	cJSON_Delete(req->messages);
	cJSON_Delete(req->tools);
	cJSON_Delete(req->tool_choice);
	cJSON_Delete(req->thinking);
	cJSON_Delete(req->stop_sequences);
	cJSON_Delete(req->metadata);
	cJSON_Delete(req->betas);
	cJSON_Delete(req->extra);
	bedrock__free(req);
}

const char *bedrock_messages_request_errmsg(const bedrock_messages_request *req)
{
	return req ? req->errmsg : "";
}

int bedrock_messages_request_set_max_tokens(bedrock_messages_request *req, int max_tokens)
{
	if (!req)
		return BEDROCK_EINVAL;
	if (max_tokens <= 0)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "max_tokens must be > 0 (got %d)", max_tokens);
	req->max_tokens = max_tokens;
	return bedrock__req_ok(req);
}

/* ---- helpers shared with messages_blocks.c ---- */

int bedrock__req_add_string(cJSON *obj, const char *key, const char *value)
{
	return cJSON_AddStringToObject(obj, key, value) ? 0 : -1;
}

static const char *cache_ttl(bedrock_messages_cache c)
{
	return c == BEDROCK_CACHE_EPHEMERAL_5M ? "5m" : c == BEDROCK_CACHE_EPHEMERAL_1H ? "1h" : NULL;
}

int bedrock__req_check_opts(bedrock_messages_request *req, const bedrock_messages_block_options *o)
{
	if (!o)
		return 0;
	if (o->version != BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "block options: unsupported version %u", o->version);
	if ((unsigned)o->cache > BEDROCK_CACHE_EPHEMERAL_1H)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "block options: unknown cache value %d", (int)o->cache);
	return 0;
}

/* Adds cache_control (last, as the SDKs place it) if asked for. */
int bedrock__req_add_cache(cJSON *obj, const bedrock_messages_block_options *o)
{
	cJSON *cc;
	const char *ttl;

	if (!o || o->cache == BEDROCK_CACHE_NONE)
		return 0;
	cc = cJSON_AddObjectToObject(obj, "cache_control");
	if (!cc || bedrock__req_add_string(cc, "type", "ephemeral"))
		return -1;
	ttl = cache_ttl(o->cache);
	return ttl ? bedrock__req_add_string(cc, "ttl", ttl) : 0;
}

/* Parses a JSON text the caller passed in; on failure sets errmsg. */
int bedrock__req_parse_arg(bedrock_messages_request *req, cJSON **out, const char *what,
		     const char *json, int want_type)
{
	cJSON *j;

	*out = NULL;
	if (!json)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "%s: missing JSON", what);
	j = bedrock__json_parse_str(json);
	if (!j)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "%s: not valid JSON", what);
	if ((want_type == cJSON_Object && !cJSON_IsObject(j)) ||
	    (want_type == cJSON_Array && !cJSON_IsArray(j))) {
		cJSON_Delete(j);
		return bedrock__req_fail(req, BEDROCK_EINVAL, "%s: must be a JSON %s", what,
			    want_type == cJSON_Object ? "object" : "array");
	}
	*out = j;
	return 0;
}

/* The message the add_* block functions append to. */
int bedrock_messages_request_set_system(bedrock_messages_request *req, const char *text)
{
	cJSON *s;

	NEED(req, text, "system: missing text");
	s = cJSON_CreateString(text);
	if (!s)
		return NOMEM(req);
	cJSON_Delete(req->system);
	req->system = s;
	return bedrock__req_ok(req);
}

/* A block {"type": TYPE}; the block builders (messages_blocks.c) use it
 * too, so this file stays below them. */
cJSON *bedrock__req_new_block(bedrock_messages_request *req, const char *type)
{
	cJSON *b = cJSON_CreateObject();

	if (!b || bedrock__req_add_string(b, "type", type)) {
		cJSON_Delete(b);
		NOMEM(req);
		return NULL;
	}
	return b;
}

cJSON *bedrock__req_text_block(bedrock_messages_request *req, const char *text,
			 const bedrock_messages_block_options *o, int *rc)
{
	cJSON *b, *cit = NULL;

	*rc = bedrock__req_check_opts(req, o);
	if (*rc)
		return NULL;
	if (o && o->citations_json && (*rc = bedrock__req_parse_arg(req, &cit, "citations", o->citations_json, cJSON_Array)))
		return NULL;
	b = bedrock__req_new_block(req, "text");
	if (!b || bedrock__req_add_string(b, "text", text) || (cit && !cJSON_AddItemToObject(b, "citations", cit))) {
		/* cit is b's only once the last step succeeded */
		if (!b || !cJSON_GetObjectItemCaseSensitive(b, "citations"))
			cJSON_Delete(cit);
		cJSON_Delete(b);
		*rc = NOMEM(req);
		return NULL;
	}
	if (bedrock__req_add_cache(b, o)) {
		cJSON_Delete(b);
		*rc = NOMEM(req);
		return NULL;
	}
	return b;
}

int bedrock_messages_request_add_system_text(bedrock_messages_request *req, const char *text,
					     const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, text, "system: missing text");
	b = bedrock__req_text_block(req, text, opts, &rc);
	if (!b)
		return rc;
	if (!cJSON_IsArray(req->system)) {
		/* A plain string so far becomes the first block. */
		cJSON *arr = cJSON_CreateArray();
		if (!arr) {
			cJSON_Delete(b);
			return NOMEM(req);
		}
		if (cJSON_IsString(req->system)) {
			cJSON *first = bedrock__req_text_block(req, req->system->valuestring, NULL, &rc);
			if (!first || !cJSON_AddItemToArray(arr, first)) {
				cJSON_Delete(first);
				cJSON_Delete(arr);
				cJSON_Delete(b);
				return NOMEM(req);
			}
		}
		cJSON_Delete(req->system);
		req->system = arr;
	}
	if (!cJSON_AddItemToArray(req->system, b)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return bedrock__req_ok(req);
}

/* ---- tools ---- */

static int append_tool(bedrock_messages_request *req, cJSON *tool)
{
	if (!req->tools && !(req->tools = cJSON_CreateArray())) {
		cJSON_Delete(tool);
		return NOMEM(req);
	}
	if (!cJSON_AddItemToArray(req->tools, tool)) {
		cJSON_Delete(tool);
		return NOMEM(req);
	}
	return bedrock__req_ok(req);
}

int bedrock_messages_request_add_tool(bedrock_messages_request *req, const char *name,
				      const char *description, const char *input_schema_json,
				      const bedrock_messages_block_options *opts)
{
	cJSON *t, *schema;
	int rc;

	NEED(req, name && *name, "tool: missing name");
	if ((rc = bedrock__req_check_opts(req, opts)) ||
	    (rc = bedrock__req_parse_arg(req, &schema, "tool input_schema", input_schema_json, cJSON_Object)))
		return rc;
	t = cJSON_CreateObject();
	if (!t || bedrock__req_add_string(t, "name", name) || (description && bedrock__req_add_string(t, "description", description)) ||
	    !cJSON_AddItemToObject(t, "input_schema", schema)) {
		if (!t || !cJSON_GetObjectItemCaseSensitive(t, "input_schema"))
			cJSON_Delete(schema);
		cJSON_Delete(t);
		return NOMEM(req);
	}
	if (bedrock__req_add_cache(t, opts)) {
		cJSON_Delete(t);
		return NOMEM(req);
	}
	return append_tool(req, t);
}

int bedrock_messages_request_add_tool_json(bedrock_messages_request *req, const char *tool_json)
{
	cJSON *t;
	int rc;

	if (!req)
		return BEDROCK_EINVAL;
	if ((rc = bedrock__req_parse_arg(req, &t, "tool", tool_json, cJSON_Object)))
		return rc;
	return append_tool(req, t);
}

int bedrock_messages_request_set_tool_choice(bedrock_messages_request *req,
					     bedrock_messages_tool_choice choice, const char *name,
					     int disable_parallel_tool_use)
{
	static const char *const names[] = { NULL, "auto", "any", "none", "tool" };
	cJSON *tc = NULL;

	NEED(req, (unsigned)choice <= BEDROCK_TOOL_CHOICE_TOOL, "tool_choice: unknown choice");
	if (choice == BEDROCK_TOOL_CHOICE_TOOL && !(name && *name))
		return bedrock__req_fail(req, BEDROCK_EINVAL, "tool_choice: a tool name is required");
	if (choice != BEDROCK_TOOL_CHOICE_DEFAULT) {
		tc = cJSON_CreateObject();
		if (!tc || bedrock__req_add_string(tc, "type", names[choice]) ||
		    (choice == BEDROCK_TOOL_CHOICE_TOOL && bedrock__req_add_string(tc, "name", name)) ||
		    (disable_parallel_tool_use && choice != BEDROCK_TOOL_CHOICE_NONE &&
		     !cJSON_AddBoolToObject(tc, "disable_parallel_tool_use", 1))) {
			cJSON_Delete(tc);
			return NOMEM(req);
		}
	}
	cJSON_Delete(req->tool_choice);
	req->tool_choice = tc;
	return bedrock__req_ok(req);
}

int bedrock_messages_request_set_thinking(bedrock_messages_request *req,
					  bedrock_messages_thinking mode, int budget_tokens)
{
	static const char *const names[] = { NULL, "enabled", "adaptive", "disabled" };
	cJSON *t = NULL;

	NEED(req, (unsigned)mode <= BEDROCK_THINKING_DISABLED, "thinking: unknown mode");
	if (mode == BEDROCK_THINKING_ENABLED && budget_tokens < 1)
		return bedrock__req_fail(req, BEDROCK_EINVAL, "thinking: budget_tokens must be >= 1 (got %d)", budget_tokens);
	if (mode != BEDROCK_THINKING_DEFAULT) {
		t = cJSON_CreateObject();
		if (!t || bedrock__req_add_string(t, "type", names[mode]) ||
		    (mode == BEDROCK_THINKING_ENABLED &&
		     !cJSON_AddNumberToObject(t, "budget_tokens", budget_tokens))) {
			cJSON_Delete(t);
			return NOMEM(req);
		}
	}
	cJSON_Delete(req->thinking);
	req->thinking = t;
	return bedrock__req_ok(req);
}

int bedrock_messages_request_set_temperature(bedrock_messages_request *req, double temperature)
{
	NEED(req, temperature >= 0.0 && temperature <= 1.0, "temperature: must be within 0..1");
	req->temperature = temperature;
	req->has_temperature = 1;
	return bedrock__req_ok(req);
}

int bedrock_messages_request_set_top_p(bedrock_messages_request *req, double top_p)
{
	NEED(req, top_p >= 0.0 && top_p <= 1.0, "top_p: must be within 0..1");
	req->top_p = top_p;
	req->has_top_p = 1;
	return bedrock__req_ok(req);
}

int bedrock_messages_request_set_top_k(bedrock_messages_request *req, int top_k)
{
	NEED(req, top_k >= 0, "top_k: must be >= 0");
	req->top_k = top_k;
	req->has_top_k = 1;
	return bedrock__req_ok(req);
}

/* Appends a string to *arr, creating the array on first use. */
static int push_string(bedrock_messages_request *req, cJSON **arr, const char *s)
{
	cJSON *str;

	if (!*arr && !(*arr = cJSON_CreateArray()))
		return NOMEM(req);
	str = cJSON_CreateString(s);
	if (!str || !cJSON_AddItemToArray(*arr, str)) {
		cJSON_Delete(str);
		return NOMEM(req);
	}
	return bedrock__req_ok(req);
}

int bedrock_messages_request_add_stop_sequence(bedrock_messages_request *req, const char *seq)
{
	NEED(req, seq && *seq, "stop sequence: must not be empty");
	return push_string(req, &req->stop_sequences, seq);
}

int bedrock_messages_request_add_beta(bedrock_messages_request *req, const char *beta)
{
	NEED(req, beta && *beta, "beta: must not be empty");
	return push_string(req, &req->betas, beta);
}

int bedrock_messages_request_set_metadata_user_id(bedrock_messages_request *req, const char *user_id)
{
	cJSON *m;

	NEED(req, user_id, "metadata: missing user_id");
	m = cJSON_CreateObject();
	if (!m || bedrock__req_add_string(m, "user_id", user_id)) {
		cJSON_Delete(m);
		return NOMEM(req);
	}
	cJSON_Delete(req->metadata);
	req->metadata = m;
	return bedrock__req_ok(req);
}

int bedrock_messages_request_merge_json(bedrock_messages_request *req, const char *object_json)
{
	cJSON *obj, *it;
	int rc;

	if (!req)
		return BEDROCK_EINVAL;
	if ((rc = bedrock__req_parse_arg(req, &obj, "extra JSON", object_json, cJSON_Object)))
		return rc;
	if (!req->extra) {
		req->extra = obj;
		return bedrock__req_ok(req);
	}
	/* Later merges win, member by member. */
	while ((it = obj->child) != NULL) {
		cJSON_DetachItemViaPointer(obj, it);
		cJSON_DeleteItemFromObjectCaseSensitive(req->extra, it->string);
		if (!cJSON_AddItemToObject(req->extra, it->string, it)) {
			cJSON_Delete(it);
			cJSON_Delete(obj);
			return NOMEM(req);
		}
	}
	cJSON_Delete(obj);
	return bedrock__req_ok(req);
}

/* ---- rendering ---- */

static int put_copy(cJSON *body, const char *key, const cJSON *item)
{
	cJSON *dup;

	if (!item)
		return 0;
	dup = cJSON_Duplicate(item, 1);
	return dup && cJSON_AddItemToObject(body, key, dup) ? 0 : (cJSON_Delete(dup), -1);
}

/* The body as a tree, in the Bedrock dialect, before the model and stream
 * flag are taken out (the renderers in messages_render.c decide). */
int bedrock__req_body_tree(cJSON **out, const bedrock_messages_request *req)
{
	bedrock_messages_request *r = (bedrock_messages_request *)req; /* errmsg only */
	cJSON *body, *it;
	int bad;

	*out = NULL;
	if (cJSON_GetArraySize(req->messages) == 0 && !cJSON_GetObjectItemCaseSensitive(req->extra, "messages"))
		return bedrock__req_fail(r, BEDROCK_EINVAL, "no messages: add at least one");
	body = cJSON_CreateObject();
	bad = !body || bedrock__req_add_string(body, "anthropic_version", BEDROCK_ANTHROPIC_VERSION) ||
	      put_copy(body, "anthropic_beta", req->betas) ||
	      !cJSON_AddNumberToObject(body, "max_tokens", req->max_tokens) ||
	      put_copy(body, "system", req->system) || put_copy(body, "messages", req->messages) ||
	      put_copy(body, "tools", req->tools) || put_copy(body, "tool_choice", req->tool_choice) ||
	      put_copy(body, "thinking", req->thinking) ||
	      (req->has_temperature && !cJSON_AddNumberToObject(body, "temperature", req->temperature)) ||
	      (req->has_top_p && !cJSON_AddNumberToObject(body, "top_p", req->top_p)) ||
	      (req->has_top_k && !cJSON_AddNumberToObject(body, "top_k", req->top_k)) ||
	      put_copy(body, "stop_sequences", req->stop_sequences) ||
	      put_copy(body, "metadata", req->metadata);
	for (it = req->extra ? req->extra->child : NULL; !bad && it; it = it->next) {
		/* The escape hatch replaces in place, keeping the order stable. */
		cJSON *dup = cJSON_Duplicate(it, 1);
		if (!dup) {
			bad = 1;
		} else if (cJSON_GetObjectItemCaseSensitive(body, it->string)) {
			bad = !cJSON_ReplaceItemInObjectCaseSensitive(body, it->string, dup);
			if (bad)
				cJSON_Delete(dup);
		} else if (!cJSON_AddItemToObject(body, it->string, dup)) {
			cJSON_Delete(dup);
			bad = 1;
		}
	}
	if (bad) {
		cJSON_Delete(body);
		return NOMEM(r);
	}
	*out = body;
	return 0;
}

int bedrock_messages_request_json(char **out, size_t *len, const bedrock_messages_request *req)
{
	bedrock_messages_request *r = (bedrock_messages_request *)req; /* errmsg only */
	cJSON *body;
	char *s;
	int rc;

	if (!out || !req)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (len)
		*len = 0;
	if ((rc = bedrock__req_body_tree(&body, req)) != 0)
		return rc;
	/* The model and stream flag travel in the URL, never the body. */
	cJSON_DeleteItemFromObjectCaseSensitive(body, "model");
	cJSON_DeleteItemFromObjectCaseSensitive(body, "stream");
	s = bedrock__json_print(body, len);
	cJSON_Delete(body);
	if (!s)
		return NOMEM(r);
	*out = s;
	return bedrock__req_ok(r);
}
