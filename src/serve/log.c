/* The serving layer's messages: the access log and its errors, to the
 * log callback when there is one (the gateway's own log), else stderr.
 * Request text is escaped: nothing a client sends can move a terminal's
 * cursor or fake a line. */
#include <netdb.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include "serve_net.h"

/* NI_MAXHOST/NI_MAXSERV are not POSIX; numeric forms are short anyway. */
#define HOST_CAP 64
#define SERV_CAP 8

/* line ends in a newline (kept for stderr, dropped for the callback). */
static void emit(const serve_server *s, char *line, size_t n)
{
	if (s->opt.log) {
		line[n - 1] = 0;
		s->opt.log(s->opt.log_payload, line);
		return;
	}
	/* One write per line so lines from several threads never mix. */
	if (write(2, line, n) < 0)
		return;
}

void serve_format_peer(char *out, size_t cap, const struct sockaddr *sa, socklen_t len)
{
	char host[HOST_CAP], port[SERV_CAP];

	if (!sa || getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
			       NI_NUMERICHOST | NI_NUMERICSERV)) {
		snprintf(out, cap, "-");
		return;
	}
	snprintf(out, cap, sa->sa_family == AF_INET6 ? "[%s]:%s" : "%s:%s", host, port);
}

/* Request text goes to a terminal: control bytes, DEL, non-ASCII and the
 * backslash itself as \xNN, so nothing a client sends can move the
 * cursor, recolour the screen or fake a line. Cut at cap, never mid-escape. */
static void log_escape(char *out, size_t cap, const char *in)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	for (; *in; in++) {
		unsigned char c = (unsigned char)*in;

		if (c > 0x20 && c < 0x7f && c != '\\') {
			if (n + 1 >= cap)
				break;
			out[n++] = (char)c;
			continue;
		}
		if (n + 4 >= cap)
			break;
		out[n++] = '\\';
		out[n++] = 'x';
		out[n++] = hex[c >> 4];
		out[n++] = hex[c & 15];
	}
	out[n] = 0;
}

void serve_access_log(const serve_server *s, const char *peer, const char *method,
		    const char *path, int status, size_t bytes, uint64_t start_ms, int http2)
{
	char line[1024], st[16], m[64], pth[600];
	int n;

	if (!s->opt.access_log)
		return;
	log_escape(m, sizeof(m), method ? method : "-");
	log_escape(pth, sizeof(pth), path ? path : "-");
	if (status)
		snprintf(st, sizeof(st), "%d", status);
	else
		snprintf(st, sizeof(st), "reset");
	/* The path only: a query can carry a presigned signature. */
	n = snprintf(line, sizeof(line), "%s %s %s %s %zu %llums %s\n", peer, m, pth, st, bytes,
		     (unsigned long long)(serve_now_ms() - start_ms), http2 ? "h2" : "h1");
	if (n > (int)sizeof(line) - 1)
		n = (int)sizeof(line) - 1;
	emit(s, line, (size_t)n);
}

void serve_say(const serve_server *s, const char *fmt, ...)
{
	char line[1024];
	va_list ap;
	int n, k;

	n = snprintf(line, sizeof(line), "%s: ", s->opt.name);
	if (n < 0 || n >= (int)sizeof(line) - 2)
		n = 0;
	va_start(ap, fmt);
	k = vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
	va_end(ap);
	if (k < 0)
		k = 0;
	n += k;
	if (n > (int)sizeof(line) - 2)
		n = (int)sizeof(line) - 2;
	line[n++] = '\n';
	line[n] = 0;
	emit(s, line, (size_t)n);
}

