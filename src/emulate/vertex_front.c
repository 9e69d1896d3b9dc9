/* The Vertex AI front (vertex_front.h): paths, tokens, projects, Google's
 * error shape, faults as Vertex reports them; the Messages part is the
 * fronts' shared one (messages_front.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "anthropic_front.h"
#include "emu_handler.h"
#include "messages_front.h"
#include "model_internal.h"
#include "urlcode.h"
#include "vertex_front.h"

#define MODEL_NOT_FOUND "Publisher Model `projects/%s/locations/%s/publishers/%s/models/%s` not found."
#define NO_CREDENTIALS "Request is missing required authentication credential. Expected OAuth 2 " \
	"access token, login cookie or other valid authentication credential. See " \
	"https://developers.google.com/identity/sign-in/web/devconsole-project."
#define BAD_CREDENTIALS "Request had invalid authentication credentials. Expected OAuth 2 " \
	"access token, login cookie or other valid authentication credential. See " \
	"https://developers.google.com/identity/sign-in/web/devconsole-project."

/* ---- paths ------------------------------------------------------------- */

static const char *after_version(const char *path, char *version, size_t cap)
{
	static const char *const versions[] = { "/v1/", "/v1beta1/" };
	size_t i, n;

	*version = '\0';
	for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
		n = strlen(versions[i]);
		if (!strncmp(path, versions[i], n)) {
			snprintf(version, cap, "%.*s", (int)(n - 2), versions[i] + 1);
			return path + n - 1;
		}
	}
	return path;
}

int emu_vertex_owns(const char *path)
{
	char v[12];

	return path && !strncmp(after_version(path, v, sizeof(v)), "/projects/", 10);
}

/* The next segment after "/NAME/", decoded into out; the rest in *p. */
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
	if (end == *p || bedrock__url_decode(out, cap, *p, (size_t)(end - *p)) || !*out)
		return -1;
	*p = end;
	return 0;
}

int emu_vertex_path_parse(emu_vertex_path *out, const char *path)
{
	static const struct {
		const char *verb;
		emu_vertex_verb kind;
	} verbs[] = {
		{ "rawPredict", EMU_VERTEX_RAW_PREDICT },
		{ "streamRawPredict", EMU_VERTEX_STREAM_RAW_PREDICT },
		{ "setPublisherModelConfig", EMU_VERTEX_SET_CONFIG },
		{ "fetchPublisherModelConfig", EMU_VERTEX_FETCH_CONFIG },
		{ "generateContent", EMU_VERTEX_GEMINI },
		{ "streamGenerateContent", EMU_VERTEX_GEMINI },
		{ "predict", EMU_VERTEX_GEMINI },
		{ "serverStreamingPredict", EMU_VERTEX_GEMINI },
	};
	char last[EMU_ANTHROPIC_MODEL_ID_MAX + 48], *colon;
	const char *p;
	size_t i;

	memset(out, 0, sizeof(*out));
	if (!path)
		return -1;
	p = after_version(path, out->version, sizeof(out->version));
	if (segment(out->project, sizeof(out->project), &p, "projects") ||
	    segment(out->location, sizeof(out->location), &p, "locations") ||
	    segment(out->publisher, sizeof(out->publisher), &p, "publishers") ||
	    segment(last, sizeof(last), &p, "models") || *p)
		return -1;
	/* "MODEL:VERB"; a client may have sent the colon as %3A. */
	colon = strrchr(last, ':');
	if (!colon || colon == last || !colon[1] ||
	    (size_t)(colon - last) >= sizeof(out->model) || strlen(colon + 1) >= sizeof(out->verb))
		return -1;
	*colon = '\0';
	memcpy(out->model, last, (size_t)(colon - last) + 1);
	memcpy(out->verb, colon + 1, strlen(colon + 1) + 1);
	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(out->verb, verbs[i].verb))
			out->kind = verbs[i].kind;
	return 0;
}

/* ---- models ------------------------------------------------------------ */

const bedrock_model_info *emu_vertex_model_find(char *api_id, size_t cap, const char *name)
{
	const bedrock_model_info *m;
	char v[EMU_ANTHROPIC_MODEL_ID_MAX];
	size_t i;

	if (api_id && cap)
		*api_id = '\0';
	if (!name || !*name)
		return NULL;
	for (i = 0; (m = bedrock_models_at(i)) != NULL; i++) {
		const char *at;

		if (bedrock_model_platform_id(v, sizeof(v), m, BEDROCK_PLATFORM_VERTEX))
			continue;
		at = strchr(v, '@');
		/* The versioned id, or the publisher model without its version. */
		if (strcmp(v, name) && (!at || strlen(name) != (size_t)(at - v) ||
					strncmp(v, name, (size_t)(at - v))))
			continue;
		if (api_id && cap && emu_anthropic_model_api_id(api_id, cap, m))
			snprintf(api_id, cap, "%s", name);
		return m;
	}
	return NULL;
}

