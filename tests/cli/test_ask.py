#!/usr/bin/env python3
"""`bedrock ask` and `bedrock tokens` against `bedrock emulate` (answers
are deterministic: docs/emulator-model.md), and against a loopback capture
server that records the exact request (path and body) for the options the
emulator's answer does not show. Usage: test_ask.py BEDROCK_BINARY VECTORS_DIR"""
import base64
import json
import os
import re
import select
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from checks import check, summary
from ptyrun import run_tty

BIN = sys.argv[1]
SONNET = "anthropic.claude-sonnet-4-5-20250929-v1:0"
ENV = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
       "AWS_ACCESS_KEY_ID": "AKIDEXAMPLE", "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
       "AWS_REGION": "us-east-1", "AWS_EC2_METADATA_DISABLED": "true",
       "AWS_CONFIG_FILE": "/nonexistent", "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}




def run(*args, stdin=None, extra=None):
    e = dict(ENV, **(extra or {}))
    return subprocess.run([BIN] + list(args), input=stdin, capture_output=True, text=True,
                          env=e, timeout=60)


# ---- the capture server: records each request, answers with a fixed body ----

CAPTURED = []
# Retitle the terminal, clear it, set the clipboard (OSC 52), a C1 CSI, DEL.
EVIL = "\x1b]2;PWNED\x07 \x1b[2J \x1b]52;c;cm0K\x07 \u009b31m \x7f"
EVIL_SHOWN = b"^[]2;PWNED^G ^[[2J ^[]52;c;cm0K^G <U+009B>31m ^?"
MESSAGE = {"id": "msg_capture", "type": "message", "role": "assistant", "model": "claude",
           "content": [{"type": "text", "text": "captured"}], "stop_reason": "end_turn",
           "stop_sequence": None, "usage": {"input_tokens": 1, "output_tokens": 1}}
CONVERSE = {"output": {"message": {"role": "assistant", "content": [{"text": "captured"}]}},
            "stopReason": "end_turn", "usage": {"inputTokens": 1, "outputTokens": 1, "totalTokens": 2},
            "metrics": {"latencyMs": 1}}


