/* The emulator's Vertex front and Google side, without sockets: path
 * parsing, Vertex model ids, Google's error shape, the fault mapping, the
 * JWT-bearer assertion check, the token store against a test clock (a
 * token stops opening Vertex when its hour is up), the stream with its
 * vertex_events and faults, and the handler end to end. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "harness.h"
#include "base64.h"
#include "bedrock/sse.h"
#include "emu_handler.h"
#include "vertex_front.h"

static long long clock_now = 1800000000;

static long long test_clock(void)
{
	return clock_now;
}

static void test_emulate_vertex__paths(void **state)
{
	emu_vertex_path p;

	(void)state;
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p-1/locations/us-east5/publishers/"
					       "anthropic/models/claude-sonnet-4-5@20250929:rawPredict"), 0);
	assert_string_equal(p.version, "v1");
	assert_string_equal(p.project, "p-1");
	assert_string_equal(p.location, "us-east5");
	assert_string_equal(p.publisher, "anthropic");
	assert_string_equal(p.model, "claude-sonnet-4-5@20250929");
	assert_string_equal(p.verb, "rawPredict");
	assert_int_equal(p.kind, EMU_VERTEX_RAW_PREDICT);
	assert_int_equal(emu_vertex_path_parse(&p, "/projects/p/locations/global/publishers/anthropic/"
					       "models/claude-opus-4-6%3AstreamRawPredict"), 0);
	assert_string_equal(p.version, "");
	assert_string_equal(p.model, "claude-opus-4-6");
	assert_int_equal(p.kind, EMU_VERTEX_STREAM_RAW_PREDICT);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1beta1/projects/p/locations/eu/publishers/"
					       "anthropic/models/m%40x:setPublisherModelConfig"), 0);
	assert_string_equal(p.version, "v1beta1");
	assert_string_equal(p.model, "m@x");
	assert_int_equal(p.kind, EMU_VERTEX_SET_CONFIG);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/google/"
					       "models/gemini:streamGenerateContent"), 0);
	assert_int_equal(p.kind, EMU_VERTEX_GEMINI);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/a/"
					       "models/m:whatever"), 0);
	assert_int_equal(p.kind, EMU_VERTEX_OTHER);
	/* Not of the shape. */
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/a/"
					       "models/m"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/a/"
					       "models/:rawPredict"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/a/"
					       "models/m:"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects//locations/l/publishers/a/"
					       "models/m:rawPredict"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p/locations/l/publishers/a/"
					       "models/m:rawPredict/extra"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v2/projects/p/locations/l/publishers/a/"
					       "models/m:rawPredict"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, "/v1/projects/p%zz/locations/l/publishers/a/"
					       "models/m:rawPredict"), -1);
	assert_int_equal(emu_vertex_path_parse(&p, NULL), -1);
	assert_true(emu_vertex_owns("/projects/x"));
	assert_true(emu_vertex_owns("/v1/projects/x"));
	assert_true(emu_vertex_owns("/v1beta1/projects/"));
	assert_false(emu_vertex_owns("/v1/messages"));
	assert_false(emu_vertex_owns("/v1/projectsx"));
	assert_false(emu_vertex_owns("/model/x/invoke"));
}

static void test_emulate_vertex__models(void **state)
{
	char id[EMU_ANTHROPIC_MODEL_ID_MAX];
	const bedrock_model_info *m;
	size_t i;

	(void)state;
	assert_non_null(m = emu_vertex_model_find(id, sizeof(id), "claude-sonnet-4-5@20250929"));
	assert_string_equal(id, "claude-sonnet-4-5-20250929");
	assert_ptr_equal(emu_vertex_model_find(id, sizeof(id), "claude-sonnet-4-5"), m);
	assert_non_null(emu_vertex_model_find(id, sizeof(id), "claude-opus-4-6"));
	assert_string_equal(id, "claude-opus-4-6");
	/* Other platforms' ids, partial ids and nothing are not Vertex models. */
	assert_null(emu_vertex_model_find(id, sizeof(id), "claude-sonnet-4-5-20250929"));
	assert_string_equal(id, "");
	assert_null(emu_vertex_model_find(id, sizeof(id), "anthropic.claude-opus-4-6-v1"));
	assert_null(emu_vertex_model_find(id, sizeof(id), "claude-sonnet-4-5@2025"));
	assert_null(emu_vertex_model_find(id, sizeof(id), "claude-sonnet"));
	assert_null(emu_vertex_model_find(id, sizeof(id), ""));
	assert_null(emu_vertex_model_find(id, sizeof(id), NULL));
	/* Every catalog model is found by its Vertex id. */
	for (i = 0; (m = bedrock_models_at(i)) != NULL; i++) {
		char v[EMU_ANTHROPIC_MODEL_ID_MAX];

		assert_int_equal(bedrock_model_platform_id(v, sizeof(v), m, BEDROCK_PLATFORM_VERTEX), 0);
		assert_ptr_equal(emu_vertex_model_find(NULL, 0, v), m);
	}
}

