/* The default provider: the AWS CLI's chain, wrapped in a refreshing cache. */
#include "bedrock/credentials.h"
#include "alloc.h"
#include "errinfo.h"

int bedrock_creds_provider_new_default(bedrock_creds_provider **out,
				       const bedrock_creds_profile_options *options)
{
	bedrock_creds_provider *list[9] = { 0 }, *chain = NULL;
	size_t n = 0, i;
	int rc = 0;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	/* An explicitly chosen profile outranks the environment's keys (as with
	 * `aws --profile`); AWS_PROFILE alone does not. */
	if (!options || !options->profile)
		rc = bedrock_creds_provider_new_environment(&list[n++]);
	if (!rc)
		rc = bedrock_creds_provider_new_assume_role(&list[n++], options);
	if (!rc)
		rc = bedrock_creds_provider_new_web_identity(&list[n++], options);
	if (!rc)
		rc = bedrock_creds_provider_new_sso(&list[n++], options);
	if (!rc)
		rc = bedrock_creds_provider_new_profile(&list[n++], options, 0);
	if (!rc)
		rc = bedrock_creds_provider_new_process(&list[n++], options);
	if (!rc)
		rc = bedrock_creds_provider_new_profile(&list[n++], options, 1);
	if (!rc)
		rc = bedrock_creds_provider_new_container(&list[n++]);
	if (!rc)
		rc = bedrock_creds_provider_new_imds(&list[n++], options);
	if (!rc)
		rc = bedrock_creds_provider_new_chain(&chain, list, n);
	if (!rc)
		rc = bedrock_creds_provider_new_cached(out, chain, NULL);
	for (i = 0; i < n; i++)
		bedrock_creds_provider_release(list[i]);
	bedrock_creds_provider_release(chain);
	return rc;
}
