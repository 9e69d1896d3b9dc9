/* The Anthropic API's Messages stream (Server-Sent Events) as the
 * bedrock_event a Bedrock stream yields, so one accumulator and one
 * printer serve both wires. Pure: no I/O. */
#ifndef BEDROCK_ANTHROPIC_EVENTS_H
#define BEDROCK_ANTHROPIC_EVENTS_H

#include <cjson/cJSON.h>

#include "bedrock/eventstream.h"
#include "bedrock/sse.h"

typedef struct bedrock__sse_events {
	cJSON *tree;		/* the last event's data, lent through out */
	char error_type[64];	/* an `error` event's error.type */
	char error_message[512];
} bedrock__sse_events;

/* One SSE event. 0: *out is a Messages event (lent until the next call or
 * the dispose); BEDROCK_EAGAIN: not one for the caller (ping, an event
 * name this version does not know, such as Vertex's vertex_event);
 * BEDROCK_EPROTOCOL: data that is not a JSON object; for an `error`
 * event, BEDROCK_ETHROTTLED (rate_limit_error) or BEDROCK_ESERVICE (any
 * other), its type and message in st. */
int bedrock__sse_event_map(bedrock_event *out, bedrock__sse_events *st,
			   const bedrock_sse_event *ev);
/* The same for a stream relayed as it came (bedrock_messages_send_stream):
 * every event, ping and unknown names included, with .event_type and .type
 * the event name and .json its data, parsed only for an `error` event
 * (returned as above). 0, or an error code. */
int bedrock__sse_event_raw(bedrock_event *out, bedrock__sse_events *st,
			   const bedrock_sse_event *ev);
void bedrock__sse_events_dispose(bedrock__sse_events *st);

#endif
