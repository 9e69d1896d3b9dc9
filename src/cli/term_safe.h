/* Text from outside (model output, service error messages) made safe to
 * show on a terminal: a pure, streaming filter. Model text is untrusted
 * (a prompt injected through an attached file can make Claude write
 * escape sequences that retitle the terminal, clear it, or set the
 * clipboard with OSC 52), so on a terminal every control is shown
 * visibly instead of acted on:
 *
 *   C0 controls except newline and tab   caret form: ESC -> ^[, BEL -> ^G
 *   DEL                                  ^?
 *   C1 controls U+0080..U+009F           <U+009B>
 *   bytes that are not UTF-8             \xff
 *
 * Everything else (printable ASCII, valid UTF-8) passes unchanged. Text
 * arrives in pieces (stream deltas) that may end inside a UTF-8 sequence,
 * so the filter keeps up to 3 bytes between calls. To a pipe or a file
 * the callers write the bytes as they are. */
#ifndef BEDROCK_CLI_TERM_SAFE_H
#define BEDROCK_CLI_TERM_SAFE_H

#include <stddef.h>
#include <stdio.h>

typedef struct term_safe {
	unsigned char pend[4];	/* the start of a UTF-8 sequence a piece ended in */
	size_t npend;
} term_safe;

/* Room term_safe_feed() needs for n bytes in (4 out per byte at worst,
 * pending bytes included), and term_safe_end() with n = 0. */
#define TERM_SAFE_MAX(n) (4 * ((n) + 4))

/* The start state (all zeros). */
void term_safe_init(term_safe *st);
/* Filters n bytes of s into out (room: TERM_SAFE_MAX(n)); returns the
 * bytes written. An incomplete sequence at the end is held back. */
size_t term_safe_feed(term_safe *st, char *out, const char *s, size_t n);
/* The end of the text: a held-back incomplete sequence is shown as the
 * bytes it was (\xNN). Returns the bytes written (at most 12). */
size_t term_safe_end(term_safe *st, char *out);

/* The whole of s[0..n) filtered, NUL-terminated and malloc'd; NULL when
 * out of memory. */
char *term_safe_dup(const char *s, size_t n);

/* I/O helpers over the filter: write s[0..n) (or the held-back bytes) to
 * f; return the last byte written, 0 if none. */
char term_safe_write(term_safe *st, FILE *f, const char *s, size_t n);
char term_safe_flush(term_safe *st, FILE *f);
/* fputs() of s, filtered when safe is set (f is a terminal). */
void term_safe_puts(const char *s, FILE *f, int safe);

#endif
