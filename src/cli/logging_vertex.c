/* `bedrock logging` on Vertex AI (PLATFORMS.md A8): a Claude model's
 * request-response logging, set with setPublisherModelConfig and read
 * back with fetchPublisherModelConfig, on the client's project and
 * location. The configuration is per model, where Bedrock's invocation
 * logging is per region; so -m picks the model (the CLI's default one
 * otherwise, as `ask` resolves it). */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "buf.h"
#include "cli_client.h"
#include "cli_control.h"
#include "conv.h"
#include "logging_vertex.h"
#include "urlcode.h"
#include "utf8.h"

/* The configuration's field enable and disable change: the others
 * (dataSharingEnabledProvider, ...) stay as they are. */
#define LOGGING_MASK "loggingConfig"

static int lower_digit(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

/* A Google Cloud project id, s[0..n): 6 to 30 lower-case letters, digits
 * and hyphens, a letter first and no hyphen last; a domain-scoped one
 * ("example.com:my-project") has its domain before a colon. */
static int project_ok(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t i;

	if (colon) {
		for (i = 0; s + i < colon; i++)
			if (!lower_digit(s[i]) && s[i] != '.' && s[i] != '-')
				return 0;
		if (colon == s)
			return 0;
		n -= (size_t)(colon + 1 - s);
		s = colon + 1;
	}
	if (n < 6 || n > 30 || s[0] < 'a' || s[0] > 'z' || s[n - 1] == '-')
		return 0;
	for (i = 0; i < n; i++)
		if (!lower_digit(s[i]) && s[i] != '-')
			return 0;
	return 1;
}

int logging_vertex_check_uri(const char *uri, char *why, size_t cap)
{
	const char *p, *colon, *dot, *table;
	size_t n, i;

	if (strncmp(uri, "bq://", 5)) {
		snprintf(why, cap, "a BigQuery URI starts with bq://");
		return -1;
	}
	p = uri + 5;
	/* A domain-scoped project's domain has dots of its own. */
	colon = strchr(p, ':');
	dot = strchr(colon ? colon : p, '.');
	if (!dot || !project_ok(p, (size_t)(dot - p))) {
		snprintf(why, cap, dot ? "PROJECT is a Google Cloud project id: 6 to 30 lower-case "
					 "letters, digits and hyphens, a letter first"
				       : "no DATASET after the project");
		return -1;
	}
	p = dot + 1;
	n = strspn(p, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_");
	if (n == 0 || n > 1024 || (p[n] && p[n] != '.')) {
		snprintf(why, cap, "DATASET is 1 to 1024 letters, digits and underscores");
		return -1;
	}
	if (!p[n])
		return 0;
	table = p + n + 1;
	/* Table names may be Unicode (letters, marks, numbers, connectors,
	 * dashes, spaces): any UTF-8 past ASCII passes, BigQuery has the last
	 * word on it. */
	for (i = 0; table[i]; i++) {
		unsigned char c = (unsigned char)table[i];

		if (!(c >= 0x80 || c == '_' || c == '-' || c == ' ' || lower_digit((char)c) ||
		      (c >= 'A' && c <= 'Z')))
			break;
	}
	if (i == 0 || i > 1024 || table[i] || !bedrock__utf8_valid(table, i)) {
		snprintf(why, cap, table[i] == '.' ? "more than PROJECT.DATASET.TABLE"
				   : "TABLE is 1 to 1024 bytes of UTF-8 letters, digits, "
				     "underscores, hyphens and spaces");
		return -1;
	}
	return 0;
}

/* -1 (said on standard error) unless R is a number with 0 < R <= 1. */
static int sampling_rate(double *out, const char *v)
{
	char *end;
	double d;

	*out = 1;
	if (!v)
		return 0;
	d = strtod(v, &end);
	if (!*v || *end || !isfinite(d) || d <= 0 || d > 1) {
		fprintf(stderr, "bedrock: --sampling-rate is the share of requests logged, a "
			"number above 0 and at most 1 (0.25 logs one in four), not '%.40s'\n", v);
		return -1;
	}
	*out = d;
	return 0;
}

static int check_options(const logging_vertex_args *a)
{
	char why[160];

	if (strcmp(a->action, "enable")) {
		if (a->bigquery || a->sampling_rate) {
			fprintf(stderr, "bedrock: --bigquery and --sampling-rate go with logging enable\n");
			return -1;
		}
		return 0;
	}
	if (!a->bigquery) {
		fprintf(stderr, "bedrock: logging enable on Vertex AI needs a destination: "
			"--bigquery bq://PROJECT.DATASET or bq://PROJECT.DATASET.TABLE\n");
		return -1;
	}
	if (logging_vertex_check_uri(a->bigquery, why, sizeof(why))) {
		fprintf(stderr, "bedrock: --bigquery takes bq://PROJECT.DATASET or "
			"bq://PROJECT.DATASET.TABLE, not '%.200s': %s\n", a->bigquery, why);
		return -1;
	}
	return 0;
}

/* One path segment, percent-encoded but for '@' (claude-sonnet-4-5@20250929),
 * which Vertex's own paths carry as it is. */
static void segment(bedrock_buf *b, const char *s)
{
	const char *at;

	while ((at = strchr(s, '@')) != NULL) {
		bedrock__url_encode_buf(b, s, (size_t)(at - s), 0);
		bedrock__buf_putc(b, '@');
		s = at + 1;
	}
	bedrock__url_encode_buf(b, s, strlen(s), 0);
}

/* The request's body: enabled, with the destination and rate for enable. */
static char *set_body(const logging_vertex_args *a, double rate)
{
	cJSON *root = cJSON_CreateObject(), *cfg = cJSON_AddObjectToObject(root, "publisherModelConfig");
	cJSON *lc = cJSON_AddObjectToObject(cfg, "loggingConfig");
	char *text;

	cJSON_AddBoolToObject(lc, "enabled", a->bigquery != NULL);
	if (a->bigquery) {
		cJSON_AddNumberToObject(lc, "samplingRate", rate);
		cJSON_AddStringToObject(cJSON_AddObjectToObject(lc, "bigqueryDestination"), "outputUri",
					a->bigquery);
	}
	/* Only loggingConfig changes: without the mask Vertex replaces the
	 * whole configuration, and clears what else it holds. */
	cJSON_AddStringToObject(root, "updateMask", LOGGING_MASK);
	text = cJSON_PrintUnformatted(root);
	cJSON_Delete(root);
	return text;
}

/* Prints the answer as one JSON line (Google's is indented). */
static int print_answer(int rc, bedrock_response *r, const bedrock_error_info *err)
{
	cJSON *j = NULL;
	char *text;
	int status = cli_parse_response(&j, rc, r, err);

	if (status)
		return status;
	text = cJSON_PrintUnformatted(j);
	cJSON_Delete(j);
	if (!text) {
		fprintf(stderr, "bedrock: out of memory\n");
		return CLI_USAGE;
	}
	puts(text);
	free(text);
	return CLI_OK;
}

int logging_vertex(const logging_vertex_args *a)
{
	bedrock_buf path = BEDROCK_BUF_INIT;
	bedrock_client *c = NULL;
	bedrock_response *r = NULL;
	bedrock_error_info err;
	char project[256], msg[1024], *body = NULL;
	const char *from;
	conv_model m;
	double rate;
	int rc, status;

	if (check_options(a) || sampling_rate(&rate, a->sampling_rate))
		return CLI_USAGE;
	if ((status = cli_client_open(&c)) != 0)
		return status;
	if (conv_model_resolve_on(&m, a->model, BEDROCK_PLATFORM_VERTEX, bedrock_client_region(c),
				  msg, sizeof(msg))) {
		fprintf(stderr, "bedrock: %s\n", msg);
		status = CLI_USAGE;
		goto done;
	}
	if ((rc = bedrock_client_project(project, sizeof(project), &from, c, &err)) != 0) {
		status = cli_report(rc, &err);
		goto done;
	}
	bedrock__buf_puts(&path, "/v1beta1/projects/");
	segment(&path, project);
	bedrock__buf_puts(&path, "/locations/");
	segment(&path, bedrock_client_region(c));
	bedrock__buf_puts(&path, "/publishers/anthropic/models/");
	segment(&path, m.id);
	bedrock__buf_puts(&path, strcmp(a->action, "show") ? ":setPublisherModelConfig"
							  : ":fetchPublisherModelConfig");
	if (path.oom || (strcmp(a->action, "show") && !(body = set_body(a, rate)))) {
		fprintf(stderr, "bedrock: out of memory\n");
		status = CLI_USAGE;
		goto done;
	}
	rc = body ? bedrock_control_request(&r, c, "POST", path.ptr, body, strlen(body), &err)
		  : bedrock_control_request(&r, c, "GET", path.ptr, NULL, 0, &err);
	status = print_answer(rc, r, &err);
done:
	free(body);
	bedrock__buf_dispose(&path);
	bedrock_client_free(c);
	return status;
}
