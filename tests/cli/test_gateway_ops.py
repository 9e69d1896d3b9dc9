#!/usr/bin/env python3
"""Running `bedrock gateway` in front of a real `bedrock emulate`: /healthz,
HEAD /, /metrics after traffic; the activity log (one JSON line per request
with the documented fields; no key, secret, prompt or answer unless
bodies: true) and `bedrock gateway activity` summing it; a client that
hangs up mid-stream; SIGHUP with a stream in flight (the stream completes,
the new keys apply after), SIGHUP with a broken file (FILE:LINE on stderr,
the running configuration kept); SIGTERM with a stream in flight (it
completes, new connections are refused, exit 0), and a second SIGTERM
(exit 0 at once); limits.max_body_bytes, 404/405 shapes, a bad file at
start (exit 4, FILE:LINE).
Usage: test_gateway_ops.py BEDROCK_BINARY VECTORS_DIR"""
import http.client
import json
import os
import re
import socket
import subprocess
import sys
import threading
import time
from checks import check, summary
import procs
from procs import (request, xkey, bearer, sse_events, sse_text, eventstream_frames,
                   eventstream_text, metric, with_prompt, ANTHROPIC_BODY, BEDROCK_BODY,
                   BEDROCK_MODEL)

BIN = sys.argv[1]
ALICE = "sk-gw-ops-alice-0123456789"
OLD = "sk-gw-ops-old-0123456789"
NEW = "sk-gw-ops-new-0123456789"
AKID, SECRET = "GWKEYOPSEXAMPLE", "gw-ops-secret-abcdefghijklmn"
PROMPT = "zebra quokka 7731 marmalade"
SLOW = "[[emulate:fault=slow=150]] one two three four five"
B_INVOKE = "/model/%s/invoke" % BEDROCK_MODEL
TIME_RE = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")


def config(emu, act, keys, bodies=False):
    return {"upstreams": [procs.bedrock_upstream(emu)],
            "keys": keys,
            "activity_log": {"dir": act, "bodies": bodies}}


def base_keys(extra):
    return [{"name": "alice", "key": ALICE},
            {"name": "bot", "aws_access_key_id": AKID, "aws_secret_access_key": SECRET}] + extra


def log_text(act):
    out = ""
    for n in sorted(os.listdir(act)):
        with open(os.path.join(act, n)) as f:
            out += f.read()
    return out


def slow_stream(gw, key):
    """A slow /v1/messages stream on its own thread; result dict filled at the end."""
    res = {"first": threading.Event()}

    def run():
        body = dict(with_prompt(ANTHROPIC_BODY, SLOW), stream=True)
        try:
            c, r = procs.open_stream(gw, "/v1/messages", body, xkey(key), timeout=30)
            res["status"] = r.status
            data = r.readline()
            res["first"].set()
            data += r.read()
            res["events"] = sse_events(data)
            c.close()
        except (OSError, http.client.HTTPException) as e:
            res["error"] = repr(e)
        res["first"].set()

    t = threading.Thread(target=run, daemon=True)
    t.start()
    res["thread"] = t
    return res


def stream_ok(res):
    ev = res.get("events") or []
    return (res.get("status") == 200 and ev and ev[-1][0] == "message_stop"
            and sse_text(ev) == "You said: " + SLOW)


def basics(gw):
    s, h, b = request(gw, "GET", "/healthz")
    check("/healthz 200", s == 200 and b.strip() == b"ok", (s, b))
    s, h, b = request(gw, "HEAD", "/")
    check("HEAD / 200, no body", s == 200 and b == b"", (s, b))


