/* Google credentials without a network: the credentials-file parser (every
 * type, every bad file), the service-account JWT (checked with libcrypto's
 * verifier), token-endpoint answers, the AWS-sourced subject token, and
 * the RS256/base64url helpers under them. Keys are made here at test time.
 * No error message may quote a secret. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "harness.h"
#include "alloc.h"
#include "base64.h"
#include "crypto.h"
#include "google_private.h"
#include "json.h"
#include "urlcode.h"

#define CLIENT_SECRET "user-client-secret-XYZZY"
#define REFRESH "1//refresh-token-PLUGH"

static EVP_PKEY *rsa_key, *ec_key;
static char *rsa_pem, *rsa_pkcs1_pem, *ec_pem, *pub_pem, *enc_pem;
static char key_slice[33];	/* from the middle of the key's base64 */

static char *pem_of(EVP_PKEY *k, int kind)
{
	BIO *b = BIO_new(BIO_s_mem());
	char *data, *out;
	long n;

	assert_non_null(b);
	if (kind == 0)
		assert_int_equal(PEM_write_bio_PrivateKey(b, k, NULL, NULL, 0, NULL, NULL), 1);
	else if (kind == 1)
		assert_int_equal(PEM_write_bio_PUBKEY(b, k), 1);
	else if (kind == 2)
		assert_int_equal(PEM_write_bio_PrivateKey(b, k, EVP_aes_256_cbc(),
							  (unsigned char *)"pass", 4, NULL, NULL), 1);
	else
		assert_int_equal(PEM_write_bio_PrivateKey_traditional(b, k, NULL, NULL, 0, NULL,
								      NULL), 1);
	n = BIO_get_mem_data(b, &data);
	out = malloc((size_t)n + 1);
	memcpy(out, data, (size_t)n);
	out[n] = '\0';
	BIO_free(b);
	return out;
}

static int group_setup(void **state)
{
	rsa_key = EVP_RSA_gen(2048);
	ec_key = EVP_EC_gen("P-256");
	if (!rsa_key || !ec_key)
		return -1;
	rsa_pem = pem_of(rsa_key, 0);
	rsa_pkcs1_pem = pem_of(rsa_key, 3);
	pub_pem = pem_of(rsa_key, 1);
	enc_pem = pem_of(rsa_key, 2);
	ec_pem = pem_of(ec_key, 0);
	memcpy(key_slice, rsa_pem + 200, 32);
	return harness_setup(state);
}

static int group_teardown(void **state)
{
	EVP_PKEY_free(rsa_key);
	EVP_PKEY_free(ec_key);
	free(rsa_pem);
	free(rsa_pkcs1_pem);
	free(pub_pem);
	free(enc_pem);
	free(ec_pem);
	return harness_teardown(state);
}

/* A service account file with key pem, as JSON text (free()). */
static char *sa_json(const char *pem, const char *drop, const char *token_uri)
{
	cJSON *j = cJSON_CreateObject();
	char *s, *out;

	cJSON_AddStringToObject(j, "type", "service_account");
	cJSON_AddStringToObject(j, "project_id", "proj-sa");
	cJSON_AddStringToObject(j, "private_key_id", "0123456789abcdef4d2e");
	cJSON_AddStringToObject(j, "private_key", pem);
	cJSON_AddStringToObject(j, "client_email", "sa@proj-sa.iam.gserviceaccount.com");
	cJSON_AddStringToObject(j, "token_uri", token_uri ? token_uri : "https://oauth2.googleapis.com/token");
	if (drop)
		cJSON_DeleteItemFromObject(j, drop);
	s = cJSON_PrintUnformatted(j);
	out = strdup(s);
	cJSON_free(s);
	cJSON_Delete(j);
	return out;
}

static const char *user_json =
	"{\"type\": \"authorized_user\", \"client_id\": \"cid.apps.googleusercontent.com\", "
	"\"client_secret\": \"" CLIENT_SECRET "\", \"refresh_token\": \"" REFRESH "\", "
	"\"quota_project_id\": \"proj-quota\"}";

/* Parses text as file "/tmp/creds.json"; the code; err.message must name
 * the file and quote no secret. */
