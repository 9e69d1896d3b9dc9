/* EC2 instance metadata credentials (botocore InstanceMetadataFetcher):
 * IMDSv2 token, then the role name, then the role's credentials. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "http.h"

#define IMDS_V4 "http://169.254.169.254"
#define IMDS_V6 "http://[fd00:ec2::254]"
#define CREDS_PATH "/latest/meta-data/iam/security-credentials/"

typedef struct {
	bedrock__profile_src src;
} imds_impl;

typedef struct {
	bedrock__http *http;
	char base[512];
	char token[512];
	long timeout_ms;
	int attempts;
	int v1_disabled;
} imds_ctx;

/* Env first, then the profile key. */
static const char *setting(bedrock_config *cfg, const char *env, const char *key)
{
	const char *v = bedrock__env(env);

	return v ? v : cfg ? bedrock_config_get(cfg, key) : NULL;
}

/* 0 with a token, 1 when IMDS has no token endpoint (v1 fallback), or an error. */
static int fetch_token(imds_ctx *c, bedrock_error_info *err)
{
	bedrock__http_header h = { "x-aws-ec2-metadata-token-ttl-seconds", "21600" };
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__http_request req = { "PUT", NULL, &h, 1, NULL, 0, c->timeout_ms, c->timeout_ms,
				      NULL, NULL, NULL };
	char url[600];
	int rc, attempt;

	snprintf(url, sizeof(url), "%s/latest/api/token", c->base);
	req.url = url;
	for (attempt = 0; attempt < c->attempts; attempt++) {
		rc = bedrock__http_perform(c->http, &resp, &req, err);
		if (rc == BEDROCK_ENOMEM || rc == BEDROCK_EINVAL)
			break;
		if (rc) {
			/* Unreachable: not on EC2, or a hop limit too low. */
			rc = 1;
			continue;
		}
		if (resp.status == 200 && resp.body.len > 0 && resp.body.len < sizeof(c->token) &&
		    !strpbrk(resp.body.ptr, "\r\n")) {
			memcpy(c->token, resp.body.ptr, resp.body.len + 1);
			rc = 0;
			break;
		}
		if (resp.status == 403 || resp.status == 404 || resp.status == 405) {
			rc = 1;
			break;
		}
		if (resp.status == 400) {
			rc = bedrock__err(err, BEDROCK_EHTTP, "imds: the token request was refused (HTTP 400)");
			break;
		}
		rc = 1;
	}
	bedrock__http_response_dispose(&resp);
	return rc;
}

/* GET path; 0 with the body in resp on HTTP 200, ENOTFOUND on 404. */
static int imds_get(imds_ctx *c, bedrock__http_response *resp, const char *path,
		    bedrock_error_info *err)
{
	bedrock__http_header h = { "x-aws-ec2-metadata-token", c->token };
	bedrock__http_request req = { "GET", NULL, &h, c->token[0] ? 1 : 0, NULL, 0, c->timeout_ms,
				      c->timeout_ms, NULL, NULL, NULL };
	char url[1200];
	int rc = BEDROCK_EIO, attempt;

	snprintf(url, sizeof(url), "%s%s", c->base, path);
	req.url = url;
	for (attempt = 0; attempt < c->attempts; attempt++) {
		rc = bedrock__http_perform(c->http, resp, &req, err);
		if (rc == BEDROCK_ENOMEM || rc == BEDROCK_EINVAL)
			return rc;
		if (rc)
			continue;
		if (resp->status == 200 && resp->body.len > 0)
			return 0;
		if (resp->status == 404)
			return bedrock__err(err, BEDROCK_ENOTFOUND,
					    "imds: no IAM role is attached to this instance");
		if (resp->status == 401 || resp->status == 403)
			return bedrock__err(err, BEDROCK_EAUTH, "imds: %s answered HTTP %ld", path,
					    resp->status);
		rc = bedrock__err(err, BEDROCK_EHTTP, "imds: %s answered HTTP %ld", path, resp->status);
	}
	return rc;
}

static int64_t jitter_seconds(int lo, int hi)
{
	unsigned int r = 0;

	if (bedrock__random(&r, sizeof(r)))
		r = (unsigned int)time(NULL);
	return lo + (int64_t)(r % (unsigned int)(hi - lo + 1));
}

