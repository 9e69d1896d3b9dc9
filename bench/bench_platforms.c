/* Client CPU per 1,000 streamed deltas on both wires, side by side in one
 * run against one `bedrock emulate`: our client on Bedrock (event stream)
 * and on the Anthropic API (Server-Sent Events), the official
 * @anthropic-ai/sdk (Node) on the same SSE, and the floors under them (a
 * bare libcurl reader on each wire, a blocking read() loop). Then
 * InvokeModel against a bare libcurl POST loop. Issue 11's targets: SSE
 * within 1.2x of the event stream, the SDK at least 10x above us, and
 * InvokeModel at most 1.3x the libcurl loop.
 *
 *   bench_platforms BEDROCK_BINARY [--deltas N] [--reps R] [--paced-reps R]
 *                   [--invoke N] [--node NODE] [--node-modules DIR]
 *                   [--script FILE] [--no-node] [--only CLIENT] [--mode MODE]
 *                   [--strict]
 *
 * The emulator runs as a child process; CPU is getrusage(RUSAGE_SELF) of
 * this process (user+sys: every thread of the client, never the
 * emulator's nor Node's), around one whole stream: the call, every event,
 * the end. The SDK measures its own process the same way
 * (process.cpuUsage()) around the same span, so Node's start, its imports
 * and the client's construction are not counted. The answer is the
 * emulator's deterministic echo: a prompt of N-3 words comes back as
 * "You said:" and the words, one text delta each, N in all. The mode is
 * the system prompt (never echoed), the same for every client:
 *
 *   burst          [[emulate:fault=burst]]: the whole answer at once (as many
 *                  events to a chunk as the emulator's write buffer holds),
 *                  so a read brings hundreds of events: the cost of decoding
 *   back-to-back   nothing: the emulator's default, one write per event as
 *                  fast as it goes, so a fast reader wakes for most of them
 *   paced          [[emulate:fault=slow=1]]: one event a millisecond, one
 *                  wake-up each, as from a model generating tokens
 *
 * Clients take turns within each repetition, after a warm-up (five streams
 * for Node, so its JIT is warm), and the table gives medians. --only
 * (es, sse, sdk, curl-es, curl-sse, read) and --mode (burst, back-to-back,
 * paced, invoke) run one client or one mode, for perf or strace; --strict
 * exits 1 when a target is missed (the default only reports it). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <bedrock/bedrock.h>

#ifndef BENCH_SOURCE_DIR
#define BENCH_SOURCE_DIR "."
#endif

/* Haiku 4.5: the SDK warns on every call to a deprecated model (Sonnet
 * 4.5 is one in 1.12.0), which would bill it for a console.warn. */
#define BEDROCK_MODEL "haiku-4.5"	/* each platform's id for it */
#define API_MODEL "claude-haiku-4-5-20251001"
#define INVOKE_MODEL "us.anthropic.claude-haiku-4-5-20251001-v1:0"
#define INVOKE_PATH "/model/us.anthropic.claude-haiku-4-5-20251001-v1%3A0"
#define API_KEY "sk-ant-emulator-key"	/* the emulator's documented fake key */
#define FLOOR_TOKEN "bench-floor-token"	/* a Bedrock API key the emulator is given */
#define MAX_REPS 100
#define INVOKE_REPS 7
#define INVOKE_BLOCK 100

enum { OURS_ES, OURS_SSE, SDK, CURL_ES, CURL_SSE, READ_SSE, NCLIENTS };
enum { BURST, BACK_TO_BACK, PACED, NMODES };

static const char *const keys[NCLIENTS] = { "es", "sse", "sdk", "curl-es", "curl-sse", "read" };
static const char *const names[NCLIENTS] = {
	"ours, Bedrock (event stream)",
	"ours, Anthropic API (SSE)",
	"@anthropic-ai/sdk 1.12.0 (Node), SSE",
	"floor: libcurl reader, event stream",
	"floor: libcurl reader, SSE",
	"floor: read() loop, SSE",
};
static const char *const mode_names[NMODES] = { "burst", "back-to-back", "paced 1 ms" };
static const char *const mode_keys[NMODES] = { "burst", "back-to-back", "paced" };
static const char *const directives[NMODES] = {
	"[[emulate:fault=burst]]", NULL, "[[emulate:fault=slow=1]]"
};

