/* The models file: the catalog extended, overridden and reloaded at run
 * time, and every way a file can be wrong. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "harness.h"

#define BUILTIN_COUNT 13
#define SONNET_45 "anthropic.claude-sonnet-4-5-20250929-v1:0"
#define SONNET_5 "anthropic.claude-sonnet-5-20261101-v1:0"

/* The brief's example entry, whole. */
#define SONNET_5_ENTRY \
	"{\"id\":\"" SONNET_5 "\",\"name\":\"Claude Sonnet 5\",\"alias\":\"sonnet-5\"," \
	"\"family\":\"sonnet\",\"profiles\":[\"global\",\"us\",\"eu\"],\"on_demand\":false," \
	"\"legacy_since\":null,\"max_output_tokens\":64000,\"context_tokens\":200000," \
	"\"modalities\":[\"text\",\"image\",\"pdf\"],\"features\":[\"1m\",\"adaptive-thinking\"]," \
	"\"anthropic_id\":\"claude-sonnet-5-20261101\",\"vertex_id\":\"claude-sonnet-5@20261101\"}"

static char dir[64], path[128];

static const char *write_file(const char *name, const char *text, size_t len)
{
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, len, f), len);
	assert_int_equal(fclose(f), 0);
	return path;
}

static const char *write_text(const char *name, const char *text)
{
	return write_file(name, text, strlen(text));
}

static int setup(void **state)
{
	return harness_setup(state);
}

static int teardown(void **state)
{
	bedrock_models_unload();
	return harness_teardown(state);
}

static const bedrock_model_info *resolve(const char *id)
{
	bedrock_model_ref ref;

	if (bedrock_model_resolve(&ref, id) != 0)
		return NULL;
	return ref.model;
}

/* Must run first: the catalog reads the default location once, on its
 * first use in the process. A bad file there never fails a lookup. */
static void test_models_file__auto_load_of_a_bad_file_keeps_the_builtins(void **state)
{
	bedrock_error_info err;
	const char *bad = write_text("auto.json", "{\"models\":[{\"id\":\"" SONNET_5 "\"}]}");

	(void)state;
	setenv(BEDROCK_MODELS_FILE_ENV, bad, 1);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
	assert_non_null(resolve("sonnet"));
	assert_string_equal(resolve("sonnet")->source, "built-in");
	assert_int_equal(bedrock_models_load_error(&err), BEDROCK_ECONFIG);
	assert_int_equal(err.code, BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, bad));
	assert_non_null(strstr(err.message, "models[0]: \"name\" is required"));
	unsetenv(BEDROCK_MODELS_FILE_ENV);
}

