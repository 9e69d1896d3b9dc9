/* Profile static keys and credential_process, against temporary files. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"
#include "creds_private.h"

#define CANARY "CANARY-SECRET-7f3a"

static char dir[256], cfg_path[300], cred_path[300];

static void write_file(const char *path, const char *text, int mode)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	chmod(path, (mode_t)mode);
}

static int setup(void **state)
{
	strcpy(dir, "/tmp/bedrock-test-creds-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cfg_path, sizeof(cfg_path), "%s/config", dir);
	snprintf(cred_path, sizeof(cred_path), "%s/credentials", dir);
	setenv("AWS_CONFIG_FILE", cfg_path, 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", cred_path, 1);
	unsetenv("AWS_PROFILE");
	unsetenv("AWS_DEFAULT_PROFILE");
	return harness_setup(state);
}

static int teardown(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		return -1;
	return harness_teardown(state);
}

static bedrock_creds_provider *profile_provider(const char *profile, int config_only)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p;

	o.profile = profile;
	assert_int_equal(bedrock_creds_provider_new_profile(&p, &o, config_only), 0);
	return p;
}

static bedrock_creds_provider *process_provider(const char *profile)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p;

	o.profile = profile;
	assert_int_equal(bedrock_creds_provider_new_process(&p, &o), 0);
	return p;
}

static void no_canary(const bedrock_error_info *err)
{
	assert_null(strstr(err->message, CANARY));
}

static void test_creds_files__profile_keys(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	write_file(cred_path, "[default]\naws_access_key_id = AKIDCREDFILE1\n"
			      "aws_secret_access_key = " CANARY "\naws_session_token = tok\n"
			      "[half]\naws_access_key_id = AKIDHALF\n", 0600);
	write_file(cfg_path, "[profile cfg]\naws_access_key_id = AKIDCONFIGFILE\n"
			     "aws_secret_access_key = " CANARY "\n", 0600);
	p = profile_provider(NULL, 0);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "AKIDCREDFILE1");
	assert_string_equal(bedrock_credentials_session_token(c), "tok");
	assert_string_equal(bedrock_credentials_provider(c), "profile");
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);

	/* The credentials-file provider does not read the config file... */
	p = profile_provider("cfg", 0);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
	/* ...the config-file one does. */
	p = profile_provider("cfg", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "AKIDCONFIGFILE");
	bedrock_credentials_release(c);
	bedrock_creds_provider_release(p);

	p = profile_provider("half", 0);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, cred_path));
	assert_non_null(strstr(err.message, "aws_secret_access_key"));
	bedrock_creds_provider_release(p);

	/* A malformed file is named with its line, and the secret is not shown. */
	write_file(cred_path, "[default]\naws_secret_access_key = " CANARY "\n" CANARY "\n", 0600);
	p = profile_provider(NULL, 0);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "line 3"));
	no_canary(&err);
	bedrock_creds_provider_release(p);
}

static void test_creds_files__split_command(void **state)
{
	char **argv;

	(void)state;
	assert_int_equal(bedrock__split_command(&argv,
			 "  /bin/tool 'a b' \"c \\\"d\\\" $e\" f\\ g h''i \"\" "), 0);
	assert_string_equal(argv[0], "/bin/tool");
	assert_string_equal(argv[1], "a b");
	assert_string_equal(argv[2], "c \"d\" $e");
	assert_string_equal(argv[3], "f g");
	assert_string_equal(argv[4], "hi");
	assert_string_equal(argv[5], "");
	assert_null(argv[6]);
	bedrock__argv_free(argv);
	assert_int_equal(bedrock__split_command(&argv, "tool 'open"), BEDROCK_ECONFIG);
	assert_int_equal(bedrock__split_command(&argv, "tool \"open"), BEDROCK_ECONFIG);
	assert_int_equal(bedrock__split_command(&argv, "   "), BEDROCK_ECONFIG);
	assert_int_equal(bedrock__split_command(&argv, "tool \\"), BEDROCK_ECONFIG);
}

