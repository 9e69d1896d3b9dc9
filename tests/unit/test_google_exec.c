/* Workload and workforce identity beyond files and URLs, against the
 * loopback fake of Google's endpoints: executable-sourced credentials (a
 * small shell script as the program: allowed only with
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1, run without a shell with
 * its arguments and Google's variables, its answer exchanged at STS, its
 * output_file reused while unexpired, a failed answer, a bad exit, too
 * much output, a hang killed at timeout_millis) and
 * external_account_authorized_user (the refresh grant with HTTP Basic
 * client authentication). And the answer reader on its own. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "alloc.h"
#include "google_private.h"

static harness_fake fake;

static const char script[] =
	"#!/bin/sh\n"
	"d=$(dirname \"$0\")\n"
	"echo run >> \"$d/exec_runs\"\n"
	"env | grep '^GOOGLE_EXTERNAL_ACCOUNT_' | sort > \"$d/exec_env\"\n"
	"echo \"$@\" > \"$d/exec_args\"\n"
	"case \"$(cat \"$d/exec_mode\" 2>/dev/null)\" in\n"
	"sleep) exec sleep 30 ;;\n"
	"fail) echo '{\"version\": 1, \"success\": false, \"code\": \"401\", "
	"\"message\": \"Caller not authorized.\"}'; exit 0 ;;\n"
	"exit) echo 'no token today' >&2; exit 3 ;;\n"
	"big) head -c 100000 /dev/zero | tr '\\0' a; exit 0 ;;\n"
	"esac\n"
	"exp=$(( $(date +%s) + 3600 ))\n"
	"r=\"{\\\"version\\\": 1, \\\"success\\\": true, \\\"token_type\\\": "
	"\\\"urn:ietf:params:oauth:token-type:id_token\\\", \\\"id_token\\\": "
	"\\\"subject-token-abc\\\", \\\"expiration_time\\\": $exp}\"\n"
	"[ -n \"$GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE\" ] && "
	"printf '%s' \"$r\" > \"$GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE\"\n"
	"printf '%s\\n' \"$r\"\n";

static void write_file(const char *name, const char *text)
{
	char path[300];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void remove_file(const char *name)
{
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", fake.dir, name);
	unlink(path);
}

static int runs(void)
{
	char path[300], *text;
	int n = 0;

	snprintf(path, sizeof(path), "%s/exec_runs", fake.dir);
	text = harness_read_file(path, NULL);
	for (const char *p = text; p && (p = strstr(p, "run")) != NULL; p += 3)
		n++;
	free(text);
	return n;
}

static int setup(void **state)
{
	char path[300];

	(void)state;
	harness_fake_start_script(&fake, "fake_google.py");
	write_file("subject_exec.sh", script);
	snprintf(path, sizeof(path), "%s/subject_exec.sh", fake.dir);
	chmod(path, 0700);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	unsetenv("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
	harness_fake_stop(&fake);
	return 0;
}

/* A token from the fake's file through a new provider; the code. */
static int get(const char *file, bedrock_error_info *err, char *tok, size_t cap)
{
	bedrock_google_provider *p = NULL;
	bedrock_google_token *t = NULL;
	char path[300];
	int rc;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, file);
	rc = bedrock_google_provider_new_file(&p, path, err);
	if (rc)
		return rc;
	rc = bedrock_google_provider_get(&t, p, NULL, err);
	if (!rc && tok)
		snprintf(tok, cap, "%s", bedrock_google_token_access_token(t));
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	return rc;
}

