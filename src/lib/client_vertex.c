/* The Vertex AI platform's part of the client: its location, base URL,
 * project and Google credentials, its request headers. The body's dialect
 * is messages_render.c's; the answers are the Anthropic API's (SSE, its
 * error shape) plus Google's own errors, read in client_http.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/bedrock.h"
#include "bedrock/google.h"
#include "alloc.h"
#include "ascii.h"
#include "client_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "vertex_url.h"

/* An empty variable is an unset one, as the SDKs read them. */
static const char *env(const char *name)
{
	const char *v = bedrock__env(name);

	return v && *v ? v : NULL;
}

static int base_url(bedrock_client *c, const bedrock_client_options *o, bedrock_error_info *err)
{
	char url[512];
	int rc;

	if (o->endpoint_url) {
		/* Scheme, host and port replaced; the real service's /v1 kept. */
		rc = bedrock__endpoint_parse(&c->endpoint, &c->endpoint_path, "endpoint",
					     o->endpoint_url, err);
		if (!rc && !c->endpoint_path[0]) {
			char *with = bedrock__malloc(strlen(c->endpoint) + 4);

			if (!with)
				return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
			sprintf(with, "%s/v1", c->endpoint);
			bedrock__free(c->endpoint);
			c->endpoint = with;
		}
		return rc;
	}
	if (env("ANTHROPIC_VERTEX_BASE_URL"))
		return bedrock__endpoint_parse(&c->endpoint, &c->endpoint_path, "endpoint",
					       env("ANTHROPIC_VERTEX_BASE_URL"), err);
	if (bedrock__vertex_base_url(url, sizeof(url), c->region, "v1"))
		return bedrock__err(err, BEDROCK_ECONFIG, "the Vertex AI location is not valid");
	return bedrock__endpoint_parse(&c->endpoint, &c->endpoint_path, "endpoint", url, err);
}

/* The control endpoint: the base URL without its version, so that a
 * control path names it ("/v1beta1/projects/..."). */
static int control_url(bedrock_client *c, bedrock_error_info *err)
{
	size_t n = strlen(c->endpoint);

	if (n >= 3 && !strcmp(c->endpoint + n - 3, "/v1"))
		n -= 3;
	c->control_endpoint = bedrock__malloc(n + 1);
	c->control_endpoint_path = bedrock__strdup("");
	if (!c->control_endpoint || !c->control_endpoint_path)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	memcpy(c->control_endpoint, c->endpoint, n);
	c->control_endpoint[n] = '\0';
	return 0;
}

static int credentials(bedrock_client *c, const bedrock_client_options *o, bedrock_error_info *err)
{
	if (o->google_credentials) {
		c->google = bedrock_google_provider_ref(o->google_credentials);
		return 0;
	}
	if (o->auth_token && *o->auth_token)
		return bedrock_google_provider_new_static_token(&c->google, o->auth_token, err);
	return bedrock_google_provider_new_default(&c->google, NULL, err);
}

int bedrock__vertex_setup(bedrock_client *c, const bedrock_client_options *o,
			  bedrock_error_info *err)
{
	const char *region = o->region && *o->region ? o->region : env("CLOUD_ML_REGION");
	const char *project = o->project && *o->project ? o->project : NULL;
	const char *src = "the options";
	int rc;

	c->request_id_header = "request-id";
	if (!region)
		return bedrock__err(err, BEDROCK_ECONFIG, "no Vertex AI location: give a region "
				    "(global, us, eu, us-east5, ...) or set CLOUD_ML_REGION");
	if (!bedrock__dns_label_valid(region))
		return bedrock__err(err, BEDROCK_ECONFIG, "the Vertex AI location is not a name "
				    "like global, us, eu or us-east5");
	if (!(c->region = bedrock__strdup(region)))
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	if (!project) {
		static const char *const vars[] = { "ANTHROPIC_VERTEX_PROJECT_ID",
						    "GOOGLE_CLOUD_PROJECT", "GCLOUD_PROJECT", NULL };
		size_t i;

		for (i = 0; vars[i] && !project; i++)
			if ((project = env(vars[i])) != NULL)
				src = vars[i];
	}
	if (project) {
		if (!(c->project = bedrock__strdup(project)))
			return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		c->project_source = src;
	}
	if ((rc = base_url(c, o, err)) != 0 || (rc = control_url(c, err)) != 0 ||
	    (rc = credentials(c, o, err)) != 0)
		return rc;
	bedrock__client_log(c, BEDROCK_LOG_DEBUG, "vertex: %s, location %s, project %s%s%s",
			    c->endpoint, c->region, c->project ? c->project : "from the credentials",
			    c->project ? " from " : "", c->project ? c->project_source : "");
	return 0;
}

