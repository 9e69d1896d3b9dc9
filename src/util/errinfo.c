#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "errinfo.h"

int bedrock__err(bedrock_error_info *err, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

int bedrock__err(bedrock_error_info *err, int code, const char *fmt, ...)
{
	va_list ap;

	if (!err)
		return code;
	memset(err, 0, sizeof(*err));
	err->code = code;
	va_start(ap, fmt);
	vsnprintf(err->message, sizeof(err->message), fmt, ap);
	va_end(ap);
	return code;
}

void bedrock__err_prefix(bedrock_error_info *err, const char *what)
{
	char tmp[sizeof(err->message)];
	size_t wl, ml, cap = sizeof(tmp) - 1;

	if (!err)
		return;
	wl = strlen(what);
	ml = strlen(err->message);
	if (wl > cap - 2)
		wl = cap - 2;
	memcpy(tmp, what, wl);
	memcpy(tmp + wl, ": ", 2);
	if (ml > cap - wl - 2)
		ml = cap - wl - 2;
	memcpy(tmp + wl + 2, err->message, ml);
	tmp[wl + 2 + ml] = '\0';
	memcpy(err->message, tmp, sizeof(tmp));
}
