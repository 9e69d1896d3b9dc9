/* STS calls for the assume-role and web-identity providers: query
 * protocol over HTTPS, XML answers parsed with expat. */
#ifndef BEDROCK_STS_H
#define BEDROCK_STS_H

#include "bedrock/config.h"
#include "bedrock/credentials.h"

/* Parses an STS response body: the Credentials of an AssumeRole* result,
 * or the Code and Message of an ErrorResponse (returned as BEDROCK_EAUTH
 * or BEDROCK_EHTTP with err->aws_code set). Pure: fuzzed. */
int bedrock__sts_parse(bedrock_credentials **out, const char *provider, long status,
		       const char *xml, size_t len, bedrock_error_info *err);

/* Calls STS. form: the url-encoded body ("Action=...&..."). creds: the
 * caller's credentials to sign with, or NULL for the unsigned
 * AssumeRoleWithWebIdentity. The endpoint is AWS_ENDPOINT_URL_STS & co.,
 * else sts.<region>.amazonaws.com, else the global endpoint. */
int bedrock__sts_call(bedrock_credentials **out, const char *provider, bedrock_config *cfg,
		      const char *form, const bedrock_credentials *creds,
		      bedrock_error_info *err);

#endif
