/* Issue 12's performance targets for Vertex AI, side by side in one run
 * against one `bedrock emulate` (its Vertex front, OAuth token endpoint
 * and metadata server):
 *
 *  1. cached token: client CPU per non-streaming call
 *     (bedrock_messages_create) on the Anthropic API (x-api-key) and on
 *     Vertex with a cached Google token, from a service-account file
 *     whose token_uri is the emulator's /token and from the metadata
 *     server (GCE_METADATA_HOST), in alternating blocks. Target: Vertex
 *     within 1.1x of the Anthropic API (the median of each repetition's
 *     ratio). Vertex with a fixed access token (no cache, no Google
 *     credentials) is shown beside them, to tell the cache's part from
 *     the Vertex wire's.
 *  2. minting: client CPU to mint a service-account token (read the file,
 *     sign the JWT RS256, exchange it at /token), the cache invalidated
 *     before each; and the RS256 signature alone, and the key's PEM
 *     parsing alone (src/util's crypto.h, which the library uses), to say
 *     where the time goes. Target: under 5 ms.
 *  3. cold: `bedrock --platform vertex ask` (GOOGLE_APPLICATION_CREDENTIALS
 *     naming the service account; the metadata server; `--emulate`)
 *     against `bedrock ask` on Bedrock (AWS keys; `--emulate`), each a new
 *     process: wall time, CPU and peak RSS (wait4), medians of
 *     alternating runs. Target: no slower and no larger, within
 *     COLD_WALL_TOLERANCE and COLD_RSS_TOLERANCE.
 *
 *   bench_vertex BEDROCK_BINARY [--calls N] [--reps R] [--mints N]
 *                [--signs N] [--cold N] [--only cached|mint|cold] [--strict]
 *
 * CPU is getrusage(RUSAGE_SELF) of this process (user+sys, every thread:
 * the client's, never the emulator's, which is a child process). The
 * service account's RSA key is made here (2048 bits, as Google's) and
 * written to a private temporary directory, removed at the end; neither
 * it nor any token is printed. --strict exits 1 when a target is missed
 * (the default only reports it). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cjson/cJSON.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <bedrock/bedrock.h>
#include <bedrock/google.h>

#include "crypto.h"

#define MODEL "haiku-4.5"	/* each platform's id for it */
#define API_KEY "sk-ant-emulator-key"	/* the emulator's documented fake key */
#define PROJECT "emulator-project"	/* the emulator's default project */
/* Given to the emulator with --google-token; as long as the tokens it
 * issues (libcurl spends about 85 instructions on each byte of a header). */
#define FIXED_TOKEN "ya29.bench-fixed-0123456789abcdefghijklmnopqrstuvwxyzABCD"
#define LOCATION "us-east5"
#define PROMPT "Hello, world"
#define MAX_REPS 101
#define BLOCK 100		/* calls in a row of one client */
#define MAX_COLD 101
#define MAX_MINTS 10000
/* "No slower, no larger", allowing for noise: a new process's wall time
 * on this 2-core machine moves by several percent between runs of the
 * same command, its peak RSS by about 1%. */
#define COLD_WALL_TOLERANCE 1.05
#define COLD_RSS_TOLERANCE 1.02

enum { API, VERTEX_SA, VERTEX_MD, VERTEX_FIXED, NCLIENTS };

static const char *const client_names[NCLIENTS] = {
	"Anthropic API (x-api-key)",
	"Vertex, service account (cached token)",
	"Vertex, metadata server (cached token)",
	"Vertex, a fixed access token (no cache)",
};

typedef struct bench {
	const char *bin;
	char url[128], host[64];
	int port;
	pid_t emu_pid;
	char dir[64];		/* private: the credentials file, the children's HOME */
	char sa_path[128];
	char *pem;		/* the service account's private key (a secret) */
} bench;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static bench *cleanup_target;

static int remove_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	remove(path);
	return 0;
}

