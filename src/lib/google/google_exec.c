/* Executable-sourced workload identity (Google's "pluggable auth"): the
 * subject token is what a program the credentials file names prints.
 * Running a program named in a file is opt-in, as in Google's libraries:
 * GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1, else BEDROCK_ENOTSUP.
 *
 * The spec (google-auth's pluggable.py, the AIP "executable-sourced
 * credentials"): the command split at whitespace and run without a shell,
 * stdin /dev/null, its environment ours plus GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE,
 * _TOKEN_TYPE, _INTERACTIVE=0, _IMPERSONATED_EMAIL and _OUTPUT_FILE;
 * killed after timeout_millis; its stdout (bounded) a JSON answer {version
 * 1, success, token_type, id_token or saml_response, expiration_time} or
 * {success false, code, message}. With output_file, an unexpired answer
 * there is used instead of running the program. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "alloc.h"
#include "buf.h"
#include "crypto.h"
#include "errinfo.h"
#include "google_private.h"
#include "json.h"

#define OUTPUT_MAX (64u << 10)
#define MAX_ARGS 64
#define MAX_VERSION 1

extern char **environ;

static const char *const OURS[] = {
	"GOOGLE_EXTERNAL_ACCOUNT_AUDIENCE=", "GOOGLE_EXTERNAL_ACCOUNT_TOKEN_TYPE=",
	"GOOGLE_EXTERNAL_ACCOUNT_INTERACTIVE=", "GOOGLE_EXTERNAL_ACCOUNT_IMPERSONATED_EMAIL=",
	"GOOGLE_EXTERNAL_ACCOUNT_OUTPUT_FILE=", NULL
};

int bedrock__google_exec_response(char **out, int64_t *expires, const char *data, size_t len,
				  const bedrock__google_file *f, int64_t now, const char *from,
				  const char *what, bedrock_error_info *err)
{
	const cJSON *v, *ok, *exp;
	const char *type, *tok;
	cJSON *j;
	int rc = 0;

	*out = NULL;
	*expires = 0;
	j = bedrock__json_parse_exact(data, len);
	if (!cJSON_IsObject(j)) {
		cJSON_Delete(j);
		return bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s is not a JSON object", what, from);
	}
	v = cJSON_GetObjectItemCaseSensitive(j, "version");
	ok = cJSON_GetObjectItemCaseSensitive(j, "success");
	exp = cJSON_GetObjectItemCaseSensitive(j, "expiration_time");
	if (!cJSON_IsNumber(v) || !cJSON_IsBool(ok)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has no \"version\" or \"success\"",
				  what, from);
	} else if (v->valuedouble > MAX_VERSION || v->valuedouble < 1) {
		rc = bedrock__err(err, BEDROCK_ENOTSUP, "%s: %s is version %g; version %d is "
				  "supported", what, from, v->valuedouble, MAX_VERSION);
	} else if (cJSON_IsFalse(ok)) {
		const char *code = bedrock__json_str(j, "code"), *msg = bedrock__json_str(j, "message");

		rc = bedrock__err(err, BEDROCK_EAUTH, "%s: %s says it failed: code %.60s, message "
				  "%.200s", what, from, code ? code : "(none)", msg ? msg : "(none)");
	} else if (!(type = bedrock__json_str(j, "token_type"))) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has no \"token_type\"", what, from);
	} else if (exp && !cJSON_IsNumber(exp)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has an \"expiration_time\" that "
				  "is not a number", what, from);
	} else if (!exp && f->exec_output_file) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has no \"expiration_time\", which "
				  "an output_file needs", what, from);
	} else if (exp && (int64_t)exp->valuedouble <= now) {
		rc = bedrock__err(err, BEDROCK_EAUTH, "%s: the token from %s has expired", what, from);
	} else {
		if (!strcmp(type, "urn:ietf:params:oauth:token-type:jwt") ||
		    !strcmp(type, "urn:ietf:params:oauth:token-type:id_token"))
			tok = bedrock__json_str(j, "id_token");
		else if (!strcmp(type, "urn:ietf:params:oauth:token-type:saml2"))
			tok = bedrock__json_str(j, "saml_response");
		else
			tok = NULL, rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has an unknown "
						      "token_type", what, from);
		if (!rc && (!tok || !*tok))
			rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: %s has no id_token or "
					  "saml_response for its token_type", what, from);
		if (!rc && !(*out = bedrock__strdup(tok)))
			rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		if (!rc && exp)
			*expires = (int64_t)exp->valuedouble;
	}
	/* The answer holds a credential: wipe it before it is freed. */
	for (v = j->child; v; v = v->next)
		if (v->valuestring)
			bedrock__wipe(v->valuestring, strlen(v->valuestring));
	cJSON_Delete(j);
	return rc;
}

