/* Event-stream throughput: raw decoder MB/s on large payloads, messages/s
 * on small Bedrock-sized frames, and Bedrock-layer events/s (both JSON
 * parses plus base64) on chunk events shaped like the recorded streams.
 * All input is generated with the library's own encoder. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "bedrock/bedrock.h"
#include "base64.h"

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static bedrock_es_header str_header(const char *name, const char *value)
{
	bedrock_es_header h;

	memset(&h, 0, sizeof(h));
	h.name = name;
	h.name_len = strlen(name);
	h.type = BEDROCK_ES_STRING;
	h.value.bytes.ptr = (const uint8_t *)value;
	h.value.bytes.len = strlen(value);
	return h;
}

/* Appends one Bedrock-style frame to buf. */
static size_t put_frame(uint8_t *buf, size_t cap, const char *event_type, const void *payload,
			size_t len)
{
	bedrock_es_header h[3];
	size_t n;

	h[0] = str_header(":event-type", event_type);
	h[1] = str_header(":content-type", "application/json");
	h[2] = str_header(":message-type", "event");
	if (bedrock_es_encode(&n, buf, cap, h, 3, payload, len)) {
		fprintf(stderr, "encode failed\n");
		exit(1);
	}
	return n;
}

/* Decodes buf `rounds` times, fed in pieces of `step` bytes (0 = whole). */
static size_t decode_rounds(const uint8_t *buf, size_t len, int rounds, size_t step)
{
	bedrock_es_decoder *d;
	bedrock_es_message m;
	size_t count = 0, pos, sum = 0;
	int i, rc;

	if (bedrock_es_decoder_new(&d, NULL))
		exit(1);
	for (i = 0; i < rounds; i++) {
		for (pos = 0; pos < len;) {
			size_t n = step && step < len - pos ? step : len - pos;

			bedrock_es_decoder_feed(d, buf + pos, n);
			pos += n;
			while ((rc = bedrock_es_decoder_next(&m, d)) == 0) {
				count++;
				sum += m.payload_len;
			}
			if (rc != BEDROCK_EAGAIN) {
				fprintf(stderr, "decode failed: %s\n", bedrock_es_decoder_errmsg(d));
				exit(1);
			}
		}
	}
	bedrock_es_decoder_free(d);
	return count + (sum & 0);
}

static void bench_large(void)
{
	const size_t payload = 1 << 20, count = 32;
	size_t cap = count * (payload + 128), len = 0, i, steps[] = { 0, 65536 };
	uint8_t *buf = malloc(cap), *p = malloc(payload);
	int s;

	for (i = 0; i < payload; i++)
		p[i] = (uint8_t)(i * 31);
	for (i = 0; i < count; i++)
		len += put_frame(buf + len, cap - len, "chunk", p, payload);
	for (s = 0; s < 2; s++) {
		int rounds = 40;
		double t0 = now(), t;

		decode_rounds(buf, len, rounds, steps[s]);
		t = now() - t0;
		printf("decoder, 1 MiB payloads, %s: %.0f MB/s (%.0f messages/s)\n",
		       steps[s] ? "64 KiB feeds" : "whole buffer",
		       (double)len * rounds / t / 1e6, (double)count * rounds / t);
	}
	free(buf);
	free(p);
}

static const char *deltas[] = {
	"212 degrees", " Fahrenheit is equivalent to", " 100 degrees Celsius.",
	"\n\nThis is the boiling", " point of water at", " standard atmospheric pressure.",
};

/* A chunk payload as Bedrock sends it: {"bytes": base64(event), "p": pad}. */
static size_t chunk_payload(char *out, size_t cap, size_t i)
{
	char ev[256], b64[400];
	int n = snprintf(ev, sizeof(ev),
			 "{\"type\":\"content_block_delta\",\"index\":0,"
			 "\"delta\":{\"type\":\"text_delta\",\"text\":\"%s\"}}",
			 deltas[i % 6]);

	bedrock__base64_encode(b64, ev, (size_t)n);
	return (size_t)snprintf(out, cap, "{\"bytes\":\"%s\",\"p\":\"%.*s\"}", b64, (int)(i % 40),
			       "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ");
}

static uint8_t *chunk_stream(size_t count, size_t *out_len)
{
	size_t cap = count * 600, len = 0, i;
	uint8_t *buf = malloc(cap);
	char payload[512];

	for (i = 0; i < count; i++) {
		size_t n = chunk_payload(payload, sizeof(payload), i);

		len += put_frame(buf + len, cap - len, "chunk", payload, n);
	}
	*out_len = len;
	return buf;
}

/* Streams of ~0.5 MB decoded repeatedly: received data is cache-hot, as it
 * is when the transport has just written it. */
static void bench_small(void)
{
	const size_t count = 2000;
	size_t len, steps[] = { 0, 16384 };
	uint8_t *buf = chunk_stream(count, &len);
	int s;

	for (s = 0; s < 2; s++) {
		int rounds = 2000;
		double t0 = now(), t;

		decode_rounds(buf, len, rounds, steps[s]);
		t = now() - t0;
		printf("decoder, %zu-byte Bedrock chunk frames, %s: %.2fM messages/s (%.0f MB/s)\n",
		       len / count, steps[s] ? "16 KiB feeds" : "whole buffer",
		       (double)count * rounds / t / 1e6, (double)len * rounds / t / 1e6);
	}
	free(buf);
}

static void bench_events(void)
{
	const size_t count = 2000;
	size_t len, pos, events = 0, text = 0;
	uint8_t *buf = chunk_stream(count, &len);
	bedrock_event_reader *r;
	bedrock_event ev;
	int rounds = 500, i, rc;
	double t0, t;

	if (bedrock_event_reader_new(&r, NULL))
		exit(1);
	t0 = now();
	for (i = 0; i < rounds; i++) {
		for (pos = 0; pos < len; pos += 16384) {
			bedrock_event_reader_feed(r, buf + pos, len - pos < 16384 ? len - pos : 16384);
			while ((rc = bedrock_event_reader_next(&ev, r)) == 0) {
				events++;
				text += ev.text_len;
			}
			if (rc != BEDROCK_EAGAIN) {
				fprintf(stderr, "reader failed: %s\n", bedrock_event_reader_errmsg(r));
				exit(1);
			}
		}
	}
	t = now() - t0;
	printf("event reader, chunk events (2 JSON parses + base64), 16 KiB feeds: "
	       "%.2fM events/s (%.2f us/event, %zu text bytes)\n",
	       (double)events / t / 1e6, t / (double)events * 1e6, text);
	bedrock_event_reader_free(r);
	free(buf);
}

/* Optional argument: large, small or events, to run (or profile) one. */
int main(int argc, char **argv)
{
	const char *only = argc > 1 ? argv[1] : "";

	if (!*only || !strcmp(only, "large"))
		bench_large();
	if (!*only || !strcmp(only, "small"))
		bench_small();
	if (!*only || !strcmp(only, "events"))
		bench_events();
	return 0;
}
