/* Activity lines in, per-group sums out (activity_report.h). A line is
 * untrusted text (the files may be edited, truncated by a full disk, or
 * written by another version): every field is type-checked, and a bad
 * line is reported by the caller, never fatal. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "activity_report.h"
#include "timeutil.h"

static int digits(const char *s, int n, int *out)
{
	int v = 0, i;

	for (i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		v = v * 10 + (s[i] - '0');
	}
	*out = v;
	return 0;
}

int act_parse_time(const char *s, int64_t *out_ms)
{
	int y, mo, d, h, mi, se, ms = 0, n, sign, oh, om;
	const char *p;
	int64_t t;

	if (strlen(s) < 20 || digits(s, 4, &y) || s[4] != '-' || digits(s + 5, 2, &mo) ||
	    s[7] != '-' || digits(s + 8, 2, &d) || (s[10] != 'T' && s[10] != ' ') ||
	    digits(s + 11, 2, &h) || s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' ||
	    digits(s + 17, 2, &se))
		return -1;
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || se > 60)
		return -1;
	p = s + 19;
	if (*p == '.') {
		/* Milliseconds from the first three digits; the rest are read over. */
		for (p++, n = 0; *p >= '0' && *p <= '9'; p++, n++)
			if (n < 3)
				ms = ms * 10 + (*p - '0');
		if (n == 0)
			return -1;
		for (; n < 3; n++)
			ms *= 10;
	}
	t = bedrock__utc_to_unix(y, mo, d, h, mi, se);
	if (*p == 'Z' && !p[1]) {
		*out_ms = t * 1000 + ms;
		return 0;
	}
	if ((*p != '+' && *p != '-') || strlen(p) != 6 || digits(p + 1, 2, &oh) || p[3] != ':' ||
	    digits(p + 4, 2, &om) || oh > 23 || om > 59)
		return -1;
	sign = *p == '+' ? 1 : -1;
	*out_ms = (t - sign * (int64_t)(oh * 3600 + om * 60)) * 1000 + ms;
	return 0;
}

/* A string field: absent (NULL) is fine, another type is not. */
static int get_str(const cJSON *o, const char *name, const char **out, char *why, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = NULL;
	if (!v || cJSON_IsNull(v))
		return 0;
	if (!cJSON_IsString(v)) {
		snprintf(why, cap, "%s is not a string", name);
		return -1;
	}
	*out = v->valuestring;
	return 0;
}

/* A count: a whole number 0..2^53. */
static int get_count(const cJSON *o, const char *name, uint64_t *out, char *why, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = 0;
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 9007199254740992.0 ||
	    v->valuedouble != (double)(uint64_t)v->valuedouble) {
		snprintf(why, cap, "%s is not a count", name);
		return -1;
	}
	*out = (uint64_t)v->valuedouble;
	return 0;
}

static int get_ms(const cJSON *o, const char *name, double *out, char *why, size_t cap)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, name);

	*out = -1;
	if (!v)
		return 0;
	if (!cJSON_IsNumber(v) || !(v->valuedouble >= 0) || v->valuedouble > 1e12) {
		snprintf(why, cap, "%s is not a duration in milliseconds", name);
		return -1;
	}
	*out = v->valuedouble;
	return 0;
}

int act_parse_line(act_record *out, const char *line, size_t len, char *why, size_t cap)
{
	const char *time_s = NULL, *etype = NULL;
	uint64_t status = 0;
	cJSON *o;

	memset(out, 0, sizeof(*out));
	o = cJSON_ParseWithLength(line, len);
	if (!o || !cJSON_IsObject(o)) {
		snprintf(why, cap, "not a JSON object");
		cJSON_Delete(o);
		return -1;
	}
	out->json = o;
	if (get_str(o, "time", &time_s, why, cap) || !time_s) {
		if (!time_s)
			snprintf(why, cap, "no time");
		goto bad;
	}
	if (act_parse_time(time_s, &out->time_ms) != 0) {
		snprintf(why, cap, "time is not an ISO 8601 UTC time");
		goto bad;
	}
	if (get_str(o, "key", &out->key, why, cap) || get_str(o, "model", &out->model, why, cap) ||
	    get_str(o, "session_id", &out->session, why, cap) ||
	    get_str(o, "upstream", &out->upstream, why, cap) ||
	    get_str(o, "error_type", &etype, why, cap) ||
	    get_count(o, "status", &status, why, cap) ||
	    get_count(o, "input_tokens", &out->input_tokens, why, cap) ||
	    get_count(o, "output_tokens", &out->output_tokens, why, cap) ||
	    get_count(o, "cache_read_tokens", &out->cache_read_tokens, why, cap) ||
	    get_count(o, "cache_write_tokens", &out->cache_write_tokens, why, cap) ||
	    get_ms(o, "latency_ms", &out->latency_ms, why, cap) ||
	    get_ms(o, "ttft_ms", &out->ttft_ms, why, cap))
		goto bad;
	if (status > 999) {
		snprintf(why, cap, "status is not an HTTP status");
		goto bad;
	}
	out->status = (int)status;
	out->error = status == 0 || status >= 400 || (etype && etype[0]);
	return 0;
bad:
	cJSON_Delete(o);
	out->json = NULL;
	return -1;
}

