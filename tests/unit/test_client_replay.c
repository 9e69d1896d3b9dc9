/* Every public recorded Bedrock exchange, replayed by `bedrock emulate
 * --replay` and fetched through the client: streams decoded to the text
 * and stop reason of expected.json, complete bodies byte for byte, errors
 * typed with the recorded status and AWS error code. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"

static harness_emulator emu;
static char dir[4096];

static int setup(void **state)
{
	const char *args[3];

	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	snprintf(dir, sizeof(dir), "%s/bedrock", harness_vectors());
	args[0] = "--replay";
	args[1] = dir;
	args[2] = NULL;
	harness_emulator_start(&emu, args);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	return 0;
}

static cJSON *read_json(const char *name, const char *file)
{
	char path[4400], *text;
	cJSON *j;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, name, file);
	text = harness_read_file(path, NULL);
	if (!text)
		return NULL;
	j = cJSON_Parse(text);
	free(text);
	return j;
}

/* The body the recording was made with (or, for mock tables that did not
 * record it, one carrying the prompt the mock matched on). */
static char *request_body(const cJSON *req)
{
	const cJSON *b = cJSON_GetObjectItem(req, "body"), *note = cJSON_GetObjectItem(req, "note");

	if (b && !cJSON_IsNull(b))
		return cJSON_PrintUnformatted(b);
	if (cJSON_IsString(note) && strstr(note->valuestring, "prompt prefix '")) {
		const char *q = strstr(note->valuestring, "prompt prefix '") + 15;
		cJSON *o = cJSON_CreateObject();
		char prompt[512], *text;

		snprintf(prompt, sizeof(prompt), "%.*s", (int)(strrchr(q, '\'') - q), q);
		cJSON_AddStringToObject(o, "prompt", prompt);
		text = cJSON_PrintUnformatted(o);
		cJSON_Delete(o);
		return text;
	}
	return strdup("");
}

static void test_client_replay__every_recording(void **state)
{
	bedrock_client_options o;
	bedrock_client *c;
	bedrock_error_info err;
	char **names;
	size_t i, streams = 0, bodies = 0, errors = 0;

	(void)state;
	harness_emulator_options(&o, &emu);
	o.max_attempts = 1;
	assert_int_equal(bedrock_client_new(&c, &o, &err), 0);
	names = harness_list_dir(dir);
	for (i = 0; names[i]; i++) {
		cJSON *req = read_json(names[i], "request.json"), *resp, *expected;
		const char *op, *model;
		char *body;
		int status, rc;

		if (!req)
			continue;
		resp = read_json(names[i], "response.json");
		expected = read_json(names[i], "expected.json");
		op = cJSON_GetObjectItem(req, "operation")->valuestring;
		model = cJSON_IsString(cJSON_GetObjectItem(req, "model_id"))
				? cJSON_GetObjectItem(req, "model_id")->valuestring : NULL;
		status = cJSON_GetObjectItem(resp, "status")->valueint;
		body = request_body(req);
		if (!strcmp(op, "InvokeModelWithResponseStream") || !strcmp(op, "ConverseStream")) {
			int converse = !strcmp(op, "ConverseStream");
			bedrock_stream *s;
			bedrock_event ev;
			char *text = calloc(1, 1 << 16);
			size_t n = 0;
			const cJSON *want = cJSON_GetObjectItem(expected, "final_text");

			rc = converse ? bedrock_converse_stream(&s, c, model, body, strlen(body), NULL, &err)
				      : bedrock_invoke_model_stream(&s, c, model, body, strlen(body), NULL, &err);
			if (rc)
				fail_msg("%s: %s", names[i], err.message);
			while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
				if (ev.text && n + ev.text_len < (1 << 16)) {
					memcpy(text + n, ev.text, ev.text_len);
					n += ev.text_len;
				}
			if (rc != BEDROCK_ITEROVER)
				fail_msg("%s: %s", names[i], err.message);
			if (!cJSON_IsString(want) || strcmp(want->valuestring, text))
				fail_msg("%s: decoded text differs", names[i]);
			bedrock_stream_free(s);
			free(text);
			streams++;
		} else {
			bedrock_response *r = NULL;
			const char *path = cJSON_GetObjectItem(req, "path")->valuestring;

			if (!strcmp(op, "other"))
				rc = bedrock_control_request(&r, c, cJSON_GetObjectItem(req, "method")->valuestring,
							     path, NULL, 0, &err);
			else if (!strcmp(op, "Converse"))
				rc = bedrock_converse(&r, c, model, body, strlen(body), NULL, &err);
			else
				rc = bedrock_invoke_model(&r, c, model, body, strlen(body), NULL, &err);
			if (status == 200) {
				char rel[4400], *want;
				size_t wl, gl;
				const char *got;

				if (rc)
					fail_msg("%s: %s", names[i], err.message);
				snprintf(rel, sizeof(rel), "bedrock/%s/response.body", names[i]);
				want = harness_read_vector(rel, &wl);
				got = bedrock_response_body(r, &gl);
				if (gl != wl || memcmp(got, want, wl))
					fail_msg("%s: body differs", names[i]);
				free(want);
				bodies++;
			} else {
				const cJSON *h = cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "headers"),
								     "x-amzn-ErrorType");
				if (rc == 0)
					fail_msg("%s: expected HTTP %d", names[i], status);
				assert_int_equal(err.http_status, status);
				if (cJSON_IsString(h) && strncmp(h->valuestring, err.aws_code, strlen(err.aws_code)))
					fail_msg("%s: code %s, recorded %s", names[i], err.aws_code, h->valuestring);
				errors++;
			}
			bedrock_response_free(r);
		}
		free(body);
		cJSON_Delete(req);
		cJSON_Delete(resp);
		cJSON_Delete(expected);
	}
	harness_free_list(names);
	printf("replayed through the client: %zu streams, %zu bodies, %zu errors\n", streams, bodies,
	       errors);
	assert_true(streams >= 10 && bodies >= 40 && errors >= 15);
	bedrock_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_replay__every_recording),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
