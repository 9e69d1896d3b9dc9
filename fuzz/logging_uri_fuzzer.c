/* `bedrock logging enable --bigquery URI` on Vertex AI, on arbitrary
 * bytes: the URI is accepted or refused with a reason, never read past
 * its end; what is accepted is bq://PROJECT.DATASET[.TABLE] with nothing
 * in it that would change the request's meaning (a slash, a quote, a
 * control character). */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "logging_vertex.h"
#include "utf8.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *uri = malloc(size + 1), why[160] = "";
	const char *p;
	size_t dots = 0;

	if (!uri)
		return 0;
	memcpy(uri, data, size);
	uri[size] = '\0';
	if (logging_vertex_check_uri(uri, why, sizeof(why)) == 0) {
		if (strncmp(uri, "bq://", 5) || why[0] || !bedrock__utf8_valid(uri, strlen(uri)))
			__builtin_trap();
		for (p = uri + 5; *p; p++) {
			if ((unsigned char)*p < 0x20 || *p == 0x7f || *p == '/' || *p == '"' ||
			    *p == '\\' || *p == '?' || *p == '#')
				__builtin_trap();
			/* The dots of a domain-scoped project come before its colon. */
			if (*p == '.' && !strchr(p, ':'))
				dots++;
		}
		if (dots < 1 || dots > 2)
			__builtin_trap();
	} else if (!why[0] || strlen(why) >= sizeof(why)) {
		__builtin_trap();
	}
	free(uri);
	return 0;
}
