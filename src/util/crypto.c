#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/decoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rand.h>

#include "alloc.h"
#include "crypto.h"

struct bedrock__crypto {
	EVP_MD *md;
	EVP_MD_CTX *mdctx;
	EVP_MAC *mac;
	EVP_MAC_CTX *macctx;
	/* The key macctx holds: a MAC under the same key again (SigV4's
	 * signing key, one a day) skips hashing the key into fresh pads. */
	uint8_t key[64];
	size_t key_len;			/* 0: none kept */
};

int bedrock__crypto_new(bedrock__crypto **out)
{
	bedrock__crypto *c = bedrock__calloc(1, sizeof(*c));
	OSSL_PARAM params[2];
	char digest[] = "SHA256";

	*out = NULL;
	if (!c)
		return -1;
	c->md = EVP_MD_fetch(NULL, "SHA256", NULL);
	c->mdctx = EVP_MD_CTX_new();
	c->mac = EVP_MAC_fetch(NULL, "HMAC", NULL);
	c->macctx = c->mac ? EVP_MAC_CTX_new(c->mac) : NULL;
	if (!c->md || !c->mdctx || !c->macctx)
		goto fail;
	/* Set the digest once; each later init only changes the key. */
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0);
	params[1] = OSSL_PARAM_construct_end();
	if (!EVP_MAC_CTX_set_params(c->macctx, params))
		goto fail;
	*out = c;
	return 0;
fail:
	bedrock__crypto_free(c);
	return -1;
}

void bedrock__crypto_free(bedrock__crypto *c)
{
	if (!c)
		return;
	/* The MAC context held a signing key: freeing it cleanses it. */
	OPENSSL_cleanse(c->key, sizeof(c->key));
	EVP_MAC_CTX_free(c->macctx);
	EVP_MAC_free(c->mac);
	EVP_MD_CTX_free(c->mdctx);
	EVP_MD_free(c->md);
	bedrock__free(c);
}

int bedrock__sha256(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
		    const void *data, size_t len)
{
	unsigned int n = 0;

	if (!EVP_DigestInit_ex2(c->mdctx, c->md, NULL) ||
	    !EVP_DigestUpdate(c->mdctx, data, len) ||
	    !EVP_DigestFinal_ex(c->mdctx, out, &n) || n != BEDROCK__SHA256_LEN)
		return -1;
	return 0;
}

int bedrock__hmac_sha256(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
			 const void *key, size_t key_len,
			 const void *data, size_t len)
{
	size_t n = 0;
	int same = key_len && key_len == c->key_len && !CRYPTO_memcmp(key, c->key, key_len);

	/* A NULL key re-initialises the MAC with the key it has. */
	if (!EVP_MAC_init(c->macctx, same ? NULL : key, same ? 0 : key_len, NULL)) {
		c->key_len = 0;
		return -1;
	}
	if (!same) {
		c->key_len = key_len <= sizeof(c->key) ? key_len : 0;
		if (c->key_len)
			memcpy(c->key, key, c->key_len);
	}
	if (!EVP_MAC_update(c->macctx, data, len) ||
	    !EVP_MAC_final(c->macctx, out, &n, BEDROCK__SHA256_LEN) ||
	    n != BEDROCK__SHA256_LEN)
		return -1;
	return 0;
}

int bedrock__sha1(uint8_t out[BEDROCK__SHA1_LEN], const void *data, size_t len)
{
	unsigned int n = 0;

	if (!EVP_Digest(data, len, out, &n, EVP_sha1(), NULL) || n != BEDROCK__SHA1_LEN)
		return -1;
	return 0;
}

void bedrock__hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 15];
	}
	out[2 * len] = '\0';
}

void bedrock__wipe(void *p, size_t len)
{
	if (p && len)
		OPENSSL_cleanse(p, len);
}

int bedrock__secret_equal(const char *a, const char *b)
{
	size_t n = strlen(a);

	return n == strlen(b) && bedrock__mem_equal(a, b, n);
}

int bedrock__mem_equal(const void *a, const void *b, size_t len)
{
	return CRYPTO_memcmp(a, b, len) == 0;
}

int bedrock__random(void *out, size_t len)
{
	if (len > INT_MAX)
		return -1;
	return RAND_bytes(out, (int)len) == 1 ? 0 : -1;
}

/* ---- RSA keys and RS256 ---- */

struct bedrock__rsa_key {
	EVP_PKEY *pkey;
};

/* A private key's DER decoded by OpenSSL's decoders for one key type
 * and one structure ("PrivateKeyInfo": PKCS#8; "type-specific": PKCS#1),
 * or for any (keytype and structure NULL). Asking for the one we want
 * matters: PEM_read_bio_PrivateKey tries every decoder of every provider,
 * which made reading a service account's key (at each token refresh)
 * cost twice the signature made with it (0.6 ms against 0.3), and in a
 * new process set up all their tables. NULL when it is not such a key. */
