/* Anthropic stream events and the accumulator that rebuilds a message.
 *
 * The accumulator keeps the message_start tree and, per content block,
 * buffers for the streamed strings (text or thinking, signature, tool
 * input): appending to a cJSON string would copy it on every delta. The
 * tree and buffers are joined only when the message is asked for, so a
 * stream of n deltas costs O(n). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "messages_private.h"
#include "alloc.h"
#include "buf.h"

static bedrock_messages_event_kind event_kind(const char *t)
{
	static const struct { const char *name; bedrock_messages_event_kind k; } map[] = {
		{ "message_start", BEDROCK_STREAM_MESSAGE_START },
		{ "content_block_start", BEDROCK_STREAM_CONTENT_BLOCK_START },
		{ "content_block_delta", BEDROCK_STREAM_CONTENT_BLOCK_DELTA },
		{ "content_block_stop", BEDROCK_STREAM_CONTENT_BLOCK_STOP },
		{ "message_delta", BEDROCK_STREAM_MESSAGE_DELTA },
		{ "message_stop", BEDROCK_STREAM_MESSAGE_STOP },
		{ "ping", BEDROCK_STREAM_PING },
		{ "error", BEDROCK_STREAM_ERROR },
	};
	size_t i;

	for (i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i].name))
			return map[i].k;
	return BEDROCK_STREAM_UNKNOWN;
}

/* The delta kind and the member holding its string. */
static bedrock_stream_delta_kind delta_kind(const char *t, const char **key)
{
	static const struct { const char *name, *key; bedrock_stream_delta_kind k; } map[] = {
		{ "text_delta", "text", BEDROCK_DELTA_TEXT },
		{ "input_json_delta", "partial_json", BEDROCK_DELTA_INPUT_JSON },
		{ "thinking_delta", "thinking", BEDROCK_DELTA_THINKING },
		{ "signature_delta", "signature", BEDROCK_DELTA_SIGNATURE },
		{ "citations_delta", NULL, BEDROCK_DELTA_CITATIONS },
	};
	size_t i;

	*key = NULL;
	for (i = 0; t && i < sizeof(map) / sizeof(map[0]); i++)
		if (!strcmp(t, map[i].name)) {
			*key = map[i].key;
			return map[i].k;
		}
	return BEDROCK_DELTA_UNKNOWN;
}

void bedrock_messages_event_dispose(bedrock_messages_event *ev)
{
	if (!ev)
		return;
	cJSON_Delete((cJSON *)ev->priv);
	/* The citation JSON is the only string the event owns. */
	if (ev->delta_kind == BEDROCK_DELTA_CITATIONS)
		bedrock__free((char *)ev->text);
	memset(ev, 0, sizeof(*ev));
}

static void reset(bedrock_messages_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = "";
	ev->index = -1;
	bedrock__usage_init(&ev->usage);
	bedrock__metrics_init(&ev->metrics);
}

