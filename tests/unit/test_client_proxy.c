/* Proxies: the client's requests through a recording forward proxy on
 * loopback (tests/fakes/forward_proxy.py) to `bedrock emulate`, from the
 * option or the environment; NO_PROXY; an unreachable proxy as a typed
 * error that names it (never its password); https through CONNECT; and the
 * credential providers' rule (STS through the proxy, the metadata
 * endpoints never). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "proxy_helpers.h"
#include "http.h"

#define MODEL "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
#define MODEL_PATH "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%%3A0"
#define HELLO "{\"anthropic_version\":\"bedrock-2023-05-31\",\"max_tokens\":100," \
	      "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"

static harness_emulator emu;
static test_proxy px;

static const char *const proxy_vars[] = {
	"http_proxy", "HTTP_PROXY", "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY", "ALL_PROXY",
	"all_proxy",
};

static void clear_proxy_env(void)
{
	size_t i;

	for (i = 0; i < sizeof(proxy_vars) / sizeof(proxy_vars[0]); i++)
		unsetenv(proxy_vars[i]);
}

static int setup(void **state)
{
	unsetenv("AWS_BEARER_TOKEN_BEDROCK");
	clear_proxy_env();
	harness_setup(state);
	harness_emulator_start(&emu, NULL);
	test_proxy_start(&px);
	return 0;
}

static int teardown(void **state)
{
	test_proxy_stop(&px);
	harness_emulator_stop(&emu);
	clear_proxy_env();
	return harness_teardown(state);
}

static char logged[4096];

static void log_line(bedrock_log_level level, const char *line, void *payload)
{
	(void)level;
	(void)payload;
	if (strlen(logged) + strlen(line) + 2 < sizeof(logged)) {
		strcat(logged, line);
		strcat(logged, "\n");
	}
}

static bedrock_client *client_with(const char *proxy, const char *no_proxy, const char *endpoint)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.region = "us-east-1";
	o.endpoint_url = endpoint ? endpoint : emu.url;
	o.access_key_id = "AKIDEXAMPLE";
	o.secret_access_key = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
	o.max_attempts = 1;
	o.proxy = proxy;
	o.no_proxy = no_proxy;
	o.log = log_line;
	logged[0] = '\0';
	if (bedrock_client_new(&c, &o, &err))
		fail_msg("client: %s", err.message);
	return c;
}

/* One InvokeModel; returns its result code. */
static int invoke(bedrock_client *c, bedrock_error_info *err)
{
	bedrock_response *r = NULL;
	int rc = bedrock_invoke_model(&r, c, MODEL, HELLO, strlen(HELLO), NULL, err);

	if (!rc)
		assert_non_null(strstr(bedrock_response_body(r, NULL), "You said: Hello, world"));
	bedrock_response_free(r);
	return rc;
}

static void test_client_proxy__option(void **state)
{
	bedrock_client *c = client_with(px.url, NULL, NULL);
	bedrock_error_info err;
	bedrock_response *r;
	bedrock_stream *s;
	bedrock_event ev;
	char target[256];
	int rc, text = 0;

	(void)state;
	test_proxy_clear(&px);
	assert_int_equal(invoke(c, &err), 0);
	/* The request went to the proxy in absolute form, Host unchanged (the
	 * emulator checked the signature over it). */
	snprintf(target, sizeof(target), "\"target\": \"%s" MODEL_PATH "/invoke\"", emu.url);
	assert_int_equal(test_proxy_count(&px, target), 1);
	assert_int_equal(test_proxy_count(&px, "\"method\": \"POST\""), 1);
	assert_int_equal(test_proxy_count(&px, "\"Host\", \"127.0.0.1:"), 1);

	/* A stream, relayed as it arrives. */
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err), 0);
	while ((rc = bedrock_stream_next(&ev, s, &err)) == 0)
		text += ev.text != NULL;
	assert_int_equal(rc, BEDROCK_ITEROVER);
	assert_true(text > 2);
	bedrock_stream_free(s);
	snprintf(target, sizeof(target), "\"target\": \"%s" MODEL_PATH "/invoke-with-response-stream\"",
		 emu.url);
	assert_int_equal(test_proxy_count(&px, target), 1);

	/* The control plane too. */
	assert_int_equal(bedrock_control_request(&r, c, "GET", "/foundation-models?byProvider=Anthropic",
						 NULL, 0, &err), 0);
	bedrock_response_free(r);
	snprintf(target, sizeof(target), "\"target\": \"%s/foundation-models?byProvider=Anthropic\"",
		 emu.url);
	assert_int_equal(test_proxy_count(&px, target), 1);
	/* The debug log says which proxy, and where it came from. */
	assert_non_null(strstr(logged, "proxy for http://127.0.0.1:"));
	assert_non_null(strstr(logged, "(from the proxy option)"));
	bedrock_client_free(c);
}