static int parse(bedrock__google_file **f, const char *text, bedrock_error_info *err)
{
	int rc = bedrock__google_file_parse(f, text, strlen(text), "/tmp/creds.json", err);

	if (rc) {
		assert_null(*f);
		assert_int_equal(err->code, rc);
		assert_non_null(strstr(err->message, "/tmp/creds.json"));
		assert_null(strstr(err->message, CLIENT_SECRET));
		assert_null(strstr(err->message, REFRESH));
		assert_null(strstr(err->message, "MII"));	/* a key's base64 */
		assert_null(strstr(err->message, key_slice));
	}
	return rc;
}

static void expect_error(const char *text, int code, const char *what)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;

	assert_int_equal(parse(&f, text, &err), code);
	if (!strstr(err.message, what))
		fail_msg("\"%s\" not in \"%s\"", what, err.message);
}

static void test_google_file__service_account(void **state)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;
	char *text = sa_json(rsa_pem, NULL, NULL);

	(void)state;
	assert_int_equal(parse(&f, text, &err), 0);
	assert_int_equal(f->type, BEDROCK_GOOGLE_SERVICE_ACCOUNT);
	assert_string_equal(f->client_email, "sa@proj-sa.iam.gserviceaccount.com");
	assert_string_equal(f->private_key_id, "0123456789abcdef4d2e");
	assert_string_equal(f->token_uri, "https://oauth2.googleapis.com/token");
	assert_non_null(f->key);
	assert_int_equal(bedrock__rsa_key_size(f->key), 256);
	assert_string_equal(bedrock__google_file_project(f), "proj-sa");
	bedrock__google_file_free(f);
	free(text);

	/* PKCS#1 ("BEGIN RSA PRIVATE KEY") keys work too. */
	text = sa_json(rsa_pkcs1_pem, NULL, "http://127.0.0.1:9/token");
	assert_int_equal(parse(&f, text, &err), 0);
	assert_string_equal(f->token_uri, "http://127.0.0.1:9/token");
	bedrock__google_file_free(f);
	free(text);
}

static void test_google_file__bad_keys(void **state)
{
	const char *bad[] = { NULL, NULL, NULL, "-----BEGIN PRIVATE KEY-----\nMIIBroken\n"
			      "-----END PRIVATE KEY-----\n", "not a key at all" };
	size_t i;
	char *text;

	(void)state;
	bad[0] = ec_pem;
	bad[1] = pub_pem;
	bad[2] = enc_pem;	/* never prompts for the pass phrase */
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		text = sa_json(bad[i], NULL, NULL);
		expect_error(text, BEDROCK_ECONFIG, i == 0 ? "not an RSA one"
			     : "\"private_key\" is not an RSA private key in PEM");
		free(text);
	}
}

static void test_google_file__authorized_user(void **state)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;

	(void)state;
	assert_int_equal(parse(&f, user_json, &err), 0);
	assert_int_equal(f->type, BEDROCK_GOOGLE_AUTHORIZED_USER);
	assert_string_equal(f->client_secret, CLIENT_SECRET);
	assert_string_equal(f->refresh_token, REFRESH);
	assert_null(f->token_uri);
	/* No project_id: the quota project is the project it names. */
	assert_string_equal(bedrock__google_file_project(f), "proj-quota");
	bedrock__google_file_free(f);
}

