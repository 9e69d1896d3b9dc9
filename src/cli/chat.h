/* bedrock chat's state, shared by the loop (cmd_chat.c) and the slash
 * commands (chat_commands.c). */
#ifndef BEDROCK_CLI_CHAT_H
#define BEDROCK_CLI_CHAT_H

#include <limits.h>

#include <histedit.h>

#include "conv.h"

typedef struct chat {
	conv_settings s;
	conv_model m;
	char *model_arg;		/* /model's argument (owned) */
	long budget_arg;		/* --thinking=BUDGET as given (0: none) */
	bedrock_client *c;
	cJSON *messages;		/* the conversation: Messages turns */
	conv_usage last;		/* the last answer's */
	int64_t total_input, total_output, total_cache_read, total_cache_write;
	int answers;
	EditLine *el;
	History *hist;
	char history_file[PATH_MAX];
	int history_warned;		/* said once that history cannot be written */
	int line_canceled;		/* Ctrl-C at the prompt */
	int tty_in;			/* stdin is a terminal (else lines are read raw) */
	char *raw;			/* getline()'s buffer for piped input */
	size_t raw_cap;
	int continuing;			/* after a line ending in \: the "... " prompt */
	char tool_prompt[160];		/* asking for a tool's result: its prompt */
	int status;			/* the last failed message's exit status, else 0 */
} chat;

/* Checks the settings against the current model; prints why not. */
int chat_check(chat *ch);
void chat_add_usage(chat *ch, const conv_usage *u);
/* Runs a /command line. Returns 1 to leave the chat, else 0. */
int chat_command(chat *ch, char *line);

#endif
