#!/usr/bin/env python3
"""Whole answers through `bedrock gateway` on its HTTP/1.1 loops: a client
connection and its upstream call hold no thread. 200 HTTP/1.1 connections
each wait at once for a slow whole answer (InvokeModel, 300 ms) through a
gateway with limits.loops 2 and limits.max_threads 8: all 200 come back
whole in about the time of one, and the gateway's thread count, sampled
from /proc meanwhile, does not grow (a thread per connection would have
run them 8 at a time). A client that leaves while its answer is pending
ends the upstream call at once (activity line client_closed, long before
the answer would have come). SIGTERM with whole answers pending lets them
finish, then exits 0. With redis: quotas too (admissions are Redis round
trips, made on the finisher's threads, never on a loop). Upstream
credentials are resolved on the reload thread ahead of the requests.
Listings from an upstream go the same way, failing over to the next.
Usage: test_gateway_loops.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from checks import check, summary
import procs
from procs import with_prompt, BEDROCK_BODY, BEDROCK_MODEL

BIN = sys.argv[1]
KEY = "sk-gw-loops-0123456789abcdef"
INVOKE = "/model/%s/invoke" % BEDROCK_MODEL
WAITING = 200


def threads(pid):
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("Threads:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return -1


def post(port, body, timeout=30):
    """One InvokeModel on a connection of its own: (status, body)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    raw = json.dumps(body).encode()
    s.sendall(("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
               "Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
               % (INVOKE, KEY, len(raw))).encode() + raw)
    data = b""
    while True:
        c = s.recv(65536)
        if not c:
            break
        data += c
    s.close()
    head, _, rest = data.partition(b"\r\n\r\n")
    status = int(head.split(b" ")[1]) if head.startswith(b"HTTP/1.1 ") else 0
    return status, rest


def many_wait_at_once(gw, d, what=""):
    """WAITING connections, each one slow whole answer, all at once."""
    if not shutil.which("h2load"):
        check("h2load is installed (scripts/install-deps.sh: nghttp2-client)", False)
        return
    body = with_prompt(BEDROCK_BODY, "[[emulate:fault=slow=300]] hi")
    bf = os.path.join(d, "slow.json")
    with open(bf, "w") as f:
        json.dump(body, f)
    base = threads(gw.p.pid)
    t = time.monotonic()
    status, one = post(gw.port, body)
    single = time.monotonic() - t
    check("one slow whole answer: 200 and the model's text",
          status == 200 and b"You said" in one, (status, one[:200]))
    peak = [base]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], threads(gw.p.pid))
            time.sleep(0.01)

    sampler = threading.Thread(target=sample)
    sampler.start()
    t = time.monotonic()
    try:
        out = subprocess.run(["h2load", "--h1", "-n", str(WAITING), "-c", str(WAITING),
                              "-m", "1", "-d", bf, "-H", "Authorization: Bearer " + KEY,
                              "-H", "Content-Type: application/json",
                              "http://127.0.0.1:%d%s" % (gw.port, INVOKE)],
                             capture_output=True, text=True, timeout=30).stdout
    except subprocess.TimeoutExpired:
        out = "h2load did not finish in 30 s"
    finally:
        done.set()
        sampler.join()
    took = time.monotonic() - t
    line = [x for x in out.splitlines() if x.startswith("status codes:")]
    check("%d slow whole answers over HTTP/1.1 at once%s: all 200" % (WAITING, what),
          line and line[0].split()[2] == str(WAITING), out[-600:])
    # 8 at a time would take WAITING / 8 * 0.3 s = 7.5 s.
    check("... in about the time of one, not eight at a time (%.2f s, one %.2f s)"
          % (took, single), took < single + 3.0, took)
    check("... with no thread per connection (threads %d -> peak %d)" % (base, peak[0]),
          peak[0] <= base + 2, (base, peak[0]))


def loop_metrics(gw):
    """/metrics names each HTTP/1.1 loop (limits.loops: 2): its connections
    (this request's own among them) and its load."""
    text = gw.metrics()
    conns = [l for l in text.splitlines() if l.startswith("bedrock_gateway_loop_connections{")]
    busy = [l for l in text.splitlines() if l.startswith("bedrock_gateway_loop_busy_ratio{")]
    check("/metrics: a connections and a busy series for each of the 2 loops",
          len(conns) == 2 and len(busy) == 2, (conns, busy))
    check("... this request's connection among them",
          procs.metric(text, "bedrock_gateway_loop_connections") >= 1, conns)


def leaves_while_pending(gw):
    """The answer comes after 4 s; the client leaves after 0.5 s."""
    body = with_prompt(BEDROCK_BODY, "[[emulate:fault=slow=4000]] never read")
    new, took = procs.post_and_leave(gw, INVOKE, body, KEY)
    check("left while its whole answer was pending: one activity line, client_closed",
          len(new) == 1 and new[0].get("status") == 0
          and new[0].get("error_type") == "client_closed", new)
    check("... written at once, not when the answer would have come", took < 3.0, took)
    check("gateway healthy after", procs.request(gw, "GET", "/healthz")[0] == 200)


