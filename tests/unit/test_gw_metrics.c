/* The gateway's Prometheus metrics: the exact lines of each family, label
 * escaping, the series cap, counts from several threads, and every line
 * of the text parsed back as the exposition format's grammar has it. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"
#include "gw_metrics.h"
#include "gw_metrics_private.h"

static void has_line(const char *text, const char *line)
{
	const char *p = text;
	size_t n = strlen(line);

	while ((p = strstr(p, line)) != NULL) {
		if ((p == text || p[-1] == '\n') && p[n] == '\n')
			return;
		p += n;
	}
	fail_msg("no line \"%s\" in:\n%s", line, text);
}

static void lacks(const char *text, const char *part)
{
	if (strstr(text, part))
		fail_msg("\"%s\" should not be in:\n%s", part, text);
}

/* name{label="value",...} value, as the text format 0.0.4 has it. */
static int sample_line_ok(const char *s)
{
	const char *p = s;

	if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_' || *p == ':'))
		return 0;
	while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') ||
	       *p == '_' || *p == ':')
		p++;
	if (*p == '{') {
		p++;
		for (;;) {
			if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || *p == '_'))
				return 0;
			while ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
			       (*p >= '0' && *p <= '9') || *p == '_')
				p++;
			if (p[0] != '=' || p[1] != '"')
				return 0;
			for (p += 2; *p != '"'; p++) {
				if (!*p || *p == '\n')
					return 0;
				if (*p == '\\') {
					p++;
					if (*p != '\\' && *p != '"' && *p != 'n')
						return 0;
				}
			}
			p++;
			if (*p == '}')
				break;
			if (*p++ != ',')
				return 0;
		}
		p++;
	}
	if (*p++ != ' ')
		return 0;
	if (!strcmp(p, "+Inf") || !strcmp(p, "-Inf") || !strcmp(p, "NaN"))
		return 1;
	{
		char *end;

		strtod(p, &end);
		return end != p && *end == '\0';
	}
}

static void parses(const char *text)
{
	char *copy = strdup(text), *line, *save = NULL;
	size_t n = 0;

	assert_non_null(copy);
	assert_true(strlen(text) > 0 && text[strlen(text) - 1] == '\n');
	for (line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		if (!strncmp(line, "# HELP ", 7) || !strncmp(line, "# TYPE ", 7))
			continue;
		if (!sample_line_ok(line))
			fail_msg("line %zu is not a sample: \"%s\"", n + 1, line);
	}
	free(copy);
}

static gw_metrics_sample sample(const char *key, const char *model, const char *upstream,
				int status, const char *error, double latency, double ttft)
{
	gw_metrics_sample s;

	memset(&s, 0, sizeof(s));
	s.key = key;
	s.model = model;
	s.upstream = upstream;
	s.front = "bedrock";
	s.status = status;
	s.error_type = error;
	s.latency_s = latency;
	s.ttft_s = ttft;
	s.added_s = 0.00003;
	return s;
}

