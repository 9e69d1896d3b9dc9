/* Stream events re-framed for the front, one at a time (gw_translate.h):
 *   Bedrock -> Bedrock  the frame re-encoded from its own headers and
 *                       payload: the upstream's bytes exactly
 *   Bedrock -> SSE      chunk's Anthropic event as event: TYPE / data: JSON;
 *                       message_stop loses Bedrock's invocationMetrics,
 *                       which the Anthropic and Vertex APIs never send
 *   SSE -> Bedrock      each Messages event as a chunk frame, payload
 *                       {"bytes":"<base64>"}; ping and names Bedrock does
 *                       not have are dropped; message_stop gains
 *                       amazon-bedrock-invocationMetrics from the usage seen
 *   SSE -> SSE          event: NAME / data: DATA as it came (Vertex's
 *                       vertex_event kept for Vertex clients only)
 * Usage is read from the few events that carry it, never from the rest. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include <bedrock/eventstream.h>
#include <bedrock/sse.h>

#include "base64.h"
#include "gw_errmap.h"
#include "gw_translate.h"
#include "json.h"

struct gw_reframer {
	bedrock_platform front, upstream;
	uint64_t input, output, cache_read, cache_write;
	int metrics;		/* Bedrock's invocationMetrics seen: they are final */
};

int gw_reframer_new(gw_reframer **out, bedrock_platform front, bedrock_platform upstream)
{
	*out = calloc(1, sizeof(**out));
	if (!*out)
		return -1;
	(*out)->front = front;
	(*out)->upstream = upstream;
	return 0;
}

void gw_reframer_free(gw_reframer *r)
{
	free(r);
}

void gw_reframer_usage(const gw_reframer *r, uint64_t *input, uint64_t *output,
		       uint64_t *cache_read, uint64_t *cache_write)
{
	if (input)
		*input = r->input;
	if (output)
		*output = r->output;
	if (cache_read)
		*cache_read = r->cache_read;
	if (cache_write)
		*cache_write = r->cache_write;
}

/* Room for n more bytes at *buf + *len. */
static uint8_t *reserve(uint8_t **buf, size_t *len, size_t *cap, size_t n)
{
	if (n > SIZE_MAX - *len)
		return NULL;
	if (*len + n > *cap) {
		size_t want = *cap ? *cap : 256;
		uint8_t *p;

		while (want < *len + n)
			want = want > SIZE_MAX / 2 ? *len + n : want * 2;
		if (!(p = realloc(*buf, want)))
			return NULL;
		*buf = p;
		*cap = want;
	}
	return *buf + *len;
}

static int put_frame(uint8_t **buf, size_t *len, size_t *cap, const bedrock_es_header *h,
		     size_t nh, const void *payload, size_t plen)
{
	size_t size, n;
	uint8_t *p;

	if (bedrock_es_encoded_size(&size, h, nh, plen) || !(p = reserve(buf, len, cap, size)) ||
	    bedrock_es_encode(&n, p, size, h, nh, payload, plen))
		return -1;
	*len += n;
	return 0;
}

static void str_header(bedrock_es_header *h, const char *name, const char *value)
{
	memset(h, 0, sizeof(*h));
	h->name = name;
	h->name_len = strlen(name);
	h->type = BEDROCK_ES_STRING;
	h->value.bytes.ptr = (const uint8_t *)value;
	h->value.bytes.len = strlen(value);
}

/* A frame of Bedrock's three string headers. */
static int put_bedrock(uint8_t **buf, size_t *len, size_t *cap, const char *message_type,
		       const char *type, const void *payload, size_t plen)
{
	bedrock_es_header h[3];
	int exc = !strcmp(message_type, "exception");

	str_header(&h[0], exc ? ":exception-type" : ":event-type", type);
	str_header(&h[1], ":content-type", "application/json");
	str_header(&h[2], ":message-type", message_type);
	return put_frame(buf, len, cap, h, 3, payload, plen);
}

static int put_sse(uint8_t **buf, size_t *len, size_t *cap, const char *event, const char *data,
		   size_t dlen)
{
	size_t size = bedrock_sse_encoded_size(event, data, dlen), n;
	uint8_t *p = reserve(buf, len, cap, size);

	if (!p || bedrock_sse_encode(&n, p, size, event, data, dlen))
		return -1;
	*len += n;
	return 0;
}

static uint64_t num(const cJSON *o, const char *key)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, key);

	return cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e15
		       ? (uint64_t)v->valuedouble : 0;
}