static void test_google_file__impersonated_and_external(void **state)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;
	char text[2048];

	(void)state;
	snprintf(text, sizeof(text),
		 "{\"type\": \"impersonated_service_account\", \"service_account_impersonation_url\": "
		 "\"https://iamcredentials.googleapis.com/v1/projects/-/serviceAccounts/"
		 "t@p.iam.gserviceaccount.com:generateAccessToken\", \"delegates\": [\"d1\", \"d2\"], "
		 "\"source_credentials\": %s}", user_json);
	assert_int_equal(parse(&f, text, &err), 0);
	assert_int_equal(f->type, BEDROCK_GOOGLE_IMPERSONATED_SERVICE_ACCOUNT);
	assert_string_equal(f->impersonated_email, "t@p.iam.gserviceaccount.com");
	assert_int_equal(f->delegate_count, 2);
	assert_string_equal(f->delegates[1], "d2");
	assert_int_equal(f->lifetime_seconds, 3600);
	assert_int_equal(f->source->type, BEDROCK_GOOGLE_AUTHORIZED_USER);
	bedrock__google_file_free(f);

	assert_int_equal(parse(&f, "{\"type\": \"external_account\", \"audience\": \"//aud\", "
			       "\"subject_token_type\": \"urn:ietf:params:oauth:token-type:jwt\", "
			       "\"token_url\": \"https://sts.googleapis.com/v1/token\", "
			       "\"service_account_impersonation_url\": \"https://x/v1/projects/-/"
			       "serviceAccounts/s@p:generateAccessToken\", "
			       "\"service_account_impersonation\": {\"token_lifetime_seconds\": 1200}, "
			       "\"credential_source\": {\"url\": \"http://169.254.169.254/token\", "
			       "\"headers\": {\"Metadata\": \"True\"}, \"format\": {\"type\": \"json\", "
			       "\"subject_token_field_name\": \"access_token\"}}}", &err), 0);
	assert_int_equal(f->subject_kind, BEDROCK__SUBJECT_URL);
	assert_int_equal(f->subject_header_count, 1);
	assert_string_equal(f->subject_headers[0], "Metadata");
	assert_string_equal(f->subject_field, "access_token");
	assert_int_equal(f->lifetime_seconds, 1200);
	assert_string_equal(f->impersonated_email, "s@p");
	bedrock__google_file_free(f);

	assert_int_equal(parse(&f, "{\"type\": \"external_account\", \"audience\": \"//aud\", "
			       "\"subject_token_type\": \"urn:ietf:params:aws:token-type:aws4_request\", "
			       "\"token_url\": \"https://sts.googleapis.com/v1/token\", "
			       "\"credential_source\": {\"environment_id\": \"aws1\", \"url\": "
			       "\"http://169.254.169.254/latest/meta-data/iam/security-credentials\", "
			       "\"regional_cred_verification_url\": \"https://sts.{region}.amazonaws.com"
			       "?Action=GetCallerIdentity&Version=2011-06-15\"}}", &err), 0);
	assert_int_equal(f->subject_kind, BEDROCK__SUBJECT_AWS);
	assert_null(f->aws_region_url);
	assert_non_null(f->aws_credentials_url);
	bedrock__google_file_free(f);
}

