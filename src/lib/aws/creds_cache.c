/* The caching provider: refreshes expiring credentials ahead of expiry,
 * one refresher at a time (botocore RefreshableCredentials semantics):
 *  - more than `advisory` seconds left: use the cached credentials;
 *  - inside the advisory window: one caller refreshes, the others keep
 *    using the cached ones; a failed refresh keeps them too;
 *  - inside the mandatory window (or nothing cached): callers wait for one
 *    refresh, and its failure is theirs. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "errinfo.h"
#include "timeutil.h"

typedef struct {
	bedrock_creds_provider *source;
	bedrock_creds_cache_options opts;
	pthread_mutex_t lock;
	pthread_cond_t done;
	bedrock_credentials *current;
	int refreshing;
} cache;

static int64_t now_of(const cache *c)
{
	return c->opts.clock ? c->opts.clock(c->opts.clock_payload) : (int64_t)time(NULL);
}

/* Runs the source without the lock held; returns with it held again. */
static int refresh_locked(cache *c, bedrock_credentials **fresh, bedrock_error_info *err)
{
	int rc;
	int64_t exp, now;

	c->refreshing = 1;
	pthread_mutex_unlock(&c->lock);
	rc = bedrock_creds_provider_get(fresh, c->source, err);
	now = now_of(c);
	if (rc == 0 && (exp = bedrock_credentials_expiration(*fresh)) != 0 &&
	    exp - now <= c->opts.mandatory_refresh_seconds) {
		char when[32];

		bedrock__format_iso8601(when, sizeof(when), exp);
		bedrock_credentials_release(*fresh);
		*fresh = NULL;
		rc = bedrock__err(err, BEDROCK_EAUTH,
				  "%s: refreshed credentials expire at %s, which is already too soon",
				  bedrock_creds_provider_name(c->source), when);
	}
	pthread_mutex_lock(&c->lock);
	c->refreshing = 0;
	pthread_cond_broadcast(&c->done);
	return rc;
}

static int cache_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	cache *c = impl;
	bedrock_credentials *fresh = NULL;
	int rc;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		int64_t now = now_of(c), left;

		if (c->current) {
			int64_t exp = bedrock_credentials_expiration(c->current);

			left = exp ? exp - now : INT64_MAX;
			if (left > c->opts.advisory_refresh_seconds)
				break;
			if (left > c->opts.mandatory_refresh_seconds) {
				if (c->refreshing)
					break;
				/* Advisory: a failure keeps the current credentials. */
				rc = refresh_locked(c, &fresh, NULL);
				if (rc == 0) {
					bedrock_credentials_release(c->current);
					c->current = fresh;
				}
				break;
			}
		}
		if (c->refreshing) {
			pthread_cond_wait(&c->done, &c->lock);
			continue;
		}
		rc = refresh_locked(c, &fresh, err);
		if (rc) {
			pthread_mutex_unlock(&c->lock);
			return rc;
		}
		bedrock_credentials_release(c->current);
		c->current = fresh;
		break;
	}
	*out = bedrock_credentials_ref(c->current);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static void cache_destroy(void *impl)
{
	cache *c = impl;

	bedrock_credentials_release(c->current);
	bedrock_creds_provider_release(c->source);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->done);
	bedrock__free(c);
}

static const bedrock_creds_provider_vtable cache_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "cached", cache_get, cache_destroy
};

int bedrock_creds_provider_new_cached(bedrock_creds_provider **out,
				      bedrock_creds_provider *source,
				      const bedrock_creds_cache_options *options)
{
	bedrock_creds_cache_options defaults = BEDROCK_CREDS_CACHE_OPTIONS_INIT;
	cache *c;
	int rc;

	if (!out || !source)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!options)
		options = &defaults;
	if (options->version != BEDROCK_CREDS_CACHE_OPTIONS_VERSION ||
	    options->advisory_refresh_seconds < options->mandatory_refresh_seconds ||
	    options->mandatory_refresh_seconds < 0)
		return BEDROCK_EINVAL;
	c = bedrock__calloc(1, sizeof(*c));
	if (!c)
		return BEDROCK_ENOMEM;
	c->opts = *options;
	if (pthread_mutex_init(&c->lock, NULL)) {
		bedrock__free(c);
		return BEDROCK_ENOMEM;
	}
	if (pthread_cond_init(&c->done, NULL)) {
		pthread_mutex_destroy(&c->lock);
		bedrock__free(c);
		return BEDROCK_ENOMEM;
	}
	c->source = bedrock_creds_provider_ref(source);
	rc = bedrock_creds_provider_new(out, &cache_vt, c);
	if (rc)
		cache_destroy(c);
	return rc;
}
