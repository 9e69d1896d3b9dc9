#include <stdio.h>
#include <string.h>

#include "cli_client.h"
#include "cli_control.h"

int cli_control_get(cJSON **out, bedrock_client *c, const char *path)
{
	bedrock_response *r = NULL;
	bedrock_error_info err;
	const char *data;
	size_t len;
	int rc;

	*out = NULL;
	rc = bedrock_control_request(&r, c, "GET", path, NULL, 0, &err);
	if (rc)
		return cli_report(rc, &err);
	data = bedrock_response_body(r, &len);
	*out = cJSON_ParseWithLength(data, len);
	bedrock_response_free(r);
	if (!*out) {
		fprintf(stderr, "bedrock: the answer to GET %s is not JSON\n", path);
		return CLI_SERVICE;
	}
	return CLI_OK;
}

int cli_profiles_fetch(cJSON **out, bedrock_client *c, const char *type)
{
	cJSON *all = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(all, "inferenceProfileSummaries");
	char path[2048], token[768] = "", tenc[128] = "";
	int status = CLI_OK, pages = 0;
	size_t n;

	*out = NULL;
	if (type && bedrock_sigv4_uri_encode(tenc, sizeof(tenc), &n, type, strlen(type)))
		tenc[0] = '\0';
	for (;;) {
		cJSON *page, *it;
		const cJSON *next;

		snprintf(path, sizeof(path), "/inference-profiles?maxResults=1000%s%s%s%s",
			 tenc[0] ? "&type=" : "", tenc, token[0] ? "&nextToken=" : "", token);
		status = cli_control_get(&page, c, path);
		if (status)
			break;
		cJSON_ArrayForEach(it, cJSON_GetObjectItem(page, "inferenceProfileSummaries"))
			cJSON_AddItemToArray(items, cJSON_Duplicate(it, 1));
		next = cJSON_GetObjectItem(page, "nextToken");
		token[0] = '\0';
		if (cJSON_IsString(next) &&
		    bedrock_sigv4_uri_encode(token, sizeof(token), &n, next->valuestring,
					     strlen(next->valuestring)))
			token[0] = '\0';
		cJSON_Delete(page);
		/* A service that never stops paging must not keep us forever. */
		if (!token[0] || ++pages > 1000)
			break;
	}
	if (status) {
		cJSON_Delete(all);
		return status;
	}
	*out = all;
	return CLI_OK;
}
