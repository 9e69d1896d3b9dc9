/* Prints a wrk Lua script that POSTs one SigV4-signed InvokeModel request
 * (signed now, with AWS's documented example key, which `bedrock emulate`
 * accepts by default). A signature stays valid for the emulator's 5-minute
 * skew window, so one signed request serves a whole wrk run.
 *
 *   wrk_invoke_script http://127.0.0.1:4567 > invoke.lua
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <bedrock/bedrock.h>

int main(int argc, char **argv)
{
	const char *url = argc > 1 ? argv[1] : "http://127.0.0.1:4567";
	const char *body = "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":1024,"
			   "\"messages\":[{\"role\":\"user\",\"content\":"
			   "\"Write one short sentence about benchmarks.\"}]}";
	const char *path = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke";
	bedrock_sigv4_credentials creds = { "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
					    NULL };
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_header h[3];
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *add;
	const char *host = strstr(url, "://") ? strstr(url, "://") + 3 : url;
	size_t n, i;

	h[0] = (bedrock_sigv4_header){ "Host", 4, host, strcspn(host, "/") };
	h[1] = (bedrock_sigv4_header){ "Content-Type", 12, "application/json", 16 };
	h[2] = (bedrock_sigv4_header){ "Accept", 6, "application/json", 16 };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.headers = h;
	req.header_count = 3;
	req.body = body;
	req.body_len = strlen(body);
	cfg.region = "us-east-1";
	cfg.signing_time = (int64_t)time(NULL);
	if (bedrock_sigv4_result_new(&res) || bedrock_sigv4_sign(res, NULL, &cfg, &creds, &req))
		return 1;
	printf("wrk.method = \"POST\"\nwrk.path = \"%s\"\nwrk.body = '%s'\n", path, body);
	printf("wrk.headers[\"Content-Type\"] = \"application/json\"\n");
	printf("wrk.headers[\"Accept\"] = \"application/json\"\n");
	n = bedrock_sigv4_result_headers(&add, res);
	for (i = 0; i < n; i++)
		printf("wrk.headers[\"%.*s\"] = \"%.*s\"\n", (int)add[i].name_len, add[i].name,
		       (int)add[i].value_len, add[i].value);
	bedrock_sigv4_result_free(res);
	return 0;
}
