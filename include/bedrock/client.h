/*
 * libbedrock - Claude on Amazon Bedrock, from C.
 * Copyright 2026 The libbedrock authors. SPDX-License-Identifier: Apache-2.0
 *
 * The Bedrock client: the runtime operations (InvokeModel and its stream,
 * Converse and its stream, CountTokens) and the control-plane reads, over
 * libcurl, signed with SigV4 or a Bedrock API key, with retries.
 *
 * Thread safety: one client may be shared by any number of threads. Error
 * detail is returned per call (bedrock_error_info), never kept in the
 * client. A response or a stream belongs to the thread that made it;
 * bedrock_stream_cancel() and bedrock_cancel_trigger() are the exceptions:
 * any thread, or a signal handler, may call them. The client must outlive
 * its streams.
 */
#ifndef BEDROCK_CLIENT_H
#define BEDROCK_CLIENT_H

#include <stddef.h>
#include <stdint.h>

#include "credentials.h"
#include "errors.h"
#include "eventstream.h"
#include "messages.h"
#include "platform.h"
#include "retry.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct bedrock_client bedrock_client;

/** A response stream: a pull iterator over Bedrock events. */
typedef struct bedrock_stream bedrock_stream;

/* 2 added deadline_ms; 3 the platform, api_key and auth_token. Structs of
 * the earlier versions (which end before those) are still accepted. */
#define BEDROCK_CLIENT_OPTIONS_VERSION 4

/** Log levels passed to the log callback. */
typedef enum bedrock_log_level {
	BEDROCK_LOG_ERROR = 0,
	BEDROCK_LOG_WARN = 1,
	BEDROCK_LOG_INFO = 2,
	BEDROCK_LOG_DEBUG = 3
} bedrock_log_level;

