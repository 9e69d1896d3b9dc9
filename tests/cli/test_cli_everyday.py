#!/usr/bin/env python3
"""`--emulate`, `bedrock models`, `bedrock config` and the hints that follow
an error people can act on. Usage: test_cli_everyday.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile
from checks import check, summary

BIN = sys.argv[1]
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
BODY = json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 50,
                   "messages": [{"role": "user", "content": "Hello, world"}]})
HOME = tempfile.mkdtemp(prefix="bedrock-everyday-")
# No account, no files, no instance role: what a newcomer has.
BARE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
KEYS = dict(BARE, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")




def run(*args, env=None, stdin=None):
    return subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True,
                          env=env if env is not None else BARE, timeout=60)


def table(text):
    """Rows of `bedrock models` as dicts keyed by the header's columns."""
    lines = [l for l in text.splitlines() if l.strip()]
    head = lines[0]
    cols = [(m.start(), m.group(0)) for m in re.finditer(r"[A-Z]+(?: [A-Z]+)*", head)]
    rows = []
    for line in lines[1:]:
        if line.startswith("-m takes"):
            break
        row = {}
        for i, (start, name) in enumerate(cols):
            end = cols[i + 1][0] if i + 1 < len(cols) else None
            row[name] = line[start:end].strip()
        rows.append(row)
    return rows


def emulate_tests():
    r = run("--emulate", "invoke", "--model-id", "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
            "--body", BODY)
    check("--emulate invoke with no account", r.returncode == 0 and
          json.loads(r.stdout)["content"][0]["text"] == "You said: Hello, world", r.stdout + r.stderr)
    r = run("invoke", "--model-id", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body", BODY,
            "--emulate")
    check("--emulate after the command", r.returncode == 0, r.stderr)
    r = run("--emulate", "--endpoint-url", "http://127.0.0.1:9", "models")
    check("--emulate with --endpoint-url is a usage error", r.returncode == 1 and "--endpoint-url" in r.stderr,
          r.stderr)
    # --emulate never uses the environment's keys or bearer key.
    env = dict(BARE, AWS_ACCESS_KEY_ID="AKIAWRONGWRONGWRONG1", AWS_SECRET_ACCESS_KEY="nope",
               AWS_BEARER_TOKEN_BEDROCK="bedrock-api-key-nope")
    r = run("--emulate", "converse", "--model-id", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body",
            json.dumps({"messages": [{"role": "user", "content": [{"text": "Hello, world"}]}]}), env=env)
    check("--emulate ignores ambient credentials", r.returncode == 0 and "You said: Hello, world" in r.stdout,
          r.stderr)


def models_tests():
    r = run("--emulate", "models")
    rows = table(r.stdout)
    by_alias = {row["ALIAS"]: row for row in rows}
    check("models: exit 0 and a row per Anthropic model", r.returncode == 0 and len(rows) >= 10,
          r.stdout + r.stderr)
    s45 = by_alias.get("sonnet-4.5", {})
    check("models: Sonnet 4.5 is called through its global profile from us-east-1",
          s45.get("MODEL") == "Claude Sonnet 4.5" and
          s45.get("CALL WITH") == "global.anthropic.claude-sonnet-4-5-20250929-v1:0" and
          s45.get("PROFILES") == "global, us" and s45.get("LIFECYCLE") == "ACTIVE" and
          s45.get("STREAMING") == "yes", str(s45))
    o41 = by_alias.get("opus-4.1", {})
    check("models: no global profile → the US one", o41.get("CALL WITH") ==
          "us.anthropic.claude-opus-4-1-20250805-v1:0", str(o41))
    s3 = by_alias.get("sonnet-3", {})
    check("models: an on-demand model is called by its id", s3.get("CALL WITH") ==
          "anthropic.claude-3-sonnet-20240229-v1:0" and s3.get("PROFILES") == "-", str(s3))
    check("models: legacy models say so", by_alias.get("sonnet-3.7", {}).get("LIFECYCLE") == "LEGACY")
    check("models: the family aliases", "sonnet = sonnet-4.5" in r.stdout and "opus = opus-4.6" in r.stdout
          and "haiku = haiku-4.5" in r.stdout, r.stdout[-300:])
    # From Europe: EU profiles, never US ones; Opus 4.1 has none there.
    r = run("--emulate", "--region", "eu-west-1", "models")
    rows = {row["ALIAS"]: row for row in table(r.stdout)}
    check("models in eu-west-1: no us. profiles", r.returncode == 0 and
          all("us" not in row["PROFILES"].split(", ") for row in rows.values()), r.stdout)
    check("models in eu-west-1: Opus 4.5 has global and eu",
          rows.get("opus-4.5", {}).get("PROFILES") == "global, eu", str(rows.get("opus-4.5")))
    check("models in eu-west-1: Opus 4.1 cannot be called", rows.get("opus-4.1", {}).get("CALL WITH") == "-",
          str(rows.get("opus-4.1")))
    r = run("--emulate", "--region", "ap-south-1", "models", "--json")
    check("models --json is compact, one line, like every other JSON output",
          r.stdout.count("\n") == 1 and "\t" not in r.stdout, r.stdout[:300])
    js = json.loads(r.stdout) if r.returncode == 0 else []
    h3 = [m for m in js if m.get("alias") == "haiku-3"]
    check("models --json in ap-south-1", len(h3) == 1 and
          h3[0]["callWith"] == "apac.anthropic.claude-3-haiku-20240307-v1:0" and h3[0]["streaming"] is True,
          r.stdout[:300] + r.stderr)
    r = run("--emulate", "models", "--provider", "Meta")
    check("models for a provider with none", r.returncode == 0 and r.stdout == "" and "no Meta models" in r.stderr,
          r.stdout + r.stderr)
    r = run("models", "--help")
    check("models --help", r.returncode == 0 and "usage: bedrock models" in r.stdout)
    r = run("models", "--bogus")
    check("models: unknown option", r.returncode == 1 and "--bogus" in r.stderr)


