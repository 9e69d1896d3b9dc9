/* Choosing between SigV4 and a Bedrock API key. */
#include <string.h>

#include "bedrock/auth.h"
#include "alloc.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"

struct bedrock_auth {
	bedrock_auth_kind kind;
	char *bearer;
	bedrock_creds_provider *provider;
	const char *source;
};

static int make_bearer(bedrock_auth *a, const char *token, const char *source,
		       bedrock_error_info *err)
{
	if (bedrock__has_crlf(token))
		return bedrock__err(err, BEDROCK_EINVAL, "the Bedrock API key from %s contains CR or LF",
				    source);
	a->kind = BEDROCK_AUTH_BEARER;
	a->source = source;
	a->bearer = bedrock__strdup(token);
	return a->bearer ? 0 : bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
}

int bedrock_auth_new(bedrock_auth **out, const bedrock_auth_options *o, bedrock_error_info *err)
{
	bedrock_auth_options defaults = BEDROCK_AUTH_OPTIONS_INIT;
	bedrock_creds_profile_options po = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	int explicit_keys, rc;
	const char *env;
	bedrock_auth *a;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	if (!o)
		o = &defaults;
	if (o->version != BEDROCK_AUTH_OPTIONS_VERSION)
		return bedrock__err(err, BEDROCK_EINVAL, "unknown bedrock_auth_options version");
	explicit_keys = (o->access_key_id && *o->access_key_id) ||
			(o->secret_access_key && *o->secret_access_key);
	if (o->bearer_token && *o->bearer_token && (explicit_keys || o->provider))
		return bedrock__err(err, BEDROCK_EINVAL,
				    "both a Bedrock API key and AWS credentials were given; pass one");
	a = bedrock__calloc(1, sizeof(*a));
	if (!a)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	a->kind = BEDROCK_AUTH_SIGV4;
	env = bedrock__env("AWS_BEARER_TOKEN_BEDROCK");
	if (o->bearer_token && *o->bearer_token) {
		rc = make_bearer(a, o->bearer_token, "explicit-bearer", err);
	} else if (explicit_keys) {
		a->source = "explicit-keys";
		rc = bedrock_creds_provider_new_static(&a->provider, o->access_key_id,
						       o->secret_access_key, o->session_token);
		if (rc)
			bedrock__err(err, rc, rc == BEDROCK_ENOMEM ? "out of memory"
				     : "explicit credentials need both an access key id and a secret "
				       "access key, without CR or LF");
	} else if (o->provider) {
		a->source = "provider";
		a->provider = bedrock_creds_provider_ref(o->provider);
		rc = 0;
	} else if (env) {
		rc = make_bearer(a, env, "AWS_BEARER_TOKEN_BEDROCK", err);
	} else {
		a->source = "default-chain";
		po.profile = o->profile;
		rc = bedrock_creds_provider_new_default(&a->provider, &po);
		if (rc)
			bedrock__err(err, rc, "cannot set up the credential chain: %s",
				     bedrock_strerror(rc));
	}
	if (rc) {
		bedrock_auth_free(a);
		return rc;
	}
	*out = a;
	return 0;
}

void bedrock_auth_free(bedrock_auth *a)
{
	if (!a)
		return;
	if (a->bearer) {
		bedrock__wipe(a->bearer, strlen(a->bearer));
		bedrock__free(a->bearer);
	}
	bedrock_creds_provider_release(a->provider);
	bedrock__free(a);
}

bedrock_auth_kind bedrock_auth_get_kind(const bedrock_auth *a) { return a->kind; }
const char *bedrock_auth_bearer_token(const bedrock_auth *a) { return a->bearer; }
bedrock_creds_provider *bedrock_auth_provider(const bedrock_auth *a) { return a->provider; }
const char *bedrock_auth_source(const bedrock_auth *a) { return a->source; }
