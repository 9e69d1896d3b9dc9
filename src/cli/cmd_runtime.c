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

typedef struct {
	const char *model_id, *body, *outfile, *provider, *type, *s3, *cloudwatch, *role_arn;
	const char *positional;
	int stream;
	/* invoke's Bedrock headers, named as in `aws bedrock-runtime invoke-model` */
	bedrock_request_options headers;
} args;

static const char invoke_usage[] =
	"usage: bedrock invoke --model-id ID --body JSON|file://PATH|- [--stream] [OUTFILE|-]\n"
	"         [--guardrail-identifier ID --guardrail-version V] [--trace ENABLED|DISABLED|ENABLED_FULL]\n"
	"         [--performance-config-latency standard|optimized]\n"
	"         [--service-tier priority|default|flex|reserved]\n";
static const char converse_usage[] =
	"usage: bedrock converse --model-id ID --body JSON|file://PATH|- [--stream]\n";
static const char count_usage[] =
	"usage: bedrock count-tokens --model-id ID --body JSON|file://PATH|-\n";

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

/* Prints the events of a stream, one compact JSON line each. */
static int print_stream(bedrock_stream *s, FILE *f, int converse)
{
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0) {
		if (converse) {
			/* {"<eventType>": {...}} as the AWS CLI prints ConverseStream. */
			fprintf(f, "{\"%s\":%.*s}\n", ev.event_type, (int)ev.json_len, ev.json);
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
	char *body = NULL;
	size_t len = 0;
	FILE *out = stdout;
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
	if (cli_read_body(&body, &len, a.body))
		return CLI_USAGE;
	cli_note_model(a.model_id);
	status = cli_client_open(&c);
	if (status)
		goto done;
	if (a.positional && strcmp(a.positional, "-")) {
		out = fopen(a.positional, "wb");
		if (!out) {
			fprintf(stderr, "bedrock: cannot write %s\n", a.positional);
			status = CLI_USAGE;
			goto done;
		}
	}
	if (a.stream) {
		rc = op == 0 ? bedrock_invoke_model_stream(&s, c, a.model_id, body, len, &a.headers, &err)
			     : bedrock_converse_stream(&s, c, a.model_id, body, len, &err);
		status = rc ? cli_report(rc, &err) : print_stream(s, out, op == 1);
	} else {
		rc = op == 0   ? bedrock_invoke_model(&r, c, a.model_id, body, len, &a.headers, &err)
		     : op == 1 ? bedrock_converse(&r, c, a.model_id, body, len, &err)
			       : bedrock_count_tokens(&r, c, a.model_id, body, len, &err);
		if (rc) {
			status = cli_report(rc, &err);
		} else {
			const char *data = bedrock_response_body(r, &len);

			/* invoke writes the body byte for byte; the others print JSON. */
			status = write_all(out, data, len) ? CLI_USAGE : CLI_OK;
			if (op != 0 && !status)
				fputc('\n', out);
		}
	}
done:
	if (out && out != stdout)
		fclose(out);
	bedrock_stream_free(s);
	bedrock_response_free(r);
	bedrock_client_free(c);
	free(body);
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
	static const char usage[] = "usage: bedrock list-models [--provider P]\n";
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
	return get_one(argc, argv, "usage: bedrock get-model MODEL_ID\n", GET_MODEL);
}

int cmd_get_profile(int argc, char **argv)
{
	return get_one(argc, argv, "usage: bedrock get-profile PROFILE_ID_OR_ARN\n", GET_PROFILE);
}

/* Every page, merged into one {"inferenceProfileSummaries": [...]}. */
int cmd_list_profiles(int argc, char **argv)
{
	static const char usage[] = "usage: bedrock list-profiles [--type SYSTEM_DEFINED|APPLICATION]\n";
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

int cmd_logging(int argc, char **argv)
{
	static const char usage[] =
		"usage: bedrock logging show|disable\n"
		"       bedrock logging enable [--s3 s3://BUCKET/PREFIX] [--cloudwatch LOG_GROUP --role-arn ARN]\n";
	cJSON *cfg;
	char *text;
	args a;
	int status;

	if (parse(&a, argc, argv, usage) || !a.positional) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (!strcmp(a.positional, "show"))
		return control(LOGGING_GET, NULL, NULL);
	if (!strcmp(a.positional, "disable"))
		return control(LOGGING_DELETE, NULL, NULL);
	if (strcmp(a.positional, "enable") || (!a.s3 && !a.cloudwatch) ||
	    (a.cloudwatch && !a.role_arn) || (a.s3 && strncmp(a.s3, "s3://", 5))) {
		fputs(usage, stderr);
		return CLI_USAGE;
	}
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
	if (bedrock_config_load(&cfg, &co)) {
		fprintf(stderr, "bedrock: %s\n", bedrock_config_errmsg(cfg));
		goto done;
	}
	if (bedrock_config_region(&region, NULL, cfg, cli_g.region)) {
		fprintf(stderr, "bedrock: %s\n", bedrock_config_errmsg(cfg));
		goto done;
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
