/* h1_fill: where a new HTTP/1.1 connection goes when the server runs
 * HTTP/1.1 on loops. It fills the first loop while that loop is neither
 * busy (half a core over the last sweep) nor full (64 connections), then
 * the next; round robin without it. Each answer names the loop it ran on
 * (serve_request.loop), so the tests read the placement off the wire. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#include "serve_helpers.h"

static void where_handler(serve_response *out, const serve_request *req, void *payload)
{
	char text[32];
	int n;

	(void)payload;
	if (!strcmp(req->path, "/spin")) {
		/* A loop kept busy: 800 ms of CPU on its thread. */
		double until = th_now() + 0.8;
		volatile unsigned long x = 0;

		while (th_now() < until)
			x++;
	}
	n = snprintf(text, sizeof(text), "%p", (void *)req->loop);
	out->status = 200;
	serve_response_piece(out, text, (size_t)n, 0);
}

static int port_of(const char *url)
{
	const char *c = strrchr(url, ':');

	return c ? atoi(c + 1) : 0;
}

static int connect_to(int port)
{
	struct sockaddr_in sa;
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	assert_true(fd >= 0);
	memset(&sa, 0, sizeof(sa));
	sa.sin_family = AF_INET;
	sa.sin_port = htons((uint16_t)port);
	sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

/* One GET on a kept-alive connection: the loop that answered it. */
static void ask(int fd, const char *path, char *loop, size_t cap)
{
	char req[128], buf[2048];
	size_t have = 0;
	const char *body;
	int n;

	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path);
	assert_int_equal(send(fd, req, (size_t)n, 0), n);
	for (;;) {
		const char *len_at;
		ssize_t r;

		buf[have] = '\0';
		body = strstr(buf, "\r\n\r\n");
		len_at = strstr(buf, "Content-Length:");
		if (body && len_at && have >= (size_t)(body + 4 - buf) + (size_t)atoi(len_at + 15))
			break;
		r = recv(fd, buf + have, sizeof(buf) - 1 - have, 0);
		assert_true(r > 0);
		have += (size_t)r;
	}
	snprintf(loop, cap, "%.*s", atoi(strstr(buf, "Content-Length:") + 15), body + 4);
}

static void start(th_server *t, int fill)
{
	serve_server_options o;

	th_options(&o, 0);
	o.handler = where_handler;
	o.h1_loops = 2;
	o.h1_fill = fill;
	o.max_connections = 1000;
	th_start(t, &o);
}

static void test_serve_fill__one_loop_while_quiet(void **state)
{
	th_server t;
	char first[32], loop[32];
	int fds[5], port;

	(void)state;
	start(&t, 1);
	port = port_of(t.url);
	for (int i = 0; i < 5; i++) {
		fds[i] = connect_to(port);
		ask(fds[i], "/where", i ? loop : first, sizeof(loop));
		if (i)
			assert_string_equal(loop, first);
	}
	for (int i = 0; i < 5; i++)
		close(fds[i]);
	th_stop(&t);

	/* Without it: round robin, so two in a row are on different loops. */
	start(&t, 0);
	port = port_of(t.url);
	fds[0] = connect_to(port);
	fds[1] = connect_to(port);
	ask(fds[0], "/where", first, sizeof(first));
	ask(fds[1], "/where", loop, sizeof(loop));
	assert_string_not_equal(loop, first);
	close(fds[0]);
	close(fds[1]);
	th_stop(&t);
}

typedef struct spin_arg {
	int fd;
	char loop[32];
} spin_arg;

static void *spin_thread(void *arg)
{
	spin_arg *a = arg;

	ask(a->fd, "/spin", a->loop, sizeof(a->loop));
	return NULL;
}

static void test_serve_fill__busy_loop_spills(void **state)
{
	th_server t;
	spin_arg a;
	pthread_t th;
	char loop[32], first[32];
	int fd, port;

	(void)state;
	start(&t, 1);
	port = port_of(t.url);
	a.fd = connect_to(port);
	assert_int_equal(pthread_create(&th, NULL, spin_thread, &a), 0);
	/* Past a sweep (250 ms) into the spin: its loop is seen busy. */
	th_sleep_ms(600);
	{
		serve_loop_stat st[4];

		assert_int_equal(serve_server_loops(t.s, st, 4), 2);
		assert_true(st[0].busy >= 0.5 || st[1].busy >= 0.5);
		assert_true(st[0].busy < 0.5 || st[1].busy < 0.5);
	}
	fd = connect_to(port);
	ask(fd, "/where", loop, sizeof(loop));
	pthread_join(th, NULL);
	assert_string_not_equal(loop, a.loop);
	close(fd);

	/* Quiet again after a sweep: the first loop takes the next one. */
	th_sleep_ms(600);
	fd = connect_to(port);
	ask(fd, "/where", first, sizeof(first));
	assert_string_equal(first, a.loop);
	close(fd);
	close(a.fd);
	th_stop(&t);
}

static void test_serve_fill__full_loop_spills(void **state)
{
	enum { N = 70 };
	th_server t;
	char loops[N][32];
	int fds[N], port, on_first = 0;

	(void)state;
	start(&t, 1);
	port = port_of(t.url);
	for (int i = 0; i < N; i++) {
		fds[i] = connect_to(port);
		ask(fds[i], "/where", loops[i], sizeof(loops[i]));
	}
	for (int i = 0; i < N; i++)
		on_first += !strcmp(loops[i], loops[0]);
	/* 64 connections held on the first loop, the rest on the second; the
	 * server says so too. */
	assert_int_equal(on_first, 64);
	{
		serve_loop_stat st[4];

		assert_int_equal(serve_server_loops(t.s, st, 4), 2);
		assert_int_equal(st[0].connections + st[1].connections, N);
		assert_true(st[0].connections == 64 || st[1].connections == 64);
	}
	for (int i = 0; i < N; i++)
		close(fds[i]);

	/* Closed connections are given back: after they are gone, the first
	 * loop takes new ones again. */
	th_sleep_ms(300);
	fds[0] = connect_to(port);
	ask(fds[0], "/where", loops[1], sizeof(loops[1]));
	assert_string_equal(loops[1], loops[0]);
	close(fds[0]);
	th_stop(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_serve_fill__one_loop_while_quiet),
		cmocka_unit_test(test_serve_fill__busy_loop_spills),
		cmocka_unit_test(test_serve_fill__full_loop_spills),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
