/* Internal parts of the shared-config module shared with the credential
 * providers. */
#ifndef BEDROCK_CONFIG_PRIVATE_H
#define BEDROCK_CONFIG_PRIVATE_H

#include "bedrock/config.h"

/* "~/x" → "$HOME/x"; other paths are copied. NULL on ENOMEM. */
char *bedrock__expand_home(const char *path);
/* The path of the config (0) or credentials (1) file. */
const char *bedrock__config_path(const bedrock_config *c, int credentials);
/* A profile's key from one file only: credentials (1) or config (0). */
const char *bedrock__config_get_in(const bedrock_config *c, int credentials,
				   const char *profile, const char *key);

#endif
