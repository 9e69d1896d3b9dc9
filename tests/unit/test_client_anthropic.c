/* The client on the Anthropic API platform, against a loopback fake of the
 * API (tests/fakes/fake_anthropic.py) that checks every request as the API
 * does and logs it: create, streams written in random byte-sized pieces
 * (split mid-line, mid-CRLF, mid-UTF-8), comments and unknown events, tools,
 * count_tokens, each status as its error code, the SDKs' retry rules
 * (x-should-retry, retry-after-ms, retry-after), in-stream errors and cut
 * streams keeping the text that arrived, the request's headers and body as
 * the fake saw them, and the key never shown. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "harness.h"

#if BEDROCK_CLIENT_OPTIONS_VERSION >= 3

#define KEY "sk-ant-test-key"
#define TOKEN "sk-ant-oat-test-token"
#define MODEL "claude-sonnet-4-5-20250929"
/* Multi-byte characters, so that some piece ends inside a UTF-8 sequence. */
#define PROMPT "Gr\xc3\xbc\xc3\x9f" "e, \xe2\x9c\x93 \xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e: a prompt long enough for many pieces"
#define ANSWER "You said: " PROMPT

static harness_fake fake;

static void clear_env(void)
{
	static const char *const vars[] = {
		"ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_MODEL",
		"AWS_REGION", "AWS_DEFAULT_REGION", "AWS_PROFILE", "AWS_BEARER_TOKEN_BEDROCK",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_BEDROCK_RUNTIME", "AWS_MAX_ATTEMPTS",
		"AWS_RETRY_MODE", "http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY",
		"all_proxy", "ALL_PROXY", "CLAUDE_CODE_USE_BEDROCK",
	};
	size_t i;

	for (i = 0; i < sizeof(vars) / sizeof(vars[0]); i++)
		unsetenv(vars[i]);
	setenv("AWS_CONFIG_FILE", "/nonexistent", 1);
	setenv("AWS_SHARED_CREDENTIALS_FILE", "/nonexistent", 1);
	setenv("AWS_EC2_METADATA_DISABLED", "true", 1);
}

/* The counting allocator covers the whole group: anything the library
 * still holds at the end is a leak. */
static int group_setup(void **state)
{
	clear_env();
	harness_fake_start_script(&fake, "fake_anthropic.py");
	return harness_setup(state);
}

static int group_teardown(void **state)
{
	harness_fake_stop(&fake);
	return harness_teardown(state);
}

/* A new state restarts the fake's script; the log starts empty. */
static void fake_state(const char *json)
{
	harness_fake_set_state(&fake, json);
	harness_fake_clear_log(&fake);
}

/* Every line the client logs, to check that no secret is ever in one. */
static char client_log[1 << 16];
static size_t client_log_len;

static void log_line(bedrock_log_level level, const char *line, void *payload)
{
	size_t n = strlen(line);

	(void)level;
	(void)payload;
	if (client_log_len + n + 1 < sizeof(client_log)) {
		memcpy(client_log + client_log_len, line, n);
		client_log_len += n;
		client_log[client_log_len++] = '\n';
		client_log[client_log_len] = '\0';
	}
}

static bedrock_client *client_opts(const char *key, const char *token, unsigned attempts,
				   long idle_ms, long total_ms)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c = NULL;

	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	o.api_key = key;
	o.auth_token = token;
	o.endpoint_url = fake.url;
	o.max_attempts = attempts;
	o.idle_timeout_ms = idle_ms ? idle_ms : 20000;
	o.total_timeout_ms = total_ms;
	o.log = log_line;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s (%s)", err.message, bedrock_error_name(err.code));
	return c;
}

static bedrock_client *client(unsigned attempts)
{
	return client_opts(KEY, NULL, attempts, 0, 0);
}

static bedrock_messages_request *request(const char *prompt)
{
	bedrock_messages_request *r;

	assert_int_equal(bedrock_messages_request_new(&r, 100), 0);
	assert_int_equal(bedrock_messages_request_add_message(r, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_text(r, prompt, NULL), 0);
	return r;
}

/* ---- the fake's log ------------------------------------------------------ */

/* The requests the fake received, oldest first (cJSON_Delete it). */
static cJSON *fake_log(void)
{
	char *text = harness_fake_log(&fake), *line, *next;
	cJSON *arr = cJSON_CreateArray();

	assert_non_null(text);
	for (line = text; *line; line = next) {
		cJSON *e;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if (!*line)
			continue;
		e = cJSON_Parse(line);
		if (!e)
			fail_msg("fake log line is not JSON: %.200s", line);
		cJSON_AddItemToArray(arr, e);
	}
	free(text);
	return arr;
}

static int log_count(void)
{
	cJSON *l = fake_log();
	int n = cJSON_GetArraySize(l);

	cJSON_Delete(l);
	return n;
}

static const char *entry_str(const cJSON *e, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(e, name);

	return cJSON_IsString(v) ? v->valuestring : NULL;
}

static const char *entry_header(const cJSON *e, const char *name)
{
	return entry_str(cJSON_GetObjectItemCaseSensitive(e, "headers"), name);
}

/* The request body the fake received, parsed (cJSON_Delete it). */
static cJSON *entry_body(const cJSON *e)
{
	cJSON *b = cJSON_Parse(entry_str(e, "body"));

	assert_non_null(b);
	return b;
}

/* Milliseconds between the arrival of requests i-1 and i, as the fake saw them. */
static double gap_ms(const cJSON *log, int i)
{
	return 1000.0 *
	       (cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i), "time")->valuedouble -
		cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, i - 1), "time")->valuedouble);
}

static void assert_no_secret(void)
{
	char *text = harness_fake_log(&fake);

	if (strstr(text, KEY) || strstr(text, TOKEN))
		fail_msg("the fake logged the key unmasked");
	free(text);
	if (strstr(client_log, KEY) || strstr(client_log, TOKEN))
		fail_msg("the client's log shows the key");
}

