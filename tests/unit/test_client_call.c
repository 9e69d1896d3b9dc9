/* Whole (non-streaming) calls in a bedrock_multi driven from an event loop
 * (bedrock_multi_messages_send and its kin) against `bedrock emulate`, a
 * small poll() loop standing in for libevent. Each is held against the
 * blocking call it stands for: the same answer, or the same
 * bedrock_error_info. Many calls at once; error answers and a transport
 * error; a done callback that frees its call and starts the next (on one
 * kept-alive connection); a running call freed; a stalled server cut at the
 * deadline and at the idle timeout; the Anthropic API and Vertex; the
 * request itself, as a recording proxy saw it, on every platform; what is
 * refused. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "loop_helpers.h"
#include "proxy_helpers.h"

#define TOKEN "ya29.test-call-token-7c2"
#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define API_ID "claude-sonnet-4-5-20250929"
#define VERTEX_ID "claude-sonnet-4-5@20250929"
#define PROMPT(p) "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
		  "\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define API_PROMPT(p) "{\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define VERTEX_PROMPT(p) "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":64," \
			 "\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define N 40

static harness_emulator emu;
/* Started once for the group: a failed assertion must not leave it running. */
static test_proxy px;

/* What a call's done callback saw. */
typedef struct rec {
	bedrock_call *call;
	int told;		/* times done was called */
	int rc;
	bedrock_response *r;
	bedrock_error_info err;
} rec;

/* Takes the result (once: a second ask is refused) and frees the call. */
static void on_done(void *arg, bedrock_call *call)
{
	rec *o = arg;
	bedrock_response *again;
	bedrock_error_info e2;

	assert_ptr_equal(call, o->call);
	o->told++;
	o->rc = bedrock_call_result(&o->r, call, &o->err);
	assert_int_equal(bedrock_call_result(&again, call, &e2), BEDROCK_EINVAL);
	assert_null(again);
	bedrock_call_free(call);
	o->call = NULL;
}

static void on_done_never(void *arg, bedrock_call *call)
{
	(void)arg;
	(void)call;
	fail_msg("a freed call was told it ended");
}

static bedrock_client *client_via(bedrock_platform p, const char *url, long idle_ms,
				  long deadline_ms, const char *proxy)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.platform = p;
	o.endpoint_url = url;
	o.proxy = proxy;
	/* The blocking call it is held against makes one attempt too. */
	o.max_attempts = 1;
	o.idle_timeout_ms = idle_ms;
	o.deadline_ms = deadline_ms;
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

static bedrock_client *client_with(bedrock_platform p, const char *url, long idle_ms,
				   long deadline_ms)
{
	return client_via(p, url, idle_ms, deadline_ms, "");
}

static bedrock_client *client_for(bedrock_platform p)
{
	return client_with(p, emu.url, 0, 0);
}

static int all_told(const rec *o, int n)
{
	for (int i = 0; i < n; i++)
		if (!o[i].told)
			return 0;
	return 1;
}

static void run_until_told(loop *l, rec *o, int n, int secs)
{
	long long end = now_ms() + secs * 1000LL;

	while (!all_told(o, n)) {
		assert_true(now_ms() < end);
		loop_turn(l, 100);
	}
}

static void run_for(loop *l, int ms)
{
	long long end = now_ms() + ms;

	while (now_ms() < end)
		loop_turn(l, 50);
}

/* The same answer: status, bytes, type; each with its own request id. */
static void assert_same_response(const bedrock_response *got, const bedrock_response *want)
{
	size_t glen, wlen;
	const char *g = bedrock_response_body(got, &glen), *w = bedrock_response_body(want, &wlen);

	assert_int_equal(bedrock_response_status(got), bedrock_response_status(want));
	assert_bytes_equal(g, glen, w, wlen);
	assert_string_equal(bedrock_response_header(got, "content-type"),
			    bedrock_response_header(want, "content-type"));
	assert_int_equal(bedrock_response_attempts(got), 1);
	assert_true(strlen(bedrock_response_request_id(got)) > 0);
}

/* The same error, field by field; the request ids are each request's own,
 * so only whether there is one is the same. */
