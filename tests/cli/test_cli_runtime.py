#!/usr/bin/env python3
"""The raw Bedrock commands (invoke, converse, count-tokens, models,
profiles, logging) against `bedrock emulate`: outputs, exit codes, the
one-line AWS error. Usage: test_cli_runtime.py BEDROCK_BINARY VECTORS_DIR"""
import base64
import hashlib
import hmac
import json
import os
import urllib.parse
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from checks import check, summary

BIN = sys.argv[1]
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                   "messages": [{"role": "user", "content": "Hello, world"}]})




def verify_key(b64, secret):
    url = base64.b64decode(b64).decode()
    host, _, query = url.partition("/?")
    if host != "bedrock.amazonaws.com" or not query.endswith("&Version=1"):
        return False
    pairs = urllib.parse.parse_qsl(query[:-len("&Version=1")], keep_blank_values=True)
    q = dict(pairs)
    sig = q.pop("X-Amz-Signature")
    scope = q["X-Amz-Credential"].split("/")
    canon_q = "&".join("%s=%s" % (urllib.parse.quote(k, safe="-_.~"), urllib.parse.quote(v, safe="-_.~"))
                       for k, v in sorted(q.items()))
    creq = "\n".join(["POST", "/", canon_q, "host:%s\n" % host, "host", hashlib.sha256(b"").hexdigest()])
    sts = "\n".join(["AWS4-HMAC-SHA256", q["X-Amz-Date"], "/".join(scope[1:]),
                     hashlib.sha256(creq.encode()).hexdigest()])
    k = ("AWS4" + secret).encode()
    for m in scope[1:]:
        k = hmac.new(k, m.encode(), hashlib.sha256).digest()
    return (hmac.new(k, sts.encode(), hashlib.sha256).hexdigest() == sig and scope[2] == "us-east-1"
            and q["X-Amz-Expires"] == "900" and q.get("X-Amz-Security-Token") == "tok"
            and q["Action"] == "CallWithBearerToken")


class Capture(BaseHTTPRequestHandler):
    """Records each request's headers (as sent) and answers like InvokeModel."""
    protocol_version = "HTTP/1.1"
    seen = []

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(n)
        Capture.seen.append((self.path, list(self.headers.items())))
        stream = self.path.endswith("/invoke-with-response-stream")
        data = b"" if stream else b'{"content":[{"type":"text","text":"captured"}]}'
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream" if stream else "application/json")
        self.send_header("x-amzn-RequestId", "00000000-0000-0000-0000-000000000000")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def check_invoke_headers(run):
    """invoke's --guardrail-identifier & co. reach the wire as Bedrock's headers."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d" % srv.server_address[1]
    flags = ["--guardrail-identifier", "gr-abc123", "--guardrail-version", "3", "--trace", "ENABLED_FULL",
             "--performance-config-latency", "optimized", "--service-tier", "flex"]
    want = [("X-Amzn-Bedrock-GuardrailIdentifier", "gr-abc123"), ("X-Amzn-Bedrock-GuardrailVersion", "3"),
            ("X-Amzn-Bedrock-Trace", "ENABLED_FULL"), ("X-Amzn-Bedrock-PerformanceConfig-Latency", "optimized"),
            ("X-Amzn-Bedrock-Service-Tier", "flex")]
    try:
        for stream in ([], ["--stream"]):
            Capture.seen.clear()
            r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, *(flags + stream))
            ok = r.returncode == 0 and len(Capture.seen) == 1
            headers = Capture.seen[0][1] if ok else []
            check("invoke %s sends the Bedrock headers" % (stream or ["plain"])[0],
                  ok and all(h in headers for h in want), "%d %s %s" % (r.returncode, r.stderr, headers))
            signed = next((v for k, v in headers if k == "Authorization"), "")
            check("invoke %s signs them" % (stream or ["plain"])[0],
                  all(k.lower() in signed for k, _ in want), signed)
        Capture.seen.clear()
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY)
        check("no flags, no headers", r.returncode == 0 and not any(
            k.startswith("X-Amzn-Bedrock-") for k, _ in Capture.seen[0][1]), Capture.seen)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY,
                "--guardrail-identifier", "gr-abc123")
        check("guardrail without its version is a usage error", r.returncode == 1
              and "--guardrail-version" in r.stderr and len(Capture.seen) == 1, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "--trace")
        check("a flag without its value", r.returncode == 1 and "--trace needs a value" in r.stderr, r.stderr)
        r = run("converse", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "--service-tier", "flex")
        check("converse takes no header flags", r.returncode == 1 and len(Capture.seen) == 1, r.stderr)
        r = run("invoke", "--help")
        check("invoke --help lists the flags", r.returncode == 0 and all(
            f in r.stdout for f in flags[0::2]), r.stdout)
    finally:
        srv.shutdown()
        srv.server_close()


def es_frame(event_type, payload):
    """One event-stream message of a ConverseStream answer."""
    hb = b""
    for name, value in ((":event-type", event_type), (":content-type", "application/json"),
                        (":message-type", "event")):
        hb += bytes([len(name)]) + name.encode() + b"\x07" + struct.pack(">H", len(value)) + value.encode()
    prelude = struct.pack(">II", 16 + len(hb) + len(payload), len(hb))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hb + payload
    return body + struct.pack(">I", zlib.crc32(body))


class Padded(BaseHTTPRequestHandler):
    """A ConverseStream answer whose events carry Bedrock's "p" padding."""
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        data = es_frame("messageStart", b'{"p":"abcdefgh","role":"assistant"}')
        data += es_frame("contentBlockDelta", b'{"contentBlockIndex":0,"delta":{"text":"Hi"},"p":"abcdefghijkl"}')
        data += es_frame("messageStop", b'{"p":"abc","stopReason":"end_turn"}')
        self.send_response(200)
        self.send_header("Content-Type", "application/vnd.amazon.eventstream")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


