/* The emulator's Google-side parsers on arbitrary input: the JWT-bearer
 * assertion check of its token endpoint (three base64url parts, two JSON
 * objects, claims and times) and the Vertex path parser. Whatever arrives,
 * they answer without crashing or leaking, an accepted assertion really
 * has the shape they promise, and a parsed path's parts are non-empty
 * strings that fit. The clock is fixed so a run is reproducible. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "emu_google.h"
#include "vertex_front.h"

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)
#define NOW 1800000000LL

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	emu_oauth_error e;
	emu_vertex_path p;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (emu_google_jwt_check(&e, text, size, NOW) == 0) {
		const char *d1 = memchr(text, '.', size), *d2 = d1 ? strchr(d1 + 1, '.') : NULL;

		/* Three parts, and a signature of 128 bytes at least. */
		CHECK(d1 && d2 && !strchr(d2 + 1, '.') && strlen(d2 + 1) >= 171);
	} else {
		CHECK(e.status == 400 && e.error && e.description[0]);
	}
	if (emu_vertex_path_parse(&p, text) == 0) {
		CHECK(p.project[0] && p.location[0] && p.publisher[0] && p.model[0] && p.verb[0]);
		CHECK(strlen(p.model) < sizeof(p.model) && !strchr(p.verb, '/'));
		CHECK(emu_vertex_owns(text));
	}
	free(text);
	return 0;
}
