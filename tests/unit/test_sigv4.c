/* SigV4: the AWS test suite stage by stage in both modes, then Bedrock
 * cases whose expected values were computed independently (Python's
 * hmac/hashlib from the rules in PROTOCOL.md 6.1) and are hard-coded. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cjson/cJSON.h>

#include "harness.h"
#include "sigv4_private.h"

/* Every case directory of tests/vectors/sigv4/v4. */
static const char *const vector_cases[] = {
	"get-header-key-duplicate", "get-header-value-multiline",
	"get-header-value-order", "get-header-value-trim",
	"get-relative-normalized", "get-relative-relative-normalized",
	"get-relative-relative-unnormalized", "get-relative-unnormalized",
	"get-slash-dot-slash-normalized", "get-slash-dot-slash-unnormalized",
	"get-slash-normalized", "get-slash-pointless-dot-normalized",
	"get-slash-pointless-dot-unnormalized", "get-slash-unnormalized",
	"get-slashes-normalized", "get-slashes-unnormalized",
	"get-space-normalized", "get-space-unnormalized", "get-unreserved",
	"get-utf8", "get-vanilla", "get-vanilla-empty-query-key",
	"get-vanilla-query", "get-vanilla-query-order-encoded",
	"get-vanilla-query-order-key-case", "get-vanilla-query-unreserved",
	"get-vanilla-utf8-query", "get-vanilla-with-session-token",
	"post-header-key-case", "post-header-key-sort", "post-header-value-case",
	"post-sts-header-after", "post-sts-header-before", "post-vanilla",
	"post-vanilla-empty-query-value", "post-vanilla-query",
	"post-x-www-form-urlencoded", "post-x-www-form-urlencoded-parameters",
};
#define NCASES (sizeof(vector_cases) / sizeof(vector_cases[0]))

struct vcase {
	const char *name;
	int query;
};

/* ---- a request.txt reader, kept apart from the CLI's on purpose ---- */

struct rawreq {
	char *method, *path, *query, *version;
	bedrock_sigv4_header headers[16];
	size_t nheaders;
	const char *raw_headers; /* header lines as written */
	size_t raw_headers_len;
	const char *body;
	size_t body_len;
	char store[4096];
};

static void parse_request(struct rawreq *r, const char *text, size_t len)
{
	const char *p = text, *end = text + len, *nl, *sp1, *sp2, *q;
	char *w = r->store;

	memset(r, 0, sizeof(*r));
	nl = memchr(p, '\n', len);
	assert_non_null(nl);
	sp1 = memchr(p, ' ', (size_t)(nl - p));
	for (sp2 = nl - 1; *sp2 != ' '; sp2--)
		;
	assert_true(sp1 && sp2 > sp1);
	q = memchr(sp1, '?', (size_t)(sp2 - sp1));
#define COPY(field, from, to) do { \
		r->field = w; \
		memcpy(w, from, (size_t)((to) - (from))); \
		w += (to) - (from); \
		*w++ = '\0'; \
	} while (0)
	COPY(method, p, sp1);
	COPY(path, sp1 + 1, q ? q : sp2);
	if (q)
		COPY(query, q + 1, sp2);
	COPY(version, sp2 + 1, nl);
#undef COPY
	p = r->raw_headers = nl + 1;
	while (p < end && *p != '\n') {
		const char *eol = memchr(p, '\n', (size_t)(end - p));
		size_t n;

		if (!eol)
			eol = end;
		n = (size_t)(eol - p);
		if (*p == ' ') {
			/* Folded line: one space, then the line as it is. */
			*w++ = ' ';
			memcpy(w, p, n);
			w += n;
			r->headers[r->nheaders - 1].value_len += n + 1;
		} else {
			const char *colon = memchr(p, ':', n);
			bedrock_sigv4_header *h = &r->headers[r->nheaders++];

			assert_non_null(colon);
			memcpy(w, p, n);
			h->name = w;
			h->name_len = (size_t)(colon - p);
			h->value = w + h->name_len + 1;
			h->value_len = n - h->name_len - 1;
			w += n;
		}
		p = eol < end ? eol + 1 : end;
	}
	r->raw_headers_len = (size_t)(p - r->raw_headers);
	if (p < end) {
		r->body = p + 1;
		r->body_len = (size_t)(end - p - 1);
	}
}

static char *vector(const char *name, const char *file, size_t *len)
{
	char rel[512];
	char *s;

	snprintf(rel, sizeof(rel), "sigv4/v4/%s/%s", name, file);
	s = harness_read_vector(rel, len);
	if (!s)
		fail_msg("cannot read %s/%s (set BEDROCK_VECTORS)", harness_vectors(), rel);
	return s;
}

static int json_flag(const cJSON *ctx, const char *key, int def)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(ctx, key);

	return v ? cJSON_IsTrue(v) : def;
}

