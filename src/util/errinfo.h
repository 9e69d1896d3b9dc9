/* Filling a caller's bedrock_error_info. */
#ifndef BEDROCK_ERRINFO_H
#define BEDROCK_ERRINFO_H

#include "bedrock/errors.h"

#if defined(__GNUC__)
#define BEDROCK__PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define BEDROCK__PRINTF(a, b)
#endif

/* Sets err (if not NULL) to code and the formatted message, clearing the
 * other fields; returns code so callers can `return bedrock__err(...)`. */
int bedrock__err(bedrock_error_info *err, int code, const char *fmt, ...)
	BEDROCK__PRINTF(3, 4);
/* Prefixes err->message with "what: ", keeping the rest. */
void bedrock__err_prefix(bedrock_error_info *err, const char *what);

#endif
