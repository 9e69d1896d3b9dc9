/* Control-plane reads shared by the raw commands and `bedrock models`. */
#ifndef BEDROCK_CLI_CONTROL_H
#define BEDROCK_CLI_CONTROL_H

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"

/* The JSON of a control-plane call's answer (r is freed): a CLI exit code,
 * the error already reported when rc is not 0. */
int cli_parse_response(cJSON **out, int rc, bedrock_response *r, const bedrock_error_info *err);
/* Every page of ListInferenceProfiles (type NULL = all), merged into one
 * {"inferenceProfileSummaries": [...]}. Returns a CLI exit code. */
int cli_profiles_fetch(cJSON **out, bedrock_client *c, const char *type);

#endif
