/* Typed Claude calls: the Messages model over each platform's wire.
 * Bedrock: InvokeModel (and its stream) with the body in Bedrock's
 * dialect. The Anthropic API: POST /v1/messages, `model` and `stream` in
 * the body, version and betas as headers, SSE for a stream. Vertex AI:
 * the model's rawPredict / streamRawPredict, `stream` and
 * `anthropic_version` in the body, betas as a header, SSE for a stream. */
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "base64.h"
#include "client_private.h"
#include "errinfo.h"
#include "json.h"

/* CountTokens takes the InvokeModel body as a blob: base64 in rest-json
 * (PROTOCOL.md 1.3), {"input":{"invokeModel":{"body":"<base64>"}}}. */
int bedrock__count_tokens_wrap(char **out, size_t *out_len, const void *body, size_t len)
{
	static const char head[] = "{\"input\":{\"invokeModel\":{\"body\":\"";
	static const char tail[] = "\"}}}";
	size_t b64 = bedrock__base64_encoded_len(len), n;
	char *p;

	*out = NULL;
	if (b64 > SIZE_MAX - sizeof(head) - sizeof(tail))
		return BEDROCK_ENOMEM;
	if (!(p = bedrock__malloc(sizeof(head) - 1 + b64 + sizeof(tail))))
		return BEDROCK_ENOMEM;
	memcpy(p, head, sizeof(head) - 1);
	n = sizeof(head) - 1 + bedrock__base64_encode(p + sizeof(head) - 1, body, len);
	memcpy(p + n, tail, sizeof(tail));
	if (out_len)
		*out_len = n + sizeof(tail) - 1;
	*out = p;
	return 0;
}

/* A request rendered for the client's platform. */
typedef struct rendered {
	char *body;
	size_t len;
	char *betas;		/* anthropic-beta (Anthropic API), or NULL */
	char model[2049];	/* the id the platform is called with (ARNs too) */
} rendered;

static void rendered_dispose(rendered *r)
{
	bedrock_messages_string_free(r->body);
	bedrock_messages_string_free(r->betas);
	r->body = r->betas = NULL;
}

/* An alias ("sonnet-4.5", "haiku") becomes the platform's id for it; any
 * full id is sent as given, whichever platform it was written for. */
static int model_for(char *out, size_t cap, const bedrock_client *c, const char *id,
		     bedrock_error_info *err)
{
	bedrock_model_ref ref;

	if (!id || !*id || strlen(id) >= cap)
		return bedrock__err(err, BEDROCK_EINVAL, "a model id (1 to %zu characters) is required",
				    cap - 1);
	if (bedrock_model_resolve(&ref, id) == 0 && ref.kind == BEDROCK_MODEL_REF_ALIAS && ref.model) {
		int rc = c->platform == BEDROCK_PLATFORM_BEDROCK
				 ? bedrock_model_id_for_region(out, cap, ref.model, c->region)
				 : bedrock_model_platform_id(out, cap, ref.model, c->platform);

		if (rc == 0)
			return 0;
		return bedrock__err(err, BEDROCK_EINVAL, "%s cannot be called on %s%s%s", id,
				    bedrock_platform_name(c->platform),
				    c->platform == BEDROCK_PLATFORM_BEDROCK ? " from " : "",
				    c->platform == BEDROCK_PLATFORM_BEDROCK ? c->region : "");
	}
	snprintf(out, cap, "%s", id);
	return 0;
}

static int render(rendered *r, const bedrock_client *c, const char *model_id,
		  const bedrock_messages_request *req, int stream, bedrock_error_info *err)
{
	bedrock_body_options bo = BEDROCK_BODY_OPTIONS_INIT;
	int rc;

	memset(r, 0, sizeof(*r));
	if (!req)
		return bedrock__err(err, BEDROCK_EINVAL, "no request");
	if ((rc = model_for(r->model, sizeof(r->model), c, model_id, err)) != 0)
		return rc;
	bo.platform = c->platform;
	bo.model = r->model;
	bo.stream = stream;
	rc = bedrock_messages_request_render(&r->body, &r->len, &r->betas, req, &bo);
	if (rc)
		bedrock__err(err, rc, "%s", bedrock_messages_request_errmsg(req));
	return rc;
}

