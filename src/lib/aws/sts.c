#include <stdio.h>
#include <string.h>
#include <time.h>

#include <expat.h>

#include "bedrock/sigv4.h"
#include "alloc.h"
#include "buf.h"
#include "config_private.h"
#include "creds_private.h"
#include "crypto.h"
#include "errinfo.h"
#include "http.h"
#include "sts.h"
#include "timeutil.h"

#define STS_TIMEOUT_MS 30000

enum { F_KEY, F_SECRET, F_TOKEN, F_EXPIRATION, F_CODE, F_MESSAGE, F_REQUEST_ID, F_COUNT };

typedef struct {
	XML_Parser x;
	int depth, field, in_credentials, in_error, doctype;
	bedrock_buf value[F_COUNT];
} sts_parse;

/* Element names arrive as "namespace-uri|local" (see XML_ParserCreateNS). */
static const char *local_name(const char *name)
{
	const char *bar = strrchr(name, '|');

	return bar ? bar + 1 : name;
}

static void on_start(void *ud, const XML_Char *name, const XML_Char **atts)
{
	sts_parse *p = ud;
	const char *n = local_name(name);

	(void)atts;
	p->depth++;
	p->field = -1;
	if (!strcmp(n, "Credentials"))
		p->in_credentials = p->depth;
	else if (!strcmp(n, "Error"))
		p->in_error = p->depth;
	else if (p->in_credentials && !strcmp(n, "AccessKeyId"))
		p->field = F_KEY;
	else if (p->in_credentials && !strcmp(n, "SecretAccessKey"))
		p->field = F_SECRET;
	else if (p->in_credentials && !strcmp(n, "SessionToken"))
		p->field = F_TOKEN;
	else if (p->in_credentials && !strcmp(n, "Expiration"))
		p->field = F_EXPIRATION;
	else if (p->in_error && !strcmp(n, "Code"))
		p->field = F_CODE;
	else if (p->in_error && !strcmp(n, "Message"))
		p->field = F_MESSAGE;
	else if (!strcmp(n, "RequestId"))
		p->field = F_REQUEST_ID;
	if (p->field >= 0)
		bedrock__buf_clear(&p->value[p->field]);
}

static void on_end(void *ud, const XML_Char *name)
{
	sts_parse *p = ud;

	(void)name;
	if (p->in_credentials == p->depth)
		p->in_credentials = 0;
	if (p->in_error == p->depth)
		p->in_error = 0;
	p->depth--;
	p->field = -1;
}

static void on_text(void *ud, const XML_Char *s, int len)
{
	sts_parse *p = ud;

	if (p->field >= 0 && len > 0)
		bedrock__buf_put(&p->value[p->field], s, (size_t)len);
}

static void on_doctype(void *ud, const XML_Char *name, const XML_Char *sysid,
		       const XML_Char *pubid, int has_internal_subset)
{
	sts_parse *p = ud;

	(void)name, (void)sysid, (void)pubid, (void)has_internal_subset;
	p->doctype = 1;
	XML_StopParser(p->x, XML_FALSE);
}

static const char *val(sts_parse *p, int f)
{
	return p->value[f].len ? p->value[f].ptr : NULL;
}

