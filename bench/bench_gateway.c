/* bench_gateway: issue 13's performance targets for `bedrock gateway`,
 * measured side by side in one run against one `bedrock emulate`:
 *
 *   invoke   non-streaming Bedrock InvokeModel at 8 kept-alive connections,
 *            (a) straight to the emulator, (b) through tcp_relay (a bare
 *            process hop: the floor), (c) through the gateway; p50, p99,
 *            req/s, and the relay's and gateway's own CPU per request
 *            (/proc/PID/stat utime+stime before and after);
 *   stream   InvokeModelWithResponseStream, 1,000 deltas a stream, through
 *            the relay and the gateway: CPU per 1,000 relayed events;
 *   streams  10,000 concurrent paced streams through one gateway: every one
 *            complete, gateway RSS per stream, RSS afterwards;
 *   leak     1,000,000 requests through the gateway, RSS sampled.
 *
 * The load generator is one epoll thread speaking HTTP/1.1 itself (no
 * libcurl): its own cost stays small on this 2-core machine, where it
 * shares the cores with the emulator and the process under test.
 *
 * Usage: bench_gateway BEDROCK_BIN [--relay PATH] [--only invoke|stream|streams|leak]
 *        [--reps N] [--secs S] [--conns C] [--streams N] [--words W] [--pace MS]
 *        [--leak N] [--pin] [--loops N] [--upstream-key]
 * --upstream-key: the gateway's upstream sends a Bedrock API key
 * (api_key_env) instead of SigV4-signing with AWS credentials. Not like for
 * like: the emulator still verifies a signature on the direct and relay
 * paths but only compares a key on the gateway's (what a Bedrock API key
 * saves both sides).
 * Defaults: everything, 5 reps of 4 s, 8 connections, 10,000 streams of 20
 * words paced 1,000 ms, 1,000,000 leak requests. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>

#include <bedrock/sigv4.h>

#define TOKEN "gw-bench-token-0123456789abcdef"
#define MODEL "anthropic.claude-3-haiku-20240307-v1%3A0"

/* ---- small helpers ------------------------------------------------------ */

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("bench_gateway: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);	/* atexit: the children are killed */
}

/* utime+stime of a whole process (every thread), in seconds. */
static double proc_cpu(pid_t pid)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, st = 0;
	FILE *f;
	size_t n;

	snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	p = strrchr(buf, ')');
	/* After ") ": state(3) ... utime is field 14, stime 15. */
	if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* A number from /proc/PID/status ("VmRSS:" in KiB, "Threads:"), or -1. */
static long proc_status(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t n = strlen(field);
	long v = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/%d/status", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	while (fgets(line, sizeof line, f))
		if (!strncmp(line, field, n)) {
			v = atol(line + n);
			break;
		}
	fclose(f);
	return v;
}

static long proc_rss(pid_t pid)
{
	return proc_status(pid, "VmRSS:");
}

static long proc_threads(pid_t pid)
{
	return proc_status(pid, "Threads:");
}

static size_t keep_text(char *p, size_t size, size_t n, void *arg)
{
	char *buf = arg;
	size_t have = strlen(buf), k = size * n;

	if (have + k >= 65536)
		k = 65535 - have;
	memcpy(buf + have, p, k);
	buf[have + k] = '\0';
	return size * n;
}

/* The gateway's own count of relayed streams in flight (its /metrics
 * gauge): streams answered and not yet ended. -1 when unreadable. */
static long gw_streams_in_flight(unsigned port)
{
	static char text[65536];
	char url[128];
	const char *at;
	CURL *c = curl_easy_init();
	long n = -1;

	if (!c)
		return -1;
	text[0] = '\0';
	snprintf(url, sizeof url, "http://127.0.0.1:%u/metrics", port);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, keep_text);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, (void *)text);
	curl_easy_setopt(c, CURLOPT_TIMEOUT_MS, 2000L);
	if (curl_easy_perform(c) == CURLE_OK &&
	    (at = strstr(text, "\nbedrock_gateway_streams_in_flight ")))
		n = strtol(at + strlen("\nbedrock_gateway_streams_in_flight "), NULL, 10);
	curl_easy_cleanup(c);
	return n;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double pct(double *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	i = (size_t)(p * (double)(n - 1) + 0.5);
	return v[i];
}

static double median(double *v, size_t n)
{
	qsort(v, n, sizeof *v, cmp_double);
	return n ? (n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2) : 0;
}

/* ---- child processes ---------------------------------------------------- */

static char tmpdir[256];

struct proc {
	pid_t pid;
	char url[128];
	unsigned port;
};

/* Starts argv with stdout into a file; waits for its first line,
 * `listening on http://HOST:PORT`. */
static void start(struct proc *p, const char *name, char *const argv[], char *const envp[],
		  int cpu)
{
	char out[512], err[512], line[256];
	double until = now_s() + 20;

	snprintf(out, sizeof out, "%s/%s.out", tmpdir, name);
	snprintf(err, sizeof err, "%s/%s.err", tmpdir, name);
	p->pid = fork();
	if (p->pid < 0)
		die("fork: %s", strerror(errno));
	if (!p->pid) {
		int o = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(e, 2);
		if (cpu >= 0) {
			cpu_set_t set;

			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof set, &set);
		}
		if (envp)
			execve(argv[0], argv, envp);
		else
			execv(argv[0], argv);
		_exit(127);
	}
	while (now_s() < until) {
		FILE *f = fopen(out, "r");

		if (f) {
			if (fgets(line, sizeof line, f) && strchr(line, '\n')) {
				fclose(f);
				if (sscanf(line, "listening on http://127.0.0.1:%u", &p->port) != 1)
					die("%s said: %s", name, line);
				snprintf(p->url, sizeof p->url, "127.0.0.1:%u", p->port);
				return;
			}
			fclose(f);
		}
		if (waitpid(p->pid, NULL, WNOHANG) == p->pid)
			die("%s exited at start (see %s)", name, err);
		usleep(20000);
	}
	die("%s did not start (see %s)", name, err);
}

