/* credential_process: run the profile's command (no shell) and read the
 * credentials it prints (botocore ProcessProvider). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bedrock/credentials.h"
#include "alloc.h"
#include "buf.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "json.h"
#include "timeutil.h"

extern char **environ;

#define PROCESS_TIMEOUT_MS (120 * 1000)
#define PROCESS_MAX_STDOUT (64 * 1024)
#define PROCESS_MAX_STDERR 300

void bedrock__argv_free(char **argv)
{
	size_t i;

	if (!argv)
		return;
	for (i = 0; argv[i]; i++)
		bedrock__free(argv[i]);
	bedrock__free(argv);
}

static int push_word(char ***argv, size_t *n, bedrock_buf *w)
{
	char **p = bedrock__realloc(*argv, (*n + 2) * sizeof(**argv));

	if (!p)
		return BEDROCK_ENOMEM;
	*argv = p;
	p[*n] = bedrock__strndup(w->ptr ? w->ptr : "", w->len);
	if (!p[*n])
		return BEDROCK_ENOMEM;
	p[++*n] = NULL;
	bedrock__buf_clear(w);
	return 0;
}

int bedrock__split_command(char ***argv_out, const char *s)
{
	bedrock_buf w = BEDROCK_BUF_INIT;
	char **argv = NULL;
	size_t n = 0;
	int in_word = 0, rc = 0;

	*argv_out = NULL;
	while (*s && !rc) {
		char ch = *s++;

		if (ch == ' ' || ch == '\t' || ch == '\n') {
			if (in_word)
				rc = push_word(&argv, &n, &w);
			in_word = 0;
		} else if (ch == '\\') {
			if (*s == '\n') {
				s++;
				continue;
			}
			if (!*s) {
				rc = BEDROCK_ECONFIG;
				break;
			}
			bedrock__buf_putc(&w, *s++);
			in_word = 1;
		} else if (ch == '\'') {
			const char *end = strchr(s, '\'');

			if (!end) {
				rc = BEDROCK_ECONFIG;
				break;
			}
			bedrock__buf_put(&w, s, (size_t)(end - s));
			s = end + 1;
			in_word = 1;
		} else if (ch == '"') {
			for (;;) {
				if (!*s) {
					rc = BEDROCK_ECONFIG;
					break;
				}
				ch = *s++;
				if (ch == '"')
					break;
				if (ch == '\\' && *s && strchr("$`\"\\\n", *s)) {
					if (*s != '\n')
						bedrock__buf_putc(&w, *s);
					s++;
					continue;
				}
				bedrock__buf_putc(&w, ch);
			}
			in_word = 1;
		} else {
			bedrock__buf_putc(&w, ch);
			in_word = 1;
		}
	}
	if (!rc && in_word)
		rc = push_word(&argv, &n, &w);
	if (!rc && w.oom)
		rc = BEDROCK_ENOMEM;
	if (!rc && n == 0)
		rc = BEDROCK_ECONFIG;
	bedrock__buf_dispose(&w);
	if (rc) {
		bedrock__argv_free(argv);
		return rc;
	}
	*argv_out = argv;
	return 0;
}

int bedrock__process_output_parse(bedrock_credentials **out, const char *data, size_t len,
				  bedrock_error_info *err)
{
	cJSON *doc = cJSON_ParseWithLength(data, len);
	const cJSON *ver;
	const char *id, *secret, *exp;
	int64_t expiration = 0;
	int rc;

	*out = NULL;
	/* Never quote the output: it holds the secret. */
	if (!cJSON_IsObject(doc)) {
		cJSON_Delete(doc);
		return bedrock__err(err, BEDROCK_EPROTOCOL,
				    "credential_process: output is not a JSON object");
	}
	ver = cJSON_GetObjectItemCaseSensitive(doc, "Version");
	id = bedrock__json_str(doc, "AccessKeyId");
	secret = bedrock__json_str(doc, "SecretAccessKey");
	exp = bedrock__json_str(doc, "Expiration");
	if (!cJSON_IsNumber(ver) || ver->valuedouble != 1)
		rc = bedrock__err(err, BEDROCK_EPROTOCOL,
				  "credential_process: unsupported \"Version\" (must be 1)");
	else if (!id || !*id || !secret || !*secret)
		rc = bedrock__err(err, BEDROCK_EPROTOCOL,
				  "credential_process: output lacks %s",
				  !id || !*id ? "\"AccessKeyId\"" : "\"SecretAccessKey\"");
	else if (exp && bedrock__parse_iso8601(exp, &expiration))
		rc = bedrock__err(err, BEDROCK_EPROTOCOL,
				  "credential_process: \"Expiration\" is not an ISO-8601 time");
	else
		rc = bedrock__credentials_make(out, "process", id, secret,
					       bedrock__json_str(doc, "SessionToken"),
					       bedrock__json_str(doc, "AccountId"), expiration, err);
	cJSON_Delete(doc);
	return rc;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static int cloexec_pipe(int fds[2])
{
	if (pipe(fds))
		return -1;
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	return 0;
}

