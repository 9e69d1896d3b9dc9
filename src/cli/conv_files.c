/* -f/--file and /attach: a file becomes a content block, chosen by what
 * the bytes are (magic numbers), never by the file name. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>

#include "cli_client.h"
#include "conv.h"

/* Bedrock takes request bodies up to 20 MB; an image is refused above
 * 3.75 MB and a document above 4.5 MB by the service itself, which says so. */
#define MAX_FILE (20u * 1024 * 1024)

char *conv_read_all(FILE *f, size_t *len)
{
	return cli_read_stream(f, MAX_FILE, len);
}

char *conv_base64(const void *data, size_t len)
{
	size_t cap = (len + 2) / 3 * 4 + 1;
	unsigned char *out;

	if (len > (size_t)0x7fffffff / 2)
		return NULL;
	out = malloc(cap);
	if (out)
		EVP_EncodeBlock(out, data, (int)len);
	return (char *)out;
}

size_t conv_utf8_check(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0, k, n;
	unsigned c;

	while (i < len) {
		c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		/* Overlong forms, surrogates and code points above U+10FFFF. */
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return i;
		i += n + 1;
	}
	return len;
}

int conv_utf8_valid(const void *data, size_t len)
{
	return conv_utf8_check(data, len) == len;
}

int conv_text_check(const char *text, size_t len, const char *what, char *err, size_t cap)
{
	size_t bad = conv_utf8_check(text, len), i;

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
	} else if (conv_utf8_valid(b, n)) {
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
