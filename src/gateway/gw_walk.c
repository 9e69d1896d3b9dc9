/* The walk down the upstream list, one path for a whole answer
 * (gw_relay.c, in a loop on the request's thread) and a stream (gw_open.c,
 * a step per result on the upstream loop): each upstream's body rendered
 * once per platform when first needed, the model named as the upstream
 * wants it, resting upstreams skipped unless every one rests, failover on
 * throttling, 5xx and connection failures, one retry without a beta the
 * upstream refused, and the notes the activity log keeps of it all. */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "gw_internal.h"

static uint64_t now_ms(void)
{
	return gw_now_ns() / 1000000u;
}

/* Appends "a<sep>b" to the exchange's note ("; " between notes). */
static void note(gw_exchange *x, const char *a, const char *sep, const char *b)
{
	size_t l = strlen(x->note);

	snprintf(x->note + l, sizeof(x->note) - l, "%s%s%s%s", l ? "; " : "", a, sep, b);
}

int gw_walk_failover_worthy(int rc, const bedrock_error_info *e)
{
	if (rc == BEDROCK_ETHROTTLED || rc == BEDROCK_EIO || rc == BEDROCK_ETIMEOUT)
		return 1;
	if (e->http_status == 429 || e->http_status >= 500)
		return 1;
	return !strcmp(e->aws_code, "RESOURCE_EXHAUSTED") ||
	       !strcmp(e->aws_code, "overloaded_error") ||
	       !strcmp(e->aws_code, "ServiceUnavailableException") ||
	       !strcmp(e->aws_code, "UNAVAILABLE");
}

/* The betas a body carries for platform p: a malloc'ed array of strings. */
static size_t betas_of(char ***out, const gw_upstream_body *b, bedrock_platform p)
{
	size_t n = 0;

	*out = NULL;
	if (p == BEDROCK_PLATFORM_BEDROCK) {
		cJSON *t = cJSON_ParseWithLength(b->body, b->len), *a, *i;

		a = t ? cJSON_GetObjectItemCaseSensitive(t, "anthropic_beta") : NULL;
		if (cJSON_IsArray(a) && (*out = calloc((size_t)cJSON_GetArraySize(a) + 1, sizeof(char *))))
			cJSON_ArrayForEach(i, a)
				if (cJSON_IsString(i) && ((*out)[n] = strdup(i->valuestring)))
					n++;
		cJSON_Delete(t);
	} else if (b->betas) {
		char *copy = strdup(b->betas), *save = NULL, *tok;

		if (copy && (*out = calloc(strlen(copy) / 2 + 2, sizeof(char *))))
			for (tok = strtok_r(copy, ", \t", &save); tok; tok = strtok_r(NULL, ", \t", &save))
				if (((*out)[n] = strdup(tok)))
					n++;
		free(copy);
	}
	return n;
}

/* An upstream that refused a beta flag as invalid for the model: drop the
 * flags its message names (all of them when it names none, as Bedrock's
 * "invalid beta flag" does not) and say so. 1 when the body changed. */
static int drop_refused_betas(gw_exchange *x, gw_upstream_body *b, bedrock_platform p,
			      const bedrock_error_info *e)
{
	char **betas, dropped[192] = "";
	size_t n, named = 0, i;
	int changed = 0;

	if (e->http_status != 400 || !strcasestr(e->message, "beta"))
		return 0;
	n = betas_of(&betas, b, p);
	for (i = 0; i < n; i++)
		if (strstr(e->message, betas[i]))
			named++;
	for (i = 0; i < n; i++) {
		if (named && !strstr(e->message, betas[i]))
			continue;
		if (!gw_body_drop_beta(b, p, betas[i])) {
			size_t l = strlen(dropped);

			snprintf(dropped + l, sizeof(dropped) - l, "%s%s", l ? "," : "", betas[i]);
			changed = 1;
		}
	}
	for (i = 0; i < n; i++)
		free(betas[i]);
	free(betas);
	if (changed)
		note(x, "retried without beta", " ", dropped);
	return changed;
}

