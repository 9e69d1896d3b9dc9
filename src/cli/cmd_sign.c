/* bedrock debug sign --request FILE --context FILE [--query]
 *
 * Signs a raw HTTP request described the way the AWS SigV4 test suite does
 * (request.txt + context.json) and prints every stage as one JSON object,
 * so that each stage can be compared with the suite's files. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "cli_args.h"
#include "cli_client.h"
#include "timeutil.h"
#include "reqfile.h"

#define PROG "bedrock debug sign"
/* Requests and contexts are small; a bound stops a wrong path (a disk
 * image, /dev/zero) from being read into memory. */
#define MAX_FILE (64u * 1024 * 1024)

static char *read_file(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *data;

	*len = 0;
	if (!f) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		return NULL;
	}
	data = cli_read_stream(f, MAX_FILE, len);
	fclose(f);
	if (!data) {
		fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
	} else if (*len > MAX_FILE) {
		fprintf(stderr, PROG ": %s: file is larger than %u bytes\n", path, MAX_FILE);
		free(data);
		data = NULL;
	}
	return data;
}

/* "YYYY-MM-DDTHH:MM:SSZ" to Unix seconds; -1 if malformed. */
static long long parse_timestamp(const char *s)
{
	int y, mo, d, h, mi, sec, n = 0;

	if (!s || sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2dZ%n", &y, &mo, &d, &h, &mi, &sec, &n) != 6 ||
	    n != 20 || s[n] != '\0' || y < 1970 || mo < 1 || mo > 12 || d < 1 || d > 31 ||
	    h > 23 || mi > 59 || sec > 60 || h < 0 || mi < 0 || sec < 0)
		return -1;
	return bedrock__utc_to_unix(y, mo, d, h, mi, sec);
}

struct context {
	cJSON *root;
	bedrock_sigv4_credentials creds;
	bedrock_sigv4_config cfg;
};

static int ctx_fail(const char *path, const char *what)
{
	fprintf(stderr, PROG ": %s: %s\n", path, what);
	return -1;
}

static int get_string(const char **out, const cJSON *obj, const char *key, int required,
		      const char *path, const char *prefix)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char msg[128];

	if (!v || cJSON_IsNull(v)) {
		if (!required)
			return 0;
		snprintf(msg, sizeof(msg), "'%s%s' is missing", prefix, key);
		return ctx_fail(path, msg);
	}
	if (!cJSON_IsString(v)) {
		snprintf(msg, sizeof(msg), "'%s%s' must be a string", prefix, key);
		return ctx_fail(path, msg);
	}
	*out = v->valuestring;
	return 0;
}

static int get_bool(int *out, const cJSON *obj, const char *key, const char *path)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(obj, key);
	char msg[128];

	if (!v)
		return 0;
	if (!cJSON_IsBool(v)) {
		snprintf(msg, sizeof(msg), "'%s' must be true or false", key);
		return ctx_fail(path, msg);
	}
	*out = cJSON_IsTrue(v);
	return 0;
}

static int load_context(struct context *c, const char *path, const char *text)
{
	const cJSON *creds, *exp;
	const char *ts = NULL;
	long long t;

	c->cfg = (bedrock_sigv4_config)BEDROCK_SIGV4_CONFIG_INIT;
	memset(&c->creds, 0, sizeof(c->creds));
	c->root = cJSON_Parse(text);
	if (!c->root)
		return ctx_fail(path, "not valid JSON");
	if (!cJSON_IsObject(c->root))
		return ctx_fail(path, "not a JSON object");
	creds = cJSON_GetObjectItemCaseSensitive(c->root, "credentials");
	if (!cJSON_IsObject(creds))
		return ctx_fail(path, "'credentials' is missing or not an object");
	if (get_string(&c->creds.access_key_id, creds, "access_key_id", 1, path, "credentials.") ||
	    get_string(&c->creds.secret_access_key, creds, "secret_access_key", 1, path, "credentials.") ||
	    get_string(&c->creds.session_token, creds, "token", 0, path, "credentials.") ||
	    get_string(&c->cfg.region, c->root, "region", 1, path, "") ||
	    get_string(&c->cfg.service, c->root, "service", 1, path, "") ||
	    get_string(&ts, c->root, "timestamp", 1, path, "") ||
	    get_bool(&c->cfg.normalize_path, c->root, "normalize", path) ||
	    get_bool(&c->cfg.sign_body, c->root, "sign_body", path) ||
	    get_bool(&c->cfg.omit_session_token, c->root, "omit_session_token", path))
		return -1;
	t = parse_timestamp(ts);
	if (t < 0)
		return ctx_fail(path, "'timestamp' is not YYYY-MM-DDTHH:MM:SSZ");
	c->cfg.signing_time = t;
	exp = cJSON_GetObjectItemCaseSensitive(c->root, "expiration_in_seconds");
	if (exp) {
		if (!cJSON_IsNumber(exp) || exp->valuedouble < 1 || exp->valuedouble > 604800 ||
		    exp->valuedouble != (double)(unsigned int)exp->valuedouble)
			return ctx_fail(path, "'expiration_in_seconds' must be an integer 1..604800");
		c->cfg.expires = (unsigned int)exp->valuedouble;
	}
	return 0;
}

