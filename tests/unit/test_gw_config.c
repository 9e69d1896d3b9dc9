/* The gateway's configuration: the issue's example read whole, every
 * default, every refusal with its file:line, ${ENV} expansion, reference
 * counting, and no secret in any message. Every secret in these files
 * contains "s3cr3t", so one strstr shows none leaked. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "harness.h"
#include "gw_config.h"
#include "gw_config_private.h"

#define UP "upstreams:\n  - platform: bedrock\n    region: us-east-1\n"
#define KEYS "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n"

static const char *fake_env(const char *name, void *payload)
{
	(void)payload;
	if (!strcmp(name, "ALICE_KEY"))
		return "gw-alice-from-env-s3cr3t";
	if (!strcmp(name, "RPM"))
		return "600";
	if (!strcmp(name, "EMPTY"))
		return "";
	return NULL;
}

static gw_config *good(const char *text)
{
	gw_config *c = NULL;
	char err[512];

	if (gw_config_parse_env(&c, text, strlen(text), "cfg.yaml", err, sizeof(err), fake_env,
				NULL))
		fail_msg("expected success, got: %s\n--- file:\n%s", err, text);
	return c;
}

/* Refused, with a message containing want (which starts with
 * "cfg.yaml:LINE: "), and no secret in it. */
static void bad(const char *text, const char *want)
{
	gw_config *c = (gw_config *)1;
	char err[512];

	memset(err, 'x', sizeof(err));
	if (!gw_config_parse_env(&c, text, strlen(text), "cfg.yaml", err, sizeof(err), fake_env,
				 NULL))
		fail_msg("expected an error containing \"%s\", the file parsed:\n%s", want, text);
	assert_null(c);
	if (!strstr(err, want))
		fail_msg("error \"%s\" lacks \"%s\"", err, want);
	if (strstr(err, "s3cr3t"))
		fail_msg("error \"%s\" quotes a secret", err);
}

static void test_gw_config__issue_example(void **state)
{
	static const char *text =
		"listen: 127.0.0.1:8080\n"
		"upstreams:                       # tried in order (see failover)\n"
		"  - platform: bedrock            # bedrock | vertex | anthropic\n"
		"    region: us-east-1\n"
		"    endpoint_url: http://127.0.0.1:4567   # optional\n"
		"    profile: prod\n"
		"  - platform: bedrock\n"
		"    region: us-west-2\n"
		"keys:\n"
		"  - name: alice\n"
		"    key: gw-alice-0123456789     # sent as Authorization: Bearer, or x-api-key\n"
		"    rpm: 600\n"
		"    tpm: 2000000\n"
		"    max_concurrent: 20\n"
		"    models: [\"*\"]\n"
		"  - name: build-bot\n"
		"    aws_access_key_id: AKIAGATEWAYBUILDBOT1\n"
		"    aws_secret_access_key: gateway-issued-secret\n"
		"activity_log:\n"
		"  dir: ./activity\n"
		"  retention_days: 30\n"
		"  bodies: false\n"
		"metrics: true\n";
	gw_config *c;

	(void)state;
	c = good(text);
	assert_string_equal(c->path, "cfg.yaml");
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_int_equal(c->upstream_count, 2);
	assert_int_equal(c->upstreams[0].platform, BEDROCK_PLATFORM_BEDROCK);
	assert_string_equal(c->upstreams[0].name, "bedrock/us-east-1");
	assert_string_equal(c->upstreams[0].region, "us-east-1");
	assert_string_equal(c->upstreams[0].endpoint_url, "http://127.0.0.1:4567");
	assert_string_equal(c->upstreams[0].profile, "prod");
	assert_string_equal(c->upstreams[1].name, "bedrock/us-west-2");
	assert_null(c->upstreams[1].endpoint_url);
	assert_null(c->upstreams[1].profile);
	assert_int_equal(c->key_count, 2);
	assert_string_equal(c->keys[0].name, "alice");
	assert_string_equal(c->keys[0].key, "gw-alice-0123456789");
	assert_int_equal(c->keys[0].has_sha256, 0);
	assert_int_equal(c->keys[0].rpm, 600);
	assert_int_equal(c->keys[0].tpm, 2000000);
	assert_int_equal(c->keys[0].max_concurrent, 20);
	assert_null(c->keys[0].models);	/* "*": every model */
	assert_null(c->keys[0].aws_access_key_id);
	assert_string_equal(c->keys[1].name, "build-bot");
	assert_null(c->keys[1].key);
	assert_string_equal(c->keys[1].aws_access_key_id, "AKIAGATEWAYBUILDBOT1");
	assert_string_equal(c->keys[1].aws_secret_access_key, "gateway-issued-secret");
	assert_int_equal(c->keys[1].rpm, 0);
	assert_string_equal(c->activity_log.dir, "./activity");
	assert_int_equal(c->activity_log.retention_days, 30);
	assert_int_equal(c->activity_log.bodies, 0);
	assert_int_equal(c->metrics, 1);
	gw_config_unref(c);
}