static void test_client_proxy__environment(void **state)
{
	bedrock_client *c;
	bedrock_error_info err;

	(void)state;
	/* HTTP_PROXY for an http endpoint. */
	setenv("HTTP_PROXY", px.url, 1);
	test_proxy_clear(&px);
	c = client_with(NULL, NULL, NULL);
	assert_int_equal(invoke(c, &err), 0);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 1);
	assert_non_null(strstr(logged, "(from HTTP_PROXY)"));
	bedrock_client_free(c);

	/* The lower-case name wins, as in libcurl and botocore. */
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	setenv("http_proxy", px.url, 1);
	test_proxy_clear(&px);
	c = client_with(NULL, NULL, NULL);
	assert_int_equal(invoke(c, &err), 0);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 1);
	bedrock_client_free(c);

	/* "" in the options means no proxy, whatever the environment says. */
	test_proxy_clear(&px);
	c = client_with("", NULL, NULL);
	assert_int_equal(invoke(c, &err), 0);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 0);
	bedrock_client_free(c);

	/* HTTPS_PROXY is for https endpoints only. */
	clear_proxy_env();
	setenv("HTTPS_PROXY", "http://127.0.0.1:1", 1);
	c = client_with(NULL, NULL, NULL);
	assert_int_equal(invoke(c, &err), 0);
	bedrock_client_free(c);
	clear_proxy_env();
}

static void test_client_proxy__no_proxy(void **state)
{
	static const char *const bypass[] = { "127.0.0.1", "localhost,127.0.0.1", "10.0.0.0/8, 127.0.0.0/8",
					      "*" };
	bedrock_client *c;
	bedrock_error_info err;
	size_t i;

	(void)state;
	setenv("HTTP_PROXY", px.url, 1);
	for (i = 0; i < sizeof(bypass) / sizeof(bypass[0]); i++) {
		/* From NO_PROXY, and from the option. */
		setenv("NO_PROXY", bypass[i], 1);
		test_proxy_clear(&px);
		c = client_with(NULL, NULL, NULL);
		assert_int_equal(invoke(c, &err), 0);
		assert_int_equal(test_proxy_count(&px, "\"method\""), 0);
		bedrock_client_free(c);
		unsetenv("NO_PROXY");
		c = client_with(NULL, bypass[i], NULL);
		assert_int_equal(invoke(c, &err), 0);
		assert_int_equal(test_proxy_count(&px, "\"method\""), 0);
		bedrock_client_free(c);
	}
	/* A list that does not cover the host leaves the proxy in place; ""
	 * in the option overrides NO_PROXY. */
	setenv("NO_PROXY", "127.0.0.1", 1);
	test_proxy_clear(&px);
	c = client_with(NULL, "localhost,10.0.0.0/8,.example.com", NULL);
	assert_int_equal(invoke(c, &err), 0);
	bedrock_client_free(c);
	c = client_with(NULL, "", NULL);
	assert_int_equal(invoke(c, &err), 0);
	bedrock_client_free(c);
	assert_int_equal(test_proxy_count(&px, "\"method\""), 2);
	clear_proxy_env();
}

static void test_client_proxy__unreachable_proxy_is_named(void **state)
{
	bedrock_client *c = client_with("http://alice:s3cret-CANARY@127.0.0.1:1", NULL, NULL);
	bedrock_error_info err;
	bedrock_stream *s;

	(void)state;
	assert_int_equal(invoke(c, &err), BEDROCK_EIO);
	assert_non_null(strstr(err.message, "cannot reach the proxy http://****@127.0.0.1:1"));
	assert_non_null(strstr(err.message, "from the proxy option"));
	assert_null(strstr(err.message, "s3cret"));
	assert_null(strstr(err.message, "alice"));
	assert_true(err.retryable);
	assert_int_equal(err.http_status, 0);
	assert_int_equal(bedrock_invoke_model_stream(&s, c, MODEL, HELLO, strlen(HELLO), NULL, &err),
			 BEDROCK_EIO);
	assert_non_null(strstr(err.message, "proxy http://****@127.0.0.1:1"));
	assert_null(strstr(logged, "s3cret"));
	assert_non_null(strstr(logged, "http://****@127.0.0.1:1"));
	bedrock_client_free(c);

	/* From the environment, the variable is named. */
	setenv("http_proxy", "127.0.0.1:1", 1);
	c = client_with(NULL, NULL, NULL);
	assert_int_equal(invoke(c, &err), BEDROCK_EIO);
	assert_non_null(strstr(err.message, "cannot reach the proxy 127.0.0.1:1 (from http_proxy)"));
	bedrock_client_free(c);
	clear_proxy_env();
}

