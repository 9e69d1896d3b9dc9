/* The Redis side of gw_quota (gw_quota_redis.c): the same admit and settle,
 * counted in Redis so that several gateway processes share them. Only
 * gw_quota.c calls these. */
#ifndef BEDROCK_GW_QUOTA_REDIS_H
#define BEDROCK_GW_QUOTA_REDIS_H

#include <stddef.h>
#include <stdint.h>

#include "gw_quota.h"

typedef struct gw_qredis gw_qredis;

/* Parses url, connects once and loads the scripts: 0, or -1 with err
 * ("redis://HOST:PORT/DB: connection refused"; never the password). */
int gw_qredis_new(gw_qredis **out, const char *url, char *err, size_t err_cap);
void gw_qredis_free(gw_qredis *r);

gw_quota_verdict gw_qredis_admit(gw_qredis *r, gw_quota_ticket *t, unsigned *retry_after_s,
				 const gw_key *key, uint64_t reserve_tokens, uint64_t now_ms);
void gw_qredis_settle(gw_qredis *r, gw_quota_ticket *t, uint64_t used_tokens);
void gw_qredis_set_lease_ms(gw_qredis *r, unsigned lease_ms);

/* The parts of a redis:// URL. 0, or -1 with err (never the password).
 * Exposed for the tests. */
typedef struct gw_redis_url {
	char host[256];
	int port;
	int db;
	char user[128];
	char password[256];
	char display[320];	/* redis://HOST:PORT/DB, for messages */
} gw_redis_url;
int gw_redis_url_parse(gw_redis_url *out, const char *url, char *err, size_t err_cap);

#endif
