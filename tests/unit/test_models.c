#include <stdio.h>
#include <string.h>

#include "harness.h"

#define G BEDROCK_PROFILE_GLOBAL
#define US BEDROCK_PROFILE_US
#define EU BEDROCK_PROFILE_EU
#define JP BEDROCK_PROFILE_JP
#define APAC BEDROCK_PROFILE_APAC

/* Typed in again from the seeds rather than read from the table, so that
 * a slip in either shows up. */
static const struct {
	const char *id;
	unsigned profiles;
	int on_demand;
	int legacy;
} seeds[] = {
	{ "anthropic.claude-opus-4-6-v1", G | US, 0, 0 },
	{ "anthropic.claude-opus-4-5-20251101-v1:0", G | US | EU, 0, 0 },
	{ "anthropic.claude-sonnet-4-5-20250929-v1:0", G | US | EU | JP, 0, 0 },
	{ "anthropic.claude-haiku-4-5-20251001-v1:0", G | US | EU, 0, 0 },
	{ "anthropic.claude-opus-4-1-20250805-v1:0", US, 0, 0 },
	{ "anthropic.claude-opus-4-20250514-v1:0", US, 0, 0 },
	{ "anthropic.claude-sonnet-4-20250514-v1:0", G | US | EU | APAC, 0, 0 },
	{ "anthropic.claude-3-7-sonnet-20250219-v1:0", US | EU | APAC, 0, 1 },
	{ "anthropic.claude-3-5-haiku-20241022-v1:0", US, 1, 1 },
	{ "anthropic.claude-3-5-sonnet-20241022-v2:0", 0, 1, 1 },
	{ "anthropic.claude-3-opus-20240229-v1:0", US, 1, 1 },
	{ "anthropic.claude-3-sonnet-20240229-v1:0", 0, 1, 0 },
	{ "anthropic.claude-3-haiku-20240307-v1:0", US | EU | APAC, 1, 0 },
};
#define NSEEDS (sizeof(seeds) / sizeof(seeds[0]))

static const bedrock_profile_geo geos[] = { G, US, EU, JP, APAC };
static const char *const geo_names[] = { "global", "us", "eu", "jp", "apac" };

#define ON_DEMAND_SONNET_45 \
	"Invocation of model ID anthropic.claude-sonnet-4-5-20250929-v1:0 with on-demand " \
	"throughput isn\xE2\x80\x99t supported. Retry your request with the ID or ARN of an " \
	"inference profile that contains this model."

static const bedrock_model_info *by_alias(const char *alias)
{
	bedrock_model_ref ref;

	assert_int_equal(bedrock_model_resolve(&ref, alias), 0);
	return ref.model;
}

static void assert_not_found(const char *id)
{
	bedrock_model_ref ref;

	memset(&ref, 0x5a, sizeof(ref));
	if (bedrock_model_resolve(&ref, id) != BEDROCK_ENOTFOUND)
		fail_msg("resolved, but should not have: \"%s\"", id);
	/* A failure leaves nothing half-filled behind. */
	assert_null(ref.model);
	assert_int_equal(ref.geo, 0);
	assert_string_equal(ref.region, "");
}

static void test_models__table_is_consistent(void **state)
{
	size_t i, j, n = bedrock_models_count();

	(void)state;
	assert_int_equal(n, NSEEDS);
	assert_null(bedrock_models_at(n));
	for (i = 0; i < n; i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		assert_non_null(m);
		assert_true(strncmp(m->id, "anthropic.claude-", 17) == 0);
		assert_true(m->name[0] != '\0' && strncmp(m->name, "Claude ", 7) == 0);
		assert_true(m->alias[0] != '\0');
		assert_true(strcmp(m->family, "sonnet") == 0 || strcmp(m->family, "opus") == 0 ||
			    strcmp(m->family, "haiku") == 0);
		/* An alias must not shadow a family name, or "sonnet" would mean two things. */
		assert_true(strchr(m->alias, '-') != NULL);
		assert_int_equal(m->profiles & ~31u, 0);
		assert_int_equal(m->legacy, m->legacy_since != NULL);
		assert_true(m->max_output_tokens >= 4096);
		assert_int_equal(m->context_tokens, 200000);
		assert_true(m->modalities & BEDROCK_MODALITY_TEXT);
		/* Without on-demand a model must be reachable through some profile. */
		assert_true(m->on_demand || m->profiles != 0);
		assert_true(strlen(m->id) + sizeof("global.") <= BEDROCK_MODEL_ID_MAX);
		for (j = 0; j < i; j++) {
			assert_string_not_equal(m->id, bedrock_models_at(j)->id);
			assert_string_not_equal(m->alias, bedrock_models_at(j)->alias);
			assert_string_not_equal(m->name, bedrock_models_at(j)->name);
		}
	}
}

