/* bedrock gateway: `activity` sums up a gateway's activity log; anything
 * else is the server (cmd_gateway_serve). The log's files are read line by
 * line (a year of them need not fit in memory, only the latencies do, for
 * the percentiles); a bad line is counted and named on stderr, never
 * fatal. Names in the table come from files anyone with write access to
 * the directory could edit, so they go through the terminal filter. */
#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>

#include "activity_report.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "term_safe.h"
#include "timeutil.h"

#define SHOWN_BAD_LINES 20

static const char usage[] =
	"usage: bedrock gateway activity --dir DIR [--since WHEN] [--until WHEN]\n"
	"                                [--by key|model|session|upstream] [--json]\n"
	"  Sums up a gateway's activity log (DIR/activity-YYYY-MM-DD.jsonl): per group,\n"
	"  requests, errors, input, output and cache tokens, p50 and p95 latency and\n"
	"  p50 time to first token.\n"
	"  --dir DIR         the gateway's activity_log.dir\n"
	"  --since WHEN      from this time: a duration back from now (90s, 30m, 24h, 7d),\n"
	"                    a date (2026-12-01, UTC) or a time (2026-12-01T08:00:00Z)\n"
	"  --until WHEN      up to this time (a date: to the end of that day)\n"
	"  --by GROUP        key (default), model, session or upstream\n"
	"  --json            the same as JSON: one object per group, then the total\n";

int cmd_gateway(int argc, char **argv)
{
	if (argc >= 2 && !strcmp(argv[1], "activity"))
		return cmd_gateway_activity(argc - 1, argv + 1);
	return cmd_gateway_serve(argc, argv);
}

/* WHEN: a duration back from now, a date or a time, in ms. A date is its
 * first millisecond, or with end set, the first of the next day. */
static int parse_when(const char *s, int end, int64_t now_ms, int64_t *out)
{
	char *unit;
	long long n;
	int y, m, d;
	char tail;

	errno = 0;
	n = strtoll(s, &unit, 10);
	if (unit != s && s[0] >= '0' && s[0] <= '9' && unit[0] && !unit[1] && !errno && n >= 0 &&
	    n < 100000000LL) {
		int64_t mult = unit[0] == 's' ? 1000 : unit[0] == 'm' ? 60000
			     : unit[0] == 'h' ? 3600000 : unit[0] == 'd' ? 86400000 : 0;

		if (!mult)
			return -1;
		*out = now_ms - (int64_t)n * mult;
		return 0;
	}
	if (strlen(s) == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3 && s[4] == '-' &&
	    s[7] == '-' && m >= 1 && m <= 12 && d >= 1 && d <= 31) {
		*out = (bedrock__utc_to_unix(y, m, d, 0, 0, 0) + (end ? 86400 : 0)) * 1000;
		return 0;
	}
	return act_parse_time(s, out);
}

typedef struct day_file {
	char name[32];
	int64_t day;
} day_file;

static int cmp_file(const void *a, const void *b)
{
	return strcmp(((const day_file *)a)->name, ((const day_file *)b)->name);
}

/* The log's files in date order, those wholly outside [since, until)
 * left out. NULL with *n = 0 and errno on failure to read DIR. */
static day_file *list_files(const char *dir, int64_t since, int64_t until, size_t *n)
{
	DIR *dh = opendir(dir);
	struct dirent *de;
	day_file *files = NULL;
	size_t cap = 0;

	*n = 0;
	if (!dh)
		return NULL;
	while ((de = readdir(dh)) != NULL) {
		const char *nm = de->d_name;
		int y, m, d;
		int64_t day;

		if (strlen(nm) != 25 || strncmp(nm, "activity-", 9) || strcmp(nm + 19, ".jsonl") ||
		    sscanf(nm + 9, "%4d-%2d-%2d", &y, &m, &d) != 3 || nm[13] != '-' || nm[16] != '-')
			continue;
		day = bedrock__utc_to_unix(y, m, d, 0, 0, 0) * 1000;
		/* The gateway files a line under its request's arrival day,
		 * so a file holds that day's times only. */
		if (day + 86400000 <= since || day >= until)
			continue;
		if (*n == cap) {
			size_t c = cap ? 2 * cap : 32;
			day_file *p = realloc(files, c * sizeof(*p));

			if (!p)
				break;
			files = p;
			cap = c;
		}
		memcpy(files[*n].name, nm, 26);	/* 25 characters, checked above */
		files[*n].day = day;
		(*n)++;
	}
	closedir(dh);
	if (*n)
		qsort(files, *n, sizeof(*files), cmp_file);
	errno = 0;
	return files;
}

