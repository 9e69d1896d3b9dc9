/* A GCE metadata server on the emulator's port, enough for Google's client
 * libraries to take it for Compute Engine (GCE_METADATA_HOST=HOST:PORT)
 * and get the default service account's token from it:
 *
 *   GET /computeMetadata/v1/instance                the probe (google-auth-library)
 *   GET /computeMetadata/v1/project/project-id      text
 *   GET .../project/numeric-project-id              text
 *   GET .../instance/service-accounts/default/token {"access_token","expires_in","token_type"}
 *   GET .../instance/service-accounts/default/email, scopes, aliases
 *   GET .../universe/universe-domain                googleapis.com
 *   GET /  (with the flavor header)                 the ping of google-auth for Python
 *
 * A directory answers with its entries one a line ("name/" for a
 * directory), "?recursive=true" with its whole subtree as JSON under
 * camelCase keys (numericProjectId) and "?alt=json" with JSON; the
 * service account is also reachable under its email. Every request needs
 * "Metadata-Flavor: Google" and every answer carries it, as on GCE. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "crypto.h"
#include "emu_google.h"
#include "model_internal.h"
#include "urlcode.h"

#define SEGMENTS_MAX 8

static void common_headers(serve_response *out, const char *content_type)
{
	serve_response_header(out, "Metadata-Flavor", "Google");
	serve_response_header(out, "Server", "Metadata Server for VM");
	serve_response_header(out, "Content-Type", content_type);
	serve_response_header(out, "X-XSS-Protection", "0");
	serve_response_header(out, "X-Frame-Options", "SAMEORIGIN");
}

static void reply(serve_response *out, int status, const char *content_type, const char *body)
{
	serve_response_dispose(out);
	serve_response_init(out, status);
	common_headers(out, content_type);
	serve_response_piece(out, body, strlen(body), 0);
}

static void refuse(serve_response *out, const char *why)
{
	char body[256];

	/* The path is the client's own and is not echoed back. */
	snprintf(body, sizeof(body), "Your client does not have permission to get this URL from "
		 "this server. %s\n", why);
	reply(out, 403, "text/plain; charset=utf-8", body);
}

static void not_found(serve_response *out)
{
	reply(out, 404, "text/plain; charset=utf-8", "Not Found\n");
}

/* The metadata this emulator serves. Keys as the server writes them;
 * null leaves are listed but dynamic (token) or not served (identity). */
static cJSON *tree(const emu_google *g)
{
	cJSON *root = cJSON_CreateObject(), *inst, *sas, *sa, *proj, *uni;
	char buf[160];
	uint64_t h = emu__mix(emu__fnv(EMU_FNV_INIT, g->project, strlen(g->project)) ^ 0x1d);

	inst = cJSON_AddObjectToObject(root, "instance");
	cJSON_AddObjectToObject(inst, "attributes");
	snprintf(buf, sizeof(buf), "emulator.c.%s.internal", g->project);
	cJSON_AddStringToObject(inst, "hostname", buf);
	cJSON_AddNumberToObject(inst, "id", (double)(100000000000000ULL + h % 900000000000000ULL));
	snprintf(buf, sizeof(buf), "projects/%s/machineTypes/e2-standard-2", g->numeric_project);
	cJSON_AddStringToObject(inst, "machine-type", buf);
	cJSON_AddStringToObject(inst, "name", "emulator");
	sas = cJSON_AddObjectToObject(inst, "service-accounts");
	sa = cJSON_AddObjectToObject(sas, "default");
	emu__put(sa, "aliases", cJSON_CreateStringArray((const char *[]){ "default" }, 1));
	cJSON_AddStringToObject(sa, "email", g->email);
	cJSON_AddNullToObject(sa, "identity");
	emu__put(sa, "scopes", cJSON_CreateStringArray((const char *[]){ EMU_GOOGLE_SCOPE }, 1));
	cJSON_AddNullToObject(sa, "token");
	/* The account also answers under its email. */
	emu__put(sas, g->email, cJSON_Duplicate(sa, 1));
	snprintf(buf, sizeof(buf), "projects/%s/zones/us-central1-a", g->numeric_project);
	cJSON_AddStringToObject(inst, "zone", buf);
	proj = cJSON_AddObjectToObject(root, "project");
	cJSON_AddObjectToObject(proj, "attributes");
	cJSON_AddNumberToObject(proj, "numeric-project-id", strtod(g->numeric_project, NULL));
	cJSON_AddStringToObject(proj, "project-id", g->project);
	uni = cJSON_AddObjectToObject(root, "universe");
	cJSON_AddStringToObject(uni, "universe-domain", "googleapis.com");
	return root;
}

