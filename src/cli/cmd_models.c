/* bedrock models: the Claude models this region offers, as a table people
 * read: the name, the alias -m takes, the id to call it with from here
 * (a profile when the model needs one), the profiles available, lifecycle
 * and streaming. The data is the service's (ListFoundationModels and
 * ListInferenceProfiles); only the aliases, and where each came from
 * (SOURCE: built-in, or the models file), come from libbedrock's catalog. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "cli_control.h"
#include "json.h"

static const char usage[] =
	"usage: bedrock models [--provider NAME] [--json]\n"
	"  The models Bedrock offers in the region (default provider: Anthropic), with\n"
	"  the id to call each with from here and the aliases -m accepts.\n"
	"  --provider NAME   another provider's models (\"all\" for every provider)\n"
	"  --json            the same as JSON, one object per model\n"
	"  SOURCE says where the catalog's entry for a model comes from: built-in, or\n"
	"  the models file (--models-file, $BEDROCK_MODELS_FILE or\n"
	"  ~/.config/bedrock/models.json); - when the catalog does not know it.\n";

typedef struct row {
	const char *name, *id, *alias, *lifecycle, *source;
	char call[512];
	char profiles[64];
	int streaming;
} row;

static int has_string(const cJSON *arr, const char *s)
{
	const cJSON *it;

	cJSON_ArrayForEach(it, arr)
		if (cJSON_IsString(it) && !strcmp(it->valuestring, s))
			return 1;
	return 0;
}

/* Fills r from one model summary and the region's profiles. */
static void make_row(row *r, const cJSON *model, const cJSON *profiles)
{
	const cJSON *p;
	bedrock_model_ref ref;
	char regional[512] = "";
	size_t used = 0;

	memset(r, 0, sizeof(*r));
	r->name = bedrock__json_str(model, "modelName");
	r->id = bedrock__json_str(model, "modelId");
	r->lifecycle = bedrock__json_str(cJSON_GetObjectItem(model, "modelLifecycle"), "status");
	r->streaming = cJSON_IsTrue(cJSON_GetObjectItem(model, "responseStreamingSupported"));
	if (!r->name)
		r->name = r->id ? r->id : "?";
	if (!r->id)
		r->id = "?";
	if (!r->lifecycle)
		r->lifecycle = "?";
	if (bedrock_model_resolve(&ref, r->id) == 0 && ref.model) {
		r->alias = ref.model->alias;
		r->source = ref.model->source;
	} else {
		r->alias = "";
		r->source = "";
	}
	/* A system profile's id is "<geo>.<model id>". */
	cJSON_ArrayForEach(p, profiles) {
		const char *pid = bedrock__json_str(p, "inferenceProfileId");
		const char *dot = pid ? strchr(pid, '.') : NULL;
		size_t geo_len;

		if (!dot || strcmp(dot + 1, r->id))
			continue;
		geo_len = (size_t)(dot - pid);
		if (used + geo_len + 3 < sizeof(r->profiles)) {
			used += (size_t)snprintf(r->profiles + used, sizeof(r->profiles) - used, "%s%.*s",
						 used ? ", " : "", (int)geo_len, pid);
		}
		if (!strncmp(pid, "global.", 7))
			snprintf(r->call, sizeof(r->call), "%s", pid);
		else if (!regional[0])
			snprintf(regional, sizeof(regional), "%s", pid);
	}
	if (!r->call[0] && regional[0])
		snprintf(r->call, sizeof(r->call), "%s", regional);
	if (!r->call[0] && has_string(cJSON_GetObjectItem(model, "inferenceTypesSupported"), "ON_DEMAND"))
		snprintf(r->call, sizeof(r->call), "%s", r->id);
	if (!r->call[0])
		snprintf(r->call, sizeof(r->call), "-");
	if (!r->profiles[0])
		snprintf(r->profiles, sizeof(r->profiles), "-");
}

static int max_int(int a, int b)
{
	return a > b ? a : b;
}

