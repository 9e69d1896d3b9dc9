/* credential_process output on arbitrary bytes: parse or refuse cleanly;
 * an error message never echoes the input (it may hold a secret). */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "creds_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bedrock_credentials *c = NULL;
	bedrock_error_info err;

	if (bedrock__process_output_parse(&c, (const char *)data, size, &err) == 0) {
		if (!bedrock_credentials_access_key_id(c) || !bedrock_credentials_secret_access_key(c))
			__builtin_trap();
		bedrock_credentials_release(c);
	} else if (c != NULL || err.message[0] == '\0') {
		__builtin_trap();
	}
	return 0;
}