static void test_gw_config__defaults(void **state)
{
	gw_config *c;

	(void)state;
	c = good(UP KEYS);
	assert_string_equal(c->listen, "127.0.0.1:8080");
	assert_int_equal(c->metrics, 1);
	assert_null(c->redis);
	assert_null(c->tls_cert);
	assert_null(c->tls_key);
	assert_null(c->activity_log.dir);
	assert_int_equal(c->activity_log.retention_days, 30);
	assert_int_equal(c->activity_log.bodies, 0);
	assert_int_equal(c->activity_log.flush_ms, 200);
	assert_int_equal(c->limits.max_body, 32u << 20);
	assert_int_equal(c->limits.max_header_bytes, 32u << 10);
	assert_int_equal(c->limits.max_connections, 16384);
	assert_int_equal(c->limits.max_threads, 16384);
	assert_int_equal(c->limits.loops, 0);
	assert_int_equal(c->limits.idle_timeout_s, 120);
	assert_int_equal(c->limits.request_timeout_s, 60);
	assert_int_equal(c->limits.drain_timeout_s, 30);
	assert_int_equal(c->model_count, 0);
	assert_int_equal(c->upstreams[0].cooldown_s, 30);
	assert_int_equal(c->upstreams[0].timeout_s, 600);
	assert_null(c->upstreams[0].api_key_env);
	assert_int_equal(c->keys[0].rpm, 0);
	assert_int_equal(c->keys[0].tpm, 0);
	assert_int_equal(c->keys[0].max_concurrent, 0);
	assert_null(c->keys[0].models);
	/* the clear key's digest is there too: SHA-256("gw-alice-s3cr3t") */
	{
		static const uint8_t zero[GW_SHA256_LEN];

		assert_memory_not_equal(c->keys[0].sha256, zero, GW_SHA256_LEN);
	}
	gw_config_unref(c);
}

