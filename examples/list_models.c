/* List the Claude models and the inference profiles (global vs regional). */
#include <stdio.h>
#include <stdlib.h>

#include <bedrock/bedrock.h>

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_client *client;
	bedrock_response *res;
	bedrock_error_info err;
	size_t i;
	char id[BEDROCK_MODEL_ID_MAX];

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	if (bedrock_control_request(&res, client, "GET", "/foundation-models?byProvider=Anthropic",
				    NULL, 0, &err)) {
		fprintf(stderr, "%s: %s\n", err.aws_code, err.message);
		bedrock_client_free(client);
		return 1;
	}
	printf("%s\n", bedrock_response_body(res, NULL));
	bedrock_response_free(res);
	/* Offline, from the library's catalog: which ids to call each model by. */
	for (i = 0; i < bedrock_models_count(); i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		if (m->profiles && bedrock_model_profile_id(id, sizeof(id), m,
							    bedrock_model_default_geo(m)) == 0)
			printf("%-28s %s\n", m->name, id);
		else
			printf("%-28s %s (on demand)\n", m->name, m->id);
	}
	bedrock_client_free(client);
	return 0;
}
