/* A request body as an upstream gets it (gw_translate.h). Same platform:
 * the client's bytes. Another: bedrock_body_convert, which moves the
 * model, stream flag, version and betas and passes every other member
 * through in order. Either way the body is read once for what the gateway
 * itself needs: the model, max_tokens (the token reservation) and stream.
 *
 * Count-tokens bodies differ by platform: Bedrock wraps an InvokeModel
 * body ({"input":{"invokeModel":{"body":"<base64>"}}}), the others take a
 * Messages body without what shapes the output. The upstream body here is
 * always the Messages one; bedrock_messages_send_count_tokens wraps it for
 * Bedrock and puts the model in it for Vertex. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include <bedrock/messages.h>

#include "base64.h"
#include "gw_translate.h"
#include "json.h"

static int fail(char *err, size_t cap, const char *msg)
{
	snprintf(err, cap, "%s", msg);
	return -1;
}

static char *dup_n(const char *s, size_t n)
{
	char *p = malloc(n + 1);

	if (p) {
		memcpy(p, s, n);
		p[n] = '\0';
	}
	return p;
}

/* Every anthropic-beta header, joined with ',' (clients may repeat it);
 * NULL when none or out of memory (*oom set). */
static char *betas_of(const serve_request *req, int *oom)
{
	size_t i, len = 0;
	char *out = NULL;

	*oom = 0;
	for (i = 0; i < req->header_count; i++) {
		const serve_header *h = &req->headers[i];
		size_t n;
		char *p;

		if (!h->name || !h->value || strcasecmp(h->name, "anthropic-beta") || !*h->value)
			continue;
		n = strlen(h->value);
		if (!(p = realloc(out, len + n + 2))) {
			free(out);
			*oom = 1;
			return NULL;
		}
		out = p;
		if (len)
			out[len++] = ',';
		memcpy(out + len, h->value, n + 1);
		len += n;
	}
	return out;
}

/* Bedrock's CountTokens body's InvokeModel body, decoded (malloc'd), or
 * NULL with *converse set when it is the Converse form. */
static char *unwrap_count(size_t *len, int *converse, const char *body, size_t n, char *err,
			  size_t cap)
{
	cJSON *tree = bedrock__json_parse_exact(body, n);
	const cJSON *input = cJSON_GetObjectItemCaseSensitive(tree, "input");
	const cJSON *invoke = cJSON_GetObjectItemCaseSensitive(input, "invokeModel");
	const char *b64 = bedrock__json_str(invoke, "body");
	uint8_t *out = NULL;

	*converse = 0;
	if (!invoke && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(input, "converse")))
		*converse = 1;
	else if (!b64)
		fail(err, cap, "1 validation error detected: Value at 'input' failed to satisfy "
			       "constraint: Member must have exactly one of invokeModel or converse set");
	else if (!(out = malloc(bedrock__base64_decoded_cap(strlen(b64)))))
		fail(err, cap, "out of memory");
	else if (bedrock__base64_decode(out, len, b64, strlen(b64))) {
		free(out);
		out = NULL;
		fail(err, cap, "input.invokeModel.body is not base64");
	}
	cJSON_Delete(tree);
	return (char *)out;
}

/* Members a count body may not have: they shape the output. */
static const char *const not_counted[] = {
	"max_tokens", "stream", "stop_sequences", "temperature", "top_p", "top_k", "metadata",
	"service_tier", NULL
};

/* body without not_counted (Anthropic and Vertex count bodies), or with a
 * max_tokens (an InvokeModel body for Bedrock's count): malloc'd. */
static char *count_body(size_t *len, const char *body, bedrock_platform to)
{
	cJSON *tree = bedrock__json_parse_exact(body, strlen(body));
	char *text, *out = NULL;
	size_t i;

	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return NULL;
	}
	if (to == BEDROCK_PLATFORM_BEDROCK) {
		/* CountTokens checks an InvokeModel body, which needs one. */
		if (!cJSON_GetObjectItemCaseSensitive(tree, "max_tokens"))
			cJSON_AddNumberToObject(tree, "max_tokens", 1);
	} else {
		for (i = 0; not_counted[i]; i++)
			cJSON_DeleteItemFromObjectCaseSensitive(tree, not_counted[i]);
	}
	if ((text = cJSON_PrintUnformatted(tree)) != NULL) {
		*len = strlen(text);
		out = dup_n(text, *len);
		cJSON_free(text);
	}
	cJSON_Delete(tree);
	return out;
}

