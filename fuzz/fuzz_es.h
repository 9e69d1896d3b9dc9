/* Helpers shared by the event-stream fuzz targets (header-only: each
 * target is its own program). */
#ifndef BEDROCK_FUZZ_ES_H
#define BEDROCK_FUZZ_ES_H

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <zlib.h>

#define CHECK(x) do { if (!(x)) __builtin_trap(); } while (0)

/* Random mutations almost never keep both CRCs right, which would leave
 * everything past the prelude check unexplored. When bit 0x40 of the last
 * byte is set, the CRCs of every frame the lengths describe are rewritten
 * first (in a copy), so header parsing and the layers above get fuzzed. */
static inline uint8_t *fixup_crcs(const uint8_t *data, size_t size)
{
	uint8_t *p = malloc(size ? size : 1);
	size_t off = 0;

	CHECK(p != NULL);
	memcpy(p, data, size);
	while (size - off >= 12) {
		uint8_t *f = p + off;
		uint32_t total = (uint32_t)f[0] << 24 | (uint32_t)f[1] << 16 | (uint32_t)f[2] << 8 | f[3];
		uint32_t c = (uint32_t)crc32(0, f, 8);

		f[8] = (uint8_t)(c >> 24); f[9] = (uint8_t)(c >> 16);
		f[10] = (uint8_t)(c >> 8); f[11] = (uint8_t)c;
		if (total < 16 || total > size - off)
			break;
		c = (uint32_t)crc32(0, f, total - 4);
		f[total - 4] = (uint8_t)(c >> 24); f[total - 3] = (uint8_t)(c >> 16);
		f[total - 2] = (uint8_t)(c >> 8); f[total - 1] = (uint8_t)c;
		off += total;
	}
	return p;
}

#endif