/* Runs argv, collecting stdout (whole, bounded) and the start of stderr. */
static int run(char **argv, bedrock_buf *out, bedrock_buf *errtext, int *status,
	       bedrock_error_info *err)
{
	posix_spawn_file_actions_t fa;
	int po[2] = { -1, -1 }, pe[2] = { -1, -1 }, rc = 0, e;
	int64_t deadline = now_ms() + PROCESS_TIMEOUT_MS;
	pid_t pid;

	if (cloexec_pipe(po) || cloexec_pipe(pe)) {
		rc = bedrock__err(err, BEDROCK_EIO, "credential_process: pipe: %s", strerror(errno));
		goto done;
	}
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, po[1], 1);
	posix_spawn_file_actions_adddup2(&fa, pe[1], 2);
	e = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(po[1]);
	close(pe[1]);
	po[1] = pe[1] = -1;
	if (e) {
		rc = bedrock__err(err, BEDROCK_ECONFIG, "credential_process: cannot run '%s': %s",
				  argv[0], strerror(e));
		goto done;
	}
	while (po[0] >= 0 || pe[0] >= 0) {
		struct pollfd pf[2] = { { po[0], POLLIN, 0 }, { pe[0], POLLIN, 0 } };
		int64_t left = deadline - now_ms();
		char chunk[4096];
		int i;

		if (left <= 0) {
			kill(pid, SIGKILL);
			rc = bedrock__err(err, BEDROCK_ETIMEOUT,
					  "credential_process: '%s' did not finish within %d seconds",
					  argv[0], PROCESS_TIMEOUT_MS / 1000);
			break;
		}
		if (poll(pf, 2, (int)(left > 1000 ? 1000 : left)) < 0) {
			if (errno == EINTR)
				continue;
			kill(pid, SIGKILL);
			rc = bedrock__err(err, BEDROCK_EIO, "credential_process: poll: %s",
					  strerror(errno));
			break;
		}
		for (i = 0; i < 2; i++) {
			int *fd = i ? &pe[0] : &po[0];
			bedrock_buf *b = i ? errtext : out;
			ssize_t n;

			if (*fd < 0 || !(pf[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			n = read(*fd, chunk, sizeof(chunk));
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0) {
				close(*fd);
				*fd = -1;
				continue;
			}
			if (!i && b->len + (size_t)n > PROCESS_MAX_STDOUT) {
				kill(pid, SIGKILL);
				rc = bedrock__err(err, BEDROCK_EPROTOCOL,
						  "credential_process: output larger than %d bytes",
						  PROCESS_MAX_STDOUT);
				close(po[0]);
				po[0] = -1;
				continue;
			}
			if (b->len < PROCESS_MAX_STDERR || !i)
				bedrock__buf_put(b, chunk, (size_t)n);
		}
		if (rc)
			break;
	}
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
done:
	if (po[0] >= 0) close(po[0]);
	if (pe[0] >= 0) close(pe[0]);
	if (po[1] >= 0) close(po[1]);
	if (pe[1] >= 0) close(pe[1]);
	if (!rc && (out->oom || errtext->oom))
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	return rc;
}

typedef struct {
	bedrock__profile_src src;
} process_impl;

static int process_get(bedrock_credentials **out, void *impl, bedrock_error_info *err)
{
	process_impl *p = impl;
	bedrock_buf so = BEDROCK_BUF_INIT, se = BEDROCK_BUF_INIT;
	bedrock_config *cfg;
	const char *command;
	char **argv = NULL;
	int rc, status = 0;

	rc = bedrock__profile_src_load(&cfg, &p->src, err);
	if (rc)
		return rc;
	command = bedrock_config_get(cfg, "credential_process");
	if (!command || !*command) {
		rc = bedrock__err(err, BEDROCK_ENOTFOUND, "profile %s has no credential_process",
				  bedrock_config_profile(cfg));
		goto done;
	}
	rc = bedrock__split_command(&argv, command);
	if (rc) {
		bedrock__err(err, rc, "profile %s: credential_process %s",
			     bedrock_config_profile(cfg),
			     rc == BEDROCK_ENOMEM ? "out of memory" : "has an unterminated quote or is empty");
		goto done;
	}
	rc = run(argv, &so, &se, &status, err);
	if (rc)
		goto done;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		size_t n = se.len > PROCESS_MAX_STDERR ? PROCESS_MAX_STDERR : se.len;

		while (n && (se.ptr[n - 1] == '\n' || se.ptr[n - 1] == '\r'))
			n--;
		rc = bedrock__err(err, BEDROCK_EAUTH, "credential_process '%s' %s %d%s%.*s", argv[0],
				  WIFEXITED(status) ? "exited with status" : "was killed by signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status),
				  n ? ": " : "", (int)n, n ? se.ptr : "");
		goto done;
	}
	rc = bedrock__process_output_parse(out, so.ptr ? so.ptr : "", so.len, err);
done:
	/* stdout held the secret. */
	if (so.ptr)
		bedrock__wipe(so.ptr, so.len);
	bedrock__buf_dispose(&so);
	bedrock__buf_dispose(&se);
	bedrock__argv_free(argv);
	bedrock_config_free(cfg);
	return rc;
}

static const bedrock_creds_provider_vtable process_vt = {
	BEDROCK_CREDS_PROVIDER_VTABLE_VERSION, "process", process_get, bedrock__profile_provider_destroy
};

int bedrock_creds_provider_new_process(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options)
{
	return bedrock__profile_provider_new(out, &process_vt, options, sizeof(process_impl), NULL);
}
