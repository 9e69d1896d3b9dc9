#!/usr/bin/env python3
"""`bedrock logging show|enable|disable` on Vertex AI, against `bedrock
emulate` (its Vertex front and metadata server): a model's request-response
logging to BigQuery through setPublisherModelConfig (updateMask
loggingConfig: the configuration's other fields survive) and
fetchPublisherModelConfig, for the CLI's default model by its Vertex id or
the one -m names; enable -> show -> disable -> show; the bq:// URI and the
sampling rate checked before anything is sent; each platform's options
refused on the other; CLAUDE_CODE_USE_VERTEX; `--emulate --platform vertex`;
Google's errors; no token in any output.
Usage: test_logging_vertex.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import urllib.request

from checks import check, summary

BIN = sys.argv[1]
HOME = tempfile.mkdtemp(prefix="bedrock-logging-vertex-")
BASE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME, "LANG": "C.UTF-8",
        "XDG_STATE_HOME": os.path.join(HOME, "state"), "XDG_CONFIG_HOME": os.path.join(HOME, "config"),
        "AWS_EC2_METADATA_DISABLED": "true", "NO_GCE_CHECK": "true",
        "CLOUDSDK_CONFIG": os.path.join(HOME, "gcloud"),
        "AWS_CONFIG_FILE": "/dev/null", "AWS_SHARED_CREDENTIALS_FILE": "/dev/null"}
TOKEN = "tok-logging-5b1d9e"
PROJECT = "emulator-project"
DEFAULT = "claude-sonnet-4-5@20250929"   # the CLI's default model, sonnet-4.5, on Vertex
OUTPUTS = []


def run(*args, env=None, timeout=60):
    e = dict(BASE)
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, timeout=timeout,
                       stdin=subprocess.DEVNULL)
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

    def config_path(self, model, verb, location="us-east5"):
        return "/v1beta1/projects/%s/locations/%s/publishers/anthropic/models/%s:%s" % (
            PROJECT, location, model, verb)

    def direct(self, method, path, body=None):
        """The emulator called without the CLI, with the --google-token it accepts."""
        req = urllib.request.Request(self.url + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None,
                                     headers={"Authorization": "Bearer " + TOKEN,
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=10) as resp:
            return json.loads(resp.read() or b"{}")


def vertex(e, *args, env=None, project=PROJECT):
    """The CLI on Vertex AI at the emulator, its token from the emulator's
    metadata server (GCE_METADATA_HOST)."""
    pre = ["--platform", "vertex", "--endpoint-url", e.url, "--region", "us-east5"]
    if project:
        pre += ["--project", project]
    full = {"GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""}
    full.update(env or {})
    return run(*(pre + list(args)), env=full)


def one_line(r):
    """The JSON of a one-line answer, or None."""
    if r.returncode != 0 or r.stdout.count("\n") != 1 or not r.stdout.endswith("\n"):
        return None
    try:
        return json.loads(r.stdout)
    except ValueError:
        return None


def cycle(e):
    r = vertex(e, "logging", "show")
    check("show before anything: {} on one line", one_line(r) == {}, r.stdout + r.stderr)

    r = vertex(e, "logging", "enable", "--bigquery", "bq://%s.logs.claude" % PROJECT,
               "--sampling-rate", "0.25")
    op = one_line(r) or {}
    want = {"enabled": True, "samplingRate": 0.25,
            "bigqueryDestination": {"outputUri": "bq://%s.logs.claude" % PROJECT}}
    check("enable: one line, Vertex's finished operation for the default model in us-east5",
          op.get("done") is True
          and re.match(r"projects/\d+/locations/us-east5/publishers/anthropic/models/%s/operations/\d+$"
                       % re.escape(DEFAULT), op.get("name", ""))
          and op.get("response", {}).get("loggingConfig") == want, r.stdout + r.stderr)
    r = vertex(e, "logging", "show")
    check("show reflects enable: enabled, the rate, the BigQuery URI",
          one_line(r) == {"loggingConfig": want}, r.stdout + r.stderr)
    got = e.direct("GET", e.config_path(DEFAULT, "fetchPublisherModelConfig"))
    check("the configuration is the default model's, by its Vertex id", got == {"loggingConfig": want}, got)

    r = vertex(e, "logging", "disable")
    op = one_line(r) or {}
    check("disable: the operation, loggingConfig {enabled: false}",
          op.get("response", {}).get("loggingConfig") == {"enabled": False}, r.stdout + r.stderr)
    r = vertex(e, "logging", "show")
    check("show after disable: enabled false, no destination",
          one_line(r) == {"loggingConfig": {"enabled": False}}, r.stdout + r.stderr)


def models_and_mask(e):
    # A sibling field set by someone else: enable and disable touch only loggingConfig.
    e.direct("POST", e.config_path("claude-opus-4-6", "setPublisherModelConfig"),
             {"publisherModelConfig": {"dataSharingEnabledProvider": "anthropic"}})
    r = vertex(e, "logging", "enable", "-m", "opus-4.6", "--bigquery", "bq://%s.logs" % PROJECT)
    check("enable -m ALIAS: the alias's Vertex id", one_line(r) is not None
          and "/models/claude-opus-4-6/operations/" in (one_line(r) or {}).get("name", ""), r.stdout + r.stderr)
    r = vertex(e, "logging", "show", "--model", "claude-opus-4-6")
    check("enable without --sampling-rate logs every request (1); the sibling field survives",
          one_line(r) == {"dataSharingEnabledProvider": "anthropic", "loggingConfig": {
              "enabled": True, "samplingRate": 1, "bigqueryDestination": {"outputUri": "bq://%s.logs" % PROJECT}}},
          r.stdout + r.stderr)
    r = vertex(e, "logging", "disable", "-m", "opus-4.6")
    r = vertex(e, "logging", "show", "-m", "opus-4.6")
    check("disable keeps the sibling field too",
          one_line(r) == {"dataSharingEnabledProvider": "anthropic", "loggingConfig": {"enabled": False}},
          r.stdout + r.stderr)
    r = vertex(e, "logging", "show", "-m", DEFAULT)
    check("kept per model: the default model's is its own",
          one_line(r) == {"loggingConfig": {"enabled": False}}, r.stdout + r.stderr)
    r = vertex(e, "logging", "show", env={"BEDROCK_MODEL": "haiku-4.5"})
    check("the default model follows BEDROCK_MODEL, as ask's does", one_line(r) == {}, r.stdout + r.stderr)
    r = vertex(e, "logging", "enable", "--bigquery", "bq://%s.d1.t-1" % PROJECT, "--sampling-rate", "1",
               env={"ANTHROPIC_MODEL": "haiku-4.5"})
    r = vertex(e, "logging", "show", "-m", "haiku-4.5")
    check("ANTHROPIC_MODEL names it too; --sampling-rate 1 and a table with a hyphen",
          (one_line(r) or {}).get("loggingConfig", {}).get("samplingRate") == 1
          and (one_line(r) or {})["loggingConfig"]["bigqueryDestination"]["outputUri"] == "bq://%s.d1.t-1" % PROJECT,
          r.stdout + r.stderr)
    r = vertex(e, "logging", "show", "-m", "nosuch")
    check("-m an unknown alias: exit 1, saying so", r.returncode == 1 and "unknown model 'nosuch'" in r.stderr,
          r.stderr)


BAD_URIS = [
    ("gs://bucket/logs", "starts with bq://"),
    ("bq://emulator-project", "no DATASET"),
    ("bq://emulator-project.", "DATASET"),
    ("bq://Emulator-Project.logs", "PROJECT"),
    ("bq://ep.logs", "PROJECT"),
    ("bq://emulator-project.lo-gs", "DATASET"),
    ("bq://emulator-project.logs.t.u", "more than PROJECT.DATASET.TABLE"),
    ("bq://emulator-project.logs.t/x", "TABLE"),
    ("bq://emulator-project.logs.\"t\"", "TABLE"),
    ("bq://emulator-project.logs.t\u00e9", None),   # a Unicode table name is BigQuery's to judge
]
BAD_RATES = ["0", "-0.5", "1.5", "1.0000001", "abc", "nan", "inf", "0.5x", " "]


def checked_before_sending(e):
    for uri, why in BAD_URIS:
        r = vertex(e, "logging", "enable", "--bigquery", uri)
        if why is None:
            check("--bigquery %s is accepted" % uri, one_line(r) is not None, r.stdout + r.stderr)
            continue
        check("--bigquery %s: exit 1 naming the shape and %r" % (uri, why),
              r.returncode == 1 and "bq://PROJECT.DATASET or bq://PROJECT.DATASET.TABLE" in r.stderr
              and why in r.stderr and r.stdout == "", r.stderr)
    r = vertex(e, "logging", "enable", "--bigquery", "bq://example.com:my-project.logs.claude")
    check("a domain-scoped project (example.com:my-project) passes",
          (one_line(r) or {}).get("response", {}).get("loggingConfig", {}).get("bigqueryDestination")
          == {"outputUri": "bq://example.com:my-project.logs.claude"}, r.stdout + r.stderr)
    for rate in BAD_RATES:
        r = vertex(e, "logging", "enable", "--bigquery", "bq://%s.logs" % PROJECT, "--sampling-rate", rate)
        check("--sampling-rate %r: exit 1, above 0 and at most 1" % rate,
              r.returncode == 1 and "--sampling-rate" in r.stderr and "above 0 and at most 1" in r.stderr
              and r.stdout == "", r.stderr)
    r = vertex(e, "logging", "enable", "--bigquery", "bq://%s.logs" % PROJECT, "--sampling-rate", "")
    check("--sampling-rate '': needs a value", r.returncode == 1 and "needs a value" in r.stderr, r.stderr)
    r = vertex(e, "logging", "enable")
    check("enable with no --bigquery: exit 1, naming it", r.returncode == 1 and "--bigquery bq://" in r.stderr,
          r.stderr)
    for action in ("show", "disable"):
        r = vertex(e, "logging", action, "--bigquery", "bq://%s.logs" % PROJECT)
        check("%s --bigquery: exit 1, it goes with enable" % action,
              r.returncode == 1 and "go with logging enable" in r.stderr, r.stderr)
        r = vertex(e, "logging", action, "--sampling-rate", "0.5")
        check("%s --sampling-rate: exit 1" % action, r.returncode == 1 and "go with logging enable" in r.stderr,
              r.stderr)
    # Without any Google credentials the checks still come first: a bad
    # URI is exit 1 for the URI, not 4 for the credentials.
    r = run("--platform", "vertex", "--region", "us-east5", "logging", "enable", "--bigquery", "s3://x")
    check("the URI is checked before credentials are looked for",
          r.returncode == 1 and "bq://" in r.stderr and "credentials" not in r.stderr, r.stderr)
    r = run("--platform", "vertex", "--region", "us-east5", "logging", "enable", "--bigquery", "bq://abcdef.x",
            "--sampling-rate", "2")
    check("the rate is checked before credentials are looked for",
          r.returncode == 1 and "--sampling-rate" in r.stderr, r.stderr)


def other_platforms_options(e):
    for extra in (["--s3", "s3://logs/bedrock/"], ["--cloudwatch", "grp", "--role-arn", "arn:aws:iam::1:role/r"],
                  ["--role-arn", "arn:aws:iam::1:role/r"]):
        r = vertex(e, "logging", "enable", "--bigquery", "bq://%s.logs" % PROJECT, *extra)
        check("Vertex: %s is Bedrock's, exit 1 naming --bigquery" % extra[0],
              r.returncode == 1 and extra[0] in r.stderr and "Bedrock" in r.stderr and "--bigquery" in r.stderr,
              r.stderr)
    r = vertex(e, "logging", "show", "--s3", "s3://logs/x")
    check("Vertex: show --s3 too", r.returncode == 1 and "--s3" in r.stderr, r.stderr)
    # On Bedrock (the default platform): Vertex's options are refused before
    # any AWS set-up is looked at.
    for extra in (["enable", "--bigquery", "bq://%s.logs" % PROJECT], ["enable", "--s3", "s3://logs/x",
                                                                      "--sampling-rate", "0.5"],
                  ["show", "-m", "opus"], ["disable", "--model", "opus"]):
        r = run("--region", "us-east-1", "logging", *extra)
        check("Bedrock: logging %s is refused, naming --platform vertex" % " ".join(extra),
              r.returncode == 1 and "--platform vertex" in r.stderr and "--s3" in r.stderr, r.stderr)
    r = run("--emulate", "--platform", "bedrock", "logging", "enable", "--s3", "s3://logs/bedrock/")
    check("Bedrock's own logging still works", r.returncode == 0, r.stdout + r.stderr)


def selected_by_env(e):
    env = {"CLAUDE_CODE_USE_VERTEX": "1", "GCE_METADATA_HOST": e.host, "NO_GCE_CHECK": ""}
    r = run("--endpoint-url", e.url, "--region", "us-east5", "--project", PROJECT, "logging", "show", env=env)
    same = one_line(vertex(e, "logging", "show"))
    check("CLAUDE_CODE_USE_VERTEX=1: logging show is Vertex's, as with --platform vertex",
          one_line(r) == same and "loggingConfig" in (same or {}), r.stdout + r.stderr)
    r = run("--endpoint-url", e.url, "--region", "us-east5", "logging", "enable", "--s3", "s3://logs/x", env=env)
    check("CLAUDE_CODE_USE_VERTEX=1: --s3 refused", r.returncode == 1 and "--bigquery" in r.stderr, r.stderr)


def service_errors(e):
    r = vertex(e, "logging", "show", project="someone-else")
    check("another project: Google's 403, exit 2", r.returncode == 2 and "PERMISSION_DENIED" in r.stderr
          and r.stdout == "", r.stdout + r.stderr)
    r = vertex(e, "logging", "show", project=None, env={"GCE_METADATA_HOST": e.host})
    check("the project from the metadata server when none is given", one_line(r) is not None,
          r.stdout + r.stderr)
    r = run("--platform", "vertex", "--endpoint-url", e.url, "--region", "us-east5", "--project", PROJECT,
            "logging", "show")
    check("no Google credentials: exit 4, saying where it looked",
          r.returncode == 4 and "GOOGLE_APPLICATION_CREDENTIALS" in r.stderr, r.stdout + r.stderr)


def emulated():
    r = run("--emulate", "--platform", "vertex", "logging", "show")
    check("--emulate --platform vertex logging show: {}", one_line(r) == {}, r.stdout + r.stderr)
    r = run("--emulate", "--platform", "vertex", "logging", "enable", "--bigquery", "bq://%s.logs" % PROJECT,
            "--sampling-rate", "0.5")
    op = one_line(r) or {}
    check("--emulate --platform vertex logging enable: the global location, the rate",
          "/locations/global/publishers/anthropic/models/%s/" % DEFAULT in op.get("name", "")
          and op["response"]["loggingConfig"]["samplingRate"] == 0.5, r.stdout + r.stderr)


def main():
    e = Emulator("--google-token", TOKEN)
    try:
        cycle(e)
        models_and_mask(e)
        checked_before_sending(e)
        other_platforms_options(e)
        selected_by_env(e)
        service_errors(e)
    finally:
        e.stop()
    emulated()
    sets = re.findall(r"^\S+ POST (\S+):setPublisherModelConfig (\d+)", e.log, re.M)
    # cycle 2, models_and_mask 3 (+1 direct), the Unicode table and the
    # domain-scoped project 1 each: no refused one.
    check("nothing refused by the CLI reached the emulator: exactly the sets made",
          len(sets) == 8, sets)
    check("the model's '@' is sent as it is", any(p.endswith("/models/" + DEFAULT) for p, _ in sets), sets)
    every = "\n".join(OUTPUTS)
    check("no access token in any output (the CLI's or the emulator's)", TOKEN not in every
          and not re.search(r"ya29\.emulator-[A-Za-z0-9_-]{8}", every),
          re.findall(r"ya29\.emulator-\S+", every)[:3])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
