/* The catalog in use: the built-in table, or a snapshot a models file made
 * (models_file.c), published through an atomic pointer.
 *
 * Why a snapshot and not a lock: lookups are on every request's path and
 * in the emulator's threads, and they hand out bedrock_model_info pointers
 * that callers keep. So readers take no lock and a load never frees what
 * it replaces: each snapshot links to the one before it (reachable, so
 * leak checkers stay quiet), and only bedrock_models_unload() frees them.
 * Loads are rare (start-up, a reload on request), so the memory kept is
 * one file's worth per load. Writers (loads) take a mutex, which also
 * guards the last load's error. */
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "errinfo.h"
#include "models_private.h"

#define DEFAULT_SUFFIX "/bedrock/models.json"
#define HOME_SUFFIX "/.config" DEFAULT_SUFFIX

/* list NULL: the static table alone. Never freed. */
static const bedrock__catalog builtin_only = { 0 };

/* NULL until the first load (automatic or not). */
static _Atomic(const bedrock__catalog *) current;
static pthread_once_t auto_once = PTHREAD_ONCE_INIT;
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
/* The last load's outcome (code 0: clean). Guarded by lock. */
static bedrock_error_info last_error;

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

static int join(char *out, size_t cap, const char *a, const char *b)
{
	int n = snprintf(out, cap, "%s%s", a, b);

	return n < 0 || (size_t)n >= cap ? BEDROCK_ELIMIT : 0;
}

int bedrock_models_default_path(char *out, size_t cap, int *named)
{
	const char *v;

	if (!out || !cap)
		return BEDROCK_EINVAL;
	out[0] = '\0';
	if (named)
		*named = 0;
	if ((v = nonempty_env(BEDROCK_MODELS_FILE_ENV)) != NULL) {
		if (named)
			*named = 1;
		return join(out, cap, v, "");
	}
	/* The XDG spec: a relative XDG_CONFIG_HOME is invalid, and ignored. */
	if ((v = nonempty_env("XDG_CONFIG_HOME")) != NULL && v[0] == '/')
		return join(out, cap, v, DEFAULT_SUFFIX);
	if ((v = nonempty_env("HOME")) != NULL)
		return join(out, cap, v, HOME_SUFFIX);
	return BEDROCK_ENOTFOUND;
}

/* The whole file, up to one byte past the limit (so "too large" is known
 * without reading a disk image). *missing is set for ENOENT/ENOTDIR. */
static int read_file(char **out, size_t *len, int *missing, const char *path,
		     bedrock_error_info *err)
{
	FILE *f;
	char *buf;
	size_t n = 0, got;

	*out = NULL;
	*len = 0;
	*missing = 0;
	if (!(f = fopen(path, "rb"))) {
		*missing = errno == ENOENT || errno == ENOTDIR;
		return bedrock__err(err, BEDROCK_ECONFIG, "%s: %s", path, strerror(errno));
	}
	if (!(buf = bedrock__malloc(BEDROCK_MODELS_FILE_MAX + 1))) {
		fclose(f);
		return bedrock__err(err, BEDROCK_ENOMEM, "%s: out of memory", path);
	}
	while (n <= BEDROCK_MODELS_FILE_MAX &&
	       (got = fread(buf + n, 1, BEDROCK_MODELS_FILE_MAX + 1 - n, f)) > 0)
		n += got;
	if (ferror(f)) {
		int e = errno;

		fclose(f);
		bedrock__free(buf);
		return bedrock__err(err, BEDROCK_ECONFIG, "%s: %s", path,
				    e ? strerror(e) : "read error");
	}
	fclose(f);
	if (n > BEDROCK_MODELS_FILE_MAX) {
		bedrock__free(buf);
		return bedrock__err(err, BEDROCK_ECONFIG, "%s: larger than %u bytes", path,
				    BEDROCK_MODELS_FILE_MAX);
	}
	*out = buf;
	*len = n;
	return 0;
}

static void publish(const bedrock__catalog *c)
{
	atomic_store_explicit(&current, c, memory_order_release);
}

