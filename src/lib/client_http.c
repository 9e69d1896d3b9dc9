/* One signed HTTP attempt's pieces: headers (SigV4 or bearer), the pool of
 * libcurl handles, AWS and Anthropic error parsing. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "creds_private.h"
#include "anthropic_retry.h"
#include "errinfo.h"
#include "http.h"

/* The client's log line, here at the bottom of the client module so that
 * client.c -> client_http.c is the only direction calls go. */
void bedrock__client_log(bedrock_client *c, bedrock_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

void bedrock__client_log(bedrock_client *c, bedrock_log_level level, const char *fmt, ...)
{
	char line[8192];
	va_list ap;

	if (!c->log)
		return;
	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	c->log(level, line, c->log_payload);
}

static int append(struct curl_slist **list, const char *name, const char *value, size_t vlen);

int bedrock__header_append(struct curl_slist **list, const char *name, const char *value)
{
	return append(list, name, value, strlen(value));
}

/* The longest header line taken ("Name: value" and its NUL). */
#define HEADER_LINE_MAX 8192

static int append(struct curl_slist **list, const char *name, const char *value, size_t vlen)
{
	/* Most lines fit here; a long one (a session token) goes to the heap,
	 * so a thread holding a stream keeps no 8 KiB of stack touched. */
	char small[512], *line = small;
	struct curl_slist *n;
	size_t nl = strlen(name);

	/* memcpy, not snprintf: this runs for every header of every request. */
	if (nl + 2 + vlen >= HEADER_LINE_MAX)
		return -1;
	if (nl + 2 + vlen >= sizeof(small) && !(line = bedrock__malloc(nl + 3 + vlen)))
		return -1;
	memcpy(line, name, nl);
	line[nl] = ':';
	line[nl + 1] = ' ';
	memcpy(line + nl + 2, value, vlen);
	line[nl + 2 + vlen] = '\0';
	n = curl_slist_append(*list, line);
	if (line != small)
		bedrock__free(line);
	if (!n)
		return -1;
	*list = n;
	return 0;
}

/* The host[:port] of an endpoint URL. */
static void host_of(char *out, size_t cap, const char *url)
{
	const char *s = strstr(url, "://");

	s = s ? s + 3 : url;
	snprintf(out, cap, "%.*s", (int)strcspn(s, "/?#"), s);
}

/* The signing stages for --debug, the session token masked: it is a
 * secret, and the canonical request carries it when it is signed. */
static void log_signing(bedrock_client *c, const bedrock_sigv4_result *res)
{
	const char *creq = bedrock_sigv4_result_canonical_request(res);
	static const char tok[] = "x-amz-security-token:";
	bedrock_buf b = BEDROCK_BUF_INIT;
	const char *p = creq, *hit;

	while ((hit = strstr(p, tok)) != NULL) {
		bedrock__buf_put(&b, p, (size_t)(hit - p) + sizeof(tok) - 1);
		bedrock__buf_puts(&b, "****");
		p = hit + sizeof(tok) - 1;
		p += strcspn(p, "\n");
	}
	bedrock__buf_puts(&b, p);
	if (!b.oom) {
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "canonical request:\n%s", b.ptr);
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "string to sign:\n%s",
				    bedrock_sigv4_result_string_to_sign(res));
	}
	bedrock__buf_dispose(&b);
}

