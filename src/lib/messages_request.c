/* The Messages request builder. Each part is kept as its own cJSON tree and
 * the body is assembled at render time in one fixed member order, so the
 * same calls always give the same bytes. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "messages_private.h"
#include "alloc.h"

struct bedrock_messages_request {
	int max_tokens;
	cJSON *system;   /* string or array of blocks; NULL if unset */
	cJSON *messages; /* array */
	cJSON *tools;    /* array or NULL */
	cJSON *tool_choice, *thinking;
	int has_temperature, has_top_p, has_top_k;
	double temperature, top_p;
	int top_k;
	cJSON *stop_sequences, *metadata, *betas, *extra;
	char errmsg[256];
};

static int fail(bedrock_messages_request *req, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(req->errmsg, sizeof(req->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

#define NOMEM(req) fail((req), BEDROCK_ENOMEM, "out of memory")

static int ok(bedrock_messages_request *req)
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
		return fail(req, BEDROCK_EINVAL, "max_tokens must be > 0 (got %d)", max_tokens);
	req->max_tokens = max_tokens;
	return ok(req);
}

/* ---- building blocks ---- */

static int add_string(cJSON *obj, const char *key, const char *value)
{
	return cJSON_AddStringToObject(obj, key, value) ? 0 : -1;
}

static const char *cache_ttl(bedrock_messages_cache c)
{
	return c == BEDROCK_CACHE_EPHEMERAL_5M ? "5m" : c == BEDROCK_CACHE_EPHEMERAL_1H ? "1h" : NULL;
}

static int check_opts(bedrock_messages_request *req, const bedrock_messages_block_options *o)
{
	if (!o)
		return 0;
	if (o->version != BEDROCK_MESSAGES_BLOCK_OPTIONS_VERSION)
		return fail(req, BEDROCK_EINVAL, "block options: unsupported version %u", o->version);
	if ((unsigned)o->cache > BEDROCK_CACHE_EPHEMERAL_1H)
		return fail(req, BEDROCK_EINVAL, "block options: unknown cache value %d", (int)o->cache);
	return 0;
}

/* Adds cache_control (last, as the SDKs place it) if asked for. */
static int add_cache(cJSON *obj, const bedrock_messages_block_options *o)
{
	cJSON *cc;
	const char *ttl;

	if (!o || o->cache == BEDROCK_CACHE_NONE)
		return 0;
	cc = cJSON_AddObjectToObject(obj, "cache_control");
	if (!cc || add_string(cc, "type", "ephemeral"))
		return -1;
	ttl = cache_ttl(o->cache);
	return ttl ? add_string(cc, "ttl", ttl) : 0;
}

/* Parses a JSON text the caller passed in; on failure sets errmsg. */
static int parse_arg(bedrock_messages_request *req, cJSON **out, const char *what,
		     const char *json, int want_type)
{
	cJSON *j;

	*out = NULL;
	if (!json)
		return fail(req, BEDROCK_EINVAL, "%s: missing JSON", what);
	j = bedrock__json_parse_str(json);
	if (!j)
		return fail(req, BEDROCK_EINVAL, "%s: not valid JSON", what);
	if ((want_type == cJSON_Object && !cJSON_IsObject(j)) ||
	    (want_type == cJSON_Array && !cJSON_IsArray(j))) {
		cJSON_Delete(j);
		return fail(req, BEDROCK_EINVAL, "%s: must be a JSON %s", what,
			    want_type == cJSON_Object ? "object" : "array");
	}
	*out = j;
	return 0;
}

/* The message the add_* block functions append to. */
static cJSON *current_content(bedrock_messages_request *req)
{
	cJSON *last = cJSON_GetArrayItem(req->messages, cJSON_GetArraySize(req->messages) - 1);

	return last ? cJSON_GetObjectItemCaseSensitive(last, "content") : NULL;
}

/* Appends block to the current message, taking it over. */
static int append_block(bedrock_messages_request *req, cJSON *block)
{
	cJSON *content = current_content(req);

	if (!content) {
		cJSON_Delete(block);
		return fail(req, BEDROCK_EINVAL, "no message: call bedrock_messages_request_add_message() first");
	}
	if (!cJSON_AddItemToArray(content, block)) {
		cJSON_Delete(block);
		return NOMEM(req);
	}
	return ok(req);
}

/* Starts a block {"type": type}; NULL (errmsg set) on failure. */
static cJSON *new_block(bedrock_messages_request *req, const char *type)
{
	cJSON *b = cJSON_CreateObject();

	if (!b || add_string(b, "type", type)) {
		cJSON_Delete(b);
		NOMEM(req);
		return NULL;
	}
	return b;
}

/* Finishes a block: cache_control, then append; frees it on failure. */
static int finish_block(bedrock_messages_request *req, cJSON *b, const bedrock_messages_block_options *o)
{
	if (add_cache(b, o)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return append_block(req, b);
}

#define NEED(req, cond, what) \
	do { if (!(req)) return BEDROCK_EINVAL; \
	     if (!(cond)) return fail((req), BEDROCK_EINVAL, "%s", (what)); } while (0)

int bedrock_messages_request_add_message(bedrock_messages_request *req, bedrock_messages_role role)
{
	cJSON *m;

	NEED(req, role == BEDROCK_ROLE_USER || role == BEDROCK_ROLE_ASSISTANT, "role: user or assistant");
	m = cJSON_CreateObject();
	if (!m || add_string(m, "role", role == BEDROCK_ROLE_USER ? "user" : "assistant") ||
	    !cJSON_AddArrayToObject(m, "content") || !cJSON_AddItemToArray(req->messages, m)) {
		cJSON_Delete(m);
		return NOMEM(req);
	}
	return ok(req);
}

static cJSON *text_block(bedrock_messages_request *req, const char *text,
			 const bedrock_messages_block_options *o, int *rc)
{
	cJSON *b, *cit = NULL;

	*rc = check_opts(req, o);
	if (*rc)
		return NULL;
	if (o && o->citations_json && (*rc = parse_arg(req, &cit, "citations", o->citations_json, cJSON_Array)))
		return NULL;
	b = new_block(req, "text");
	if (!b || add_string(b, "text", text) || (cit && !cJSON_AddItemToObject(b, "citations", cit))) {
		/* cit is b's only once the last step succeeded */
		if (!b || !cJSON_GetObjectItemCaseSensitive(b, "citations"))
			cJSON_Delete(cit);
		cJSON_Delete(b);
		*rc = NOMEM(req);
		return NULL;
	}
	if (add_cache(b, o)) {
		cJSON_Delete(b);
		*rc = NOMEM(req);
		return NULL;
	}
	return b;
}

int bedrock_messages_request_add_text(bedrock_messages_request *req, const char *text,
				      const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, text, "text: missing");
	b = text_block(req, text, opts, &rc);
	return b ? append_block(req, b) : rc;
}

int bedrock_messages_request_set_system(bedrock_messages_request *req, const char *text)
{
	cJSON *s;

	NEED(req, text, "system: missing text");
	s = cJSON_CreateString(text);
	if (!s)
		return NOMEM(req);
	cJSON_Delete(req->system);
	req->system = s;
	return ok(req);
}

int bedrock_messages_request_add_system_text(bedrock_messages_request *req, const char *text,
					     const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, text, "system: missing text");
	b = text_block(req, text, opts, &rc);
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
			cJSON *first = text_block(req, req->system->valuestring, NULL, &rc);
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
	return ok(req);
}

static int media_type_ok(const char *t)
{
	return t && (!strcmp(t, "image/jpeg") || !strcmp(t, "image/png") ||
		     !strcmp(t, "image/gif") || !strcmp(t, "image/webp"));
}

/* {"type":type, "source":{"type":stype, k1:v1, k2:v2}} */
static cJSON *source_block(bedrock_messages_request *req, const char *type, const char *stype,
			   const char *k1, const char *v1, const char *k2, const char *v2)
{
	cJSON *b = new_block(req, type), *src;

	if (!b)
		return NULL;
	src = cJSON_AddObjectToObject(b, "source");
	if (!src || add_string(src, "type", stype) || add_string(src, k1, v1) ||
	    (k2 && add_string(src, k2, v2))) {
		cJSON_Delete(b);
		NOMEM(req);
		return NULL;
	}
	return b;
}

int bedrock_messages_request_add_image_base64(bedrock_messages_request *req, const char *media_type,
					      const char *data,
					      const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, data, "image: missing data");
	if (!media_type_ok(media_type))
		return fail(req, BEDROCK_EINVAL,
			    "image: media type must be image/jpeg, image/png, image/gif or image/webp");
	if ((rc = check_opts(req, opts)))
		return rc;
	b = source_block(req, "image", "base64", "media_type", media_type, "data", data);
	return b ? finish_block(req, b, opts) : BEDROCK_ENOMEM;
}

