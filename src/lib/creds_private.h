/* Internal parts shared by the credential providers. */
#ifndef BEDROCK_CREDS_PRIVATE_H
#define BEDROCK_CREDS_PRIVATE_H

#include "bedrock/credentials.h"

/* Like bedrock_credentials_new, also naming the provider (a static
 * string) and the account id (optional). */
int bedrock__credentials_make(bedrock_credentials **out, const char *provider,
			      const char *access_key_id, const char *secret_access_key,
			      const char *session_token, const char *account_id,
			      int64_t expiration, bedrock_error_info *err);

/* 1 if s contains CR or LF (never allowed in a header value). */
int bedrock__has_crlf(const char *s);

#endif