typedef struct bedrock_client_options {
	/** (Required) BEDROCK_CLIENT_OPTIONS_VERSION. */
	unsigned int version;
	/** (Optional) Region; default: AWS_REGION, AWS_DEFAULT_REGION, the profile's. */
	const char *region;
	/** (Optional) Profile; default AWS_PROFILE, then "default". */
	const char *profile;
	/** (Optional) A credentials provider (a reference is taken). */
	bedrock_creds_provider *credentials;
	/** (Optional) Explicit keys (both or neither) and token. */
	const char *access_key_id;
	const char *secret_access_key;
	const char *session_token;
	/** (Optional) A Bedrock API key; AWS_BEARER_TOKEN_BEDROCK also works. */
	const char *bearer_token;
	/**
	 * (Optional) Runtime endpoint, e.g. "http://127.0.0.1:4567" for
	 * `bedrock emulate`; default AWS_ENDPOINT_URL_BEDROCK_RUNTIME & co.,
	 * else https://bedrock-runtime.REGION.amazonaws.com. A path in it (a
	 * gateway's prefix) comes before every request path and is signed
	 * with it. A URL with a query, a fragment, a user name or password, a
	 * port outside 1-65535 or white space is refused (BEDROCK_ECONFIG).
	 */
	const char *endpoint_url;
	/** (Optional) Control-plane endpoint; default: endpoint_url if set, else
	 *  AWS_ENDPOINT_URL_BEDROCK & co., else https://bedrock.REGION.amazonaws.com. */
	const char *control_endpoint_url;
	/** (Optional) FIPS and dual-stack endpoints (not with a custom endpoint). */
	int use_fips;
	int use_dualstack;
	/** (Optional) Connect timeout, ms; default 10,000. */
	long connect_timeout_ms;
	/**
	 * (Optional) Longest silence on a stream, ms, per attempt: waiting
	 * for its answer, then between two events; default 300,000. A long
	 * generation never hits it as long as tokens keep coming (unlike a
	 * total timeout). BEDROCK_ETIMEOUT "nothing arrived ... for N s".
	 */
	long idle_timeout_ms;
	/**
	 * (Optional) Limit of one attempt, ms: a complete call's whole
	 * exchange, or a stream's opening (until its answer's headers; then
	 * idle_timeout_ms governs); default 0 = none. Each retry gets it
	 * afresh: deadline_ms bounds the whole call.
	 */
	long total_timeout_ms;
	/** (Optional) Total attempts including the first; default 3 (or
	 *  AWS_MAX_ATTEMPTS / max_attempts). 1 disables retries. */
	unsigned int max_attempts;
	/** (Optional) CA bundle file; default AWS_CA_BUNDLE. */
	const char *ca_bundle;
	/**
	 * (Optional) Log lines (already redacted: no secret, token or key ever
	 * reaches it). May be called from any thread using the client.
	 */
	void (*log)(bedrock_log_level level, const char *line, void *payload);
	void *log_payload;
	/** (Optional) Appended to the User-Agent (e.g. "myapp/1.2"). */
	const char *user_agent_suffix;
	/** (Optional) Retry mode; default AWS_RETRY_MODE / retry_mode, else standard. */
	bedrock_retry_mode retry_mode;
	/**
	 * (Optional) Proxy URL for Bedrock's requests, e.g.
	 * "http://proxy.example.com:3128" (libcurl's schemes: http, https,
	 * socks5, socks5h; user:password@ allowed and never logged). Default
	 * NULL: the environment, as libcurl and the AWS SDKs read it: for an
	 * https endpoint https_proxy, then HTTPS_PROXY; for an http endpoint
	 * http_proxy, then HTTP_PROXY. "" means no proxy whatever the
	 * environment says. An https endpoint is tunnelled (CONNECT), so TLS
	 * is still verified end to end.
	 */
	const char *proxy;
	/**
	 * (Optional) Hosts reached directly, not through the proxy:
	 * comma-separated host names (an entry also matches its subdomains;
	 * a leading dot is allowed), IP addresses, CIDR ranges
	 * ("10.0.0.0/8", "fd00::/8"), or "*" for every host. Default NULL:
	 * no_proxy, then NO_PROXY; "" bypasses nothing.
	 */
	const char *no_proxy;
	/**
	 * (Optional, version 2) The whole call's limit, ms: every attempt,
	 * every back-off between them and, for a stream, its reading up to
	 * the last event. A call that runs out returns (or its stream's
	 * bedrock_stream_next returns) BEDROCK_ETIMEOUT, "the deadline of N s
	 * passed"; no retry starts whose back-off would end past it. Default
	 * 0 = none.
	 */
	long deadline_ms;
	/**
	 * (Optional, version 3) Where Claude is called: Amazon Bedrock (the
	 * default) or the Anthropic API (BEDROCK_PLATFORM_ANTHROPIC). On the
	 * Anthropic API:
	 * - endpoint_url is the API's base URL: default ANTHROPIC_BASE_URL,
	 *   else https://api.anthropic.com ("/v1/messages" is added to it);
	 * - region, profile, the AWS keys, bearer_token, use_fips and
	 *   use_dualstack are not used, and no AWS file is read;
	 * - the typed calls (bedrock_messages_create, bedrock_messages_stream,
	 *   bedrock_messages_count_tokens) and bedrock_control_request (the
	 *   API's other paths, e.g. "/v1/models") work; the Bedrock operations
	 *   (InvokeModel, Converse, CountTokens and their streams) return
	 *   BEDROCK_ENOTSUP.
	 */
	bedrock_platform platform;
	/**
	 * (Optional, version 3; Anthropic API) An API key, sent as x-api-key;
	 * default ANTHROPIC_API_KEY. Or an OAuth token, sent as
	 * "Authorization: Bearer"; default ANTHROPIC_AUTH_TOKEN. Never both
	 * (BEDROCK_ECONFIG); neither is BEDROCK_EAUTH at the first call. Both
	 * are secrets: never logged, never in an error.
	 */
	const char *api_key;
	const char *auth_token;
	/**
	 * (Optional, version 4; Vertex AI) On BEDROCK_PLATFORM_VERTEX:
	 * - region is the Vertex location ("global", "us", "eu", "us-east5",
	 *   ...): default CLOUD_ML_REGION; none is BEDROCK_ECONFIG naming both;
	 * - project: default ANTHROPIC_VERTEX_PROJECT_ID, GOOGLE_CLOUD_PROJECT,
	 *   GCLOUD_PROJECT, then the credentials' own (a service account's
	 *   project_id, a quota_project_id, the metadata server's project);
	 * - google_credentials: a Google token provider (a reference is
	 *   taken); default: auth_token as a fixed access token if given, else
	 *   Application Default Credentials (bedrock/google.h);
	 * - endpoint_url replaces the scheme, host and port ("/v1" is added
	 *   when it has no path; a path is kept as given); default
	 *   ANTHROPIC_VERTEX_BASE_URL as given, else the location's host.
	 * The typed calls and bedrock_control_request ("/v1/..." and
	 * "/v1beta1/..." paths) work; the Bedrock operations return
	 * BEDROCK_ENOTSUP.
	 */
	const char *project;
	struct bedrock_google_provider *google_credentials;
} bedrock_client_options;

