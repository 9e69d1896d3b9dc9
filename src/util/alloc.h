/* Internal allocation wrappers: everything the library allocates goes
 * through the hook set by bedrock_set_allocator(). */
#ifndef BEDROCK_ALLOC_H
#define BEDROCK_ALLOC_H

#include <stddef.h>

void *bedrock__malloc(size_t size);
/* Overflow-checked: the user's allocator may not check n * size. */
void *bedrock__calloc(size_t n, size_t size);
void *bedrock__realloc(void *ptr, size_t size);
void bedrock__free(void *ptr);
char *bedrock__strndup(const char *s, size_t len);
char *bedrock__strdup(const char *s);

#endif
