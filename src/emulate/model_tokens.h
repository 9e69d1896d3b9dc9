/* Token counting over a Messages request (model_tokens.c). */
#ifndef BEDROCK_EMULATE_MODEL_TOKENS_H
#define BEDROCK_EMULATE_MODEL_TOKENS_H

#include <cjson/cJSON.h>

typedef struct emu_token_count {
	unsigned total;		/* every input token */
	unsigned cached;	/* tokens up to and including the last cache_control */
	int has_cache;		/* any cache_control at all */
	int ttl_1h;		/* the last breakpoint asked for "1h" */
} emu_token_count;

void emu__count(emu_token_count *tc, const cJSON *req);
unsigned emu__block_tokens(const cJSON *block);
unsigned emu__tool_tokens(const cJSON *tool);

#endif
