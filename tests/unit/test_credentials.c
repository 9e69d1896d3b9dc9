#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "harness.h"
#include "timeutil.h"

static void clear_env(void)
{
	unsetenv("AWS_ACCESS_KEY_ID");
	unsetenv("AWS_SECRET_ACCESS_KEY");
	unsetenv("AWS_SESSION_TOKEN");
	unsetenv("AWS_SECURITY_TOKEN");
	unsetenv("AWS_CREDENTIAL_EXPIRATION");
	unsetenv("AWS_ACCOUNT_ID");
}

static void test_credentials__object(void **state)
{
	bedrock_credentials *c = NULL;

	(void)state;
	assert_int_equal(bedrock_credentials_new(&c, "AKIDEXAMPLE", "secret", "token", 42), 0);
	assert_string_equal(bedrock_credentials_access_key_id(c), "AKIDEXAMPLE");
	assert_string_equal(bedrock_credentials_secret_access_key(c), "secret");
	assert_string_equal(bedrock_credentials_session_token(c), "token");
	assert_int_equal(bedrock_credentials_expiration(c), 42);
	assert_string_equal(bedrock_credentials_provider(c), "static");
	assert_ptr_equal(bedrock_credentials_ref(c), c);
	bedrock_credentials_release(c);
	bedrock_credentials_release(c);
	assert_int_equal(bedrock_credentials_new(&c, "AKID", "sec\r\nX-Evil: 1", NULL, 0),
			 BEDROCK_EINVAL);
	assert_null(c);
	assert_int_equal(bedrock_credentials_new(&c, "AKID", "s", "tok\n", 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_credentials_new(&c, "", "s", NULL, 0), BEDROCK_EINVAL);
	assert_int_equal(bedrock_credentials_new(&c, "AKID", NULL, NULL, 0), BEDROCK_EINVAL);
	bedrock_credentials_release(NULL);
}

static void test_credentials__redaction(void **state)
{
	char out[9];

	(void)state;
	bedrock_redact_key_id(out, "AKIAIOSFODNN7EXAMPLE");
	assert_string_equal(out, "****MPLE");
	bedrock_redact_key_id(out, "SHORT");
	assert_string_equal(out, "****");
	bedrock_redact_key_id(out, NULL);
	assert_string_equal(out, "****");
}

static void test_credentials__environment(void **state)
{
	bedrock_creds_provider *p;
	bedrock_credentials *c;
	bedrock_error_info err;

	(void)state;
	clear_env();
	assert_int_equal(bedrock_creds_provider_new_environment(&p), 0);
	assert_string_equal(bedrock_creds_provider_name(p), "environment");
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ENOTFOUND);
	assert_null(c);

	setenv("AWS_ACCESS_KEY_ID", "AKIDENVIRONMENT1", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "AWS_SECRET_ACCESS_KEY"));

	setenv("AWS_SECRET_ACCESS_KEY", "CANARY-SECRET-env", 1);
	setenv("AWS_SECURITY_TOKEN", "legacy-token", 1);
	setenv("AWS_ACCOUNT_ID", "123456789012", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_provider(c), "environment");
	assert_string_equal(bedrock_credentials_session_token(c), "legacy-token");
	assert_string_equal(bedrock_credentials_account_id(c), "123456789012");
	assert_int_equal(bedrock_credentials_expiration(c), 0);
	bedrock_credentials_release(c);

	setenv("AWS_SESSION_TOKEN", "modern-token", 1);
	setenv("AWS_CREDENTIAL_EXPIRATION", "2026-11-23T10:00:00Z", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), 0);
	assert_string_equal(bedrock_credentials_session_token(c), "modern-token");
	assert_int_equal(bedrock_credentials_expiration(c),
			 bedrock__utc_to_unix(2026, 11, 23, 10, 0, 0));
	bedrock_credentials_release(c);

	setenv("AWS_CREDENTIAL_EXPIRATION", "tomorrow", 1);
	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, "AWS_CREDENTIAL_EXPIRATION"));
	assert_null(strstr(err.message, "CANARY"));
	clear_env();
	bedrock_creds_provider_release(p);
}

/* A scriptable source for chain and cache tests. */
typedef struct {
	const char *name;
	int rc;
	int64_t expiration;
	int calls;
	unsigned sleep_ms;
	pthread_mutex_t lock;
} fake;

static int fake_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	fake *f = impl;
	char id[32];
	int n;

	pthread_mutex_lock(&f->lock);
	n = ++f->calls;
	pthread_mutex_unlock(&f->lock);
	if (f->sleep_ms) {
		struct timespec ts = { 0, (long)f->sleep_ms * 1000000L };
		nanosleep(&ts, NULL);
	}
	if (f->rc) {
		if (err)
			snprintf(err->message, sizeof(err->message), "%s failed", f->name);
		return f->rc;
	}
	snprintf(id, sizeof(id), "AKID%s%04d", f->name, n);
	return bedrock_credentials_new(out, id, "secret", NULL, f->expiration);
}

