/* Errors in the front's own shape (gw_translate.h, gw_errmap.h), so each
 * official SDK raises its own class for them:
 *   Bedrock    {"message":…} + x-amzn-ErrorType (botocore and the AWS SDKs
 *              take the code from the header, up to a ':')
 *   Anthropic  {"type":"error","error":{"type","message"},"request_id"} +
 *              request-id (the SDKs pick the class by status)
 *   Vertex     Google's {"error":{"code","message","status"}} for the
 *              gateway's own refusals; an upstream's Anthropic-shaped error
 *              passes as it came (Vertex relays the model's own errors so).
 * Names and statuses are those the emulator's fronts use. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "gw_errmap.h"
#include "gw_translate.h"

static const struct {
	const char *bedrock, *bedrock_stream;
	int bedrock_status;
	const char *anthropic;
	int anthropic_status;
	const char *google;
	int google_code;
} classes[] = {
	[GW_EC_INVALID] = { "ValidationException", "validationException", 400,
			    "invalid_request_error", 400, "INVALID_ARGUMENT", 400 },
	[GW_EC_UNAUTHENTICATED] = { "MissingAuthenticationTokenException", "internalServerException",
				    403, "authentication_error", 401, "UNAUTHENTICATED", 401 },
	[GW_EC_FORBIDDEN] = { "AccessDeniedException", "internalServerException", 403,
			      "permission_error", 403, "PERMISSION_DENIED", 403 },
	[GW_EC_NOT_FOUND] = { "ResourceNotFoundException", "internalServerException", 404,
			      "not_found_error", 404, "NOT_FOUND", 404 },
	[GW_EC_TOO_LARGE] = { "ValidationException", "validationException", 413,
			      "request_too_large", 413, "INVALID_ARGUMENT", 413 },
	[GW_EC_THROTTLED] = { "ThrottlingException", "throttlingException", 429, "rate_limit_error",
			      429, "RESOURCE_EXHAUSTED", 429 },
	/* The API says "cannot serve now" with 529, never 503. */
	[GW_EC_OVERLOADED] = { "ServiceUnavailableException", "serviceUnavailableException", 503,
			       "overloaded_error", 529, "UNAVAILABLE", 503 },
	[GW_EC_TIMEOUT] = { "ModelTimeoutException", "modelTimeoutException", 408, "timeout_error",
			    504, "DEADLINE_EXCEEDED", 504 },
	[GW_EC_INTERNAL] = { "InternalServerException", "internalServerException", 500, "api_error",
			     500, "INTERNAL", 500 },
};

/* Every name a service uses, by class (Bedrock's compared case-blind: its
 * stream exceptions start lower-case). */
static const struct {
	const char *name;
	gw_err_class c;
} names[] = {
	{ "ValidationException", GW_EC_INVALID },
	{ "invalid_request_error", GW_EC_INVALID },
	{ "INVALID_ARGUMENT", GW_EC_INVALID },
	{ "FAILED_PRECONDITION", GW_EC_INVALID },
	{ "OUT_OF_RANGE", GW_EC_INVALID },
	{ "MissingAuthenticationTokenException", GW_EC_UNAUTHENTICATED },
	{ "UnrecognizedClientException", GW_EC_UNAUTHENTICATED },
	{ "authentication_error", GW_EC_UNAUTHENTICATED },
	{ "UNAUTHENTICATED", GW_EC_UNAUTHENTICATED },
	{ "AccessDeniedException", GW_EC_FORBIDDEN },
	{ "InvalidSignatureException", GW_EC_FORBIDDEN },
	{ "permission_error", GW_EC_FORBIDDEN },
	{ "PERMISSION_DENIED", GW_EC_FORBIDDEN },
	{ "ResourceNotFoundException", GW_EC_NOT_FOUND },
	{ "not_found_error", GW_EC_NOT_FOUND },
	{ "NOT_FOUND", GW_EC_NOT_FOUND },
	{ "request_too_large", GW_EC_TOO_LARGE },
	{ "ThrottlingException", GW_EC_THROTTLED },
	{ "rate_limit_error", GW_EC_THROTTLED },
	{ "RESOURCE_EXHAUSTED", GW_EC_THROTTLED },
	{ "ServiceUnavailableException", GW_EC_OVERLOADED },
	{ "ModelNotReadyException", GW_EC_OVERLOADED },
	{ "overloaded_error", GW_EC_OVERLOADED },
	{ "UNAVAILABLE", GW_EC_OVERLOADED },
	{ "ModelTimeoutException", GW_EC_TIMEOUT },
	{ "timeout_error", GW_EC_TIMEOUT },
	{ "DEADLINE_EXCEEDED", GW_EC_TIMEOUT },
	{ "InternalServerException", GW_EC_INTERNAL },
	{ "ModelStreamErrorException", GW_EC_INTERNAL },
	{ "ModelErrorException", GW_EC_INTERNAL },
	{ "api_error", GW_EC_INTERNAL },
	{ "INTERNAL", GW_EC_INTERNAL },
};