static void test_client_proxy__https_is_tunnelled(void **state)
{
	/* The proxy refuses every CONNECT without going anywhere: the test
	 * only sees that the client asked for a tunnel to Bedrock's host. */
	bedrock_client *c = client_with(px.url, NULL, "https://bedrock-runtime.us-east-1.amazonaws.com");
	bedrock_error_info err;
	int rc;

	(void)state;
	test_proxy_clear(&px);
	rc = invoke(c, &err);
	assert_true(rc == BEDROCK_EIO);
	assert_int_equal(test_proxy_count(&px, "\"method\": \"CONNECT\", \"target\": "
					       "\"bedrock-runtime.us-east-1.amazonaws.com:443\""), 1);
	assert_non_null(strstr(err.message, "through the proxy http://127.0.0.1:"));
	bedrock_client_free(c);
}

/* ---- the credential providers ---- */

static void test_client_proxy__credential_providers(void **state)
{
	harness_fake fake;
	bedrock_creds_provider *p;
	bedrock_credentials *cr;
	bedrock_error_info err;
	char path[256], url[128];
	FILE *f;
	char *log;

	(void)state;
	harness_fake_start(&fake);
	setenv("HTTP_PROXY", px.url, 1);

	/* STS (web identity) goes through the proxy, as botocore's clients do. */
	snprintf(path, sizeof(path), "%s/token", fake.dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("eyJ.web.identity.token", f);
	fclose(f);
	setenv("AWS_WEB_IDENTITY_TOKEN_FILE", path, 1);
	setenv("AWS_ROLE_ARN", "arn:aws:iam::123456789012:role/web", 1);
	setenv("AWS_ENDPOINT_URL_STS", fake.url, 1);
	setenv("AWS_REGION", "us-east-1", 1);
	test_proxy_clear(&px);
	assert_int_equal(bedrock_creds_provider_new_web_identity(&p, NULL), 0);
	assert_int_equal(bedrock_creds_provider_get(&cr, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(cr), "ASIASTSFAKE00001");
	bedrock_credentials_release(cr);
	bedrock_creds_provider_release(p);
	snprintf(url, sizeof(url), "\"target\": \"%s/\"", fake.url);
	assert_int_equal(test_proxy_count(&px, url), 1);

	/* ... and an unreachable one is named in the error. */
	setenv("HTTP_PROXY", "http://127.0.0.1:1", 1);
	assert_int_equal(bedrock_creds_provider_new_web_identity(&p, NULL), 0);
	assert_int_not_equal(bedrock_creds_provider_get(&cr, p, &err), 0);
	assert_non_null(strstr(err.message, "through the proxy http://127.0.0.1:1 from HTTP_PROXY"));
	bedrock_creds_provider_release(p);
	unsetenv("AWS_WEB_IDENTITY_TOKEN_FILE");
	unsetenv("AWS_ROLE_ARN");
	unsetenv("AWS_ENDPOINT_URL_STS");

	/* The instance and container metadata endpoints never do, even
	 * with a proxy that cannot be reached. */
	setenv("AWS_EC2_METADATA_SERVICE_ENDPOINT", fake.url, 1);
	harness_fake_set_state(&fake, "{\"imds\": {}}");
	harness_fake_clear_log(&fake);
	assert_int_equal(bedrock_creds_provider_new_imds(&p, NULL), 0);
	assert_int_equal(bedrock_creds_provider_get(&cr, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(cr), "ASIAIMDSFAKE0001");
	bedrock_credentials_release(cr);
	bedrock_creds_provider_release(p);
	unsetenv("AWS_EC2_METADATA_SERVICE_ENDPOINT");
	snprintf(url, sizeof(url), "%s/ecs/creds", fake.url);
	setenv("AWS_CONTAINER_CREDENTIALS_FULL_URI", url, 1);
	assert_int_equal(bedrock_creds_provider_new_container(&p), 0);
	assert_int_equal(bedrock_creds_provider_get(&cr, p, &err), 0);
	assert_string_equal(bedrock_credentials_access_key_id(cr), "ASIAECSFAKE00001");
	bedrock_credentials_release(cr);
	bedrock_creds_provider_release(p);
	unsetenv("AWS_CONTAINER_CREDENTIALS_FULL_URI");
	log = harness_fake_log(&fake);
	assert_non_null(strstr(log, "/latest/api/token"));
	assert_non_null(strstr(log, "/ecs/creds"));
	free(log);
	clear_proxy_env();
	unsetenv("AWS_REGION");
	harness_fake_stop(&fake);
}

/* ---- the rule itself ---- */

static void test_client_proxy__no_proxy_rules(void **state)
{
	char shown[128];
	const char *src;

	(void)state;
	assert_true(bedrock__no_proxy_match("127.0.0.1", "http://127.0.0.1:4567/model/x"));
	assert_true(bedrock__no_proxy_match("amazonaws.com", "https://bedrock-runtime.us-east-1.amazonaws.com"));
	assert_true(bedrock__no_proxy_match(".amazonaws.com", "https://bedrock.us-east-1.amazonaws.com/"));
	assert_true(bedrock__no_proxy_match("AmazonAWS.com", "https://BEDROCK.us-east-1.amazonaws.com"));
	assert_false(bedrock__no_proxy_match("amazonaws.com", "https://notamazonaws.com"));
	assert_false(bedrock__no_proxy_match("bedrock.amazonaws.com", "https://amazonaws.com"));
	assert_true(bedrock__no_proxy_match("a.com, b.com ,c.com", "http://b.com:8080"));
	assert_true(bedrock__no_proxy_match("10.0.0.0/8", "http://10.1.2.3:80/x"));
	assert_false(bedrock__no_proxy_match("10.0.0.0/8", "http://11.0.0.1/"));
	assert_true(bedrock__no_proxy_match("169.254.169.254", "http://169.254.169.254/latest"));
	assert_true(bedrock__no_proxy_match("fd00::/8", "http://[fd00:ec2::254]/latest"));
	assert_true(bedrock__no_proxy_match("[::1]", "http://[::1]:4567/"));
	assert_false(bedrock__no_proxy_match("::1", "http://127.0.0.1/"));
	assert_false(bedrock__no_proxy_match("10.0.0.0/33", "http://10.0.0.1/"));
	assert_true(bedrock__no_proxy_match("*", "https://anything.example"));
	assert_true(bedrock__no_proxy_match("example.com", "http://user:pw@example.com:81/"));
	assert_false(bedrock__no_proxy_match("", "http://127.0.0.1/"));
	assert_false(bedrock__no_proxy_match(NULL, "http://127.0.0.1/"));

	clear_proxy_env();
	setenv("https_proxy", "http://lower:1", 1);
	setenv("HTTPS_PROXY", "http://upper:1", 1);
	setenv("HTTP_PROXY", "http://plain:1", 1);
	assert_string_equal(bedrock__proxy_for("https://h.example/", NULL, NULL, &src), "http://lower:1");
	assert_string_equal(src, "https_proxy");
	assert_string_equal(bedrock__proxy_for("http://h.example/", NULL, NULL, &src), "http://plain:1");
	assert_string_equal(src, "HTTP_PROXY");
	assert_null(bedrock__proxy_for("http://h.example/", "", NULL, &src));
	assert_string_equal(bedrock__proxy_for("http://h.example/", "http://opt:1", NULL, &src),
			    "http://opt:1");
	setenv("no_proxy", "h.example", 1);
	assert_null(bedrock__proxy_for("https://h.example/", NULL, NULL, &src));
	assert_string_equal(bedrock__proxy_for("https://h.example/", NULL, "", &src), "http://lower:1");
	clear_proxy_env();

	bedrock__proxy_display(shown, sizeof(shown), "http://user:pass@proxy.example:3128");
	assert_string_equal(shown, "http://****@proxy.example:3128");
	bedrock__proxy_display(shown, sizeof(shown), "proxy.example:3128");
	assert_string_equal(shown, "proxy.example:3128");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_client_proxy__option),
		cmocka_unit_test(test_client_proxy__environment),
		cmocka_unit_test(test_client_proxy__no_proxy),
		cmocka_unit_test(test_client_proxy__unreachable_proxy_is_named),
		cmocka_unit_test(test_client_proxy__https_is_tunnelled),
		cmocka_unit_test(test_client_proxy__credential_providers),
		cmocka_unit_test(test_client_proxy__no_proxy_rules),
	};
	return cmocka_run_group_tests(tests, setup, teardown);
}