#define BEDROCK_CLIENT_OPTIONS_INIT \
	{ BEDROCK_CLIENT_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, \
	  0, 0, 0, 0, 0, 0, NULL, NULL, NULL, NULL, BEDROCK_RETRY_MODE_DEFAULT, NULL, NULL, 0, \
	  BEDROCK_PLATFORM_BEDROCK, NULL, NULL, NULL, NULL }

/**
 * Makes a client. Resolves the region and the authentication (without
 * fetching credentials: that happens at the first request).
 *
 * @return 0, BEDROCK_ECONFIG (no region, a region that is not a DNS label,
 *         bad endpoint, conflicting credentials), BEDROCK_EINVAL or
 *         BEDROCK_ENOMEM; err says which
 */
int bedrock_client_new(bedrock_client **out, const bedrock_client_options *options,
		       bedrock_error_info *err);

void bedrock_client_free(bedrock_client *client);

/** The region in use (lent); "" off Bedrock. */
const char *bedrock_client_region(const bedrock_client *client);
/** The platform the client calls. */
bedrock_platform bedrock_client_platform(const bedrock_client *client);
/** The runtime endpoint in use, e.g. "https://bedrock-runtime.us-east-1.amazonaws.com"
 *  or "https://api.anthropic.com" (lent). */
const char *bedrock_client_endpoint(const bedrock_client *client);
/**
 * Vertex AI: the Google Cloud project the client calls, and where it came
 * from ("the options", "ANTHROPIC_VERTEX_PROJECT_ID", "GOOGLE_CLOUD_PROJECT",
 * "GCLOUD_PROJECT", "the credentials"; lent). When only the credentials
 * name it, this reads them (a file, or the metadata server).
 *
 * @return 0; BEDROCK_ECONFIG (no project anywhere); BEDROCK_ENOTSUP off
 *         Vertex; BEDROCK_ELIMIT (@p cap too small); the credentials' errors
 */
int bedrock_client_project(char *out, size_t cap, const char **source, bedrock_client *client,
			   bedrock_error_info *err);
/** The attempts a call makes at most, the first included (1: no retry). */
unsigned bedrock_client_max_attempts(const bedrock_client *client);

/**
 * Resolves now, on the calling thread, what the client's next request will
 * need: AWS credentials (SigV4), or the Google access token and project
 * (Vertex). They are cached, and refreshed only near their expiry, so this
 * costs a lock when they are fresh. A server that starts its requests from
 * an event loop (bedrock_multi_use_loop) calls it on its request's own
 * thread first, so that a refresh (an HTTP round trip to IMDS, SSO or
 * Google) never stalls the loop. 0, or the error the request would get.
 */
int bedrock_client_prepare(bedrock_client *client, bedrock_error_info *err);

/* ---- cancellation -------------------------------------------------------- */

/**
 * A cancellation token: give it to a call in bedrock_request_options and
 * trigger it from anywhere to stop that call. Thread-safe.
 */
typedef struct bedrock_cancel bedrock_cancel;

/**
 * Makes a cancellation token, not triggered; bedrock_cancel_free() it.
 *
 * @return 0, BEDROCK_EINVAL (no @p out) or BEDROCK_ENOMEM
 */
int bedrock_cancel_new(bedrock_cancel **out);
/**
 * Asks every call and stream using @p cancel to stop: a blocking call
 * (bedrock_invoke_model, the opening of a stream, a retry's back-off)
 * returns BEDROCK_ECANCELED within about 100 ms, and so does the in-progress
 * or next bedrock_stream_next() of a stream opened with it.
 * Async-signal-safe (one lock-free atomic store): it may be called from a
 * signal handler, or from any thread.
 */
void bedrock_cancel_trigger(bedrock_cancel *cancel);
/** 1 once triggered (and until reset). Async-signal-safe. */
int bedrock_cancel_requested(const bedrock_cancel *cancel);
/** Clears the token so it can serve the next call (e.g. the next chat turn). */
void bedrock_cancel_reset(bedrock_cancel *cancel);
/** Frees the token; no call or stream may still be using it. */
void bedrock_cancel_free(bedrock_cancel *cancel);

/* ---- requests ------------------------------------------------------------ */

#define BEDROCK_REQUEST_OPTIONS_VERSION 1

