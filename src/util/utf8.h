/* UTF-8 validation (RFC 3629): what may go into JSON text as it is. */
#ifndef BEDROCK_UTF8_H
#define BEDROCK_UTF8_H

#include <stddef.h>

/* The offset of the first byte that does not start a well-formed sequence
 * (a NUL counts as bad: C strings and JSON text cannot hold it as is),
 * len if there is none. Overlong forms, UTF-16 surrogates, code points
 * above U+10FFFF and a sequence cut short by len are bad. */
size_t bedrock__utf8_check(const void *data, size_t len);
/* 1 if bedrock__utf8_check finds nothing bad. */
int bedrock__utf8_valid(const void *data, size_t len);

#endif
