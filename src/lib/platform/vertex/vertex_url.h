/* Vertex AI's URLs: the host of a location and the path of a model's
 * method. Pure: no I/O, no allocation. */
#ifndef BEDROCK_VERTEX_URL_H
#define BEDROCK_VERTEX_URL_H

#include <stddef.h>

/* The base URL of a location, as the official SDKs build it: "global" ->
 * https://aiplatform.googleapis.com/v1; "us", "eu" (multi-regions) ->
 * https://aiplatform.{us|eu}.rep.googleapis.com/v1; any other region ->
 * https://{region}-aiplatform.googleapis.com/v1. version: "v1" or
 * "v1beta1", or NULL for none (the host alone). 0, or -1 if the location
 * is not a DNS label or the result does not fit. */
int bedrock__vertex_base_url(char *out, size_t cap, const char *location, const char *version);

/* "/projects/{project}/locations/{location}/publishers/anthropic/models/{model}:{method}",
 * each name percent-encoded as one segment ('@' of "claude-x@20250929" kept,
 * as Vertex writes it). 0, or -1 if it does not fit or a name is empty. */
int bedrock__vertex_model_path(char *out, size_t cap, const char *project, const char *location,
			       const char *model, const char *method);

#endif