/* output_file: 0 with a token; ENOTFOUND when absent, empty or expired
 * (then the program runs); another error when it holds a bad answer. */
static int from_output_file(char **out, const bedrock__google_file *f, int64_t now,
			    const char *what, bedrock_error_info *err)
{
	bedrock_buf b = BEDROCK_BUF_INIT;
	char chunk[4096];
	int64_t exp;
	size_t n;
	FILE *fp = fopen(f->exec_output_file, "rb");
	int rc;

	if (!fp)
		return BEDROCK_ENOTFOUND;
	while ((n = fread(chunk, 1, sizeof(chunk), fp)) > 0 && b.len <= OUTPUT_MAX)
		bedrock__buf_put(&b, chunk, n);
	fclose(fp);
	bedrock__wipe(chunk, sizeof(chunk));
	if (b.oom || !b.ptr || b.len > OUTPUT_MAX) {
		rc = b.oom ? bedrock__err(err, BEDROCK_ENOMEM, "out of memory") : BEDROCK_ENOTFOUND;
	} else {
		bedrock_error_info e;

		rc = bedrock__google_exec_response(out, &exp, b.ptr, b.len, f, now,
						   f->exec_output_file, what, &e);
		/* An expired (or failed) answer there is the reason to run again. */
		if (rc == BEDROCK_EAUTH)
			rc = BEDROCK_ENOTFOUND;
		else if (rc && err)
			*err = e;
	}
	if (b.ptr)
		bedrock__wipe(b.ptr, b.len);
	bedrock__buf_dispose(&b);
	return rc;
}

typedef struct {
	char *argv[MAX_ARGS + 1];
	char **envp;
	char *words, *vars[5];
} spawn_plan;

static void plan_dispose(spawn_plan *s)
{
	size_t i;

	bedrock__free(s->words);
	for (i = 0; i < 5; i++)
		bedrock__free(s->vars[i]);
	bedrock__free(s->envp);
}

static char *var(const char *prefix, const char *value)
{
	size_t a = strlen(prefix), b = strlen(value);
	char *s = bedrock__malloc(a + b + 1);

	if (s) {
		memcpy(s, prefix, a);
		memcpy(s + a, value, b + 1);
	}
	return s;
}