def config_tests():
    r = run("config", env=dict(KEYS, AWS_REGION="eu-west-1", AWS_SESSION_TOKEN="SESSIONTOKENSECRET"))
    out = r.stdout
    check("config: exit 0", r.returncode == 0, r.stdout + r.stderr)
    check("config: region and where from", re.search(r"^region\s+eu-west-1\s+AWS_REGION$", out, re.M), out)
    check("config: the platform row comes first", re.search(r"\A.*\nplatform\s+bedrock\s+the default\n", out), out)
    r2 = run("config", env=dict(KEYS, AWS_REGION="eu-west-1", CLAUDE_CODE_USE_BEDROCK="1"))
    check("config: the platform's source named",
          re.search(r"^platform\s+bedrock\s+CLAUDE_CODE_USE_BEDROCK$", r2.stdout, re.M), r2.stdout)
    check("config: endpoint", "https://bedrock-runtime.eu-west-1.amazonaws.com" in out, out)
    check("config: credentials redacted, provider named",
          re.search(r"^credentials\s+\*\*\*\*MPLE with a session token\s+environment", out, re.M), out)
    check("config: no secret, no token, no full key id",
          SECRET not in out + r.stderr and "SESSIONTOKENSECRET" not in out + r.stderr and
          "AKIDEXAMPLE" not in out + r.stderr, out)
    r = run("config", "--region", "ap-northeast-1", "--endpoint-url", "http://127.0.0.1:4567", env=KEYS)
    check("config: --region and --endpoint-url", re.search(r"^region\s+ap-northeast-1\s+--region$", r.stdout, re.M)
          and re.search(r"^endpoint\s+http://127.0.0.1:4567\s+--endpoint-url$", r.stdout, re.M), r.stdout)
    bearer = "bedrock-api-key-" + "Q" * 40 + "WXYZ"
    r = run("config", env=dict(BARE, AWS_REGION="us-west-2", AWS_BEARER_TOKEN_BEDROCK=bearer))
    check("config: a bearer key shows its last four only",
          r.returncode == 0 and "Bedrock API key ****WXYZ" in r.stdout and "AWS_BEARER_TOKEN_BEDROCK" in r.stdout
          and bearer not in r.stdout + r.stderr, r.stdout + r.stderr)
    r = run("config")
    check("config with nothing: exit 4, says what is missing and how",
          r.returncode == 4 and "no AWS region" in r.stdout and "none found" in r.stdout and
          "--emulate" in r.stderr, r.stdout + r.stderr)
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "config")
        open(cfg, "w").write("[profile work]\nregion = eu-central-1\n")
        creds = os.path.join(d, "credentials")
        open(creds, "w").write("[work]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = %s\n"
                               % SECRET)
        os.chmod(creds, 0o600)
        env = dict(BARE, AWS_CONFIG_FILE=cfg, AWS_SHARED_CREDENTIALS_FILE=creds)
        r = run("config", "--profile", "work", env=env)
        check("config: a profile's region and keys", r.returncode == 0 and
              re.search(r"^profile\s+work\s+--profile$", r.stdout, re.M) and
              re.search(r"^region\s+eu-central-1\s+profile 'work' in " + re.escape(cfg), r.stdout, re.M) and
              re.search(r"^credentials\s+\*\*\*\*MPLE\s+", r.stdout, re.M) and SECRET not in r.stdout,
              r.stdout + r.stderr)
        r = run("config", env=dict(env, AWS_PROFILE="work"))
        check("config: AWS_PROFILE", re.search(r"^profile\s+work\s+AWS_PROFILE$", r.stdout, re.M), r.stdout)
    r = run("config", "--emulate")
    check("config --emulate", r.returncode == 0 and "us-east-1" in r.stdout and "emulator" in r.stdout and
          SECRET not in r.stdout, r.stdout)


