#!/usr/bin/env python3
"""First contact and credentials: what a new user with no AWS set-up (or a
broken one) sees. --emulate never reads ~/.aws; every set-up error ends
with the --emulate hint; an instance-metadata failure is "no credentials";
an unknown profile says so; a broken credential_process is exit 4.
Usage: test_first_contact.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from checks import check, summary

BIN = sys.argv[1]
HERE = os.path.dirname(os.path.abspath(__file__))
FAKE = os.path.join(HERE, "..", "fakes", "fake_aws.py")
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
HINT = "bedrock --emulate <command>"
# Nothing listens there: a request that did go out fails fast, on loopback.
DEAD = "http://127.0.0.1:9"


def bare(home, **extra):
    """What `env -i PATH=... HOME=...` leaves: no region, keys or files;
    and no instance metadata, so that nothing leaves 127.0.0.1 (the IMDS
    tests name their loopback fake instead)."""
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.update(extra)
    if "AWS_EC2_METADATA_SERVICE_ENDPOINT" in env:
        del env["AWS_EC2_METADATA_DISABLED"]
    return env


def run(env, *args):
    p = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=env, timeout=60)
    check("no secret in the output of %s" % (args,), SECRET not in p.stdout + p.stderr, p.stderr)
    return p


def last_line(text):
    lines = text.strip().splitlines()
    return lines[-1] if lines else ""


def emulate_ignores_aws_files(home):
    aws = os.path.join(home, ".aws")
    os.mkdir(aws)
    cases = [("a malformed line", b"[default]\nthis is not ini\n"),
             ("binary garbage", b"\x00\x01\xff\xfe[\x00\n\x89PNG"),
             ("a section never closed", b"[profile x\nregion = us-east-1\n")]
    for name, data in cases:
        for f in ("config", "credentials"):
            with open(os.path.join(aws, f), "wb") as fh:
                fh.write(data)
        p = run(bare(home), "--emulate", "ask", "hi")
        check("--emulate ask with %s in ~/.aws" % name,
              p.returncode == 0 and "You said: hi" in p.stdout, p.stdout + p.stderr)
        p = run(bare(home, AWS_PROFILE="work"), "--emulate", "--profile", "other", "converse",
                "--model-id", "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body",
                json.dumps({"messages": [{"role": "user", "content": [{"text": "hi"}]}]}))
        check("--emulate converse with %s and a profile named" % name, p.returncode == 0, p.stderr)
    # A file that cannot be read at all (a directory: unreadable even as root).
    p = run(bare(home, AWS_CONFIG_FILE=home, AWS_SHARED_CREDENTIALS_FILE=home),
            "--emulate", "ask", "hi")
    check("--emulate ask with unreadable AWS files", p.returncode == 0 and "You said: hi" in p.stdout,
          p.stdout + p.stderr)
    # Without --emulate the broken file is still reported.
    p = run(bare(home, AWS_REGION="us-east-1"), "--endpoint-url", DEAD, "ask", "hi")
    check("without --emulate a broken file is an error", p.returncode == 4 and "line" in p.stderr, p.stderr)
    shutil.rmtree(aws)


def setup_errors_end_with_the_hint(home):
    for args in (["ask", "hi"], ["models"], ["invoke", "--model-id", "x", "--body", "{}"],
                 ["api-key"], ["debug", "credentials"]):
        p = run(bare(home), *args)
        check("no region: `%s` exits 4 and ends with the --emulate hint" % args[0],
              p.returncode == 4 and "no AWS region" in p.stderr and HINT in last_line(p.stderr),
              p.stderr)
    for args in (["ask", "hi"], ["invoke", "--model-id", "x", "--body", "{}"], ["api-key"]):
        p = run(bare(home, AWS_REGION="us-east-1"), "--endpoint-url", DEAD, *args)
        check("no credentials: `%s` exits 4 and ends with the --emulate hint" % args[0],
              p.returncode == 4 and "no AWS credentials found" in p.stderr and HINT in last_line(p.stderr),
              p.stderr)


def unknown_profile(home):
    keys = bare(home, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")
    for how, env, args in (("--profile", keys, ["--profile", "nonexist"]),
                           ("AWS_PROFILE", dict(keys, AWS_PROFILE="nonexist"), [])):
        for cmd in (["ask", "hi"], ["invoke", "--model-id", "x", "--body", "{}"], ["api-key"]):
            p = run(env, "--endpoint-url", DEAD, *(args + cmd))
            check("%s nonexist, `%s`: the profile is in neither file" % (how, cmd[0]),
                  p.returncode == 4 and "config profile (nonexist) named by " + how in p.stderr and
                  "neither" in p.stderr and "set AWS_ACCESS_KEY_ID" not in p.stderr and
                  HINT in last_line(p.stderr), p.stderr)
    p = run(keys, "--profile", "nonexist", "config")
    check("config --profile nonexist: exit 4, the profile named, not the keys",
          p.returncode == 4 and "config profile (nonexist)" in p.stderr and
          "set AWS_ACCESS_KEY_ID" not in p.stderr, p.stdout + p.stderr)
    # The implied default profile may be missing, even when named.
    p = run(dict(keys, AWS_PROFILE="default"), "--endpoint-url", DEAD, "ask", "hi")
    check("AWS_PROFILE=default without files is not an error of its own",
          "config profile" not in p.stderr and p.returncode == 3, p.stderr)


class FakeImds:
    """tests/fakes/fake_aws.py on a loopback port, playing IMDS."""

    def __init__(self, home):
        self.state = os.path.join(home, "imds-state.json")
        self.set({})
        self.proc = subprocess.Popen([sys.executable, FAKE, "--state", self.state, "--log",
                                      os.path.join(home, "imds-log.jsonl"), "--lifetime", "120"],
                                     stdout=subprocess.PIPE, text=True)
        self.url = "http://127.0.0.1:%s" % self.proc.stdout.readline().split()[1]

    def set(self, imds):
        with open(self.state, "w") as f:
            json.dump({"imds": imds}, f)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=10)


def imds_failure_is_no_credentials(home):
    fake = FakeImds(home)
    try:
        env = bare(home, AWS_REGION="us-east-1", AWS_EC2_METADATA_SERVICE_ENDPOINT=fake.url,
                   AWS_METADATA_SERVICE_TIMEOUT="1")
        for name, imds, detail in (("403 on the role", {"role_status": 403}, "answered HTTP 403"),
                                   ("500 on the role", {"role_status": 500}, "answered HTTP 500"),
                                   ("400 on the token", {"token_status": 400}, "HTTP 400"),
                                   ("401 on the credentials", {"creds_status": 401}, "answered HTTP 401")):
            fake.set(imds)
            p = run(env, "--endpoint-url", DEAD, "ask", "hi")
            check("IMDS %s: exit 4, no credentials, the sources tried" % name,
                  p.returncode == 4 and "no AWS credentials found (tried environment, " in p.stderr and
                  ", imds)" in p.stderr and "HTTP" not in p.stderr and HINT in last_line(p.stderr), p.stderr)
            p = run(env, "--debug", "--endpoint-url", DEAD, "ask", "hi")
            check("IMDS %s: the detail in --debug" % name, p.returncode == 4 and detail in p.stderr and
                  "no AWS credentials found" in p.stderr, p.stderr)
        fake.set({"role_status": 403})
        p = run(env, "debug", "credentials")
        check("debug credentials with IMDS 403: exit 4, no credentials", p.returncode == 4 and
              "no AWS credentials found" in p.stderr and "HTTP 403" not in p.stderr, p.stderr)
        p = run(env, "config")
        check("config with IMDS 403: no credentials", p.returncode == 4 and
              "no AWS credentials found" in p.stderr and "HTTP 403" not in p.stderr, p.stderr)
    finally:
        fake.stop()
    # An IMDS that accepts the connection and never answers: a timeout.
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    try:
        env = bare(home, AWS_REGION="us-east-1", AWS_METADATA_SERVICE_TIMEOUT="1",
                   AWS_EC2_METADATA_SERVICE_ENDPOINT="http://127.0.0.1:%d" % silent.getsockname()[1])
        t = time.time()
        p = run(env, "--endpoint-url", DEAD, "ask", "hi")
        check("IMDS timing out: exit 4, no credentials, within the timeouts",
              p.returncode == 4 and "no AWS credentials found" in p.stderr and time.time() - t < 20, p.stderr)
    finally:
        silent.close()


def emulate_api_key_and_credentials(home):
    p = run(bare(home), "--emulate", "api-key", "--expires", "600")
    key = p.stdout.strip()
    check("--emulate api-key with no region or credentials", p.returncode == 0 and
          key.startswith("bedrock-api-key-") and len(p.stdout.splitlines()) == 1, p.stdout + p.stderr)
    p = run(bare(home), "--emulate", "debug", "credentials")
    check("--emulate debug credentials", p.returncode == 0 and
          json.loads(p.stdout or "{}").get("provider") == "emulate", p.stdout + p.stderr)
    # The key works against an emulator told to accept it.
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet", "--bearer", key],
                           stdout=subprocess.PIPE, text=True)
    try:
        url = emu.stdout.readline().split()[2]
        p = run(bare(home, AWS_BEARER_TOKEN_BEDROCK=key, AWS_REGION="us-east-1"), "--endpoint-url", url,
                "ask", "hi")
        check("the --emulate api-key is a usable key", p.returncode == 0 and "You said: hi" in p.stdout,
              p.stdout + p.stderr)
    finally:
        emu.terminate()
        emu.wait(timeout=10)


def broken_credential_process(home):
    aws = os.path.join(home, ".aws")
    os.mkdir(aws)
    with open(os.path.join(aws, "config"), "w") as f:
        f.write("[default]\nregion = us-east-1\ncredential_process = /bin/echo not-json\n")
    env = bare(home)
    for extra in ([], ["--no-stream"]):
        p = run(env, "--debug", "--endpoint-url", DEAD, "ask", *(extra + ["hi"]))
        check("credential_process printing garbage: ask %s exits 4 like config" % " ".join(extra),
              p.returncode == 4 and "credential_process" in p.stderr, p.stderr)
        check("credential_process printing garbage: no request logged %s" % " ".join(extra),
              "POST" not in p.stderr and "-> 0" not in p.stderr, p.stderr)
    p = run(env, "config")
    check("config agrees: exit 4", p.returncode == 4, p.stderr)
    shutil.rmtree(aws)


def main():
    for t in (emulate_ignores_aws_files, setup_errors_end_with_the_hint, unknown_profile,
              imds_failure_is_no_credentials, emulate_api_key_and_credentials, broken_credential_process):
        home = tempfile.mkdtemp(prefix="bedrock-first-contact-")
        try:
            t(home)
        except Exception as e:  # a crash in one group must not hide the others
            check(t.__name__, False, repr(e))
        finally:
            shutil.rmtree(home, ignore_errors=True)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