/* ---- the HTTP/1.1 load generator --------------------------------------- */

enum { H_HEAD, H_CL, H_CHUNK_SIZE, H_CHUNK_DATA, H_CHUNK_CRLF, H_TRAILER, H_DONE };

struct conn {
	int fd;
	int connected;
	const char *req;
	size_t req_len, req_off;
	double t0;
	/* response parser */
	int st;
	char head[8192];
	size_t head_len;
	int status, chunked;
	size_t remain;		/* Content-Length left, or the chunk's */
	char sizeline[32];
	size_t sizeline_len;
	size_t body_bytes;
	/* event-stream frame counter over the de-chunked body */
	unsigned char prelude[4];
	size_t prelude_have, frame_skip;
	unsigned long frames;
	int body_ok;		/* saw what a good answer holds (see check) */
	int left;		/* requests still to make on this connection; -1: until stop */
};

struct load {
	int ep;
	unsigned port;
	const char *req;
	size_t req_len;
	/* results */
	double *lat;
	size_t nlat, cap_lat;
	unsigned long done, bad, bad_done, frames;
	unsigned long frames_expected;	/* 0: not checked */
	int stop;
	unsigned long total_limit;	/* stop after this many (0: none) */
	/* streams test */
	unsigned long open_now, peak_open, in_body_now, peak_in_body;
	char first_bad[160];
	/* leak test: a callback every `every` completed requests */
	void (*tick)(struct load *);
	unsigned long every;
};

static unsigned long last_body_bytes;	/* of the last response */
static unsigned long expect_bytes;	/* of the last frames_of() stream */

static void set_bad(struct load *l, struct conn *c, const char *why)
{
	l->bad++;
	if (!l->first_bad[0])
		snprintf(l->first_bad, sizeof l->first_bad, "%s (status %d, %lu frames, %zu bytes)",
			 why, c->status, c->frames, c->body_bytes);
}

