/* Which proxy a request goes through. One rule for the Bedrock client and
 * the credential providers' HTTP: an explicit proxy, else the environment
 * as libcurl and botocore read it (the scheme's variable, lower case
 * first), then NO_PROXY.
 *
 * libcurl could read the environment and match NO_PROXY itself, but then
 * we would not know whether a failed connection was to the proxy or to
 * Bedrock; deciding here lets every error name the proxy it went through,
 * and every transfer is told explicitly (CURLOPT_PROXY, "" for direct). */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "alloc.h"
#include "http.h"

static const char *env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

/* The host of a URL, without brackets, userinfo or port. */
static void url_host(char *out, size_t cap, const char *url)
{
	const char *s = strstr(url, "://"), *end, *at;
	size_t n;

	s = s ? s + 3 : url;
	end = s + strcspn(s, "/?#");
	at = memchr(s, '@', (size_t)(end - s));
	if (at)
		s = at + 1;
	if (*s == '[') {
		const char *rb = memchr(s, ']', (size_t)(end - s));

		s++;
		n = rb ? (size_t)(rb - s) : (size_t)(end - s);
	} else {
		const char *colon = memchr(s, ':', (size_t)(end - s));

		n = colon ? (size_t)(colon - s) : (size_t)(end - s);
	}
	snprintf(out, cap, "%.*s", (int)n, s);
}

/* Parses an IPv4 or IPv6 literal into 16 bytes; returns its bit length
 * (32 or 128), or 0 if it is not an address. */
static int parse_ip(unsigned char out[16], const char *s)
{
	if (inet_pton(AF_INET, s, out) == 1)
		return 32;
	if (inet_pton(AF_INET6, s, out) == 1)
		return 128;
	return 0;
}

static int prefix_equal(const unsigned char *a, const unsigned char *b, int bits)
{
	int full = bits / 8, rest = bits % 8;

	if (memcmp(a, b, (size_t)full))
		return 0;
	return !rest || ((a[full] ^ b[full]) & (0xff << (8 - rest)) & 0xff) == 0;
}

/* One NO_PROXY entry against a host. */
static int entry_matches(const char *entry, size_t len, const char *host)
{
	char e[256], *slash;
	unsigned char ha[16], ea[16];
	int hbits, ebits;
	size_t hl = strlen(host), i, n = 0;

	while (len && *entry == '.')
		entry++, len--;
	if (len == 1 && entry[0] == '*')
		return 1;
	/* Brackets around an IPv6 address are dropped, as in the URL. */
	for (i = 0; i < len && n + 1 < sizeof(e); i++)
		if (entry[i] != '[' && entry[i] != ']')
			e[n++] = entry[i];
	if (!n || i < len)
		return 0;
	e[n] = '\0';
	hbits = parse_ip(ha, host);
	slash = strchr(e, '/');
	if (slash) {
		char *end;
		long bits = strtol(slash + 1, &end, 10);

		*slash = '\0';
		ebits = parse_ip(ea, e);
		return hbits && ebits == hbits && slash[1] && !*end && bits >= 0 && bits <= ebits &&
		       prefix_equal(ha, ea, (int)bits);
	}
	ebits = parse_ip(ea, e);
	if (hbits || ebits)
		return hbits == ebits && !memcmp(ha, ea, (size_t)hbits / 8);
	if (hl == n)
		return !strcasecmp(host, e);
	/* A domain also covers its subdomains. */
	return hl > n && host[hl - n - 1] == '.' && !strcasecmp(host + hl - n, e);
}

int bedrock__no_proxy_match(const char *list, const char *url)
{
	char host[256];
	const char *p = list;

	if (!list)
		return 0;
	url_host(host, sizeof(host), url);
	while (*p) {
		size_t n;

		p += strspn(p, ", \t");
		n = strcspn(p, ", \t");
		if (n && entry_matches(p, n, host))
			return 1;
		p += n;
	}
	return 0;
}

const char *bedrock__proxy_for(const char *url, const char *proxy, const char *no_proxy,
			       const char **source)
{
	int https = !strncasecmp(url, "https://", 8);

	*source = "the proxy option";
	if (!proxy) {
		const char *lower = https ? "https_proxy" : "http_proxy";
		const char *upper = https ? "HTTPS_PROXY" : "HTTP_PROXY";

		proxy = env(lower);
		*source = lower;
		if (!proxy) {
			proxy = env(upper);
			*source = upper;
		}
	}
	if (!proxy || !*proxy)
		return NULL;
	if (!no_proxy) {
		no_proxy = env("no_proxy");
		if (!no_proxy)
			no_proxy = env("NO_PROXY");
	}
	return bedrock__no_proxy_match(no_proxy, url) ? NULL : proxy;
}

void bedrock__proxy_display(char *out, size_t cap, const char *proxy)
{
	const char *s = strstr(proxy, "://"), *host, *at;
	size_t scheme;

	host = s ? s + 3 : proxy;
	scheme = (size_t)(host - proxy);
	at = memchr(host, '@', strcspn(host, "/?#"));
	/* user:password@ is a secret: only its place is shown. */
	if (at)
		snprintf(out, cap, "%.*s****@%s", (int)scheme, proxy, at + 1);
	else
		snprintf(out, cap, "%s", proxy);
}