void act_record_free(act_record *r)
{
	cJSON_Delete(r->json);
	r->json = NULL;
}

/* ---- groups ---------------------------------------------------------------- */

void act_report_init(act_report *r, act_by by)
{
	memset(r, 0, sizeof(*r));
	r->by = by;
}

static uint64_t hash_name(const char *s)
{
	uint64_t h = 1469598103934665603ULL;

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

static int reindex(act_report *r, size_t cap)
{
	size_t *ix = calloc(cap, sizeof(*ix)), i;

	if (!ix)
		return -1;
	for (i = 0; i < r->ngroups; i++) {
		size_t k = hash_name(r->groups[i].name) & (cap - 1);

		while (ix[k])
			k = (k + 1) & (cap - 1);
		ix[k] = i + 1;
	}
	free(r->index);
	r->index = ix;
	r->index_cap = cap;
	return 0;
}

static act_group *group_of(act_report *r, const char *name)
{
	size_t k, len;
	act_group *g;

	if (!r->index && reindex(r, 64) != 0)
		return NULL;
	k = hash_name(name) & (r->index_cap - 1);
	while (r->index[k]) {
		g = &r->groups[r->index[k] - 1];
		if (!strcmp(g->name, name))
			return g;
		k = (k + 1) & (r->index_cap - 1);
	}
	if (r->ngroups == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 16;
		act_group *n = realloc(r->groups, cap * sizeof(*n));

		if (!n)
			return NULL;
		r->groups = n;
		r->cap = cap;
	}
	g = &r->groups[r->ngroups];
	memset(g, 0, sizeof(*g));
	len = strlen(name);
	if (!(g->name = malloc(len + 1)))
		return NULL;
	memcpy(g->name, name, len + 1);
	r->ngroups++;
	/* Half full at most. */
	if (2 * r->ngroups > r->index_cap)
		return reindex(r, 2 * r->index_cap) == 0 ? g : NULL;
	r->index[k] = r->ngroups;
	return g;
}

static int push(double **v, size_t *n, size_t *cap, double x)
{
	if (*n == *cap) {
		size_t c = *cap ? 2 * *cap : 64;
		double *p = realloc(*v, c * sizeof(*p));

		if (!p)
			return -1;
		*v = p;
		*cap = c;
	}
	(*v)[(*n)++] = x;
	return 0;
}

static int add_to(act_group *g, const act_record *rec)
{
	g->requests++;
	g->errors += rec->error ? 1 : 0;
	g->input_tokens += rec->input_tokens;
	g->output_tokens += rec->output_tokens;
	g->cache_read_tokens += rec->cache_read_tokens;
	g->cache_write_tokens += rec->cache_write_tokens;
	if (rec->latency_ms >= 0 && push(&g->latency, &g->nlatency, &g->cap_latency, rec->latency_ms))
		return -1;
	if (rec->ttft_ms >= 0 && push(&g->ttft, &g->nttft, &g->cap_ttft, rec->ttft_ms))
		return -1;
	return 0;
}

int act_report_add(act_report *r, const act_record *rec)
{
	const char *name = NULL;
	act_group *g;

	switch (r->by) {
	case ACT_BY_KEY:
		name = rec->key;
		break;
	case ACT_BY_MODEL:
		name = rec->model;
		break;
	case ACT_BY_SESSION:
		name = rec->session;
		break;
	case ACT_BY_UPSTREAM:
		name = rec->upstream;
		break;
	}
	if (!name || !name[0])
		name = "-";
	g = group_of(r, name);
	if (!g || add_to(g, rec) != 0)
		return -1;
	return add_to(&r->total, rec);
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

double act_percentile(double *v, size_t n, double p)
{
	size_t rank;

	if (!n)
		return -1;
	qsort(v, n, sizeof(*v), cmp_double);
	rank = (size_t)(p * (double)n);
	if ((double)rank < p * (double)n)
		rank++;	/* the ceiling, without libm */
	if (rank < 1)
		rank = 1;
	if (rank > n)
		rank = n;
	return v[rank - 1];
}

static int cmp_group(const void *a, const void *b)
{
	const act_group *x = a, *y = b;

	if (x->requests != y->requests)
		return x->requests > y->requests ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void finish_group(act_group *g)
{
	g->p50 = act_percentile(g->latency, g->nlatency, 0.50);
	g->p95 = act_percentile(g->latency, g->nlatency, 0.95);
	g->ttft_p50 = act_percentile(g->ttft, g->nttft, 0.50);
}

void act_report_finish(act_report *r)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		finish_group(&r->groups[i]);
	finish_group(&r->total);
	if (r->ngroups)
		qsort(r->groups, r->ngroups, sizeof(*r->groups), cmp_group);
	/* The index points at the old order; nothing is added after this. */
	free(r->index);
	r->index = NULL;
	r->index_cap = 0;
}

static void free_group(act_group *g)
{
	free(g->name);
	free(g->latency);
	free(g->ttft);
}

void act_report_free(act_report *r)
{
	size_t i;

	for (i = 0; i < r->ngroups; i++)
		free_group(&r->groups[i]);
	free_group(&r->total);
	free(r->groups);
	free(r->index);
	memset(r, 0, sizeof(*r));
}
