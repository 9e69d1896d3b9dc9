/* What an idle stream costs a blocking server (bedrock gateway's target:
 * at most 64 KiB each at 10,000 streams): a server in a child process
 * holds 1,000 HTTP/1.1 connections, then 1,000 HTTP/2 streams, each with
 * a body whose read blocks (an upstream that says nothing yet); the
 * child's resident memory is read from /proc before and after. */
#include <signal.h>
#include <sys/wait.h>

#include <netinet/in.h>
#include <arpa/inet.h>

#include "serve_helpers.h"

/* Under ASan every allocation carries redzones and a quarantine: the
 * numbers are still printed, not held to the limit. */
#if defined(__SANITIZE_ADDRESS__)
#define MEASURED_ONLY 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define MEASURED_ONLY 1
#endif
#endif
#ifndef MEASURED_ONLY
#define MEASURED_ONLY 0
#endif

#define STREAMS 1000
#define LIMIT_PER_STREAM (64 * 1024)
/* Streams per HTTP/2 connection (the server allows 128 at once). */
#define PER_CONN 125

/* The child of the test running, so that a failed check stops it too. */
static pid_t child;

static long rss_kib(pid_t pid)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, "VmRSS:", 6))
			kib = atol(line + 6);
	fclose(f);
	return kib;
}

/* The child: a blocking server; its URL goes up the pipe. */
static pid_t start_child(char *url, size_t cap)
{
	int p[2];
	pid_t pid;
	ssize_t n;

	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (!pid) {
		serve_server_options o;
		serve_server *s;
		char u[128];

		close(p[0]);
		signal(SIGPIPE, SIG_IGN);
		th_options(&o, 1);
		if (serve_server_new(&s, &o, u, sizeof(u)))
			_exit(1);
		if (write(p[1], u, strlen(u) + 1) < 0)
			_exit(1);
		serve_server_run(s);
		_exit(0);
	}
	close(p[1]);
	child = pid;
	n = read(p[0], url, cap - 1);
	close(p[0]);
	assert_true(n > 0);
	url[n] = 0;
	return pid;
}

static void stop_child(pid_t pid)
{
	int status;

	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	child = 0;
}

static int teardown(void **state)
{
	(void)state;
	if (child > 0)
		stop_child(child);
	return 0;
}

static int connect_to(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* Reads until "piece0;" (the body's first read) has arrived. */
static void await_first_piece(int fd)
{
	char buf[2048];
	size_t len = 0;
	double until = th_now() + 30;

	while (th_now() < until) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		assert_true(n > 0);
		len += (size_t)n;
		buf[len] = 0;
		if (strstr(buf, "piece0;"))
			return;
	}
	fail_msg("no first piece");
}

/* Bytes per stream; the child is stopped first, so that a failed check
 * leaves nothing behind. */
static long report(const char *what, pid_t pid, long base)
{
	long after = rss_kib(pid), per = (after - base) * 1024 / STREAMS;

	if (getenv("SERVE_MEM_PAUSE"))
		th_sleep_ms(20000);	/* time to look at the child's /proc */
	stop_child(pid);
	print_message("%s: %ld KiB before, %ld KiB with %d idle streams: %ld bytes each\n", what,
		      base, after, STREAMS, per);
	return per;
}

static void test_serve_memory__h1_idle_streams(void **state)
{
	static const char req[] = "GET /stuck HTTP/1.1\r\nHost: x\r\n\r\n";
	char url[128];
	int *fds = calloc(STREAMS, sizeof(int));
	pid_t pid;
	long base, per;
	int i, port;

	(void)state;
	assert_non_null(fds);
	pid = start_child(url, sizeof(url));
	port = h2c_port(url);
	/* One exchange first: what every server pays once is not per stream. */
	fds[0] = connect_to(port);
	assert_int_equal(send(fds[0], req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
	await_first_piece(fds[0]);
	th_sleep_ms(300);
	base = rss_kib(pid);
	for (i = 1; i < STREAMS; i++) {
		fds[i] = connect_to(port);
		assert_int_equal(send(fds[i], req, sizeof(req) - 1, 0), (ssize_t)(sizeof(req) - 1));
	}
	for (i = 1; i < STREAMS; i++)
		await_first_piece(fds[i]);
	th_sleep_ms(300);
	per = report("HTTP/1.1", pid, base);
	for (i = 0; i < STREAMS; i++)
		close(fds[i]);
	free(fds);
	assert_true(MEASURED_ONLY || per <= LIMIT_PER_STREAM);
}

static void test_serve_memory__h2_idle_streams(void **state)
{
	enum { CONNS = STREAMS / PER_CONN };
	h2c_stream *st = calloc(STREAMS, sizeof(*st));
	h2c conns[CONNS + 1], warm;
	h2c_stream w;
	char url[128];
	pid_t pid;
	long base, per;
	int i, k, port;
	double until;

	(void)state;
	assert_non_null(st);
	pid = start_child(url, sizeof(url));
	port = h2c_port(url);
	memset(&w, 0, sizeof(w));
	w.path = "/stuck";
	assert_int_equal(h2c_open(&warm, port, &w, 1), 0);
	until = th_now() + 10;
	while (!w.frames && th_now() < until)
		assert_int_equal(h2c_pump(&warm, 100), 0);
	assert_int_equal(w.frames, 1);
	th_sleep_ms(300);
	base = rss_kib(pid);
	for (i = 0; i < STREAMS; i++)
		st[i].path = "/stuck";
	for (k = 0; k < CONNS; k++)
		assert_int_equal(h2c_open(&conns[k], port, st + k * PER_CONN, PER_CONN), 0);
	until = th_now() + 60;
	for (;;) {
		int waiting = 0;

		for (i = 0; i < STREAMS; i++)
			waiting += !st[i].frames;
		if (!waiting || th_now() > until)
			break;
		for (k = 0; k < CONNS; k++)
			assert_int_equal(h2c_pump(&conns[k], 5), 0);
	}
	for (i = 0; i < STREAMS; i++)
		assert_string_equal(st[i].body, "piece0;");
	th_sleep_ms(300);
	per = report("HTTP/2", pid, base);
	for (k = 0; k < CONNS; k++)
		h2c_end(&conns[k]);
	h2c_end(&warm);
	free(st);
	assert_true(MEASURED_ONLY || per <= LIMIT_PER_STREAM);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_teardown(test_serve_memory__h1_idle_streams, teardown),
		cmocka_unit_test_teardown(test_serve_memory__h2_idle_streams, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
