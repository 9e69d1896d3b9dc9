/* The terminal filter (term_safe.h): a UTF-8 scanner that copies what is
 * printable and writes controls and stray bytes in a visible form. */
#include <stdlib.h>
#include <string.h>

#include "term_safe.h"

static const char hex[] = "0123456789abcdef";
static const char HEX[] = "0123456789ABCDEF";

static size_t stray(char *out, unsigned char c)
{
	out[0] = '\\';
	out[1] = 'x';
	out[2] = hex[c >> 4];
	out[3] = hex[c & 15];
	return 4;
}

/* The length of the sequence lead byte c starts, 0 if c cannot start one. */
static size_t lead_len(unsigned char c)
{
	if (c < 0x80)
		return 1;
	if (c >= 0xc2 && c <= 0xdf)
		return 2;
	if (c >= 0xe0 && c <= 0xef)
		return 3;
	if (c >= 0xf0 && c <= 0xf4)
		return 4;
	return 0;
}

/* Whether b is a valid k-th byte (k >= 1) after lead c: a continuation
 * byte, and no overlong form, surrogate or code point above U+10FFFF. */
static int cont_ok(unsigned char c, size_t k, unsigned char b)
{
	if ((b & 0xc0) != 0x80)
		return 0;
	if (k != 1)
		return 1;
	return !((c == 0xe0 && b < 0xa0) || (c == 0xed && b > 0x9f) || (c == 0xf0 && b < 0x90) ||
		 (c == 0xf4 && b > 0x8f));
}

/* Filters b[0..n) into out. Unless final, stops before an incomplete
 * sequence at the end; *used says how far it got. Returns bytes written. */
static size_t scan(char *out, const unsigned char *b, size_t n, int final, size_t *used)
{
	size_t i = 0, o = 0, len, k;
	unsigned char c;

	while (i < n) {
		c = b[i];
		if (c < 0x80) {
			if (c == '\n' || c == '\t' || (c >= 0x20 && c < 0x7f)) {
				out[o++] = (char)c;
			} else {
				out[o++] = '^';
				out[o++] = c == 0x7f ? '?' : (char)(c + 0x40);
			}
			i++;
			continue;
		}
		len = lead_len(c);
		for (k = 1; len && k < len; k++) {
			if (i + k >= n) {
				if (!final) {
					*used = i;
					return o;
				}
				len = 0;
			} else if (!cont_ok(c, k, b[i + k])) {
				len = 0;
			}
		}
		if (!len) {
			o += stray(out + o, c);
			i++;
		} else if (c == 0xc2 && b[i + 1] < 0xa0) {
			/* A C1 control: U+0080..U+009F (CSI is U+009B). */
			memcpy(out + o, "<U+00", 5);
			out[o + 5] = HEX[b[i + 1] >> 4];
			out[o + 6] = HEX[b[i + 1] & 15];
			out[o + 7] = '>';
			o += 8;
			i += 2;
		} else {
			memcpy(out + o, b + i, len);
			o += len;
			i += len;
		}
	}
	*used = n;
	return o;
}

void term_safe_init(term_safe *st)
{
	memset(st, 0, sizeof(*st));
}

size_t term_safe_feed(term_safe *st, char *out, const char *s, size_t n)
{
	const unsigned char *u = (const unsigned char *)s;
	unsigned char tmp[8];
	size_t o = 0, used, k, from = 0;

	if (st->npend) {
		/* The held-back bytes and enough of s to finish their sequence. */
		k = n < 3 ? n : 3;
		memcpy(tmp, st->pend, st->npend);
		memcpy(tmp + st->npend, u, k);
		o = scan(out, tmp, st->npend + k, 0, &used);
		if (used < st->npend) {
			/* Still incomplete: all of s (fewer than 3 bytes) was in tmp. */
			st->npend = st->npend + k - used;
			memmove(st->pend, tmp + used, st->npend);
			return o;
		}
		from = used - st->npend;
		st->npend = 0;
	}
	o += scan(out + o, u + from, n - from, 0, &used);
	st->npend = n - from - used;
	memcpy(st->pend, u + from + used, st->npend);
	return o;
}

size_t term_safe_end(term_safe *st, char *out)
{
	size_t used, o = scan(out, st->pend, st->npend, 1, &used);

	st->npend = 0;
	return o;
}

char *term_safe_dup(const char *s, size_t n)
{
	term_safe st;
	char *out;
	size_t o;

	if (n > ((size_t)-1) / 4 - 8)
		return NULL;
	out = malloc(TERM_SAFE_MAX(n) + 1);
	if (!out)
		return NULL;
	term_safe_init(&st);
	o = term_safe_feed(&st, out, s, n);
	o += term_safe_end(&st, out + o);
	out[o] = '\0';
	return out;
}

#define PIECE 1024

char term_safe_write(term_safe *st, FILE *f, const char *s, size_t n)
{
	char buf[TERM_SAFE_MAX(PIECE)], last = 0;
	size_t k, o;

	while (n) {
		k = n < PIECE ? n : PIECE;
		o = term_safe_feed(st, buf, s, k);
		if (o) {
			fwrite(buf, 1, o, f);
			last = buf[o - 1];
		}
		s += k;
		n -= k;
	}
	return last;
}

char term_safe_flush(term_safe *st, FILE *f)
{
	char buf[TERM_SAFE_MAX(0)];
	size_t o = term_safe_end(st, buf);

	if (!o)
		return 0;
	fwrite(buf, 1, o, f);
	return buf[o - 1];
}

void term_safe_puts(const char *s, FILE *f, int safe)
{
	term_safe st;

	if (!safe) {
		fputs(s, f);
		return;
	}
	term_safe_init(&st);
	term_safe_write(&st, f, s, strlen(s));
	term_safe_flush(&st, f);
}
