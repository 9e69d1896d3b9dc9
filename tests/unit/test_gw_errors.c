/* Errors in each front's shape: Bedrock's {"message"} with
 * x-amzn-ErrorType and x-amzn-RequestId, the API's {"type":"error",...}
 * with request-id, Google's {"error":{code,message,status}} for the
 * gateway's own refusals on Vertex; upstream errors keep their type and
 * message word for word in their own vocabulary and are translated into
 * another's; retry-after. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "gw_translate.h"

static const char *header(const serve_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->header_count; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static void check(bedrock_platform front, gw_error_kind kind, const bedrock_error_info *up,
		  unsigned retry, int status, const char *body, const char *errtype)
{
	serve_response r;
	char got[1024];

	serve_response_init(&r, 500);
	assert_int_equal(gw_error_response(&r, front, kind, NULL, up, retry, "rid-1"), 0);
	assert_int_equal(r.status, status);
	assert_int_equal(r.piece_count, 1);
	snprintf(got, sizeof(got), "%.*s", (int)r.pieces[0].len, (const char *)r.pieces[0].data);
	if (strcmp(got, body))
		fail_msg("body %s, wanted %s", got, body);
	if (errtype) {
		assert_non_null(header(&r, "x-amzn-ErrorType"));
		assert_int_equal(strncmp(header(&r, "x-amzn-ErrorType"), errtype, strlen(errtype)), 0);
		assert_int_equal(header(&r, "x-amzn-ErrorType")[strlen(errtype)], ':');
		assert_string_equal(header(&r, "x-amzn-RequestId"), "rid-1");
	} else {
		assert_null(header(&r, "x-amzn-ErrorType"));
		/* the Anthropic and Vertex fronts name the gateway's request id too */
		assert_non_null(header(&r, "request-id"));
		assert_string_equal(header(&r, "request-id"), "rid-1");
	}
	if (retry)
		assert_non_null(header(&r, "retry-after"));
	else
		assert_null(header(&r, "retry-after"));
	serve_response_dispose(&r);
}

static void test_gw_errors__own(void **state)
{
	(void)state;
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_RATE_LIMITED, NULL, 7, 429,
	      "{\"message\":\"Too many requests for this key. Please try again later.\"}",
	      "ThrottlingException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_FORBIDDEN, NULL, 0, 403,
	      "{\"message\":\"The key is not allowed to do this.\"}", "AccessDeniedException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_NOT_FOUND, NULL, 0, 404,
	      "{\"message\":\"Not Found\"}", "ResourceNotFoundException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_UNAVAILABLE, NULL, 0, 503,
	      "{\"message\":\"The gateway cannot serve this now. Please try again later.\"}",
	      "ServiceUnavailableException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_TIMEOUT, NULL, 0, 504,
	      "{\"message\":\"The upstream did not answer in time.\"}", "ModelTimeoutException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_BAD_REQUEST, NULL, 0, 400,
	      "{\"message\":\"The request is not valid.\"}", "ValidationException");
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_INTERNAL, NULL, 0, 500,
	      "{\"message\":\"Internal server error\"}", "InternalServerException");

	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_RATE_LIMITED, NULL, 3, 429,
	      "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Too many "
	      "requests for this key. Please try again later.\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_UNAUTHENTICATED, NULL, 0, 401,
	      "{\"type\":\"error\",\"error\":{\"type\":\"authentication_error\",\"message\":\"No key "
	      "was given: send Authorization: Bearer KEY, x-api-key: KEY, or sign with a key pair "
	      "the gateway issued.\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_UNAVAILABLE, NULL, 0, 529,
	      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"The gateway "
	      "cannot serve this now. Please try again later.\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_METHOD, NULL, 0, 405,
	      "{\"type\":\"error\",\"error\":{\"type\":\"invalid_request_error\",\"message\":"
	      "\"Method Not Allowed\"},\"request_id\":\"rid-1\"}", NULL);

	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_RATE_LIMITED, NULL, 1, 429,
	      "{\"error\":{\"code\":429,\"message\":\"Too many requests for this key. Please try "
	      "again later.\",\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_UNAUTHENTICATED, NULL, 0, 401,
	      "{\"error\":{\"code\":401,\"message\":\"No key was given: send Authorization: Bearer "
	      "KEY, x-api-key: KEY, or sign with a key pair the gateway issued.\",\"status\":"
	      "\"UNAUTHENTICATED\"}}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_FORBIDDEN, NULL, 0, 403,
	      "{\"error\":{\"code\":403,\"message\":\"The key is not allowed to do this.\","
	      "\"status\":\"PERMISSION_DENIED\"}}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_NOT_FOUND, NULL, 0, 404,
	      "{\"error\":{\"code\":404,\"message\":\"Not Found\",\"status\":\"NOT_FOUND\"}}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_BAD_REQUEST, NULL, 0, 400,
	      "{\"error\":{\"code\":400,\"message\":\"The request is not valid.\",\"status\":"
	      "\"INVALID_ARGUMENT\"}}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_UNAVAILABLE, NULL, 0, 503,
	      "{\"error\":{\"code\":503,\"message\":\"The gateway cannot serve this now. Please try "
	      "again later.\",\"status\":\"UNAVAILABLE\"}}", NULL);
}

