/* The retry policy on arbitrary inputs. The input is
 * "X-AMZ-RETRY-AFTER\nRETRY-AFTER\nAWS-CODE\n" then bytes that drive a
 * sequence of decide / success / acquire / record calls with arbitrary
 * attempts, statuses, randoms and times (NaN and infinities included).
 * Whatever comes, the quota stays in [0, 500], a standard delay never
 * exceeds 20 s + 5 s, and nothing crashes or leaks. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "bedrock/retry.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The next line of the input, NUL-terminated in place; NULL at the end. */
static char *next_line(char **p, char *end)
{
	char *s = *p, *nl;

	if (s >= end)
		return NULL;
	nl = memchr(s, '\n', (size_t)(end - s));
	if (!nl)
		nl = end;
	*nl = '\0';
	*p = nl + 1;
	return s;
}

static double take_double(const uint8_t **p, const uint8_t *end)
{
	double d = 0.0;

	if (end - *p >= (long)sizeof(d)) {
		memcpy(&d, *p, sizeof(d));
		*p += sizeof(d);
	}
	return d;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *p, *end, *xra, *ra, *code;
	const uint8_t *b, *bend;
	bedrock_retry_options o = BEDROCK_RETRY_OPTIONS_INIT;
	bedrock_retry_attempt a = BEDROCK_RETRY_ATTEMPT_INIT;
	bedrock_retry_decision d;
	bedrock_retry_stats s;
	bedrock_retry *r;
	int64_t after;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	p = text;
	end = text + size;
	xra = next_line(&p, end);
	ra = next_line(&p, end);
	code = next_line(&p, end);
	after = bedrock_retry_parse_retry_after(xra, ra);
	if (after < -1)
		abort();
	b = (const uint8_t *)(p < end ? p : end);
	bend = (const uint8_t *)end;
	o.mode = b < bend ? (bedrock_retry_mode)(*b++ % 4) : BEDROCK_RETRY_MODE_DEFAULT;
	if (bedrock_retry_new(&r, &o)) {
		free(text);
		return 0;
	}
	while (bend - b >= 4) {
		uint8_t op = *b++, x = *b++, y = *b++, z = *b++;

		switch (op % 4) {
		case 0:
			a.attempt = x % 8;
			a.http_status = (int)(y % 8) * 100 + (z % 30);
			a.aws_code = (z & 0x80) ? code : NULL;
			a.transport = (bedrock_retry_transport)(x >> 5);
			a.partial_delivered = y >> 7;
			a.retry_after_ms = (z & 0x40) ? after : -1;
			if (bedrock_retry_decide(&d, r, &a, take_double(&b, bend)) == 0) {
				uint64_t cap = BEDROCK_RETRY_MAX_BACKOFF_MS + BEDROCK_RETRY_AFTER_MAX_EXTRA_MS;

				if (o.mode != BEDROCK_RETRY_LEGACY && d.delay_ms > cap)
					abort();
				if (x & 1)
					bedrock_retry_success(r, d.quota_cost);
			}
			break;
		case 1:
			bedrock_retry_success(r, x);
			break;
		case 2:
			(void)bedrock_retry_acquire(r, take_double(&b, bend));
			break;
		default:
			bedrock_retry_record(r, take_double(&b, bend), x & 1);
			break;
		}
		bedrock_retry_get_stats(&s, r);
		if (s.quota > BEDROCK_RETRY_QUOTA_MAX)
			abort();
		if (s.limiter_enabled && !(s.fill_rate >= 0.5))
			abort();
	}
	bedrock_retry_free(r);
	free(text);
	return 0;
}
