/* Cancellation against `bedrock emulate`: a stream cancelled from another
 * thread and from signal handlers (SIGALRM, SIGINT) while the emulator is
 * slow, a stream in a bedrock_multi, a blocking InvokeModel and a stream's
 * opening (through its retries) cancelled by a token. Each must end with
 * BEDROCK_ECANCELED well under a second, keep what was already returned,
 * and leave the client usable. */
#define _GNU_SOURCE /* pthread_kill, setitimer with _POSIX_C_SOURCE set */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define PROMPT(p) "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
		  "\"messages\":[{\"role\":\"user\",\"content\":\"" p "\"}]}"
#define HELLO PROMPT("Hello, world")

/* How soon after the cancel the call must return. A signal interrupts the
 * wait at once; another thread's cancel is seen within one 100 ms slice.
 * The bound leaves room for valgrind and a busy machine. */
#define PROMPT_MS 450

static harness_emulator emu;

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static bedrock_client *client_for(unsigned attempts)
{
	bedrock_client_options o;
	bedrock_error_info err;
	bedrock_client *c;

	harness_emulator_options(&o, &emu);
	o.max_attempts = attempts;
	o.proxy = "";
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static int setup(void **state)
{
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_setup(state);
	harness_emulator_start(&emu, NULL);
	return 0;
}

static int teardown(void **state)
{
	harness_emulator_stop(&emu);
	return harness_teardown(state);
}

/* The client still works after a cancel (its pooled transfer too). */
static void assert_client_works(bedrock_client *c)
{
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	bedrock_response *r;
	int rc, n = 0;

	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	assert_non_null(strstr(bedrock_response_body(r, NULL), "You said: Hello, world"));
	bedrock_response_free(r);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		n++;
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_true(n > 3);
	bedrock_stream_free(s);
}

/* ---- from another thread ---- */

typedef struct {
	bedrock_stream *stream;
	bedrock_cancel *token;
	long delay_ms;
	long long at;		/* when the cancel was made */
} canceller;

static void *cancel_later(void *arg)
{
	canceller *k = arg;
	struct timespec ts = { k->delay_ms / 1000, (k->delay_ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
	k->at = now_ms();
	if (k->stream)
		bedrock_stream_cancel(k->stream);
	else
		bedrock_cancel_trigger(k->token);
	return NULL;
}

static void test_client_cancel__stream_from_another_thread(void **state)
{
	bedrock_client *c = client_for(1);
	const char *b = PROMPT("one two three four five six [[emulate:fault=slow=1000]]");
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	canceller k = { NULL, NULL, 150, 0 };
	pthread_t t;
	char saved[256];
	const char *json;
	size_t json_len;
	int rc;

	(void)state;
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
	assert_int_equal(bedrock_stream_next(&ev, s, &err), 0);
	assert_string_equal(ev.event_type, "chunk");
	json = ev.json;
	json_len = ev.json_len;
	assert_true(json_len < sizeof(saved));
	memcpy(saved, json, json_len);

	/* The next event is a second away; the cancel comes first. */
	k.stream = s;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	rc = bedrock_stream_next(&ev, s, &err);
	assert_int_equal(rc, BEDROCK_ECANCELED);
	pthread_join(t, NULL);
	assert_true(now_ms() - k.at < PROMPT_MS);
	assert_int_equal(err.code, BEDROCK_ECANCELED);
	assert_non_null(strstr(err.message, "cancelled"));
	assert_false(err.retryable);
	/* What was returned before is still there, unchanged. */
	assert_memory_equal(json, saved, json_len);
	/* Sticky. */
	assert_int_equal(bedrock_stream_next(&ev, s, &err), BEDROCK_ECANCELED);
	bedrock_stream_free(s);
	assert_client_works(c);
	bedrock_client_free(c);
}

/* ---- from signal handlers ---- */

static bedrock_stream *volatile signal_target;
static volatile sig_atomic_t signals_seen;
static long long signal_at;

static void on_signal(int sig)
{
	bedrock_stream *s = signal_target;

	(void)sig;
	signals_seen++;
	/* The only library call a handler makes. */
	if (s)
		bedrock_stream_cancel(s);
}

static void install(int sig, struct sigaction *old)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = SA_RESTART;	/* as a CLI would set it: poll() is never restarted */
	assert_int_equal(sigaction(sig, &sa, old), 0);
}

/* Reads a slow stream until the signal's cancel stops it. */
static void read_until_cancelled(bedrock_stream *s, int *events_before)
{
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	*events_before = 0;
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		(*events_before)++;
	assert_int_equal(rc, BEDROCK_ECANCELED);
	assert_int_equal(bedrock_stream_next(&ev, s, &err), BEDROCK_ECANCELED);
}

static void test_client_cancel__stream_from_sigalrm_handler(void **state)
{
	bedrock_client *c = client_for(1);
	const char *b = PROMPT("a slow answer from the model [[emulate:fault=slow=200]]");
	struct itimerval it = { { 0, 0 }, { 0, 700 * 1000 } }, off = { { 0, 0 }, { 0, 0 } };
	struct sigaction old;
	bedrock_error_info err;
	bedrock_stream *s;
	long long start;
	int before;

	(void)state;
	install(SIGALRM, &old);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
	signal_target = s;
	signals_seen = 0;
	start = now_ms();
	assert_int_equal(setitimer(ITIMER_REAL, &it, NULL), 0);
	read_until_cancelled(s, &before);
	signal_at = start + 700;
	assert_int_equal(signals_seen, 1);
	/* Some events came in before the alarm (one every 200 ms), not all. */
	assert_true(before >= 1);
	assert_true(now_ms() - signal_at < PROMPT_MS);
	signal_target = NULL;
	setitimer(ITIMER_REAL, &off, NULL);
	sigaction(SIGALRM, &old, NULL);
	bedrock_stream_free(s);
	assert_client_works(c);
	bedrock_client_free(c);
}

typedef struct {
	pthread_t target;
	long long at;
} sender;

static void *send_sigint(void *arg)
{
	sender *k = arg;
	struct timespec ts = { 0, 400 * 1000000L };

	nanosleep(&ts, NULL);
	k->at = now_ms();
	pthread_kill(k->target, SIGINT);
	return NULL;
}

static void test_client_cancel__stream_from_sigint_handler(void **state)
{
	bedrock_client *c = client_for(1);
	/* One event every three seconds: without the cancel this takes a minute. */
	const char *b = PROMPT("Ctrl-C stops this answer [[emulate:fault=slow=3000]]");
	struct sigaction old;
	bedrock_error_info err;
	bedrock_stream *s;
	sender k;
	pthread_t t;
	int before;

	(void)state;
	install(SIGINT, &old);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), NULL, &err), 0);
	signal_target = s;
	signals_seen = 0;
	/* Sent to the thread blocked in bedrock_stream_next, as a terminal's
	 * Ctrl-C reaches a single-threaded CLI. */
	k.target = pthread_self();
	assert_int_equal(pthread_create(&t, NULL, send_sigint, &k), 0);
	read_until_cancelled(s, &before);
	pthread_join(t, NULL);
	assert_int_equal(signals_seen, 1);
	assert_true(now_ms() - k.at < PROMPT_MS);
	signal_target = NULL;
	sigaction(SIGINT, &old, NULL);
	bedrock_stream_free(s);
	assert_client_works(c);
	bedrock_client_free(c);
}

