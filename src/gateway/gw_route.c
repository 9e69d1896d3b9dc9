/* Routing (gw_route.h): method and path to front and operation. Bounded
 * and allocation-free: every id is decoded into the route's own arrays,
 * and anything that does not fit does not match. */
#include <stdio.h>
#include <string.h>

#include "gw_route.h"
#include "urlcode.h"

/* The front a path that matches nothing belongs to, for the 404's shape. */
static bedrock_platform guess_front(const char *path)
{
	if (strstr(path, "/projects/"))
		return BEDROCK_PLATFORM_VERTEX;
	/* Bedrock has no /v1/ path; the Anthropic API has nothing else. */
	if (!strncmp(path, "/v1/", 4))
		return BEDROCK_PLATFORM_ANTHROPIC;
	return BEDROCK_PLATFORM_BEDROCK;
}

static int is(const char *method, const char *want)
{
	return method && !strcmp(method, want);
}

/* 0 when method is want, -2 (405) otherwise; sets the route either way so
 * a 405 still knows its front. */
static int set(gw_route *out, bedrock_platform front, gw_op op, const char *name,
	       const char *method, const char *want)
{
	out->front = front;
	out->op = op;
	out->op_name = name;
	if (is(method, want) || (!strcmp(want, "GET") && is(method, "HEAD") && op == GW_OP_HEALTHZ))
		return 0;
	out->op = GW_OP_NONE;
	return -2;
}

/* Decodes s[0..len) into out[cap]: 0, or -1 (bad escape, empty, too long). */
static int decode(char *out, size_t cap, const char *s, size_t len)
{
	return len == 0 || bedrock__url_decode(out, cap, s, len) || !*out ? -1 : 0;
}

static const struct {
	const char *suffix;
	gw_op op;
	const char *name;
} bedrock_ops[] = {
	{ "invoke", GW_OP_MESSAGES, "invoke" },
	{ "invoke-with-response-stream", GW_OP_MESSAGES_STREAM, "invoke-stream" },
	{ "converse", GW_OP_CONVERSE, "converse" },
	{ "converse-stream", GW_OP_CONVERSE_STREAM, "converse-stream" },
	{ "count-tokens", GW_OP_COUNT_TOKENS, "count-tokens" },
};

/* /model/{id}/{op}: the id is everything up to the last '/', so an ARN
 * whose '/' came unencoded still routes (botocore encodes it, %2F). */
static int bedrock_runtime(gw_route *out, const char *method, const char *rest)
{
	const char *slash = strrchr(rest, '/');
	size_t i;

	if (!slash)
		return -1;
	for (i = 0; i < sizeof(bedrock_ops) / sizeof(bedrock_ops[0]); i++)
		if (!strcmp(slash + 1, bedrock_ops[i].suffix))
			break;
	if (i == sizeof(bedrock_ops) / sizeof(bedrock_ops[0]) ||
	    decode(out->model, sizeof(out->model), rest, (size_t)(slash - rest)))
		return -1;
	return set(out, BEDROCK_PLATFORM_BEDROCK, bedrock_ops[i].op, bedrock_ops[i].name, method,
		   "POST");
}

/* "/NAME/value" at *p: value decoded into out, *p after it. 0 or -1. */
static int segment(char *out, size_t cap, const char **p, const char *name)
{
	size_t n = strlen(name);
	const char *end;

	if ((*p)[0] != '/' || strncmp(*p + 1, name, n) || (*p)[n + 1] != '/')
		return -1;
	*p += n + 2;
	end = strchr(*p, '/');
	if (!end)
		end = *p + strlen(*p);
	if (decode(out, cap, *p, (size_t)(end - *p)))
		return -1;
	*p = end;
	return 0;
}

/* [/v1|/v1beta1]/projects/P/locations/L/publishers/anthropic/models/M:VERB */
static int vertex(gw_route *out, const char *method, const char *path)
{
	char publisher[32], last[sizeof(out->model) + 32], *colon;
	const char *p = path;

	if (!strncmp(p, "/v1/", 4))
		p += 3;
	else if (!strncmp(p, "/v1beta1/", 9))
		p += 8;
	if (segment(out->project, sizeof(out->project), &p, "projects") ||
	    segment(out->location, sizeof(out->location), &p, "locations") ||
	    segment(publisher, sizeof(publisher), &p, "publishers") ||
	    strcmp(publisher, "anthropic") || segment(last, sizeof(last), &p, "models") || *p)
		return -1;
	/* "MODEL:VERB"; the colon may have come as %3A. */
	colon = strrchr(last, ':');
	if (!colon || colon == last || (size_t)(colon - last) >= sizeof(out->model))
		return -1;
	*colon = '\0';
	memcpy(out->model, last, (size_t)(colon - last) + 1);
	if (!strcmp(colon + 1, "rawPredict")) {
		if (!strcmp(out->model, "count-tokens")) {
			/* The model is in the body here. */
			out->model[0] = '\0';
			return set(out, BEDROCK_PLATFORM_VERTEX, GW_OP_COUNT_TOKENS, "count-tokens",
				   method, "POST");
		}
		return set(out, BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES, "rawPredict", method, "POST");
	}
	if (!strcmp(colon + 1, "streamRawPredict"))
		return set(out, BEDROCK_PLATFORM_VERTEX, GW_OP_MESSAGES_STREAM, "streamRawPredict",
			   method, "POST");
	return -1;
}

