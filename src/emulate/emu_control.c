#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "emu_control.h"
#include "urlcode.h"

#define CREATED_AT "2024-08-01T00:00:00Z"

void emu_error(serve_response *out, int status, const char *type, const char *message,
	       const char *request_id)
{
	cJSON *o = cJSON_CreateObject();
	char *text, full[160];

	serve_response_dispose(out);
	serve_response_init(out, status);
	/* Bedrock's form: the type, then the Coral namespace after a colon. */
	snprintf(full, sizeof(full), "%s:http://internal.amazon.com/coral/com.amazon.bedrock/", type);
	serve_response_header(out, "Content-Type", "application/json");
	serve_response_header(out, "x-amzn-RequestId", request_id);
	serve_response_header(out, "x-amzn-ErrorType", full);
	cJSON_AddStringToObject(o, "message", message);
	text = cJSON_PrintUnformatted(o);
	if (text)
		serve_response_piece(out, text, strlen(text), 0);
	free(text);
	cJSON_Delete(o);
}

static void json_reply(serve_response *out, int status, cJSON *o, const char *request_id)
{
	char *text = cJSON_PrintUnformatted(o);

	serve_response_dispose(out);
	serve_response_init(out, status);
	serve_response_header(out, "Content-Type", "application/json");
	serve_response_header(out, "x-amzn-RequestId", request_id);
	if (text)
		serve_response_piece(out, text, strlen(text), 0);
	free(text);
	cJSON_Delete(o);
}

/* The value of a query parameter (decoded), or NULL. */
static const char *query_param(char *buf, size_t cap, const char *query, const char *name)
{
	return bedrock__query_param(buf, cap, query, name) == 1 ? buf : NULL;
}

static cJSON *model_summary(const bedrock_model_info *m, const char *region)
{
	cJSON *o = cJSON_CreateObject(), *in = cJSON_CreateArray(), *types = cJSON_CreateArray();
	cJSON *lc = cJSON_CreateObject();
	char arn[256];

	snprintf(arn, sizeof(arn), "arn:aws:bedrock:%s::foundation-model/%s", region, m->id);
	cJSON_AddStringToObject(o, "modelArn", arn);
	cJSON_AddStringToObject(o, "modelId", m->id);
	cJSON_AddStringToObject(o, "modelName", m->name);
	cJSON_AddStringToObject(o, "providerName", "Anthropic");
	if (m->modalities & BEDROCK_MODALITY_TEXT)
		cJSON_AddItemToArray(in, cJSON_CreateString("TEXT"));
	if (m->modalities & BEDROCK_MODALITY_IMAGE)
		cJSON_AddItemToArray(in, cJSON_CreateString("IMAGE"));
	cJSON_AddItemToObject(o, "inputModalities", in);
	cJSON_AddItemToObject(o, "outputModalities", cJSON_CreateStringArray((const char *[]){ "TEXT" }, 1));
	cJSON_AddBoolToObject(o, "responseStreamingSupported", 1);
	cJSON_AddItemToObject(o, "customizationsSupported", cJSON_CreateArray());
	if (m->on_demand)
		cJSON_AddItemToArray(types, cJSON_CreateString("ON_DEMAND"));
	if (m->profiles)
		cJSON_AddItemToArray(types, cJSON_CreateString("INFERENCE_PROFILE"));
	cJSON_AddItemToObject(o, "inferenceTypesSupported", types);
	cJSON_AddStringToObject(lc, "status", m->legacy ? "LEGACY" : "ACTIVE");
	cJSON_AddItemToObject(o, "modelLifecycle", lc);
	return o;
}

static int list_models(emu_control *c, serve_response *out, const serve_request *req, const char *rid)
{
	cJSON *o = cJSON_CreateObject(), *arr = cJSON_CreateArray();
	char prov[64], mod[64], inf[64], cust[64];
	const char *by_provider = query_param(prov, sizeof(prov), req->query, "byProvider");
	const char *by_output = query_param(mod, sizeof(mod), req->query, "byOutputModality");
	const char *by_inference = query_param(inf, sizeof(inf), req->query, "byInferenceType");
	const char *by_custom = query_param(cust, sizeof(cust), req->query, "byCustomizationType");
	size_t i;

	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		if (by_provider && strcasecmp(by_provider, "anthropic"))
			continue;
		if (by_output && strcmp(by_output, "TEXT"))
			continue;
		if (by_custom)
			continue;
		if (by_inference && !((!strcmp(by_inference, "ON_DEMAND") && m->on_demand) ||
				      (!strcmp(by_inference, "INFERENCE_PROFILE") && m->profiles)))
			continue;
		cJSON_AddItemToArray(arr, model_summary(m, c->region));
	}
	cJSON_AddItemToObject(o, "modelSummaries", arr);
	json_reply(out, 200, o, rid);
	return 1;
}

