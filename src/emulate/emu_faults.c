#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emu_faults.h"

static const struct {
	const char *name;
	emu_fault_kind kind;
	int needs_arg;
} names[] = {
	{ "throttle", EMU_FAULT_THROTTLE, 0 },
	{ "not-ready", EMU_FAULT_NOT_READY, 0 },
	{ "internal", EMU_FAULT_INTERNAL, 0 },
	{ "unavailable", EMU_FAULT_UNAVAILABLE, 0 },
	{ "model-timeout", EMU_FAULT_MODEL_TIMEOUT, 0 },
	{ "model-error", EMU_FAULT_MODEL_ERROR, 0 },
	{ "reset", EMU_FAULT_RESET, 0 },
	{ "reset-after", EMU_FAULT_RESET_AFTER, 1 },
	{ "corrupt-crc", EMU_FAULT_CORRUPT_CRC, 0 },
	{ "truncate", EMU_FAULT_TRUNCATE, 0 },
	{ "stream-exception", EMU_FAULT_STREAM_EXCEPTION, 1 },
	{ "slow", EMU_FAULT_SLOW, 1 },
	{ "access-denied", EMU_FAULT_ACCESS_DENIED, 0 },
	{ "overloaded", EMU_FAULT_OVERLOADED, 0 },
	{ "no-retry", EMU_FAULT_NO_RETRY, 0 },
	{ "retry-400", EMU_FAULT_RETRY_400, 0 },
	{ "burst", EMU_FAULT_BURST, 0 },
};

static const char *const exceptions[] = {
	"internalServerException", "modelStreamErrorException", "validationException",
	"throttlingException", "modelTimeoutException", "serviceUnavailableException",
};

int emu_fault_exception_known(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(exceptions) / sizeof(exceptions[0]); i++)
		if (!strcmp(exceptions[i], name))
			return 1;
	return 0;
}

int emu_fault_parse(emu_fault *out, const char *spec, char *err, size_t cap)
{
	const char *eq = strchr(spec, '=');
	size_t nl = eq ? (size_t)(eq - spec) : strlen(spec), i;

	memset(out, 0, sizeof(*out));
	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		if (strlen(names[i].name) != nl || strncmp(names[i].name, spec, nl))
			continue;
		if (names[i].needs_arg != (eq != NULL)) {
			snprintf(err, cap, "fault '%s' %s", names[i].name,
				 names[i].needs_arg ? "needs a value (NAME=VALUE)" : "takes no value");
			return -1;
		}
		out->kind = names[i].kind;
		if (out->kind == EMU_FAULT_STREAM_EXCEPTION) {
			if (!emu_fault_exception_known(eq + 1)) {
				snprintf(err, cap, "unknown stream exception '%s' (one of "
					 "internalServerException, modelStreamErrorException, "
					 "validationException, throttlingException, "
					 "modelTimeoutException, serviceUnavailableException)", eq + 1);
				return -1;
			}
			snprintf(out->exception, sizeof(out->exception), "%s", eq + 1);
		} else if (eq) {
			char *end;
			unsigned long v = strtoul(eq + 1, &end, 10);

			if (!eq[1] || *end || v > 600000) {
				snprintf(err, cap, "fault '%s': '%s' is not a number", names[i].name, eq + 1);
				return -1;
			}
			out->param = (unsigned)v;
		}
		return 0;
	}
	snprintf(err, cap, "unknown fault '%.*s' (throttle, not-ready, internal, unavailable, "
		 "model-timeout, model-error, reset, reset-after=N, corrupt-crc, truncate, "
		 "stream-exception=KIND, slow=MS, burst, access-denied, overloaded, no-retry, retry-400)",
		 (int)nl, spec);
	return -1;
}

int emu_faults_init(emu_faults *f)
{
	memset(f, 0, sizeof(*f));
	return pthread_mutex_init(&f->lock, NULL) ? -1 : 0;
}

int emu_faults_add(emu_faults *f, const char *spec, char *err, size_t cap)
{
	char name[128];
	const char *colon = strrchr(spec, ':');
	emu_fault_rule rule, *p;
	long count = 1;

	/* "stream-exception=x:3": the count follows the last colon. */
	if (colon) {
		char *end;

		if (!strcmp(colon + 1, "*")) {
			count = -1;
		} else {
			count = strtol(colon + 1, &end, 10);
			if (!colon[1] || *end || count < 1) {
				snprintf(err, cap, "fault '%s': the count must be a positive number or *",
					 spec);
				return -1;
			}
		}
	}
	snprintf(name, sizeof(name), "%.*s", (int)(colon ? (size_t)(colon - spec) : strlen(spec)),
		 spec);
	if (emu_fault_parse(&rule.fault, name, err, cap))
		return -1;
	rule.remaining = count;
	p = realloc(f->rules, (f->count + 1) * sizeof(*p));
	if (!p) {
		snprintf(err, cap, "out of memory");
		return -1;
	}
	f->rules = p;
	f->rules[f->count++] = rule;
	return 0;
}

/* Finds "[[emulate:fault=SPEC]]" in the body: 1 found, 0 none, -1 one
 * that names no fault (err says why). */
static int prompt_fault(emu_fault *out, const char *body, size_t len, char *err, size_t cap)
{
	static const char marker[] = "[[emulate:fault=";
	const char *p = body, *end = body + len;
	char spec[96];

	while (p && (size_t)(end - p) >= sizeof(marker) - 1) {
		const char *hit = memchr(p, '[', (size_t)(end - p)), *close;

		if (!hit || (size_t)(end - hit) < sizeof(marker) - 1)
			return 0;
		if (memcmp(hit, marker, sizeof(marker) - 1)) {
			p = hit + 1;
			continue;
		}
		hit += sizeof(marker) - 1;
		for (close = hit; close + 1 < end && !(close[0] == ']' && close[1] == ']'); close++)
			;
		if (close + 1 >= end)
			return 0;
		if ((size_t)(close - hit) >= sizeof(spec)) {
			snprintf(err, cap, "unknown fault '%.*s...'", 32, hit);
			return -1;
		}
		memcpy(spec, hit, (size_t)(close - hit));
		spec[close - hit] = '\0';
		return emu_fault_parse(out, spec, err, cap) == 0 ? 1 : -1;
	}
	return 0;
}

int emu_faults_take(emu_fault *out, emu_faults *f, const void *body, size_t len, char *err,
		    size_t cap)
{
	size_t i;
	int rc = body ? prompt_fault(out, body, len, err, cap) : 0;

	if (rc)
		return rc > 0 ? 0 : -1;
	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&f->lock);
	for (i = 0; i < f->count; i++) {
		if (f->rules[i].remaining == 0)
			continue;
		if (f->rules[i].remaining > 0)
			f->rules[i].remaining--;
		*out = f->rules[i].fault;
		break;
	}
	pthread_mutex_unlock(&f->lock);
	return 0;
}

void emu_faults_dispose(emu_faults *f)
{
	free(f->rules);
	pthread_mutex_destroy(&f->lock);
	memset(f, 0, sizeof(*f));
}