int bedrock__client_headers(struct curl_slist **list, bedrock_client *c, const bedrock__call *call,
			    bedrock_sigv4_result **sig, bedrock_error_info *err)
{
	const bedrock_request_options *o = call->options;
	const char *names[12], *values[12];
	bedrock_sigv4_header sh[12];
	char host[512];
	size_t n = 0, i;
	int rc = 0;

	*list = NULL;
	host_of(host, sizeof(host), call->endpoint);
	names[n] = "Host", values[n++] = host;
	if (call->body || !strcmp(call->method, "POST") || !strcmp(call->method, "PUT"))
		names[n] = "Content-Type", values[n++] = "application/json";
	names[n] = call->stream_accept ? "X-Amzn-Bedrock-Accept" : "Accept", values[n++] = call->accept;
	if (o) {
		if (o->guardrail_identifier)
			names[n] = "X-Amzn-Bedrock-GuardrailIdentifier", values[n++] = o->guardrail_identifier;
		if (o->guardrail_version)
			names[n] = "X-Amzn-Bedrock-GuardrailVersion", values[n++] = o->guardrail_version;
		if (o->trace)
			names[n] = "X-Amzn-Bedrock-Trace", values[n++] = o->trace;
		if (o->performance_latency)
			names[n] = "X-Amzn-Bedrock-PerformanceConfig-Latency", values[n++] = o->performance_latency;
		if (o->service_tier)
			names[n] = "X-Amzn-Bedrock-Service-Tier", values[n++] = o->service_tier;
		if (o->request_metadata)
			names[n] = "X-Amzn-Bedrock-Request-Metadata", values[n++] = o->request_metadata;
	}
	for (i = 0; i < n; i++) {
		if (strpbrk(values[i], "\r\n")) {
			rc = bedrock__err(err, BEDROCK_EINVAL, "%s contains CR or LF", names[i]);
			goto fail;
		}
		/* libcurl writes Host itself from the URL. */
		if (i && append(list, names[i], values[i], strlen(values[i])))
			goto oom;
		sh[i] = (bedrock_sigv4_header){ names[i], strlen(names[i]), values[i], strlen(values[i]) };
	}
	if (append(list, "User-Agent", c->user_agent, strlen(c->user_agent)) ||
	    append(list, "Expect", "", 0))
		goto oom;
	if (bedrock_auth_get_kind(c->auth) == BEDROCK_AUTH_BEARER) {
		char bearer[4096];

		snprintf(bearer, sizeof(bearer), "Bearer %s", bedrock_auth_bearer_token(c->auth));
		if (append(list, "Authorization", bearer, strlen(bearer)))
			goto oom;
		memset(bearer, 0, sizeof(bearer));
		return 0;
	} else {
		const char *prefix = call->endpoint == c->control_endpoint ? c->control_endpoint_path
									       : c->endpoint_path;
		bedrock_buf path = BEDROCK_BUF_INIT;
		bedrock_credentials *creds = NULL;
		bedrock_sigv4_result *res = NULL;
		bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
		bedrock_sigv4_request req;
		const bedrock_sigv4_header *add;
		bedrock_sigv4_credentials k;
		size_t na;

		rc = bedrock_creds_provider_get(&creds, bedrock_auth_provider(c->auth), err);
		if (rc) {
			if (rc == BEDROCK_ENOTFOUND && !strcmp(bedrock_auth_source(c->auth), "default-chain"))
				bedrock__client_log(c, BEDROCK_LOG_DEBUG, "credentials: %s",
						    bedrock__creds_chain_detail());
			/* No credentials, or a source's unreadable answer (a
			 * credential_process printing garbage): an authentication
			 * problem, whatever the source's own code. */
			if (rc == BEDROCK_ENOTFOUND || rc == BEDROCK_EPROTOCOL || rc == BEDROCK_EINVAL)
				rc = BEDROCK_EAUTH;
			if (err)
				err->code = rc;
			goto fail;
		}
		k.access_key_id = bedrock_credentials_access_key_id(creds);
		k.secret_access_key = bedrock_credentials_secret_access_key(creds);
		k.session_token = bedrock_credentials_session_token(creds);
		memset(&req, 0, sizeof(req));
		req.method = call->method;
		req.path = call->path;
		/* The path sent is the endpoint's path and then the call's
		 * (a gateway's prefix): sign that, as the AWS SDKs do. */
		if (*prefix) {
			bedrock__buf_puts(&path, prefix);
			bedrock__buf_puts(&path, call->path);
			if (path.oom) {
				bedrock_credentials_release(creds);
				bedrock__buf_dispose(&path);
				goto oom;
			}
			req.path = path.ptr;
		}
		req.query = call->query;
		req.headers = sh;
		req.header_count = n;
		req.body = call->body;
		req.body_len = call->body_len;
		sc.region = c->region;
		sc.signing_time = (int64_t)time(NULL) + atomic_load(&c->skew_seconds);
		if (sig && *sig)
			res = *sig;
		else
			rc = bedrock_sigv4_result_new(&res);
		if (!rc)
			rc = bedrock_sigv4_sign(res, c->signer, &sc, &k, &req);
		if (rc) {
			bedrock__err(err, rc, "signing the request failed: %s",
				     res ? bedrock_sigv4_result_errmsg(res) : "out of memory");
		} else {
			if (c->log)
				log_signing(c, res);
			na = bedrock_sigv4_result_headers(&add, res);
			for (i = 0; i < na && !rc; i++) {
				char name[64];

				snprintf(name, sizeof(name), "%.*s", (int)add[i].name_len, add[i].name);
				if (append(list, name, add[i].value, add[i].value_len))
					rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
			}
		}
		if (sig)
			*sig = res;	/* kept for the next request */
		else
			bedrock_sigv4_result_free(res);
		bedrock_credentials_release(creds);
		bedrock__buf_dispose(&path);
		if (rc)
			goto fail;
		return 0;
	}
oom:
	rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
fail:
	curl_slist_free_all(*list);
	*list = NULL;
	return rc;
}

