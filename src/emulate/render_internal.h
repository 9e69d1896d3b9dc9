/* Shared by render.c and render_converse.c. */
#ifndef BEDROCK_EMULATE_RENDER_INTERNAL_H
#define BEDROCK_EMULATE_RENDER_INTERNAL_H

#include <cjson/cJSON.h>

#include "serve.h"

void emu__add_padding(cJSON *payload, unsigned frame);
/* Appends one :message-type event frame; consumes payload (NULL: -1). */
int emu__frame(serve_response *out, const char *event_type, cJSON *payload);
/* The reported latency in ms: 100 plus 10 per output token. */
unsigned emu__latency(unsigned output_tokens);
/* A non-negative integer member, 0 if absent. */
unsigned emu__num(const cJSON *obj, const char *key);

#endif