static void test_models__every_seed_id_resolves(void **state)
{
	bedrock_model_ref ref;
	size_t i;

	(void)state;
	for (i = 0; i < NSEEDS; i++) {
		assert_int_equal(bedrock_model_resolve(&ref, seeds[i].id), 0);
		assert_non_null(ref.model);
		assert_string_equal(ref.model->id, seeds[i].id);
		assert_int_equal(ref.kind, BEDROCK_MODEL_REF_BASE);
		assert_int_equal(ref.geo, 0);
		assert_string_equal(ref.partition, "");
		assert_int_equal(ref.model->profiles, seeds[i].profiles);
		assert_int_equal(ref.model->on_demand, seeds[i].on_demand);
		assert_int_equal(ref.model->legacy, seeds[i].legacy);
	}
}

static void test_models__listed_profiles_resolve_and_others_do_not(void **state)
{
	char id[256];
	bedrock_model_ref ref;
	size_t i, g;
	int rc;

	(void)state;
	for (i = 0; i < NSEEDS; i++) {
		for (g = 0; g < 5; g++) {
			snprintf(id, sizeof(id), "%s.%s", geo_names[g], seeds[i].id);
			rc = bedrock_model_resolve(&ref, id);
			if (seeds[i].profiles & (unsigned)geos[g]) {
				if (rc != 0)
					fail_msg("listed profile does not resolve: %s", id);
				assert_string_equal(ref.model->id, seeds[i].id);
				assert_int_equal(ref.kind, BEDROCK_MODEL_REF_PROFILE);
				assert_int_equal(ref.geo, geos[g]);
			} else {
				assert_not_found(id);
			}
		}
		/* Geographies the seeds never use for Claude. */
		snprintf(id, sizeof(id), "au.%s", seeds[i].id);
		assert_not_found(id);
		snprintf(id, sizeof(id), "us-gov.%s", seeds[i].id);
		assert_not_found(id);
	}
}

static void test_models__opus_4_6_has_no_date_and_no_version_suffix(void **state)
{
	bedrock_model_ref ref;

	(void)state;
	assert_int_equal(bedrock_model_resolve(&ref, "global.anthropic.claude-opus-4-6-v1"), 0);
	assert_string_equal(ref.model->name, "Claude Opus 4.6");
	assert_int_equal(ref.geo, G);
	assert_int_equal(bedrock_model_resolve(&ref, "us.anthropic.claude-opus-4-6-v1"), 0);
	assert_true(ref.model->features & BEDROCK_MODEL_FEATURE_CONTEXT_1M);
	assert_not_found("anthropic.claude-opus-4-6-v1:0");
	assert_not_found("global.anthropic.claude-opus-4-6-v1:0");
	assert_not_found("anthropic.claude-opus-4-6-20260205-v1:0");
	assert_not_found("eu.anthropic.claude-opus-4-6-v1");
}

