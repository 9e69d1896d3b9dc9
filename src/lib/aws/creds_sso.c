/* IAM Identity Center (SSO) credentials (botocore SSOProvider and
 * SSOTokenProvider): the access token `aws sso login` cached, refreshed
 * through SSO OIDC when it is close to expiry, exchanged at the SSO portal
 * for role credentials. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "ascii.h"
#include "buf.h"
#include "config_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "http.h"
#include "sigv4_private.h"
#include "timeutil.h"
#include "urlcode.h"

#define SSO_REFRESH_WINDOW 900
#define SSO_TIMEOUT_MS 30000

typedef struct {
	bedrock__profile_src src;
} sso_impl;

/* What the profile says about SSO. */
typedef struct {
	const char *session;	/* sso_session name, NULL for the legacy form */
	const char *start_url, *region, *account_id, *role_name;
} sso_conf;

static int read_conf(sso_conf *s, bedrock_config *cfg, bedrock_error_info *err)
{
	const char *prof = bedrock_config_profile(cfg);

	memset(s, 0, sizeof(*s));
	s->session = bedrock_config_get(cfg, "sso_session");
	s->account_id = bedrock_config_get(cfg, "sso_account_id");
	s->role_name = bedrock_config_get(cfg, "sso_role_name");
	if (s->session) {
		s->start_url = bedrock_config_get_section(cfg, "sso-session", s->session,
							  "sso_start_url", NULL);
		s->region = bedrock_config_get_section(cfg, "sso-session", s->session,
						       "sso_region", NULL);
		if (!s->start_url || !s->region)
			return bedrock__err(err, BEDROCK_ECONFIG,
					    "profile %s: [sso-session %s] needs sso_start_url and sso_region",
					    prof, s->session);
	} else {
		s->start_url = bedrock_config_get(cfg, "sso_start_url");
		s->region = bedrock_config_get(cfg, "sso_region");
	}
	if (!s->session && !s->start_url && !s->account_id && !s->role_name)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "profile %s has no SSO settings", prof);
	if (!s->start_url || !s->region || !s->account_id || !s->role_name)
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "profile %s: SSO needs sso_account_id, sso_role_name and either "
				    "sso_session or sso_start_url with sso_region", prof);
	if (!bedrock__dns_label_valid(s->region))
		return bedrock__err(err, BEDROCK_ECONFIG, "profile %s: invalid sso_region", prof);
	return 0;
}

/* ~/.aws/sso/cache/<sha1(session name or start URL)>.json */
static int cache_path(char *out, size_t cap, const sso_conf *s)
{
	const char *key = s->session ? s->session : s->start_url;
	uint8_t md[BEDROCK__SHA1_LEN];
	char hex[2 * BEDROCK__SHA1_LEN + 1], *dir;

	if (bedrock__sha1(md, key, strlen(key)))
		return BEDROCK_ENOMEM;
	bedrock__hex(hex, md, sizeof(md));
	dir = bedrock__expand_home("~/.aws/sso/cache");
	if (!dir)
		return BEDROCK_ENOMEM;
	snprintf(out, cap, "%s/%s.json", dir, hex);
	bedrock__free(dir);
	return 0;
}

static const char *jstr(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsString(v) && v->valuestring[0] ? v->valuestring : NULL;
}

static cJSON *read_json_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	bedrock_buf b = BEDROCK_BUF_INIT;
	char chunk[4096];
	size_t n;
	cJSON *doc;

	if (!f)
		return NULL;
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0 && b.len < (1u << 20))
		bedrock__buf_put(&b, chunk, n);
	fclose(f);
	doc = b.oom ? NULL : cJSON_ParseWithLength(b.ptr ? b.ptr : "", b.len);
	if (b.ptr)
		bedrock__wipe(b.ptr, b.len);
	bedrock__buf_dispose(&b);
	return doc;
}

/* Replaces the cache file atomically, readable by its owner only. */
static int write_json_file(const char *path, const cJSON *doc)
{
	char tmp[600], *text = cJSON_Print(doc);
	FILE *f;
	int ok;

	if (!text)
		return BEDROCK_ENOMEM;
	if (snprintf(tmp, sizeof(tmp), "%s.tmp%ld", path, (long)getpid()) >= (int)sizeof(tmp))
		f = NULL;
	else
		f = fopen(tmp, "w");
	if (!f) {
		bedrock__wipe(text, strlen(text));
		cJSON_free(text);
		return BEDROCK_EIO;
	}
	chmod(tmp, 0600);
	ok = fputs(text, f) >= 0;
	ok = (fclose(f) == 0) && ok;
	bedrock__wipe(text, strlen(text));
	cJSON_free(text);
	if (!ok || rename(tmp, path) != 0) {
		unlink(tmp);
		return BEDROCK_EIO;
	}
	return 0;
}

