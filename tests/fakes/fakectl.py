"""Starts and drives a loopback fake (fake_anthropic.py, fake_aws.py) from a
Python test: its state is written whole and renamed into place (so the
fake never reads half a file, and a new state restarts its script), its
log is read back as a list of dicts."""
import json
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))


class Fake:
    def __init__(self, script="fake_anthropic.py", state=None, lifetime=600):
        self.dir = tempfile.mkdtemp(prefix="bedrock-fake-")
        self.state_path = os.path.join(self.dir, "state.json")
        self.log_path = os.path.join(self.dir, "log.jsonl")
        self.set_state(state or {})
        open(self.log_path, "w").close()
        self.proc = subprocess.Popen([sys.executable, os.path.join(HERE, script), "--state",
                                      self.state_path, "--log", self.log_path, "--lifetime",
                                      str(lifetime)], stdout=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        if not line.startswith("PORT "):
            self.stop()
            raise RuntimeError("%s did not start: %r" % (script, line))
        self.port = int(line.split()[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def set_state(self, state):
        tmp = self.state_path + ".tmp"
        with open(tmp, "w") as f:
            json.dump(state, f)
        os.replace(tmp, self.state_path)

    def log(self):
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.strip()]

    def log_text(self):
        with open(self.log_path) as f:
            return f.read()

    def clear_log(self):
        open(self.log_path, "w").close()

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        if self.proc and self.proc.stdout:
            self.proc.stdout.close()
        shutil.rmtree(self.dir, ignore_errors=True)

    def __enter__(self):
        return self

    def __exit__(self, *a):
        self.stop()
