/* Container and IMDS credentials against a loopback fake (fake_aws.py). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "creds_private.h"

static harness_fake fake;
static char cfg_path[256], token_file[256];

static void clear_env(void)
{
	static const char *vars[] = {
		"AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI",
		"AWS_CONTAINER_AUTHORIZATION_TOKEN", "AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE",
		"AWS_EC2_METADATA_DISABLED", "AWS_EC2_METADATA_SERVICE_ENDPOINT",
		"AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "AWS_EC2_METADATA_V1_DISABLED",
		"AWS_METADATA_SERVICE_TIMEOUT", "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "AWS_PROFILE",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int setup(void **state)
{
	FILE *f;

	harness_fake_start(&fake);
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", fake.dir);
	snprintf(token_file, sizeof(token_file), "%s/token", fake.dir);
	f = fopen(cfg_path, "w");
	fclose(f);
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cfg_path, 1);
	clear_env();
	return harness_setup(state);
}

static int teardown(void **state)
{
	harness_fake_stop(&fake);
	return harness_teardown(state);
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while ((hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static int get(bedrock_creds_provider *p, bedrock_credentials **c, bedrock_error_info *err)
{
	*c = NULL;
	return bedrock_creds_provider_get(c, p, err);
}

static void test_creds_http__container_url_rule(void **state)
{
	(void)state;
	assert_true(bedrock__container_url_allowed("https://example.com/creds"));
	assert_true(bedrock__container_url_allowed("http://127.0.0.1:8080/creds"));
	assert_true(bedrock__container_url_allowed("http://127.1.2.3/creds"));
	assert_true(bedrock__container_url_allowed("http://localhost/creds"));
	assert_true(bedrock__container_url_allowed("http://[::1]:80/creds"));
	assert_true(bedrock__container_url_allowed("http://169.254.170.2/v2/creds"));
	assert_true(bedrock__container_url_allowed("http://169.254.170.23/v1/credentials"));
	assert_true(bedrock__container_url_allowed("http://[fd00:ec2::23]/v1/credentials"));
	assert_false(bedrock__container_url_allowed("http://example.com/creds"));
	assert_false(bedrock__container_url_allowed("http://10.0.0.1/creds"));
	assert_false(bedrock__container_url_allowed("ftp://127.0.0.1/creds"));
	assert_false(bedrock__container_url_allowed("not a url"));
}

static void test_creds_http__container(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;
	char url[128];
	FILE *f;
	char *log;

	(void)state;
	clear_env();
	assert_int_equal(bedrock_creds_provider_new_container(&p), 0);
	assert_int_equal(get(p, &c, &err), BEDROCK_ENOTFOUND);

	snprintf(url, sizeof(url), "%s/ecs/v2/credentials/abc", fake.url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	harness_fake_set_state(&fake, "{\"ecs\": {\"token\": \"Bearer tok-1\", "
				      "\"account_id\": \"111122223333\"}}");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "Bearer tok-1", 1);
	assert_int_equal(get(p, &c, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "ASIAECSFAKE00001");
	assert_string_equal(bedrock_credentials_session_token(c), "fake-token");
	assert_string_equal(bedrock_credentials_account_id(c), "111122223333");
	assert_string_equal(bedrock_credentials_provider(c), "container");
	assert_true(bedrock_credentials_expiration(c) > (int64_t)time(NULL) + 3000);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "\"accept\": \"application/json\""));
	free(log);

	/* The token file wins over the variable and is re-read every time. */
	f = fopen(token_file, "w");
	fputs("Bearer from-file\n", f);
	fclose(f);
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE", token_file, 1);
	assert_int_equal(get(p, &c, &err), BEDROCK_EAUTH);
	assert_int_equal(err.http_status, 401);
	harness_fake_set_state(&fake, "{\"ecs\": {\"token\": \"Bearer from-file\"}}");
	assert_int_equal(get(p, &c, &err), 0);
	bedrock_credentials_release(c);

	/* CR/LF in a token would forge headers: refused. */
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	setenv("AWS_CONTAINER_AUTHORIZATION_TOKEN", "a\r\nX-Evil: 1", 1);
	assert_int_equal(get(p, &c, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "CR or LF"));
	unsetenv("AWS_CONTAINER_AUTHORIZATION_TOKEN");

	/* Plain HTTP to anything but loopback or the ECS/EKS hosts: refused. */
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", "http://192.0.2.10/creds", 1);
	harness_fake_clear_log(&fake);
	assert_int_equal(get(p, &c, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "loopback"));
	bedrock_creds_provider_release(p);
}

