/* Control-plane reads shared by the raw commands and `bedrock models`. */
#ifndef BEDROCK_CLI_CONTROL_H
#define BEDROCK_CLI_CONTROL_H

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"

/* GET path on the control plane, parsed. Returns a CLI exit code (the
 * error already reported); *out is the JSON body on CLI_OK. */
int cli_control_get(cJSON **out, bedrock_client *c, const char *path);
/* Every page of ListInferenceProfiles (type NULL = all), merged into one
 * {"inferenceProfileSummaries": [...]}. Returns a CLI exit code. */
int cli_profiles_fetch(cJSON **out, bedrock_client *c, const char *type);

#endif