/** Bedrock's request headers, as typed options. All (Optional). */
typedef struct bedrock_request_options {
	unsigned int version;
	const char *guardrail_identifier;	/* X-Amzn-Bedrock-GuardrailIdentifier */
	const char *guardrail_version;		/* X-Amzn-Bedrock-GuardrailVersion */
	const char *trace;			/* X-Amzn-Bedrock-Trace: ENABLED, DISABLED, ENABLED_FULL */
	const char *performance_latency;	/* X-Amzn-Bedrock-PerformanceConfig-Latency: standard, optimized */
	const char *service_tier;		/* X-Amzn-Bedrock-Service-Tier: priority, default, flex, reserved */
	const char *request_metadata;		/* X-Amzn-Bedrock-Request-Metadata */
	/**
	 * A token that cancels the call (and, for a stream, the stream until it
	 * is freed); it must outlive them. Triggered before the call, the call
	 * returns BEDROCK_ECANCELED at once.
	 */
	bedrock_cancel *cancel;
} bedrock_request_options;

#define BEDROCK_REQUEST_OPTIONS_INIT \
	{ BEDROCK_REQUEST_OPTIONS_VERSION, NULL, NULL, NULL, NULL, NULL, NULL, NULL }

/** A complete (non-streaming) response. */
typedef struct bedrock_response bedrock_response;

/** The body bytes (lent; NUL-terminated for convenience). */
const char *bedrock_response_body(const bedrock_response *r, size_t *len);
int bedrock_response_status(const bedrock_response *r);
/** x-amzn-RequestId (lent), "" if none. */
const char *bedrock_response_request_id(const bedrock_response *r);
/** A response header (case-insensitive name), lent; NULL if absent. */
const char *bedrock_response_header(const bedrock_response *r, const char *name);
/** How many attempts the call took (1 = no retry). */
unsigned bedrock_response_attempts(const bedrock_response *r);
void bedrock_response_free(bedrock_response *r);

/**
 * InvokeModel: @p body is the model's JSON (for Claude, an Anthropic
 * Messages body with anthropic_version). @p model_id is a base id, a
 * profile id ("us.anthropic...") or an ARN; it is encoded for the path.
 *
 * @return 0 with *out; on an HTTP error the AWS code, message, status and
 *         request id are in @p err: BEDROCK_EAUTH, BEDROCK_ETHROTTLED,
 *         BEDROCK_ETIMEOUT, BEDROCK_EHTTP; transport: BEDROCK_EIO (the
 *         message names the proxy when one was in the way),
 *         BEDROCK_ETIMEOUT; BEDROCK_ECANCELED when @p options' cancel token
 *         was triggered; BEDROCK_ECONFIG, BEDROCK_EINVAL, BEDROCK_ENOMEM
 */
int bedrock_invoke_model(bedrock_response **out, bedrock_client *client, const char *model_id,
			 const void *body, size_t body_len,
			 const bedrock_request_options *options, bedrock_error_info *err);

/** Converse: @p body is the Converse request JSON. @p options as above
 *  (a cancel token; Bedrock's guardrail, trace, latency, tier and metadata
 *  headers), or NULL. */
int bedrock_converse(bedrock_response **out, bedrock_client *client, const char *model_id,
		     const void *body, size_t body_len, const bedrock_request_options *options,
		     bedrock_error_info *err);

/** CountTokens: @p body is {"input": {...}} as Bedrock takes it. */
int bedrock_count_tokens(bedrock_response **out, bedrock_client *client, const char *model_id,
			 const void *body, size_t body_len, const bedrock_request_options *options,
			 bedrock_error_info *err);

/**
 * A control-plane GET (e.g. "/foundation-models?byProvider=Anthropic",
 * "/inference-profiles/ID" with the ID already encoded), or PUT/DELETE for
 * "/logging/modelinvocations".
 */
int bedrock_control_request(bedrock_response **out, bedrock_client *client, const char *method,
			    const char *path_and_query, const void *body, size_t body_len,
			    bedrock_error_info *err);

/**
 * Claude, typed, on the client's platform: renders @p request for it
 * (bedrock_messages_request_render), sends it (Bedrock: InvokeModel; the
 * Anthropic API: POST /v1/messages) and parses the answer. @p model_id is
 * an alias ("sonnet-4.5", "haiku": the platform's id for it, on Bedrock
 * the one to call from the client's region) or any full id, sent as given.
 *
 * @param out the message; bedrock_message_free()
 * @return as bedrock_invoke_model(), or BEDROCK_EPROTOCOL if the answer is
 *         not a Messages response
 */
