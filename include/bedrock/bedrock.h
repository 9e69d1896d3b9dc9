/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * Umbrella header: version, global set-up and the allocator hook.
 */
#ifndef BEDROCK_BEDROCK_H
#define BEDROCK_BEDROCK_H

#include <stddef.h>

#include "errors.h"
#include "sigv4.h"
#include "eventstream.h"
#include "sse.h"
#include "platform.h"
#include "config.h"
#include "credentials.h"
#include "google.h"
#include "auth.h"
#include "client.h"
#include "control.h"
#include "models.h"
#include "retry.h"
#include "messages.h"

#ifdef __cplusplus
extern "C" {
#endif

#define BEDROCK_VERSION_MAJOR 1
#define BEDROCK_VERSION_MINOR 0
#define BEDROCK_VERSION_PATCH 0
#define BEDROCK_VERSION "1.0.0"

/** The version of the library actually linked, e.g. "1.0.0". */
const char *bedrock_version(void);

/**
 * Memory functions the library uses for everything it allocates itself
 * (third-party libraries keep their own). All four are required.
 * realloc(NULL, n) must behave as malloc(n).
 */
typedef struct bedrock_allocator {
	void *(*malloc)(size_t size, void *payload);
	void *(*realloc)(void *ptr, size_t size, void *payload);
	void (*free)(void *ptr, void *payload);
	void *payload;
} bedrock_allocator;

/**
 * Replace the allocator. Call it before any other library function and
 * before any object exists; objects must be freed by the allocator that made
 * them. NULL restores the C library's malloc/realloc/free.
 *
 * Not thread-safe: call it once at start-up.
 *
 * @return 0, or BEDROCK_EINVAL if a function pointer is missing
 */
int bedrock_set_allocator(const bedrock_allocator *alloc);

#ifdef __cplusplus
}
#endif

#endif
