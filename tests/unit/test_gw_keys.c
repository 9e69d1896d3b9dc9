/* The gateway's client authentication: Bearer, x-api-key (in clear and as
 * SHA-256), SigV4 signed by the library's signer and by botocore, every
 * way of being refused, and the constant-time path: every configured key
 * is compared whichever matched. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "gw_config.h"
#include "gw_keys.h"
#include "gw_keys_private.h"

#define NOW 1795408000 /* 2026-11-23T04:26:40Z */
#define PATH "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"
#define BODY "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":10,\"messages\":[]}"
#define BOT_SECRET "gateway-issued-s3cr3t"

static gw_config *cfg;
static char bob_sha[65];	/* SHA-256("gw-bob-s3cr3t") in hex, as configured */

static int setup(void **state)
{
	char text[1024], err[256];
	FILE *p;

	(void)state;
	/* the digest of bob's key, from sha256sum as a user would make it */
	p = popen("printf %s gw-bob-s3cr3t | sha256sum", "r");
	assert_non_null(p);
	assert_non_null(fgets(bob_sha, sizeof(bob_sha), p));
	pclose(p);
	assert_int_equal(strlen(bob_sha), 64);
	snprintf(text, sizeof(text),
		 "upstreams:\n  - platform: bedrock\n    region: us-east-1\n"
		 "keys:\n"
		 "  - name: alice\n    key: gw-alice-s3cr3t\n"
		 "  - name: bob\n    key_sha256: %s\n"
		 "  - name: bot\n    aws_access_key_id: AKIAGATEWAYBOT\n"
		 "    aws_secret_access_key: " BOT_SECRET "\n"
		 "  - name: carol\n    key: gw-carol-s3cr3t\n"
		 "    aws_access_key_id: AKIACAROL\n    aws_secret_access_key: carol-s3cr3t\n",
		 bob_sha);
	if (gw_config_parse(&cfg, text, strlen(text), "keys.yaml", err, sizeof(err)))
		fail_msg("%s", err);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	gw_config_unref(cfg);
	return 0;
}

typedef struct {
	serve_header h[12];
	size_t n;
	char names[12][64], values[12][512];
	serve_request req;
} request;

static void req_init(request *r, const char *body)
{
	memset(r, 0, sizeof(*r));
	r->h[r->n++] = (serve_header){ "host", "gateway.example:8080" };
	r->h[r->n++] = (serve_header){ "content-type", "application/json" };
	r->req = (serve_request){ "POST", PATH, "", r->h, 0, (const uint8_t *)body,
				  body ? strlen(body) : 0, "127.0.0.1:1", 0, NULL };
	r->req.header_count = r->n;
}

static void add(request *r, const char *name, const char *value)
{
	size_t i = r->n;

	assert_true(i < 12);
	snprintf(r->names[i], sizeof(r->names[i]), "%s", name);
	snprintf(r->values[i], sizeof(r->values[i]), "%s", value);
	r->h[r->n++] = (serve_header){ r->names[i], r->values[i] };
	r->req.header_count = r->n;
}

/* Signs r like a client with the public signer (host and content-type
 * signed). */
static void sign(request *r, const char *akid, const char *secret, const char *region,
		 const char *service, int64_t when, int sign_body)
{
	bedrock_sigv4_header sh[2] = { { "host", 4, "gateway.example:8080", 20 },
				       { "content-type", 12, "application/json", 16 } };
	bedrock_sigv4_credentials cr = { akid, secret, NULL };
	bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_request rq;
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *out;
	size_t n, i;

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
	sc.sign_body = sign_body;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &sc, &cr, &rq), 0);
	n = bedrock_sigv4_result_headers(&out, res);
	for (i = 0; i < n; i++) {
		char name[64], value[512];
		size_t k;

		snprintf(name, sizeof(name), "%.*s", (int)out[i].name_len, out[i].name);
		for (k = 0; name[k]; k++)
			name[k] = (char)(name[k] >= 'A' && name[k] <= 'Z' ? name[k] + 32 : name[k]);
		snprintf(value, sizeof(value), "%.*s", (int)out[i].value_len, out[i].value);
		/* header names as a server hands them on: lower case */
		if (!strcmp(name, "x-amz-date"))
			add(r, "x-amz-date", value);
		else if (!strcmp(name, "authorization"))
			add(r, "authorization", value);
		else if (!strcmp(name, "x-amz-content-sha256"))
			add(r, "x-amz-content-sha256", value);
	}
	bedrock_sigv4_result_free(res);
}

