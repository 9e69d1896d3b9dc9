#!/usr/bin/env python3
"""`bedrock gateway` in front of a real `bedrock emulate`: keys (missing,
wrong, right; Bearer, x-api-key, SHA-256 digests, SigV4 through botocore)
on the three fronts, each refusal in its front's own shape and none of
them reaching the upstream; then quotas: rpm and tpm (429 with retry-after
in each front's shape), tpm reserved from max_tokens, max_concurrent with
streams held open, the models allow-list, and rpm shared by two gateways
through one redis-server.
Usage: test_gateway.py BEDROCK_BINARY VECTORS_DIR"""
import base64
import hashlib
import http.client
import json
import subprocess
import sys
import threading
import time
from checks import check, summary
import procs
from procs import (request, bearer, xkey, jbody, sse_events, sse_text, eventstream_frames,
                   eventstream_text, metric, with_prompt, ANTHROPIC_BODY, BEDROCK_BODY,
                   VERTEX_BODY, BEDROCK_MODEL, VERTEX_PATH)

BIN = sys.argv[1]
ALICE = "sk-gw-alice-0123456789"
HASHED = "sk-gw-hashed-9876543210"
AKID, SECRET = "GWKEYBOTEXAMPLE", "gw-bot-secret-abcdefghijklmnop"
LIMITED = {"rpm": "sk-gw-rpm-1", "tpm": "sk-gw-tpm-1", "conc": "sk-gw-conc-1",
           "haiku": "sk-gw-haiku-1"}
ANSWER = "You said: hello there"

B_INVOKE = "/model/%s/invoke" % BEDROCK_MODEL
B_STREAM = "/model/%s/invoke-with-response-stream" % BEDROCK_MODEL
SLOW = "[[emulate:fault=slow=120]] take your time"


def fronts(body_prompt=None, stream=False, max_tokens=None):
    """(front, path, body) of one request per front."""
    a = dict(ANTHROPIC_BODY)
    if stream:
        a["stream"] = True
    out = [("bedrock", B_STREAM if stream else B_INVOKE, BEDROCK_BODY),
           ("anthropic", "/v1/messages", a),
           ("vertex", VERTEX_PATH + ("streamRawPredict" if stream else "rawPredict"), VERTEX_BODY)]
    if body_prompt is not None or max_tokens is not None:
        out = [(f, p, with_prompt(b, body_prompt or "hello there", max_tokens))
               for f, p, b in out]
    return out


def error_shape(front, status, resp_headers, body, bedrock_type, anthropic_type, google_status):
    """Checks that an error is in front's own shape."""
    j = jbody(body)
    name = "%s %d" % (front, status)
    if front == "bedrock":
        check(name + ": {message} with x-amzn-ErrorType " + bedrock_type,
              isinstance(j, dict) and list(j) == ["message"]
              and resp_headers.get("x-amzn-errortype", "").split(":")[0] == bedrock_type
              and "x-amzn-requestid" in resp_headers, (resp_headers, body))
    elif front == "anthropic":
        check(name + ": Anthropic error " + anthropic_type,
              isinstance(j, dict) and j.get("type") == "error"
              and j.get("error", {}).get("type") == anthropic_type
              and j.get("request_id") == resp_headers.get("request-id"), (resp_headers, body))
    else:
        check(name + ": Google error " + google_status + " with request-id",
              isinstance(j, dict) and j.get("error", {}).get("status") == google_status
              and j["error"].get("code") == status and "request-id" in resp_headers,
              (resp_headers, body))