static void assert_same_error(const bedrock_error_info *got, const bedrock_error_info *want)
{
	assert_int_equal(got->code, want->code);
	assert_int_equal(got->http_status, want->http_status);
	assert_int_equal(got->retryable, want->retryable);
	assert_string_equal(got->aws_code, want->aws_code);
	assert_string_equal(got->message, want->message);
	assert_int_equal(got->request_id[0] != '\0', want->request_id[0] != '\0');
}

/* A whole call's operations, each as the multi starts it and as the
 * blocking call makes it, on the same arguments. */
typedef enum op { OP_SEND, OP_SEND_COUNT, OP_COUNT, OP_CONVERSE, OP_CONTROL } op;

static int start(rec *o, op which, loop *l, bedrock_client *c, const char *model,
		 const char *body, const char *betas, bedrock_error_info *err)
{
	size_t len = strlen(body);

	memset(o, 0, sizeof(*o));
	switch (which) {
	case OP_SEND:
		return bedrock_multi_messages_send(&o->call, l->m, c, model, body, len, betas, NULL,
						   on_done, o, err);
	case OP_SEND_COUNT:
		return bedrock_multi_messages_send_count_tokens(&o->call, l->m, c, model, body, len,
								betas, NULL, on_done, o, err);
	case OP_COUNT:
		return bedrock_multi_count_tokens(&o->call, l->m, c, model, body, len, NULL, on_done,
						  o, err);
	case OP_CONTROL:	/* model: the path and query */
		return bedrock_multi_control_request(&o->call, l->m, c, "GET", model, NULL, 0,
						     on_done, o, err);
	default:
		return bedrock_multi_converse(&o->call, l->m, c, model, body, len, NULL, on_done, o,
					      err);
	}
}

static int blocking(bedrock_response **r, op which, bedrock_client *c, const char *model,
		    const char *body, const char *betas, bedrock_error_info *err)
{
	size_t len = strlen(body);

	switch (which) {
	case OP_SEND:
		return bedrock_messages_send(r, c, model, body, len, betas, NULL, err);
	case OP_SEND_COUNT:
		return bedrock_messages_send_count_tokens(r, c, model, body, len, betas, NULL, err);
	case OP_COUNT:
		return bedrock_count_tokens(r, c, model, body, len, NULL, err);
	case OP_CONTROL:
		return bedrock_control_request(r, c, "GET", model, NULL, 0, err);
	default:
		return bedrock_converse(r, c, model, body, len, NULL, err);
	}
}

/* One call in a fresh loop, then the blocking call: the same outcome.
 * Returns the result code, for the caller to say which it should be. */
static int check_like_blocking(op which, bedrock_client *c, const char *model, const char *body,
			       const char *betas)
{
	bedrock_response *want = NULL;
	bedrock_error_info err, werr;
	rec o;
	loop l;
	int wrc;

	loop_init(&l);
	assert_int_equal(start(&o, which, &l, c, model, body, betas, &err), 0);
	assert_non_null(o.call);
	run_until_told(&l, &o, 1, 20);
	assert_int_equal(o.told, 1);
	wrc = blocking(&want, which, c, model, body, betas, &werr);
	assert_int_equal(o.rc, wrc);
	if (wrc) {
		assert_null(o.r);
		assert_same_error(&o.err, &werr);
	} else {
		assert_same_response(o.r, want);
	}
	bedrock_response_free(o.r);
	bedrock_response_free(want);
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	return wrc;
}

static void make_body(char *out, size_t cap, int i)
{
	snprintf(out, cap, PROMPT("call %d [[emulate:fault=slow=%d]]"), i, (i % 3) * 20);
}

static void test_call__many_like_blocking(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK);
	bedrock_error_info err;
	static rec o[N];
	char body[256];
	loop l;
	int i;

	(void)state;
	loop_init(&l);
	for (i = 0; i < N; i++) {
		make_body(body, sizeof(body), i);
		assert_int_equal(start(&o[i], OP_SEND, &l, c, MODEL, body, NULL, &err), 0);
		/* The body was copied: the caller's buffer is free again. */
		memset(body, 'x', sizeof(body));
	}
	/* Started, none ended: nothing is done outside bedrock_multi_act(). */
	for (i = 0; i < N; i++)
		assert_int_equal(o[i].told, 0);
	run_until_told(&l, o, N, 30);
	for (i = 0; i < N; i++) {
		bedrock_response *want;
		char said[64];

		assert_int_equal(o[i].told, 1);
		assert_int_equal(o[i].rc, 0);
		make_body(body, sizeof(body), i);
		assert_int_equal(bedrock_messages_send(&want, c, MODEL, body, strlen(body), NULL, NULL,
						       &err), 0);
		assert_same_response(o[i].r, want);
		snprintf(said, sizeof(said), "You said: call %d ", i);
		assert_non_null(strstr(bedrock_response_body(o[i].r, NULL), said));
		bedrock_response_free(want);
		bedrock_response_free(o[i].r);
	}
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	bedrock_client_free(c);
}

