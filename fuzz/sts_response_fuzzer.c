/* STS XML answers on arbitrary bytes (the first byte picks the HTTP
 * status): credentials or a clean error, never a crash or a leak. */
#include <stddef.h>
#include <stdint.h>

#include "sts.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 500 };
	bedrock_credentials *c = NULL;
	bedrock_error_info err;
	long status = size ? statuses[data[0] & 3] : 200;

	if (size) {
		data++;
		size--;
	}
	if (bedrock__sts_parse(&c, "fuzz", status, (const char *)data, size, &err) == 0)
		bedrock_credentials_release(c);
	else if (c)
		__builtin_trap();
	return 0;
}