int bedrock_messages_create(bedrock_message **out, bedrock_client *client, const char *model_id,
			    const bedrock_messages_request *request,
			    const bedrock_request_options *options, bedrock_error_info *err);

/**
 * The same as a stream: events come from bedrock_stream_next() (feed them
 * to a bedrock_message_accumulator for the final message). They are the
 * same whichever wire carried them (Bedrock's event stream, or the
 * Anthropic API's Server-Sent Events: there .event_type is the SSE event
 * name and .message NULL); `ping` and event names this version does not
 * know are skipped. An `error` event is the stream's error:
 * BEDROCK_ETHROTTLED (rate_limit_error) or BEDROCK_ESERVICE, with the
 * error's type in aws_code.
 */
int bedrock_messages_stream(bedrock_stream **out, bedrock_client *client, const char *model_id,
			    const bedrock_messages_request *request,
			    const bedrock_request_options *options, bedrock_error_info *err);

/**
 * Counts the input tokens of @p request for @p model_id without running
 * it, on any platform: Bedrock's CountTokens (with the model's base id),
 * or the Anthropic API's /v1/messages/count_tokens (without the members
 * that only shape the output: max_tokens, temperature, ...).
 *
 * @param[out] input_tokens the count
 * @return 0, or as bedrock_messages_create(); BEDROCK_EPROTOCOL if the
 *         answer carries no count
 */
int bedrock_messages_count_tokens(uint64_t *input_tokens, bedrock_client *client,
				  const char *model_id, const bedrock_messages_request *request,
				  const bedrock_request_options *options, bedrock_error_info *err);

/* ---- raw Messages bodies -------------------------------------------------- */

/**
 * A Messages body already written in the client's platform's dialect
 * (bedrock_body_convert()), sent as given: Bedrock's InvokeModel, the
 * Anthropic API's POST /v1/messages, Vertex AI's rawPredict. For relays
 * such as a gateway: nothing is rendered or parsed on the way, and the
 * answer's bytes are the service's.
 *
 * @param model_id sent as given, no alias resolution: in the URL on
 *        Bedrock and Vertex; on the Anthropic API the body's "model" is set
 *        to it (the body is sent byte for byte when it already says so),
 *        and NULL leaves the body's own
 * @param betas the anthropic-beta header value (Anthropic API, Vertex), or
 *        NULL for none; on Bedrock betas travel in the body's
 *        anthropic_beta, and a non-NULL value is BEDROCK_EINVAL
 * @return as bedrock_invoke_model() (retries and their rules included);
 *         the answer is not parsed: any 2xx body is returned
 */
int bedrock_messages_send(bedrock_response **out, bedrock_client *client, const char *model_id,
			  const void *body, size_t body_len, const char *betas,
			  const bedrock_request_options *options, bedrock_error_info *err);

/**
 * The same as a stream: Bedrock's InvokeModelWithResponseStream, the
 * Anthropic API's SSE answer (the body must carry "stream": true there,
 * and on Vertex), Vertex's streamRawPredict. Retried until the answer's
 * headers, as bedrock_invoke_model_stream().
 *
 * Events come from bedrock_stream_next(), every one as it came: on Bedrock
 * each frame (.message is the frame itself, .json the chunk's decoded
 * Anthropic event); on SSE platforms every event, `ping`, Vertex's
 * `vertex_event` and names this version does not know included, with
 * .event_type and .type the SSE event name, .json its data (not parsed:
 * .text is NULL) and .message NULL. An `error` event is the stream's
 * error, as for bedrock_messages_stream().
 */
int bedrock_messages_send_stream(bedrock_stream **out, bedrock_client *client,
				 const char *model_id, const void *body, size_t body_len,
				 const char *betas, const bedrock_request_options *options,
				 bedrock_error_info *err);

/**
 * Counts the tokens of a Messages body in the client's dialect: Bedrock's
 * CountTokens (the body wrapped as {"input":{"invokeModel":{"body":
 * "<base64>"}}}; a profile id or profile ARN is sent as its model's base
 * id, which CountTokens wants), the Anthropic API's
 * /v1/messages/count_tokens (the body's "model" set to @p model_id as
 * above), Vertex's count-tokens:rawPredict (the same: Vertex takes the
 * model in this body). The answer is returned as the service wrote it
 * ({"inputTokens":N} on Bedrock, {"input_tokens":N} elsewhere).
 */
int bedrock_messages_send_count_tokens(bedrock_response **out, bedrock_client *client,
				       const char *model_id, const void *body, size_t body_len,
				       const char *betas, const bedrock_request_options *options,
				       bedrock_error_info *err);

