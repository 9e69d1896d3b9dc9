/* The listener's certificate chain and key, loaded once at start into an
 * OpenSSL context that offers "h2" and "http/1.1" by ALPN (RFC 7301). A
 * message names the file, never its content; OpenSSL clears the key's
 * memory when the context is freed. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "serve_net.h"

static const unsigned char ALPN_H2[] = "h2";
static const unsigned char ALPN_H1[] = "http/1.1";

/* The client's list, in its order of preference, against ours: h2 first
 * when both are offered (the stream multiplexing is why one would ask). */
static int alpn_cb(SSL *ssl, const unsigned char **out, unsigned char *outlen,
		   const unsigned char *in, unsigned int inlen, void *arg)
{
	const unsigned char *h1 = NULL, *p = in, *end = in + inlen;

	(void)ssl;
	(void)arg;
	while (p < end && (size_t)(end - p) > p[0]) {
		if (p[0] == sizeof(ALPN_H2) - 1 && !memcmp(p + 1, ALPN_H2, p[0])) {
			*out = p + 1;
			*outlen = p[0];
			return SSL_TLSEXT_ERR_OK;
		}
		if (p[0] == sizeof(ALPN_H1) - 1 && !memcmp(p + 1, ALPN_H1, p[0]))
			h1 = p;
		p += 1 + p[0];
	}
	if (h1) {
		*out = h1 + 1;
		*outlen = h1[0];
		return SSL_TLSEXT_ERR_OK;
	}
	/* A client naming neither gets HTTP/1.1 without ALPN, as curl did
	 * before it offered any. */
	return SSL_TLSEXT_ERR_NOACK;
}

/* The first error OpenSSL queued, as text; the queue is emptied. */
static const char *ssl_reason(char *buf, size_t cap)
{
	unsigned long e = ERR_peek_error();

	if (!e)
		snprintf(buf, cap, "unknown error");
	else
		ERR_error_string_n(e, buf, cap);
	ERR_clear_error();
	return buf;
}

/* 0 when path can be opened for reading, else -1 having said why: the
 * plain reason ("No such file") rather than OpenSSL's error code. */
static int readable(const serve_server *s, const char *path)
{
	FILE *f = fopen(path, "rb");

	if (!f) {
		serve_say(s, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	fclose(f);
	return 0;
}

int serve_tls_load(serve_server *s)
{
	char why[256];
	SSL_CTX *ctx;

	if (!s->opt.tls_cert || !s->opt.tls_key) {
		serve_say(s, "TLS needs both a certificate and a key file");
		return -1;
	}
	if (readable(s, s->opt.tls_cert) || readable(s, s->opt.tls_key))
		return -1;
	ctx = SSL_CTX_new(TLS_server_method());
	if (!ctx) {
		serve_say(s, "cannot set up TLS: %s", ssl_reason(why, sizeof(why)));
		return -1;
	}
	SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
	/* Renegotiation is a way to make the server work; nobody needs it. */
	SSL_CTX_set_options(ctx, SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
	SSL_CTX_set_mode(ctx, SSL_MODE_RELEASE_BUFFERS);
	if (SSL_CTX_use_certificate_chain_file(ctx, s->opt.tls_cert) != 1) {
		serve_say(s, "cannot use %s as the certificate (a PEM chain): %s", s->opt.tls_cert,
			  ssl_reason(why, sizeof(why)));
		goto fail;
	}
	if (SSL_CTX_use_PrivateKey_file(ctx, s->opt.tls_key, SSL_FILETYPE_PEM) != 1) {
		/* OpenSSL checks the pair as it loads the key. */
		if (ERR_GET_REASON(ERR_peek_last_error()) == X509_R_KEY_VALUES_MISMATCH)
			goto mismatch;
		serve_say(s, "cannot use %s as the private key (PEM): %s", s->opt.tls_key,
			  ssl_reason(why, sizeof(why)));
		goto fail;
	}
	if (SSL_CTX_check_private_key(ctx) != 1) {
mismatch:
		ERR_clear_error();
		serve_say(s, "%s is not the key of the certificate in %s", s->opt.tls_key,
			  s->opt.tls_cert);
		goto fail;
	}
	SSL_CTX_set_alpn_select_cb(ctx, alpn_cb, NULL);
	s->tls_ctx = ctx;
	return 0;
fail:
	SSL_CTX_free(ctx);
	return -1;
}

void serve_tls_unload(serve_server *s)
{
	SSL_CTX_free(s->tls_ctx);
	s->tls_ctx = NULL;
}