/* What the gateway reads in the client's body: model, max_tokens, stream. */
static int read_body(gw_upstream_body *out, const char *body, size_t len, char *err, size_t cap)
{
	cJSON *tree = bedrock__json_parse_exact(body, len);
	const cJSON *v;
	const char *model;

	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return fail(err, cap, "the request body is not a JSON object");
	}
	v = cJSON_GetObjectItemCaseSensitive(tree, "max_tokens");
	if (cJSON_IsNumber(v) && v->valuedouble > 0 && v->valuedouble < 1e15)
		out->max_tokens = (uint64_t)v->valuedouble;
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(tree, "stream")))
		out->stream = 1;
	if ((model = bedrock__json_str(tree, "model")) != NULL &&
	    !(out->model = dup_n(model, strlen(model)))) {
		cJSON_Delete(tree);
		return fail(err, cap, "out of memory");
	}
	cJSON_Delete(tree);
	return 0;
}

int gw_body_for_upstream(gw_upstream_body *out, const gw_route *route, const serve_request *req,
			 bedrock_platform to, char *err, size_t err_cap)
{
	const char *body = (const char *)req->body;
	size_t len = req->body_len;
	char *inner = NULL, *conv = NULL, *cbetas = NULL, *hbetas = NULL;
	int oom = 0, converse = 0, count = route->op == GW_OP_COUNT_TOKENS, rc = -1, body_stream, lacks_stream;

	memset(out, 0, sizeof(*out));
	if (err && err_cap)
		*err = '\0';
	if (!body)
		body = "";
	if (route->op == GW_OP_CONVERSE || route->op == GW_OP_CONVERSE_STREAM) {
		if (to != BEDROCK_PLATFORM_BEDROCK)
			return fail(err, err_cap, "Converse is served only by Bedrock upstreams");
		/* Bedrock's own format, relayed as it came. */
		if (!(out->body = dup_n(body, len)))
			return fail(err, err_cap, "out of memory");
		out->len = len;
		out->stream = route->op == GW_OP_CONVERSE_STREAM;
		return 0;
	}
	if (count && route->front == BEDROCK_PLATFORM_BEDROCK) {
		size_t n = 0;

		inner = unwrap_count(&n, &converse, body, len, err, err_cap);
		if (converse) {
			if (to != BEDROCK_PLATFORM_BEDROCK)
				return fail(err, err_cap, "CountTokens' converse input is served only "
						     "by Bedrock upstreams");
			/* Sent whole with bedrock_count_tokens. */
			if (!(out->body = dup_n(body, len)))
				return fail(err, err_cap, "out of memory");
			out->len = len;
			out->bedrock_count_raw = 1;
			return 0;
		}
		if (!inner)
			return -1;
		body = inner;
		len = n;
	}
	if (read_body(out, body, len, err, err_cap))
		goto done;
	body_stream = out->stream;
	if (route->op == GW_OP_MESSAGES_STREAM)
		out->stream = 1;
	if (count)
		out->stream = 0;
	if (route->front != BEDROCK_PLATFORM_BEDROCK && !(hbetas = betas_of(req, &oom)) && oom) {
		fail(err, err_cap, "out of memory");
		goto done;
	}
	/* A Vertex client may call streamRawPredict without "stream": true in
	 * the body; a Vertex upstream would then answer JSON where a stream is
	 * read, so that body is rewritten (stream added) like a foreign one. */
	lacks_stream = out->stream && !body_stream && to != BEDROCK_PLATFORM_BEDROCK;
	if (route->front == to && !lacks_stream) {
		/* The client's bytes, untouched (count bodies already fit). */
		if (!(out->body = dup_n(body, len))) {
			fail(err, err_cap, "out of memory");
			goto done;
		}
		out->len = len;
		out->betas = hbetas;
		hbetas = NULL;
		rc = 0;
		goto done;
	}
	{
		bedrock_body_options o = BEDROCK_BODY_OPTIONS_INIT;
		size_t n = 0;
		int crc;

		o.platform = to;
		/* The API wants a model in the body: the client's stands in until
		 * bedrock_messages_send writes the upstream's. */
		o.model = out->model ? NULL : route->model[0] ? route->model : "unknown";
		o.stream = out->stream;
		crc = bedrock_body_convert(&conv, &n, &cbetas, NULL, body, len, hbetas, &o);
		if (crc) {
			fail(err, err_cap, crc == BEDROCK_ENOMEM ? "out of memory"
				 : "the request body is not a Messages request (a JSON object, "
				   "anthropic_beta an array of strings)");
			goto done;
		}
		if (count)
			out->body = count_body(&out->len, conv, to);
		else if ((out->body = dup_n(conv, n)) != NULL)
			out->len = n;
		if (!out->body || (cbetas && !(out->betas = dup_n(cbetas, strlen(cbetas))))) {
			fail(err, err_cap, "out of memory");
			goto done;
		}
		rc = 0;
	}
done:
	free(inner);
	free(hbetas);
	bedrock_messages_string_free(conv);
	bedrock_messages_string_free(cbetas);
	if (rc)
		gw_upstream_body_dispose(out);
	return rc;
}

