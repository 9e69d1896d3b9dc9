/* A bedrock_multi driven from an event loop (bedrock_multi_use_loop)
 * against `bedrock emulate`: a small poll() loop here stands in for
 * libevent. Many streams at once, an error answer, ready callbacks that
 * free streams, pause and resume, the raw Messages stream, and the idle
 * timeout. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "loop_helpers.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define PROMPT(p) "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
		  "\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define N 40

static harness_emulator emu;

typedef struct one {
	bedrock_stream *s;
	char text[256];
	int events, ended, failed, calls;
	int free_after;		/* free the stream in its callback after this many events */
	bedrock_error_info err;
} one;

static void on_ready(void *arg, bedrock_stream *s)
{
	one *o = arg;
	bedrock_event ev;
	int rc;

	assert_ptr_equal(s, o->s);
	o->calls++;
	while ((rc = bedrock_stream_next(&ev, s, &o->err)) == 0) {
		o->events++;
		if (ev.text && strlen(o->text) + ev.text_len < sizeof(o->text))
			strncat(o->text, ev.text, ev.text_len);
		if (o->free_after && o->events == o->free_after) {
			bedrock_stream_free(s);
			o->s = NULL;
			o->ended = 1;
			return;
		}
	}
	if (rc == BEDROCK_ITEROVER)
		o->ended = 1;
	else if (rc != BEDROCK_EAGAIN)
		o->failed = rc;
}

static bedrock_client *client_with(const harness_emulator *e, long idle_ms, long deadline_ms)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;

	harness_emulator_options(&o, e);
	o.max_attempts = 1;
	o.idle_timeout_ms = idle_ms;
	o.deadline_ms = deadline_ms;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static bedrock_client *client_for(const harness_emulator *e, long idle_ms)
{
	return client_with(e, idle_ms, 0);
}

static int all_over(const one *o, int n)
{
	for (int i = 0; i < n; i++)
		if (!o[i].ended && !o[i].failed)
			return 0;
	return 1;
}

static void run_until_over(loop *l, one *o, int n, int secs)
{
	long long end = now_ms() + secs * 1000LL;

	while (!all_over(o, n)) {
		assert_true(now_ms() < end);
		loop_turn(l, 100);
	}
}

/* A fresh loop with one raw Messages stream in it, told to fn. */
static void open_one(one *o, loop *l, bedrock_client *c, const char *body,
		     bedrock_stream_ready_fn fn)
{
	bedrock_error_info err;

	memset(o, 0, sizeof(*o));
	loop_init(l);
	assert_int_equal(bedrock_multi_messages_stream(&o->s, l->m, c, MODEL, body, strlen(body),
						       NULL, NULL, &err), 0);
	bedrock_stream_on_ready(o->s, fn, o);
}

static void close_one(one *o, loop *l, bedrock_client *c)
{
	bedrock_stream_free(o->s);
	bedrock_multi_free(l->m);
	bedrock_client_free(c);
}

static void test_loop__many_streams_and_an_error(void **state)
{
	bedrock_client *c = client_for(&emu, 0);
	bedrock_error_info err;
	static one o[N + 1];
	loop l;
	int i;

	(void)state;
	memset(o, 0, sizeof(o));
	loop_init(&l);
	for (i = 0; i < N; i++) {
		char body[256];

		snprintf(body, sizeof(body), PROMPT("stream %d [[emulate:fault=slow=%d]]"), i, i % 3);
		assert_int_equal(bedrock_multi_messages_stream(&o[i].s, l.m, c, MODEL, body,
							       strlen(body), NULL, NULL, &err), 0);
		bedrock_stream_on_ready(o[i].s, on_ready, &o[i]);
	}
	/* One freed by its own callback after its second event. */
	o[5].free_after = 2;
	/* One that Bedrock refuses: the error answer is that stream's result. */
	assert_int_equal(bedrock_multi_invoke_model_stream(&o[N].s, l.m, c,
			 "anthropic.claude-sonnet-4-5-20250929-v1:0", PROMPT("x"),
			 strlen(PROMPT("x")), NULL, &err), 0);
	bedrock_stream_on_ready(o[N].s, on_ready, &o[N]);
	/* Not how a loop's multi is read. */
	{
		bedrock_stream *which;
		bedrock_event ev;

		assert_int_equal(bedrock_multi_next(&which, &ev, l.m, 0, &err), BEDROCK_EINVAL);
	}
	run_until_over(&l, o, N + 1, 30);
	for (i = 0; i < N; i++) {
		char want[128];

		if (i == 5) {
			assert_int_equal(o[i].events, 2);
			continue;
		}
		snprintf(want, sizeof(want), "You said: stream %d [[emulate:fault=slow=%d]]", i, i % 3);
		assert_int_equal(o[i].failed, 0);
		assert_string_equal(o[i].text, want);
		/* Told when there was news, not once per event. */
		assert_true(o[i].calls >= 1 && o[i].calls <= o[i].events + 1);
	}
	assert_int_equal(o[N].failed, BEDROCK_EHTTP);
	assert_string_equal(o[N].err.aws_code, "ValidationException");
	for (i = 0; i <= N; i++)
		bedrock_stream_free(o[i].s);
	/* Every watched socket given back once the transfers are gone. */
	bedrock_multi_free(l.m);
	assert_int_equal(l.slots_live, 0);
	bedrock_client_free(c);
}

