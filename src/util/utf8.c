/* UTF-8 validation (utf8.h). */
#include "utf8.h"

size_t bedrock__utf8_check(const void *data, size_t len)
{
	const unsigned char *s = data;
	size_t i = 0, k, n;
	unsigned c;

	while (i < len) {
		c = s[i];
		if (c == 0)
			return i;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3;
		else
			return i;
		if (len - i <= n)
			return i;
		for (k = 1; k <= n; k++)
			if ((s[i + k] & 0xc0) != 0x80)
				return i;
		/* Overlong forms, surrogates and code points above U+10FFFF:
		 * all decided by the lead byte and the one after it. */
		if ((c == 0xe0 && s[i + 1] < 0xa0) || (c == 0xed && s[i + 1] > 0x9f) ||
		    (c == 0xf0 && s[i + 1] < 0x90) || (c == 0xf4 && s[i + 1] > 0x8f))
			return i;
		i += n + 1;
	}
	return len;
}

int bedrock__utf8_valid(const void *data, size_t len)
{
	return bedrock__utf8_check(data, len) == len;
}
