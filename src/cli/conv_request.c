/* The options ask, chat and tokens share, and the request bodies they
 * make: Messages (through the library's builder), Converse, CountTokens. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ascii.h"
#include "conv.h"
#include "json.h"

#define BETA_1M "context-1m-2025-08-07"
/* Budget for a bare --thinking on a model without adaptive thinking. */
#define DEFAULT_BUDGET 4096
#define DEFAULT_MAX_TOKENS 8192

const char conv_options_help[] =
	"  -m, --model M        alias (sonnet, opus, haiku, sonnet-4.5, eu.sonnet-4.5, ...),\n"
	"                       model id, profile id or ARN (default: $BEDROCK_MODEL,\n"
	"                       else Claude Sonnet 4.5's global profile)\n"
	"  -s, --system TEXT    system prompt\n"
	"  --max-tokens N       answer length limit (default 8192, or the model's if lower)\n"
	"  --temperature X, --top-p X, --top-k N\n"
	"                       sampling (the newest models take temperature or top-p)\n"
	"  --stop TEXT          stop sequence (repeatable)\n"
	"  -f, --file PATH      attach PNG/JPEG/GIF/WebP (image), PDF or UTF-8 text (repeatable)\n"
	"  --beta NAME          an anthropic_beta flag (repeatable)\n"
	"  --1m                 the 1M-token context window beta (models that have it)\n"
	"  --thinking[=BUDGET]  extended thinking: adaptive on models that have it\n"
	"                       (Opus 4.6), else a budget of BUDGET tokens (default 4096)\n"
	"  --effort LEVEL       low, medium, high or max (models with adaptive thinking)\n"
	"  --tools FILE         a JSON array of tool definitions; tool calls print as JSON\n";

void conv_settings_init(conv_settings *s)
{
	memset(s, 0, sizeof(*s));
	s->temperature = s->top_p = -1;
	s->top_k = -1;
	s->stops = cJSON_CreateArray();
	s->betas = cJSON_CreateArray();
	s->files = cJSON_CreateArray();
}

void conv_settings_dispose(conv_settings *s)
{
	free(s->system);
	cJSON_Delete(s->stops);
	cJSON_Delete(s->betas);
	cJSON_Delete(s->tools);
	cJSON_Delete(s->files);
	memset(s, 0, sizeof(*s));
}

const char *conv_opt_value(int argc, char **argv, int *i, const char *name, int *missing)
{
	const char *a = argv[*i];
	size_t n = strlen(name);

	*missing = 0;
	if (strncmp(a, name, n))
		return NULL;
	if (a[n] == '=')
		return a + n + 1;
	if (a[n])
		return NULL;
	if (*i + 1 >= argc) {
		*missing = 1;
		return NULL;
	}
	return argv[++*i];
}

static int number(double *out, const char *v, const char *opt, double lo, double hi)
{
	char *end;
	double d = strtod(v, &end);

	if (!*v || *end || d < lo || d > hi) {
		fprintf(stderr, "bedrock: %s takes a number from %g to %g, not '%s'\n", opt, lo, hi, v);
		return -1;
	}
	*out = d;
	return 0;
}

static int integer(long *out, const char *v, const char *opt, long lo, long hi)
{
	char *end;
	long n = strtol(v, &end, 10);

	if (!*v || *end || n < lo || n > hi) {
		fprintf(stderr, "bedrock: %s takes a whole number from %ld to %ld, not '%s'\n", opt, lo,
			hi, v);
		return -1;
	}
	*out = n;
	return 0;
}

static int load_tools(conv_settings *s, const char *path)
{
	FILE *f = fopen(path, "rb");
	cJSON *tools;
	char err[256], *text;
	size_t n;

	if (!f) {
		fprintf(stderr, "bedrock: --tools: cannot read %s: %s\n", path, strerror(errno));
		return -1;
	}
	text = conv_read_all(f, &n);
	fclose(f);
	if (!text || conv_parse_tools(&tools, text, n, err, sizeof(err))) {
		fprintf(stderr, "bedrock: --tools: %s: %s\n", path, text ? err : strerror(errno));
		free(text);
		return -1;
	}
	free(text);
	cJSON_Delete(s->tools);
	s->tools = tools;
	return 0;
}

