/* The seam over OpenSSL libcrypto: SHA-256, HMAC-SHA256, hex, wiping,
 * comparing secrets, random bytes (and base64, in base64.c). Nothing else
 * in the library includes an OpenSSL header, so a different backend would
 * replace these two files only. */
#ifndef BEDROCK_CRYPTO_H
#define BEDROCK_CRYPTO_H

#include <stddef.h>
#include <stdint.h>

#define BEDROCK__SHA256_LEN 32
#define BEDROCK__SHA1_LEN 20

/* Hashing state reused across calls. OpenSSL 3 fetches an algorithm on
 * every init unless given one already fetched; keeping the fetched digest
 * and the contexts here is what makes a signature cost microseconds. Not
 * thread-safe: one per result. */
typedef struct bedrock__crypto bedrock__crypto;

int bedrock__crypto_new(bedrock__crypto **out);
void bedrock__crypto_free(bedrock__crypto *c);

/* All return 0, or -1 if libcrypto failed (in practice: out of memory). */
int bedrock__sha256(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
		    const void *data, size_t len);
int bedrock__hmac_sha256(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
			 const void *key, size_t key_len,
			 const void *data, size_t len);

/* SHA-1, for names only (the SDKs' SSO token cache file); 0 or -1. */
int bedrock__sha1(uint8_t out[BEDROCK__SHA1_LEN], const void *data, size_t len);

/* Lower-case hex of len bytes into out[2 * len + 1], NUL-terminated. */
void bedrock__hex(char *out, const uint8_t *in, size_t len);

/* Zero memory in a way the compiler may not optimise away. */
void bedrock__wipe(void *p, size_t len);

/* 1 if the two strings are equal, 0 if not, in a time that depends on
 * their lengths only: for tokens and signatures a client sent, where an
 * early exit would tell it how much of a guess was right. */
int bedrock__secret_equal(const char *a, const char *b);

/* len bytes from libcrypto's CSPRNG: 0, or -1 if it could not supply
 * them (the caller picks its own fallback). */
int bedrock__random(void *out, size_t len);

#endif
