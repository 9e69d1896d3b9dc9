/* Every kind of Google credentials, end to end to a Vertex AI call: the
 * loopback fake of Google's endpoints (tests/fakes/fake_google.py, which
 * verifies the JWTs, grants, exchanges and bearers it is sent) issues the
 * tokens, and `bedrock emulate --any-google-token` answers the Vertex
 * calls. Service account, authorized user, impersonation (of a service
 * account and of a user), workload identity (a subject-token file, a URL,
 * and then impersonation), the metadata server; and a token that nears
 * its expiry during a long stream is replaced before the next call. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "harness.h"

#define SONNET "claude-sonnet-4-5@20250929"

static harness_fake fake;
static harness_emulator emu;
static char home[200];
static char client_log[65536];

static void on_log(bedrock_log_level level, const char *line, void *payload)
{
	(void)level;
	(void)payload;
	if (strlen(client_log) + strlen(line) + 2 < sizeof(client_log)) {
		strcat(client_log, line);
		strcat(client_log, "\n");
	}
}

static int setup(void **state)
{
	static const char *const args[] = { "--any-google-token", NULL };

	(void)state;
	harness_fake_start_script(&fake, "fake_google.py");
	harness_emulator_start(&emu, args);
	snprintf(home, sizeof(home), "%s/home", fake.dir);
	mkdir(home, 0700);
	setenv("HOME", home, 1);
	setenv("NO_GCE_CHECK", "true", 1);
	unsetenv("GCE_METADATA_HOST");
	unsetenv("CLOUDSDK_CONFIG");
	unsetenv("CLOUD_ML_REGION");
	unsetenv("ANTHROPIC_VERTEX_PROJECT_ID");
	unsetenv("GOOGLE_CLOUD_PROJECT");
	unsetenv("ANTHROPIC_VERTEX_BASE_URL");
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	harness_fake_stop(&fake);
	return 0;
}

/* A Vertex client on the emulator whose credentials are the fake's file. */
static bedrock_client *client_with(const char *file)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;
	char path[300];

	if (file) {
		snprintf(path, sizeof(path), "%s/%s", fake.dir, file);
		setenv("GOOGLE_APPLICATION_CREDENTIALS", path, 1);
	} else {
		unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	}
	o.platform = BEDROCK_PLATFORM_VERTEX;
	o.region = "us-east5";
	o.project = "emulator-project";
	o.endpoint_url = emu.url;
	o.log = on_log;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static void ask(bedrock_client *c, const char *text, const char *why)
{
	bedrock_messages_request *req;
	bedrock_message *msg = NULL;
	bedrock_error_info err;
	char want[256];

	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, text, NULL), 0);
	if (bedrock_messages_create(&msg, c, SONNET, req, NULL, &err))
		fail_msg("%s: %s", why, err.message);
	snprintf(want, sizeof(want), "You said: %s", text);
	assert_string_equal(bedrock_message_content(msg, 0)->text, want);
	bedrock_message_free(msg);
	bedrock_messages_request_free(req);
}

/* How many requests the fake received at a path (its log: JSON lines). */
static int fake_hits(const char *path)
{
	char *log = harness_fake_log(&fake), *p = log, needle[128];
	int n = 0;

	snprintf(needle, sizeof(needle), "\"path\": \"%s", path);
	while ((p = strstr(p, needle)) != NULL) {
		n++;
		p += strlen(needle);
	}
	if (!n) {
		snprintf(needle, sizeof(needle), "\"path\":\"%s", path);
		for (p = log; (p = strstr(p, needle)) != NULL; p += strlen(needle))
			n++;
	}
	free(log);
	return n;
}

/* A copy of one of the fake's files ("X.json" -> "X.emu.json") whose
 * quota_project_id, if any, is the emulator's project. */
static const char *emu_copy(const char *file)
{
	static char name[128];
	char path[300], *text, *at, *q1, *q2;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", fake.dir, file);
	text = harness_read_file(path, NULL);
	assert_non_null(text);
	snprintf(name, sizeof(name), "%.*s.emu.json", (int)(strlen(file) - 5), file);
	snprintf(path, sizeof(path), "%s/%s", fake.dir, name);
	assert_non_null(f = fopen(path, "w"));
	if ((at = strstr(text, "\"quota_project_id\"")) != NULL &&
	    (q1 = strchr(at + 18, '"')) != NULL && (q2 = strchr(q1 + 1, '"')) != NULL)
		fprintf(f, "%.*s\"emulator-project\"%s", (int)(q1 - text), text, q2 + 1);
	else
		fputs(text, f);
	fclose(f);
	free(text);
	return name;
}