int bedrock__sts_parse(bedrock_credentials **out, const char *provider, long status,
		       const char *xml, size_t len, bedrock_error_info *err)
{
	XML_Parser x = XML_ParserCreateNS(NULL, '|');
	sts_parse p;
	int64_t exp = 0;
	int rc, i, oom = 0;

	*out = NULL;
	memset(&p, 0, sizeof(p));
	p.field = -1;
	if (!x)
		return bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
	p.x = x;
	XML_SetUserData(x, &p);
	XML_SetStartDoctypeDeclHandler(x, on_doctype);
	XML_SetElementHandler(x, on_start, on_end);
	XML_SetCharacterDataHandler(x, on_text);
	/* Refuse DOCTYPEs: nothing legitimate from STS has one, and entity
	 * expansion is the classic way to make an XML parser eat memory. */
	if (XML_Parse(x, xml, (int)(len > 16u << 20 ? 16u << 20 : len), 1) == XML_STATUS_ERROR ||
	    p.doctype) {
		if (p.doctype) {
			rc = bedrock__err(err, BEDROCK_EPROTOCOL,
					  "%s: STS's answer has a DOCTYPE, which STS never sends", provider);
			goto done;
		}
		rc = bedrock__err(err, status >= 300 ? BEDROCK_EHTTP : BEDROCK_EPROTOCOL,
				  "%s: STS answered%s with malformed XML (%s at line %lu)", provider,
				  status >= 300 ? " an error" : "", XML_ErrorString(XML_GetErrorCode(x)),
				  (unsigned long)XML_GetCurrentLineNumber(x));
		goto done;
	}
	for (i = 0; i < F_COUNT; i++)
		oom |= p.value[i].oom;
	if (oom) {
		rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
		goto done;
	}
	if (status != 200 || val(&p, F_CODE)) {
		const char *code = val(&p, F_CODE) ? val(&p, F_CODE) : "";

		rc = bedrock__err(err,
				  status == 403 || !strcmp(code, "ExpiredTokenException") ||
				  !strcmp(code, "InvalidClientTokenId") ? BEDROCK_EAUTH
									: BEDROCK_EHTTP,
				  "%s: STS refused the call: %s%s%s (HTTP %ld)", provider,
				  code[0] ? code : "error", val(&p, F_MESSAGE) ? ": " : "",
				  val(&p, F_MESSAGE) ? val(&p, F_MESSAGE) : "", status);
		if (err) {
			err->http_status = (int)status;
			err->retryable = status >= 500 || !strcmp(code, "IDPCommunicationError") ||
					 !strcmp(code, "Throttling");
			snprintf(err->aws_code, sizeof(err->aws_code), "%s", code);
			snprintf(err->request_id, sizeof(err->request_id), "%s",
				 val(&p, F_REQUEST_ID) ? val(&p, F_REQUEST_ID) : "");
		}
		goto done;
	}
	if (!val(&p, F_KEY) || !val(&p, F_SECRET) || !val(&p, F_EXPIRATION)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: STS's answer has no credentials",
				  provider);
		goto done;
	}
	if (bedrock__parse_iso8601(val(&p, F_EXPIRATION), &exp)) {
		rc = bedrock__err(err, BEDROCK_EPROTOCOL, "%s: STS's Expiration is not ISO-8601",
				  provider);
		goto done;
	}
	rc = bedrock__credentials_make(out, provider, val(&p, F_KEY), val(&p, F_SECRET),
				       val(&p, F_TOKEN), NULL, exp, err);
done:
	XML_ParserFree(x);
	for (i = 0; i < F_COUNT; i++) {
		if (p.value[i].ptr)
			bedrock__wipe(p.value[i].ptr, p.value[i].cap);
		bedrock__buf_dispose(&p.value[i]);
	}
	return rc;
}

/* Host part of a URL ("https://h:p/x" -> "h:p"). */
static void host_of(char *out, size_t cap, const char *url)
{
	const char *s = strstr(url, "://"), *e;

	s = s ? s + 3 : url;
	e = s + strcspn(s, "/?#");
	snprintf(out, cap, "%.*s", (int)(e - s), s);
}