/* ---- bedrock_multi ---- */

static void test_client_cancel__multi(void **state)
{
	bedrock_client *c = client_for(1);
	const char *slow = PROMPT("this one is cancelled [[emulate:fault=slow=1000]]");
	bedrock_stream *s[3], *which;
	bedrock_multi *m;
	bedrock_error_info err;
	bedrock_event ev;
	canceller k = { NULL, NULL, 300, 0 };
	pthread_t t;
	int ended = 0, cancelled = 0, rc, i;

	(void)state;
	assert_int_equal(bedrock_multi_new(&m), 0);
	assert_int_equal(bedrock_multi_invoke_model_stream(&s[0], m, c, MODEL, slow, strlen(slow), NULL,
							   &err), 0);
	for (i = 1; i < 3; i++)
		assert_int_equal(bedrock_multi_invoke_model_stream(&s[i], m, c, MODEL, HELLO, strlen(HELLO),
								   NULL, &err), 0);
	k.stream = s[0];
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	while ((rc = bedrock_multi_next(&which, &ev, m, -1, &err)) != BEDROCK_ITEROVER || which) {
		if (rc == BEDROCK_ITEROVER) {
			assert_true(which != s[0]);
			ended++;
		} else if (rc) {
			assert_ptr_equal(which, s[0]);
			assert_int_equal(rc, BEDROCK_ECANCELED);
			assert_true(now_ms() - k.at < PROMPT_MS);
			cancelled++;
		}
	}
	pthread_join(t, NULL);
	assert_int_equal(ended, 2);
	assert_int_equal(cancelled, 1);
	assert_int_equal(bedrock_multi_count(m), 0);
	/* The cancelled stream says so again when asked directly. */
	assert_int_equal(bedrock_stream_next(&ev, s[0], &err), BEDROCK_ECANCELED);
	for (i = 0; i < 3; i++)
		bedrock_stream_free(s[i]);
	bedrock_multi_free(m);
	bedrock_client_free(c);
}

/* ---- a token: blocking InvokeModel, a stream's opening ---- */