static void test_google_file__bad_files(void **state)
{
	char *text;
	char buf[1024];
	static const struct { const char *src; int code; const char *what; } sources[] = {
		{ "{\"file\": \"/a\", \"url\": \"https://b\"}", BEDROCK_ECONFIG, "both \"file\" and \"url\"" },
		{ "{}", BEDROCK_ECONFIG, "names no \"file\", \"url\" or \"environment_id\"" },
		{ "{\"executable\": {\"command\": \"x --flag\"}}", BEDROCK_ECONFIG,
		  "must start with an absolute path" },
		{ "{\"executable\": {\"command\": \"/bin/x\", \"timeout_millis\": 100}}",
		  BEDROCK_ECONFIG, "\"timeout_millis\" must be a number from 5000 to 120000" },
		{ "{\"executable\": {\"timeout_millis\": 5000}}", BEDROCK_ECONFIG,
		  "missing field \"command\"" },
		{ "{\"executable\": \"/bin/x\"}", BEDROCK_ECONFIG, "\"executable\" is not an object" },
		{ "{\"certificate\": {\"use_default_certificate_config\": true}}", BEDROCK_ENOTSUP,
		  "certificate (X.509) credential sources are not supported" },
		{ "{\"environment_id\": \"aws2\", \"regional_cred_verification_url\": \"https://x\"}",
		  BEDROCK_ENOTSUP, "only aws1" },
		{ "{\"environment_id\": \"azure1\"}", BEDROCK_ECONFIG, "is not \"aws1\"" },
		{ "{\"environment_id\": \"aws1\"}", BEDROCK_ECONFIG,
		  "missing field \"regional_cred_verification_url\"" },
		{ "{\"file\": \"/a\", \"format\": {\"type\": \"json\"}}", BEDROCK_ECONFIG,
		  "subject_token_field_name" },
		{ "{\"file\": \"/a\", \"format\": {\"type\": \"xml\"}}", BEDROCK_ECONFIG,
		  "neither \"text\" nor \"json\"" },
		{ "{\"url\": \"https://a\", \"headers\": {\"Bad Name\": \"v\"}}", BEDROCK_ECONFIG,
		  "bad header" },
		{ "{\"url\": \"file:///etc/passwd\"}", BEDROCK_ECONFIG, "not an http or https URL" },
		{ "\"nope\"", BEDROCK_ECONFIG, "credential_source" },
	};
	size_t i;

	(void)state;
	expect_error("", BEDROCK_ECONFIG, "not valid JSON");
	expect_error("{\"type\": \"service_account\"} trailing", BEDROCK_ECONFIG, "not valid JSON");
	expect_error("[1, 2]", BEDROCK_ECONFIG, "not a JSON object");
	expect_error("{}", BEDROCK_ECONFIG, "has no \"type\"");
	expect_error("{\"type\": 7}", BEDROCK_ECONFIG, "\"type\" is not a string");
	expect_error("{\"type\": \"service_acount\"}", BEDROCK_ECONFIG,
		     "unknown type \"service_acount\" (expected service_account, authorized_user, "
		     "impersonated_service_account, external_account or external_account_authorized_user)");
	expect_error("{\"type\": \"gdch_service_account\"}", BEDROCK_ENOTSUP,
		     "type \"gdch_service_account\" (Google Distributed Cloud Hosted) is not supported");
	expect_error("{\"type\": \"authorized_user\", \"universe_domain\": \"example.com\"}",
		     BEDROCK_ENOTSUP, "universe_domain \"example.com\"");

	/* Each required field of each type. */
	text = sa_json(rsa_pem, "client_email", NULL);
	expect_error(text, BEDROCK_ECONFIG, "missing field \"client_email\"");
	free(text);
	text = sa_json(rsa_pem, "private_key", NULL);
	expect_error(text, BEDROCK_ECONFIG, "missing field \"private_key\"");
	free(text);
	expect_error("{\"type\": \"authorized_user\", \"client_secret\": \"" CLIENT_SECRET "\", "
		     "\"refresh_token\": \"" REFRESH "\"}", BEDROCK_ECONFIG, "missing field \"client_id\"");
	expect_error("{\"type\": \"authorized_user\", \"client_id\": \"c\", "
		     "\"refresh_token\": \"" REFRESH "\"}", BEDROCK_ECONFIG,
		     "missing field \"client_secret\"");
	expect_error("{\"type\": \"authorized_user\", \"client_id\": \"c\", \"client_secret\": \""
		     CLIENT_SECRET "\", \"refresh_token\": 12}", BEDROCK_ECONFIG,
		     "field \"refresh_token\" is not a string");
	expect_error("{\"type\": \"impersonated_service_account\", \"source_credentials\": {}}",
		     BEDROCK_ECONFIG, "missing field \"service_account_impersonation_url\"");
	expect_error("{\"type\": \"impersonated_service_account\", "
		     "\"service_account_impersonation_url\": \"https://x/serviceAccounts/a:generateAccessToken\"}",
		     BEDROCK_ECONFIG, "missing field \"source_credentials\"");
	expect_error("{\"type\": \"impersonated_service_account\", "
		     "\"service_account_impersonation_url\": \"https://x/serviceAccounts/a:signJwt\", "
		     "\"source_credentials\": {}}", BEDROCK_ECONFIG,
		     ".../serviceAccounts/EMAIL:generateAccessToken");
	expect_error("{\"type\": \"impersonated_service_account\", "
		     "\"service_account_impersonation_url\": \"https://x/serviceAccounts/a:generateAccessToken\", "
		     "\"source_credentials\": {\"type\": \"authorized_user\"}}", BEDROCK_ECONFIG,
		     "missing field \"client_id\"");
	expect_error("{\"type\": \"impersonated_service_account\", "
		     "\"service_account_impersonation_url\": \"https://x/serviceAccounts/a:generateAccessToken\", "
		     "\"source_credentials\": {\"type\": \"impersonated_service_account\"}}",
		     BEDROCK_ENOTSUP, "source_credentials of type");
	expect_error("{\"type\": \"external_account\", \"subject_token_type\": \"t\", "
		     "\"token_url\": \"https://s/t\", \"credential_source\": {\"file\": \"/a\"}}",
		     BEDROCK_ECONFIG, "missing field \"audience\"");
	expect_error("{\"type\": \"external_account\", \"audience\": \"a\", "
		     "\"token_url\": \"https://s/t\", \"credential_source\": {\"file\": \"/a\"}}",
		     BEDROCK_ECONFIG, "missing field \"subject_token_type\"");
	expect_error("{\"type\": \"external_account\", \"audience\": \"a\", "
		     "\"subject_token_type\": \"t\", \"credential_source\": {\"file\": \"/a\"}}",
		     BEDROCK_ECONFIG, "missing field \"token_url\"");
	expect_error("{\"type\": \"external_account\", \"audience\": \"a\", "
		     "\"subject_token_type\": \"t\", \"token_url\": \"https://s/t\"}",
		     BEDROCK_ECONFIG, "missing field \"credential_source\"");
	for (i = 0; i < sizeof(sources) / sizeof(sources[0]); i++) {
		snprintf(buf, sizeof(buf), "{\"type\": \"external_account\", \"audience\": \"//a\", "
			 "\"subject_token_type\": \"t\", \"token_url\": \"https://s/t\", "
			 "\"credential_source\": %s}", sources[i].src);
		expect_error(buf, sources[i].code, sources[i].what);
	}

	/* Secrets never go to another host in clear. */
	text = sa_json(rsa_pem, NULL, "http://oauth2.example.com/token");
	expect_error(text, BEDROCK_ECONFIG, "\"token_uri\" must be https");
	free(text);
	text = sa_json(rsa_pem, NULL, "https://user@oauth2.example.com/token");
	expect_error(text, BEDROCK_ECONFIG, "user name");
	free(text);
	expect_error("{\"type\": \"authorized_user\", \"client_id\": \"c\", \"client_secret\": \""
		     CLIENT_SECRET "\", \"refresh_token\": \"" REFRESH "\", \"token_uri\": "
		     "\"https://a b\"}", BEDROCK_ECONFIG, "space or control character");
}

