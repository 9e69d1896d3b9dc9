/* Assume-role and web identity against the loopback fake STS, which checks
 * every AssumeRole signature with its own SigV4 code; and the default
 * chain's order. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "harness.h"
#include "sts.h"

static harness_fake fake;
static char cfg_path[300], cred_path[300], token_path[300];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, 0600);
}

static void clear_env(void)
{
	static const char *vars[] = {
		"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE",
		"AWS_WEB_IDENTITY_TOKEN_FILE", "AWS_ROLE_ARN", "AWS_ROLE_SESSION_NAME", "AWS_REGION",
		"AWS_DEFAULT_REGION", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
		"AWS_CONTAINER_CREDENTIALS_FULL_URI",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
}

static int setup(void **state)
{
	harness_fake_start(&fake);
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", fake.dir);
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", fake.dir);
	snprintf(token_path, sizeof(token_path), "%s/web-token", fake.dir);
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	setenv("AWS_ENDPOINT_URL_STS", fake.url, 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
	clear_env();
	write_file(cfg_path,
		   "[profile role]\nrole_arn = arn:aws:iam::123456789012:role/bedrock-user\n"
		   "source_profile = base\nexternal_id = ext-42\nrole_session_name = sess-1\n"
		   "duration_seconds = 900\nregion = us-west-2\n"
		   "[profile chained]\nrole_arn = arn:aws:iam::123456789012:role/second\n"
		   "source_profile = role\nregion = us-west-2\n"
		   "[profile loop-a]\nrole_arn = arn:aws:iam::1:role/a\nsource_profile = loop-b\n"
		   "[profile loop-b]\nrole_arn = arn:aws:iam::1:role/b\nsource_profile = loop-a\n"
		   "[profile self]\nrole_arn = arn:aws:iam::1:role/self\nsource_profile = self\n"
		   "region = eu-west-1\n"
		   "[profile from-env]\nrole_arn = arn:aws:iam::1:role/e\ncredential_source = Environment\n"
		   "[profile both]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = base\n"
		   "credential_source = Environment\n"
		   "[profile bad-source]\nrole_arn = arn:aws:iam::1:role/x\ncredential_source = Moon\n"
		   "[profile missing-source]\nrole_arn = arn:aws:iam::1:role/x\nsource_profile = ghost\n"
		   "[profile web]\nrole_arn = arn:aws:iam::123456789012:role/web\n"
		   "web_identity_token_file = WEBTOKEN\n"
		   "[profile proc]\ncredential_process = /bin/false\naws_access_key_id = AKIDCONFIGKEYS\n"
		   "aws_secret_access_key = s\n");
	{
		/* Point the web profile at the real token path. */
		char *text = harness_read_file(cfg_path, NULL), *at = strstr(text, "WEBTOKEN");
		char buf[4096];

		snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - text), text, token_path, at + 8);
		write_file(cfg_path, buf);
		free(text);
	}
	write_file(cred_path, "[base]\naws_access_key_id = AKIDBASE00000001\n"
			      "aws_secret_access_key = source-secret\n"
			      "[self]\naws_access_key_id = AKIDSELF00000001\n"
			      "aws_secret_access_key = self-secret\n");
	write_file(token_path, "eyJ.web.identity.token\n");
	return harness_setup(state);
}

static int teardown(void **state)
{
	harness_fake_stop(&fake);
	unsetenv("AWS_ENDPOINT_URL_STS");
	return harness_teardown(state);
}

static bedrock_creds_provider *provider(int kind, const char *profile)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p;

	o.profile = profile;
	switch (kind) {
	case 0: assert_int_equal(bedrock_creds_provider_new_assume_role(&p, &o), 0); break;
	case 1: assert_int_equal(bedrock_creds_provider_new_web_identity(&p, profile ? &o : NULL), 0); break;
	default: assert_int_equal(bedrock_creds_provider_new_default(&p, profile ? &o : NULL), 0); break;
	}
	return p;
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