/* Line n (0-based) of text, copied into out. */
static void nth_line(char *out, size_t size, const char *text, int n)
{
	const char *p = text, *e;

	while (n-- > 0) {
		p = strchr(p, '\n');
		assert_non_null(p);
		p++;
	}
	e = strchr(p, '\n');
	if (!e)
		e = p + strlen(p);
	assert_true((size_t)(e - p) < size);
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\0';
}

/* The request as sent: the suite's *-signed-request.txt layout. */
static char *build_signed_request(const struct rawreq *rq, const bedrock_sigv4_result *res,
				  int query, size_t *len)
{
	const bedrock_sigv4_header *h;
	size_t n = bedrock_sigv4_result_headers(&h, res), i;
	char *text = NULL;
	FILE *f = open_memstream(&text, len);

	assert_non_null(f);
	fprintf(f, "%s %s", rq->method, rq->path);
	if (query)
		fprintf(f, "?%s", bedrock_sigv4_result_query(res));
	else if (rq->query)
		fprintf(f, "?%s", rq->query);
	fprintf(f, " %s\n", rq->version);
	fwrite(rq->raw_headers, 1, rq->raw_headers_len, f);
	for (i = 0; i < n; i++)
		fprintf(f, "%.*s:%.*s\n", (int)h[i].name_len, h[i].name,
			(int)h[i].value_len, h[i].value);
	fputc('\n', f);
	if (rq->body_len)
		fwrite(rq->body, 1, rq->body_len, f);
	fclose(f);
	return text;
}

static void run_vector(void **state)
{
	const struct vcase *vc = *state;
	const char *mode = vc->query ? "query" : "header";
	char fname[64], amz_date[32], scope[128], date8[16];
	char *req_text, *ctx_text, *want_creq, *want_sts, *want_sig, *want_sreq, *sreq;
	size_t req_len, creq_len, sts_len, sig_len, sreq_want_len, sreq_len;
	struct rawreq rq;
	cJSON *ctx, *creds;
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_credentials cr = { NULL, NULL, NULL };
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res;
	bedrock_sigv4_signer *signer;
	bedrock__crypto *crypto;
	bedrock_buf sts = BEDROCK_BUF_INIT;
	uint8_t key[BEDROCK__SHA256_LEN];
	char sig[65];
	const cJSON *tok;

	req_text = vector(vc->name, "request.txt", &req_len);
	ctx_text = vector(vc->name, "context.json", NULL);
	snprintf(fname, sizeof(fname), "%s-canonical-request.txt", mode);
	want_creq = vector(vc->name, fname, &creq_len);
	snprintf(fname, sizeof(fname), "%s-string-to-sign.txt", mode);
	want_sts = vector(vc->name, fname, &sts_len);
	snprintf(fname, sizeof(fname), "%s-signature.txt", mode);
	want_sig = vector(vc->name, fname, &sig_len);
	snprintf(fname, sizeof(fname), "%s-signed-request.txt", mode);
	want_sreq = vector(vc->name, fname, &sreq_want_len);

	parse_request(&rq, req_text, req_len);
	ctx = cJSON_Parse(ctx_text);
	assert_non_null(ctx);
	creds = cJSON_GetObjectItemCaseSensitive(ctx, "credentials");
	cr.access_key_id = cJSON_GetObjectItemCaseSensitive(creds, "access_key_id")->valuestring;
	cr.secret_access_key = cJSON_GetObjectItemCaseSensitive(creds, "secret_access_key")->valuestring;
	tok = cJSON_GetObjectItemCaseSensitive(creds, "token");
	cr.session_token = tok ? tok->valuestring : NULL;
	cfg.region = cJSON_GetObjectItemCaseSensitive(ctx, "region")->valuestring;
	cfg.service = cJSON_GetObjectItemCaseSensitive(ctx, "service")->valuestring;
	assert_string_equal(cJSON_GetObjectItemCaseSensitive(ctx, "timestamp")->valuestring,
			    "2015-08-30T12:36:00Z");
	cfg.signing_time = 1440938160;
	cfg.normalize_path = json_flag(ctx, "normalize", 1);
	cfg.sign_body = json_flag(ctx, "sign_body", 0);
	cfg.omit_session_token = json_flag(ctx, "omit_session_token", 0);
	cfg.expires = (unsigned int)cJSON_GetObjectItemCaseSensitive(ctx, "expiration_in_seconds")->valuedouble;
	cfg.mode = vc->query ? BEDROCK_SIGV4_MODE_QUERY : BEDROCK_SIGV4_MODE_HEADERS;

	memset(&req, 0, sizeof(req));
	req.method = rq.method;
	req.path = rq.path;
	req.query = rq.query;
	req.headers = rq.headers;
	req.header_count = rq.nheaders;
	req.body = rq.body;
	req.body_len = rq.body_len;

	/* The whole pipeline, uncached and then through a signer twice
	 * (miss, then hit): every stage byte for byte. */
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_signer_new(&signer), 0);
	for (int round = 0; round < 3; round++) {
		int err = bedrock_sigv4_sign(res, round ? signer : NULL, &cfg, &cr, &req);

		if (err)
			fail_msg("sign: %s", bedrock_sigv4_result_errmsg(res));
		assert_bytes_equal(bedrock_sigv4_result_canonical_request(res),
				   strlen(bedrock_sigv4_result_canonical_request(res)),
				   want_creq, creq_len);
		assert_bytes_equal(bedrock_sigv4_result_string_to_sign(res),
				   strlen(bedrock_sigv4_result_string_to_sign(res)), want_sts, sts_len);
		assert_bytes_equal(bedrock_sigv4_result_signature(res), 64, want_sig, sig_len);
		sreq = build_signed_request(&rq, res, vc->query, &sreq_len);
		assert_bytes_equal(sreq, sreq_len, want_sreq, sreq_want_len);
		free(sreq);
		if (vc->query)
			assert_null(bedrock_sigv4_result_authorization(res));
		else
			assert_non_null(strstr(want_sreq, bedrock_sigv4_result_authorization(res)));
	}

	/* Stage 2 alone, from the suite's canonical request. */
	nth_line(amz_date, sizeof(amz_date), want_sts, 1);
	nth_line(scope, sizeof(scope), want_sts, 2);
	assert_int_equal(bedrock__crypto_new(&crypto), 0);
	assert_int_equal(bedrock__sigv4_string_to_sign(&sts, crypto, amz_date, scope,
						       want_creq, creq_len), 0);
	assert_bytes_equal(sts.ptr, sts.len, want_sts, sts_len);

	/* Stage 3 alone, from the suite's string to sign. */
	memcpy(date8, scope, 8);
	date8[8] = '\0';
	assert_int_equal(bedrock__sigv4_derive_key(crypto, key, cr.secret_access_key, date8,
						   cfg.region, cfg.service), 0);
	assert_int_equal(bedrock__sigv4_signature(crypto, sig, key, want_sts, sts_len), 0);
	assert_bytes_equal(sig, 64, want_sig, sig_len);

	bedrock__buf_dispose(&sts);
	bedrock__crypto_free(crypto);
	bedrock_sigv4_signer_free(signer);
	bedrock_sigv4_result_free(res);
	cJSON_Delete(ctx);
	free(req_text);
	free(ctx_text);
	free(want_creq);
	free(want_sts);
	free(want_sig);
	free(want_sreq);
}

