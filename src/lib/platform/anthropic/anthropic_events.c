/* SSE events of a Messages stream as bedrock_event (anthropic_events.h). */
#include <stdio.h>
#include <string.h>

#include "bedrock/errors.h"
#include "anthropic_events.h"
#include "json.h"

/* The Messages stream's events; every other name is skipped, as the SDKs
 * skip it (a new event must not break an old client). */
static const char *const known[] = {
	"message_start", "content_block_start", "content_block_delta", "content_block_stop",
	"message_delta", "message_stop", NULL
};

static int is_known(const char *name)
{
	size_t i;

	for (i = 0; known[i]; i++)
		if (!strcmp(name, known[i]))
			return 1;
	return 0;
}

void bedrock__sse_events_dispose(bedrock__sse_events *st)
{
	cJSON_Delete(st->tree);
	st->tree = NULL;
}

static int error_event(bedrock__sse_events *st)
{
	const cJSON *e = cJSON_GetObjectItemCaseSensitive(st->tree, "error");
	const char *type = bedrock__json_str(e, "type"), *msg = bedrock__json_str(e, "message");

	snprintf(st->error_type, sizeof(st->error_type), "%s", type ? type : "error");
	snprintf(st->error_message, sizeof(st->error_message), "%s",
		 msg ? msg : "the stream carried an error event without a message");
	return type && !strcmp(type, "rate_limit_error") ? BEDROCK_ETHROTTLED : BEDROCK_ESERVICE;
}

int bedrock__sse_event_map(bedrock_event *out, bedrock__sse_events *st,
			   const bedrock_sse_event *ev)
{
	const char *name = ev->event;
	int is_error = !strcmp(name, "error");

	memset(out, 0, sizeof(*out));
	bedrock__sse_events_dispose(st);
	if (!is_error && !is_known(name))
		return BEDROCK_EAGAIN;
	st->tree = bedrock__json_parse_exact(ev->data, ev->data_len);
	if (!cJSON_IsObject(st->tree)) {
		snprintf(st->error_message, sizeof(st->error_message),
			 "the %s event's data is not a JSON object", name);
		return BEDROCK_EPROTOCOL;
	}
	if (is_error)
		return error_event(st);
	out->kind = BEDROCK_EVENT_EVENT;
	out->event_type = name;
	/* The data's own type; the event name when it has none. */
	out->type = bedrock__json_str(st->tree, "type");
	if (!out->type)
		out->type = name;
	out->json = ev->data;
	out->json_len = ev->data_len;
	if (!strcmp(name, "content_block_delta")) {
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(st->tree, "delta");
		const char *dt = bedrock__json_str(delta, "type");

		if (dt && !strcmp(dt, "text_delta")) {
			out->text = bedrock__json_str(delta, "text");
			out->text_len = out->text ? strlen(out->text) : 0;
		}
	}
	return 0;
}
