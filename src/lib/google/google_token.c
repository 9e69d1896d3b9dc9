/* Google tokens, the provider base and the static-token provider. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/google.h"
#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"

struct bedrock_google_token {
	atomic_int refs;
	char *access_token;
	int64_t expiry;
	bedrock_google_credential_type type;
	const char *source;
	char *file, *email, *project_id, *quota_project;
	char key_id[9];		/* "****abcd", or "" */
};

const char *bedrock__google_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

const char *bedrock_google_credential_type_name(bedrock_google_credential_type t)
{
	switch (t) {
	case BEDROCK_GOOGLE_ACCESS_TOKEN: return "access_token";
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT: return "service_account";
	case BEDROCK_GOOGLE_AUTHORIZED_USER: return "authorized_user";
	case BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT: return "impersonated_service_account";
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT: return "external_account";
	case BEDROCK_GOOGLE_METADATA: return "metadata";
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER: return "external_account_authorized_user";
	}
	return "unknown";
}

int bedrock__google_token_ok(const char *s)
{
	if (!s || !*s)
		return 0;
	for (; *s; s++)
		if ((unsigned char)*s <= ' ' || (unsigned char)*s >= 127)
			return 0;
	return 1;
}

static char *dup_opt(const char *s, int *oom)
{
	char *d;

	if (!s || !*s)
		return NULL;
	d = bedrock__strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

int bedrock__google_token_make(bedrock_google_token **out, const bedrock__google_token_info *in,
			       bedrock_error_info *err)
{
	bedrock_google_token *t;
	int oom = 0;

	*out = NULL;
	if (!bedrock__google_token_ok(in->access_token))
		return bedrock__err(err, BEDROCK_EINVAL,
				    "google: an access token must be printable ASCII without spaces");
	t = bedrock__calloc(1, sizeof(*t));
	if (!t)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	atomic_init(&t->refs, 1);
	t->access_token = dup_opt(in->access_token, &oom);
	t->expiry = in->expiry;
	t->type = in->type;
	t->source = in->source ? in->source : "static";
	t->file = dup_opt(in->file, &oom);
	t->email = dup_opt(in->email, &oom);
	t->project_id = dup_opt(in->project_id, &oom);
	t->quota_project = dup_opt(in->quota_project, &oom);
	if (in->key_id && *in->key_id) {
		size_t n = strlen(in->key_id);

		/* As an AWS key id is shown: a short id would be shown almost whole. */
		memcpy(t->key_id, "****", 5);
		if (n >= 8)
			memcpy(t->key_id + 4, in->key_id + n - 4, 5);
	}
	if (oom) {
		bedrock_google_token_release(t);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	*out = t;
	return 0;
}

int bedrock_google_token_new(bedrock_google_token **out, const char *access_token, int64_t expiry)
{
	bedrock__google_token_info info = { 0 };

	if (!out)
		return BEDROCK_EINVAL;
	info.access_token = access_token;
	info.expiry = expiry;
	info.type = BEDROCK_GOOGLE_ACCESS_TOKEN;
	info.source = "static";
	return bedrock__google_token_make(out, &info, NULL);
}

bedrock_google_token *bedrock_google_token_ref(bedrock_google_token *t)
{
	if (t)
		atomic_fetch_add(&t->refs, 1);
	return t;
}

void bedrock_google_token_release(bedrock_google_token *t)
{
	if (!t || atomic_fetch_sub(&t->refs, 1) != 1)
		return;
	if (t->access_token) {
		bedrock__wipe(t->access_token, strlen(t->access_token));
		bedrock__free(t->access_token);
	}
	bedrock__free(t->file);
	bedrock__free(t->email);
	bedrock__free(t->project_id);
	bedrock__free(t->quota_project);
	bedrock__free(t);
}

const char *bedrock_google_token_access_token(const bedrock_google_token *t) { return t->access_token; }
int64_t bedrock_google_token_expiry(const bedrock_google_token *t) { return t->expiry; }
bedrock_google_credential_type bedrock_google_token_type(const bedrock_google_token *t) { return t->type; }
const char *bedrock_google_token_source(const bedrock_google_token *t) { return t->source; }
const char *bedrock_google_token_file(const bedrock_google_token *t) { return t->file; }
const char *bedrock_google_token_email(const bedrock_google_token *t) { return t->email; }
const char *bedrock_google_token_key_id(const bedrock_google_token *t) { return t->key_id[0] ? t->key_id : NULL; }
const char *bedrock_google_token_project_id(const bedrock_google_token *t) { return t->project_id; }
const char *bedrock_google_token_quota_project(const bedrock_google_token *t) { return t->quota_project; }

/* ---- provider base ---- */

int bedrock_google_provider_new(bedrock_google_provider **out,
				const bedrock_google_provider_vtable *vt, void *impl)
{
	bedrock_google_provider *p;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!vt || vt->version != BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION || !vt->get || !vt->name)
		return BEDROCK_EINVAL;
	p = bedrock__calloc(1, sizeof(*p));
	if (!p)
		return BEDROCK_ENOMEM;
	atomic_init(&p->refs, 1);
	p->vt = vt;
	p->impl = impl;
	*out = p;
	return 0;
}

bedrock_google_provider *bedrock_google_provider_ref(bedrock_google_provider *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void bedrock_google_provider_release(bedrock_google_provider *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	if (p->vt->destroy)
		p->vt->destroy(p->impl);
	bedrock__free(p);
}

void bedrock__google_forget(bedrock_google_provider *p, const char *token)
{
	if (p && token && p->forget)
		p->forget(p->impl, token);
}

const char *bedrock_google_provider_name(const bedrock_google_provider *p)
{
	return p->vt->name;
}

/* A custom provider may leave err alone or fill only the message. */
static int finish_err(bedrock_google_provider *p, int rc, bedrock_error_info *err)
{
	if (rc && err && !err->message[0])
		bedrock__err(err, rc, "%s: %s", p->vt->name, bedrock_strerror(rc));
	if (rc && err)
		err->code = rc;
	return rc;
}

int bedrock_google_provider_get(bedrock_google_token **out, bedrock_google_provider *p,
				const struct bedrock_cancel *cancel, bedrock_error_info *err)
{
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !p)
		return bedrock__err(err, BEDROCK_EINVAL, "no provider or output pointer");
	*out = NULL;
	if (bedrock__cancelled(cancel))
		return bedrock__err(err, BEDROCK_ECANCELED, "%s: cancelled", p->vt->name);
	rc = finish_err(p, p->vt->get(out, p->impl, cancel, err), err);
	if (rc && *out) {
		bedrock_google_token_release(*out);
		*out = NULL;
	} else if (!rc && !*out) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: returned no token", p->vt->name);
	}
	return rc;
}

