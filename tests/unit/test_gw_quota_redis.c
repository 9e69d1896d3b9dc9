/* The gateway's quotas through a real redis-server on loopback (started
 * here on a free port, nothing saved to disk, stopped at the end): two
 * handles share the counts as two gateway processes would, a slot held by
 * a process that dies runs out with its lease, a live holder keeps its
 * slot past the lease, a lost script is loaded again, and a dead Redis is
 * refused fast (fail closed), then used again once it is back. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "gw_quota.h"
#include "gw_quota_redis.h"

#define REDIS_SERVER "/usr/bin/redis-server"

static pid_t redis_pid = -1;
static int redis_port;
static char redis_url[64];

static uint64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sleep_ms(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) != 0 && errno == EINTR)
		;
}

static int free_port(void)
{
	struct sockaddr_in a;
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port;

	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &len), 0);
	port = ntohs(a.sin_port);
	close(fd);
	return port;
}

static redisContext *raw(void)
{
	redisContext *c = redisConnect("127.0.0.1", redis_port);

	assert_non_null(c);
	assert_int_equal(c->err, 0);
	return c;
}

static void redis_start(void)
{
	char port[16];
	int i;

	snprintf(port, sizeof(port), "%d", redis_port);
	redis_pid = fork();
	assert_true(redis_pid >= 0);
	if (redis_pid == 0) {
		int null = open("/dev/null", 1);

		dup2(null, 1);
		execl(REDIS_SERVER, REDIS_SERVER, "--port", port, "--bind", "127.0.0.1", "--save", "",
		      "--appendonly", "no", "--dir", "/tmp", (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 200; i++) {
		redisContext *c = redisConnect("127.0.0.1", redis_port);
		redisReply *r = c && !c->err ? redisCommand(c, "PING") : NULL;
		int up = r && r->type == REDIS_REPLY_STATUS;

		if (r)
			freeReplyObject(r);
		if (c)
			redisFree(c);
		if (up)
			return;
		sleep_ms(25);
	}
	fail_msg("redis-server did not start on port %d", redis_port);
}

static void redis_kill(void)
{
	if (redis_pid > 0) {
		kill(redis_pid, SIGKILL);
		waitpid(redis_pid, NULL, 0);
		redis_pid = -1;
	}
}

static int setup(void **state)
{
	(void)state;
	if (access(REDIS_SERVER, X_OK) != 0) {
		fprintf(stderr, "%s missing (scripts/install-deps.sh installs it)\n", REDIS_SERVER);
		return -1;
	}
	redis_port = free_port();
	snprintf(redis_url, sizeof(redis_url), "redis://127.0.0.1:%d", redis_port);
	redis_start();
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	redis_kill();
	return 0;
}

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

static gw_quota *connect_quota(void)
{
	gw_quota *q = NULL;
	char err[256] = "";

	if (gw_quota_new(&q, redis_url, err, sizeof(err)) != 0)
		fail_msg("gw_quota_new: %s", err);
	return q;
}

static void test_gw_quota_redis__url(void **state)
{
	gw_redis_url u;
	char err[256];

	(void)state;
	assert_int_equal(gw_redis_url_parse(&u, "redis://localhost", err, sizeof(err)), 0);
	assert_string_equal(u.host, "localhost");
	assert_int_equal(u.port, 6379);
	assert_int_equal(u.db, 0);
	assert_string_equal(u.password, "");
	assert_int_equal(gw_redis_url_parse(&u, "redis://:s3cr%40t@10.0.0.5:6380/3", err, sizeof(err)), 0);
	assert_string_equal(u.host, "10.0.0.5");
	assert_int_equal(u.port, 6380);
	assert_int_equal(u.db, 3);
	assert_string_equal(u.password, "s3cr@t");
	assert_string_equal(u.display, "redis://10.0.0.5:6380/3");
	assert_int_equal(gw_redis_url_parse(&u, "redis://gw:pw@[::1]:7000/", err, sizeof(err)), 0);
	assert_string_equal(u.host, "::1");
	assert_string_equal(u.user, "gw");
	assert_string_equal(u.display, "redis://[::1]:7000/0");

	/* Refused, and the password is in none of the messages. */
	{
		static const char *const bad[] = {
			"rediss://:hunter2@host:6379", "http://:hunter2@host", "redis://:hunter2@host:0",
			"redis://:hunter2@host:99999", "redis://:hunter2@host/x", "redis://:hunter2@host/1?a=b",
			"redis://hunter2@host", "redis://:hunter2@", "hunter2",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			err[0] = '\0';
			assert_int_equal(gw_redis_url_parse(&u, bad[i], err, sizeof(err)), -1);
			assert_true(err[0]);
			if (strstr(err, "hunter2"))
				fail_msg("%s: the message shows the password: %s", bad[i], err);
		}
	}
}