def activity(gw, act):
    hdr = {"x-claude-code-session-id": "sess-ops-1", "x-claude-code-agent-id": "agent-7",
           "User-Agent": "ops-test/1.0"}
    hdr.update(xkey(ALICE))
    s, h, b = request(gw, "POST", "/v1/messages", with_prompt(ANTHROPIC_BODY, PROMPT), hdr)
    check("a request with a session id", s == 200 and PROMPT.encode() in b, (s, b))
    rid = h.get("request-id")
    s, h2, b = request(gw, "POST", "/v1/messages",
                       dict(with_prompt(ANTHROPIC_BODY, PROMPT), stream=True), hdr)
    check("a stream with a session id", s == 200 and sse_text(sse_events(b)).endswith(PROMPT),
          (s, b[-200:]))
    s, h3, b = request(gw, "POST", B_INVOKE, with_prompt(BEDROCK_BODY, PROMPT), bearer(ALICE))
    check("a Bedrock invoke", s == 200, (s, b))
    s, h4, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey("sk-not-a-key"))
    check("a refused request", s == 403, (s, b))

    recs = gw.activity(at_least=4)
    check("activity: one line per request (4)", len(recs) == 4, recs)
    a, st, bd, ref = gw.record(h), gw.record(h2), gw.record(h3), gw.record(h4)
    for r in recs:
        check("activity %s: time is ISO 8601 UTC with ms" % r.get("id"),
              TIME_RE.match(r.get("time", "")), r.get("time"))
    check("activity: ids are the request ids the clients got (request-id, x-amzn-RequestId)",
          a.get("id") == rid and bd and rid != h3.get("x-amzn-requestid"), (a, rid, bd))
    want = {"key": "alice", "front": "anthropic", "operation": "messages",
            "model": "claude-sonnet-4-5", "upstream": "bedrock/us-east-1",
            "upstream_platform": "bedrock", "upstream_region": "us-east-1",
            "upstream_model": BEDROCK_MODEL, "status": 200, "hops": 0,
            "session_id": "sess-ops-1", "agent_id": "agent-7", "user_agent": "ops-test/1.0"}
    check("activity: the documented fields of a request",
          all(a.get(k) == v for k, v in want.items()), (want, a))
    check("activity: tokens are the answer's usage",
          a.get("input_tokens") == 4 and a.get("output_tokens") == 7, a)
    check("activity: latency_ms and upstream_ms are numbers",
          isinstance(a.get("latency_ms"), float) and isinstance(a.get("upstream_ms"), float)
          and a["upstream_ms"] <= a["latency_ms"], a)
    check("activity: the upstream's request id",
          re.match(r"^[0-9a-f-]{36}$", a.get("upstream_request_id", "")), a)
    check("activity: a stream has ttft_ms <= latency_ms",
          isinstance(st.get("ttft_ms"), float) and st["ttft_ms"] <= st["latency_ms"]
          and st.get("session_id") == "sess-ops-1", st)
    check("activity: the Bedrock front's line",
          bd.get("front") == "bedrock" and bd.get("operation") == "invoke"
          and bd.get("model") == BEDROCK_MODEL and "session_id" not in bd, bd)
    check("activity: the refusal has no key name, status 403 and an error type",
          "key" not in ref and ref.get("status") == 403 and ref.get("error_type") == "forbidden", ref)

    text = log_text(act)
    check("activity (bodies: false): no prompt and no answer in the file",
          PROMPT not in text and "marmalade" not in text and "request_body" not in text
          and "response_text" not in text)
    for secret in (ALICE, "sk-not-a-key", SECRET):
        check("activity: no key or secret in the file", secret not in text)
    mode = os.stat(act).st_mode & 0o777, os.stat(os.path.join(act, os.listdir(act)[0])).st_mode & 0o777
    check("activity: dir 0700, file 0600", mode == (0o700, 0o600), oct(mode[0]) + oct(mode[1]))


def metrics_after_traffic(gw):
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_requests_total", key="",
                                          status="403") >= 1)
    check("/metrics: alice's 200s counted (3 so far)",
          metric(m, "bedrock_gateway_requests_total", key="alice", status="200") == 3, m)
    check("/metrics: the refusal counted under no key",
          metric(m, "bedrock_gateway_requests_total", key="", status="403") == 1, m)
    check("/metrics: alice's tokens", metric(m, "bedrock_gateway_tokens_total", key="alice",
                                             kind="output") > 0, m)
    check("/metrics: streams in flight 0", metric(m, "bedrock_gateway_streams_in_flight") == 0
          and "bedrock_gateway_streams_in_flight 0" in m, m)
    check("/metrics: latency histogram has the requests",
          metric(m, "bedrock_gateway_request_duration_seconds_count",
                 upstream="bedrock/us-east-1") >= 3, m)


