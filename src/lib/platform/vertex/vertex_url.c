/* Vertex AI's URLs (PLATFORMS.md A1, A2). */
#include <stdio.h>
#include <string.h>

#include "ascii.h"
#include "urlcode.h"
#include "vertex_url.h"

int bedrock__vertex_base_url(char *out, size_t cap, const char *location, const char *version)
{
	const char *v = version ? "/" : "", *ver = version ? version : "";
	int n;

	if (!location || !bedrock__dns_label_valid(location))
		return -1;
	if (!strcmp(location, "global"))
		n = snprintf(out, cap, "https://aiplatform.googleapis.com%s%s", v, ver);
	else if (!strcmp(location, "us") || !strcmp(location, "eu"))
		n = snprintf(out, cap, "https://aiplatform.%s.rep.googleapis.com%s%s", location, v,
			     ver);
	else
		n = snprintf(out, cap, "https://%s-aiplatform.googleapis.com%s%s", location, v, ver);
	return n < 0 || (size_t)n >= cap ? -1 : 0;
}

/* One path segment, percent-encoded but for '@': each run between two
 * '@' encoded at once (this runs for every request). */
static int segment(char *out, size_t cap, size_t *at, const char *s)
{
	size_t len = strlen(s), run;

	if (!len || bedrock__url_encode(NULL, s, len, 0) + *at >= cap)
		return -1;
	for (;;) {
		run = strcspn(s, "@");
		*at += bedrock__url_encode(out + *at, s, run, 0);
		if (!s[run])
			break;
		out[(*at)++] = '@';
		s += run + 1;
	}
	out[*at] = '\0';
	return 0;
}

static int literal(char *out, size_t cap, size_t *at, const char *s)
{
	size_t len = strlen(s);

	if (*at + len >= cap)
		return -1;
	memcpy(out + *at, s, len + 1);
	*at += len;
	return 0;
}

int bedrock__vertex_model_path(char *out, size_t cap, const char *project, const char *location,
			       const char *model, const char *method)
{
	size_t at = 0;

	if (!cap || !project || !location || !model || !method)
		return -1;
	out[0] = '\0';
	return literal(out, cap, &at, "/projects/") || segment(out, cap, &at, project) ||
	       literal(out, cap, &at, "/locations/") || segment(out, cap, &at, location) ||
	       literal(out, cap, &at, "/publishers/anthropic/models/") ||
	       segment(out, cap, &at, model) || literal(out, cap, &at, ":") ||
	       literal(out, cap, &at, method) ? -1 : 0;
}
