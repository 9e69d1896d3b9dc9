/* The typed control plane over bedrock_control_request(): filters and ids
 * encoded once here, ListInferenceProfiles' pages behind an iterator. */
#include <stdio.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "alloc.h"
#include "bedrock/control.h"
#include "bedrock/sigv4.h"
#include "errinfo.h"

/* Most pages a listing may take: a service that never stops paging must
 * not keep a caller forever. */
#define MAX_PAGES 10000

/* Appends "&name=<encoded value>" (the first one with '?'). */
static int add_query(char *path, size_t cap, const char *name, const char *value)
{
	size_t used = strlen(path), n = 0;
	int w;

	if (!value)
		return 0;
	w = snprintf(path + used, cap - used, "%c%s=", strchr(path, '?') ? '&' : '?', name);
	if (w < 0 || (size_t)w >= cap - used)
		return BEDROCK_ELIMIT;
	used += (size_t)w;
	if (bedrock_sigv4_uri_encode(path + used, cap - used, &n, value, strlen(value)))
		return BEDROCK_ELIMIT;
	return 0;
}

int bedrock_list_foundation_models(bedrock_response **out, bedrock_client *client,
				   const bedrock_model_filter *filter, bedrock_error_info *err)
{
	char path[1024] = "/foundation-models";

	if (filter && filter->version != BEDROCK_MODEL_FILTER_VERSION)
		return bedrock__err(err, BEDROCK_EINVAL, "bedrock_model_filter: unknown version %u",
				    filter->version);
	if (filter && (add_query(path, sizeof(path), "byProvider", filter->provider) ||
		       add_query(path, sizeof(path), "byCustomizationType", filter->customization_type) ||
		       add_query(path, sizeof(path), "byOutputModality", filter->output_modality) ||
		       add_query(path, sizeof(path), "byInferenceType", filter->inference_type)))
		return bedrock__err(err, BEDROCK_EINVAL, "a model filter is too long");
	return bedrock_control_request(out, client, "GET", path, NULL, 0, err);
}

/* GET prefix/<id, encoded as one path segment>. */
static int get_one(bedrock_response **out, bedrock_client *client, const char *prefix,
		   const char *id, bedrock_error_info *err)
{
	char path[3 * 2048 + 64];
	size_t plen = strlen(prefix), n = 0;

	if (out)
		*out = NULL;
	if (!id || !*id || strlen(id) > 2048)
		return bedrock__err(err, BEDROCK_EINVAL, "an id of 1 to 2048 characters is required");
	memcpy(path, prefix, plen);
	if (bedrock_sigv4_uri_encode(path + plen, sizeof(path) - plen, &n, id, strlen(id)))
		return bedrock__err(err, BEDROCK_EINVAL, "the id is too long");
	return bedrock_control_request(out, client, "GET", path, NULL, 0, err);
}

int bedrock_get_foundation_model(bedrock_response **out, bedrock_client *client,
				 const char *model_id, bedrock_error_info *err)
{
	return get_one(out, client, "/foundation-models/", model_id, err);
}

int bedrock_get_inference_profile(bedrock_response **out, bedrock_client *client,
				  const char *profile_id, bedrock_error_info *err)
{
	return get_one(out, client, "/inference-profiles/", profile_id, err);
}

/* ---- inference profiles, page by page ------------------------------------ */

struct bedrock_profile_iter {
	bedrock_client *client;
	char *type;
	cJSON *page;		/* the current page */
	const cJSON *item;	/* the next summary to hand out */
	char *token;		/* nextToken of the current page; NULL: last page */
	int started;
	unsigned pages;
	char *json;		/* the summary handed out last */
	bedrock_profile_summary summary;
};

int bedrock_profile_iter_new(bedrock_profile_iter **out, bedrock_client *client, const char *type)
{
	bedrock_profile_iter *it;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!client)
		return BEDROCK_EINVAL;
	it = bedrock__calloc(1, sizeof(*it));
	if (!it)
		return BEDROCK_ENOMEM;
	it->client = client;
	if (type && !(it->type = bedrock__strdup(type))) {
		bedrock__free(it);
		return BEDROCK_ENOMEM;
	}
	*out = it;
	return 0;
}

