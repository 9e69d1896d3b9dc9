/* TLS on the serving layer's listener (OpenSSL; HTTP/2 or HTTP/1.1 as
 * ALPN chooses, HTTP/1.1 relayed to libmicrohttpd): a certificate made at
 * test time with the openssl CLI, verified by curl against it as the only
 * CA (never -k); another CA is refused, a cleartext request gets nothing,
 * and bad files are refused at start with their names and never their
 * content. */
#include <sys/stat.h>
#include <sys/wait.h>

#include "serve_helpers.h"

static char dir[64];
static char cert[128], key[128], other_cert[128], other_key[128];

static int setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/serve-tls-XXXXXX");
	assert_non_null(mkdtemp(dir));
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	snprintf(other_cert, sizeof(other_cert), "%s/other-cert.pem", dir);
	snprintf(other_key, sizeof(other_key), "%s/other-key.pem", dir);
	th_tls_cert(cert, key);
	th_tls_cert(other_cert, other_key);
	return 0;
}

static int teardown(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd) == 0 ? 0 : -1;
}

static int use_h2;

/* HTTP/2 by ALPN when use_h2, else HTTP/1.1; checks which one it got. */
static void tls_fetch(th_fetch *f, const char *url, const char *path, const char *ca)
{
	long version = 0;

	th_fetch_init(f, url, path, 0);
	curl_easy_setopt(f->curl, CURLOPT_HTTP_VERSION,
			 use_h2 ? (long)CURL_HTTP_VERSION_2TLS : (long)CURL_HTTP_VERSION_1_1);
	curl_easy_setopt(f->curl, CURLOPT_CAINFO, ca);
	curl_easy_setopt(f->curl, CURLOPT_CAPATH, NULL);
	f->rc = curl_easy_perform(f->curl);
	curl_easy_getinfo(f->curl, CURLINFO_HTTP_VERSION, &version);
	if (f->rc == CURLE_OK)
		assert_int_equal(version, use_h2 ? CURL_HTTP_VERSION_2_0 : CURL_HTTP_VERSION_1_1);
	th_fetch_done(f);
}

static void serve_over_tls(int blocking, int h2)
{
	serve_server_options o;
	th_server t;
	th_fetch f;

	use_h2 = h2;
	th_reset_counts();
	th_options(&o, blocking);
	o.tls_cert = cert;
	o.tls_key = key;
	th_start(&t, &o);
	assert_memory_equal(t.url, "https://127.0.0.1:", 18);
	tls_fetch(&f, t.url, "/hello", cert);
	assert_int_equal(f.rc, CURLE_OK);
	assert_int_equal(f.status, 200);
	assert_string_equal(f.body, "hello");
	/* A streamed body over TLS still leaves piece by piece. */
	tls_fetch(&f, t.url, "/pieces", cert);
	assert_int_equal(f.rc, CURLE_OK);
	assert_string_equal(f.body, "piece0;piece1;piece2;");
	assert_true(f.arrivals >= 3);
	assert_int_equal(f.upto[0], strlen("piece0;"));
	if (!h2)
		assert_true(th_wait_count(&th_closes_completed, 1, 5));
	/* A client trusting another CA refuses the server. */
	tls_fetch(&f, t.url, "/hello", other_cert);
	assert_int_equal(f.rc, CURLE_PEER_FAILED_VERIFICATION);
	assert_int_equal(f.len, 0);
	th_stop(&t);
}

static void test_serve_tls__blocking(void **state)
{
	(void)state;
	serve_over_tls(1, 0);
}

static void test_serve_tls__nonblocking(void **state)
{
	(void)state;
	serve_over_tls(0, 0);
}

static void test_serve_tls__h2_blocking(void **state)
{
	(void)state;
	serve_over_tls(1, 1);
}

static void test_serve_tls__h2_nonblocking(void **state)
{
	(void)state;
	serve_over_tls(0, 1);
}

static void test_serve_tls__cleartext_refused(void **state)
{
	serve_server_options o;
	th_server t;
	th_fetch f;
	char plain[160];

	(void)state;
	th_options(&o, 1);
	o.tls_cert = cert;
	o.tls_key = key;
	th_start(&t, &o);
	snprintf(plain, sizeof(plain), "http://%s", t.url + strlen("https://"));
	th_get(&f, plain, "/hello", 0);
	assert_int_not_equal(f.rc, CURLE_OK);
	assert_int_equal(f.len, 0);
	th_stop(&t);
}

static char said[2048];

static void on_log(void *payload, const char *line)
{
	(void)payload;
	if (strlen(said) + strlen(line) + 2 < sizeof(said)) {
		strcat(said, line);
		strcat(said, "\n");
	}
}

static int start_with(const char *c, const char *k)
{
	serve_server_options o;
	serve_server *s = NULL;
	char url[128];
	int rc;

	said[0] = 0;
	th_options(&o, 1);
	o.tls_cert = c;
	o.tls_key = k;
	o.log = on_log;
	o.name = "bedrock gateway";
	rc = serve_server_new(&s, &o, url, sizeof(url));
	serve_server_free(s);
	return rc;
}

static void test_serve_tls__bad_files(void **state)
{
	char missing[160];

	(void)state;
	snprintf(missing, sizeof(missing), "%s/missing.pem", dir);
	assert_int_equal(start_with(missing, key), -1);
	assert_non_null(strstr(said, "bedrock gateway: cannot read "));
	assert_non_null(strstr(said, missing));
	/* A key that is not the certificate's. */
	assert_int_equal(start_with(cert, other_key), -1);
	assert_non_null(strstr(said, other_key));
	assert_non_null(strstr(said, "not the key of the certificate"));
	/* A key where the certificate should be, and the other way round. */
	assert_int_equal(start_with(key, cert), -1);
	/* Only one of the two. */
	assert_int_equal(start_with(cert, NULL), -1);
	assert_non_null(strstr(said, "both a certificate and a key"));
	/* The key's content never appears. */
	assert_null(strstr(said, "PRIVATE"));
	assert_int_equal(start_with(cert, key), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_tls__blocking),
		cmocka_unit_test(test_serve_tls__nonblocking),
		cmocka_unit_test(test_serve_tls__h2_blocking),
		cmocka_unit_test(test_serve_tls__h2_nonblocking),
		cmocka_unit_test(test_serve_tls__cleartext_refused),
		cmocka_unit_test(test_serve_tls__bad_files),
	};

	curl_global_init(CURL_GLOBAL_DEFAULT);
	return cmocka_run_group_tests(tests, setup, teardown);
}
