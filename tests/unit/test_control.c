/* The typed control plane: against `bedrock emulate` for the calls, and
 * against the loopback fake for ListInferenceProfiles' paging rules. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "harness.h"

static harness_emulator emu;
static harness_fake fake;

static bedrock_client *client_at(const char *url)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.region = "us-east-1";
	o.endpoint_url = url;
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	o.max_attempts = 1;
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

static cJSON *body_json(const bedrock_response *r)
{
	size_t len;
	const char *b = bedrock_response_body(r, &len);
	cJSON *j = cJSON_ParseWithLength(b, len);

	assert_non_null(j);
	return j;
}

static int setup(void **state)
{
	(void)state;
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	harness_emulator_start(&emu, NULL);
	harness_fake_start(&fake);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_emulator_stop(&emu);
	harness_fake_stop(&fake);
	return 0;
}

static void test_control__models(void **state)
{
	bedrock_model_filter filter = BEDROCK_MODEL_FILTER_INIT;
	bedrock_client *c = client_at(emu.url);
	bedrock_response *r = NULL;
	bedrock_error_info err;
	const cJSON *m;
	cJSON *j;
	int n = 0;

	(void)state;
	filter.provider = "Anthropic";
	assert_int_equal(bedrock_list_foundation_models(&r, c, &filter, &err), 0);
	j = body_json(r);
	cJSON_ArrayForEach(m, cJSON_GetObjectItem(j, "modelSummaries")) {
		assert_string_equal(cJSON_GetObjectItem(m, "providerName")->valuestring, "Anthropic");
		n++;
	}
	assert_int_equal(n, (int)bedrock_models_count());
	cJSON_Delete(j);
	bedrock_response_free(r);

	/* The id goes in the path encoded: ':' must arrive intact. */
	assert_int_equal(bedrock_get_foundation_model(&r, c, "anthropic.claude-sonnet-4-5-20250929-v1:0",
						      &err), 0);
	j = body_json(r);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "modelDetails"), "modelId")->valuestring,
			    "anthropic.claude-sonnet-4-5-20250929-v1:0");
	cJSON_Delete(j);
	bedrock_response_free(r);

	assert_int_not_equal(bedrock_get_foundation_model(&r, c, "anthropic.nope", &err), 0);
	assert_null(r);
	assert_int_equal(err.http_status, 404);
	assert_string_equal(err.aws_code, "ResourceNotFoundException");
	assert_true(err.request_id[0] != '\0');

	assert_int_equal(bedrock_get_foundation_model(&r, c, "", &err), BEDROCK_EINVAL);
	filter.version = 99;
	assert_int_equal(bedrock_list_foundation_models(&r, c, &filter, &err), BEDROCK_EINVAL);
	bedrock_client_free(c);
}

static void test_control__profiles_from_the_emulator(void **state)
{
	bedrock_client *c = client_at(emu.url);
	const bedrock_profile_summary *p;
	bedrock_profile_iter *it;
	bedrock_response *r = NULL;
	bedrock_error_info err;
	int rc, n = 0, global = 0;

	(void)state;
	assert_int_equal(bedrock_profile_iter_new(&it, c, "SYSTEM_DEFINED"), 0);
	while ((rc = bedrock_profile_iter_next(&p, it, &err)) == 0) {
		cJSON *j = cJSON_ParseWithLength(p->json, p->json_len);

		assert_non_null(j);
		assert_string_equal(cJSON_GetObjectItem(j, "inferenceProfileId")->valuestring, p->id);
		assert_string_equal(p->type, "SYSTEM_DEFINED");
		assert_string_equal(p->status, "ACTIVE");
		assert_non_null(strstr(p->arn, p->id));
		global += !strncmp(p->id, "global.", 7);
		cJSON_Delete(j);
		n++;
	}
	assert_int_equal(rc, BEDROCK_ITEROVER);
	/* Still over when asked again. */
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), BEDROCK_ITEROVER);
	assert_true(n > 10 && global > 3);
	bedrock_profile_iter_free(it);

	assert_int_equal(bedrock_get_inference_profile(&r, c, "global.anthropic.claude-opus-4-6-v1", &err), 0);
	bedrock_response_free(r);
	bedrock_client_free(c);
}

