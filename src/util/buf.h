/* A growable byte buffer, always NUL-terminated so text can be lent out
 * as a C string. Allocation failure is sticky: later appends are no-ops
 * and buf->oom tells the caller once, at the end. */
#ifndef BEDROCK_BUF_H
#define BEDROCK_BUF_H

#include <stddef.h>

#include "errinfo.h"	/* BEDROCK__PRINTF */

typedef struct bedrock_buf {
	char *ptr;
	size_t len;
	size_t cap;
	int oom;
} bedrock_buf;

#define BEDROCK_BUF_INIT { NULL, 0, 0, 0 }

int bedrock__buf_grow(bedrock_buf *b, size_t extra);
void bedrock__buf_put(bedrock_buf *b, const void *data, size_t len);
void bedrock__buf_puts(bedrock_buf *b, const char *s);
void bedrock__buf_putc(bedrock_buf *b, char c);
/* Appends printf-formatted text, however long; a format error sets oom
 * too (nothing reliable was appended). */
void bedrock__buf_printf(bedrock_buf *b, const char *fmt, ...) BEDROCK__PRINTF(2, 3);
void bedrock__buf_clear(bedrock_buf *b);
void bedrock__buf_dispose(bedrock_buf *b);

#endif
