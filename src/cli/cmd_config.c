/* bedrock config: what a command would use, and where each value came
 * from, in the manner of `aws configure list`. Never a secret: key ids
 * appear as ****WXYZ, bearer keys and secrets not at all. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "cli_google.h"
#include "emu_embed.h"

static const char usage[] =
	"usage: bedrock config\n"
	"  Shows the profile, region, endpoints and credentials the other commands\n"
	"  would use, and where each came from (honours the global options). Exit\n"
	"  status 4 when the region or the credentials cannot be resolved.\n";

static void row(const char *name, const char *value, const char *from)
{
	printf("%-12s %-48s %s\n", name, value && *value ? value : "<not set>", from ? from : "");
}

/* The credentials line; 0, or -1 when none resolve. With quiet, the reason
 * is not repeated on stderr (an unknown profile already said it). */
static int show_credentials(int quiet)
{
	bedrock_auth_options ao = BEDROCK_AUTH_OPTIONS_INIT;
	bedrock_credentials *creds = NULL;
	bedrock_auth *auth = NULL;
	bedrock_error_info err;
	char value[128], from[320], redacted[9];
	int rc = -1;

	ao.profile = cli_g.profile;
	if (bedrock_auth_new(&auth, &ao, &err)) {
		row("credentials", NULL, err.message);
		return -1;
	}
	if (bedrock_auth_get_kind(auth) == BEDROCK_AUTH_BEARER) {
		const char *key = bedrock_auth_bearer_token(auth);

		/* Only the kind and its last characters: a bearer key is a secret whole. */
		snprintf(value, sizeof(value), "Bedrock API key ****%s",
			 strlen(key) > 8 ? key + strlen(key) - 4 : "");
		row("credentials", value, bedrock_auth_source(auth));
		bedrock_auth_free(auth);
		return 0;
	}
	if (bedrock_creds_provider_get(&creds, bedrock_auth_provider(auth), &err)) {
		row("credentials", NULL, "none found");
		if (!quiet) {
			fprintf(stderr, "bedrock: %s\n", err.message);
			cli_hint(&err, NULL, NULL);
		}
		goto done;
	}
	bedrock_redact_key_id(redacted, bedrock_credentials_access_key_id(creds));
	snprintf(value, sizeof(value), "%s%s", redacted,
		 bedrock_credentials_session_token(creds) ? " with a session token" : "");
	if (bedrock_credentials_expiration(creds)) {
		time_t t = (time_t)bedrock_credentials_expiration(creds);
		struct tm tm;
		char when[32];

		gmtime_r(&t, &tm);
		strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%SZ", &tm);
		snprintf(from, sizeof(from), "%s, expires %s", bedrock_credentials_provider(creds), when);
	} else {
		snprintf(from, sizeof(from), "%s", bedrock_credentials_provider(creds));
	}
	row("credentials", value, from);
	rc = 0;
done:
	bedrock_credentials_release(creds);
	bedrock_auth_free(auth);
	return rc;
}

static void show_endpoints(const bedrock_config *cfg, const char *region)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_client *c = NULL;
	bedrock_error_info err;
	const char *env = bedrock_config_endpoint(cfg, "BEDROCK_RUNTIME");

	o.region = region;
	o.profile = cli_g.profile;
	o.endpoint_url = cli_g.endpoint_url;
	/* Keys so that building the client never reaches for credentials. */
	o.access_key_id = EMU_DEFAULT_ACCESS_KEY_ID;
	o.secret_access_key = EMU_DEFAULT_SECRET_KEY;
	if (bedrock_client_new(&c, &o, &err)) {
		row("endpoint", NULL, err.message);
		return;
	}
	row("endpoint", bedrock_client_endpoint(c),
	    cli_g.endpoint_url ? "--endpoint-url"
	    : env		 ? "AWS_ENDPOINT_URL_BEDROCK_RUNTIME, AWS_ENDPOINT_URL or the profile"
				 : "the region's default");
	bedrock_client_free(c);
}

/* A region from the environment or a profile is not checked on the way
 * in as --region is: say here what is wrong with it. */