int conv_option(conv_settings *s, int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	char err[512];
	int missing;

	if (!strcmp(a, "--1m")) {
		s->context_1m = 1;
		return 1;
	}
	if (!strcmp(a, "--thinking")) {
		s->thinking = 1;
		s->thinking_budget = 0;
		return 1;
	}
	if (!strncmp(a, "--thinking=", 11)) {
		s->thinking = 1;
		return integer(&s->thinking_budget, a + 11, "--thinking=BUDGET", 1024, 1000000) ? -1 : 1;
	}
#define VALUE(name) ((v = conv_opt_value(argc, argv, i, name, &missing)) != NULL || missing)
	if (VALUE("-m") || VALUE("--model")) {
		if (!v || !*v)
			goto need;
		s->model_arg = v;
	} else if (VALUE("-s") || VALUE("--system")) {
		if (!v)
			goto need;
		free(s->system);
		s->system = *v ? strdup(v) : NULL;
	} else if (VALUE("--max-tokens")) {
		if (!v || integer(&s->max_tokens, v, "--max-tokens", 1, 1000000))
			return v ? -1 : (fprintf(stderr, "bedrock: %s needs a value\n", a), -1);
	} else if (VALUE("--temperature")) {
		if (!v || number(&s->temperature, v, "--temperature", 0, 1))
			return v ? -1 : (fprintf(stderr, "bedrock: %s needs a value\n", a), -1);
	} else if (VALUE("--top-p")) {
		if (!v || number(&s->top_p, v, "--top-p", 0, 1))
			return v ? -1 : (fprintf(stderr, "bedrock: %s needs a value\n", a), -1);
	} else if (VALUE("--top-k")) {
		if (!v || integer(&s->top_k, v, "--top-k", 0, 1000000))
			return v ? -1 : (fprintf(stderr, "bedrock: %s needs a value\n", a), -1);
	} else if (VALUE("--stop")) {
		if (!v)
			goto need;
		if (!*v) {
			fprintf(stderr, "bedrock: --stop takes a non-empty text\n");
			return -1;
		}
		cJSON_AddItemToArray(s->stops, cJSON_CreateString(v));
	} else if (VALUE("--beta")) {
		if (!v || !*v)
			goto need;
		cJSON_AddItemToArray(s->betas, cJSON_CreateString(v));
	} else if (VALUE("--effort")) {
		if (!v)
			goto need;
		if (strcmp(v, "low") && strcmp(v, "medium") && strcmp(v, "high") && strcmp(v, "max")) {
			fprintf(stderr, "bedrock: --effort is low, medium, high or max\n");
			return -1;
		}
		s->effort = v;
	} else if (VALUE("--tools")) {
		if (!v || !*v)
			goto need;
		return load_tools(s, v) ? -1 : 1;
	} else if (VALUE("-f") || VALUE("--file")) {
		if (!v || !*v)
			goto need;
		if (conv_attach(s->files, v, err, sizeof(err))) {
			fprintf(stderr, "bedrock: %s\n", err);
			return -1;
		}
	} else {
		return 0;
	}
#undef VALUE
	return 1;
need:
	fprintf(stderr, "bedrock: %s needs a value\n", a);
	return -1;
}

static void models_with(char *out, size_t cap, unsigned feature)
{
	size_t i, n = 0;

	out[0] = '\0';
	for (i = 0; i < bedrock_models_count() && n < cap; i++) {
		const bedrock_model_info *m = bedrock_models_at(i);

		if (m->features & feature)
			n += (size_t)snprintf(out + n, cap - n, "%s%s", n ? ", " : "", m->name);
	}
}

static int has_image(const cJSON *blocks)
{
	const cJSON *b;

	cJSON_ArrayForEach(b, blocks) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "type");

		if (cJSON_IsString(t) && !strcmp(t->valuestring, "image"))
			return 1;
	}
	return 0;
}

static int adaptive(const conv_model *m)
{
	return m->info && (m->info->features & BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING);
}

