/* Google access tokens kept between processes, as gcloud keeps its own
 * (~/.config/gcloud/access_tokens.db): a new `bedrock` process then skips
 * reading the key and signing a JWT (OpenSSL's first RSA signature costs a
 * cold process milliseconds) and the round trip to the token endpoint.
 *
 * One file per credential identity, DIR/<sha256>.json, holding the access
 * token and its expiry and nothing else. The name is a hash of the
 * identity (a refresh token enters it only hashed), so no secret is ever
 * in a name. Written 0600 into a 0700 directory through a temporary file
 * and rename(), so a reader sees a whole file or none; read only when it
 * is a regular file of ours, mode 0600 (another user's file could hand us
 * a token of their choosing). Anything odd is a miss, said at debug
 * level: the cache only ever saves work, never fails a call. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "alloc.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

/* google-auth's REFRESH_THRESHOLD, as the in-memory cache's default. */
#define MARGIN_SECONDS 225
/* A token file is a token and a number; anything bigger is not one. */
#define ENTRY_MAX 16384

static void say(const bedrock__google_disk *d, const char *fmt, ...) BEDROCK__PRINTF(2, 3);

static void say(const bedrock__google_disk *d, const char *fmt, ...)
{
	char line[600];
	va_list ap;

	if (!d->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	d->log(3, line, d->log_payload);
}

static void put_line(bedrock_buf *b, const char *s)
{
	bedrock__buf_puts(b, s ? s : "");
	bedrock__buf_putc(b, '\n');
}

/* The identity of f's credentials as text: what decides which account a
 * token acts as, and for whom it was minted. */
static void identity(bedrock_buf *b, const bedrock__google_file *f, bedrock__crypto *h)
{
	uint8_t sum[BEDROCK__SHA256_LEN];
	char hex[2 * BEDROCK__SHA256_LEN + 1];
	const char *subject = NULL;
	size_t i;

#define PUT(s) put_line(b, s)
	PUT(bedrock_google_credential_type_name(f->type));
	switch (f->type) {
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT:
		PUT(f->client_email);
		break;
	case BEDROCK_GOOGLE_AUTHORIZED_USER:
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER:
		/* A user is their refresh token: only its hash enters here. */
		PUT(f->client_id);
		PUT(f->audience);
		if (f->refresh_token && !bedrock__sha256(h, sum, f->refresh_token,
							 strlen(f->refresh_token))) {
			bedrock__hex(hex, sum, sizeof(sum));
			PUT(hex);
		} else {
			b->oom = 1;
		}
		break;
	case BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT:
		identity(b, f->source, h);
		break;
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT:
		PUT(f->audience);
		PUT(f->subject_token_type);
		subject = f->subject_file ? f->subject_file : f->subject_url ? f->subject_url
			  : f->exec_command ? f->exec_command : f->aws_verification_url;
		PUT(subject);
		PUT(f->workforce_pool_user_project);
		break;
	default:
		break;
	}
	PUT(f->impersonation_url);
	for (i = 0; i < f->delegate_count; i++)
		PUT(f->delegates[i]);
	PUT(f->token_uri ? f->token_uri : f->token_url ? f->token_url : BEDROCK__GOOGLE_TOKEN_URI);
	PUT(BEDROCK__GOOGLE_SCOPE);
#undef PUT
}

int bedrock__google_disk_id(char out[65], const bedrock__google_file *f)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	uint8_t sum[BEDROCK__SHA256_LEN];
	bedrock__crypto *h = NULL;
	int rc = -1;

	out[0] = '\0';
	if (bedrock__crypto_new(&h))
		return -1;
	identity(&b, f, h);
	if (!b.oom && b.ptr && !bedrock__sha256(h, sum, b.ptr, b.len)) {
		bedrock__hex(out, sum, sizeof(sum));
		rc = 0;
	}
	bedrock__buf_dispose(&b);
	bedrock__crypto_free(h);
	return rc;
}

static int entry_path(char *out, size_t cap, const bedrock__google_disk *d, const char *id)
{
	return snprintf(out, cap, "%s/%s.json", d->dir, id) >= (int)cap ? -1 : 0;
}

/* The entry's text, if it may be trusted (allocated, NUL-terminated). */
static char *read_entry(const bedrock__google_disk *d, const char *path)
{
	struct stat st;
	char *text;
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0) {
		if (errno != ENOENT)
			say(d, "google: token cache: cannot read %s: %s", path, strerror(errno));
		else
			say(d, "google: token cache: none in %s", path);
		return NULL;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 07777) != 0600 || st.st_size > ENTRY_MAX) {
		say(d, "google: token cache: ignored %s: not a file of this user with mode 0600",
		    path);
		close(fd);
		return NULL;
	}
	text = bedrock__malloc((size_t)st.st_size + 1);
	n = text ? read(fd, text, (size_t)st.st_size) : -1;
	close(fd);
	if (n != (ssize_t)st.st_size) {
		bedrock__free(text);
		return NULL;
	}
	text[n] = '\0';
	return text;
}

static void drop_text(char *text)
{
	if (text) {
		bedrock__wipe(text, strlen(text));
		bedrock__free(text);
	}
}