static void test_emulate_vertex__errors(void **state)
{
	static const struct {
		const char *fault;
		int status, google;
		const char *type;
	} map[] = {
		{ "throttle", 429, 1, "RESOURCE_EXHAUSTED" }, { "unavailable", 503, 1, "UNAVAILABLE" },
		{ "not-ready", 503, 1, "UNAVAILABLE" }, { "internal", 500, 1, "INTERNAL" },
		{ "no-retry", 500, 1, "INTERNAL" }, { "access-denied", 403, 1, "PERMISSION_DENIED" },
		{ "retry-400", 400, 1, "INVALID_ARGUMENT" }, { "overloaded", 529, 0, "overloaded_error" },
		{ "model-error", 500, 0, "api_error" }, { "model-timeout", 504, 0, "timeout_error" },
	};
	static const char *const not_errors[] = { "reset", "reset-after=2", "slow=5", "truncate",
						  "corrupt-crc", "stream-exception=throttlingException" };
	emu_vertex_fault_error e;
	serve_response r;
	emu_fault f;
	char err[128], *j;
	size_t i;

	(void)state;
	j = emu_google_error_json(429, "RESOURCE_EXHAUSTED", "Quota", 0);
	assert_string_equal(j, "{\"error\":{\"code\":429,\"message\":\"Quota\","
			       "\"status\":\"RESOURCE_EXHAUSTED\"}}");
	free(j);
	j = emu_google_error_json(401, "UNAUTHENTICATED", "No", 1);
	assert_string_equal(j, "[{\"error\":{\"code\":401,\"message\":\"No\","
			       "\"status\":\"UNAUTHENTICATED\"}}]");
	free(j);
	serve_response_init(&r, 500);
	emu_google_error(&r, 404, "NOT_FOUND", "x", 1);
	assert_int_equal(r.status, 404);
	assert_int_equal(r.piece_count, 1);
	assert_int_equal(r.pieces[0].data[0], '[');
	serve_response_dispose(&r);
	for (i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		assert_int_equal(emu_fault_parse(&f, map[i].fault, err, sizeof(err)), 0);
		assert_int_equal(emu_vertex_fault_to_error(&e, &f), 1);
		assert_int_equal(e.status, map[i].status);
		assert_int_equal(e.google, map[i].google);
		assert_string_equal(e.type, map[i].type);
		assert_true(e.message && *e.message);
	}
	assert_int_equal(emu_fault_parse(&f, "no-retry", err, sizeof(err)), 0);
	emu_vertex_fault_to_error(&e, &f);
	assert_string_equal(e.should_retry, "false");
	assert_int_equal(emu_fault_parse(&f, "retry-400", err, sizeof(err)), 0);
	emu_vertex_fault_to_error(&e, &f);
	assert_string_equal(e.should_retry, "true");
	for (i = 0; i < sizeof(not_errors) / sizeof(not_errors[0]); i++) {
		assert_int_equal(emu_fault_parse(&f, not_errors[i], err, sizeof(err)), 0);
		assert_int_equal(emu_vertex_fault_to_error(&e, &f), 0);
	}
}

/* base64url of text, no padding, appended to out. */
static void b64url(char *out, const char *text, size_t len)
{
	char *enc = malloc(bedrock__base64_encoded_len(len) + 1);
	size_t n = bedrock__base64_encode(enc, text, len), i, o = strlen(out);

	for (i = 0; i < n && enc[i] != '='; i++)
		out[o++] = enc[i] == '+' ? '-' : enc[i] == '/' ? '_' : enc[i];
	out[o] = '\0';
	free(enc);
}

/* A JWT with that header and claims and a sig_len-byte signature. */
static char *make_jwt(const char *header, const char *claims, size_t sig_len)
{
	char *out = calloc(1, 8192), *sig = calloc(1, sig_len + 1);

	memset(sig, 0x5a, sig_len);
	b64url(out, header, strlen(header));
	strcat(out, ".");
	b64url(out, claims, strlen(claims));
	strcat(out, ".");
	b64url(out, sig, sig_len);
	free(sig);
	return out;
}

