/* What to do about an error, on a line of its own after cli_report()'s
 * `bedrock: CODE: MESSAGE`: the cases people hit first on Bedrock (a model
 * that needs an inference profile, no model access, stale credentials,
 * throttling), with the exact id or command that fixes them. */
#include <stdio.h>
#include <string.h>

#include "cli_client.h"

#define EMULATE_HINT "no AWS account? `bedrock --emulate <command>` answers from a local emulator"

static void hint(const char *text)
{
	fprintf(stderr, "bedrock: hint: %s\n", text);
}

/* "Invocation of model ID … with on-demand throughput isn't supported":
 * name the profile that works from this region. */
static void profile_hint(const char *model_id, const char *region)
{
	bedrock_model_ref ref;
	char id[BEDROCK_MODEL_ID_MAX], text[384];

	if (model_id && region && bedrock_model_resolve(&ref, model_id) == 0 && ref.model &&
	    bedrock_model_id_for_region(id, sizeof(id), ref.model, region) == 0) {
		snprintf(text, sizeof(text), "%s is called through an inference profile: use -m %s "
			 "(or --model-id %s)", ref.model->name, id, id);
		hint(text);
		return;
	}
	if (model_id && region && bedrock_model_resolve(&ref, model_id) == 0 && ref.model) {
		bedrock_profile_geo geo = bedrock_model_default_geo(ref.model);
		const char *const *where = bedrock_profile_geo_regions(geo);

		snprintf(text, sizeof(text), "%s has no inference profile callable from %s%s%s",
			 ref.model->name, region, where ? "; try --region " : "", where ? where[0] : "");
		hint(text);
		return;
	}
	hint("call the model through an inference profile id (global. or a geography prefix "
	     "such as us.); `bedrock models` lists the ids this region offers");
}

/* Vertex AI's first stumbles: a model the location does not serve, a
 * model not enabled for the project, Google credentials, quota. */
static int vertex_hint(const bedrock_error_info *err, const char *model_id, const char *region)
{
	const char *code = err->aws_code;
	const bedrock_model_info *m = NULL;
	bedrock_platform p;
	char text[384];

	if (model_id && !(m = bedrock_model_find_platform_id(&p, model_id))) {
		bedrock_model_ref ref;

		if (bedrock_model_resolve(&ref, model_id) == 0)
			m = ref.model;
	}
	if (!strcmp(code, "NOT_FOUND") && m && region && !strcmp(region, "global") &&
	    !(m->features & BEDROCK_MODEL_FEATURE_VERTEX_GLOBAL)) {
		snprintf(text, sizeof(text), "%s is not served on Vertex AI's global endpoint (Claude "
			 "Sonnet 4.5 and later are): use a regional location, e.g. --region us-east5",
			 m->name);
		hint(text);
	} else if (!strcmp(code, "NOT_FOUND")) {
		hint("`bedrock --platform vertex models` lists the Vertex ids; the model must be "
		     "enabled in the Vertex AI Model Garden for this project and location");
	} else if (!strcmp(code, "PERMISSION_DENIED")) {
		hint("enable the model in the Vertex AI Model Garden, grant roles/aiplatform.user, and "
		     "check the project (`bedrock --platform vertex config` says which and why)");
	} else if (!strcmp(code, "UNAUTHENTICATED")) {
		hint("Google refused the token: run `gcloud auth application-default login` or check "
		     "GOOGLE_APPLICATION_CREDENTIALS (`bedrock --platform vertex config`)");
	} else if (!strcmp(code, "RESOURCE_EXHAUSTED")) {
		hint(region && strcmp(region, "global")
		     ? "Vertex AI quota exhausted: wait, try --region global (more capacity), or ask "
		       "Google Cloud for a higher quota"
		     : "Vertex AI quota exhausted: wait and try again, or ask Google Cloud for a "
		       "higher quota");
	} else if (strstr(err->message, "no Google credentials found")) {
		hint("no Google account? `bedrock --emulate --platform vertex <command>` answers from a "
		     "local emulator");
	} else {
		return 0;
	}
	return 1;
}

void cli_hint(const bedrock_error_info *err, const char *model_id, const char *region)
{
	const char *code = err->aws_code, *msg = err->message;
	bedrock_platform platform;
	const char *from;
	char text[384];

	if (cli_platform(&platform, &from) == 0 && platform == BEDROCK_PLATFORM_VERTEX) {
		vertex_hint(err, model_id, region);
		return;
	}
	if (!strcmp(code, "ValidationException") && strstr(msg, "on-demand throughput")) {
		profile_hint(model_id, region);
	} else if (!strcmp(code, "ValidationException") && strstr(msg, "model identifier is invalid")) {
		snprintf(text, sizeof(text), "`bedrock models%s%s` lists the model ids and aliases "
			 "available in this region", region ? " --region " : "", region ? region : "");
		hint(text);
	} else if (!strcmp(code, "ResourceNotFoundException") && model_id) {
		snprintf(text, sizeof(text), "%s is not offered in %s; `bedrock models` lists what "
			 "is, or try another --region", model_id, region ? region : "this region");
		hint(text);
	} else if (!strcmp(code, "AccessDeniedException")) {
		hint(strstr(msg, "model") ?
		     "request access to the model: Bedrock console > Model access (once per account "
		     "and region), and allow bedrock:InvokeModel* for it in your IAM policy" :
		     "your IAM identity lacks a Bedrock permission (bedrock:InvokeModel, "
		     "bedrock:InvokeModelWithResponseStream, bedrock:List*): ask your administrator");
	} else if (!strcmp(code, "ExpiredTokenException") || strstr(msg, "token included in the request is expired") ||
		   strstr(msg, "security token included in the request is invalid")) {
		hint("your credentials have expired: run `aws sso login` (SSO profiles), refresh the "
		     "session token in your environment, or check with `bedrock config`");
	} else if (!strcmp(code, "UnrecognizedClientException") || !strcmp(code, "InvalidSignatureException")) {
		hint("AWS does not accept these keys: check AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or "
		     "the profile (`bedrock config` shows which are used) and your clock");
	} else if (err->code == BEDROCK_ETHROTTLED || !strcmp(code, "ThrottlingException")) {
		/* Say what happened: retries, none, or none possible (a stream
		 * that has started is never retried). */
		snprintf(text, sizeof(text), "%s: wait and try again, %suse a global. profile for "
			 "more capacity, or ask AWS for a higher quota",
			 cli_g.in_stream
				 ? "Bedrock throttled mid-stream (a stream is not retried once it "
				   "has started)"
			 : cli_g.attempts != 1 ? "Bedrock is still throttling after the retries"
			 : cli_g.max_attempts ? "throttled (no retry: --max-attempts 1)"
					      : "throttled (no retry: max_attempts is 1 in AWS_MAX_ATTEMPTS "
						"or the profile)",
			 cli_g.in_stream ? "" : "raise --max-attempts, ");
		hint(text);
	} else {
		cli_hint_setup(err);
	}
}

int cli_hint_setup(const bedrock_error_info *err)
{
	const char *msg = err->message;

	if (!err->http_status && strstr(msg, "no Google credentials found")) {
		hint("no Google account? `bedrock --emulate --platform vertex <command>` answers from a "
		     "local emulator");
		return 1;
	}
	if (err->http_status || (!strstr(msg, "no AWS credentials") && !strstr(msg, "no AWS region") &&
				 !strstr(msg, "config profile (")))
		return 0;
	hint(EMULATE_HINT);
	return 1;
}
