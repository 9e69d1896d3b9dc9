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

struct bedrock_client {
	char *region;
	char *endpoint;		/* runtime, no trailing slash */
	char *control_endpoint;
	char *ca_bundle;
	char *user_agent;
	bedrock_auth *auth;
	bedrock_sigv4_signer *signer;
	long connect_timeout_ms, idle_timeout_ms, total_timeout_ms;
	unsigned max_attempts;
	bedrock_retry *retry;		/* quota and rate limiter, shared by threads */
	void (*log)(bedrock_log_level, const char *, void *);
	void *log_payload;
	atomic_llong skew_seconds;	/* server clock minus ours, from a skew error */
	pthread_mutex_t pool_lock;
	CURL *pool[BEDROCK__POOL_MAX];	/* idle easy handles: each keeps its connections */
	size_t pool_count;
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
} bedrock__call;

struct bedrock_response {
	int status;
	unsigned attempts;
	bedrock_buf body;
	bedrock_buf headers;	/* "name: value\n", names lower-cased */
	char request_id[64];
	char header_value[512];
};

/* Builds the signed header list for one attempt; *list owned by caller. */
int bedrock__client_headers(struct curl_slist **list, bedrock_client *c, const bedrock__call *call,
			    bedrock_error_info *err);
/* Easy handle from the pool (configured for c), and back. */
CURL *bedrock__client_easy(bedrock_client *c);
void bedrock__client_release_easy(bedrock_client *c, CURL *e);
/* The options every transfer of c gets (timeouts, TLS, HTTP version). */
void bedrock__client_easy_defaults(bedrock_client *c, CURL *e);
/* Fills err from an HTTP error response; returns the bedrock_error. */
int bedrock__client_http_error(bedrock_error_info *err, int status, const bedrock_buf *headers,
			       const char *body, size_t len);
/* After a failed attempt: 1 if another attempt should follow (having
 * slept the policy's delay), else 0. *cost tracks the quota to refund. */
int bedrock__client_should_retry(bedrock_client *c, unsigned attempt, int rc,
				 const bedrock_error_info *err, int curl_code,
				 const bedrock_buf *headers, unsigned *cost);
/* Before each send (adaptive mode may make it wait), and after each answer. */
void bedrock__client_before_send(bedrock_client *c);
void bedrock__client_after_answer(bedrock_client *c, int throttled);
void bedrock__client_log(bedrock_client *c, bedrock_log_level level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* If err is a clock-skew refusal, records the server's clock from Date
 * and returns 1 (the caller re-signs and retries once). */
int bedrock__client_skew(bedrock_client *c, const bedrock_error_info *err, const bedrock_buf *headers);

#endif
