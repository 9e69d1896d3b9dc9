/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * How requests are authenticated: SigV4 with AWS credentials, or a Bedrock
 * API key sent as "Authorization: Bearer".
 */
#ifndef BEDROCK_AUTH_H
#define BEDROCK_AUTH_H

#include <stdint.h>

#include "credentials.h"
#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bedrock_auth_kind {
	/** SigV4 with credentials from a provider. */
	BEDROCK_AUTH_SIGV4 = 1,
	/** A Bedrock API key: "Authorization: Bearer <key>", no SigV4. */
	BEDROCK_AUTH_BEARER = 2
} bedrock_auth_kind;

/** The resolved authentication of a client. Immutable; thread-safe. */
typedef struct bedrock_auth bedrock_auth;

#define BEDROCK_AUTH_OPTIONS_VERSION 1

typedef struct bedrock_auth_options {
	/** (Required) BEDROCK_AUTH_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) An explicit Bedrock API key. */
	const char *bearer_token;
	/** (Optional) Explicit keys; both or neither. */
	const char *access_key_id;
	const char *secret_access_key;
	/** (Optional) With explicit keys. */
	const char *session_token;
	/** (Optional) A provider to take credentials from (a reference is taken). */
	bedrock_creds_provider *provider;
	/** (Optional) The profile for the default chain. */
	const char *profile;
} bedrock_auth_options;

#define BEDROCK_AUTH_OPTIONS_INIT { BEDROCK_AUTH_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL }

/**
 * Decides how to authenticate, in this order:
 *  1. an explicit bearer key (an error if explicit access keys are given too);
 *  2. explicit access keys, then an explicit provider (SigV4);
 *  3. $AWS_BEARER_TOKEN_BEDROCK, which wins over the credential chain as in
 *     botocore;
 *  4. the default credential chain for @p profile (SigV4).
 * No credentials are fetched here: a chain is only asked at the first
 * request.
 *
 * @return 0, BEDROCK_EINVAL (conflicting or malformed inputs, e.g. a key
 *         with CR or LF) or BEDROCK_ENOMEM; err says which
 */
int bedrock_auth_new(bedrock_auth **out, const bedrock_auth_options *options,
		     bedrock_error_info *err);

void bedrock_auth_free(bedrock_auth *auth);

bedrock_auth_kind bedrock_auth_get_kind(const bedrock_auth *auth);

/** The bearer key (lent), or NULL for SigV4. Never log it. */
const char *bedrock_auth_bearer_token(const bedrock_auth *auth);

/** The credentials provider (lent), or NULL for a bearer key. */
bedrock_creds_provider *bedrock_auth_provider(const bedrock_auth *auth);

/**
 * Where the choice came from: "explicit-bearer", "AWS_BEARER_TOKEN_BEDROCK",
 * "explicit-keys", "provider" or "default-chain".
 */
const char *bedrock_auth_source(const bedrock_auth *auth);

/**
 * Makes a short-term Bedrock API key from AWS credentials, as AWS's token
 * generators do (a presigned CallWithBearerToken request, base64-encoded,
 * prefixed "bedrock-api-key-"). The key carries the credentials'
 * permissions, works in @p region only, and expires with the credentials or
 * after @p expires_seconds (1 to 43200), whichever comes first.
 *
 * @param out   the key; free with bedrock_api_key_free() (it is a secret)
 * @param now   signing time, Unix seconds (the clock is not read)
 * @return 0, BEDROCK_EINVAL or BEDROCK_ENOMEM
 */
int bedrock_api_key_generate(char **out, const bedrock_credentials *creds, const char *region,
			     unsigned int expires_seconds, int64_t now, bedrock_error_info *err);

/** Wipes and frees a key from bedrock_api_key_generate(). NULL is fine. */
void bedrock_api_key_free(char *key);

#ifdef __cplusplus
}
#endif

#endif