static void test_sigv4__suite_is_complete(void **state)
{
	char path[4096];
	char **list;
	size_t n = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/sigv4/v4", harness_vectors());
	list = harness_list_dir(path);
	assert_non_null(list);
	while (list[n])
		n++;
	harness_free_list(list);
	assert_int_equal(n, NCASES);
}

/* ---- Bedrock cases ---- */

#define AKID "AKIDEXAMPLE"
#define SECRET "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
#define TOKEN "IQoJb3JpZ2luX2VjEXAMPLE/+token=="
#define T_20251001 1759320000 /* 2025-10-01T12:00:00Z */
#define BODY "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":64," \
	     "\"messages\":[{\"role\":\"user\",\"content\":\"Hello\"}]}"
#define BODY_SHA256 "9329b36c40ffa765265d99a4a0323f8b89dee097170fe4361ffb4832ef37ee8f"
#define ARN_PATH "/model/arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile" \
		 "%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"

#define HDR(n, v) { n, sizeof(n) - 1, v, sizeof(v) - 1 }

static const bedrock_sigv4_header arn_headers[] = {
	HDR("Host", "bedrock-runtime.us-east-1.amazonaws.com"),
	HDR("Content-Type", "application/json"),
	HDR("Accept", "application/json"),
};

static bedrock_sigv4_request arn_request(void)
{
	bedrock_sigv4_request req;

	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = ARN_PATH;
	req.headers = arn_headers;
	req.header_count = 3;
	req.body = BODY;
	req.body_len = strlen(BODY);
	return req;
}

static bedrock_sigv4_config bedrock_sigv4_cfg(const char *region)
{
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;

	cfg.region = region;
	cfg.signing_time = T_20251001;
	return cfg;
}

static const bedrock_sigv4_credentials plain_creds = { AKID, SECRET, NULL };
static const bedrock_sigv4_credentials token_creds = { AKID, SECRET, TOKEN };

#define ARN_CREQ "POST\n" \
	"/model/arn%253Aaws%253Abedrock%253Aus-east-1%253A123456789012%253Ainference-profile" \
	"%252Fus.anthropic.claude-sonnet-4-5-20250929-v1%253A0/invoke\n" \
	"\n" \
	"accept:application/json\n" \
	"content-type:application/json\n" \
	"host:bedrock-runtime.us-east-1.amazonaws.com\n" \
	"x-amz-date:20251001T120000Z\n" \
	"\n" \
	"accept;content-type;host;x-amz-date\n" \
	BODY_SHA256
