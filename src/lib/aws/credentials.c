/* Credentials objects, the provider base, and the static and environment
 * providers. */
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "timeutil.h"

struct bedrock_credentials {
	atomic_int refs;
	char *access_key_id, *secret_access_key, *session_token, *account_id;
	int64_t expiration;
	const char *provider;
};

struct bedrock_creds_provider {
	atomic_int refs;
	const bedrock_creds_provider_vtable *vt;
	void *impl;
};

int bedrock__has_crlf(const char *s)
{
	return s && strpbrk(s, "\r\n") != NULL;
}

static void wipe_free(char *s)
{
	if (s) {
		bedrock__wipe(s, strlen(s));
		bedrock__free(s);
	}
}

int bedrock__credentials_make(bedrock_credentials **out, const char *provider,
			      const char *access_key_id, const char *secret_access_key,
			      const char *session_token, const char *account_id,
			      int64_t expiration, bedrock_error_info *err)
{
	bedrock_credentials *c;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	if (!access_key_id || !*access_key_id || !secret_access_key || !*secret_access_key)
		return bedrock__err(err, BEDROCK_EINVAL,
				    "%s: an access key id and a secret access key are both required",
				    provider);
	if (bedrock__has_crlf(access_key_id) || bedrock__has_crlf(secret_access_key) ||
	    bedrock__has_crlf(session_token) || bedrock__has_crlf(account_id))
		return bedrock__err(err, BEDROCK_EINVAL,
				    "%s: credential values must not contain CR or LF", provider);
	c = bedrock__calloc(1, sizeof(*c));
	if (!c)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	atomic_init(&c->refs, 1);
	c->access_key_id = bedrock__strdup(access_key_id);
	c->secret_access_key = bedrock__strdup(secret_access_key);
	c->session_token = session_token && *session_token ? bedrock__strdup(session_token) : NULL;
	c->account_id = account_id && *account_id ? bedrock__strdup(account_id) : NULL;
	c->expiration = expiration;
	c->provider = provider;
	if (!c->access_key_id || !c->secret_access_key ||
	    (session_token && *session_token && !c->session_token) ||
	    (account_id && *account_id && !c->account_id)) {
		bedrock_credentials_release(c);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	*out = c;
	return 0;
}

int bedrock_credentials_new(bedrock_credentials **out, const char *access_key_id,
			    const char *secret_access_key, const char *session_token,
			    int64_t expiration)
{
	return bedrock__credentials_make(out, "static", access_key_id, secret_access_key,
					 session_token, NULL, expiration, NULL);
}

bedrock_credentials *bedrock_credentials_ref(bedrock_credentials *c)
{
	if (c)
		atomic_fetch_add(&c->refs, 1);
	return c;
}

void bedrock_credentials_release(bedrock_credentials *c)
{
	if (!c || atomic_fetch_sub(&c->refs, 1) != 1)
		return;
	wipe_free(c->access_key_id);
	wipe_free(c->secret_access_key);
	wipe_free(c->session_token);
	wipe_free(c->account_id);
	bedrock__free(c);
}

const char *bedrock_credentials_access_key_id(const bedrock_credentials *c) { return c->access_key_id; }
const char *bedrock_credentials_secret_access_key(const bedrock_credentials *c) { return c->secret_access_key; }
const char *bedrock_credentials_session_token(const bedrock_credentials *c) { return c->session_token; }
const char *bedrock_credentials_account_id(const bedrock_credentials *c) { return c->account_id; }
int64_t bedrock_credentials_expiration(const bedrock_credentials *c) { return c->expiration; }
const char *bedrock_credentials_provider(const bedrock_credentials *c) { return c->provider; }

void bedrock_redact_key_id(char out[9], const char *id)
{
	size_t n = id ? strlen(id) : 0;

	memcpy(out, "****", 5);
	/* Short ids would be revealed almost whole: show nothing of them. */
	if (n >= 8)
		memcpy(out + 4, id + n - 4, 5);
}

/* ---- provider base ---- */

int bedrock_creds_provider_new(bedrock_creds_provider **out,
			       const bedrock_creds_provider_vtable *vt, void *impl)
{
	bedrock_creds_provider *p;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!vt || vt->version != BEDROCK_CREDS_PROVIDER_VTABLE_VERSION || !vt->get || !vt->name)
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

bedrock_creds_provider *bedrock_creds_provider_ref(bedrock_creds_provider *p)
{
	if (p)
		atomic_fetch_add(&p->refs, 1);
	return p;
}

void bedrock_creds_provider_release(bedrock_creds_provider *p)
{
	if (!p || atomic_fetch_sub(&p->refs, 1) != 1)
		return;
	if (p->vt->destroy)
		p->vt->destroy(p->impl);
	bedrock__free(p);
}

int bedrock_creds_provider_get(bedrock_credentials **out, bedrock_creds_provider *p,
			       bedrock_error_info *err)
{
	int rc;

	if (!out || !p)
		return bedrock__err(err, BEDROCK_EINVAL, "no provider or output pointer");
	*out = NULL;
	if (err)
		memset(err, 0, sizeof(*err));
	rc = p->vt->get(out, p->impl, err);
	/* A custom provider may leave err alone or fill only the message. */
	if (rc && err && !err->message[0])
		bedrock__err(err, rc, "%s: %s", p->vt->name, bedrock_strerror(rc));
	if (err && rc)
		err->code = rc;
	if (rc && *out) {
		bedrock_credentials_release(*out);
		*out = NULL;
	}
	return rc;
}

const char *bedrock_creds_provider_name(const bedrock_creds_provider *p)
{
	return p->vt->name;
}

/* ---- static ---- */

static int static_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	(void)err;
	*out = bedrock_credentials_ref(impl);
	return 0;
}

