#include <dirent.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "harness.h"

/* Each block carries its size in a header so frees can be accounted. */
typedef union {
	size_t size;
	max_align_t align;
} block_header;

static size_t live_allocs, live_bytes, total_allocs, fail_at;

static void *count_malloc(size_t size, void *payload)
{
	block_header *h;

	(void)payload;
	total_allocs++;
	if (fail_at && total_allocs == fail_at)
		return NULL;
	h = malloc(sizeof(*h) + size);
	if (!h)
		return NULL;
	h->size = size;
	live_allocs++;
	live_bytes += size;
	return h + 1;
}

static void count_free(void *ptr, void *payload)
{
	block_header *h;

	(void)payload;
	if (!ptr)
		return;
	h = (block_header *)ptr - 1;
	live_allocs--;
	live_bytes -= h->size;
	free(h);
}

static void *count_realloc(void *ptr, size_t size, void *payload)
{
	block_header *h, *n;

	if (!ptr)
		return count_malloc(size, payload);
	total_allocs++;
	if (fail_at && total_allocs == fail_at)
		return NULL;
	h = (block_header *)ptr - 1;
	live_bytes -= h->size;
	n = realloc(h, sizeof(*n) + size);
	if (!n) {
		live_bytes += h->size;
		return NULL;
	}
	n->size = size;
	live_bytes += size;
	return n + 1;
}

int harness_setup(void **state)
{
	static const bedrock_allocator a = { count_malloc, count_realloc, count_free, NULL };

	(void)state;
	fail_at = 0;
	return bedrock_set_allocator(&a);
}

int harness_teardown(void **state)
{
	(void)state;
	fail_at = 0;
	if (live_allocs != 0) {
		fprintf(stderr, "test leaked memory: %zu bytes in %zu allocations\n",
			live_bytes, live_allocs);
		return -1;
	}
	return 0;
}

size_t harness_live_allocations(void) { return live_allocs; }
size_t harness_live_bytes(void) { return live_bytes; }
size_t harness_allocation_count(void) { return total_allocs; }

void harness_fail_allocation(size_t n)
{
	fail_at = n ? total_allocs + n : 0;
}

const char *harness_vectors(void)
{
	const char *v = getenv("BEDROCK_VECTORS");

	return v ? v : "tests/vectors";
}

char *harness_read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0, cap = 0, r;

	if (!f)
		return NULL;
	for (;;) {
		if (cap - n < 4096) {
			char *p = realloc(buf, cap * 2 + 4096);
			if (!p) {
				free(buf);
				fclose(f);
				return NULL;
			}
			buf = p;
			cap = cap * 2 + 4096;
		}
		r = fread(buf + n, 1, cap - n - 1, f);
		if (r == 0)
			break;
		n += r;
	}
	fclose(f);
	buf[n] = '\0';
	if (len)
		*len = n;
	return buf;
}

char *harness_read_vector(const char *relpath, size_t *len)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", harness_vectors(), relpath);
	return harness_read_file(path, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

char **harness_list_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;
	char **list = NULL;
	size_t n = 0;

	if (!d)
		return NULL;
	while ((e = readdir(d)) != NULL) {
		char **p;

		if (e->d_name[0] == '.')
			continue;
		p = realloc(list, (n + 2) * sizeof(*list));
		if (!p)
			break;
		list = p;
		list[n++] = strdup(e->d_name);
	}
	closedir(d);
	if (!list)
		list = calloc(1, sizeof(*list));
	else
		list[n] = NULL;
	qsort(list, n, sizeof(*list), cmp_str);
	return list;
}

void harness_free_list(char **list)
{
	size_t i;

	if (!list)
		return;
	for (i = 0; list[i]; i++)
		free(list[i]);
	free(list);
}

uint8_t *harness_base64_decode(const char *s, size_t *len)
{
	size_t slen = strlen(s);
	uint8_t *out = malloc(bedrock__base64_decoded_cap(slen));

	if (out && bedrock__base64_decode(out, len, s, slen)) {
		free(out);
		out = NULL;
	}
	return out;
}

void harness_assert_bytes_equal(const void *a, size_t alen, const void *b,
				size_t blen, const char *file, int line)
{
	const unsigned char *x = a, *y = b;
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n && x[i] == y[i]; i++)
		;
	if (i == n && alen == blen)
		return;
	fprintf(stderr, "%s:%d: bytes differ at offset %zu (lengths %zu and %zu)\n",
		file, line, i, alen, blen);
	fprintf(stderr, "  got:      \"%.*s\"\n  expected: \"%.*s\"\n",
		(int)(alen - i > 80 ? 80 : alen - i), x + i,
		(int)(blen - i > 80 ? 80 : blen - i), y + i);
	_fail(file, line);
}

