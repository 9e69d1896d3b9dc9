/* Sign a Bedrock InvokeModel request with SigV4 and print the headers to
 * send. The model id goes on the wire percent-encoded once; the signer
 * encodes it once more for the canonical request, as Bedrock expects.
 *
 *   AWS_ACCESS_KEY_ID=... AWS_SECRET_ACCESS_KEY=... example_sign_request
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <bedrock/bedrock.h>

int main(void)
{
	const char *host = "bedrock-runtime.us-east-1.amazonaws.com";
	const char *model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
	const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":256,"
			   "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}";
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	bedrock_sigv4_credentials creds = { id ? id : "AKIDEXAMPLE",
					    secret ? secret : "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
					    getenv("AWS_SESSION_TOKEN") };
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_header headers[2];
	bedrock_sigv4_request req;
	bedrock_sigv4_signer *signer = NULL;
	bedrock_sigv4_result *res = NULL;
	const bedrock_sigv4_header *add;
	char label[256], path[320];
	size_t n, i;
	int rc;

	/* Encode the model id as a path label: ':' becomes %3A. */
	if (bedrock_sigv4_uri_encode(label, sizeof(label), &n, model, strlen(model)) != 0)
		return 1;
	snprintf(path, sizeof(path), "/model/%s/invoke", label);

	headers[0] = (bedrock_sigv4_header){ "Host", 4, host, strlen(host) };
	headers[1] = (bedrock_sigv4_header){ "Content-Type", 12, "application/json", 16 };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.headers = headers;
	req.header_count = 2;
	req.body = body;
	req.body_len = strlen(body);
	cfg.region = "us-east-1";
	cfg.signing_time = (int64_t)time(NULL);

	if (bedrock_sigv4_signer_new(&signer) || bedrock_sigv4_result_new(&res))
		return 1;
	rc = bedrock_sigv4_sign(res, signer, &cfg, &creds, &req);
	if (rc) {
		fprintf(stderr, "signing failed: %s\n", bedrock_sigv4_result_errmsg(res));
	} else {
		printf("POST %s\n", path);
		n = bedrock_sigv4_result_headers(&add, res);
		for (i = 0; i < n; i++) {
			/* Never print a session token. */
			if (!strncmp(add[i].name, "X-Amz-Security-Token", add[i].name_len))
				continue;
			printf("%.*s: %.*s\n", (int)add[i].name_len, add[i].name,
			       (int)add[i].value_len, add[i].value);
		}
	}
	bedrock_sigv4_result_free(res);
	bedrock_sigv4_signer_free(signer);
	return rc ? 1 : 0;
}
