/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * Server-Sent Events codec (text/event-stream), the wire of the Anthropic
 * API's and Vertex AI's streams.
 *
 * The decoder is pure, like the event-stream one: bytes in, events out, no
 * I/O. Feed it whatever the transport delivered, then call
 * bedrock_sse_decoder_next() until it returns BEDROCK_EAGAIN. Any split of
 * the input yields the same events. Lines end with CRLF, LF or CR; comments
 * (":" lines) and unknown fields are skipped; several "data:" lines join with
 * "\n"; a leading UTF-8 byte order mark is dropped (WHATWG HTML, "Parsing an
 * event stream").
 *
 * Thread safety: a decoder is not thread-safe; use each one from one thread
 * at a time. Different decoders are independent.
 */
#ifndef BEDROCK_SSE_H
#define BEDROCK_SSE_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Longest line accepted by default. */
#define BEDROCK_SSE_MAX_LINE_LEN (24u * 1024u * 1024u)
/** Largest event (its joined data) accepted by default. */
#define BEDROCK_SSE_MAX_EVENT_LEN (24u * 1024u * 1024u)

/**
 * One event. Everything is lent by the decoder and valid until the next call
 * on it. Strings are NUL-terminated as well as counted (data may hold NULs).
 */
typedef struct bedrock_sse_event {
	/** The "event:" field ("message_start", "ping", ...); "" if the event
	 * had none (the WHATWG default type is "message"). */
	const char *event;
	size_t event_len;
	/** The "data:" lines, joined with "\n". */
	const char *data;
	size_t data_len;
	/** The last "id:" seen on this stream so far; "" if none. */
	const char *id;
	/** The last valid "retry:" in milliseconds; -1 if none. */
	long long retry_ms;
	/** Stream offset of the event's first line, counted from the first byte
	 * ever fed. */
	uint64_t offset;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_sse_event;

#define BEDROCK_SSE_DECODER_OPTIONS_VERSION 1

/** Decoder options. Initialise with BEDROCK_SSE_DECODER_OPTIONS_INIT. */
typedef struct bedrock_sse_decoder_options {
	/** (Required) BEDROCK_SSE_DECODER_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Longest line; 0 or anything above
	 * BEDROCK_SSE_MAX_LINE_LEN means BEDROCK_SSE_MAX_LINE_LEN. */
	uint32_t max_line_len;
	/** (Optional) Largest event data; 0 or anything above
	 * BEDROCK_SSE_MAX_EVENT_LEN means BEDROCK_SSE_MAX_EVENT_LEN. */
	uint32_t max_event_len;
} bedrock_sse_decoder_options;

#define BEDROCK_SSE_DECODER_OPTIONS_INIT { BEDROCK_SSE_DECODER_OPTIONS_VERSION, 0, 0 }

/** Opaque streaming decoder. */
typedef struct bedrock_sse_decoder bedrock_sse_decoder;

/**
 * Creates a decoder.
 *
 * @param[out] out the new decoder, owned by the caller
 *             (bedrock_sse_decoder_free())
 * @param opts options, or NULL for the defaults
 * @return 0, BEDROCK_ENOMEM, or BEDROCK_EINVAL (NULL out, unknown version)
 */
int bedrock_sse_decoder_new(bedrock_sse_decoder **out,
			    const bedrock_sse_decoder_options *opts);

/** Frees a decoder and everything it lent. NULL is a no-op. */
void bedrock_sse_decoder_free(bedrock_sse_decoder *d);

/**
 * Gives the decoder more input. Unlike the event-stream decoder it copies
 * what it needs, so @p buf may be reused as soon as this returns.
 *
 * @return 0; BEDROCK_EINVAL if @p buf is NULL and @p len is not 0;
 *         BEDROCK_ENOMEM; or the sticky error if the decoder already failed
 */
int bedrock_sse_decoder_feed(bedrock_sse_decoder *d, const void *buf, size_t len);

/**
 * Decodes the next event.
 *
 * @param[out] out filled on success; lent until the next call on @p d
 * @return 0 with an event; BEDROCK_EAGAIN if more input is needed;
 *         BEDROCK_ELIMIT (a line or an event larger than the limits, found
 *         before the bytes are buffered); BEDROCK_ENOMEM. Errors are sticky:
 *         every later call returns the same error until
 *         bedrock_sse_decoder_reset().
 */
int bedrock_sse_decoder_next(bedrock_sse_event *out, bedrock_sse_decoder *d);

/**
 * Declares the end of the input.
 *
 * @return 0 if the input ended between events; BEDROCK_EPROTOCOL ("stream
 *         ended mid-event", with the offset of the unfinished event) if a
 *         line or an event was left unfinished; or the sticky error. Call
 *         next() until BEDROCK_EAGAIN first.
 */
int bedrock_sse_decoder_finish(bedrock_sse_decoder *d);

/**
 * What went wrong, e.g. "line longer than 1024 bytes at offset 70". Never
 * NULL; "" if there was no error. Lent until the next call on d.
 */
const char *bedrock_sse_decoder_errmsg(const bedrock_sse_decoder *d);

/** Stream offset of the line or event that failed; 0 if there was no error. */
uint64_t bedrock_sse_decoder_error_offset(const bedrock_sse_decoder *d);

/** Forgets all input, the last id and any error, keeping the buffers. */
void bedrock_sse_decoder_reset(bedrock_sse_decoder *d);

/* ---- encoder ------------------------------------------------------------- */

/**
 * Size of one encoded event: "event: NAME\n" (when @p event is not NULL or
 * empty), one "data: " line per line of @p data, and the blank line.
 *
 * @return the number of bytes bedrock_sse_encode() writes
 */
size_t bedrock_sse_encoded_size(const char *event, const void *data, size_t data_len);

/**
 * Encodes one event into @p dst (no allocation). A CR, LF or CRLF inside
 * @p data starts a new "data:" line, so the decoder gives back @p data with
 * its line ends as "\n".
 *
 * @param[out] out_len bytes written
 * @return 0; BEDROCK_EINVAL if @p event contains CR or LF; BEDROCK_ELIMIT if
 *         @p cap is too small (nothing useful is written)
 */
int bedrock_sse_encode(size_t *out_len, void *dst, size_t cap, const char *event,
		       const void *data, size_t data_len);

#ifdef __cplusplus
}
#endif

#endif