/* A load, with lock held. path NULL: the default location. */
static int load_locked(const char *path, bedrock_error_info *err)
{
	const bedrock__catalog *old = atomic_load_explicit(&current, memory_order_acquire);
	bedrock__catalog *c = NULL;
	bedrock_error_info e;
	char def[4096], *data = NULL;
	size_t len;
	int rc, named = 1, missing;

	memset(&e, 0, sizeof(e));
	if (!path) {
		rc = bedrock_models_default_path(def, sizeof(def), &named);
		if (rc == BEDROCK_ENOTFOUND) {
			rc = 0;		/* no home at all: nothing to read */
			goto done;
		}
		if (rc) {
			rc = bedrock__err(&e, BEDROCK_ECONFIG, "the models file path is too long");
			goto done;
		}
		path = def;
	}
	rc = read_file(&data, &len, &missing, path, &e);
	if (rc && missing && !named) {
		/* The default location need not exist. */
		memset(&e, 0, sizeof(e));
		rc = 0;
		c = NULL;
		goto done;
	}
	if (rc && missing && path == def) {
		char why[sizeof(e.message)];

		memcpy(why, e.message, sizeof(why));
		bedrock__err(&e, rc, "%s (named by " BEDROCK_MODELS_FILE_ENV ")", why);
	}
	if (!rc)
		rc = bedrock__models_file_parse(&c, data, len, path, &e);
done:
	bedrock__free(data);
	if (!rc) {
		if (c) {
			c->older = old;
			publish(c);
		} else if (old && old != &builtin_only) {
			/* A default location with no file: back to the table,
			 * keeping the older snapshots reachable. */
			c = bedrock__calloc(1, sizeof(*c));
			if (!c) {
				rc = bedrock__err(&e, BEDROCK_ENOMEM, "out of memory");
			} else {
				c->older = old;
				publish(c);
			}
		} else {
			publish(&builtin_only);
		}
	} else if (!old) {
		/* A failed first load: the table alone, not the default file. */
		publish(&builtin_only);
	}
	last_error = e;
	if (rc && err)
		*err = e;
	return rc;
}

static void auto_load(void)
{
	pthread_mutex_lock(&lock);
	/* An explicit load may have come first. */
	if (!atomic_load_explicit(&current, memory_order_acquire))
		(void)load_locked(NULL, NULL);
	pthread_mutex_unlock(&lock);
}

const bedrock__catalog *bedrock__catalog_get(void)
{
	const bedrock__catalog *c = atomic_load_explicit(&current, memory_order_acquire);

	if (c)
		return c;
	pthread_once(&auto_once, auto_load);
	c = atomic_load_explicit(&current, memory_order_acquire);
	return c ? c : &builtin_only;
}

int bedrock_models_load(const char *path, bedrock_error_info *err)
{
	int rc;

	if (path && !*path)
		return bedrock__err(err, BEDROCK_ECONFIG, "the models file path is empty");
	pthread_mutex_lock(&lock);
	rc = load_locked(path, err);
	pthread_mutex_unlock(&lock);
	return rc;
}

int bedrock_models_load_error(bedrock_error_info *out)
{
	int rc;

	(void)bedrock__catalog_get();
	pthread_mutex_lock(&lock);
	rc = last_error.code;
	if (out)
		*out = last_error;
	pthread_mutex_unlock(&lock);
	return rc;
}

void bedrock_models_unload(void)
{
	const bedrock__catalog *c, *older;

	pthread_mutex_lock(&lock);
	for (c = atomic_load_explicit(&current, memory_order_acquire); c; c = older) {
		older = c->older;
		if (c != &builtin_only)
			bedrock__catalog_free((bedrock__catalog *)c);
	}
	publish(&builtin_only);
	memset(&last_error, 0, sizeof(last_error));
	pthread_mutex_unlock(&lock);
}

size_t bedrock_models_count(void)
{
	return bedrock__catalog_count(bedrock__catalog_get());
}

const bedrock_model_info *bedrock_models_at(size_t i)
{
	return bedrock__catalog_at(bedrock__catalog_get(), i);
}
