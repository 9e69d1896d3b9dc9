/* The gateway's activity log: the fields and their number formats, the
 * daily file names (UTC), permissions, the retention sweep (old activity
 * files only), bodies only when enabled, whole lines from concurrent
 * writers, and what `bedrock gateway activity` reads back (the same
 * record through act_parse_line). */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "harness.h"
#include "activity_report.h"
#include "gw_activity.h"

/* 2026-01-02T03:04:05.678Z */
#define T0 1767323045678LL

static char tmpdir[128];

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/bedrock-gw-activity-XXXXXX");
	if (!mkdtemp(tmpdir))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	char cmd[256];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* A fresh directory (not yet created) under tmpdir. */
static void fresh(char *out, size_t cap, const char *name)
{
	snprintf(out, cap, "%s/%s", tmpdir, name);
}

static char *read_path(const char *dir, const char *file, size_t *len)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	return harness_read_file(path, len);
}

static gw_activity_record full_record(void)
{
	gw_activity_record r;

	memset(&r, 0, sizeof(r));
	r.time_ms = T0;
	r.id = "req-1";
	r.key = "alice";
	r.user_agent = "claude-cli/2.0.1 (external, cli)";
	r.session_id = "sess-42";
	r.agent_id = "agent-7";
	r.parent_agent_id = "agent-1";
	r.front = "bedrock";
	r.operation = "invoke-stream";
	r.model = "sonnet-4.5";
	r.upstream = "bedrock/us-east-1";
	r.upstream_platform = "bedrock";
	r.upstream_region = "us-east-1";
	r.upstream_model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
	r.status = 200;
	r.input_tokens = 1234;
	r.output_tokens = 56;
	r.cache_read_tokens = 3000000000ULL;	/* past 2^31: still an integer */
	r.cache_write_tokens = 7;
	r.latency_ms = 1234.5678;
	r.ttft_ms = 5;
	r.upstream_ms = 1200.25;
	r.upstream_request_id = "0f1e2d3c";
	r.hops = 1;
	r.note = "retried without beta interleaved-thinking-2025-05-14";
	return r;
}

