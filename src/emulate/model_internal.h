/* Helpers shared by the model and renderer files (not part of the seam). */
#ifndef BEDROCK_EMULATE_MODEL_INTERNAL_H
#define BEDROCK_EMULATE_MODEL_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "ascii.h"	/* the model must not depend on the process locale */
#include "buf.h"	/* the growable string the model writes its text in */
#include "json.h"	/* bedrock__json_str: obj[key] as a string, or NULL */

/* Canonical JSON: object keys sorted, numbers normalised, no whitespace.
 * Two documents that mean the same thing print the same. */
void emu__canonical(bedrock_buf *b, const cJSON *v);
uint64_t emu__fnv(uint64_t h, const void *p, size_t n);
uint64_t emu__mix(uint64_t x);
#define EMU_FNV_INIT 0xcbf29ce484222325ull

/* The token rule (see docs/emulator-model.md). */
unsigned emu__tokens(const char *s, size_t n);
/* Length of the shortest prefix of s holding `tokens` tokens. */
size_t emu__token_prefix(const char *s, size_t n, unsigned tokens);

/* Where the stream delta starting at pos ends: one token per piece, with
 * the whitespace before it (text and thinking deltas), at most
 * EMU_MAX_PIECE bytes. */
#define EMU_MAX_PIECE 4096
size_t emu__piece_end(const char *s, size_t n, size_t pos);
/* Up to `size` bytes from pos, never splitting a UTF-8 sequence (tool
 * input JSON pieces). */
size_t emu__chunk_end(const char *s, size_t n, size_t pos, size_t size);

/* Deterministic identifier characters (base62) from a hash. */
void emu__id(char *dst, size_t chars, uint64_t h);

/* Base64 (base64.h) in memory the emulator malloc's and free's. */
char *emu__b64_encode(const void *p, size_t n);
uint8_t *emu__b64_decode(const char *s, size_t *n);	/* NULL if invalid */
void emu__msg(char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* cJSON_AddItemTo{Object,Array} that free the item when they fail (a NULL
 * container after an earlier allocation failure, or no memory for the
 * key), so a failed build never leaks. 1 on success. */
static inline int emu__put(cJSON *obj, const char *key, cJSON *item)
{
	if (item && obj && cJSON_AddItemToObject(obj, key, item))
		return 1;
	cJSON_Delete(item);
	return 0;
}

static inline int emu__push(cJSON *arr, cJSON *item)
{
	if (item && arr && cJSON_AddItemToArray(arr, item))
		return 1;
	cJSON_Delete(item);
	return 0;
}

/* floor/ceil without libm (the CLI does not link it); exact for the
 * magnitudes JSON numbers take here, NaN and huge values pass through. */
static inline double emu__floor(double d)
{
	double t;

	if (!(d > -9e15 && d < 9e15))
		return d;
	t = (double)(long long)d;
	return t > d ? t - 1 : t;
}

static inline double emu__ceil(double d)
{
	return -emu__floor(-d);
}

/* A value valid against a JSON schema (root resolves "#/..." refs). */
cJSON *emu__schema_value(const cJSON *schema, const cJSON *root, int depth);

#endif
