#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_args.h"
#include "cli_client.h"
#include "emu_embed.h"

cli_globals cli_g;

/* The model and region of the call in flight, for cli_report()'s hints. */
static const char *noted_model;
static char noted_region[64];

void cli_note_model(const char *model_id)
{
	noted_model = model_id;
}

static void log_line(bedrock_log_level level, const char *line, void *payload)
{
	(void)payload;
	(void)level;
	if (cli_g.debug)
		fprintf(stderr, "bedrock: %s%s\n", level == BEDROCK_LOG_DEBUG ? "debug: " : "", line);
}

int cli_global_option(int argc, char **argv, int *i)
{
	const char *a = argv[*i], *v;
	char *end;

	if (!strcmp(a, "--debug")) {
		cli_g.debug = 1;
		return 1;
	}
	if (!strcmp(a, "--emulate")) {
		cli_g.emulate = 1;
		return 1;
	}
	if (strcmp(a, "--region") && strcmp(a, "--profile") && strcmp(a, "--endpoint-url") &&
	    strcmp(a, "--max-attempts") && strcmp(a, "--retry-mode") && strcmp(a, "--timeout") &&
	    strcmp(a, "--deadline"))
		return 0;
	if (!(v = cli_value(argc, argv, i, "bedrock")))
		return -1;
	if (!strcmp(a, "--region")) {
		char why[128];

		if (cli_region_check(v, why, sizeof(why))) {
			fprintf(stderr, "bedrock: invalid region '%s': %s\n", v, why);
			return -1;
		}
		cli_g.region = v;
	} else if (!strcmp(a, "--profile")) {
		cli_g.profile = v;
	} else if (!strcmp(a, "--endpoint-url")) {
		cli_g.endpoint_url = v;
	} else if (!strcmp(a, "--retry-mode")) {
		if (strcmp(v, "standard") && strcmp(v, "adaptive") && strcmp(v, "legacy")) {
			fprintf(stderr, "bedrock: --retry-mode is standard, adaptive or legacy\n");
			return -1;
		}
		cli_g.retry_mode = v;
	} else if (!strcmp(a, "--max-attempts")) {
		unsigned long n = strtoul(v, &end, 10);

		if (*end || n < 1 || n > 20) {
			fprintf(stderr, "bedrock: --max-attempts is a number from 1 to 20\n");
			return -1;
		}
		cli_g.max_attempts = (unsigned)n;
	} else {
		long n = strtol(v, &end, 10);

		if (*end || n < 1 || n > 86400) {
			fprintf(stderr, "bedrock: %s is a number of seconds\n", a);
			return -1;
		}
		*(strcmp(a, "--timeout") ? &cli_g.deadline_s : &cli_g.timeout_s) = n;
	}
	return 1;
}

static emu_embedded *embedded;

void cli_shutdown(void)
{
	emu_embedded_stop(embedded);
	embedded = NULL;
}

/* --emulate: serve Bedrock from this process and point the client at it
 * with the emulator's own key, so no AWS account (and no credential chain)
 * is involved. */
static int start_embedded(bedrock_client_options *o)
{
	static char url[128];
	char msg[256];

	if (cli_g.endpoint_url) {
		fprintf(stderr, "bedrock: --emulate and --endpoint-url do not go together\n");
		return CLI_USAGE;
	}
	o->region = cli_g.region ? cli_g.region : "us-east-1";
	if (!embedded) {
		if (emu_embedded_start(&embedded, o->region, url, sizeof(url), msg, sizeof(msg))) {
			fprintf(stderr, "bedrock: --emulate: %s\n", msg);
			return CLI_USAGE;
		}
	}
	o->endpoint_url = url;
	o->access_key_id = EMU_DEFAULT_ACCESS_KEY_ID;
	o->secret_access_key = EMU_DEFAULT_SECRET_KEY;
	if (cli_g.debug)
		fprintf(stderr, "bedrock: emulator serving %s for %s\n", url, o->region);
	return 0;
}

