/* The models file parser on arbitrary bytes: it must either give a
 * snapshot that keeps the catalog's promises (every field set, aliases
 * unique, no model nothing could call) or an error naming the file, and
 * never crash or leak. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "models_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define SOURCE "fuzz.json"

static int caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if ((*a | 0x20) != (*b | 0x20))
			return 0;
	return *a == *b;
}

static void check(const bedrock__catalog *c)
{
	char id[BEDROCK_MODEL_ID_MAX];
	size_t i, j, n = bedrock__catalog_count(c);

	if (n != c->count || n < bedrock__models_count || n > bedrock__models_count + c->entry_count)
		__builtin_trap();
	for (i = 0; i < n; i++) {
		const bedrock_model_info *m = bedrock__catalog_at(c, i);

		if (!m || !m->id || !m->name || !m->alias || !m->family || !m->source ||
		    (m->profiles & ~BEDROCK__PROFILE_ALL) || (!m->profiles && !m->on_demand) ||
		    !(m->modalities & BEDROCK_MODALITY_TEXT) || m->max_output_tokens == 0 ||
		    m->max_output_tokens > m->context_tokens || (m->legacy != (m->legacy_since != NULL)))
			__builtin_trap();
		if (strcmp(m->source, "built-in") && strcmp(m->source, SOURCE))
			__builtin_trap();
		/* Every profile id fits, as the header promises. */
		if (m->profiles && bedrock_model_profile_id(id, sizeof(id), m, bedrock_model_default_geo(m)))
			__builtin_trap();
		for (j = i + 1; j < n; j++) {
			const bedrock_model_info *o = bedrock__catalog_at(c, j);

			if (!strcmp(m->id, o->id) || (m->alias[0] && caseeq(m->alias, o->alias)))
				__builtin_trap();
		}
	}
	if (bedrock__catalog_at(c, n))
		__builtin_trap();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	bedrock__catalog *c = NULL;
	bedrock_error_info err;
	int rc;

	memset(&err, 0, sizeof(err));
	rc = bedrock__models_file_parse(&c, (const char *)data, size, SOURCE, &err);
	if (rc == 0) {
		if (!c)
			__builtin_trap();
		check(c);
		bedrock__catalog_free(c);
		return 0;
	}
	if (c || (rc != BEDROCK_ECONFIG && rc != BEDROCK_ENOMEM) || err.code != rc ||
	    strncmp(err.message, SOURCE ": ", strlen(SOURCE) + 2))
		__builtin_trap();
	return 0;
}