static void test_client_cancel__invoke_model_token(void **state)
{
	bedrock_client *c = client_for(1);
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	const char *b = PROMPT("an answer that takes five seconds [[emulate:fault=slow=5000]]");
	bedrock_error_info err;
	bedrock_response *r = NULL;
	bedrock_cancel *tok;
	canceller k = { NULL, NULL, 250, 0 };
	pthread_t t;
	long long start;

	(void)state;
	assert_int_equal(bedrock_cancel_new(&tok), 0);
	ro.cancel = tok;
	k.token = tok;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, b, strlen(b), &ro, &err), BEDROCK_ECANCELED);
	pthread_join(t, NULL);
	assert_null(r);
	assert_true(now_ms() - k.at < PROMPT_MS);
	assert_true(bedrock_cancel_requested(tok));

	/* Already triggered: nothing is sent. */
	start = now_ms();
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), &ro, &err),
			 BEDROCK_ECANCELED);
	assert_int_equal(bedrock_invoke_model_stream((bedrock_stream **)&r, c, MODEL, HELLO,
						     strlen(HELLO), &ro, &err), BEDROCK_ECANCELED);
	assert_true(now_ms() - start < 50);

	/* Reset, it serves the next call. */
	bedrock_cancel_reset(tok);
	assert_false(bedrock_cancel_requested(tok));
	assert_int_equal(bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), &ro, &err), 0);
	bedrock_response_free(r);
	bedrock_cancel_free(tok);
	assert_client_works(c);
	bedrock_client_free(c);
}

static void test_client_cancel__stream_opening_in_backoff(void **state)
{
	/* Throttled on every attempt: the opening goes through back-offs of
	 * up to seconds; the token ends it wherever it is. */
	bedrock_client *c = client_for(12);
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	const char *b = PROMPT("x [[emulate:fault=throttle]]");
	bedrock_error_info err;
	bedrock_stream *s = NULL;
	bedrock_cancel *tok;
	canceller k = { NULL, NULL, 600, 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(bedrock_cancel_new(&tok), 0);
	ro.cancel = tok;
	k.token = tok;
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), &ro, &err),
			 BEDROCK_ECANCELED);
	pthread_join(t, NULL);
	assert_null(s);
	assert_true(now_ms() - k.at < PROMPT_MS);
	bedrock_cancel_free(tok);
	bedrock_client_free(c);
}

/* A token given to a stream cancels the stream itself later on. */
static void test_client_cancel__stream_token(void **state)
{
	bedrock_client *c = client_for(1);
	bedrock_request_options ro = BEDROCK_REQUEST_OPTIONS_INIT;
	const char *b = PROMPT("tokens cancel streams too [[emulate:fault=slow=1000]]");
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	bedrock_cancel *tok;
	canceller k = { NULL, NULL, 200, 0 };
	pthread_t t;

	(void)state;
	assert_int_equal(bedrock_cancel_new(&tok), 0);
	ro.cancel = tok;
	k.token = tok;
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, b, strlen(b), &ro, &err), 0);
	assert_int_equal(pthread_create(&t, NULL, cancel_later, &k), 0);
	while (bedrock_stream_next(&ev, s, &err) == 0)
		;
	pthread_join(t, NULL);
	assert_int_equal(err.code, BEDROCK_ECANCELED);
	assert_true(now_ms() - k.at < PROMPT_MS);
	bedrock_stream_free(s);
	bedrock_cancel_free(tok);
	bedrock_client_free(c);
}

/* A stream that already ended keeps its result; NULL is ignored. */
static void test_client_cancel__after_the_end(void **state)
{
	bedrock_client *c = client_for(1);
	bedrock_error_info err;
	bedrock_stream *s;
	bedrock_event ev;
	int rc;

	(void)state;
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		;
	assert_int_equal(rc, BEDROCK_ITEROVER);
	bedrock_stream_cancel(s);
	bedrock_stream_cancel(NULL);
	bedrock_cancel_trigger(NULL);
	assert_int_equal(bedrock_stream_next(&ev, s, &err), BEDROCK_ITEROVER);
	bedrock_stream_free(s);
	bedrock_client_free(c);
}

static void test_client_cancel__error_code(void **state)
{
	(void)state;
	assert_int_equal(BEDROCK_ECANCELED, -15);
	assert_string_equal(bedrock_error_name(BEDROCK_ECANCELED), "BEDROCK_ECANCELED");
	assert_string_equal(bedrock_strerror(BEDROCK_ECANCELED), "cancelled by the caller");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_cancel__stream_from_another_thread),
		cmocka_unit_test(test_client_cancel__stream_from_sigalrm_handler),
		cmocka_unit_test(test_client_cancel__stream_from_sigint_handler),
		cmocka_unit_test(test_client_cancel__multi),
		cmocka_unit_test(test_client_cancel__invoke_model_token),
		cmocka_unit_test(test_client_cancel__stream_opening_in_backoff),
		cmocka_unit_test(test_client_cancel__stream_token),
		cmocka_unit_test(test_client_cancel__after_the_end),
		cmocka_unit_test(test_client_cancel__error_code),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