def client_abort(gw):
    body = dict(with_prompt(ANTHROPIC_BODY, SLOW), stream=True)
    c, r = procs.open_stream(gw, "/v1/messages", body, xkey(ALICE))
    first = r.readline()
    inflight = metric(gw.metrics(), "bedrock_gateway_streams_in_flight")
    check("abort: the stream is in flight", r.status == 200 and first and inflight == 1,
          (r.status, first, inflight))
    c.sock.shutdown(socket.SHUT_RDWR)
    c.close()
    zero = procs.wait_for(lambda: metric(gw.metrics(), "bedrock_gateway_streams_in_flight") == 0,
                          10)
    check("abort: streams in flight back to 0", zero, gw.metrics())
    rec = gw.record({k.lower(): v for k, v in r.getheaders()})
    check("abort: activity status 0 with an error type",
          rec.get("status") == 0 and rec.get("error_type") == "client_closed", rec)
    check("abort: gateway healthy", request(gw, "GET", "/healthz")[0] == 200)


def reloads(gw, emu, act):
    res = slow_stream(gw, OLD)
    res["first"].wait(10)
    line = gw.reload(config(emu, act, base_keys([{"name": "new", "key": NEW}]), bodies=True))
    check("SIGHUP: configuration reloaded from FILE",
          line and gw.path in line and line.startswith("bedrock gateway:"), gw.err()[-1000:])
    check("SIGHUP: the stream was still in flight at the reload", res["thread"].is_alive())
    s = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(NEW))[0]
    check("SIGHUP: the new key works", s == 200, s)
    s, h, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(OLD))
    check("SIGHUP: the removed key is refused", s == 403, (s, b))
    res["thread"].join(30)
    check("SIGHUP: the stream in flight (old key) completed", stream_ok(res), res)

    s, h, b = request(gw, "POST", "/v1/messages", with_prompt(ANTHROPIC_BODY, PROMPT), xkey(NEW))
    r = gw.record(h)
    check("bodies: true: the prompt and the answer are logged",
          PROMPT in r.get("request_body", "") and "You said: " + PROMPT in r.get("response_text", ""),
          r)
    check("bodies: true: a whole answer's response_text is the answer's text",
          r.get("response_text") == "You said: " + PROMPT, r.get("response_text"))
    conv = {"messages": [{"role": "user", "content": [{"text": PROMPT}]}]}
    s, h, b = request(gw, "POST", "/model/%s/converse" % BEDROCK_MODEL, conv, bearer(NEW))
    r = gw.record(h)
    check("bodies: true: a Converse answer's response_text is its text",
          s == 200 and r.get("response_text") == "You said: " + PROMPT, (s, r))
    s, h, b = request(gw, "POST", B_INVOKE.replace("/invoke", "/invoke-with-response-stream"),
                      with_prompt(BEDROCK_BODY, PROMPT), bearer(NEW))
    r = gw.record(h)
    check("bodies: true: a stream's response_text is the answer's text",
          s == 200 and PROMPT in r.get("request_body", "")
          and r.get("response_text") == "You said: " + PROMPT, r)
    check("bodies: true: still no key in the file", NEW not in log_text(act))

    broken = open(gw.path).read().replace("name: \"new\"", "name: \"new\"\n    rmp: 5")
    line = gw.reload(broken, expect="keeping the running configuration")
    check("SIGHUP, broken file: FILE:LINE and the unknown key on stderr",
          line and re.search(re.escape(gw.path) + r":\d+: .*rmp", line or ""), gw.err()[-1000:])
    s = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(NEW))[0]
    check("SIGHUP, broken file: the running configuration still serves", s == 200, s)
    line = gw.reload("keys: [\n  - oops\n", expect="keeping the running configuration")
    check("SIGHUP, not YAML: refused with FILE:LINE",
          line and re.search(re.escape(gw.path) + r":\d+:", line or ""), gw.err()[-1000:])
    s, h, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(NEW))
    check("SIGHUP, not YAML: still serving", s == 200 and gw.record(h), (s, b))
    check("stderr holds no key", all(k not in gw.err() for k in (ALICE, OLD, NEW, SECRET)))


def activity_cli(gw, act):
    recs = gw.activity()
    p = subprocess.run([BIN, "gateway", "activity", "--dir", act, "--json"], capture_output=True,
                       text=True, timeout=30)
    try:
        j = json.loads(p.stdout)
    except ValueError:
        j = None
    check("gateway activity --json runs", p.returncode == 0 and j is not None,
          (p.returncode, p.stdout[:500], p.stderr[:500]))
    if j is None:
        return
    per_key, out_tok = {}, 0
    for r in recs:
        k = r.get("key", "-")
        per_key[k] = per_key.get(k, 0) + 1
        out_tok += r.get("output_tokens", 0)
    found = {g.get("key"): g.get("requests") for g in j.get("groups", [])}
    check("gateway activity: requests summed per key as logged", found == per_key,
          (found, per_key))
    check("gateway activity: alice's requests (3 + 1 aborted)", per_key.get("alice") == 4,
          per_key)
    tot = j.get("total", {})
    check("gateway activity: the total is every line and every output token",
          tot.get("requests") == len(recs) and tot.get("output_tokens") == out_tok,
          (tot, len(recs), out_tok))


