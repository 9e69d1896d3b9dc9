/* List the Claude models, the inference profiles this region can call
 * (global vs regional), and the id to call each model with from here. */
#include <stdio.h>
#include <stdlib.h>

#include <bedrock/bedrock.h>

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_model_filter filter = BEDROCK_MODEL_FILTER_INIT;
	const bedrock_profile_summary *p;
	bedrock_profile_iter *it;
	bedrock_client *client;
	bedrock_response *res;
	bedrock_error_info err;
	char id[BEDROCK_MODEL_ID_MAX];
	size_t i;
	int rc;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	filter.provider = "Anthropic";
	if (bedrock_list_foundation_models(&res, client, &filter, &err)) {
		fprintf(stderr, "%s: %s\n", err.aws_code, err.message);
		bedrock_client_free(client);
		return 1;
	}
	printf("%s\n", bedrock_response_body(res, NULL));
	bedrock_response_free(res);

	/* Every page of ListInferenceProfiles, one profile at a time. */
	bedrock_profile_iter_new(&it, client, "SYSTEM_DEFINED");
	while ((rc = bedrock_profile_iter_next(&p, it, &err)) == 0)
		printf("profile %s\n", p->id);
	bedrock_profile_iter_free(it);
	if (rc != BEDROCK_ITEROVER) {
		fprintf(stderr, "%s: %s\n", err.aws_code, err.message);
		bedrock_client_free(client);
		return 1;
	}

	/* Offline, from the library's catalog: the id to call each model by
	 * from this region (global. when the region can use it). */
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		if (bedrock_model_id_for_region(id, sizeof(id), m, bedrock_client_region(client)) == 0)
			printf("%-28s %s\n", m->name, id);
		else
			printf("%-28s (not callable from %s)\n", m->name, bedrock_client_region(client));
	}
	bedrock_client_free(client);
	return 0;
}
