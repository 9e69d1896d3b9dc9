/* Shared config and credentials files, profile selection and region, as
 * the AWS CLI resolves them (../PROTOCOL §7.2-7.3 in the project notes). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "bedrock/config.h"
#include "bedrock/errors.h"
#include "alloc.h"
#include "ascii.h"
#include "config_private.h"
#include "ini.h"

struct bedrock_config {
	char *profile;
	char *config_path, *credentials_path;
	bedrock__ini config, credentials;
	char errmsg[512];
};

static int set_error(bedrock_config *c, int code, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int set_error(bedrock_config *c, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(c->errmsg, sizeof(c->errmsg), fmt, ap);
	va_end(ap);
	return code;
}

static const char *nonempty_env(const char *name)
{
	const char *v = getenv(name);

	return v && *v ? v : NULL;
}

char *bedrock__expand_home(const char *path)
{
	const char *home;
	char *out;
	size_t hl, pl;

	if (path[0] != '~' || (path[1] != '/' && path[1] != '\0'))
		return bedrock__strdup(path);
	home = nonempty_env("HOME");
	if (!home)
		return bedrock__strdup(path);
	hl = strlen(home);
	pl = strlen(path + 1);
	out = bedrock__malloc(hl + pl + 1);
	if (!out)
		return NULL;
	memcpy(out, home, hl);
	memcpy(out + hl, path + 1, pl + 1);
	return out;
}

/* Reads and parses one file; a missing file is an empty one. */
static int load_file(bedrock_config *c, bedrock__ini *ini, const char *path)
{
	FILE *f;
	char *data = NULL, *p;
	size_t len = 0, cap = 0, n;
	int rc;

	memset(ini, 0, sizeof(*ini));
	f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT || errno == ENOTDIR)
			return 0;
		return set_error(c, BEDROCK_ECONFIG, "%s: %s", path, strerror(errno));
	}
	for (;;) {
		if (cap - len < 4096) {
			/* Config files are small; refuse anything absurd. */
			if (cap > (16u << 20)) {
				fclose(f);
				bedrock__free(data);
				return set_error(c, BEDROCK_ECONFIG, "%s: file too large", path);
			}
			p = bedrock__realloc(data, cap * 2 + 4096);
			if (!p) {
				fclose(f);
				bedrock__free(data);
				return BEDROCK_ENOMEM;
			}
			data = p;
			cap = cap * 2 + 4096;
		}
		n = fread(data + len, 1, cap - len, f);
		if (n == 0)
			break;
		len += n;
	}
	if (ferror(f)) {
		fclose(f);
		bedrock__free(data);
		return set_error(c, BEDROCK_ECONFIG, "%s: read error", path);
	}
	fclose(f);
	rc = bedrock__ini_parse(ini, data ? data : "", len);
	bedrock__free(data);
	if (rc == BEDROCK_EPROTOCOL)
		return set_error(c, BEDROCK_ECONFIG, "%s: %s", path, ini->errmsg);
	return rc;
}

int bedrock_config_load(bedrock_config **out, const bedrock_config_options *options)
{
	bedrock_config_options defaults = BEDROCK_CONFIG_OPTIONS_INIT;
	const char *profile, *cfg, *cred;
	bedrock_config *c;
	int rc;

	if (!out)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (!options)
		options = &defaults;
	if (options->version != BEDROCK_CONFIG_OPTIONS_VERSION)
		return BEDROCK_EINVAL;
	c = bedrock__calloc(1, sizeof(*c));
	if (!c)
		return BEDROCK_ENOMEM;

	profile = options->profile;
	if (!profile)
		profile = nonempty_env("AWS_PROFILE");
	if (!profile)
		profile = nonempty_env("AWS_DEFAULT_PROFILE");
	if (!profile)
		profile = "default";
	cfg = options->config_file ? options->config_file : nonempty_env("AWS_CONFIG_FILE");
	cred = options->credentials_file ? options->credentials_file
					 : nonempty_env("AWS_SHARED_CREDENTIALS_FILE");
	c->profile = bedrock__strdup(profile);
	c->config_path = bedrock__expand_home(cfg ? cfg : "~/.aws/config");
	c->credentials_path = bedrock__expand_home(cred ? cred : "~/.aws/credentials");
	if (!c->profile || !c->config_path || !c->credentials_path) {
		bedrock_config_free(c);
		return BEDROCK_ENOMEM;
	}
	rc = load_file(c, &c->config, c->config_path);
	if (rc == 0)
		rc = load_file(c, &c->credentials, c->credentials_path);
	if (rc == BEDROCK_ENOMEM) {
		bedrock_config_free(c);
		return rc;
	}
	*out = c;
	return rc;
}

