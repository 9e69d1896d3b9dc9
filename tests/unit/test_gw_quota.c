/* The gateway's in-process quotas: each limit, retry-after, the minute
 * window rolling over (the clock is passed in), token reconciliation,
 * slots, and exact counts under threads. */
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <string.h>

#include "harness.h"
#include "gw_quota.h"

/* 2026-12-06T04:54:00Z, the start of a minute. */
#define MINUTE0 ((uint64_t)1796532840000ULL)

static gw_key make_key(const char *name, uint64_t rpm, uint64_t tpm, uint32_t conc)
{
	gw_key k;

	memset(&k, 0, sizeof(k));
	k.name = (char *)name;
	k.rpm = rpm;
	k.tpm = tpm;
	k.max_concurrent = conc;
	return k;
}

static gw_quota *new_quota(void)
{
	gw_quota *q = NULL;
	char err[256] = "";

	assert_int_equal(gw_quota_new(&q, NULL, err, sizeof(err)), 0);
	assert_non_null(q);
	return q;
}

static void test_gw_quota__rpm_and_retry_after(void **state)
{
	gw_quota *q = new_quota();
	gw_key k = make_key("alice", 3, 0, 0);
	gw_quota_ticket t;
	unsigned ra = 99;
	int i;

	(void)state;
	assert_int_equal(MINUTE0 % 60000, 0);
	for (i = 0; i < 3; i++) {
		assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 1000 * (uint64_t)i), GW_QUOTA_OK);
		assert_int_equal(ra, 0);
		gw_quota_settle(q, &t, 0);
	}
	/* 45.5 s into the minute: 14.5 s left, rounded up. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 45500), GW_QUOTA_RPM);
	assert_int_equal(ra, 15);
	/* The last millisecond: at least one second. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 59999), GW_QUOTA_RPM);
	assert_int_equal(ra, 1);
	assert_string_equal(gw_quota_verdict_name(GW_QUOTA_RPM), "rpm");
	/* The next minute starts over. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 60000), GW_QUOTA_OK);
	assert_int_equal(t.minute, MINUTE0 / 60000 + 1);
	gw_quota_settle(q, &t, 0);
	/* Another key has its own counts. */
	{
		gw_key b = make_key("bob", 3, 0, 0);

		assert_int_equal(gw_quota_admit(&t, &ra, q, &b, 0, MINUTE0 + 45500), GW_QUOTA_OK);
		gw_quota_settle(q, &t, 0);
	}
	gw_quota_free(q);
}

static void test_gw_quota__tpm(void **state)
{
	gw_quota *q = new_quota();
	gw_key k = make_key("alice", 0, 1000, 0);
	gw_quota_ticket t1, t2, t3;
	unsigned ra;

	(void)state;
	assert_int_equal(gw_quota_admit(&t1, &ra, q, &k, 600, MINUTE0), GW_QUOTA_OK);
	assert_int_equal(t1.reserved_tokens, 600);
	assert_int_equal(gw_quota_admit(&t2, &ra, q, &k, 600, MINUTE0 + 30000), GW_QUOTA_TPM);
	assert_int_equal(ra, 30);
	assert_string_equal(gw_quota_verdict_name(GW_QUOTA_TPM), "tpm");
	/* Exactly to the limit is within it. */
	assert_int_equal(gw_quota_admit(&t2, &ra, q, &k, 400, MINUTE0 + 30000), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&t3, &ra, q, &k, 1, MINUTE0 + 30000), GW_QUOTA_TPM);
	gw_quota_settle(q, &t1, 600);
	gw_quota_settle(q, &t2, 400);
	/* A reservation larger than the whole limit gets into an empty
	 * window only (a key with a small tpm can still call). */
	assert_int_equal(gw_quota_admit(&t1, &ra, q, &k, 5000, MINUTE0 + 60000), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&t2, &ra, q, &k, 1, MINUTE0 + 60001), GW_QUOTA_TPM);
	gw_quota_settle(q, &t1, 5000);
	gw_quota_free(q);
}