static void test_models__foundation_model_arns(void **state)
{
	bedrock_model_ref ref;

	(void)state;
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"), 0);
	assert_int_equal(ref.kind, BEDROCK_MODEL_REF_FOUNDATION_ARN);
	assert_string_equal(ref.model->id, "anthropic.claude-3-haiku-20240307-v1:0");
	assert_string_equal(ref.partition, "aws");
	assert_string_equal(ref.region, "us-east-1");
	assert_string_equal(ref.account, "");
	assert_string_equal(ref.resource_type, "foundation-model");
	assert_int_equal(ref.geo, 0);
	assert_null(ref.resource_id);

	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws-cn:bedrock:cn-north-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0"), 0);
	assert_string_equal(ref.partition, "aws-cn");
	assert_string_equal(ref.region, "cn-north-1");
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws-us-gov:bedrock:us-gov-west-1::foundation-model/anthropic.claude-sonnet-4-5-20250929-v1:0"), 0);
	assert_string_equal(ref.partition, "aws-us-gov");
	assert_string_equal(ref.region, "us-gov-west-1");
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws:bedrock:ap-southeast-2::foundation-model/anthropic.claude-opus-4-6-v1"), 0);

	/* A foundation model has no account, and is named by base id only. */
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model/us.anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model/");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model");
	/* Partition and region must agree and be real shapes. */
	assert_not_found("arn:aws:bedrock:cn-north-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws-cn:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:us-gov-west-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws-us-gov:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws-iso:bedrock:us-iso-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:US-EAST-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:us-east::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:us--east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock:xx-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:bedrock-runtime:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("arn:aws:sagemaker:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("ARN:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0");
}

static void test_models__inference_profile_arns(void **state)
{
	bedrock_model_ref ref;

	(void)state;
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws:bedrock:us-east-1:123456789012:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0"), 0);
	assert_int_equal(ref.kind, BEDROCK_MODEL_REF_PROFILE_ARN);
	assert_int_equal(ref.geo, US);
	assert_string_equal(ref.model->alias, "sonnet-4.5");
	assert_string_equal(ref.account, "123456789012");
	assert_string_equal(ref.region, "us-east-1");
	assert_string_equal(ref.resource_type, "inference-profile");
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws:bedrock:eu-west-1:000000000000:inference-profile/global.anthropic.claude-opus-4-6-v1"), 0);
	assert_int_equal(ref.geo, G);
	assert_int_equal(bedrock_model_resolve(&ref,
		"arn:aws:bedrock:ap-northeast-1:123456789012:inference-profile/jp.anthropic.claude-sonnet-4-5-20250929-v1:0"), 0);
	assert_int_equal(ref.geo, JP);

	assert_not_found("arn:aws:bedrock:us-east-1::inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:12345678901:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:1234567890123:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:12345678901x:inference-profile/us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:inference-profile/anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:inference-profile/apac.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:inference-profile/jp.anthropic.claude-haiku-4-5-20251001-v1:0");
}

static void test_models__user_resource_arns_are_opaque(void **state)
{
	static const char *const arns[] = {
		"arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a1b2c3d4e5f6",
		"arn:aws:bedrock:us-west-2:123456789012:provisioned-model/abcdefghij12",
		"arn:aws:bedrock:us-east-1:123456789012:custom-model-deployment/x1y2z3",
		"arn:aws:bedrock:us-east-1:123456789012:imported-model/m0d3l",
		"arn:aws:bedrock:us-east-1:123456789012:prompt/PROMPT12345:1",
		"arn:aws:bedrock:us-east-1:123456789012:default-prompt-router/anthropic.claude:1",
		"arn:aws-cn:bedrock:cn-northwest-1:123456789012:prompt-router/r1",
	};
	char msg[BEDROCK_MODEL_MESSAGE_MAX];
	bedrock_model_ref ref;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(arns) / sizeof(arns[0]); i++) {
		if (bedrock_model_resolve(&ref, arns[i]) != 0)
			fail_msg("opaque ARN rejected: %s", arns[i]);
		assert_int_equal(ref.kind, BEDROCK_MODEL_REF_OPAQUE_ARN);
		assert_null(ref.model);
		assert_non_null(ref.resource_id);
		assert_string_equal(ref.resource_id, strchr(arns[i], '/') + 1);
		assert_true(ref.resource_id > arns[i] && ref.resource_id < arns[i] + strlen(arns[i]));
		/* The catalog cannot vouch for it. */
		assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), BEDROCK_ENOTFOUND);
		assert_string_equal(msg, "The provided model identifier is invalid.");
	}
	assert_int_equal(bedrock_model_resolve(&ref, arns[0]), 0);
	assert_string_equal(ref.resource_type, "application-inference-profile");
	assert_string_equal(ref.account, "123456789012");

	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/");
	assert_not_found("arn:aws:bedrock:us-east-1::application-inference-profile/a1b2c3d4e5f6");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/a b");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:guardrail/abc");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:knowledge-base/abc");
	assert_not_found("arn:aws:bedrock:us-east-1:123456789012:provisioned-model");
}