#define ARN_SIG "a2f376e3ec9d7e0669ce0bee6281d13f3dea98f8d6f9cc50c8de674c87efd3b4"

static void test_sigv4__bedrock_arn_model_path(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *h;

	(void)state;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	/* The path is encoded a second time: %3A -> %253A, %2F -> %252F. */
	assert_string_equal(bedrock_sigv4_result_canonical_request(res), ARN_CREQ);
	assert_string_equal(bedrock_sigv4_result_string_to_sign(res),
			    "AWS4-HMAC-SHA256\n20251001T120000Z\n20251001/us-east-1/bedrock/aws4_request\n"
			    "e7e7e924d337034d99e0ad911ffcf0e23020ee5234bced3dc63470551def9410");
	assert_string_equal(bedrock_sigv4_result_signature(res), ARN_SIG);
	assert_string_equal(bedrock_sigv4_result_authorization(res),
			    "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20251001/us-east-1/bedrock/aws4_request, "
			    "SignedHeaders=accept;content-type;host;x-amz-date, Signature=" ARN_SIG);
	assert_int_equal(bedrock_sigv4_result_headers(&h, res), 2);
	assert_memory_equal(h[0].name, "X-Amz-Date", 10);
	assert_memory_equal(h[0].value, "20251001T120000Z", 16);
	assert_memory_equal(h[1].name, "Authorization", 13);
	assert_int_equal(bedrock_sigv4_result_query_params(&h, res), 0);
	assert_string_equal(bedrock_sigv4_result_query(res), "");
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__bedrock_global_profile_with_token(void **state)
{
	static const bedrock_sigv4_header headers[] = {
		HDR("Host", "bedrock-runtime.us-west-2.amazonaws.com"),
		HDR("Content-Type", "application/json"),
		HDR("X-Amzn-Bedrock-Accept", "*/*"),
		HDR("User-Agent", "libbedrock/0.1.0"),
	};
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-west-2");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *h;
	const char *creq;
	char token[] = TOKEN;
	bedrock_sigv4_credentials cr = { AKID, SECRET, token };

	(void)state;
	req.path = "/model/global.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream";
	req.headers = headers;
	req.header_count = 4;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &cr, &req), 0);
	/* The caller's token is only lent for the call. */
	memset(token, 'X', sizeof(token) - 1);
	creq = bedrock_sigv4_result_canonical_request(res);
	assert_non_null(strstr(creq, "\n/model/global.anthropic.claude-sonnet-4-5-20250929-v1%253A0/"
				     "invoke-with-response-stream\n"));
	assert_non_null(strstr(creq, "\nx-amz-security-token:" TOKEN "\n"));
	assert_null(strstr(creq, "user-agent"));
	assert_string_equal(bedrock_sigv4_result_signed_headers(res),
			    "content-type;host;x-amz-date;x-amz-security-token;x-amzn-bedrock-accept");
	assert_string_equal(bedrock_sigv4_result_signature(res),
			    "fa0c1af95b1d83aa9f740545b16dd76d93afb15e5f078b0dab628946cc26c8bd");
	assert_int_equal(bedrock_sigv4_result_headers(&h, res), 3);
	assert_memory_equal(h[0].name, "X-Amz-Security-Token", 20);
	assert_int_equal(h[0].value_len, strlen(TOKEN));
	assert_memory_equal(h[0].value, TOKEN, strlen(TOKEN));
	assert_memory_equal(h[1].name, "X-Amz-Date", 10);
	assert_memory_equal(h[2].name, "Authorization", 13);
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__bedrock_presigned_token_url(void **state)
{
	/* The short-term API key generator's request (PROTOCOL.md 6.2). */
	static const bedrock_sigv4_header headers[] = { HDR("host", "bedrock.amazonaws.com") };
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-west-2");
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *p;
	const char *q;

	(void)state;
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = "/";
	req.query = "Action=CallWithBearerToken";
	req.headers = headers;
	req.header_count = 1;
	cfg.mode = BEDROCK_SIGV4_MODE_QUERY;
	cfg.expires = 43200;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &token_creds, &req), 0);
	assert_string_equal(bedrock_sigv4_result_canonical_request(res),
			    "POST\n/\nAction=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256"
			    "&X-Amz-Credential=AKIDEXAMPLE%2F20251001%2Fus-west-2%2Fbedrock%2Faws4_request"
			    "&X-Amz-Date=20251001T120000Z&X-Amz-Expires=43200"
			    "&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2Btoken%3D%3D"
			    "&X-Amz-SignedHeaders=host\nhost:bedrock.amazonaws.com\n\nhost\n"
			    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	assert_string_equal(bedrock_sigv4_result_signature(res),
			    "115b3b1921769def9bd1d45780a65dc596ea9c79ae23ae18f0049832802a146d");
	assert_null(bedrock_sigv4_result_authorization(res));
	assert_int_equal(bedrock_sigv4_result_headers(&p, res), 0);
	assert_int_equal(bedrock_sigv4_result_query_params(&p, res), 7);
	assert_memory_equal(p[5].name, "X-Amz-Security-Token", 20);
	assert_memory_equal(p[6].name, "X-Amz-Signature", 15);
	assert_memory_equal(p[6].value, "115b3b19", 8);
	q = bedrock_sigv4_result_query(res);
	assert_true(!strncmp(q, "Action=CallWithBearerToken&X-Amz-Algorithm=AWS4-HMAC-SHA256&", 60));
	assert_non_null(strstr(q, "&X-Amz-Expires=43200&X-Amz-Security-Token=IQoJb3JpZ2luX2VjEXAMPLE%2F%2Btoken%3D%3D"
				  "&X-Amz-Signature=115b3b1921769def9bd1d45780a65dc596ea9c79ae23ae18f0049832802a146d"));
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__cache_hit_same_signature(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_credentials other = { AKID, "another-secret", NULL };
	bedrock_sigv4_signer *signer;
	bedrock_sigv4_result *res;
	char uncached_west[65], uncached_other[65];
	int i;

	(void)state;
	assert_int_equal(bedrock_sigv4_signer_new(&signer), 0);
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	cfg.region = "us-west-2";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	strcpy(uncached_west, bedrock_sigv4_result_signature(res));
	cfg.region = "us-east-1";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &other, &req), 0);
	strcpy(uncached_other, bedrock_sigv4_result_signature(res));
	for (i = 0; i < 3; i++) {
		/* Miss, then hits: always the uncached answer. */
		cfg.region = "us-east-1";
		assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &plain_creds, &req), 0);
		assert_string_equal(bedrock_sigv4_result_signature(res), ARN_SIG);
		/* Same date and region, other secret: never the cached key. */
		assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &other, &req), 0);
		assert_string_equal(bedrock_sigv4_result_signature(res), uncached_other);
		cfg.region = "us-west-2";
		assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &plain_creds, &req), 0);
		assert_string_equal(bedrock_sigv4_result_signature(res), uncached_west);
	}
	/* A new day needs a new key. */
	cfg.region = "us-east-1";
	cfg.signing_time += 86400;
	assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &plain_creds, &req), 0);
	assert_string_not_equal(bedrock_sigv4_result_signature(res), ARN_SIG);
	bedrock_sigv4_result_free(res);
	bedrock_sigv4_signer_free(signer);
}

