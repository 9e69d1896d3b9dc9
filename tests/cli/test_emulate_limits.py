#!/usr/bin/env python3
"""`bedrock emulate` under hostile clients, on both protocols: requests
without credentials refused before their body is read, the body budget
(--max-buffered) with the emulator's memory measured, the idle and request
deadlines (--idle-timeout, --request-timeout) against silent and trickling
clients, the connection limit (--max-connections), 400 for control bytes
and ambiguous framing (once, then close), and an access log that shows
control bytes escaped. Only 127.0.0.1; every emulator is stopped.
Usage: test_emulate_limits.py BEDROCK_BINARY VECTORS_DIR"""
import os
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time
from checks import check, summary

BIN = sys.argv[1]
INVOKE = b"/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke"


class Server:
    """`bedrock emulate` on a free port, its access log in a file."""

    def __init__(self, *extra):
        self.logf = tempfile.TemporaryFile(mode="w+b")
        # Under ASan, freed bodies would sit in its quarantine and count as
        # RSS: measure what the emulator holds, not what ASan keeps.
        env = dict(os.environ, ASAN_OPTIONS=(os.environ.get("ASAN_OPTIONS", "") +
                                             ":quarantine_size_mb=0").lstrip(":"))
        self.p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0"] + list(extra),
                                  stdout=subprocess.PIPE, stderr=self.logf, env=env)
        line = self.p.stdout.readline().decode().strip()
        if not line.startswith("listening on http://127.0.0.1:"):
            self.p.kill()
            raise SystemExit("bad first line: %r" % line)
        self.port = int(line.rsplit(":", 1)[1])

    def connect(self, timeout=5.0):
        return socket.create_connection(("127.0.0.1", self.port), timeout=timeout)

    def rss_kib(self, field="VmRSS"):
        """Resident memory now, or with field="VmHWM" its peak so far."""
        with open("/proc/%d/status" % self.p.pid) as f:
            for line in f:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
        return 0

    def cpu_ticks(self):
        f = open("/proc/%d/stat" % self.p.pid).read().rsplit(")", 1)[1].split()
        return int(f[11]) + int(f[12])

    def log(self):
        self.logf.seek(0)
        return self.logf.read()

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
            try:
                return self.p.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait()
        return self.p.returncode


def read_until_close(s, limit=5.0):
    """Everything until the peer closes (or limit seconds pass): (bytes, closed)."""
    out, end = b"", time.monotonic() + limit
    while time.monotonic() < end:
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            return out, False
        except OSError:
            return out, True
        if not b:
            return out, True
        out += b
    return out, False


def read_response(s, limit=5.0):
    """One HTTP/1.1 response head and a Content-Length body, or what came."""
    out, end = b"", time.monotonic() + limit
    while time.monotonic() < end:
        if b"\r\n\r\n" in out:
            head, _, body = out.partition(b"\r\n\r\n")
            n = 0
            for line in head.split(b"\r\n"):
                if line.lower().startswith(b"content-length:"):
                    n = int(line.split(b":")[1])
            if len(body) >= n:
                return out
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            b = s.recv(65536)
        except OSError:
            break
        if not b:
            break
        out += b
    return out


def closed_within(s, seconds):
    """Seconds until the peer closed, or None if it had not by then."""
    t0 = time.monotonic()
    _, closed = read_until_close(s, seconds)
    return time.monotonic() - t0 if closed else None


# ---- a little HTTP/2 client (prior knowledge, no Huffman) -------------------

PREFACE = b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"


def frame(ftype, flags, sid, payload=b""):
    return struct.pack(">I", len(payload))[1:] + bytes([ftype, flags]) + struct.pack(">I", sid) + payload


def hpack_int(n, prefix):
    top = (1 << prefix) - 1
    if n < top:
        return bytes([n])
    out, n = [top], n - top
    while n >= 128:
        out.append(n % 128 + 128)
        n //= 128
    return bytes(out + [n])


def hpack(headers):
    """Literal header fields without indexing, raw strings."""
    out = b""
    for k, v in headers:
        out += b"\x00" + hpack_int(len(k), 7) + k + hpack_int(len(v), 7) + v
    return out


def h2_headers(sid, headers, end_stream):
    return frame(1, 0x4 | (0x1 if end_stream else 0), sid, hpack(headers))


