/* bedrock debug eventstream [--text] [FILE|-]
 *
 * Decodes an AWS event stream (e.g. a saved Bedrock response body) with the
 * public event reader and prints one JSON object per message, or with
 * --text only the answer's text. Input is read in chunks, so a stream of
 * any length runs in constant memory. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cjson/cJSON.h>

#include "bedrock/bedrock.h"
#include "cli.h"
#include "conv.h"
#include "json.h"
#include "term_safe.h"
#include "utf8.h"

#define PROG "bedrock debug eventstream"

static const char *type_names[] = {
	"bool", "bool", "byte", "short", "integer", "long", "bytes", "string", "timestamp", "uuid",
};

/* A header name or string value as JSON text: as is when it is UTF-8,
 * else with each byte that is not written \xNN (the exact bytes then go
 * in a "..._base64" member beside it). NULL when out of memory. */
static char *text_or_escaped(const uint8_t *p, size_t len)
{
	char *s = malloc(len * 4 + 1), *w = s;
	size_t i = 0;

	if (!s)
		return NULL;
	while (i < len) {
		size_t n = 1;

		/* The longest well-formed sequence here, else one byte. */
		while (n <= 4 && i + n <= len && !bedrock__utf8_valid(p + i, n))
			n++;
		if (n <= 4 && i + n <= len) {
			memcpy(w, p + i, n);
			w += n;
			i += n;
		} else {
			w += sprintf(w, "\\x%02x", p[i]);
			i++;
		}
	}
	*w = '\0';
	return s;
}

/* cJSON numbers are doubles; 64-bit values are printed exactly instead. */
static cJSON *int_item(int64_t v)
{
	char num[24];

	snprintf(num, sizeof(num), "%" PRId64, v);
	return cJSON_CreateRaw(num);
}

static cJSON *header_value(const bedrock_es_header *h)
{
	char tmp[40], *s;
	cJSON *item;
	int i;

	switch (h->type) {
	case BEDROCK_ES_BOOL_TRUE:
	case BEDROCK_ES_BOOL_FALSE: return cJSON_CreateBool(h->value.boolean);
	case BEDROCK_ES_BYTE: return int_item(h->value.byte);
	case BEDROCK_ES_SHORT: return int_item(h->value.i16);
	case BEDROCK_ES_INTEGER: return int_item(h->value.i32);
	case BEDROCK_ES_LONG:
	case BEDROCK_ES_TIMESTAMP: return int_item(h->value.i64);
	case BEDROCK_ES_UUID:
		for (i = 0, s = tmp; i < 16; i++) {
			s += sprintf(s, "%02x", h->value.uuid[i]);
			if (i == 3 || i == 5 || i == 7 || i == 9)
				*s++ = '-';
		}
		return cJSON_CreateString(tmp);
	case BEDROCK_ES_BYTES:
		s = conv_base64(h->value.bytes.ptr, h->value.bytes.len);
		break;
	case BEDROCK_ES_STRING:
		s = text_or_escaped(h->value.bytes.ptr, h->value.bytes.len);
		break;
	default:
		return NULL;
	}
	item = s ? cJSON_CreateString(s) : NULL;
	free(s);
	return item;
}

static int add_base64(cJSON *o, const char *key, const uint8_t *p, size_t len)
{
	char *b = conv_base64(p, len);
	int ok = b && cJSON_AddStringToObject(o, key, b);

	free(b);
	return ok;
}

/* One JSON value and nothing after it, as text JSON can carry as is. */
static cJSON *parse_exact(const char *p, size_t len)
{
	return bedrock__utf8_valid(p, len) ? bedrock__json_parse_exact(p, len) : NULL;
}

static int print_message(const bedrock_event *ev)
{
	const bedrock_es_message *m = ev->message;
	cJSON *root = cJSON_CreateObject(), *headers = cJSON_AddObjectToObject(root, "headers");
	cJSON *json;
	char *s;
	size_t i;
	int ok = root && headers;

	for (i = 0; ok && i < m->header_count; i++) {
		const bedrock_es_header *h = &m->headers[i];
		cJSON *o = cJSON_CreateObject(), *v = header_value(h);
		char *name = text_or_escaped((const uint8_t *)h->name, h->name_len);

		ok = o && v && name && cJSON_AddStringToObject(o, "type", type_names[h->type]);
		if (ok) {
			cJSON_AddItemToObject(o, "value", v);
			v = NULL;
		}
		/* Bytes that are not text: the exact ones, marked. */
		if (ok && h->type == BEDROCK_ES_STRING &&
		    !bedrock__utf8_valid(h->value.bytes.ptr, h->value.bytes.len))
			ok = add_base64(o, "value_base64", h->value.bytes.ptr, h->value.bytes.len);
		if (ok && !bedrock__utf8_valid((const uint8_t *)h->name, h->name_len))
			ok = add_base64(o, "name_base64", (const uint8_t *)h->name, h->name_len);
		cJSON_Delete(v);
		if (o && name)
			cJSON_AddItemToObject(headers, name, o);
		else
			cJSON_Delete(o);
		free(name);
	}
	s = ok ? conv_base64(m->payload, m->payload_len) : NULL;
	ok = ok && s && cJSON_AddStringToObject(root, "payload", s);
	free(s);
	json = ok ? parse_exact((const char *)m->payload, m->payload_len) : NULL;
	if (json)
		cJSON_AddItemToObject(root, "json", json);
	if (ok && ev->kind == BEDROCK_EVENT_EVENT && !strcmp(ev->event_type, "chunk")) {
		cJSON *event = parse_exact(ev->json, ev->json_len);

		if (event)
			cJSON_AddItemToObject(root, "event", event);
	}
	s = ok ? cJSON_PrintUnformatted(root) : NULL;
	cJSON_Delete(root);
	if (!s) {
		fprintf(stderr, PROG ": out of memory\n");
		return -1;
	}
	puts(s);
	cJSON_free(s);
	return 0;
}

