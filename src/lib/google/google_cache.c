/* The refreshing token cache (the AWS one's shape, src/lib/aws/creds_cache.c,
 * with google-auth's rules: REFRESH_THRESHOLD 3 min 45 s; google-cloud-cpp
 * keeps serving the old token when a refresh fails before it expires):
 *  - more than the margin left: the cached token;
 *  - within the margin and still valid: one caller refreshes, the others
 *    keep the cached token; a failed refresh keeps it too, and is tried
 *    again no sooner than RETRY_SECONDS later;
 *  - expired, invalidated or none: callers wait for one refresh, and its
 *    failure is theirs. */
#include <pthread.h>
#include <string.h>
#include <time.h>

#include "alloc.h"
#include "errinfo.h"
#include "google_private.h"
#include "timeutil.h"

#define MIN_MARGIN 225
#define RETRY_SECONDS 10
#define WAIT_SLICE_MS 100

typedef struct {
	bedrock_google_provider *source;
	bedrock_google_cache_options opts;
	pthread_mutex_t lock;
	pthread_cond_t done;
	bedrock_google_token *current;
	int refreshing;
	int stale;		/* invalidated: never served again */
	int64_t retry_at;	/* no advisory refresh before this */
} cache;

static int64_t now_of(const cache *c)
{
	return c->opts.clock ? c->opts.clock(c->opts.clock_payload) : (int64_t)time(NULL);
}

/* Runs the source without the lock held; returns with it held again. */
static int refresh_locked(cache *c, bedrock_google_token **fresh,
			  const struct bedrock_cancel *cancel, bedrock_error_info *err)
{
	int64_t exp, now;
	int rc;

	c->refreshing = 1;
	pthread_mutex_unlock(&c->lock);
	rc = bedrock_google_provider_get(fresh, c->source, cancel, err);
	now = now_of(c);
	if (rc == 0 && (exp = bedrock_google_token_expiry(*fresh)) != 0 && exp <= now) {
		char when[32];

		bedrock__format_iso8601(when, sizeof(when), exp);
		bedrock_google_token_release(*fresh);
		*fresh = NULL;
		rc = bedrock__err(err, BEDROCK_EAUTH,
				  "%s: the refreshed token expired at %s, before it was received",
				  bedrock_google_provider_name(c->source), when);
	}
	pthread_mutex_lock(&c->lock);
	c->refreshing = 0;
	pthread_cond_broadcast(&c->done);
	return rc;
}

static void install(cache *c, bedrock_google_token *fresh, int64_t now)
{
	int64_t exp = bedrock_google_token_expiry(fresh);

	bedrock_google_token_release(c->current);
	c->current = fresh;
	c->stale = 0;
	/* A token already within the margin must not make every call refresh. */
	c->retry_at = exp && exp - now <= c->opts.refresh_margin_seconds ? now + RETRY_SECONDS : 0;
}

static int cache_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		     bedrock_error_info *err)
{
	cache *c = impl;
	bedrock_google_token *fresh = NULL;
	int rc;

	pthread_mutex_lock(&c->lock);
	for (;;) {
		int64_t now = now_of(c);

		if (c->current && !c->stale) {
			int64_t exp = bedrock_google_token_expiry(c->current);

			if (!exp || exp - now > c->opts.refresh_margin_seconds)
				break;
			if (exp > now) {
				/* Still valid: refresh, but keep it whatever happens. */
				if (c->refreshing || now < c->retry_at)
					break;
				rc = refresh_locked(c, &fresh, cancel, NULL);
				if (rc == 0)
					install(c, fresh, now_of(c));
				else
					c->retry_at = now_of(c) + RETRY_SECONDS;
				continue;	/* it may have expired meanwhile */
			}
		}
		if (c->refreshing) {
			struct timespec ts;

			if (bedrock__cancelled(cancel)) {
				pthread_mutex_unlock(&c->lock);
				return bedrock__err(err, BEDROCK_ECANCELED, "google: cancelled while "
						    "waiting for a token");
			}
			clock_gettime(CLOCK_REALTIME, &ts);
			ts.tv_nsec += WAIT_SLICE_MS * 1000000L;
			if (ts.tv_nsec >= 1000000000L) {
				ts.tv_sec++;
				ts.tv_nsec -= 1000000000L;
			}
			pthread_cond_timedwait(&c->done, &c->lock, &ts);
			continue;
		}
		rc = refresh_locked(c, &fresh, cancel, err);
		if (rc) {
			pthread_mutex_unlock(&c->lock);
			return rc;
		}
		install(c, fresh, now_of(c));
		break;
	}
	*out = bedrock_google_token_ref(c->current);
	pthread_mutex_unlock(&c->lock);
	return 0;
}

static int cache_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
			 bedrock_error_info *err)
{
	cache *c = impl;
	bedrock_google_provider *s = c->source;

	if (!s->vt->project)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "%s: names no project", s->vt->name);
	return s->vt->project(out, cap, s->impl, cancel, err);
}

static void cache_destroy(void *impl)
{
	cache *c = impl;

	bedrock_google_token_release(c->current);
	bedrock_google_provider_release(c->source);
	pthread_mutex_destroy(&c->lock);
	pthread_cond_destroy(&c->done);
	bedrock__free(c);
}

static const bedrock_google_provider_vtable cache_vt = {
	BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "cached", cache_get, cache_project, cache_destroy
};

void bedrock_google_provider_invalidate(bedrock_google_provider *p)
{
	cache *c;

	if (!p || p->vt != &cache_vt)
		return;
	c = p->impl;
	pthread_mutex_lock(&c->lock);
	if (c->current) {
		c->stale = 1;
		/* A token kept on disk must not come back from there either. */
		bedrock__google_forget(c->source,
				       bedrock_google_token_access_token(c->current));
	}
	pthread_mutex_unlock(&c->lock);
}

int bedrock_google_provider_new_cached(bedrock_google_provider **out,
				       bedrock_google_provider *source,
				       const bedrock_google_cache_options *options)
{
	bedrock_google_cache_options defaults = BEDROCK_GOOGLE_CACHE_OPTIONS_INIT;
	cache *c;
	int rc;

	if (!out || !source)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!options)
		options = &defaults;
	if (options->version != BEDROCK_GOOGLE_CACHE_OPTIONS_VERSION ||
	    options->refresh_margin_seconds < MIN_MARGIN)
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
	c->source = bedrock_google_provider_ref(source);
	rc = bedrock_google_provider_new(out, &cache_vt, c);
	if (rc)
		cache_destroy(c);
	return rc;
}
