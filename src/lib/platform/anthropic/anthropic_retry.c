/* The official SDKs' retry rules for the Anthropic API (anthropic_retry.h). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>

#include "anthropic_retry.h"
#include "http.h"

/* retry-after-ms (milliseconds, fractions allowed), else retry-after
 * (seconds, or an HTTP date): the wait the server asks for, or -1. */
static long long server_wait_ms(const bedrock_buf *headers)
{
	char v[64];
	char *end;
	double d;

	if (!bedrock__headers_get(headers, "retry-after-ms", v, sizeof(v))) {
		d = strtod(v, &end);
		if (end != v && !*end && d >= 0 && d < 1e12)
			return (long long)d;
	}
	if (!bedrock__headers_get(headers, "retry-after", v, sizeof(v))) {
		time_t t;

		d = strtod(v, &end);
		if (end != v && !*end && d >= 0 && d < 1e9)
			return (long long)(d * 1000);
		t = curl_getdate(v, NULL);
		if (t != (time_t)-1) {
			long long ms = ((long long)t - (long long)time(NULL)) * 1000;

			return ms > 0 ? ms : 0;
		}
	}
	return -1;
}

int bedrock__anthropic_retryable(int status, const bedrock_buf *headers)
{
	char v[16];

	/* The server's word wins (the SDKs' x-should-retry). */
	if (headers && !bedrock__headers_get(headers, "x-should-retry", v, sizeof(v))) {
		if (!strcmp(v, "true"))
			return 1;
		if (!strcmp(v, "false"))
			return 0;
	}
	return status == 408 || status == 409 || status == 429 || status >= 500;
}

long long bedrock__anthropic_retry_wait(const bedrock_buf *headers)
{
	long long ms = headers ? server_wait_ms(headers) : -1;

	/* As the SDKs: a wait the server names is used when it is under a
	 * minute; anything else gets the usual back-off. */
	return ms > 0 && ms <= 60000 ? ms : -1;
}