int bedrock_messages_event_parse(bedrock_messages_event *out, const char *json, size_t len)
{
	cJSON *tree;
	const cJSON *o, *d;
	const char *key, *s;

	if (!out)
		return BEDROCK_EINVAL;
	bedrock_messages_event_dispose(out);
	reset(out);
	if (!json)
		return BEDROCK_EINVAL;
	out->json = json;
	out->json_len = len;
	tree = bedrock__json_parse_exact(json, len);
	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return BEDROCK_EPROTOCOL;
	}
	out->priv = tree;
	s = bedrock__json_str(tree, "type");
	out->type = s ? s : "";
	out->kind = event_kind(s);
	out->index = bedrock__json_int(tree, "index");
	out->has_metrics = bedrock__metrics_read(&out->metrics, tree);
	switch (out->kind) {
	case BEDROCK_STREAM_MESSAGE_START:
		o = cJSON_GetObjectItemCaseSensitive(tree, "message");
		if ((o = cJSON_GetObjectItemCaseSensitive(o, "usage")) && cJSON_IsObject(o)) {
			out->has_usage = 1;
			bedrock__usage_read(&out->usage, o);
		}
		break;
	case BEDROCK_STREAM_CONTENT_BLOCK_START:
		o = cJSON_GetObjectItemCaseSensitive(tree, "content_block");
		out->block_type = bedrock__json_str(o, "type");
		break;
	case BEDROCK_STREAM_CONTENT_BLOCK_DELTA:
		d = cJSON_GetObjectItemCaseSensitive(tree, "delta");
		out->delta_kind = delta_kind(bedrock__json_str(d, "type"), &key);
		if (key) {
			out->text = bedrock__json_str(d, key);
		} else if (out->delta_kind == BEDROCK_DELTA_CITATIONS) {
			o = cJSON_GetObjectItemCaseSensitive(d, "citation");
			if (o && !(out->text = bedrock__json_print(o, NULL))) {
				out->delta_kind = BEDROCK_DELTA_NONE;
				return BEDROCK_ENOMEM;
			}
		}
		out->text_len = out->text ? strlen(out->text) : 0;
		break;
	case BEDROCK_STREAM_MESSAGE_DELTA:
		d = cJSON_GetObjectItemCaseSensitive(tree, "delta");
		out->stop_reason_str = bedrock__json_str(d, "stop_reason");
		out->stop_reason = bedrock_stop_reason_from_string(out->stop_reason_str);
		out->stop_sequence = bedrock__json_str(d, "stop_sequence");
		if ((o = cJSON_GetObjectItemCaseSensitive(tree, "usage")) && cJSON_IsObject(o)) {
			out->has_usage = 1;
			bedrock__usage_read(&out->usage, o);
		}
		break;
	case BEDROCK_STREAM_ERROR:
		o = cJSON_GetObjectItemCaseSensitive(tree, "error");
		out->error_type = bedrock__json_str(o, "type");
		out->error_message = bedrock__json_str(o, "message");
		break;
	default:
		break;
	}
	return 0;
}

/* ---- the accumulator ---- */

typedef struct block_state {
	/* 0: no streamed string; else the member it fills ("text"/"thinking"). */
	const char *text_key;
	bedrock_buf text, sig, input;
	int has_sig, has_input;
} block_state;

struct bedrock_message_accumulator {
	cJSON *msg; /* message_start's message, updated by message_delta */
	block_state *blocks;
	size_t nblocks, cap;
	int done, err;
	int has_metrics;
	bedrock_invocation_metrics metrics;
	char errmsg[256];
};

int bedrock_message_accumulator_new(bedrock_message_accumulator **out)
{
	if (!out)
		return BEDROCK_EINVAL;
	*out = bedrock__calloc(1, sizeof(**out));
	return *out ? 0 : BEDROCK_ENOMEM;
}

static void blocks_dispose(bedrock_message_accumulator *acc)
{
	size_t i;

	for (i = 0; i < acc->nblocks; i++) {
		bedrock__buf_dispose(&acc->blocks[i].text);
		bedrock__buf_dispose(&acc->blocks[i].sig);
		bedrock__buf_dispose(&acc->blocks[i].input);
	}
	bedrock__free(acc->blocks);
	acc->blocks = NULL;
	acc->nblocks = acc->cap = 0;
}

void bedrock_message_accumulator_free(bedrock_message_accumulator *acc)
{
	if (!acc)
		return;
	blocks_dispose(acc);
	cJSON_Delete(acc->msg);
	bedrock__free(acc);
}

