/* Google credentials end to end against the loopback fake
 * (tests/fakes/fake_google.py, which verifies what it is sent): every
 * credential type to a token, the metadata server, the default chain's
 * order, refusals, unreachable endpoints, retries and cancellation. No
 * error message may carry a token or a key. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "json.h"

static harness_fake fake;
static char home[200], sa_key_slice[33];

static const char *env_vars[] = {
	"GOOGLE_APPLICATION_CREDENTIALS", "CLOUDSDK_CONFIG", "GCE_METADATA_HOST",
	"GCE_METADATA_ROOT", "GCE_METADATA_IP", "GCE_METADATA_TIMEOUT", "NO_GCE_CHECK",
	"METADATA_SERVER_DETECTION", "GOOGLE_CLOUD_QUOTA_PROJECT", "AWS_REGION",
	"AWS_DEFAULT_REGION", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
	"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "ALL_PROXY", "all_proxy",
};

static void clear_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(env_vars) / sizeof(env_vars[0]); i++)
		unsetenv(env_vars[i]);
	/* No real ~/.config/gcloud, and never the real metadata server. */
	setenv("HOME", home, 1);
	setenv("NO_GCE_CHECK", "true", 1);
}

static char *path_of(const char *name)
{
	static char buf[4][300];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", fake.dir, name);
	return buf[i];
}

static char *read_text(const char *path)
{
	char *s = harness_read_file(path, NULL);

	assert_non_null(s);
	return s;
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static int setup(void **state)
{
	char *sa;

	harness_fake_start_script(&fake, "fake_google.py");
	snprintf(home, sizeof(home), "%s/home", fake.dir);
	mkdir(home, 0700);
	sa = read_text(path_of("sa.json"));
	/* 32 characters from the middle of the private key's base64. */
	memcpy(sa_key_slice, strstr(sa, "PRIVATE KEY-----\\n") + 60, 32);
	free(sa);
	clear_env();
	return harness_setup(state);
}

static int teardown(void **state)
{
	harness_fake_stop(&fake);
	return harness_teardown(state);
}

/* An error message names no secret of the fake's files. */
static void assert_clean(const bedrock_error_info *err)
{
	assert_null(strstr(err->message, "ya29."));
	assert_null(strstr(err->message, sa_key_slice));
	assert_null(strstr(err->message, "user-client-secret-xyz"));
	assert_null(strstr(err->message, "1//user-refresh-token"));
	assert_null(strstr(err->message, "subject-token-abc"));
	assert_null(strstr(err->message, "aws-fake-secret"));
}

static int get(bedrock_google_provider *p, bedrock_google_token **t, bedrock_error_info *err)
{
	int rc = bedrock_google_provider_get(t, p, NULL, err);

	if (rc) {
		assert_null(*t);
		assert_int_equal(err->code, rc);
		assert_true(err->message[0] != '\0');
		assert_clean(err);
	}
	return rc;
}

static int count(const char *hay, const char *needle)
{
	int n = 0;

	while (hay && (hay = strstr(hay, needle)) != NULL) {
		n++;
		hay++;
	}
	return n;
}

static int log_count(const char *needle)
{
	char *log = harness_fake_log(&fake);
	int n = count(log, needle);

	free(log);
	return n;
}

static bedrock_google_provider *file_provider(const char *name)
{
	bedrock_google_provider *p = NULL;
	bedrock_error_info err;

	if (bedrock_google_provider_new_file(&p, path_of(name), &err))
		fail_msg("%s: %s", name, err.message);
	return p;
}

static void test_google_token__service_account(void **state)
{
	bedrock_google_provider *p = file_provider("sa.json");
	bedrock_google_token *t, *t2;
	bedrock_error_info err;
	char project[BEDROCK_GOOGLE_PROJECT_MAX], tok[64];
	int64_t now = (int64_t)time(NULL);

	(void)state;
	harness_fake_set_state(&fake, "{}");
	harness_fake_clear_log(&fake);
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.sa-", 8));
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_SERVICE_ACCOUNT);
	assert_string_equal(bedrock_google_credential_type_name(bedrock_google_token_type(t)),
			    "service_account");
	assert_string_equal(bedrock_google_token_source(t), "file");
	assert_string_equal(bedrock_google_token_file(t), path_of("sa.json"));
	assert_string_equal(bedrock_google_token_email(t), "sa-test@proj-test.iam.gserviceaccount.com");
	assert_string_equal(bedrock_google_token_key_id(t), "****4d2e");
	assert_string_equal(bedrock_google_token_project_id(t), "proj-sa");
	assert_null(bedrock_google_token_quota_project(t));
	assert_true(bedrock_google_token_expiry(t) >= now + 3590);
	assert_true(bedrock_google_token_expiry(t) <= now + 3610);
	/* The fake checked the JWT's signature and claims; the grant was a form. */
	assert_int_equal(log_count("\"grant_type\": \"urn:ietf:params:oauth:grant-type:jwt-bearer\""), 1);
	/* Cached: the same token, no second exchange. */
	snprintf(tok, sizeof(tok), "%s", bedrock_google_token_access_token(t));
	assert_int_equal(get(p, &t2, &err), 0);
	assert_string_equal(bedrock_google_token_access_token(t2), tok);
	assert_int_equal(log_count("\"path\": \"/token\""), 1);
	bedrock_google_token_release(t2);
	bedrock_google_token_release(t);
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), p, NULL, &err), 0);
	assert_string_equal(project, "proj-sa");
	assert_int_equal(bedrock_google_provider_project(project, 5, p, NULL, &err), BEDROCK_ELIMIT);
	/* After a 401, invalidate: the next get fetches a new token. */
	bedrock_google_provider_invalidate(p);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_not_equal(bedrock_google_token_access_token(t), tok);
	assert_int_equal(log_count("\"path\": \"/token\""), 2);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
}