static void test_call__errors_like_blocking(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK), *nowhere;
	bedrock_response *want;
	bedrock_error_info err, werr;
	rec o;
	loop l;

	(void)state;
	/* 429 ThrottlingException, 500, 400 (a base id is not invocable on
	 * demand), and 403 (signed with a key the service does not know). */
	assert_int_equal(check_like_blocking(OP_SEND, c, MODEL, PROMPT("x [[emulate:fault=throttle]]"),
					     NULL), BEDROCK_ETHROTTLED);
	assert_int_equal(check_like_blocking(OP_SEND, c, MODEL, PROMPT("x [[emulate:fault=internal]]"),
					     NULL), BEDROCK_EHTTP);
	assert_int_equal(check_like_blocking(OP_SEND, c, "anthropic.claude-sonnet-4-5-20250929-v1:0",
					     PROMPT("x"), NULL), BEDROCK_EHTTP);
	{
		bedrock_client_options opts;
		bedrock_client *stranger;

		harness_emulator_options(&opts, &emu);
		opts.max_attempts = 1;
		opts.access_key_id = "AKIDSTRANGER";
		assert_int_equal(bedrock_client_new(&stranger, &opts, &err), 0);
		assert_int_equal(check_like_blocking(OP_SEND, stranger, MODEL, PROMPT("x"), NULL),
				 BEDROCK_EAUTH);
		bedrock_client_free(stranger);
	}

	/* Nothing listening: the transport error, naming the URL. libcurl's
	 * detail says how long the connect took, so the message is the same
	 * up to that. */
	nowhere = client_with(BEDROCK_PLATFORM_BEDROCK, "http://127.0.0.1:1", 0, 0);
	loop_init(&l);
	assert_int_equal(start(&o, OP_SEND, &l, nowhere, MODEL, PROMPT("x"), NULL, &err), 0);
	run_until_told(&l, &o, 1, 20);
	assert_int_equal(bedrock_messages_send(&want, nowhere, MODEL, PROMPT("x"), strlen(PROMPT("x")),
					       NULL, NULL, &werr), BEDROCK_EIO);
	assert_int_equal(o.rc, BEDROCK_EIO);
	assert_int_equal(o.err.retryable, werr.retryable);
	assert_int_equal(o.err.http_status, 0);
	assert_non_null(strstr(o.err.message, "http://127.0.0.1:1/model/"));
	{
		const char *cut = strstr(werr.message, " after ");
		size_t same = cut ? (size_t)(cut - werr.message) : strlen(werr.message);

		assert_memory_equal(o.err.message, werr.message, same);
	}
	bedrock_multi_free(l.m);
	bedrock_client_free(nowhere);

	/* Refused before anything is sent, as the blocking call refuses it. */
	loop_init(&l);
	assert_int_equal(bedrock_multi_messages_send(&o.call, l.m, c, MODEL, PROMPT("x"),
						     strlen(PROMPT("x")), "some-beta", NULL, on_done,
						     &o, &err), BEDROCK_EINVAL);
	assert_null(o.call);
	assert_int_equal(bedrock_messages_send(&want, c, MODEL, PROMPT("x"), strlen(PROMPT("x")),
					       "some-beta", NULL, &werr), BEDROCK_EINVAL);
	assert_same_error(&err, &werr);
	bedrock_multi_free(l.m);
	bedrock_client_free(c);
}

/* A chain: each call's done callback frees it and starts the next. */
typedef struct chain {
	loop *l;
	bedrock_client *c;
	bedrock_call *call;
	int left, told, failed;
	char text[1024];
} chain;