static void test_gw_quota_redis__refused_at_start(void **state)
{
	gw_quota *q = NULL;
	char err[256] = "", url[96];
	int port = free_port();

	(void)state;
	snprintf(url, sizeof(url), "redis://:topsecret@127.0.0.1:%d/2", port);
	assert_int_equal(gw_quota_new(&q, url, err, sizeof(err)), -1);
	assert_null(q);
	assert_non_null(strstr(err, "redis://127.0.0.1:"));
	assert_non_null(strstr(err, "onnection refused"));
	assert_null(strstr(err, "topsecret"));
	/* A wrong password on a server without one: refused, not shown. */
	snprintf(url, sizeof(url), "redis://:topsecret@127.0.0.1:%d", redis_port);
	assert_int_equal(gw_quota_new(&q, url, err, sizeof(err)), -1);
	assert_null(strstr(err, "topsecret"));
}

static void test_gw_quota_redis__shared_counts(void **state)
{
	gw_quota *a = connect_quota(), *b = connect_quota();
	gw_key k = make_key("alice", 3, 1000, 0);
	gw_quota_ticket t1, t2, t3, t4;
	uint64_t now = now_ms();
	unsigned ra;
	redisContext *c;
	redisReply *r;
	char name[128];

	(void)state;
	/* Keep clear of a minute boundary. */
	if (now % 60000 > 55000) {
		sleep_ms((unsigned)(60000 - now % 60000) + 50);
		now = now_ms();
	}
	assert_int_equal(gw_quota_admit(&t1, &ra, a, &k, 600, now), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&t2, &ra, b, &k, 600, now), GW_QUOTA_TPM);
	assert_true(ra >= 1 && ra <= 60);
	assert_int_equal(gw_quota_admit(&t2, &ra, b, &k, 400, now), GW_QUOTA_OK);
	/* b gives back 300 of its 400: a can take 300. */
	gw_quota_settle(b, &t2, 100);
	assert_int_equal(gw_quota_admit(&t3, &ra, a, &k, 301, now), GW_QUOTA_TPM);
	assert_int_equal(gw_quota_admit(&t3, &ra, a, &k, 300, now), GW_QUOTA_OK);
	/* Three requests counted across both: the fourth is refused by either. */
	assert_int_equal(gw_quota_admit(&t4, &ra, b, &k, 0, now), GW_QUOTA_RPM);
	assert_int_equal(ra, (unsigned)((60000 - now % 60000 + 999) / 1000));
	assert_int_equal(gw_quota_admit(&t4, &ra, a, &k, 0, now), GW_QUOTA_RPM);

	/* The counters are where docs/gateway.md says, and expire. */
	c = raw();
	snprintf(name, sizeof(name), "bedrock-gw:{alice}:rpm:%llu", (unsigned long long)(now / 60000));
	r = redisCommand(c, "GET %s", name);
	assert_int_equal(r->type, REDIS_REPLY_STRING);
	assert_string_equal(r->str, "3");
	freeReplyObject(r);
	r = redisCommand(c, "TTL %s", name);
	assert_true(r->integer > 0 && r->integer <= 120);
	freeReplyObject(r);
	snprintf(name, sizeof(name), "bedrock-gw:{alice}:tpm:%llu", (unsigned long long)(now / 60000));
	r = redisCommand(c, "GET %s", name);
	assert_string_equal(r->str, "1000");
	freeReplyObject(r);
	redisFree(c);

	gw_quota_settle(a, &t1, 600);
	gw_quota_settle(a, &t3, 300);
	gw_quota_free(a);
	gw_quota_free(b);
}

static void test_gw_quota_redis__slots(void **state)
{
	gw_quota *a = connect_quota(), *b = connect_quota();
	gw_key k = make_key("slots", 0, 0, 2);
	gw_quota_ticket t1, t2, t3;
	unsigned ra;

	(void)state;
	assert_int_equal(gw_quota_admit(&t1, &ra, a, &k, 0, now_ms()), GW_QUOTA_OK);
	assert_true(t1.holds_slot);
	assert_int_equal(gw_quota_admit(&t2, &ra, b, &k, 0, now_ms()), GW_QUOTA_OK);
	assert_int_equal(gw_quota_admit(&t3, &ra, a, &k, 0, now_ms()), GW_QUOTA_CONCURRENT);
	assert_int_equal(ra, 1);
	assert_int_equal(gw_quota_admit(&t3, &ra, b, &k, 0, now_ms()), GW_QUOTA_CONCURRENT);
	gw_quota_settle(b, &t2, 0);
	assert_int_equal(gw_quota_admit(&t3, &ra, a, &k, 0, now_ms()), GW_QUOTA_OK);
	gw_quota_settle(a, &t1, 0);
	gw_quota_settle(a, &t3, 0);
	gw_quota_free(a);
	gw_quota_free(b);
}

