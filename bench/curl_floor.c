/* curl_floor: the floor under bedrock-bench. N sequential POSTs with
 * bare libcurl on one kept-alive easy handle: no signing, no JSON, no
 * event decoding; the body is read and thrown away. Same command line as
 * bedrock-bench, so the shared bench harness measures both alike:
 *
 *   curl_floor invoke|stream --endpoint-url URL --model-id ID --body FILE -n N
 *
 * The model id is percent-encoded for the path as Bedrock wants it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

static size_t discard(char *data, size_t size, size_t n, void *p)
{
	(void)data;
	*(size_t *)p += size * n;
	return size * n;
}

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
	*len = (size_t)n;
	return buf;
}

int main(int argc, char **argv)
{
	const char *mode = argc > 1 ? argv[1] : "", *endpoint = NULL, *model = NULL, *file = NULL;
	struct curl_slist *headers = NULL;
	char url[2048], *enc, *body;
	unsigned long n = 1, i;
	size_t len, received = 0;
	CURL *e;
	int k;

	for (k = 2; k + 1 < argc; k += 2) {
		if (!strcmp(argv[k], "--endpoint-url"))
			endpoint = argv[k + 1];
		else if (!strcmp(argv[k], "--model-id"))
			model = argv[k + 1];
		else if (!strcmp(argv[k], "--body"))
			file = argv[k + 1];
		else if (!strcmp(argv[k], "-n"))
			n = strtoul(argv[k + 1], NULL, 10);
	}
	if ((strcmp(mode, "invoke") && strcmp(mode, "stream")) || !endpoint || !model || !file || !n) {
		fprintf(stderr, "usage: curl_floor invoke|stream --endpoint-url URL --model-id ID "
				"--body FILE -n N\n");
		return 1;
	}
	body = slurp(file, &len);
	if (!body || curl_global_init(CURL_GLOBAL_DEFAULT) || !(e = curl_easy_init())) {
		fprintf(stderr, "curl_floor: cannot start (%s)\n", file);
		return 1;
	}
	enc = curl_easy_escape(e, model, 0);
	snprintf(url, sizeof(url), "%s/model/%s/%s", endpoint, enc,
		 strcmp(mode, "stream") ? "invoke" : "invoke-with-response-stream");
	curl_free(enc);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	headers = curl_slist_append(headers, "Accept: application/json");
	headers = curl_slist_append(headers, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, url);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(e, CURLOPT_POSTFIELDS, body);
	curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)len);
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, discard);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &received);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	for (i = 0; i < n; i++) {
		long status = 0;
		CURLcode cc = curl_easy_perform(e);

		curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &status);
		if (cc != CURLE_OK || status != 200) {
			fprintf(stderr, "curl_floor: %s (HTTP %ld)\n", curl_easy_strerror(cc), status);
			return 1;
		}
	}
	fprintf(stderr, "bytes=%zu\n", received);
	curl_slist_free_all(headers);
	curl_easy_cleanup(e);
	curl_global_cleanup();
	free(body);
	return 0;
}