def keys(emu, gw):
    seen = len(procs.emu_requests(emu))
    for front, path, body in fronts():
        s, h, b = request(gw, "POST", path, body)
        want = 403 if front == "bedrock" else 401
        check("%s: no key is %d" % (front, want), s == want, (s, b))
        logged_as(gw, h, "unauthenticated", "%s no key" % front)
        error_shape(front, s, h, b, "MissingAuthenticationTokenException", "authentication_error",
                    "UNAUTHENTICATED")
        for how, hdr in (("Bearer", bearer("sk-wrong-key")), ("x-api-key", xkey("sk-wrong-key"))):
            s, h, b = request(gw, "POST", path, body, hdr)
            check("%s: wrong %s key is 403" % (front, how), s == 403, (s, b))
            logged_as(gw, h, "forbidden", "%s wrong %s key" % (front, how))
            error_shape(front, s, h, b, "AccessDeniedException", "permission_error",
                        "PERMISSION_DENIED")
            check("%s: the refusal does not echo the key" % front, b"sk-wrong-key" not in b)
    # one good request after them: its access-log line is the only new one
    s = request(gw, "POST", B_INVOKE, BEDROCK_BODY, bearer(ALICE))[0]
    new = procs.emu_new(emu, seen, 1)
    check("refused requests never reached the upstream (only the good one did)",
          s == 200 and len(new) == 1, new)
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_requests_total", key="",
                                          status="403") >= 7)
    check("metrics count the refusals (key \"\", 401 and 403)",
          metric(m, "bedrock_gateway_requests_total", key="", status="401") == 2
          and metric(m, "bedrock_gateway_requests_total", key="", status="403") == 7,
          [l for l in m.splitlines() if 'key=""' in l])

    # the right key on every front and operation
    for how, hdr in (("Bearer", bearer(ALICE)), ("x-api-key", xkey(ALICE)),
                     ("sha256 key", bearer(HASHED))):
        for front, path, body in fronts():
            s, h, b = request(gw, "POST", path, body, hdr)
            j = jbody(b) or {}
            check("%s %s: invoke 200 with the answer" % (how, front),
                  s == 200 and j.get("content", [{}])[0].get("text") == ANSWER, (s, b[:300]))
    for front, path, body in fronts(stream=True):
        s, h, b = request(gw, "POST", path, body, xkey(ALICE))
        if front == "bedrock":
            text = eventstream_text(eventstream_frames(b))
            ok = h.get("content-type") == "application/vnd.amazon.eventstream"
        else:
            ev = sse_events(b)
            text = sse_text(ev)
            ok = h.get("content-type", "").startswith("text/event-stream") and \
                ev[-1][0] == "message_stop"
        check("%s stream: 200, the whole answer" % front, s == 200 and ok and text == ANSWER,
              (s, h, b[:300]))

    conv = {"messages": [{"role": "user", "content": [{"text": "hello there"}]}],
            "inferenceConfig": {"maxTokens": 50}}
    s, h, b = request(gw, "POST", "/model/%s/converse" % BEDROCK_MODEL, conv, bearer(ALICE))
    j = jbody(b) or {}
    check("converse 200", s == 200 and j.get("output", {}).get("message", {})
          .get("content", [{}])[0].get("text") == ANSWER, (s, b[:300]))
    s, h, b = request(gw, "POST", "/model/%s/converse-stream" % BEDROCK_MODEL, conv, bearer(ALICE))
    deltas = [json.loads(p)["delta"]["text"] for hh, p in eventstream_frames(b)
              if hh.get(":event-type") == "contentBlockDelta"] if s == 200 else []
    check("converse-stream 200", "".join(deltas) == ANSWER, (s, b[:300]))
    ct = {"input": {"invokeModel": {"body": base64.b64encode(
        json.dumps(BEDROCK_BODY).encode()).decode()}}}
    s, h, b = request(gw, "POST", "/model/%s/count-tokens" % BEDROCK_MODEL, ct, bearer(ALICE))
    check("bedrock count-tokens", s == 200 and (jbody(b) or {}).get("inputTokens") == 2, (s, b))
    s, h, b = request(gw, "POST", "/v1/messages/count_tokens",
                      {"model": "claude-sonnet-4-5", "messages": BEDROCK_BODY["messages"]},
                      xkey(ALICE))
    check("anthropic count_tokens", s == 200 and (jbody(b) or {}).get("input_tokens") == 2, (s, b))
    s, h, b = request(gw, "POST", VERTEX_PATH.split("/models/")[0] + "/models/count-tokens:rawPredict",
                      {"model": "claude-sonnet-4-5@20250929", "messages": BEDROCK_BODY["messages"],
                       "anthropic_version": "vertex-2023-10-16"}, bearer(ALICE))
    check("vertex count-tokens:rawPredict", s == 200
          and (jbody(b) or {}).get("input_tokens") == 2, (s, b))

    sigv4(gw)


