/* An OAuth 2.0 token endpoint as Google's (oauth2.googleapis.com/token),
 * on the emulator's port at /token (and /oauth2/v4/token), for clients
 * whose token_uri (or oauth2TokenUrl) points here:
 *
 *   grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer&assertion=JWT
 *       a service account's signed JWT (emu_google_jwt_check);
 *   grant_type=refresh_token&refresh_token=R&client_id=C&client_secret=S
 *       an authorized user's refresh (gcloud application-default login);
 *       the client may also authenticate with HTTP Basic.
 *
 * Both answer {"access_token":"ya29.emulator-...","expires_in":3599,
 * "token_type":"Bearer"}, a token the Vertex front then accepts. Errors
 * are OAuth's {"error","error_description"}, status 400 (401 for a
 * client that does not authenticate), and never quote what was sent. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "base64.h"
#include "crypto.h"
#include "emu_google.h"
#include "urlcode.h"

#define FORM_MAX 65536
#define JWT_BEARER "urn:ietf:params:oauth:grant-type:jwt-bearer"
#define GOOGLE_TOKEN_URL "https://oauth2.googleapis.com/token"
#define SKEW 300

static int fail(emu_oauth_error *e, int status, const char *error, const char *description)
{
	e->status = status;
	e->error = error;
	snprintf(e->description, sizeof(e->description), "%s", description);
	return -1;
}

/* base64url without padding (RFC 7515 section 2) into a malloc'd
 * NUL-terminated buffer; NULL if it is not that. */
static uint8_t *b64url(size_t *n, const char *s, size_t len)
{
	char *std;
	uint8_t *out;
	size_t i, padded = (len + 3) / 4 * 4;

	if (len % 4 == 1 || !(std = malloc(padded + 1)))
		return NULL;
	for (i = 0; i < len; i++) {
		char c = s[i];

		if (c == '+' || c == '/' || c == '=') {
			free(std);
			return NULL;
		}
		std[i] = c == '-' ? '+' : c == '_' ? '/' : c;
	}
	for (; i < padded; i++)
		std[i] = '=';
	std[padded] = '\0';
	out = malloc(bedrock__base64_decoded_cap(padded));
	if (out && bedrock__base64_decode(out, n, std, padded)) {
		free(out);
		out = NULL;
	}
	free(std);
	return out;
}

/* One part of the JWT as a JSON object; NULL if it is not one. */
static cJSON *json_part(const char *s, size_t len)
{
	size_t n = 0;
	uint8_t *raw = b64url(&n, s, len);
	cJSON *o = raw ? cJSON_ParseWithLength((const char *)raw, n) : NULL;

	free(raw);
	if (o && !cJSON_IsObject(o)) {
		cJSON_Delete(o);
		o = NULL;
	}
	return o;
}

static const char *str(const cJSON *o, const char *key)
{
	const char *v = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));

	return v && *v ? v : NULL;
}

static int ends_with(const char *s, const char *tail)
{
	size_t a = strlen(s), b = strlen(tail);

	return a >= b && !strcmp(s + a - b, tail);
}

static int check_claims(emu_oauth_error *e, const cJSON *c, long long now)
{
	const cJSON *iat = cJSON_GetObjectItemCaseSensitive(c, "iat");
	const cJSON *exp = cJSON_GetObjectItemCaseSensitive(c, "exp");
	const char *iss = str(c, "iss"), *aud = str(c, "aud");

	if (!iss || !strchr(iss, '@'))
		return fail(e, 400, "invalid_grant",
			    "Invalid JWT: iss must be the service account's email.");
	if (!aud || (strcmp(aud, GOOGLE_TOKEN_URL) && !ends_with(aud, "/token")))
		return fail(e, 400, "invalid_grant", "Invalid JWT: Failed audience check. The "
			    "expected value was " GOOGLE_TOKEN_URL " (or this endpoint's URL).");
	if (!str(c, "scope"))
		return fail(e, 400, "invalid_scope",
			    "Invalid OAuth scope or ID token audience provided.");
	if (!cJSON_IsNumber(iat) || !cJSON_IsNumber(exp) || exp->valuedouble <= iat->valuedouble ||
	    exp->valuedouble - iat->valuedouble > 3600 || iat->valuedouble > (double)(now + SKEW) ||
	    exp->valuedouble <= (double)now)
		return fail(e, 400, "invalid_grant", "Invalid JWT: Token must be a short-lived token "
			    "(60 minutes) and in a reasonable timeframe. Check your iat and exp "
			    "values in the JWT claim.");
	return 0;
}

