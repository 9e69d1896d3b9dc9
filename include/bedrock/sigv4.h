/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * AWS Signature Version 4.
 *
 * Signing is pure: the request is described, never sent or changed; the
 * clock is passed in through the config; the result says what to add to
 * the request (headers, or query parameters for a presigned URL). Every
 * intermediate stage (canonical request, string to sign, signature) can be
 * read back from the result, which is what `bedrock debug sign` prints and
 * what the AWS test suite checks.
 *
 * Typical use (one result per thread, one signer shared by all):
 *
 *     bedrock_sigv4_signer *signer;      // bedrock_sigv4_signer_new()
 *     bedrock_sigv4_result *res;         // bedrock_sigv4_result_new()
 *     bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
 *     cfg.region = "us-east-1";
 *     cfg.signing_time = time(NULL);
 *     if (bedrock_sigv4_sign(res, signer, &cfg, &creds, &req) < 0)
 *             fprintf(stderr, "%s\n", bedrock_sigv4_result_errmsg(res));
 */
#ifndef BEDROCK_SIGV4_H
#define BEDROCK_SIGV4_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/**
 * AWS credentials. The library never copies the secret or the token beyond
 * the call that uses them, and never prints them (not even in errmsg).
 */
typedef struct bedrock_sigv4_credentials {
	/** (Required) e.g. "AKIDEXAMPLE". */
	const char *access_key_id;
	/** (Required) The secret access key. */
	const char *secret_access_key;
	/** (Optional) Session token of temporary credentials, or NULL. */
	const char *session_token;
} bedrock_sigv4_credentials;

/**
 * One HTTP header (or, in the result of a query-mode signature, one query
 * parameter). Lengths are explicit so that headers can point straight into
 * a received buffer; the bytes need not be NUL-terminated.
 */
typedef struct bedrock_sigv4_header {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
} bedrock_sigv4_header;

/** The request to sign. Nothing here is copied or kept after the call. */
typedef struct bedrock_sigv4_request {
	/** (Required) "GET", "POST", ... */
	const char *method;
	/**
	 * (Required) The path exactly as it is sent on the wire, already
	 * percent-encoded, without the query; e.g.
	 * "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke".
	 */
	const char *path;
	/** (Optional) The raw query string without the '?', or NULL. */
	const char *query;
	/** (Required) Headers as they will be sent; must include Host (or the
	 *  HTTP/2 :authority pseudo-header, when that is what is signed). */
	const bedrock_sigv4_header *headers;
	size_t header_count;
	/** (Optional) The body; NULL with body_len 0 for none. */
	const void *body;
	size_t body_len;
	/**
	 * (Optional) The payload hash to sign instead of hashing the body:
	 * 64 lower-case hex digits, or e.g. "UNSIGNED-PAYLOAD". NULL = hash
	 * body.
	 */
	const char *payload_hash;
} bedrock_sigv4_request;

/** Where the signature goes. */
typedef enum bedrock_sigv4_mode {
	/** Authorization and X-Amz-* headers (the normal case). */
	BEDROCK_SIGV4_MODE_HEADERS = 0,
	/** X-Amz-* query parameters: a presigned URL. */
	BEDROCK_SIGV4_MODE_QUERY = 1
} bedrock_sigv4_mode;

#define BEDROCK_SIGV4_CONFIG_VERSION 1

/** How to sign. Initialise with BEDROCK_SIGV4_CONFIG_INIT, then set fields. */
typedef struct bedrock_sigv4_config {
	/** Set by BEDROCK_SIGV4_CONFIG_INIT; must be BEDROCK_SIGV4_CONFIG_VERSION. */
	unsigned int version;
	/** (Required) Signing region, e.g. "us-east-1". */
	const char *region;
	/** (Optional) Signing name; default "bedrock" (also for bedrock-runtime). */
	const char *service;
	/** (Required) Signing time, Unix seconds UTC. The clock is never read. */
	int64_t signing_time;
	/** (Optional) Default BEDROCK_SIGV4_MODE_HEADERS. */
	bedrock_sigv4_mode mode;
	/** (Optional) Remove '.', '..' and empty path segments; default 1. */
	int normalize_path;
	/**
	 * (Optional) Percent-encode the (already encoded) path once more, as
	 * every service but S3 expects; default 1.
	 */
	int double_encode_path;
	/** (Optional) Also send and sign X-Amz-Content-Sha256; default 0. */
	int sign_body;
	/**
	 * (Optional) Add the session token to the request but leave it out of
	 * the signature (some services want it so); default 0.
	 */
	int omit_session_token;
	/** (Optional) Query mode: X-Amz-Expires in seconds, 1..604800; default 3600. */
	unsigned int expires;
} bedrock_sigv4_config;

