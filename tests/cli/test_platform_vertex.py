#!/usr/bin/env python3
"""`bedrock --platform vertex`: the CLI on Vertex AI with Google's
credentials, against `bedrock emulate` (its Vertex front, metadata server
and token endpoint): a service-account file whose token_uri is the
emulator's (a JWT signed RS256 by our client), an authorized_user file
(the refresh grant), the metadata server through GCE_METADATA_HOST alone
(the project from it too), `--emulate --platform vertex`; where the
location and project come from; ask / tokens / models / config / debug
credentials; Google's throttle retried; a mid-stream error typed;
and no private key, refresh token or access token in any output.
Usage: test_platform_vertex.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile

from checks import check, summary

BIN = sys.argv[1]
HOME = tempfile.mkdtemp(prefix="bedrock-vertex-cli-")
BASE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME, "LANG": "C.UTF-8",
        "XDG_STATE_HOME": os.path.join(HOME, "state"), "XDG_CONFIG_HOME": os.path.join(HOME, "config"),
        "AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true",
        "CLOUDSDK_CONFIG": os.path.join(HOME, "gcloud")}
REFRESH = "1//test-refresh-token-9c1e"
OUTPUTS = []


def run(*args, env=None, stdin=None, timeout=60):
    e = dict(BASE)
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, timeout=timeout,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
    OUTPUTS.append(r.stdout + r.stderr)
    return r


class Emulator:
    def __init__(self, *args):
        self.p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0"] + list(args),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.p.stdout.readline()
        m = re.match(r"^listening on (http://127\.0\.0\.1:(\d+))$", line.strip())
        if not m:
            raise RuntimeError("bad first line %r: %s" % (line, self.p.stderr.read()))
        self.url, self.host = m.group(1), "127.0.0.1:" + m.group(2)

    def stop(self):
        self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.p.kill()
        self.log = self.p.stdout.read() + self.p.stderr.read()
        OUTPUTS.append(self.log)


def key_files():
    """A service-account key made here (openssl), and the two credential files."""
    pem = os.path.join(HOME, "sa.pem")
    subprocess.run(["openssl", "genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048",
                    "-out", pem], check=True, capture_output=True)
    return open(pem).read()


def write(name, obj):
    path = os.path.join(HOME, name)
    with open(path, "w") as f:
        json.dump(obj, f)
    return path


def vertex(e, *args, env=None, region="us-east5", **kw):
    pre = ["--platform", "vertex", "--endpoint-url", e.url]
    if region:
        pre += ["--region", region]
    return run(*(pre + list(args)), env=env, **kw)


def with_service_account(e, private_key):
    sa = write("sa.json", {"type": "service_account", "project_id": "sa-project-42",
                           "private_key_id": "0123456789abcdef7a3c", "private_key": private_key,
                           "client_email": "claude@sa-project-42.iam.gserviceaccount.com",
                           "token_uri": e.url + "/token"})
    env = {"GOOGLE_APPLICATION_CREDENTIALS": sa}
    r = vertex(e, "--project", "emulator-project", "ask", "Hello, world", env=env)
    check("service account: ask answers", r.returncode == 0 and "Hello, world" in r.stdout, r.stdout + r.stderr)
    r = vertex(e, "--project", "emulator-project", "tokens", "How many tokens is this?", env=env)
    check("service account: tokens prints a count", r.returncode == 0 and re.match(r"^\d+\n$", r.stdout),
          r.stdout + r.stderr)
    r = vertex(e, "config", env=env)
    out = r.stdout
    check("config: platform, region, project and their sources",
          r.returncode == 0 and re.search(r"^platform\s+vertex\s+--platform$", out, re.M)
          and re.search(r"^region\s+us-east5\s+--region$", out, re.M)
          and re.search(r"^project\s+sa-project-42\s+the credentials$", out, re.M), out + r.stderr)
    check("config: the credential type, account and key id, from GOOGLE_APPLICATION_CREDENTIALS",
          re.search(r"^credentials\s+service_account claude@sa-project-42\.iam\.gserviceaccount\.com "
                    r"\(key \*\*\*\*7a3c\)\s+GOOGLE_APPLICATION_CREDENTIALS", out, re.M), out)
    r = vertex(e, "debug", "credentials", env=env)
    try:
        d = json.loads(r.stdout)
    except ValueError:
        d = {}
    check("debug credentials: JSON naming the type, source, file, account, key id, project",
          r.returncode == 0 and d.get("platform") == "vertex" and d.get("type") == "service_account"
          and d.get("source") == "GOOGLE_APPLICATION_CREDENTIALS" and d.get("file") == sa
          and d.get("key_id") == "****7a3c" and d.get("project") == "sa-project-42"
          and d.get("project_source") == "the credentials" and d.get("region") == "us-east5"
          and d.get("expiration"), r.stdout + r.stderr)
    r = vertex(e, "--project", "emulator-project", "ask", "Hi", env=dict(env, ANTHROPIC_VERTEX_PROJECT_ID="x-other"))
    check("--project comes before ANTHROPIC_VERTEX_PROJECT_ID", r.returncode == 0, r.stderr)
    r = vertex(e, "config", env=dict(env, GOOGLE_CLOUD_PROJECT="gcp-proj-1"))
    check("config: GOOGLE_CLOUD_PROJECT before the credentials' project",
          re.search(r"^project\s+gcp-proj-1\s+GOOGLE_CLOUD_PROJECT$", r.stdout, re.M), r.stdout)
    r = vertex(e, "ask", "Hi", env=env)
    check("a project the emulator does not stand for is Google's 403, exit 2",
          r.returncode == 2 and "PERMISSION_DENIED" in r.stderr, r.stderr)


def with_authorized_user(e):
    au = write("au.json", {"type": "authorized_user", "client_id": "c-1.apps.googleusercontent.com",
                           "client_secret": "d-secret-5e7f", "refresh_token": REFRESH,
                           "quota_project_id": "emulator-project", "token_uri": e.url + "/token"})
    env = {"GOOGLE_APPLICATION_CREDENTIALS": au}
    r = vertex(e, "ask", "Hello from a user", env=env)
    check("authorized_user: the refresh grant, then ask (project from quota_project_id)",
          r.returncode == 0 and "Hello from a user" in r.stdout, r.stdout + r.stderr)
    r = vertex(e, "config", env=env)
    check("config: authorized_user, and the quota project sent as x-goog-user-project",
          re.search(r"^credentials\s+authorized_user\s", r.stdout, re.M)
          and re.search(r"^quota\s+emulator-project\s", r.stdout, re.M), r.stdout + r.stderr)
    # gcloud's own file, found without GOOGLE_APPLICATION_CREDENTIALS.
    os.makedirs(BASE["CLOUDSDK_CONFIG"], exist_ok=True)
    os.replace(au, os.path.join(BASE["CLOUDSDK_CONFIG"], "application_default_credentials.json"))
    r = vertex(e, "debug", "credentials")
    check("gcloud's application_default_credentials.json is found on its own",
          r.returncode == 0 and '"type":"authorized_user"' in r.stdout, r.stdout + r.stderr)
    os.remove(os.path.join(BASE["CLOUDSDK_CONFIG"], "application_default_credentials.json"))


def with_metadata_server(e):
    env = {"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""}
    r = vertex(e, "ask", "Hello from GCE", env=env)
    check("metadata server: token and project from GCE_METADATA_HOST alone",
          r.returncode == 0 and "Hello from GCE" in r.stdout, r.stdout + r.stderr)
    r = vertex(e, "debug", "credentials", env=env)
    check("debug credentials: the metadata server, its account, the project from it",
          r.returncode == 0 and '"type":"metadata"' in r.stdout and '"project":"emulator-project"' in r.stdout
          and '"project_source":"the credentials"' in r.stdout, r.stdout + r.stderr)


def setup_errors(e):
    r = vertex(e, "ask", "Hi", region=None, env={"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""})
    check("no location: exit 4, naming --region and CLOUD_ML_REGION",
          r.returncode == 4 and "CLOUD_ML_REGION" in r.stderr and "region" in r.stderr, r.stderr)
    r = vertex(e, "ask", "Hi", region=None, env={"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": "",
                                                  "CLOUD_ML_REGION": "us-east5"})
    check("CLOUD_ML_REGION names the location", r.returncode == 0, r.stderr)
    r = vertex(e, "ask", "Hi")
    check("no Google credentials: exit 4, saying where it looked, and the --emulate hint",
          r.returncode == 4 and "GOOGLE_APPLICATION_CREDENTIALS" in r.stderr
          and "hint: no Google account? `bedrock --emulate --platform vertex" in r.stderr, r.stderr)
    bad = write("bad.json", {"type": "service_account", "client_email": "x@y"})
    r = vertex(e, "ask", "Hi", env={"GOOGLE_APPLICATION_CREDENTIALS": bad})
    check("a bad credentials file: exit 4, naming the file and what is missing",
          r.returncode == 4 and bad in r.stderr and "private_key" in r.stderr, r.stderr)
    r = run("--platform", "bedrock", "--region", "us-east5", "config")
    check("a Vertex location is not a Bedrock region", r.returncode == 1 and "invalid region" in r.stderr,
          r.stderr)


def faults(e):
    env = {"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""}
    r = vertex(e, "--max-attempts", "1", "ask", "Hi [[emulate:fault=throttle]]", env=env)
    check("a 429 RESOURCE_EXHAUSTED, Google's shape: exit 2 naming it",
          r.returncode == 2 and "RESOURCE_EXHAUSTED" in r.stderr, r.stderr)
    r = vertex(e, "ask", "Hi [[emulate:fault=overloaded]]", "--max-attempts", "1", env=env)
    check("a 529 overloaded_error, Anthropic's shape: exit 2 naming it",
          r.returncode == 2 and "overloaded_error" in r.stderr, r.stderr)
    r = vertex(e, "ask", "Hello there [[emulate:fault=stream-exception=serviceUnavailableException]]",
               env=env)
    check("a mid-stream event: error: exit 2 naming its type and request id",
          r.returncode == 2 and "overloaded_error" in r.stderr and "req_vrtx_" in r.stderr, r.stdout + r.stderr)


def retried():
    e = Emulator("--fault", "throttle:1", "--fast-retry")
    try:
        r = vertex(e, "ask", "Hello again", env={"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""})
        check("a throttle retried as the SDKs do, then the answer", r.returncode == 0 and "Hello again" in r.stdout,
              r.stdout + r.stderr)
    finally:
        e.stop()


def emulated():
    r = run("--emulate", "--platform", "vertex", "ask", "Hello, world")
    check("--emulate --platform vertex ask: no Google account", r.returncode == 0 and "Hello, world" in r.stdout,
          r.stdout + r.stderr)
    r = run("--emulate", "--platform", "vertex", "models")
    check("models on Vertex: the catalog's Vertex ids",
          r.returncode == 0 and "claude-sonnet-4-5@20250929" in r.stdout and "sonnet-4.5" in r.stdout, r.stdout)
    r = run("--emulate", "--platform", "vertex", "config")
    check("--emulate config on Vertex", r.returncode == 0 and re.search(r"^region\s+global\s", r.stdout, re.M)
          and re.search(r"^project\s+emulator-project\s", r.stdout, re.M), r.stdout + r.stderr)
    r = run("--emulate", "--platform", "vertex", "ask", "-m", "opus-4.1", "Hi")
    check("a regional-only model on global: Google's 404, and a hint naming a regional location",
          r.returncode == 2 and "NOT_FOUND" in r.stderr and "hint: Claude Opus 4.1 is not served on "
          "Vertex AI's global endpoint" in r.stderr and "--region us-east5" in r.stderr, r.stderr)
    r = run("--emulate", "--platform", "vertex", "--region", "us-east5", "ask", "-m", "opus-4.1", "Hi")
    check("the same model on a regional location answers", r.returncode == 0 and "Hi" in r.stdout, r.stderr)
    r = run("--emulate", "ask", "Hi", env={"CLAUDE_CODE_USE_VERTEX": "1"})
    check("CLAUDE_CODE_USE_VERTEX=1 selects Vertex", r.returncode == 0, r.stderr)


def main():
    private_key = key_files()
    e = Emulator()
    try:
        with_service_account(e, private_key)
        with_authorized_user(e)
        with_metadata_server(e)
        setup_errors(e)
        faults(e)
    finally:
        e.stop()
    retried()
    emulated()
    every = "\n".join(OUTPUTS)
    body = "".join(private_key.split("\n")[1:-2])
    check("no private key, refresh token or client secret in any output",
          body[:40] not in every and REFRESH not in every and "d-secret-5e7f" not in every)
    check("no issued access token in any output", not re.search(r"ya29\.emulator-[A-Za-z0-9_-]{8}", every),
          re.findall(r"ya29\.emulator-\S+", every)[:3])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
