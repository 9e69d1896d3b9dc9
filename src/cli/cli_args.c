#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "cli_args.h"

const char cli_global_names[] =
	"--platform --region --profile --endpoint-url --max-attempts --retry-mode --timeout --deadline "
	"--models-file --project --debug --emulate --help --version";

const char *cli_value(int argc, char **argv, int *i, const char *prog)
{
	const char *v = *i + 1 < argc ? argv[*i + 1] : NULL;

	if (!v || !*v) {
		fprintf(stderr, "%s: %s needs a value\n", prog, argv[*i]);
		return NULL;
	}
	(*i)++;
	return v;
}

size_t cli_edit_distance(const char *a, const char *b)
{
	/* Three rows are enough for the swap; names are short, longer words
	 * are compared on their first 63 characters. */
	size_t rows[3][64], la = strlen(a), lb = strlen(b), i, j;
	size_t *prev2 = rows[0], *prev = rows[1], *cur = rows[2], *t;

	if (la > 63)
		la = 63;
	if (lb > 63)
		lb = 63;
	for (j = 0; j <= lb; j++)
		prev[j] = j;
	for (i = 1; i <= la; i++) {
		cur[0] = i;
		for (j = 1; j <= lb; j++) {
			size_t cost = a[i - 1] != b[j - 1], d = prev[j - 1] + cost;

			if (prev[j] + 1 < d)
				d = prev[j] + 1;
			if (cur[j - 1] + 1 < d)
				d = cur[j - 1] + 1;
			if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
			    prev2[j - 2] + 1 < d)
				d = prev2[j - 2] + 1;
			cur[j] = d;
		}
		t = prev2;
		prev2 = prev;
		prev = cur;
		cur = t;
	}
	return prev[lb];
}

static int name_char(char c)
{
	return isalnum((unsigned char)c) || c == '-';
}

const char *cli_nearest(char *out, size_t cap, const char *word, const char *names)
{
	size_t best = (size_t)-1, body = strlen(word + strspn(word, "-"));
	const char *p = names;
	char cand[64];

	if (!cap)
		return NULL;
	out[0] = '\0';
	while (*p) {
		size_t n, d;

		while (*p && !name_char(*p))
			p++;
		for (n = 0; name_char(p[n]); n++)
			;
		if (!n)
			break;
		if (n < sizeof(cand) && (p[0] == '-') == (word[0] == '-')) {
			memcpy(cand, p, n);
			cand[n] = '\0';
			d = cli_edit_distance(word, cand);
			/* A typo: one or two slips, in a word long enough that it
			 * is not just another word ("-x" is not "-m"). */
			if (d && d <= 2 && 2 * d < body && d < best) {
				best = d;
				snprintf(out, cap, "%s", cand);
			}
		}
		p += n;
	}
	return out[0] ? out : NULL;
}

void cli_unknown_option(const char *prog, const char *opt, const char *names,
			const char *otherwise)
{
	char near[64];

	if (cli_nearest(near, sizeof(near), opt, names))
		fprintf(stderr, "%s: unknown option '%s' (did you mean '%s'?)\n", prog, opt, near);
	else if (otherwise)
		fprintf(stderr, "%s: unknown option '%s' (%s)\n", prog, opt, otherwise);
	else
		fprintf(stderr, "%s: unknown option '%s'\n", prog, opt);
}

/* ^[a-z]{2}(-[a-z]+)+-[0-9]+$, the shape of every AWS region. */
static int region_shaped(const char *r)
{
	const char *last = strrchr(r, '-');
	size_t parts = 0;

	if (!islower((unsigned char)r[0]) || !islower((unsigned char)r[1]) || r[2] != '-' || !last ||
	    !last[1] || strspn(last + 1, "0123456789") != strlen(last + 1))
		return 0;
	for (r += 3; r < last; r++) {
		size_t n = strspn(r, "abcdefghijklmnopqrstuvwxyz");

		if (!n || (r[n] != '-'))
			return 0;
		r += n;
		parts++;
	}
	return parts > 0;
}

int cli_region_check(const char *region, char *msg, size_t cap)
{
	char lower[64];
	size_t n = strlen(region), i;

	/* botocore's rule: a DNS label, for the region is part of the host. */
	if (!n || n > 63 || region[0] == '-' || region[n - 1] == '-' ||
	    strspn(region, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-") != n) {
		snprintf(msg, cap, "a region is a name such as us-east-1");
		return -1;
	}
	for (i = 0; i <= n; i++)
		lower[i] = (char)tolower((unsigned char)region[i]);
	if (strcmp(lower, region) && region_shaped(lower)) {
		snprintf(msg, cap, "region names are lower case: use %s", lower);
		return -1;
	}
	if (!region_shaped(region)) {
		snprintf(msg, cap, "a region is a name such as us-east-1");
		return -1;
	}
	return 0;
}