/* The configured endpoint, else https://<prefix><region>.amazonaws.com */
static void endpoint(char *out, size_t cap, bedrock_config *cfg, const char *service,
		     const char *prefix, const char *region)
{
	const char *e = bedrock_config_endpoint(cfg, service);
	size_t n;

	if (e) {
		snprintf(out, cap, "%s", e);
		n = strlen(out);
		while (n && out[n - 1] == '/')
			out[--n] = '\0';
	} else {
		snprintf(out, cap, "https://%s%s.amazonaws.com", prefix, region);
	}
}

/* Refreshes the token through SSO OIDC; updates doc on success. */
static int refresh_token(cJSON *doc, const sso_conf *s, bedrock_config *cfg,
			 bedrock__http *h, bedrock_error_info *err)
{
	const char *client_id = jstr(doc, "clientId"), *secret = jstr(doc, "clientSecret");
	const char *refresh = jstr(doc, "refreshToken"), *reg = jstr(doc, "registrationExpiresAt");
	bedrock__http_header hdr = { "Content-Type", "application/json" };
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__http_request req = { "POST", NULL, &hdr, 1, NULL, 0, 0, SSO_TIMEOUT_MS, NULL, NULL,
				      NULL };
	cJSON *body = NULL, *ans = NULL;
	char url[600], when[32], *text = NULL;
	int64_t reg_exp = 0, now = (int64_t)time(NULL);
	const cJSON *exp_in;
	int rc;

	if (!s->session || !client_id || !secret || !refresh)
		return BEDROCK_EAUTH;
	if (reg && (bedrock__parse_iso8601(reg, &reg_exp) || reg_exp <= now))
		return BEDROCK_EAUTH;
	endpoint(url, sizeof(url), cfg, "SSO_OIDC", "oidc.", s->region);
	strncat(url, "/token", sizeof(url) - strlen(url) - 1);
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddStringToObject(body, "grantType", "refresh_token") ||
	    !cJSON_AddStringToObject(body, "clientId", client_id) ||
	    !cJSON_AddStringToObject(body, "clientSecret", secret) ||
	    !cJSON_AddStringToObject(body, "refreshToken", refresh) ||
	    !(text = cJSON_PrintUnformatted(body))) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	req.url = url;
	req.body = text;
	req.body_len = strlen(text);
	rc = bedrock__http_perform(h, &resp, &req, err);
	if (rc)
		goto done;
	if (resp.status != 200) {
		rc = BEDROCK_EAUTH;
		goto done;
	}
	ans = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
	exp_in = cJSON_GetObjectItemCaseSensitive(ans, "expiresIn");
	if (!jstr(ans, "accessToken") || !cJSON_IsNumber(exp_in)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "sso: the OIDC token response is malformed");
		goto done;
	}
	bedrock__format_iso8601(when, sizeof(when), now + (int64_t)exp_in->valuedouble);
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "accessToken");
	cJSON_DeleteItemFromObjectCaseSensitive(doc, "expiresAt");
	cJSON_AddStringToObject(doc, "accessToken", jstr(ans, "accessToken"));
	cJSON_AddStringToObject(doc, "expiresAt", when);
	if (jstr(ans, "refreshToken")) {
		cJSON_DeleteItemFromObjectCaseSensitive(doc, "refreshToken");
		cJSON_AddStringToObject(doc, "refreshToken", jstr(ans, "refreshToken"));
	}
	rc = 0;
done:
	if (text) {
		bedrock__wipe(text, strlen(text));
		cJSON_free(text);
	}
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	cJSON_Delete(body);
	cJSON_Delete(ans);
	return rc;
}

/* A usable access token (lent from *doc, which the caller deletes). */
static int access_token(const char **out, cJSON **doc, const sso_conf *s,
			bedrock_config *cfg, bedrock__http *h, bedrock_error_info *err)
{
	const char *prof = bedrock_config_profile(cfg), *exp;
	char path[600];
	int64_t expires = 0, now = (int64_t)time(NULL);
	int rc;

	rc = cache_path(path, sizeof(path), s);
	if (rc)
		return bedrock__err(err, rc, "out of memory");
	*doc = read_json_file(path);
	if (!*doc || !jstr(*doc, "accessToken") || !(exp = jstr(*doc, "expiresAt")) ||
	    bedrock__parse_iso8601(exp, &expires))
		return bedrock__err(err, BEDROCK_EAUTH,
				    "sso: no valid cached token for profile %s (%s); run "
				    "'aws sso login --profile %s'", prof, path, prof);
	if (expires - now > SSO_REFRESH_WINDOW) {
		*out = jstr(*doc, "accessToken");
		return 0;
	}
	rc = refresh_token(*doc, s, cfg, h, err);
	if (rc == 0) {
		/* A failed write only costs a refresh next time. */
		(void)write_json_file(path, *doc);
		*out = jstr(*doc, "accessToken");
		return 0;
	}
	if (rc != BEDROCK_EAUTH || expires > now) {
		/* The current token still works for a while. */
		if (expires > now) {
			*out = jstr(*doc, "accessToken");
			return 0;
		}
		return rc;
	}
	return bedrock__err(err, BEDROCK_EAUTH,
			    "sso: the SSO session for profile %s has expired; run "
			    "'aws sso login --profile %s'", prof, prof);
}