def sigv4(gw):
    import boto3
    import botocore.config
    import botocore.exceptions
    cfg = botocore.config.Config(retries={"max_attempts": 1, "mode": "standard"},
                                 read_timeout=15, connect_timeout=5)

    def client(secret):
        return boto3.client("bedrock-runtime", region_name="us-west-2", endpoint_url=gw.url,
                            aws_access_key_id=AKID, aws_secret_access_key=secret, config=cfg)

    c = client(SECRET)
    try:
        r = c.invoke_model(modelId=BEDROCK_MODEL, body=json.dumps(BEDROCK_BODY))
        j = json.loads(r["body"].read())
        check("SigV4 invoke_model", j["content"][0]["text"] == ANSWER, j)
    except Exception as e:
        check("SigV4 invoke_model", False, repr(e))
    try:
        r = c.invoke_model_with_response_stream(modelId=BEDROCK_MODEL,
                                                body=json.dumps(BEDROCK_BODY))
        text = ""
        for ev in r["body"]:
            d = json.loads(ev["chunk"]["bytes"])
            if d.get("type") == "content_block_delta":
                text += d["delta"]["text"]
        check("SigV4 invoke_model_with_response_stream", text == ANSWER, text)
    except Exception as e:
        check("SigV4 invoke_model_with_response_stream", False, repr(e))
    try:
        client("not-the-secret-0000000000").invoke_model(modelId=BEDROCK_MODEL,
                                                         body=json.dumps(BEDROCK_BODY))
        check("SigV4 with a wrong secret is refused", False, "it was answered")
    except botocore.exceptions.ClientError as e:
        st = e.response["ResponseMetadata"]["HTTPStatusCode"]
        check("SigV4 with a wrong secret is 403", st == 403, (st, e.response.get("Error")))
        check("the refusal does not echo the secret", SECRET not in str(e.response))
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_requests_total", key="bot",
                                          status="200") >= 2)
    check("metrics: SigV4 requests counted under the key's name",
          metric(m, "bedrock_gateway_requests_total", key="bot", status="200") == 2,
          [l for l in m.splitlines() if 'key="bot"' in l])


def safe_minute(need=25):
    """Waits, if needed, so that `need` seconds remain in this epoch minute:
    quota windows are epoch minutes and a test must not straddle two."""
    left = 60 - (time.time() % 60)
    if left < need:
        time.sleep(left + 0.2)


def logged_as(gw, h, etype, name):
    """The activity line of the answer with headers h names error type etype
    (docs/gateway.md: one vocabulary for the gateway's own refusals)."""
    r = gw.record(h)
    check(name + ": activity error_type " + etype, r.get("error_type") == etype, r)


def quota_shape(front, s, h, b, name, gw=None, etype=None):
    if gw:
        logged_as(gw, h, etype, name)
    check(name + ": 429", s == 429, (s, b))
    ra = h.get("retry-after", "")
    check(name + ": retry-after in seconds (1..60)", ra.isdigit() and 1 <= int(ra) <= 60, h)
    if etype in ("quota_rpm", "quota_tpm") and ra.isdigit():
        left = 60 - time.time() % 60
        check(name + ": retry-after is the time to the next minute", abs(int(ra) - left) <= 2,
              (ra, left))
    error_shape(front, s, h, b, "ThrottlingException", "rate_limit_error", "RESOURCE_EXHAUSTED")


