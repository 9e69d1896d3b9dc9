#!/usr/bin/env python3
"""`bedrock emulate` as a Bedrock: the first line, a signed InvokeModel from
examples/invoke_model (our SigV4), bearer keys, --fault counts, --replay of
every public recording over real HTTP, clean shutdown.
Usage: test_emulate_bedrock.py BEDROCK_BINARY VECTORS_DIR"""
import http.client
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
from checks import check, summary

BIN, VECTORS = sys.argv[1], sys.argv[2]
EXAMPLE = os.path.join(os.path.dirname(BIN), "example_invoke_model")




class Emulator:
    def __init__(self, *args):
        self.p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"^listening on http://127\.0\.0\.1:(\d+)$", line.strip())
        if not m:
            raise RuntimeError("bad first line %r: %s" % (line, self.p.stderr.read()))
        self.port = int(m.group(1))
        self.url = "http://127.0.0.1:%d" % self.port

    def request(self, method, path, body=None, headers=None):
        c = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        c.request(method, path, body=body, headers=headers or {})
        r = c.getresponse()
        data = r.read()
        c.close()
        return r.status, dict((k.lower(), v) for k, v in r.getheaders()), data

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            return self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
            return -1


BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                   "messages": [{"role": "user", "content": "Hello, world"}]})
PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"


def fidelity(e, auth):
    """What Bedrock refuses, the emulator refuses the same way."""
    def validation(name, st, h, data, needle):
        check(name, st == 400 and h.get("x-amzn-errortype", "").startswith("ValidationException")
              and needle in json.loads(data or b"{}").get("message", ""), (st, h, data))

    st, h, data = e.request("GET", "/inference-profiles?type=FOO", None, auth)
    validation("list profiles: unknown type", st, h, data, "'FOO' at 'typeEquals'")
    st, h, data = e.request("GET", "/inference-profiles?type=SYSTEM_DEFINED", None, auth)
    check("list profiles: SYSTEM_DEFINED still lists", st == 200 and
          json.loads(data)["inferenceProfileSummaries"], data[:200])
    # us-east-1 serves us. and global. profiles; an eu. one is not callable here.
    eu = PATH.replace("/us.", "/eu.")
    st, h, data = e.request("POST", eu, BODY, auth)
    validation("eu. profile from us-east-1", st, h, data, "The provided model identifier is invalid.")
    st, h, data = e.request("POST", PATH.replace("/us.", "/global."), BODY, auth)
    check("global. profile from us-east-1", st == 200, (st, data[:200]))
    st, h, data = e.request("POST", PATH, BODY, dict(auth, **{"X-Amzn-Bedrock-Trace": "BOGUS"}))
    validation("trace BOGUS", st, h, data, "'BOGUS' at 'trace'")
    for ok in ("ENABLED", "DISABLED", "ENABLED_FULL"):
        st, h, data = e.request("POST", PATH, BODY, dict(auth, **{"X-Amzn-Bedrock-Trace": ok}))
        check("trace " + ok, st == 200, (st, data[:200]))
    st, h, data = e.request("POST", PATH, BODY.replace("Hello, world", "hi [[emulate:fault=bogus]]"), auth)
    validation("unknown prompt fault", st, h, data, "unknown fault 'bogus'")
    p = subprocess.run([BIN, "--endpoint-url", e.url, "list-profiles", "--type", "FOO"],
                       capture_output=True, text=True, timeout=30,
                       env=dict(os.environ, AWS_BEARER_TOKEN_BEDROCK="bedrock-api-key-test",
                                AWS_REGION="us-east-1", AWS_EC2_METADATA_DISABLED="true"))
    check("bedrock list-profiles --type FOO: ValidationException", p.returncode == 2 and
          "ValidationException" in p.stderr, (p.returncode, p.stdout[:200], p.stderr))


def chunks(port, path, body, headers):
    """POSTs over a raw HTTP/1.1 socket: (status line, [chunk sizes], the
    de-chunked body)."""
    head = "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\nConnection: close\r\n" % (
        path, len(body.encode()))
    head += "".join("%s: %s\r\n" % kv for kv in headers.items()) + "\r\n"
    data = b""
    with socket.create_connection(("127.0.0.1", port), timeout=30) as s:
        s.sendall(head.encode() + body.encode())
        while True:
            b = s.recv(65536)
            if not b:
                break
            data += b
    status, _, rest = data.partition(b"\r\n")
    rest = rest.split(b"\r\n\r\n", 1)[1]
    sizes, out = [], b""
    while rest:
        line, _, rest = rest.partition(b"\r\n")
        n = int(line, 16)
        if n == 0:
            break
        sizes.append(n)
        out += rest[:n]
        rest = rest[n + 2:]
    return status.decode(), sizes, out


