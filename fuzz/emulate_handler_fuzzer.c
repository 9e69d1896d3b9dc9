/* The emulator's request handler on arbitrary requests: the input is
 * "METHOD PATH?QUERY\nName: value\n...\n\nBODY". Whatever arrives, the
 * handler answers with a well-formed plan and never crashes or leaks.
 * Requests are authenticated with a bearer key (a Bedrock API key, and a
 * Google token for the Vertex routes) so that fuzzing reaches past
 * authentication; every third input is left unauthenticated. The Google
 * routes (metadata server, token endpoint) need no key. The
 * head-only precheck runs on each input too, and may only ever refuse
 * with a 4xx. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu_handler.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A fixed clock: the same input takes the same path on every run (a
 * JWT's times, a token's hour, a signature's skew). */
static long long fixed_now(void)
{
	return 1800000000LL;
}

static emu_state *state(void)
{
	static emu_state s;
	static char *bearers[] = { "fuzz-key" };
	static int ready;

	if (!ready) {
		s.auth.region = "us-east-1";
		s.auth.max_skew_seconds = 300;
		s.auth.bearers = bearers;
		s.auth.bearer_count = 1;
		s.now = fixed_now;
		emu_faults_init(&s.faults);
		emu_replay_init(&s.replay);
		emu_control_init(&s.control, "us-east-1");
		/* The same key opens the Vertex routes (--google-token). */
		emu_google_init(&s.google, NULL);
		s.google.tokens = bearers;
		s.google.token_count = 1;
		ready = 1;
	}
	return &s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *line, *save = NULL, *body, *path = NULL, *query = "";
	serve_header headers[32];
	serve_request req;
	serve_response out;
	size_t n = 0, i;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	body = strstr(text, "\n\n");
	if (body) {
		*body = '\0';
		body += 2;
	}
	memset(&req, 0, sizeof(req));
	line = strtok_r(text, "\n", &save);
	req.method = line ? strtok_r(line, " ", &path) : "POST";
	if (!req.method)
		req.method = "POST";
	if (!path || !*path)
		path = "/";
	if ((query = strchr(path, '?')) != NULL)
		*query++ = '\0';
	else
		query = "";
	while ((line = strtok_r(NULL, "\n", &save)) != NULL && n < 31) {
		char *colon = strchr(line, ':');

		if (!colon)
			continue;
		*colon = '\0';
		headers[n].name = line;
		headers[n].value = colon + 1 + (colon[1] == ' ');
		n++;
	}
	if (size % 3) {
		headers[n].name = "authorization";
		headers[n].value = "Bearer fuzz-key";
		n++;
	}
	req.path = path;
	req.query = query;
	req.headers = headers;
	req.header_count = n;
	req.body = (const uint8_t *)(body ? body : "");
	req.body_len = body ? size - (size_t)(body - text) : 0;
	req.peer = "fuzz";
	/* The head-only check first, as the server runs it, on no body. */
	{
		serve_request head = req;

		head.body = (const uint8_t *)"";
		head.body_len = 0;
		serve_response_init(&out, 500);
		if (emu_precheck(&out, &head, state()) && (out.status < 400 || out.status > 499))
			__builtin_trap();
		serve_response_dispose(&out);
	}
	serve_response_init(&out, 500);
	emu_handle(&out, &req, state());
	if (out.status < 0 || out.status > 599)
		__builtin_trap();
	for (i = 0; i < out.piece_count; i++)
		if (!out.pieces[i].data && out.pieces[i].len)
			__builtin_trap();
	serve_response_dispose(&out);
	free(text);
	return 0;
}