typedef struct reading {
	int64_t since, until;
	act_report *rep;
	unsigned long bad;
	int oom;
} reading;

static void bad_line(reading *rd, const char *path, unsigned long line, const char *why)
{
	rd->bad++;
	if (rd->bad <= SHOWN_BAD_LINES) {
		char *safe = term_safe_dup(path, strlen(path));

		fprintf(stderr, "bedrock gateway activity: %s:%lu: %s (skipped)\n", safe ? safe : "?",
			line, why);
		free(safe);
	}
}

static int read_file(reading *rd, const char *path)
{
	FILE *f = fopen(path, "r");
	char *line = NULL, why[128];
	size_t cap = 0;
	ssize_t len;
	unsigned long no = 0;

	if (!f) {
		char *safe = term_safe_dup(path, strlen(path));

		fprintf(stderr, "bedrock gateway activity: %s: %s\n", safe ? safe : "?", strerror(errno));
		free(safe);
		return 0;	/* one unreadable day does not hide the others */
	}
	while ((len = getline(&line, &cap, f)) >= 0) {
		act_record rec;

		no++;
		while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
			len--;
		if (len == 0)
			continue;
		if (line[len - 1] != '}' && feof(f)) {
			/* A last line cut short (a full disk, a crash mid-write). */
			bad_line(rd, path, no, "incomplete last line");
			continue;
		}
		if (act_parse_line(&rec, line, (size_t)len, why, sizeof(why)) != 0) {
			bad_line(rd, path, no, why);
			continue;
		}
		if (rec.time_ms >= rd->since && rec.time_ms < rd->until &&
		    act_report_add(rd->rep, &rec) != 0)
			rd->oom = 1;
		act_record_free(&rec);
		if (rd->oom)
			break;
	}
	free(line);
	fclose(f);
	return rd->oom ? -1 : 0;
}

static void fmt_ms(char *out, size_t cap, double v)
{
	if (v < 0)
		snprintf(out, cap, "-");
	else
		snprintf(out, cap, "%.1f", v);
}

