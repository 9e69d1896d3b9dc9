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
from ptyrun import run_tty

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
        # A line ending in \ goes on, under a prompt that says so.
        term.wait(r"\n>\Z")
        term.type("first \\")
        term.keys("Enter")
        check("continuation prompt", term.wait(r"> first \\\n\.\.\.\Z"), term.screen())
        term.type("second")
        term.keys("Enter")
        check("continued message", term.wait(r"\.\.\. second\nYOU SAID: FIRST\s*\nSECOND\n\n>\Z"), term.screen())
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

    # chat --tools in a terminal: the result prompt; Ctrl-C there takes the message back.
    tools = os.path.join(d, "tools.json")
    with open(tools, "w") as f:
        json.dump([{"name": "get_weather", "input_schema": {"type": "object", "properties": {}}}], f)
    tsaved = os.path.join(d, "tools-tty.json")
    with open(script, "w") as f:
        f.write("#!/bin/sh\n")
        for k, v in dict(ENV, HOME=d, XDG_STATE_HOME=state, TERM="screen").items():
            f.write("export %s='%s'\n" % (k, v))
        f.write("trap '' INT\n'%s' chat --endpoint-url '%s' --tools '%s'\necho $? > '%s'\n" % (BIN, url, tools, status))
    term = Term(d, script)
    try:
        term.wait(r"\n>\Z")
        term.type("Call get_weather now")
        term.keys("Enter")
        check("tool call shown, result asked for", term.wait(r'"name":"get_weather".*\nresult of get_weather>\Z'),
              term.screen())
        term.type("rainy")
        term.keys("Enter")
        check("tool result sent back", term.wait(r"The get_weather tool returned: rainy\n\n>\Z"), term.screen())
        term.type("Call get_weather again")
        term.keys("Enter")
        term.wait(r"again\n.*result of get_weather>\Z")
        term.keys("C-c")
        check("Ctrl-C at the result prompt", term.wait(r"result of get_weather> \^C\n\[no tool result: the message "
                                                     r"is taken back\]\n>\Z"), term.screen())
        check("/save after the tools", term.enter("/save " + tsaved, r"saved 4 messages"), term.screen())
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
        check("chat: an error, then go on; the exit status is the failed message's", r.returncode == 2
              and "InternalServerException" in r.stderr and "You said: Hello, world" in r.stdout,
              repr((r.returncode, r.stdout, r.stderr)))

        def chat(*args, stdin=b"", env=None):
            return subprocess.run([BIN, "chat", "--endpoint-url", url] + list(args), input=stdin,
                                  capture_output=True, env=env or dict(ENV, HOME=d, XDG_STATE_HOME=state),
                                  timeout=60)

        # One rule with ask: a NUL or bytes that are not UTF-8 are refused, not cut or dropped.
        r = chat(stdin=b"ab\0cd\nok\n")
        check("chat: NUL refused with its offset, then go on, exit 1", r.returncode == 1
              and b"bedrock: the message contains a NUL byte at offset 2\n" in r.stderr
              and r.stdout == b"You said: ok\n\n", repr((r.returncode, r.stdout, r.stderr)))
        r = chat(stdin=b"caf\xc3\xa9 \xff\n")
        check("chat: invalid UTF-8 refused with its offset", r.returncode == 1 and r.stdout == b""
              and b"bedrock: the message is not valid UTF-8 at byte 6\n" in r.stderr, repr((r.stdout, r.stderr)))
        r = chat(stdin=b"  \t \n")
        check("chat: a blank line is not a message", r.returncode == 0 and r.stdout == b"", repr((r.stdout, r.stderr)))

        # The history folder cannot be made: said, and the chat goes on.
        blocker = os.path.join(d, "a-file")
        open(blocker, "w").close()
        r = chat(stdin=b"Hello, world\n", env=dict(ENV, HOME=d, XDG_STATE_HOME=blocker))
        check("chat: history folder cannot be created", r.returncode == 0
              and b"cannot create " + blocker.encode() + b"/bedrock" in r.stderr
              and b"the chat history is not kept" in r.stderr and r.stdout == b"You said: Hello, world\n\n",
              repr((r.stdout, r.stderr)))

        # Counts: "1 message".
        one = os.path.join(d, "one.json")
        with open(one, "w") as f:
            json.dump({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 100,
                       "messages": [{"role": "user", "content": "Hello, world"}]}, f)
        r = chat(stdin=("/load %s\n/tokens\n/save %s\n" % (one, os.path.join(d, "one-saved.json"))).encode())
        check("chat: one message, singular", r.returncode == 0 and b"loaded 1 message from" in r.stderr
              and b" input tokens in 1 message\n" in r.stdout and b"saved 1 message to" in r.stderr,
              repr((r.stdout, r.stderr)))

        # --tools: the call shown as JSON, the result asked for and sent back.
        tools = os.path.join(d, "tools.json")
        with open(tools, "w") as f:
            json.dump([{"name": "get_weather", "description": "Weather now",
                        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                         "required": ["city"]}}], f)
        saved_tools = os.path.join(d, "tools-saved.json")
        r = chat("--tools", tools, stdin=("Call get_weather for Paris\nsunny, 21 C\n/save %s\n" % saved_tools).encode())
        lines = r.stdout.decode().split("\n")
        call = json.loads(lines[1]) if len(lines) > 1 and lines[1].startswith("{") else {}
        saved = json.load(open(saved_tools)) if os.path.exists(saved_tools) else {}
        msgs = saved.get("messages", [])
        check("chat --tools: call shown, result sent back, answer", r.returncode == 0
              and lines[0] == "Calling the get_weather tool." and call.get("name") == "get_weather"
              and call.get("input") == {"city": "example"}
              and "The get_weather tool returned: sunny, 21 C" in r.stdout.decode(), repr((r.stdout, r.stderr)))
        check("chat --tools: the conversation holds the call and its result",
              [m["role"] for m in msgs] == ["user", "assistant", "user", "assistant"]
              and msgs[2]["content"] == [{"type": "tool_result", "tool_use_id": call.get("id"),
                                          "content": "sunny, 21 C"}], json.dumps(msgs)[:600])
        r = chat("--tools", tools, stdin=b"Call get_weather for Paris\n")
        check("chat --tools: no result (the input ends): the message is taken back", r.returncode == 0
              and b"[no tool result: the message is taken back]" in r.stderr, repr((r.stdout, r.stderr)))

        # Model text on a terminal: controls shown, not obeyed (stdin piped, stdout a terminal).
        evil = "\x1b]2;PWNED\x07 \x1b[2J \x1b]52;c;cm0K\x07 \u009b31m \x7f"
        shown = b"^[]2;PWNED^G ^[[2J ^[]52;c;cm0K^G <U+009B>31m ^?"
        rc, out = run_tty([BIN, "chat", "--endpoint-url", url, "-s", evil],
                          dict(ENV, HOME=d, XDG_STATE_HOME=state), stdin=(evil + "\n/system\n").encode())
        check("chat on a terminal: the answer and /system with controls shown", rc == 0
              and b"You said: " + shown + b"\r\n" in out and b"\n" + shown + b"\r\n" in out
              and b"\x1b" not in out and b"\xc2\x9b" not in out, repr(out))
    finally:
        emu.terminate()
        emu.wait(timeout=10)
        tmp.cleanup()
    sys.exit(summary())


if __name__ == "__main__":
    main()