/* ---- draining a stream --------------------------------------------------- */

typedef struct drained {
	int rc;			/* what ended the stream */
	bedrock_error_info err;
	char text[8192];	/* every ev.text, joined */
	char types[4096];	/* every ev.type, comma-separated */
	size_t events;
	bedrock_message *msg;	/* the accumulator's message, NULL if none */
} drained;

static void drain(drained *d, bedrock_stream *s)
{
	bedrock_message_accumulator *acc;
	bedrock_messages_event se = BEDROCK_MESSAGES_EVENT_INIT;
	bedrock_event ev;
	size_t n = 0;

	memset(d, 0, sizeof(*d));
	assert_int_equal(bedrock_message_accumulator_new(&acc), 0);
	while ((d->rc = bedrock_stream_next(&ev, s, &d->err)) == 0) {
		d->events++;
		assert_int_equal(ev.kind, BEDROCK_EVENT_EVENT);
		assert_null(ev.message);
		assert_non_null(ev.event_type);
		assert_non_null(ev.type);
		/* The SSE event name, and the JSON type it carries. */
		assert_string_equal(ev.event_type, ev.type);
		if (!strcmp(ev.type, "ping") || !strcmp(ev.event_type, "vertex_event"))
			fail_msg("bedrock_stream_next returned a %s event", ev.event_type);
		assert_non_null(ev.json);
		assert_non_null(strstr(ev.json, ev.type));
		if (strlen(d->types) + strlen(ev.type) + 2 < sizeof(d->types)) {
			strcat(d->types, d->types[0] ? "," : "");
			strcat(d->types, ev.type);
		}
		if (ev.text) {
			assert_true(n + ev.text_len < sizeof(d->text));
			memcpy(d->text + n, ev.text, ev.text_len);
			n += ev.text_len;
			d->text[n] = '\0';
		}
		assert_int_equal(bedrock_messages_event_parse(&se, ev.json, ev.json_len), 0);
		assert_int_equal(bedrock_message_accumulator_feed(acc, &se), 0);
	}
	bedrock_messages_event_dispose(&se);
	if (bedrock_message_accumulator_message(&d->msg, acc))
		d->msg = NULL;
	bedrock_message_accumulator_free(acc);
}

static void drained_dispose(drained *d)
{
	bedrock_message_free(d->msg);
	d->msg = NULL;
}

static char *message_text(const bedrock_message *m)
{
	char *t;
	size_t len;

	assert_int_equal(bedrock_message_text(&t, &len, m), 0);
	return t;
}

static void assert_text(const bedrock_message *m, const char *want)
{
	char *t = message_text(m);

	if (strcmp(t, want))
		fail_msg("text '%s', not '%s'", t, want);
	bedrock_messages_string_free(t);
}

static void assert_str_eq(const char *a, const char *b, const char *what)
{
	if ((a == NULL) != (b == NULL) || (a && strcmp(a, b)))
		fail_msg("%s: '%s' vs '%s'", what, a ? a : "(null)", b ? b : "(null)");
}

/* The streamed message is the one create answered, field by field. */
static void assert_same_message(const bedrock_message *got, const bedrock_message *want)
{
	const bedrock_usage *gu = bedrock_message_usage(got), *wu = bedrock_message_usage(want);
	size_t i;

	assert_non_null(got);
	assert_str_eq(bedrock_message_id(got), bedrock_message_id(want), "id");
	assert_str_eq(bedrock_message_model(got), bedrock_message_model(want), "model");
	assert_str_eq(bedrock_message_role(got), bedrock_message_role(want), "role");
	assert_int_equal(bedrock_message_stop_reason(got), bedrock_message_stop_reason(want));
	assert_int_equal(gu->input_tokens, wu->input_tokens);
	assert_int_equal(gu->output_tokens, wu->output_tokens);
	assert_int_equal(bedrock_message_content_count(got), bedrock_message_content_count(want));
	for (i = 0; i < bedrock_message_content_count(want); i++) {
		const bedrock_content_block *g = bedrock_message_content(got, i);
		const bedrock_content_block *w = bedrock_message_content(want, i);

		assert_int_equal(g->type, w->type);
		assert_str_eq(g->type_name, w->type_name, "block type");
		assert_str_eq(g->text, w->text, "text");
		assert_str_eq(g->id, w->id, "block id");
		assert_str_eq(g->name, w->name, "tool name");
		assert_str_eq(g->input_json, w->input_json, "tool input");
		assert_str_eq(g->signature, w->signature, "signature");
		assert_int_equal(g->input_partial, 0);
	}
}

/* ---- create --------------------------------------------------------------- */

