/* Internals shared by client.c, client_http.c and client_stream.c. */
#ifndef BEDROCK_CLIENT_PRIVATE_H
#define BEDROCK_CLIENT_PRIVATE_H

#include <pthread.h>
#include <stdatomic.h>

#include <curl/curl.h>

#include "bedrock/auth.h"
#include "bedrock/client.h"
#include "bedrock/sigv4.h"
#include "buf.h"
#include "http.h"

#define BEDROCK__POOL_MAX 16
/* The largest receive buffer a pooled transfer keeps for its next stream;
 * a bigger one (a burst that outran the reader) is freed. */
#define BEDROCK__RX_KEEP (256 * 1024)

/* How long a waiting transfer sleeps in poll() before it looks at its
 * cancel flags again. A signal interrupts poll() at once; a cancel from
 * another thread waits at most this long. */
#define BEDROCK__CANCEL_SLICE_MS 100

/* struct bedrock_cancel and bedrock__cancelled() live in http.h: the
 * credential providers below this layer stop on the same token. */

/* A pooled transfer: an easy handle and the multi handle that drives it.
 * The multi handle owns the connection cache, so the pair keeps its
 * kept-alive connections from one call (or stream) to the next. */
typedef struct bedrock__conn {
	CURL *easy;
	CURLM *multi;
	/* Signing work space (made on first use), reused so that signing a
	 * request allocates nothing: like the transfer, one thread at a time. */
	bedrock_sigv4_result *sig;
	/* A stream's two receive buffers (bytes arrived, bytes being decoded),
	 * kept empty for the next stream: grown once per transfer rather than
	 * once per stream, and with them the page faults and heap trims. */
	bedrock_buf rx[2];
} bedrock__conn;

struct bedrock_client {
	bedrock_platform platform;
	/* Anthropic API: the key (x-api-key) or the OAuth token (Bearer), one
	 * of them; wiped before being freed. */
	char *api_key, *auth_token;
	const char *api_key_source;	/* "ANTHROPIC_API_KEY", "the options", ... */
	/* Vertex AI: the token provider, the project (resolved at the first
	 * call when only the credentials name it) and where it came from. */
	struct bedrock_google_provider *google;
	char *project;
	const char *project_source;
	pthread_mutex_t project_lock;
	/* The header that names a request: x-amzn-requestid, request-id. */
	const char *request_id_header;
	char *region;
	char *endpoint;		/* runtime, no trailing slash */
	char *control_endpoint;
	/* The path of each endpoint URL ("" for none): every request path is
	 * sent after it, so it is signed with it. */
	char *endpoint_path, *control_endpoint_path;
	char *ca_bundle;
	char *user_agent;
	bedrock_auth *auth;
	bedrock_sigv4_signer *signer;
	long connect_timeout_ms, idle_timeout_ms, total_timeout_ms;
	long deadline_ms;		/* the whole call's limit, 0 = none */
	unsigned max_attempts;
	bedrock_retry *retry;		/* quota and rate limiter, shared by threads */
	void (*log)(bedrock_log_level, const char *, void *);
	void *log_payload;
	atomic_llong skew_seconds;	/* server clock minus ours, from a skew error */
	pthread_mutex_t pool_lock;
	bedrock__conn pool[BEDROCK__POOL_MAX];	/* idle transfers: each keeps its connections */
	size_t pool_count;
	/* The proxy of each endpoint (NULL: direct), and where it came from. */
	char *proxy, *control_proxy;
	const char *proxy_source, *control_proxy_source;
	/* Unique for the process's life: what a kept easy handle was set up
	 * for (client_call.c), never mistaken for a later client at the same
	 * address. */
	unsigned long long serial;
};

/* What one HTTP exchange needs. */
typedef struct bedrock__call {
	const char *method;
	const char *endpoint;		/* client->endpoint or ->control_endpoint */
	const char *path;		/* encoded path */
	const char *query;		/* raw, or NULL */
	const void *body;
	size_t body_len;
	const char *accept;
	const bedrock_request_options *options;
	int stream_accept;		/* invoke-with-response-stream: X-Amzn-Bedrock-Accept */
	const char *betas;		/* Anthropic API: the anthropic-beta value, or NULL */
} bedrock__call;

/* The call's cancel token, if any. */
#define BEDROCK__CALL_CANCEL(call) ((call)->options ? (call)->options->cancel : NULL)