def drains_pending(gw):
    """Five whole answers 1 s away; SIGTERM: all five come, then exit 0, and
    their activity lines, still in the log's buffer at exit, are in the file."""
    body = with_prompt(BEDROCK_BODY, "[[emulate:fault=slow=1000]] drain me")
    results = []
    before = len(gw.activity())

    def one():
        results.append(post(gw.port, body))

    ts = [threading.Thread(target=one) for _ in range(5)]
    for t in ts:
        t.start()
    time.sleep(0.3)
    gw.signal(signal.SIGTERM)
    for t in ts:
        t.join()
    rc = gw.p.wait(timeout=10)
    check("SIGTERM with 5 whole answers pending: each answered 200",
          len(results) == 5 and all(s == 200 and b"You said" in b for s, b in results),
          [(s, b[:80]) for s, b in results])
    check("... then exit 0", rc == 0, rc)
    recs = gw.activity()[before:]
    check("... and the five activity lines written at exit",
          len(recs) == 5 and all(r.get("status") == 200 for r in recs), recs)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return -1


def idle_keepalive_memory(gw):
    """1,000 kept-alive connections, one request each, then idle: what each
    costs the gateway. MHD zeroes a connection's whole pool after a request
    (limits.max_header_bytes plus 8 KiB), so at the old 64 KiB default each
    held 73 KiB; at 32 KiB it is about 41."""
    n = 1000
    raw = json.dumps(BEDROCK_BODY).encode()
    req = ("POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\n"
           "Content-Type: application/json\r\nContent-Length: %d\r\n\r\n"
           % (INVOKE, KEY, len(raw))).encode() + raw
    time.sleep(1)
    before = rss_kib(gw.p.pid)
    socks, ok = [], 0
    try:
        for _ in range(n):
            s = socket.create_connection(("127.0.0.1", gw.port), timeout=10)
            s.sendall(req)
            head, _, rest = procs.recv_until(s, b"\r\n\r\n").partition(b"\r\n\r\n")
            length = [int(l.split(b":")[1]) for l in head.split(b"\r\n")
                      if l.lower().startswith(b"content-length:")]
            while length and len(rest) < length[0]:
                c = s.recv(65536)
                if not c:
                    break
                rest += c
            ok += head.startswith(b"HTTP/1.1 200")
            socks.append(s)
        time.sleep(1)
        per = (rss_kib(gw.p.pid) - before) / n
    finally:
        for s in socks:
            s.close()
    check("1,000 kept-alive connections: each answered", ok == n, ok)
    if "ASAN_OPTIONS" in os.environ:
        print("idle kept-alive connection (ASan, not held to the limit): %.1f KiB" % per)
    else:
        check("... and each idle one costs at most 48 KiB (%.1f)" % per, per <= 48, per)


def redis_get(port, key):
    """GET key: its value as text, or None."""
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(("*2\r\n$3\r\nGET\r\n$%d\r\n%s\r\n" % (len(key), key)).encode())
        data = b""
        while b"\r\n" not in data or (data.startswith(b"$") and not data.startswith(b"$-1")
                                        and data.count(b"\r\n") < 2):
            c = s.recv(4096)
            if not c:
                break
            data += c
    if not data.startswith(b"$") or data.startswith(b"$-1"):
        return None
    return data.split(b"\r\n")[1].decode()


