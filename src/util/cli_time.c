#include "cli_time.h"

int64_t cli_utc_seconds(int year, int month, int day, int hour, int min, int sec)
{
	/* days_from_civil (H. Hinnant) */
	int64_t y = year - (month <= 2), era = (y >= 0 ? y : y - 399) / 400, yoe = y - era * 400;
	int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
	int64_t days = era * 146097 + yoe * 365 + yoe / 4 - yoe / 100 + doy - 719468;

	return days * 86400 + hour * 3600 + min * 60 + sec;
}
