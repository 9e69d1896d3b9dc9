/* The printer's pieces, for the callers in conv_call.c. */
#ifndef BEDROCK_CLI_CONV_PRINT_H
#define BEDROCK_CLI_CONV_PRINT_H

#include "conv.h"

/* Per-stream state: the type of the block being streamed. */
typedef struct conv_stream_state {
	char block_type[32];
} conv_stream_state;

void conv_print_text(conv_printer *p, const char *s, size_t n);
void conv_print_thinking(conv_printer *p, const char *s, size_t n);
void conv_print_end_thinking(conv_printer *p);
/* input: JSON text (or the raw text of input that never became JSON). */
void conv_print_tool_call(conv_printer *p, const char *id, const char *name, const char *input,
			  size_t input_len);
void conv_printer_flush(conv_printer *p);
void conv_print_event(conv_printer *p, conv_stream_state *st, const bedrock_messages_event *ev,
		      const bedrock_message_accumulator *acc);

#endif
