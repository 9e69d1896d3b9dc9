/* The model an upstream is called with: any platform's id or an alias,
 * through the catalog, to Bedrock's id for the upstream's region (a
 * profile of the region's geography or global; a client's own profile kept
 * when the region can call it; ARNs back to the model), Vertex's id (and a
 * refusal on global for regional-only models), the Anthropic API's id; the
 * configuration's models: map first; opaque ARNs on Bedrock only; and a
 * key's models: list matching every name of the same model. */
#include <string.h>

#include "harness.h"
#include "gw_translate.h"

#define SONNET45_BASE "anthropic.claude-sonnet-4-5-20250929-v1:0"
#define SONNET45_API "claude-sonnet-4-5-20250929"
#define SONNET45_VERTEX "claude-sonnet-4-5@20250929"
#define HAIKU3_BASE "anthropic.claude-3-haiku-20240307-v1:0"

static gw_upstream up(bedrock_platform p, const char *region)
{
	gw_upstream u;

	memset(&u, 0, sizeof(u));
	u.platform = p;
	u.region = (char *)region;
	return u;
}

static const char *to(const gw_config *cfg, bedrock_platform p, const char *region,
		      const char *model)
{
	static char out[256];
	char err[256];
	gw_upstream u = up(p, region);

	if (gw_model_for_upstream(out, sizeof(out), cfg, &u, model, err, sizeof(err)))
		fail_msg("%s on %s/%s: %s", model, bedrock_platform_name(p), region ? region : "",
			 err);
	assert_string_equal(err, "");
	return out;
}

static void refused(bedrock_platform p, const char *region, const char *model, const char *says)
{
	char out[256], err[256];
	gw_upstream u = up(p, region);

	assert_int_equal(gw_model_for_upstream(out, sizeof(out), NULL, &u, model, err, sizeof(err)),
			 -1);
	if (!strstr(err, says))
		fail_msg("\"%s\" does not say \"%s\"", err, says);
}

static void test_gw_model__bedrock(void **state)
{
	(void)state;
	/* Any name of Sonnet 4.5 becomes the id to call from the region. */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1", SONNET45_API),
			    "global." SONNET45_BASE);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1", SONNET45_VERTEX),
			    "global." SONNET45_BASE);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "eu-west-1", "sonnet-4.5"),
			    "global." SONNET45_BASE);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-west-2", SONNET45_BASE),
			    "global." SONNET45_BASE);
	/* A client's own profile is kept where it can be called... */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-west-2", "us." SONNET45_BASE),
			    "us." SONNET45_BASE);
	/* ...and replaced where it cannot (a us. profile from Frankfurt). */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "eu-central-1", "us." SONNET45_BASE),
			    "global." SONNET45_BASE);
	/* ARNs of another account map back to the model; a system profile's
	 * ARN keeps its geography where the region is in it (a us. profile
	 * keeps a request in the US, as the plain id does). */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1",
			       "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us."
			       SONNET45_BASE), "us." SONNET45_BASE);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "eu-central-1",
			       "arn:aws:bedrock:us-west-2:123456789012:inference-profile/us."
			       SONNET45_BASE), "global." SONNET45_BASE);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1",
			       "arn:aws:bedrock:us-east-1::foundation-model/" HAIKU3_BASE),
			    HAIKU3_BASE);
	/* An on-demand base id stays a base id. */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1", HAIKU3_BASE),
			    HAIKU3_BASE);
	/* A user's own resource is Bedrock's alone; unknown ids pass through. */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1",
			       "arn:aws:bedrock:us-east-1:123456789012:application-inference-"
			       "profile/abc123"),
			    "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/"
			    "abc123");
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_BEDROCK, "us-east-1", "anthropic.claude-next-v9:0"),
			    "anthropic.claude-next-v9:0");
	refused(BEDROCK_PLATFORM_BEDROCK, NULL, SONNET45_API, "no region");
}

