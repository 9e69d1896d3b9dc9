/* The Google token cache, chain and provider base, with a scripted source
 * and a test clock: refresh ahead of expiry by the margin (>= 3 min 45 s),
 * one refresher at a time across threads, the old token kept while a
 * refresh fails and it is still valid, an expired token from a refresh
 * refused, invalidation, cancellation while waiting. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "google_private.h"

typedef struct {
	atomic_int calls;
	int fail;		/* the error to return; 0 = a token */
	int64_t lifetime;	/* expiry = clock + lifetime; 0 = no expiry */
	int64_t expiry;		/* if set, this expiry instead */
	int sleep_ms;
	const char *project;
} source_state;

static int64_t clock_now = 1000000;

static int64_t test_clock(void *payload)
{
	(void)payload;
	return clock_now;
}

static void sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int src_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		   bedrock_error_info *err)
{
	source_state *s = impl;
	int n = atomic_fetch_add(&s->calls, 1) + 1;
	char tok[32];

	(void)cancel;
	if (s->sleep_ms)
		sleep_ms(s->sleep_ms);
	if (s->fail)
		return bedrock__err(err, s->fail, "scripted: the token endpoint failed");
	snprintf(tok, sizeof(tok), "tok-%d", n);
	return bedrock_google_token_new(out, tok, s->expiry ? s->expiry
						  : s->lifetime ? clock_now + s->lifetime : 0);
}

static int src_project(char *out, size_t cap, void *impl, const struct bedrock_cancel *cancel,
		       bedrock_error_info *err)
{
	source_state *s = impl;

	(void)cancel;
	if (!s->project)
		return bedrock__err(err, BEDROCK_ENOTFOUND, "scripted: nothing configured");
	snprintf(out, cap, "%s", s->project);
	return 0;
}

static const bedrock_google_provider_vtable src_vt = {
	BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "scripted", src_get, src_project, NULL
};

static bedrock_google_provider *cached(source_state *s, int64_t margin)
{
	bedrock_google_cache_options o = BEDROCK_GOOGLE_CACHE_OPTIONS_INIT;
	bedrock_google_provider *src, *p;

	o.clock = test_clock;
	if (margin)
		o.refresh_margin_seconds = margin;
	assert_int_equal(bedrock_google_provider_new(&src, &src_vt, s), 0);
	assert_int_equal(bedrock_google_provider_new_cached(&p, src, &o), 0);
	bedrock_google_provider_release(src);
	return p;
}

/* Gets a token and checks its value; returns the code. */
static int get_is(bedrock_google_provider *p, const char *want, bedrock_error_info *err)
{
	bedrock_google_token *t = NULL;
	int rc = bedrock_google_provider_get(&t, p, NULL, err);

	if (rc == 0) {
		if (want)
			assert_string_equal(bedrock_google_token_access_token(t), want);
		bedrock_google_token_release(t);
	} else {
		assert_null(t);
	}
	return rc;
}

static void test_google_cache__refresh_margin(void **state)
{
	source_state s = { 0 };
	bedrock_google_cache_options o = BEDROCK_GOOGLE_CACHE_OPTIONS_INIT;
	bedrock_google_provider *p, *src;
	bedrock_error_info err;

	(void)state;
	/* The default margin is google-auth's 3 min 45 s; less is refused. */
	assert_int_equal(o.refresh_margin_seconds, 225);
	o.refresh_margin_seconds = 224;
	assert_int_equal(bedrock_google_provider_new(&src, &src_vt, &s), 0);
	assert_int_equal(bedrock_google_provider_new_cached(&p, src, &o), BEDROCK_EINVAL);
	bedrock_google_provider_release(src);

	s.lifetime = 1000;
	clock_now = 1000000;
	p = cached(&s, 0);
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	clock_now += 700;		/* 300 s left */
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	clock_now += 74;		/* 226 s left */
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 1);
	clock_now += 2;			/* 224 s left: refreshed ahead of expiry */
	assert_int_equal(get_is(p, "tok-2", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 2);
	assert_int_equal(get_is(p, "tok-2", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 2);
	bedrock_google_provider_release(p);

	/* A larger margin refreshes earlier. */
	atomic_store(&s.calls, 0);
	p = cached(&s, 600);
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	clock_now += 401;		/* 599 s left */
	assert_int_equal(get_is(p, "tok-2", &err), 0);
	bedrock_google_provider_release(p);

	/* A token without an expiry is kept for good. */
	atomic_store(&s.calls, 0);
	s.lifetime = 0;
	p = cached(&s, 0);
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	clock_now += 100000000;
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 1);
	bedrock_google_provider_release(p);
}

