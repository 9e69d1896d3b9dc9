/* Typed reading of a libyaml document for the gateway's configuration:
 * every error is "FILE:LINE: what is wrong" with the line of the node at
 * fault; values are quoted as written in the file (gw_yaml_raw), never as
 * expanded from the environment, and secrets not at all. Kept apart from
 * the schema (gw_config.c) so that the schema reads as a list of keys. */
#ifndef BEDROCK_GW_YAML_H
#define BEDROCK_GW_YAML_H

#include <stddef.h>
#include <stdint.h>
#include <yaml.h>

/* Pairs in one mapping, items in one sequence: more is not a
 * configuration, and it bounds the duplicate-key check. */
#define GW_YAML_MAX_ENTRIES 4096

typedef struct gw_yaml {
	yaml_document_t *doc;
	const char *name;		/* the file, for messages */
	char *err;
	size_t err_cap;
	unsigned char *seen;		/* per node: visited (aliases are refused) */
	size_t node_count;
	/* The environment, for ${NAME}; NULL = getenv (tests pass their own). */
	const char *(*getenv_fn)(const char *name, void *payload);
	void *getenv_payload;
	char bad_var[128];		/* the variable gw_yaml_expand could not expand */
} gw_yaml;

/* Writes "FILE:LINE: ..." for node n (line 1 when n is NULL); returns -1. */
int gw_yaml_fail(gw_yaml *y, const yaml_node_t *n, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* The node of an id, marked visited: NULL (with the error written) when a
 * second reference reaches it, which is what an alias is. */
yaml_node_t *gw_yaml_node(gw_yaml *y, int id, const yaml_node_t *from);

/* Checks n is a mapping of at most GW_YAML_MAX_ENTRIES pairs whose keys
 * are distinct plain scalars; what names it in messages. 0 or -1. */
int gw_yaml_mapping(gw_yaml *y, const yaml_node_t *n, const char *what);
/* Checks n is a sequence of at most GW_YAML_MAX_ENTRIES items. 0 or -1. */
int gw_yaml_sequence(gw_yaml *y, const yaml_node_t *n, const char *what);
/* A pair's key text (mapping already checked). */
const char *gw_yaml_key(gw_yaml *y, const yaml_node_pair_t *p);

/* Checks n with gw_yaml_mapping, then sets at[i] to the value of the key
 * names[i] (NULL when absent; names ends with NULL). Any other key is an
 * error naming it and the known ones. what NULL: the top level. 0 or -1. */
int gw_yaml_fields(gw_yaml *y, const yaml_node_t *n, const char *what,
		   const char *const *names, yaml_node_t **at);

/* A scalar as a string with ${NAME} expanded (malloc'ed, into *out; the
 * previous *out is wiped and freed). No message quotes the value, so this
 * serves secrets too. allow_empty: 0 refuses "". 0 or -1. */
int gw_yaml_string(gw_yaml *y, const yaml_node_t *n, const char *what, int allow_empty,
		   char **out);
/* A plain scalar integer in [min, max]. 0 or -1. */
int gw_yaml_uint(gw_yaml *y, const yaml_node_t *n, const char *what, uint64_t min,
		 uint64_t max, uint64_t *out);
/* A plain true or false. 0 or -1. */
int gw_yaml_bool(gw_yaml *y, const yaml_node_t *n, const char *what, int *out);

/* A scalar's text as written in the file, before ${NAME} expansion: what
 * messages quote, so that a value taken from the environment (which may be
 * a secret put in the wrong field) is never shown. */
const char *gw_yaml_raw(const yaml_node_t *n);
/* 0, or -1 (with an error) when the scalar n holds "${": for names, which
 * messages quote, and which are written out. */
int gw_yaml_no_env(gw_yaml *y, const yaml_node_t *n, const char *what);

/* Expands ${NAME} in s (len bytes): a malloc'ed string, or NULL with
 * *bad_name set to the unset or malformed variable's name (y->bad_var)
 * or to NULL when out of memory. */
char *gw_yaml_expand(gw_yaml *y, const char *s, size_t len, const char **bad_name);

#endif