/* "numeric-project-id" -> "numericProjectId". */
static void camel(char *out, size_t cap, const char *key)
{
	size_t n = 0;
	int up = 0;

	for (; *key && n + 1 < cap; key++) {
		if (*key == '-') {
			up = 1;
			continue;
		}
		out[n++] = up && *key >= 'a' && *key <= 'z' ? (char)(*key - 'a' + 'A') : *key;
		up = 0;
	}
	out[n] = '\0';
}

/* The subtree as recursive=true shows it: camelCase keys (but not the
 * names of service accounts and attributes, which are data), no null
 * leaves. */
static cJSON *recursive(const cJSON *node, int keep_keys)
{
	cJSON *o, *c;
	char key[128];

	if (!cJSON_IsObject(node))
		return cJSON_Duplicate(node, 1);
	o = cJSON_CreateObject();
	cJSON_ArrayForEach(c, node) {
		if (cJSON_IsNull(c))
			continue;
		if (keep_keys)
			snprintf(key, sizeof(key), "%s", c->string);
		else
			camel(key, sizeof(key), c->string);
		emu__put(o, key, recursive(c, !strcmp(c->string, "service-accounts") ||
					   !strcmp(c->string, "attributes")));
	}
	return o;
}

/* The buffer's text, now the caller's (NULL on ENOMEM). */
static char *detach(bedrock_buf *b)
{
	char *text;

	if (b->oom) {
		bedrock__buf_dispose(b);
		return NULL;
	}
	text = b->ptr ? b->ptr : strdup("");
	b->ptr = NULL;
	return text;
}

/* A leaf as text: a string as is, a number as an integer, a list one
 * item a line. */
static char *leaf_text(const cJSON *v)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	const cJSON *c;

	if (cJSON_IsString(v)) {
		bedrock__buf_puts(&b, v->valuestring);
	} else if (cJSON_IsNumber(v)) {
		bedrock__buf_printf(&b, "%.0f", v->valuedouble);
	} else {
		cJSON_ArrayForEach(c, v)
			if (cJSON_IsString(c))
				bedrock__buf_printf(&b, "%s\n", c->valuestring);
	}
	return detach(&b);
}

/* A directory's entries, one a line, or as a JSON list. */
static char *listing(const cJSON *dir, int json)
{
	cJSON *arr = cJSON_CreateArray(), *c;
	bedrock_buf b = BEDROCK_BUF_INIT;
	char *text;

	cJSON_ArrayForEach(c, dir) {
		bedrock__buf_printf(&b, "%s%s\n", c->string, cJSON_IsObject(c) ? "/" : "");
		if (json) {
			char name[160];

			snprintf(name, sizeof(name), "%s%s", c->string, cJSON_IsObject(c) ? "/" : "");
			emu__push(arr, cJSON_CreateString(name));
		}
	}
	if (!json) {
		cJSON_Delete(arr);
		return detach(&b);
	}
	bedrock__buf_dispose(&b);
	text = cJSON_PrintUnformatted(arr);
	cJSON_Delete(arr);
	return text;
}

static int query_is(const serve_request *req, const char *name, const char *value)
{
	char v[16];

	return bedrock__query_param(v, sizeof(v), req->query, name) == 1 && !strcmp(v, value);
}

static void token(emu_google *g, serve_response *out, long long now)
{
	char t[EMU_GOOGLE_TOKEN_MAX], body[160];
	long left = 0;

	if (emu_google_token_metadata(g, t, &left, now)) {
		reply(out, 500, "text/plain; charset=utf-8", "Internal Server Error\n");
		return;
	}
	snprintf(body, sizeof(body), "{\"access_token\":\"%s\",\"expires_in\":%ld,"
		 "\"token_type\":\"Bearer\"}", t, left);
	reply(out, 200, "application/json", body);
	bedrock__wipe(t, sizeof(t));
	bedrock__wipe(body, sizeof(body));
}