static void expect_refused(bedrock_sigv4_result *res, const bedrock_sigv4_config *cfg,
			   const bedrock_sigv4_credentials *cr, const bedrock_sigv4_request *req,
			   int code, const char *mention)
{
	const char *msg;

	assert_int_equal(bedrock_sigv4_sign(res, NULL, cfg, cr, req), code);
	msg = bedrock_sigv4_result_errmsg(res);
	assert_true(msg[0] != '\0');
	if (mention && !strstr(msg, mention))
		fail_msg("errmsg '%s' does not mention '%s'", msg, mention);
	assert_null(strstr(msg, SECRET));
	assert_null(strstr(msg, "SECRETTOKEN"));
	/* No half-built stage is left behind. */
	assert_string_equal(bedrock_sigv4_result_canonical_request(res), "");
	assert_string_equal(bedrock_sigv4_result_signature(res), "");
	assert_null(bedrock_sigv4_result_authorization(res));
}

static void test_sigv4__crlf_refused(void **state)
{
	bedrock_sigv4_header headers[3] = {
		HDR("Host", "bedrock-runtime.us-east-1.amazonaws.com"),
		HDR("Content-Type", "application/json"),
		HDR("X-Amzn-Bedrock-Trace", "ENABLED\r\nX-Injected: 1"),
	};
	bedrock_sigv4_credentials cr = { AKID, SECRET, "SECRETTOKEN\nX-Injected: 1" };
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;

	(void)state;
	req.headers = headers;
	req.header_count = 3;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "X-Amzn-Bedrock-Trace");
	headers[2] = (bedrock_sigv4_header)HDR("X-Amzn-Bedrock-Trace", "ENABLED\n");
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "CR, LF");
	headers[2] = (bedrock_sigv4_header)HDR("X-Amzn-Bedrock-Trace", "EN\0ABLED");
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "NUL");
	headers[2] = (bedrock_sigv4_header)HDR("X-Bad Name", "x");
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "name");
	headers[2] = (bedrock_sigv4_header)HDR("X-Amzn-Bedrock-Trace", "ENABLED");
	expect_refused(res, &cfg, &cr, &req, BEDROCK_EINVAL, "token");
	cfg.region = "us-east-1\r\nX: y";
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "region");
	/* And the same result signs fine afterwards. */
	cfg.region = "us-east-1";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_string_equal(bedrock_sigv4_result_errmsg(res), "");
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__bad_arguments(void **state)
{
	static const bedrock_sigv4_header no_host[] = { HDR("Content-Type", "application/json") };
	static const bedrock_sigv4_header signed_already[] = {
		HDR("Host", "h"), HDR("Authorization", "AWS4-HMAC-SHA256 old"),
	};
	static const bedrock_sigv4_header token_already[] = {
		HDR("Host", "h"), HDR("X-Amz-Security-Token", "old"),
	};
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_credentials no_secret = { AKID, "", NULL };
	bedrock_sigv4_result *res;

	(void)state;
	assert_int_equal(bedrock_sigv4_result_new(NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_signer_new(NULL), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_sign(NULL, NULL, &cfg, &plain_creds, &req), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	expect_refused(res, NULL, &plain_creds, &req, BEDROCK_EINVAL, NULL);
	expect_refused(res, &cfg, NULL, &req, BEDROCK_EINVAL, NULL);
	expect_refused(res, &cfg, &no_secret, &req, BEDROCK_EINVAL, "secret");
	cfg.version = 0;
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "version");
	cfg = bedrock_sigv4_cfg(NULL);
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "region");
	cfg = bedrock_sigv4_cfg("us-east-1");
	cfg.signing_time = -1;
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "time");
	cfg = bedrock_sigv4_cfg("us-east-1");
	cfg.mode = BEDROCK_SIGV4_MODE_QUERY;
	cfg.expires = 0;
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "expires");
	cfg = bedrock_sigv4_cfg("us-east-1");
	req.payload_hash = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef0";
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "payload hash");
	req = arn_request();
	req.path = "/model/x/invoke?x=1";
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "path");
	req = arn_request();
	req.headers = no_host;
	req.header_count = 1;
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "Host");
	req.headers = signed_already;
	req.header_count = 2;
	expect_refused(res, &cfg, &plain_creds, &req, BEDROCK_EINVAL, "Authorization");
	req.headers = token_already;
	expect_refused(res, &cfg, &token_creds, &req, BEDROCK_EINVAL, "X-Amz-Security-Token");
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__allocation_failures(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	size_t n, failures = 0;
	int done = 0;

	(void)state;
	/* Fail each allocation in turn (curl's torture mode): every failure
	 * is BEDROCK_ENOMEM, nothing leaks, and the first run that gets all
	 * its memory signs correctly. Query mode with a token allocates the
	 * most. */
	for (n = 1; !done && n < 500; n++) {
		int mode;

		for (mode = 0; mode < 2 && !done; mode++) {
			bedrock_sigv4_signer *signer = NULL;
			bedrock_sigv4_result *res = NULL;
			int err;

			cfg.mode = mode ? BEDROCK_SIGV4_MODE_QUERY : BEDROCK_SIGV4_MODE_HEADERS;
			harness_fail_allocation(n);
			err = bedrock_sigv4_signer_new(&signer);
			if (!err)
				err = bedrock_sigv4_result_new(&res);
			if (!err)
				err = bedrock_sigv4_sign(res, signer, &cfg, &token_creds, &req);
			harness_fail_allocation(0);
			if (err) {
				assert_int_equal(err, BEDROCK_ENOMEM);
				if (res)
					assert_string_not_equal(bedrock_sigv4_result_errmsg(res), "");
				failures++;
				/* The same result recovers once memory is back. */
				if (res) {
					assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &token_creds, &req), 0);
				}
			} else if (mode == 1) {
				done = 1;
			}
			bedrock_sigv4_result_free(res);
			bedrock_sigv4_signer_free(signer);
			assert_int_equal(harness_live_allocations(), 0);
		}
	}
	assert_true(done);
	assert_true(failures > 2);
}