static void test_google_exec__needs_permission(void **state)
{
	bedrock_error_info err;

	(void)state;
	unsetenv("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
	remove_file("exec_runs");
	assert_int_equal(get("external_exec.json", &err, NULL, 0), BEDROCK_ENOTSUP);
	assert_non_null(strstr(err.message, "GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1"));
	setenv("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "true", 1);
	assert_int_equal(get("external_exec.json", &err, NULL, 0), BEDROCK_ENOTSUP);
	assert_int_equal(runs(), 0);
}

static void test_google_exec__runs_and_reuses_output(void **state)
{
	bedrock_error_info err;
	char tok[256], path[300], *env, *args, want[400];

	(void)state;
	setenv("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1", 1);
	setenv("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE", "1", 1);	/* ours wins */
	remove_file("exec_runs");
	remove_file("exec_out.json");
	remove_file("exec_mode");
	if (get("external_exec.json", &err, tok, sizeof(tok)))
		fail_msg("%s", err.message);
	assert_int_equal(strncmp(tok, "ya29.sts-", 9), 0);	/* STS took its subject token */
	assert_int_equal(runs(), 1);
	snprintf(path, sizeof(path), "%s/exec_args", fake.dir);
	args = harness_read_file(path, NULL);
	assert_string_equal(args, "--flag\n");
	snprintf(path, sizeof(path), "%s/exec_env", fake.dir);
	env = harness_read_file(path, NULL);
	assert_non_null(strstr(env, "GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=//iam.googleapis.com/projects/"
			       "123/locations/global/workloadIdentityPools/p/providers/q\n"));
	assert_non_null(strstr(env, "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE=urn:ietf:params:oauth:"
			       "token-type:id_token\n"));
	assert_non_null(strstr(env, "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=0\n"));
	assert_null(strstr(env, "GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=1"));
	snprintf(want, sizeof(want), "GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE=%s/exec_out.json\n",
		 fake.dir);
	assert_non_null(strstr(env, want));
	free(env);
	free(args);
	unsetenv("GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE");

	/* The output file holds an unexpired answer: not run again. */
	assert_int_equal(get("external_exec.json", &err, tok, sizeof(tok)), 0);
	assert_int_equal(runs(), 1);
	/* An expired one there: run again. */
	write_file("exec_out.json", "{\"version\": 1, \"success\": true, \"token_type\": "
		   "\"urn:ietf:params:oauth:token-type:id_token\", \"id_token\": \"old\", "
		   "\"expiration_time\": 1000}");
	assert_int_equal(get("external_exec.json", &err, tok, sizeof(tok)), 0);
	assert_int_equal(runs(), 2);
	/* A malformed one there is an error, as in google-auth. */
	write_file("exec_out.json", "{\"version\": 1}");
	assert_int_equal(get("external_exec.json", &err, tok, sizeof(tok)), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(err.message, "exec_out.json"));
	remove_file("exec_out.json");
}

static void test_google_exec__failures(void **state)
{
	static const struct { const char *mode; int code; const char *what; } cases[] = {
		{ "fail", BEDROCK_EAUTH, "says it failed: code 401, message Caller not authorized." },
		{ "exit", BEDROCK_EAUTH, "exited with status 3" },
		{ "big", BEDROCK_EPROTOCOL, "printed more than 64 KiB" },
		{ "sleep", BEDROCK_ETIMEOUT, "did not finish within 5000 ms" },
	};
	bedrock_error_info err;
	size_t i;

	(void)state;
	setenv("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES", "1", 1);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		time_t t0 = time(NULL);

		remove_file("exec_out.json");
		write_file("exec_mode", cases[i].mode);
		assert_int_equal(get("external_exec.json", &err, NULL, 0), cases[i].code);
		if (!strstr(err.message, cases[i].what))
			fail_msg("%s: %s", cases[i].mode, err.message);
		/* The hang was killed at its limit, not waited out. */
		assert_true(time(NULL) - t0 < 15);
	}
	remove_file("exec_mode");
}

/* The answer reader alone: each rule of the spec. */
static void test_google_exec__answers(void **state)
{
	static const struct { const char *json; int code; const char *what; } cases[] = {
		{ "{\"version\": 1, \"success\": true, \"token_type\": "
		  "\"urn:ietf:params:oauth:token-type:saml2\", \"saml_response\": \"PHNhbWw+\", "
		  "\"expiration_time\": 5000}", 0, "PHNhbWw+" },
		{ "{\"version\": 1, \"success\": true, \"token_type\": "
		  "\"urn:ietf:params:oauth:token-type:jwt\", \"id_token\": \"h.p.s\"}", 0, "h.p.s" },
		{ "{\"version\": 2, \"success\": true}", BEDROCK_ENOTSUP, "version 2" },
		{ "{\"success\": true}", BEDROCK_EPROTOCOL, "no \"version\" or \"success\"" },
		{ "{\"version\": 1, \"success\": true, \"token_type\": \"x\", \"id_token\": \"t\"}",
		  BEDROCK_EPROTOCOL, "unknown token_type" },
		{ "{\"version\": 1, \"success\": true, \"token_type\": "
		  "\"urn:ietf:params:oauth:token-type:jwt\"}", BEDROCK_EPROTOCOL, "no id_token" },
		{ "{\"version\": 1, \"success\": true, \"token_type\": "
		  "\"urn:ietf:params:oauth:token-type:jwt\", \"id_token\": \"t\", "
		  "\"expiration_time\": 999}", BEDROCK_EAUTH, "has expired" },
		{ "[1]", BEDROCK_EPROTOCOL, "not a JSON object" },
	};
	bedrock__google_file f;
	bedrock_error_info err;
	size_t i;

	(void)state;
	memset(&f, 0, sizeof(f));
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *tok = NULL;
		int64_t exp;
		int rc = bedrock__google_exec_response(&tok, &exp, cases[i].json,
						       strlen(cases[i].json), &f, 1000, "the output",
						       "test", &err);

		assert_int_equal(rc, cases[i].code);
		if (rc == 0)
			assert_string_equal(tok, cases[i].what);
		else if (!strstr(err.message, cases[i].what))
			fail_msg("case %zu: %s", i, err.message);
		bedrock__free(tok);
	}
	/* With an output_file, expiration_time is required. */
	f.exec_output_file = "/tmp/out.json";
	{
		const char *j = "{\"version\": 1, \"success\": true, \"token_type\": "
				"\"urn:ietf:params:oauth:token-type:jwt\", \"id_token\": \"t\"}";
		char *tok = NULL;
		int64_t exp;

		assert_int_equal(bedrock__google_exec_response(&tok, &exp, j, strlen(j), &f, 1000,
							       "x", "test", &err), BEDROCK_EPROTOCOL);
		assert_non_null(strstr(err.message, "expiration_time"));
	}
}

