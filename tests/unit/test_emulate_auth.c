/* The emulator's authentication: requests signed the way SDKs sign them
 * pass; every kind of wrong request gets Bedrock's error. */
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "emu_auth.h"

#define NOW 1795408000 /* 2026-11-23T04:26:40Z */
#define PATH "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"
#define BODY "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":10,\"messages\":[]}"

static emu_key keys[] = { { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" } };
static char *bearers[] = { "bedrock-api-key-good" };
static const emu_auth_config cfg = { keys, 1, bearers, 1, "us-east-1", 300 };

typedef struct {
	serve_header h[8];
	size_t n;
	char date[32], auth[512], token[64];
	serve_request req;
} signed_req;

/* Signs like a client would, with the public signer. */
static void client_sign(signed_req *s, const char *akid, const char *secret, const char *region,
			const char *service, int64_t when, const char *token, int double_encode)
{
	bedrock_sigv4_header sh[2] = { { "Host", 4, "bedrock-runtime.us-east-1.amazonaws.com", 39 },
				       { "Content-Type", 12, "application/json", 16 } };
	bedrock_sigv4_credentials cr = { akid, secret, token };
	bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_request rq;
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *add;
	size_t n, i;

	memset(s, 0, sizeof(*s));
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = PATH;
	rq.headers = sh;
	rq.header_count = 2;
	rq.body = BODY;
	rq.body_len = strlen(BODY);
	sc.region = region;
	sc.service = service;
	sc.signing_time = when;
	sc.double_encode_path = double_encode;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &sc, &cr, &rq), 0);
	s->h[s->n++] = (serve_header){ "host", "bedrock-runtime.us-east-1.amazonaws.com" };
	s->h[s->n++] = (serve_header){ "content-type", "application/json" };
	n = bedrock_sigv4_result_headers(&add, res);
	for (i = 0; i < n; i++) {
		char *dst;
		size_t cap;
		const char *name;

		if (!strncmp(add[i].name, "Authorization", add[i].name_len)) {
			dst = s->auth, cap = sizeof(s->auth), name = "authorization";
		} else if (!strncmp(add[i].name, "X-Amz-Date", add[i].name_len)) {
			dst = s->date, cap = sizeof(s->date), name = "x-amz-date";
		} else {
			dst = s->token, cap = sizeof(s->token), name = "x-amz-security-token";
		}
		snprintf(dst, cap, "%.*s", (int)add[i].value_len, add[i].value);
		s->h[s->n++] = (serve_header){ (char *)name, dst };
	}
	bedrock_sigv4_result_free(res);
	s->req = (serve_request){ "POST", PATH, "", s->h, s->n, (const uint8_t *)BODY, strlen(BODY),
				"127.0.0.1:1", 0, NULL };
}

static void expect(const serve_request *req, int64_t now, const char *type, const char *text)
{
	emu_auth_result r;

	if (!type) {
		if (emu_auth_check(&r, &cfg, req, now) != 0)
			fail_msg("expected success, got %s: %s", r.error_type, r.message);
		return;
	}
	assert_int_equal(emu_auth_check(&r, &cfg, req, now), -1);
	assert_int_equal(r.status, 403);
	assert_string_equal(r.error_type, type);
	if (!strstr(r.message, text))
		fail_msg("message '%s' lacks '%s'", r.message, text);
}

static void test_emulate_auth__sigv4(void **state)
{
	signed_req s;

	(void)state;
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock", NOW, NULL, 1);
	expect(&s.req, NOW, NULL, NULL);
	expect(&s.req, NOW + 299, NULL, NULL);
	/* With a session token, signed. */
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock", NOW, "tok", 1);
	assert_string_equal(s.token, "tok");
	expect(&s.req, NOW, NULL, NULL);

	client_sign(&s, "AKIDEXAMPLE", "wrong-secret", "us-east-1", "bedrock", NOW, NULL, 1);
	expect(&s.req, NOW, "InvalidSignatureException", "does not match the signature");
	client_sign(&s, "AKIDUNKNOWN", "x", "us-east-1", "bedrock", NOW, NULL, 1);
	expect(&s.req, NOW, "UnrecognizedClientException",
	       "The security token included in the request is invalid.");
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "eu-west-1", "bedrock", NOW, NULL, 1);
	expect(&s.req, NOW, "InvalidSignatureException", "valid region");
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock-runtime", NOW, NULL, 1);
	expect(&s.req, NOW, "InvalidSignatureException", "correct service: 'bedrock'");
	/* A signer that does not double-encode the path (curl --aws-sigv4) is refused. */
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock", NOW, NULL, 0);
	expect(&s.req, NOW, "InvalidSignatureException", "does not match");

	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock", NOW, NULL, 1);
	expect(&s.req, NOW + 301, "InvalidSignatureException",
	       "Signature expired: 20261123T042640Z is now earlier than 20261123T042641Z "
	       "(20261123T043141Z - 5 min.)");
	expect(&s.req, NOW - 400, "InvalidSignatureException", "Signature not yet current");
	/* A changed body no longer matches. */
	s.req.body = (const uint8_t *)"{}";
	s.req.body_len = 2;
	expect(&s.req, NOW, "InvalidSignatureException", "does not match");
}