static void test_sigv4__resign_does_not_allocate(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_signer *signer;
	bedrock_sigv4_result *res;
	size_t before;

	(void)state;
	assert_int_equal(bedrock_sigv4_signer_new(&signer), 0);
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &token_creds, &req), 0);
	before = harness_allocation_count();
	assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &token_creds, &req), 0);
	assert_int_equal(bedrock_sigv4_sign(res, signer, &cfg, &plain_creds, &req), 0);
	assert_string_equal(bedrock_sigv4_result_signature(res), ARN_SIG);
	assert_int_equal(harness_allocation_count(), before);
	bedrock_sigv4_result_free(res);
	bedrock_sigv4_signer_free(signer);
}

static void test_sigv4__uri_encode(void **state)
{
	static const char arn[] = "arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
				  "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
	char out[256], tiny[8];
	size_t len = 0;

	(void)state;
	assert_int_equal(bedrock_sigv4_uri_encode(out, sizeof(out), &len, arn, strlen(arn)), 0);
	assert_string_equal(out, "arn%3Aaws%3Abedrock%3Aus-east-1%3A123456789012%3Ainference-profile"
				 "%2Fus.anthropic.claude-sonnet-4-5-20250929-v1%3A0");
	assert_int_equal(len, strlen(out));
	/* The encoded label placed in the path canonicalises as in PROTOCOL.md. */
	assert_int_equal(memcmp(&ARN_PATH[7], out, len), 0);
	assert_int_equal(bedrock_sigv4_uri_encode(NULL, 0, &len, "a b~", 4), 0);
	assert_int_equal(bedrock_sigv4_uri_encode(NULL, 4, &len, "a b~", 4), BEDROCK_EINVAL);
	assert_int_equal(bedrock_sigv4_uri_encode(NULL, 0, NULL, "a b~", 4), BEDROCK_EINVAL);
	assert_int_equal(len, 6);
	assert_int_equal(bedrock_sigv4_uri_encode(tiny, sizeof(tiny), &len, "a:b:c", 5), BEDROCK_ELIMIT);
	assert_int_equal(len, 9);
	assert_int_equal(bedrock_sigv4_uri_encode(out, sizeof(out), NULL, "-._~Az09 \xe1\x88\xb4", 12), 0);
	assert_string_equal(out, "-._~Az09%20%E1%88%B4");
	assert_int_equal(bedrock_sigv4_uri_encode(out, sizeof(out), NULL, "", 0), 0);
	assert_string_equal(out, "");
}

