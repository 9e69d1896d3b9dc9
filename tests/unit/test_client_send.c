/* Raw Messages bodies on every platform (bedrock_messages_send, _stream,
 * _count_tokens) against `bedrock emulate`'s three fronts: the answer's
 * bytes as the service wrote them, every SSE event passed through (ping,
 * vertex_event) with its name and data, Bedrock frames with the frame
 * itself, CountTokens' base64 wrapping, the model set in the body where
 * the platform wants it, the same token count on every platform, errors
 * typed as the typed calls type them, and betas refused where they cannot
 * go. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define TOKEN "ya29.test-send-token-5b1"
#define PROFILE "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define API_ID "claude-sonnet-4-5-20250929"
#define VERTEX_ID "claude-sonnet-4-5@20250929"

static harness_emulator emu;

static const char bedrock_body[] =
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";
static const char api_body[] =
	"{\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";
static const char api_stream_body[] =
	"{\"max_tokens\":64,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";
static const char vertex_body[] =
	"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";
static const char vertex_stream_body[] =
	"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"stream\":true,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";

/* count_tokens takes no max_tokens (what shapes the output is refused). */
static const char api_count_body[] =
	"{\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";
static const char vertex_count_body[] =
	"{\"anthropic_version\":\"vertex-2023-10-16\","
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there, how are you?\"}]}";