/* The token of an entry's text and its expiry, or NULL if malformed. */
static const char *entry_token(cJSON **doc, const char *text, int64_t *expiry)
{
	const cJSON *e;
	const char *tok;

	*doc = bedrock__json_parse_exact(text, strlen(text));
	tok = *doc ? bedrock__json_str(*doc, "access_token") : NULL;
	e = *doc ? cJSON_GetObjectItemCaseSensitive(*doc, "expiry") : NULL;
	if (!tok || !bedrock__google_token_ok(tok) || !cJSON_IsNumber(e) || e->valuedouble < 1 ||
	    e->valuedouble > 1e15)
		return NULL;
	*expiry = (int64_t)e->valuedouble;
	return tok;
}

static void wipe_doc(cJSON *j)
{
	for (; j; j = j->next) {
		if (j->valuestring)
			bedrock__wipe(j->valuestring, strlen(j->valuestring));
		wipe_doc(j->child);
	}
}

int bedrock__google_disk_read(bedrock__google_reply *out, const bedrock__google_disk *d,
			      const char *id, int64_t now)
{
	char path[4200], *text;
	const char *tok;
	cJSON *doc = NULL;
	int64_t expiry = 0;
	int rc = BEDROCK_ENOTFOUND;

	out->access_token = NULL;
	out->expiry = 0;
	if (entry_path(path, sizeof(path), d, id) || !(text = read_entry(d, path)))
		return BEDROCK_ENOTFOUND;
	tok = entry_token(&doc, text, &expiry);
	if (!tok)
		say(d, "google: token cache: ignored %s: not a cached token", path);
	else if (expiry - now <= MARGIN_SECONDS)
		say(d, "google: token cache: %s expires in %lld s: a new token", path,
		    (long long)(expiry - now));
	else if (!(out->access_token = bedrock__strdup(tok)))
		rc = BEDROCK_ENOMEM;
	else {
		out->expiry = expiry;
		say(d, "google: token cache: using %s (expires in %lld s)", path,
		    (long long)(expiry - now));
		rc = 0;
	}
	wipe_doc(doc);
	cJSON_Delete(doc);
	drop_text(text);
	return rc;
}

/* Makes dir and its missing parents 0700; 0 if dir is then a directory
 * of ours that nobody else may write into. */
static int make_dir(const bedrock__google_disk *d)
{
	char p[4096];
	struct stat st;
	size_t i, n = strlen(d->dir);

	if (!n || n >= sizeof(p))
		return -1;
	memcpy(p, d->dir, n + 1);
	for (i = 1; i <= n; i++) {
		if (p[i] != '/' && p[i] != '\0')
			continue;
		p[i] = '\0';
		if (mkdir(p, 0700) && errno != EEXIST) {
			say(d, "google: token cache: cannot make %s: %s", p, strerror(errno));
			return -1;
		}
		p[i] = i < n ? '/' : '\0';
	}
	if (lstat(d->dir, &st) || !S_ISDIR(st.st_mode) || st.st_uid != geteuid() ||
	    (st.st_mode & 0077)) {
		say(d, "google: token cache: not used: %s is not a directory of this user with "
		    "mode 0700", d->dir);
		return -1;
	}
	return 0;
}

void bedrock__google_disk_write(const bedrock__google_disk *d, const char *id,
				const bedrock__google_reply *reply)
{
	char path[4200], tmp[4200], *text = NULL;
	cJSON *doc;
	size_t len;
	int fd, ok;

	/* A token of unknown lifetime would be trusted for good: not kept. */
	if (!reply->access_token || reply->expiry <= 0 || entry_path(path, sizeof(path), d, id) ||
	    snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", d->dir, id) >= (int)sizeof(tmp) ||
	    make_dir(d))
		return;
	doc = cJSON_CreateObject();
	if (doc && cJSON_AddStringToObject(doc, "access_token", reply->access_token) &&
	    cJSON_AddNumberToObject(doc, "expiry", (double)reply->expiry))
		text = bedrock__json_print(doc, &len);
	wipe_doc(doc);
	cJSON_Delete(doc);
	if (!text)
		return;
	fd = mkstemp(tmp);	/* 0600, O_EXCL */
	if (fd < 0) {
		say(d, "google: token cache: cannot write in %s: %s", d->dir, strerror(errno));
		drop_text(text);
		return;
	}
	ok = fchmod(fd, 0600) == 0 && write(fd, text, len) == (ssize_t)len;
	ok = close(fd) == 0 && ok;
	drop_text(text);
	if (!ok || rename(tmp, path)) {
		say(d, "google: token cache: cannot write %s: %s", path, strerror(errno));
		unlink(tmp);
		return;
	}
	say(d, "google: token cache: kept the new token in %s", path);
}

void bedrock__google_disk_forget(const bedrock__google_disk *d, const char *id, const char *token)
{
	char path[4200], *text;
	const char *tok;
	cJSON *doc = NULL;
	int64_t expiry;

	if (entry_path(path, sizeof(path), d, id) || !(text = read_entry(d, path)))
		return;
	/* Another process may have put a good token there since. */
	tok = entry_token(&doc, text, &expiry);
	if (tok && token && !strcmp(tok, token) && unlink(path) == 0)
		say(d, "google: token cache: removed %s (its token was refused)", path);
	wipe_doc(doc);
	cJSON_Delete(doc);
	drop_text(text);
}
