/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * Google credentials: OAuth access tokens for Vertex AI, found the way
 * Google's own libraries find them (Application Default Credentials).
 *
 * Tokens are immutable and reference-counted. Providers sit behind one
 * vtable, are reference-counted and thread-safe, and compose as the AWS
 * ones do (bedrock/credentials.h): the default provider is a chain (the
 * options, GOOGLE_APPLICATION_CREDENTIALS, gcloud's file, the metadata
 * server) wrapped in a cache that refreshes tokens ahead of expiry.
 */
#ifndef BEDROCK_GOOGLE_H
#define BEDROCK_GOOGLE_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/* bedrock_cancel (bedrock/client.h): a call given one stops when it is
 * triggered. Named by its struct tag so this header stands alone. */
struct bedrock_cancel;

/* ---- tokens ----------------------------------------------------------------- */

/** What kind of credentials produced a token. */
typedef enum bedrock_google_credential_type {
	/** An access token given as it is (no refresh). */
	BEDROCK_GOOGLE_ACCESS_TOKEN = 0,
	/** A service account key: a JWT signed RS256, exchanged at token_uri. */
	BEDROCK_GOOGLE_SERVICE_ACCOUNT = 1,
	/** A user's refresh token (gcloud auth application-default login). */
	BEDROCK_GOOGLE_AUTHORIZED_USER = 2,
	/** Another account's token through IAM generateAccessToken. */
	BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT = 3,
	/** Workload identity federation: a subject token exchanged at Google STS. */
	BEDROCK_GOOGLE_EXTERNAL_ACCOUNT = 4,
	/** The metadata server of GCE, GKE or Cloud Run. */
	BEDROCK_GOOGLE_METADATA = 5,
	/** Workforce identity: a refresh token of an external identity
	 *  (gcloud auth application-default login --login-config). */
	BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER = 6
} bedrock_google_credential_type;

/**
 * The name of a credential type as Google's files spell it:
 * "service_account", "authorized_user", "impersonated_service_account",
 * "external_account", "external_account_authorized_user", and "access_token" and "metadata" for the two
 * kinds without a file. Never NULL ("unknown").
 */
const char *bedrock_google_credential_type_name(bedrock_google_credential_type type);

/** An OAuth access token and what is known of its origin. Immutable,
 *  reference-counted. Thread-safe. */
typedef struct bedrock_google_token bedrock_google_token;

/**
 * Makes a token from an explicit value (for a custom provider). A value
 * with anything but printable ASCII is refused (it goes into an
 * Authorization header).
 *
 * @param out          new token with one reference; release it with
 *                     bedrock_google_token_release()
 * @param access_token (Required) the bearer token
 * @param expiry       Unix seconds when it expires; 0 = unknown (kept for good)
 * @return 0, BEDROCK_EINVAL or BEDROCK_ENOMEM
 */
int bedrock_google_token_new(bedrock_google_token **out, const char *access_token,
			     int64_t expiry);

/** Adds a reference; returns @p token. */
bedrock_google_token *bedrock_google_token_ref(bedrock_google_token *token);

/** Drops a reference; the last one wipes the token from memory. NULL is fine. */
void bedrock_google_token_release(bedrock_google_token *token);

/**
 * The access token, for "Authorization: Bearer <token>" (lent: lives as
 * long as @p token). A secret: never log it.
 */
const char *bedrock_google_token_access_token(const bedrock_google_token *token);
/** Unix seconds when the token expires; 0 when unknown. */
int64_t bedrock_google_token_expiry(const bedrock_google_token *token);
/** The kind of credentials that produced it. */
bedrock_google_credential_type bedrock_google_token_type(const bedrock_google_token *token);
/**
 * Where the credentials were found: "options", "GOOGLE_APPLICATION_CREDENTIALS",
 * "gcloud" (gcloud's application_default_credentials.json), "file"
 * (bedrock_google_provider_new_file), "metadata" or "static" (lent, static).
 */