static void test_anthropic__create(void **state)
{
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request("Hello, world");
	bedrock_message *m = NULL;
	bedrock_error_info err;
	cJSON *log, *e, *body;

	(void)state;
	fake_state("{}");
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("create: %s", err.message);
	assert_text(m, "You said: Hello, world");
	assert_string_equal(bedrock_message_model(m), MODEL);
	assert_string_equal(bedrock_message_role(m), "assistant");
	assert_int_equal(strncmp(bedrock_message_id(m), "msg_01", 6), 0);
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_END_TURN);
	assert_true(bedrock_message_usage(m)->input_tokens > 0);
	assert_true(bedrock_message_usage(m)->output_tokens > 0);
	bedrock_message_free(m);

	log = fake_log();
	assert_int_equal(cJSON_GetArraySize(log), 1);
	e = cJSON_GetArrayItem(log, 0);
	assert_string_equal(entry_str(e, "method"), "POST");
	assert_string_equal(entry_str(e, "path"), "/v1/messages");
	assert_string_equal(entry_str(e, "outcome"), "normal");
	assert_string_equal(entry_str(e, "auth"), "x-api-key");
	assert_string_equal(entry_header(e, "anthropic-version"), "2023-06-01");
	assert_int_equal(strncmp(entry_header(e, "content-type"), "application/json", 16), 0);
	/* The key went as x-api-key (the fake shows its last 4 characters). */
	assert_int_equal(strncmp(entry_header(e, "x-api-key"), "****-key", 8), 0);
	assert_null(entry_header(e, "authorization"));
	body = entry_body(e);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(body, "model")->valuestring, MODEL);
	assert_int_equal(cJSON_GetObjectItemCaseSensitive(body, "max_tokens")->valueint, 100);
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "anthropic_version"));
	assert_false(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream")));
	cJSON_Delete(body);
	cJSON_Delete(log);

	/* An alias is sent as the API's id. */
	fake_state("{}");
	if (bedrock_messages_create(&m, c, "sonnet-4.5", r, NULL, &err))
		fail_msg("create with an alias: %s", err.message);
	bedrock_message_free(m);
	log = fake_log();
	body = entry_body(cJSON_GetArrayItem(log, 0));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(body, "model")->valuestring, MODEL);
	cJSON_Delete(body);
	cJSON_Delete(log);
	assert_no_secret();
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- streams -------------------------------------------------------------- */

static bedrock_message *create_once(bedrock_client *c, const char *model,
				    const bedrock_messages_request *r)
{
	bedrock_message *m = NULL;
	bedrock_error_info err;

	if (bedrock_messages_create(&m, c, model, r, NULL, &err))
		fail_msg("create: %s", err.message);
	return m;
}

static void stream_matches_create(bedrock_client *c, const bedrock_messages_request *r,
				  const bedrock_message *want, const char *want_text)
{
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	drained d;
	cJSON *log, *body;

	harness_fake_clear_log(&fake);
	if (bedrock_messages_stream(&s, c, MODEL, r, NULL, &err))
		fail_msg("stream: %s", err.message);
	drain(&d, s);
	if (d.rc != BEDROCK_ITEROVER)
		fail_msg("stream ended with %s: %s", bedrock_error_name(d.rc), d.err.message);
	if (strcmp(d.text, want_text))
		fail_msg("streamed text '%s', not '%s'", d.text, want_text);
	/* The real order, ping and unknown events left out. */
	assert_int_equal(strncmp(d.types, "message_start,content_block_start,content_block_delta,", 54), 0);
	assert_non_null(strstr(d.types, ",content_block_stop,message_delta,message_stop"));
	assert_string_equal(strstr(d.types, ",message_stop"), ",message_stop");
	assert_same_message(d.msg, want);
	log = fake_log();
	assert_int_equal(cJSON_GetArraySize(log), 1);
	assert_string_equal(bedrock_stream_request_id(s),
			    entry_str(cJSON_GetArrayItem(log, 0), "request_id"));
	body = entry_body(cJSON_GetArrayItem(log, 0));
	assert_true(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(body, "stream")));
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(body, "model")->valuestring, MODEL);
	cJSON_Delete(body);
	cJSON_Delete(log);
	drained_dispose(&d);
	bedrock_stream_free(s);
}

static void test_anthropic__stream_random_splits(void **state)
{
	static const char *const states[] = {
		"{\"split_seed\": 1}",
		"{\"split_seed\": 2, \"split_max\": 1}",
		"{\"split_seed\": 3, \"split_max\": 2}",
		"{\"split_seed\": 4, \"split_max\": 3, \"delta_chars\": 1}",
		"{\"split_seed\": 5, \"split_max\": 13}",
		"{\"split_seed\": 6, \"split_max\": 0}",
	};
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request(PROMPT);
	bedrock_message *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		fake_state(states[i]);
		want = create_once(c, MODEL, r);
		assert_text(want, ANSWER);
		stream_matches_create(c, r, want, ANSWER);
		bedrock_message_free(want);
	}
	assert_no_secret();
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static void test_anthropic__stream_crlf_comments_unknown_event(void **state)
{
	static const char *const states[] = {
		"{\"crlf\": true, \"split_seed\": 11, \"split_max\": 2}",
		"{\"comments\": true, \"pings\": 4, \"split_seed\": 12}",
		"{\"vertex_event\": true, \"split_seed\": 13, \"split_max\": 1}",
		"{\"crlf\": true, \"comments\": true, \"vertex_event\": true, \"pings\": 2,"
		" \"split_seed\": 14, \"split_max\": 3}",
		"{\"vertex_event\": \"brand_new_event\", \"split_max\": 0}",
	};
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request(PROMPT);
	bedrock_message *want;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(states) / sizeof(states[0]); i++) {
		fake_state(states[i]);
		want = create_once(c, MODEL, r);
		stream_matches_create(c, r, want, ANSWER);
		bedrock_message_free(want);
	}
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

#define WEATHER_SCHEMA "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}," \
		       "\"unit\":{\"type\":\"string\",\"enum\":[\"c\",\"f\"]}},\"required\":[\"city\"]}"
#define TOOL_ENTRY "{\"text\": \"Let me check.\", \"thinking\": \"The user wants Lyon.\"," \
		   " \"tool_use\": {\"name\": \"get_weather\", \"input\": {\"city\": \"Lyon\", \"unit\": \"c\"}}}"

