/* "Hello, world" with InvokeModel: the seeds' first example, in C.
 * Credentials and region come from the usual AWS places; BEDROCK_ENDPOINT
 * points it at `bedrock emulate` instead of AWS. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/bedrock.h>

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
			   "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}";
	bedrock_client *client;
	bedrock_response *res;
	bedrock_error_info err;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	if (bedrock_invoke_model(&res, client, "global.anthropic.claude-sonnet-4-5-20250929-v1:0",
				 body, strlen(body), NULL, &err)) {
		fprintf(stderr, "%s: %s (request id %s)\n", err.aws_code, err.message, err.request_id);
		bedrock_client_free(client);
		return 1;
	}
	printf("%s\n", bedrock_response_body(res, NULL));
	bedrock_response_free(res);
	bedrock_client_free(client);
	return 0;
}