static void test_sigv4__body_hash_options(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;
	const bedrock_sigv4_header *h;
	const char *creq;

	(void)state;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	cfg.sign_body = 1;
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_int_equal(bedrock_sigv4_result_headers(&h, res), 3);
	assert_memory_equal(h[1].name, "x-amz-content-sha256", 20);
	assert_memory_equal(h[1].value, BODY_SHA256, 64);
	assert_non_null(strstr(bedrock_sigv4_result_canonical_request(res),
			       "\nx-amz-content-sha256:" BODY_SHA256 "\n"));
	cfg.sign_body = 0;
	req.payload_hash = "UNSIGNED-PAYLOAD";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	creq = bedrock_sigv4_result_canonical_request(res);
	assert_string_equal(creq + strlen(creq) - 17, "\nUNSIGNED-PAYLOAD");
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__path_options(void **state)
{
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;

	(void)state;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	/* S3 style: the path as sent, not encoded again. */
	cfg.double_encode_path = 0;
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_true(!strncmp(bedrock_sigv4_result_canonical_request(res), "POST\n" ARN_PATH "\n",
			     strlen(ARN_PATH) + 6));
	cfg.double_encode_path = 1;
	req.path = "/model//a/./b/../c%2F..//";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_true(!strncmp(bedrock_sigv4_result_canonical_request(res), "POST\n/model/a/c%252F../\n", 24));
	cfg.normalize_path = 0;
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_true(!strncmp(bedrock_sigv4_result_canonical_request(res),
			     "POST\n/model//a/./b/../c%252F..//\n", 33));
	req.path = "";
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_true(!strncmp(bedrock_sigv4_result_canonical_request(res), "POST\n/\n", 7));
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__unsignable_headers(void **state)
{
	static const bedrock_sigv4_header headers[] = {
		HDR("Host", "bedrock-runtime.us-east-1.amazonaws.com"),
		HDR("Content-Type", "application/json"),
		HDR("Accept", "application/json"),
		HDR("Connection", "keep-alive"), HDR("User-Agent", "x"),
		HDR("X-Amzn-Trace-Id", "Root=1"), HDR("Transfer-Encoding", "chunked"),
		HDR("Expect", "100-continue"), HDR("TE", "trailers"),
	};
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	bedrock_sigv4_result *res;

	(void)state;
	req.headers = headers;
	req.header_count = sizeof(headers) / sizeof(headers[0]);
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_string_equal(bedrock_sigv4_result_canonical_request(res), ARN_CREQ);
	assert_string_equal(bedrock_sigv4_result_signature(res), ARN_SIG);
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__many_query_params(void **state)
{
	/* More than the insertion-sort threshold: the qsort path agrees. */
	static const bedrock_sigv4_header host[] = { HDR("Host", "h") };
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res;
	char query[512] = "", want[512] = "";
	int i;

	(void)state;
	for (i = 39; i >= 0; i--)
		snprintf(query + strlen(query), sizeof(query) - strlen(query), "%sk%02d=v", i == 39 ? "" : "&", i);
	for (i = 0; i < 40; i++)
		snprintf(want + strlen(want), sizeof(want) - strlen(want), "%sk%02d=v", i ? "&" : "", i);
	memset(&req, 0, sizeof(req));
	req.method = "GET";
	req.path = "/";
	req.query = query;
	req.headers = host;
	req.header_count = 1;
	assert_int_equal(bedrock_sigv4_result_new(&res), 0);
	assert_int_equal(bedrock_sigv4_sign(res, NULL, &cfg, &plain_creds, &req), 0);
	assert_true(!strncmp(bedrock_sigv4_result_canonical_request(res) + 6, want, strlen(want)));
	bedrock_sigv4_result_free(res);
}

static void test_sigv4__format_time(void **state)
{
	char amz[17], d8[9];

	(void)state;
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, 0), 0);
	assert_string_equal(amz, "19700101T000000Z");
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, 951782400), 0);
	assert_string_equal(amz, "20000229T000000Z");
	assert_string_equal(d8, "20000229");
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, 1709164799), 0);
	assert_string_equal(amz, "20240228T235959Z");
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, INT64_C(253402300799)), 0);
	assert_string_equal(amz, "99991231T235959Z");
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, INT64_C(253402300800)), -1);
	assert_int_equal(bedrock__sigv4_format_time(amz, d8, -1), -1);
}

