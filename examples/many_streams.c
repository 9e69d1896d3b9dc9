/* Many streams from your own event loop (here a plain poll() loop; the
 * same two hooks fit libevent, libuv or epoll): three questions asked at
 * once, each answer printed whole when its stream ends. */
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bedrock/bedrock.h>

#define STREAMS 3
#define MAX_FDS 64

typedef struct loop {
	struct pollfd fds[MAX_FDS];
	int nfds;
	long long timer_at;		/* ms on the monotonic clock; -1: none */
} loop;

typedef struct answer {
	char text[1024];
	int over;			/* ended (1) or failed (-1) */
} answer;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* The library asks: watch fd for what, or stop watching it. */
static void *watch(void *arg, int fd, int what, void *slot)
{
	loop *l = arg;
	int i;

	for (i = 0; i < l->nfds && l->fds[i].fd != fd; i++)
		;
	if (what == BEDROCK_WATCH_REMOVE) {
		if (i < l->nfds)
			l->fds[i] = l->fds[--l->nfds];
		return NULL;
	}
	if (i == l->nfds) {
		if (l->nfds == MAX_FDS)
			return slot;	/* a real loop grows here */
		l->fds[l->nfds++].fd = fd;
	}
	l->fds[i].events = (short)((what & BEDROCK_WATCH_IN ? POLLIN : 0) |
				   (what & BEDROCK_WATCH_OUT ? POLLOUT : 0));
	return slot;
}

/* ... and to be called back after ms (-1: never). */
static void timer(void *arg, long ms)
{
	loop *l = arg;

	l->timer_at = ms < 0 ? -1 : now_ms() + ms;
}

/* A stream may have news: take every event it has now. */
static void on_ready(void *arg, bedrock_stream *s)
{
	answer *a = arg;
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		if (ev.text && strlen(a->text) + ev.text_len < sizeof(a->text))
			strncat(a->text, ev.text, ev.text_len);
	if (rc == BEDROCK_ITEROVER) {
		a->over = 1;
	} else if (rc != BEDROCK_EAGAIN) {
		snprintf(a->text, sizeof(a->text), "%s", err.message);
		a->over = -1;
	}
}

int main(void)
{
	static const char *const questions[STREAMS] = { "What is a haiku?", "Name a sea.",
							"Why is the sky blue?" };
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	loop l = { .nfds = 0, .timer_at = -1 };
	bedrock_multi_loop hooks = { watch, timer, &l };
	bedrock_stream *streams[STREAMS] = { NULL };
	answer answers[STREAMS];
	bedrock_error_info err;
	bedrock_client *client;
	bedrock_multi *multi;
	int i, left = STREAMS, failed = 0;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	if (bedrock_multi_new(&multi) || bedrock_multi_use_loop(multi, &hooks))
		return 1;
	memset(answers, 0, sizeof(answers));
	for (i = 0; i < STREAMS; i++) {
		char body[256];

		snprintf(body, sizeof(body), "{\"anthropic_version\":\"bedrock-2023-05-31\","
			 "\"max_tokens\":256,\"messages\":[{\"role\":\"user\",\"content\":\"%s\"}]}",
			 questions[i]);
		if (bedrock_multi_messages_stream(&streams[i], multi, client,
						  "us.anthropic.claude-haiku-4-5-20251001-v1:0", body,
						  strlen(body), NULL, NULL, &err)) {
			fprintf(stderr, "%s\n", err.message);
			return 1;
		}
		bedrock_stream_on_ready(streams[i], on_ready, &answers[i]);
	}
	/* The loop: wait for a socket or the timer, then let the multi act. */
	while (left) {
		struct pollfd ready[MAX_FDS];
		int n = l.nfds, wait = 1000;

		if (l.timer_at >= 0)
			wait = l.timer_at <= now_ms() ? 0 : (int)(l.timer_at - now_ms());
		memcpy(ready, l.fds, sizeof(ready[0]) * (size_t)n);
		if (poll(ready, (nfds_t)n, wait) < 0)
			break;
		for (i = 0; i < n; i++) {
			int what = (ready[i].revents & (POLLIN | POLLHUP | POLLERR) ? BEDROCK_WATCH_IN
										    : 0) |
				   (ready[i].revents & POLLOUT ? BEDROCK_WATCH_OUT : 0);

			if (what)
				bedrock_multi_act(multi, ready[i].fd, what);
		}
		if (l.timer_at >= 0 && now_ms() >= l.timer_at) {
			l.timer_at = -1;
			bedrock_multi_act(multi, BEDROCK_MULTI_TIMEOUT, 0);
		}
		for (left = 0, i = 0; i < STREAMS; i++)
			left += !answers[i].over;
	}
	for (i = 0; i < STREAMS; i++) {
		printf("%d: %s\n", i + 1, answers[i].text);
		failed |= answers[i].over < 0;
		bedrock_stream_free(streams[i]);
	}
	bedrock_multi_free(multi);
	bedrock_client_free(client);
	return failed;
}