typedef struct sample {
	double cpu_us, wall_us;
	unsigned long deltas, chars;
} sample;

typedef struct bench {
	char url[128], host[64];
	int port;
	unsigned long words, deltas, chars;
	char *prompt;
	/* Per mode: our typed request, and the raw bodies the floors send. */
	bedrock_messages_request *req[NMODES];
	char *api_body[NMODES], *invoke_body[NMODES];
	bedrock_client *es, *sse;
	CURL *curl_es, *curl_sse;
	struct curl_slist *list_es, *list_sse;
	FILE *node_in, *node_out;
	pid_t node_pid, emu_pid;
} bench;

typedef struct row {
	double cpu[MAX_REPS], wall[MAX_REPS];
	int n;
} row;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_platforms: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static double cpu_now_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double wall_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* ---- the emulator and Node, as child processes ---- */

static pid_t spawn(char *const argv[], FILE **to, FILE **from)
{
	int in[2] = { -1, -1 }, out[2];
	pid_t pid;

	if ((to && pipe(in)) || pipe(out))
		return -1;
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		if (to) {
			dup2(in[0], 0);
			close(in[0]);
			close(in[1]);
		}
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (to) {
		close(in[0]);
		*to = fdopen(in[1], "w");
	}
	close(out[1]);
	*from = fdopen(out[0], "r");
	return pid;
}

static void start_emulator(bench *b, const char *bin)
{
	char *argv[] = { (char *)bin, "emulate", "--listen", "127.0.0.1:0", "--quiet",
			 "--bearer", FLOOR_TOKEN, NULL };
	char line[256];
	FILE *out;

	b->emu_pid = spawn(argv, NULL, &out);
	if (b->emu_pid < 0 || !out || !fgets(line, sizeof(line), out) ||
	    sscanf(line, "listening on http://%63[^:]:%d", b->host, &b->port) != 2)
		die("cannot start %s emulate", bin);
	snprintf(b->url, sizeof(b->url), "http://%s:%d", b->host, b->port);
	/* Its stdout stays open and unread: it prints nothing more. */
}

static void start_node(bench *b, const char *node, const char *modules, const char *script)
{
	char *argv[] = { (char *)node, (char *)script, (char *)modules, NULL };
	char words[32];

	snprintf(words, sizeof(words), "%lu", b->words);
	setenv("BENCH_URL", b->url, 1);
	setenv("BENCH_API_KEY", API_KEY, 1);
	setenv("BENCH_MODEL", API_MODEL, 1);
	setenv("BENCH_WORDS", words, 1);
	b->node_pid = spawn(argv, &b->node_in, &b->node_out);
	if (b->node_pid < 0 || !b->node_in || !b->node_out)
		die("cannot start %s", node);
	setvbuf(b->node_in, NULL, _IOLBF, 0);
}

/* ---- one stream of each client ---- */

static int run_ours(sample *s, bedrock_client *c, const bedrock_messages_request *req)
{
	bedrock_error_info err;
	bedrock_stream *st;
	bedrock_event ev;
	double c0 = cpu_now_us(), w0 = wall_now_us();
	int rc;

	if (bedrock_messages_stream(&st, c, BEDROCK_MODEL, req, NULL, &err)) {
		fprintf(stderr, "bench_platforms: %s\n", err.message);
		return -1;
	}
	/* What a caller printing the answer does: take each delta's text. */
	while ((rc = bedrock_stream_next(&ev, st, &err)) == 0)
		if (ev.text) {
			s->deltas++;
			s->chars += ev.text_len;
		}
	bedrock_stream_free(st);
	s->cpu_us = cpu_now_us() - c0;
	s->wall_us = wall_now_us() - w0;
	if (rc != BEDROCK_ITEROVER) {
		fprintf(stderr, "bench_platforms: %s\n", err.message);
		return -1;
	}
	return 0;
}

