/* The model catalog on arbitrary identifiers: resolving must never crash,
 * and whatever resolves must be self-consistent (a model's profile ids
 * resolve back to it; opaque ARNs lend a pointer inside the input). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/models.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check(const char *id)
{
	char msg[BEDROCK_MODEL_MESSAGE_MAX], pid[BEDROCK_MODEL_ID_MAX];
	bedrock_model_ref ref, back;
	int rc = bedrock_model_resolve(&ref, id);

	if (rc != 0) {
		if (ref.model != NULL || ref.resource_id != NULL || ref.region[0] != '\0')
			__builtin_trap();
		return;
	}
	rc = bedrock_model_check_invocable(msg, sizeof(msg), &ref);
	if (ref.model == NULL) {
		if (ref.kind != BEDROCK_MODEL_REF_OPAQUE_ARN || rc == 0 || ref.resource_id == NULL ||
		    ref.resource_id < id || ref.resource_id > id + strlen(id))
			__builtin_trap();
		return;
	}
	if ((rc == 0) != (ref.model->on_demand || ref.geo != 0))
		__builtin_trap();
	if (ref.geo != 0) {
		if (bedrock_model_profile_id(pid, sizeof(pid), ref.model, ref.geo) != 0 ||
		    bedrock_model_resolve(&back, pid) != 0 || back.model != ref.model ||
		    back.geo != ref.geo)
			__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *s = malloc(size + 1);
	size_t i, start = 0;

	if (s == NULL)
		return 0;
	memcpy(s, data, size);
	s[size] = '\0';
	/* The whole input as one string, then each NUL-separated piece. */
	check(s);
	for (i = 0; i <= size; i++) {
		if (s[i] == '\0') {
			if (start > 0)
				check(s + start);
			start = i + 1;
		}
	}
	free(s);
	return 0;
}
