#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

static char dir[256];
static char cfg_path[300], cred_path[300];

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/bedrock-test-config-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", dir);
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	return harness_setup(state);
}

static int teardown(void **state)
{
	unlink(cfg_path);
	unlink(cred_path);
	rmdir(dir);
	return harness_teardown(state);
}

static bedrock_config *load(const char *profile, int expect)
{
	bedrock_config_options o = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_config *c = NULL;

	o.profile = profile;
	assert_int_equal(bedrock_config_load(&c, &o), expect);
	assert_non_null(c);
	return c;
}

static void test_config__credentials_file_overrides_config(void **state)
{
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[default]\nregion = us-west-2\naws_access_key_id = CONFIGKEY\n"
			     "[profile dev]\nregion = eu-west-1\nrole_arn = arn:x\n");
	write_file(cred_path, "[default]\naws_access_key_id = CREDKEY\n[dev]\nRegion = ap-south-1\n");
	c = load(NULL, 0);
	assert_string_equal(bedrock_config_profile(c), "default");
	assert_string_equal(bedrock_config_get(c, "aws_access_key_id"), "CREDKEY");
	assert_string_equal(bedrock_config_get(c, "REGION"), "us-west-2");
	assert_string_equal(bedrock_config_get_profile(c, "dev", "region"), "ap-south-1");
	assert_string_equal(bedrock_config_get_profile(c, "dev", "role_arn"), "arn:x");
	/* Named profiles do not inherit [default]. */
	assert_null(bedrock_config_get_profile(c, "dev", "aws_access_key_id"));
	assert_true(bedrock_config_has_profile(c, "dev"));
	assert_false(bedrock_config_has_profile(c, "nope"));
	assert_string_equal(bedrock_config_config_file(c), cfg_path);
	assert_string_equal(bedrock_config_credentials_file(c), cred_path);
	chmod(cred_path, 0600);
	assert_false(bedrock_config_insecure_credentials_file(c));
	chmod(cred_path, 0644);
	assert_true(bedrock_config_insecure_credentials_file(c));
	bedrock_config_free(c);
}

static void test_config__profile_selection(void **state)
{
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[profile a]\nregion = r-a-1\n[profile b]\nregion = r-b-1\n");
	write_file(cred_path, "");
	setenv("AWS_DEFAULT_PROFILE", "b", 1);
	c = load(NULL, 0);
	assert_string_equal(bedrock_config_profile(c), "b");
	bedrock_config_free(c);
	setenv("AWS_PROFILE", "a", 1);
	c = load(NULL, 0);
	assert_string_equal(bedrock_config_profile(c), "a");
	assert_string_equal(bedrock_config_get(c, "region"), "r-a-1");
	bedrock_config_free(c);
	c = load("b", 0);
	assert_string_equal(bedrock_config_profile(c), "b");
	bedrock_config_free(c);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
}

static void test_config__region_precedence(void **state)
{
	bedrock_region_source src;
	const char *r;
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[profile p]\nregion = eu-central-1\n");
	write_file(cred_path, "");
	c = load("p", 0);
	assert_int_equal(bedrock_config_region(&r, &src, c, NULL), 0);
	assert_string_equal(r, "eu-central-1");
	assert_string_equal(bedrock_region_source_name(src), "profile");
	setenv("AWS_DEFAULT_REGION", "us-east-2", 1);
	assert_int_equal(bedrock_config_region(&r, &src, c, NULL), 0);
	assert_string_equal(r, "us-east-2");
	assert_int_equal(src, BEDROCK_REGION_ENV_AWS_DEFAULT_REGION);
	setenv("AWS_REGION", "ap-northeast-1", 1);
	assert_int_equal(bedrock_config_region(&r, &src, c, NULL), 0);
	assert_string_equal(r, "ap-northeast-1");
	assert_string_equal(bedrock_region_source_name(src), "AWS_REGION");
	assert_int_equal(bedrock_config_region(&r, &src, c, "sa-east-1"), 0);
	assert_string_equal(r, "sa-east-1");
	assert_string_equal(bedrock_region_source_name(src), "explicit");
	/* A region is part of a host name: nothing else gets through. */
	assert_int_equal(bedrock_config_region(&r, &src, c, "evil.example/x"), BEDROCK_ECONFIG);
	assert_non_null(strstr(bedrock_config_errmsg(c), "invalid region"));
	unsetenv("AWS_REGION");
	unsetenv("AWS_DEFAULT_REGION");
	bedrock_config_free(c);
}

static void test_config__no_region_is_an_error_not_us_east_1(void **state)
{
	const char *r = "unset";
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[profile p]\noutput = json\n");
	write_file(cred_path, "");
	c = load("p", 0);
	assert_int_equal(bedrock_config_region(&r, NULL, c, NULL), BEDROCK_ECONFIG);
	assert_null(r);
	assert_non_null(strstr(bedrock_config_errmsg(c), "AWS_REGION"));
	assert_non_null(strstr(bedrock_config_errmsg(c), "[profile p]"));
	assert_non_null(strstr(bedrock_config_errmsg(c), cfg_path));
	bedrock_config_free(c);
}