/* The fake's user file names a quota project, "proj-quota": it goes as
 * x-goog-user-project, which the emulator (as Vertex) refuses for a
 * project that is not its own; emu_copy() makes the files the other
 * tests use. */
static void quota_project_sent(void)
{
	bedrock_client *c = client_with("user.json");
	bedrock_messages_request *req;
	bedrock_message *msg = NULL;
	bedrock_error_info err;

	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hi", NULL), 0);
	assert_int_equal(bedrock_messages_create(&msg, c, SONNET, req, NULL, &err), BEDROCK_EAUTH);
	assert_string_equal(err.aws_code, "PERMISSION_DENIED");
	assert_non_null(strstr(err.message, "proj-quota"));
	bedrock_messages_request_free(req);
	bedrock_client_free(c);
}

static void test_vertex_credentials__each_kind(void **state)
{
	static const struct {
		const char *file, *endpoint, *why;
	} kinds[] = {
		{ "sa.json", "/token", "service account (RS256 JWT, verified by the fake)" },
		{ "user.json", "/token", "authorized user (refresh grant)" },
		{ "impersonated.json", "/iam/", "impersonated service account" },
		{ "external_file.json", "/sts", "workload identity, subject token from a file" },
		{ "external_url.json", "/sts", "workload identity, subject token from a URL" },
		{ "external_imp.json", "/iam/", "workload identity, then impersonation" },
	};
	size_t i;

	(void)state;
	quota_project_sent();
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		bedrock_client *c = client_with(emu_copy(kinds[i].file));
		int before;

		harness_fake_clear_log(&fake);
		before = fake_hits(kinds[i].endpoint);
		ask(c, "Hello from a credentials file", kinds[i].why);
		/* A second call reuses the cached token: no second exchange. */
		ask(c, "Hello again", kinds[i].why);
		if (fake_hits(kinds[i].endpoint) != before + 1)
			fail_msg("%s: %d exchanges at %s, want 1", kinds[i].why,
				 fake_hits(kinds[i].endpoint) - before, kinds[i].endpoint);
		assert_null(strstr(client_log, "ya29."));
		bedrock_client_free(c);
	}
}

static void test_vertex_credentials__metadata_server(void **state)
{
	bedrock_client *c;
	char host[64], project[128];
	const char *from;
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;

	(void)state;
	snprintf(host, sizeof(host), "127.0.0.1:%d", fake.port);
	setenv("GCE_METADATA_HOST", host, 1);
	unsetenv("NO_GCE_CHECK");
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	/* The project from the metadata server too: none is given. */
	harness_fake_set_state(&fake, "{\"metadata\":{\"project\":\"emulator-project\"}}");
	o.platform = BEDROCK_PLATFORM_VERTEX;
	o.region = "us-east5";
	o.endpoint_url = emu.url;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	ask(c, "Hello from GCE", "metadata server");
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err), 0);
	assert_string_equal(project, "emulator-project");
	assert_string_equal(from, "the credentials");
	bedrock_client_free(c);
	harness_fake_set_state(&fake, "{}");
	unsetenv("GCE_METADATA_HOST");
	setenv("NO_GCE_CHECK", "true", 1);
}

/* A token with 4 minutes left is refreshed ahead of its expiry (the
 * 3 min 45 s margin): a long stream ends with a still-valid token, and the
 * call after it gets a new one, without a refused request. */
static void test_vertex_credentials__refresh_across_a_long_stream(void **state)
{
	bedrock_client *c;
	bedrock_messages_request *req;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	bedrock_event ev;
	int rc, before;

	(void)state;
	harness_fake_set_state(&fake, "{\"token\":{\"expires_in\":227}}");
	c = client_with(emu_copy("sa.json"));
	harness_fake_clear_log(&fake);
	before = fake_hits("/token");
	ask(c, "Hello, first", "first call");
	assert_int_equal(fake_hits("/token"), before + 1);
	/* A stream slow enough to carry the token past the margin. */
	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "a long one [[emulate:fault=slow=300]]",
							   NULL), 0);
	assert_int_equal(bedrock_messages_stream(&s, c, SONNET, req, NULL, &err), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		;
	assert_int_equal(rc, BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	bedrock_messages_request_free(req);
	ask(c, "Hello, after", "the call after the stream");
	if (fake_hits("/token") != before + 2)
		fail_msg("%d token grants, want 2 (the second ahead of expiry)",
			 fake_hits("/token") - before);
	assert_null(strstr(client_log, "-> 401"));
	bedrock_client_free(c);
	harness_fake_set_state(&fake, "{}");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vertex_credentials__each_kind),
		cmocka_unit_test(test_vertex_credentials__metadata_server),
		cmocka_unit_test(test_vertex_credentials__refresh_across_a_long_stream),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