void bedrock_config_free(bedrock_config *c)
{
	if (!c)
		return;
	bedrock__ini_dispose(&c->config);
	bedrock__ini_dispose(&c->credentials);
	bedrock__free(c->profile);
	bedrock__free(c->config_path);
	bedrock__free(c->credentials_path);
	bedrock__free(c);
}

const char *bedrock_config_errmsg(const bedrock_config *c)
{
	return c ? c->errmsg : "";
}

const char *bedrock_config_profile(const bedrock_config *c)
{
	return c->profile;
}

const char *bedrock_config_config_file(const bedrock_config *c)
{
	return c->config_path;
}

const char *bedrock_config_credentials_file(const bedrock_config *c)
{
	return c->credentials_path;
}

int bedrock_config_insecure_credentials_file(const bedrock_config *c)
{
	struct stat st;

	return stat(c->credentials_path, &st) == 0 && (st.st_mode & (S_IRGRP | S_IROTH)) != 0;
}

const char *bedrock__config_path(const bedrock_config *c, int credentials)
{
	return credentials ? c->credentials_path : c->config_path;
}

/* The config file names a profile "[profile NAME]", except the default
 * one, which botocore also accepts as "[default]". */
static const bedrock__ini_section *config_section(const bedrock_config *c,
						  const char *profile)
{
	const bedrock__ini_section *s;
	char name[320];

	if (strlen(profile) > sizeof(name) - 9)
		return NULL;
	snprintf(name, sizeof(name), "profile %s", profile);
	s = bedrock__ini_section_get(&c->config, name);
	if (!s && !strcmp(profile, "default"))
		s = bedrock__ini_section_get(&c->config, "default");
	return s;
}

static void lower_key(char *dst, size_t cap, const char *key)
{
	size_t i;

	for (i = 0; key[i] && i + 1 < cap; i++)
		dst[i] = (char)bedrock__ascii_lower((unsigned char)key[i]);
	dst[i] = '\0';
}

const char *bedrock_config_get_profile(const bedrock_config *c, const char *profile,
				       const char *key)
{
	const bedrock__ini_entry *e;
	char k[128];

	if (!c || !profile || !key)
		return NULL;
	lower_key(k, sizeof(k), key);
	e = bedrock__ini_entry_get(bedrock__ini_section_get(&c->credentials, profile), k);
	if (!e)
		e = bedrock__ini_entry_get(config_section(c, profile), k);
	return e ? e->value : NULL;
}

const char *bedrock__config_get_in(const bedrock_config *c, int credentials,
				   const char *profile, const char *key)
{
	const bedrock__ini_entry *e;
	char k[128];

	lower_key(k, sizeof(k), key);
	e = bedrock__ini_entry_get(credentials ? bedrock__ini_section_get(&c->credentials, profile)
					       : config_section(c, profile), k);
	return e ? e->value : NULL;
}

const char *bedrock_config_get(const bedrock_config *c, const char *key)
{
	return c ? bedrock_config_get_profile(c, c->profile, key) : NULL;
}

