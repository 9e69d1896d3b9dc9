/* The control plane on the emulator's port: foundation models and
 * inference profiles rendered from libbedrock's model catalog, and the
 * model-invocation logging configuration kept in memory. */
#ifndef BEDROCK_EMU_CONTROL_H
#define BEDROCK_EMU_CONTROL_H

#include <pthread.h>

#include "serve.h"

typedef struct emu_control {
	pthread_mutex_t lock;
	char *logging_config;		/* JSON of the loggingConfig object, or NULL */
	const char *region;
	const char *account;
} emu_control;

int emu_control_init(emu_control *c, const char *region);
void emu_control_dispose(emu_control *c);
/* 1 if the request is a control-plane route (out filled), else 0. */
int emu_control_handle(emu_control *c, serve_response *out, const serve_request *req,
		       const char *request_id);

/* Writes an AWS JSON error: status, x-amzn-ErrorType, {"message": ...}. */
void emu_error(serve_response *out, int status, const char *type, const char *message,
	       const char *request_id);

#endif