int bedrock_google_provider_project(char *out, size_t out_size, bedrock_google_provider *p,
				    const struct bedrock_cancel *cancel, bedrock_error_info *err)
{
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !out_size || !p)
		return bedrock__err(err, BEDROCK_EINVAL, "no provider or output buffer");
	out[0] = '\0';
	if (!p->vt->project)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "google: the credentials of %s name no "
				    "project", p->vt->name);
	if (bedrock__cancelled(cancel))
		return bedrock__err(err, BEDROCK_ECANCELED, "%s: cancelled", p->vt->name);
	rc = finish_err(p, p->vt->project(out, out_size, p->impl, cancel, err), err);
	if (rc) {
		out[0] = '\0';
		return rc;
	}
	if (!memchr(out, '\0', out_size)) {
		out[0] = '\0';
		return bedrock__err(err, BEDROCK_ELIMIT, "%s: the project id does not fit", p->vt->name);
	}
	if (!out[0])
		return bedrock__err(err, BEDROCK_ENOTFOUND, "google: the credentials name no project "
				    "(no project_id or quota_project_id)");
	return 0;
}

/* ---- static token ---- */

static int static_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		      bedrock_error_info *err)
{
	(void)cancel, (void)err;
	*out = bedrock_google_token_ref(impl);
	return 0;
}

static int static_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
			  bedrock_error_info *err)
{
	(void)cap, (void)impl, (void)cancel, (void)err;
	out[0] = '\0';		/* configured, but a bare token names no project */
	return 0;
}

static void static_destroy(void *impl)
{
	bedrock_google_token_release(impl);
}

static const bedrock_google_provider_vtable static_vt = {
	BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "static", static_get, static_project, static_destroy
};

int bedrock__google_static_provider(bedrock_google_provider **out, const char *token,
				    const char *source, bedrock_error_info *err)
{
	bedrock__google_token_info info = { 0 };
	bedrock_google_token *t;
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	info.access_token = token;
	info.type = BEDROCK_GOOGLE_ACCESS_TOKEN;
	info.source = source;
	info.quota_project = bedrock__google_env("GOOGLE_CLOUD_QUOTA_PROJECT");
	rc = bedrock__google_token_make(&t, &info, err);
	if (rc)
		return rc;
	rc = bedrock_google_provider_new(out, &static_vt, t);
	if (rc) {
		bedrock_google_token_release(t);
		return bedrock__err(err, rc, "out of memory");
	}
	return 0;
}

int bedrock_google_provider_new_static_token(bedrock_google_provider **out, const char *token,
					     bedrock_error_info *err)
{
	if (err)
		memset(err, 0, sizeof(*err));
	return bedrock__google_static_provider(out, token, "static", err);
}
