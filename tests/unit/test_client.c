/* The client against `bedrock emulate`: every runtime operation, streams,
 * typed errors with the AWS code and request id, retries, faults, and one
 * client shared by several threads. */
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define HELLO "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
	      "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"
#define PROMPT(p) "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
		  "\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define CONVERSE "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, world\"}]}]," \
		 "\"inferenceConfig\":{\"maxTokens\":100}}"

static harness_emulator emu;

static bedrock_client *client_for(const harness_emulator *e, unsigned attempts, const char *secret)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;

	harness_emulator_options(&o, e);
	if (secret)
		o.secret_access_key = secret;
	o.max_attempts = attempts;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static int setup(void **state)
{
	static const char *const args[] = { "--fault", "throttle:2", "--fault", "reset:1", NULL };

	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_emulator_start(&emu, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

static void test_client__retries_throttles_and_resets(void **state)
{
	bedrock_client *c = client_for(&emu, 4, NULL);
	bedrock_response *r;
	bedrock_error_info err;

	(void)state;
	/* The emulator throttles the first two requests and drops the third
	 * connection. (libcurl itself re-sends once on a reused connection that
	 * died before answering, so the drop may cost no attempt of ours.) */
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	assert_true(bedrock_response_attempts(r) >= 3 && bedrock_response_attempts(r) <= 4);
	assert_non_null(strstr(bedrock_response_body(r, NULL), "You said: Hello, world"));
	bedrock_response_free(r);
	bedrock_client_free(c);
}

static void test_client__invoke_converse_count(void **state)
{
	bedrock_client *c = client_for(&emu, 1, NULL);
	bedrock_response *r;
	bedrock_error_info err;
	size_t len;
	const char *body;

	(void)state;
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	body = bedrock_response_body(r, &len);
	assert_non_null(strstr(body, "\"text\":\"You said: Hello, world\""));
	assert_int_equal(bedrock_response_status(r), 200);
	assert_int_equal(strlen(bedrock_response_request_id(r)), 36);
	assert_non_null(bedrock_response_header(r, "X-Amzn-Bedrock-Input-Token-Count"));
	assert_int_equal(bedrock_response_attempts(r), 1);
	bedrock_response_free(r);

	assert_int_equal(bedrock_converse(&r, c, MODEL, CONVERSE, strlen(CONVERSE), NULL, &err), 0);
	assert_non_null(strstr(bedrock_response_body(r, NULL), "You said: Hello, world"));
	assert_non_null(strstr(bedrock_response_body(r, NULL), "\"stopReason\":\"end_turn\""));
	bedrock_response_free(r);

	{
		static const char ct[] = "{\"input\":{\"converse\":{\"messages\":[{\"role\":\"user\","
					 "\"content\":[{\"text\":\"Hello, world\"}]}]}}}";

		assert_int_equal(bedrock_count_tokens(&r, c, "anthropic.claude-sonnet-4-5-20250929-v1:0",
						      ct, strlen(ct), NULL, &err), 0);
		assert_non_null(strstr(bedrock_response_body(r, NULL), "\"inputTokens\":"));
		bedrock_response_free(r);
	}
	assert_int_equal(bedrock_control_request(&r, c, "GET", "/foundation-models?byProvider=Anthropic",
						 NULL, 0, &err), 0);
	assert_non_null(strstr(bedrock_response_body(r, NULL), "modelSummaries"));
	bedrock_response_free(r);
	bedrock_client_free(c);
}

static void test_client__typed_errors(void **state)
{
	bedrock_client *c = client_for(&emu, 3, NULL), *bad = client_for(&emu, 3, "wrong");
	bedrock_response *r;
	bedrock_error_info err;

	(void)state;
	assert_int_equal(bedrock_invoke_model(&r, c, "anthropic.claude-sonnet-4-5-20250929-v1:0", HELLO,
					      strlen(HELLO), NULL, &err), BEDROCK_EHTTP);
	assert_null(r);
	assert_int_equal(err.http_status, 400);
	assert_string_equal(err.aws_code, "ValidationException");
	assert_non_null(strstr(err.message, "on-demand throughput"));
	assert_int_equal(strlen(err.request_id), 36);
	assert_false(err.retryable);

	assert_int_equal(bedrock_invoke_model(&r, bad, MODEL, HELLO, strlen(HELLO), NULL, &err),
			 BEDROCK_EAUTH);
	assert_string_equal(err.aws_code, "InvalidSignatureException");
	assert_null(strstr(err.message, "wrong"));

	/* 424 is not retried; 429 ModelNotReady is, until attempts run out. */
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, PROMPT("x [[emulate:fault=model-error]]"),
					      strlen(PROMPT("x [[emulate:fault=model-error]]")), NULL, &err),
			 BEDROCK_EHTTP);
	assert_string_equal(err.aws_code, "ModelErrorException");
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, PROMPT("x [[emulate:fault=throttle]]"),
					      strlen(PROMPT("x [[emulate:fault=throttle]]")), NULL, &err),
			 BEDROCK_ETHROTTLED);
	assert_true(err.retryable);
	bedrock_client_free(c);
	bedrock_client_free(bad);
}

