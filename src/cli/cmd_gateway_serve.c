/* bedrock gateway --config FILE: the server (src/gateway/gateway.c). The
 * first stdout line names the bound URL, as bedrock emulate's does, so
 * scripts can start it on port 0. SIGHUP reloads the file, SIGTERM and
 * SIGINT drain (a second one stops at once). */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include <sys/resource.h>

#include "cli.h"
#include "gateway.h"

static const char usage[] =
	"usage: bedrock gateway --config FILE [--listen HOST:PORT] [--quiet]\n"
	"       bedrock gateway activity ...   (its own help: bedrock gateway activity -h)\n"
	"  --config FILE        the gateway's YAML configuration (docs/gateway.md)\n"
	"  --listen HOST:PORT   overrides the file's listen: (port 0 picks a free port)\n"
	"  --quiet              no access log on stderr\n"
	"One port serves the Bedrock, Anthropic API and Vertex AI formats to the\n"
	"configured upstreams, with per-key authentication, quotas, failover, an\n"
	"activity log and GET /metrics. SIGHUP reloads the file (a bad one is refused\n"
	"and the running configuration kept); SIGTERM finishes the streams in flight\n"
	"(up to limits.drain_timeout_s) and exits 0.\n";

/* Only for the signal handlers. */
static gateway *running;
static volatile sig_atomic_t draining;

static void on_hup(int sig)
{
	(void)sig;
	gateway_reload(running);
}

static void on_term(int sig)
{
	(void)sig;
	if (draining)
		gateway_stop(running);
	draining = 1;
	gateway_drain(running);
}

static void raise_fd_limit(void)
{
	struct rlimit rl;

	if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int cmd_gateway_serve(int argc, char **argv)
{
	gateway_options o;
	struct sigaction sa;
	char url[160], err[1024];
	gateway *g;
	int i, rc;

	memset(&o, 0, sizeof(o));
	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return 0;
		} else if (!strcmp(a, "--quiet")) {
			o.quiet = 1;
		} else if ((!strcmp(a, "--config") || !strcmp(a, "--listen")) && i + 1 < argc &&
			   argv[i + 1][0]) {
			if (!strcmp(a, "--config"))
				o.config_path = argv[++i];
			else
				o.listen = argv[++i];
		} else {
			fprintf(stderr, "bedrock gateway: %s '%s'\n%s",
				!strcmp(a, "--config") || !strcmp(a, "--listen") ? "a value is needed after"
										: "unknown option",
				a, usage);
			return 1;
		}
	}
	if (!o.config_path) {
		fprintf(stderr, "bedrock gateway: --config FILE is required\n%s", usage);
		return 1;
	}
	raise_fd_limit();
	/* A client gone mid-write must not kill the process. */
	signal(SIGPIPE, SIG_IGN);
	if (gateway_new(&g, &o, url, sizeof(url), err, sizeof(err))) {
		/* A bad file or address: the CLI's configuration status. */
		fprintf(stderr, "bedrock gateway: %s\n", err);
		return 4;
	}
	running = g;
	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = on_hup;
	sigaction(SIGHUP, &sa, NULL);
	sa.sa_handler = on_term;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	printf("listening on %s\n", url);
	fflush(stdout);
	rc = gateway_run(g);
	signal(SIGHUP, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	running = NULL;
	gateway_free(g);
	return rc ? 1 : 0;
}