static int conn_open(struct load *l, struct conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET };
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN };
	int one = 1;

	sa.sin_port = htons((unsigned short)l->port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	c->fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (c->fd < 0)
		return -1;
	setsockopt(c->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
	if (connect(c->fd, (struct sockaddr *)&sa, sizeof sa) < 0 && errno != EINPROGRESS) {
		close(c->fd);
		c->fd = -1;
		return -1;
	}
	c->connected = 0;
	ev.data.ptr = c;
	epoll_ctl(l->ep, EPOLL_CTL_ADD, c->fd, &ev);
	l->open_now++;
	if (l->open_now > l->peak_open)
		l->peak_open = l->open_now;
	return 0;
}

static void conn_close(struct load *l, struct conn *c)
{
	if (c->fd >= 0) {
		epoll_ctl(l->ep, EPOLL_CTL_DEL, c->fd, NULL);
		close(c->fd);
		c->fd = -1;
		l->open_now--;
	}
}

static void begin(struct load *l, struct conn *c)
{
	struct epoll_event ev = { .events = EPOLLOUT | EPOLLIN, .data.ptr = c };

	c->req = l->req;
	c->req_len = l->req_len;
	c->req_off = 0;
	c->st = H_HEAD;
	c->head_len = 0;
	c->status = 0;
	c->chunked = 0;
	c->remain = 0;
	c->sizeline_len = 0;
	c->body_bytes = 0;
	c->prelude_have = 0;
	c->frame_skip = 0;
	c->frames = 0;
	c->body_ok = 0;
	c->t0 = now_s();
	epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
}

/* Body bytes: counted, event-stream frames counted by their preludes,
 * and a whole answer (Content-Length) checked for a message. */
static void body(struct conn *c, const char *p, size_t n)
{
	size_t i = 0;

	if (!c->chunked) {
		if (!c->body_ok && memmem(p, n, "\"type\":\"message\"", 16))
			c->body_ok = 1;
		c->body_bytes += n;
		return;
	}
	c->body_bytes += n;
	while (i < n) {
		if (c->frame_skip) {
			size_t k = n - i < c->frame_skip ? n - i : c->frame_skip;

			c->frame_skip -= k;
			i += k;
			continue;
		}
		c->prelude[c->prelude_have++] = (unsigned char)p[i++];
		if (c->prelude_have == 4) {
			uint32_t total = (uint32_t)c->prelude[0] << 24 | (uint32_t)c->prelude[1] << 16 |
					 (uint32_t)c->prelude[2] << 8 | c->prelude[3];

			c->prelude_have = 0;
			c->frames++;
			c->frame_skip = total >= 4 ? total - 4 : 0;
		}
	}
}

static int parse_head(struct conn *c)
{
	char *h = c->head, *line;
	size_t cl = 0;
	int have_cl = 0;

	if (sscanf(h, "HTTP/1.1 %d", &c->status) != 1)
		return -1;
	for (line = strstr(h, "\r\n"); line; line = strstr(line + 2, "\r\n")) {
		char *l = line + 2;

		if (!strncasecmp(l, "content-length:", 15)) {
			cl = strtoul(l + 15, NULL, 10);
			have_cl = 1;
		} else if (!strncasecmp(l, "transfer-encoding:", 18) && strstr(l, "chunked")) {
			c->chunked = 1;
		}
	}
	if (c->chunked) {
		c->st = H_CHUNK_SIZE;
	} else {
		c->remain = have_cl ? cl : 0;
		c->st = c->remain ? H_CL : H_DONE;
	}
	return 0;
}

/* Feeds response bytes; returns bytes used (the rest belong to no request:
 * we never pipeline), sets c->st = H_DONE at the end. */
static int feed(struct conn *c, const char *p, size_t n)
{
	size_t i = 0;

	while (i < n && c->st != H_DONE) {
		switch (c->st) {
		case H_HEAD: {
			size_t old = c->head_len, space = sizeof c->head - 1 - old;
			size_t m = n - i < space ? n - i : space;
			char *end;

			memcpy(c->head + old, p + i, m);
			c->head_len += m;
			c->head[c->head_len] = '\0';
			/* The end may straddle reads: look from 3 bytes back. */
			end = strstr(c->head + (old > 3 ? old - 3 : 0), "\r\n\r\n");
			if (!end) {
				if (c->head_len == sizeof c->head - 1)
					return -1;
				i += m;
				break;
			}
			i += (size_t)(end + 4 - c->head) - old;
			*(end + 2) = '\0';
			if (parse_head(c))
				return -1;
			break;
		}
		case H_CL: {
			size_t k = n - i < c->remain ? n - i : c->remain;

			body(c, p + i, k);
			i += k;
			c->remain -= k;
			if (!c->remain)
				c->st = H_DONE;
			break;
		}
		case H_CHUNK_SIZE:
			if (p[i] == '\n') {
				c->sizeline[c->sizeline_len] = '\0';
				c->remain = strtoul(c->sizeline, NULL, 16);
				c->sizeline_len = 0;
				c->st = c->remain ? H_CHUNK_DATA : H_TRAILER;
			} else if (c->sizeline_len < sizeof c->sizeline - 1) {
				c->sizeline[c->sizeline_len++] = p[i];
			}
			i++;
			break;
		case H_CHUNK_DATA: {
			size_t k = n - i < c->remain ? n - i : c->remain;

			body(c, p + i, k);
			i += k;
			c->remain -= k;
			if (!c->remain) {
				c->st = H_CHUNK_CRLF;
				c->sizeline_len = 0;
			}
			break;
		}
		case H_CHUNK_CRLF:
			if (p[i++] == '\n')
				c->st = H_CHUNK_SIZE;
			break;
		case H_TRAILER:
			/* "\r\n" after the last chunk (no trailers are sent). */
			if (p[i] == '\n') {
				if (c->sizeline_len <= 1)
					c->st = H_DONE;
				c->sizeline_len = 0;
			} else {
				c->sizeline_len++;
			}
			i++;
			break;
		}
	}
	return (int)i;
}

static void finished(struct load *l, struct conn *c)
{
	double t = now_s();

	unsigned long bad = l->bad;

	if (c->status != 200)
		set_bad(l, c, "status");
	else if (!c->chunked && !c->body_ok)
		set_bad(l, c, "no message in the body");
	else if (c->chunked && l->frames_expected && c->frames != l->frames_expected)
		set_bad(l, c, "frames");
	l->bad_done += l->bad - bad;
	if (l->nlat == l->cap_lat) {
		l->cap_lat = l->cap_lat ? l->cap_lat * 2 : 65536;
		l->lat = realloc(l->lat, l->cap_lat * sizeof *l->lat);
	}
	l->lat[l->nlat++] = (t - c->t0) * 1e6;
	l->done++;
	l->frames += c->frames;
	last_body_bytes = c->body_bytes;
	if (l->tick && l->done % l->every == 0)
		l->tick(l);
	if (l->total_limit && l->done >= l->total_limit)
		l->stop = 1;
}

static void on_event(struct load *l, struct conn *c, uint32_t events)
{
	char buf[65536];

	if (!c->connected && (events & (EPOLLOUT | EPOLLERR | EPOLLHUP))) {
		int err = 0;
		socklen_t el = sizeof err;

		getsockopt(c->fd, SOL_SOCKET, SO_ERROR, &err, &el);
		if (err) {
			set_bad(l, c, "connect");
			conn_close(l, c);
			return;
		}
		c->connected = 1;
	}
	if (c->req_off < c->req_len && (events & EPOLLOUT)) {
		ssize_t n = write(c->fd, c->req + c->req_off, c->req_len - c->req_off);

		if (n > 0)
			c->req_off += (size_t)n;
		if (c->req_off == c->req_len) {
			struct epoll_event ev = { .events = EPOLLIN, .data.ptr = c };

			epoll_ctl(l->ep, EPOLL_CTL_MOD, c->fd, &ev);
		}
	}
	if (events & (EPOLLIN | EPOLLHUP | EPOLLERR)) {
		for (;;) {
			ssize_t n = read(c->fd, buf, sizeof buf);
			int was_head = c->st == H_HEAD;

			if (n < 0 && errno == EAGAIN)
				return;
			if (n <= 0) {
				if (c->st != H_DONE)
					set_bad(l, c, "connection closed early");
				conn_close(l, c);
				return;
			}
			if (feed(c, buf, (size_t)n) < 0) {
				set_bad(l, c, "bad response");
				conn_close(l, c);
				return;
			}
			if (was_head && c->st != H_HEAD) {
				l->in_body_now++;
				if (l->in_body_now > l->peak_in_body)
					l->peak_in_body = l->in_body_now;
			}
			if (c->st == H_DONE) {
				if (!was_head || c->st != H_HEAD)
					l->in_body_now--;
				finished(l, c);
				if (c->left > 0)
					c->left--;
				if (c->left == 0 || l->stop)
					conn_close(l, c);
				else
					begin(l, c);
				return;
			}
			if ((size_t)n < sizeof buf)
				return;
		}
	}
}

/* Runs a closed loop: `conns` connections, each making requests back to
 * back, for `secs` seconds (or until total_limit). */
static void run_loop(struct load *l, int conns, double secs)
{
	struct conn *cs = calloc((size_t)conns, sizeof *cs);
	struct epoll_event evs[256];
	double until = now_s() + secs;
	int i, open = 0;

	l->ep = epoll_create1(EPOLL_CLOEXEC);
	for (i = 0; i < conns; i++) {
		cs[i].left = -1;
		if (conn_open(l, &cs[i]) == 0) {
			begin(l, &cs[i]);
			open++;
		}
	}
	while (!l->stop && (l->total_limit || now_s() < until)) {
		int n = epoll_wait(l->ep, evs, 256, 100);

		for (i = 0; i < n; i++)
			on_event(l, evs[i].data.ptr, evs[i].events);
		if (!l->open_now)
			break;
	}
	/* Stop: let requests in flight end so the next phase starts clean. */
	l->stop = 1;
	until = now_s() + 30;
	while (l->open_now && now_s() < until) {
		int n = epoll_wait(l->ep, evs, 256, 100);

		for (i = 0; i < n; i++) {
			struct conn *c = evs[i].data.ptr;

			on_event(l, c, evs[i].events);
		}
		for (i = 0; i < conns; i++)
			if (cs[i].fd >= 0 && cs[i].st == H_DONE)
				conn_close(l, &cs[i]);
	}
	for (i = 0; i < conns; i++)
		conn_close(l, &cs[i]);
	close(l->ep);
	free(cs);
	(void)open;
}

/* A request to send again and again: with `sign`, SigV4-signed for the
 * emulator (its default key pair) once, as an AWS SDK would sign it, so
 * that the emulator's own cost (it verifies the signature) is the same
 * on every path: the gateway signs what it sends upstream too. Without,
 * the gateway's Bearer key. The signature stays valid for 5 minutes. */
static char *make_request(unsigned port, const char *op, const char *body, int sign,
			  size_t *len)
{
	const char *accept = strcmp(op, "invoke") ? "application/vnd.amazon.eventstream"
						 : "application/json";
	char path[256], host[64], auth[1024] = "";
	char *r;
	int n;

	snprintf(path, sizeof path, "/model/%s/%s", MODEL, op);
	snprintf(host, sizeof host, "127.0.0.1:%u", port);
	if (sign) {
		bedrock_sigv4_header hs[] = {
			{ "host", 4, host, strlen(host) },
			{ "content-type", 12, "application/json", 16 },
			{ "accept", 6, accept, strlen(accept) },
		};
		const bedrock_sigv4_credentials creds = {
			"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", NULL
		};
		bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
		bedrock_sigv4_request req = { 0 };
		bedrock_sigv4_result *res;
		const bedrock_sigv4_header *out;
		size_t i, k, off = 0;

		req.method = "POST";
		req.path = path;
		req.headers = hs;
		req.header_count = 3;
		req.body = body;
		req.body_len = strlen(body);
		cfg.region = "us-east-1";
		cfg.signing_time = (int64_t)time(NULL);
		if (bedrock_sigv4_result_new(&res) || bedrock_sigv4_sign(res, NULL, &cfg, &creds, &req))
			die("cannot sign the request");
		k = bedrock_sigv4_result_headers(&out, res);
		for (i = 0; i < k; i++)
			off += (size_t)snprintf(auth + off, sizeof auth - off, "%.*s: %.*s\r\n",
						(int)out[i].name_len, out[i].name,
						(int)out[i].value_len, out[i].value);
		bedrock_sigv4_result_free(res);
	} else {
		snprintf(auth, sizeof auth, "Authorization: Bearer " TOKEN "\r\n");
	}
	n = asprintf(&r,
		     "POST %s HTTP/1.1\r\n"
		     "Host: %s\r\n"
		     "%s"
		     "Content-Type: application/json\r\n"
		     "Accept: %s\r\n"
		     "Content-Length: %zu\r\n\r\n%s",
		     path, host, auth, accept, strlen(body), body);
	if (n < 0)
		die("out of memory");
	*len = (size_t)n;
	return r;
}

/* A body whose echo is `words` text deltas (the emulator's deterministic
 * model says "You said:" and the words back, one delta each), with a
 * system-prompt directive setting the pace. */
static char *stream_body(int words, const char *system)
{
	size_t cap = (size_t)words * 8 + 512, off;
	char *b = malloc(cap);
	int i;

	off = (size_t)snprintf(b, cap,
			       "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":8192,"
			       "%s%s%s\"messages\":[{\"role\":\"user\",\"content\":\"",
			       system ? "\"system\":\"" : "", system ? system : "", system ? "\"," : "");
	for (i = 0; i < words; i++)
		off += (size_t)snprintf(b + off, cap - off, "%sw%d", i ? " " : "", i % 1000);
	snprintf(b + off, cap - off, "\"}]}");
	return b;
}

static const char invoke_body[] =
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":256,"
	"\"messages\":[{\"role\":\"user\",\"content\":\"Hello! Say hello back in a few words, please.\"}]}";

/* ---- the phases --------------------------------------------------------- */

static struct proc emu, relay, gw;
static int reps = 5, conns = 8, nstreams = 10000, words = 20, pace = 1000;
static double secs = 4;
static unsigned long leak_n = 1000000;

struct target {
	const char *name;
	struct proc *p;
};

static void phase_invoke(void)
{
	struct target t[3] = { { "direct to the emulator", &emu },
			       { "through tcp_relay", &relay },
			       { "through bedrock gateway", &gw } };
	double p50[3][64], p99[3][64], rps[3][64], cpu_hop[3][64], cpu_emu[3][64];
	int r, k;

	printf("\n== InvokeModel (non-streaming, Bedrock format), %d kept-alive connections, "
	       "%d reps of %.0f s, %zu-byte body\n", conns, reps, secs, strlen(invoke_body));
	/* Warm-up: every path, 1 s each. */
	for (k = 0; k < 3; k++) {
		struct load l = { 0 };

		l.port = t[k].p->port;
		l.req = make_request(k == 2 ? gw.port : emu.port, "invoke", invoke_body, k != 2,
				     &l.req_len);
		run_loop(&l, conns, 1);
		if (l.bad || !l.done)
			die("warm-up %s: %lu of %lu bad: %s", t[k].name, l.bad, l.done, l.first_bad);
		free((char *)l.req);
		free(l.lat);
	}
	printf("%-4s %-26s %9s %9s %9s %8s %12s %12s\n", "rep", "path", "p50 µs", "p99 µs",
	       "req/s", "n", "hop CPU µs", "emu CPU µs");
	for (r = 0; r < reps && r < 64; r++)
		for (k = 0; k < 3; k++) {
			int j = (k + r) % 3;	/* a different order each rep */
			struct load l = { 0 };
			double c0, c1, e0, e1, t0, t1;

			l.port = t[j].p->port;
			l.req = make_request(j == 2 ? gw.port : emu.port, "invoke", invoke_body, j != 2,
					     &l.req_len);
			c0 = j ? proc_cpu(t[j].p->pid) : 0;
			e0 = proc_cpu(emu.pid);
			t0 = now_s();
			run_loop(&l, conns, secs);
			t1 = now_s();
			c1 = j ? proc_cpu(t[j].p->pid) : 0;
			e1 = proc_cpu(emu.pid);
			if (l.bad)
				die("%s: %lu of %lu bad: %s", t[j].name, l.bad, l.done, l.first_bad);
			qsort(l.lat, l.nlat, sizeof *l.lat, cmp_double);
			p50[j][r] = pct(l.lat, l.nlat, 0.50);
			p99[j][r] = pct(l.lat, l.nlat, 0.99);
			rps[j][r] = (double)l.done / (t1 - t0);
			cpu_hop[j][r] = j ? (c1 - c0) / (double)l.done * 1e6 : 0;
			cpu_emu[j][r] = (e1 - e0) / (double)l.done * 1e6;
			printf("%-4d %-26s %9.0f %9.0f %9.0f %8lu %12.1f %12.1f\n", r + 1, t[j].name,
			       p50[j][r], p99[j][r], rps[j][r], l.done, cpu_hop[j][r], cpu_emu[j][r]);
			fflush(stdout);
			free((char *)l.req);
			free(l.lat);
		}
	printf("\nmedians over %d reps:\n", reps);
	printf("%-26s %9s %9s %9s %12s %12s\n", "path", "p50 µs", "p99 µs", "req/s", "hop CPU µs",
	       "emu CPU µs");
	{
		double m50[3], mcpu[3];

		for (k = 0; k < 3; k++) {
			m50[k] = median(p50[k], (size_t)reps);
			mcpu[k] = median(cpu_hop[k], (size_t)reps);
			printf("%-26s %9.0f %9.0f %9.0f %12.1f %12.1f\n", t[k].name, m50[k],
			       median(p99[k], (size_t)reps), median(rps[k], (size_t)reps),
			       mcpu[k], median(cpu_emu[k], (size_t)reps));
		}
		{
			double d[64];

			for (r = 0; r < reps; r++)
				d[r] = p50[2][r] - p50[1][r];
			printf("gateway p50 - relay p50: %.0f µs (median of the reps' own differences; "
			       "target <= 50): %s\n", median(d, (size_t)reps),
			       median(d, (size_t)reps) <= 50 ? "PASS" : "MISS");
		}
		printf("gateway CPU per request: %.1f µs (target <= 60): %s; relay's: %.1f µs\n",
		       mcpu[2], mcpu[2] <= 60 ? "PASS" : "MISS", mcpu[1]);
		/* The host's state moves every process's cost alike (by up to
		 * 40 % within an hour here); the relay's is its gauge: about
		 * 12.5 µs when quiet. */
		if (mcpu[1] > 0)
			printf("gateway CPU / relay CPU: %.2f (the host's gauge: the relay's %.1f µs, "
			       "about 12.5 when quiet)\n", mcpu[2] / mcpu[1], mcpu[1]);
	}
}

/* Frames of one stream of `w` words straight from the emulator: what every
 * relayed stream must have too. */
static unsigned long frames_of(int w, const char *system)
{
	struct load l = { 0 };
	char *b = stream_body(w, system);

	l.port = emu.port;
	l.req = make_request(emu.port, "invoke-with-response-stream", b, 1, &l.req_len);
	l.total_limit = 1;
	run_loop(&l, 1, 30);
	if (l.bad || l.done != 1 || !l.frames)
		die("a stream straight from the emulator failed: %s", l.first_bad);
	expect_bytes = last_body_bytes;
	free(b);
	free((char *)l.req);
	free(l.lat);
	return l.frames;
}

static void phase_stream(void)
{
	struct target t[2] = { { "through tcp_relay", &relay }, { "through bedrock gateway", &gw } };
	unsigned long expect = frames_of(997, NULL);
	double per[2][64];
	int r, k;
	char *b = stream_body(997, NULL);

	printf("\n== InvokeModelWithResponseStream, 1,000 text deltas (%lu events) a stream, "
	       "back to back, 4 connections, %d reps of %.0f s\n", expect, reps, secs);
	printf("%-4s %-26s %9s %10s %18s %14s\n", "rep", "path", "streams", "events/s",
	       "CPU ms/1000 events", "stream p50 ms");
	for (r = 0; r < reps && r < 64; r++)
		for (k = 0; k < 2; k++) {
			int j = (k + r) % 2;
			struct load l = { 0 };
			double c0, c1, t0, t1;

			l.port = t[j].p->port;
			l.req = make_request(j ? gw.port : emu.port, "invoke-with-response-stream", b, !j,
					     &l.req_len);
			l.frames_expected = expect;
			if (r == 0) {
				struct load w = l;	/* warm-up */

				run_loop(&w, 4, 1);
				free(w.lat);
			}
			c0 = proc_cpu(t[j].p->pid);
			t0 = now_s();
			run_loop(&l, 4, secs);
			t1 = now_s();
			c1 = proc_cpu(t[j].p->pid);
			if (l.bad)
				die("%s: %lu bad streams: %s", t[j].name, l.bad, l.first_bad);
			qsort(l.lat, l.nlat, sizeof *l.lat, cmp_double);
			per[j][r] = (c1 - c0) * 1e3 / ((double)l.frames / 1000);
			printf("%-4d %-26s %9lu %10.0f %18.2f %14.2f\n", r + 1, t[j].name, l.done,
			       (double)l.frames / (t1 - t0), per[j][r], pct(l.lat, l.nlat, 0.5) / 1e3);
			fflush(stdout);
			free((char *)l.req);
			free(l.lat);
		}
	printf("medians: relay %.2f ms, gateway %.2f ms CPU per 1,000 relayed events\n",
	       median(per[0], (size_t)reps), median(per[1], (size_t)reps));
	free(b);
}

static void h2_streams(struct load *l, int n, const char *body_s, void (*sample)(void));
static long st_peak;
static int proto = 0;
static int gw_log = 0;	/* --gateway-log: its access log into gateway.err */	/* 1: HTTP/1.1, 2: HTTP/2, 0: 1.1 if the descriptors allow */

static void st_sample(void)
{
	long r = proc_rss(gw.pid);

	if (r > st_peak)
		st_peak = r;
}

/* 10,000 streams at once, each paced by the emulator so that all are open
 * together: over HTTP/1.1 opened as fast as the gateway takes them (in
 * batches, so its accept queue never overflows), or over HTTP/2. */
static void phase_streams(void)
{
	char sys[64];
	unsigned long expect;
	struct load l = { 0 };
	struct rlimit rl;
	long base, after1, after;
	double t0;
	char *b;
	int p = proto;

	getrlimit(RLIMIT_NOFILE, &rl);
	if (!p)
		p = (rlim_t)nstreams * 4 + 200 <= rl.rlim_cur ? 1 : 2;
	snprintf(sys, sizeof sys, "[[emulate:fault=slow=%d]]", pace);
	expect = frames_of(words, sys);
	b = stream_body(words, sys);
	base = proc_rss(gw.pid);
	printf("\n== %d concurrent streams through one gateway over HTTP/%s (%d words, %lu events "
	       "each, one every %d ms; open-file limit %lu)\n", nstreams, p == 2 ? "2" : "1.1",
	       words, expect, pace, (unsigned long)rl.rlim_cur);
	printf("gateway before: RSS %ld KiB, %ld threads\n", base, proc_threads(gw.pid));
	/* The gateway holds, a stream, its upstream socket (all streams share
	 * one curl multi handle on its upstream loop), plus the client's socket
	 * over HTTP/1.1. */
	if ((rlim_t)nstreams * (p == 2 ? 1 : 2) + 200 > rl.rlim_cur)
		printf("note: %d streams need about %d descriptors in the gateway (%d a stream), "
		       "over its limit of %lu: expect 502s (upstream connect: EMFILE)\n", nstreams,
		       nstreams * (p == 2 ? 1 : 2), p == 2 ? 1 : 2, (unsigned long)rl.rlim_cur);
	st_peak = base;
	l.port = gw.port;
	l.frames_expected = expect;
	t0 = now_s();
	if (p == 2) {
		h2_streams(&l, nstreams, b, st_sample);
	} else {
		struct conn *cs = calloc((size_t)nstreams, sizeof *cs);
		struct epoll_event evs[512];
		double next_sample = 0, until = t0 + 900;
		int opened = 0, i;

		l.req = make_request(l.port, "invoke-with-response-stream", b, 0, &l.req_len);
		l.ep = epoll_create1(EPOLL_CLOEXEC);
		while ((opened < nstreams || l.open_now) && now_s() < until) {
			int n;

			for (i = 0; i < 100 && opened < nstreams; i++, opened++) {
				cs[opened].left = 1;
				if (conn_open(&l, &cs[opened]))
					die("socket %d: %s", opened, strerror(errno));
				begin(&l, &cs[opened]);
			}
			n = epoll_wait(l.ep, evs, 512, opened < nstreams ? 1 : 50);
			for (i = 0; i < n; i++)
				on_event(&l, evs[i].data.ptr, evs[i].events);
			if (now_s() >= next_sample) {
				st_sample();
				next_sample = now_s() + 0.1;
			}
		}
		close(l.ep);
		free(cs);
		free((char *)l.req);
	}
	printf("done in %.1f s: %lu complete, %lu failed%s%s\n", now_s() - t0,
	       l.done - l.bad_done, l.bad, l.bad ? ": first: " : "", l.first_bad);
	printf("streams answered and not ended, at once (peak%s): %lu\n",
	       p == 2 ? ", the gateway's streams_in_flight gauge" : "", l.peak_in_body);
	printf("gateway peak RSS %ld KiB: (peak - before) / %d = %.1f KiB per stream "
	       "(target <= 64 KB = 62.5 KiB): %s\n", st_peak, nstreams,
	       (double)(st_peak - base) / nstreams,
	       (double)(st_peak - base) * 1024 / nstreams <= 64000 ? "PASS" : "MISS");
	sleep(1);
	after1 = proc_rss(gw.pid);
	sleep(14);	/* the worker pool lets idle threads go after 10 s */
	after = proc_rss(gw.pid);
	printf("gateway RSS after: %ld KiB 1 s later, %ld KiB 15 s later (%ld threads); before %ld: "
	       "%+ld KiB\n", after1, after, proc_threads(gw.pid), base, after - base);
	free(b);
	free(l.lat);
}

/* ---- 10,000 streams over HTTP/2 ------------------------------------------
 * Over HTTP/1.1 the gateway holds two descriptors a stream (its client's
 * and its upstream's): 10,000 streams need over 20,000, and this machine's
 * hard limit is 20,000 (no CAP_SYS_RESOURCE to raise it). Over HTTP/2
 * (prior knowledge, up to 128 streams a connection, as the gateway offers)
 * the client side takes under 100. The client is nghttp2's h2load
 * (libcurl 7.88.1's HTTP/2 prior knowledge fails every stream that reuses
 * a connection: curl issue 10634, fixed in 8.0); each stream's bytes are
 * checked as a total against the direct stream's, and every stream's
 * activity-log line below. */


static void h2_streams(struct load *l, int n, const char *body_s, void (*sample)(void))
{
	char bodyf[512], outf[512], url[256], reqs[32], cl[32], line[512];
	int clients = (n + 127) / 128;
	pid_t pid;
	FILE *f;
	long thr, peak_thr = 0, inflight, peak_inflight = 0;
	unsigned long total = 0, succeeded = 0, ok2xx = 0;
	double data = 0;

	snprintf(bodyf, sizeof bodyf, "%s/stream-body.json", tmpdir);
	snprintf(outf, sizeof outf, "%s/h2load.out", tmpdir);
	f = fopen(bodyf, "w");
	if (!f)
		die("cannot write %s", bodyf);
	fputs(body_s, f);
	fclose(f);
	snprintf(url, sizeof url, "http://127.0.0.1:%u/model/%s/invoke-with-response-stream", gw.port,
		 MODEL);
	snprintf(reqs, sizeof reqs, "%d", n);
	/* One more client than needed: h2load splits requests evenly. */
	snprintf(cl, sizeof cl, "%d", clients + 1);
	pid = fork();
	if (!pid) {
		int o = open(outf, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		dup2(o, 1);
		dup2(o, 2);
		execlp("h2load", "h2load", "-n", reqs, "-c", cl, "-m", "128", "-d", bodyf, "-H",
		       "Authorization: Bearer " TOKEN, "-H", "Content-Type: application/json", "-H",
		       "Accept: application/vnd.amazon.eventstream", url, (char *)NULL);
		fprintf(stderr, "h2load: %s (apt-get install nghttp2-client)\n", strerror(errno));
		_exit(127);
	}
	while (waitpid(pid, NULL, WNOHANG) == 0) {
		sample();
		thr = proc_threads(gw.pid);
		if (thr > peak_thr)
			peak_thr = thr;
		inflight = gw_streams_in_flight(gw.port);
		if (inflight > peak_inflight)
			peak_inflight = inflight;
		usleep(100000);
	}
	f = fopen(outf, "r");
	if (!f)
		die("h2load wrote nothing");
	while (fgets(line, sizeof line, f)) {
		char unit[8] = "";

		if (sscanf(line, "requests: %lu total, %*u started, %*u done, %lu succeeded", &total,
			   &succeeded) == 2)
			continue;
		if (sscanf(line, "status codes: %lu 2xx", &ok2xx) == 1)
			continue;
		if (!strncmp(line, "traffic:", 8)) {
			/* "... headers (...), 60.08KB (61520) data" */
			char *d = strstr(line, " data");

			if (d) {
				while (d > line && *d != '(')
					d--;
				data = atof(d + 1);
			}
		}
		(void)unit;
	}
	fclose(f);
	if (!total)
		die("h2load failed: see %s", outf);
	l->done = ok2xx;
	l->bad = total - ok2xx;
	if (l->bad)
		snprintf(l->first_bad, sizeof l->first_bad, "%lu of %lu not 2xx (%lu succeeded): see h2load.out",
			 total - ok2xx, total, succeeded);
	else if (data != (double)expect_bytes * (double)n) {
		l->bad = 1;
		snprintf(l->first_bad, sizeof l->first_bad, "%.0f body bytes in all, %lu expected",
			 data, expect_bytes * (unsigned long)n);
	}
	/* The gateway's gauge: h2load says nothing of concurrency. */
	l->peak_in_body = (unsigned long)(peak_inflight > 0 ? peak_inflight : 0);
	printf("h2load: %d connections, %lu requests, %lu 2xx, %.0f body bytes (%lu a stream, as "
	       "straight from the emulator); gateway threads at the peak: %ld\n", clients + 1,
	       total, ok2xx, data, expect_bytes, peak_thr);
}

static long leak_base;
static double leak_t0;

static void leak_tick(struct load *l)
{
	long rss = proc_rss(gw.pid);

	printf("  %8lu requests  %6.0f s  RSS %ld KiB (%+ld)  %lu bad\n", l->done, now_s() - leak_t0,
	       rss, rss - leak_base, l->bad);
	fflush(stdout);
}

static void phase_leak(void)
{
	struct load l = { 0 };
	double c0, t1;

	printf("\n== leak check: %lu InvokeModel requests through the gateway, %d connections\n",
	       leak_n, conns);
	leak_base = proc_rss(gw.pid);
	printf("  %8d requests  %6.0f s  RSS %ld KiB\n", 0, 0.0, leak_base);
	l.port = gw.port;
	l.req = make_request(l.port, "invoke", invoke_body, 0, &l.req_len);
	l.total_limit = leak_n;
	l.tick = leak_tick;
	l.every = leak_n / 10 ? leak_n / 10 : 1;
	c0 = proc_cpu(gw.pid);
	leak_t0 = now_s();
	run_loop(&l, conns, 1e9);
	t1 = now_s();
	printf("  %lu done, %lu bad%s%s; %.0f req/s; gateway CPU %.1f µs/request\n", l.done, l.bad,
	       l.bad ? ": first: " : "", l.first_bad, (double)l.done / (t1 - leak_t0),
	       (proc_cpu(gw.pid) - c0) / (double)l.done * 1e6);
	free((char *)l.req);
	free(l.lat);
}

/* ---- main ----------------------------------------------------------------- */

static void cleanup(void)
{
	struct proc *ps[3] = { &gw, &relay, &emu };
	int i;

	for (i = 0; i < 3; i++)
		if (ps[i]->pid > 0) {
			kill(ps[i]->pid, SIGKILL);
			waitpid(ps[i]->pid, NULL, 0);
		}
}

int main(int argc, char **argv)
{
	const char *bin, *relay_bin = NULL, *only = NULL;
	char relay_default[512], cfg[512], act[512], emu_max[32];
	struct rlimit rl = { 1048576, 1048576 };
	int i, pin = 0, loops = 0, upstream_key = 0;
	FILE *f;

	if (argc < 2)
		die("usage: bench_gateway BEDROCK_BIN [--relay PATH] [--only invoke|stream|streams|leak] "
		    "[--reps N] [--secs S] [--conns C] [--streams N] [--words W] [--pace MS] [--leak N] "
		    "[--proto 1.1|2] [--pin] [--loops N] [--upstream-key]");
	bin = argv[1];
	for (i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : "";

		if (!strcmp(argv[i], "--relay"))
			relay_bin = v, i++;
		else if (!strcmp(argv[i], "--only"))
			only = v, i++;
		else if (!strcmp(argv[i], "--reps"))
			reps = atoi(v), i++;
		else if (!strcmp(argv[i], "--secs"))
			secs = atof(v), i++;
		else if (!strcmp(argv[i], "--conns"))
			conns = atoi(v), i++;
		else if (!strcmp(argv[i], "--streams"))
			nstreams = atoi(v), i++;
		else if (!strcmp(argv[i], "--words"))
			words = atoi(v), i++;
		else if (!strcmp(argv[i], "--pace"))
			pace = atoi(v), i++;
		else if (!strcmp(argv[i], "--leak"))
			leak_n = strtoul(v, NULL, 10), i++;
		else if (!strcmp(argv[i], "--proto"))
			proto = !strcmp(v, "2") ? 2 : !strcmp(v, "1.1") ? 1 : 0, i++;
		else if (!strcmp(argv[i], "--gateway-log"))
			gw_log = 1;
		else if (!strcmp(argv[i], "--pin"))
			pin = 1;
		else if (!strcmp(argv[i], "--loops"))
			loops = atoi(v), i++;
		else if (!strcmp(argv[i], "--upstream-key"))
			upstream_key = 1;
		else
			die("unknown option %s", argv[i]);
	}
	if (reps < 1 || reps > 64)
		die("--reps: 1 to 64");
	if (!relay_bin) {
		/* tcp_relay is built beside this program. */
		char self[400];
		ssize_t n = readlink("/proc/self/exe", self, sizeof self - 1);

		if (n < 0)
			die("readlink /proc/self/exe");
		self[n] = '\0';
		*strrchr(self, '/') = '\0';
		snprintf(relay_default, sizeof relay_default, "%s/tcp_relay", self);
		relay_bin = relay_default;
	}
	/* 10,000 streams: 10,000 sockets here, 20,000 in the gateway, 10,000 in
	 * the emulator; children inherit the limit. */
	if (setrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max = 65536;
		if (setrlimit(RLIMIT_NOFILE, &rl))
			fprintf(stderr, "bench_gateway: cannot raise the open-file limit: %s\n",
				strerror(errno));
	}
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);
	snprintf(tmpdir, sizeof tmpdir, "/tmp/bench-gateway-XXXXXX");
	if (!mkdtemp(tmpdir))
		die("mkdtemp");
	atexit(cleanup);

	snprintf(emu_max, sizeof emu_max, "%d", nstreams + 1000);
	{
		char *a[] = { (char *)bin, "emulate", "--listen", "127.0.0.1:0", "--quiet",
			      "--bearer", TOKEN, "--max-connections", emu_max, NULL };

		start(&emu, "emulate", a, NULL, pin ? 0 : -1);
	}
	{
		char to[64];
		char *a[] = { (char *)relay_bin, "--listen", "127.0.0.1:0", "--to", to, NULL };

		snprintf(to, sizeof to, "127.0.0.1:%u", emu.port);
		start(&relay, "tcp_relay", a, NULL, pin ? 1 : -1);
	}
	snprintf(cfg, sizeof cfg, "%s/gateway.yaml", tmpdir);
	snprintf(act, sizeof act, "%s/activity", tmpdir);
	f = fopen(cfg, "w");
	if (!f)
		die("cannot write %s", cfg);
	fprintf(f,
		"listen: 127.0.0.1:0\n"
		"upstreams:\n"
		"  - platform: bedrock\n"
		"    region: us-east-1\n"
		"    endpoint_url: http://127.0.0.1:%u\n"
		"%s"
		"keys:\n"
		"  - name: bench\n"
		"    key: %s\n"
		"activity_log:\n"
		"  dir: %s\n"
		"metrics: true\n"
		"limits:\n"
		"  max_connections: %d\n",
		emu.port, upstream_key ? "    api_key_env: BENCH_UPSTREAM_KEY\n" : "", TOKEN, act,
		nstreams + 1000);
	if (loops > 0)	/* the gateway's HTTP/1.1 loops (limits.loops) */
		fprintf(f, "  loops: %d\n", loops);
	fclose(f);
	{
		char home[300], *a[] = { (char *)bin, "gateway", "--config", cfg,
					 gw_log ? NULL : "--quiet", NULL };
		char *env[] = { home, "PATH=/usr/bin:/bin", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
				"AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
				"AWS_EC2_METADATA_DISABLED=true", "BENCH_UPSTREAM_KEY=" TOKEN, NULL };

		snprintf(home, sizeof home, "HOME=%s", tmpdir);
		start(&gw, "gateway", a, env, pin ? 1 : -1);
	}
	printf("bench_gateway: emulator %s (pid %d), tcp_relay %s, gateway %s (activity log on, "
	       "metrics on, stderr access log off, upstream %s)%s\n", emu.url, (int)emu.pid,
	       relay.url, gw.url, upstream_key ? "Bedrock API key" : "SigV4",
	       pin ? "; emulator on CPU 0, relay and gateway on CPU 1" : "");
	fflush(stdout);

	if (!only || !strcmp(only, "invoke"))
		phase_invoke();
	if (!only || !strcmp(only, "stream"))
		phase_stream();
	if (!only || !strcmp(only, "streams"))
		phase_streams();
	if (!only || !strcmp(only, "leak"))
		phase_leak();
	{
		/* The activity log wrote a line per request: a sanity check that it
		 * was on and that the gateway did the work. */
		char cmd[700];

		snprintf(cmd, sizeof cmd, "cat %s/*.jsonl 2>/dev/null | wc -l", act);
		f = popen(cmd, "r");
		if (f) {
			char line[64];

			if (fgets(line, sizeof line, f))
				printf("\nactivity log lines written: %s", line);
			pclose(f);
		}
	}
	return 0;
}
