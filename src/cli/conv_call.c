/* One call to Claude (InvokeModel or its stream, Converse or its stream),
 * printing the answer as it arrives and keeping what arrived. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cli_client.h"
#include "conv.h"
#include "conv_print.h"
#include "json.h"

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

void conv_usage_init(conv_usage *u)
{
	u->input = u->output = u->cache_read = u->cache_write = -1;
	u->latency_ms = u->first_token_ms = -1;
}

static long long nz(int64_t v)
{
	return v < 0 ? 0 : (long long)v;
}

void conv_usage_print(FILE *f, const conv_usage *u)
{
	fprintf(f, "tokens: input %lld, output %lld, cache read %lld, cache write %lld",
		nz(u->input), nz(u->output), nz(u->cache_read), nz(u->cache_write));
	if (u->latency_ms >= 0)
		fprintf(f, "; latency %.0f ms", u->latency_ms);
	if (u->first_token_ms >= 0)
		fprintf(f, " (first token %.0f ms)", u->first_token_ms);
	fputc('\n', f);
}

void conv_result_dispose(conv_result *r)
{
	bedrock_message_free(r->message);
	free(r->converse_json);
	memset(r, 0, sizeof(*r));
}

static void usage_from_message(conv_usage *u, const bedrock_message *m)
{
	const bedrock_usage *mu = m ? bedrock_message_usage(m) : NULL;

	if (!mu)
		return;
	u->input = mu->input_tokens;
	u->output = mu->output_tokens;
	u->cache_read = mu->cache_read_input_tokens;
	u->cache_write = mu->cache_creation_input_tokens;
}

static int not_messages(bedrock_error_info *err, const char *what)
{
	memset(err, 0, sizeof(*err));
	err->code = BEDROCK_EPROTOCOL;
	snprintf(err->message, sizeof(err->message), "%s", what);
	return BEDROCK_EPROTOCOL;
}

void conv_cancel_trigger(conv_cancel *cancel)
{
	bedrock_stream *s = cancel->stream;

	if (cancel->token)
		bedrock_cancel_trigger(cancel->token);
	if (s)
		bedrock_stream_cancel(s);
}

static int canceled(const conv_cancel *cancel, int rc)
{
	return rc == BEDROCK_ECANCELED ||
	       (cancel && cancel->token && bedrock_cancel_requested(cancel->token));
}

int conv_call_messages(conv_result *r, bedrock_client *c, const conv_model *m,
		       const bedrock_messages_request *req, int stream, conv_printer *p,
		       conv_cancel *cancel, bedrock_error_info *err)
{
	bedrock_message_accumulator *acc = NULL;
	bedrock_messages_event se = BEDROCK_MESSAGES_EVENT_INIT;
	conv_stream_state st = { "" };
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	bedrock_stream *s = NULL;
	bedrock_event ev;
	double t0 = now_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	conv_usage_init(&r->usage);
	cli_g.in_stream = 0;
	ro.cancel = cancel ? cancel->token : NULL;
	if (!stream) {
		rc = bedrock_messages_create(&r->message, c, m->id, req, &ro, err);
		if (canceled(cancel, rc)) {
			r->canceled = 1;
			return 0;
		}
		if (rc)
			return rc;
		r->usage.latency_ms = now_ms() - t0;
		usage_from_message(&r->usage, r->message);
		r->stop = bedrock_message_stop_reason(r->message);
		conv_print_message(p, r->message);
		conv_printer_finish(p);
		return 0;
	}
	rc = bedrock_messages_stream(&s, c, m->id, req, &ro, err);
	if (canceled(cancel, rc)) {
		r->canceled = 1;
		return 0;
	}
	if (rc)
		return rc;
	cli_g.in_stream = 1;	/* from here on, an error is not retried */
	if (bedrock_message_accumulator_new(&acc)) {
		bedrock_stream_free(s);
		return not_messages(err, "out of memory");
	}
	if (cancel)
		cancel->stream = s;
	while ((rc = bedrock_stream_next(&ev, s, err)) == 0) {
		if (ev.kind != BEDROCK_EVENT_EVENT || !ev.type || !ev.json)
			continue;
		if (bedrock_messages_event_parse(&se, ev.json, ev.json_len))
			continue;
		if (se.kind == BEDROCK_STREAM_CONTENT_BLOCK_DELTA && r->usage.first_token_ms < 0)
			r->usage.first_token_ms = now_ms() - t0;
		if (bedrock_message_accumulator_feed(acc, &se) == 0)
			conv_print_event(p, &st, &se, acc);
		conv_printer_flush(p);
		if (canceled(cancel, 0))
			break;
	}
	if (cancel)
		cancel->stream = NULL;
	r->canceled = canceled(cancel, rc);
	bedrock_messages_event_dispose(&se);
	r->usage.latency_ms = now_ms() - t0;
	if (rc == BEDROCK_ITEROVER || r->canceled)
		rc = 0;
	/* Whatever arrived is kept, after an error or a cancel too. */
	if (bedrock_message_accumulator_message(&r->message, acc) == 0) {
		usage_from_message(&r->usage, r->message);
		r->stop = bedrock_message_stop_reason(r->message);
		if (!r->canceled && !rc && !bedrock_message_accumulator_done(acc))
			rc = not_messages(err, "the answer stream ended before message_stop");
	} else if (!rc && !r->canceled) {
		rc = not_messages(err, "the answer stream carried no Claude message");
	}
	conv_printer_finish(p);
	bedrock_message_accumulator_free(acc);
	bedrock_stream_free(s);
	return rc;
}

