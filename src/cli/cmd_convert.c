/* bedrock convert: a Messages request body written for one platform,
 * rewritten for another (the migration step of the Claude-on-Bedrock and
 * Claude-on-Vertex guides), printed as the HTTP request to send: the
 * request line, the headers the platform needs, a blank line, the body. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "cli_client.h"

#define MAX_BODY (32u * 1024u * 1024u) /* the Anthropic API's request limit */

static const char usage[] =
	"usage: bedrock convert --to bedrock|anthropic|vertex [-m MODEL] [--region R]\n"
	"                       [--project P] [--body-only] [FILE|-]\n"
	"\n"
	"Rewrites a Messages request body written for one platform (the Anthropic API,\n"
	"Bedrock's InvokeModel or Vertex AI's rawPredict) into another's: the model id\n"
	"is mapped through the model catalog, and `model`, `stream`, `anthropic_version`\n"
	"and the betas move between the body, the URL and the headers as the target\n"
	"wants them. Every other field passes through untouched.\n"
	"\n"
	"Prints the HTTP request to send: the request line (path only: add the\n"
	"platform's endpoint), the headers, a blank line and the body. --body-only\n"
	"prints the body alone.\n"
	"\n"
	"  --to P         the target platform\n"
	"  -m, --model M  the model, when the body has none (Bedrock and Vertex bodies\n"
	"                 carry it in the URL): any platform's id, or an alias\n"
	"  --region R     Bedrock: the region to call from (picks the inference\n"
	"                 profile; default AWS_REGION, else the global profile);\n"
	"                 Vertex: the location (default CLOUD_ML_REGION, else global)\n"
	"  --project P    Vertex: the project (default ANTHROPIC_VERTEX_PROJECT_ID,\n"
	"                 GOOGLE_CLOUD_PROJECT, else PROJECT)\n"
	"  --beta B,...   anthropic-beta values to add (as the header would carry)\n"
	"  --body-only    print only the body\n";

static const char *env_or(const char *a, const char *b)
{
	const char *v = getenv(a);

	if (v && *v)
		return v;
	v = b ? getenv(b) : NULL;
	return v && *v ? v : NULL;
}

/* The model's id on the target; given as is when the catalog does not know
 * it (a new model, or an ARN of one's own). */
static void target_model(char *out, size_t cap, const char *given, bedrock_platform to,
			 const char *region)
{
	const bedrock_model_info *m = bedrock_model_find_platform_id(NULL, given);
	bedrock_model_ref ref;

	if (!m && bedrock_model_resolve(&ref, given) == 0)
		m = ref.model;
	if (!m) {
		snprintf(out, cap, "%s", given);
		return;
	}
	if (to == BEDROCK_PLATFORM_BEDROCK) {
		if (region && bedrock_model_id_for_region(out, cap, m, region) == 0)
			return;
		if (bedrock_model_profile_id(out, cap, m, BEDROCK_PROFILE_GLOBAL) == 0)
			return;
		if (bedrock_model_profile_id(out, cap, m, bedrock_model_default_geo(m)) == 0)
			return;
	}
	if (bedrock_model_platform_id(out, cap, m, to) != 0)
		snprintf(out, cap, "%s", given);
}

static char *escape_path(const char *s)
{
	char *e = curl_easy_escape(NULL, s, 0), *copy;

	if (!e)
		return NULL;
	copy = strdup(e);
	curl_free(e);
	return copy;
}

