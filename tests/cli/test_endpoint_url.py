#!/usr/bin/env python3
"""--endpoint-url: a path in it (a gateway's prefix) is signed as it is sent,
checked by botocore's SigV4 over the exact path a loopback gateway received;
URLs that cannot work (a query, a fragment, user:password, a bad port, white
space) are a configuration error (exit 4) that never shows the password.
Usage: test_endpoint_url.py BEDROCK_BINARY VECTORS_DIR"""
import http.client
import json
import os
import re
import subprocess
import sys
import tempfile
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from checks import check, summary

BIN = sys.argv[1]
AKID = "AKIDEXAMPLE"
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                   "messages": [{"role": "user", "content": "Hello, world"}]})
HOME = tempfile.mkdtemp(prefix="bedrock-endpoint-")
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME,
       "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
       "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent", "AWS_ACCESS_KEY_ID": AKID,
       "AWS_SECRET_ACCESS_KEY": SECRET, "AWS_REGION": "us-east-1"}
PREFIX = "/gw/v1"


def run(*args, env=None):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=env or ENV, timeout=60)


def botocore_verify(method, path, headers, body):
    """None if the Authorization header signs this exact request (the path
    as received), else why not. botocore's code, not ours."""
    auth = headers.get("authorization", "")
    m = re.match(r"AWS4-HMAC-SHA256 Credential=([^,]+), ?SignedHeaders=([^,]+), ?Signature=(\w+)$", auth)
    if not m:
        return "no SigV4 Authorization: %r" % auth[:40]
    scope = m.group(1).split("/")
    signed = m.group(2).split(";")
    req = AWSRequest(method=method, url="http://" + headers["host"] + path, data=body,
                     headers={h: headers.get(h, "") for h in signed})
    req.context["timestamp"] = headers.get("x-amz-date", "")
    signer = SigV4Auth(Credentials(AKID, SECRET), scope[3], scope[2])
    want = signer.signature(signer.string_to_sign(req, signer.canonical_request(req)), req)
    return None if want == m.group(3) else "signature mismatch"


