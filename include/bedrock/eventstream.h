/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * AWS event-stream codec (application/vnd.amazon.eventstream) and the
 * Bedrock event layer on top of it.
 *
 * The decoder is pure, like hiredis' reader: bytes in, messages out, no I/O.
 * Feed it whatever the transport delivered, then call
 * bedrock_es_decoder_next() until it returns BEDROCK_EAGAIN. Any split of the
 * input yields the same messages.
 *
 * Thread safety: a decoder or event reader is not thread-safe; use each one
 * from one thread at a time. Different handles are independent.
 */
#ifndef BEDROCK_EVENTSTREAM_H
#define BEDROCK_EVENTSTREAM_H

#include <stddef.h>
#include <stdint.h>

#include "errors.h"

#ifdef __cplusplus
extern "C" {
#endif

/** Largest headers section accepted by default (botocore's limit). */
#define BEDROCK_ES_MAX_HEADERS_LEN (128u * 1024u)
/** Largest payload accepted by default (botocore's limit). */
#define BEDROCK_ES_MAX_PAYLOAD_LEN (24u * 1024u * 1024u)
/** Prelude (12 bytes) plus the trailing message CRC (4 bytes). */
#define BEDROCK_ES_MIN_MESSAGE_LEN 16u

/** Header value types, numbered as on the wire. */
typedef enum bedrock_es_header_type {
	BEDROCK_ES_BOOL_TRUE = 0,
	BEDROCK_ES_BOOL_FALSE = 1,
	BEDROCK_ES_BYTE = 2,      /**< int8 */
	BEDROCK_ES_SHORT = 3,     /**< int16 */
	BEDROCK_ES_INTEGER = 4,   /**< int32 */
	BEDROCK_ES_LONG = 5,      /**< int64 */
	BEDROCK_ES_BYTES = 6,     /**< up to 65535 bytes */
	BEDROCK_ES_STRING = 7,    /**< up to 65535 bytes of UTF-8, not NUL-terminated */
	BEDROCK_ES_TIMESTAMP = 8, /**< int64 milliseconds since the Unix epoch */
	BEDROCK_ES_UUID = 9       /**< 16 bytes */
} bedrock_es_header_type;

/**
 * One header. Pointers are lent: for a decoded message they point into the
 * decoder's (or the fed) buffer; for the encoder they are the caller's.
 */
typedef struct bedrock_es_header {
	const char *name; /**< not NUL-terminated; 1 to 255 bytes */
	size_t name_len;
	bedrock_es_header_type type;
	union {
		int boolean;      /**< BOOL_TRUE/BOOL_FALSE: 1 or 0 */
		int8_t byte;
		int16_t i16;
		int32_t i32;
		int64_t i64;      /**< LONG and TIMESTAMP */
		struct {
			const uint8_t *ptr; /**< BYTES and STRING; not NUL-terminated */
			size_t len;
		} bytes;
		uint8_t uuid[16];
	} value;
} bedrock_es_header;

/**
 * A decoded message. Everything is lent by the decoder and valid until the
 * next call on that decoder (feed, next, finish, reset, free).
 */
typedef struct bedrock_es_message {
	uint32_t total_length;
	uint32_t headers_length;
	uint32_t prelude_crc;
	uint32_t message_crc;
	const bedrock_es_header *headers; /**< in wire order */
	size_t header_count;
	const uint8_t *payload;
	size_t payload_len;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_es_message;

/**
 * Finds a header by exact name.
 *
 * @return the header (lent, like the message), or NULL if absent
 */
const bedrock_es_header *bedrock_es_message_header(const bedrock_es_message *msg,
						   const char *name);

/* ---- decoder ------------------------------------------------------------- */

#define BEDROCK_ES_DECODER_OPTIONS_VERSION 1

/** Decoder options. Initialise with BEDROCK_ES_DECODER_OPTIONS_INIT. */
typedef struct bedrock_es_decoder_options {
	/** (Required) BEDROCK_ES_DECODER_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Largest headers section; 0 or anything above
	 * BEDROCK_ES_MAX_HEADERS_LEN means BEDROCK_ES_MAX_HEADERS_LEN. */
	uint32_t max_headers_len;
	/** (Optional) Largest payload; 0 or anything above
	 * BEDROCK_ES_MAX_PAYLOAD_LEN means BEDROCK_ES_MAX_PAYLOAD_LEN. */
	uint32_t max_payload_len;
} bedrock_es_decoder_options;

#define BEDROCK_ES_DECODER_OPTIONS_INIT { BEDROCK_ES_DECODER_OPTIONS_VERSION, 0, 0 }

/** Opaque streaming decoder. */
typedef struct bedrock_es_decoder bedrock_es_decoder;

/**
 * Creates a decoder.
 *
 * @param[out] out the new decoder; the caller owns it and frees it with
 *             bedrock_es_decoder_free()
 * @param opts options, or NULL for the defaults
 * @return 0, BEDROCK_ENOMEM, or BEDROCK_EINVAL (NULL out, unknown version)
 */
int bedrock_es_decoder_new(bedrock_es_decoder **out,
			   const bedrock_es_decoder_options *opts);

/** Frees a decoder and everything it lent. NULL is a no-op. */
void bedrock_es_decoder_free(bedrock_es_decoder *d);

/**
 * Gives the decoder more input.
 *
 * To avoid copying, the decoder reads @p buf in place: @p buf must stay
 * valid and unchanged until bedrock_es_decoder_next() has returned something
 * other than 0, or until the next feed, reset or free. (The usual loop —
 * feed, then call next until BEDROCK_EAGAIN — satisfies this.) Bytes that do
 * not yet form a whole message are copied when next() needs more input.
 * Feeding again without draining works too (the undrained bytes are copied
 * first), at the cost of that copy.
 *
 * @return 0; BEDROCK_EINVAL if @p buf is NULL and @p len is not 0;
 *         BEDROCK_ENOMEM (only when undrained bytes had to be copied); or
 *         the sticky error if the decoder already failed
 */
int bedrock_es_decoder_feed(bedrock_es_decoder *d, const void *buf, size_t len);

/**
 * Decodes the next message.
 *
 * @param[out] out filled on success; lent until the next call on @p d
 * @return 0 with a message; BEDROCK_EAGAIN if more input is needed;
 *         BEDROCK_EPROTOCOL (CRC mismatch, bad lengths, bad header, duplicate
 *         header name, unknown header type); BEDROCK_ELIMIT (headers or
 *         payload larger than the limits, detected before any allocation);
 *         BEDROCK_ENOMEM. Errors are sticky: every later call returns the same
 *         error until bedrock_es_decoder_reset().
 */
int bedrock_es_decoder_next(bedrock_es_message *out, bedrock_es_decoder *d);

/**
 * Declares the end of the input.
 *
 * @return 0 if the input ended at a message boundary with nothing left
 *         undecoded; BEDROCK_EPROTOCOL ("stream ended mid-frame") otherwise;
 *         or the sticky error. Call next() until BEDROCK_EAGAIN first.
 */
int bedrock_es_decoder_finish(bedrock_es_decoder *d);

/**
 * What went wrong, e.g. "message CRC mismatch at offset 61 (...)". The
 * offset is where the bad message starts, counted from the first byte ever
 * fed. Never NULL; "" if there was no error. Lent until the next call on d.
 */
const char *bedrock_es_decoder_errmsg(const bedrock_es_decoder *d);

/** Stream offset of the message that failed; 0 if there was no error. */
uint64_t bedrock_es_decoder_error_offset(const bedrock_es_decoder *d);

/** Forgets all input and any error, keeping the allocated buffers. */
void bedrock_es_decoder_reset(bedrock_es_decoder *d);

/* ---- encoder ------------------------------------------------------------- */

/**
 * Size of the encoded message.
 *
 * @param[out] out total_length of the message
 * @return 0; BEDROCK_EINVAL for a bad header (empty or >255-byte name,
 *         bytes/string value >65535, unknown type); BEDROCK_ELIMIT if the
 *         headers or payload exceed the default limits
 */
int bedrock_es_encoded_size(size_t *out, const bedrock_es_header *headers,
			    size_t header_count, size_t payload_len);

/**
 * Encodes one message into @p dst (no allocation).
 *
 * @param[out] out_len bytes written (the message's total_length)
 * @param dst where to write; @p cap bytes available
 * @return 0; BEDROCK_ELIMIT if @p cap is too small (nothing useful is
 *         written); otherwise as bedrock_es_encoded_size()
 */
int bedrock_es_encode(size_t *out_len, void *dst, size_t cap,
		      const bedrock_es_header *headers, size_t header_count,
		      const void *payload, size_t payload_len);

/* ---- Bedrock events ------------------------------------------------------ */

/** What a Bedrock event-stream message is. */
typedef enum bedrock_event_kind {
	/** `:message-type` event (chunk, messageStart, ...). */
	BEDROCK_EVENT_EVENT = 0,
	/** `:message-type` exception: a modelled service exception. */
	BEDROCK_EVENT_EXCEPTION = 1,
	/** `:message-type` error: `:error-code` and `:error-message` headers. */
	BEDROCK_EVENT_ERROR = 2
} bedrock_event_kind;

/**
 * One Bedrock event. All pointers are lent by the reader and valid until
 * the next call on it. Strings are NUL-terminated.
 */
typedef struct bedrock_event {
	bedrock_event_kind kind;
	/** `:event-type` ("chunk", "messageStart", ...); "" if absent. */
	const char *event_type;
	/** For chunk events: the Anthropic event's "type" ("content_block_delta",
	 * ...); "" if the event has none (legacy text completions); NULL for
	 * other events. */
	const char *type;
	/** For chunk events: the decoded Anthropic event JSON (the base64
	 * `bytes`); otherwise the payload as text. */
	const char *json;
	size_t json_len;
	/** Text of a text delta (text_delta, legacy completion, ConverseStream
	 * contentBlockDelta.delta.text), else NULL. */
	const char *text;
	size_t text_len;
	/** The frame itself. */
	const bedrock_es_message *message;
	/** Reserved: later 1.x versions add fields here (see
	 *  BEDROCK_RESERVED). Never read or written by the caller. */
	void *reserved[BEDROCK_RESERVED];
} bedrock_event;

#define BEDROCK_EVENT_READER_OPTIONS_VERSION 1

/** Event reader options. Initialise with BEDROCK_EVENT_READER_OPTIONS_INIT. */
typedef struct bedrock_event_reader_options {
	/** (Required) BEDROCK_EVENT_READER_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Limits for the underlying decoder. */
	bedrock_es_decoder_options decoder;
} bedrock_event_reader_options;

#define BEDROCK_EVENT_READER_OPTIONS_INIT \
	{ BEDROCK_EVENT_READER_OPTIONS_VERSION, BEDROCK_ES_DECODER_OPTIONS_INIT }

/** Opaque reader of Bedrock events over an event-stream decoder. */
typedef struct bedrock_event_reader bedrock_event_reader;

/**
 * Creates an event reader.
 *
 * @param[out] out the new reader, owned by the caller
 *             (bedrock_event_reader_free())
 * @param opts options, or NULL for the defaults
 * @return 0, BEDROCK_ENOMEM or BEDROCK_EINVAL
 */
int bedrock_event_reader_new(bedrock_event_reader **out,
			     const bedrock_event_reader_options *opts);

/** Frees a reader. NULL is a no-op. */
void bedrock_event_reader_free(bedrock_event_reader *r);

/** Same contract as bedrock_es_decoder_feed(): @p buf is read in place. */
int bedrock_event_reader_feed(bedrock_event_reader *r, const void *buf, size_t len);

/**
 * Decodes the next event.
 *
 * @param[out] out filled when the return is 0, BEDROCK_ETHROTTLED,
 *             BEDROCK_ETIMEOUT or BEDROCK_ESERVICE; lent until the next call
 * @return 0 with an event; BEDROCK_EAGAIN for more input; for an in-stream
 *         exception or error message BEDROCK_ETHROTTLED (throttlingException),
 *         BEDROCK_ETIMEOUT (modelTimeoutException) or BEDROCK_ESERVICE
 *         (anything else) — see bedrock_event_reader_exception_type() and
 *         friends; BEDROCK_EPROTOCOL for bad framing or a chunk that is not
 *         JSON or lacks valid base64 `bytes`; BEDROCK_ELIMIT; BEDROCK_ENOMEM.
 *         All errors except the service ones are sticky. A service error does
 *         not stop decoding: later frames can still be read.
 */
int bedrock_event_reader_next(bedrock_event *out, bedrock_event_reader *r);

/** As bedrock_es_decoder_finish(). */
int bedrock_event_reader_finish(bedrock_event_reader *r);

/** What went wrong (framing detail or the service's message); never NULL. */
const char *bedrock_event_reader_errmsg(const bedrock_event_reader *r);

/** Stream offset of the frame that failed; 0 if none. */
uint64_t bedrock_event_reader_error_offset(const bedrock_event_reader *r);

/**
 * For the last exception or error message: the wire name
 * ("throttlingException", or the `:error-code` of an error message);
 * NULL if there was none. Lent until the next call on r.
 */
const char *bedrock_event_reader_exception_type(const bedrock_event_reader *r);

/** The HTTP-style name, e.g. "ThrottlingException"; NULL if none. */
const char *bedrock_event_reader_exception_name(const bedrock_event_reader *r);

/** The exception's `message` (or `:error-message`); NULL if none. */
const char *bedrock_event_reader_exception_message(const bedrock_event_reader *r);

/** modelStreamErrorException's `originalStatusCode`; 0 if none. */
int bedrock_event_reader_original_status(const bedrock_event_reader *r);

/** modelStreamErrorException's `originalMessage`; NULL if none. */
const char *bedrock_event_reader_original_message(const bedrock_event_reader *r);

/** Forgets all input and any error, keeping the allocated buffers. */
void bedrock_event_reader_reset(bedrock_event_reader *r);

#ifdef __cplusplus
}
#endif

#endif
