/* UTC calendar time to Unix seconds for the CLI and the emulator, which
 * use libbedrock's public API only (and gmtime's inverse, timegm, is not
 * standard C). */
#ifndef BEDROCK_CLI_TIME_H
#define BEDROCK_CLI_TIME_H

#include <stdint.h>

int64_t cli_utc_seconds(int year, int month, int day, int hour, int min, int sec);

#endif
