/* Google access tokens kept on disk between processes (token_cache_dir),
 * against the loopback fake of Google's endpoints: a second provider (as
 * a new process) uses the kept token without calling the token endpoint,
 * and without decoding the key (a file whose key is garbage still works);
 * a token near its expiry, a file with the wrong mode or owner's bits, a
 * symlink, a corrupt file are not used (a debug line says why); nothing
 * is written when the option is off; the file holds the token and its
 * expiry and no other secret; a refused token (invalidate) is removed. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"

static harness_fake fake;
static char cache[256], log_text[16384];

static void on_log(int level, const char *line, void *payload)
{
	(void)payload;
	assert_int_equal(level, BEDROCK_LOG_DEBUG);
	if (strlen(log_text) + strlen(line) + 2 < sizeof(log_text)) {
		strcat(log_text, line);
		strcat(log_text, "\n");
	}
}

static int setup(void **state)
{
	(void)state;
	harness_fake_start_script(&fake, "fake_google.py");
	snprintf(cache, sizeof(cache), "%s/cache/bedrock/google", fake.dir);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	harness_fake_stop(&fake);
	return 0;
}

static int each_setup(void **state)
{
	char cmd[400];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s/cache'", fake.dir);
	assert_int_equal(system(cmd), 0);
	log_text[0] = '\0';
	harness_fake_set_state(&fake, "{}");
	harness_fake_clear_log(&fake);
	return harness_setup(state);
}

/* How many requests the fake received at path. */
static int hits(const char *path)
{
	char *log = harness_fake_log(&fake), *p, needle[128];
	int n = 0;

	snprintf(needle, sizeof(needle), "\"path\": \"%s\"", path);
	for (p = log; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	free(log);
	return n;
}

/* A new provider for the fake's file, as a new process would make. */
static bedrock_google_provider *provider(const char *file, int cached)
{
	bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
	bedrock_google_provider *p = NULL;
	bedrock_error_info err;
	char path[300];

	snprintf(path, sizeof(path), "%s/%s", fake.dir, file);
	o.credentials_file = path;
	o.no_metadata = 1;
	o.token_cache_dir = cached ? cache : NULL;
	o.log = on_log;
	if (bedrock_google_provider_new_default(&p, &o, &err))
		fail_msg("provider: %s", err.message);
	return p;
}

/* The token a new provider gets (free()); NULL with *rc on failure. */
static char *token_of(const char *file, int cached, int *rc)
{
	bedrock_google_provider *p = provider(file, cached);
	bedrock_google_token *t = NULL;
	bedrock_error_info err;
	char *s = NULL;

	*rc = bedrock_google_provider_get(&t, p, NULL, &err);
	if (!*rc)
		s = strdup(bedrock_google_token_access_token(t));
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
	return s;
}

/* The one entry in the cache directory (its path into out); 0 if none. */
static int entry(char *out, size_t cap)
{
	char **list = harness_list_dir(cache);
	int n = 0;
	size_t i;

	for (i = 0; list && list[i]; i++) {
		if (list[i][0] == '.')
			continue;
		/* A SHA-256 in hex, ".json": nothing of the credentials in the name. */
		assert_int_equal(strlen(list[i]), 64 + 5);
		assert_int_equal(strspn(list[i], "0123456789abcdef"), 64);
		snprintf(out, cap, "%s/%s", cache, list[i]);
		n++;
	}
	harness_free_list(list);
	return n;
}

static void put_entry(const char *path, const char *text, mode_t mode)
{
	FILE *f;

	unlink(path);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, mode), 0);
}

