/* The AWS shared config/credentials file format (INI dialect), parsed
 * without I/O: bytes in, sections out. Rules follow botocore's
 * configloader (configparser underneath) and the SDKs' file-format guide:
 *
 *  - `[section]` headers, name trimmed; a trailing `#`/`;` comment allowed;
 *  - `key = value` or `key: value`, key and value trimmed; keys are
 *    lower-cased (configparser's optionxform), section names are not; a
 *    later duplicate key replaces the earlier one;
 *  - whole-line comments start with `#` or `;` (no inline comments in
 *    values: `a = b # c` has the value `b # c`, as in botocore);
 *  - a key with an empty value followed by indented `k = v` lines is a
 *    nested sub-section (`s3 =\n  max_concurrent_requests = 10`); indented
 *    lines after a non-empty value continue it (joined with '\n');
 *  - a section that appears twice is merged, later keys winning.
 *
 * Errors name the line: "line 7: expected 'key = value'". */
#ifndef BEDROCK_INI_H
#define BEDROCK_INI_H

#include <stddef.h>

typedef struct bedrock__ini_entry {
	char *key;
	char *value;		/* never NULL; "" for a nested parent */
	struct bedrock__ini_entry *sub;	/* nested entries, or NULL */
	size_t sub_count;
	unsigned line;
} bedrock__ini_entry;

typedef struct bedrock__ini_section {
	char *name;
	bedrock__ini_entry *entries;
	size_t count;
	unsigned line;
} bedrock__ini_section;

typedef struct bedrock__ini {
	bedrock__ini_section *sections;
	size_t count;
	char errmsg[160];
	unsigned errline;
} bedrock__ini;

/* Parses data[0..len). Returns 0, BEDROCK_EPROTOCOL with ini->errmsg and
 * ini->errline set (ini still holds the sections parsed before the bad
 * line), or BEDROCK_ENOMEM. Free with bedrock__ini_dispose in every case. */
int bedrock__ini_parse(bedrock__ini *ini, const char *data, size_t len);
void bedrock__ini_dispose(bedrock__ini *ini);

/* Lookups return NULL when absent; pointers are lent from ini. */
const bedrock__ini_section *bedrock__ini_section_get(const bedrock__ini *ini,
						     const char *name);
const bedrock__ini_entry *bedrock__ini_entry_get(const bedrock__ini_section *s,
						 const char *key);
const char *bedrock__ini_value(const bedrock__ini *ini, const char *section,
			       const char *key);

#endif