static const bedrock_creds_provider_vtable fake_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "fake", fake_get, NULL
};

static bedrock_creds_provider *make_fake(fake *f, const char *name, int rc)
{
	bedrock_creds_provider *p;

	memset(f, 0, sizeof(*f));
	f->name = name;
	f->rc = rc;
	pthread_mutex_init(&f->lock, NULL);
	assert_int_equal(bedrock_creds_provider_new(&p, &fake_vt, f), 0);
	return p;
}

static void test_credentials__chain_order(void **state)
{
	fake a, b, c;
	bedrock_creds_provider *list[3], *chain;
	bedrock_credentials *cr;
	bedrock_error_info err;

	(void)state;
	list[0] = make_fake(&a, "A", BEDROCK_ENOTFOUND);
	list[1] = make_fake(&b, "B", 0);
	list[2] = make_fake(&c, "C", 0);
	assert_int_equal(bedrock_creds_provider_new_chain(&chain, list, 3), 0);
	assert_int_equal(bedrock_creds_provider_get(&cr, chain, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(cr), "AKIDB0001");
	assert_int_equal(a.calls, 1);
	assert_int_equal(c.calls, 0);
	bedrock_credentials_release(cr);

	/* A configured source that fails stops the chain. */
	b.rc = BEDROCK_EAUTH;
	assert_int_equal(bedrock_creds_provider_get(&cr, chain, &err), BEDROCK_EAUTH);
	assert_string_equal(err.message, "B failed");
	assert_int_equal(c.calls, 0);

	/* Nothing anywhere: a message that says what to do. */
	b.rc = BEDROCK_ENOTFOUND;
	c.rc = BEDROCK_ENOTFOUND;
	assert_int_equal(bedrock_creds_provider_get(&cr, chain, &err), BEDROCK_ENOTFOUND);
	assert_non_null(strstr(err.message, "no AWS credentials found"));
	/* Each source named once, so the reader knows what was asked. */
	assert_non_null(strstr(err.message, "(tried fake)"));

	bedrock_creds_provider_release(chain);
	bedrock_creds_provider_release(list[0]);
	bedrock_creds_provider_release(list[1]);
	bedrock_creds_provider_release(list[2]);
}

static int64_t fake_now;

static int64_t test_clock(void *payload)
{
	(void)payload;
	return fake_now;
}

static bedrock_creds_provider *make_cache(bedrock_creds_provider *src)
{
	bedrock_creds_cache_options o = BEDROCK_CREDS_CACHE_OPTIONS_INIT;
	bedrock_creds_provider *p;

	o.clock = test_clock;
	assert_int_equal(bedrock_creds_provider_new_cached(&p, src, &o), 0);
	return p;
}

static const char *get_id(bedrock_creds_provider *p, int expect_rc)
{
	static char id[64];
	bedrock_credentials *c;
	bedrock_error_info err;

	assert_int_equal(bedrock_creds_provider_get(&c, p, &err), expect_rc);
	if (expect_rc)
		return NULL;
	snprintf(id, sizeof(id), "%s", bedrock_credentials_access_key_id(c));
	bedrock_credentials_release(c);
	return id;
}

static void test_credentials__cache_static_forever(void **state)
{
	fake f;
	bedrock_creds_provider *src = make_fake(&f, "S", 0), *p = make_cache(src);

	(void)state;
	fake_now = 1000;
	assert_string_equal(get_id(p, 0), "AKIDS0001");
	fake_now = 10000000;
	assert_string_equal(get_id(p, 0), "AKIDS0001");
	assert_int_equal(f.calls, 1);
	bedrock_creds_provider_release(p);
	bedrock_creds_provider_release(src);
}

static void test_credentials__cache_refresh_windows(void **state)
{
	fake f;
	bedrock_creds_provider *src = make_fake(&f, "R", 0), *p = make_cache(src);

	(void)state;
	fake_now = 100000;
	f.expiration = fake_now + 3600;
	assert_string_equal(get_id(p, 0), "AKIDR0001");
	/* More than 15 minutes left: cached. */
	fake_now += 3600 - 901;
	assert_string_equal(get_id(p, 0), "AKIDR0001");
	assert_int_equal(f.calls, 1);
	/* Advisory window, refresh fails: the old credentials are kept. */
	fake_now += 2;
	f.rc = BEDROCK_EHTTP;
	assert_string_equal(get_id(p, 0), "AKIDR0001");
	assert_int_equal(f.calls, 2);
	/* Advisory window, refresh works: new credentials. */
	f.rc = 0;
	f.expiration = fake_now + 3600;
	assert_string_equal(get_id(p, 0), "AKIDR0003");
	/* Mandatory window, refresh fails: an error. */
	fake_now = f.expiration - 599;
	f.rc = BEDROCK_EHTTP;
	assert_null(get_id(p, BEDROCK_EHTTP));
	/* A refresh that yields already-expiring credentials is an error. */
	f.rc = 0;
	f.expiration = fake_now + 60;
	assert_null(get_id(p, BEDROCK_EAUTH));
	/* And a good one recovers. */
	f.expiration = fake_now + 7200;
	assert_string_equal(get_id(p, 0), "AKIDR0006");
	bedrock_creds_provider_release(p);
	bedrock_creds_provider_release(src);
}

typedef struct {
	bedrock_creds_provider *p;
	int rc;
} worker;

static void *work(void *arg)
{
	worker *w = arg;
	bedrock_credentials *c = NULL;

	w->rc = bedrock_creds_provider_get(&c, w->p, NULL);
	bedrock_credentials_release(c);
	return NULL;
}

static void test_credentials__cache_one_refresher(void **state)
{
	fake f;
	bedrock_creds_provider *src = make_fake(&f, "T", 0), *p = make_cache(src);
	pthread_t th[8];
	worker w[8];
	int i;

	(void)state;
	fake_now = 5000;
	f.expiration = fake_now + 3600;
	f.sleep_ms = 50;
	for (i = 0; i < 8; i++) {
		w[i].p = p;
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	}
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	/* Eight concurrent callers with nothing cached: one fetch. */
	assert_int_equal(f.calls, 1);
	/* In the mandatory window, concurrent callers again share one refresh. */
	fake_now = f.expiration - 60;
	f.expiration = fake_now + 3600;
	for (i = 0; i < 8; i++)
		assert_int_equal(pthread_create(&th[i], NULL, work, &w[i]), 0);
	for (i = 0; i < 8; i++) {
		pthread_join(th[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	assert_int_equal(f.calls, 2);
	bedrock_creds_provider_release(p);
	bedrock_creds_provider_release(src);
}

static void test_credentials__iso8601(void **state)
{
	int64_t t;
	char buf[32];

	(void)state;
	assert_int_equal(bedrock__parse_iso8601("1970-01-01T00:00:00Z", &t), 0);
	assert_int_equal(t, 0);
	assert_int_equal(bedrock__parse_iso8601("2015-08-30T12:36:00Z", &t), 0);
	assert_int_equal(t, 1440938160);
	assert_int_equal(bedrock__parse_iso8601("2015-08-30T12:36:00.123Z", &t), 0);
	assert_int_equal(t, 1440938160);
	assert_int_equal(bedrock__parse_iso8601("2015-08-30T14:36:00+02:00", &t), 0);
	assert_int_equal(t, 1440938160);
	assert_int_equal(bedrock__parse_iso8601("2024-02-29T00:00:00Z", &t), 0);
	bedrock__format_iso8601(buf, sizeof(buf), t);
	assert_string_equal(buf, "2024-02-29T00:00:00Z");
	bedrock__format_iso8601(buf, sizeof(buf), 1440938160);
	assert_string_equal(buf, "2015-08-30T12:36:00Z");
	bedrock__format_iso8601(buf, sizeof(buf), -1);
	assert_string_equal(buf, "1969-12-31T23:59:59Z");
	bedrock__format_iso8601(buf, sizeof(buf), 253402300799LL);
	assert_string_equal(buf, "9999-12-31T23:59:59Z");
	bedrock__format_iso8601(buf, sizeof(buf), 253402300800LL);
	assert_string_equal(buf, "10000-01-01T00:00:00Z");
	bedrock__format_iso8601(buf, sizeof(buf), -62135596800LL);
	assert_string_equal(buf, "0001-01-01T00:00:00Z");
	bedrock__format_iso8601(buf, 11, 1440938160);	/* cut as snprintf cuts */
	assert_string_equal(buf, "2015-08-30");
	assert_int_equal(bedrock__parse_iso8601("2015-08-30", &t), -1);
	assert_int_equal(bedrock__parse_iso8601("2015-13-30T12:36:00Z", &t), -1);
	assert_int_equal(bedrock__parse_iso8601("2015-08-30T12:36:00", &t), -1);
	assert_int_equal(bedrock__parse_iso8601("2015-08-30T12:36:00Zjunk", &t), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_credentials__object),
		cmocka_unit_test(test_credentials__redaction),
		cmocka_unit_test(test_credentials__environment),
		cmocka_unit_test(test_credentials__chain_order),
		cmocka_unit_test(test_credentials__cache_static_forever),
		cmocka_unit_test(test_credentials__cache_refresh_windows),
		cmocka_unit_test(test_credentials__cache_one_refresher),
		cmocka_unit_test(test_credentials__iso8601),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
