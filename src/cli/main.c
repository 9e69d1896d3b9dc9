/* bedrock: the command-line tool for Claude on Amazon Bedrock. */
#include <stdio.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"

static const char usage[] =
	"usage: bedrock [global options] <command> [options]\n"
	"\n"
	"Everyday (bedrock COMMAND --help for the options):\n"
	"  ask [PROMPT|-]                   ask once; the answer streams to stdout\n"
	"  chat                             a conversation, with line editing and history\n"
	"  tokens [PROMPT|-]                count the input tokens of a prompt\n"
	"  models [--provider P] [--json]   the models of this region, with the id to call\n"
	"  config                           the profile, region, endpoint and credentials in use\n"
	"  convert --to PLATFORM [FILE|-]   a Messages body for bedrock, anthropic or vertex\n"
	"\n"
	"Bedrock, raw (as the AWS CLI shapes it):\n"
	"  invoke --model-id ID --body JSON|file://PATH|- [--stream] [OUTFILE|-]\n"
	"  converse --model-id ID --body JSON|file://PATH|- [--stream]\n"
	"  count-tokens --model-id ID --body JSON|file://PATH|-\n"
	"  list-models [--provider P]       get-model ID\n"
	"  list-profiles [--type T]         get-profile ID\n"
	"  logging show|enable|disable [--s3 s3://BUCKET/PREFIX] [--cloudwatch GROUP --role-arn ARN]\n"
	"                      on Vertex AI: [-m MODEL] [--bigquery bq://PROJECT.DATASET[.TABLE]]\n"
	"  api-key [--expires SECONDS]      a short-term Bedrock API key from your credentials\n"
	"\n"
	"Global options (before or after the command): --platform P, --region R,\n"
	"  --profile P, --endpoint-url URL, --max-attempts N, --retry-mode M, --debug,\n"
	"  --models-file PATH (models newer than the built-in catalog; default\n"
	"  $BEDROCK_MODELS_FILE, else ~/.config/bedrock/models.json),\n"
	"  --timeout SECONDS (each attempt: the wait for an answer, or a stream's longest silence),\n"
	"  --deadline SECONDS (the whole call: every attempt and back-off, a stream to its end),\n"
	"  --emulate (answer from an emulator inside this process: no AWS account needed)\n"
	"  --platform bedrock|anthropic|vertex: where Claude is called (default bedrock, or\n"
	"  $BEDROCK_PLATFORM; the Anthropic API takes ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL;\n"
	"  Vertex AI takes Google's credentials, --region (global, us, eu, us-east5, ...;\n"
	"  $CLOUD_ML_REGION) and --project ID ($ANTHROPIC_VERTEX_PROJECT_ID,\n"
	"  $GOOGLE_CLOUD_PROJECT, else the credentials' project))\n"
	"Exit status: 0 ok, 1 usage or local error, 2 AWS service error, 3 network or\n"
	"  timeout, 4 credentials or configuration.\n"
	"\n"
	"Local tools:\n"
	"  emulate [--listen HOST:PORT]\n"
	"                      run a local Bedrock Runtime emulator (HTTP/1.1 and HTTP/2)\n"
	"  gateway --config FILE [--listen HOST:PORT]\n"
	"                      run an LLM gateway: Bedrock, Anthropic API and Vertex clients\n"
	"                      with per-key keys, quotas, failover, activity log, metrics\n"
	"  gateway activity --dir DIR [--since WHEN] [--until WHEN] [--by GROUP] [--json]\n"
	"                      sum up a gateway's activity log: requests, errors, tokens,\n"
	"                      latency per key, model, session or upstream\n"
	"\n"
	"Diagnostics:\n"
	"  debug sign --request FILE --context FILE [--query]\n"
	"                      sign a raw HTTP request with SigV4 and print every stage\n"
	"  debug eventstream [--text] [FILE|-]\n"
	"                      decode an AWS event stream (e.g. a Bedrock response body)\n"
	"  debug credentials [--profile NAME] [--region REGION]\n"
	"                      show which credentials and region would be used (no secrets)\n"
	"\n"
	"  --version           print the version\n"
	"  --help              print this help\n";

