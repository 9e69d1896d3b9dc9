/* The deterministic model: a Messages request in, a Messages response out.
 * A pure function of the request's meaning (its canonical JSON) and the
 * seed. The rules are documented in docs/emulator-model.md; keep the two
 * in step. */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>

#include "model.h"
#include "model_internal.h"
#include "model_tokens.h"

#define MAX_CITATIONS 8

static const char *const variations[16] = {
	"amber", "birch", "cedar", "delta", "ember", "fjord", "garnet", "harbor",
	"indigo", "juniper", "kestrel", "lumen", "meadow", "nimbus", "opal", "quartz"
};

typedef struct answer_ctx {
	const cJSON *req;
	uint64_t hash;
	unsigned long seed;
	const cJSON *last_user;		/* the last user message's content */
	bedrock_buf user_text;		/* its text blocks, joined by one space */
	int images, documents;
	const cJSON *tool;		/* the tool to call, if any */
	int forced;			/* tool_choice any/tool: no text before it */
} answer_ctx;

/* Trims ASCII whitespace in place (on a bedrock_buf). */
static void trim(bedrock_buf *b)
{
	size_t start = 0;

	if (!b->ptr)
		return;
	while (b->len && bedrock__ascii_space((unsigned char)b->ptr[b->len - 1]))
		b->ptr[--b->len] = '\0';
	while (start < b->len && bedrock__ascii_space((unsigned char)b->ptr[start]))
		start++;
	memmove(b->ptr, b->ptr + start, b->len - start + 1);
	b->len -= start;
}

static void join(bedrock_buf *b, const char *s)
{
	if (b->len)
		bedrock__buf_put(b, " ", 1);
	bedrock__buf_puts(b, s);
}

/* Text of a tool_result's content (string or text blocks). */
static void result_text(bedrock_buf *b, const cJSON *content)
{
	const cJSON *c;

	if (cJSON_IsString(content)) {
		join(b, content->valuestring);
		return;
	}
	cJSON_ArrayForEach(c, content)
		if (bedrock__json_str(c, "text"))
			join(b, bedrock__json_str(c, "text"));
}

/* The tool_use name for an id, from the assistant turns. */
static const char *tool_name_for(const cJSON *req, const char *id)
{
	const cJSON *m, *b;

	if (!id)
		return NULL;
	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(req, "messages"))
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(m, "content"))
			if (bedrock__json_str(b, "id") && !strcmp(bedrock__json_str(b, "id"), id))
				return bedrock__json_str(b, "name");
	return NULL;
}

static void scan_last_user(answer_ctx *a, bedrock_buf *results)
{
	const cJSON *m, *b, *content = NULL;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(a->req, "messages")) {
		const char *role = bedrock__json_str(m, "role");

		if (role && !strcmp(role, "user"))
			content = cJSON_GetObjectItemCaseSensitive(m, "content");
	}
	a->last_user = content;
	if (cJSON_IsString(content)) {
		bedrock__buf_puts(&a->user_text, content->valuestring);
	} else {
		cJSON_ArrayForEach(b, content) {
			const char *type = bedrock__json_str(b, "type");

			if (!type)
				continue;
			if (!strcmp(type, "text") && bedrock__json_str(b, "text")) {
				join(&a->user_text, bedrock__json_str(b, "text"));
			} else if (!strcmp(type, "image")) {
				a->images++;
			} else if (!strcmp(type, "document")) {
				a->documents++;
			} else if (!strcmp(type, "tool_result")) {
				const char *name = tool_name_for(a->req, bedrock__json_str(b, "tool_use_id"));
				const cJSON *err = cJSON_GetObjectItemCaseSensitive(b, "is_error");
				bedrock_buf r = BEDROCK_BUF_INIT;

				result_text(&r, cJSON_GetObjectItemCaseSensitive(b, "content"));
				trim(&r);
				if (results->len)
					bedrock__buf_put(results, " ", 1);
				bedrock__buf_puts(results, "The ");
				if (name) {
					bedrock__buf_puts(results, name);
					bedrock__buf_puts(results, " ");
				}
				bedrock__buf_puts(results, "tool ");
				if (cJSON_IsTrue(err))
					bedrock__buf_puts(results, "reported an error: ");
				else
					bedrock__buf_puts(results, r.len ? "returned: " : "returned nothing.");
				if (r.len || cJSON_IsTrue(err))
					bedrock__buf_puts(results, r.len ? r.ptr : "(no details)");
				if (r.oom)
					results->oom = 1;
				bedrock__buf_dispose(&r);
			}
		}
	}
	trim(&a->user_text);
}