int emu_google_jwt_check(emu_oauth_error *e, const char *jwt, size_t len, long long now)
{
	const char *d1 = jwt ? memchr(jwt, '.', len) : NULL, *d2, *end = jwt + len;
	cJSON *head = NULL, *claims = NULL;
	uint8_t *sig = NULL;
	const char *alg, *typ;
	size_t sig_len = 0;
	int rc = -1;

	memset(e, 0, sizeof(*e));
	d2 = d1 ? memchr(d1 + 1, '.', (size_t)(end - d1 - 1)) : NULL;
	if (!d2 || memchr(d2 + 1, '.', (size_t)(end - d2 - 1)) || d1 == jwt || d2 == d1 + 1 ||
	    d2 + 1 == end)
		return fail(e, 400, "invalid_grant",
			    "Invalid JWT: the assertion is not three base64url parts.");
	if (!(head = json_part(jwt, (size_t)(d1 - jwt))) ||
	    !(claims = json_part(d1 + 1, (size_t)(d2 - d1 - 1)))) {
		fail(e, 400, "invalid_grant",
		     "Invalid JWT: the header or the claims are not base64url JSON objects.");
		goto done;
	}
	alg = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head, "alg"));
	typ = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(head, "typ"));
	if (!alg || strcmp(alg, "RS256") ||
	    (cJSON_GetObjectItemCaseSensitive(head, "typ") && (!typ || strcmp(typ, "JWT")))) {
		fail(e, 400, "invalid_grant", "Invalid JWT: the header must say alg RS256 "
		     "(and typ JWT).");
		goto done;
	}
	if (check_claims(e, claims, now))
		goto done;
	sig = b64url(&sig_len, d2 + 1, (size_t)(end - d2 - 1));
	if (!sig || sig_len < 128 || sig_len > 1024) {
		fail(e, 400, "invalid_grant", "Invalid JWT Signature.");
		goto done;
	}
	rc = 0;
done:
	cJSON_Delete(head);
	cJSON_Delete(claims);
	free(sig);
	return rc;
}

/* ---- the endpoint ------------------------------------------------------ */

static void json_reply(serve_response *out, int status, cJSON *o)
{
	char *text = o ? cJSON_PrintUnformatted(o) : NULL;

	serve_response_dispose(out);
	serve_response_init(out, text ? status : 500);
	serve_response_header(out, "Content-Type", "application/json; charset=utf-8");
	serve_response_header(out, "Cache-Control", "no-cache, no-store, max-age=0, must-revalidate");
	serve_response_header(out, "Pragma", "no-cache");
	if (text) {
		serve_response_piece(out, text, strlen(text), 0);
		bedrock__wipe(text, strlen(text));
	}
	free(text);
	cJSON_Delete(o);
}

static void oauth_error(serve_response *out, const emu_oauth_error *e)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "error", e->error);
	cJSON_AddStringToObject(o, "error_description", e->description);
	json_reply(out, e->status, o);
}

static void simple_error(serve_response *out, int status, const char *error, const char *text)
{
	emu_oauth_error e;

	fail(&e, status, error, text);
	oauth_error(out, &e);
}

/* A form field, percent- and '+'-decoded, malloc'd; NULL if absent or
 * undecodable (*bad then set). */
static char *field(const char *form, size_t cap, const char *name, int *bad)
{
	char *v = malloc(cap);
	int rc = v ? bedrock__query_param(v, cap, form, name) : -1;

	if (rc == 1)
		return v;
	if (rc < 0)
		*bad = 1;
	free(v);
	return NULL;
}

static void grant(emu_google *g, serve_response *out, long long now, int with_scope)
{
	char t[EMU_GOOGLE_TOKEN_MAX];
	cJSON *o;

	if (emu_google_token_issue(g, t, now)) {
		simple_error(out, 500, "internal_failure", "No token could be issued.");
		return;
	}
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "access_token", t);
	cJSON_AddNumberToObject(o, "expires_in", EMU_GOOGLE_TOKEN_LIFETIME - 1);
	if (with_scope)
		cJSON_AddStringToObject(o, "scope", EMU_GOOGLE_SCOPE);
	cJSON_AddStringToObject(o, "token_type", "Bearer");
	bedrock__wipe(t, sizeof(t));
	json_reply(out, 200, o);
}

