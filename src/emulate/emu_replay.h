/* Replay of recorded Bedrock exchanges (the tests/vectors/bedrock format:
 * one directory per exchange with request.json, response.json and
 * response.body). A request matches by method, path and JSON-equal body;
 * recordings without a body match by method and path, preferring the one
 * whose noted prompt prefix the request contains. Equal candidates are
 * served in turn, so a recorded sequence replays in order. */
#ifndef BEDROCK_EMU_REPLAY_H
#define BEDROCK_EMU_REPLAY_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include <cjson/cJSON.h>

#include "serve.h"

typedef struct emu_exchange {
	char *name;			/* the directory's name */
	char *method, *path;
	cJSON *body;			/* NULL when not recorded */
	char *prompt_prefix;		/* from a mock table's note, or NULL */
	int status;
	serve_header *headers;		/* recorded, minus hop-by-hop and length */
	size_t header_count;
	uint8_t *response;
	size_t response_len;
	unsigned served;
} emu_exchange;

typedef struct emu_replay {
	pthread_mutex_t lock;
	emu_exchange *items;
	size_t count;
} emu_replay;

int emu_replay_init(emu_replay *r);
/* Loads DIR: one exchange directory, or a directory of them. */
int emu_replay_load(emu_replay *r, const char *dir, char *err, size_t cap);
/* Fills out with the recorded answer; 0, or -1 with a 404 naming the
 * nearest recording. */
int emu_replay_answer(emu_replay *r, serve_response *out, const serve_request *req);
void emu_replay_dispose(emu_replay *r);

#endif
