/* One Messages request, written in each platform's dialect (platform.h has
 * the table). The Bedrock body stays exactly what
 * bedrock_messages_request_json() always wrote; the others move the model,
 * the stream flag, the version and the betas, and pass every other member
 * through in order. */
#include <string.h>

#include "bedrock/platform.h"
#include "messages_request_private.h"
#include "alloc.h"

static const char *const names[] = { "bedrock", "anthropic", "vertex" };

const char *bedrock_platform_name(bedrock_platform platform)
{
	if ((unsigned)platform < sizeof(names) / sizeof(names[0]))
		return names[platform];
	return "unknown";
}

int bedrock_platform_parse(bedrock_platform *out, const char *name)
{
	size_t i;

	if (!out || !name)
		return BEDROCK_EINVAL;
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (!strcmp(name, names[i])) {
			*out = (bedrock_platform)i;
			return 0;
		}
	return BEDROCK_EINVAL;
}

static int add_beta(cJSON *betas, const char *b, size_t n)
{
	const cJSON *it;
	cJSON *s;
	char *tmp;

	if (n == 0)
		return 0;
	cJSON_ArrayForEach(it, betas)
		if (strlen(it->valuestring) == n && !memcmp(it->valuestring, b, n))
			return 0;
	tmp = bedrock__strndup(b, n);
	s = tmp ? cJSON_CreateString(tmp) : NULL;
	bedrock__free(tmp);
	if (!s || !cJSON_AddItemToArray(betas, s)) {
		cJSON_Delete(s);
		return BEDROCK_ENOMEM;
	}
	return 0;
}

/* Splits "a, b,,c" into betas. */
static int add_header_betas(cJSON *betas, const char *h)
{
	while (h && *h) {
		const char *end = strchr(h, ',');
		size_t n = end ? (size_t)(end - h) : strlen(h);
		const char *b = h;
		int rc;

		while (n && (*b == ' ' || *b == '\t')) {
			b++;
			n--;
		}
		while (n && (b[n - 1] == ' ' || b[n - 1] == '\t'))
			n--;
		if ((rc = add_beta(betas, b, n)) != 0)
			return rc;
		h = end ? end + 1 : NULL;
	}
	return 0;
}

/* Joins betas with "," for the anthropic-beta header; NULL when empty. */
static int join(char **out, const cJSON *betas)
{
	const cJSON *it;
	size_t n = 0;
	char *s, *p;

	*out = NULL;
	cJSON_ArrayForEach(it, betas)
		n += strlen(it->valuestring) + 1;
	if (n == 0)
		return 0;
	if (!(s = bedrock__malloc(n)))
		return BEDROCK_ENOMEM;
	p = s;
	cJSON_ArrayForEach(it, betas) {
		size_t l = strlen(it->valuestring);
		if (p != s)
			*p++ = ',';
		memcpy(p, it->valuestring, l);
		p += l;
	}
	*p = '\0';
	*out = s;
	return 0;
}

/* Appends name: item to obj; item is obj's or freed. */
static int add(cJSON *obj, const char *name, cJSON *item)
{
	if (!item || !cJSON_AddItemToObject(obj, name, item)) {
		cJSON_Delete(item);
		return BEDROCK_ENOMEM;
	}
	return 0;
}

/* Moves every member of from to the end of to, names kept. (cJSON inserts
 * by position unreliably across versions; moving whole lists does not.) */
static void move_members(cJSON *to, cJSON *from)
{
	while (from->child) {
		cJSON *it = cJSON_DetachItemViaPointer(from, from->child);
		cJSON_AddItemToArray(to, it); /* only fails for NULL arguments */
	}
}