static void test_google_file__load(void **state)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;
	char path[] = "/tmp/bedrock-google-XXXXXX";
	int fd = mkstemp(path);

	(void)state;
	assert_true(fd >= 0);
	assert_int_equal(write(fd, user_json, strlen(user_json)), (int)strlen(user_json));
	close(fd);
	assert_int_equal(bedrock__google_file_load(&f, path, &err), 0);
	assert_string_equal(f->name, path);
	bedrock__google_file_free(f);
	unlink(path);
	assert_int_equal(bedrock__google_file_load(&f, path, &err), BEDROCK_ECONFIG);
	assert_non_null(strstr(err.message, path));
	assert_non_null(strstr(err.message, "cannot open it: No such file or directory"));
}

/* base64url-decodes s[0..n) into a malloc'd, NUL-terminated buffer. */
static char *b64url_dec(const char *s, size_t n, size_t *len)
{
	char *std = malloc(n + 4);
	uint8_t *out;
	size_t i;

	for (i = 0; i < n; i++) {
		assert_true(s[i] != '+' && s[i] != '/' && s[i] != '=');
		std[i] = s[i] == '-' ? '+' : s[i] == '_' ? '/' : s[i];
	}
	while (i % 4)
		std[i++] = '=';
	out = malloc(bedrock__base64_decoded_cap(i));
	assert_int_equal(bedrock__base64_decode(out, len, std, i), 0);
	free(std);
	return (char *)out;
}

static void test_google_file__jwt(void **state)
{
	bedrock__google_file *f = NULL;
	bedrock_error_info err;
	char *text = sa_json(rsa_pem, NULL, "https://oauth2.example.com/token"), *jwt = NULL;
	char *hdr, *claims, *sig, *dot1, *dot2;
	size_t hl, cl, sl;
	cJSON *h, *c;
	EVP_MD_CTX *ctx;

	(void)state;
	assert_int_equal(parse(&f, text, &err), 0);
	free(text);
	assert_int_equal(bedrock__google_jwt(&jwt, f, 1700000000, &err), 0);
	dot1 = strchr(jwt, '.');
	dot2 = dot1 ? strchr(dot1 + 1, '.') : NULL;
	assert_non_null(dot2);
	hdr = b64url_dec(jwt, (size_t)(dot1 - jwt), &hl);
	claims = b64url_dec(dot1 + 1, (size_t)(dot2 - dot1 - 1), &cl);
	sig = b64url_dec(dot2 + 1, strlen(dot2 + 1), &sl);
	h = cJSON_Parse(hdr);
	c = cJSON_Parse(claims);
	assert_string_equal(bedrock__json_str(h, "alg"), "RS256");
	assert_string_equal(bedrock__json_str(h, "typ"), "JWT");
	assert_string_equal(bedrock__json_str(h, "kid"), "0123456789abcdef4d2e");
	assert_string_equal(bedrock__json_str(c, "iss"), "sa@proj-sa.iam.gserviceaccount.com");
	assert_string_equal(bedrock__json_str(c, "aud"), "https://oauth2.example.com/token");
	assert_string_equal(bedrock__json_str(c, "scope"),
			    "https://www.googleapis.com/auth/cloud-platform");
	assert_int_equal(bedrock__json_int(c, "iat"), 1700000000);
	assert_int_equal(bedrock__json_int(c, "exp"), 1700003600);
	assert_null(cJSON_GetObjectItem(c, "sub"));
	/* The signature is RS256 over "header.claims", by the file's key. */
	assert_int_equal(sl, 256);
	ctx = EVP_MD_CTX_new();
	assert_int_equal(EVP_DigestVerifyInit(ctx, NULL, EVP_sha256(), NULL, rsa_key), 1);
	assert_int_equal(EVP_DigestVerify(ctx, (unsigned char *)sig, sl, (unsigned char *)jwt,
					  (size_t)(dot2 - jwt)), 1);
	sig[10] ^= 1;
	assert_int_not_equal(EVP_DigestVerify(ctx, (unsigned char *)sig, sl, (unsigned char *)jwt,
					      (size_t)(dot2 - jwt)), 1);
	EVP_MD_CTX_free(ctx);
	cJSON_Delete(h);
	cJSON_Delete(c);
	free(hdr);
	free(claims);
	free(sig);
	bedrock__free(jwt);
	bedrock__google_file_free(f);
}

