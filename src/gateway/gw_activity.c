/* The activity log (gw_activity.h). A line is built outside any lock
 * (its strings escaped by cJSON), then written with one write() on the O_APPEND descriptor of
 * the record's UTC day, or, with a flush interval, appended to a buffer
 * that one write() empties when it is full or its oldest line is that old
 * (a write a line was 3 % of the gateway's CPU a request). The lock guards
 * which file is open and the buffer: the day
 * rolls over on the first record of a new day (after the buffer, which
 * holds that file's lines only), which also sweeps files
 * past retention_days. Field names are in docs/gateway.md, "Activity
 * log"; a number is an integer (tokens, status, hops) or milliseconds
 * with exactly three decimals. */
#include <cjson/cJSON.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "gw_activity.h"
#include "timeutil.h"
#include "utf8.h"

struct gw_activity {
	char *dir;
	unsigned retention_days;	/* 0: keep every file */
	int bodies;
	pthread_mutex_t lock;
	int fd;				/* the file of day, or -1 */
	int64_t day;			/* days since 1970-01-01 (UTC) */
	unsigned long errors;		/* lines that could not be written */
	void (*on_lost)(void *arg, unsigned long n);
	void *on_lost_arg;
	/* Buffered lines (flush_ms > 0), all for fd: */
	unsigned flush_ms;
	char *buf;
	size_t len;
	int64_t first_ms;		/* monotonic time of the oldest */
	pthread_cond_t cv;		/* the flusher: a first line, or stop */
	pthread_t flusher;
	int flusher_started, stopping;
};

/* One write() of the buffer: a whole number of lines, so a reader never
 * sees half of one except while the disk is full. */
#define ACT_BUF (64u << 10)

static int64_t day_of_ms(int64_t ms)
{
	return (ms >= 0 ? ms : ms - 86399999) / 86400000;
}

static void day_name(char *out, size_t cap, int64_t day)
{
	int64_t y;
	int m, d;

	bedrock__civil_from_days(day, &y, &m, &d);
	snprintf(out, cap, "activity-%04" PRId64 "-%02d-%02d.jsonl", y, m, d);
}

/* The day of "activity-YYYY-MM-DD.jsonl", or -1 for any other name (the
 * sweep never touches a file it did not name). */
static int parse_day_name(const char *name, int64_t *day)
{
	int y, m, d, i;

	if (strlen(name) != 25 || strncmp(name, "activity-", 9) || strcmp(name + 19, ".jsonl") ||
	    name[13] != '-' || name[16] != '-')
		return -1;
	for (i = 9; i < 19; i++)
		if (i != 13 && i != 16 && (name[i] < '0' || name[i] > '9'))
			return -1;
	y = atoi(name + 9);
	m = atoi(name + 14);
	d = atoi(name + 17);
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return -1;
	*day = bedrock__utc_to_unix(y, m, d, 0, 0, 0) / 86400;
	return 0;
}

/* Removes the files of days before today - retention_days. */
static void sweep(gw_activity *a, int64_t today)
{
	DIR *dir;
	struct dirent *de;

	if (!a->retention_days)
		return;
	dir = opendir(a->dir);
	if (!dir)
		return;
	while ((de = readdir(dir)) != NULL) {
		int64_t day;

		if (parse_day_name(de->d_name, &day) == 0 && day < today - (int64_t)a->retention_days)
			unlinkat(dirfd(dir), de->d_name, 0);
	}
	closedir(dir);
}

static int open_day(gw_activity *a, int64_t day)
{
	char name[64], path[4096];

	day_name(name, sizeof(name), day);
	if ((size_t)snprintf(path, sizeof(path), "%s/%s", a->dir, name) >= sizeof(path)) {
		errno = ENAMETOOLONG;
		return -1;
	}
	return open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
}

