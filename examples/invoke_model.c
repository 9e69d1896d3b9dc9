/* InvokeModel, by hand: build the Claude Messages body, sign it with
 * libbedrock's SigV4 module, send it with libcurl, print Claude's answer.
 * (The library's own client does all of this for you; this example shows
 * the wire.) Against `bedrock emulate` by default:
 *
 *   bedrock emulate --listen 127.0.0.1:4567 &
 *   example_invoke_model http://127.0.0.1:4567 "Hello, world"
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cjson/cJSON.h>
#include <curl/curl.h>

#include <bedrock/bedrock.h>

static size_t collect(char *data, size_t size, size_t n, void *p)
{
	cJSON **answer = p;
	static char buf[1 << 20];
	static size_t len;

	if (len + size * n >= sizeof(buf))
		return 0;
	memcpy(buf + len, data, size * n);
	len += size * n;
	cJSON_Delete(*answer);
	*answer = cJSON_ParseWithLength(buf, len);
	return size * n;
}

int main(int argc, char **argv)
{
	const char *endpoint = argc > 1 ? argv[1] : "http://127.0.0.1:4567";
	const char *prompt = argc > 2 ? argv[2] : "Hello, world";
	const char *model = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
	const char *id = getenv("AWS_ACCESS_KEY_ID"), *secret = getenv("AWS_SECRET_ACCESS_KEY");
	bedrock_sigv4_credentials creds = { id ? id : "AKIDEXAMPLE",
					    secret ? secret : "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
					    getenv("AWS_SESSION_TOKEN") };
	bedrock_sigv4_config cfg = BEDROCK_SIGV4_CONFIG_INIT;
	bedrock_sigv4_header headers[2];
	bedrock_sigv4_request req;
	bedrock_sigv4_result *res = NULL;
	const bedrock_sigv4_header *add;
	struct curl_slist *list = NULL;
	cJSON *body = cJSON_CreateObject(), *msgs, *msg, *answer = NULL, *content;
	char label[256], path[320], url[512], host[256], line[4096], *text;
	const char *h;
	size_t n, i;
	long status = 0;
	CURL *curl;
	int rc = 1;

	/* The Messages body Bedrock wants: version in the body, no model, no stream. */
	cJSON_AddStringToObject(body, "anthropic_version", "bedrock-2023-05-31");
	cJSON_AddNumberToObject(body, "max_tokens", 256);
	msgs = cJSON_AddArrayToObject(body, "messages");
	msg = cJSON_CreateObject();
	cJSON_AddStringToObject(msg, "role", "user");
	cJSON_AddStringToObject(msg, "content", prompt);
	cJSON_AddItemToArray(msgs, msg);
	text = cJSON_PrintUnformatted(body);

	bedrock_sigv4_uri_encode(label, sizeof(label), &n, model, strlen(model));
	snprintf(path, sizeof(path), "/model/%s/invoke", label);
	snprintf(url, sizeof(url), "%s%s", endpoint, path);
	h = strstr(endpoint, "://");
	snprintf(host, sizeof(host), "%s", h ? h + 3 : endpoint);
	host[strcspn(host, "/")] = '\0';

	headers[0] = (bedrock_sigv4_header){ "Host", 4, host, strlen(host) };
	headers[1] = (bedrock_sigv4_header){ "Content-Type", 12, "application/json", 16 };
	memset(&req, 0, sizeof(req));
	req.method = "POST";
	req.path = path;
	req.headers = headers;
	req.header_count = 2;
	req.body = text;
	req.body_len = strlen(text);
	cfg.region = getenv("AWS_REGION") ? getenv("AWS_REGION") : "us-east-1";
	cfg.signing_time = (int64_t)time(NULL);
	if (bedrock_sigv4_result_new(&res) || bedrock_sigv4_sign(res, NULL, &cfg, &creds, &req)) {
		fprintf(stderr, "signing failed: %s\n", res ? bedrock_sigv4_result_errmsg(res) : "");
		goto done;
	}
	list = curl_slist_append(list, "Content-Type: application/json");
	list = curl_slist_append(list, "Accept: application/json");
	n = bedrock_sigv4_result_headers(&add, res);
	for (i = 0; i < n; i++) {
		snprintf(line, sizeof(line), "%.*s: %.*s", (int)add[i].name_len, add[i].name,
			 (int)add[i].value_len, add[i].value);
		list = curl_slist_append(list, line);
	}
	curl = curl_easy_init();
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, list);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, text);
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, &answer);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 60L);
	if (curl_easy_perform(curl) != CURLE_OK) {
		fprintf(stderr, "cannot reach %s\n", endpoint);
	} else {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
		content = cJSON_GetArrayItem(cJSON_GetObjectItem(answer, "content"), 0);
		if (status == 200 && cJSON_IsString(cJSON_GetObjectItem(content, "text"))) {
			printf("%s\n", cJSON_GetObjectItem(content, "text")->valuestring);
			rc = 0;
		} else {
			fprintf(stderr, "HTTP %ld: %s\n", status,
				cJSON_IsString(cJSON_GetObjectItem(answer, "message"))
					? cJSON_GetObjectItem(answer, "message")->valuestring : "");
		}
	}
	curl_easy_cleanup(curl);
done:
	curl_slist_free_all(list);
	bedrock_sigv4_result_free(res);
	cJSON_Delete(answer);
	cJSON_Delete(body);
	free(text);
	return rc;
}