#define BEDROCK_SIGV4_CONFIG_INIT \
	{ BEDROCK_SIGV4_CONFIG_VERSION, NULL, "bedrock", 0, \
	  BEDROCK_SIGV4_MODE_HEADERS, 1, 1, 0, 0, 3600 }

/**
 * Caches derived signing keys, keyed by (secret, date, region, service), so
 * that signing a request costs three hashes instead of seven. It keeps only
 * a SHA-256 fingerprint of each secret and the derived key, and wipes them
 * when freed.
 *
 * Thread-safe: one signer may be shared by any number of threads.
 */
typedef struct bedrock_sigv4_signer bedrock_sigv4_signer;

/**
 * Reusable output of bedrock_sigv4_sign(): every stage of the signature and
 * what to add to the request. Its buffers are kept between calls, so
 * signing with the same result again does not allocate.
 *
 * Not thread-safe: use one result per thread (or lock around it).
 */
typedef struct bedrock_sigv4_result bedrock_sigv4_result;

/**
 * Create a signer with an empty key cache.
 *
 * @param[out] out the new signer; free it with bedrock_sigv4_signer_free()
 * @return 0, BEDROCK_EINVAL if out is NULL, or BEDROCK_ENOMEM
 */
int bedrock_sigv4_signer_new(bedrock_sigv4_signer **out);

/** Wipe and free a signer. NULL is allowed. No thread may still use it. */
void bedrock_sigv4_signer_free(bedrock_sigv4_signer *signer);

/**
 * Create an empty result.
 *
 * @param[out] out the new result; free it with bedrock_sigv4_result_free()
 * @return 0, BEDROCK_EINVAL if out is NULL, or BEDROCK_ENOMEM
 */
int bedrock_sigv4_result_new(bedrock_sigv4_result **out);

/** Wipe and free a result and everything it lent. NULL is allowed. */
void bedrock_sigv4_result_free(bedrock_sigv4_result *result);

/**
 * Sign a request.
 *
 * On success the result holds the stages and the headers (header mode) or
 * query parameters (query mode) to add; the request itself is not touched.
 * The request must not already carry Authorization, X-Amz-Date,
 * X-Amz-Security-Token (when a token is given) or X-Amz-Content-Sha256
 * (with sign_body): remove them before signing again on a retry.
 *
 * Header values are trimmed and inner runs of spaces collapsed, so a value
 * may contain folded whitespace; a CR, LF or NUL in a header name or value,
 * the token, the key id, the region or the service is refused, since it
 * would let the signed text differ from what is sent.
 *
 * @param[out] out    receives the result; its previous content is replaced
 * @param signer      key cache to use, or NULL to derive the key every time
 * @param cfg         how to sign (Required)
 * @param creds       credentials (Required); read during the call only
 * @param req         the request (Required); read during the call only
 * @return 0, BEDROCK_EINVAL for a bad argument, BEDROCK_ELIMIT for an
 *         oversized input, BEDROCK_ENOMEM; on failure
 *         bedrock_sigv4_result_errmsg(out) says what was wrong.
 *
 * Thread-safe as long as each thread passes its own result.
 */
int bedrock_sigv4_sign(bedrock_sigv4_result *out, bedrock_sigv4_signer *signer,
		       const bedrock_sigv4_config *cfg,
		       const bedrock_sigv4_credentials *creds,
		       const bedrock_sigv4_request *req);

/*
 * Getters. The strings are lent: they stay valid until the result is
 * signed with again or freed. Before a successful sign they are "" (or
 * NULL where stated).
 */

/** The canonical request (stage 1). */
const char *bedrock_sigv4_result_canonical_request(const bedrock_sigv4_result *result);
/** The string to sign (stage 2). */
const char *bedrock_sigv4_result_string_to_sign(const bedrock_sigv4_result *result);
/** The signature: 64 lower-case hex digits (stage 3). */
const char *bedrock_sigv4_result_signature(const bedrock_sigv4_result *result);
/**
 * The Authorization header value ("AWS4-HMAC-SHA256 Credential=..."),
 * or NULL in query mode.
 */
