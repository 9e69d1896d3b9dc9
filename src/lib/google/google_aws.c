/* AWS-sourced workload identity (credential_source environment_id "aws1"):
 * the subject token is an AWS STS GetCallerIdentity request, signed with
 * our SigV4 signer and serialized as Google STS wants it (google-auth
 * aws.py): URL-encoded JSON {"headers": [{"key", "value"}...], "method",
 * "url"}. The region and keys come from the environment, else from the
 * EC2 metadata URLs the file names (IMDSv2 when it names the token URL). */
#include <stdio.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"
#include "urlcode.h"

#define IMDS_TIMEOUT_MS 5000

typedef struct {
	char region[64];
	char *key_id, *secret, *token;		/* secret and token wiped */
	char imds_token[256];
} aws_inputs;

static void inputs_dispose(aws_inputs *a)
{
	bedrock__free(a->key_id);
	if (a->secret) {
		bedrock__wipe(a->secret, strlen(a->secret));
		bedrock__free(a->secret);
	}
	if (a->token) {
		bedrock__wipe(a->token, strlen(a->token));
		bedrock__free(a->token);
	}
	bedrock__wipe(a->imds_token, sizeof(a->imds_token));
}

/* One request to the EC2 metadata URLs (never through a proxy). 0 with
 * the body on HTTP 200. */
static int imds(bedrock__http_response *resp, bedrock__google_ctx *c, const char *method,
		const char *url, const char *ttl, const char *token, const char *what,
		bedrock_error_info *err)
{
	bedrock__http_header h[1];
	bedrock__google_request r;
	int rc;

	memset(&r, 0, sizeof(r));
	if (ttl)
		h[0] = (bedrock__http_header){ "X-aws-ec2-metadata-token-ttl-seconds", ttl };
	else
		h[0] = (bedrock__http_header){ "X-aws-ec2-metadata-token", token ? token : "" };
	r.method = method;
	r.url = url;
	r.headers = h;
	r.header_count = ttl || (token && *token) ? 1 : 0;
	r.direct = 1;
	r.timeout_ms = IMDS_TIMEOUT_MS;
	r.attempts = 2;
	rc = bedrock__google_exchange(resp, c, &r, what, err);
	if (!rc && resp->status != 200)
		rc = bedrock__err(err, resp->status == 401 || resp->status == 403 ? BEDROCK_EAUTH
				  : BEDROCK_EHTTP, "%s: %s answered HTTP %ld", what, url, resp->status);
	if (!rc && (!resp->body.ptr || !resp->body.len))
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s answered nothing", what, url);
	return rc;
}

