/* The metadata server of GCE, GKE and Cloud Run: the default service
 * account's token, email and the project. Every request sends
 * "Metadata-Flavor: Google" and every answer must carry it back (anything
 * else answering that address is not Google's). Off Google Cloud nothing
 * answers: the first request waits only the short probe time. */
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"

#define MD_PATH "/computeMetadata/v1/"
#define MD_TIMEOUT_MS 10000
/* After nothing answered, how long to take that for granted: a program
 * without credentials off Google Cloud would otherwise wait for the probe
 * at every call. */
#define ABSENT_SECONDS 30

typedef struct {
	long probe_ms;
	atomic_int present;		/* 1 once a metadata server has answered */
	atomic_llong absent_until;	/* Unix seconds: nothing answered, ask no more till then */
} md_impl;

void bedrock__google_metadata_base(char *out, size_t cap, int index, int *is_explicit)
{
	const char *v = bedrock__google_env("GCE_METADATA_HOST");
	size_t n;

	if (!v)
		v = bedrock__google_env("GCE_METADATA_ROOT");
	if (!v)
		v = bedrock__google_env("GCE_METADATA_IP");
	*is_explicit = v != NULL;
	if (!v)
		v = index == 0 ? "169.254.169.254" : "metadata.google.internal";
	/* A host (and port) alone gets http://; a trailing '/' goes. */
	snprintf(out, cap, "%s%s", strstr(v, "://") ? "" : "http://", v);
	n = strlen(out);
	while (n && out[n - 1] == '/')
		out[--n] = '\0';
}

static int skipped(void)
{
	const char *v = bedrock__google_env("NO_GCE_CHECK");
	const char *d = bedrock__google_env("METADATA_SERVER_DETECTION");

	return (v && (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE") ||
		      !strcmp(v, "1"))) || (d && !strcmp(d, "none"));
}

/* GET base + MD_PATH + path. 0 with the answer (any status) once the
 * flavor header is checked; ENOTFOUND when nothing answers. */
static int md_get(bedrock__http_response *resp, bedrock__google_ctx *c, md_impl *m,
		  const char *base, const char *path, bedrock_error_info *err)
{
	bedrock__http_header h = { "Metadata-Flavor", "Google" };
	bedrock__google_request r;
	char url[1400], flavor[64];
	int rc, probing = !atomic_load(&m->present);

	snprintf(url, sizeof(url), "%s" MD_PATH "%s", base, path);
	memset(&r, 0, sizeof(r));
	r.method = "GET";
	r.url = url;
	r.headers = &h;
	r.header_count = 1;
	r.direct = 1;
	r.connect_timeout_ms = probing ? m->probe_ms : 0;
	r.timeout_ms = probing ? m->probe_ms + 2000 : MD_TIMEOUT_MS;
	r.attempts = probing ? 1 : 3;
	rc = bedrock__google_exchange(resp, c, &r, "metadata server", err);
	if (rc == BEDROCK_EIO || rc == BEDROCK_ETIMEOUT || rc == BEDROCK_EINVAL)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "metadata server: nothing answers at %s "
				    "(not on Google Cloud?)", base);
	if (rc)
		return rc;
	if (bedrock__http_header_get(resp, "metadata-flavor", flavor, sizeof(flavor)) ||
	    strcmp(flavor, "Google"))
		return bedrock__err(err, BEDROCK_EPROTOCOL, "metadata server: %s answered (HTTP %ld) "
				    "without \"Metadata-Flavor: Google\": it is not a Google metadata "
				    "server (check GCE_METADATA_HOST)", base, resp->status);
	atomic_store(&m->present, 1);
	return 0;
}

/* A short text value (email, project id) into out; "" when absent. */
static void md_text(char *out, size_t cap, bedrock__google_ctx *c, md_impl *m, const char *base,
		    const char *path)
{
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	size_t n;

	out[0] = '\0';
	if (!md_get(&resp, c, m, base, path, NULL) && resp.status == 200 && resp.body.ptr) {
		n = strcspn(resp.body.ptr, "\r\n");
		if (n < cap && n == strlen(resp.body.ptr) && bedrock__google_token_ok(resp.body.ptr)) {
			memcpy(out, resp.body.ptr, n);
			out[n] = '\0';
		}
	}
	bedrock__http_response_dispose(&resp);
}