static int get_model(emu_control *c, serve_response *out, const char *id, const char *rid)
{
	bedrock_model_ref ref;
	cJSON *o;

	if (bedrock_model_resolve(&ref, id) || !ref.model || ref.kind == BEDROCK_MODEL_REF_PROFILE ||
	    ref.kind == BEDROCK_MODEL_REF_PROFILE_ARN || ref.kind == BEDROCK_MODEL_REF_ALIAS) {
		emu_error(out, 404, "ResourceNotFoundException",
			  "Could not resolve the foundation model from the provided model identifier.", rid);
		return 1;
	}
	o = cJSON_CreateObject();
	cJSON_AddItemToObject(o, "modelDetails", model_summary(ref.model, c->region));
	json_reply(out, 200, o, rid);
	return 1;
}

static cJSON *profile_json(const bedrock_inference_profile *p, const emu_control *c)
{
	cJSON *o = cJSON_CreateObject(), *models = cJSON_CreateArray();
	char arn[320], desc[200];
	size_t i;

	snprintf(arn, sizeof(arn), "arn:aws:bedrock:%s:%s:inference-profile/%s", c->region,
		 c->account, p->id);
	snprintf(desc, sizeof(desc), "Routes requests to %s in %s.", p->model->name,
		 p->geo == BEDROCK_PROFILE_GLOBAL ? "all commercial regions" : "the geography's regions");
	cJSON_AddStringToObject(o, "inferenceProfileName", p->name);
	cJSON_AddStringToObject(o, "description", desc);
	cJSON_AddStringToObject(o, "createdAt", CREATED_AT);
	cJSON_AddStringToObject(o, "updatedAt", CREATED_AT);
	cJSON_AddStringToObject(o, "inferenceProfileArn", arn);
	for (i = 0; p->regions && p->regions[i]; i++) {
		cJSON *m = cJSON_CreateObject();
		char marn[320];

		snprintf(marn, sizeof(marn), "arn:aws:bedrock:%s::foundation-model/%s", p->regions[i],
			 p->model->id);
		cJSON_AddStringToObject(m, "modelArn", marn);
		cJSON_AddItemToArray(models, m);
	}
	cJSON_AddItemToObject(o, "models", models);
	cJSON_AddStringToObject(o, "inferenceProfileId", p->id);
	cJSON_AddStringToObject(o, "status", "ACTIVE");
	cJSON_AddStringToObject(o, "type", "SYSTEM_DEFINED");
	return o;
}

static int list_profiles(emu_control *c, serve_response *out, const serve_request *req,
			 const char *rid)
{
	char mbuf[32], tbuf[64], ybuf[128];
	const char *max = query_param(mbuf, sizeof(mbuf), req->query, "maxResults");
	const char *token = query_param(tbuf, sizeof(tbuf), req->query, "nextToken");
	const char *type = query_param(ybuf, sizeof(ybuf), req->query, "type");
	size_t start = 0, limit = 1000, i, n = bedrock_profiles_count();
	cJSON *o, *arr;
	char *end;

	if (max) {
		long v = strtol(max, &end, 10);

		if (*end || v < 1 || v > 1000) {
			emu_error(out, 400, "ValidationException",
				  "1 validation error detected: Value at 'maxResults' failed to satisfy "
				  "constraint: Member must have value less than or equal to 1000", rid);
			return 1;
		}
		limit = (size_t)v;
	}
	if (token) {
		unsigned long v = strtoul(token, &end, 10);

		if (!*token || *end || v >= n) {
			emu_error(out, 400, "ValidationException", "The pagination token is invalid.", rid);
			return 1;
		}
		start = (size_t)v;
	}
	if (type && strcmp(type, "SYSTEM_DEFINED") && strcmp(type, "APPLICATION")) {
		char m[256];

		snprintf(m, sizeof(m), "1 validation error detected: Value '%.32s' at 'typeEquals' "
			 "failed to satisfy constraint: Member must satisfy enum value set: "
			 "[SYSTEM_DEFINED, APPLICATION]", type);
		emu_error(out, 400, "ValidationException", m, rid);
		return 1;
	}
	o = cJSON_CreateObject();
	arr = cJSON_CreateArray();
	if (!type || !strcmp(type, "SYSTEM_DEFINED")) {
		/* As Bedrock: only the profiles callable from this region. The
		 * token is the catalog index to go on from. */
		unsigned geos = bedrock_region_profile_geos(c->region);
		size_t listed = 0;

		for (i = start; i < n; i++) {
			bedrock_inference_profile p;

			if (bedrock_profiles_at(&p, i) || !(p.geo & geos))
				continue;
			if (listed == limit) {
				char next[32];

				snprintf(next, sizeof(next), "%zu", i);
				cJSON_AddStringToObject(o, "nextToken", next);
				break;
			}
			cJSON_AddItemToArray(arr, profile_json(&p, c));
			listed++;
		}
	}
	cJSON_AddItemToObject(o, "inferenceProfileSummaries", arr);
	json_reply(out, 200, o, rid);
	return 1;
}

