#!/usr/bin/env python3
"""The models file from the command line: where it is found
(BEDROCK_MODELS_FILE, $XDG_CONFIG_HOME/bedrock/models.json,
~/.config/bedrock/models.json, --models-file), `bedrock models` showing
where each entry came from, a bad default file only warned about, a bad
--models-file exit 4, and the emulator (in-process and `bedrock emulate`)
serving and answering a model the built-in catalog does not have.
Usage: test_models_file.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import urllib.error
import urllib.request
from checks import check, summary

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="bedrock-models-file-")
HOME = os.path.join(WORK, "home")
os.makedirs(HOME)
BARE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
SONNET_5 = "anthropic.claude-sonnet-5-20261101-v1:0"
ENTRY = {"id": SONNET_5, "name": "Claude Sonnet 5", "alias": "sonnet-5", "family": "sonnet",
         "profiles": ["global", "us", "eu"], "on_demand": False, "legacy_since": None,
         "max_output_tokens": 64000, "context_tokens": 200000,
         "modalities": ["text", "image", "pdf"], "features": ["1m", "adaptive-thinking"],
         "anthropic_id": "claude-sonnet-5-20261101", "vertex_id": "claude-sonnet-5@20261101"}
OLD_COLUMNS = ["MODEL", "ALIAS", "CALL WITH", "PROFILES", "LIFECYCLE", "STREAMING"]


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)
    return path


def models_json(*entries):
    return json.dumps({"models": list(entries)})


GOOD = write(os.path.join(WORK, "good.json"), models_json(ENTRY))
OTHER = write(os.path.join(WORK, "other.json"), models_json(
    dict(ENTRY, id="anthropic.claude-opus-5-20270101-v1:0", name="Claude Opus 5", alias="opus-5",
         family="opus", anthropic_id="claude-opus-5-20270101", vertex_id="claude-opus-5@20270101")))
BAD = write(os.path.join(WORK, "bad.json"), models_json(dict(ENTRY, max_output_tokens=0)))
MISSING = os.path.join(WORK, "missing.json")


def run(*args, env=None, extra=None, stdin=None, timeout=60):
    e = dict(BARE if env is None else env)
    e.update(extra or {})
    return subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True, env=e,
                          timeout=timeout)


BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
                   "messages": [{"role": "user", "content": "hi"}]})


def table(text):
    """Rows of `bedrock models` keyed by the header's columns, and the header."""
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return [], []
    head = lines[0]
    cols, at = [], 0
    for name in OLD_COLUMNS + ["SOURCE"]:
        at = head.find(name, at)
        if at < 0:
            return [], head
        cols.append((at, name))
        at += len(name)
    rows = []
    for line in lines[1:]:
        if line.startswith("-m takes"):
            break
        rows.append({name: line[start:(cols[i + 1][0] if i + 1 < len(cols) else None)].strip()
                     for i, (start, name) in enumerate(cols)})
    return rows, head


def by_alias(rows):
    return {r["ALIAS"]: r for r in rows}


