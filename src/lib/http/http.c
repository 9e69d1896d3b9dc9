#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <curl/curl.h>

#include "alloc.h"
#include "ascii.h"
#include "crypto.h"
#include "errinfo.h"
#include "http.h"

struct bedrock__http {
	CURL *easy;
	char *ca_bundle;
	int direct;		/* never through a proxy (metadata endpoints) */
};

static pthread_once_t curl_once = PTHREAD_ONCE_INIT;
static CURLcode curl_init_rc;

static void init_curl(void)
{
	curl_init_rc = curl_global_init(CURL_GLOBAL_DEFAULT);
}

int bedrock__curl_init(void)
{
	pthread_once(&curl_once, init_curl);
	return curl_init_rc == CURLE_OK ? 0 : BEDROCK_EIO;
}

int bedrock__http_new(bedrock__http **out, const char *ca_bundle)
{
	bedrock__http *h;

	*out = NULL;
	if (bedrock__curl_init())
		return BEDROCK_EIO;
	h = bedrock__calloc(1, sizeof(*h));
	if (!h)
		return BEDROCK_ENOMEM;
	h->easy = curl_easy_init();
	if (ca_bundle && *ca_bundle)
		h->ca_bundle = bedrock__strdup(ca_bundle);
	if (!h->easy || (ca_bundle && *ca_bundle && !h->ca_bundle)) {
		bedrock__http_free(h);
		return BEDROCK_ENOMEM;
	}
	*out = h;
	return 0;
}

void bedrock__http_direct(bedrock__http *h)
{
	h->direct = 1;
}

void bedrock__http_free(bedrock__http *h)
{
	if (!h)
		return;
	if (h->easy)
		curl_easy_cleanup(h->easy);
	bedrock__free(h->ca_bundle);
	bedrock__free(h);
}

typedef struct {
	bedrock__http_response *resp;
	const bedrock__http_request *req;
	int aborted;
	int cancelled;
} xfer;

/* libcurl calls this often while data moves and about once a second while
 * it waits: the request's cancel token is looked at here. */
static int on_progress(void *p, curl_off_t dltotal, curl_off_t dlnow, curl_off_t ultotal,
		       curl_off_t ulnow)
{
	xfer *x = p;

	(void)dltotal, (void)dlnow, (void)ultotal, (void)ulnow;
	if (bedrock__cancelled(x->req->cancel)) {
		x->cancelled = 1;
		return 1;
	}
	return 0;
}

static size_t on_write(char *data, size_t size, size_t n, void *p)
{
	xfer *x = p;
	size_t len = size * n;

	if (x->req->on_body) {
		if (x->req->on_body(data, len, x->req->payload)) {
			x->aborted = 1;
			return 0;
		}
		return len;
	}
	bedrock__buf_put(&x->resp->body, data, len);
	return x->resp->body.oom ? 0 : len;
}

void bedrock__header_line(bedrock_buf *h, const char *data, size_t len)
{
	const char *colon = memchr(data, ':', len), *v;
	size_t nl, vl, i;
	char *dst;

	/* A new status line (redirect, 100-continue) starts a new header set. */
	if (len >= 5 && !memcmp(data, "HTTP/", 5)) {
		bedrock__buf_clear(h);
		return;
	}
	if (!colon)
		return;
	nl = (size_t)(colon - data);
	for (v = colon + 1; v < data + len && (*v == ' ' || *v == '\t'); v++)
		;
	while (len && (data[len - 1] == '\r' || data[len - 1] == '\n'))
		len--;
	vl = v < data + len ? (size_t)(data + len - v) : 0;
	/* "name: value\n" in one piece, the name lower-cased on the way: every
	 * header of every response passes here. */
	if (bedrock__buf_grow(h, nl + 3 + vl))
		return;
	dst = h->ptr + h->len;
	for (i = 0; i < nl; i++)
		dst[i] = (char)bedrock__ascii_lower((unsigned char)data[i]);
	dst[nl] = ':';
	dst[nl + 1] = ' ';
	memcpy(dst + nl + 2, v, vl);
	dst[nl + 2 + vl] = '\n';
	h->len += nl + 3 + vl;
	h->ptr[h->len] = '\0';
}

static size_t on_header(char *data, size_t size, size_t n, void *p)
{
	xfer *x = p;

	bedrock__header_line(&x->resp->headers, data, size * n);
	return x->resp->headers.oom ? 0 : size * n;
}

/* Header lines may carry a bearer token or a session token: wiped before
 * they are freed. */
static void free_headers(struct curl_slist *list)
{
	struct curl_slist *n;

	for (n = list; n; n = n->next)
		bedrock__wipe(n->data, strlen(n->data));
	curl_slist_free_all(list);
}

