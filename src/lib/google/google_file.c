/* The credentials-file parser: JSON bytes in, a checked
 * bedrock__google_file or a typed error out. Pure (the fuzzer's target);
 * bedrock__google_file_load adds the reading. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "ascii.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

typedef struct {
	const char *name;
	bedrock_error_info *err;
	int rc;
	int lazy;		/* keep a key's PEM, decode it later */
} parse_ctx;

static int fail(parse_ctx *p, int code, const char *fmt, ...) BEDROCK__PRINTF(3, 4);

/* Sets the first error only; the message always names the file. */
static int fail(parse_ctx *p, int code, const char *fmt, ...)
{
	char what[320];
	va_list ap;

	if (p->rc)
		return p->rc;
	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	p->rc = bedrock__err(p->err, code, "Google credentials file %s: %s", p->name, what);
	return p->rc;
}

/* obj[key] copied into *dst: 0 if absent (or an error when required) or
 * an empty string, the error if present but not a string. */
static int get_str(parse_ctx *p, const cJSON *obj, const char *key, int required, char **dst)
{
	const cJSON *it = cJSON_GetObjectItemCaseSensitive(obj, key);

	*dst = NULL;
	if (!it || cJSON_IsNull(it) || (cJSON_IsString(it) && it->valuestring && !it->valuestring[0])) {
		if (required)
			return fail(p, BEDROCK_ECONFIG, "missing field \"%s\"", key);
		return 0;
	}
	if (!cJSON_IsString(it) || !it->valuestring)
		return fail(p, BEDROCK_ECONFIG, "field \"%s\" is not a string", key);
	*dst = bedrock__strdup(it->valuestring);
	if (!*dst)
		return fail(p, BEDROCK_ENOMEM, "out of memory");
	return 0;
}

/* A value that goes into a header or a form: no control characters. */
static int plain(const char *s)
{
	for (; s && *s; s++)
		if ((unsigned char)*s < ' ' || (unsigned char)*s == 127)
			return 0;
	return 1;
}

static int strncasecmp_ascii(const char *a, const char *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (bedrock__ascii_lower((unsigned char)a[i]) != bedrock__ascii_lower((unsigned char)b[i]))
			return 1;
	return 0;
}

static int is_loopback_host(const char *h, size_t n)
{
	if (n == 9 && !strncasecmp_ascii(h, "localhost", 9))
		return 1;
	if (n == 5 && !memcmp(h, "[::1]", 5))
		return 1;
	return n >= 4 && !memcmp(h, "127.", 4);
}

/* An http(s) URL with a host and nothing odd in it. Where credentials
 * are sent (secret), plain http is only for this host. */
static int check_url(parse_ctx *p, const char *key, const char *url, int secret)
{
	const char *h, *e;
	size_t n;
	int https = !strncmp(url, "https://", 8);

	if (!https && strncmp(url, "http://", 7))
		return fail(p, BEDROCK_ECONFIG, "\"%s\" is not an http or https URL", key);
	for (e = url; *e; e++)
		if ((unsigned char)*e <= ' ' || (unsigned char)*e >= 127)
			return fail(p, BEDROCK_ECONFIG, "\"%s\" has a space or control character", key);
	h = url + (https ? 8 : 7);
	n = strcspn(h, "/?#");
	if (!n || memchr(h, '@', n))
		return fail(p, BEDROCK_ECONFIG, "\"%s\" has no host, or a user name in it", key);
	if (h[0] != '[' && memchr(h, ':', n))
		n = (size_t)((const char *)memchr(h, ':', n) - h);
	else if (h[0] == '[' && memchr(h, ']', n))
		n = (size_t)((const char *)memchr(h, ']', n) - h) + 1;
	if (secret && !https && !is_loopback_host(h, n))
		return fail(p, BEDROCK_ECONFIG, "\"%s\" must be https (plain http only to this "
			    "host: it carries secrets)", key);
	return 0;
}

/* Wipes every string of a tree before it is freed: a file's secrets
 * (private_key, client_secret, refresh_token) live in it. */