const char *bedrock_sigv4_result_authorization(const bedrock_sigv4_result *result);
/** The signed headers list, e.g. "host;x-amz-date". */
const char *bedrock_sigv4_result_signed_headers(const bedrock_sigv4_result *result);

/**
 * Headers to add to the request, in this order and only those that apply:
 * X-Amz-Security-Token, X-Amz-Date, x-amz-content-sha256, Authorization.
 * None in query mode.
 *
 * @param[out] out set to the first of the returned count headers (lent)
 * @return the number of headers
 */
size_t bedrock_sigv4_result_headers(const bedrock_sigv4_header **out,
				    const bedrock_sigv4_result *result);

/**
 * Query mode: the parameters to append, values already percent-encoded, in
 * the order X-Amz-Algorithm, -Credential, -Date, -SignedHeaders, -Expires,
 * -Security-Token (if any), -Signature. None in header mode.
 *
 * @param[out] out set to the first of the returned count parameters (lent)
 * @return the number of parameters
 */
size_t bedrock_sigv4_result_query_params(const bedrock_sigv4_header **out,
					 const bedrock_sigv4_result *result);

/**
 * The query string to send, without '?': in query mode the request's own
 * query followed by the parameters above; in header mode the request's
 * query unchanged ("" if none).
 */
const char *bedrock_sigv4_result_query(const bedrock_sigv4_result *result);

/**
 * Why the last bedrock_sigv4_sign() failed ("" after a success). Never
 * contains the secret key or the session token.
 */
const char *bedrock_sigv4_result_errmsg(const bedrock_sigv4_result *result);

/**
 * Percent-encode one path label (a model id or ARN) the way AWS SDKs do:
 * only A-Z a-z 0-9 - . _ ~ stay as they are, every other byte becomes %XX
 * (upper-case hex); so ':' -> "%3A" and '/' -> "%2F".
 *
 * Call with out NULL and out_size 0 to learn the length first.
 *
 * @param[out] out     buffer for the NUL-terminated result, or NULL
 * @param out_size     size of out in bytes
 * @param[out] out_len receives the encoded length without the NUL (Optional)
 * @param in           bytes to encode
 * @param in_len       their number
 * @return 0, BEDROCK_ELIMIT if out is too small (out_len is still set),
 *         or BEDROCK_EINVAL
 *
 * Thread-safe; does not allocate.
 */
int bedrock_sigv4_uri_encode(char *out, size_t out_size, size_t *out_len,
			     const char *in, size_t in_len);

/*
 * Verifying: the server's side of SigV4, for a program that accepts
 * requests signed with key pairs it issued (`bedrock emulate`, `bedrock
 * gateway`). The signature is recomputed with bedrock_sigv4_sign() from the
 * request as received and compared in constant time.
 */

/** Why a request is not authentic. The messages are AWS's own. */
typedef enum bedrock_sigv4_verdict {
	/** Authentic (or, from bedrock_sigv4_verify_head(), nothing wrong yet). */
	BEDROCK_SIGV4_OK = 0,
	/** No Authorization header. */
	BEDROCK_SIGV4_MISSING = 1,
	/** Not "AWS4-HMAC-SHA256 Credential=…, SignedHeaders=…, Signature=…",
	 *  or a malformed credential scope. */
	BEDROCK_SIGV4_MALFORMED = 2,
	/** The access key id is not one the lookup knows. */
	BEDROCK_SIGV4_UNKNOWN_KEY = 3,
	/** Scoped to another service than the expected one. */
	BEDROCK_SIGV4_WRONG_SERVICE = 4,
	/** Scoped to another region than the expected one. */
	BEDROCK_SIGV4_WRONG_REGION = 5,
	/** No X-Amz-Date, or not YYYYMMDDTHHMMSSZ. */
	BEDROCK_SIGV4_BAD_DATE = 6,
	/** The scope's date is not X-Amz-Date's day. */
	BEDROCK_SIGV4_DATE_MISMATCH = 7,
	/** X-Amz-Date is more than max_skew before now. */
	BEDROCK_SIGV4_EXPIRED = 8,
	/** X-Amz-Date is more than max_skew after now. */
	BEDROCK_SIGV4_NOT_YET_VALID = 9,
	/** x-amz-content-sha256 is neither 64 hex digits nor an accepted
	 *  UNSIGNED-PAYLOAD, or (with the body) not the body's hash. */
	BEDROCK_SIGV4_BAD_CONTENT_SHA256 = 10,
	/** A signed header is absent, or the signature does not match. */
	BEDROCK_SIGV4_BAD_SIGNATURE = 11
} bedrock_sigv4_verdict;