static int run_node(sample *s, bench *b, int mode)
{
	char line[512];

	fprintf(b->node_in, "run%s%s\n", directives[mode] ? " " : "",
		directives[mode] ? directives[mode] : "");
	if (!fgets(line, sizeof(line), b->node_out) ||
	    sscanf(line, "{\"cpu_us\":%lf,\"wall_us\":%lf,\"deltas\":%lu,\"chars\":%lu}",
		   &s->cpu_us, &s->wall_us, &s->deltas, &s->chars) != 4) {
		fprintf(stderr, "bench_platforms: the SDK said: %s", line);
		return -1;
	}
	return 0;
}

static size_t count_bytes(char *data, size_t size, size_t n, void *p)
{
	(void)data;
	*(size_t *)p += size * n;
	return size * n;
}

/* A bare libcurl POST on a kept-alive easy handle: no signing, no
 * decoding; the bytes are counted and dropped. */
static int run_curl(sample *s, CURL *e, const char *body, size_t min_bytes)
{
	double c0 = cpu_now_us(), w0 = wall_now_us();
	size_t bytes = 0;
	long status = 0;
	CURLcode cc;

	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)strlen(body));
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &bytes);
	cc = curl_easy_perform(e);
	s->cpu_us = cpu_now_us() - c0;
	s->wall_us = wall_now_us() - w0;
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
	if (cc != CURLE_OK || status != 200 || bytes < min_bytes) {
		fprintf(stderr, "bench_platforms: libcurl: %s (HTTP %ld, %zu bytes)\n",
			curl_easy_strerror(cc), status, bytes);
		return -1;
	}
	return 0;
}

static CURL *curl_floor(const bench *b, const char *path, int sse, struct curl_slist **list)
{
	CURL *e = curl_easy_init();
	char url[512];

	if (!e)
		die("libcurl");
	snprintf(url, sizeof(url), "%s%s", b->url, path);
	*list = curl_slist_append(NULL, "Content-Type: application/json");
	*list = curl_slist_append(*list, "Expect:");
	if (sse) {
		*list = curl_slist_append(*list, "x-api-key: " API_KEY);
		*list = curl_slist_append(*list, "anthropic-version: 2023-06-01");
		*list = curl_slist_append(*list, "Accept: text/event-stream");
	} else {
		*list = curl_slist_append(*list, "Authorization: Bearer " FLOOR_TOKEN);
	}
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, *list);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, count_bytes);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	return e;
}

/* The least any reader can do: one blocking read() per wake-up into a
 * 64 KiB buffer until the server closes; no HTTP parsing at all. */
