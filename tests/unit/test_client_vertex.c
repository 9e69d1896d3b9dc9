/* The client on Vertex AI: its URLs (pure), its set-up rules (location,
 * project, credentials), and the typed calls against `bedrock emulate`'s
 * Vertex front: create, stream (vertex_event skipped, the same final
 * message), count tokens with the model in the body, Google's and
 * Anthropic's error shapes, a 401 answered with one fresh token, the
 * Bedrock-only calls refused, the publisher model config reached through
 * bedrock_control_request, and no token in the client's log. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "vertex_url.h"

#define TOKEN "ya29.test-given-token-71c2e"
#define PROJECT "emulator-project"
#define SONNET "claude-sonnet-4-5@20250929"

static harness_emulator emu;
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
	static const char *const args[] = { "--google-token", TOKEN, NULL };

	(void)state;
	unsetenv("CLOUD_ML_REGION");
	unsetenv("ANTHROPIC_VERTEX_PROJECT_ID");
	unsetenv("GOOGLE_CLOUD_PROJECT");
	unsetenv("GCLOUD_PROJECT");
	unsetenv("ANTHROPIC_VERTEX_BASE_URL");
	unsetenv("GOOGLE_APPLICATION_CREDENTIALS");
	setenv("NO_GCE_CHECK", "true", 1);
	harness_emulator_start(&emu, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

static bedrock_client *vertex_client(const char *token, bedrock_google_provider *p, unsigned attempts)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.platform = BEDROCK_PLATFORM_VERTEX;
	o.region = "us-east5";
	o.project = PROJECT;
	o.endpoint_url = emu.url;
	o.auth_token = token;
	o.google_credentials = p;
	o.max_attempts = attempts;
	o.log = on_log;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static bedrock_messages_request *hello(const char *text)
{
	bedrock_messages_request *req;

	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, text, NULL), 0);
	return req;
}

/* ---- URLs ---------------------------------------------------------------- */

static void test_client_vertex__urls(void **state)
{
	char out[512];

	(void)state;
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "global", "v1"), 0);
	assert_string_equal(out, "https://aiplatform.googleapis.com/v1");
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "us", "v1"), 0);
	assert_string_equal(out, "https://aiplatform.us.rep.googleapis.com/v1");
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "eu", "v1beta1"), 0);
	assert_string_equal(out, "https://aiplatform.eu.rep.googleapis.com/v1beta1");
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "us-east5", NULL), 0);
	assert_string_equal(out, "https://us-east5-aiplatform.googleapis.com");
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "us-east5.evil.example", "v1"), -1);
	assert_int_equal(bedrock__vertex_base_url(out, sizeof(out), "", "v1"), -1);
	assert_int_equal(bedrock__vertex_base_url(out, 10, "global", "v1"), -1);

	assert_int_equal(bedrock__vertex_model_path(out, sizeof(out), "p", "global", SONNET,
						     "rawPredict"), 0);
	assert_string_equal(out, "/projects/p/locations/global/publishers/anthropic/models/"
				 "claude-sonnet-4-5@20250929:rawPredict");
	/* '@' stays as Vertex writes it; what would change the path is encoded. */
	assert_int_equal(bedrock__vertex_model_path(out, sizeof(out), "p", "us", "m/x;y?z",
						     "streamRawPredict"), 0);
	assert_string_equal(out, "/projects/p/locations/us/publishers/anthropic/models/"
				 "m%2Fx%3By%3Fz:streamRawPredict");
	assert_int_equal(bedrock__vertex_model_path(out, sizeof(out), "", "us", "m", "rawPredict"), -1);
	assert_int_equal(bedrock__vertex_model_path(out, 40, "p", "us", SONNET, "rawPredict"), -1);
}

/* ---- set-up -------------------------------------------------------------- */