static void test_gw_activity__fields(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256];
	char *text;
	size_t len;
	cJSON *o;
	struct stat st;
	mode_t old = umask(0);

	(void)state;
	fresh(dir, sizeof(dir), "fields");
	assert_int_equal(gw_activity_open(&a, dir, 30, 0, err, sizeof(err)), 0);
	umask(old);
	assert_int_equal(stat(dir, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(gw_activity_write(a, &r), 0);
	r.ttft_ms = -1;	/* no first byte: left out */
	r.status = 0;
	r.error_type = "ThrottlingException";
	r.session_id = NULL;
	assert_int_equal(gw_activity_write(a, &r), 0);
	assert_int_equal(gw_activity_errors(a), 0);
	gw_activity_free(a);

	{
		char path[512];

		snprintf(path, sizeof(path), "%s/activity-2026-01-02.jsonl", dir);
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_mode & 0777, 0600);
	}
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	/* Two lines, each one JSON object. */
	assert_int_equal(text[len - 1], '\n');
	assert_non_null(strchr(text, '\n'));
	assert_ptr_equal(strchr(strchr(text, '\n') + 1, '\n'), text + len - 1);
	/* Number formats, as written. */
	assert_non_null(strstr(text, "\"time\":\"2026-01-02T03:04:05.678Z\""));
	assert_non_null(strstr(text, "\"input_tokens\":1234,"));
	assert_non_null(strstr(text, "\"cache_read_tokens\":3000000000,"));
	assert_non_null(strstr(text, "\"latency_ms\":1234.568,"));
	assert_non_null(strstr(text, "\"ttft_ms\":5.000,"));
	assert_non_null(strstr(text, "\"upstream_ms\":1200.250,"));
	assert_non_null(strstr(text, "\"status\":200,"));
	*strchr(text, '\n') = '\0';
	o = cJSON_Parse(text);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "key")->valuestring, "alice");
	assert_string_equal(cJSON_GetObjectItem(o, "user_agent")->valuestring,
			    "claude-cli/2.0.1 (external, cli)");
	assert_string_equal(cJSON_GetObjectItem(o, "session_id")->valuestring, "sess-42");
	assert_string_equal(cJSON_GetObjectItem(o, "agent_id")->valuestring, "agent-7");
	assert_string_equal(cJSON_GetObjectItem(o, "parent_agent_id")->valuestring, "agent-1");
	assert_string_equal(cJSON_GetObjectItem(o, "front")->valuestring, "bedrock");
	assert_string_equal(cJSON_GetObjectItem(o, "operation")->valuestring, "invoke-stream");
	assert_string_equal(cJSON_GetObjectItem(o, "model")->valuestring, "sonnet-4.5");
	assert_string_equal(cJSON_GetObjectItem(o, "upstream")->valuestring, "bedrock/us-east-1");
	assert_string_equal(cJSON_GetObjectItem(o, "upstream_platform")->valuestring, "bedrock");
	assert_string_equal(cJSON_GetObjectItem(o, "upstream_region")->valuestring, "us-east-1");
	assert_string_equal(cJSON_GetObjectItem(o, "upstream_model")->valuestring,
			    "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_string_equal(cJSON_GetObjectItem(o, "upstream_request_id")->valuestring, "0f1e2d3c");
	assert_string_equal(cJSON_GetObjectItem(o, "id")->valuestring, "req-1");
	assert_int_equal(cJSON_GetObjectItem(o, "output_tokens")->valueint, 56);
	assert_int_equal(cJSON_GetObjectItem(o, "cache_write_tokens")->valueint, 7);
	assert_int_equal(cJSON_GetObjectItem(o, "hops")->valueint, 1);
	assert_non_null(strstr(cJSON_GetObjectItem(o, "note")->valuestring, "without beta"));
	assert_null(cJSON_GetObjectItem(o, "error_type"));
	assert_null(cJSON_GetObjectItem(o, "request_body"));
	cJSON_Delete(o);
	/* The second line: the failure's fields; no ttft, no session. */
	o = cJSON_Parse(text + strlen(text) + 1);
	assert_non_null(o);
	assert_int_equal(cJSON_GetObjectItem(o, "status")->valueint, 0);
	assert_string_equal(cJSON_GetObjectItem(o, "error_type")->valuestring, "ThrottlingException");
	assert_null(cJSON_GetObjectItem(o, "ttft_ms"));
	assert_null(cJSON_GetObjectItem(o, "session_id"));
	cJSON_Delete(o);
	free(text);
}

/* What the writer writes, the report's reader reads back. */
/* Values that need escaping (quotes, backslashes, control bytes, non-
 * ASCII), and a line far past the in-place buffer: each line is valid
 * JSON holding exactly the values. */
static void test_gw_activity__escaping(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256], *text, *big;
	const char *ua = "evil \"agent\" \\ path\n\r\t\x01\x1f caf\xc3\xa9 \xe2\x82\xac";
	size_t len, n = 20000;
	cJSON *o;

	(void)state;
	big = malloc(n + 1);
	assert_non_null(big);
	for (size_t i = 0; i < n; i++)
		big[i] = i % 97 == 0 ? '"' : i % 89 == 0 ? '\\' : (char)('a' + i % 26);
	big[n] = 0;
	fresh(dir, sizeof(dir), "escaping");
	assert_int_equal(gw_activity_open(&a, dir, 30, 0, err, sizeof(err)), 0);
	r.user_agent = ua;
	assert_int_equal(gw_activity_write(a, &r), 0);
	r.note = big;
	assert_int_equal(gw_activity_write(a, &r), 0);
	gw_activity_free(a);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	assert_int_equal(text[len - 1], '\n');
	*strchr(text, '\n') = '\0';
	o = cJSON_Parse(text);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "user_agent")->valuestring, ua);
	assert_int_equal(cJSON_GetObjectItem(o, "hops")->valueint, 1);
	cJSON_Delete(o);
	o = cJSON_Parse(text + strlen(text) + 1);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "note")->valuestring, big);
	assert_string_equal(cJSON_GetObjectItem(o, "user_agent")->valuestring, ua);
	assert_string_equal(cJSON_GetObjectItem(o, "upstream_request_id")->valuestring, "0f1e2d3c");
	cJSON_Delete(o);
	free(text);
	free(big);
}

