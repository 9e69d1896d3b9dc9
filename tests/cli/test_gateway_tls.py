#!/usr/bin/env python3
"""`bedrock gateway` with tls_cert/tls_key: the first line says https://,
ALPN picks HTTP/2 or HTTP/1.1 (curl and Python's ssl as clients, the
certificate checked against the test's own CA file), requests and streams
go through on both, a 3 MB body crosses the HTTP/1.1 relay both ways, a
cleartext request is closed unanswered, a bad certificate or key stops the
start with a message naming the file and exit 4 (the key's content never
shown), and SIGTERM ends a gateway holding idle TLS connections at once.
Only 127.0.0.1; every process is stopped.
Usage: test_gateway_tls.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import signal
import socket
import ssl
import subprocess
import sys
import tempfile
import time
from checks import check, summary
from procs import recv_until

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="bedrock-gw-tls-")
KEY = "gw-alice-0123456789"
ENV = dict(os.environ, AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
           AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           AWS_EC2_METADATA_DISABLED="true", NO_PROXY="127.0.0.1", no_proxy="127.0.0.1")
for v in ("HTTPS_PROXY", "https_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
    ENV.pop(v, None)
procs = []


def path(name):
    return os.path.join(WORK, name)


def make_cert(stem, cn="127.0.0.1"):
    subprocess.run(["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt",
                    "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=" + cn,
                    "-addext", "subjectAltName=IP:127.0.0.1", "-days", "2",
                    "-keyout", path(stem + "-key.pem"), "-out", path(stem + "-cert.pem")],
                   check=True, capture_output=True)


def start(args, prefix):
    p = subprocess.Popen([BIN] + args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
    procs.append(p)
    line = p.stdout.readline().decode().strip()
    if not line.startswith(prefix):
        p.kill()
        raise SystemExit("bad first line: %r %r" % (line, p.stderr.read()[-2000:]))
    return p, line[len("listening on "):]


def config(name, emu, cert, key, extra=""):
    with open(path(name), "w") as f:
        f.write("listen: 127.0.0.1:0\nupstreams:\n  - platform: bedrock\n    region: us-east-1\n"
                "    endpoint_url: %s\nkeys:\n  - name: alice\n    key: %s\n"
                "tls_cert: %s\ntls_key: %s\n%s" % (emu, KEY, cert, key, extra))
    return path(name)


def curl(url, *args):
    r = subprocess.run(["curl", "-sS", "--max-time", "20", "--cacert", path("good-cert.pem"),
                        "-w", "\n%{http_version} %{http_code}", url] + list(args),
                       capture_output=True, env=ENV)
    out = r.stdout.decode(errors="replace")
    body, _, tail = out.rpartition("\n")
    return body, tail, r.returncode


def tls_socket(port, alpn):
    ctx = ssl.create_default_context(cafile=path("good-cert.pem"))
    ctx.set_alpn_protocols(alpn)
    return ctx.wrap_socket(socket.create_connection(("127.0.0.1", port), timeout=10),
                           server_hostname="127.0.0.1")


try:
    make_cert("good")
    make_cert("other", cn="other")
    emu, emu_url = start(["emulate", "--listen", "127.0.0.1:0", "--quiet"],
                         "listening on http://127.0.0.1:")
    cfg = config("gw.yaml", emu_url, path("good-cert.pem"), path("good-key.pem"))
    gw, url = start(["gateway", "--config", cfg], "listening on https://127.0.0.1:")
    port = int(url.rsplit(":", 1)[1])
    check("first line names https", url.startswith("https://127.0.0.1:"), url)

    # ALPN: h2 preferred when offered, HTTP/1.1 otherwise.
    s = tls_socket(port, ["h2", "http/1.1"])
    check("alpn h2 chosen", s.selected_alpn_protocol() == "h2", s.selected_alpn_protocol())
    s.close()
    s = tls_socket(port, ["http/1.1"])
    check("alpn http/1.1", s.selected_alpn_protocol() == "http/1.1", s.selected_alpn_protocol())
    s.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
    got = recv_until(s, b"ok\n")
    check("healthz over the relay", got.startswith(b"HTTP/1.1 200") and got.endswith(b"ok\n"), got)
    s.close()

    auth = ["-H", "Authorization: Bearer " + KEY, "-H", "content-type: application/json"]
    inv = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                      "messages": [{"role": "user", "content": "hello over tls"}]})
    for proto in ("--http2", "--http1.1"):
        want = "2" if proto == "--http2" else "1.1"
        body, tail, rc = curl(url + "/model/anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke",
                              proto, *auth, "-d", inv)
        check("invoke %s" % proto, rc == 0 and tail == want + " 200" and
              "hello over tls" in body, (rc, tail, body[:300]))
        body, tail, rc = curl(url + "/v1/messages", proto, "-N", *auth, "-d", json.dumps(
            {"model": "claude-sonnet-4-5", "max_tokens": 50, "stream": True,
             "messages": [{"role": "user", "content": "stream over tls"}]}))
        text = "".join(json.loads(l[6:])["delta"]["text"] for l in body.splitlines()
                       if l.startswith("data: ") and '"text_delta"' in l)
        check("stream %s" % proto, rc == 0 and tail == want + " 200" and
              "event: message_stop" in body and "stream over tls" in text, (rc, tail, body[-300:]))
        # With a body: the refusal goes before it is read, and the client
        # finishes sending a small one (Debian 12's curl calls an early
        # RST_STREAM an error, even NO_ERROR after a whole answer).
        body, tail, rc = curl(url + "/v1/messages", proto, "-H", "content-type: application/json",
                              "-d", inv)
        check("no key over tls %s" % proto, tail == want + " 401" and
              "authentication_error" in body, (rc, tail, body[:300]))
        body, tail, rc = curl(url + "/v1/messages", proto, "-H", "x-api-key: wrong",
                              "-H", "content-type: application/json", "-d", inv)
        check("wrong key over tls %s" % proto, tail == want + " 403" and
              "permission_error" in body, (rc, tail, body[:300]))

    # A body larger than the relay's buffer, both ways (the emulator says
    # the prompt back).
    big = "x" * 3000000
    with open(path("big.json"), "w") as f:
        json.dump({"model": "claude-sonnet-4-5", "max_tokens": 50,
                   "messages": [{"role": "user", "content": big}]}, f)
    for proto in ("--http1.1", "--http2"):
        body, tail, rc = curl(url + "/v1/messages", proto, *auth, "--data-binary",
                              "@" + path("big.json"))
        ok = rc == 0 and tail.endswith(" 200")
        text = json.loads(body)["content"][0]["text"] if ok else ""
        check("3 MB each way %s" % proto, ok and big in text, (rc, tail, len(body)))

    # Cleartext on the TLS port: closed, nothing answered.
    c = socket.create_connection(("127.0.0.1", port), timeout=10)
    c.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
    try:
        got = c.recv(100)
    except ConnectionResetError:
        got = b""
    check("cleartext closed unanswered", got == b"", got)
    c.close()

    # A client that never finishes its handshake is not waited on by SIGTERM.
    idle_tls = tls_socket(port, ["http/1.1"])
    half = socket.create_connection(("127.0.0.1", port), timeout=10)
    half.sendall(b"\x16\x03\x01")
    time.sleep(0.2)
    t0 = time.monotonic()
    gw.send_signal(signal.SIGTERM)
    try:
        rc = gw.wait(timeout=15)
    except subprocess.TimeoutExpired:
        rc = None
    idle_tls.close()
    half.close()
    err = gw.stderr.read().decode(errors="replace")
    check("SIGTERM with idle TLS connections: exit 0 at once",
          rc == 0 and time.monotonic() - t0 < 5, (rc, time.monotonic() - t0, err[-3000:]))
    check("no TLS noise on stderr", "error:" not in err, err[-500:])

    # Bad certificate or key: refused at start, the file named, exit 4.
    with open(path("good-key.pem")) as f:
        key_text = f.read()
    with open(path("junk.pem"), "w") as f:
        f.write("not a certificate\n")
    for name, cert, key, want in (
            ("mismatch", path("good-cert.pem"), path("other-key.pem"), "other-key.pem"),
            ("missing key", path("good-cert.pem"), path("absent.pem"), "absent.pem"),
            ("junk cert", path("junk.pem"), path("good-key.pem"), "junk.pem"),
            ("key as cert", path("good-key.pem"), path("good-key.pem"), "good-key.pem")):
        cfgb = config("bad.yaml", emu_url, cert, key)
        r = subprocess.run([BIN, "gateway", "--config", cfgb], capture_output=True, env=ENV,
                           timeout=20)
        err = r.stderr.decode(errors="replace")
        check("bad tls (%s): exit 4" % name, r.returncode == 4, (r.returncode, err))
        check("bad tls (%s): names the file" % name, want in err, err)
        check("bad tls (%s): nothing on stdout" % name, r.stdout == b"", r.stdout)
        body = [l for l in key_text.splitlines() if l and not l.startswith("-----")]
        check("bad tls (%s): key content never shown" % name,
              not any(l in err for l in body), "key material in stderr")
finally:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()
    shutil.rmtree(WORK, ignore_errors=True)

sys.exit(summary())
