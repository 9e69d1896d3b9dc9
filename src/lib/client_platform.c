/* Which platform's headers an attempt carries, and what it needs ready
 * (bedrock_client_prepare): the one switch between the platforms' request
 * halves, so each of them stays ignorant of the others. */
#include "bedrock/bedrock.h"
#include "client_private.h"
#include "errinfo.h"

int bedrock__client_request_headers(struct curl_slist **list, bedrock_client *c,
				    const bedrock__call *call, bedrock_sigv4_result **sig,
				    bedrock_error_info *err)
{
	switch (c->platform) {
	case BEDROCK_PLATFORM_ANTHROPIC: return bedrock__anthropic_headers(list, c, call, err);
	case BEDROCK_PLATFORM_VERTEX: return bedrock__vertex_headers(list, c, call, err);
	default: return bedrock__client_headers(list, c, call, sig, err);
	}
}

int bedrock_client_prepare(bedrock_client *c, bedrock_error_info *err)
{
	bedrock_credentials *creds = NULL;
	int rc;

	if (!c)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	switch (c->platform) {
	case BEDROCK_PLATFORM_ANTHROPIC:
		return 0;
	case BEDROCK_PLATFORM_VERTEX:
		return bedrock__vertex_prepare(c, err);
	default:
		if (bedrock_auth_get_kind(c->auth) == BEDROCK_AUTH_BEARER)
			return 0;
		/* The provider caches what it gets, and refreshes it only
		 * near its expiry: from here on a request finds it ready. */
		rc = bedrock_creds_provider_get(&creds, bedrock_auth_provider(c->auth), err);
		bedrock_credentials_release(creds);
		/* As a request would say it (client_http.c). */
		if (rc == BEDROCK_ENOTFOUND || rc == BEDROCK_EPROTOCOL || rc == BEDROCK_EINVAL) {
			rc = BEDROCK_EAUTH;
			if (err)
				err->code = rc;
		}
		return rc;
	}
}
