/* The emulator's deterministic model and renderers: the documented rules
 * (docs/emulator-model.md), determinism, stream == non-stream for both
 * APIs (decoded with the public event reader), CountTokens, and every
 * validation message. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "harness.h"

#include "bedrock/eventstream.h"
#include "base64.h"
#include "json.h"
#include "model.h"

#define V "\"anthropic_version\":\"bedrock-2023-05-31\""
#define HELLO "{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"
#define MODEL "claude-emulated-test"

static cJSON *parse(const char *s)
{
	cJSON *j = cJSON_Parse(s);

	if (!j)
		fail_msg("bad test JSON: %s", s);
	return j;
}

/* Validates (must pass) and answers. */
static cJSON *answer_seed(const char *body, unsigned long seed)
{
	cJSON *req = parse(body), *ans = NULL;
	char msg[512];

	if (emu_validate_messages(req, 0, msg, sizeof(msg)))
		fail_msg("validation failed: %s\n%s", msg, body);
	assert_int_equal(emu_model_answer(&ans, req, MODEL, seed), 0);
	cJSON_Delete(req);
	return ans;
}

static cJSON *answer(const char *body)
{
	return answer_seed(body, 0);
}

static int num(const cJSON *o, const char *k)
{
	const cJSON *v = cJSON_GetObjectItemCaseSensitive(o, k);

	return cJSON_IsNumber(v) ? v->valueint : -1;
}

static const cJSON *block(const cJSON *ans, int i)
{
	return cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(ans, "content"), i);
}

static int nblocks(const cJSON *ans)
{
	return cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(ans, "content"));
}

static const cJSON *usage(const cJSON *ans)
{
	return cJSON_GetObjectItemCaseSensitive(ans, "usage");
}

static void test_emulate_model__token_rule(void **state)
{
	(void)state;
	assert_int_equal(emu_count_text_tokens(""), 0);
	assert_int_equal(emu_count_text_tokens("Hello, world"), 3);
	assert_int_equal(emu_count_text_tokens("Hello, world!!"), 4);
	assert_int_equal(emu_count_text_tokens("  naïve café  "), 2);
	assert_int_equal(emu_count_text_tokens("a.b_c d-e"), 6);
	assert_int_equal(emu_count_text_tokens("{\"x\":1}"), 5);
}

static void test_emulate_model__hello(void **state)
{
	cJSON *ans = answer(HELLO);
	const cJSON *b = block(ans, 0);

	(void)state;
	assert_string_equal(bedrock__json_str(ans, "type"), "message");
	assert_string_equal(bedrock__json_str(ans, "role"), "assistant");
	assert_string_equal(bedrock__json_str(ans, "model"), MODEL);
	assert_int_equal(strncmp(bedrock__json_str(ans, "id"), "msg_bdrk_", 9), 0);
	assert_int_equal(strlen(bedrock__json_str(ans, "id")), 9 + 24);
	assert_int_equal(nblocks(ans), 1);
	assert_string_equal(bedrock__json_str(b, "type"), "text");
	assert_string_equal(bedrock__json_str(b, "text"), "You said: Hello, world");
	assert_string_equal(bedrock__json_str(ans, "stop_reason"), "end_turn");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(ans, "stop_sequence")));
	assert_int_equal(num(usage(ans), "input_tokens"), 3);
	assert_int_equal(num(usage(ans), "output_tokens"), 6);
	assert_null(cJSON_GetObjectItemCaseSensitive(usage(ans), "cache_read_input_tokens"));
	cJSON_Delete(ans);
}

static void test_emulate_model__determinism(void **state)
{
	const char *other = "{ \"messages\" : [ { \"content\" : \"Hello, world\" ,\n \"role\":\"user\"} ],"
			    "\"max_tokens\": 1.0e2, " V " }";
	cJSON *a = answer(HELLO), *b = answer(other), *c = answer_seed(HELLO, 7),
	      *d = answer_seed(HELLO, 7), *e = answer_seed(HELLO, 8);
	char *pa = cJSON_PrintUnformatted(a), *pb = cJSON_PrintUnformatted(b);

	(void)state;
	assert_string_equal(pa, pb);
	assert_true(cJSON_Compare(c, d, 1));
	assert_false(cJSON_Compare(a, c, 1));
	/* A seed adds a variation word and changes the ids, nothing else. */
	assert_non_null(strstr(bedrock__json_str(block(c, 0), "text"), "You said: Hello, world (variation: "));
	assert_string_not_equal(bedrock__json_str(a, "id"), bedrock__json_str(c, "id"));
	assert_string_not_equal(bedrock__json_str(c, "id"), bedrock__json_str(e, "id"));
	free(pa);
	free(pb);
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
	cJSON_Delete(e);
}

static void test_emulate_model__system_uppercase(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100,\"system\":\"Answer in UPPERCASE.\","
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"Be brief.\"}],"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");

	(void)state;
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "YOU SAID: HELLO, WORLD");
	assert_int_equal(num(usage(a), "input_tokens"), 3 + 4);
	assert_string_equal(bedrock__json_str(block(b, 0), "text"), "You said: Hello, world");
	assert_int_equal(num(usage(b), "input_tokens"), 3 + 3);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_emulate_model__max_tokens(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":2,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":6,\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");

	(void)state;
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "You said");
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "max_tokens");
	assert_int_equal(num(usage(a), "output_tokens"), 2);
	assert_string_equal(bedrock__json_str(b, "stop_reason"), "end_turn");
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_emulate_model__stop_sequences(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100,\"stop_sequences\":[\"zzz\",\"world\",\", w\"],"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":2,\"stop_sequences\":[\"world\"],"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");

	(void)state;
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "You said: Hello");
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "stop_sequence");
	assert_string_equal(bedrock__json_str(a, "stop_sequence"), ", w");
	assert_int_equal(num(usage(a), "output_tokens"), 4);
	/* max_tokens runs out before the stop sequence is reached. */
	assert_string_equal(bedrock__json_str(b, "stop_reason"), "max_tokens");
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(b, "stop_sequence")));
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- a small JSON-schema checker for tool inputs ---------------------- */

static int valid(const cJSON *v, const cJSON *s, const cJSON *root)
{
	const cJSON *t, *c;
	const char *type;

	if (!s)
		return 1;
	if (bedrock__json_str(s, "$ref")) {
		const char *ref = bedrock__json_str(s, "$ref");

		assert_int_equal(strncmp(ref, "#/$defs/", 8), 0);
		return valid(v, cJSON_GetObjectItemCaseSensitive(
			cJSON_GetObjectItemCaseSensitive(root, "$defs"), ref + 8), root);
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(s, "enum"))) {
		cJSON_ArrayForEach(c, t)
			if (cJSON_Compare(c, v, 1))
				return 1;
		return 0;
	}
	if ((t = cJSON_GetObjectItemCaseSensitive(s, "anyOf"))) {
		cJSON_ArrayForEach(c, t)
			if (valid(v, c, root))
				return 1;
		return 0;
	}
	type = bedrock__json_str(s, "type");
	if (!type)
		return 1;
	if (!strcmp(type, "object")) {
		if (!cJSON_IsObject(v))
			return 0;
		cJSON_ArrayForEach(c, cJSON_GetObjectItemCaseSensitive(s, "required"))
			if (!cJSON_GetObjectItemCaseSensitive(v, c->valuestring))
				return 0;
		cJSON_ArrayForEach(c, v) {
			const cJSON *ps = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(s, "properties"), c->string);

			if (!ps || !valid(c, ps, root))
				return 0;
		}
		return 1;
	}
	if (!strcmp(type, "array")) {
		int n = cJSON_GetArraySize(v);

		if (!cJSON_IsArray(v) || n < num(s, "minItems") ||
		    (num(s, "maxItems") >= 0 && n > num(s, "maxItems")))
			return 0;
		cJSON_ArrayForEach(c, v)
			if (!valid(c, cJSON_GetObjectItemCaseSensitive(s, "items"), root))
				return 0;
		return 1;
	}
	if (!strcmp(type, "string"))
		return cJSON_IsString(v) && (int)strlen(v->valuestring) >= num(s, "minLength") &&
		       (num(s, "maxLength") < 0 || (int)strlen(v->valuestring) <= num(s, "maxLength"));
	if (!strcmp(type, "integer") || !strcmp(type, "number")) {
		const cJSON *lo = cJSON_GetObjectItemCaseSensitive(s, "minimum");
		const cJSON *hi = cJSON_GetObjectItemCaseSensitive(s, "maximum");
		const cJSON *xhi = cJSON_GetObjectItemCaseSensitive(s, "exclusiveMaximum");

		if (!cJSON_IsNumber(v))
			return 0;
		if (!strcmp(type, "integer") && v->valuedouble != (double)(long)v->valuedouble)
			return 0;
		return (!lo || v->valuedouble >= lo->valuedouble) &&
		       (!hi || v->valuedouble <= hi->valuedouble) &&
		       (!xhi || v->valuedouble < xhi->valuedouble);
	}
	if (!strcmp(type, "boolean"))
		return cJSON_IsBool(v);
	if (!strcmp(type, "null"))
		return cJSON_IsNull(v);
	return 0;
}