/* Usage from message_start, message_delta and Bedrock's metrics. */
static void track(gw_reframer *r, const char *type, const char *json, size_t len)
{
	cJSON *tree, *u, *m;

	if (!type || (strcmp(type, "message_start") && strcmp(type, "message_delta") &&
		      strcmp(type, "message_stop")))
		return;
	if (!(tree = bedrock__json_parse_exact(json, len)))
		return;
	m = cJSON_GetObjectItemCaseSensitive(tree, "amazon-bedrock-invocationMetrics");
	if (cJSON_IsObject(m)) {
		r->metrics = 1;
		r->input = num(m, "inputTokenCount");
		r->output = num(m, "outputTokenCount");
		r->cache_read = num(m, "cacheReadInputTokenCount");
		r->cache_write = num(m, "cacheWriteInputTokenCount");
	} else if (!r->metrics) {
		u = !strcmp(type, "message_start")
			    ? cJSON_GetObjectItemCaseSensitive(
				      cJSON_GetObjectItemCaseSensitive(tree, "message"), "usage")
			    : cJSON_GetObjectItemCaseSensitive(tree, "usage");
		if (cJSON_IsObject(u)) {
			/* message_delta's counts are cumulative; the input ones
			 * appear there only on newer APIs. */
			if (num(u, "input_tokens"))
				r->input = num(u, "input_tokens");
			if (num(u, "output_tokens"))
				r->output = num(u, "output_tokens");
			if (num(u, "cache_read_input_tokens"))
				r->cache_read = num(u, "cache_read_input_tokens");
			if (num(u, "cache_creation_input_tokens"))
				r->cache_write = num(u, "cache_creation_input_tokens");
		}
	}
	cJSON_Delete(tree);
}

/* Messages events Bedrock's chunk carries; the rest stay on SSE. */
static int bedrock_has(const char *name)
{
	static const char *const known[] = { "message_start", "content_block_start",
					     "content_block_delta", "content_block_stop",
					     "message_delta", "message_stop", NULL };
	size_t i;

	for (i = 0; known[i]; i++)
		if (!strcmp(name, known[i]))
			return 1;
	return 0;
}

/* json with amazon-bedrock-invocationMetrics added (message_stop from an
 * SSE upstream), malloc'd; NULL if json is not an object. */
static char *with_metrics(const gw_reframer *r, const char *json, size_t len, size_t *out_len)
{
	char m[256], *out;
	int n;

	while (len && (json[len - 1] == ' ' || json[len - 1] == '\n' || json[len - 1] == '\r'))
		len--;
	if (len < 2 || json[0] != '{' || json[len - 1] != '}')
		return NULL;
	n = snprintf(m, sizeof(m), "%s\"amazon-bedrock-invocationMetrics\":{\"inputTokenCount\":%llu,"
		     "\"outputTokenCount\":%llu", len > 2 ? "," : "", (unsigned long long)r->input,
		     (unsigned long long)r->output);
	if (r->cache_read || r->cache_write)
		n += snprintf(m + n, sizeof(m) - (size_t)n, ",\"cacheReadInputTokenCount\":%llu,"
			      "\"cacheWriteInputTokenCount\":%llu", (unsigned long long)r->cache_read,
			      (unsigned long long)r->cache_write);
	if (!(out = malloc(len + (size_t)n + 2)))
		return NULL;
	memcpy(out, json, len - 1);
	memcpy(out + len - 1, m, (size_t)n);
	memcpy(out + len - 1 + n, "}}", 3);
	*out_len = len + (size_t)n + 1;
	return out;
}

/* message_stop's JSON without amazon-bedrock-invocationMetrics, malloc'd;
 * NULL when it has none (or is not JSON), so it goes as it came. Once a
 * stream, so parsing it costs nothing that shows. */
static char *without_metrics(const char *json, size_t len, size_t *out_len)
{
	cJSON *tree;
	char *out = NULL;

	tree = bedrock__json_parse_exact(json, len);
	if (tree && cJSON_GetObjectItemCaseSensitive(tree, "amazon-bedrock-invocationMetrics")) {
		cJSON_DeleteItemFromObjectCaseSensitive(tree, "amazon-bedrock-invocationMetrics");
		out = cJSON_PrintUnformatted(tree);
		if (out)
			*out_len = strlen(out);
	}
	cJSON_Delete(tree);
	return out;
}

static int sse_to_bedrock(gw_reframer *r, uint8_t **buf, size_t *len, size_t *cap,
			  const bedrock_event *ev)
{
	const char *json = ev->json;
	size_t jlen = ev->json_len, plen;
	char *extra = NULL, *payload;
	int rc;

	if (!bedrock_has(ev->event_type))
		return 0;
	if (!strcmp(ev->event_type, "message_stop") && (extra = with_metrics(r, json, jlen, &jlen)))
		json = extra;
	plen = 10 + bedrock__base64_encoded_len(jlen) + 2;
	if (!(payload = malloc(plen + 1))) {
		free(extra);
		return -1;
	}
	memcpy(payload, "{\"bytes\":\"", 10);
	plen = 10 + bedrock__base64_encode(payload + 10, json, jlen);
	memcpy(payload + plen, "\"}", 3);
	plen += 2;
	rc = put_bedrock(buf, len, cap, "event", "chunk", payload, plen);
	free(payload);
	free(extra);
	return rc;
}