static void wipe_tree(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			bedrock__wipe(j->valuestring, strlen(j->valuestring));
		wipe_tree(j->child);
	}
}

void bedrock__google_file_free(bedrock__google_file *f)
{
	size_t i;

	if (!f)
		return;
	bedrock__free(f->name);
	bedrock__free(f->project_id);
	bedrock__free(f->quota_project_id);
	bedrock__free(f->client_email);
	bedrock__free(f->private_key_id);
	bedrock__free(f->token_uri);
	bedrock__rsa_key_free(f->key);
	if (f->private_key_pem) {
		bedrock__wipe(f->private_key_pem, strlen(f->private_key_pem));
		bedrock__free(f->private_key_pem);
	}
	bedrock__free(f->client_id);
	if (f->client_secret) {
		bedrock__wipe(f->client_secret, strlen(f->client_secret));
		bedrock__free(f->client_secret);
	}
	if (f->refresh_token) {
		bedrock__wipe(f->refresh_token, strlen(f->refresh_token));
		bedrock__free(f->refresh_token);
	}
	bedrock__free(f->impersonation_url);
	bedrock__free(f->impersonated_email);
	for (i = 0; i < f->delegate_count; i++)
		bedrock__free(f->delegates[i]);
	bedrock__free(f->delegates);
	bedrock__google_file_free(f->source);
	bedrock__free(f->audience);
	bedrock__free(f->subject_token_type);
	bedrock__free(f->token_url);
	bedrock__free(f->workforce_pool_user_project);
	bedrock__free(f->subject_file);
	bedrock__free(f->subject_url);
	for (i = 0; i < 2 * f->subject_header_count; i++)
		bedrock__free(f->subject_headers[i]);
	bedrock__free(f->subject_headers);
	bedrock__free(f->subject_field);
	bedrock__free(f->aws_region_url);
	bedrock__free(f->aws_credentials_url);
	bedrock__free(f->aws_verification_url);
	bedrock__free(f->aws_imdsv2_url);
	bedrock__free(f->exec_command);
	bedrock__free(f->exec_output_file);
	bedrock__free(f->revoke_url);
	bedrock__free(f);
}

const char *bedrock__google_file_project(const bedrock__google_file *f)
{
	if (f->project_id)
		return f->project_id;
	return f->quota_project_id ? f->quota_project_id : "";
}

static int decode_key(parse_ctx *p, bedrock__google_file *f, const char *pem)
{
	int rc = bedrock__rsa_key_from_pem(&f->key, pem, strlen(pem));

	if (rc == BEDROCK__RSA_NOMEM)
		return fail(p, BEDROCK_ENOMEM, "out of memory");
	if (rc == BEDROCK__RSA_NOT_RSA)
		return fail(p, BEDROCK_ECONFIG,
			    "\"private_key\" is a private key, but not an RSA one (RS256 needs RSA)");
	if (rc)
		return fail(p, BEDROCK_ECONFIG,
			    "\"private_key\" is not an RSA private key in PEM (unencrypted "
			    "\"-----BEGIN PRIVATE KEY-----\")");
	return 0;
}

int bedrock__google_file_decode_keys(bedrock__google_file *f, bedrock_error_info *err)
{
	const char *name = f->name;

	for (; f; f = f->source) {
		parse_ctx p = { name, err, 0, 0 };

		if (f->key || !f->private_key_pem)
			continue;
		if (decode_key(&p, f, f->private_key_pem))
			return p.rc;
		bedrock__wipe(f->private_key_pem, strlen(f->private_key_pem));
		bedrock__free(f->private_key_pem);
		f->private_key_pem = NULL;
	}
	return 0;
}

