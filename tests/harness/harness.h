/* Test helpers shared by tests/unit: a leak-checking, failure-injecting
 * allocator installed through bedrock_set_allocator(), and file helpers
 * for the vectors. Include after <cmocka.h>'s prerequisites. */
#ifndef BEDROCK_TEST_HARNESS_H
#define BEDROCK_TEST_HARNESS_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "bedrock/bedrock.h"

/* Installs the counting allocator. Use as cmocka group or test setup. */
int harness_setup(void **state);
/* Fails the test if anything the library allocated is still live. */
int harness_teardown(void **state);

/* Live allocations and bytes made through the library's allocator. */
size_t harness_live_allocations(void);
size_t harness_live_bytes(void);
/* Allocations made so far (for torture loops). */
size_t harness_allocation_count(void);
/* Make allocation number n (1-based, counted from now) fail; 0 = never. */
void harness_fail_allocation(size_t n);

/* Root of tests/vectors (from $BEDROCK_VECTORS). */
const char *harness_vectors(void);
/* Reads a whole file; NULL if it cannot. The result is NUL-terminated;
 * free() it. */
char *harness_read_file(const char *path, size_t *len);
/* Same, for a path under harness_vectors(). */
char *harness_read_vector(const char *relpath, size_t *len);
/* Lists the entries of a directory, sorted; NULL-terminated; free with
 * harness_free_list(). */
char **harness_list_dir(const char *path);
void harness_free_list(char **list);
/* Strict standard base64 decode (base64.h, for JSON fixtures); NULL if
 * invalid; free() the result. */
uint8_t *harness_base64_decode(const char *s, size_t *len);

/* A loopback fake AWS (tests/fakes/fake_aws.py), or another fake in
 * tests/fakes, that a test starts and stops. Its behaviour is the JSON in
 * its state file; every request it receives is appended to its log (JSON
 * lines). */
typedef struct harness_fake {
	int pid;
	int port;
	char dir[128];
	char state[192];
	char log[192];
	char url[64];		/* "http://127.0.0.1:PORT" */
} harness_fake;

void harness_fake_start(harness_fake *f);
/* The same for another fake in tests/fakes with the same command line
 * (--state, --log, prints "PORT n"), e.g. "fake_anthropic.py".
 * harness_fake_start(f) is harness_fake_start_script(f, "fake_aws.py"). */
void harness_fake_start_script(harness_fake *f, const char *script);
void harness_fake_set_state(harness_fake *f, const char *json);
/* The log so far (free() it) */
char *harness_fake_log(harness_fake *f);
void harness_fake_clear_log(harness_fake *f);
void harness_fake_stop(harness_fake *f);

/* `bedrock emulate` on a free port ($BEDROCK_BIN names the binary),
 * with extra arguments (NULL-terminated list, may be NULL). */
typedef struct harness_emulator {
	int pid;
	char url[128];
} harness_emulator;

void harness_emulator_start(harness_emulator *e, const char *const *args);
void harness_emulator_stop(harness_emulator *e);
/* Client options for e, from BEDROCK_CLIENT_OPTIONS_INIT: us-east-1, its
 * URL, the example key pair the emulator verifies SigV4 with. Nothing
 * else, so a test sets only what it is about (attempts, timeouts, ...). */
void harness_emulator_options(bedrock_client_options *o, const harness_emulator *e);

/* Byte-exact comparison that prints where the two differ. */
#define assert_bytes_equal(a, alen, b, blen) \
	harness_assert_bytes_equal((a), (alen), (b), (blen), __FILE__, __LINE__)
void harness_assert_bytes_equal(const void *a, size_t alen, const void *b,
				size_t blen, const char *file, int line);

#endif
