/* Base64 over libcrypto (base64.h). */
#include <string.h>

#include <openssl/evp.h>

#include "base64.h"

/* EVP_EncodeBlock and EVP_DecodeBlock count in int. Whole 3-byte groups
 * (and whole 4-character quanta) per call keep each call's output within
 * INT_MAX and let the pieces join as if encoded in one go. */
#ifndef ENCODE_STEP	/* tests/unit/test_util_base64.c sets small ones */
#define ENCODE_STEP ((size_t)3 << 28)	/* 768 MiB in, 1 GiB out */
#define DECODE_STEP ((size_t)1 << 30)	/* 1 GiB in, 768 MiB out */
#endif

size_t bedrock__base64_encoded_len(size_t len)
{
	return (len / 3 + (len % 3 != 0)) * 4;
}

size_t bedrock__base64_encode(char *out, const void *in, size_t len)
{
	const unsigned char *p = in;
	size_t done = 0, n;

	/* Once even for len 0: EVP_EncodeBlock writes the NUL. */
	do {
		n = len < ENCODE_STEP ? len : ENCODE_STEP;
		done += (size_t)EVP_EncodeBlock((unsigned char *)out + done, p, (int)n);
		p += n;
		len -= n;
	} while (len);
	return done;
}

size_t bedrock__base64url_encode(char *out, const void *in, size_t len)
{
	size_t n = bedrock__base64_encode(out, in, len), i;

	/* The same alphabet but for two characters, and no '=' padding. */
	while (n && out[n - 1] == '=')
		out[--n] = '\0';
	for (i = 0; i < n; i++) {
		if (out[i] == '+')
			out[i] = '-';
		else if (out[i] == '/')
			out[i] = '_';
	}
	return n;
}

size_t bedrock__base64_decoded_cap(size_t len)
{
	return len / 4 * 3 + 1;
}

int bedrock__base64_decode(uint8_t *out, size_t *out_len, const char *in, size_t len)
{
	size_t pad = 0, done, n;
	int r;

	*out_len = 0;
	out[0] = '\0';
	if (len % 4)
		return -1;
	/* EVP_DecodeBlock alone takes '=' anywhere (as a zero), so padding is
	 * checked here. */
	if (len) {
		if (in[len - 1] == '=')
			pad = in[len - 2] == '=' ? 2 : 1;
		if (memchr(in, '=', len - pad))
			return -1;
	}
	/* It also skips leading blanks and trailing blanks, line ends and '-',
	 * and then decodes fewer quanta than it was given: a short count is
	 * such input. A character outside the alphabet anywhere else fails it. */
	for (done = 0; done < len; done += n) {
		n = len - done < DECODE_STEP ? len - done : DECODE_STEP;
		r = EVP_DecodeBlock(out + done / 4 * 3, (const unsigned char *)in + done, (int)n);
		if (r < 0 || (size_t)r != n / 4 * 3) {
			out[0] = '\0';
			return -1;
		}
	}
	/* It decodes padding as zero bytes: they are not data. */
	*out_len = len / 4 * 3 - pad;
	out[*out_len] = '\0';
	return 0;
}
