/* realpath() */
#define _XOPEN_SOURCE 700
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_client.h"
#include "cli_files.h"

void cli_file_error(const char *verb, const char *path, int errnum)
{
	fprintf(stderr, "bedrock: cannot %s %s: %s\n", verb, path && *path ? path : "''",
		errnum ? strerror(errnum) : "read error or out of memory");
}

/* ---- the body ---- */

int cli_body_load(cli_body *out, const char *arg)
{
	const char *path = NULL;
	struct stat st;
	FILE *f;
	int fd;

	memset(out, 0, sizeof(*out));
	if (!strncmp(arg, "file://", 7))
		path = arg + 7;
	else if (!strncmp(arg, "fileb://", 8))
		path = arg + 8;
	else if (strcmp(arg, "-")) {
		out->data = arg;
		out->len = strlen(arg);
		return 0;
	}
	if (!path) {
		/* Whole or not at all: never send half a body. */
		errno = 0;
		out->heap = cli_read_stream(stdin, 0, &out->len);
		if (!out->heap) {
			cli_file_error("read", "standard input", errno);
			return -1;
		}
		out->data = out->heap;
		return 0;
	}
	fd = open(path, O_RDONLY);
	if (fd < 0 || fstat(fd, &st)) {
		cli_file_error("read", path, errno);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (S_ISDIR(st.st_mode)) {
		close(fd);
		cli_file_error("read", path, EISDIR);
		return -1;
	}
	/* A regular file is mapped, not read: a 200 MB body costs no heap,
	 * and the pages come in as the signer and libcurl read them. (A file
	 * truncated while it is sent would be a bus error; that is the
	 * caller changing the body under us.) */
	if (S_ISREG(st.st_mode) && st.st_size > 0 && (unsigned long long)st.st_size <= SIZE_MAX) {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);

		if (m != MAP_FAILED) {
			close(fd);
			out->map = m;
			out->data = m;
			out->len = (size_t)st.st_size;
			return 0;
		}
	}
	/* A pipe, /dev/stdin, an empty file: read it. */
	f = fdopen(fd, "rb");
	if (!f) {
		cli_file_error("read", path, errno);
		close(fd);
		return -1;
	}
	errno = 0;
	out->heap = cli_read_stream(f, 0, &out->len);
	if (!out->heap)
		cli_file_error("read", path, errno);
	fclose(f);
	out->data = out->heap;
	return out->heap ? 0 : -1;
}

void cli_body_free(cli_body *b)
{
	if (b->map)
		munmap(b->map, b->len);
	free(b->heap);
	memset(b, 0, sizeof(*b));
}

/* ---- the OUTFILE ---- */

/* The temporary file being written, for the signal handler. */
static char *volatile pending_tmp;
static struct sigaction saved[3];
static const int caught[3] = { SIGINT, SIGTERM, SIGHUP };

/* Ctrl-C while a stream is written: the partial file goes, the old one
 * stays, and the process still dies of the signal. */
static void on_signal(int sig)
{
	char *p = pending_tmp;

	if (p)
		unlink(p);
	signal(sig, SIG_DFL);
	raise(sig);
}

static void guard(char *tmp)
{
	struct sigaction sa;
	size_t i;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	pending_tmp = tmp;
	for (i = 0; i < 3; i++)
		sigaction(caught[i], &sa, &saved[i]);
}

static void unguard(void)
{
	size_t i;

	for (i = 0; i < 3; i++)
		sigaction(caught[i], &saved[i], NULL);
	pending_tmp = NULL;
}

/* "DIR/.NAME.XXXXXX" next to target, so the rename stays on one file
 * system. */
static char *temp_name(const char *target)
{
	const char *slash = strrchr(target, '/');
	size_t dir = slash ? (size_t)(slash - target) + 1 : 0;
	char *t = malloc(strlen(target) + 10);

	if (t)
		sprintf(t, "%.*s.%s.XXXXXX", (int)dir, target, target + dir);
	return t;
}

static int fail_open(cli_outfile *o, int errnum)
{
	cli_file_error("write", o->path, errnum);
	free(o->target);
	o->target = NULL;
	return -1;
}

int cli_outfile_open(cli_outfile *o, const char *path)
{
	struct stat st;
	mode_t mode;
	int fd;

	memset(o, 0, sizeof(*o));
	o->path = path;
	if (!path || !strcmp(path, "-")) {
		o->f = stdout;
		return 0;
	}
	if (!*path)
		return fail_open(o, ENOENT);
	if (!stat(path, &st)) {
		if (S_ISDIR(st.st_mode))
			return fail_open(o, EISDIR);
		if (!S_ISREG(st.st_mode)) {
			/* /dev/null, a FIFO, a terminal: nothing to replace. */
			o->f = fopen(path, "wb");
			return o->f ? 0 : fail_open(o, errno);
		}
		/* Refused as fopen() would have refused it, although the
		 * folder would let us replace it. */
		if (access(path, W_OK))
			return fail_open(o, errno);
		mode = st.st_mode & 07777;
		/* Through a symlink, the file it names is replaced. */
		o->target = realpath(path, NULL);
		if (!o->target)
			return fail_open(o, errno);
	} else if (errno == ENOENT) {
		mode_t mask = umask(0);

		umask(mask);
		mode = 0666 & ~mask;
		o->target = strdup(path);
	} else {
		return fail_open(o, errno);
	}
	o->tmp = o->target ? temp_name(o->target) : NULL;
	if (!o->tmp)
		return fail_open(o, ENOMEM);
	fd = mkstemp(o->tmp);
	if (fd < 0) {
		int e = errno;

		free(o->tmp);
		o->tmp = NULL;
		return fail_open(o, e);
	}
	guard(o->tmp);
	/* mkstemp makes it 0600: give it the mode the file would have. */
	if (fchmod(fd, mode) || !(o->f = fdopen(fd, "wb"))) {
		int e = errno;

		close(fd);
		cli_outfile_abort(o);
		cli_file_error("write", path, e);
		return -1;
	}
	return 0;
}

int cli_outfile_commit(cli_outfile *o)
{
	int rc = 0, e = 0;

	if (!o->f)
		return 0;
	if (o->f == stdout) {
		o->f = NULL;
		if (!fflush(stdout))
			return 0;
		cli_file_error("write", "standard output", errno);
		return -1;
	}
	if (fflush(o->f) || ferror(o->f)) {
		e = errno ? errno : EIO;
		rc = -1;
	}
	if (fclose(o->f) && !rc) {
		e = errno;
		rc = -1;
	}
	o->f = NULL;
	if (!rc && o->tmp && rename(o->tmp, o->target)) {
		e = errno;
		rc = -1;
	}
	if (rc) {
		cli_file_error("write", o->path, e);
		cli_outfile_abort(o);
		return -1;
	}
	if (o->tmp)
		unguard();
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
	return 0;
}

void cli_outfile_abort(cli_outfile *o)
{
	if (o->f && o->f != stdout)
		fclose(o->f);
	else if (o->f)
		fflush(stdout);
	o->f = NULL;
	if (o->tmp) {
		unlink(o->tmp);
		unguard();
	}
	free(o->tmp);
	free(o->target);
	o->tmp = o->target = NULL;
}