static void test_gw_config__every_key(void **state)
{
	static const char *text =
		"listen: \"[::1]:0\"\n"
		"redis: redis://:pw-s3cr3t@127.0.0.1:6379/2\n"
		"tls_cert: /etc/gw/cert.pem\n"
		"tls_key: /etc/gw/key.pem\n"
		"metrics: false\n"
		"limits:\n"
		"  max_body_bytes: 1000000\n"
		"  max_header_bytes: 8192\n"
		"  max_connections: 100\n"
		"  max_threads: 24\n"
		"  loops: 3\n"
		"  idle_timeout_s: 5\n"
		"  request_timeout_s: 7\n"
		"  drain_timeout_s: 0\n"
		"activity_log: {dir: /var/log/gw, retention_days: 90, bodies: true, flush_ms: 0}\n"
		"models:\n"
		"  claude-sonnet-4-5:\n"
		"    bedrock: us.anthropic.claude-sonnet-4-5-20250929-v1:0\n"
		"    vertex: claude-sonnet-4-5@20250929\n"
		"  haiku:\n"
		"    anthropic: claude-haiku-4-5\n"
		"upstreams:\n"
		"  - platform: vertex\n"
		"    region: us-east5\n"
		"    project: my-proj\n"
		"    credentials_file: /etc/gw/sa.json\n"
		"    cooldown_s: 0\n"
		"    timeout_s: 30\n"
		"  - platform: anthropic\n"
		"    name: direct\n"
		"    api_key_env: GW_ANTHROPIC_KEY\n"
		"  - platform: anthropic\n"
		"  - platform: bedrock\n"
		"    region: eu-west-1\n"
		"  - platform: bedrock\n"
		"    region: eu-west-1\n"
		"    endpoint_url: https://bedrock.example\n"
		"    api_key_env: GW_BEDROCK_API_KEY\n"
		"keys:\n"
		"  - name: alice@example.com\n"
		"    key_sha256: BA7816BF8F01CFEA414140DE5DAE2223B00361A396177A9CB410FF61F20015AD\n"
		"    models: [sonnet, claude-haiku-4-5]\n"
		"    max_concurrent: 4294967295\n"
		"  - name: env\n"
		"    key: ${ALICE_KEY}\n"
		"    rpm: ${RPM}\n"
		"  - name: both\n"
		"    key: \"pa$$w0rd-s3cr3t\"\n"
		"    aws_access_key_id: AKIDBOTH\n"
		"    aws_secret_access_key: both-s3cr3t\n";
	static const uint8_t abc[GW_SHA256_LEN] = {
		0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
		0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
		0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad
	};
	gw_config *c;

	(void)state;
	c = good(text);
	assert_string_equal(c->listen, "[::1]:0");
	assert_string_equal(c->redis, "redis://:pw-s3cr3t@127.0.0.1:6379/2");
	assert_string_equal(c->tls_cert, "/etc/gw/cert.pem");
	assert_string_equal(c->tls_key, "/etc/gw/key.pem");
	assert_int_equal(c->metrics, 0);
	assert_int_equal(c->limits.max_body, 1000000);
	assert_int_equal(c->limits.max_header_bytes, 8192);
	assert_int_equal(c->limits.max_connections, 100);
	assert_int_equal(c->limits.max_threads, 24);
	assert_int_equal(c->limits.loops, 3);
	assert_int_equal(c->limits.idle_timeout_s, 5);
	assert_int_equal(c->limits.request_timeout_s, 7);
	assert_int_equal(c->limits.drain_timeout_s, 0);
	assert_string_equal(c->activity_log.dir, "/var/log/gw");
	assert_int_equal(c->activity_log.retention_days, 90);
	assert_int_equal(c->activity_log.flush_ms, 0);
	assert_int_equal(c->activity_log.bodies, 1);
	assert_int_equal(c->model_count, 3);
	assert_string_equal(c->models[0].from, "claude-sonnet-4-5");
	assert_int_equal(c->models[0].platform, BEDROCK_PLATFORM_BEDROCK);
	assert_string_equal(c->models[0].to, "us.anthropic.claude-sonnet-4-5-20250929-v1:0");
	assert_string_equal(c->models[1].from, "claude-sonnet-4-5");
	assert_int_equal(c->models[1].platform, BEDROCK_PLATFORM_VERTEX);
	assert_string_equal(c->models[1].to, "claude-sonnet-4-5@20250929");
	assert_string_equal(c->models[2].from, "haiku");
	assert_int_equal(c->models[2].platform, BEDROCK_PLATFORM_ANTHROPIC);
	assert_int_equal(c->upstream_count, 5);
	assert_string_equal(c->upstreams[0].name, "vertex/us-east5");
	assert_string_equal(c->upstreams[0].project, "my-proj");
	assert_string_equal(c->upstreams[0].credentials_file, "/etc/gw/sa.json");
	assert_int_equal(c->upstreams[0].cooldown_s, 0);
	assert_int_equal(c->upstreams[0].timeout_s, 30);
	assert_string_equal(c->upstreams[1].name, "direct");
	assert_null(c->upstreams[1].region);
	assert_string_equal(c->upstreams[1].api_key_env, "GW_ANTHROPIC_KEY");
	assert_string_equal(c->upstreams[2].name, "anthropic");
	assert_string_equal(c->upstreams[2].api_key_env, "ANTHROPIC_API_KEY");
	/* the same platform and region twice: told apart */
	assert_string_equal(c->upstreams[3].name, "bedrock/eu-west-1");
	assert_string_equal(c->upstreams[4].name, "bedrock/eu-west-1#2");
	assert_null(c->upstreams[3].api_key_env);
	assert_string_equal(c->upstreams[4].api_key_env, "GW_BEDROCK_API_KEY");
	assert_string_equal(c->keys[0].name, "alice@example.com");
	assert_null(c->keys[0].key);
	assert_int_equal(c->keys[0].has_sha256, 1);
	assert_memory_equal(c->keys[0].sha256, abc, GW_SHA256_LEN);
	assert_int_equal(c->keys[0].model_count, 2);
	assert_string_equal(c->keys[0].models[0], "sonnet");
	assert_string_equal(c->keys[0].models[1], "claude-haiku-4-5");
	assert_int_equal(c->keys[0].max_concurrent, 4294967295u);
	/* ${NAME} from the environment, in strings and numbers */
	assert_string_equal(c->keys[1].key, "gw-alice-from-env-s3cr3t");
	assert_int_equal(c->keys[1].rpm, 600);
	/* a "$" not followed by "{" is kept as it is */
	assert_string_equal(c->keys[2].key, "pa$$w0rd-s3cr3t");
	assert_string_equal(c->keys[2].aws_access_key_id, "AKIDBOTH");
	gw_config_unref(c);
}

