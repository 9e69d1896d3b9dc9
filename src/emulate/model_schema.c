/* A deterministic value that satisfies a tool's input_schema: what the
 * model puts in tool_use.input. Required properties only, filled by type;
 * the first enum/const/anyOf/oneOf choice; local "#/..." refs resolved.
 * Depth is bounded because schemas come from the caller (and the fuzzer). */
#include <math.h>
#include <string.h>

#include "model_internal.h"

#define MAX_DEPTH 24

static const cJSON *resolve_ref(const cJSON *root, const char *ref)
{
	const cJSON *at = root;
	char part[128];

	if (strncmp(ref, "#", 1))
		return NULL;
	ref++;
	while (*ref == '/') {
		size_t n = strcspn(ref + 1, "/");

		if (n >= sizeof(part))
			return NULL;
		memcpy(part, ref + 1, n);
		part[n] = '\0';
		at = cJSON_GetObjectItemCaseSensitive(at, part);
		if (!at)
			return NULL;
		ref += 1 + n;
	}
	return at;
}

static const char *schema_type(const cJSON *schema)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(schema, "type");
	const cJSON *c;

	if (cJSON_IsString(t))
		return t->valuestring;
	if (cJSON_IsArray(t)) {
		/* ["string","null"]: the first non-null type. */
		cJSON_ArrayForEach(c, t)
			if (cJSON_IsString(c) && strcmp(c->valuestring, "null"))
				return c->valuestring;
		return "null";
	}
	if (cJSON_GetObjectItemCaseSensitive(schema, "properties"))
		return "object";
	if (cJSON_GetObjectItemCaseSensitive(schema, "items"))
		return "array";
	return NULL;
}

static double num(const cJSON *schema, const char *key, double def, int *found)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(schema, key);

	*found = cJSON_IsNumber(v) && isfinite(v->valuedouble);
	return *found ? v->valuedouble : def;
}

static cJSON *number_value(const cJSON *schema, int integer)
{
	double v = 42, lo, hi;
	int has_lo, has_hi, has_xlo, has_xhi;
	double xlo, xhi;

	lo = num(schema, "minimum", 0, &has_lo);
	hi = num(schema, "maximum", 0, &has_hi);
	xlo = num(schema, "exclusiveMinimum", 0, &has_xlo);
	xhi = num(schema, "exclusiveMaximum", 0, &has_xhi);
	if (has_lo && v < lo)
		v = integer ? emu__ceil(lo) : lo;
	if (has_xlo && v <= xlo)
		v = integer ? emu__floor(xlo) + 1 : xlo + 1;
	if (has_hi && v > hi)
		v = integer ? emu__floor(hi) : hi;
	if (has_xhi && v >= xhi)
		v = integer ? emu__ceil(xhi) - 1 : xhi - (has_lo || has_xlo ? (xhi - (has_lo ? lo : xlo)) / 2 : 1);
	if (!isfinite(v) || fabs(v) > 1e15)
		v = 0;
	return cJSON_CreateNumber(v);
}

static cJSON *string_value(const cJSON *schema)
{
	const char *fmt = bedrock__json_str(schema, "format");
	const char *base = "example";
	char tmp[65];
	int found;
	double min = num(schema, "minLength", 0, &found);
	double max = num(schema, "maxLength", 64, &found);
	size_t n, want;

	if (fmt && !strcmp(fmt, "date-time"))
		base = "2026-01-01T00:00:00Z";
	else if (fmt && !strcmp(fmt, "date"))
		base = "2026-01-01";
	else if (fmt && !strcmp(fmt, "time"))
		base = "00:00:00";
	else if (fmt && !strcmp(fmt, "email"))
		base = "user@example.com";
	else if (fmt && (!strcmp(fmt, "uri") || !strcmp(fmt, "url")))
		base = "https://example.com/";
	else if (fmt && !strcmp(fmt, "uuid"))
		base = "00000000-0000-4000-8000-000000000000";
	n = strlen(base);
	if (max < 0)
		max = 0;
	if (max > 64)
		max = 64;
	if (min > 64)
		min = 64;
	want = n;
	if (want > (size_t)max)
		want = (size_t)max;
	if (want < (size_t)(min > 0 ? min : 0))
		want = (size_t)min;
	memset(tmp, 'x', sizeof(tmp));
	memcpy(tmp, base, n < want ? n : want);
	tmp[want] = '\0';
	return cJSON_CreateString(tmp);
}

