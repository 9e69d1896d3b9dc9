/* bedrock emulate: a local Bedrock Runtime on one port, HTTP/1.1 and
 * HTTP/2 (prior knowledge). The first stdout line names the bound URL so
 * scripts can start it on port 0 and read where it went. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sys/resource.h>

#include <event2/event.h>

#include "cli.h"
#include "demo_handler.h"
#include "emulate.h"

#define DEFAULT_LISTEN "127.0.0.1:4567"

static const char usage[] =
	"usage: bedrock emulate [--listen HOST:PORT] [--max-body BYTES] [--quiet]\n"
	"  --listen HOST:PORT  address to serve on (default " DEFAULT_LISTEN
	"; port 0 picks a free one;\n"
	"                      IPv6 as [::1]:PORT)\n"
	"  --max-body BYTES    largest request body accepted (default 26,048,576)\n"
	"  --quiet             no access log on stderr\n";

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

int cmd_emulate(int argc, char **argv)
{
	emu_server_options opts;
	struct sigaction sa;
	emu_server *s;
	char url[128];
	int i, rc;

	memset(&opts, 0, sizeof(opts));
	opts.listen = DEFAULT_LISTEN;
	opts.handler = emu_demo_handler;
	opts.access_log = 1;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--listen") && i + 1 < argc) {
			opts.listen = argv[++i];
		} else if (!strcmp(argv[i], "--max-body") && i + 1 < argc) {
			char *end;

			opts.max_body = strtoull(argv[++i], &end, 10);
			if (*end || !opts.max_body) {
				fprintf(stderr, "bedrock emulate: bad --max-body '%s'\n", argv[i]);
				return 1;
			}
		} else if (!strcmp(argv[i], "--quiet")) {
			opts.access_log = 0;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			fputs(usage, stdout);
			return 0;
		} else {
			fprintf(stderr, "bedrock emulate: unexpected argument '%s'\n%s", argv[i],
				usage);
			return 1;
		}
	}
	raise_fd_limit();
	signal(SIGPIPE, SIG_IGN);
	if (emu_server_new(&s, &opts, url, sizeof(url)))
		return 1;
	running = s;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	printf("listening on %s\n", url);
	fflush(stdout);
	rc = emu_server_run(s);
	signal(SIGINT, SIG_DFL);
	signal(SIGTERM, SIG_DFL);
	running = NULL;
	emu_server_free(s);
	/* evthread's global locks, so a leak checker sees a clean exit. */
	libevent_global_shutdown();
	return rc ? 1 : 0;
}
