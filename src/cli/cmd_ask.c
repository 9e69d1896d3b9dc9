/* bedrock ask: one question, the answer streamed to stdout.
 * bedrock tokens: what the same request would count as input tokens. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "conv.h"

static const char ask_usage[] =
	"usage: bedrock ask [options] [PROMPT...|-]\n"
	"\n"
	"Asks Claude and streams the answer to stdout. The prompt is the arguments\n"
	"joined by spaces, or standard input when there are none (or -).\n"
	"\n";
static const char ask_usage_more[] =
	"  --json               print the final Message object (JSON) instead of the text\n"
	"  --usage              print tokens (input, output, cache) and latency on stderr\n"
	"  --no-stream          one InvokeModel call instead of the response stream\n"
	"  --converse           the Converse API (any Bedrock model: -m amazon.nova-pro-v1:0)\n"
	"  -h, --help           this help\n"
	"\n"
	"Thinking is shown dimmed on a terminal; when stdout is not a terminal it\n"
	"goes to stderr, so stdout carries only the answer. Tool calls print as one\n"
	"JSON line each. Ctrl-C stops the answer (a second one, at once). Exit\n"
	"status: 0 ok, 1 usage or local error, 2 AWS error, 3 network or timeout,\n"
	"4 credentials or configuration, 130 stopped by Ctrl-C.\n";

/* The shells' status for a process Ctrl-C stopped (128 + SIGINT). */
#define ASK_INTERRUPTED 130

static const char tokens_usage[] =
	"usage: bedrock tokens [options] [PROMPT...|-]\n"
	"\n"
	"Counts the input tokens of the request `bedrock ask` would send (CountTokens).\n"
	"\n";
static const char tokens_usage_more[] =
	"  --json               print CountTokens' response as is\n"
	"  -h, --help           this help\n";

typedef struct ask_args {
	conv_settings s;
	int json, usage, no_stream, converse;
	char *prompt;		/* joined positional words; NULL: stdin */
	int from_stdin;
} ask_args;

static int append_word(char **prompt, const char *w)
{
	size_t n = *prompt ? strlen(*prompt) : 0;
	char *p = realloc(*prompt, n + strlen(w) + 2);

	if (!p)
		return -1;
	if (n)
		p[n++] = ' ';
	strcpy(p + n, w);
	*prompt = p;
	return 0;
}

/* Parses ask's (tokens = 0) or tokens' (tokens = 1) arguments. Returns -1
 * to go on, else the exit status. */
