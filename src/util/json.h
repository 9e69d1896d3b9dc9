/* Small cJSON helpers shared across the library (json.c): the
 * event reader and the Messages model both parse payloads with them. */
#ifndef BEDROCK_JSON_H
#define BEDROCK_JSON_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* One JSON value spanning exactly [p, p+len) (trailing whitespace allowed):
 * cJSON alone accepts a valid prefix such as "{}garbage". */
cJSON *bedrock__json_parse_exact(const char *p, size_t len);
/* Parses a NUL-terminated JSON text. */
cJSON *bedrock__json_parse_str(const char *s);
/* obj[key] if it is a string, else NULL. */
const char *bedrock__json_str(const cJSON *obj, const char *key);
/* obj[key] if it is a number, else -1. */
int64_t bedrock__json_int(const cJSON *obj, const char *key);
/* Compact JSON in the library's allocator (cJSON prints with its own). */
char *bedrock__json_print(const cJSON *item, size_t *len);

#endif