static void test_google_exec__workforce_user(void **state)
{
	bedrock_google_provider *p = NULL;
	bedrock_google_token *t = NULL;
	bedrock_error_info err;
	char path[300], *log;

	(void)state;
	harness_fake_clear_log(&fake);
	snprintf(path, sizeof(path), "%s/external_user.json", fake.dir);
	assert_int_equal(bedrock_google_provider_new_file(&p, path, &err), 0);
	if (bedrock_google_provider_get(&t, p, NULL, &err))
		fail_msg("%s", err.message);
	assert_int_equal(strncmp(bedrock_google_token_access_token(t), "ya29.wf-", 8), 0);
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER);
	assert_string_equal(bedrock_google_credential_type_name(bedrock_google_token_type(t)),
			    "external_account_authorized_user");
	assert_string_equal(bedrock_google_token_quota_project(t), "proj-workforce");
	log = harness_read_file(fake.log, NULL);
	assert_non_null(strstr(log, "\"path\": \"/sts/v1/oauthtoken\""));
	assert_non_null(strstr(log, "\"auth_scheme\": \"Basic\""));
	free(log);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);

	/* The endpoint's refusal is Google's error, typed. */
	harness_fake_set_state(&fake, "{\"oauthtoken\": {\"status\": 400, \"error\": "
			       "\"invalid_grant\", \"error_description\": \"expired\"}}");
	assert_int_equal(bedrock_google_provider_new_file(&p, path, &err), 0);
	assert_int_equal(bedrock_google_provider_get(&t, p, NULL, &err), BEDROCK_EAUTH);
	assert_string_equal(err.aws_code, "invalid_grant");
	assert_null(strstr(err.message, "workforce-refresh-token"));
	assert_null(strstr(err.message, "workforce-client-secret"));
	bedrock_google_provider_release(p);
	harness_fake_set_state(&fake, "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_google_exec__needs_permission, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_exec__runs_and_reuses_output,
						harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_exec__failures, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_exec__answers, harness_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_exec__workforce_user, harness_setup,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