gw_err_class gw_err_classify(const char *type, int status)
{
	size_t i;

	for (i = 0; type && *type && i < sizeof(names) / sizeof(names[0]); i++)
		if (gw_err_vocabulary(names[i].name) == 1 ? !strcasecmp(type, names[i].name)
							   : !strcmp(type, names[i].name))
			return names[i].c;
	switch (status) {
	case 401: return GW_EC_UNAUTHENTICATED;
	case 403: return GW_EC_FORBIDDEN;
	case 404: return GW_EC_NOT_FOUND;
	case 408: case 504: return GW_EC_TIMEOUT;
	case 413: return GW_EC_TOO_LARGE;
	case 429: return GW_EC_THROTTLED;
	case 503: case 529: return GW_EC_OVERLOADED;
	default: return status >= 500 || status == 0 ? GW_EC_INTERNAL : GW_EC_INVALID;
	}
}

const char *gw_err_bedrock_name(gw_err_class c) { return classes[c].bedrock; }
const char *gw_err_bedrock_stream_name(gw_err_class c) { return classes[c].bedrock_stream; }
int gw_err_bedrock_status(gw_err_class c) { return classes[c].bedrock_status; }
const char *gw_err_anthropic_type(gw_err_class c) { return classes[c].anthropic; }
int gw_err_anthropic_status(gw_err_class c) { return classes[c].anthropic_status; }
const char *gw_err_google_status(gw_err_class c) { return classes[c].google; }
int gw_err_google_code(gw_err_class c) { return classes[c].google_code; }

int gw_err_vocabulary(const char *type)
{
	size_t n = type ? strlen(type) : 0, i;
	int upper = n > 0;

	if (n > 9 && !strcmp(type + n - 9, "Exception"))
		return 1;
	if ((n > 6 && !strcmp(type + n - 6, "_error")) || (type && !strcmp(type, "request_too_large")))
		return 2;
	for (i = 0; i < n; i++)
		if (!((type[i] >= 'A' && type[i] <= 'Z') || type[i] == '_'))
			upper = 0;
	return upper ? 3 : 0;
}

/* The gateway's own kinds: class and, where the kind says more than its
 * class, the status. */
static gw_err_class kind_class(gw_error_kind k)
{
	switch (k) {
	case GW_ERR_BAD_REQUEST: case GW_ERR_METHOD: return GW_EC_INVALID;
	case GW_ERR_UNAUTHENTICATED: return GW_EC_UNAUTHENTICATED;
	case GW_ERR_FORBIDDEN: return GW_EC_FORBIDDEN;
	case GW_ERR_NOT_FOUND: return GW_EC_NOT_FOUND;
	case GW_ERR_TOO_LARGE: return GW_EC_TOO_LARGE;
	case GW_ERR_RATE_LIMITED: return GW_EC_THROTTLED;
	case GW_ERR_UNAVAILABLE: return GW_EC_OVERLOADED;
	case GW_ERR_TIMEOUT: return GW_EC_TIMEOUT;
	default: return GW_EC_INTERNAL;
	}
}

static const char *kind_message(gw_error_kind k)
{
	switch (k) {
	case GW_ERR_BAD_REQUEST: return "The request is not valid.";
	case GW_ERR_UNAUTHENTICATED: return "No key was given: send Authorization: Bearer KEY, "
					    "x-api-key: KEY, or sign with a key pair the gateway issued.";
	case GW_ERR_FORBIDDEN: return "The key is not allowed to do this.";
	case GW_ERR_NOT_FOUND: return "Not Found";
	case GW_ERR_METHOD: return "Method Not Allowed";
	case GW_ERR_TOO_LARGE: return "The request body is too large.";
	case GW_ERR_RATE_LIMITED: return "Too many requests for this key. Please try again later.";
	case GW_ERR_BAD_GATEWAY: return "No upstream answered.";
	case GW_ERR_UNAVAILABLE: return "The gateway cannot serve this now. Please try again later.";
	case GW_ERR_TIMEOUT: return "The upstream did not answer in time.";
	default: return "Internal server error";
	}
}

/* The status a kind has whatever its class's on the front. */
static int kind_status(gw_error_kind k)
{
	switch (k) {
	case GW_ERR_METHOD: return 405;
	case GW_ERR_BAD_GATEWAY: return 502;
	case GW_ERR_TIMEOUT: return 504;
	default: return 0;
	}
}

static int bedrock_shape(serve_response *out, int status, const char *name, const char *message,
			 const char *rid)
{
	cJSON *o = cJSON_CreateObject();
	char full[160], *text = NULL;
	int rc = -1;

	out->status = status;
	/* Bedrock's form: the type, then the Coral namespace after a colon. */
	snprintf(full, sizeof(full), "%s:http://internal.amazon.com/coral/com.amazon.bedrock/", name);
	if (o && cJSON_AddStringToObject(o, "message", message) &&
	    (text = cJSON_PrintUnformatted(o)) &&
	    !serve_response_header(out, "Content-Type", "application/json") &&
	    !serve_response_header(out, "x-amzn-ErrorType", full) &&
	    (!rid || !serve_response_header(out, "x-amzn-RequestId", rid)) &&
	    !serve_response_piece(out, text, strlen(text), 0))
		rc = 0;
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}

