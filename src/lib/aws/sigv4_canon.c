/* SigV4 stage 1: the canonical request (headers, query, assembly). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "ascii.h"
#include "sigv4_private.h"
#include "urlcode.h"

/* Every stage reports through this (here, at the bottom of the module, so
 * sigv4.c -> sigv4_canon.c is the only direction calls go). */
int bedrock__sigv4_fail(bedrock_sigv4_result *r, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int bedrock__sigv4_fail(bedrock_sigv4_result *r, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(r->errmsg, sizeof(r->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

int bedrock__sigv4_items_reserve(bedrock_sigv4_result *r, size_t n)
{
	bedrock__sigv4_item *p;
	size_t cap;

	if (n <= r->items_cap)
		return 0;
	cap = r->items_cap ? r->items_cap : 16;
	while (cap < n) {
		if (cap > ((size_t)-1) / 2 / sizeof(*p))
			return -1;
		cap *= 2;
	}
	p = bedrock__realloc(r->items, cap * sizeof(*p));
	if (!p)
		return -1;
	r->items = p;
	r->items_cap = cap;
	return 0;
}

int bedrock__sigv4_item_add(bedrock_sigv4_result *r, size_t *count,
			    const char *name, size_t name_len,
			    const char *value, size_t value_len,
			    enum bedrock__sigv4_store how)
{
	bedrock__sigv4_item *it;

	if (bedrock__sigv4_items_reserve(r, *count + 1))
		return -1;
	it = &r->items[*count];
	it->idx = *count;
	it->name_off = r->scratch.len;
	if (how == BEDROCK__SIGV4_RECODE)
		bedrock__sigv4_recode(&r->scratch, name, name_len);
	else
		bedrock__buf_put(&r->scratch, name, name_len);
	it->name_len = r->scratch.len - it->name_off;
	it->value_off = r->scratch.len;
	if (how == BEDROCK__SIGV4_RECODE)
		bedrock__sigv4_recode(&r->scratch, value, value_len);
	else if (how == BEDROCK__SIGV4_ENCODE)
		bedrock__url_encode_buf(&r->scratch, value, value_len, 0);
	else
		bedrock__buf_put(&r->scratch, value, value_len);
	it->value_len = r->scratch.len - it->value_off;
	(*count)++;
	return r->scratch.oom ? -1 : 0;
}

int bedrock__sigv4_query_items(bedrock_sigv4_result *r, size_t *count,
			       const char *query)
{
	const char *p = query;

	while (p && *p) {
		const char *end = strchr(p, '&'), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p), klen;

		if (len) {
			eq = memchr(p, '=', len);
			klen = eq ? (size_t)(eq - p) : len;
			if (bedrock__sigv4_item_add(r, count, p, klen, eq ? eq + 1 : "",
						    eq ? len - klen - 1 : 0,
						    BEDROCK__SIGV4_RECODE))
				return -1;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

void bedrock__sigv4_items_resolve(bedrock_sigv4_result *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++) {
		r->items[i].name = r->scratch.ptr + r->items[i].name_off;
		r->items[i].value = r->scratch.ptr + r->items[i].value_off;
	}
}


static int cmp_bytes(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);

	if (c)
		return c;
	return alen < blen ? -1 : alen > blen;
}

static int cmp_name_ci(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t i, n = alen < blen ? alen : blen;

	for (i = 0; i < n; i++) {
		int d = bedrock__ascii_lower((unsigned char)a[i]) - bedrock__ascii_lower((unsigned char)b[i]);

		if (d)
			return d;
	}
	return alen < blen ? -1 : alen > blen;
}

static int cmp_query(const void *pa, const void *pb)
{
	const bedrock__sigv4_item *a = pa, *b = pb;
	int c = cmp_bytes(a->name, a->name_len, b->name, b->name_len);

	return c ? c : cmp_bytes(a->value, a->value_len, b->value, b->value_len);
}

static int cmp_header(const void *pa, const void *pb)
{
	const bedrock__sigv4_item *a = pa, *b = pb;
	int c = cmp_name_ci(a->name, a->name_len, b->name, b->name_len);

	if (c)
		return c;
	return a->idx < b->idx ? -1 : a->idx > b->idx;
}

void bedrock__sigv4_sort(bedrock__sigv4_item *items, size_t n, int headers)
{
	int (*cmp)(const void *, const void *) = headers ? cmp_header : cmp_query;
	size_t i, j;

	/* A request has a handful of headers: insertion sort beats qsort's
	 * call overhead there, and qsort keeps large inputs from going
	 * quadratic. Both orders are total (idx breaks ties), so both agree. */
	if (n > 16) {
		qsort(items, n, sizeof(*items), cmp);
		return;
	}
	for (i = 1; i < n; i++) {
		bedrock__sigv4_item tmp = items[i];

		for (j = i; j > 0 && cmp(&items[j - 1], &tmp) > 0; j--)
			items[j] = items[j - 1];
		items[j] = tmp;
	}
}

/* Never signed: hop-by-hop headers and those proxies or the SDK rewrite
 * (aws-c-auth's skip list, which botocore matches). */
static const char *const unsignable[] = {
	"connection", "expect", "keep-alive", "proxy-authenticate",
	"proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade",
	"user-agent", "x-amzn-trace-id",
};

int bedrock__sigv4_name_is(const char *name, size_t len, const char *lc)
{
	size_t n = strlen(lc);

	return len == n && cmp_name_ci(name, len, lc, n) == 0;
}

int bedrock__sigv4_is_unsignable(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < sizeof(unsignable) / sizeof(unsignable[0]); i++)
		if (bedrock__sigv4_name_is(name, len, unsignable[i]))
			return 1;
	return 0;
}

static void put_lower(bedrock_buf *b, const char *s, size_t len)
{
	size_t i;

	if (bedrock__buf_grow(b, len))
		return;
	for (i = 0; i < len; i++)
		b->ptr[b->len + i] = (char)bedrock__ascii_lower((unsigned char)s[i]);
	b->len += len;
	b->ptr[b->len] = '\0';
}

/* Trims the value and collapses each inner run of blanks to one space
 * (folded lines arrive here as blanks too). */
static void put_trimmed(bedrock_buf *b, const char *v, size_t len)
{
	size_t i;
	char *w;
	int blank = 0, any = 0;

	if (bedrock__buf_grow(b, len))
		return;
	w = b->ptr + b->len;
	for (i = 0; i < len; i++) {
		char c = v[i];

		if (c == ' ' || c == '\t') {
			blank = 1;
			continue;
		}
		if (blank && any)
			*w++ = ' ';
		blank = 0;
		any = 1;
		*w++ = c;
	}
	b->len = (size_t)(w - b->ptr);
	b->ptr[b->len] = '\0';
}

static int add_header(bedrock_sigv4_result *r, size_t *n, const char *name,
		      const char *value, size_t value_len)
{
	bedrock__sigv4_item *it = &r->items[*n];

	it->name = name;
	it->name_len = strlen(name);
	it->value = value;
	it->value_len = value_len;
	it->idx = *n;
	(*n)++;
	return 0;
}

static int canonical_headers(bedrock_sigv4_result *r, const bedrock_sigv4_config *cfg,
			     const char *token, const bedrock_sigv4_request *req)
{
	size_t i, j, n = 0;
	int host = 0;

	if (bedrock__sigv4_items_reserve(r, req->header_count + 3))
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");
	for (i = 0; i < req->header_count; i++) {
		const bedrock_sigv4_header *h = &req->headers[i];

		if (bedrock__sigv4_is_unsignable(h->name, h->name_len))
			continue;
		r->items[n].name = h->name;
		r->items[n].name_len = h->name_len;
		r->items[n].value = h->value;
		r->items[n].value_len = h->value_len;
		r->items[n].idx = n;
		n++;
	}
	if (cfg->mode == BEDROCK_SIGV4_MODE_HEADERS) {
		add_header(r, &n, "x-amz-date", r->amz_date, 16);
		if (token && !cfg->omit_session_token)
			add_header(r, &n, "x-amz-security-token", token, strlen(token));
		if (cfg->sign_body)
			add_header(r, &n, "x-amz-content-sha256", r->payload_hash,
				   strlen(r->payload_hash));
	}
	bedrock__sigv4_sort(r->items, n, 1);
	for (i = 0; i < n; i = j) {
		const bedrock__sigv4_item *it = &r->items[i];

		if (i)
			bedrock__buf_putc(&r->signed_headers, ';');
		put_lower(&r->signed_headers, it->name, it->name_len);
		put_lower(&r->hdrs, it->name, it->name_len);
		bedrock__buf_putc(&r->hdrs, ':');
		/* Over HTTP/2 the AWS JS SDK signs :authority in Host's place. */
		host |= bedrock__sigv4_name_is(it->name, it->name_len, "host") ||
			bedrock__sigv4_name_is(it->name, it->name_len, ":authority");
		for (j = i; j < n && cmp_name_ci(it->name, it->name_len, r->items[j].name,
						 r->items[j].name_len) == 0; j++) {
			if (j > i)
				bedrock__buf_putc(&r->hdrs, ',');
			put_trimmed(&r->hdrs, r->items[j].value, r->items[j].value_len);
		}
		bedrock__buf_putc(&r->hdrs, '\n');
	}
	if (!host)
		return bedrock__sigv4_fail(r, BEDROCK_EINVAL, "the request has no Host (or :authority) header");
	return 0;
}

static int canonical_query(bedrock_sigv4_result *r, const bedrock_sigv4_config *cfg,
			   const char *akid, const char *token,
			   const bedrock_sigv4_request *req)
{
	size_t i, n = 0;
	int err = 0;

	bedrock__buf_clear(&r->scratch);
	err |= bedrock__sigv4_query_items(r, &n, req->query);
	if (cfg->mode == BEDROCK_SIGV4_MODE_QUERY) {
		/* The credential value is "<akid>/<scope>" encoded as one. */
		size_t off;

		err |= bedrock__sigv4_item_add(r, &n, "X-Amz-Algorithm", 15,
					       BEDROCK__SIGV4_ALGORITHM, 16, BEDROCK__SIGV4_COPY);
		err |= bedrock__sigv4_item_add(r, &n, "X-Amz-Credential", 16, akid,
					       strlen(akid), BEDROCK__SIGV4_ENCODE);
		if (!err) {
			off = r->items[n - 1].value_off;
			bedrock__url_encode_buf(&r->scratch, "/", 1, 0);
			bedrock__url_encode_buf(&r->scratch, r->scope.ptr, r->scope.len, 0);
			r->items[n - 1].value_len = r->scratch.len - off;
		}
		err |= bedrock__sigv4_item_add(r, &n, "X-Amz-Date", 10, r->amz_date, 16, BEDROCK__SIGV4_COPY);
		err |= bedrock__sigv4_item_add(r, &n, "X-Amz-Expires", 13, r->expires,
					       strlen(r->expires), BEDROCK__SIGV4_COPY);
		err |= bedrock__sigv4_item_add(r, &n, "X-Amz-SignedHeaders", 19,
					       r->signed_headers.ptr ? r->signed_headers.ptr : "",
					       r->signed_headers.len, BEDROCK__SIGV4_ENCODE);
		if (token && !cfg->omit_session_token)
			err |= bedrock__sigv4_item_add(r, &n, "X-Amz-Security-Token", 20,
						       token, strlen(token), BEDROCK__SIGV4_ENCODE);
	}
	if (err || r->scratch.oom)
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");
	bedrock__sigv4_items_resolve(r, n);
	bedrock__sigv4_sort(r->items, n, 0);
	for (i = 0; i < n; i++) {
		if (i)
			bedrock__buf_putc(&r->cquery, '&');
		bedrock__buf_put(&r->cquery, r->items[i].name, r->items[i].name_len);
		bedrock__buf_putc(&r->cquery, '=');
		bedrock__buf_put(&r->cquery, r->items[i].value, r->items[i].value_len);
	}
	return 0;
}

int bedrock__sigv4_canonical_request(bedrock_sigv4_result *r,
				     const bedrock_sigv4_config *cfg,
				     const bedrock_sigv4_credentials *creds,
				     const bedrock_sigv4_request *req)
{
	const char *token = creds->session_token && *creds->session_token ?
			    creds->session_token : NULL;
	int err;

	/* Headers first: query mode signs the signed-headers list itself. */
	err = canonical_headers(r, cfg, token, req);
	if (!err)
		err = canonical_query(r, cfg, creds->access_key_id, token, req);
	if (err)
		return err;
	bedrock__buf_puts(&r->creq, req->method);
	bedrock__buf_putc(&r->creq, '\n');
	bedrock__sigv4_canonical_uri(&r->creq, &r->norm, req->path, strlen(req->path),
				     cfg->normalize_path, cfg->double_encode_path);
	bedrock__buf_putc(&r->creq, '\n');
	bedrock__buf_put(&r->creq, r->cquery.ptr, r->cquery.len);
	bedrock__buf_putc(&r->creq, '\n');
	bedrock__buf_put(&r->creq, r->hdrs.ptr, r->hdrs.len);
	bedrock__buf_putc(&r->creq, '\n');
	bedrock__buf_put(&r->creq, r->signed_headers.ptr, r->signed_headers.len);
	bedrock__buf_putc(&r->creq, '\n');
	bedrock__buf_puts(&r->creq, r->payload_hash);
	if (r->creq.oom || r->norm.oom || r->hdrs.oom || r->cquery.oom ||
	    r->signed_headers.oom)
		return bedrock__sigv4_fail(r, BEDROCK_ENOMEM, "out of memory");
	return 0;
}