int cli_client_open(bedrock_client **out)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	int rc;

	o.region = cli_g.region;
	o.profile = cli_g.profile;
	o.endpoint_url = cli_g.endpoint_url;
	if (cli_g.emulate && (rc = start_embedded(&o)) != 0)
		return rc;
	o.max_attempts = cli_g.max_attempts;
	if (cli_g.retry_mode)
		o.retry_mode = !strcmp(cli_g.retry_mode, "adaptive") ? BEDROCK_RETRY_ADAPTIVE
			       : !strcmp(cli_g.retry_mode, "legacy") ? BEDROCK_RETRY_LEGACY
								 : BEDROCK_RETRY_STANDARD;
	/* --timeout is per attempt: an answer's wait, or a stream's longest
	 * silence (a stream that keeps coming is never cut); --deadline
	 * bounds the whole call. */
	o.total_timeout_ms = o.idle_timeout_ms = cli_g.timeout_s * 1000;
	o.deadline_ms = cli_g.deadline_s * 1000;
	o.log = log_line;
	o.user_agent_suffix = "bedrock-cli";
	rc = bedrock_client_new(out, &o, &err);
	if (!rc) {
		char why[128];

		snprintf(noted_region, sizeof(noted_region), "%s", bedrock_client_region(*out));
		cli_g.attempts = bedrock_client_max_attempts(*out);
		/* AWS_REGION or a profile's region: the same check as --region. */
		if (!cli_g.emulate && cli_region_check(noted_region, why, sizeof(why))) {
			fprintf(stderr, "bedrock: invalid region '%s': %s\n", noted_region, why);
			bedrock_client_free(*out);
			*out = NULL;
			return CLI_CONFIG;
		}
	}
	if (rc) {
		fprintf(stderr, "bedrock: %s\n", err.message);
		return rc == BEDROCK_ECONFIG || rc == BEDROCK_EINVAL || rc == BEDROCK_EAUTH ? CLI_CONFIG
											  : CLI_USAGE;
	}
	return 0;
}

char *cli_read_stream(FILE *f, size_t limit, size_t *len)
{
	char *buf = NULL, *p;
	size_t n = 0, cap = 0, r;

	for (;;) {
		if (cap - n < 4096) {
			p = realloc(buf, cap * 2 + 65536);
			if (!p) {
				free(buf);
				return NULL;
			}
			buf = p;
			cap = cap * 2 + 65536;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (!r)
			break;
		n += r;
		if (limit && n > limit)
			break;
	}
	if (ferror(f)) {
		free(buf);
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

int cli_read_body(char **out, size_t *len, const char *arg)
{
	FILE *f;

	*out = NULL;
	if (strcmp(arg, "-") && strncmp(arg, "file://", 7)) {
		*out = strdup(arg);
		*len = strlen(arg);
		return *out ? 0 : -1;
	}
	f = strcmp(arg, "-") ? fopen(arg + 7, "rb") : stdin;
	if (!f) {
		fprintf(stderr, "bedrock: cannot read %s\n", arg + 7);
		return -1;
	}
	/* Whole or not at all: never send half a body. */
	*out = cli_read_stream(f, 0, len);
	if (!*out)
		fprintf(stderr, "bedrock: cannot read %s\n", strcmp(arg, "-") ? arg + 7 : "standard input");
	if (f != stdin)
		fclose(f);
	return *out ? 0 : -1;
}

int cli_report(int rc, const bedrock_error_info *err)
{
	if (err->aws_code[0])
		fprintf(stderr, "bedrock: %s: %s%s%s%s\n", err->aws_code, err->message,
			err->request_id[0] ? " (request id " : "", err->request_id,
			err->request_id[0] ? ")" : "");
	else
		fprintf(stderr, "bedrock: %s\n", err->message);
	if (cli_g.hints)
		cli_hint(err, noted_model, noted_region[0] ? noted_region : NULL);
	switch (rc) {
	case BEDROCK_EHTTP:
	case BEDROCK_ETHROTTLED:
	case BEDROCK_ESERVICE:
		return CLI_SERVICE;
	case BEDROCK_EAUTH:
		/* An AWS refusal (403) is the service speaking; no credentials is ours. */
		return err->http_status ? CLI_SERVICE : CLI_CONFIG;
	case BEDROCK_ETIMEOUT:
		return err->http_status || err->aws_code[0] ? CLI_SERVICE : CLI_NETWORK;
	case BEDROCK_EIO:
		return CLI_NETWORK;
	case BEDROCK_ECONFIG:
	case BEDROCK_ENOTFOUND:
		return CLI_CONFIG;
	default:
		return CLI_USAGE;
	}
}