/* Splits "a/b%40c/d/" into decoded segments; *dir is 1 when it ends with
 * '/' (or is empty). -1 for an empty or undecodable segment, or too many. */
static int split(char seg[SEGMENTS_MAX][160], size_t *n, int *dir, const char *p)
{
	const char *slash;

	*n = 0;
	*dir = !*p || p[strlen(p) - 1] == '/';
	while (*p) {
		slash = strchr(p, '/');
		if (slash == p || *n == SEGMENTS_MAX ||
		    bedrock__url_decode(seg[*n], sizeof(seg[0]), p,
					slash ? (size_t)(slash - p) : strlen(p)))
			return -1;
		(*n)++;
		if (!slash)
			break;
		p = slash + 1;
	}
	return 0;
}

static void serve(emu_google *g, serve_response *out, const serve_request *req, const char *rest,
		  long long now)
{
	char seg[SEGMENTS_MAX][160], *text = NULL;
	cJSON *root, *node, *json;
	size_t n, i;
	int dir, as_json = query_is(req, "alt", "json"), rec = query_is(req, "recursive", "true");

	if (split(seg, &n, &dir, rest)) {
		not_found(out);
		return;
	}
	/* The token is made on demand; identity (ID) tokens are not served. */
	if (n == 4 && !dir && !strcmp(seg[0], "instance") && !strcmp(seg[1], "service-accounts") &&
	    (!strcmp(seg[2], "default") || !strcmp(seg[2], g->email))) {
		if (!strcmp(seg[3], "token")) {
			token(g, out, now);
			return;
		}
		if (!strcmp(seg[3], "identity")) {
			not_found(out);
			return;
		}
	}
	if (!(root = tree(g))) {
		reply(out, 500, "text/plain; charset=utf-8", "Internal Server Error\n");
		return;
	}
	for (node = root, i = 0; node && i < n; i++)
		node = cJSON_IsObject(node) ? cJSON_GetObjectItemCaseSensitive(node, seg[i]) : NULL;
	if (!node || cJSON_IsNull(node) || (dir && n && !cJSON_IsObject(node))) {
		cJSON_Delete(root);
		not_found(out);
		return;
	}
	if (rec || (as_json && !cJSON_IsObject(node))) {
		json = recursive(node, n >= 2 && (!strcmp(seg[n - 1], "service-accounts") ||
						  !strcmp(seg[n - 1], "attributes")));
		text = json ? cJSON_PrintUnformatted(json) : NULL;
		cJSON_Delete(json);
	} else if (cJSON_IsObject(node)) {
		text = listing(node, as_json);
	} else {
		text = leaf_text(node);
	}
	cJSON_Delete(root);
	if (!text)
		reply(out, 500, "text/plain; charset=utf-8", "Internal Server Error\n");
	else
		reply(out, 200, rec || as_json ? "application/json" : "application/text", text);
	free(text);
}

void emu_google_metadata(emu_google *g, serve_response *out, const serve_request *req,
			 long long now)
{
	const char *flavor = serve_request_header(req, "metadata-flavor");
	const char *p = req->path;

	if (!flavor || strcmp(flavor, "Google")) {
		refuse(out, "Missing Metadata-Flavor:Google header.");
		return;
	}
	/* GCE refuses what looks proxied: the server is for the VM alone. */
	if (serve_request_header(req, "x-forwarded-for")) {
		refuse(out, "Request had an X-Forwarded-For header.");
		return;
	}
	if (strcmp(req->method, "GET")) {
		reply(out, 405, "text/plain; charset=utf-8", "Method Not Allowed\n");
		serve_response_header(out, "Allow", "GET");
		return;
	}
	if (!strcmp(p, "/"))
		reply(out, 200, "application/text", "computeMetadata/\n");
	else if (!strcmp(p, "/computeMetadata") || !strcmp(p, "/computeMetadata/"))
		reply(out, 200, "application/text", "v1/\n");
	else if (!strcmp(p, "/computeMetadata/v1"))
		serve(g, out, req, "", now);
	else if (!strncmp(p, "/computeMetadata/v1/", 20))
		serve(g, out, req, p + 20, now);
	else
		not_found(out);
}