static int region_warning(const char *region)
{
	char why[128];

	if (cli_region_check(region, why, sizeof(why))) {
		fprintf(stderr, "bedrock: invalid region '%s': %s\n", region, why);
		return -1;
	}
	if (!bedrock_region_profile_geos(region))
		fprintf(stderr, "bedrock: warning: '%s' is not a region libbedrock knows Bedrock "
			"in (no cross-region profile serves it): check the name if calls fail\n",
			region);
	return 0;
}

/* Vertex AI: the location, the project, the endpoint and the Google
 * credentials, each with where it came from. Never a token or key. */
static int vertex_config(bedrock_client *c)
{
	char project[256], shown[512];
	const char *from, *region = cli_vertex_region(&from);
	bedrock_google_provider *p;
	bedrock_google_token *tok = NULL;
	bedrock_error_info err;
	int status = CLI_OK;

	row("region", cli_g.emulate && !region ? bedrock_client_region(c) : region,
	    cli_g.emulate && !region ? "--emulate's default" : from);
	if (bedrock_client_project(project, sizeof(project), &from, c, &err) == 0) {
		row("project", project, cli_g.emulate && !cli_g.project ? "--emulate's default" : from);
	} else {
		row("project", NULL, err.message);
		status = CLI_CONFIG;
	}
	row("endpoint", bedrock_client_endpoint(c),
	    cli_g.emulate ? "--emulate" : cli_g.endpoint_url ? "--endpoint-url"
	    : getenv("ANTHROPIC_VERTEX_BASE_URL") ? "ANTHROPIC_VERTEX_BASE_URL"
	    : "the location's default");
	if (cli_g.emulate) {
		row("credentials", "the emulator's Google token", "--emulate");
		return status;
	}
	if (!(p = cli_google_provider(&err)) ||
	    bedrock_google_provider_get(&tok, p, NULL, &err) != 0) {
		row("credentials", NULL, err.message);
		return CLI_CONFIG;
	}
	cli_google_describe(shown, sizeof(shown), tok);
	{
		const char *src = bedrock_google_token_source(tok);
		const char *file = bedrock_google_token_file(tok);
		char where[512];

		snprintf(where, sizeof(where), "%s%s%s%s", src ? src : "", file && *file ? " (" : "",
			 file ? file : "", file && *file ? ")" : "");
		row("credentials", shown, where);
	}
	if (bedrock_google_token_quota_project(tok) && *bedrock_google_token_quota_project(tok))
		row("quota", bedrock_google_token_quota_project(tok),
		    "quota_project_id (sent as x-goog-user-project)");
	bedrock_google_token_release(tok);
	return status;
}

/* Off Bedrock: the platform, its endpoint and where the key comes from. */
static int platform_config(bedrock_platform platform, const char *from)
{
	const char *key = getenv("ANTHROPIC_API_KEY"), *token = getenv("ANTHROPIC_AUTH_TOKEN");
	const char *base = getenv("ANTHROPIC_BASE_URL");
	bedrock_client *c = NULL;
	char shown[64];
	int status;

	printf("%-12s %-48s %s\n", "NAME", "VALUE", "FROM");
	row("platform", bedrock_platform_name(platform), from);
	if ((status = cli_client_open(&c)) != 0)
		return status;
	if (platform == BEDROCK_PLATFORM_VERTEX) {
		status = vertex_config(c);
		bedrock_client_free(c);
		return status;
	}
	row("endpoint", bedrock_client_endpoint(c),
	    cli_g.emulate ? "--emulate" : cli_g.endpoint_url ? "--endpoint-url"
	    : base && *base ? "ANTHROPIC_BASE_URL" : "the default");
	if (cli_g.emulate) {
		row("credentials", "the emulator's key", "--emulate");
	} else {
		const char *v = key && *key ? key : token && *token ? token : NULL;

		/* The kind and its last characters: the key is a secret whole. */
		snprintf(shown, sizeof(shown), "%s ****%s", key && *key ? "API key" : "auth token",
			 v && strlen(v) > 12 ? v + strlen(v) - 4 : "");
		row("credentials", v ? shown : NULL,
		    key && *key ? "ANTHROPIC_API_KEY" : token && *token ? "ANTHROPIC_AUTH_TOKEN"
		    : "none: set ANTHROPIC_API_KEY");
		if (!v)
			status = CLI_CONFIG;
	}
	bedrock_client_free(c);
	return status;
}