def hint_tests():
    # The commands for people add a hint; the raw ones keep the AWS CLI's one line.
    r = run("--emulate", "invoke", "--model-id", "anthropic.claude-sonnet-4-5-20250929-v1:0", "--body", BODY)
    check("raw invoke: one line, no hint", r.returncode == 2 and len(r.stderr.splitlines()) == 1 and
          "hint" not in r.stderr, r.stderr)
    r = run("--emulate", "ask", "--max-attempts", "2", "hi [[emulate:fault=throttle]]")
    check("ask throttled after retries says so, with the request id", r.returncode == 2 and
          "ThrottlingException" in r.stderr and "request id" in r.stderr and
          "hint: Bedrock is still throttling after the retries" in r.stderr, r.stderr)
    # No retry was made: say so, not "after the retries".
    r = run("--emulate", "ask", "--max-attempts", "1", "hi [[emulate:fault=throttle]]")
    check("throttled with --max-attempts 1: no retry, says so", r.returncode == 2 and
          "hint: throttled (no retry: --max-attempts 1)" in r.stderr and "after the retries" not in r.stderr,
          r.stderr)
    r = run("--emulate", "ask", "hi [[emulate:fault=throttle]]", env=dict(BARE, AWS_MAX_ATTEMPTS="1"))
    check("throttled with AWS_MAX_ATTEMPTS=1: no retry, says where from", r.returncode == 2 and
          "no retry: max_attempts is 1 in AWS_MAX_ATTEMPTS" in r.stderr, r.stderr)
    r = run("--emulate", "ask", "hi [[emulate:fault=stream-exception=throttlingException]]")
    check("throttled mid-stream: a started stream is not retried", r.returncode == 2 and
          "hint: Bedrock throttled mid-stream (a stream is not retried once it has started)" in r.stderr
          and "after the retries" not in r.stderr and "raise --max-attempts" not in r.stderr, r.stderr)
    r = run("--emulate", "ask", "hi [[emulate:fault=access-denied]]")
    check("no model access: how to request it", r.returncode == 2 and "AccessDeniedException" in r.stderr and
          "hint: request access to the model: Bedrock console > Model access" in r.stderr, r.stderr)
    r = run("--emulate", "ask", "-m", "anthropic.claude-nope", "Hi")
    check("an unknown id: exit 1 or 2 and a pointer to bedrock models",
          r.returncode in (1, 2) and "bedrock models" in r.stderr, r.stderr)
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"], stdout=subprocess.PIPE, text=True)
    try:
        url = re.match(r"listening on (\S+)", emu.stdout.readline()).group(1)
        r = run("--endpoint-url", url, "models", env=dict(KEYS, AWS_SECRET_ACCESS_KEY="not-the-secret"))
        check("a rejected key says what to check", r.returncode == 2 and "hint: AWS does not accept these keys"
              in r.stderr and "not-the-secret" not in r.stderr, r.stderr)
        r = run("--endpoint-url", url, "--region", "us-east-1", "models")
        check("no credentials: exit 4, the sources tried and the --emulate hint",
              r.returncode == 4 and "tried environment, " in r.stderr and ", imds)" in r.stderr and
              "--emulate" in r.stderr, r.stderr)
    finally:
        emu.terminate()
        emu.wait(timeout=10)


def help_tests():
    for cmd in (["invoke"], ["converse"], ["count-tokens"], ["list-models"], ["get-model"], ["list-profiles"],
                ["get-profile"], ["logging"], ["api-key"], ["emulate"], ["models"], ["config"],
                ["debug", "sign"], ["debug", "eventstream"], ["debug", "credentials"]):
        r = run(*(cmd + ["--help"]))
        check("%s --help: usage on stdout, exit 0" % " ".join(cmd),
              r.returncode == 0 and r.stdout.startswith("usage: bedrock " + cmd[0]), r.stdout + r.stderr)
        # The raw commands say what they do and what they print, not just
        # how they are called.
        if cmd[0] not in ("api-key", "emulate", "models", "config") and cmd != ["debug", "credentials"]:
            check("%s --help: says what it does and prints" % " ".join(cmd),
                  len(r.stdout.splitlines()) >= 3 and ("JSON line" in r.stdout), r.stdout)
    r = run("invoke", "--help")
    check("invoke --help: OUTFILE byte for byte, a JSON line per event with --stream",
          "byte for byte" in r.stdout and "one compact JSON line per event" in r.stdout
          and "fileb://" in r.stdout, r.stdout)
    r = run("--emulate", "invoke", "--model-id", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body",
            "file://" + HOME)
    check("a body that cannot be read is an error, not an empty request",
          r.returncode == 1 and "cannot read " + HOME in r.stderr and r.stdout == "", r.stdout + r.stderr)
    r = run("frobnicate")
    check("unknown command: one line, exit 1", r.returncode == 1 and len(r.stderr.splitlines()) == 1 and
          "frobnicate" in r.stderr, r.stderr)


def main():
    for t in (emulate_tests, models_tests, config_tests, hint_tests, help_tests):
        try:
            t()
        except Exception as e:  # a crash in one group must not hide the others
            check(t.__name__, False, repr(e))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
