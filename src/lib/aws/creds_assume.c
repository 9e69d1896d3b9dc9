/* Assume-role profiles (role_arn with source_profile or credential_source)
 * and web identity (AssumeRoleWithWebIdentity), as botocore resolves them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "buf.h"
#include "config_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "http.h"
#include "sigv4_private.h"
#include "sts.h"
#include "urlcode.h"

#define MAX_ROLE_CHAIN 16

typedef struct {
	bedrock__profile_src src;
	int use_env;		/* web identity: env variables before profile keys */
} sts_impl;

static void form_put(bedrock_buf *b, const char *key, const char *value)
{
	if (!value || !*value)
		return;
	bedrock__buf_putc(b, '&');
	bedrock__buf_puts(b, key);
	bedrock__buf_putc(b, '=');
	bedrock__url_encode_buf(b, value, strlen(value), 0);
}

static void session_name(char *out, size_t cap, const char *configured)
{
	if (configured && *configured)
		snprintf(out, cap, "%s", configured);
	else
		snprintf(out, cap, "libbedrock-session-%lld", (long long)time(NULL));
}

static int web_identity_for(bedrock_credentials **out, bedrock_config *cfg, const char *profile,
			    int use_env, bedrock_error_info *err)
{
	const char *file = use_env ? bedrock__env("AWS_WEB_IDENTITY_TOKEN_FILE") : NULL;
	const char *arn = use_env ? bedrock__env("AWS_ROLE_ARN") : NULL;
	const char *name = use_env ? bedrock__env("AWS_ROLE_SESSION_NAME") : NULL;
	bedrock_buf form = BEDROCK_BUF_INIT, token = BEDROCK_BUF_INIT;
	char session[128], chunk[4096];
	FILE *f;
	size_t n;
	int rc;

	if (!file)
		file = bedrock_config_get_profile(cfg, profile, "web_identity_token_file");
	if (!arn)
		arn = bedrock_config_get_profile(cfg, profile, "role_arn");
	if (!name)
		name = bedrock_config_get_profile(cfg, profile, "role_session_name");
	if (!file)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "web identity: no token file configured");
	if (!arn)
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "web identity: a token file is set but no role ARN (AWS_ROLE_ARN or role_arn)");
	/* Read fresh every time: the orchestrator rotates it. */
	f = fopen(file, "rb");
	if (!f)
		return bedrock__err(err, BEDROCK_ECONFIG, "web identity: cannot read the token file %s",
				    file);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && token.len < (1u << 20))
		bedrock__buf_put(&token, chunk, n);
	fclose(f);
	while (token.len && (token.ptr[token.len - 1] == '\n' || token.ptr[token.len - 1] == '\r'))
		token.ptr[--token.len] = '\0';
	if (!token.len) {
		bedrock__buf_dispose(&token);
		return bedrock__err(err, BEDROCK_ECONFIG, "web identity: the token file %s is empty", file);
	}
	session_name(session, sizeof(session), name);
	bedrock__buf_puts(&form, "Action=AssumeRoleWithWebIdentity&Version=2011-06-15");
	form_put(&form, "RoleArn", arn);
	form_put(&form, "RoleSessionName", session);
	form_put(&form, "WebIdentityToken", token.ptr);
	form_put(&form, "DurationSeconds", bedrock_config_get_profile(cfg, profile, "duration_seconds"));
	if (form.oom || token.oom)
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	else
		rc = bedrock__sts_call(out, "web-identity", cfg, form.ptr, NULL, err);
	/* IDPCommunicationError is the identity provider's hiccup: once more. */
	if (rc && err && !strcmp(err->aws_code, "IDPCommunicationError"))
		rc = bedrock__sts_call(out, "web-identity", cfg, form.ptr, NULL, err);
	bedrock__wipe(form.ptr, form.cap);
	bedrock__wipe(token.ptr, token.cap);
	bedrock__buf_dispose(&form);
	bedrock__buf_dispose(&token);
	return rc;
}

