#include <string.h>

#include "harness.h"
#include "buf.h"
#include "client_private.h"

static void test_error__every_code_has_a_message(void **state)
{
	int code;

	(void)state;
	for (code = BEDROCK_OK; code >= BEDROCK_ENOTSUP; code--) {
		assert_string_not_equal(bedrock_strerror(code), "unknown error");
		assert_string_not_equal(bedrock_error_name(code), "BEDROCK_EUNKNOWN");
	}
	assert_string_equal(bedrock_strerror(1), "unknown error");
	assert_string_equal(bedrock_strerror(-1000), "unknown error");
	assert_string_equal(bedrock_error_name(BEDROCK_EPROTOCOL), "BEDROCK_EPROTOCOL");
}

static void test_error__codes_are_stable(void **state)
{
	(void)state;
	/* Append-only: these values are ABI. */
	assert_int_equal(BEDROCK_ITEROVER, -1);
	assert_int_equal(BEDROCK_EAGAIN, -2);
	assert_int_equal(BEDROCK_EPROTOCOL, -5);
	assert_int_equal(BEDROCK_ECONFIG, -13);
	assert_int_equal(BEDROCK_ENOTFOUND, -14);
	assert_int_equal(BEDROCK_ECANCELED, -15);
	assert_int_equal(BEDROCK_ENOTSUP, -16);
}

static void test_error__version(void **state)
{
	(void)state;
	assert_string_equal(bedrock_version(), BEDROCK_VERSION);
}

/* An HTTP error without a body that says what it is (a proxy's 413, a
 * bare 502) names its status and reason, not just "HTTP error". */
static void test_error__bodiless_http_error_names_the_status(void **state)
{
	bedrock_buf h = BEDROCK_BUF_INIT;
	bedrock_error_info err;
	struct bedrock_client c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.request_id_header = "x-amzn-requestid";
	assert_int_equal(bedrock__client_http_error(&err, &c, 413, &h, NULL, 0), BEDROCK_EHTTP);
	assert_string_equal(err.message, "HTTP 413 Payload Too Large");
	assert_int_equal(err.http_status, 413);
	assert_string_equal(err.aws_code, "");
	bedrock__client_http_error(&err, &c, 502, &h, "<html>Bad Gateway</html>", 24);
	assert_string_equal(err.message, "HTTP 502 Bad Gateway");
	bedrock__client_http_error(&err, &c, 599, &h, "", 0);
	assert_string_equal(err.message, "HTTP 599");
	/* A body that speaks still wins. */
	bedrock__client_http_error(&err, &c, 413, &h, "{\"message\":\"too big\"}", 21);
	assert_string_equal(err.message, "too big");
}

/* The Anthropic API's error shape: the type, the message and request-id
 * kept; retryable by the SDKs' rule (529, x-should-retry). */
static void test_error__anthropic_shape(void **state)
{
	static const char body[] = "{\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\","
				   "\"message\":\"Overloaded\"},\"request_id\":\"req_1\"}";
	bedrock_buf h = BEDROCK_BUF_INIT;
	bedrock_error_info err;
	struct bedrock_client c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.platform = BEDROCK_PLATFORM_ANTHROPIC;
	c.request_id_header = "request-id";
	bedrock__header_line(&h, "request-id: req_011CXYZ\r\n", 25);
	assert_int_equal(bedrock__client_http_error(&err, &c, 529, &h, body, sizeof(body) - 1),
			 BEDROCK_EHTTP);
	assert_string_equal(err.aws_code, "overloaded_error");
	assert_string_equal(err.message, "Overloaded");
	assert_string_equal(err.request_id, "req_011CXYZ");
	assert_int_equal(err.http_status, 529);
	assert_int_equal(err.retryable, 1);
	assert_int_equal(bedrock__client_http_error(&err, &c, 429, &h, body, sizeof(body) - 1),
			 BEDROCK_ETHROTTLED);
	assert_int_equal(err.retryable, 1);
	assert_int_equal(bedrock__client_http_error(&err, &c, 400, &h, body, sizeof(body) - 1),
			 BEDROCK_EHTTP);
	assert_int_equal(err.retryable, 0);
	bedrock__header_line(&h, "x-should-retry: true\r\n", 22);
	bedrock__client_http_error(&err, &c, 400, &h, body, sizeof(body) - 1);
	assert_int_equal(err.retryable, 1);
	assert_int_equal(bedrock__client_http_error(&err, &c, 401, &h, body, sizeof(body) - 1),
			 BEDROCK_EAUTH);
	bedrock__buf_dispose(&h);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_error__every_code_has_a_message),
		cmocka_unit_test(test_error__codes_are_stable),
		cmocka_unit_test(test_error__version),
		cmocka_unit_test(test_error__bodiless_http_error_names_the_status),
		cmocka_unit_test(test_error__anthropic_shape),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
