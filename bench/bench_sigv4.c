/* Signatures per second for a typical Bedrock InvokeModel request: the
 * signing key cached in a shared signer (the steady state of a client),
 * and derived on every call (the first request of a day); and verifies per
 * second of that request as a server receives it (`bedrock emulate`,
 * `bedrock gateway`: bedrock_sigv4_verify). Single thread. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/bedrock.h"

#define HDR(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

static const char body[] =
	"{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
	"\"system\":\"You are a concise assistant.\",\"temperature\":0.2,"
	"\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\","
	"\"text\":\"Summarise the attached release notes in three bullet points, "
	"then list any breaking changes separately.\"}]}],"
	"\"stop_sequences\":[\"\\n\\nHuman:\"]}";

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double run(bedrock_sigv4_result *res, bedrock_sigv4_signer *signer,
		  const bedrock_sigv4_config *cfg, const bedrock_sigv4_credentials *creds,
		  const bedrock_sigv4_request *req, double seconds)
{
	double start = now(), t;
	long n = 0;

	do {
		for (int i = 0; i < 1000; i++) {
			if (bedrock_sigv4_sign(res, signer, cfg, creds, req) != 0) {
				fprintf(stderr, "sign failed: %s\n", bedrock_sigv4_result_errmsg(res));
				exit(1);
			}
		}
		n += 1000;
		t = now() - start;
	} while (t < seconds);
	return (double)n / t;
}

static const char *secret_of(const char *id, void *payload)
{
	(void)payload;
	return strcmp(id, "AKIAIOSFODNN7EXAMPLE") ? NULL : "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY";
}

/* The signed request as received: its headers plus the signer's. */
static double run_verify(bedrock_sigv4_result *signed_res, const bedrock_sigv4_config *cfg,
			 const bedrock_sigv4_request *req, double seconds)
{
	bedrock_sigv4_verify_options vo = BEDROCK_SIGV4_VERIFY_OPTIONS_INIT;
	bedrock_sigv4_verification v;
	bedrock_sigv4_header all[16];
	bedrock_sigv4_request rr = *req;
	const bedrock_sigv4_header *added;
	size_t n = req->header_count, k = bedrock_sigv4_result_headers(&added, signed_res);
	double start = now(), t;
	long count = 0;

	memcpy(all, req->headers, n * sizeof(all[0]));
	for (size_t i = 0; i < k && n < 16; i++)
		all[n++] = added[i];
	rr.headers = all;
	rr.header_count = n;
	vo.now = cfg->signing_time;
	vo.secret = secret_of;
	do {
		for (int i = 0; i < 1000; i++) {
			if (bedrock_sigv4_verify(&v, &vo, &rr) != 0) {
				fprintf(stderr, "verify failed: %s\n", v.message);
				exit(1);
			}
		}
		count += 1000;
		t = now() - start;
	} while (t < seconds);
	return (double)count / t;
}

int main(int argc, char **argv)
{
	static const bedrock_sigv4_header headers[] = {
		HDR("host", "bedrock-runtime.us-east-1.amazonaws.com"),
		HDR("content-type", "application/json"),
		HDR("accept", "application/json"),
	};
	/* X-Amz-Date and X-Amz-Security-Token are added (and signed) by
	 * the signer, which makes the five headers of the target request. */
	const bedrock_sigv4_credentials creds = {
		"AKIAIOSFODNN7EXAMPLE", "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
		"IQoJb3JpZ2luX2VjEJr//////////wEaCXVzLWVhc3QtMSJHMEUCIQDexampletoken"
		"exampletokenexampletokenexampletokenexampletokenexampletoken=="
	};
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_request req;
	bedrock_sigv4_signer *signer;
	bedrock_sigv4_result *res;
	double seconds = argc > 1 ? atof(argv[1]) : 2.0, cached, uncached, verified;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke";
	req.headers = headers;
	req.header_count = sizeof(headers) / sizeof(headers[0]);
	req.body = body;
	req.body_len = sizeof(body) - 1;
	cfg.region = "us-east-1";
	cfg.signing_time = 1759320000;
	if (bedrock_sigv4_signer_new(&signer) || bedrock_sigv4_result_new(&res)) {
		fprintf(stderr, "out of memory\n");
		return 1;
	}
	cached = run(res, signer, &cfg, &creds, &req, seconds);
	uncached = run(res, NULL, &cfg, &creds, &req, seconds);
	if (bedrock_sigv4_sign(res, signer, &cfg, &creds, &req) != 0) {
		fprintf(stderr, "sign failed\n");
		return 1;
	}
	verified = run_verify(res, &cfg, &req, seconds);
	printf("sigv4 sign, POST InvokeModel, %zu-byte body, 5 signed headers\n", req.body_len);
	printf("  key cached (shared signer): %10.0f signatures/s  (%.2f us each)\n",
	       cached, 1e6 / cached);
	printf("  key derived on every call:  %10.0f signatures/s  (%.2f us each)\n",
	       uncached, 1e6 / uncached);
	printf("sigv4 verify, the same request as received (bedrock_sigv4_verify):\n");
	printf("  %10.0f verifies/s  (%.2f us each)\n", verified, 1e6 / verified);
	bedrock_sigv4_result_free(res);
	bedrock_sigv4_signer_free(signer);
	return 0;
}
