/* The files people hand the CLI, read: a conversation /save wrote (any
 * InvokeModel body will do) and --tools definitions. Pure — text in, JSON
 * out — so the fuzzer (fuzz/cli_files_fuzzer.c) can drive them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conv.h"

static int valid_turns(const cJSON *messages, char *err, size_t cap)
{
	const cJSON *t;
	int i = 0;

	if (!cJSON_IsArray(messages)) {
		snprintf(err, cap, "no \"messages\" array");
		return -1;
	}
	cJSON_ArrayForEach(t, messages) {
		const cJSON *role = cJSON_GetObjectItemCaseSensitive(t, "role");
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(t, "content");

		if (!cJSON_IsString(role) || (strcmp(role->valuestring, "user") &&
					      strcmp(role->valuestring, "assistant"))) {
			snprintf(err, cap, "messages[%d]: role is not user or assistant", i);
			return -1;
		}
		if (!cJSON_IsString(content) && !cJSON_IsArray(content)) {
			snprintf(err, cap, "messages[%d]: content is not a string or a list", i);
			return -1;
		}
		i++;
	}
	return 0;
}

/* `system` as a string: a list of text blocks is joined by blank lines. */
static int take_system(char **out, const cJSON *sys)
{
	const cJSON *b;
	size_t n = 0;
	char *s;

	*out = NULL;
	if (cJSON_IsString(sys)) {
		if (*sys->valuestring && !(*out = strdup(sys->valuestring)))
			return -1;
		return 0;
	}
	cJSON_ArrayForEach(b, sys) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");
		size_t tl;

		if (!cJSON_IsString(t))
			continue;
		tl = strlen(t->valuestring);
		s = realloc(*out, n + tl + 3);
		if (!s) {
			free(*out);
			*out = NULL;
			return -1;
		}
		*out = s;
		if (n) {
			memcpy(s + n, "\n\n", 2);
			n += 2;
		}
		memcpy(s + n, t->valuestring, tl + 1);
		n += tl;
	}
	return 0;
}

int conv_parse_conversation(cJSON **messages, char **system, long *max_tokens, const char *text,
			    size_t len, char *err, size_t cap)
{
	cJSON *o = cJSON_ParseWithLength(text, len), *m;
	const cJSON *mt;

	*messages = NULL;
	*system = NULL;
	*max_tokens = 0;
	if (!cJSON_IsObject(o)) {
		snprintf(err, cap, "not a JSON object");
		cJSON_Delete(o);
		return -1;
	}
	m = cJSON_GetObjectItemCaseSensitive(o, "messages");
	if (valid_turns(m, err, cap)) {
		cJSON_Delete(o);
		return -1;
	}
	if (take_system(system, cJSON_GetObjectItemCaseSensitive(o, "system"))) {
		snprintf(err, cap, "out of memory");
		cJSON_Delete(o);
		return -1;
	}
	mt = cJSON_GetObjectItemCaseSensitive(o, "max_tokens");
	if (cJSON_IsNumber(mt) && mt->valuedouble >= 1 && mt->valuedouble <= 1000000)
		*max_tokens = (long)mt->valuedouble;
	*messages = cJSON_DetachItemViaPointer(o, m);
	cJSON_Delete(o);
	return 0;
}

int conv_parse_tools(cJSON **tools, const char *text, size_t len, char *err, size_t cap)
{
	cJSON *t = cJSON_ParseWithLength(text, len);
	const cJSON *it;

	*tools = NULL;
	/* One definition alone is taken as a list of one. */
	if (cJSON_IsObject(t)) {
		cJSON *arr = cJSON_CreateArray();

		if (!arr) {
			cJSON_Delete(t);
			snprintf(err, cap, "out of memory");
			return -1;
		}
		cJSON_AddItemToArray(arr, t);
		t = arr;
	}
	if (!cJSON_IsArray(t)) {
		snprintf(err, cap, "not a JSON array of tool definitions");
		cJSON_Delete(t);
		return -1;
	}
	cJSON_ArrayForEach(it, t) {
		if (!cJSON_IsString(cJSON_GetObjectItemCaseSensitive(it, "name"))) {
			snprintf(err, cap, "every tool needs a \"name\"");
			cJSON_Delete(t);
			return -1;
		}
	}
	*tools = t;
	return 0;
}
