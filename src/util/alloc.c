/* Allocator hook: one global table, set before init (as hiredis and curl do). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"

static void *std_malloc(size_t size, void *payload)
{
	(void)payload;
	return malloc(size);
}

static void *std_realloc(void *ptr, size_t size, void *payload)
{
	(void)payload;
	return realloc(ptr, size);
}

static void std_free(void *ptr, void *payload)
{
	(void)payload;
	free(ptr);
}

static bedrock_allocator current = { std_malloc, std_realloc, std_free, NULL };

int bedrock_set_allocator(const bedrock_allocator *alloc)
{
	if (!alloc) {
		current = (bedrock_allocator){ std_malloc, std_realloc, std_free, NULL };
		return 0;
	}
	if (!alloc->malloc || !alloc->realloc || !alloc->free)
		return BEDROCK_EINVAL;
	current = *alloc;
	return 0;
}

void *bedrock__malloc(size_t size)
{
	/* malloc(0) may return NULL, which callers would read as ENOMEM. */
	return current.malloc(size ? size : 1, current.payload);
}

void *bedrock__calloc(size_t n, size_t size)
{
	void *p;

	if (size && n > SIZE_MAX / size)
		return NULL;
	p = bedrock__malloc(n * size);
	if (p)
		memset(p, 0, n * size);
	return p;
}

void *bedrock__realloc(void *ptr, size_t size)
{
	return current.realloc(ptr, size ? size : 1, current.payload);
}

void bedrock__free(void *ptr)
{
	if (ptr)
		current.free(ptr, current.payload);
}

char *bedrock__strndup(const char *s, size_t len)
{
	char *p;

	if (len == SIZE_MAX)
		return NULL;
	p = bedrock__malloc(len + 1);
	if (!p)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *bedrock__strdup(const char *s)
{
	return bedrock__strndup(s, strlen(s));
}