static void print_table(const row *rows, size_t n)
{
	int w[4] = { 5, 5, 9, 8 };
	size_t i;

	for (i = 0; i < n; i++) {
		w[0] = max_int(w[0], (int)strlen(rows[i].name));
		w[1] = max_int(w[1], (int)strlen(rows[i].alias));
		w[2] = max_int(w[2], (int)strlen(rows[i].call));
		w[3] = max_int(w[3], (int)strlen(rows[i].profiles));
	}
	/* SOURCE last: a models file's path may be long. */
	printf("%-*s  %-*s  %-*s  %-*s  %-9s  %-9s  %s\n", w[0], "MODEL", w[1], "ALIAS", w[2],
	       "CALL WITH", w[3], "PROFILES", "LIFECYCLE", "STREAMING", "SOURCE");
	for (i = 0; i < n; i++)
		printf("%-*s  %-*s  %-*s  %-*s  %-9s  %-9s  %s\n", w[0], rows[i].name, w[1],
		       rows[i].alias[0] ? rows[i].alias : "-", w[2], rows[i].call, w[3],
		       rows[i].profiles, rows[i].lifecycle, rows[i].streaming ? "yes" : "no",
		       rows[i].source[0] ? rows[i].source : "-");
}

static void print_aliases(void)
{
	static const char *const families[] = { "sonnet", "opus", "haiku" };
	bedrock_model_ref ref;
	size_t i;

	printf("\n-m takes a CALL WITH id, a model id, an ARN or an alias;");
	for (i = 0; i < sizeof(families) / sizeof(families[0]); i++)
		if (bedrock_model_resolve(&ref, families[i]) == 0)
			printf("%s %s = %s", i ? "," : "", families[i],
			       ref.model->alias[0] ? ref.model->alias : ref.model->id);
	printf(".\n");
}

static int print_json(const row *rows, size_t n)
{
	cJSON *arr = cJSON_CreateArray();
	char *text;
	size_t i;

	for (i = 0; i < n; i++) {
		cJSON *o = cJSON_CreateObject();

		cJSON_AddStringToObject(o, "modelName", rows[i].name);
		cJSON_AddStringToObject(o, "modelId", rows[i].id);
		if (rows[i].alias[0])
			cJSON_AddStringToObject(o, "alias", rows[i].alias);
		if (strcmp(rows[i].call, "-"))
			cJSON_AddStringToObject(o, "callWith", rows[i].call);
		cJSON_AddStringToObject(o, "profiles", strcmp(rows[i].profiles, "-") ? rows[i].profiles : "");
		cJSON_AddStringToObject(o, "lifecycle", rows[i].lifecycle);
		cJSON_AddBoolToObject(o, "streaming", rows[i].streaming);
		if (rows[i].source[0])
			cJSON_AddStringToObject(o, "source", rows[i].source);
		cJSON_AddItemToArray(arr, o);
	}
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	if (!text)
		return CLI_USAGE;
	puts(text);
	free(text);
	return CLI_OK;
}

/* The Anthropic API: /v1/models, every page (newest first). */
static int api_models(bedrock_client *c, int json)
{
	cJSON *all = cJSON_CreateArray(), *page = NULL;
	char path[512], after[256] = "";
	int status = CLI_OK, more = 1;
	const cJSON *m;

	if (!all)
		return CLI_USAGE;
	while (more && !status) {
		bedrock_response *r = NULL;
		bedrock_error_info err;
		const cJSON *data, *last = NULL;
		int rc;

		snprintf(path, sizeof(path), "/v1/models?limit=1000%s%s", after[0] ? "&after_id=" : "",
			 after);
		rc = bedrock_control_request(&r, c, "GET", path, NULL, 0, &err);
		if ((status = cli_parse_response(&page, rc, r, &err)) != 0)
			break;
		data = cJSON_GetObjectItemCaseSensitive(page, "data");
		cJSON_ArrayForEach(m, data) {
			cJSON_AddItemToArray(all, cJSON_Duplicate(m, 1));
			last = m;
		}
		more = cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(page, "has_more")) && last &&
		       bedrock__json_str(last, "id");
		if (more) {
			/* The id goes into the query: only what an id is made of. */
			const char *id = bedrock__json_str(last, "id");

			if (strlen(id) >= sizeof(after) || strspn(id, "abcdefghijklmnopqrstuvwxyz"
					"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._@") != strlen(id)) {
				fprintf(stderr, "bedrock models: the API named an odd model id\n");
				status = CLI_SERVICE;
			}
			snprintf(after, sizeof(after), "%s", id);
		}
		cJSON_Delete(page);
		page = NULL;
	}
	if (!status && json) {
		char *text = cJSON_PrintUnformatted(all);

		if (text)
			puts(text);
		free(text);
	} else if (!status) {
		printf("%-28s %-14s %s\n", "NAME", "ALIAS", "ID");
		cJSON_ArrayForEach(m, all) {
			bedrock_platform p;
			const bedrock_model_info *info = bedrock_model_find_platform_id(&p, bedrock__json_str(m, "id"));
			const char *name = bedrock__json_str(m, "display_name");

			printf("%-28s %-14s %s\n", name ? name : "-", info && info->alias ? info->alias : "-",
			       bedrock__json_str(m, "id") ? bedrock__json_str(m, "id") : "-");
		}
	}
	cJSON_Delete(all);
	return status;
}

