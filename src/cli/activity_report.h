/* The reading side of the gateway's activity log (src/gateway/gw_activity.c
 * writes it): one JSON line into a record, and records summed into groups
 * for `bedrock gateway activity`. Pure: no I/O, so the fuzzer drives the
 * same code the command runs. */
#ifndef BEDROCK_ACTIVITY_REPORT_H
#define BEDROCK_ACTIVITY_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

/* One line. Strings are lent from json (NULL when absent). */
typedef struct act_record {
	int64_t time_ms;
	const char *key, *model, *session, *upstream;
	int status;
	int error;			/* status 0 or >= 400, or an error_type */
	uint64_t input_tokens, output_tokens, cache_read_tokens, cache_write_tokens;
	double latency_ms;		/* < 0: absent */
	double ttft_ms;			/* < 0: absent */
	cJSON *json;
} act_record;

/* Parses one line (without its newline). 0, or -1 with why ("not JSON",
 * "no time", "input_tokens is not a count") in why. */
int act_parse_line(act_record *out, const char *line, size_t len, char *why, size_t cap);
void act_record_free(act_record *r);

/* "2026-12-06T04:54:15.123Z" (fraction optional, Z or +hh:mm) to ms. */
int act_parse_time(const char *s, int64_t *out_ms);

typedef enum act_by { ACT_BY_KEY, ACT_BY_MODEL, ACT_BY_SESSION, ACT_BY_UPSTREAM } act_by;

typedef struct act_group {
	char *name;			/* "-" for records without one */
	uint64_t requests, errors;
	uint64_t input_tokens, output_tokens, cache_read_tokens, cache_write_tokens;
	double *latency, *ttft;		/* every value, for the percentiles */
	size_t nlatency, nttft, cap_latency, cap_ttft;
	double p50, p95, ttft_p50;	/* set by act_report_finish; < 0: no value */
} act_group;

typedef struct act_report {
	act_by by;
	act_group *groups;
	size_t ngroups, cap;
	size_t *index;			/* open addressing: group number + 1, 0 empty */
	size_t index_cap;
	act_group total;		/* every record */
} act_report;

void act_report_init(act_report *r, act_by by);
/* 0, or -1 when out of memory. */
int act_report_add(act_report *r, const act_record *rec);
/* Percentiles, and the groups sorted: most requests first, then by name. */
void act_report_finish(act_report *r);
void act_report_free(act_report *r);

/* Nearest-rank percentile (p in 0..1) of v[0..n), sorted in place; -1 if n is 0. */
double act_percentile(double *v, size_t n, double p);

#endif