static void test_google_token__authorized_user_and_quota(void **state)
{
	bedrock_google_provider *p = file_provider("user.json");
	bedrock_google_token *t;
	bedrock_error_info err;
	char project[BEDROCK_GOOGLE_PROJECT_MAX];

	(void)state;
	harness_fake_set_state(&fake, "{}");
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.user-", 10));
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_AUTHORIZED_USER);
	assert_null(bedrock_google_token_email(t));
	assert_null(bedrock_google_token_key_id(t));
	assert_null(bedrock_google_token_project_id(t));
	/* The x-goog-user-project value. */
	assert_string_equal(bedrock_google_token_quota_project(t), "proj-quota");
	bedrock_google_token_release(t);
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), p, NULL, &err), 0);
	assert_string_equal(project, "proj-quota");
	bedrock_google_provider_release(p);

	/* GOOGLE_CLOUD_QUOTA_PROJECT overrides the file's. */
	setenv("GOOGLE_CLOUD_QUOTA_PROJECT", "proj-env-quota", 1);
	p = file_provider("user.json");
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_quota_project(t), "proj-env-quota");
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	unsetenv("GOOGLE_CLOUD_QUOTA_PROJECT");
}

static void test_google_token__impersonated(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	char *log;

	(void)state;
	/* The fake checks the delegates and that the bearer is the source's token. */
	harness_fake_set_state(&fake, "{\"iam\": {\"source_prefix\": \"ya29.sa-\", \"delegates\": "
				      "[\"projects/-/serviceAccounts/hop@proj-test.iam.gserviceaccount.com\"], "
				      "\"lifetime\": \"3600s\"}}");
	harness_fake_clear_log(&fake);
	p = file_provider("impersonated.json");
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.imp-", 9));
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT);
	assert_string_equal(bedrock_google_token_email(t), "target@proj-test.iam.gserviceaccount.com");
	assert_string_equal(bedrock_google_token_quota_project(t), "proj-imp-quota");
	assert_true(bedrock_google_token_expiry(t) > (int64_t)time(NULL) + 3500);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	log = harness_fake_log(&fake);
	/* First the source token, then generateAccessToken. */
	assert_true(strstr(log, "\"/token\"") < strstr(log, ":generateAccessToken\""));
	free(log);

	harness_fake_set_state(&fake, "{\"iam\": {\"source_prefix\": \"ya29.user-\", \"delegates\": []}}");
	p = file_provider("impersonated_user.json");
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.imp-", 9));
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);

	/* IAM refuses: Google's API error shape in the message. */
	harness_fake_set_state(&fake, "{\"iam\": {\"status\": 403, \"error\": \"PERMISSION_DENIED\", "
				      "\"error_description\": \"Permission 'iam.serviceAccounts."
				      "getAccessToken' denied\"}}");
	p = file_provider("impersonated.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "impersonating target@proj-test.iam.gserviceaccount.com"));
	assert_non_null(strstr(err.message, "PERMISSION_DENIED: Permission 'iam.serviceAccounts."
				    "getAccessToken' denied (HTTP 403)"));
	assert_int_equal(err.http_status, 403);
	bedrock_google_provider_release(p);
}

