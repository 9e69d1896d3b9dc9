/* SigV4 internals: the result's layout and the stages, each callable on its
 * own so the unit tests can check one stage against the AWS suite's file
 * for it (aws-c-auth keeps its stages apart "for testing" the same way). */
#ifndef BEDROCK_SIGV4_PRIVATE_H
#define BEDROCK_SIGV4_PRIVATE_H

#include <stdarg.h>

#include "bedrock/sigv4.h"
#include "buf.h"
#include "crypto.h"

#define BEDROCK__SIGV4_ALGORITHM "AWS4-HMAC-SHA256"
/* Longest payload hash we accept from the caller ("STREAMING-..." names
 * and 64 hex digits all fit). */
#define BEDROCK__SIGV4_MAX_PAYLOAD_HASH 64
#define BEDROCK__SIGV4_MAX_EXPIRES 604800u

/* An entry to sort: a header (name, value) or a query parameter (key,
 * value). idx keeps repeated headers in their original order. */
typedef struct bedrock__sigv4_item {
	const char *name;
	size_t name_len;
	const char *value;
	size_t value_len;
	size_t idx;
	/* Query items are built in r->scratch, which may move while it
	 * grows: offsets until bedrock__sigv4_items_resolve(). */
	size_t name_off, value_off;
} bedrock__sigv4_item;

struct bedrock_sigv4_result {
	bedrock__crypto *crypto;
	/* Stage outputs. */
	bedrock_buf creq, sts, signed_headers, auth, query;
	/* The caller's token is lent only for the call: headers[] points here. */
	bedrock_buf token;
	/* Work space kept between calls so that signing does not allocate. */
	bedrock_buf hdrs, cquery, scope, scratch, norm;
	bedrock__sigv4_item *items;
	size_t items_cap;
	char amz_date[17];
	char date8[9];
	char payload_hash[BEDROCK__SIGV4_MAX_PAYLOAD_HASH + 1];
	char signature[2 * BEDROCK__SHA256_LEN + 1];
	char expires[12];
	bedrock_sigv4_header headers[4];
	size_t header_count;
	bedrock_sigv4_header params[7];
	size_t param_count;
	char errmsg[256];
};

/* Records why signing failed and returns code. */
int bedrock__sigv4_fail(bedrock_sigv4_result *r, int code, const char *fmt, ...)
#if defined(__GNUC__)
	__attribute__((format(printf, 3, 4)))
#endif
	;

/* "YYYYMMDDTHHMMSSZ" and "YYYYMMDD" for a Unix time; -1 if out of range. */
int bedrock__sigv4_format_time(char amz_date[17], char date8[9], int64_t t);

/* Decodes %XX (a malformed escape stays as it is), then encodes
 * (bedrock__url_encode_buf, urlcode.h). */
void bedrock__sigv4_recode(bedrock_buf *out, const char *s, size_t len);

/* Stage 1 parts. */
void bedrock__sigv4_canonical_uri(bedrock_buf *out, bedrock_buf *work,
				  const char *path, size_t len,
				  int normalize, int double_encode);
/* Appends each k=v of a raw query, decoded then encoded, to r->items
 * (strings kept in r->scratch). Returns -1 on OOM. */
int bedrock__sigv4_query_items(bedrock_sigv4_result *r, size_t *count,
			       const char *query);
/* How bedrock__sigv4_item_add() stores a value. */
enum bedrock__sigv4_store {
	BEDROCK__SIGV4_COPY,   /* already canonical */
	BEDROCK__SIGV4_RECODE, /* from a raw query: decode %XX, then encode */
	BEDROCK__SIGV4_ENCODE  /* a plain value (token, key id): encode */
};
/* Appends one item to r->items, its strings stored in r->scratch. The
 * name is copied unless how is BEDROCK__SIGV4_RECODE. */
int bedrock__sigv4_item_add(bedrock_sigv4_result *r, size_t *count,
			    const char *name, size_t name_len,
			    const char *value, size_t value_len,
			    enum bedrock__sigv4_store how);
/* Turns the scratch offsets of items [0, n) into pointers. */
void bedrock__sigv4_items_resolve(bedrock_sigv4_result *r, size_t n);
/* Sorts items: by name then value (query) or case-insensitively by name
 * then original position (headers). */
void bedrock__sigv4_sort(bedrock__sigv4_item *items, size_t n, int headers);
int bedrock__sigv4_items_reserve(bedrock_sigv4_result *r, size_t n);

/* Case-insensitive name == lower-case lc. */
int bedrock__sigv4_name_is(const char *name, size_t len, const char *lc);
/* Hop-by-hop and similar headers that are never signed. */
int bedrock__sigv4_is_unsignable(const char *name, size_t len);

/* The whole canonical request into r->creq (and r->signed_headers);
 * needs r->amz_date, r->date8, r->scope and r->payload_hash. */
int bedrock__sigv4_canonical_request(bedrock_sigv4_result *r,
				     const bedrock_sigv4_config *cfg,
				     const bedrock_sigv4_credentials *creds,
				     const bedrock_sigv4_request *req);

/* Stage 2: out = "AWS4-HMAC-SHA256\n" date "\n" scope "\n" hex(sha256(creq)). */
int bedrock__sigv4_string_to_sign(bedrock_buf *out, bedrock__crypto *c,
				  const char *amz_date, const char *scope,
				  const char *creq, size_t creq_len);

/* The signing key: HMAC chain over date8, region, service, "aws4_request". */
int bedrock__sigv4_derive_key(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
			      const char *secret, const char *date8,
			      const char *region, const char *service);

/* Same, through the signer's cache (signer may be NULL). */
int bedrock__sigv4_signer_key(bedrock_sigv4_signer *s, bedrock__crypto *c,
			      uint8_t out[BEDROCK__SHA256_LEN],
			      const char *secret, const char *date8,
			      const char *region, const char *service);

/* Stage 3: lower-case hex HMAC(key, string to sign). */
int bedrock__sigv4_signature(bedrock__crypto *c, char out[2 * BEDROCK__SHA256_LEN + 1],
			     const uint8_t key[BEDROCK__SHA256_LEN],
			     const char *sts, size_t sts_len);

#endif