static void test_creds_files__process_output(void **state)
{
	bedrock_credentials *c;
	bedrock_error_info err;
	const char *good = "{\"Version\": 1, \"AccessKeyId\": \"AKIDPROC\", \"SecretAccessKey\": \""
			   CANARY "\", \"SessionToken\": \"st\", \"Expiration\": "
			   "\"2030-01-01T00:00:00Z\", \"AccountId\": \"123456789012\"}";

	(void)state;
	assert_int_equal(bedrock__process_output_parse(&c, good, strlen(good), &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "AKIDPROC");
	assert_string_equal(bedrock_credentials_session_token(c), "st");
	assert_string_equal(bedrock_credentials_account_id(c), "123456789012");
	assert_int_equal(bedrock_credentials_expiration(c), 1893456000);
	bedrock_credentials_release(c);

#define BAD(json, code, what) do { \
		const char *j = json; \
		assert_int_equal(bedrock__process_output_parse(&c, j, strlen(j), &err), code); \
		assert_null(c); \
		assert_non_null(strstr(err.message, what)); \
		no_canary(&err); \
	} while (0)
	BAD("not json " CANARY, BEDROCK_EPROTOCOL, "not a JSON object");
	BAD("[1]", BEDROCK_EPROTOCOL, "not a JSON object");
	BAD("{\"Version\": 2, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" CANARY "\"}",
	    BEDROCK_EPROTOCOL, "Version");
	BAD("{\"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" CANARY "\"}", BEDROCK_EPROTOCOL,
	    "Version");
	BAD("{\"Version\": 1, \"SecretAccessKey\": \"" CANARY "\"}", BEDROCK_EPROTOCOL, "AccessKeyId");
	BAD("{\"Version\": 1, \"AccessKeyId\": \"A\"}", BEDROCK_EPROTOCOL, "SecretAccessKey");
	BAD("{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" CANARY
	    "\", \"Expiration\": \"soon\"}", BEDROCK_EPROTOCOL, "Expiration");
	BAD("{\"Version\": 1, \"AccessKeyId\": \"A\", \"SecretAccessKey\": \"" CANARY
	    "\", \"SessionToken\": \"a\\r\\nb\"}", BEDROCK_EINVAL, "CR or LF");
#undef BAD
}

static void test_creds_files__process_runs_without_shell(void **state)
{
	char script[400], args[400], text[1200];
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;
	char *seen;

	(void)state;
	snprintf(script, sizeof(script), "%s/my tool.sh", dir);
	snprintf(args, sizeof(args), "%s/args", dir);
	snprintf(text, sizeof(text),
		 "#!/bin/sh\nprintf '%%s|' \"$@\" > '%s'\n"
		 "echo '{\"Version\":1,\"AccessKeyId\":\"AKIDFROMPROCESS\","
		 "\"SecretAccessKey\":\"" CANARY "\",\"Expiration\":\"2031-01-01T00:00:00Z\"}'\n",
		 args);
	write_file(script, text, 0700);
	snprintf(text, sizeof(text),
		 "[profile proc]\ncredential_process = '%s' \"two words\" $HOME;echo\n", script);
	write_file(cfg_path, text, 0600);
	write_file(cred_path, "", 0600);
	p = process_provider("proc");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "AKIDFROMPROCESS");
	assert_string_equal(bedrock_credentials_provider(c), "process");
	assert_int_equal(bedrock_credentials_expiration(c), 1924992000);
	bedrock_credentials_release(c);
	/* No shell: "$HOME;echo" reaches the program as one literal word. */
	seen = harness_read_file(args, NULL);
	assert_string_equal(seen, "two words|$HOME;echo|");
	free(seen);
	bedrock_creds_provider_release(p);
}

static void test_creds_files__process_failures(void **state)
{
	char script[400], text[800];
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	snprintf(script, sizeof(script), "%s/fail.sh", dir);
	write_file(script, "#!/bin/sh\necho 'token expired, run aws sso login' >&2\n"
			   "echo '{\"SecretAccessKey\":\"" CANARY "\"}'\nexit 3\n", 0700);
	snprintf(text, sizeof(text), "[profile f]\ncredential_process = %s\n"
				     "[profile missing]\ncredential_process = %s/nope --x\n"
				     "[profile none]\nregion = us-east-1\n", script, dir);
	write_file(cfg_path, text, 0600);
	p = process_provider("f");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "exited with status 3"));
	assert_non_null(strstr(err.message, "run aws sso login"));
	no_canary(&err);
	bedrock_creds_provider_release(p);

	p = process_provider("missing");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "cannot run"));
	bedrock_creds_provider_release(p);

	p = process_provider("none");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	bedrock_creds_provider_release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_creds_files__profile_keys),
		cmocka_unit_test(test_creds_files__split_command),
		cmocka_unit_test(test_creds_files__process_output),
		cmocka_unit_test(test_creds_files__process_runs_without_shell),
		cmocka_unit_test(test_creds_files__process_failures),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
