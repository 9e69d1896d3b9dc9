/* The chain: the first source with credentials wins; a configured source
 * that fails stops the search (as google-auth's default() does: a broken
 * GOOGLE_APPLICATION_CREDENTIALS file is reported, not skipped). When none
 * has anything, the message says why each had nothing. */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "errinfo.h"
#include "google_private.h"

typedef struct {
	bedrock_google_provider **list;
	size_t count;
	const char *hint;	/* static: what to do when nothing is found */
} chain;

/* Appends "; message" to detail (truncated to fit). */
static void note(char *detail, size_t cap, const bedrock_error_info *e)
{
	size_t used = strlen(detail), n = strlen(e->message);

	if (!n || used + 3 >= cap)
		return;
	if (used) {
		memcpy(detail + used, "; ", 2);
		used += 2;
	}
	if (n > cap - used - 1)
		n = cap - used - 1;
	memcpy(detail + used, e->message, n);
	detail[used + n] = '\0';
}

static int chain_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		     bedrock_error_info *err)
{
	chain *c = impl;
	bedrock_error_info e;
	char detail[400] = "";
	size_t i;

	for (i = 0; i < c->count; i++) {
		int rc = bedrock_google_provider_get(out, c->list[i], cancel, &e);

		if (rc != BEDROCK_ENOTFOUND) {
			if (err)
				*err = e;
			return rc;
		}
		note(detail, sizeof(detail), &e);
	}
	return bedrock__err(err, BEDROCK_ENOTFOUND, "no Google credentials found (%s)%s%s",
			    detail[0] ? detail : "no source", c->hint ? ": " : "",
			    c->hint ? c->hint : "");
}

static int chain_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
			 bedrock_error_info *err)
{
	chain *c = impl;
	size_t i;

	for (i = 0; i < c->count; i++) {
		bedrock_google_provider *p = c->list[i];
		int rc;

		if (!p->vt->project)
			continue;
		out[0] = '\0';
		rc = p->vt->project(out, cap, p->impl, cancel, err);
		if (rc != BEDROCK_ENOTFOUND)
			return rc;
	}
	return bedrock__err(err, BEDROCK_ENOTFOUND, "no Google credentials found, so no project");
}

static void chain_destroy(void *impl)
{
	chain *c = impl;
	size_t i;

	for (i = 0; i < c->count; i++)
		bedrock_google_provider_release(c->list[i]);
	bedrock__free(c->list);
	bedrock__free(c);
}

static void chain_forget(void *impl, const char *token)
{
	chain *c = impl;
	size_t i;

	for (i = 0; i < c->count; i++)
		bedrock__google_forget(c->list[i], token);
}

static const bedrock_google_provider_vtable chain_vt = {
	BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "chain", chain_get, chain_project, chain_destroy
};

int bedrock__google_chain_new(bedrock_google_provider **out,
			      bedrock_google_provider *const *providers, size_t count,
			      const char *hint)
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
		c->list[i] = bedrock_google_provider_ref(providers[i]);
	c->count = count;
	c->hint = hint;
	rc = bedrock_google_provider_new(out, &chain_vt, c);
	if (rc)
		chain_destroy(c);
	else
		(*out)->forget = chain_forget;
	return rc;
}

int bedrock_google_provider_new_chain(bedrock_google_provider **out,
				      bedrock_google_provider *const *providers, size_t count)
{
	return bedrock__google_chain_new(out, providers, count, NULL);
}