static void test_google_token__external_account(void **state)
{
	static const char *files[] = { "external_file.json", "external_json.json", "external_url.json" };
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	size_t i;

	(void)state;
	harness_fake_set_state(&fake, "{}");
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		p = file_provider(files[i]);
		if (get(p, &t, &err))
			fail_msg("%s: %s", files[i], err.message);
		assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.sts-", 9));
		assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_EXTERNAL_ACCOUNT);
		bedrock_google_token_release(t);
		bedrock_google_provider_release(p);
	}
	/* The URL source's header is required by the fake. */
	harness_fake_set_state(&fake, "{\"subject\": {\"require_header\": \"something else\"}}");
	p = file_provider("external_url.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "the subject token URL"));
	assert_non_null(strstr(err.message, "HTTP 401"));
	bedrock_google_provider_release(p);
	/* STS refuses a subject token it does not expect. */
	harness_fake_set_state(&fake, "{\"sts\": {\"subject\": \"another-token\"}}");
	p = file_provider("external_file.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "invalid_grant: bad subject token"));
	assert_non_null(strstr(err.message, "external_account credentials in "));
	bedrock_google_provider_release(p);
	/* Then impersonation, with the file's lifetime, the STS token as the bearer. */
	harness_fake_set_state(&fake, "{\"iam\": {\"source_prefix\": \"ya29.sts-\", "
				      "\"lifetime\": \"1800s\"}}");
	p = file_provider("external_imp.json");
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.imp-", 9));
	assert_string_equal(bedrock_google_token_email(t), "target@proj-test.iam.gserviceaccount.com");
	assert_true(bedrock_google_token_expiry(t) < (int64_t)time(NULL) + 1900);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
}

static void test_google_token__external_aws(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;

	(void)state;
	/* From the metadata URLs: IMDSv2 session, region from the zone, the
	 * role's keys; the fake verifies the serialized request's SigV4. */
	harness_fake_set_state(&fake, "{}");
	harness_fake_clear_log(&fake);
	p = file_provider("external_aws.json");
	if (get(p, &t, &err))
		fail_msg("%s", err.message);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.sts-", 9));
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	assert_int_equal(log_count("\"path\": \"/latest/api/token\""), 1);
	assert_int_equal(log_count("\"path\": \"/latest/meta-data/iam/security-credentials/fake-role\""), 1);
	assert_int_equal(log_count("\"subject_token_type\": \"urn:ietf:params:aws:token-type:aws4_request\""), 1);

	/* From the environment: no metadata request at all. */
	setenv("AWS_REGION", "eu-west-1", 1);
	setenv("AWS_ACCESS_KEY_ID", "ASIAGOOGLEFAKE01", 1);
	setenv("AWS_SECRET_ACCESS_KEY", "aws-fake-secret", 1);
	setenv("AWS_SESSION_TOKEN", "aws-env-session", 1);
	harness_fake_set_state(&fake, "{\"sts\": {\"aws_region\": \"eu-west-1\", "
				      "\"aws_token\": \"aws-env-session\"}}");
	harness_fake_clear_log(&fake);
	p = file_provider("external_aws.json");
	if (get(p, &t, &err))
		fail_msg("%s", err.message);
	bedrock_google_token_release(t);
	assert_int_equal(log_count("/latest/"), 0);
	/* A wrong secret: the fake's own SigV4 check refuses it. */
	setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret", 1);
	bedrock_google_provider_invalidate(p);
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "AWS signature: signature mismatch"));
	assert_null(strstr(err.message, "not-the-secret"));
	bedrock_google_provider_release(p);
	unsetenv("AWS_REGION");
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
}

