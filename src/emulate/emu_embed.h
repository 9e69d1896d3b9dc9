/* An emulator inside the process, for `bedrock --emulate <command>`: the
 * same handler and network layer as `bedrock emulate`, on a free loopback
 * port, served from a thread of its own until emu_embedded_stop(). */
#ifndef BEDROCK_EMU_EMBED_H
#define BEDROCK_EMU_EMBED_H

#include <stddef.h>

/* The key pair the emulator accepts by default: AWS's documented example
 * (not a secret: it is in every AWS SigV4 test suite). */
#define EMU_DEFAULT_ACCESS_KEY_ID "AKIDEXAMPLE"
#define EMU_DEFAULT_SECRET_KEY "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"

/* The Google access token the embedded emulator's Vertex front accepts
 * (not a secret: it is accepted nowhere else), so `--emulate --platform
 * vertex` needs no Google account and no token round trip. */
#define EMU_EMBEDDED_GOOGLE_TOKEN "ya29.emulator-embedded"

typedef struct emu_embedded emu_embedded;

/* Starts serving on 127.0.0.1 (any free port) for @p region; writes the
 * URL into @p url. 0, or -1 with the reason in @p err. */
int emu_embedded_start(emu_embedded **out, const char *region, char *url, size_t url_cap,
		       char *err, size_t err_cap);
/* Stops the server, joins its thread and frees everything. NULL is fine. */
void emu_embedded_stop(emu_embedded *e);

#endif