long conv_max_tokens(const conv_settings *s, const conv_model *m)
{
	long limit = m->info ? (long)m->info->max_output_tokens : 0, mt;

	if (s->max_tokens)
		return s->max_tokens;
	mt = limit && limit < DEFAULT_MAX_TOKENS ? limit : DEFAULT_MAX_TOKENS;
	/* A big thinking budget makes room for the answer after it. */
	if (s->thinking_budget && s->thinking_budget >= mt)
		mt = s->thinking_budget + DEFAULT_MAX_TOKENS;
	return limit && mt > limit ? limit : mt;
}

int conv_settings_check(conv_settings *s, const conv_model *m, char *err, size_t cap)
{
	char names[384];
	long mt;

	if (s->context_1m && (!m->claude || (m->info && !(m->info->features &
							   BEDROCK_MODEL_FEATURE_CONTEXT_1M)))) {
		models_with(names, sizeof(names), BEDROCK_MODEL_FEATURE_CONTEXT_1M);
		snprintf(err, cap, "--1m: %s has no 1M-token context window (these do: %s)",
			 m->info ? m->info->name : m->id, names);
		return -1;
	}
	if (s->effort && m->info && !adaptive(m)) {
		models_with(names, sizeof(names), BEDROCK_MODEL_FEATURE_ADAPTIVE_THINKING);
		snprintf(err, cap, "--effort: %s has no adaptive thinking (these do: %s); use "
			 "--thinking=BUDGET to give it a thinking budget", m->info->name, names);
		return -1;
	}
	if (m->info && !(m->info->modalities & BEDROCK_MODALITY_IMAGE) && has_image(s->files)) {
		snprintf(err, cap, "%s takes no images", m->info->name);
		return -1;
	}
	if (s->thinking && m->info && !(m->info->features & BEDROCK_MODEL_FEATURE_THINKING)) {
		models_with(names, sizeof(names), BEDROCK_MODEL_FEATURE_THINKING);
		snprintf(err, cap, "--thinking: %s has no extended thinking (these do: %s)",
			 m->info->name, names);
		return -1;
	}
	/* A bare --thinking: adaptive where the model has it, else budgeted. */
	if (s->thinking && !s->thinking_budget && !adaptive(m))
		s->thinking_budget = DEFAULT_BUDGET;
	mt = conv_max_tokens(s, m);
	if (s->thinking_budget && s->thinking_budget >= mt) {
		snprintf(err, cap, "--thinking: the budget (%ld tokens) must be below --max-tokens "
			 "(%ld)", s->thinking_budget, mt);
		return -1;
	}
	return 0;
}

cJSON *conv_user_turn(const char *text, cJSON *files)
{
	cJSON *turn = cJSON_CreateObject(), *content, *b;

	if (!turn)
		return NULL;
	cJSON_AddStringToObject(turn, "role", "user");
	content = cJSON_AddArrayToObject(turn, "content");
	if (!content) {
		cJSON_Delete(turn);
		return NULL;
	}
	/* Files first: Claude reads images and documents before the question. */
	while (files && (b = files->child) != NULL)
		cJSON_AddItemToArray(content, cJSON_DetachItemViaPointer(files, b));
	if (text && *text) {
		b = cJSON_CreateObject();
		cJSON_AddStringToObject(b, "type", "text");
		cJSON_AddStringToObject(b, "text", text);
		cJSON_AddItemToArray(content, b);
	}
	return turn;
}

/* ---- Messages ---- */

static int add_turn(bedrock_messages_request *req, const cJSON *turn)
{
	const cJSON *role = cJSON_GetObjectItemCaseSensitive(turn, "role");
	const cJSON *content = cJSON_GetObjectItemCaseSensitive(turn, "content"), *b;
	int rc;

	rc = bedrock_messages_request_add_message(
		req, cJSON_IsString(role) && !strcmp(role->valuestring, "assistant")
			     ? BEDROCK_ROLE_ASSISTANT
			     : BEDROCK_ROLE_USER);
	if (rc)
		return rc;
	if (cJSON_IsString(content))
		return bedrock_messages_request_add_text(req, content->valuestring, NULL);
	cJSON_ArrayForEach(b, content) {
		char *json = cJSON_PrintUnformatted(b);

		rc = json ? bedrock_messages_request_add_block_json(req, json) : BEDROCK_ENOMEM;
		free(json);
		if (rc)
			return rc;
	}
	return 0;
}