def with_redis(emu, d):
    """redis: quotas (a key with limits: each admission is a Redis round
    trip, made off the loops): the same answers, on loops all the same,
    and the quota counted in Redis."""
    if not shutil.which("redis-server"):
        check("redis-server is installed (scripts/install-deps.sh)", False)
        return
    red = procs.Redis()
    rd = os.path.join(d, "redis")
    os.makedirs(rd)
    cfg = {"upstreams": [procs.bedrock_upstream(emu)],
           "keys": [{"name": "loops", "key": KEY, "rpm": 100000, "max_concurrent": 1000}],
           "redis": red.url,
           "activity_log": {"dir": os.path.join(rd, "activity")},
           "limits": {"max_threads": 8, "loops": 2}}
    gw = procs.Gateway(BIN, cfg, dirname=rd)
    status, b = post(gw.port, with_prompt(BEDROCK_BODY, "hello through redis"))
    check("redis: quotas: a whole answer", status == 200 and b"hello through redis" in b,
          (status, b[:200]))
    many_wait_at_once(gw, rd, " with redis: quotas")
    minute = int(time.time() // 60)
    counted = [redis_get(red.port, "bedrock-gw:{loops}:rpm:%d" % m) for m in (minute - 1, minute)]
    total = sum(int(c) for c in counted if c)
    check("... every request counted in Redis (%s)" % counted, total >= WAITING + 2, counted)
    gw.stop()


def warm_credentials(emu, d):
    """An upstream whose credentials come from a credential_process: the
    reload thread resolves them before any request (the process has run
    once with no request made), and requests then find them fresh (it has
    not run again)."""
    w = os.path.join(d, "warm")
    os.makedirs(w)
    count = os.path.join(w, "count")
    script = os.path.join(w, "creds.sh")
    expires = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() + 3600))
    with open(script, "w") as f:
        f.write("#!/bin/sh\necho run >> %s\n"
                "echo '{\"Version\": 1, \"AccessKeyId\": \"%s\", \"SecretAccessKey\": \"%s\", "
                "\"Expiration\": \"%s\"}'\n"
                % (count, procs.AWS_ENV["AWS_ACCESS_KEY_ID"], procs.AWS_ENV["AWS_SECRET_ACCESS_KEY"],
                   expires))
    os.chmod(script, 0o755)
    conf = os.path.join(w, "config")
    with open(conf, "w") as f:
        f.write("[profile warm]\nregion = us-east-1\ncredential_process = %s\n" % script)
    up = procs.bedrock_upstream(emu)
    up["profile"] = "warm"
    cfg = {"upstreams": [up], "keys": [{"name": "loops", "key": KEY}]}
    gw = procs.Gateway(BIN, cfg, dirname=w,
                       env={"AWS_CONFIG_FILE": conf, "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent",
                            "AWS_ACCESS_KEY_ID": "", "AWS_SECRET_ACCESS_KEY": ""})

    def runs():
        try:
            with open(count) as f:
                return len(f.read().split())
        except OSError:
            return 0

    deadline = time.monotonic() + 5
    while runs() < 1 and time.monotonic() < deadline:
        time.sleep(0.05)
    check("credentials resolved on the reload thread before any request", runs() == 1, runs())
    status, b = post(gw.port, with_prompt(BEDROCK_BODY, "warm hello"))
    check("... a request signed with them", status == 200 and b"warm hello" in b,
          (status, b[:200]))
    check("... and it found them fresh (the process ran once)", runs() == 1, runs())
    gw.stop()


def listings(emu, d):
    """Listings from the upstream, on a loop too: the first upstream dead
    (nothing listens), the second answers; the activity line says one hop.
    One that is not there comes back 404 in Bedrock's shape."""
    dead = socket.socket()
    dead.bind(("127.0.0.1", 0))
    port = dead.getsockname()[1]
    dead.close()
    ld = os.path.join(d, "listings")
    os.makedirs(ld)
    ups = [procs.bedrock_upstream(emu), procs.bedrock_upstream(emu)]
    ups[0]["endpoint_url"] = "http://127.0.0.1:%d" % port
    cfg = {"upstreams": ups, "keys": [{"name": "loops", "key": KEY}],
           "activity_log": {"dir": os.path.join(ld, "activity")}}
    gw = procs.Gateway(BIN, cfg, dirname=ld)
    before = len(gw.activity())
    status, _, b = procs.request(gw, "GET", "/foundation-models?byProvider=Anthropic",
                                 headers=procs.bearer(KEY))
    models = json.loads(b or b"{}").get("modelSummaries", [])
    check("GET /foundation-models through a dead upstream to the next: 200 and models",
          status == 200 and len(models) > 0, (status, b[:200]))
    recs = gw.activity(at_least=before + 1)
    check("... its activity line: one hop, the upstream named",
          recs[-1].get("hops") == 1 and recs[-1].get("upstream_platform") == "bedrock"
          and recs[-1].get("status") == 200, recs[-1:])
    status, _, b = procs.request(gw, "GET", "/inference-profiles", headers=procs.bearer(KEY))
    check("GET /inference-profiles: 200", status == 200 and b"inferenceProfileSummaries" in b,
          (status, b[:200]))
    status, h, b = procs.request(gw, "GET", "/foundation-models/no.such-model",
                                 headers=procs.bearer(KEY))
    check("a model that is not there: 404 in Bedrock's shape",
          status == 404 and "x-amzn-errortype" in h and b"message" in b, (status, h, b[:200]))
    gw.stop()


def main():
    emu = procs.emulator(BIN)
    d = procs.workdir()
    cfg = {"upstreams": [procs.bedrock_upstream(emu)],
           "keys": [{"name": "loops", "key": KEY}],
           "activity_log": {"dir": os.path.join(d, "activity")},
           "limits": {"max_threads": 8, "loops": 2, "drain_timeout_s": 10}}
    gw = procs.Gateway(BIN, cfg, dirname=d)
    try:
        many_wait_at_once(gw, d)
        leaves_while_pending(gw)
        idle_keepalive_memory(gw)
        loop_metrics(gw)
        drains_pending(gw)
        with_redis(emu, d)
        warm_credentials(emu, d)
        listings(emu, d)
    finally:
        procs.stop_all()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