static void cleanup(void)
{
	bench *b = cleanup_target;

	if (!b)
		return;
	cleanup_target = NULL;
	if (b->emu_pid > 0) {
		kill(b->emu_pid, SIGTERM);
		waitpid(b->emu_pid, NULL, 0);
	}
	/* Whatever the children left in their HOME too. */
	if (b->dir[0])
		nftw(b->dir, remove_one, 16, FTW_DEPTH | FTW_PHYS);
	if (b->pem) {
		OPENSSL_cleanse(b->pem, strlen(b->pem));
		free(b->pem);
		b->pem = NULL;
	}
}

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "bench_vertex: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	cleanup();
	exit(1);
}

static double cpu_now_us(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec);
}

static double wall_now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e6 + (double)ts.tv_nsec / 1e3;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}


/* The samples are left in their order (min_of, max_of read them too). */
static double median(const double *v, int n)
{
	double *s = malloc((size_t)n * sizeof(*v)), m;

	if (!s)
		die("out of memory");
	memcpy(s, v, (size_t)n * sizeof(*v));
	qsort(s, (size_t)n, sizeof(*s), cmp_double);
	m = n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
	free(s);
	return m;
}

static double min_of(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] < m ? v[i] : m;
	return m;
}

static double max_of(const double *v, int n)
{
	double m = v[0];
	int i;

	for (i = 1; i < n; i++)
		m = v[i] > m ? v[i] : m;
	return m;
}

static const char *verdict(int ok, int *missed)
{
	*missed |= !ok;
	return ok ? "PASS" : "MISS";
}

/* ---- set-up: the emulator, the service account ---- */

static void start_emulator(bench *b)
{
	char *argv[] = { (char *)b->bin, "emulate", "--listen", "127.0.0.1:0", "--quiet",
			 "--google-token", FIXED_TOKEN, NULL };
	char line[256];
	int out[2];
	FILE *f;

	if (pipe(out))
		die("pipe: %s", strerror(errno));
	b->emu_pid = fork();
	if (b->emu_pid < 0)
		die("fork: %s", strerror(errno));
	if (b->emu_pid == 0) {
		dup2(out[1], 1);
		close(out[0]);
		close(out[1]);
		execv(argv[0], argv);
		_exit(127);
	}
	close(out[1]);
	f = fdopen(out[0], "r");
	if (!f || !fgets(line, sizeof(line), f) ||
	    sscanf(line, "listening on http://%63[^:]:%d", b->host, &b->port) != 2)
		die("cannot start %s emulate", b->bin);
	snprintf(b->url, sizeof(b->url), "http://%s:%d", b->host, b->port);
	/* Its stdout stays open and unread: it prints nothing more. */
}

/* A 2048-bit RSA key (Google's service-account keys are), as PKCS#8 PEM. */
static char *make_key(void)
{
	EVP_PKEY *k = EVP_RSA_gen(2048);
	BIO *bio = BIO_new(BIO_s_mem());
	char *data, *pem = NULL;
	long n;

	if (k && bio && PEM_write_bio_PrivateKey(bio, k, NULL, NULL, 0, NULL, NULL) == 1 &&
	    (n = BIO_get_mem_data(bio, &data)) > 0 && (pem = malloc((size_t)n + 1)) != NULL) {
		memcpy(pem, data, (size_t)n);
		pem[n] = '\0';
	}
	BIO_free(bio);	/* BIO_s_mem: its buffer is cleansed when freed */
	EVP_PKEY_free(k);
	if (!pem)
		die("cannot make an RSA key");
	return pem;
}

