/* The files people hand the CLI, on arbitrary bytes: a conversation for
 * `bedrock chat`'s /load and tool definitions for --tools. Each must be
 * read or refused with a reason, never crash or leak; what is accepted
 * must be what the callers rely on. */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[256] = "", *system = NULL;
	cJSON *messages = NULL, *tools = NULL;
	const cJSON *it;
	long max_tokens = -1;

	if (conv_parse_conversation(&messages, &system, &max_tokens, text, size, err, sizeof(err)) == 0) {
		if (!cJSON_IsArray(messages) || max_tokens < 0 || max_tokens > 1000000)
			__builtin_trap();
		cJSON_ArrayForEach(it, messages)
			if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "role")))
				__builtin_trap();
	} else if (!err[0] || messages || system) {
		__builtin_trap();
	}
	cJSON_Delete(messages);
	free(system);
	err[0] = '\0';
	if (conv_parse_tools(&tools, text, size, err, sizeof(err)) == 0) {
		if (!cJSON_IsArray(tools))
			__builtin_trap();
		cJSON_ArrayForEach(it, tools)
			if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "name")))
				__builtin_trap();
	} else if (!err[0] || tools) {
		__builtin_trap();
	}
	cJSON_Delete(tools);
	return 0;
}
