/* Endpoint URLs, checked once when the client is made, with libcurl's own
 * URL parser: what it accepts here is what it will send later. */
#include <string.h>
#include <strings.h>

#include <curl/curl.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "errinfo.h"

static char *dup_trimmed(const char *s)
{
	size_t n = strlen(s);

	while (n && s[n - 1] == '/')
		n--;
	return bedrock__strndup(s, n);
}

/* Why the URL cannot be an endpoint, or NULL. The messages never quote the
 * URL: its user information or query may be a secret. */
static const char *refusal(CURLU *u, const char *in, CURLUcode *cc)
{
	char *s = NULL;
	const char *why = NULL;
	size_t i;

	for (i = 0; in[i]; i++)
		if ((unsigned char)in[i] <= ' ' || in[i] == 0x7f)
			return "contains white space or a control character";
	if (strncasecmp(in, "http://", 7) && strncasecmp(in, "https://", 8))
		return "must start with http:// or https://";
	*cc = curl_url_set(u, CURLUPART_URL, in, 0);
	if (*cc == CURLUE_BAD_PORT_NUMBER)
		return "has a port that is not a number from 1 to 65535";
	if (*cc)
		return NULL;	/* the caller names libcurl's reason */
	/* A user name (even an empty one) would be signed into Host and shown
	 * by --debug; credentials belong in the credential chain. */
	if (curl_url_get(u, CURLUPART_USER, &s, 0) != CURLUE_NO_USER ||
	    curl_url_get(u, CURLUPART_PASSWORD, &s, 0) != CURLUE_NO_PASSWORD)
		why = "must not contain a user name or password";
	else if (curl_url_get(u, CURLUPART_QUERY, &s, 0) != CURLUE_NO_QUERY || strchr(in, '?'))
		why = "must not have a query ('?...'): request paths are appended to it";
	else if (curl_url_get(u, CURLUPART_FRAGMENT, &s, 0) != CURLUE_NO_FRAGMENT || strchr(in, '#'))
		why = "must not have a fragment ('#...')";
	else if (curl_url_get(u, CURLUPART_PORT, &s, 0) == CURLUE_OK && !strcmp(s, "0"))
		why = "has a port that is not a number from 1 to 65535";
	curl_free(s);
	return why;
}

int bedrock__endpoint_parse(char **url, char **path, const char *what, const char *in,
			    bedrock_error_info *err)
{
	CURLU *u = curl_url();
	CURLUcode cc = CURLUE_OK;
	char *full = NULL, *p = NULL;
	const char *why;
	int rc = 0;

	*url = *path = NULL;
	if (!u)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	why = refusal(u, in, &cc);
	if (why)
		rc = bedrock__err(err, BEDROCK_ECONFIG, "the %s URL %s", what, why);
	else if (cc)
		rc = bedrock__err(err, BEDROCK_ECONFIG, "the %s URL is not valid: %s", what,
				  curl_url_strerror(cc));
	/* Rebuilt by libcurl: scheme and host as it reads them, the default
	 * port left out (libcurl leaves it out of Host too), dot segments
	 * resolved as libcurl resolves them before sending. */
	else if (curl_url_get(u, CURLUPART_URL, &full, CURLU_NO_DEFAULT_PORT) ||
		 curl_url_get(u, CURLUPART_PATH, &p, 0) || !(*url = dup_trimmed(full)) ||
		 !(*path = dup_trimmed(p)))
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	curl_free(full);
	curl_free(p);
	curl_url_cleanup(u);
	if (rc) {
		bedrock__free(*url);
		bedrock__free(*path);
		*url = *path = NULL;
	}
	return rc;
}
