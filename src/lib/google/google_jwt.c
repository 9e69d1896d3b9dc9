/* service_account: a JWT signed RS256 with the file's key (the JWT-bearer
 * grant, RFC 7523), exchanged at the file's token_uri for an access token. */
#include <string.h>

#include "alloc.h"
#include "base64.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

#define JWT_LIFETIME 3600

/* Appends base64url(data) to b. */
static void put_b64url(bedrock_buf *b, const void *data, size_t len)
{
	if (bedrock__buf_grow(b, bedrock__base64_encoded_len(len) + 1))
		return;
	b->len += bedrock__base64url_encode(b->ptr + b->len, data, len);
}

static void put_json_b64url(bedrock_buf *b, const cJSON *j)
{
	size_t n = 0;
	char *s = j ? bedrock__json_print(j, &n) : NULL;

	if (!s) {
		b->oom = 1;
		return;
	}
	put_b64url(b, s, n);
	bedrock__free(s);
}

int bedrock__google_jwt(char **out, const bedrock__google_file *f, int64_t now,
			bedrock_error_info *err)
{
	const char *aud = f->token_uri ? f->token_uri : BEDROCK__GOOGLE_TOKEN_URI;
	cJSON *hdr = cJSON_CreateObject(), *claims = cJSON_CreateObject();
	bedrock_buf b = BEDROCK_BUF_INIT;
	uint8_t *sig = NULL;
	size_t sig_len = 0;
	int rc = 0;

	*out = NULL;
	/* kid tells the endpoint which of the account's keys signed. */
	if (!hdr || !claims || !cJSON_AddStringToObject(hdr, "alg", "RS256") ||
	    !cJSON_AddStringToObject(hdr, "typ", "JWT") ||
	    (f->private_key_id && !cJSON_AddStringToObject(hdr, "kid", f->private_key_id)) ||
	    !cJSON_AddStringToObject(claims, "iss", f->client_email) ||
	    !cJSON_AddStringToObject(claims, "scope", BEDROCK__GOOGLE_SCOPE) ||
	    !cJSON_AddStringToObject(claims, "aud", aud) ||
	    !cJSON_AddNumberToObject(claims, "iat", (double)now) ||
	    !cJSON_AddNumberToObject(claims, "exp", (double)(now + JWT_LIFETIME))) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	put_json_b64url(&b, hdr);
	bedrock__buf_putc(&b, '.');
	put_json_b64url(&b, claims);
	sig = bedrock__malloc(bedrock__rsa_key_size(f->key) + 1);
	if (b.oom || !sig) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	if (bedrock__rs256_sign(sig, &sig_len, f->key, b.ptr, b.len)) {
		char who[400];

		bedrock__google_describe(who, sizeof(who), f);
		rc = bedrock__err(err, BEDROCK_ECONFIG, "%s: signing the JWT with its key failed", who);
		goto done;
	}
	bedrock__buf_putc(&b, '.');
	put_b64url(&b, sig, sig_len);
	if (b.oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	*out = b.ptr;
	b.ptr = NULL;
done:
	bedrock__free(sig);
	bedrock__buf_dispose(&b);
	cJSON_Delete(hdr);
	cJSON_Delete(claims);
	return rc;
}

int bedrock__google_service_account(bedrock__google_reply *out, bedrock__google_ctx *c,
				    const bedrock__google_file *f, bedrock_error_info *err)
{
	const char *url = f->token_uri ? f->token_uri : BEDROCK__GOOGLE_TOKEN_URI;
	bedrock_buf form = BEDROCK_BUF_INIT;
	char *jwt = NULL, who[400];
	int rc;

	bedrock__google_describe(who, sizeof(who), f);
	rc = bedrock__google_jwt(&jwt, f, c->now, err);
	if (rc)
		return rc;
	bedrock__google_form_add(&form, "grant_type", "urn:ietf:params:oauth:grant-type:jwt-bearer");
	bedrock__google_form_add(&form, "assertion", jwt);
	/* The assertion is a credential for an hour: wipe it once sent. */
	bedrock__wipe(jwt, strlen(jwt));
	bedrock__free(jwt);
	if (form.oom)
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	else
		rc = bedrock__google_post_form(out, c, url, form.ptr, NULL, 0, who, err);
	if (form.ptr)
		bedrock__wipe(form.ptr, form.len);
	bedrock__buf_dispose(&form);
	return rc;
}
