#!/usr/bin/env python3
"""`bedrock emulate` as Vertex AI and as Google's metadata server and token
endpoint, over real HTTP: the metadata routes and their flavor header, the
JWT-bearer grant (RS256 JWTs signed by the openssl tool with a key made
here) and the refresh grant, malformed assertions refused, tokens required
and never logged; rawPredict, streamRawPredict (vertex_event) and
count-tokens under /v1, /v1beta1 and no version; Google's error shape
(array-wrapped on the streaming endpoint) and Anthropic's; every fault;
the publisher model logging configuration.
Usage: test_emulate_vertex.py BEDROCK_BINARY VECTORS_DIR"""
import base64
import http.client
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time
import urllib.parse
from checks import check, summary

BIN = sys.argv[1]
PROJECT = "emulator-project"
SONNET = "claude-sonnet-4-5@20250929"
GIVEN = "test-given-google-token-0f3a"
WORK = tempfile.mkdtemp(prefix="bedrock-vertex-")


class Emulator:
    def __init__(self, *args, quiet=True):
        self.p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0"]
                                  + (["--quiet"] if quiet else []) + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"^listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            raise RuntimeError("bad first line %r: %s" % (line, self.p.stderr.read()))
        self.port = int(m.group(1))

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        if isinstance(body, (dict, list)):
            body = json.dumps(body)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            code = self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            code = -1
        self.stderr = self.p.stderr.read()
        return code


MD = {"Metadata-Flavor": "Google"}


def md(e, path, headers=MD):
    return e.request("GET", "/computeMetadata/v1/" + path, headers=headers)


def metadata(e):
    st, h, d = md(e, "instance")
    check("metadata: the probe path answers with the flavor header",
          st == 200 and h.get("metadata-flavor") == "Google" and b"service-accounts/" in d, (st, h, d))
    st, h, d = e.request("GET", "/computeMetadata/v1/project/project-id")
    check("metadata: no Metadata-Flavor, 403 (the answer still says Google)",
          st == 403 and h.get("metadata-flavor") == "Google" and b"Metadata-Flavor" in d, (st, h, d))
    st, h, d = md(e, "project/project-id", {"Metadata-Flavor": "google"})
    check("metadata: the flavor value is exact", st == 403, (st, d))
    st, h, d = md(e, "project/project-id", {"Metadata-Flavor": "Google", "X-Forwarded-For": "1.2.3.4"})
    check("metadata: a proxied request is refused", st == 403, (st, d))
    st, h, d = md(e, "project/project-id")
    check("metadata: project-id", st == 200 and d == PROJECT.encode()
          and h.get("content-type") == "application/text", (st, h, d))
    st, h, num = md(e, "project/numeric-project-id")
    check("metadata: numeric-project-id is 12 digits", st == 200 and re.fullmatch(rb"[1-9]\d{11}", num), num)
    st, h, email = md(e, "instance/service-accounts/default/email")
    check("metadata: the default service account's email",
          st == 200 and email == num + b"-compute@developer.gserviceaccount.com", email)
    st, h, d = md(e, "instance/service-accounts/default/token?scopes="
                  + urllib.parse.quote("https://www.googleapis.com/auth/cloud-platform"))
    tok = json.loads(d or b"{}")
    check("metadata: the token", st == 200 and h.get("content-type") == "application/json"
          and h.get("metadata-flavor") == "Google"
          and re.fullmatch(r"ya29\.emulator-[A-Za-z0-9_-]{43}", tok.get("access_token", ""))
          and tok.get("token_type") == "Bearer" and 3000 < tok.get("expires_in", 0) <= 3600, (st, tok))
    st, h, d = md(e, "instance/service-accounts/%s/token" % email.decode())
    check("metadata: the same token under the account's email",
          st == 200 and json.loads(d)["access_token"] == tok["access_token"], d)
    st, h, d = md(e, "instance/service-accounts/default/?recursive=true")
    sa = json.loads(d or b"{}")
    check("metadata: the account, recursive", st == 200 and sa == {
        "aliases": ["default"], "email": email.decode(),
        "scopes": ["https://www.googleapis.com/auth/cloud-platform"]}, d)
    st, h, d = md(e, "project/?recursive=true")
    check("metadata: the project, recursive, camelCase",
          st == 200 and json.loads(d) == {"attributes": {}, "numericProjectId": int(num), "projectId": PROJECT}, d)
    st, h, d = md(e, "?recursive=true")
    tree = json.loads(d or b"{}")
    check("metadata: everything, recursive, no token in it",
          st == 200 and tree["universe"]["universeDomain"] == "googleapis.com"
          and email.decode() in tree["instance"]["serviceAccounts"] and b"ya29" not in d, d)
    st, h, d = md(e, "instance/service-accounts/default/")
    check("metadata: a directory lists its entries",
          st == 200 and d.decode().split() == ["aliases", "email", "identity", "scopes", "token"], d)
    st, h, d = md(e, "instance/service-accounts/default/scopes")
    check("metadata: a list leaf, one a line", d == b"https://www.googleapis.com/auth/cloud-platform\n", d)
    st, h, d = md(e, "project/project-id?alt=json")
    check("metadata: alt=json", st == 200 and json.loads(d) == PROJECT, d)
    st, h, d = md(e, "instance/attributes/cluster-name")
    check("metadata: no GKE cluster (404, flavored)", st == 404 and h.get("metadata-flavor") == "Google", st)
    st, h, d = md(e, "project/project-id/")
    check("metadata: a leaf is not a directory", st == 404, st)
    st, h, d = e.request("POST", "/computeMetadata/v1/project/project-id", headers=MD)
    check("metadata: GET only", st == 405, st)
    st, h, d = e.request("GET", "/", headers=MD)
    check("metadata: the ping at / (google-auth for Python)",
          st == 200 and h.get("metadata-flavor") == "Google" and d == b"computeMetadata/\n", (st, d))
    return tok["access_token"]