static void test_google_file__rs256_and_base64url(void **state)
{
	static const struct { const char *in, *out; } v[] = {
		{ "", "" }, { "f", "Zg" }, { "fo", "Zm8" }, { "foo", "Zm9v" },
		{ "\xfb\xff", "-_8" }, { "\xfb\xef\xbe", "----" }, { "\xff\xff\xff", "____" },
	};
	bedrock__rsa_key *k = NULL;
	uint8_t s1[512], s2[512];
	size_t n1, n2, i;
	char out[16];

	(void)state;
	for (i = 0; i < sizeof(v) / sizeof(v[0]); i++) {
		assert_int_equal(bedrock__base64url_encode(out, v[i].in, strlen(v[i].in)),
				 strlen(v[i].out));
		assert_string_equal(out, v[i].out);
	}
	assert_int_equal(bedrock__rsa_key_from_pem(&k, rsa_pem, strlen(rsa_pem)), 0);
	assert_int_equal(bedrock__rs256_sign(s1, &n1, k, "data", 4), 0);
	assert_int_equal(bedrock__rs256_sign(s2, &n2, k, "data", 4), 0);
	/* PKCS#1 v1.5 is deterministic: the same key and data, the same bytes. */
	assert_int_equal(n1, 256);
	assert_memory_equal(s1, s2, n1);
	assert_int_equal(bedrock__rs256_sign(s2, &n2, k, "datb", 4), 0);
	assert_memory_not_equal(s1, s2, n1);
	bedrock__rsa_key_free(k);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, ec_pem, strlen(ec_pem)), BEDROCK__RSA_NOT_RSA);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, enc_pem, strlen(enc_pem)), BEDROCK__RSA_NOT_PEM);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, pub_pem, strlen(pub_pem)), BEDROCK__RSA_NOT_PEM);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, "", 0), BEDROCK__RSA_NOT_PEM);
	assert_null(k);
}

/* The key reader takes the first private-key block of a PEM text, PKCS#8
 * or PKCS#1, with OpenSSL's RSA decoders alone: the same key either way;
 * another algorithm's key, in either form, is "not RSA"; an encrypted one,
 * in either form, is never asked a pass phrase for. */
