/* bedrock: the command-line tool for Claude on Amazon Bedrock. */
#include <stdio.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "cli.h"

static const char usage[] =
	"usage: bedrock <command> [options]\n"
	"\n"
	"Local tools:\n"
	"  emulate [--listen HOST:PORT]\n"
	"                      run a local Bedrock Runtime emulator (HTTP/1.1 and HTTP/2)\n"
	"\n"
	"Diagnostics:\n"
	"  debug sign --request FILE --context FILE [--query]\n"
	"                      sign a raw HTTP request with SigV4 and print every stage\n"
	"  debug eventstream [--text] [FILE|-]\n"
	"                      decode an AWS event stream (e.g. a Bedrock response body)\n"
	"  debug credentials [--profile NAME] [--region REGION]\n"
	"                      show which credentials and region would be used (no secrets)\n"
	"\n"
	"  --version           print the version\n"
	"  --help              print this help\n";

/* group is NULL for a single-word command such as `emulate`. */
struct command {
	const char *group, *name;
	int (*run)(int argc, char **argv);
};

static const struct command commands[] = {
	{ NULL, "emulate", cmd_emulate },
	{ "debug", "sign", cmd_debug_sign },
	{ "debug", "eventstream", cmd_debug_eventstream },
	{ "debug", "credentials", cmd_debug_credentials },
};

int main(int argc, char **argv)
{
	size_t i;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") ||
	    !strcmp(argv[1], "help")) {
		fputs(usage, argc < 2 ? stderr : stdout);
		return argc < 2 ? 1 : 0;
	}
	if (!strcmp(argv[1], "--version")) {
		printf("bedrock %s (libbedrock %s)\n", BEDROCK_VERSION, bedrock_version());
		return 0;
	}
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		const struct command *c = &commands[i];

		if (!c->group) {
			if (!strcmp(argv[1], c->name))
				return c->run(argc - 1, argv + 1);
			continue;
		}
		if (strcmp(argv[1], c->group))
			continue;
		if (argc < 3) {
			fprintf(stderr, "bedrock %s: missing subcommand\n\n%s", c->group, usage);
			return 1;
		}
		if (!strcmp(argv[2], c->name))
			return c->run(argc - 2, argv + 2);
	}
	fprintf(stderr, "bedrock: unknown command '%s%s%s'\n\n%s", argv[1],
		argc > 2 && !strcmp(argv[1], "debug") ? " " : "",
		argc > 2 && !strcmp(argv[1], "debug") ? argv[2] : "", usage);
	return 1;
}
