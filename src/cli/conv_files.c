/* -f/--file and /attach: a file becomes a content block, chosen by what
 * the bytes are (magic numbers), never by the file name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base64.h"
#include "cli_client.h"
#include "conv.h"
#include "utf8.h"

/* Bedrock takes request bodies up to 20 MB; an image is refused above
 * 3.75 MB and a document above 4.5 MB by the service itself, which says so. */
#define MAX_FILE (20u * 1024 * 1024)

char *conv_read_all(FILE *f, size_t *len)
{
	return cli_read_stream(f, MAX_FILE, len);
}

char *conv_base64(const void *data, size_t len)
{
	char *out = malloc(bedrock__base64_encoded_len(len) + 1);

	if (out)
		bedrock__base64_encode(out, data, len);
	return out;
}

int conv_text_check(const char *text, size_t len, const char *what, char *err, size_t cap)
{
	size_t bad = bedrock__utf8_check(text, len), i;

	if (bad < len && !text[bad]) {
		snprintf(err, cap, "%s contains a NUL byte at offset %zu", what, bad);
		return -1;
	}
	if (bad < len) {
		snprintf(err, cap, "%s is not valid UTF-8 at byte %zu", what, bad);
		return -1;
	}
	for (i = 0; i < len; i++)
		if (!strchr(" \t\n\r\v\f", text[i]))
			return 0;
	return 1;
}

static const char *image_type(const unsigned char *b, size_t n)
{
	if (n >= 8 && !memcmp(b, "\x89PNG\r\n\x1a\n", 8))
		return "image/png";
	if (n >= 3 && b[0] == 0xff && b[1] == 0xd8 && b[2] == 0xff)
		return "image/jpeg";
	if (n >= 6 && (!memcmp(b, "GIF87a", 6) || !memcmp(b, "GIF89a", 6)))
		return "image/gif";
	if (n >= 12 && !memcmp(b, "RIFF", 4) && !memcmp(b + 8, "WEBP", 4))
		return "image/webp";
	return NULL;
}

static const char *base_name(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash && slash[1] ? slash + 1 : path;
}

static cJSON *source_block(const char *type, const char *source_type, const char *media_type,
			   const char *data)
{
	cJSON *b = cJSON_CreateObject(), *src;

	if (!b)
		return NULL;
	cJSON_AddStringToObject(b, "type", type);
	src = cJSON_AddObjectToObject(b, "source");
	if (!src || !cJSON_AddStringToObject(src, "type", source_type) ||
	    !cJSON_AddStringToObject(src, "media_type", media_type) ||
	    !cJSON_AddStringToObject(src, "data", data)) {
		cJSON_Delete(b);
		return NULL;
	}
	return b;
}

int conv_attach(cJSON *blocks, const char *path, char *err, size_t cap)
{
	FILE *f = fopen(path, "rb");
	const unsigned char *b;
	const char *mt;
	cJSON *block = NULL;
	int refused = 1;
	char *data, *enc = NULL;
	size_t n = 0;

	if (!f) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	data = conv_read_all(f, &n);
	fclose(f);
	if (!data) {
		snprintf(err, cap, "cannot read %s: %s", path, strerror(errno));
		return -1;
	}
	b = (const unsigned char *)data;
	if (n > MAX_FILE) {
		snprintf(err, cap, "%s is larger than Bedrock's 20 MB request limit", path);
	} else if (n == 0) {
		snprintf(err, cap, "%s is empty", path);
	} else if ((mt = image_type(b, n)) != NULL) {
		refused = 0;
		enc = conv_base64(b, n);
		block = enc ? source_block("image", "base64", mt, enc) : NULL;
	} else if (n >= 5 && !memcmp(b, "%PDF-", 5)) {
		refused = 0;
		enc = conv_base64(b, n);
		block = enc ? source_block("document", "base64", "application/pdf", enc) : NULL;
		if (block)
			cJSON_AddStringToObject(block, "title", base_name(path));
	} else if (bedrock__utf8_valid(b, n)) {
		refused = 0;
		block = source_block("document", "text", "text/plain", data);
		if (block)
			cJSON_AddStringToObject(block, "title", base_name(path));
	} else {
		snprintf(err, cap, "%s is not an image (PNG, JPEG, GIF, WebP), a PDF or UTF-8 text",
			 path);
	}
	free(enc);
	free(data);
	if (!block) {
		if (!refused)
			snprintf(err, cap, "out of memory reading %s", path);
		return -1;
	}
	cJSON_AddItemToArray(blocks, block);
	return 0;
}
