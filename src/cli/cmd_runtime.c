/* The raw Bedrock surface, in the AWS CLI's shape: invoke, converse,
 * count-tokens, and the control-plane reads. Output is what Bedrock sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "cli_control.h"
#include "cli_files.h"
#include "emu_embed.h"
#include "logging_vertex.h"

typedef struct {
	const char *model_id, *body, *outfile, *provider, *type, *s3, *cloudwatch, *role_arn;
	const char *positional;
	/* logging on Vertex AI: -m, --bigquery, --sampling-rate */
	const char *model, *bigquery, *sampling_rate;
	int stream;
	/* invoke's Bedrock headers, named as in `aws bedrock-runtime invoke-model` */
	bedrock_request_options headers;
} args;

#define BODY_HELP \
	"  BODY is JSON text, file://PATH or fileb://PATH (the file's bytes as they are)\n" \
	"  or - (standard input). An AWS error is one line on standard error: exit 2;\n" \
	"  3 for the network, 4 for the configuration or credentials.\n"

static const char invoke_usage[] =
	"usage: bedrock invoke --model-id ID --body BODY [--stream] [OUTFILE|-]\n"
	"         [--guardrail-identifier ID --guardrail-version V] [--trace ENABLED|DISABLED|ENABLED_FULL]\n"
	"         [--performance-config-latency standard|optimized]\n"
	"         [--service-tier priority|default|flex|reserved]\n"
	"  InvokeModel: sends BODY, the model's own request (for Claude, a Messages body\n"
	"  with \"anthropic_version\"), and writes the response body byte for byte to\n"
	"  OUTFILE (standard output when omitted or -). An existing OUTFILE is replaced\n"
	"  only when the call succeeds.\n"
	"  --stream   InvokeModelWithResponseStream: one compact JSON line per event\n"
	"             (the model's own events, e.g. {\"type\":\"content_block_delta\",...}).\n"
	"  The other options become Bedrock's X-Amzn-Bedrock-* request headers.\n" BODY_HELP;
static const char converse_usage[] =
	"usage: bedrock converse --model-id ID --body BODY [--stream]\n"
	"  Converse: sends BODY ({\"messages\": [...], ...}) and prints the response as\n"
	"  one JSON line.\n"
	"  --stream   ConverseStream: one {\"EVENTTYPE\": {...}} JSON line per event, as\n"
	"             the AWS CLI prints them.\n" BODY_HELP;
static const char logging_usage[] =
	"usage: bedrock logging show|disable\n"
	"       bedrock logging enable [--s3 s3://BUCKET/PREFIX] [--cloudwatch LOG_GROUP --role-arn ARN]\n"
	"  The region's model-invocation logging: show prints the configuration as\n"
	"  one JSON line, disable removes it, enable logs text, image and embedding\n"
	"  data to S3, to CloudWatch Logs (with the role Bedrock writes as), or both.\n"
	"\n"
	"On Vertex AI (--platform vertex), a model's request-response logging to BigQuery:\n"
	"       bedrock logging show|disable [-m MODEL]\n"
	"       bedrock logging enable --bigquery bq://PROJECT.DATASET[.TABLE] [--sampling-rate R]\n"
	"                              [-m MODEL]\n"
	"  show prints the model's configuration (fetchPublisherModelConfig) as one\n"
	"  JSON line; enable logs the share R of its requests and responses (0 < R <= 1,\n"
	"  default 1: all) to BigQuery (into a table request_response_logging when only\n"
	"  the dataset is named); disable stops it. Both set loggingConfig alone\n"
	"  (setPublisherModelConfig) and print Vertex's answer, an operation, as one\n"
	"  JSON line. The project and location are the client's (--project, --region).\n"
	"  -m, --model MODEL  an alias (sonnet-4.5, opus, ...) or a Vertex AI model id\n"
	"                     (default $BEDROCK_MODEL, $ANTHROPIC_MODEL, else sonnet-4.5)\n";
