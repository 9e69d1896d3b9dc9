#!/usr/bin/env python3
"""Contract tests for `bedrock debug eventstream`.

usage: test_debug_eventstream.py BEDROCK_BINARY VECTORS_DIR
"""
import base64
import json
import os
import struct
import subprocess
import sys
import tempfile
import zlib
from ptyrun import run_tty

BIN, VECTORS = sys.argv[1], sys.argv[2]
TYPE_NAMES = ["bool", "bool", "byte", "short", "integer", "long", "bytes", "string",
              "timestamp", "uuid"]
DEMO = ("newrelic__invoke_stream__anthropic.claude-3-sonnet-20240229-v1_3A0__"
        "What_is_212_degrees_Fahrenheit_converted")

passed = failed = 0


def check(cond, what):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print("FAIL:", what)
    return cond


def run(args, stdin=None):
    p = subprocess.run([BIN, "debug", "eventstream"] + args, input=stdin,
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=60)
    return p.returncode, p.stdout.decode("utf-8"), p.stderr.decode("utf-8")


def frame(headers, payload):
    """Encodes one event-stream message; headers = [(name, type, value)]."""
    hb = b""
    for name, t, v in headers:
        n = name.encode() if isinstance(name, str) else name
        hb += bytes([len(n)]) + n + bytes([t])
        if t in (6, 7):
            v = v.encode() if isinstance(v, str) else v
            hb += struct.pack(">H", len(v)) + v
        elif t == 4:
            hb += struct.pack(">i", v)
    total = 16 + len(hb) + len(payload)
    prelude = struct.pack(">II", total, len(hb))
    prelude += struct.pack(">I", zlib.crc32(prelude))
    body = prelude + hb + payload
    return body + struct.pack(">I", zlib.crc32(body))


def frame_starts(data):
    starts, off = [], 0
    while off < len(data):
        starts.append(off)
        off += struct.unpack(">I", data[off:off + 4])[0]
    return starts


def uuid_hex(raw):
    h = raw.hex()
    return "-".join([h[0:8], h[8:12], h[12:16], h[16:20], h[20:32]])


def expected_value(t, v, b64_strings):
    if t == 7 and b64_strings:
        return base64.b64decode(v).decode("utf-8")
    if t == 9:
        return uuid_hex(base64.b64decode(v))
    return v


def compare_headers(name, got, want_items, b64_strings):
    ok = check(set(got) == {n for n, _, _ in want_items}, "%s: header names %s" % (name, sorted(got)))
    for hname, t, v in want_items:
        if hname not in got:
            continue
        ok &= check(got[hname] == {"type": TYPE_NAMES[t], "value": expected_value(t, v, b64_strings)},
                    "%s: header %s = %r" % (name, hname, got[hname]))
    return ok


def test_recorded_streams():
    root = os.path.join(VECTORS, "bedrock")
    count = 0
    for d in sorted(os.listdir(root)):
        exp_path = os.path.join(root, d, "expected.json")
        if d == "negative" or not os.path.exists(exp_path):
            continue
        count += 1
        want = json.load(open(exp_path))
        body = os.path.join(root, d, "response.body")
        rc, out, err = run([body])
        check(rc == 0 and err == "", "%s: exit %d, stderr %r" % (d, rc, err))
        lines = out.splitlines()
        frames = want["frames"]
        check(len(lines) == len(frames), "%s: %d lines for %d frames" % (d, len(lines), len(frames)))
        for i, (line, f) in enumerate(zip(lines, frames)):
            got = json.loads(line)
            name = "%s frame %d" % (d, i)
            compare_headers(name, got["headers"],
                            [(k, v["type"], v["value"]) for k, v in f["headers"].items()], False)
            payload = base64.b64decode(got["payload"])
            if "payload_json" in f:
                check(json.loads(payload) == f["payload_json"], name + ": payload")
                check(got.get("json") == f["payload_json"], name + ": json")
            else:
                check(payload == base64.b64decode(f["payload_base64"]), name + ": payload bytes")
            if "event" in f:
                check(got.get("event") == f["event"], name + ": event")
            else:
                check("event" not in got, name + ": unexpected event")
        rc, out, err = run(["--text", body])
        check(rc == 0 and out == want["final_text"] + "\n",
              "%s --text: exit %d, %r" % (d, rc, out[:80]))
    check(count == 12, "found %d recorded streams" % count)


def test_eventstream_vectors():
    root = os.path.join(VECTORS, "eventstream")
    for name in sorted(os.listdir(os.path.join(root, "decoded", "positive"))):
        want = json.load(open(os.path.join(root, "decoded", "positive", name)))
        rc, out, err = run([os.path.join(root, "encoded", "positive", name)])
        lines = out.splitlines()
        if not check(rc == 0 and len(lines) == 1, "vector %s: exit %d, %d lines" % (name, rc, len(lines))):
            continue
        got = json.loads(lines[0])
        compare_headers("vector " + name, got["headers"],
                        [(h["name"], h["type"], h["value"]) for h in want["headers"]], True)
        check(got["payload"] == want["payload"], "vector %s: payload" % name)
        check("json" not in got and "event" not in got, "vector %s: no json/event" % name)
    for name in sorted(os.listdir(os.path.join(root, "decoded", "negative"))):
        expect = open(os.path.join(root, "decoded", "negative", name)).read().strip()
        which = "prelude CRC mismatch" if expect.startswith("Prelude") else "message CRC mismatch"
        rc, out, err = run([os.path.join(root, "encoded", "negative", name)])
        check(rc == 1 and out == "", "negative %s: exit %d, stdout %r" % (name, rc, out))
        check(err.count("\n") == 1 and which in err and "offset 0" in err,
              "negative %s: stderr %r" % (name, err))