static void static_destroy(void *impl)
{
	bedrock_credentials_release(impl);
}

static const bedrock_creds_provider_vtable static_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "static", static_get, static_destroy
};

int bedrock_creds_provider_new_static(bedrock_creds_provider **out, const char *access_key_id,
				      const char *secret_access_key, const char *session_token)
{
	bedrock_credentials *c;
	int rc;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	rc = bedrock__credentials_make(&c, "static", access_key_id, secret_access_key,
				       session_token, NULL, 0, NULL);
	if (rc)
		return rc;
	rc = bedrock_creds_provider_new(out, &static_vt, c);
	if (rc)
		bedrock_credentials_release(c);
	return rc;
}

/* ---- environment ---- */

const char *bedrock__env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int bedrock__is_true(const char *v)
{
	return v && (v[0] == 't' || v[0] == 'T') && (v[1] == 'r' || v[1] == 'R') &&
	       (v[2] == 'u' || v[2] == 'U') && (v[3] == 'e' || v[3] == 'E') && !v[4];
}


static int env_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	const char *id = bedrock__env("AWS_ACCESS_KEY_ID"), *secret = bedrock__env("AWS_SECRET_ACCESS_KEY");
	const char *token = bedrock__env("AWS_SESSION_TOKEN"), *exp = bedrock__env("AWS_CREDENTIAL_EXPIRATION");
	int64_t expiration = 0;

	(void)impl;
	if (!token)
		token = bedrock__env("AWS_SECURITY_TOKEN");
	if (!id && !secret)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "environment: AWS_ACCESS_KEY_ID is not set");
	if (!id || !secret)
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "environment: %s is set but %s is not",
				    id ? "AWS_ACCESS_KEY_ID" : "AWS_SECRET_ACCESS_KEY",
				    id ? "AWS_SECRET_ACCESS_KEY" : "AWS_ACCESS_KEY_ID");
	if (exp && bedrock__parse_iso8601(exp, &expiration))
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "environment: AWS_CREDENTIAL_EXPIRATION is not an ISO-8601 time");
	return bedrock__credentials_make(out, "environment", id, secret, token,
					 bedrock__env("AWS_ACCOUNT_ID"), expiration, err);
}

static const bedrock_creds_provider_vtable env_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "environment", env_get, NULL
};

int bedrock_creds_provider_new_environment(bedrock_creds_provider **out)
{
	return bedrock_creds_provider_new(out, &env_vt, NULL);
}