const char *bedrock_google_token_source(const bedrock_google_token *token);
/** The credentials file read, or NULL (lent). */
const char *bedrock_google_token_file(const bedrock_google_token *token);
/** The service account the token acts as (client_email, the impersonated
 *  account, the metadata server's account), or NULL (lent). */
const char *bedrock_google_token_email(const bedrock_google_token *token);
/** A service account key's private_key_id as it may be shown: "****" and
 *  its last four characters; NULL for other credentials (lent). */
const char *bedrock_google_token_key_id(const bedrock_google_token *token);
/** The project the credentials belong to (a service account's
 *  project_id, the metadata server's project), or NULL (lent). */
const char *bedrock_google_token_project_id(const bedrock_google_token *token);
/**
 * The project to bill for quota: GOOGLE_CLOUD_QUOTA_PROJECT, else the
 * file's quota_project_id; NULL for none (lent). Send it as
 * "x-goog-user-project: <value>" with each request, unless the caller set
 * that header itself.
 */
const char *bedrock_google_token_quota_project(const bedrock_google_token *token);

/* ---- providers -------------------------------------------------------------- */

/** A source of tokens. Reference-counted. Thread-safe. */
typedef struct bedrock_google_provider bedrock_google_provider;

#define BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION 1

/** The longest project id bedrock_google_provider_project() writes, NUL included. */
#define BEDROCK_GOOGLE_PROJECT_MAX 128

/** What a custom provider implements. */
typedef struct bedrock_google_provider_vtable {
	/** (Required) BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION. */
	unsigned int version;
	/** (Required) A short name for diagnostics, e.g. "vault". */
	const char *name;
	/**
	 * (Required) Produce a token into @p out (one reference for the
	 * caller). Return 0; BEDROCK_ENOTFOUND when this source has nothing
	 * configured (a chain then asks the next one); or another error, which
	 * stops a chain. @p cancel may be NULL. May be called from several
	 * threads at once.
	 */
	int (*get)(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		   bedrock_error_info *err);
	/**
	 * (Optional) Write the credentials' project id into @p out (at most
	 * @p out_size bytes with the NUL): return 0 with it, 0 with "" when the
	 * source is configured but names no project, BEDROCK_ENOTFOUND when it
	 * has nothing configured, or another error.
	 */
	int (*project)(char *out, size_t out_size, void *impl, const struct bedrock_cancel *cancel,
		       bedrock_error_info *err);
	/** (Optional) Free @p impl when the last reference goes. */
	void (*destroy)(void *impl);
} bedrock_google_provider_vtable;

/**
 * Wraps a custom implementation. @p vtable must outlive the provider.
 * On failure @p destroy is not called.
 *
 * @return 0, BEDROCK_EINVAL (bad vtable) or BEDROCK_ENOMEM
 */
int bedrock_google_provider_new(bedrock_google_provider **out,
				const bedrock_google_provider_vtable *vtable, void *impl);

/** Adds a reference; returns @p provider. */
bedrock_google_provider *bedrock_google_provider_ref(bedrock_google_provider *provider);
/** Drops a reference; the last one frees the provider. NULL is fine. */
void bedrock_google_provider_release(bedrock_google_provider *provider);
/** The provider's name (lent). */
const char *bedrock_google_provider_name(const bedrock_google_provider *provider);

/**
 * Gets a token: a cached one while it is fresh, else a new one. Call it
 * before each request (it costs a lock and a reference while the token is
 * fresh).
 *
 * @param out      a token with one reference for the caller
 * @param provider the provider
 * @param cancel   (Optional) stops a refresh under way (BEDROCK_ECANCELED)
 * @param err      (Optional) detail when the call fails; it names the
 *                 credentials file and what is wrong, never a token or key
 * @return 0; BEDROCK_ENOTFOUND (no credentials anywhere); BEDROCK_ECONFIG
 *         (a bad credentials file); BEDROCK_EAUTH (the token endpoint
 *         refused; err->aws_code holds Google's error, e.g.
 *         "invalid_grant"); BEDROCK_EHTTP, BEDROCK_EIO, BEDROCK_ETIMEOUT
 *         (the endpoint failed or could not be reached); BEDROCK_EPROTOCOL
 *         (a malformed answer, a metadata server without
 *         "Metadata-Flavor: Google"); BEDROCK_ENOTSUP (a credential source
 *         this library does not run); BEDROCK_ECANCELED; BEDROCK_ENOMEM.
 */