static int fetch_page(bedrock_profile_iter *it, bedrock_error_info *err)
{
	char path[2048] = "/inference-profiles?maxResults=1000";
	bedrock_response *r = NULL;
	const cJSON *next;
	const char *body;
	cJSON *page;
	size_t len;
	int rc;

	if (add_query(path, sizeof(path), "type", it->type) ||
	    add_query(path, sizeof(path), "nextToken", it->token))
		return bedrock__err(err, BEDROCK_EPROTOCOL, "the page token is too long");
	rc = bedrock_control_request(&r, it->client, "GET", path, NULL, 0, err);
	if (rc)
		return rc;
	body = bedrock_response_body(r, &len);
	page = cJSON_ParseWithLength(body, len);
	if (!cJSON_IsObject(page)) {
		cJSON_Delete(page);
		bedrock__err(err, BEDROCK_EPROTOCOL, "a ListInferenceProfiles page is not a JSON object");
		if (err)
			snprintf(err->request_id, sizeof(err->request_id), "%s", bedrock_response_request_id(r));
		bedrock_response_free(r);
		return BEDROCK_EPROTOCOL;
	}
	bedrock_response_free(r);
	next = cJSON_GetObjectItemCaseSensitive(page, "nextToken");
	if (cJSON_IsString(next) && it->token && !strcmp(next->valuestring, it->token)) {
		cJSON_Delete(page);
		return bedrock__err(err, BEDROCK_EPROTOCOL, "the service repeated a page token");
	}
	bedrock__free(it->token);
	it->token = NULL;
	if (cJSON_IsString(next) && next->valuestring[0] &&
	    !(it->token = bedrock__strdup(next->valuestring))) {
		cJSON_Delete(page);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	cJSON_Delete(it->page);
	it->page = page;
	it->item = cJSON_GetObjectItemCaseSensitive(page, "inferenceProfileSummaries");
	it->item = cJSON_IsArray(it->item) ? it->item->child : NULL;
	it->started = 1;
	it->pages++;
	return 0;
}

static const char *member(const cJSON *o, const char *name)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	return cJSON_IsString(v) ? v->valuestring : "";
}

int bedrock_profile_iter_next(const bedrock_profile_summary **out, bedrock_profile_iter *it,
			      bedrock_error_info *err)
{
	int rc;

	if (!out || !it)
		return bedrock__err(err, BEDROCK_EINVAL, "an iterator and an output are required");
	*out = NULL;
	/* Pages may be empty but still point at more. */
	while (!it->item) {
		if (it->started && !it->token)
			return BEDROCK_ITEROVER;
		if (it->pages >= MAX_PAGES)
			return bedrock__err(err, BEDROCK_EPROTOCOL, "more than %d pages of profiles",
					    MAX_PAGES);
		rc = fetch_page(it, err);
		if (rc)
			return rc;
	}
	cJSON_free(it->json);
	it->json = cJSON_PrintUnformatted(it->item);
	if (!it->json)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	it->summary.id = member(it->item, "inferenceProfileId");
	it->summary.name = member(it->item, "inferenceProfileName");
	it->summary.arn = member(it->item, "inferenceProfileArn");
	it->summary.type = member(it->item, "type");
	it->summary.status = member(it->item, "status");
	it->summary.json = it->json;
	it->summary.json_len = strlen(it->json);
	it->item = it->item->next;
	*out = &it->summary;
	return 0;
}

void bedrock_profile_iter_free(bedrock_profile_iter *it)
{
	if (!it)
		return;
	cJSON_Delete(it->page);
	cJSON_free(it->json);
	bedrock__free(it->token);
	bedrock__free(it->type);
	bedrock__free(it);
}

/* ---- model-invocation logging -------------------------------------------- */

#define LOGGING_PATH "/logging/modelinvocations"

int bedrock_logging_get(bedrock_response **out, bedrock_client *client, bedrock_error_info *err)
{
	return bedrock_control_request(out, client, "GET", LOGGING_PATH, NULL, 0, err);
}

int bedrock_logging_put(bedrock_response **out, bedrock_client *client,
			const char *logging_config_json, bedrock_error_info *err)
{
	cJSON *cfg, *body;
	char *text;
	int rc;

	if (out)
		*out = NULL;
	cfg = logging_config_json ? cJSON_Parse(logging_config_json) : NULL;
	if (!cJSON_IsObject(cfg)) {
		cJSON_Delete(cfg);
		return bedrock__err(err, BEDROCK_EINVAL, "the logging configuration must be a JSON object");
	}
	body = cJSON_CreateObject();
	if (!body || !cJSON_AddItemToObject(body, "loggingConfig", cfg)) {
		cJSON_Delete(body);
		cJSON_Delete(cfg);
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	}
	text = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!text)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = bedrock_control_request(out, client, "PUT", LOGGING_PATH, text, strlen(text), err);
	cJSON_free(text);
	return rc;
}

int bedrock_logging_delete(bedrock_response **out, bedrock_client *client, bedrock_error_info *err)
{
	return bedrock_control_request(out, client, "DELETE", LOGGING_PATH, NULL, 0, err);
}
