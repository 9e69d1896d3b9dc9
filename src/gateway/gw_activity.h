/* The activity log: one JSON line per request, appended to
 * DIR/activity-YYYY-MM-DD.jsonl (UTC), files older than retention_days
 * removed (checked at open and when the day changes). Each line, or each
 * batch of whole lines (gw_activity_set_flush), is one write() on an
 * O_APPEND descriptor, so lines from concurrent requests and processes
 * never interleave. No key, credential, prompt or answer
 * text unless bodies is set. Thread-safe. */
#ifndef BEDROCK_GW_ACTIVITY_H
#define BEDROCK_GW_ACTIVITY_H

#include <stddef.h>
#include <stdint.h>

typedef struct gw_activity gw_activity;

/* One request. Strings may be NULL (left out of the line). */
typedef struct gw_activity_record {
	int64_t time_ms;		/* wall clock at arrival */
	const char *id;			/* the gateway's request id */
	const char *key;		/* key name (never the key) */
	const char *user_agent;
	const char *session_id;		/* x-claude-code-session-id */
	const char *agent_id;		/* x-claude-code-agent-id */
	const char *parent_agent_id;	/* x-claude-code-parent-agent-id */
	const char *front;		/* "bedrock" | "anthropic" | "vertex" */
	const char *operation;		/* "invoke", "invoke-stream", "converse", "messages", ... */
	const char *model;		/* as the client named it */
	const char *upstream;		/* upstream name ("bedrock/us-east-1") */
	const char *upstream_platform;
	const char *upstream_region;
	const char *upstream_model;	/* the id sent upstream */
	int status;			/* status sent to the client (0: reset) */
	const char *error_type;		/* e.g. "ThrottlingException", "rate_limit_error" */
	uint64_t input_tokens, output_tokens, cache_read_tokens, cache_write_tokens;
	double latency_ms;		/* arrival to last byte */
	double ttft_ms;			/* arrival to first body byte; < 0 when none */
	double upstream_ms;		/* time spent waiting on upstreams */
	const char *upstream_request_id;
	unsigned hops;			/* upstreams tried before the one that answered */
	const char *note;		/* e.g. "retried without beta X" */
	const char *request_body;	/* only written when bodies is on */
	size_t request_body_len;
	const char *response_text;	/* only written when bodies is on */
	size_t response_text_len;
} gw_activity_record;

/* Creates DIR if needed (0700). 0, or -1 with err. */
int gw_activity_open(gw_activity **out, const char *dir, unsigned retention_days, int bodies,
		     char *err, size_t err_cap);
/* Buffers lines (call once, before any write): a line reaches its file
 * at most flush_ms after it was written, or sooner when 64 KiB of lines
 * wait, and at gw_activity_flush and gw_activity_free. 0 (the default)
 * writes each line at once. 0, or -1 with err. */
int gw_activity_set_flush(gw_activity *a, unsigned flush_ms, char *err, size_t err_cap);
/* Writes the buffered lines now. */
void gw_activity_flush(gw_activity *a);
/* Appends one line. 0, or -1 (the error is counted, not fatal). */
int gw_activity_write(gw_activity *a, const gw_activity_record *r);
/* fn(arg, n) whenever n lines could not be written (a full disk, a
 * removed directory): for /metrics. Called with the log's lock held, from
 * the writing thread or the flusher: it must only count. */
void gw_activity_on_lost(gw_activity *a, void (*fn)(void *arg, unsigned long n), void *arg);
/* Lines that could not be written since open: for the shutdown message. */
unsigned long gw_activity_errors(gw_activity *a);
void gw_activity_free(gw_activity *a);

#endif