cJSON *emu__schema_value(const cJSON *schema, const cJSON *root, int depth)
{
	const cJSON *v, *c;
	const char *type;

	if (depth > MAX_DEPTH || !cJSON_IsObject(schema))
		return cJSON_CreateString("example");
	if (bedrock__json_str(schema, "$ref")) {
		const cJSON *target = resolve_ref(root, bedrock__json_str(schema, "$ref"));

		return target ? emu__schema_value(target, root, depth + 1)
			      : cJSON_CreateString("example");
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(schema, "const")) != NULL)
		return cJSON_Duplicate(v, 1);
	v = cJSON_GetObjectItemCaseSensitive(schema, "enum");
	if (cJSON_IsArray(v) && v->child)
		return cJSON_Duplicate(v->child, 1);
	v = cJSON_GetObjectItemCaseSensitive(schema, "anyOf");
	if (!cJSON_IsArray(v))
		v = cJSON_GetObjectItemCaseSensitive(schema, "oneOf");
	if (!cJSON_IsArray(v))
		v = cJSON_GetObjectItemCaseSensitive(schema, "allOf");
	if (cJSON_IsArray(v) && v->child && !schema_type(schema)) {
		/* The first alternative that is not just "null". */
		cJSON_ArrayForEach(c, v) {
			const char *t = schema_type(c);

			if (!t || strcmp(t, "null"))
				return emu__schema_value(c, root, depth + 1);
		}
		return emu__schema_value(v->child, root, depth + 1);
	}
	type = schema_type(schema);
	if (!type)
		return cJSON_CreateString("example");
	if (!strcmp(type, "object")) {
		cJSON *obj = cJSON_CreateObject();
		const cJSON *props = cJSON_GetObjectItemCaseSensitive(schema, "properties");
		const cJSON *req = cJSON_GetObjectItemCaseSensitive(schema, "required");

		if (!obj)
			return NULL;
		cJSON_ArrayForEach(c, req) {
			cJSON *val;

			if (!cJSON_IsString(c) || cJSON_GetObjectItemCaseSensitive(obj, c->valuestring))
				continue;
			val = emu__schema_value(cJSON_GetObjectItemCaseSensitive(props, c->valuestring),
						root, depth + 1);
			if (!val || !cJSON_AddItemToObject(obj, c->valuestring, val)) {
				cJSON_Delete(val);
				cJSON_Delete(obj);
				return NULL;
			}
		}
		return obj;
	}
	if (!strcmp(type, "array")) {
		cJSON *arr = cJSON_CreateArray();
		int found;
		double min = num(schema, "minItems", 1, &found);
		double max = num(schema, "maxItems", 8, &found);
		int i, n;

		if (!arr)
			return NULL;
		if (min > 8)
			min = 8;
		n = min < 1 ? 1 : (int)min;
		if (max < n)
			n = max < 0 ? 0 : (int)max;
		for (i = 0; i < n; i++) {
			cJSON *val = emu__schema_value(cJSON_GetObjectItemCaseSensitive(schema, "items"),
						       root, depth + 1);

			if (!val || !cJSON_AddItemToArray(arr, val)) {
				cJSON_Delete(val);
				cJSON_Delete(arr);
				return NULL;
			}
		}
		return arr;
	}
	if (!strcmp(type, "integer"))
		return number_value(schema, 1);
	if (!strcmp(type, "number"))
		return number_value(schema, 0);
	if (!strcmp(type, "boolean"))
		return cJSON_CreateTrue();
	if (!strcmp(type, "null"))
		return cJSON_CreateNull();
	return string_value(schema);
}
