/* The configuration's section readers (gw_config_sections.c,
 * gw_config_keys.c), shared with gw_config.c, and the parse entry point
 * with its own environment that the tests use. */
#ifndef BEDROCK_GW_CONFIG_PRIVATE_H
#define BEDROCK_GW_CONFIG_PRIVATE_H

#include "gw_config.h"
#include "gw_yaml.h"

int gw_config_upstreams(gw_yaml *y, gw_config *c, const yaml_node_t *n);
int gw_config_keys(gw_yaml *y, gw_config *c, const yaml_node_t *n);
int gw_config_models(gw_yaml *y, gw_config *c, const yaml_node_t *n);
int gw_config_activity(gw_yaml *y, gw_config *c, const yaml_node_t *n);
int gw_config_limits(gw_yaml *y, gw_config *c, const yaml_node_t *n);
/* HOST:PORT or [V6]:PORT, port 0..65535. 0 or -1. */
int gw_config_check_listen(gw_yaml *y, const yaml_node_t *n, const char *listen);
/* 1 if s is a name fit for logs, metrics and Redis keys: 1 to 128 of
 * letters, digits, "._-@+" and the characters of extra. */
int gw_config_name_ok(const char *s, const char *extra);

/* gw_config_parse with ${NAME} looked up through getenv_fn (NULL: the
 * process environment). */
int gw_config_parse_env(gw_config **out, const char *text, size_t len, const char *name,
			char *err, size_t err_cap,
			const char *(*getenv_fn)(const char *name, void *payload), void *payload);

#endif
