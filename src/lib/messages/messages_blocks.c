/* Content blocks of a Messages request: each add_* builds one block and
 * appends it to the message started last. */
#include <string.h>

#include "messages_request_private.h"

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
		return bedrock__req_fail(req, BEDROCK_EINVAL, "no message: call bedrock_messages_request_add_message() first");
	}
	if (!cJSON_AddItemToArray(content, block)) {
		cJSON_Delete(block);
		return NOMEM(req);
	}
	return bedrock__req_ok(req);
}

/* Starts a block {"type": type}; NULL (errmsg set) on failure. */
/* Finishes a block: cache_control, then append; frees it on failure. */
static int finish_block(bedrock_messages_request *req, cJSON *b, const bedrock_messages_block_options *o)
{
	if (bedrock__req_add_cache(b, o)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return append_block(req, b);
}


int bedrock_messages_request_add_message(bedrock_messages_request *req, bedrock_messages_role role)
{
	cJSON *m;

	NEED(req, role == BEDROCK_ROLE_USER || role == BEDROCK_ROLE_ASSISTANT, "role: user or assistant");
	m = cJSON_CreateObject();
	if (!m || bedrock__req_add_string(m, "role", role == BEDROCK_ROLE_USER ? "user" : "assistant") ||
	    !cJSON_AddArrayToObject(m, "content") || !cJSON_AddItemToArray(req->messages, m)) {
		cJSON_Delete(m);
		return NOMEM(req);
	}
	return bedrock__req_ok(req);
}

int bedrock_messages_request_add_text(bedrock_messages_request *req, const char *text,
				      const bedrock_messages_block_options *opts)
{
	cJSON *b;
	int rc;

	NEED(req, text, "text: missing");
	b = bedrock__req_text_block(req, text, opts, &rc);
	return b ? append_block(req, b) : rc;
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
	cJSON *b = bedrock__req_new_block(req, type), *src;

	if (!b)
		return NULL;
	src = cJSON_AddObjectToObject(b, "source");
	if (!src || bedrock__req_add_string(src, "type", stype) || bedrock__req_add_string(src, k1, v1) ||
	    (k2 && bedrock__req_add_string(src, k2, v2))) {
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
		return bedrock__req_fail(req, BEDROCK_EINVAL,
			    "image: media type must be image/jpeg, image/png, image/gif or image/webp");
	if ((rc = bedrock__req_check_opts(req, opts)))
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
	if ((rc = bedrock__req_check_opts(req, opts)))
		return rc;
	b = source_block(req, "image", "url", "url", url, NULL, NULL);
	return b ? finish_block(req, b, opts) : BEDROCK_ENOMEM;
}

/* title, context and citations, in the order the SDKs write them. */
static int finish_document(bedrock_messages_request *req, cJSON *b, const bedrock_messages_block_options *o)
{
	if (o && ((o->title && bedrock__req_add_string(b, "title", o->title)) ||
		  (o->context && bedrock__req_add_string(b, "context", o->context)))) {
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
	if ((rc = bedrock__req_check_opts(req, opts)))
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
	if ((rc = bedrock__req_check_opts(req, opts)))
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
	if ((rc = bedrock__req_check_opts(req, opts)) || (rc = bedrock__req_parse_arg(req, &input, "tool_use input", input_json, cJSON_Object)))
		return rc;
	b = bedrock__req_new_block(req, "tool_use");
	if (!b || bedrock__req_add_string(b, "id", id) || bedrock__req_add_string(b, "name", name) ||
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
	cJSON *b = bedrock__req_new_block(req, "tool_result");

	if (!b || bedrock__req_add_string(b, "tool_use_id", tool_use_id) ||
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
	if ((rc = bedrock__req_check_opts(req, opts)))
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
	if ((rc = bedrock__req_check_opts(req, opts)) ||
	    (rc = bedrock__req_parse_arg(req, &content, "tool_result content", blocks_json, cJSON_Array)))
		return rc;
	return tool_result(req, tool_use_id, content, is_error, opts);
}

int bedrock_messages_request_add_thinking(bedrock_messages_request *req, const char *thinking,
					  const char *signature)
{
	cJSON *b;

	NEED(req, thinking && signature, "thinking: missing thinking or signature");
	b = bedrock__req_new_block(req, "thinking");
	if (!b || bedrock__req_add_string(b, "thinking", thinking) || bedrock__req_add_string(b, "signature", signature)) {
		cJSON_Delete(b);
		return NOMEM(req);
	}
	return append_block(req, b);
}

int bedrock_messages_request_add_redacted_thinking(bedrock_messages_request *req, const char *data)
{
	cJSON *b;

	NEED(req, data, "redacted_thinking: missing data");
	b = bedrock__req_new_block(req, "redacted_thinking");
	if (!b || bedrock__req_add_string(b, "data", data)) {
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
	if ((rc = bedrock__req_parse_arg(req, &b, "block", block_json, cJSON_Object)))
		return rc;
	if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "type"))) {
		cJSON_Delete(b);
		return bedrock__req_fail(req, BEDROCK_EINVAL, "block: needs a string \"type\"");
	}
	return append_block(req, b);
}


int bedrock_messages_request_add_response(bedrock_messages_request *req, const bedrock_message *msg)
{
	const cJSON *content;
	cJSON *dup, *last;
	size_t i;
	int rc;

	NEED(req, msg, "response: missing message");
	for (i = 0; i < bedrock_message_content_count(msg); i++)
		if (bedrock_message_content(msg, i)->input_partial)
			return bedrock__req_fail(req, BEDROCK_EINVAL,
						 "response: block %zu has tool input that is not JSON", i);
	content = cJSON_GetObjectItemCaseSensitive(bedrock__message_tree(msg), "content");
	if ((rc = bedrock_messages_request_add_message(req, BEDROCK_ROLE_ASSISTANT)))
		return rc;
	if (!cJSON_IsArray(content))
		return 0;
	/* The blocks go back exactly as they came: signatures cover them. */
	last = cJSON_GetArrayItem(req->messages, cJSON_GetArraySize(req->messages) - 1);
	dup = cJSON_Duplicate(content, 1);
	if (!dup || !cJSON_ReplaceItemInObjectCaseSensitive(last, "content", dup)) {
		cJSON_Delete(dup);
		cJSON_DeleteItemFromArray(req->messages, cJSON_GetArraySize(req->messages) - 1);
		return NOMEM(req);
	}
	return 0;
}