/* ---- Converse ---- */

static int64_t jint(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) ? (int64_t)v->valuedouble : -1;
}

static void converse_usage(conv_usage *u, const cJSON *usage)
{
	u->input = jint(usage, "inputTokens");
	u->output = jint(usage, "outputTokens");
	u->cache_read = jint(usage, "cacheReadInputTokens");
	u->cache_write = jint(usage, "cacheWriteInputTokens");
}

/* Prints a whole Converse response (non-streamed). */
static void print_converse(conv_printer *p, const cJSON *resp)
{
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(resp, "output"),
						 "message"),
		"content");
	const cJSON *b;

	cJSON_ArrayForEach(b, content) {
		const cJSON *rc = cJSON_GetObjectItemCaseSensitive(b, "reasoningContent");
		const cJSON *tu = cJSON_GetObjectItemCaseSensitive(b, "toolUse");
		const char *t;

		if (rc && (t = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(rc, "reasoningText"),
						 "text"))) {
			conv_print_thinking(p, t, strlen(t));
			conv_print_end_thinking(p);
		} else if ((t = bedrock__json_str(b, "text")) != NULL) {
			conv_print_text(p, t, strlen(t));
		} else if (tu) {
			char *in = cJSON_PrintUnformatted(cJSON_GetObjectItemCaseSensitive(tu, "input"));

			conv_print_tool_call(p, bedrock__json_str(tu, "toolUseId"),
					     bedrock__json_str(tu, "name"), in, in ? strlen(in) : 0);
			free(in);
		}
	}
}