int conv_request(bedrock_messages_request **out, const conv_settings *s, const conv_model *m,
		 const cJSON *messages, char *err, size_t cap)
{
	bedrock_messages_request *req = NULL;
	const cJSON *it;
	char extra[96];
	int rc;

	*out = NULL;
	rc = bedrock_messages_request_new(&req, (int)conv_max_tokens(s, m));
	if (rc)
		goto fail;
	if (s->system && (rc = bedrock_messages_request_set_system(req, s->system)))
		goto fail;
	cJSON_ArrayForEach(it, messages)
		if ((rc = add_turn(req, it)))
			goto fail;
	if (s->temperature >= 0 &&
	    (rc = bedrock_messages_request_set_temperature(req, s->temperature)))
		goto fail;
	if (s->top_p >= 0 && (rc = bedrock_messages_request_set_top_p(req, s->top_p)))
		goto fail;
	if (s->top_k >= 0 && (rc = bedrock_messages_request_set_top_k(req, (int)s->top_k)))
		goto fail;
	cJSON_ArrayForEach(it, s->stops)
		if ((rc = bedrock_messages_request_add_stop_sequence(req, it->valuestring)))
			goto fail;
	cJSON_ArrayForEach(it, s->betas)
		if ((rc = bedrock_messages_request_add_beta(req, it->valuestring)))
			goto fail;
	if (s->context_1m && (rc = bedrock_messages_request_add_beta(req, BETA_1M)))
		goto fail;
	if (s->thinking)
		rc = s->thinking_budget
			     ? bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_ENABLED,
								     (int)s->thinking_budget)
			     : bedrock_messages_request_set_thinking(req, BEDROCK_THINKING_ADAPTIVE, 0);
	if (rc)
		goto fail;
	if (s->effort) {
		snprintf(extra, sizeof(extra), "{\"output_config\":{\"effort\":\"%s\"}}", s->effort);
		if ((rc = bedrock_messages_request_merge_json(req, extra)))
			goto fail;
	}
	cJSON_ArrayForEach(it, s->tools) {
		char *json = cJSON_PrintUnformatted(it);

		rc = json ? bedrock_messages_request_add_tool_json(req, json) : BEDROCK_ENOMEM;
		free(json);
		if (rc)
			goto fail;
	}
	*out = req;
	return 0;
fail:
	snprintf(err, cap, "cannot build the request: %s",
		 req && *bedrock_messages_request_errmsg(req) ? bedrock_messages_request_errmsg(req)
							      : bedrock_strerror(rc));
	bedrock_messages_request_free(req);
	return -1;
}

/* ---- Converse ---- */

/* Converse document names: letters, digits, single spaces, hyphens,
 * parentheses and square brackets. */
static void doc_name(char *out, size_t cap, const char *title)
{
	size_t n = 0;
	const char *p;

	for (p = title ? title : "document"; *p && n + 1 < cap; p++) {
		char c = *p;
		int ok = bedrock__ascii_alnum((unsigned char)c) || c == '-' || c == '(' || c == ')' ||
			 c == '[' || c == ']';

		if (!ok)
			c = n && out[n - 1] != ' ' ? ' ' : 0;
		if (c)
			out[n++] = c;
	}
	while (n && out[n - 1] == ' ')
		n--;
	if (!n)
		n = (size_t)snprintf(out, cap, "document");
	out[n] = '\0';
}

static const char *doc_format(const char *title)
{
	const char *dot = title ? strrchr(title, '.') : NULL;

	if (dot && (!strcmp(dot, ".md") || !strcmp(dot, ".markdown")))
		return "md";
	if (dot && !strcmp(dot, ".csv"))
		return "csv";
	if (dot && (!strcmp(dot, ".html") || !strcmp(dot, ".htm")))
		return "html";
	return "txt";
}