static int parse_service_account(parse_ctx *p, bedrock__google_file *f, const cJSON *j)
{
	const cJSON *pk = cJSON_GetObjectItemCaseSensitive(j, "private_key");

	if (get_str(p, j, "client_email", 1, &f->client_email) ||
	    get_str(p, j, "private_key_id", 0, &f->private_key_id) ||
	    get_str(p, j, "token_uri", 0, &f->token_uri) ||
	    get_str(p, j, "client_id", 0, &f->client_id))
		return p->rc;
	if (!pk || cJSON_IsNull(pk) || (cJSON_IsString(pk) && !pk->valuestring[0]))
		return fail(p, BEDROCK_ECONFIG, "missing field \"private_key\"");
	if (!cJSON_IsString(pk))
		return fail(p, BEDROCK_ECONFIG, "field \"private_key\" is not a string");
	if (p->lazy) {
		if (!(f->private_key_pem = bedrock__strdup(pk->valuestring)))
			return fail(p, BEDROCK_ENOMEM, "out of memory");
	} else if (decode_key(p, f, pk->valuestring)) {
		return p->rc;
	}
	if (!plain(f->client_email) || !plain(f->private_key_id))
		return fail(p, BEDROCK_ECONFIG, "\"client_email\" or \"private_key_id\" has a "
			    "control character");
	return 0;
}

/* Workforce identity's refresh token (gcloud auth application-default
 * login --login-config): refreshed at token_url, the client authenticated
 * with HTTP Basic. */
static int parse_external_user(parse_ctx *p, bedrock__google_file *f, const cJSON *j)
{
	if (get_str(p, j, "refresh_token", 1, &f->refresh_token) ||
	    get_str(p, j, "token_url", 1, &f->token_url) ||
	    get_str(p, j, "client_id", 1, &f->client_id) ||
	    get_str(p, j, "client_secret", 1, &f->client_secret) ||
	    get_str(p, j, "audience", 0, &f->audience) ||
	    get_str(p, j, "revoke_url", 0, &f->revoke_url))
		return p->rc;
	if (check_url(p, "token_url", f->token_url, 1) ||
	    (f->revoke_url && check_url(p, "revoke_url", f->revoke_url, 1)))
		return p->rc;
	if (!plain(f->client_id) || !plain(f->audience))
		return fail(p, BEDROCK_ECONFIG, "a field has a control character in it");
	return 0;
}

static int parse_authorized_user(parse_ctx *p, bedrock__google_file *f, const cJSON *j)
{
	if (get_str(p, j, "client_id", 1, &f->client_id) ||
	    get_str(p, j, "client_secret", 1, &f->client_secret) ||
	    get_str(p, j, "refresh_token", 1, &f->refresh_token) ||
	    get_str(p, j, "token_uri", 0, &f->token_uri))
		return p->rc;
	return 0;
}

/* ".../serviceAccounts/EMAIL:generateAccessToken" -> EMAIL. */
static int impersonation(parse_ctx *p, bedrock__google_file *f, const cJSON *j, int required)
{
	const char *s, *e;

	if (get_str(p, j, "service_account_impersonation_url", required, &f->impersonation_url))
		return p->rc;
	if (!f->impersonation_url)
		return 0;
	if (check_url(p, "service_account_impersonation_url", f->impersonation_url, 1))
		return p->rc;
	s = strstr(f->impersonation_url, "/serviceAccounts/");
	e = s ? strstr(s, ":generateAccessToken") : NULL;
	if (!s || !e || e == s + 17 || e[20] != '\0')
		return fail(p, BEDROCK_ECONFIG, "\"service_account_impersonation_url\" is not "
			    ".../serviceAccounts/EMAIL:generateAccessToken");
	s += 17;
	f->impersonated_email = bedrock__strndup(s, (size_t)(e - s));
	if (!f->impersonated_email)
		return fail(p, BEDROCK_ENOMEM, "out of memory");
	f->lifetime_seconds = 3600;
	return 0;
}

static int parse_one(parse_ctx *p, bedrock__google_file *f, const cJSON *j, int nested);