static void test_gw_config__syntax_and_shape(void **state)
{
	(void)state;
	bad("", "cfg.yaml:1: the configuration is empty");
	bad("# only a comment\n", "cfg.yaml:1: the configuration is empty");
	bad(UP KEYS "listen: [127.0.0.1\n", "cfg.yaml:8: YAML: ");
	bad("keys:\n  - name: a\n\tkey: b\n", "cfg.yaml:3: YAML: found a tab character");
	bad("- a\n- b\n", "cfg.yaml:1: the configuration must be a mapping");
	bad(UP KEYS "---\nlisten: x\n", "cfg.yaml:8: a second YAML document");
	bad(UP KEYS "listen: 1.2.3.4:1\nlisten: 1.2.3.4:2\n",
	    "cfg.yaml:8: the configuration: 'listen' is given twice (first on line 7)");
	bad("keys: &k\n  - name: alice\n    key: gw-alice-s3cr3t\nupstreams: *k\n",
	    "cfg.yaml:4: anchors and aliases (*name) are not supported");
	bad(KEYS "upstreams:\n  - &u {platform: bedrock, region: us-east-1}\n  - *u\n",
	    "cfg.yaml:5: anchors and aliases (*name) are not supported");
}

static void test_gw_config__unknown_keys(void **state)
{
	(void)state;
	bad(UP KEYS "lisen: 127.0.0.1:8080\n",
	    "cfg.yaml:7: unknown key 'lisen' (known: listen, upstreams, keys,");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rmp: 600\n",
	    "cfg.yaml:7: keys[0]: unknown key 'rmp' (known: name, key, key_sha256,");
	bad("upstreams:\n  - platform: bedrock\n    regoin: us-east-1\n" KEYS,
	    "cfg.yaml:3: upstreams[0]: unknown key 'regoin'");
	bad(UP KEYS "activity_log:\n  dir: x\n  retention: 3\n",
	    "cfg.yaml:9: activity_log: unknown key 'retention' (known: dir, retention_days, "
	    "bodies, flush_ms)");
	bad(UP KEYS "limits:\n  max_body: 3\n", "cfg.yaml:8: limits: unknown key 'max_body'");
}