static int inputs_get(aws_inputs *a, bedrock__google_ctx *c, const bedrock__google_file *f,
		      const char *what, bedrock_error_info *err)
{
	const char *region = bedrock__google_env("AWS_REGION");
	const char *id = bedrock__google_env("AWS_ACCESS_KEY_ID");
	const char *secret = bedrock__google_env("AWS_SECRET_ACCESS_KEY");
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	char url[1200], role[256];
	cJSON *j = NULL;
	size_t n;
	int rc = 0;

	if (!region)
		region = bedrock__google_env("AWS_DEFAULT_REGION");
	/* The metadata session token, when anything is to come from there. */
	if (f->aws_imdsv2_url && (!region || !id || !secret)) {
		rc = imds(&resp, c, "PUT", f->aws_imdsv2_url, "300", NULL, what, err);
		if (rc)
			goto done;
		if (resp.body.len >= sizeof(a->imds_token) || strpbrk(resp.body.ptr, "\r\n")) {
			rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: a bad IMDSv2 session token", what);
			goto done;
		}
		memcpy(a->imds_token, resp.body.ptr, resp.body.len + 1);
	}
	if (region) {
		snprintf(a->region, sizeof(a->region), "%s", region);
	} else {
		if (!f->aws_region_url) {
			rc = bedrock__err(err, BEDROCK_ECONFIG, "%s: no AWS region: set AWS_REGION, or "
					  "name a region_url in the credential_source", what);
			goto done;
		}
		rc = imds(&resp, c, "GET", f->aws_region_url, NULL, a->imds_token, what, err);
		if (rc)
			goto done;
		/* An availability zone ("us-east-2b"): the region is all but its letter. */
		n = strcspn(resp.body.ptr, "\r\n");
		if (n < 2 || n - 1 >= sizeof(a->region)) {
			rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s did not answer an availability "
					  "zone", what, f->aws_region_url);
			goto done;
		}
		memcpy(a->region, resp.body.ptr, n - 1);
		a->region[n - 1] = '\0';
	}
	if (id && secret) {
		const char *tok = bedrock__google_env("AWS_SESSION_TOKEN");

		a->key_id = bedrock__strdup(id);
		a->secret = bedrock__strdup(secret);
		a->token = tok ? bedrock__strdup(tok) : NULL;
		if (!a->key_id || !a->secret || (tok && !a->token))
			rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	if (!f->aws_credentials_url) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "%s: no AWS keys: set AWS_ACCESS_KEY_ID and "
				  "AWS_SECRET_ACCESS_KEY, or name the metadata url in the "
				  "credential_source", what);
		goto done;
	}
	rc = imds(&resp, c, "GET", f->aws_credentials_url, NULL, a->imds_token, what, err);
	if (rc)
		goto done;
	n = strcspn(resp.body.ptr, "\r\n");
	if (!n || n >= sizeof(role) || memchr(resp.body.ptr, '/', n)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s did not answer a role name", what,
				  f->aws_credentials_url);
		goto done;
	}
	memcpy(role, resp.body.ptr, n);
	role[n] = '\0';
	snprintf(url, sizeof(url), "%s/%s", f->aws_credentials_url, role);
	rc = imds(&resp, c, "GET", url, NULL, a->imds_token, what, err);
	if (rc)
		goto done;
	j = bedrock__json_parse_exact(resp.body.ptr, resp.body.len);
	id = j ? bedrock__json_str(j, "AccessKeyId") : NULL;
	secret = j ? bedrock__json_str(j, "SecretAccessKey") : NULL;
	if (!id || !secret || !*id || !*secret) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s answered no AccessKeyId and "
				  "SecretAccessKey", what, url);
		goto done;
	}
	a->key_id = bedrock__strdup(id);
	a->secret = bedrock__strdup(secret);
	if (bedrock__json_str(j, "Token"))
		a->token = bedrock__strdup(bedrock__json_str(j, "Token"));
	if (!a->key_id || !a->secret || (bedrock__json_str(j, "Token") && !a->token))
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
done:
	if (j) {
		const char *s = bedrock__json_str(j, "SecretAccessKey"), *t = bedrock__json_str(j, "Token");

		if (s)
			bedrock__wipe((char *)s, strlen(s));
		if (t)
			bedrock__wipe((char *)t, strlen(t));
		cJSON_Delete(j);
	}
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	return rc;
}

static void add_header(cJSON *arr, const char *key, const char *value, size_t len)
{
	cJSON *o = cJSON_CreateObject();
	char *v = bedrock__strndup(value, len);

	if (o && v && cJSON_AddStringToObject(o, "key", key) && cJSON_AddStringToObject(o, "value", v))
		cJSON_AddItemToArray(arr, o);
	else
		cJSON_Delete(o);
	if (v) {
		bedrock__wipe(v, len);
		bedrock__free(v);
	}
}

