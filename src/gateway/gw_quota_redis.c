/* Quotas shared through Redis (hiredis, synchronous).
 *
 * Keys, for a key named NAME (the braces are a Redis Cluster hash tag: a
 * key's counters live in one slot, so one script may touch them all):
 *   bedrock-gw:{NAME}:rpm:MINUTE   requests admitted in that epoch minute
 *   bedrock-gw:{NAME}:tpm:MINUTE   tokens reserved, then reconciled
 *   bedrock-gw:{NAME}:slots        sorted set: one member per request in
 *                                  flight, scored by its lease's expiry (ms)
 * The minute counters expire 120 s after their last change.
 *
 * Admission is one Lua script (EVALSHA, EVAL when Redis lost it): it
 * checks the three limits and counts the request only if all pass, so two
 * gateways can never both take the last unit. Slots are leases rather
 * than a counter: a gateway that dies holding slots cannot leak them, as
 * the script drops expired members before counting. A thread refreshes the
 * leases this process holds every third of the lease (30 s by default), so
 * a long stream keeps its slot. Settling is a second script: the token
 * difference (INCRBY, only if the window still exists, so no key is made
 * without an expiry) and the slot's removal.
 *
 * Connections: a small locked pool; each has a 200 ms connect and command
 * timeout. A failure closes the connection and empties the pool; for the
 * next 500 ms requests are refused at once (GW_QUOTA_UNAVAILABLE: fail
 * closed) instead of each waiting on a dead server; then a new connection
 * is tried. No request waits on Redis longer than the timeout. */
#include <curl/curl.h>
#include <errno.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "crypto.h"
#include "gw_quota_redis.h"

#define QR_TIMEOUT_MS 200
#define QR_BACKOFF_MS 500
#define QR_POOL_MAX 16
#define QR_WINDOW_TTL_S 120
#define QR_LEASE_MS 30000

static const char admit_lua[] =
	"local rpm_limit = tonumber(ARGV[1])\n"
	"local tpm_limit = tonumber(ARGV[2])\n"
	"local conc_limit = tonumber(ARGV[3])\n"
	"local reserve = tonumber(ARGV[4])\n"
	"local now = tonumber(ARGV[5])\n"
	"local lease = tonumber(ARGV[6])\n"
	"if rpm_limit > 0 then\n"
	"  local n = tonumber(redis.call('GET', KEYS[1]) or '0')\n"
	"  if n + 1 > rpm_limit then return 1 end\n"
	"end\n"
	"if tpm_limit > 0 then\n"
	"  local n = tonumber(redis.call('GET', KEYS[2]) or '0')\n"
	"  if n > 0 and n + reserve > tpm_limit then return 2 end\n"
	"end\n"
	"if conc_limit > 0 then\n"
	"  redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now)\n"
	"  if redis.call('ZCARD', KEYS[3]) >= conc_limit then return 3 end\n"
	"  redis.call('ZADD', KEYS[3], now + lease, ARGV[7])\n"
	"  redis.call('PEXPIRE', KEYS[3], lease * 2)\n"
	"end\n"
	"redis.call('INCR', KEYS[1])\n"
	"redis.call('EXPIRE', KEYS[1], ARGV[8])\n"
	"redis.call('INCRBY', KEYS[2], ARGV[4])\n"
	"redis.call('EXPIRE', KEYS[2], ARGV[8])\n"
	"return 0\n";

static const char settle_lua[] =
	"if ARGV[1] ~= '0' and redis.call('EXISTS', KEYS[1]) == 1 then\n"
	"  redis.call('INCRBY', KEYS[1], ARGV[1])\n"
	"end\n"
	"if ARGV[2] ~= '' then redis.call('ZREM', KEYS[2], ARGV[2]) end\n"
	"return 0\n";

/* One slot this process holds, refreshed until settled. */
typedef struct qlease {
	struct qlease *prev, *next;
	char member[64];
	char zkey[];
} qlease;

