/* 1,000 concurrent streams from one thread through bedrock_multi, against
 * `bedrock emulate` (events paced so they are all open at once), with the
 * memory they take. Usage: bench_multi URL [STREAMS] [PACE_MS]
 * (make bench starts the emulator and passes its URL). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include <bedrock/bedrock.h>

static long rss_kb(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, field, strlen(field)))
			v = atol(line + strlen(field) + 1);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	int n = argc > 2 ? atoi(argv[2]) : 1000, pace = argc > 3 ? atoi(argv[3]) : 20;
	bedrock_client *c;
	bedrock_multi *m;
	bedrock_stream **streams, *which;
	bedrock_error_info err;
	bedrock_event ev;
	struct rlimit rl;
	struct timespec t0, t1;
	long before, peak;
	int i, rc, ended = 0, failed = 0;
	unsigned long events = 0;

	if (argc < 2) {
		fprintf(stderr, "usage: bench_multi URL [STREAMS] [PACE_MS]\n");
		return 1;
	}
	if (!getrlimit(RLIMIT_NOFILE, &rl)) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
	o.endpoint_url = argv[1];
	o.region = "us-east-1";
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	if (bedrock_client_new(&c, &o, &err) || bedrock_multi_new(&m))
		return 1;
	streams = calloc((size_t)n, sizeof(*streams));
	before = rss_kb("VmRSS");
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < n; i++) {
		char body[256];

		snprintf(body, sizeof(body),
			 "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64,\"messages\":"
			 "[{\"role\":\"user\",\"content\":\"stream %d of many [[emulate:fault=slow=%d]]\"}]}",
			 i, pace);
		if (bedrock_multi_invoke_model_stream(&streams[i], m, c,
						      "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
						      body, strlen(body), NULL, &err)) {
			fprintf(stderr, "open %d: %s\n", i, err.message);
			return 1;
		}
	}
	while ((rc = bedrock_multi_next(&which, &ev, m, 30000, &err)) != BEDROCK_ITEROVER || which) {
		if (rc == 0)
			events++;
		else if (rc == BEDROCK_ITEROVER)
			ended++;
		else if (rc == BEDROCK_EAGAIN)
			break;
		else
			failed++;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	peak = rss_kb("VmHWM");
	printf("bedrock_multi: %d streams from one thread (events paced %d ms): %d complete, %d failed, "
	       "%lu events in %.2f s\n", n, pace, ended, failed, events,
	       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	printf("memory: %ld KiB before, %ld KiB peak: %.1f KiB per stream\n", before, peak,
	       (double)(peak - before) / n);
	for (i = 0; i < n; i++)
		bedrock_stream_free(streams[i]);
	free(streams);
	bedrock_multi_free(m);
	bedrock_client_free(c);
	return ended == n ? 0 : 1;
}
