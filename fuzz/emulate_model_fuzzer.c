/* libFuzzer target for the emulator's model: arbitrary bytes as a request
 * body through every path the handler takes (InvokeModel validation,
 * Converse conversion, CountTokens) into the model and all five
 * renderers. Must never crash or leak; also checks the invariants that
 * hold for every valid request (determinism, CountTokens == usage). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "model.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

static void render_all(const cJSON *answer)
{
	int (*const renderers[])(emu_response *, const cJSON *, const char *) = {
		emu_render_invoke, emu_render_invoke_stream,
		emu_render_converse, emu_render_converse_stream,
	};
	size_t i;

	for (i = 0; i < sizeof(renderers) / sizeof(*renderers); i++) {
		emu_response r;

		emu_response_init(&r, 500);
		CHECK(renderers[i](&r, answer, "fuzz") == 0);
		CHECK(r.status == 200 && r.piece_count >= 1);
		emu_response_dispose(&r);
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
