#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "emu_control.h"

static emu_control ctl;

static cJSON *call(const char *method, const char *path, const char *query, const char *body,
		   int expect_status)
{
	serve_request rq = { method, path, query ? query : "", NULL, 0, (const uint8_t *)body,
			   body ? strlen(body) : 0, "p", 0, NULL };
	serve_response out;
	cJSON *j;

	serve_response_init(&out, 500);
	assert_int_equal(emu_control_handle(&ctl, &out, &rq, "rid-1"), 1);
	if (out.status != expect_status)
		fail_msg("%s %s: status %d, wanted %d: %.*s", method, path, out.status, expect_status,
			 out.piece_count ? (int)out.pieces[0].len : 0,
			 out.piece_count ? (char *)out.pieces[0].data : "");
	assert_int_equal(out.piece_count, 1);
	assert_string_equal(serve_request_header(&(serve_request){ .headers = out.headers,
								 .header_count = out.header_count },
					       "x-amzn-requestid"), "rid-1");
	j = cJSON_ParseWithLength((char *)out.pieces[0].data, out.pieces[0].len);
	assert_non_null(j);
	serve_response_dispose(&out);
	return j;
}

static void test_emulate_control__models(void **state)
{
	cJSON *j, *m;
	int n = 0, on_demand = 0;

	(void)state;
	j = call("GET", "/foundation-models", "byProvider=anthropic", NULL, 200);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "modelSummaries")) {
		n++;
		assert_string_equal(cJSON_GetObjectItem(m, "providerName")->valuestring, "Anthropic");
		assert_non_null(strstr(cJSON_GetObjectItem(m, "modelArn")->valuestring,
				       "arn:aws:bedrock:us-east-1::foundation-model/anthropic."));
	}
	assert_int_equal(n, (int)bedrock_models_count());
	cJSON_Delete(j);
	j = call("GET", "/foundation-models", "byInferenceType=ON_DEMAND", NULL, 200);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "modelSummaries"))
		on_demand++;
	assert_true(on_demand > 0 && on_demand < n);
	cJSON_Delete(j);
	j = call("GET", "/foundation-models", "byProvider=meta", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "modelSummaries")), 0);
	cJSON_Delete(j);

	j = call("GET", "/foundation-models/anthropic.claude-sonnet-4-5-20250929-v1%3A0", NULL, NULL, 200);
	m = cJSON_GetObjectItem(j, "modelDetails");
	assert_string_equal(cJSON_GetObjectItem(m, "modelId")->valuestring,
			    "anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(m, "modelLifecycle"), "status")
				    ->valuestring, "ACTIVE");
	cJSON_Delete(j);
	j = call("GET", "/foundation-models/anthropic.nope", NULL, NULL, 404);
	assert_non_null(strstr(cJSON_GetObjectItem(j, "message")->valuestring, "Could not resolve"));
	cJSON_Delete(j);
}