static const cJSON *find_tool(const cJSON *tools, const char *name)
{
	const cJSON *t;

	cJSON_ArrayForEach(t, tools)
		if (name && bedrock__json_str(t, "name") && !strcmp(bedrock__json_str(t, "name"), name))
			return t;
	return NULL;
}

static void choose_tool(answer_ctx *a)
{
	const cJSON *tools = cJSON_GetObjectItemCaseSensitive(a->req, "tools");
	const cJSON *choice = cJSON_GetObjectItemCaseSensitive(a->req, "tool_choice");
	const char *type = bedrock__json_str(choice, "type");
	const cJSON *t;

	if (!cJSON_IsArray(tools) || (type && !strcmp(type, "none")))
		return;
	if (type && !strcmp(type, "tool")) {
		a->tool = find_tool(tools, bedrock__json_str(choice, "name"));
		a->forced = a->tool != NULL;
		return;
	}
	if (type && !strcmp(type, "any")) {
		cJSON_ArrayForEach(t, tools)
			if (bedrock__json_str(t, "name")) {
				a->tool = t;
				a->forced = 1;
				return;
			}
		return;
	}
	/* auto: the first tool (in tools order) named in the user's text. */
	if (!a->user_text.ptr)
		return;
	cJSON_ArrayForEach(t, tools) {
		const char *name = bedrock__json_str(t, "name");

		if (name && *name && strstr(a->user_text.ptr, name)) {
			a->tool = t;
			return;
		}
	}
}

static int system_says_uppercase(const cJSON *req)
{
	const cJSON *sys = cJSON_GetObjectItemCaseSensitive(req, "system"), *b;
	bedrock_buf all = BEDROCK_BUF_INIT;
	size_t i;
	int yes;

	if (cJSON_IsString(sys))
		bedrock__buf_puts(&all, sys->valuestring);
	else
		cJSON_ArrayForEach(b, sys)
			if (bedrock__json_str(b, "text"))
				join(&all, bedrock__json_str(b, "text"));
	for (i = 0; i < all.len; i++)
		all.ptr[i] = (char)bedrock__ascii_lower((unsigned char)all.ptr[i]);
	yes = all.ptr && strstr(all.ptr, "uppercase") != NULL;
	bedrock__buf_dispose(&all);
	return yes;
}

