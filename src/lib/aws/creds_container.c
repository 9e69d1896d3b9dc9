/* ECS and EKS Pod Identity container credentials (botocore
 * ContainerProvider): a GET to a local endpoint with an optional token. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "creds_private.h"
#include "errinfo.h"
#include "http.h"
#include "json.h"
#include "timeutil.h"

#define ECS_HOST "http://169.254.170.2"
#define CONTAINER_TIMEOUT_MS 2000
#define CONTAINER_ATTEMPTS 3

int bedrock__parse_json_credentials(bedrock_credentials **out, const char *provider,
				    const char *data, size_t len, bedrock_error_info *err)
{
	cJSON *doc = cJSON_ParseWithLength(data, len);
	const char *exp;
	int64_t expiration = 0;
	int rc;

	*out = NULL;
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return bedrock__err(err, BEDROCK_EPROTOCOL, "%s: the response is not a JSON object",
				    provider);
	}
	exp = bedrock__json_str(doc, "Expiration");
	if (!bedrock__json_str(doc, "AccessKeyId") || !bedrock__json_str(doc, "SecretAccessKey"))
		rc = bedrock__err(err, BEDROCK_EPROTOCOL,
				  "%s: the response lacks AccessKeyId or SecretAccessKey", provider);
	else if (exp && bedrock__parse_iso8601(exp, &expiration))
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: Expiration is not an ISO-8601 time",
				  provider);
	else
		rc = bedrock__credentials_make(out, provider, bedrock__json_str(doc, "AccessKeyId"),
					       bedrock__json_str(doc, "SecretAccessKey"),
					       bedrock__json_str(doc, "Token"),
					       bedrock__json_str(doc, "AccountId"), expiration, err);
	cJSON_Delete(doc);
	return rc;
}

int bedrock__container_url_allowed(const char *url)
{
	CURLU *u = curl_url();
	char *scheme = NULL, *host = NULL;
	int ok = 0;

	if (!u)
		return 0;
	if (curl_url_set(u, CURLUPART_URL, url, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) == CURLUE_OK &&
	    curl_url_get(u, CURLUPART_HOST, &host, 0) == CURLUE_OK) {
		if (!strcmp(scheme, "https"))
			ok = 1;
		else if (!strcmp(scheme, "http"))
			ok = !strcmp(host, "localhost") || !strncmp(host, "127.", 4) ||
			     !strcmp(host, "[::1]") || !strcmp(host, "169.254.170.2") ||
			     !strcmp(host, "169.254.170.23") || !strcmp(host, "[fd00:ec2::23]");
	}
	curl_free(scheme);
	curl_free(host);
	curl_url_cleanup(u);
	return ok;
}

/* The token, from the file (re-read each time: EKS rotates it) or the
 * variable. */
static int read_token(char *out, size_t cap, bedrock_error_info *err)
{
	const char *file = bedrock__env("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE");
	const char *tok = bedrock__env("AWS_CONTAINER_AUTHORIZATION_TOKEN");
	size_t n;

	out[0] = '\0';
	if (file) {
		FILE *f = fopen(file, "rb");

		if (!f)
			return bedrock__err(err, BEDROCK_ECONFIG,
					    "container: cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE %s",
					    file);
		n = fread(out, 1, cap - 1, f);
		fclose(f);
		out[n] = '\0';
		/* A trailing newline from an editor is not part of the token. */
		while (n && (out[n - 1] == '\n' || out[n - 1] == '\r'))
			out[--n] = '\0';
	} else if (tok) {
		if (strlen(tok) >= cap)
			return bedrock__err(err, BEDROCK_ECONFIG, "container: token too long");
		strcpy(out, tok);
	}
	if (strpbrk(out, "\r\n"))
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "container: the authorization token contains CR or LF");
	return 0;
}

static int container_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	const char *rel = bedrock__env("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI");
	const char *full = bedrock__env("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__http_header hdr[2] = { { "Accept", "application/json" }, { "Authorization", "" } };
	bedrock__http_request req = { "GET", NULL, hdr, 1, NULL, 0, CONTAINER_TIMEOUT_MS,
				      CONTAINER_TIMEOUT_MS, NULL, NULL, NULL };
	bedrock_buf url = BEDROCK_BUF_INIT;
	bedrock__http *h = NULL;
	char token[8192];
	int rc, attempt;

	(void)impl;
	if (!rel && !full)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "container: no credentials URI set");
	if (rel) {
		bedrock__buf_puts(&url, ECS_HOST);
		if (rel[0] != '/')
			bedrock__buf_putc(&url, '/');
		bedrock__buf_puts(&url, rel);
	} else {
		if (!bedrock__container_url_allowed(full))
			return bedrock__err(err, BEDROCK_ECONFIG,
					    "container: AWS_CONTAINER_CREDENTIALS_FULL_URI must use "
					    "https or a loopback or ECS/EKS host");
		bedrock__buf_puts(&url, full);
	}
	if (url.oom)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = read_token(token, sizeof(token), err);
	if (rc)
		goto done;
	if (token[0]) {
		hdr[1].value = token;
		req.header_count = 2;
	}
	req.url = url.ptr;
	rc = bedrock__http_new(&h, bedrock__env("AWS_CA_BUNDLE"));
	if (rc) {
		bedrock__err(err, rc, "container: cannot start HTTP");
		goto done;
	}
	bedrock__http_direct(h);	/* this host's agent, as botocore: no proxy */
	for (attempt = 1; attempt <= CONTAINER_ATTEMPTS; attempt++) {
		if (attempt > 1) {
			struct timespec ts = { 1, 0 };
			nanosleep(&ts, NULL);
		}
		rc = bedrock__http_perform(h, &resp, &req, err);
		if (rc == BEDROCK_ENOMEM || rc == BEDROCK_EINVAL)
			break;
		if (rc)
			continue;
		if (resp.status == 200) {
			rc = bedrock__parse_json_credentials(out, "container", resp.body.ptr,
							     resp.body.len, err);
			if (rc != BEDROCK_EPROTOCOL)
				break;
			continue;
		}
		rc = bedrock__err(err, resp.status == 401 || resp.status == 403 ? BEDROCK_EAUTH
										: BEDROCK_EHTTP,
				  "container: %s answered HTTP %ld", rel ? "the ECS endpoint" : full,
				  resp.status);
		if (err)
			err->http_status = (int)resp.status;
		if (resp.status < 500)
			break;
	}
	if (resp.body.ptr)
		memset(resp.body.ptr, 0, resp.body.len);
done:
	bedrock__http_response_dispose(&resp);
	bedrock__http_free(h);
	bedrock__buf_dispose(&url);
	memset(token, 0, sizeof(token));
	return rc;
}

static const bedrock_creds_provider_vtable container_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "container", container_get, NULL
};

int bedrock_creds_provider_new_container(bedrock_creds_provider **out)
{
	return bedrock_creds_provider_new(out, &container_vt, NULL);
}