static const char count_usage[] =
	"usage: bedrock count-tokens --model-id ID --body BODY\n"
	"  CountTokens: sends BODY as given ({\"input\": {\"invokeModel\": ...}} or\n"
	"  {\"input\": {\"converse\": ...}}) and prints the answer as one JSON line\n"
	"  ({\"inputTokens\": N}).\n"
	BODY_HELP;

/* The invoke options that become Bedrock request headers. */
static const char **header_option(args *a, const char *o)
{
	if (!strcmp(o, "--guardrail-identifier"))
		return &a->headers.guardrail_identifier;
	if (!strcmp(o, "--guardrail-version"))
		return &a->headers.guardrail_version;
	if (!strcmp(o, "--trace"))
		return &a->headers.trace;
	if (!strcmp(o, "--performance-config-latency"))
		return &a->headers.performance_latency;
	if (!strcmp(o, "--service-tier"))
		return &a->headers.service_tier;
	return NULL;
}

/* The options of logging on Vertex AI. */
static const char **logging_option(args *a, const char *o)
{
	if (!strcmp(o, "-m") || !strcmp(o, "--model"))
		return &a->model;
	if (!strcmp(o, "--bigquery"))
		return &a->bigquery;
	if (!strcmp(o, "--sampling-rate"))
		return &a->sampling_rate;
	return NULL;
}

static int parse(args *a, int argc, char **argv, const char *usage)
{
	int i, g;

	memset(a, 0, sizeof(*a));
	a->headers = (bedrock_request_options)BEDROCK_REQUEST_OPTIONS_INIT;
	for (i = 1; i < argc; i++) {
		const char *o = argv[i], **h;

		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return -1;
			continue;
		}
		if (!strcmp(o, "--stream")) {
			a->stream = 1;
		} else if (usage == invoke_usage && (h = header_option(a, o)) != NULL) {
			if (!(*h = cli_value(argc, argv, &i, "bedrock")))
				return -1;
		} else if (usage == logging_usage && (h = logging_option(a, o)) != NULL) {
			if (!(*h = cli_value(argc, argv, &i, "bedrock")))
				return -1;
		} else if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			fputs(usage, stdout);
			exit(0);
		} else if (!strcmp(o, "--model-id") || !strcmp(o, "--body") ||
			   !strcmp(o, "--provider") || !strcmp(o, "--type") || !strcmp(o, "--s3") ||
			   !strcmp(o, "--cloudwatch") || !strcmp(o, "--role-arn")) {
			const char **dst = !strcmp(o, "--model-id") ? &a->model_id
					   : !strcmp(o, "--body") ? &a->body
					   : !strcmp(o, "--provider") ? &a->provider
					   : !strcmp(o, "--type") ? &a->type
					   : !strcmp(o, "--s3") ? &a->s3
					   : !strcmp(o, "--cloudwatch") ? &a->cloudwatch : &a->role_arn;

			if (!(*dst = cli_value(argc, argv, &i, "bedrock")))
				return -1;
		} else if (o[0] == '-' && o[1] == '-') {
			cli_unknown_option("bedrock", o, usage, NULL);
			fputs(usage, stderr);
			return -1;
		} else if (!a->positional) {
			a->positional = o;
		} else {
			fprintf(stderr, "bedrock: unexpected argument '%s'\n%s", o, usage);
			return -1;
		}
	}
	return 0;
}

static int write_all(FILE *f, const char *data, size_t len)
{
	return fwrite(data, 1, len, f) == len ? 0 : -1;
}

/* The event without Bedrock's "p" member, which only pads the event to
 * hide its length (the AWS CLI drops it too); NULL when there is none. */
static cJSON *unpadded(const char *json, size_t len)
{
	cJSON *j = cJSON_ParseWithLength(json, len);

	if (cJSON_IsObject(j) && cJSON_GetObjectItemCaseSensitive(j, "p")) {
		cJSON_DeleteItemFromObjectCaseSensitive(j, "p");
		return j;
	}
	cJSON_Delete(j);
	return NULL;
}