/* Number of Unicode code points in s[0, n). */
static unsigned codepoints(const char *s, size_t n)
{
	unsigned count = 0;
	size_t i;

	for (i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

/* The first sentence of a text document: up to and including the first
 * '.', '!' or '?' that ends the text or precedes whitespace, else the
 * first line; at most 200 bytes, never splitting a UTF-8 sequence. */
static void first_sentence(const char *s, size_t *start, size_t *len)
{
	size_t i = 0, n = strlen(s);

	while (i < n && bedrock__ascii_space((unsigned char)s[i]))
		i++;
	*start = i;
	for (; i < n; i++) {
		if (s[i] == '\n')
			break;
		if ((s[i] == '.' || s[i] == '!' || s[i] == '?') &&
		    (i + 1 == n || bedrock__ascii_space((unsigned char)s[i + 1]))) {
			i++;
			break;
		}
		if (i - *start >= 200)
			break;
	}
	while (i > *start && i < n && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	*len = i - *start;
}

/* Builds the citation for a citation-enabled document and adds the
 * sentence that cites it to the text. */
static cJSON *cite(const cJSON *doc, int index, bedrock_buf *text)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(doc, "source");
	const char *type = bedrock__json_str(src, "type");
	const char *title = bedrock__json_str(doc, "title");
	cJSON *c = cJSON_CreateObject();
	bedrock_buf cited = BEDROCK_BUF_INIT;
	const char *kind;

	if (!c)
		return NULL;
	if (type && (!strcmp(type, "text") || !strcmp(type, "content"))) {
		const char *data = bedrock__json_str(src, "data");
		size_t start = 0, len = 0;

		if (!strcmp(type, "content")) {
			const cJSON *cc = cJSON_GetObjectItemCaseSensitive(src, "content");

			data = cJSON_IsString(cc) ? cc->valuestring
			       : cJSON_IsArray(cc) ? bedrock__json_str(cc->child, "text") : NULL;
		}
		if (data)
			first_sentence(data, &start, &len);
		bedrock__buf_put(&cited, data ? data + start : "", len);
		kind = !strcmp(type, "text") ? "char_location" : "content_block_location";
		join(text, "The document says:");
		join(text, cited.ptr ? cited.ptr : "");
	} else {
		kind = "page_location";
		bedrock__buf_puts(&cited, "");
		join(text, "See page 1 of the document.");
	}
	cJSON_AddStringToObject(c, "type", kind);
	cJSON_AddStringToObject(c, "cited_text", cited.ptr ? cited.ptr : "");
	cJSON_AddNumberToObject(c, "document_index", index);
	if (title)
		cJSON_AddStringToObject(c, "document_title", title);
	else
		cJSON_AddNullToObject(c, "document_title");
	if (!strcmp(kind, "char_location")) {
		const char *data = bedrock__json_str(src, "data");
		size_t start = 0, len = 0;

		if (data)
			first_sentence(data, &start, &len);
		cJSON_AddNumberToObject(c, "start_char_index", data ? codepoints(data, start) : 0);
		cJSON_AddNumberToObject(c, "end_char_index",
					data ? codepoints(data, start + len) : 0);
	} else if (!strcmp(kind, "content_block_location")) {
		cJSON_AddNumberToObject(c, "start_block_index", 0);
		cJSON_AddNumberToObject(c, "end_block_index", 1);
	} else {
		cJSON_AddNumberToObject(c, "start_page_number", 1);
		cJSON_AddNumberToObject(c, "end_page_number", 2);
	}
	if (cited.oom) {
		cJSON_Delete(c);
		c = NULL;
	}
	bedrock__buf_dispose(&cited);
	return c;
}

/* Citations for every citation-enabled document in the request;
 * document_index counts all top-level document blocks, in order. */
static cJSON *citations(const cJSON *req, bedrock_buf *text)
{
	const cJSON *m, *b;
	cJSON *arr = NULL;
	int index = 0, n = 0;

	cJSON_ArrayForEach(m, cJSON_GetObjectItemCaseSensitive(req, "messages")) {
		cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(m, "content")) {
			const char *type = bedrock__json_str(b, "type");
			const cJSON *en;

			if (!type || strcmp(type, "document"))
				continue;
			en = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(b, "citations"), "enabled");
			if (cJSON_IsTrue(en) && n < MAX_CITATIONS) {
				cJSON *c;

				if (!arr && !(arr = cJSON_CreateArray()))
					return NULL;
				c = cite(b, index, text);
				if (!c || !cJSON_AddItemToArray(arr, c)) {
					cJSON_Delete(c);
					cJSON_Delete(arr);
					return NULL;
				}
				n++;
			}
			index++;
		}
	}
	return arr;
}

static void plural(bedrock_buf *b, int n, const char *one, const char *many)
{
	char tmp[64];

	if (n == 1) {
		join(b, "You sent");
		join(b, one);
	} else if (n > 1) {
		snprintf(tmp, sizeof(tmp), "You sent %d %s", n, many);
		join(b, tmp);
	}
}

/* The visible answer text when no tool is called. */
static void compose(answer_ctx *a, bedrock_buf *text, const bedrock_buf *results, cJSON **cites)
{
	if (results->len)
		join(text, results->ptr);
	if (a->user_text.len) {
		join(text, "You said:");
		join(text, a->user_text.ptr);
	} else if (!results->len) {
		join(text, "You sent no text.");
	}
	plural(text, a->images, "an image.", "images.");
	plural(text, a->documents, "a document.", "documents.");
	*cites = citations(a->req, text);
	if (a->seed) {
		join(text, "(variation: ");
		bedrock__buf_puts(text, variations[emu__mix(a->hash ^ a->seed) % 16]);
		bedrock__buf_puts(text, ")");
	}
}

static int thinking_on(const cJSON *req)
{
	const char *type = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(req, "thinking"), "type");

	return type && (!strcmp(type, "enabled") || !strcmp(type, "adaptive"));
}

static char *signature(uint64_t h, const char *thinking)
{
	uint8_t raw[48];
	size_t i;

	h = emu__fnv(h, thinking, strlen(thinking));
	for (i = 0; i < sizeof(raw); i++) {
		if (i % 8 == 0)
			h = emu__mix(h + i);
		raw[i] = (uint8_t)(h >> (8 * (i % 8)));
	}
	return emu__b64_encode(raw, sizeof(raw));
}