static void write_service_account(bench *b)
{
	cJSON *j = cJSON_CreateObject();
	char uri[160], *s;
	FILE *f;
	int fd;

	snprintf(uri, sizeof(uri), "%s/token", b->url);
	if (!j || !cJSON_AddStringToObject(j, "type", "service_account") ||
	    !cJSON_AddStringToObject(j, "project_id", PROJECT) ||
	    !cJSON_AddStringToObject(j, "private_key_id", "0123456789abcdef0123456789abcdef9e1d") ||
	    !cJSON_AddStringToObject(j, "private_key", b->pem) ||
	    !cJSON_AddStringToObject(j, "client_email",
				     "bench@" PROJECT ".iam.gserviceaccount.com") ||
	    !cJSON_AddStringToObject(j, "client_id", "100000000000000000001") ||
	    !cJSON_AddStringToObject(j, "token_uri", uri) || !(s = cJSON_PrintUnformatted(j)))
		die("out of memory");
	snprintf(b->sa_path, sizeof(b->sa_path), "%s/sa.json", b->dir);
	fd = open(b->sa_path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	if (fd < 0 || !(f = fdopen(fd, "w")) || fputs(s, f) < 0 || fclose(f))
		die("cannot write %s", b->sa_path);
	OPENSSL_cleanse(s, strlen(s));
	cJSON_free(s);
	cJSON_Delete(j);
}

/* ---- 1. CPU per call with a cached token ---- */

static bedrock_client *make_client(const bench *b, int which, bedrock_google_provider *google)
{
	bedrock_client_options o = BEDROCK_CLIENT_OPTIONS_INIT;
	bedrock_error_info err;
	bedrock_client *c;

	o.endpoint_url = b->url;
	o.max_attempts = 1;
	if (which == API) {
		o.platform = BEDROCK_PLATFORM_ANTHROPIC;
		o.api_key = API_KEY;
	} else {
		o.platform = BEDROCK_PLATFORM_VERTEX;
		o.region = LOCATION;
		o.project = PROJECT;
		o.google_credentials = google;
		if (which == VERTEX_FIXED)
			o.auth_token = FIXED_TOKEN;
	}
	if (bedrock_client_new(&c, &o, &err))
		die("%s: %s", client_names[which], err.message);
	return c;
}

static void call(bedrock_client *c, const bedrock_messages_request *req, int which)
{
	bedrock_error_info err;
	bedrock_message *m;
	char *text;
	size_t n;

	if (bedrock_messages_create(&m, c, MODEL, req, NULL, &err))
		die("%s: %s", client_names[which], err.message);
	if (bedrock_message_text(&text, &n, m) || !strstr(text, PROMPT))
		die("%s: not the emulator's echo", client_names[which]);
	bedrock_messages_string_free(text);
	bedrock_message_free(m);
}

/* The same token before and after: the runs never minted one. */
static bedrock_google_token *token_of(bedrock_google_provider *p, const char *what)
{
	bedrock_error_info err;
	bedrock_google_token *t;

	if (bedrock_google_provider_get(&t, p, NULL, &err))
		die("%s: %s", what, err.message);
	return t;
}

static void run_cached(const bench *b, unsigned long calls, int reps, int *missed)
{
	double per[NCLIENTS][MAX_REPS], med[NCLIENTS], ratio_fixed[2][MAX_REPS];
	bedrock_google_provider *sa, *md;
	bedrock_google_token *t0[NCLIENTS] = { NULL }, *t;
	bedrock_messages_request *req;
	bedrock_client *c[NCLIENTS];
	bedrock_error_info err;
	char hostport[96];
	int r, k, w;

	/* The metadata server is found from GCE_METADATA_HOST alone, as on
	 * GCE, GKE or Cloud Run. */
	snprintf(hostport, sizeof(hostport), "%s:%d", b->host, b->port);
	setenv("GCE_METADATA_HOST", hostport, 1);
	if (bedrock_google_provider_new_file(&sa, b->sa_path, &err) ||
	    bedrock_google_provider_new_metadata(&md, &err))
		die("%s", err.message);
	if (bedrock_messages_request_new(&req, 64) ||
	    bedrock_messages_request_add_message(req, BEDROCK_ROLE_USER) ||
	    bedrock_messages_request_add_text(req, PROMPT, NULL))
		die("cannot build the request");
	c[API] = make_client(b, API, NULL);
	c[VERTEX_SA] = make_client(b, VERTEX_SA, sa);
	c[VERTEX_MD] = make_client(b, VERTEX_MD, md);
	c[VERTEX_FIXED] = make_client(b, VERTEX_FIXED, NULL);

	/* Warm-up: connections open, tokens minted and cached. */
	for (k = 0; k < NCLIENTS; k++)
		for (w = 0; w < BLOCK; w++)
			call(c[k], req, k);
	t0[VERTEX_SA] = token_of(sa, client_names[VERTEX_SA]);
	t0[VERTEX_MD] = token_of(md, client_names[VERTEX_MD]);

	for (r = 0; r < reps; r++) {
		double cpu[NCLIENTS] = { 0 };
		unsigned long done, n, i;

		for (done = 0; done < calls; done += n) {
			n = calls - done < BLOCK ? calls - done : BLOCK;
			/* Take turns, starting one further each block. */
			for (w = 0; w < NCLIENTS; w++) {
				double c0;

				k = (int)((done / BLOCK + (unsigned long)(r + w)) % NCLIENTS);
				c0 = cpu_now_us();
				for (i = 0; i < n; i++)
					call(c[k], req, k);
				cpu[k] += cpu_now_us() - c0;
			}
		}
		for (k = 0; k < NCLIENTS; k++)
			per[k][r] = cpu[k] / (double)calls;
	}

	for (k = VERTEX_SA; k <= VERTEX_MD; k++) {
		t = token_of(k == VERTEX_SA ? sa : md, client_names[k]);
		if (t != t0[k])
			die("%s: a token was minted during the runs", client_names[k]);
		bedrock_google_token_release(t);
		bedrock_google_token_release(t0[k]);
	}

	printf("1. Client CPU per bedrock_messages_create (\"%s\", max_tokens 64), us: median of "
	       "%d repetitions of %lu calls each, in alternating blocks of %d\n\n", PROMPT, reps,
	       calls, BLOCK);
	printf("| client | CPU us/call (median) | min | max |\n|---|---|---|---|\n");
	for (k = 0; k < NCLIENTS; k++) {
		med[k] = median(per[k], reps);
		printf("| %s | %.1f | %.1f | %.1f |\n", client_names[k], med[k],
		       min_of(per[k], reps), max_of(per[k], reps));
	}
	printf("\n");
	for (k = VERTEX_SA; k <= VERTEX_MD; k++) {
		double ratio[MAX_REPS], paired;

		/* Judged on each repetition's own ratio (the clients' blocks
		 * interleaved in it): a change in the machine's load between
		 * repetitions then falls on both sides of it alike. */
		for (r = 0; r < reps; r++)
			ratio[r] = per[k][r] / per[API][r];
		paired = median(ratio, reps);
		printf("%s / Anthropic API: %.3fx (median of the repetitions' ratios; %.3f-%.3f; "
		       "ratio of the medians %.3fx) (target <= 1.1x) %s\n", client_names[k], paired,
		       min_of(ratio, reps), max_of(ratio, reps), med[k] / med[API],
		       verdict(paired <= 1.1, missed));
	}
	/* Shown, not judged: what the token cache itself costs (the same
	 * Vertex calls with a token that needs none), and what is left, the
	 * Vertex wire's own (its longer URL, its headers). */
	for (r = 0; r < reps; r++)
		ratio_fixed[0][r] = per[VERTEX_SA][r] / per[VERTEX_FIXED][r];
	for (r = 0; r < reps; r++)
		ratio_fixed[1][r] = per[VERTEX_FIXED][r] / per[API][r];
	printf("the cache's own part: service account (cached) / fixed token %.3fx; the wire's: "
	       "fixed token / Anthropic API %.3fx\n\n", median(ratio_fixed[0], reps),
	       median(ratio_fixed[1], reps));

	for (k = 0; k < NCLIENTS; k++)
		bedrock_client_free(c[k]);
	bedrock_messages_request_free(req);
	bedrock_google_provider_release(sa);
	bedrock_google_provider_release(md);
	unsetenv("GCE_METADATA_HOST");
}

/* ---- 2. minting a service-account token ---- */

static void run_mint(const bench *b, int mints, int signs, int *missed)
{
	static double cpu[MAX_MINTS], wall[MAX_MINTS], sign_us[MAX_REPS], parse_us[MAX_REPS];
	/* A JWT's signing input is about this long (header.claims, base64url). */
	static const char input[] =
		"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjAxMjM0NTY3ODlhYmNkZWYwMTIzNDU2Nzg5"
		"YWJjZGVmOWUxZCJ9.eyJpc3MiOiJiZW5jaEBlbXVsYXRvci1wcm9qZWN0LmlhbS5nc2VydmljZWFjY291"
		"bnQuY29tIiwic2NvcGUiOiJodHRwczovL3d3dy5nb29nbGVhcGlzLmNvbS9hdXRoL2Nsb3VkLXBsYXRm"
		"b3JtIiwiYXVkIjoiaHR0cDovLzEyNy4wLjAuMTo0MDAwMC90b2tlbiIsImlhdCI6MTc2NDAwMDAwMCwi"
		"ZXhwIjoxNzY0MDAzNjAwfQ";
	bedrock_google_provider *p;
	bedrock_google_token *t;
	bedrock_error_info err;
	bedrock__rsa_key *key;
	uint8_t sig[512];
	size_t sig_len;
	int i, r, reps = 9, per_rep;
	double med_cpu, med_sign, med_parse;

	if (bedrock_google_provider_new_file(&p, b->sa_path, &err))
		die("%s", err.message);
	/* Warm-up: the first mint in a process also starts libcurl and
	 * OpenSSL's providers; part 3 counts that. */
	for (i = 0; i < 3; i++) {
		bedrock_google_provider_invalidate(p);
		bedrock_google_token_release(token_of(p, "mint"));
	}
	for (i = 0; i < mints; i++) {
		double c0, w0;

		bedrock_google_provider_invalidate(p);
		c0 = cpu_now_us();
		w0 = wall_now_us();
		if (bedrock_google_provider_get(&t, p, NULL, &err))
			die("mint: %s", err.message);
		cpu[i] = cpu_now_us() - c0;
		wall[i] = wall_now_us() - w0;
		if (bedrock_google_token_type(t) != BEDROCK_GOOGLE_SERVICE_ACCOUNT)
			die("mint: not a service account's token");
		bedrock_google_token_release(t);
	}
	bedrock_google_provider_release(p);

	/* The parts: the key's PEM parsed (at each refresh: the file is read
	 * afresh), and the RS256 signature, in blocks (a signature is about
	 * 0.3 ms: too short to time one by one with getrusage). */
	per_rep = signs / reps > 0 ? signs / reps : 1;
	for (r = 0; r < reps; r++) {
		double c0 = cpu_now_us();

		for (i = 0; i < per_rep; i++) {
			if (bedrock__rsa_key_from_pem(&key, b->pem, strlen(b->pem)))
				die("the key does not parse");
			bedrock__rsa_key_free(key);
		}
		parse_us[r] = (cpu_now_us() - c0) / per_rep;
	}
	if (bedrock__rsa_key_from_pem(&key, b->pem, strlen(b->pem)))
		die("the key does not parse");
	for (r = 0; r < reps; r++) {
		double c0 = cpu_now_us();

		for (i = 0; i < per_rep; i++)
			if (bedrock__rs256_sign(sig, &sig_len, key, input, sizeof(input) - 1) ||
			    sig_len != 256)
				die("RS256 failed");
		sign_us[r] = (cpu_now_us() - c0) / per_rep;
	}
	bedrock__rsa_key_free(key);

	med_cpu = median(cpu, mints) / 1000;
	med_sign = median(sign_us, reps) / 1000;
	med_parse = median(parse_us, reps) / 1000;
	printf("2. Minting a service-account token (the file read, the JWT signed RS256 with a "
	       "2048-bit key, exchanged at the emulator's /token), the cache invalidated before "
	       "each: %d mints\n\n", mints);
	printf("| part | client CPU ms (median) | min | max | wall ms (median) |\n"
	       "|---|---|---|---|---|\n");
	printf("| a whole mint | %.3f | %.3f | %.3f | %.3f |\n", med_cpu, min_of(cpu, mints) / 1000,
	       max_of(cpu, mints) / 1000, median(wall, mints) / 1000);
	printf("| RS256 signature alone (%d x %d) | %.3f | %.3f | %.3f | - |\n", reps, per_rep,
	       med_sign, min_of(sign_us, reps) / 1000, max_of(sign_us, reps) / 1000);
	printf("| the key's PEM parsed alone (%d x %d) | %.3f | %.3f | %.3f | - |\n", reps, per_rep,
	       med_parse, min_of(parse_us, reps) / 1000, max_of(parse_us, reps) / 1000);
	printf("\nmint: %.3f ms of client CPU (target < 5 ms) %s\n\n", med_cpu,
	       verdict(med_cpu < 5.0, missed));
}

/* ---- 3. cold: a new `bedrock` process per call ---- */

enum { COLD_BEDROCK, COLD_VERTEX, COLD_VERTEX_MINT, COLD_VERTEX_MD, COLD_BEDROCK_EMU,
       COLD_VERTEX_EMU, NCOLD };

/* The service account twice: as a user's runs after the first are (the
 * token kept in ~/.cache/bedrock/google by an earlier run: the warm-up
 * makes it), and with BEDROCK_NO_TOKEN_CACHE=1, a token minted (a JWT
 * signed, exchanged) in every process, as a first run does. */
static const char *const cold_names[NCOLD] = {
	"bedrock ask (Bedrock, AWS keys)",
	"bedrock --platform vertex ask (service account, token kept)",
	"bedrock --platform vertex ask (service account, minted: BEDROCK_NO_TOKEN_CACHE=1)",
	"bedrock --platform vertex ask (metadata server)",
	"bedrock --emulate ask",
	"bedrock --emulate --platform vertex ask",
};

/* What is judged: Vertex (second) against Bedrock (first). */
static const int cold_pairs[][2] = {
	{ COLD_BEDROCK, COLD_VERTEX },
	{ COLD_BEDROCK, COLD_VERTEX_MD },
	{ COLD_BEDROCK_EMU, COLD_VERTEX_EMU },
};

typedef struct cold_sample {
	double wall_ms, cpu_ms, rss_kb;
} cold_sample;

static void cold_one(cold_sample *s, const bench *b, int which)
{
	char home[96], xs[112], xc[112], gac[160], gmh[96], out[96], text[256];
	char *argv[12], *envp[16];
	int a = 0, e = 0, fd, status;
	struct rusage ru;
	double w0;
	ssize_t n;
	pid_t pid;

	snprintf(home, sizeof(home), "HOME=%s", b->dir);
	snprintf(xs, sizeof(xs), "XDG_STATE_HOME=%s/state", b->dir);
	snprintf(xc, sizeof(xc), "XDG_CONFIG_HOME=%s/config", b->dir);
	snprintf(gac, sizeof(gac), "GOOGLE_APPLICATION_CREDENTIALS=%s", b->sa_path);
	snprintf(out, sizeof(out), "%s/out", b->dir);
	envp[e++] = "PATH=/usr/bin:/bin";
	envp[e++] = "LANG=C.UTF-8";
	envp[e++] = home;
	envp[e++] = xs;
	envp[e++] = xc;
	/* Nothing of the machine's own: no instance metadata, no gcloud. */
	envp[e++] = "AWS_EC2_METADATA_DISABLED=true";
	if (which != COLD_VERTEX_MD)
		envp[e++] = "NO_GCE_CHECK=true";
	argv[a++] = (char *)b->bin;
	if (which == COLD_BEDROCK_EMU || which == COLD_VERTEX_EMU)
		argv[a++] = "--emulate";
	if (which == COLD_VERTEX || which == COLD_VERTEX_MINT || which == COLD_VERTEX_MD ||
	    which == COLD_VERTEX_EMU) {
		argv[a++] = "--platform";
		argv[a++] = "vertex";
	}
	if (which == COLD_BEDROCK || which == COLD_VERTEX || which == COLD_VERTEX_MINT ||
	    which == COLD_VERTEX_MD) {
		argv[a++] = "--endpoint-url";
		argv[a++] = (char *)b->url;
	}
	if (which == COLD_BEDROCK) {
		envp[e++] = "AWS_ACCESS_KEY_ID=AKIDEXAMPLE";
		envp[e++] = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY";
		envp[e++] = "AWS_REGION=us-east-1";
	} else if (which == COLD_VERTEX || which == COLD_VERTEX_MINT) {
		/* As Claude Code's Vertex set-up names them. */
		if (which == COLD_VERTEX_MINT)
			envp[e++] = "BEDROCK_NO_TOKEN_CACHE=1";
		envp[e++] = gac;
		envp[e++] = "CLOUD_ML_REGION=" LOCATION;
		envp[e++] = "ANTHROPIC_VERTEX_PROJECT_ID=" PROJECT;
	} else if (which == COLD_VERTEX_MD) {
		/* As on GCE, GKE or Cloud Run: the token from the metadata server. */
		snprintf(gmh, sizeof(gmh), "GCE_METADATA_HOST=%s:%d", b->host, b->port);
		envp[e++] = gmh;
		envp[e++] = "CLOUD_ML_REGION=" LOCATION;
		envp[e++] = "ANTHROPIC_VERTEX_PROJECT_ID=" PROJECT;
	}
	envp[e] = NULL;
	argv[a++] = "ask";
	argv[a++] = PROMPT;
	argv[a] = NULL;

	fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	if (fd < 0)
		die("cannot write %s", out);
	w0 = wall_now_us();
	pid = fork();
	if (pid < 0)
		die("fork: %s", strerror(errno));
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(fd, 1);
		execve(argv[0], argv, envp);
		_exit(127);
	}
	close(fd);
	if (wait4(pid, &status, 0, &ru) != pid)
		die("wait4: %s", strerror(errno));
	s->wall_ms = (wall_now_us() - w0) / 1000;
	s->cpu_ms = ((double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1e6 +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec)) / 1000;
	s->rss_kb = (double)ru.ru_maxrss;
	fd = open(out, O_RDONLY);
	n = fd >= 0 ? read(fd, text, sizeof(text) - 1) : -1;
	if (fd >= 0)
		close(fd);
	text[n > 0 ? n : 0] = '\0';
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || !strstr(text, PROMPT))
		die("%s: failed (status %d)", cold_names[which], status);
}