int bedrock__sts_call(bedrock_credentials **out, const char *provider, bedrock_config *cfg,
		      const char *form, const bedrock_credentials *creds,
		      bedrock_error_info *err)
{
	char url[600], host[300], ctype[] = "application/x-www-form-urlencoded; charset=utf-8";
	const char *region = NULL, *ep;
	bedrock__http_header hdr[8];
	size_t nh = 0, i;
	bedrock__http_request req = { "POST", url, hdr, 0, form, strlen(form), 0, STS_TIMEOUT_MS,
				      NULL, NULL, NULL };
	bedrock__http_response resp = BEDROCK__HTTP_RESPONSE_INIT;
	bedrock_sigv4_result *sr = NULL;
	bedrock_sigv4_signer *signer = NULL;
	bedrock__http *h = NULL;
	char *added[8] = { 0 };
	size_t added_len[8], nadded = 0;
	int rc;

	if (bedrock_config_region(&region, NULL, cfg, NULL))
		region = NULL;
	ep = bedrock_config_endpoint(cfg, "STS");
	if (ep)
		snprintf(url, sizeof(url), "%s", ep);
	else if (region)
		snprintf(url, sizeof(url), "https://sts.%s.amazonaws.com/", region);
	else
		snprintf(url, sizeof(url), "https://sts.amazonaws.com/");
	if (!region)
		region = "us-east-1";
	host_of(host, sizeof(host), url);
	hdr[nh++] = (bedrock__http_header){ "Host", host };
	hdr[nh++] = (bedrock__http_header){ "Content-Type", ctype };
	if (creds) {
		bedrock_sigv4_config sc = BEDROCK_SIGV4_CONFIG_INIT;
		bedrock_sigv4_credentials sk = { bedrock_credentials_access_key_id(creds),
						 bedrock_credentials_secret_access_key(creds),
						 bedrock_credentials_session_token(creds) };
		bedrock_sigv4_header sh[2] = { { "Host", 4, host, strlen(host) },
					       { "Content-Type", 12, ctype, strlen(ctype) } };
		bedrock_sigv4_request sreq = { "POST", "/", NULL, sh, 2, form, strlen(form), NULL };
		const bedrock_sigv4_header *add;
		size_t n;

		sc.region = region;
		sc.service = "sts";
		sc.signing_time = (int64_t)time(NULL);
		if ((rc = bedrock_sigv4_signer_new(&signer)) != 0 ||
		    (rc = bedrock_sigv4_result_new(&sr)) != 0) {
			bedrock__err(err, rc, "out of memory");
			goto done;
		}
		rc = bedrock_sigv4_sign(sr, signer, &sc, &sk, &sreq);
		if (rc) {
			bedrock__err(err, rc, "%s: signing the STS call failed: %s", provider,
				     bedrock_sigv4_result_errmsg(sr));
			goto done;
		}
		n = bedrock_sigv4_result_headers(&add, sr);
		for (i = 0; i < n && nh < 8; i++) {
			size_t nl = add[i].name_len, vl = add[i].value_len;
			char *s = bedrock__malloc(nl + vl + 2);

			if (!s) {
				rc = bedrock__err(err, BEDROCK_ENOMEM, "out of memory");
				goto done;
			}
			memcpy(s, add[i].name, nl);
			s[nl] = '\0';
			memcpy(s + nl + 1, add[i].value, vl);
			s[nl + 1 + vl] = '\0';
			added_len[nadded] = nl + vl + 2;
			added[nadded++] = s;
			hdr[nh++] = (bedrock__http_header){ s, s + nl + 1 };
		}
	}
	req.header_count = nh;
	rc = bedrock__http_new(&h, bedrock__env("AWS_CA_BUNDLE"));
	if (rc) {
		bedrock__err(err, rc, "%s: cannot start HTTP", provider);
		goto done;
	}
	rc = bedrock__http_perform(h, &resp, &req, err);
	if (rc) {
		bedrock__err_prefix(err, provider);
		goto done;
	}
	rc = bedrock__sts_parse(out, provider, resp.status, resp.body.ptr ? resp.body.ptr : "",
				resp.body.len, err);
done:
	if (resp.body.ptr)
		bedrock__wipe(resp.body.ptr, resp.body.len);
	bedrock__http_response_dispose(&resp);
	bedrock__http_free(h);
	for (i = 0; i < nadded; i++) {
		bedrock__wipe(added[i], added_len[i]);
		bedrock__free(added[i]);
	}
	bedrock_sigv4_result_free(sr);
	bedrock_sigv4_signer_free(signer);
	return rc;
}