static void test_gw_config__types(void **state)
{
	(void)state;
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rpm: fast\n",
	    "cfg.yaml:7: keys[0].rpm must be a positive integer, not 'fast'");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rpm: \"600\"\n",
	    "cfg.yaml:7: keys[0].rpm must be a positive integer");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rpm: 0\n",
	    "cfg.yaml:7: keys[0].rpm must be a positive integer, not '0'");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    tpm: -5\n",
	    "cfg.yaml:7: keys[0].tpm must be a positive integer, not '-5'");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    tpm: 1.5\n",
	    "cfg.yaml:7: keys[0].tpm must be a positive integer, not '1.5'");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    max_concurrent: 4294967296\n",
	    "cfg.yaml:7: keys[0].max_concurrent must be at most 4294967295");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rpm: 99999999999999999999\n",
	    "cfg.yaml:7: keys[0].rpm must be at most");
	bad(UP "keys:\n  - name: alice\n    key: [gw-alice-s3cr3t]\n",
	    "cfg.yaml:6: keys[0].key must be a string");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    models: sonnet\n",
	    "cfg.yaml:7: keys[0].models must be a list");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    models: []\n",
	    "cfg.yaml:7: keys[0].models is empty");
	bad(UP KEYS "metrics: yes-please\n", "cfg.yaml:7: metrics must be true or false");
	bad(UP KEYS "activity_log:\n  bodies: 1\n", "cfg.yaml:8: activity_log.bodies must be true "
	    "or false, not '1'");
	bad(UP KEYS "activity_log:\n  retention_days: -1\n",
	    "cfg.yaml:8: activity_log.retention_days must be a whole number, not '-1'");
	bad(UP KEYS "activity_log:\n  flush_ms: 60001\n",
	    "cfg.yaml:8: activity_log.flush_ms must be at most 60000");
	bad(UP KEYS "activity_log:\n  retention_days: 36501\n",
	    "cfg.yaml:8: activity_log.retention_days must be at most 36500");
	bad(UP KEYS "limits:\n  max_header_bytes: 10\n",
	    "cfg.yaml:8: limits.max_header_bytes must be a positive integer, not '10'");
	bad(UP KEYS "limits:\n  loops: 17\n", "cfg.yaml:8: limits.loops must be at most 16");
	bad("upstreams: {platform: bedrock}\n" KEYS, "cfg.yaml:1: upstreams must be a list");
	bad(UP "keys: alice\n", "cfg.yaml:4: keys must be a list");
	bad(UP KEYS "listen:\n", "cfg.yaml:7: listen must not be empty");
	bad(UP KEYS "redis: 127.0.0.1:6379\n", "cfg.yaml:7: redis: the URL must start with redis://");
	bad(UP KEYS "redis: redis://user:s3cr3t@\n", "cfg.yaml:7: redis: not a URL: use redis://[:PASSWORD@]HOST:PORT[/DB]");
	bad(UP KEYS "activity_log: ./log\n", "cfg.yaml:7: activity_log must be a mapping");
}