static void test_emulate_auth__missing_and_bearer(void **state)
{
	serve_header h[2] = { { "host", "x" }, { "authorization", "Bearer bedrock-api-key-good" } };
	serve_request req = { "POST", "/model/x/invoke", "", h, 1, NULL, 0, "p", 0, NULL };

	(void)state;
	expect(&req, NOW, "MissingAuthenticationTokenException", "Missing Authentication Token");
	req.header_count = 2;
	expect(&req, NOW, NULL, NULL);
	h[1].value = "Bearer bedrock-api-key-bad";
	expect(&req, NOW, "UnrecognizedClientException", "invalid");
	h[1].value = "Basic abc";
	expect(&req, NOW, "IncompleteSignatureException", "Credential");
	h[1].value = "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/x, Signature=00";
	expect(&req, NOW, "IncompleteSignatureException", "SignedHeaders");
	/* The same answers from the head alone. */
	{
		emu_auth_result r;

		assert_int_equal(emu_auth_check_head(&r, &cfg, &req, NOW), -1);
		assert_string_equal(r.error_type, "IncompleteSignatureException");
		req.header_count = 1;
		assert_int_equal(emu_auth_check_head(&r, &cfg, &req, NOW), -1);
		assert_string_equal(r.error_type, "MissingAuthenticationTokenException");
	}
}

/* The head alone decides everything but the signature: what it refuses is
 * refused before the body, and a good head passes with no body at all. */
static void test_emulate_auth__head_only(void **state)
{
	emu_auth_result r;
	signed_req s;

	(void)state;
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "us-east-1", "bedrock", NOW, NULL, 1);
	s.req.body = NULL;
	s.req.body_len = 0;
	assert_int_equal(emu_auth_check_head(&r, &cfg, &s.req, NOW), 0);
	/* the full check sees the missing body */
	assert_int_equal(emu_auth_check(&r, &cfg, &s.req, NOW), -1);
	assert_int_equal(emu_auth_check_head(&r, &cfg, &s.req, NOW + 301), -1);
	assert_string_equal(r.error_type, "InvalidSignatureException");
	client_sign(&s, "AKIDUNKNOWN", "x", "us-east-1", "bedrock", NOW, NULL, 1);
	assert_int_equal(emu_auth_check_head(&r, &cfg, &s.req, NOW), -1);
	assert_string_equal(r.error_type, "UnrecognizedClientException");
	client_sign(&s, "AKIDEXAMPLE", keys[0].secret, "eu-west-1", "bedrock", NOW, NULL, 1);
	assert_int_equal(emu_auth_check_head(&r, &cfg, &s.req, NOW), -1);
}

static void test_emulate_auth__keys(void **state)
{
	emu_key k;

	(void)state;
	assert_int_equal(emu_key_parse(&k, "AKID:se:cret"), 0);
	assert_string_equal(k.access_key_id, "AKID");
	assert_string_equal(k.secret, "se:cret");
	emu_key_dispose(&k);
	assert_int_equal(emu_key_parse(&k, "nocolon"), -1);
	assert_int_equal(emu_key_parse(&k, ":x"), -1);
	assert_int_equal(emu_key_parse(&k, "x:"), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_auth__sigv4),
		cmocka_unit_test(test_emulate_auth__missing_and_bearer),
		cmocka_unit_test(test_emulate_auth__head_only),
		cmocka_unit_test(test_emulate_auth__keys),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