static int parse_impersonated(parse_ctx *p, bedrock__google_file *f, const cJSON *j)
{
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(j, "source_credentials");
	const cJSON *dl = cJSON_GetObjectItemCaseSensitive(j, "delegates"), *it;
	size_t n = 0;

	if (impersonation(p, f, j, 1))
		return p->rc;
	if (!cJSON_IsObject(src))
		return fail(p, BEDROCK_ECONFIG, "missing field \"source_credentials\" (an object)");
	if (dl && !cJSON_IsNull(dl)) {
		if (!cJSON_IsArray(dl))
			return fail(p, BEDROCK_ECONFIG, "\"delegates\" is not an array");
		n = (size_t)cJSON_GetArraySize(dl);
		f->delegates = bedrock__calloc(n ? n : 1, sizeof(char *));
		if (!f->delegates)
			return fail(p, BEDROCK_ENOMEM, "out of memory");
		cJSON_ArrayForEach(it, dl) {
			if (!cJSON_IsString(it) || !it->valuestring[0] || !plain(it->valuestring))
				return fail(p, BEDROCK_ECONFIG, "\"delegates\" holds something other "
					    "than account names");
			f->delegates[f->delegate_count] = bedrock__strdup(it->valuestring);
			if (!f->delegates[f->delegate_count])
				return fail(p, BEDROCK_ENOMEM, "out of memory");
			f->delegate_count++;
		}
	}
	f->source = bedrock__calloc(1, sizeof(*f->source));
	/* Messages about the source name the file it is in. */
	if (!f->source || !(f->source->name = bedrock__strdup(p->name)))
		return fail(p, BEDROCK_ENOMEM, "out of memory");
	return parse_one(p, f->source, src, 1);
}

static int parse_format(parse_ctx *p, bedrock__google_file *f, const cJSON *src)
{
	const cJSON *fmt = cJSON_GetObjectItemCaseSensitive(src, "format");
	const char *type;

	if (!fmt || cJSON_IsNull(fmt))
		return 0;
	if (!cJSON_IsObject(fmt))
		return fail(p, BEDROCK_ECONFIG, "credential_source \"format\" is not an object");
	type = bedrock__json_str(fmt, "type");
	if (!type || !strcmp(type, "text"))
		return 0;
	if (strcmp(type, "json"))
		return fail(p, BEDROCK_ECONFIG, "credential_source format \"%s\" is neither "
			    "\"text\" nor \"json\"", strlen(type) < 32 ? type : "(long)");
	if (get_str(p, fmt, "subject_token_field_name", 0, &f->subject_field))
		return p->rc;
	if (!f->subject_field)
		return fail(p, BEDROCK_ECONFIG, "credential_source format json needs "
			    "\"subject_token_field_name\"");
	return 0;
}

/* credential_source.executable, as Google's spec has it: command (run
 * without a shell: split at spaces), timeout_millis 5,000 to 120,000
 * (default 30,000), output_file. Whether it may run is decided when it
 * would (GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES), not here. */
static int parse_executable(parse_ctx *p, bedrock__google_file *f, const cJSON *ex)
{
	const cJSON *t;

	if (!cJSON_IsObject(ex))
		return fail(p, BEDROCK_ECONFIG, "credential_source \"executable\" is not an object");
	if (get_str(p, ex, "command", 1, &f->exec_command) ||
	    get_str(p, ex, "output_file", 0, &f->exec_output_file))
		return p->rc;
	if (!plain(f->exec_command) || !plain(f->exec_output_file))
		return fail(p, BEDROCK_ECONFIG, "the executable's command or output_file has a "
			    "control character in it");
	if (f->exec_command[0] != '/')
		return fail(p, BEDROCK_ECONFIG, "the executable's command must start with an "
			    "absolute path");
	f->exec_timeout_ms = 30000;
	t = cJSON_GetObjectItemCaseSensitive(ex, "timeout_millis");
	if (t && !cJSON_IsNull(t)) {
		if (!cJSON_IsNumber(t) || t->valuedouble < 5000 || t->valuedouble > 120000)
			return fail(p, BEDROCK_ECONFIG, "the executable's \"timeout_millis\" must be "
				    "a number from 5000 to 120000");
		f->exec_timeout_ms = (long)t->valuedouble;
	}
	f->subject_kind = BEDROCK__SUBJECT_EXECUTABLE;
	return 0;
}

