/* Application Default Credentials: the file provider (any credentials
 * file type, read afresh at each refresh), and the default chain in the
 * order of Google's libraries: the options, GOOGLE_APPLICATION_CREDENTIALS,
 * gcloud's file, the metadata server. */
#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "errinfo.h"
#include "google_private.h"

#define GCLOUD_FILE "application_default_credentials.json"

int bedrock__google_fetch(bedrock__google_reply *out, bedrock__google_ctx *c,
			  const bedrock__google_file *f, bedrock_error_info *err)
{
	bedrock__google_reply src = { NULL, 0 };
	char who[400];
	int rc;

	switch (f->type) {
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT:
		return bedrock__google_service_account(out, c, f, err);
	case BEDROCK_GOOGLE_AUTHORIZED_USER:
		return bedrock__google_authorized_user(out, c, f, err);
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT:
		return bedrock__google_external_account(out, c, f, err);
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER:
		return bedrock__google_external_user(out, c, f, err);
	case BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT:
		rc = bedrock__google_fetch(&src, c, f->source, err);
		if (rc)
			return rc;
		bedrock__google_describe(who, sizeof(who), f->source);
		rc = bedrock__google_impersonate(out, c, f, src.access_token, who, err);
		bedrock__google_reply_dispose(&src);
		return rc;
	default:
		break;
	}
	return bedrock__err(err, BEDROCK_EINVAL, "Google credentials file %s: nothing to fetch",
			    f->name);
}

/* ---- the file provider ---- */

typedef struct {
	bedrock__google_file_where where;
	char *path;
	const char *source;
	char *ca_bundle;
	long timeout_ms;
	bedrock__google_disk disk;	/* disk.dir NULL: no token cache on disk */
	pthread_mutex_t lock;
	char last_id[65];		/* the disk entry of the last token, for forget */
} file_impl;

/* The file this provider reads now: 0, or ENOTFOUND when it has none. */
static int file_path(char *out, size_t cap, const file_impl *fi, bedrock_error_info *err)
{
	const char *v;

	switch (fi->where) {
	case BEDROCK__FILE_PATH:
		snprintf(out, cap, "%s", fi->path);
		return 0;
	case BEDROCK__FILE_ENV:
		v = bedrock__google_env("GOOGLE_APPLICATION_CREDENTIALS");
		if (!v)
			return bedrock__err(err, BEDROCK_ENOTFOUND,
					    "GOOGLE_APPLICATION_CREDENTIALS is not set");
		if (strlen(v) >= cap)
			return bedrock__err(err, BEDROCK_ECONFIG,
					    "GOOGLE_APPLICATION_CREDENTIALS is too long a path");
		snprintf(out, cap, "%s", v);
		return 0;
	case BEDROCK__FILE_GCLOUD:
		if ((v = bedrock__google_env("CLOUDSDK_CONFIG")) != NULL)
			snprintf(out, cap, "%s/" GCLOUD_FILE, v);
		else if ((v = bedrock__google_env("HOME")) != NULL)
			snprintf(out, cap, "%s/.config/gcloud/" GCLOUD_FILE, v);
		else
			return bedrock__err(err, BEDROCK_ENOTFOUND, "gcloud: neither CLOUDSDK_CONFIG "
					    "nor HOME is set");
		/* Absent is "not configured"; present but unreadable is an error. */
		if (access(out, F_OK) != 0 && errno == ENOENT)
			return bedrock__err(err, BEDROCK_ENOTFOUND, "no gcloud file %s", out);
		return 0;
	}
	return BEDROCK_EINVAL;
}