int bedrock__google_aws_subject_sign(char **out, const char *verification_url,
				     const char *region, const char *audience,
				     const char *access_key_id, const char *secret_access_key,
				     const char *session_token, int64_t now,
				     bedrock_error_info *err)
{
	bedrock_buf url = BEDROCK_BUF_INIT;
	const char *p, *host, *path, *query;
	size_t host_len, i, n, want;
	const bedrock_sigv4_header *add;
	bedrock_sigv4_signer *signer = NULL;
	bedrock_sigv4_result *sr = NULL;
	cJSON *root = NULL, *hdrs;
	char hostbuf[256], pathbuf[1024], *json = NULL;
	int rc;

	*out = NULL;
	/* "{region}" in the URL is the region. */
	for (p = verification_url; *p;) {
		const char *r = strstr(p, "{region}");

		if (!r) {
			bedrock__buf_puts(&url, p);
			break;
		}
		bedrock__buf_put(&url, p, (size_t)(r - p));
		bedrock__buf_puts(&url, region);
		p = r + 8;
	}
	if (url.oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	host = url.ptr + 8;	/* after "https://" (checked by the parser) */
	host_len = strcspn(host, "/?#");
	query = strchr(host, '?');
	path = host + host_len;
	n = query ? (size_t)(query - path) : strlen(path);
	if (!host_len || host_len >= sizeof(hostbuf) || n >= sizeof(pathbuf)) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "regional_cred_verification_url is not usable");
		goto done;
	}
	memcpy(hostbuf, host, host_len);
	hostbuf[host_len] = '\0';
	if (n)
		memcpy(pathbuf, path, n);
	else
		pathbuf[n++] = '/';
	pathbuf[n] = '\0';
	{
		bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
		bedrock_sigv4_credentials sk = { access_key_id, secret_access_key, session_token };
		/* The target resource is signed too, as Google recommends: it
		 * binds the request to this pool's provider. */
		bedrock_sigv4_header sh[2] = {
			{ "host", 4, hostbuf, strlen(hostbuf) },
			{ "x-goog-cloud-target-resource", 28, audience, strlen(audience) } };
		bedrock_sigv4_request sreq = { "POST", pathbuf, query ? query + 1 : NULL, sh, 2,
					       NULL, 0, NULL };

		sc.region = region;
		sc.service = "sts";
		sc.signing_time = now;
		if ((rc = bedrock_sigv4_signer_new(&signer)) != 0 ||
		    (rc = bedrock_sigv4_result_new(&sr)) != 0) {
			rc = bedrock__err(err, rc, "out of memory");
			goto done;
		}
		rc = bedrock_sigv4_sign(sr, signer, &sc, &sk, &sreq);
		if (rc) {
			bedrock__err(err, rc, "signing GetCallerIdentity failed: %s",
				     bedrock_sigv4_result_errmsg(sr));
			goto done;
		}
	}
	root = cJSON_CreateObject();
	hdrs = root ? cJSON_AddArrayToObject(root, "headers") : NULL;
	if (!hdrs) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	/* google-auth's serialization, keys sorted: Authorization, host,
	 * x-amz-date, x-amz-security-token, x-goog-cloud-target-resource. */
	n = bedrock_sigv4_result_headers(&add, sr);
	want = 0;
	for (i = 0; i < n; i++)
		if (add[i].name_len == 13 && !memcmp(add[i].name, "Authorization", 13))
			add_header(hdrs, "Authorization", add[i].value, add[i].value_len), want++;
	add_header(hdrs, "host", hostbuf, strlen(hostbuf));
	for (i = 0; i < n; i++)
		if (add[i].name_len == 10 && !memcmp(add[i].name, "X-Amz-Date", 10))
			add_header(hdrs, "x-amz-date", add[i].value, add[i].value_len), want++;
	for (i = 0; i < n; i++)
		if (add[i].name_len == 20 && !memcmp(add[i].name, "X-Amz-Security-Token", 20))
			add_header(hdrs, "x-amz-security-token", add[i].value, add[i].value_len), want++;
	add_header(hdrs, "x-goog-cloud-target-resource", audience, strlen(audience));
	if (!cJSON_AddStringToObject(root, "method", "POST") ||
	    !cJSON_AddStringToObject(root, "url", url.ptr) ||
	    (size_t)cJSON_GetArraySize(hdrs) != want + 2 || want != (session_token ? 3u : 2u) ||
	    !(json = bedrock__json_print(root, &n))) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	{
		bedrock_buf enc = BEDROCK_BUF_INIT;

		/* urllib.parse.quote: '/' stays. */
		bedrock__url_encode_buf(&enc, json, n, BEDROCK__URL_KEEP_SLASH);
		if (enc.oom) {
			bedrock__buf_dispose(&enc);
			rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
			goto done;
		}
		*out = enc.ptr;
	}
	rc = 0;
done:
	if (json) {
		bedrock__wipe(json, strlen(json));
		bedrock__free(json);
	}
	if (root) {
		cJSON *h;

		cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(root, "headers")) {
			const char *v = bedrock__json_str(h, "value");

			if (v)
				bedrock__wipe((char *)v, strlen(v));
		}
		cJSON_Delete(root);
	}
	bedrock_sigv4_result_free(sr);
	bedrock_sigv4_signer_free(signer);
	bedrock__buf_dispose(&url);
	return rc;
}

int bedrock__google_aws_subject(char **out, bedrock__google_ctx *c, const bedrock__google_file *f,
				bedrock_error_info *err)
{
	aws_inputs a;
	char who[400];
	int rc;

	*out = NULL;
	memset(&a, 0, sizeof(a));
	bedrock__google_describe(who, sizeof(who), f);
	rc = inputs_get(&a, c, f, who, err);
	if (!rc) {
		rc = bedrock__google_aws_subject_sign(out, f->aws_verification_url, a.region,
						      f->audience, a.key_id, a.secret, a.token,
						      c->now, err);
		if (rc)
			bedrock__err_prefix(err, who);
	}
	inputs_dispose(&a);
	return rc;
}
