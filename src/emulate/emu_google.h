/* Google's side of `bedrock emulate`, so Google client libraries work
 * with no Google account: the project the emulator stands for, a GCE
 * metadata server (/computeMetadata/v1/..., google_metadata.c), an OAuth
 * token endpoint (POST /token, google_oauth.c), the access tokens those
 * two issue and the Vertex front accepts, and the per-model publisher
 * configuration Vertex's setPublisherModelConfig stores
 * (vertex_config.c).
 *
 * Issued tokens are random ("ya29.emulator-" and 43 characters from
 * libcrypto's CSPRNG), live an hour, and are kept (the newest
 * EMU_GOOGLE_TOKENS_KEPT) only to be recognised; they are never logged
 * (the access log has no headers and no bodies). Thread-safe: one lock. */
#ifndef BEDROCK_EMU_GOOGLE_H
#define BEDROCK_EMU_GOOGLE_H

#include <pthread.h>
#include <stddef.h>

#include "serve.h"

#define EMU_GOOGLE_DEFAULT_PROJECT "emulator-project"
#define EMU_GOOGLE_TOKEN_PREFIX "ya29.emulator-"
#define EMU_GOOGLE_TOKEN_MAX 64			/* a token and its NUL */
#define EMU_GOOGLE_TOKEN_LIFETIME 3600		/* seconds, as Google's */
#define EMU_GOOGLE_TOKENS_KEPT 4096
#define EMU_GOOGLE_SCOPE "https://www.googleapis.com/auth/cloud-platform"
/* The metadata server hands out its current token until it has less than
 * this left (more than any client's refresh margin: 3m45s in Python,
 * 5 min in Node), then a new one. */
#define EMU_GOOGLE_METADATA_MIN_LEFT 600
/* Publisher model configurations kept at once (setPublisherModelConfig). */
#define EMU_VERTEX_CONFIGS_MAX 1024

typedef struct emu_google_token {
	char value[EMU_GOOGLE_TOKEN_MAX];
	long long expires;		/* Unix time */
} emu_google_token;

typedef struct emu_vertex_config {
	char *key;			/* "PROJECT/LOCATION/MODEL" */
	char *json;			/* the PublisherModelConfig object */
} emu_vertex_config;

typedef struct emu_google {
	pthread_mutex_t lock;
	const char *project;		/* --project (lent) */
	char numeric_project[16];	/* derived from the id: 12 digits */
	char email[128];		/* the default service account */
	char *const *tokens;		/* --google-token: always accepted (lent) */
	int any_token;			/* --any-google-token: every bearer accepted */
	size_t token_count;
	emu_google_token *issued;	/* a ring of EMU_GOOGLE_TOKENS_KEPT */
	size_t issued_count, issued_next;
	emu_google_token metadata;	/* the metadata server's current token */
	emu_vertex_config *configs;
	size_t config_count;
} emu_google;

/* project NULL: EMU_GOOGLE_DEFAULT_PROJECT. 0, or -1 (ENOMEM). */
int emu_google_init(emu_google *g, const char *project);
void emu_google_dispose(emu_google *g);

/* 1 if p is a Google Cloud project id: 6 to 30 lower-case letters, digits
 * and hyphens, starting with a letter, not ending with a hyphen. */
int emu_google_project_valid(const char *p);

/* A new token, valid for EMU_GOOGLE_TOKEN_LIFETIME seconds from now, into
 * out. 0, or -1 when no random bytes could be had. */
int emu_google_token_issue(emu_google *g, char out[EMU_GOOGLE_TOKEN_MAX], long long now);
/* The metadata server's token and the seconds it has left. 0 or -1. */
int emu_google_token_metadata(emu_google *g, char out[EMU_GOOGLE_TOKEN_MAX], long *expires_in,
			      long long now);
/* 1 if the token is one given with --google-token, or one issued here
 * and not expired; 0 if not. Compared in constant time per candidate. */
int emu_google_token_valid(emu_google *g, const char *token, long long now);

/* ---- the metadata server and the token endpoint ---- */

/* 1 if the request is for them: /computeMetadata/..., POST-able
 * /token and /oauth2/v4/token, and "/" with Metadata-Flavor: Google (the
 * ping google-auth for Python sends to GCE_METADATA_IP). */
int emu_google_owns(const serve_request *req);
void emu_google_handle(emu_google *g, serve_response *out, const serve_request *req, long long now);

/* The metadata server (google_metadata.c): GET only, Metadata-Flavor:
 * Google required on requests (403 without, or with X-Forwarded-For) and
 * sent on every answer. */
void emu_google_metadata(emu_google *g, serve_response *out, const serve_request *req,
			 long long now);

/* The OAuth token endpoint (google_oauth.c): form-encoded POSTs with
 * grant_type urn:ietf:params:oauth:grant-type:jwt-bearer (an assertion
 * checked by emu_google_jwt_check) or refresh_token (refresh_token,
 * client_id and client_secret required). Errors are OAuth's,
 * {"error","error_description"}. */
void emu_google_oauth(emu_google *g, serve_response *out, const serve_request *req, long long now);

/* An OAuth error: status 400 (401 for a bad client), the error code and
 * a description that never quotes the assertion or a token. */
typedef struct emu_oauth_error {
	int status;
	const char *error;		/* "invalid_grant", "invalid_scope", ... */
	char description[160];
} emu_oauth_error;

/* Checks a JWT-bearer assertion is a well-formed RS256 JWT as a service
 * account signs it: three base64url parts; a header with alg RS256 (typ
 * JWT if present); claims iss, aud (Google's token URL or one ending in
 * /token), scope (non-empty), iat and exp (numbers, exp after iat by at
 * most an hour, iat no more than 5 minutes ahead of now, exp not
 * passed); a signature of 128 to 1024 bytes (an RSA key of 1024 to 8192
 * bits). The signature itself cannot be verified: the emulator has no
 * service account's public key. 0, or -1 with *e filled. Pure. */
int emu_google_jwt_check(emu_oauth_error *e, const char *jwt, size_t len, long long now);

#endif