static int file_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		    bedrock_error_info *err)
{
	file_impl *fi = impl;
	bedrock__google_file *f = NULL;
	bedrock__google_reply reply = { NULL, 0 };
	bedrock__google_token_info info;
	bedrock__google_ctx c;
	char path[4096], id[65] = "";
	int rc, cached = 0;

	rc = file_path(path, sizeof(path), fi, err);
	if (rc)
		return rc;
	/* The key is decoded only when a token is minted: a token from the
	 * disk cache needs none of OpenSSL's RSA machinery. */
	rc = bedrock__google_file_load_lazy(&f, path, err);
	if (rc)
		return rc;
	memset(&c, 0, sizeof(c));
	c.cancel = cancel;
	c.ca_bundle = fi->ca_bundle;
	c.timeout_ms = fi->timeout_ms;
	c.now = (int64_t)time(NULL);
	if (fi->disk.dir && bedrock__google_disk_id(id, f) == 0) {
		pthread_mutex_lock(&fi->lock);
		memcpy(fi->last_id, id, sizeof(id));
		pthread_mutex_unlock(&fi->lock);
		cached = bedrock__google_disk_read(&reply, &fi->disk, id, c.now) == 0;
	}
	if (!cached) {
		rc = bedrock__google_file_decode_keys(f, err);
		if (!rc)
			rc = bedrock__google_fetch(&reply, &c, f, err);
		if (!rc && id[0])
			bedrock__google_disk_write(&fi->disk, id, &reply);
	}
	bedrock__google_ctx_dispose(&c);
	if (!rc) {
		memset(&info, 0, sizeof(info));
		info.access_token = reply.access_token;
		info.expiry = reply.expiry;
		info.type = f->type;
		info.source = fi->source;
		info.file = path;
		info.email = f->impersonated_email ? f->impersonated_email : f->client_email;
		if (f->type == BEDROCK_GOOGLE_SERVICE_ACCOUNT)
			info.key_id = f->private_key_id;
		info.project_id = f->project_id;
		info.quota_project = bedrock__google_env("GOOGLE_CLOUD_QUOTA_PROJECT");
		if (!info.quota_project)
			info.quota_project = f->quota_project_id;
		rc = bedrock__google_token_make(out, &info, err);
	}
	bedrock__google_reply_dispose(&reply);
	bedrock__google_file_free(f);
	return rc;
}

static int file_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
			bedrock_error_info *err)
{
	file_impl *fi = impl;
	bedrock__google_file *f = NULL;
	char path[4096];
	int rc;

	(void)cancel;
	rc = file_path(path, sizeof(path), fi, err);
	if (!rc)
		rc = bedrock__google_file_load_lazy(&f, path, err);	/* no key needed */
	if (rc)
		return rc;
	if (strlen(bedrock__google_file_project(f)) >= cap)
		rc = bedrock__err(err, BEDROCK_ELIMIT, "Google credentials file %s: the project id "
				  "is too long", path);
	else
		snprintf(out, cap, "%s", bedrock__google_file_project(f));
	bedrock__google_file_free(f);
	return rc;
}

static void file_destroy(void *impl)
{
	file_impl *fi = impl;

	bedrock__free(fi->path);
	bedrock__free(fi->ca_bundle);
	bedrock__free((char *)fi->disk.dir);
	pthread_mutex_destroy(&fi->lock);
	bedrock__free(fi);
}

/* A token refused: out of the disk cache, if it is still there. */
static void file_forget(void *impl, const char *token)
{
	file_impl *fi = impl;
	char id[65];

	if (!fi->disk.dir)
		return;
	pthread_mutex_lock(&fi->lock);
	memcpy(id, fi->last_id, sizeof(id));
	pthread_mutex_unlock(&fi->lock);
	if (id[0])
		bedrock__google_disk_forget(&fi->disk, id, token);
}

static const bedrock_google_provider_vtable file_vts[] = {
	{ BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "file", file_get, file_project, file_destroy },
	{ BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "GOOGLE_APPLICATION_CREDENTIALS", file_get,
	  file_project, file_destroy },
	{ BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "gcloud", file_get, file_project, file_destroy },
};

int bedrock__google_file_provider(bedrock_google_provider **out, bedrock__google_file_where where,
				  const char *path, const char *source, const char *ca_bundle,
				  long timeout_ms, const bedrock__google_disk *disk)
{
	file_impl *fi = bedrock__calloc(1, sizeof(*fi));
	int rc;

	*out = NULL;
	if (!fi)
		return BEDROCK_ENOMEM;
	if (pthread_mutex_init(&fi->lock, NULL)) {
		bedrock__free(fi);
		return BEDROCK_ENOMEM;
	}
	fi->where = where;
	fi->source = source;
	fi->timeout_ms = timeout_ms;
	fi->path = path ? bedrock__strdup(path) : NULL;
	fi->ca_bundle = ca_bundle && *ca_bundle ? bedrock__strdup(ca_bundle) : NULL;
	if (disk && disk->dir && *disk->dir) {
		fi->disk = *disk;
		fi->disk.dir = bedrock__strdup(disk->dir);
	}
	if ((path && !fi->path) || (ca_bundle && *ca_bundle && !fi->ca_bundle) ||
	    (disk && disk->dir && *disk->dir && !fi->disk.dir)) {
		file_destroy(fi);
		return BEDROCK_ENOMEM;
	}
	rc = bedrock_google_provider_new(out, &file_vts[where], fi);
	if (rc)
		file_destroy(fi);
	else
		(*out)->forget = file_forget;
	return rc;
}

/* ---- public constructors ---- */

