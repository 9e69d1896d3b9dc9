/* Google credentials files on arbitrary bytes (bedrock__google_file_parse,
 * a pure function): a checked file of a known type with every field its
 * type needs, or a typed error naming the file; never a crash or a leak.
 * The same bytes also go through the token-endpoint answer parser. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "google_private.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_file(const bedrock__google_file *f, int nested)
{
	switch (f->type) {
	case BEDROCK_GOOGLE_SERVICE_ACCOUNT:
		if (!f->client_email || !f->key)
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
		    : f->subject_kind == BEDROCK__SUBJECT_URL ? !f->subject_url : !f->subject_file)
			__builtin_trap();
		break;
	default:
		__builtin_trap();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const long statuses[] = { 200, 400, 403, 503 };
	bedrock__google_file *f = NULL;
	bedrock__google_reply r = { NULL, 0 };
	bedrock_error_info err;
	int rc;

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
