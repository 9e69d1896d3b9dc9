/* The CLI's Google side (Vertex AI): one credentials provider for the
 * process, and what `config` and `debug credentials` say of it. */
#ifndef BEDROCK_CLI_GOOGLE_H
#define BEDROCK_CLI_GOOGLE_H

#include "bedrock/bedrock.h"

/* The process's Application Default Credentials provider (made on first
 * use); NULL with err filled if it cannot be made. */
bedrock_google_provider *cli_google_provider(bedrock_error_info *err);
void cli_google_free(void);

/* Where the Vertex AI location comes from: --region, CLOUD_ML_REGION;
 * NULL if nowhere (*from then names both). */
const char *cli_vertex_region(const char **from);

/* A token's origin for people: "service_account sa@p.iam.gserviceaccount.com
 * (key ****abcd)", "authorized_user", "metadata (sa@...)". Never the token. */
void cli_google_describe(char *out, size_t cap, const bedrock_google_token *tok);

#endif