static int setup(void **state)
{
	static const char *const args[] = { "--google-token", TOKEN, NULL };

	(void)state;
	unsetenv("ANTHROPIC_API_KEY");
	unsetenv("ANTHROPIC_AUTH_TOKEN");
	unsetenv("ANTHROPIC_BASE_URL");
	unsetenv("ANTHROPIC_VERTEX_BASE_URL");
	unsetenv("CLOUD_ML_REGION");
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

static bedrock_client *client(bedrock_platform p)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.platform = p;
	o.endpoint_url = emu.url;
	o.max_attempts = 1;
	if (p == BEDROCK_PLATFORM_BEDROCK) {
		o.region = "us-east-1";
		o.access_key_id = "AKIDEXAMPLE";
		o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	} else if (p == BEDROCK_PLATFORM_ANTHROPIC) {
		o.api_key = "sk-ant-emulator-key";
	} else {
		o.region = "us-east5";
		o.project = "emulator-project";
		o.auth_token = TOKEN;
	}
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

/* The events of a stream: names joined with ',' into names, text of the
 * deltas (parsed here: raw events carry none) appended to text. */
static int drain(bedrock_stream *s, char *names, size_t cap, int *frames, bedrock_error_info *err)
{
	bedrock_event ev;
	int rc;

	names[0] = '\0';
	*frames = 0;
	while ((rc = bedrock_stream_next(&ev, s, err)) == 0) {
		assert_non_null(ev.event_type);
		assert_non_null(ev.json);
		if (ev.message)
			(*frames)++;
		if (strlen(names) + strlen(ev.event_type) + 2 < cap) {
			strcat(names, ev.event_type);
			strcat(names, ",");
		}
		if (ev.type && strcmp(ev.event_type, "chunk"))
			assert_string_equal(ev.type, ev.event_type);
		if (!ev.message)
			assert_null(ev.text);
	}
	return rc;
}

static uint64_t count_of(bedrock_response *r, const char *key)
{
	size_t len;
	const char *body = bedrock_response_body(r, &len);
	const char *p = strstr(body, key);

	assert_non_null(p);
	return strtoull(p + strlen(key) + 1, NULL, 10);
}

static void test_client_send__bedrock(void **state)
{
	bedrock_client *c = client(BEDROCK_PLATFORM_BEDROCK);
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	char names[4096];
	size_t len;
	int frames;

	(void)state;
	assert_int_equal(bedrock_messages_send(&r, c, PROFILE, bedrock_body, strlen(bedrock_body),
					       NULL, NULL, &err), 0);
	assert_int_equal(bedrock_response_status(r), 200);
	assert_non_null(strstr(bedrock_response_body(r, &len), "\"type\":\"message\""));
	bedrock_response_free(r);

	/* Betas travel in the body on Bedrock: a header value is a mistake. */
	assert_int_equal(bedrock_messages_send(&r, c, PROFILE, bedrock_body, strlen(bedrock_body),
					       "context-1m-2025-08-07", NULL, &err), BEDROCK_EINVAL);
	assert_non_null(strstr(err.message, "anthropic_beta"));
	assert_null(r);

	assert_int_equal(bedrock_messages_send_stream(&s, c, PROFILE, bedrock_body,
						      strlen(bedrock_body), NULL, NULL, &err), 0);
	assert_int_equal(drain(s, names, sizeof(names), &frames, &err), BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	assert_true(frames > 3);
	assert_int_equal(strncmp(names, "chunk,chunk,", 12), 0);

	/* A profile id is counted as its base model (CountTokens wants it),
	 * the body wrapped in base64. */
	assert_int_equal(bedrock_messages_send_count_tokens(&r, c, PROFILE, bedrock_body,
							    strlen(bedrock_body), NULL, NULL, &err),
			 0);
	assert_true(count_of(r, "\"inputTokens\"") > 0);
	bedrock_response_free(r);
	bedrock_client_free(c);
}

static void test_client_send__anthropic(void **state)
{
	bedrock_client *c = client(BEDROCK_PLATFORM_ANTHROPIC);
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	char names[4096];
	size_t len;
	int frames;

	(void)state;
	/* The model goes into the body, which had none. */
	assert_int_equal(bedrock_messages_send(&r, c, API_ID, api_body, strlen(api_body), NULL, NULL,
					       &err), 0);
	assert_int_equal(bedrock_response_status(r), 200);
	assert_non_null(strstr(bedrock_response_body(r, &len), "\"model\":\"" API_ID "\""));
	assert_non_null(strstr(bedrock_response_request_id(r), "req_"));
	bedrock_response_free(r);

	assert_int_equal(bedrock_messages_send_stream(&s, c, API_ID, api_stream_body,
						      strlen(api_stream_body), NULL, NULL, &err), 0);
	assert_int_equal(drain(s, names, sizeof(names), &frames, &err), BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	assert_int_equal(frames, 0);
	/* ping comes through, as the SDKs would see it. */
	assert_int_equal(strncmp(names, "message_start,content_block_start,ping,", 39), 0);
	assert_non_null(strstr(names, "message_delta,message_stop,"));

	/* A body not of JSON cannot take a model. */
	assert_int_equal(bedrock_messages_send(&r, c, API_ID, "[1]", 3, NULL, NULL, &err),
			 BEDROCK_EINVAL);

	/* Errors are typed as the typed calls type them. */
	{
		static const char thr[] =
			"{\"max_tokens\":64,\"messages\":[{\"role\":\"user\","
			"\"content\":\"Hi [[emulate:fault=throttle]]\"}]}";

		assert_int_equal(bedrock_messages_send(&r, c, API_ID, thr, strlen(thr), NULL, NULL,
						       &err), BEDROCK_ETHROTTLED);
		assert_string_equal(err.aws_code, "rate_limit_error");
		assert_int_equal(err.http_status, 429);
	}
	bedrock_client_free(c);
}

static void test_client_send__vertex(void **state)
{
	bedrock_client *c = client(BEDROCK_PLATFORM_VERTEX);
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	char names[4096];
	size_t len;
	int frames;

	(void)state;
	assert_int_equal(bedrock_messages_send(&r, c, VERTEX_ID, vertex_body, strlen(vertex_body),
					       "fine-grained-tool-streaming-2025-05-14", NULL, &err),
			 0);
	assert_int_equal(bedrock_response_status(r), 200);
	assert_non_null(strstr(bedrock_response_body(r, &len), "\"type\":\"message\""));
	bedrock_response_free(r);

	assert_int_equal(bedrock_messages_send_stream(&s, c, VERTEX_ID, vertex_stream_body,
						      strlen(vertex_stream_body), NULL, NULL, &err),
			 0);
	assert_int_equal(drain(s, names, sizeof(names), &frames, &err), BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	assert_non_null(strstr(names, "vertex_event,"));
	assert_non_null(strstr(names, "ping,"));
	assert_int_equal(strncmp(names, "message_start,", 14), 0);

	/* An in-stream error ends the stream typed, after the events before it. */
	{
		static const char exc[] =
			"{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64,\"stream\":true,"
			"\"messages\":[{\"role\":\"user\",\"content\":\"Hello there "
			"[[emulate:fault=stream-exception=throttlingException]]\"}]}";

		assert_int_equal(bedrock_messages_send_stream(&s, c, VERTEX_ID, exc, strlen(exc), NULL,
							      NULL, &err), 0);
		assert_int_equal(drain(s, names, sizeof(names), &frames, &err), BEDROCK_ETHROTTLED);
		assert_string_equal(err.aws_code, "rate_limit_error");
		assert_int_equal(strncmp(names, "message_start,", 14), 0);
		bedrock_stream_free(s);
	}
	bedrock_client_free(c);
}

/* The same body counts the same on each platform; Vertex and the API take
 * the model in the body, which the call puts there. */
static void test_client_send__count_everywhere(void **state)
{
	bedrock_client *b = client(BEDROCK_PLATFORM_BEDROCK), *a = client(BEDROCK_PLATFORM_ANTHROPIC);
	bedrock_client *v = client(BEDROCK_PLATFORM_VERTEX);
	bedrock_messages_request *req;
	bedrock_response *r = NULL;
	bedrock_error_info err;
	uint64_t nb, na, nv, typed;

	(void)state;
	assert_int_equal(bedrock_messages_send_count_tokens(&r, b, PROFILE, bedrock_body,
							    strlen(bedrock_body), NULL, NULL, &err),
			 0);
	nb = count_of(r, "\"inputTokens\"");
	bedrock_response_free(r);
	assert_int_equal(bedrock_messages_send_count_tokens(&r, a, API_ID, api_count_body,
							    strlen(api_count_body), NULL, NULL, &err),
			 0);
	na = count_of(r, "\"input_tokens\"");
	bedrock_response_free(r);
	assert_int_equal(bedrock_messages_send_count_tokens(&r, v, VERTEX_ID, vertex_count_body,
							    strlen(vertex_count_body), NULL, NULL,
							    &err), 0);
	nv = count_of(r, "\"input_tokens\"");
	bedrock_response_free(r);
	assert_true(nb > 0);
	assert_int_equal(nb, na);
	assert_int_equal(nb, nv);

	/* The typed call on Bedrock wraps its body the same way. */
	assert_int_equal(bedrock_messages_request_new(&req, 64), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hello there, how are you?", NULL),
			 0);
	if (bedrock_messages_count_tokens(&typed, b, PROFILE, req, NULL, &err))
		fail_msg("typed count: %s", err.message);
	assert_int_equal(typed, nb);
	bedrock_messages_request_free(req);

	/* Vertex and Bedrock need a model. */
	assert_int_equal(bedrock_messages_send_count_tokens(&r, v, NULL, vertex_body,
							    strlen(vertex_body), NULL, NULL, &err),
			 BEDROCK_EINVAL);
	bedrock_client_free(b);
	bedrock_client_free(a);
	bedrock_client_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_send__bedrock),
		cmocka_unit_test(test_client_send__anthropic),
		cmocka_unit_test(test_client_send__vertex),
		cmocka_unit_test(test_client_send__count_everywhere),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