def locations():
    # BEDROCK_MODELS_FILE
    r = run("--emulate", "models", extra={"BEDROCK_MODELS_FILE": GOOD})
    rows, head = table(r.stdout)
    s5 = by_alias(rows).get("sonnet-5", {})
    check("BEDROCK_MODELS_FILE: the file's model is listed, first", r.returncode == 0 and rows and
          rows[0].get("ALIAS") == "sonnet-5", r.stdout + r.stderr)
    check("models: the old columns are unchanged and SOURCE comes last",
          head.split() == ["MODEL", "ALIAS", "CALL", "WITH", "PROFILES", "LIFECYCLE", "STREAMING",
                           "SOURCE"], head)
    check("models: SOURCE is the file for its entry, built-in for the others",
          s5.get("SOURCE") == GOOD and by_alias(rows).get("opus-4.6", {}).get("SOURCE") == "built-in",
          rows[:3])
    check("models: the file's model is called through its global profile",
          s5.get("CALL WITH") == "global." + SONNET_5 and s5.get("LIFECYCLE") == "ACTIVE", s5)
    check("models: the family alias now names the newest sonnet", "sonnet = sonnet-5" in r.stdout,
          r.stdout[-200:])
    check("no warning for a good file", r.stderr == "", r.stderr)

    # --json: a source field, the others as they were
    r = run("--emulate", "models", "--json", extra={"BEDROCK_MODELS_FILE": GOOD})
    try:
        data = json.loads(r.stdout)
    except ValueError:
        data = []
    first = data[0] if data else {}
    check("models --json: the file's entry with its source", first.get("modelId") == SONNET_5 and
          first.get("source") == GOOD and first.get("alias") == "sonnet-5", r.stdout[:300])
    check("models --json: the existing fields kept, source appended last",
          list(first.keys()) == ["modelName", "modelId", "alias", "callWith", "profiles", "lifecycle",
                                 "streaming", "source"], list(first.keys()))
    check("models --json: built-in entries say so",
          all(o.get("source") == "built-in" for o in data[1:]) and len(data) >= 14, len(data))

    # --models-file wins over the variable, before or after the command
    for args in (["--models-file", OTHER, "--emulate", "models"],
                 ["--emulate", "models", "--models-file", OTHER]):
        r = run(*args, extra={"BEDROCK_MODELS_FILE": GOOD})
        aliases = by_alias(table(r.stdout)[0])
        check("--models-file replaces BEDROCK_MODELS_FILE (%s)" % " ".join(args[:2]),
              r.returncode == 0 and "opus-5" in aliases and "sonnet-5" not in aliases and
              aliases["opus-5"]["SOURCE"] == OTHER, r.stdout + r.stderr)

    # XDG default, then ~/.config when XDG_CONFIG_HOME is unset
    xdg = os.path.join(WORK, "xdg")
    xdg_file = write(os.path.join(xdg, "bedrock", "models.json"), models_json(ENTRY))
    r = run("--emulate", "models", extra={"XDG_CONFIG_HOME": xdg})
    check("$XDG_CONFIG_HOME/bedrock/models.json is read by default",
          by_alias(table(r.stdout)[0]).get("sonnet-5", {}).get("SOURCE") == xdg_file,
          r.stdout + r.stderr)
    home_file = write(os.path.join(HOME, ".config", "bedrock", "models.json"), models_json(ENTRY))
    r = run("--emulate", "models")
    check("~/.config/bedrock/models.json is read when XDG_CONFIG_HOME is unset",
          by_alias(table(r.stdout)[0]).get("sonnet-5", {}).get("SOURCE") == home_file,
          r.stdout + r.stderr)
    os.remove(home_file)
    r = run("--emulate", "models")
    check("no default file: the built-in catalog, no warning", r.returncode == 0 and
          "sonnet-5" not in by_alias(table(r.stdout)[0]) and r.stderr == "", r.stderr)


