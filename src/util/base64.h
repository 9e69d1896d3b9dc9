/* Standard base64 (RFC 4648 section 4, padded), the one codec the library,
 * the CLI, the emulator and the tests share, over libcrypto's
 * EVP_EncodeBlock/EVP_DecodeBlock. No allocation: each caller sizes the
 * output with the _len/_cap functions and allocates as it always does. */
#ifndef BEDROCK_BASE64_H
#define BEDROCK_BASE64_H

#include <stddef.h>
#include <stdint.h>

/* Characters len bytes encode to, without the NUL. (len is an object's
 * size, at most PTRDIFF_MAX, so about 4/3 of it cannot overflow.) */
size_t bedrock__base64_encoded_len(size_t len);
/* Encodes in[0..len) into out, which has room for
 * bedrock__base64_encoded_len(len) + 1 bytes; NUL-terminated. Returns the
 * length written. */
size_t bedrock__base64_encode(char *out, const void *in, size_t len);

/* base64url (RFC 4648 section 5) without padding, as JWTs use it: the
 * same room as bedrock__base64_encode (the result is never longer).
 * Returns the length written; out is NUL-terminated. */
size_t bedrock__base64url_encode(char *out, const void *in, size_t len);

/* Room decoding len characters needs: the bytes plus a NUL. */
size_t bedrock__base64_decoded_cap(size_t len);
/* Strict decoding, as Bedrock and the Anthropic API check `bytes` and
 * image `data`: a multiple of 4 characters from the standard alphabet, '='
 * only as one or two final padding characters, no whitespace or line
 * breaks anywhere ("" is valid and empty). out has room for
 * bedrock__base64_decoded_cap(len) bytes and gets the data NUL-terminated,
 * *out_len its length. Returns 0, or -1 for anything else (out then holds
 * "" and *out_len is 0). */
int bedrock__base64_decode(uint8_t *out, size_t *out_len, const char *in, size_t len);

#endif
