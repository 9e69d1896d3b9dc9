#!/usr/bin/env python3
"""A loopback fake of the Google endpoints that credential providers call:
the OAuth token endpoint (the JWT-bearer grant, whose RS256 signature and
claims it verifies with the service account's public key, and the
refresh-token grant), Google STS (RFC 8693 token exchange, checking the
subject token, or for AWS-sourced ones the serialized GetCallerIdentity
request and its SigV4 signature), IAM Credentials generateAccessToken
(checking the source bearer), the metadata server (Metadata-Flavor required
both ways), a subject-token URL and the AWS metadata URLs of the "aws1"
credential source.

Usage: fake_google.py --state STATE.json --log LOG.jsonl
On start it makes a fresh RSA key (test data, never a real account's) and
writes credentials files of every type next to the state file, all
pointing at itself (see write_files), then prints "PORT <n>". The state
file is re-read on every request, so a test changes the fake's behaviour
by rewriting it; every request is appended to the log as one JSON line,
secrets redacted. Stops on SIGTERM, or by itself after --lifetime seconds.
Python 3 standard library plus `cryptography` (python3-cryptography).

Workforce identity's refresh grant (external_account_authorized_user) is
at /sts/v1/oauthtoken, the client in HTTP Basic authentication only.

State (all optional), per endpoint "token", "sts", "oauthtoken", "iam", "metadata":
  {"status": 400, "error": "...", "error_description": "..."}  refuse
  {"fail_times": n}        answer 503 to the first n requests, then work
  {"expires_in": s}        the lifetime of the tokens issued
  {"delay": s}             wait before answering
"metadata" also takes {"flavor": false} (no Metadata-Flavor in answers)
and {"project": "...", "email": "..."}; "subject" takes {"status": n,
"require_header": "value of X-Test"}; "aws" takes {"require_token": true}.
"""
import argparse
import base64
import datetime
import hashlib
import hmac
import json
import os
import signal
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa

ARGS = None
LOCK = threading.Lock()
KEY = None
PORT = 0
ISSUED = set()
COUNTERS = {}
STATE_TEXT = [None]

SCOPE = "https://www.googleapis.com/auth/cloud-platform"
SA_EMAIL = "sa-test@proj-test.iam.gserviceaccount.com"
KEY_ID = "0123456789abcdef0123456789abcdef4d2e"
USER = {"client_id": "user-client-id.apps.googleusercontent.com",
        "client_secret": "user-client-secret-xyz", "refresh_token": "1//user-refresh-token"}
TARGET_SA = "target@proj-test.iam.gserviceaccount.com"
AUDIENCE = "//iam.googleapis.com/projects/123/locations/global/workloadIdentityPools/p/providers/q"
SUBJECT = "subject-token-abc"
AWS_KEY, AWS_SECRET, AWS_TOKEN = "ASIAGOOGLEFAKE01", "aws-fake-secret", "aws-fake-session"
SECRET_FIELDS = ("assertion", "client_secret", "refresh_token", "subject_token")
WORKFORCE = {"client_id": "workforce-client-id", "client_secret": "workforce-client-secret-q7",
             "refresh_token": "workforce-refresh-token-k3"}
WORKFORCE_AUDIENCE = "//iam.googleapis.com/locations/global/workforcePools/pool/providers/prov"


def b64url_decode(s):
    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


def state():
    try:
        with open(ARGS.state) as f:
            text = f.read()
    except OSError:
        return {}
    with LOCK:
        if text != STATE_TEXT[0]:
            STATE_TEXT[0] = text
            COUNTERS.clear()
    try:
        return json.loads(text)
    except ValueError:
        return {}


def count(name):
    with LOCK:
        COUNTERS[name] = COUNTERS.get(name, 0) + 1
        return COUNTERS[name]


def issue(kind):
    with LOCK:
        tok = "ya29.%s-%d" % (kind, len(ISSUED) + 1)
        ISSUED.add(tok)
    return tok