/* Prints the events of a stream, one compact JSON line each. */
static int print_stream(bedrock_stream *s, FILE *f, int converse)
{
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0) {
		if (converse) {
			/* {"<eventType>": {...}} as the AWS CLI prints ConverseStream. */
			cJSON *j = unpadded(ev.json, ev.json_len);
			char *text = j ? cJSON_PrintUnformatted(j) : NULL;

			fprintf(f, "{\"%s\":", ev.event_type);
			if (text)
				fputs(text, f);
			else
				write_all(f, ev.json, ev.json_len);
			fputs("}\n", f);
			cJSON_free(text);
			cJSON_Delete(j);
		} else {
			write_all(f, ev.json, ev.json_len);
			fputc('\n', f);
		}
		fflush(f);
	}
	return rc == BEDROCK_ITEROVER ? CLI_OK : cli_report(rc, &err);
}

static int runtime(int argc, char **argv, int op, const char *usage)
{
	bedrock_client *c = NULL;
	bedrock_response *r = NULL;
	bedrock_stream *s = NULL;
	bedrock_error_info err;
	cli_body body;
	cli_outfile out;
	size_t len = 0;
	args a;
	int rc, status;

	if (parse(&a, argc, argv, usage))
		return CLI_USAGE;
	if (!a.model_id || !a.body) {
		fprintf(stderr, "bedrock: --model-id and --body are required\n%s", usage);
		return CLI_USAGE;
	}
	if ((a.positional && op != 0) || (a.stream && op == 2)) {
		fprintf(stderr, "%s", usage);
		return CLI_USAGE;
	}
	/* Bedrock refuses a guardrail without its version; say so before
	 * sending anything. */
	if (a.headers.guardrail_identifier && !a.headers.guardrail_version) {
		fprintf(stderr, "bedrock: --guardrail-identifier needs --guardrail-version\n");
		return CLI_USAGE;
	}
	memset(&out, 0, sizeof(out));
	if (cli_body_load(&body, a.body))
		return CLI_USAGE;
	cli_note_model(a.model_id);
	status = cli_client_open(&c);
	/* An existing OUTFILE changes only if the call succeeds (as with the
	 * AWS CLI): the answer goes to a temporary file renamed at the end. */
	if (!status && cli_outfile_open(&out, a.positional))
		status = CLI_USAGE;
	else if (!status && a.stream) {
		rc = op == 0 ? bedrock_invoke_model_stream(&s, c, a.model_id, body.data, body.len, &a.headers, &err)
			     : bedrock_converse_stream(&s, c, a.model_id, body.data, body.len, NULL, &err);
		status = rc ? cli_report(rc, &err) : print_stream(s, out.f, op == 1);
	} else if (!status) {
		rc = op == 0   ? bedrock_invoke_model(&r, c, a.model_id, body.data, body.len, &a.headers, &err)
		     : op == 1 ? bedrock_converse(&r, c, a.model_id, body.data, body.len, NULL, &err)
			       : bedrock_count_tokens(&r, c, a.model_id, body.data, body.len, NULL, &err);
		if (rc) {
			status = cli_report(rc, &err);
		} else {
			const char *data = bedrock_response_body(r, &len);

			/* invoke writes the body byte for byte; the others print JSON. */
			write_all(out.f, data, len);
			if (op != 0)
				fputc('\n', out.f);
		}
	}
	if (out.f) {
		if (status)
			cli_outfile_abort(&out);
		else if (cli_outfile_commit(&out))
			status = CLI_USAGE;
	}
	bedrock_stream_free(s);
	bedrock_response_free(r);
	bedrock_client_free(c);
	cli_body_free(&body);
	return status;
}

int cmd_invoke(int argc, char **argv) { return runtime(argc, argv, 0, invoke_usage); }
int cmd_converse(int argc, char **argv) { return runtime(argc, argv, 1, converse_usage); }
int cmd_count_tokens(int argc, char **argv) { return runtime(argc, argv, 2, count_usage); }

/* ---- control plane ---- */

typedef enum {
	LIST_MODELS, GET_MODEL, GET_PROFILE, LOGGING_GET, LOGGING_PUT, LOGGING_DELETE
} control_op;