static void test_models__aliases_are_unique_and_resolve(void **state)
{
	bedrock_model_ref ref;
	size_t i;

	(void)state;
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		assert_int_equal(bedrock_model_resolve(&ref, m->alias), 0);
		assert_ptr_equal(ref.model, m);
		assert_int_equal(ref.kind, BEDROCK_MODEL_REF_ALIAS);
	}
	assert_string_equal(by_alias("sonnet-4.5")->id, "anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_string_equal(by_alias("OPUS-4.6")->id, "anthropic.claude-opus-4-6-v1");
	assert_string_equal(by_alias("haiku-3")->id, "anthropic.claude-3-haiku-20240307-v1:0");
	/* A bare family is its newest model still ACTIVE. */
	assert_string_equal(by_alias("sonnet")->alias, "sonnet-4.5");
	assert_string_equal(by_alias("opus")->alias, "opus-4.6");
	assert_string_equal(by_alias("Haiku")->alias, "haiku-4.5");
	assert_not_found("sonnet-5");
	assert_not_found("us.sonnet-4.5");
	assert_not_found("sonnet-4.5 ");
	assert_not_found("claude");
}

static void test_models__on_demand_rule(void **state)
{
	char msg[BEDROCK_MODEL_MESSAGE_MAX];
	char id[256];
	bedrock_model_ref ref;
	size_t i;

	(void)state;
	for (i = 0; i < NSEEDS; i++) {
		assert_int_equal(bedrock_model_resolve(&ref, seeds[i].id), 0);
		if (seeds[i].on_demand) {
			assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), 0);
			assert_string_equal(msg, "");
		} else {
			char want[BEDROCK_MODEL_MESSAGE_MAX];

			assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), BEDROCK_EINVAL);
			assert_int_equal(bedrock_model_on_demand_message(want, sizeof(want), seeds[i].id), 0);
			assert_string_equal(msg, want);
			assert_non_null(strstr(msg, seeds[i].id));
			/* The same through a foundation-model ARN and an alias. */
			snprintf(id, sizeof(id), "arn:aws:bedrock:us-west-2::foundation-model/%s", seeds[i].id);
			assert_int_equal(bedrock_model_resolve(&ref, id), 0);
			assert_int_equal(bedrock_model_check_invocable(NULL, 0, &ref), BEDROCK_EINVAL);
			assert_int_equal(bedrock_model_resolve(&ref, ref.model->alias), 0);
			assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), BEDROCK_EINVAL);
			assert_string_equal(msg, want);
		}
	}
	/* Every listed profile, by id or ARN, is invocable. */
	for (i = 0; i < bedrock_profiles_count(); i++) {
		bedrock_inference_profile p;

		assert_int_equal(bedrock_profiles_at(&p, i), 0);
		assert_int_equal(bedrock_model_resolve(&ref, p.id), 0);
		assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), 0);
		snprintf(id, sizeof(id), "arn:aws:bedrock:us-east-1:123456789012:inference-profile/%s", p.id);
		assert_int_equal(bedrock_model_resolve(&ref, id), 0);
		assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), 0);
	}
	assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), NULL), BEDROCK_ENOTFOUND);
}

static void test_models__exact_error_texts(void **state)
{
	char msg[BEDROCK_MODEL_MESSAGE_MAX];
	bedrock_model_ref ref;
	const char *want = ON_DEMAND_SONNET_45;

	(void)state;
	assert_string_equal(bedrock_model_invalid_id_message(), "The provided model identifier is invalid.");
	assert_string_equal(BEDROCK_MODEL_ERROR_CODE, "ValidationException");
	assert_int_equal(bedrock_model_resolve(&ref, "anthropic.claude-sonnet-4-5-20250929-v1:0"), 0);
	assert_int_equal(bedrock_model_check_invocable(msg, sizeof(msg), &ref), BEDROCK_EINVAL);
	assert_bytes_equal(msg, strlen(msg), want, strlen(want));
	/* The apostrophe is U+2019, not ASCII. */
	assert_non_null(strstr(msg, "isn\xE2\x80\x99t"));
	assert_null(strchr(msg, '\''));

	/* Truncation is reported and still terminated. */
	assert_int_equal(bedrock_model_on_demand_message(msg, 20, "anthropic.claude-x"), BEDROCK_ELIMIT);
	assert_int_equal(strlen(msg), 19);
	assert_int_equal(bedrock_model_check_invocable(msg, 8, &ref), BEDROCK_EINVAL);
	assert_string_equal(msg, "Invocat");
	assert_int_equal(bedrock_model_on_demand_message(NULL, 10, "x"), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_on_demand_message(msg, 0, "x"), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_on_demand_message(msg, sizeof(msg), NULL), BEDROCK_EINVAL);
}