# ---- the token endpoint -----------------------------------------------------

def b64url(b):
    return base64.urlsafe_b64encode(b).rstrip(b"=").decode()


KEY = os.path.join(WORK, "sa.pem")
subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                "-out", KEY], check=True, capture_output=True)


def jwt(header=None, claims=None, sign=True, drop=(), **over):
    now = int(time.time())
    h = {"alg": "RS256", "typ": "JWT", "kid": "0123456789abcdef"} if header is None else header
    c = {"iss": "sa@%s.iam.gserviceaccount.com" % PROJECT,
         "scope": "https://www.googleapis.com/auth/cloud-platform",
         "aud": "https://oauth2.googleapis.com/token", "iat": now, "exp": now + 3600}
    c.update(claims or {})
    for k in drop:
        c.pop(k)
    signing = b64url(json.dumps(h).encode()) + "." + b64url(json.dumps(c).encode())
    if not sign:
        return signing + "." + b64url(b"\x00" * 16)
    sig = subprocess.run(["openssl", "dgst", "-sha256", "-sign", KEY], input=signing.encode(),
                         check=True, capture_output=True).stdout
    return signing + "." + b64url(sig)


FORM = {"Content-Type": "application/x-www-form-urlencoded"}
JWT_GRANT = "urn:ietf:params:oauth:grant-type:jwt-bearer"


def post_token(e, fields, path="/token", headers=FORM):
    st, h, d = e.request("POST", path, urllib.parse.urlencode(fields), headers)
    try:
        return st, h, json.loads(d)
    except ValueError:
        return st, h, {"raw": d}