int cmd_config(int argc, char **argv)
{
	bedrock_config_options co = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_region_source source = BEDROCK_REGION_EXPLICIT;
	bedrock_config *cfg = NULL;
	const char *region = NULL, *env_profile = getenv("AWS_PROFILE");
	char from[512];
	int i, g, status = CLI_OK, no_profile;
	bedrock_platform platform;
	const char *pfrom;

	cli_g.hints = 1;

	for (i = 1; i < argc; i++) {
		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return CLI_OK;
		} else if (argv[i][0] == '-') {
			cli_unknown_option("bedrock config", argv[i], cli_global_names, NULL);
			fputs(usage, stderr);
			return CLI_USAGE;
		} else {
			fprintf(stderr, "bedrock config: unexpected argument '%s'\n%s", argv[i], usage);
			return CLI_USAGE;
		}
	}
	if (cli_platform(&platform, &pfrom) || cli_region_for(platform))
		return CLI_USAGE;
	if (platform != BEDROCK_PLATFORM_BEDROCK)
		return platform_config(platform, pfrom);
	if (cli_g.emulate) {
		printf("%-12s %-48s %s\n", "NAME", "VALUE", "FROM");
		row("platform", "bedrock", pfrom);
		row("profile", "-", "--emulate uses no profile");
		row("region", cli_g.region ? cli_g.region : "us-east-1",
		    cli_g.region ? "--region" : "--emulate's default");
		row("endpoint", "an emulator inside this process", "--emulate");
		bedrock_redact_key_id(from, EMU_DEFAULT_ACCESS_KEY_ID);
		row("credentials", from, "the emulator's key (AWS's documented example)");
		return CLI_OK;
	}
	co.profile = cli_g.profile;
	if (bedrock_config_load(&cfg, &co)) {
		fprintf(stderr, "bedrock: %s\n", cfg ? bedrock_config_errmsg(cfg) : "out of memory");
		bedrock_config_free(cfg);
		return CLI_CONFIG;
	}
	/* Only now: no table at all, not an empty one, when the files do not parse. */
	printf("%-12s %-48s %s\n", "NAME", "VALUE", "FROM");
	row("platform", "bedrock", pfrom);
	snprintf(from, sizeof(from), "%s%s", cli_g.profile ? "--profile" : env_profile && *env_profile ? "AWS_PROFILE" : "the default",
		 bedrock_config_has_profile(cfg, bedrock_config_profile(cfg)) ? ""
		 : " (not in the config or credentials file)");
	row("profile", bedrock_config_profile(cfg), from);
	no_profile = cli_check_profile(cfg, cli_g.profile);
	if (no_profile)
		status = CLI_CONFIG;
	if (bedrock_config_region(&region, &source, cfg, cli_g.region)) {
		row("region", NULL, bedrock_config_errmsg(cfg));
		status = CLI_CONFIG;
	} else {
		if (source == BEDROCK_REGION_PROFILE)
			snprintf(from, sizeof(from), "profile '%s' in %s", bedrock_config_profile(cfg),
				 bedrock_config_config_file(cfg));
		else
			snprintf(from, sizeof(from), "%s",
				 source == BEDROCK_REGION_EXPLICIT ? "--region" : bedrock_region_source_name(source));
		row("region", region, from);
		show_endpoints(cfg, region);
		if (region_warning(region))
			status = CLI_CONFIG;
	}
	if (show_credentials(no_profile))
		status = CLI_CONFIG;
	if (bedrock_config_insecure_credentials_file(cfg))
		fprintf(stderr, "bedrock: warning: %s can be read by other users; run 'chmod 600' on it\n",
			bedrock_config_credentials_file(cfg));
	bedrock_config_free(cfg);
	return status;
}