/* ---- errors ------------------------------------------------------------ */

char *emu_google_error_json(int code, const char *status, const char *message, int array)
{
	cJSON *o = cJSON_CreateObject(), *e, *a = NULL;
	char *text;

	e = cJSON_AddObjectToObject(o, "error");
	cJSON_AddNumberToObject(e, "code", code);
	cJSON_AddStringToObject(e, "message", message);
	cJSON_AddStringToObject(e, "status", status);
	if (array) {
		a = cJSON_CreateArray();
		if (!emu__push(a, o))
			o = NULL;
	}
	text = a ? cJSON_PrintUnformatted(a) : o ? cJSON_PrintUnformatted(o) : NULL;
	cJSON_Delete(a ? a : o);
	return text;
}

void emu_google_error(serve_response *out, int code, const char *status, const char *message,
		      int array)
{
	char *text = emu_google_error_json(code, status, message, array);

	serve_response_dispose(out);
	serve_response_init(out, code);
	serve_response_header(out, "content-type", "application/json; charset=UTF-8");
	serve_response_header(out, "vary", "Origin, X-Origin, Referer");
	if (text)
		serve_response_piece(out, text, strlen(text), 0);
	free(text);
}

int emu_vertex_fault_to_error(emu_vertex_fault_error *out, const emu_fault *f)
{
	memset(out, 0, sizeof(*out));
	out->google = 1;
	switch (f->kind) {
	case EMU_FAULT_THROTTLE:
		out->status = 429;
		out->type = "RESOURCE_EXHAUSTED";
		out->message = "Quota exceeded for aiplatform.googleapis.com/"
			       "online_prediction_requests_per_base_model with base model: "
			       "anthropic-claude. Please submit a quota increase request. "
			       "https://cloud.google.com/vertex-ai/docs/generative-ai/quotas-genai.";
		return 1;
	case EMU_FAULT_NOT_READY:
	case EMU_FAULT_UNAVAILABLE:
		out->status = 503;
		out->type = "UNAVAILABLE";
		out->message = "The service is currently unavailable.";
		return 1;
	case EMU_FAULT_INTERNAL:
		out->status = 500;
		out->type = "INTERNAL";
		out->message = "Internal error encountered.";
		return 1;
	case EMU_FAULT_NO_RETRY:
		out->status = 500;
		out->type = "INTERNAL";
		out->message = "Internal error encountered.";
		out->should_retry = "false";
		return 1;
	case EMU_FAULT_ACCESS_DENIED:
		out->status = 403;
		out->type = "PERMISSION_DENIED";
		out->message = "Permission 'aiplatform.endpoints.predict' denied on the publisher "
			       "model (or it may not exist).";
		return 1;
	case EMU_FAULT_RETRY_400:
		out->status = 400;
		out->type = "INVALID_ARGUMENT";
		out->message = "Request contains an invalid argument. (the emulator's retry-400 "
			       "fault)";
		out->should_retry = "true";
		return 1;
	default:
		break;
	}
	/* The model's own refusals, which Vertex passes through. */
	out->google = 0;
	switch (f->kind) {
	case EMU_FAULT_OVERLOADED:
		out->status = 529;
		out->type = "overloaded_error";
		out->message = "Overloaded";
		return 1;
	case EMU_FAULT_MODEL_ERROR:
		out->status = 500;
		out->type = "api_error";
		out->message = "Internal server error";
		return 1;
	case EMU_FAULT_MODEL_TIMEOUT:
		out->status = 504;
		out->type = "timeout_error";
		out->message = "Request timed out";
		return 1;
	default:
		return 0;
	}
}

/* ---- the front --------------------------------------------------------- */

static void request_id(char *out, size_t cap, emu_state *s)
{
	unsigned long n = atomic_fetch_add(&s->requests, 1) + 1;
	uint64_t h = emu__mix((uint64_t)n ^ ((uint64_t)s->seed << 32) ^
			      emu__mix((uint64_t)time(NULL) ^ 0x76727478ULL));

	/* "req_vrtx_011" and 21 base-62 characters, as Vertex's look. */
	if (cap < 34) {
		*out = '\0';
		return;
	}
	memcpy(out, "req_vrtx_011", 12);
	emu__id(out + 12, 21, h);
}

static long long now_of(const emu_state *s)
{
	return s->now ? s->now() : (long long)time(NULL);
}

