/* Which platform's headers an attempt carries: the one switch between
 * the platforms' request halves, so each of them stays ignorant of the
 * others. */
#include "bedrock/bedrock.h"
#include "client_private.h"

int bedrock__client_request_headers(struct curl_slist **list, bedrock_client *c,
				    const bedrock__call *call, bedrock_sigv4_result **sig,
				    bedrock_error_info *err)
{
	switch (c->platform) {
	case BEDROCK_PLATFORM_ANTHROPIC: return bedrock__anthropic_headers(list, c, call, err);
	case BEDROCK_PLATFORM_VERTEX: return bedrock__vertex_headers(list, c, call, err);
	default: return bedrock__client_headers(list, c, call, sig, err);
	}
}
