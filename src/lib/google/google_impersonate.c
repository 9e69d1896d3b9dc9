/* Impersonation: IAM Credentials generateAccessToken at the file's
 * service_account_impersonation_url, with a source token as the bearer
 * (impersonated_service_account files, and external_account ones that
 * name such a URL). */
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

int bedrock__google_impersonate(bedrock__google_reply *out, bedrock__google_ctx *c,
				const bedrock__google_file *f, const char *source_token,
				const char *what, bedrock_error_info *err)
{
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock_buf auth = BEDROCK_BUF_INIT;
	bedrock__http_header h[3];
	bedrock__google_request r;
	cJSON *body = cJSON_CreateObject(), *scope, *dl;
	char *json = NULL, life[32], who[500];
	size_t len = 0, i;
	int rc;

	snprintf(who, sizeof(who), "%s, impersonating %s", what, f->impersonated_email);
	snprintf(life, sizeof(life), "%llds", (long long)f->lifetime_seconds);
	scope = body ? cJSON_AddArrayToObject(body, "scope") : NULL;
	dl = body ? cJSON_AddArrayToObject(body, "delegates") : NULL;
	if (scope)
		cJSON_AddItemToArray(scope, cJSON_CreateString(BEDROCK__GOOGLE_SCOPE));
	for (i = 0; dl && i < f->delegate_count; i++)
		cJSON_AddItemToArray(dl, cJSON_CreateString(f->delegates[i]));
	if (body && scope && dl && cJSON_AddStringToObject(body, "lifetime", life) &&
	    cJSON_GetArraySize(scope) == 1 && (size_t)cJSON_GetArraySize(dl) == f->delegate_count)
		json = bedrock__json_print(body, &len);
	cJSON_Delete(body);
	bedrock__buf_puts(&auth, "Bearer ");
	bedrock__buf_puts(&auth, source_token);
	if (!json || auth.oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	h[0] = (bedrock__http_header){ "Authorization", auth.ptr };
	h[1] = (bedrock__http_header){ "Content-Type", "application/json" };
	h[2] = (bedrock__http_header){ "Accept", "application/json" };
	memset(&r, 0, sizeof(r));
	r.method = "POST";
	r.url = f->impersonation_url;
	r.headers = h;
	r.header_count = 3;
	r.body = json;
	r.body_len = len;
	rc = bedrock__google_exchange(&resp, c, &r, who, err);
	if (!rc)
		rc = bedrock__google_reply_parse(out, BEDROCK__REPLY_IAM, resp.status, resp.body.ptr,
						 resp.body.len, c->now, who, f->impersonation_url, err);
done:
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	if (auth.ptr)
		bedrock__wipe(auth.ptr, auth.len);
	bedrock__buf_dispose(&auth);
	bedrock__free(json);
	return rc;
}
