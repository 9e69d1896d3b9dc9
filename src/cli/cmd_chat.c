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
	"With --tools, a tool call is shown as JSON and its result asked for (one\n"
	"line, sent back as the tool_result; Ctrl-C takes the message back). Input\n"
	"that is not a terminal is read line by line; chat then exits with the\n"
	"status of the last message that failed (0 if none).\n"
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
	if (ch && ch->tool_prompt[0])
		return ch->tool_prompt;
	if (ch && ch->continuing)
		return "... ";
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
	const char *why = NULL;
	struct stat st;

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
		why = strerror(errno);
	else if (stat(dir, &st) || !S_ISDIR(st.st_mode))
		why = "not a directory";
	if (why) {
		fprintf(stderr, "bedrock: cannot create %s (%s): the chat history is not kept\n", dir,
			why);
		ch->history_warned = 1;
		return;
	}
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
	if (ch->history_file[0] && history(ch->hist, &ev, H_SAVE, ch->history_file) < 0 &&
	    !ch->history_warned) {
		fprintf(stderr, "bedrock: cannot write %s: the chat history is not kept\n",
			ch->history_file);
		ch->history_warned = 1;
	}
}

/* Takes the conversation back to its first `keep` turns. */
static void take_back(chat *ch, int keep)
{
	while (cJSON_GetArraySize(ch->messages) > keep)
		cJSON_DeleteItemFromArray(ch->messages, cJSON_GetArraySize(ch->messages) - 1);
}

static int has_tool_use(const cJSON *turn)
{
	const cJSON *b, *t;

	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(turn, "content")) {
		t = cJSON_GetObjectItemCaseSensitive(b, "type");
		if (cJSON_IsString(t) && !strcmp(t->valuestring, "tool_use"))
			return 1;
	}
	return 0;
}

/* A stopped answer keeps its text, not its tool calls: they would need
 * results the user chose not to give. */
static void drop_tool_use(cJSON *turn)
{
	cJSON *content = cJSON_GetObjectItemCaseSensitive(turn, "content"), *b, *next;

	for (b = content ? content->child : NULL; b; b = next) {
		const cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "type");

		next = b->next;
		if (cJSON_IsString(t) && !strcmp(t->valuestring, "tool_use"))
			cJSON_Delete(cJSON_DetachItemViaPointer(content, b));
	}
}

enum { ANSWER_NONE, ANSWER_DONE, ANSWER_TOOLS };

/* One call for the conversation as it stands; the answer streamed and
 * appended (a cancelled answer's partial text too). */
static int answer(chat *ch)
{
	bedrock_messages_request *req = NULL;
	bedrock_error_info err;
	conv_printer p;
	conv_result r;
	cJSON *turn;
	char msg[1024];
	int rc, got = ANSWER_NONE;

	if (conv_request(&req, &ch->s, &ch->m, ch->messages, msg, sizeof(msg))) {
		fprintf(stderr, "bedrock: %s\n", msg);
		ch->status = CLI_USAGE;
		return ANSWER_NONE;
	}
	cli_note_model(ch->m.id);
	conv_printer_init(&p, stdout, 0);
	bedrock_cancel_reset(cancel_state.token);
	rc = conv_call_messages(&r, ch->c, &ch->m, req, 1, &p, &cancel_state, &err);
	bedrock_messages_request_free(req);
	turn = conv_assistant_turn(r.message);
	if (turn && r.canceled)
		drop_tool_use(turn);
	if (turn && !cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(turn, "content"))) {
		cJSON_Delete(turn);
		turn = NULL;
	}
	if (turn) {
		cJSON_AddItemToArray(ch->messages, turn);
		got = !r.canceled && has_tool_use(turn) ? ANSWER_TOOLS : ANSWER_DONE;
	}
	if (r.canceled)
		fprintf(stderr, "[stopped%s]\n", turn ? "; the partial answer is kept" : "");
	else if (rc)
		ch->status = cli_report(rc, &err);
	else if (r.stop == BEDROCK_STOP_MAX_TOKENS)
		fprintf(stderr, "[the answer reached max_tokens (%ld): /help]\n",
			conv_max_tokens(&ch->s, &ch->m));
	chat_add_usage(ch, &r.usage);
	conv_result_dispose(&r);
	putchar('\n');
	fflush(stdout);
	return got;
}

static char *read_message(chat *ch, size_t *len);

/* The user turn answering the last answer's tool calls: each call's
 * result, as the user types it. NULL if the user gave none (Ctrl-C,
 * Ctrl-D or the end of the input). */
