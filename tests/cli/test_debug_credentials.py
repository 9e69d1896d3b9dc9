#!/usr/bin/env python3
"""Contract of `bedrock debug credentials`: one JSON object naming the
provider, the redacted key id and the region with its source; a clear error
and exit 4 (as every command for a set-up problem) when nothing resolves; no
secret ever printed.
Usage: test_debug_credentials.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
from checks import check, summary

BIN = sys.argv[1]
CANARY_SECRET = "CANARY-SECRET-9d1e"
CANARY_TOKEN = "CANARY-TOKEN-4b7c"
CANARY_BEARER = "bedrock-api-key-CANARY-BEARER-2a6f"




def run(home, args=(), env_extra=None):
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home,
           "AWS_EC2_METADATA_DISABLED": "true"}
    env.update(env_extra or {})
    p = subprocess.run([BIN, "debug", "credentials"] + list(args), env=env,
                       capture_output=True, text=True, timeout=60)
    for canary in (CANARY_SECRET, CANARY_TOKEN, CANARY_BEARER):
        check("no secret in output of %s" % (args,),
              canary not in p.stdout and canary not in p.stderr, p.stdout + p.stderr)
    return p


def main():
    home = tempfile.mkdtemp(prefix="bedrock-cli-creds-")
    try:
        aws = os.path.join(home, ".aws")
        os.mkdir(aws)
        with open(os.path.join(aws, "config"), "w") as f:
            f.write("[default]\nregion = eu-west-3\n[profile dev]\nregion = ap-south-1\n"
                    "[profile noregion]\noutput = json\n")
        cred = os.path.join(aws, "credentials")
        with open(cred, "w") as f:
            f.write("[default]\naws_access_key_id = AKIADEFAULTKEY0WXYZ\n"
                    "aws_secret_access_key = %s\n"
                    "[dev]\naws_access_key_id = AKIADEVKEY00001ABCD\n"
                    "aws_secret_access_key = %s\naws_session_token = %s\n"
                    "[noregion]\naws_access_key_id = AKIANOREGION000QQQQ\n"
                    "aws_secret_access_key = %s\n" % ((CANARY_SECRET,) * 2 + (CANARY_TOKEN,)
                                                        + (CANARY_SECRET,)))
        os.chmod(cred, 0o600)

        p = run(home)
        check("default exit 0", p.returncode == 0, p.stderr)
        o = json.loads(p.stdout)
        check("default fields", o == {"provider": "profile", "access_key_id": "****WXYZ",
                                      "has_session_token": False, "expiration": None,
                                      "region": "eu-west-3", "region_source": "profile"}, o)
        check("one line", p.stdout.count("\n") == 1)

        p = run(home, ["--profile", "dev"])
        o = json.loads(p.stdout)
        check("dev", o["access_key_id"] == "****ABCD" and o["has_session_token"] is True
              and o["region"] == "ap-south-1", o)

        p = run(home, ["--region", "us-west-2"], {"AWS_REGION": "eu-north-1"})
        o = json.loads(p.stdout)
        check("explicit region", o["region"] == "us-west-2" and o["region_source"] == "explicit", o)
        p = run(home, [], {"AWS_REGION": "eu-north-1", "AWS_DEFAULT_REGION": "sa-east-1"})
        o = json.loads(p.stdout)
        check("AWS_REGION", o["region_source"] == "AWS_REGION" and o["region"] == "eu-north-1", o)
        p = run(home, [], {"AWS_DEFAULT_REGION": "sa-east-1"})
        check("AWS_DEFAULT_REGION", json.loads(p.stdout)["region_source"] == "AWS_DEFAULT_REGION")

        p = run(home, [], {"AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT0ENV1",
                           "AWS_SECRET_ACCESS_KEY": CANARY_SECRET,
                           "AWS_SESSION_TOKEN": CANARY_TOKEN,
                           "AWS_CREDENTIAL_EXPIRATION": "2031-02-03T04:05:06Z"})
        o = json.loads(p.stdout)
        check("environment", o["provider"] == "environment" and o["access_key_id"] == "****ENV1"
              and o["expiration"] == "2031-02-03T04:05:06Z" and o["has_session_token"], o)

        p = run(home, [], {"AWS_BEARER_TOKEN_BEDROCK": CANARY_BEARER})
        o = json.loads(p.stdout)
        check("bearer", o["provider"] == "bearer" and o["access_key_id"] is None
              and o["expiration"] is None and o["has_session_token"] is False, o)

        p = run(home, ["--profile", "noregion"])
        check("no region exit 4", p.returncode == 4 and p.stdout == "", p.stdout)
        check("no region says how", "AWS_REGION" in p.stderr and "--region" in p.stderr, p.stderr)

        p = run(home, ["--profile", "ghost"])
        check("unknown profile: exit 4, named as not in either file",
              p.returncode == 4 and "config profile (ghost)" in p.stderr and "neither" in p.stderr
              and "AWS_ACCESS_KEY_ID" not in p.stderr and "--emulate" in p.stderr, p.stderr)
        p = run(home, [], {"AWS_PROFILE": "ghost", "AWS_ACCESS_KEY_ID": "AKIAENVIRONMENT0ENV1",
                           "AWS_SECRET_ACCESS_KEY": CANARY_SECRET})
        check("unknown AWS_PROFILE: exit 4, says so", p.returncode == 4 and
              "config profile (ghost) named by AWS_PROFILE" in p.stderr, p.stderr)
        p = run(home, ["--bogus"])
        check("a usage error is still exit 1", p.returncode == 1, p.stderr)

        os.chmod(cred, 0o644)
        p = run(home)
        check("world-readable warning", p.returncode == 0 and "chmod 600" in p.stderr, p.stderr)
        os.chmod(cred, 0o600)

        empty = tempfile.mkdtemp(prefix="bedrock-cli-empty-")
        try:
            p = run(empty, ["--region", "us-east-1"])
            check("no credentials exit 4 and the --emulate hint", p.returncode == 4 and
                  "no AWS credentials" in p.stderr and "--emulate" in p.stderr, p.stderr)
            p = run(empty)
            check("no region: the --emulate hint", p.returncode == 4 and "no AWS region" in p.stderr
                  and "--emulate" in p.stderr, p.stderr)
            # --emulate: the emulator's key and region, nothing of the AWS set-up.
            p = subprocess.run([BIN, "--emulate", "debug", "credentials"], capture_output=True,
                               text=True, timeout=60, env={"PATH": os.environ.get("PATH", ""),
                                                           "HOME": empty})
            check("--emulate debug credentials", p.returncode == 0 and json.loads(p.stdout or "{}") ==
                  {"provider": "emulate", "access_key_id": "****MPLE", "has_session_token": False,
                   "expiration": None, "region": "us-east-1", "region_source": "emulate"},
                  p.stdout + p.stderr)
            p = run(empty, ["--emulate", "--region", "eu-west-3"])
            o = json.loads(p.stdout or "{}")
            check("debug credentials --emulate --region", p.returncode == 0 and
                  o.get("region") == "eu-west-3" and o.get("region_source") == "explicit", p.stdout + p.stderr)
        finally:
            shutil.rmtree(empty)

        with open(cred, "a") as f:
            f.write("this is not ini %s\n" % CANARY_SECRET)
        p = run(home)
        check("bad file named with line", p.returncode == 4 and "credentials" in p.stderr
              and "line" in p.stderr, p.stderr)
    finally:
        shutil.rmtree(home)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
