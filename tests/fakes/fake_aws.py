#!/usr/bin/env python3
"""A loopback fake of the AWS endpoints that credential providers call:
EC2 IMDS, ECS/EKS container credentials, STS (AssumeRole with an
independent SigV4 check, AssumeRoleWithWebIdentity), SSO OIDC and the SSO
portal.

Usage: fake_aws.py --state STATE.json --log LOG.jsonl
Prints "PORT <n>" on stdout once listening on 127.0.0.1. The state file is
re-read on every request, so a test changes the fake's behaviour by
rewriting it; every request is appended to the log as one JSON line.
Stops on SIGTERM, or by itself after --lifetime seconds (default 300).
Python 3 standard library only.
"""
import argparse
import datetime
import hashlib
import hmac
import json
import os
import signal
import sys
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()


def state():
    try:
        with open(ARGS.state) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def iso(seconds_from_now):
    t = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds_from_now)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def creds(conf, default_key):
    return {
        "AccessKeyId": conf.get("access_key_id", default_key),
        "SecretAccessKey": conf.get("secret_access_key", "fake-secret"),
        "Token": conf.get("session_token", "fake-token"),
        "Expiration": conf.get("expiration") or iso(conf.get("expires_in", 3600)),
    }


def sigv4_check(method, path, query, headers, body, secret):
    """Verifies an Authorization header without the client's code."""
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization header"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    scope = parts["Credential"].split("/")
    date, region, service = scope[1], scope[2], scope[3]
    signed = parts["SignedHeaders"].split(";")
    canon_uri = urllib.parse.quote(path, safe="/~")
    pairs = urllib.parse.parse_qsl(query, keep_blank_values=True)
    canon_query = "&".join(
        "%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
        for k, v in sorted(pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    creq = "\n".join([method, canon_uri, canon_query, canon_headers, ";".join(signed),
                      hashlib.sha256(body).hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""),
                     "/".join(scope[1:]), hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    want = hmac.new(k, sts.encode(), hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, parts["Signature"]):
        return "signature mismatch"
    if "host" not in signed:
        return "host not signed"
    return None


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *a):
        pass

    def reply(self, status, body, ctype="application/json", extra=None):
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", "fake-request-id-0001")
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({"method": self.command, "path": url.path, "query": url.query,
                                "headers": headers, "body": body.decode("utf-8", "replace")}) + "\n")
        st = state()
        p = url.path
        if p == "/latest/api/token":
            return self.imds_token(st.get("imds", {}), headers)
        if p.startswith("/latest/meta-data/iam/security-credentials/"):
            return self.imds_creds(st.get("imds", {}), headers, p)
        if p.startswith("/ecs/"):
            return self.ecs(st.get("ecs", {}), headers)
        if p == "/token" and self.command == "POST":
            return self.oidc(st.get("oidc", {}), body)
        if p == "/federation/credentials":
            return self.sso(st.get("sso", {}), headers, url.query)
        if p == "/" and self.command == "POST":
            return self.sts(st.get("sts", {}), headers, url, body)
        canned = st.get("canned", {}).get(self.command + " " + p)
        if canned is not None:
            return self.canned(canned, url.query)
        self.reply(404, {"message": "no route " + p})

    def canned(self, pages, query):
        """Scripted answers keyed by the request's nextToken ("" for none):
        {"status": N, "body": JSON or text}; for paginated APIs."""
        token = urllib.parse.parse_qs(query).get("nextToken", [""])[0]
        page = pages.get(token)
        if page is None:
            return self.reply(400, {"message": "The pagination token is invalid."},
                              extra={"x-amzn-ErrorType": "ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/"})
        self.reply(page.get("status", 200), page.get("body", {}))

    do_GET = do_PUT = do_POST = handle_any

    def imds_token(self, conf, headers):
        if "x-aws-ec2-metadata-token-ttl-seconds" not in headers:
            return self.reply(400, "missing ttl", "text/plain")
        status = conf.get("token_status", 200)
        self.reply(status, conf.get("token", "imds-token-abc") if status == 200 else "", "text/plain")

    def imds_creds(self, conf, headers, path):
        if conf.get("token_status", 200) == 200 and conf.get("require_token", True):
            if headers.get("x-aws-ec2-metadata-token") != conf.get("token", "imds-token-abc"):
                return self.reply(401, "", "text/plain")
        role = path.rsplit("/", 1)[1]
        if not role:
            status = conf.get("role_status", 200)
            return self.reply(status, conf.get("role", "test-role") if status == 200 else "",
                              "text/plain")
        if role != conf.get("role", "test-role"):
            return self.reply(404, "", "text/plain")
        c = creds(conf, "ASIAIMDSFAKE0001")
        c.update({"Code": "Success", "Type": "AWS-HMAC", "LastUpdated": iso(0)})
        self.reply(conf.get("creds_status", 200), c)

    def ecs(self, conf, headers):
        if conf.get("token") and headers.get("authorization") != conf["token"]:
            return self.reply(401, {"message": "bad token"})
        status = conf.get("status", 200)
        if status != 200:
            return self.reply(status, {"message": "unavailable"})
        c = creds(conf, "ASIAECSFAKE00001")
        if conf.get("account_id"):
            c["AccountId"] = conf["account_id"]
        self.reply(200, c)

    def sts(self, conf, headers, url, body):
        form = dict(urllib.parse.parse_qsl(body.decode()))
        action = form.get("Action")
        if action == "AssumeRole":
            secret = conf.get("expect_secret", "source-secret")
            if isinstance(secret, dict):  # per access key id, for role chains
                akid = headers.get("authorization", "").split("Credential=")[-1].split("/")[0]
                secret = secret.get(akid, "")
            problem = sigv4_check("POST", url.path, url.query, headers, body, secret)
            if problem:
                return self.sts_error(403, "SignatureDoesNotMatch", problem)
        elif action == "AssumeRoleWithWebIdentity":
            if "authorization" in headers:
                return self.sts_error(400, "InvalidParameter", "web identity calls are unsigned")
            want = conf.get("expect_web_token")
            if want and form.get("WebIdentityToken") != want:
                return self.sts_error(403, "InvalidIdentityToken", "bad token")
        else:
            return self.sts_error(400, "InvalidAction", "unknown action")
        if conf.get("error"):
            e = conf["error"]
            return self.sts_error(e.get("status", 403), e.get("code", "AccessDenied"),
                                  e.get("message", "denied"))
        c = creds(conf, "ASIASTSFAKE00001")
        xml = ("<{a}Response xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\">"
               "<{a}Result><Credentials><AccessKeyId>{k}</AccessKeyId>"
               "<SecretAccessKey>{s}</SecretAccessKey><SessionToken>{t}</SessionToken>"
               "<Expiration>{e}</Expiration></Credentials>"
               "<AssumedRoleUser><Arn>arn:aws:sts::123456789012:assumed-role/r/s</Arn>"
               "<AssumedRoleId>AROA:s</AssumedRoleId></AssumedRoleUser></{a}Result>"
               "<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata>"
               "</{a}Response>").format(a=action, k=c["AccessKeyId"], s=c["SecretAccessKey"],
                                       t=c["Token"], e=c["Expiration"])
        self.reply(200, xml, "text/xml")

    def sts_error(self, status, code, message):
        xml = ("<ErrorResponse xmlns=\"https://sts.amazonaws.com/doc/2011-06-15/\"><Error>"
               "<Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error>"
               "<RequestId>req-err</RequestId></ErrorResponse>" % (code, message))
        self.reply(status, xml, "text/xml")

    def oidc(self, conf, body):
        req = json.loads(body or b"{}")
        if req.get("grantType") != "refresh_token" or not req.get("refreshToken"):
            return self.reply(400, {"error": "invalid_request"})
        if conf.get("status", 200) != 200:
            return self.reply(conf["status"], {"error": "invalid_grant"})
        self.reply(200, {"accessToken": conf.get("access_token", "refreshed-access-token"),
                         "expiresIn": conf.get("expires_in", 28800),
                         "refreshToken": conf.get("refresh_token", "new-refresh-token"),
                         "tokenType": "Bearer"})

    def sso(self, conf, headers, query):
        q = dict(urllib.parse.parse_qsl(query))
        if headers.get("x-amz-sso_bearer_token") != conf.get("expect_token", "cached-access-token"):
            return self.reply(401, {"message": "Session token not found or invalid"},
                              extra={"x-amzn-ErrorType": "UnauthorizedException"})
        if q.get("role_name") != conf.get("role_name", "Dev") or \
                q.get("account_id") != conf.get("account_id", "123456789012"):
            return self.reply(403, {"message": "No access"},
                              extra={"x-amzn-ErrorType": "ForbiddenException"})
        exp_ms = conf.get("expiration_ms")
        if exp_ms is None:
            exp_ms = int((datetime.datetime.now(datetime.timezone.utc).timestamp() + 3600) * 1000)
        self.reply(200, {"roleCredentials": {"accessKeyId": "ASIASSOFAKE00001",
                                             "secretAccessKey": "sso-secret",
                                             "sessionToken": "sso-token",
                                             "expiration": exp_ms}})


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