/* 0 when the request carries an accepted token; -1 with the 401 written. */
static int authenticate(emu_state *s, serve_response *out, const serve_request *req, int array)
{
	const char *authz = serve_request_header(req, "authorization");
	const char *token = authz && !strncasecmp(authz, "Bearer ", 7) ? authz + 7 : NULL;

	if (token && emu_google_token_valid(&s->google, token, now_of(s)))
		return 0;
	emu_google_error(out, 401, "UNAUTHENTICATED", token ? BAD_CREDENTIALS : NO_CREDENTIALS,
			 array);
	serve_response_header(out, "www-authenticate", token
			    ? "Bearer realm=\"https://accounts.google.com/\", error=\"invalid_token\""
			    : "Bearer realm=\"https://accounts.google.com/\"");
	return -1;
}

static int our_project(const emu_google *g, const char *p)
{
	return !strcmp(p, g->project) || !strcmp(p, g->numeric_project);
}

/* "global", "us", "eu" or a region such as us-east5, europe-west1. */
static int location_valid(const char *l)
{
	const char *dash = strchr(l, '-');
	size_t i, n = strlen(l);

	if (!strcmp(l, "global") || !strcmp(l, "us") || !strcmp(l, "eu"))
		return 1;
	if (!dash || dash == l || n > 30 || l[n - 1] < '0' || l[n - 1] > '9')
		return 0;
	for (i = 0; i < n; i++)
		if (!((l[i] >= 'a' && l[i] <= 'z') || (l[i] >= '0' && l[i] <= '9') || l[i] == '-'))
			return 0;
	return 1;
}

static void fault_error(emu_state *s, serve_response *out, const emu_vertex_fault_error *e,
			const char *rid, int array)
{
	if (e->google)
		emu_google_error(out, e->status, e->type, e->message, array);
	else
		emu_api_error(out, e->status, e->type, e->message, rid);
	if (s->anthropic.fast_retry && (e->status == 429 || e->status == 529))
		serve_response_header(out, "retry-after-ms", "1");
	if (e->should_retry)
		serve_response_header(out, "x-should-retry", e->should_retry);
}

static void predict(emu_state *s, serve_response *out, const serve_request *req, const char *rid,
		    const emu_vertex_path *p, const bedrock_model_info *model)
{
	static const emu_messages_style style = { "vrtx_01", 1, 1 };
	int array = p->kind == EMU_VERTEX_STREAM_RAW_PREDICT;
	emu_messages_dialect d = { model == NULL, model, emu_vertex_model_find, 1 };
	emu_messages_req r;
	emu_vertex_fault_error fe;
	emu_fault fault;
	char msg[256];

	if (req->body_len > EMU_VERTEX_MAX_BODY) {
		emu_google_error(out, 400, "INVALID_ARGUMENT",
				 "Request payload size exceeds the limit: 31457280 bytes.", array);
		return;
	}
	if (emu_messages_parse(&r, req, &d)) {
		emu_api_error(out, r.status, r.type, r.msg, rid);
	} else if (!model) {
		if (emu_messages_count_reply(out, &r))
			emu_api_error(out, 500, "api_error", "out of memory", rid);
		else
			serve_response_header(out, "request-id", rid);
	} else if (emu_faults_take(&fault, &s->faults, req->body, req->body_len, msg,
				   sizeof(msg))) {
		emu_api_error(out, 400, "invalid_request_error", msg, rid);
	} else if (emu_vertex_fault_to_error(&fe, &fault)) {
		fault_error(s, out, &fe, rid, array);
	} else if (emu_messages_answer(out, &r, &fault, s->seed, &style)) {
		emu_api_error(out, 500, "api_error", "out of memory", rid);
	} else if (!out->reset_before_headers) {
		/* The model's answers name their request (errors of Google's
		 * side do not); this header is on real ones too. */
		serve_response_header(out, "request-id", rid);
		serve_response_header(out, "x-vertex-ai-internal-prediction-backend", "harpoon");
	}
	emu_messages_req_dispose(&r);
}

/* Everything a path is refused for before its body matters: 0, or -1
 * with the error written. Sets *model for a model's route. */