class Slow(threading.Thread):
    """A slow stream held open on the anthropic front; .status, .text at the end."""

    def __init__(self, gw, key, max_tokens=50):
        super().__init__(daemon=True)
        self.gw, self.key, self.mt = gw, key, max_tokens
        self.status, self.text, self.started = None, "", threading.Event()
        self.headers = {}

    def run(self):
        body = with_prompt(ANTHROPIC_BODY, SLOW, self.mt)
        body["stream"] = True
        try:
            c, r = procs.open_stream(self.gw, "/v1/messages", body, xkey(self.key), timeout=30)
            self.status, self.headers = r.status, {k.lower(): v for k, v in r.getheaders()}
            self.started.set()
            self.text = sse_text(sse_events(r.read()))
            c.close()
        except (OSError, http.client.HTTPException) as e:
            self.text = repr(e)
        self.started.set()


def quotas(gw):
    safe_minute()
    # rpm: 2 a minute, then the third is refused on every front; a refusal counts nothing
    s1 = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(LIMITED["rpm"]))[0]
    s2 = request(gw, "POST", B_INVOKE, BEDROCK_BODY, bearer(LIMITED["rpm"]))[0]
    check("rpm: two requests in the minute pass", (s1, s2) == (200, 200), (s1, s2))
    for front, path, body in fronts():
        s, h, b = request(gw, "POST", path, body, bearer(LIMITED["rpm"]))
        quota_shape(front, s, h, b, "rpm %s" % front, gw, "quota_rpm")
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_requests_total", key="rpm",
                                          status="429") >= 3)
    check("metrics: rpm refusals counted as 429 of key rpm",
          metric(m, "bedrock_gateway_requests_total", key="rpm", status="429") == 3, m)
    recs = [r for r in gw.activity() if r.get("key") == "rpm"]
    check("activity: the refusals logged as 429 with an error type",
          sum(1 for r in recs if r["status"] == 429 and r.get("error_type")) == 3, recs)

    # tpm 1000: a held stream reserves its max_tokens (600); a second 600 does not fit
    held = Slow(gw, LIMITED["tpm"], max_tokens=600)
    held.start()
    held.started.wait(10)
    s, h, b = request(gw, "POST", "/v1/messages", with_prompt(ANTHROPIC_BODY, "hi", 600),
                      xkey(LIMITED["tpm"]))
    quota_shape("anthropic", s, h, b, "tpm: max_tokens reserved by the held stream", gw,
                "quota_tpm")
    s, h, b = request(gw, "POST", "/v1/messages", with_prompt(ANTHROPIC_BODY, "hi", 100),
                      xkey(LIMITED["tpm"]))
    check("tpm: a small request still fits beside the reservation", s == 200, (s, b))
    held.join(30)
    check("tpm: the held stream finished", held.status == 200 and held.text.startswith("You said"),
          (held.status, held.text))
    gw.record(held.headers)  # written after the quota is settled
    s, h, b = request(gw, "POST", "/v1/messages", with_prompt(ANTHROPIC_BODY, "hi", 600),
                      xkey(LIMITED["tpm"]))
    check("tpm: once the stream ended its reservation became its usage (600 fits again)",
          s == 200, (s, b))
    s, h, b = request(gw, "POST", VERTEX_PATH + "rawPredict",
                      with_prompt(VERTEX_BODY, "hi", 5000), bearer(LIMITED["tpm"]))
    quota_shape("vertex", s, h, b, "tpm: a reservation over the whole tpm in a used window",
                gw, "quota_tpm")

    # max_concurrent 1: a second request while a stream is held is 429, retry-after 1
    held = Slow(gw, LIMITED["conc"])
    held.start()
    held.started.wait(10)
    for front, path, body in fronts():
        s, h, b = request(gw, "POST", path, body, bearer(LIMITED["conc"]))
        quota_shape(front, s, h, b, "max_concurrent %s" % front, gw, "quota_max_concurrent")
        check("max_concurrent %s: retry-after 1" % front, h.get("retry-after") == "1", h)
    held.join(30)
    check("max_concurrent: the held stream finished", held.status == 200, held.status)
    gw.record(held.headers)
    s = request(gw, "POST", B_INVOKE, BEDROCK_BODY, bearer(LIMITED["conc"]))[0]
    check("max_concurrent: free again once the stream ended", s == 200, s)

    # models: [haiku] refuses sonnet with 403 on every front, lets haiku through
    for front, path, body in fronts():
        s, h, b = request(gw, "POST", path, body, bearer(LIMITED["haiku"]))
        check("models allow-list %s: sonnet is 403" % front, s == 403, (s, b))
        logged_as(gw, h, "model_not_allowed", "models allow-list %s" % front)
        error_shape(front, s, h, b, "AccessDeniedException", "permission_error",
                    "PERMISSION_DENIED")
    s, h, b = request(gw, "POST", "/v1/messages", dict(ANTHROPIC_BODY, model="haiku"),
                      xkey(LIMITED["haiku"]))
    check("models allow-list: haiku is let through", s == 200, (s, b))