static void test_models__garbage_is_not_found(void **state)
{
	static const char with_nul[] = "anthropic.claude-3-haiku-20240307-v1:0\0junk";
	char big[3000];
	bedrock_model_ref ref;

	(void)state;
	assert_int_equal(bedrock_model_resolve(NULL, "anthropic.claude-3-haiku-20240307-v1:0"), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_resolve(&ref, NULL), BEDROCK_EINVAL);
	assert_not_found("");
	assert_not_found(" ");
	assert_not_found("anthropic.claude-3-haiku-20240307-v1%3A0");
	assert_not_found("us.anthropic.claude-3-haiku-20240307-v1%3a0");
	assert_not_found("arn%3Aaws%3Abedrock%3Aus-east-1%3A%3Afoundation-model%2Fanthropic.claude-3-haiku-20240307-v1%3A0");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model%2Fanthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found(" anthropic.claude-3-haiku-20240307-v1:0");
	assert_not_found("anthropic.claude-3-haiku-20240307-v1:0 ");
	assert_not_found("anthropic.claude-3-haiku-20240307-v1:0\n");
	assert_not_found("ANTHROPIC.CLAUDE-3-HAIKU-20240307-V1:0");
	assert_not_found("anthropic.claude-3-haiku-20240307-v1:");
	assert_not_found("anthropic.claude-3-haiku");
	assert_not_found("anthropic.");
	assert_not_found("us.");
	assert_not_found("us");
	assert_not_found(".");
	assert_not_found("global.us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("US.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_not_found("arn:");
	assert_not_found("arn:aws");
	assert_not_found("arn:aws:bedrock:us-east-1:");
	assert_not_found("arn:aws:bedrock:us-east-1::");
	assert_not_found("arn:::::");
	assert_not_found("arn:aws:bedrock:us-east-1::foundation-model/anthropic.claude-3-haiku-20240307-v1:0/invoke");
	assert_not_found("anthropic.claude-v2:1");
	assert_not_found("anthropic.claude-instant-v1");
	assert_not_found("amazon.titan-text-express-v1");

	/* A C string ends at its first NUL: what follows is never seen. */
	assert_int_equal(bedrock_model_resolve(&ref, with_nul), 0);
	assert_string_equal(ref.model->alias, "haiku-3");

	/* Longer than Bedrock's 2048 limit, and just inside it. */
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	assert_not_found(big);
	big[2048] = '\0';
	assert_not_found(big);
	snprintf(big, sizeof(big), "arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/");
	memset(big + strlen(big), 'x', 2048 - strlen(big));
	big[2048] = '\0';
	assert_int_equal(bedrock_model_resolve(&ref, big), 0);
	big[2048] = 'x';
	big[2049] = '\0';
	assert_not_found(big);
}

static void test_models__profile_ids(void **state)
{
	char buf[BEDROCK_MODEL_ID_MAX];
	const bedrock_model_info *s45 = by_alias("sonnet-4.5");

	(void)state;
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), s45, G), 0);
	assert_string_equal(buf, "global.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), s45, JP), 0);
	assert_string_equal(buf, "jp.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), s45, APAC), BEDROCK_ENOTFOUND);
	assert_string_equal(buf, "");
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), s45, (bedrock_profile_geo)0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), s45, (bedrock_profile_geo)(G | US)), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_profile_id(buf, sizeof(buf), NULL, G), BEDROCK_EINVAL);
	assert_int_equal(bedrock_model_profile_id(NULL, 10, s45, G), BEDROCK_EINVAL);
	/* Exactly enough room, and one byte short. */
	assert_int_equal(bedrock_model_profile_id(buf, 49, s45, G), 0);
	assert_int_equal(bedrock_model_profile_id(buf, 48, s45, G), BEDROCK_ELIMIT);
	assert_string_equal(buf, "");
	assert_int_equal(bedrock_model_profile_id(buf, 0, s45, G), BEDROCK_ELIMIT);

	assert_int_equal(bedrock_model_default_geo(s45), G);
	assert_int_equal(bedrock_model_default_geo(by_alias("opus-4.1")), US);
	assert_int_equal(bedrock_model_default_geo(by_alias("sonnet-3.5")), 0);
	assert_int_equal(bedrock_model_default_geo(NULL), 0);

	assert_string_equal(bedrock_profile_geo_prefix(APAC), "apac");
	assert_null(bedrock_profile_geo_prefix((bedrock_profile_geo)32));
}

