/* bedrock_sigv4_verify on arbitrary requests: the Authorization header,
 * the dates and the signed-header list come from the client, so they are
 * parsed from untrusted bytes. Input: "METHOD PATH[?QUERY]\n", header
 * lines "name: value\n", an empty line, the body. Whatever the input, the
 * verdict agrees with the return code, a refusal has AWS's type and a
 * message, and the head check never refuses what the full check accepts. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/sigv4.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NOW 1795408000 /* 2026-11-23T04:26:40Z: the seeds are signed then */
#define MAX_HEADERS 32

static const char *secret_of(const char *akid, void *payload)
{
	(void)payload;
	return !strcmp(akid, "AKIDEXAMPLE") ? "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" : NULL;
}

static void check(int rc, const bedrock_sigv4_verification *v)
{
	if (rc == 0 ? v->verdict != BEDROCK_SIGV4_OK
		    : rc != BEDROCK_EAUTH || v->verdict == BEDROCK_SIGV4_OK || !*v->error_type ||
			      !*v->message)
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bedrock_sigv4_verify_options o = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;
	bedrock_sigv4_header h[MAX_HEADERS];
	bedrock_sigv4_verification v;
	bedrock_sigv4_request req;
	char *text = malloc(size + 1), *line, *next, *q;
	size_t n = 0;
	int rc, head;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	memset(&req, 0, sizeof(req));
	next = strchr(text, '\n');
	if (!next || !(q = strchr(text, ' ')) || q > next)
		goto out;
	*next++ = '\0';
	*q++ = '\0';
	req.method = text;
	req.path = q;
	if ((q = strchr(q, '?')) != NULL) {
		*q++ = '\0';
		req.query = q;
	}
	while ((line = next) != NULL && *line != '\n' && *line) {
		char *colon;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		colon = strchr(line, ':');
		if (!colon || colon == line || n == MAX_HEADERS)
			continue;
		h[n++] = (bedrock_sigv4_header){ line, (size_t)(colon - line), colon + 2 - (colon[1] != ' '),
					       strlen(colon + 2 - (colon[1] != ' ')) };
	}
	if (line && *line == '\n') {
		req.body = line + 1;
		req.body_len = size - (size_t)(line + 1 - text);
	}
	req.headers = h;
	req.header_count = n;
	o.now = NOW;
	o.secret = secret_of;
	o.allow_unsigned_payload = size % 2;
	rc = bedrock_sigv4_verify(&v, &o, &req);
	check(rc, &v);
	head = bedrock_sigv4_verify_head(&v, &o, &req);
	check(head, &v);
	if (rc == 0 && head != 0)
		__builtin_trap();
out:
	free(text);
	return 0;
}