static void test_gw_model__vertex_and_anthropic(void **state)
{
	(void)state;
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_VERTEX, "us-east5", "us." SONNET45_BASE),
			    SONNET45_VERTEX);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_VERTEX, "global", SONNET45_API),
			    SONNET45_VERTEX);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_VERTEX, "us-east5", SONNET45_VERTEX),
			    SONNET45_VERTEX);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_VERTEX, "us-east5", HAIKU3_BASE),
			    "claude-3-haiku@20240307");
	/* Regional-only models are not on global. */
	refused(BEDROCK_PLATFORM_VERTEX, "global", HAIKU3_BASE, "not served on vertex/global");
	refused(BEDROCK_PLATFORM_VERTEX, "us-east5",
		"arn:aws:bedrock:us-east-1:123456789012:provisioned-model/xyz", "models:");

	assert_string_equal(to(NULL, BEDROCK_PLATFORM_ANTHROPIC, NULL, "global." SONNET45_BASE),
			    SONNET45_API);
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_ANTHROPIC, NULL, SONNET45_VERTEX),
			    SONNET45_API);
	/* The API's undated alias is the API's own: kept. */
	assert_string_equal(to(NULL, BEDROCK_PLATFORM_ANTHROPIC, NULL, "claude-sonnet-4-5"),
			    "claude-sonnet-4-5");
	refused(BEDROCK_PLATFORM_ANTHROPIC, NULL, "", "no model");
}

static void test_gw_model__map_and_allowed(void **state)
{
	gw_model_map maps[] = {
		{ (char *)"sonnet-4.5", BEDROCK_PLATFORM_BEDROCK,
		  (char *)"arn:aws:bedrock:us-east-1:111122223333:application-inference-profile/app1" },
		{ (char *)"my-model", BEDROCK_PLATFORM_VERTEX, (char *)"claude-opus-4-6" },
	};
	gw_config cfg;
	char *models[] = { (char *)"sonnet-4.5", (char *)"claude-3-haiku@20240307" };
	char *all[] = { (char *)"*" };
	gw_key key;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	cfg.models = maps;
	cfg.model_count = 2;
	/* Every name of the mapped model takes the mapping, on its platform. */
	assert_string_equal(to(&cfg, BEDROCK_PLATFORM_BEDROCK, "us-east-1", SONNET45_API),
			    maps[0].to);
	assert_string_equal(to(&cfg, BEDROCK_PLATFORM_BEDROCK, "us-east-1", "sonnet-4.5"),
			    maps[0].to);
	assert_string_equal(to(&cfg, BEDROCK_PLATFORM_VERTEX, "us-east5", SONNET45_API),
			    SONNET45_VERTEX);
	assert_string_equal(to(&cfg, BEDROCK_PLATFORM_VERTEX, "us-east5", "my-model"),
			    "claude-opus-4-6");

	memset(&key, 0, sizeof(key));
	assert_true(gw_model_allowed(&key, SONNET45_API));
	key.models = models;
	key.model_count = 2;
	assert_true(gw_model_allowed(&key, "sonnet-4.5"));
	assert_true(gw_model_allowed(&key, "SONNET-4.5"));
	assert_true(gw_model_allowed(&key, SONNET45_API));
	assert_true(gw_model_allowed(&key, "global." SONNET45_BASE));
	assert_true(gw_model_allowed(&key, HAIKU3_BASE));
	assert_false(gw_model_allowed(&key, "claude-opus-4-6"));
	assert_false(gw_model_allowed(&key, "something-else"));
	assert_false(gw_model_allowed(&key, NULL));
	key.models = all;
	key.model_count = 1;
	assert_true(gw_model_allowed(&key, "anything"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_model__bedrock),
		cmocka_unit_test(test_gw_model__vertex_and_anthropic),
		cmocka_unit_test(test_gw_model__map_and_allowed),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