static void point_metadata_at_fake(void)
{
	char host[64];

	snprintf(host, sizeof(host), "127.0.0.1:%d", fake.port);
	setenv("GCE_METADATA_HOST", host, 1);
	unsetenv("NO_GCE_CHECK");
}

/* A port on 127.0.0.1 where nothing listens. */
static int closed_port(void)
{
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	int s = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
	port = ntohs(a.sin_port);
	close(s);
	return port;
}

static void test_google_token__metadata(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	char project[BEDROCK_GOOGLE_PROJECT_MAX], host[64];
	time_t t0;

	(void)state;
	harness_fake_set_state(&fake, "{\"metadata\": {\"email\": \"vm@proj-md.iam.gserviceaccount.com\"}}");
	point_metadata_at_fake();
	assert_int_equal(bedrock_google_provider_new_metadata(&p, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_true(!strncmp(bedrock_google_token_access_token(t), "ya29.md-", 8));
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_METADATA);
	assert_string_equal(bedrock_google_token_source(t), "metadata");
	assert_string_equal(bedrock_google_token_email(t), "vm@proj-md.iam.gserviceaccount.com");
	assert_string_equal(bedrock_google_token_project_id(t), "proj-md");
	bedrock_google_token_release(t);
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), p, NULL, &err), 0);
	assert_string_equal(project, "proj-md");
	/* Every request carried the flavor header (the fake refuses others). */
	assert_int_equal(log_count("\"metadata-flavor\": \"Google\""), log_count("/computeMetadata/v1/"));
	bedrock_google_provider_release(p);

	/* Something answers, but not with the flavor: not Google's. */
	harness_fake_set_state(&fake, "{\"metadata\": {\"flavor\": false}}");
	assert_int_equal(bedrock_google_provider_new_metadata(&p, &err), 0);
	assert_int_equal(get(p, &t, &err), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(err.message, "without \"Metadata-Flavor: Google\""));
	bedrock_google_provider_release(p);

	/* Nothing answers: not found, at once. */
	snprintf(host, sizeof(host), "http://127.0.0.1:%d/", closed_port());
	setenv("GCE_METADATA_HOST", host, 1);
	assert_int_equal(bedrock_google_provider_new_metadata(&p, &err), 0);
	t0 = time(NULL);
	assert_int_equal(get(p, &t, &err), BEDROCK_ENOTFOUND);
	assert_true(time(NULL) - t0 < 3);
	assert_non_null(strstr(err.message, "nothing answers at http://127.0.0.1:"));
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), p, NULL, &err),
			 BEDROCK_ENOTFOUND);
	bedrock_google_provider_release(p);
	unsetenv("GCE_METADATA_HOST");
	setenv("NO_GCE_CHECK", "true", 1);
}