static void test_gw_config__upstreams(void **state)
{
	(void)state;
	bad("upstreams:\n  - platform: bedrok\n    region: us-east-1\n" KEYS,
	    "cfg.yaml:2: upstreams[0].platform: unknown platform 'bedrok' (bedrock, vertex or "
	    "anthropic)");
	bad("upstreams:\n  - region: us-east-1\n" KEYS,
	    "cfg.yaml:2: upstreams[0]: platform is missing");
	bad("upstreams:\n  - platform: bedrock\n" KEYS,
	    "cfg.yaml:2: upstreams[0]: region is missing (a bedrock upstream needs one)");
	bad("upstreams:\n  - platform: anthropic\n    region: us\n" KEYS,
	    "cfg.yaml:3: upstreams[0].region: the anthropic platform has no regions");
	bad("upstreams:\n  - platform: vertex\n    region: us-east5\n    profile: prod\n" KEYS,
	    "cfg.yaml:4: upstreams[0].profile is for bedrock upstreams, not vertex");
	bad("upstreams:\n  - platform: bedrock\n    region: us-east-1\n    project: p\n" KEYS,
	    "cfg.yaml:4: upstreams[0].project is for vertex upstreams, not bedrock");
	bad("upstreams:\n  - platform: anthropic\n    api_key_env: sk-ant-s3cr3t\n" KEYS,
	    "cfg.yaml:3: upstreams[0].api_key_env must name an environment variable");
	bad("upstreams:\n  - platform: vertex\n    region: us-east5\n    api_key_env: K\n" KEYS,
	    "cfg.yaml:4: upstreams[0].api_key_env is for bedrock and anthropic upstreams, not "
	    "vertex");
	bad("upstreams:\n  - platform: bedrock\n    region: us-east-1\n    profile: p\n"
	    "    api_key_env: K\n" KEYS,
	    "cfg.yaml:5: upstreams[0]: api_key_env and profile both say how to sign; give one");
	bad("upstreams:\n  - platform: bedrock\n    region: us-east-1\n    endpoint_url: "
	    "127.0.0.1:4567\n" KEYS,
	    "cfg.yaml:4: upstreams[0].endpoint_url must start with http:// or https://");
	bad("upstreams:\n  - platform: bedrock\n    region: us-east-1\n    name: a\n"
	    "  - platform: bedrock\n    region: us-west-2\n    name: a\n" KEYS,
	    "cfg.yaml:7: upstreams[1].name 'a' is already the name of upstreams[0]");
	bad("upstreams:\n  - platform: bedrock\n    region: us-east-1\n    timeout_s: 0\n" KEYS,
	    "cfg.yaml:4: upstreams[0].timeout_s must be a positive integer");
	bad(KEYS, "cfg.yaml:1: no upstreams: at least one is needed");
	bad("upstreams: []\n" KEYS, "cfg.yaml:1: upstreams is empty");
}

static void test_gw_config__keys(void **state)
{
	(void)state;
	bad(UP "keys:\n  - key: gw-alice-s3cr3t\n", "cfg.yaml:5: keys[0]: name is missing");
	bad(UP "keys:\n  - name: alice\n    rpm: 5\n",
	    "cfg.yaml:5: keys[0] ('alice') has no secret: give key (or key_sha256), or "
	    "aws_access_key_id with aws_secret_access_key");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    key_sha256: "
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
	    "cfg.yaml:7: keys[0] ('alice'): key and key_sha256 both given");
	bad(UP "keys:\n  - name: alice\n    key_sha256: "
	    "zz7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
	    "cfg.yaml:6: keys[0].key_sha256 must be 64 hex digits");
	bad(UP "keys:\n  - name: alice\n    key_sha256: ba7816bf\n",
	    "cfg.yaml:6: keys[0].key_sha256 must be 64 hex digits");
	bad(UP "keys:\n  - name: alice\n    aws_access_key_id: AKID1\n",
	    "cfg.yaml:6: keys[0] ('alice'): aws_access_key_id and aws_secret_access_key go "
	    "together");
	bad(UP "keys:\n  - name: alice\n    aws_secret_access_key: s3cr3t-x\n",
	    "cfg.yaml:6: keys[0] ('alice'): aws_access_key_id and aws_secret_access_key go "
	    "together");
	bad(UP KEYS "  - name: alice\n    key: gw-other-s3cr3t\n",
	    "cfg.yaml:7: keys[1].name 'alice' is already the name of keys[0]");
	bad(UP KEYS "  - name: bob\n    key: gw-alice-s3cr3t\n",
	    "cfg.yaml:8: keys[1] ('bob') has the same secret as keys[0] ('alice')");
	/* the same secret once in clear, once as its hash: SHA-256("abc") */
	bad(UP "keys:\n  - name: a\n    key: abc\n  - name: b\n    key_sha256: "
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad\n",
	    "cfg.yaml:8: keys[1] ('b') has the same secret as keys[0] ('a')");
	bad(UP "keys:\n  - name: a\n    aws_access_key_id: AKID1\n    aws_secret_access_key: "
	    "s3cr3t-1\n  - name: b\n    aws_access_key_id: AKID1\n    aws_secret_access_key: "
	    "s3cr3t-2\n",
	    "cfg.yaml:9: keys[1] ('b') has the same aws_access_key_id as keys[0] ('a')");
	bad(UP "keys:\n  - name: alice\n    key: \"\"\n", "cfg.yaml:6: keys[0].key must not be empty");
	bad(UP "keys:\n  - name: alice\n    key: \"gw alice s3cr3t\"\n",
	    "cfg.yaml:6: keys[0].key must be printable ASCII without spaces");
	bad(UP "keys:\n  - name: al ice\n    key: gw-alice-s3cr3t\n",
	    "cfg.yaml:5: keys[0].name may hold letters, digits and ._-@+ only");
	bad(UP "keys:\n  - name: a\n    aws_access_key_id: AK/ID\n    aws_secret_access_key: "
	    "s3cr3t\n", "cfg.yaml:6: keys[0].aws_access_key_id may hold letters, digits");
	bad(UP, "cfg.yaml:1: no keys: at least one client key is needed");
	bad(UP "keys: []\n", "cfg.yaml:4: keys is empty");
}

