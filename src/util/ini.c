#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "bedrock/errors.h"
#include "alloc.h"
#include "ini.h"

static int is_blank(int c)
{
	return c == ' ' || c == '\t';
}

/* Trims [*s, *e) in place of the pointers. */
static void trim(const char **s, const char **e)
{
	while (*s < *e && isspace((unsigned char)**s))
		(*s)++;
	while (*e > *s && isspace((unsigned char)(*e)[-1]))
		(*e)--;
}

static int fail(bedrock__ini *ini, unsigned line, const char *what)
{
	ini->errline = line;
	snprintf(ini->errmsg, sizeof(ini->errmsg), "line %u: %s", line, what);
	return BEDROCK_EPROTOCOL;
}

static void entry_dispose(bedrock__ini_entry *e)
{
	size_t i;

	for (i = 0; i < e->sub_count; i++)
		entry_dispose(&e->sub[i]);
	bedrock__free(e->sub);
	bedrock__free(e->key);
	bedrock__free(e->value);
}

void bedrock__ini_dispose(bedrock__ini *ini)
{
	size_t i, j;

	for (i = 0; i < ini->count; i++) {
		bedrock__ini_section *s = &ini->sections[i];

		for (j = 0; j < s->count; j++)
			entry_dispose(&s->entries[j]);
		bedrock__free(s->entries);
		bedrock__free(s->name);
	}
	bedrock__free(ini->sections);
	ini->sections = NULL;
	ini->count = 0;
}

/* Adds or replaces key in the array *list of *count entries; returns the
 * entry's index or -1 on ENOMEM. */
static long put_entry(bedrock__ini_entry **list, size_t *count, const char *k,
		      size_t klen, const char *v, size_t vlen, unsigned line)
{
	char *key, *value;
	size_t i;

	key = bedrock__strndup(k, klen);
	value = bedrock__strndup(v, vlen);
	if (!key || !value)
		goto oom;
	for (i = 0; i < klen; i++)
		key[i] = (char)tolower((unsigned char)key[i]);
	for (i = 0; i < *count; i++) {
		if (!strcmp((*list)[i].key, key)) {
			entry_dispose(&(*list)[i]);
			break;
		}
	}
	if (i == *count) {
		bedrock__ini_entry *p = bedrock__realloc(*list, (*count + 1) * sizeof(**list));
		if (!p)
			goto oom;
		*list = p;
		(*count)++;
	}
	(*list)[i] = (bedrock__ini_entry){ key, value, NULL, 0, line };
	return (long)i;
oom:
	bedrock__free(key);
	bedrock__free(value);
	return -1;
}

static long find_or_add_section(bedrock__ini *ini, const char *name, size_t len,
				unsigned line)
{
	bedrock__ini_section *p;
	size_t i;

	for (i = 0; i < ini->count; i++)
		if (strlen(ini->sections[i].name) == len &&
		    !memcmp(ini->sections[i].name, name, len))
			return (long)i;
	p = bedrock__realloc(ini->sections, (ini->count + 1) * sizeof(*p));
	if (!p)
		return -1;
	ini->sections = p;
	p = &ini->sections[ini->count];
	*p = (bedrock__ini_section){ bedrock__strndup(name, len), NULL, 0, line };
	if (!p->name)
		return -1;
	return (long)ini->count++;
}

/* Splits "key = value" (or "key: value"); 0 on success. */
static int split_kv(const char *s, const char *e, const char **ks, const char **ke,
		    const char **vs, const char **ve)
{
	const char *p;

	for (p = s; p < e && *p != '=' && *p != ':'; p++)
		;
	if (p == e)
		return -1;
	*ks = s;
	*ke = p;
	*vs = p + 1;
	*ve = e;
	trim(ks, ke);
	trim(vs, ve);
	return *ks == *ke ? -1 : 0;
}

