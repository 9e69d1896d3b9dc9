/* Which model an upstream is called with (gw_translate.h): the id the
 * client named, whatever platform's form it has (alias, Anthropic id,
 * Vertex id, Bedrock base, profile or ARN), found in the library's one
 * catalog and written as the upstream's platform and region want it; or
 * the configuration's models: map, which wins. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <bedrock/models.h>

#include "gw_translate.h"

/* The catalog model any id names, or NULL. ref->kind says how Bedrock's
 * forms named it; -1 when another platform's id did (*form says which). */
static const bedrock_model_info *catalog(const char *id, bedrock_model_ref *ref,
					 bedrock_platform *form)
{
	const bedrock_model_info *m;

	*form = BEDROCK_PLATFORM_BEDROCK;
	if (bedrock_model_resolve(ref, id) == 0)
		return ref->model;	/* NULL for an opaque ARN */
	memset(ref, 0, sizeof(*ref));
	ref->kind = (bedrock_model_ref_kind)-1;
	m = bedrock_model_find_platform_id(form, id);
	return m;
}

static int same_model(const char *a, const char *b)
{
	bedrock_model_ref ra, rb;
	bedrock_platform pa, pb;
	const bedrock_model_info *ma, *mb;

	if (!strcmp(a, b))
		return 1;
	ma = catalog(a, &ra, &pa);
	mb = catalog(b, &rb, &pb);
	return ma && ma == mb;
}

/* The models: entry for this model and platform, or NULL. An exact name
 * wins over one that names the same catalog model another way. */
static const gw_model_map *mapped(const gw_config *cfg, bedrock_platform p, const char *model)
{
	const gw_model_map *near = NULL;
	size_t i;

	if (!cfg)
		return NULL;
	for (i = 0; i < cfg->model_count; i++) {
		const gw_model_map *e = &cfg->models[i];

		if (e->platform != p || !e->from || !e->to)
			continue;
		if (!strcmp(e->from, model))
			return e;
		if (!near && same_model(e->from, model))
			near = e;
	}
	return near;
}

static int put(char *out, size_t cap, const char *s, char *err, size_t err_cap)
{
	if ((size_t)snprintf(out, cap, "%s", s) < cap)
		return 0;
	snprintf(err, err_cap, "the model id is too long");
	return -1;
}

static int not_served(char *err, size_t err_cap, const char *model, const gw_upstream *up,
		      const char *why)
{
	snprintf(err, err_cap, "model %s is not served on %s%s%s%s", model,
		 bedrock_platform_name(up->platform), up->region ? "/" : "",
		 up->region ? up->region : "", why ? why : "");
	return -1;
}

/* Bedrock: the client's own Bedrock id when this region can call it (a
 * profile of a geography the region is in, or an on-demand base id);
 * otherwise the id the CLI would use from this region (global, then the
 * region's geography, then the base id). ARNs name another account's
 * resources: they map to the model. */
static int for_bedrock(char *out, size_t cap, const gw_upstream *up, const char *client,
		       const bedrock_model_info *m, const bedrock_model_ref *ref, char *err,
		       size_t err_cap)
{
	if (!up->region)
		return not_served(err, err_cap, client, up, " (the upstream has no region)");
	if (ref->kind == BEDROCK_MODEL_REF_PROFILE &&
	    (ref->geo & bedrock_region_profile_geos(up->region)))
		return put(out, cap, client, err, err_cap);
	/* A system profile's ARN: the profile itself when the region is in
	 * its geography, as its plain id would be. */
	if (ref->kind == BEDROCK_MODEL_REF_PROFILE_ARN &&
	    (ref->geo & bedrock_region_profile_geos(up->region)) && strrchr(client, '/'))
		return put(out, cap, strrchr(client, '/') + 1, err, err_cap);
	if (ref->kind == BEDROCK_MODEL_REF_BASE && m->on_demand)
		return put(out, cap, client, err, err_cap);
	if (ref->kind == BEDROCK_MODEL_REF_FOUNDATION_ARN && m->on_demand)
		return put(out, cap, m->id, err, err_cap);
	if (bedrock_model_id_for_region(out, cap, m, up->region) == 0)
		return 0;
	return not_served(err, err_cap, client, up, NULL);
}

int gw_model_for_upstream(char *out, size_t cap, const gw_config *cfg, const gw_upstream *up,
			  const char *client_model, char *err, size_t err_cap)
{
	const gw_model_map *e;
	const bedrock_model_info *m;
	bedrock_model_ref ref;
	bedrock_platform form;

	if (err && err_cap)
		*err = '\0';
	if (!out || !cap || !up || !client_model || !*client_model) {
		snprintf(err, err_cap, "no model was named");
		return -1;
	}
	*out = '\0';
	if ((e = mapped(cfg, up->platform, client_model)) != NULL)
		return put(out, cap, e->to, err, err_cap);
	m = catalog(client_model, &ref, &form);
	if (!m) {
		/* A user's own resource (an application inference profile,
		 * a provisioned model) is meaningful to Bedrock alone. */
		if (ref.kind == BEDROCK_MODEL_REF_OPAQUE_ARN) {
			if (up->platform == BEDROCK_PLATFORM_BEDROCK)
				return put(out, cap, client_model, err, err_cap);
			return not_served(err, err_cap, client_model, up,
					  " (an ARN of a Bedrock resource; map it under models:)");
		}
		/* Newer than the catalog: the upstream decides, in its words. */
		return put(out, cap, client_model, err, err_cap);
	}
	switch (up->platform) {
	case BEDROCK_PLATFORM_BEDROCK:
		return for_bedrock(out, cap, up, client_model, m, &ref, err, err_cap);
	case BEDROCK_PLATFORM_VERTEX:
		if (up->region && !strcmp(up->region, "global") &&
		    !(m->features & BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL))
			return not_served(err, err_cap, client_model, up,
					  " (a regional model: use a regional location)");
		/* A Vertex id as the client wrote it (with or without @date). */
		if ((int)ref.kind == -1 && form == BEDROCK_PLATFORM_VERTEX)
			return put(out, cap, client_model, err, err_cap);
		break;
	case BEDROCK_PLATFORM_ANTHROPIC:
		if ((int)ref.kind == -1 && form == BEDROCK_PLATFORM_ANTHROPIC)
			return put(out, cap, client_model, err, err_cap);
		break;
	default:
		return not_served(err, err_cap, client_model, up, NULL);
	}
	if (bedrock_model_platform_id(out, cap, m, up->platform) == 0)
		return 0;
	return not_served(err, err_cap, client_model, up, NULL);
}

int gw_model_allowed(const gw_key *key, const char *client_model)
{
	size_t i;

	if (!key || !key->models)
		return 1;
	if (!client_model)
		return 0;
	for (i = 0; i < key->model_count; i++) {
		const char *a = key->models[i];

		if (!a)
			continue;
		if (!strcmp(a, "*") || !strcasecmp(a, client_model) || same_model(a, client_model))
			return 1;
	}
	return 0;
}