/* One control-plane call through the library's typed API; prints the body. */
static int control(control_op op, const char *arg, const bedrock_model_filter *filter)
{
	bedrock_client *c = NULL;
	bedrock_response *r = NULL;
	bedrock_error_info err;
	size_t len;
	int rc, status;

	status = cli_client_open(&c);
	if (status)
		return status;
	switch (op) {
	case LIST_MODELS: rc = bedrock_list_foundation_models(&r, c, filter, &err); break;
	case GET_MODEL: rc = bedrock_get_foundation_model(&r, c, arg, &err); break;
	case GET_PROFILE: rc = bedrock_get_inference_profile(&r, c, arg, &err); break;
	case LOGGING_GET: rc = bedrock_logging_get(&r, c, &err); break;
	case LOGGING_PUT: rc = bedrock_logging_put(&r, c, arg, &err); break;
	default: rc = bedrock_logging_delete(&r, c, &err); break;
	}
	if (rc) {
		status = cli_report(rc, &err);
	} else {
		const char *data = bedrock_response_body(r, &len);

		write_all(stdout, data, len);
		fputc('\n', stdout);
		status = CLI_OK;
	}
	bedrock_response_free(r);
	bedrock_client_free(c);
	return status;
}

int cmd_list_models(int argc, char **argv)
{
	static const char usage[] =
		"usage: bedrock list-models [--provider P]\n"
		"  ListFoundationModels: prints Bedrock's answer as one JSON line\n"
		"  ({\"modelSummaries\": [...]}), only provider P's models with --provider.\n"
		"  (bedrock models shows the same as a table.)\n";
	bedrock_model_filter filter = BEDROCK_MODEL_FILTER_INIT;
	args a;

	if (parse(&a, argc, argv, usage) || a.positional)
		return CLI_USAGE;
	filter.provider = a.provider;
	return control(LIST_MODELS, NULL, &filter);
}

static int get_one(int argc, char **argv, const char *usage, control_op op)
{
	args a;

	if (parse(&a, argc, argv, usage) || !a.positional) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	return control(op, a.positional, NULL);
}

int cmd_get_model(int argc, char **argv)
{
	return get_one(argc, argv,
		       "usage: bedrock get-model MODEL_ID\n"
		       "  GetFoundationModel: prints Bedrock's answer as one JSON line\n"
		       "  ({\"modelDetails\": {...}}).\n", GET_MODEL);
}

int cmd_get_profile(int argc, char **argv)
{
	return get_one(argc, argv,
		       "usage: bedrock get-profile PROFILE_ID_OR_ARN\n"
		       "  GetInferenceProfile: prints Bedrock's answer (the profile, its models\n"
		       "  and their Regions) as one JSON line.\n", GET_PROFILE);
}

/* Every page, merged into one {"inferenceProfileSummaries": [...]}. */
int cmd_list_profiles(int argc, char **argv)
{
	static const char usage[] =
		"usage: bedrock list-profiles [--type SYSTEM_DEFINED|APPLICATION]\n"
		"  ListInferenceProfiles: every page, merged into one JSON line\n"
		"  ({\"inferenceProfileSummaries\": [...]}), only one kind with --type.\n";
	bedrock_client *c = NULL;
	cJSON *all = NULL;
	int status;
	args a;

	if (parse(&a, argc, argv, usage) || a.positional)
		return CLI_USAGE;
	status = cli_client_open(&c);
	if (!status)
		status = cli_profiles_fetch(&all, c, a.type);
	if (!status) {
		char *text = cJSON_PrintUnformatted(all);

		puts(text ? text : "{}");
		free(text);
	}
	cJSON_Delete(all);
	bedrock_client_free(c);
	return status;
}

/* What is wrong with enable's destinations, said on standard error; 0
 * when nothing is. */
