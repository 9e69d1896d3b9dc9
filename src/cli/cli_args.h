/* Argument helpers every command shares: an option's value (never
 * missing, never empty), the nearest name to a mistyped one, and the
 * region check. */
#ifndef BEDROCK_CLI_ARGS_H
#define BEDROCK_CLI_ARGS_H

#include <stddef.h>

/* The global options' names, for suggestions ("--region --profile ..."). */
extern const char cli_global_names[];

/* The value of the option argv[*i] (then *i moves past it). NULL, after
 * printing "PROG: OPT needs a value", when there is none or it is "":
 * an empty value is a mistake (an unset shell variable), not a choice. */
const char *cli_value(int argc, char **argv, int *i, const char *prog);

/* Optimal string alignment distance (a swap of two neighbours counts
 * one, so "aks" is 1 from "ask"). */
size_t cli_edit_distance(const char *a, const char *b);

/* The name in @p names nearest to @p word, if near enough to be a typo;
 * else NULL. @p names is free text: every word in it that starts like
 * @p word does ("-" or not) is a candidate, so a usage text serves. The
 * result is copied to out. */
const char *cli_nearest(char *out, size_t cap, const char *word, const char *names);

/* Prints "PROG: unknown option 'OPT' (did you mean 'X'?)" with the nearest
 * of names, or with @p otherwise in the parentheses when none is near
 * (NULL: nothing). */
void cli_unknown_option(const char *prog, const char *opt, const char *names,
			const char *otherwise);

/* Whether @p region is an AWS region name: a DNS label (what botocore
 * checks) in lower case and shaped like one (us-east-1, us-gov-west-1).
 * 0 if so, else -1 with why in msg ("region names are lower case: use
 * us-east-1"). */
int cli_region_check(const char *region, char *msg, size_t cap);

#endif