void gw_upstream_body_dispose(gw_upstream_body *b)
{
	if (!b)
		return;
	free(b->body);
	free(b->betas);
	free(b->model);
	memset(b, 0, sizeof(*b));
}

/* list without the one entry equal to beta (commas, optional spaces):
 * 1 if it was there. */
static int drop_from_list(char *list, const char *beta)
{
	char *p = list, *w = list;
	int found = 0, first = 1;

	while (*p) {
		char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);
		char *s = p, *e = p + n;

		while (s < e && (*s == ' ' || *s == '\t'))
			s++;
		while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
			e--;
		if ((size_t)(e - s) == strlen(beta) && !memcmp(s, beta, (size_t)(e - s))) {
			found = 1;
		} else if (e > s) {
			if (!first)
				*w++ = ',';
			memmove(w, s, (size_t)(e - s));
			w += e - s;
			first = 0;
		}
		p = end ? end + 1 : p + n;
	}
	*w = '\0';
	return found;
}

int gw_body_drop_beta(gw_upstream_body *b, bedrock_platform to, const char *beta)
{
	cJSON *tree, *arr, *item;
	char *text;
	int found = 0;

	if (!b || !beta || !*beta)
		return -1;
	if (to != BEDROCK_PLATFORM_BEDROCK) {
		if (!b->betas || !drop_from_list(b->betas, beta))
			return -1;
		if (!*b->betas) {
			free(b->betas);
			b->betas = NULL;
		}
		return 0;
	}
	/* Bedrock carries them in the body's anthropic_beta. */
	if (!(tree = bedrock__json_parse_exact(b->body, b->len)))
		return -1;
	arr = cJSON_GetObjectItemCaseSensitive(tree, "anthropic_beta");
	for (item = cJSON_IsArray(arr) ? arr->child : NULL; item;) {
		cJSON *next = item->next;

		if (cJSON_IsString(item) && !strcmp(item->valuestring, beta)) {
			cJSON_Delete(cJSON_DetachItemViaPointer(arr, item));
			found = 1;
		}
		item = next;
	}
	if (found && cJSON_GetArraySize(arr) == 0)
		cJSON_DeleteItemFromObjectCaseSensitive(tree, "anthropic_beta");
	text = found ? cJSON_PrintUnformatted(tree) : NULL;
	cJSON_Delete(tree);
	if (!text)
		return -1;
	free(b->body);
	b->len = strlen(text);
	b->body = dup_n(text, b->len);
	cJSON_free(text);
	return b->body ? 0 : -1;
}