static void test_models__profile_list(void **state)
{
	bedrock_inference_profile p, q;
	bedrock_model_ref ref;
	size_t i, j, n = bedrock_profiles_count(), want = 0;

	(void)state;
	for (i = 0; i < NSEEDS; i++)
		for (j = 0; j < 5; j++)
			want += (seeds[i].profiles & (unsigned)geos[j]) != 0;
	assert_int_equal(n, want);
	for (i = 0; i < n; i++) {
		const char *const *r;

		assert_int_equal(bedrock_profiles_at(&p, i), 0);
		assert_int_equal(bedrock_model_resolve(&ref, p.id), 0);
		assert_ptr_equal(ref.model, p.model);
		assert_int_equal(ref.geo, p.geo);
		assert_true(strstr(p.name, " Anthropic Claude ") != NULL);
		assert_true(strstr(p.name, p.model->name) != NULL);
		assert_ptr_equal(p.regions, bedrock_profile_geo_regions(p.geo));
		for (r = p.regions; *r; r++)
			assert_true(strlen(*r) > 4);
		assert_true(r > p.regions);
		for (j = 0; j < i; j++) {
			assert_int_equal(bedrock_profiles_at(&q, j), 0);
			assert_string_not_equal(p.id, q.id);
			assert_string_not_equal(p.name, q.name);
		}
	}
	assert_int_equal(bedrock_profiles_at(&p, n), BEDROCK_ITEROVER);
	assert_int_equal(bedrock_profiles_at(&p, (size_t)-1), BEDROCK_ITEROVER);
	assert_int_equal(bedrock_profiles_at(NULL, 0), BEDROCK_EINVAL);

	/* The first model's first profile. */
	assert_int_equal(bedrock_profiles_at(&p, 0), 0);
	assert_string_equal(p.id, "global.anthropic.claude-opus-4-6-v1");
	assert_string_equal(p.name, "Global Anthropic Claude Opus 4.6");
	for (i = 0; i < n; i++) {
		assert_int_equal(bedrock_profiles_at(&p, i), 0);
		if (strcmp(p.id, "us.anthropic.claude-sonnet-4-5-20250929-v1:0") == 0)
			break;
	}
	assert_true(i < n);
	assert_string_equal(p.name, "US Anthropic Claude Sonnet 4.5");
	assert_string_equal(p.regions[0], "us-east-1");
	assert_null(bedrock_profile_geo_regions((bedrock_profile_geo)64));
}