static void test_anthropic__tools(void **state)
{
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request("What is the weather in Lyon?");
	bedrock_message *m, *next;
	const bedrock_content_block *b;
	bedrock_error_info err;
	cJSON *log, *body, *tools;

	(void)state;
	assert_int_equal(bedrock_messages_request_add_tool(r, "get_weather", "Weather for a city",
							   WEATHER_SCHEMA, NULL), 0);
	fake_state("{\"script\": [" TOOL_ENTRY ", " TOOL_ENTRY "], \"split_seed\": 21, \"split_max\": 2}");
	m = create_once(c, MODEL, r);
	assert_int_equal(bedrock_message_content_count(m), 3);
	assert_int_equal(bedrock_message_content(m, 0)->type, BEDROCK_CONTENT_THINKING);
	assert_string_equal(bedrock_message_content(m, 0)->text, "The user wants Lyon.");
	assert_non_null(bedrock_message_content(m, 0)->signature);
	assert_string_equal(bedrock_message_content(m, 1)->text, "Let me check.");
	b = bedrock_message_content(m, 2);
	assert_int_equal(b->type, BEDROCK_CONTENT_TOOL_USE);
	assert_string_equal(b->name, "get_weather");
	assert_int_equal(strncmp(b->id, "toolu_01", 8), 0);
	assert_string_equal(b->input_json, "{\"city\":\"Lyon\",\"unit\":\"c\"}");
	assert_int_equal(bedrock_message_stop_reason(m), BEDROCK_STOP_TOOL_USE);
	log = fake_log();
	body = entry_body(cJSON_GetArrayItem(log, 0));
	tools = cJSON_GetObjectItemCaseSensitive(body, "tools");
	assert_int_equal(cJSON_GetArraySize(tools), 1);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(tools, 0), "name")->valuestring,
			    "get_weather");
	cJSON_Delete(body);
	cJSON_Delete(log);

	/* Streamed: the thinking, the text and the tool input rebuilt. */
	stream_matches_create(c, r, m, "Let me check.");

	/* The tool loop: the answer goes back with the tool's result. */
	assert_int_equal(bedrock_messages_request_add_response(r, m), 0);
	assert_int_equal(bedrock_messages_request_add_message(r, BEDROCK_ROLE_USER), 0);
	assert_int_equal(bedrock_messages_request_add_tool_result_text(r, b->id, "12 C, sunny", 0, NULL), 0);
	fake_state("{}");
	if (bedrock_messages_create(&next, c, MODEL, r, NULL, &err))
		fail_msg("the tool result turn: %s", err.message);
	assert_text(next, "Thanks for the tool result.");
	log = fake_log();
	body = entry_body(cJSON_GetArrayItem(log, 0));
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(body, "messages")), 3);
	assert_non_null(strstr(entry_str(cJSON_GetArrayItem(log, 0), "body"), "\"tool_result\""));
	cJSON_Delete(body);
	cJSON_Delete(log);
	bedrock_message_free(next);
	bedrock_message_free(m);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- count_tokens ------------------------------------------------------- */

static void test_anthropic__count_tokens(void **state)
{
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request(PROMPT);
	bedrock_message *m;
	bedrock_error_info err;
	uint64_t n = 0;
	cJSON *log, *e, *body;

	(void)state;
	assert_int_equal(bedrock_messages_request_set_system(r, "Answer briefly."), 0);
	fake_state("{}");
	m = create_once(c, MODEL, r);
	harness_fake_clear_log(&fake);
	if (bedrock_messages_count_tokens(&n, c, MODEL, r, NULL, &err))
		fail_msg("count_tokens: %s", err.message);
	/* The fake counts the same system + messages the same way either call. */
	assert_true(n > 0);
	assert_int_equal(n, (uint64_t)bedrock_message_usage(m)->input_tokens);
	log = fake_log();
	assert_int_equal(cJSON_GetArraySize(log), 1);
	e = cJSON_GetArrayItem(log, 0);
	assert_string_equal(entry_str(e, "path"), "/v1/messages/count_tokens");
	assert_string_equal(entry_header(e, "anthropic-version"), "2023-06-01");
	body = entry_body(e);
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(body, "model")->valuestring, MODEL);
	/* count_tokens takes no max_tokens and no stream (the API refuses them). */
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "max_tokens"));
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "stream"));
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "anthropic_version"));
	assert_non_null(cJSON_GetObjectItemCaseSensitive(body, "system"));
	cJSON_Delete(body);
	cJSON_Delete(log);

	/* Its errors are typed like the others. */
	fake_state("{\"script\": [{\"status\": 429, \"request_id\": \"req_count429\"}]}");
	assert_int_equal(bedrock_messages_count_tokens(&n, c, MODEL, r, NULL, &err), BEDROCK_ETHROTTLED);
	assert_string_equal(err.aws_code, "rate_limit_error");
	assert_string_equal(err.request_id, "req_count429");
	bedrock_message_free(m);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- errors ---------------------------------------------------------------- */

