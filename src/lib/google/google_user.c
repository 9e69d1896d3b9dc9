/* authorized_user (what `gcloud auth application-default login` writes):
 * the refresh-token grant at the file's token_uri, else Google's; and
 * external_account_authorized_user (workforce identity's login), the same
 * grant at its token_url with the client in HTTP Basic authentication. */
#include <string.h>

#include "alloc.h"
#include "base64.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"

int bedrock__google_authorized_user(bedrock__google_reply *out, bedrock__google_ctx *c,
				    const bedrock__google_file *f, bedrock_error_info *err)
{
	const char *url = f->token_uri ? f->token_uri : BEDROCK__GOOGLE_TOKEN_URI;
	bedrock_buf form = BEDROCK_BUF_INIT;
	char who[400];
	int rc;

	bedrock__google_describe(who, sizeof(who), f);
	/* No scope: the refresh token carries the scopes it was granted
	 * (google-auth-library-nodejs sends none either). */
	bedrock__google_form_add(&form, "grant_type", "refresh_token");
	bedrock__google_form_add(&form, "client_id", f->client_id);
	bedrock__google_form_add(&form, "client_secret", f->client_secret);
	bedrock__google_form_add(&form, "refresh_token", f->refresh_token);
	if (form.oom)
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	else
		rc = bedrock__google_post_form(out, c, url, form.ptr, NULL, 0, who, err);
	if (form.ptr)
		bedrock__wipe(form.ptr, form.len);
	bedrock__buf_dispose(&form);
	return rc;
}

int bedrock__google_basic_auth(bedrock_buf *out, const char *client_id, const char *client_secret)
{
	bedrock_buf pair = BEDROCK_BUF_INIT;

	bedrock__buf_puts(&pair, client_id);
	bedrock__buf_putc(&pair, ':');
	bedrock__buf_puts(&pair, client_secret ? client_secret : "");
	bedrock__buf_puts(out, "Basic ");
	if (!pair.oom && !bedrock__buf_grow(out, bedrock__base64_encoded_len(pair.len) + 1))
		out->len += bedrock__base64_encode(out->ptr + out->len, pair.ptr, pair.len);
	if (pair.ptr)
		bedrock__wipe(pair.ptr, pair.len);
	bedrock__buf_dispose(&pair);
	return pair.oom || out->oom ? -1 : 0;
}

int bedrock__google_external_user(bedrock__google_reply *out, bedrock__google_ctx *c,
				  const bedrock__google_file *f, bedrock_error_info *err)
{
	bedrock_buf form = BEDROCK_BUF_INIT, auth = BEDROCK_BUF_INIT;
	bedrock__http_header h[1];
	char who[400];
	int rc;

	bedrock__google_describe(who, sizeof(who), f);
	/* As google-auth's external_account_authorized_user: the client in
	 * the Authorization header, never in the form. */
	bedrock__google_form_add(&form, "grant_type", "refresh_token");
	bedrock__google_form_add(&form, "refresh_token", f->refresh_token);
	if (bedrock__google_basic_auth(&auth, f->client_id, f->client_secret))
		form.oom = 1;
	h[0] = (bedrock__http_header){ "Authorization", auth.ptr };
	if (form.oom)
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	else
		rc = bedrock__google_post_form(out, c, f->token_url, form.ptr, h, 1, who, err);
	if (form.ptr)
		bedrock__wipe(form.ptr, form.len);
	bedrock__buf_dispose(&form);
	if (auth.ptr)
		bedrock__wipe(auth.ptr, auth.len);
	bedrock__buf_dispose(&auth);
	return rc;
}
