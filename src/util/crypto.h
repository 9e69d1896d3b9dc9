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

/* An RSA private key, for RS256 (service-account JWTs). Immutable once
 * loaded: one key may sign from several threads. */
typedef struct bedrock__rsa_key bedrock__rsa_key;

#define BEDROCK__RSA_NOT_PEM (-1)	/* no PEM private key could be read */
#define BEDROCK__RSA_NOT_RSA (-2)	/* a private key, but not RSA */
#define BEDROCK__RSA_NOMEM (-3)

/* Reads a PEM private key (PKCS#8 "PRIVATE KEY" or PKCS#1 "RSA PRIVATE
 * KEY") from pem[0..len). Encrypted keys are refused, never prompted for.
 * Returns 0 or one of the codes above. */
int bedrock__rsa_key_from_pem(bedrock__rsa_key **out, const char *pem, size_t len);
void bedrock__rsa_key_free(bedrock__rsa_key *key);
/* Bytes of a signature with this key (its modulus size). */
size_t bedrock__rsa_key_size(const bedrock__rsa_key *key);
/* RSASSA-PKCS1-v1_5 with SHA-256 of data into sig, which has room for
 * bedrock__rsa_key_size() bytes; *sig_len gets the length. 0 or -1. */
int bedrock__rs256_sign(uint8_t *sig, size_t *sig_len, const bedrock__rsa_key *key,
			const void *data, size_t len);

/* Lower-case hex of len bytes into out[2 * len + 1], NUL-terminated. */
void bedrock__hex(char *out, const uint8_t *in, size_t len);

/* Zero memory in a way the compiler may not optimise away. */
void bedrock__wipe(void *p, size_t len);

/* 1 if the two strings are equal, 0 if not, in a time that depends on
 * their lengths only: for tokens and signatures a client sent, where an
 * early exit would tell it how much of a guess was right. */
int bedrock__secret_equal(const char *a, const char *b);
/* 1 if the len bytes at a and b are equal, 0 if not, reading all of them
 * (libcrypto's CRYPTO_memcmp): for digests of secrets. */
int bedrock__mem_equal(const void *a, const void *b, size_t len);

/* len bytes from libcrypto's CSPRNG: 0, or -1 if it could not supply
 * them (the caller picks its own fallback). */
int bedrock__random(void *out, size_t len);

#endif