void gw_walk_init(gw_walk *w, gw_exchange *x, const serve_request *req)
{
	memset(w, 0, sizeof(*w));
	w->x = x;
	w->req = req;
}

void gw_walk_dispose(gw_walk *w)
{
	for (int i = 0; i < GW_PLATFORMS; i++)
		if (w->made[i] > 0)
			gw_upstream_body_dispose(&w->body[i]);
	memset(w->made, 0, sizeof(w->made));
}

gw_upstream_body *gw_walk_body(gw_walk *w, bedrock_platform p)
{
	unsigned i = (unsigned)p % GW_PLATFORMS;

	if (!w->made[i] && w->req) {
		w->made[i] = gw_body_for_upstream(&w->body[i], &w->x->route, w->req, p, w->err[i],
						  sizeof(w->err[i])) ? -1 : 1;
		if (w->made[i] < 0)
			w->last_err = w->err[i];
	}
	return w->made[i] > 0 ? &w->body[i] : NULL;
}

const char *gw_walk_body_error(const gw_walk *w, bedrock_platform p)
{
	return w->err[(unsigned)p % GW_PLATFORMS];
}

void gw_walk_make_all(gw_walk *w)
{
	for (size_t i = 0; i < w->x->gen->up_count; i++)
		gw_walk_body(w, w->x->gen->ups[i].cfg->platform);
	w->req = NULL;
}

gw_upstream_rt *gw_walk_next(gw_walk *w)
{
	gw_exchange *x = w->x;
	gw_gen *gen = x->gen;

	for (;;) {
		gw_upstream_rt *u;

		if (w->next >= gen->up_count) {
			/* First pass: healthy upstreams; if every one is
			 * resting, try them anyway rather than refuse outright. */
			if (w->pass || w->tried)
				return NULL;
			w->pass = 1;
			w->next = 0;
			continue;
		}
		u = &gen->ups[w->next++];
		if (!w->pass && gw_upstream_cooling(u, now_ms()))
			continue;
		if (!gw_walk_body(w, u->cfg->platform)) {
			note(x, u->cfg->name, ": ", gw_walk_body_error(w, u->cfg->platform));
			continue;
		}
		if (gw_model_for_upstream(x->up_model, sizeof(x->up_model), gen->cfg, u->cfg,
					  x->client_model, w->merr, sizeof(w->merr))) {
			note(x, u->cfg->name, ": ", w->merr);
			continue;
		}
		if (w->tried)
			x->hops++;
		w->tried = 1;
		w->beta_retry = 0;
		w->u = w->last_u = u;
		return u;
	}
}

int gw_walk_failed(gw_walk *w, int rc, const bedrock_error_info *e)
{
	gw_exchange *x = w->x;
	gw_upstream_rt *u = w->u;
	bedrock_platform p = u->cfg->platform;

	if (!w->beta_retry && drop_refused_betas(x, &w->body[p % GW_PLATFORMS], p, e)) {
		w->beta_retry = 1;
		return GW_WALK_RETRY;
	}
	w->last = *e;
	if (!gw_walk_failover_worthy(rc, e)) {
		x->up = u;
		return GW_WALK_STOP;
	}
	gw_upstream_cool(u, gw_gateway_metrics(x->g), now_ms());
	note(x, u->cfg->name, " failed: ", e->aws_code[0] ? e->aws_code : bedrock_error_name(rc));
	w->u = NULL;
	return GW_WALK_NEXT;
}

void gw_walk_give_up(gw_walk *w, serve_response *out)
{
	gw_exchange *x = w->x;

	if (!w->tried) {
		gw_refuse(out, x, GW_ERR_BAD_REQUEST,
			  w->merr[0] ? w->merr : w->last_err ? w->last_err
			  : "No upstream can take this request.", 0, "model_not_served");
		return;
	}
	x->up = w->last_u;
	gw_relay_upstream_error(out, x, &w->last);
}