static void on_chain_done(void *arg, bedrock_call *call)
{
	chain *ch = arg;
	bedrock_response *r;
	bedrock_error_info err;
	char body[256];

	assert_ptr_equal(call, ch->call);
	ch->told++;
	if (bedrock_call_result(&r, call, &err)) {
		ch->failed++;
	} else {
		const char *said = strstr(bedrock_response_body(r, NULL), "You said: ");

		assert_non_null(said);
		strncat(ch->text, said + 10, strcspn(said + 10, "\""));
		strcat(ch->text, ";");
		bedrock_response_free(r);
	}
	bedrock_call_free(call);
	ch->call = NULL;
	if (ch->left-- <= 0)
		return;
	snprintf(body, sizeof(body), PROMPT("link %d"), ch->told);
	assert_int_equal(bedrock_multi_messages_send(&ch->call, ch->l->m, ch->c, MODEL, body,
						     strlen(body), NULL, NULL, on_chain_done, ch,
						     &err), 0);
}

static void test_call__done_frees_and_starts_another(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK);
	bedrock_error_info err;
	chain ch;
	loop l;
	long long end;

	(void)state;
	loop_init(&l);
	memset(&ch, 0, sizeof(ch));
	ch.l = &l;
	ch.c = c;
	ch.left = 9;
	assert_int_equal(bedrock_multi_messages_send(&ch.call, l.m, c, MODEL, PROMPT("link 0"),
						     strlen(PROMPT("link 0")), NULL, NULL,
						     on_chain_done, &ch, &err), 0);
	end = now_ms() + 20000;
	while (ch.call) {
		assert_true(now_ms() < end);
		loop_turn(&l, 100);
	}
	assert_int_equal(ch.told, 10);
	assert_int_equal(ch.failed, 0);
	assert_string_equal(ch.text, "link 0;link 1;link 2;link 3;link 4;link 5;link 6;link 7;"
				     "link 8;link 9;");
	/* Back to back, on one kept-alive connection. */
	assert_int_equal(l.nports, 1);
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	bedrock_client_free(c);
}

static void test_call__free_a_running_call(void **state)
{
	size_t live = harness_live_allocations();
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK);
	bedrock_call *slow;
	bedrock_error_info err;
	rec o;
	loop l;

	(void)state;
	loop_init(&l);
	assert_int_equal(bedrock_multi_messages_send(&slow, l.m, c, MODEL,
						     PROMPT("late [[emulate:fault=slow=3000]]"),
						     strlen(PROMPT("late [[emulate:fault=slow=3000]]")),
						     NULL, NULL, on_done_never, NULL, &err), 0);
	run_for(&l, 300);
	assert_int_equal(bedrock_call_result(&o.r, slow, &err), BEDROCK_EAGAIN);
	bedrock_call_free(slow);
	/* Its connection closed, nobody told; the multi still works. */
	run_for(&l, 300);
	assert_int_equal(start(&o, OP_SEND, &l, c, MODEL, PROMPT("after"), NULL, &err), 0);
	run_until_told(&l, &o, 1, 10);
	assert_int_equal(o.rc, 0);
	bedrock_response_free(o.r);
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	bedrock_client_free(c);
	assert_int_equal(harness_live_allocations(), live);
}

static void test_call__deadline_cuts_a_stalled_call(void **state)
{
	/* The answer after 4 s, and the call's deadline 1.5 s. */
	bedrock_client *c = client_with(BEDROCK_PLATFORM_BEDROCK, emu.url, 0, 1500);
	const char *body = PROMPT("late [[emulate:fault=slow=4000]]");
	bedrock_response *want;
	bedrock_error_info err, werr;
	long long t0 = now_ms();
	rec o;
	loop l;

	(void)state;
	loop_init(&l);
	assert_int_equal(start(&o, OP_SEND, &l, c, MODEL, body, NULL, &err), 0);
	run_until_told(&l, &o, 1, 10);
	assert_int_equal(o.rc, BEDROCK_ETIMEOUT);
	assert_true(now_ms() - t0 >= 1400 && now_ms() - t0 < 3500);
	assert_non_null(strstr(o.err.message, "deadline"));
	assert_int_equal(bedrock_messages_send(&want, c, MODEL, body, strlen(body), NULL, NULL, &werr),
			 BEDROCK_ETIMEOUT);
	assert_same_error(&o.err, &werr);
	bedrock_multi_free(l.m);
	bedrock_client_free(c);
}

