/* The listener's certificate and key, read once at start into memory
 * (libmicrohttpd takes them as PEM strings). A message names the file,
 * never its content; the key is wiped when freed (serve_server_free). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto.h"
#include "serve_net.h"

/* A PEM certificate chain or key larger than this is not one. */
#define PEM_MAX (1024 * 1024)

/* A whole PEM file, NUL-terminated (libmicrohttpd wants strings); NULL
 * with a message naming the file, never its content. */
static char *read_pem(const serve_server *s, const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;

	if (!f) {
		serve_say(s, "cannot read %s: %s", path, strerror(errno));
		return NULL;
	}
	buf = malloc(PEM_MAX + 1);
	if (buf)
		n = fread(buf, 1, PEM_MAX + 1, f);
	if (!buf || ferror(f) || n > PEM_MAX || !n) {
		serve_say(s, "cannot read %s: %s", path, !buf ? "out of memory" : ferror(f) ?
			  "read error" : n ? "larger than 1 MiB, not a PEM file" : "empty");
		if (buf)
			bedrock__wipe(buf, n < PEM_MAX + 1 ? n : PEM_MAX + 1);
		free(buf);
		fclose(f);
		return NULL;
	}
	fclose(f);
	buf[n] = 0;
	*len = n;
	return buf;
}

int serve_tls_load(serve_server *s)
{
	size_t n;

	if (!s->opt.tls_cert || !s->opt.tls_key) {
		serve_say(s, "TLS needs both a certificate and a key file");
		return -1;
	}
	s->tls_cert_pem = read_pem(s, s->opt.tls_cert, &n);
	if (!s->tls_cert_pem)
		return -1;
	s->tls_key_pem = read_pem(s, s->opt.tls_key, &s->tls_key_len);
	return s->tls_key_pem ? 0 : -1;
}

void serve_tls_wipe(char *pem, size_t len)
{
	bedrock__wipe(pem, len);
}