def demo_bytes():
    return open(os.path.join(VECTORS, "bedrock", DEMO, "response.body"), "rb").read()


def write_tmp(data):
    fd, path = tempfile.mkstemp(prefix="bedrock-es-")
    os.write(fd, data)
    os.close(fd)
    return path


def test_truncated_and_corrupt():
    data = demo_bytes()
    starts = frame_starts(data)
    _, full_out, _ = run([os.path.join(VECTORS, "bedrock", DEMO, "response.body")])
    full = full_out.splitlines()

    cut = starts[3] + 20
    path = write_tmp(data[:cut])
    try:
        rc, out, err = run([path])
        check(rc == 1, "truncated: exit %d" % rc)
        check(out.splitlines() == full[:3], "truncated: the 3 whole messages are printed")
        check(err.count("\n") == 1 and "stream ended mid-frame" in err and
              "offset %d" % starts[3] in err, "truncated: stderr %r" % err)
        rc, out, err = run(["--text", path])
        check(rc == 1 and out == "212 degrees\n", "truncated --text: %d %r" % (rc, out))
    finally:
        os.unlink(path)

    bad = bytearray(data)
    bad[starts[1] + 100] ^= 0x20
    path = write_tmp(bytes(bad))
    try:
        rc, out, err = run([path])
        check(rc == 1, "corrupt: exit %d" % rc)
        check(out.splitlines() == full[:1], "corrupt: the first message is printed")
        check(err.count("\n") == 1 and "message CRC mismatch" in err and
              "offset %d" % starts[1] in err, "corrupt: stderr %r" % err)
    finally:
        os.unlink(path)

    # A bad prelude in the third frame.
    bad = bytearray(data)
    bad[starts[2] + 2] ^= 0x01
    path = write_tmp(bytes(bad))
    try:
        rc, out, err = run([path])
        check(rc == 1 and out.splitlines() == full[:2], "bad prelude: exit %d" % rc)
        check("prelude CRC mismatch" in err and "offset %d" % starts[2] in err,
              "bad prelude: stderr %r" % err)
    finally:
        os.unlink(path)


def test_stdin_and_errors():
    data = demo_bytes()
    path = os.path.join(VECTORS, "bedrock", DEMO, "response.body")
    _, from_file, _ = run([path])
    rc, out, err = run(["-"], stdin=data)
    check(rc == 0 and out == from_file and out != "", "stdin '-': exit %d" % rc)
    rc, out, err = run([], stdin=data)
    check(rc == 0 and out == from_file, "stdin default: exit %d" % rc)
    rc, out, err = run(["--text", "-"], stdin=data)
    check(rc == 0 and out.startswith("212 degrees Fahrenheit"), "stdin --text: %r" % out[:40])
    rc, out, err = run(["-"], stdin=b"")
    check(rc == 0 and out == "", "empty input: exit %d %r" % (rc, out))

    missing = os.path.join(VECTORS, "no-such-file.body")
    rc, out, err = run([missing])
    check(rc == 1 and out == "" and missing in err and "No such file" in err,
          "missing file: exit %d, %r" % (rc, err))
    rc, out, err = run(["--bogus"])
    check(rc != 0 and "--bogus" in err, "unknown option: exit %d" % rc)