typedef struct {
	bedrock_google_provider *p;
	char token[32];
	int rc;
	double took;
} getter;

static void *get_thread(void *arg)
{
	getter *g = arg;
	bedrock_google_token *t = NULL;
	double t0 = now_s();

	g->rc = bedrock_google_provider_get(&t, g->p, NULL, NULL);
	g->took = now_s() - t0;
	if (t)
		snprintf(g->token, sizeof(g->token), "%s", bedrock_google_token_access_token(t));
	bedrock_google_token_release(t);
	return NULL;
}

static void test_google_cache__one_refresher(void **state)
{
	source_state s = { 0 };
	bedrock_google_provider *p;
	pthread_t th[8];
	getter g[8];
	bedrock_error_info err;
	double t0;
	int i;

	(void)state;
	/* No token yet: eight callers, one fetch, all get its token. */
	s.lifetime = 3600;
	s.sleep_ms = 300;
	p = cached(&s, 0);
	for (i = 0; i < 8; i++) {
		g[i].p = p;
		g[i].token[0] = '\0';
		assert_int_equal(pthread_create(&th[i], NULL, get_thread, &g[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(g[i].rc, 0);
		assert_string_equal(g[i].token, "tok-1");
	}
	assert_int_equal(atomic_load(&s.calls), 1);

	/* Within the margin: one caller refreshes; the others do not wait
	 * for it, they keep the valid token. */
	clock_now += 3600 - 100;
	s.sleep_ms = 600;
	g[0].p = p;
	assert_int_equal(pthread_create(&th[0], NULL, get_thread, &g[0]), 0);
	sleep_ms(150);
	t0 = now_s();
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_true(now_s() - t0 < 0.3);
	pthread_join(th[0], NULL);
	assert_int_equal(g[0].rc, 0);
	assert_string_equal(g[0].token, "tok-2");
	assert_int_equal(atomic_load(&s.calls), 2);
	assert_int_equal(get_is(p, "tok-2", &err), 0);
	bedrock_google_provider_release(p);
}

static void test_google_cache__failed_refresh_keeps_valid_token(void **state)
{
	source_state s = { 0 };
	bedrock_google_provider *p;
	bedrock_error_info err;

	(void)state;
	s.lifetime = 1000;
	p = cached(&s, 0);
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	s.fail = BEDROCK_EHTTP;
	clock_now += 800;		/* 200 s left: a refresh is due, and fails */
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 2);
	clock_now += 5;			/* not tried again at once */
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 2);
	clock_now += 6;			/* but after a while */
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 3);
	clock_now += 189;		/* expired: the failure is now the caller's */
	assert_int_equal(get_is(p, NULL, &err), BEDROCK_EHTTP);
	assert_string_equal(err.message, "scripted: the token endpoint failed");
	s.fail = 0;
	clock_now += 1;
	assert_int_equal(get_is(p, "tok-5", &err), 0);
	bedrock_google_provider_release(p);
}

static void test_google_cache__expired_token_from_refresh(void **state)
{
	source_state s = { 0 };
	bedrock_google_provider *p;
	bedrock_error_info err;

	(void)state;
	s.expiry = clock_now - 1;
	p = cached(&s, 0);
	assert_int_equal(get_is(p, NULL, &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "scripted: the refreshed token expired at "));
	/* Expiring right now counts as expired too. */
	s.expiry = clock_now;
	assert_int_equal(get_is(p, NULL, &err), BEDROCK_EAUTH);
	/* One that is valid but already within the margin is used, without
	 * a refresh at every call. */
	s.expiry = clock_now + 100;
	assert_int_equal(get_is(p, "tok-3", &err), 0);
	assert_int_equal(get_is(p, "tok-3", &err), 0);
	assert_int_equal(atomic_load(&s.calls), 3);
	clock_now += 11;
	assert_int_equal(get_is(p, "tok-4", &err), 0);
	bedrock_google_provider_release(p);
}

