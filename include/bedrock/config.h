/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The AWS shared configuration: ~/.aws/config and ~/.aws/credentials,
 * the profile in use, and the region, resolved as the AWS CLI does.
 */
#ifndef BEDROCK_CONFIG_H
#define BEDROCK_CONFIG_H

#ifdef __cplusplus
extern "C" {
#endif

/** The loaded shared config and credentials files for one profile. */
typedef struct bedrock_config bedrock_config;

#define BEDROCK_CONFIG_OPTIONS_VERSION 1

typedef struct bedrock_config_options {
	/** (Required) BEDROCK_CONFIG_OPTIONS_VERSION. */
	unsigned int version;
	/**
	 * (Optional) The profile to use. Default: $AWS_PROFILE, then
	 * $AWS_DEFAULT_PROFILE, then "default".
	 */
	const char *profile;
	/** (Optional) Config file. Default: $AWS_CONFIG_FILE, else ~/.aws/config. */
	const char *config_file;
	/**
	 * (Optional) Credentials file. Default: $AWS_SHARED_CREDENTIALS_FILE,
	 * else ~/.aws/credentials.
	 */
	const char *credentials_file;
} bedrock_config_options;

#define BEDROCK_CONFIG_OPTIONS_INIT { BEDROCK_CONFIG_OPTIONS_VERSION, NULL, NULL, NULL }

/**
 * Reads both files. A file that does not exist counts as empty; one that
 * exists but cannot be read or parsed is an error naming the file and line.
 *
 * @param out     the new handle, set even when the result is an error other
 *                than BEDROCK_ENOMEM so that bedrock_config_errmsg() can say
 *                what was wrong; free it with bedrock_config_free()
 * @param options NULL for the defaults
 * @return 0, BEDROCK_ECONFIG (unreadable or malformed file), BEDROCK_EINVAL
 *         (bad options) or BEDROCK_ENOMEM
 */
int bedrock_config_load(bedrock_config **out, const bedrock_config_options *options);

void bedrock_config_free(bedrock_config *config);

/** What the last failing call on this handle found wrong ("" if nothing). */
const char *bedrock_config_errmsg(const bedrock_config *config);

/** The profile in use (lent). */
const char *bedrock_config_profile(const bedrock_config *config);

/**
 * A setting of the profile in use, e.g. "region" or "role_arn": the
 * credentials file's value if it has one, else the config file's. Keys are
 * case-insensitive. NULL when unset. The pointer is lent from config.
 */
const char *bedrock_config_get(const bedrock_config *config, const char *key);

/**
 * A setting of another profile (e.g. a source_profile), looked up the same
 * way. NULL when the profile or key is absent.
 */
const char *bedrock_config_get_profile(const bedrock_config *config,
				       const char *profile, const char *key);

/**
 * A setting of a named config-file section of another kind, e.g.
 * ("sso-session", "my-sso", "sso_region") or ("services", "local", ...).
 * For nested keys ("bedrock_runtime" then "endpoint_url") pass the parent
 * key in @p key and the child in @p subkey; otherwise @p subkey is NULL.
 */
const char *bedrock_config_get_section(const bedrock_config *config,
				       const char *kind, const char *name,
				       const char *key, const char *subkey);

/** The paths of the two files read (lent). */
const char *bedrock_config_config_file(const bedrock_config *config);
const char *bedrock_config_credentials_file(const bedrock_config *config);

/**
 * 1 if the credentials file exists and other users may read it (group or
 * world read permission), which deserves a warning; else 0.
 */
int bedrock_config_insecure_credentials_file(const bedrock_config *config);

/** Whether the profile in use exists in either file. */
int bedrock_config_has_profile(const bedrock_config *config, const char *profile);

/**
 * The endpoint URL configured for a service, following the AWS SDKs'
 * convention: $AWS_ENDPOINT_URL_<SERVICE>, then the profile's `services`
 * section (`<service> =` with a nested `endpoint_url`), then
 * $AWS_ENDPOINT_URL, then the profile's `endpoint_url`. All are ignored when
 * $AWS_IGNORE_CONFIGURED_ENDPOINT_URLS or the profile's
 * `ignore_configured_endpoint_urls` is true.
 *
 * @param service the service's identifier in environment form:
 *                "BEDROCK_RUNTIME", "BEDROCK", "STS", "SSO", "SSO_OIDC"
 * @return the URL (lent), or NULL to use the default endpoint
 */
const char *bedrock_config_endpoint(const bedrock_config *config, const char *service);

/** Where a region came from. */
typedef enum bedrock_region_source {
	BEDROCK_REGION_EXPLICIT = 1,
	BEDROCK_REGION_ENV_AWS_REGION = 2,
	BEDROCK_REGION_ENV_AWS_DEFAULT_REGION = 3,
	BEDROCK_REGION_PROFILE = 4
} bedrock_region_source;

/** "explicit", "AWS_REGION", "AWS_DEFAULT_REGION" or "profile". */
const char *bedrock_region_source_name(bedrock_region_source source);

/**
 * Resolves the region: @p explicit_region > $AWS_REGION >
 * $AWS_DEFAULT_REGION > the profile's `region`. There is no silent default:
 * with none set the result is BEDROCK_ECONFIG and bedrock_config_errmsg()
 * says how to set one.
 *
 * @param out        the region (lent from config or the environment; valid
 *                   until config is freed or the environment changes)
 * @param source     (Optional) where it came from
 * @param config     the loaded configuration
 * @param explicit_region (Optional) a region given in code or on a command line
 * @return 0 or BEDROCK_ECONFIG
 */
int bedrock_config_region(const char **out, bedrock_region_source *source,
			  bedrock_config *config, const char *explicit_region);

#ifdef __cplusplus
}
#endif

#endif
