/* The catalog's models file, for every command that uses the catalog:
 * the one --models-file names, else the library's default location. */
#include <stdio.h>

#include "bedrock/bedrock.h"
#include "cli_client.h"

int cli_models_setup(void)
{
	static int done, status;
	bedrock_error_info err;

	if (done)
		return status;
	done = 1;
	if (cli_g.models_file) {
		/* Asked for by name: it must load, or nothing the user meant
		 * by it would be there. */
		if (bedrock_models_load(cli_g.models_file, &err) != 0) {
			fprintf(stderr, "bedrock: %s\n", err.message);
			status = CLI_CONFIG;
		}
		return status;
	}
	/* The default file may be bad without the command failing: lookups
	 * already went on with the built-in catalog; say so once. */
	if (bedrock_models_load_error(&err) != 0)
		fprintf(stderr, "bedrock: warning: models file ignored: %s (the built-in models "
			"are used)\n", err.message);
	return 0;
}
