/* external_account (workload identity federation): a subject token from a
 * file, a URL, AWS (google_aws.c) or an executable (google_exec.c), exchanged at Google STS (RFC 8693
 * token exchange), then impersonation if the file names an account. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

#define SUBJECT_MAX (64u << 10)

/* The token out of a file's or URL's content: the text (without its final
 * line break), or with format json the named field. Takes data. */
static int subject_of(char **out, char *data, size_t len, const bedrock__google_file *f,
		      const char *where, const char *what, bedrock_error_info *err)
{
	const char *tok;
	cJSON *j;

	*out = NULL;
	if (!f->subject_field) {
		while (len && (data[len - 1] == '\n' || data[len - 1] == '\r' || data[len - 1] == ' '))
			data[--len] = '\0';
		if (!len || memchr(data, '\0', len)) {
			bedrock__wipe(data, len);
			bedrock__free(data);
			return bedrock__err(err, BEDROCK_EAUTH, "%s: the subject token from %s is empty "
					    "or binary", what, where);
		}
		*out = data;
		return 0;
	}
	j = bedrock__json_parse_exact(data, len);
	tok = j ? bedrock__json_str(j, f->subject_field) : NULL;
	if (tok && *tok)
		*out = bedrock__strdup(tok);
	if (tok)
		bedrock__wipe((char *)tok, strlen(tok));
	cJSON_Delete(j);
	bedrock__wipe(data, len);
	bedrock__free(data);
	if (*out)
		return 0;
	if (tok && *tok)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	return bedrock__err(err, BEDROCK_EAUTH, "%s: %s has no string \"%s\" with the subject token",
			    what, where, f->subject_field);
}

static int subject_from_file(char **out, const bedrock__google_file *f, const char *what,
			     bedrock_error_info *err)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	char chunk[4096];
	FILE *fp = fopen(f->subject_file, "rb");
	size_t n;

	if (!fp)
		return bedrock__err(err, BEDROCK_ECONFIG, "%s: cannot open the subject token file "
				    "%s: %s", what, f->subject_file, strerror(errno));
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len <= SUBJECT_MAX)
		bedrock__buf_put(&b, chunk, n);
	bedrock__wipe(chunk, sizeof(chunk));
	fclose(fp);
	if (b.oom)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	if (b.len > SUBJECT_MAX) {
		bedrock__wipe(b.ptr, b.len);
		bedrock__buf_dispose(&b);
		return bedrock__err(err, BEDROCK_ECONFIG, "%s: the subject token file %s is too large",
				    what, f->subject_file);
	}
	if (!b.ptr)
		return bedrock__err(err, BEDROCK_EAUTH, "%s: the subject token file %s is empty",
				    what, f->subject_file);
	return subject_of(out, b.ptr, b.len, f, f->subject_file, what, err);
}

static int subject_from_url(char **out, bedrock__google_ctx *c, const bedrock__google_file *f,
			    const char *what, bedrock_error_info *err)
{
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__http_header *h = NULL;
	bedrock__google_request r;
	size_t i;
	int rc;

	*out = NULL;
	if (f->subject_header_count) {
		h = bedrock__calloc(f->subject_header_count, sizeof(*h));
		if (!h)
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		for (i = 0; i < f->subject_header_count; i++)
			h[i] = (bedrock__http_header){ f->subject_headers[2 * i],
						       f->subject_headers[2 * i + 1] };
	}
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = f->subject_url;
	r.headers = h;
	r.header_count = f->subject_header_count;
	rc = bedrock__google_exchange(&resp, c, &r, what, err);
	bedrock__free(h);
	if (!rc && (resp.status < 200 || resp.status > 299))
		rc = bedrock__err(err, resp.status == 401 || resp.status == 403 ? BEDROCK_EAUTH
				  : BEDROCK_EHTTP, "%s: the subject token URL %s answered HTTP %ld",
				  what, f->subject_url, resp.status);
	if (!rc && resp.body.len > SUBJECT_MAX)
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: the subject token from %s is too large",
				  what, f->subject_url);
	if (!rc && !resp.body.ptr)
		rc = bedrock__err(err, BEDROCK_EAUTH, "%s: the subject token URL %s answered nothing",
				  what, f->subject_url);
	if (!rc) {
		rc = subject_of(out, resp.body.ptr, resp.body.len, f, f->subject_url, what, err);
		resp.body.ptr = NULL;	/* taken */
		resp.body.len = resp.body.cap = 0;
	}
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	return rc;
}

int bedrock__google_external_account(bedrock__google_reply *out, bedrock__google_ctx *c,
				     const bedrock__google_file *f, bedrock_error_info *err)
{
	bedrock_buf form = BEDROCK_BUF_INIT, auth = BEDROCK_BUF_INIT;
	bedrock__http_header h[1];
	bedrock__google_reply sts = { NULL, 0 };
	char *subject = NULL, who[400];
	int rc;

	bedrock__google_describe(who, sizeof(who), f);
	if (f->subject_kind == BEDROCK__SUBJECT_AWS)
		rc = bedrock__google_aws_subject(&subject, c, f, err);
	else if (f->subject_kind == BEDROCK__SUBJECT_EXECUTABLE)
		rc = bedrock__google_exec_subject(&subject, f, c->now, who, err);
	else if (f->subject_kind == BEDROCK__SUBJECT_URL)
		rc = subject_from_url(&subject, c, f, who, err);
	else
		rc = subject_from_file(&subject, f, who, err);
	if (rc)
		return rc;
	bedrock__google_form_add(&form, "grant_type", "urn:ietf:params:oauth:grant-type:token-exchange");
	bedrock__google_form_add(&form, "audience", f->audience);
	bedrock__google_form_add(&form, "scope", BEDROCK__GOOGLE_SCOPE);
	bedrock__google_form_add(&form, "requested_token_type",
				 "urn:ietf:params:oauth:token-type:access_token");
	bedrock__google_form_add(&form, "subject_token", subject);
	bedrock__google_form_add(&form, "subject_token_type", f->subject_token_type);
	/* Workforce pools bill a project, named here when no client
	 * authenticates (as google-auth does). */
	if (f->workforce_pool_user_project && !f->client_id) {
		bedrock_buf opt = BEDROCK_BUF_INIT;

		bedrock__buf_puts(&opt, "{\"userProject\":\"");
		bedrock__buf_puts(&opt, f->workforce_pool_user_project);
		bedrock__buf_puts(&opt, "\"}");
		if (opt.oom || strpbrk(f->workforce_pool_user_project, "\"\\"))
			form.oom = 1;
		else
			bedrock__google_form_add(&form, "options", opt.ptr);
		bedrock__buf_dispose(&opt);
	}
	bedrock__wipe(subject, strlen(subject));
	bedrock__free(subject);
	if (f->client_id && bedrock__google_basic_auth(&auth, f->client_id, f->client_secret))
		form.oom = 1;
	h[0] = (bedrock__http_header){ "Authorization", auth.ptr };
	if (form.oom)
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	else
		rc = bedrock__google_post_form(&sts, c, f->token_url, form.ptr, h, f->client_id ? 1 : 0,
					       who, err);
	if (form.ptr)
		bedrock__wipe(form.ptr, form.len);
	bedrock__buf_dispose(&form);
	if (auth.ptr)
		bedrock__wipe(auth.ptr, auth.len);
	bedrock__buf_dispose(&auth);
	if (rc)
		return rc;
	if (!f->impersonation_url) {
		*out = sts;
		return 0;
	}
	rc = bedrock__google_impersonate(out, c, f, sts.access_token, who, err);
	bedrock__google_reply_dispose(&sts);
	return rc;
}