/* ---- streams ------------------------------------------------------------- */

/**
 * InvokeModelWithResponseStream. Returns once the response headers are in
 * (retrying the request if it failed before any event); events are then
 * pulled with bedrock_stream_next().
 */
int bedrock_invoke_model_stream(bedrock_stream **out, bedrock_client *client,
				const char *model_id, const void *body, size_t body_len,
				const bedrock_request_options *options, bedrock_error_info *err);

/** ConverseStream; events are ConverseStream members (messageStart, ...). */
int bedrock_converse_stream(bedrock_stream **out, bedrock_client *client, const char *model_id,
			    const void *body, size_t body_len,
			    const bedrock_request_options *options, bedrock_error_info *err);

/**
 * The next event (lent until the next call on the stream).
 *
 * @return 0 with *out; BEDROCK_ITEROVER at the clean end; an in-stream
 *         exception as BEDROCK_ETHROTTLED / BEDROCK_ETIMEOUT /
 *         BEDROCK_ESERVICE with its type and message in @p err (and *out
 *         filled with the frame); BEDROCK_EPROTOCOL for a corrupt or cut
 *         stream; BEDROCK_ETIMEOUT when nothing arrived within the idle
 *         timeout; BEDROCK_EIO for a dropped connection;
 *         BEDROCK_ECANCELED after bedrock_stream_cancel() (or the request's
 *         cancel token). Events already returned stay valid data: nothing
 *         is lost on an error.
 */
int bedrock_stream_next(bedrock_event *out, bedrock_stream *stream, bedrock_error_info *err);

/* ---- many streams from one thread --------------------------------------- */

/**
 * Drives many streams from one thread over one libcurl multi handle: add
 * streams (they start at once, without waiting for their answers), then
 * pull whichever has an event next. Not thread-safe: one thread at a time.
 * Streams opened this way are not retried (the caller sees each error).
 * Up to 64 idle connections are kept for the next streams; more close.
 */
typedef struct bedrock_multi bedrock_multi;

int bedrock_multi_new(bedrock_multi **out);
/** Stops any stream still running (free them yourself afterwards), and
 *  any whole call (bedrock_call_result() then says BEDROCK_ECANCELED). */
void bedrock_multi_free(bedrock_multi *multi);
/** Streams that have not ended yet. */
size_t bedrock_multi_count(const bedrock_multi *multi);

/** Starts an InvokeModelWithResponseStream in @p multi (@p body is copied). */
int bedrock_multi_invoke_model_stream(bedrock_stream **out, bedrock_multi *multi,
				      bedrock_client *client, const char *model_id,
				      const void *body, size_t body_len,
				      const bedrock_request_options *options, bedrock_error_info *err);
/** Starts a ConverseStream in @p multi. */
int bedrock_multi_converse_stream(bedrock_stream **out, bedrock_multi *multi,
				  bedrock_client *client, const char *model_id, const void *body,
				  size_t body_len, const bedrock_request_options *options,
				  bedrock_error_info *err);

/**
 * The next event of any stream in @p multi, waiting at most @p timeout_ms
 * (negative: until something happens).
 *
 * @param which the stream the result is about
 * @return 0 with an event of *which; BEDROCK_ITEROVER with *which set: that
 *         stream ended cleanly; an error with *which set: that stream
 *         failed (as bedrock_stream_next() would say); BEDROCK_ITEROVER with
 *         *which NULL: no stream is left; BEDROCK_EAGAIN: the timeout passed
 */
int bedrock_multi_next(bedrock_stream **which, bedrock_event *out, bedrock_multi *multi,
		       long timeout_ms, bedrock_error_info *err);

/* ---- a bedrock_multi in your event loop ----------------------------------- */

/** What a loop watches a descriptor for (bedrock_multi_loop.watch). */
enum {
	BEDROCK_WATCH_IN = 1,
	BEDROCK_WATCH_OUT = 2,
	BEDROCK_WATCH_REMOVE = 4	/* stop watching the descriptor */
};

/** bedrock_multi_act()'s fd when the timer fired. */
#define BEDROCK_MULTI_TIMEOUT (-1)

/**
 * The hooks through which a bedrock_multi asks your event loop (libevent,
 * libuv, epoll...) to watch its sockets and run its timer, in the manner of
 * libcurl's socket interface, so thousands of streams cost one descriptor
 * each and a wake-up touches only the streams it concerns. Neither hook may
 * call bedrock_multi_act(): schedule it.
 */
