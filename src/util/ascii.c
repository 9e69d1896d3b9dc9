/* Locale-independent ASCII checks (ascii.h). */
#include <stddef.h>

#include "ascii.h"

int bedrock__dns_label_valid(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!bedrock__ascii_alnum((unsigned char)s[i]) && s[i] != '-')
			return 0;
	return i > 0 && i <= 63 && s[0] != '-' && s[i - 1] != '-';
}