def base():
    return "http://127.0.0.1:%d" % PORT


def write_files(d):
    """Credentials files of every type, and keys for the bad-key tests."""
    pem = KEY.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    sa = {"type": "service_account", "project_id": "proj-sa", "private_key_id": KEY_ID,
          "private_key": pem, "client_email": SA_EMAIL, "client_id": "1234567890",
          "token_uri": base() + "/token", "universe_domain": "googleapis.com"}
    user = dict(USER, type="authorized_user", quota_project_id="proj-quota",
                token_uri=base() + "/token")
    imp_url = base() + "/iam/v1/projects/-/serviceAccounts/%s:generateAccessToken" % TARGET_SA

    def external(source, **extra):
        e = {"type": "external_account", "audience": AUDIENCE,
             "subject_token_type": "urn:ietf:params:oauth:token-type:jwt",
             "token_url": base() + "/sts/v1/token", "credential_source": source}
        e.update(extra)
        return e

    files = {
        "sa.json": sa,
        "user.json": user,
        "impersonated.json": {"type": "impersonated_service_account",
                              "service_account_impersonation_url": imp_url,
                              "delegates": ["projects/-/serviceAccounts/hop@proj-test.iam.gserviceaccount.com"],
                              "source_credentials": sa, "quota_project_id": "proj-imp-quota"},
        "impersonated_user.json": {"type": "impersonated_service_account",
                                   "service_account_impersonation_url": imp_url,
                                   "source_credentials": user},
        "external_file.json": external({"file": os.path.join(d, "subject.txt")}),
        "external_json.json": external({"file": os.path.join(d, "subject.json"),
                                        "format": {"type": "json",
                                                   "subject_token_field_name": "id_token"}}),
        "external_url.json": external({"url": base() + "/subject",
                                       "headers": {"X-Test": "subject-header"}}),
        "external_imp.json": external({"file": os.path.join(d, "subject.txt")},
                                      service_account_impersonation_url=imp_url,
                                      service_account_impersonation={"token_lifetime_seconds": 1800}),
        "external_user.json": dict(WORKFORCE, type="external_account_authorized_user",
                                   audience=WORKFORCE_AUDIENCE,
                                   token_url=base() + "/sts/v1/oauthtoken",
                                   token_info_url=base() + "/sts/v1/introspect",
                                   revoke_url=base() + "/sts/v1/revoke",
                                   quota_project_id="proj-workforce"),
        "external_exec.json": external({"executable": {
            "command": os.path.join(d, "subject_exec.sh") + " --flag",
            "timeout_millis": 5000, "output_file": os.path.join(d, "exec_out.json")}},
            subject_token_type="urn:ietf:params:oauth:token-type:id_token"),
        "external_aws.json": external({
            "environment_id": "aws1",
            "region_url": base() + "/latest/meta-data/placement/availability-zone",
            "url": base() + "/latest/meta-data/iam/security-credentials",
            "regional_cred_verification_url":
                "https://sts.{region}.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15",
            "imdsv2_session_token_url": base() + "/latest/api/token"},
            subject_token_type="urn:ietf:params:aws:token-type:aws4_request"),
    }
    for name, doc in files.items():
        with open(os.path.join(d, name), "w") as f:
            json.dump(doc, f, indent=2)
    with open(os.path.join(d, "subject.txt"), "w") as f:
        f.write(SUBJECT + "\n")
    with open(os.path.join(d, "subject.json"), "w") as f:
        json.dump({"id_token": SUBJECT, "other": 1}, f)
    # Keys that are not an RSA private key in PEM, or not readable without a pass phrase.
    eck = ec.generate_private_key(ec.SECP256R1())
    keys = {
        "ec_key.pem": eck.private_bytes(serialization.Encoding.PEM,
                                        serialization.PrivateFormat.PKCS8,
                                        serialization.NoEncryption()),
        "rsa_public.pem": KEY.public_key().public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo),
        "rsa_pkcs1.pem": KEY.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.TraditionalOpenSSL,
                                           serialization.NoEncryption()),
        "rsa_encrypted.pem": KEY.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(b"pass phrase")),
    }
    for name, data in keys.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)