static void test_google_token__metadata_probe_is_short(void **state)
{
	bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	struct sockaddr_in a;
	socklen_t l = sizeof(a);
	char host[64];
	struct timespec t0, t1;
	int s = socket(AF_INET, SOCK_STREAM, 0);
	double secs;

	(void)state;
	/* A listener that never answers (connections wait in its backlog). */
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(s, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(s, 8), 0);
	assert_int_equal(getsockname(s, (struct sockaddr *)&a, &l), 0);
	snprintf(host, sizeof(host), "127.0.0.1:%d", ntohs(a.sin_port));
	setenv("GCE_METADATA_HOST", host, 1);
	unsetenv("NO_GCE_CHECK");
	o.metadata_timeout_ms = 300;
	assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(get(p, &t, &err), BEDROCK_ENOTFOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 3.5);
	assert_non_null(strstr(err.message, "no Google credentials found"));
	/* Asked again soon after: no second wait. */
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(get(p, &t, &err), BEDROCK_ENOTFOUND);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 0.2);
	assert_non_null(strstr(err.message, "metadata server: none answered moments ago"));
	bedrock_google_provider_release(p);
	close(s);
	unsetenv("GCE_METADATA_HOST");
	setenv("NO_GCE_CHECK", "true", 1);
}

static void test_google_token__default_chain_order(void **state)
{
	bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	char gcloud[400], dir[300], *user;

	(void)state;
	harness_fake_set_state(&fake, "{}");
	/* gcloud's file, via CLOUDSDK_CONFIG and via ~/.config/gcloud. */
	user = read_text(path_of("user.json"));
	snprintf(dir, sizeof(dir), "%s/cloudsdk", fake.dir);
	mkdir(dir, 0700);
	snprintf(gcloud, sizeof(gcloud), "%s/application_default_credentials.json", dir);
	write_text(gcloud, user);
	snprintf(dir, sizeof(dir), "%s/.config", home);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/.config/gcloud", home);
	mkdir(dir, 0700);
	snprintf(gcloud, sizeof(gcloud), "%s/application_default_credentials.json", dir);
	write_text(gcloud, user);
	free(user);
	snprintf(dir, sizeof(dir), "%s/cloudsdk", fake.dir);

	/* 1. The options' token: nothing else is read. */
	setenv("GOOGLE_APPLICATION_CREDENTIALS", path_of("sa.json"), 1);
	o.access_token = "ya29.given-in-options";
	assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_access_token(t), "ya29.given-in-options");
	assert_string_equal(bedrock_google_token_source(t), "options");
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_ACCESS_TOKEN);
	assert_int_equal(bedrock_google_token_expiry(t), 0);
	bedrock_google_token_release(t);
	/* A bare token names no project. */
	assert_int_equal(bedrock_google_provider_project(dir, sizeof(dir), p, NULL, &err),
			 BEDROCK_ENOTFOUND);
	assert_string_equal(err.message, "google: the credentials name no project (no project_id "
			    "or quota_project_id)");
	bedrock_google_provider_release(p);
	snprintf(dir, sizeof(dir), "%s/cloudsdk", fake.dir);
	/* 1b. The options' file. */
	o.access_token = NULL;
	o.credentials_file = path_of("user.json");
	assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_source(t), "options");
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_AUTHORIZED_USER);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* 2. GOOGLE_APPLICATION_CREDENTIALS before gcloud's file. */
	setenv("CLOUDSDK_CONFIG", dir, 1);
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_source(t), "GOOGLE_APPLICATION_CREDENTIALS");
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_SERVICE_ACCOUNT);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* 3. $CLOUDSDK_CONFIG/application_default_credentials.json ... */
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_source(t), "gcloud");
	snprintf(dir, sizeof(dir), "%s/cloudsdk/application_default_credentials.json", fake.dir);
	assert_string_equal(bedrock_google_token_file(t), dir);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* ... else ~/.config/gcloud/application_default_credentials.json. */
	unsetenv("CLOUDSDK_CONFIG");
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_file(t), gcloud);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* 4. The metadata server last. */
	unlink(gcloud);
	point_metadata_at_fake();
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), 0);
	assert_string_equal(bedrock_google_token_source(t), "metadata");
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* Nothing anywhere: one message naming every place looked at. */
	setenv("NO_GCE_CHECK", "true", 1);
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), BEDROCK_ENOTFOUND);
	assert_non_null(strstr(err.message, "no Google credentials found (GOOGLE_APPLICATION_CREDENTIALS "
				    "is not set; no gcloud file "));
	assert_non_null(strstr(err.message, "metadata server: not asked (NO_GCE_CHECK"));
	assert_non_null(strstr(err.message, "gcloud auth application-default login"));
	bedrock_google_provider_release(p);
	unsetenv("GCE_METADATA_HOST");
}