static int logging_destination_error(const args *a)
{
	const char *msg = NULL;
	size_t bucket;

	if (a->role_arn && !a->cloudwatch)
		msg = "--role-arn goes with --cloudwatch LOG_GROUP";
	else if (!a->s3 && !a->cloudwatch)
		msg = "logging enable needs a destination: --s3 s3://BUCKET/PREFIX, "
		      "--cloudwatch LOG_GROUP --role-arn ARN, or both";
	else if (a->cloudwatch && !a->role_arn)
		msg = "--cloudwatch needs --role-arn (the IAM role Bedrock writes the logs as)";
	else if (a->cloudwatch && !*a->cloudwatch)
		msg = "--cloudwatch needs a log group name";
	if (msg) {
		fprintf(stderr, "bedrock: %s\n", msg);
		return -1;
	}
	if (!a->s3)
		return 0;
	bucket = strncmp(a->s3, "s3://", 5) ? 0 : strcspn(a->s3 + 5, "/");
	/* S3 bucket names are 3 to 63 characters. */
	if (bucket < 3 || bucket > 63) {
		fprintf(stderr, "bedrock: --s3 takes s3://BUCKET or s3://BUCKET/PREFIX, not '%s'\n", a->s3);
		return -1;
	}
	return 0;
}

/* The options of the other platform's logging: said on standard error,
 * -1; 0 when there are none. */
static int logging_platform_error(const args *a, bedrock_platform platform)
{
	if (platform == BEDROCK_PLATFORM_VERTEX && (a->s3 || a->cloudwatch || a->role_arn)) {
		fprintf(stderr, "bedrock: --s3, --cloudwatch and --role-arn are Bedrock's invocation "
			"logging; on Vertex AI logging enable takes --bigquery bq://PROJECT.DATASET[.TABLE]\n");
		return -1;
	}
	if (platform != BEDROCK_PLATFORM_VERTEX && (a->bigquery || a->sampling_rate || a->model)) {
		fprintf(stderr, "bedrock: --bigquery, --sampling-rate and -m are Vertex AI's "
			"request-response logging (--platform vertex); Bedrock's invocation logging is "
			"the region's, for every model: --s3 s3://BUCKET/PREFIX or --cloudwatch LOG_GROUP "
			"--role-arn ARN\n");
		return -1;
	}
	return 0;
}

int cmd_logging(int argc, char **argv)
{
	bedrock_platform platform;
	const char *from;
	cJSON *cfg;
	char *text;
	args a;
	int status;

	if (parse(&a, argc, argv, logging_usage))
		return CLI_USAGE;
	if (!a.positional) {
		fprintf(stderr, "bedrock: logging needs show, enable or disable\n%s", logging_usage);
		return CLI_USAGE;
	}
	if (strcmp(a.positional, "show") && strcmp(a.positional, "disable") &&
	    strcmp(a.positional, "enable")) {
		fprintf(stderr, "bedrock: logging: unknown command '%s' (show, enable or disable)\n%s",
			a.positional, logging_usage);
		return CLI_USAGE;
	}
	/* The platform decides which options make sense, before anything is
	 * sent. */
	if (cli_platform(&platform, &from) || logging_platform_error(&a, platform))
		return CLI_USAGE;
	if (platform == BEDROCK_PLATFORM_VERTEX) {
		logging_vertex_args v = { a.positional, a.model, a.bigquery, a.sampling_rate };

		return logging_vertex(&v);
	}
	if (!strcmp(a.positional, "show"))
		return control(LOGGING_GET, NULL, NULL);
	if (!strcmp(a.positional, "disable"))
		return control(LOGGING_DELETE, NULL, NULL);
	if (logging_destination_error(&a))
		return CLI_USAGE;
	cfg = cJSON_CreateObject();
	cJSON_AddBoolToObject(cfg, "textDataDeliveryEnabled", 1);
	cJSON_AddBoolToObject(cfg, "imageDataDeliveryEnabled", 1);
	cJSON_AddBoolToObject(cfg, "embeddingDataDeliveryEnabled", 1);
	if (a.s3) {
		const char *bucket = a.s3 + 5, *slash = strchr(bucket, '/');
		cJSON *s3 = cJSON_AddObjectToObject(cfg, "s3Config");
		char name[256];

		snprintf(name, sizeof(name), "%.*s", (int)(slash ? (size_t)(slash - bucket) : strlen(bucket)),
			 bucket);
		cJSON_AddStringToObject(s3, "bucketName", name);
		if (slash && slash[1])
			cJSON_AddStringToObject(s3, "keyPrefix", slash + 1);
	}
	if (a.cloudwatch) {
		cJSON *cw = cJSON_AddObjectToObject(cfg, "cloudWatchConfig");

		cJSON_AddStringToObject(cw, "logGroupName", a.cloudwatch);
		cJSON_AddStringToObject(cw, "roleArn", a.role_arn);
	}
	text = cJSON_PrintUnformatted(cfg);
	status = text ? control(LOGGING_PUT, text, NULL) : CLI_USAGE;
	free(text);
	cJSON_Delete(cfg);
	return status;
}