static int parse(ask_args *a, int argc, char **argv, int tokens)
{
	const char *usage = tokens ? tokens_usage : ask_usage;
	int i, g, words_done = 0;

	for (i = 1; i < argc; i++) {
		const char *o = argv[i];

		if (!words_done && !strcmp(o, "--")) {
			words_done = 1;
			continue;
		}
		if (words_done || o[0] != '-' || !strcmp(o, "-")) {
			if (!strcmp(o, "-") && !words_done) {
				a->from_stdin = 1;
				continue;
			}
			if (append_word(&a->prompt, o))
				return CLI_USAGE;
			continue;
		}
		if ((g = cli_global_option(argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
			continue;
		}
		if ((g = conv_option(&a->s, argc, argv, &i)) != 0) {
			if (g < 0)
				return CLI_USAGE;
			continue;
		}
		if (!strcmp(o, "--help") || !strcmp(o, "-h")) {
			fputs(usage, stdout);
			fputs(conv_options_help, stdout);
			fputs(tokens ? tokens_usage_more : ask_usage_more, stdout);
			return CLI_OK;
		} else if (!strcmp(o, "--json")) {
			a->json = 1;
		} else if (!tokens && !strcmp(o, "--usage")) {
			a->usage = 1;
		} else if (!tokens && !strcmp(o, "--no-stream")) {
			a->no_stream = 1;
		} else if (!tokens && !strcmp(o, "--converse")) {
			a->converse = 1;
		} else {
			char names[8192];

			snprintf(names, sizeof(names), "%s %s %s %s", usage, conv_options_help,
				 tokens ? tokens_usage_more : ask_usage_more, cli_global_names);
			cli_unknown_option("bedrock", o, names,
					   tokens ? "bedrock tokens --help" : "bedrock ask --help");
			return CLI_USAGE;
		}
	}
	if (a->from_stdin && a->prompt) {
		fprintf(stderr, "bedrock: give the prompt as arguments or on stdin (-), not both\n");
		return CLI_USAGE;
	}
	return -1;
}

/* The prompt: the arguments, else stdin (not from a terminal unless `-`
 * asked for it, so a bare `bedrock ask` does not sit waiting). Chat's
 * messages follow the same rule (conv_text_check). */
static int read_prompt(ask_args *a)
{
	char err[128];
	size_t n;
	int blank;

	if (!a->prompt) {
		if (!a->from_stdin && isatty(STDIN_FILENO) && !cJSON_GetArraySize(a->s.files)) {
			fprintf(stderr, "bedrock: no prompt: give one as an argument, or - to read "
				"standard input\n");
			return -1;
		}
		if (!a->from_stdin && isatty(STDIN_FILENO)) {
			a->prompt = strdup("");
			n = 0;
		} else {
			a->prompt = conv_read_all(stdin, &n);
			if (!a->prompt) {
				fprintf(stderr, "bedrock: cannot read the prompt from stdin\n");
				return -1;
			}
		}
		if (!a->prompt)
			return -1;
	} else {
		n = strlen(a->prompt);
	}
	while (n && (a->prompt[n - 1] == '\n' || a->prompt[n - 1] == '\r'))
		a->prompt[--n] = '\0';
	blank = conv_text_check(a->prompt, n, "the prompt", err, sizeof(err));
	if (blank < 0) {
		fprintf(stderr, "bedrock: %s\n", err);
		return -1;
	}
	if (blank && !cJSON_GetArraySize(a->s.files)) {
		fprintf(stderr, "bedrock: the prompt is empty\n");
		return -1;
	}
	/* Whitespace is no text: the attachments alone are the question. */
	if (blank)
		a->prompt[0] = '\0';
	return 0;
}

/* Everything up to the request: client, model, settings, the one turn. */
static int prepare(ask_args *a, bedrock_client **c, conv_model *m, cJSON **messages)
{
	char err[1024];
	int status;

	if (read_prompt(a))
		return CLI_USAGE;
	status = cli_client_open(c);
	if (status)
		return status;
	if (conv_model_resolve_on(m, a->s.model_arg, bedrock_client_platform(*c), bedrock_client_region(*c), err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return CLI_USAGE;
	}
	if (!m->claude && !a->converse) {
		fprintf(stderr, "bedrock: %s is not a Claude model: add --converse to use the "
			"Converse API, which every Bedrock model speaks\n", m->id);
		return CLI_USAGE;
	}
	if (conv_settings_check(&a->s, m, err, sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		return CLI_USAGE;
	}
	*messages = cJSON_CreateArray();
	cJSON_AddItemToArray(*messages, conv_user_turn(a->prompt, a->s.files));
	cli_note_model(m->id);
	return 0;
}

/* JSON carries the model's text too: DEL and C1 controls are not escaped. */
static void print_json(const char *json)
{
	if (json) {
		term_safe_puts(json, stdout, isatty(STDOUT_FILENO));
		fputc('\n', stdout);
	}
}

/* Ctrl-C: the answer stops where it is (what arrived stays printed, with
 * its newline); a second Ctrl-C ends the process at once, for the calls a
 * cancel cannot reach (Converse's). */
static conv_cancel ask_cancel;
static volatile sig_atomic_t interrupted;

static void on_sigint(int sig)
{
	if (interrupted) {
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	interrupted = 1;
	conv_cancel_trigger(&ask_cancel);
}

int cmd_ask(int argc, char **argv)
{
	bedrock_messages_request *req = NULL;
	bedrock_client *c = NULL;
	bedrock_error_info err;
	cJSON *messages = NULL;
	struct sigaction sa, old;
	conv_printer p;
	conv_result r;
	conv_model m;
	ask_args a;
	char msg[1024], *body = NULL;
	int status, rc;

	cli_g.hints = 1;
	memset(&a, 0, sizeof(a));
	memset(&r, 0, sizeof(r));
	conv_settings_init(&a.s);
	if ((status = parse(&a, argc, argv, 0)) >= 0)
		goto done;
	if ((status = prepare(&a, &c, &m, &messages)) != 0)
		goto done;
	if (a.converse ? conv_converse_body(&body, &a.s, &m, messages, msg, sizeof(msg))
		       : conv_request(&req, &a.s, &m, messages, msg, sizeof(msg))) {
		fprintf(stderr, "bedrock: %s\n", msg);
		status = CLI_USAGE;
		goto done;
	}
	conv_printer_init(&p, stdout, a.json);
	if (bedrock_cancel_new(&ask_cancel.token)) {
		fprintf(stderr, "bedrock: out of memory\n");
		status = CLI_USAGE;
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait in progress returns and the call sees the cancel. */
	sigaction(SIGINT, &sa, &old);
	rc = a.converse ? conv_call_converse(&r, c, &m, body, !a.no_stream, &p, &ask_cancel, &err)
			: conv_call_messages(&r, c, &m, req, !a.no_stream, &p, &ask_cancel, &err);
	sigaction(SIGINT, &old, NULL);
	/* The final message, or what arrived before an error. */
	if (a.json) {
		size_t len;

		print_json(a.converse ? r.converse_json
				      : r.message ? bedrock_message_json(r.message, &len) : NULL);
	}
	fflush(stdout);
	if (a.usage)
		conv_usage_print(stderr, &r.usage);
	if (!rc && !r.canceled && r.stop == BEDROCK_STOP_MAX_TOKENS)
		fprintf(stderr, "bedrock: the answer reached max_tokens (%ld); raise --max-tokens "
			"for more\n", conv_max_tokens(&a.s, &m));
	status = r.canceled || interrupted ? ASK_INTERRUPTED : rc ? cli_report(rc, &err) : CLI_OK;
done:
	bedrock_cancel_free(ask_cancel.token);
	ask_cancel.token = NULL;
	conv_result_dispose(&r);
	bedrock_messages_request_free(req);
	free(body);
	cJSON_Delete(messages);
	bedrock_client_free(c);
	conv_settings_dispose(&a.s);
	free(a.prompt);
	return status;
}

int cmd_tokens(int argc, char **argv)
{
	bedrock_messages_request *req = NULL;
	bedrock_response *resp = NULL;
	bedrock_client *c = NULL;
	bedrock_error_info err;
	cJSON *messages = NULL, *o = NULL, *n;
	conv_model m;
	ask_args a;
	char msg[1024], *body = NULL, *count = NULL;
	const char *data;
	size_t len;
	int status, rc;

	cli_g.hints = 1;
	memset(&a, 0, sizeof(a));
	conv_settings_init(&a.s);
	if ((status = parse(&a, argc, argv, 1)) >= 0)
		goto done;
	if ((status = prepare(&a, &c, &m, &messages)) != 0)
		goto done;
	if (bedrock_client_platform(c) != BEDROCK_PLATFORM_BEDROCK) {
		uint64_t count_n;

		if (conv_request(&req, &a.s, &m, messages, msg, sizeof(msg))) {
			fprintf(stderr, "bedrock: %s\n", msg);
			status = CLI_USAGE;
			goto done;
		}
		rc = bedrock_messages_count_tokens(&count_n, c, m.id, req, NULL, &err);
		if (rc)
			status = cli_report(rc, &err);
		else if (a.json)
			printf("{\n  \"input_tokens\": %llu\n}\n", (unsigned long long)count_n);
		else
			printf("%llu\n", (unsigned long long)count_n);
		goto done;
	}
	if (conv_request(&req, &a.s, &m, messages, msg, sizeof(msg)) ||
	    bedrock_messages_request_json(&body, &len, req) ||
	    !(count = conv_count_tokens_body(body, len))) {
		fprintf(stderr, "bedrock: %s\n", req ? "cannot render the request" : msg);
		status = CLI_USAGE;
		goto done;
	}
	/* CountTokens takes the base model id, not a profile. */
	rc = bedrock_count_tokens(&resp, c, conv_model_count_id(&m), count, strlen(count), NULL, &err);
	if (rc) {
		status = cli_report(rc, &err);
		goto done;
	}
	data = bedrock_response_body(resp, &len);
	if (a.json) {
		print_json(data);
		goto done;
	}
	o = cJSON_ParseWithLength(data, len);
	n = cJSON_GetObjectItemCaseSensitive(o, "inputTokens");
	if (!cJSON_IsNumber(n)) {
		char *shown = term_safe_dup(data, len < 200 ? len : 200);

		fprintf(stderr, "bedrock: CountTokens answered without inputTokens: %.200s\n",
			shown && isatty(STDERR_FILENO) ? shown : data);
		free(shown);
		status = CLI_SERVICE;
		goto done;
	}
	printf("%.0f\n", n->valuedouble);
done:
	cJSON_Delete(o);
	bedrock_response_free(resp);
	bedrock_messages_string_free(body);
	free(count);
	bedrock_messages_request_free(req);
	cJSON_Delete(messages);
	bedrock_client_free(c);
	conv_settings_dispose(&a.s);
	free(a.prompt);
	return status;
}
