/* The Bedrock handler of `bedrock emulate`: request in, response plan out.
 * Google's routes go first: the metadata server and the token endpoint
 * (emu_google.h), then Vertex paths (/projects/..., /v1/projects/...,
 * /v1beta1/projects/..., vertex_front.h). Other paths under /v1/ go to
 * the Anthropic API front (anthropic_front.h). Each front has its own
 * credentials, request ids and error shapes. For the rest, in order:
 * request id, authentication, replay (when recordings are loaded),
 * control plane, runtime operations (model resolution, validation, faults,
 * the deterministic model, rendering, stream faults). */
#ifndef BEDROCK_EMU_HANDLER_H
#define BEDROCK_EMU_HANDLER_H

#include <stdatomic.h>

#include "anthropic_front.h"
#include "bedrock/models.h"
#include "emu_auth.h"
#include "emu_control.h"
#include "emu_faults.h"
#include "emu_google.h"
#include "emu_replay.h"
#include "serve.h"

typedef struct emu_state {
	emu_auth_config auth;
	emu_faults faults;
	emu_replay replay;
	int replaying;
	emu_control control;
	unsigned long seed;
	atomic_ulong requests;
	emu_anthropic_config anthropic;	/* the Anthropic API front (/v1/...) */
	emu_google google;		/* Google's side: project, tokens, Vertex configs
					 * (emu_google_init before use) */
	/* Clock for the signature skew check and Google's token lifetimes;
	 * NULL = time(). For tests. */
	long long (*now)(void);
} emu_state;

/* serve_handler_fn: payload is an emu_state. Thread-safe. */
void emu_handle(serve_response *out, const serve_request *req, void *payload);
/* serve_precheck_fn: refuses, from the head alone, a request whose
 * credentials are missing, malformed, unknown, for another region or
 * stale, as emu_handle would, before its body is read. */
int emu_precheck(serve_response *out, const serve_request *req, void *payload);

/* 1 if the model refuses temperature and top_p together (Sonnet 4.5,
 * Haiku 4.5, Opus 4.5 and 4.6). */
int emu_exclusive_sampling(const bedrock_model_info *m);

#endif