def shared_redis(emu):
    red = procs.Redis()
    cfg = {"upstreams": [procs.bedrock_upstream(emu)],
           "keys": [{"name": "shared", "key": "sk-gw-shared-1", "rpm": 3},
                    {"name": "one", "key": "sk-gw-one-1", "max_concurrent": 1},
                    {"name": "free", "key": "sk-gw-free-1"}],
           "redis": red.url}
    a = procs.Gateway(BIN, cfg)
    b = procs.Gateway(BIN, cfg)
    safe_minute(15)
    got = [request(g, "POST", "/v1/messages", ANTHROPIC_BODY, xkey("sk-gw-shared-1"))[0]
           for g in (a, b, a)]
    check("redis: three requests through two gateways pass", got == [200] * 3, got)
    for g, name in ((b, "second"), (a, "first")):
        s, h, body = request(g, "POST", "/v1/messages", ANTHROPIC_BODY, xkey("sk-gw-shared-1"))
        quota_shape("anthropic", s, h, body, "redis: the fourth, on the %s gateway" % name)
    minute = int(time.time() * 1000) // 60000
    key = "bedrock-gw:{shared}:rpm:%d" % minute
    check("redis: the minute's counter is in Redis", red.command("GET", key) == "$1",
          red.command("GET", key))
    ttl = red.command("TTL", key)
    check("redis: the counter expires within 120 s", ttl and ttl.startswith(":")
          and 0 < int(ttl[1:]) <= 120, ttl)

    # max_concurrent 1 across both: a stream held on one refuses the other
    held = Slow(a, "sk-gw-one-1")
    held.start()
    held.started.wait(10)
    check("redis: the held stream holds a slot", red.command("ZCARD", "bedrock-gw:{one}:slots")
          == ":1", red.command("ZCARD", "bedrock-gw:{one}:slots"))
    s, h, body = request(b, "POST", B_INVOKE, BEDROCK_BODY, bearer("sk-gw-one-1"))
    quota_shape("bedrock", s, h, body, "redis: max_concurrent across gateways")
    held.join(30)
    check("redis: the held stream completed", held.status == 200, held.status)
    check("redis: its slot was given back",
          procs.wait_for(lambda: red.command("ZCARD", "bedrock-gw:{one}:slots") == ":0", 3),
          red.command("ZCARD", "bedrock-gw:{one}:slots"))

    # Redis gone: limited keys fail closed (503 in each front's shape), at once;
    # keys without limits never touch Redis
    port = red.port
    red.stop()
    for front, path, body in fronts():
        t0 = time.monotonic()
        s, h, out = request(a, "POST", path, body, bearer("sk-gw-one-1"))
        took = time.monotonic() - t0
        want = 529 if front == "anthropic" else 503
        check("redis down %s: %d" % (front, want), s == want, (s, out))
        error_shape(front, s, h, out, "ServiceUnavailableException", "overloaded_error",
                    "UNAVAILABLE")
        check("redis down %s: answered within a second" % front, took < 1.0, took)
    s = request(a, "POST", "/v1/messages", ANTHROPIC_BODY, xkey("sk-gw-free-1"))[0]
    check("redis down: a key without limits still works", s == 200, s)

    # Redis back (empty, scripts lost): limited keys work again
    red = procs.Redis(port=port)
    ok = procs.wait_for(lambda: request(a, "POST", "/v1/messages", ANTHROPIC_BODY,
                                        xkey("sk-gw-one-1"))[0] == 200, 5, 0.2)
    check("redis back: limited keys are admitted again", ok)
    for g in (a, b):
        check("redis gateway exits 0 on SIGTERM", g.stop() == 0)
    red.stop()


