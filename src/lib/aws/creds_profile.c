/* The profile's static keys, from the credentials or the config file. */
#include <string.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "config_private.h"
#include "creds_private.h"
#include "errinfo.h"

static char *dup_opt(const char *s, int *oom)
{
	char *d;

	if (!s)
		return NULL;
	d = bedrock__strdup(s);
	if (!d)
		*oom = 1;
	return d;
}

int bedrock__profile_src_init(bedrock__profile_src *src,
			      const bedrock_creds_profile_options *o)
{
	int oom = 0;

	memset(src, 0, sizeof(*src));
	if (!o)
		return 0;
	if (o->version != BEDROCK_CREDS_PROFILE_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	src->profile = dup_opt(o->profile, &oom);
	src->config_file = dup_opt(o->config_file, &oom);
	src->credentials_file = dup_opt(o->credentials_file, &oom);
	if (oom) {
		bedrock__profile_src_dispose(src);
		return BEDROCK_ENOMEM;
	}
	return 0;
}

void bedrock__profile_src_dispose(bedrock__profile_src *src)
{
	bedrock__free(src->profile);
	bedrock__free(src->config_file);
	bedrock__free(src->credentials_file);
	memset(src, 0, sizeof(*src));
}

int bedrock__profile_src_load(bedrock_config **out, const bedrock__profile_src *src,
			      bedrock_error_info *err)
{
	bedrock_config_options o = BEDROCK_CONFIG_OPTIONS_INIT;
	int rc;

	o.profile = src->profile;
	o.config_file = src->config_file;
	o.credentials_file = src->credentials_file;
	rc = bedrock_config_load(out, &o);
	if (rc) {
		bedrock__err(err, rc, "%s", rc == BEDROCK_ENOMEM ? "out of memory"
								 : bedrock_config_errmsg(*out));
		bedrock_config_free(*out);
		*out = NULL;
	}
	return rc;
}

int bedrock__profile_provider_new(bedrock_creds_provider **out,
				  const bedrock_creds_provider_vtable *vt,
				  const bedrock_creds_profile_options *options, size_t impl_size,
				  void **impl)
{
	bedrock__profile_src *src;
	int rc;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	src = bedrock__calloc(1, impl_size);
	if (!src)
		return BEDROCK_ENOMEM;
	rc = bedrock__profile_src_init(src, options);
	if (rc == 0)
		rc = bedrock_creds_provider_new(out, vt, src);
	if (rc) {
		bedrock__profile_provider_destroy(src);
		return rc;
	}
	if (impl)
		*impl = src;
	return 0;
}

void bedrock__profile_provider_destroy(void *impl)
{
	bedrock__profile_src_dispose(impl);
	bedrock__free(impl);
}

typedef struct {
	bedrock__profile_src src;	/* first: see bedrock__profile_provider_new */
	int config_file;
} profile_impl;

static int profile_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	profile_impl *p = impl;
	bedrock_config *cfg;
	const char *prof, *id, *secret, *token;
	const char *file = p->config_file ? "config" : "credentials";
	int in_cred = !p->config_file, rc;

	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	prof = bedrock_config_profile(cfg);
	id = bedrock__config_get_in(cfg, in_cred, prof, "aws_access_key_id");
	secret = bedrock__config_get_in(cfg, in_cred, prof, "aws_secret_access_key");
	token = bedrock__config_get_in(cfg, in_cred, prof, "aws_session_token");
	if (!token)
		token = bedrock__config_get_in(cfg, in_cred, prof, "aws_security_token");
	if (!id && !secret) {
		rc = bedrock__err(err, BEDROCK_ENOTFOUND, "profile %s: no keys in the %s file",
				  prof, file);
	} else if (!id || !secret) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "profile %s in %s: %s is set but %s is not",
				  prof, bedrock__config_path(cfg, in_cred),
				  id ? "aws_access_key_id" : "aws_secret_access_key",
				  id ? "aws_secret_access_key" : "aws_access_key_id");
	} else {
		rc = bedrock__credentials_make(out, "profile", id, secret, token,
					       bedrock__config_get_in(cfg, in_cred, prof,
								      "aws_account_id"),
					       0, err);
	}
	bedrock_config_free(cfg);
	return rc;
}

static const bedrock_creds_provider_vtable profile_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "profile", profile_get, bedrock__profile_provider_destroy
};

int bedrock_creds_provider_new_profile(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options,
				       int config_file_only)
{
	profile_impl *p;
	int rc;

	rc = bedrock__profile_provider_new(out, &profile_vt, options, sizeof(*p), (void **)&p);
	if (rc == 0)
		p->config_file = config_file_only;
	return rc;
}
