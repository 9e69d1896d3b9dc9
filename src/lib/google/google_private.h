/* Internal parts shared by the Google credential providers (src/lib/google).
 * The layer uses src/util and src/lib/http, and the public SigV4 signer for
 * AWS-sourced workload identity; nothing above it. */
#ifndef BEDROCK_GOOGLE_PRIVATE_H
#define BEDROCK_GOOGLE_PRIVATE_H

#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "bedrock/google.h"
#include "buf.h"
#include "crypto.h"
#include "http.h"

#define BEDROCK__GOOGLE_SCOPE "https://www.googleapis.com/auth/cloud-platform"
#define BEDROCK__GOOGLE_TOKEN_URI "https://oauth2.googleapis.com/token"
/* Credentials files are small; anything bigger is not one. */
#define BEDROCK__GOOGLE_FILE_MAX (1u << 20)

/* The provider base (google_token.c); visible here so that the cache can
 * recognise itself (bedrock_google_provider_invalidate). */
struct bedrock_google_provider {
	atomic_int refs;
	const bedrock_google_provider_vtable *vt;
	void *impl;
	/* Internal providers only: told of a token refused (see
	 * bedrock__google_forget); NULL for the others. */
	void (*forget)(void *impl, const char *token);
};

/* ---- tokens ---- */

/* Everything a token carries; strings are copied (NULL or "" = none). */
typedef struct bedrock__google_token_info {
	const char *access_token;
	int64_t expiry;
	bedrock_google_credential_type type;
	const char *source;		/* static string */
	const char *file;
	const char *email;
	const char *key_id;		/* the whole private_key_id: redacted on the way in */
	const char *project_id;
	const char *quota_project;
} bedrock__google_token_info;

int bedrock__google_token_make(bedrock_google_token **out, const bedrock__google_token_info *info,
			       bedrock_error_info *err);

/* 1 if s is usable as a bearer token: printable ASCII, no space. */
int bedrock__google_token_ok(const char *s);

/* getenv, with "" read as unset. */
const char *bedrock__google_env(const char *name);

/* ---- the credentials file ---- */

typedef enum bedrock__google_subject_kind {
	BEDROCK__SUBJECT_FILE,
	BEDROCK__SUBJECT_URL,
	BEDROCK__SUBJECT_AWS,
	BEDROCK__SUBJECT_EXECUTABLE
} bedrock__google_subject_kind;

/* A credentials file, parsed and checked: every field a type requires is
 * there, URLs are usable, a service account's key is an RSA private key.
 * Secrets (the key, client_secret, refresh_token) are wiped when freed. */
typedef struct bedrock__google_file {
	bedrock_google_credential_type type;
	char *name;			/* the path, for messages */
	char *project_id, *quota_project_id;
	/* service_account */
	char *client_email, *private_key_id, *token_uri;
	bedrock__rsa_key *key;		/* NULL until decoded when parsed lazily */
	char *private_key_pem;		/* kept (wiped when freed) when parsed lazily */
	/* authorized_user (and token_uri) */
	char *client_id, *client_secret, *refresh_token;
	/* impersonated_service_account; external_account's impersonation */
	char *impersonation_url;
	char *impersonated_email;	/* from the URL */
	char **delegates;
	size_t delegate_count;
	int64_t lifetime_seconds;
	struct bedrock__google_file *source;
	/* external_account */
	char *audience, *subject_token_type, *token_url, *workforce_pool_user_project;
	bedrock__google_subject_kind subject_kind;
	char *subject_file, *subject_url;
	char **subject_headers;		/* name, value, name, value, ... */
	size_t subject_header_count;	/* pairs */
	char *subject_field;		/* format json: subject_token_field_name */
	char *aws_region_url, *aws_credentials_url, *aws_verification_url, *aws_imdsv2_url;
	/* credential_source.executable */
	char *exec_command, *exec_output_file;
	long exec_timeout_ms;
	/* external_account_authorized_user (and token_url, client_id,
	 * client_secret, refresh_token, audience) */
	char *revoke_url;
} bedrock__google_file;

/* Parses a credentials file's bytes. Pure (no I/O): the fuzzer's target.
 * name (the path) only labels messages. Errors: BEDROCK_ECONFIG (not JSON,
 * unknown type, missing or bad field, a key that is not an RSA private key
 * in PEM), BEDROCK_ENOTSUP (a type or credential source this library does
 * not run), BEDROCK_ENOMEM. A message never quotes a secret. */
int bedrock__google_file_parse(bedrock__google_file **out, const char *data, size_t len,
			       const char *name, bedrock_error_info *err);
/* Reads and parses the file at path: also BEDROCK_ECONFIG when it cannot
 * be read (naming the path and why). */
int bedrock__google_file_load(bedrock__google_file **out, const char *path,
			      bedrock_error_info *err);
void bedrock__google_file_free(bedrock__google_file *f);