static void test_config__missing_files_are_empty(void **state)
{
	bedrock_config *c;

	(void)state;
	unlink(cfg_path);
	unlink(cred_path);
	c = load(NULL, 0);
	assert_null(bedrock_config_get(c, "region"));
	bedrock_config_free(c);
}

static void test_config__bad_file_names_file_and_line(void **state)
{
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[default]\nregion = us-east-1\n");
	write_file(cred_path, "[default]\naws_access_key_id = A\nthis line is wrong\n");
	c = load(NULL, BEDROCK_ECONFIG);
	assert_non_null(strstr(bedrock_config_errmsg(c), cred_path));
	assert_non_null(strstr(bedrock_config_errmsg(c), "line 3"));
	bedrock_config_free(c);
}

static void test_config__services_and_sso_sections(void **state)
{
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[profile p]\nservices = local\nsso_session = corp\n"
			     "[services local]\nbedrock_runtime =\n  endpoint_url = http://127.0.0.1:1\n"
			     "[sso-session corp]\nsso_region = eu-west-1\n");
	write_file(cred_path, "");
	c = load("p", 0);
	assert_string_equal(bedrock_config_get_section(c, "services", "local", "bedrock_runtime",
						       "endpoint_url"),
			    "http://127.0.0.1:1");
	assert_null(bedrock_config_get_section(c, "services", "local", "sts", "endpoint_url"));
	assert_string_equal(bedrock_config_get_section(c, "sso-session", "corp", "sso_region", NULL),
			    "eu-west-1");
	bedrock_config_free(c);
}

static void test_config__endpoint_overrides(void **state)
{
	bedrock_config *c;

	(void)state;
	write_file(cfg_path, "[profile p]\nservices = local\nendpoint_url = http://127.0.0.1:3\n"
			     "[services local]\nbedrock_runtime =\n  endpoint_url = http://127.0.0.1:1\n");
	write_file(cred_path, "");
	c = load("p", 0);
	assert_string_equal(bedrock_config_endpoint(c, "BEDROCK_RUNTIME"), "http://127.0.0.1:1");
	assert_string_equal(bedrock_config_endpoint(c, "STS"), "http://127.0.0.1:3");
	setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:4", 1);
	assert_string_equal(bedrock_config_endpoint(c, "STS"), "http://127.0.0.1:4");
	assert_string_equal(bedrock_config_endpoint(c, "BEDROCK_RUNTIME"), "http://127.0.0.1:1");
	setenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "http://127.0.0.1:5", 1);
	assert_string_equal(bedrock_config_endpoint(c, "BEDROCK_RUNTIME"), "http://127.0.0.1:5");
	setenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS", "true", 1);
	assert_null(bedrock_config_endpoint(c, "BEDROCK_RUNTIME"));
	unsetenv("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS");
	unsetenv("AWS_ENDPOINT_URL_BEDROCK_RUNTIME");
	unsetenv("AWS_ENDPOINT_URL");
	bedrock_config_free(c);
	c = load("other", 0);
	assert_null(bedrock_config_endpoint(c, "BEDROCK_RUNTIME"));
	bedrock_config_free(c);
}

static void test_config__home_expansion(void **state)
{
	bedrock_config_options o = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_config *c = NULL;
	char awsdir[320];
	const char *old = getenv("HOME");
	char *saved = old ? strdup(old) : NULL;

	(void)state;
	unsetenv("AWS_CONFIG_FILE");
	unsetenv("AWS_SHARED_CREDENTIALS_FILE");
	setenv("HOME", dir, 1);
	snprintf(awsdir, sizeof(awsdir), "%s/.aws", dir);
	mkdir(awsdir, 0700);
	strcat(awsdir, "/config");
	write_file(awsdir, "[default]\nregion = me-south-1\n");
	assert_int_equal(bedrock_config_load(&c, &o), 0);
	assert_string_equal(bedrock_config_get(c, "region"), "me-south-1");
	bedrock_config_free(c);
	unlink(awsdir);
	awsdir[strlen(awsdir) - 7] = '\0';
	rmdir(awsdir);
	if (saved)
		setenv("HOME", saved, 1);
	free(saved);
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config__credentials_file_overrides_config),
		cmocka_unit_test(test_config__profile_selection),
		cmocka_unit_test(test_config__region_precedence),
		cmocka_unit_test(test_config__no_region_is_an_error_not_us_east_1),
		cmocka_unit_test(test_config__missing_files_are_empty),
		cmocka_unit_test(test_config__bad_file_names_file_and_line),
		cmocka_unit_test(test_config__services_and_sso_sections),
		cmocka_unit_test(test_config__endpoint_overrides),
		cmocka_unit_test(test_config__home_expansion),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