static int parse_source(parse_ctx *p, bedrock__google_file *f, const cJSON *src)
{
	const char *env = NULL;
	const cJSON *hdrs, *it;

	if (!cJSON_IsObject(src))
		return fail(p, BEDROCK_ECONFIG, "missing field \"credential_source\" (an object)");
	if (cJSON_GetObjectItemCaseSensitive(src, "environment_id")) {
		env = bedrock__json_str(src, "environment_id");
		if (!env || strncmp(env, "aws", 3))
			return fail(p, BEDROCK_ECONFIG, "credential_source \"environment_id\" is not "
				    "\"aws1\"");
		if (strcmp(env, "aws1"))
			return fail(p, BEDROCK_ENOTSUP, "credential_source environment_id \"%s\": "
				    "only aws1 is supported", strlen(env) < 16 ? env : "aws?");
		f->subject_kind = BEDROCK__SUBJECT_AWS;
		if (get_str(p, src, "regional_cred_verification_url", 1, &f->aws_verification_url) ||
		    get_str(p, src, "region_url", 0, &f->aws_region_url) ||
		    get_str(p, src, "url", 0, &f->aws_credentials_url) ||
		    get_str(p, src, "imdsv2_session_token_url", 0, &f->aws_imdsv2_url))
			return p->rc;
		if (strncmp(f->aws_verification_url, "https://", 8) ||
		    !plain(f->aws_verification_url) || strchr(f->aws_verification_url, ' '))
			return fail(p, BEDROCK_ECONFIG, "\"regional_cred_verification_url\" is not an "
				    "https URL");
		if ((f->aws_region_url && check_url(p, "region_url", f->aws_region_url, 0)) ||
		    (f->aws_credentials_url && check_url(p, "url", f->aws_credentials_url, 0)) ||
		    (f->aws_imdsv2_url &&
		     check_url(p, "imdsv2_session_token_url", f->aws_imdsv2_url, 0)))
			return p->rc;
		return 0;
	}
	if (cJSON_GetObjectItemCaseSensitive(src, "executable"))
		return parse_executable(p, f, cJSON_GetObjectItemCaseSensitive(src, "executable"));
	if (cJSON_GetObjectItemCaseSensitive(src, "certificate"))
		return fail(p, BEDROCK_ENOTSUP, "certificate (X.509) credential sources are not "
			    "supported");
	if (get_str(p, src, "file", 0, &f->subject_file) || get_str(p, src, "url", 0, &f->subject_url))
		return p->rc;
	if (f->subject_file && f->subject_url)
		return fail(p, BEDROCK_ECONFIG, "credential_source has both \"file\" and \"url\": "
			    "name one");
	if (!f->subject_file && !f->subject_url)
		return fail(p, BEDROCK_ECONFIG, "credential_source names no \"file\", \"url\" or "
			    "\"environment_id\"");
	if (f->subject_url) {
		f->subject_kind = BEDROCK__SUBJECT_URL;
		if (check_url(p, "credential_source.url", f->subject_url, 0))
			return p->rc;
		hdrs = cJSON_GetObjectItemCaseSensitive(src, "headers");
		if (hdrs && !cJSON_IsNull(hdrs)) {
			size_t n;

			if (!cJSON_IsObject(hdrs))
				return fail(p, BEDROCK_ECONFIG, "credential_source \"headers\" is not "
					    "an object");
			n = (size_t)cJSON_GetArraySize(hdrs);
			f->subject_headers = bedrock__calloc(2 * n + 1, sizeof(char *));
			if (!f->subject_headers)
				return fail(p, BEDROCK_ENOMEM, "out of memory");
			cJSON_ArrayForEach(it, hdrs) {
				size_t i = 2 * f->subject_header_count;

				if (!cJSON_IsString(it) || !it->string || !it->string[0] ||
				    !plain(it->string) || strpbrk(it->string, ": ") ||
				    !plain(it->valuestring))
					return fail(p, BEDROCK_ECONFIG, "credential_source \"headers\" "
						    "holds a bad header");
				f->subject_headers[i] = bedrock__strdup(it->string);
				f->subject_headers[i + 1] = bedrock__strdup(it->valuestring);
				f->subject_header_count++;
				if (!f->subject_headers[i] || !f->subject_headers[i + 1])
					return fail(p, BEDROCK_ENOMEM, "out of memory");
			}
		}
	} else {
		f->subject_kind = BEDROCK__SUBJECT_FILE;
	}
	return parse_format(p, f, src);
}

