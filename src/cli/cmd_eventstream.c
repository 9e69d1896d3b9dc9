#include <stdio.h>
#include "cli.h"
int cmd_debug_eventstream(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "bedrock debug eventstream: not implemented yet\n");
	return 1;
}
