#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gw_yaml.h"

int gw_yaml_fail(gw_yaml *y, const yaml_node_t *n, const char *fmt, ...)
{
	va_list ap;
	int k;

	if (!y->err || !y->err_cap)
		return -1;
	k = snprintf(y->err, y->err_cap, "%s:%zu: ", y->name,
		     n ? n->start_mark.line + 1 : (size_t)1);
	if (k >= 0 && (size_t)k < y->err_cap) {
		va_start(ap, fmt);
		vsnprintf(y->err + k, y->err_cap - (size_t)k, fmt, ap);
		va_end(ap);
	}
	return -1;
}

yaml_node_t *gw_yaml_node(gw_yaml *y, int id, const yaml_node_t *from)
{
	yaml_node_t *n = yaml_document_get_node(y->doc, id);
	size_t i;

	if (!n) {
		gw_yaml_fail(y, from, "a node is missing");
		return NULL;
	}
	i = (size_t)(n - y->doc->nodes.start);
	/* libyaml resolves an alias to the anchored node itself: a node
	 * reached twice is an alias. Refusing them keeps the walk linear in
	 * the file (no "billion laughs") and the file readable. */
	if (i >= y->node_count || y->seen[i]) {
		gw_yaml_fail(y, from, "anchors and aliases (*name) are not supported");
		return NULL;
	}
	y->seen[i] = 1;
	return n;
}

static int plain_scalar(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE;
}

int gw_yaml_mapping(gw_yaml *y, const yaml_node_t *n, const char *what)
{
	const yaml_node_pair_t *p, *q, *start, *top;

	if (n->type != YAML_MAPPING_NODE)
		return gw_yaml_fail(y, n, "%s must be a mapping (key: value lines)", what);
	start = n->data.mapping.pairs.start;
	top = n->data.mapping.pairs.top;
	if (top - start > GW_YAML_MAX_ENTRIES)
		return gw_yaml_fail(y, n, "%s has more than %d entries", what, GW_YAML_MAX_ENTRIES);
	for (p = start; p < top; p++) {
		yaml_node_t *k = gw_yaml_node(y, p->key, n);

		if (!k)
			return -1;
		if (!plain_scalar(k))
			return gw_yaml_fail(y, k, "%s: a key must be a string", what);
		for (q = start; q < p; q++) {
			const yaml_node_t *o = yaml_document_get_node(y->doc, q->key);

			if (o->data.scalar.length == k->data.scalar.length &&
			    !memcmp(o->data.scalar.value, k->data.scalar.value, k->data.scalar.length))
				return gw_yaml_fail(y, k, "%s: '%.*s' is given twice (first on line %zu)",
						    what, (int)k->data.scalar.length,
						    (const char *)k->data.scalar.value,
						    o->start_mark.line + 1);
		}
	}
	return 0;
}

int gw_yaml_sequence(gw_yaml *y, const yaml_node_t *n, const char *what)
{
	if (n->type != YAML_SEQUENCE_NODE)
		return gw_yaml_fail(y, n, "%s must be a list", what);
	if (n->data.sequence.items.top - n->data.sequence.items.start > GW_YAML_MAX_ENTRIES)
		return gw_yaml_fail(y, n, "%s has more than %d entries", what, GW_YAML_MAX_ENTRIES);
	return 0;
}

const char *gw_yaml_key(gw_yaml *y, const yaml_node_pair_t *p)
{
	return (const char *)yaml_document_get_node(y->doc, p->key)->data.scalar.value;
}

int gw_yaml_fields(gw_yaml *y, const yaml_node_t *n, const char *what,
		   const char *const *names, yaml_node_t **at)
{
	const yaml_node_pair_t *p;
	size_t i;

	for (i = 0; names[i]; i++)
		at[i] = NULL;
	if (gw_yaml_mapping(y, n, what ? what : "the configuration"))
		return -1;
	for (p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
		const char *k = gw_yaml_key(y, p);

		for (i = 0; names[i] && strcmp(names[i], k); i++)
			;
		if (!names[i]) {
			char known[512];
			size_t off = 0;

			known[0] = '\0';
			for (i = 0; names[i] && off < sizeof(known); i++)
				off += (size_t)snprintf(known + off, sizeof(known) - off, "%s%s",
							i ? ", " : "", names[i]);
			return gw_yaml_fail(y, yaml_document_get_node(y->doc, p->key),
					    "%s%sunknown key '%.64s' (known: %s)", what ? what : "",
					    what ? ": " : "", k, known);
		}
		at[i] = gw_yaml_node(y, p->value, yaml_document_get_node(y->doc, p->key));
		if (!at[i])
			return -1;
	}
	return 0;
}

const char *gw_yaml_raw(const yaml_node_t *n)
{
	return n->type == YAML_SCALAR_NODE ? (const char *)n->data.scalar.value : "";
}

int gw_yaml_no_env(gw_yaml *y, const yaml_node_t *n, const char *what)
{
	if (n->type == YAML_SCALAR_NODE && strstr(gw_yaml_raw(n), "${"))
		return gw_yaml_fail(y, n, "%s is written out, not taken from the environment", what);
	return 0;
}

static const char *env_get(gw_yaml *y, const char *name)
{
	return y->getenv_fn ? y->getenv_fn(name, y->getenv_payload) : getenv(name);
}

