/* Retry settings from the environment and the shared config file, as the
 * AWS SDKs read them: AWS_RETRY_MODE / retry_mode, AWS_MAX_ATTEMPTS /
 * max_attempts. Kept apart from retry.c, which reads nothing. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bedrock/retry.h"
#include "errinfo.h"

/* The value without surrounding blanks, in buf; 0 if it does not fit. */
static int trimmed(char *buf, size_t cap, const char *v)
{
	size_t n;

	while (*v == ' ' || *v == '\t')
		v++;
	n = strlen(v);
	while (n && (v[n - 1] == ' ' || v[n - 1] == '\t' || v[n - 1] == '\r'))
		n--;
	if (n >= cap)
		return 0;
	memcpy(buf, v, n);
	buf[n] = '\0';
	return 1;
}

static int parse_mode(bedrock_retry_mode *out, const char *v, const char *where,
		      bedrock_error_info *err)
{
	static const struct { const char *name; bedrock_retry_mode mode; } modes[] = {
		{ "standard", BEDROCK_RETRY_STANDARD },
		{ "adaptive", BEDROCK_RETRY_ADAPTIVE },
		{ "legacy", BEDROCK_RETRY_LEGACY },
	};
	char buf[16];
	size_t i;

	if (trimmed(buf, sizeof(buf), v))
		for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++)
			if (strcasecmp(buf, modes[i].name) == 0) {
				*out = modes[i].mode;
				return 0;
			}
	return bedrock__err(err, BEDROCK_ECONFIG,
			    "%s: invalid retry mode \"%.64s\" (expected standard, adaptive or legacy)",
			    where, v);
}

static int parse_attempts(unsigned *out, const char *v, const char *where,
			  bedrock_error_info *err)
{
	char buf[24], *end;
	unsigned long n;

	if (trimmed(buf, sizeof(buf), v) && buf[0] >= '0' && buf[0] <= '9') {
		n = strtoul(buf, &end, 10);
		if (!*end && n >= 1 && n <= INT_MAX) {
			*out = (unsigned)n;
			return 0;
		}
	}
	return bedrock__err(err, BEDROCK_ECONFIG,
			    "%s: invalid max attempts \"%.64s\" (expected a whole number, 1 or more, "
			    "counting the first attempt)", where, v);
}

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

int bedrock_retry_options_from_config(bedrock_retry_options *out,
				      const bedrock_config *config,
				      bedrock_error_info *err)
{
	const char *v;
	char where[128];
	int rc;

	if (!out || out->version != BEDROCK_RETRY_OPTIONS_VERSION ||
	    (unsigned)out->mode > BEDROCK_RETRY_LEGACY)
		return bedrock__err(err, BEDROCK_EINVAL, "invalid retry options");
	if (out->mode == BEDROCK_RETRY_MODE_DEFAULT) {
		if ((v = env("AWS_RETRY_MODE"))) {
			rc = parse_mode(&out->mode, v, "AWS_RETRY_MODE", err);
		} else if (config && (v = bedrock_config_get(config, "retry_mode"))) {
			snprintf(where, sizeof(where), "profile %.64s: retry_mode",
				 bedrock_config_profile(config));
			rc = parse_mode(&out->mode, v, where, err);
		} else {
			out->mode = BEDROCK_RETRY_STANDARD;
			rc = 0;
		}
		if (rc)
			return rc;
	}
	if (out->max_attempts == 0) {
		if ((v = env("AWS_MAX_ATTEMPTS"))) {
			rc = parse_attempts(&out->max_attempts, v, "AWS_MAX_ATTEMPTS", err);
		} else if (config && (v = bedrock_config_get(config, "max_attempts"))) {
			snprintf(where, sizeof(where), "profile %.64s: max_attempts",
				 bedrock_config_profile(config));
			rc = parse_attempts(&out->max_attempts, v, where, err);
		} else {
			out->max_attempts = out->mode == BEDROCK_RETRY_LEGACY ? 5 : 3;
			rc = 0;
		}
		if (rc)
			return rc;
	}
	return 0;
}