#define SCHEMA \
	"{\"type\":\"object\",\"properties\":{" \
	"\"city\":{\"type\":\"string\",\"minLength\":12}," \
	"\"unit\":{\"type\":\"string\",\"enum\":[\"celsius\",\"fahrenheit\"]}," \
	"\"days\":{\"type\":\"integer\",\"minimum\":100,\"maximum\":200}," \
	"\"ratio\":{\"type\":\"number\",\"exclusiveMaximum\":1}," \
	"\"alerts\":{\"type\":\"boolean\"}," \
	"\"tags\":{\"type\":\"array\",\"items\":{\"type\":\"string\",\"maxLength\":3},\"minItems\":2}," \
	"\"where\":{\"$ref\":\"#/$defs/Place\"}," \
	"\"maybe\":{\"anyOf\":[{\"type\":\"null\"},{\"type\":\"integer\"}]}," \
	"\"optional\":{\"type\":\"string\"}}," \
	"\"required\":[\"city\",\"unit\",\"days\",\"ratio\",\"alerts\",\"tags\",\"where\",\"maybe\"]," \
	"\"$defs\":{\"Place\":{\"type\":\"object\",\"properties\":{\"lat\":{\"type\":\"number\"}," \
	"\"grid\":{\"type\":\"array\",\"items\":{\"type\":\"array\",\"items\":{\"type\":\"integer\"}}}}," \
	"\"required\":[\"lat\",\"grid\"]}}}"
#define TOOLS "\"tools\":[{\"name\":\"lookup\",\"description\":\"Look up\",\"input_schema\":{\"type\":\"object\"}}," \
	"{\"name\":\"get_weather\",\"description\":\"Weather\",\"input_schema\":" SCHEMA "}]"

static void check_tool_use(const cJSON *b, const char *name)
{
	cJSON *schema = parse(SCHEMA);

	assert_string_equal(bedrock__json_str(b, "type"), "tool_use");
	assert_string_equal(bedrock__json_str(b, "name"), name);
	assert_int_equal(strncmp(bedrock__json_str(b, "id"), "toolu_bdrk_", 11), 0);
	if (!strcmp(name, "get_weather"))
		assert_true(valid(cJSON_GetObjectItemCaseSensitive(b, "input"), schema, schema));
	else
		assert_true(cJSON_IsObject(cJSON_GetObjectItemCaseSensitive(b, "input")));
	cJSON_Delete(schema);
}

static void test_emulate_model__tool_use(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100," TOOLS ",\"messages\":[{\"role\":\"user\","
			  "\"content\":[{\"type\":\"text\",\"text\":\"What does get_weather say?\"}]}]}");

	(void)state;
	assert_int_equal(nblocks(a), 2);
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "Calling the get_weather tool.");
	check_tool_use(block(a, 1), "get_weather");
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "tool_use");
	/* output = text tokens + name + canonical input JSON tokens */
	assert_true(num(usage(a), "output_tokens") > 6);
	cJSON_Delete(a);
}

/* docs/emulator-model.md: the text is `Calling the NAME tool.` whatever
 * the name's length (a server tool's name has no 128-byte limit). */
static void test_emulate_model__long_tool_name(void **state)
{
	char name[301], body[1024], want[340];
	cJSON *a;

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	snprintf(body, sizeof(body), "{" V ",\"max_tokens\":1000,\"tools\":[{\"type\":"
		 "\"web_search_20250305\",\"name\":\"%s\"}],\"messages\":[{\"role\":\"user\","
		 "\"content\":\"Use %s\"}]}", name, name);
	a = answer(body);
	snprintf(want, sizeof(want), "Calling the %s tool.", name);
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), want);
	cJSON_Delete(a);
}

static void test_emulate_model__tool_choice(void **state)
{
	const char *msgs = ",\"messages\":[{\"role\":\"user\",\"content\":\"Hi there\"}]}";
	char body[4096];
	cJSON *a;

	(void)state;
	snprintf(body, sizeof(body), "{" V ",\"max_tokens\":100," TOOLS ",\"tool_choice\":{\"type\":\"any\"}%s", msgs);
	a = answer(body);
	assert_int_equal(nblocks(a), 1);	/* forced: no text before the call */
	check_tool_use(block(a, 0), "lookup");
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "tool_use");
	cJSON_Delete(a);

	snprintf(body, sizeof(body), "{" V ",\"max_tokens\":100," TOOLS
		 ",\"tool_choice\":{\"type\":\"tool\",\"name\":\"get_weather\"}%s", msgs);
	a = answer(body);
	assert_int_equal(nblocks(a), 1);
	check_tool_use(block(a, 0), "get_weather");
	cJSON_Delete(a);

	/* No mention, auto: plain text. none: never a call. */
	snprintf(body, sizeof(body), "{" V ",\"max_tokens\":100," TOOLS "%s", msgs);
	a = answer(body);
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "end_turn");
	cJSON_Delete(a);
	a = answer("{" V ",\"max_tokens\":100," TOOLS ",\"tool_choice\":{\"type\":\"none\"},"
		   "\"messages\":[{\"role\":\"user\",\"content\":\"use lookup\"}]}");
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "You said: use lookup");
	cJSON_Delete(a);
	/* A tool call cut by max_tokens is dropped. */
	a = answer("{" V ",\"max_tokens\":5," TOOLS ",\"messages\":[{\"role\":\"user\",\"content\":\"get_weather\"}]}");
	assert_int_equal(nblocks(a), 1);
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "max_tokens");
	cJSON_Delete(a);
}

static void test_emulate_model__tool_result(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100," TOOLS ",\"messages\":["
		"{\"role\":\"user\",\"content\":\"call lookup\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"toolu_1\",\"name\":\"lookup\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"toolu_1\","
		"\"content\":[{\"type\":\"text\",\"text\":\"18 degrees\"}]}]}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":100,\"messages\":["
		"{\"role\":\"user\",\"content\":\"x\"},"
		"{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"t2\",\"name\":\"f\",\"input\":{}}]},"
		"{\"role\":\"user\",\"content\":[{\"type\":\"tool_result\",\"tool_use_id\":\"t2\",\"is_error\":true,"
		"\"content\":\"boom\"},{\"type\":\"text\",\"text\":\"sorry\"}]}]}");

	(void)state;
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "The lookup tool returned: 18 degrees");
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "end_turn");
	assert_string_equal(bedrock__json_str(block(b, 0), "text"), "The f tool reported an error: boom You said: sorry");
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void check_thinking(const cJSON *a)
{
	const cJSON *t = block(a, 0);
	uint8_t *raw;
	size_t n;

	assert_string_equal(bedrock__json_str(t, "type"), "thinking");
	assert_string_equal(bedrock__json_str(t, "thinking"),
			    "The last user message has 3 tokens. I will restate it.");
	raw = harness_base64_decode(bedrock__json_str(t, "signature"), &n);
	assert_non_null(raw);
	assert_int_equal(n, 48);
	free(raw);
	assert_string_equal(bedrock__json_str(block(a, 1), "text"), "You said: Hello, world");
}

static void test_emulate_model__thinking(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"adaptive\"},"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *c = answer("{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"adaptive\"},\"messages\":["
			  "{\"role\":\"user\",\"content\":\"Hi\"},"
			  "{\"role\":\"assistant\",\"content\":[{\"type\":\"redacted_thinking\",\"data\":\"abc\"},"
			  "{\"type\":\"thinking\",\"thinking\":\"hmm\",\"signature\":\"c2ln\"},"
			  "{\"type\":\"text\",\"text\":\"Hello\"}]},"
			  "{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *d = answer("{" V ",\"max_tokens\":3,\"thinking\":{\"type\":\"adaptive\"},"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");

	(void)state;
	check_thinking(a);
	check_thinking(b);
	check_thinking(c);
	/* Thinking output counts; the budget running out while thinking ends
	 * the turn there. */
	assert_int_equal(num(usage(a), "output_tokens"), 13 + 6);
	assert_int_equal(nblocks(d), 1);
	assert_string_equal(bedrock__json_str(block(d, 0), "thinking"), "The last user");
	assert_string_equal(bedrock__json_str(d, "stop_reason"), "max_tokens");
	cJSON_Delete(a);
	cJSON_Delete(b);
	cJSON_Delete(c);
	cJSON_Delete(d);
}

#define DOC_TEXT "{\"type\":\"document\",\"title\":\"Facts\",\"citations\":{\"enabled\":true}," \
	"\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"  Grass is gr\\u00e9en. Sky is blue.\"}}"
#define DOC_PDF "{\"type\":\"document\",\"citations\":{\"enabled\":true}," \
	"\"source\":{\"type\":\"base64\",\"media_type\":\"application/pdf\",\"data\":\"JVBERi0xLjQK\"}}"

static void test_emulate_model__citations(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
			  "{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/plain\",\"data\":\"x\"}},"
			  DOC_TEXT "," DOC_PDF ",{\"type\":\"text\",\"text\":\"Summarise\"}]}]}");
	const cJSON *b = block(a, 0), *cites = cJSON_GetObjectItemCaseSensitive(b, "citations");
	const cJSON *c0 = cJSON_GetArrayItem(cites, 0), *c1 = cJSON_GetArrayItem(cites, 1);

	(void)state;
	assert_string_equal(bedrock__json_str(b, "text"),
		"You said: Summarise You sent 3 documents. The document says: Grass is gr\xc3\xa9" "en. "
		"See page 1 of the document.");
	assert_int_equal(cJSON_GetArraySize(cites), 2);
	assert_string_equal(bedrock__json_str(c0, "type"), "char_location");
	assert_string_equal(bedrock__json_str(c0, "cited_text"), "Grass is gr\xc3\xa9" "en.");
	assert_int_equal(num(c0, "document_index"), 1);
	assert_string_equal(bedrock__json_str(c0, "document_title"), "Facts");
	assert_int_equal(num(c0, "start_char_index"), 2);
	assert_int_equal(num(c0, "end_char_index"), 2 + 15);
	assert_string_equal(bedrock__json_str(c1, "type"), "page_location");
	assert_int_equal(num(c1, "document_index"), 2);
	assert_true(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(c1, "document_title")));
	assert_int_equal(num(c1, "start_page_number"), 1);
	assert_int_equal(num(c1, "end_page_number"), 2);
	cJSON_Delete(a);
}

