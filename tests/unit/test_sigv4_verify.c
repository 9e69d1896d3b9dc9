/* bedrock_sigv4_verify: requests signed by the library's signer verify;
 * each verdict comes with AWS's error type; the head check stops where
 * the body starts; repeated headers, session tokens (signed or not), the
 * query and :authority are handled as signing handles them. */
#include <stdio.h>
#include <string.h>

#include "harness.h"

#define NOW 1795408000 /* 2026-11-23T04:26:40Z */
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define BODY "{\"max_tokens\":1}"

typedef struct {
	bedrock_sigv4_header h[16];
	size_t n;
	char names[16][64], values[16][512];
	bedrock_sigv4_request req;
} request;

static void add(request *r, const char *name, const char *value)
{
	size_t i = r->n++;

	snprintf(r->names[i], sizeof(r->names[i]), "%s", name);
	snprintf(r->values[i], sizeof(r->values[i]), "%s", value);
	r->h[i] = (bedrock_sigv4_header){ r->names[i], strlen(r->names[i]), r->values[i],
					  strlen(r->values[i]) };
	r->req.header_count = r->n;
}

static void init(request *r, const char *query)
{
	memset(r, 0, sizeof(*r));
	r->req.method = "POST";
	r->req.path = "/model/m%3A0/invoke";
	r->req.query = query;
	r->req.headers = r->h;
	r->req.body = BODY;
	r->req.body_len = strlen(BODY);
	add(r, "Host", "bedrock-runtime.us-east-1.amazonaws.com");
	add(r, "X-Custom", "a");
	add(r, "x-custom", "b");
}

/* Signs r's current headers and appends what the signer adds. */
static void sign(request *r, const char *akid, const char *secret, const char *region,
		 const char *token, int omit_token, int sign_body, int64_t when)
{
	bedrock_sigv4_credentials cr = { akid, secret, token };
	bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *out;
	size_t n, i;
	char name[64], value[512];

	sc.region = region;
	sc.signing_time = when;
	sc.omit_session_token = omit_token;
	sc.sign_body = sign_body;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &sc, &cr, &r->req), 0);
	n = bedrock_sigv4_result_headers(&out, res);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%.*s", (int)out[i].name_len, out[i].name);
		snprintf(value, sizeof(value), "%.*s", (int)out[i].value_len, out[i].value);
		add(r, name, value);
	}
	bedrock_sigv4_result_free(res);
}

static const char *secret_of(const char *akid, void *payload)
{
	int *calls = payload;

	(*calls)++;
	return !strcmp(akid, "AKIDEXAMPLE") ? SECRET : NULL;
}

static int calls;

static int verify(bedrock_sigv4_verification *v, const request *r, const char *region,
		  int64_t now, int head)
{
	bedrock_sigv4_verify_options o = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;

	o.region = region;
	o.now = now;
	o.secret = secret_of;
	o.payload = &calls;
	return head ? bedrock_sigv4_verify_head(v, &o, &r->req) : bedrock_sigv4_verify(v, &o, &r->req);
}

static void refused(const request *r, int64_t now, bedrock_sigv4_verdict want, const char *type,
		    const char *text)
{
	bedrock_sigv4_verification v;

	assert_int_equal(verify(&v, r, "us-east-1", now, 0), BEDROCK_EAUTH);
	assert_int_equal(v.verdict, want);
	assert_string_equal(v.error_type, type);
	if (!strstr(v.message, text))
		fail_msg("message \"%s\" lacks \"%s\"", v.message, text);
	if (strstr(v.message, SECRET))
		fail_msg("message quotes the secret");
}

static void test_sigv4_verify__good(void **state)
{
	bedrock_sigv4_verification v;
	request r;

	(void)state;
	init(&r, "b=2&a=1");
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	calls = 0;
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), 0);
	assert_int_equal(calls, 1);
	assert_int_equal(v.verdict, BEDROCK_SIGV4_OK);
	assert_string_equal(v.error_type, "");
	assert_string_equal(v.access_key_id, "AKIDEXAMPLE");
	assert_string_equal(v.region, "us-east-1");
	assert_string_equal(v.service, "bedrock");
	assert_int_equal(v.signing_time, NOW);
	/* any region when none is required */
	assert_int_equal(verify(&v, &r, NULL, NOW, 0), 0);
	/* the head alone, without the body */
	r.req.body = NULL;
	r.req.body_len = 0;
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 1), 0);
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), BEDROCK_EAUTH);
	assert_int_equal(v.verdict, BEDROCK_SIGV4_BAD_SIGNATURE);

	/* session tokens, signed and sent-but-unsigned */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", "tok-1", 0, 0, NOW);
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), 0);
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", "tok-1", 1, 0, NOW);
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), 0);
	/* a signed token changed in transit */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", "tok-1", 0, 0, NOW);
	snprintf(r.values[3], sizeof(r.values[3]), "tok-2");
	assert_string_equal(r.names[3], "X-Amz-Security-Token");
	refused(&r, NOW, BEDROCK_SIGV4_BAD_SIGNATURE, "InvalidSignatureException", "does not match");

	/* the content hash header, signed */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 1, NOW);
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), 0);
	r.req.body = "{}";
	r.req.body_len = 2;
	refused(&r, NOW, BEDROCK_SIGV4_BAD_CONTENT_SHA256, "ValidationException",
		"'x-amz-content-sha256' header does not match");

	/* HTTP/2: the signed host arrives as :authority */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	snprintf(r.names[0], sizeof(r.names[0]), ":authority");
	r.h[0].name_len = 10;
	assert_int_equal(verify(&v, &r, "us-east-1", NOW, 0), 0);
}

