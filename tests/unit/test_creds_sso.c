/* SSO credentials against the loopback fake: cached token, OIDC refresh
 * (written back), legacy profiles, and the errors that tell the user to
 * log in again. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include <openssl/evp.h>

#include "harness.h"
#include "timeutil.h"

static harness_fake fake;
static char home[200], cfg[400], cachedir[400];
static char *old_home;

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void cache_file(char *out, size_t cap, const char *key)
{
	unsigned char md[20];
	unsigned int n, i;
	char hex[41];

	EVP_Digest(key, strlen(key), md, &n, EVP_sha1(), NULL);
	for (i = 0; i < 20; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	if (snprintf(out, cap, "%s/%s.json", cachedir, hex) >= (int)cap)
		fail();
}

static void write_token(const char *key, const char *token, int64_t expires_in,
			int with_refresh)
{
	char path[400], when[32], reg[32], text[1024];

	cache_file(path, sizeof(path), key);
	bedrock__format_iso8601(when, sizeof(when), (int64_t)time(NULL) + expires_in);
	bedrock__format_iso8601(reg, sizeof(reg), (int64_t)time(NULL) + 86400 * 30);
	snprintf(text, sizeof(text),
		 "{\"startUrl\": \"https://corp.awsapps.com/start\", \"region\": \"eu-west-1\", "
		 "\"accessToken\": \"%s\", \"expiresAt\": \"%s\"%s%s%s}",
		 token, when,
		 with_refresh ? ", \"refreshToken\": \"old-refresh\", \"clientId\": \"cid\", "
				"\"clientSecret\": \"csecret\", \"registrationExpiresAt\": \"" : "",
		 with_refresh ? reg : "", with_refresh ? "\"" : "");
	write_file(path, text);
}

static int setup(void **state)
{
	const char *h = getenv("HOME");
	char aws[260], sso[300];

	old_home = h ? strdup(h) : NULL;
	harness_fake_start(&fake);
	snprintf(home, sizeof(home), "%s/home", fake.dir);
	mkdir(home, 0700);
	snprintf(aws, sizeof(aws), "%s/.aws", home);
	mkdir(aws, 0700);
	snprintf(sso, sizeof(sso), "%s/sso", aws);
	mkdir(sso, 0700);
	snprintf(cachedir, sizeof(cachedir), "%s/cache", sso);
	mkdir(cachedir, 0700);
	snprintf(cfg, sizeof(cfg), "%s/config", aws);
	setenv("HOME", home, 1);
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	unsetenv("AWS_PROFILE");
	setenv("AWS_ENDPOINT_URL_SSO", fake.url, 1);
	setenv("AWS_ENDPOINT_URL_SSO_OIDC", fake.url, 1);
	{
		char text[600];
		snprintf(text, sizeof(text),
			 "[profile dev]\nsso_session = corp\nsso_account_id = 123456789012\n"
			 "sso_role_name = Dev\nregion = eu-west-1\n"
			 "[sso-session corp]\nsso_start_url = https://corp.awsapps.com/start\n"
			 "sso_region = eu-west-1\n"
			 "[profile legacy]\nsso_start_url = https://legacy.awsapps.com/start\n"
			 "sso_region = us-east-2\nsso_account_id = 123456789012\nsso_role_name = Dev\n"
			 "[profile broken]\nsso_account_id = 123456789012\n"
			 "[profile plain]\nregion = us-east-1\n");
		write_file(cfg, text);
	}
	return harness_setup(state);
}

static int teardown(void **state)
{
	harness_fake_stop(&fake);
	if (old_home)
		setenv("HOME", old_home, 1);
	free(old_home);
	unsetenv("AWS_ENDPOINT_URL_SSO");
	unsetenv("AWS_ENDPOINT_URL_SSO_OIDC");
	return harness_teardown(state);
}

static bedrock_creds_provider *sso(const char *profile)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p;

	o.profile = profile;
	assert_int_equal(bedrock_creds_provider_new_sso(&p, &o), 0);
	return p;
}

static void test_creds_sso__cached_token(void **state)
{
	bedrock_creds_provider *p = sso("dev");
	bedrock_credentials *c;
	bedrock_error_info err;
	char *log;

	(void)state;
	write_token("corp", "cached-access-token", 7200, 1);
	harness_fake_set_state(&fake, "{\"sso\": {\"expiration_ms\": 1924992000000}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "ASIASSOFAKE00001");
	assert_string_equal(bedrock_credentials_session_token(c), "sso-token");
	assert_string_equal(bedrock_credentials_provider(c), "sso");
	assert_string_equal(bedrock_credentials_account_id(c), "123456789012");
	assert_int_equal(bedrock_credentials_expiration(c), 1924992000);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "\"x-amz-sso_bearer_token\": \"cached-access-token\""));
	assert_non_null(strstr(log, "\"query\": \"role_name=Dev&account_id=123456789012\""));
	assert_null(strstr(log, "\"/token\""));
	free(log);
	bedrock_creds_provider_release(p);
}

static void test_creds_sso__refresh_near_expiry_writes_back(void **state)
{
	bedrock_creds_provider *p = sso("dev");
	bedrock_credentials *c;
	bedrock_error_info err;
	char path[400], *log, *cache;

	(void)state;
	write_token("corp", "stale-access-token", 300, 1);
	harness_fake_set_state(&fake, "{\"sso\": {\"expect_token\": \"refreshed-access-token\"}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "\"path\": \"/token\""));
	assert_non_null(strstr(log, "refresh_token"));
	assert_non_null(strstr(log, "old-refresh"));
	free(log);
	cache_file(path, sizeof(path), "corp");
	cache = harness_read_file(path, NULL);
	assert_non_null(strstr(cache, "refreshed-access-token"));
	assert_non_null(strstr(cache, "new-refresh-token"));
	/* Other fields survive the rewrite. */
	assert_non_null(strstr(cache, "\"clientSecret\""));
	free(cache);
	{
		struct stat st;
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 077, 0);
	}
	bedrock_creds_provider_release(p);
}

