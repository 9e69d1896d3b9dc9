/* A stand-in handler for bedrock emulate until the Bedrock one lands:
 * enough routes to exercise the network layer. */
#ifndef BEDROCK_EMU_DEMO_HANDLER_H
#define BEDROCK_EMU_DEMO_HANDLER_H

#include "serve.h"

/* GET /__health, POST /echo, POST /stream?n=N&ms=M, POST /reset,
 * POST /reset-after?n=N. Stateless, so safe from any thread. */
void emu_demo_handler(serve_response *out, const serve_request *req, void *payload);

#endif
