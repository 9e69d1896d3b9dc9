/* One table of error names across the three fronts, for gw_errors.c's
 * responses and gw_reframe.c's in-stream errors: Bedrock's exception
 * names, the Anthropic API's error types, Google's status words. The
 * emulator's fronts (the src/emulate fronts) answer with the same names
 * for the same conditions; they keep their own copies because programs
 * may not include one another's headers (scripts/check-layers.py). */
#ifndef BEDROCK_GW_ERRMAP_H
#define BEDROCK_GW_ERRMAP_H

/* What a service's error type means, whoever named it. */
typedef enum gw_err_class {
	GW_EC_INVALID = 0,	/* ValidationException, invalid_request_error, INVALID_ARGUMENT */
	GW_EC_UNAUTHENTICATED,
	GW_EC_FORBIDDEN,
	GW_EC_NOT_FOUND,
	GW_EC_TOO_LARGE,
	GW_EC_THROTTLED,
	GW_EC_OVERLOADED,	/* ServiceUnavailableException, overloaded_error, UNAVAILABLE */
	GW_EC_TIMEOUT,
	GW_EC_INTERNAL
} gw_err_class;

/* The class of a type name from any platform, or, when the name says
 * nothing (empty, unknown), of the HTTP status. */
gw_err_class gw_err_classify(const char *type, int status);

/* The names and statuses of a class on each front. */
const char *gw_err_bedrock_name(gw_err_class c);	/* "ThrottlingException" */
const char *gw_err_bedrock_stream_name(gw_err_class c);	/* "throttlingException" */
int gw_err_bedrock_status(gw_err_class c);
const char *gw_err_anthropic_type(gw_err_class c);	/* "rate_limit_error" */
int gw_err_anthropic_status(gw_err_class c);
const char *gw_err_google_status(gw_err_class c);	/* "RESOURCE_EXHAUSTED" */
int gw_err_google_code(gw_err_class c);

/* Which platform's vocabulary a type name is in: 1 Bedrock ("...Exception"),
 * 2 Anthropic ("..._error", "request_too_large"), 3 Google ("UPPER_CASE"),
 * 0 none. */
int gw_err_vocabulary(const char *type);

#endif