static void test_call__silent_server_is_cut(void **state)
{
	/* The answer after 9 s, the idle limit 1 s: libcurl's low-speed
	 * limit cuts it once its last 5 s carried nothing, about 6 s in. */
	bedrock_client *c = client_with(BEDROCK_PLATFORM_BEDROCK, emu.url, 1000, 0);
	bedrock_error_info err;
	long long t0 = now_ms();
	rec o;
	loop l;

	(void)state;
	loop_init(&l);
	assert_int_equal(start(&o, OP_SEND, &l, c, MODEL, PROMPT("late [[emulate:fault=slow=9000]]"),
			       NULL, &err), 0);
	run_until_told(&l, &o, 1, 12);
	assert_int_equal(o.rc, BEDROCK_ETIMEOUT);
	assert_true(now_ms() - t0 < 8900);
	bedrock_multi_free(l.m);
	bedrock_client_free(c);
}

static void test_call__bedrock_operations(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK);

	(void)state;
	assert_int_equal(check_like_blocking(OP_CONVERSE, c, MODEL,
					     "{\"messages\":[{\"role\":\"user\",\"content\":"
					     "[{\"text\":\"Converse, looped\"}]}]}", NULL), 0);
	/* {"input":{"invokeModel":{"body": base64 of PROMPT("count me")}}} */
	assert_int_equal(check_like_blocking(OP_COUNT, c, "anthropic.claude-sonnet-4-5-20250929-v1:0",
					     "{\"input\":{\"invokeModel\":{\"body\":\""
					     "eyJhbnRocm9waWNfdmVyc2lvbiI6ImJlZHJvY2stMjAyMy0wNS0z"
					     "MSIsIm1heF90b2tlbnMiOjEwMCwibWVzc2FnZXMiOlt7InJvbGUi"
					     "OiJ1c2VyIiwiY29udGVudCI6ImNvdW50IG1lIn1dfQ==\"}}}",
					     NULL), 0);
	/* The raw count wraps the body, and names a profile's base model. */
	assert_int_equal(check_like_blocking(OP_SEND_COUNT, c, MODEL, PROMPT("count me"), NULL), 0);
	/* Converse on a model Bedrock refuses: the same error. */
	assert_int_not_equal(check_like_blocking(OP_CONVERSE, c, "meta.llama-nope",
						 "{\"messages\":[]}", NULL), 0);
	/* The control plane: a listing, one model, and one that is not there. */
	assert_int_equal(check_like_blocking(OP_CONTROL, c, "/foundation-models?byProvider=Anthropic",
					     "", NULL), 0);
	assert_int_equal(check_like_blocking(OP_CONTROL, c, "/inference-profiles", "", NULL), 0);
	assert_int_not_equal(check_like_blocking(OP_CONTROL, c, "/foundation-models/no.such-model",
						 "", NULL), 0);
	bedrock_client_free(c);
}

static void test_call__anthropic_api(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_ANTHROPIC);

	(void)state;
	/* The model set in the body, the betas a header. */
	assert_int_equal(check_like_blocking(OP_SEND, c, API_ID, API_PROMPT("Hello, API"), NULL), 0);
	assert_int_equal(check_like_blocking(OP_SEND, c, API_ID, API_PROMPT("With betas"),
					     "context-1m-2025-08-07"), 0);
	assert_int_equal(check_like_blocking(OP_SEND_COUNT, c, API_ID,
					     "{\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}",
					     NULL), 0);
	assert_int_equal(check_like_blocking(OP_CONTROL, c, "/v1/models", "", NULL), 0);
	assert_int_equal(check_like_blocking(OP_SEND, c, API_ID,
					     API_PROMPT("x [[emulate:fault=overloaded]]"), NULL),
			 BEDROCK_EHTTP);
	assert_int_equal(check_like_blocking(OP_SEND, c, API_ID,
					     API_PROMPT("x [[emulate:fault=throttle]]"), NULL),
			 BEDROCK_ETHROTTLED);
	/* A Bedrock operation is refused off Bedrock, before anything is sent. */
	{
		bedrock_error_info err;
		rec o;
		loop l;

		loop_init(&l);
		assert_int_equal(start(&o, OP_CONVERSE, &l, c, MODEL, "{}", NULL, &err),
				 BEDROCK_ENOTSUP);
		assert_null(o.call);
		bedrock_multi_free(l.m);
	}
	bedrock_client_free(c);
}

