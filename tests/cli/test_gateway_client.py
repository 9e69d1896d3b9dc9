#!/usr/bin/env python3
"""Our own client through `bedrock gateway`, on each platform, against
`bedrock emulate` behind it: `bedrock ask` and `bedrock tokens` on Bedrock
(signing with a key pair the gateway issued, and with a gateway key as a
Bedrock API key; boto3 with model ids as ARNs, percent-encoded), on the
Anthropic API (the key as ANTHROPIC_API_KEY) and
on Vertex AI (the key as the Google access token, from a loopback metadata
server this test runs), each answer checked and each request found in the
activity log under its key and front; a wrong secret or key is refused
with the client's exit status for a service error (2) and nothing in the
log names the secret. Only 127.0.0.1; every process is stopped.
Usage: test_gateway_client.py BEDROCK_BINARY VECTORS_DIR"""
import http.server
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import procs
from checks import check, summary

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="bedrock-gw-client-")
KEY = "gw-client-key-0123456789"
PAIR_ID, PAIR_SECRET = "GWCLIENTPAIR01", "gateway-issued-secret-for-the-cli"
PROJECT = "gw-client-project"


class Metadata(http.server.BaseHTTPRequestHandler):
    """A GCE metadata server whose token is the gateway key."""

    def do_GET(self):
        if self.headers.get("Metadata-Flavor") != "Google":
            self.send_response(403)
            self.end_headers()
            return
        if self.path.startswith("/computeMetadata/v1/instance/service-accounts/default/token"):
            body = json.dumps({"access_token": KEY, "expires_in": 3599,
                               "token_type": "Bearer"}).encode()
            ctype = "application/json"
        elif self.path.startswith("/computeMetadata/v1/project/project-id"):
            body, ctype = PROJECT.encode(), "text/plain"
        elif self.path.rstrip("/") == "/computeMetadata/v1" or self.path == "/":
            body, ctype = b"", "text/plain"
        else:
            self.send_response(404)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Metadata-Flavor", "Google")
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def base_env(**extra):
    """A clean environment: a home of its own, no real credentials or proxies."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": os.path.join(WORK, "home"),
           "AWS_EC2_METADATA_DISABLED": "true", "NO_PROXY": "127.0.0.1",
           "AWS_CONFIG_FILE": os.path.join(WORK, "none"),
           "AWS_SHARED_CREDENTIALS_FILE": os.path.join(WORK, "none"),
           "BEDROCK_MODELS_FILE": os.path.join(WORK, "none")}
    for v in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        if v in os.environ:
            env[v] = os.environ[v]
    env.update(extra)
    return env


def run(args, env, stdin=None):
    return subprocess.run([BIN] + args, capture_output=True, env=env, input=stdin, timeout=60)


def lines_for(gw, key_name, front, n, timeout=5.0):
    """The activity lines of key_name on front, waiting for at least n."""
    end = time.monotonic() + timeout
    got = []
    while time.monotonic() < end:
        got = [l for l in gw.activity() if l.get("key") == key_name and l.get("front") == front]
        if len(got) >= n:
            break
        time.sleep(0.05)
    return got


os.makedirs(os.path.join(WORK, "home"))
md = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Metadata)
threading.Thread(target=md.serve_forever, daemon=True).start()
emu = gw = None
try:
    emu = procs.emulator(BIN)
    d = procs.workdir()
    gw = procs.Gateway(BIN, {"upstreams": [procs.bedrock_upstream(emu)],
                             "keys": [{"name": "cli-key", "key": KEY},
                                      {"name": "cli-pair", "aws_access_key_id": PAIR_ID,
                                       "aws_secret_access_key": PAIR_SECRET}],
                             "activity_log": {"dir": d + "/activity"}}, dirname=d)

    # Bedrock, signed with the issued pair.
    env = base_env(AWS_ACCESS_KEY_ID=PAIR_ID, AWS_SECRET_ACCESS_KEY=PAIR_SECRET,
                   AWS_REGION="us-east-1")
    r = run(["--endpoint-url", gw.url, "ask", "hello from the cli on bedrock"], env)
    out = r.stdout.decode(errors="replace")
    check("bedrock, SigV4 pair: ask answers", r.returncode == 0 and
          "hello from the cli on bedrock" in out, (r.returncode, out, r.stderr[-500:]))
    r = run(["--endpoint-url", gw.url, "tokens", "count these words please"], env)
    check("bedrock, SigV4 pair: tokens counts", r.returncode == 0 and
          r.stdout.strip().split()[0].isdigit(), (r.returncode, r.stdout, r.stderr[-500:]))
    got = lines_for(gw, "cli-pair", "bedrock", 2)
    check("bedrock, SigV4 pair: activity lines under the pair's name",
          len(got) >= 2 and {"invoke-stream", "count-tokens"} <= {l.get("operation") for l in got},
          got)
    # A wrong secret: refused, exit 2, the secret nowhere.
    env_bad = dict(env, AWS_SECRET_ACCESS_KEY="not-the-issued-secret")
    r = run(["--endpoint-url", gw.url, "ask", "refused"], env_bad)
    err = r.stderr.decode(errors="replace")
    check("bedrock, wrong secret: exit 2, access denied named", r.returncode == 2 and
          "AccessDenied" in err, (r.returncode, err[-500:]))
    check("bedrock, wrong secret: never echoed", "not-the-issued-secret" not in err
          and PAIR_SECRET not in err, "secret in stderr")

    # boto3 with model ids as ARNs: it percent-encodes them (%3A, %2F) in
    # the path it signs; the gateway checks that signature and maps the ARN.
    import boto3
    rt = boto3.client("bedrock-runtime", region_name="us-east-1", endpoint_url=gw.url,
                      aws_access_key_id=PAIR_ID, aws_secret_access_key=PAIR_SECRET)
    for arn in ("arn:aws:bedrock:us-east-1:123456789012:inference-profile/"
                "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
                "arn:aws:bedrock:us-east-1::foundation-model/"
                "anthropic.claude-sonnet-4-5-20250929-v1:0"):
        try:
            res = rt.invoke_model(modelId=arn, body=json.dumps(
                {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 20,
                 "messages": [{"role": "user", "content": "an arn"}]}))
            text = json.loads(res["body"].read())["content"][0]["text"]
        except Exception as e:  # the failure is the detail
            text = repr(e)
        check("boto3, model id as an ARN (%s): answered" % arn.split(":")[5].split("/")[0],
              text == "You said: an arn", text)
    got = [l for l in lines_for(gw, "cli-pair", "bedrock", 4) if l.get("model", "").startswith("arn:")]
    ups = sorted(l.get("upstream_model", "") for l in got)
    check("boto3 ARNs: logged as sent, mapped to a model id upstream (a us. profile kept)",
          len(got) == 2 and "us.anthropic.claude-sonnet-4-5-20250929-v1:0" in ups and
          all("anthropic.claude-sonnet-4-5" in u and not u.startswith("arn:") for u in ups), got)

    # Bedrock, the gateway key as a Bedrock API key.
    env = base_env(AWS_BEARER_TOKEN_BEDROCK=KEY, AWS_REGION="us-east-1")
    r = run(["--endpoint-url", gw.url, "ask", "hello with an api key"], env)
    check("bedrock, API key: ask answers", r.returncode == 0 and
          b"hello with an api key" in r.stdout, (r.returncode, r.stdout, r.stderr[-500:]))
    check("bedrock, API key: activity line", lines_for(gw, "cli-key", "bedrock", 1), "none")

    # The Anthropic API.
    env = base_env(ANTHROPIC_BASE_URL=gw.url, ANTHROPIC_API_KEY=KEY)
    r = run(["--platform", "anthropic", "ask", "hello from the cli on the api"], env)
    check("anthropic: ask answers", r.returncode == 0 and
          b"hello from the cli on the api" in r.stdout, (r.returncode, r.stdout, r.stderr[-500:]))
    r = run(["--platform", "anthropic", "tokens", "count these words please"], env)
    check("anthropic: tokens counts", r.returncode == 0 and
          r.stdout.strip().split()[0].isdigit(), (r.returncode, r.stdout, r.stderr[-500:]))
    check("anthropic: activity lines", len(lines_for(gw, "cli-key", "anthropic", 2)) >= 2,
          gw.activity()[-3:])
    r = run(["--platform", "anthropic", "ask", "refused"],
            base_env(ANTHROPIC_BASE_URL=gw.url, ANTHROPIC_API_KEY="gw-wrong-key"))
    err = r.stderr.decode(errors="replace")
    check("anthropic, wrong key: exit 2, permission error named", r.returncode == 2 and
          "permission" in err.lower(), (r.returncode, err[-500:]))
    check("anthropic, wrong key: never echoed", "gw-wrong-key" not in err, "key in stderr")

    # Vertex AI: the token from the metadata server is the gateway key.
    env = base_env(ANTHROPIC_VERTEX_BASE_URL=gw.url + "/v1", CLOUD_ML_REGION="us-east5",
                   ANTHROPIC_VERTEX_PROJECT_ID=PROJECT,
                   GCE_METADATA_HOST="127.0.0.1:%d" % md.server_address[1])
    r = run(["--platform", "vertex", "ask", "hello from the cli on vertex"], env)
    check("vertex: ask answers", r.returncode == 0 and
          b"hello from the cli on vertex" in r.stdout, (r.returncode, r.stdout, r.stderr[-500:]))
    r = run(["--platform", "vertex", "tokens", "count these words please"], env)
    check("vertex: tokens counts", r.returncode == 0 and
          r.stdout.strip().split()[0].isdigit(), (r.returncode, r.stdout, r.stderr[-500:]))
    got = lines_for(gw, "cli-key", "vertex", 2)
    check("vertex: activity lines, upstream bedrock", len(got) >= 2 and
          all(l.get("upstream_platform") == "bedrock" for l in got), got)

    text = "\n".join(json.dumps(l) for l in gw.activity())
    check("activity log: no key, no secret, no prompt",
          KEY not in text and PAIR_SECRET not in text and "hello from the cli" not in text,
          "secret or prompt in the log")
    check("gateway exits 0", gw.stop() == 0)
    gw = None
finally:
    if gw:
        gw.stop()
    if emu:
        emu.stop()
    md.shutdown()
    shutil.rmtree(WORK, ignore_errors=True)

sys.exit(summary())