int gw_activity_open(gw_activity **out, const char *dir, unsigned retention_days, int bodies,
		     char *err, size_t err_cap)
{
	gw_activity *a;
	struct stat st;
	struct timespec now;

	*out = NULL;
	if (!dir || !dir[0]) {
		snprintf(err, err_cap, "activity_log.dir is empty");
		return -1;
	}
	if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
		snprintf(err, err_cap, "activity_log.dir %s: %s", dir, strerror(errno));
		return -1;
	}
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, err_cap, "activity_log.dir %s: not a directory", dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, err_cap, "activity_log.dir %s: %s", dir, strerror(errno));
		return -1;
	}
	a = calloc(1, sizeof(*a));
	if (!a || !(a->dir = strdup(dir))) {
		free(a);
		snprintf(err, err_cap, "activity log: out of memory");
		return -1;
	}
	a->retention_days = retention_days;
	a->bodies = bodies;
	a->fd = -1;
	a->day = INT64_MIN;
	pthread_mutex_init(&a->lock, NULL);
	clock_gettime(CLOCK_REALTIME, &now);
	sweep(a, (int64_t)now.tv_sec / 86400);
	*out = a;
	return 0;
}

unsigned long gw_activity_errors(gw_activity *a)
{
	unsigned long n;

	pthread_mutex_lock(&a->lock);
	n = a->errors;
	pthread_mutex_unlock(&a->lock);
	return n;
}

static int64_t mono_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Lines that could not be written; the lock is held. */
static void lost(gw_activity *a, unsigned long n)
{
	a->errors += n;
	if (n && a->on_lost)
		a->on_lost(a->on_lost_arg, n);
}

void gw_activity_on_lost(gw_activity *a, void (*fn)(void *arg, unsigned long n), void *arg)
{
	pthread_mutex_lock(&a->lock);
	a->on_lost = fn;
	a->on_lost_arg = arg;
	pthread_mutex_unlock(&a->lock);
}

/* Writes the buffered lines; the lock is held. */
static void flush_locked(gw_activity *a)
{
	size_t off = 0;

	while (off < a->len) {
		ssize_t w = write(a->fd, a->buf + off, a->len - off);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			/* The lines not written in full are lost and counted;
			 * a torn one is left for readers to name. */
			unsigned long n = 0;

			for (size_t i = off; i < a->len; i++)
				n += a->buf[i] == '\n';
			lost(a, n);
			break;
		}
		off += (size_t)w;
	}
	a->len = 0;
}

void gw_activity_flush(gw_activity *a)
{
	pthread_mutex_lock(&a->lock);
	flush_locked(a);
	pthread_mutex_unlock(&a->lock);
}

/* Writes the buffer once its oldest line is flush_ms old (a full buffer
 * is written by the request that fills it). */
static void *flusher(void *arg)
{
	gw_activity *a = arg;

	pthread_mutex_lock(&a->lock);
	while (!a->stopping) {
		struct timespec until;
		int64_t due;

		if (!a->len) {
			pthread_cond_wait(&a->cv, &a->lock);
			continue;
		}
		due = a->first_ms + a->flush_ms;
		if (mono_ms() >= due) {
			flush_locked(a);
			continue;
		}
		until.tv_sec = (time_t)(due / 1000);
		until.tv_nsec = (long)(due % 1000) * 1000000;
		pthread_cond_timedwait(&a->cv, &a->lock, &until);
	}
	flush_locked(a);
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

int gw_activity_set_flush(gw_activity *a, unsigned flush_ms, char *err, size_t err_cap)
{
	pthread_condattr_t ca;

	if (!flush_ms || a->flush_ms)
		return 0;
	if (!(a->buf = malloc(ACT_BUF))) {
		snprintf(err, err_cap, "activity log: out of memory");
		return -1;
	}
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->cv, &ca);
	pthread_condattr_destroy(&ca);
	a->flush_ms = flush_ms;
	if (pthread_create(&a->flusher, NULL, flusher, a)) {
		pthread_cond_destroy(&a->cv);
		free(a->buf);
		a->buf = NULL;
		a->flush_ms = 0;
		snprintf(err, err_cap, "activity log: cannot start its flush thread");
		return -1;
	}
	a->flusher_started = 1;
	return 0;
}

void gw_activity_free(gw_activity *a)
{
	if (!a)
		return;
	if (a->flusher_started) {
		pthread_mutex_lock(&a->lock);
		a->stopping = 1;
		pthread_cond_signal(&a->cv);
		pthread_mutex_unlock(&a->lock);
		pthread_join(a->flusher, NULL);
		pthread_cond_destroy(&a->cv);
	}
	free(a->buf);
	if (a->fd >= 0)
		close(a->fd);
	pthread_mutex_destroy(&a->lock);
	free(a->dir);
	free(a);
}