static void test_emulate_model__images(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
			  "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"iVBORw0KGgo=\"}},"
			  "{\"type\":\"text\",\"text\":\"What is this?\"}]}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":["
			  "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/gif\",\"data\":\"R0lG\"}},"
			  "{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/webp\",\"data\":\"UklG\"}}]}]}");

	(void)state;
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "You said: What is this? You sent an image.");
	assert_int_equal(num(usage(a), "input_tokens"), 4 + 1);
	assert_string_equal(bedrock__json_str(block(b, 0), "text"), "You sent no text. You sent 2 images.");
	cJSON_Delete(a);
	cJSON_Delete(b);
}

static void test_emulate_model__cache(void **state)
{
	cJSON *a = answer("{" V ",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"Be very brief.\","
			  "\"cache_control\":{\"type\":\"ephemeral\"}}],"
			  "\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}");
	cJSON *b = answer("{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":\"Hi\"},"
			  "{\"role\":\"assistant\",\"content\":\"Hello\"},{\"role\":\"user\",\"content\":["
			  "{\"type\":\"text\",\"text\":\"Hello, world\",\"cache_control\":{\"type\":\"ephemeral\",\"ttl\":\"1h\"}},"
			  "{\"type\":\"text\",\"text\":\"more\"}]}]}");
	const cJSON *u = usage(a);
	serve_response r;
	size_t i;
	int seen = 0;

	(void)state;
	assert_int_equal(num(u, "input_tokens"), 3);
	assert_int_equal(num(u, "cache_creation_input_tokens"), 4);
	assert_int_equal(num(u, "cache_read_input_tokens"), 0);
	assert_int_equal(num(cJSON_GetObjectItemCaseSensitive(u, "cache_creation"), "ephemeral_5m_input_tokens"), 4);
	u = usage(b);
	assert_int_equal(num(u, "input_tokens"), 1);
	assert_int_equal(num(u, "cache_creation_input_tokens"), 0);
	assert_int_equal(num(u, "cache_read_input_tokens"), 5);
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_invoke(&r, b, "rid"), 0);
	for (i = 0; i < r.header_count; i++) {
		if (!strcmp(r.headers[i].name, "X-Amzn-Bedrock-Cache-Read-Input-Token-Count")) {
			assert_string_equal(r.headers[i].value, "5");
			seen++;
		}
		if (!strcmp(r.headers[i].name, "X-Amzn-Bedrock-Input-Token-Count")) {
			assert_string_equal(r.headers[i].value, "1");
			seen++;
		}
	}
	assert_int_equal(seen, 2);
	serve_response_dispose(&r);
	cJSON_Delete(a);
	cJSON_Delete(b);
}

/* ---- renderers and streams -------------------------------------------- */

static const char *header(const serve_response *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->header_count; i++)
		if (!strcmp(r->headers[i].name, name))
			return r->headers[i].value;
	return NULL;
}

static void test_emulate_model__render_invoke(void **state)
{
	cJSON *a = answer(HELLO), *body;
	serve_response r;

	(void)state;
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_invoke(&r, a, "req-1"), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.streaming, 0);
	assert_string_equal(header(&r, "Content-Type"), "application/json");
	assert_string_equal(header(&r, "X-Amzn-Bedrock-Input-Token-Count"), "3");
	assert_string_equal(header(&r, "X-Amzn-Bedrock-Output-Token-Count"), "6");
	assert_string_equal(header(&r, "X-Amzn-Bedrock-Invocation-Latency"), "160");
	assert_string_equal(header(&r, "x-amzn-RequestId"), "req-1");
	assert_int_equal(r.piece_count, 1);
	body = cJSON_ParseWithLength((const char *)r.pieces[0].data, r.pieces[0].len);
	assert_true(cJSON_Compare(body, a, 1));
	cJSON_Delete(body);
	serve_response_dispose(&r);

	serve_response_init(&r, 500);
	assert_int_equal(emu_render_count_tokens(&r, 42, "req-2"), 0);
	assert_int_equal(r.piece_count, 1);
	assert_memory_equal(r.pieces[0].data, "{\"inputTokens\":42}", r.pieces[0].len);
	serve_response_dispose(&r);
	cJSON_Delete(a);
}

/* Feeds every piece to the public event reader; calls fn per event. */
typedef void (*event_fn)(const bedrock_event *ev, void *ctx);

static void decode(const serve_response *r, event_fn fn, void *ctx)
{
	bedrock_event_reader *rd;
	bedrock_event ev;
	size_t i;

	assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
	for (i = 0; i < r->piece_count; i++) {
		assert_int_equal(r->pieces[i].delay_ms, 0);
		assert_int_equal(bedrock_event_reader_feed(rd, r->pieces[i].data, r->pieces[i].len), 0);
		/* One frame per piece: exactly one event each. */
		assert_int_equal(bedrock_event_reader_next(&ev, rd), 0);
		assert_non_null(bedrock_es_message_header(ev.message, ":content-type"));
		fn(&ev, ctx);
		assert_int_equal(bedrock_event_reader_next(&ev, rd), BEDROCK_EAGAIN);
	}
	assert_int_equal(bedrock_event_reader_finish(rd), 0);
	bedrock_event_reader_free(rd);
}

/* Rebuilds the Messages response from InvokeModel stream events. */
typedef struct {
	cJSON *msg;
	char *json[16];		/* input_json_delta text per block */
	int events, stops, last_was_stop;
	const char *order[256];
	size_t norder;
} invoke_rebuild;

static char *append(char *s, const char *add)
{
	size_t a = s ? strlen(s) : 0, b = strlen(add);
	char *p = realloc(s, a + b + 1);

	assert_non_null(p);
	memcpy(p + a, add, b + 1);
	return p;
}

static void note_order(invoke_rebuild *rb, const char *type)
{
	if (rb->norder && !strcmp(rb->order[rb->norder - 1], type))
		return;
	if (rb->norder < 256)
		rb->order[rb->norder++] = !strcmp(type, "message_start") ? "message_start"
			: !strcmp(type, "content_block_start") ? "content_block_start"
			: !strcmp(type, "content_block_delta") ? "content_block_delta"
			: !strcmp(type, "content_block_stop") ? "content_block_stop"
			: !strcmp(type, "message_delta") ? "message_delta"
			: !strcmp(type, "message_stop") ? "message_stop" : "other";
}

static void on_invoke_event(const bedrock_event *ev, void *ctx)
{
	invoke_rebuild *rb = ctx;
	cJSON *e = cJSON_ParseWithLength(ev->json, ev->json_len), *content;
	const char *type = bedrock__json_str(e, "type");
	cJSON *payload = cJSON_ParseWithLength((const char *)ev->message->payload,
					       ev->message->payload_len);
	int index = num(e, "index");

	assert_non_null(e);
	assert_string_equal(ev->event_type, "chunk");
	/* Bedrock's padding rides next to "bytes". */
	assert_non_null(bedrock__json_str(payload, "p"));
	cJSON_Delete(payload);
	assert_true(rb->stops == 0);
	note_order(rb, type);
	rb->events++;
	content = rb->msg ? cJSON_GetObjectItemCaseSensitive(rb->msg, "content") : NULL;
	if (!strcmp(type, "message_start")) {
		assert_null(rb->msg);
		rb->msg = cJSON_DetachItemFromObjectCaseSensitive(e, "message");
		assert_int_equal(cJSON_GetArraySize(cJSON_GetObjectItemCaseSensitive(rb->msg, "content")), 0);
	} else if (!strcmp(type, "content_block_start")) {
		assert_int_equal(index, cJSON_GetArraySize(content));
		cJSON_AddItemToArray(content, cJSON_DetachItemFromObjectCaseSensitive(e, "content_block"));
	} else if (!strcmp(type, "content_block_delta")) {
		cJSON *b = cJSON_GetArrayItem(content, index), *d = cJSON_GetObjectItemCaseSensitive(e, "delta");
		const char *dt = bedrock__json_str(d, "type");
		const char *key = !strcmp(dt, "text_delta") ? "text" : !strcmp(dt, "thinking_delta") ? "thinking"
				  : !strcmp(dt, "signature_delta") ? "signature" : NULL;

		assert_non_null(b);
		if (key) {
			char *s = append(strdup(bedrock__json_str(b, key)), bedrock__json_str(d, key));

			cJSON_ReplaceItemInObjectCaseSensitive(b, key, cJSON_CreateString(s));
			free(s);
		} else if (!strcmp(dt, "input_json_delta")) {
			rb->json[index] = append(rb->json[index], bedrock__json_str(d, "partial_json"));
		} else {
			assert_string_equal(dt, "citations_delta");
			if (!cJSON_GetObjectItemCaseSensitive(b, "citations"))
				cJSON_AddArrayToObject(b, "citations");
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(b, "citations"),
					     cJSON_DetachItemFromObjectCaseSensitive(d, "citation"));
		}
	} else if (!strcmp(type, "content_block_stop")) {
		cJSON *b = cJSON_GetArrayItem(content, index);

		if (rb->json[index]) {
			cJSON_ReplaceItemInObjectCaseSensitive(b, "input", cJSON_Parse(rb->json[index]));
			free(rb->json[index]);
			rb->json[index] = NULL;
		}
	} else if (!strcmp(type, "message_delta")) {
		cJSON *d = cJSON_GetObjectItemCaseSensitive(e, "delta");

		cJSON_ReplaceItemInObjectCaseSensitive(rb->msg, "stop_reason",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "stop_reason"), 1));
		cJSON_ReplaceItemInObjectCaseSensitive(rb->msg, "stop_sequence",
			cJSON_Duplicate(cJSON_GetObjectItemCaseSensitive(d, "stop_sequence"), 1));
		cJSON_ReplaceItemInObjectCaseSensitive(cJSON_GetObjectItemCaseSensitive(rb->msg, "usage"),
			"output_tokens", cJSON_CreateNumber(num(cJSON_GetObjectItemCaseSensitive(e, "usage"), "output_tokens")));
	} else if (!strcmp(type, "message_stop")) {
		const cJSON *m = cJSON_GetObjectItemCaseSensitive(e, "amazon-bedrock-invocationMetrics");
		const cJSON *u = cJSON_GetObjectItemCaseSensitive(rb->msg, "usage");

		assert_int_equal(num(m, "inputTokenCount"), num(u, "input_tokens"));
		assert_int_equal(num(m, "outputTokenCount"), num(u, "output_tokens"));
		assert_true(num(m, "invocationLatency") >= num(m, "firstByteLatency"));
		assert_true(num(m, "firstByteLatency") > 0);
		rb->stops++;
	} else {
		fail_msg("unexpected event %s", type);
	}
	cJSON_Delete(e);
}