static void test_gw_activity__read_back(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	act_record rec;
	char dir[256], err[256], why[128];
	char *text;
	size_t len;

	(void)state;
	fresh(dir, sizeof(dir), "readback");
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	r.status = 529;
	r.error_type = "overloaded_error";
	assert_int_equal(gw_activity_write(a, &r), 0);
	gw_activity_free(a);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	assert_int_equal(act_parse_line(&rec, text, len - 1, why, sizeof(why)), 0);
	assert_int_equal(rec.time_ms, T0);
	assert_string_equal(rec.key, "alice");
	assert_string_equal(rec.model, "sonnet-4.5");
	assert_string_equal(rec.session, "sess-42");
	assert_string_equal(rec.upstream, "bedrock/us-east-1");
	assert_int_equal(rec.status, 529);
	assert_true(rec.error);
	assert_int_equal(rec.input_tokens, 1234);
	assert_int_equal(rec.output_tokens, 56);
	assert_int_equal(rec.cache_read_tokens, 3000000000ULL);
	assert_int_equal(rec.cache_write_tokens, 7);
	assert_true(rec.latency_ms > 1234.567 && rec.latency_ms < 1234.569);
	assert_true(rec.ttft_ms == 5.0);
	act_record_free(&rec);
	free(text);

	/* The reader's refusals. */
	{
		static const char *const bad[] = {
			"", "[]", "{", "{\"status\":200}", "{\"time\":\"yesterday\"}",
			"{\"time\":\"2026-01-02T03:04:05Z\",\"input_tokens\":-1}",
			"{\"time\":\"2026-01-02T03:04:05Z\",\"input_tokens\":1.5}",
			"{\"time\":\"2026-01-02T03:04:05Z\",\"key\":7}",
			"{\"time\":\"2026-01-02T03:04:05Z\",\"status\":1000}",
			"{\"time\":\"2026-01-02T03:04:05Z\",\"latency_ms\":\"fast\"}",
		};
		size_t i;

		for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
			why[0] = '\0';
			assert_int_equal(act_parse_line(&rec, bad[i], strlen(bad[i]), why, sizeof(why)), -1);
			assert_true(why[0]);
			assert_null(rec.json);
		}
	}
}

static void test_gw_activity__bodies(void **state)
{
	static const char body[] = "{\"messages\":[{\"role\":\"user\",\"content\":\"my password is "
				   "hunter2\"}]}";
	static const char answer[] = "Never share \"hunter2\".\n";
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256];
	char *text;
	size_t len;
	cJSON *o;

	(void)state;
	/* Off (the default): neither the prompt nor the answer. */
	fresh(dir, sizeof(dir), "nobodies");
	assert_int_equal(gw_activity_open(&a, dir, 30, 0, err, sizeof(err)), 0);
	r.request_body = body;
	r.request_body_len = sizeof(body) - 1;
	r.response_text = answer;
	r.response_text_len = sizeof(answer) - 1;
	assert_int_equal(gw_activity_write(a, &r), 0);
	gw_activity_free(a);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	assert_null(strstr(text, "hunter2"));
	assert_null(strstr(text, "request_body"));
	free(text);

	/* On: both, as strings. */
	fresh(dir, sizeof(dir), "bodies");
	assert_int_equal(gw_activity_open(&a, dir, 30, 1, err, sizeof(err)), 0);
	assert_int_equal(gw_activity_write(a, &r), 0);
	/* Bytes that are not UTF-8 end the text; the line stays JSON. */
	r.response_text = "ok \xff\xfe then";
	r.response_text_len = 12;
	assert_int_equal(gw_activity_write(a, &r), 0);
	gw_activity_free(a);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	*strchr(text, '\n') = '\0';
	o = cJSON_Parse(text);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "request_body")->valuestring, body);
	assert_string_equal(cJSON_GetObjectItem(o, "response_text")->valuestring, answer);
	cJSON_Delete(o);
	o = cJSON_Parse(text + strlen(text) + 1);
	assert_non_null(o);
	assert_string_equal(cJSON_GetObjectItem(o, "response_text")->valuestring, "ok ");
	assert_true(cJSON_IsTrue(cJSON_GetObjectItem(o, "body_truncated")));
	cJSON_Delete(o);
	free(text);
}

static void touch(const char *dir, const char *name)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_WRONLY | O_CREAT, 0600);
	assert_true(fd >= 0);
	close(fd);
}