/* Cuts s at the earliest stop sequence; returns it (lent) or NULL. */
static const char *apply_stop(bedrock_buf *s, const cJSON *stops)
{
	const cJSON *st;
	const char *best = NULL;
	size_t at = 0;

	if (!s->ptr)
		return NULL;
	cJSON_ArrayForEach(st, stops) {
		const char *hit;

		if (!cJSON_IsString(st) || !*st->valuestring)
			continue;
		hit = strstr(s->ptr, st->valuestring);
		if (hit && (!best || (size_t)(hit - s->ptr) < at)) {
			best = st->valuestring;
			at = (size_t)(hit - s->ptr);
		}
	}
	if (best) {
		s->len = at;
		s->ptr[at] = '\0';
	}
	return best;
}

/* Keeps at most *budget tokens of s; 1 if it had to cut. */
static int apply_budget(bedrock_buf *s, unsigned *budget)
{
	unsigned t = s->ptr ? emu__tokens(s->ptr, s->len) : 0;

	if (t <= *budget) {
		*budget -= t;
		return 0;
	}
	s->len = emu__token_prefix(s->ptr, s->len, *budget);
	s->ptr[s->len] = '\0';
	*budget = 0;
	return 1;
}

static cJSON *usage(const cJSON *req, unsigned output)
{
	emu_token_count tc;
	cJSON *u = cJSON_CreateObject();
	int messages = cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(req, "messages"));

	if (!u)
		return NULL;
	emu__count(&tc, req);
	if (!tc.has_cache) {
		cJSON_AddNumberToObject(u, "input_tokens", tc.total);
	} else {
		/* The first turn writes the cached prefix; later turns re-send it
		 * and read it back. */
		unsigned write = messages <= 1 ? tc.cached : 0;
		unsigned read = messages <= 1 ? 0 : tc.cached;
		cJSON *cc;

		cJSON_AddNumberToObject(u, "input_tokens", tc.total - tc.cached);
		cJSON_AddNumberToObject(u, "cache_creation_input_tokens", write);
		cJSON_AddNumberToObject(u, "cache_read_input_tokens", read);
		cc = cJSON_AddObjectToObject(u, "cache_creation");
		cJSON_AddNumberToObject(cc, "ephemeral_5m_input_tokens", tc.ttl_1h ? 0 : write);
		cJSON_AddNumberToObject(cc, "ephemeral_1h_input_tokens", tc.ttl_1h ? write : 0);
	}
	cJSON_AddNumberToObject(u, "output_tokens", output);
	return u;
}

static void upper(bedrock_buf *b)
{
	size_t i;

	for (i = 0; i < b->len; i++)
		b->ptr[i] = (char)bedrock__ascii_upper((unsigned char)b->ptr[i]);
}

