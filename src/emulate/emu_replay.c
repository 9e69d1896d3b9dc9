#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "emu_replay.h"
#include "json.h"

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL, *p;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 65536) {
			p = realloc(buf, cap + 65536 + 1);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap += 65536;
		}
		r = fread(buf + n, 1, cap - n, f);
		if (!r)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

static cJSON *read_json(const char *dir, const char *file)
{
	char path[4096], *text;
	cJSON *j;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	text = slurp(path, NULL);
	if (!text)
		return NULL;
	j = cJSON_Parse(text);
	free(text);
	return j;
}

static int skip_header(const char *name)
{
	static const char *const hop[] = { "connection", "content-length", "transfer-encoding",
					   "date", "keep-alive" };
	size_t i;

	for (i = 0; i < sizeof(hop) / sizeof(hop[0]); i++)
		if (!strcasecmp(name, hop[i]))
			return 1;
	return 0;
}

static int load_one(emu_replay *r, const char *dir, const char *name, char *err, size_t cap)
{
	cJSON *req = read_json(dir, "request.json"), *resp = read_json(dir, "response.json");
	const cJSON *h, *st, *body;
	emu_exchange x, *p;
	const char *note, *q;
	char path[4096];

	memset(&x, 0, sizeof(x));
	if (!req || !resp) {
		snprintf(err, cap, "%s: request.json or response.json missing or not JSON", dir);
		goto fail;
	}
	st = cJSON_GetObjectItemCaseSensitive(resp, "status");
	if (!bedrock__json_str(req, "method") || !bedrock__json_str(req, "path") ||
	    !cJSON_IsNumber(st)) {
		snprintf(err, cap, "%s: request.json needs method and path, response.json a status", dir);
		goto fail;
	}
	x.name = strdup(name);
	x.method = strdup(bedrock__json_str(req, "method"));
	x.path = strdup(bedrock__json_str(req, "path"));
	x.status = st->valueint;
	body = cJSON_GetObjectItemCaseSensitive(req, "body");
	if (body && !cJSON_IsNull(body))
		x.body = cJSON_Duplicate(body, 1);
	note = bedrock__json_str(req, "note");
	if (note && (q = strstr(note, "prompt prefix '")) != NULL) {
		const char *end;

		q += strlen("prompt prefix '");
		end = strrchr(q, '\'');
		if (end && end > q)
			x.prompt_prefix = strndup(q, (size_t)(end - q));
	}
	cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(resp, "headers")) {
		serve_header *nh;

		if (!cJSON_IsString(h) || skip_header(h->string))
			continue;
		nh = realloc(x.headers, (x.header_count + 1) * sizeof(*nh));
		if (!nh)
			goto oom;
		x.headers = nh;
		nh[x.header_count].name = strdup(h->string);
		nh[x.header_count].value = strdup(h->valuestring);
		x.header_count++;
	}
	if (bedrock__json_str(resp, "content_type") &&
	    !cJSON_GetObjectItem(cJSON_GetObjectItem(resp, "headers"), "Content-Type")) {
		serve_header *nh = realloc(x.headers, (x.header_count + 1) * sizeof(*nh));

		if (!nh)
			goto oom;
		x.headers = nh;
		nh[x.header_count].name = strdup("Content-Type");
		nh[x.header_count].value = strdup(bedrock__json_str(resp, "content_type"));
		x.header_count++;
	}
	snprintf(path, sizeof(path), "%s/response.body", dir);
	x.response = (uint8_t *)slurp(path, &x.response_len);
	if (!x.response) {
		snprintf(err, cap, "%s: response.body missing", dir);
		goto fail;
	}
	p = realloc(r->items, (r->count + 1) * sizeof(*p));
	if (!p)
		goto oom;
	r->items = p;
	r->items[r->count++] = x;
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return 0;
oom:
	snprintf(err, cap, "out of memory");
fail:
	{
		size_t i;

		for (i = 0; i < x.header_count; i++) {
			free(x.headers[i].name);
			free(x.headers[i].value);
		}
	}
	free(x.headers);
	free(x.name);
	free(x.method);
	free(x.path);
	free(x.prompt_prefix);
	free(x.response);
	cJSON_Delete(x.body);
	cJSON_Delete(req);
	cJSON_Delete(resp);
	return -1;
}

static int cmp_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int emu_replay_init(emu_replay *r)
{
	memset(r, 0, sizeof(*r));
	return pthread_mutex_init(&r->lock, NULL) ? -1 : 0;
}