static void test_creds_sts__assume_role_signed_and_checked(void **state)
{
	bedrock_creds_provider *p = provider(0, "role");
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	harness_fake_set_state(&fake, "{}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "ASIASTSFAKE00001");
	assert_string_equal(bedrock_credentials_session_token(c), "fake-token");
	assert_string_equal(bedrock_credentials_provider(c), "assume-role");
	assert_true(bedrock_credentials_expiration(c) > 0);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "Action=AssumeRole&Version=2011-06-15"));
	assert_non_null(strstr(log, "RoleArn=arn%3Aaws%3Aiam%3A%3A123456789012%3Arole%2Fbedrock-user"));
	assert_non_null(strstr(log, "RoleSessionName=sess-1"));
	assert_non_null(strstr(log, "ExternalId=ext-42"));
	assert_non_null(strstr(log, "DurationSeconds=900"));
	assert_non_null(strstr(log, "Credential=AKIDBASE00000001/"));
	assert_non_null(strstr(log, "/us-west-2/sts/aws4_request"));
	assert_non_null(strstr(log, "application/x-www-form-urlencoded; charset=utf-8"));
	free(log);

	/* The fake checks the signature with its own SigV4 code: a wrong key fails. */
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_secret\": \"another-secret\"}}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_string_equal(err.aws_code, "SignatureDoesNotMatch");
	assert_string_equal(err.request_id, "req-err");
	assert_int_equal(err.http_status, 403);
	assert_null(strstr(err.message, "source-secret"));
	bedrock_creds_provider_release(p);
}

static void test_creds_sts__role_chain_and_self_reference(void **state)
{
	bedrock_creds_provider *p = provider(0, "chained");
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	/* The second call is signed with the first call's credentials. */
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_secret\": {\"AKIDBASE00000001\": "
				      "\"source-secret\", \"ASIASTSFAKE00001\": \"fake-secret\"}}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_int_equal(count(log, "Action=AssumeRole&"), 2);
	assert_non_null(strstr(log, "role%2Fbedrock-user"));
	assert_non_null(strstr(log, "role%2Fsecond"));
	assert_non_null(strstr(log, "Credential=ASIASTSFAKE00001/"));
	free(log);
	bedrock_creds_provider_release(p);

	/* A profile that is its own source uses its static keys. */
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_secret\": \"self-secret\"}}");
	p = provider(0, "self");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);
}

static void test_creds_sts__configuration_errors(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	p = provider(0, "loop-a");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "loops back"));
	bedrock_creds_provider_release(p);
	p = provider(0, "both");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "exactly one"));
	bedrock_creds_provider_release(p);
	p = provider(0, "bad-source");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "Moon"));
	bedrock_creds_provider_release(p);
	p = provider(0, "missing-source");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "ghost"));
	bedrock_creds_provider_release(p);
	/* No role_arn: not this provider's business. */
	p = provider(0, "base");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
}

static void test_creds_sts__credential_source_and_sts_errors(void **state)
{
	bedrock_creds_provider *p = provider(0, "from-env");
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	clear_env();
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_secret\": \"env-secret\"}}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV00001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_secret\": \"env-secret\", \"error\": "
				      "{\"status\": 403, \"code\": \"AccessDenied\", \"message\": "
				      "\"not authorized to perform sts:AssumeRole\"}}}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "AccessDenied: not authorized"));
	clear_env();
	bedrock_creds_provider_release(p);
}

static void test_creds_sts__web_identity(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	clear_env();
	harness_fake_set_state(&fake, "{\"sts\": {\"expect_web_token\": \"eyJ.web.identity.token\"}}");
	harness_fake_clear_log(&fake);
	p = provider(1, NULL);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	setenv("AWS_ROLE_SESSION_NAME", "ci-run-7", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_provider(c), "web-identity");
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "Action=AssumeRoleWithWebIdentity"));
	assert_non_null(strstr(log, "WebIdentityToken=eyJ.web.identity.token"));
	assert_non_null(strstr(log, "RoleSessionName=ci-run-7"));
	/* Unsigned. */
	assert_null(strstr(log, "\"authorization\""));
	free(log);
	/* The token file is read afresh each time. */
	write_file(token_path, "rotated-token");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_string_equal(err.aws_code, "InvalidIdentityToken");
	write_file(token_path, "eyJ.web.identity.token\n");
	clear_env();
	bedrock_creds_provider_release(p);

	/* From the profile's keys. */
	p = provider(1, "web");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);
}