class Bare413(BaseHTTPRequestHandler):
    """Reads the body, then refuses it with a 413 and nothing else."""
    protocol_version = "HTTP/1.1"
    got = []

    def log_message(self, fmt, *args):
        pass

    def do_POST(self):
        n, left = 0, int(self.headers.get("Content-Length") or 0)
        while left:
            chunk = self.rfile.read(min(left, 1 << 20))
            if not chunk:
                break
            n += len(chunk)
            left -= len(chunk)
        Bare413.got.append(n)
        self.send_response(413)
        self.send_header("Content-Length", "0")
        self.end_headers()


def check_converse_padding(run):
    """converse --stream drops the "p" member of each event, as the AWS CLI does."""
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Padded)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    try:
        r = run("converse", "--endpoint-url", "http://127.0.0.1:%d" % srv.server_address[1], "--model-id", MODEL,
                "--body", '{"messages":[]}', "--stream")
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        check("converse --stream drops the p padding", r.returncode == 0 and lines == [
            {"messageStart": {"role": "assistant"}},
            {"contentBlockDelta": {"contentBlockIndex": 0, "delta": {"text": "Hi"}}},
            {"messageStop": {"stopReason": "end_turn"}}], r.stdout + r.stderr)
    finally:
        srv.shutdown()
        srv.server_close()