def token_endpoint(e):
    tokens = []
    st, h, d = post_token(e, {"grant_type": JWT_GRANT, "assertion": jwt()})
    check("token: a service account's RS256 JWT gets a token",
          st == 200 and re.fullmatch(r"ya29\.emulator-[A-Za-z0-9_-]{43}", d.get("access_token", ""))
          and d.get("token_type") == "Bearer" and d.get("expires_in") == 3599
          and "no-store" in h.get("cache-control", ""), (st, d))
    tokens.append(d.get("access_token"))
    st, h, d = post_token(e, {"grant_type": JWT_GRANT, "assertion": jwt(claims={"aud": "http://127.0.0.1/token"})},
                          path="/oauth2/v4/token")
    check("token: /oauth2/v4/token, and aud naming this endpoint", st == 200 and "access_token" in d, (st, d))
    tokens.append(d.get("access_token"))
    check("token: every grant mints a new token", len(set(tokens)) == 2, tokens)
    bad = [
        ("not three parts", "abc.def", "invalid_grant"),
        ("four parts", jwt() + ".x", "invalid_grant"),
        ("alg none", jwt(header={"alg": "none", "typ": "JWT"}), "invalid_grant"),
        ("alg HS256", jwt(header={"alg": "HS256", "typ": "JWT"}), "invalid_grant"),
        ("typ not JWT", jwt(header={"alg": "RS256", "typ": "JWS"}), "invalid_grant"),
        ("no scope", jwt(drop=("scope",)), "invalid_scope"),
        ("no aud", jwt(drop=("aud",)), "invalid_grant"),
        ("aud elsewhere", jwt(claims={"aud": "https://example.com/api"}), "invalid_grant"),
        ("iss not an email", jwt(claims={"iss": "someone"}), "invalid_grant"),
        ("no exp", jwt(drop=("exp",)), "invalid_grant"),
        ("lives over an hour", jwt(claims={"exp": int(time.time()) + 7200}), "invalid_grant"),
        ("expired", jwt(claims={"iat": int(time.time()) - 4000, "exp": int(time.time()) - 400}), "invalid_grant"),
        ("from the future", jwt(claims={"iat": int(time.time()) + 3000, "exp": int(time.time()) + 6000}),
         "invalid_grant"),
        ("a 16-byte signature", jwt(sign=False), "invalid_grant"),
        ("padding in base64url", jwt() + "==", "invalid_grant"),
        ("standard base64 characters", jwt().replace("-", "+").replace("_", "/") + "+/", "invalid_grant"),
    ]
    for name, assertion, error in bad:
        st, h, d = post_token(e, {"grant_type": JWT_GRANT, "assertion": assertion})
        check("token: refused, %s" % name, st == 400 and d.get("error") == error
              and d.get("error_description") and assertion not in json.dumps(d), (st, d))
    st, h, d = post_token(e, {"grant_type": JWT_GRANT})
    check("token: no assertion", st == 400 and d.get("error") == "invalid_request", d)
    refresh = {"grant_type": "refresh_token", "refresh_token": "1//0g-refresh/token+x",
               "client_id": "764086051850-x.apps.googleusercontent.com", "client_secret": "d-FL95Q"}
    st, h, d = post_token(e, refresh)
    check("token: the refresh grant", st == 200 and d.get("access_token", "").startswith("ya29.emulator-")
          and d.get("scope") == "https://www.googleapis.com/auth/cloud-platform", (st, d))
    tokens.append(d.get("access_token"))
    basic = base64.b64encode(b"764086051850-x.apps.googleusercontent.com:d-FL95Q").decode()
    st, h, d = post_token(e, {"grant_type": "refresh_token", "refresh_token": "r"},
                          headers=dict(FORM, Authorization="Basic " + basic))
    check("token: the refresh grant with HTTP Basic client authentication", st == 200, (st, d))
    for name, drop, want in [("no refresh_token", "refresh_token", (400, "invalid_request")),
                             ("no client_id", "client_id", (401, "invalid_client")),
                             ("no client_secret", "client_secret", (401, "invalid_client"))]:
        f = dict(refresh)
        f.pop(drop)
        st, h, d = post_token(e, f)
        check("token: refresh refused, %s" % name, (st, d.get("error")) == want
              and d.get("error_description") and "1//0g" not in json.dumps(d)
              and "d-FL95Q" not in json.dumps(d), (st, d))
    st, h, d = post_token(e, {"grant_type": "client_credentials"})
    check("token: unsupported grant", st == 400 and d.get("error") == "unsupported_grant_type", d)
    st, h, d = post_token(e, {"assertion": jwt()})
    check("token: no grant_type", st == 400 and d.get("error") == "invalid_request", d)
    st, h, d = post_token(e, {"grant_type": JWT_GRANT, "assertion": jwt()},
                          headers={"Content-Type": "application/json"})
    check("token: form-encoded only", st == 400 and d.get("error") == "invalid_request", d)
    st, h, d = e.request("GET", "/token")
    check("token: POST only", st == 405 and h.get("allow") == "POST", st)
    return tokens