static void run_cold(const bench *b, int runs, int *missed)
{
	static double wall[NCOLD][MAX_COLD], cpu[NCOLD][MAX_COLD], rss[NCOLD][MAX_COLD];
	double mw[NCOLD], mc[NCOLD], mr[NCOLD], self;
	struct rusage ru;
	cold_sample s;
	int r, k, w;
	size_t pair;

	/* Warm-up: the binary and its libraries in the page cache. */
	for (k = 0; k < NCOLD; k++)
		cold_one(&s, b, k);
	for (r = 0; r < runs; r++)
		for (w = 0; w < NCOLD; w++) {
			k = (r + w) % NCOLD;
			cold_one(&s, b, k);
			wall[k][r] = s.wall_ms;
			cpu[k][r] = s.cpu_ms;
			rss[k][r] = s.rss_kb;
		}
	/* A child's ru_maxrss is at least what it inherited from this
	 * process at fork; it must be below the children's for theirs to be
	 * their own. */
	getrusage(RUSAGE_SELF, &ru);
	self = (double)ru.ru_maxrss;

	printf("3. Cold: a new process per call against the emulator (or --emulate's own), "
	       "%d alternating runs each; medians (min-max)\n\n", runs);
	printf("| command | wall ms | CPU ms (user+sys) | peak RSS KiB |\n|---|---|---|---|\n");
	for (k = 0; k < NCOLD; k++) {
		mw[k] = median(wall[k], runs);
		mc[k] = median(cpu[k], runs);
		mr[k] = median(rss[k], runs);
		if (min_of(rss[k], runs) <= self)
			die("%s: a peak RSS no larger than this process's own (%.0f KiB): not "
			    "measurable", cold_names[k], self);
		printf("| %s | %.1f (%.1f-%.1f) | %.1f (%.1f-%.1f) | %.0f (%.0f-%.0f) |\n",
		       cold_names[k], mw[k], min_of(wall[k], runs), max_of(wall[k], runs), mc[k],
		       min_of(cpu[k], runs), max_of(cpu[k], runs), mr[k], min_of(rss[k], runs),
		       max_of(rss[k], runs));
	}
	printf("\n");
	for (pair = 0; pair < sizeof(cold_pairs) / sizeof(cold_pairs[0]); pair++) {
		int base = cold_pairs[pair][0], v = cold_pairs[pair][1];
		double rw = mw[v] / mw[base], rr = mr[v] / mr[base];

		printf("%s vs %s: wall %.3fx (target <= %.2fx) %s, peak RSS %.3fx (%+.0f KiB; "
		       "target <= %.2fx) %s; CPU %.3fx\n", cold_names[v], cold_names[base], rw,
		       COLD_WALL_TOLERANCE, verdict(rw <= COLD_WALL_TOLERANCE, missed), rr,
		       mr[v] - mr[base], COLD_RSS_TOLERANCE,
		       verdict(rr <= COLD_RSS_TOLERANCE, missed), mc[v] / mc[base]);
	}
	/* Not judged (a first run has to mint), shown for what the cache saves. */
	printf("%s vs %s (not judged): wall %.3fx, peak RSS %.3fx (%+.0f KiB), CPU %.3fx\n",
	       cold_names[COLD_VERTEX_MINT], cold_names[COLD_BEDROCK],
	       mw[COLD_VERTEX_MINT] / mw[COLD_BEDROCK], mr[COLD_VERTEX_MINT] / mr[COLD_BEDROCK],
	       mr[COLD_VERTEX_MINT] - mr[COLD_BEDROCK], mc[COLD_VERTEX_MINT] / mc[COLD_BEDROCK]);
	printf("\n");
}