static int get_profile(emu_control *c, serve_response *out, const char *id, const char *rid)
{
	size_t i, n = bedrock_profiles_count();
	bedrock_model_ref ref;
	const char *want = id;

	/* An ARN names the profile by its last path segment. */
	if (!strncmp(id, "arn:", 4) && bedrock_model_resolve(&ref, id) == 0 &&
	    ref.kind == BEDROCK_MODEL_REF_PROFILE_ARN)
		want = strrchr(id, '/') + 1;
	for (i = 0; i < n; i++) {
		bedrock_inference_profile p;

		if (bedrock_profiles_at(&p, i) == 0 && !strcmp(p.id, want)) {
			json_reply(out, 200, profile_json(&p, c), rid);
			return 1;
		}
	}
	emu_error(out, 404, "ResourceNotFoundException", "Inference profile not found.", rid);
	return 1;
}

static int logging(emu_control *c, serve_response *out, const serve_request *req, const char *rid)
{
	cJSON *o;

	if (!strcmp(req->method, "GET")) {
		o = cJSON_CreateObject();
		pthread_mutex_lock(&c->lock);
		if (c->logging_config)
			cJSON_AddItemToObject(o, "loggingConfig", cJSON_Parse(c->logging_config));
		pthread_mutex_unlock(&c->lock);
		json_reply(out, 200, o, rid);
	} else if (!strcmp(req->method, "PUT")) {
		cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len);
		const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(body, "loggingConfig");
		char *text;

		if (!cJSON_IsObject(cfg)) {
			cJSON_Delete(body);
			emu_error(out, 400, "ValidationException",
				  "1 validation error detected: Value null at 'loggingConfig' failed to "
				  "satisfy constraint: Member must not be null", rid);
			return 1;
		}
		text = cJSON_PrintUnformatted(cfg);
		pthread_mutex_lock(&c->lock);
		free(c->logging_config);
		c->logging_config = text;
		pthread_mutex_unlock(&c->lock);
		cJSON_Delete(body);
		json_reply(out, 200, cJSON_CreateObject(), rid);
	} else if (!strcmp(req->method, "DELETE")) {
		pthread_mutex_lock(&c->lock);
		free(c->logging_config);
		c->logging_config = NULL;
		pthread_mutex_unlock(&c->lock);
		json_reply(out, 200, cJSON_CreateObject(), rid);
	} else {
		emu_error(out, 405, "ValidationException", "Method not allowed.", rid);
	}
	return 1;
}

int emu_control_handle(emu_control *c, serve_response *out, const serve_request *req,
		       const char *rid)
{
	const char *p = req->path;
	char id[2100];
	int get = !strcmp(req->method, "GET");

	if (!strcmp(p, "/logging/modelinvocations"))
		return logging(c, out, req, rid);
	if (get && !strcmp(p, "/foundation-models"))
		return list_models(c, out, req, rid);
	if (get && !strcmp(p, "/inference-profiles"))
		return list_profiles(c, out, req, rid);
	if (get && !strncmp(p, "/foundation-models/", 19)) {
		if (bedrock__url_decode(id, sizeof(id), p + 19, strlen(p + 19))) {
			emu_error(out, 400, "ValidationException", "The model identifier is malformed.", rid);
			return 1;
		}
		return get_model(c, out, id, rid);
	}
	if (get && !strncmp(p, "/inference-profiles/", 20)) {
		if (bedrock__url_decode(id, sizeof(id), p + 20, strlen(p + 20))) {
			emu_error(out, 400, "ValidationException",
				  "The inference profile identifier is malformed.", rid);
			return 1;
		}
		return get_profile(c, out, id, rid);
	}
	return 0;
}

int emu_control_init(emu_control *c, const char *region)
{
	memset(c, 0, sizeof(*c));
	c->region = region;
	c->account = "123456789012";
	return pthread_mutex_init(&c->lock, NULL) ? -1 : 0;
}

void emu_control_dispose(emu_control *c)
{
	free(c->logging_config);
	pthread_mutex_destroy(&c->lock);
	memset(c, 0, sizeof(*c));
}