def bad_files():
    bad_xdg = write(os.path.join(WORK, "badxdg", "bedrock", "models.json"), open(BAD).read())
    for name, path, extra in (("BEDROCK_MODELS_FILE", BAD, {"BEDROCK_MODELS_FILE": BAD}),
                              ("the XDG default", bad_xdg,
                               {"XDG_CONFIG_HOME": os.path.join(WORK, "badxdg")})):
        r = run("--emulate", "models", extra=extra)
        rows = by_alias(table(r.stdout)[0])
        check("a bad file from %s: exit 0, the built-in models" % name,
              r.returncode == 0 and "sonnet-4.5" in rows and "sonnet-5" not in rows, r.stdout + r.stderr)
        check("a bad file from %s: one warning naming the file, entry and field" % name,
              r.stderr.count("warning") == 1 and
              path + ": models[0].max_output_tokens: wants a positive integer" in r.stderr, r.stderr)
    r = run("--emulate", "--models-file", BAD, "models")
    check("a bad --models-file: exit 4 and what is wrong", r.returncode == 4 and r.stdout == "" and
          BAD + ": models[0].max_output_tokens: wants a positive integer" in r.stderr, r.stderr)
    r = run("--emulate", "ask", "--models-file", BAD, "hi")
    check("a bad --models-file fails ask too (exit 4)", r.returncode == 4, r.stderr)
    r = run("--emulate", "--models-file", MISSING, "models")
    check("a missing --models-file: exit 4", r.returncode == 4 and MISSING in r.stderr and
          "No such file" in r.stderr, r.stderr)
    r = run("--emulate", "models", extra={"BEDROCK_MODELS_FILE": MISSING})
    check("a missing BEDROCK_MODELS_FILE: a warning, exit 0", r.returncode == 0 and
          "warning" in r.stderr and "named by BEDROCK_MODELS_FILE" in r.stderr, r.stderr)
    r = run("--emulate", "--models-file", "", "models")
    check("--models-file '' is a usage error", r.returncode == 1 and "needs a value" in r.stderr, r.stderr)
    r = run("--emulate", "models", "--models-file")
    check("--models-file with no value is a usage error", r.returncode == 1, r.stderr)
    r = run("--help")
    check("--help names --models-file", "--models-file PATH" in r.stdout, r.stdout)
    r = run("emulate", "--help")
    check("emulate --help names --models-file", "--models-file PATH" in r.stdout, r.stdout)
    r = run("convert", "--to", "anthropic", "--models-file", BAD, "-", env=BARE, stdin=BODY)
    check("convert: a bad --models-file is exit 4", r.returncode == 4, r.stderr)


def in_process_emulator():
    r = run("--emulate", "--models-file", GOOD, "ask", "-m", "sonnet-5", "hi")
    check("--emulate --models-file F ask -m sonnet-5: answered", r.returncode == 0 and
          r.stdout.strip() == "You said: hi", r.stdout + r.stderr)
    r = run("--emulate", "--debug", "--models-file", GOOD, "ask", "-m", "sonnet", "hi")
    # The path of the signed request: the id percent-encoded twice, as SigV4 wants.
    check("ask -m sonnet: the file's newest sonnet, by its global profile",
          r.returncode == 0 and "/model/global." + SONNET_5.replace(":", "%253A") + "/" in r.stderr,
          r.stderr[-600:])
    r = run("--emulate", "--models-file", GOOD, "ask", "-m", "us.sonnet-5", "--json", "hi")
    try:
        model = json.loads(r.stdout).get("model")
    except ValueError:
        model = None
    check("ask -m us.sonnet-5 --json: the response names the file's Anthropic id",
          r.returncode == 0 and model == "claude-sonnet-5-20261101", r.stdout + r.stderr)
    r = run("--emulate", "--models-file", GOOD, "ask", "-m", "jp.sonnet-5", "hi")
    check("a profile the file does not list is refused", r.returncode != 0 and "jp." in r.stderr,
          r.stderr)
    r = run("--emulate", "--models-file", GOOD, "get-model", SONNET_5)
    check("get-model of the file's model", r.returncode == 0 and
          json.loads(r.stdout or "{}").get("modelDetails", {}).get("modelName") == "Claude Sonnet 5",
          r.stdout + r.stderr)
    r = run("--emulate", "--models-file", GOOD, "list-profiles")
    ids = [p.get("inferenceProfileId") for p in json.loads(r.stdout or "{}").get(
        "inferenceProfileSummaries", [])]
    check("list-profiles has the file model's profiles", "global." + SONNET_5 in ids and
          "us." + SONNET_5 in ids, ids[:5])
    r = run("--models-file", GOOD, "convert", "--to", "vertex", "-m", "sonnet-5", "--project", "p",
            "--region", "us-east5", "-", env=BARE, stdin=BODY)
    check("convert --to vertex: the file's vertex_id", r.returncode == 0 and
          "claude-sonnet-5@20261101" in r.stdout, r.stdout + r.stderr)