static int static_keys_of(bedrock_credentials **out, bedrock_config *cfg, const char *profile,
			  bedrock_error_info *err)
{
	const char *id = bedrock_config_get_profile(cfg, profile, "aws_access_key_id");
	const char *secret = bedrock_config_get_profile(cfg, profile, "aws_secret_access_key");
	const char *token = bedrock_config_get_profile(cfg, profile, "aws_session_token");

	if (!id || !secret)
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "profile %s: aws_access_key_id and aws_secret_access_key must both be set",
				    profile);
	return bedrock__credentials_make(out, "profile", id, secret, token, NULL, 0, err);
}

static int credential_source(bedrock_credentials **out, const bedrock__profile_src *src,
			     const char *profile, const char *name, bedrock_error_info *err)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p = NULL;
	int rc;

	o.profile = profile;
	o.config_file = src->config_file;
	o.credentials_file = src->credentials_file;
	if (!strcmp(name, "Environment"))
		rc = bedrock_creds_provider_new_environment(&p);
	else if (!strcmp(name, "Ec2InstanceMetadata"))
		rc = bedrock_creds_provider_new_imds(&p, &o);
	else if (!strcmp(name, "EcsContainer"))
		rc = bedrock_creds_provider_new_container(&p);
	else
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "profile %s: credential_source must be Environment, "
				    "Ec2InstanceMetadata or EcsContainer, not '%s'", profile, name);
	if (rc)
		return bedrock__err(err, rc, "out of memory");
	rc = bedrock_creds_provider_get(out, p, err);
	bedrock_creds_provider_release(p);
	if (rc == BEDROCK_ENOTFOUND)
		rc = bedrock__err(err, BEDROCK_ECONFIG, "profile %s: credential_source %s has no credentials",
				  profile, name);
	return rc;
}

/* Web identity, SSO, then credential_process of a source profile. */
static int profile_chain(bedrock_credentials **out, bedrock_config *cfg,
			 const bedrock__profile_src *src, const char *profile,
			 bedrock_error_info *err)
{
	bedrock_creds_profile_options o = BEDROCK_CREDS_PROFILE_OPTIONS_INIT;
	bedrock_creds_provider *p;
	int rc, i;

	rc = web_identity_for(out, cfg, profile, 0, err);
	if (rc != BEDROCK_ENOTFOUND)
		return rc;
	o.profile = profile;
	o.config_file = src->config_file;
	o.credentials_file = src->credentials_file;
	for (i = 0; i < 2; i++) {
		rc = i ? bedrock_creds_provider_new_process(&p, &o) : bedrock_creds_provider_new_sso(&p, &o);
		if (rc)
			return bedrock__err(err, rc, "out of memory");
		rc = bedrock_creds_provider_get(out, p, err);
		bedrock_creds_provider_release(p);
		if (rc != BEDROCK_ENOTFOUND)
			return rc;
	}
	return bedrock__err(err, BEDROCK_ECONFIG, "source profile %s has no credentials", profile);
}

static int assume(bedrock_credentials **out, bedrock_config *cfg, const char *profile,
		  const bedrock_credentials *base, bedrock_error_info *err)
{
	bedrock_buf form = BEDROCK_BUF_INIT;
	char session[128];
	int rc;

	if (bedrock_config_get_profile(cfg, profile, "mfa_serial"))
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "profile %s: mfa_serial needs an MFA code, which libbedrock cannot "
				    "prompt for; use a credential_process or SSO instead", profile);
	session_name(session, sizeof(session),
		     bedrock_config_get_profile(cfg, profile, "role_session_name"));
	bedrock__buf_puts(&form, "Action=AssumeRole&Version=2011-06-15");
	form_put(&form, "RoleArn", bedrock_config_get_profile(cfg, profile, "role_arn"));
	form_put(&form, "RoleSessionName", session);
	form_put(&form, "ExternalId", bedrock_config_get_profile(cfg, profile, "external_id"));
	form_put(&form, "DurationSeconds", bedrock_config_get_profile(cfg, profile, "duration_seconds"));
	rc = form.oom ? bedrock__err(err, BEDROCK_ENOMEM, "out of memory")
		      : bedrock__sts_call(out, "assume-role", cfg, form.ptr, base, err);
	bedrock__buf_dispose(&form);
	return rc;
}