int emu_model_answer(cJSON **out, const cJSON *req, const char *model, unsigned long seed)
{
	answer_ctx a;
	bedrock_buf canon = BEDROCK_BUF_INIT, results = BEDROCK_BUF_INIT, think = BEDROCK_BUF_INIT;
	bedrock_buf text = BEDROCK_BUF_INIT, tooljson = BEDROCK_BUF_INIT;
	cJSON *msg = NULL, *content, *cites = NULL, *input = NULL, *u;
	const char *stop_reason = "end_turn", *stop_seq = NULL;
	const cJSON *mt = cJSON_GetObjectItemCaseSensitive(req, "max_tokens");
	unsigned budget = cJSON_IsNumber(mt) && mt->valuedouble >= 1 && mt->valuedouble < 1e9
			  ? (unsigned)mt->valuedouble : EMU_CONVERSE_DEFAULT_MAX_TOKENS;
	unsigned output = 0;
	int cut = 0, has_text;
	char id[64];

	*out = NULL;
	memset(&a, 0, sizeof(a));
	a.req = req;
	a.seed = seed;
	emu__canonical(&canon, req);
	a.hash = emu__mix(emu__fnv(EMU_FNV_INIT, canon.ptr ? canon.ptr : "", canon.len) ^
			  emu__mix(seed));
	scan_last_user(&a, &results);
	choose_tool(&a);

	if (thinking_on(req))
		bedrock__buf_printf(&think, "The last user message has %u tokens. I will restate it.",
			     a.user_text.ptr ? emu__tokens(a.user_text.ptr, a.user_text.len) : 0);
	if (a.tool && !a.forced)
		bedrock__buf_printf(&text, "Calling the %s tool.", bedrock__json_str(a.tool, "name"));
	else if (!a.tool)
		compose(&a, &text, &results, &cites);
	if (text.ptr && system_says_uppercase(req))
		upper(&text);
	if (a.tool) {
		input = emu__schema_value(cJSON_GetObjectItemCaseSensitive(a.tool, "input_schema"),
					  cJSON_GetObjectItemCaseSensitive(a.tool, "input_schema"), 0);
		emu__canonical(&tooljson, input);
	}

	/* Generation order: thinking, text, tool call. A stop sequence in the
	 * text ends the turn there; max_tokens ends it wherever it runs out. */
	if ((stop_seq = apply_stop(&text, cJSON_GetObjectItemCaseSensitive(req, "stop_sequences"))))
		stop_reason = "stop_sequence";
	if (think.ptr && apply_budget(&think, &budget)) {
		cut = 1;
		text.len = 0;	/* the budget ran out while thinking */
	} else if (text.ptr && apply_budget(&text, &budget)) {
		cut = 1;
	}
	if (a.tool && !cut && !stop_seq) {
		const char *name = bedrock__json_str(a.tool, "name");
		unsigned t = emu__tokens(name, strlen(name)) +
			     (tooljson.ptr ? emu__tokens(tooljson.ptr, tooljson.len) : 0);

		if (t > budget) {
			cut = 1;
		} else {
			stop_reason = "tool_use";
			output += t;
		}
	}
	if (cut) {
		stop_reason = "max_tokens";
		stop_seq = NULL;
	}
	has_text = text.ptr && text.len;

	msg = cJSON_CreateObject();
	if (!msg || canon.oom || results.oom || think.oom || text.oom || tooljson.oom ||
	    a.user_text.oom || (a.tool && !input))
		goto fail;
	memcpy(id, "msg_bdrk_", 9);
	emu__id(id + 9, 24, a.hash);
	cJSON_AddStringToObject(msg, "id", id);
	cJSON_AddStringToObject(msg, "type", "message");
	cJSON_AddStringToObject(msg, "role", "assistant");
	content = cJSON_AddArrayToObject(msg, "content");
	/* Each block is filled before it is attached: emu__push frees it if
	 * attaching fails. */
	if (think.ptr) {
		cJSON *b = cJSON_CreateObject();
		char *sig = signature(a.hash, think.ptr);

		cJSON_AddStringToObject(b, "type", "thinking");
		cJSON_AddStringToObject(b, "thinking", think.ptr);
		if (!sig) {
			cJSON_Delete(b);
			goto fail;
		}
		cJSON_AddStringToObject(b, "signature", sig);
		free(sig);
		if (!emu__push(content, b))
			goto fail;
		output += emu__tokens(think.ptr, think.len);
	}
	if (has_text) {
		cJSON *b = cJSON_CreateObject();

		cJSON_AddStringToObject(b, "type", "text");
		cJSON_AddStringToObject(b, "text", text.ptr);
		if (cites) {
			emu__put(b, "citations", cites);
			cites = NULL;
		}
		if (!emu__push(content, b))
			goto fail;
		output += emu__tokens(text.ptr, text.len);
	}
	if (a.tool && !strcmp(stop_reason, "tool_use")) {
		cJSON *b = cJSON_CreateObject();

		cJSON_AddStringToObject(b, "type", "tool_use");
		memcpy(id, "toolu_bdrk_", 11);
		emu__id(id + 11, 24, emu__mix(a.hash ^ 0x746f6f6cull));
		cJSON_AddStringToObject(b, "id", id);
		cJSON_AddStringToObject(b, "name", bedrock__json_str(a.tool, "name"));
		emu__put(b, "input", input);
		input = NULL;
		if (!emu__push(content, b))
			goto fail;
	}
	cJSON_AddStringToObject(msg, "model", model ? model : "claude-emulated");
	cJSON_AddStringToObject(msg, "stop_reason", stop_reason);
	if (stop_seq)
		cJSON_AddStringToObject(msg, "stop_sequence", stop_seq);
	else
		cJSON_AddNullToObject(msg, "stop_sequence");
	u = usage(req, output);
	if (!u || !cJSON_AddItemToObject(msg, "usage", u)) {
		cJSON_Delete(u);
		goto fail;
	}
	/* cJSON's Add* helpers fail silently on ENOMEM; a full print is the
	 * cheapest complete check. */
	{
		char *probe = cJSON_PrintUnformatted(msg);

		if (!probe)
			goto fail;
		free(probe);
	}
	*out = msg;
	msg = NULL;
fail:
	cJSON_Delete(msg);
	cJSON_Delete(cites);
	cJSON_Delete(input);
	bedrock__buf_dispose(&canon);
	bedrock__buf_dispose(&results);
	bedrock__buf_dispose(&think);
	bedrock__buf_dispose(&text);
	bedrock__buf_dispose(&tooljson);
	bedrock__buf_dispose(&a.user_text);
	return *out ? 0 : -1;
}