static int run_read(sample *s, const bench *b, const char *body)
{
	static char buf[65536];
	double c0 = cpu_now_us(), w0 = wall_now_us();
	struct sockaddr_in sa;
	size_t got = 0, hl, bl = strlen(body);
	char head[512];
	ssize_t n;
	int fd, one = 1, ok = 1;

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((unsigned short)b->port);
	if (inet_pton(AF_INET, b->host, &sa.sin_addr) != 1 ||
	    (fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		close(fd);
		return -1;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	hl = (size_t)snprintf(head, sizeof(head),
			      "POST /v1/messages HTTP/1.1\r\nHost: %s:%d\r\nx-api-key: " API_KEY
			      "\r\nanthropic-version: 2023-06-01\r\nContent-Type: application/json\r\n"
			      "Content-Length: %zu\r\nConnection: close\r\n\r\n",
			      b->host, b->port, bl);
	if (write(fd, head, hl) != (ssize_t)hl || write(fd, body, bl) != (ssize_t)bl)
		ok = 0;
	while (ok && ((n = read(fd, buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))) {
		if (n > 0 && got == 0 && strncmp(buf, "HTTP/1.1 200", 12))
			ok = 0;
		got += n > 0 ? (size_t)n : 0;
	}
	close(fd);
	s->cpu_us = cpu_now_us() - c0;
	s->wall_us = wall_now_us() - w0;
	return ok && got > 1000 ? 0 : -1;
}

static int one(sample *s, bench *b, int client, int mode)
{
	memset(s, 0, sizeof(*s));
	switch (client) {
	case OURS_ES:
		return run_ours(s, b->es, b->req[mode]);
	case OURS_SSE:
		return run_ours(s, b->sse, b->req[mode]);
	case SDK:
		return run_node(s, b, mode);
	case CURL_ES:
		return run_curl(s, b->curl_es, b->invoke_body[mode], 1000);
	case CURL_SSE:
		return run_curl(s, b->curl_sse, b->api_body[mode], 1000);
	default:
		return run_read(s, b, b->api_body[mode]);
	}
}

/* ---- requests ---- */

static void make_prompt(bench *b)
{
	size_t cap = b->words * 12 + 1, n = 0;
	unsigned long i;

	b->prompt = malloc(cap);
	if (!b->prompt)
		die("out of memory");
	for (i = 0; i < b->words; i++)
		n += (size_t)snprintf(b->prompt + n, cap - n, i ? " w%lu" : "w%lu", i);
	/* "You said:" is three deltas ("You", " said", ":"), then one a word. */
	b->deltas = b->words + 3;
	b->chars = strlen("You said: ") + n;
}

static bedrock_messages_request *make_request(const bench *b, int mode)
{
	bedrock_messages_request *r;

	if (bedrock_messages_request_new(&r, (int)b->words + 64) ||
	    (directives[mode] && bedrock_messages_request_set_system(r, directives[mode])) ||
	    bedrock_messages_request_add_message(r, BEDROCK_ROLE_USER) ||
	    bedrock_messages_request_add_text(r, b->prompt, NULL))
		die("cannot build the request");
	return r;
}

/* The same request as JSON for the floors: the Anthropic API's (model and
 * stream in the body) or InvokeModel's (anthropic_version). */
static char *raw_body(const bench *b, int mode, int invoke)
{
	size_t cap = strlen(b->prompt) + 512;
	char *s = malloc(cap), sys[128] = "";

	if (!s)
		die("out of memory");
	if (directives[mode])
		snprintf(sys, sizeof(sys), "\"system\":\"%s\",", directives[mode]);
	snprintf(s, cap, "{%s,\"max_tokens\":%lu,%s\"messages\":[{\"role\":\"user\",\"content\":"
		 "\"%s\"}]%s}",
		 invoke ? "\"anthropic_version\":\"bedrock-2023-05-31\""
			: "\"model\":\"" API_MODEL "\"",
		 b->words + 64, sys, b->prompt, invoke ? "" : ",\"stream\":true");
	return s;
}

static bedrock_client *make_client(const bench *b, int sse)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.endpoint_url = b->url;
	o.max_attempts = 1;
	if (sse) {
		o.platform = BEDROCK_PLATFORM_ANTHROPIC;
		o.api_key = API_KEY;
	} else {
		/* SigV4 with AWS's documented example key, which the emulator takes. */
		o.region = "us-east-1";
		o.access_key_id = "AKIDEXAMPLE";
		o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	}
	if (bedrock_client_new(&c, &o, &err))
		die("%s", err.message);
	return c;
}

/* ---- the runs ---- */

static void run_mode(row rows[NCLIENTS], bench *b, int mode, int reps, const int *on)
{
	sample s;
	int r, k, w;

	/* Warm-up: connections open, caches and Node's JIT warm. */
	for (k = 0; k < NCLIENTS; k++)
		for (w = 0; on[k] && w < (k == SDK ? 5 : 2); w++)
			if (one(&s, b, k, mode))
				die("%s failed (%s)", names[k], mode_names[mode]);
	for (r = 0; r < reps; r++) {
		/* Take turns, starting one further each round, so no client
		 * always follows the same one. */
		for (w = 0; w < NCLIENTS; w++) {
			k = (r + w) % NCLIENTS;
			if (!on[k])
				continue;
			if (one(&s, b, k, mode))
				die("%s failed (%s)", names[k], mode_names[mode]);
			/* The decoding clients must have seen the whole answer. */
			if (k <= SDK && (s.deltas != b->deltas || s.chars != b->chars))
				die("%s: %lu deltas, %lu characters (expected %lu, %lu)", names[k],
				    s.deltas, s.chars, b->deltas, b->chars);
			/* us per delta = ms per 1,000 deltas */
			rows[k].cpu[rows[k].n] = s.cpu_us / (double)b->deltas;
			rows[k].wall[rows[k].n] = s.wall_us / (double)b->deltas;
			rows[k].n++;
		}
	}
}

/* InvokeModel, CPU per request: ours (SigV4 signed) and a bare libcurl
 * POST loop (a Bedrock API key, no signing). Each repetition is n of each,
 * in alternating blocks of INVOKE_BLOCK, so a change in the machine's load
 * falls on both alike. */
static void run_invoke(double *ours_us, double *floor_us, bench *b, unsigned long n)
{
	static const char body[] = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,"
				   "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}";
	double o[INVOKE_REPS], f[INVOKE_REPS];
	struct curl_slist *list;
	CURL *e = curl_floor(b, INVOKE_PATH "/invoke", 0, &list);
	bedrock_error_info err;
	unsigned long i;
	int r;

	for (r = -1; r < INVOKE_REPS; r++) {	/* -1: the warm-up */
		double ours = 0, floor = 0, c0;
		unsigned long done, k;
		sample s;

		for (done = 0; done < n; done += k) {
			k = n - done < INVOKE_BLOCK ? n - done : INVOKE_BLOCK;
			c0 = cpu_now_us();
			for (i = 0; i < k; i++) {
				bedrock_response *res;

				if (bedrock_invoke_model(&res, b->es, INVOKE_MODEL, body, strlen(body),
							 NULL, &err))
					die("InvokeModel: %s", err.message);
				bedrock_response_free(res);
			}
			ours += cpu_now_us() - c0;
			c0 = cpu_now_us();
			for (i = 0; i < k; i++)
				if (run_curl(&s, e, body, 100))
					die("the libcurl loop failed");
			floor += cpu_now_us() - c0;
		}
		if (r >= 0) {
			o[r] = ours / (double)n;
			f[r] = floor / (double)n;
		}
	}
	*ours_us = median(o, INVOKE_REPS);
	*floor_us = median(f, INVOKE_REPS);
	curl_slist_free_all(list);
	curl_easy_cleanup(e);
}

static const char *verdict(int ok, int *missed)
{
	*missed |= !ok;
	return ok ? "PASS" : "MISS";
}

static void report(row rows[NMODES][NCLIENTS], const bench *b, const int *reps, int node_skipped,
		   unsigned long invoke_n, double inv_ours, double inv_floor, int *missed)
{
	double med[NMODES][NCLIENTS] = { { 0 } }, wall[NMODES][NCLIENTS] = { { 0 } };
	int m, k;

	for (m = 0; m < NMODES; m++)
		for (k = 0; k < NCLIENTS; k++)
			if (rows[m][k].n) {
				med[m][k] = median(rows[m][k].cpu, rows[m][k].n);
				wall[m][k] = median(rows[m][k].wall, rows[m][k].n);
			}
	if (reps[BURST] + reps[BACK_TO_BACK] + reps[PACED] == 0)
		goto invoke;
	printf("bench_platforms: %lu text deltas a stream from one bedrock emulate; client CPU "
	       "(user+sys) in ms per 1,000 deltas, median of %d burst, %d back-to-back and %d "
	       "paced streams (wall ms in brackets)\n\n", b->deltas, reps[BURST],
	       reps[BACK_TO_BACK], reps[PACED]);
	printf("| client | burst | back-to-back | paced 1 ms |\n|---|---|---|---|\n");
	for (k = 0; k < NCLIENTS; k++) {
		if (k == SDK && node_skipped) {
			printf("| %s | skipped: no node or no tests/node/node_modules | | |\n", names[k]);
			continue;
		}
		if (!rows[BURST][k].n && !rows[BACK_TO_BACK][k].n && !rows[PACED][k].n)
			continue;
		printf("| %s ", names[k]);
		for (m = 0; m < NMODES; m++)
			if (rows[m][k].n)
				printf("| %.2f (%.1f) ", med[m][k], wall[m][k]);
			else
				printf("| - ");
		printf("|\n");
	}
	printf("\n");
	for (m = 0; m < NMODES; m++) {
		/* Back-to-back is shown, not judged: the modes are burst
		 * and paced. */
		int judged = m != BACK_TO_BACK;

		if (rows[m][OURS_ES].n && rows[m][OURS_SSE].n) {
			double r = med[m][OURS_SSE] / med[m][OURS_ES];

			printf("%s: SSE / event stream %.2fx", mode_names[m], r);
			if (judged)
				printf(" (target <= 1.2x) %s", verdict(r <= 1.2, missed));
			printf("\n");
		}
		if (rows[m][OURS_SSE].n && rows[m][SDK].n) {
			double r = med[m][SDK] / med[m][OURS_SSE];

			printf("%s: SDK / ours (SSE) %.1fx", mode_names[m], r);
			if (judged)
				printf(" (target >= 10x) %s", verdict(r >= 10, missed));
			if (rows[m][OURS_ES].n)
				printf("; SDK / ours (event stream) %.1fx",
				       med[m][SDK] / med[m][OURS_ES]);
			printf("\n");
		}
		if (rows[m][OURS_SSE].n && rows[m][READ_SSE].n)
			printf("%s: ours (SSE) / read() floor %.2fx\n", mode_names[m],
			       med[m][OURS_SSE] / med[m][READ_SSE]);
	}
invoke:
	if (invoke_n)
		printf("InvokeModel CPU per request (median of %d x %lu): ours %.1f us (SigV4), bare "
		       "libcurl loop %.1f us: %.2fx (target <= 1.3x) %s\n", INVOKE_REPS, invoke_n,
		       inv_ours, inv_floor, inv_ours / inv_floor,
		       verdict(inv_ours / inv_floor <= 1.3, missed));
}

int main(int argc, char **argv)
{
	const char *node = "node", *modules = BENCH_SOURCE_DIR "/tests/node/node_modules";
	const char *script = BENCH_SOURCE_DIR "/bench/node_anthropic_stream.mjs";
	static row rows[NMODES][NCLIENTS];
	unsigned long invoke_n = 2000;
	int reps[NMODES] = { 15, 15, 7 }, on[NCLIENTS];
	int use_node = 1, strict = 0, missed = 0, only = -1, only_mode = -1, i, k, m;
	double inv_ours = 0, inv_floor = 0;
	bench b;

	memset(&b, 0, sizeof(b));
	b.words = 997;
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: bench_platforms BEDROCK_BINARY [--deltas N] [--reps R] "
				"[--paced-reps R] [--invoke N] [--node NODE] [--node-modules DIR] "
				"[--script FILE] [--no-node] [--only CLIENT] [--mode MODE] "
				"[--strict]\n");
		return 2;
	}
	for (i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--no-node")) {
			use_node = 0;
			continue;
		}
		if (!strcmp(argv[i], "--strict")) {
			strict = 1;
			continue;
		}
		if (!v)
			die("%s needs a value", argv[i]);
		i++;
		if (!strcmp(argv[i - 1], "--deltas")) {
			unsigned long d = strtoul(v, NULL, 10);

			if (d < 4 || d > 100000)
				die("--deltas: 4 to 100000");
			b.words = d - 3;
		} else if (!strcmp(argv[i - 1], "--reps")) {
			reps[BURST] = reps[BACK_TO_BACK] = atoi(v);
		} else if (!strcmp(argv[i - 1], "--paced-reps")) {
			reps[PACED] = atoi(v);
		} else if (!strcmp(argv[i - 1], "--invoke")) {
			invoke_n = strtoul(v, NULL, 10);
		} else if (!strcmp(argv[i - 1], "--node")) {
			node = v;
		} else if (!strcmp(argv[i - 1], "--node-modules")) {
			modules = v;
		} else if (!strcmp(argv[i - 1], "--script")) {
			script = v;
		} else if (!strcmp(argv[i - 1], "--mode")) {
			for (m = 0; m < NMODES && strcmp(mode_keys[m], v); m++)
				;
			if (m == NMODES && strcmp(v, "invoke"))
				die("--mode: one of burst, back-to-back, paced, invoke");
			only_mode = m;	/* NMODES: InvokeModel only */
		} else if (!strcmp(argv[i - 1], "--only")) {
			for (only = 0; only < NCLIENTS && strcmp(keys[only], v); only++)
				;
			if (only == NCLIENTS)
				die("--only: one of es, sse, sdk, curl-es, curl-sse, read");
		} else {
			die("unknown option %s", argv[i - 1]);
		}
	}
	for (m = 0; m < NMODES; m++)
		if (reps[m] < 0 || reps[m] > MAX_REPS)
			die("--reps and --paced-reps: 0 to %d", MAX_REPS);
	for (k = 0; k < NCLIENTS; k++)
		on[k] = only < 0 || only == k;
	for (m = 0; only_mode >= 0 && m < NMODES; m++)
		if (m != only_mode)
			reps[m] = 0;
	if (only >= 0 || (only_mode >= 0 && only_mode < NMODES))
		invoke_n = 0;

	signal(SIGPIPE, SIG_IGN);
	curl_global_init(CURL_GLOBAL_DEFAULT);
	make_prompt(&b);
	start_emulator(&b, argv[1]);
	b.es = make_client(&b, 0);
	b.sse = make_client(&b, 1);
	for (m = 0; m < NMODES; m++) {
		b.req[m] = make_request(&b, m);
		b.api_body[m] = raw_body(&b, m, 0);
		b.invoke_body[m] = raw_body(&b, m, 1);
	}
	b.curl_es = curl_floor(&b, INVOKE_PATH "/invoke-with-response-stream", 0, &b.list_es);
	b.curl_sse = curl_floor(&b, "/v1/messages", 1, &b.list_sse);
	if (on[SDK] && use_node && only_mode != NMODES && access(modules, F_OK) == 0 &&
	    access(script, F_OK) == 0)
		start_node(&b, node, modules, script);
	else
		on[SDK] = 0;

	for (m = 0; m < NMODES; m++)
		if (reps[m])
			run_mode(rows[m], &b, m, reps[m], on);
	if (invoke_n)
		run_invoke(&inv_ours, &inv_floor, &b, invoke_n);
	report(rows, &b, reps, only < 0 && only_mode < 0 && !on[SDK], invoke_n, inv_ours, inv_floor,
	       &missed);

	if (b.node_in) {
		fprintf(b.node_in, "quit\n");
		fclose(b.node_in);
		fclose(b.node_out);
		waitpid(b.node_pid, NULL, 0);
	}
	kill(b.emu_pid, SIGTERM);
	waitpid(b.emu_pid, NULL, 0);
	for (m = 0; m < NMODES; m++) {
		bedrock_messages_request_free(b.req[m]);
		free(b.api_body[m]);
		free(b.invoke_body[m]);
	}
	curl_slist_free_all(b.list_es);
	curl_slist_free_all(b.list_sse);
	curl_easy_cleanup(b.curl_es);
	curl_easy_cleanup(b.curl_sse);
	bedrock_client_free(b.es);
	bedrock_client_free(b.sse);
	free(b.prompt);
	curl_global_cleanup();
	return strict && missed ? 1 : 0;
}
