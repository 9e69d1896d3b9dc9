/* libFuzzer target for the Messages model: the input is one event JSON,
 * and also a newline-separated stream of them (fed to the accumulator and,
 * as "eventType json" lines, to the ConverseStream accumulator), and also a
 * response body. Everything lent is touched so the sanitizers see it. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/messages.h"

static volatile size_t sink;

static void touch(const char *s, size_t len)
{
	size_t i;

	if (!s)
		return;
	for (i = 0; i < len; i++)
		sink += (unsigned char)s[i];
}

static void touch_str(const char *s)
{
	if (s)
		touch(s, strlen(s));
}

static void touch_message(const bedrock_message *m)
{
	size_t i, k, len;
	const char *raw = bedrock_message_json(m, &len);
	char *text = NULL;

	touch(raw, len);
	touch_str(bedrock_message_id(m));
	touch_str(bedrock_message_model(m));
	touch_str(bedrock_message_role(m));
	touch_str(bedrock_message_stop_reason_str(m));
	touch_str(bedrock_message_stop_sequence(m));
	sink += (size_t)bedrock_message_stop_reason(m) + (size_t)bedrock_message_usage(m)->output_tokens;
	for (i = 0; i < bedrock_message_content_count(m); i++) {
		const bedrock_content_block *b = bedrock_message_content(m, i);
		touch_str(b->type_name);
		touch(b->text, b->text_len);
		touch_str(b->signature);
		touch_str(b->data);
		touch_str(b->id);
		touch_str(b->name);
		touch(b->input_json, b->input_json_len);
		touch(b->json, b->json_len);
		for (k = 0; k < b->citation_count; k++) {
			touch(b->citations[k].json, b->citations[k].json_len);
			touch_str(b->citations[k].cited_text);
			touch_str(b->citations[k].url);
		}
	}
	if (bedrock_message_text(&text, &len, m) == 0)
		touch(text, len);
	bedrock_messages_string_free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size, *nl;
	bedrock_messages_event ev;
	bedrock_message_accumulator *acc = NULL;
	bedrock_converse_accumulator *cacc = NULL;
	bedrock_message *m = NULL;
	const bedrock_converse_result *cr;
	size_t i;

	memset(&ev, 0, sizeof(ev));
	if (bedrock_messages_event_parse(&ev, p, size) == 0) {
		touch_str(ev.type);
		touch(ev.text, ev.text_len);
		touch_str(ev.block_type);
		touch_str(ev.stop_reason_str);
		touch_str(ev.error_message);
	}
	bedrock_messages_event_dispose(&ev);

	if (bedrock_message_parse(&m, p, size) == 0)
		touch_message(m);
	bedrock_message_free(m);
	m = NULL;

	if (bedrock_message_accumulator_new(&acc) || bedrock_converse_accumulator_new(&cacc))
		goto out;
	while (p < end) {
		char type[64];
		const char *sp;
		size_t n;

		nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			nl = end;
		bedrock_message_accumulator_feed_json(acc, p, (size_t)(nl - p));
		sp = memchr(p, ' ', (size_t)(nl - p));
		n = sp ? (size_t)(sp - p) : 0;
		if (sp && n < sizeof(type)) {
			memcpy(type, p, n);
			type[n] = '\0';
			bedrock_converse_accumulator_feed(cacc, type, sp + 1, (size_t)(nl - sp - 1));
		}
		p = nl + 1;
	}
	touch_str(bedrock_message_accumulator_errmsg(acc));
	if (bedrock_message_accumulator_message(&m, acc) == 0)
		touch_message(m);
	bedrock_message_free(m);
	cr = bedrock_converse_accumulator_result(cacc);
	touch(cr->text, cr->text_len);
	touch(cr->reasoning_text, cr->reasoning_text_len);
	touch_str(cr->stop_reason_str);
	touch_str(cr->role);
	for (i = 0; i < cr->tool_use_count; i++) {
		touch(cr->tool_uses[i].input_json, cr->tool_uses[i].input_json_len);
		touch_str(cr->tool_uses[i].name);
		touch_str(cr->tool_uses[i].tool_use_id);
	}
out:
	bedrock_message_accumulator_free(acc);
	bedrock_converse_accumulator_free(cacc);
	return 0;
}
