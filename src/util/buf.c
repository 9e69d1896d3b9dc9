#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "buf.h"

int bedrock__buf_grow(bedrock_buf *b, size_t extra)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return -1;
	if (extra > SIZE_MAX - b->len - 1)
		goto fail;
	need = b->len + extra + 1;
	if (need <= b->cap)
		return 0;
	cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	p = bedrock__realloc(b->ptr, cap);
	if (!p)
		goto fail;
	b->ptr = p;
	b->cap = cap;
	return 0;
fail:
	b->oom = 1;
	return -1;
}

void bedrock__buf_put(bedrock_buf *b, const void *data, size_t len)
{
	if (bedrock__buf_grow(b, len))
		return;
	if (len)
		memcpy(b->ptr + b->len, data, len);
	b->len += len;
	b->ptr[b->len] = '\0';
}

void bedrock__buf_puts(bedrock_buf *b, const char *s)
{
	bedrock__buf_put(b, s, strlen(s));
}

void bedrock__buf_putc(bedrock_buf *b, char c)
{
	bedrock__buf_put(b, &c, 1);
}

void bedrock__buf_printf(bedrock_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->oom)
		return;
	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0) {
		b->oom = 1;
		return;
	}
	if (bedrock__buf_grow(b, (size_t)n))
		return;
	va_start(ap, fmt);
	vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void bedrock__buf_clear(bedrock_buf *b)
{
	b->len = 0;
	b->oom = 0;
	if (b->ptr)
		b->ptr[0] = '\0';
}

void bedrock__buf_dispose(bedrock_buf *b)
{
	bedrock__free(b->ptr);
	*b = (bedrock_buf)BEDROCK_BUF_INIT;
}
