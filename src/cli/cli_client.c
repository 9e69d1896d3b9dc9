#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_args.h"
#include "cli_client.h"
#include "cli_google.h"
#include "anthropic_front.h"
#include "emu_embed.h"
#include "emu_google.h"
#include "term_safe.h"

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

/* global, us, eu, or a Google Cloud region: "us-east5", "europe-west1". */
static int vertex_shaped(const char *v)
{
	size_t a = strspn(v, "abcdefghijklmnopqrstuvwxyz"), b, d;

	if (!strcmp(v, "global") || !strcmp(v, "us") || !strcmp(v, "eu"))
		return 1;
	if (!a || v[a] != '-')
		return 0;
	b = strspn(v + a + 1, "abcdefghijklmnopqrstuvwxyz");
	d = strspn(v + a + 1 + b, "0123456789");
	return b && d && !v[a + 1 + b + d];
}

int cli_region_for(bedrock_platform platform)
{
	char why[128];

	if (platform != BEDROCK_PLATFORM_BEDROCK || !cli_g.region ||
	    !cli_region_check(cli_g.region, why, sizeof(why)))
		return 0;
	fprintf(stderr, "bedrock: invalid region '%s': %s\n", cli_g.region, why);
	return -1;
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
	if (strcmp(a, "--platform") && strcmp(a, "--region") && strcmp(a, "--profile") &&
	    strcmp(a, "--endpoint-url") &&
	    strcmp(a, "--max-attempts") && strcmp(a, "--retry-mode") && strcmp(a, "--timeout") &&
	    strcmp(a, "--deadline") && strcmp(a, "--models-file") && strcmp(a, "--project"))
		return 0;
	if (!(v = cli_value(argc, argv, i, "bedrock")))
		return -1;
	if (!strcmp(a, "--platform")) {
		bedrock_platform p;

		if (bedrock_platform_parse(&p, v)) {
			fprintf(stderr, "bedrock: --platform is bedrock, anthropic or vertex\n");
			return -1;
		}
		cli_g.platform = v;
	} else if (!strcmp(a, "--region")) {
		char why[128];

		/* Vertex AI's locations (global, us, eu, us-east5, ...) pass
		 * here; on Bedrock cli_region_for() refuses them once the
		 * platform is known. */
		if (!vertex_shaped(v) && cli_region_check(v, why, sizeof(why))) {
			fprintf(stderr, "bedrock: invalid region '%s': %s\n", v, why);
			return -1;
		}
		cli_g.region = v;
	} else if (!strcmp(a, "--project")) {
		if (!*v || strpbrk(v, "/?#% \t\r\n")) {
			fprintf(stderr, "bedrock: --project is a Google Cloud project id\n");
			return -1;
		}
		cli_g.project = v;
	} else if (!strcmp(a, "--profile")) {
		cli_g.profile = v;
	} else if (!strcmp(a, "--endpoint-url")) {
		cli_g.endpoint_url = v;
	} else if (!strcmp(a, "--models-file")) {
		cli_g.models_file = v;
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

static int env_is(const char *name, const char *want)
{
	const char *v = getenv(name);

	return v && !strcmp(v, want);
}

int cli_platform(bedrock_platform *out, const char **from)
{
	const char *v = getenv("BEDROCK_PLATFORM");

	*out = BEDROCK_PLATFORM_BEDROCK;
	*from = "the default";
	if (cli_g.platform) {
		*from = "--platform";
		return bedrock_platform_parse(out, cli_g.platform);
	}
	if (v && *v) {
		*from = "BEDROCK_PLATFORM";
		if (bedrock_platform_parse(out, v) == 0)
			return 0;
		fprintf(stderr, "bedrock: BEDROCK_PLATFORM is bedrock, anthropic or vertex, not "
			"'%.40s'\n", v);
		return -1;
	}
	/* A machine set up for Claude Code works as it is (its own switches;
	 * without either, Claude Code calls the Anthropic API, but Bedrock stays
	 * this tool's default). */
	if (env_is("CLAUDE_CODE_USE_BEDROCK", "1") || env_is("CLAUDE_CODE_USE_BEDROCK", "true")) {
		*from = "CLAUDE_CODE_USE_BEDROCK";
	} else if (env_is("CLAUDE_CODE_USE_VERTEX", "1") || env_is("CLAUDE_CODE_USE_VERTEX", "true")) {
		*out = BEDROCK_PLATFORM_VERTEX;
		*from = "CLAUDE_CODE_USE_VERTEX";
	}
	return 0;
}

const char *cli_emulate_region(void)
{
	return cli_g.region ? cli_g.region : "us-east-1";
}

static int env_set(const char *name)
{
	const char *v = getenv(name);

	return v && *v;
}

int cli_check_profile(const bedrock_config *cfg, const char *profile_option)
{
	const char *from = profile_option		 ? "--profile"
			   : env_set("AWS_PROFILE")	 ? "AWS_PROFILE"
			   : env_set("AWS_DEFAULT_PROFILE") ? "AWS_DEFAULT_PROFILE"
							 : NULL;
	char msg[512];

	/* A named profile must exist (botocore's ProfileNotFound). "default"
	 * may be missing even when named: it worked so before, with keys in
	 * the environment, and names nothing a user could have mistyped. */
	if (!from || !strcmp(bedrock_config_profile(cfg), "default") ||
	    bedrock_config_has_profile(cfg, bedrock_config_profile(cfg)))
		return 0;
	snprintf(msg, sizeof(msg), "the config profile (%.64s) named by %s could not be found: "
		 "it is in neither %.150s nor %.150s", bedrock_config_profile(cfg), from,
		 bedrock_config_config_file(cfg), bedrock_config_credentials_file(cfg));
	cli_setup_failed(msg);
	return CLI_CONFIG;
}

void cli_setup_failed(const char *message)
{
	bedrock_error_info err;

	memset(&err, 0, sizeof(err));
	err.code = BEDROCK_ECONFIG;
	snprintf(err.message, sizeof(err.message), "%s", message);
	fprintf(stderr, "bedrock: %s\n", err.message);
	cli_hint_setup(&err);
}

/* --emulate: serve Bedrock from this process and point the client at it
 * with the emulator's own key, so no AWS account (and no credential chain)
 * is involved. */
static int start_embedded(bedrock_client_options *o, bedrock_platform platform)
{
	static char url[128];
	char msg[256];

	if (cli_g.endpoint_url) {
		fprintf(stderr, "bedrock: --emulate and --endpoint-url do not go together\n");
		return CLI_USAGE;
	}
	/* Nothing of the AWS set-up is used, so none of it may fail the
	 * command: the library reads two empty files instead of ~/.aws. */
	if (setenv("AWS_CONFIG_FILE", "/dev/null", 1) ||
	    setenv("AWS_SHARED_CREDENTIALS_FILE", "/dev/null", 1)) {
		fprintf(stderr, "bedrock: --emulate: out of memory\n");
		return CLI_USAGE;
	}
	o->profile = NULL;
	o->region = cli_emulate_region();
	if (!embedded) {
		if (emu_embedded_start(&embedded, o->region, url, sizeof(url), msg, sizeof(msg))) {
			fprintf(stderr, "bedrock: --emulate: %s\n", msg);
			return CLI_USAGE;
		}
	}
	o->endpoint_url = url;
	if (platform == BEDROCK_PLATFORM_ANTHROPIC) {
		/* The emulator's Anthropic API front, on the same port. */
		o->region = NULL;
		o->api_key = EMU_ANTHROPIC_DEFAULT_KEY;
		o->auth_token = NULL;
	} else if (platform == BEDROCK_PLATFORM_VERTEX) {
		/* Its Vertex front, with the token it accepts and the project
		 * it stands for; no Google credentials are looked for. */
		o->region = cli_g.region ? cli_g.region : "global";
		o->project = cli_g.project ? cli_g.project : EMU_GOOGLE_DEFAULT_PROJECT;
		o->auth_token = EMU_EMBEDDED_GOOGLE_TOKEN;
		o->google_credentials = NULL;
	} else {
		o->access_key_id = EMU_DEFAULT_ACCESS_KEY_ID;
		o->secret_access_key = EMU_DEFAULT_SECRET_KEY;
	}
	if (cli_g.debug)
		fprintf(stderr, "bedrock: emulator serving %s for %s\n", url, o->region);
	return 0;
}

/* An unknown profile is the first thing to say, before the region or
 * credentials it would have given are missed. A file that cannot be read
 * is left for bedrock_client_new() to report. */
static int profile_exists(void)
{
	bedrock_config_options co = BEDROCK_CONFIG_OPTIONS_INIT;
	bedrock_config *cfg = NULL;
	int rc = 0;

	co.profile = cli_g.profile;
	if (bedrock_config_load(&cfg, &co) == 0)
		rc = cli_check_profile(cfg, cli_g.profile);
	bedrock_config_free(cfg);
	return rc;
}

int cli_client_open(bedrock_client **out)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	const char *from;
	int rc;

	if (cli_platform(&o.platform, &from) || cli_region_for(o.platform))
		return CLI_USAGE;
	if ((rc = cli_models_setup()) != 0)
		return rc;
	if (o.platform == BEDROCK_PLATFORM_BEDROCK) {
		o.region = cli_g.region;
		o.profile = cli_g.profile;
	} else if (o.platform == BEDROCK_PLATFORM_VERTEX) {
		o.region = cli_g.region;
		o.project = cli_g.project;
		if (!cli_g.emulate && !(o.google_credentials = cli_google_provider(&err))) {
			fprintf(stderr, "bedrock: %s\n", err.message);
			return CLI_CONFIG;
		}
	}
	o.endpoint_url = cli_g.endpoint_url;
	if (cli_g.emulate && (rc = start_embedded(&o, o.platform)) != 0)
		return rc;
	if (!cli_g.emulate && o.platform == BEDROCK_PLATFORM_BEDROCK && (rc = profile_exists()) != 0)
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
		if (!cli_g.emulate && o.platform == BEDROCK_PLATFORM_BEDROCK &&
		    cli_region_check(noted_region, why, sizeof(why))) {
			fprintf(stderr, "bedrock: invalid region '%s': %s\n", noted_region, why);
			bedrock_client_free(*out);
			*out = NULL;
			return CLI_CONFIG;
		}
	}
	if (rc) {
		fprintf(stderr, "bedrock: %s\n", err.message);
		cli_hint_setup(&err);
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
		int e = errno;	/* why, for the caller's message */

		free(buf);
		errno = e;
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

/* The service's words, shown on a terminal without their controls. */
static char *shown(const char *s)
{
	return isatty(STDERR_FILENO) ? term_safe_dup(s, strlen(s)) : NULL;
}

int cli_report(int rc, const bedrock_error_info *err)
{
	char *code = shown(err->aws_code), *msg = shown(err->message), *id = shown(err->request_id);

	if (err->aws_code[0])
		fprintf(stderr, "bedrock: %s: %s%s%s%s\n", code ? code : err->aws_code,
			msg ? msg : err->message, err->request_id[0] ? " (request id " : "",
			id ? id : err->request_id, err->request_id[0] ? ")" : "");
	else
		fprintf(stderr, "bedrock: %s\n", msg ? msg : err->message);
	free(code);
	free(msg);
	free(id);
	if (cli_g.hints)
		cli_hint(err, noted_model, noted_region[0] ? noted_region : NULL);
	else
		cli_hint_setup(err);
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
