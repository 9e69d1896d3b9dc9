/* Internal parts shared by the credential providers. */
#ifndef BEDROCK_CREDS_PRIVATE_H
#define BEDROCK_CREDS_PRIVATE_H

#include "bedrock/credentials.h"

/* Like bedrock_credentials_new, also naming the provider (a static
 * string) and the account id (optional). */
int bedrock__credentials_make(bedrock_credentials **out, const char *provider,
			      const char *access_key_id, const char *secret_access_key,
			      const char *session_token, const char *account_id,
			      int64_t expiration, bedrock_error_info *err);

/* 1 if s contains CR or LF (never allowed in a header value). */
int bedrock__has_crlf(const char *s);

#include "bedrock/config.h"

/* Which profile and files a file-based provider reads. */
typedef struct bedrock__profile_src {
	char *profile, *config_file, *credentials_file;
} bedrock__profile_src;

int bedrock__profile_src_init(bedrock__profile_src *src,
			      const bedrock_creds_profile_options *options);
void bedrock__profile_src_dispose(bedrock__profile_src *src);
/* Loads the files afresh; on error err says which file and line. */
int bedrock__profile_src_load(bedrock_config **out, const bedrock__profile_src *src,
			      bedrock_error_info *err);

/* A provider whose impl is a struct of impl_size bytes that starts with a
 * bedrock__profile_src (initialised from options); *impl (optional) lends
 * it back for the caller's other fields. Destroy with
 * bedrock__profile_provider_destroy (put it in the vtable). */
int bedrock__profile_provider_new(bedrock_creds_provider **out,
				  const bedrock_creds_provider_vtable *vt,
				  const bedrock_creds_profile_options *options, size_t impl_size,
				  void **impl);
void bedrock__profile_provider_destroy(void *impl);

/* Parses credential_process output (JSON, Version 1). Pure: fuzzed. */
int bedrock__process_output_parse(bedrock_credentials **out, const char *data, size_t len,
				  bedrock_error_info *err);
/* Splits a command line into words as POSIX sh would (quotes, backslashes;
 * no expansion). *argv is NULL-terminated; free with bedrock__argv_free. */
int bedrock__split_command(char ***argv, const char *command);
void bedrock__argv_free(char **argv);

/* getenv, with "" read as unset. */
const char *bedrock__env(const char *name);
/* 1 if the value is "true" in any case. */
int bedrock__is_true(const char *value);

/* Parses the JSON that container endpoints and IMDS return
 * ({"AccessKeyId", "SecretAccessKey", "Token", "Expiration", "AccountId"}). */
int bedrock__parse_json_credentials(bedrock_credentials **out, const char *provider,
				    const char *data, size_t len, bedrock_error_info *err);

/* 1 if a container credentials URL may be used over plain HTTP (loopback
 * or one of the ECS/EKS link-local hosts), or uses HTTPS. */
int bedrock__container_url_allowed(const char *url);

/* After a chain on this thread returned BEDROCK_ENOTFOUND: why each
 * source had nothing ("environment: ...; imds: ..."), for debug logs. */
const char *bedrock__creds_chain_detail(void);

#endif