static int parse_external(parse_ctx *p, bedrock__google_file *f, const cJSON *j)
{
	const cJSON *imp = cJSON_GetObjectItemCaseSensitive(j, "service_account_impersonation");

	if (get_str(p, j, "audience", 1, &f->audience) ||
	    get_str(p, j, "subject_token_type", 1, &f->subject_token_type) ||
	    get_str(p, j, "token_url", 1, &f->token_url) ||
	    get_str(p, j, "client_id", 0, &f->client_id) ||
	    get_str(p, j, "client_secret", 0, &f->client_secret) ||
	    get_str(p, j, "workforce_pool_user_project", 0, &f->workforce_pool_user_project))
		return p->rc;
	if (check_url(p, "token_url", f->token_url, 1) || impersonation(p, f, j, 0))
		return p->rc;
	if (!plain(f->audience) || !plain(f->subject_token_type) || !plain(f->client_id) ||
	    !plain(f->client_secret) || !plain(f->workforce_pool_user_project))
		return fail(p, BEDROCK_ECONFIG, "a field has a control character in it");
	if (f->impersonation_url && cJSON_IsObject(imp)) {
		int64_t life = bedrock__json_int(imp, "token_lifetime_seconds");

		if (cJSON_GetObjectItemCaseSensitive(imp, "token_lifetime_seconds") &&
		    (life < 600 || life > 43200))
			return fail(p, BEDROCK_ECONFIG, "\"token_lifetime_seconds\" must be 600 to "
				    "43200");
		if (life > 0)
			f->lifetime_seconds = life;
	}
	return parse_source(p, f, cJSON_GetObjectItemCaseSensitive(j, "credential_source"));
}

static int parse_one(parse_ctx *p, bedrock__google_file *f, const cJSON *j, int nested)
{
	const cJSON *t = cJSON_GetObjectItemCaseSensitive(j, "type");
	const char *type = cJSON_IsString(t) ? t->valuestring : NULL, *ud;

	if (!t)
		return fail(p, BEDROCK_ECONFIG, "%shas no \"type\" (service_account, authorized_user, "
			    "impersonated_service_account or external_account)",
			    nested ? "source_credentials " : "");
	if (!type)
		return fail(p, BEDROCK_ECONFIG, "%s\"type\" is not a string",
			    nested ? "source_credentials " : "");
	ud = bedrock__json_str(j, "universe_domain");
	if (ud && *ud && strcmp(ud, "googleapis.com"))
		return fail(p, BEDROCK_ENOTSUP, "universe_domain \"%s\" is not supported (only "
			    "googleapis.com)", strlen(ud) < 64 ? ud : "(long)");
	if (get_str(p, j, "quota_project_id", 0, &f->quota_project_id) ||
	    get_str(p, j, "project_id", 0, &f->project_id))
		return p->rc;
	if (!plain(f->quota_project_id) || !plain(f->project_id))
		return fail(p, BEDROCK_ECONFIG, "a project id has a control character in it");
	if (!strcmp(type, "service_account")) {
		f->type = BEDROCK_GOOGLE_SERVICE_ACCOUNT;
		if (parse_service_account(p, f, j))
			return p->rc;
	} else if (!strcmp(type, "authorized_user")) {
		f->type = BEDROCK_GOOGLE_AUTHORIZED_USER;
		if (parse_authorized_user(p, f, j))
			return p->rc;
	} else if (!strcmp(type, "impersonated_service_account") && !nested) {
		f->type = BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT;
		return parse_impersonated(p, f, j);
	} else if (!strcmp(type, "external_account") && !nested) {
		f->type = BEDROCK_GOOGLE_EXTERNAL_ACCOUNT;
		return parse_external(p, f, j);
	} else if (nested && (!strcmp(type, "impersonated_service_account") ||
			      !strcmp(type, "external_account") ||
			      !strcmp(type, "external_account_authorized_user"))) {
		return fail(p, BEDROCK_ENOTSUP, "source_credentials of type \"%s\" are not supported "
			    "(service_account or authorized_user)", type);
	} else if (!strcmp(type, "external_account_authorized_user") && !nested) {
		f->type = BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER;
		return parse_external_user(p, f, j);
	} else if (!strcmp(type, "gdch_service_account")) {
		return fail(p, BEDROCK_ENOTSUP, "type \"%s\" (Google Distributed Cloud Hosted) is "
			    "not supported", type);
	} else {
		return fail(p, BEDROCK_ECONFIG, "unknown type \"%s\" (expected service_account, "
			    "authorized_user, impersonated_service_account, external_account or "
			    "external_account_authorized_user)",
			    strlen(type) < 64 && plain(type) ? type : "(unprintable)");
	}
	if (f->token_uri && check_url(p, "token_uri", f->token_uri, 1))
		return p->rc;
	return 0;
}