def burst(e, auth):
    """The burst fault: the same stream in a few chunks (as big as the
    server's write buffer) instead of one chunk an event, on both fronts;
    over HTTP/2 too."""
    words = " ".join("w%d" % i for i in range(700))
    stream = PATH.replace("/invoke", "/invoke-with-response-stream")
    api = {"x-api-key": "sk-ant-emulator-key", "anthropic-version": "2023-06-01",
           "Content-Type": "application/json"}
    for name, path, hdrs, body in (
            ("Bedrock", stream, auth, {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1000}),
            ("Anthropic API", "/v1/messages", api, {"model": "claude-haiku-4-5-20251001", "max_tokens": 1000,
                                                    "stream": True})):
        got = {}
        for mode in ("one write an event", "burst"):
            b = dict(body, messages=[{"role": "user", "content": words}])
            if mode == "burst":
                b["system"] = "[[emulate:fault=burst]]"
            got[mode] = chunks(e.port, path, json.dumps(b), hdrs)
        st1, each, body1 = got["one write an event"]
        st2, burst_sizes, body2 = got["burst"]
        check("%s: 200 both ways" % name, st1.endswith(" 200 OK") and st2.endswith(" 200 OK"), (st1, st2))
        check("%s: one chunk an event" % name, len(each) >= 700, len(each))
        check("%s: burst in a few chunks" % name,
              len(burst_sizes) <= len(body2) // 16384 + 2 and sum(burst_sizes) == len(body2), burst_sizes)
        if name == "Bedrock":
            for mode, data in (("one write an event", body1), ("burst", body2)):
                dec = subprocess.run([BIN, "debug", "eventstream", "--text", "-"], input=data,
                                     capture_output=True, timeout=30)
                check("Bedrock %s decodes" % mode, dec.returncode == 0 and
                      dec.stdout == ("You said: " + words + "\n").encode(), dec.stderr)
        else:
            deltas = [body1.count(b"text_delta"), body2.count(b"text_delta")]
            check("Anthropic API: the same deltas", deltas == [703, 703], deltas)
    if shutil.which("curl"):
        b = {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 1000, "system": "[[emulate:fault=burst]]",
             "messages": [{"role": "user", "content": words}]}
        r = subprocess.run(["curl", "-sS", "--http2-prior-knowledge", "-H", "Authorization: " + auth["Authorization"],
                            "--data-binary", json.dumps(b), e.url + stream], capture_output=True, timeout=30)
        dec = subprocess.run([BIN, "debug", "eventstream", "--text", "-"], input=r.stdout, capture_output=True,
                             timeout=30)
        check("HTTP/2 burst decodes", r.returncode == 0 and dec.returncode == 0 and
              dec.stdout == ("You said: " + words + "\n").encode(), r.stderr + dec.stderr)


def main():
    e = Emulator("--bearer", "bedrock-api-key-test", "--fault", "throttle:2")
    try:
        # A SigV4-signed InvokeModel from our example program; the first two
        # requests are throttled (--fault throttle:2), the example does not retry.
        for _ in range(2):
            r = subprocess.run([EXAMPLE, e.url, "Hello, world"], capture_output=True, text=True, timeout=30)
            check("throttled", r.returncode == 1 and "HTTP 429" in r.stderr, r.stderr)
        r = subprocess.run([EXAMPLE, e.url, "Hello, world"], capture_output=True, text=True, timeout=30)
        check("signed invoke", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stdout + r.stderr)

        auth = {"Authorization": "Bearer bedrock-api-key-test", "Content-Type": "application/json"}
        st, h, data = e.request("POST", PATH, BODY, auth)
        check("bearer ok", st == 200 and json.loads(data)["content"][0]["text"] == "You said: Hello, world", data)
        check("request id", re.match(r"^[0-9a-f-]{36}$", h.get("x-amzn-requestid", "")), h)
        check("token headers", int(h.get("x-amzn-bedrock-input-token-count", "0")) > 0, h)
        st, h, data = e.request("POST", PATH, BODY, {"Authorization": "Bearer wrong"})
        check("bad bearer", st == 403 and h.get("x-amzn-errortype", "").startswith("UnrecognizedClientException"), h)
        st, h, data = e.request("POST", PATH, BODY, {})
        check("no auth", st == 403 and "MissingAuthenticationToken" in h.get("x-amzn-errortype", ""), h)
        st, h, data = e.request("POST", "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke", BODY, auth)
        check("on-demand refused", st == 400 and b"on-demand throughput" in data, data)
        st, h, data = e.request("POST", "/model/x/explode", BODY, auth)
        check("unknown op", st == 404 and "UnknownOperation" in h.get("x-amzn-errortype", ""), h)
        st, h, data = e.request("POST", PATH, BODY.replace("Hello, world", "hi [[emulate:fault=model-error]]"), auth)
        check("prompt fault", st == 424 and "ModelErrorException" in h.get("x-amzn-errortype", ""), h)
        stream = PATH.replace("/invoke", "/invoke-with-response-stream")
        st, h, data = e.request("POST", stream, BODY, auth)
        check("stream content type", st == 200 and h.get("content-type") == "application/vnd.amazon.eventstream", h)
        dec = subprocess.run([BIN, "debug", "eventstream", "--text", "-"], input=data, capture_output=True, timeout=30)
        check("stream decodes", dec.returncode == 0 and dec.stdout == b"You said: Hello, world\n", dec.stdout + dec.stderr)
        st, h, data = e.request("POST", stream, BODY.replace("Hello, world", "x [[emulate:fault=truncate]]"), auth)
        dec = subprocess.run([BIN, "debug", "eventstream", "-"], input=data, capture_output=True, timeout=30)
        check("truncate fault", dec.returncode == 1 and b"offset" in dec.stderr, dec.stderr)
        fidelity(e, auth)
        burst(e, auth)
    finally:
        check("SIGTERM exits 0", e.stop() == 0)

    # Replay every public recording over HTTP: recorded status and bytes.
    rec = os.path.join(VECTORS, "bedrock")
    e = Emulator("--replay", rec, "--bearer", "k")
    try:
        n = 0
        for name in sorted(os.listdir(rec)):
            d = os.path.join(rec, name)
            if not os.path.exists(os.path.join(d, "request.json")):
                continue
            req = json.load(open(os.path.join(d, "request.json")))
            resp = json.load(open(os.path.join(d, "response.json")))
            body = req.get("body")
            if body is not None:
                payload = json.dumps(body, indent=1)
            else:
                m = re.search(r"prompt prefix '(.*)'", req.get("note") or "")
                payload = json.dumps({"prompt": m.group(1)}) if m else ""
            st, h, data = e.request(req["method"], req["path"], payload, {"Authorization": "Bearer k"})
            want = open(os.path.join(d, "response.body"), "rb").read()
            check("replay " + name, st == resp["status"] and data == want, "%d %r" % (st, data[:120]))
            n += 1
        check("replayed all", n >= 70, n)
        st, h, data = e.request("POST", "/model/nothing/invoke", "{}", {"Authorization": "Bearer k"})
        check("replay miss names nearest", st == 404 and b"nearest" in data, data)
    finally:
        check("SIGTERM exits 0 (replay)", e.stop() == 0)

    bad = subprocess.run([BIN, "emulate", "--fault", "explode"], capture_output=True, text=True, timeout=10)
    check("bad fault refused", bad.returncode == 1 and "unknown fault" in bad.stderr, bad.stderr)
    for region in ("bad!", "", "us-east-1/x", "-us", "us east"):
        bad = subprocess.run([BIN, "emulate", "--listen", "127.0.0.1:0", "--region", region],
                             capture_output=True, text=True, timeout=10)
        check("bad --region %r refused" % region, bad.returncode == 1 and
              ("--region wants a region name" in bad.stderr or
               (region == "" and "--region needs a value" in bad.stderr)) and "listening" not in bad.stdout,
              (bad.returncode, bad.stdout, bad.stderr))
    bad = subprocess.run([BIN, "emulate", "--replay", "/nonexistent"], capture_output=True, text=True, timeout=10)
    check("bad replay dir refused", bad.returncode == 1 and "/nonexistent" in bad.stderr, bad.stderr)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
