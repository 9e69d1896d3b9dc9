/* The models file (docs/models-file.md): JSON text in, a snapshot of the
 * catalog out, the built-in rows merged with the file's entries. Pure (no
 * I/O), so the fuzzer and the tests feed it bytes; models_catalog.c reads
 * the file and publishes the result.
 *
 * Strict on purpose: a file people write once and forget must not turn a
 * typo into a field silently ignored, so an unknown or repeated key, a
 * wrong type or a value out of range is an error naming the entry and the
 * field ("models[2].max_output_tokens: wants a positive integer"). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "errinfo.h"
#include "models_private.h"

/* A string the snapshot owns; freed with it. */
struct bedrock__string {
	struct bedrock__string *next;
	char text[];
};

typedef struct parser {
	const char *source;
	bedrock_error_info *err;
	bedrock__catalog *cat;
	const char *source_copy;	/* every entry's bedrock_model_info.source */
	/* The built-in row each entry replaces, or NULL for a new model. */
	const bedrock_model_info **replaces;
	/* 1 where a new model's alias was derived, not given. */
	unsigned char *derived;
} parser;

static const char *const top_fields[] = { "models", NULL };
static const char *const entry_fields[] = {
	"id", "name", "alias", "family", "profiles", "on_demand", "legacy_since",
	"max_output_tokens", "context_tokens", "modalities", "features", "anthropic_id",
	"vertex_id", NULL
};

typedef struct named_bit {
	const char *name;
	unsigned bit;
} named_bit;

static const named_bit geo_names[] = {
	{ "global", BEDROCK_PROFILE_GLOBAL }, { "us", BEDROCK_PROFILE_US },
	{ "eu", BEDROCK_PROFILE_EU }, { "jp", BEDROCK_PROFILE_JP },
	{ "apac", BEDROCK_PROFILE_APAC }, { NULL, 0 }
}, modality_names[] = {
	{ "text", BEDROCK_MODALITY_TEXT }, { "image", BEDROCK_MODALITY_IMAGE },
	{ "pdf", BEDROCK_MODALITY_PDF }, { NULL, 0 }
}, feature_names[] = {
	{ "1m", BEDROCK_MODEL_FEATURE_CONTEXT_1M },
	/* Adaptive thinking is a kind of thinking: it implies the bit. */
	{ "adaptive-thinking", BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING | BEDROCK_MODEL_FEATURE_THINKING },
	{ "thinking", BEDROCK_MODEL_FEATURE_THINKING },
	{ "vertex-global", BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL }, { NULL, 0 }
};

#define LOWER "abcdefghijklmnopqrstuvwxyz"
#define DIGITS "0123456789"

static int fail(parser *p, const char *fmt, ...) BEDROCK__PRINTF(2, 3);