const char *bedrock_config_get_section(const bedrock_config *c, const char *kind,
				       const char *name, const char *key,
				       const char *subkey)
{
	const bedrock__ini_entry *e;
	char section[320], k[128];
	size_t i;

	if (!c || !kind || !name || !key)
		return NULL;
	if (strlen(kind) + strlen(name) + 2 > sizeof(section))
		return NULL;
	memcpy(section, kind, strlen(kind));
	section[strlen(kind)] = ' ';
	memcpy(section + strlen(kind) + 1, name, strlen(name) + 1);
	lower_key(k, sizeof(k), key);
	e = bedrock__ini_entry_get(bedrock__ini_section_get(&c->config, section), k);
	if (!e || !subkey)
		return e ? e->value : NULL;
	lower_key(k, sizeof(k), subkey);
	for (i = 0; i < e->sub_count; i++)
		if (!strcmp(e->sub[i].key, k))
			return e->sub[i].value;
	return NULL;
}

int bedrock_config_has_profile(const bedrock_config *c, const char *profile)
{
	return bedrock__ini_section_get(&c->credentials, profile) ||
	       config_section(c, profile);
}

const char *bedrock_region_source_name(bedrock_region_source source)
{
	switch (source) {
	case BEDROCK_REGION_EXPLICIT: return "explicit";
	case BEDROCK_REGION_ENV_AWS_REGION: return "AWS_REGION";
	case BEDROCK_REGION_ENV_AWS_DEFAULT_REGION: return "AWS_DEFAULT_REGION";
	case BEDROCK_REGION_PROFILE: return "profile";
	}
	return "unknown";
}

int bedrock_config_region(const char **out, bedrock_region_source *source,
			  bedrock_config *c, const char *explicit_region)
{
	const char *r = NULL, *from = NULL;
	bedrock_region_source src = BEDROCK_REGION_EXPLICIT;

	if (!out || !c)
		return BEDROCK_EINVAL;
	*out = NULL;
	if (explicit_region && *explicit_region) {
		r = explicit_region;
		from = "the explicit region";
	} else if ((r = nonempty_env("AWS_REGION")) != NULL) {
		src = BEDROCK_REGION_ENV_AWS_REGION;
		from = "AWS_REGION";
	} else if ((r = nonempty_env("AWS_DEFAULT_REGION")) != NULL) {
		src = BEDROCK_REGION_ENV_AWS_DEFAULT_REGION;
		from = "AWS_DEFAULT_REGION";
	} else if ((r = bedrock_config_get(c, "region")) != NULL && *r) {
		src = BEDROCK_REGION_PROFILE;
		from = "the profile's region";
	} else {
		return set_error(c, BEDROCK_ECONFIG,
				 "no AWS region: pass --region REGION, set AWS_REGION, or add "
				 "'region = REGION' to the [%s%s] section of %s",
				 strcmp(c->profile, "default") ? "profile " : "", c->profile,
				 c->config_path);
	}
	if (!bedrock__dns_label_valid(r))
		return set_error(c, BEDROCK_ECONFIG,
				 "invalid region '%.64s' from %s: expected a name like us-east-1",
				 r, from);
	*out = r;
	if (source)
		*source = src;
	return 0;
}

static int truthy(const char *v)
{
	return v && (!strcmp(v, "true") || !strcmp(v, "TRUE") || !strcmp(v, "True"));
}

const char *bedrock_config_endpoint(const bedrock_config *c, const char *service)
{
	char env[96], key[64];
	const char *v, *services;
	size_t i, n = strlen(service);

	if (!c || n == 0 || n >= sizeof(key))
		return NULL;
	if (truthy(nonempty_env("AWS_IGNORE_CONFIGURED_ENDPOINT_URLS")) ||
	    truthy(bedrock_config_get(c, "ignore_configured_endpoint_urls")))
		return NULL;
	snprintf(env, sizeof(env), "AWS_ENDPOINT_URL_%s", service);
	if ((v = nonempty_env(env)) != NULL)
		return v;
	for (i = 0; i <= n; i++)
		key[i] = (char)bedrock__ascii_lower((unsigned char)service[i]);
	services = bedrock_config_get(c, "services");
	if (services && (v = bedrock_config_get_section(c, "services", services, key,
							 "endpoint_url")) != NULL && *v)
		return v;
	if ((v = nonempty_env("AWS_ENDPOINT_URL")) != NULL)
		return v;
	v = bedrock_config_get(c, "endpoint_url");
	return v && *v ? v : NULL;
}
