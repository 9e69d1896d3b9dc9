/* The Anthropic API's retry rules, as its official SDKs apply them. */
#ifndef BEDROCK_ANTHROPIC_RETRY_H
#define BEDROCK_ANTHROPIC_RETRY_H

#include "buf.h"

/* 1 if an answer of this status should be retried: the server's
 * x-should-retry (true or false) when present, else 408, 409, 429 and 5xx
 * (529 overloaded_error too). headers may be NULL. */
int bedrock__anthropic_retryable(int status, const bedrock_buf *headers);
/* The wait the server asked for (retry-after-ms, else retry-after in
 * seconds or as an HTTP date), in ms, when it is one to honour (more than
 * 0, at most a minute); else -1: the usual back-off. */
long long bedrock__anthropic_retry_wait(const bedrock_buf *headers);

#endif