/* The Converse response shape, rebuilt from a ConverseStream. */
static char *converse_json(const bedrock_converse_result *res)
{
	cJSON *o = cJSON_CreateObject(), *msg, *content, *u;
	size_t i;
	char *out;

	msg = cJSON_AddObjectToObject(cJSON_AddObjectToObject(o, "output"), "message");
	content = cJSON_AddArrayToObject(msg, "content");
	if (res->reasoning_text_len) {
		cJSON *b = cJSON_CreateObject(), *rt;

		rt = cJSON_AddObjectToObject(cJSON_AddObjectToObject(b, "reasoningContent"),
					     "reasoningText");
		cJSON_AddStringToObject(rt, "text", res->reasoning_text);
		if (res->reasoning_signature)
			cJSON_AddStringToObject(rt, "signature", res->reasoning_signature);
		cJSON_AddItemToArray(content, b);
	}
	if (res->text_len) {
		cJSON *b = cJSON_CreateObject();

		cJSON_AddStringToObject(b, "text", res->text);
		cJSON_AddItemToArray(content, b);
	}
	for (i = 0; i < res->tool_use_count; i++) {
		const bedrock_converse_tool_use *t = &res->tool_uses[i];
		cJSON *b = cJSON_CreateObject(), *tu = cJSON_AddObjectToObject(b, "toolUse");
		cJSON *in = cJSON_ParseWithLength(t->input_json, t->input_json_len);

		cJSON_AddStringToObject(tu, "toolUseId", t->tool_use_id ? t->tool_use_id : "");
		cJSON_AddStringToObject(tu, "name", t->name ? t->name : "");
		cJSON_AddItemToObject(tu, "input", in ? in : cJSON_CreateString(t->input_json));
		cJSON_AddItemToArray(content, b);
	}
	cJSON_AddStringToObject(msg, "role", res->role ? res->role : "assistant");
	if (res->stop_reason_str)
		cJSON_AddStringToObject(o, "stopReason", res->stop_reason_str);
	u = cJSON_AddObjectToObject(o, "usage");
	cJSON_AddNumberToObject(u, "inputTokens", (double)nz(res->usage.input_tokens));
	cJSON_AddNumberToObject(u, "outputTokens", (double)nz(res->usage.output_tokens));
	cJSON_AddNumberToObject(u, "totalTokens", (double)nz(res->usage.total_tokens));
	if (res->usage.cache_read_input_tokens >= 0)
		cJSON_AddNumberToObject(u, "cacheReadInputTokens",
					(double)res->usage.cache_read_input_tokens);
	if (res->usage.cache_write_input_tokens >= 0)
		cJSON_AddNumberToObject(u, "cacheWriteInputTokens",
					(double)res->usage.cache_write_input_tokens);
	if (res->latency_ms >= 0)
		cJSON_AddNumberToObject(cJSON_AddObjectToObject(o, "metrics"), "latencyMs",
					(double)res->latency_ms);
	out = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	return out;
}

/* Which Converse blocks are reasoning (1) or tool calls (2), by index. */
#define MAX_BLOCKS 256

static void converse_event(conv_printer *p, unsigned char *kinds, const bedrock_event *ev,
			   const bedrock_converse_accumulator *acc)
{
	cJSON *o;
	int64_t idx;
	const cJSON *delta;
	const char *t;
	size_t i;

	if (!strcmp(ev->event_type, "contentBlockDelta") && ev->text) {
		conv_print_text(p, ev->text, ev->text_len);
		return;
	}
	if (strcmp(ev->event_type, "contentBlockDelta") && strcmp(ev->event_type, "contentBlockStart") &&
	    strcmp(ev->event_type, "contentBlockStop"))
		return;
	o = cJSON_ParseWithLength(ev->json, ev->json_len);
	idx = jint(o, "contentBlockIndex");
	if (idx < 0 || idx >= MAX_BLOCKS) {
		cJSON_Delete(o);
		return;
	}
	if (!strcmp(ev->event_type, "contentBlockStart")) {
		if (cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(o, "start"),
						     "toolUse"))
			kinds[idx] = 2;
	} else if (!strcmp(ev->event_type, "contentBlockDelta")) {
		delta = cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(o, "delta"), "reasoningContent");
		if (delta && (t = bedrock__json_str(delta, "text")) != NULL) {
			kinds[idx] = 1;
			conv_print_thinking(p, t, strlen(t));
		}
	} else if (kinds[idx] == 1) {
		conv_print_end_thinking(p);
	} else if (kinds[idx] == 2) {
		const bedrock_converse_result *res = bedrock_converse_accumulator_result(acc);

		for (i = 0; i < res->tool_use_count; i++)
			if (res->tool_uses[i].index == idx)
				conv_print_tool_call(p, res->tool_uses[i].tool_use_id,
						     res->tool_uses[i].name, res->tool_uses[i].input_json,
						     res->tool_uses[i].input_json_len);
	}
	cJSON_Delete(o);
}