static const char *default_provider_of(const char *profile, int expect)
{
	static char name[32];
	bedrock_creds_provider *p = provider(2, profile);
	bedrock_credentials *c;
	bedrock_error_info err;

	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), expect);
	name[0] = '\0';
	if (!expect) {
		snprintf(name, sizeof(name), "%s", bedrock_credentials_provider(c));
		bedrock_credentials_release(c);
	}
	bedrock_creds_provider_release(p);
	return name;
}

static void test_creds_sts__default_chain_order(void **state)
{
	(void)state;
	clear_env();
	harness_fake_set_state(&fake, "{}");
	/* Credentials-file keys. */
	setenv("AWS_PROFILE", "base", 1);
	assert_string_equal(default_provider_of(NULL, 0), "profile");
	/* The environment beats the profile... */
	setenv("AWS_ACCESS_KEY_ID", "AKIDFROMENV00001", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "env-secret", 1);
	assert_string_equal(default_provider_of(NULL, 0), "environment");
	/* ...unless the profile was chosen explicitly. */
	assert_string_equal(default_provider_of("base", 0), "profile");
	assert_string_equal(default_provider_of("role", 0), "assume-role");
	clear_env();
	/* credential_process comes before the config file's keys, and fails loudly. */
	assert_string_equal(default_provider_of("proc", BEDROCK_EAUTH), "");
	/* Web identity from the environment. */
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", token_path, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/ci", 1);
	setenv("AWS_PROFILE", "nothing-here", 1);
	assert_string_equal(default_provider_of(NULL, 0), "web-identity");
	clear_env();
	/* Nothing anywhere (IMDS disabled for the test). */
	setenv("AWS_PROFILE", "nothing-here", 1);
	assert_string_equal(default_provider_of(NULL, BEDROCK_ENOTFOUND), "");
	clear_env();
}

static void test_creds_sts__parse(void **state)
{
	bedrock_credentials *c;
	bedrock_error_info err;
	static const char ok[] =
		"<AssumeRoleResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
		"<AssumeRoleResult><Credentials><AccessKeyId>ASIA1</AccessKeyId>"
		"<SecretAccessKey>s&amp;x</SecretAccessKey><SessionToken>t</SessionToken>"
		"<Expiration>2030-01-01T00:00:00Z</Expiration></Credentials></AssumeRoleResult>"
		"</AssumeRoleResponse>";
	static const char bomb[] =
		"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY a \"aaaaaaaaaa\">"
		"<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">]><x>&b;</x>";

	(void)state;
	assert_int_equal(bedrock__sts_parse(&c, "t", 200, ok, sizeof(ok) - 1, &err), 0);
	assert_string_equal(bedrock_credentials_secret_access_key(c), "s&x");
	assert_int_equal(bedrock_credentials_expiration(c), 1893456000);
	bedrock_credentials_release(c);
	assert_int_equal(bedrock__sts_parse(&c, "t", 200, "<x>", 3, &err), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(err.message, "malformed XML"));
	assert_int_equal(bedrock__sts_parse(&c, "t", 200, "<x/>", 4, &err), BEDROCK_EPROTOCOL);
	assert_int_equal(bedrock__sts_parse(&c, "t", 200, bomb, sizeof(bomb) - 1, &err),
			 BEDROCK_EPROTOCOL);
	assert_non_null(strstr(err.message, "DOCTYPE"));
	assert_int_equal(bedrock__sts_parse(&c, "t", 503, "", 0, &err), BEDROCK_EHTTP);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_sts__assume_role_signed_and_checked),
		cmocka_unit_test(test_creds_sts__role_chain_and_self_reference),
		cmocka_unit_test(test_creds_sts__configuration_errors),
		cmocka_unit_test(test_creds_sts__credential_source_and_sts_errors),
		cmocka_unit_test(test_creds_sts__web_identity),
		cmocka_unit_test(test_creds_sts__default_chain_order),
		cmocka_unit_test(test_creds_sts__parse),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
