/* Time helpers without the locale- and TZ-dependent parts of libc. */
#ifndef BEDROCK_TIMEUTIL_H
#define BEDROCK_TIMEUTIL_H

#include <stddef.h>
#include <stdint.h>

/* Unix seconds for a proleptic-Gregorian UTC date and time. */
int64_t bedrock__utc_to_unix(int year, int month, int day, int hour, int min, int sec);
/* Days since 1970-01-01 to a proleptic-Gregorian date (H. Hinnant). */
void bedrock__civil_from_days(int64_t days, int64_t *year, int *month, int *day);
/* Parses ISO-8601 / RFC 3339 as AWS writes it: "2026-11-23T10:00:00Z",
 * optional fractional seconds, "Z" or "+hh:mm"/"-hh:mm". 0 or -1. */
int bedrock__parse_iso8601(const char *s, int64_t *out);
/* "YYYY-MM-DDTHH:MM:SSZ" into out (at least 21 bytes). */
void bedrock__format_iso8601(char *out, size_t cap, int64_t t);

#endif