static int resolve(bedrock_credentials **out, bedrock_config *cfg, const bedrock__profile_src *src,
		   const char *profile, const char **visited, int depth, bedrock_error_info *err)
{
	const char *source = bedrock_config_get_profile(cfg, profile, "source_profile");
	const char *csource = bedrock_config_get_profile(cfg, profile, "credential_source");
	bedrock_credentials *base = NULL;
	int rc, i;

	for (i = 0; i < depth; i++)
		if (!strcmp(visited[i], profile))
			return bedrock__err(err, BEDROCK_ECONFIG,
					    "profile %s: the source_profile chain loops back to %s",
					    visited[0], profile);
	if (depth == MAX_ROLE_CHAIN)
		return bedrock__err(err, BEDROCK_ECONFIG, "profile %s: role chain too long", visited[0]);
	visited[depth] = profile;
	if (!bedrock_config_has_profile(cfg, profile))
		return bedrock__err(err, BEDROCK_ECONFIG, "profile %s (a source_profile) does not exist",
				    profile);
	if ((source != NULL) == (csource != NULL))
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "profile %s: role_arn needs exactly one of source_profile and "
				    "credential_source", profile);
	if (csource) {
		rc = credential_source(&base, src, profile, csource, err);
	} else if (bedrock_config_get_profile(cfg, source, "aws_access_key_id")) {
		/* Static keys win, even on a profile that names itself. */
		rc = static_keys_of(&base, cfg, source, err);
	} else if (bedrock_config_get_profile(cfg, source, "role_arn") &&
		   !bedrock_config_get_profile(cfg, source, "web_identity_token_file")) {
		rc = resolve(&base, cfg, src, source, visited, depth + 1, err);
	} else if (!bedrock_config_has_profile(cfg, source)) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "profile %s: source_profile %s does not exist",
				  profile, source);
	} else {
		rc = profile_chain(&base, cfg, src, source, err);
	}
	if (rc == 0)
		rc = assume(out, cfg, profile, base, err);
	bedrock_credentials_release(base);
	return rc;
}

static int assume_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	sts_impl *p = impl;
	const char *visited[MAX_ROLE_CHAIN];
	bedrock_config *cfg;
	const char *prof;
	int rc;

	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	prof = bedrock_config_profile(cfg);
	if (!bedrock_config_get(cfg, "role_arn") || bedrock_config_get(cfg, "web_identity_token_file"))
		rc = bedrock__err(err, BEDROCK_ENOTFOUND, "profile %s has no role_arn", prof);
	else
		rc = resolve(out, cfg, &p->src, prof, visited, 0, err);
	bedrock_config_free(cfg);
	return rc;
}

static int web_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	sts_impl *p = impl;
	bedrock_config *cfg;
	int rc;

	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	rc = web_identity_for(out, cfg, bedrock_config_profile(cfg), p->use_env, err);
	bedrock_config_free(cfg);
	return rc;
}

static const bedrock_creds_provider_vtable assume_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "assume-role", assume_get, bedrock__profile_provider_destroy
};

static const bedrock_creds_provider_vtable web_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "web-identity", web_get, bedrock__profile_provider_destroy
};

static int make(bedrock_creds_provider **out, const bedrock_creds_profile_options *options,
		const bedrock_creds_provider_vtable *vt)
{
	sts_impl *p;
	int rc;

	rc = bedrock__profile_provider_new(out, vt, options, sizeof(*p), (void **)&p);
	/* Like botocore: the environment's web identity settings count unless
	 * a profile was chosen explicitly. */
	if (rc == 0)
		p->use_env = !options || !options->profile;
	return rc;
}

int bedrock_creds_provider_new_assume_role(bedrock_creds_provider **out,
					   const bedrock_creds_profile_options *options)
{
	return make(out, options, &assume_vt);
}

int bedrock_creds_provider_new_web_identity(bedrock_creds_provider **out,
					    const bedrock_creds_profile_options *options)
{
	return make(out, options, &web_vt);
}