static void test_anthropic__status_to_code(void **state)
{
	static const struct {
		int status;
		const char *type;
		int code, retryable;
	} cases[] = {
		{ 400, "invalid_request_error", BEDROCK_EHTTP, 0 },
		{ 401, "authentication_error", BEDROCK_EAUTH, 0 },
		{ 402, "billing_error", BEDROCK_EHTTP, 0 },
		{ 403, "permission_error", BEDROCK_EAUTH, 0 },	/* as on Bedrock */
		{ 404, "not_found_error", BEDROCK_EHTTP, 0 },
		{ 413, "request_too_large", BEDROCK_EHTTP, 0 },
		{ 429, "rate_limit_error", BEDROCK_ETHROTTLED, 1 },
		{ 500, "api_error", BEDROCK_EHTTP, 1 },
		{ 504, "timeout_error", BEDROCK_EHTTP, 1 },
		{ 529, "overloaded_error", BEDROCK_EHTTP, 1 },
	};
	bedrock_client *c = client(1);
	bedrock_messages_request *r = request("Hello");
	bedrock_message *m;
	bedrock_stream *s;
	bedrock_error_info err;
	char st[512], rid[64], msg[64];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		snprintf(rid, sizeof(rid), "req_scripted%d", cases[i].status);
		snprintf(msg, sizeof(msg), "scripted %d says no", cases[i].status);
		snprintf(st, sizeof(st), "{\"script\": [{\"status\": %d, \"message\": \"%s\","
			 " \"request_id\": \"%s\", \"repeat\": 2}]}", cases[i].status, msg, rid);
		fake_state(st);
		m = NULL;
		memset(&err, 0, sizeof(err));
		rc = bedrock_messages_create(&m, c, MODEL, r, NULL, &err);
		if (rc != cases[i].code)
			fail_msg("%d: %s, not %s", cases[i].status, bedrock_error_name(rc),
				 bedrock_error_name(cases[i].code));
		assert_null(m);
		assert_int_equal(err.code, rc);
		assert_int_equal(err.http_status, cases[i].status);
		assert_string_equal(err.aws_code, cases[i].type);
		assert_string_equal(err.request_id, rid);
		if (!strstr(err.message, msg))
			fail_msg("%d: message '%s' lacks '%s'", cases[i].status, err.message, msg);
		assert_int_equal(!!err.retryable, cases[i].retryable);
		/* A stream's opening says the same. */
		s = NULL;
		memset(&err, 0, sizeof(err));
		assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), cases[i].code);
		assert_null(s);
		assert_int_equal(err.http_status, cases[i].status);
		assert_string_equal(err.aws_code, cases[i].type);
		assert_string_equal(err.request_id, rid);
		assert_int_equal(log_count(), 2);
	}

	/* Not scripted: the fake's own refusals. A wrong key ... */
	{
		bedrock_client *bad = client_opts("sk-ant-wrong-key-0000", NULL, 3, 0, 0);

		fake_state("{}");
		assert_int_equal(bedrock_messages_create(&m, bad, MODEL, r, NULL, &err), BEDROCK_EAUTH);
		assert_int_equal(err.http_status, 401);
		assert_string_equal(err.aws_code, "authentication_error");
		assert_int_equal(strncmp(err.request_id, "req_", 4), 0);
		assert_null(strstr(err.message, "sk-ant-wrong-key"));
		assert_int_equal(log_count(), 1);	/* a 401 is not retried */
		bedrock_client_free(bad);
	}
	/* ... and a model the API does not have. */
	fake_state("{}");
	assert_int_equal(bedrock_messages_create(&m, c, "claude-nope-1", r, NULL, &err), BEDROCK_EHTTP);
	assert_int_equal(err.http_status, 404);
	assert_string_equal(err.aws_code, "not_found_error");
	assert_non_null(strstr(err.message, "claude-nope-1"));
	assert_no_secret();
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- retries ---------------------------------------------------------------- */

/* Scripts @p n answers of @p status (each with retry-after-ms 1, so retries
 * are quick) and returns what create made of them with @p attempts. */
static int scripted_create(bedrock_client *c, const bedrock_messages_request *r, int status,
			   int n, bedrock_error_info *err)
{
	bedrock_message *m = NULL;
	char st[256];
	int rc;

	snprintf(st, sizeof(st), "{\"script\": [{\"status\": %d, \"repeat\": %d,"
		 " \"headers\": {\"retry-after-ms\": \"1\"}}]}", status, n);
	fake_state(st);
	rc = bedrock_messages_create(&m, c, MODEL, r, NULL, err);
	bedrock_message_free(m);
	return rc;
}

