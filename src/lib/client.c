/* The client: configuration, endpoints, authentication, and the
 * request/retry loop for complete (non-streaming) responses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/bedrock.h"
#include "alloc.h"
#include "client_private.h"
#include "config_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"

/* https://PREFIX[-fips].REGION.SUFFIX, the partition chosen by the region. */
static char *default_endpoint(const char *prefix, const char *region, int fips, int dualstack)
{
	const char *suffix;
	char buf[256];

	if (!strncmp(region, "cn-", 3))
		suffix = dualstack ? "api.amazonwebservices.com.cn" : "amazonaws.com.cn";
	else if (!strncmp(region, "eusc-", 5))
		suffix = "amazonaws.eu";
	else
		suffix = dualstack ? "api.aws" : "amazonaws.com";
	snprintf(buf, sizeof(buf), "https://%s%s.%s.%s", prefix, fips ? "-fips" : "", region, suffix);
	return bedrock__strdup(buf);
}

/* A DNS label of 1 to 63 letters, digits and hyphens, no hyphen at
 * either end, not all digits: botocore's validate_region_name. */
static int host_label(const char *s)
{
	size_t n = strlen(s);

	return n && n <= 63 && s[0] != '-' && s[n - 1] != '-' &&
	       strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") == n &&
	       strspn(s, "0123456789") != n;
}