static int fail(parser *p, const char *fmt, ...)
{
	char what[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	return bedrock__err(p->err, BEDROCK_ECONFIG, "%s: %s", p->source, what);
}

static int oom(parser *p)
{
	return bedrock__err(p->err, BEDROCK_ENOMEM, "%s: out of memory", p->source);
}

/* A key or value from the file, fit to be quoted in a message: printable
 * ASCII only (anything else shows as '?'), cut at 40 bytes. */
static const char *shown(char out[48], const char *s)
{
	size_t i;

	for (i = 0; s[i] && i < 40; i++)
		out[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (s[i]) {
		memcpy(out + i, "...", 3);
		i += 3;
	}
	out[i] = '\0';
	return out;
}

static const char *keep(parser *p, const char *s)
{
	size_t len = strlen(s);
	bedrock__string *str = bedrock__malloc(sizeof(*str) + len + 1);

	if (!str)
		return NULL;
	memcpy(str->text, s, len + 1);
	str->next = p->cat->strings;
	p->cat->strings = str;
	return str->text;
}

static int in_list(const char *const *list, const char *s)
{
	for (; *list; list++)
		if (!strcmp(*list, s))
			return 1;
	return 0;
}

/* Unknown keys, then repeated ones (cJSON keeps both of a repeated key and
 * answers lookups with the first: the second would be silently lost).
 * Checking unknown keys first bounds the quadratic scan by the number of
 * known ones. */
static int check_keys(parser *p, const cJSON *obj, const char *const *known, const char *where)
{
	const cJSON *a, *b;
	char k[48];

	for (a = obj->child; a; a = a->next) {
		if (!a->string || !in_list(known, a->string))
			return fail(p, "%s%sunknown field \"%s\"", where, *where ? ": " : "",
				    shown(k, a->string ? a->string : ""));
		for (b = obj->child; b != a; b = b->next)
			if (!strcmp(a->string, b->string))
				return fail(p, "%s%s\"%s\" is given twice", where, *where ? ": " : "",
					    shown(k, a->string));
	}
	return 0;
}

/* s is 1..max bytes, its first byte from first and the rest from rest. */
static int is_word(const char *s, const char *first, const char *rest, size_t max)
{
	size_t n = strlen(s);

	return n >= 1 && n <= max && strchr(first, s[0]) && strspn(s + 1, rest) == n - 1;
}

/* Well-formed UTF-8 with no control character (C0, DEL or C1): a name is
 * printed on terminals and rendered into JSON. */
static int printable_utf8(const char *str)
{
	const unsigned char *s = (const unsigned char *)str;

	while (*s) {
		unsigned c = *s, cp, need, i;

		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return 0;
			s++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			need = 1, cp = c & 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			need = 2, cp = c & 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			need = 3, cp = c & 0x07;
		else
			return 0;
		for (i = 1; i <= need; i++) {
			if ((s[i] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i] & 0x3f);
		}
		if ((need == 2 && cp < 0x800) || (need == 3 && (cp < 0x10000 || cp > 0x10ffff)) ||
		    (cp >= 0xd800 && cp <= 0xdfff) || (cp >= 0x80 && cp <= 0x9f))
			return 0;
		s += need + 1;
	}
	return 1;
}

/* A Bedrock base id: provider.model, no profile or ARN prefix. */
static int base_id_ok(const char *id)
{
	size_t i;

	if (!is_word(id, LOWER DIGITS, LOWER "ABCDEFGHIJKLMNOPQRSTUVWXYZ" DIGITS "._:-",
		     BEDROCK__MODELS_FILE_ID_MAX) || !strchr(id, '.') || !strncmp(id, "arn:", 4))
		return 0;
	for (i = 0; geo_names[i].name; i++) {
		size_t n = strlen(geo_names[i].name);

		if (!strncmp(id, geo_names[i].name, n) && id[n] == '.')
			return 0;
	}
	return 1;
}

/* "2025-10-28" */
static int date_ok(const char *s)
{
	int month, day;

	if (strlen(s) != 10 || strspn(s, DIGITS) != 4 || s[4] != '-' || strspn(s + 5, DIGITS) != 2 ||
	    s[7] != '-' || strspn(s + 8, DIGITS) != 2)
		return 0;
	month = (s[5] - '0') * 10 + (s[6] - '0');
	day = (s[8] - '0') * 10 + (s[9] - '0');
	return month >= 1 && month <= 12 && day >= 1 && day <= 31;
}

static int get_string(parser *p, const char **out, const cJSON *v, const char *where)
{
	if (!cJSON_IsString(v) || !v->valuestring)
		return fail(p, "%s: wants a string", where);
	*out = v->valuestring;
	return 0;
}

static int get_count(parser *p, unsigned *out, const cJSON *v, const char *where)
{
	double d = cJSON_IsNumber(v) ? v->valuedouble : 0;

	if (!cJSON_IsNumber(v) || !(d >= 1))
		return fail(p, "%s: wants a positive integer", where);
	/* The range first: converting a larger double is undefined. */
	if (d > BEDROCK__MODELS_FILE_TOKENS_MAX)
		return fail(p, "%s: wants at most %u", where, BEDROCK__MODELS_FILE_TOKENS_MAX);
	if (d != (double)(unsigned)d)
		return fail(p, "%s: wants a positive integer", where);
	*out = (unsigned)d;
	return 0;
}

/* An array of names from table, each once; their bits or-ed into *out. */
static int get_names(parser *p, unsigned *out, const cJSON *v, const char *where,
		     const named_bit *table)
{
	const cJSON *it;
	unsigned bits = 0, seen = 0;
	size_t i, n = 0;
	char s[48];

	if (!cJSON_IsArray(v))
		return fail(p, "%s: wants an array of strings", where);
	cJSON_ArrayForEach(it, v) {
		if (!cJSON_IsString(it) || !it->valuestring)
			return fail(p, "%s[%zu]: wants a string", where, n);
		for (i = 0; table[i].name; i++)
			if (!strcmp(table[i].name, it->valuestring))
				break;
		if (!table[i].name) {
			char names[128] = "";
			size_t j, used = 0;

			for (j = 0; table[j].name; j++)
				used += (size_t)snprintf(names + used, sizeof(names) - used, "%s%s",
							 j ? ", " : "", table[j].name);
			return fail(p, "%s[%zu]: \"%s\" is not one of %s", where, n,
				    shown(s, it->valuestring), names);
		}
		if (seen & (1u << i))
			return fail(p, "%s[%zu]: \"%s\" is listed twice", where, n, table[i].name);
		seen |= 1u << i;
		bits |= table[i].bit;
		n++;
	}
	*out = bits;
	return 0;
}

static const bedrock_model_info *builtin(const char *id)
{
	size_t i;

	for (i = 0; i < bedrock__models_count; i++)
		if (!strcmp(bedrock__models[i].id, id))
			return &bedrock__models[i];
	return NULL;
}

/*
 * The alias a new model gets when its entry gives none, in the built-in
 * rows' style: its Anthropic API id without "claude-" and the date, a
 * trailing "-4-5" written "-4.5" ("claude-opus-4-6" -> "opus-4.6",
 * "claude-sonnet-5-20261101" -> "sonnet-5"); "" when it has no such id.
 */
static void derive_alias(char *out, size_t cap, const bedrock_model_info *m)
{
	char a[BEDROCK__MODELS_FILE_ID_MAX + 1], *s, *dash, *d;
	size_t n;

	out[0] = '\0';
	if (m->anthropic_id)
		snprintf(a, sizeof(a), "%s", m->anthropic_id);
	else if (bedrock__model_derive_id(a, sizeof(a), m->id, BEDROCK_PLATFORM_ANTHROPIC))
		return;
	if (strncmp(a, "claude-", 7))
		return;
	n = strlen(a);
	if (n > 7 + 9 && a[n - 9] == '-' && strspn(a + n - 8, DIGITS) == 8)
		a[n - 9] = '\0';
	s = a + 7;
	dash = strrchr(s, '-');
	if (dash && dash > s && dash[1] && strspn(dash + 1, DIGITS) == strlen(dash + 1)) {
		for (d = dash - 1; d > s && strchr(DIGITS, *d); d--)
			;
		if (*d == '-' && d < dash - 1)
			*dash = '.';
	}
	n = strlen(s);
	if (n < cap && is_word(s, LOWER DIGITS, LOWER DIGITS ".-", BEDROCK__MODELS_FILE_WORD_MAX))
		memcpy(out, s, n + 1);
}

/* obj[name], case-sensitive (the keys are checked already). */
static const cJSON *item(const cJSON *obj, const char *name)
{
	return cJSON_GetObjectItemCaseSensitive(obj, name);
}

#define FIELD(name) (snprintf(field, sizeof(field), "%s.%s", where, name), field)

static int string_field(parser *p, const char **out, const cJSON *obj, const char *where,
			const char *name, const char *first, const char *rest, size_t max,
			const char *rule)
{
	char field[96], s[48];
	const char *str = NULL;
	const cJSON *v = item(obj, name);

	if (!v)
		return 0;
	if (get_string(p, &str, v, FIELD(name)))
		return BEDROCK_ECONFIG;
	if (!is_word(str, first, rest, max))
		return fail(p, "%s: \"%s\" %s", field, shown(s, str), rule);
	if (!(*out = keep(p, str)))
		return oom(p);
	return 0;
}

static int parse_entry(parser *p, size_t idx, const cJSON *obj)
{
	bedrock_model_info *e = &p->cat->entries[idx];
	const bedrock_model_info *base;
	const cJSON *v;
	const char *str = NULL;
	char where[32], field[96], s[48], alias[BEDROCK__MODELS_FILE_WORD_MAX + 1];
	size_t j;
	int rc;

	snprintf(where, sizeof(where), "models[%zu]", idx);
	if (!cJSON_IsObject(obj))
		return fail(p, "%s: wants an object", where);
	if (check_keys(p, obj, entry_fields, where))
		return BEDROCK_ECONFIG;
	if (!(v = item(obj, "id")))
		return fail(p, "%s: \"id\" is required", where);
	if (get_string(p, &str, v, FIELD("id")))
		return BEDROCK_ECONFIG;
	if (!base_id_ok(str))
		return fail(p, "%s: \"%s\" is not a Bedrock base model id (like "
			    "anthropic.claude-sonnet-4-5-20250929-v1:0: letters, digits and . _ : -, "
			    "at most %d bytes, no profile or arn: prefix)", field, shown(s, str),
			    BEDROCK__MODELS_FILE_ID_MAX);
	for (j = 0; j < idx; j++)
		if (!strcmp(p->cat->entries[j].id, str))
			return fail(p, "%s: \"%s\" is already models[%zu]", field, str, j);
	/* An override starts from the built-in row, so it need only say what
	 * changes; a new model starts from the defaults of newer models. */
	if ((base = builtin(str)) != NULL) {
		*e = *base;
	} else {
		if (!item(obj, "name") || !item(obj, "family"))
			return fail(p, "%s: \"%s\" is required for a model the built-in catalog does not "
				    "have", where, item(obj, "name") ? "family" : "name");
		memset(e, 0, sizeof(*e));
		if (!(e->id = keep(p, str)))
			return oom(p);
		e->alias = "";
		e->profiles = BEDROCK_PROFILE_GLOBAL | BEDROCK_PROFILE_US;
		e->max_output_tokens = 64000;
		e->context_tokens = 200000;
		e->modalities = BEDROCK_MODALITY_TEXT | BEDROCK_MODALITY_IMAGE;
		e->features = BEDROCK_MODEL_FEATURE_THINKING | BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL;
	}
	p->replaces[idx] = base;
	e->source = p->source_copy;

	if ((v = item(obj, "name")) != NULL) {
		if (get_string(p, &str, v, FIELD("name")))
			return BEDROCK_ECONFIG;
		if (!*str || strlen(str) > BEDROCK__MODELS_FILE_NAME_MAX || !printable_utf8(str))
			return fail(p, "%s: wants 1 to %d bytes of printable UTF-8 text", field,
				    BEDROCK__MODELS_FILE_NAME_MAX);
		if (!(e->name = keep(p, str)))
			return oom(p);
	}
	if ((rc = string_field(p, &e->alias, obj, where, "alias", LOWER DIGITS, LOWER DIGITS ".-",
			 BEDROCK__MODELS_FILE_WORD_MAX,
			 "is not an alias (lower-case letters, digits, '.' and '-', at most 32)")) ||
	    (rc = string_field(p, &e->family, obj, where, "family", LOWER, LOWER DIGITS "-",
			 BEDROCK__MODELS_FILE_WORD_MAX,
			 "is not a family name (a lower-case word like sonnet, at most 32)")) ||
	    (rc = string_field(p, &e->anthropic_id, obj, where, "anthropic_id", LOWER DIGITS,
			 LOWER DIGITS ".-", BEDROCK__MODELS_FILE_ID_MAX,
			 "is not an Anthropic API model id (like claude-sonnet-4-5-20250929)")) ||
	    (rc = string_field(p, &e->vertex_id, obj, where, "vertex_id", LOWER DIGITS,
			 LOWER DIGITS ".@-", BEDROCK__MODELS_FILE_ID_MAX,
			 "is not a Vertex AI model id (like claude-sonnet-4-5@20250929)")))
		return rc;
	if ((v = item(obj, "profiles")) && get_names(p, &e->profiles, v, FIELD("profiles"), geo_names))
		return BEDROCK_ECONFIG;
	if ((v = item(obj, "on_demand")) != NULL) {
		if (!cJSON_IsBool(v))
			return fail(p, "%s: wants true or false", FIELD("on_demand"));
		e->on_demand = cJSON_IsTrue(v);
	}
	if ((v = item(obj, "legacy_since")) != NULL) {
		if (cJSON_IsNull(v)) {
			e->legacy = 0;
			e->legacy_since = NULL;
		} else if (cJSON_IsString(v) && v->valuestring && date_ok(v->valuestring)) {
			e->legacy = 1;
			if (!(e->legacy_since = keep(p, v->valuestring)))
				return oom(p);
		} else {
			return fail(p, "%s: wants null or a date like 2025-10-28", FIELD("legacy_since"));
		}
	}
	if ((v = item(obj, "max_output_tokens")) &&
	    get_count(p, &e->max_output_tokens, v, FIELD("max_output_tokens")))
		return BEDROCK_ECONFIG;
	if ((v = item(obj, "context_tokens")) &&
	    get_count(p, &e->context_tokens, v, FIELD("context_tokens")))
		return BEDROCK_ECONFIG;
	if ((v = item(obj, "modalities")) != NULL) {
		if (get_names(p, &e->modalities, v, FIELD("modalities"), modality_names))
			return BEDROCK_ECONFIG;
		if (!(e->modalities & BEDROCK_MODALITY_TEXT))
			return fail(p, "%s: wants \"text\" among them", field);
	}
	if ((v = item(obj, "features")) && get_names(p, &e->features, v, FIELD("features"), feature_names))
		return BEDROCK_ECONFIG;

	if (!e->profiles && !e->on_demand)
		return fail(p, "%s: no profiles and on_demand false: nothing could call it", where);
	/* Every model has an id on all three platforms (the Anthropic API
	 * front of the emulator lists them all), by rule or given. */
	if (strncmp(e->id, "anthropic.", 10))
		return fail(p, "%s.id: \"%s\" is not a Claude model id (anthropic.claude-...)", where,
			    shown(s, e->id));
	for (j = 0; j < 2; j++) {
		char tmp[BEDROCK__MODELS_FILE_ID_MAX + 1];

		if (!(j ? e->vertex_id : e->anthropic_id) &&
		    bedrock__model_derive_id(tmp, sizeof(tmp), e->id, j ? BEDROCK_PLATFORM_VERTEX
									: BEDROCK_PLATFORM_ANTHROPIC))
			return fail(p, "%s: the %s id does not follow from \"%s\" (not of the form "
				    "anthropic.claude-NAME[-YYYYMMDD]-vN[:M]): give \"%s\"", where,
				    j ? "Vertex AI" : "Anthropic API", shown(s, e->id),
				    j ? "vertex_id" : "anthropic_id");
	}
	if (e->max_output_tokens > e->context_tokens)
		return fail(p, "%s: max_output_tokens (%u) is larger than context_tokens (%u)", where,
			    e->max_output_tokens, e->context_tokens);
	if (!base && !item(obj, "alias")) {
		derive_alias(alias, sizeof(alias), e);
		if (alias[0] && !(e->alias = keep(p, alias)))
			return oom(p);
		p->derived[idx] = 1;
	}
	return 0;
}

static int ascii_caseeq(const char *a, const char *b)
{
	for (; *a && *b; a++, b++) {
		char x = (*a >= 'A' && *a <= 'Z') ? (char)(*a - 'A' + 'a') : *a;
		char y = (*b >= 'A' && *b <= 'Z') ? (char)(*b - 'A' + 'a') : *b;

		if (x != y)
			return 0;
	}
	return *a == *b;
}

/* The file index of a merged entry, or -1 for a built-in row. */
static long file_index(const parser *p, const bedrock_model_info *m)
{
	const bedrock_model_info *e = p->cat->entries;

	return m >= e && m < e + p->cat->entry_count ? (long)(m - e) : -1;
}

/*
 * Two merged entries share a name that must be unique. Blamed on the
 * file's entry (the later one when both are), with the field when the
 * file gave the value and "its ..." when the value was derived.
 */
static int clash(parser *p, const bedrock_model_info *a, const bedrock_model_info *b,
		 const char *what, const char *field, int field_given, const char *value)
{
	long ia = file_index(p, a), ib = file_index(p, b), i;
	const bedrock_model_info *other;
	char s[48];

	if (ib >= ia) {
		i = ib;
		other = a;
	} else {
		i = ia;
		other = b;
	}
	if (field_given)
		return fail(p, "models[%ld].%s: \"%s\" is already the %s of %s (%s)", i, field,
			    shown(s, value), what, other->id, other->source);
	return fail(p, "models[%ld]: its %s would be \"%s\", already that of %s (%s): give it "
		    "another with \"%s\"", i, what, shown(s, value), other->id, other->source, field);
}

/* Names lookups take as unique: aliases, and no alias naming a family;
 * and the ids the other platforms know a model by. */
static int cross_check(parser *p)
{
	bedrock__catalog *c = p->cat;
	char (*ids)[2][BEDROCK__MODELS_FILE_ID_MAX + 1];
	size_t i, j, k;
	int rc = 0;

	for (i = 0; i < c->count; i++) {
		const bedrock_model_info *a = c->list[i];
		long ia = file_index(p, a);

		for (j = 0; j < c->count; j++) {
			const bedrock_model_info *b = c->list[j];
			long ib = file_index(p, b);

			if (ia < 0 && ib < 0)
				continue;
			if (j > i && a->alias[0] && ascii_caseeq(a->alias, b->alias))
				return clash(p, a, b, "alias", "alias",
					     !p->derived[ib >= ia ? ib : ia], b->alias);
			if (a->alias[0] && ascii_caseeq(a->alias, b->family)) {
				if (ia >= ib)
					return fail(p, "models[%ld].alias: \"%s\" is a family name (of %s)",
						    ia, a->alias, b->id);
				return fail(p, "models[%ld].family: \"%s\" is already the alias of %s (%s)",
					    ib, b->family, a->id, a->source);
			}
		}
	}
	/* Platform ids: explicit, or by the rule lookups apply. */
	if (!(ids = bedrock__calloc(c->count, sizeof(*ids))))
		return oom(p);
	for (i = 0; i < c->count; i++) {
		const bedrock_model_info *m = c->list[i];
		const char *given[2] = { m->anthropic_id, m->vertex_id };
		static const bedrock_platform platforms[2] = { BEDROCK_PLATFORM_ANTHROPIC,
							      BEDROCK_PLATFORM_VERTEX };

		for (k = 0; k < 2; k++) {
			if (given[k])
				snprintf(ids[i][k], sizeof(ids[i][k]), "%s", given[k]);
			else if (bedrock__model_derive_id(ids[i][k], sizeof(ids[i][k]), m->id, platforms[k]))
				ids[i][k][0] = '\0';
		}
	}
	for (i = 0; i < c->count && !rc; i++)
		for (j = i + 1; j < c->count && !rc; j++)
			for (k = 0; k < 2 && !rc; k++) {
				const bedrock_model_info *a = c->list[i], *b = c->list[j];
				const bedrock_model_info *blamed;

				if (!ids[i][k][0] || strcmp(ids[i][k], ids[j][k]) ||
				    (file_index(p, a) < 0 && file_index(p, b) < 0))
					continue;
				blamed = file_index(p, b) >= file_index(p, a) ? b : a;
				rc = clash(p, a, b, k ? "Vertex AI id" : "Anthropic API id",
					   k ? "vertex_id" : "anthropic_id",
					   (k ? blamed->vertex_id : blamed->anthropic_id) != NULL, ids[i][k]);
			}
	bedrock__free(ids);
	return rc;
}

/* New models first, in the file's order (newest first, as the built-in
 * rows are), then the built-in rows, each replaced in place by the entry
 * that overrides it: an override must not make an old model the newest
 * of its family. */
static int merge(parser *p)
{
	bedrock__catalog *c = p->cat;
	size_t i, j, n = 0;

	c->list = bedrock__calloc(c->entry_count + bedrock__models_count, sizeof(*c->list));
	if (!c->list)
		return oom(p);
	for (i = 0; i < c->entry_count; i++)
		if (!p->replaces[i])
			c->list[n++] = &c->entries[i];
	for (i = 0; i < bedrock__models_count; i++) {
		const bedrock_model_info *m = &bedrock__models[i];

		for (j = 0; j < c->entry_count; j++)
			if (p->replaces[j] == m)
				m = &c->entries[j];
		c->list[n++] = m;
	}
	c->count = n;
	return 0;
}

void bedrock__catalog_free(bedrock__catalog *c)
{
	bedrock__string *s, *next;

	if (!c)
		return;
	for (s = c->strings; s; s = next) {
		next = s->next;
		bedrock__free(s);
	}
	bedrock__free(c->entries);
	bedrock__free((void *)c->list);
	bedrock__free(c);
}

/* Where cJSON stopped, as people count: line and column from 1. */
static void position(size_t *line, size_t *col, const char *data, size_t at)
{
	size_t i;

	*line = *col = 1;
	for (i = 0; i < at; i++) {
		if (data[i] == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

static int parse(parser *p, const char *data, size_t len)
{
	const char *end = NULL;
	const cJSON *models, *it;
	cJSON *root;
	size_t n, i = 0, line, col;
	int rc = 0;

	if (len == 0)
		return fail(p, "the file is empty (a models file is {\"models\": [...]})");
	if (len > BEDROCK_MODELS_FILE_MAX)
		return fail(p, "larger than %u bytes", BEDROCK_MODELS_FILE_MAX);
	if (memchr(data, '\0', len))
		return fail(p, "not a JSON text (it holds a NUL byte)");
	root = cJSON_ParseWithLengthOpts(data, len, &end, 0);
	while (root && end < data + len && strchr(" \t\r\n", *end))
		end++;
	if (!root || end != data + len) {
		cJSON_Delete(root);
		position(&line, &col, data, end && end >= data && end <= data + len ? (size_t)(end - data) : 0);
		return fail(p, "not valid JSON (line %zu, column %zu)", line, col);
	}
	if (!cJSON_IsObject(root)) {
		rc = fail(p, "wants a JSON object at the top: {\"models\": [...]}");
		goto done;
	}
	if ((rc = check_keys(p, root, top_fields, "")) != 0)
		goto done;
	models = item(root, "models");
	if (!models) {
		rc = fail(p, "no \"models\" array");
		goto done;
	}
	if (!cJSON_IsArray(models)) {
		rc = fail(p, "models: wants an array");
		goto done;
	}
	n = (size_t)cJSON_GetArraySize(models);
	if (n > BEDROCK__MODELS_FILE_MAX_MODELS) {
		rc = fail(p, "models: at most %d entries", BEDROCK__MODELS_FILE_MAX_MODELS);
		goto done;
	}
	p->cat->entries = bedrock__calloc(n ? n : 1, sizeof(*p->cat->entries));
	p->replaces = bedrock__calloc(n ? n : 1, sizeof(*p->replaces));
	p->derived = bedrock__calloc(n ? n : 1, 1);
	if (!p->cat->entries || !p->replaces || !p->derived ||
	    !(p->source_copy = keep(p, p->source))) {
		rc = oom(p);
		goto done;
	}
	cJSON_ArrayForEach(it, models) {
		if ((rc = parse_entry(p, i, it)) != 0)
			goto done;
		p->cat->entry_count = ++i;
	}
	if ((rc = merge(p)) == 0)
		rc = cross_check(p);
done:
	cJSON_Delete(root);
	return rc;
}

int bedrock__models_file_parse(bedrock__catalog **out, const char *data, size_t len,
			       const char *source, bedrock_error_info *err)
{
	parser p;
	int rc;

	if (!out || !source || (!data && len))
		return bedrock__err(err, BEDROCK_EINVAL, "models file: NULL argument");
	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.source = source;
	p.err = err;
	if (!(p.cat = bedrock__calloc(1, sizeof(*p.cat))))
		return oom(&p);
	rc = parse(&p, data, len);
	bedrock__free((void *)p.replaces);
	bedrock__free(p.derived);
	if (rc) {
		bedrock__catalog_free(p.cat);
		return rc;
	}
	*out = p.cat;
	return 0;
}