static int name_char(char c, int first)
{
	return c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	       (!first && c >= '0' && c <= '9');
}

/* One pass of the expansion: writes into out when it is not NULL,
 * returns the length, or -1 with *bad_name set. */
static long expand_pass(gw_yaml *y, const char *s, size_t len, char *out, const char **bad_name)
{
	size_t i = 0, j, n = 0, vl;

	while (i < len) {
		const char *v;

		if (s[i] != '$' || i + 1 >= len || s[i + 1] != '{') {
			if (out)
				out[n] = s[i];
			n++, i++;
			continue;
		}
		for (j = i + 2; j < len && name_char(s[j], j == i + 2); j++)
			;
		if (j == i + 2 || j >= len || s[j] != '}' || j - i - 2 >= sizeof(y->bad_var)) {
			snprintf(y->bad_var, sizeof(y->bad_var), "%.*s",
				 (int)(j - i < 40 ? j - i + (j < len) : 40), s + i);
			*bad_name = y->bad_var;
			return -1;
		}
		snprintf(y->bad_var, sizeof(y->bad_var), "%.*s", (int)(j - i - 2), s + i + 2);
		v = env_get(y, y->bad_var);
		if (!v) {
			*bad_name = y->bad_var;
			return -1;
		}
		vl = strlen(v);
		if (out)
			memcpy(out + n, v, vl);
		n += vl;
		i = j + 1;
	}
	return (long)n;
}

/* ${NAME} only (NAME as in the shell); a "$" not followed by "{" stays as
 * it is, so values with a dollar sign need no escaping. Two passes (length,
 * then copy) so that a secret is never left behind in a freed buffer. */
char *gw_yaml_expand(gw_yaml *y, const char *s, size_t len, const char **bad_name)
{
	long n;
	char *out;

	*bad_name = NULL;
	n = expand_pass(y, s, len, NULL, bad_name);
	if (n < 0)
		return NULL;
	out = malloc((size_t)n + 1);
	if (!out)
		return NULL;
	/* The environment cannot change between the passes: one thread reads
	 * the configuration, and setenv is not called concurrently. */
	if (expand_pass(y, s, len, out, bad_name) != n) {
		free(out);
		return NULL;
	}
	out[n] = '\0';
	return out;
}

int gw_yaml_string(gw_yaml *y, const yaml_node_t *n, const char *what, int allow_empty,
		   char **out)
{
	const char *bad;
	char *v;

	if (!plain_scalar(n))
		return gw_yaml_fail(y, n, "%s must be a string", what);
	if (memchr(n->data.scalar.value, '\0', n->data.scalar.length))
		return gw_yaml_fail(y, n, "%s contains a NUL character", what);
	v = gw_yaml_expand(y, (const char *)n->data.scalar.value, n->data.scalar.length, &bad);
	if (!v) {
		if (!bad)
			return gw_yaml_fail(y, n, "out of memory");
		if (bad[0] == '$')
			return gw_yaml_fail(y, n, "%s: malformed '%s' (write ${NAME})", what, bad);
		return gw_yaml_fail(y, n, "%s: environment variable %s is not set", what, bad);
	}
	if (!allow_empty && !*v) {
		free(v);
		return gw_yaml_fail(y, n, "%s must not be empty", what);
	}
	if (*out) {
		memset(*out, 0, strlen(*out));
		free(*out);
	}
	*out = v;
	return 0;
}

/* The scalar's text, expanded, for number and boolean parsing. */
static char *scalar_text(gw_yaml *y, const yaml_node_t *n, const char *what, const char *want)
{
	char *v = NULL;

	if (!plain_scalar(n) || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE) {
		gw_yaml_fail(y, n, "%s must be %s", what, want);
		return NULL;
	}
	if (gw_yaml_string(y, n, what, 1, &v))
		return NULL;
	return v;
}

int gw_yaml_uint(gw_yaml *y, const yaml_node_t *n, const char *what, uint64_t min,
		 uint64_t max, uint64_t *out)
{
	const char *want = min ? "a positive integer" : "a whole number";
	char *v = scalar_text(y, n, what, want), *end;
	unsigned long long x;
	size_t i;
	int ok;

	if (!v)
		return -1;
	for (i = 0; v[i] >= '0' && v[i] <= '9'; i++)
		;
	errno = 0;
	x = strtoull(v, &end, 10);
	ok = i > 0 && v[i] == '\0' && errno == 0 && x >= min && x <= max;
	if (!ok) {
		if (i > 0 && v[i] == '\0' && (errno || x > max))
			gw_yaml_fail(y, n, "%s must be at most %llu, not %.40s", what,
				     (unsigned long long)max, gw_yaml_raw(n));
		else
			gw_yaml_fail(y, n, "%s must be %s, not '%.40s'", what, want, gw_yaml_raw(n));
		free(v);
		return -1;
	}
	free(v);
	*out = x;
	return 0;
}

int gw_yaml_bool(gw_yaml *y, const yaml_node_t *n, const char *what, int *out)
{
	char *v = scalar_text(y, n, what, "true or false");
	int rc = 0;

	if (!v)
		return -1;
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
		*out = 1;
	else if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
		*out = 0;
	else
		rc = gw_yaml_fail(y, n, "%s must be true or false, not '%.40s'", what, gw_yaml_raw(n));
	free(v);
	return rc;
}
