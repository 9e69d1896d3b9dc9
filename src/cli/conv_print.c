/* The answer as it arrives: text to stdout, flushed per event; thinking
 * dimmed on a terminal (plain with NO_COLOR), or on stderr when stdout is
 * not a terminal, so a pipe gets only the answer; tool calls as one JSON
 * line each; exactly one newline at the end if anything was written.
 * What the model wrote reaches a terminal through term_safe.h (controls
 * shown, not obeyed); a pipe or a file gets it byte for byte. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "conv.h"
#include "conv_print.h"

#define DIM "\x1b[2m"
#define RESET "\x1b[0m"

void conv_printer_init(conv_printer *p, FILE *out, int quiet)
{
	const char *nc = getenv("NO_COLOR");

	memset(p, 0, sizeof(*p));
	p->out = out;
	p->quiet = quiet;
	p->tty = isatty(fileno(out));
	p->color = p->tty && !(nc && *nc);
	p->thinking_to_err = !p->tty;
	p->err_tty = isatty(STDERR_FILENO);
	p->last = p->last_err = '\n';
}

static void put(conv_printer *p, const char *s, size_t n)
{
	char last;

	if (!n)
		return;
	if (p->tty) {
		last = term_safe_write(&p->safe_out, p->out, s, n);
	} else {
		fwrite(s, 1, n, p->out);
		last = s[n - 1];
	}
	if (last) {
		p->last = last;
		p->wrote = 1;
	}
}

/* The end of a block: a UTF-8 sequence it left unfinished is shown as
 * its bytes before the printer writes anything of its own. */
static void settle(conv_printer *p)
{
	char last = p->tty ? term_safe_flush(&p->safe_out, p->out) : 0;

	if (last) {
		p->last = last;
		p->wrote = 1;
	}
	if (p->err_tty && (last = term_safe_flush(&p->safe_err, stderr)) != 0)
		p->last_err = last;
}

void conv_print_thinking(conv_printer *p, const char *s, size_t n)
{
	if (p->quiet || !n)
		return;
	if (!p->in_thinking) {
		p->in_thinking = 1;
		settle(p);
		if (!p->thinking_to_err && p->last != '\n')
			put(p, "\n", 1);
		if (!p->thinking_to_err && p->color)
			fputs(DIM, p->out);
	}
	if (p->thinking_to_err && p->err_tty) {
		char last = term_safe_write(&p->safe_err, stderr, s, n);

		if (last)
			p->last_err = last;
	} else if (p->thinking_to_err) {
		fwrite(s, 1, n, stderr);
		p->last_err = s[n - 1];
	} else {
		put(p, s, n);
	}
}

void conv_print_end_thinking(conv_printer *p)
{
	if (!p->in_thinking)
		return;
	p->in_thinking = 0;
	settle(p);
	if (p->thinking_to_err) {
		if (p->last_err != '\n')
			fputc('\n', stderr);
		p->last_err = '\n';
		return;
	}
	if (p->color)
		fputs(RESET, p->out);
	/* A blank line between the thinking and the answer. */
	put(p, p->last == '\n' ? "\n" : "\n\n", p->last == '\n' ? 1 : 2);
}

void conv_print_text(conv_printer *p, const char *s, size_t n)
{
	if (p->quiet)
		return;
	conv_print_end_thinking(p);
	put(p, s, n);
}

void conv_print_tool_call(conv_printer *p, const char *id, const char *name, const char *input,
			  size_t input_len)
{
	cJSON *o, *in;
	char *text;

	if (p->quiet)
		return;
	conv_print_end_thinking(p);
	o = cJSON_CreateObject();
	cJSON_AddStringToObject(o, "type", "tool_use");
	cJSON_AddStringToObject(o, "id", id ? id : "");
	cJSON_AddStringToObject(o, "name", name ? name : "");
	in = input ? cJSON_ParseWithLength(input, input_len) : NULL;
	/* Input that never became JSON (a cut stream) is shown as the text it was. */
	if (!in && input)
		in = cJSON_CreateString(input);
	cJSON_AddItemToObject(o, "input", in ? in : cJSON_CreateObject());
	text = cJSON_PrintUnformatted(o);
	if (text) {
		settle(p);
		if (p->last != '\n')
			put(p, "\n", 1);
		put(p, text, strlen(text));
		put(p, "\n", 1);
	}
	free(text);
	cJSON_Delete(o);
}

void conv_printer_flush(conv_printer *p)
{
	fflush(p->out);
	if (p->thinking_to_err)
		fflush(stderr);
}

void conv_printer_finish(conv_printer *p)
{
	if (p->quiet)
		return;
	conv_print_end_thinking(p);
	settle(p);
	if (p->wrote && p->last != '\n')
		put(p, "\n", 1);
	conv_printer_flush(p);
}

void conv_print_message(conv_printer *p, const bedrock_message *msg)
{
	size_t i;

	for (i = 0; i < bedrock_message_content_count(msg); i++) {
		const bedrock_content_block *b = bedrock_message_content(msg, i);

		if (b->type == BEDROCK_CONTENT_THINKING) {
			conv_print_thinking(p, b->text, b->text_len);
			conv_print_end_thinking(p);
		} else if (b->type == BEDROCK_CONTENT_TEXT) {
			conv_print_text(p, b->text, b->text_len);
		} else if (b->type == BEDROCK_CONTENT_TOOL_USE) {
			conv_print_tool_call(p, b->id, b->name, b->input_json, b->input_json_len);
		}
	}
}

/* Follows one Anthropic stream event. */
void conv_print_event(conv_printer *p, conv_stream_state *st, const bedrock_messages_event *ev,
		      const bedrock_message_accumulator *acc)
{
	switch (ev->kind) {
	case BEDROCK_STREAM_CONTENT_BLOCK_START:
		snprintf(st->block_type, sizeof(st->block_type), "%s",
			 ev->block_type ? ev->block_type : "");
		break;
	case BEDROCK_STREAM_CONTENT_BLOCK_DELTA:
		if (ev->delta_kind == BEDROCK_DELTA_TEXT)
			conv_print_text(p, ev->text, ev->text_len);
		else if (ev->delta_kind == BEDROCK_DELTA_THINKING)
			conv_print_thinking(p, ev->text, ev->text_len);
		break;
	case BEDROCK_STREAM_CONTENT_BLOCK_STOP:
		if (!strcmp(st->block_type, "thinking")) {
			conv_print_end_thinking(p);
		} else if (!strcmp(st->block_type, "tool_use") && !p->quiet) {
			bedrock_message *m = NULL;
			const bedrock_content_block *b;

			if (bedrock_message_accumulator_message(&m, acc) == 0 &&
			    (b = bedrock_message_content(m, (size_t)ev->index)) != NULL)
				conv_print_tool_call(p, b->id, b->name, b->input_json,
						     b->input_json_len);
			bedrock_message_free(m);
		}
		st->block_type[0] = '\0';
		break;
	default:
		break;
	}
}
