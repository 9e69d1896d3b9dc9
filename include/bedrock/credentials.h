/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * AWS credentials and the providers that find them.
 *
 * Credentials are immutable and reference-counted. Providers sit behind one
 * vtable, are reference-counted and thread-safe, and compose: the default
 * provider is a chain (environment, profile, web identity, SSO, process,
 * container, IMDS — the AWS CLI's order) wrapped in a cache that refreshes
 * expiring credentials ahead of time.
 */
#ifndef BEDROCK_CREDENTIALS_H
#define BEDROCK_CREDENTIALS_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ---- credentials ---------------------------------------------------------- */

/** Immutable, reference-counted credentials. Thread-safe. */
typedef struct bedrock_credentials bedrock_credentials;

/**
 * Makes credentials from explicit values. Values containing CR or LF are
 * refused (they would end up in HTTP headers).
 *
 * @param out               new credentials with one reference; release them
 *                          with bedrock_credentials_release()
 * @param access_key_id     (Required)
 * @param secret_access_key (Required)
 * @param session_token     (Optional)
 * @param expiration        Unix time in seconds when they expire; 0 = never
 * @return 0, BEDROCK_EINVAL or BEDROCK_ENOMEM
 */
int bedrock_credentials_new(bedrock_credentials **out, const char *access_key_id,
			    const char *secret_access_key, const char *session_token,
			    int64_t expiration);

/** Adds a reference; returns @p creds. */
bedrock_credentials *bedrock_credentials_ref(bedrock_credentials *creds);

/** Drops a reference; the last one wipes the secrets from memory. NULL is fine. */
void bedrock_credentials_release(bedrock_credentials *creds);

/* Getters lend strings that live as long as the credentials. */
const char *bedrock_credentials_access_key_id(const bedrock_credentials *creds);
const char *bedrock_credentials_secret_access_key(const bedrock_credentials *creds);
/** NULL when there is none. */
const char *bedrock_credentials_session_token(const bedrock_credentials *creds);
/** NULL when unknown. */
const char *bedrock_credentials_account_id(const bedrock_credentials *creds);
/** Unix seconds; 0 when they never expire. */
int64_t bedrock_credentials_expiration(const bedrock_credentials *creds);
/** The provider that produced them: "static", "environment", "profile", ... */
const char *bedrock_credentials_provider(const bedrock_credentials *creds);

/**
 * Writes an access key id as it may be shown: "****" and its last four
 * characters ("****" alone for ids shorter than eight). @p out must hold 9
 * bytes.
 */
void bedrock_redact_key_id(char out[9], const char *access_key_id);

/* ---- providers ------------------------------------------------------------ */

/** A source of credentials. Reference-counted. Thread-safe. */
typedef struct bedrock_creds_provider bedrock_creds_provider;

#define BEDROCK_CREDS_PROVIDER_VTABLE_VERSION 1

/** What a custom provider implements. */
typedef struct bedrock_creds_provider_vtable {
	/** (Required) BEDROCK_CREDS_PROVIDER_VTABLE_VERSION. */
	unsigned int version;
	/** (Required) A short name for diagnostics, e.g. "vault". */
	const char *name;
	/**
	 * (Required) Produce credentials into @p out (one reference for the
	 * caller). Return 0; BEDROCK_ENOTFOUND when this source has nothing
	 * configured (a chain then asks the next one); or another error, which
	 * stops a chain. May be called from several threads at once.
	 */
	int (*get)(bedrock_credentials **out, void *impl, bedrock_error_info *err);
	/** (Optional) Free @p impl when the last reference goes. */
	void (*destroy)(void *impl);
} bedrock_creds_provider_vtable;

/**
 * Wraps a custom implementation. @p vtable must outlive the provider.
 * On failure @p destroy is not called.
 */
int bedrock_creds_provider_new(bedrock_creds_provider **out,
			       const bedrock_creds_provider_vtable *vtable, void *impl);

bedrock_creds_provider *bedrock_creds_provider_ref(bedrock_creds_provider *provider);
void bedrock_creds_provider_release(bedrock_creds_provider *provider);

/**
 * Gets credentials.
 *
 * @param out      credentials with one reference for the caller
 * @param provider the provider
 * @param err      (Optional) detail when the call fails
 * @return 0, BEDROCK_ENOTFOUND (nothing configured), BEDROCK_EAUTH,
 *         BEDROCK_ECONFIG, BEDROCK_ETIMEOUT, BEDROCK_EHTTP, BEDROCK_ENOMEM...
 */
int bedrock_creds_provider_get(bedrock_credentials **out,
			       bedrock_creds_provider *provider, bedrock_error_info *err);

/** The provider's name (lent). */
const char *bedrock_creds_provider_name(const bedrock_creds_provider *provider);

/** Always the given keys. */
int bedrock_creds_provider_new_static(bedrock_creds_provider **out,
				      const char *access_key_id,
				      const char *secret_access_key,
				      const char *session_token);

/**
 * AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN (or the
 * legacy AWS_SECURITY_TOKEN), AWS_CREDENTIAL_EXPIRATION (ISO-8601) and
 * AWS_ACCOUNT_ID, read at each call.
 */
int bedrock_creds_provider_new_environment(bedrock_creds_provider **out);

/**
 * Asks each provider in turn; the first that returns credentials wins, one
 * that fails with anything but BEDROCK_ENOTFOUND stops the search. Takes
 * its own reference on each provider.
 */
int bedrock_creds_provider_new_chain(bedrock_creds_provider **out,
				     bedrock_creds_provider *const *providers,
				     size_t count);

#define BEDROCK_CREDS_CACHE_OPTIONS_VERSION 1

typedef struct bedrock_creds_cache_options {
	/** (Required) BEDROCK_CREDS_CACHE_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Refresh when fewer seconds remain; failure keeps the old
	 *  credentials. Default 900 (15 min). */
	int64_t advisory_refresh_seconds;
	/** (Optional) Refresh when fewer seconds remain; failure is an error.
	 *  Default 600 (10 min). */
	int64_t mandatory_refresh_seconds;
	/** (Optional) Clock for tests: Unix seconds. Default: time(). */
	int64_t (*clock)(void *payload);
	void *clock_payload;
} bedrock_creds_cache_options;

#define BEDROCK_CREDS_CACHE_OPTIONS_INIT \
	{ BEDROCK_CREDS_CACHE_OPTIONS_VERSION, 900, 600, NULL, NULL }

/**
 * Caches what @p source returns. Credentials without an expiration are kept
 * for good; expiring ones are refreshed ahead of time: at most one thread
 * refreshes while the others keep using the current credentials (advisory
 * window) or wait for the refresh (mandatory window). A refresh that yields
 * credentials already inside the mandatory window is an error.
 */
int bedrock_creds_provider_new_cached(bedrock_creds_provider **out,
				      bedrock_creds_provider *source,
				      const bedrock_creds_cache_options *options);

/* ---- providers that read the shared config files -------------------------- */

#define BEDROCK_CREDS_PROFILE_OPTIONS_VERSION 1

/** Which profile and files a file-based provider reads (at every refresh). */
typedef struct bedrock_creds_profile_options {
	/** (Required) BEDROCK_CREDS_PROFILE_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Default: $AWS_PROFILE, $AWS_DEFAULT_PROFILE, "default". */
	const char *profile;
	/** (Optional) Default: $AWS_CONFIG_FILE, else ~/.aws/config. */
	const char *config_file;
	/** (Optional) Default: $AWS_SHARED_CREDENTIALS_FILE, else ~/.aws/credentials. */
	const char *credentials_file;
} bedrock_creds_profile_options;

#define BEDROCK_CREDS_PROFILE_OPTIONS_INIT \
	{ BEDROCK_CREDS_PROFILE_OPTIONS_VERSION, NULL, NULL, NULL }

/**
 * Static keys of the profile (aws_access_key_id, aws_secret_access_key,
 * aws_session_token) from the credentials file, or with @p config_file_only
 * from the config file: the AWS CLI asks the two at different places of
 * its chain.
 */
int bedrock_creds_provider_new_profile(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options,
				       int config_file_only);

/**
 * The profile's `credential_process`: the command is split as a POSIX
 * shell would split words (quotes and backslashes) but run without a shell;
 * its standard output must be the JSON document of version 1
 * ({"Version": 1, "AccessKeyId", "SecretAccessKey", "SessionToken"?,
 * "Expiration"?, "AccountId"?}). A non-zero exit is an error carrying the
 * start of its standard error. The command is killed after 120 seconds.
 */
int bedrock_creds_provider_new_process(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options);

/**
 * IAM Identity Center (SSO): the profile's sso_session (or legacy
 * sso_start_url/sso_region), sso_account_id and sso_role_name; the token
 * that `aws sso login` cached in ~/.aws/sso/cache, refreshed through SSO
 * OIDC within 15 minutes of expiry (and written back); then the portal's
 * GetRoleCredentials. Endpoints follow AWS_ENDPOINT_URL_SSO and
 * AWS_ENDPOINT_URL_SSO_OIDC.
 */
int bedrock_creds_provider_new_sso(bedrock_creds_provider **out,
				   const bedrock_creds_profile_options *options);

/**
 * A profile with role_arn: STS AssumeRole with the credentials of its
 * source_profile (static keys, another role, or that profile's web
 * identity, SSO or credential_process; cycles are an error) or its
 * credential_source (Environment, Ec2InstanceMetadata, EcsContainer).
 * Honours external_id, role_session_name and duration_seconds. Profiles
 * with mfa_serial are refused (no way to prompt for a code).
 */
int bedrock_creds_provider_new_assume_role(bedrock_creds_provider **out,
					   const bedrock_creds_profile_options *options);

/**
 * STS AssumeRoleWithWebIdentity (unsigned) with the token file named by
 * AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN and AWS_ROLE_SESSION_NAME
 * (unless a profile was chosen explicitly), else the profile's
 * web_identity_token_file, role_arn and role_session_name. The token file is
 * read afresh on every refresh.
 */
int bedrock_creds_provider_new_web_identity(bedrock_creds_provider **out,
					    const bedrock_creds_profile_options *options);

/**
 * The AWS CLI's chain, wrapped in a refreshing cache: environment (skipped
 * when @p options names a profile explicitly), assume-role profile, web
 * identity, SSO, the credentials file's keys, credential_process, the
 * config file's keys, container, IMDS. The first source with credentials
 * wins; one that is configured but fails stops the search with its error.
 */
int bedrock_creds_provider_new_default(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options);

/* ---- providers that ask a metadata endpoint -------------------------------- */

/**
 * ECS / EKS Pod Identity: AWS_CONTAINER_CREDENTIALS_RELATIVE_URI (on
 * 169.254.170.2) or AWS_CONTAINER_CREDENTIALS_FULL_URI (https, or http to a
 * loopback or ECS/EKS host only), with the token from
 * AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE (re-read each time) or
 * AWS_CONTAINER_AUTHORIZATION_TOKEN. 2 s timeout, 3 attempts.
 */
int bedrock_creds_provider_new_container(bedrock_creds_provider **out);

/**
 * EC2 instance metadata (IMDSv2 with the token flow; IMDSv1 only when the
 * token endpoint is absent and v1 is not disabled). Honours
 * AWS_EC2_METADATA_DISABLED, AWS_EC2_METADATA_SERVICE_ENDPOINT(_MODE),
 * AWS_METADATA_SERVICE_TIMEOUT, AWS_METADATA_SERVICE_NUM_ATTEMPTS,
 * AWS_EC2_METADATA_V1_DISABLED and the matching profile keys.
 */
int bedrock_creds_provider_new_imds(bedrock_creds_provider **out,
				    const bedrock_creds_profile_options *options);

#ifdef __cplusplus
}
#endif

#endif