/**
 * Finds the secret for an access key id. Returns the secret
 * (NUL-terminated, read during the verify call only) or NULL for an unknown
 * key. payload is bedrock_sigv4_verify_options.payload.
 */
typedef const char *(*bedrock_sigv4_secret_fn)(const char *access_key_id, void *payload);

#define BEDROCK_SIGV4_VERIFY_OPTIONS_VERSION 1

/** How to verify. Initialise with BEDROCK_SIGV4_VERIFY_OPTIONS_INIT. */
typedef struct bedrock_sigv4_verify_options {
	/** Set by BEDROCK_SIGV4_VERIFY_OPTIONS_INIT. */
	unsigned int version;
	/** (Optional) The region the scope must name; NULL accepts any. */
	const char *region;
	/** (Optional) The service the scope must name; default "bedrock". */
	const char *service;
	/** (Required) Now, Unix seconds UTC. The clock is never read. */
	int64_t now;
	/** (Optional) Clock skew allowed either way, seconds; default 300 (AWS's). */
	int64_t max_skew;
	/** (Optional) 1: accept x-amz-content-sha256: UNSIGNED-PAYLOAD (the body
	 *  is then not covered); default 0. */
	int allow_unsigned_payload;
	/** (Optional) Key cache shared with other calls, or NULL for the
	 *  library's own (one for the process). */
	bedrock_sigv4_signer *signer;
	/** (Required) The secret of an access key id, and its payload. */
	bedrock_sigv4_secret_fn secret;
	void *payload;
} bedrock_sigv4_verify_options;

#define BEDROCK_SIGV4_VERIFY_OPTIONS_INIT \
	{ BEDROCK_SIGV4_VERIFY_OPTIONS_VERSION, NULL, "bedrock", 0, 300, 0, NULL, NULL, NULL }

/** What bedrock_sigv4_verify() found. Filled by the library in the caller's memory. */
typedef struct bedrock_sigv4_verification {
	/** BEDROCK_SIGV4_OK or why not. */
	bedrock_sigv4_verdict verdict;
	/** AWS's error type for the verdict, e.g. "InvalidSignatureException"
	 *  ("" when OK). */
	const char *error_type;
	/** AWS's message, in English; never a secret. */
	char message[384];
	/** The access key id of the scope ("" if none could be read): an id,
	 *  not a secret. */
	char access_key_id[129];
	/** The scope's region and service ("" if none could be read). */
	char region[64];
	char service[64];
	/** X-Amz-Date, Unix seconds (0 if none could be read). */
	int64_t signing_time;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_sigv4_verification;

/**
 * Verify a SigV4-signed request as received: the Authorization header's
 * form, the key (through opts->secret), the scope's service and region,
 * X-Amz-Date against opts->now, x-amz-content-sha256 against the body,
 * and the signature, recomputed over the headers the client signed
 * (repeated headers joined as signing does; Host and HTTP/2's :authority
 * stand for each other) and compared in constant time. A session token
 * (X-Amz-Security-Token) is taken as signed when SignedHeaders names it.
 *
 * @param[out] out   the verdict, with AWS's error type and message
 * @param opts       how to verify (Required)
 * @param req        the request as received (Required): every header,
 *                   the path as on the wire, the raw query, the body;
 *                   payload_hash is ignored
 * @return 0 when authentic; BEDROCK_EAUTH when not (out says why);
 *         BEDROCK_EINVAL for a bad argument; BEDROCK_ENOMEM
 *
 * Thread-safe: nothing is shared but opts->signer, which is.
 */
int bedrock_sigv4_verify(bedrock_sigv4_verification *out,
			 const bedrock_sigv4_verify_options *opts,
			 const bedrock_sigv4_request *req);

/**
 * Everything bedrock_sigv4_verify() checks that needs no body and no
 * signature: the header's form, the key, scope, clock and the
 * x-amz-content-sha256 form. A server calls it on the request's head, so
 * a request that cannot be authentic is refused before its body is read.
 *
 * @return 0, BEDROCK_EAUTH (out says why), or BEDROCK_EINVAL
 */
int bedrock_sigv4_verify_head(bedrock_sigv4_verification *out,
			      const bedrock_sigv4_verify_options *opts,
			      const bedrock_sigv4_request *req);

#ifdef __cplusplus
}
#endif

#endif