static void test_sigv4_verify__refused(void **state)
{
	request r;

	(void)state;
	init(&r, NULL);
	refused(&r, NOW, BEDROCK_SIGV4_MISSING, "MissingAuthenticationTokenException",
		"Missing Authentication Token");
	add(&r, "Authorization", "Bearer x");
	refused(&r, NOW, BEDROCK_SIGV4_MALFORMED, "IncompleteSignatureException", "Credential");
	init(&r, NULL);
	add(&r, "authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/"
	    "bedrock/aws4_request, SignedHeaders=host");
	refused(&r, NOW, BEDROCK_SIGV4_MALFORMED, "IncompleteSignatureException", "Signature");
	init(&r, NULL);
	add(&r, "authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20261123/us-east-1/"
	    "bedrock, SignedHeaders=host, Signature=00");
	refused(&r, NOW, BEDROCK_SIGV4_MALFORMED, "IncompleteSignatureException",
		"Credential is malformed.");
	init(&r, NULL);
	add(&r, "authorization", "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE//us-east-1/"
	    "bedrock/aws4_request, SignedHeaders=host, Signature=00");
	refused(&r, NOW, BEDROCK_SIGV4_MALFORMED, "IncompleteSignatureException",
		"Credential is malformed.");

	init(&r, NULL);
	sign(&r, "AKIDOTHER", SECRET, "us-east-1", NULL, 0, 0, NOW);
	refused(&r, NOW, BEDROCK_SIGV4_UNKNOWN_KEY, "UnrecognizedClientException",
		"The security token included in the request is invalid.");
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "eu-west-1", NULL, 0, 0, NOW);
	refused(&r, NOW, BEDROCK_SIGV4_WRONG_REGION, "InvalidSignatureException",
		"Credential should be scoped to a valid region.");
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", "not-the-secret", "us-east-1", NULL, 0, 0, NOW);
	refused(&r, NOW, BEDROCK_SIGV4_BAD_SIGNATURE, "InvalidSignatureException",
		"The request signature we calculated does not match");
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	refused(&r, NOW + 301, BEDROCK_SIGV4_EXPIRED, "InvalidSignatureException",
		"Signature expired: 20261123T042640Z is now earlier than 20261123T042641Z "
		"(20261123T043141Z - 5 min.)");
	refused(&r, NOW - 301, BEDROCK_SIGV4_NOT_YET_VALID, "InvalidSignatureException",
		"Signature not yet current: 20261123T042640Z is still later than "
		"20261123T042639Z (20261123T042139Z + 5 min.)");
	/* the date header and the scope disagree */
	snprintf(r.values[3], sizeof(r.values[3]), "20261124T000000Z");
	assert_string_equal(r.names[3], "X-Amz-Date");
	refused(&r, NOW, BEDROCK_SIGV4_DATE_MISMATCH, "InvalidSignatureException",
		"Date in Credential scope does not match");
	snprintf(r.values[3], sizeof(r.values[3]), "2026-11-23T04:26:40Z");
	refused(&r, NOW, BEDROCK_SIGV4_BAD_DATE, "IncompleteSignatureException", "X-Amz-Date");
	/* a repeated header's order is part of what was signed */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	snprintf(r.values[1], sizeof(r.values[1]), "b");
	snprintf(r.values[2], sizeof(r.values[2]), "a");
	refused(&r, NOW, BEDROCK_SIGV4_BAD_SIGNATURE, "InvalidSignatureException", "does not match");
	/* a query added after signing */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	r.req.query = "a=1";
	refused(&r, NOW, BEDROCK_SIGV4_BAD_SIGNATURE, "InvalidSignatureException", "does not match");
	/* a hash header that is no hash */
	init(&r, NULL);
	sign(&r, "AKIDEXAMPLE", SECRET, "us-east-1", NULL, 0, 0, NOW);
	add(&r, "X-Amz-Content-Sha256", "UNSIGNED-PAYLOAD");
	refused(&r, NOW, BEDROCK_SIGV4_BAD_CONTENT_SHA256, "ValidationException",
		"x-amz-content-sha256 must be");
}

static void test_sigv4_verify__args(void **state)
{
	bedrock_sigv4_verify_options o = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;
	bedrock_sigv4_verification v;
	request r;

	(void)state;
	init(&r, NULL);
	assert_int_equal(bedrock_sigv4_verify(&v, &o, &r.req), BEDROCK_EINVAL);	/* no secret */
	o.secret = secret_of;
	o.payload = &calls;
	assert_int_equal(bedrock_sigv4_verify(NULL, &o, &r.req), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_verify(&v, NULL, &r.req), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_verify(&v, &o, NULL), BEDROCK_EINVAL);
	o.version = 99;
	assert_int_equal(bedrock_sigv4_verify_head(&v, &o, &r.req), BEDROCK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sigv4_verify__good),
		cmocka_unit_test(test_sigv4_verify__refused),
		cmocka_unit_test(test_sigv4_verify__args),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