/* The same, with a service account's key kept as PEM text and not
 * decoded (decoding starts OpenSSL's decoders, milliseconds in a new
 * process): for a token that may come from the disk cache, and for
 * reading the project. bedrock__google_file_decode_keys() then decodes
 * them (the file's and its source_credentials'), with the errors the
 * eager parse gives. */
int bedrock__google_file_parse_lazy(bedrock__google_file **out, const char *data, size_t len,
				    const char *name, bedrock_error_info *err);
int bedrock__google_file_load_lazy(bedrock__google_file **out, const char *path,
				   bedrock_error_info *err);
int bedrock__google_file_decode_keys(bedrock__google_file *f, bedrock_error_info *err);

/* The project a file names: project_id, else quota_project_id; "" if none. */
const char *bedrock__google_file_project(const bedrock__google_file *f);

/* ---- exchanges ---- */

/* What every exchange of one refresh shares. */
typedef struct bedrock__google_ctx {
	const struct bedrock_cancel *cancel;
	const char *ca_bundle;
	long timeout_ms;		/* 0 = 30 s */
	int64_t now;			/* Unix seconds at the start of the refresh */
	bedrock__http *http;		/* made on first use; freed by ctx_dispose */
	bedrock__http *direct;		/* the same, never through a proxy */
} bedrock__google_ctx;

void bedrock__google_ctx_dispose(bedrock__google_ctx *c);

typedef struct bedrock__google_request {
	const char *method;
	const char *url;
	const bedrock__http_header *headers;
	size_t header_count;
	const char *body;
	size_t body_len;
	int direct;			/* metadata endpoints: no proxy */
	long connect_timeout_ms;	/* 0 = libcurl's default here (10 s) */
	long timeout_ms;		/* 0 = ctx->timeout_ms */
	int attempts;			/* 0 = 3 */
} bedrock__google_request;

/* Performs an exchange, retrying a failed connection and HTTP 408, 429,
 * 500, 502, 503 and 504 (as google-auth does) with a short pause. An
 * HTTP error status is not a failure here. */
int bedrock__google_exchange(bedrock__http_response *resp, bedrock__google_ctx *c,
			     const bedrock__google_request *req, const char *what,
			     bedrock_error_info *err);

/* A token endpoint's answer, parsed. */
typedef struct bedrock__google_reply {
	char *access_token;		/* wiped when disposed */
	int64_t expiry;			/* Unix seconds */
} bedrock__google_reply;

void bedrock__google_reply_dispose(bedrock__google_reply *r);

enum {
	BEDROCK__REPLY_OAUTH,		/* {"access_token", "expires_in"} (OAuth, STS, metadata) */
	BEDROCK__REPLY_IAM		/* {"accessToken", "expireTime"} (generateAccessToken) */
};

/* Reads an answer from a token endpoint. Pure: fuzzed. A 2xx answer
 * without a usable token is BEDROCK_EPROTOCOL; an error answer is
 * BEDROCK_EAUTH (400, 401, 403), BEDROCK_ETHROTTLED (429) or BEDROCK_EHTTP,
 * with Google's error and error_description (or error.status and
 * error.message) in the message, err->aws_code set to the error and
 * err->http_status to the status. what names the credentials, url the
 * endpoint. */
int bedrock__google_reply_parse(bedrock__google_reply *out, int style, long status,
				const char *body, size_t len, int64_t now, const char *what,
				const char *url, bedrock_error_info *err);

/* Appends "&name=value" (no '&' first) to an x-www-form-urlencoded body. */
void bedrock__google_form_add(bedrock_buf *b, const char *name, const char *value);

/* POSTs form to a token endpoint and parses its answer. */
int bedrock__google_post_form(bedrock__google_reply *out, bedrock__google_ctx *c, const char *url,
			      const char *form, const bedrock__http_header *extra, size_t extra_count,
			      const char *what, bedrock_error_info *err);

/* Describes a file's credentials for messages: "service account
 * EMAIL (key ****abcd) in FILE", "authorized user in FILE", ... */
void bedrock__google_describe(char *out, size_t cap, const bedrock__google_file *f);

/* ---- the flows: each fills reply from a parsed file ---- */

int bedrock__google_service_account(bedrock__google_reply *out, bedrock__google_ctx *c,
				    const bedrock__google_file *f, bedrock_error_info *err);
/* The JWT alone, for tests: header.claims.signature (base64url), iat = now. */
int bedrock__google_jwt(char **out, const bedrock__google_file *f, int64_t now,
			bedrock_error_info *err);
int bedrock__google_authorized_user(bedrock__google_reply *out, bedrock__google_ctx *c,
				    const bedrock__google_file *f, bedrock_error_info *err);
/* generateAccessToken at f->impersonation_url with a source token. */
int bedrock__google_impersonate(bedrock__google_reply *out, bedrock__google_ctx *c,
				const bedrock__google_file *f, const char *source_token,
				const char *what, bedrock_error_info *err);
int bedrock__google_external_account(bedrock__google_reply *out, bedrock__google_ctx *c,
				     const bedrock__google_file *f, bedrock_error_info *err);
