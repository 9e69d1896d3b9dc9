/* The chain provider: first source with credentials wins; a configured
 * source that fails stops the search (as botocore does), so a broken
 * profile is reported instead of silently falling through to IMDS. */
#include <string.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "creds_private.h"
#include "errinfo.h"

/* Why each source had nothing, for the client's debug log. Thread-local
 * only because the chain has no handle to keep it in: it is written and
 * read by the same thread within one bedrock_creds_provider_get(). */
static _Thread_local char detail[1024];

const char *bedrock__creds_chain_detail(void)
{
	return detail;
}

static void note_detail(const bedrock_error_info *err)
{
	size_t used = strlen(detail), n;

	if (!err || !err->message[0] || used + 3 >= sizeof(detail))
		return;
	if (used) {
		memcpy(detail + used, "; ", 2);
		used += 2;
	}
	n = strlen(err->message);
	if (n > sizeof(detail) - used - 1)
		n = sizeof(detail) - used - 1;
	memcpy(detail + used, err->message, n);
	detail[used + n] = '\0';
}

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

	detail[0] = '\0';
	for (i = 0; i < c->count; i++) {
		const char *name = bedrock_creds_provider_name(c->list[i]);
		int rc = bedrock_creds_provider_get(out, c->list[i], err);

		/* IMDS is the last resort: any host may answer 169.254.169.254
		 * (a proxy, a container runtime) or time out. As botocore does,
		 * its failure there means "not found", so the reader keeps the
		 * actionable message; the detail goes to the debug log. */
		if (rc && rc != BEDROCK_ENOMEM && rc != BEDROCK_ENOTFOUND && i + 1 == c->count &&
		    name && !strcmp(name, "imds"))
			rc = BEDROCK_ENOTFOUND;
		if (rc != BEDROCK_ENOTFOUND)
			return rc;
		note_detail(err);
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
