/* Client authentication: which configured key a request carries. Done on
 * the request's head, before its body is read, except the SigV4 signature
 * itself, which covers the body hash (x-amz-content-sha256 is checked on
 * the head, the signature once the body is in).
 *
 * Accepted, in this order: `Authorization: Bearer KEY`, `x-api-key: KEY`,
 * `Authorization: AWS4-HMAC-SHA256 …` signed with a key pair the gateway
 * issued (region any, service bedrock; 5 minutes of clock skew). Secrets
 * are compared in constant time and every configured key is compared, so
 * the time taken says nothing about which key came close. */
#ifndef BEDROCK_GW_KEYS_H
#define BEDROCK_GW_KEYS_H

#include <stdint.h>

#include "gw_config.h"
#include "serve.h"

typedef struct gw_auth {
	const gw_key *key;		/* the key, on success (lent from the config) */
	int status;			/* 401 (missing) or 403 (wrong) on failure */
	const char *reason;		/* "missing", "unknown key", "bad signature", ... */
	char message[256];		/* for the client, in the front's error shape;
					 * never a secret */
} gw_auth;

/* The head check: 0 with out->key, 1 when only the SigV4 signature is left
 * to check (call gw_auth_body once the body is in), -1 refused. */
int gw_auth_head(gw_auth *out, const gw_config *cfg, const serve_request *req, int64_t now);
/* The SigV4 signature over the whole request: 0 or -1. */
int gw_auth_body(gw_auth *out, const gw_config *cfg, const serve_request *req, int64_t now);

#endif