static void test_google_file__pem_forms(void **state)
{
	bedrock__rsa_key *k = NULL;
	uint8_t s1[512], s2[512];
	size_t n1, n2;
	char *text, *ec_trad, *enc_trad;
	BIO *b;
	long n;

	(void)state;
	assert_int_equal(bedrock__rsa_key_from_pem(&k, rsa_pem, strlen(rsa_pem)), 0);
	assert_int_equal(bedrock__rs256_sign(s1, &n1, k, "data", 4), 0);
	bedrock__rsa_key_free(k);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, rsa_pkcs1_pem, strlen(rsa_pkcs1_pem)), 0);
	assert_int_equal(bedrock__rs256_sign(s2, &n2, k, "data", 4), 0);
	bedrock__rsa_key_free(k);
	assert_int_equal(n1, n2);
	assert_memory_equal(s1, s2, n1);

	/* A public key first (as in a file with the certificate before the
	 * key): passed over. */
	text = malloc(strlen(pub_pem) + strlen(rsa_pem) + 1);
	assert_non_null(text);
	strcpy(text, pub_pem);
	strcat(text, rsa_pem);
	assert_int_equal(bedrock__rsa_key_from_pem(&k, text, strlen(text)), 0);
	assert_int_equal(bedrock__rs256_sign(s2, &n2, k, "data", 4), 0);
	assert_memory_equal(s1, s2, n1);
	bedrock__rsa_key_free(k);
	k = NULL;
	free(text);

	/* "EC PRIVATE KEY", and "RSA PRIVATE KEY" with Proc-Type and DEK-Info. */
	ec_trad = pem_of(ec_key, 3);
	assert_non_null(strstr(ec_trad, "BEGIN EC PRIVATE KEY"));
	assert_int_equal(bedrock__rsa_key_from_pem(&k, ec_trad, strlen(ec_trad)),
			 BEDROCK__RSA_NOT_RSA);
	b = BIO_new(BIO_s_mem());
	assert_non_null(b);
	assert_int_equal(PEM_write_bio_PrivateKey_traditional(b, rsa_key, EVP_aes_256_cbc(),
							      (unsigned char *)"pass", 4, NULL,
							      NULL), 1);
	n = BIO_get_mem_data(b, &text);
	enc_trad = strndup(text, (size_t)n);
	BIO_free(b);
	assert_non_null(strstr(enc_trad, "Proc-Type: 4,ENCRYPTED"));
	assert_int_equal(bedrock__rsa_key_from_pem(&k, enc_trad, strlen(enc_trad)),
			 BEDROCK__RSA_NOT_PEM);

	/* Good base64, but not a key inside. */
	text = "-----BEGIN PRIVATE KEY-----\nMAMCAQA=\n-----END PRIVATE KEY-----\n";
	assert_int_equal(bedrock__rsa_key_from_pem(&k, text, strlen(text)), BEDROCK__RSA_NOT_PEM);
	text = "-----BEGIN RSA PRIVATE KEY-----\nMAMCAQA=\n-----END RSA PRIVATE KEY-----\n";
	assert_int_equal(bedrock__rsa_key_from_pem(&k, text, strlen(text)), BEDROCK__RSA_NOT_PEM);
	assert_null(k);
	free(ec_trad);
	free(enc_trad);
}

static int reply(bedrock__google_reply *r, int style, long status, const char *body,
		 bedrock_error_info *err)
{
	int rc = bedrock__google_reply_parse(r, style, status, body, strlen(body), 1000, "who",
					     "https://t/token", err);

	if (rc) {
		assert_null(r->access_token);
		assert_null(strstr(err->message, "ya29"));
	}
	return rc;
}

static void test_google_file__token_answers(void **state)
{
	bedrock__google_reply r = { NULL, 0 };
	bedrock_error_info err;

	(void)state;
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"access_token\": \"ya29.a\", "
			       "\"expires_in\": 3599, \"token_type\": \"Bearer\"}", &err), 0);
	assert_string_equal(r.access_token, "ya29.a");
	assert_int_equal(r.expiry, 4599);
	bedrock__google_reply_dispose(&r);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"access_token\": \"ya29.b\", "
			       "\"expires_in\": \"60\"}", &err), 0);
	assert_int_equal(r.expiry, 1060);
	bedrock__google_reply_dispose(&r);
	assert_int_equal(reply(&r, BEDROCK__REPLY_IAM, 200, "{\"accessToken\": \"ya29.c\", "
			       "\"expireTime\": \"2026-01-01T00:00:00Z\"}", &err), 0);
	assert_int_equal(r.expiry, 1767225600);
	bedrock__google_reply_dispose(&r);

	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"expires_in\": 5}", &err),
			 BEDROCK_EPROTOCOL);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"access_token\": \"ya29.x\"}", &err),
			 BEDROCK_EPROTOCOL);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"access_token\": \"ya29.sec ret\", "
			       "\"expires_in\": 5}", &err), BEDROCK_EPROTOCOL);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "{\"access_token\": \"ya29.x\\r\\n"
			       "Evil: 1\", \"expires_in\": 5}", &err), BEDROCK_EPROTOCOL);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 200, "<html>", &err), BEDROCK_EPROTOCOL);
	assert_int_equal(reply(&r, BEDROCK__REPLY_IAM, 200, "{\"accessToken\": \"ya29.c\", "
			       "\"expireTime\": \"soon\"}", &err), BEDROCK_EPROTOCOL);

	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 400, "{\"error\": \"invalid_grant\", "
			       "\"error_description\": \"Invalid JWT Signature.\"}", &err),
			 BEDROCK_EAUTH);
	assert_string_equal(err.message, "who: https://t/token refused: invalid_grant: "
			    "Invalid JWT Signature. (HTTP 400)");
	assert_string_equal(err.aws_code, "invalid_grant");
	assert_int_equal(err.http_status, 400);
	assert_false(err.retryable);
	assert_int_equal(reply(&r, BEDROCK__REPLY_IAM, 403, "{\"error\": {\"code\": 403, "
			       "\"message\": \"Permission 'iam.serviceAccounts.getAccessToken' denied\", "
			       "\"status\": \"PERMISSION_DENIED\"}}", &err), BEDROCK_EAUTH);
	assert_non_null(strstr(err.message, "PERMISSION_DENIED: Permission 'iam.serviceAccounts."));
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 429, "{}", &err), BEDROCK_ETHROTTLED);
	assert_true(err.retryable);
	assert_int_equal(reply(&r, BEDROCK__REPLY_OAUTH, 503, "upstream\r\nbroke", &err),
			 BEDROCK_EHTTP);
	assert_non_null(strstr(err.message, "refused: no error given (HTTP 503)"));
	assert_true(err.retryable);
}

