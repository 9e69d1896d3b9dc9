/* authorized_user (what `gcloud auth application-default login` writes):
 * the refresh-token grant at the file's token_uri, else Google's. */
#include <string.h>

#include "alloc.h"
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