/* Everything the child needs, made before fork (no allocation after it). */
static int plan(spawn_plan *s, const bedrock__google_file *f)
{
	size_t n = 0, e = 0, i, k;
	char *w, *save = NULL;

	memset(s, 0, sizeof(*s));
	if (!(s->words = bedrock__strdup(f->exec_command)))
		return BEDROCK_ENOMEM;
	for (w = strtok_r(s->words, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == MAX_ARGS)
			return BEDROCK_ELIMIT;
		s->argv[n++] = w;
	}
	s->vars[0] = var(OURS[0], f->audience);
	s->vars[1] = var(OURS[1], f->subject_token_type);
	s->vars[2] = var(OURS[2], "0");
	s->vars[3] = f->impersonated_email ? var(OURS[3], f->impersonated_email) : NULL;
	s->vars[4] = f->exec_output_file ? var(OURS[4], f->exec_output_file) : NULL;
	if (!s->vars[0] || !s->vars[1] || !s->vars[2] || (f->impersonated_email && !s->vars[3]) ||
	    (f->exec_output_file && !s->vars[4]))
		return BEDROCK_ENOMEM;
	while (environ && environ[e])
		e++;
	if (!(s->envp = bedrock__calloc(e + 6, sizeof(char *))))
		return BEDROCK_ENOMEM;
	for (n = 0, i = 0; i < e; i++) {
		for (k = 0; OURS[k] && strncmp(environ[i], OURS[k], strlen(OURS[k])); k++)
			;
		if (!OURS[k])	/* ours replace the caller's */
			s->envp[n++] = environ[i];
	}
	for (i = 0; i < 5; i++)
		if (s->vars[i])
			s->envp[n++] = s->vars[i];
	return 0;
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Runs the plan: stdout into b (at most OUTPUT_MAX + 1 bytes kept), the
 * exit status into *status; -1 with *timed_out when killed at the limit. */
static int run(bedrock_buf *b, int *status, int *timed_out, const spawn_plan *s, long limit_ms)
{
	int64_t deadline = now_ms() + limit_ms;
	int fds[2], open_out = 1;
	pid_t pid;

	*timed_out = 0;
	if (pipe(fds))
		return -1;
	/* Only the child's stdout keeps the write end (no other child
	 * inherits either end). */
	fcntl(fds[0], F_SETFD, FD_CLOEXEC);
	fcntl(fds[1], F_SETFD, FD_CLOEXEC);
	pid = fork();
	if (pid < 0) {
		close(fds[0]);
		close(fds[1]);
		return -1;
	}
	if (pid == 0) {
		int nul = open("/dev/null", O_RDONLY);

		if (nul >= 0)
			dup2(nul, 0);
		dup2(fds[1], 1);
		signal(SIGPIPE, SIG_DFL);
		execve(s->argv[0], s->argv, s->envp);
		_exit(127);
	}
	close(fds[1]);
	for (;;) {
		int64_t left = deadline - now_ms();
		struct pollfd p = { fds[0], POLLIN, 0 };
		char chunk[4096];
		ssize_t n;

		if (left <= 0) {
			*timed_out = 1;
			kill(pid, SIGKILL);
			break;
		}
		if (!open_out) {
			pid_t w = waitpid(pid, status, WNOHANG);

			if (w == pid) {
				close(fds[0]);
				return 0;
			}
			poll(NULL, 0, left < 20 ? (int)left : 20);
			continue;
		}
		if (poll(&p, 1, (int)(left > 1000 ? 1000 : left)) <= 0)
			continue;
		n = read(fds[0], chunk, sizeof(chunk));
		if (n > 0 && b->len <= OUTPUT_MAX)
			bedrock__buf_put(b, chunk, (size_t)n);
		else if (n == 0 || (n < 0 && errno != EINTR && errno != EAGAIN))
			open_out = 0;
		bedrock__wipe(chunk, sizeof(chunk));
	}
	close(fds[0]);
	while (waitpid(pid, status, 0) < 0 && errno == EINTR)
		;
	return -1;
}

int bedrock__google_exec_subject(char **out, const bedrock__google_file *f, int64_t now,
				 const char *what, bedrock_error_info *err)
{
	const char *allow = bedrock__google_env("GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES");
	bedrock_buf b = BEDROCK_BUF_INIT;
	spawn_plan s;
	int64_t exp;
	int rc, status = 0, timed_out = 0;

	*out = NULL;
	if (!allow || strcmp(allow, "1"))
		return bedrock__err(err, BEDROCK_ENOTSUP, "%s: executable-sourced credentials run "
				    "a program, which needs GOOGLE_EXTERNAL_ACCOUNT_ALLOW_EXECUTABLES=1",
				    what);
	if (f->exec_output_file) {
		rc = from_output_file(out, f, now, what, err);
		if (rc != BEDROCK_ENOTFOUND)
			return rc;
	}
	rc = plan(&s, f);
	if (rc) {
		plan_dispose(&s);
		return bedrock__err(err, rc, rc == BEDROCK_ENOMEM ? "out of memory"
				    : "%s: the executable's command has too many arguments", what);
	}
	if (run(&b, &status, &timed_out, &s, f->exec_timeout_ms)) {
		rc = timed_out ? bedrock__err(err, BEDROCK_ETIMEOUT, "%s: the executable %s did not "
					      "finish within %ld ms", what, s.argv[0],
					      f->exec_timeout_ms)
			       : bedrock__err(err, BEDROCK_EIO, "%s: cannot run the executable %s: "
					      "%s", what, s.argv[0], strerror(errno));
	} else if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		rc = bedrock__err(err, BEDROCK_EAUTH, "%s: the executable %s %s %d", what, s.argv[0],
				  WIFEXITED(status) ? "exited with status" : "was killed by signal",
				  WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
	} else if (b.oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	} else if (b.len > OUTPUT_MAX || !b.ptr) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: the executable %s printed %s", what,
				  s.argv[0], b.ptr ? "more than 64 KiB" : "nothing");
	} else {
		char from[300];

		snprintf(from, sizeof(from), "the output of %s", s.argv[0]);
		rc = bedrock__google_exec_response(out, &exp, b.ptr, b.len, f, now, from, what, err);
	}
	if (b.ptr)
		bedrock__wipe(b.ptr, b.len);
	bedrock__buf_dispose(&b);
	plan_dispose(&s);
	return rc;
}