struct gw_qredis {
	gw_redis_url url;
	char sha_admit[41], sha_settle[41];
	pthread_mutex_t lock;		/* the pool, the leases, down_until */
	redisContext *idle[QR_POOL_MAX];
	size_t nidle;
	uint64_t down_until;		/* monotonic ms: refuse at once until then */
	unsigned lease_ms;
	char instance[17];		/* random: this handle's slot members */
	uint64_t next_slot;
	pthread_t heart;
	pthread_cond_t wake;
	int stop, heart_started;
	/* Sentinel of a circular list; last, as its zkey[] is a flexible array. */
	qlease leases;
};

static uint64_t clock_ms(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* ---- URL ------------------------------------------------------------------ */

static int url_part(CURLU *u, CURLUPart part, char *out, size_t cap, unsigned flags)
{
	char *v = NULL;
	CURLUcode rc = curl_url_get(u, part, &v, flags);
	size_t n;

	out[0] = '\0';
	if (rc != CURLUE_OK)
		return 0;
	n = strlen(v);
	if (n >= cap) {
		bedrock__wipe(v, n);
		curl_free(v);
		return -1;
	}
	memcpy(out, v, n + 1);
	bedrock__wipe(v, n);
	curl_free(v);
	return 1;
}

int gw_redis_url_parse(gw_redis_url *out, const char *url, char *err, size_t err_cap)
{
	CURLU *u = curl_url();
	char scheme[16], port[16], path[64], extra[8];
	int ok = -1;

	memset(out, 0, sizeof(*out));
	if (!u) {
		snprintf(err, err_cap, "redis: out of memory");
		return -1;
	}
	/* The URL may hold a password: messages never quote it. */
	if (strncmp(url, "redis://", 8) != 0) {
		snprintf(err, err_cap, "redis: the URL must start with redis:// (TLS, rediss://, is not supported)");
		goto done;
	}
	if (curl_url_set(u, CURLUPART_URL, url, CURLU_NON_SUPPORT_SCHEME) != CURLUE_OK ||
	    url_part(u, CURLUPART_SCHEME, scheme, sizeof(scheme), 0) != 1) {
		snprintf(err, err_cap, "redis: not a URL: use redis://[:PASSWORD@]HOST:PORT[/DB]");
		goto done;
	}
	if (url_part(u, CURLUPART_HOST, out->host, sizeof(out->host), 0) != 1 || !out->host[0]) {
		snprintf(err, err_cap, "redis: the URL has no host: use redis://[:PASSWORD@]HOST:PORT[/DB]");
		goto done;
	}
	if (url_part(u, CURLUPART_QUERY, extra, sizeof(extra), 0) != 0 ||
	    url_part(u, CURLUPART_FRAGMENT, extra, sizeof(extra), 0) != 0) {
		snprintf(err, err_cap, "redis: the URL may not have a query or a fragment");
		goto done;
	}
	/* [::1] -> ::1 for hiredis. */
	if (out->host[0] == '[') {
		size_t n = strlen(out->host);

		memmove(out->host, out->host + 1, n - 2);
		out->host[n - 2] = '\0';
	}
	out->port = 6379;
	if (url_part(u, CURLUPART_PORT, port, sizeof(port), 0) == 1)
		out->port = atoi(port);	/* curl checked it: 1..65535 digits */
	if (out->port <= 0 || out->port > 65535) {
		snprintf(err, err_cap, "redis: the port must be 1-65535");
		goto done;
	}
	if (url_part(u, CURLUPART_PATH, path, sizeof(path), 0) < 0) {
		snprintf(err, err_cap, "redis: the database must be a number: redis://HOST:PORT/DB");
		goto done;
	}
	if (path[0] && strcmp(path, "/")) {
		char *end;
		long db;

		errno = 0;
		db = strtol(path + 1, &end, 10);
		if (*end || errno || db < 0 || db > 65535 || path[1] < '0' || path[1] > '9') {
			snprintf(err, err_cap, "redis: the database must be a number: redis://HOST:PORT/DB");
			goto done;
		}
		out->db = (int)db;
	}
	if (url_part(u, CURLUPART_USER, out->user, sizeof(out->user), CURLU_URLDECODE) < 0 ||
	    url_part(u, CURLUPART_PASSWORD, out->password, sizeof(out->password), CURLU_URLDECODE) < 0) {
		snprintf(err, err_cap, "redis: the user name or password in the URL is too long");
		goto done;
	}
	if (out->user[0] && !out->password[0]) {
		snprintf(err, err_cap, "redis: a user name without a password: use redis://:PASSWORD@HOST "
				       "or redis://USER:PASSWORD@HOST");
		goto done;
	}
	snprintf(out->display, sizeof(out->display), "redis://%s%s%s:%d/%d",
		 strchr(out->host, ':') ? "[" : "", out->host, strchr(out->host, ':') ? "]" : "",
		 out->port, out->db);
	ok = 0;
done:
	curl_url_cleanup(u);
	if (ok != 0)
		bedrock__wipe(out, sizeof(*out));
	return ok;
}

/* ---- connections ---------------------------------------------------------- */

/* A connected, authenticated context on the right database, or NULL with
 * why in err. */
static redisContext *dial(gw_qredis *r, char *err, size_t err_cap)
{
	struct timeval tv = { 0, QR_TIMEOUT_MS * 1000 };
	redisContext *c = redisConnectWithTimeout(r->url.host, r->url.port, tv);
	redisReply *rep = NULL;

	if (!c || c->err) {
		snprintf(err, err_cap, "%s: %s", r->url.display, c ? c->errstr : "out of memory");
		if (c)
			redisFree(c);
		return NULL;
	}
	redisSetTimeout(c, tv);
	if (r->url.password[0]) {
		if (r->url.user[0])
			rep = redisCommand(c, "AUTH %s %s", r->url.user, r->url.password);
		else
			rep = redisCommand(c, "AUTH %s", r->url.password);
		if (!rep || rep->type == REDIS_REPLY_ERROR) {
			/* Redis's reply (WRONGPASS ...) never quotes the password,
			 * but say it our way anyway. */
			snprintf(err, err_cap, "%s: %s", r->url.display,
				 rep ? "authentication refused (check the password in the redis: URL)"
				     : c->errstr);
			goto fail;
		}
		freeReplyObject(rep);
	}
	if (r->url.db) {
		rep = redisCommand(c, "SELECT %d", r->url.db);
		if (!rep || rep->type == REDIS_REPLY_ERROR) {
			snprintf(err, err_cap, "%s: SELECT %d: %s", r->url.display, r->url.db,
				 rep ? rep->str : c->errstr);
			goto fail;
		}
		freeReplyObject(rep);
	}
	return c;
fail:
	if (rep)
		freeReplyObject(rep);
	redisFree(c);
	return NULL;
}

static void drop_pool_locked(gw_qredis *r)
{
	while (r->nidle)
		redisFree(r->idle[--r->nidle]);
}

/* A connection from the pool or a new one; NULL while Redis is down. */
static redisContext *take(gw_qredis *r)
{
	redisContext *c = NULL;
	char err[256];

	pthread_mutex_lock(&r->lock);
	if (r->nidle)
		c = r->idle[--r->nidle];
	else if (clock_ms(CLOCK_MONOTONIC) < r->down_until) {
		pthread_mutex_unlock(&r->lock);
		return NULL;
	}
	pthread_mutex_unlock(&r->lock);
	if (c)
		return c;
	c = dial(r, err, sizeof(err));
	if (!c) {
		pthread_mutex_lock(&r->lock);
		r->down_until = clock_ms(CLOCK_MONOTONIC) + QR_BACKOFF_MS;
		pthread_mutex_unlock(&r->lock);
	}
	return c;
}

/* Back to the pool if it still works; else closed, with the pool (its
 * peers are likely as dead) and a pause before the next try. */
static void give(gw_qredis *r, redisContext *c, int ok)
{
	pthread_mutex_lock(&r->lock);
	if (ok && !c->err && r->nidle < QR_POOL_MAX) {
		r->idle[r->nidle++] = c;
		c = NULL;
	} else if (!ok || c->err) {
		drop_pool_locked(r);
		r->down_until = clock_ms(CLOCK_MONOTONIC) + QR_BACKOFF_MS;
	}
	pthread_mutex_unlock(&r->lock);
	if (c)
		redisFree(c);
}

static int load_script(redisContext *c, const char *lua, char sha[41])
{
	redisReply *rep = redisCommand(c, "SCRIPT LOAD %s", lua);
	int ok = rep && rep->type == REDIS_REPLY_STRING && rep->len == 40;

	if (ok)
		memcpy(sha, rep->str, 41);
	if (rep)
		freeReplyObject(rep);
	return ok ? 0 : -1;
}

/* EVALSHA, or EVAL when the server lost the script (a restart, SCRIPT
 * FLUSH). The integer the script returned, or -1. */
static long long run_script(redisContext *c, const char *sha, const char *lua, int nkeys,
			    const char **args, size_t nargs)
{
	const char *argv[16];
	size_t lens[16], i;
	char nk[8];
	redisReply *rep;
	long long v = -1;

	snprintf(nk, sizeof(nk), "%d", nkeys);
	argv[0] = "EVALSHA";
	argv[1] = sha;
	argv[2] = nk;
	for (i = 0; i < nargs && i + 3 < 16; i++)
		argv[i + 3] = args[i];
	for (i = 0; i < nargs + 3; i++)
		lens[i] = strlen(argv[i]);
	rep = redisCommandArgv(c, (int)(nargs + 3), argv, lens);
	if (rep && rep->type == REDIS_REPLY_ERROR && !strncmp(rep->str, "NOSCRIPT", 8)) {
		freeReplyObject(rep);
		argv[0] = "EVAL";
		argv[1] = lua;
		lens[0] = 4;
		lens[1] = strlen(lua);
		rep = redisCommandArgv(c, (int)(nargs + 3), argv, lens);
	}
	if (rep && rep->type == REDIS_REPLY_INTEGER)
		v = rep->integer;
	if (rep)
		freeReplyObject(rep);
	return v;
}

/* ---- leases --------------------------------------------------------------- */

/* Every third of the lease: push the expiry of each slot held here. */
static void *heartbeat(void *arg)
{
	gw_qredis *r = arg;

	pthread_mutex_lock(&r->lock);
	while (!r->stop) {
		struct timespec until;
		uint64_t at = clock_ms(CLOCK_REALTIME) + r->lease_ms / 3;
		qlease *l;
		char **copy = NULL;
		size_t n = 0, i;
		unsigned lease;

		until.tv_sec = (time_t)(at / 1000);
		until.tv_nsec = (long)(at % 1000) * 1000000;
		pthread_cond_timedwait(&r->wake, &r->lock, &until);
		if (r->stop)
			break;
		lease = r->lease_ms;
		for (l = r->leases.next; l != &r->leases; l = l->next)
			n++;
		if (n)
			copy = calloc(2 * n, sizeof(*copy));
		i = 0;
		for (l = r->leases.next; copy && l != &r->leases; l = l->next, i += 2) {
			copy[i] = strdup(l->zkey);
			copy[i + 1] = strdup(l->member);
		}
		pthread_mutex_unlock(&r->lock);
		if (copy) {
			redisContext *c = take(r);
			int ok = 1;

			if (c) {
				char score[32];
				size_t sent = 0;

				snprintf(score, sizeof(score), "%" PRIu64,
					 clock_ms(CLOCK_REALTIME) + lease);
				for (i = 0; i < 2 * n; i += 2) {
					if (!copy[i] || !copy[i + 1])
						continue;
					/* XX: a slot settled since the copy is not brought back. */
					redisAppendCommand(c, "ZADD %s XX %s %s", copy[i], score, copy[i + 1]);
					redisAppendCommand(c, "PEXPIRE %s %u", copy[i], 2 * lease);
					sent += 2;
				}
				while (sent--) {
					void *rep = NULL;

					if (redisGetReply(c, &rep) != REDIS_OK) {
						ok = 0;
						break;
					}
					freeReplyObject(rep);
				}
				give(r, c, ok);
			}
			for (i = 0; i < 2 * n; i++)
				free(copy[i]);
			free(copy);
		}
		pthread_mutex_lock(&r->lock);
	}
	pthread_mutex_unlock(&r->lock);
	return NULL;
}

/* ---- the handle ----------------------------------------------------------- */

int gw_qredis_new(gw_qredis **out, const char *url, char *err, size_t err_cap)
{
	gw_qredis *r = calloc(1, sizeof(*r));
	redisContext *c;
	uint8_t rnd[8];
	size_t i;

	*out = NULL;
	if (!r) {
		snprintf(err, err_cap, "redis: out of memory");
		return -1;
	}
	if (gw_redis_url_parse(&r->url, url, err, err_cap) != 0) {
		free(r);
		return -1;
	}
	pthread_mutex_init(&r->lock, NULL);
	pthread_cond_init(&r->wake, NULL);
	r->lease_ms = QR_LEASE_MS;
	r->leases.next = r->leases.prev = &r->leases;
	if (bedrock__random(rnd, sizeof(rnd)) != 0) {
		uint64_t t = clock_ms(CLOCK_REALTIME) ^ ((uint64_t)getpid() << 32);

		memcpy(rnd, &t, sizeof(rnd));
	}
	for (i = 0; i < sizeof(rnd); i++)
		snprintf(r->instance + 2 * i, 3, "%02x", rnd[i]);

	c = dial(r, err, err_cap);
	if (!c)
		goto fail;
	if (load_script(c, admit_lua, r->sha_admit) != 0 ||
	    load_script(c, settle_lua, r->sha_settle) != 0) {
		snprintf(err, err_cap, "%s: SCRIPT LOAD refused (Redis 2.6 or later with Lua is needed)",
			 r->url.display);
		redisFree(c);
		goto fail;
	}
	give(r, c, 1);
	if (pthread_create(&r->heart, NULL, heartbeat, r) != 0) {
		snprintf(err, err_cap, "redis: cannot start the lease thread");
		goto fail;
	}
	r->heart_started = 1;
	*out = r;
	return 0;
fail:
	gw_qredis_free(r);
	return -1;
}

void gw_qredis_free(gw_qredis *r)
{
	qlease *l, *next;

	if (!r)
		return;
	pthread_mutex_lock(&r->lock);
	r->stop = 1;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
	if (r->heart_started)
		pthread_join(r->heart, NULL);
	drop_pool_locked(r);
	/* Slots still held run out with their leases. */
	for (l = r->leases.next; l != &r->leases; l = next) {
		next = l->next;
		free(l);
	}
	pthread_cond_destroy(&r->wake);
	pthread_mutex_destroy(&r->lock);
	bedrock__wipe(&r->url, sizeof(r->url));
	free(r);
}

void gw_qredis_set_lease_ms(gw_qredis *r, unsigned lease_ms)
{
	pthread_mutex_lock(&r->lock);
	r->lease_ms = lease_ms < 30 ? 30 : lease_ms;
	pthread_cond_signal(&r->wake);
	pthread_mutex_unlock(&r->lock);
}

static void key_names(char *rpm, char *tpm, char *slots, size_t cap, const char *name,
		      uint64_t minute)
{
	snprintf(rpm, cap, "bedrock-gw:{%s}:rpm:%" PRIu64, name, minute);
	snprintf(tpm, cap, "bedrock-gw:{%s}:tpm:%" PRIu64, name, minute);
	snprintf(slots, cap, "bedrock-gw:{%s}:slots", name);
}

gw_quota_verdict gw_qredis_admit(gw_qredis *r, gw_quota_ticket *t, unsigned *retry_after_s,
				 const gw_key *key, uint64_t reserve_tokens, uint64_t now_ms)
{
	char krpm[320], ktpm[320], kslots[320], a_rpm[24], a_tpm[24], a_conc[16], a_res[24],
		a_now[24], a_lease[16], a_ttl[16], member[64];
	const char *args[11];
	redisContext *c;
	unsigned lease_ms;
	long long v;

	if (strlen(key->name) > 256) {	/* names are short; never truncate one into another */
		*retry_after_s = 1;
		return GW_QUOTA_UNAVAILABLE;
	}
	key_names(krpm, ktpm, kslots, sizeof(krpm), key->name, t->minute);
	pthread_mutex_lock(&r->lock);
	snprintf(member, sizeof(member), "%s:%" PRIu64, r->instance, ++r->next_slot);
	lease_ms = r->lease_ms;
	pthread_mutex_unlock(&r->lock);
	snprintf(a_rpm, sizeof(a_rpm), "%" PRIu64, key->rpm);
	snprintf(a_tpm, sizeof(a_tpm), "%" PRIu64, key->tpm);
	snprintf(a_conc, sizeof(a_conc), "%" PRIu32, key->max_concurrent);
	snprintf(a_res, sizeof(a_res), "%" PRIu64, reserve_tokens);
	snprintf(a_now, sizeof(a_now), "%" PRIu64, now_ms);
	snprintf(a_lease, sizeof(a_lease), "%u", lease_ms);
	snprintf(a_ttl, sizeof(a_ttl), "%d", QR_WINDOW_TTL_S);
	args[0] = krpm;
	args[1] = ktpm;
	args[2] = kslots;
	args[3] = a_rpm;
	args[4] = a_tpm;
	args[5] = a_conc;
	args[6] = a_res;
	args[7] = a_now;
	args[8] = a_lease;
	args[9] = member;
	args[10] = a_ttl;

	c = take(r);
	if (!c) {
		*retry_after_s = 1;
		return GW_QUOTA_UNAVAILABLE;
	}
	v = run_script(c, r->sha_admit, admit_lua, 3, args, 11);
	give(r, c, v >= 0);
	switch (v) {
	case 0:
		break;
	case 1:
	case 2:
		*retry_after_s = (unsigned)((60000 - now_ms % 60000 + 999) / 1000);
		return v == 1 ? GW_QUOTA_RPM : GW_QUOTA_TPM;
	case 3:
		*retry_after_s = 1;
		return GW_QUOTA_CONCURRENT;
	default:
		*retry_after_s = 1;
		return GW_QUOTA_UNAVAILABLE;
	}
	t->reserved_tokens = reserve_tokens;
	if (key->max_concurrent) {
		size_t zlen = strlen(kslots);
		qlease *l = malloc(sizeof(*l) + zlen + 1);

		t->holds_slot = 1;
		/* Without memory for the lease the slot is still held; it is
		 * just not refreshed (it runs out after lease_ms). */
		if (l) {
			memcpy(l->zkey, kslots, zlen + 1);
			snprintf(l->member, sizeof(l->member), "%s", member);
			pthread_mutex_lock(&r->lock);
			l->next = &r->leases;
			l->prev = r->leases.prev;
			r->leases.prev->next = l;
			r->leases.prev = l;
			pthread_mutex_unlock(&r->lock);
			t->lease = l;
		}
	}
	return GW_QUOTA_OK;
}

void gw_qredis_settle(gw_qredis *r, gw_quota_ticket *t, uint64_t used_tokens)
{
	char krpm[320], ktpm[320], kslots[320], delta[32], member[64] = "";
	const char *args[4];
	qlease *l = t->lease;
	redisContext *c;
	long long v;

	if (l) {
		pthread_mutex_lock(&r->lock);
		l->prev->next = l->next;
		l->next->prev = l->prev;
		pthread_mutex_unlock(&r->lock);
		snprintf(member, sizeof(member), "%s", l->member);
		free(l);
		t->lease = NULL;
	}
	if (used_tokens >= t->reserved_tokens)
		snprintf(delta, sizeof(delta), "%" PRIu64, used_tokens - t->reserved_tokens);
	else
		snprintf(delta, sizeof(delta), "-%" PRIu64, t->reserved_tokens - used_tokens);
	if (!strcmp(delta, "0") && !member[0])
		return;
	key_names(krpm, ktpm, kslots, sizeof(krpm), t->key->name, t->minute);
	args[0] = ktpm;
	args[1] = kslots;
	args[2] = delta;
	args[3] = member;
	c = take(r);
	/* Redis down: the tokens stay as reserved and the slot runs out with
	 * its lease. */
	if (!c)
		return;
	v = run_script(c, r->sha_settle, settle_lua, 2, args, 4);
	give(r, c, v >= 0);
	t->holds_slot = 0;
}