static int append_line(bedrock__ini_entry *e, const char *s, size_t len)
{
	size_t old = strlen(e->value);
	char *p = bedrock__realloc(e->value, old + len + 2);

	if (!p)
		return BEDROCK_ENOMEM;
	p[old] = '\n';
	memcpy(p + old + 1, s, len);
	p[old + 1 + len] = '\0';
	e->value = p;
	return 0;
}

int bedrock__ini_parse(bedrock__ini *ini, const char *data, size_t len)
{
	const char *p = data, *end = data + len;
	long sect = -1, last = -1;
	unsigned line = 0;

	memset(ini, 0, sizeof(*ini));
	/* A UTF-8 byte-order mark is not part of the first section name. */
	if (len >= 3 && !memcmp(p, "\xEF\xBB\xBF", 3))
		p += 3;
	while (p < end) {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		const char *s = p, *e = eol ? eol : end;
		const char *ks, *ke, *vs, *ve;
		int indented;

		p = eol ? eol + 1 : end;
		line++;
		if (memchr(s, '\0', (size_t)(e - s)))
			return fail(ini, line, "NUL byte in line");
		indented = s < e && is_blank(*s);
		trim(&s, &e);
		if (s == e || *s == '#' || *s == ';')
			continue;

		if (indented && sect >= 0 && last >= 0) {
			bedrock__ini_entry *pe = &ini->sections[sect].entries[last];

			if (pe->value[0] == '\0' || pe->sub) {
				if (split_kv(s, e, &ks, &ke, &vs, &ve))
					return fail(ini, line, "expected 'key = value' in a nested section");
				if (put_entry(&pe->sub, &pe->sub_count, ks, (size_t)(ke - ks), vs,
					      (size_t)(ve - vs), line) < 0)
					return BEDROCK_ENOMEM;
			} else if (append_line(pe, s, (size_t)(e - s))) {
				return BEDROCK_ENOMEM;
			}
			continue;
		}

		if (*s == '[') {
			const char *close = memchr(s, ']', (size_t)(e - s));
			const char *ns = s + 1, *ne, *rest;

			if (!close)
				return fail(ini, line, "section header without ']'");
			ne = close;
			trim(&ns, &ne);
			if (ns == ne)
				return fail(ini, line, "empty section name");
			rest = close + 1;
			while (rest < e && is_blank(*rest))
				rest++;
			if (rest < e && *rest != '#' && *rest != ';')
				return fail(ini, line, "unexpected text after section header");
			sect = find_or_add_section(ini, ns, (size_t)(ne - ns), line);
			if (sect < 0)
				return BEDROCK_ENOMEM;
			last = -1;
			continue;
		}

		if (sect < 0)
			return fail(ini, line, "'key = value' outside any [section]");
		if (split_kv(s, e, &ks, &ke, &vs, &ve))
			return fail(ini, line, "expected 'key = value'");
		last = put_entry(&ini->sections[sect].entries, &ini->sections[sect].count,
				 ks, (size_t)(ke - ks), vs, (size_t)(ve - vs), line);
		if (last < 0)
			return BEDROCK_ENOMEM;
	}
	return 0;
}

const bedrock__ini_section *bedrock__ini_section_get(const bedrock__ini *ini,
						     const char *name)
{
	size_t i;

	for (i = 0; i < ini->count; i++)
		if (!strcmp(ini->sections[i].name, name))
			return &ini->sections[i];
	return NULL;
}

const bedrock__ini_entry *bedrock__ini_entry_get(const bedrock__ini_section *s,
						 const char *key)
{
	size_t i;

	if (!s)
		return NULL;
	for (i = 0; i < s->count; i++)
		if (!strcmp(s->entries[i].key, key))
			return &s->entries[i];
	return NULL;
}

const char *bedrock__ini_value(const bedrock__ini *ini, const char *section,
			       const char *key)
{
	const bedrock__ini_entry *e =
		bedrock__ini_entry_get(bedrock__ini_section_get(ini, section), key);

	return e ? e->value : NULL;
}