static char *drain(bedrock_stream *s, int *rc, bedrock_error_info *err)
{
	static char text[4096];
	bedrock_event ev;
	size_t n = 0;

	text[0] = '\0';
	while ((*rc = bedrock_stream_next(&ev, s, err)) == 0)
		if (ev.text && n + ev.text_len < sizeof(text)) {
			memcpy(text + n, ev.text, ev.text_len);
			n += ev.text_len;
			text[n] = '\0';
		}
	return text;
}

static void test_client__streams(void **state)
{
	bedrock_client *c = client_for(&emu, 1, NULL);
	bedrock_error_info err;
	bedrock_stream *s;
	int rc;

	(void)state;
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	assert_string_equal(drain(s, &rc, &err), "You said: Hello, world");
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_int_equal(strlen(bedrock_stream_request_id(s)), 36);
	bedrock_stream_free(s);

	assert_int_equal(bedrock_converse_stream(&s, c, MODEL, CONVERSE, strlen(CONVERSE), NULL, &err), 0);
	assert_string_equal(drain(s, &rc, &err), "You said: Hello, world");
	assert_int_equal(rc, BEDROCK_ITEROVER);
	bedrock_stream_free(s);

	/* An in-stream exception: typed, with its message; the text before it kept. */
	{
		const char *b = PROMPT("long enough answer [[emulate:fault=stream-exception=throttlingException]]");

		assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
		drain(s, &rc, &err);
		assert_int_equal(rc, BEDROCK_ETHROTTLED);
		assert_string_equal(err.aws_code, "ThrottlingException");
		assert_non_null(strstr(err.message, "Too many requests"));
		/* Sticky. */
		{
			bedrock_event ev;
			assert_int_equal(bedrock_stream_next(&ev, s, &err), BEDROCK_ETHROTTLED);
		}
		bedrock_stream_free(s);
	}
	{
		const char *b = PROMPT("x [[emulate:fault=corrupt-crc]]");

		assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
		drain(s, &rc, &err);
		assert_int_equal(rc, BEDROCK_EPROTOCOL);
		assert_non_null(strstr(err.message, "CRC"));
		bedrock_stream_free(s);
	}
	{
		const char *b = PROMPT("x [[emulate:fault=truncate]]");

		assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
		drain(s, &rc, &err);
		assert_int_equal(rc, BEDROCK_EPROTOCOL);
		assert_non_null(strstr(err.message, "cut short"));
		bedrock_stream_free(s);
	}
	{
		const char *b = PROMPT("x [[emulate:fault=reset-after=2]]");

		assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
		drain(s, &rc, &err);
		/* The events before the cut were delivered; then a typed error. */
		assert_true(rc == BEDROCK_EIO || rc == BEDROCK_EPROTOCOL);
		bedrock_stream_free(s);
	}
	bedrock_client_free(c);
}

