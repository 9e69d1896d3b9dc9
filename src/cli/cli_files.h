/* The raw commands' files: the request body they send (--body) and the
 * OUTFILE they write. Every error names the file and the reason
 * ("bedrock: cannot write PATH: Permission denied"). */
#ifndef BEDROCK_CLI_FILES_H
#define BEDROCK_CLI_FILES_H

#include <stddef.h>
#include <stdio.h>

/* A request body: the argument itself, a file mapped read-only (so a large
 * body is not copied into memory), or what was read from a pipe. */
typedef struct cli_body {
	const char *data;
	size_t len;
	void *map;		/* mmap'd file, or NULL */
	char *heap;		/* malloc'd copy, or NULL */
} cli_body;

/* JSON text, file://PATH, fileb://PATH or - (standard input), as the AWS
 * CLI v2 takes them. Both file forms send the file's bytes unchanged.
 * Returns 0, or -1 with the reason printed. Always call cli_body_free(). */
int cli_body_load(cli_body *out, const char *arg);
void cli_body_free(cli_body *b);

/* An OUTFILE that changes only when the command succeeds: a regular file
 * (new or existing) is written as a temporary file in the same folder and
 * renamed onto it by cli_outfile_commit(); standard output ("-" or NULL)
 * and other files (/dev/null, a FIFO) are written directly. */
typedef struct cli_outfile {
	FILE *f;		/* where to write */
	const char *path;	/* as given, for messages */
	char *target;		/* what the temporary file becomes */
	char *tmp;		/* the temporary file, or NULL */
} cli_outfile;

/* Returns 0, or -1 with "bedrock: cannot write PATH: reason" printed. Until commit or
 * abort, SIGINT, SIGTERM and SIGHUP remove the temporary file first. */
int cli_outfile_open(cli_outfile *out, const char *path);
/* Finishes the file: 0, or -1 with the reason printed (the previous file,
 * if any, is then left as it was). */
int cli_outfile_commit(cli_outfile *o);
/* Drops what was written; an existing file stays as it was. */
void cli_outfile_abort(cli_outfile *o);

/* Prints "bedrock: cannot VERB PATH: strerror(errnum)" (an empty name
 * as ''). */
void cli_file_error(const char *verb, const char *path, int errnum);

#endif
