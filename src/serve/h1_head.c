/* The first HTTP/1 head on a connection, judged before libmicrohttpd
 * sees it (serve_h1_head_check): pure, bytes in, a verdict out, so it is
 * tested and fuzzed without sockets. */
#include <string.h>
#include <strings.h>

#include "serve_net.h"

static int is_digits(const char *p, const char *end)
{
	if (p == end)
		return 0;
	for (; p < end; p++)
		if (*p < '0' || *p > '9')
			return 0;
	return 1;
}

serve_head serve_h1_head_check(const char *buf, size_t len)
{
	const char *end = buf + len, *line = buf, *eol, *sp, *last, *q, *cl = NULL;
	size_t cl_len = 0;
	int te = 0;

	eol = memchr(buf, '\n', len);
	if (!eol)
		return SERVE_HEAD_PARTIAL;
	/* The request line: the target lies between the first and the last
	 * space (as MHD reads it), so a space inside it shows up here too. */
	sp = memchr(buf, ' ', (size_t)(eol - buf));
	last = NULL;
	for (q = sp ? sp + 1 : eol; q < eol; q++)
		if (*q == ' ')
			last = q;
	if (sp && last)
		for (q = sp + 1; q < last; q++)
			if ((unsigned char)*q <= 0x20 || *q == 0x7f)
				return SERVE_HEAD_BAD;
	for (line = eol + 1; line < end; line = eol + 1) {
		const char *colon, *v, *ve;

		eol = memchr(line, '\n', (size_t)(end - line));
		if (!eol)
			return SERVE_HEAD_PARTIAL;
		ve = eol > line && eol[-1] == '\r' ? eol - 1 : eol;
		if (ve == line)
			break;	/* the blank line: the head is whole */
		colon = memchr(line, ':', (size_t)(ve - line));
		if (!colon || line[0] == ' ' || line[0] == '\t')
			continue;
		for (v = colon + 1; v < ve && (*v == ' ' || *v == '\t'); v++)
			;
		while (ve > v && (ve[-1] == ' ' || ve[-1] == '\t'))
			ve--;
		if (colon - line == 14 && !strncasecmp(line, "Content-Length", 14)) {
			if (!is_digits(v, ve) ||
			    (cl && (cl_len != (size_t)(ve - v) || memcmp(cl, v, cl_len))))
				return SERVE_HEAD_BAD;
			cl = v;
			cl_len = (size_t)(ve - v);
		} else if (colon - line == 17 && !strncasecmp(line, "Transfer-Encoding", 17)) {
			te = 1;
		}
	}
	if (line >= end)
		return SERVE_HEAD_PARTIAL;
	return cl && te ? SERVE_HEAD_BAD : SERVE_HEAD_OK;
}