int cmd_convert(int argc, char **argv)
{
	const char *to_name = NULL, *model_arg = NULL, *region = NULL, *project = NULL;
	const char *file = "-", *betas_arg = NULL;
	bedrock_body_options o = BEDROCK_BODY_OPTIONS_INIT;
	char *in = NULL, *out = NULL, *betas = NULL, *body_model = NULL, *path_model = NULL;
	char model[256] = "";
	int body_only = 0, stream = 0, have_file = 0, rc, i, g;
	size_t len, out_len = 0;
	cJSON *tree;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];
		const char **slot = !strcmp(a, "--to") ? &to_name
				  : (!strcmp(a, "-m") || !strcmp(a, "--model")) ? &model_arg
				  : !strcmp(a, "--region") ? &region
				  : !strcmp(a, "--project") ? &project
				  : !strcmp(a, "--beta") ? &betas_arg : NULL;

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return CLI_OK;
		}
		if (slot) {
			if (i + 1 >= argc || !argv[i + 1][0]) {
				fprintf(stderr, "bedrock convert: %s needs a value\n", a);
				return CLI_USAGE;
			}
			*slot = argv[++i];
		} else if (!strcmp(a, "--body-only")) {
			body_only = 1;
		} else if (a[0] == '-' && a[1] && (g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
		} else if (a[0] == '-' && a[1]) {
			fprintf(stderr, "bedrock convert: unknown option '%s'\n\n%s", a, usage);
			return CLI_USAGE;
		} else if (!have_file) {
			file = a;
			have_file = 1;
		} else {
			fprintf(stderr, "bedrock convert: unexpected argument '%s'\n\n%s", a, usage);
			return CLI_USAGE;
		}
	}
	if ((rc = cli_models_setup()) != 0)
		return rc;
	if (!to_name) {
		fprintf(stderr, "bedrock convert: --to is required (bedrock, anthropic or vertex)\n\n%s", usage);
		return CLI_USAGE;
	}
	if (bedrock_platform_parse(&o.platform, to_name)) {
		fprintf(stderr, "bedrock convert: unknown platform '%s' (bedrock, anthropic or vertex)\n",
			to_name);
		return CLI_USAGE;
	}
	if (!region)
		region = cli_g.region ? cli_g.region
		       : o.platform == BEDROCK_PLATFORM_VERTEX ? env_or("CLOUD_ML_REGION", NULL)
		       : env_or("AWS_REGION", "AWS_DEFAULT_REGION");

	if (!strcmp(file, "-")) {
		in = cli_read_stream(stdin, MAX_BODY, &len);
	} else {
		FILE *f = fopen(file, "rb");
		if (!f) {
			fprintf(stderr, "bedrock convert: %s: %s\n", file, strerror(errno));
			return CLI_USAGE;
		}
		in = cli_read_stream(f, MAX_BODY, &len);
		fclose(f);
	}
	if (!in) {
		fprintf(stderr, "bedrock convert: %s: cannot read it\n", !strcmp(file, "-") ? "stdin" : file);
		return CLI_USAGE;
	}
	if (len > MAX_BODY) {
		fprintf(stderr, "bedrock convert: %s: larger than %u bytes\n", file, MAX_BODY);
		free(in);
		return CLI_USAGE;
	}
	/* The stream flag decides the Bedrock operation and the Vertex verb. */
	tree = cJSON_ParseWithLength(in, len);
	stream = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tree, "stream"));
	cJSON_Delete(tree);

	/* A first pass only to learn the body's model and check its shape. */
	rc = bedrock_body_convert(&out, NULL, &betas, &body_model, in, len, betas_arg, NULL);
	bedrock_messages_string_free(out);
	bedrock_messages_string_free(betas);
	out = betas = NULL;
	if (rc) {
		fprintf(stderr, "bedrock convert: %s: not a Messages request body (a JSON object whose "
			"anthropic_beta, if any, is an array of strings)\n", !strcmp(file, "-") ? "stdin" : file);
		goto done;
	}
	if (model_arg || body_model)
		target_model(model, sizeof(model), model_arg ? model_arg : body_model, o.platform, region);
	if (!model[0] && !body_only) {
		fprintf(stderr, "bedrock convert: the body names no model: give one with -m\n");
		rc = CLI_USAGE;
		goto done;
	}
	if (!model[0] && o.platform == BEDROCK_PLATFORM_ANTHROPIC) {
		fprintf(stderr, "bedrock convert: the Anthropic API needs a model: give one with -m\n");
		rc = CLI_USAGE;
		goto done;
	}
	o.model = model[0] ? model : NULL;
	o.stream = stream;
	rc = bedrock_body_convert(&out, &out_len, &betas, NULL, in, len, betas_arg, &o);
	if (rc) {
		fprintf(stderr, "bedrock convert: %s\n", bedrock_strerror(rc));
		goto done;
	}
	if (!body_only) {
		path_model = escape_path(model);
		if (!path_model) {
			rc = CLI_USAGE;
			goto done;
		}
		switch (o.platform) {
		case BEDROCK_PLATFORM_BEDROCK:
			printf("POST /model/%s/%s\n", path_model, stream ? "invoke-with-response-stream" : "invoke");
			printf("content-type: application/json\n");
			printf("accept: %s\n", stream ? "application/vnd.amazon.eventstream" : "application/json");
			break;
		case BEDROCK_PLATFORM_ANTHROPIC:
			printf("POST /v1/messages\n");
			printf("content-type: application/json\n");
			printf("anthropic-version: %s\n", BEDROCK_ANTHROPIC_API_VERSION);
			break;
		case BEDROCK_PLATFORM_VERTEX:
			if (!project)
				project = env_or("ANTHROPIC_VERTEX_PROJECT_ID", "GOOGLE_CLOUD_PROJECT");
			/* '@' stays literal in Vertex paths, as the SDKs send it. */
			printf("POST /v1/projects/%s/locations/%s/publishers/anthropic/models/%s:%s\n",
			       project ? project : "PROJECT", region ? region : "global", model,
			       stream ? "streamRawPredict" : "rawPredict");
			printf("content-type: application/json\n");
			break;
		}
		if (betas)
			printf("anthropic-beta: %s\n", betas);
		printf("\n");
	}
	fwrite(out, 1, out_len, stdout);
	printf("\n");
	rc = fflush(stdout) ? CLI_USAGE : CLI_OK;
done:
	free(in);
	free(path_model);
	bedrock_messages_string_free(out);
	bedrock_messages_string_free(betas);
	bedrock_messages_string_free(body_model);
	return rc ? (rc > 0 ? rc : CLI_USAGE) : CLI_OK;
}