struct bedrock_response {
	int status;
	unsigned attempts;
	bedrock_buf body;
	bedrock_buf headers;	/* "name: value\n", names lower-cased */
	char request_id[64];
	char header_value[512];
};

/* BEDROCK_ENOTSUP unless c is on Bedrock: "<what> is a Bedrock operation". */
int bedrock__client_bedrock_only(const bedrock_client *c, const char *what, bedrock_error_info *err);

/* A complete exchange with retries (the Messages calls of every platform,
 * and the Bedrock operations). */
int bedrock__client_perform(bedrock_response **out, bedrock_client *c, const bedrock__call *call,
			    bedrock_error_info *err);
/* Opens a stream for call (POST to c->endpoint), retried until its first
 * event; sse: the answer is Server-Sent Events (BEDROCK__SSE_RAW: every
 * event relayed as it came, ping and unknown names too), else (0) an event
 * stream. */
#define BEDROCK__SSE_RAW 2
int bedrock__client_open_stream(bedrock_stream **out, bedrock_client *c, const bedrock__call *call,
				int sse, bedrock_error_info *err);

/* The path of a Messages call off Bedrock (client_messages.c): the
 * Anthropic API's own ("count-tokens" as model: /v1/messages/count_tokens),
 * or the model's method on Vertex ("count-tokens" is a model name there). */
int bedrock__messages_path(char *out, size_t cap, bedrock_client *c, const char *model,
			   const char *method, const bedrock_request_options *o,
			   bedrock_error_info *err);
/* Bedrock CountTokens' body around an InvokeModel body (base64, as rest-json
 * carries blobs): 0 with *out (bedrock__free; *out_len if not NULL), or
 * BEDROCK_ENOMEM. */
int bedrock__count_tokens_wrap(char **out, size_t *out_len, const void *body, size_t len);

/* Appends "name: value"; 0 or -1 (out of memory, or too long). */
int bedrock__header_append(struct curl_slist **list, const char *name, const char *value);

/* ---- the Anthropic API (client_anthropic.c) ---- */
/* Base URL and credentials from the options or ANTHROPIC_*. */
int bedrock__anthropic_setup(bedrock_client *c, const bedrock_client_options *o,
			     bedrock_error_info *err);
/* The API's headers: x-api-key or Bearer, anthropic-version, -beta. */
int bedrock__anthropic_headers(struct curl_slist **list, bedrock_client *c,
			       const bedrock__call *call, bedrock_error_info *err);
/* Where the key came from ("ANTHROPIC_API_KEY", ...), NULL if none. */
const char *bedrock__anthropic_credential_source(const bedrock_client *c);
/* ---- Vertex AI (client_vertex.c) ---- */
/* Location, base URL, project and Google credentials from the options or
 * CLOUD_ML_REGION, ANTHROPIC_VERTEX_*, GOOGLE_CLOUD_PROJECT. */
int bedrock__vertex_setup(bedrock_client *c, const bedrock_client_options *o,
			  bedrock_error_info *err);
/* The path of a model's method ("rawPredict", "streamRawPredict") on c's
 * project and location, resolving the project from the credentials the
 * first time if nothing else named it. */
int bedrock__vertex_path(char *out, size_t cap, bedrock_client *c, const char *model,
			 const char *method, const bedrock_cancel *cancel, bedrock_error_info *err);
/* After a 401: forgets the cached token so the next attempt fetches a new
 * one; 1 if that is worth an attempt (Vertex with a refreshable token). */
int bedrock__vertex_reauth(bedrock_client *c);
void bedrock__vertex_free(bedrock_client *c);
/* Vertex's headers: a Google bearer token, x-goog-user-project, -beta. */
int bedrock__vertex_headers(struct curl_slist **list, bedrock_client *c, const bedrock__call *call,
			    bedrock_error_info *err);


/* One attempt's headers on c's platform: Bedrock's (signed), or the
 * Anthropic API's (x-api-key or Bearer, anthropic-version, -beta). */
/* Vertex: the project and a fresh access token, now (client_vertex.c). */
int bedrock__vertex_prepare(bedrock_client *c, bedrock_error_info *err);
int bedrock__client_request_headers(struct curl_slist **list, bedrock_client *c,
				    const bedrock__call *call, bedrock_sigv4_result **sig,
				    bedrock_error_info *err);

