/* The emulator's Google identity and tokens (emu_google.h), and the
 * dispatch to its metadata server and token endpoint. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "crypto.h"
#include "emu_google.h"
#include "model_internal.h"

int emu_google_project_valid(const char *p)
{
	size_t n = p ? strlen(p) : 0, i;

	if (n < 6 || n > 30 || p[0] < 'a' || p[0] > 'z' || p[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!((p[i] >= 'a' && p[i] <= 'z') || (p[i] >= '0' && p[i] <= '9') || p[i] == '-'))
			return 0;
	return 1;
}

int emu_google_init(emu_google *g, const char *project)
{
	uint64_t h;

	memset(g, 0, sizeof(*g));
	g->project = project ? project : EMU_GOOGLE_DEFAULT_PROJECT;
	/* A project number is a 12-digit number Google assigns; this one is
	 * the id's, so the same --project always has the same number. */
	h = emu__mix(emu__fnv(EMU_FNV_INIT, g->project, strlen(g->project)));
	snprintf(g->numeric_project, sizeof(g->numeric_project), "%llu",
		 (unsigned long long)(100000000000ULL + h % 900000000000ULL));
	/* The Compute Engine default service account's form. */
	snprintf(g->email, sizeof(g->email), "%s-compute@developer.gserviceaccount.com",
		 g->numeric_project);
	g->issued = calloc(EMU_GOOGLE_TOKENS_KEPT, sizeof(*g->issued));
	if (!g->issued || pthread_mutex_init(&g->lock, NULL)) {
		free(g->issued);
		g->issued = NULL;
		return -1;
	}
	return 0;
}

void emu_google_dispose(emu_google *g)
{
	size_t i;

	if (g->issued) {
		bedrock__wipe(g->issued, EMU_GOOGLE_TOKENS_KEPT * sizeof(*g->issued));
		pthread_mutex_destroy(&g->lock);
	}
	free(g->issued);
	for (i = 0; i < g->config_count; i++) {
		free(g->configs[i].key);
		free(g->configs[i].json);
	}
	free(g->configs);
	bedrock__wipe(g, sizeof(*g));
}

/* "ya29.emulator-" and 32 random bytes in base64url (43 characters). */
static int mint(char out[EMU_GOOGLE_TOKEN_MAX])
{
	uint8_t raw[32];
	char b64[48];
	size_t n, i;

	if (bedrock__random(raw, sizeof(raw)))
		return -1;
	n = bedrock__base64_encode(b64, raw, sizeof(raw));
	bedrock__wipe(raw, sizeof(raw));
	while (n && b64[n - 1] == '=')
		n--;
	for (i = 0; i < n; i++)
		b64[i] = b64[i] == '+' ? '-' : b64[i] == '/' ? '_' : b64[i];
	snprintf(out, EMU_GOOGLE_TOKEN_MAX, "%s%.*s", EMU_GOOGLE_TOKEN_PREFIX, (int)n, b64);
	bedrock__wipe(b64, sizeof(b64));
	return 0;
}

/* Keeps a token (the lock held), dropping the oldest when full. */
static void keep(emu_google *g, const char *value, long long expires)
{
	emu_google_token *t = &g->issued[g->issued_next];

	snprintf(t->value, sizeof(t->value), "%s", value);
	t->expires = expires;
	g->issued_next = (g->issued_next + 1) % EMU_GOOGLE_TOKENS_KEPT;
	if (g->issued_count < EMU_GOOGLE_TOKENS_KEPT)
		g->issued_count++;
}

int emu_google_token_issue(emu_google *g, char out[EMU_GOOGLE_TOKEN_MAX], long long now)
{
	if (!g->issued || mint(out))
		return -1;
	pthread_mutex_lock(&g->lock);
	keep(g, out, now + EMU_GOOGLE_TOKEN_LIFETIME);
	pthread_mutex_unlock(&g->lock);
	return 0;
}

int emu_google_token_metadata(emu_google *g, char out[EMU_GOOGLE_TOKEN_MAX], long *expires_in,
			      long long now)
{
	int rc = 0;

	if (!g->issued)
		return -1;
	pthread_mutex_lock(&g->lock);
	if (!g->metadata.value[0] || g->metadata.expires - now < EMU_GOOGLE_METADATA_MIN_LEFT) {
		if (mint(g->metadata.value)) {
			rc = -1;
		} else {
			g->metadata.expires = now + EMU_GOOGLE_TOKEN_LIFETIME;
			keep(g, g->metadata.value, g->metadata.expires);
		}
	}
	if (!rc) {
		memcpy(out, g->metadata.value, EMU_GOOGLE_TOKEN_MAX);
		*expires_in = (long)(g->metadata.expires - now);
	}
	pthread_mutex_unlock(&g->lock);
	return rc;
}

int emu_google_token_valid(emu_google *g, const char *token, long long now)
{
	size_t i;
	int ok = 0;

	if (!token || !*token)
		return 0;
	if (g->any_token)
		return 1;
	for (i = 0; i < g->token_count; i++)
		ok |= bedrock__secret_equal(token, g->tokens[i]);
	if (ok || !g->issued || strncmp(token, EMU_GOOGLE_TOKEN_PREFIX,
					  sizeof(EMU_GOOGLE_TOKEN_PREFIX) - 1))
		return ok;
	pthread_mutex_lock(&g->lock);
	for (i = 0; i < g->issued_count; i++)
		if (g->issued[i].expires > now)
			ok |= bedrock__secret_equal(token, g->issued[i].value);
	pthread_mutex_unlock(&g->lock);
	return ok;
}

static const char *header(const serve_request *req, const char *name)
{
	return serve_request_header(req, name);
}

static int is_token_path(const char *path)
{
	return !strcmp(path, "/token") || !strcmp(path, "/oauth2/v4/token");
}

int emu_google_owns(const serve_request *req)
{
	const char *flavor = header(req, "metadata-flavor");

	if (!req->path)
		return 0;
	return !strncmp(req->path, "/computeMetadata/", 17) || !strcmp(req->path, "/computeMetadata") ||
	       is_token_path(req->path) || (!strcmp(req->path, "/") && flavor);
}

void emu_google_handle(emu_google *g, serve_response *out, const serve_request *req, long long now)
{
	if (is_token_path(req->path))
		emu_google_oauth(g, out, req, now);
	else
		emu_google_metadata(g, out, req, now);
}