static cJSON *text_block(const char *text)
{
	cJSON *o = cJSON_CreateObject();

	cJSON_AddStringToObject(o, "text", text);
	return o;
}

static cJSON *converse_block(const cJSON *b, char *err, size_t cap)
{
	const char *type = bedrock__json_str(b, "type"), *v;
	const cJSON *src = cJSON_GetObjectItemCaseSensitive(b, "source");
	const char *data = bedrock__json_str(src, "data"), *media = bedrock__json_str(src, "media_type");
	cJSON *o = cJSON_CreateObject(), *inner, *s;
	char name[200];

	if (!type)
		type = "";
	if (!strcmp(type, "text")) {
		v = bedrock__json_str(b, "text");
		cJSON_AddStringToObject(o, "text", v ? v : "");
	} else if (!strcmp(type, "image") && data && media) {
		inner = cJSON_AddObjectToObject(o, "image");
		cJSON_AddStringToObject(inner, "format", media + 6);
		s = cJSON_AddObjectToObject(inner, "source");
		cJSON_AddStringToObject(s, "bytes", data);
	} else if (!strcmp(type, "document") && data) {
		int text = (v = bedrock__json_str(src, "type")) != NULL && !strcmp(v, "text");
		char *enc = text ? conv_base64(data, strlen(data)) : NULL;

		inner = cJSON_AddObjectToObject(o, "document");
		cJSON_AddStringToObject(inner, "format",
					text ? doc_format(bedrock__json_str(b, "title")) : "pdf");
		doc_name(name, sizeof(name), bedrock__json_str(b, "title"));
		cJSON_AddStringToObject(inner, "name", name);
		s = cJSON_AddObjectToObject(inner, "source");
		cJSON_AddStringToObject(s, "bytes", text ? (enc ? enc : "") : data);
		free(enc);
	} else if (!strcmp(type, "tool_use")) {
		inner = cJSON_AddObjectToObject(o, "toolUse");
		v = bedrock__json_str(b, "id");
		cJSON_AddStringToObject(inner, "toolUseId", v ? v : "");
		v = bedrock__json_str(b, "name");
		cJSON_AddStringToObject(inner, "name", v ? v : "");
		cJSON_AddItemToObject(inner, "input",
				      cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(b, "input"), 1));
	} else if (!strcmp(type, "thinking") && bedrock__json_str(b, "thinking")) {
		inner = cJSON_AddObjectToObject(o, "reasoningContent");
		s = cJSON_AddObjectToObject(inner, "reasoningText");
		cJSON_AddStringToObject(s, "text", bedrock__json_str(b, "thinking"));
		if (bedrock__json_str(b, "signature"))
			cJSON_AddStringToObject(s, "signature", bedrock__json_str(b, "signature"));
	} else {
		snprintf(err, cap, "--converse cannot send a '%s' block", type);
		cJSON_Delete(o);
		return NULL;
	}
	return o;
}

static int converse_tools(cJSON *body, const cJSON *tools, char *err, size_t cap)
{
	cJSON *cfg, *list;
	const cJSON *t;

	if (!cJSON_GetArraySize(tools))
		return 0;
	cfg = cJSON_AddObjectToObject(body, "toolConfig");
	list = cJSON_AddArrayToObject(cfg, "tools");
	cJSON_ArrayForEach(t, tools) {
		const cJSON *schema = cJSON_GetObjectItemCaseSensitive(t, "input_schema");
		cJSON *spec, *wrap = cJSON_CreateObject();

		if (!cJSON_IsObject(schema)) {
			snprintf(err, cap, "--converse takes tools with an input_schema only ('%s' has none)",
				 bedrock__json_str(t, "name"));
			cJSON_Delete(wrap);
			return -1;
		}
		spec = cJSON_AddObjectToObject(wrap, "toolSpec");
		cJSON_AddStringToObject(spec, "name", bedrock__json_str(t, "name"));
		if (bedrock__json_str(t, "description"))
			cJSON_AddStringToObject(spec, "description", bedrock__json_str(t, "description"));
		cJSON_AddItemToObject(cJSON_AddObjectToObject(spec, "inputSchema"), "json",
				      cJSON_Duplicate(schema, 1));
		cJSON_AddItemToArray(list, wrap);
	}
	return 0;
}

