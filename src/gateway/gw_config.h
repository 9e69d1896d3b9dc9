/* The gateway's configuration: a YAML file (libyaml), read whole into one
 * immutable gw_config. SIGHUP reads a new one beside the running one and
 * swaps it in only when it parsed and checked: a bad file is refused with
 * FILE:LINE and the running configuration kept. Requests in flight keep
 * the configuration they started with (gw_config_ref/unref).
 *
 * Every key the issue pins, with its meaning, is in docs/gateway.md. */
#ifndef BEDROCK_GW_CONFIG_H
#define BEDROCK_GW_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <bedrock/platform.h>

#define GW_SHA256_LEN 32

/* One upstream, tried in the order of the file (failover). */
typedef struct gw_upstream {
	char *name;			/* "bedrock/us-east-1" unless `name:` is given */
	bedrock_platform platform;	/* platform: bedrock | vertex | anthropic */
	char *region;			/* region: (Bedrock region, Vertex location); NULL on anthropic */
	char *endpoint_url;		/* endpoint_url: NULL = the real service */
	char *profile;			/* profile: AWS profile (bedrock); NULL = default chain */
	char *project;			/* project: Vertex project; NULL = the usual sources */
	char *credentials_file;		/* credentials_file: Google credentials (vertex) */
	char *api_key_env;		/* api_key_env: variable holding the Anthropic API key
					 * (anthropic; default ANTHROPIC_API_KEY). Never the key
					 * itself in the file. */
	unsigned cooldown_s;		/* cooldown_s: rest after a failover-worthy failure (default 30) */
	unsigned timeout_s;		/* timeout_s: whole-answer deadline (default 600) */
} gw_upstream;

/* One client key. A key authenticates with a bearer/x-api-key secret, with
 * a SigV4 key pair, or both. */
typedef struct gw_key {
	char *name;			/* name: (required, unique) shown in logs and metrics */
	char *key;			/* key: the secret in clear, or NULL */
	int has_sha256;			/* key_sha256: hex SHA-256 of the secret instead */
	uint8_t sha256[GW_SHA256_LEN];	/* that digest; for a key in clear, its digest too
					 * (so auth compares digests only) */
	char *aws_access_key_id;	/* aws_access_key_id: (with the secret) SigV4 clients */
	char *aws_secret_access_key;
	uint64_t rpm;			/* rpm: requests per minute; 0 = unlimited */
	uint64_t tpm;			/* tpm: input + output tokens per minute; 0 = unlimited */
	uint32_t max_concurrent;	/* max_concurrent: requests in flight; 0 = unlimited */
	char **models;			/* models: aliases or ids allowed; NULL = all ("*") */
	size_t model_count;
} gw_key;

/* models: a client-visible name (alias, Anthropic id, Vertex id, Bedrock
 * id) mapped to the id to send to upstreams of one platform. */
typedef struct gw_model_map {
	char *from;
	bedrock_platform platform;	/* for which upstreams */
	char *to;
} gw_model_map;

typedef struct gw_config {
	char *path;			/* the file it was read from (for messages) */
	char *listen;			/* listen: HOST:PORT (default 127.0.0.1:8080) */
	gw_upstream *upstreams;		/* upstreams: at least one */
	size_t upstream_count;
	gw_key *keys;			/* keys: at least one */
	size_t key_count;
	gw_model_map *models;		/* models: overrides of the catalog */
	size_t model_count;
	struct {
		char *dir;		/* activity_log.dir: NULL = no activity log */
		unsigned retention_days; /* activity_log.retention_days (default 30) */
		int bodies;		/* activity_log.bodies: prompts and answers logged */
		unsigned flush_ms;	/* activity_log.flush_ms: lines buffered that long (default 200; 0: none) */
	} activity_log;
	int metrics;			/* metrics: GET /metrics served (default true) */
	char *redis;			/* redis: redis://HOST:PORT[/DB]; NULL = in-process quotas */
	char *tls_cert;			/* tls_cert / tls_key: PEM files; both or neither */
	char *tls_key;
	struct {
		size_t max_body;		/* limits.max_body_bytes (default 32 MiB) */
		size_t max_header_bytes;	/* limits.max_header_bytes (default 64 KiB) */
		unsigned max_connections;	/* limits.max_connections (default 16384) */
		unsigned max_threads;		/* limits.max_threads (default 16384) */
		unsigned loops;			/* limits.loops (0: one a core) */
		unsigned idle_timeout_s;	/* limits.idle_timeout_s (default 120) */
		unsigned request_timeout_s;	/* limits.request_timeout_s (default 60) */
		unsigned drain_timeout_s;	/* limits.drain_timeout_s: SIGTERM (default 30) */
	} limits;
} gw_config;

/* Reads and checks FILE. 0 with *out (refcount 1), or -1 with err set to
 * "FILE:LINE: what is wrong" (never a secret's value). */
int gw_config_load(gw_config **out, const char *path, char *err, size_t err_cap);
/* The same from a text in memory; name stands for the file in messages. */
int gw_config_parse(gw_config **out, const char *text, size_t len, const char *name,
		    char *err, size_t err_cap);
/* Reference counting (atomic): a request holds the configuration it started with. */
gw_config *gw_config_ref(gw_config *c);
/* The last unref wipes the secrets and frees. NULL is fine. */
void gw_config_unref(gw_config *c);

#endif
