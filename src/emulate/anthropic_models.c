#include <stdio.h>
#include <string.h>

#include "anthropic_models.h"

static int digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return n > 0;
}

int emu_anthropic_model_id(char *out, size_t cap, const char *bedrock_id)
{
	static const char prefix[] = "anthropic.";
	const char *p, *v, *colon;
	size_t n;

	if (!out || !cap)
		return -1;
	*out = '\0';
	if (!bedrock_id || strncmp(bedrock_id, prefix, sizeof(prefix) - 1))
		return -1;
	p = bedrock_id + sizeof(prefix) - 1;
	n = strlen(p);
	/* The last "-v<digits>" (optionally ":<digits>") that ends the id. */
	v = strrchr(p, '-');
	if (v && v[1] == 'v') {
		colon = strchr(v, ':');
		if (digits(v + 2, (size_t)((colon ? colon : p + n) - (v + 2))) &&
		    (!colon || digits(colon + 1, strlen(colon + 1))))
			n = (size_t)(v - p);
	}
	if (!n || n >= cap)
		return -1;
	memcpy(out, p, n);
	out[n] = '\0';
	return 0;
}

int emu_anthropic_model_api_id(char *out, size_t cap, const bedrock_model_info *m)
{
	if (!out || !cap || !m)
		return -1;
	if (!m->anthropic_id)
		return emu_anthropic_model_id(out, cap, m->id);
	*out = '\0';
	if (strlen(m->anthropic_id) >= cap)
		return -1;
	memcpy(out, m->anthropic_id, strlen(m->anthropic_id) + 1);
	return 0;
}

int emu_anthropic_model_alias(char *out, size_t cap, const char *api_id)
{
	size_t n = strlen(api_id);
	const char *last, *suffix = "";
	char base[EMU_ANTHROPIC_MODEL_ID_MAX];

	if (!cap)
		return -1;
	*out = '\0';
	if (n < 10 || api_id[n - 9] != '-' || !digits(api_id + n - 8, 8))
		return 0;
	if (n - 9 >= sizeof(base))
		return -1;
	memcpy(base, api_id, n - 9);
	base[n - 9] = '\0';
	last = strrchr(base, '-');
	if (!strncmp(base, "claude-3", 8))
		suffix = "-latest";
	else if (last && digits(last + 1, strlen(last + 1)) && last > base &&
		 !(last[-1] >= '0' && last[-1] <= '9'))
		suffix = "-0";
	return snprintf(out, cap, "%s%s", base, suffix) < (int)cap ? 0 : -1;
}

const bedrock_model_info *emu_anthropic_model_find(char *out, size_t cap, const char *name)
{
	char id[EMU_ANTHROPIC_MODEL_ID_MAX], alias[EMU_ANTHROPIC_MODEL_ID_MAX];
	const bedrock_model_info *m;
	size_t i;

	if (out && cap)
		*out = '\0';
	if (!name)
		return NULL;
	for (i = 0; (m = bedrock_models_at(i)) != NULL; i++) {
		if (emu_anthropic_model_api_id(id, sizeof(id), m) ||
		    emu_anthropic_model_alias(alias, sizeof(alias), id))
			continue;
		if (strcmp(name, id) && (!*alias || strcmp(name, alias)))
			continue;
		if (out && cap)
			snprintf(out, cap, "%s", id);
		return m;
	}
	return NULL;
}

void emu_anthropic_model_created(char *out, size_t cap, const char *api_id)
{
	static const struct {
		const char *id, *created;
	} undated[] = {
		{ "claude-opus-4-6", "2026-02-05T00:00:00Z" },
	};
	size_t n = strlen(api_id), i;

	if (n >= 9 && api_id[n - 9] == '-' && digits(api_id + n - 8, 8)) {
		snprintf(out, cap, "%.4s-%.2s-%.2sT00:00:00Z", api_id + n - 8, api_id + n - 4,
			 api_id + n - 2);
		return;
	}
	for (i = 0; i < sizeof(undated) / sizeof(undated[0]); i++)
		if (!strcmp(api_id, undated[i].id)) {
			snprintf(out, cap, "%s", undated[i].created);
			return;
		}
	snprintf(out, cap, "2026-01-01T00:00:00Z");
}