def verify_jwt(assertion):
    """None if the assertion is what a service account must send, else why not."""
    parts = assertion.split(".")
    if len(parts) != 3:
        return "not a JWT"
    try:
        header = json.loads(b64url_decode(parts[0]))
        claims = json.loads(b64url_decode(parts[1]))
        sig = b64url_decode(parts[2])
    except ValueError:
        return "undecodable JWT"
    if any(c in p for p in parts for c in "=+/"):
        return "not base64url without padding"
    if header.get("alg") != "RS256" or header.get("typ") != "JWT":
        return "header alg/typ %r" % header
    if header.get("kid") != KEY_ID:
        return "kid %r is not the key's id" % header.get("kid")
    try:
        KEY.public_key().verify(sig, (parts[0] + "." + parts[1]).encode(), padding.PKCS1v15(),
                                hashes.SHA256())
    except InvalidSignature:
        return "Invalid JWT Signature."
    now = time.time()
    if claims.get("iss") != SA_EMAIL:
        return "iss %r" % claims.get("iss")
    if claims.get("aud") != base() + "/token":
        return "aud %r" % claims.get("aud")
    if claims.get("scope") != SCOPE:
        return "scope %r" % claims.get("scope")
    iat, exp = claims.get("iat"), claims.get("exp")
    if not isinstance(iat, int) or not isinstance(exp, int):
        return "iat/exp are not integers"
    if abs(iat - now) > 60:
        return "iat is not now"
    if not 0 < exp - iat <= 3600:
        return "exp is not within an hour of iat"
    if "sub" in claims and claims["sub"] != SA_EMAIL:
        return "sub %r" % claims["sub"]
    return None


