/* bedrock gateway (the server): a stand-in until the server command is
 * written; `bedrock gateway activity` (cmd_gateway.c) works already. */
#include <stdio.h>

#include "cli.h"

int cmd_gateway_serve(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fputs("bedrock gateway: not built yet\n", stderr);
	return 2;
}
