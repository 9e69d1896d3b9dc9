/* Typed Claude calls: the Messages model over the raw operations. */
#include "bedrock/bedrock.h"
#include "errinfo.h"

static int render(char **body, size_t *len, const bedrock_messages_request *req,
		  bedrock_error_info *err)
{
	int rc;

	if (!req)
		return bedrock__err(err, BEDROCK_EINVAL, "no request");
	rc = bedrock_messages_request_json(body, len, req);
	if (rc)
		bedrock__err(err, rc, "%s", bedrock_messages_request_errmsg(req));
	return rc;
}

int bedrock_messages_create(bedrock_message **out, bedrock_client *c, const char *model_id,
			    const bedrock_messages_request *req, const bedrock_request_options *o,
			    bedrock_error_info *err)
{
	bedrock_response *r = NULL;
	const char *data;
	char *body = NULL;
	size_t len;
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	rc = render(&body, &len, req, err);
	if (!rc)
		rc = bedrock_invoke_model(&r, c, model_id, body, len, o, err);
	bedrock_messages_string_free(body);
	if (rc)
		return rc;
	data = bedrock_response_body(r, &len);
	rc = bedrock_message_parse(out, data, len);
	if (rc)
		bedrock__err(err, rc, "the answer is not a Messages response");
	bedrock_response_free(r);
	return rc;
}

int bedrock_messages_stream(bedrock_stream **out, bedrock_client *c, const char *model_id,
			    const bedrock_messages_request *req, const bedrock_request_options *o,
			    bedrock_error_info *err)
{
	char *body = NULL;
	size_t len;
	int rc;

	if (!out)
		return bedrock__err(err, BEDROCK_EINVAL, "no output pointer");
	*out = NULL;
	rc = render(&body, &len, req, err);
	if (!rc)
		rc = bedrock_invoke_model_stream(out, c, model_id, body, len, o, err);
	bedrock_messages_string_free(body);
	return rc;
}