static void test_creds_sso__expired_session(void **state)
{
	bedrock_creds_provider *p = sso("dev");
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	write_token("corp", "old", -60, 1);
	harness_fake_set_state(&fake, "{\"oidc\": {\"status\": 400}}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "aws sso login --profile dev"));
	/* Without refresh data, likewise. */
	write_token("corp", "old", -60, 0);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "expired"));
	/* No cache file at all. */
	{
		char path[400];
		cache_file(path, sizeof(path), "corp");
		remove(path);
	}
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "aws sso login"));
	bedrock_creds_provider_release(p);
}

static void test_creds_sso__legacy_and_portal_errors(void **state)
{
	bedrock_creds_provider *p = sso("legacy");
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	write_token("https://legacy.awsapps.com/start", "cached-access-token", 7200, 0);
	harness_fake_set_state(&fake, "{}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	bedrock_credentials_release(c);
	harness_fake_set_state(&fake, "{\"sso\": {\"expect_token\": \"something-else\"}}");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.aws_code, "UnauthorizedException");
	assert_string_equal(err.request_id, "fake-request-id-0001");
	assert_non_null(strstr(err.message, "aws sso login"));
	bedrock_creds_provider_release(p);
}

static void test_creds_sso__configuration(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	p = sso("broken");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "sso_role_name"));
	bedrock_creds_provider_release(p);
	p = sso("plain");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_sso__cached_token),
		cmocka_unit_test(test_creds_sso__refresh_near_expiry_writes_back),
		cmocka_unit_test(test_creds_sso__expired_session),
		cmocka_unit_test(test_creds_sso__legacy_and_portal_errors),
		cmocka_unit_test(test_creds_sso__configuration),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
