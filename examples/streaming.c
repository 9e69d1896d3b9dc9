/* Streaming with InvokeModelWithResponseStream: print the text as it
 * arrives (the seeds' streaming example). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/bedrock.h>

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
			   "\"messages\":[{\"role\":\"user\",\"content\":\"Write a haiku about the sea\"}]}";
	bedrock_client *client;
	bedrock_stream *stream;
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	rc = bedrock_invoke_model_stream(&stream, client, "us.anthropic.claude-haiku-4-5-20251001-v1:0",
					 body, strlen(body), NULL, &err);
	if (rc == 0) {
		while ((rc = bedrock_stream_next(&ev, stream, &err)) == 0)
			if (ev.text)
				fwrite(ev.text, 1, ev.text_len, stdout), fflush(stdout);
		putchar('\n');
		bedrock_stream_free(stream);
	}
	if (rc != 0 && rc != BEDROCK_ITEROVER)
		fprintf(stderr, "%s: %s\n", err.aws_code[0] ? err.aws_code : bedrock_error_name(rc),
			err.message);
	bedrock_client_free(client);
	return rc == BEDROCK_ITEROVER ? 0 : 1;
}