static int exists(const char *dir, const char *name)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	return access(path, F_OK) == 0;
}

static void day_file(char *out, size_t cap, int64_t days_ago)
{
	time_t t = time(NULL) - (time_t)(days_ago * 86400);
	struct tm tm;

	gmtime_r(&t, &tm);
	snprintf(out, cap, "activity-%04d-%02d-%02d.jsonl", tm.tm_year + 1900, tm.tm_mon + 1,
		 tm.tm_mday);
}

static void test_gw_activity__retention(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256], d0[64], d10[64], d30[64], d31[64], d400[64];

	(void)state;
	fresh(dir, sizeof(dir), "retention");
	assert_int_equal(mkdir(dir, 0700), 0);
	day_file(d0, sizeof(d0), 0);
	day_file(d10, sizeof(d10), 10);
	day_file(d30, sizeof(d30), 30);
	day_file(d31, sizeof(d31), 31);
	day_file(d400, sizeof(d400), 400);
	touch(dir, d0);
	touch(dir, d10);
	touch(dir, d30);
	touch(dir, d31);
	touch(dir, d400);
	/* Not ours: never touched. */
	touch(dir, "activity-2001-01-01.jsonl.gz");
	touch(dir, "notes.txt");
	touch(dir, "activity-2001-13-01.jsonl");
	assert_int_equal(gw_activity_open(&a, dir, 30, 0, err, sizeof(err)), 0);
	assert_true(exists(dir, d0));
	assert_true(exists(dir, d10));
	assert_true(exists(dir, d30));
	assert_false(exists(dir, d31));
	assert_false(exists(dir, d400));
	assert_true(exists(dir, "activity-2001-01-01.jsonl.gz"));
	assert_true(exists(dir, "notes.txt"));
	assert_true(exists(dir, "activity-2001-13-01.jsonl"));

	/* The first line of a new day sweeps again, from that day. */
	r.time_ms = ((int64_t)time(NULL) + 6 * 86400) * 1000;
	assert_int_equal(gw_activity_write(a, &r), 0);
	assert_false(exists(dir, d30));
	assert_true(exists(dir, d10));
	gw_activity_free(a);

	/* retention_days 0: nothing is removed. */
	touch(dir, d400);
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	assert_true(exists(dir, d400));
	gw_activity_free(a);
}

/* A request that began before midnight and ended after goes to its
 * arrival's day, even once the next day's file is open. */
static void test_gw_activity__late_line(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256];
	char *text;
	size_t len;

	(void)state;
	fresh(dir, sizeof(dir), "late");
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	r.time_ms = T0 + 86400000;
	r.id = "today";
	assert_int_equal(gw_activity_write(a, &r), 0);
	r.time_ms = T0;
	r.id = "yesterday";
	assert_int_equal(gw_activity_write(a, &r), 0);
	r.time_ms = T0 + 86400000 + 1;
	r.id = "today-2";
	assert_int_equal(gw_activity_write(a, &r), 0);
	gw_activity_free(a);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(strstr(text, "\"yesterday\""));
	assert_null(strstr(text, "\"today"));
	free(text);
	text = read_path(dir, "activity-2026-01-03.jsonl", &len);
	assert_non_null(strstr(text, "\"today\""));
	assert_non_null(strstr(text, "\"today-2\""));
	free(text);
}