/* Finds the server: the configured one, else the IP, then the name. */
static int md_find(char *base, size_t cap, bedrock__http_response *resp, bedrock__google_ctx *c,
		   md_impl *m, const char *path, bedrock_error_info *err)
{
	int is_explicit, i, rc = BEDROCK_ENOTFOUND;

	if (skipped())
		return bedrock__err(err, BEDROCK_ENOTFOUND, "metadata server: not asked "
				    "(NO_GCE_CHECK or METADATA_SERVER_DETECTION=none)");
	if ((long long)time(NULL) < atomic_load(&m->absent_until))
		return bedrock__err(err, BEDROCK_ENOTFOUND, "metadata server: none answered "
				    "moments ago (not on Google Cloud?)");
	for (i = 0; i < 2; i++) {
		bedrock__google_metadata_base(base, cap, i, &is_explicit);
		rc = md_get(resp, c, m, base, path, err);
		if (rc != BEDROCK_ENOTFOUND || is_explicit)
			break;
	}
	if (rc == BEDROCK_ENOTFOUND && !atomic_load(&m->present))
		atomic_store(&m->absent_until, (long long)time(NULL) + ABSENT_SECONDS);
	return rc;
}

static int md_token(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		    bedrock_error_info *err)
{
	md_impl *m = impl;
	bedrock__google_ctx c;
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock__google_reply reply = { NULL, 0 };
	bedrock__google_token_info info;
	char base[512], url[700], email[256], project[BEDROCK_GOOGLE_PROJECT_MAX];
	int rc;

	memset(&c, 0, sizeof(c));
	c.cancel = cancel;
	c.now = (int64_t)time(NULL);
	rc = md_find(base, sizeof(base), &resp, &c, m,
		     "instance/service-accounts/default/token?scopes=" BEDROCK__GOOGLE_SCOPE, err);
	if (rc)
		goto done;
	snprintf(url, sizeof(url), "%s" MD_PATH "instance/service-accounts/default/token", base);
	rc = bedrock__google_reply_parse(&reply, BEDROCK__REPLY_OAUTH, resp.status, resp.body.ptr,
					 resp.body.len, c.now, "metadata server", url, err);
	if (rc)
		goto done;
	md_text(email, sizeof(email), &c, m, base, "instance/service-accounts/default/email");
	md_text(project, sizeof(project), &c, m, base, "project/project-id");
	memset(&info, 0, sizeof(info));
	info.access_token = reply.access_token;
	info.expiry = reply.expiry;
	info.type = BEDROCK_GOOGLE_METADATA;
	info.source = "metadata";
	info.email = email;
	info.project_id = project;
	info.quota_project = bedrock__google_env("GOOGLE_CLOUD_QUOTA_PROJECT");
	rc = bedrock__google_token_make(out, &info, err);
done:
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	bedrock__google_reply_dispose(&reply);
	bedrock__google_ctx_dispose(&c);
	return rc;
}

static int md_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
		      bedrock_error_info *err)
{
	md_impl *m = impl;
	bedrock__google_ctx c;
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	char base[512];
	size_t n;
	int rc;

	memset(&c, 0, sizeof(c));
	c.cancel = cancel;
	out[0] = '\0';
	rc = md_find(base, sizeof(base), &resp, &c, m, "project/project-id", err);
	if (!rc && resp.status == 200 && resp.body.ptr) {
		n = strcspn(resp.body.ptr, "\r\n");
		if (n >= cap)
			rc = bedrock__err(err, BEDROCK_ELIMIT, "metadata server: the project id does "
					  "not fit");
		else if (bedrock__google_token_ok(resp.body.ptr) || !n) {
			memcpy(out, resp.body.ptr, n);
			out[n] = '\0';
		}
	} else if (!rc && resp.status != 404) {
		rc = bedrock__err(err, BEDROCK_EHTTP, "metadata server: project/project-id answered "
				  "HTTP %ld", resp.status);
	}
	bedrock__http_response_dispose(&resp);
	bedrock__google_ctx_dispose(&c);
	return rc;
}

static void md_destroy(void *impl)
{
	bedrock__free(impl);
}

static const bedrock_google_provider_vtable md_vt = {
	BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "metadata", md_token, md_project, md_destroy
};

int bedrock__google_metadata_provider(bedrock_google_provider **out, long probe_ms)
{
	md_impl *m = bedrock__calloc(1, sizeof(*m));
	const char *t = bedrock__google_env("GCE_METADATA_TIMEOUT");
	int rc;

	*out = NULL;
	if (!m)
		return BEDROCK_ENOMEM;
	if (probe_ms <= 0 && t && atof(t) > 0)
		probe_ms = (long)(atof(t) * 1000);
	m->probe_ms = probe_ms > 0 ? probe_ms : 1000;
	atomic_init(&m->present, 0);
	atomic_init(&m->absent_until, 0);
	rc = bedrock_google_provider_new(out, &md_vt, m);
	if (rc)
		bedrock__free(m);
	return rc;
}
