/* A TLS connection: OpenSSL's handshake on a libevent bufferevent, then
 * the protocol ALPN chose. "h2" stays on the TLS bufferevent and goes to
 * nghttp2 (h2.c). HTTP/1.1 goes to libmicrohttpd through a socketpair,
 * the loop relaying the decrypted bytes both ways: MHD's own TLS (GnuTLS)
 * would decide the protocol before we could, and MHD cannot speak h2.
 * All of it runs in the loop's thread. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sys/socket.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/bufferevent_ssl.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include "serve_net.h"

/* Decrypted bytes waiting for the other side; past it, reading pauses. */
#define RELAY_HIGH (256 * 1024)

struct tls_conn {
	struct tls_conn *prev, *next;
	serve_server *srv;
	struct bufferevent *tls;	/* the client's side */
	struct bufferevent *plain;	/* MHD's side of the socketpair (relaying) */
	int closing;			/* one side ended: flush the other, then free */
	struct sockaddr_storage addr;
	socklen_t addrlen;
};

static void conn_unlink(struct tls_conn *t)
{
	serve_server *s = t->srv;

	if (t->prev)
		t->prev->next = t->next;
	else
		s->tlss = t->next;
	if (t->next)
		t->next->prev = t->prev;
	s->ntls--;
	if (t->plain)
		s->nrelay--;
}

static void conn_free(struct tls_conn *t)
{
	conn_unlink(t);
	if (t->tls)
		bufferevent_free(t->tls);
	if (t->plain)
		bufferevent_free(t->plain);
	ERR_clear_error();
	free(t);
}

static struct bufferevent *other(struct tls_conn *t, struct bufferevent *bev)
{
	return bev == t->tls ? t->plain : t->tls;
}

/* Bytes in from one side go out on the other; while the other's output
 * holds RELAY_HIGH, this side reads no more (its write_cb resumes it). */
static void relay_read_cb(struct bufferevent *bev, void *arg)
{
	struct tls_conn *t = arg;
	struct bufferevent *to = other(t, bev);

	if (t->closing)
		return;
	evbuffer_add_buffer(bufferevent_get_output(to), bufferevent_get_input(bev));
	if (evbuffer_get_length(bufferevent_get_output(to)) >= RELAY_HIGH)
		bufferevent_disable(bev, EV_READ);
}

static void relay_write_cb(struct bufferevent *bev, void *arg)
{
	struct tls_conn *t = arg;

	if (t->closing) {
		if (!evbuffer_get_length(bufferevent_get_output(bev)))
			conn_free(t);
		return;
	}
	/* Drained to the low watermark: the other side may read again. */
	bufferevent_enable(other(t, bev), EV_READ);
}

static void relay_event_cb(struct bufferevent *bev, short events, void *arg)
{
	struct tls_conn *t = arg;
	struct bufferevent *to = other(t, bev);

	if (!(events & (BEV_EVENT_EOF | BEV_EVENT_ERROR | BEV_EVENT_TIMEOUT)))
		return;
	/* What this side said before it ended still goes to the other; then
	 * both close. An error on the client's side is the end of it. */
	if (!t->closing && !(events & BEV_EVENT_ERROR && bev == t->tls))
		evbuffer_add_buffer(bufferevent_get_output(to), bufferevent_get_input(bev));
	t->closing = 1;
	bufferevent_disable(bev, EV_READ | EV_WRITE);
	if (!evbuffer_get_length(bufferevent_get_output(to)) || (events & BEV_EVENT_ERROR)) {
		conn_free(t);
		return;
	}
	bufferevent_disable(to, EV_READ);
	/* The flush may take no longer than a write does. */
	bufferevent_set_timeouts(to, NULL,
				 &(struct timeval){ (time_t)t->srv->opt.idle_timeout_s, 0 });
}

