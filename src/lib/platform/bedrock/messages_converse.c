/* The ConverseStream accumulator: a smaller cousin of the Messages one.
 * Converse events carry no block types up front (text and reasoning begin
 * with a delta), so only tool uses are tracked per block, by index. */
#include <string.h>

#include "messages_private.h"
#include "alloc.h"
#include "buf.h"

typedef struct tool_state {
	int64_t index;
	char *id, *name;
	bedrock_buf input;
} tool_state;

struct bedrock_converse_accumulator {
	bedrock_buf role, text, reasoning, signature, stop_reason;
	int has_role, has_signature, has_stop;
	size_t redacted;
	bedrock_converse_usage usage;
	int64_t latency_ms;
	tool_state *tools;
	size_t ntools, cap;
	/* The lent view, rebuilt after every feed. */
	bedrock_converse_tool_use *views;
	bedrock_converse_result result;
};

static void refresh(bedrock_converse_accumulator *acc);

int bedrock_converse_accumulator_new(bedrock_converse_accumulator **out)
{
	bedrock_converse_accumulator *acc;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	acc = bedrock__calloc(1, sizeof(*acc));
	if (!acc)
		return BEDROCK_ENOMEM;
	acc->usage.input_tokens = acc->usage.output_tokens = acc->usage.total_tokens = -1;
	acc->usage.cache_read_input_tokens = acc->usage.cache_write_input_tokens = -1;
	acc->latency_ms = -1;
	refresh(acc);
	*out = acc;
	return 0;
}

void bedrock_converse_accumulator_free(bedrock_converse_accumulator *acc)
{
	size_t i;

	if (!acc)
		return;
	bedrock__buf_dispose(&acc->role);
	bedrock__buf_dispose(&acc->text);
	bedrock__buf_dispose(&acc->reasoning);
	bedrock__buf_dispose(&acc->signature);
	bedrock__buf_dispose(&acc->stop_reason);
	for (i = 0; i < acc->ntools; i++) {
		bedrock__free(acc->tools[i].id);
		bedrock__free(acc->tools[i].name);
		bedrock__buf_dispose(&acc->tools[i].input);
	}
	bedrock__free(acc->tools);
	bedrock__free(acc->views);
	bedrock__free(acc);
}

static const char *buf_str(const bedrock_buf *b, int present)
{
	return present ? (b->ptr ? b->ptr : "") : NULL;
}

/* Rebuilds the lent result; views were sized by the feed that added tools. */
static void refresh(bedrock_converse_accumulator *acc)
{
	bedrock_converse_result *r = &acc->result;
	size_t i;

	r->role = buf_str(&acc->role, acc->has_role);
	r->text = acc->text.ptr ? acc->text.ptr : "";
	r->text_len = acc->text.len;
	r->reasoning_text = acc->reasoning.ptr ? acc->reasoning.ptr : "";
	r->reasoning_text_len = acc->reasoning.len;
	r->reasoning_signature = buf_str(&acc->signature, acc->has_signature);
	r->redacted_reasoning_count = acc->redacted;
	r->stop_reason_str = buf_str(&acc->stop_reason, acc->has_stop);
	r->stop_reason = bedrock_stop_reason_from_string(r->stop_reason_str);
	r->usage = acc->usage;
	r->latency_ms = acc->latency_ms;
	for (i = 0; i < acc->ntools; i++) {
		bedrock_converse_tool_use *v = &acc->views[i];
		const tool_state *t = &acc->tools[i];
		v->index = t->index;
		v->tool_use_id = t->id;
		v->name = t->name;
		v->input_json = t->input.ptr ? t->input.ptr : "";
		v->input_json_len = t->input.len;
	}
	r->tool_uses = acc->views;
	r->tool_use_count = acc->ntools;
}

const bedrock_converse_result *bedrock_converse_accumulator_result(const bedrock_converse_accumulator *acc)
{
	return acc ? &acc->result : NULL;
}

static tool_state *find_tool(bedrock_converse_accumulator *acc, int64_t index)
{
	size_t i;

	for (i = acc->ntools; i-- > 0;)
		if (acc->tools[i].index == index)
			return &acc->tools[i];
	return NULL;
}

static int add_tool(bedrock_converse_accumulator *acc, int64_t index, const cJSON *tu)
{
	const char *id = bedrock__json_str(tu, "toolUseId"), *name = bedrock__json_str(tu, "name");
	tool_state *t;

	if (acc->ntools == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 4;
		tool_state *nt = bedrock__realloc(acc->tools, cap * sizeof(*nt));
		bedrock_converse_tool_use *nv;
		if (!nt)
			return BEDROCK_ENOMEM;
		acc->tools = nt;
		nv = bedrock__realloc(acc->views, cap * sizeof(*nv));
		if (!nv)
			return BEDROCK_ENOMEM;
		acc->views = nv;
		acc->cap = cap;
	}
	t = &acc->tools[acc->ntools];
	memset(t, 0, sizeof(*t));
	memset(&acc->views[acc->ntools], 0, sizeof(acc->views[0]));
	acc->ntools++;
	t->index = index;
	t->id = bedrock__strdup(id ? id : "");
	t->name = bedrock__strdup(name ? name : "");
	bedrock__buf_put(&t->input, "", 0);
	return t->id && t->name && !t->input.oom ? 0 : BEDROCK_ENOMEM;
}

