/* libFuzzer target for the emulator's model: arbitrary bytes as a request
 * body through every path the handler takes (InvokeModel validation,
 * Converse conversion, CountTokens) into the model and all five
 * renderers. Must never crash or leak; also checks the invariants that
 * hold for every valid request (determinism, CountTokens == usage). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/eventstream.h"
#include "model.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

/* The text deltas of a stream, decoded with the public reader, must spell
 * the answer's text blocks exactly, one event per piece. */
static void check_stream_text(const serve_response *r, const cJSON *answer)
{
	bedrock_event_reader *rd;
	bedrock_event ev;
	const cJSON *b;
	size_t i, want_len = 0, got_len = 0;
	char *want, *got;

	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content"))
		if (cJSON_IsString(cJSON_GetObjectItemCaseSensitive(b, "text")))
			want_len += strlen(cJSON_GetObjectItemCaseSensitive(b, "text")->valuestring);
	want = malloc(want_len + 1);
	got = malloc(want_len + 1);
	CHECK(want && got);
	want_len = 0;
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(answer, "content")) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "text");

		if (cJSON_IsString(t)) {
			memcpy(want + want_len, t->valuestring, strlen(t->valuestring));
			want_len += strlen(t->valuestring);
		}
	}
	CHECK(bedrock_event_reader_new(&rd, NULL) == 0);
	for (i = 0; i < r->piece_count; i++) {
		CHECK(bedrock_event_reader_feed(rd, r->pieces[i].data, r->pieces[i].len) == 0);
		CHECK(bedrock_event_reader_next(&ev, rd) == 0);
		if (ev.text) {
			CHECK(got_len + ev.text_len <= want_len);
			memcpy(got + got_len, ev.text, ev.text_len);
			got_len += ev.text_len;
		}
		CHECK(bedrock_event_reader_next(&ev, rd) == BEDROCK_EAGAIN);
	}
	CHECK(bedrock_event_reader_finish(rd) == 0);
	bedrock_event_reader_free(rd);
	CHECK(got_len == want_len && !memcmp(got, want, want_len));
	free(want);
	free(got);
}

static void render_all(const cJSON *answer)
{
	int (*const renderers[])(serve_response *, const cJSON *, const char *) = {
		emu_render_invoke, emu_render_invoke_stream,
		emu_render_converse, emu_render_converse_stream,
	};
	size_t i;

	for (i = 0; i < sizeof(renderers) / sizeof(*renderers); i++) {
		serve_response r;

		serve_response_init(&r, 500);
		CHECK(renderers[i](&r, answer, "fuzz") == 0);
		CHECK(r.status == 200 && r.piece_count >= 1);
		if (r.streaming)
			check_stream_text(&r, answer);
		serve_response_dispose(&r);
	}
}

static void answer_and_render(const cJSON *req, int valid, unsigned long seed)
{
	cJSON *a = NULL, *b = NULL;

	if (emu_model_answer(&a, req, "fuzz-model", seed))
		return;
	if (valid) {
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(a, "usage");

		CHECK(emu_model_answer(&b, req, "fuzz-model", seed) == 0);
		CHECK(cJSON_Compare(a, b, 1));
		if (!cJSON_GetObjectItemCaseSensitive(u, "cache_read_input_tokens"))
			CHECK(cJSON_GetObjectItemCaseSensitive(u, "input_tokens")->valuedouble ==
			      (double)emu_count_tokens(req));
		render_all(a);
	}
	cJSON_Delete(a);
	cJSON_Delete(b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	cJSON *body, *req = NULL, *ct;
	char msg[1024];
	unsigned long seed = size ? data[size - 1] % 3 : 0;
	int exclusive = size ? data[0] & 1 : 0, valid;
	unsigned n;

	if (size > 1 << 20)
		return 0;
	body = cJSON_ParseWithLength((const char *)data, size);

	/* InvokeModel: validate, then answer even invalid bodies (the model
	 * must survive them), render valid ones. */
	valid = emu_validate_messages(body, exclusive, msg, sizeof(msg)) == 0;
	CHECK(valid || msg[0]);
	if (cJSON_IsObject(body))
		answer_and_render(body, valid, seed);

	/* Converse: the same body read as a Converse request. */
	if (emu_converse_to_messages(&req, body, msg, sizeof(msg)) == 0) {
		valid = emu_validate_messages(req, exclusive, msg, sizeof(msg)) == 0;
		answer_and_render(req, valid, seed);
		cJSON_Delete(req);
	} else {
		CHECK(req == NULL);
	}

	/* CountTokens: the body itself, and wrapped as a converse input. */
	(void)emu_count_tokens_request(&n, body, exclusive, msg, sizeof(msg));
	ct = cJSON_CreateObject();
	if (ct && body) {
		cJSON *input = cJSON_AddObjectToObject(ct, "input");

		if (input && cJSON_AddItemReferenceToObject(input, "converse", body))
			(void)emu_count_tokens_request(&n, ct, exclusive, msg, sizeof(msg));
	}
	cJSON_Delete(ct);
	(void)emu_count_tokens(body);
	cJSON_Delete(body);
	return 0;
}
