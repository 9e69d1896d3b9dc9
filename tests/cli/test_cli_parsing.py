#!/usr/bin/env python3
"""How the CLI reads its command line and says what is wrong with it: the
debug group's own usage, "did you mean", options without a value (or with
an empty one), region names, and what --timeout and --deadline say when
they run out. Usage: test_cli_parsing.py BEDROCK_BINARY VECTORS_DIR"""
import os
import re
import subprocess
import sys
import tempfile
import time
from checks import check, summary

BIN = sys.argv[1]
SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"
HOME = tempfile.mkdtemp(prefix="bedrock-parsing-")
BARE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME,
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
KEYS = dict(BARE, AWS_ACCESS_KEY_ID="AKIDEXAMPLE", AWS_SECRET_ACCESS_KEY=SECRET, AWS_REGION="us-east-1")


def run(*args, env=None, timeout=60):
    return subprocess.run([BIN] + list(args), capture_output=True, text=True, stdin=subprocess.DEVNULL,
                          env=env if env is not None else KEYS, timeout=timeout)


def debug_group_tests():
    r = run("debug", "--help")
    check("debug --help: debug's usage on stdout, exit 0",
          r.returncode == 0 and r.stdout.startswith("usage: bedrock debug") and
          all(s in r.stdout for s in ("sign", "eventstream", "credentials")) and
          "unknown" not in r.stdout + r.stderr, r.stdout + r.stderr)
    r = run("debug", "foo")
    check("debug foo: an unknown subcommand, and debug's usage",
          r.returncode == 1 and "unknown subcommand 'foo'" in r.stderr and
          "usage: bedrock debug" in r.stderr and "unknown command" not in r.stderr, r.stderr)
    r = run("debug")
    check("debug alone: missing subcommand, debug's usage only",
          r.returncode == 1 and "usage: bedrock debug" in r.stderr and "Everyday" not in r.stderr, r.stderr)
    r = run("debug", "eventsteam")
    check("debug eventsteam: did you mean eventstream",
          r.returncode == 1 and "(did you mean 'eventstream'?)" in r.stderr, r.stderr)


def did_you_mean_tests():
    for typo, meant in (("aks", "ask"), ("chta", "chat"), ("modles", "models"), ("confgi", "config")):
        r = run(typo)
        check("%s: unknown command, did you mean %s, one line" % (typo, meant),
              r.returncode == 1 and len(r.stderr.splitlines()) == 1 and
              "unknown command '%s' (did you mean '%s'?)" % (typo, meant) in r.stderr, r.stderr)
    r = run("--emulat", "ask", "hi")
    check("--emulat: an unknown option, not a command, did you mean --emulate",
          r.returncode == 1 and r.stderr == "bedrock: unknown option '--emulat' (did you mean '--emulate'?)\n",
          r.stderr)
    r = run("--emulate", "ask", "--modle", "sonnet", "hi")
    check("ask --modle: did you mean --model", r.returncode == 1 and "(did you mean '--model'?)" in r.stderr,
          r.stderr)
    r = run("--emulate", "models", "--provder", "Meta")
    check("models --provder: did you mean --provider",
          r.returncode == 1 and "(did you mean '--provider'?)" in r.stderr, r.stderr)
    r = run("config", "--regoin", "us-east-1")
    check("config --regoin: did you mean --region",
          r.returncode == 1 and "(did you mean '--region'?)" in r.stderr, r.stderr)
    r = run("xyzzy")
    check("a word like no command: no suggestion", r.returncode == 1 and "did you mean" not in r.stderr and
          "unknown command 'xyzzy'" in r.stderr, r.stderr)


def value_tests():
    # Every option that takes a value, at the end of the line and as "".
    cases = [
        (["models", "--provider"], "--provider"), (["list-models", "--provider"], "--provider"),
        (["list-profiles", "--type"], "--type"), (["invoke", "--body", "{}", "--model-id"], "--model-id"),
        (["invoke", "--model-id", "x", "--body"], "--body"), (["invoke", "--trace"], "--trace"),
        (["logging", "enable", "--s3"], "--s3"), (["api-key", "--expires"], "--expires"),
        (["debug", "credentials", "--profile"], "--profile"), (["debug", "credentials", "--region"], "--region"),
        (["debug", "sign", "--context", "x", "--request"], "--request"), (["emulate", "--listen"], "--listen"),
        (["emulate", "--fault"], "--fault"), (["ask", "-m"], "-m"), (["ask", "--tools"], "--tools"),
        (["ask", "-f"], "-f"), (["--region"], "--region"), (["--profile"], "--profile"),
        (["--endpoint-url"], "--endpoint-url"), (["--deadline"], "--deadline"),
    ]
    for args, opt in cases:
        for tail in ([], [""]):
            r = run(*(args + tail))
            check("%s%s: '%s needs a value'" % (" ".join(args), " ''" if tail else "", opt),
                  r.returncode == 1 and "%s needs a value" % opt in r.stderr and "unexpected" not in r.stderr
                  and "unknown option" not in r.stderr, r.stderr)
    r = run("--emulate", "ask", "-m", "", "hi")
    check("-m '' is not the default model", r.returncode == 1 and "-m needs a value" in r.stderr and
          r.stdout == "", r.stdout + r.stderr)
    r = run("--emulate", "--region", "", "models")
    check("--region '' is not ignored", r.returncode == 1 and "--region needs a value" in r.stderr, r.stderr)