static int fail(bedrock_message_accumulator *acc, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int fail(bedrock_message_accumulator *acc, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(acc->errmsg, sizeof(acc->errmsg), fmt, ap);
	va_end(ap);
	acc->err = code;
	return code;
}

int bedrock_message_accumulator_done(const bedrock_message_accumulator *acc)
{
	return acc ? acc->done : 0;
}

const bedrock_invocation_metrics *
bedrock_message_accumulator_metrics(const bedrock_message_accumulator *acc)
{
	return acc && acc->has_metrics ? &acc->metrics : NULL;
}

const char *bedrock_message_accumulator_errmsg(const bedrock_message_accumulator *acc)
{
	return acc ? acc->errmsg : "";
}

static int on_message_start(bedrock_message_accumulator *acc, const cJSON *tree)
{
	const cJSON *m = cJSON_GetObjectItemCaseSensitive(tree, "message");
	cJSON *dup;

	if (!cJSON_IsObject(m))
		return fail(acc, BEDROCK_EPROTOCOL, "message_start without a message object");
	if (acc->msg)
		return fail(acc, BEDROCK_EPROTOCOL, "a second message_start");
	dup = cJSON_Duplicate(m, 1);
	if (!dup)
		return fail(acc, BEDROCK_ENOMEM, "out of memory");
	/* Blocks arrive by content_block_start, whatever message_start says. */
	cJSON_DeleteItemFromObjectCaseSensitive(dup, "content");
	if (!cJSON_AddArrayToObject(dup, "content")) {
		cJSON_Delete(dup);
		return fail(acc, BEDROCK_ENOMEM, "out of memory");
	}
	acc->msg = dup;
	return 0;
}

/* Seeds a buffer with the block's initial string member, if any. */
static void seed(bedrock_buf *b, const cJSON *blk, const char *key, int *has)
{
	const char *s = bedrock__json_str(blk, key);

	bedrock__buf_put(b, "", 0);
	if (s) {
		bedrock__buf_puts(b, s);
		if (has)
			*has = 1;
	}
}

static int on_block_start(bedrock_message_accumulator *acc, const bedrock_messages_event *ev,
			  const cJSON *tree)
{
	const cJSON *cb = cJSON_GetObjectItemCaseSensitive(tree, "content_block");
	cJSON *content = cJSON_GetObjectItemCaseSensitive(acc->msg, "content"), *dup;
	block_state *bs;
	const char *t;

	if (!cJSON_IsObject(cb))
		return fail(acc, BEDROCK_EPROTOCOL, "content_block_start without a content_block");
	if (ev->index != (int64_t)acc->nblocks)
		return fail(acc, BEDROCK_EPROTOCOL, "content_block_start index %lld, expected %zu",
			    (long long)ev->index, acc->nblocks);
	if (acc->nblocks == acc->cap) {
		size_t cap = acc->cap ? acc->cap * 2 : 4;
		block_state *nb = bedrock__realloc(acc->blocks, cap * sizeof(*nb));
		if (!nb)
			return fail(acc, BEDROCK_ENOMEM, "out of memory");
		acc->blocks = nb;
		acc->cap = cap;
	}
	dup = cJSON_Duplicate(cb, 1);
	if (!dup || !cJSON_AddItemToArray(content, dup)) {
		cJSON_Delete(dup);
		return fail(acc, BEDROCK_ENOMEM, "out of memory");
	}
	bs = &acc->blocks[acc->nblocks++];
	memset(bs, 0, sizeof(*bs));
	t = bedrock__json_str(cb, "type");
	bs->text_key = t && !strcmp(t, "thinking") ? "thinking" : "text";
	seed(&bs->text, cb, bs->text_key, NULL);
	seed(&bs->sig, cb, "signature", &bs->has_sig);
	bedrock__buf_put(&bs->input, "", 0);
	if (bs->text.oom || bs->sig.oom || bs->input.oom)
		return fail(acc, BEDROCK_ENOMEM, "out of memory");
	return 0;
}

static int append_citation(bedrock_message_accumulator *acc, cJSON *blk, const cJSON *tree)
{
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(tree, "delta");
	const cJSON *c = cJSON_GetObjectItemCaseSensitive(d, "citation");
	cJSON *arr = cJSON_GetObjectItemCaseSensitive(blk, "citations"), *dup;

	if (!c)
		return 0;
	if (!cJSON_IsArray(arr)) {
		cJSON_DeleteItemFromObjectCaseSensitive(blk, "citations");
		if (!(arr = cJSON_AddArrayToObject(blk, "citations")))
			return fail(acc, BEDROCK_ENOMEM, "out of memory");
	}
	dup = cJSON_Duplicate(c, 1);
	if (!dup || !cJSON_AddItemToArray(arr, dup)) {
		cJSON_Delete(dup);
		return fail(acc, BEDROCK_ENOMEM, "out of memory");
	}
	return 0;
}

static int on_block_delta(bedrock_message_accumulator *acc, const bedrock_messages_event *ev,
			  const cJSON *tree)
{
	block_state *bs;
	bedrock_buf *b = NULL;

	if (ev->index < 0 || ev->index >= (int64_t)acc->nblocks)
		return fail(acc, BEDROCK_EPROTOCOL, "content_block_delta for unknown block %lld",
			    (long long)ev->index);
	bs = &acc->blocks[ev->index];
	switch (ev->delta_kind) {
	case BEDROCK_DELTA_TEXT:
	case BEDROCK_DELTA_THINKING:
		b = &bs->text;
		break;
	case BEDROCK_DELTA_SIGNATURE:
		b = &bs->sig;
		bs->has_sig = 1;
		break;
	case BEDROCK_DELTA_INPUT_JSON:
		b = &bs->input;
		bs->has_input = 1;
		break;
	case BEDROCK_DELTA_CITATIONS:
		return append_citation(acc, cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(acc->msg, "content"),
							       (int)ev->index), tree);
	default:
		return 0; /* a delta this version does not know: skipped */
	}
	if (ev->text)
		bedrock__buf_put(b, ev->text, ev->text_len);
	return b->oom ? fail(acc, BEDROCK_ENOMEM, "out of memory") : 0;
}