static cJSON *tool_results(chat *ch)
{
	const cJSON *last = cJSON_GetArrayItem(ch->messages, cJSON_GetArraySize(ch->messages) - 1);
	const cJSON *b, *t;
	cJSON *turn = cJSON_CreateObject(), *content, *res;
	char err[128], *text;
	size_t len;

	cJSON_AddStringToObject(turn, "role", "user");
	content = cJSON_AddArrayToObject(turn, "content");
	cJSON_ArrayForEach(b, cJSON_GetObjectItemCaseSensitive(last, "content")) {
		const char *id, *name;

		t = cJSON_GetObjectItemCaseSensitive(b, "type");
		if (!cJSON_IsString(t) || strcmp(t->valuestring, "tool_use"))
			continue;
		id = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "id"));
		name = cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(b, "name"));
		snprintf(ch->tool_prompt, sizeof(ch->tool_prompt), "result of %.100s> ",
			 name ? name : "the tool");
		for (;;) {
			text = read_message(ch, &len);
			if (text && ch->line_canceled) {
				free(text);
				text = NULL;
			}
			if (!text || conv_text_check(text, len, "the result", err, sizeof(err)) >= 0)
				break;
			fprintf(stderr, "bedrock: %s\n", err);
			free(text);
		}
		ch->tool_prompt[0] = '\0';
		if (!text) {
			cJSON_Delete(turn);
			return NULL;
		}
		res = cJSON_CreateObject();
		cJSON_AddStringToObject(res, "type", "tool_result");
		cJSON_AddStringToObject(res, "tool_use_id", id ? id : "");
		if (len)
			cJSON_AddStringToObject(res, "content", text);
		cJSON_AddItemToArray(content, res);
		free(text);
	}
	return turn;
}

/* A message: sent with the pending attachments; tool calls answered with
 * the results the user gives, until an answer has none. Without an
 * answer the whole exchange is taken back. */
static void send_message(chat *ch, const char *text)
{
	int keep = cJSON_GetArraySize(ch->messages), got;
	cJSON *turn;

	if (chat_check(ch)) {
		ch->status = CLI_USAGE;
		return;
	}
	turn = conv_user_turn(text, ch->s.files);
	if (!turn)
		return;
	cJSON_AddItemToArray(ch->messages, turn);
	while ((got = answer(ch)) == ANSWER_TOOLS) {
		turn = tool_results(ch);
		if (!turn) {
			fprintf(stderr, "[no tool result: the message is taken back]\n");
			take_back(ch, keep);
			return;
		}
		cJSON_AddItemToArray(ch->messages, turn);
	}
	if (got == ANSWER_NONE)
		take_back(ch, keep);
}

/* Trailing whitespace off; the new length. */
static size_t strip(char *line, size_t n)
{
	while (n && (line[n - 1] == '\n' || line[n - 1] == '\r' || line[n - 1] == ' ' ||
		     line[n - 1] == '\t'))
		line[--n] = '\0';
	return n;
}

/* One line as typed (libedit) or piped (byte for byte: a NUL or a byte
 * that is not UTF-8 is seen, and refused, rather than lost). */
static const char *read_line(chat *ch, size_t *len)
{
	const char *got;
	ssize_t n;
	int count;

	if (!ch->tty_in) {
		n = getline(&ch->raw, &ch->raw_cap, stdin);
		if (n < 0)
			return NULL;
		*len = (size_t)n;
		return ch->raw;
	}
	got = el_gets(ch->el, &count);
	if (got)
		*len = strlen(got);
	return got;
}

/* A message: a line, and the next ones while a line ends in a backslash.
 * malloc'd (*len bytes, NUL-terminated), trailing whitespace stripped;
 * NULL at the end of the input. ch->line_canceled: Ctrl-C dropped it. */
static char *read_message(chat *ch, size_t *len)
{
	const char *got;
	char *line, *joined;
	size_t n, more;

	ch->line_canceled = 0;
	got = read_line(ch, &n);
	if (!got)
		return NULL;
	line = malloc(n + 1);
	if (!line)
		return NULL;
	memcpy(line, got, n);
	line[n] = '\0';
	n = strip(line, n);
	while (n && line[n - 1] == '\\' && !ch->line_canceled) {
		line[n - 1] = '\n';
		ch->continuing = 1;
		got = read_line(ch, &more);
		ch->continuing = 0;
		if (!got || ch->line_canceled)
			break;
		joined = realloc(line, n + more + 1);
		if (!joined)
			break;
		line = joined;
		memcpy(line + n, got, more);
		line[n + more] = '\0';
		n = strip(line, n + more);
	}
	*len = n;
	return line;
}

static int loop(chat *ch)
{
	char err[128], *line;
	size_t len;
	int blank;

	for (;;) {
		line = read_message(ch, &len);
		if (!line) {
			/* Ctrl-D (or the end of piped input). */
			if (ch->tty_in)
				putchar('\n');
			break;
		}
		if (ch->line_canceled || !len) {
			free(line);
			continue;
		}
		/* The rule ask's prompt follows. */
		blank = conv_text_check(line, len, "the message", err, sizeof(err));
		if (blank) {
			if (blank < 0) {
				fprintf(stderr, "bedrock: %s\n", err);
				ch->status = CLI_USAGE;
			}
			free(line);
			continue;
		}
		remember(ch, line);
		if (line[0] == '/') {
			blank = chat_command(ch, line);
			free(line);
			if (blank > 0)
				break;
			continue;
		}
		send_message(ch, line);
		free(line);
	}
	/* A script learns that a message failed; a person has seen it. */
	return ch->tty_in ? CLI_OK : ch->status;
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
	ch.budget_arg = ch.s.thinking_budget;
	status = cli_client_open(&ch.c);
	if (status)
		goto done;
	if (conv_model_resolve_on(&ch.m, ch.s.model_arg, bedrock_client_platform(ch.c),
				  bedrock_client_region(ch.c), err,
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
	ch.tty_in = isatty(STDIN_FILENO);
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
	free(ch.raw);
	conv_settings_dispose(&ch.s);
	return status;
}