/* JSON string output that copes with any bytes, NUL included. */
static void json_string(FILE *out, const char *s, size_t len)
{
	size_t i;

	fputc('"', out);
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '"' || c == '\\') {
			fputc('\\', out);
			fputc(c, out);
		} else if (c == '\n') {
			fputs("\\n", out);
		} else if (c < 0x20 || c == 0x7f) {
			fprintf(out, "\\u%04x", c);
		} else {
			fputc(c, out);
		}
	}
	fputc('"', out);
}

static void json_field(FILE *out, const char *key, const char *s, size_t len, int first)
{
	if (!first)
		fputc(',', out);
	json_string(out, key, strlen(key));
	fputc(':', out);
	json_string(out, s, len);
}

/* A copy of text with every X-Amz-Security-Token value (a header line's
 * or a query parameter's, any case) shown as ****, as --debug shows it:
 * the token is a secret and the stages carry it once it is signed. */
static char *mask_token(const char *text, size_t len, size_t *out_len)
{
	static const char name[] = "x-amz-security-token";
	const size_t nlen = sizeof(name) - 1;
	/* Each "****" replaces a value after at least nlen + 1 bytes. */
	char *out = malloc(len + 4 * (len / (nlen + 1) + 1) + 1), *w = out;
	size_t i = 0;

	if (!out)
		return NULL;
	while (i < len) {
		if (len - i > nlen && !strncasecmp(text + i, name, nlen) &&
		    (text[i + nlen] == ':' || text[i + nlen] == '=')) {
			const char *stop = text[i + nlen] == ':' ? "\n" : "&\n ";

			memcpy(w, text + i, nlen + 1);
			w += nlen + 1;
			i += nlen + 1;
			{
				size_t v = i;

				while (v < len && !strchr(stop, text[v]))
					v++;
				if (v > i) {
					memcpy(w, "****", 4);
					w += 4;
				}
				i = v;
			}
		} else {
			*w++ = text[i++];
		}
	}
	*w = '\0';
	*out_len = (size_t)(w - out);
	return out;
}

static void json_masked(FILE *out, const char *key, const char *s, size_t len, int first)
{
	size_t n;
	char *m = mask_token(s, len, &n);

	json_field(out, key, m ? m : "", m ? n : 0, first);
	free(m);
}

/* The request as it goes on the wire: the original lines with the
 * signature added, in the suite's *-signed-request.txt layout. */
static char *signed_request(const reqfile *rq, const bedrock_sigv4_result *res,
			    int query_mode, size_t *len)
{
	const bedrock_sigv4_header *h;
	size_t n = bedrock_sigv4_result_headers(&h, res), i;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	if (!f)
		return NULL;
	fprintf(f, "%s %s", rq->method, rq->path);
	if (query_mode)
		fprintf(f, "?%s", bedrock_sigv4_result_query(res));
	else if (rq->query)
		fprintf(f, "?%s", rq->query);
	fprintf(f, " %s\n", rq->version);
	fwrite(rq->raw_headers, 1, rq->raw_headers_len, f);
	if (rq->raw_headers_len && rq->raw_headers[rq->raw_headers_len - 1] != '\n')
		fputc('\n', f);
	for (i = 0; i < n; i++)
		fprintf(f, "%.*s:%.*s\n", (int)h[i].name_len, h[i].name,
			(int)h[i].value_len, h[i].value);
	fputc('\n', f);
	if (rq->body_len)
		fwrite(rq->body, 1, rq->body_len, f);
	if (fclose(f) != 0) {
		free(text);
		return NULL;
	}
	return text;
}