static void test_client__idle_timeout(void **state)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;
	bedrock_stream *s;
	const char *b = PROMPT("x [[emulate:fault=slow=1500]]");
	int rc;

	(void)state;
	harness_emulator_options(&o, &emu);
	o.idle_timeout_ms = 300;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
	drain(s, &rc, &err);
	assert_int_equal(rc, BEDROCK_ETIMEOUT);
	assert_non_null(strstr(err.message, "nothing arrived on the stream for 300 ms"));
	bedrock_stream_free(s);
	bedrock_client_free(c);
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static bedrock_client *timed_client(long total_ms, long idle_ms, long deadline_ms, unsigned attempts)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;

	harness_emulator_options(&o, &emu);
	o.total_timeout_ms = total_ms;
	o.idle_timeout_ms = idle_ms;
	o.deadline_ms = deadline_ms;
	o.max_attempts = attempts;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

/* total_timeout_ms is per attempt; deadline_ms bounds the whole call,
 * retries and back-offs included. */
static void test_client__deadline(void **state)
{
	const char *b = PROMPT("x [[emulate:fault=slow=3000]]");
	bedrock_client *c = timed_client(800, 0, 0, 3);
	bedrock_response *r = NULL;
	bedrock_error_info err;
	double t0;
	int rc;

	(void)state;
	assert_int_equal(bedrock_client_max_attempts(c), 3);
	t0 = seconds();
	rc = bedrock_invoke_model(&r, c, MODEL, b, strlen(b), NULL, &err);
	assert_int_equal(rc, BEDROCK_ETIMEOUT);
	assert_true(seconds() - t0 >= 2.0);	/* three attempts of 0.8 s */
	bedrock_client_free(c);

	c = timed_client(800, 0, 1200, 3);
	t0 = seconds();
	rc = bedrock_invoke_model(&r, c, MODEL, b, strlen(b), NULL, &err);
	assert_int_equal(rc, BEDROCK_ETIMEOUT);
	assert_true(seconds() - t0 < 1.6);
	bedrock_client_free(c);

	/* A stream: the deadline covers its reading, to the last event. */
	c = timed_client(0, 0, 700, 1);
	b = PROMPT("x [[emulate:fault=slow=300]]");
	{
		bedrock_stream *s = NULL;

		t0 = seconds();
		assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
		drain(s, &rc, &err);
		assert_int_equal(rc, BEDROCK_ETIMEOUT);
		assert_non_null(strstr(err.message, "deadline of 700 ms passed"));
		assert_true(seconds() - t0 < 1.2);
		bedrock_stream_free(s);
	}
	bedrock_client_free(c);
}

/* total_timeout_ms bounds a stream's opening, not a stream that keeps
 * coming (the idle timeout governs that). */
static void test_client__stream_not_cut_by_total_timeout(void **state)
{
	const char *b = PROMPT("x [[emulate:fault=slow=200]]");
	bedrock_client *c = timed_client(500, 1000, 0, 1);
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	int rc;

	(void)state;
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
	assert_string_equal(drain(s, &rc, &err), "You said: x [[emulate:fault=slow=200]]");
	assert_int_equal(rc, BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	bedrock_client_free(c);
}

/* A version-1 options struct (before deadline_ms) is still accepted; a
 * region that is not a DNS label is not (it becomes part of the host). */
static void test_client__options_v1_and_region(void **state)
{
	struct v1 {
		char bytes[offsetof(bedrock_client_options, deadline_ms)];
	} *old = malloc(sizeof(struct v1));
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c = NULL;

	(void)state;
	o.version = 1;
	o.region = "us-west-2";
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = "secret";
	/* Exactly the old size, so a read past it is an ASan error. */
	memcpy(old, &o, sizeof(*old));
	assert_int_equal(bedrock_client_new(&c, (const bedrock_client_options *)(void *)old, &err), 0);
	assert_string_equal(bedrock_client_region(c), "us-west-2");
	bedrock_client_free(c);
	free(old);
	o.version = BEDROCK_CLIENT_OPTIONS_VERSION + 1;
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_EINVAL);
	o.version = BEDROCK_CLIENT_OPTIONS_VERSION;
	o.region = "us-east-1.evil.example/x";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "invalid region"));
	o.region = "-us-east-1";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	o.region = "12345";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
}