def fetch(req):
    """(status, JSON body) of a request; an HTTP error is an answer too."""
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read() or b"{}")
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read() or b"{}")


class Emulator:
    def __init__(self, *extra, env=None):
        self.p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"] + list(extra),
                                  stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                  env=env or BARE)
        self.line = self.p.stdout.readline().strip()
        self.url = self.line.split()[-1] if self.line.startswith("listening on ") else None

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            self.p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
        return self.p.stderr.read()


def standalone_emulator():
    e = Emulator("--models-file", GOOD)
    try:
        check("bedrock emulate --models-file starts", e.url is not None, e.line)
        if not e.url:
            return
        req = urllib.request.Request(e.url + "/v1/models?limit=3",
                                     headers={"x-api-key": "sk-ant-emulator-key"})
        status, body = fetch(req)
        check("the Anthropic front's /v1/models lists the file's model first",
              [m["id"] for m in body["data"]][:1] == ["claude-sonnet-5-20261101"] and
              body["data"][0]["display_name"] == "Claude Sonnet 5" and status == 200, body)
        req = urllib.request.Request(e.url + "/v1/models/claude-sonnet-5-20261101",
                                     headers={"x-api-key": "sk-ant-emulator-key"})
        status, body = fetch(req)
        check("/v1/models/{id} finds it", status == 200 and
              body.get("id") == "claude-sonnet-5-20261101", body)
        req = urllib.request.Request(e.url + "/v1/messages", method="POST", data=json.dumps(
            {"model": "claude-sonnet-5-20261101", "max_tokens": 20,
             "messages": [{"role": "user", "content": "hi"}]}).encode(),
            headers={"x-api-key": "sk-ant-emulator-key", "anthropic-version": "2023-06-01",
                     "content-type": "application/json"})
        status, body = fetch(req)
        check("the Anthropic front answers the file's model", body.get("model") ==
              "claude-sonnet-5-20261101" and body.get("content", [{}])[0].get("text") == "You said: hi", body)
        keys = dict(BARE, AWS_ACCESS_KEY_ID="AKIDEXAMPLE",
                    AWS_SECRET_ACCESS_KEY="wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
                    AWS_REGION="us-east-1")
        r = run("--endpoint-url", e.url, "list-models", env=keys)
        ids = [m.get("modelId") for m in json.loads(r.stdout or "{}").get("modelSummaries", [])]
        check("ListFoundationModels lists the file's model", r.returncode == 0 and SONNET_5 in ids,
              r.stdout[:300] + r.stderr)
        r = run("--endpoint-url", e.url, "ask", "-m", "global." + SONNET_5, "hi", env=keys)
        check("InvokeModel of the file's profile id", r.returncode == 0 and
              r.stdout.strip() == "You said: hi", r.stdout + r.stderr)
        r = run("--endpoint-url", e.url, "invoke", "--model-id", SONNET_5, "--body", json.dumps(
            {"anthropic_version": "bedrock-2023-05-31", "max_tokens": 5,
             "messages": [{"role": "user", "content": "hi"}]}), env=keys)
        check("its base id is refused as a profile-only model", r.returncode == 2 and
              "on-demand throughput" in r.stderr, r.stderr)
    finally:
        e.stop()
    e = Emulator("--models-file", BAD)
    err = e.stop()
    check("bedrock emulate --models-file BAD: exit 4, naming the file", e.url is None and
          e.p.returncode == 4 and BAD in err, (e.line, e.p.returncode, err))
    e = Emulator(env=dict(BARE, BEDROCK_MODELS_FILE=BAD))
    try:
        check("bedrock emulate with a bad default file: it serves", e.url is not None, e.line)
    finally:
        err = e.stop()
    check("... and warns, once", err.count("warning: models file ignored") == 1 and BAD in err, err)


def main():
    try:
        for t in (locations, bad_files, in_process_emulator, standalone_emulator):
            t()
    finally:
        shutil.rmtree(WORK, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
