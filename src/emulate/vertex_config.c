/* Vertex's publisher model configuration, the request-response logging
 * setup of a Claude model (setPublisherModelConfig,
 * fetchPublisherModelConfig), kept in memory per project, location and
 * model as the Bedrock front keeps its invocation logging configuration
 * (emu_control.c). Nothing is logged anywhere: the configuration is only
 * stored and read back. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "model_internal.h"
#include "timeutil.h"
#include "vertex_front.h"

static void json_reply(serve_response *out, cJSON *o)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	cJSON_Delete(o);
	if (!text) {
		emu_google_error(out, 500, "INTERNAL", "Internal error encountered.", 0);
		return;
	}
	serve_response_dispose(out);
	serve_response_init(out, 200);
	serve_response_header(out, "content-type", "application/json; charset=UTF-8");
	serve_response_header(out, "vary", "Origin, X-Origin, Referer");
	serve_response_piece(out, text, strlen(text), 0);
	free(text);
}

static void invalid(serve_response *out, const char *message)
{
	emu_google_error(out, 400, "INVALID_ARGUMENT", message, 0);
}

/* "PROJECT/LOCATION/MODEL", the project by its id even when named by
 * its number. */
static void key_of(char *out, size_t cap, const emu_google *g, const emu_vertex_path *p)
{
	snprintf(out, cap, "%s/%s/%s", g->project, p->location, p->model);
}

/* Checks loggingConfig as Vertex documents it. 0, or -1 with the error. */
static int check_logging(serve_response *out, const cJSON *lc)
{
	const cJSON *v;
	const char *uri;

	if (!cJSON_IsObject(lc)) {
		invalid(out, "Invalid value at 'publisher_model_config.logging_config': "
			"an object is required.");
		return -1;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(lc, "enabled")) && !cJSON_IsBool(v)) {
		invalid(out, "Invalid value at 'publisher_model_config.logging_config.enabled' "
			"(TYPE_BOOL).");
		return -1;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(lc, "samplingRate")) &&
	    (!cJSON_IsNumber(v) || v->valuedouble < 0 || v->valuedouble > 1)) {
		invalid(out, "logging_config.sampling_rate must be between 0 and 1.");
		return -1;
	}
	if ((v = cJSON_GetObjectItemCaseSensitive(lc, "enableOtelLogging")) && !cJSON_IsBool(v)) {
		invalid(out, "Invalid value at 'publisher_model_config.logging_config."
			"enable_otel_logging' (TYPE_BOOL).");
		return -1;
	}
	v = cJSON_GetObjectItemCaseSensitive(lc, "bigqueryDestination");
	uri = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(v, "outputUri"));
	if (v && (!uri || strncmp(uri, "bq://", 5) || !strchr(uri + 5, '.') || uri[5] == '.')) {
		invalid(out, "logging_config.bigquery_destination.output_uri must be a BigQuery "
			"URI: bq://PROJECT.DATASET or bq://PROJECT.DATASET.TABLE.");
		return -1;
	}
	if (cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(lc, "enabled")) && !uri) {
		invalid(out, "logging_config.bigquery_destination is required when logging is "
			"enabled.");
		return -1;
	}
	return 0;
}

/* "logging_config" -> "loggingConfig". */
static void camel(char *out, size_t cap, const char *s, size_t n)
{
	size_t o = 0, i;
	int up = 0;

	for (i = 0; i < n && o + 1 < cap; i++) {
		if (s[i] == '_') {
			up = 1;
			continue;
		}
		out[o++] = up && s[i] >= 'a' && s[i] <= 'z' ? (char)(s[i] - 'a' + 'A') : s[i];
		up = 0;
	}
	out[o] = '\0';
}

/* The configuration after the update: the new one whole, or with an
 * updateMask the stored one with only the named fields taken from the
 * new one. Consumes nothing; returns a new object. */
static cJSON *merged(const char *stored, const cJSON *cfg, const char *mask)
{
	cJSON *res;
	const char *p = mask, *comma;
	char name[64];

	if (!mask)
		return cJSON_Duplicate(cfg, 1);
	res = stored ? cJSON_Parse(stored) : cJSON_CreateObject();
	while (res && *p) {
		const cJSON *v;

		comma = strchr(p, ',');
		camel(name, sizeof(name), p, comma ? (size_t)(comma - p) : strlen(p));
		cJSON_DeleteItemFromObjectCaseSensitive(res, name);
		if ((v = cJSON_GetObjectItemCaseSensitive(cfg, name)) != NULL &&
		    !emu__put(res, name, cJSON_Duplicate(v, 1))) {
			cJSON_Delete(res);
			return NULL;
		}
		p = comma ? comma + 1 : p + strlen(p);
	}
	return res;
}

/* Stores text under key (the lock held): 0, or -1 when full or ENOMEM. */
static int store(emu_google *g, const char *key, char *text)
{
	emu_vertex_config *c;
	size_t i;

	for (i = 0; i < g->config_count; i++)
		if (!strcmp(g->configs[i].key, key)) {
			free(g->configs[i].json);
			g->configs[i].json = text;
			return 0;
		}
	if (g->config_count == EMU_VERTEX_CONFIGS_MAX ||
	    !(c = realloc(g->configs, (g->config_count + 1) * sizeof(*c))))
		return -1;
	g->configs = c;
	c[g->config_count].key = strdup(key);
	c[g->config_count].json = text;
	if (!c[g->config_count].key)
		return -1;
	g->config_count++;
	return 0;
}

