/* The shared base64 codec (src/util/base64.c): RFC 4648's vectors, every
 * byte value and length round-tripping, and the strict decoder refusing
 * what Bedrock and the Anthropic API refuse.
 *
 * base64.c is compiled in here with tiny step sizes, so the path that
 * splits inputs over 768 MiB into several libcrypto calls runs on inputs
 * of a few bytes (the archive's copy is then not linked). */
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#define ENCODE_STEP ((size_t)6)
#define DECODE_STEP ((size_t)8)
#include "../../src/util/base64.c"

/* RFC 4648 section 10. */
static const char *const vectors[][2] = {
	{ "", "" },
	{ "f", "Zg==" },
	{ "fo", "Zm8=" },
	{ "foo", "Zm9v" },
	{ "foob", "Zm9vYg==" },
	{ "fooba", "Zm9vYmE=" },
	{ "foobar", "Zm9vYmFy" },
};

static void test_util_base64__rfc4648_vectors(void **state)
{
	char enc[32];
	uint8_t dec[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(*vectors); i++) {
		const char *raw = vectors[i][0], *b64 = vectors[i][1];

		assert_int_equal(bedrock__base64_encoded_len(strlen(raw)), strlen(b64));
		memset(enc, 'x', sizeof(enc));
		assert_int_equal(bedrock__base64_encode(enc, raw, strlen(raw)), strlen(b64));
		assert_string_equal(enc, b64);

		assert_true(bedrock__base64_decoded_cap(strlen(b64)) <= sizeof(dec));
		memset(dec, 'x', sizeof(dec));
		assert_int_equal(bedrock__base64_decode(dec, &n, b64, strlen(b64)), 0);
		assert_int_equal(n, strlen(raw));
		assert_memory_equal(dec, raw, n);
		assert_int_equal(dec[n], '\0');
	}
}

/* All 256 byte values, at every length up to 300 (so every remainder and
 * many step boundaries), through encode and back. */
static void test_util_base64__round_trip(void **state)
{
	uint8_t raw[300], back[401];
	char enc[401];
	size_t len, i, n;

	(void)state;
	for (i = 0; i < sizeof(raw); i++)
		raw[i] = (uint8_t)(i * 97 + 13);
	for (len = 0; len <= sizeof(raw); len++) {
		size_t want = bedrock__base64_encoded_len(len);

		assert_int_equal(want, (len + 2) / 3 * 4);
		assert_int_equal(bedrock__base64_encode(enc, raw, len), want);
		assert_int_equal(strlen(enc), want);
		assert_true(bedrock__base64_decoded_cap(want) <= sizeof(back));
		assert_int_equal(bedrock__base64_decode(back, &n, enc, want), 0);
		assert_int_equal(n, len);
		assert_memory_equal(back, raw, len);
	}
}

/* What the event reader answers "chunk \"bytes\" is not valid base64" to
 * and the emulator "Invalid base64 data": the decoder is the judge. */
static void test_util_base64__strict(void **state)
{
	static const char *const bad[] = {
		"abc",		/* not a multiple of 4 */
		"ab=c",		/* '=' inside */
		"a===",		/* three pads */
		"====",
		"=AAA",
		"A=A=",
		"AA=A",
		"YQ=",
		"YQ===",
		" YWJj",	/* blanks libcrypto would skip */
		"YWJj    ",
		"    YWJj",
		"\tYWJ",
		"YWJj\n",
		"YWJj\r\n\r\n",
		"YW\nJj",
		"YWJj----",	/* '-' libcrypto reads as an end marker */
		"YWJ*",
		"A$==",
		"YW-j",		/* the URL-safe alphabet is another encoding */
		"YW_j",
		"YW\xc3\xa9",
		"Zm9vYmFy====",
		"Zm9v\nYmFy",
		"Zm9v YmFy",
	};
	uint8_t out[32];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		n = 99;
		memset(out, 'x', sizeof(out));
		if (bedrock__base64_decode(out, &n, bad[i], strlen(bad[i])) != -1)
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(n, 0);
		assert_int_equal(out[0], '\0');
	}
	/* A NUL inside the given length is not skipped over either. */
	assert_int_equal(bedrock__base64_decode(out, &n, "YW\0j", 4), -1);
	assert_int_equal(bedrock__base64_decode(out, &n, "YWJj\0\0\0\0", 8), -1);
	/* Only [0, len) is read: a valid prefix of a longer string decodes. */
	assert_int_equal(bedrock__base64_decode(out, &n, "Zm9vYmFy!!", 8), 0);
	assert_int_equal(n, 6);
	assert_string_equal((char *)out, "foobar");
}

/* Non-zero bits under the padding are accepted, as libcrypto (and Bedrock)
 * accept them; the output is the same as for the canonical form. */
static void test_util_base64__padding_bits(void **state)
{
	uint8_t out[8];
	size_t n;

	(void)state;
	assert_int_equal(bedrock__base64_decode(out, &n, "Zh==", 4), 0);
	assert_int_equal(n, 1);
	assert_int_equal(out[0], 'f');
	assert_int_equal(bedrock__base64_decode(out, &n, "Zm9=", 4), 0);
	assert_int_equal(n, 2);
	assert_memory_equal(out, "fo", 2);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_util_base64__rfc4648_vectors),
		cmocka_unit_test(test_util_base64__round_trip),
		cmocka_unit_test(test_util_base64__strict),
		cmocka_unit_test(test_util_base64__padding_bits),
	};
	return cmocka_run_group_tests(tests, harness_setup, harness_teardown);
}