static void check_invoke_stream(const cJSON *a)
{
	static const char *const order[] = { "message_start", "content_block_start",
		"content_block_delta", "content_block_stop" };
	invoke_rebuild rb;
	serve_response r;
	size_t i;

	memset(&rb, 0, sizeof(rb));
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_invoke_stream(&r, a, "rid"), 0);
	assert_int_equal(r.status, 200);
	assert_int_equal(r.streaming, 1);
	assert_string_equal(header(&r, "Content-Type"), "application/vnd.amazon.eventstream");
	assert_string_equal(header(&r, "X-Amzn-Bedrock-Content-Type"), "application/json");
	decode(&r, on_invoke_event, &rb);
	assert_int_equal(rb.stops, 1);
	for (i = 0; i < 4; i++)
		assert_string_equal(rb.order[i], order[i]);
	assert_string_equal(rb.order[rb.norder - 2], "message_delta");
	assert_string_equal(rb.order[rb.norder - 1], "message_stop");
	if (!cJSON_Compare(rb.msg, a, 1)) {
		char *x = cJSON_Print(rb.msg), *y = cJSON_Print(a);

		fail_msg("stream != non-stream:\n%s\n%s", x, y);
	}
	cJSON_Delete(rb.msg);
	serve_response_dispose(&r);
}

#define STREAM_CASES \
	HELLO, \
	"{" V ",\"max_tokens\":100," TOOLS ",\"messages\":[{\"role\":\"user\",\"content\":\"get_weather please\"}]}", \
	"{" V ",\"max_tokens\":100," TOOLS ",\"tool_choice\":{\"type\":\"any\"},\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}", \
	"{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024},\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}", \
	"{" V ",\"max_tokens\":100,\"messages\":[{\"role\":\"user\",\"content\":[" DOC_TEXT "," DOC_PDF ",{\"type\":\"text\",\"text\":\"Cite \\u00fcber caf\\u00e9\\n\\ttabs  \"}]}]}", \
	"{" V ",\"max_tokens\":100,\"stop_sequences\":[\"world\"],\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}", \
	"{" V ",\"max_tokens\":100,\"system\":[{\"type\":\"text\",\"text\":\"s\",\"cache_control\":{\"type\":\"ephemeral\"}}],\"messages\":[{\"role\":\"user\",\"content\":\"Hello, world\"}]}"

static void test_emulate_model__invoke_stream_equals_invoke(void **state)
{
	static const char *const cases[] = { STREAM_CASES };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cJSON *a = answer_seed(cases[i], i);

		check_invoke_stream(a);
		cJSON_Delete(a);
	}
}

/* ---- Converse --------------------------------------------------------- */

static cJSON *converse_answer(const char *body, unsigned long seed)
{
	cJSON *c = parse(body), *m = NULL, *a = NULL;
	char msg[512];

	if (emu_converse_to_messages(&m, c, msg, sizeof(msg)))
		fail_msg("converse_to_messages: %s", msg);
	if (emu_validate_messages(m, 0, msg, sizeof(msg)))
		fail_msg("converted body invalid: %s", msg);
	assert_int_equal(emu_model_answer(&a, m, MODEL, seed), 0);
	cJSON_Delete(c);
	cJSON_Delete(m);
	return a;
}

typedef struct {
	cJSON *resp, *content;
	char *input[16];
	int started, stopped, metadata;
} converse_rebuild;

static void on_converse_event(const bedrock_event *ev, void *ctx)
{
	converse_rebuild *rb = ctx;
	cJSON *p = cJSON_ParseWithLength(ev->json, ev->json_len), *b, *d;
	int index = num(p, "contentBlockIndex");

	assert_non_null(p);
	assert_non_null(bedrock__json_str(p, "p"));
	assert_int_equal(rb->metadata, 0);
	if (!strcmp(ev->event_type, "messageStart")) {
		assert_string_equal(bedrock__json_str(p, "role"), "assistant");
		rb->started++;
	} else if (!strcmp(ev->event_type, "contentBlockStart")) {
		cJSON *tu = cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(p, "start"), "toolUse");

		assert_int_equal(index, cJSON_GetArraySize(rb->content));
		b = cJSON_CreateObject();
		cJSON_AddItemToObject(b, "toolUse", cJSON_Duplicate(tu, 1));
		cJSON_AddItemToArray(rb->content, b);
	} else if (!strcmp(ev->event_type, "contentBlockDelta")) {
		d = cJSON_GetObjectItemCaseSensitive(p, "delta");
		b = cJSON_GetArrayItem(rb->content, index);
		if (!b) {
			assert_int_equal(index, cJSON_GetArraySize(rb->content));
			b = cJSON_CreateObject();
			cJSON_AddItemToArray(rb->content, b);
		}
		if (bedrock__json_str(d, "text")) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "citationsContent");
			cJSON *holder = t ? cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(t, "content"), 0) : b;
			char *s = append(strdup(bedrock__json_str(holder, "text") ? bedrock__json_str(holder, "text") : ""), bedrock__json_str(d, "text"));

			assert_non_null(ev->text);
			assert_memory_equal(ev->text, bedrock__json_str(d, "text"), ev->text_len);
			cJSON_DeleteItemFromObjectCaseSensitive(holder, "text");
			cJSON_AddStringToObject(holder, "text", s);
			free(s);
		} else if (cJSON_GetObjectItemCaseSensitive(d, "citation")) {
			cJSON *t = cJSON_GetObjectItemCaseSensitive(b, "citationsContent");

			if (!t) {
				t = cJSON_AddObjectToObject(b, "citationsContent");
				cJSON_AddItemToArray(cJSON_AddArrayToObject(t, "content"), cJSON_CreateObject());
				cJSON_AddArrayToObject(t, "citations");
			}
			cJSON_AddItemToArray(cJSON_GetObjectItemCaseSensitive(t, "citations"),
					     cJSON_DetachItemFromObjectCaseSensitive(d, "citation"));
		} else if (cJSON_GetObjectItemCaseSensitive(d, "reasoningContent")) {
			cJSON *rc = cJSON_GetObjectItemCaseSensitive(d, "reasoningContent");
			cJSON *rt = cJSON_GetObjectItemCaseSensitive(
				cJSON_GetObjectItemCaseSensitive(b, "reasoningContent"), "reasoningText");

			if (!rt) {
				rt = cJSON_AddObjectToObject(cJSON_AddObjectToObject(b, "reasoningContent"), "reasoningText");
				cJSON_AddStringToObject(rt, "text", "");
			}
			if (bedrock__json_str(rc, "text")) {
				char *s = append(strdup(bedrock__json_str(rt, "text")), bedrock__json_str(rc, "text"));

				cJSON_ReplaceItemInObjectCaseSensitive(rt, "text", cJSON_CreateString(s));
				free(s);
			} else {
				assert_null(cJSON_GetObjectItemCaseSensitive(rt, "signature"));
				cJSON_AddStringToObject(rt, "signature", bedrock__json_str(rc, "signature"));
			}
		} else {
			const char *in = bedrock__json_str(cJSON_GetObjectItemCaseSensitive(d, "toolUse"), "input");

			assert_non_null(in);
			rb->input[index] = append(rb->input[index], in);
		}
	} else if (!strcmp(ev->event_type, "contentBlockStop")) {
		b = cJSON_GetArrayItem(rb->content, index);
		if (rb->input[index]) {
			cJSON_AddItemToObject(cJSON_GetObjectItemCaseSensitive(b, "toolUse"), "input",
					      cJSON_Parse(rb->input[index]));
			free(rb->input[index]);
			rb->input[index] = NULL;
		}
	} else if (!strcmp(ev->event_type, "messageStop")) {
		cJSON_AddStringToObject(rb->resp, "stopReason", bedrock__json_str(p, "stopReason"));
		rb->stopped++;
	} else if (!strcmp(ev->event_type, "metadata")) {
		assert_int_equal(rb->stopped, 1);
		cJSON_AddItemToObject(rb->resp, "usage", cJSON_DetachItemFromObjectCaseSensitive(p, "usage"));
		cJSON_AddItemToObject(rb->resp, "metrics", cJSON_DetachItemFromObjectCaseSensitive(p, "metrics"));
		rb->metadata++;
	} else {
		fail_msg("unexpected %s", ev->event_type);
	}
	cJSON_Delete(p);
}

