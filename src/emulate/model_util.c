/* Small pure helpers: strings, canonical JSON, hashing, base64, tokens. */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "model.h"
#include "model_internal.h"

void emu__buf_add(emu_buf *b, const char *s, size_t n)
{
	if (b->oom)
		return;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 64;
		char *p;

		while (cap < b->len + n + 1)
			cap *= 2;
		p = realloc(b->p, cap);
		if (!p) {
			b->oom = 1;
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	if (n)
		memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

void emu__buf_str(emu_buf *b, const char *s)
{
	emu__buf_add(b, s, strlen(s));
}

void emu__buf_fmt(emu_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

void emu__buf_fmt(emu_buf *b, const char *fmt, ...)
{
	char tmp[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
	va_end(ap);
	if (n < 0)
		b->oom = 1;
	else
		emu__buf_add(b, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

void emu__buf_free(emu_buf *b)
{
	free(b->p);
	memset(b, 0, sizeof(*b));
}

static void canon_string(emu_buf *b, const char *s)
{
	emu__buf_add(b, "\"", 1);
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			emu__buf_add(b, "\\", 1);
			emu__buf_add(b, s, 1);
		} else if (c < 0x20) {
			emu__buf_fmt(b, "\\u%04x", c);
		} else {
			emu__buf_add(b, s, 1);
		}
	}
	emu__buf_add(b, "\"", 1);
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

void emu__canonical(emu_buf *b, const cJSON *v)
{
	const cJSON *c;

	if (!v || cJSON_IsNull(v) || cJSON_IsInvalid(v)) {
		emu__buf_str(b, "null");
	} else if (cJSON_IsTrue(v)) {
		emu__buf_str(b, "true");
	} else if (cJSON_IsFalse(v)) {
		emu__buf_str(b, "false");
	} else if (cJSON_IsNumber(v)) {
		double d = v->valuedouble;

		if (isfinite(d) && d == emu__floor(d) && fabs(d) < 1e15)
			emu__buf_fmt(b, "%.0f", d);
		else if (isfinite(d))
			emu__buf_fmt(b, "%.17g", d);
		else
			emu__buf_str(b, "null");
	} else if (cJSON_IsString(v)) {
		canon_string(b, v->valuestring ? v->valuestring : "");
	} else if (cJSON_IsArray(v)) {
		emu__buf_add(b, "[", 1);
		cJSON_ArrayForEach(c, v) {
			if (c != v->child)
				emu__buf_add(b, ",", 1);
			emu__canonical(b, c);
		}
		emu__buf_add(b, "]", 1);
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
		emu__buf_add(b, "{", 1);
		for (i = 0; i < n; i++) {
			if (i)
				emu__buf_add(b, ",", 1);
			canon_string(b, kids[i].v->string ? kids[i].v->string : "");
			emu__buf_add(b, ":", 1);
			emu__canonical(b, kids[i].v);
		}
		emu__buf_add(b, "}", 1);
		free(kids);
	} else {
		emu__buf_str(b, "null");
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
	if (emu__space(c))
		return 0;
	if (c >= 0x80 || emu__alnum(c) || c == '_')
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
	char *out;

	if (n > (size_t)0x7fffffff / 2)
		return NULL;
	out = malloc(4 * ((n + 2) / 3) + 1);
	if (!out)
		return NULL;
	EVP_EncodeBlock((unsigned char *)out, p, (int)n);
	return out;
}

uint8_t *emu__b64_decode(const char *s, size_t *n)
{
	size_t len = strlen(s), pad = 0, i;
	uint8_t *out;
	int r;

	if (len % 4 || len > (size_t)0x7fffffff)
		return NULL;
	/* EVP_DecodeBlock skips whitespace and is lenient about junk; Bedrock
	 * is not, so check the alphabet first. */
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '=' && i + 2 >= len)
			pad++;
		else if (!(emu__alnum(c) || c == '+' || c == '/') || pad)
			return NULL;
	}
	out = malloc(len / 4 * 3 + 1);
	if (!out)
		return NULL;
	r = EVP_DecodeBlock(out, (const unsigned char *)s, (int)len);
	if (r < 0) {
		free(out);
		return NULL;
	}
	*n = (size_t)r - pad;
	out[*n] = 0;
	return out;
}

const char *emu__str(const cJSON *obj, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);

	return cJSON_IsString(v) && v->valuestring ? v->valuestring : NULL;
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
