"""Shared by the tests/install/ tests: pass/fail counting, an install of the
build into a temporary DESTDIR, and `bedrock emulate` on a free port of
127.0.0.1. The tests take BUILD_DIR SOURCE_DIR as arguments; compilers get
$BEDROCK_TEST_CFLAGS (the sanitizer flags of an ASan build)."""
import os
import re
import shlex
import signal
import subprocess
import sys
import tempfile
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from checks import check, summary  # noqa: E402,F401

BUILD = os.path.abspath(sys.argv[1])
SRC = os.path.abspath(sys.argv[2])
CFLAGS = shlex.split(os.environ.get("BEDROCK_TEST_CFLAGS", ""))
CC = os.environ.get("CC", "cc")

# What a client needs to reach the emulator with its default key pair, and
# nothing of the caller's own AWS set-up.
CLIENT_ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
              "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
              "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE",
              "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
              "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
    if k in os.environ:
        CLIENT_ENV[k] = os.environ[k]




def run(cmd, **kw):
    kw.setdefault("capture_output", True)
    kw.setdefault("text", True)
    kw.setdefault("timeout", 300)
    return subprocess.run(cmd, **kw)


def install(destdir, prefix="/usr/local"):
    """cmake --install of the build into DESTDIR; returns the tree's root
    (destdir + prefix)."""
    env = dict(os.environ, DESTDIR=destdir)
    r = run(["cmake", "--install", BUILD, "--prefix", prefix], env=env)
    if r.returncode != 0:
        raise SystemExit("cmake --install failed: " + r.stderr)
    return destdir + prefix


def libdir(root):
    """Where the libraries went (lib, or lib/<multiarch>)."""
    for dp, _dn, fn in os.walk(root):
        if "libbedrock.so" in fn:
            return dp
    raise SystemExit("no libbedrock.so under " + root)


class Emulator:
    """`bedrock emulate` from the given binary on a free port."""

    def __init__(self, binary):
        self.proc = subprocess.Popen([binary, "emulate", "--listen", "127.0.0.1:0", "--quiet"],
                                     stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on (\S+)", line)
        if not m:
            self.stop()
            raise SystemExit("emulator did not start: %r" % line)
        self.url = m.group(1)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def commands_of_help(text):
    """The command names of `bedrock --help`: a word at the start of an
    indented line, or one after another command's arguments that is
    followed by an argument of its own (get-model ID)."""
    return set(re.findall(r"^  ([a-z][a-z-]+)(?=\s|$)", text, re.M) +
               re.findall(r"[]A-Z] {3,}([a-z][a-z-]+)(?= [A-Z]| *$)", text, re.M))


def finish():
    sys.exit(summary())