def drain(gw):
    res = slow_stream(gw, ALICE)
    res["first"].wait(10)
    gw.signal(15)
    refused = procs.wait_for(lambda: connect_refused(gw.port), 5)
    check("SIGTERM: new connections refused while draining", refused)
    rc = gw.wait(20)
    res["thread"].join(20)
    check("SIGTERM: the stream in flight completed", stream_ok(res), res)
    check("SIGTERM: exit 0", rc == 0, (rc, gw.err()[-1000:]))


def second_signal(emu):
    """A second SIGTERM while draining stops at once (exit 0), cutting the stream."""
    gw = procs.Gateway(BIN, config(emu, procs.workdir() + "/activity", base_keys([])))
    res = slow_stream(gw, ALICE)
    res["first"].wait(10)
    gw.signal(15)
    time.sleep(0.2)
    t0 = time.monotonic()
    gw.signal(15)
    rc = gw.wait(5)
    check("second SIGTERM: exits 0 at once", rc == 0 and time.monotonic() - t0 < 2,
          (rc, time.monotonic() - t0))
    res["thread"].join(10)
    check("second SIGTERM: the stream was cut", not stream_ok(res), res)


def limits_and_routes(emu):
    gw = procs.Gateway(BIN, {"upstreams": [procs.bedrock_upstream(emu)],
                             "keys": [{"name": "alice", "key": ALICE}],
                             "metrics": False,
                             "limits": {"max_body_bytes": 1024}})
    s = request(gw, "GET", "/metrics")[0]
    check("metrics: false: GET /metrics is 404", s == 404, s)
    for front, path, body in (
            ("anthropic", "/v1/messages", ANTHROPIC_BODY), ("bedrock", B_INVOKE, BEDROCK_BODY),
            ("vertex", procs.VERTEX_PATH + "rawPredict", procs.VERTEX_BODY)):
        s, h, b = request(gw, "POST", path, with_prompt(body, "x" * 2000), xkey(ALICE))
        check("max_body_bytes %s: 413" % front, s == 413, (s, b))
        # docs/gateway.md: too large is 413 ValidationException / request_too_large /
        # INVALID_ARGUMENT in the front's shape
        want = {"anthropic": b"request_too_large", "bedrock": b"max_body_bytes",
                "vertex": b"INVALID_ARGUMENT"}[front]
        check("max_body_bytes %s: the 413 is in the front's shape" % front, want in b, (h, b))
        s, h, b = request(gw, "POST", path, with_prompt(body, "x" * 2000), xkey("wrong-key"))
        check("max_body_bytes %s, wrong key: 403, the limit not told" % front,
              s == 403 and b"max_body_bytes" not in b, (s, b))
    # HTTP/2: the same refusal, announced length or not.
    r = subprocess.run(["curl", "-sS", "--max-time", "20", "--http2-prior-knowledge",
                        "-H", "x-api-key: " + ALICE, "-H", "content-type: application/json",
                        "--data-binary", json.dumps(with_prompt(ANTHROPIC_BODY, "y" * 5000)),
                        "-w", "\n%{http_code}", "http://127.0.0.1:%d/v1/messages" % gw.port],
                       capture_output=True)
    out = r.stdout.decode(errors="replace")
    check("max_body_bytes over HTTP/2: 413 request_too_large",
          out.endswith("\n413") and "request_too_large" in out, (r.returncode, out[-300:]))
    # HTTP/1.1 chunked: no length announced, the limit found mid-body; the
    # rest is read and dropped, then the refusal goes (not a closed socket).
    r = subprocess.run(["curl", "-sS", "--max-time", "20", "-H", "x-api-key: " + ALICE,
                        "-H", "content-type: application/json", "-H", "Transfer-Encoding: chunked",
                        "--data-binary", "@-",
                        "-w", "\n%{http_code}", "http://127.0.0.1:%d/v1/messages" % gw.port],
                       input=json.dumps(with_prompt(ANTHROPIC_BODY, "w" * 300000)).encode(),
                       capture_output=True)
    out = r.stdout.decode(errors="replace")
    check("max_body_bytes, chunked HTTP/1.1: 413 request_too_large",
          r.returncode == 0 and out.endswith("\n413") and "request_too_large" in out,
          (r.returncode, out[-300:], r.stderr[-300:]))
    s = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(ALICE))[0]
    check("max_body_bytes: a small body passes", s == 200, s)
    s, h, b = request(gw, "GET", "/v1/messages", None, xkey(ALICE))
    j = procs.jbody(b) or {}
    check("GET /v1/messages: 405 in the Anthropic shape, with its request id", s == 405
          and j.get("type") == "error" and j.get("error", {}).get("type")
          and j.get("request_id") and h.get("request-id") == j.get("request_id"), (s, h, b))
    s, h, b = request(gw, "POST", "/v1/nothing", {}, xkey(ALICE))
    j = procs.jbody(b) or {}
    check("POST /v1/nothing: 404 not_found_error (the Anthropic API's shape)", s == 404
          and j.get("error", {}).get("type") == "not_found_error", (s, b))
    s, h, b = request(gw, "POST", "/model/%s/nothing" % BEDROCK_MODEL, {}, xkey(ALICE))
    check("unknown Bedrock operation: 404 ResourceNotFoundException", s == 404
          and h.get("x-amzn-errortype", "").startswith("ResourceNotFoundException"), (s, h, b))
    s, h, b = request(gw, "POST", procs.VERTEX_PATH + "nothing", {}, xkey(ALICE))
    check("unknown Vertex method: 404 NOT_FOUND in Google's shape", s == 404
          and (procs.jbody(b) or {}).get("error", {}).get("status") == "NOT_FOUND", (s, b))
    check("limits gateway exits 0", gw.stop() == 0)


