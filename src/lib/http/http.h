/* The library's one HTTP transport, over libcurl: the credential
 * providers' exchanges, the header helpers every transfer shares, and the
 * proxy rule (http_proxy.c). TLS verification is always on. */
#ifndef BEDROCK_HTTP_H
#define BEDROCK_HTTP_H

#include <stdatomic.h>
#include <stddef.h>

#include "bedrock/errors.h"
#include "buf.h"

/* A cancellation token (bedrock_cancel in bedrock/client.h). Defined at
 * this layer so that every transfer, the client's and the credential
 * providers', can look at it without calling up into the client. Lock-free,
 * so that setting it is async-signal-safe (C11 7.14.1.1). */
_Static_assert(ATOMIC_INT_LOCK_FREE == 2, "cancellation needs a lock-free atomic int");

struct bedrock_cancel {
	atomic_int flag;
};

static inline int bedrock__cancelled(const struct bedrock_cancel *t)
{
	return t && atomic_load_explicit(&((struct bedrock_cancel *)t)->flag, memory_order_relaxed);
}

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
	/* Optional: the exchange stops with BEDROCK_ECANCELED within about a
	 * second of this token being triggered (libcurl's progress callback). */
	const struct bedrock_cancel *cancel;
} bedrock__http_request;

typedef struct bedrock__http_response {
	long status;
	bedrock_buf body;
	bedrock_buf headers;	/* "name: value\n" lines, names lower-cased */
} bedrock__http_response;

#define BEDROCK__HTTP_RESPONSE_INIT { 0, BEDROCK_BUF_INIT, BEDROCK_BUF_INIT }

/* curl_global_init, once, thread-safely. 0 or BEDROCK_EIO. */
int bedrock__curl_init(void);

/* ca_bundle: optional path of a CA file (AWS_CA_BUNDLE). Requests go
 * through the environment's proxy (bedrock__proxy_for), as botocore's STS
 * and SSO clients do. */
int bedrock__http_new(bedrock__http **out, const char *ca_bundle);
/* Never through a proxy: for the instance and container metadata
 * endpoints, which only this host can reach (botocore's container
 * provider does the same; for IMDS it makes users add 169.254.169.254 to
 * NO_PROXY, a classic trap). */
void bedrock__http_direct(bedrock__http *h);
void bedrock__http_free(bedrock__http *h);

/* Performs one exchange. An HTTP error status is not a failure here: the
 * caller reads resp->status. Fails with BEDROCK_ETIMEOUT, BEDROCK_EIO
 * (connection), BEDROCK_EINVAL (bad URL), BEDROCK_ECANCELED (req->cancel)
 * or BEDROCK_ENOMEM, with err set.
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

/* The proxy a request to url goes through: proxy if not NULL ("" = none),
 * else https_proxy / HTTPS_PROXY for https URLs and http_proxy /
 * HTTP_PROXY for http ones; NULL when there is none or no_proxy (else
 * no_proxy / NO_PROXY) covers the host. *source names where it came from
 * (for logs). The result points into proxy or the environment. */
const char *bedrock__proxy_for(const char *url, const char *proxy, const char *no_proxy,
			       const char **source);
/* 1 if a NO_PROXY list (names and their subdomains, IPs, CIDR, "*")
 * covers url's host. */
int bedrock__no_proxy_match(const char *list, const char *url);
/* The proxy URL for messages: user:password@ shown as ****@. */
void bedrock__proxy_display(char *out, size_t cap, const char *proxy);

#endif
