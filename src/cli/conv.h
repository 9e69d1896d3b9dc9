/* What `bedrock ask`, `chat` and `tokens` share: the model named by -m,
 * attachments (-f), the request options, the request bodies (Messages,
 * Converse, CountTokens), the call itself and the streaming printer.
 *
 * A conversation is a cJSON array of Messages turns
 * ({"role":"user","content":[blocks]}), the shape /save writes, so one
 * code path serves a single question and a whole chat. */
#ifndef BEDROCK_CLI_CONV_H
#define BEDROCK_CLI_CONV_H

#include <signal.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "term_safe.h"

/* ---- the model ---------------------------------------------------------- */

/* The model used when neither -m nor BEDROCK_MODEL names one. */
#define CONV_DEFAULT_MODEL "sonnet-4.5"

typedef struct conv_model {
	/* What is sent to Bedrock: a profile id, a base id or an ARN. */
	char id[2100];
	/* The catalog entry; NULL for an id the catalog does not know
	 * (another provider's model, or a Claude newer than the catalog). */
	const bedrock_model_info *info;
	/* 1 if the id names a Claude model (Messages bodies work). */
	int claude;
} conv_model;

/*
 * Resolves -m for a client in `region`. Ids, profile ids and ARNs pass
 * through unchanged. An alias ("sonnet-4.5") or family name ("sonnet")
 * becomes the id to call the model with from the region, as `bedrock
 * models` shows it (bedrock_model_id_for_region(): the global profile where
 * the region can use it, else the region's geography's, else the base id
 * of an on-demand model). "GEO.ALIAS" ("eu.sonnet-4.5") picks the
 * geography. arg NULL: BEDROCK_MODEL, else CONV_DEFAULT_MODEL.
 * Returns 0, or -1 with err set.
 */
int conv_model_resolve(conv_model *out, const char *arg, const char *region, char *err,
		       size_t cap);
/* The same for a platform: off Bedrock, an alias becomes the platform's
 * id (claude-sonnet-4-5-20250929) and any id passes as given. arg NULL:
 * BEDROCK_MODEL, else ANTHROPIC_MODEL, else CONV_DEFAULT_MODEL. */
int conv_model_resolve_on(conv_model *out, const char *arg, bedrock_platform platform,
			  const char *region, char *err, size_t cap);
/* The id CountTokens takes: the base model id when the catalog knows it. */
const char *conv_model_count_id(const conv_model *m);

/* ---- settings (the options ask, chat and tokens share) ----------------- */

typedef struct conv_settings {
	const char *model_arg;		/* -m; NULL: BEDROCK_MODEL or the default */
	char *system;			/* -s (owned), NULL: none */
	long max_tokens;		/* --max-tokens; 0: conv_max_tokens() */
	double temperature, top_p;	/* < 0: not sent */
	long top_k;			/* < 0: not sent */
	cJSON *stops;			/* --stop: array of strings */
	cJSON *betas;			/* --beta: array of strings */
	int context_1m;			/* --1m */
	int thinking;			/* --thinking */
	long thinking_budget;		/* --thinking=N; 0: adaptive or the default */
	const char *effort;		/* --effort low|medium|high|max */
	cJSON *tools;			/* --tools FILE: array of tool definitions */
	cJSON *files;			/* -f: content blocks for the next user turn */
} conv_settings;

void conv_settings_init(conv_settings *s);
void conv_settings_dispose(conv_settings *s);

/* The help text for the options above, for each command's --help. */
extern const char conv_options_help[];

/*
 * If argv[*i] is one of the shared options, consumes it (and its value:
 * "--opt VALUE" or "--opt=VALUE") and returns 1; -1 on a bad value or an
 * unreadable file (message printed); 0 if it is not one.
 */
int conv_option(conv_settings *s, int argc, char **argv, int *i);

/* "--name VALUE" or "--name=VALUE" at argv[*i]: the value (consumed), or
 * NULL (nothing consumed). *missing is set when the name matched but no
 * value followed. */
const char *conv_opt_value(int argc, char **argv, int *i, const char *name, int *missing);

/* Checks the settings against the model (--1m, --effort, images) and
 * works out max_tokens and the thinking budget. -1 with err set. */
int conv_settings_check(conv_settings *s, const conv_model *m, char *err, size_t cap);
/* max_tokens to send: --max-tokens, else 8192 or the model's limit if lower. */
long conv_max_tokens(const conv_settings *s, const conv_model *m);

/* ---- attachments --------------------------------------------------------- */

/*
 * Reads a file into a Messages content block appended to `blocks`: PNG,
 * JPEG, GIF and WebP (by their magic bytes) become image blocks, a PDF a
 * document block, valid UTF-8 text a text document titled with the file
 * name. Anything else, an empty or oversized file, is refused. -1 with
 * err set.
 */
int conv_attach(cJSON *blocks, const char *path, char *err, size_t cap);

/* ---- bodies ------------------------------------------------------------- */

/* {"role":"user","content":[files..., {"type":"text","text":text}]}; the
 * files are moved in (files is left empty). text may be NULL or "" when
 * there are files. NULL when out of memory. */
cJSON *conv_user_turn(const char *text, cJSON *files);

/* The Messages request for a conversation. -1 with err set. */
int conv_request(bedrock_messages_request **out, const conv_settings *s, const conv_model *m,
		 const cJSON *messages, char *err, size_t cap);