static void refused(const gw_auth *a, int status, const char *reason)
{
	assert_null(a->key);
	assert_int_equal(a->status, status);
	assert_string_equal(a->reason, reason);
	if (strstr(a->message, "s3cr3t"))
		fail_msg("message quotes a secret: %s", a->message);
}

static void test_gw_keys__bearer_and_x_api_key(void **state)
{
	request r;
	gw_auth a;

	(void)state;
	req_init(&r, BODY);
	add(&r, "authorization", "Bearer gw-alice-s3cr3t");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "alice");
	/* the body check of a bearer request is its head's */
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "alice");

	req_init(&r, BODY);
	add(&r, "authorization", "bearer gw-carol-s3cr3t");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "carol");

	/* bob's key is stored as its SHA-256 only */
	req_init(&r, BODY);
	add(&r, "x-api-key", "gw-bob-s3cr3t");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "bob");

	req_init(&r, BODY);
	add(&r, "x-api-key", "gw-alice-s3cr3t");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "alice");
}

static void test_gw_keys__refused(void **state)
{
	request r;
	gw_auth a;

	(void)state;
	req_init(&r, BODY);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 401, "missing");
	assert_non_null(strstr(a.message, "Bearer"));

	req_init(&r, BODY);
	add(&r, "authorization", "Bearer gw-alice-s3cr3T");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "unknown key");

	req_init(&r, BODY);
	add(&r, "x-api-key", "gw-alice-s3cr3");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "unknown key");

	/* a stored hash is not a key: sending it gets nothing */
	req_init(&r, BODY);
	add(&r, "x-api-key", bob_sha);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "unknown key");

	/* a key pair's secret is not a bearer key */
	req_init(&r, BODY);
	add(&r, "authorization", "Bearer " BOT_SECRET);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "unknown key");

	req_init(&r, BODY);
	add(&r, "authorization", "Bearer ");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 401, "missing");

	req_init(&r, BODY);
	add(&r, "authorization", "Basic YWxpY2U6czNjcjN0");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 401, "unsupported scheme");
}

/* Every configured key is compared, whichever matched and when none did:
 * the loop never ends early. */
static void test_gw_keys__constant_time_path(void **state)
{
	static const char *const presented[] = { "gw-alice-s3cr3t", "gw-carol-s3cr3t",
						 "gw-bob-s3cr3t", "nobody", "gw-alice-s3cr3" };
	unsigned long before;
	size_t i;
	int nomem;

	(void)state;
	for (i = 0; i < sizeof(presented) / sizeof(*presented); i++) {
		const gw_key *k;

		before = gw_keys__compares;
		k = gw_keys__match(cfg, presented[i], &nomem);
		assert_int_equal(nomem, 0);
		assert_int_equal(gw_keys__compares - before, cfg->key_count);
		assert_true((k != NULL) == (i < 3));
	}
}

static void test_gw_keys__sigv4(void **state)
{
	request r;
	gw_auth a;

	(void)state;
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	/* the head leaves the signature for the body */
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 1);
	assert_string_equal(a.key->name, "bot");
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "bot");
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW + 299), 0);

	/* any region: the gateway decides where the request goes */
	req_init(&r, BODY);
	sign(&r, "AKIACAROL", "carol-s3cr3t", "eu-west-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), 0);
	assert_string_equal(a.key->name, "carol");

	/* x-amz-content-sha256 signed and true */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 1);
	assert_non_null(serve_request_header(&r.req, "x-amz-content-sha256"));
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 1);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), 0);

	/* HTTP/2: :authority stands for host */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	r.h[0].name = ":authority";
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), 0);
}