static void test_gw_metrics__families(void **state)
{
	gw_metrics *m;
	gw_metrics_sample s;
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(gw_metrics_new(&m), 0);
	s = sample("alice", "sonnet", "bedrock/us-east-1", 200, NULL, 0.5, 0.2);
	s.input_tokens = 10;
	s.output_tokens = 20;
	s.cache_read_tokens = 3;
	s.cache_write_tokens = 4;
	gw_metrics_record(m, &s);
	s = sample("alice", "sonnet", "bedrock/us-east-1", 200, NULL, 0.0002, -1);
	s.input_tokens = 5;
	s.hops = 1;
	gw_metrics_record(m, &s);
	s = sample("alice", "sonnet", "bedrock/us-west-2", 429, "ThrottlingException", 0.01, -1);
	s.front = "anthropic";
	gw_metrics_record(m, &s);
	s = sample("", "", "", 401, "missing", 0.00001, -1);
	gw_metrics_record(m, &s);
	gw_metrics_inflight(m, 2);
	gw_metrics_inflight(m, -1);
	gw_metrics_activity_lost(m, 2);
	gw_metrics_activity_lost(m, 3);
	gw_metrics_upstream_health(m, "bedrock/us-east-1", 1);
	gw_metrics_upstream_health(m, "bedrock/us-west-2", 1);
	gw_metrics_upstream_health(m, "bedrock/us-west-2", 0);

	text = gw_metrics_render(m, &len);
	assert_non_null(text);
	assert_int_equal(strlen(text), len);
	parses(text);
	has_line(text, "# TYPE bedrock_gateway_requests_total counter");
	has_line(text, "bedrock_gateway_requests_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\",front=\"bedrock\",status=\"200\"} 2");
	has_line(text, "bedrock_gateway_requests_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-west-2\",front=\"anthropic\",status=\"429\"} 1");
	has_line(text, "bedrock_gateway_requests_total{key=\"\",model=\"\",upstream=\"\","
		 "front=\"bedrock\",status=\"401\"} 1");
	has_line(text, "# TYPE bedrock_gateway_tokens_total counter");
	has_line(text, "bedrock_gateway_tokens_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\",kind=\"input\"} 15");
	has_line(text, "bedrock_gateway_tokens_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\",kind=\"output\"} 20");
	has_line(text, "bedrock_gateway_tokens_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\",kind=\"cache_read\"} 3");
	has_line(text, "bedrock_gateway_tokens_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\",kind=\"cache_write\"} 4");
	has_line(text, "bedrock_gateway_failover_hops_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-east-1\"} 1");
	has_line(text, "# TYPE bedrock_gateway_errors_total counter");
	has_line(text, "bedrock_gateway_errors_total{key=\"alice\",model=\"sonnet\","
		 "upstream=\"bedrock/us-west-2\",type=\"ThrottlingException\"} 1");
	has_line(text, "bedrock_gateway_errors_total{key=\"\",model=\"\",upstream=\"\","
		 "type=\"missing\"} 1");
	/* successes are no errors */
	lacks(text, "bedrock_gateway_errors_total{key=\"alice\",model=\"sonnet\","
	      "upstream=\"bedrock/us-east-1\"");

	has_line(text, "# TYPE bedrock_gateway_request_duration_seconds histogram");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"0.0001\"} 0");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"0.00025\"} 1");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"0.25\"} 1");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"0.5\"} 2");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"600\"} 2");
	has_line(text, "bedrock_gateway_request_duration_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"+Inf\"} 2");
	has_line(text, "bedrock_gateway_request_duration_seconds_sum{upstream=\"bedrock/"
		 "us-east-1\"} 0.5002");
	has_line(text, "bedrock_gateway_request_duration_seconds_count{upstream=\"bedrock/"
		 "us-east-1\"} 2");
	/* the first byte came once on us-east-1, never on us-west-2 */
	has_line(text, "bedrock_gateway_time_to_first_token_seconds_bucket{upstream=\"bedrock/"
		 "us-east-1\",le=\"0.25\"} 1");
	has_line(text, "bedrock_gateway_time_to_first_token_seconds_count{upstream=\"bedrock/"
		 "us-east-1\"} 1");
	lacks(text, "bedrock_gateway_time_to_first_token_seconds_count{upstream=\"bedrock/"
	      "us-west-2\"}");
	has_line(text, "# TYPE bedrock_gateway_added_seconds histogram");
	has_line(text, "bedrock_gateway_added_seconds_bucket{le=\"0.0001\"} 4");
	has_line(text, "bedrock_gateway_added_seconds_count 4");
	has_line(text, "# TYPE bedrock_gateway_streams_in_flight gauge");
	has_line(text, "bedrock_gateway_streams_in_flight 1");
	has_line(text, "# TYPE bedrock_gateway_activity_lines_lost_total counter");
	has_line(text, "bedrock_gateway_activity_lines_lost_total 5");
	has_line(text, "# TYPE bedrock_gateway_upstream_up gauge");
	has_line(text, "bedrock_gateway_upstream_up{upstream=\"bedrock/us-east-1\"} 1");
	has_line(text, "bedrock_gateway_upstream_up{upstream=\"bedrock/us-west-2\"} 0");
	free(text);
	gw_metrics_free(m);
}

static void test_gw_metrics__escaping(void **state)
{
	gw_metrics *m;
	gw_metrics_sample s;
	char *text, longname[400];

	(void)state;
	assert_int_equal(gw_metrics_new(&m), 0);
	s = sample("a\"b\\c\nd", "m", "u", 200, NULL, 1, 1);
	gw_metrics_record(m, &s);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	s = sample(longname, "m", "u", 200, NULL, 1, 1);
	gw_metrics_record(m, &s);
	gw_metrics_record(m, &s);
	text = gw_metrics_render(m, NULL);
	assert_non_null(text);
	parses(text);
	has_line(text, "bedrock_gateway_requests_total{key=\"a\\\"b\\\\c\\nd\",model=\"m\","
		 "upstream=\"u\",front=\"bedrock\",status=\"200\"} 1");
	/* a long label is cut to GW_METRICS_MAX_LABEL, and still one series */
	{
		char want[600];

		snprintf(want, sizeof(want), "bedrock_gateway_requests_total{key=\"%.*s\",model=\"m\","
			 "upstream=\"u\",front=\"bedrock\",status=\"200\"} 2",
			 GW_METRICS_MAX_LABEL, longname);
		has_line(text, want);
	}
	free(text);
	gw_metrics_free(m);
}