def sigv4_problem(method, url, headers, secret):
    """Checks a serialized AWS request's signature independently."""
    u = urllib.parse.urlsplit(url)
    auth = headers.get("authorization", "")
    if not auth.startswith("AWS4-HMAC-SHA256 "):
        return "no SigV4 Authorization"
    parts = dict(p.strip().split("=", 1) for p in auth[len("AWS4-HMAC-SHA256 "):].split(","))
    scope = parts["Credential"].split("/")
    if scope[0] != AWS_KEY:
        return "access key %s" % scope[0]
    date, region, service = scope[1], scope[2], scope[3]
    if service != "sts" or "sts.%s.amazonaws.com" % region != u.hostname:
        return "scope %s/%s does not match the host %s" % (region, service, u.hostname)
    signed = parts["SignedHeaders"].split(";")
    for need in ("host", "x-amz-date"):
        if need not in signed:
            return need + " is not signed"
    pairs = urllib.parse.parse_qsl(u.query, keep_blank_values=True)
    canon_query = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"),
                                      urllib.parse.quote(v, safe="-_.~")) for k, v in sorted(pairs))
    canon_headers = "".join("%s:%s\n" % (h, " ".join(headers.get(h, "").split())) for h in signed)
    creq = "\n".join([method, u.path or "/", canon_query, canon_headers, ";".join(signed),
                      hashlib.sha256(b"").hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", headers.get("x-amz-date", ""), "/".join(scope[1:]),
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in (date, region, service, "aws4_request"):
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    if not hmac.compare_digest(hmac.new(k, sts.encode(), hashlib.sha256).hexdigest(),
                               parts["Signature"]):
        return "signature mismatch"
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
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        url = urllib.parse.urlsplit(self.path)
        headers = {k.lower(): v for k, v in self.headers.items()}
        form = dict(urllib.parse.parse_qsl(body.decode("utf-8", "replace")))
        logged = {k: ("REDACTED" if k in SECRET_FIELDS else v) for k, v in form.items()}
        with LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({
                "method": self.command, "path": url.path, "query": url.query,
                "headers": {k: ("REDACTED" if k in ("authorization", "x-aws-ec2-metadata-token")
                                else v) for k, v in headers.items()},
                "auth_scheme": headers.get("authorization", " ").split(" ")[0],
                "form": logged,
                "json": body.decode("utf-8", "replace") if "json" in headers.get(
                    "content-type", "") else None,
                "time": time.time()}) + "\n")
        st = state()
        p = url.path
        if p == "/token" and self.command == "POST":
            return self.token(st.get("token", {}), form)
        if p == "/sts/v1/token" and self.command == "POST":
            return self.sts(st.get("sts", {}), form, headers)
        if p == "/sts/v1/oauthtoken" and self.command == "POST":
            return self.workforce(st.get("oauthtoken", {}), form, headers)
        if p.startswith("/iam/v1/") and self.command == "POST":
            return self.iam(st.get("iam", {}), p, headers, body)
        if p.startswith("/computeMetadata/v1/"):
            return self.metadata(st.get("metadata", {}), p, url.query, headers)
        if p == "/subject":
            return self.subject(st.get("subject", {}), headers)
        if p.startswith("/latest/"):
            return self.aws(st.get("aws", {}), p, headers)
        self.reply(404, {"error": "not_found", "error_description": "no route " + p})

    do_GET = do_PUT = do_POST = handle_any

    def scripted(self, conf, name):
        """Delay, scripted refusals and transient failures. True if answered."""
        if conf.get("delay"):
            time.sleep(conf["delay"])
        if conf.get("fail_times") and count(name) <= conf["fail_times"]:
            self.reply(503, {"error": "temporarily_unavailable",
                             "error_description": "try again"})
            return True
        if conf.get("status"):
            if name == "iam":
                self.reply(conf["status"], {"error": {"code": conf["status"],
                                                      "message": conf.get("error_description", "no"),
                                                      "status": conf.get("error", "PERMISSION_DENIED")}})
            else:
                self.reply(conf["status"], {"error": conf.get("error", "invalid_grant"),
                                            "error_description": conf.get("error_description",
                                                                          "refused")})
            return True
        return False

    def oauth_error(self, error, desc, status=400):
        self.reply(status, {"error": error, "error_description": desc})

    def token(self, conf, form):
        if self.headers.get("Content-Type", "").split(";")[0] != "application/x-www-form-urlencoded":
            return self.oauth_error("invalid_request", "not a form")
        if self.scripted(conf, "token"):
            return
        grant = form.get("grant_type")
        if grant == "urn:ietf:params:oauth:grant-type:jwt-bearer":
            problem = verify_jwt(form.get("assertion", ""))
            if problem:
                return self.oauth_error("invalid_grant", problem)
            kind = "sa"
        elif grant == "refresh_token":
            for k, v in USER.items():
                if form.get(k) != v:
                    return self.oauth_error("invalid_grant" if k == "refresh_token" else
                                            "invalid_client", "bad " + k)
            kind = "user"
        else:
            return self.oauth_error("unsupported_grant_type", "grant %r" % grant)
        self.reply(200, {"access_token": issue(kind), "expires_in": conf.get("expires_in", 3599),
                         "token_type": "Bearer", "scope": SCOPE})

    def sts(self, conf, form, headers):
        if self.scripted(conf, "sts"):
            return
        want = {"grant_type": "urn:ietf:params:oauth:grant-type:token-exchange",
                "audience": AUDIENCE, "scope": SCOPE,
                "requested_token_type": "urn:ietf:params:oauth:token-type:access_token"}
        for k, v in want.items():
            if form.get(k) != v:
                return self.oauth_error("invalid_request", "%s is %r" % (k, form.get(k)))
        stype = form.get("subject_token_type")
        subject = form.get("subject_token", "")
        if stype == "urn:ietf:params:aws:token-type:aws4_request":
            try:
                req = json.loads(urllib.parse.unquote(subject))
            except ValueError:
                return self.oauth_error("invalid_grant", "the AWS subject token is not JSON")
            hdrs = {h["key"].lower(): h["value"] for h in req.get("headers", [])}
            keys = [h["key"] for h in req.get("headers", [])]
            if keys != sorted(keys) or req.get("method") != "POST":
                return self.oauth_error("invalid_grant", "headers unsorted or method not POST")
            if hdrs.get("x-goog-cloud-target-resource") != AUDIENCE:
                return self.oauth_error("invalid_grant", "x-goog-cloud-target-resource")
            if hdrs.get("x-amz-security-token") != conf.get("aws_token", AWS_TOKEN):
                return self.oauth_error("invalid_grant", "x-amz-security-token")
            want_url = "https://sts.%s.amazonaws.com?Action=GetCallerIdentity&Version=2011-06-15" % \
                conf.get("aws_region", "us-east-2")
            if req.get("url") != want_url:
                return self.oauth_error("invalid_grant", "url %r" % req.get("url"))
            problem = sigv4_problem("POST", req["url"], hdrs, AWS_SECRET)
            if problem:
                return self.oauth_error("invalid_grant", "AWS signature: " + problem)
        elif stype in ("urn:ietf:params:oauth:token-type:jwt",
                       "urn:ietf:params:oauth:token-type:id_token"):
            if subject != conf.get("subject", SUBJECT):
                return self.oauth_error("invalid_grant", "bad subject token")
        else:
            return self.oauth_error("invalid_request", "subject_token_type %r" % stype)
        if conf.get("client_auth"):
            want_auth = "Basic " + base64.b64encode(conf["client_auth"].encode()).decode()
            if headers.get("authorization") != want_auth:
                return self.oauth_error("invalid_client", "client authentication")
        self.reply(200, {"access_token": issue("sts"), "expires_in": conf.get("expires_in", 3600),
                         "issued_token_type": "urn:ietf:params:oauth:token-type:access_token",
                         "token_type": "Bearer"})

    def workforce(self, conf, form, headers):
        """The refresh grant of external_account_authorized_user: the client
        authenticates with HTTP Basic, never in the form."""
        if self.scripted(conf, "oauthtoken"):
            return
        pair = WORKFORCE["client_id"] + ":" + WORKFORCE["client_secret"]
        if headers.get("authorization") != "Basic " + base64.b64encode(pair.encode()).decode():
            return self.oauth_error("invalid_client", "client authentication", 401)
        if "client_id" in form or "client_secret" in form:
            return self.oauth_error("invalid_request", "the client is in the form")
        if form.get("grant_type") != "refresh_token":
            return self.oauth_error("unsupported_grant_type", "grant %r" % form.get("grant_type"))
        if form.get("refresh_token") != WORKFORCE["refresh_token"]:
            return self.oauth_error("invalid_grant", "bad refresh_token")
        self.reply(200, {"access_token": issue("wf"), "expires_in": conf.get("expires_in", 3600),
                         "token_type": "Bearer"})

    def iam(self, conf, path, headers, body):
        if self.scripted(conf, "iam"):
            return
        if not path.endswith(":generateAccessToken") or "/serviceAccounts/" not in path:
            return self.reply(404, {"error": {"code": 404, "message": "no such method",
                                              "status": "NOT_FOUND"}})
        auth = headers.get("authorization", "")
        if not auth.startswith("Bearer ") or auth[7:] not in ISSUED or \
                auth[7:].startswith("ya29.imp-"):
            return self.reply(401, {"error": {"code": 401, "message": "Request had invalid "
                                              "authentication credentials.",
                                              "status": "UNAUTHENTICATED"}})
        want_source = conf.get("source_prefix")
        if want_source and not auth[7:].startswith(want_source):
            return self.reply(403, {"error": {"code": 403, "message": "wrong source",
                                              "status": "PERMISSION_DENIED"}})
        try:
            req = json.loads(body)
        except ValueError:
            return self.reply(400, {"error": {"code": 400, "message": "not JSON",
                                              "status": "INVALID_ARGUMENT"}})
        if req.get("scope") != [SCOPE]:
            return self.reply(400, {"error": {"code": 400, "message": "scope %r" % req.get("scope"),
                                              "status": "INVALID_ARGUMENT"}})
        if "delegates" in conf and req.get("delegates") != conf["delegates"]:
            return self.reply(400, {"error": {"code": 400, "message": "delegates",
                                              "status": "INVALID_ARGUMENT"}})
        life = req.get("lifetime", "3600s")
        if life != conf.get("lifetime", life) or not life.endswith("s"):
            return self.reply(400, {"error": {"code": 400, "message": "lifetime %r" % life,
                                              "status": "INVALID_ARGUMENT"}})
        secs = conf.get("expires_in", int(life[:-1]))
        exp = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=secs)
        self.reply(200, {"accessToken": issue("imp"),
                         "expireTime": exp.strftime("%Y-%m-%dT%H:%M:%SZ")})

    def metadata(self, conf, path, query, headers):
        extra = {} if conf.get("flavor") is False else {"Metadata-Flavor": "Google"}
        if headers.get("metadata-flavor") != "Google":
            return self.reply(403, "Missing Metadata-Flavor:Google header.", "text/html", extra)
        if conf.get("delay"):
            time.sleep(conf["delay"])
        sub = path[len("/computeMetadata/v1/"):]
        if sub == "instance/service-accounts/default/token":
            if conf.get("status"):
                return self.reply(conf["status"], "error", "text/plain", extra)
            scopes = urllib.parse.parse_qs(query).get("scopes", [""])[0]
            if scopes != SCOPE:
                return self.reply(400, "scopes %r" % scopes, "text/plain", extra)
            return self.reply(200, {"access_token": issue("md"),
                                    "expires_in": conf.get("expires_in", 3599),
                                    "token_type": "Bearer"}, extra=extra)
        if sub == "instance/service-accounts/default/email":
            return self.reply(200, conf.get("email", "1234-compute@developer.gserviceaccount.com"),
                              "application/text", extra)
        if sub == "project/project-id":
            if "project" in conf and conf["project"] is None:
                return self.reply(404, "not found", "text/plain", extra)
            return self.reply(200, conf.get("project", "proj-md"), "application/text", extra)
        self.reply(404, "not found", "text/plain", extra)

    def subject(self, conf, headers):
        if conf.get("status"):
            return self.reply(conf["status"], "no", "text/plain")
        if headers.get("x-test") != conf.get("require_header", "subject-header"):
            return self.reply(401, "missing X-Test", "text/plain")
        self.reply(200, conf.get("body", SUBJECT), "text/plain")

    def aws(self, conf, path, headers):
        token = conf.get("session_token", "imds-session-1")
        if path == "/latest/api/token":
            if self.command != "PUT" or "x-aws-ec2-metadata-token-ttl-seconds" not in headers:
                return self.reply(400, "", "text/plain")
            return self.reply(200, token, "text/plain")
        if conf.get("require_token", True) and headers.get("x-aws-ec2-metadata-token") != token:
            return self.reply(401, "", "text/plain")
        if path == "/latest/meta-data/placement/availability-zone":
            return self.reply(200, conf.get("zone", "us-east-2b"), "text/plain")
        if path == "/latest/meta-data/iam/security-credentials":
            return self.reply(200, "fake-role", "text/plain")
        if path == "/latest/meta-data/iam/security-credentials/fake-role":
            return self.reply(200, {"Code": "Success", "AccessKeyId": AWS_KEY,
                                    "SecretAccessKey": AWS_SECRET, "Token": AWS_TOKEN,
                                    "Expiration": "2099-01-01T00:00:00Z"})
        self.reply(404, "", "text/plain")


def main():
    global ARGS, KEY, PORT
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ARGS = ap.parse_args()
    KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    PORT = srv.server_address[1]
    write_files(os.path.dirname(os.path.abspath(ARGS.state)))
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    print("PORT %d" % PORT, flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