int bedrock_google_provider_get(bedrock_google_token **out, bedrock_google_provider *provider,
				const struct bedrock_cancel *cancel, bedrock_error_info *err);

/**
 * The project of the credentials, without minting a token: a service
 * account's project_id, else the file's quota_project_id, else (on Google
 * Cloud) the metadata server's project. GOOGLE_CLOUD_PROJECT and the like
 * are not read here: the caller puts them first.
 *
 * @param out      receives the project id, NUL-terminated
 * @param out_size bytes at @p out (BEDROCK_GOOGLE_PROJECT_MAX is enough)
 * @return 0; BEDROCK_ENOTFOUND when the credentials name no project (or
 *         there are none); BEDROCK_ELIMIT when it does not fit; the errors
 *         of bedrock_google_provider_get() otherwise
 */
int bedrock_google_provider_project(char *out, size_t out_size,
				    bedrock_google_provider *provider,
				    const struct bedrock_cancel *cancel, bedrock_error_info *err);

/**
 * Forgets a cached token, so that the next bedrock_google_provider_get()
 * fetches a new one: after a request was refused with 401
 * UNAUTHENTICATED (retry it once). Does nothing on a provider without a
 * cache.
 */
void bedrock_google_provider_invalidate(bedrock_google_provider *provider);

/* 2 added token_cache_dir and log. Structs of version 1 (which end
 * before them) are still accepted. */
#define BEDROCK_GOOGLE_OPTIONS_VERSION 2

/** How the default provider looks for credentials. */
typedef struct bedrock_google_options {
	/** (Required) BEDROCK_GOOGLE_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) An access token to use as it is; nothing else is read. */
	const char *access_token;
	/** (Optional) A credentials file to use instead of looking for one. */
	const char *credentials_file;
	/**
	 * (Optional) How long the metadata server may take to answer the first
	 * time, ms: off Google Cloud nothing answers, and this is the wait.
	 * Default: GCE_METADATA_TIMEOUT (seconds) if set, else 1000.
	 */
	long metadata_timeout_ms;
	/** (Optional) Limit of each exchange with a token endpoint, ms; default 30,000. */
	long timeout_ms;
	/** (Optional) CA bundle file for the token endpoints; default libcurl's. */
	const char *ca_bundle;
	/** (Optional) 1: never ask the metadata server (as NO_GCE_CHECK=true). */
	int no_metadata;
	/**
	 * (Optional) A directory where the access tokens minted from
	 * credentials files are kept between processes, as gcloud keeps its
	 * own: a new process then uses a token with more than 225 s left
	 * without reading the key or calling the token endpoint. One file per
	 * credential identity, named by a SHA-256 (never a secret in a name),
	 * mode 0600 in a 0700 directory made if missing, written atomically;
	 * one not owned by this user or readable by others is ignored. Holds
	 * the access token and its expiry only. Default NULL: off.
	 */
	const char *token_cache_dir;
	/**
	 * (Optional) Diagnostics, never a secret: @p level is a
	 * bedrock_log_level (3 = debug), e.g. why a cached token was not used.
	 */
	void (*log)(int level, const char *line, void *payload);
	void *log_payload;
} bedrock_google_options;

#define BEDROCK_GOOGLE_OPTIONS_INIT \
	{ BEDROCK_GOOGLE_OPTIONS_VERSION, NULL, NULL, 0, 0, NULL, 0, NULL, NULL, NULL }