/* A line being built: in place while it fits, else on the heap. Values
 * are escaped by cJSON (a string node that borrows the text, printed into
 * the line), the names are ours and need none: one record costs no
 * allocation, where a cJSON tree of it cost some fifty. */
typedef struct line {
	char *p;
	size_t len, cap;
	int oom, fields;
	char small[2048];
} line;

static int room(line *l, size_t n)
{
	size_t cap;
	char *p;

	if (l->oom)
		return -1;
	if (l->len + n < l->cap)
		return 0;
	for (cap = l->cap * 2; cap <= l->len + n; cap *= 2)
		;
	p = l->p == l->small ? malloc(cap) : realloc(l->p, cap);
	if (!p) {
		l->oom = 1;
		return -1;
	}
	if (l->p == l->small)
		memcpy(p, l->small, l->len);
	l->p = p;
	l->cap = cap;
	return 0;
}

static void put(line *l, const char *s, size_t n)
{
	if (room(l, n))
		return;
	memcpy(l->p + l->len, s, n);
	l->len += n;
	l->p[l->len] = 0;
}

/* ,"name": */
static void put_name(line *l, const char *name)
{
	if (l->fields++)
		put(l, ",", 1);
	put(l, "\"", 1);
	put(l, name, strlen(name));
	put(l, "\":", 2);
}

/* s (NUL-terminated, UTF-8) as a JSON string. */
static void put_json_string(line *l, const char *s)
{
	cJSON str;
	size_t n = strlen(s);

	memset(&str, 0, sizeof(str));
	str.type = cJSON_String | cJSON_IsReference;
	str.valuestring = (char *)s;
	/* \u00XX is the longest escape: six bytes for one. */
	if (room(l, 6 * n + 3))
		return;
	if (!cJSON_PrintPreallocated(&str, l->p + l->len, (int)(l->cap - l->len), 0)) {
		l->oom = 1;
		return;
	}
	l->len += strlen(l->p + l->len);
}

static void add_str(line *l, const char *name, const char *v)
{
	if (!v)
		return;
	put_name(l, name);
	put_json_string(l, v);
}

