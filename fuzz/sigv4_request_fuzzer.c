/* Fuzz target: the `debug sign` request reader, then the signer on
 * whatever it accepts, in both modes. Neither may crash, leak or read out
 * of bounds, and a signed request must yield every stage. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/sigv4.h"
#include "reqfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static bedrock_sigv4_signer *signer;

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const bedrock_sigv4_credentials creds = {
		"AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY", "token/+="
	};
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res = NULL;
	reqfile rq;
	int mode;

	if (reqfile_parse(&rq, (const char *)data, size) != 0) {
		reqfile_dispose(&rq);
		return 0;
	}
	memset(&req, 0, sizeof(req));
	req.method = rq.method;
	req.path = rq.path;
	req.query = rq.query;
	req.headers = rq.headers;
	req.header_count = rq.header_count;
	req.body = rq.body;
	req.body_len = rq.body_len;
	cfg.region = "us-east-1";
	cfg.signing_time = 1440938160;
	/* Let the input pick the options too: its length is as good a
	 * source of bits as any. */
	cfg.normalize_path = (size & 1) != 0;
	cfg.double_encode_path = (size & 2) != 0;
	cfg.sign_body = (size & 4) != 0;
	cfg.omit_session_token = (size & 8) != 0;
	/* One signer for the whole run, as a client keeps one: its cache
	 * sees hits and misses (the date changes with the input). */
	if (!signer && bedrock_sigv4_signer_new(&signer) != 0)
		abort();
	cfg.signing_time += (int64_t)(size % 3) * 86400;
	{
		char label[64];
		size_t need = 0;
		int err = bedrock_sigv4_uri_encode(label, sizeof(label), &need,
						   req.path, strlen(req.path));

		if ((err == 0) != (need < sizeof(label)) || (err == 0 && strlen(label) != need))
			abort();
	}
	if (bedrock_sigv4_result_new(&res) == 0) {
		for (mode = 0; mode < 2; mode++) {
			cfg.mode = mode ? BEDROCK_SIGV4_MODE_QUERY : BEDROCK_SIGV4_MODE_HEADERS;
			if (bedrock_sigv4_sign(res, mode ? signer : NULL, &cfg, &creds, &req) == 0) {
				const bedrock_sigv4_header *h;
				size_t n = bedrock_sigv4_result_headers(&h, res);

				if (strlen(bedrock_sigv4_result_signature(res)) != 64 ||
				    !*bedrock_sigv4_result_canonical_request(res) ||
				    (mode == 0 && n < 2) ||
				    (mode == 1 && bedrock_sigv4_result_query_params(&h, res) < 6))
					abort();
			} else if (!*bedrock_sigv4_result_errmsg(res)) {
				abort();
			}
		}
	}
	bedrock_sigv4_result_free(res);
	reqfile_dispose(&rq);
	return 0;
}
