/* Per-key quotas: requests per minute, tokens per minute, requests in
 * flight. In-process by default; shared by several gateway processes
 * through Redis (hiredis) when the configuration has `redis:`.
 *
 * Windows are fixed minutes (epoch minute), as Anthropic's and LiteLLM's
 * limits are counted. Tokens are reserved on entry (the request's
 * max_tokens plus an estimate of its input) and reconciled when the
 * answer's usage is known, so a key cannot overspend by starting many
 * requests at once. Thread-safe. */
#ifndef BEDROCK_GW_QUOTA_H
#define BEDROCK_GW_QUOTA_H

#include <stdint.h>

#include "gw_config.h"

typedef struct gw_quota gw_quota;

/* redis_url NULL: in-process. 0, or -1 with err ("redis://…: connection
 * refused"; never a password). */
int gw_quota_new(gw_quota **out, const char *redis_url, char *err, size_t err_cap);
void gw_quota_free(gw_quota *q);

typedef enum gw_quota_verdict {
	GW_QUOTA_OK = 0,
	GW_QUOTA_RPM = 1,		/* requests per minute spent */
	GW_QUOTA_TPM = 2,		/* tokens per minute spent */
	GW_QUOTA_CONCURRENT = 3,	/* too many in flight */
	GW_QUOTA_UNAVAILABLE = 4	/* Redis unreachable: refused (fail closed), 503 */
} gw_quota_verdict;

/* What one admitted request holds; give it back with gw_quota_settle. */
typedef struct gw_quota_ticket {
	const gw_key *key;
	uint64_t minute;		/* the window the tokens were reserved in */
	uint64_t reserved_tokens;
	int holds_slot;			/* counted in max_concurrent */
	void *lease;			/* Redis: the slot's lease, refreshed while held (internal) */
} gw_quota_ticket;

/* Admits a request of key (rpm + 1, tpm + reserve_tokens, one slot), or
 * says which limit refused it and when to retry (seconds, >= 1: to the
 * next minute for rpm and tpm, 1 otherwise). Nothing is counted for a
 * refused request, nor for a key with no limit at all (no Redis round
 * trip). A reservation larger than the whole tpm gets into an empty
 * window only. now_ms: wall clock. */
gw_quota_verdict gw_quota_admit(gw_quota_ticket *out, unsigned *retry_after_s, gw_quota *q,
				const gw_key *key, uint64_t reserve_tokens, uint64_t now_ms);
/* 1 when admitting and settling key's requests are Redis round trips
 * (redis: set, and the key has a limit): work for a thread that may wait. */
int gw_quota_remote(const gw_quota *q, const gw_key *key);
/* The request is over: its slot is freed and the reserved tokens replaced
 * by used_tokens (input + output) in the window they were reserved in. */
void gw_quota_settle(gw_quota *q, gw_quota_ticket *t, uint64_t used_tokens);

/* Redis: how long a slot outlives a gateway that died holding it
 * (default 30000 ms; live holders refresh it every third of that). For
 * the tests; no effect in-process. */
void gw_quota_set_lease_ms(gw_quota *q, unsigned lease_ms);

/* "rpm", "tpm", "max_concurrent", "unavailable". */
const char *gw_quota_verdict_name(gw_quota_verdict v);

#endif
