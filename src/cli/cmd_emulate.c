/* bedrock emulate: a local Bedrock Runtime (and control plane), the
 * Anthropic API, Vertex AI and the Google metadata and token endpoints
 * Vertex clients get their tokens from, on one port, HTTP/1.1 and HTTP/2
 * (prior knowledge). The first stdout line names the bound URL so scripts
 * can start it on port 0 and read where it went. */
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <event2/event.h>

#include "ascii.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "demo_handler.h"
#include "emu_embed.h"
#include "emu_handler.h"
#include "serve.h"

#define DEFAULT_LISTEN "127.0.0.1:4567"
#define MAX_KEYS 64
/* The Anthropic API front takes 32 MB bodies; 1 MiB of slack above. */
#define DEFAULT_MAX_BODY (EMU_ANTHROPIC_MAX_BODY + 1024u * 1024u)

static const char usage[] =
	"usage: bedrock emulate [options]\n"
	"  --listen HOST:PORT   address to serve on (default " DEFAULT_LISTEN "; port 0 picks\n"
	"                       a free one; IPv6 as [::1]:PORT)\n"
	"  --region REGION      the region requests must be signed for (default us-east-1)\n"
	"  --key AKID:SECRET    accept this key pair (repeatable; replaces AWS's two\n"
	"                       documented example pairs, which are the default)\n"
	"  --bearer TOKEN       accept this Bedrock API key (repeatable)\n"
	"  --api-key KEY        accept this key on the Anthropic API routes (/v1/messages,\n"
	"                       /v1/models; x-api-key or Authorization: Bearer; repeatable;\n"
	"                       default: the fake key " EMU_ANTHROPIC_DEFAULT_KEY ")\n"
	"  --fast-retry         add retry-after-ms: 1 to the Anthropic API's and Vertex's\n"
	"                       429 and 529\n"
	"  --project ID         the Google Cloud project it stands for: the metadata\n"
	"                       server's, and the one Vertex requests must name\n"
	"                       (default " EMU_GOOGLE_DEFAULT_PROJECT ")\n"
	"  --google-token TOKEN accept this Google access token on the Vertex routes\n"
	"                       (repeatable), besides the ya29.emulator-... tokens its\n"
	"                       metadata server and token endpoint issue\n"
	"  --any-google-token   accept any bearer token on the Vertex routes (to try a\n"
	"                       client's own Google credentials flow; never logged)\n"
	"  --fault NAME[:COUNT] inject a fault into the next COUNT requests (default 1, * = all):\n"
	"                       throttle, not-ready, internal, unavailable, model-timeout,\n"
	"                       model-error, reset, reset-after=N, corrupt-crc, truncate,\n"
	"                       stream-exception=KIND, slow=MS, burst, access-denied,\n"
	"                       overloaded, no-retry, retry-400\n"
	"  --replay DIR         answer with recorded exchanges from DIR (repeatable)\n"
	"  --seed N             vary the deterministic model's wording (default 0)\n"
	"  --models-file PATH   serve the models of this file too (default\n"
	"                       $BEDROCK_MODELS_FILE, else ~/.config/bedrock/models.json)\n"
	"  --max-body BYTES     largest request body accepted (default 34,603,008)\n"
	"  --max-buffered BYTES request body bytes held at once, all connections together\n"
	"                       (default 268,435,456); over it, 503 ServiceUnavailableException\n"
	"  --max-connections N  connections open at once (default 4096); more are closed\n"
	"  --idle-timeout S     close a connection idle this long between requests (default 30)\n"
	"  --request-timeout S  a request's headers and body must arrive within S seconds\n"
	"                       (default 60), else 408 or a closed connection\n"
	"  --quiet              no access log on stderr\n"
	"A prompt containing [[emulate:fault=NAME]] gets that fault on every request.\n"
	"One port serves Bedrock (/model/ID/..., the control plane), the Anthropic API\n"
	"(/v1/messages, /v1/models), Vertex AI ([/v1|/v1beta1]/projects/P/locations/L/\n"
	"publishers/anthropic/models/M:rawPredict, :streamRawPredict,\n"
	"count-tokens:rawPredict, :setPublisherModelConfig, :fetchPublisherModelConfig),\n"
	"a GCE metadata server (point Google libraries at it with\n"
	"GCE_METADATA_HOST=HOST:PORT) and an OAuth token endpoint (POST /token).\n";

/* Only for the signal handler, which may only write to the stop pipe. */
static serve_server *running;

static void on_signal(int sig)
{
	(void)sig;
	serve_server_stop(running);
}