def bad_start():
    d = procs.workdir()
    path = os.path.join(d, "gateway.yaml")
    with open(path, "w") as f:
        f.write("upstreams:\n  - platform: bedrock\n    regoin: us-east-1\n"
                "keys:\n  - name: a\n    key: %s\n" % ALICE)
    p = subprocess.run([BIN, "gateway", "--config", path, "--listen", "127.0.0.1:0"],
                       capture_output=True, text=True, timeout=20, env=procs.clean_env())
    check("bad file at start: exit 4, nothing on stdout", p.returncode == 4 and p.stdout == "",
          (p.returncode, p.stdout))
    check("bad file at start: FILE:LINE and the unknown key on stderr",
          (path + ":3: ") in p.stderr and "regoin" in p.stderr, p.stderr)
    check("bad file at start: no key on stderr", ALICE not in p.stderr)


def connect_refused(port):
    try:
        socket.create_connection(("127.0.0.1", port), timeout=1).close()
        return False
    except ConnectionRefusedError:
        return True
    except OSError:
        return False


def lost_lines(emu):
    """A full disk under the activity log (today's file is /dev/full): the
    gateway goes on answering, counts every line it could not write in
    /metrics, and says how many at exit."""
    d = procs.workdir()
    act = os.path.join(d, "activity")
    os.mkdir(act, 0o700)
    os.symlink("/dev/full", os.path.join(act, time.strftime("activity-%Y-%m-%d.jsonl",
                                                            time.gmtime())))
    gw = procs.Gateway(BIN, config(emu, act, base_keys([])), dirname=d)
    got = [request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(ALICE))[0] for _ in range(3)]
    check("full disk under the activity log: still answering", got == [200] * 3, got)
    text = gw.metrics_until(
        lambda t: metric(t, "bedrock_gateway_activity_lines_lost_total") >= 3)
    check("... every lost line counted in /metrics",
          metric(text, "bedrock_gateway_activity_lines_lost_total") == 3,
          [l for l in text.splitlines() if "lost" in l])
    check("... and said at exit", gw.stop() == 0 and
          "3 activity log lines could not be written" in gw.err(), gw.err()[-500:])


def main():
    emu = procs.emulator(BIN)
    d = procs.workdir()
    act = os.path.join(d, "activity")
    gw = procs.Gateway(BIN, config(emu, act, base_keys([{"name": "old", "key": OLD}])),
                       dirname=d)
    try:
        basics(gw)
        activity(gw, act)
        metrics_after_traffic(gw)
        client_abort(gw)
        reloads(gw, emu, act)
        activity_cli(gw, act)
        drain(gw)
        second_signal(emu)
        limits_and_routes(emu)
        bad_start()
        lost_lines(emu)
    finally:
        procs.stop_all()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