static void print_table(const act_report *rep, const char *title)
{
	static const char *const heads[] = { "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHE_READ",
					     "CACHE_WRITE", "P50_MS", "P95_MS", "TTFT_P50_MS" };
	size_t i, j, nrows = rep->ngroups + 1;
	char **names = calloc(nrows, sizeof(*names));
	char (*cells)[9][32] = calloc(nrows, sizeof(*cells));
	int w[10];

	if (!names || !cells) {
		free(names);
		free(cells);
		fputs("bedrock gateway activity: out of memory\n", stderr);
		return;
	}
	w[0] = (int)strlen(title);
	for (j = 0; j < 9; j++)
		w[j + 1] = (int)strlen(heads[j]);
	for (i = 0; i < nrows; i++) {
		const act_group *g = i < rep->ngroups ? &rep->groups[i] : &rep->total;
		int cw;

		/* Control characters shown, never acted on; the width counts
		 * bytes, close enough for names that are mostly ASCII. */
		names[i] = i < rep->ngroups ? term_safe_dup(g->name, strlen(g->name)) : strdup("TOTAL");
		snprintf(cells[i][0], 32, "%" PRIu64, g->requests);
		snprintf(cells[i][1], 32, "%" PRIu64, g->errors);
		snprintf(cells[i][2], 32, "%" PRIu64, g->input_tokens);
		snprintf(cells[i][3], 32, "%" PRIu64, g->output_tokens);
		snprintf(cells[i][4], 32, "%" PRIu64, g->cache_read_tokens);
		snprintf(cells[i][5], 32, "%" PRIu64, g->cache_write_tokens);
		fmt_ms(cells[i][6], 32, g->p50);
		fmt_ms(cells[i][7], 32, g->p95);
		fmt_ms(cells[i][8], 32, g->ttft_p50);
		cw = names[i] ? (int)strlen(names[i]) : 1;
		if (cw > w[0])
			w[0] = cw;
		for (j = 0; j < 9; j++)
			if ((int)strlen(cells[i][j]) > w[j + 1])
				w[j + 1] = (int)strlen(cells[i][j]);
	}
	printf("%-*s", w[0], title);
	for (j = 0; j < 9; j++)
		printf("  %*s", w[j + 1], heads[j]);
	putchar('\n');
	for (i = 0; i < nrows; i++) {
		printf("%-*s", w[0], names[i] ? names[i] : "?");
		for (j = 0; j < 9; j++)
			printf("  %*s", w[j + 1], cells[i][j]);
		putchar('\n');
		free(names[i]);
	}
	free(names);
	free(cells);
}

static void add_ms(cJSON *o, const char *name, double v)
{
	if (v < 0)
		cJSON_AddNullToObject(o, name);
	else
		cJSON_AddNumberToObject(o, name, (double)(int64_t)(v * 1000 + 0.5) / 1000);
}

static cJSON *group_json(const act_group *g, const char *by, int total)
{
	cJSON *o = cJSON_CreateObject();

	if (total)
		cJSON_AddTrueToObject(o, "total");
	else
		cJSON_AddStringToObject(o, by, g->name);
	cJSON_AddNumberToObject(o, "requests", (double)g->requests);
	cJSON_AddNumberToObject(o, "errors", (double)g->errors);
	cJSON_AddNumberToObject(o, "input_tokens", (double)g->input_tokens);
	cJSON_AddNumberToObject(o, "output_tokens", (double)g->output_tokens);
	cJSON_AddNumberToObject(o, "cache_read_tokens", (double)g->cache_read_tokens);
	cJSON_AddNumberToObject(o, "cache_write_tokens", (double)g->cache_write_tokens);
	add_ms(o, "latency_p50_ms", g->p50);
	add_ms(o, "latency_p95_ms", g->p95);
	add_ms(o, "ttft_p50_ms", g->ttft_p50);
	return o;
}

static int print_json(const act_report *rep, const char *by, unsigned long bad)
{
	cJSON *root = cJSON_CreateObject(), *groups = cJSON_AddArrayToObject(root, "groups");
	char *text;
	size_t i;

	cJSON_AddStringToObject(root, "by", by);
	for (i = 0; i < rep->ngroups; i++)
		cJSON_AddItemToArray(groups, group_json(&rep->groups[i], by, 0));
	cJSON_AddItemToObject(root, "total", group_json(&rep->total, by, 1));
	cJSON_AddNumberToObject(root, "bad_lines", (double)bad);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	if (!text) {
		fputs("bedrock gateway activity: out of memory\n", stderr);
		return CLI_USAGE;
	}
	puts(text);
	free(text);
	return CLI_OK;
}