int bedrock__http_perform(bedrock__http *h, bedrock__http_response *resp,
			  const bedrock__http_request *req, bedrock_error_info *err)
{
	struct curl_slist *list = NULL;
	char errbuf[CURL_ERROR_SIZE] = "", via[300] = "";
	xfer x = { resp, req, 0, 0 };
	CURL *e = h->easy;
	const char *proxy = NULL, *source;
	CURLcode rc;
	size_t i;

	bedrock__buf_clear(&resp->body);
	bedrock__buf_clear(&resp->headers);
	resp->status = 0;
	if (bedrock__cancelled(req->cancel))
		return bedrock__err(err, BEDROCK_ECANCELED, "%s: cancelled", req->url);
	curl_easy_reset(e);
	for (i = 0; i < req->header_count; i++) {
		bedrock_buf line = BEDROCK_BUF_INIT;
		struct curl_slist *n;

		if (strpbrk(req->headers[i].value, "\r\n")) {
			free_headers(list);
			return bedrock__err(err, BEDROCK_EINVAL, "header %s has CR or LF in its value",
					    req->headers[i].name);
		}
		bedrock__buf_puts(&line, req->headers[i].name);
		/* "Name;" sends an empty header; "Name:" would remove it. */
		bedrock__buf_puts(&line, *req->headers[i].value ? ": " : ";");
		bedrock__buf_puts(&line, req->headers[i].value);
		n = line.oom ? NULL : curl_slist_append(list, line.ptr);
		if (line.ptr)
			bedrock__wipe(line.ptr, line.len);
		bedrock__buf_dispose(&line);
		if (!n) {
			free_headers(list);
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		}
		list = n;
	}
	/* libcurl would add "Expect: 100-continue" to large POSTs; AWS does not need it. */
	list = curl_slist_append(list, "Expect:");
	curl_easy_setopt(e, CURLOPT_URL, req->url);
	curl_easy_setopt(e, CURLOPT_CUSTOMREQUEST, req->method);
	curl_easy_setopt(e, CURLOPT_HTTPHEADER, list);
	if (req->body || !strcmp(req->method, "POST") || !strcmp(req->method, "PUT")) {
		curl_easy_setopt(e, CURLOPT_POSTFIELDS, req->body ? (const char *)req->body : "");
		curl_easy_setopt(e, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)req->body_len);
	} else if (!strcmp(req->method, "HEAD")) {
		curl_easy_setopt(e, CURLOPT_NOBODY, 1L);
	}
	curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(e, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(e, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(e, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(e, CURLOPT_ERRORBUFFER, errbuf);
	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	if (req->cancel) {
		curl_easy_setopt(e, CURLOPT_XFERINFOFUNCTION, on_progress);
		curl_easy_setopt(e, CURLOPT_XFERINFODATA, &x);
		curl_easy_setopt(e, CURLOPT_NOPROGRESS, 0L);
	}
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS,
			 req->connect_timeout_ms > 0 ? req->connect_timeout_ms : 10000L);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, req->timeout_ms > 0 ? req->timeout_ms : 0L);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	if (h->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, h->ca_bundle);
	/* Decided here, never by libcurl from the environment: "" is direct. */
	if (!h->direct)
		proxy = bedrock__proxy_for(req->url, NULL, NULL, &source);
	curl_easy_setopt(e, CURLOPT_PROXY, proxy ? proxy : "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "");
	if (proxy) {
		char shown[256];

		bedrock__proxy_display(shown, sizeof(shown), proxy);
		snprintf(via, sizeof(via), " (through the proxy %s from %s)", shown, source);
	}
	rc = curl_easy_perform(e);
	free_headers(list);
	curl_easy_getinfo(e, CURLINFO_RESPONSE_CODE, &resp->status);
	if (rc == CURLE_OK)
		return 0;
	if (x.cancelled)
		return bedrock__err(err, BEDROCK_ECANCELED, "%s: cancelled", req->url);
	if (x.aborted)
		return bedrock__err(err, BEDROCK_EIO, "transfer of %s aborted by its reader", req->url);
	if (resp->body.oom || resp->headers.oom)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	if (rc == CURLE_OPERATION_TIMEDOUT)
		return bedrock__err(err, BEDROCK_ETIMEOUT, "%s: %s%s", req->url,
				    errbuf[0] ? errbuf : curl_easy_strerror(rc), via);
	if (rc == CURLE_URL_MALFORMAT || rc == CURLE_UNSUPPORTED_PROTOCOL)
		return bedrock__err(err, BEDROCK_EINVAL, "%s: %s%s", req->url,
				    errbuf[0] ? errbuf : curl_easy_strerror(rc), via);
	return bedrock__err(err, BEDROCK_EIO, "%s: %s%s", req->url,
			    errbuf[0] ? errbuf : curl_easy_strerror(rc), via);
}

int bedrock__headers_get(const bedrock_buf *h, const char *name, char *out, size_t cap)
{
	const char *p = h->ptr;
	size_t nl = strlen(name);

	out[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t i;

		if (!eol)
			break;
		for (i = 0; i < nl; i++) {
			if (p[i] != (char)bedrock__ascii_lower((unsigned char)name[i]))
				break;
		}
		if (i == nl && p[nl] == ':' && p[nl + 1] == ' ') {
			size_t vl = (size_t)(eol - (p + nl + 2));

			if (vl >= cap)
				vl = cap - 1;
			memcpy(out, p + nl + 2, vl);
			out[vl] = '\0';
			return 0;
		}
		p = eol + 1;
	}
	return -1;
}

int bedrock__http_header_get(const bedrock__http_response *resp, const char *name,
			     char *out, size_t cap)
{
	return bedrock__headers_get(&resp->headers, name, out, cap);
}

void bedrock__http_response_dispose(bedrock__http_response *resp)
{
	bedrock__buf_dispose(&resp->body);
	bedrock__buf_dispose(&resp->headers);
}
