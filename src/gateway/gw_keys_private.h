/* gw_keys' inside, for its tests: the digest match on its own, and a
 * count of digest comparisons that shows every key is compared every
 * time (the constant-time path). */
#ifndef BEDROCK_GW_KEYS_PRIVATE_H
#define BEDROCK_GW_KEYS_PRIVATE_H

#include "gw_config.h"

/* Comparisons made by this thread (never reset by gw_keys). */
extern _Thread_local unsigned long gw_keys__compares;

/* The key whose digest is SHA-256(presented), or NULL; *nomem set when
 * hashing failed. */
const gw_key *gw_keys__match(const gw_config *cfg, const char *presented, int *nomem);

#endif