static void on_ready_pausing(void *arg, bedrock_stream *s)
{
	one *o = arg;

	on_ready(arg, s);
	/* Held back after the first event, until the test lets go. */
	if (o->events >= 1 && !o->ended)
		assert_int_equal(bedrock_stream_pause(s, 1), 0);
}

static void test_loop__pause_and_resume(void **state)
{
	bedrock_client *c = client_for(&emu, 0);
	const char *body = PROMPT("paused for a while [[emulate:fault=slow=50]]");
	one o;
	loop l;
	long long until;
	int held;

	(void)state;
	open_one(&o, &l, c, body, on_ready_pausing);
	while (!o.events)
		loop_turn(&l, 100);
	held = o.events;
	/* While paused, the loop goes on and nothing more is delivered. */
	until = now_ms() + 400;
	while (now_ms() < until)
		loop_turn(&l, 50);
	assert_int_equal(o.events, held);
	assert_false(o.ended);
	bedrock_stream_on_ready(o.s, on_ready, &o);
	assert_int_equal(bedrock_stream_pause(o.s, 0), 0);
	run_until_over(&l, &o, 1, 20);
	assert_int_equal(o.failed, 0);
	assert_true(o.events > held);
	assert_string_equal(o.text, "You said: paused for a while [[emulate:fault=slow=50]]");
	close_one(&o, &l, c);
}

static void test_loop__silent_server_is_cut(void **state)
{
	/* The emulator waits 9 s before the first event; the idle limit is 1 s.
	 * libcurl measures the rate over its last 5 s, so the cut comes when
	 * the header bytes have left that window: about 6 s in. */
	bedrock_client *c = client_for(&emu, 1000);
	const char *body = PROMPT("late [[emulate:fault=slow=9000]]");
	one o;
	loop l;
	long long t0 = now_ms();

	(void)state;
	open_one(&o, &l, c, body, on_ready);
	run_until_over(&l, &o, 1, 12);
	assert_int_equal(o.failed, BEDROCK_ETIMEOUT);
	assert_int_equal(o.events, 0);
	assert_true(now_ms() - t0 < 8900);
	close_one(&o, &l, c);
}

static void test_loop__deadline_cuts_a_stream(void **state)
{
	/* The first event after 4 s, and the call's deadline 1.5 s: the stream
	 * is cut at the deadline, not when the event comes. */
	bedrock_client *c = client_with(&emu, 0, 1500);
	const char *body = PROMPT("late [[emulate:fault=slow=4000]]");
	one o;
	loop l;
	long long t0 = now_ms();

	(void)state;
	open_one(&o, &l, c, body, on_ready);
	run_until_over(&l, &o, 1, 10);
	assert_int_equal(o.failed, BEDROCK_ETIMEOUT);
	assert_non_null(strstr(o.err.message, "deadline"));
	assert_int_equal(o.events, 0);
	assert_true(now_ms() - t0 >= 1400 && now_ms() - t0 < 3500);
	close_one(&o, &l, c);
}

static void test_loop__bad_arguments(void **state)
{
	bedrock_multi *m;
	bedrock_multi_loop none = { NULL, NULL, NULL };

	(void)state;
	assert_int_equal(bedrock_multi_new(&m), 0);
	assert_int_equal(bedrock_multi_use_loop(m, &none), BEDROCK_EINVAL);
	assert_int_equal(bedrock_multi_act(m, BEDROCK_MULTI_TIMEOUT, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_stream_pause(NULL, 1), BEDROCK_EINVAL);
	bedrock_multi_free(m);
}

static int setup(void **state)
{
	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_emulator_start(&emu, NULL);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_loop__many_streams_and_an_error),
		cmocka_unit_test(test_loop__pause_and_resume),
		cmocka_unit_test(test_loop__silent_server_is_cut),
		cmocka_unit_test(test_loop__deadline_cuts_a_stream),
		cmocka_unit_test(test_loop__bad_arguments),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