static void test_google_cache__invalidate(void **state)
{
	source_state s = { 0 };
	bedrock_google_provider *p, *raw;
	bedrock_error_info err;

	(void)state;
	s.lifetime = 3600;
	p = cached(&s, 0);
	assert_int_equal(get_is(p, "tok-1", &err), 0);
	bedrock_google_provider_invalidate(p);
	assert_int_equal(get_is(p, "tok-2", &err), 0);
	/* An invalidated token is not served even if the refresh fails. */
	bedrock_google_provider_invalidate(p);
	s.fail = BEDROCK_EAUTH;
	assert_int_equal(get_is(p, NULL, &err), BEDROCK_EAUTH);
	bedrock_google_provider_release(p);
	/* On a provider without a cache: nothing happens. */
	assert_int_equal(bedrock_google_provider_new(&raw, &src_vt, &s), 0);
	bedrock_google_provider_invalidate(raw);
	bedrock_google_provider_invalidate(NULL);
	bedrock_google_provider_release(raw);
}

static void *cancel_later(void *arg)
{
	sleep_ms(150);
	bedrock_cancel_trigger(arg);
	return NULL;
}

static void test_google_cache__cancel_while_waiting(void **state)
{
	source_state s = { 0 };
	bedrock_google_provider *p;
	bedrock_google_token *t = NULL;
	bedrock_error_info err;
	bedrock_cancel *cancel;
	pthread_t th, th2;
	getter g;
	double t0;

	(void)state;
	s.lifetime = 3600;
	s.sleep_ms = 1500;
	p = cached(&s, 0);
	g.p = p;
	assert_int_equal(pthread_create(&th, NULL, get_thread, &g), 0);
	sleep_ms(100);
	assert_int_equal(bedrock_cancel_new(&cancel), 0);
	assert_int_equal(pthread_create(&th2, NULL, cancel_later, cancel), 0);
	t0 = now_s();
	assert_int_equal(bedrock_google_provider_get(&t, p, cancel, &err), BEDROCK_ECANCELED);
	assert_true(now_s() - t0 < 0.8);
	assert_null(t);
	pthread_join(th2, NULL);
	pthread_join(th, NULL);
	assert_int_equal(g.rc, 0);
	assert_int_equal(atomic_load(&s.calls), 1);
	bedrock_cancel_free(cancel);
	bedrock_google_provider_release(p);
}

static int bare_get(bedrock_google_token **out, void *impl, const struct bedrock_cancel *cancel,
		    bedrock_error_info *err)
{
	(void)out, (void)cancel, (void)err;
	return impl ? BEDROCK_EIO : 0;	/* no message; or "success" without a token */
}

static void test_google_cache__chain_and_base(void **state)
{
	source_state none = { 0 }, good = { 0 }, bad = { 0 };
	static const bedrock_google_provider_vtable bare_vt = {
		BEDROCK_GOOGLE_PROVIDER_VTABLE_VERSION, "bare", bare_get, NULL, NULL
	};
	bedrock_google_provider_vtable wrong = src_vt;
	bedrock_google_provider *a, *b, *c, *chain, *list[3];
	bedrock_google_token *t;
	bedrock_error_info err;
	char project[64];

	(void)state;
	none.fail = BEDROCK_ENOTFOUND;
	good.lifetime = 3600;
	good.project = "proj-good";
	bad.fail = BEDROCK_EAUTH;
	assert_int_equal(bedrock_google_provider_new(&a, &src_vt, &none), 0);
	assert_int_equal(bedrock_google_provider_new(&b, &src_vt, &good), 0);
	assert_int_equal(bedrock_google_provider_new(&c, &src_vt, &bad), 0);
	/* Not found goes on; the first token wins. */
	list[0] = a, list[1] = b, list[2] = c;
	assert_int_equal(bedrock_google_provider_new_chain(&chain, list, 3), 0);
	assert_int_equal(get_is(chain, "tok-1", &err), 0);
	assert_int_equal(atomic_load(&bad.calls), 0);
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), chain, NULL, &err), 0);
	assert_string_equal(project, "proj-good");
	bedrock_google_provider_release(chain);
	/* A configured source that fails stops the chain. */
	list[0] = a, list[1] = c, list[2] = b;
	assert_int_equal(bedrock_google_provider_new_chain(&chain, list, 3), 0);
	assert_int_equal(get_is(chain, NULL, &err), BEDROCK_EAUTH);
	assert_int_equal(atomic_load(&good.calls), 1);
	bedrock_google_provider_release(chain);
	/* Nothing anywhere: why each had nothing. */
	list[0] = a, list[1] = a;
	assert_int_equal(bedrock_google_provider_new_chain(&chain, list, 2), 0);
	assert_int_equal(get_is(chain, NULL, &err), BEDROCK_ENOTFOUND);
	assert_string_equal(err.message, "no Google credentials found (scripted: the token endpoint "
			    "failed; scripted: the token endpoint failed)");
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), chain, NULL, &err),
			 BEDROCK_ENOTFOUND);
	bedrock_google_provider_release(chain);
	list[1] = NULL;
	assert_int_equal(bedrock_google_provider_new_chain(&chain, list, 2), BEDROCK_EINVAL);
	bedrock_google_provider_release(a);
	bedrock_google_provider_release(b);
	bedrock_google_provider_release(c);

	/* The base: a bad vtable; an error without a message gets one; a
	 * success without a token is refused. */
	wrong.version = 99;
	assert_int_equal(bedrock_google_provider_new(&a, &wrong, &good), BEDROCK_EINVAL);
	assert_int_equal(bedrock_google_provider_new(&a, &bare_vt, &good), 0);
	assert_int_equal(bedrock_google_provider_get(&t, a, NULL, &err), BEDROCK_EIO);
	assert_string_equal(err.message, "bare: I/O error");
	assert_string_equal(bedrock_google_provider_name(a), "bare");
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), a, NULL, &err),
			 BEDROCK_ENOTFOUND);
	bedrock_google_provider_release(a);
	assert_int_equal(bedrock_google_provider_new(&a, &bare_vt, NULL), 0);
	assert_int_equal(bedrock_google_provider_get(&t, a, NULL, &err), BEDROCK_EPROTOCOL);
	bedrock_google_provider_release(a);
	assert_int_equal(bedrock_google_provider_get(&t, NULL, NULL, &err), BEDROCK_EINVAL);
}