int bedrock_messages_request_add_image_url(bedrock_messages_request *req, const char *url,
					   const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, url && *url, "image: missing url");
	if ((rc = check_opts(req, opts)))
		return rc;
	b = source_block(req, "image", "url", "url", url, NULL, NULL);
	return b ? finish_block(req, b, opts) : BEDROCK_ENOMEM;
}

/* title, context and citations, in the order the SDKs write them. */
static int finish_document(bedrock_messages_request *req, cJSON *b, const bedrock_messages_block_options *o)
{
	if (o && ((o->title && add_string(b, "title", o->title)) ||
		  (o->context && add_string(b, "context", o->context)))) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	if (o && o->citations) {
		cJSON *c = cJSON_AddObjectToObject(b, "citations");
		if (!c || !cJSON_AddBoolToObject(c, "enabled", 1)) {
			cJSON_Delete(b);
			return NOMEM(req);
		}
	}
	return finish_block(req, b, o);
}

int bedrock_messages_request_add_document_pdf(bedrock_messages_request *req, const char *data,
					      const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, data, "document: missing data");
	if ((rc = check_opts(req, opts)))
		return rc;
	b = source_block(req, "document", "base64", "media_type", "application/pdf", "data", data);
	return b ? finish_document(req, b, opts) : BEDROCK_ENOMEM;
}

