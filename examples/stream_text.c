/* Print Claude's answer from a Bedrock response stream (the body of
 * InvokeModelWithResponseStream or ConverseStream) read from a file or
 * standard input, as the text arrives.
 *
 *   example_stream_text tests/vectors/bedrock/<recording>/response.body
 */
#include <stdio.h>

#include <bedrock/bedrock.h>

int main(int argc, char **argv)
{
	FILE *in = argc > 1 ? fopen(argv[1], "rb") : stdin;
	bedrock_event_reader *r;
	bedrock_event ev;
	char buf[16384];
	size_t n;
	int rc = BEDROCK_EAGAIN, status = 0;

	if (!in) {
		perror(argv[1]);
		return 1;
	}
	if (bedrock_event_reader_new(&r, NULL) != 0)
		return 1;
	while (rc == BEDROCK_EAGAIN && (n = fread(buf, 1, sizeof(buf), in)) > 0) {
		bedrock_event_reader_feed(r, buf, n);
		while ((rc = bedrock_event_reader_next(&ev, r)) == 0)
			if (ev.text)
				fwrite(ev.text, 1, ev.text_len, stdout);
	}
	putchar('\n');
	if (rc == BEDROCK_EAGAIN)
		rc = bedrock_event_reader_finish(r);
	if (rc != 0) {
		/* A corrupt or cut frame, or an exception Bedrock sent mid-stream:
		 * the text printed so far is kept. */
		fprintf(stderr, "stream failed (%s): %s\n", bedrock_error_name(rc),
			bedrock_event_reader_errmsg(r));
		status = 1;
	}
	bedrock_event_reader_free(r);
	if (in != stdin)
		fclose(in);
	return status;
}
