#!/usr/bin/env python3
"""Streams through `bedrock gateway` on its upstream loop: many streams
waiting for their first event hold no thread (200 at once over two HTTP/2
connections, driven by nghttp2's h2load, through a gateway with
limits.max_threads 8: they all wait at once, and its thread count sampled
from /proc stays within the 8), each comes through whole; a client
that leaves before the first event ends the opening at once (its activity
line says client_closed long before the event would have come, and the
upstream connection is closed); and a slow reader holds the upstream back
instead of the gateway taking the whole answer in.
Usage: test_gateway_streams.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from checks import check, summary
import procs
from procs import (with_prompt, eventstream_frames, eventstream_text, metric, BEDROCK_BODY,
                   BEDROCK_MODEL)

BIN = sys.argv[1]
KEY = "sk-gw-streams-0123456789abcdef"
B_STREAM = "/model/%s/invoke-with-response-stream" % BEDROCK_MODEL
WAITING = 200


def status(pid, field):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    return -1


def threads(pid):
    return status(pid, "Threads")


def openings_hold_no_thread(gw, d):
    """Every event, the first too, comes 0.3 s after the one before: WAITING
    streams wait at once. The gateway's threads stay few, and all complete."""
    if not shutil.which("h2load"):
        check("h2load is installed (scripts/install-deps.sh: nghttp2-client)", False)
        return
    body = with_prompt(BEDROCK_BODY, "[[emulate:fault=slow=300]] hi")
    bf = os.path.join(d, "slow.json")
    with open(bf, "w") as f:
        json.dump(body, f)
    base = threads(gw.p.pid)
    # The single stream's bytes and time, through the gateway, as the measure.
    t = time.monotonic()
    c, r = procs.open_stream(gw, B_STREAM, body, {"Authorization": "Bearer " + KEY})
    one = r.read()
    single = time.monotonic() - t
    c.close()
    text = eventstream_text(eventstream_frames(one))
    check("a slow stream comes through whole", r.status == 200 and
          text == "You said: [[emulate:fault=slow=300]] hi", (r.status, text))
    h2 = subprocess.Popen(["h2load", "-n", str(WAITING), "-c", "2", "-m", str(WAITING // 2),
                           "-d", bf, "-H", "Authorization: Bearer " + KEY,
                           "-H", "Content-Type: application/json",
                           gw.url + B_STREAM], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    t = time.monotonic()
    peak = 0
    peak_waiting = 0
    while h2.poll() is None:
        peak = max(peak, threads(gw.p.pid))
        peak_waiting = max(peak_waiting,
                           metric(gw.metrics(), "bedrock_gateway_streams_in_flight") or 0)
        time.sleep(0.05)
    took = time.monotonic() - t
    out = h2.stdout.read()
    check("h2load: all %d streams 2xx" % WAITING, ("%d 2xx" % WAITING) in out, out[-1500:])
    want = "%d succeeded" % WAITING
    check("h2load: all succeeded", want in out, out[-1500:])
    data = [l for l in out.splitlines() if l.startswith("traffic:")]
    total = int(data[0].split(") data")[0].rsplit("(", 1)[1]) if data else -1
    check("every stream's bytes, as the single stream's", total == WAITING * len(one),
          (total, WAITING * len(one)))
    # limits.max_threads is 8: had a waiting stream held its worker, 8 would
    # have waited at a time, and the rest after them (25 rounds).
    check("%d streams on 8 worker threads all waited at once" % WAITING,
          took < 3 * single + 2, (took, single))
    check("the gateway's threads stayed within the 8 workers", 0 < peak <= base + 8,
          (base, peak))
    check("and all were in flight at once at some point", peak_waiting >= WAITING // 2,
          peak_waiting)
    # Their activity lines are written just after their last bytes.
    gw.activity(at_least=WAITING + 1, timeout=10)


def leaves_before_first_event(gw, emu):
    """The first event comes after 4 s; the client leaves after 0.5 s."""
    body = with_prompt(BEDROCK_BODY, "[[emulate:fault=slow=4000]] never read")
    new, took = procs.post_and_leave(gw, B_STREAM, body, KEY)
    check("left before the first event: one activity line, client_closed, status 0",
          len(new) == 1 and new[0].get("status") == 0
          and new[0].get("error_type") == "client_closed", new)
    check("... written at once, not when the event would have come", took < 3.0, took)
    check("gateway healthy after", procs.request(gw, "GET", "/healthz")[0] == 200)


def dechunk(raw):
    """The body of an HTTP/1.1 chunked response (head included in raw)."""
    head, _, rest = raw.partition(b"\r\n\r\n")
    out, i = [], 0
    while True:
        j = rest.index(b"\r\n", i)
        n = int(rest[i:j].split(b";")[0], 16)
        if n == 0:
            return head, b"".join(out)
        out.append(rest[j + 2:j + 2 + n])
        i = j + 2 + n + 2


def slow_reader(gw, emu):
    """A 21 MB answer, more than the kernel's socket buffers hold, read
    slowly: while the reader sleeps the upstream is held back (the emulator
    has not finished sending: had the gateway taken it all in, it would
    have); then the reader gets all of it."""
    # Long words: few events (the emulator's cost is by the event), many bytes.
    words = " ".join([("w%05d" % i) + "x" * 2994 for i in range(5000)])
    raw = json.dumps(with_prompt(BEDROCK_BODY, words, max_tokens=100000)).encode()
    before = len(procs.emu_requests(emu))
    s = socket.create_connection(("127.0.0.1", gw.port), timeout=30)
    s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
               % (B_STREAM, KEY, len(raw))).encode() + raw)
    got = s.recv(4096)
    time.sleep(1.5)
    upstream_done = len(procs.emu_requests(emu)) > before
    chunks, tail = [got], got[-16:]
    while not tail.endswith(b"\r\n0\r\n\r\n"):
        c = s.recv(1 << 18)
        if not c:
            break
        chunks.append(c)
        tail = (tail + c)[-16:]
    s.close()
    head, body = dechunk(b"".join(chunks))
    text = eventstream_text(eventstream_frames(body))
    check("slow reader: the whole answer", head.startswith(b"HTTP/1.1 200")
          and text == "You said: " + words, (head[:40], len(text), len(words)))
    check("slow reader: the upstream held back while the reader slept", not upstream_done,
          procs.emu_requests(emu)[before:])


def main():
    emu = procs.emulator(BIN)
    d = procs.workdir()
    cfg = {"upstreams": [procs.bedrock_upstream(emu)],
           "keys": [{"name": "streams", "key": KEY}],
           "activity_log": {"dir": os.path.join(d, "activity")},
           "limits": {"max_threads": 8}}
    gw = procs.Gateway(BIN, cfg, dirname=d)
    try:
        openings_hold_no_thread(gw, d)
        leaves_before_first_event(gw, emu)
        slow_reader(gw, emu)
    finally:
        procs.stop_all()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
