#!/usr/bin/env python3
"""`bedrock convert`: Messages bodies between Bedrock, the Anthropic API and
Vertex AI, the request line and headers printed, bad input refused, and a
converted body accepted by the emulator as it stands.

usage: test_convert.py BEDROCK_BIN VECTORS_DIR
"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from checks import check, summary  # noqa: E402

BIN = sys.argv[1]
ENV = {k: v for k, v in os.environ.items()
       if not k.startswith(("AWS_", "ANTHROPIC_", "CLOUD_ML", "GOOGLE_"))}
ENV["AWS_EC2_METADATA_DISABLED"] = "true"


def convert(body, *args, env=None):
    p = subprocess.run([BIN, "convert", *args], input=body.encode() if isinstance(body, str) else body,
                       capture_output=True, timeout=30, env=env or ENV)
    return p.returncode, p.stdout.decode(), p.stderr.decode()


def split(out):
    head, _, body = out.partition("\n\n")
    lines = head.split("\n")
    headers = dict(l.split(": ", 1) for l in lines[1:])
    return lines[0], headers, json.loads(body)


API = json.dumps({"model": "claude-sonnet-4-5-20250929", "max_tokens": 100, "stream": True,
                  "messages": [{"role": "user", "content": "Hello, world"}],
                  "x_unknown": {"kept": [1, 2]}})

# Anthropic API -> Bedrock, from a region with a geography profile.
rc, out, err = convert(API, "--to", "bedrock", "--region", "eu-west-1", "--beta", "b1, b2")
check("api->bedrock exit 0", rc == 0, err)
line, hdrs, body = split(out)
check("api->bedrock request line", line == "POST /model/global.anthropic.claude-sonnet-4-5-20250929-v1%3A0"
      "/invoke-with-response-stream", line)
check("api->bedrock accept", hdrs.get("accept") == "application/vnd.amazon.eventstream", hdrs)
check("api->bedrock body", list(body) == ["anthropic_version", "anthropic_beta", "max_tokens", "messages",
                                          "x_unknown"] and body["anthropic_version"] == "bedrock-2023-05-31"
      and body["anthropic_beta"] == ["b1", "b2"] and body["x_unknown"] == {"kept": [1, 2]}, body)
check("api->bedrock: no anthropic-beta header", "anthropic-beta" not in hdrs, hdrs)

# Bedrock -> Anthropic API, the model given as a profile id.
BR = json.dumps({"anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["context-1m-2025-08-07"],
                 "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]})
rc, out, err = convert(BR, "--to", "anthropic", "-m", "us.anthropic.claude-opus-4-6-v1")
line, hdrs, body = split(out)
check("bedrock->api", rc == 0 and line == "POST /v1/messages" and
      hdrs.get("anthropic-version") == "2023-06-01" and
      hdrs.get("anthropic-beta") == "context-1m-2025-08-07" and
      body == {"model": "claude-opus-4-6", "max_tokens": 10, "messages": [{"role": "user", "content": "Hi"}]},
      (rc, out, err))
# Without a model, the API cannot be addressed.
rc, out, err = convert(BR, "--to", "anthropic")
check("bedrock->api without -m: usage error", rc == 1 and "-m" in err and out == "", (rc, out, err))

# Bedrock -> Vertex, an alias, project and location from the environment.
env = dict(ENV, ANTHROPIC_VERTEX_PROJECT_ID="my-proj", CLOUD_ML_REGION="us-east5")
rc, out, err = convert(BR, "--to", "vertex", "-m", "sonnet-4.5", env=env)
line, hdrs, body = split(out)
check("bedrock->vertex", rc == 0 and line == "POST /v1/projects/my-proj/locations/us-east5/publishers/"
      "anthropic/models/claude-sonnet-4-5@20250929:rawPredict" and
      hdrs.get("anthropic-beta") == "context-1m-2025-08-07" and
      list(body) == ["anthropic_version", "max_tokens", "messages"] and
      body["anthropic_version"] == "vertex-2023-10-16", (rc, out, err))

# Vertex (streaming) -> Anthropic: the Vertex id maps, stream stays.
VX = json.dumps({"anthropic_version": "vertex-2023-10-16", "stream": True, "max_tokens": 5,
                 "messages": [{"role": "user", "content": "x"}]})
rc, out, err = convert(VX, "--to", "anthropic", "-m", "claude-3-5-sonnet-v2@20241022", "--body-only")
check("vertex->api body only", rc == 0 and json.loads(out) == {
    "model": "claude-3-5-sonnet-20241022", "max_tokens": 5, "messages": [{"role": "user", "content": "x"}],
    "stream": True}, (rc, out, err))

# A model the catalog does not know passes through as given.
rc, out, err = convert(BR, "--to", "anthropic", "-m", "claude-future-9", "--body-only")
check("unknown model passes through", rc == 0 and json.loads(out)["model"] == "claude-future-9", (rc, out))

# Bad input: not JSON, not an object, betas not strings, no --to, a bad
# platform, a missing file; nothing on stdout each time.
for name, body, args in [
        ("not JSON", "{nope", ["--to", "bedrock", "-m", "sonnet-4.5"]),
        ("not an object", "[1]", ["--to", "bedrock", "-m", "sonnet-4.5"]),
        ("betas not strings", '{"anthropic_beta":[1],"messages":[]}', ["--to", "anthropic", "-m", "x"]),
        ("no --to", BR, []),
        ("bad platform", BR, ["--to", "azure"]),
        ("--to without value", BR, ["--to"]),
        ("missing file", "", ["--to", "bedrock", "/nonexistent/body.json"])]:
    rc, out, err = convert(body, *args)
    check("refused: " + name, rc == 1 and out == "" and err.startswith("bedrock convert: "), (rc, out, err))

rc, out, err = convert("", "--help")
check("--help on stdout", rc == 0 and out.startswith("usage: bedrock convert"), (rc, err))

# The Bedrock body and request line it prints work as they stand.
with tempfile.TemporaryDirectory() as d:
    plain = json.loads(API)
    del plain["stream"], plain["x_unknown"]  # Bedrock refuses keys it does not know
    rc, out, err = convert(json.dumps(plain), "--to", "bedrock", "--region", "us-east-1")
    line, hdrs, body = split(out)
    model = line.split("/")[2].replace("%3A", ":")
    path = os.path.join(d, "body.json")
    with open(path, "w") as f:
        json.dump(body, f)
    p = subprocess.run([BIN, "--emulate", "invoke", "--model-id", model, "--body", "file://" + path, "-"],
                       capture_output=True, timeout=60, env=ENV)
    answer = json.loads(p.stdout or b"{}")
    check("converted body accepted by the emulator", p.returncode == 0 and
          answer.get("type") == "message" and "Hello, world" in json.dumps(answer), (p.returncode, p.stderr))

sys.exit(summary())
