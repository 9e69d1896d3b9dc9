/* The CLI's Google credentials: one provider per process, shared by the
 * client and the commands that describe it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_client.h"
#include "cli_google.h"

static bedrock_google_provider *provider;

bedrock_google_provider *cli_google_provider(bedrock_error_info *err)
{
	if (!provider && bedrock_google_provider_new_default(&provider, NULL, err))
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