/* A tool's input is judged when its block stops (and again at messageStop
 * for one that never got a stop). */
static void judge_input(bedrock_converse_accumulator *acc, tool_state *t)
{
	size_t i = (size_t)(t - acc->tools);
	cJSON *j = bedrock__json_parse_exact(t->input.ptr, t->input.len);

	/* An empty input is what a tool with no parameters streams. */
	acc->views[i].input_partial = !j && t->input.len > 0;
	cJSON_Delete(j);
}

static void put_str(bedrock_buf *b, const char *s)
{
	if (s)
		bedrock__buf_puts(b, s);
	else
		bedrock__buf_put(b, "", 0);
}

static int on_delta(bedrock_converse_accumulator *acc, int64_t index, const cJSON *delta)
{
	const cJSON *it, *rc;
	tool_state *t;
	const char *s;

	if ((s = bedrock__json_str(delta, "text")))
		bedrock__buf_puts(&acc->text, s);
	if ((it = cJSON_GetObjectItemCaseSensitive(delta, "toolUse")) != NULL) {
		if (!(t = find_tool(acc, index))) {
			/* input with no contentBlockStart: keep it all the same */
			if (add_tool(acc, index, NULL))
				return BEDROCK_ENOMEM;
			t = &acc->tools[acc->ntools - 1];
		}
		if ((s = bedrock__json_str(it, "input")))
			bedrock__buf_puts(&t->input, s);
		if (t->input.oom)
			return BEDROCK_ENOMEM;
	}
	if ((rc = cJSON_GetObjectItemCaseSensitive(delta, "reasoningContent")) != NULL) {
		if ((s = bedrock__json_str(rc, "text")))
			bedrock__buf_puts(&acc->reasoning, s);
		if ((s = bedrock__json_str(rc, "signature"))) {
			acc->has_signature = 1;
			put_str(&acc->signature, s);
		}
		if (cJSON_GetObjectItemCaseSensitive(rc, "redactedContent"))
			acc->redacted++;
	}
	return acc->text.oom || acc->reasoning.oom || acc->signature.oom ? BEDROCK_ENOMEM : 0;
}

static void take(int64_t *dst, const cJSON *obj, const char *key)
{
	int64_t v = bedrock__json_int(obj, key);

	if (v >= 0)
		*dst = v;
}

static int feed(bedrock_converse_accumulator *acc, const char *type, const cJSON *p)
{
	int64_t index = bedrock__json_int(p, "contentBlockIndex");
	const cJSON *it;
	tool_state *t;
	size_t i;

	if (!strcmp(type, "messageStart")) {
		bedrock__buf_clear(&acc->role);
		put_str(&acc->role, bedrock__json_str(p, "role"));
		acc->has_role = 1;
		return acc->role.oom ? BEDROCK_ENOMEM : 0;
	}
	if (!strcmp(type, "contentBlockStart")) {
		it = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "start"), "toolUse");
		return it ? add_tool(acc, index, it) : 0;
	}
	if (!strcmp(type, "contentBlockDelta"))
		return on_delta(acc, index, cJSON_GetObjectItemCaseSensitive(p, "delta"));
	if (!strcmp(type, "contentBlockStop")) {
		if ((t = find_tool(acc, index)))
			judge_input(acc, t);
		return 0;
	}
	if (!strcmp(type, "messageStop")) {
		bedrock__buf_clear(&acc->stop_reason);
		put_str(&acc->stop_reason, bedrock__json_str(p, "stopReason"));
		acc->has_stop = 1;
		for (i = 0; i < acc->ntools; i++)
			judge_input(acc, &acc->tools[i]);
		return acc->stop_reason.oom ? BEDROCK_ENOMEM : 0;
	}
	if (!strcmp(type, "metadata")) {
		it = cJSON_GetObjectItemCaseSensitive(p, "usage");
		take(&acc->usage.input_tokens, it, "inputTokens");
		take(&acc->usage.output_tokens, it, "outputTokens");
		take(&acc->usage.total_tokens, it, "totalTokens");
		take(&acc->usage.cache_read_input_tokens, it, "cacheReadInputTokens");
		take(&acc->usage.cache_write_input_tokens, it, "cacheWriteInputTokens");
		take(&acc->latency_ms, cJSON_GetObjectItemCaseSensitive(p, "metrics"), "latencyMs");
	}
	return 0;
}

int bedrock_converse_accumulator_feed(bedrock_converse_accumulator *acc, const char *event_type,
				      const char *json, size_t len)
{
	cJSON *p;
	int rc;

	if (!acc || !event_type || !json)
		return BEDROCK_EINVAL;
	p = bedrock__json_parse_exact(json, len);
	if (!cJSON_IsObject(p)) {
		cJSON_Delete(p);
		return BEDROCK_EPROTOCOL;
	}
	rc = feed(acc, event_type, p);
	cJSON_Delete(p);
	refresh(acc);
	return rc;
}
