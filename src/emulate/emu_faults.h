/* Fault injection: named faults chosen from the command line
 * (`--fault NAME[:COUNT]`, the next COUNT requests; `*` for all) or from a
 * prompt (`[[emulate:fault=NAME]]` anywhere in the request body: every
 * request carrying it, retries included). */
#ifndef BEDROCK_EMU_FAULTS_H
#define BEDROCK_EMU_FAULTS_H

#include <pthread.h>
#include <stddef.h>

typedef enum emu_fault_kind {
	EMU_FAULT_NONE = 0,
	EMU_FAULT_THROTTLE,		/* 429 ThrottlingException */
	EMU_FAULT_NOT_READY,		/* 429 ModelNotReadyException */
	EMU_FAULT_INTERNAL,		/* 500 InternalServerException */
	EMU_FAULT_UNAVAILABLE,		/* 503 ServiceUnavailableException */
	EMU_FAULT_MODEL_TIMEOUT,	/* 408 ModelTimeoutException */
	EMU_FAULT_MODEL_ERROR,		/* 424 ModelErrorException */
	EMU_FAULT_RESET,		/* connection closed before the response */
	EMU_FAULT_RESET_AFTER,		/* closed after N frames (param) */
	EMU_FAULT_CORRUPT_CRC,		/* a stream frame with a bad message CRC */
	EMU_FAULT_TRUNCATE,		/* a stream frame cut short, then the end */
	EMU_FAULT_STREAM_EXCEPTION,	/* an in-stream exception (kind in name) */
	EMU_FAULT_SLOW,			/* delay before each event (param ms) */
	EMU_FAULT_ACCESS_DENIED,	/* 403 AccessDeniedException: no model access */
	EMU_FAULT_OVERLOADED,		/* Bedrock 503 ServiceUnavailableException; API 529 */
	EMU_FAULT_NO_RETRY,		/* 500; the API front adds x-should-retry: false */
	EMU_FAULT_RETRY_400,		/* 400; the API front adds x-should-retry: true */
	EMU_FAULT_BURST			/* a stream's events leave together, not one write each */
	/* Append only. */
} emu_fault_kind;

typedef struct emu_fault {
	emu_fault_kind kind;
	unsigned param;			/* N for reset-after, ms for slow */
	char exception[48];		/* for stream-exception: e.g. "throttlingException" */
} emu_fault;

typedef struct emu_fault_rule {
	emu_fault fault;
	long remaining;			/* -1 = every request */
} emu_fault_rule;

typedef struct emu_faults {
	pthread_mutex_t lock;
	emu_fault_rule *rules;
	size_t count;
} emu_faults;

/* Parses "NAME" or "NAME=ARG" (e.g. "slow=50", "stream-exception=throttlingException"). */
int emu_fault_parse(emu_fault *out, const char *spec, char *err, size_t cap);
int emu_faults_init(emu_faults *f);
/* Adds a command-line rule "NAME[:COUNT]". 0 or -1 with err. */
int emu_faults_add(emu_faults *f, const char *spec, char *err, size_t cap);
/* The fault for this request into *out: a prompt directive first, then
 * the first command-line rule with requests left (consumed); kind NONE if
 * neither. 0, or -1 when the body's directive names no fault (err says
 * which, for a ValidationException, as --fault refuses it at start). */
int emu_faults_take(emu_fault *out, emu_faults *f, const void *body, size_t len, char *err,
		    size_t cap);
void emu_faults_dispose(emu_faults *f);

/* The six in-stream exception names (camelCase as on the wire). */
int emu_fault_exception_known(const char *name);

#endif