static void test_control__logging(void **state)
{
	bedrock_client *c = client_at(emu.url);
	bedrock_response *r = NULL;
	bedrock_error_info err;
	cJSON *j;

	(void)state;
	assert_int_equal(bedrock_logging_put(&r, c,
					     "{\"s3Config\":{\"bucketName\":\"logs\",\"keyPrefix\":\"bedrock/\"},"
					     "\"textDataDeliveryEnabled\":true}", &err), 0);
	bedrock_response_free(r);
	assert_int_equal(bedrock_logging_get(&r, c, &err), 0);
	j = body_json(r);
	assert_string_equal(cJSON_GetObjectItem(cJSON_GetObjectItem(cJSON_GetObjectItem(j, "loggingConfig"),
								    "s3Config"), "bucketName")->valuestring, "logs");
	cJSON_Delete(j);
	bedrock_response_free(r);
	assert_int_equal(bedrock_logging_delete(&r, c, &err), 0);
	bedrock_response_free(r);
	assert_int_equal(bedrock_logging_get(&r, c, &err), 0);
	j = body_json(r);
	assert_null(cJSON_GetObjectItem(j, "loggingConfig"));
	cJSON_Delete(j);
	bedrock_response_free(r);
	assert_int_equal(bedrock_logging_put(&r, c, "[1]", &err), BEDROCK_EINVAL);
	assert_int_equal(bedrock_logging_put(&r, c, "{", &err), BEDROCK_EINVAL);
	assert_int_equal(bedrock_logging_put(&r, c, NULL, &err), BEDROCK_EINVAL);
	bedrock_client_free(c);
}

#define PROFILE(id) "{\"inferenceProfileId\":\"" id "\",\"inferenceProfileName\":\"n\",\"type\":\"APPLICATION\"}"

/* Three pages, the middle one empty; tokens that need encoding. */
static const char pages[] =
	"{\"canned\":{\"GET /inference-profiles\":{"
	"\"\":{\"body\":{\"inferenceProfileSummaries\":[" PROFILE("a") "," PROFILE("b") "],\"nextToken\":\"t/2+=\"}},"
	"\"t/2+=\":{\"body\":{\"inferenceProfileSummaries\":[],\"nextToken\":\"t3\"}},"
	"\"t3\":{\"body\":{\"inferenceProfileSummaries\":[" PROFILE("c") "]}}}}}";

static void test_control__pages(void **state)
{
	bedrock_client *c = client_at(fake.url);
	const bedrock_profile_summary *p;
	bedrock_profile_iter *it;
	bedrock_error_info err;
	char seen[16] = "", *log;
	int rc;

	(void)state;
	harness_fake_set_state(&fake, pages);
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_profile_iter_new(&it, c, "APPLICATION"), 0);
	while ((rc = bedrock_profile_iter_next(&p, it, &err)) == 0) {
		strncat(seen, p->id, sizeof(seen) - strlen(seen) - 1);
		assert_string_equal(p->arn, "");
	}
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_string_equal(seen, "abc");
	bedrock_profile_iter_free(it);
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "type=APPLICATION"));
	assert_non_null(strstr(log, "nextToken=t%2F2%2B%3D"));
	free(log);

	/* A service that repeats its token is caught, not followed forever. */
	harness_fake_set_state(&fake, "{\"canned\":{\"GET /inference-profiles\":{"
			       "\"\":{\"body\":{\"inferenceProfileSummaries\":[],\"nextToken\":\"x\"}},"
			       "\"x\":{\"body\":{\"inferenceProfileSummaries\":[],\"nextToken\":\"x\"}}}}}");
	assert_int_equal(bedrock_profile_iter_new(&it, c, NULL), 0);
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), BEDROCK_EPROTOCOL);
	assert_non_null(strstr(err.message, "repeated"));
	bedrock_profile_iter_free(it);

	/* A page that is not JSON. */
	harness_fake_set_state(&fake, "{\"canned\":{\"GET /inference-profiles\":{\"\":{\"body\":\"<html>\"}}}}");
	assert_int_equal(bedrock_profile_iter_new(&it, c, NULL), 0);
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), BEDROCK_EPROTOCOL);
	bedrock_profile_iter_free(it);

	/* A failed page keeps what came before; asking again retries it. */
	harness_fake_set_state(&fake, "{\"canned\":{\"GET /inference-profiles\":{"
			       "\"\":{\"body\":{\"inferenceProfileSummaries\":[" PROFILE("a") "],\"nextToken\":\"t2\"}},"
			       "\"t2\":{\"status\":403,\"body\":{\"message\":\"denied\"}}}}}");
	assert_int_equal(bedrock_profile_iter_new(&it, c, NULL), 0);
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), 0);
	assert_string_equal(p->id, "a");
	assert_int_not_equal(bedrock_profile_iter_next(&p, it, &err), 0);
	assert_int_equal(err.http_status, 403);
	harness_fake_set_state(&fake, "{\"canned\":{\"GET /inference-profiles\":{"
			       "\"t2\":{\"body\":{\"inferenceProfileSummaries\":[" PROFILE("z") "]}}}}}");
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), 0);
	assert_string_equal(p->id, "z");
	assert_int_equal(bedrock_profile_iter_next(&p, it, &err), BEDROCK_ITEROVER);
	bedrock_profile_iter_free(it);
	assert_int_equal(bedrock_profile_iter_new(&it, NULL, NULL), BEDROCK_EINVAL);
	bedrock_client_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_control__models),
		cmocka_unit_test(test_control__profiles_from_the_emulator),
		cmocka_unit_test(test_control__logging),
		cmocka_unit_test(test_control__pages),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