def region_tests():
    r = run("--emulate", "--region", "US-EAST-1", "ask", "hi")
    check("--region US-EAST-1: invalid, lower case, not an inference-profile hint",
          r.returncode == 1 and "invalid region 'US-EAST-1'" in r.stderr and "us-east-1" in r.stderr and
          "profile" not in r.stderr, r.stderr)
    for bad in ("us-east-1.evil.example", "us east 1", "-us-east-1", "useast1"):
        r = run("config", "--region", bad)
        check("--region %r is invalid" % bad, r.returncode == 1 and "invalid region" in r.stderr, r.stderr)
    r = run("--endpoint-url", "http://127.0.0.1:9", "models", env=dict(KEYS, AWS_REGION="US-EAST-1"))
    check("AWS_REGION=US-EAST-1: invalid region, exit 4, nothing sent",
          r.returncode == 4 and "invalid region 'US-EAST-1'" in r.stderr and "127.0.0.1" not in r.stderr, r.stderr)
    r = run("config", env=dict(KEYS, AWS_REGION="US-EAST-1"))
    check("config: an invalid AWS_REGION is named, exit 4",
          r.returncode == 4 and "invalid region 'US-EAST-1'" in r.stderr, r.stdout + r.stderr)
    r = run("config", "--region", "xx-nowhere-9")
    check("config: a well-formed unknown region is a warning",
          r.returncode == 0 and "warning: 'xx-nowhere-9'" in r.stderr, r.stdout + r.stderr)
    r = run("config", "--region", "eu-west-1")
    check("config: a known region, no warning", r.returncode == 0 and "warning" not in r.stderr, r.stderr)
    for good in ("us-gov-west-1", "cn-north-1", "ap-southeast-4"):
        r = run("config", "--region", good)
        check("--region %s is accepted" % good, "invalid region" not in r.stderr, r.stderr)


def config_tests():
    with tempfile.TemporaryDirectory() as d:
        cfg = os.path.join(d, "config")
        open(cfg, "w").write("[profile x\nregion = us-east-1\n")
        r = run("config", env=dict(KEYS, AWS_CONFIG_FILE=cfg))
        check("config with a broken file: the error, and no empty table",
              r.returncode == 4 and r.stdout == "" and "section header" in r.stderr, r.stdout + r.stderr)


def timeout_tests():
    # slow=3000: each part of the stream waits 3 s. --timeout 1 is the
    # longest silence a stream may have, so this stream stops after ~1 s.
    t = time.time()
    r = run("--emulate", "--timeout", "1", "ask", "hi [[emulate:fault=slow=3000]]")
    took = time.time() - t
    check("--timeout on a stream: no data arrived for 1 s, exit 3",
          r.returncode == 3 and "nothing arrived on the stream for 1 s" in r.stderr and
          "broke" not in r.stderr and took < 2.5, "%.1fs %s" % (took, r.stderr))
    # A stream that keeps coming is never cut by --timeout.
    r = run("--emulate", "--timeout", "1", "ask", "hi [[emulate:fault=slow=300]]")
    check("--timeout does not cut a stream that keeps coming", r.returncode == 0 and
          "You said" in r.stdout, r.stdout + r.stderr)
    # --deadline bounds the whole call: attempts and back-offs.
    t = time.time()
    r = run("--emulate", "--timeout", "1", "--deadline", "2", "--max-attempts", "5", "ask", "--no-stream",
            "hi [[emulate:fault=slow=3000]]")
    took = time.time() - t
    # (No retry starts whose back-off would end past the deadline: then the
    # last attempt's own timeout is the error.)
    check("--deadline 2 over 5 attempts of --timeout 1: done within ~2 s",
          r.returncode == 3 and ("deadline of 2 s passed" in r.stderr
                                 or re.search(r"timed out after \d+ milliseconds", r.stderr))
          and took < 3.5, "%.1fs %s" % (took, r.stderr))
    t = time.time()
    r = run("--emulate", "--deadline", "1", "ask", "hi [[emulate:fault=slow=400]]")
    took = time.time() - t
    check("--deadline bounds the reading of a stream too",
          r.returncode == 3 and "deadline of 1 s passed" in r.stderr and took < 2.5,
          "%.1fs %s" % (took, r.stderr))
    r = run("--deadline", "soon", "config")
    check("--deadline takes seconds", r.returncode == 1 and "--deadline is a number of seconds" in r.stderr,
          r.stderr)
    r = run("--help")
    check("--help names --deadline", "--deadline" in r.stdout, r.stdout)


def main():
    for t in (debug_group_tests, did_you_mean_tests, value_tests, region_tests, config_tests, timeout_tests):
        try:
            t()
        except Exception as e:  # a crash in one group must not hide the others
            check(t.__name__, False, repr(e))
    return summary()


if __name__ == "__main__":
    sys.exit(main())