static void check_converse_stream(const cJSON *a)
{
	converse_rebuild rb;
	serve_response r;
	cJSON *expect, *msg;

	memset(&rb, 0, sizeof(rb));
	rb.resp = cJSON_CreateObject();
	msg = cJSON_AddObjectToObject(cJSON_AddObjectToObject(rb.resp, "output"), "message");
	rb.content = cJSON_AddArrayToObject(msg, "content");
	cJSON_AddStringToObject(msg, "role", "assistant");
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_converse_stream(&r, a, "rid"), 0);
	assert_int_equal(r.streaming, 1);
	assert_string_equal(header(&r, "Content-Type"), "application/vnd.amazon.eventstream");
	decode(&r, on_converse_event, &rb);
	assert_int_equal(rb.started, 1);
	assert_int_equal(rb.metadata, 1);
	assert_int_equal(emu_answer_to_converse(&expect, a), 0);
	if (!cJSON_Compare(rb.resp, expect, 1)) {
		char *x = cJSON_Print(rb.resp), *y = cJSON_Print(expect);

		fail_msg("converse stream != converse:\n%s\n%s", x, y);
	}
	cJSON_Delete(expect);
	cJSON_Delete(rb.resp);
	serve_response_dispose(&r);
}

#define CV_HELLO "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, world\"}]}]," \
	"\"inferenceConfig\":{\"maxTokens\":100}}"
#define CV_TOOLS "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Use get_weather\"}]}]," \
	"\"system\":[{\"text\":\"Be brief.\"},{\"cachePoint\":{\"type\":\"default\"}}]," \
	"\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"get_weather\",\"description\":\"Weather\"," \
	"\"inputSchema\":{\"json\":" SCHEMA "}}}]}}"
#define CV_THINK "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"Hello, world\"}]}]," \
	"\"additionalModelRequestFields\":{\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}}}"
#define CV_DOCS "{\"messages\":[{\"role\":\"user\",\"content\":[" \
	"{\"document\":{\"format\":\"txt\",\"name\":\"Facts\",\"source\":{\"bytes\":\"R3Jhc3MgaXMgZ3JlZW4uIFNreS4=\"}," \
	"\"citations\":{\"enabled\":true}}}," \
	"{\"document\":{\"format\":\"pdf\",\"name\":\"Paper\",\"source\":{\"bytes\":\"JVBERi0xLjQK\"},\"citations\":{\"enabled\":true}}}," \
	"{\"document\":{\"format\":\"md\",\"name\":\"Notes\",\"source\":{\"content\":[{\"text\":\"First. Second.\"}]},\"citations\":{\"enabled\":true}}}," \
	"{\"image\":{\"format\":\"png\",\"source\":{\"bytes\":\"iVBORw0KGgo=\"}}}," \
	"{\"text\":\"Summarise\"}]}],\"inferenceConfig\":{\"stopSequences\":[\"Second\"]}}"
#define CV_HISTORY "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"call lookup\"}]}," \
	"{\"role\":\"assistant\",\"content\":[{\"reasoningContent\":{\"redactedContent\":\"YWJj\"}}," \
	"{\"toolUse\":{\"toolUseId\":\"tooluse_1\",\"name\":\"lookup\",\"input\":{\"q\":1}}}]}," \
	"{\"role\":\"user\",\"content\":[{\"toolResult\":{\"toolUseId\":\"tooluse_1\",\"content\":[{\"json\":{\"b\":2,\"a\":1}}]}}]}]," \
	"\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"lookup\",\"inputSchema\":{\"json\":{\"type\":\"object\"}}}}],\"toolChoice\":{\"auto\":{}}}}"

static void test_emulate_model__converse(void **state)
{
	cJSON *a = converse_answer(CV_HELLO, 0), *m = answer(HELLO), *r;
	serve_response resp;
	const cJSON *u;

	(void)state;
	/* Same meaning, same answer as InvokeModel (ids hash the Messages form). */
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), bedrock__json_str(block(m, 0), "text"));
	assert_true(cJSON_Compare(usage(a), usage(m), 1));
	serve_response_init(&resp, 500);
	assert_int_equal(emu_render_converse(&resp, a, "rid"), 0);
	assert_string_equal(header(&resp, "Content-Type"), "application/json");
	r = cJSON_ParseWithLength((const char *)resp.pieces[0].data, resp.pieces[0].len);
	assert_string_equal(bedrock__json_str(r, "stopReason"), "end_turn");
	assert_string_equal(bedrock__json_str(cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(cJSON_GetObjectItemCaseSensitive(
		cJSON_GetObjectItemCaseSensitive(r, "output"), "message"), "content"), 0), "text"),
		"You said: Hello, world");
	u = cJSON_GetObjectItemCaseSensitive(r, "usage");
	assert_int_equal(num(u, "inputTokens"), 3);
	assert_int_equal(num(u, "outputTokens"), 6);
	assert_int_equal(num(u, "totalTokens"), 9);
	assert_int_equal(num(cJSON_GetObjectItemCaseSensitive(r, "metrics"), "latencyMs"), 160);
	cJSON_Delete(r);
	serve_response_dispose(&resp);
	cJSON_Delete(a);
	cJSON_Delete(m);

	/* History: tool results (json rendered canonically), redacted reasoning. */
	a = converse_answer(CV_HISTORY, 0);
	assert_string_equal(bedrock__json_str(block(a, 0), "text"), "The lookup tool returned: {\"a\":1,\"b\":2}");
	cJSON_Delete(a);
	/* Default maxTokens, cachePoint -> cache_control, citations. */
	a = converse_answer(CV_TOOLS, 0);
	assert_string_equal(bedrock__json_str(a, "stop_reason"), "tool_use");
	/* The cachePoint after the system prompt caches tools + system. */
	assert_int_equal(num(usage(a), "input_tokens"), 2);
	assert_true(num(usage(a), "cache_creation_input_tokens") > 3);
	cJSON_Delete(a);
}

static void test_emulate_model__converse_stream_equals_converse(void **state)
{
	static const char *const cases[] = { CV_HELLO, CV_TOOLS, CV_THINK, CV_DOCS, CV_HISTORY };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		cJSON *a = converse_answer(cases[i], i);

		check_converse_stream(a);
		check_invoke_stream(a);
		cJSON_Delete(a);
	}
}

static void test_emulate_model__count_tokens(void **state)
{
	static const char *const bodies[] = { HELLO, STREAM_CASES };
	static const char *const conv[] = { CV_HELLO, CV_TOOLS, CV_THINK, CV_DOCS, CV_HISTORY };
	char msg[512];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		char *b64 = NULL, *ct;
		cJSON *a = answer(bodies[i]), *req = parse(bodies[i]), *ctb;
		unsigned n = 0;
		const cJSON *u = usage(a);
		size_t len = strlen(bodies[i]);
		int expect = num(u, "input_tokens") + (num(u, "cache_read_input_tokens") > 0 ? num(u, "cache_read_input_tokens") : 0)
			     + (num(u, "cache_creation_input_tokens") > 0 ? num(u, "cache_creation_input_tokens") : 0);

		/* The shared encoder (test_util_base64 checks it against RFC 4648). */
		b64 = malloc(bedrock__base64_encoded_len(len) + 1);
		assert_non_null(b64);
		bedrock__base64_encode(b64, bodies[i], len);
		ct = malloc(strlen(b64) + 64);
		sprintf(ct, "{\"input\":{\"invokeModel\":{\"body\":\"%s\"}}}", b64);
		ctb = parse(ct);
		assert_int_equal(emu_count_tokens_request(&n, ctb, 0, msg, sizeof(msg)), 0);
		assert_int_equal(n, expect);
		assert_int_equal(n, emu_count_tokens(req));
		if (!cJSON_GetObjectItemCaseSensitive(u, "cache_read_input_tokens"))
			assert_int_equal(n, num(u, "input_tokens"));
		free(b64);
		free(ct);
		cJSON_Delete(ctb);
		cJSON_Delete(req);
		cJSON_Delete(a);
	}
	for (i = 0; i < sizeof(conv) / sizeof(*conv); i++) {
		cJSON *a = converse_answer(conv[i], 0), *c = parse(conv[i]), *ctb = cJSON_CreateObject();
		unsigned n = 0;
		const cJSON *u = usage(a);

		cJSON_DeleteItemFromObjectCaseSensitive(c, "inferenceConfig");
		cJSON_AddItemToObject(cJSON_AddObjectToObject(ctb, "input"), "converse", c);
		assert_int_equal(emu_count_tokens_request(&n, ctb, 0, msg, sizeof(msg)), 0);
		assert_int_equal(n, num(u, "input_tokens") + (num(u, "cache_read_input_tokens") > 0 ? num(u, "cache_read_input_tokens") : 0)
			     + (num(u, "cache_creation_input_tokens") > 0 ? num(u, "cache_creation_input_tokens") : 0));
		cJSON_Delete(ctb);
		cJSON_Delete(a);
	}
	{
		cJSON *bad = parse("{\"input\":{\"invokeModel\":{\"body\":\"e30=\"}}}");
		unsigned n;

		assert_int_equal(emu_count_tokens_request(&n, bad, 0, msg, sizeof(msg)), -1);
		assert_string_equal(msg, "Malformed input request: #: required key [anthropic_version] not found, please reformat your input and try again.");
		cJSON_Delete(bad);
		bad = parse("{\"input\":{}}");
		assert_int_equal(emu_count_tokens_request(&n, bad, 0, msg, sizeof(msg)), -1);
		cJSON_Delete(bad);
		bad = parse("{\"input\":{\"invokeModel\":{\"body\":\"!!!!\"}}}");
		assert_int_equal(emu_count_tokens_request(&n, bad, 0, msg, sizeof(msg)), -1);
		assert_string_equal(msg, "Malformed input request: expected a JSON object, please reformat your input and try again.");
		cJSON_Delete(bad);
	}
}