int conv_converse_body(char **out, const conv_settings *s, const conv_model *m,
		       const cJSON *messages, char *err, size_t cap)
{
	cJSON *body = cJSON_CreateObject(), *msgs, *cfg, *extra, *th;
	const cJSON *turn, *b;

	*out = NULL;
	msgs = cJSON_AddArrayToObject(body, "messages");
	cJSON_ArrayForEach(turn, messages) {
		const cJSON *content = cJSON_GetObjectItemCaseSensitive(turn, "content");
		const char *role = bedrock__json_str(turn, "role");
		cJSON *t = cJSON_CreateObject(), *c;

		cJSON_AddItemToArray(msgs, t);
		cJSON_AddStringToObject(t, "role", role ? role : "user");
		c = cJSON_AddArrayToObject(t, "content");
		if (cJSON_IsString(content)) {
			cJSON_AddItemToArray(c, text_block(content->valuestring));
			continue;
		}
		cJSON_ArrayForEach(b, content) {
			cJSON *cb = converse_block(b, err, cap);

			if (!cb)
				goto fail;
			cJSON_AddItemToArray(c, cb);
		}
	}
	if (s->system)
		cJSON_AddItemToArray(cJSON_AddArrayToObject(body, "system"), text_block(s->system));
	cfg = cJSON_AddObjectToObject(body, "inferenceConfig");
	/* Without maxTokens Bedrock allows the model's whole output, which is
	 * the right default for a model the catalog does not know. */
	if (s->max_tokens || m->info)
		cJSON_AddNumberToObject(cfg, "maxTokens", (double)conv_max_tokens(s, m));
	if (s->temperature >= 0)
		cJSON_AddNumberToObject(cfg, "temperature", s->temperature);
	if (s->top_p >= 0)
		cJSON_AddNumberToObject(cfg, "topP", s->top_p);
	if (cJSON_GetArraySize(s->stops))
		cJSON_AddItemToObject(cfg, "stopSequences", cJSON_Duplicate(s->stops, 1));
	if (!cfg->child)
		cJSON_DeleteItemFromObject(body, "inferenceConfig");
	if (converse_tools(body, s->tools, err, cap))
		goto fail;
	/* What Converse has no field for goes to the model as is. */
	extra = cJSON_CreateObject();
	if (s->top_k >= 0)
		cJSON_AddNumberToObject(extra, "top_k", (double)s->top_k);
	if (s->thinking) {
		th = cJSON_AddObjectToObject(extra, "thinking");
		cJSON_AddStringToObject(th, "type", s->thinking_budget ? "enabled" : "adaptive");
		if (s->thinking_budget)
			cJSON_AddNumberToObject(th, "budget_tokens", (double)s->thinking_budget);
	}
	if (cJSON_GetArraySize(s->betas) || s->context_1m) {
		cJSON *betas = cJSON_Duplicate(s->betas, 1);

		if (s->context_1m)
			cJSON_AddItemToArray(betas, cJSON_CreateString(BETA_1M));
		cJSON_AddItemToObject(extra, "anthropic_beta", betas);
	}
	if (s->effort)
		cJSON_AddStringToObject(cJSON_AddObjectToObject(extra, "output_config"), "effort",
					s->effort);
	if (extra->child)
		cJSON_AddItemToObject(body, "additionalModelRequestFields", extra);
	else
		cJSON_Delete(extra);
	*out = cJSON_PrintUnformatted(body);
	cJSON_Delete(body);
	if (!*out) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	return 0;
fail:
	cJSON_Delete(body);
	return -1;
}

char *conv_count_tokens_body(const char *invoke_body, size_t len)
{
	char *enc = conv_base64(invoke_body, len), *out;
	size_t n;

	if (!enc)
		return NULL;
	n = strlen(enc) + 64;
	out = malloc(n);
	if (out)
		snprintf(out, n, "{\"input\":{\"invokeModel\":{\"body\":\"%s\"}}}", enc);
	free(enc);
	return out;
}