/* bedrock api-key: a short-term Bedrock API key from the current
 * credentials, for the current region. */
int cmd_api_key(int argc, char **argv)
{
	static const char usage[] = "usage: bedrock api-key [--expires SECONDS]   (default 43200)\n";
	bedrock_config_options co = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_auth_options ao = BEDROCK_AUTH_OPTIONS_INIT;
	bedrock_config *cfg = NULL;
	bedrock_auth *auth = NULL;
	bedrock_credentials *creds = NULL;
	bedrock_error_info err;
	const char *region;
	unsigned long expires = 43200;
	char *key = NULL, *end;
	int i, g, rc, status = CLI_CONFIG;

	for (i = 1; i < argc; i++) {
		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
		} else if (!strcmp(argv[i], "--expires")) {
			const char *v = cli_value(argc, argv, &i, "bedrock api-key");

			if (!v)
				return CLI_USAGE;
			expires = strtoul(v, &end, 10);
			if (*end || expires < 1 || expires > 43200) {
				fprintf(stderr, "bedrock: --expires is 1 to 43200 seconds\n");
				return CLI_USAGE;
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return CLI_OK;
		} else {
			fputs(usage, stderr);
			return CLI_USAGE;
		}
	}
	co.profile = ao.profile = cli_g.profile;
	if (cli_g.emulate) {
		/* Made from the emulator's own key, without AWS files; `bedrock emulate
		 * --bearer KEY` accepts it. */
		region = cli_emulate_region();
		ao.profile = NULL;
		ao.access_key_id = EMU_DEFAULT_ACCESS_KEY_ID;
		ao.secret_access_key = EMU_DEFAULT_SECRET_KEY;
	} else {
		rc = bedrock_config_load(&cfg, &co);
		if (!rc && cli_check_profile(cfg, cli_g.profile))
			goto done;
		if (rc || bedrock_config_region(&region, NULL, cfg, cli_g.region)) {
			cli_setup_failed(cfg ? bedrock_config_errmsg(cfg) : "out of memory");
			goto done;
		}
	}
	/* A key is made from AWS credentials, never from another key. */
	ao.provider = NULL;
	if (bedrock_auth_new(&auth, &ao, &err) || bedrock_auth_get_kind(auth) != BEDROCK_AUTH_SIGV4) {
		fprintf(stderr, "bedrock: %s\n", auth ? "AWS credentials are needed to make a key "
							"(AWS_BEARER_TOKEN_BEDROCK is already a key)"
						      : err.message);
		goto done;
	}
	rc = bedrock_creds_provider_get(&creds, bedrock_auth_provider(auth), &err);
	if (rc) {
		status = cli_report(rc, &err);
		goto done;
	}
	rc = bedrock_api_key_generate(&key, creds, region, (unsigned)expires, (int64_t)time(NULL), &err);
	if (rc) {
		status = cli_report(rc, &err);
		goto done;
	}
	puts(key);
	status = CLI_OK;
done:
	bedrock_api_key_free(key);
	bedrock_credentials_release(creds);
	bedrock_auth_free(auth);
	bedrock_config_free(cfg);
	return status;
}