static void test_google_cache__tokens(void **state)
{
	bedrock__google_token_info info = { 0 };
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	char project[8];

	(void)state;
	assert_int_equal(bedrock_google_token_new(&t, "", 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_google_token_new(&t, "a b", 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_google_token_new(&t, "a\r\nX-Evil: 1", 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_google_token_new(&t, "ya29.ok", 42), 0);
	assert_int_equal(bedrock_google_token_expiry(t), 42);
	assert_string_equal(bedrock_google_token_source(t), "static");
	assert_int_equal(bedrock_google_token_type(t), BEDROCK_GOOGLE_ACCESS_TOKEN);
	assert_ptr_equal(bedrock_google_token_ref(t), t);
	bedrock_google_token_release(t);
	bedrock_google_token_release(t);
	bedrock_google_token_release(NULL);
	/* Key ids are shown by their last four only, short ones not at all. */
	info.access_token = "ya29.x";
	info.key_id = "abcdef0123456789";
	assert_int_equal(bedrock__google_token_make(&t, &info, &err), 0);
	assert_string_equal(bedrock_google_token_key_id(t), "****6789");
	bedrock_google_token_release(t);
	info.key_id = "abc123";
	assert_int_equal(bedrock__google_token_make(&t, &info, &err), 0);
	assert_string_equal(bedrock_google_token_key_id(t), "****");
	bedrock_google_token_release(t);
	assert_string_equal(bedrock_google_credential_type_name(BEDROCK_GOOGLE_EXTERNAL_ACCOUNT),
			    "external_account");
	assert_string_equal(bedrock_google_credential_type_name((bedrock_google_credential_type)77),
			    "unknown");
	/* The static provider: its token, no project. */
	assert_int_equal(bedrock_google_provider_new_static_token(&p, "ya29.static", &err), 0);
	assert_int_equal(get_is(p, "ya29.static", &err), 0);
	assert_int_equal(bedrock_google_provider_project(project, sizeof(project), p, NULL, &err),
			 BEDROCK_ENOTFOUND);
	bedrock_google_provider_release(p);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google_cache__refresh_margin),
		cmocka_unit_test(test_google_cache__one_refresher),
		cmocka_unit_test(test_google_cache__failed_refresh_keeps_valid_token),
		cmocka_unit_test(test_google_cache__expired_token_from_refresh),
		cmocka_unit_test(test_google_cache__invalidate),
		cmocka_unit_test(test_google_cache__cancel_while_waiting),
		cmocka_unit_test(test_google_cache__chain_and_base),
		cmocka_unit_test(test_google_cache__tokens),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