static void test_gw_quota__settle_reconciles(void **state)
{
	gw_quota *q = new_quota();
	gw_key k = make_key("alice", 0, 1000, 0);
	gw_quota_ticket t, u;
	unsigned ra;

	(void)state;
	/* Reserved 900, used 100: 800 come back. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 900, MINUTE0), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 800, MINUTE0 + 1), GW_QUOTA_TPM);
	gw_quota_settle(q, &t, 100);
	assert_null(t.key);
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 900, MINUTE0 + 2), GW_QUOTA_OK);
	gw_quota_settle(q, &u, 900);	/* 1000 used */
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 1, MINUTE0 + 3), GW_QUOTA_TPM);

	/* Reserved 100, used 700: the window is charged 600 more. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 100, MINUTE0 + 60000), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 700);
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 301, MINUTE0 + 60001), GW_QUOTA_TPM);
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 300, MINUTE0 + 60001), GW_QUOTA_OK);
	gw_quota_settle(q, &u, 300);

	/* Settled after its window is over: the new window owes nothing. */
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 1, MINUTE0 + 119999), GW_QUOTA_TPM);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 10, MINUTE0 + 120000), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&u, &ra, q, &k, 10, MINUTE0 + 180000), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 5000);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 980, MINUTE0 + 180001), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 980);
	gw_quota_settle(q, &u, 10);
	gw_quota_free(q);
}

static void test_gw_quota__concurrent_slots(void **state)
{
	gw_quota *q = new_quota();
	gw_key k = make_key("alice", 3, 0, 2);
	gw_quota_ticket a, b, c;
	unsigned ra;

	(void)state;
	assert_int_equal(gw_quota_admit(&a, &ra, q, &k, 0, MINUTE0), GW_QUOTA_OK);
	assert_true(a.holds_slot);
	assert_int_equal(gw_quota_admit(&b, &ra, q, &k, 0, MINUTE0), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&c, &ra, q, &k, 0, MINUTE0), GW_QUOTA_CONCURRENT);
	assert_int_equal(ra, 1);
	assert_string_equal(gw_quota_verdict_name(GW_QUOTA_CONCURRENT), "max_concurrent");
	assert_int_equal(gw_quota_admit(&c, &ra, q, &k, 0, MINUTE0 + 5000), GW_QUOTA_CONCURRENT);
	gw_quota_settle(q, &a, 0);
	/* A refused request counted nothing: this is the third of rpm 3. */
	assert_int_equal(gw_quota_admit(&c, &ra, q, &k, 0, MINUTE0 + 6000), GW_QUOTA_OK);
	gw_quota_settle(q, &b, 0);
	assert_int_equal(gw_quota_admit(&a, &ra, q, &k, 0, MINUTE0 + 7000), GW_QUOTA_RPM);
	/* Slots outlive the minute: still one held. */
	assert_int_equal(gw_quota_admit(&a, &ra, q, &k, 0, MINUTE0 + 60000), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&b, &ra, q, &k, 0, MINUTE0 + 60000), GW_QUOTA_CONCURRENT);
	gw_quota_settle(q, &a, 0);
	gw_quota_settle(q, &c, 0);
	gw_quota_free(q);
}

static void test_gw_quota__unlimited(void **state)
{
	gw_quota *q = new_quota();
	gw_key k = make_key("free", 0, 0, 0);
	gw_quota_ticket t;
	unsigned ra;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++) {
		assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 100000, MINUTE0), GW_QUOTA_OK);
		assert_false(t.holds_slot);
	}
	gw_quota_settle(q, &t, 5);
	gw_quota_free(q);
}

/* Many names (a reload that renames keys): old idle entries are swept,
 * live slots are kept. */