static int jwt_rc(const char *header, const char *claims, size_t sig_len, const char **error)
{
	emu_oauth_error e;
	char *jwt = make_jwt(header, claims, sig_len);
	int rc = emu_google_jwt_check(&e, jwt, strlen(jwt), 1000000);

	*error = e.error;
	if (rc)
		assert_null(strstr(e.description, jwt));
	free(jwt);
	return rc;
}

static void test_emulate_vertex__jwt(void **state)
{
	static const char head[] = "{\"alg\":\"RS256\",\"typ\":\"JWT\",\"kid\":\"k1\"}";
	static const char good[] = "{\"iss\":\"sa@p.iam.gserviceaccount.com\",\"scope\":"
				   "\"https://www.googleapis.com/auth/cloud-platform\",\"aud\":"
				   "\"https://oauth2.googleapis.com/token\",\"iat\":999990,\"exp\":1003590}";
	const char *error = NULL;
	emu_oauth_error e;

	(void)state;
	assert_int_equal(jwt_rc(head, good, 256, &error), 0);
	assert_int_equal(jwt_rc("{\"alg\":\"RS256\"}", good, 512, &error), 0);	/* typ optional */
	assert_int_equal(jwt_rc(head, good, 127, &error), -1);
	assert_string_equal(error, "invalid_grant");
	assert_int_equal(jwt_rc(head, good, 1025, &error), -1);
	assert_int_equal(jwt_rc("{\"alg\":\"none\"}", good, 256, &error), -1);
	assert_int_equal(jwt_rc("{\"alg\":\"RS256\",\"typ\":\"at+jwt\"}", good, 256, &error), -1);
	assert_int_equal(jwt_rc("[1]", good, 256, &error), -1);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"sa@p\",\"aud\":\"https://x/token\",\"iat\":999990,"
				"\"exp\":1003590}", 256, &error), -1);
	assert_string_equal(error, "invalid_scope");
	assert_int_equal(jwt_rc(head, "{\"iss\":\"sa@p\",\"scope\":\"s\",\"aud\":\"http://127.0.0.1:9/"
				"token\",\"iat\":999990,\"exp\":1003590}", 256, &error), 0);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"sa@p\",\"scope\":\"s\",\"aud\":\"https://evil/\","
				"\"iat\":999990,\"exp\":1003590}", 256, &error), -1);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"sa\",\"scope\":\"s\",\"aud\":\"https://x/token\","
				"\"iat\":999990,\"exp\":1003590}", 256, &error), -1);
	/* Times: exp after iat by an hour at most; iat not ahead; not expired. */
	assert_int_equal(jwt_rc(head, "{\"iss\":\"a@b\",\"scope\":\"s\",\"aud\":\"https://x/token\","
				"\"iat\":999990,\"exp\":1003591}", 256, &error), -1);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"a@b\",\"scope\":\"s\",\"aud\":\"https://x/token\","
				"\"iat\":1000301,\"exp\":1003000}", 256, &error), -1);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"a@b\",\"scope\":\"s\",\"aud\":\"https://x/token\","
				"\"iat\":996000,\"exp\":1000000}", 256, &error), -1);
	assert_int_equal(jwt_rc(head, "{\"iss\":\"a@b\",\"scope\":\"s\",\"aud\":\"https://x/token\","
				"\"iat\":\"999990\",\"exp\":1003590}", 256, &error), -1);
	/* Shapes. */
	assert_int_equal(emu_google_jwt_check(&e, "a.b", 3, 1000000), -1);
	assert_int_equal(emu_google_jwt_check(&e, "a.b.c.d", 7, 1000000), -1);
	assert_int_equal(emu_google_jwt_check(&e, "..", 2, 1000000), -1);
	assert_int_equal(emu_google_jwt_check(&e, "", 0, 1000000), -1);
	assert_int_equal(emu_google_jwt_check(&e, NULL, 0, 1000000), -1);
	assert_int_equal(emu_google_jwt_check(&e, "e30.e30.AAAA=", 13, 1000000), -1);
	assert_string_equal(e.error, "invalid_grant");
	assert_int_equal(e.status, 400);
}

