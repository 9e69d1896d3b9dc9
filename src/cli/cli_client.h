/* Shared by the commands that call Bedrock: global options (accepted
 * before or after the command name), the client, bodies, exit codes. */
#ifndef BEDROCK_CLI_CLIENT_H
#define BEDROCK_CLI_CLIENT_H

#include <stddef.h>
#include <stdio.h>

#include "bedrock/bedrock.h"

/* Exit codes of the commands that call Bedrock. */
enum {
	CLI_OK = 0,
	CLI_USAGE = 1,		/* usage or local error */
	CLI_SERVICE = 2,	/* an AWS error: HTTP error or in-stream exception */
	CLI_NETWORK = 3,	/* network or timeout */
	CLI_CONFIG = 4		/* credentials or configuration */
};

typedef struct cli_globals {
	const char *platform;	/* --platform, as given */
	const char *region, *profile, *endpoint_url;
	int debug;
	int emulate;		/* --emulate: an emulator inside the process */
	int hints;		/* the commands for people add a hint line to errors;
				 * the raw ones keep the AWS CLI's single line */
	unsigned max_attempts;
	const char *retry_mode;
	long timeout_s;		/* --timeout: each attempt's wait for Bedrock */
	long deadline_s;	/* --deadline: the whole call, retries included */
	unsigned attempts;	/* the client's attempts per call (1: no retry) */
	int in_stream;		/* the call's stream had opened: its errors come
				 * mid-stream, and are never retried */
	const char *models_file;	/* --models-file: replaces the default one */
	const char *project;	/* --project: Vertex AI's Google Cloud project */
} cli_globals;

extern cli_globals cli_g;

/* If argv[*i] is a global option, consumes it (and its value) and returns
 * 1; -1 on a bad value (message printed); 0 if it is not one. */
int cli_global_option(int argc, char **argv, int *i);
/* Makes the client from the global options; prints the error and returns
 * the exit code on failure. */
int cli_client_open(bedrock_client **out);
/* The model catalog's file, once all options are read and before the
 * catalog's first use (cli_models.c): --models-file is loaded, and a bad
 * one is CLI_CONFIG (printed); a bad default one is a warning on stderr,
 * once, and the built-in catalog serves. Later calls return the first
 * call's status. */
int cli_models_setup(void);
/* Stops what cli_client_open() started for the whole process (the
 * --emulate emulator). main() calls it once the command returns: not from
 * atexit, which would run after libcrypto's own cleanup. */
void cli_shutdown(void);
/* Reads f to its end into a malloc'd, NUL-terminated buffer. With a
 * limit (not 0) it stops once more than limit bytes have come, so *len >
 * limit says "too large" without reading a disk image whole. NULL on a
 * read error (errno says which) or out of memory. The one file reader of the CLI. */
char *cli_read_stream(FILE *f, size_t limit, size_t *len);
/* Names the model the command is calling, so cli_report() can say what to
 * do about errors that concern it (not offered on demand, no access). */
void cli_note_model(const char *model_id);
/* The hint line for an error people can act on (cli_hints.c); nothing for
 * the others. model_id and region may be NULL. */
void cli_hint(const bedrock_error_info *err, const char *model_id, const char *region);
/* The --emulate hint after an error of a user with no AWS set-up (no
 * region, no credentials, an unknown profile), for every command; 1 if
 * printed. */
int cli_hint_setup(const bedrock_error_info *err);
/* With a profile named by --profile, AWS_PROFILE or AWS_DEFAULT_PROFILE
 * that is in neither file: says so (as the AWS CLI does) and returns
 * CLI_CONFIG; else 0. */
int cli_check_profile(const bedrock_config *cfg, const char *profile_option);
/* Prints a set-up error (a file, the region) and, when it is one of a
 * user with no AWS set-up, the --emulate hint. */
void cli_setup_failed(const char *message);
/* The platform the commands call: --platform, else BEDROCK_PLATFORM, else
 * Claude Code's CLAUDE_CODE_USE_BEDROCK / CLAUDE_CODE_USE_VERTEX, else
 * Bedrock. 0, or -1 with the message printed (an unknown name). *from
 * says where it came from ("--platform", "BEDROCK_PLATFORM", ...). */
int cli_platform(bedrock_platform *out, const char **from);
/* -1 (message printed) if --region is not a region of platform: a
 * Vertex AI location ("us-east5", "global") on Bedrock. */
int cli_region_for(bedrock_platform platform);
/* The region --emulate serves: --region, else us-east-1. */
const char *cli_emulate_region(void);
/* Prints `bedrock: CODE: MESSAGE (request id ID)` (and, on a line of its
 * own, what to do about it when we know) and returns the exit code. */
int cli_report(int rc, const bedrock_error_info *err);

#endif