int bedrock__client_conn(bedrock__conn *out, bedrock_client *c, const char *endpoint)
{
	bedrock__conn conn = { NULL, NULL, NULL, { BEDROCK_BUF_INIT, BEDROCK_BUF_INIT } };

	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_count)
		conn = c->pool[--c->pool_count];
	pthread_mutex_unlock(&c->pool_lock);
	if (!conn.easy) {
		if (bedrock__curl_init())
			return BEDROCK_ENOMEM;
		conn.easy = curl_easy_init();
		conn.multi = curl_multi_init();
		if (!conn.easy || !conn.multi) {
			if (conn.easy)
				curl_easy_cleanup(conn.easy);
			if (conn.multi)
				curl_multi_cleanup(conn.multi);
			return BEDROCK_ENOMEM;
		}
	}
	curl_easy_reset(conn.easy);
	bedrock__client_easy_defaults(c, conn.easy, endpoint);
	*out = conn;
	return 0;
}

const char *bedrock__client_proxy(const bedrock_client *c, const char *endpoint,
				  const char **source)
{
	int control = endpoint == c->control_endpoint;

	if (source)
		*source = control ? c->control_proxy_source : c->proxy_source;
	return control ? c->control_proxy : c->proxy;
}

void bedrock__client_easy_defaults(bedrock_client *c, CURL *e, const char *endpoint)
{
	const char *proxy = bedrock__client_proxy(c, endpoint, NULL);

	curl_easy_setopt(e, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(e, CURLOPT_CONNECTTIMEOUT_MS, c->connect_timeout_ms);
	curl_easy_setopt(e, CURLOPT_TIMEOUT_MS, c->total_timeout_ms);
	curl_easy_setopt(e, CURLOPT_PROTOCOLS_STR, "http,https");
	/* HTTP/2 when the server offers it over TLS; HTTP/1.1 otherwise. */
	curl_easy_setopt(e, CURLOPT_HTTP_VERSION, (long)CURL_HTTP_VERSION_2TLS);
	/* Never turned off: real endpoints are always verified. */
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 1L);
	curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 2L);
	curl_easy_setopt(e, CURLOPT_TCP_KEEPALIVE, 1L);
	if (c->ca_bundle)
		curl_easy_setopt(e, CURLOPT_CAINFO, c->ca_bundle);
	/* Decided once by the client (http_proxy.c). Both set, so libcurl
	 * never reads the environment itself ("" = direct; "" = bypass none:
	 * NO_PROXY was already applied). */
	curl_easy_setopt(e, CURLOPT_PROXY, proxy ? proxy : "");
	curl_easy_setopt(e, CURLOPT_NOPROXY, "");
}

void bedrock__client_easy_idle(bedrock_client *c, CURL *e)
{
	/* A silent server is cut by libcurl once its rate over the last 5 s
	 * has stayed at 0 for the idle timeout. */
	if (c->idle_timeout_ms > 0) {
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_LIMIT, 1L);
		curl_easy_setopt(e, CURLOPT_LOW_SPEED_TIME, (long)((c->idle_timeout_ms + 999) / 1000));
	}
}

