#!/usr/bin/env python3
"""Every client example in examples/ runs against `bedrock emulate` and
prints what it should. Usage: test_examples.py BEDROCK_BINARY VECTORS_DIR"""
import os
import re
import signal
import subprocess
import sys
import tempfile
from checks import check, summary

BIN = sys.argv[1]
D = os.path.dirname(BIN)




def main():
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet", "--bearer",
                            "bedrock-api-key-example"], stdout=subprocess.PIPE, text=True)
    url = re.match(r"listening on (\S+)", emu.stdout.readline()).group(1)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
           "BEDROCK_ENDPOINT": url, "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
           "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
           "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
           "BEDROCK_API_KEY": "bedrock-api-key-example"}
    want = {
        "hello_world": [r'"text":"You said: Hello, world"'],
        "streaming": [r"^You said: Write a haiku about the sea\n$"],
        "converse": [r"You said: Describe the purpose", r"You said: What is my name\?"],
        "list_models": [r"modelSummaries", r"profile global\.anthropic\.claude-opus-4-6-v1", r"Claude Sonnet 4\.5\s+global\.anthropic\.claude-sonnet-4-5"],
        "messages": [r"^text: You said: Hello, world$", r"^delta:  haiku$",
                     r"^text: You said: Write a haiku about the sea$", r"^stop: end_turn; tokens in \d+, out 9$"],
        "keys_and_betas": [r"explicit keys: .*You said: Hello from C", r"bearer key: .*You said: Hello from C"],
        "many_streams": [r"^1: You said: What is a haiku\?$", r"^2: You said: Name a sea\.$",
                         r"^3: You said: Why is the sky blue\?$"],
    }
    try:
        for name, patterns in want.items():
            r = subprocess.run([os.path.join(D, "example_" + name)], capture_output=True, text=True,
                               env=env, timeout=60)
            check(name + " exit 0", r.returncode == 0, r.stderr)
            for p in patterns:
                check(name + " " + p, re.search(p, r.stdout, re.M), r.stdout[:300])
    finally:
        emu.send_signal(signal.SIGTERM)
        emu.wait(timeout=10)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