static void test_anthropic__retried_statuses(void **state)
{
	static const int retried[] = { 408, 409, 429, 500, 502, 503, 504, 529 };
	static const int not_retried[] = { 400, 401, 402, 403, 404, 413, 422 };
	bedrock_client *c = client(2);
	bedrock_messages_request *r = request("Hello");
	bedrock_error_info err;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(retried) / sizeof(retried[0]); i++) {
		/* Once: the retry succeeds. */
		if (scripted_create(c, r, retried[i], 1, &err))
			fail_msg("%d then 200: %s", retried[i], err.message);
		if (log_count() != 2)
			fail_msg("%d: %d attempts, not 2", retried[i], log_count());
		/* Always: the last answer is the error, after max_attempts. */
		assert_int_not_equal(scripted_create(c, r, retried[i], 5, &err), 0);
		assert_int_equal(err.http_status, retried[i]);
		assert_int_equal(log_count(), 2);
	}
	for (i = 0; i < sizeof(not_retried) / sizeof(not_retried[0]); i++) {
		assert_int_not_equal(scripted_create(c, r, not_retried[i], 1, &err), 0);
		assert_int_equal(err.http_status, not_retried[i]);
		if (log_count() != 1)
			fail_msg("%d was retried", not_retried[i]);
	}
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static void test_anthropic__x_should_retry(void **state)
{
	bedrock_client *c = client(3);
	bedrock_messages_request *r = request("Hello");
	bedrock_message *m = NULL;
	bedrock_error_info err;

	(void)state;
	/* false: never, even a 529 or a 429. */
	fake_state("{\"script\": [{\"status\": 529, \"repeat\": 3,"
		   " \"headers\": {\"x-should-retry\": \"false\", \"retry-after-ms\": \"1\"}}]}");
	assert_int_equal(bedrock_messages_create(&m, c, MODEL, r, NULL, &err), BEDROCK_EHTTP);
	assert_string_equal(err.aws_code, "overloaded_error");
	assert_int_equal(log_count(), 1);
	fake_state("{\"script\": [{\"status\": 429, \"repeat\": 3,"
		   " \"headers\": {\"x-should-retry\": \"false\", \"retry-after-ms\": \"1\"}}]}");
	assert_int_equal(bedrock_messages_create(&m, c, MODEL, r, NULL, &err), BEDROCK_ETHROTTLED);
	assert_int_equal(log_count(), 1);
	/* true: always, even a 400. */
	fake_state("{\"script\": [{\"status\": 400, \"repeat\": 2,"
		   " \"headers\": {\"x-should-retry\": \"true\", \"retry-after-ms\": \"1\"}}]}");
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("400 x-should-retry: true twice, then 200: %s", err.message);
	assert_text(m, "You said: Hello");
	bedrock_message_free(m);
	assert_int_equal(log_count(), 3);
	/* The same for a stream's opening. */
	fake_state("{\"script\": [{\"status\": 400, \"headers\": {\"x-should-retry\": \"true\","
		   " \"retry-after-ms\": \"1\"}}]}");
	{
		bedrock_stream *s;
		drained d;

		if (bedrock_messages_stream(&s, c, MODEL, r, NULL, &err))
			fail_msg("stream after 400 x-should-retry: true: %s", err.message);
		drain(&d, s);
		assert_int_equal(d.rc, BEDROCK_ITEROVER);
		assert_string_equal(d.text, "You said: Hello");
		drained_dispose(&d);
		bedrock_stream_free(s);
		assert_int_equal(log_count(), 2);
	}
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

/* One scripted failure with @p headers (JSON members), then a success;
 * returns the milliseconds between the two attempts, as the fake saw them. */
static double wait_for(bedrock_client *c, const bedrock_messages_request *r, int status,
		       const char *headers)
{
	bedrock_message *m = NULL;
	bedrock_error_info err;
	char st[512];
	cJSON *log;
	double ms;

	snprintf(st, sizeof(st), "{\"script\": [{\"status\": %d, \"headers\": {%s}}]}", status, headers);
	fake_state(st);
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("%d {%s} then 200: %s", status, headers, err.message);
	bedrock_message_free(m);
	log = fake_log();
	assert_int_equal(cJSON_GetArraySize(log), 2);
	ms = gap_ms(log, 1);
	cJSON_Delete(log);
	return ms;
}

static void test_anthropic__retry_after(void **state)
{
	bedrock_client *c = client(4);
	bedrock_messages_request *r = request("Hello");
	bedrock_message *m = NULL;
	bedrock_error_info err;
	char date[64], hdr[128];
	time_t t;
	double ms, t0;
	cJSON *log;

	(void)state;
	/* retry-after-ms shortens the wait too: three retries at 5 ms each
	 * take far less than any back-off of the client's own. */
	fake_state("{\"script\": [{\"status\": 529, \"repeat\": 3, \"headers\": {\"retry-after-ms\": \"5\"}}]}");
	t0 = now_s();
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("3 x 529 then 200: %s", err.message);
	bedrock_message_free(m);
	log = fake_log();
	assert_int_equal(cJSON_GetArraySize(log), 4);
	ms = (cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, 3), "time")->valuedouble -
	      cJSON_GetObjectItemCaseSensitive(cJSON_GetArrayItem(log, 0), "time")->valuedouble) * 1000;
	cJSON_Delete(log);
	if (ms > 400 || now_s() - t0 > 2)
		fail_msg("retry-after-ms 5: three retries took %.0f ms", ms);

	/* It lengthens it: 1.5 s, beyond the first back-off (at most 1 s). */
	ms = wait_for(c, r, 529, "\"retry-after-ms\": \"1500\"");
	if (ms < 1400 || ms > 4000)
		fail_msg("retry-after-ms 1500: waited %.0f ms", ms);
	/* retry-after in seconds, when there is no retry-after-ms. */
	ms = wait_for(c, r, 429, "\"retry-after\": \"2\"");
	if (ms < 1900 || ms > 5000)
		fail_msg("retry-after 2: waited %.0f ms", ms);
	/* retry-after-ms wins over retry-after. */
	ms = wait_for(c, r, 429, "\"retry-after\": \"30\", \"retry-after-ms\": \"10\"");
	if (ms > 1500)
		fail_msg("retry-after-ms 10 with retry-after 30: waited %.0f ms", ms);
	/* retry-after as an HTTP date, 3 s ahead. */
	t = time(NULL) + 3;
	strftime(date, sizeof(date), "%a, %d %b %Y %H:%M:%S GMT", gmtime(&t));
	snprintf(hdr, sizeof(hdr), "\"retry-after\": \"%s\"", date);
	ms = wait_for(c, r, 503, hdr);
	if (ms < 1500 || ms > 5000)
		fail_msg("retry-after %s: waited %.0f ms", date, ms);
	/* Over 60 s: not obeyed; the normal back-off instead. */
	ms = wait_for(c, r, 529, "\"retry-after\": \"120\"");
	if (ms > 10000)
		fail_msg("retry-after 120 was obeyed (%.0f ms)", ms);
	ms = wait_for(c, r, 529, "\"retry-after-ms\": \"90000\"");
	if (ms > 10000)
		fail_msg("retry-after-ms 90000 was obeyed (%.0f ms)", ms);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static void test_anthropic__stream_retried_before_first_event_only(void **state)
{
	bedrock_client *c = client(3);
	bedrock_messages_request *r = request("Hello, stream");
	bedrock_error_info err;
	bedrock_stream *s = NULL;
	drained d;

	(void)state;
	/* An error answer, then a dropped connection: both before any event. */
	fake_state("{\"script\": [{\"status\": 529, \"headers\": {\"retry-after-ms\": \"1\"}},"
		   " {\"close\": true}]}");
	if (bedrock_messages_stream(&s, c, MODEL, r, NULL, &err))
		fail_msg("stream after 529 and a drop: %s", err.message);
	drain(&d, s);
	assert_int_equal(d.rc, BEDROCK_ITEROVER);
	assert_string_equal(d.text, "You said: Hello, stream");
	drained_dispose(&d);
	bedrock_stream_free(s);
	assert_true(log_count() >= 3);

	/* Once events have come, an error is the caller's: no new attempt. */
	fake_state("{\"script\": [{\"stream_error_after\": 2}], \"delta_chars\": 4}");
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
	drain(&d, s);
	assert_int_equal(d.rc, BEDROCK_ESERVICE);
	drained_dispose(&d);
	bedrock_stream_free(s);
	assert_int_equal(log_count(), 1);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- in-stream errors, cut and stalled streams --------------------------- */

static void test_anthropic__midstream_error_keeps_text(void **state)
{
	bedrock_client *c = client(3);
	bedrock_messages_request *r = request("a prompt long enough");
	bedrock_error_info err;
	bedrock_stream *s = NULL;
	bedrock_event ev;
	drained d;
	cJSON *log;

	(void)state;
	fake_state("{\"script\": [{\"stream_error_after\": 3}], \"delta_chars\": 4,"
		   " \"split_seed\": 31, \"split_max\": 3}");
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
	drain(&d, s);
	assert_int_equal(d.rc, BEDROCK_ESERVICE);
	assert_int_equal(d.err.code, BEDROCK_ESERVICE);
	assert_string_equal(d.err.aws_code, "overloaded_error");
	assert_non_null(strstr(d.err.message, "Overloaded"));
	/* Three deltas of four characters arrived before it, and stay. */
	assert_string_equal(d.text, "You said: a ");
	assert_non_null(d.msg);
	assert_text(d.msg, "You said: a ");
	log = fake_log();
	assert_string_equal(d.err.request_id, entry_str(cJSON_GetArrayItem(log, 0), "request_id"));
	cJSON_Delete(log);
	/* The stream stays failed. */
	assert_int_not_equal(bedrock_stream_next(&ev, s, &err), 0);
	drained_dispose(&d);
	bedrock_stream_free(s);

	/* rate_limit_error in the stream is a throttle. */
	fake_state("{\"script\": [{\"stream_error_after\": 1, \"stream_error\":"
		   " {\"type\": \"rate_limit_error\", \"message\": \"Slow down\"}}]}");
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
	drain(&d, s);
	assert_int_equal(d.rc, BEDROCK_ETHROTTLED);
	assert_string_equal(d.err.aws_code, "rate_limit_error");
	assert_non_null(strstr(d.err.message, "Slow down"));
	assert_string_equal(d.text, "You ");
	drained_dispose(&d);
	bedrock_stream_free(s);
	assert_int_equal(log_count(), 1);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static void test_anthropic__cut_stream_keeps_text(void **state)
{
	bedrock_client *c = client(3);
	bedrock_messages_request *r = request("a prompt long enough");
	bedrock_error_info err;
	bedrock_stream *s = NULL;
	drained d;
	int seed;

	(void)state;
	for (seed = 41; seed < 44; seed++) {
		char st[256];

		snprintf(st, sizeof(st), "{\"script\": [{\"cut_after\": 2}], \"delta_chars\": 4,"
			 " \"split_seed\": %d, \"split_max\": %d}", seed, seed - 40);
		fake_state(st);
		assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
		drain(&d, s);
		if (d.rc != BEDROCK_EPROTOCOL && d.rc != BEDROCK_EIO)
			fail_msg("a cut stream ended with %s", bedrock_error_name(d.rc));
		assert_string_equal(d.text, "You said");
		assert_non_null(d.msg);
		assert_text(d.msg, "You said");
		drained_dispose(&d);
		bedrock_stream_free(s);
		assert_int_equal(log_count(), 1);
	}
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

static void test_anthropic__stalls_time_out(void **state)
{
	bedrock_client *c = client_opts(KEY, NULL, 1, 700, 700);
	bedrock_messages_request *r = request("Hello");
	bedrock_message *m = NULL;
	bedrock_error_info err;
	bedrock_stream *s = NULL;
	drained d;
	double t0;

	(void)state;
	/* No headers for 4 s. */
	fake_state("{\"script\": [{\"stall\": 4}, {\"stall\": 4}]}");
	t0 = now_s();
	assert_int_equal(bedrock_messages_create(&m, c, MODEL, r, NULL, &err), BEDROCK_ETIMEOUT);
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), BEDROCK_ETIMEOUT);
	assert_true(now_s() - t0 < 3.5);
	/* Silence mid-stream, after one delta. */
	fake_state("{\"script\": [{\"pause_after\": 1, \"pause\": 4}], \"delta_chars\": 4}");
	assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
	t0 = now_s();
	drain(&d, s);
	assert_int_equal(d.rc, BEDROCK_ETIMEOUT);
	assert_string_equal(d.text, "You ");
	assert_true(now_s() - t0 < 3.5);
	drained_dispose(&d);
	bedrock_stream_free(s);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- the request as sent ------------------------------------------------- */

static void test_anthropic__headers_betas_and_bearer(void **state)
{
	bedrock_client *c = client(1), *bearer;
	bedrock_messages_request *r = request("Hello");
	bedrock_message *m = NULL;
	bedrock_error_info err;
	cJSON *log, *e, *body, *betas;

	(void)state;
	assert_int_equal(bedrock_messages_request_add_beta(r, "context-1m-2025-08-07"), 0);
	assert_int_equal(bedrock_messages_request_add_beta(r, "interleaved-thinking-2025-05-14"), 0);
	fake_state("{}");
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("create with betas: %s", err.message);
	bedrock_message_free(m);
	log = fake_log();
	e = cJSON_GetArrayItem(log, 0);
	/* Betas go in the anthropic-beta header, never in the body. */
	betas = cJSON_GetObjectItemCaseSensitive(e, "betas");
	assert_int_equal(cJSON_GetArraySize(betas), 2);
	assert_string_equal(cJSON_GetArrayItem(betas, 0)->valuestring, "context-1m-2025-08-07");
	assert_string_equal(cJSON_GetArrayItem(betas, 1)->valuestring, "interleaved-thinking-2025-05-14");
	body = entry_body(e);
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "anthropic_beta"));
	assert_null(cJSON_GetObjectItemCaseSensitive(body, "anthropic_version"));
	cJSON_Delete(body);
	cJSON_Delete(log);

	/* The stream too. */
	{
		bedrock_stream *s;
		drained d;

		fake_state("{}");
		assert_int_equal(bedrock_messages_stream(&s, c, MODEL, r, NULL, &err), 0);
		drain(&d, s);
		assert_int_equal(d.rc, BEDROCK_ITEROVER);
		drained_dispose(&d);
		bedrock_stream_free(s);
		log = fake_log();
		e = cJSON_GetArrayItem(log, 0);
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(e, "betas")), 2);
		assert_string_equal(entry_header(e, "anthropic-version"), "2023-06-01");
		cJSON_Delete(log);
	}

	/* auth_token goes as Authorization: Bearer, alone. */
	bearer = client_opts(NULL, TOKEN, 1, 0, 0);
	fake_state("{\"auth_token\": \"" TOKEN "\"}");
	if (bedrock_messages_create(&m, bearer, MODEL, r, NULL, &err))
		fail_msg("create with a bearer token: %s", err.message);
	bedrock_message_free(m);
	log = fake_log();
	e = cJSON_GetArrayItem(log, 0);
	assert_string_equal(entry_str(e, "auth"), "bearer");
	assert_null(entry_header(e, "x-api-key"));
	assert_int_equal(strncmp(entry_header(e, "authorization"), "****oken", 8), 0);
	cJSON_Delete(log);
	assert_no_secret();
	bedrock_client_free(bearer);
	bedrock_messages_request_free(r);
	bedrock_client_free(c);
}