static int anthropic_shape(serve_response *out, int status, const char *type, const char *message,
			   const char *rid)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char *text = NULL;
	int rc = -1;

	out->status = status;
	if (o && cJSON_AddStringToObject(o, "type", "error") &&
	    (e = cJSON_AddObjectToObject(o, "error")) && cJSON_AddStringToObject(e, "type", type) &&
	    cJSON_AddStringToObject(e, "message", message) &&
	    (!rid || cJSON_AddStringToObject(o, "request_id", rid)) &&
	    (text = cJSON_PrintUnformatted(o)) &&
	    !serve_response_header(out, "content-type", "application/json") &&
	    (!rid || !serve_response_header(out, "request-id", rid)) &&
	    !serve_response_piece(out, text, strlen(text), 0))
		rc = 0;
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}

static int google_shape(serve_response *out, int code, const char *status, const char *message,
			const char *rid)
{
	cJSON *o = cJSON_CreateObject(), *e;
	char *text = NULL;
	int rc = -1;

	out->status = code;
	if (o && (e = cJSON_AddObjectToObject(o, "error")) &&
	    cJSON_AddNumberToObject(e, "code", code) &&
	    cJSON_AddStringToObject(e, "message", message) &&
	    cJSON_AddStringToObject(e, "status", status) && (text = cJSON_PrintUnformatted(o)) &&
	    !serve_response_header(out, "content-type", "application/json; charset=UTF-8") &&
	    (!rid || !serve_response_header(out, "request-id", rid)) &&
	    !serve_response_piece(out, text, strlen(text), 0))
		rc = 0;
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}

int gw_error_response(serve_response *out, bedrock_platform front, gw_error_kind kind,
		      const char *message, const bedrock_error_info *upstream_err,
		      unsigned retry_after_s, const char *request_id)
{
	const char *type = NULL;
	gw_err_class c = kind_class(kind);
	int status = kind_status(kind), vocab = 0, rc;

	if (request_id && !*request_id)
		request_id = NULL;
	if (kind == GW_ERR_UPSTREAM && upstream_err) {
		type = upstream_err->aws_code;
		vocab = gw_err_vocabulary(type);
		c = gw_err_classify(type, upstream_err->http_status);
		/* 0: no answer came (a transport failure): a bad gateway. */
		status = upstream_err->http_status;
		if (!message)
			message = upstream_err->message[0] ? upstream_err->message
							    : "The upstream failed.";
	}
	if (!message)
		message = kind_message(kind);
	switch (front) {
	case BEDROCK_PLATFORM_BEDROCK:
		if (kind == GW_ERR_UPSTREAM)
			/* Bedrock's own words stay; another platform's are translated
			 * (a 529 overloaded_error is Bedrock's 503). */
			rc = bedrock_shape(out, vocab == 1 && status ? status
					   : status ? gw_err_bedrock_status(c) : 502,
					   vocab == 1 ? type : gw_err_bedrock_name(c), message,
					   request_id);
		else
			rc = bedrock_shape(out, status ? status : gw_err_bedrock_status(c),
					   kind == GW_ERR_METHOD ? "UnknownOperationException"
					   : kind == GW_ERR_BAD_GATEWAY ? "ServiceUnavailableException"
					   : gw_err_bedrock_name(c), message, request_id);
		break;
	case BEDROCK_PLATFORM_ANTHROPIC:
		if (kind == GW_ERR_UPSTREAM)
			rc = anthropic_shape(out, vocab == 2 && status ? status
					     : status ? gw_err_anthropic_status(c) : 502,
					     vocab == 2 ? type : gw_err_anthropic_type(c), message,
					     request_id);
		else
			rc = anthropic_shape(out, status ? status : gw_err_anthropic_status(c),
					     gw_err_anthropic_type(c), message, request_id);
		break;
	case BEDROCK_PLATFORM_VERTEX:
		if (kind == GW_ERR_UPSTREAM && vocab == 2)
			/* The model's own error, as Vertex relays it. */
			rc = anthropic_shape(out, status ? status : gw_err_anthropic_status(c), type,
					     message, request_id);
		else if (kind == GW_ERR_UPSTREAM && vocab == 3)
			rc = google_shape(out, status ? status : gw_err_google_code(c), type, message,
					  request_id);
		else
			rc = google_shape(out, kind != GW_ERR_UPSTREAM && status ? status
					  : gw_err_google_code(c), gw_err_google_status(c), message,
					  request_id);
		break;
	default:
		rc = -1;
	}
	if (!rc && retry_after_s) {
		char v[16];

		snprintf(v, sizeof(v), "%u", retry_after_s);
		rc = serve_response_header(out, "retry-after", v);
	}
	return rc;
}