int main(int argc, char **argv)
{
	unsigned long calls = 600;
	int reps = 15, mints = 200, signs = 900, cold = 21, strict = 0, missed = 0, i;
	const char *only = NULL;
	bench b;

	memset(&b, 0, sizeof(b));
	if (argc < 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: bench_vertex BEDROCK_BINARY [--calls N] [--reps R] "
				"[--mints N] [--signs N] [--cold N] [--only cached|mint|cold] "
				"[--strict]\n");
		return 2;
	}
	b.bin = argv[1];
	for (i = 2; i < argc; i++) {
		const char *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(argv[i], "--strict")) {
			strict = 1;
			continue;
		}
		if (!v)
			die("%s needs a value", argv[i]);
		i++;
		if (!strcmp(argv[i - 1], "--calls"))
			calls = strtoul(v, NULL, 10);
		else if (!strcmp(argv[i - 1], "--reps"))
			reps = atoi(v);
		else if (!strcmp(argv[i - 1], "--mints"))
			mints = atoi(v);
		else if (!strcmp(argv[i - 1], "--signs"))
			signs = atoi(v);
		else if (!strcmp(argv[i - 1], "--cold"))
			cold = atoi(v);
		else if (!strcmp(argv[i - 1], "--only"))
			only = v;
		else
			die("unknown option %s", argv[i - 1]);
	}
	if (calls < 1 || reps < 1 || reps > MAX_REPS || mints < 1 || mints > MAX_MINTS ||
	    signs < 1 || cold < 1 || cold > MAX_COLD)
		die("--calls, --signs: at least 1; --reps 1 to %d; --mints 1 to %d; --cold 1 to %d",
		    MAX_REPS, MAX_MINTS, MAX_COLD);
	if (only && strcmp(only, "cached") && strcmp(only, "mint") && strcmp(only, "cold"))
		die("--only: cached, mint or cold");

	signal(SIGPIPE, SIG_IGN);
	cleanup_target = &b;
	snprintf(b.dir, sizeof(b.dir), "/tmp/bench-vertex-XXXXXX");
	if (!mkdtemp(b.dir)) {
		b.dir[0] = '\0';
		die("mkdtemp: %s", strerror(errno));
	}
	b.pem = make_key();
	start_emulator(&b);
	write_service_account(&b);
	printf("bench_vertex: %s emulate at %s\n\n", b.bin, b.url);

	/* Cold first, while this process is small (see run_cold). */
	if (!only || !strcmp(only, "cold"))
		run_cold(&b, cold, &missed);
	if (!only || !strcmp(only, "cached"))
		run_cached(&b, calls, reps, &missed);
	if (!only || !strcmp(only, "mint"))
		run_mint(&b, mints, signs, &missed);

	cleanup();
	return strict && missed ? 1 : 0;
}
