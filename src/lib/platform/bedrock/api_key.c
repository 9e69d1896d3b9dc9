/* Short-term Bedrock API keys, made from AWS credentials as AWS's token
 * generators do: a SigV4-presigned "POST https://bedrock.amazonaws.com/
 * ?Action=CallWithBearerToken" (signed for the target region), without
 * the scheme, with "&Version=1", base64-encoded, prefixed. */
#include <stdio.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "base64.h"
#include "crypto.h"
#include "errinfo.h"

#define KEY_PREFIX "bedrock-api-key-"
#define KEY_HOST "bedrock.amazonaws.com"

int bedrock_api_key_generate(char **out, const bedrock_credentials *creds, const char *region,
			     unsigned int expires_seconds, int64_t now, bedrock_error_info *err)
{
	bedrock_sigv4_header host = { "host", 4, KEY_HOST, sizeof(KEY_HOST) - 1 };
	bedrock_sigv4_credentials k;
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res = NULL;
	char *url = NULL, *key = NULL;
	size_t ulen, klen;
	int rc;

	if (!out || !creds || !region || !*region)
		return bedrock__err(err, BEDROCK_EINVAL, "credentials and a region are required");
	*out = NULL;
	if (expires_seconds == 0 || expires_seconds > 43200)
		return bedrock__err(err, BEDROCK_EINVAL,
				    "a short-term key lasts 1 to 43200 seconds (12 hours)");
	k.access_key_id = bedrock_credentials_access_key_id(creds);
	k.secret_access_key = bedrock_credentials_secret_access_key(creds);
	k.session_token = bedrock_credentials_session_token(creds);
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/";
	req.query = "Action=CallWithBearerToken";
	req.headers = &host;
	req.header_count = 1;
	cfg.region = region;
	cfg.mode = BEDROCK_SIGV4_MODE_QUERY;
	cfg.expires = expires_seconds;
	cfg.signing_time = now;
	rc = bedrock_sigv4_result_new(&res);
	if (!rc)
		rc = bedrock_sigv4_sign(res, NULL, &cfg, &k, &req);
	if (rc) {
		bedrock__err(err, rc, "signing failed: %s", res ? bedrock_sigv4_result_errmsg(res) : "");
		goto done;
	}
	ulen = sizeof(KEY_HOST) - 1 + 2 + strlen(bedrock_sigv4_result_query(res)) + 10;
	url = bedrock__malloc(ulen + 1);
	klen = sizeof(KEY_PREFIX) - 1 + bedrock__base64_encoded_len(ulen) + 1;
	key = bedrock__malloc(klen);
	if (!url || !key) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	ulen = (size_t)snprintf(url, ulen + 1, "%s/?%s&Version=1", KEY_HOST,
				bedrock_sigv4_result_query(res));
	memcpy(key, KEY_PREFIX, sizeof(KEY_PREFIX) - 1);
	bedrock__base64_encode(key + sizeof(KEY_PREFIX) - 1, url, ulen);
	*out = key;
	key = NULL;
done:
	if (url) {
		bedrock__wipe(url, strlen(url));
		bedrock__free(url);
	}
	bedrock__free(key);
	bedrock_sigv4_result_free(res);
	return rc;
}

void bedrock_api_key_free(char *key)
{
	if (key) {
		bedrock__wipe(key, strlen(key));
		bedrock__free(key);
	}
}