static void test_gw_metrics__cap(void **state)
{
	gw_metrics *m;
	gw_metrics_sample s;
	char *text, key[32];
	int i;

	(void)state;
	/* 2 request series, then "other"; the histograms count as series too */
	assert_int_equal(gw_metrics_new_capped(&m, 4), 0);
	for (i = 0; i < 10; i++) {
		snprintf(key, sizeof(key), "key%d", i);
		s = sample(key, "m", "u", 200, NULL, 1, -1);
		s.input_tokens = 1;
		gw_metrics_record(m, &s);
	}
	text = gw_metrics_render(m, NULL);
	assert_non_null(text);
	parses(text);
	/* key0's series, the latency and added histograms: 3 of 4; key1 the 4th */
	has_line(text, "bedrock_gateway_requests_total{key=\"key0\",model=\"m\",upstream=\"u\","
		 "front=\"bedrock\",status=\"200\"} 1");
	has_line(text, "bedrock_gateway_requests_total{key=\"key1\",model=\"m\",upstream=\"u\","
		 "front=\"bedrock\",status=\"200\"} 1");
	lacks(text, "key=\"key2\"");
	has_line(text, "bedrock_gateway_requests_total{key=\"other\",model=\"other\","
		 "upstream=\"other\",front=\"other\",status=\"other\"} 8");
	has_line(text, "bedrock_gateway_tokens_total{key=\"other\",model=\"other\","
		 "upstream=\"other\",kind=\"input\"} 8");
	free(text);
	gw_metrics_free(m);
}

static void *record_many(void *arg)
{
	gw_metrics *m = arg;
	gw_metrics_sample s;
	int i;

	for (i = 0; i < 20000; i++) {
		s = sample(i % 2 ? "alice" : "bob", "m", "u", 200, NULL, 0.001, 0.001);
		s.output_tokens = 2;
		gw_metrics_record(m, &s);
		gw_metrics_inflight(m, 1);
		gw_metrics_inflight(m, -1);
	}
	return NULL;
}

static void test_gw_metrics__threads(void **state)
{
	pthread_t t[4];
	gw_metrics *m;
	char *text;
	int i;

	(void)state;
	assert_int_equal(gw_metrics_new(&m), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&t[i], NULL, record_many, m), 0);
	/* rendering while others record is allowed */
	text = gw_metrics_render(m, NULL);
	assert_non_null(text);
	parses(text);
	free(text);
	for (i = 0; i < 4; i++)
		pthread_join(t[i], NULL);
	text = gw_metrics_render(m, NULL);
	has_line(text, "bedrock_gateway_requests_total{key=\"alice\",model=\"m\",upstream=\"u\","
		 "front=\"bedrock\",status=\"200\"} 40000");
	has_line(text, "bedrock_gateway_requests_total{key=\"bob\",model=\"m\",upstream=\"u\","
		 "front=\"bedrock\",status=\"200\"} 40000");
	has_line(text, "bedrock_gateway_tokens_total{key=\"bob\",model=\"m\",upstream=\"u\","
		 "kind=\"output\"} 80000");
	has_line(text, "bedrock_gateway_request_duration_seconds_count{upstream=\"u\"} 80000");
	has_line(text, "bedrock_gateway_request_duration_seconds_sum{upstream=\"u\"} 80");
	has_line(text, "bedrock_gateway_streams_in_flight 0");
	free(text);
	gw_metrics_free(m);
}

static void test_gw_metrics__empty(void **state)
{
	gw_metrics *m;
	char *text;

	(void)state;
	assert_int_equal(gw_metrics_new(&m), 0);
	text = gw_metrics_render(m, NULL);
	assert_non_null(text);
	parses(text);
	has_line(text, "# TYPE bedrock_gateway_requests_total counter");
	has_line(text, "bedrock_gateway_streams_in_flight 0");
	has_line(text, "bedrock_gateway_activity_lines_lost_total 0");
	lacks(text, "_bucket");
	free(text);
	gw_metrics_free(m);
	gw_metrics_free(NULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_metrics__families),
		cmocka_unit_test(test_gw_metrics__escaping),
		cmocka_unit_test(test_gw_metrics__cap),
		cmocka_unit_test(test_gw_metrics__threads),
		cmocka_unit_test(test_gw_metrics__empty),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
