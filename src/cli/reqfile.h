/* Reader for raw HTTP requests as the AWS SigV4 test suite writes them
 * (request.txt): a request line whose target may hold raw spaces and UTF-8,
 * "Name:value" header lines (repeats allowed, folded continuation lines
 * starting with a blank), an optional blank line and the body. LF line
 * ends; a CR before the LF is tolerated. */
#ifndef BEDROCK_CLI_REQFILE_H
#define BEDROCK_CLI_REQFILE_H

#include <stddef.h>

#include "bedrock/sigv4.h"

typedef struct reqfile {
	/* NUL-terminated copies: method, path (before '?'), query (after
	 * '?', NULL without one) and the HTTP version ("HTTP/1.1"). */
	char *method, *path, *query, *version;
	/* Headers, folded lines joined by one space; they point into
	 * memory owned by the reqfile. */
	bedrock_sigv4_header *headers;
	size_t header_count;
	/* The header lines exactly as written (the last one may lack its
	 * LF), for echoing the request back; points into the parsed data. */
	const char *raw_headers;
	size_t raw_headers_len;
	/* Everything after the blank line; points into the parsed data. */
	const unsigned char *body;
	size_t body_len;
	/* Why parsing failed: "line 3: header without ':'". */
	char err[160];
	/* Owned storage behind the other pointers. */
	char *mem;
} reqfile;

/* Parses len bytes of data, which must outlive the reqfile. Returns 0, or
 * -1 with out->err set. Always call reqfile_dispose() afterwards. */
int reqfile_parse(reqfile *out, const char *data, size_t len);
void reqfile_dispose(reqfile *r);

#endif