/* ---- validation -------------------------------------------------------- */

#define M(x) "Malformed input request: " x ", please reformat your input and try again."
#define U(c) "\"messages\":[{\"role\":\"user\",\"content\":" c "}]"

static const struct {
	const char *body;
	int exclusive;
	const char *msg;
} bad_bodies[] = {
	{ "[1]", 0, M("expected a JSON object") },
	{ "{\"max_tokens\":1," U("\"x\"") "}", 0, M("#: required key [anthropic_version] not found") },
	{ "{" V "," U("\"x\"") "}", 0, M("#: required key [max_tokens] not found") },
	{ "{" V ",\"max_tokens\":1}", 0, M("#: required key [messages] not found") },
	{ "{" V ",\"max_tokens\":1,\"model\":\"x\"," U("\"x\"") "}", 0, M("#: extraneous key [model] is not permitted") },
	{ "{" V ",\"max_tokens\":1,\"stream\":true," U("\"x\"") "}", 0, M("#: extraneous key [stream] is not permitted") },
	{ "{\"anthropic_version\":\"2023-06-01\",\"max_tokens\":1," U("\"x\"") "}", 0,
	  M("#/anthropic_version: 2023-06-01 is not a valid enum value") },
	{ "{\"anthropic_version\":1,\"max_tokens\":1," U("\"x\"") "}", 0,
	  M("#/anthropic_version: expected type: String, found: Integer") },
	{ "{" V ",\"max_tokens\":\"1\"," U("\"x\"") "}", 0, M("#/max_tokens: expected type: Integer, found: String") },
	{ "{" V ",\"max_tokens\":1.5," U("\"x\"") "}", 0, M("#/max_tokens: expected type: Integer, found: BigDecimal") },
	{ "{" V ",\"max_tokens\":0," U("\"x\"") "}", 0, M("#/max_tokens: 0 is not greater or equal to 1") },
	{ "{" V ",\"max_tokens\":1,\"messages\":{}}", 0, M("#/messages: expected type: JSONArray, found: JSONObject") },
	{ "{" V ",\"max_tokens\":1,\"messages\":[]}", 0, "messages: at least one message is required" },
	{ "{" V ",\"max_tokens\":1,\"temperature\":0.5,\"top_p\":0.5," U("\"x\"") "}", 1,
	  "`temperature` and `top_p` cannot both be specified for this model. Please use only one." },
	{ "{" V ",\"max_tokens\":1,\"temperature\":1.5," U("\"x\"") "}", 0, "temperature: Input should be less than or equal to 1" },
	{ "{" V ",\"max_tokens\":1,\"top_k\":-1," U("\"x\"") "}", 0, "top_k: Input should be greater than or equal to 0" },
	{ "{" V ",\"max_tokens\":1,\"stop_sequences\":\"x\"," U("\"x\"") "}", 0,
	  M("#/stop_sequences: expected type: JSONArray, found: String") },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"user\",\"content\":\"y\"}]}", 0,
	  "messages: roles must alternate between \"user\" and \"assistant\", but found multiple \"user\" roles in a row" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"system\",\"content\":\"x\"}]}", 0,
	  "messages.0.role: Input should be 'user' or 'assistant'" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\"}]}", 0, "messages.0.content: Field required" },
	{ "{" V ",\"max_tokens\":1," U("\"\"") "}", 0,
	  "messages.0: all messages must have non-empty content except for the optional final assistant message" },
	{ "{" V ",\"max_tokens\":1," U("[]") "}", 0,
	  "messages.0: all messages must have non-empty content except for the optional final assistant message" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"text\",\"text\":\"\"}]") "}", 0, "messages: text content blocks must be non-empty" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"video\"}]") "}", 0,
	  "messages.0.content.0: Input tag 'video' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'search_result', 'tool_use', 'tool_result', 'thinking', 'redacted_thinking'" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/bmp\",\"data\":\"AA==\"}}]") "}", 0,
	  "messages.0.content.0.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"image\",\"source\":{\"type\":\"base64\",\"media_type\":\"image/png\",\"data\":\"A$==\"}}]") "}", 0,
	  "messages.0.content.0.source.base64.data: Invalid base64 data" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"document\",\"source\":{\"type\":\"base64\",\"media_type\":\"text/plain\",\"data\":\"AA==\"}}]") "}", 0,
	  "messages.0.content.0.source.base64.media_type: Input should be 'application/pdf'" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":"
	  "[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\",\"input\":{}}]},{\"role\":\"user\",\"content\":\"y\"}]}", 0,
	  "messages.1: `tool_use` ids were found without `tool_result` blocks immediately after: a. Each `tool_use` block must have a corresponding `tool_result` block in the next message." },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"tool_result\",\"tool_use_id\":\"zz\"}]") "}", 0,
	  "messages.0.content.0: unexpected `tool_use_id` found in `tool_result` blocks: zz. Each `tool_result` block must have a corresponding `tool_use` block in the previous message." },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a b\",\"input_schema\":{\"type\":\"object\"}}]," U("\"x\"") "}", 0,
	  "tools.0.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a\"}]," U("\"x\"") "}", 0, "tools.0.custom.input_schema: Field required" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}},{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}}]," U("\"x\"") "}", 0,
	  "tools: Tool names must be unique." },
	{ "{" V ",\"max_tokens\":1,\"tool_choice\":{\"type\":\"any\"}," U("\"x\"") "}", 0,
	  "tool_choice may only be specified while providing tools." },
	{ "{" V ",\"max_tokens\":1,\"tool_choice\":{\"type\":\"maybe\"}," U("\"x\"") "}", 0,
	  "tool_choice: Input tag 'maybe' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"tool\",\"name\":\"b\"}," U("\"x\"") "}", 0,
	  "tool_choice.tool.name: Tool 'b' not found in provided tools" },
	{ "{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":100}," U("\"x\"") "}", 0,
	  "thinking.enabled.budget_tokens: Input should be greater than or equal to 1024" },
	{ "{" V ",\"max_tokens\":1024,\"thinking\":{\"type\":\"enabled\",\"budget_tokens\":1024}," U("\"x\"") "}", 0,
	  "`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size" },
	{ "{" V ",\"max_tokens\":2000,\"temperature\":0.2,\"thinking\":{\"type\":\"adaptive\"}," U("\"x\"") "}", 0,
	  "`temperature` may only be set to 1 when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility" },
	{ "{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"adaptive\"},\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"any\"}," U("\"x\"") "}", 0,
	  "Thinking may not be enabled when tool_choice forces tool use." },
	{ "{" V ",\"max_tokens\":1,\"system\":[{\"type\":\"image\"}]," U("\"x\"") "}", 0, "system.0.type: Input should be 'text'" },
	{ "{" V ",\"max_tokens\":1,\"system\":5," U("\"x\"") "}", 0, "system: Input should be a valid list" },
	{ "{" V ",\"max_tokens\":1,\"system\":[{\"type\":\"text\",\"text\":\"\"}]," U("\"x\"") "}", 0, "system: text content blocks must be non-empty" },
	{ "{" V ",\"max_tokens\":1,\"anthropic_beta\":\"x\"," U("\"x\"") "}", 0, M("#/anthropic_beta: expected type: JSONArray, found: String") },
	{ "{" V ",\"max_tokens\":1,\"temperature\":\"hot\"," U("\"x\"") "}", 0, M("#/temperature: expected type: Number, found: String") },
	{ "{" V ",\"max_tokens\":1,\"top_p\":-0.5," U("\"x\"") "}", 0, "top_p: Input should be greater than or equal to 0" },
	{ "{" V ",\"max_tokens\":1,\"top_k\":1.5," U("\"x\"") "}", 0, M("#/top_k: expected type: Integer, found: BigDecimal") },
	{ "{" V ",\"max_tokens\":1,\"stop_sequences\":[\"a\",true]," U("\"x\"") "}", 0, M("#/stop_sequences/1: expected type: String, found: Boolean") },
	{ "{" V ",\"max_tokens\":1,\"messages\":[5]}", 0, "messages.0: Input should be a valid dictionary or object to extract fields from" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"content\":\"x\"}]}", 0, "messages.0.role: Field required" },
	{ "{" V ",\"max_tokens\":1," U("5") "}", 0, "messages.0.content: Input should be a valid list" },
	{ "{" V ",\"max_tokens\":1," U("[{\"text\":\"x\"}]") "}", 0, "messages.0.content.0.type: Field required" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"text\"}]") "}", 0, "messages.0.content.0.text: Field required" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"image\",\"source\":{\"type\":\"file\"}}]") "}", 0,
	  "messages.0.content.0.source: Input tag 'file' found using 'type' does not match any of the expected tags: 'base64', 'url'" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"document\",\"source\":{\"type\":\"text\",\"media_type\":\"text/html\",\"data\":\"x\"}}]") "}", 0,
	  "messages.0.content.0.source.text.media_type: Input should be 'text/plain'" },
	{ "{" V ",\"max_tokens\":1," U("[{\"type\":\"document\",\"source\":{\"type\":\"file\"}}]") "}", 0,
	  "messages.0.content.0.source: Input tag 'file' found using 'type' does not match any of the expected tags: 'base64', 'content', 'text', 'url'" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"tool_use\",\"id\":\"a\",\"name\":\"f\"}]}]}", 0,
	  "messages.1.content.0.input: Input should be a valid dictionary" },
	{ "{" V ",\"max_tokens\":1,\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":[{\"type\":\"thinking\",\"thinking\":\"t\"}]}]}", 0,
	  "messages.1.content.0.signature: Field required" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"array\"}}]," U("\"x\"") "}", 0,
	  "tools.0.custom.input_schema.type: Input should be 'object'" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"type\":\"bash_20250124\"}]," U("\"x\"") "}", 0, "tools.0.bash_20250124.name: Field required" },
	{ "{" V ",\"max_tokens\":1,\"tools\":[{\"name\":\"a\",\"input_schema\":{\"type\":\"object\"}}],\"tool_choice\":{\"type\":\"tool\"}," U("\"x\"") "}", 0,
	  "tool_choice.tool.name: Field required" },
	{ "{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"on\"}," U("\"x\"") "}", 0,
	  "thinking: Input tag 'on' found using 'type' does not match any of the expected tags: 'adaptive', 'disabled', 'enabled'" },
	{ "{" V ",\"max_tokens\":2000,\"thinking\":{\"type\":\"enabled\"}," U("\"x\"") "}", 0, "thinking.enabled.budget_tokens: Field required" },
};

static void test_emulate_model__validation_messages(void **state)
{
	char msg[1024];
	size_t i;
	cJSON *ok;

	(void)state;
	assert_int_equal(emu_validate_messages(NULL, 0, msg, sizeof(msg)), -1);
	assert_string_equal(msg, M("expected a JSON object"));
	for (i = 0; i < sizeof(bad_bodies) / sizeof(*bad_bodies); i++) {
		cJSON *b = parse(bad_bodies[i].body);

		msg[0] = '\0';
		if (emu_validate_messages(b, bad_bodies[i].exclusive, msg, sizeof(msg)) != -1)
			fail_msg("case %zu accepted: %s", i, bad_bodies[i].body);
		if (strcmp(msg, bad_bodies[i].msg))
			fail_msg("case %zu:\n got  %s\n want %s", i, msg, bad_bodies[i].msg);
		cJSON_Delete(b);
	}
	/* Accepted: both without the flag, prefill, empty final assistant. */
	ok = parse("{" V ",\"max_tokens\":1,\"temperature\":0.5,\"top_p\":0.5,\"anthropic_beta\":[\"x\"],"
		   "\"messages\":[{\"role\":\"user\",\"content\":\"x\"},{\"role\":\"assistant\",\"content\":\"\"}]}");
	assert_int_equal(emu_validate_messages(ok, 0, msg, sizeof(msg)), 0);
	cJSON_Delete(ok);
}

static const struct {
	const char *body;
	const char *msg;
} bad_converse[] = {
	{ "[]", M("expected a JSON object") },
	{ "{}", "A conversation must start with a user message. Try again with a conversation that starts with a user message." },
	{ "{\"messages\":[]}", "A conversation must start with a user message. Try again with a conversation that starts with a user message." },
	{ "{\"messages\":{}}", "1 validation error detected: Value at 'messages' failed to satisfy constraint: Member must be a list" },
	{ "{\"messages\":[{\"role\":\"assistant\",\"content\":[{\"text\":\"x\"}]}]}",
	  "A conversation must start with a user message. Try again with a conversation that starts with a user message." },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]},{\"role\":\"user\",\"content\":[{\"text\":\"y\"}]}]}",
	  "A conversation must alternate between user and assistant roles. Make sure the conversation alternates between user and assistant roles and try again." },
	{ "{\"messages\":[{\"role\":\"bot\",\"content\":[]}]}",
	  "1 validation error detected: Value 'bot' at 'messages.1.member.role' failed to satisfy constraint: Member must satisfy enum value set: [user, assistant]" },
	{ "{\"messages\":[{\"role\":\"user\"}]}",
	  "1 validation error detected: Value null at 'messages.1.member.content' failed to satisfy constraint: Member must not be null" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"\"}]}]}",
	  "The text field in the ContentBlock object at messages.0.content.0 is blank. Add text to the text field, and try again." },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\",\"image\":{}}]}]}",
	  "1 validation error detected: Value at 'messages.1.member.content.1.member' failed to satisfy constraint: Member must have exactly one field set" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"video\":{}}]}]}",
	  "This model doesn't support the video content block that you provided. Try again with supported content." },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"image\":{\"format\":\"bmp\",\"source\":{\"bytes\":\"AA==\"}}}]}]}",
	  "1 validation error detected: Value 'bmp' at 'messages.1.member.content.1.member.image.format' failed to satisfy constraint: Member must satisfy enum value set: [png, jpeg, gif, webp]" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"inferenceConfig\":{\"maxTokens\":0}}",
	  "1 validation error detected: Value '0' at 'inferenceConfig.maxTokens' failed to satisfy constraint: Member must have value greater than or equal to 1" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"inferenceConfig\":{\"temperature\":1.5}}",
	  "1 validation error detected: Value '1.5' at 'inferenceConfig.temperature' failed to satisfy constraint: Member must have value less than or equal to 1" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"inferenceConfig\":{\"topP\":-1}}",
	  "1 validation error detected: Value '-1' at 'inferenceConfig.topP' failed to satisfy constraint: Member must have value greater than or equal to 0" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"document\":{\"format\":\"pdf\",\"name\":\"d\",\"source\":{\"s3Location\":{\"uri\":\"s3://b/k\"}}}}]}]}",
	  "The emulator cannot read S3 objects: send messages.1.member.content.1.member.document.source.bytes instead." },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"document\":{\"format\":\"pdf\",\"name\":\"d\",\"source\":{\"bytes\":\"%%%\"}}}]}]}",
	  "1 validation error detected: Value at 'messages.1.member.content.1.member.document.source.bytes' failed to satisfy constraint: Member must be valid base64" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"toolResult\":{\"content\":[]}}]}]}",
	  "1 validation error detected: Value null at 'messages.1.member.content.1.member.toolResult.toolUseId' failed to satisfy constraint: Member must not be null" },
	{ "{\"messages\":[{\"role\":\"user\",\"content\":[{\"text\":\"x\"}]}],\"toolConfig\":{\"tools\":[{\"toolSpec\":{\"name\":\"a b\"}}]}}",
	  "1 validation error detected: Value 'a b' at 'toolConfig.tools.1.member.toolSpec.name' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9_-]+" },
};

