#include <stdio.h>
#include "cli.h"
int cmd_debug_sign(int argc, char **argv)
{
	(void)argc; (void)argv;
	fprintf(stderr, "bedrock debug sign: not implemented yet\n");
	return 1;
}
