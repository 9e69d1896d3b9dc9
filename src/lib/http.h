/* The library's one HTTP transport, over libcurl. Credential providers use
 * it today; the Bedrock client drives the same module (with streaming
 * bodies and connection reuse). TLS verification is always on. */
#ifndef BEDROCK_HTTP_H
#define BEDROCK_HTTP_H

#include <stddef.h>

#include "bedrock/errors.h"
#include "buf.h"

typedef struct bedrock__http bedrock__http;

typedef struct bedrock__http_header {
	const char *name;
	const char *value;
} bedrock__http_header;

typedef struct bedrock__http_request {
	const char *method;		/* "GET", "PUT", "POST", ... */
	const char *url;
	const bedrock__http_header *headers;
	size_t header_count;
	const void *body;
	size_t body_len;
	long connect_timeout_ms;	/* 0 = 10 s */
	long timeout_ms;		/* whole exchange; 0 = none */
	/* Optional: called with each piece of the response body instead of
	 * collecting it; return non-zero to abort the transfer. */
	int (*on_body)(const void *data, size_t len, void *payload);
	void *payload;
} bedrock__http_request;

typedef struct bedrock__http_response {
	long status;
	bedrock_buf body;
	bedrock_buf headers;	/* "name: value\n" lines, names lower-cased */
} bedrock__http_response;

#define BEDROCK__HTTP_RESPONSE_INIT { 0, BEDROCK_BUF_INIT, BEDROCK_BUF_INIT }

/* curl_global_init, once, thread-safely. 0 or BEDROCK_EIO. */
int bedrock__curl_init(void);

/* ca_bundle: optional path of a CA file (AWS_CA_BUNDLE). */
int bedrock__http_new(bedrock__http **out, const char *ca_bundle);
void bedrock__http_free(bedrock__http *h);

/* Performs one exchange. An HTTP error status is not a failure here: the
 * caller reads resp->status. Fails with BEDROCK_ETIMEOUT, BEDROCK_EIO
 * (connection), BEDROCK_EINVAL (bad URL) or BEDROCK_ENOMEM, with err set.
 * Not thread-safe: one exchange at a time per handle. */
int bedrock__http_perform(bedrock__http *h, bedrock__http_response *resp,
			  const bedrock__http_request *req, bedrock_error_info *err);

/* A response header's value (first match, case-insensitive name) copied
 * into out; 0 if found. */
int bedrock__http_header_get(const bedrock__http_response *resp, const char *name,
			     char *out, size_t cap);

void bedrock__http_response_dispose(bedrock__http_response *resp);

/* Adds one raw header line from libcurl to h as "name: value\n" (names
 * lower-cased; a status line starts a new set). Check h->oom after. */
void bedrock__header_line(bedrock_buf *h, const char *data, size_t len);
/* A header's value from such a list (case-insensitive name); 0 if found. */
int bedrock__headers_get(const bedrock_buf *h, const char *name, char *out, size_t cap);

#endif