static void test_emulate_vertex__tokens(void **state)
{
	emu_google g;
	char t[EMU_GOOGLE_TOKEN_MAX], u[EMU_GOOGLE_TOKEN_MAX], m[EMU_GOOGLE_TOKEN_MAX];
	char *given[] = { "given-1" };
	long left = 0;
	size_t i;

	(void)state;
	assert_int_equal(emu_google_init(&g, NULL), 0);
	assert_string_equal(g.project, EMU_GOOGLE_DEFAULT_PROJECT);
	assert_int_equal(strlen(g.numeric_project), 12);
	g.tokens = given;
	g.token_count = 1;
	assert_int_equal(emu_google_token_issue(&g, t, 1000), 0);
	assert_int_equal(emu_google_token_issue(&g, u, 1000), 0);
	assert_int_equal(strncmp(t, EMU_GOOGLE_TOKEN_PREFIX, strlen(EMU_GOOGLE_TOKEN_PREFIX)), 0);
	assert_int_equal(strlen(t), strlen(EMU_GOOGLE_TOKEN_PREFIX) + 43);
	assert_string_not_equal(t, u);
	assert_true(emu_google_token_valid(&g, t, 1000));
	assert_true(emu_google_token_valid(&g, u, 4599));
	assert_false(emu_google_token_valid(&g, u, 4600));	/* its hour is up */
	assert_true(emu_google_token_valid(&g, "given-1", 99999999));
	assert_false(emu_google_token_valid(&g, "given-2", 1000));
	assert_false(emu_google_token_valid(&g, EMU_GOOGLE_TOKEN_PREFIX "x", 1000));
	assert_false(emu_google_token_valid(&g, "", 1000));
	assert_false(emu_google_token_valid(&g, NULL, 1000));
	/* The metadata server's token stays while it has 10 minutes left. */
	assert_int_equal(emu_google_token_metadata(&g, m, &left, 1000), 0);
	assert_int_equal(left, 3600);
	assert_int_equal(emu_google_token_metadata(&g, u, &left, 3999), 0);
	assert_string_equal(u, m);
	assert_int_equal(left, 601);
	assert_int_equal(emu_google_token_metadata(&g, u, &left, 4001), 0);
	assert_string_not_equal(u, m);
	assert_int_equal(left, 3600);
	assert_true(emu_google_token_valid(&g, m, 4001));	/* the old one still works */
	/* The store keeps the newest tokens only. */
	for (i = 0; i < EMU_GOOGLE_TOKENS_KEPT; i++)
		assert_int_equal(emu_google_token_issue(&g, u, 2000), 0);
	assert_false(emu_google_token_valid(&g, t, 2000));
	assert_true(emu_google_token_valid(&g, u, 2000));
	emu_google_dispose(&g);

	assert_true(emu_google_project_valid("emulator-project"));
	assert_true(emu_google_project_valid("abc123"));
	assert_false(emu_google_project_valid("abc12"));
	assert_false(emu_google_project_valid("1abcdef"));
	assert_false(emu_google_project_valid("abcdef-"));
	assert_false(emu_google_project_valid("Abcdefg"));
	assert_false(emu_google_project_valid("abcdefghijabcdefghijabcdefghijk"));
	assert_false(emu_google_project_valid(NULL));
}

/* ---- the handler ---- */

static emu_state *new_state(void)
{
	emu_state *s = calloc(1, sizeof(*s));

	s->auth.region = "us-east-1";
	s->auth.max_skew_seconds = 300;
	s->now = test_clock;
	emu_faults_init(&s->faults);
	emu_replay_init(&s->replay);
	emu_control_init(&s->control, "us-east-1");
	assert_int_equal(emu_google_init(&s->google, NULL), 0);
	return s;
}

static void free_state(emu_state *s)
{
	emu_faults_dispose(&s->faults);
	emu_replay_dispose(&s->replay);
	emu_control_dispose(&s->control);
	emu_google_dispose(&s->google);
	free(s);
}

