/* Bedrock events over the event-stream decoder: `chunk` payloads
 * {"bytes": base64} are unwrapped into Anthropic events, other events keep
 * their JSON payload, and exception/error frames become typed errors.
 *
 * Both JSON layers go through cJSON and base64 through base64.h. The
 * parsed trees live until the next call so that strings can be lent
 * without copying. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bedrock/eventstream.h"
#include "alloc.h"
#include "base64.h"
#include "buf.h"
#include "json.h"

struct bedrock_event_reader {
	bedrock_es_decoder *dec;
	bedrock_es_message msg;
	uint64_t offset; /* stream offset of the next frame */

	cJSON *outer, *inner;
	bedrock_buf json;       /* decoded chunk bytes or payload copy */
	bedrock_buf event_type; /* `:event-type`, NUL-terminated */

	int has_exception;
	bedrock_buf exc_type, exc_name, exc_message, orig_message;
	int orig_status;

	int err;
	uint64_t err_offset;
	char errmsg[512];
};

int bedrock_event_reader_new(bedrock_event_reader **out,
			     const bedrock_event_reader_options *opts)
{
	bedrock_event_reader *r;
	int rc;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (opts && opts->version != BEDROCK_EVENT_READER_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	r = bedrock__calloc(1, sizeof(*r));
	if (!r)
		return BEDROCK_ENOMEM;
	if ((rc = bedrock_es_decoder_new(&r->dec, opts ? &opts->decoder : NULL)) != 0) {
		bedrock__free(r);
		return rc;
	}
	*out = r;
	return 0;
}

static void drop_trees(bedrock_event_reader *r)
{
	cJSON_Delete(r->outer);
	cJSON_Delete(r->inner);
	r->outer = r->inner = NULL;
}

void bedrock_event_reader_free(bedrock_event_reader *r)
{
	if (!r)
		return;
	drop_trees(r);
	bedrock_es_decoder_free(r->dec);
	bedrock__buf_dispose(&r->json);
	bedrock__buf_dispose(&r->event_type);
	bedrock__buf_dispose(&r->exc_type);
	bedrock__buf_dispose(&r->exc_name);
	bedrock__buf_dispose(&r->exc_message);
	bedrock__buf_dispose(&r->orig_message);
	bedrock__free(r);
}

static void clear_exception(bedrock_event_reader *r)
{
	r->has_exception = 0;
	r->orig_status = 0;
	bedrock__buf_clear(&r->exc_type);
	bedrock__buf_clear(&r->exc_name);
	bedrock__buf_clear(&r->exc_message);
	bedrock__buf_clear(&r->orig_message);
}

void bedrock_event_reader_reset(bedrock_event_reader *r)
{
	drop_trees(r);
	bedrock_es_decoder_reset(r->dec);
	clear_exception(r);
	r->offset = 0;
	r->err = 0;
	r->err_offset = 0;
	r->errmsg[0] = '\0';
}

int bedrock_event_reader_feed(bedrock_event_reader *r, const void *buf, size_t len)
{
	if (r->err)
		return r->err;
	return bedrock_es_decoder_feed(r->dec, buf, len);
}

int bedrock_event_reader_finish(bedrock_event_reader *r)
{
	if (r->err)
		return r->err;
	return bedrock_es_decoder_finish(r->dec);
}

const char *bedrock_event_reader_errmsg(const bedrock_event_reader *r)
{
	if (r->errmsg[0] || r->err)
		return r->errmsg;
	return bedrock_es_decoder_errmsg(r->dec);
}

uint64_t bedrock_event_reader_error_offset(const bedrock_event_reader *r)
{
	if (r->errmsg[0] || r->err)
		return r->err_offset;
	return bedrock_es_decoder_error_offset(r->dec);
}

static const char *buf_or_null(const bedrock_buf *b, int present)
{
	return present && b->ptr ? b->ptr : NULL;
}

const char *bedrock_event_reader_exception_type(const bedrock_event_reader *r)
{
	return buf_or_null(&r->exc_type, r->has_exception);
}

const char *bedrock_event_reader_exception_name(const bedrock_event_reader *r)
{
	return buf_or_null(&r->exc_name, r->has_exception);
}

const char *bedrock_event_reader_exception_message(const bedrock_event_reader *r)
{
	return buf_or_null(&r->exc_message, r->has_exception && r->exc_message.len);
}

int bedrock_event_reader_original_status(const bedrock_event_reader *r)
{
	return r->has_exception ? r->orig_status : 0;
}

const char *bedrock_event_reader_original_message(const bedrock_event_reader *r)
{
	return buf_or_null(&r->orig_message, r->has_exception && r->orig_message.len);
}

/* Sticky failure of the Bedrock layer (bad chunk, out of memory). */
static int fail(bedrock_event_reader *r, int code, const char *what)
{
	r->err = code;
	r->err_offset = r->offset;
	snprintf(r->errmsg, sizeof(r->errmsg), "%s at offset %" PRIu64, what, r->offset);
	return code;
}

static int header_is(const bedrock_es_header *h, const char *s, size_t len)
{
	return h && (h->type == BEDROCK_ES_STRING || h->type == BEDROCK_ES_BYTES) &&
	       h->value.bytes.len == len && !memcmp(h->value.bytes.ptr, s, len);
}

static int copy_header(bedrock_buf *b, const bedrock_es_header *h)
{
	bedrock__buf_clear(b);
	if (h && (h->type == BEDROCK_ES_STRING || h->type == BEDROCK_ES_BYTES))
		bedrock__buf_put(b, h->value.bytes.ptr, h->value.bytes.len);
	else
		bedrock__buf_put(b, "", 0);
	return b->oom;
}

/* Strict base64 (as Bedrock writes it) into out: 0, -1 if invalid, -2
 * out of memory. */
static int base64_decode(bedrock_buf *out, const char *s, size_t len)
{
	bedrock__buf_clear(out);
	if (bedrock__buf_grow(out, bedrock__base64_decoded_cap(len)))
		return -2;
	return bedrock__base64_decode((uint8_t *)out->ptr, &out->len, s, len) ? -1 : 0;
}

static void set_text(bedrock_event *out, const char *s)
{
	if (s) {
		out->text = s;
		out->text_len = strlen(s);
	}
}

static int read_chunk(bedrock_event_reader *r, bedrock_event *out)
{
	const char *b64, *type;
	const cJSON *bytes;
	int rc;

	r->outer = bedrock__json_parse_exact((const char *)r->msg.payload, r->msg.payload_len);
	if (!cJSON_IsObject(r->outer))
		return fail(r, BEDROCK_EPROTOCOL, "chunk payload is not a JSON object");
	bytes = cJSON_GetObjectItemCaseSensitive(r->outer, "bytes");
	if (!cJSON_IsString(bytes))
		return fail(r, BEDROCK_EPROTOCOL, "chunk payload has no \"bytes\" string");
	b64 = bytes->valuestring;
	rc = base64_decode(&r->json, b64, strlen(b64));
	if (rc == -2)
		return fail(r, BEDROCK_ENOMEM, "out of memory decoding a chunk");
	if (rc)
		return fail(r, BEDROCK_EPROTOCOL, "chunk \"bytes\" is not valid base64");
	r->inner = bedrock__json_parse_exact(r->json.ptr, r->json.len);
	if (!cJSON_IsObject(r->inner))
		return fail(r, BEDROCK_EPROTOCOL, "chunk event is not a JSON object");
	out->json = r->json.ptr;
	out->json_len = r->json.len;
	type = bedrock__json_str(r->inner, "type");
	out->type = type ? type : "";
	if (type && !strcmp(type, "content_block_delta")) {
		const cJSON *delta = cJSON_GetObjectItemCaseSensitive(r->inner, "delta");
		const char *dt = bedrock__json_str(delta, "type");

		if (dt && !strcmp(dt, "text_delta"))
			set_text(out, bedrock__json_str(delta, "text"));
	} else if (!type) {
		/* Legacy text-completion streams: {"completion": "...", ...}. */
		set_text(out, bedrock__json_str(r->inner, "completion"));
	}
	return 0;
}

static int copy_payload(bedrock_event_reader *r, bedrock_event *out)
{
	bedrock__buf_clear(&r->json);
	bedrock__buf_put(&r->json, r->msg.payload, r->msg.payload_len);
	if (r->json.oom)
		return fail(r, BEDROCK_ENOMEM, "out of memory copying a payload");
	out->json = r->json.ptr;
	out->json_len = r->json.len;
	return 0;
}

static int classify(const char *type)
{
	/* Compare past the first letter: exception frames spell it
	 * "throttlingException", error codes may say "ThrottlingException". */
	if (type[0] && !strcmp(type + 1, "hrottlingException") && (type[0] | 0x20) == 't')
		return BEDROCK_ETHROTTLED;
	if (type[0] && !strcmp(type + 1, "odelTimeoutException") && (type[0] | 0x20) == 'm')
		return BEDROCK_ETIMEOUT;
	return BEDROCK_ESERVICE;
}

static int read_exception(bedrock_event_reader *r, bedrock_event *out, int is_error)
{
	const bedrock_es_message *m = &r->msg;
	int code;

	r->has_exception = 1;
	if (copy_payload(r, out))
		return r->err;
	if (is_error) {
		out->kind = BEDROCK_EVENT_ERROR;
		copy_header(&r->exc_type, bedrock_es_message_header(m, ":error-code"));
		copy_header(&r->exc_message, bedrock_es_message_header(m, ":error-message"));
	} else {
		const char *s;
		const cJSON *st;

		out->kind = BEDROCK_EVENT_EXCEPTION;
		copy_header(&r->exc_type, bedrock_es_message_header(m, ":exception-type"));
		r->outer = bedrock__json_parse_exact(r->json.ptr, r->json.len);
		s = bedrock__json_str(r->outer, "message");
		if (!s)
			s = bedrock__json_str(r->outer, "Message");
		if (s)
			bedrock__buf_puts(&r->exc_message, s);
		else if (!cJSON_IsObject(r->outer))
			bedrock__buf_put(&r->exc_message, r->json.ptr, r->json.len);
		st = cJSON_GetObjectItemCaseSensitive(r->outer, "originalStatusCode");
		if (cJSON_IsNumber(st))
			r->orig_status = st->valueint;
		if ((s = bedrock__json_str(r->outer, "originalMessage")) != NULL)
			bedrock__buf_puts(&r->orig_message, s);
	}
	bedrock__buf_put(&r->exc_name, "", 0);
	if (r->exc_type.len) {
		bedrock__buf_put(&r->exc_name, r->exc_type.ptr, r->exc_type.len);
		if (r->exc_name.ptr && r->exc_name.ptr[0] >= 'a' && r->exc_name.ptr[0] <= 'z')
			r->exc_name.ptr[0] = (char)(r->exc_name.ptr[0] - 'a' + 'A');
	}
	bedrock__buf_put(&r->exc_message, "", 0);
	bedrock__buf_put(&r->orig_message, "", 0);
	if (r->exc_type.oom || r->exc_name.oom || r->exc_message.oom || r->orig_message.oom)
		return fail(r, BEDROCK_ENOMEM, "out of memory reading an exception");
	code = classify(r->exc_type.ptr);
	/* Not sticky: the frame itself was well formed. */
	snprintf(r->errmsg, sizeof(r->errmsg), "%s at offset %" PRIu64 ": %s",
		 r->exc_name.len ? r->exc_name.ptr : "service error", r->offset,
		 r->exc_message.len ? r->exc_message.ptr : "(no message)");
	r->err_offset = r->offset;
	return code;
}

int bedrock_event_reader_next(bedrock_event *out, bedrock_event_reader *r)
{
	const bedrock_es_header *mt, *et;
	int rc;

	if (!out || !r)
		return BEDROCK_EINVAL;
	if (r->err)
		return r->err;
	drop_trees(r);
	if (r->has_exception) {
		clear_exception(r);
		r->errmsg[0] = '\0';
		r->err_offset = 0;
	}
	rc = bedrock_es_decoder_next(&r->msg, r->dec);
	if (rc)
		return rc;
	memset(out, 0, sizeof(*out));
	out->message = &r->msg;
	et = bedrock_es_message_header(&r->msg, ":event-type");
	if (copy_header(&r->event_type, et))
		return fail(r, BEDROCK_ENOMEM, "out of memory reading an event");
	out->event_type = r->event_type.ptr;

	mt = bedrock_es_message_header(&r->msg, ":message-type");
	if (!mt || header_is(mt, "event", 5)) {
		out->kind = BEDROCK_EVENT_EVENT;
		/* Compare the header itself: the C string stops at an embedded NUL. */
		if (header_is(et, "chunk", 5)) {
			rc = read_chunk(r, out);
		} else {
			rc = copy_payload(r, out);
			if (!rc && header_is(et, "contentBlockDelta", 17)) {
				/* ConverseStream: {"delta": {"text": "..."}, ...} */
				const cJSON *delta;

				r->outer = bedrock__json_parse_exact(r->json.ptr, r->json.len);
				delta = cJSON_GetObjectItemCaseSensitive(r->outer, "delta");
				set_text(out, bedrock__json_str(delta, "text"));
			}
		}
	} else if (header_is(mt, "exception", 9)) {
		rc = read_exception(r, out, 0);
	} else if (header_is(mt, "error", 5)) {
		rc = read_exception(r, out, 1);
	} else {
		rc = fail(r, BEDROCK_EPROTOCOL, "unknown :message-type");
	}
	r->offset += r->msg.total_length;
	return rc;
}
