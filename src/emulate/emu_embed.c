#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <event2/event.h>

#include "emu_embed.h"
#include "emu_handler.h"

struct emu_embedded {
	emu_state st;
	emu_key key;
	char *region;
	serve_server *server;
	pthread_t thread;
};

static char embedded_token[] = EMU_EMBEDDED_GOOGLE_TOKEN;
static char *const embedded_tokens[] = { embedded_token };

static void *serve(void *arg)
{
	emu_embedded *e = arg;

	serve_server_run(e->server);
	return NULL;
}

static void dispose(emu_embedded *e)
{
	emu_google_dispose(&e->st.google);
	emu_control_dispose(&e->st.control);
	emu_faults_dispose(&e->st.faults);
	emu_replay_dispose(&e->st.replay);
	emu_key_dispose(&e->key);
	free(e->region);
	free(e);
}

int emu_embedded_start(emu_embedded **out, const char *region, char *url, size_t url_cap,
		       char *err, size_t err_cap)
{
	serve_server_options opts;
	emu_embedded *e;

	*out = NULL;
	e = calloc(1, sizeof(*e));
	if (!e || emu_faults_init(&e->st.faults) || emu_replay_init(&e->st.replay) ||
	    emu_key_parse(&e->key, EMU_DEFAULT_ACCESS_KEY_ID ":" EMU_DEFAULT_SECRET_KEY) ||
	    !(e->region = strdup(region)) || emu_control_init(&e->st.control, region)) {
		snprintf(err, err_cap, "out of memory starting the emulator");
		if (e) {
			emu_faults_dispose(&e->st.faults);
			emu_replay_dispose(&e->st.replay);
			emu_key_dispose(&e->key);
			free(e->region);
			free(e);
		}
		return -1;
	}
	/* Google's side too (project emulator-project), so a Vertex client
	 * gets a token from the embedded metadata server. */
	if (emu_google_init(&e->st.google, NULL)) {
		snprintf(err, err_cap, "out of memory starting the emulator");
		dispose(e);
		return -1;
	}
	e->st.google.tokens = embedded_tokens;
	e->st.google.token_count = 1;
	e->st.auth.region = e->region;
	e->st.auth.max_skew_seconds = 300;
	e->st.auth.keys = &e->key;
	e->st.auth.key_count = 1;
	memset(&opts, 0, sizeof(opts));
	opts.listen = "127.0.0.1:0";
	opts.handler = emu_handle;
	opts.precheck = emu_precheck;
	opts.payload = &e->st;
	/* A peer that goes away must not kill the process that embeds us. */
	signal(SIGPIPE, SIG_IGN);
	if (serve_server_new(&e->server, &opts, url, url_cap)) {
		snprintf(err, err_cap, "cannot start the emulator on 127.0.0.1");
		dispose(e);
		return -1;
	}
	if (pthread_create(&e->thread, NULL, serve, e)) {
		snprintf(err, err_cap, "cannot start the emulator's thread");
		serve_server_free(e->server);
		dispose(e);
		return -1;
	}
	*out = e;
	return 0;
}

void emu_embedded_stop(emu_embedded *e)
{
	if (!e)
		return;
	serve_server_stop(e->server);
	pthread_join(e->thread, NULL);
	serve_server_free(e->server);
	/* evthread's global locks, so a leak checker sees a clean exit. */
	libevent_global_shutdown();
	dispose(e);
}