typedef struct {
	bedrock_client *c;
	int ok;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	int i;

	for (i = 0; i < 10; i++) {
		bedrock_response *r;
		bedrock_error_info err;

		if (bedrock_invoke_model(&r, w->c, MODEL, HELLO, strlen(HELLO), NULL, &err) == 0) {
			w->ok += strstr(bedrock_response_body(r, NULL), "You said") != NULL;
			bedrock_response_free(r);
		}
	}
	return NULL;
}

static void test_client__shared_by_threads(void **state)
{
	bedrock_client *c = client_for(&emu, 1, NULL);
	pthread_t t[4];
	worker w[4];
	int i;

	(void)state;
	for (i = 0; i < 4; i++) {
		w[i] = (worker){ c, 0 };
		assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].ok, 10);
	}
	bedrock_client_free(c);
}

static void test_client__messages_typed(void **state)
{
	bedrock_client *c = client_for(&emu, 1, NULL);
	bedrock_messages_request *req;
	bedrock_message_accumulator *acc;
	bedrock_message *m, *streamed;
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	char *text;
	size_t len;
	int rc;

	(void)state;
	assert_int_equal(bedrock_messages_request_new(&req, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(req, "Hello, world", NULL), 0);
	assert_int_equal(bedrock_messages_create(&m, c, MODEL, req, NULL, &err), 0);
	assert_int_equal(bedrock_message_text(&text, &len, m), 0);
	assert_string_equal(text, "You said: Hello, world");
	bedrock_messages_string_free(text);
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_END_TURN);

	/* The stream, accumulated, is the same message. */
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, req, NULL, &err), 0);
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		assert_int_equal(bedrock_message_accumulator_feed_json(acc, ev.json, ev.json_len), 0);
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_true(bedrock_message_accumulator_done(acc));
	assert_int_equal(bedrock_message_accumulator_message(&streamed, acc), 0);
	assert_int_equal(bedrock_message_text(&text, &len, streamed), 0);
	assert_string_equal(text, "You said: Hello, world");
	bedrock_messages_string_free(text);
	bedrock_message_free(streamed);
	bedrock_message_accumulator_free(acc);
	bedrock_stream_free(s);
	bedrock_message_free(m);
	bedrock_messages_request_free(req);
	bedrock_client_free(c);
}

/* One streamed answer: its text (malloc'd) and how many text deltas. */
static char *stream_text(bedrock_client *c, const char *model, const bedrock_messages_request *r,
			 size_t *deltas)
{
	size_t n = 0, cap = 1024;
	char *text = malloc(cap);
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	int rc;

	assert_non_null(text);
	*deltas = 0;
	if (bedrock_messages_stream(&s, c, model, r, NULL, &err))
		fail_msg("stream: %s", err.message);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0) {
		if (!ev.text)
			continue;
		while (n + ev.text_len + 1 > cap)
			assert_non_null(text = realloc(text, cap *= 2));
		memcpy(text + n, ev.text, ev.text_len);
		n += ev.text_len;
		(*deltas)++;
	}
	text[n] = '\0';
	if (rc != BEDROCK_ITEROVER)
		fail_msg("stream ended with %s: %s", bedrock_error_name(rc), err.message);
	bedrock_stream_free(s);
	return text;
}

/* Long answers on both wires, each one delta a word: written as the
 * emulator's burst fault writes them (the whole answer at once, so one
 * read brings far more than the 16 KiB the SSE decoder is fed at a time)
 * and one event at a time; the smaller size fits the receive buffers a
 * pooled transfer keeps for its next stream, the larger does not. Two
 * streams each on one client, so the second runs on what the first kept. */