static void test_emulate_model__converse_validation(void **state)
{
	char msg[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_converse) / sizeof(*bad_converse); i++) {
		cJSON *b = parse(bad_converse[i].body), *out = (cJSON *)1;

		msg[0] = '\0';
		if (emu_converse_to_messages(&out, b, msg, sizeof(msg)) != -1)
			fail_msg("case %zu accepted: %s", i, bad_converse[i].body);
		assert_null(out);
		if (strcmp(msg, bad_converse[i].msg))
			fail_msg("case %zu:\n got  %s\n want %s", i, msg, bad_converse[i].msg);
		cJSON_Delete(b);
	}
}

static void test_emulate_model__exception_frame(void **state)
{
	static const char payload[] = "{\"message\":\"Rate exceeded\"}";
	bedrock_event_reader *rd;
	bedrock_event ev;
	uint8_t *frame;
	size_t len;

	(void)state;
	assert_int_equal(emu_encode_frame(&frame, &len, "exception", "throttlingException",
					  payload, strlen(payload)), 0);
	assert_int_equal(bedrock_event_reader_new(&rd, NULL), 0);
	assert_int_equal(bedrock_event_reader_feed(rd, frame, len), 0);
	assert_int_equal(bedrock_event_reader_next(&ev, rd), BEDROCK_ETHROTTLED);
	assert_string_equal(bedrock_event_reader_exception_type(rd), "throttlingException");
	assert_string_equal(bedrock_event_reader_exception_message(rd), "Rate exceeded");
	bedrock_event_reader_free(rd);
	free(frame);
}

/* A token longer than a frame's share is split, never inside a UTF-8
 * character, and the stream still spells the answer. */
static void test_emulate_model__long_token(void **state)
{
	static const char head[] = "{" V ",\"max_tokens\":100000,\"messages\":[{\"role\":\"user\",\"content\":\"x";
	size_t n = sizeof(head) - 1, i;
	char *body = malloc(n + 3 * 5000 + 16);
	cJSON *a;
	serve_response r;

	(void)state;
	memcpy(body, head, n);
	for (i = 0; i < 5000; i++) {	/* 'x' then 5000 x U+00E9: one token */
		memcpy(body + n, "\xc3\xa9", 2);
		n += 2;
	}
	strcpy(body + n, "\"}]}");
	a = answer(body);
	check_invoke_stream(a);
	check_converse_stream(a);
	serve_response_init(&r, 500);
	assert_int_equal(emu_render_invoke_stream(&r, a, "rid"), 0);
	for (i = 0; i < r.piece_count; i++)
		assert_true(r.pieces[i].len < 8192);
	serve_response_dispose(&r);
	cJSON_Delete(a);
	free(body);
}