/**
 * Application Default Credentials, in the order of Google's libraries:
 *  1. the options' access_token, else their credentials_file;
 *  2. the file GOOGLE_APPLICATION_CREDENTIALS names (an error if unreadable);
 *  3. $CLOUDSDK_CONFIG/application_default_credentials.json, else
 *     ~/.config/gcloud/application_default_credentials.json (if present);
 *  4. the metadata server: GCE_METADATA_HOST (or GCE_METADATA_ROOT,
 *     GCE_METADATA_IP), else 169.254.169.254 then metadata.google.internal;
 *     "Metadata-Flavor: Google" is sent and must come back; skipped with
 *     NO_GCE_CHECK=true or METADATA_SERVER_DETECTION=none.
 * The first source configured wins; one that is configured but fails
 * stops the search with its own error. Files are read afresh at each
 * refresh. The chain is wrapped in a cache (bedrock_google_provider_new_cached,
 * default options); with token_cache_dir, the files' tokens are also kept
 * on disk for other processes. Nothing is read or fetched until the first
 * get, except the options' credentials file, which is checked here (its
 * key only without token_cache_dir: with it, the key is decoded only when
 * a token must be minted).
 *
 * @param out     the provider, one reference for the caller
 * @param options (Optional) NULL for the defaults
 * @param err     (Optional) detail on failure
 * @return 0, BEDROCK_EINVAL, BEDROCK_ECONFIG (the options' file is bad) or
 *         BEDROCK_ENOMEM
 */
int bedrock_google_provider_new_default(bedrock_google_provider **out,
					const bedrock_google_options *options,
					bedrock_error_info *err);

/**
 * One credentials file, whatever its type (service_account,
 * authorized_user, impersonated_service_account, external_account,
 * external_account_authorized_user), read
 * afresh at each refresh, with a cache around it. The file is checked
 * here: a missing or bad one fails now.
 *
 * @return 0, BEDROCK_EINVAL, BEDROCK_ECONFIG, BEDROCK_ENOTSUP or BEDROCK_ENOMEM
 */
int bedrock_google_provider_new_file(bedrock_google_provider **out, const char *path,
				     bedrock_error_info *err);

/**
 * The metadata server alone (GCE, GKE, Cloud Run), with a cache around it:
 * the default service account's token, its email and the project.
 * BEDROCK_ENOTFOUND from get when no metadata server answers.
 */
int bedrock_google_provider_new_metadata(bedrock_google_provider **out,
					 bedrock_error_info *err);

/** Always the given access token (never refreshed). */
int bedrock_google_provider_new_static_token(bedrock_google_provider **out,
					     const char *access_token,
					     bedrock_error_info *err);

/**
 * Asks each provider in turn; the first that returns a token wins, one
 * that fails with anything but BEDROCK_ENOTFOUND stops the search. Takes
 * its own reference on each provider.
 */
int bedrock_google_provider_new_chain(bedrock_google_provider **out,
				      bedrock_google_provider *const *providers, size_t count);

#define BEDROCK_GOOGLE_CACHE_OPTIONS_VERSION 1

typedef struct bedrock_google_cache_options {
	/** (Required) BEDROCK_GOOGLE_CACHE_OPTIONS_VERSION. */
	unsigned int version;
	/**
	 * (Optional) Refresh when fewer seconds remain; default 225 (3 min
	 * 45 s, as google-auth's REFRESH_THRESHOLD). Smaller values are
	 * refused (BEDROCK_EINVAL).
	 */
	int64_t refresh_margin_seconds;
	/** (Optional) Clock for tests: Unix seconds. Default: time(). */
	int64_t (*clock)(void *payload);
	void *clock_payload;
} bedrock_google_cache_options;

#define BEDROCK_GOOGLE_CACHE_OPTIONS_INIT \
	{ BEDROCK_GOOGLE_CACHE_OPTIONS_VERSION, 225, NULL, NULL }

/**
 * Caches what @p source returns. A token without an expiry is kept for
 * good. Within the refresh margin of its expiry one caller refreshes it
 * while the others go on with the current token; a refresh that fails
 * while the current token is still valid keeps it (and is tried again
 * no sooner than 10 s later). With no valid token, callers wait for one
 * refresh and its error is theirs. A refresh that yields an already
 * expired token is an error (BEDROCK_EAUTH).
 */
int bedrock_google_provider_new_cached(bedrock_google_provider **out,
				       bedrock_google_provider *source,
				       const bedrock_google_cache_options *options);

#ifdef __cplusplus
}
#endif

#endif