/* HTTP/1.1: a socketpair, one end to MHD, the other relayed. */
static void start_h1(struct tls_conn *t)
{
	serve_server *s = t->srv;
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0, sv)) {
		serve_say(s, "socketpair: %s", strerror(errno));
		conn_free(t);
		return;
	}
	t->plain = bufferevent_socket_new(s->base, sv[1], BEV_OPT_CLOSE_ON_FREE);
	if (!t->plain) {
		close(sv[0]);
		close(sv[1]);
		conn_free(t);
		return;
	}
	s->nrelay++;
	/* MHD takes the client's address, for its log and limits. */
	serve_h1_adopt(s, sv[0], (struct sockaddr *)&t->addr, t->addrlen);
	/* MHD keeps its own idle and request deadlines; the relay ends when
	 * it closes its end. */
	bufferevent_set_timeouts(t->tls, NULL, NULL);
	bufferevent_setwatermark(t->tls, EV_WRITE, RELAY_HIGH / 2, 0);
	bufferevent_setwatermark(t->plain, EV_WRITE, RELAY_HIGH / 2, 0);
	bufferevent_setcb(t->tls, relay_read_cb, relay_write_cb, relay_event_cb, t);
	bufferevent_setcb(t->plain, relay_read_cb, relay_write_cb, relay_event_cb, t);
	bufferevent_enable(t->tls, EV_READ | EV_WRITE);
	bufferevent_enable(t->plain, EV_READ | EV_WRITE);
	/* Bytes that came with the handshake's last flight. */
	if (evbuffer_get_length(bufferevent_get_input(t->tls)))
		relay_read_cb(t->tls, t);
}

static void handshake_cb(struct bufferevent *bev, short events, void *arg)
{
	struct tls_conn *t = arg;
	const unsigned char *proto = NULL;
	unsigned len = 0;

	if (!(events & BEV_EVENT_CONNECTED)) {
		/* A failed or timed-out handshake: nothing was served. */
		conn_free(t);
		return;
	}
	SSL_get0_alpn_selected(bufferevent_openssl_get_ssl(bev), &proto, &len);
	if (len == 2 && !memcmp(proto, "h2", 2)) {
		struct bufferevent *tls = t->tls;
		serve_server *s = t->srv;
		struct sockaddr_storage addr = t->addr;
		socklen_t addrlen = t->addrlen;

		t->tls = NULL;
		conn_free(t);
		bufferevent_set_timeouts(tls, NULL, NULL);
		serve_h2_adopt_bev(s, tls, (struct sockaddr *)&addr, addrlen);
		return;
	}
	start_h1(t);
}

void serve_tls_adopt(serve_server *s, int fd, const struct sockaddr *sa, socklen_t len)
{
	struct tls_conn *t = calloc(1, sizeof(*t));
	SSL *ssl = SSL_new(s->tls_ctx);
	uint64_t ms = serve_request_ms(s);

	if (!t || !ssl || (size_t)len > sizeof(t->addr)) {
		SSL_free(ssl);
		free(t);
		close(fd);
		return;
	}
	/* With CLOSE_ON_FREE the bufferevent owns ssl and fd from here. */
	t->tls = bufferevent_openssl_socket_new(s->base, fd, ssl, BUFFEREVENT_SSL_ACCEPTING,
						BEV_OPT_CLOSE_ON_FREE);
	if (!t->tls) {
		SSL_free(ssl);
		free(t);
		close(fd);
		return;
	}
	/* Clients that close without close_notify (most of them) are not an
	 * error worth a message. */
	bufferevent_openssl_set_allow_dirty_shutdown(t->tls, 1);
	t->srv = s;
	memcpy(&t->addr, sa, (size_t)len);
	t->addrlen = len;
	t->next = s->tlss;
	if (s->tlss)
		s->tlss->prev = t;
	s->tlss = t;
	s->ntls++;
	/* The handshake is due within the request time. */
	bufferevent_set_timeouts(t->tls, &(struct timeval){ (time_t)(ms / 1000), 0 }, NULL);
	bufferevent_setcb(t->tls, NULL, NULL, handshake_cb, t);
	bufferevent_enable(t->tls, EV_READ | EV_WRITE);
}

void serve_tls_drain(serve_server *s)
{
	struct tls_conn *t, *next;

	for (t = s->tlss; t; t = next) {
		next = t->next;
		if (!t->plain)
			conn_free(t);
	}
}

void serve_tls_close_all(serve_server *s)
{
	while (s->tlss)
		conn_free(s->tlss);
}