# ---- Vertex -------------------------------------------------------------------

def path(model=SONNET, verb="rawPredict", prefix="/v1", project=PROJECT, location="us-east5"):
    return "%s/projects/%s/locations/%s/publishers/anthropic/models/%s:%s" % (
        prefix, project, location, urllib.parse.quote(model, safe="@"), verb)


def body(text="Hello, world", **more):
    b = {"anthropic_version": "vertex-2023-10-16", "max_tokens": 100,
         "messages": [{"role": "user", "content": text}]}
    b.update(more)
    return b


def events(data):
    out = []
    for block in data.decode().split("\n\n"):
        name = re.search(r"^event: (.*)$", block, re.M)
        payload = re.search(r"^data: (.*)$", block, re.M)
        if name:
            out.append((name.group(1), payload.group(1) if payload else ""))
    return out


def google_error(d, status, code, array=False):
    try:
        j = json.loads(d)
    except ValueError:
        return False
    if array:
        if not isinstance(j, list) or len(j) != 1:
            return False
        j = j[0]
    return isinstance(j, dict) and j.get("error", {}).get("status") == status and j["error"].get("code") == code \
        and isinstance(j["error"].get("message"), str)


def anthropic_error(d, typ):
    j = json.loads(d)
    return j.get("type") == "error" and j["error"]["type"] == typ and j.get("request_id", "").startswith("req_vrtx_")


