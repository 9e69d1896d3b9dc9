#!/usr/bin/env python3
"""`bedrock chat` driven through a real terminal (tmux) against `bedrock
emulate`: a question and its streamed answer, Ctrl-C discarding a line,
/save, Ctrl-C in the middle of a slow answer (the partial answer kept),
/load, /tokens, /model, /system, /attach, /usage, history, Ctrl-D exiting
0; and the same chat driven through a pipe. Every wait has a deadline.
Usage: test_chat_tmux.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time
from checks import check, summary

BIN = os.path.abspath(sys.argv[1])
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"),
       "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
       "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
       "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}




class Term:
    """One tmux server of our own (its own socket) running one pane."""

    def __init__(self, d, command):
        self.sock = os.path.join(d, "tmux.sock")
        self.tmux("new-session", "-d", "-s", "chat", "-x", "150", "-y", "50", command)

    def tmux(self, *args):
        return subprocess.run(["tmux", "-S", self.sock] + list(args), capture_output=True, text=True,
                              timeout=20)

    def screen(self):
        """The pane (and its scrollback), lines right-trimmed, no blank tail:
        a prompt waiting for input is the last line, ">"."""
        text = self.tmux("capture-pane", "-p", "-S", "-200", "-t", "chat").stdout
        return "\n".join(l.rstrip() for l in text.split("\n")).rstrip("\n")

    def keys(self, *keys):
        self.tmux("send-keys", "-t", "chat", *keys)

    def type(self, text):
        self.tmux("send-keys", "-t", "chat", "-l", text)

    def wait(self, pattern, timeout=15):
        """Waits until the screen matches; returns the match (None at the deadline)."""
        end = time.time() + timeout
        while time.time() < end:
            m = re.search(pattern, self.screen(), re.S)
            if m:
                return m
            time.sleep(0.05)
        return None

    def enter(self, text, pattern, timeout=15):
        """Types a line once the prompt is back, then waits for pattern and
        the next prompt (typing ahead of the prompt races the terminal's
        switch between cooked and raw mode)."""
        self.wait(r"\n(\[\d+ files?\] )?>\Z")
        self.type(text)
        self.keys("Enter")
        return self.wait(pattern + r"(.*\n)?(\[\d+ files?\] )?>\Z", timeout)

    def close(self):
        self.tmux("kill-server")


def main():
    if not shutil.which("tmux"):
        print("tmux is not installed (scripts/install-deps.sh installs it)")
        sys.exit(1)
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"],
                           stdout=subprocess.PIPE, text=True)
    url = re.match(r"listening on (\S+)", emu.stdout.readline()).group(1)
    tmp = tempfile.TemporaryDirectory()
    d = tmp.name
    state = os.path.join(d, "state")
    status = os.path.join(d, "status")
    f1, f2, f3 = (os.path.join(d, n) for n in ("one.json", "two.json", "three.json"))
    png = os.path.join(d, "pic.png")
    with open(png, "wb") as f:
        f.write(b"\x89PNG\r\n\x1a\n" + bytes(24))
    script = os.path.join(d, "run.sh")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n")
        for k, v in dict(ENV, HOME=d, XDG_STATE_HOME=state, TERM="screen").items():
            f.write("export %s='%s'\n" % (k, v))
        # The shell ignores the Ctrl-C the terminal sends it along with chat
        # (or it would die of it once chat exits); chat sets its own handler.
        f.write("trap '' INT\n'%s' chat --endpoint-url '%s'\necho $? > '%s'\n" % (BIN, url, status))
    os.chmod(script, 0o755)
    term = Term(d, script)
    try:
        check("banner and prompt", term.wait(r"bedrock chat with Claude Sonnet 4\.5.*\n>\Z"), term.screen())

        # A question; the answer streams back.
        check("answer", term.enter("Hello, world", r"> Hello, world\nYou said: Hello, world\n\n"), term.screen())

        # Ctrl-C at the prompt discards the line.
        term.type("discard this line")
        term.keys("Left", "Left", "C-c")
        check("Ctrl-C at the prompt", term.wait(r"> discard this line\^C\n>\Z"), term.screen())

        check("/save", term.enter("/save " + f1, r"saved 2 messages to "), term.screen())

        # A slow answer (the emulator paces events 300 ms apart), stopped midway.
        term.type("Tell me [[emulate:fault=slow=300]] about ten small robots")
        term.keys("Enter")
        m = term.wait(r"robots\nYou said: Tell", timeout=20)
        check("a slow answer streams", m, term.screen())
        term.keys("C-c")
        check("Ctrl-C stops the answer", term.wait(r"\[stopped; the partial answer is kept\]\n\n>\Z", timeout=10),
              term.screen())
        check("/save after the stop", term.enter("/save " + f2, r"saved 4 messages"), term.screen())
        saved = json.load(open(f2)) if os.path.exists(f2) else {}
        msgs = saved.get("messages", [])
        partial = msgs[3]["content"][0]["text"] if len(msgs) == 4 else ""
        check("the partial answer is in the conversation", len(msgs) == 4 and msgs[3]["role"] == "assistant"
              and partial.startswith("You said: Tell") and not partial.endswith("robots"), json.dumps(msgs)[-300:])
        check("saved as an InvokeModel body", saved.get("anthropic_version") == "bedrock-2023-05-31"
              and saved.get("max_tokens") == 8192 and msgs[0]["content"][0]["text"] == "Hello, world", json.dumps(saved)[:300])

        # /load a saved conversation and go on from there.
        check("/clear", term.enter("/clear", r"conversation cleared"), term.screen())
        check("/load", term.enter("/load " + f1, r"loaded 2 messages from "), term.screen())
        check("/tokens", term.enter("/tokens", r"\n9 input tokens in 2 messages\n"), term.screen())
        check("answer after /load", term.enter("Again", r"> Again\nYou said: Again\n"), term.screen())
        check("/save after /load", term.enter("/save " + f3, r"saved 4 messages to \S*three"), term.screen())
        three = json.load(open(f3)) if os.path.exists(f3) else {}
        check("loaded history kept", [m["role"] for m in three.get("messages", [])] ==
              ["user", "assistant", "user", "assistant"] and three["messages"][0]["content"][0]["text"] == "Hello, world",
              json.dumps(three)[:300])

        # /model, /system, /attach, /usage, /help.
        check("/model", term.enter("/model haiku", r"now talking to global\.anthropic\.claude-haiku-4-5-20251001-v1:0 "
                                   r"\(Claude Haiku 4\.5\)"), term.screen())
        check("/system set", term.enter("/system Answer in uppercase", r"system prompt set"), term.screen())
        check("/system", term.enter("quiet please", r"YOU SAID: QUIET PLEASE\n"), term.screen())
        check("/attach", term.enter("/attach " + png, r"attached \S*pic\.png \(image/png\)"), term.screen())
        check("prompt shows the attachment", term.wait(r"\n\[1 file\] >\Z"), term.screen())
        check("attachment sent", term.enter("look", r"YOU SAID: LOOK YOU SENT AN IMAGE\.\n"), term.screen())
        check("/usage", term.enter("/usage", r"last answer: tokens: input \d+, output \d+[^\n]*\n"
                                   r"session, \d+ answers: input \d+"), term.screen())
        check("/help", term.enter("/help", r"/attach FILE.*/exit"), term.screen())
        check("unknown command", term.enter("/nope", r"unknown command /nope"), term.screen())

        # History: Up brings back the last line.
        term.keys("Up")
        check("history recall", term.wait(r"\n> /nope\Z"), term.screen())
        term.keys("C-u")
        term.wait(r"\n>\Z")

        # Ctrl-D leaves with status 0.
        term.keys("C-d")
        end = time.time() + 10
        while time.time() < end and not os.path.exists(status):
            time.sleep(0.05)
        code = open(status).read().strip() if os.path.exists(status) else None
        check("Ctrl-D exits 0", code == "0", "%s %s" % (code, term.screen()[-300:]))
        hist = open(os.path.join(state, "bedrock", "history")).read() if os.path.exists(
            os.path.join(state, "bedrock", "history")) else ""
        check("history file", "Hello,\\040world" in hist and "/model\\040haiku" in hist, hist[:200])
    finally:
        term.close()

    try:
        # What /save wrote, `bedrock invoke --body file://` takes.
        for f in (f2, f3):
            r = subprocess.run([BIN, "invoke", "--endpoint-url", url, "--model-id",
                                "us.anthropic.claude-sonnet-4-5-20250929-v1:0", "--body", "file://" + f],
                               capture_output=True, text=True, env=ENV, timeout=60)
            check("invoke takes /save's file", r.returncode == 0 and json.loads(r.stdout)["type"] == "message",
                  r.stdout + r.stderr)

        # The same chat through a pipe: no terminal, no prompt, answers on stdout.
        piped = os.path.join(d, "piped.json")
        r = subprocess.run([BIN, "chat", "--endpoint-url", url, "-s", "Answer in uppercase"],
                           input="Hello, world\nSecond\\\nline\n/save %s\n/load %s\n/tokens\n" % (piped, f1),
                           capture_output=True, text=True, env=dict(ENV, HOME=d, XDG_STATE_HOME=state), timeout=60)
        saved = json.load(open(piped)) if os.path.exists(piped) else {}
        check("piped chat", r.returncode == 0 and r.stdout.startswith("YOU SAID: HELLO, WORLD\n\nYOU SAID: SECOND\nLINE\n")
              and "9 input tokens in 2 messages" in r.stdout and saved.get("system") == "Answer in uppercase"
              and len(saved.get("messages", [])) == 4, repr((r.stdout, r.stderr)))
        r = subprocess.run([BIN, "--emulate", "chat", "-m", "haiku"], input="Hello, world\n/model\n",
                           capture_output=True, text=True, env={"PATH": ENV["PATH"], "HOME": d}, timeout=60)
        check("--emulate chat", r.returncode == 0 and r.stdout == "You said: Hello, world\n\n"
              "global.anthropic.claude-haiku-4-5-20251001-v1:0 (Claude Haiku 4.5)\n", repr((r.stdout, r.stderr)))
        r = subprocess.run([BIN, "chat", "--endpoint-url", url, "-m", "nope"], input="", capture_output=True,
                           text=True, env=dict(ENV, HOME=d), timeout=60)
        check("chat: unknown model", r.returncode == 1 and "unknown model" in r.stderr, r.stderr)
        r = subprocess.run([BIN, "chat", "--endpoint-url", url, "--max-attempts", "1"],
                           input="x [[emulate:fault=internal]]\nHello, world\n", capture_output=True, text=True,
                           env=dict(ENV, HOME=d), timeout=60)
        check("chat: an error, then go on", r.returncode == 0 and "InternalServerException" in r.stderr
              and "You said: Hello, world" in r.stdout, repr((r.stdout, r.stderr)))
    finally:
        emu.terminate()
        emu.wait(timeout=10)
        tmp.cleanup()
    sys.exit(summary())


if __name__ == "__main__":
    main()
