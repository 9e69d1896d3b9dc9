/* SSE events of a Messages stream as bedrock_event (anthropic_events.h). */
#include <stdio.h>
#include <string.h>

#include "bedrock/errors.h"
#include "anthropic_events.h"
#include "json.h"

/* The Messages stream's events; every other name is skipped, as the SDKs
 * skip it (a new event must not break an old client). The length is
 * compared first: this runs once an event, and most names differ in it. */
enum { ERROR_EVENT, CONTENT_BLOCK_DELTA, OTHER_KNOWN, UNKNOWN };

static const struct {
	const char *name;
	size_t len;
	int kind;
} known[] = {
#define K(s, kind) { s, sizeof(s) - 1, kind }
	K("content_block_delta", CONTENT_BLOCK_DELTA),
	K("message_start", OTHER_KNOWN),
	K("content_block_start", OTHER_KNOWN),
	K("content_block_stop", OTHER_KNOWN),
	K("message_delta", OTHER_KNOWN),
	K("message_stop", OTHER_KNOWN),
	K("error", ERROR_EVENT),
#undef K
};

static int event_kind(const bedrock_sse_event *ev)
{
	size_t i;

	for (i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (ev->event_len == known[i].len && !memcmp(ev->event, known[i].name, known[i].len))
			return known[i].kind;
	return UNKNOWN;
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
	int kind = event_kind(ev);

	memset(out, 0, sizeof(*out));
	bedrock__sse_events_dispose(st);
	if (kind == UNKNOWN)
		return BEDROCK_EAGAIN;
	st->tree = bedrock__json_parse_exact(ev->data, ev->data_len);
	if (!cJSON_IsObject(st->tree)) {
		snprintf(st->error_message, sizeof(st->error_message),
			 "the %s event's data is not a JSON object", name);
		return BEDROCK_EPROTOCOL;
	}
	if (kind == ERROR_EVENT)
		return error_event(st);
	out->kind = BEDROCK_EVENT_EVENT;
	out->event_type = name;
	/* The data's own type; the event name when it has none. */
	out->type = bedrock__json_str(st->tree, "type");
	if (!out->type)
		out->type = name;
	out->json = ev->data;
	out->json_len = ev->data_len;
	if (kind == CONTENT_BLOCK_DELTA) {
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(st->tree, "delta");
		const char *dt = bedrock__json_str(delta, "type");

		if (dt && !strcmp(dt, "text_delta")) {
			out->text = bedrock__json_str(delta, "text");
			out->text_len = out->text ? strlen(out->text) : 0;
		}
	}
	return 0;
}

int bedrock__sse_event_raw(bedrock_event *out, bedrock__sse_events *st,
			   const bedrock_sse_event *ev)
{
	memset(out, 0, sizeof(*out));
	bedrock__sse_events_dispose(st);
	if (event_kind(ev) == ERROR_EVENT) {
		st->tree = bedrock__json_parse_exact(ev->data, ev->data_len);
		if (!cJSON_IsObject(st->tree)) {
			snprintf(st->error_message, sizeof(st->error_message),
				 "the error event's data is not a JSON object");
			return BEDROCK_EPROTOCOL;
		}
		return error_event(st);
	}
	/* No parse: a relay needs the name and the bytes, and the names of
	 * the Messages events are their data's "type". */
	out->kind = BEDROCK_EVENT_EVENT;
	out->event_type = ev->event;
	out->type = ev->event;
	out->json = ev->data;
	out->json_len = ev->data_len;
	return 0;
}
