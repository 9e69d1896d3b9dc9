/* A parsed Messages response. The cJSON tree is kept for the message's
 * lifetime so every string can be lent straight from it; the per-block and
 * per-citation JSON texts are printed once, at parse time. */
#include <string.h>

#include "messages_private.h"
#include "alloc.h"
#include "buf.h"

struct bedrock_message {
	char *raw;
	size_t raw_len;
	cJSON *tree;
	const char *id, *model, *role, *stop_reason_str, *stop_sequence;
	bedrock_stop_reason stop_reason;
	bedrock_usage usage;
	bedrock_content_block *blocks;
	size_t nblocks;
};

bedrock_stop_reason bedrock_stop_reason_from_string(const char *s)
{
	static const struct { const char *name; bedrock_stop_reason r; } map[] = {
		{ "end_turn", BEDROCK_STOP_END_TURN },
		{ "max_tokens", BEDROCK_STOP_MAX_TOKENS },
		{ "stop_sequence", BEDROCK_STOP_STOP_SEQUENCE },
		{ "tool_use", BEDROCK_STOP_TOOL_USE },
		{ "pause_turn", BEDROCK_STOP_PAUSE_TURN },
		{ "refusal", BEDROCK_STOP_REFUSAL },
		{ "model_context_window_exceeded", BEDROCK_STOP_MODEL_CONTEXT_WINDOW_EXCEEDED },
	};
	size_t i;

	if (!s)
		return BEDROCK_STOP_NONE;
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(s, map[i].name))
			return map[i].r;
	return BEDROCK_STOP_UNKNOWN;
}

static bedrock_citation_type citation_type(const char *t)
{
	if (!t)
		return BEDROCK_CITATION_UNKNOWN;
	if (!strcmp(t, "char_location"))
		return BEDROCK_CITATION_CHAR_LOCATION;
	if (!strcmp(t, "page_location"))
		return BEDROCK_CITATION_PAGE_LOCATION;
	if (!strcmp(t, "content_block_location"))
		return BEDROCK_CITATION_CONTENT_BLOCK_LOCATION;
	if (!strcmp(t, "search_result_location"))
		return BEDROCK_CITATION_SEARCH_RESULT_LOCATION;
	if (!strcmp(t, "web_search_result_location"))
		return BEDROCK_CITATION_WEB_SEARCH_RESULT_LOCATION;
	return BEDROCK_CITATION_UNKNOWN;
}

static int read_citation(bedrock_citation *c, const cJSON *j)
{
	c->type_name = bedrock__json_str(j, "type");
	c->type = citation_type(c->type_name);
	c->cited_text = bedrock__json_str(j, "cited_text");
	c->document_index = bedrock__json_int(j, "document_index");
	c->document_title = bedrock__json_str(j, "document_title");
	c->start_char_index = bedrock__json_int(j, "start_char_index");
	c->end_char_index = bedrock__json_int(j, "end_char_index");
	c->start_page_number = bedrock__json_int(j, "start_page_number");
	c->end_page_number = bedrock__json_int(j, "end_page_number");
	c->start_block_index = bedrock__json_int(j, "start_block_index");
	c->end_block_index = bedrock__json_int(j, "end_block_index");
	c->search_result_index = bedrock__json_int(j, "search_result_index");
	c->source = bedrock__json_str(j, "source");
	c->title = bedrock__json_str(j, "title");
	c->url = bedrock__json_str(j, "url");
	c->encrypted_index = bedrock__json_str(j, "encrypted_index");
	c->json = bedrock__json_print(j, &c->json_len);
	return c->json ? 0 : BEDROCK_ENOMEM;
}

static bedrock_content_type content_type(const char *t)
{
	if (!t)
		return BEDROCK_CONTENT_UNKNOWN;
	if (!strcmp(t, "text"))
		return BEDROCK_CONTENT_TEXT;
	if (!strcmp(t, "tool_use"))
		return BEDROCK_CONTENT_TOOL_USE;
	if (!strcmp(t, "thinking"))
		return BEDROCK_CONTENT_THINKING;
	if (!strcmp(t, "redacted_thinking"))
		return BEDROCK_CONTENT_REDACTED_THINKING;
	return BEDROCK_CONTENT_UNKNOWN;
}

static void set_text(bedrock_content_block *b, const char *s)
{
	b->text = s;
	b->text_len = s ? strlen(s) : 0;
}

static int read_block(bedrock_content_block *b, const cJSON *j)
{
	const cJSON *input, *cits, *c;
	size_t i;
	int rc;

	b->type_name = bedrock__json_str(j, "type");
	b->type = content_type(b->type_name);
	b->id = bedrock__json_str(j, "id");
	b->name = bedrock__json_str(j, "name");
	b->signature = bedrock__json_str(j, "signature");
	b->data = bedrock__json_str(j, "data");
	if (b->type == BEDROCK_CONTENT_THINKING)
		set_text(b, bedrock__json_str(j, "thinking"));
	else
		set_text(b, bedrock__json_str(j, "text"));
	b->json = bedrock__json_print(j, &b->json_len);
	if (!b->json)
		return BEDROCK_ENOMEM;
	input = cJSON_GetObjectItemCaseSensitive(j, "input");
	if (cJSON_IsString(input)) {
		/* The accumulator's mark for tool input that never became JSON. */
		b->input_json = bedrock__strdup(input->valuestring);
		b->input_json_len = strlen(input->valuestring);
		b->input_partial = 1;
	} else if (input) {
		b->input_json = bedrock__json_print(input, &b->input_json_len);
	}
	if (input && !b->input_json)
		return BEDROCK_ENOMEM;
	cits = cJSON_GetObjectItemCaseSensitive(j, "citations");
	if (!cJSON_IsArray(cits) || cJSON_GetArraySize(cits) == 0)
		return 0;
	b->citations = bedrock__calloc((size_t)cJSON_GetArraySize(cits), sizeof(bedrock_citation));
	if (!b->citations)
		return BEDROCK_ENOMEM;
	i = 0;
	cJSON_ArrayForEach(c, cits) {
		bedrock_citation *cit = (bedrock_citation *)&b->citations[i++];
		b->citation_count = i;
		if ((rc = read_citation(cit, c)))
			return rc;
	}
	return 0;
}

