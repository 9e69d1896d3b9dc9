/* The shared decoders of src/util on arbitrary bytes: base64, percent
 * coding, query strings and UTF-8. Each must accept or refuse without
 * reading or writing out of bounds, and what it accepts must agree with an
 * independent property:
 *  - accepted base64 re-encodes to the very same text (the strict decoder
 *    takes only the canonical form up to the bits under the padding);
 *  - every byte string survives base64 and percent encoding round trips;
 *  - a decoded percent string, encoded and decoded again, is unchanged;
 *  - bedrock__utf8_check's offset is the first place a prefix stops being
 *    valid. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "urlcode.h"
#include "utf8.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void base64(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	uint8_t *raw = malloc(bedrock__base64_decoded_cap(size));
	char *enc = malloc(bedrock__base64_encoded_len(size) + 1);
	size_t n = 99, m;

	CHECK(raw && enc);
	if (bedrock__base64_decode(raw, &n, s, size) == 0) {
		size_t pad = (size > 0 && s[size - 1] == '=') + (size > 1 && s[size - 2] == '=');

		CHECK(size % 4 == 0 && n == size / 4 * 3 - pad && raw[n] == 0);
		m = bedrock__base64_encode(enc, raw, n);
		CHECK(m == size);
		/* The same text, but for the character before the padding,
		 * whose low bits are not data. */
		CHECK(!memcmp(enc, s, pad ? size - pad - 1 : size));
		CHECK(!memcmp(enc + size - pad, s + size - pad, pad));
	} else {
		CHECK(n == 0 && raw[0] == 0);
	}
	/* Any bytes round-trip. */
	m = bedrock__base64_encode(enc, data, size);
	CHECK(m == bedrock__base64_encoded_len(size) && strlen(enc) == m);
	free(raw);
	raw = malloc(bedrock__base64_decoded_cap(m));
	CHECK(raw);
	CHECK(bedrock__base64_decode(raw, &n, enc, m) == 0);
	CHECK(n == size && !memcmp(raw, data, size));
	free(raw);
	free(enc);
}

static void percent(const uint8_t *data, size_t size)
{
	const char *s = (const char *)data;
	size_t cap = 3 * size + 1, elen, n;
	char *dec = malloc(cap), *enc = malloc(cap), *again = malloc(cap);
	char name[2], value[16];
	int rc;

	CHECK(dec && enc && again);
	if (bedrock__url_decode(dec, cap, s, size) == 0) {
		n = strlen(dec);
		CHECK(n <= size);
		elen = bedrock__url_encode(enc, dec, n, 0);
		CHECK(elen == bedrock__url_encode(NULL, dec, n, 0) && elen <= 3 * n);
		CHECK(bedrock__url_decode(again, cap, enc, elen) == 0 && !strcmp(again, dec));
	}
	/* Bytes without a NUL: their encoding decodes back to them. */
	elen = bedrock__url_encode(enc, s, size, BEDROCK__URL_KEEP_SLASH);
	CHECK(elen <= 3 * size && enc[elen] == 0);
	if (!memchr(s, 0, size)) {
		CHECK(bedrock__url_decode(again, cap, enc, elen) == 0);
		CHECK(!memcmp(again, s, size) && again[size] == 0);
		/* The input as a query string; its first byte picks the name. */
		if (size) {
			memcpy(dec, s, size);
			dec[size] = 0;
			name[0] = (char)('a' + data[0] % 4);
			name[1] = 0;
			rc = bedrock__query_param(value, sizeof(value), dec, name);
			CHECK(rc >= -1 && rc <= 1);
			CHECK(rc != 1 || strlen(value) < sizeof(value));
		}
	}
	free(dec);
	free(enc);
	free(again);
}

static void utf8(const uint8_t *data, size_t size)
{
	size_t bad = bedrock__utf8_check(data, size), k;

	CHECK(bad <= size);
	CHECK(bedrock__utf8_valid(data, size) == (bad == size));
	if (bad < size) {
		/* No sequence starting at bad is well formed. */
		for (k = 1; k <= 4 && bad + k <= size; k++)
			CHECK(!bedrock__utf8_valid(data + bad, k));
	}
	CHECK(bedrock__utf8_valid(data, bad));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	base64(data, size);
	percent(data, size);
	utf8(data, size);
	return 0;
}