struct thread_job {
	bedrock_sigv4_signer *signer;
	bedrock_sigv4_result *res;
	int ok;
};

static void *sign_many(void *arg)
{
	struct thread_job *job = arg;
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	int i;

	job->ok = 1;
	for (i = 0; i < 2000; i++) {
		/* Alternate days so threads keep inserting into the cache. */
		cfg.signing_time = T_20251001 + (i % 2) * 86400;
		if (bedrock_sigv4_sign(job->res, job->signer, &cfg, &plain_creds, &req) != 0 ||
		    (i % 2 == 0 && strcmp(bedrock_sigv4_result_signature(job->res), ARN_SIG) != 0))
			job->ok = 0;
	}
	return NULL;
}

static void test_sigv4__shared_signer_threads(void **state)
{
	struct thread_job jobs[4];
	pthread_t threads[4];
	bedrock_sigv4_signer *signer;
	bedrock_sigv4_config cfg = bedrock_sigv4_cfg("us-east-1");
	bedrock_sigv4_request req = arn_request();
	size_t before;
	int i;

	(void)state;
	assert_int_equal(bedrock_sigv4_signer_new(&signer), 0);
	/* Results are created and warmed up here: signing again does not
	 * allocate, so the test allocator is only used from this thread. */
	for (i = 0; i < 4; i++) {
		jobs[i].signer = signer;
		assert_int_equal(bedrock_sigv4_result_new(&jobs[i].res), 0);
		assert_int_equal(bedrock_sigv4_sign(jobs[i].res, NULL, &cfg, &plain_creds, &req), 0);
	}
	before = harness_allocation_count();
	for (i = 0; i < 4; i++)
		assert_int_equal(pthread_create(&threads[i], NULL, sign_many, &jobs[i]), 0);
	for (i = 0; i < 4; i++) {
		pthread_join(threads[i], NULL);
		assert_true(jobs[i].ok);
		bedrock_sigv4_result_free(jobs[i].res);
	}
	assert_int_equal(harness_allocation_count(), before);
	bedrock_sigv4_signer_free(signer);
}

#define T(f) cmocka_unit_test_setup_teardown(f, harness_setup, harness_teardown)
static const struct CMUnitTest bedrock_tests[] = {
	T(test_sigv4__bedrock_arn_model_path),
	T(test_sigv4__bedrock_global_profile_with_token),
	T(test_sigv4__bedrock_presigned_token_url),
	T(test_sigv4__cache_hit_same_signature),
	T(test_sigv4__crlf_refused),
	T(test_sigv4__bad_arguments),
	T(test_sigv4__allocation_failures),
	T(test_sigv4__resign_does_not_allocate),
	T(test_sigv4__uri_encode),
	T(test_sigv4__body_hash_options),
	T(test_sigv4__path_options),
	T(test_sigv4__unsignable_headers),
	T(test_sigv4__many_query_params),
	T(test_sigv4__format_time),
	T(test_sigv4__shared_signer_threads),
};
#undef T

int main(void)
{
	static struct vcase cases[2 * NCASES];
	static char names[2 * NCASES][96];
	struct CMUnitTest tests[2 * NCASES + 64];
	size_t n = 0, i, j;

	for (i = 0; i < NCASES; i++) {
		for (j = 0; j < 2; j++) {
			struct vcase *vc = &cases[2 * i + j];

			vc->name = vector_cases[i];
			vc->query = (int)j;
			snprintf(names[2 * i + j], sizeof(names[0]), "test_sigv4__%s_%s",
				 vector_cases[i], j ? "query" : "header");
			tests[n].name = names[2 * i + j];
			tests[n].test_func = run_vector;
			tests[n].setup_func = harness_setup;
			tests[n].teardown_func = harness_teardown;
			tests[n].initial_state = vc;
			n++;
		}
	}
	for (i = 0; i < sizeof(bedrock_tests) / sizeof(bedrock_tests[0]); i++)
		tests[n++] = bedrock_tests[i];
	tests[n++] = (struct CMUnitTest)cmocka_unit_test_setup_teardown(
		test_sigv4__suite_is_complete, harness_setup, harness_teardown);
	return _cmocka_run_group_tests("sigv4", tests, n, NULL, NULL);
}
