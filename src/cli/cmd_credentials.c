/* bedrock debug credentials: which credentials and region would be used,
 * and where they came from. Never prints a secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "cli_client.h"
#include "cli_google.h"
#include "emu_embed.h"
#include "cli_args.h"

static const char usage[] = "usage: bedrock debug credentials [--profile NAME] [--region REGION]\n";

static void iso(char *out, size_t cap, int64_t t)
{
	time_t tt = (time_t)t;
	struct tm tm;

	gmtime_r(&tt, &tm);
	strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* --emulate: the emulator's key and region, as `bedrock --emulate ask` uses. */
static int show_emulated(void)
{
	cJSON *o = cJSON_CreateObject();
	char redacted[9], *text;

	bedrock_redact_key_id(redacted, EMU_DEFAULT_ACCESS_KEY_ID);
	cJSON_AddStringToObject(o, "provider", "emulate");
	cJSON_AddStringToObject(o, "access_key_id", redacted);
	cJSON_AddBoolToObject(o, "has_session_token", 0);
	cJSON_AddNullToObject(o, "expiration");
	cJSON_AddStringToObject(o, "region", cli_emulate_region());
	cJSON_AddStringToObject(o, "region_source", cli_g.region ? "explicit" : "emulate");
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return CLI_USAGE;
	puts(text);
	cJSON_free(text);
	return CLI_OK;
}

/* Vertex AI: the Google credentials' type and source, the project and the
 * location, each with where it came from; never a token or key. */
static int show_google(void)
{
	bedrock_client *c = NULL;
	bedrock_google_provider *p;
	bedrock_google_token *tok = NULL;
	bedrock_error_info err;
	char project[256], when[32];
	const char *from, *region = cli_vertex_region(&from), *v;
	cJSON *o;
	char *text;
	int status;

	if (cli_g.emulate) {
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "platform", "vertex");
		cJSON_AddStringToObject(o, "type", "access_token");
		cJSON_AddStringToObject(o, "source", "emulate");
	} else {
		if (!(p = cli_google_provider(&err)) ||
		    bedrock_google_provider_get(&tok, p, NULL, &err) != 0)
			return cli_report(err.code ? err.code : BEDROCK_ECONFIG, &err);
		o = cJSON_CreateObject();
		cJSON_AddStringToObject(o, "platform", "vertex");
		cJSON_AddStringToObject(o, "type", bedrock_google_credential_type_name(
						      bedrock_google_token_type(tok)));
		v = bedrock_google_token_source(tok);
		cJSON_AddStringToObject(o, "source", v ? v : "");
		if ((v = bedrock_google_token_file(tok)) && *v)
			cJSON_AddStringToObject(o, "file", v);
		if ((v = bedrock_google_token_email(tok)) && *v)
			cJSON_AddStringToObject(o, "email", v);
		if ((v = bedrock_google_token_key_id(tok)) && *v)
			cJSON_AddStringToObject(o, "key_id", v);
		if ((v = bedrock_google_token_quota_project(tok)) && *v)
			cJSON_AddStringToObject(o, "quota_project", v);
		if (bedrock_google_token_expiry(tok)) {
			iso(when, sizeof(when), bedrock_google_token_expiry(tok));
			cJSON_AddStringToObject(o, "expiration", when);
		} else {
			cJSON_AddNullToObject(o, "expiration");
		}
		bedrock_google_token_release(tok);
	}
	/* The project as the calls resolve it: through a client. */
	status = cli_client_open(&c);
	if (!status && bedrock_client_project(project, sizeof(project), &v, c, &err) == 0) {
		cJSON_AddStringToObject(o, "project", project);
		cJSON_AddStringToObject(o, "project_source", v);
	} else {
		cJSON_AddNullToObject(o, "project");
		cJSON_AddStringToObject(o, "project_source", status ? "" : err.message);
	}
	bedrock_client_free(c);
	if (region || cli_g.emulate) {
		cJSON_AddStringToObject(o, "region", region ? region : "global");
		cJSON_AddStringToObject(o, "region_source", region ? from : "emulate");
	} else {
		cJSON_AddNullToObject(o, "region");
		cJSON_AddStringToObject(o, "region_source", from);
	}
	text = cJSON_PrintUnformatted(o);
	cJSON_Delete(o);
	if (!text)
		return CLI_USAGE;
	puts(text);
	cJSON_free(text);
	return status ? status : CLI_OK;
}

