/* Whole (non-streaming) calls against `bedrock emulate`: CPU per call of
 * this process (user+sys: the client only, never the emulator), and
 * allocations per call (malloc, calloc and realloc of every library in the
 * process: ours, libcurl's, cJSON's, OpenSSL's), for
 *
 *   blocking      bedrock_messages_send() in a loop, one after the other
 *   looped        bedrock_multi_messages_send() in a looped bedrock_multi
 *                 (a poll() loop here), one in flight: each done callback
 *                 frees its call and starts the next
 *   looped xK     the same with K in flight at once
 *
 * on Bedrock (SigV4) and on the Anthropic API (an API key), after a
 * warm-up of each. The three take turns, ROUNDS times (CALLS / ROUNDS
 * calls each time), and the table gives the median round and the range:
 * on a shared machine a wake-up's cost drifts within seconds, and turns
 * put each side through the same drift.
 *
 *   bench_calls URL [CALLS] [INFLIGHT] [ROUNDS]     (20000, 32, 7)
 *
 * (`make bench` starts the emulator and passes its URL; by hand:
 * build/bedrock emulate --listen 127.0.0.1:0 --quiet). */
#define _GNU_SOURCE
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <bedrock/bedrock.h>

/* Every allocation in the process is counted here: the executable's
 * malloc comes before libc's for every shared library too. */
extern void *__libc_malloc(size_t n);
extern void *__libc_calloc(size_t n, size_t size);
extern void *__libc_realloc(void *p, size_t n);
extern void __libc_free(void *p);
static unsigned long allocations;

void *malloc(size_t n)
{
	allocations++;
	return __libc_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	allocations++;
	return __libc_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	allocations++;
	return __libc_realloc(p, n);
}

void free(void *p)
{
	__libc_free(p);
}

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define API_ID "claude-sonnet-4-5-20250929"

static const char bedrock_body[] =
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"How fast is a whole call?\"}]}";
static const char api_body[] =
	"{\"model\":\"" API_ID "\",\"max_tokens\":64,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"How fast is a whole call?\"}]}";

typedef struct loop {
	struct pollfd fds[1024];
	int nfds;
	long long timer_at;
	bedrock_multi *m;
} loop;

static long long now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

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
		if (l->nfds == 1024)
			abort();
		l->fds[l->nfds++].fd = fd;
	}
	l->fds[i].events = (short)((what & BEDROCK_WATCH_IN ? POLLIN : 0) |
				   (what & BEDROCK_WATCH_OUT ? POLLOUT : 0));
	return slot;
}

static void timer(void *arg, long ms)
{
	loop *l = arg;

	l->timer_at = ms < 0 ? -1 : now_ms() + ms;
}

static void turn(loop *l)
{
	struct pollfd ready[1024];
	int wait = 1000, i, n = l->nfds;

	if (l->timer_at >= 0) {
		long long left = l->timer_at - now_ms();

		wait = left < 0 ? 0 : left < wait ? (int)left : wait;
	}
	memcpy(ready, l->fds, sizeof(ready[0]) * (size_t)n);
	if (poll(ready, (nfds_t)n, wait) < 0)
		abort();
	for (i = 0; i < n; i++) {
		int what = (ready[i].revents & (POLLIN | POLLHUP | POLLERR) ? BEDROCK_WATCH_IN : 0) |
			   (ready[i].revents & POLLOUT ? BEDROCK_WATCH_OUT : 0);

		if (what)
			bedrock_multi_act(l->m, ready[i].fd, what);
	}
	if (l->timer_at >= 0 && now_ms() >= l->timer_at) {
		l->timer_at = -1;
		bedrock_multi_act(l->m, BEDROCK_MULTI_TIMEOUT, 0);
	}
}

typedef struct run {
	bedrock_client *c;
	loop *l;
	const char *model, *body;
	long started, left, failed, done;
} run;

static void on_done(void *arg, bedrock_call *call);

static void start_one(run *r)
{
	bedrock_call *call;
	bedrock_error_info err;

	r->left--;
	r->started++;
	if (bedrock_multi_messages_send(&call, r->l->m, r->c, r->model, r->body, strlen(r->body),
					NULL, NULL, on_done, r, &err)) {
		fprintf(stderr, "start: %s\n", err.message);
		exit(1);
	}
}

static void on_done(void *arg, bedrock_call *call)
{
	run *r = arg;
	bedrock_response *resp;
	bedrock_error_info err;

	if (bedrock_call_result(&resp, call, &err)) {
		if (!r->failed++)
			fprintf(stderr, "call: %s\n", err.message);
	}
	bedrock_response_free(resp);
	bedrock_call_free(call);
	r->done++;
	if (r->left > 0)
		start_one(r);
}

static double cpu_s(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_utime.tv_sec + u.ru_utime.tv_usec / 1e6 + (double)u.ru_stime.tv_sec +
	       u.ru_stime.tv_usec / 1e6;
}