def vertex(e, token):
    auth = {"Authorization": "Bearer " + token, "Content-Type": "application/json"}
    answers = {}
    for prefix in ("/v1", "/v1beta1", ""):
        st, h, d = e.request("POST", path(prefix=prefix), body(), auth)
        j = json.loads(d or b"{}")
        check("vertex: rawPredict under %r" % (prefix or "no version"),
              st == 200 and j.get("content", [{}])[0].get("text") == "You said: Hello, world"
              and j.get("model") == "claude-sonnet-4-5-20250929" and j.get("id", "").startswith("msg_vrtx_01")
              and re.fullmatch(r"req_vrtx_011[A-Za-z0-9]{21}", h.get("request-id", ""))
              and h.get("x-vertex-ai-internal-prediction-backend") == "harpoon", (st, h, d))
        answers[prefix] = j
    check("vertex: the same answer on every prefix", answers["/v1"] == answers[""] == answers["/v1beta1"])
    st, h, d = e.request("POST", "/v1/messages", json.dumps(dict(body(), model="claude-sonnet-4-5-20250929")),
                         {"x-api-key": "sk-ant-emulator-key"})
    api = json.loads(d)
    check("vertex: the Anthropic API front says the same",
          st == 200 and api["content"] == answers["/v1"]["content"] and api["usage"] == answers["/v1"]["usage"], d)
    st, h, d = e.request("POST", path(model="claude-sonnet-4-5", location="global"), body(), auth)
    check("vertex: the publisher model without its version, on global", st == 200, (st, d))
    st, h, d = e.request("POST", path(model="claude-opus-4-6", location="eu"), body(anthropic_version="2026-10-21"), auth)
    check("vertex: an undated id; an API version date in anthropic_version", st == 200
          and json.loads(d)["model"] == "claude-opus-4-6", (st, d))
    enc = path().replace("@", "%40").replace(":rawPredict", "%3ArawPredict")
    st, h, d = e.request("POST", enc, body(), auth)
    check("vertex: a percent-encoded model and colon", st == 200, (st, d))

    st, h, d = e.request("POST", path(verb="streamRawPredict"), body(stream=True), auth)
    ev = events(d)
    names = [n for n, _ in ev]
    text = "".join(json.loads(p)["delta"].get("text", "") for n, p in ev if n == "content_block_delta")
    check("vertex: streamRawPredict streams SSE", st == 200
          and h.get("content-type", "").startswith("text/event-stream") and text == "You said: Hello, world"
          and names[0] == "message_start" and names[-1] == "message_stop"
          and h.get("request-id", "").startswith("req_vrtx_"), (st, h, names))
    check("vertex: vertex_event after message_start and before message_delta",
          names[1] == "vertex_event" and names[-3] == "vertex_event"
          and json.loads(ev[1][1]) == {"type": "vertex_event"}, names)
    st, h, d = e.request("POST", path(verb="streamRawPredict"), body(), auth)
    check("vertex: streamRawPredict without stream: true answers JSON",
          st == 200 and json.loads(d)["type"] == "message", (st, d))

    tools = [{"name": "get_weather", "description": "Weather", "input_schema": {
        "type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}]
    st, h, d = e.request("POST", path(), body("Use get_weather for Paris", tools=tools), auth)
    j = json.loads(d)
    use = [b for b in j.get("content", []) if b["type"] == "tool_use"]
    check("vertex: tools", st == 200 and j.get("stop_reason") == "tool_use" and use
          and use[0]["id"].startswith("toolu_vrtx_01") and isinstance(use[0]["input"].get("city"), str), d)

    count = {"anthropic_version": "vertex-2023-10-16", "model": SONNET,
             "messages": [{"role": "user", "content": "Hello, world"}]}
    st, h, d = e.request("POST", path(model="count-tokens"), count, auth)
    check("vertex: count-tokens:rawPredict", st == 200 and json.loads(d) == {
        "input_tokens": answers["/v1"]["usage"]["input_tokens"]} and h.get("request-id", "").startswith("req_vrtx_"),
        (st, d))
    st, h, d = e.request("POST", path(model="count-tokens"), dict(count, model="claude-nope@20990101"), auth)
    check("vertex: count-tokens, an unknown body model (Anthropic's 404)",
          st == 404 and anthropic_error(d, "not_found_error"), (st, d))
    st, h, d = e.request("POST", path(model="count-tokens"), dict(count, model=None), auth)
    check("vertex: count-tokens needs the model in the body", st == 400 and anthropic_error(d, "invalid_request_error"),
          (st, d))
    st, h, d = e.request("POST", path(model="count-tokens", verb="streamRawPredict"), count, auth)
    check("vertex: count-tokens does not stream", st == 404 and google_error(d, "NOT_FOUND", 404, array=True), (st, d))

    # Google's refusals.
    for name, hdrs, msg in [("no token", {}, "missing required authentication credential"),
                            ("an unknown token", {"Authorization": "Bearer ya29.emulator-forged"}, "invalid authentication"),
                            ("a token it did not issue", {"Authorization": "Bearer ya29.real-google-token"},
                             "invalid authentication"),
                            ("not Bearer", {"Authorization": "Basic " + token}, "missing required")]:
        st, h, d = e.request("POST", path(), body(), hdrs)
        check("vertex: %s is 401 UNAUTHENTICATED" % name, st == 401 and google_error(d, "UNAUTHENTICATED", 401)
              and msg in d.decode() and "request-id" not in h and "www-authenticate" in h, (st, h, d))
        st, h, d = e.request("POST", path(verb="streamRawPredict"), body(stream=True), hdrs)
        check("vertex: %s on streamRawPredict, array-wrapped" % name,
              st == 401 and google_error(d, "UNAUTHENTICATED", 401, array=True), (st, d))
    st, h, d = e.request("POST", path(), body(), {"Authorization": "Bearer " + GIVEN})
    check("vertex: a --google-token token", st == 200, (st, d))
    st, h, d = e.request("POST", path(project="someone-else"), body(), auth)
    check("vertex: another project is 403 PERMISSION_DENIED", st == 403 and google_error(d, "PERMISSION_DENIED", 403)
          and "someone-else" in d.decode(), (st, d))
    st, h, num = md(e, "project/numeric-project-id")
    st, h, d = e.request("POST", path(project=num.decode()), body(), auth)
    check("vertex: the project by its number", st == 200, (st, d))
    st, h, d = e.request("POST", path(), body(), dict(auth, **{"x-goog-user-project": "other-quota"}))
    check("vertex: a quota project it may not use", st == 403 and google_error(d, "PERMISSION_DENIED", 403), (st, d))
    st, h, d = e.request("POST", path(), body(), dict(auth, **{"x-goog-user-project": PROJECT}))
    check("vertex: its own quota project", st == 200, st)
    st, h, d = e.request("POST", path(model="claude-sonnet-4-5-20250929"), body(), auth)
    check("vertex: an Anthropic API id is not a Vertex model (404 NOT_FOUND)",
          st == 404 and google_error(d, "NOT_FOUND", 404) and "Publisher Model" in d.decode(), (st, d))
    st, h, d = e.request("POST", path(verb="streamRawPredict", model="claude-nope"), body(stream=True), auth)
    check("vertex: unknown model on streamRawPredict, array-wrapped 404",
          st == 404 and google_error(d, "NOT_FOUND", 404, array=True), (st, d))
    st, h, d = e.request("POST", path(verb="generateContent"), body(), auth)
    check("vertex: a Gemini verb is 400 FAILED_PRECONDITION",
          st == 400 and google_error(d, "FAILED_PRECONDITION", 400) and "generateContent API" in d.decode(), (st, d))
    st, h, d = e.request("POST", path(verb="explode"), body(), auth)
    check("vertex: an unknown verb is 404", st == 404 and google_error(d, "NOT_FOUND", 404), (st, d))
    st, h, d = e.request("GET", path(), None, auth)
    check("vertex: rawPredict is POST only", st == 404 and google_error(d, "NOT_FOUND", 404), (st, d))
    st, h, d = e.request("POST", path(location="mars"), body(), auth)
    check("vertex: an unknown location", st == 400 and google_error(d, "INVALID_ARGUMENT", 400), (st, d))

    # The model's refusals, in Anthropic's shape with a request id.
    for name, b, needle in [("no anthropic_version", {k: v for k, v in body().items() if k != "anthropic_version"},
                             "anthropic_version: Field required"),
                            ("Bedrock's anthropic_version", body(anthropic_version="bedrock-2023-05-31"),
                             "anthropic_version: Input should be"),
                            ("no max_tokens", {k: v for k, v in body().items() if k != "max_tokens"},
                             "max_tokens: Field required"),
                            ("an extra field", body(colour="red"), "colour: Extra inputs are not permitted"),
                            ("a bad role", body(messages=[{"role": "robot", "content": "x"}]), "")]:
        st, h, d = e.request("POST", path(), b, auth)
        check("vertex: %s is 400 invalid_request_error" % name, st == 400 and anthropic_error(d, "invalid_request_error")
              and needle in d.decode() and h.get("request-id", "").startswith("req_vrtx_"), (st, d))
    st, h, d = e.request("POST", path(), "{not json", auth)
    check("vertex: a body that is not JSON", st == 400 and anthropic_error(d, "invalid_request_error"), (st, d))

    # The publisher model configuration.
    cfg = {"publisherModelConfig": {"loggingConfig": {
        "enabled": True, "samplingRate": 0.5,
        "bigqueryDestination": {"outputUri": "bq://%s.logs.claude" % PROJECT}, "enableOtelLogging": True}}}
    cpath = path(prefix="/v1beta1", verb="setPublisherModelConfig", model="claude-sonnet-4-5", location="us-east5")
    fpath = cpath.replace("setPublisherModelConfig", "fetchPublisherModelConfig")
    st, h, d = e.request("GET", fpath, None, auth)
    check("config: nothing set yet", st == 200 and json.loads(d) == {}, (st, d))
    st, h, d = e.request("POST", cpath, cfg, auth)
    op = json.loads(d or b"{}")
    check("config: set answers with a finished Operation", st == 200 and op.get("done") is True
          and re.match(r"projects/\d{12}/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5/operations/\d+$",
                       op.get("name", ""))
          and op["response"]["@type"].endswith("v1beta1.PublisherModelConfig")
          and op["response"]["loggingConfig"] == cfg["publisherModelConfig"]["loggingConfig"], (st, d))
    st, h, d = e.request("GET", fpath, None, auth)
    check("config: fetch reads it back", st == 200 and json.loads(d) == cfg["publisherModelConfig"], (st, d))
    st, h, d = e.request("GET", fpath.replace("us-east5", "europe-west1"), None, auth)
    check("config: kept per location", json.loads(d) == {}, d)
    st, h, d = e.request("GET", fpath.replace("claude-sonnet-4-5:", "claude-opus-4-6:"), None, auth)
    check("config: kept per model", json.loads(d) == {}, d)
    other = {"publisherModelConfig": {"dataSharingEnabledProvider": "x", "loggingConfig": {"enabled": False}},
             "updateMask": "logging_config"}
    st, h, d = e.request("POST", cpath, other, auth)
    st, h, d = e.request("GET", fpath, None, auth)
    check("config: an updateMask changes only what it names",
          json.loads(d) == {"loggingConfig": {"enabled": False}}, d)
    for name, bad in [("outputUri not bq://", {"loggingConfig": {"enabled": True,
                                                                "bigqueryDestination": {"outputUri": "gs://b/x"}}}),
                      ("samplingRate above 1", {"loggingConfig": {"samplingRate": 1.5}}),
                      ("enabled with no destination", {"loggingConfig": {"enabled": True}}),
                      ("enabled not a bool", {"loggingConfig": {"enabled": "yes"}})]:
        st, h, d = e.request("POST", cpath, {"publisherModelConfig": bad}, auth)
        check("config: refused, %s" % name, st == 400 and google_error(d, "INVALID_ARGUMENT", 400), (st, d))
    st, h, d = e.request("POST", cpath, {"loggingConfig": {}}, auth)
    check("config: publisherModelConfig required", st == 400 and google_error(d, "INVALID_ARGUMENT", 400), (st, d))
    st, h, d = e.request("GET", fpath, None, auth)
    check("config: refused updates change nothing", json.loads(d) == {"loggingConfig": {"enabled": False}}, d)
    st, h, d = e.request("POST", cpath.replace(PROJECT, "someone-else"), cfg, auth)
    check("config: another project's is 403", st == 403 and google_error(d, "PERMISSION_DENIED", 403), (st, d))
    st, h, d = e.request("GET", fpath, None, {})
    check("config: needs a token", st == 401 and google_error(d, "UNAUTHENTICATED", 401), (st, d))


FAULTS = [
    # fault, status, Google status (or None: Anthropic's shape), Anthropic type
    ("throttle", 429, "RESOURCE_EXHAUSTED", None),
    ("unavailable", 503, "UNAVAILABLE", None),
    ("not-ready", 503, "UNAVAILABLE", None),
    ("internal", 500, "INTERNAL", None),
    ("no-retry", 500, "INTERNAL", None),
    ("access-denied", 403, "PERMISSION_DENIED", None),
    ("retry-400", 400, "INVALID_ARGUMENT", None),
    ("overloaded", 529, None, "overloaded_error"),
    ("model-error", 500, None, "api_error"),
    ("model-timeout", 504, None, "timeout_error"),
]


def faults(e, token):
    auth = {"Authorization": "Bearer " + token}
    for fault, status, gstatus, atype in FAULTS:
        for stream in (False, True):
            verb = "streamRawPredict" if stream else "rawPredict"
            b = body("hi [[emulate:fault=%s]]" % fault, **({"stream": True} if stream else {}))
            st, h, d = e.request("POST", path(verb=verb), b, auth)
            if gstatus:
                ok = st == status and google_error(d, gstatus, status, array=stream) and "request-id" not in h
            else:
                ok = st == status and anthropic_error(d, atype) and h.get("request-id", "").startswith("req_vrtx_")
            check("fault %s on %s: %d %s" % (fault, verb, status, gstatus or atype), ok, (st, h, d))
            if fault == "no-retry":
                check("fault no-retry: x-should-retry: false", h.get("x-should-retry") == "false", h)
            if fault == "retry-400":
                check("fault retry-400: x-should-retry: true", h.get("x-should-retry") == "true", h)
    st, h, d = e.request("POST", path(verb="streamRawPredict"),
                         body("Hello there [[emulate:fault=stream-exception=serviceUnavailableException]]",
                              stream=True), auth)
    ev = events(d)
    err = [json.loads(p) for n, p in ev if n == "error"]
    check("fault stream-exception: an error event mid-stream, Anthropic's shape with details",
          st == 200 and err == [{"type": "error", "error": {"details": None, "type": "overloaded_error",
                                                             "message": "Overloaded"}}]
          and ev[-1][0] == "error" and "message_stop" not in [n for n, _ in ev]
          and "content_block_start" in [n for n, _ in ev], (st, ev))
    st, h, d = e.request("POST", path(verb="streamRawPredict"),
                         body("Hello there [[emulate:fault=corrupt-crc]]", stream=True), auth)
    ev = events(d)
    check("fault corrupt-crc: the second Messages event's data is not JSON",
          ev[1][0] == "vertex_event" and ev[2][1].startswith("#"), ev[:3])
    st, h, d = e.request("POST", path(), body("hi [[emulate:fault=nonsense]]"), auth)
    check("fault: an unknown name is the caller's 400", st == 400 and anthropic_error(d, "invalid_request_error")
          and "nonsense" in d.decode(), (st, d))
    try:
        e.request("POST", path(), body("hi [[emulate:fault=reset]]"), auth)
        reset = False
    except (ConnectionError, http.client.HTTPException):
        reset = True
    check("fault reset: the connection drops", reset)


def fast_retry():
    e = Emulator("--fault", "throttle:1", "--fast-retry", "--project", "my-proj-123", "--google-token", GIVEN)
    try:
        auth = {"Authorization": "Bearer " + GIVEN}
        st, h, d = e.request("POST", path(project="my-proj-123"), body(), auth)
        check("--fault throttle:1 on Vertex, with --fast-retry", st == 429
              and h.get("retry-after-ms") == "1" and google_error(d, "RESOURCE_EXHAUSTED", 429), (st, h, d))
        st, h, d = e.request("POST", path(project="my-proj-123"), body(), auth)
        check("--fault throttle:1 fires once", st == 200, st)
        st, h, d = md(e, "project/project-id")
        check("--project names the metadata server's project", d == b"my-proj-123", d)
        st, h, d = e.request("POST", path(), body(), auth)
        check("--project: the default project is now another's", st == 403, st)
    finally:
        e.stop()
    for bad in (["--project", "Bad_Project"], ["--project", "short"], ["--google-token", ""]):
        r = subprocess.run([BIN, "emulate", "--listen", "127.0.0.1:0"] + bad, capture_output=True, text=True,
                           timeout=10)
        check("emulate %s is a usage error" % " ".join(bad), r.returncode != 0 and "bedrock emulate" in r.stderr,
              (r.returncode, r.stderr))


def main():
    e = Emulator("--google-token", GIVEN, quiet=False)
    issued = []
    try:
        token = metadata(e)
        issued = [token] + token_endpoint(e)
        for t in issued[1:]:
            st, h, d = e.request("POST", path(), body(), {"Authorization": "Bearer " + t})
            check("vertex: a token from the token endpoint works", st == 200, (st, d))
        vertex(e, issued[1])
        faults(e, token)
    finally:
        code = e.stop()
    check("emulator exits 0", code == 0, code)
    log = e.stderr
    check("the access log has the Vertex, metadata and token requests",
          "/computeMetadata/v1/instance/service-accounts/default/token 200" in log
          and " POST /token 200 " in log and ":streamRawPredict 200 " in log, log[-2000:])
    check("no token, assertion or secret in the access log", not any(
        t and t in log for t in issued + [GIVEN, "d-FL95Q", "1//0g-refresh"]) and "ya29" not in log)
    fast_retry()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