static int anthropic(gw_route *out, const char *method, const char *path, const char *query)
{
	char v[16];

	if (!strcmp(path, "/v1/messages")) {
		out->beta = query && bedrock__query_param(v, sizeof(v), query, "beta") == 1 &&
			    !strcmp(v, "true");
		return set(out, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_MESSAGES, "messages", method,
			   "POST");
	}
	if (!strcmp(path, "/v1/messages/count_tokens")) {
		out->beta = query && bedrock__query_param(v, sizeof(v), query, "beta") == 1 &&
			    !strcmp(v, "true");
		return set(out, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_COUNT_TOKENS, "count-tokens",
			   method, "POST");
	}
	if (!strcmp(path, "/v1/models"))
		return set(out, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_LIST_MODELS, "list-models", method,
			   "GET");
	if (!strncmp(path, "/v1/models/", 11) && !strchr(path + 11, '/') &&
	    !decode(out->model, sizeof(out->model), path + 11, strlen(path + 11)))
		return set(out, BEDROCK_PLATFORM_ANTHROPIC, GW_OP_GET_MODEL, "get-model", method,
			   "GET");
	return -1;
}

/* /foundation-models[/{id}], /inference-profiles[/{id}] */
static int bedrock_control(gw_route *out, const char *method, const char *path)
{
	static const struct {
		const char *prefix;
		gw_op list, get;
		const char *list_name, *get_name;
	} c[] = {
		{ "/foundation-models", GW_OP_LIST_MODELS, GW_OP_GET_MODEL, "list-models",
		  "get-model" },
		{ "/inference-profiles", GW_OP_LIST_PROFILES, GW_OP_GET_PROFILE, "list-profiles",
		  "get-profile" },
	};
	size_t i, n;

	for (i = 0; i < sizeof(c) / sizeof(c[0]); i++) {
		n = strlen(c[i].prefix);
		if (strncmp(path, c[i].prefix, n))
			continue;
		if (!path[n])
			return set(out, BEDROCK_PLATFORM_BEDROCK, c[i].list, c[i].list_name, method,
				   "GET");
		/* An ARN's '/' may come unencoded: the id is the rest. */
		if (path[n] == '/' &&
		    !decode(out->model, sizeof(out->model), path + n + 1, strlen(path + n + 1)))
			return set(out, BEDROCK_PLATFORM_BEDROCK, c[i].get, c[i].get_name, method,
				   "GET");
		return -1;
	}
	return -1;
}

int gw_route_parse(gw_route *out, const char *method, const char *path, const char *query)
{
	int rc;

	memset(out, 0, sizeof(*out));
	out->op_name = "unknown";
	if (!path || path[0] != '/') {
		out->front = BEDROCK_PLATFORM_BEDROCK;
		return -1;
	}
	out->front = guess_front(path);
	if (!strcmp(path, "/"))
		return set(out, BEDROCK_PLATFORM_BEDROCK, GW_OP_PROBE, "probe", method, "HEAD");
	if (!strcmp(path, "/metrics"))
		return set(out, BEDROCK_PLATFORM_BEDROCK, GW_OP_METRICS, "metrics", method, "GET");
	if (!strcmp(path, "/healthz"))
		return set(out, BEDROCK_PLATFORM_BEDROCK, GW_OP_HEALTHZ, "healthz", method, "GET");
	if (!strncmp(path, "/model/", 7))
		rc = bedrock_runtime(out, method, path + 7);
	else if (!strncmp(path, "/v1/messages", 12) || !strncmp(path, "/v1/models", 10))
		rc = anthropic(out, method, path, query);
	else if (out->front == BEDROCK_PLATFORM_VERTEX)
		rc = vertex(out, method, path);
	else
		rc = bedrock_control(out, method, path);
	if (rc == -1) {
		/* Nothing partial survives a miss. */
		bedrock_platform front = out->front;

		memset(out, 0, sizeof(*out));
		out->front = front;
		out->op_name = "unknown";
	}
	return rc;
}