/* Header names, order and types of our frames match recorded Bedrock
 * frames of the same operation. */
static void header_names(const uint8_t *data, size_t len, char *out, size_t cap)
{
	bedrock_es_decoder *d;
	bedrock_es_message m;
	size_t i;

	out[0] = '\0';
	assert_int_equal(bedrock_es_decoder_new(&d, NULL), 0);
	assert_int_equal(bedrock_es_decoder_feed(d, data, len), 0);
	assert_int_equal(bedrock_es_decoder_next(&m, d), 0);
	for (i = 0; i < m.header_count; i++) {
		assert_int_equal(m.headers[i].type, BEDROCK_ES_STRING);
		strncat(out, m.headers[i].name, m.headers[i].name_len);
		strncat(out, ";", cap - strlen(out) - 1);
	}
	bedrock_es_decoder_free(d);
}

static void test_emulate_model__frames_match_recorded(void **state)
{
	static const struct {
		const char *vector;
		int converse;
	} cases[] = {
		{ "bedrock/dd-trace-py__anthropic_message_invoke_stream/response.body", 0 },
		{ "bedrock/dd-trace-py__bedrock_converse_stream/response.body", 1 },
	};
	size_t i;

	(void)state;
	for (i = 0; i < 2; i++) {
		size_t len;
		uint8_t *rec = (uint8_t *)harness_read_vector(cases[i].vector, &len);
		char want[256], got[256];
		cJSON *a = answer(HELLO);
		serve_response r;

		assert_non_null(rec);
		header_names(rec, len, want, sizeof(want));
		serve_response_init(&r, 500);
		assert_int_equal((cases[i].converse ? emu_render_converse_stream : emu_render_invoke_stream)(&r, a, "rid"), 0);
		header_names(r.pieces[0].data, r.pieces[0].len, got, sizeof(got));
		assert_string_equal(got, want);
		serve_response_dispose(&r);
		cJSON_Delete(a);
		free(rec);
	}
}

/* cJSON allocation failures: the model and the Converse conversion either
 * fail cleanly or return the complete answer, never a partial one. */
static size_t torture_left;

static void *torture_malloc(size_t n)
{
	if (torture_left == 0)
		return NULL;
	torture_left--;
	return malloc(n);
}

static void test_emulate_model__allocation_failures(void **state)
{
	static const char *const bodies[] = { HELLO, STREAM_CASES };
	cJSON_Hooks hooks = { torture_malloc, free };
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
		cJSON *req = parse(bodies[i]), *want = answer(bodies[i]), *got;
		cJSON *conv = parse(CV_DOCS), *cwant = NULL, *cgot;
		char msg[256];

		assert_int_equal(emu_converse_to_messages(&cwant, conv, msg, sizeof(msg)), 0);
		for (n = 0;; n++) {
			int rc, crc;

			torture_left = n;
			cJSON_InitHooks(&hooks);
			rc = emu_model_answer(&got, req, MODEL, 0);
			torture_left = n;
			crc = emu_converse_to_messages(&cgot, conv, msg, sizeof(msg));
			cJSON_InitHooks(NULL);
			if (rc == 0) {
				assert_true(cJSON_Compare(got, want, 1));
				cJSON_Delete(got);
			} else {
				assert_null(got);
			}
			if (crc == 0) {
				assert_true(cJSON_Compare(cgot, cwant, 1));
				cJSON_Delete(cgot);
			} else {
				assert_null(cgot);
			}
			if (rc == 0 && crc == 0)
				break;
		}
		/* The renderers: -1, or exactly the pieces of an unhindered run. */
		for (n = 0; n < 4; n++) {
			int (*const render[])(serve_response *, const cJSON *, const char *) = {
				emu_render_invoke, emu_render_invoke_stream,
				emu_render_converse, emu_render_converse_stream,
			};
			serve_response ok, r;
			size_t k, fail_at;
			int rc;

			serve_response_init(&ok, 500);
			assert_int_equal(render[n](&ok, want, "rid"), 0);
			for (fail_at = 0;; fail_at++) {
				serve_response_init(&r, 500);
				torture_left = fail_at;
				cJSON_InitHooks(&hooks);
				rc = render[n](&r, want, "rid");
				cJSON_InitHooks(NULL);
				if (rc == 0) {
					assert_int_equal(r.piece_count, ok.piece_count);
					for (k = 0; k < r.piece_count; k++) {
						assert_int_equal(r.pieces[k].len, ok.pieces[k].len);
						assert_memory_equal(r.pieces[k].data, ok.pieces[k].data, ok.pieces[k].len);
					}
				}
				serve_response_dispose(&r);
				if (rc == 0)
					break;
			}
			serve_response_dispose(&ok);
		}
		cJSON_Delete(req);
		cJSON_Delete(want);
		cJSON_Delete(conv);
		cJSON_Delete(cwant);
	}
}

/* ---- recorded requests ------------------------------------------------- */

/* Every recorded successful Claude request (tests/vectors/bedrock) passes
 * the same pipeline the handler runs and renders in its operation's shape;
 * InvokeModel responses carry the recorded X-Amzn-Bedrock-* header set. */
static void test_emulate_model__recorded_requests(void **state)
{
	char path[1024], msg[1024];
	char **dirs;
	size_t i, checked = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/bedrock", harness_vectors());
	dirs = harness_list_dir(path);
	assert_non_null(dirs);
	for (i = 0; dirs[i]; i++) {
		char *text, *resp_text;
		cJSON *rec, *resp, *body, *req = NULL, *a = NULL;
		const char *op, *model;
		serve_response r;
		int rc;

		snprintf(path, sizeof(path), "bedrock/%s/request.json", dirs[i]);
		if (!(text = harness_read_vector(path, NULL)))
			continue;
		snprintf(path, sizeof(path), "bedrock/%s/response.json", dirs[i]);
		resp_text = harness_read_vector(path, NULL);
		rec = cJSON_Parse(text);
		resp = resp_text ? cJSON_Parse(resp_text) : NULL;
		free(text);
		free(resp_text);
		op = bedrock__json_str(rec, "operation");
		model = bedrock__json_str(rec, "model_id");
		body = cJSON_GetObjectItemCaseSensitive(rec, "body");
		/* Claude only, successful calls, Messages-era bodies. */
		if (!op || !model || !strstr(model, "anthropic") || num(resp, "status") != 200 ||
		    !cJSON_IsObject(body) || !cJSON_GetObjectItemCaseSensitive(body, "messages")) {
			cJSON_Delete(rec);
			cJSON_Delete(resp);
			continue;
		}
		if (!strncmp(op, "Converse", 8)) {
			if (emu_converse_to_messages(&req, body, msg, sizeof(msg)))
				fail_msg("%s: %s", dirs[i], msg);
		} else {
			req = cJSON_Duplicate(body, 1);
		}
		if (emu_validate_messages(req, 0, msg, sizeof(msg)))
			fail_msg("%s: %s", dirs[i], msg);
		assert_int_equal(emu_model_answer(&a, req, model, 0), 0);
		serve_response_init(&r, 500);
		if (!strcmp(op, "InvokeModel")) {
			const cJSON *h;

			rc = emu_render_invoke(&r, a, "rid");
			cJSON_ArrayForEach(h, cJSON_GetObjectItemCaseSensitive(resp, "headers"))
				if (!strncmp(h->string, "X-Amzn-Bedrock-", 15) || !strcmp(h->string, "Content-Type") ||
				    !strcmp(h->string, "x-amzn-RequestId"))
					assert_non_null(header(&r, h->string));
		} else if (!strcmp(op, "InvokeModelWithResponseStream")) {
			rc = emu_render_invoke_stream(&r, a, "rid");
			assert_non_null(header(&r, "X-Amzn-Bedrock-Content-Type"));
		} else if (!strcmp(op, "Converse")) {
			rc = emu_render_converse(&r, a, "rid");
		} else {
			rc = emu_render_converse_stream(&r, a, "rid");
		}
		assert_int_equal(rc, 0);
		assert_string_equal(header(&r, "Content-Type"),
				    strstr(op, "Stream") ? "application/vnd.amazon.eventstream" : "application/json");
		serve_response_dispose(&r);
		checked++;
		cJSON_Delete(a);
		cJSON_Delete(req);
		cJSON_Delete(rec);
		cJSON_Delete(resp);
	}
	harness_free_list(dirs);
	assert_true(checked >= 20);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_emulate_model__token_rule, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__hello, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__determinism, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__system_uppercase, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__max_tokens, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__stop_sequences, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__tool_use, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__long_tool_name, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__tool_choice, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__tool_result, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__thinking, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__citations, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__images, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__cache, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__render_invoke, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__invoke_stream_equals_invoke, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__converse, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__converse_stream_equals_converse, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__count_tokens, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__validation_messages, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__converse_validation, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__exception_frame, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__long_token, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__allocation_failures, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__recorded_requests, harness_setup, harness_teardown),
		cmocka_unit_test_setup_teardown(test_emulate_model__frames_match_recorded, harness_setup, harness_teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