def h2_frames(s, limit=5.0, until=None):
    """Reads frames (type, flags, stream, payload) until close, limit, or
    until(frames) is true. Also returns whether the peer closed."""
    buf, frames, end = b"", [], time.monotonic() + limit
    while time.monotonic() < end:
        while len(buf) >= 9:
            n = int.from_bytes(buf[:3], "big")
            if len(buf) < 9 + n:
                break
            frames.append((buf[3], buf[4], int.from_bytes(buf[5:9], "big") & 0x7fffffff, buf[9:9 + n]))
            buf = buf[9 + n:]
        if until and until(frames):
            return frames, False
        s.settimeout(max(0.05, end - time.monotonic()))
        try:
            b = s.recv(65536)
        except socket.timeout:
            return frames, False
        except OSError:
            return frames, True
        if not b:
            return frames, True
        buf += b
    return frames, False


def h2_open(srv):
    s = srv.connect()
    s.sendall(PREFACE + frame(4, 0, 0))
    return s


def post_head(path=INVOKE, length=26000000, extra=b""):
    return (b"POST " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
            b"Content-Length: %d\r\n" % length + extra + b"\r\n")


# ---- M8: no credentials, no buffering -----------------------------------------

def refused_before_body(srv):
    """Sixty clients announce 26 MB bodies without (or with malformed)
    credentials; each is answered 403 after a 64 KiB start, and pushing
    megabytes more changes nothing: the emulator holds none of it."""
    base = srv.rss_kib()
    n, early = 60, []
    socks = []
    for i in range(n):
        s = srv.connect()
        auth = b"" if i % 2 else b"Authorization: AWS4-HMAC-SHA256 nonsense\r\n"
        s.sendall(post_head(extra=auth) + b"x" * 65536)
        socks.append(s)
    for s in socks:
        early.append(read_response(s, 3.0))
    ok = [r for r in early if r.startswith(b"HTTP/1.1 403") and
          (b"MissingAuthenticationTokenException" in r or b"IncompleteSignatureException" in r)]
    check("h1: %d unauthenticated 26 MB bodies answered 403 before the body" % n,
          len(ok) == n, [r[:120] for r in early if r not in ok][:3])

    # Keep pushing: the emulator must not read and keep it.
    def push(s):
        try:
            s.settimeout(2.0)
            for _ in range(25):
                s.sendall(b"y" * (1 << 20))
        except OSError:
            pass
    ts = [threading.Thread(target=push, args=(s,)) for s in socks]
    for t in ts:
        t.start()
    for t in ts:
        t.join(10)
    for s in socks:
        s.close()
    grown = (srv.rss_kib("VmHWM") - base) // 1024
    check("h1: peak RSS stays bounded (grew %d MiB for 60 refused 26 MB bodies)" % grown, grown < 48,
          grown)

    # HTTP/2: HEADERS without END_STREAM, no credentials: the answer comes
    # before any DATA is sent, then RST_STREAM(NO_ERROR) asks it to stop.
    s = h2_open(srv)
    s.sendall(h2_headers(1, [(b":method", b"POST"), (b":scheme", b"http"), (b":path", INVOKE),
                             (b":authority", b"127.0.0.1"), (b"content-length", b"26000000")], False))
    frames, _ = h2_frames(s, 3.0, until=lambda fs: any(f[0] == 3 and f[2] == 1 for f in fs))
    data = b"".join(f[3] for f in frames if f[0] == 0 and f[2] == 1)
    rst = [f for f in frames if f[0] == 3 and f[2] == 1]
    check("h2: no credentials answered before the body", b"Missing Authentication Token" in data,
          frames)
    check("h2: then RST_STREAM(NO_ERROR)", rst and rst[0][3] == b"\0\0\0\0", rst)
    s.close()