/* ---- configuration -------------------------------------------------------- */

static void test_anthropic__config(void **state)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_messages_request *r = request("Hello");
	bedrock_client *c = NULL;
	bedrock_message *m = NULL;
	bedrock_error_info err;

	(void)state;
	/* Both an API key and a token: which one? Neither. */
	o.platform = BEDROCK_PLATFORM_ANTHROPIC;
	o.api_key = KEY;
	o.auth_token = TOKEN;
	o.endpoint_url = fake.url;
	memset(&err, 0, sizeof(err));
	assert_int_equal(bedrock_client_new(&c, &o, &err), BEDROCK_ECONFIG);
	assert_null(c);
	assert_int_equal(err.code, BEDROCK_ECONFIG);
	assert_true(err.message[0] != '\0');
	assert_null(strstr(err.message, KEY));
	assert_null(strstr(err.message, TOKEN));

	/* The endpoint: ANTHROPIC_BASE_URL, else api.anthropic.com; no AWS
	 * region needed (clear_env() removed every AWS_REGION). */
	o.auth_token = NULL;
	o.endpoint_url = NULL;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client without a region: %s", err.message);
	assert_string_equal(bedrock_client_endpoint(c), "https://api.anthropic.com");
	bedrock_client_free(c);
	setenv("ANTHROPIC_BASE_URL", fake.url, 1);
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client with ANTHROPIC_BASE_URL: %s", err.message);
	unsetenv("ANTHROPIC_BASE_URL");
	assert_string_equal(bedrock_client_endpoint(c), fake.url);
	fake_state("{}");
	if (bedrock_messages_create(&m, c, MODEL, r, NULL, &err))
		fail_msg("create through ANTHROPIC_BASE_URL: %s", err.message);
	assert_text(m, "You said: Hello");
	bedrock_message_free(m);
	bedrock_client_free(c);
	bedrock_messages_request_free(r);
}