static const char *header(const serve_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->header_count; i++)
		if (!strcasecmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static char *call(serve_response *r, emu_state *s, const char *method, const char *path,
		  const char *query, const serve_header *h, size_t nh, const char *body)
{
	serve_request req;
	char *text;
	size_t i, n = 0;

	memset(&req, 0, sizeof(req));
	req.method = method;
	req.path = path;
	req.query = query ? query : "";
	req.headers = h;
	req.header_count = nh;
	req.body = (const uint8_t *)(body ? body : "");
	req.body_len = body ? strlen(body) : 0;
	req.peer = "test";
	/* The server's head-only check first, as it runs it. */
	serve_response_init(r, 500);
	if (emu_precheck(r, &req, s)) {
		assert_true(r->status >= 400 && r->status < 500);
	} else {
		serve_response_dispose(r);
		serve_response_init(r, 500);
		emu_handle(r, &req, s);
	}
	for (i = 0; i < r->piece_count; i++)
		n += r->pieces[i].len;
	text = calloc(1, n + 1);
	for (n = 0, i = 0; i < r->piece_count; i++) {
		memcpy(text + n, r->pieces[i].data, r->pieces[i].len);
		n += r->pieces[i].len;
	}
	return text;
}

/* The event names of an SSE body, "a b c". */
static char *names_of(const char *body)
{
	bedrock_sse_decoder *d;
	bedrock_sse_event ev;
	size_t len = 0;
	char *names = calloc(1, 4096);

	assert_int_equal(bedrock_sse_decoder_new(&d, NULL), 0);
	bedrock_sse_decoder_feed(d, body, strlen(body));
	while (bedrock_sse_decoder_next(&ev, d) == 0)
		len += (size_t)snprintf(names + len, 4096 - len, "%s%s", len ? " " : "", ev.event);
	bedrock_sse_decoder_free(d);
	return names;
}

#define PATH "/v1/projects/emulator-project/locations/us-east5/publishers/anthropic/models/"
#define HELLO "{\"anthropic_version\":\"vertex-2023-10-16\",\"max_tokens\":50,\"messages\":" \
	"[{\"role\":\"user\",\"content\":\"Hello, world%s\"}]%s}"

static void test_emulate_vertex__handler(void **state)
{
	emu_state *s = new_state();
	serve_header md[1] = { { "Metadata-Flavor", "Google" } }, auth[1];
	char bearer[EMU_GOOGLE_TOKEN_MAX + 16], body[512], *text, *names;
	cJSON *tok;
	serve_response r;

	(void)state;
	/* A token from the metadata server opens the Vertex routes. */
	text = call(&r, s, "GET", "/computeMetadata/v1/instance/service-accounts/default/token",
		    "scopes=x", md, 1, NULL);
	assert_int_equal(r.status, 200);
	assert_string_equal(header(&r, "Metadata-Flavor"), "Google");
	tok = cJSON_Parse(text);
	snprintf(bearer, sizeof(bearer), "Bearer %s",
		 cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(tok, "access_token")));
	cJSON_Delete(tok);
	free(text);
	serve_response_dispose(&r);
	auth[0].name = "Authorization";
	auth[0].value = bearer;

	snprintf(body, sizeof(body), HELLO, "", "");
	text = call(&r, s, "POST", PATH "claude-sonnet-4-5@20250929:rawPredict", NULL, auth, 1, body);
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(text, "\"text\":\"You said: Hello, world\""));
	assert_non_null(strstr(text, "\"id\":\"msg_vrtx_01"));
	assert_true(!strncmp(header(&r, "request-id"), "req_vrtx_011", 12));
	free(text);
	serve_response_dispose(&r);

	/* The stream: vertex_event after message_start, and before message_delta. */
	snprintf(body, sizeof(body), HELLO, "", ",\"stream\":true");
	text = call(&r, s, "POST", PATH "claude-sonnet-4-5@20250929:streamRawPredict", NULL, auth,
		    1, body);
	assert_int_equal(r.status, 200);
	assert_true(r.streaming);
	names = names_of(text);
	assert_string_equal(names, "message_start vertex_event content_block_start ping "
			    "content_block_delta content_block_delta content_block_delta "
			    "content_block_delta content_block_delta content_block_delta "
			    "content_block_stop vertex_event message_delta message_stop");
	free(names);
	free(text);
	serve_response_dispose(&r);

	/* Stream faults hit the Messages events, vertex_events stay. */
	snprintf(body, sizeof(body), HELLO, " [[emulate:fault=stream-exception=throttlingException]]",
		 ",\"stream\":true");
	text = call(&r, s, "POST", PATH "claude-opus-4-6:streamRawPredict", NULL, auth, 1, body);
	names = names_of(text);
	assert_string_equal(names, "message_start vertex_event content_block_start ping error");
	assert_non_null(strstr(text, "{\"type\":\"error\",\"error\":{\"details\":null,"
				     "\"type\":\"rate_limit_error\""));
	free(names);
	free(text);
	serve_response_dispose(&r);
	snprintf(body, sizeof(body), HELLO, " [[emulate:fault=slow=7]]", ",\"stream\":true");
	text = call(&r, s, "POST", PATH "claude-opus-4-6:streamRawPredict", NULL, auth, 1, body);
	assert_int_equal(r.pieces[1].delay_ms, 7);	/* the vertex_event too */
	assert_int_equal(r.pieces[r.piece_count - 1].delay_ms, 7);
	free(text);
	serve_response_dispose(&r);
	snprintf(body, sizeof(body), HELLO, " [[emulate:fault=throttle]]", ",\"stream\":true");
	text = call(&r, s, "POST", PATH "claude-opus-4-6:streamRawPredict", NULL, auth, 1, body);
	assert_int_equal(r.status, 429);
	assert_true(text[0] == '[' && strstr(text, "\"status\":\"RESOURCE_EXHAUSTED\""));
	assert_null(header(&r, "request-id"));
	free(text);
	serve_response_dispose(&r);
	snprintf(body, sizeof(body), HELLO, " [[emulate:fault=overloaded]]", "");
	text = call(&r, s, "POST", PATH "claude-opus-4-6:rawPredict", NULL, auth, 1, body);
	assert_int_equal(r.status, 529);
	assert_non_null(strstr(text, "\"type\":\"overloaded_error\""));
	assert_non_null(header(&r, "request-id"));
	free(text);
	serve_response_dispose(&r);

	/* No token, and a token after its hour: 401 from the head alone. */
	snprintf(body, sizeof(body), HELLO, "", "");
	text = call(&r, s, "POST", PATH "claude-opus-4-6:rawPredict", NULL, NULL, 0, body);
	assert_int_equal(r.status, 401);
	assert_non_null(strstr(text, "\"status\":\"UNAUTHENTICATED\""));
	free(text);
	serve_response_dispose(&r);
	clock_now += 3600;
	text = call(&r, s, "POST", PATH "claude-opus-4-6:rawPredict", NULL, auth, 1, body);
	assert_int_equal(r.status, 401);
	free(text);
	serve_response_dispose(&r);
	clock_now -= 3600;

	/* count-tokens, the model in the body. */
	text = call(&r, s, "POST", PATH "count-tokens:rawPredict", NULL, auth, 1,
		    "{\"anthropic_version\":\"vertex-2023-10-16\",\"model\":\"claude-opus-4-6\","
		    "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	assert_int_equal(r.status, 200);
	assert_string_equal(text, "{\"input_tokens\":3}");
	free(text);
	serve_response_dispose(&r);

	/* The logging configuration, stored and read back. */
	text = call(&r, s, "POST", PATH "claude-opus-4-6:setPublisherModelConfig", NULL, auth, 1,
		    "{\"publisherModelConfig\":{\"loggingConfig\":{\"enabled\":true,\"samplingRate\":1,"
		    "\"bigqueryDestination\":{\"outputUri\":\"bq://p.d.t\"}}}}");
	assert_int_equal(r.status, 200);
	assert_non_null(strstr(text, "\"done\":true"));
	assert_non_null(strstr(text, "\"createTime\":\"2027-01-15T08:00:00Z\""));
	free(text);
	serve_response_dispose(&r);
	text = call(&r, s, "GET", PATH "claude-opus-4-6:fetchPublisherModelConfig", NULL, auth, 1,
		    NULL);
	assert_string_equal(text, "{\"loggingConfig\":{\"enabled\":true,\"samplingRate\":1,"
			    "\"bigqueryDestination\":{\"outputUri\":\"bq://p.d.t\"}}}");
	free(text);
	serve_response_dispose(&r);

	/* The token endpoint's refusals; the Bedrock front is untouched. */
	text = call(&r, s, "POST", "/token", NULL, NULL, 0, "grant_type=urn%3Aietf%3Aparams%3Aoauth"
		    "%3Agrant-type%3Ajwt-bearer&assertion=e30.e30.e30");
	assert_int_equal(r.status, 400);
	assert_non_null(strstr(text, "\"error\":\"invalid_grant\""));
	free(text);
	serve_response_dispose(&r);
	text = call(&r, s, "POST", "/model/x/invoke", NULL, auth, 1, body);
	assert_true(r.status == 403 || r.status == 400);
	assert_non_null(header(&r, "x-amzn-RequestId"));
	free(text);
	serve_response_dispose(&r);
	free_state(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_emulate_vertex__paths),
		cmocka_unit_test(test_emulate_vertex__models),
		cmocka_unit_test(test_emulate_vertex__errors),
		cmocka_unit_test(test_emulate_vertex__jwt),
		cmocka_unit_test(test_emulate_vertex__tokens),
		cmocka_unit_test(test_emulate_vertex__handler),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