static EVP_PKEY *decode_der(const unsigned char *der, long len, const char *keytype,
			    const char *structure)
{
	OSSL_DECODER_CTX *d;
	EVP_PKEY *pkey = NULL;
	size_t left = (size_t)len;

	d = OSSL_DECODER_CTX_new_for_pkey(&pkey, "DER", structure, keytype, EVP_PKEY_KEYPAIR,
					  NULL, NULL);
	if (d && OSSL_DECODER_from_data(d, &der, &left) != 1) {
		EVP_PKEY_free(pkey);
		pkey = NULL;
	}
	OSSL_DECODER_CTX_free(d);
	return pkey;
}

static int ends_with(const char *s, const char *tail)
{
	size_t n = strlen(s), t = strlen(tail);

	return n >= t && !strcmp(s + n - t, tail);
}

int bedrock__rsa_key_from_pem(bedrock__rsa_key **out, const char *pem, size_t len)
{
	bedrock__rsa_key *k;
	EVP_PKEY *pkey = NULL;
	unsigned char *der = NULL;
	char *name = NULL, *header = NULL;
	long der_len = 0;
	int rc = BEDROCK__RSA_NOT_PEM;
	BIO *bio;

	*out = NULL;
	if (len > INT_MAX)
		return BEDROCK__RSA_NOT_PEM;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return BEDROCK__RSA_NOMEM;
	/* The first PEM block that is a private key (others, a certificate
	 * before it, are passed over as PEM_read_bio_PrivateKey does). Its
	 * base64 is only decoded here: no pass phrase is ever asked for. */
	while (PEM_read_bio(bio, &name, &header, &der, &der_len) == 1) {
		if (ends_with(name, "PRIVATE KEY"))
			break;
		OPENSSL_free(name);
		OPENSSL_free(header);
		OPENSSL_clear_free(der, (size_t)der_len);
		name = header = NULL;
		der = NULL;
	}
	BIO_free(bio);
	/* An encrypted key ("ENCRYPTED PRIVATE KEY", or a traditional one with
	 * Proc-Type and DEK-Info headers) is refused, never prompted for. */
	if (name && !(header && *header) && strcmp(name, "ENCRYPTED PRIVATE KEY")) {
		if (!strcmp(name, "PRIVATE KEY"))
			pkey = decode_der(der, der_len, "RSA", "PrivateKeyInfo");
		else if (!strcmp(name, "RSA PRIVATE KEY"))
			pkey = decode_der(der, der_len, "RSA", "type-specific");
		if (pkey && EVP_PKEY_is_a(pkey, "RSA")) {
			rc = 0;
		} else {
			/* Some other kind of private key (EC, Ed25519, RSA-PSS)? Only
			 * to say so: this path is an error's. */
			EVP_PKEY_free(pkey);
			pkey = decode_der(der, der_len, NULL, NULL);
			rc = pkey ? BEDROCK__RSA_NOT_RSA : BEDROCK__RSA_NOT_PEM;
			EVP_PKEY_free(pkey);
			pkey = NULL;
		}
	}
	OPENSSL_free(name);
	OPENSSL_free(header);
	if (der)
		OPENSSL_clear_free(der, (size_t)der_len);
	/* What failed is told by the return code; leave no error queued on
	 * this thread for an unrelated later OpenSSL call to trip over. */
	ERR_clear_error();
	if (rc)
		return rc;
	k = bedrock__calloc(1, sizeof(*k));
	if (!k) {
		EVP_PKEY_free(pkey);
		return BEDROCK__RSA_NOMEM;
	}
	k->pkey = pkey;
	*out = k;
	return 0;
}

void bedrock__rsa_key_free(bedrock__rsa_key *k)
{
	if (!k)
		return;
	/* Frees the private numbers with BN_clear_free: they are wiped. */
	EVP_PKEY_free(k->pkey);
	bedrock__free(k);
}

size_t bedrock__rsa_key_size(const bedrock__rsa_key *k)
{
	int n = EVP_PKEY_get_size(k->pkey);

	return n > 0 ? (size_t)n : 0;
}

int bedrock__rs256_sign(uint8_t *sig, size_t *sig_len, const bedrock__rsa_key *k,
			const void *data, size_t len)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	size_t n = bedrock__rsa_key_size(k);
	int ok;

	*sig_len = 0;
	if (!ctx)
		return -1;
	/* RSA's default padding is PKCS#1 v1.5: RS256 (RFC 7518 section 3.3). */
	ok = EVP_DigestSignInit_ex(ctx, NULL, "SHA256", NULL, NULL, k->pkey, NULL) == 1 &&
	     EVP_DigestSign(ctx, sig, &n, data, len) == 1;
	EVP_MD_CTX_free(ctx);
	ERR_clear_error();
	if (!ok)
		return -1;
	*sig_len = n;
	return 0;
}