static void test_anthropic__bedrock_only_calls(void **state)
{
	static const char body[] = "{\"max_tokens\":10,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
	bedrock_client *c = client(1);
	bedrock_response *resp = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;

	(void)state;
	fake_state("{}");
	assert_int_equal(bedrock_invoke_model(&resp, c, MODEL, body, strlen(body), NULL, &err), BEDROCK_ENOTSUP);
	assert_int_equal(err.code, BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_converse(&resp, c, MODEL, body, strlen(body), NULL, &err), BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_count_tokens(&resp, c, MODEL, body, strlen(body), NULL, &err), BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_control_request(&resp, c, "GET", "/foundation-models", NULL, 0, &err),
			 BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, body, strlen(body), NULL, &err),
			 BEDROCK_ENOTSUP);
	assert_int_equal(bedrock_converse_stream(&s, c, MODEL, body, strlen(body), NULL, &err), BEDROCK_ENOTSUP);
	assert_null(resp);
	assert_null(s);
	/* Refused before anything was sent. */
	assert_int_equal(log_count(), 0);
	assert_string_equal(bedrock_error_name(BEDROCK_ENOTSUP), "BEDROCK_ENOTSUP");
	bedrock_client_free(c);
}

#define T(name) cmocka_unit_test(name)

int main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_anthropic__create),
		T(test_anthropic__stream_random_splits),
		T(test_anthropic__stream_crlf_comments_unknown_event),
		T(test_anthropic__tools),
		T(test_anthropic__count_tokens),
		T(test_anthropic__status_to_code),
		T(test_anthropic__retried_statuses),
		T(test_anthropic__x_should_retry),
		T(test_anthropic__retry_after),
		T(test_anthropic__stream_retried_before_first_event_only),
		T(test_anthropic__midstream_error_keeps_text),
		T(test_anthropic__cut_stream_keeps_text),
		T(test_anthropic__stalls_time_out),
		T(test_anthropic__headers_betas_and_bearer),
		T(test_anthropic__config),
		T(test_anthropic__bedrock_only_calls),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}

#else

/* Until the Anthropic API platform lands (bedrock_client_options version 3:
 * platform, api_key, auth_token; bedrock_messages_count_tokens;
 * BEDROCK_ENOTSUP), this test fails and says why, rather than breaking the
 * build. */
int main(void)
{
	fprintf(stderr, "test_client_anthropic: the Anthropic API platform is not in this build "
		"(BEDROCK_CLIENT_OPTIONS_VERSION %d < 3)\n", BEDROCK_CLIENT_OPTIONS_VERSION);
	return 1;
}

#endif
