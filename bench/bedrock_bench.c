/* bedrock-bench: N sequential requests through the public client API on
 * one kept-alive connection, for the shared bench harness's CLIENT_LOOP_CMD and
 * CLIENT_STREAM_LOOP_CMD (the harness measures from outside).
 *
 *   bedrock-bench invoke|stream --endpoint-url URL --model-id ID --body FILE -n N
 *
 * Credentials and region come from the environment as usual. Streams are
 * decoded event by event (both JSON layers), as a real client must. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bedrock/bedrock.h>

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	if (!f || fseek(f, 0, SEEK_END) || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET))
		return NULL;
	buf = malloc((size_t)n + 1);
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	fclose(f);
	if (buf)
		buf[n] = '\0';
	*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	const char *mode = argc > 1 ? argv[1] : "", *model = NULL, *file = NULL;
	bedrock_client *c;
	bedrock_error_info err;
	unsigned long n = 1, i, deltas = 0;
	char *body;
	size_t len;
	int k;

	for (k = 2; k + 1 < argc; k += 2) {
		if (!strcmp(argv[k], "--endpoint-url"))
			o.endpoint_url = argv[k + 1];
		else if (!strcmp(argv[k], "--model-id"))
			model = argv[k + 1];
		else if (!strcmp(argv[k], "--body"))
			file = argv[k + 1];
		else if (!strcmp(argv[k], "-n"))
			n = strtoul(argv[k + 1], NULL, 10);
	}
	if ((strcmp(mode, "invoke") && strcmp(mode, "stream")) || !model || !file || !n) {
		fprintf(stderr, "usage: bedrock-bench invoke|stream --endpoint-url URL --model-id ID "
				"--body FILE -n N\n");
		return 1;
	}
	body = slurp(file, &len);
	if (!body) {
		fprintf(stderr, "bedrock-bench: cannot read %s\n", file);
		return 1;
	}
	/* One attempt each: the harness counts requests exactly. */
	o.max_attempts = 1;
	if (bedrock_client_new(&c, &o, &err)) {
		fprintf(stderr, "bedrock-bench: %s\n", err.message);
		return 1;
	}
	for (i = 0; i < n; i++) {
		if (!strcmp(mode, "invoke")) {
			bedrock_response *r;

			if (bedrock_invoke_model(&r, c, model, body, len, NULL, &err)) {
				fprintf(stderr, "bedrock-bench: %s\n", err.message);
				return 1;
			}
			bedrock_response_free(r);
		} else {
			bedrock_stream *s;
			bedrock_event ev;
			int rc;

			if (bedrock_invoke_model_stream(&s, c, model, body, len, NULL, &err)) {
				fprintf(stderr, "bedrock-bench: %s\n", err.message);
				return 1;
			}
			while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
				deltas += ev.text != NULL;
			bedrock_stream_free(s);
			if (rc != BEDROCK_ITEROVER) {
				fprintf(stderr, "bedrock-bench: %s\n", err.message);
				return 1;
			}
		}
	}
	if (deltas)
		fprintf(stderr, "text_deltas=%lu\n", deltas);
	bedrock_client_free(c);
	free(body);
	return 0;
}