static int usage(void)
{
	fputs("usage: bedrock debug eventstream [--text] [FILE|-]\n", stderr);
	return 1;
}

int cmd_debug_eventstream(int argc, char **argv)
{
	const char *path = NULL;
	bedrock_event_reader *r = NULL;
	bedrock_event ev;
	term_safe safe;
	FILE *in;
	int i, text = 0, rc = 0, status = 1, tty = isatty(STDOUT_FILENO);
	static char chunk[64 * 1024];
	size_t n;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--text"))
			text = 1;
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			puts("usage: bedrock debug eventstream [--text] [FILE|-]\n"
			     "  Decodes an AWS event stream (a saved Bedrock response body) from FILE\n"
			     "  or standard input and prints one JSON line per message: headers,\n"
			     "  payload (base64), json (the payload, when it is JSON) and event (a\n"
			     "  chunk's decoded event). A header name or string value that is not\n"
			     "  UTF-8 shows its bad bytes as \\xNN, with the exact bytes in\n"
			     "  name_base64 or value_base64. --text prints only the answer's text.");
			return 0;
		} else if (argv[i][0] == '-' && argv[i][1] != '\0') {
			fprintf(stderr, PROG ": unknown option '%s'\n", argv[i]);
			return usage();
		} else if (path) {
			return usage();
		} else {
			path = argv[i];
		}
	}
	if (!path || !strcmp(path, "-")) {
		in = stdin;
		path = "-";
	} else if (!(in = fopen(path, "rb"))) {
		fprintf(stderr, PROG ": cannot open %s: %s\n", path, strerror(errno));
		return 1;
	}
	term_safe_init(&safe);
	if (bedrock_event_reader_new(&r, NULL)) {
		fprintf(stderr, PROG ": out of memory\n");
		goto done;
	}
	while ((n = fread(chunk, 1, sizeof(chunk), in)) > 0) {
		rc = bedrock_event_reader_feed(r, chunk, n);
		while (rc == 0 || rc == BEDROCK_ETHROTTLED || rc == BEDROCK_ETIMEOUT ||
		       rc == BEDROCK_ESERVICE) {
			rc = bedrock_event_reader_next(&ev, r);
			if (rc != 0 && rc != BEDROCK_ETHROTTLED && rc != BEDROCK_ETIMEOUT &&
			    rc != BEDROCK_ESERVICE)
				break;
			/* In-stream exceptions are well-formed frames: show them. */
			if (text) {
				/* The model's text: on a terminal, controls shown, not obeyed. */
				if (ev.text && tty)
					term_safe_write(&safe, stdout, ev.text, ev.text_len);
				else if (ev.text)
					fwrite(ev.text, 1, ev.text_len, stdout);
			} else if (print_message(&ev)) {
				goto done;
			}
		}
		if (rc != BEDROCK_EAGAIN)
			break;
	}
	if (ferror(in)) {
		fprintf(stderr, PROG ": reading %s: %s\n", path, strerror(errno));
		goto done;
	}
	if (rc == BEDROCK_EAGAIN || rc == 0)
		rc = bedrock_event_reader_finish(r);
	if (text && tty)
		term_safe_flush(&safe, stdout);
	if (text)
		putchar('\n');
	if (rc) {
		fflush(stdout);
		/* It may quote an exception the stream carried. */
		fprintf(stderr, PROG ": %s: ", path);
		term_safe_puts(bedrock_event_reader_errmsg(r), stderr, isatty(STDERR_FILENO));
		fputc('\n', stderr);
		goto done;
	}
	status = 0;
done:
	bedrock_event_reader_free(r);
	if (in != stdin)
		fclose(in);
	if (fflush(stdout) != 0)
		status = 1;
	return status;
}