int conv_call_converse(conv_result *r, bedrock_client *c, const conv_model *m, const char *body,
		       int stream, conv_printer *p, conv_cancel *cancel, bedrock_error_info *err)
{
	bedrock_converse_accumulator *acc = NULL;
	const bedrock_converse_result *res;
	unsigned char kinds[MAX_BLOCKS] = { 0 };
	bedrock_response *resp = NULL;
	bedrock_stream *s = NULL;
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	bedrock_event ev;
	double t0 = now_ms();
	int rc;

	memset(r, 0, sizeof(*r));
	ro.cancel = cancel ? cancel->token : NULL;
	conv_usage_init(&r->usage);
	cli_g.in_stream = 0;
	if (!stream) {
		const char *data;
		size_t len;
		cJSON *o;

		rc = bedrock_converse(&resp, c, m->id, body, strlen(body), &ro, err);
		if (canceled(cancel, rc)) {
			r->canceled = 1;
			return 0;
		}
		if (rc)
			return rc;
		r->usage.latency_ms = now_ms() - t0;
		data = bedrock_response_body(resp, &len);
		o = cJSON_ParseWithLength(data, len);
		if (!cJSON_IsObject(o)) {
			cJSON_Delete(o);
			bedrock_response_free(resp);
			return not_messages(err, "the answer is not a Converse response");
		}
		r->converse_json = strdup(data);
		converse_usage(&r->usage, cJSON_GetObjectItemCaseSensitive(o, "usage"));
		r->stop = bedrock_stop_reason_from_string(bedrock__json_str(o, "stopReason"));
		print_converse(p, o);
		conv_printer_finish(p);
		cJSON_Delete(o);
		bedrock_response_free(resp);
		return 0;
	}
	rc = bedrock_converse_stream(&s, c, m->id, body, strlen(body), &ro, err);
	if (canceled(cancel, rc)) {
		r->canceled = 1;
		return 0;
	}
	if (rc)
		return rc;
	cli_g.in_stream = 1;
	if (bedrock_converse_accumulator_new(&acc)) {
		bedrock_stream_free(s);
		return not_messages(err, "out of memory");
	}
	if (cancel)
		cancel->stream = s;
	while ((rc = bedrock_stream_next(&ev, s, err)) == 0) {
		if (canceled(cancel, 0))
			break;
		if (ev.kind != BEDROCK_EVENT_EVENT || !ev.json)
			continue;
		if (!strcmp(ev.event_type, "contentBlockDelta") && r->usage.first_token_ms < 0)
			r->usage.first_token_ms = now_ms() - t0;
		if (bedrock_converse_accumulator_feed(acc, ev.event_type, ev.json, ev.json_len) == 0)
			converse_event(p, kinds, &ev, acc);
		conv_printer_flush(p);
	}
	if (cancel)
		cancel->stream = NULL;
	r->canceled = canceled(cancel, rc);
	r->usage.latency_ms = now_ms() - t0;
	if (rc == BEDROCK_ITEROVER || r->canceled)
		rc = 0;
	res = bedrock_converse_accumulator_result(acc);
	r->converse_json = converse_json(res);
	r->usage.input = res->usage.input_tokens;
	r->usage.output = res->usage.output_tokens;
	r->usage.cache_read = res->usage.cache_read_input_tokens;
	r->usage.cache_write = res->usage.cache_write_input_tokens;
	r->stop = res->stop_reason;
	conv_printer_finish(p);
	bedrock_converse_accumulator_free(acc);
	bedrock_stream_free(s);
	return rc;
}

/* ---- keeping an answer in a conversation ---- */

cJSON *conv_assistant_turn(const bedrock_message *msg)
{
	cJSON *turn, *content;
	size_t i;

	if (!msg)
		return NULL;
	turn = cJSON_CreateObject();
	cJSON_AddStringToObject(turn, "role", "assistant");
	content = cJSON_AddArrayToObject(turn, "content");
	for (i = 0; i < bedrock_message_content_count(msg); i++) {
		const bedrock_content_block *b = bedrock_message_content(msg, i);

		/* What a cancel or a cut stream leaves unfinished cannot be sent back. */
		if ((b->type == BEDROCK_CONTENT_THINKING && !b->signature) ||
		    (b->type == BEDROCK_CONTENT_TOOL_USE && b->input_partial) ||
		    (b->type == BEDROCK_CONTENT_TEXT && !b->text_len))
			continue;
		cJSON_AddItemToArray(content, cJSON_ParseWithLength(b->json, b->json_len));
	}
	if (!content->child) {
		cJSON_Delete(turn);
		return NULL;
	}
	return turn;
}
