/* Replay of every public recorded exchange returns its recorded status and
 * body bytes. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "emu_replay.h"

static void test_emulate_replay__every_recording(void **state)
{
	char dir[4096], err[512], **names;
	emu_replay r;
	size_t i, n = 0;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bedrock", harness_vectors());
	assert_int_equal(emu_replay_init(&r), 0);
	if (emu_replay_load(&r, dir, err, sizeof(err)))
		fail_msg("%s", err);
	assert_true(r.count >= 70);
	names = harness_list_dir(dir);
	for (i = 0; names[i]; i++) {
		char path[4200], *text, *body = NULL, *expect;
		cJSON *req;
		const cJSON *b, *note;
		serve_request rq;
		serve_response out;
		size_t elen;

		snprintf(path, sizeof(path), "%s/%s/request.json", dir, names[i]);
		text = harness_read_file(path, NULL);
		if (!text)
			continue;
		req = cJSON_Parse(text);
		b = cJSON_GetObjectItem(req, "body");
		note = cJSON_GetObjectItem(req, "note");
		if (b && !cJSON_IsNull(b)) {
			body = cJSON_Print(b); /* formatted: matching is by meaning */
		} else if (cJSON_IsString(note) && strstr(note->valuestring, "prompt prefix '")) {
			const char *q = strstr(note->valuestring, "prompt prefix '") + 15;
			cJSON *o = cJSON_CreateObject();
			char prompt[512];

			snprintf(prompt, sizeof(prompt), "%.*s", (int)(strrchr(q, '\'') - q), q);
			cJSON_AddStringToObject(o, "prompt", prompt);
			body = cJSON_PrintUnformatted(o);
			cJSON_Delete(o);
		}
		memset(&rq, 0, sizeof(rq));
		rq.method = cJSON_GetObjectItem(req, "method")->valuestring;
		rq.path = cJSON_GetObjectItem(req, "path")->valuestring;
		rq.query = "";
		rq.body = (const uint8_t *)(body ? body : "");
		rq.body_len = body ? strlen(body) : 0;
		serve_response_init(&out, 500);
		if (emu_replay_answer(&r, &out, &rq))
			fail_msg("%s: not matched: %.*s", names[i], (int)out.pieces[0].len,
				 (char *)out.pieces[0].data);
		snprintf(path, sizeof(path), "%s/%s/response.body", dir, names[i]);
		expect = harness_read_file(path, &elen);
		assert_int_equal(out.piece_count, 1);
		if (out.pieces[0].len != elen || memcmp(out.pieces[0].data, expect, elen))
			fail_msg("%s: replayed bytes differ", names[i]);
		snprintf(path, sizeof(path), "%s/%s/response.json", dir, names[i]);
		free(text);
		text = harness_read_file(path, NULL);
		{
			cJSON *resp = cJSON_Parse(text);

			assert_int_equal(out.status, cJSON_GetObjectItem(resp, "status")->valueint);
			cJSON_Delete(resp);
		}
		n++;
		free(expect);
		free(text);
		free(body);
		cJSON_Delete(req);
		serve_response_dispose(&out);
	}
	assert_int_equal(n, r.count);
	harness_free_list(names);
	emu_replay_dispose(&r);
}

static void test_emulate_replay__unmatched_names_nearest(void **state)
{
	char dir[4096], err[512], *msg;
	emu_replay r;
	serve_request rq;
	serve_response out;

	(void)state;
	snprintf(dir, sizeof(dir), "%s/bedrock/dd-trace-py__anthropic_invoke", harness_vectors());
	assert_int_equal(emu_replay_init(&r), 0);
	assert_int_equal(emu_replay_load(&r, dir, err, sizeof(err)), 0);
	assert_int_equal(r.count, 1);
	memset(&rq, 0, sizeof(rq));
	rq.method = "POST";
	rq.path = r.items[0].path;
	rq.query = "";
	rq.body = (const uint8_t *)"{\"different\":true}";
	rq.body_len = strlen((const char *)rq.body);
	serve_response_init(&out, 500);
	assert_int_equal(emu_replay_answer(&r, &out, &rq), -1);
	assert_int_equal(out.status, 404);
	msg = strndup((char *)out.pieces[0].data, out.pieces[0].len);
	assert_non_null(strstr(msg, "nearest: dd-trace-py__anthropic_invoke (same method and path"));
	free(msg);
	serve_response_dispose(&out);
	assert_int_equal(emu_replay_load(&r, "/nonexistent", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "/nonexistent"));
	emu_replay_dispose(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_replay__every_recording),
		cmocka_unit_test(test_emulate_replay__unmatched_names_nearest),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
