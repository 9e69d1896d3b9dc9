/* Messages bodies already in the client's platform's dialect, sent as
 * given (bedrock_messages_send and its stream and count): the typed calls'
 * paths and attempt loop without the rendering, so a relay pays for no
 * JSON work it does not need. The one rewrite: the Anthropic API (and
 * Vertex's count-tokens) carry the model in the body, so it is set there,
 * and only when the body does not already name it. */
#include <string.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "client_stream_private.h"
#include "errinfo.h"
#include "json.h"

/* *out: body with "model" set to model, or NULL when body already says so
 * (send body itself). 0, BEDROCK_EINVAL (not a JSON object), ENOMEM. */
static int with_model(char **out, size_t *out_len, const void *body, size_t len,
		      const char *model, bedrock_error_info *err)
{
	cJSON *tree, *m;
	const char *have;

	*out = NULL;
	if (!model)
		return 0;
	if (!(tree = bedrock__json_parse_exact(body, len)) || !cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return bedrock__err(err, BEDROCK_EINVAL, "the body is not a JSON object");
	}
	have = bedrock__json_str(tree, "model");
	if (have && !strcmp(have, model)) {
		cJSON_Delete(tree);
		return 0;
	}
	if (!(m = cJSON_CreateString(model)) ||
	    !(cJSON_GetObjectItemCaseSensitive(tree, "model")
		      ? cJSON_ReplaceItemInObjectCaseSensitive(tree, "model", m)
		      : cJSON_AddItemToObject(tree, "model", m))) {
		cJSON_Delete(m);
		cJSON_Delete(tree);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	*out = bedrock__json_print(tree, out_len);
	cJSON_Delete(tree);
	return *out ? 0 : bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
}

static int check_args(bedrock_client *c, const char *model_id, const void *body, size_t len,
		      const char *betas, bedrock_error_info *err)
{
	if (!c || (!body && len) || (c->platform != BEDROCK_PLATFORM_ANTHROPIC && !model_id))
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	if (model_id && (!*model_id || strlen(model_id) > 2048))
		return bedrock__err(err, BEDROCK_EINVAL, "a model id (1 to 2048 characters) is required");
	if (c->platform == BEDROCK_PLATFORM_BEDROCK && betas)
		return bedrock__err(err, BEDROCK_EINVAL,
				    "on Bedrock the betas go in the body's anthropic_beta, not a header");
	return 0;
}

/* The path of model_id's method on Vertex, or the API's on Anthropic. */
static int off_bedrock(const char **body, size_t *len, char **owned, char *path, size_t cap,
		       bedrock_client *c, const char *model_id, const char *method, int count,
		       const bedrock_request_options *o, bedrock_error_info *err)
{
	int rc;

	*owned = NULL;
	if (c->platform == BEDROCK_PLATFORM_ANTHROPIC || count) {
		size_t n = 0;

		if ((rc = with_model(owned, &n, *body, *len, model_id, err)) != 0)
			return rc;
		if (*owned) {
			*body = *owned;
			*len = n;
		}
	}
	if (count)
		model_id = "count-tokens";
	return bedrock__messages_path(path, cap, c, model_id ? model_id : "", method, o, err);
}

/* The longest Vertex or Anthropic API path. */
#define RAW_PATH_MAX 8192

/* The raw Messages call, performed at once (in NULL) or started in a
 * looped bedrock_multi. */
static int send_whole(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
		      const char *model_id, const void *body, size_t len, const char *betas,
		      const bedrock_request_options *o, bedrock_error_info *err)
{
	char path[RAW_PATH_MAX], *owned = NULL;
	const char *b = body;
	int rc;

	if ((rc = check_args(c, model_id, body, len, betas, err)) != 0)
		return rc;
	if (c->platform == BEDROCK_PLATFORM_BEDROCK)
		return bedrock__runtime_call(out, in, c, model_id, "/invoke", body, len, o, err);
	rc = off_bedrock(&b, &len, &owned, path, sizeof(path), c, model_id, "rawPredict", 0, o, err);
	if (!rc) {
		bedrock__call call = { "POST", c->endpoint, path, NULL, b, len, "application/json",
				       o, 0, betas };

		rc = bedrock__client_send(out, in, c, &call, err);
	}
	bedrock__free(owned);
	return rc;
}

int bedrock_messages_send(bedrock_response **out, bedrock_client *c, const char *model_id,
			  const void *body, size_t len, const char *betas,
			  const bedrock_request_options *o, bedrock_error_info *err)
{
	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*out = NULL;
	return send_whole(out, NULL, c, model_id, body, len, betas, o, err);
}

int bedrock_multi_messages_send(bedrock_call **out, bedrock_multi *m, bedrock_client *c,
				const char *model_id, const void *body, size_t len,
				const char *betas, const bedrock_request_options *o,
				bedrock_call_done_fn done, void *arg, bedrock_error_info *err)
{
	bedrock__in_multi in;
	int rc = bedrock__in_multi_init(&in, out, m, done, arg, err);

	return rc ? rc : send_whole(NULL, &in, c, model_id, body, len, betas, o, err);
}

/* A stream of the raw Messages call: on its own (m NULL, retried while it
 * opens) or started in a bedrock_multi. */
static int send_stream(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
		       const char *model_id, const void *body, size_t len, const char *betas,
		       const bedrock_request_options *o, bedrock_error_info *err)
{
	/* The path on the heap: a stream's opening stays touched on the stack
	 * of the thread that holds it (a gateway holds thousands). */
	char *path = NULL, *owned = NULL;
	const char *b = body;
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*out = NULL;
	if ((rc = check_args(c, model_id, body, len, betas, err)) != 0)
		return rc;
	if (c->platform == BEDROCK_PLATFORM_BEDROCK)
		return m ? bedrock_multi_invoke_model_stream(out, m, c, model_id, body, len, o, err)
			 : bedrock_invoke_model_stream(out, c, model_id, body, len, o, err);
	if (!(path = bedrock__malloc(RAW_PATH_MAX)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = off_bedrock(&b, &len, &owned, path, RAW_PATH_MAX, c, model_id, "streamRawPredict", 0,
			 o, err);
	if (!rc) {
		bedrock__call call = { "POST", c->endpoint, path, NULL, b, len, "text/event-stream",
				       o, 0, betas };

		rc = m ? bedrock__multi_add(out, m, c, &call, BEDROCK__SSE_RAW, err)
		       : bedrock__client_open_stream(out, c, &call, BEDROCK__SSE_RAW, err);
	}
	bedrock__free(owned);
	bedrock__free(path);
	return rc;
}

int bedrock_messages_send_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
				 const void *body, size_t len, const char *betas,
				 const bedrock_request_options *o, bedrock_error_info *err)
{
	return send_stream(out, NULL, c, model_id, body, len, betas, o, err);
}

int bedrock_multi_messages_stream(bedrock_stream **out, bedrock_multi *m, bedrock_client *c,
				  const char *model_id, const void *body, size_t len,
				  const char *betas, const bedrock_request_options *o,
				  bedrock_error_info *err)
{
	if (!m)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	return send_stream(out, m, c, model_id, body, len, betas, o, err);
}

/* The raw count, performed at once (in NULL) or started in a looped
 * bedrock_multi. */
static int send_count(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
		      const char *model_id, const void *body, size_t len, const char *betas,
		      const bedrock_request_options *o, bedrock_error_info *err)
{
	char path[RAW_PATH_MAX], *owned = NULL;
	const char *b = body;
	int rc;

	if ((rc = check_args(c, model_id, body, len, betas, err)) != 0)
		return rc;
	if (c->platform == BEDROCK_PLATFORM_BEDROCK) {
		bedrock_model_ref ref;
		size_t n;
		/* CountTokens names the model by its base id, not a profile's. */
		const char *id = bedrock_model_resolve(&ref, model_id) == 0 && ref.model &&
						 (ref.kind == BEDROCK_MODEL_REF_PROFILE ||
						  ref.kind == BEDROCK_MODEL_REF_PROFILE_ARN)
					 ? ref.model->id : model_id;

		if (bedrock__count_tokens_wrap(&owned, &n, body, len))
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		rc = bedrock__runtime_call(out, in, c, id, "/count-tokens", owned, n, o, err);
		bedrock__free(owned);
		return rc;
	}
	rc = off_bedrock(&b, &len, &owned, path, sizeof(path), c, model_id, "rawPredict", 1, o, err);
	if (!rc) {
		bedrock__call call = { "POST", c->endpoint, path, NULL, b, len, "application/json",
				       o, 0, betas };

		rc = bedrock__client_send(out, in, c, &call, err);
	}
	bedrock__free(owned);
	return rc;
}

int bedrock_messages_send_count_tokens(bedrock_response **out, bedrock_client *c,
				       const char *model_id, const void *body, size_t len,
				       const char *betas, const bedrock_request_options *o,
				       bedrock_error_info *err)
{
	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	*out = NULL;
	return send_count(out, NULL, c, model_id, body, len, betas, o, err);
}

int bedrock_multi_messages_send_count_tokens(bedrock_call **out, bedrock_multi *m,
					     bedrock_client *c, const char *model_id,
					     const void *body, size_t len, const char *betas,
					     const bedrock_request_options *o,
					     bedrock_call_done_fn done, void *arg,
					     bedrock_error_info *err)
{
	bedrock__in_multi in;
	int rc = bedrock__in_multi_init(&in, out, m, done, arg, err);

	return rc ? rc : send_count(NULL, &in, c, model_id, body, len, betas, o, err);
}
