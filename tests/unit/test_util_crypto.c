/* The libcrypto seam (src/util/crypto.c): digests against FIPS 180 and
 * RFC 4231 vectors, hex, comparing secrets, random bytes, wiping. */
#include <limits.h>
#include <string.h>

#include "harness.h"
#include "crypto.h"

static void test_util_crypto__digests(void **state)
{
	bedrock__crypto *c = NULL;
	uint8_t md[BEDROCK__SHA256_LEN];
	char hex[2 * BEDROCK__SHA256_LEN + 1];
	/* RFC 4231 test case 2 */
	static const char key[] = "Jefe", data[] = "what do ya want for nothing?";

	(void)state;
	assert_int_equal(bedrock__sha1(md, "abc", 3), 0);
	bedrock__hex(hex, md, BEDROCK__SHA1_LEN);
	assert_string_equal(hex, "a9993e364706816aba3e25717850c26c9cd0d89d");
	assert_int_equal(bedrock__sha1(md, "", 0), 0);
	bedrock__hex(hex, md, BEDROCK__SHA1_LEN);
	assert_string_equal(hex, "da39a3ee5e6b4b0d3255bfef95601890afd80709");

	assert_int_equal(bedrock__crypto_new(&c), 0);
	assert_int_equal(bedrock__sha256(c, md, "abc", 3), 0);
	bedrock__hex(hex, md, sizeof(md));
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	assert_int_equal(bedrock__hmac_sha256(c, md, key, 4, data, strlen(data)), 0);
	bedrock__hex(hex, md, sizeof(md));
	assert_string_equal(hex, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
	bedrock__crypto_free(c);

	bedrock__hex(hex, (const uint8_t *)"\x00\x0f\xf0\xff", 4);
	assert_string_equal(hex, "000ff0ff");
	bedrock__hex(hex, NULL, 0);
	assert_string_equal(hex, "");
}

static void test_util_crypto__secret_equal(void **state)
{
	(void)state;
	assert_true(bedrock__secret_equal("", ""));
	assert_true(bedrock__secret_equal("token-1", "token-1"));
	assert_false(bedrock__secret_equal("token-1", "token-2"));
	assert_false(bedrock__secret_equal("token-1", "token-12"));
	assert_false(bedrock__secret_equal("token-12", "token-1"));
	assert_false(bedrock__secret_equal("", "x"));
	assert_false(bedrock__secret_equal("Token-1", "token-1"));
}

static void test_util_crypto__random_and_wipe(void **state)
{
	uint8_t a[32], b[32], zero[32] = { 0 };

	(void)state;
	memset(a, 0, sizeof(a));
	memset(b, 0, sizeof(b));
	assert_int_equal(bedrock__random(a, sizeof(a)), 0);
	assert_int_equal(bedrock__random(b, sizeof(b)), 0);
	/* 2^-256 of failing by chance. */
	assert_memory_not_equal(a, b, sizeof(a));
	assert_memory_not_equal(a, zero, sizeof(a));
	assert_int_equal(bedrock__random(a, 0), 0);
	assert_int_equal(bedrock__random(a, (size_t)INT_MAX + 1), -1);

	bedrock__wipe(a, sizeof(a));
	assert_memory_equal(a, zero, sizeof(a));
	bedrock__wipe(NULL, 5);
	bedrock__wipe(b, 0);
	assert_memory_not_equal(b, zero, sizeof(b));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_crypto__digests),
		cmocka_unit_test(test_util_crypto__secret_equal),
		cmocka_unit_test(test_util_crypto__random_and_wipe),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
