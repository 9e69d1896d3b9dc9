/* The CLI's Google credentials: one provider per process, shared by the
 * client and the commands that describe it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_client.h"
#include "cli_google.h"

static bedrock_google_provider *provider;

static void log_line(int level, const char *line, void *payload)
{
	(void)payload;
	if (cli_g.debug)
		fprintf(stderr, "bedrock: %s%s\n", level == BEDROCK_LOG_DEBUG ? "debug: " : "", line);
}

/* Tokens are kept between runs, as gcloud keeps them, so that a new
 * process does not mint one (sign a JWT, call the token endpoint) each
 * time: $XDG_CACHE_HOME/bedrock/google, else ~/.cache/bedrock/google;
 * BEDROCK_NO_TOKEN_CACHE=1 turns it off. */
static int cache_dir(char *out, size_t cap)
{
	const char *off = getenv("BEDROCK_NO_TOKEN_CACHE"), *v;

	if (off && *off && strcmp(off, "0"))
		return -1;
	if ((v = getenv("XDG_CACHE_HOME")) != NULL && v[0] == '/')
		return snprintf(out, cap, "%s/bedrock/google", v) >= (int)cap ? -1 : 0;
	if ((v = getenv("HOME")) != NULL && v[0] == '/')
		return snprintf(out, cap, "%s/.cache/bedrock/google", v) >= (int)cap ? -1 : 0;
	return -1;
}

bedrock_google_provider *cli_google_provider(bedrock_error_info *err)
{
	bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
	char dir[4096];

	if (provider)
		return provider;
	if (!cache_dir(dir, sizeof(dir)))
		o.token_cache_dir = dir;
	o.log = log_line;
	if (bedrock_google_provider_new_default(&provider, &o, err))
		provider = NULL;
	return provider;
}

void cli_google_free(void)
{
	bedrock_google_provider_release(provider);
	provider = NULL;
}

const char *cli_vertex_region(const char **from)
{
	const char *v = getenv("CLOUD_ML_REGION");

	if (cli_g.region) {
		*from = "--region";
		return cli_g.region;
	}
	if (v && *v) {
		*from = "CLOUD_ML_REGION";
		return v;
	}
	*from = "none: give --region or set CLOUD_ML_REGION";
	return NULL;
}

void cli_google_describe(char *out, size_t cap, const bedrock_google_token *tok)
{
	const char *type = bedrock_google_credential_type_name(bedrock_google_token_type(tok));
	const char *email = bedrock_google_token_email(tok);
	const char *kid = bedrock_google_token_key_id(tok);

	snprintf(out, cap, "%s%s%s%s%s%s", type, email && *email ? " " : "",
		 email ? email : "", kid && *kid ? " (key " : "", kid ? kid : "",
		 kid && *kid ? ")" : "");
}