/* A gateway that dies holding a slot: the slot runs out with its lease.
 * One that lives keeps it past the lease (the refresh thread). */
static void test_gw_quota_redis__leases(void **state)
{
	gw_key k = make_key("lease", 0, 0, 1);
	gw_quota_ticket t, u;
	gw_quota *q;
	unsigned ra;
	int status;
	pid_t pid;

	(void)state;
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		gw_quota *dying = NULL;
		char err[256];

		if (gw_quota_new(&dying, redis_url, err, sizeof(err)) != 0)
			_exit(2);
		gw_quota_set_lease_ms(dying, 1500);
		_exit(gw_quota_admit(&t, &ra, dying, &k, 0, now_ms()) == GW_QUOTA_OK ? 0 : 3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	q = connect_quota();
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_CONCURRENT);
	sleep_ms(1800);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_OK);

	/* Held by a live handle with a 600 ms lease, for 2 s. */
	gw_quota_set_lease_ms(q, 600);
	gw_quota_settle(q, &t, 0);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_OK);
	sleep_ms(2000);
	{
		gw_quota *other = connect_quota();

		assert_int_equal(gw_quota_admit(&u, &ra, other, &k, 0, now_ms()), GW_QUOTA_CONCURRENT);
		gw_quota_settle(q, &t, 0);
		assert_int_equal(gw_quota_admit(&u, &ra, other, &k, 0, now_ms()), GW_QUOTA_OK);
		gw_quota_settle(other, &u, 0);
		gw_quota_free(other);
	}
	gw_quota_free(q);
}

/* SCRIPT FLUSH (or a restarted server): EVALSHA fails, EVAL works. */
static void test_gw_quota_redis__script_lost(void **state)
{
	gw_quota *q = connect_quota();
	gw_key k = make_key("flush", 2, 0, 0);
	gw_quota_ticket t;
	redisContext *c = raw();
	unsigned ra;

	(void)state;
	freeReplyObject(redisCommand(c, "SCRIPT FLUSH"));
	redisFree(c);
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 0);
	gw_quota_free(q);
}

/* Redis killed: refused at once (fail closed), never a wait past the
 * timeout; back in use once Redis is. */
static void test_gw_quota_redis__down_and_back(void **state)
{
	gw_quota *q = connect_quota();
	gw_key k = make_key("down", 100, 0, 5);
	gw_quota_ticket t;
	uint64_t t0, took;
	unsigned ra;
	int i, ok = 0;

	(void)state;
	assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_OK);
	gw_quota_settle(q, &t, 0);
	redis_kill();
	for (i = 0; i < 5; i++) {
		t0 = now_ms();
		assert_int_equal(gw_quota_admit(&t, &ra, q, &k, 0, now_ms()), GW_QUOTA_UNAVAILABLE);
		took = now_ms() - t0;
		assert_true(ra >= 1);
		if (took > 400)
			fail_msg("a refusal took %llu ms", (unsigned long long)took);
	}
	assert_string_equal(gw_quota_verdict_name(GW_QUOTA_UNAVAILABLE), "unavailable");
	redis_start();
	/* After the pause between tries (500 ms), a new connection; the new
	 * server has no script: EVAL loads it. */
	for (i = 0; i < 40 && !ok; i++) {
		if (gw_quota_admit(&t, &ra, q, &k, 0, now_ms()) == GW_QUOTA_OK)
			ok = 1;
		else
			sleep_ms(50);
	}
	assert_true(ok);
	gw_quota_settle(q, &t, 0);
	gw_quota_free(q);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_quota_redis__url),
		cmocka_unit_test(test_gw_quota_redis__refused_at_start),
		cmocka_unit_test(test_gw_quota_redis__shared_counts),
		cmocka_unit_test(test_gw_quota_redis__slots),
		cmocka_unit_test(test_gw_quota_redis__leases),
		cmocka_unit_test(test_gw_quota_redis__script_lost),
		cmocka_unit_test(test_gw_quota_redis__down_and_back),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
