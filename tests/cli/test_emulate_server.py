#!/usr/bin/env python3
"""Contract of `bedrock emulate`'s network layer, through the temporary demo
handler: one port speaks HTTP/1.1 (keep-alive, chunked streaming, resets,
limits, garbage) and HTTP/2 with prior knowledge (curl and nghttp), many slow clients
at once, and SIGTERM ends it cleanly with exit 0.
Usage: test_emulate_server.py BEDROCK_BINARY VECTORS_DIR"""
import http.client
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from checks import check, summary

BIN = sys.argv[1]


class Server:
    """`bedrock emulate` on a free port, its access log in a file."""

    def __init__(self, *extra):
        self.logf = tempfile.TemporaryFile(mode="w+")
        self.p = subprocess.Popen([BIN, "emulate", "--network-test", "--listen", "127.0.0.1:0"] + list(extra),
                                  stdout=subprocess.PIPE, stderr=self.logf, text=True)
        line = self.p.stdout.readline().strip()
        if not line.startswith("listening on http://127.0.0.1:"):
            self.p.kill()
            raise SystemExit("bad first line: %r" % line)
        self.first_line = line
        self.port = int(line.rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def conn(self, timeout=10):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def alive(self):
        try:
            c = self.conn(5)
            c.request("GET", "/__health")
            r = c.getresponse()
            ok = r.status == 200 and r.read() == b'{"ok":true}'
            c.close()
            return ok and self.p.poll() is None
        except OSError:
            return False

    def log(self):
        self.logf.seek(0)
        return self.logf.read()

    def stop(self, timeout=2.0):
        """SIGTERM; returns (exit status or None, seconds taken)."""
        t0 = time.monotonic()
        self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        return rc, time.monotonic() - t0


def raw(port, data, timeout=5.0):
    """Sends bytes, returns what comes back until close or timeout."""
    out = b""
    with socket.create_connection(("127.0.0.1", port), timeout=timeout) as s:
        try:
            s.sendall(data)
            while True:
                b = s.recv(65536)
                if not b:
                    break
                out += b
        except OSError:
            pass
    return out


def http1(srv):
    c = srv.conn()
    ports = set()
    for i in range(5):
        body = ("keep-alive %d" % i).encode()
        c.request("POST", "/echo", body=body, headers={"Content-Type": "text/plain"})
        r = c.getresponse()
        data = r.read()
        check("echo %d" % i, r.status == 200 and data == body, (r.status, data))
        check("echo %d content-length" % i, r.getheader("Content-Length") == str(len(body)))
        check("echo %d content-type" % i, r.getheader("Content-Type") == "text/plain")
        check("echo %d has a Date" % i, r.getheader("Date") is not None)
        ports.add(c.sock.getsockname()[1])
    check("keep-alive: five requests on one connection", len(ports) == 1, ports)

    big = os.urandom(1 << 20)
    c.request("POST", "/echo", body=big)
    r = c.getresponse()
    check("1 MB echo", r.status == 200 and r.read() == big)

    c.request("GET", "/nowhere")
    r = c.getresponse()
    check("unknown route is the handler's 404", r.status == 404, r.status)
    r.read()
    c.close()


def http1_streaming(srv):
    c = srv.conn()
    t0 = time.monotonic()
    c.request("POST", "/stream?n=5&ms=200")
    r = c.getresponse()
    check("stream status", r.status == 200, r.status)
    check("stream is chunked", r.getheader("Transfer-Encoding") == "chunked",
          r.getheaders())
    check("stream has no Content-Length", r.getheader("Content-Length") is None)
    times, lines = [], []
    for _ in range(5):
        lines.append(r.readline())
        times.append(time.monotonic() - t0)
    rest = r.read()
    check("stream pieces", lines == [b"piece %d\n" % i for i in range(5)] and rest == b"",
          (lines, rest))
    # Piece 0 is due at 200 ms and piece 4 at 1000 ms: the first must be
    # in the client's hands long before the last is even sent.
    check("first piece arrives before the last is sent", times[0] < 0.7 and times[4] >= 0.9,
          times)
    check("pieces come one by one", all(b - a >= 0.1 for a, b in zip(times, times[1:])), times)
    # The connection is still good after a stream.
    c.request("POST", "/echo", body=b"after stream")
    r = c.getresponse()
    check("keep-alive after a stream", r.read() == b"after stream")
    c.close()


def http1_resets(srv):
    c = srv.conn()
    try:
        c.request("POST", "/reset", body=b"x")
        r = c.getresponse()
        r.read()
        check("reset gives a connection error", False, r.status)
    except (http.client.HTTPException, OSError):
        check("reset gives a connection error", True)
    c.close()

    c = srv.conn()
    c.request("POST", "/reset-after?n=2")
    r = c.getresponse()
    check("reset-after status", r.status == 200)
    got = [r.readline(), r.readline()]
    check("reset-after: two pieces", got == [b"piece 0\n", b"piece 1\n"], got)
    try:
        rest = r.read()
        check("reset-after then an error", False, rest)
    except (http.client.HTTPException, OSError):
        check("reset-after then an error", True)
    c.close()
    check("alive after resets", srv.alive())


def http1_limits(srv, small):
    # An announced oversize body is refused before it is sent.
    out = raw(srv.port, b"POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 30000000\r\n\r\n")
    check("announced oversize body: 413 or close",
          out == b"" or out.startswith(b"HTTP/1.1 413"), out[:80])
    # A real body over a small limit, sent chunked (no length announced).
    c = small.conn()
    try:
        c.putrequest("POST", "/echo")
        c.putheader("Transfer-Encoding", "chunked")
        c.endheaders()
        chunk = b"x" * 8192
        for _ in range(20):
            c.send(b"%x\r\n%s\r\n" % (len(chunk), chunk))
        c.send(b"0\r\n\r\n")
        r = c.getresponse()
        check("chunked oversize body: 413", r.status == 413, r.status)
    except (http.client.HTTPException, OSError):
        check("chunked oversize body: 413 or close", True)
    c.close()
    c = small.conn()
    try:
        c.request("POST", "/echo", body=b"y" * 200000)
        r = c.getresponse()
        check("oversize body: 413", r.status == 413, r.status)
    except (http.client.HTTPException, OSError):
        check("oversize body: 413 or close", True)
    c.close()
    c = small.conn()
    c.request("POST", "/echo", body=b"z" * 1000)
    check("under the limit still fine", c.getresponse().read() == b"z" * 1000)
    c.close()
    # A header block over 64 KiB.
    out = raw(srv.port, b"GET /__health HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 100000 +
              b"\r\n\r\n")
    check("huge header block: 431 or close",
          out == b"" or out.startswith(b"HTTP/1.1 431") or out.startswith(b"HTTP/1.1 413"),
          out[:80])
    check("alive after limits", srv.alive())


def garbage(srv):
    junk = [
        b"\x00\xff\x13garbage\r\n\r\n",
        b"GET\r\n\r\n",
        b"GET / HTTP/9.9\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nContent-Length: -5\r\n\r\n",
        b"POST /echo HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n" + os.urandom(64),
        b"PRI * HTTP/2.0\r\n\r\nXX\r\n\r\n",
        b"PR",
        os.urandom(4096),
    ]
    for j in junk:
        raw(srv.port, j, timeout=2.0)
    # A connection that sends a byte and goes away, one that sends nothing.
    s = socket.create_connection(("127.0.0.1", srv.port))
    s.close()
    check("alive after garbage", srv.alive())


def curl(args, timeout=30):
    return subprocess.run(["curl", "-sS", "--http2-prior-knowledge"] + args,
                          capture_output=True, timeout=timeout)


def http2(srv, tmp):
    body = os.urandom(300000)
    path = os.path.join(tmp, "body")
    with open(path, "wb") as f:
        f.write(body)
    p = curl(["-o", "-", "-w", "%{stderr}%{http_version} %{http_code}",
              "--data-binary", "@" + path, srv.url + "/echo"])
    check("h2 echo", p.returncode == 0 and p.stdout == body, (p.returncode, p.stderr[-200:]))
    check("h2 echo was HTTP/2", p.stderr.endswith(b"2 200"), p.stderr[-100:])

    p = curl(["-i", srv.url + "/__health"])
    head = p.stdout.decode(errors="replace").lower()
    check("h2 health", p.returncode == 0 and head.startswith("http/2 200") and
          "content-length: 11" in head and head.endswith('{"ok":true}'), head)

    p = curl(["-I", srv.url + "/__health"])
    check("h2 HEAD: headers only", p.returncode == 0 and p.stdout.lower().startswith(b"http/2 "),
          (p.returncode, p.stderr))

    # Streaming: each line is timed as curl writes it.
    t0 = time.monotonic()
    pr = subprocess.Popen(["curl", "-sSN", "--http2-prior-knowledge", "-X", "POST",
                           srv.url + "/stream?n=5&ms=200"], stdout=subprocess.PIPE)
    lines, times = [], []
    for _ in range(5):
        lines.append(pr.stdout.readline())
        times.append(time.monotonic() - t0)
    rest = pr.stdout.read()
    pr.wait(timeout=10)
    check("h2 stream pieces", lines == [b"piece %d\n" % i for i in range(5)] and rest == b""
          and pr.returncode == 0, (lines, rest, pr.returncode))
    check("h2 first piece before the last is sent", times[0] < 0.7 and times[4] >= 0.9, times)

    p = curl(["-X", "POST", srv.url + "/reset"])
    check("h2 reset is an error", p.returncode != 0)
    p = curl(["-X", "POST", srv.url + "/reset-after?n=2"])
    check("h2 reset-after is an error", p.returncode != 0)

    # Several streams on one connection, at the same time. nghttp, because
    # Debian 12's curl 7.88.1 fails to reuse a prior-knowledge connection
    # (curl/curl#10634, fixed in 8.0).
    before = len([l for l in srv.log().splitlines() if l.endswith(" h2")])
    urls = [srv.url + "/stream?n=3&ms=300&i=%d" % i for i in range(6)]
    t0 = time.monotonic()
    p = subprocess.run(["nghttp", "-n", "-d", path] + urls, capture_output=True, timeout=30)
    took = time.monotonic() - t0
    check("h2 parallel streams ok", p.returncode == 0, p.stderr)
    check("h2 parallel streams overlap in time", took < 2.5, took)
    time.sleep(0.2)
    lines = [l for l in srv.log().splitlines() if l.endswith(" h2")][before:]
    streams = [l for l in lines if " POST /stream 200 24 " in l]
    check("h2 parallel streams share one connection",
          len(streams) == 6 and len({l.split()[0] for l in streams}) == 1, lines)
    check("alive after h2", srv.alive())


def http2_limits(srv, small, tmp):
    path = os.path.join(tmp, "big")
    with open(path, "wb") as f:
        f.write(b"b" * 300000)
    p = curl(["-o", "/dev/null", "-w", "%{http_code}", "--data-binary", "@" + path,
              small.url + "/echo"])
    check("h2 oversize body: 413 or stream refused",
          p.stdout == b"413" or p.returncode != 0, (p.returncode, p.stdout, p.stderr))
    p = curl(["-o", "/dev/null", "-w", "%{http_code}", "-H", "X-Big: " + "a" * 100000,
              srv.url + "/__health"])
    check("h2 huge header block: 431 or refused",
          p.stdout == b"431" or p.returncode != 0, (p.returncode, p.stdout, p.stderr))
    p = curl(["-o", "-", "--data-binary", "@" + path, srv.url + "/echo"])
    check("h2 300 KB echo under the default limit", p.stdout == b"b" * 300000, p.stderr)
    check("alive after h2 limits", srv.alive() and small.alive())


def many_slow(srv, n=200):
    results = [None] * n

    def one(i):
        try:
            c = srv.conn(timeout=30)
            c.request("POST", "/stream?n=4&ms=250")
            r = c.getresponse()
            results[i] = r.read()
            c.close()
        except Exception as e:  # noqa: BLE001 - recorded as the failure detail
            results[i] = e

    want = b"".join(b"piece %d\n" % i for i in range(4))
    t0 = time.monotonic()
    threads = [threading.Thread(target=one, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    took = time.monotonic() - t0
    bad = [r for r in results if r != want]
    check("%d concurrent slow streams all complete" % n, not bad, bad[:3])
    # Each takes 1 s; run one after another they would take minutes.
    check("%d slow streams run side by side" % n, took < 10, took)


def shutdown_busy(srv):
    """SIGTERM while streams are mid-flight on both protocols."""
    c = srv.conn()
    c.request("POST", "/stream?n=100&ms=500")
    r = c.getresponse()
    r.readline()
    pr = subprocess.Popen(["curl", "-sSN", "--http2-prior-knowledge", "-X", "POST",
                           srv.url + "/stream?n=100&ms=500"], stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL)
    pr.stdout.readline()
    rc, took = srv.stop()
    check("SIGTERM with streams in flight: exit 0", rc == 0, (rc, srv.log()[-2000:]))
    check("SIGTERM: stopped within 2 s", took < 2.0, took)
    pr.wait(timeout=10)
    c.close()


def main():
    for tool in ("curl", "nghttp"):
        if not shutil.which(tool):
            raise SystemExit("%s is needed (scripts/install-deps.sh installs it)" % tool)
    tmp = tempfile.mkdtemp(prefix="bedrock-emulate-")
    srv = Server()
    small = Server("--max-body", "100000")
    try:
        check("first line", srv.first_line == "listening on " + srv.url, srv.first_line)
        check("health", srv.alive())
        http1(srv)
        http1_streaming(srv)
        http1_resets(srv)
        http1_limits(srv, small)
        garbage(srv)
        http2(srv, tmp)
        http2_limits(srv, small, tmp)
        many_slow(srv)
        check("alive at the end", srv.alive())
        log = srv.log()
        check("access log names method, path, status",
              "POST /echo 200 " in log and "GET /__health 200 11 " in log, log[:500])
        check("access log leaves out the query", "n=5" not in log)
        rc, took = small.stop()
        check("SIGTERM idle: exit 0", rc == 0, (rc, small.log()[-2000:]))
        check("SIGTERM idle: within 2 s", took < 2.0, took)
        shutdown_busy(srv)
    finally:
        for s in (srv, small):
            if s.p.poll() is None:
                s.p.kill()
                s.p.wait()
        shutil.rmtree(tmp, ignore_errors=True)

    # A bad --listen is refused with a message and exit 1.
    p = subprocess.run([BIN, "emulate", "--listen", "nonsense"], capture_output=True,
                       text=True, timeout=10)
    check("bad --listen", p.returncode == 1 and "HOST:PORT" in p.stderr, p.stderr)
    # A port out of range, or not plain decimal, is refused too: it never
    # listens on the port modulo 65536 (70000 -> 4464, 65536 -> any port).
    for bad in ("127.0.0.1:70000", "127.0.0.1:65536", "127.0.0.1:-1", "127.0.0.1:+80",
                "127.0.0.1: 80", "127.0.0.1:80x", "127.0.0.1:", "::1:80", "[::1]80"):
        try:
            p = subprocess.run([BIN, "emulate", "--quiet", "--listen", bad], capture_output=True,
                               text=True, timeout=5)
            check("--listen %s: exit 1, no listening" % bad, p.returncode == 1 and
                  "HOST:PORT" in p.stderr and "listening" not in p.stdout, (p.returncode, p.stdout, p.stderr))
        except subprocess.TimeoutExpired as e:
            check("--listen %s: refused at once" % bad, False, e.stdout)
    # IPv6 in brackets, where the machine has ::1.
    try:
        socket.socket(socket.AF_INET6).bind(("::1", 0))
        have6 = True
    except OSError:
        have6 = False
    if have6:
        p = subprocess.Popen([BIN, "emulate", "--listen", "[::1]:0"], stdout=subprocess.PIPE,
                             stderr=subprocess.DEVNULL, text=True)
        line = p.stdout.readline().strip()
        check("IPv6 first line", line.startswith("listening on http://[::1]:"), line)
        p.send_signal(signal.SIGTERM)
        check("IPv6 exit 0", p.wait(timeout=5) == 0)

    return summary()


if __name__ == "__main__":
    sys.exit(main())