/* A thousand slow clients need a thousand descriptors. */
static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

/* A positive whole number no larger than max into *out; 0 or -1. */
static int positive(unsigned long long *out, const char *v, unsigned long long max)
{
	char *end;

	if (*v < '0' || *v > '9')
		return -1;
	*out = strtoull(v, &end, 10);
	return *end || !*out || *out > max ? -1 : 0;
}

static int add_key(emu_key *keys, size_t *n, const char *spec)
{
	if (*n == MAX_KEYS || emu_key_parse(&keys[*n], spec)) {
		fprintf(stderr, "bedrock emulate: --key wants AKID:SECRET\n");
		return -1;
	}
	(*n)++;
	return 0;
}

int cmd_emulate(int argc, char **argv)
{
	emu_key keys[MAX_KEYS];
	char *bearers[MAX_KEYS], *api_keys[MAX_KEYS], *google_tokens[MAX_KEYS], err[512], url[128];
	size_t nkeys = 0, nbearers = 0, napi_keys = 0, ngoogle = 0, k;
	int any_google = 0;
	const char *project = NULL;
	serve_server_options opts;
	struct sigaction sa;
	emu_state *st;
	serve_server *s;
	int i, rc = 1, network_test = 0;

	st = calloc(1, sizeof(*st));
	if (!st || emu_faults_init(&st->faults) || emu_replay_init(&st->replay)) {
		fprintf(stderr, "bedrock emulate: out of memory\n");
		free(st);
		return 1;
	}
	memset(&opts, 0, sizeof(opts));
	opts.listen = DEFAULT_LISTEN;
	opts.handler = emu_handle;
	opts.precheck = emu_precheck;
	opts.payload = st;
	opts.access_log = 1;
	opts.max_body = DEFAULT_MAX_BODY;
	st->auth.region = "us-east-1";
	st->auth.max_skew_seconds = 300;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = NULL;

		/* Every option that takes a value takes a non-empty one. */
		if ((!strcmp(a, "--listen") || !strcmp(a, "--region") || !strcmp(a, "--key") ||
		     !strcmp(a, "--bearer") || !strcmp(a, "--api-key") || !strcmp(a, "--fault") || !strcmp(a, "--replay") ||
		     !strcmp(a, "--seed") || !strcmp(a, "--max-body") || !strcmp(a, "--max-buffered") ||
		     !strcmp(a, "--max-connections") || !strcmp(a, "--idle-timeout") ||
		     !strcmp(a, "--request-timeout") || !strcmp(a, "--models-file") ||
		     !strcmp(a, "--project") || !strcmp(a, "--google-token")) &&
		    !(v = cli_value(argc, argv, &i, "bedrock emulate")))
			goto done;
		if (!strcmp(a, "--listen")) {
			opts.listen = v;
		} else if (!strcmp(a, "--region")) {
			st->auth.region = v;
			/* A plain label, as the library takes from AWS_REGION. */
			if (!bedrock__dns_label_valid(v)) {
				fprintf(stderr, "bedrock emulate: --region wants a region name like "
					"us-east-1\n%s", usage);
				goto done;
			}
		} else if (!strcmp(a, "--key")) {
			if (add_key(keys, &nkeys, v))
				goto done;
		} else if (!strcmp(a, "--bearer")) {
			if (nbearers == MAX_KEYS)
				goto done;
			bearers[nbearers++] = argv[i];	/* v, not const */
		} else if (!strcmp(a, "--api-key")) {
			if (napi_keys == MAX_KEYS) {
				fprintf(stderr, "bedrock emulate: at most %d --api-key keys\n", MAX_KEYS);
				goto done;
			}
			api_keys[napi_keys++] = argv[i];
		} else if (!strcmp(a, "--google-token")) {
			if (ngoogle == MAX_KEYS) {
				fprintf(stderr, "bedrock emulate: at most %d --google-token tokens\n",
					MAX_KEYS);
				goto done;
			}
			google_tokens[ngoogle++] = argv[i];
		} else if (!strcmp(a, "--project")) {
			if (!emu_google_project_valid(v)) {
				fprintf(stderr, "bedrock emulate: --project wants a Google Cloud project "
					"id (6 to 30 lower-case letters, digits and hyphens, starting "
					"with a letter)\n%s", usage);
				goto done;
			}
			project = v;
		} else if (!strcmp(a, "--any-google-token")) {
			any_google = 1;
		} else if (!strcmp(a, "--fast-retry")) {
			st->anthropic.fast_retry = 1;
		} else if (!strcmp(a, "--fault")) {
			if (emu_faults_add(&st->faults, v, err, sizeof(err))) {
				fprintf(stderr, "bedrock emulate: %s\n", err);
				goto done;
			}
		} else if (!strcmp(a, "--replay")) {
			if (emu_replay_load(&st->replay, v, err, sizeof(err))) {
				fprintf(stderr, "bedrock emulate: %s\n", err);
				goto done;
			}
			st->replaying = 1;
		} else if (!strcmp(a, "--seed")) {
			char *end;

			st->seed = strtoul(v, &end, 10);
			if (*end) {
				fprintf(stderr, "bedrock emulate: --seed wants a number\n");
				goto done;
			}
		} else if (!strcmp(a, "--max-body")) {
			char *end;

			opts.max_body = strtoull(v, &end, 10);
			if (*end || !opts.max_body) {
				fprintf(stderr, "bedrock emulate: bad --max-body '%s'\n", v);
				goto done;
			}
		} else if (!strcmp(a, "--max-buffered") || !strcmp(a, "--max-connections") ||
			   !strcmp(a, "--idle-timeout") || !strcmp(a, "--request-timeout")) {
			unsigned long long n;
			int secs = !strcmp(a, "--idle-timeout") || !strcmp(a, "--request-timeout");

			/* a day of seconds; a million connections; any size */
			if (positive(&n, v, secs ? 86400 : !strcmp(a, "--max-connections") ?
					   1000000 : (unsigned long long)SIZE_MAX)) {
				fprintf(stderr, "bedrock emulate: %s wants a positive number\n%s", a,
					usage);
				goto done;
			}
			if (!strcmp(a, "--max-buffered"))
				opts.max_buffered = (size_t)n;
			else if (!strcmp(a, "--max-connections"))
				opts.max_connections = (unsigned)n;
			else if (!strcmp(a, "--idle-timeout"))
				opts.idle_timeout_s = (unsigned)n;
			else
				opts.request_timeout_s = (unsigned)n;
		} else if (!strcmp(a, "--models-file")) {
			cli_g.models_file = v;
		} else if (!strcmp(a, "--quiet")) {
			opts.access_log = 0;
		} else if (!strcmp(a, "--network-test")) {
			/* Echo and stream routes for the network layer's own tests. */
			network_test = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			rc = 0;
			goto done;
		} else if (a[0] == '-') {
			cli_unknown_option("bedrock emulate", a, usage, NULL);
			fputs(usage, stderr);
			goto done;
		} else {
			fprintf(stderr, "bedrock emulate: unexpected argument '%s'\n%s", a, usage);
			goto done;
		}
	}
	/* The catalog it serves: a bad --models-file is a configuration
	 * error (exit 4), a bad default one a warning. */
	if (cli_models_setup() != 0) {
		rc = CLI_CONFIG;
		goto done;
	}
	if (nkeys == 0) {
		/* AWS's two documented example key pairs. */
		if (add_key(keys, &nkeys, EMU_DEFAULT_ACCESS_KEY_ID ":" EMU_DEFAULT_SECRET_KEY) ||
		    add_key(keys, &nkeys, "AKIAIOSFODNN7EXAMPLE:wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"))
			goto done;
	}
	st->auth.keys = keys;
	st->auth.key_count = nkeys;
	st->auth.bearers = bearers;
	st->auth.bearer_count = nbearers;
	st->anthropic.api_keys = api_keys;
	st->anthropic.api_key_count = napi_keys;
	if (emu_control_init(&st->control, st->auth.region))
		goto done;
	if (emu_google_init(&st->google, project)) {
		fprintf(stderr, "bedrock emulate: out of memory\n");
		goto done_control;
	}
	st->google.tokens = google_tokens;
	st->google.token_count = ngoogle;
	st->google.any_token = any_google;
	if (network_test) {
		opts.handler = emu_demo_handler;
		opts.precheck = NULL;
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	if (serve_server_new(&s, &opts, url, sizeof(url)))
		goto done_control;
	running = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("listening on %s\n", url);
	fflush(stdout);
	rc = serve_server_run(s) ? 1 : 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running = NULL;
	serve_server_free(s);
	/* evthread's global locks, so a leak checker sees a clean exit. */
	libevent_global_shutdown();
done_control:
	emu_google_dispose(&st->google);
	emu_control_dispose(&st->control);
done:
	for (k = 0; k < nkeys; k++)
		emu_key_dispose(&keys[k]);
	emu_faults_dispose(&st->faults);
	emu_replay_dispose(&st->replay);
	free(st);
	return rc;
}