static void test_client_vertex__setup(void **state)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c = NULL;
	char project[128];
	const char *from;

	(void)state;
	o.platform = BEDROCK_PLATFORM_VERTEX;
	o.auth_token = TOKEN;
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "CLOUD_ML_REGION"));
	assert_null(c);

	o.region = "us-east5/../x";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);

	setenv("CLOUD_ML_REGION", "europe-west1", 1);
	setenv("GOOGLE_CLOUD_PROJECT", "from-gcp-env", 1);
	o.region = NULL;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_region(c), "europe-west1");
	assert_string_equal(bedrock_client_endpoint(c), "https://europe-west1-aiplatform.googleapis.com/v1");
	assert_int_equal(bedrock_client_platform(c), BEDROCK_PLATFORM_VERTEX);
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err), 0);
	assert_string_equal(project, "from-gcp-env");
	assert_string_equal(from, "GOOGLE_CLOUD_PROJECT");
	assert_int_equal(bedrock_client_project(project, 4, &from, c, &err), BEDROCK_ELIMIT);
	bedrock_client_free(c);

	setenv("ANTHROPIC_VERTEX_PROJECT_ID", "from-anthropic-env", 1);
	o.region = "global";
	o.endpoint_url = "http://127.0.0.1:9";
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_endpoint(c), "http://127.0.0.1:9/v1");
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err), 0);
	assert_string_equal(from, "ANTHROPIC_VERTEX_PROJECT_ID");
	bedrock_client_free(c);

	/* ANTHROPIC_VERTEX_BASE_URL is taken as given (the SDKs add no /v1). */
	setenv("ANTHROPIC_VERTEX_BASE_URL", "http://127.0.0.1:9/gateway/vertex", 1);
	o.endpoint_url = NULL;
	o.project = "given";
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_endpoint(c), "http://127.0.0.1:9/gateway/vertex");
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err), 0);
	assert_string_equal(project, "given");
	assert_string_equal(from, "the options");
	bedrock_client_free(c);
	unsetenv("ANTHROPIC_VERTEX_BASE_URL");
	unsetenv("ANTHROPIC_VERTEX_PROJECT_ID");
	unsetenv("GOOGLE_CLOUD_PROJECT");
	unsetenv("CLOUD_ML_REGION");

	/* No project anywhere and no credentials: the credentials are named. */
	o.project = NULL;
	o.auth_token = NULL;
	setenv("HOME", "/nonexistent", 1);
	setenv("CLOUDSDK_CONFIG", "/nonexistent", 1);
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err),
			 BEDROCK_ENOTFOUND);
	assert_non_null(strstr(err.message, "GOOGLE_APPLICATION_CREDENTIALS"));
	bedrock_client_free(c);
	/* A fixed token names no project. */
	o.auth_token = TOKEN;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_int_equal(bedrock_client_project(project, sizeof(project), &from, c, &err),
			 BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "GOOGLE_CLOUD_PROJECT"));
	bedrock_client_free(c);
}

/* ---- calls --------------------------------------------------------------- */

static void test_client_vertex__create_stream_count(void **state)
{
	bedrock_client *c = vertex_client(TOKEN, NULL, 1);
	bedrock_messages_request *req = hello("Hello, world");
	bedrock_message_accumulator *acc;
	bedrock_messages_event se = BEDROCK_MESSAGES_EVENT_INIT;
	bedrock_message *msg = NULL, *streamed = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	bedrock_event ev;
	uint64_t tokens = 0;
	char text[1024] = "";
	int rc, events = 0;

	(void)state;
	client_log[0] = '\0';
	assert_int_equal(bedrock_messages_create(&msg, c, "sonnet-4.5", req, NULL, &err), 0);
	assert_non_null(strstr(bedrock_message_id(msg), "msg_vrtx_"));
	assert_string_equal(bedrock_message_content(msg, 0)->text, "You said: Hello, world");

	assert_int_equal(bedrock_messages_stream(&s, c, SONNET, req, NULL, &err), 0);
	assert_non_null(strstr(bedrock_stream_request_id(s), "req_vrtx_"));
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0) {
		events++;
		if (!strcmp(ev.event_type, "vertex_event") || !strcmp(ev.event_type, "ping"))
			fail_msg("bedrock_stream_next returned a %s event", ev.event_type);
		if (ev.text)
			strncat(text, ev.text, ev.text_len);
		assert_int_equal(bedrock_messages_event_parse(&se, ev.json, ev.json_len), 0);
		assert_int_equal(bedrock_message_accumulator_feed(acc, &se), 0);
	}
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_true(events >= 5);
	assert_string_equal(text, "You said: Hello, world");
	assert_int_equal(bedrock_message_accumulator_message(&streamed, acc), 0);
	assert_string_equal(bedrock_message_content(streamed, 0)->text,
			    bedrock_message_content(msg, 0)->text);
	bedrock_messages_event_dispose(&se);
	bedrock_message_accumulator_free(acc);
	bedrock_stream_free(s);

	assert_int_equal(bedrock_messages_count_tokens(&tokens, c, "sonnet-4.5", req, NULL, &err), 0);
	assert_true(tokens > 0);

	/* Paths as on the real service; the token never in the log. */
	assert_non_null(strstr(client_log, "/projects/" PROJECT "/locations/us-east5/publishers/"
					   "anthropic/models/" SONNET ":rawPredict -> 200"));
	assert_non_null(strstr(client_log, SONNET ":streamRawPredict -> 200"));
	assert_non_null(strstr(client_log, "models/count-tokens:rawPredict -> 200"));
	assert_null(strstr(client_log, TOKEN));
	bedrock_message_free(msg);
	bedrock_message_free(streamed);
	bedrock_messages_request_free(req);
	bedrock_client_free(c);
}

