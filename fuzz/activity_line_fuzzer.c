/* The activity log's reader (what `bedrock gateway activity` runs) on
 * arbitrary bytes, split into lines as the command splits a file: every
 * line is either a record whose fields keep the reader's promises or a
 * refusal with a reason, and the report over the accepted ones adds up;
 * never a crash or a leak. The bytes are also read as a --since time. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "activity_report.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p = (const char *)data, *end = p + size;
	act_report rep;
	uint64_t accepted = 0, errors = 0, input = 0;
	size_t i;
	char *s;
	int64_t ms;

	act_report_init(&rep, (act_by)(size % 4));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t len = (size_t)((nl ? nl : end) - p);
		act_record rec;
		char why[128] = "";

		if (act_parse_line(&rec, p, len, why, sizeof(why)) == 0) {
			if (!rec.json || rec.status < 0 || rec.status > 999 ||
			    (rec.latency_ms < 0 && rec.latency_ms != -1) ||
			    (rec.ttft_ms < 0 && rec.ttft_ms != -1) ||
			    ((rec.status == 0 || rec.status >= 400) && !rec.error))
				__builtin_trap();
			accepted++;
			errors += rec.error ? 1 : 0;
			input += rec.input_tokens;
			if (act_report_add(&rep, &rec) != 0)
				__builtin_trap();
			act_record_free(&rec);
		} else if (!why[0] || rec.json) {
			__builtin_trap();
		}
		p += len + 1;
	}
	act_report_finish(&rep);
	if (rep.total.requests != accepted || rep.total.errors != errors ||
	    rep.total.input_tokens != input)
		__builtin_trap();
	{
		uint64_t sum = 0;

		for (i = 0; i < rep.ngroups; i++) {
			const act_group *g = &rep.groups[i];

			sum += g->requests;
			if (!g->name || !g->name[0] || g->p50 > g->p95 ||
			    (i && rep.groups[i - 1].requests < g->requests))
				__builtin_trap();
		}
		if (sum != accepted)
			__builtin_trap();
	}
	act_report_free(&rep);

	s = malloc(size + 1);
	if (s) {
		memcpy(s, data, size);
		s[size] = '\0';
		(void)act_parse_time(s, &ms);
		free(s);
	}
	return 0;
}
