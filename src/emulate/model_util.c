/* Small pure helpers: strings, canonical JSON, hashing, base64, tokens. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "model.h"
#include "model_internal.h"

static void canon_string(bedrock_buf *b, const char *s)
{
	bedrock__buf_put(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			bedrock__buf_put(b, "\\", 1);
			bedrock__buf_put(b, s, 1);
		} else if (c < 0x20) {
			bedrock__buf_printf(b, "\\u%04x", c);
		} else {
			bedrock__buf_put(b, s, 1);
		}
	}
	bedrock__buf_put(b, "\"", 1);
}

typedef struct keyed {
	const cJSON *v;
	size_t pos;
} keyed;

static int by_key(const void *a, const void *b)
{
	const keyed *x = a, *y = b;
	int c = strcmp(x->v->string ? x->v->string : "", y->v->string ? y->v->string : "");

	/* Duplicate keys keep document order, so the output never depends on
	 * qsort's (unspecified) stability. */
	if (!c)
		c = x->pos < y->pos ? -1 : x->pos > y->pos;
	return c;
}

void emu__canonical(bedrock_buf *b, const cJSON *v)
{
	const cJSON *c;

	if (!v || cJSON_IsNull(v) || cJSON_IsInvalid(v)) {
		bedrock__buf_puts(b, "null");
	} else if (cJSON_IsTrue(v)) {
		bedrock__buf_puts(b, "true");
	} else if (cJSON_IsFalse(v)) {
		bedrock__buf_puts(b, "false");
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (isfinite(d) && d == emu__floor(d) && fabs(d) < 1e15)
			bedrock__buf_printf(b, "%.0f", d);
		else if (isfinite(d))
			bedrock__buf_printf(b, "%.17g", d);
		else
			bedrock__buf_puts(b, "null");
	} else if (cJSON_IsString(v)) {
		canon_string(b, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsArray(v)) {
		bedrock__buf_put(b, "[", 1);
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				bedrock__buf_put(b, ",", 1);
			emu__canonical(b, c);
		}
		bedrock__buf_put(b, "]", 1);
	} else if (cJSON_IsObject(v)) {
		size_t n = 0, i;
		keyed *kids;

		cJSON_ArrayForEach(c, v)
			n++;
		kids = malloc((n ? n : 1) * sizeof(*kids));
		if (!kids) {
			b->oom = 1;
			return;
		}
		n = 0;
		cJSON_ArrayForEach(c, v) {
			kids[n].v = c;
			kids[n].pos = n;
			n++;
		}
		qsort(kids, n, sizeof(*kids), by_key);
		bedrock__buf_put(b, "{", 1);
		for (i = 0; i < n; i++) {
			if (i)
				bedrock__buf_put(b, ",", 1);
			canon_string(b, kids[i].v->string ? kids[i].v->string : "");
			bedrock__buf_put(b, ":", 1);
			emu__canonical(b, kids[i].v);
		}
		bedrock__buf_put(b, "}", 1);
		free(kids);
	} else {
		bedrock__buf_puts(b, "null");
	}
}

uint64_t emu__fnv(uint64_t h, const void *p, size_t n)
{
	const unsigned char *s = p;
	size_t i;

	for (i = 0; i < n; i++)
		h = (h ^ s[i]) * 0x100000001b3ull;
	return h;
}

/* splitmix64's finaliser: spreads FNV's weak low bits. */
uint64_t emu__mix(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

void emu__id(char *dst, size_t chars, uint64_t h)
{
	static const char alphabet[] =
		"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
	size_t i;

	for (i = 0; i < chars; i++) {
		if (i % 8 == 0)
			h = emu__mix(h + i);
		dst[i] = alphabet[h % 62];
		h /= 62;
	}
	dst[chars] = '\0';
}

/* Word bytes: ASCII letters, digits, '_' and every non-ASCII byte, so a
 * UTF-8 word stays one token. Everything else that is not whitespace is
 * punctuation. */
static int tok_class(unsigned char c)
{
	if (bedrock__ascii_space(c))
		return 0;
	if (c >= 0x80 || bedrock__ascii_alnum(c) || c == '_')
		return 1;
	return 2;
}

unsigned emu__tokens(const char *s, size_t n)
{
	unsigned count = 0;
	int prev = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		int k = tok_class((unsigned char)s[i]);

		if (k && k != prev)
			count++;
		prev = k;
	}
	return count;
}

size_t emu__token_prefix(const char *s, size_t n, unsigned tokens)
{
	unsigned count = 0;
	int prev = 0;
	size_t i;

	if (!tokens)
		return 0;
	for (i = 0; i < n; i++) {
		int k = tok_class((unsigned char)s[i]);

		if (k && k != prev) {
			if (count == tokens)
				return i;
			count++;
		} else if (!k && count == tokens) {
			return i;
		}
		prev = k;
	}
	return n;
}

unsigned emu_count_text_tokens(const char *text)
{
	return text ? emu__tokens(text, strlen(text)) : 0;
}

char *emu__b64_encode(const void *p, size_t n)
{
	char *out = malloc(bedrock__base64_encoded_len(n) + 1);

	if (out)
		bedrock__base64_encode(out, p, n);
	return out;
}

uint8_t *emu__b64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s);
	uint8_t *out = malloc(bedrock__base64_decoded_cap(len));

	if (out && bedrock__base64_decode(out, n, s, len)) {
		free(out);
		out = NULL;
	}
	return out;
}

void emu__msg(char *msg, size_t cap, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void emu__msg(char *msg, size_t cap, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !cap)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, cap, fmt, ap);
	va_end(ap);
}

size_t emu__piece_end(const char *s, size_t n, size_t pos)
{
	size_t i;

	/* A piece runs to the end of its first token: leading whitespace is
	 * part of the piece (" world"), as in Claude's own deltas. */
	for (i = pos; i < n && !tok_class((unsigned char)s[i]); i++)
		;
	if (i == n)
		return n;
	for (i++; i < n && tok_class((unsigned char)s[i]) == tok_class((unsigned char)s[i - 1]); i++)
		;
	/* Trailing whitespace joins the last piece instead of making its own. */
	{
		size_t j = i;

		while (j < n && !tok_class((unsigned char)s[j]))
			j++;
		if (j == n)
			i = n;
	}
	/* A huge token still makes frames of reasonable size (Bedrock caps a
	 * chunk at 1 MB). */
	if (i - pos > EMU_MAX_PIECE)
		i = emu__chunk_end(s, n, pos, EMU_MAX_PIECE);
	return i;
}

size_t emu__chunk_end(const char *s, size_t n, size_t pos, size_t size)
{
	size_t i = pos + size;

	if (i >= n)
		return n;
	while (i > pos + 1 && ((unsigned char)s[i] & 0xC0) == 0x80)
		i--;
	return i;
}