static void test_client_vertex__errors(void **state)
{
	bedrock_client *c = vertex_client(TOKEN, NULL, 1);
	bedrock_messages_request *req = hello("Hi [[emulate:fault=throttle]]");
	bedrock_message *msg = NULL;
	bedrock_stream *s = NULL;
	bedrock_response *r = NULL;
	bedrock_error_info err;
	bedrock_event ev;

	(void)state;
	/* Google's shape, and wrapped in an array on the streaming method. */
	assert_int_equal(bedrock_messages_create(&msg, c, SONNET, req, NULL, &err), BEDROCK_ETHROTTLED);
	assert_string_equal(err.aws_code, "RESOURCE_EXHAUSTED");
	assert_int_equal(err.http_status, 429);
	assert_int_equal(err.retryable, 1);
	assert_non_null(strstr(err.message, "Quota exceeded"));
	assert_int_equal(bedrock_messages_stream(&s, c, SONNET, req, NULL, &err), BEDROCK_ETHROTTLED);
	assert_string_equal(err.aws_code, "RESOURCE_EXHAUSTED");
	assert_null(s);
	bedrock_messages_request_free(req);

	/* Anthropic's own, passed through, with the request id. */
	req = hello("Hi [[emulate:fault=overloaded]]");
	assert_int_equal(bedrock_messages_create(&msg, c, SONNET, req, NULL, &err), BEDROCK_EHTTP);
	assert_string_equal(err.aws_code, "overloaded_error");
	assert_int_equal(err.http_status, 529);
	assert_int_equal(err.retryable, 1);
	assert_non_null(strstr(err.request_id, "req_vrtx_"));
	bedrock_messages_request_free(req);

	/* Mid-stream: a typed error event. */
	req = hello("Hello there [[emulate:fault=stream-exception=serviceUnavailableException]]");
	assert_int_equal(bedrock_messages_stream(&s, c, SONNET, req, NULL, &err), 0);
	while (bedrock_stream_next(&ev, s, &err) == 0)
		;
	assert_string_equal(err.aws_code, "overloaded_error");
	bedrock_stream_free(s);
	bedrock_messages_request_free(req);

	/* An unknown project: Google's 403. */
	req = hello("Hi");
	{
		bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
		bedrock_client *other;

		o.platform = BEDROCK_PLATFORM_VERTEX;
		o.region = "global";
		o.project = "someone-elses";
		o.endpoint_url = emu.url;
		o.auth_token = TOKEN;
		assert_int_equal(bedrock_client_new(&other, &o, &err), 0);
		assert_int_equal(bedrock_messages_create(&msg, other, SONNET, req, NULL, &err), BEDROCK_EAUTH);
		assert_string_equal(err.aws_code, "PERMISSION_DENIED");
		bedrock_client_free(other);
	}
	bedrock_messages_request_free(req);

	/* Bedrock's operations are not Vertex's: refused before sending. */
	assert_int_equal(bedrock_invoke_model(&r, c, SONNET, "{}", 2, NULL, &err), BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_converse(&r, c, SONNET, "{}", 2, NULL, &err), BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_control_request(&r, c, "GET", "/foundation-models", NULL, 0, &err),
			 BEDROCK_ENOTSUP);
	bedrock_client_free(c);
}