static void test_models_file__a_new_model(void **state)
{
	const char *f = write_text("good.json", "{\"models\":[" SONNET_5_ENTRY "]}");
	const bedrock_model_info *m;
	bedrock_model_ref ref;
	bedrock_platform platform;
	char id[BEDROCK_MODEL_ID_MAX];

	(void)state;
	assert_int_equal(bedrock_models_load(f, NULL), 0);
	assert_int_equal(bedrock_models_load_error(NULL), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT + 1);
	/* New models come first: they are the newest. */
	m = bedrock_models_at(0);
	assert_string_equal(m->id, SONNET_5);
	assert_string_equal(m->name, "Claude Sonnet 5");
	assert_string_equal(m->alias, "sonnet-5");
	assert_string_equal(m->family, "sonnet");
	assert_string_equal(m->source, f);
	assert_int_equal(m->profiles, BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_US | BEDROCK_PROFILE_EU);
	assert_int_equal(m->on_demand, 0);
	assert_int_equal(m->legacy, 0);
	assert_null(m->legacy_since);
	assert_int_equal(m->max_output_tokens, 64000);
	assert_int_equal(m->context_tokens, 200000);
	assert_int_equal(m->modalities, BEDROCK_MODALITY_TEXT | BEDROCK_MODALITY_IMAGE | BEDROCK_MODALITY_PDF);
	/* adaptive-thinking implies thinking. */
	assert_int_equal(m->features, BEDROCK_MODEL_FEATURE_CONTEXT_1M |
			 BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING | BEDROCK_MODEL_FEATURE_THINKING);
	assert_string_equal(bedrock_models_at(1)->id, "anthropic.claude-opus-4-6-v1");
	assert_string_equal(bedrock_models_at(1)->source, "built-in");
	assert_null(bedrock_models_at(BUILTIN_COUNT + 1));

	/* Every form of its id resolves; aliases and the family find it. */
	assert_ptr_equal(resolve(SONNET_5), m);
	assert_ptr_equal(resolve("sonnet-5"), m);
	assert_ptr_equal(resolve("SONNET-5"), m);
	assert_ptr_equal(resolve("sonnet"), m);
	assert_ptr_equal(resolve("global." SONNET_5), m);
	assert_ptr_equal(resolve("eu." SONNET_5), m);
	assert_null(resolve("jp." SONNET_5));
	assert_int_equal(bedrock_model_resolve(&ref, "arn:aws:bedrock:us-east-1:123456789012:"
					       "inference-profile/us." SONNET_5), 0);
	assert_ptr_equal(ref.model, m);
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), m, "eu-west-1"), 0);
	assert_string_equal(id, "global." SONNET_5);
	/* Profile-only, as it says. */
	assert_int_equal(bedrock_model_resolve(&ref, SONNET_5), 0);
	assert_int_equal(bedrock_model_check_invocable(NULL, 0, &ref), BEDROCK_EINVAL);

	/* The other platforms' ids, explicit here. */
	assert_int_equal(bedrock_model_platform_id(id, sizeof(id), m, BEDROCK_PLATFORM_ANTHROPIC), 0);
	assert_string_equal(id, "claude-sonnet-5-20261101");
	assert_int_equal(bedrock_model_platform_id(id, sizeof(id), m, BEDROCK_PLATFORM_VERTEX), 0);
	assert_string_equal(id, "claude-sonnet-5@20261101");
	assert_ptr_equal(bedrock_model_find_platform_id(&platform, "claude-sonnet-5-20261101"), m);
	assert_int_equal(platform, BEDROCK_PLATFORM_ANTHROPIC);
	assert_ptr_equal(bedrock_model_find_platform_id(&platform, "claude-sonnet-5"), m);
	assert_ptr_equal(bedrock_model_find_platform_id(&platform, "claude-sonnet-5@20261101"), m);
	assert_int_equal(platform, BEDROCK_PLATFORM_VERTEX);

	/* Three more system profiles, listed first. */
	{
		bedrock_inference_profile p;

		assert_int_equal(bedrock_profiles_at(&p, 0), 0);
		assert_ptr_equal(p.model, m);
		assert_string_equal(p.id, "global." SONNET_5);
		assert_string_equal(p.name, "Global Anthropic Claude Sonnet 5");
		assert_int_equal(bedrock_profiles_at(&p, 2), 0);
		assert_string_equal(p.id, "eu." SONNET_5);
	}
}

static void test_models_file__defaults_and_derived_ids(void **state)
{
	const char *f = write_text("min.json",
				   "{\"models\":[{\"id\":\"anthropic.claude-opus-5-1-20270101-v1:0\","
				   "\"name\":\"Claude Opus 5.1\",\"family\":\"opus\"},"
				   "{\"id\":\"anthropic.claude-fable-1-v1\",\"name\":\"Claude Fable 1\","
				   "\"family\":\"fable\",\"on_demand\":true,\"profiles\":[]}]}");
	const bedrock_model_info *m, *fable;
	char id[64];

	(void)state;
	assert_int_equal(bedrock_models_load(f, NULL), 0);
	m = bedrock_models_at(0);
	fable = bedrock_models_at(1);
	/* The alias is derived in the built-in rows' style. */
	assert_string_equal(m->alias, "opus-5.1");
	assert_string_equal(fable->alias, "fable-1");
	assert_int_equal(m->profiles, BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_US);
	assert_int_equal(m->on_demand, 0);
	assert_int_equal(m->legacy, 0);
	assert_int_equal(m->max_output_tokens, 64000);
	assert_int_equal(m->context_tokens, 200000);
	assert_int_equal(m->modalities, BEDROCK_MODALITY_TEXT | BEDROCK_MODALITY_IMAGE);
	assert_int_equal(m->features, BEDROCK_MODEL_FEATURE_THINKING | BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL);
	assert_null(m->anthropic_id);
	assert_null(m->vertex_id);
	assert_int_equal(bedrock_model_platform_id(id, sizeof(id), m, BEDROCK_PLATFORM_ANTHROPIC), 0);
	assert_string_equal(id, "claude-opus-5-1-20270101");
	assert_int_equal(bedrock_model_platform_id(id, sizeof(id), m, BEDROCK_PLATFORM_VERTEX), 0);
	assert_string_equal(id, "claude-opus-5-1@20270101");
	assert_ptr_equal(resolve("opus"), m);
	/* A new family resolves too; on demand with no profile, by base id. */
	assert_ptr_equal(resolve("fable"), fable);
	assert_int_equal(fable->profiles, 0);
	assert_int_equal(bedrock_model_default_geo(fable), 0);
	assert_int_equal(bedrock_model_id_for_region(id, sizeof(id), fable, "us-east-1"), 0);
	assert_string_equal(id, "anthropic.claude-fable-1-v1");
}

