/* Authentication as Bedrock does it: SigV4 (scope region and service
 * checked, 5-minute clock skew, session tokens) or a bearer API key. The
 * signature is recomputed with libbedrock's own signer (public API) from
 * the request as received and compared in constant time
 * (bedrock_sigv4_verify, shared with the gateway). */
#ifndef BEDROCK_EMU_AUTH_H
#define BEDROCK_EMU_AUTH_H

#include <stdint.h>

#include "serve.h"

typedef struct emu_key {
	char *access_key_id;
	char *secret;
} emu_key;

typedef struct emu_auth_config {
	const emu_key *keys;
	size_t key_count;
	char *const *bearers;
	size_t bearer_count;
	const char *region;
	int64_t max_skew_seconds;	/* 300, as AWS */
} emu_auth_config;

typedef struct emu_auth_result {
	int status;			/* 403 on failure */
	const char *error_type;		/* e.g. "InvalidSignatureException" */
	char message[512];
	char access_key_id[64];		/* who signed, for the access log (an id, not a secret) */
} emu_auth_result;

/* 0 when the request is authentic; -1 with out filled otherwise. */
int emu_auth_check(emu_auth_result *out, const emu_auth_config *cfg, const serve_request *req,
		   int64_t now);

/* The part of the check that needs no body (presence, form, key, region,
 * service, clock; a bearer token whole): a request that fails it is
 * refused before its body is read. 0 or -1 as emu_auth_check. */
int emu_auth_check_head(emu_auth_result *out, const emu_auth_config *cfg,
			const serve_request *req, int64_t now);

/* Parses "AKID:SECRET" into a key (strings malloc'ed). 0 or -1. */
int emu_key_parse(emu_key *out, const char *spec);
void emu_key_dispose(emu_key *k);

#endif