static void test_call__vertex(void **state)
{
	bedrock_client *c = client_for(BEDROCK_PLATFORM_VERTEX);

	(void)state;
	assert_int_equal(check_like_blocking(OP_SEND, c, VERTEX_ID, VERTEX_PROMPT("Hello, Vertex"),
					     NULL), 0);
	assert_int_equal(check_like_blocking(OP_SEND_COUNT, c, VERTEX_ID,
					     "{\"anthropic_version\":\"vertex-2023-10-16\","
					     "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}",
					     NULL), 0);
	assert_int_equal(check_like_blocking(OP_SEND, c, VERTEX_ID,
					     VERTEX_PROMPT("x [[emulate:fault=throttle]]"), NULL),
			 BEDROCK_ETHROTTLED);
	assert_int_equal(check_like_blocking(OP_SEND, c, VERTEX_ID,
					     VERTEX_PROMPT("x [[emulate:fault=overloaded]]"), NULL),
			 BEDROCK_EHTTP);
	bedrock_client_free(c);
}

/* A request as the proxy logged it, with what must differ from one request
 * to the next made equal: the signing time, and the signature over it. */
static char *request_seen(const char *line)
{
	cJSON *j = cJSON_Parse(line), *h, *pair;
	char *out;

	assert_non_null(j);
	h = cJSON_GetObjectItemCaseSensitive(j, "headers");
	cJSON_ArrayForEach(pair, h) {
		const char *name = cJSON_GetArrayItem(pair, 0)->valuestring;
		cJSON *value = cJSON_GetArrayItem(pair, 1);
		char *sig = strstr(value->valuestring, "Signature=");

		if (!strcasecmp(name, "x-amz-date"))
			cJSON_SetValuestring(value, "(time)");
		else if (!strcasecmp(name, "authorization") && sig)
			sig[10] = '\0';
	}
	out = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	return out;
}

/* The looped call, then the blocking one, through a recording proxy: the
 * same request line, the same headers in the same order, the same body
 * length. */
static void check_same_request(bedrock_platform p, op which, const char *model,
			       const char *body, const char *betas)
{
	bedrock_client *c = client_via(p, emu.url, 0, 0, px.url);
	char *log, *second, *a, *b;

	test_proxy_clear(&px);
	check_like_blocking(which, c, model, body, betas);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 2);
	log = test_proxy_log(&px);
	second = strchr(log, '\n');
	assert_non_null(second);
	*second++ = '\0';
	a = request_seen(log);
	b = request_seen(second);
	assert_string_equal(a, b);
	if (betas)
		assert_non_null(strstr(a, betas));
	cJSON_free(a);
	cJSON_free(b);
	free(log);
	bedrock_client_free(c);
}

static void test_call__same_request(void **state)
{
	(void)state;
	check_same_request(BEDROCK_PLATFORM_BEDROCK, OP_SEND, MODEL, PROMPT("the request"), NULL);
	check_same_request(BEDROCK_PLATFORM_BEDROCK, OP_SEND_COUNT, MODEL, PROMPT("count"), NULL);
	check_same_request(BEDROCK_PLATFORM_BEDROCK, OP_CONVERSE, MODEL,
			   "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"hi\"}]}]}",
			   NULL);
	check_same_request(BEDROCK_PLATFORM_ANTHROPIC, OP_SEND, API_ID, API_PROMPT("the request"),
			   "context-1m-2025-08-07");
	check_same_request(BEDROCK_PLATFORM_ANTHROPIC, OP_SEND_COUNT, API_ID,
			   "{\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}", NULL);
	check_same_request(BEDROCK_PLATFORM_VERTEX, OP_SEND, VERTEX_ID,
			   VERTEX_PROMPT("the request"), "context-1m-2025-08-07");
	check_same_request(BEDROCK_PLATFORM_VERTEX, OP_SEND_COUNT, VERTEX_ID,
			   "{\"anthropic_version\":\"vertex-2023-10-16\","
			   "\"messages\":[{\"role\":\"user\",\"content\":\"count\"}]}", NULL);
}

