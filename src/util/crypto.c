#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/core_names.h>
#include <openssl/crypto.h>
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

	if (!EVP_MAC_init(c->macctx, key, key_len, NULL) ||
	    !EVP_MAC_update(c->macctx, data, len) ||
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

	return n == strlen(b) && CRYPTO_memcmp(a, b, n) == 0;
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

/* OpenSSL's default would prompt on the terminal for an encrypted key's
 * pass phrase: a library must never do that. */
static int no_passphrase(char *buf, int size, int rwflag, void *u)
{
	(void)buf, (void)size, (void)rwflag, (void)u;
	return -1;
}

int bedrock__rsa_key_from_pem(bedrock__rsa_key **out, const char *pem, size_t len)
{
	bedrock__rsa_key *k;
	EVP_PKEY *pkey;
	BIO *bio;

	*out = NULL;
	if (len > INT_MAX)
		return BEDROCK__RSA_NOT_PEM;
	bio = BIO_new_mem_buf(pem, (int)len);
	if (!bio)
		return BEDROCK__RSA_NOMEM;
	pkey = PEM_read_bio_PrivateKey(bio, NULL, no_passphrase, NULL);
	BIO_free(bio);
	/* What failed is told by the return code; leave no error queued on
	 * this thread for an unrelated later OpenSSL call to trip over. */
	ERR_clear_error();
	if (!pkey)
		return BEDROCK__RSA_NOT_PEM;
	if (!EVP_PKEY_is_a(pkey, "RSA")) {
		EVP_PKEY_free(pkey);
		return BEDROCK__RSA_NOT_RSA;
	}
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