static int sso_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	sso_impl *p = impl;
	bedrock_config *cfg = NULL;
	bedrock__http *h = NULL;
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__http_header hdr = { "x-amz-sso_bearer_token", NULL };
	bedrock__http_request req = { "GET", NULL, &hdr, 1, NULL, 0, 0, SSO_TIMEOUT_MS, NULL, NULL,
				      NULL };
	bedrock_buf url = BEDROCK_BUF_INIT;
	cJSON *doc = NULL, *ans = NULL;
	const cJSON *rcj, *exp;
	sso_conf s;
	char base[600];
	int rc;

	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	rc = read_conf(&s, cfg, err);
	if (rc)
		goto done;
	rc = bedrock__http_new(&h, bedrock__env("AWS_CA_BUNDLE"));
	if (rc) {
		bedrock__err(err, rc, "sso: cannot start HTTP");
		goto done;
	}
	rc = access_token(&hdr.value, &doc, &s, cfg, h, err);
	if (rc)
		goto done;
	endpoint(base, sizeof(base), cfg, "SSO", "portal.sso.", s.region);
	bedrock__buf_puts(&url, base);
	bedrock__buf_puts(&url, "/federation/credentials?role_name=");
	bedrock__url_encode_buf(&url, s.role_name, strlen(s.role_name), 0);
	bedrock__buf_puts(&url, "&account_id=");
	bedrock__url_encode_buf(&url, s.account_id, strlen(s.account_id), 0);
	if (url.oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	req.url = url.ptr;
	rc = bedrock__http_perform(h, &resp, &req, err);
	if (rc)
		goto done;
	if (resp.status != 200) {
		char type[64] = "";

		bedrock__http_header_get(&resp, "x-amzn-errortype", type, sizeof(type));
		type[strcspn(type, ":")] = '\0';
		rc = bedrock__err(err, resp.status == 401 || resp.status == 403 ? BEDROCK_EAUTH
										: BEDROCK_EHTTP,
				  "sso: GetRoleCredentials for role %s in account %s failed with HTTP %ld%s%s%s",
				  s.role_name, s.account_id, resp.status, type[0] ? " (" : "", type,
				  type[0] ? ")" : "");
		if (err) {
			err->http_status = (int)resp.status;
			snprintf(err->aws_code, sizeof(err->aws_code), "%s", type);
			bedrock__http_header_get(&resp, "x-amzn-requestid", err->request_id,
						 sizeof(err->request_id));
		}
		if (resp.status == 401 && err)
			strncat(err->message, "; run 'aws sso login'",
				sizeof(err->message) - strlen(err->message) - 1);
		goto done;
	}
	ans = cJSON_ParseWithLength(resp.body.ptr, resp.body.len);
	rcj = cJSON_GetObjectItemCaseSensitive(ans, "roleCredentials");
	exp = cJSON_GetObjectItemCaseSensitive(rcj, "expiration");
	if (!cJSON_IsObject(rcj) || !cJSON_IsNumber(exp)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "sso: the portal's response is malformed");
		goto done;
	}
	rc = bedrock__credentials_make(out, "sso", jstr(rcj, "accessKeyId"),
				       jstr(rcj, "secretAccessKey"), jstr(rcj, "sessionToken"),
				       s.account_id, (int64_t)(exp->valuedouble / 1000), err);
done:
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	bedrock__buf_dispose(&url);
	bedrock__http_free(h);
	cJSON_Delete(doc);
	cJSON_Delete(ans);
	bedrock_config_free(cfg);
	return rc;
}

static const bedrock_creds_provider_vtable sso_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "sso", sso_get, bedrock__profile_provider_destroy
};

int bedrock_creds_provider_new_sso(bedrock_creds_provider **out,
				   const bedrock_creds_profile_options *options)
{
	return bedrock__profile_provider_new(out, &sso_vt, options, sizeof(sso_impl), NULL);
}