void bedrock_message_free(bedrock_message *m)
{
	size_t i, k;

	if (!m)
		return;
	for (i = 0; i < m->nblocks; i++) {
		bedrock_content_block *b = &m->blocks[i];
		for (k = 0; k < b->citation_count; k++)
			bedrock__free((char *)b->citations[k].json);
		bedrock__free((void *)b->citations);
		bedrock__free((char *)b->json);
		bedrock__free((char *)b->input_json);
	}
	bedrock__free(m->blocks);
	cJSON_Delete(m->tree);
	bedrock__free(m->raw);
	bedrock__free(m);
}

int bedrock__message_from_tree(bedrock_message **out, cJSON *tree, const char *raw, size_t raw_len)
{
	bedrock_message *m;
	const cJSON *content, *blk;
	size_t i;
	int rc;

	*out = NULL;
	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return BEDROCK_EPROTOCOL;
	}
	m = bedrock__calloc(1, sizeof(*m));
	if (!m) {
		cJSON_Delete(tree);
		return BEDROCK_ENOMEM;
	}
	m->tree = tree;
	m->raw = raw ? bedrock__strndup(raw, raw_len) : bedrock__json_print(tree, &raw_len);
	m->raw_len = raw_len;
	if (!m->raw) {
		bedrock_message_free(m);
		return BEDROCK_ENOMEM;
	}
	m->id = bedrock__json_str(tree, "id");
	m->model = bedrock__json_str(tree, "model");
	m->role = bedrock__json_str(tree, "role");
	m->stop_reason_str = bedrock__json_str(tree, "stop_reason");
	m->stop_reason = bedrock_stop_reason_from_string(m->stop_reason_str);
	m->stop_sequence = bedrock__json_str(tree, "stop_sequence");
	bedrock__usage_init(&m->usage);
	bedrock__usage_read(&m->usage, cJSON_GetObjectItemCaseSensitive(tree, "usage"));
	content = cJSON_GetObjectItemCaseSensitive(tree, "content");
	if (cJSON_IsArray(content) && cJSON_GetArraySize(content) > 0) {
		m->blocks = bedrock__calloc((size_t)cJSON_GetArraySize(content), sizeof(*m->blocks));
		if (!m->blocks) {
			bedrock_message_free(m);
			return BEDROCK_ENOMEM;
		}
		i = 0;
		cJSON_ArrayForEach(blk, content) {
			m->nblocks = ++i;
			if ((rc = read_block(&m->blocks[i - 1], blk))) {
				bedrock_message_free(m);
				return rc;
			}
		}
	}
	*out = m;
	return 0;
}

int bedrock_message_parse(bedrock_message **out, const char *json, size_t len)
{
	cJSON *tree;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!json)
		return BEDROCK_EINVAL;
	tree = bedrock__json_parse_exact(json, len);
	if (!tree)
		return BEDROCK_EPROTOCOL;
	return bedrock__message_from_tree(out, tree, json, len);
}

const cJSON *bedrock__message_tree(const bedrock_message *m)
{
	return m ? m->tree : NULL;
}

const char *bedrock_message_json(const bedrock_message *m, size_t *len)
{
	if (len)
		*len = m ? m->raw_len : 0;
	return m ? m->raw : NULL;
}

const char *bedrock_message_id(const bedrock_message *m) { return m ? m->id : NULL; }
const char *bedrock_message_model(const bedrock_message *m) { return m ? m->model : NULL; }
const char *bedrock_message_role(const bedrock_message *m) { return m ? m->role : NULL; }
const char *bedrock_message_stop_sequence(const bedrock_message *m) { return m ? m->stop_sequence : NULL; }

bedrock_stop_reason bedrock_message_stop_reason(const bedrock_message *m)
{
	return m ? m->stop_reason : BEDROCK_STOP_NONE;
}

const char *bedrock_message_stop_reason_str(const bedrock_message *m)
{
	return m ? m->stop_reason_str : NULL;
}

const bedrock_usage *bedrock_message_usage(const bedrock_message *m)
{
	return m ? &m->usage : NULL;
}

size_t bedrock_message_content_count(const bedrock_message *m)
{
	return m ? m->nblocks : 0;
}

const bedrock_content_block *bedrock_message_content(const bedrock_message *m, size_t i)
{
	return m && i < m->nblocks ? &m->blocks[i] : NULL;
}

int bedrock_message_text(char **out, size_t *len, const bedrock_message *m)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	size_t i;

	if (!out || !m)
		return BEDROCK_EINVAL;
	*out = NULL;
	bedrock__buf_put(&b, "", 0);
	for (i = 0; i < m->nblocks; i++)
		if (m->blocks[i].type == BEDROCK_CONTENT_TEXT && m->blocks[i].text)
			bedrock__buf_put(&b, m->blocks[i].text, m->blocks[i].text_len);
	if (b.oom || !b.ptr) {
		bedrock__buf_dispose(&b);
		return BEDROCK_ENOMEM;
	}
	if (len)
		*len = b.len;
	*out = b.ptr; /* the buffer's storage came from bedrock__malloc */
	return 0;
}
