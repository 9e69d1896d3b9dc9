/* Percent-encoding (RFC 3986 section 2.1): the one encoder SigV4 and the
 * request paths use, and the one decoder for the emulator's paths and
 * query strings. Pure: no I/O, and only the _buf form allocates. */
#ifndef BEDROCK_URLCODE_H
#define BEDROCK_URLCODE_H

#include <stddef.h>

#include "buf.h"

/* The value of hex digit c, either case; -1 if c is not one. */
int bedrock__hexval(int c);

/* Leave '/' as it is (a path rather than one segment or value). */
#define BEDROCK__URL_KEEP_SLASH 1u

/* Encodes in[0..len) as SigV4 wants it: every byte but the RFC 3986
 * unreserved ones (A-Z a-z 0-9 - . _ ~, and '/' with KEEP_SLASH) as %XX,
 * upper-case hex. Writes to out, with room for the result and a NUL,
 * unless out is NULL; returns the encoded length either way. */
size_t bedrock__url_encode(char *out, const char *in, size_t len, unsigned flags);
/* The same, appended to b (b->oom on allocation failure). */
void bedrock__url_encode_buf(bedrock_buf *b, const char *in, size_t len, unsigned flags);

/* Decodes s[0..len) into out[cap], NUL-terminated: %XX (either case)
 * becomes its byte, everything else (including '+') stays. 0, or -1 for a
 * '%' without two hex digits, a %00 (the result is a C string) or a result
 * that does not fit. */
int bedrock__url_decode(char *out, size_t cap, const char *s, size_t len);

/* name's value in a query string ("a=1&b=x%20y", no '?'), percent-decoded
 * into out[cap]: 1 if present, 0 if not, -1 if it does not decode or fit.
 * The first "name=" wins; a bare "name" is not a match. */
int bedrock__query_param(char *out, size_t cap, const char *query, const char *name);

#endif
