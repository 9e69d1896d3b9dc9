/* ASCII character classes and case, independent of the process locale
 * (<ctype.h> is not: under a Latin-1 locale it takes 0xE9 for a letter,
 * and the CLI sets the locale for line editing). Inline: HTTP header names
 * are lower-cased through here for every header of every response. */
#ifndef BEDROCK_ASCII_H
#define BEDROCK_ASCII_H

/* Each takes a character as an int (unsigned char values or EOF). */
static inline int bedrock__ascii_space(int c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

static inline int bedrock__ascii_alnum(int c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static inline int bedrock__ascii_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

static inline int bedrock__ascii_upper(int c)
{
	return c >= 'a' && c <= 'z' ? c - 'a' + 'A' : c;
}

/* 1 if s is a DNS label (RFC 1123): 1 to 63 letters, digits and '-', not
 * starting or ending with '-'. What a region must be: it becomes part of
 * host names, ARNs and the signing scope. */
int bedrock__dns_label_valid(const char *s);

#endif