def upstream_api_key():
    """A Bedrock upstream with a Bedrock API key (api_key_env) instead of
    AWS credentials: the gateway has none, so only the key can work; a wrong
    key is the upstream's refusal, and an unset variable stops the gateway at
    start, naming the variable and not the key."""
    up_key = "bedrock-api-key-for-the-upstream-0123"
    emu = procs.emulator(BIN, "--bearer", up_key)
    cfg = {"upstreams": [procs.bedrock_upstream(emu, api_key_env="GW_UPSTREAM_KEY")],
           "keys": [{"name": "alice", "key": ALICE}]}
    no_aws = {"AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""}
    gw = procs.Gateway(BIN, cfg, env=dict(no_aws, GW_UPSTREAM_KEY=up_key))
    s, _, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(ALICE))
    check("bedrock api_key_env: answered with the upstream's API key", s == 200, (s, b))
    s, _, b = request(gw, "POST", "/model/%s/invoke" % BEDROCK_MODEL, BEDROCK_BODY, bearer(ALICE))
    check("bedrock api_key_env: the Bedrock front too", s == 200, (s, b))
    check("bedrock api_key_env: the key never in stderr", up_key not in gw.err())
    gw.stop()
    gw = procs.Gateway(BIN, cfg, env=dict(no_aws, GW_UPSTREAM_KEY="not-the-upstream-key"))
    s, _, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(ALICE))
    check("bedrock api_key_env, a wrong key: the upstream's refusal, in the front's shape",
          s == 401 and b"authentication_error" in b, (s, b))
    gw.stop()
    p = subprocess.run([BIN, "gateway", "--config", gw.path, "--listen", "127.0.0.1:0"],
                       env=procs.clean_env(no_aws), capture_output=True, text=True, timeout=30)
    check("bedrock api_key_env unset: refused at start, naming the variable",
          p.returncode != 0 and "GW_UPSTREAM_KEY (api_key_env) is not set" in p.stderr,
          (p.returncode, p.stderr))


def main():
    emu = procs.emulator(BIN)
    cfg = {"upstreams": [procs.bedrock_upstream(emu)],
           "keys": [{"name": "alice", "key": ALICE},
                    {"name": "hashed", "key_sha256": hashlib.sha256(HASHED.encode()).hexdigest()},
                    {"name": "bot", "aws_access_key_id": AKID, "aws_secret_access_key": SECRET},
                    {"name": "rpm", "key": LIMITED["rpm"], "rpm": 2},
                    {"name": "tpm", "key": LIMITED["tpm"], "tpm": 1000},
                    {"name": "conc", "key": LIMITED["conc"], "max_concurrent": 1},
                    {"name": "haiku", "key": LIMITED["haiku"], "models": ["haiku"]}],
           "activity_log": {"dir": "ACT"}}
    d = procs.workdir()
    cfg["activity_log"]["dir"] = d + "/activity"
    gw = procs.Gateway(BIN, cfg, dirname=d)
    try:
        keys(emu, gw)
        quotas(gw)
        shared_redis(emu)
        upstream_api_key()
        check("gateway exits 0 on SIGTERM", gw.stop() == 0, gw.err()[-2000:])
        for secret in (ALICE, HASHED, SECRET):
            check("stderr never holds a secret", secret not in gw.err())
    finally:
        procs.stop_all()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