/* client_id and client_secret from the form, or from HTTP Basic. */
static int client(char **id, char **secret, const serve_request *req, const char *form, size_t cap,
		  int *bad)
{
	const char *authz = serve_request_header(req, "authorization");

	*id = field(form, cap, "client_id", bad);
	*secret = field(form, cap, "client_secret", bad);
	if (!*id && authz && !strncasecmp(authz, "Basic ", 6)) {
		size_t len = strlen(authz + 6), n = 0;
		uint8_t *raw = malloc(bedrock__base64_decoded_cap(len));
		char *colon;

		if (raw && !bedrock__base64_decode(raw, &n, authz + 6, len) &&
		    (colon = strchr((char *)raw, ':')) != NULL && colon > (char *)raw) {
			*colon = '\0';
			*id = strdup((char *)raw);
			free(*secret);
			*secret = colon[1] ? strdup(colon + 1) : NULL;
		}
		if (raw)
			bedrock__wipe(raw, n);
		free(raw);
	}
	return *id && *secret;
}

static void token_request(emu_google *g, serve_response *out, const serve_request *req,
			  const char *form, long long now)
{
	size_t cap = strlen(form) + 1;
	int bad = 0;
	char *type = field(form, cap, "grant_type", &bad), *a = NULL, *b = NULL;
	emu_oauth_error e;

	if (bad) {
		simple_error(out, 400, "invalid_request", "The request body is not valid form data.");
	} else if (!type) {
		simple_error(out, 400, "invalid_request", "Missing required parameter: grant_type");
	} else if (!strcmp(type, JWT_BEARER)) {
		a = field(form, cap, "assertion", &bad);
		if (!a)
			simple_error(out, 400, "invalid_request",
				     "Missing required parameter: assertion");
		else if (emu_google_jwt_check(&e, a, strlen(a), now))
			oauth_error(out, &e);
		else
			grant(g, out, now, 0);
	} else if (!strcmp(type, "refresh_token")) {
		char *refresh = field(form, cap, "refresh_token", &bad);

		if (!refresh || !*refresh)
			simple_error(out, 400, "invalid_request",
				     "Missing required parameter: refresh_token");
		else if (!client(&a, &b, req, form, cap, &bad))
			simple_error(out, 401, "invalid_client", a ? "client_secret is missing."
				     : "Could not determine client ID from request.");
		else
			grant(g, out, now, 1);
		if (refresh)
			bedrock__wipe(refresh, strlen(refresh));
		free(refresh);
	} else {
		simple_error(out, 400, "unsupported_grant_type", "Invalid grant_type.");
	}
	if (a)
		bedrock__wipe(a, strlen(a));
	if (b)
		bedrock__wipe(b, strlen(b));
	free(a);
	free(b);
	free(type);
}

void emu_google_oauth(emu_google *g, serve_response *out, const serve_request *req, long long now)
{
	const char *ct = serve_request_header(req, "content-type");
	char *form;
	size_t i;

	if (strcmp(req->method, "POST")) {
		simple_error(out, 405, "invalid_request", "The token endpoint takes POST only.");
		serve_response_header(out, "Allow", "POST");
		return;
	}
	if (ct && strncasecmp(ct, "application/x-www-form-urlencoded", 33)) {
		simple_error(out, 400, "invalid_request",
			     "Content-Type must be application/x-www-form-urlencoded.");
		return;
	}
	if (req->body_len > FORM_MAX || memchr(req->body, '\0', req->body_len)) {
		simple_error(out, 400, "invalid_request", "The request body is not valid form data.");
		return;
	}
	if (!(form = malloc(req->body_len + 1))) {
		simple_error(out, 500, "internal_failure", "Out of memory.");
		return;
	}
	/* In a form '+' is a space ("%2B" is a plus, and stays one). */
	for (i = 0; i < req->body_len; i++)
		form[i] = req->body[i] == '+' ? ' ' : (char)req->body[i];
	form[req->body_len] = '\0';
	token_request(g, out, req, form, now);
	bedrock__wipe(form, req->body_len);
	free(form);
}