static void test_emulate_control__profiles_paginate(void **state)
{
	char query[64], token[32] = "";
	size_t seen = 0, want = 0, i;
	cJSON *j;

	(void)state;
	do {
		const cJSON *next, *it;

		snprintf(query, sizeof(query), "maxResults=7%s%s", token[0] ? "&nextToken=" : "", token);
		j = call("GET", "/inference-profiles", query, NULL, 200);
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(j, "inferenceProfileSummaries")) {
			const char *id = cJSON_GetObjectItem(it, "inferenceProfileId")->valuestring;

			/* From us-east-1: global and US profiles only, as Bedrock lists them. */
			assert_true(!strncmp(id, "global.", 7) || !strncmp(id, "us.", 3));
			seen++;
		}
		next = cJSON_GetObjectItem(j, "nextToken");
		snprintf(token, sizeof(token), "%s", cJSON_IsString(next) ? next->valuestring : "");
		cJSON_Delete(j);
	} while (token[0]);
	for (i = 0; i < bedrock_profiles_count(); i++) {
		bedrock_inference_profile p;

		assert_int_equal(bedrock_profiles_at(&p, i), 0);
		want += (p.geo == BEDROCK_PROFILE_GLOBAL || p.geo == BEDROCK_PROFILE_US);
	}
	assert_true(want > 7 && want < bedrock_profiles_count());
	assert_int_equal(seen, want);
	cJSON_Delete(call("GET", "/inference-profiles", "nextToken=zzz", NULL, 400));
	cJSON_Delete(call("GET", "/inference-profiles", "maxResults=0", NULL, 400));
	/* Bedrock's enum check on typeEquals, not an empty list. */
	j = call("GET", "/inference-profiles", "type=FOO", NULL, 400);
	assert_non_null(strstr(cJSON_GetStringValue(cJSON_GetObjectItem(j, "message")),
			       "Value 'FOO' at 'typeEquals' failed to satisfy constraint"));
	cJSON_Delete(j);
	j = call("GET", "/inference-profiles", "type=APPLICATION", NULL, 200);
	assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItem(j, "inferenceProfileSummaries")), 0);
	cJSON_Delete(j);

	j = call("GET", "/inference-profiles/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0", NULL,
		 NULL, 200);
	assert_string_equal(cJSON_GetObjectItem(j, "type")->valuestring, "SYSTEM_DEFINED");
	assert_true(cJSON_GetArraySize(cJSON_GetObjectItem(j, "models")) >= 1);
	cJSON_Delete(j);
	j = call("GET", "/inference-profiles/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3A"
		 "inference-profile%2Fglobal.anthropic.claude-opus-4-6-v1", NULL, NULL, 200);
	assert_string_equal(cJSON_GetObjectItem(j, "inferenceProfileId")->valuestring,
			    "global.anthropic.claude-opus-4-6-v1");
	cJSON_Delete(j);
	cJSON_Delete(call("GET", "/inference-profiles/jp.anthropic.claude-opus-4-6-v1", NULL, NULL, 404));
}

static void test_emulate_control__logging(void **state)
{
	cJSON *j;

	(void)state;
	j = call("GET", "/logging/modelinvocations", NULL, NULL, 200);
	assert_null(cJSON_GetObjectItem(j, "loggingConfig"));
	cJSON_Delete(j);
	cJSON_Delete(call("PUT", "/logging/modelinvocations", NULL,
			  "{\"loggingConfig\":{\"s3Config\":{\"bucketName\":\"b\",\"keyPrefix\":\"p\"},"
			  "\"textDataDeliveryEnabled\":true}}", 200));
	j = call("GET", "/logging/modelinvocations", NULL, NULL, 200);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j,
			    "loggingConfig"), "s3Config"), "bucketName")->valuestring, "b");
	cJSON_Delete(j);
	cJSON_Delete(call("PUT", "/logging/modelinvocations", NULL, "{}", 400));
	cJSON_Delete(call("DELETE", "/logging/modelinvocations", NULL, NULL, 200));
	j = call("GET", "/logging/modelinvocations", NULL, NULL, 200);
	assert_null(cJSON_GetObjectItem(j, "loggingConfig"));
	cJSON_Delete(j);
}

static void test_emulate_control__not_mine(void **state)
{
	serve_request rq = { "POST", "/model/x/invoke", "", NULL, 0, NULL, 0, "p", 0, NULL };
	serve_response out;

	(void)state;
	serve_response_init(&out, 500);
	assert_int_equal(emu_control_handle(&ctl, &out, &rq, "r"), 0);
	serve_response_dispose(&out);
}

static int setup(void **state)
{
	(void)state;
	return emu_control_init(&ctl, "us-east-1");
}

static int teardown(void **state)
{
	(void)state;
	emu_control_dispose(&ctl);
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_control__models),
		cmocka_unit_test(test_emulate_control__profiles_paginate),
		cmocka_unit_test(test_emulate_control__logging),
		cmocka_unit_test(test_emulate_control__not_mine),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
