/* bedrock chat: a conversation with Claude in the terminal. Line editing
 * and history come from libedit; answers stream; slash commands manage
 * the conversation. Ctrl-C discards the line being typed, or stops the
 * answer in flight (what arrived stays in the conversation); Ctrl-D
 * leaves. History lives in $XDG_STATE_HOME/bedrock/history
 * (~/.local/state/bedrock/history). */
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <histedit.h>

#include "chat.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"

static const char chat_usage[] =
	"usage: bedrock chat [options]\n"
	"\n"
	"A conversation with Claude: type a message, the answer streams back.\n"
	"Ctrl-C discards the line, or stops the answer (the part that arrived is\n"
	"kept); Ctrl-D leaves. Type /help for the commands. History is kept in\n"
	"$XDG_STATE_HOME/bedrock/history (default ~/.local/state/bedrock/history).\n"
	"\n";

/* The one conversation of the process, for the signal handler. */
static conv_cancel cancel_state;

static void on_sigint(int sig)
{
	(void)sig;
	conv_cancel_trigger(&cancel_state);
}

static char *prompt_fn(EditLine *el)
{
	static char buf[64];
	chat *ch = NULL;
	int n;

	el_get(el, EL_CLIENTDATA, &ch);
	n = ch ? cJSON_GetArraySize(ch->s.files) : 0;
	if (n)
		snprintf(buf, sizeof(buf), "[%d file%s] > ", n, n == 1 ? "" : "s");
	else
		snprintf(buf, sizeof(buf), "> ");
	return buf;
}

/* Ctrl-C at the prompt: the line is dropped and a fresh prompt shown, as
 * shells do (the line stays on screen with ^C after it). The edit-mode
 * terminal has ISIG off, so ^C arrives here as a key; a pushed newline
 * ends the line the ordinary way and the loop throws it away. */
static unsigned char cancel_line(EditLine *el, int c)
{
	const LineInfo *li = el_line(el);
	chat *ch = NULL;

	(void)c;
	el_get(el, EL_CLIENTDATA, &ch);
	if (ch)
		ch->line_canceled = 1;
	el_cursor(el, (int)(li->lastchar - li->cursor));
	el_insertstr(el, "^C");
	el_push(el, "\n");
	return CC_REFRESH;
}

static void history_path(chat *ch)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	char dir[PATH_MAX - 16], *p;

	ch->history_file[0] = '\0';
	if (state && *state)
		snprintf(dir, sizeof(dir), "%s/bedrock", state);
	else if (home && *home)
		snprintf(dir, sizeof(dir), "%s/.local/state/bedrock", home);
	else
		return;
	/* mkdir -p, private: history holds what was typed. */
	for (p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		(void)mkdir(dir, 0700);
		*p = '/';
	}
	if (mkdir(dir, 0700) && errno != EEXIST)
		return;
	snprintf(ch->history_file, sizeof(ch->history_file), "%s/history", dir);
}

static int setup_editline(chat *ch, const char *argv0)
{
	HistEvent ev;

	ch->hist = history_init();
	ch->el = el_init(argv0, stdin, stdout, stderr);
	if (!ch->hist || !ch->el)
		return -1;
	history(ch->hist, &ev, H_SETSIZE, 1000);
	history(ch->hist, &ev, H_SETUNIQUE, 1);
	history_path(ch);
	if (ch->history_file[0])
		history(ch->hist, &ev, H_LOAD, ch->history_file);
	el_set(ch->el, EL_CLIENTDATA, ch);
	el_set(ch->el, EL_EDITOR, "emacs");
	el_set(ch->el, EL_PROMPT, prompt_fn);
	el_set(ch->el, EL_HIST, history, ch->hist);
	/* The wide call: the narrow el_set() copies the two names and never
	 * frees them. */
	el_wset(ch->el, EL_ADDFN, L"bedrock-cancel-line", L"Discard the line", cancel_line);
	el_set(ch->el, EL_SETTY, "-d", "-isig", NULL);
	el_set(ch->el, EL_BIND, "^C", "bedrock-cancel-line", NULL);
	/* The user's ~/.editrc, as every libedit program reads it. */
	el_source(ch->el, NULL);
	return 0;
}

static void remember(chat *ch, const char *line)
{
	HistEvent ev;

	history(ch->hist, &ev, H_ENTER, line);
	if (ch->history_file[0])
		history(ch->hist, &ev, H_SAVE, ch->history_file);
}

/* A message: sent with the pending attachments, the answer streamed and
 * appended (a cancelled answer's partial text too). */
static void send_message(chat *ch, const char *text)
{
	bedrock_messages_request *req = NULL;
	bedrock_error_info err;
	conv_printer p;
	conv_result r;
	cJSON *turn, *answer;
	char msg[1024];
	int rc;

	if (chat_check(ch))
		return;
	turn = conv_user_turn(text, ch->s.files);
	if (!turn)
		return;
	cJSON_AddItemToArray(ch->messages, turn);
	if (conv_request(&req, &ch->s, &ch->m, ch->messages, msg, sizeof(msg))) {
		fprintf(stderr, "bedrock: %s\n", msg);
		cJSON_DeleteItemFromArray(ch->messages, cJSON_GetArraySize(ch->messages) - 1);
		return;
	}
	cli_note_model(ch->m.id);
	conv_printer_init(&p, stdout, 0);
	bedrock_cancel_reset(cancel_state.token);
	rc = conv_call_messages(&r, ch->c, &ch->m, req, 1, &p, &cancel_state, &err);
	bedrock_messages_request_free(req);
	answer = conv_assistant_turn(r.message);
	if (answer)
		cJSON_AddItemToArray(ch->messages, answer);
	else /* nothing to answer the message with: take it back */
		cJSON_DeleteItemFromArray(ch->messages, cJSON_GetArraySize(ch->messages) - 1);
	if (r.canceled)
		fprintf(stderr, "[stopped%s]\n", answer ? "; the partial answer is kept" : "");
	else if (rc)
		cli_report(rc, &err);
	else if (r.stop == BEDROCK_STOP_MAX_TOKENS)
		fprintf(stderr, "[the answer reached max_tokens (%ld): /help]\n",
			conv_max_tokens(&ch->s, &ch->m));
	chat_add_usage(ch, &r.usage);
	conv_result_dispose(&r);
	putchar('\n');
	fflush(stdout);
}