static void test_client__long_streams_burst_and_not(void **state)
{
	static const size_t words[] = { 600, 4000 };
	static const char *const systems[] = { "[[emulate:fault=burst]]", NULL };
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_client *clients[2];
	bedrock_error_info err;
	size_t w, k, p, rep, deltas;

	(void)state;
	clients[0] = client_for(&emu, 1, NULL);
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	o.endpoint_url = emu.url;
	o.api_key = "sk-ant-emulator-key";
	o.max_attempts = 1;
	if (bedrock_client_new(&clients[1], &o, &err))
		fail_msg("client: %s", err.message);
	for (w = 0; w < sizeof(words) / sizeof(words[0]); w++) {
		size_t cap = words[w] * 8 + 16, n = 0, i;
		char *prompt = malloc(cap), *want = malloc(cap + 16), *got;

		assert_non_null(prompt);
		assert_non_null(want);
		for (i = 0; i < words[w]; i++)
			n += (size_t)snprintf(prompt + n, cap - n, i ? " w%zu" : "w%zu", i);
		snprintf(want, cap + 16, "You said: %s", prompt);
		for (k = 0; k < 2; k++) {
			bedrock_messages_request *r;

			assert_int_equal(bedrock_messages_request_new(&r, (int)words[w] + 16), 0);
			if (systems[k])
				assert_int_equal(bedrock_messages_request_set_system(r, systems[k]), 0);
			assert_int_equal(bedrock_messages_request_add_message(r, BEDROCK_ROLE_USER), 0);
			assert_int_equal(bedrock_messages_request_add_text(r, prompt, NULL), 0);
			for (p = 0; p < 2; p++)
				for (rep = 0; rep < 2; rep++) {
					got = stream_text(clients[p], "haiku-4.5", r, &deltas);
					if (strcmp(got, want))
						fail_msg("%s, %zu words, %s: the streamed text differs "
							 "(%zu bytes, not %zu)", p ? "SSE" : "event stream",
							 words[w], systems[k] ? "burst" : "one write an event",
							 strlen(got), strlen(want));
					/* "You", " said", ":", then one a word. */
					assert_int_equal(deltas, words[w] + 3);
					free(got);
				}
			bedrock_messages_request_free(r);
		}
		free(prompt);
		free(want);
	}
	bedrock_client_free(clients[0]);
	bedrock_client_free(clients[1]);
}

static void test_client__multi(void **state)
{
	bedrock_client *c = client_for(&emu, 1, NULL);
	bedrock_multi *m;
	bedrock_stream *streams[31], *which;
	bedrock_error_info err;
	bedrock_event ev;
	char text[31][128];
	int ended[31] = { 0 }, failed = 0, i, rc, n_ended = 0;

	(void)state;
	assert_int_equal(bedrock_multi_new(&m), 0);
	for (i = 0; i < 30; i++) {
		char body[256];

		snprintf(body, sizeof(body), PROMPT("stream %d [[emulate:fault=slow=%d]]"), i, i % 3);
		assert_int_equal(bedrock_multi_invoke_model_stream(&streams[i], m, c, MODEL, body,
								   strlen(body), NULL, &err), 0);
		text[i][0] = '\0';
	}
	/* One that Bedrock refuses: its error comes back for that stream only. */
	assert_int_equal(bedrock_multi_invoke_model_stream(&streams[30], m, c,
			 "anthropic.claude-sonnet-4-5-20250929-v1:0", HELLO, strlen(HELLO), NULL, &err), 0);
	text[30][0] = '\0';
	assert_int_equal(bedrock_multi_count(m), 31);
	while ((rc = bedrock_multi_next(&which, &ev, m, 5000, &err)) != BEDROCK_ITEROVER || which) {
		for (i = 0; i < 31 && streams[i] != which; i++)
			;
		assert_true(i < 31);
		if (rc == 0) {
			if (ev.text)
				strncat(text[i], ev.text, ev.text_len < 100 ? ev.text_len : 100);
		} else if (rc == BEDROCK_ITEROVER) {
			ended[i] = 1;
			n_ended++;
		} else {
			assert_int_equal(i, 30);
			assert_int_equal(rc, BEDROCK_EHTTP);
			assert_string_equal(err.aws_code, "ValidationException");
			failed++;
		}
	}
	assert_int_equal(n_ended, 30);
	assert_int_equal(failed, 1);
	for (i = 0; i < 30; i++) {
		char want[128];

		snprintf(want, sizeof(want), "You said: stream %d [[emulate:fault=slow=%d]]", i, i % 3);
		assert_true(ended[i]);
		assert_string_equal(text[i], want);
	}
	for (i = 0; i < 31; i++)
		bedrock_stream_free(streams[i]);
	bedrock_multi_free(m);
	bedrock_client_free(c);
}