static void test_creds_http__container_retries_server_errors(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;
	char url[128], *log;

	(void)state;
	clear_env();
	snprintf(url, sizeof(url), "%s/ecs/creds", fake.url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	harness_fake_set_state(&fake, "{\"ecs\": {\"status\": 503}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_new_container(&p), 0);
	assert_int_equal(get(p, &c, &err), BEDROCK_EHTTP);
	assert_non_null(strstr(err.message, "HTTP 503"));
	log = harness_fake_log(&fake);
	assert_int_equal(count(log, "\"/ecs/creds\""), 3);
	free(log);
	bedrock_creds_provider_release(p);
}

static bedrock_creds_provider *imds(void)
{
	bedrock_creds_provider *p;

	assert_int_equal(bedrock_creds_provider_new_imds(&p, NULL), 0);
	return p;
}

static void test_creds_http__imds_v2(void **state)
{
	bedrock_creds_provider *p = imds();
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	clear_env();
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	harness_fake_set_state(&fake, "{\"imds\": {}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(get(p, &c, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "ASIAIMDSFAKE0001");
	assert_string_equal(bedrock_credentials_provider(c), "imds");
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "\"method\": \"PUT\", \"path\": \"/latest/api/token\""));
	assert_non_null(strstr(log, "\"x-aws-ec2-metadata-token-ttl-seconds\": \"21600\""));
	assert_int_equal(count(log, "\"x-aws-ec2-metadata-token\": \"imds-token-abc\""), 2);
	free(log);

	/* The profile key names the endpoint too. */
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	{
		FILE *f = fopen(cfg_path, "w");
		fprintf(f, "[default]\nec2_metadata_service_endpoint = %s/\n", fake.url);
		fclose(f);
	}
	assert_int_equal(get(p, &c, &err), 0);
	bedrock_credentials_release(c);
	{
		FILE *f = fopen(cfg_path, "w");
		fclose(f);
	}
	bedrock_creds_provider_release(p);
}

static void test_creds_http__imds_v1_fallback_rules(void **state)
{
	bedrock_creds_provider *p = imds();
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	clear_env();
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	/* No token endpoint (403/404/405): IMDSv1 without a token header. */
	harness_fake_set_state(&fake, "{\"imds\": {\"token_status\": 404}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(get(p, &c, &err), 0);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_null(strstr(log, "x-aws-ec2-metadata-token\":"));
	free(log);
	/* ...unless v1 is disabled. */
	setenv("AWS_EC2_METADATA_V1_DISABLED", "true", 1);
	harness_fake_set_state(&fake, "{\"imds\": {\"token_status\": 403}}");
	assert_int_equal(get(p, &c, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "IMDSv1 is disabled"));
	unsetenv("AWS_EC2_METADATA_V1_DISABLED");
	/* 400 on the token request is an error, not a fallback. */
	harness_fake_set_state(&fake, "{\"imds\": {\"token_status\": 400}}");
	assert_int_equal(get(p, &c, &err), BEDROCK_EHTTP);
	/* No role attached. */
	harness_fake_set_state(&fake, "{\"imds\": {\"role_status\": 404}}");
	assert_int_equal(get(p, &c, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
}

static void test_creds_http__imds_absent_or_disabled(void **state)
{
	bedrock_creds_provider *p = imds();
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	clear_env();
	setenv("AWS_EC2_METADATA_DISABLED", "TRUE", 1);
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	harness_fake_clear_log(&fake);
	assert_int_equal(get(p, &c, &err), BEDROCK_ENOTFOUND);
	{
		char *log = harness_fake_log(&fake);
		assert_string_equal(log, "");
		free(log);
	}
	unsetenv("AWS_EC2_METADATA_DISABLED");
	/* Nothing listening: not an EC2 instance, so nothing found. */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", "http://127.0.0.1:1", 1);
	assert_int_equal(get(p, &c, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
}

static void test_creds_http__imds_static_stability(void **state)
{
	bedrock_creds_provider *p = imds();
	bedrock_credentials *c;
	bedrock_error_info err;
	int64_t now = (int64_t)time(NULL);

	(void)state;
	clear_env();
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	harness_fake_set_state(&fake, "{\"imds\": {\"expires_in\": 60}}");
	assert_int_equal(get(p, &c, &err), 0);
	/* Extended by 15 minutes plus 2-10 minutes of jitter. */
	assert_true(bedrock_credentials_expiration(c) >= now + 900 + 120);
	assert_true(bedrock_credentials_expiration(c) <= now + 900 + 600 + 5);
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);
}

/* At the end of the default chain, any IMDS failure (an HTTP error, a
 * refused token) is "not found": the chain's actionable message stays,
 * and the detail is kept for the debug log. */
static void test_creds_http__imds_failure_ends_chain_as_not_found(void **state)
{
	static const char *const states[] = {
		"{\"imds\": {\"role_status\": 403}}", "{\"imds\": {\"role_status\": 500}}",
		"{\"imds\": {\"token_status\": 400}}", "{\"imds\": {\"creds_status\": 401}}",
	};
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;
	size_t i;

	(void)state;
	clear_env();
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	assert_int_equal(bedrock_creds_provider_new_default(&p, NULL), 0);
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		harness_fake_set_state(&fake, states[i]);
		assert_int_equal(get(p, &c, &err), BEDROCK_ENOTFOUND);
		assert_null(c);
		assert_non_null(strstr(err.message, "no AWS credentials found (tried environment, "));
		assert_non_null(strstr(err.message, ", imds)"));
		assert_null(strstr(err.message, "HTTP"));
		assert_non_null(strstr(bedrock__creds_chain_detail(), "imds: "));
	}
	assert_non_null(strstr(bedrock__creds_chain_detail(), "HTTP 401"));
	/* A working IMDS still gives its credentials. */
	harness_fake_set_state(&fake, "{\"imds\": {}}");
	assert_int_equal(get(p, &c, &err), 0);
	assert_string_equal(bedrock_credentials_provider(c), "imds");
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_http__container_url_rule),
		cmocka_unit_test(test_creds_http__container),
		cmocka_unit_test(test_creds_http__container_retries_server_errors),
		cmocka_unit_test(test_creds_http__imds_v2),
		cmocka_unit_test(test_creds_http__imds_v1_fallback_rules),
		cmocka_unit_test(test_creds_http__imds_absent_or_disabled),
		cmocka_unit_test(test_creds_http__imds_static_stability),
		cmocka_unit_test(test_creds_http__imds_failure_ends_chain_as_not_found),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