/* Wraps p in the default cache; takes p's reference. */
static int cached(bedrock_google_provider **out, bedrock_google_provider *p, bedrock_error_info *err)
{
	int rc = bedrock_google_provider_new_cached(out, p, NULL);

	bedrock_google_provider_release(p);
	return rc ? bedrock__err(err, rc, "out of memory") : 0;
}

/* A file named up front is checked now: a bad path fails at once. With
 * a token cache its key is left for when a token is minted. */
static int check_file(const char *path, int lazy, bedrock_error_info *err)
{
	bedrock__google_file *f = NULL;
	int rc = lazy ? bedrock__google_file_load_lazy(&f, path, err)
		      : bedrock__google_file_load(&f, path, err);

	bedrock__google_file_free(f);
	return rc;
}

int bedrock_google_provider_new_file(bedrock_google_provider **out, const char *path,
				     bedrock_error_info *err)
{
	bedrock_google_provider *p;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out || !path || !*path)
		return bedrock__err(err, BEDROCK_EINVAL, "google: no output pointer or file path");
	*out = NULL;
	rc = check_file(path, 0, err);
	if (rc)
		return rc;
	rc = bedrock__google_file_provider(&p, BEDROCK__FILE_PATH, path, "file", NULL, 0, NULL);
	if (rc)
		return bedrock__err(err, rc, "out of memory");
	return cached(out, p, err);
}

int bedrock_google_provider_new_metadata(bedrock_google_provider **out, bedrock_error_info *err)
{
	bedrock_google_provider *p;
	int rc;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "google: no output pointer");
	*out = NULL;
	rc = bedrock__google_metadata_provider(&p, 0);
	if (rc)
		return bedrock__err(err, rc, "out of memory");
	return cached(out, p, err);
}

int bedrock_google_provider_new_default(bedrock_google_provider **out,
					const bedrock_google_options *o, bedrock_error_info *err)
{
	bedrock_google_options defaults = BEDROCK_GOOGLE_OPTIONS_INIT;
	bedrock_google_provider *list[3] = { NULL, NULL, NULL }, *chain = NULL;
	bedrock__google_disk disk = { NULL, NULL, NULL };
	size_t n = 0, i;
	int rc = 0;

	if (err)
		memset(err, 0, sizeof(*err));
	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "google: no output pointer");
	*out = NULL;
	if (!o)
		o = &defaults;
	if (o->version == 1) {
		/* A version-1 struct ends before token_cache_dir. */
		memcpy(&defaults, o, offsetof(bedrock_google_options, token_cache_dir));
		defaults.version = BEDROCK_GOOGLE_OPTIONS_VERSION;
		o = &defaults;
	}
	if (o->version != BEDROCK_GOOGLE_OPTIONS_VERSION)
		return bedrock__err(err, BEDROCK_EINVAL, "google: bedrock_google_options.version "
				    "is %u, not %u", o->version, BEDROCK_GOOGLE_OPTIONS_VERSION);
	disk.dir = o->token_cache_dir;
	disk.log = o->log;
	disk.log_payload = o->log_payload;
	if (o->access_token && *o->access_token) {
		rc = bedrock__google_static_provider(&list[n], o->access_token, "options", err);
		if (rc)
			return rc;
		n++;
	} else if (o->credentials_file && *o->credentials_file) {
		rc = check_file(o->credentials_file, disk.dir != NULL, err);
		if (rc)
			return rc;
		rc = bedrock__google_file_provider(&list[n], BEDROCK__FILE_PATH, o->credentials_file,
						   "options", o->ca_bundle, o->timeout_ms, &disk);
		n += rc == 0;
	} else {
		rc = bedrock__google_file_provider(&list[n], BEDROCK__FILE_ENV, NULL,
						   "GOOGLE_APPLICATION_CREDENTIALS", o->ca_bundle,
						   o->timeout_ms, &disk);
		n += rc == 0;
		if (!rc) {
			rc = bedrock__google_file_provider(&list[n], BEDROCK__FILE_GCLOUD, NULL,
							   "gcloud", o->ca_bundle, o->timeout_ms, &disk);
			n += rc == 0;
		}
		if (!rc && !o->no_metadata) {
			rc = bedrock__google_metadata_provider(&list[n], o->metadata_timeout_ms);
			n += rc == 0;
		}
	}
	if (!rc)
		rc = bedrock__google_chain_new(&chain, list, n,
					       "run `gcloud auth application-default login`, set "
					       "GOOGLE_APPLICATION_CREDENTIALS to a credentials file, "
					       "or run on Google Cloud");
	for (i = 0; i < n; i++)
		bedrock_google_provider_release(list[i]);
	if (rc)
		return bedrock__err(err, rc, "out of memory");
	return cached(out, chain, err);
}