static void test_google_file__aws_subject(void **state)
{
	const char *aud = "//iam.googleapis.com/projects/123/locations/global/"
			  "workloadIdentityPools/p/providers/q";
	bedrock_error_info err;
	char *out = NULL, *json;
	cJSON *j, *h;
	size_t n;
	const char *keys[5] = { 0 }, *vals[5] = { 0 };
	int i = 0;

	(void)state;
	assert_int_equal(bedrock__google_aws_subject_sign(
		&out, "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
		"us-east-2", aud, "AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
		"session-token-example", 1700000000, &err), 0);
	/* URL-encoded as urllib.parse.quote does: '/' stays. */
	assert_null(strpbrk(out, "{}\" :"));
	assert_non_null(strstr(out, "//iam.googleapis.com/projects"));
	n = strlen(out);
	json = malloc(n + 1);
	assert_int_equal(bedrock__url_decode(json, n + 1, out, n), 0);
	j = cJSON_Parse(json);
	assert_non_null(j);
	assert_string_equal(bedrock__json_str(j, "method"), "POST");
	assert_string_equal(bedrock__json_str(j, "url"), "https://sts.us-east-2.amazonaws.com"
			    "?Action=GetCallerIdentity&Version=2011-06-15");
	cJSON_ArrayForEach(h, cJSON_GetObjectItem(j, "headers")) {
		assert_true(i < 5);
		keys[i] = bedrock__json_str(h, "key");
		vals[i++] = bedrock__json_str(h, "value");
	}
	assert_int_equal(i, 5);
	assert_string_equal(keys[0], "Authorization");
	assert_string_equal(keys[1], "host");
	assert_string_equal(vals[1], "sts.us-east-2.amazonaws.com");
	assert_string_equal(keys[2], "x-amz-date");
	assert_string_equal(vals[2], "20231114T221320Z");
	assert_string_equal(keys[3], "x-amz-security-token");
	assert_string_equal(vals[3], "session-token-example");
	assert_string_equal(keys[4], "x-goog-cloud-target-resource");
	assert_string_equal(vals[4], aud);
	/* The signature, computed independently (Python hmac/hashlib). */
	assert_string_equal(vals[0], "AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20231114/us-east-2/"
			    "sts/aws4_request, SignedHeaders=host;x-amz-date;x-amz-security-token;"
			    "x-goog-cloud-target-resource, Signature="
			    "1bd01e2618a64233d426ef776d0214e3b3b0491b71ceea449e9f1dc4d085a116");
	cJSON_Delete(j);
	free(json);
	bedrock__free(out);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_google_file__service_account),
		cmocka_unit_test(test_google_file__bad_keys),
		cmocka_unit_test(test_google_file__authorized_user),
		cmocka_unit_test(test_google_file__impersonated_and_external),
		cmocka_unit_test(test_google_file__bad_files),
		cmocka_unit_test(test_google_file__load),
		cmocka_unit_test(test_google_file__jwt),
		cmocka_unit_test(test_google_file__rs256_and_base64url),
		cmocka_unit_test(test_google_file__pem_forms),
		cmocka_unit_test(test_google_file__token_answers),
		cmocka_unit_test(test_google_file__aws_subject),
	};
	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
