/* `bedrock logging` on Vertex AI: a Claude model's request-response
 * logging to BigQuery (setPublisherModelConfig, fetchPublisherModelConfig),
 * as `bedrock logging` on Bedrock is the region's invocation logging. */
#ifndef BEDROCK_CLI_LOGGING_VERTEX_H
#define BEDROCK_CLI_LOGGING_VERTEX_H

#include <stddef.h>

typedef struct logging_vertex_args {
	const char *action;		/* "show", "enable" or "disable" */
	const char *model;		/* -m; NULL: the CLI's default model */
	const char *bigquery;		/* --bigquery bq://PROJECT.DATASET[.TABLE] */
	const char *sampling_rate;	/* --sampling-rate, as given; NULL: 1 */
} logging_vertex_args;

/* 0 if bq://PROJECT.DATASET or bq://PROJECT.DATASET.TABLE as BigQuery
 * names them; else -1 with what is wrong in why. */
int logging_vertex_check_uri(const char *uri, char *why, size_t cap);

/* Checks the options (nothing is sent with a bad one), then makes the
 * call and prints Vertex's answer as one JSON line. Returns the exit
 * status. */
int logging_vertex(const logging_vertex_args *a);

#endif