static void test_gw_activity__bad_dir(void **state)
{
	gw_activity *a = NULL;
	char path[256], err[256] = "";

	(void)state;
	fresh(path, sizeof(path), "plainfile");
	touch(tmpdir, "plainfile");
	assert_int_equal(gw_activity_open(&a, path, 30, 0, err, sizeof(err)), -1);
	assert_null(a);
	assert_non_null(strstr(err, "plainfile"));
	assert_non_null(strstr(err, "not a directory"));
	fresh(path, sizeof(path), "no/such/parent");
	assert_int_equal(gw_activity_open(&a, path, 30, 0, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
}

#define WRITERS 8
#define LINES 400

typedef struct writer_arg {
	gw_activity *a;
	int n;
} writer_arg;

static void *writer(void *p)
{
	writer_arg *w = p;
	gw_activity_record r = full_record();
	char id[32], *body = malloc(6000);
	int i;

	/* Bodies of a few KB: lines longer than a pipe's atomic size. */
	memset(body, 'a' + w->n, 5999);
	body[5999] = '\0';
	r.request_body = body;
	r.request_body_len = 4000 + (size_t)w->n * 200;
	for (i = 0; i < LINES; i++) {
		snprintf(id, sizeof(id), "w%d-%d", w->n, i);
		r.id = id;
		gw_activity_write(w->a, &r);
	}
	free(body);
	return NULL;
}

static void test_gw_activity__concurrent_writers(void **state)
{
	gw_activity *a = NULL, *b = NULL;
	writer_arg args[WRITERS];
	pthread_t th[WRITERS];
	char dir[256], err[256], why[128];
	char *text, *line, *next;
	size_t len;
	int i, lines = 0;

	(void)state;
	fresh(dir, sizeof(dir), "concurrent");
	/* Two handles on one directory stand for two gateway processes. */
	assert_int_equal(gw_activity_open(&a, dir, 30, 1, err, sizeof(err)), 0);
	assert_int_equal(gw_activity_open(&b, dir, 30, 1, err, sizeof(err)), 0);
	/* One of them buffered, flushing every millisecond and when full:
	 * its batches are whole lines too. */
	assert_int_equal(gw_activity_set_flush(b, 1, err, sizeof(err)), 0);
	for (i = 0; i < WRITERS; i++) {
		args[i].a = i % 2 ? b : a;
		args[i].n = i;
		assert_int_equal(pthread_create(&th[i], NULL, writer, &args[i]), 0);
	}
	for (i = 0; i < WRITERS; i++)
		pthread_join(th[i], NULL);
	assert_int_equal(gw_activity_errors(a) + gw_activity_errors(b), 0);
	gw_activity_free(a);
	gw_activity_free(b);
	text = read_path(dir, "activity-2026-01-02.jsonl", &len);
	assert_non_null(text);
	for (line = text; *line; line = next + 1) {
		act_record rec;
		cJSON *o;
		const char *bodyv, *id;

		next = strchr(line, '\n');
		assert_non_null(next);
		*next = '\0';
		assert_int_equal(act_parse_line(&rec, line, (size_t)(next - line), why, sizeof(why)), 0);
		o = rec.json;
		id = cJSON_GetObjectItem(o, "id")->valuestring;
		bodyv = cJSON_GetObjectItem(o, "request_body")->valuestring;
		/* The body is whole and its writer's own. */
		assert_int_equal(strlen(bodyv), 4000 + (size_t)(id[1] - '0') * 200);
		assert_int_equal(bodyv[0], 'a' + (id[1] - '0'));
		assert_int_equal(bodyv[strlen(bodyv) - 1], 'a' + (id[1] - '0'));
		act_record_free(&rec);
		lines++;
	}
	assert_int_equal(lines, WRITERS * LINES);
	free(text);
}

/* Lines in a file: each complete (ends in a newline), counted. */
static int count_lines(const char *dir, const char *file)
{
	size_t len;
	char *text = read_path(dir, file, &len);
	int n = 0;

	if (!text)
		return 0;
	assert_true(len == 0 || text[len - 1] == '\n');
	for (size_t i = 0; i < len; i++)
		n += text[i] == '\n';
	free(text);
	return n;
}

static void test_gw_activity__buffered(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256];
	int n, i;

	(void)state;
	fresh(dir, sizeof(dir), "buffered");
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(gw_activity_set_flush(a, 60000, err, sizeof(err)), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(gw_activity_write(a, &r), 0);
	/* Held (a minute's interval), then written by a flush. */
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 0);
	gw_activity_flush(a);
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 3);

	/* A full buffer is written without waiting: whole lines only. */
	for (i = 0; i < 400; i++)
		assert_int_equal(gw_activity_write(a, &r), 0);
	n = count_lines(dir, "activity-2026-01-02.jsonl");
	assert_true(n > 3 && n < 403);

	/* A new day: yesterday's lines go to yesterday's file first. */
	r.time_ms = T0 + 86400000;
	assert_int_equal(gw_activity_write(a, &r), 0);
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 403);
	assert_int_equal(count_lines(dir, "activity-2026-01-03.jsonl"), 0);
	/* A line that began the day before goes straight to its file. */
	r.time_ms = T0;
	assert_int_equal(gw_activity_write(a, &r), 0);
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 404);
	/* Freeing writes what is held. */
	gw_activity_free(a);
	assert_int_equal(count_lines(dir, "activity-2026-01-03.jsonl"), 1);
}