static void test_models_file__override_keeps_its_place(void **state)
{
	const char *f = write_text("over.json",
				   "{\"models\":[{\"id\":\"" SONNET_45 "\",\"legacy_since\":\"2026-09-01\","
				   "\"max_output_tokens\":32000}]}");
	const bedrock_model_info *m;

	(void)state;
	assert_int_equal(bedrock_models_load(f, NULL), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
	m = bedrock_models_at(2);
	assert_string_equal(m->id, SONNET_45);
	assert_string_equal(m->source, f);
	/* Unspecified fields keep the built-in row's values. */
	assert_string_equal(m->name, "Claude Sonnet 4.5");
	assert_string_equal(m->alias, "sonnet-4.5");
	assert_int_equal(m->profiles, BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_US |
			 BEDROCK_PROFILE_EU | BEDROCK_PROFILE_JP);
	assert_int_equal(m->max_output_tokens, 32000);
	assert_int_equal(m->legacy, 1);
	assert_string_equal(m->legacy_since, "2026-09-01");
	assert_ptr_equal(resolve("sonnet-4.5"), m);
	assert_ptr_equal(resolve(SONNET_45), m);
	/* The family skips it now that it is legacy. */
	assert_string_equal(resolve("sonnet")->alias, "sonnet-4");
	assert_string_equal(bedrock_models_at(3)->source, "built-in");

	/* An override does not make an old model the newest of its family. */
	f = write_text("over2.json", "{\"models\":[{\"id\":\"anthropic.claude-3-7-sonnet-20250219-v1:0\","
			  "\"legacy_since\":null}]}");
	assert_int_equal(bedrock_models_load(f, NULL), 0);
	assert_string_equal(resolve("sonnet")->alias, "sonnet-4.5");
	assert_int_equal(resolve("sonnet-3.7")->legacy, 0);
	assert_string_equal(bedrock_models_at(7)->alias, "sonnet-3.7");
}

/* A legacy new model is listed first but is no family's newest. */
static void test_models_file__family_takes_the_newest_active(void **state)
{
	const char *f = write_text("fam.json",
				   "{\"models\":[{\"id\":\"anthropic.claude-haiku-5-v1\",\"name\":\"Claude Haiku 5\","
				   "\"family\":\"haiku\",\"legacy_since\":\"2027-01-01\"},"
				   "{\"id\":\"anthropic.claude-haiku-4-6-v1\",\"name\":\"Claude Haiku 4.6\","
				   "\"family\":\"haiku\"}]}");

	(void)state;
	assert_int_equal(bedrock_models_load(f, NULL), 0);
	assert_string_equal(resolve("haiku")->alias, "haiku-4.6");
	assert_string_equal(resolve("haiku-5")->alias, "haiku-5");
	assert_string_equal(resolve("opus")->alias, "opus-4.6");
}

static const struct {
	const char *json, *message;
} bad[] = {
	{ "[]", "wants a JSON object at the top" },
	{ "{}", "no \"models\" array" },
	{ "{\"models\":{}}", "models: wants an array" },
	{ "{\"models\":[],\"model\":[]}", "unknown field \"model\"" },
	{ "{\"models\":[],\"models\":[]}", "\"models\" is given twice" },
	{ "{\"models\":[1]}", "models[0]: wants an object" },
	{ "{\"models\":[{}]}", "models[0]: \"id\" is required" },
	{ "{\"models\":[{\"id\":7}]}", "models[0].id: wants a string" },
	{ "{\"models\":[{\"id\":\"us." SONNET_45 "\"}]}", "models[0].id: \"us.anthropic" },
	{ "{\"models\":[{\"id\":\"arn:aws:bedrock:x\"}]}", "is not a Bedrock base model id" },
	{ "{\"models\":[{\"id\":\"claude-sonnet-5\"}]}", "is not a Bedrock base model id" },
	{ "{\"models\":[{\"id\":\"anthropic.claude sonnet\"}]}", "is not a Bedrock base model id" },
	{ "{\"models\":[{\"id\":\"meta.llama4-v1:0\",\"name\":\"L\",\"family\":\"llama\"}]}",
	  "models[0].id: \"meta.llama4-v1:0\" is not a Claude model id" },
	{ "{\"models\":[{\"id\":\"anthropic.claude-next\",\"name\":\"N\",\"family\":\"next\","
	  "\"anthropic_id\":\"claude-next\"}]}",
	  "models[0]: the Vertex AI id does not follow from \"anthropic.claude-next\"" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\"},{\"id\":\"" SONNET_45 "\"}]}",
	  "models[1].id: \"" SONNET_45 "\" is already models[0]" },
	{ "{\"models\":[{\"id\":\"" SONNET_5 "\",\"family\":\"sonnet\"}]}",
	  "models[0]: \"name\" is required for a model the built-in catalog does not have" },
	{ "{\"models\":[{\"id\":\"" SONNET_5 "\",\"name\":\"S5\"}]}", "models[0]: \"family\" is required" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"nmae\":\"x\"}]}", "models[0]: unknown field \"nmae\"" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"a\",\"name\":\"b\"}]}",
	  "models[0]: \"name\" is given twice" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"\"}]}", "models[0].name: wants 1 to 64 bytes" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"a\\u001b[31m\"}]}", "models[0].name: wants" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"a\\u009b\"}]}", "models[0].name: wants" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"\xff\"}]}", "models[0].name: wants" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"name\":\"0123456789012345678901234567890123456789"
	  "01234567890123456789012345\"}]}", "models[0].name: wants 1 to 64 bytes" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"alias\":\"Sonnet 5\"}]}",
	  "models[0].alias: \"Sonnet 5\" is not an alias" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"alias\":\"opus-4.6\"}]}",
	  "models[0].alias: \"opus-4.6\" is already the alias of anthropic.claude-opus-4-6-v1 (built-in)" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"alias\":\"haiku\"}]}",
	  "models[0].alias: \"haiku\" is a family name" },
	{ "{\"models\":[{\"id\":\"anthropic.claude-sonnet-4-5-20250929-v2:0\",\"name\":\"S\","
	  "\"family\":\"sonnet\"}]}",
	  "models[0]: its alias would be \"sonnet-4.5\"" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"family\":\"Sonnet\"}]}",
	  "models[0].family: \"Sonnet\" is not a family name" },
	{ "{\"models\":[{\"id\":\"" SONNET_5 "\",\"name\":\"S\",\"alias\":\"s5\",\"family\":\"haiku-3\"}]}",
	  "models[0].family: \"haiku-3\" is already the alias of" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"profiles\":[\"global\",\"mars\"]}]}",
	  "models[0].profiles[1]: \"mars\" is not one of global, us, eu, jp, apac" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"profiles\":[\"us\",\"us\"]}]}",
	  "models[0].profiles[1]: \"us\" is listed twice" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"profiles\":\"us\"}]}",
	  "models[0].profiles: wants an array of strings" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"profiles\":[1]}]}", "models[0].profiles[0]: wants a string" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"profiles\":[]}]}",
	  "models[0]: no profiles and on_demand false: nothing could call it" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"on_demand\":1}]}", "models[0].on_demand: wants true or false" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"legacy_since\":\"2026-13-01\"}]}",
	  "models[0].legacy_since: wants null or a date like 2025-10-28" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"legacy_since\":true}]}", "models[0].legacy_since: wants null" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\"},{\"id\":\"" SONNET_5 "\",\"name\":\"S\","
	  "\"family\":\"sonnet\",\"max_output_tokens\":0}]}",
	  "models[1].max_output_tokens: wants a positive integer" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"max_output_tokens\":-5}]}",
	  "models[0].max_output_tokens: wants a positive integer" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"max_output_tokens\":1.5}]}",
	  "models[0].max_output_tokens: wants a positive integer" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"max_output_tokens\":\"64000\"}]}",
	  "models[0].max_output_tokens: wants a positive integer" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"max_output_tokens\":1e300}]}",
	  "models[0].max_output_tokens: wants at most 100000000" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"context_tokens\":null}]}",
	  "models[0].context_tokens: wants a positive integer" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"max_output_tokens\":300000}]}",
	  "models[0]: max_output_tokens (300000) is larger than context_tokens (200000)" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"modalities\":[\"image\"]}]}",
	  "models[0].modalities: wants \"text\" among them" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"modalities\":[\"text\",\"audio\"]}]}",
	  "models[0].modalities[1]: \"audio\" is not one of text, image, pdf" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"features\":[\"2m\"]}]}",
	  "models[0].features[0]: \"2m\" is not one of 1m, adaptive-thinking, thinking" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"anthropic_id\":\"Claude\"}]}",
	  "models[0].anthropic_id: \"Claude\" is not an Anthropic API model id" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\",\"vertex_id\":\"a b\"}]}",
	  "models[0].vertex_id: \"a b\" is not a Vertex AI model id" },
	{ "{\"models\":[{\"id\":\"" SONNET_5 "\",\"name\":\"S\",\"family\":\"sonnet\",\"alias\":\"s5\","
	  "\"anthropic_id\":\"claude-opus-4-6\"}]}",
	  "models[0].anthropic_id: \"claude-opus-4-6\" is already the Anthropic API id of "
	  "anthropic.claude-opus-4-6-v1 (built-in)" },
	{ "{\"models\":[{\"id\":\"" SONNET_5 "\",\"name\":\"S\",\"family\":\"sonnet\","
	  "\"vertex_id\":\"claude-opus-4-6\"}]}", "models[0].vertex_id: \"claude-opus-4-6\" is already" },
	{ "{\"models\":[{\"id\":\"" SONNET_45 "\"}] x", "not valid JSON (line 1, column" },
	{ "{\"models\":\n[\n{\"id\" \"x\"}]}", "not valid JSON (line 3, column" },
};

static void test_models_file__every_kind_of_bad_field(void **state)
{
	const char *good = write_text("ok.json", "{\"models\":[" SONNET_5_ENTRY "]}");
	char good_path[128];
	bedrock_error_info err, last;
	size_t i;

	(void)state;
	snprintf(good_path, sizeof(good_path), "%s", good);
	assert_int_equal(bedrock_models_load(good_path, NULL), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *f = write_text("models.json", bad[i].json);
		int rc = bedrock_models_load(f, &err);

		if (rc != BEDROCK_ECONFIG || strncmp(err.message, f, strlen(f)) ||
		    !strstr(err.message, bad[i].message))
			fail_msg("bad[%zu] %s: rc %d, message \"%s\"; wanted \"%s\"", i, bad[i].json, rc,
				 err.message, bad[i].message);
		/* Taken whole or not at all: the good file's catalog stays. */
		assert_int_equal(bedrock_models_count(), BUILTIN_COUNT + 1);
		assert_string_equal(bedrock_models_at(0)->source, good_path);
		assert_int_equal(bedrock_models_load_error(&last), BEDROCK_ECONFIG);
		assert_string_equal(last.message, err.message);
	}
	/* A good load clears the error. */
	assert_int_equal(bedrock_models_load(good_path, NULL), 0);
	assert_int_equal(bedrock_models_load_error(&last), 0);
	assert_int_equal(last.code, 0);
}

static void test_models_file__empty_huge_and_binary(void **state)
{
	bedrock_error_info err;
	static const char binary[] = "\x89PNG\r\n\x1a\n\0\0\0\rIHDR";
	char *huge;
	size_t n = BEDROCK_MODELS_FILE_MAX + 10;

	(void)state;
	assert_int_equal(bedrock_models_load(write_text("e.json", ""), &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "the file is empty"));
	assert_int_equal(bedrock_models_load(write_text("w.json", " \n\t"), &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "not valid JSON"));
	assert_int_equal(bedrock_models_load(write_file("b.json", binary, sizeof(binary) - 1), &err),
			 BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "NUL byte"));
	assert_int_equal(bedrock_models_load(write_text("b2.json", "\xff\xfe{"), &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "not valid JSON (line 1, column 1)"));
	/* Big and valid JSON, but over the limit: refused before parsing. */
	huge = malloc(n);
	assert_non_null(huge);
	memset(huge, ' ', n);
	memcpy(huge, "{\"models\":[]}", 13);
	assert_int_equal(bedrock_models_load(write_file("h.json", huge, n), &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "larger than 1048576 bytes"));
	free(huge);
	/* 257 entries */
	{
		size_t cap = 300 * 16, used = 0, i;
		char *many = malloc(cap);

		assert_non_null(many);
		used += (size_t)snprintf(many, cap, "{\"models\":[");
		for (i = 0; i < 257; i++)
			used += (size_t)snprintf(many + used, cap - used, "%s{}", i ? "," : "");
		snprintf(many + used, cap - used, "]}");
		assert_int_equal(bedrock_models_load(write_text("m.json", many), &err), BEDROCK_ECONFIG);
		assert_non_null(strstr(err.message, "models: at most 256 entries"));
		free(many);
	}
	/* Deep nesting is cJSON's to refuse. */
	{
		char deep[6000];

		memset(deep, '[', sizeof(deep) - 1);
		deep[sizeof(deep) - 1] = '\0';
		assert_int_equal(bedrock_models_load(write_text("d.json", deep), &err), BEDROCK_ECONFIG);
		assert_non_null(strstr(err.message, "not valid JSON"));
	}
	/* A directory */
	assert_int_equal(bedrock_models_load(dir, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, dir));
	/* Nothing was ever loaded by these: the table alone. */
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
	assert_string_equal(bedrock_models_at(0)->source, "built-in");
	/* An empty list is valid: nothing added. */
	assert_int_equal(bedrock_models_load(write_text("n.json", "{\"models\":[]}"), NULL), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
}

static void test_models_file__locations(void **state)
{
	char out[256], want[256], xdg[128];
	int named;
	bedrock_error_info err;
	const char *home = getenv("HOME");

	(void)state;
	unsetenv(BEDROCK_MODELS_FILE_ENV);
	unsetenv("XDG_CONFIG_HOME");
	setenv("HOME", "/home/someone", 1);
	assert_int_equal(bedrock_models_default_path(out, sizeof(out), &named), 0);
	assert_string_equal(out, "/home/someone/.config/bedrock/models.json");
	assert_int_equal(named, 0);
	/* A relative XDG_CONFIG_HOME is invalid (the XDG spec): ignored. */
	setenv("XDG_CONFIG_HOME", "relative", 1);
	assert_int_equal(bedrock_models_default_path(out, sizeof(out), NULL), 0);
	assert_string_equal(out, "/home/someone/.config/bedrock/models.json");
	snprintf(xdg, sizeof(xdg), "%s/xdg", dir);
	setenv("XDG_CONFIG_HOME", xdg, 1);
	assert_int_equal(bedrock_models_default_path(out, sizeof(out), NULL), 0);
	snprintf(want, sizeof(want), "%s/bedrock/models.json", xdg);
	assert_string_equal(out, want);
	assert_int_equal(bedrock_models_default_path(out, 8, NULL), BEDROCK_ELIMIT);
	assert_int_equal(bedrock_models_default_path(NULL, 8, NULL), BEDROCK_EINVAL);

	/* The default file missing: no error, the table alone. */
	assert_int_equal(bedrock_models_load(NULL, &err), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
	assert_int_equal(bedrock_models_load_error(NULL), 0);
	/* Present: read. */
	assert_int_equal(mkdir(xdg, 0700), 0);
	snprintf(out, sizeof(out), "%s/bedrock", xdg);
	assert_int_equal(mkdir(out, 0700), 0);
	write_text("xdg/bedrock/models.json", "{\"models\":[" SONNET_5_ENTRY "]}");
	assert_int_equal(bedrock_models_load(NULL, NULL), 0);
	assert_string_equal(bedrock_models_at(0)->source, want);
	/* Gone again: back to the table (the earlier entry stays valid). */
	{
		const bedrock_model_info *was = bedrock_models_at(0);

		assert_int_equal(unlink(want), 0);
		assert_int_equal(bedrock_models_load(NULL, NULL), 0);
		assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
		assert_string_equal(was->id, SONNET_5);
	}
	/* A file the variable names must exist. */
	snprintf(out, sizeof(out), "%s/nope.json", dir);
	setenv(BEDROCK_MODELS_FILE_ENV, out, 1);
	assert_int_equal(bedrock_models_default_path(want, sizeof(want), &named), 0);
	assert_int_equal(named, 1);
	assert_string_equal(want, out);
	assert_int_equal(bedrock_models_load(NULL, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, out));
	assert_non_null(strstr(err.message, "named by BEDROCK_MODELS_FILE"));
	/* So must one named by the caller. */
	assert_int_equal(bedrock_models_load(out, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "No such file"));
	assert_int_equal(bedrock_models_load("", &err), BEDROCK_ECONFIG);
	/* An empty variable is an unset one. */
	setenv(BEDROCK_MODELS_FILE_ENV, "", 1);
	assert_int_equal(bedrock_models_default_path(want, sizeof(want), &named), 0);
	assert_int_equal(named, 0);
	unsetenv(BEDROCK_MODELS_FILE_ENV);
	unsetenv("XDG_CONFIG_HOME");
	unsetenv("HOME");
	assert_int_equal(bedrock_models_default_path(out, sizeof(out), NULL), BEDROCK_ENOTFOUND);
	assert_string_equal(out, "");
	assert_int_equal(bedrock_models_load(NULL, NULL), 0);
	if (home)
		setenv("HOME", home, 1);
	snprintf(out, sizeof(out), "%s/xdg/bedrock", dir);
	rmdir(out);
	rmdir(xdg);
}

/* Every allocation failing in turn: ENOMEM, nothing leaked, and the
 * catalog as it was. */
static void test_models_file__out_of_memory(void **state)
{
	const char *f = write_text("oom.json", "{\"models\":[" SONNET_5_ENTRY ",{\"id\":\"" SONNET_45
				   "\",\"name\":\"Renamed\"}]}");
	size_t n;
	int rc, ok = 0;

	(void)state;
	for (n = 1; n < 200 && !ok; n++) {
		bedrock_models_unload();
		assert_int_equal(harness_live_allocations(), 0);
		harness_fail_allocation(n);
		rc = bedrock_models_load(f, NULL);
		harness_fail_allocation(0);
		if (rc == 0) {
			ok = 1;
			break;
		}
		assert_int_equal(rc, BEDROCK_ENOMEM);
		assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
		assert_int_equal(bedrock_models_load_error(NULL), BEDROCK_ENOMEM);
	}
	assert_true(ok);
	assert_true(n > 3);
	assert_string_equal(bedrock_models_at(0)->id, SONNET_5);
	assert_string_equal(resolve("sonnet-4.5")->name, "Renamed");
}

typedef struct reader {
	atomic_int *stop;
	atomic_ulong lookups;
	int failed;
} reader;

static int readers_busy(reader *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (atomic_load(&r[i].lookups) < 20)
			return 0;
	return 1;
}

static void *read_loop(void *arg)
{
	reader *r = arg;
	const bedrock_model_info *m;
	bedrock_inference_profile p;
	size_t i;

	while (!*r->stop) {
		m = resolve("sonnet");
		if (!m || (strcmp(m->alias, "sonnet-4.5") && strcmp(m->alias, "sonnet-5")))
			r->failed = 1;
		m = resolve("haiku-4.5");
		if (!m || strcmp(m->id, "anthropic.claude-haiku-4-5-20251001-v1:0"))
			r->failed = 1;
		for (i = 0; (m = bedrock_models_at(i)) != NULL; i++)
			if (!m->id || !m->name || !m->alias || !m->source)
				r->failed = 1;
		if (!bedrock_model_find_platform_id(NULL, "claude-opus-4-6"))
			r->failed = 1;
		for (i = 0; bedrock_profiles_at(&p, i) == 0; i++)
			if (!p.model || !p.id[0])
				r->failed = 1;
		r->lookups++;
	}
	return NULL;
}

/* Lookups in four threads while the main thread reloads. Under the
 * sanitizer build a torn read or a freed snapshot would show. */
static void test_models_file__lookups_during_reloads(void **state)
{
	char a[128], b[128];
	atomic_int stop = 0;
	reader r[4];
	pthread_t t[4];
	size_t i;

	(void)state;
	snprintf(a, sizeof(a), "%s", write_text("a.json", "{\"models\":[" SONNET_5_ENTRY "]}"));
	snprintf(b, sizeof(b), "%s", write_text("b.json", "{\"models\":[{\"id\":\"" SONNET_45 "\","
						"\"name\":\"Claude Sonnet 4.5 (file)\"}]}"));
	for (i = 0; i < 4; i++) {
		r[i].stop = &stop;
		atomic_init(&r[i].lookups, 0);
		r[i].failed = 0;
		assert_int_equal(pthread_create(&t[i], NULL, read_loop, &r[i]), 0);
	}
	/* At least 300 reloads, and until every reader has overlapped some. */
	for (i = 0; i < 300 || !readers_busy(r, 4); i++)
		assert_int_equal(bedrock_models_load(i % 2 ? b : a, NULL), 0);
	stop = 1;
	for (i = 0; i < 4; i++) {
		assert_int_equal(pthread_join(t[i], NULL), 0);
		assert_false(r[i].failed);
		assert_true(r[i].lookups > 0);
	}
	/* The loop may have stopped on either file: the last load wins. */
	assert_int_equal(bedrock_models_load(b, NULL), 0);
	assert_string_equal(resolve("sonnet-4.5")->name, "Claude Sonnet 4.5 (file)");
	assert_int_equal(bedrock_models_load(a, NULL), 0);
	assert_string_equal(resolve("sonnet-4.5")->name, "Claude Sonnet 4.5");
}

static void test_models_file__unload(void **state)
{
	(void)state;
	assert_int_equal(bedrock_models_load(write_text("u.json", "{\"models\":[" SONNET_5_ENTRY "]}"),
					     NULL), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT + 1);
	assert_true(harness_live_allocations() > 0);
	bedrock_models_unload();
	assert_int_equal(harness_live_allocations(), 0);
	assert_int_equal(bedrock_models_count(), BUILTIN_COUNT);
	assert_null(resolve("sonnet-5"));
	assert_string_equal(resolve("sonnet")->source, "built-in");
	assert_int_equal(bedrock_models_load_error(NULL), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_models_file__auto_load_of_a_bad_file_keeps_the_builtins,
						setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__a_new_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__defaults_and_derived_ids, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__override_keeps_its_place, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__family_takes_the_newest_active, setup,
						teardown),
		cmocka_unit_test_setup_teardown(test_models_file__every_kind_of_bad_field, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__empty_huge_and_binary, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__locations, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__out_of_memory, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__lookups_during_reloads, setup, teardown),
		cmocka_unit_test_setup_teardown(test_models_file__unload, setup, teardown),
	};
	int rc;

	strcpy(dir, "/tmp/bedrock-test-models-XXXXXX");
	if (!mkdtemp(dir))
		return 1;
	unsetenv(BEDROCK_MODELS_FILE_ENV);
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	{
		char cmd[128];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			rc = rc ? rc : 1;
	}
	return rc;
}