static int parse_any(bedrock__google_file **out, const char *data, size_t len,
		     const char *name, int lazy, bedrock_error_info *err)
{
	parse_ctx p = { name ? name : "(given)", err, 0, lazy };
	bedrock__google_file *f;
	cJSON *j;

	*out = NULL;
	if (len > BEDROCK__GOOGLE_FILE_MAX)
		return fail(&p, BEDROCK_ECONFIG, "larger than a credentials file can be");
	j = bedrock__json_parse_exact(data, len);
	if (!j)
		return fail(&p, BEDROCK_ECONFIG, "not valid JSON");
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return fail(&p, BEDROCK_ECONFIG, "not a JSON object");
	}
	f = bedrock__calloc(1, sizeof(*f));
	if (!f || !(f->name = bedrock__strdup(p.name))) {
		bedrock__free(f);
		wipe_tree(j);
		cJSON_Delete(j);
		return fail(&p, BEDROCK_ENOMEM, "out of memory");
	}
	parse_one(&p, f, j, 0);
	wipe_tree(j);
	cJSON_Delete(j);
	if (p.rc) {
		bedrock__google_file_free(f);
		return p.rc;
	}
	*out = f;
	return 0;
}

int bedrock__google_file_parse(bedrock__google_file **out, const char *data, size_t len,
			       const char *name, bedrock_error_info *err)
{
	return parse_any(out, data, len, name, 0, err);
}

int bedrock__google_file_parse_lazy(bedrock__google_file **out, const char *data, size_t len,
				    const char *name, bedrock_error_info *err)
{
	return parse_any(out, data, len, name, 1, err);
}

static int load_any(bedrock__google_file **out, const char *path, int lazy,
		    bedrock_error_info *err)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	char chunk[4096];
	FILE *fp;
	size_t n;
	int rc;

	*out = NULL;
	fp = fopen(path, "rb");
	if (!fp)
		return bedrock__err(err, BEDROCK_ECONFIG, "Google credentials file %s: cannot open "
				    "it: %s", path, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len <= BEDROCK__GOOGLE_FILE_MAX)
		bedrock__buf_put(&b, chunk, n);
	bedrock__wipe(chunk, sizeof(chunk));
	if (ferror(fp)) {
		fclose(fp);
		if (b.ptr)
			bedrock__wipe(b.ptr, b.len);
		bedrock__buf_dispose(&b);
		return bedrock__err(err, BEDROCK_ECONFIG, "Google credentials file %s: cannot read "
				    "it", path);
	}
	fclose(fp);
	if (b.oom) {
		bedrock__buf_dispose(&b);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	rc = parse_any(out, b.ptr ? b.ptr : "", b.len, path, lazy, err);
	if (b.ptr)
		bedrock__wipe(b.ptr, b.len);
	bedrock__buf_dispose(&b);
	return rc;
}

int bedrock__google_file_load(bedrock__google_file **out, const char *path,
			      bedrock_error_info *err)
{
	return load_any(out, path, 0, err);
}

int bedrock__google_file_load_lazy(bedrock__google_file **out, const char *path,
				   bedrock_error_info *err)
{
	return load_any(out, path, 1, err);
}