static void test_google_token__bad_sources_stop_the_chain(void **state)
{
	bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
	bedrock_google_provider *p = NULL;
	bedrock_google_token *t;
	bedrock_error_info err;
	char bad[300];

	(void)state;
	/* A GOOGLE_APPLICATION_CREDENTIALS that cannot be read is an error,
	 * not a reason to look further. */
	setenv("GOOGLE_APPLICATION_CREDENTIALS", path_of("missing.json"), 1);
	assert_int_equal(bedrock_google_provider_new_default(&p, NULL, &err), 0);
	assert_int_equal(get(p, &t, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, path_of("missing.json")));
	assert_non_null(strstr(err.message, "cannot open it"));
	bedrock_google_provider_release(p);
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	/* A bad file named in the options fails at construction. */
	snprintf(bad, sizeof(bad), "%s", path_of("bad.json"));
	write_text(bad, "{\"type\": \"service_account\", \"client_email\": \"a@b\", "
			"\"private_key\": \"-----BEGIN PRIVATE KEY-----\\nAAAA\\n-----END PRIVATE KEY-----\\n\"}");
	o.credentials_file = bad;
	p = NULL;
	assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), BEDROCK_ECONFIG);
	assert_null(p);
	assert_non_null(strstr(err.message, bad));
	assert_non_null(strstr(err.message, "not an RSA private key in PEM"));
	assert_int_equal(bedrock_google_provider_new_file(&p, bad, &err), BEDROCK_ECONFIG);
	write_text(bad, "{\"type\": \"svc\"}");
	assert_int_equal(bedrock_google_provider_new_file(&p, bad, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "unknown type \"svc\""));
	o.version = 99;
	assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), BEDROCK_EINVAL);
	assert_int_equal(bedrock_google_provider_new_static_token(&p, "two words", &err), BEDROCK_EINVAL);
	assert_null(p);
}

/* sa.json with another token_uri, written to name. */
static const char *sa_with_token_uri(const char *name, const char *uri)
{
	char *text = read_text(path_of("sa.json"));
	cJSON *j = cJSON_Parse(text);
	char *out;
	const char *path = path_of(name);

	cJSON_ReplaceItemInObject(j, "token_uri", cJSON_CreateString(uri));
	out = cJSON_Print(j);
	write_text(path, out);
	cJSON_free(out);
	cJSON_Delete(j);
	free(text);
	return path;
}