static double wall_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + t.tv_nsec / 1e9;
}

/* One round's cost of a way of calling, per call. */
typedef struct cost {
	double cpu_us, wall_us, allocs;
	long failed;
} cost;

static cost measure_end(double c0, double w0, unsigned long a0, long n, long failed)
{
	cost k = { (cpu_s() - c0) * 1e6 / (double)n, (wall_s() - w0) * 1e6 / (double)n,
		   (double)(allocations - a0) / (double)n, failed };

	return k;
}

static cost blocking(bedrock_client *c, const char *model, const char *body, long n)
{
	bedrock_error_info err;
	double c0 = cpu_s(), w0 = wall_s();
	unsigned long a0 = allocations;
	long i, failed = 0;

	for (i = 0; i < n; i++) {
		bedrock_response *r;

		if (bedrock_messages_send(&r, c, model, body, strlen(body), NULL, NULL, &err) &&
		    !failed++)
			fprintf(stderr, "call: %s\n", err.message);
		bedrock_response_free(r);
	}
	return measure_end(c0, w0, a0, n, failed);
}

static cost looped(loop *l, bedrock_client *c, const char *model, const char *body, long n,
		   int inflight)
{
	double c0 = cpu_s(), w0 = wall_s();
	unsigned long a0 = allocations;
	run r;
	int i;

	memset(&r, 0, sizeof(r));
	r.c = c;
	r.l = l;
	r.model = model;
	r.body = body;
	r.left = n;
	for (i = 0; i < inflight && r.left > 0; i++)
		start_one(&r);
	while (r.done < r.started || r.left > 0)
		turn(l);
	return measure_end(c0, w0, a0, n, r.failed);
}

static int by_cpu(const void *a, const void *b)
{
	double x = ((const cost *)a)->cpu_us, y = ((const cost *)b)->cpu_us;

	return x < y ? -1 : x > y;
}

static void report(const char *platform, const char *how, cost *k, int rounds, long n)
{
	cost mid;
	long failed = 0;
	int i;

	for (i = 0; i < rounds; i++)
		failed += k[i].failed;
	qsort(k, (size_t)rounds, sizeof(*k), by_cpu);
	mid = k[rounds / 2];
	printf("%-9s %-11s %6ld calls  %6.1f us CPU/call (%.1f-%.1f)  %6.1f us wall/call  "
	       "%5.1f allocations/call%s\n", platform, how, n, mid.cpu_us, k[0].cpu_us,
	       k[rounds - 1].cpu_us, mid.wall_us, mid.allocs, failed ? "  (failures!)" : "");
}

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 20000;
	int inflight = argc > 3 ? atoi(argv[3]) : 32, rounds = argc > 4 ? atoi(argv[4]) : 7, p;

	if (argc < 2 || n < 1 || inflight < 1 || rounds < 1 || rounds > 100) {
		fprintf(stderr, "usage: bench_calls URL [CALLS] [INFLIGHT] [ROUNDS]\n");
		return 1;
	}
	for (p = 0; p < 2; p++) {
		bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
		bedrock_multi_loop hooks;
		bedrock_error_info err;
		bedrock_client *c;
		const char *name = p ? "anthropic" : "bedrock";
		const char *model = p ? API_ID : MODEL, *body = p ? api_body : bedrock_body;
		long each = (n + rounds - 1) / rounds;
		cost kb[100], kl[100], kx[100];
		char how[32];
		loop l;
		int i;

		o.endpoint_url = argv[1];
		o.max_attempts = 1;
		if (p) {
			o.platform = BEDROCK_PLATFORM_ANTHROPIC;
			o.api_key = "sk-ant-emulator-key";
		} else {
			o.region = "us-east-1";
			o.access_key_id = "AKIDEXAMPLE";
			o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
		}
		if (bedrock_client_new(&c, &o, &err)) {
			fprintf(stderr, "client: %s\n", err.message);
			return 1;
		}
		memset(&l, 0, sizeof(l));
		l.timer_at = -1;
		hooks = (bedrock_multi_loop){ watch, timer, &l };
		if (bedrock_multi_new(&l.m) || bedrock_multi_use_loop(l.m, &hooks))
			return 1;
		/* Warm-up: connections, the client's pool, the multi's kept calls. */
		blocking(c, model, body, each / 4 + 50);
		looped(&l, c, model, body, each / 4 + 50, inflight);
		for (i = 0; i < rounds; i++) {
			kb[i] = blocking(c, model, body, each);
			kl[i] = looped(&l, c, model, body, each, 1);
			kx[i] = looped(&l, c, model, body, each, inflight);
		}
		snprintf(how, sizeof(how), "looped x%d", inflight);
		report(name, "blocking", kb, rounds, each * rounds);
		report(name, "looped", kl, rounds, each * rounds);
		report(name, how, kx, rounds, each * rounds);
		bedrock_multi_free(l.m);
		bedrock_client_free(c);
	}
	return 0;
}