/* The Converse body (compact JSON, malloc'd) for a conversation. */
int conv_converse_body(char **out, const conv_settings *s, const conv_model *m,
		       const cJSON *messages, char *err, size_t cap);
/* The CountTokens body {"input":{"invokeModel":{"body":BASE64}}} for a
 * rendered InvokeModel body. malloc'd; NULL when out of memory. */
char *conv_count_tokens_body(const char *invoke_body, size_t len);

/* Base64 of len bytes (base64.h), malloc'd; NULL when out of memory. */
char *conv_base64(const void *data, size_t len);
/*
 * The one rule for what ask and chat send as the user's text (what:
 * "the prompt", "the message"): 0 if it can be sent; 1 if it is blank
 * (whitespace only: no text to send, which attachments alone may make up
 * for); -1 with the reason in err for a NUL byte or text that is not
 * UTF-8, with the byte offset.
 */
int conv_text_check(const char *text, size_t len, const char *what, char *err, size_t cap);

/* ---- printing and calling ----------------------------------------------- */

/* Where the answer goes as it arrives. */
typedef struct conv_printer {
	FILE *out;		/* the answer (stdout) */
	int quiet;		/* --json: print nothing while the answer streams */
	int tty;		/* out is a terminal */
	int color;		/* ANSI dim allowed (terminal, no NO_COLOR) */
	int in_thinking;	/* inside a thinking block */
	int thinking_to_err;	/* thinking goes to stderr (out is not a terminal) */
	int err_tty;		/* stderr is a terminal */
	/* Model text is untrusted: on a terminal it goes through these
	 * (term_safe.h), one per stream, as its deltas arrive. */
	term_safe safe_out, safe_err;
	char last;		/* last byte written to out ('\n' at the start) */
	char last_err;		/* last byte of thinking written to stderr */
	int wrote;		/* anything written to out */
} conv_printer;

void conv_printer_init(conv_printer *p, FILE *out, int quiet);
/* Ends the answer with exactly one newline if anything was printed, and
 * writes nothing if nothing was. */
void conv_printer_finish(conv_printer *p);

/* Token usage and timing of one call; -1 where unknown. */
typedef struct conv_usage {
	int64_t input, output, cache_read, cache_write;
	double latency_ms, first_token_ms;
} conv_usage;

void conv_usage_init(conv_usage *u);
/* "tokens: 12 in, 8 out, cache 0 read / 0 written; latency 105 ms (first token 40 ms)" */
void conv_usage_print(FILE *f, const conv_usage *u);

/**
 * Ctrl-C during an answer (chat). The SIGINT handler calls
 * conv_cancel_trigger(), which is async-signal-safe: the library's token
 * stops the Messages call or stream at once (even a silent one), and a
 * Converse stream in flight, whose call takes no token, is cancelled
 * directly. The text that arrived before is kept.
 */
typedef struct conv_cancel {
	bedrock_cancel *token;			/* given to the call */
	bedrock_stream *volatile stream;	/* set by the call while it streams */
} conv_cancel;

/* From a signal handler too. */
void conv_cancel_trigger(conv_cancel *cancel);

typedef struct conv_result {
	/* The answer as a Messages message (complete, or what arrived before
	 * an error or a cancel); NULL if nothing arrived. Converse calls give
	 * converse_json instead. */
	bedrock_message *message;
	/* --converse: the response as Converse's JSON (non-streamed shape). */
	char *converse_json;
	conv_usage usage;
	bedrock_stop_reason stop;
	int canceled;
} conv_result;

void conv_result_dispose(conv_result *r);

/*
 * Sends the Messages request and prints the answer as it arrives
 * (stream), or all at once (stream 0: InvokeModel). cancel (may be NULL):
 * once conv_cancel_trigger() is called the call stops, r->canceled is set
 * and 0 returned. Returns 0 or a bedrock error with err filled; r holds
 * whatever arrived either way.
 */
int conv_call_messages(conv_result *r, bedrock_client *c, const conv_model *m,
		       const bedrock_messages_request *req, int stream, conv_printer *p,
		       conv_cancel *cancel, bedrock_error_info *err);
/* The same over Converse / ConverseStream with a Converse body. */
int conv_call_converse(conv_result *r, bedrock_client *c, const conv_model *m, const char *body,
		       int stream, conv_printer *p, conv_cancel *cancel, bedrock_error_info *err);

/* Prints a complete message (non-streamed answers). */
void conv_print_message(conv_printer *p, const bedrock_message *msg);

/* The assistant turn to keep in a conversation from a (possibly partial)
 * message: thinking blocks without a signature and tool calls whose input
 * never completed are dropped. NULL if nothing is left. */
cJSON *conv_assistant_turn(const bedrock_message *msg);

/* Reads a whole stream (stdin) into a malloc'd NUL-terminated buffer. */
char *conv_read_all(FILE *f, size_t *len);

/* A saved conversation (any InvokeModel body): its messages (validated:
 * roles user/assistant, content a string or a list), its system prompt as
 * one string (NULL if none) and its max_tokens (0 if absent or out of
 * range). 0, or -1 with the reason in err. conv_load.c */
int conv_parse_conversation(cJSON **messages, char **system, long *max_tokens, const char *text,
			    size_t len, char *err, size_t cap);
/* --tools: a JSON array of tool definitions (or one definition), each with
 * a "name". 0, or -1 with the reason in err. */
int conv_parse_tools(cJSON **tools, const char *text, size_t len, char *err, size_t cap);

#endif
