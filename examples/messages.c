/* Claude, typed: build a Messages request (system prompt, a turn, a tool),
 * call it once with bedrock_messages_create(), then stream the next turn
 * with bedrock_messages_stream() and rebuild the final message with an
 * accumulator. */
#include <stdio.h>
#include <stdlib.h>

#include <bedrock/bedrock.h>

#define MODEL "global.anthropic.claude-sonnet-4-5-20250929-v1:0"

static void print_message(const bedrock_message *msg)
{
	const bedrock_usage *u = bedrock_message_usage(msg);
	size_t i;

	for (i = 0; i < bedrock_message_content_count(msg); i++) {
		const bedrock_content_block *b = bedrock_message_content(msg, i);

		if (b->type == BEDROCK_CONTENT_TEXT)
			printf("text: %.*s\n", (int)b->text_len, b->text);
		else if (b->type == BEDROCK_CONTENT_TOOL_USE)
			printf("tool call: %s %.*s\n", b->name, (int)b->input_json_len, b->input_json);
	}
	printf("stop: %s; tokens in %lld, out %lld\n", bedrock_message_stop_reason_str(msg),
	       (long long)u->input_tokens, (long long)u->output_tokens);
}

int main(void)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_message_accumulator *acc = NULL;
	bedrock_messages_request *req = NULL;
	bedrock_message *msg = NULL;
	bedrock_stream *stream = NULL;
	bedrock_client *client;
	bedrock_error_info err;
	bedrock_event ev;
	int rc;

	o.endpoint_url = getenv("BEDROCK_ENDPOINT");
	if (bedrock_client_new(&client, &o, &err)) {
		fprintf(stderr, "%s\n", err.message);
		return 1;
	}
	bedrock_messages_request_new(&req, 1024);
	bedrock_messages_request_set_system(req, "You are terse.");
	bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER);
	bedrock_messages_request_add_text(req, "Hello, world", NULL);
	bedrock_messages_request_add_tool(req, "get_weather", "The weather in a city",
					  "{\"type\":\"object\",\"properties\":{\"city\":{\"type\":\"string\"}},"
					  "\"required\":[\"city\"]}", NULL);

	rc = bedrock_messages_create(&msg, client, MODEL, req, NULL, &err);
	if (rc)
		goto fail;
	print_message(msg);

	/* The next turn, streamed: the answer goes back in, then a question. */
	bedrock_messages_request_add_response(req, msg);
	bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER);
	bedrock_messages_request_add_text(req, "Write a haiku about the sea", NULL);
	bedrock_message_accumulator_new(&acc);
	rc = bedrock_messages_stream(&stream, client, MODEL, req, NULL, &err);
	if (rc)
		goto fail;
	while ((rc = bedrock_stream_next(&ev, stream, &err)) == 0) {
		if (ev.text)
			printf("delta: %.*s\n", (int)ev.text_len, ev.text);
		if (ev.json)
			bedrock_message_accumulator_feed_json(acc, ev.json, ev.json_len);
	}
	if (rc != BEDROCK_ITEROVER)
		goto fail;
	bedrock_message_free(msg);
	msg = NULL;
	if (bedrock_message_accumulator_message(&msg, acc) == 0)
		print_message(msg);
	rc = 0;
fail:
	if (rc)
		fprintf(stderr, "%s: %s (request id %s)\n",
			err.aws_code[0] ? err.aws_code : bedrock_error_name(rc), err.message, err.request_id);
	bedrock_stream_free(stream);
	bedrock_message_accumulator_free(acc);
	bedrock_message_free(msg);
	bedrock_messages_request_free(req);
	bedrock_client_free(client);
	return rc ? 1 : 0;
}
