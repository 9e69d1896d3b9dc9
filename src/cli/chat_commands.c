/* bedrock chat's slash commands. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "chat.h"
#include "cli_client.h"

static const char help[] =
	"/help              this list\n"
	"/model [M]         show or change the model (alias, id, profile id or ARN)\n"
	"/system [TEXT|-]   show, set or clear (-) the system prompt\n"
	"/attach FILE       attach an image, PDF or text file to the next message\n"
	"/save FILE         write the conversation as an InvokeModel body\n"
	"                   (bedrock invoke --body file://FILE takes it)\n"
	"/load FILE         continue a conversation /save wrote (any InvokeModel body)\n"
	"/clear             start over: forget the conversation and attachments\n"
	"/tokens            count the conversation's input tokens\n"
	"/usage             tokens and latency of the last answer and the session\n"
	"/exit              leave (so does Ctrl-D)\n"
	"Ctrl-C stops an answer (the part that arrived is kept) or discards the line;\n"
	"a line ending in \\ goes on on the next line.\n";

int chat_check(chat *ch)
{
	char err[1024];

	ch->s.thinking_budget = ch->budget_arg;
	if (conv_settings_check(&ch->s, &ch->m, err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return -1;
	}
	return 0;
}

/* "1 message", "2 messages". */
static const char *plural(int n)
{
	return n == 1 ? "" : "s";
}

static void add(int64_t *total, int64_t v)
{
	if (v > 0)
		*total += v;
}

void chat_add_usage(chat *ch, const conv_usage *u)
{
	ch->last = *u;
	add(&ch->total_input, u->input);
	add(&ch->total_output, u->output);
	add(&ch->total_cache_read, u->cache_read);
	add(&ch->total_cache_write, u->cache_write);
	ch->answers++;
}

