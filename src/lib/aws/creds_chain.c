/* The chain provider: first source with credentials wins; a configured
 * source that fails stops the search (as botocore does), so a broken
 * profile is reported instead of silently falling through to IMDS. */
#include <string.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "errinfo.h"

typedef struct {
	bedrock_creds_provider **list;
	size_t count;
} chain;

static int chain_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	chain *c = impl;
	size_t i;

	char tried[160] = "";
	size_t used = 0;

	for (i = 0; i < c->count; i++) {
		const char *name = bedrock_creds_provider_name(c->list[i]);
		int rc = bedrock_creds_provider_get(out, c->list[i], err);

		if (rc != BEDROCK_ENOTFOUND)
			return rc;
		/* Which sources were asked, so the reader knows where to look. */
		if (name && !strstr(tried, name) && used + strlen(name) + 3 < sizeof(tried)) {
			memcpy(tried + used, used ? ", " : "", used ? 2 : 0);
			used += used ? 2 : 0;
			memcpy(tried + used, name, strlen(name) + 1);
			used += strlen(name);
		}
	}
	return bedrock__err(err, BEDROCK_ENOTFOUND,
			    "no AWS credentials found (tried %s): set AWS_ACCESS_KEY_ID and "
			    "AWS_SECRET_ACCESS_KEY, configure a profile in ~/.aws/config "
			    "(AWS_PROFILE selects it), or use an SSO, container or instance role",
			    used ? tried : "no source");
}

static void chain_destroy(void *impl)
{
	chain *c = impl;
	size_t i;

	for (i = 0; i < c->count; i++)
		bedrock_creds_provider_release(c->list[i]);
	bedrock__free(c->list);
	bedrock__free(c);
}

static const bedrock_creds_provider_vtable chain_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "chain", chain_get, chain_destroy
};

int bedrock_creds_provider_new_chain(bedrock_creds_provider **out,
				     bedrock_creds_provider *const *providers, size_t count)
{
	chain *c;
	size_t i;
	int rc;

	if (!out || (count && !providers))
		return BEDROCK_EINVAL;
	*out = NULL;
	for (i = 0; i < count; i++)
		if (!providers[i])
			return BEDROCK_EINVAL;
	c = bedrock__calloc(1, sizeof(*c));
	if (!c)
		return BEDROCK_ENOMEM;
	c->list = bedrock__calloc(count ? count : 1, sizeof(*c->list));
	if (!c->list) {
		bedrock__free(c);
		return BEDROCK_ENOMEM;
	}
	for (i = 0; i < count; i++)
		c->list[i] = bedrock_creds_provider_ref(providers[i]);
	c->count = count;
	rc = bedrock_creds_provider_new(out, &chain_vt, c);
	if (rc)
		chain_destroy(c);
	return rc;
}
