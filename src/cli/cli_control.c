#include <stdio.h>
#include <string.h>

#include "cli_client.h"
#include "cli_control.h"

int cli_parse_response(cJSON **out, int rc, bedrock_response *r, const bedrock_error_info *err)
{
	const char *data;
	size_t len;

	*out = NULL;
	if (rc) {
		bedrock_response_free(r);
		return cli_report(rc, err);
	}
	data = bedrock_response_body(r, &len);
	*out = cJSON_ParseWithLength(data, len);
	bedrock_response_free(r);
	if (!*out) {
		fprintf(stderr, "bedrock: the answer is not JSON\n");
		return CLI_SERVICE;
	}
	return CLI_OK;
}

int cli_profiles_fetch(cJSON **out, bedrock_client *c, const char *type)
{
	cJSON *all = cJSON_CreateObject(), *items = cJSON_AddArrayToObject(all, "inferenceProfileSummaries");
	const bedrock_profile_summary *p;
	bedrock_profile_iter *it = NULL;
	bedrock_error_info err;
	int rc;

	*out = NULL;
	if (bedrock_profile_iter_new(&it, c, type)) {
		cJSON_Delete(all);
		fprintf(stderr, "bedrock: out of memory\n");
		return CLI_USAGE;
	}
	while ((rc = bedrock_profile_iter_next(&p, it, &err)) == 0)
		cJSON_AddItemToArray(items, cJSON_ParseWithLength(p->json, p->json_len));
	bedrock_profile_iter_free(it);
	if (rc != BEDROCK_ITEROVER) {
		cJSON_Delete(all);
		return cli_report(rc, &err);
	}
	*out = all;
	return CLI_OK;
}
