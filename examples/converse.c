/* The Converse API, and a multi-turn chat: the conversation so far is sent
 * each time (the seeds' Converse and multi-turn examples). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/bedrock.h>

static int turn(bedrock_client *client, const char *body)
{
	bedrock_response *res;
	bedrock_error_info err;

	if (bedrock_converse(&res, client, "us.anthropic.claude-sonnet-4-5-20250929-v1:0", body,
			     strlen(body), NULL, &err)) {
		fprintf(stderr, "%s: %s\n", err.aws_code, err.message);
		return 1;
	}
	printf("%s\n", bedrock_response_body(res, NULL));
	bedrock_response_free(res);
	return 0;
}

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_client *client;
	bedrock_error_info err;
	int rc;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	rc = turn(client, "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":"
			  "\"Describe the purpose of a 'hello world' program in one line.\"}]}],"
			  "\"inferenceConfig\":{\"maxTokens\":512,\"temperature\":0.5}}");
	/* A second turn: the history, the assistant's answer, the next question. */
	rc |= turn(client, "{\"messages\":["
			   "{\"role\":\"user\",\"content\":[{\"text\":\"My name is Ada.\"}]},"
			   "{\"role\":\"assistant\",\"content\":[{\"text\":\"Nice to meet you, Ada.\"}]},"
			   "{\"role\":\"user\",\"content\":[{\"text\":\"What is my name?\"}]}],"
			   "\"inferenceConfig\":{\"maxTokens\":512}}");
	bedrock_client_free(client);
	return rc;
}