int cmd_debug_credentials(int argc, char **argv)
{
	bedrock_config_options co = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_auth_options ao = BEDROCK_AUTH_OPTIONS_INIT;
	bedrock_auth *auth = NULL;
	bedrock_credentials *creds = NULL;
	bedrock_config *cfg = NULL;
	bedrock_region_source source = BEDROCK_REGION_EXPLICIT;
	bedrock_error_info err;
	const char *region = NULL;
	cJSON *o = NULL;
	char *text;
	int i, g, rc, status = CLI_CONFIG;

	for (i = 1; i < argc; i++) {
		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "bedrock debug credentials: unexpected argument '%s'\n%s",
				argv[i], usage);
			return CLI_USAGE;
		}
	}
	{
		bedrock_platform platform;
		const char *pfrom;

		if (cli_platform(&platform, &pfrom) || cli_region_for(platform))
			return CLI_USAGE;
		if (platform == BEDROCK_PLATFORM_VERTEX)
			return show_google();
	}
	if (cli_g.emulate)
		return show_emulated();
	/* From here every failure is the set-up's: exit 4, as the commands
	 * that call Bedrock do. */
	co.profile = ao.profile = cli_g.profile;
	rc = bedrock_config_load(&cfg, &co);
	if (rc) {
		fprintf(stderr, "bedrock: %s\n",
			rc == BEDROCK_ENOMEM ? bedrock_strerror(rc) : bedrock_config_errmsg(cfg));
		goto done;
	}
	if (cli_check_profile(cfg, cli_g.profile))
		goto done;
	if (bedrock_config_insecure_credentials_file(cfg))
		fprintf(stderr, "bedrock: warning: %s can be read by other users; "
				"run 'chmod 600' on it\n", bedrock_config_credentials_file(cfg));
	rc = bedrock_config_region(&region, &source, cfg, cli_g.region);
	if (rc) {
		cli_setup_failed(bedrock_config_errmsg(cfg));
		goto done;
	}
	rc = bedrock_auth_new(&auth, &ao, &err);
	if (rc) {
		fprintf(stderr, "bedrock: %s\n", err.message);
		goto done;
	}
	o = cJSON_CreateObject();
	if (bedrock_auth_get_kind(auth) == BEDROCK_AUTH_BEARER) {
		cJSON_AddStringToObject(o, "provider", "bearer");
		cJSON_AddNullToObject(o, "access_key_id");
		cJSON_AddBoolToObject(o, "has_session_token", 0);
		cJSON_AddNullToObject(o, "expiration");
	} else {
		char redacted[9], when[32];

		rc = bedrock_creds_provider_get(&creds, bedrock_auth_provider(auth), &err);
		if (rc) {
			status = cli_report(rc, &err);
			goto done;
		}
		bedrock_redact_key_id(redacted, bedrock_credentials_access_key_id(creds));
		cJSON_AddStringToObject(o, "provider", bedrock_credentials_provider(creds));
		cJSON_AddStringToObject(o, "access_key_id", redacted);
		cJSON_AddBoolToObject(o, "has_session_token",
				      bedrock_credentials_session_token(creds) != NULL);
		if (bedrock_credentials_expiration(creds)) {
			iso(when, sizeof(when), bedrock_credentials_expiration(creds));
			cJSON_AddStringToObject(o, "expiration", when);
		} else {
			cJSON_AddNullToObject(o, "expiration");
		}
	}
	cJSON_AddStringToObject(o, "region", region);
	cJSON_AddStringToObject(o, "region_source", bedrock_region_source_name(source));
	text = cJSON_PrintUnformatted(o);
	if (text) {
		puts(text);
		cJSON_free(text);
		status = CLI_OK;
	} else {
		status = CLI_USAGE;
	}
done:
	cJSON_Delete(o);
	bedrock_credentials_release(creds);
	bedrock_auth_free(auth);
	bedrock_config_free(cfg);
	return status;
}