def budget(tmp):
    """With --max-buffered 16 MB, twelve authenticated clients sending 8 MB
    each: some are refused 503 ServiceUnavailableException (the others get
    the handler's 400 for a body that is not JSON), and memory stays near
    the budget instead of 96 MB and more."""
    srv = Server("--quiet", "--bearer", "k", "--max-buffered", "16000000")
    try:
        base = srv.rss_kib()
        n, size = 12, 8 << 20
        socks = []
        for _ in range(n):
            s = srv.connect(10)
            s.sendall(post_head(length=size, extra=b"Authorization: Bearer k\r\n"))
            socks.append(s)
        results = [None] * n

        def push(i):
            try:
                for _ in range(8):
                    socks[i].sendall(b"z" * (1 << 20))
            except OSError:
                pass

        def answer(i):
            # Read while sending: a refusal closes, and a reset would lose it.
            results[i] = read_response(socks[i], 8.0)

        ts = [threading.Thread(target=f, args=(i,)) for i in range(n) for f in (push, answer)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(20)
        peak = (srv.rss_kib("VmHWM") - base) // 1024
        busy = [r for r in results if r and r.startswith(b"HTTP/1.1 503")]
        check("budget: some bodies refused 503", 0 < len(busy) < n, [r and r[:60] for r in results])
        check("budget: 503 in Bedrock's shape", busy and
              b"x-amzn-ErrorType: ServiceUnavailableException" in busy[0] and
              b'{"message":"' in busy[0], busy[:1])
        check("budget: peak RSS near the budget (grew %d MiB for 96 MB sent)" % peak, peak < 56, peak)
        for s in socks:
            s.close()
        # The budget comes back: a body fits again.
        time.sleep(0.3)
        s = srv.connect()
        s.sendall(post_head(length=5, extra=b"Authorization: Bearer k\r\n") + b"{bad}")
        r = read_response(s)
        check("budget: given back when bodies go", r.startswith(b"HTTP/1.1 400"), r[:200])
        s.close()
    finally:
        srv.stop()


# ---- L26: deadlines and the connection limit -------------------------------------

def deadlines():
    srv = Server("--network-test", "--idle-timeout", "1", "--request-timeout", "2")
    try:
        s = srv.connect()
        took = closed_within(s, 4)
        check("h1: silent connection closed at the idle time", took is not None and took < 2.5, took)
        s.close()

        # A head that stops halfway waits without spinning the loop.
        s = srv.connect()
        s.sendall(b"GET /__health HTTP/1.1\r\nHost: x\r\n")
        time.sleep(0.2)
        t0 = srv.cpu_ticks()
        time.sleep(1.0)
        spent = srv.cpu_ticks() - t0
        check("h1: a half head waits without burning CPU (%d ticks in 1 s)" % spent, spent < 15, spent)
        s.close()

        # A request line, then a byte every 0.4 s: never idle, but late.
        s = srv.connect()
        s.sendall(b"GET /__health HTTP/1.1\r\n")
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 5:
            try:
                s.sendall(b"X")
                s.settimeout(0.4)
                if s.recv(100) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        check("h1: trickled head cut at the request time", closed and time.monotonic() - t0 < 3.5,
              time.monotonic() - t0)
        s.close()

        # A body trickled a byte at a time after the head.
        s = srv.connect()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n")
        t0 = time.monotonic()
        closed = False
        while time.monotonic() - t0 < 5:
            try:
                s.sendall(b"b")
                s.settimeout(0.4)
                if s.recv(100) == b"":
                    closed = True
                    break
            except socket.timeout:
                continue
            except OSError:
                closed = True
                break
        check("h1: trickled body cut at the request time", closed and time.monotonic() - t0 < 3.5,
              time.monotonic() - t0)
        s.close()

        # Keep-alive: idle after an answer is idle.
        s = srv.connect()
        s.sendall(b"GET /__health HTTP/1.1\r\nHost: x\r\n\r\n")
        r = read_response(s)
        took = closed_within(s, 4)
        check("h1: keep-alive connection closed at the idle time",
              r.startswith(b"HTTP/1.1 200") and took is not None and took < 2.5, (r[:40], took))
        s.close()

        # HTTP/2 after the preface, silent.
        s = h2_open(srv)
        _, closed = h2_frames(s, 4)
        check("h2: idle connection after the preface closed", closed)
        s.close()

        # HTTP/2 with a PING every 0.3 s and no stream: still idle.
        s = h2_open(srv)
        t0, closed = time.monotonic(), False
        while time.monotonic() - t0 < 4 and not closed:
            try:
                s.sendall(frame(6, 0, 0, b"12345678"))
            except OSError:
                closed = True
                break
            _, closed = h2_frames(s, 0.3)
        check("h2: PINGs do not keep a streamless connection", closed and time.monotonic() - t0 < 3,
              time.monotonic() - t0)
        s.close()

        # HTTP/2 stream whose body trickles: 408, then the stream is reset.
        s = h2_open(srv)
        s.sendall(h2_headers(1, [(b":method", b"POST"), (b":scheme", b"http"), (b":path", b"/echo"),
                                 (b":authority", b"x")], False))
        t0, got = time.monotonic(), []
        while time.monotonic() - t0 < 5:
            s.sendall(frame(0, 0, 1, b"d"))
            fs, closed = h2_frames(s, 0.4)
            got += fs
            if closed or any(f[0] == 3 and f[2] == 1 for f in got):
                break
        heads = [f for f in got if f[0] == 1 and f[2] == 1]
        rst = [f for f in got if f[0] == 3 and f[2] == 1]
        check("h2: trickled body answered and reset at the request time",
              heads and rst and time.monotonic() - t0 < 3.5, (time.monotonic() - t0, got[:6]))
        s.close()
    finally:
        srv.stop()


def connection_limit():
    srv = Server("--network-test", "--max-connections", "5")
    try:
        held = [srv.connect() for _ in range(5)]
        time.sleep(0.3)
        extra = srv.connect()
        took = closed_within(extra, 2)
        check("the connection over --max-connections is closed at once", took is not None and took < 1,
              took)
        extra.close()
        for s in held:
            s.close()
        time.sleep(0.5)
        s = srv.connect()
        s.sendall(b"GET /__health HTTP/1.1\r\nHost: x\r\n\r\n")
        r = read_response(s)
        check("served again once under the limit", r.startswith(b"HTTP/1.1 200"), r[:60])
        s.close()
        check("the limit is said on stderr", b"--max-connections" in srv.log(), srv.log()[-300:])
    finally:
        srv.stop()


# ---- L25 and L27: request lines and framing ----------------------------------

def one_400_and_close(srv, name, data):
    s = srv.connect()
    s.sendall(data)
    out, closed = read_until_close(s, 3)
    s.close()
    check(name + ": one 400, then close",
          out.startswith(b"HTTP/1.1 400") and out.count(b"HTTP/1.1") == 1 and closed, out[:300])


def framing_and_targets():
    srv = Server("--network-test")
    try:
        one_400_and_close(srv, "Content-Length: -1",
                          b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n")
        one_400_and_close(srv, "two different Content-Lengths",
                          b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                          b"Content-Length: 5\r\n\r\nabcde")
        one_400_and_close(srv, "Content-Length with chunked",
                          b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n")
        one_400_and_close(srv, "escape sequence in the target",
                          b"GET /__health\x1b[31mred HTTP/1.1\r\nHost: x\r\n\r\n")
        one_400_and_close(srv, "space in the target", b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n")
        # The same on a kept-alive connection (after a good request).
        for name, bad in (("keep-alive: two Content-Lengths",
                           b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n"
                           b"Content-Length: 4\r\n\r\nabcd"),
                          ("keep-alive: control byte in the target",
                           b"GET /__health\x07 HTTP/1.1\r\nHost: x\r\n\r\n")):
            s = srv.connect()
            s.sendall(b"GET /__health HTTP/1.1\r\nHost: x\r\n\r\n")
            first = read_response(s)
            s.sendall(bad)
            out, closed = read_until_close(s, 3)
            check(name + ": 400 and close", first.startswith(b"HTTP/1.1 200") and
                  out.startswith(b"HTTP/1.1 400") and out.count(b"HTTP/1.1") == 1 and closed,
                  (first[:40], out[:200]))
            s.close()
        # Identical duplicates are one length (RFC 9112 6.3 allows it).
        s = srv.connect()
        s.sendall(b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc")
        r = read_response(s)
        check("two equal Content-Lengths: served", r.startswith(b"HTTP/1.1 200") and r.endswith(b"abc"),
              r[:200])
        s.close()
        # HTTP/2 :path with a control byte.
        s = h2_open(srv)
        s.sendall(h2_headers(1, [(b":method", b"GET"), (b":scheme", b"http"),
                                 (b":path", b"/__health\x1b[2J"), (b":authority", b"x")], True))
        frames, _ = h2_frames(s, 2, until=lambda fs: any(f[0] in (1, 3) and f[2] == 1 for f in fs))
        check("h2: control byte in :path refused", any(f[0] in (1, 3) and f[2] == 1 for f in frames)
              and not any(f[0] == 0 and f[2] == 1 and b"ok" in f[3] for f in frames), frames)
        s.close()
        time.sleep(0.3)
        log = srv.log()
        check("access log shows the escape escaped", b"/__health\\x1b[31mred 400" in log, log[-600:])
        check("access log has no raw control byte",
              not any(c < 0x20 and c != 0x0a for c in log), [l for l in log.splitlines() if b"\x1b" in l])
    finally:
        srv.stop()

    # The model's text (a prompt with escapes) never reaches the log raw.
    srv = Server("--bearer", "k")
    try:
        s = srv.connect()
        body = b'{"anthropic_version":"bedrock-2023-05-31","max_tokens":20,' \
               b'"messages":[{"role":"user","content":"\\u001b[2J\\u001b]0;pwned\\u0007"}]}'
        s.sendall(post_head(length=len(body), extra=b"Authorization: Bearer k\r\n") + body)
        r = read_response(s)
        s.close()
        time.sleep(0.2)
        log = srv.log()
        check("prompt with escapes answered", r.startswith(b"HTTP/1.1 200"), r[:100])
        check("no raw control byte in the log after a prompt with escapes",
              log and not any(c < 0x20 and c != 0x0a for c in log), log[-300:])
    finally:
        srv.stop()


def main():
    tmp = tempfile.mkdtemp(prefix="bedrock-limits-")
    srv = Server("--quiet")
    try:
        refused_before_body(srv)
    finally:
        check("exit 0 after hostile clients", srv.stop() == 0)
    budget(tmp)
    deadlines()
    connection_limit()
    framing_and_targets()
    os.rmdir(tmp)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