static void test_call__what_is_refused(void **state)
{
	size_t live = harness_live_allocations();
	bedrock_client *c = client_for(BEDROCK_PLATFORM_BEDROCK);
	bedrock_multi *pulled;
	bedrock_cancel *cancel;
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	bedrock_response *r;
	bedrock_call *call = (bedrock_call *)&live;
	bedrock_error_info err;
	long long end;
	loop l;
	int rc;

	(void)state;
	/* Only in a multi in an event loop. */
	assert_int_equal(bedrock_multi_new(&pulled), 0);
	assert_int_equal(bedrock_multi_messages_send(&call, pulled, c, MODEL, PROMPT("x"),
						     strlen(PROMPT("x")), NULL, NULL, NULL, NULL, &err),
			 BEDROCK_EINVAL);
	assert_null(call);
	assert_non_null(strstr(err.message, "bedrock_multi_use_loop"));
	bedrock_multi_free(pulled);
	assert_int_equal(bedrock_multi_converse(NULL, NULL, c, MODEL, "{}", 2, NULL, NULL, NULL, &err),
			 BEDROCK_EINVAL);
	assert_int_equal(bedrock_call_result(NULL, NULL, &err), BEDROCK_EINVAL);
	bedrock_call_free(NULL);

	/* A token already triggered: refused at once. */
	loop_init(&l);
	assert_int_equal(bedrock_cancel_new(&cancel), 0);
	bedrock_cancel_trigger(cancel);
	ro.cancel = cancel;
	assert_int_equal(bedrock_multi_messages_send(&call, l.m, c, MODEL, PROMPT("x"),
						     strlen(PROMPT("x")), NULL, &ro, NULL, NULL, &err),
			 BEDROCK_ECANCELED);
	assert_null(call);
	bedrock_cancel_free(cancel);

	/* No done callback: the result is asked for until it is in. */
	assert_int_equal(bedrock_multi_messages_send(&call, l.m, c, MODEL, PROMPT("polled"),
						     strlen(PROMPT("polled")), NULL, NULL, NULL, NULL,
						     &err), 0);
	assert_int_equal(bedrock_call_result(&r, call, &err), BEDROCK_EAGAIN);
	end = now_ms() + 10000;
	while ((rc = bedrock_call_result(&r, call, &err)) == BEDROCK_EAGAIN) {
		assert_true(now_ms() < end);
		loop_turn(&l, 100);
	}
	assert_int_equal(rc, 0);
	assert_non_null(strstr(bedrock_response_body(r, NULL), "You said: polled"));
	bedrock_response_free(r);
	bedrock_call_free(call);

	/* A multi freed under a running call stops it; the call is freed after. */
	assert_int_equal(bedrock_multi_messages_send(&call, l.m, c, MODEL,
						     PROMPT("late [[emulate:fault=slow=3000]]"),
						     strlen(PROMPT("late [[emulate:fault=slow=3000]]")),
						     NULL, NULL, on_done_never, NULL, &err), 0);
	run_for(&l, 100);
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	assert_int_equal(bedrock_call_result(&r, call, &err), BEDROCK_ECANCELED);
	assert_null(r);
	bedrock_call_free(call);
	bedrock_client_free(c);
	assert_int_equal(harness_live_allocations(), live);
}

static int setup(void **state)
{
	static const char *const args[] = { "--google-token", TOKEN, NULL };

	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	unsetenv("ANTHROPIC_API_KEY");
	unsetenv("ANTHROPIC_AUTH_TOKEN");
	unsetenv("ANTHROPIC_BASE_URL");
	unsetenv("ANTHROPIC_VERTEX_BASE_URL");
	unsetenv("CLOUD_ML_REGION");
	setenv("NO_GCE_CHECK", "true", 1);
	harness_setup(state);
	harness_emulator_start(&emu, args);
	test_proxy_start(&px);
	return 0;
}

static int teardown(void **state)
{
	test_proxy_stop(&px);
	harness_emulator_stop(&emu);
	return harness_teardown(state);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_call__many_like_blocking),
		cmocka_unit_test(test_call__errors_like_blocking),
		cmocka_unit_test(test_call__done_frees_and_starts_another),
		cmocka_unit_test(test_call__free_a_running_call),
		cmocka_unit_test(test_call__deadline_cuts_a_stalled_call),
		cmocka_unit_test(test_call__silent_server_is_cut),
		cmocka_unit_test(test_call__bedrock_operations),
		cmocka_unit_test(test_call__anthropic_api),
		cmocka_unit_test(test_call__vertex),
		cmocka_unit_test(test_call__same_request),
		cmocka_unit_test(test_call__what_is_refused),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