static int usage_to(FILE *f)
{
	fputs("usage: bedrock debug sign --request FILE --context FILE [--query]\n", f);
	return 1;
}

static int usage(void)
{
	return usage_to(stderr);
}

int cmd_debug_sign(int argc, char **argv)
{
	const char *req_path = NULL, *ctx_path = NULL;
	char *req_text = NULL, *ctx_text = NULL, *sreq = NULL;
	size_t req_len = 0, ctx_len = 0, sreq_len = 0;
	int query_mode = 0, status = 1, i, err;
	struct context ctx = { 0 };
	reqfile rq;
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res = NULL;

	memset(&rq, 0, sizeof(rq));
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--query"))
			query_mode = 1;
		else if (!strcmp(argv[i], "--request") || !strcmp(argv[i], "--context")) {
			const char **dst = argv[i][2] == 'r' ? &req_path : &ctx_path;

			if (!(*dst = cli_value(argc, argv, &i, PROG)))
				return 1;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage_to(stdout);
			fputs("  Signs the raw HTTP request in --request with the credentials, region,\n"
			      "  service and time of --context (the AWS SigV4 test suite's request.txt\n"
			      "  and context.json) and prints one JSON line: canonical_request,\n"
			      "  string_to_sign, signature, signed_request and, in header mode,\n"
			      "  authorization. --query signs in the query string instead. The\n"
			      "  session token shows as ****, the secret key not at all.\n", stdout);
			return 0;
		}
		else {
			fprintf(stderr, PROG ": unexpected argument '%s'\n", argv[i]);
			return usage();
		}
	}
	if (!req_path || !ctx_path)
		return usage();

	req_text = read_file(req_path, &req_len);
	if (!req_text)
		goto out;
	ctx_text = read_file(ctx_path, &ctx_len);
	if (!ctx_text)
		goto out;
	if (reqfile_parse(&rq, req_text, req_len)) {
		fprintf(stderr, PROG ": %s: %s\n", req_path, rq.err);
		goto out;
	}
	if (load_context(&ctx, ctx_path, ctx_text))
		goto out;
	ctx.cfg.mode = query_mode ? BEDROCK_SIGV4_MODE_QUERY : BEDROCK_SIGV4_MODE_HEADERS;

	memset(&req, 0, sizeof(req));
	req.method = rq.method;
	req.path = rq.path;
	req.query = rq.query;
	req.headers = rq.headers;
	req.header_count = rq.header_count;
	req.body = rq.body;
	req.body_len = rq.body_len;
	if (bedrock_sigv4_result_new(&res)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	err = bedrock_sigv4_sign(res, NULL, &ctx.cfg, &ctx.creds, &req);
	if (err) {
		/* The message names the field, never the secret or token. */
		fprintf(stderr, PROG ": %s + %s: %s (%s)\n", req_path, ctx_path,
			bedrock_sigv4_result_errmsg(res), bedrock_error_name(err));
		goto out;
	}
	sreq = signed_request(&rq, res, query_mode, &sreq_len);
	if (!sreq) {
		fprintf(stderr, PROG ": out of memory\n");
		goto out;
	}
	{
		const char *cr = bedrock_sigv4_result_canonical_request(res);
		const char *sts = bedrock_sigv4_result_string_to_sign(res);
		const char *sig = bedrock_sigv4_result_signature(res);
		const char *auth = bedrock_sigv4_result_authorization(res);

		fputc('{', stdout);
		json_masked(stdout, "canonical_request", cr, strlen(cr), 1);
		json_field(stdout, "string_to_sign", sts, strlen(sts), 0);
		json_field(stdout, "signature", sig, strlen(sig), 0);
		json_masked(stdout, "signed_request", sreq, sreq_len, 0);
		if (auth)
			json_field(stdout, "authorization", auth, strlen(auth), 0);
		fputs("}\n", stdout);
		if (fflush(stdout) != 0 || ferror(stdout)) {
			fprintf(stderr, PROG ": writing the output failed\n");
			goto out;
		}
	}
	status = 0;
out:
	bedrock_sigv4_result_free(res);
	free(sreq);
	reqfile_dispose(&rq);
	cJSON_Delete(ctx.root);
	free(req_text);
	free(ctx_text);
	return status;
}