static bedrock_error_info upstream(const char *code, int status, const char *msg)
{
	bedrock_error_info e;

	memset(&e, 0, sizeof(e));
	snprintf(e.aws_code, sizeof(e.aws_code), "%s", code);
	snprintf(e.message, sizeof(e.message), "%s", msg);
	e.http_status = status;
	return e;
}

static void test_gw_errors__upstream(void **state)
{
	bedrock_error_info thr = upstream("ThrottlingException", 429, "Too many tokens, please wait "
					  "before trying again.");
	bedrock_error_info ovl = upstream("overloaded_error", 529, "Overloaded");
	bedrock_error_info goo = upstream("RESOURCE_EXHAUSTED", 429, "Quota exceeded for "
					  "aiplatform.googleapis.com/online_prediction_requests");
	bedrock_error_info none = upstream("", 0, "could not connect");

	(void)state;
	/* In its own vocabulary, word for word. */
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_UPSTREAM, &thr, 0, 429,
	      "{\"message\":\"Too many tokens, please wait before trying again.\"}",
	      "ThrottlingException");
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_UPSTREAM, &ovl, 0, 529,
	      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
	      "\"Overloaded\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_UPSTREAM, &goo, 0, 429,
	      "{\"error\":{\"code\":429,\"message\":\"Quota exceeded for aiplatform.googleapis.com/"
	      "online_prediction_requests\",\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL);
	/* Vertex relays the model's Anthropic-shaped errors as they are. */
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_UPSTREAM, &ovl, 0, 529,
	      "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":"
	      "\"Overloaded\"},\"request_id\":\"rid-1\"}", NULL);
	/* Translated: the API's 529 is Bedrock's 503; Bedrock's throttle is the
	 * API's rate_limit_error and Google's RESOURCE_EXHAUSTED. */
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_UPSTREAM, &ovl, 0, 503,
	      "{\"message\":\"Overloaded\"}", "ServiceUnavailableException");
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_UPSTREAM, &thr, 0, 429,
	      "{\"type\":\"error\",\"error\":{\"type\":\"rate_limit_error\",\"message\":\"Too many "
	      "tokens, please wait before trying again.\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_VERTEX, GW_ERR_UPSTREAM, &thr, 0, 429,
	      "{\"error\":{\"code\":429,\"message\":\"Too many tokens, please wait before trying "
	      "again.\",\"status\":\"RESOURCE_EXHAUSTED\"}}", NULL);
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_UPSTREAM, &goo, 0, 429,
	      "{\"message\":\"Quota exceeded for aiplatform.googleapis.com/"
	      "online_prediction_requests\"}", "ThrottlingException");
	/* No answer at all: a bad gateway. */
	check(BEDROCK_PLATFORM_ANTHROPIC, GW_ERR_UPSTREAM, &none, 0, 502,
	      "{\"type\":\"error\",\"error\":{\"type\":\"api_error\",\"message\":\"could not "
	      "connect\"},\"request_id\":\"rid-1\"}", NULL);
	check(BEDROCK_PLATFORM_BEDROCK, GW_ERR_BAD_GATEWAY, NULL, 0, 502,
	      "{\"message\":\"No upstream answered.\"}", "ServiceUnavailableException");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_errors__own),
		cmocka_unit_test(test_gw_errors__upstream),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