static void test_gw_quota__many_names(void **state)
{
	gw_quota *q = new_quota();
	gw_key held = make_key("held", 0, 0, 1);
	gw_quota_ticket t, h;
	unsigned ra;
	char name[32];
	int i, m;

	(void)state;
	assert_int_equal(gw_quota_admit(&h, &ra, q, &held, 0, MINUTE0), GW_QUOTA_OK);
	for (m = 0; m < 5; m++)
		for (i = 0; i < 500; i++) {
			gw_key k;

			snprintf(name, sizeof(name), "k%d-%d", m, i);
			k = make_key(name, 1, 0, 0);
			assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 60000 * (uint64_t)m),
					 GW_QUOTA_OK);
			assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, MINUTE0 + 60000 * (uint64_t)m),
					 GW_QUOTA_RPM);
		}
	assert_int_equal(gw_quota_admit(&t, &ra, q, &held, 0, MINUTE0 + 300000), GW_QUOTA_CONCURRENT);
	gw_quota_settle(q, &h, 0);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &held, 0, MINUTE0 + 300000), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 0);
	gw_quota_free(q);
}

#define THREADS 8
#define PER_THREAD 2000

typedef struct shared {
	gw_quota *q;
	gw_key rpm_key, slot_key;
	atomic_int admitted, in_flight, max_in_flight;
} shared;

static void *worker(void *arg)
{
	shared *s = arg;
	gw_quota_ticket t;
	unsigned ra;
	int i;

	for (i = 0; i < PER_THREAD; i++) {
		if (gw_quota_admit(&t, &ra, s->q, &s->rpm_key, 1, MINUTE0 + 10) == GW_QUOTA_OK) {
			atomic_fetch_add(&s->admitted, 1);
			gw_quota_settle(s->q, &t, 1);
		}
		if (gw_quota_admit(&t, &ra, s->q, &s->slot_key, 0, MINUTE0 + 10) == GW_QUOTA_OK) {
			int now = atomic_fetch_add(&s->in_flight, 1) + 1, max;

			max = atomic_load(&s->max_in_flight);
			while (now > max && !atomic_compare_exchange_weak(&s->max_in_flight, &max, now))
				;
			atomic_fetch_sub(&s->in_flight, 1);
			gw_quota_settle(s->q, &t, 0);
		}
	}
	return NULL;
}

static void test_gw_quota__threads(void **state)
{
	static shared s;
	pthread_t th[THREADS];
	gw_quota_ticket t[3];
	unsigned ra;
	int i;

	(void)state;
	s.q = new_quota();
	s.rpm_key = make_key("many", 5000, 0, 0);
	s.slot_key = make_key("slots", 0, 0, 3);
	atomic_init(&s.admitted, 0);
	atomic_init(&s.in_flight, 0);
	atomic_init(&s.max_in_flight, 0);
	for (i = 0; i < THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, worker, &s), 0);
	for (i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	/* Exactly the limit, though 16,000 asked. */
	assert_int_equal(atomic_load(&s.admitted), 5000);
	assert_true(atomic_load(&s.max_in_flight) <= 3);
	assert_true(atomic_load(&s.max_in_flight) >= 1);
	/* Every slot was given back: three can be held again, not four. */
	for (i = 0; i < 3; i++)
		assert_int_equal(gw_quota_admit(&t[i], &ra, s.q, &s.slot_key, 0, MINUTE0), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&t[0], &ra, s.q, &s.slot_key, 0, MINUTE0), GW_QUOTA_CONCURRENT);
	gw_quota_free(s.q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_quota__rpm_and_retry_after),
		cmocka_unit_test(test_gw_quota__tpm),
		cmocka_unit_test(test_gw_quota__settle_reconciles),
		cmocka_unit_test(test_gw_quota__concurrent_slots),
		cmocka_unit_test(test_gw_quota__unlimited),
		cmocka_unit_test(test_gw_quota__many_names),
		cmocka_unit_test(test_gw_quota__threads),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
