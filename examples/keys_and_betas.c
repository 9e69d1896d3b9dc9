/* Explicit keys, or a Bedrock API key (bearer), and a beta (the 1M-token
 * context window) sent as anthropic_beta in the body. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/bedrock.h>

static int ask(bedrock_client_options *o, const char *how)
{
	const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":256,"
			   "\"anthropic_beta\":[\"context-1m-2025-08-07\"],"
			   "\"messages\":[{\"role\":\"user\",\"content\":\"Hello from C\"}]}";
	bedrock_client *client;
	bedrock_response *res;
	bedrock_error_info err;

	if (bedrock_client_new(&client, o, &err)) {
		fprintf(stderr, "%s: %s\n", how, err.message);
		return 1;
	}
	if (bedrock_invoke_model(&res, client, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", body,
				 strlen(body), NULL, &err)) {
		fprintf(stderr, "%s: %s: %s\n", how, err.aws_code, err.message);
		bedrock_client_free(client);
		return 1;
	}
	printf("%s: %s\n", how, bedrock_response_body(res, NULL));
	bedrock_response_free(res);
	bedrock_client_free(client);
	return 0;
}

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	int rc;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	o.region = "us-east-1";
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	rc = ask(&o, "explicit keys");
	o.access_key_id = o.secret_access_key = NULL;
	o.bearer_token = getenv("BEDROCK_API_KEY");
	if (o.bearer_token)
		rc |= ask(&o, "bearer key");
	return rc;
}