/* ---- a token refused: one fresh one -------------------------------------- */

typedef struct rotating {
	int gets, revoked;	/* revoked: every token is a revoked one */
} rotating;

static rotating rot;

static int rot_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		   bedrock_error_info *err)
{
	rotating *r = impl;

	(void)cancel;
	(void)err;
	r->gets++;
	/* A revoked token first; the right one once asked again. */
	return bedrock_google_token_new(out, r->gets == 1 || r->revoked ? "ya29.revoked-token" : TOKEN,
					0);
}

static void test_client_vertex__reauth(void **state)
{
	static const bedrock_google_provider_vtable vt = { BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION,
							   "rotating", rot_get, NULL, NULL };
	bedrock_google_provider *p;
	bedrock_client *c;
	bedrock_messages_request *req = hello("Hello again");
	bedrock_message *msg = NULL;
	bedrock_error_info err;

	(void)state;
	assert_int_equal(bedrock_google_provider_new(&p, &vt, &rot), 0);
	c = vertex_client(NULL, p, 1);
	bedrock_google_provider_release(p);
	client_log[0] = '\0';
	/* One attempt allowed, yet the call succeeds: a 401 is not counted. */
	if (bedrock_messages_create(&msg, c, SONNET, req, NULL, &err))
		fail_msg("%s (gets %d)\n%s", err.message, rot.gets, client_log);
	assert_int_equal(rot.gets, 2);
	assert_non_null(strstr(client_log, "401: a fresh token, once"));
	assert_null(strstr(client_log, "ya29.revoked-token"));
	bedrock_message_free(msg);

	/* Refused twice: the second 401 is the answer. */
	rot.revoked = 1;
	assert_int_equal(bedrock_messages_create(&msg, c, SONNET, req, NULL, &err), BEDROCK_EAUTH);
	assert_int_equal(err.http_status, 401);
	assert_string_equal(err.aws_code, "UNAUTHENTICATED");
	bedrock_messages_request_free(req);
	bedrock_client_free(c);
}

static void test_client_vertex__control(void **state)
{
	bedrock_client *c = vertex_client(TOKEN, NULL, 1);
	bedrock_response *r = NULL;
	bedrock_error_info err;
	const char *set = "{\"publisherModelConfig\":{\"loggingConfig\":{\"enabled\":true,"
			  "\"samplingRate\":0.5,\"bigqueryDestination\":{\"outputUri\":"
			  "\"bq://emulator-project.logs.claude\"}}}}";
	const char *path = "/v1beta1/projects/" PROJECT "/locations/us-east5/publishers/anthropic/"
			   "models/" SONNET;
	char url[512];
	size_t len;

	(void)state;
	snprintf(url, sizeof(url), "%s:setPublisherModelConfig", path);
	assert_int_equal(bedrock_control_request(&r, c, "POST", url, set, strlen(set), &err), 0);
	bedrock_response_free(r);
	snprintf(url, sizeof(url), "%s:fetchPublisherModelConfig", path);
	assert_int_equal(bedrock_control_request(&r, c, "GET", url, NULL, 0, &err), 0);
	assert_non_null(strstr(bedrock_response_body(r, &len), "bq://emulator-project.logs.claude"));
	bedrock_response_free(r);
	assert_int_equal(bedrock_control_request(&r, c, "GET", "/foundation-models", NULL, 0, &err),
			 BEDROCK_ENOTSUP);
	bedrock_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_vertex__urls),
		cmocka_unit_test(test_client_vertex__setup),
		cmocka_unit_test(test_client_vertex__create_stream_count),
		cmocka_unit_test(test_client_vertex__errors),
		cmocka_unit_test(test_client_vertex__reauth),
		cmocka_unit_test(test_client_vertex__control),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