int gw_reframe_event(gw_reframer *r, uint8_t **buf, size_t *len, size_t *cap,
		     const bedrock_event *ev)
{
	int from_bedrock = r->upstream == BEDROCK_PLATFORM_BEDROCK;

	if (!ev || !ev->event_type)
		return -1;
	track(r, ev->type ? ev->type : ev->event_type, ev->json, ev->json_len);
	if (from_bedrock) {
		if (r->front == BEDROCK_PLATFORM_BEDROCK) {
			const bedrock_es_message *m = ev->message;

			/* The frame as it came: same headers, same payload, so the
			 * same bytes and CRCs. */
			return m ? put_frame(buf, len, cap, m->headers, m->header_count, m->payload,
					     m->payload_len) : -1;
		}
		if (strcmp(ev->event_type, "chunk") || !ev->type || !*ev->type || !ev->json)
			return 0;	/* nothing a Messages client would know */
		if (!strcmp(ev->type, "message_stop")) {
			size_t n = 0;
			char *bare = without_metrics(ev->json, ev->json_len, &n);

			if (bare) {
				int rc = put_sse(buf, len, cap, ev->type, bare, n);

				cJSON_free(bare);
				return rc;
			}
		}
		return put_sse(buf, len, cap, ev->type, ev->json, ev->json_len);
	}
	if (r->front == BEDROCK_PLATFORM_BEDROCK)
		return sse_to_bedrock(r, buf, len, cap, ev);
	/* Vertex's own event means nothing to the API's clients, and strict
	 * ones break on it. */
	if (r->front == BEDROCK_PLATFORM_ANTHROPIC && !strcmp(ev->event_type, "vertex_event"))
		return 0;
	return put_sse(buf, len, cap, ev->event_type, ev->json ? ev->json : "",
		       ev->json ? ev->json_len : 0);
}

int gw_reframe_error(gw_reframer *r, uint8_t **buf, size_t *len, size_t *cap,
		     const bedrock_error_info *err)
{
	const char *code = err && err->aws_code[0] ? err->aws_code : NULL;
	const char *msg = err && err->message[0] ? err->message : "Internal server error";
	gw_err_class c = gw_err_classify(code, err ? err->http_status : 0);
	cJSON *o = cJSON_CreateObject(), *e;
	char *text = NULL;
	int rc = -1;

	if (!o)
		return -1;
	if (r->front == BEDROCK_PLATFORM_BEDROCK) {
		/* Bedrock's stream exceptions; a model's own failure carries
		 * its status. */
		const char *name = gw_err_bedrock_stream_name(c);

		if (c == GW_EC_INTERNAL && err && err->http_status) {
			name = "modelStreamErrorException";
			cJSON_AddNumberToObject(o, "originalStatusCode", err->http_status);
		}
		if (cJSON_AddStringToObject(o, "message", msg) && (text = cJSON_PrintUnformatted(o)))
			rc = put_bedrock(buf, len, cap, "exception", name, text, strlen(text));
	} else {
		/* The upstream's own type when it is the API's vocabulary. */
		const char *type = gw_err_vocabulary(code) == 2 ? code : gw_err_anthropic_type(c);

		if (cJSON_AddStringToObject(o, "type", "error") &&
		    (e = cJSON_AddObjectToObject(o, "error")) &&
		    cJSON_AddStringToObject(e, "type", type) &&
		    cJSON_AddStringToObject(e, "message", msg) && (text = cJSON_PrintUnformatted(o)))
			rc = put_sse(buf, len, cap, "error", text, strlen(text));
	}
	cJSON_free(text);
	cJSON_Delete(o);
	return rc;
}

int gw_usage_of_body(uint64_t *input, uint64_t *output, uint64_t *cache_read,
		     uint64_t *cache_write, const char *body, size_t len)
{
	cJSON *tree = bedrock__json_parse_exact(body, len);
	const cJSON *u = cJSON_GetObjectItemCaseSensitive(tree, "usage");
	int rc = -1;

	*input = *output = *cache_read = *cache_write = 0;
	if (cJSON_IsObject(u)) {
		if (cJSON_GetObjectItemCaseSensitive(u, "inputTokens")) {
			/* Converse's names. */
			*input = num(u, "inputTokens");
			*output = num(u, "outputTokens");
			*cache_read = num(u, "cacheReadInputTokens");
			*cache_write = num(u, "cacheWriteInputTokens");
		} else {
			*input = num(u, "input_tokens");
			*output = num(u, "output_tokens");
			*cache_read = num(u, "cache_read_input_tokens");
			*cache_write = num(u, "cache_creation_input_tokens");
		}
		rc = 0;
	}
	cJSON_Delete(tree);
	return rc;
}
