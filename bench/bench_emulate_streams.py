#!/usr/bin/env python3
"""1,000 concurrent streaming clients against `bedrock emulate`, with the
emulator's peak memory (VmHWM) reported. Each client opens its own
HTTP/1.1 connection and asks for an InvokeModelWithResponseStream whose
events are paced (slow=MS), so all streams are open at once.

Not part of `make test`. Usage:
  bench/bench_emulate_streams.py [BEDROCK_BINARY] [CLIENTS] [SLOW_MS]
"""
import asyncio
import json
import os
import re
import resource
import subprocess
import sys
import time

BIN = sys.argv[1] if len(sys.argv) > 1 else "build-bench/bedrock"
CLIENTS = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
SLOW = int(sys.argv[3]) if len(sys.argv) > 3 else 20

PATH = "/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream"


def body(i):
    text = "client %d wants a streamed answer about benchmarks [[emulate:fault=slow=%d]]" % (i, SLOW)
    return json.dumps({"anthropic_version": "bedrock-2023-05-31", "max_tokens": 200,
                       "messages": [{"role": "user", "content": text}]}).encode()


async def client(port, i, results):
    r, w = await asyncio.open_connection("127.0.0.1", port)
    b = body(i)
    w.write(b"POST %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\nAuthorization: Bearer bench\r\n"
            b"Content-Type: application/json\r\nContent-Length: %d\r\nConnection: close\r\n\r\n"
            % (PATH.encode(), port, len(b)) + b)
    await w.drain()
    data = await r.read()
    w.close()
    # A whole chunked body: the stream ran to its end.
    ok = data.startswith(b"HTTP/1.1 200") and data.endswith(b"0\r\n\r\n")
    results.append((ok, len(data)))


def vm_hwm(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith(("VmHWM", "VmRSS")):
                yield line.split(":")[0], int(line.split()[1])


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    p = subprocess.Popen([BIN, "emulate", "--listen", "127.0.0.1:0", "--quiet", "--bearer", "bench"],
                         stdout=subprocess.PIPE, text=True)
    port = int(re.search(r":(\d+)$", p.stdout.readline().strip()).group(1))
    idle = dict(vm_hwm(p.pid))
    results = []
    t0 = time.monotonic()
    await asyncio.gather(*(client(port, i, results) for i in range(CLIENTS)))
    took = time.monotonic() - t0
    mem = dict(vm_hwm(p.pid))
    p.terminate()
    p.wait(timeout=10)
    good = sum(1 for ok, n in results if ok and n > 1000)
    print("%d concurrent streaming clients (events paced %d ms): %d complete in %.1f s" %
          (CLIENTS, SLOW, good, took))
    print("emulator memory: idle RSS %.1f MiB, peak RSS %.1f MiB (%.1f KiB per stream)" %
          (idle["VmRSS"] / 1024, mem["VmHWM"] / 1024, (mem["VmHWM"] - idle["VmRSS"]) / max(CLIENTS, 1)))
    return 0 if good == CLIENTS else 1


sys.exit(asyncio.run(main()))
