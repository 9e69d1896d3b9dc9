#!/usr/bin/env python3
"""`bedrock --platform vertex` keeps Google access tokens between runs, as
gcloud does: a service-account token is minted by the first cold `ask`
(a JWT, verified by tests/fakes/fake_google.py, which logs every request)
and the second cold `ask` uses it without calling the token endpoint.
The cache lives in $XDG_CACHE_HOME/bedrock/google (else
~/.cache/bedrock/google), files 0600 in a 0700 directory, named by a hash;
BEDROCK_NO_TOKEN_CACHE=1 turns it off; --debug says what it did, never
the token. `bedrock emulate --any-google-token` answers the Vertex calls.
Usage: test_vertex_token_cache.py BEDROCK_BINARY VECTORS_DIR"""
import os
import re
import signal
import stat
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from checks import check, summary  # noqa: E402
from fakectl import Fake  # noqa: E402

BIN = sys.argv[1]
HOME = tempfile.mkdtemp(prefix="bedrock-vertex-cache-")
OUTPUTS = []


def emulator():
    p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--any-google-token"],
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    m = re.match(r"^listening on (http://127\.0\.0\.1:\d+)$", p.stdout.readline().strip())
    if not m:
        raise RuntimeError("the emulator did not start: " + p.stderr.read())
    return p, m.group(1)


def main():
    fake = Fake("fake_google.py")
    emu, url = emulator()
    sa = os.path.join(fake.dir, "sa.json")
    base = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME, "LANG": "C.UTF-8",
            "NO_GCE_CHECK": "true", "GOOGLE_APPLICATION_CREDENTIALS": sa,
            "XDG_CACHE_HOME": os.path.join(HOME, "xdg-cache"),
            "XDG_CONFIG_HOME": os.path.join(HOME, "config"),
            "XDG_STATE_HOME": os.path.join(HOME, "state")}

    def ask(text, env=None, debug=False):
        e = dict(base)
        e.update(env or {})
        e = {k: v for k, v in e.items() if v is not None}
        args = [BIN] + (["--debug"] if debug else []) + [
            "--platform", "vertex", "--region", "us-east5", "--project", "emulator-project",
            "--endpoint-url", url, "ask", text]
        r = subprocess.run(args, capture_output=True, text=True, env=e, timeout=60,
                           stdin=subprocess.DEVNULL)
        OUTPUTS.append(r.stdout + r.stderr)
        return r

    def token_calls():
        return sum(1 for e in fake.log() if e["path"] == "/token")

    try:
        r = ask("Hello, world")
        check("first cold ask: answered, one token minted",
              r.returncode == 0 and "Hello, world" in r.stdout and token_calls() == 1,
              r.stdout + r.stderr)
        d = os.path.join(base["XDG_CACHE_HOME"], "bedrock", "google")
        names = os.listdir(d) if os.path.isdir(d) else []
        check("one file, named by a SHA-256, 0600 in a 0700 directory",
              len(names) == 1 and re.match(r"^[0-9a-f]{64}\.json$", names[0])
              and stat.S_IMODE(os.stat(d).st_mode) == 0o700
              and stat.S_IMODE(os.stat(os.path.join(d, names[0])).st_mode) == 0o600, names)
        kept = open(os.path.join(d, names[0])).read() if names else ""
        check("it holds an access token and its expiry, no key or account",
              '"access_token"' in kept and '"expiry"' in kept and "PRIVATE" not in kept
              and "sa-test@" not in kept, kept[:80])

        r = ask("Hello again", debug=True)
        check("second cold ask: the kept token, no call to the token endpoint",
              r.returncode == 0 and "Hello again" in r.stdout and token_calls() == 1,
              r.stdout + r.stderr + " calls=%d" % token_calls())
        check("--debug says the cached token was used",
              "token cache: using" in r.stderr, r.stderr)

        r = ask("Hello, no cache", env={"BEDROCK_NO_TOKEN_CACHE": "1"})
        check("BEDROCK_NO_TOKEN_CACHE=1: a token minted again",
              r.returncode == 0 and token_calls() == 2, r.stderr)

        r = ask("Hello from HOME", env={"XDG_CACHE_HOME": None})
        home_dir = os.path.join(HOME, ".cache", "bedrock", "google")
        check("without XDG_CACHE_HOME: ~/.cache/bedrock/google",
              r.returncode == 0 and os.path.isdir(home_dir) and len(os.listdir(home_dir)) == 1,
              r.stderr)
        calls = token_calls()
        r = ask("Hello from HOME again", env={"XDG_CACHE_HOME": None})
        check("... and used from there", r.returncode == 0 and token_calls() == calls, r.stderr)

        # A token the service refuses (the emulator's own tokens only): a
        # 401 drops it from the disk too, and the next run mints one.
        for name in os.listdir(d):
            p = os.path.join(d, name)
            with open(p) as f:
                text = f.read()
            with open(p, "w") as f:
                f.write(re.sub(r'"access_token":\s*"[^"]*"', '"access_token":"ya29.revoked"', text))
        emu.send_signal(signal.SIGTERM)
        emu.wait(timeout=10)
        emu2 = subprocess.Popen([BIN, "emulate", "--listen", url[len("http://"):],
                                 "--google-token", "ya29.only-this-one"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        emu2.stdout.readline()
        calls = token_calls()
        r = ask("Hi", debug=True)
        now = "".join(open(os.path.join(d, n)).read() for n in os.listdir(d))
        # This emulator refuses the fresh token too (the call fails): what
        # matters is that the refused one was dropped and replaced.
        check("a refused kept token: removed after the 401, a fresh one minted and kept",
              "removed" in r.stderr and token_calls() == calls + 1
              and "ya29.revoked" not in now and '"access_token"' in now, r.stderr)
        emu2.send_signal(signal.SIGTERM)
        emu2.wait(timeout=10)
    finally:
        if emu.poll() is None:
            emu.send_signal(signal.SIGTERM)
            emu.wait(timeout=10)
        fake.stop()
    every = "\n".join(OUTPUTS)
    check("no access token in any output", not re.search(r"ya29\.sa-\d", every),
          re.findall(r"ya29\.\S+", every)[:3])
    return summary()


if __name__ == "__main__":
    sys.exit(main())