typedef struct bedrock_multi_loop {
	/**
	 * Watch @p fd for @p what (BEDROCK_WATCH_IN and/or OUT, replacing
	 * what was watched before), or stop (BEDROCK_WATCH_REMOVE). @p slot is
	 * what this returned for @p fd the previous time (NULL the first
	 * time); the return value is kept for next time (e.g. the fd's event).
	 * On REMOVE, release it; the return value is ignored.
	 */
	void *(*watch)(void *arg, int fd, int what, void *slot);
	/**
	 * Call bedrock_multi_act(multi, BEDROCK_MULTI_TIMEOUT, 0) once
	 * @p timeout_ms have passed (0: as soon as the loop can), replacing
	 * any timer set before; -1: no timer.
	 */
	void (*timer)(void *arg, long timeout_ms);
	void *arg;
} bedrock_multi_loop;

/**
 * Puts @p multi in your event loop (before any stream is added). Its streams
 * are then driven by bedrock_multi_act() and read with bedrock_stream_next()
 * (which never blocks for them: BEDROCK_EAGAIN when nothing has arrived);
 * bedrock_multi_next() is not used. Streams do not end when the multi is
 * freed: free them first. It runs whole calls too
 * (bedrock_multi_messages_send() and its kin). As for any bedrock_multi,
 * one thread at a time.
 */
int bedrock_multi_use_loop(bedrock_multi *multi, const bedrock_multi_loop *loop);

/**
 * Drives @p multi after @p fd became ready for @p what (BEDROCK_WATCH_IN,
 * OUT), or after its timer fired (fd BEDROCK_MULTI_TIMEOUT, what 0). Then
 * calls the ready callback of each stream that may have news (events, its
 * end, an error), once each, and the done callback of each whole call that
 * ended.
 */
int bedrock_multi_act(bedrock_multi *multi, int fd, int what);

/** Told that bedrock_stream_next() may return something other than EAGAIN. */
typedef void (*bedrock_stream_ready_fn)(void *arg, bedrock_stream *stream);

/**
 * Sets @p stream's ready callback (a stream of a looped bedrock_multi). It
 * runs from bedrock_multi_act() or bedrock_stream_pause(), never from
 * inside libcurl, so it may call bedrock_stream_next() until EAGAIN, pause
 * the stream, free it, or open new ones. Bytes that arrived before it was
 * set are not announced: call bedrock_stream_next() once after setting it.
 */
void bedrock_stream_on_ready(bedrock_stream *stream, bedrock_stream_ready_fn fn, void *arg);

/**
 * Stops reading @p stream's answer (@p paused 1: the server is held back
 * by TCP flow control, so a slow consumer costs no memory) or goes on (0).
 * A stream of a looped bedrock_multi, from the loop's thread.
 */
int bedrock_stream_pause(bedrock_stream *stream, int paused);

/**
 * bedrock_messages_send_stream() in @p multi: starts at once, without
 * waiting for the answer, and is not retried (an error answer is the
 * stream's first result). @p body is copied.
 */
int bedrock_multi_messages_stream(bedrock_stream **out, bedrock_multi *multi,
				  bedrock_client *client, const char *model_id, const void *body,
				  size_t body_len, const char *betas,
				  const bedrock_request_options *options, bedrock_error_info *err);

/* ---- whole calls in your event loop -------------------------------------- */

/** A whole (non-streaming) call running in a looped bedrock_multi. */
typedef struct bedrock_call bedrock_call;

/**
 * Told once when @p call has ended (its result is in). Runs from
 * bedrock_multi_act() (or bedrock_stream_pause()), never inside libcurl: it
 * may read the result, free the call, and start new calls or streams.
 */
typedef void (*bedrock_call_done_fn)(void *arg, bedrock_call *call);

/**
 * bedrock_messages_send() in @p multi, a multi in your event loop
 * (bedrock_multi_use_loop): the same request (URL, headers, signature or
 * key or token, betas, body), started at once without waiting for the
 * answer, and not retried. @p body is copied. @p done (NULL: none) is told
 * when the call ends; bedrock_call_result() then gives the answer. The
 * client's total_timeout_ms and deadline_ms bound the call (libcurl cuts it
 * at the sooner), and its idle_timeout_ms a silent server, as for a looped
 * stream. A cancel token in @p options stops it only if already triggered
 * (BEDROCK_ECANCELED at once): bedrock_call_free() stops a running call.
 * Connections stay in the multi for its next calls and streams.
 *
 * Signing may need fresh credentials (and, on Vertex, the project): call
 * bedrock_client_prepare() on another thread first (the request's own, in a
 * server), so that a refresh never stalls the loop.
 *
 * @param[out] out the call, bedrock_call_free() it (also after an error
 *        result)
 * @return 0 with *out; else nothing was sent and *out is NULL: the errors
 *         bedrock_messages_send() returns before sending (BEDROCK_EINVAL,
 *         BEDROCK_EAUTH, BEDROCK_ENOMEM, ...), BEDROCK_ECANCELED, or
 *         BEDROCK_EINVAL for a multi not in an event loop
 */