int emu_replay_load(emu_replay *r, const char *dir, char *err, size_t cap)
{
	char path[4096], **names = NULL;
	size_t n = 0, i;
	struct dirent *e;
	DIR *d;
	FILE *f;
	int rc = 0;

	snprintf(path, sizeof(path), "%s/request.json", dir);
	if ((f = fopen(path, "r")) != NULL) {
		const char *base = strrchr(dir, '/');

		fclose(f);
		return load_one(r, dir, base && base[1] ? base + 1 : dir, err, cap);
	}
	d = opendir(dir);
	if (!d) {
		snprintf(err, cap, "%s: cannot open the replay directory", dir);
		return -1;
	}
	while ((e = readdir(d)) != NULL) {
		char **p;

		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/request.json", dir, e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		fclose(f);
		p = realloc(names, (n + 1) * sizeof(*names));
		if (!p)
			break;
		names = p;
		names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(*names), cmp_name);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		if (!rc && load_one(r, path, names[i], err, cap))
			rc = -1;
		free(names[i]);
	}
	free(names);
	if (!rc && n == 0) {
		snprintf(err, cap, "%s: no recorded exchanges (directories with request.json)", dir);
		rc = -1;
	}
	return rc;
}

/* Whether the raw body contains the prefix, comparing the JSON-decoded
 * strings of the request (prompts arrive JSON-escaped). */
static int body_has_prefix(const serve_request *req, const char *prefix)
{
	cJSON *j = cJSON_ParseWithLength((const char *)req->body, req->body_len);
	cJSON *stack[64];
	int sp = 0, found = 0;

	if (!j)
		return 0;
	/* Search every string value: prompt, messages[].content, ... */
	stack[sp++] = j;
	while (sp && !found) {
		cJSON *it = stack[--sp], *c;

		if (cJSON_IsString(it) && strstr(it->valuestring, prefix))
			found = 1;
		for (c = it->child; c && sp < 64; c = c->next)
			stack[sp++] = c;
	}
	cJSON_Delete(j);
	return found;
}

int emu_replay_answer(emu_replay *r, serve_response *out, const serve_request *req)
{
	emu_exchange *best = NULL, *near = NULL;
	cJSON *body = req->body_len ? cJSON_ParseWithLength((const char *)req->body, req->body_len)
				    : NULL;
	int best_score = 0;
	size_t i, near_len = 0;
	char msg[1024];

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->count; i++) {
		emu_exchange *x = &r->items[i];
		int score;
		size_t common = 0;

		while (x->path[common] && x->path[common] == req->path[common])
			common++;
		if (strcmp(x->method, req->method) || strcmp(x->path, req->path)) {
			if (common > near_len) {
				near_len = common;
				near = x;
			}
			continue;
		}
		near = x;
		near_len = (size_t)-1;
		if (x->body)
			score = body && cJSON_Compare(x->body, body, 1) ? 3 : 0;
		else if (x->prompt_prefix)
			score = body_has_prefix(req, x->prompt_prefix) ? 2 : 0;
		else
			score = 1;
		/* Among equals, the one served least: recorded sequences in order. */
		if (score > best_score || (score && score == best_score && x->served < best->served)) {
			best = x;
			best_score = score;
		}
	}
	if (best) {
		best->served++;
		serve_response_init(out, best->status);
		for (i = 0; i < best->header_count; i++)
			serve_response_header(out, best->headers[i].name, best->headers[i].value);
		serve_response_piece(out, best->response, best->response_len, 0);
		pthread_mutex_unlock(&r->lock);
		cJSON_Delete(body);
		return 0;
	}
	snprintf(msg, sizeof(msg), "No recorded exchange matches %.16s %.300s; nearest: %s%s",
		 req->method, req->path, near ? near->name : "none",
		 near && near_len == (size_t)-1 ? " (same method and path, different body)" : "");
	pthread_mutex_unlock(&r->lock);
	cJSON_Delete(body);
	serve_response_init(out, 404);
	serve_response_header(out, "Content-Type", "application/json");
	serve_response_header(out, "x-amzn-ErrorType", "ResourceNotFoundException");
	{
		cJSON *o = cJSON_CreateObject();
		char *text;

		cJSON_AddStringToObject(o, "message", msg);
		text = cJSON_PrintUnformatted(o);
		if (text)
			serve_response_piece(out, text, strlen(text), 0);
		free(text);
		cJSON_Delete(o);
	}
	return -1;
}

void emu_replay_dispose(emu_replay *r)
{
	size_t i, j;

	for (i = 0; i < r->count; i++) {
		emu_exchange *x = &r->items[i];

		for (j = 0; j < x->header_count; j++) {
			free(x->headers[j].name);
			free(x->headers[j].value);
		}
		free(x->headers);
		free(x->name);
		free(x->method);
		free(x->path);
		free(x->prompt_prefix);
		free(x->response);
		cJSON_Delete(x->body);
	}
	free(r->items);
	pthread_mutex_destroy(&r->lock);
	memset(r, 0, sizeof(*r));
}