int bedrock__messages_path(char *out, size_t cap, bedrock_client *c, const char *model,
			   const char *method, const bedrock_request_options *o,
			   bedrock_error_info *err)
{
	if (c->platform == BEDROCK_PLATFORM_VERTEX)
		return bedrock__vertex_path(out, cap, c, model, method, o ? o->cancel : NULL, err);
	snprintf(out, cap, "%s", !strcmp(model, "count-tokens") ? "/v1/messages/count_tokens"
								 : "/v1/messages");
	return 0;
}

static int parse_message(bedrock_message **out, const bedrock_response *r, bedrock_error_info *err)
{
	size_t len;
	const char *data = bedrock_response_body(r, &len);
	int rc = bedrock_message_parse(out, data, len);

	if (rc)
		bedrock__err(err, rc, "the answer is not a Messages response");
	return rc;
}

int bedrock_messages_create(bedrock_message **out, bedrock_client *c, const char *model_id,
			    const bedrock_messages_request *req, const bedrock_request_options *o,
			    bedrock_error_info *err)
{
	bedrock_response *resp = NULL;
	rendered r;
	int rc;

	if (!out || !c)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*out = NULL;
	if ((rc = render(&r, c, model_id, req, 0, err)) != 0) {
		rendered_dispose(&r);
		return rc;
	}
	if (c->platform == BEDROCK_PLATFORM_BEDROCK) {
		rc = bedrock_invoke_model(&resp, c, r.model, r.body, r.len, o, err);
	} else {
		char path[8192];
		bedrock__call call = { "POST", c->endpoint, path, NULL, r.body, r.len,
				       "application/json", o, 0, r.betas };

		rc = bedrock__messages_path(path, sizeof(path), c, r.model, "rawPredict", o, err);
		if (!rc)
			rc = bedrock__client_perform(&resp, c, &call, err);
	}
	rendered_dispose(&r);
	if (!rc)
		rc = parse_message(out, resp, err);
	bedrock_response_free(resp);
	return rc;
}

int bedrock_messages_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
			    const bedrock_messages_request *req, const bedrock_request_options *o,
			    bedrock_error_info *err)
{
	rendered r;
	int rc;

	if (!out || !c)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*out = NULL;
	if ((rc = render(&r, c, model_id, req, 1, err)) == 0) {
		if (c->platform == BEDROCK_PLATFORM_BEDROCK) {
			rc = bedrock_invoke_model_stream(out, c, r.model, r.body, r.len, o, err);
		} else {
			char path[8192];
			bedrock__call call = { "POST", c->endpoint, path, NULL, r.body, r.len,
					       "text/event-stream", o, 0, r.betas };

			rc = bedrock__messages_path(path, sizeof(path), c, r.model, "streamRawPredict", o, err);
			if (!rc)
				rc = bedrock__client_open_stream(out, c, &call, 1, err);
		}
	}
	rendered_dispose(&r);
	return rc;
}

/* Members a Messages body has that count_tokens refuses: the API counts
 * the input, so whatever shapes the output goes. */
static const char *const not_counted[] = {
	"max_tokens", "stream", "stop_sequences", "temperature", "top_p", "top_k", "metadata",
	"service_tier", NULL
};