/* Rewrites body in place into o's dialect. */
static int dialect(cJSON *body, char **out_betas, char **out_model, const char *betas_header,
		   const bedrock_body_options *o)
{
	cJSON *betas = cJSON_CreateArray(), *ab, *model, *it, *front = NULL;
	int rc = 0;

	if (!betas)
		return BEDROCK_ENOMEM;
	ab = cJSON_DetachItemFromObjectCaseSensitive(body, "anthropic_beta");
	if (ab && !cJSON_IsArray(ab))
		rc = BEDROCK_EINVAL;
	cJSON_ArrayForEach(it, ab) {
		if (rc)
			break;
		rc = cJSON_IsString(it) ? add_beta(betas, it->valuestring, strlen(it->valuestring))
					: BEDROCK_EINVAL;
	}
	cJSON_Delete(ab);
	if (!rc)
		rc = add_header_betas(betas, betas_header);
	model = cJSON_DetachItemFromObjectCaseSensitive(body, "model");
	cJSON_DeleteItemFromObjectCaseSensitive(body, "stream");
	cJSON_DeleteItemFromObjectCaseSensitive(body, "anthropic_version");
	if (!rc && out_model && cJSON_IsString(model) &&
	    !(*out_model = bedrock__strdup(model->valuestring)))
		rc = BEDROCK_ENOMEM;

	/* The members a platform wants first go to `front`; the body's own
	 * follow them in their order; `stream` goes last. */
	if (!rc && !(front = cJSON_CreateObject()))
		rc = BEDROCK_ENOMEM;
	switch (rc ? -1 : (int)o->platform) {
	case BEDROCK_PLATFORM_BEDROCK:
		rc = add(front, "anthropic_version", cJSON_CreateString(BEDROCK_ANTHROPIC_VERSION));
		if (!rc && cJSON_GetArraySize(betas) > 0) {
			rc = add(front, "anthropic_beta", betas);
			betas = NULL;
		}
		break;
	case BEDROCK_PLATFORM_ANTHROPIC:
		if (o->model && *o->model)
			rc = add(front, "model", cJSON_CreateString(o->model));
		else if (cJSON_IsString(model) && *model->valuestring)
			rc = add(front, "model", cJSON_CreateString(model->valuestring));
		else
			rc = BEDROCK_EINVAL; /* the API needs one */
		if (!rc && out_betas)
			rc = join(out_betas, betas);
		break;
	case BEDROCK_PLATFORM_VERTEX:
		rc = add(front, "anthropic_version", cJSON_CreateString(BEDROCK_VERTEX_ANTHROPIC_VERSION));
		if (!rc && out_betas)
			rc = join(out_betas, betas);
		break;
	default:
		if (!rc)
			rc = BEDROCK_EINVAL;
	}
	if (!rc && o->stream && o->platform != BEDROCK_PLATFORM_BEDROCK)
		rc = add(body, "stream", cJSON_CreateTrue());
	if (!rc) {
		move_members(front, body);
		move_members(body, front);
	}
	cJSON_Delete(front);
	cJSON_Delete(model);
	cJSON_Delete(betas);
	return rc;
}

static int start(char **out, size_t *out_len, char **out_betas, char **out_model,
		 const bedrock_body_options *o)
{
	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (out_len)
		*out_len = 0;
	if (out_betas)
		*out_betas = NULL;
	if (out_model)
		*out_model = NULL;
	if (o && o->version != BEDROCK_BODY_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	return 0;
}

static int finish(char **out, size_t *out_len, char **out_betas, char **out_model, cJSON *body,
		  int rc)
{
	if (!rc && !(*out = bedrock__json_print(body, out_len)))
		rc = BEDROCK_ENOMEM;
	cJSON_Delete(body);
	if (rc) {
		if (out_betas) {
			bedrock__free(*out_betas);
			*out_betas = NULL;
		}
		if (out_model) {
			bedrock__free(*out_model);
			*out_model = NULL;
		}
		if (out_len)
			*out_len = 0;
	}
	return rc;
}

int bedrock_body_convert(char **out, size_t *out_len, char **out_betas, char **out_model,
			 const char *body, size_t body_len, const char *betas_header,
			 const bedrock_body_options *opts)
{
	bedrock_body_options defaults = BEDROCK_BODY_OPTIONS_INIT;
	cJSON *tree;
	int rc;

	if ((rc = start(out, out_len, out_betas, out_model, opts)) != 0)
		return rc;
	if (!body)
		return BEDROCK_EINVAL;
	tree = bedrock__json_parse_exact(body, body_len);
	if (!cJSON_IsObject(tree)) {
		cJSON_Delete(tree);
		return BEDROCK_EINVAL;
	}
	rc = dialect(tree, out_betas, out_model, betas_header, opts ? opts : &defaults);
	return finish(out, out_len, out_betas, out_model, tree, rc);
}

int bedrock_messages_request_render(char **out, size_t *out_len, char **out_betas,
				    const bedrock_messages_request *req,
				    const bedrock_body_options *opts)
{
	cJSON *tree;
	int rc;

	if ((rc = start(out, out_len, out_betas, NULL, opts)) != 0)
		return rc;
	if (!req)
		return BEDROCK_EINVAL;
	/* Bedrock's body is the one the builder has always written. */
	if (!opts || opts->platform == BEDROCK_PLATFORM_BEDROCK)
		return bedrock_messages_request_json(out, out_len, req);
	if ((rc = bedrock__req_body_tree(&tree, req)) != 0)
		return rc;
	rc = dialect(tree, out_betas, NULL, NULL, opts);
	if (rc == BEDROCK_EINVAL)
		bedrock__req_fail((bedrock_messages_request *)req, rc,
				  "cannot write the body for %s: no model (bedrock_body_options.model), or "
				  "anthropic_beta is not an array of strings", bedrock_platform_name(opts->platform));
	return finish(out, out_len, out_betas, NULL, tree, rc);
}
