#!/usr/bin/env python3
"""`bedrock debug sign` against the AWS SigV4 test suite.

usage: test_debug_sign.py BEDROCK_BIN VECTORS_DIR

Every case of tests/vectors/sigv4/v4 is signed in header and in query mode
and each stage is compared with the suite's file for it; then malformed
inputs must fail with exit status 1 and one message on stderr that never
shows the secret key or the session token.
"""
import json
import os
import re
import urllib.parse
import subprocess
import sys
import tempfile

SECRET = "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY"


def read(path):
    with open(path, "rb") as f:
        return f.read().decode("utf-8")


def mask(text):
    """The session token as the CLI shows it, as --debug does: ****."""
    text = re.sub(r"(?i)(x-amz-security-token:)[^\n]+", r"\1****", text)
    return re.sub(r"(?i)(x-amz-security-token=)[^&\n ]+", r"\1****", text)


def run(binary, *args):
    return subprocess.run([binary, "debug", "sign", *args], capture_output=True, timeout=60)


def check_case(binary, case_dir, mode):
    """Returns a list of failure descriptions (empty when all stages match)."""
    args = ["--request", os.path.join(case_dir, "request.txt"),
            "--context", os.path.join(case_dir, "context.json")]
    if mode == "query":
        args.append("--query")
    p = run(binary, *args)
    if p.returncode != 0:
        return [f"exit {p.returncode}: {p.stderr.decode(errors='replace').strip()}"]
    out = p.stdout.decode("utf-8")
    if out.count("\n") != 1 or not out.endswith("\n"):
        return ["stdout is not exactly one line"]
    doc = json.loads(out)
    problems = []
    expected = {
        "canonical_request": mask(read(os.path.join(case_dir, f"{mode}-canonical-request.txt"))),
        "string_to_sign": read(os.path.join(case_dir, f"{mode}-string-to-sign.txt")),
        "signature": read(os.path.join(case_dir, f"{mode}-signature.txt")),
        "signed_request": mask(read(os.path.join(case_dir, f"{mode}-signed-request.txt"))),
    }
    if mode == "header":
        sreq = expected["signed_request"]
        line = [l for l in sreq.split("\n") if l.startswith("Authorization:")][0]
        expected["authorization"] = line[len("Authorization:"):]
    elif "authorization" in doc:
        problems.append("authorization present in query mode")
    for key, want in expected.items():
        got = doc.get(key)
        if got != want:
            problems.append(f"{key} differs:\n  want {want!r}\n  got  {got!r}")
    if SECRET in out:
        problems.append("the secret key appears in the output")
    token = json.loads(read(os.path.join(case_dir, "context.json")))["credentials"].get("token")
    if token and (token in out or urllib.parse.quote(token, safe="-_.~") in out
                  or token.replace("/", "\\/") in out):
        problems.append("the session token appears in the output")
    if token and "X-Amz-Security-Token" in doc["signed_request"] and "****" not in doc["signed_request"]:
        problems.append("the session token is not shown as ****")
    return problems


def check_fails(binary, name, args, must_mention):
    p = run(binary, *args)
    err = p.stderr.decode(errors="replace")
    problems = []
    if p.returncode != 1:
        problems.append(f"exit status {p.returncode}, want 1")
    if p.stdout:
        problems.append("wrote to stdout")
    if not err.strip() or err.count("\n") != 1:
        problems.append(f"want one line on stderr, got {err!r}")
    for word in must_mention:
        if word not in err:
            problems.append(f"stderr does not mention {word!r}: {err!r}")
    if SECRET in err or "SECRETTOKEN" in err:
        problems.append("stderr shows a secret")
    return problems


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, vectors = sys.argv[1], sys.argv[2]
    suite = os.path.join(vectors, "sigv4", "v4")
    passed = failed = 0

    def report(name, problems):
        nonlocal passed, failed
        if problems:
            failed += 1
            print(f"FAIL {name}")
            for p in problems:
                print("  " + p)
        else:
            passed += 1

    cases = sorted(d for d in os.listdir(suite) if os.path.isdir(os.path.join(suite, d)))
    if len(cases) != 38:
        report("suite size", [f"{len(cases)} cases, want 38"])
    for case in cases:
        for mode in ("header", "query"):
            report(f"{case} [{mode}]", check_case(binary, os.path.join(suite, case), mode))

    vanilla = os.path.join(suite, "get-vanilla")
    ctx = os.path.join(vanilla, "context.json")
    req = os.path.join(vanilla, "request.txt")
    with tempfile.TemporaryDirectory() as tmp:
        def write(name, text):
            path = os.path.join(tmp, name)
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            return path

        good_ctx = json.loads(read(ctx))
        token_ctx = dict(good_ctx, credentials=dict(good_ctx["credentials"], token="SECRETTOKEN\r\nX: y"))
        no_region = {k: v for k, v in good_ctx.items() if k != "region"}
        bad_ts = dict(good_ctx, timestamp="30/08/2015 12:36")
        negatives = [
            ("missing request file", ["--request", os.path.join(tmp, "nope.txt"), "--context", ctx],
             ["nope.txt"]),
            ("missing context file", ["--request", req, "--context", os.path.join(tmp, "nope.json")],
             ["nope.json"]),
            ("bad JSON", ["--request", req, "--context", write("bad.json", "{\"region\": ")],
             ["bad.json", "JSON"]),
            ("context without region", ["--request", req, "--context", write("noregion.json", json.dumps(no_region))],
             ["noregion.json", "region"]),
            ("bad timestamp", ["--request", req, "--context", write("ts.json", json.dumps(bad_ts))],
             ["ts.json", "timestamp"]),
            ("no request line", ["--request", write("noline.txt", "Host:example.amazonaws.com\n"), "--context", ctx],
             ["noline.txt", "request line"]),
            ("empty request", ["--request", write("empty.txt", ""), "--context", ctx],
             ["empty.txt"]),
            ("header without colon", ["--request", write("nocolon.txt", "GET / HTTP/1.1\nHost example\n"), "--context", ctx],
             ["nocolon.txt", "line 2"]),
            ("no host header", ["--request", write("nohost.txt", "GET / HTTP/1.1\nX-A:b\n"), "--context", ctx],
             ["nohost.txt", "Host"]),
            ("token with CR/LF", ["--request", req, "--context", write("token.json", json.dumps(token_ctx))],
             ["token"]),
            ("no arguments", [], ["usage"]),
        ]
        for name, args, words in negatives:
            report(f"error: {name}", check_fails(binary, name, args, words))

    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