static void test_gw_keys__sigv4_refused(void **state)
{
	request r;
	gw_auth a;

	(void)state;
	/* the wrong secret: the head cannot tell, the body can */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", "wrong-s3cr3t", "us-east-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 1);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad signature");
	assert_non_null(strstr(a.message, "does not match"));

	/* another client's secret with this id */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", "carol-s3cr3t", "us-east-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad signature");

	req_init(&r, BODY);
	sign(&r, "AKIAUNKNOWN", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "unknown key");

	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW + 301), -1);
	refused(&a, 403, "expired");
	assert_non_null(strstr(a.message, "Signature expired: 20261123T042640Z is now earlier "
					  "than 20261123T042641Z"));
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW - 301), -1);
	refused(&a, 403, "not yet valid");

	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock-runtime", NOW, 0);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "wrong service");

	/* the body changed after signing */
	req_init(&r, "{}");
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad signature");

	/* a signed content hash that is not the body's */
	req_init(&r, "{}");
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 1);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), 1);
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad content hash");

	/* UNSIGNED-PAYLOAD would leave the body unauthenticated */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	add(&r, "x-amz-content-sha256", "UNSIGNED-PAYLOAD");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad content hash");

	/* a signed header missing from the request */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	r.h[1].name = "x-other";
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad signature");

	req_init(&r, BODY);
	add(&r, "authorization", "AWS4-HMAC-SHA256 Credential=AKIAGATEWAYBOT/20261123/us-east-1/"
	    "bedrock/aws4_request, Signature=00");
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "malformed signature");

	/* no x-amz-date */
	req_init(&r, BODY);
	sign(&r, "AKIAGATEWAYBOT", BOT_SECRET, "us-east-1", "bedrock", NOW, 0);
	r.h[2].name = "x-not-date";
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, NOW), -1);
	refused(&a, 403, "bad date");
}

/* botocore, as boto3 and the AWS CLI sign, checked by the gateway. */
static void test_gw_keys__botocore(void **state)
{
	static const char *script =
		"python3 -c '\n"
		"import os, sys\n"
		"try:\n"
		"    from botocore.auth import SigV4Auth\n"
		"    from botocore.awsrequest import AWSRequest\n"
		"    from botocore.credentials import Credentials\n"
		"except ImportError:\n"
		"    print(\"SKIP\"); sys.exit(0)\n"
		"body = os.environ[\"GW_BODY\"].encode()\n"
		"r = AWSRequest(method=\"POST\", url=\"http://gateway.example:8080" PATH "\", data=body,\n"
		"               headers={\"Content-Type\": \"application/json\"})\n"
		"SigV4Auth(Credentials(\"AKIAGATEWAYBOT\", \"" BOT_SECRET "\"), \"bedrock\", "
		"\"us-west-2\").add_auth(r)\n"
		"for k, v in r.headers.items():\n"
		"    print(\"%s: %s\" % (k.lower(), v))\n"
		"'";
	char line[1024];
	request r;
	gw_auth a;
	FILE *p;
	int n = 0;

	(void)state;
	setenv("GW_BODY", BODY, 1);
	p = popen(script, "r");
	assert_non_null(p);
	memset(&r, 0, sizeof(r));
	r.req = (serve_request){ "POST", PATH, "", r.h, 0, (const uint8_t *)BODY, strlen(BODY),
				 "127.0.0.1:1", 0, NULL };
	add(&r, "host", "gateway.example:8080");
	while (fgets(line, sizeof(line), p)) {
		char *colon = strchr(line, ':');

		if (!strncmp(line, "SKIP", 4)) {
			pclose(p);
			skip();
		}
		line[strcspn(line, "\n")] = '\0';
		assert_non_null(colon);
		*colon = '\0';
		add(&r, line, colon + 2);
		n++;
	}
	assert_int_equal(pclose(p), 0);
	assert_true(n >= 3);
	assert_int_equal(gw_auth_head(&a, cfg, &r.req, (int64_t)time(NULL)), 1);
	if (gw_auth_body(&a, cfg, &r.req, (int64_t)time(NULL)))
		fail_msg("botocore's signature refused: %s", a.message);
	assert_string_equal(a.key->name, "bot");
	/* and with one byte of the body changed */
	r.req.body = (const uint8_t *)"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":11,"
				      "\"messages\":[]}";
	assert_int_equal(gw_auth_body(&a, cfg, &r.req, (int64_t)time(NULL)), -1);
	refused(&a, 403, "bad signature");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_keys__bearer_and_x_api_key),
		cmocka_unit_test(test_gw_keys__refused),
		cmocka_unit_test(test_gw_keys__constant_time_path),
		cmocka_unit_test(test_gw_keys__sigv4),
		cmocka_unit_test(test_gw_keys__sigv4_refused),
		cmocka_unit_test(test_gw_keys__botocore),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