/* The conversation as an InvokeModel body (pretty-printed, for people). */
static char *render(chat *ch)
{
	bedrock_messages_request *req = NULL;
	char err[512], *body = NULL, *out = NULL;
	size_t len;
	cJSON *o;

	if (conv_request(&req, &ch->s, &ch->m, ch->messages, err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return NULL;
	}
	if (bedrock_messages_request_json(&body, &len, req) == 0) {
		o = cJSON_ParseWithLength(body, len);
		out = cJSON_Print(o);
		cJSON_Delete(o);
	}
	bedrock_messages_string_free(body);
	bedrock_messages_request_free(req);
	return out;
}

static void save(chat *ch, const char *path)
{
	FILE *f;
	char *text;
	int ok, e;

	if (!cJSON_GetArraySize(ch->messages)) {
		fprintf(stderr, "nothing to save yet\n");
		return;
	}
	text = render(ch);
	if (!text)
		return;
	f = fopen(path, "w");
	ok = f && fputs(text, f) >= 0 && fputc('\n', f) != EOF;
	e = errno;
	if (f && fclose(f) && ok) {
		ok = 0;
		e = errno;
	}
	if (ok)
		fprintf(stderr, "saved %d message%s to %s\n", cJSON_GetArraySize(ch->messages),
			plural(cJSON_GetArraySize(ch->messages)), path);
	else
		fprintf(stderr, "bedrock: cannot write %s: %s\n", path, strerror(e));
	free(text);
}

static void load(chat *ch, const char *path)
{
	FILE *f = fopen(path, "rb");
	cJSON *messages;
	char err[256], *text = NULL, *system;
	size_t n = 0;
	long max_tokens;
	int e;

	if (f) {
		text = conv_read_all(f, &n);
		e = errno;
		fclose(f);
	} else {
		e = errno;
	}
	if (!text) {
		fprintf(stderr, "bedrock: cannot read %s: %s\n", path, strerror(e));
		return;
	}
	if (conv_parse_conversation(&messages, &system, &max_tokens, text, n, err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s is not an InvokeModel body: %s\n", path, err);
		free(text);
		return;
	}
	free(text);
	cJSON_Delete(ch->messages);
	ch->messages = messages;
	free(ch->s.system);
	ch->s.system = system;
	if (max_tokens)
		ch->s.max_tokens = max_tokens;
	fprintf(stderr, "loaded %d message%s from %s\n", cJSON_GetArraySize(ch->messages),
		plural(cJSON_GetArraySize(ch->messages)), path);
}

static void tokens(chat *ch)
{
	bedrock_messages_request *req = NULL;
	bedrock_response *resp = NULL;
	bedrock_error_info err;
	char msg[512], *body = NULL, *count = NULL;
	const char *data;
	size_t len;
	cJSON *o, *n;
	int rc;

	if (!cJSON_GetArraySize(ch->messages)) {
		printf("0 input tokens (the conversation is empty)\n");
		return;
	}
	if (conv_request(&req, &ch->s, &ch->m, ch->messages, msg, sizeof(msg)) ||
	    bedrock_messages_request_json(&body, &len, req) ||
	    !(count = conv_count_tokens_body(body, len))) {
		fprintf(stderr, "bedrock: cannot build the request\n");
		goto done;
	}
	cli_note_model(conv_model_count_id(&ch->m));
	rc = bedrock_count_tokens(&resp, ch->c, conv_model_count_id(&ch->m), count, strlen(count), NULL,
				  &err);
	if (rc) {
		cli_report(rc, &err);
		goto done;
	}
	data = bedrock_response_body(resp, &len);
	o = cJSON_ParseWithLength(data, len);
	n = cJSON_GetObjectItemCaseSensitive(o, "inputTokens");
	if (cJSON_IsNumber(n))
		printf("%.0f input tokens in %d message%s\n", n->valuedouble,
		       cJSON_GetArraySize(ch->messages), plural(cJSON_GetArraySize(ch->messages)));
	else
		fprintf(stderr, "bedrock: CountTokens answered without inputTokens\n");
	cJSON_Delete(o);
done:
	bedrock_response_free(resp);
	bedrock_messages_string_free(body);
	free(count);
	bedrock_messages_request_free(req);
}

static void usage(chat *ch)
{
	if (!ch->answers) {
		printf("no answers yet\n");
		return;
	}
	printf("last answer: ");
	conv_usage_print(stdout, &ch->last);
	printf("session, %d answer%s: input %lld, output %lld, cache read %lld, cache write %lld\n",
	       ch->answers, ch->answers == 1 ? "" : "s", (long long)ch->total_input,
	       (long long)ch->total_output, (long long)ch->total_cache_read,
	       (long long)ch->total_cache_write);
}

static void model(chat *ch, const char *arg)
{
	conv_model m;
	char err[1024], *copy;

	if (!*arg) {
		printf("%s%s%s%s\n", ch->m.id, ch->m.info ? " (" : "",
		       ch->m.info ? ch->m.info->name : "", ch->m.info ? ")" : "");
		return;
	}
	if (conv_model_resolve_on(&m, arg, bedrock_client_platform(ch->c), bedrock_client_region(ch->c), err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return;
	}
	if (!m.claude) {
		fprintf(stderr, "bedrock: %s is not a Claude model\n", m.id);
		return;
	}
	copy = strdup(arg);
	if (!copy)
		return;
	free(ch->model_arg);
	ch->model_arg = copy;
	ch->s.model_arg = copy;
	ch->m = m;
	printf("now talking to %s%s%s%s\n", m.id, m.info ? " (" : "", m.info ? m.info->name : "",
	       m.info ? ")" : "");
	chat_check(ch);
}

static void attach(chat *ch, const char *path)
{
	char err[1024];
	const cJSON *b;

	if (!*path) {
		fprintf(stderr, "usage: /attach FILE\n");
		return;
	}
	if (conv_attach(ch->s.files, path, err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return;
	}
	b = cJSON_GetArrayItem(ch->s.files, cJSON_GetArraySize(ch->s.files) - 1);
	b = cJSON_GetObjectItemCaseSensitive(b, "source");
	fprintf(stderr, "attached %s (%s); it goes with the next message\n", path,
		cJSON_GetObjectItemCaseSensitive(b, "media_type")->valuestring);
	if (chat_check(ch))
		cJSON_DeleteItemFromArray(ch->s.files, cJSON_GetArraySize(ch->s.files) - 1);
}

int chat_command(chat *ch, char *line)
{
	char *cmd = line + 1, *arg = cmd;

	while (*arg && *arg != ' ' && *arg != '\t')
		arg++;
	if (*arg)
		*arg++ = '\0';
	while (*arg == ' ' || *arg == '\t')
		arg++;
	if (!strcmp(cmd, "exit") || !strcmp(cmd, "quit"))
		return 1;
	if (!strcmp(cmd, "help")) {
		fputs(help, stdout);
	} else if (!strcmp(cmd, "model")) {
		model(ch, arg);
	} else if (!strcmp(cmd, "system")) {
		if (!*arg) {
			/* It may come from a file /load read. */
			term_safe_puts(ch->s.system ? ch->s.system : "(no system prompt)", stdout,
				       isatty(STDOUT_FILENO));
			putchar('\n');
		} else {
			free(ch->s.system);
			ch->s.system = strcmp(arg, "-") ? strdup(arg) : NULL;
			fprintf(stderr, ch->s.system ? "system prompt set\n" : "system prompt cleared\n");
		}
	} else if (!strcmp(cmd, "attach")) {
		attach(ch, arg);
	} else if (!strcmp(cmd, "save") || !strcmp(cmd, "load")) {
		if (!*arg)
			fprintf(stderr, "usage: /%s FILE\n", cmd);
		else if (!strcmp(cmd, "save"))
			save(ch, arg);
		else
			load(ch, arg);
	} else if (!strcmp(cmd, "clear")) {
		cJSON_Delete(ch->messages);
		ch->messages = cJSON_CreateArray();
		cJSON_Delete(ch->s.files);
		ch->s.files = cJSON_CreateArray();
		fprintf(stderr, "conversation cleared\n");
	} else if (!strcmp(cmd, "tokens")) {
		tokens(ch);
	} else if (!strcmp(cmd, "usage")) {
		usage(ch);
	} else {
		fprintf(stderr, "unknown command /%s (/help lists them)\n", cmd);
	}
	fflush(stdout);
	return 0;
}