static void test_gw_activity__flush_interval(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256];
	struct timespec t0, t1;
	double waited;
	int i;

	(void)state;
	fresh(dir, sizeof(dir), "interval");
	assert_int_equal(gw_activity_open(&a, dir, 0, 1, err, sizeof(err)), 0);
	assert_int_equal(gw_activity_set_flush(a, 100, err, sizeof(err)), 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	assert_int_equal(gw_activity_write(a, &r), 0);
	for (i = 0; i < 500 && !count_lines(dir, "activity-2026-01-02.jsonl"); i++)
		nanosleep(&(struct timespec){ 0, 10000000 }, NULL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	waited = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
	/* There by the interval's end, not before it. */
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 1);
	assert_true(waited >= 0.09);

	/* A line longer than the buffer (bodies on) keeps its place. */
	{
		static char big[100000];
		gw_activity_record b = full_record();
		size_t len;
		char *text, *first, *second;

		memset(big, 'x', sizeof(big) - 1);
		b.id = "req-big";
		b.request_body = big;
		b.request_body_len = sizeof(big) - 1;
		r.id = "req-before";
		assert_int_equal(gw_activity_write(a, &r), 0);
		assert_int_equal(gw_activity_write(a, &b), 0);
		text = read_path(dir, "activity-2026-01-02.jsonl", &len);
		assert_non_null(text);
		first = strstr(text, "\"req-before\"");
		second = strstr(text, "\"req-big\"");
		assert_non_null(first);
		assert_non_null(second);
		assert_true(first < second);
		free(text);
	}
	assert_int_equal(gw_activity_errors(a), 0);
	gw_activity_free(a);
	assert_int_equal(count_lines(dir, "activity-2026-01-02.jsonl"), 3);
}

static void count_lost(void *arg, unsigned long n)
{
	*(unsigned long *)arg += n;
}

static void test_gw_activity__lost_lines(void **state)
{
	gw_activity *a = NULL;
	gw_activity_record r = full_record();
	char dir[256], err[256], path[512];
	unsigned long counted = 0;

	(void)state;
	/* A full disk: the day's file is /dev/full. */
	fresh(dir, sizeof(dir), "full");
	assert_int_equal(mkdir(dir, 0700), 0);
	snprintf(path, sizeof(path), "%s/activity-2026-01-02.jsonl", dir);
	assert_int_equal(symlink("/dev/full", path), 0);
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	gw_activity_on_lost(a, count_lost, &counted);
	assert_int_equal(gw_activity_write(a, &r), -1);
	assert_int_equal(gw_activity_write(a, &r), -1);
	assert_int_equal(gw_activity_errors(a), 2);
	assert_int_equal(counted, 2);
	gw_activity_free(a);

	/* Buffered: counted when the batch fails to go out, every line of it. */
	counted = 0;
	assert_int_equal(gw_activity_open(&a, dir, 0, 0, err, sizeof(err)), 0);
	assert_int_equal(gw_activity_set_flush(a, 60000, err, sizeof(err)), 0);
	gw_activity_on_lost(a, count_lost, &counted);
	for (int i = 0; i < 3; i++)
		assert_int_equal(gw_activity_write(a, &r), 0);
	assert_int_equal(counted, 0);
	gw_activity_flush(a);
	assert_int_equal(gw_activity_errors(a), 3);
	assert_int_equal(counted, 3);
	gw_activity_free(a);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_activity__fields),
		cmocka_unit_test(test_gw_activity__escaping),
		cmocka_unit_test(test_gw_activity__read_back),
		cmocka_unit_test(test_gw_activity__bodies),
		cmocka_unit_test(test_gw_activity__retention),
		cmocka_unit_test(test_gw_activity__late_line),
		cmocka_unit_test(test_gw_activity__bad_dir),
		cmocka_unit_test(test_gw_activity__concurrent_writers),
		cmocka_unit_test(test_gw_activity__buffered),
		cmocka_unit_test(test_gw_activity__flush_interval),
		cmocka_unit_test(test_gw_activity__lost_lines),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
