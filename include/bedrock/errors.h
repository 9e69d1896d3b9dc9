/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * One error enum for the whole library.
 *
 * Every function that can fail returns an int: 0 on success, or one of the
 * negative codes below. Where the detail is (docs/ERRORS.md): a function
 * with a `bedrock_error_info *err` argument (every network call, every
 * constructor) fills that caller-owned struct; a pure decoder or builder
 * without one keeps it in its own handle, read with its *_errmsg()
 * function. Nothing is kept in thread-local state or in a shared client.
 *
 * The enum is append-only: codes are never renumbered or removed, so a
 * program built against an older release keeps working with a newer one.
 */
#ifndef BEDROCK_ERRORS_H
#define BEDROCK_ERRORS_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum bedrock_error {
	BEDROCK_OK = 0,
	/** Iteration finished: not a failure (like GIT_ITEROVER). */
	BEDROCK_ITEROVER = -1,
	/** A decoder needs more input before it can yield anything. */
	BEDROCK_EAGAIN = -2,
	/** Out of memory. */
	BEDROCK_ENOMEM = -3,
	/** An argument was invalid (NULL where not allowed, bad option). */
	BEDROCK_EINVAL = -4,
	/** Malformed wire data: bad frame, CRC mismatch, truncated stream, bad JSON. */
	BEDROCK_EPROTOCOL = -5,
	/** A size limit was exceeded (header block, payload, buffer). */
	BEDROCK_ELIMIT = -6,
	/** Credentials missing, expired or refused (HTTP 401/403). */
	BEDROCK_EAUTH = -7,
	/** Throttled by the service (ThrottlingException, HTTP 429). */
	BEDROCK_ETHROTTLED = -8,
	/** A timeout: connect, idle, total, or ModelTimeoutException. */
	BEDROCK_ETIMEOUT = -9,
	/** Any other HTTP error status from the service. */
	BEDROCK_EHTTP = -10,
	/** The service reported an error inside an event stream. */
	BEDROCK_ESERVICE = -11,
	/** Local I/O failed (file, pipe, socket). */
	BEDROCK_EIO = -12,
	/** Configuration is missing or invalid (no region, bad config file). */
	BEDROCK_ECONFIG = -13,
	/** Nothing there: a provider with no credentials configured, a missing item. */
	BEDROCK_ENOTFOUND = -14,
	/** The caller cancelled the call or the stream (bedrock_stream_cancel, bedrock_cancel_trigger). */
	BEDROCK_ECANCELED = -15,
	/** The call does not exist on the client's platform (InvokeModel on the
	 *  Anthropic API, a guardrail header outside Bedrock). */
	BEDROCK_ENOTSUP = -16
	/* Add new codes here, last, and to bedrock_strerror(). Never renumber. */
} bedrock_error;

/**
 * How structs the caller allocates grow without an ABI break. Each struct
 * the library fills in the caller's memory (bedrock_error_info,
 * bedrock_event, bedrock_messages_event, ...) ends with
 * `void *reserved[BEDROCK_RESERVED]`: a later 1.x version carves new fields
 * out of that space, so the struct's size and the offsets of the fields
 * before it never change within a SONAME. The caller never reads or writes
 * it; the library writes it only where a version puts a field. Structs the
 * library lends by pointer (bedrock_model_info, bedrock_content_block, ...)
 * are never allocated by the caller and simply grow at the end; options
 * structs carry a leading version instead. docs/CONVENTIONS.md.
 */
#define BEDROCK_RESERVED 4

/**
 * Detail of one failed call, filled by functions that take a
 * `bedrock_error_info *err` (optional) argument. The caller owns it, so a
 * handle shared by many threads never mixes up two calls' errors. Strings
 * are always NUL-terminated (truncated if longer) and never contain a
 * secret.
 */
typedef struct bedrock_error_info {
	/** The bedrock_error returned by the call. */
	int code;
	/** HTTP status, or 0 when no HTTP response was involved. */
	int http_status;
	/** 1 if retrying the same call may succeed. */
	int retryable;
	/** The service's error type: Bedrock's "ThrottlingException", the
	 *  Anthropic API's "overloaded_error"; "" when none. */
	char aws_code[64];
	/** What went wrong, in English. */
	char message[512];
	/** The request id (Bedrock's x-amzn-RequestId, the Anthropic API's
	 *  request-id), "" when none. */
	char request_id[64];
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_error_info;

/**
 * A short, static English description of an error code.
 *
 * @param err a bedrock_error value (any int is accepted)
 * @return a string that is never NULL and must not be freed
 */
const char *bedrock_strerror(int err);

/**
 * The enum name of an error code, e.g. "BEDROCK_EPROTOCOL"; useful in logs
 * and JSON. Unknown codes give "BEDROCK_EUNKNOWN".
 */
const char *bedrock_error_name(int err);

#ifdef __cplusplus
}
#endif

#endif