static void test_client__configuration(void **state)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	(void)state;
	o.region = "eu-west-1";
	o.access_key_id = "AKID";
	o.secret_access_key = "s";
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_endpoint(c), "https://bedrock-runtime.eu-west-1.amazonaws.com");
	bedrock_client_free(c);
	o.region = "cn-north-1";
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_endpoint(c), "https://bedrock-runtime.cn-north-1.amazonaws.com.cn");
	bedrock_client_free(c);
	o.region = "us-east-1";
	o.use_fips = 1;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_string_equal(bedrock_client_endpoint(c), "https://bedrock-runtime-fips.us-east-1.amazonaws.com");
	bedrock_client_free(c);
	o.endpoint_url = "http://127.0.0.1:1";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	o.use_fips = 0;
	o.endpoint_url = "ftp://x";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	o.endpoint_url = NULL;
	o.bearer_token = "bedrock-api-key-x";
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_EINVAL);
	assert_non_null(strstr(err.message, "pass one"));
}

/* A credential source that answers garbage (a credential_process printing
 * anything but its JSON): an authentication error, and no request logged
 * as sent, since none was. */
static int garbage_creds(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	(void)out;
	(void)impl;
	err->code = BEDROCK_EPROTOCOL;
	snprintf(err->message, sizeof(err->message), "credential_process: output is not a JSON object");
	return BEDROCK_EPROTOCOL;
}

static void record_log(bedrock_log_level level, const char *line, void *payload)
{
	char *log = payload;

	(void)level;
	strncat(log, line, 4095 - strlen(log));
	strncat(log, "\n", 4095 - strlen(log));
}

static void test_client__credential_source_failure(void **state)
{
	static const bedrock_creds_provider_vtable vt = {
		BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "garbage", garbage_creds, NULL
	};
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_creds_provider *p;
	bedrock_error_info err;
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL;
	bedrock_client *c;
	char log[4096] = "";

	(void)state;
	assert_int_equal(bedrock_creds_provider_new(&p, &vt, NULL), 0);
	o.region = "us-east-1";
	o.endpoint_url = emu.url;
	o.credentials = p;
	o.log = record_log;
	o.log_payload = log;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), BEDROCK_EAUTH);
	assert_int_equal(err.code, BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "credential_process"));
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err),
			 BEDROCK_EAUTH);
	assert_null(s);
	assert_null(strstr(log, "POST"));
	bedrock_client_free(c);
	bedrock_creds_provider_release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client__retries_throttles_and_resets),
		cmocka_unit_test(test_client__invoke_converse_count),
		cmocka_unit_test(test_client__typed_errors),
		cmocka_unit_test(test_client__streams),
		cmocka_unit_test(test_client__idle_timeout),
		cmocka_unit_test(test_client__shared_by_threads),
		cmocka_unit_test(test_client__messages_typed),
		cmocka_unit_test(test_client__multi),
		cmocka_unit_test(test_client__long_streams_burst_and_not),
		cmocka_unit_test(test_client__configuration),
		cmocka_unit_test(test_client__credential_source_failure),
		cmocka_unit_test(test_client__deadline),
		cmocka_unit_test(test_client__stream_not_cut_by_total_timeout),
		cmocka_unit_test(test_client__options_v1_and_region),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
