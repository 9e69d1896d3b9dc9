/* Google credentials files on arbitrary bytes (bedrock__google_file_parse,
 * a pure function): a checked file of a known type with every field its
 * type needs, or a typed error naming the file; never a crash or a leak.
 * The lazy parse (a key kept as PEM) agrees with the eager one. The same
 * bytes also go through the token-endpoint answer parser and the reader
 * of an executable's answer. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "alloc.h"
#include "google_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_file(const bedrock__google_file *f, int nested)
{
	switch (f->type) {
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT:
		if (!f->client_email || (!f->key && !f->private_key_pem))
			__builtin_trap();
		break;
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT_AUTHORIZED_USER:
		if (nested || !f->refresh_token || !f->token_url || !f->client_id || !f->client_secret)
			__builtin_trap();
		break;
	case BEDROCK_GOOGLE_AUTHORIZED_USER:
		if (!f->client_id || !f->client_secret || !f->refresh_token)
			__builtin_trap();
		break;
	case BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT:
		if (nested || !f->impersonation_url || !f->impersonated_email || !f->source)
			__builtin_trap();
		check_file(f->source, 1);
		break;
	case BEDROCK_GOOGLE_EXTERNAL_ACCOUNT:
		if (nested || !f->audience || !f->subject_token_type || !f->token_url)
			__builtin_trap();
		if (f->subject_kind == BEDROCK__SUBJECT_AWS ? !f->aws_verification_url
		    : f->subject_kind == BEDROCK__SUBJECT_URL ? !f->subject_url
		    : f->subject_kind == BEDROCK__SUBJECT_EXECUTABLE
		    ? !f->exec_command || f->exec_command[0] != '/' || f->exec_timeout_ms < 5000 ||
		      f->exec_timeout_ms > 120000
		    : !f->subject_file)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 503 };
	bedrock__google_file *f = NULL, *lazy = NULL, ex;
	bedrock__google_reply r = { NULL, 0 };
	bedrock_error_info err, lerr;
	char *tok = NULL;
	int64_t exp;
	int rc, lrc;

	rc = bedrock__google_file_parse(&f, (const char *)data, size, "fuzz.json", &err);
	lrc = bedrock__google_file_parse_lazy(&lazy, (const char *)data, size, "fuzz.json", &lerr);
	if (lrc == 0) {
		check_file(lazy, 0);
		/* Decoding the kept key gives what the eager parse gave. */
		if ((bedrock__google_file_decode_keys(lazy, &lerr) == 0) != (rc == 0))
			__builtin_trap();
		bedrock__google_file_free(lazy);
	} else if (rc == 0 || lazy) {
		__builtin_trap();
	}
	/* The eager parse is made again below, where it is checked. */
	bedrock__google_file_free(f);
	f = NULL;
	memset(&ex, 0, sizeof(ex));
	ex.exec_output_file = size && (data[0] & 2) ? "out.json" : NULL;
	rc = bedrock__google_exec_response(&tok, &exp, (const char *)data, size, &ex, 1000,
					   "fuzz", "fuzz", &err);
	if ((rc == 0) != (tok != NULL) || (tok && !*tok))
		__builtin_trap();
	bedrock__free(tok);
	rc = bedrock__google_file_parse(&f, (const char *)data, size, "fuzz.json", &err);
	if (rc == 0) {
		check_file(f, 0);
		bedrock__google_file_free(f);
	} else if (f || (rc != BEDROCK_ECONFIG && rc != BEDROCK_ENOTSUP && rc != BEDROCK_ENOMEM) ||
		   strncmp(err.message, "Google credentials file fuzz.json: ", 35)) {
		__builtin_trap();
	}
	rc = bedrock__google_reply_parse(&r, size && (data[0] & 1) ? BEDROCK__REPLY_IAM
							       : BEDROCK__REPLY_OAUTH,
					 statuses[size ? (data[0] >> 1) & 3 : 0],
					 (const char *)data, size, 1000, "fuzz", "https://t", &err);
	if (rc == 0 && (!r.access_token || !bedrock__google_token_ok(r.access_token)))
		__builtin_trap();
	if (rc != 0 && r.access_token)
		__builtin_trap();
	bedrock__google_reply_dispose(&r);
	return 0;
}