/* The stored configuration's text, malloc'd, or NULL (the lock held). */
static char *stored_copy(const emu_google *g, const char *key)
{
	size_t i;

	for (i = 0; i < g->config_count; i++)
		if (!strcmp(g->configs[i].key, key))
			return strdup(g->configs[i].json);
	return NULL;
}

static cJSON *operation(const emu_google *g, const emu_vertex_path *p, const char *cfg_text,
			long long now)
{
	const char *api = *p->version ? p->version : "v1";
	cJSON *o = cJSON_CreateObject(), *meta, *generic, *resp = cJSON_Parse(cfg_text), *c;
	char name[400], type[160], when[40];
	uint64_t h = emu__mix(emu__fnv(EMU_FNV_INIT, cfg_text, strlen(cfg_text)) ^ (uint64_t)now);

	snprintf(name, sizeof(name), "projects/%s/locations/%s/publishers/anthropic/models/%s/"
		 "operations/%llu", g->numeric_project, p->location, p->model,
		 (unsigned long long)(h % 9000000000000000000ULL + 1000000000000000000ULL));
	bedrock__format_iso8601(when, sizeof(when), (time_t)now);
	cJSON_AddStringToObject(o, "name", name);
	meta = cJSON_AddObjectToObject(o, "metadata");
	snprintf(type, sizeof(type), "type.googleapis.com/google.cloud.aiplatform.%s."
		 "SetPublisherModelConfigOperationMetadata", api);
	cJSON_AddStringToObject(meta, "@type", type);
	generic = cJSON_AddObjectToObject(meta, "genericMetadata");
	cJSON_AddStringToObject(generic, "createTime", when);
	cJSON_AddStringToObject(generic, "updateTime", when);
	cJSON_AddBoolToObject(o, "done", 1);
	/* The response is the PublisherModelConfig, its type first. */
	snprintf(type, sizeof(type), "type.googleapis.com/google.cloud.aiplatform.%s."
		 "PublisherModelConfig", api);
	c = cJSON_CreateObject();
	cJSON_AddStringToObject(c, "@type", type);
	while (resp && resp->child) {
		cJSON *item = cJSON_DetachItemViaPointer(resp, resp->child);

		cJSON_AddItemToObject(c, item->string, item);
	}
	cJSON_Delete(resp);
	emu__put(o, "response", c);
	return o;
}

void emu_vertex_set_config(emu_google *g, serve_response *out, const serve_request *req,
			   const emu_vertex_path *p, long long now)
{
	cJSON *body = cJSON_ParseWithLength((const char *)req->body, req->body_len), *res = NULL;
	const cJSON *cfg = cJSON_GetObjectItemCaseSensitive(body, "publisherModelConfig");
	const cJSON *mask = cJSON_GetObjectItemCaseSensitive(body, "updateMask");
	char key[256], *text = NULL, *stored;

	if (!cJSON_IsObject(body)) {
		invalid(out, "Invalid JSON payload received.");
		goto done;
	}
	if (!cJSON_IsObject(cfg)) {
		invalid(out, "Request contains an invalid argument: publisherModelConfig is "
			"required.");
		goto done;
	}
	if (mask && (!cJSON_IsString(mask) || !*mask->valuestring)) {
		invalid(out, "Invalid value at 'update_mask' (type.googleapis.com/"
			"google.protobuf.FieldMask).");
		goto done;
	}
	if (cJSON_GetObjectItemCaseSensitive(cfg, "loggingConfig") &&
	    check_logging(out, cJSON_GetObjectItemCaseSensitive(cfg, "loggingConfig")))
		goto done;
	key_of(key, sizeof(key), g, p);
	pthread_mutex_lock(&g->lock);
	stored = stored_copy(g, key);
	res = merged(stored, cfg, mask ? mask->valuestring : NULL);
	free(stored);
	text = res ? cJSON_PrintUnformatted(res) : NULL;
	if (!text || store(g, key, text)) {
		pthread_mutex_unlock(&g->lock);
		free(text);
		emu_google_error(out, 429, "RESOURCE_EXHAUSTED",
				 "Too many publisher model configurations in the emulator.", 0);
		goto done;
	}
	json_reply(out, operation(g, p, text, now));
	pthread_mutex_unlock(&g->lock);
done:
	cJSON_Delete(res);
	cJSON_Delete(body);
}

void emu_vertex_fetch_config(emu_google *g, serve_response *out, const emu_vertex_path *p)
{
	char key[256], *text;
	cJSON *o;

	key_of(key, sizeof(key), g, p);
	pthread_mutex_lock(&g->lock);
	text = stored_copy(g, key);
	pthread_mutex_unlock(&g->lock);
	o = text ? cJSON_Parse(text) : cJSON_CreateObject();
	free(text);
	json_reply(out, o);
}
