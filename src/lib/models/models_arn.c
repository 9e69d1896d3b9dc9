/* Model ARNs: arn:<partition>:bedrock:<region>:<account>:<type>/<id>.
 * Checked strictly, field by field, because whatever is not a well-formed
 * ARN of a known model must get Bedrock's "invalid identifier" answer. */
#include <string.h>

#include "bedrock/errors.h"
#include "ascii.h"
#include "models_private.h"

/* Resource types a user creates: the ARN names no model, so the caller
 * (the emulator) decides what they mean. */
static const char *const opaque_types[] = {
	"application-inference-profile", "provisioned-model",
	"custom-model-deployment", "imported-model", "prompt",
	"default-prompt-router", "prompt-router",
};

/* The commercial partition's region prefixes (partitions.json regex). */
static const char *const aws_region_prefixes[] = {
	"us-", "eu-", "ap-", "sa-", "ca-", "me-", "af-", "il-", "mx-",
};

typedef struct field {
	const char *p;
	size_t len;
} field;

/* Splits off the text up to the next ':'; 0 if there is none. */
static int next_field(field *out, const char **cur, const char *end)
{
	const char *c = memchr(*cur, ':', (size_t)(end - *cur));

	if (c == NULL)
		return 0;
	out->p = *cur;
	out->len = (size_t)(c - *cur);
	*cur = c + 1;
	return 1;
}

static int field_is(const field *f, const char *s)
{
	return f->len == strlen(s) && memcmp(f->p, s, f->len) == 0;
}

static int starts_with(const field *f, const char *s)
{
	return f->len >= strlen(s) && memcmp(f->p, s, strlen(s)) == 0;
}

static void copy_field(char *dst, const field *f)
{
	memcpy(dst, f->p, f->len);
	dst[f->len] = '\0';
}

/* "us-east-1", "us-gov-west-1", "cn-north-1": lowercase words joined by
 * single hyphens, ending in a number; and in the ARN's partition. */
static int region_ok(const field *region, const field *partition)
{
	size_t i, hyphens = 0;
	const char *r = region->p;
	int in_cn, in_gov, known = 0;

	if (region->len < 4 || region->len >= sizeof(((bedrock_model_ref *)0)->region))
		return 0;
	if (!(r[0] >= 'a' && r[0] <= 'z') || !(r[region->len - 1] >= '0' && r[region->len - 1] <= '9'))
		return 0;
	for (i = 0; i < region->len; i++) {
		if (r[i] == '-') {
			if (r[i - 1] == '-')
				return 0;
			hyphens++;
		} else if (!((r[i] >= 'a' && r[i] <= 'z') || (r[i] >= '0' && r[i] <= '9'))) {
			return 0;
		}
	}
	if (hyphens < 2)
		return 0;
	in_cn = starts_with(region, "cn-");
	in_gov = starts_with(region, "us-gov-");
	if (field_is(partition, "aws-cn"))
		return in_cn;
	if (field_is(partition, "aws-us-gov"))
		return in_gov;
	for (i = 0; i < sizeof(aws_region_prefixes) / sizeof(aws_region_prefixes[0]); i++)
		if (starts_with(region, aws_region_prefixes[i]))
			known = 1;
	return known && !in_gov;
}

static int account_ok(const field *f)
{
	size_t i;

	if (f->len != 12)
		return 0;
	for (i = 0; i < f->len; i++)
		if (f->p[i] < '0' || f->p[i] > '9')
			return 0;
	return 1;
}

/* Ids of user resources: letters, digits and . _ - : / (prompt ARNs carry
 * a ":version"). */
static int opaque_id_ok(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return 0;
	for (i = 0; i < len; i++) {
		char c = p[i];

		if (!(bedrock__ascii_alnum((unsigned char)c) || c == '.' || c == '_' || c == '-' ||
		      c == ':' || c == '/'))
			return 0;
	}
	return 1;
}

static int resolve_resource(bedrock_model_ref *out, const field *account,
			    const char *res, const char *end)
{
	const char *slash = memchr(res, '/', (size_t)(end - res));
	field type;
	size_t i, idlen;

	if (slash == NULL)
		return BEDROCK_ENOTFOUND;
	type.p = res;
	type.len = (size_t)(slash - res);
	idlen = (size_t)(end - slash - 1);
	if (field_is(&type, "foundation-model")) {
		/* Foundation models belong to no account. */
		if (account->len != 0)
			return BEDROCK_ENOTFOUND;
		out->model = bedrock__model_find_base(slash + 1, idlen);
		out->kind = BEDROCK_MODEL_REF_FOUNDATION_ARN;
	} else if (field_is(&type, "inference-profile")) {
		if (!account_ok(account))
			return BEDROCK_ENOTFOUND;
		out->model = bedrock__model_find_profile(&out->geo, slash + 1, idlen);
		out->kind = BEDROCK_MODEL_REF_PROFILE_ARN;
	} else {
		for (i = 0; i < sizeof(opaque_types) / sizeof(opaque_types[0]); i++)
			if (field_is(&type, opaque_types[i]))
				break;
		if (i == sizeof(opaque_types) / sizeof(opaque_types[0]) ||
		    !account_ok(account) || !opaque_id_ok(slash + 1, idlen))
			return BEDROCK_ENOTFOUND;
		out->kind = BEDROCK_MODEL_REF_OPAQUE_ARN;
		out->resource_id = slash + 1;
		copy_field(out->resource_type, &type);
		return 0;
	}
	if (out->model == NULL)
		return BEDROCK_ENOTFOUND;
	copy_field(out->resource_type, &type);
	return 0;
}

int bedrock__model_resolve_arn(bedrock_model_ref *out, const char *arn, size_t len)
{
	const char *cur = arn + 4, *end = arn + len;
	field partition, service, region, account;
	int rc;

	if (!next_field(&partition, &cur, end) || !next_field(&service, &cur, end) ||
	    !next_field(&region, &cur, end) || !next_field(&account, &cur, end))
		return BEDROCK_ENOTFOUND;
	if (!(field_is(&partition, "aws") || field_is(&partition, "aws-cn") ||
	      field_is(&partition, "aws-us-gov")) ||
	    !field_is(&service, "bedrock") || !region_ok(&region, &partition))
		return BEDROCK_ENOTFOUND;
	if (account.len != 0 && !account_ok(&account))
		return BEDROCK_ENOTFOUND;
	rc = resolve_resource(out, &account, cur, end);
	if (rc != 0) {
		memset(out, 0, sizeof(*out));
		return rc;
	}
	copy_field(out->partition, &partition);
	copy_field(out->region, &region);
	copy_field(out->account, &account);
	return 0;
}