/* message_delta: stop fields replace, usage members replace one by one
 * (output_tokens there is cumulative). */
static int on_message_delta(bedrock_message_accumulator *acc, const cJSON *tree)
{
	static const char *const keys[] = { "stop_reason", "stop_sequence" };
	const cJSON *d = cJSON_GetObjectItemCaseSensitive(tree, "delta");
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(tree, "usage"), *it;
	cJSON *usage, *dup;
	size_t i;

	for (i = 0; i < 2; i++) {
		it = cJSON_GetObjectItemCaseSensitive(d, keys[i]);
		if (!it)
			continue;
		dup = cJSON_Duplicate(it, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(acc->msg, keys[i]);
		if (!dup || !cJSON_AddItemToObject(acc->msg, keys[i], dup)) {
			cJSON_Delete(dup);
			return fail(acc, BEDROCK_ENOMEM, "out of memory");
		}
	}
	if (!cJSON_IsObject(u))
		return 0;
	usage = cJSON_GetObjectItemCaseSensitive(acc->msg, "usage");
	if (!cJSON_IsObject(usage)) {
		cJSON_DeleteItemFromObjectCaseSensitive(acc->msg, "usage");
		if (!(usage = cJSON_AddObjectToObject(acc->msg, "usage")))
			return fail(acc, BEDROCK_ENOMEM, "out of memory");
	}
	cJSON_ArrayForEach(it, u) {
		/* null means "not reported here", not "zero" */
		if (cJSON_IsNull(it) || !it->string)
			continue;
		dup = cJSON_Duplicate(it, 1);
		cJSON_DeleteItemFromObjectCaseSensitive(usage, it->string);
		if (!dup || !cJSON_AddItemToObject(usage, it->string, dup)) {
			cJSON_Delete(dup);
			return fail(acc, BEDROCK_ENOMEM, "out of memory");
		}
	}
	return 0;
}

int bedrock_message_accumulator_feed(bedrock_message_accumulator *acc, const bedrock_messages_event *ev)
{
	const cJSON *tree;

	if (!acc || !ev)
		return BEDROCK_EINVAL;
	if (acc->err)
		return acc->err;
	tree = ev->priv;
	if (!tree)
		return BEDROCK_EINVAL;
	if (ev->has_metrics) {
		acc->metrics = ev->metrics;
		acc->has_metrics = 1;
	}
	if (ev->kind == BEDROCK_STREAM_ERROR)
		return fail(acc, BEDROCK_ESERVICE, "stream error: %s: %s",
			    ev->error_type ? ev->error_type : "error",
			    ev->error_message ? ev->error_message : "");
	if (ev->kind == BEDROCK_STREAM_UNKNOWN || ev->kind == BEDROCK_STREAM_PING)
		return 0;
	if (ev->kind == BEDROCK_STREAM_MESSAGE_START)
		return on_message_start(acc, tree);
	if (!acc->msg)
		return fail(acc, BEDROCK_EPROTOCOL, "%s before message_start", ev->type);
	switch (ev->kind) {
	case BEDROCK_STREAM_CONTENT_BLOCK_START:
		return on_block_start(acc, ev, tree);
	case BEDROCK_STREAM_CONTENT_BLOCK_DELTA:
		return on_block_delta(acc, ev, tree);
	case BEDROCK_STREAM_CONTENT_BLOCK_STOP:
		if (ev->index < 0 || ev->index >= (int64_t)acc->nblocks)
			return fail(acc, BEDROCK_EPROTOCOL, "content_block_stop for unknown block %lld",
				    (long long)ev->index);
		return 0;
	case BEDROCK_STREAM_MESSAGE_DELTA:
		return on_message_delta(acc, tree);
	case BEDROCK_STREAM_MESSAGE_STOP:
		acc->done = 1;
		return 0;
	default:
		return 0;
	}
}

int bedrock_message_accumulator_feed_json(bedrock_message_accumulator *acc, const char *json, size_t len)
{
	bedrock_messages_event ev;
	int rc;

	if (!acc)
		return BEDROCK_EINVAL;
	if (acc->err)
		return acc->err;
	memset(&ev, 0, sizeof(ev));
	rc = bedrock_messages_event_parse(&ev, json, len);
	if (rc)
		rc = fail(acc, rc, rc == BEDROCK_ENOMEM ? "out of memory" : "event is not a JSON object");
	else
		rc = bedrock_message_accumulator_feed(acc, &ev);
	bedrock_messages_event_dispose(&ev);
	return rc;
}

/* Replaces blk[key] with a string. */
static int set_string(cJSON *blk, const char *key, const char *s)
{
	cJSON *str = cJSON_CreateString(s);

	if (!str)
		return -1;
	cJSON_DeleteItemFromObjectCaseSensitive(blk, key);
	if (!cJSON_AddItemToObject(blk, key, str)) {
		cJSON_Delete(str);
		return -1;
	}
	return 0;
}

/* Writes a block's streamed strings into its tree. Tool input that does
 * not parse is kept as a string: the message parser flags that. */
static int materialize(cJSON *blk, const block_state *bs)
{
	const char *t = bedrock__json_str(blk, "type");
	int is_text = t && (!strcmp(t, "text") || !strcmp(t, "thinking"));

	if ((is_text || bs->text.len) && set_string(blk, bs->text_key, bs->text.ptr))
		return -1;
	if (bs->has_sig && set_string(blk, "signature", bs->sig.ptr))
		return -1;
	if (bs->has_input) {
		cJSON *in = bedrock__json_parse_exact(bs->input.ptr, bs->input.len);
		if (!in)
			return set_string(blk, "input", bs->input.ptr);
		cJSON_DeleteItemFromObjectCaseSensitive(blk, "input");
		if (!cJSON_AddItemToObject(blk, "input", in)) {
			cJSON_Delete(in);
			return -1;
		}
	}
	return 0;
}

int bedrock_message_accumulator_message(bedrock_message **out, const bedrock_message_accumulator *acc)
{
	cJSON *tree, *content;
	size_t i;

	if (!out || !acc)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!acc->msg)
		return BEDROCK_EPROTOCOL;
	tree = cJSON_Duplicate(acc->msg, 1);
	if (!tree)
		return BEDROCK_ENOMEM;
	content = cJSON_GetObjectItemCaseSensitive(tree, "content");
	for (i = 0; i < acc->nblocks; i++) {
		if (materialize(cJSON_GetArrayItem(content, (int)i), &acc->blocks[i])) {
			cJSON_Delete(tree);
			return BEDROCK_ENOMEM;
		}
	}
	return bedrock__message_from_tree(out, tree, NULL, 0);
}