static int imds_get_creds(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	imds_impl *p = impl;
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock_config *cfg = NULL;
	imds_ctx c;
	const char *v, *endpoint;
	char role[256], path[400];
	int rc;
	size_t n;

	memset(&c, 0, sizeof(c));
	if (bedrock__is_true(bedrock__env("AWS_EC2_METADATA_DISABLED")))
		return bedrock__err(err, BEDROCK_ENOTFOUND, "imds: disabled by AWS_EC2_METADATA_DISABLED");
	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	endpoint = setting(cfg, "AWS_EC2_METADATA_SERVICE_ENDPOINT", "ec2_metadata_service_endpoint");
	v = setting(cfg, "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE", "ec2_metadata_service_endpoint_mode");
	if (!endpoint)
		endpoint = v && (!strcmp(v, "IPv6") || !strcmp(v, "ipv6")) ? IMDS_V6 : IMDS_V4;
	n = strlen(endpoint);
	while (n && endpoint[n - 1] == '/')
		n--;
	if (n >= sizeof(c.base)) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "imds: endpoint too long");
		goto done;
	}
	memcpy(c.base, endpoint, n);
	v = setting(cfg, "AWS_METADATA_SERVICE_TIMEOUT", "metadata_service_timeout");
	c.timeout_ms = v ? (long)(atof(v) * 1000) : 1000;
	if (c.timeout_ms <= 0)
		c.timeout_ms = 1000;
	v = setting(cfg, "AWS_METADATA_SERVICE_NUM_ATTEMPTS", "metadata_service_num_attempts");
	c.attempts = v ? atoi(v) : 1;
	if (c.attempts < 1 || c.attempts > 10)
		c.attempts = 1;
	c.v1_disabled = bedrock__is_true(setting(cfg, "AWS_EC2_METADATA_V1_DISABLED",
						 "ec2_metadata_v1_disabled"));
	rc = bedrock__http_new(&c.http, NULL);
	if (rc) {
		bedrock__err(err, rc, "imds: cannot start HTTP");
		goto done;
	}
	bedrock__http_direct(c.http);	/* link-local: no proxy can reach it */

	rc = fetch_token(&c, err);
	if (rc == 1) {
		if (c.v1_disabled) {
			rc = bedrock__err(err, BEDROCK_EAUTH,
					  "imds: no IMDSv2 token and IMDSv1 is disabled");
			goto done;
		}
		c.token[0] = '\0';
		rc = 0;
	}
	if (rc)
		goto done;
	rc = imds_get(&c, &resp, CREDS_PATH, err);
	if (rc == BEDROCK_EIO || rc == BEDROCK_ETIMEOUT) {
		/* Nobody answers: this is not an EC2 instance. */
		rc = bedrock__err(err, BEDROCK_ENOTFOUND, "imds: no instance metadata service at %s",
				  c.base);
		goto done;
	}
	if (rc)
		goto done;
	n = strcspn(resp.body.ptr, "\r\n");
	if (n == 0 || n >= sizeof(role) || strchr(resp.body.ptr, '/')) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "imds: bad role name");
		goto done;
	}
	memcpy(role, resp.body.ptr, n);
	role[n] = '\0';
	snprintf(path, sizeof(path), CREDS_PATH "%s", role);
	rc = imds_get(&c, &resp, path, err);
	if (rc)
		goto done;
	rc = bedrock__parse_json_credentials(out, "imds", resp.body.ptr, resp.body.len, err);
	if (rc == 0) {
		int64_t exp = bedrock_credentials_expiration(*out), now = (int64_t)time(NULL);

		/* Static stability: if IMDS hands out credentials that are about
		 * to expire (it may be unable to refresh them), keep using them a
		 * little longer rather than failing every call. */
		if (exp && exp - now < 900) {
			bedrock_credentials *c2;
			int rc2 = bedrock__credentials_make(&c2, "imds", bedrock_credentials_access_key_id(*out),
				bedrock_credentials_secret_access_key(*out),
				bedrock_credentials_session_token(*out),
				bedrock_credentials_account_id(*out),
				now + 900 + jitter_seconds(120, 600), err);

			bedrock_credentials_release(*out);
			*out = rc2 ? NULL : c2;
			rc = rc2;
		}
	}
	memset(resp.body.ptr, 0, resp.body.len);
done:
	bedrock__http_response_dispose(&resp);
	bedrock__http_free(c.http);
	bedrock_config_free(cfg);
	memset(c.token, 0, sizeof(c.token));
	return rc;
}

static const bedrock_creds_provider_vtable imds_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "imds", imds_get_creds, bedrock__profile_provider_destroy
};

int bedrock_creds_provider_new_imds(bedrock_creds_provider **out,
				    const bedrock_creds_profile_options *options)
{
	return bedrock__profile_provider_new(out, &imds_vt, options, sizeof(imds_impl), NULL);
}