/* Checks an endpoint URL (what names it in messages: "endpoint") with
 * libcurl's parser; *url is it rebuilt without a trailing slash, *path its
 * path without one. 0, BEDROCK_ECONFIG saying what is wrong without
 * quoting the URL (it may hold a password), or BEDROCK_ENOMEM. */
int bedrock__endpoint_parse(char **url, char **path, const char *what, const char *in,
			    bedrock_error_info *err);
/* Builds Bedrock's signed header list for one attempt; *list owned by caller.
 * sig: work space to sign in (NULL: a temporary one). */
int bedrock__client_headers(struct curl_slist **list, bedrock_client *c, const bedrock__call *call,
			    bedrock_sigv4_result **sig, bedrock_error_info *err);
/* A transfer from the pool, its easy handle reset and configured for c
 * and endpoint; 0, or BEDROCK_ENOMEM. And back (the easy handle must have
 * left the multi handle). */
int bedrock__client_conn(bedrock__conn *out, bedrock_client *c, const char *endpoint);
void bedrock__client_release_conn(bedrock_client *c, bedrock__conn *conn);
/* The options every transfer of c to endpoint gets (timeouts, TLS, HTTP
 * version, proxy). */
void bedrock__client_easy_defaults(bedrock_client *c, CURL *e, const char *endpoint);
/* c's idle timeout as libcurl's low-speed limit, for a transfer in a
 * bedrock_multi, which nobody pumps with a deadline in hand. */
void bedrock__client_easy_idle(bedrock_client *c, CURL *e);
/* The proxy requests to endpoint go through (NULL: direct). */
const char *bedrock__client_proxy(const bedrock_client *c, const char *endpoint,
				  const char **source);
/* A transport failure as a typed error naming the URL, or the proxy when
 * the failure was reaching it. Retryable. */
int bedrock__client_transport_error(bedrock_error_info *err, bedrock_client *c, const char *endpoint,
				    const char *url, int curl_code, const char *detail);
/* Monotonic milliseconds, for timeouts and deadlines. */
long long bedrock__now_ms(void);
/* When a call begun now must end (c's deadline_ms), or 0 for never. */
long long bedrock__client_call_end(const bedrock_client *c);
/* Fills err for a call whose deadline passed; returns BEDROCK_ETIMEOUT. */
int bedrock__client_deadline_error(bedrock_error_info *err, const bedrock_client *c);
/* "3 s" or "1500 ms", for messages about timeouts. */
void bedrock__duration(char *out, size_t cap, long ms);
/* Sleeps ms in slices, returning early (1) if cancel is triggered. */
int bedrock__client_sleep(uint64_t ms, const bedrock_cancel *cancel);
/* Fills err for a cancelled call; returns BEDROCK_ECANCELED. */
int bedrock__client_cancelled(bedrock_error_info *err, const char *what);
/* Fills err from an HTTP error response (Bedrock's shapes, or the
 * Anthropic API's {"type":"error","error":{...}}); returns the bedrock_error. */
int bedrock__client_http_error(bedrock_error_info *err, const bedrock_client *c, int status,
			       const bedrock_buf *headers, const char *body, size_t len);
/* After a failed attempt: 1 if another attempt should follow (having
 * slept the policy's delay), else 0. *cost tracks the quota to refund.
 * No retry whose back-off would end at or past end_ms (0: no deadline). */
int bedrock__client_should_retry(bedrock_client *c, unsigned attempt, int rc,
				 const bedrock_error_info *err, int curl_code,
				 const bedrock_buf *headers, unsigned *cost,
				 const bedrock_cancel *cancel, long long end_ms);
