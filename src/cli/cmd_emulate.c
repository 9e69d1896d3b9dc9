/* bedrock emulate: a local Bedrock Runtime (and control plane) on one port,
 * HTTP/1.1 and HTTP/2 (prior knowledge). The first stdout line names the
 * bound URL so scripts can start it on port 0 and read where it went. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/resource.h>

#include <event2/event.h>

#include "cli.h"
#include "demo_handler.h"
#include "emu_embed.h"
#include "emu_handler.h"
#include "emulate.h"

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
	"  --fast-retry         add retry-after-ms: 1 to the Anthropic API's 429 and 529\n"
	"  --fault NAME[:COUNT] inject a fault into the next COUNT requests (default 1, * = all):\n"
	"                       throttle, not-ready, internal, unavailable, model-timeout,\n"
	"                       model-error, reset, reset-after=N, corrupt-crc, truncate,\n"
	"                       stream-exception=KIND, slow=MS, access-denied, overloaded,\n"
	"                       no-retry, retry-400\n"
	"  --replay DIR         answer with recorded exchanges from DIR (repeatable)\n"
	"  --seed N             vary the deterministic model's wording (default 0)\n"
	"  --max-body BYTES     largest request body accepted (default 34,603,008)\n"
	"  --quiet              no access log on stderr\n"
	"A prompt containing [[emulate:fault=NAME]] gets that fault on every request.\n";

/* Only for the signal handler, which may only write to the stop pipe. */
static emu_server *running;

static void on_signal(int sig)
{
	(void)sig;
	emu_server_stop(running);
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
	char *bearers[MAX_KEYS], *api_keys[MAX_KEYS], err[512], url[128];
	size_t nkeys = 0, nbearers = 0, napi_keys = 0, k;
	emu_server_options opts;
	struct sigaction sa;
	emu_state *st;
	emu_server *s;
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
	opts.payload = st;
	opts.access_log = 1;
	opts.max_body = DEFAULT_MAX_BODY;
	st->auth.region = "us-east-1";
	st->auth.max_skew_seconds = 300;
	for (i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--listen") && v) {
			opts.listen = argv[++i];
		} else if (!strcmp(a, "--region") && v) {
			st->auth.region = argv[++i];
		} else if (!strcmp(a, "--key") && v) {
			if (add_key(keys, &nkeys, argv[++i]))
				goto done;
		} else if (!strcmp(a, "--bearer") && v) {
			if (nbearers == MAX_KEYS)
				goto done;
			bearers[nbearers++] = argv[++i];
		} else if (!strcmp(a, "--api-key") && v) {
			if (napi_keys == MAX_KEYS || !*v) {
				fprintf(stderr, "bedrock emulate: --api-key wants a non-empty key\n");
				goto done;
			}
			api_keys[napi_keys++] = argv[++i];
		} else if (!strcmp(a, "--fast-retry")) {
			st->anthropic.fast_retry = 1;
		} else if (!strcmp(a, "--fault") && v) {
			if (emu_faults_add(&st->faults, argv[++i], err, sizeof(err))) {
				fprintf(stderr, "bedrock emulate: %s\n", err);
				goto done;
			}
		} else if (!strcmp(a, "--replay") && v) {
			if (emu_replay_load(&st->replay, argv[++i], err, sizeof(err))) {
				fprintf(stderr, "bedrock emulate: %s\n", err);
				goto done;
			}
			st->replaying = 1;
		} else if (!strcmp(a, "--seed") && v) {
			char *end;

			st->seed = strtoul(argv[++i], &end, 10);
			if (*end) {
				fprintf(stderr, "bedrock emulate: --seed wants a number\n");
				goto done;
			}
		} else if (!strcmp(a, "--max-body") && v) {
			char *end;

			opts.max_body = strtoull(argv[++i], &end, 10);
			if (*end || !opts.max_body) {
				fprintf(stderr, "bedrock emulate: bad --max-body '%s'\n", argv[i]);
				goto done;
			}
		} else if (!strcmp(a, "--quiet")) {
			opts.access_log = 0;
		} else if (!strcmp(a, "--network-test")) {
			/* Echo and stream routes for the network layer's own tests. */
			network_test = 1;
		} else if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			rc = 0;
			goto done;
		} else {
			fprintf(stderr, "bedrock emulate: unexpected argument '%s'\n%s", a, usage);
			goto done;
		}
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
	if (network_test)
		opts.handler = emu_demo_handler;
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	if (emu_server_new(&s, &opts, url, sizeof(url)))
		goto done_control;
	running = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("listening on %s\n", url);
	fflush(stdout);
	rc = emu_server_run(s) ? 1 : 0;
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running = NULL;
	emu_server_free(s);
	/* evthread's global locks, so a leak checker sees a clean exit. */
	libevent_global_shutdown();
done_control:
	emu_control_dispose(&st->control);
done:
	for (k = 0; k < nkeys; k++)
		emu_key_dispose(&keys[k]);
	emu_faults_dispose(&st->faults);
	emu_replay_dispose(&st->replay);
	free(st);
	return rc;
}