extern char **environ;

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

void harness_fake_start(harness_fake *f)
{
	harness_fake_start_script(f, "fake_aws.py");
}

void harness_fake_start_script(harness_fake *f, const char *name)
{
	const char *fakes = getenv("BEDROCK_FAKES");
	char script[512], line[64];
	int out[2];
	pid_t pid;
	posix_spawn_file_actions_t fa;
	char *argv[8];
	FILE *r;

	memset(f, 0, sizeof(*f));
	snprintf(f->dir, sizeof(f->dir), "/tmp/bedrock-fake-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(f->state, sizeof(f->state), "%s/state.json", f->dir);
	snprintf(f->log, sizeof(f->log), "%s/log.jsonl", f->dir);
	write_text(f->state, "{}");
	write_text(f->log, "");
	snprintf(script, sizeof(script), "%s/%s", fakes ? fakes : "tests/fakes", name);
	assert_int_equal(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	argv[0] = "python3";
	argv[1] = script;
	argv[2] = "--state";
	argv[3] = f->state;
	argv[4] = "--log";
	argv[5] = f->log;
	argv[6] = NULL;
	assert_int_equal(posix_spawnp(&pid, "python3", &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	r = fdopen(out[0], "r");
	assert_non_null(r);
	if (!fgets(line, sizeof(line), r) || sscanf(line, "PORT %d", &f->port) != 1)
		fail_msg("%s did not start", name);
	fclose(r);
	f->pid = (int)pid;
	snprintf(f->url, sizeof(f->url), "http://127.0.0.1:%d", f->port);
}

void harness_fake_set_state(harness_fake *f, const char *json)
{
	char tmp[256];

	/* Write then rename, so the fake never reads half a file. */
	snprintf(tmp, sizeof(tmp), "%s.tmp", f->state);
	write_text(tmp, json);
	assert_int_equal(rename(tmp, f->state), 0);
}

char *harness_fake_log(harness_fake *f)
{
	return harness_read_file(f->log, NULL);
}

void harness_fake_clear_log(harness_fake *f)
{
	write_text(f->log, "");
}

void harness_fake_stop(harness_fake *f)
{
	char cmd[300];

	if (f->pid > 0) {
		kill((pid_t)f->pid, SIGTERM);
		waitpid((pid_t)f->pid, NULL, 0);
		f->pid = 0;
	}
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "could not remove %s\n", f->dir);
}

void harness_emulator_start(harness_emulator *e, const char *const *args)
{
	const char *bin = getenv("BEDROCK_BIN");
	char *argv[32], line[128];
	posix_spawn_file_actions_t fa;
	int out[2], n = 0;
	pid_t pid;
	FILE *r;

	memset(e, 0, sizeof(*e));
	if (!bin)
		fail_msg("BEDROCK_BIN is not set");
	argv[n++] = (char *)bin;
	argv[n++] = "emulate";
	argv[n++] = "--listen";
	argv[n++] = "127.0.0.1:0";
	argv[n++] = "--quiet";
	while (args && *args && n < 31)
		argv[n++] = (char *)*args++;
	argv[n] = NULL;
	assert_int_equal(pipe(out), 0);
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, out[1], 1);
	posix_spawn_file_actions_addclose(&fa, out[0]);
	assert_int_equal(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	close(out[1]);
	r = fdopen(out[0], "r");
	if (!fgets(line, sizeof(line), r) || strncmp(line, "listening on ", 13))
		fail_msg("bedrock emulate did not start");
	fclose(r);
	line[strcspn(line, "\n")] = '\0';
	snprintf(e->url, sizeof(e->url), "%s", line + 13);
	e->pid = (int)pid;
}

void harness_emulator_stop(harness_emulator *e)
{
	int status = 0;

	if (e->pid > 0) {
		kill((pid_t)e->pid, SIGTERM);
		waitpid((pid_t)e->pid, &status, 0);
		e->pid = 0;
		assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	}
}

void harness_emulator_options(bedrock_client_options *o, const harness_emulator *e)
{
	const bedrock_client_options init = BEDROCK_CLIENT_OPTIONS_INIT;

	*o = init;
	o->region = "us-east-1";
	o->endpoint_url = e->url;
	o->access_key_id = "AKIDEXAMPLE";
	o->secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
}