def check_outfile(run, url):
    """An OUTFILE changes only when the call succeeds; errors name the file
    and the reason."""
    slow = BODY.replace("Hello, world", "Hello there, how are you today? [[emulate:fault=slow=400]]")
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "out")

        def untouched(name, r):
            check(name + ": OUTFILE untouched", open(out).read() == "previous\n" and os.listdir(d) == ["out"],
                  "%d %s %s" % (r.returncode, r.stderr, os.listdir(d)))

        open(out, "w").write("previous\n")
        r = run("invoke", "--endpoint-url", url, "--model-id", "nope", "--body", "{}", out)
        check("failed invoke: exit 2", r.returncode == 2, r.stderr)
        untouched("failed invoke", r)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--stream", out,
                "--body", BODY.replace("Hello, world", "x [[emulate:fault=stream-exception=modelStreamErrorException]]"))
        check("failed stream: exit 2", r.returncode == 2, r.stderr)
        untouched("failed stream", r)
        # Ctrl-C in the middle of a stream: the partial file goes.
        p = subprocess.Popen([BIN, "invoke", "--endpoint-url", url, "--model-id", MODEL, "--stream", "--body", slow,
                              out], env=run.env, stderr=subprocess.PIPE)
        deadline = time.time() + 20
        while time.time() < deadline and len(os.listdir(d)) < 2:
            time.sleep(0.05)
        time.sleep(0.5)
        p.send_signal(signal.SIGINT)
        p.wait(timeout=20)
        check("Ctrl-C: dies of SIGINT", p.returncode == -signal.SIGINT, p.returncode)
        untouched("Ctrl-C", p)
        os.chmod(out, 0o640)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, out)
        check("success replaces OUTFILE, keeping its mode", r.returncode == 0 and "You said" in open(out).read()
              and os.stat(out).st_mode & 0o777 == 0o640 and os.listdir(d) == ["out"], r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "--stream", out)
        check("stream into OUTFILE", r.returncode == 0 and open(out).read().count("\n") > 3, r.stderr)
        new = os.path.join(d, "new")
        umask = os.umask(0o022)
        os.umask(umask)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, new)
        check("a new OUTFILE gets the usual mode", r.returncode == 0 and
              os.stat(new).st_mode & 0o777 == 0o666 & ~umask, oct(os.stat(new).st_mode))
        link = os.path.join(d, "link")
        os.symlink(out, link)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, link)
        check("through a symlink, its file is replaced", r.returncode == 0 and os.path.islink(link), r.stderr)

        # L16: every file error says which file and why.
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, d)
        check("OUTFILE a folder", r.returncode == 1 and "cannot write %s: Is a directory" % d in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "")
        check("OUTFILE empty", r.returncode == 1 and "cannot write '': No such file or directory" in r.stderr,
              r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, os.path.join(d, "no", "x"))
        check("OUTFILE in a missing folder", r.returncode == 1 and "No such file or directory" in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", "file://" + d)
        check("body a folder", r.returncode == 1 and "cannot read %s: Is a directory" % d in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", "file://")
        check("body file empty name", r.returncode == 1 and "cannot read '': No such file" in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", "fileb://" + d + "/none")
        check("body file missing", r.returncode == 1 and "cannot read %s/none: No such file" % d in r.stderr,
              r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "/dev/null")
        check("OUTFILE /dev/null is written, not replaced", r.returncode == 0 and os.path.exists("/dev/null")
              and not os.path.isfile("/dev/null"), r.stderr)

        # L15: fileb:// is the file's bytes.
        bf = os.path.join(d, "body.json")
        open(bf, "w").write(BODY)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", "fileb://" + bf)
        check("--body fileb://", r.returncode == 0 and "You said: Hello, world" in r.stdout, r.stderr)
        # L14: a body too large for the service, refused with a bare 413,
        # sent from the file (mapped, not read into memory). A server that
        # reads the whole body first: the emulator answers as soon as the
        # headers are in, and libcurl, still sending, may then see the
        # connection closed before the answer.
        big = os.path.join(d, "big.json")
        with open(big, "wb") as f:
            f.truncate(3 * 1024 * 1024)
        srv = ThreadingHTTPServer(("127.0.0.1", 0), Bare413)
        threading.Thread(target=srv.serve_forever, daemon=True).start()
        try:
            r = run("invoke", "--endpoint-url", "http://127.0.0.1:%d" % srv.server_address[1], "--model-id", MODEL,
                    "--max-attempts", "1", "--body", "fileb://" + big)
        finally:
            srv.shutdown()
            srv.server_close()
        check("a bodiless 413 names its status", r.returncode == 2 and
              r.stderr == "bedrock: HTTP 413 Payload Too Large\n" and Bare413.got == [3 * 1024 * 1024],
              "%d %r %s" % (r.returncode, r.stderr, Bare413.got))


def check_logging_errors(run, url):
    """logging enable says what is wrong with its destination."""
    cases = [([], "needs a destination"),
             (["--cloudwatch", "g"], "--cloudwatch needs --role-arn"),
             (["--role-arn", "arn:aws:iam::1:role/r"], "--role-arn goes with --cloudwatch"),
             (["--s3", "logs"], "--s3 takes s3://BUCKET"),
             (["--s3", "s3://"], "--s3 takes s3://BUCKET"),
             (["--s3"], "--s3 needs a value")]
    for extra, want in cases:
        r = run("logging", "enable", "--endpoint-url", url, *extra)
        check("logging enable %s: says %r" % (" ".join(extra), want), r.returncode == 1 and want in r.stderr,
              r.stderr)
    r = run("logging", "start", "--endpoint-url", url)
    check("logging: unknown command", r.returncode == 1 and "unknown command 'start'" in r.stderr, r.stderr)
    r = run("logging", "--endpoint-url", url)
    check("logging: no command", r.returncode == 1 and "needs show, enable or disable" in r.stderr, r.stderr)


def main():
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"],
                           stdout=subprocess.PIPE, text=True)
    url = re.match(r"listening on (\S+)", emu.stdout.readline()).group(1)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
           "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}

    def run(*args, stdin=None, extra=None):
        e = dict(env, **(extra or {}))
        return subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True,
                              env=e, timeout=60)
    run.env = env

    try:
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY)
        check("invoke", r.returncode == 0 and json.loads(r.stdout)["content"][0]["text"] == "You said: Hello, world",
              r.stdout + r.stderr)
        r = run("--endpoint-url", url, "invoke", "--model-id", MODEL, "--body", "-", stdin=BODY)
        check("global option first, body from stdin", r.returncode == 0, r.stderr)
        with tempfile.TemporaryDirectory() as d:
            bf, of = os.path.join(d, "body.json"), os.path.join(d, "out.json")
            open(bf, "w").write(BODY)
            r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", "file://" + bf, of)
            check("outfile", r.returncode == 0 and r.stdout == "" and "You said" in open(of).read(), r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, "--stream")
        lines = [json.loads(l) for l in r.stdout.splitlines()]
        text = "".join(e["delta"]["text"] for e in lines if e["type"] == "content_block_delta")
        check("invoke --stream", r.returncode == 0 and text == "You said: Hello, world"
              and lines[0]["type"] == "message_start" and lines[-1]["type"] == "message_stop", r.stdout)
        conv = json.dumps({"messages": [{"role": "user", "content": [{"text": "Hello, world"}]}]})
        r = run("converse", "--endpoint-url", url, "--model-id", MODEL, "--body", conv)
        check("converse", r.returncode == 0 and json.loads(r.stdout)["output"]["message"]["content"][0]["text"]
              == "You said: Hello, world", r.stdout + r.stderr)
        r = run("converse", "--endpoint-url", url, "--model-id", MODEL, "--body", conv, "--stream")
        ev = [json.loads(l) for l in r.stdout.splitlines()]
        check("converse --stream", r.returncode == 0 and "messageStart" in ev[0] and "metadata" in ev[-1], r.stdout)
        r = run("count-tokens", "--endpoint-url", url, "--model-id", "anthropic.claude-sonnet-4-5-20250929-v1:0",
                "--body", json.dumps({"input": {"converse": {"messages": [{"role": "user", "content": [{"text": "Hello, world"}]}]}}}))
        check("count-tokens", r.returncode == 0 and json.loads(r.stdout)["inputTokens"] > 0, r.stdout + r.stderr)
        r = run("list-models", "--endpoint-url", url, "--provider", "Anthropic")
        check("list-models", r.returncode == 0 and len(json.loads(r.stdout)["modelSummaries"]) > 5, r.stderr)
        r = run("get-model", "anthropic.claude-3-haiku-20240307-v1:0", "--endpoint-url", url)
        check("get-model", r.returncode == 0 and json.loads(r.stdout)["modelDetails"]["modelId"].endswith("v1:0"), r.stderr)
        r = run("list-profiles", "--endpoint-url", url)
        check("list-profiles", r.returncode == 0 and len(json.loads(r.stdout)["inferenceProfileSummaries"]) > 10, r.stderr)
        r = run("get-profile", "global.anthropic.claude-opus-4-6-v1", "--endpoint-url", url)
        check("get-profile", r.returncode == 0 and json.loads(r.stdout)["type"] == "SYSTEM_DEFINED", r.stderr)
        r = run("logging", "enable", "--s3", "s3://logs/bedrock/", "--endpoint-url", url)
        check("logging enable", r.returncode == 0, r.stderr)
        r = run("logging", "show", "--endpoint-url", url)
        check("logging show", json.loads(r.stdout)["loggingConfig"]["s3Config"]["bucketName"] == "logs", r.stdout)
        r = run("logging", "disable", "--endpoint-url", url)
        check("logging disable", r.returncode == 0 and "loggingConfig" not in json.loads(run("logging", "show", "--endpoint-url", url).stdout))

        # Errors: one line, the AWS code and the request id, exit 2/3/4/1.
        r = run("invoke", "--endpoint-url", url, "--model-id", "anthropic.claude-sonnet-4-5-20250929-v1:0", "--body", BODY)
        check("service error exit 2", r.returncode == 2 and re.match(
            r"^bedrock: ValidationException: .*on-demand throughput.* \(request id [0-9a-f-]{36}\)\n$", r.stderr), r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY,
                extra={"AWS_SECRET_ACCESS_KEY": "wrong-secret-CANARY"})
        check("auth error exit 2", r.returncode == 2 and "InvalidSignatureException" in r.stderr
              and "CANARY" not in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", "http://127.0.0.1:1", "--max-attempts", "1", "--model-id", MODEL, "--body", BODY)
        check("network exit 3", r.returncode == 3, "%d %s" % (r.returncode, r.stderr))
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY, extra={"AWS_REGION": ""})
        check("no region exit 4", r.returncode == 4 and "AWS_REGION" in r.stderr, r.stderr)
        r = run("invoke", "--model-id", MODEL)
        check("usage exit 1", r.returncode == 1 and "--body" in r.stderr, r.stderr)
        r = run("invoke", "--endpoint-url", url, "--model-id", MODEL, "--stream",
                "--body", BODY.replace("Hello, world", "x [[emulate:fault=stream-exception=modelStreamErrorException]]"))
        check("in-stream exception exit 2, events kept", r.returncode == 2 and "ModelStreamErrorException" in r.stderr
              and r.stdout.count("\n") >= 1, r.stdout + r.stderr)
        # A short-term API key: the presigned request it wraps verifies with an
        # independent SigV4 computation.
        r = run("api-key", "--expires", "900", extra={"AWS_SESSION_TOKEN": "tok"})
        check("api-key", r.returncode == 0 and r.stdout.startswith("bedrock-api-key-"), r.stderr)
        check("api-key verifies", verify_key(r.stdout.strip()[16:], "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"),
              r.stdout)
        check("no secret in the key", "wJalrX" not in base64.b64decode(r.stdout.strip()[16:]).decode())
        r = run("api-key", "--expires", "99999")
        check("api-key bounds", r.returncode == 1)
        r = run("--debug", "invoke", "--endpoint-url", url, "--model-id", MODEL, "--body", BODY,
                extra={"AWS_SESSION_TOKEN": "CANARY-SESSION-TOKEN"})
        check("--debug shows the signing stages", r.returncode == 0 and "canonical request:" in r.stderr
              and "string to sign:" in r.stderr and "x-amz-security-token:****" in r.stderr, r.stderr[:400])
        check("--debug never shows the token or the secret", "CANARY-SESSION-TOKEN" not in r.stderr
              and "wJalrX" not in r.stderr, r.stderr[:400])
        check_invoke_headers(run)
        check_converse_padding(run)
        check_outfile(run, url)
        check_logging_errors(run, url)
        r = run("--version")
        check("version", r.returncode == 0 and r.stdout.startswith("bedrock "), r.stdout)
    finally:
        emu.send_signal(signal.SIGTERM)
        emu.wait(timeout=10)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
