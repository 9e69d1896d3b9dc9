/* SigV4 stages 2 and 3, the signing key and the signer's key cache. */
#include <pthread.h>
#include <string.h>

#include "alloc.h"
#include "sigv4_private.h"

/* A client signs with one or two credential sets in one region and
 * service; a few slots cover that, and the date rolls over once a day. */
#define CACHE_SLOTS 8
#define CACHE_NAME_MAX 64

struct cache_entry {
	/* SHA-256 of the secret, never the secret itself. */
	uint8_t secret_fp[BEDROCK__SHA256_LEN];
	char date8[9];
	char region[CACHE_NAME_MAX];
	char service[CACHE_NAME_MAX];
	uint8_t key[BEDROCK__SHA256_LEN];
	int used;
};

struct bedrock_sigv4_signer {
	pthread_mutex_t lock;
	struct cache_entry slots[CACHE_SLOTS];
	unsigned int next;
};

int bedrock_sigv4_signer_new(bedrock_sigv4_signer **out)
{
	bedrock_sigv4_signer *s;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	s = bedrock__calloc(1, sizeof(*s));
	if (!s)
		return BEDROCK_ENOMEM;
	if (pthread_mutex_init(&s->lock, NULL) != 0) {
		bedrock__free(s);
		return BEDROCK_ENOMEM;
	}
	*out = s;
	return 0;
}

void bedrock_sigv4_signer_free(bedrock_sigv4_signer *s)
{
	if (!s)
		return;
	pthread_mutex_destroy(&s->lock);
	bedrock__wipe(s->slots, sizeof(s->slots));
	bedrock__free(s);
}

int bedrock__sigv4_string_to_sign(bedrock_buf *out, bedrock__crypto *c,
				  const char *amz_date, const char *scope,
				  const char *creq, size_t creq_len)
{
	uint8_t digest[BEDROCK__SHA256_LEN];
	char hex[2 * BEDROCK__SHA256_LEN + 1];

	if (bedrock__sha256(c, digest, creq, creq_len))
		return BEDROCK_ENOMEM;
	bedrock__hex(hex, digest, sizeof(digest));
	bedrock__buf_puts(out, BEDROCK__SIGV4_ALGORITHM "\n");
	bedrock__buf_puts(out, amz_date);
	bedrock__buf_putc(out, '\n');
	bedrock__buf_puts(out, scope);
	bedrock__buf_putc(out, '\n');
	bedrock__buf_put(out, hex, 2 * BEDROCK__SHA256_LEN);
	return out->oom ? BEDROCK_ENOMEM : 0;
}

int bedrock__sigv4_derive_key(bedrock__crypto *c, uint8_t out[BEDROCK__SHA256_LEN],
			      const char *secret, const char *date8,
			      const char *region, const char *service)
{
	char small[256], *k = small;
	size_t slen = strlen(secret), klen;
	uint8_t a[BEDROCK__SHA256_LEN], b[BEDROCK__SHA256_LEN];
	int err = 0;

	if (slen > SIZE_MAX - 5)
		return BEDROCK_ELIMIT;
	klen = 4 + slen;
	if (klen > sizeof(small)) {
		k = bedrock__malloc(klen);
		if (!k)
			return BEDROCK_ENOMEM;
	}
	memcpy(k, "AWS4", 4);
	memcpy(k + 4, secret, slen);
	err |= bedrock__hmac_sha256(c, a, k, klen, date8, strlen(date8));
	err |= bedrock__hmac_sha256(c, b, a, sizeof(a), region, strlen(region));
	err |= bedrock__hmac_sha256(c, a, b, sizeof(b), service, strlen(service));
	err |= bedrock__hmac_sha256(c, out, a, sizeof(a), "aws4_request", 12);
	/* Everything here is as good as the secret for a day: wipe it. */
	bedrock__wipe(k, klen);
	if (k != small)
		bedrock__free(k);
	bedrock__wipe(a, sizeof(a));
	bedrock__wipe(b, sizeof(b));
	if (err) {
		bedrock__wipe(out, BEDROCK__SHA256_LEN);
		return BEDROCK_ENOMEM;
	}
	return 0;
}

static int entry_matches(const struct cache_entry *e, const uint8_t fp[BEDROCK__SHA256_LEN],
			 const char *date8, const char *region, const char *service)
{
	return e->used && !memcmp(e->secret_fp, fp, BEDROCK__SHA256_LEN) &&
	       !strcmp(e->date8, date8) && !strcmp(e->region, region) &&
	       !strcmp(e->service, service);
}

int bedrock__sigv4_signer_key(bedrock_sigv4_signer *s, bedrock__crypto *c,
			      uint8_t out[BEDROCK__SHA256_LEN],
			      const char *secret, const char *date8,
			      const char *region, const char *service)
{
	uint8_t fp[BEDROCK__SHA256_LEN];
	struct cache_entry *e;
	unsigned int i;
	int err;

	/* Names too long for a slot are signed uncached, not truncated. */
	if (!s || strlen(region) >= CACHE_NAME_MAX || strlen(service) >= CACHE_NAME_MAX)
		return bedrock__sigv4_derive_key(c, out, secret, date8, region, service);
	if (bedrock__sha256(c, fp, secret, strlen(secret)))
		return BEDROCK_ENOMEM;
	pthread_mutex_lock(&s->lock);
	for (i = 0; i < CACHE_SLOTS; i++) {
		if (entry_matches(&s->slots[i], fp, date8, region, service)) {
			memcpy(out, s->slots[i].key, BEDROCK__SHA256_LEN);
			pthread_mutex_unlock(&s->lock);
			return 0;
		}
	}
	pthread_mutex_unlock(&s->lock);

	/* Derive outside the lock; two threads racing for the same key both
	 * compute it, which is cheaper than serialising every miss. */
	err = bedrock__sigv4_derive_key(c, out, secret, date8, region, service);
	if (err)
		return err;
	pthread_mutex_lock(&s->lock);
	e = &s->slots[s->next];
	s->next = (s->next + 1) % CACHE_SLOTS;
	memcpy(e->secret_fp, fp, sizeof(fp));
	memcpy(e->date8, date8, 9);
	strcpy(e->region, region);
	strcpy(e->service, service);
	memcpy(e->key, out, BEDROCK__SHA256_LEN);
	e->used = 1;
	pthread_mutex_unlock(&s->lock);
	return 0;
}

int bedrock__sigv4_signature(bedrock__crypto *c, char out[2 * BEDROCK__SHA256_LEN + 1],
			     const uint8_t key[BEDROCK__SHA256_LEN],
			     const char *sts, size_t sts_len)
{
	uint8_t mac[BEDROCK__SHA256_LEN];

	if (bedrock__hmac_sha256(c, mac, key, BEDROCK__SHA256_LEN, sts, sts_len))
		return BEDROCK_ENOMEM;
	bedrock__hex(out, mac, sizeof(mac));
	return 0;
}