static const char debug_usage[] =
	"usage: bedrock debug <subcommand> [options]   (bedrock debug SUBCOMMAND --help)\n"
	"  sign --request FILE --context FILE [--query]\n"
	"                      sign a raw HTTP request with SigV4 and print every stage\n"
	"  eventstream [--text] [FILE|-]\n"
	"                      decode an AWS event stream (e.g. a Bedrock response body)\n"
	"  credentials [--profile NAME] [--region REGION]\n"
	"                      show which credentials and region would be used (no secrets)\n";

/* group is NULL for a single-word command such as `emulate`. */
struct command {
	const char *group, *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ NULL, "ask", cmd_ask },
	{ NULL, "chat", cmd_chat },
	{ NULL, "tokens", cmd_tokens },
	{ NULL, "emulate", cmd_emulate },
	{ NULL, "gateway", cmd_gateway },
	{ NULL, "models", cmd_models },
	{ NULL, "config", cmd_config },
	{ NULL, "convert", cmd_convert },
	{ NULL, "invoke", cmd_invoke },
	{ NULL, "converse", cmd_converse },
	{ NULL, "count-tokens", cmd_count_tokens },
	{ NULL, "list-models", cmd_list_models },
	{ NULL, "get-model", cmd_get_model },
	{ NULL, "list-profiles", cmd_list_profiles },
	{ NULL, "get-profile", cmd_get_profile },
	{ NULL, "logging", cmd_logging },
	{ NULL, "api-key", cmd_api_key },
	{ "debug", "sign", cmd_debug_sign },
	{ "debug", "eventstream", cmd_debug_eventstream },
	{ "debug", "credentials", cmd_debug_credentials },
};

/* An unknown word where a command (or the name of a debug subcommand)
 * goes: the nearest one, if it looks like a typo. */
static int unknown(const char *group, const char *word)
{
	char names[512] = "", near[64];
	size_t i, n = 0;

	if (word[0] == '-') {
		cli_unknown_option("bedrock", word, cli_global_names, "bedrock --help lists them");
		return 1;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]) && n < sizeof(names); i++) {
		const struct command *c = &commands[i];

		if (!group)
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s ", c->group ? c->group : c->name);
		else if (c->group && !strcmp(c->group, group))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s ", c->name);
	}
	if (cli_nearest(near, sizeof(near), word, names))
		fprintf(stderr, "bedrock%s%s: unknown %s '%s' (did you mean '%s'?)\n", group ? " " : "",
			group ? group : "", group ? "subcommand" : "command", word, near);
	else
		fprintf(stderr, "bedrock%s%s: unknown %s '%s' (bedrock %s%s--help lists them)\n",
			group ? " " : "", group ? group : "", group ? "subcommand" : "command", word,
			group ? group : "", group ? " " : "");
	return 1;
}

int main(int argc, char **argv)
{
	size_t i;
	int g, k;

	/* Global options may come before the command name. */
	for (k = 1; k < argc && argv[k][0] == '-' && (g = cli_global_option(argc, argv, &k)) != 0; k++)
		if (g < 0)
			return 1;
	if (k > 1) {
		argv[k - 1] = argv[0];
		argv += k - 1;
		argc -= k - 1;
	}

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bedrock %s (libbedrock %s)\n", BEDROCK_VERSION, bedrock_version());
		return 0;
	}
	/* debug is a group: its own usage, not the whole tool's. */
	if (!strcmp(argv[1], "debug")) {
		if (argc < 3 || !strcmp(argv[2], "--help") || !strcmp(argv[2], "-h") ||
		    !strcmp(argv[2], "help")) {
			if (argc < 3)
				fputs("bedrock debug: missing subcommand\n", stderr);
			fputs(debug_usage, argc < 3 ? stderr : stdout);
			return argc < 3 ? 1 : 0;
		}
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (!c->group) {
			if (!strcmp(argv[1], c->name)) {
				int rc = c->run(argc - 1, argv + 1);

				cli_shutdown();
				return rc;
			}
			continue;
		}
		if (!strcmp(argv[1], c->group) && !strcmp(argv[2], c->name))
			return c->run(argc - 2, argv + 2);
	}
	if (!strcmp(argv[1], "debug")) {
		if (argv[2][0] == '-')
			cli_unknown_option("bedrock debug", argv[2], "--help", NULL);
		else
			unknown("debug", argv[2]);
		fputs(debug_usage, stderr);
		return 1;
	}
	return unknown(NULL, argv[1]);
}