static void test_models__lifecycle_and_features(void **state)
{
	(void)state;
	assert_string_equal(by_alias("sonnet-3.7")->legacy_since, "2025-10-28");
	assert_string_equal(by_alias("haiku-3.5")->legacy_since, "2025-12-19");
	assert_string_equal(by_alias("sonnet-3.5")->legacy_since, "2025-08-13");
	assert_string_equal(by_alias("opus-3")->legacy_since, "2025-06-30");
	assert_false(by_alias("haiku-3")->legacy);
	assert_true(by_alias("sonnet-4")->features & BEDROCK_MODEL_FEATURE_CONTEXT_1M);
	assert_true(by_alias("sonnet-4.5")->features & BEDROCK_MODEL_FEATURE_CONTEXT_1M);
	assert_false(by_alias("haiku-4.5")->features & BEDROCK_MODEL_FEATURE_CONTEXT_1M);
	assert_int_equal(by_alias("opus-4.6")->max_output_tokens, 128000);
	/* Adaptive thinking: Opus 4.6 only; Opus 4.5 and Sonnet 4.5 budget it. */
	assert_true(by_alias("opus-4.6")->features & BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING);
	assert_false(by_alias("opus-4.5")->features & BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING);
	assert_false(by_alias("sonnet-4.5")->features & BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING);
	/* Extended thinking: Sonnet 3.7 and every Claude 4; no Claude 3 or 3.5. */
	assert_true(by_alias("sonnet-3.7")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_true(by_alias("haiku-4.5")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_true(by_alias("opus-4.6")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_false(by_alias("haiku-3")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_false(by_alias("haiku-3.5")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_false(by_alias("sonnet-3.5")->features & BEDROCK_MODEL_FEATURE_THINKING);
	assert_string_equal(by_alias("sonnet-3")->name, "Claude 3 Sonnet");
}

/* The id the CLI calls a model with from a region. */
static void test_models__id_for_region(void **state)
{
	const bedrock_model_info *sonnet45 = NULL, *opus41 = NULL, *haiku3 = NULL, *sonnet3 = NULL;
	char id[BEDROCK_MODEL_ID_MAX];
	size_t i;

	(void)state;
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		if (!strcmp(m->alias, "sonnet-4.5"))
			sonnet45 = m;
		else if (!strcmp(m->alias, "opus-4.1"))
			opus41 = m;
		else if (!strcmp(m->alias, "haiku-3"))
			haiku3 = m;
		else if (!strcmp(m->alias, "sonnet-3"))
			sonnet3 = m;
	}
	assert_non_null(sonnet45);
	assert_int_equal(bedrock_region_profile_geos("us-east-1"),
			 BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_US);
	assert_int_equal(bedrock_region_profile_geos("ap-northeast-1"),
			 BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_JP | BEDROCK_PROFILE_APAC);
	assert_int_equal(bedrock_region_profile_geos("mars-north-1"), 0);
	assert_int_equal(bedrock_region_profile_geos(NULL), 0);

	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), sonnet45, "eu-west-1"), 0);
	assert_string_equal(id, "global.anthropic.claude-sonnet-4-5-20250929-v1:0");
	/* No global profile: the region's own geography. */
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), opus41, "us-west-2"), 0);
	assert_string_equal(id, "us.anthropic.claude-opus-4-1-20250805-v1:0");
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), opus41, "eu-west-1"),
			 BEDROCK_ENOTFOUND);
	assert_string_equal(id, "");
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), haiku3, "ap-south-1"), 0);
	assert_string_equal(id, "apac.anthropic.claude-3-haiku-20240307-v1:0");
	/* On demand where no profile serves the region. */
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), haiku3, "ca-central-1"), 0);
	assert_string_equal(id, "anthropic.claude-3-haiku-20240307-v1:0");
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), sonnet3, "us-east-1"), 0);
	assert_string_equal(id, "anthropic.claude-3-sonnet-20240229-v1:0");
	assert_int_equal(bedrock_model_id_for_region(id, 10, sonnet45, "us-east-1"), BEDROCK_ELIMIT);
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), NULL, "us-east-1"), BEDROCK_EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_models__table_is_consistent),
		cmocka_unit_test(test_models__every_seed_id_resolves),
		cmocka_unit_test(test_models__listed_profiles_resolve_and_others_do_not),
		cmocka_unit_test(test_models__opus_4_6_has_no_date_and_no_version_suffix),
		cmocka_unit_test(test_models__foundation_model_arns),
		cmocka_unit_test(test_models__inference_profile_arns),
		cmocka_unit_test(test_models__user_resource_arns_are_opaque),
		cmocka_unit_test(test_models__aliases_are_unique_and_resolve),
		cmocka_unit_test(test_models__on_demand_rule),
		cmocka_unit_test(test_models__exact_error_texts),
		cmocka_unit_test(test_models__garbage_is_not_found),
		cmocka_unit_test(test_models__profile_ids),
		cmocka_unit_test(test_models__profile_list),
		cmocka_unit_test(test_models__lifecycle_and_features),
		cmocka_unit_test(test_models__id_for_region),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
