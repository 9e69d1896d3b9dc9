/* The shared config/credentials file parser on arbitrary bytes: it must
 * either parse or name a line, never crash or leak, and every lookup of
 * what it parsed must work. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bedrock__ini ini;
	size_t i, j;

	if (bedrock__ini_parse(&ini, (const char *)data, size) == 0) {
		for (i = 0; i < ini.count; i++) {
			const bedrock__ini_section *s = &ini.sections[i];

			if (bedrock__ini_section_get(&ini, s->name) == NULL)
				__builtin_trap();
			for (j = 0; j < s->count; j++)
				if (bedrock__ini_entry_get(s, s->entries[j].key) == NULL)
					__builtin_trap();
		}
	} else if (ini.errline == 0 && ini.errmsg[0] == '\0') {
		/* ENOMEM is the only error without a line. */
	}
	bedrock__ini_dispose(&ini);
	return 0;
}
