/* Internals shared by the messages*.c files. */
#ifndef BEDROCK_MESSAGES_PRIVATE_H
#define BEDROCK_MESSAGES_PRIVATE_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "bedrock/messages.h"
#include "json.h"

void bedrock__usage_init(bedrock_usage *u);
/* Fills u from a usage object: present fields replace u's. */
void bedrock__usage_read(bedrock_usage *u, const cJSON *usage);
void bedrock__metrics_init(bedrock_invocation_metrics *m);
/* Reads `amazon-bedrock-invocationMetrics` from obj; 1 if present. */
int bedrock__metrics_read(bedrock_invocation_metrics *m, const cJSON *obj);

/* Parses a message from a tree, which it takes over (deleted on failure).
 * raw may be NULL: the tree is printed instead. */
int bedrock__message_from_tree(bedrock_message **out, cJSON *tree, const char *raw, size_t raw_len);

/* The message's parsed tree, lent. */
const cJSON *bedrock__message_tree(const bedrock_message *msg);

#endif
