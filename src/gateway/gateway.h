/* bedrock gateway, the server: the configuration's fronts, keys, quotas,
 * upstreams, activity log and metrics put together on the serving layer
 * (src/serve, blocking mode: a request's handler and its streamed body
 * may wait on an upstream).
 *
 * The configuration lives in generations: a request takes a reference on
 * the one current when it arrived and keeps it to its last byte, so a
 * SIGHUP reload (read on a thread of its own, never in the signal
 * handler) swaps in a new one without touching exchanges in flight. */
#ifndef BEDROCK_GATEWAY_H
#define BEDROCK_GATEWAY_H

#include <stddef.h>

typedef struct gateway gateway;

typedef struct gateway_options {
	const char *config_path;	/* required */
	const char *listen;		/* overrides the file's listen:, or NULL */
	int quiet;			/* 1: no access log on stderr */
} gateway_options;

/* Reads the configuration, makes the upstream clients, opens the activity
 * log, binds. 0 with the bound URL in url, or -1 with err ("FILE:LINE: ..."
 * for a bad file; never a secret). */
int gateway_new(gateway **out, const gateway_options *opts, char *url, size_t url_cap,
		char *err, size_t err_cap);
/* Serves until gateway_drain's deadline or gateway_stop. 0, or -1. */
int gateway_run(gateway *g);
/* Async-signal-safe: re-read the configuration file (SIGHUP). */
void gateway_reload(gateway *g);
/* Async-signal-safe: stop accepting, finish exchanges in flight up to the
 * configuration's drain_timeout_s (SIGTERM). */
void gateway_drain(gateway *g);
/* Async-signal-safe: stop now, cutting exchanges in flight (a second signal). */
void gateway_stop(gateway *g);
void gateway_free(gateway *g);

#endif