static void strip(char *line)
{
	size_t n = strlen(line);

	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
}

static int loop(chat *ch)
{
	const char *got;
	char *line = NULL;
	int count;

	for (;;) {
		ch->line_canceled = 0;
		got = el_gets(ch->el, &count);
		if (!got) {
			/* Ctrl-D (or the end of piped input). */
			if (isatty(STDIN_FILENO))
				putchar('\n');
			break;
		}
		if (ch->line_canceled)
			continue;
		free(line);
		line = strdup(got);
		if (!line)
			break;
		/* A line ending in a backslash goes on on the next line. */
		strip(line);
		while (line[0] && line[strlen(line) - 1] == '\\') {
			const char *more;
			char *joined;

			line[strlen(line) - 1] = '\n';
			more = el_gets(ch->el, &count);
			if (!more || ch->line_canceled)
				break;
			joined = malloc(strlen(line) + strlen(more) + 1);
			if (!joined)
				break;
			strcpy(joined, line);
			strcat(joined, more);
			free(line);
			line = joined;
			strip(line);
		}
		if (ch->line_canceled || !line[0])
			continue;
		remember(ch, line);
		if (line[0] == '/') {
			if (chat_command(ch, line) > 0)
				break;
			continue;
		}
		if (!conv_utf8_valid(line, strlen(line))) {
			fprintf(stderr, "bedrock: the message is not valid UTF-8\n");
			continue;
		}
		send_message(ch, line);
	}
	free(line);
	return CLI_OK;
}

int cmd_chat(int argc, char **argv)
{
	struct sigaction sa, old;
	char err[1024];
	chat ch;
	int i, g, status;

	cli_g.hints = 1;
	memset(&ch, 0, sizeof(ch));
	conv_settings_init(&ch.s);
	conv_usage_init(&ch.last);
	ch.messages = cJSON_CreateArray();
	for (i = 1; i < argc; i++) {
		if ((g = cli_global_option(argc, argv, &i)) != 0 ||
		    (g = conv_option(&ch.s, argc, argv, &i)) != 0) {
			if (g < 0) {
				status = CLI_USAGE;
				goto done;
			}
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(chat_usage, stdout);
			fputs(conv_options_help, stdout);
			fputs("  -h, --help           this help\n", stdout);
			status = CLI_OK;
			goto done;
		} else if (argv[i][0] == '-') {
			char names[8192];

			snprintf(names, sizeof(names), "%s %s %s", chat_usage, conv_options_help,
				 cli_global_names);
			cli_unknown_option("bedrock", argv[i], names, "bedrock chat --help");
			status = CLI_USAGE;
			goto done;
		} else {
			fprintf(stderr, "bedrock: unexpected argument '%s' (bedrock chat --help)\n",
				argv[i]);
			status = CLI_USAGE;
			goto done;
		}
	}
	if (cJSON_GetArraySize(ch.s.tools)) {
		/* A tool call would need a tool result before the next message. */
		fprintf(stderr, "bedrock: chat does not run tools; use `bedrock ask --tools`\n");
		status = CLI_USAGE;
		goto done;
	}
	ch.budget_arg = ch.s.thinking_budget;
	status = cli_client_open(&ch.c);
	if (status)
		goto done;
	if (conv_model_resolve(&ch.m, ch.s.model_arg, bedrock_client_region(ch.c), err,
			       sizeof(err))) {
		fprintf(stderr, "bedrock: %s\n", err);
		status = CLI_USAGE;
		goto done;
	}
	if (!ch.m.claude) {
		fprintf(stderr, "bedrock: %s is not a Claude model (chat speaks the Messages API)\n",
			ch.m.id);
		status = CLI_USAGE;
		goto done;
	}
	if (chat_check(&ch)) {
		status = CLI_USAGE;
		goto done;
	}
	setlocale(LC_CTYPE, "");
	if (setup_editline(&ch, "bedrock")) {
		fprintf(stderr, "bedrock: cannot set up line editing\n");
		status = CLI_USAGE;
		goto done;
	}
	if (bedrock_cancel_new(&cancel_state.token)) {
		fprintf(stderr, "bedrock: out of memory\n");
		status = CLI_USAGE;
		goto done;
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_sigint;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: a wait in progress returns, and the answer loop
	 * notices the flag at once. */
	sigaction(SIGINT, &sa, &old);
	fprintf(stderr, "bedrock chat with %s (%s). /help for commands, Ctrl-D to leave.\n",
		ch.m.info ? ch.m.info->name : ch.m.id, ch.m.id);
	status = loop(&ch);
	sigaction(SIGINT, &old, NULL);
done:
	bedrock_cancel_free(cancel_state.token);
	cancel_state.token = NULL;
	if (ch.el)
		el_end(ch.el);
	if (ch.hist)
		history_end(ch.hist);
	cJSON_Delete(ch.messages);
	bedrock_client_free(ch.c);
	free(ch.model_arg);
	conv_settings_dispose(&ch.s);
	return status;
}