static int project_of(bedrock_client *c, const bedrock_cancel *cancel, bedrock_error_info *err)
{
	char project[256];
	int rc = 0;

	pthread_mutex_lock(&c->project_lock);
	if (!c->project) {
		bedrock_google_token *tok = NULL;

		/* Credentials first: with none, that is what to say, not that
		 * they name no project. */
		rc = bedrock_google_provider_get(&tok, c->google, cancel, err);
		bedrock_google_token_release(tok);
		if (!rc && (rc = bedrock_google_provider_project(project, sizeof(project), c->google,
								  cancel, err)) == BEDROCK_ENOTFOUND)
			rc = bedrock__err(err, BEDROCK_ECONFIG, "no Google Cloud project: give one, or "
					  "set ANTHROPIC_VERTEX_PROJECT_ID or GOOGLE_CLOUD_PROJECT "
					  "(the credentials name none)");
		else if (!rc && !(c->project = bedrock__strdup(project)))
			rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		else if (!rc)
			c->project_source = "the credentials";
	}
	pthread_mutex_unlock(&c->project_lock);
	return rc;
}

int bedrock__vertex_prepare(bedrock_client *c, bedrock_error_info *err)
{
	bedrock_google_token *tok = NULL;
	int rc = project_of(c, NULL, err);

	if (!rc)
		rc = bedrock_google_provider_get(&tok, c->google, NULL, err);
	bedrock_google_token_release(tok);
	return rc;
}

int bedrock__vertex_path(char *out, size_t cap, bedrock_client *c, const char *model,
			 const char *method, const bedrock_cancel *cancel, bedrock_error_info *err)
{
	int rc = project_of(c, cancel, err);

	if (rc)
		return rc;
	if (bedrock__vertex_model_path(out, cap, c->project, c->region, model, method))
		return bedrock__err(err, BEDROCK_EINVAL, "the model id or project is too long");
	return 0;
}

int bedrock__vertex_reauth(bedrock_client *c)
{
	if (c->platform != BEDROCK_PLATFORM_VERTEX || !c->google)
		return 0;
	bedrock_google_provider_invalidate(c->google);
	return 1;
}

int bedrock_client_project(char *out, size_t cap, const char **source, bedrock_client *c,
			   bedrock_error_info *err)
{
	int rc;

	if (source)
		*source = NULL;
	if (!out || !cap || !c)
		return bedrock__err(err, BEDROCK_EINVAL, "missing argument");
	out[0] = '\0';
	if (c->platform != BEDROCK_PLATFORM_VERTEX)
		return bedrock__err(err, BEDROCK_ENOTSUP, "a project is Vertex AI's");
	if ((rc = project_of(c, NULL, err)) != 0)
		return rc;
	if (strlen(c->project) >= cap)
		return bedrock__err(err, BEDROCK_ELIMIT, "the project id does not fit");
	memcpy(out, c->project, strlen(c->project) + 1);
	if (source)
		*source = c->project_source;
	return 0;
}

int bedrock__vertex_headers(struct curl_slist **list, bedrock_client *c, const bedrock__call *call,
			    bedrock_error_info *err)
{
	const bedrock_request_options *o = call->options;
	bedrock_google_token *tok = NULL;
	char auth[8192];
	const char *quota;
	size_t n;
	int rc;

	*list = NULL;
	if (o && (o->guardrail_identifier || o->guardrail_version || o->trace ||
		  o->performance_latency || o->service_tier || o->request_metadata))
		return bedrock__err(err, BEDROCK_ENOTSUP, "guardrails, trace, latency, service tier "
				    "and request metadata are Bedrock request options");
	if (call->betas && strpbrk(call->betas, "\r\n"))
		return bedrock__err(err, BEDROCK_EINVAL, "anthropic-beta contains CR or LF");
	rc = bedrock_google_provider_get(&tok, c->google, BEDROCK__CALL_CANCEL(call), err);
	if (rc)
		return rc;
	/* Wiped below as far as it was written: all 8 KiB at every call cost
	 * as much as making the rest of the headers. */
	n = (size_t)snprintf(auth, sizeof(auth), "Bearer %s",
			     bedrock_google_token_access_token(tok));
	if (n >= sizeof(auth)) {
		bedrock__wipe(auth, sizeof(auth));
		bedrock_google_token_release(tok);
		return bedrock__err(err, BEDROCK_EAUTH, "the Google access token is too long");
	}
	quota = bedrock_google_token_quota_project(tok);
	if (((call->body || !strcmp(call->method, "POST")) &&
	     bedrock__header_append(list, "Content-Type", "application/json")) ||
	    bedrock__header_append(list, "Accept", call->accept) ||
	    (call->betas && bedrock__header_append(list, "anthropic-beta", call->betas)) ||
	    bedrock__header_append(list, "Authorization", auth) ||
	    (quota && *quota && bedrock__header_append(list, "x-goog-user-project", quota)) ||
	    bedrock__header_append(list, "User-Agent", c->user_agent) ||
	    bedrock__header_append(list, "Expect", ""))
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	bedrock__wipe(auth, n + 1);
	bedrock_google_token_release(tok);
	if (rc) {
		curl_slist_free_all(*list);
		*list = NULL;
	}
	return rc;
}

void bedrock__vertex_free(bedrock_client *c)
{
	bedrock_google_provider_release(c->google);
	c->google = NULL;
	bedrock__free(c->project);
	c->project = NULL;
}