static void test_gw_config__listen_tls_models(void **state)
{
	(void)state;
	bad(UP KEYS "listen: localhost\n", "cfg.yaml:7: listen must be HOST:PORT or [IPV6]:PORT");
	bad(UP KEYS "listen: 1.2.3.4:70000\n", "cfg.yaml:7: listen must be HOST:PORT");
	bad(UP KEYS "listen: ::1:80\n", "cfg.yaml:7: listen must be HOST:PORT");
	bad(UP KEYS "listen: :80\n", "cfg.yaml:7: listen must be HOST:PORT");
	bad(UP KEYS "listen: 1.2.3.4:8x\n", "cfg.yaml:7: listen must be HOST:PORT");
	bad(UP KEYS "tls_cert: c.pem\n",
	    "cfg.yaml:7: tls_cert without tls_key: give both PEM files, or neither");
	bad(UP KEYS "tls_key: k.pem\n", "cfg.yaml:7: tls_key without tls_cert");
	bad(UP KEYS "models:\n  sonnet: us.anthropic.x\n",
	    "cfg.yaml:8: models.sonnet must be a mapping");
	bad(UP KEYS "models:\n  sonnet:\n    bedrok: us.anthropic.x\n",
	    "cfg.yaml:9: models.sonnet: unknown platform 'bedrok' (bedrock, vertex or anthropic)");
	bad(UP KEYS "models:\n  sonnet: {}\n", "cfg.yaml:8: models.sonnet names no platform");
	bad(UP KEYS "models:\n  sonnet:\n    bedrock: \"\"\n",
	    "cfg.yaml:9: models.sonnet.bedrock must not be empty");
	bad(UP KEYS "models: [a]\n", "cfg.yaml:7: models must be a mapping");
}

static void test_gw_config__env(void **state)
{
	(void)state;
	bad(UP "keys:\n  - name: alice\n    key: ${BOB_KEY}\n",
	    "cfg.yaml:6: keys[0].key: environment variable BOB_KEY is not set");
	bad(UP "keys:\n  - name: alice\n    key: ${ALICE_KEY\n",
	    "cfg.yaml:6: keys[0].key: malformed '${ALICE_KEY' (write ${NAME})");
	bad(UP "keys:\n  - name: alice\n    key: ${}\n", "cfg.yaml:6: keys[0].key: malformed");
	bad(UP "keys:\n  - name: alice\n    key: ${EMPTY}\n",
	    "cfg.yaml:6: keys[0].key must not be empty");
	/* a value from the environment in the wrong field is never shown:
	 * messages quote the text as written */
	bad("upstreams:\n  - platform: ${ALICE_KEY}\n    region: x\n" KEYS,
	    "cfg.yaml:2: upstreams[0].platform: unknown platform '${ALICE_KEY}'");
	bad(UP "keys:\n  - name: alice\n    key: gw-alice-s3cr3t\n    rpm: ${ALICE_KEY}\n",
	    "cfg.yaml:7: keys[0].rpm must be a positive integer, not '${ALICE_KEY}'");
	bad(UP KEYS "metrics: ${ALICE_KEY}\n",
	    "cfg.yaml:7: metrics must be true or false, not '${ALICE_KEY}'");
	bad(UP KEYS "listen: ${ALICE_KEY}\n", "cfg.yaml:7: listen must be HOST:PORT or [IPV6]:PORT "
	    "with a port from 0 to 65535, not '${ALICE_KEY}'");
	bad(UP "keys:\n  - name: ${ALICE_KEY}\n    key: k\n",
	    "cfg.yaml:5: keys[0].name is written out, not taken from the environment");
	/* the real environment, through gw_config_parse */
	{
		static const char *text = UP "keys:\n  - name: alice\n    key: pre-${GW_TEST_KEY}\n";
		gw_config *c;
		char err[256];

		setenv("GW_TEST_KEY", "abc-s3cr3t", 1);
		assert_int_equal(gw_config_parse(&c, text, strlen(text), "f", err, sizeof(err)), 0);
		assert_string_equal(c->keys[0].key, "pre-abc-s3cr3t");
		gw_config_unref(c);
		unsetenv("GW_TEST_KEY");
		assert_int_equal(gw_config_parse(&c, text, strlen(text), "f", err, sizeof(err)), -1);
		assert_string_equal(err, "f:6: keys[0].key: environment variable GW_TEST_KEY is not "
			"set");
	}
}