/* The serialized, signed GetCallerIdentity request that is the subject
 * token of AWS-sourced workload identity (allocated, URL-encoded JSON). */
int bedrock__google_aws_subject(char **out, bedrock__google_ctx *c, const bedrock__google_file *f,
				bedrock_error_info *err);
/* The same from given AWS keys and region at a given time, for tests. */
int bedrock__google_aws_subject_sign(char **out, const char *verification_url,
				     const char *region, const char *audience,
				     const char *access_key_id, const char *secret_access_key,
				     const char *session_token, int64_t now,
				     bedrock_error_info *err);

/* HTTP Basic client authentication ("Basic base64(id:secret)") into out;
 * 0 or -1 (out of memory). */
int bedrock__google_basic_auth(bedrock_buf *out, const char *client_id, const char *client_secret);

/* external_account_authorized_user: the refresh grant at token_url with
 * HTTP Basic client authentication. */
int bedrock__google_external_user(bedrock__google_reply *out, bedrock__google_ctx *c,
				  const bedrock__google_file *f, bedrock_error_info *err);

/* An executable-sourced subject token (google_exec.c): the command run
 * (no shell) when GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1, its output
 * read per Google's spec, output_file reused while unexpired. */
int bedrock__google_exec_subject(char **out, const bedrock__google_file *f, int64_t now,
				 const char *what, bedrock_error_info *err);
/* The executable's JSON answer, read: the subject token, or a typed
 * error. Pure: tested on its own. *expires gets expiration_time (0 if
 * none). */
int bedrock__google_exec_response(char **out, int64_t *expires, const char *data, size_t len,
				  const bedrock__google_file *f, int64_t now, const char *from,
				  const char *what, bedrock_error_info *err);

/* ---- the token cache on disk (google_disk.c) ---- */

typedef struct bedrock__google_disk {
	const char *dir;
	void (*log)(int level, const char *line, void *payload);
	void *log_payload;
} bedrock__google_disk;

/* The file name for f's identity: SHA-256 (hex) of its type, account
 * (client email, client id and a hash of the refresh token, audience and
 * subject source, impersonated account), token endpoint and scope. Never
 * a secret. 0, or -1 if there is nothing to name. */
int bedrock__google_disk_id(char out[65], const bedrock__google_file *f);
/* A cached token for id with more than the margin left: 0 with out set,
 * else BEDROCK_ENOTFOUND (why goes to the log at debug level). */
int bedrock__google_disk_read(bedrock__google_reply *out, const bedrock__google_disk *d,
			      const char *id, int64_t now);
/* Keeps reply for id (atomically; failures only logged). */
void bedrock__google_disk_write(const bedrock__google_disk *d, const char *id,
				const bedrock__google_reply *reply);
/* Removes id's file if it still holds token (refused with 401). */
void bedrock__google_disk_forget(const bedrock__google_disk *d, const char *id, const char *token);

/* Tells the providers under p that token was refused: a file provider
 * drops it from the disk cache. */
void bedrock__google_forget(bedrock_google_provider *p, const char *token);

/* Any file type: the token for it (its flow, then impersonation if set). */
int bedrock__google_fetch(bedrock__google_reply *out, bedrock__google_ctx *c,
			  const bedrock__google_file *f, bedrock_error_info *err);

/* ---- providers used by the default chain ---- */

/* The chain, with what to do when nothing is found (static string). */
int bedrock__google_chain_new(bedrock_google_provider **out,
			      bedrock_google_provider *const *providers, size_t count,
			      const char *hint);
/* Always token; its source says where it came from ("static", "options"). */
int bedrock__google_static_provider(bedrock_google_provider **out, const char *token,
				    const char *source, bedrock_error_info *err);

/* A file provider (not cached): the file read at each get. path NULL with
 * env set: the path is that variable's value at each get (ENOTFOUND when
 * unset); gcloud: the well-known gcloud file (ENOTFOUND when absent). */
typedef enum bedrock__google_file_where {
	BEDROCK__FILE_PATH,		/* the given path */
	BEDROCK__FILE_ENV,		/* GOOGLE_APPLICATION_CREDENTIALS */
	BEDROCK__FILE_GCLOUD		/* gcloud's application_default_credentials.json */
} bedrock__google_file_where;

int bedrock__google_file_provider(bedrock_google_provider **out, bedrock__google_file_where where,
				  const char *path, const char *source, const char *ca_bundle,
				  long timeout_ms, const bedrock__google_disk *disk);
/* The metadata server (not cached). probe_ms: the first answer's limit. */
int bedrock__google_metadata_provider(bedrock_google_provider **out, long probe_ms);

/* The metadata server's base URL ("http://host", no trailing slash) into
 * out; *explicit is 1 when it came from the environment. The default is
 * 169.254.169.254 (index 0) or metadata.google.internal (index 1). */
void bedrock__google_metadata_base(char *out, size_t cap, int index, int *is_explicit);

#endif