void bedrock__client_release_conn(bedrock_client *c, bedrock__conn *conn)
{
	if (!conn->easy)
		return;
	pthread_mutex_lock(&c->pool_lock);
	if (c->pool_count < BEDROCK__POOL_MAX) {
		c->pool[c->pool_count++] = *conn;
		conn->easy = NULL;
	}
	pthread_mutex_unlock(&c->pool_lock);
	if (conn->easy) {
		curl_easy_cleanup(conn->easy);
		curl_multi_cleanup(conn->multi);
		bedrock_sigv4_result_free(conn->sig);
		bedrock__buf_dispose(&conn->rx[0]);
		bedrock__buf_dispose(&conn->rx[1]);
	}
	conn->easy = NULL;
	conn->multi = NULL;
	conn->sig = NULL;
	conn->rx[0] = conn->rx[1] = (bedrock_buf)BEDROCK_BUF_INIT;
}

int bedrock__client_transport_error(bedrock_error_info *err, bedrock_client *c, const char *endpoint,
				    const char *url, int curl_code, const char *detail)
{
	const char *source, *proxy = bedrock__client_proxy(c, endpoint, &source);
	CURLcode cc = (CURLcode)curl_code;
	int code = cc == CURLE_OPERATION_TIMEDOUT ? BEDROCK_ETIMEOUT : BEDROCK_EIO;
	char shown[256];

	if (!detail || !*detail)
		detail = curl_easy_strerror(cc);
	if (!proxy) {
		bedrock__err(err, code, "%s: %s", url, detail);
	} else {
		bedrock__proxy_display(shown, sizeof(shown), proxy);
		/* Through a proxy, libcurl only ever connects to the proxy. */
		if (cc == CURLE_COULDNT_CONNECT || cc == CURLE_COULDNT_RESOLVE_PROXY)
			bedrock__err(err, code, "cannot reach the proxy %s (from %s) for %s: %s", shown,
				     source, url, detail);
		else
			bedrock__err(err, code, "%s: %s (through the proxy %s from %s)", url, detail,
				     shown, source);
	}
	if (err)
		err->retryable = 1;
	return code;
}

int bedrock__client_cancelled(bedrock_error_info *err, const char *what)
{
	return bedrock__err(err, BEDROCK_ECANCELED, "%s was cancelled", what);
}

/* botocore: x-amzn-ErrorType, else the body's code/__type; keep what is
 * before ':' and after the last '#'. */
static void clean_code(char *code)
{
	char *hash = strrchr(code, '#');

	if (hash)
		memmove(code, hash + 1, strlen(hash + 1) + 1);
	code[strcspn(code, ":")] = '\0';
}

/* The reason phrase of a status a Bedrock call may meet (RFC 9110's, with
 * 413's older name, which proxies and load balancers still send). */
static const char *reason_phrase(int status)
{
	switch (status) {
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 406: return "Not Acceptable";
	case 407: return "Proxy Authentication Required";
	case 408: return "Request Timeout";
	case 409: return "Conflict";
	case 411: return "Length Required";
	case 413: return "Payload Too Large";
	case 414: return "URI Too Long";
	case 415: return "Unsupported Media Type";
	case 424: return "Failed Dependency";
	case 429: return "Too Many Requests";
	case 431: return "Request Header Fields Too Large";
	case 500: return "Internal Server Error";
	case 501: return "Not Implemented";
	case 502: return "Bad Gateway";
	case 503: return "Service Unavailable";
	case 504: return "Gateway Timeout";
	default: return NULL;
	}
}