int cmd_gateway_activity(int argc, char **argv)
{
	static const char prog[] = "bedrock gateway activity";
	const char *dir = NULL, *since_s = NULL, *until_s = NULL, *by_s = "key";
	int json = 0, i, rc = CLI_OK;
	int64_t now_ms, since = INT64_MIN, until = INT64_MAX;
	struct timespec ts;
	act_report rep;
	act_by by;
	reading rd;
	day_file *files;
	size_t n, k;

	for (i = 1; i < argc; i++) {
		const char *a = argv[i];

		if (!strcmp(a, "--help") || !strcmp(a, "-h")) {
			fputs(usage, stdout);
			return CLI_OK;
		} else if (!strcmp(a, "--dir")) {
			if (!(dir = cli_value(argc, argv, &i, prog)))
				return CLI_USAGE;
		} else if (!strcmp(a, "--since")) {
			if (!(since_s = cli_value(argc, argv, &i, prog)))
				return CLI_USAGE;
		} else if (!strcmp(a, "--until")) {
			if (!(until_s = cli_value(argc, argv, &i, prog)))
				return CLI_USAGE;
		} else if (!strcmp(a, "--by")) {
			if (!(by_s = cli_value(argc, argv, &i, prog)))
				return CLI_USAGE;
		} else if (!strcmp(a, "--json")) {
			json = 1;
		} else if (a[0] == '-') {
			cli_unknown_option(prog, a, usage, NULL);
			fputs(usage, stderr);
			return CLI_USAGE;
		} else {
			fprintf(stderr, "%s: unexpected argument '%s'\n", prog, a);
			fputs(usage, stderr);
			return CLI_USAGE;
		}
	}
	if (!dir) {
		fprintf(stderr, "%s: --dir DIR is required (the gateway's activity_log.dir)\n", prog);
		fputs(usage, stderr);
		return CLI_USAGE;
	}
	if (!strcmp(by_s, "key"))
		by = ACT_BY_KEY;
	else if (!strcmp(by_s, "model"))
		by = ACT_BY_MODEL;
	else if (!strcmp(by_s, "session"))
		by = ACT_BY_SESSION;
	else if (!strcmp(by_s, "upstream"))
		by = ACT_BY_UPSTREAM;
	else {
		fprintf(stderr, "%s: --by takes key, model, session or upstream\n", prog);
		return CLI_USAGE;
	}
	clock_gettime(CLOCK_REALTIME, &ts);
	now_ms = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
	if (since_s && parse_when(since_s, 0, now_ms, &since) != 0) {
		fprintf(stderr, "%s: --since takes a duration (30m, 24h, 7d), a date (2026-12-01) or "
				"a time (2026-12-01T08:00:00Z)\n", prog);
		return CLI_USAGE;
	}
	if (until_s && parse_when(until_s, 1, now_ms, &until) != 0) {
		fprintf(stderr, "%s: --until takes a duration (30m, 24h, 7d), a date (2026-12-01) or "
				"a time (2026-12-01T08:00:00Z)\n", prog);
		return CLI_USAGE;
	}
	files = list_files(dir, since, until, &n);
	if (!files && errno) {
		char *safe = term_safe_dup(dir, strlen(dir));

		fprintf(stderr, "%s: %s: %s\n", prog, safe ? safe : "?", strerror(errno));
		free(safe);
		return CLI_USAGE;
	}
	act_report_init(&rep, by);
	memset(&rd, 0, sizeof(rd));
	rd.since = since;
	rd.until = until;
	rd.rep = &rep;
	for (k = 0; k < n && rc == CLI_OK; k++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", dir, files[k].name);
		if (read_file(&rd, path) != 0) {
			fprintf(stderr, "%s: out of memory\n", prog);
			rc = CLI_USAGE;
		}
	}
	free(files);
	if (rc == CLI_OK) {
		act_report_finish(&rep);
		if (rd.bad)
			fprintf(stderr, "%s: %lu bad line%s skipped\n", prog, rd.bad, rd.bad == 1 ? "" : "s");
		if (json) {
			rc = print_json(&rep, by_s, rd.bad);
		} else {
			char title[16];

			for (i = 0; by_s[i] && i < 15; i++)
				title[i] = (char)(by_s[i] >= 'a' && by_s[i] <= 'z' ? by_s[i] - 32 : by_s[i]);
			title[i] = '\0';
			print_table(&rep, title);
		}
	}
	act_report_free(&rep);
	return rc;
}