static int route(emu_state *s, serve_response *out, const serve_request *req,
		 const emu_vertex_path *p, const bedrock_model_info **model)
{
	int array = p->kind == EMU_VERTEX_STREAM_RAW_PREDICT;
	int predicting = p->kind == EMU_VERTEX_RAW_PREDICT || array;
	int count = p->kind == EMU_VERTEX_RAW_PREDICT && !strcmp(p->model, "count-tokens");
	const char *quota = serve_request_header(req, "x-goog-user-project");
	char msg[512];

	*model = NULL;
	if (authenticate(s, out, req, array))
		return -1;
	if (!our_project(&s->google, p->project)) {
		if (predicting)
			snprintf(msg, sizeof(msg), "Permission 'aiplatform.endpoints.predict' denied on "
				 "resource '//aiplatform.googleapis.com/projects/%.40s/locations/%.40s/"
				 "publishers/%.40s/models/%.64s' (or it may not exist).", p->project,
				 p->location, p->publisher, p->model);
		else
			snprintf(msg, sizeof(msg), "Permission denied on resource project %.40s.",
				 p->project);
		emu_google_error(out, 403, "PERMISSION_DENIED", msg, array);
		return -1;
	}
	/* A quota project is billed: it must be one the caller may use. */
	if (quota && !our_project(&s->google, quota)) {
		snprintf(msg, sizeof(msg), "Caller does not have required permission to use project "
			 "%.40s. Grant the caller the roles/serviceusage.serviceUsageConsumer role.",
			 quota);
		emu_google_error(out, 403, "PERMISSION_DENIED", msg, array);
		return -1;
	}
	if (!location_valid(p->location)) {
		snprintf(msg, sizeof(msg), "Unsupported location: %.40s.", p->location);
		emu_google_error(out, 400, "INVALID_ARGUMENT", msg, array);
		return -1;
	}
	if (strcmp(p->publisher, "anthropic") ||
	    (!count && !(*model = emu_vertex_model_find(NULL, 0, p->model)))) {
		snprintf(msg, sizeof(msg), MODEL_NOT_FOUND, p->project, p->location, p->publisher,
			 p->model);
		emu_google_error(out, 404, "NOT_FOUND", msg, array);
		return -1;
	}
	/* Vertex's global endpoint serves Claude Sonnet 4.5 and later only. */
	if (!count && !strcmp(p->location, "global") &&
	    !((*model)->features & BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL)) {
		snprintf(msg, sizeof(msg), MODEL_NOT_FOUND, p->project, p->location, p->publisher,
			 p->model);
		emu_google_error(out, 404, "NOT_FOUND", msg, array);
		return -1;
	}
	if (count && p->kind != EMU_VERTEX_RAW_PREDICT) {
		snprintf(msg, sizeof(msg), MODEL_NOT_FOUND, p->project, p->location, p->publisher,
			 p->model);
		emu_google_error(out, 404, "NOT_FOUND", msg, array);
		return -1;
	}
	if (p->kind == EMU_VERTEX_GEMINI) {
		/* What a Gemini-style call to a Claude model gets. */
		snprintf(msg, sizeof(msg), "Publisher Model `projects/%.40s/locations/%.40s/"
			 "publishers/anthropic/models/%.64s` is not supported in the %.40s API.",
			 p->project, p->location, p->model, p->verb);
		emu_google_error(out, 400, "FAILED_PRECONDITION", msg,
				 !strncmp(p->verb, "stream", 6));
		return -1;
	}
	if (p->kind == EMU_VERTEX_OTHER ||
	    ((predicting || p->kind == EMU_VERTEX_SET_CONFIG) && strcmp(req->method, "POST")) ||
	    (p->kind == EMU_VERTEX_FETCH_CONFIG && strcmp(req->method, "GET") &&
	     strcmp(req->method, "POST"))) {
		snprintf(msg, sizeof(msg), "The requested URL was not found on this server (%.40s "
			 "%.48s).", req->method, p->verb);
		emu_google_error(out, 404, "NOT_FOUND", msg, array);
		return -1;
	}
	return 0;
}

void emu_vertex_handle(emu_state *s, serve_response *out, const serve_request *req)
{
	emu_vertex_path p;
	const bedrock_model_info *model;
	char rid[40];

	if (emu_vertex_path_parse(&p, req->path)) {
		emu_google_error(out, 404, "NOT_FOUND",
				 "The requested URL was not found on this server.", 0);
		return;
	}
	if (route(s, out, req, &p, &model))
		return;
	request_id(rid, sizeof(rid), s);
	switch (p.kind) {
	case EMU_VERTEX_SET_CONFIG:
		emu_vertex_set_config(&s->google, out, req, &p, now_of(s));
		break;
	case EMU_VERTEX_FETCH_CONFIG:
		emu_vertex_fetch_config(&s->google, out, &p);
		break;
	default:
		predict(s, out, req, rid, &p, model);
		break;
	}
}

int emu_vertex_precheck(emu_state *s, serve_response *out, const serve_request *req)
{
	emu_vertex_path p;

	if (emu_vertex_path_parse(&p, req->path))
		return 0;
	return authenticate(s, out, req, p.kind == EMU_VERTEX_STREAM_RAW_PREDICT) ? 1 : 0;
}