class Gateway(BaseHTTPRequestHandler):
    """Checks the client's signature over the path it received, then
    strips PREFIX and re-signs for the emulator, as an AWS gateway would."""
    protocol_version = "HTTP/1.1"
    upstream = None
    seen = []

    def log_message(self, *a):
        pass

    def answer(self, status, headers, data):
        self.send_response(status)
        for k, v in headers:
            self.send_header(k, v)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def handle_any(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        headers = {k.lower(): v for k, v in self.headers.items()}
        why = botocore_verify(self.command, self.path, headers, body)
        Gateway.seen.append((self.path, why))
        if why or not self.path.startswith(PREFIX + "/"):
            return self.answer(403, [("Content-Type", "application/json"),
                                     ("x-amzn-ErrorType", "InvalidSignatureException")],
                               json.dumps({"message": "gateway: %s" % (why or "no prefix")}).encode())
        path = self.path[len(PREFIX):]
        fwd = {h: headers[h] for h in ("content-type", "accept", "x-amzn-bedrock-accept") if h in headers}
        req = AWSRequest(method=self.command, url=Gateway.upstream + path, data=body, headers=fwd)
        SigV4Auth(Credentials(AKID, SECRET), "bedrock", "us-east-1").add_auth(req)
        u = urllib.parse.urlsplit(Gateway.upstream)
        c = http.client.HTTPConnection(u.hostname, u.port, timeout=30)
        c.request(self.command, path, body=body or None, headers=dict(req.headers.items()))
        r = c.getresponse()
        data = r.read()
        keep = [(k, v) for k, v in r.getheaders()
                if k.lower() in ("content-type", "x-amzn-requestid", "x-amzn-errortype")]
        c.close()
        self.answer(r.status, keep, data)

    do_GET = do_POST = do_PUT = do_DELETE = handle_any


def prefixed(emu_url):
    gw = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    Gateway.upstream = emu_url
    threading.Thread(target=gw.serve_forever, daemon=True).start()
    url = "http://127.0.0.1:%d%s/" % (gw.server_address[1], PREFIX)
    try:
        r = run("--endpoint-url", url, "invoke", "--model-id", MODEL, "--body", BODY)
        check("invoke through a path-prefixed endpoint", r.returncode == 0 and
              json.loads(r.stdout or "{}").get("content", [{}])[0].get("text") == "You said: Hello, world",
              r.stdout + r.stderr)
        r = run("--endpoint-url", url, "ask", "Hello, world")
        check("ask (a stream) through a path-prefixed endpoint",
              r.returncode == 0 and "You said: Hello, world" in r.stdout, r.stdout + r.stderr)
        r = run("--endpoint-url", url, "converse", "--model-id", MODEL, "--body",
                json.dumps({"messages": [{"role": "user", "content": [{"text": "Hi"}]}]}))
        check("converse through a path-prefixed endpoint", r.returncode == 0 and "You said: Hi" in r.stdout,
              r.stdout + r.stderr)
        r = run("--endpoint-url", url, "list-models")
        check("control plane through a path-prefixed endpoint", r.returncode == 0, r.stdout + r.stderr)
        paths = [p for p, _ in Gateway.seen]
        check("the gateway received the prefixed paths",
              any(p.startswith(PREFIX + "/model/") and p.endswith("/invoke") for p in paths) and
              any(p.startswith(PREFIX + "/model/") and p.endswith("/invoke-with-response-stream") for p in paths)
              and any(p.startswith(PREFIX + "/foundation-models") for p in paths), paths)
        check("botocore verified every signature", Gateway.seen and all(w is None for _, w in Gateway.seen),
              Gateway.seen)
    finally:
        gw.shutdown()
        gw.server_close()


def direct(emu_url):
    # The repro: straight at the emulator with a path. The emulator checks
    # the signature of the path it received: a signed-right request is an
    # unknown operation there, never a signature (keys) problem.
    r = run("--endpoint-url", emu_url + "/extra/path", "invoke", "--model-id", MODEL, "--body", BODY)
    check("a path the emulator does not serve: unknown operation, not a bad signature",
          r.returncode == 2 and "UnknownOperationException" in r.stderr and
          "InvalidSignature" not in r.stderr and "keys" not in r.stderr, r.stderr)


def refused(emu_url):
    port = emu_url.rsplit(":", 1)[1]
    cases = [("http://127.0.0.1:%s?x=1" % port, "query"),
             ("http://127.0.0.1:%s/#top" % port, "fragment"),
             ("http://user:s3cretpw@127.0.0.1:%s" % port, "user name or password"),
             ("http://127.0.0.1:99999", "port"),
             ("http://127.0.0.1:%s " % port, "white space"),
             ("http://127.0.0.1:%s\r\nX-Evil: 1" % port, "white space"),
             ("ftp://127.0.0.1:%s" % port, "http://")]
    for url, why in cases:
        for cmd in (["ask", "hi"], ["invoke", "--model-id", MODEL, "--body", BODY], ["models"]):
            r = run("--debug", "--endpoint-url", url, *cmd)
            check("%r %s: exit 4 naming the %s" % (url, cmd[0], why),
                  r.returncode == 4 and "endpoint URL" in r.stderr and why in r.stderr, (r.returncode, r.stderr))
            check("%r %s: no password shown" % (url, cmd[0]), "s3cretpw" not in r.stdout + r.stderr)
    r = run("ask", "hi", env=dict(ENV, AWS_ENDPOINT_URL="http://u:s3cretpw@127.0.0.1:%s" % port))
    check("AWS_ENDPOINT_URL with a password: exit 4, not shown",
          r.returncode == 4 and "s3cretpw" not in r.stderr, (r.returncode, r.stderr))


def main():
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"],
                           stdout=subprocess.PIPE, text=True)
    try:
        m = re.match(r"listening on (\S+)", emu.stdout.readline())
        if not check("emulator started", m):
            return summary()
        direct(m.group(1))
        prefixed(m.group(1))
        refused(m.group(1))
    finally:
        emu.terminate()
        emu.wait(timeout=10)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