/* The endpoint URL given (ep), else the region's; checked either way. */
static int endpoint(char **url, char **path, const char *what, const char *ep, const char *prefix,
		    const char *region, const bedrock_client_options *o, bedrock_error_info *err)
{
	char *dflt = NULL;
	int rc;

	if (!ep && !(ep = dflt = default_endpoint(prefix, region, o->use_fips, o->use_dualstack)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = bedrock__endpoint_parse(url, path, what, ep, err);
	bedrock__free(dflt);
	return rc;
}

/* Each endpoint's proxy, decided once from the options or the
 * environment (the endpoints never change). */
static int resolve_proxies(bedrock_client *c, const bedrock_client_options *o,
			   bedrock_error_info *err)
{
	const char *p;

	p = bedrock__proxy_for(c->endpoint, o->proxy, o->no_proxy, &c->proxy_source);
	if (p && !(c->proxy = bedrock__strdup(p)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	p = bedrock__proxy_for(c->control_endpoint, o->proxy, o->no_proxy, &c->control_proxy_source);
	if (p && !(c->control_proxy = bedrock__strdup(p)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	if (o->proxy && *o->proxy && strpbrk(o->proxy, "\r\n \t"))
		return bedrock__err(err, BEDROCK_ECONFIG, "the proxy URL contains white space");
	return 0;
}

static void log_proxies(bedrock_client *c)
{
	char shown[256];

	if (c->proxy) {
		bedrock__proxy_display(shown, sizeof(shown), c->proxy);
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "proxy for %s: %s (from %s)", c->endpoint,
				    shown, c->proxy_source);
	}
	if (c->control_proxy) {
		bedrock__proxy_display(shown, sizeof(shown), c->control_proxy);
		bedrock__client_log(c, BEDROCK_LOG_DEBUG, "proxy for %s: %s (from %s)",
				    c->control_endpoint, shown, c->control_proxy_source);
	}
}

/* Bedrock's part of a client: the AWS configuration, region, endpoints,
 * authentication and signer. *cfg is kept for the retry settings. */
static int aws_setup(bedrock_client *c, bedrock_config **cfg, const bedrock_client_options *o,
		     bedrock_error_info *err)
{
	bedrock_config_options co = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_auth_options ao = BEDROCK_AUTH_OPTIONS_INIT;
	const char *region, *ep;
	int rc;

	co.profile = o->profile;
	rc = bedrock_config_load(cfg, &co);
	if (rc)
		return bedrock__err(err, rc, "%s", rc == BEDROCK_ENOMEM ? "out of memory"
						   : bedrock_config_errmsg(*cfg));
	rc = bedrock_config_region(&region, NULL, *cfg, o->region);
	if (rc)
		return bedrock__err(err, rc, "%s", bedrock_config_errmsg(*cfg));
	if (!host_label(region))
		/* It becomes part of the endpoint's host name (botocore's check). */
		return bedrock__err(err, BEDROCK_ECONFIG, "invalid region '%.64s%s': a region is a "
				    "name such as us-east-1", region, strlen(region) > 64 ? "..." : "");
	if (!(c->region = bedrock__strdup(region)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	ep = o->endpoint_url ? o->endpoint_url : bedrock_config_endpoint(*cfg, "BEDROCK_RUNTIME");
	if (ep && (o->use_fips || o->use_dualstack))
		return bedrock__err(err, BEDROCK_ECONFIG,
				    "FIPS and dual-stack endpoints cannot be combined with a custom endpoint");
	rc = endpoint(&c->endpoint, &c->endpoint_path, "endpoint", ep, "bedrock-runtime", region, o,
		      err);
	if (rc)
		return rc;
	ep = o->control_endpoint_url ? o->control_endpoint_url
	     : o->endpoint_url ? o->endpoint_url : bedrock_config_endpoint(*cfg, "BEDROCK");
	rc = endpoint(&c->control_endpoint, &c->control_endpoint_path, "control-plane endpoint", ep,
		      "bedrock", region, o, err);
	if (rc)
		return rc;
	ao.bearer_token = o->bearer_token;
	ao.access_key_id = o->access_key_id;
	ao.secret_access_key = o->secret_access_key;
	ao.session_token = o->session_token;
	ao.provider = o->credentials;
	ao.profile = o->profile;
	rc = bedrock_auth_new(&c->auth, &ao, err);
	if (rc)
		return rc;
	if ((rc = bedrock_sigv4_signer_new(&c->signer)) != 0)
		return bedrock__err(err, rc, "out of memory");
	return 0;
}

/* The options as the current struct: an older version's are copied into
 * *room (the fields it lacks keep their defaults). */
static const bedrock_client_options *options_now(bedrock_client_options *room,
						 const bedrock_client_options *o)
{
	size_t n;

	if (!o)
		return room;
	switch (o->version) {
	case 1: n = offsetof(bedrock_client_options, deadline_ms); break;
	case 2: n = offsetof(bedrock_client_options, platform); break;
	case 3: n = offsetof(bedrock_client_options, project); break;
	case BEDROCK_CLIENT_OPTIONS_VERSION: return o;
	default: return NULL;
	}
	memcpy(room, o, n);
	return room;
}

static atomic_ullong serials;

int bedrock_client_new(bedrock_client **out, const bedrock_client_options *o,
		       bedrock_error_info *err)
{
	bedrock_client_options defaults = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_retry_options ro = BEDROCK_RETRY_OPTIONS_INIT;
	bedrock_config *cfg = NULL;
	bedrock_client *c;
	const char *v;
	char ua[256];
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	if (!(o = options_now(&defaults, o)))
		return bedrock__err(err, BEDROCK_EINVAL, "unknown bedrock_client_options version");
	c = bedrock__calloc(1, sizeof(*c));
	if (!c)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	c->serial = atomic_fetch_add(&serials, 1) + 1;
	pthread_mutex_init(&c->pool_lock, NULL);
	pthread_mutex_init(&c->project_lock, NULL);
	atomic_init(&c->skew_seconds, 0);
	c->log = o->log;
	c->log_payload = o->log_payload;
	c->platform = o->platform;
	c->request_id_header = "x-amzn-requestid";
	if (o->platform == BEDROCK_PLATFORM_BEDROCK)
		rc = aws_setup(c, &cfg, o, err);
	else if (o->platform == BEDROCK_PLATFORM_ANTHROPIC)
		rc = bedrock__anthropic_setup(c, o, err);
	else if (o->platform == BEDROCK_PLATFORM_VERTEX)
		rc = bedrock__vertex_setup(c, o, err);
	else
		rc = bedrock__err(err, BEDROCK_EINVAL, "unknown platform %d", (int)o->platform);
	if (rc)
		goto fail;
	v = o->ca_bundle ? o->ca_bundle : bedrock__env("AWS_CA_BUNDLE");
	if (v && !(c->ca_bundle = bedrock__strdup(v)))
		goto oom;
	snprintf(ua, sizeof(ua), "libbedrock/%s lang/c%s%s", BEDROCK_VERSION,
		 o->user_agent_suffix ? " " : "", o->user_agent_suffix ? o->user_agent_suffix : "");
	if (!(c->user_agent = bedrock__strdup(ua)))
		goto oom;
	rc = resolve_proxies(c, o, err);
	if (rc)
		goto fail;
	c->connect_timeout_ms = o->connect_timeout_ms > 0 ? o->connect_timeout_ms : 10000;
	c->idle_timeout_ms = o->idle_timeout_ms > 0 ? o->idle_timeout_ms : 300000;
	c->total_timeout_ms = o->total_timeout_ms > 0 ? o->total_timeout_ms : 0;
	c->deadline_ms = o->deadline_ms > 0 ? o->deadline_ms : 0;
	ro.mode = o->retry_mode;
	ro.max_attempts = o->max_attempts;
	/* The AWS settings (AWS_MAX_ATTEMPTS, retry_mode) are Bedrock's. */
	if (c->platform == BEDROCK_PLATFORM_BEDROCK)
		rc = bedrock_retry_options_from_config(&ro, cfg, err);
	else if (ro.mode == BEDROCK_RETRY_MODE_DEFAULT)
		ro.mode = BEDROCK_RETRY_STANDARD;
	if (!rc)
		rc = bedrock_retry_new(&c->retry, &ro);
	if (rc) {
		if (err && !err->message[0])
			bedrock__err(err, rc, "out of memory");
		goto fail;
	}
	c->max_attempts = bedrock_retry_get_max_attempts(c->retry);
	bedrock_config_free(cfg);
	log_proxies(c);
	*out = c;
	return 0;
oom:
	rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
fail:
	bedrock_config_free(cfg);
	bedrock_client_free(c);
	return rc;
}

static void free_secret(char *s)
{
	if (s)
		bedrock__wipe(s, strlen(s));
	bedrock__free(s);
}

void bedrock_client_free(bedrock_client *c)
{
	size_t i;

	if (!c)
		return;
	for (i = 0; i < c->pool_count; i++) {
		curl_easy_cleanup(c->pool[i].easy);
		curl_multi_cleanup(c->pool[i].multi);
		bedrock_sigv4_result_free(c->pool[i].sig);
		bedrock__buf_dispose(&c->pool[i].rx[0]);
		bedrock__buf_dispose(&c->pool[i].rx[1]);
	}
	pthread_mutex_destroy(&c->pool_lock);
	pthread_mutex_destroy(&c->project_lock);
	bedrock__vertex_free(c);
	bedrock_auth_free(c->auth);
	bedrock_retry_free(c->retry);
	bedrock_sigv4_signer_free(c->signer);
	bedrock__free(c->region);
	free_secret(c->api_key);
	free_secret(c->auth_token);
	bedrock__free(c->endpoint);
	bedrock__free(c->control_endpoint);
	bedrock__free(c->endpoint_path);
	bedrock__free(c->control_endpoint_path);
	bedrock__free(c->ca_bundle);
	bedrock__free(c->user_agent);
	bedrock__free(c->proxy);
	bedrock__free(c->control_proxy);
	bedrock__free(c);
}

const char *bedrock_client_region(const bedrock_client *c) { return c->region ? c->region : ""; }
bedrock_platform bedrock_client_platform(const bedrock_client *c) { return c->platform; }

int bedrock__client_bedrock_only(const bedrock_client *c, const char *what, bedrock_error_info *err)
{
	if (c->platform == BEDROCK_PLATFORM_BEDROCK)
		return 0;
	return bedrock__err(err, BEDROCK_ENOTSUP, "%s is a Bedrock operation: not on the %s platform",
			    what, bedrock_platform_name(c->platform));
}
const char *bedrock_client_endpoint(const bedrock_client *c) { return c->endpoint; }
unsigned bedrock_client_max_attempts(const bedrock_client *c) { return c ? c->max_attempts : 0; }

/* ---- cancellation ---- */

int bedrock_cancel_new(bedrock_cancel **out)
{
	if (!out)
		return BEDROCK_EINVAL;
	*out = bedrock__calloc(1, sizeof(**out));
	if (!*out)
		return BEDROCK_ENOMEM;
	atomic_init(&(*out)->flag, 0);
	return 0;
}

void bedrock_cancel_trigger(bedrock_cancel *t)
{
	/* Nothing but a lock-free store: safe in a signal handler. */
	if (t)
		atomic_store_explicit(&t->flag, 1, memory_order_relaxed);
}

int bedrock_cancel_requested(const bedrock_cancel *t)
{
	return bedrock__cancelled(t);
}

void bedrock_cancel_reset(bedrock_cancel *t)
{
	if (t)
		atomic_store_explicit(&t->flag, 0, memory_order_relaxed);
}

void bedrock_cancel_free(bedrock_cancel *t)
{
	bedrock__free(t);
}

/* ---- the request loop ---- */

/* Runs one transfer on conn's multi handle until it ends or the call is
 * cancelled (*cancelled set), waking every BEDROCK__CANCEL_SLICE_MS to look
 * at the token: the same machinery as curl_easy_perform, with a way out. */
static CURLcode run(const bedrock__conn *conn, const bedrock_cancel *cancel, int *cancelled)
{
	CURLcode cc = CURLE_OK;
	int done = 0;

	*cancelled = 0;
	if (curl_multi_add_handle(conn->multi, conn->easy) != CURLM_OK)
		return CURLE_OUT_OF_MEMORY;
	while (!done) {
		int running = 0, left;
		CURLMsg *m;

		if (curl_multi_perform(conn->multi, &running) != CURLM_OK) {
			cc = CURLE_SEND_ERROR;
			break;
		}
		while ((m = curl_multi_info_read(conn->multi, &left)) != NULL)
			if (m->msg == CURLMSG_DONE) {
				cc = m->data.result;
				done = 1;
			}
		if (done)
			break;
		if (bedrock__cancelled(cancel)) {
			*cancelled = 1;
			break;
		}
		curl_multi_poll(conn->multi, NULL, 0, BEDROCK__CANCEL_SLICE_MS, NULL);
	}
	/* Removing an unfinished transfer closes its connection. */
	curl_multi_remove_handle(conn->multi, conn->easy);
	return cc;
}

/* One attempt of a call whose answer is read whole into memory. */
typedef struct perform_ctx {
	bedrock_client *c;
	const bedrock__call *call;
	bedrock_response *r;
	const char *url;
	long long end;
} perform_ctx;

static int perform_attempt(void *p, bedrock__attempt *a, bedrock_error_info *err)
{
	perform_ctx *x = p;
	bedrock_client *c = x->c;
	const bedrock__call *call = x->call;
	bedrock_response *r = x->r;
	struct curl_slist *list = NULL;
	char errbuf[CURL_ERROR_SIZE] = "";
	bedrock__conn conn;
	CURLcode cc;
	long status = 0;
	int rc, cancelled;

	r->attempts = a->number;
	if (bedrock__client_conn(&conn, c, call->endpoint))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	rc = bedrock__transfer_setup(&list, conn.easy, c, call, x->url, r, errbuf, x->end,
				     &conn.sig, err);
	if (rc) {
		bedrock__client_release_conn(c, &conn);
		return rc;
	}
	a->sent = 1;
	cc = run(&conn, BEDROCK__CALL_CANCEL(call), &cancelled);
	curl_easy_getinfo(conn.easy, CURLINFO_RESPONSE_CODE, &status);
	/* The error buffer is ours: libcurl must not keep pointing at it. */
	curl_easy_setopt(conn.easy, CURLOPT_ERRORBUFFER, NULL);
	bedrock__client_release_conn(c, &conn);
	curl_slist_free_all(list);
	if (cancelled)
		return bedrock__client_cancelled(err, "the call");
	a->status = cc == CURLE_OK ? status : 0;
	a->curl_code = (int)cc;
	a->headers = &r->headers;
	return bedrock__transfer_end(r, c, call->endpoint, x->url, (int)cc, status, errbuf, x->end,
				     err);
}

int bedrock__client_perform(bedrock_response **out, bedrock_client *c, const bedrock__call *call,
			    bedrock_error_info *err)
{
	char url[4096];
	perform_ctx x = { c, call, NULL, url, bedrock__client_call_end(c) };
	int rc;

	*out = NULL;
	x.r = bedrock__calloc(1, sizeof(*x.r));
	if (!x.r)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	bedrock__transfer_url(url, sizeof(url), call);
	rc = bedrock__client_attempts(c, call, "the call", x.end, perform_attempt, &x, err);
	if (rc) {
		bedrock_response_free(x.r);
		return rc;
	}
	*out = x.r;
	return 0;
}

/* "/model/<encoded id><op>" */
static int model_path(char *out, size_t cap, const char *model_id, const char *op,
		      bedrock_error_info *err)
{
	char label[2100 * 3];
	size_t n;

	if (!model_id || !*model_id || strlen(model_id) > 2048)
		return bedrock__err(err, BEDROCK_EINVAL, "a model id (1 to 2048 characters) is required");
	if (bedrock_sigv4_uri_encode(label, sizeof(label), &n, model_id, strlen(model_id)))
		return bedrock__err(err, BEDROCK_EINVAL, "the model id cannot be encoded");
	if ((size_t)snprintf(out, cap, "/model/%s%s", label, op) >= cap)
		return bedrock__err(err, BEDROCK_EINVAL, "the model id is too long");
	return 0;
}

int bedrock__client_send(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
			 const bedrock__call *call, bedrock_error_info *err)
{
	return in ? bedrock__call_start(in, c, call, err) : bedrock__client_perform(out, c, call, err);
}

int bedrock__runtime_call(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
			  const char *model_id, const char *op, const void *body, size_t len,
			  const bedrock_request_options *o, bedrock_error_info *err)
{
	char path[8192];
	bedrock__call call = { "POST", c ? c->endpoint : NULL, path, NULL, body, len,
			       "application/json", o, 0, NULL };
	int rc;

	if (out)
		*out = NULL;
	if ((!out && !in) || !c || (!body && len))
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	if ((rc = bedrock__client_bedrock_only(c, !strcmp(op, "/invoke") ? "InvokeModel"
						   : !strcmp(op, "/converse") ? "Converse" : "CountTokens",
						   err)) != 0)
		return rc;
	rc = model_path(path, sizeof(path), model_id, op, err);
	return rc ? rc : bedrock__client_send(out, in, c, &call, err);
}

int bedrock_invoke_model(bedrock_response **out, bedrock_client *c, const char *model_id,
			 const void *body, size_t len, const bedrock_request_options *o,
			 bedrock_error_info *err)
{
	return bedrock__runtime_call(out, NULL, c, model_id, "/invoke", body, len, o, err);
}

int bedrock_converse(bedrock_response **out, bedrock_client *c, const char *model_id,
		     const void *body, size_t len, const bedrock_request_options *o,
		     bedrock_error_info *err)
{
	return bedrock__runtime_call(out, NULL, c, model_id, "/converse", body, len, o, err);
}

int bedrock_count_tokens(bedrock_response **out, bedrock_client *c, const char *model_id,
			 const void *body, size_t len, const bedrock_request_options *o,
			 bedrock_error_info *err)
{
	return bedrock__runtime_call(out, NULL, c, model_id, "/count-tokens", body, len, o, err);
}

int bedrock_multi_converse(bedrock_call **out, bedrock_multi *m, bedrock_client *c,
			   const char *model_id, const void *body, size_t len,
			   const bedrock_request_options *o, bedrock_call_done_fn done, void *arg,
			   bedrock_error_info *err)
{
	bedrock__in_multi in;
	int rc = bedrock__in_multi_init(&in, out, m, done, arg, err);

	return rc ? rc : bedrock__runtime_call(NULL, &in, c, model_id, "/converse", body, len, o,
					       err);
}

int bedrock_multi_count_tokens(bedrock_call **out, bedrock_multi *m, bedrock_client *c,
			       const char *model_id, const void *body, size_t len,
			       const bedrock_request_options *o, bedrock_call_done_fn done,
			       void *arg, bedrock_error_info *err)
{
	bedrock__in_multi in;
	int rc = bedrock__in_multi_init(&in, out, m, done, arg, err);

	return rc ? rc : bedrock__runtime_call(NULL, &in, c, model_id, "/count-tokens", body, len,
					       o, err);
}

/* bedrock_control_request, performed now (in NULL) or started in a multi. */
static int control_send(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
			const char *method, const char *path_and_query, const void *body,
			size_t len, bedrock_error_info *err)
{
	char path[4096];
	const char *q;
	bedrock__call call = { method, NULL, path, NULL, body, len, "application/json", NULL, 0,
			       NULL };

	if (out)
		*out = NULL;
	if ((!out && !in) || !c || !method || !path_and_query || path_and_query[0] != '/' ||
	    strpbrk(path_and_query, "\r\n #") || strlen(path_and_query) >= sizeof(path))
		return bedrock__err(err, BEDROCK_EINVAL, "a method and a path starting with / are required");
	/* Off Bedrock, the platform's own API paths ("/v1/models" on the API,
	 * "/v1beta1/projects/...:fetchPublisherModelConfig" on Vertex);
	 * Bedrock's control plane is not there. */
	if (c->platform != BEDROCK_PLATFORM_BEDROCK && strncmp(path_and_query, "/v1/", 4) &&
	    !(c->platform == BEDROCK_PLATFORM_VERTEX && !strncmp(path_and_query, "/v1beta1/", 9)))
		return bedrock__client_bedrock_only(c, "the control plane", err);
	call.endpoint = c->control_endpoint;
	q = strchr(path_and_query, '?');
	snprintf(path, sizeof(path), "%.*s", (int)(q ? (size_t)(q - path_and_query) : strlen(path_and_query)),
		 path_and_query);
	call.query = q ? q + 1 : NULL;
	return bedrock__client_send(out, in, c, &call, err);
}

int bedrock_control_request(bedrock_response **out, bedrock_client *c, const char *method,
			    const char *path_and_query, const void *body, size_t len,
			    bedrock_error_info *err)
{
	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "a method and a path starting with / are required");
	return control_send(out, NULL, c, method, path_and_query, body, len, err);
}

int bedrock_multi_control_request(bedrock_call **out, bedrock_multi *m, bedrock_client *c,
				  const char *method, const char *path_and_query, const void *body,
				  size_t len, bedrock_call_done_fn done, void *arg,
				  bedrock_error_info *err)
{
	bedrock__in_multi in;
	int rc = bedrock__in_multi_init(&in, out, m, done, arg, err);

	return rc ? rc : control_send(NULL, &in, c, method, path_and_query, body, len, err);
}
