/* The recording forward proxy (tests/fakes/forward_proxy.py) for the
 * client's tests: start it, read what went through it, stop it. */
#ifndef BEDROCK_TEST_PROXY_HELPERS_H
#define BEDROCK_TEST_PROXY_HELPERS_H

#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "harness.h"

extern char **environ;

typedef struct test_proxy {
	pid_t pid;
	char dir[64];
	char log[128];
	char url[64];		/* "http://127.0.0.1:PORT" */
} test_proxy;

static void test_proxy_clear(test_proxy *p)
{
	FILE *f = fopen(p->log, "w");

	assert_non_null(f);
	fclose(f);
}

static void test_proxy_start(test_proxy *p)
{
	const char *fakes = getenv("BEDROCK_FAKES");
	char script[512], line[64];
	posix_spawn_file_actions_t fa;
	char *argv[6];
	int out[2], port = 0;
	FILE *r;

	memset(p, 0, sizeof(*p));
	snprintf(p->dir, sizeof(p->dir), "/tmp/bedrock-proxy-XXXXXX");
	assert_non_null(mkdtemp(p->dir));
	snprintf(p->log, sizeof(p->log), "%s/log.jsonl", p->dir);
	test_proxy_clear(p);
	snprintf(script, sizeof(script), "%s/forward_proxy.py", fakes ? fakes : "tests/fakes");
	assert_int_equal(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	argv[0] = "python3";
	argv[1] = script;
	argv[2] = "--log";
	argv[3] = p->log;
	argv[4] = NULL;
	assert_int_equal(posix_spawnp(&p->pid, "python3", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	r = fdopen(out[0], "r");
	assert_non_null(r);
	if (!fgets(line, sizeof(line), r) || sscanf(line, "PORT %d", &port) != 1)
		fail_msg("forward_proxy.py did not start");
	fclose(r);
	snprintf(p->url, sizeof(p->url), "http://127.0.0.1:%d", port);
}

/* What went through so far, one JSON line per request (free() it). */
static char *test_proxy_log(test_proxy *p)
{
	char *text = harness_read_file(p->log, NULL);

	assert_non_null(text);
	return text;
}

static int test_proxy_count(test_proxy *p, const char *needle)
{
	char *log = test_proxy_log(p);
	const char *at = log;
	int n = 0;

	while ((at = strstr(at, needle)) != NULL) {
		n++;
		at++;
	}
	free(log);
	return n;
}

static void test_proxy_stop(test_proxy *p)
{
	char cmd[128];

	if (p->pid > 0) {
		kill(p->pid, SIGTERM);
		waitpid(p->pid, NULL, 0);
		p->pid = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", p->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", p->dir);
}

#endif