/* Before each send (adaptive mode may make it wait), and after each answer. */
void bedrock__client_before_send(bedrock_client *c, const bedrock_cancel *cancel);
void bedrock__client_after_answer(bedrock_client *c, int throttled);
void bedrock__client_log(bedrock_client *c, bedrock_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* If err is a clock-skew refusal, records the server's clock from Date
 * and returns 1 (the caller re-signs and retries once). */
int bedrock__client_skew(bedrock_client *c, const bedrock_error_info *err, const bedrock_buf *headers);

/* ---- one whole answer's transfer (client_transfer.c) ---- */
/* The blocking call's attempt (client.c) and a looped multi's call
 * (client_call.c) set their easy handle up and read its end through these,
 * so the two send the same request and report the same errors. */

/* call's URL (endpoint, path, "?" and query if any) into out, cut to cap;
 * returns the length it needs, without the NUL (as snprintf). */
size_t bedrock__transfer_url(char *out, size_t cap, const bedrock__call *call);
/* Sets e up for one attempt of call to url, its answer read into r (body
 * and headers emptied first): the headers, signed afresh (a new date,
 * fresh credentials; *sig the work space, as for bedrock__client_headers),
 * the method and body (lent: it must outlive the transfer), the write and
 * header callbacks, errbuf (CURL_ERROR_SIZE bytes, lent too) and the
 * attempt's limit: c's total_timeout_ms, or what is left before end_ms
 * (0: no deadline) if that is less. *list is the header list, the
 * caller's to free once the transfer has left its multi handle. 0, or the
 * error with err filled (nothing to free then). */
int bedrock__transfer_setup(struct curl_slist **list, CURL *e, bedrock_client *c,
			    const bedrock__call *call, const char *url, bedrock_response *r,
			    char *errbuf, long long end_ms, bedrock_sigv4_result **sig,
			    bedrock_error_info *err);
/* What a finished transfer of call (cc, the answer's status, errbuf) means:
 * r's status and request id set, then 0; the deadline's BEDROCK_ETIMEOUT
 * (libcurl's timeout at or past end_ms); BEDROCK_ENOMEM; a transport
 * error naming url (or the proxy); or the HTTP error of a status >= 300. */
int bedrock__transfer_end(bedrock_response *r, bedrock_client *c, const char *endpoint,
			  const char *url, int cc, long status, const char *errbuf,
			  long long end_ms, bedrock_error_info *err);

/* ---- whole calls: now, or in a looped bedrock_multi ---- */
/* Where a whole call goes when not performed at once (with retries): its
 * looped multi, the caller's handle for it and who to tell at its end. */
typedef struct bedrock__in_multi {
	bedrock_call **out;
	bedrock_multi *multi;
	bedrock_call_done_fn done;
	void *arg;
} bedrock__in_multi;

/* Fills in for a call started in m, clearing *out: 0, or BEDROCK_EINVAL
 * (no out, no multi, or a multi not in an event loop). client_call.c. */
int bedrock__in_multi_init(bedrock__in_multi *in, bedrock_call **out, bedrock_multi *m,
			   bedrock_call_done_fn done, void *arg, bedrock_error_info *err);
/* Starts call in in's multi: 0 with *in->out, or the error, nothing sent.
 * client_call.c. */
int bedrock__call_start(const bedrock__in_multi *in, bedrock_client *c, const bedrock__call *call,
			bedrock_error_info *err);
/* Performs call (in NULL: at once, with retries, the answer in *out), or
 * starts it in in's multi. client.c. */
int bedrock__client_send(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
			 const bedrock__call *call, bedrock_error_info *err);
/* A Bedrock runtime operation of model_id (op "/invoke", "/converse",
 * "/count-tokens"), sent by bedrock__client_send. client.c. */
int bedrock__runtime_call(bedrock_response **out, const bedrock__in_multi *in, bedrock_client *c,
			  const char *model_id, const char *op, const void *body, size_t len,
			  const bedrock_request_options *o, bedrock_error_info *err);

/* ---- the attempt loop (client_attempt.c) ---- */
/* What one attempt reports back to the loop. */
typedef struct bedrock__attempt {
	unsigned number;		/* 1, 2, ...: set by the loop */
	long status;			/* the HTTP status, 0 if no answer came */
	int curl_code;			/* the transfer's CURLcode */
	int sent;			/* the request left (an unsent one is not logged) */
	const bedrock_buf *headers;	/* the answer's headers, or NULL */
} bedrock__attempt;

/* One attempt of call: 0, or a code with err filled. */
typedef int (*bedrock__attempt_fn)(void *ctx, bedrock__attempt *a, bedrock_error_info *err);

/* Runs fn until it succeeds, or fails in a way not to retry, or the call is
 * cancelled ("<what> was cancelled") or passes end_ms (0: no deadline). */
int bedrock__client_attempts(bedrock_client *c, const bedrock__call *call, const char *what,
			     long long end_ms, bedrock__attempt_fn fn, void *ctx,
			     bedrock_error_info *err);

#endif