int bedrock_multi_messages_send(bedrock_call **out, bedrock_multi *multi, bedrock_client *client,
				const char *model_id, const void *body, size_t body_len,
				const char *betas, const bedrock_request_options *options,
				bedrock_call_done_fn done, void *arg, bedrock_error_info *err);

/** bedrock_messages_send_count_tokens() in @p multi, as
 *  bedrock_multi_messages_send(). */
int bedrock_multi_messages_send_count_tokens(bedrock_call **out, bedrock_multi *multi,
					     bedrock_client *client, const char *model_id,
					     const void *body, size_t body_len, const char *betas,
					     const bedrock_request_options *options,
					     bedrock_call_done_fn done, void *arg,
					     bedrock_error_info *err);

/** bedrock_count_tokens() (Bedrock's CountTokens, @p body as Bedrock takes
 *  it) in @p multi, as bedrock_multi_messages_send(). */
int bedrock_multi_count_tokens(bedrock_call **out, bedrock_multi *multi, bedrock_client *client,
			       const char *model_id, const void *body, size_t body_len,
			       const bedrock_request_options *options, bedrock_call_done_fn done,
			       void *arg, bedrock_error_info *err);

/** bedrock_converse() in @p multi, as bedrock_multi_messages_send(). */
int bedrock_multi_converse(bedrock_call **out, bedrock_multi *multi, bedrock_client *client,
			   const char *model_id, const void *body, size_t body_len,
			   const bedrock_request_options *options, bedrock_call_done_fn done,
			   void *arg, bedrock_error_info *err);

/** bedrock_control_request() (a control-plane or listing request: ListFoundationModels,
 *  inference profiles, the API's models) in @p multi, as bedrock_multi_messages_send(). */
int bedrock_multi_control_request(bedrock_call **out, bedrock_multi *multi,
				  bedrock_client *client, const char *method,
				  const char *path_and_query, const void *body, size_t body_len,
				  bedrock_call_done_fn done, void *arg, bedrock_error_info *err);

/**
 * The result of @p call, once it has ended (its done callback was told),
 * once per call.
 *
 * @param[out] out the response, now the caller's (bedrock_response_free())
 * @return 0 with *out; or the error the blocking call would have returned
 *         for this one attempt, with @p err filled exactly as it would have
 *         been (HTTP status, service error type, message, request id,
 *         retryable); BEDROCK_EAGAIN before the call has ended;
 *         BEDROCK_EINVAL once the result was taken; BEDROCK_ECANCELED for a
 *         call whose multi was freed before it ended
 */
int bedrock_call_result(bedrock_response **out, bedrock_call *call, bedrock_error_info *err);

/**
 * Frees @p call. One still running is stopped (its connection is closed)
 * and its done callback is not called. A call may be freed before or after
 * its multi; on the loop's thread, like the multi.
 */
void bedrock_call_free(bedrock_call *call);

/**
 * Cancels @p stream: the bedrock_stream_next() in progress (in another
 * thread) or the next one returns BEDROCK_ECANCELED within about 100 ms
 * (at once when a signal interrupted it), and so do all later calls; the
 * connection is closed. Events already returned stay valid until
 * bedrock_stream_free(). A stream in a bedrock_multi is reported by
 * bedrock_multi_next() as that stream's BEDROCK_ECANCELED. A stream that
 * has already ended keeps its result.
 *
 * Async-signal-safe and thread-safe (one lock-free atomic store), so a
 * SIGINT handler may call it, as long as the stream is not being freed at
 * the same time (clear the handler's pointer before bedrock_stream_free).
 */
void bedrock_stream_cancel(bedrock_stream *stream);

/** x-amzn-RequestId of the stream's response (lent). */
const char *bedrock_stream_request_id(const bedrock_stream *stream);

/** Stops the transfer (if still running) and frees the stream. */
void bedrock_stream_free(bedrock_stream *stream);

#ifdef __cplusplus
}
#endif

#endif