static void test_google_disk__kept_and_used(void **state)
{
	char path[400], *t1, *t2, *text;
	struct stat st;
	int rc;

	(void)state;
	t1 = token_of("sa.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(hits("/token"), 1);
	assert_int_equal(entry(path, sizeof(path)), 1);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(stat(cache, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	/* What the file holds: the token and its expiry, nothing else. */
	text = harness_read_file(path, NULL);
	assert_non_null(strstr(text, t1));
	assert_non_null(strstr(text, "\"expiry\""));
	assert_null(strstr(text, "PRIVATE"));
	assert_null(strstr(text, "sa-test@"));
	free(text);

	/* A second process: the same token, no exchange. */
	t2 = token_of("sa.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t1, t2);
	assert_int_equal(hits("/token"), 1);
	assert_non_null(strstr(log_text, "token cache: using"));
	assert_null(strstr(log_text, t1));	/* the log never shows a token */
	free(t1);
	free(t2);
}

/* The same account and token endpoint with a key that is not one: a
 * kept token is used without decoding it; without the cache the key is
 * needed, and refused. */
static void test_google_disk__key_not_decoded(void **state)
{
	char src[300], dst[300], *text, *at, *end, *t1, *t2;
	FILE *f;
	int rc;

	(void)state;
	snprintf(src, sizeof(src), "%s/sa.json", fake.dir);
	snprintf(dst, sizeof(dst), "%s/sa_badkey.json", fake.dir);
	text = harness_read_file(src, NULL);
	at = strstr(text, "\"private_key\": \"");
	assert_non_null(at);
	end = strchr(at + 16, '"');
	assert_non_null(f = fopen(dst, "w"));
	fprintf(f, "%.*s\"private_key\": \"not a key\"%s", (int)(at - text), text, end + 1);
	fclose(f);
	free(text);

	{
		bedrock_google_options o = BEDROCK_GOOGLE_OPTIONS_INIT;
		bedrock_google_provider *p = NULL;
		bedrock_error_info err;

		/* Without the cache a named file is checked whole, key and all. */
		o.credentials_file = dst;
		o.no_metadata = 1;
		assert_int_equal(bedrock_google_provider_new_default(&p, &o, &err), BEDROCK_ECONFIG);
		assert_non_null(strstr(err.message, "not an RSA private key"));
	}
	t1 = token_of("sa.json", 1, &rc);
	assert_int_equal(rc, 0);
	t2 = token_of("sa_badkey.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_string_equal(t1, t2);
	assert_int_equal(hits("/token"), 1);
	free(t1);
	free(t2);
}

static void test_google_disk__not_used(void **state)
{
	char path[400], text[300], *t1, *t2;
	int rc;

	(void)state;
	t1 = token_of("user.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(entry(path, sizeof(path)), 1);
	{
		char *file = harness_read_file(path, NULL);

		/* The refresh token and client secret stay in their own file. */
		assert_null(strstr(file, "user-refresh-token"));
		assert_null(strstr(file, "user-client-secret"));
		free(file);
	}

	/* Less than the margin (225 s) left: a new token. */
	snprintf(text, sizeof(text), "{\"access_token\":\"ya29.nearly-gone\",\"expiry\":%lld}",
		 (long long)time(NULL) + 100);
	put_entry(path, text, 0600);
	t2 = token_of("user.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_string_not_equal(t2, "ya29.nearly-gone");
	assert_int_equal(hits("/token"), 2);
	assert_non_null(strstr(log_text, "expires in"));
	free(t2);

	/* Readable by others: not trusted (and replaced by a good one). */
	snprintf(text, sizeof(text), "{\"access_token\":\"ya29.planted\",\"expiry\":%lld}",
		 (long long)time(NULL) + 3000);
	put_entry(path, text, 0644);
	log_text[0] = '\0';
	t2 = token_of("user.json", 1, &rc);
	assert_string_not_equal(t2, "ya29.planted");
	assert_int_equal(hits("/token"), 3);
	assert_non_null(strstr(log_text, "not a file of this user with mode 0600"));
	free(t2);

	/* A symlink to a good-looking file: not followed. */
	{
		char target[400];

		snprintf(target, sizeof(target), "%s/elsewhere.json", fake.dir);
		put_entry(target, text, 0600);
		unlink(path);
		assert_int_equal(symlink(target, path), 0);
		t2 = token_of("user.json", 1, &rc);
		assert_string_not_equal(t2, "ya29.planted");
		assert_int_equal(hits("/token"), 4);
		free(t2);
	}

	/* Corrupt: ignored, said at debug level. */
	put_entry(path, "{\"access_token\": 12", 0600);
	log_text[0] = '\0';
	t2 = token_of("user.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(hits("/token"), 5);
	assert_non_null(strstr(log_text, "not a cached token"));
	free(t2);
	free(t1);
}

static void test_google_disk__directory_not_ours(void **state)
{
	char path[400], *t;
	int rc;

	(void)state;
	{
		char cmd[700];

		snprintf(cmd, sizeof(cmd), "mkdir -p '%s' && chmod 0777 '%s'", cache, cache);
		assert_int_equal(system(cmd), 0);
	}
	log_text[0] = '\0';
	t = token_of("sa.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_int_equal(entry(path, sizeof(path)), 0);
	assert_non_null(strstr(log_text, "not a directory of this user with mode 0700"));
	free(t);
}

static void test_google_disk__off(void **state)
{
	struct stat st;
	char *t;
	int rc;

	(void)state;
	t = token_of("sa.json", 0, &rc);
	assert_int_equal(rc, 0);
	free(t);
	t = token_of("sa.json", 0, &rc);
	free(t);
	assert_int_equal(hits("/token"), 2);
	assert_int_not_equal(stat(cache, &st), 0);
}

/* 401 from Vertex: the token is dropped from memory and from disk. */
static void test_google_disk__invalidated(void **state)
{
	bedrock_google_provider *p;
	bedrock_google_token *t = NULL;
	bedrock_error_info err;
	char path[400], *t2;
	int rc;

	(void)state;
	p = provider("sa.json", 1);
	assert_int_equal(bedrock_google_provider_get(&t, p, NULL, &err), 0);
	assert_int_equal(entry(path, sizeof(path)), 1);
	bedrock_google_provider_invalidate(p);
	assert_int_equal(entry(path, sizeof(path)), 0);
	t2 = token_of("sa.json", 1, &rc);
	assert_int_equal(rc, 0);
	assert_string_not_equal(t2, bedrock_google_token_access_token(t));
	assert_int_equal(hits("/token"), 2);
	free(t2);
	bedrock_google_token_release(t);
	bedrock_google_provider_release(p);
}

/* Every kind of file is kept under its own name. */
static void test_google_disk__one_file_per_identity(void **state)
{
	static const char *const files[] = { "sa.json", "user.json", "impersonated.json",
					     "external_file.json", "external_user.json" };
	char **list;
	size_t i, n = 0;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		char *t = token_of(files[i], 1, &rc);

		if (rc)
			fail_msg("%s: %d", files[i], rc);
		free(t);
	}
	list = harness_list_dir(cache);
	for (i = 0; list && list[i]; i++)
		n += list[i][0] != '.';
	harness_free_list(list);
	assert_int_equal(n, sizeof(files) / sizeof(files[0]));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_google_disk__kept_and_used, each_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__key_not_decoded, each_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__not_used, each_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__directory_not_ours, each_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__off, each_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__invalidated, each_setup,
						harness_teardown),
		cmocka_unit_test_setup_teardown(test_google_disk__one_file_per_identity, each_setup,
						harness_teardown),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