static void test_google_token__refused_and_unreachable(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	char uri[100];

	(void)state;
	/* The token endpoint refuses: Google's error and description, the
	 * account and the key's last four, the file. */
	harness_fake_set_state(&fake, "{\"token\": {\"status\": 400, \"error\": \"invalid_grant\", "
				      "\"error_description\": \"Invalid JWT Signature.\"}}");
	p = file_provider("sa.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "service account sa-test@proj-test.iam.gserviceaccount.com "
				    "(key ****4d2e) in "));
	assert_non_null(strstr(err.message, "/token refused: invalid_grant: Invalid JWT Signature. "
				    "(HTTP 400)"));
	assert_string_equal(err.aws_code, "invalid_grant");
	assert_int_equal(err.http_status, 400);
	bedrock_google_provider_release(p);
	harness_fake_set_state(&fake, "{\"token\": {\"status\": 401, \"error\": \"invalid_client\", "
				      "\"error_description\": \"The OAuth client was not found.\"}}");
	p = file_provider("user.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "authorized_user credentials in "));
	assert_non_null(strstr(err.message, "invalid_client: The OAuth client was not found."));
	bedrock_google_provider_release(p);

	/* Unreachable: the connection's failure, naming the endpoint. */
	snprintf(uri, sizeof(uri), "http://127.0.0.1:%d/token", closed_port());
	assert_int_equal(bedrock_google_provider_new_file(&p, sa_with_token_uri("sa_closed.json", uri),
							  &err), 0);
	assert_int_equal(get(p, &t, &err), BEDROCK_EIO);
	assert_non_null(strstr(err.message, "service account sa-test@"));
	assert_non_null(strstr(err.message, uri));
	bedrock_google_provider_release(p);
}

static void test_google_token__retries(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;

	(void)state;
	/* Two 503s, then a token: google-auth retries, so do we. */
	harness_fake_set_state(&fake, "{\"token\": {\"fail_times\": 2}}");
	harness_fake_clear_log(&fake);
	p = file_provider("user.json");
	assert_int_equal(get(p, &t, &err), 0);
	assert_int_equal(log_count("\"path\": \"/token\""), 3);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	/* Always 503: three tries, then the error, retryable. */
	harness_fake_set_state(&fake, "{\"token\": {\"fail_times\": 100}}");
	harness_fake_clear_log(&fake);
	p = file_provider("user.json");
	assert_int_equal(get(p, &t, &err), BEDROCK_EHTTP);
	assert_true(err.retryable);
	assert_string_equal(err.aws_code, "temporarily_unavailable");
	assert_int_equal(log_count("\"path\": \"/token\""), 3);
	bedrock_google_provider_release(p);
}

static void *trigger_later(void *arg)
{
	struct timespec ts = { 0, 300000000L };

	nanosleep(&ts, NULL);
	bedrock_cancel_trigger(arg);
	return NULL;
}

static void test_google_token__cancel(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t = NULL;
	bedrock_error_info err;
	bedrock_cancel *cancel;
	pthread_t th;
	struct timespec t0, t1;
	double secs;

	(void)state;
	harness_fake_set_state(&fake, "{\"token\": {\"delay\": 8}}");
	p = file_provider("user.json");
	assert_int_equal(bedrock_cancel_new(&cancel), 0);
	assert_int_equal(pthread_create(&th, NULL, trigger_later, cancel), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(bedrock_google_provider_get(&t, p, cancel, &err), BEDROCK_ECANCELED);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	pthread_join(th, NULL);
	secs = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	assert_true(secs < 3.0);
	assert_null(t);
	/* Triggered before the call: it does not start. */
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_google_provider_get(&t, p, cancel, &err), BEDROCK_ECANCELED);
	assert_int_equal(log_count("/token"), 0);
	bedrock_cancel_free(cancel);
	bedrock_google_provider_release(p);
	harness_fake_set_state(&fake, "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google_token__service_account),
		cmocka_unit_test(test_google_token__authorized_user_and_quota),
		cmocka_unit_test(test_google_token__impersonated),
		cmocka_unit_test(test_google_token__external_account),
		cmocka_unit_test(test_google_token__external_aws),
		cmocka_unit_test(test_google_token__metadata),
		cmocka_unit_test(test_google_token__metadata_probe_is_short),
		cmocka_unit_test(test_google_token__default_chain_order),
		cmocka_unit_test(test_google_token__bad_sources_stop_the_chain),
		cmocka_unit_test(test_google_token__refused_and_unreachable),
		cmocka_unit_test(test_google_token__retries),
		cmocka_unit_test(test_google_token__cancel),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