static void test_gw_config__refcount_and_load(void **state)
{
	char path[] = "/tmp/gw-config-XXXXXX", err[512];
	gw_config *c, *d;
	FILE *f;
	int fd;

	(void)state;
	c = good(UP KEYS);
	d = gw_config_ref(c);
	assert_ptr_equal(c, d);
	gw_config_unref(c);
	/* still held by d: readable (ASan would catch a use after free) */
	assert_string_equal(d->keys[0].name, "alice");
	gw_config_unref(d);
	gw_config_unref(NULL);

	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	fputs(UP KEYS "rpm: 5\n", f);
	fclose(f);
	assert_int_equal(gw_config_load(&c, path, err, sizeof(err)), -1);
	assert_null(c);
	{
		char want[128];

		snprintf(want, sizeof(want), "%s:7: unknown key 'rpm'", path);
		if (strncmp(err, want, strlen(want)))
			fail_msg("'%s' does not start with '%s'", err, want);
	}
	f = fopen(path, "w");
	fputs(UP KEYS, f);
	fclose(f);
	assert_int_equal(gw_config_load(&c, path, err, sizeof(err)), 0);
	assert_string_equal(c->path, path);
	gw_config_unref(c);
	unlink(path);
	assert_int_equal(gw_config_load(&c, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "No such file"));
	assert_int_equal(gw_config_load(&c, "/tmp", err, sizeof(err)), -1);
	assert_string_equal(err, "/tmp: not a regular file");
}

/* retention_days: 0 keeps every file, and is not the default. */
static void test_gw_config__retention_zero(void **state)
{
	gw_config *c;

	(void)state;
	c = good(UP KEYS "activity_log:\n  dir: /tmp/x\n  retention_days: 0\n");
	assert_int_equal(c->activity_log.retention_days, 0);
	gw_config_unref(c);
	c = good(UP KEYS "activity_log:\n  dir: /tmp/x\n");
	assert_int_equal(c->activity_log.retention_days, 30);
	gw_config_unref(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_gw_config__issue_example),
		cmocka_unit_test(test_gw_config__defaults),
		cmocka_unit_test(test_gw_config__every_key),
		cmocka_unit_test(test_gw_config__syntax_and_shape),
		cmocka_unit_test(test_gw_config__unknown_keys),
		cmocka_unit_test(test_gw_config__types),
		cmocka_unit_test(test_gw_config__retention_zero),
		cmocka_unit_test(test_gw_config__upstreams),
		cmocka_unit_test(test_gw_config__keys),
		cmocka_unit_test(test_gw_config__listen_tls_models),
		cmocka_unit_test(test_gw_config__env),
		cmocka_unit_test(test_gw_config__refcount_and_load),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