int bedrock__client_http_error(bedrock_error_info *err, const bedrock_client *c, int status,
			       const bedrock_buf *headers, const char *body, size_t len)
{
	char code[128] = "", rid[64] = "";
	const char *msg = NULL;
	cJSON *j = body && len ? cJSON_ParseWithLength(body, len) : NULL;
	int rc;

	/* Vertex's streaming methods wrap Google's error in an array. */
	if (cJSON_IsArray(j) && cJSON_GetArraySize(j) == 1 &&
	    cJSON_IsObject(cJSON_GetArrayItem(j, 0))) {
		cJSON *inner = cJSON_DetachItemFromArray(j, 0);

		cJSON_Delete(j);
		j = inner;
	}

	bedrock__headers_get(headers, "x-amzn-errortype", code, sizeof(code));
	if (!code[0] && j) {
		const cJSON *v = cJSON_GetObjectItemCaseSensitive(j, "code");

		if (!cJSON_IsString(v))
			v = cJSON_GetObjectItemCaseSensitive(j, "Code");
		if (!cJSON_IsString(v))
			v = cJSON_GetObjectItemCaseSensitive(j, "__type");
		if (cJSON_IsString(v))
			snprintf(code, sizeof(code), "%s", v->valuestring);
	}
	clean_code(code);
	if (j && cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(j, "error"))) {
		/* The Anthropic API's shape (Vertex's too):
		 * {"type":"error","error":{"type":"overloaded_error","message":...}} */
		const cJSON *e = cJSON_GetObjectItemCaseSensitive(j, "error");
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(e, "type");
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "message");

		/* Google's: {"error":{"code":429,"message":...,"status":"RESOURCE_EXHAUSTED"}} */
		const cJSON *g = cJSON_GetObjectItemCaseSensitive(e, "status");

		if (!code[0] && cJSON_IsString(t))
			snprintf(code, sizeof(code), "%s", t->valuestring);
		else if (!code[0] && cJSON_IsString(g))
			snprintf(code, sizeof(code), "%s", g->valuestring);
		if (cJSON_IsString(m))
			msg = m->valuestring;
	}
	if (j && !msg) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(j, "message");

		if (!cJSON_IsString(m))
			m = cJSON_GetObjectItemCaseSensitive(j, "Message");
		if (cJSON_IsString(m))
			msg = m->valuestring;
	}
	bedrock__headers_get(headers, c->request_id_header, rid, sizeof(rid));
	if (status == 401 || status == 403)
		rc = BEDROCK_EAUTH;
	else if (status == 429 && strcmp(code, "ModelNotReadyException"))
		rc = BEDROCK_ETHROTTLED;
	else if (status == 408 || !strcmp(code, "ModelTimeoutException"))
		rc = BEDROCK_ETIMEOUT;
	else
		rc = BEDROCK_EHTTP;
	if (msg || code[0]) {
		bedrock__err(err, rc, "%s", msg ? msg : code);
	} else {
		const char *reason = reason_phrase(status);

		/* No body to speak for it (a 413 from a proxy, a bare 502):
		 * the status line is all there is. */
		bedrock__err(err, rc, "HTTP %d%s%s", status, reason ? " " : "", reason ? reason : "");
	}
	if (err) {
		err->http_status = status;
		snprintf(err->aws_code, sizeof(err->aws_code), "%.63s", code);
		snprintf(err->request_id, sizeof(err->request_id), "%s", rid);
		err->retryable = c->platform != BEDROCK_PLATFORM_BEDROCK
			? bedrock__anthropic_retryable(status, headers)
			: bedrock_retry_category_retryable(bedrock_retry_classify(
				  status, code[0] ? code : NULL, BEDROCK_RETRY_TRANSPORT_NONE));
	}
	cJSON_Delete(j);
	return rc;
}

long long bedrock__now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

long long bedrock__client_call_end(const bedrock_client *c)
{
	return c->deadline_ms ? bedrock__now_ms() + c->deadline_ms : 0;
}

void bedrock__duration(char *out, size_t cap, long ms)
{
	if (ms % 1000 == 0)
		snprintf(out, cap, "%ld s", ms / 1000);
	else
		snprintf(out, cap, "%ld ms", ms);
}

int bedrock__client_deadline_error(bedrock_error_info *err, const bedrock_client *c)
{
	char d[32];

	bedrock__duration(d, sizeof(d), c->deadline_ms);
	return bedrock__err(err, BEDROCK_ETIMEOUT, "the call's deadline of %s passed", d);
}