class Capture(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        path = urllib.parse.unquote(self.path)
        CAPTURED.append((path, body))
        if path.startswith("/model/anthropic.evil/"):
            # A service error whose text carries terminal controls.
            data = json.dumps({"message": EVIL}).encode()
            self.send_response(400)
            self.send_header("x-amzn-ErrorType", "ValidationException")
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return
        if path.endswith("/count-tokens"):
            out = {"inputTokens": 7}
        elif path.endswith("/converse"):
            out = CONVERSE
        else:
            out = MESSAGE
        data = json.dumps(out).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


def captured(*args, extra=None):
    """Runs the command against the capture server; returns (result, path, body)."""
    CAPTURED.clear()
    r = run("--endpoint-url", CAP, "--max-attempts", "1", *args, extra=extra)
    if not CAPTURED:
        return r, None, None
    path, body = CAPTURED[-1]
    try:
        body = json.loads(body)
    except ValueError:
        pass
    return r, path, body


def model_of(path):
    """/model/<id>/invoke -> <id> (an ARN's slashes included)."""
    return path and path[len("/model/"):path.rindex("/")]


# ---- attachments, made here ----

def make_files(d):
    files = {
        "a.png": b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + bytes(17),
        "a.jpg": b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(20),
        "a.gif": b"GIF89a\x01\x00\x01\x00\x00\x00\x00;",
        "a.webp": b"RIFF\x1a\x00\x00\x00WEBPVP8 " + bytes(14),
        "a.pdf": b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n",
        "notes.txt": "Caf\u00e9 notes. Second sentence.\n".encode(),
        "blob.bin": bytes(range(256)),
        "empty.txt": b"",
    }
    for name, data in files.items():
        with open(os.path.join(d, name), "wb") as f:
            f.write(data)
    return files


def main():
    global CAP
    emu = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet"],
                           stdout=subprocess.PIPE, text=True)
    url = re.match(r"listening on (\S+)", emu.stdout.readline()).group(1)
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Capture)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    CAP = "http://127.0.0.1:%d" % srv.server_address[1]
    tmp = tempfile.TemporaryDirectory()
    d = tmp.name
    files = make_files(d)

    def ask(*args, **kw):
        return run("ask", "--endpoint-url", url, *args, **kw)

    try:
        # ---- the answer, exactly, with one newline ----
        r = ask("Hello, world")
        check("ask", r.returncode == 0 and r.stdout == "You said: Hello, world\n" and r.stderr == "",
              repr((r.stdout, r.stderr)))
        r = ask("Hello,", "world")
        check("words joined", r.stdout == "You said: Hello, world\n", repr(r.stdout))
        r = ask(stdin="Hello, world\n")
        check("stdin", r.returncode == 0 and r.stdout == "You said: Hello, world\n", repr(r.stdout + r.stderr))
        r = ask("-", stdin="Hello from a pipe")
        check("stdin with -", r.stdout == "You said: Hello from a pipe\n", repr(r.stdout))
        r = ask("-", "extra", stdin="x")
        check("- and words refused", r.returncode == 1 and "not both" in r.stderr, r.stderr)
        r = ask(stdin="\n")
        check("empty prompt", r.returncode == 1 and "empty" in r.stderr, r.stderr)
        r = run("--endpoint-url", url, "ask", "Hello, world")
        check("global option before the command", r.stdout == "You said: Hello, world\n", r.stderr)

        # ---- request options, against the emulator ----
        r = ask("-s", "Answer in uppercase", "Hello, world")
        check("--system", r.stdout == "YOU SAID: HELLO, WORLD\n", repr(r.stdout))
        r = ask("--system=Answer in uppercase", "Hello, world")
        check("--system=TEXT", r.stdout == "YOU SAID: HELLO, WORLD\n", repr(r.stdout))
        r = ask("--max-tokens", "3", "Hello, world")
        check("--max-tokens", r.returncode == 0 and r.stdout == "You said:\n" and "max_tokens" in r.stderr,
              repr((r.stdout, r.stderr)))
        r = ask("--stop", "world", "--stop", "zzz", "Hello, world")
        check("--stop", r.stdout == "You said: Hello, \n", repr(r.stdout))
        r = ask("--temperature", "0.2", "--top-k", "5", "Hello, world")
        check("--temperature --top-k", r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("--top-p", "0.9", "Hello, world")
        check("--top-p", r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("--temperature", "0.2", "--top-p", "0.9", "Hello, world")
        check("temperature and top_p refused by Sonnet 4.5: exit 2", r.returncode == 2 and
              "cannot both be specified" in r.stderr and "ValidationException" in r.stderr, r.stderr)
        r = ask("--temperature", "3", "x")
        check("--temperature range", r.returncode == 1 and "0 to 1" in r.stderr, r.stderr)
        r = ask("--beta", "interleaved-thinking-2025-05-14", "--1m", "Hello, world")
        check("--beta --1m", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("-m", "opus-4.5", "--1m", "x")
        check("--1m refused without the feature", r.returncode == 1 and "1M" in r.stderr
              and "Claude Sonnet 4.5" in r.stderr, r.stderr)
        r = ask("--thinking", "Hello, world")
        check("--thinking: answer on stdout, thinking on stderr (not a terminal)", r.returncode == 0
              and r.stdout == "You said: Hello, world\n"
              and r.stderr == "The last user message has 3 tokens. I will restate it.\n", repr((r.stdout, r.stderr)))
        r = ask("--thinking=2048", "--json", "Hello, world")
        m = json.loads(r.stdout)
        check("--thinking=BUDGET --json", m["content"][0]["type"] == "thinking"
              and len(m["content"][0]["signature"]) == 64 and m["content"][1]["text"] == "You said: Hello, world", r.stdout)
        r = ask("--thinking=100", "x")
        check("thinking budget minimum", r.returncode == 1 and "1024" in r.stderr, r.stderr)
        r = ask("--thinking=9000", "--max-tokens", "5000", "x")
        check("budget above max_tokens refused", r.returncode == 1 and "below --max-tokens" in r.stderr, r.stderr)
        r = ask("-m", "opus-4.6", "--thinking", "--effort", "low", "Hello, world")
        check("adaptive thinking with --effort (Opus 4.6)", r.returncode == 0
              and r.stdout == "You said: Hello, world\n" and "I will restate it" in r.stderr, r.stderr)
        r = ask("-m", "haiku-3", "--thinking", "x")
        check("--thinking on a model without extended thinking", r.returncode == 1
              and "Claude 3 Haiku has no extended thinking" in r.stderr and "Claude Sonnet 3.7" in r.stderr
              and "max-tokens" not in r.stderr, r.stderr)
        r = ask("-m", "haiku-3.5", "--thinking=2048", "x")
        check("--thinking=BUDGET on a model without extended thinking", r.returncode == 1
              and "Claude 3.5 Haiku has no extended thinking" in r.stderr, r.stderr)
        r = ask("-m", "sonnet-3.7", "--thinking", "Hello, world")
        check("--thinking on Sonnet 3.7", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("--effort", "high", "x")
        check("--effort refused without adaptive thinking", r.returncode == 1 and "Opus 4.6" in r.stderr, r.stderr)
        r = ask("--effort", "huge", "x")
        check("--effort values", r.returncode == 1 and "low, medium, high" in r.stderr, r.stderr)
        tools = os.path.join(d, "tools.json")
        with open(tools, "w") as f:
            json.dump([{"name": "get_weather", "description": "Weather now",
                        "input_schema": {"type": "object", "properties": {"city": {"type": "string"}},
                                         "required": ["city"]}}], f)
        r = ask("--tools", tools, "Call get_weather for Paris")
        lines = r.stdout.split("\n")
        call = json.loads(lines[1]) if len(lines) > 2 else {}
        check("--tools: text, then the call as JSON", r.returncode == 0 and lines[0] == "Calling the get_weather tool."
              and call.get("type") == "tool_use" and call.get("name") == "get_weather"
              and call.get("input") == {"city": "example"} and call["id"].startswith("toolu_bdrk_")
              and lines[2:] == [""], repr(r.stdout))
        with open(os.path.join(d, "bad_tools.json"), "w") as f:
            f.write('{"tools": 1}')
        r = ask("--tools", os.path.join(d, "bad_tools.json"), "x")
        check("--tools without names", r.returncode == 1 and "name" in r.stderr, r.stderr)

        # ---- output forms ----
        r = ask("--json", "Hello, world")
        m = json.loads(r.stdout)
        check("--json", r.returncode == 0 and m["type"] == "message" and m["content"] == [
            {"type": "text", "text": "You said: Hello, world"}] and m["stop_reason"] == "end_turn"
            and m["usage"] == {"input_tokens": 3, "output_tokens": 6} and r.stdout.count("\n") == 1, r.stdout)
        r = ask("--usage", "Hello, world")
        check("--usage", r.stdout == "You said: Hello, world\n" and re.fullmatch(
            r"tokens: input 3, output 6, cache read 0, cache write 0; latency \d+ ms \(first token \d+ ms\)\n",
            r.stderr), r.stderr)
        r = ask("--no-stream", "Hello, world")
        check("--no-stream", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("--no-stream", "--json", "--usage", "Hello, world")
        check("--no-stream --json --usage", json.loads(r.stdout)["content"][0]["text"] == "You said: Hello, world"
              and re.fullmatch(r"tokens: input 3, output 6, cache read 0, cache write 0; latency \d+ ms\n", r.stderr),
              r.stdout + r.stderr)
        r = ask("--converse", "Hello, world")
        check("--converse", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stderr)
        r = ask("--converse", "--json", "-s", "Answer in uppercase", "Hello, world")
        m = json.loads(r.stdout)
        check("--converse --json, system", m["output"]["message"]["content"] == [{"text": "YOU SAID: HELLO, WORLD"}]
              and m["stopReason"] == "end_turn" and m["usage"]["inputTokens"] == 6, r.stdout)
        r = ask("--converse", "--no-stream", "--json", "--max-tokens", "3", "Hello, world")
        m = json.loads(r.stdout)
        check("--converse --no-stream, maxTokens", m["output"]["message"]["content"] == [{"text": "You said:"}]
              and m["stopReason"] == "max_tokens", r.stdout)
        r = ask("--converse", "--stop", "world", "--usage", "Hello, world")
        check("--converse --stop --usage", r.stdout == "You said: Hello, \n" and "tokens: input 3" in r.stderr,
              repr((r.stdout, r.stderr)))
        r = ask("--converse", "--thinking", "Hello, world")
        check("--converse --thinking", r.stdout == "You said: Hello, world\n" and "I will restate it" in r.stderr,
              repr((r.stdout, r.stderr)))
        r = ask("--converse", "--tools", tools, "Call get_weather now")
        lines = r.stdout.split("\n")
        check("--converse --tools", lines[0] == "Calling the get_weather tool." and len(lines) == 3
              and json.loads(lines[1])["input"] == {"city": "example"}, repr(r.stdout))

        # ---- attachments ----
        p = lambda n: os.path.join(d, n)
        r = ask("-f", p("a.png"), "-f", p("a.jpg"), "--file", p("a.gif"), "--file=" + p("a.webp"),
                "-f", p("a.pdf"), "-f", p("notes.txt"), "Describe these")
        check("attachments of each type", r.returncode == 0 and r.stdout ==
              "You said: Describe these You sent 4 images. You sent 2 documents.\n", repr(r.stdout + r.stderr))
        r = ask("--converse", "-f", p("a.png"), "-f", p("a.pdf"), "-f", p("notes.txt"), "What")
        check("attachments over Converse", r.stdout == "You said: What You sent an image. You sent 2 documents.\n",
              repr(r.stdout + r.stderr))
        r = ask("-f", p("notes.txt"))
        check("a file alone, no prompt", r.stdout == "You sent no text. You sent a document.\n", repr(r.stdout + r.stderr))
        r = ask("-f", p("blob.bin"), "x")
        check("binary refused", r.returncode == 1 and "blob.bin is not an image (PNG, JPEG, GIF, WebP), a PDF or UTF-8 text"
              in r.stderr, r.stderr)
        r = ask("-f", p("missing.png"), "x")
        check("missing file", r.returncode == 1 and "cannot read" in r.stderr and "missing.png" in r.stderr, r.stderr)
        r = ask("-f", p("empty.txt"), "x")
        check("empty file", r.returncode == 1 and "empty" in r.stderr, r.stderr)
        r = ask("-m", "haiku-3.5", "-f", p("a.png"), "x")
        check("image to a text-only model", r.returncode == 1 and "takes no images" in r.stderr, r.stderr)
        r, path, body = captured("ask", "--no-stream", "-f", p("a.webp"), "-f", p("a.pdf"), "-f", p("notes.txt"), "Q")
        content = body["messages"][0]["content"] if body else []
        check("attachment blocks", len(content) == 4 and content[0] == {
            "type": "image", "source": {"type": "base64", "media_type": "image/webp",
                                        "data": base64.b64encode(files["a.webp"]).decode()}}
            and content[1]["source"] == {"type": "base64", "media_type": "application/pdf",
                                         "data": base64.b64encode(files["a.pdf"]).decode()}
            and content[1]["title"] == "a.pdf"
            and content[2] == {"type": "document", "title": "notes.txt", "source": {
                "type": "text", "media_type": "text/plain", "data": files["notes.txt"].decode()}}
            and content[3] == {"type": "text", "text": "Q"}, json.dumps(content)[:600])
        r, path, body = captured("ask", "--no-stream", "--converse", "-f", p("a.jpg"), "-f", p("notes.txt"), "Q")
        content = body["messages"][0]["content"] if body else []
        check("Converse attachment blocks", len(content) == 3 and content[0] == {
            "image": {"format": "jpeg", "source": {"bytes": base64.b64encode(files["a.jpg"]).decode()}}}
            and content[1] == {"document": {"format": "txt", "name": "notes txt", "source": {
                "bytes": base64.b64encode(files["notes.txt"]).decode()}}} and content[2] == {"text": "Q"},
            json.dumps(content)[:600])

        # ---- the prompt: one rule for ask and chat ----
        r = ask("  \t ")
        check("whitespace-only prompt refused", r.returncode == 1 and "bedrock: the prompt is empty" in r.stderr
              and r.stdout == "", repr((r.stdout, r.stderr)))
        r = ask("-", stdin=" \n\n")
        check("whitespace-only stdin refused", r.returncode == 1 and "the prompt is empty" in r.stderr, r.stderr)
        r = ask("-f", p("notes.txt"), "   ")
        check("whitespace and a file: the file alone", r.returncode == 0
              and r.stdout == "You sent no text. You sent a document.\n", repr(r.stdout + r.stderr))
        rb = subprocess.run([BIN, "ask", "--endpoint-url", url, "-"], input=b"ab\0cd", capture_output=True,
                            env=ENV, timeout=60)
        check("NUL in the prompt refused, with its offset", rb.returncode == 1 and rb.stdout == b""
              and b"bedrock: the prompt contains a NUL byte at offset 2\n" in rb.stderr, rb.stderr)
        rb = subprocess.run([BIN, "ask", "--endpoint-url", url, "-"], input=b"caf\xc3\xa9 \xff", capture_output=True,
                            env=ENV, timeout=60)
        check("invalid UTF-8 refused, with its offset", rb.returncode == 1
              and b"bedrock: the prompt is not valid UTF-8 at byte 6\n" in rb.stderr, rb.stderr)

        # ---- the exact request ----
        r, path, body = captured("ask", "--no-stream", "-s", "Be brief", "--max-tokens", "77",
                                 "--temperature", "0.5", "--top-k", "9", "--stop", "END", "--stop", "STOP",
                                 "--beta", "b1", "--beta", "b2", "--1m", "Hi")
        check("request body", r.returncode == 0 and r.stdout == "captured\n" and body == {
            "anthropic_version": "bedrock-2023-05-31", "anthropic_beta": ["b1", "b2", "context-1m-2025-08-07"],
            "max_tokens": 77, "system": "Be brief", "messages": [{"role": "user", "content": [{"type": "text", "text": "Hi"}]}],
            "temperature": 0.5, "top_k": 9, "stop_sequences": ["END", "STOP"]}, json.dumps(body))
        check("default model: Sonnet 4.5's global profile", model_of(path) == "global." + SONNET, path)
        r, path, body = captured("ask", "--no-stream", "--top-p", "0.25", "Hi")
        check("top_p and default max_tokens", body.get("top_p") == 0.25 and body.get("max_tokens") == 8192, json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "--thinking", "Hi")
        check("--thinking: default budget", body.get("thinking") == {"type": "enabled", "budget_tokens": 4096}, json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "--thinking=20000", "Hi")
        check("--thinking=BUDGET raises max_tokens", body.get("thinking") == {"type": "enabled", "budget_tokens": 20000}
              and body.get("max_tokens") == 28192, json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "-m", "opus", "--thinking", "--effort", "high", "Hi")
        check("adaptive thinking body", body.get("thinking") == {"type": "adaptive"}
              and body.get("output_config") == {"effort": "high"}
              and model_of(path) == "global.anthropic.claude-opus-4-6-v1", json.dumps(body) + str(path))
        r, path, body = captured("ask", "--no-stream", "-m", "haiku-3", "Hi")
        check("max_tokens capped by the model", body.get("max_tokens") == 4096, json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "--tools", tools, "Hi")
        check("tools body", body.get("tools") == json.load(open(tools)), json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "--converse", "-m", "amazon.nova-pro-v1:0", "-s", "Sys",
                                 "--temperature", "0.3", "--stop", "END", "--top-k", "4", "Hi")
        check("Converse body for another provider's model", r.returncode == 0 and path ==
              "/model/amazon.nova-pro-v1:0/converse" and body == {
                  "messages": [{"role": "user", "content": [{"text": "Hi"}]}], "system": [{"text": "Sys"}],
                  "inferenceConfig": {"temperature": 0.3, "stopSequences": ["END"]},
                  "additionalModelRequestFields": {"top_k": 4}}, json.dumps(body))
        r, path, body = captured("ask", "--no-stream", "--converse", "--thinking=2048", "Hi")
        check("Converse thinking", body["inferenceConfig"] == {"maxTokens": 8192} and
              body["additionalModelRequestFields"] == {"thinking": {"type": "enabled", "budget_tokens": 2048}},
              json.dumps(body))
        r = run("ask", "--endpoint-url", CAP, "-m", "amazon.nova-pro-v1:0", "Hi")
        check("another provider's model needs --converse", r.returncode == 1 and "--converse" in r.stderr, r.stderr)

        # ---- aliases resolve to the profile for the region ----
        cases = [
            ("us-east-1", "sonnet", "global." + SONNET),
            ("us-east-1", "sonnet-4.5", "global." + SONNET),
            ("us-east-1", "opus-4.1", "us.anthropic.claude-opus-4-1-20250805-v1:0"),
            ("us-west-2", "sonnet-3.7", "us.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            ("us-east-1", "haiku-3", "us.anthropic.claude-3-haiku-20240307-v1:0"),
            ("us-east-1", "sonnet-3", "anthropic.claude-3-sonnet-20240229-v1:0"),
            ("eu-west-1", "sonnet-3.7", "eu.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            ("eu-west-1", "HAIKU", "global.anthropic.claude-haiku-4-5-20251001-v1:0"),
            ("eu-central-1", "eu.sonnet-4.5", "eu." + SONNET),
            ("ap-northeast-1", "sonnet-3.7", "apac.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            ("ap-northeast-1", "jp.sonnet-4.5", "jp." + SONNET),
            ("ap-southeast-2", "sonnet-3.7", "apac.anthropic.claude-3-7-sonnet-20250219-v1:0"),
            ("us-east-1", "us." + SONNET, "us." + SONNET),
            ("us-east-1", SONNET, SONNET),
            ("us-east-1", "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us." + SONNET,
             "arn:aws:bedrock:us-east-1:123456789012:inference-profile/us." + SONNET),
        ]
        for region, alias, want in cases:
            r, path, body = captured("--region", region, "ask", "--no-stream", "-m", alias, "Hi")
            check("-m %s in %s" % (alias, region), model_of(path) == want, "%s %s" % (path, r.stderr))
        r, path, body = captured("ask", "--no-stream", "Hi", extra={"BEDROCK_MODEL": "opus-4.5"})
        check("BEDROCK_MODEL", model_of(path) == "global.anthropic.claude-opus-4-5-20251101-v1:0", path)
        r, path, body = captured("ask", "--no-stream", "-m", "haiku", "Hi", extra={"BEDROCK_MODEL": "opus-4.5"})
        check("-m wins over BEDROCK_MODEL", model_of(path) == "global.anthropic.claude-haiku-4-5-20251001-v1:0", path)
        r = run("--region", "eu-west-1", "ask", "--endpoint-url", CAP, "-m", "opus-4.1", "Hi")
        check("no profile for the region", r.returncode == 1 and "Claude Opus 4.1 has no inference profile for eu-west-1"
              in r.stderr and "us." in r.stderr, r.stderr)
        r = run("ask", "--endpoint-url", CAP, "-m", "jp.haiku-4.5", "Hi")
        check("no such geography", r.returncode == 1 and "no jp." in r.stderr, r.stderr)

        # ---- tokens ----
        r = run("tokens", "--endpoint-url", url, "Hello, world")
        check("tokens", r.returncode == 0 and r.stdout == "3\n", repr(r.stdout + r.stderr))
        r = run("tokens", "--endpoint-url", url, "-s", "two words", "-f", p("a.png"), "Hello, world")
        check("tokens: system and image count", r.stdout == "6\n", repr(r.stdout + r.stderr))
        r = run("tokens", "--endpoint-url", url, "--json", "-", stdin="Hello, world")
        check("tokens --json, stdin", r.returncode == 0 and json.loads(r.stdout) == {"inputTokens": 3}, r.stdout)
        r, path, body = captured("tokens", "-m", "sonnet", "--tools", tools, "Hi")
        inner = json.loads(base64.b64decode(body["input"]["invokeModel"]["body"])) if body else {}
        check("tokens: base model id, the ask request inside", r.stdout == "7\n" and model_of(path) == SONNET
              and path.endswith("/count-tokens") and inner.get("messages") == [
                  {"role": "user", "content": [{"type": "text", "text": "Hi"}]}] and "tools" in inner,
              "%s %s" % (path, inner))
        r = run("tokens", "--endpoint-url", url, "--usage", "x")
        check("tokens takes no --usage", r.returncode == 1 and "unknown option" in r.stderr, r.stderr)

        # ---- errors: exit codes and messages ----
        r = ask("-m", "sonet", "x")
        check("unknown model", r.returncode == 1 and "unknown model 'sonet'" in r.stderr, r.stderr)
        r = ask("--max-attempts", "1", "x [[emulate:fault=internal]]")
        check("service error exit 2", r.returncode == 2 and r.stdout == "" and
              "InternalServerException" in r.stderr and "request id" in r.stderr, r.stderr)
        r = ask("Hello [[emulate:fault=reset-after=5]] there world")
        check("cut stream: partial answer kept, exit 3", r.returncode == 3 and r.stdout.startswith("You said")
              and r.stdout.endswith("\n"), repr((r.stdout, r.stderr)))
        r = ask("Hello [[emulate:fault=stream-exception=throttlingException]]", "--max-attempts", "1")
        check("in-stream exception exit 2", r.returncode == 2 and "ThrottlingException" in r.stderr, r.stderr)
        check("an error before any text: nothing on stdout, not a lone newline", r.stdout == "", repr(r.stdout))
        r = ask("--converse", "Hello [[emulate:fault=stream-exception=throttlingException]]", "--max-attempts", "1")
        check("--converse: the text before the error, one newline", r.returncode == 2
              and r.stdout.startswith("You") and r.stdout.endswith("\n") and not r.stdout.endswith("\n\n"),
              repr((r.stdout, r.stderr)))

        # Ctrl-C: the part that arrived, ending in exactly one newline; 130.
        for extra in ([], ["--converse"]):
            proc = subprocess.Popen([BIN, "ask", "--endpoint-url", url] + extra +
                                    ["Tell me [[emulate:fault=slow=300]] about ten small robots"],
                                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=ENV)
            got, end = b"", time.time() + 20
            while b"You said: Tell" not in got and time.time() < end:
                if select.select([proc.stdout], [], [], 1)[0]:
                    chunk = os.read(proc.stdout.fileno(), 4096)
                    if not chunk:
                        break
                    got += chunk
            proc.send_signal(signal.SIGINT)
            try:
                rest, err = proc.communicate(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
                rest, err = proc.communicate()
            out = got + rest
            check("Ctrl-C %s: the partial answer ends with one newline, exit 130" % extra, proc.returncode == 130
                  and out.startswith(b"You said: Tell") and out.endswith(b"\n") and not out.endswith(b"\n\n")
                  and b"robots" not in out, repr((proc.returncode, out, err)))
        r = ask("-m", SONNET, "x")
        check("on-demand base id: exit 2", r.returncode == 2 and "on-demand throughput" in r.stderr, r.stderr)
        r = run("ask", "--endpoint-url", "http://127.0.0.1:1", "--max-attempts", "1", "x")
        check("network error exit 3", r.returncode == 3, r.stderr)
        r = ask("x", extra={"AWS_REGION": ""})
        check("no region exit 4", r.returncode == 4, r.stderr)
        r = ask("--bogus", "x")
        check("unknown option", r.returncode == 1 and "--bogus" in r.stderr, r.stderr)
        r = ask("--max-tokens")
        check("missing value", r.returncode == 1 and "needs a value" in r.stderr, r.stderr)

        # ---- model text is untrusted: on a terminal controls are shown, not obeyed ----
        r = ask(EVIL)
        check("a pipe gets the answer byte for byte", r.returncode == 0 and r.stdout == "You said: " + EVIL + "\n",
              repr(r.stdout))
        rc, out = run_tty([BIN, "ask", "--endpoint-url", url, EVIL], ENV)
        check("a terminal gets the controls shown", rc == 0 and out == b"You said: " + EVIL_SHOWN + b"\r\n", repr(out))
        for opts in (["--no-stream"], ["--converse"], ["--converse", "--no-stream"], ["--json"]):
            rc, out = run_tty([BIN, "ask", "--endpoint-url", url] + opts + [EVIL], ENV)
            check("a terminal, %s: no control gets through" % opts, rc == 0 and b"\x1b" not in out
                  and b"\x07" not in out and b"\x7f" not in out and b"\xc2\x9b" not in out
                  and b"<U+009B>31m" in out, repr(out))
        rc, out = run_tty([BIN, "ask", "--endpoint-url", CAP, "--max-attempts", "1", "-m", "anthropic.evil", "x"], ENV)
        check("a service error's text on a terminal", rc == 2 and b"ValidationException: " + EVIL_SHOWN in out
              and b"\x1b" not in out, repr(out))
        r = run("ask", "--endpoint-url", CAP, "--max-attempts", "1", "-m", "anthropic.evil", "x")
        check("a service error's text to a pipe, exact", r.returncode == 2 and EVIL in r.stderr, repr(r.stderr))

        # ---- --emulate: no account, no credentials, no network ----
        bare = {"PATH": ENV["PATH"], "HOME": d}
        r = subprocess.run([BIN, "--emulate", "ask", "Hello, world"], capture_output=True, text=True,
                           env=bare, timeout=60)
        check("--emulate ask", r.returncode == 0 and r.stdout == "You said: Hello, world\n", r.stderr)
        r = subprocess.run([BIN, "--emulate", "--region", "eu-west-1", "ask", "-m", "sonnet-3.7", "--usage", "Hi"],
                           capture_output=True, text=True, env=bare, timeout=60)
        check("--emulate in eu-west-1: the eu. profile is accepted", r.returncode == 0
              and r.stdout == "You said: Hi\n" and "tokens: input 1" in r.stderr, r.stderr)
        r = subprocess.run([BIN, "--emulate", "tokens", "-s", "Be brief", "Hello, world"], capture_output=True,
                           text=True, env=bare, timeout=60)
        check("--emulate tokens", r.returncode == 0 and r.stdout == "5\n", r.stdout + r.stderr)
        r = subprocess.run([BIN, "--emulate", "ask", "-m", SONNET, "Hi"], capture_output=True, text=True,
                           env=bare, timeout=60)
        check("on-demand error names the profile to use", r.returncode == 2 and
              "bedrock: hint: Claude Sonnet 4.5 is called through an inference profile: use -m global." + SONNET
              in r.stderr, r.stderr)

        # ---- help ----
        for cmd in ("ask", "chat", "tokens"):
            r = run(cmd, "--help")
            check("%s --help" % cmd, r.returncode == 0 and r.stdout.startswith("usage: bedrock " + cmd)
                  and "--model" in r.stdout, r.stdout[:200])
        r = run("--help")
        check("usage lists ask, chat, tokens", all(" %s " % c in r.stdout for c in ("ask", "chat", "tokens")), r.stdout)
    finally:
        emu.terminate()
        emu.wait(timeout=10)
        srv.shutdown()
        tmp.cleanup()
    sys.exit(summary())


if __name__ == "__main__":
    main()