/* Vertex AI lists no publisher models to a client: its models are the
 * catalog's, by their Vertex ids (a models file adds newer ones). */
static int vertex_models(int json)
{
	cJSON *all = cJSON_CreateArray();
	size_t i;

	if (!all)
		return CLI_USAGE;
	if (!json)
		printf("%-28s %-14s %-34s %s\n", "NAME", "ALIAS", "ID", "SOURCE");
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);
		char id[256];
		cJSON *o;

		if (m->legacy || bedrock_model_platform_id(id, sizeof(id), m, BEDROCK_PLATFORM_VERTEX))
			continue;
		if (!json) {
			printf("%-28s %-14s %-34s %s\n", m->name, *m->alias ? m->alias : "-", id,
			       m->source);
		} else if ((o = cJSON_CreateObject()) != NULL) {
			cJSON_AddStringToObject(o, "id", id);
			cJSON_AddStringToObject(o, "display_name", m->name);
			cJSON_AddStringToObject(o, "alias", m->alias);
			cJSON_AddStringToObject(o, "source", m->source);
			cJSON_AddItemToArray(all, o);
		}
	}
	if (json) {
		char *text = cJSON_PrintUnformatted(all);

		if (text)
			puts(text);
		free(text);
	}
	cJSON_Delete(all);
	return CLI_OK;
}

int cmd_models(int argc, char **argv)
{
	const char *provider = "Anthropic";
	bedrock_client *c = NULL;
	cJSON *models = NULL, *profiles = NULL;
	const cJSON *m;
	bedrock_model_filter filter = BEDROCK_MODEL_FILTER_INIT;
	row *rows = NULL;
	size_t n = 0;
	int i, g, json = 0, status;
	cli_g.hints = 1;

	for (i = 1; i < argc; i++) {
		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
		} else if (!strcmp(argv[i], "--json")) {
			json = 1;
		} else if (!strcmp(argv[i], "--provider")) {
			if (!(provider = cli_value(argc, argv, &i, "bedrock models")))
				return CLI_USAGE;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return CLI_OK;
		} else if (argv[i][0] == '-') {
			cli_unknown_option("bedrock models", argv[i], usage, NULL);
			fputs(usage, stderr);
			return CLI_USAGE;
		} else {
			fprintf(stderr, "bedrock models: unexpected argument '%s'\n%s", argv[i], usage);
			return CLI_USAGE;
		}
	}
	filter.provider = strcmp(provider, "all") ? provider : NULL;
	status = cli_client_open(&c);
	if (!status && bedrock_client_platform(c) != BEDROCK_PLATFORM_BEDROCK) {
		status = bedrock_client_platform(c) == BEDROCK_PLATFORM_VERTEX ? vertex_models(json)
									       : api_models(c, json);
		bedrock_client_free(c);
		return status;
	}
	if (!status) {
		bedrock_response *r = NULL;
		bedrock_error_info err;
		int rc = bedrock_list_foundation_models(&r, c, &filter, &err);

		status = cli_parse_response(&models, rc, r, &err);
	}
	if (!status)
		status = cli_profiles_fetch(&profiles, c, "SYSTEM_DEFINED");
	if (!status) {
		const cJSON *list = cJSON_GetObjectItem(models, "modelSummaries");
		const cJSON *plist = cJSON_GetObjectItem(profiles, "inferenceProfileSummaries");

		rows = calloc((size_t)cJSON_GetArraySize(list) + 1, sizeof(*rows));
		if (!rows)
			status = CLI_USAGE;
		cJSON_ArrayForEach(m, list)
			if (rows)
				make_row(&rows[n++], m, plist);
	}
	if (!status && json) {
		status = print_json(rows, n);
	} else if (!status) {
		if (n) {
			print_table(rows, n);
			print_aliases();
		} else {
			fprintf(stderr, "bedrock models: no %s models in %s\n", provider,
				bedrock_client_region(c));
		}
	}
	free(rows);
	cJSON_Delete(models);
	cJSON_Delete(profiles);
	bedrock_client_free(c);
	return status;
}