/* The count_tokens body of each platform, from the Messages body. */
static int count_body(char **out, const bedrock_client *c, const rendered *r)
{
	cJSON *tree = NULL;
	size_t i;
	int rc = BEDROCK_ENOMEM;

	*out = NULL;
	if (c->platform == BEDROCK_PLATFORM_BEDROCK) {
		return bedrock__count_tokens_wrap(out, NULL, r->body, r->len);
	}
	if (!(tree = bedrock__json_parse_exact(r->body, r->len)))
		return BEDROCK_ENOMEM;
	for (i = 0; not_counted[i]; i++)
		cJSON_DeleteItemFromObjectCaseSensitive(tree, not_counted[i]);
	/* Vertex's count-tokens takes the model in the body, first. */
	if (c->platform == BEDROCK_PLATFORM_VERTEX) {
		cJSON *front = cJSON_CreateObject(), *m;

		if (!front || !cJSON_AddStringToObject(front, "model", r->model)) {
			cJSON_Delete(front);
			cJSON_Delete(tree);
			return BEDROCK_ENOMEM;
		}
		while ((m = tree->child) != NULL) {
			cJSON_DetachItemViaPointer(tree, m);
			if (!cJSON_AddItemToObject(front, m->string, m)) {
				cJSON_Delete(m);
				cJSON_Delete(front);
				cJSON_Delete(tree);
				return BEDROCK_ENOMEM;
			}
		}
		cJSON_Delete(tree);
		tree = front;
	}
	if ((*out = bedrock__json_print(tree, NULL)))
		rc = 0;
	cJSON_Delete(tree);
	return rc;
}

int bedrock_messages_count_tokens(uint64_t *input_tokens, bedrock_client *c, const char *model_id,
				  const bedrock_messages_request *req,
				  const bedrock_request_options *o, bedrock_error_info *err)
{
	bedrock_response *resp = NULL;
	char *body = NULL;
	cJSON *j = NULL;
	rendered r;
	int rc;

	if (!input_tokens || !c)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*input_tokens = 0;
	if ((rc = render(&r, c, model_id, req, 0, err)) != 0 ||
	    (rc = count_body(&body, c, &r)) != 0) {
		if (rc == BEDROCK_ENOMEM)
			bedrock__err(err, rc, "out of memory");
		goto done;
	}
	if (c->platform == BEDROCK_PLATFORM_BEDROCK) {
		bedrock_model_ref ref;
		/* CountTokens wants the model's base id, not a profile's. */
		const char *id = bedrock_model_resolve(&ref, r.model) == 0 && ref.model
					 ? ref.model->id : r.model;
		char path[8192], enc[3 * 2049];
		size_t n;
		bedrock__call call = { "POST", c->endpoint, path, NULL, body, strlen(body),
				       "application/json", o, 0, NULL };

		if (bedrock_sigv4_uri_encode(enc, sizeof(enc), &n, id, strlen(id))) {
			rc = bedrock__err(err, BEDROCK_EINVAL, "the model id cannot be encoded");
			goto done;
		}
		snprintf(path, sizeof(path), "/model/%s/count-tokens", enc);
		rc = bedrock__client_perform(&resp, c, &call, err);
	} else {
		char path[8192];
		bedrock__call call = { "POST", c->endpoint, path, NULL, body, strlen(body),
				       "application/json", o, 0, r.betas };

		rc = bedrock__messages_path(path, sizeof(path), c, "count-tokens", "rawPredict", o, err);
		if (!rc)
			rc = bedrock__client_perform(&resp, c, &call, err);
	}
	if (rc)
		goto done;
	{
		size_t len;
		const char *data = bedrock_response_body(resp, &len);
		const char *key = c->platform == BEDROCK_PLATFORM_BEDROCK ? "inputTokens"
									  : "input_tokens";
		const cJSON *v;

		j = bedrock__json_parse_exact(data, len);
		v = cJSON_GetObjectItemCaseSensitive(j, key);
		if (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1e15) {
			rc = bedrock__err(err, BEDROCK_EPROTOCOL, "the answer has no %s count", key);
			goto done;
		}
		*input_tokens = (uint64_t)v->valuedouble;
	}
done:
	cJSON_Delete(j);
	bedrock_response_free(resp);
	bedrock__free(body);
	rendered_dispose(&r);
	return rc;
}