def test_exceptions_and_big_frames():
    common = [(":content-type", 7, "application/json")]
    data = frame([(":message-type", 7, "event"), (":event-type", 7, "chunk")] + common,
                 json.dumps({"bytes": base64.b64encode(json.dumps(
                     {"type": "content_block_delta", "index": 0,
                      "delta": {"type": "text_delta", "text": "Hi"}}).encode()).decode()}).encode())
    data += frame([(":message-type", 7, "exception"),
                   (":exception-type", 7, "throttlingException")] + common,
                  b'{"message":"Too many requests"}')
    data += frame([(":message-type", 7, "error"), (":error-code", 7, "InternalFailure"),
                   (":error-message", 7, "boom"), ("n", 4, -5)], b"")
    big = b"x" * 200000  # larger than the CLI's read chunk
    data += frame([(":message-type", 7, "event"), (":event-type", 7, "blob")], big)
    rc, out, err = run(["-"], stdin=data)
    lines = out.splitlines()
    check(rc == 0 and len(lines) == 4, "exceptions: exit %d, %d lines, %r" % (rc, len(lines), err))
    if len(lines) == 4:
        e = json.loads(lines[1])
        check(e["headers"][":exception-type"]["value"] == "throttlingException" and
              e["json"] == {"message": "Too many requests"} and "event" not in e,
              "exception frame printed: %r" % e)
        e = json.loads(lines[2])
        check(e["headers"]["n"] == {"type": "integer", "value": -5} and e["payload"] == "",
              "error frame printed: %r" % e)
        e = json.loads(lines[3])
        check(base64.b64decode(e["payload"]) == big and "json" not in e, "big frame payload")
    rc, out, err = run(["--text", "-"], stdin=data)
    check(rc == 0 and out == "Hi\n", "exceptions --text: %d %r" % (rc, out))

    # A well-framed chunk whose "bytes" is not base64: the frames before it
    # are printed, then one stderr line naming the chunk's offset.
    first = frame([(":message-type", 7, "event"), (":event-type", 7, "chunk")] + common,
                  b'{"bytes":"e30="}')
    bad = frame([(":message-type", 7, "event"), (":event-type", 7, "chunk")] + common,
                b'{"bytes":"not base64!"}')
    rc, out, err = run(["-"], stdin=first + bad)
    check(rc == 1 and len(out.splitlines()) == 1 and json.loads(out)["event"] == {},
          "bad chunk: exit %d, %r" % (rc, out))
    check(err.count("\n") == 1 and "base64" in err and "offset %d" % len(first) in err,
          "bad chunk: stderr %r" % err)


def test_text_on_a_terminal():
    """--text: the model's text reaches a terminal with its controls shown
    (retitle, clear, OSC 52, C1 CSI, DEL), a pipe byte for byte."""
    evil = "\x1b]2;PWNED\x07 \x1b[2J \x1b]52;c;cm0K\x07 \u009b31m \x7f"
    common = [(":message-type", 7, "event"), (":event-type", 7, "chunk"), (":content-type", 7, "application/json")]
    data = b"".join(frame(common, json.dumps({"bytes": base64.b64encode(json.dumps(
        {"type": "content_block_delta", "index": 0,
         "delta": {"type": "text_delta", "text": t}}).encode()).decode()}).encode()) for t in ("Hi ", evil))
    with tempfile.NamedTemporaryFile(suffix=".body", delete=False) as f:
        f.write(data)
    try:
        rc, out, err = run(["--text", f.name])
        check(rc == 0 and out == "Hi " + evil + "\n", "--text to a pipe: %d %r" % (rc, out))
        rc, out = run_tty([BIN, "debug", "eventstream", "--text", f.name], dict(os.environ))
        check(rc == 0 and out == b"Hi ^[]2;PWNED^G ^[[2J ^[]52;c;cm0K^G <U+009B>31m ^?\r\n",
              "--text on a terminal: %d %r" % (rc, out))
    finally:
        os.unlink(f.name)


def test_not_utf8():
    """String headers and payloads that are not UTF-8 still give valid JSON:
    the bad bytes as \\xNN, the exact ones in name_base64/value_base64."""
    data = frame([(":message-type", 7, "event"), (b"bad\xffname", 7, "ok"),
                  ("v", 7, b"caf\xc3\xa9 \xc3( \xed\xa0\x80 \x00end"), (":event-type", 7, "x")],
                 b'{"text":"\xff\xfe"}')
    p = subprocess.run([BIN, "debug", "eventstream", "-"], input=data, stdout=subprocess.PIPE,
                       stderr=subprocess.PIPE, timeout=60)
    try:
        e = json.loads(p.stdout.decode("utf-8", errors="strict"))
    except ValueError as exc:
        check(False, "not UTF-8: the output is not valid JSON: %r (%r)" % (p.stdout, exc))
        return
    check(p.returncode == 0, "not UTF-8: exit %d %r" % (p.returncode, p.stderr))
    h = e["headers"]
    check(h.get("bad\\xffname") == {"type": "string", "value": "ok",
                                     "name_base64": base64.b64encode(b"bad\xffname").decode()},
          "not UTF-8: a header name: %r" % h)
    check(h["v"]["value"] == "caf\u00e9 \\xc3( \\xed\\xa0\\x80 \\x00end" and
          base64.b64decode(h["v"]["value_base64"]) == b"caf\xc3\xa9 \xc3( \xed\xa0\x80 \x00end",
          "not UTF-8: a string value: %r" % h["v"])
    check(h[":event-type"] == {"type": "string", "value": "x"}, "UTF-8 headers unchanged")
    check("json" not in e and base64.b64decode(e["payload"]) == b'{"text":"\xff\xfe"}',
          "not UTF-8: the payload is base64 only: %r" % e)


for t in (test_recorded_streams, test_eventstream_vectors, test_truncated_and_corrupt,
          test_stdin_and_errors, test_exceptions_and_big_frames, test_text_on_a_terminal,
          test_not_utf8):
    try:
        t()
    except Exception as e:  # a crash in one group must not hide the others
        check(False, "%s raised %r" % (t.__name__, e))

print("%d passed, %d failed" % (passed, failed))
sys.exit(1 if failed else 0)