/* v in decimal; snprintf's format parsing was a visible share of a line. */
static void put_u64(line *l, uint64_t v)
{
	char tmp[20], out[20];
	size_t n = 0, i;

	do {
		tmp[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	for (i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	put(l, out, n);
}

static void add_u64(line *l, const char *name, uint64_t v)
{
	put_name(l, name);
	put_u64(l, v);
}

/* Milliseconds with three decimals (microseconds), never exponent form. */
static void add_ms(line *l, const char *name, double v)
{
	uint64_t us;
	char frac[4];

	if (!(v >= 0) || v > 1e12)	/* NaN, negative, absurd: left out */
		return;
	us = (uint64_t)(v * 1000.0 + 0.5);	/* v >= 0: rounded to the microsecond */
	frac[0] = '.';
	frac[1] = (char)('0' + us / 100 % 10);
	frac[2] = (char)('0' + us / 10 % 10);
	frac[3] = (char)('0' + us % 10);
	put_name(l, name);
	put_u64(l, us / 1000);
	put(l, frac, 4);
}

/* A body or answer as a JSON string. Bytes that are not UTF-8 (or a NUL)
 * end it: the line must stay valid JSON, and a cut body says so. */
static void add_text(line *l, const char *name, const char *s, size_t len)
{
	size_t ok;
	char *copy;

	if (!s)
		return;
	ok = bedrock__utf8_check(s, len);
	copy = malloc(ok + 1);
	if (!copy) {
		l->oom = 1;
		return;
	}
	memcpy(copy, s, ok);
	copy[ok] = '\0';
	add_str(l, name, copy);
	free(copy);
	if (ok < len) {
		put_name(l, "body_truncated");
		put(l, "true", 4);
	}
}

/* The line for r into l, newline included; 0, or -1 (out of memory). */
static int render(line *l, const gw_activity *a, const gw_activity_record *r)
{
	char when[40];
	int64_t secs = r->time_ms >= 0 ? r->time_ms / 1000 : (r->time_ms - 999) / 1000;
	int ms = (int)(r->time_ms - secs * 1000);

	l->p = l->small;
	l->cap = sizeof(l->small);
	l->len = 0;
	l->oom = l->fields = 0;
	put(l, "{", 1);
	/* 2026-12-06T04:54:15.123Z: ISO 8601, UTC, milliseconds. */
	bedrock__format_iso8601(when, sizeof(when), secs);
	snprintf(when + 19, sizeof(when) - 19, ".%03dZ", ms);
	add_str(l, "time", when);
	add_str(l, "id", r->id);
	add_str(l, "key", r->key);
	add_str(l, "user_agent", r->user_agent);
	add_str(l, "session_id", r->session_id);
	add_str(l, "agent_id", r->agent_id);
	add_str(l, "parent_agent_id", r->parent_agent_id);
	add_str(l, "front", r->front);
	add_str(l, "operation", r->operation);
	add_str(l, "model", r->model);
	add_str(l, "upstream", r->upstream);
	add_str(l, "upstream_platform", r->upstream_platform);
	add_str(l, "upstream_region", r->upstream_region);
	add_str(l, "upstream_model", r->upstream_model);
	add_u64(l, "status", (uint64_t)(r->status < 0 ? 0 : r->status));
	add_str(l, "error_type", r->error_type);
	add_u64(l, "input_tokens", r->input_tokens);
	add_u64(l, "output_tokens", r->output_tokens);
	add_u64(l, "cache_read_tokens", r->cache_read_tokens);
	add_u64(l, "cache_write_tokens", r->cache_write_tokens);
	add_ms(l, "latency_ms", r->latency_ms);
	add_ms(l, "ttft_ms", r->ttft_ms);
	add_ms(l, "upstream_ms", r->upstream_ms);
	add_str(l, "upstream_request_id", r->upstream_request_id);
	add_u64(l, "hops", r->hops);
	add_str(l, "note", r->note);
	if (a->bodies) {
		add_text(l, "request_body", r->request_body, r->request_body_len);
		add_text(l, "response_text", r->response_text, r->response_text_len);
	}
	put(l, "}\n", 2);
	return l->oom ? -1 : 0;
}

static void line_dispose(line *l)
{
	if (l->p != l->small)
		free(l->p);
}

int gw_activity_write(gw_activity *a, const gw_activity_record *r)
{
	line l;
	int64_t day = day_of_ms(r->time_ms);
	int fd, own = 0, rc = -1;
	ssize_t w;

	if (render(&l, a, r)) {
		line_dispose(&l);
		pthread_mutex_lock(&a->lock);
		lost(a, 1);
		pthread_mutex_unlock(&a->lock);
		return -1;
	}
	pthread_mutex_lock(&a->lock);
	if (day > a->day || a->fd < 0) {
		/* A new day (or the first line): its file, then the sweep. */
		int nfd = open_day(a, day);

		if (nfd >= 0) {
			if (a->fd >= 0) {
				flush_locked(a);
				close(a->fd);
			}
			if (day != a->day)
				sweep(a, day);
			a->fd = nfd;
			a->day = day;
		}
		fd = nfd;
	} else if (day < a->day) {
		/* A request that began yesterday and ended after midnight goes
		 * to yesterday's file, opened for this line only. */
		fd = open_day(a, day);
		own = 1;
	} else {
		fd = a->fd;
	}
	if (fd >= 0 && !own && a->buf && l.len <= ACT_BUF) {
		if (a->len + l.len > ACT_BUF)
			flush_locked(a);
		if (!a->len) {
			/* The flusher sleeps until a first line. */
			a->first_ms = mono_ms();
			pthread_cond_signal(&a->cv);
		}
		memcpy(a->buf + a->len, l.p, l.len);
		a->len += l.len;
		rc = 0;
	} else if (fd >= 0) {
		if (!own)
			flush_locked(a);	/* the lines before it first */
		w = write(fd, l.p, l.len);
		rc = w == (ssize_t)l.len ? 0 : -1;
	}
	if (own && fd >= 0)
		close(fd);
	if (rc != 0)
		lost(a, 1);
	pthread_mutex_unlock(&a->lock);
	line_dispose(&l);
	return rc;
}