int bedrock_messages_request_add_document_text(bedrock_messages_request *req, const char *text,
					       const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, text, "document: missing text");
	if ((rc = check_opts(req, opts)))
		return rc;
	b = source_block(req, "document", "text", "media_type", "text/plain", "data", text);
	return b ? finish_document(req, b, opts) : BEDROCK_ENOMEM;
}

int bedrock_messages_request_add_tool_use(bedrock_messages_request *req, const char *id,
					  const char *name, const char *input_json,
					  const bedrock_messages_block_options *opts)
{
	cJSON *b, *input;
	int rc;

	NEED(req, id && *id && name && *name, "tool_use: missing id or name");
	if ((rc = check_opts(req, opts)) || (rc = parse_arg(req, &input, "tool_use input", input_json, cJSON_Object)))
		return rc;
	b = new_block(req, "tool_use");
	if (!b || add_string(b, "id", id) || add_string(b, "name", name) ||
	    !cJSON_AddItemToObject(b, "input", input)) {
		if (!cJSON_GetObjectItemCaseSensitive(b, "input"))
			cJSON_Delete(input);
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return finish_block(req, b, opts);
}

static int tool_result(bedrock_messages_request *req, const char *tool_use_id, cJSON *content,
		       int is_error, const bedrock_messages_block_options *opts)
{
	cJSON *b = new_block(req, "tool_result");

	if (!b || add_string(b, "tool_use_id", tool_use_id) ||
	    (content && !cJSON_AddItemToObject(b, "content", content))) {
		if (!b || !cJSON_GetObjectItemCaseSensitive(b, "content"))
			cJSON_Delete(content);
		cJSON_Delete(b);
		return NOMEM(req);
	}
	if (is_error && !cJSON_AddBoolToObject(b, "is_error", 1)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return finish_block(req, b, opts);
}

int bedrock_messages_request_add_tool_result_text(bedrock_messages_request *req,
						  const char *tool_use_id, const char *text,
						  int is_error,
						  const bedrock_messages_block_options *opts)
{
	cJSON *content = NULL;
	int rc;

	NEED(req, tool_use_id && *tool_use_id, "tool_result: missing tool_use_id");
	if ((rc = check_opts(req, opts)))
		return rc;
	if (text && !(content = cJSON_CreateString(text)))
		return NOMEM(req);
	return tool_result(req, tool_use_id, content, is_error, opts);
}

int bedrock_messages_request_add_tool_result_blocks(bedrock_messages_request *req,
						    const char *tool_use_id,
						    const char *blocks_json, int is_error,
						    const bedrock_messages_block_options *opts)
{
	cJSON *content;
	int rc;

	NEED(req, tool_use_id && *tool_use_id, "tool_result: missing tool_use_id");
	if ((rc = check_opts(req, opts)) ||
	    (rc = parse_arg(req, &content, "tool_result content", blocks_json, cJSON_Array)))
		return rc;
	return tool_result(req, tool_use_id, content, is_error, opts);
}

int bedrock_messages_request_add_thinking(bedrock_messages_request *req, const char *thinking,
					  const char *signature)
{
	cJSON *b;

	NEED(req, thinking && signature, "thinking: missing thinking or signature");
	b = new_block(req, "thinking");
	if (!b || add_string(b, "thinking", thinking) || add_string(b, "signature", signature)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return append_block(req, b);
}

int bedrock_messages_request_add_redacted_thinking(bedrock_messages_request *req, const char *data)
{
	cJSON *b;

	NEED(req, data, "redacted_thinking: missing data");
	b = new_block(req, "redacted_thinking");
	if (!b || add_string(b, "data", data)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return append_block(req, b);
}

int bedrock_messages_request_add_block_json(bedrock_messages_request *req, const char *block_json)
{
	cJSON *b;
	int rc;

	if (!req)
		return BEDROCK_EINVAL;
	if ((rc = parse_arg(req, &b, "block", block_json, cJSON_Object)))
		return rc;
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "type"))) {
		cJSON_Delete(b);
		return fail(req, BEDROCK_EINVAL, "block: needs a string \"type\"");
	}
	return append_block(req, b);
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
	return ok(req);
}

int bedrock_messages_request_add_tool(bedrock_messages_request *req, const char *name,
				      const char *description, const char *input_schema_json,
				      const bedrock_messages_block_options *opts)
{
	cJSON *t, *schema;
	int rc;

	NEED(req, name && *name, "tool: missing name");
	if ((rc = check_opts(req, opts)) ||
	    (rc = parse_arg(req, &schema, "tool input_schema", input_schema_json, cJSON_Object)))
		return rc;
	t = cJSON_CreateObject();
	if (!t || add_string(t, "name", name) || (description && add_string(t, "description", description)) ||
	    !cJSON_AddItemToObject(t, "input_schema", schema)) {
		if (!t || !cJSON_GetObjectItemCaseSensitive(t, "input_schema"))
			cJSON_Delete(schema);
		cJSON_Delete(t);
		return NOMEM(req);
	}
	if (add_cache(t, opts)) {
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
	if ((rc = parse_arg(req, &t, "tool", tool_json, cJSON_Object)))
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
		return fail(req, BEDROCK_EINVAL, "tool_choice: a tool name is required");
	if (choice != BEDROCK_TOOL_CHOICE_DEFAULT) {
		tc = cJSON_CreateObject();
		if (!tc || add_string(tc, "type", names[choice]) ||
		    (choice == BEDROCK_TOOL_CHOICE_TOOL && add_string(tc, "name", name)) ||
		    (disable_parallel_tool_use && choice != BEDROCK_TOOL_CHOICE_NONE &&
		     !cJSON_AddBoolToObject(tc, "disable_parallel_tool_use", 1))) {
			cJSON_Delete(tc);
			return NOMEM(req);
		}
	}
	cJSON_Delete(req->tool_choice);
	req->tool_choice = tc;
	return ok(req);
}

int bedrock_messages_request_set_thinking(bedrock_messages_request *req,
					  bedrock_messages_thinking mode, int budget_tokens)
{
	static const char *const names[] = { NULL, "enabled", "adaptive", "disabled" };
	cJSON *t = NULL;

	NEED(req, (unsigned)mode <= BEDROCK_THINKING_DISABLED, "thinking: unknown mode");
	if (mode == BEDROCK_THINKING_ENABLED && budget_tokens < 1)
		return fail(req, BEDROCK_EINVAL, "thinking: budget_tokens must be >= 1 (got %d)", budget_tokens);
	if (mode != BEDROCK_THINKING_DEFAULT) {
		t = cJSON_CreateObject();
		if (!t || add_string(t, "type", names[mode]) ||
		    (mode == BEDROCK_THINKING_ENABLED &&
		     !cJSON_AddNumberToObject(t, "budget_tokens", budget_tokens))) {
			cJSON_Delete(t);
			return NOMEM(req);
		}
	}
	cJSON_Delete(req->thinking);
	req->thinking = t;
	return ok(req);
}

int bedrock_messages_request_set_temperature(bedrock_messages_request *req, double temperature)
{
	NEED(req, temperature >= 0.0 && temperature <= 1.0, "temperature: must be within 0..1");
	req->temperature = temperature;
	req->has_temperature = 1;
	return ok(req);
}

int bedrock_messages_request_set_top_p(bedrock_messages_request *req, double top_p)
{
	NEED(req, top_p >= 0.0 && top_p <= 1.0, "top_p: must be within 0..1");
	req->top_p = top_p;
	req->has_top_p = 1;
	return ok(req);
}

int bedrock_messages_request_set_top_k(bedrock_messages_request *req, int top_k)
{
	NEED(req, top_k >= 0, "top_k: must be >= 0");
	req->top_k = top_k;
	req->has_top_k = 1;
	return ok(req);
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
	return ok(req);
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
	if (!m || add_string(m, "user_id", user_id)) {
		cJSON_Delete(m);
		return NOMEM(req);
	}
	cJSON_Delete(req->metadata);
	req->metadata = m;
	return ok(req);
}

int bedrock_messages_request_merge_json(bedrock_messages_request *req, const char *object_json)
{
	cJSON *obj, *it;
	int rc;

	if (!req)
		return BEDROCK_EINVAL;
	if ((rc = parse_arg(req, &obj, "extra JSON", object_json, cJSON_Object)))
		return rc;
	if (!req->extra) {
		req->extra = obj;
		return ok(req);
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
	return ok(req);
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

int bedrock_messages_request_json(char **out, size_t *len, const bedrock_messages_request *req)
{
	bedrock_messages_request *r = (bedrock_messages_request *)req; /* errmsg only */
	cJSON *body, *it;
	char *s;
	int bad;

	if (!out || !req)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (len)
		*len = 0;
	if (cJSON_GetArraySize(req->messages) == 0 && !cJSON_GetObjectItemCaseSensitive(req->extra, "messages"))
		return fail(r, BEDROCK_EINVAL, "no messages: add at least one");
	body = cJSON_CreateObject();
	bad = !body || add_string(body, "anthropic_version", BEDROCK_ANTHROPIC_VERSION) ||
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
	/* The model and stream flag travel in the URL, never the body. */
	if (!bad) {
		cJSON_DeleteItemFromObjectCaseSensitive(body, "model");
		cJSON_DeleteItemFromObjectCaseSensitive(body, "stream");
	}
	s = bad ? NULL : bedrock__json_print(body, len);
	cJSON_Delete(body);
	if (!s)
		return NOMEM(r);
	*out = s;
	return ok(r);
}
