#!/usr/bin/env python3
"""`bedrock gateway` failover between two real `bedrock emulate` upstreams
(us-east-1 throttling everything, us-west-2 healthy): the request succeeds
through the second with hops=1 in the activity log and the metrics, the
throttled one rests for its cooldown (the next request goes straight to the
second, the one after the cooldown tries the first again), a stream fails
over before its first byte; an upstream stream cut after its first bytes
(emulator fault, or the emulator killed) gives the client the text so far
and then the front's in-stream error, with no failover, and the activity
line records the error.
Usage: test_gateway_failover.py BEDROCK_BINARY VECTORS_DIR"""
import base64
import json
import sys
import time
from checks import check, summary
import procs
from procs import (request, xkey, bearer, sse_events, sse_text, eventstream_frames,
                   eventstream_text, metric, with_prompt, ANTHROPIC_BODY, BEDROCK_BODY,
                   VERTEX_BODY, BEDROCK_MODEL, VERTEX_PATH)

BIN = sys.argv[1]
KEY = "sk-gw-failover-0123456789"
B_STREAM = "/model/%s/invoke-with-response-stream" % BEDROCK_MODEL
COOLDOWN = 2


def failover(e1, e2, gw):
    n1, n2 = len(procs.emu_requests(e1)), len(procs.emu_requests(e2))
    s, h, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(KEY))
    check("failover: 200 through the second upstream", s == 200 and b"You said" in b, (s, b))
    r = gw.record(h)
    check("failover: activity hops=1, upstream bedrock/us-west-2",
          r.get("hops") == 1 and r.get("upstream") == "bedrock/us-west-2"
          and r.get("upstream_region") == "us-west-2" and r.get("status") == 200, r)
    check("failover: the note names the throttled upstream",
          "bedrock/us-east-1" in r.get("note", "") and "Throttl" in r.get("note", ""), r)
    new1, new2 = procs.emu_new(e1, n1, 1), procs.emu_new(e2, n2, 1)
    check("failover: each emulator saw one request", (len(new1), len(new2)) == (1, 1),
          (new1, new2))
    check("failover: the first emulator answered 429", " 429 " in (new1 or [""])[0], new1)
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_failover_hops_total") >= 1)
    check("metrics: one failover hop counted for bedrock/us-west-2",
          metric(m, "bedrock_gateway_failover_hops_total", upstream="bedrock/us-west-2") == 1, m)
    check("metrics: the throttled upstream is down while it rests",
          metric(m, "bedrock_gateway_upstream_up", upstream="bedrock/us-east-1") == 0
          and metric(m, "bedrock_gateway_upstream_up", upstream="bedrock/us-west-2") == 1, m)

    # resting: the next requests (a stream on the Bedrock front too) skip the first
    t_fail = time.monotonic()
    n1 = len(procs.emu_requests(e1))
    s, h, b = request(gw, "POST", B_STREAM, BEDROCK_BODY, bearer(KEY))
    check("resting: the stream goes straight to the second",
          s == 200 and eventstream_text(eventstream_frames(b)) == "You said: hello there", (s, b))
    r = gw.record(h)
    check("resting: hops=0, upstream bedrock/us-west-2",
          r.get("hops") == 0 and r.get("upstream") == "bedrock/us-west-2", r)
    check("resting: the throttled emulator saw nothing", procs.emu_new(e1, n1, 0) == [],
          procs.emu_requests(e1)[n1:])

    # after the cooldown the first is tried again (and fails over again)
    time.sleep(max(0, COOLDOWN + 0.3 - (time.monotonic() - t_fail)))
    n1 = len(procs.emu_requests(e1))
    body = dict(ANTHROPIC_BODY, stream=True)
    s, h, b = request(gw, "POST", "/v1/messages", body, xkey(KEY))
    ev = sse_events(b)
    check("after the cooldown: a stream fails over before its first byte",
          s == 200 and sse_text(ev) == "You said: hello there" and ev[-1][0] == "message_stop",
          (s, b[-300:]))
    r = gw.record(h)
    check("after the cooldown: the first was tried again (hops=1)",
          r.get("hops") == 1 and len(procs.emu_new(e1, n1, 1)) == 1, (r, n1))
    check("after the cooldown: the stream's activity has ttft_ms",
          isinstance(r.get("ttft_ms"), float) and r["ttft_ms"] <= r["latency_ms"], r)


def cut_by_fault(e1, e2, gw):
    """reset-after=4: the emulator cuts the stream after four events. The
    first byte has reached the client, so there is no failover."""
    prompt = "[[emulate:fault=reset-after=4]] one two three four five six"
    n2 = len(procs.emu_requests(e2))
    for front, path, body, hdr in (
            ("anthropic", "/v1/messages", dict(with_prompt(ANTHROPIC_BODY, prompt), stream=True),
             xkey(KEY)),
            ("vertex", VERTEX_PATH + "streamRawPredict", with_prompt(VERTEX_BODY, prompt),
             bearer(KEY)),
            ("bedrock", B_STREAM, with_prompt(BEDROCK_BODY, prompt), bearer(KEY))):
        s, h, b = request(gw, "POST", path, body, hdr)
        check("%s cut: status 200 (the head was sent)" % front, s == 200, (s, b[:200]))
        if front == "bedrock":
            fr = eventstream_frames(b)
            text = eventstream_text(fr)
            tail = fr[-1][0] if fr else {}
            check("bedrock cut: ends with an exception frame",
                  tail.get(":message-type") == "exception"
                  and tail.get(":exception-type", "").endswith("Exception"), fr[-2:])
        else:
            ev = sse_events(b)
            text = sse_text(ev)
            check("%s cut: ends with event: error" % front,
                  ev and ev[-1][0] == "error" and ev[-1][1]["type"] == "error"
                  and ev[-1][1]["error"]["type"] in ("api_error", "overloaded_error"), ev[-2:])
            check("%s cut: no message_stop" % front, "message_stop" not in [e for e, _ in ev])
        check("%s cut: the text so far came through" % front,
              text.startswith("You") and text != "You said: " + prompt, text)
        r = gw.record(h)
        check("%s cut: activity records the error" % front,
              r.get("status") == 200 and r.get("error_type") and r.get("front") == front, r)
        # docs/gateway.md: an upstream error that names no type is logged as
        # upstream_error, connection_failed or timeout
        check("%s cut: error_type connection_failed" % front,
              r.get("error_type") == "connection_failed", r.get("error_type"))
    new2 = procs.emu_new(e2, n2, 3)
    check("cut streams never failed over (us-west-2 saw each once)", len(new2) == 3, new2)


def cut_by_death():
    """The upstream process dies mid-stream."""
    e3 = procs.emulator(BIN)
    d = procs.workdir()
    gw = procs.Gateway(BIN, {"upstreams": [procs.bedrock_upstream(e3)],
                             "keys": [{"name": "k", "key": KEY}],
                             "activity_log": {"dir": d + "/activity"}}, dirname=d)
    body = dict(with_prompt(ANTHROPIC_BODY, "[[emulate:fault=slow=150]] a b c d e f g h i j"),
                stream=True)
    c, r = procs.open_stream(gw, "/v1/messages", body, xkey(KEY))
    got = b""
    deadline = time.monotonic() + 10
    while b"text_delta" not in got and time.monotonic() < deadline:
        got += r.readline()
    e3.kill()
    try:
        got += r.read()
    except OSError as e:
        got += repr(e).encode()
    c.close()
    ev = sse_events(got)
    check("upstream killed: the client got the text so far", sse_text(ev).startswith("You"), got)
    check("upstream killed: then event: error", ev and ev[-1][0] == "error", got[-300:])
    rec = procs.wait_for(lambda: [x for x in gw.activity() if x.get("error_type")], 5)
    check("upstream killed: activity records the error",
          len(rec) == 1 and rec[0].get("status") == 200, gw.activity())
    check("upstream killed: error_type connection_failed",
          rec and rec[0].get("error_type") == "connection_failed", rec and rec[0])
    m = gw.metrics_until(lambda m: metric(m, "bedrock_gateway_streams_in_flight") == 0)
    check("upstream killed: streams in flight back to 0",
          metric(m, "bedrock_gateway_streams_in_flight") == 0, m)
    s = request(gw, "GET", "/healthz")[0]
    check("upstream killed: the gateway is still healthy", s == 200, s)
    check("gateway exits 0", gw.stop() == 0, gw.err()[-1000:])


def dead_and_all_failing(e2):
    """An upstream nobody listens on fails over like a throttled one; when
    every upstream fails the client gets the last failure in its shape."""
    port = procs.free_port()
    e4 = procs.emulator(BIN, "--region", "eu-west-1")
    d = procs.workdir()
    gw = procs.Gateway(BIN, {
        "upstreams": [{"platform": "bedrock", "region": "us-east-1",
                       "endpoint_url": "http://127.0.0.1:%d" % port},
                      procs.bedrock_upstream(e2, "us-west-2"),
                      procs.bedrock_upstream(e4, "eu-west-1")],
        "keys": [{"name": "k", "key": KEY}],
        "activity_log": {"dir": d + "/activity"}}, dirname=d)
    n2 = len(procs.emu_requests(e2))
    s, h, b = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(KEY))
    r = gw.record(h)
    check("connection refused: failed over to the second", s == 200
          and r.get("hops") == 1 and r.get("upstream") == "bedrock/us-west-2", (s, r))
    n2, n4 = n2 + len(procs.emu_new(e2, n2, 1)), len(procs.emu_requests(e4))
    prompt = "[[emulate:fault=throttle]] hello"
    s, h, b = request(gw, "POST", "/model/%s/invoke" % BEDROCK_MODEL,
                      with_prompt(BEDROCK_BODY, prompt), bearer(KEY))
    check("all failing: 429 ThrottlingException in the Bedrock shape",
          s == 429 and h.get("x-amzn-errortype", "").startswith("ThrottlingException"), (s, h, b))
    r = gw.record(h)
    check("all failing: both live upstreams were tried (the dead one rests)",
          (len(procs.emu_new(e2, n2, 1)), len(procs.emu_new(e4, n4, 1))) == (1, 1),
          (procs.emu_requests(e2)[n2:], procs.emu_requests(e4)[n4:]))
    check("all failing: activity names the last upstream tried, status 429",
          r.get("upstream") == "bedrock/eu-west-1" and r.get("status") == 429
          and r.get("error_type") == "ThrottlingException", r)
    m = gw.metrics_until(lambda m: "status=\"429\"" in m)
    check("all failing: every upstream is resting",
          all(metric(m, "bedrock_gateway_upstream_up", upstream=u) == 0
              for u in ("bedrock/us-east-1", "bedrock/us-west-2", "bedrock/eu-west-1")), m)
    s = request(gw, "POST", "/v1/messages", ANTHROPIC_BODY, xkey(KEY))[0]
    check("all resting: tried anyway, and answered", s == 200, s)
    check("gateway exits 0", gw.stop() == 0, gw.err()[-1000:])


def cross_platform(e1):
    """The throttled Bedrock upstream fails over to a Vertex upstream (the
    emulator's Vertex routes, its token from the emulator's metadata server)
    and to an Anthropic API upstream: every front's stream is re-framed for
    its client."""
    ev = procs.emulator(BIN)
    ea = procs.emulator(BIN)
    env = {"GCE_METADATA_HOST": "127.0.0.1:%d" % ev.port, "NO_GCE_CHECK": "",
           "ANTHROPIC_API_KEY": "sk-ant-emulator-key"}
    for plat, up in (("vertex", {"platform": "vertex", "region": "us-east5",
                                 "project": "emulator-project", "endpoint_url": ev.url}),
                     ("anthropic", {"platform": "anthropic", "endpoint_url": ea.url})):
        d = procs.workdir()
        gw = procs.Gateway(BIN, {"upstreams": [procs.bedrock_upstream(e1), up],
                                 "keys": [{"name": "k", "key": KEY}],
                                 "activity_log": {"dir": d + "/activity"}}, dirname=d, env=env)
        s, h, b = request(gw, "POST", B_STREAM, BEDROCK_BODY, bearer(KEY))
        fr = eventstream_frames(b) if s == 200 else []
        check("%s upstream, Bedrock stream: the answer in chunk frames" % plat,
              eventstream_text(fr) == "You said: hello there", (s, b[:300]))
        stop = [json.loads(base64.b64decode(json.loads(p)["bytes"])) for hh, p in fr
                if hh.get(":event-type") == "chunk"]
        check("%s upstream, Bedrock stream: message_stop gains invocation metrics" % plat,
              stop and stop[-1].get("type") == "message_stop"
              and stop[-1].get("amazon-bedrock-invocationMetrics", {}).get("outputTokenCount") == 5,
              stop[-1:])
        r = gw.record(h)
        check("%s upstream: activity hops=1, upstream_platform %s" % (plat, plat),
              r.get("hops") == 1 and r.get("upstream_platform") == plat
              and r.get("output_tokens") == 5, r)

        s, h, b = request(gw, "POST", "/v1/messages", dict(ANTHROPIC_BODY, stream=True), xkey(KEY))
        names = [e for e, _ in sse_events(b)]
        check("%s upstream, Anthropic stream: the answer, no vertex_event" % plat,
              s == 200 and sse_text(sse_events(b)) == "You said: hello there"
              and "vertex_event" not in names and names[-1] == "message_stop", (s, names))
        s, h, b = request(gw, "POST", VERTEX_PATH + "streamRawPredict",
                          dict(VERTEX_BODY, stream=True), bearer(KEY))
        names = [e for e, _ in sse_events(b)]
        check("%s upstream, Vertex stream: the answer%s" % (
              plat, ", with vertex_event" if plat == "vertex" else ""),
              s == 200 and sse_text(sse_events(b)) == "You said: hello there"
              and ("vertex_event" in names) == (plat == "vertex"), (s, names))
        if plat == "vertex":
            # Vertex clients may call streamRawPredict without "stream": true;
            # the gateway adds it, as it does for any other upstream platform
            s, h, b = request(gw, "POST", VERTEX_PATH + "streamRawPredict", VERTEX_BODY,
                              bearer(KEY))
            names = [e for e, _ in sse_events(b)]
            check("vertex upstream, streamRawPredict without \"stream\": true is a stream",
                  s == 200 and sse_text(sse_events(b)) == "You said: hello there"
                  and "vertex_event" in names and names[-1] == "message_stop", (s, b[:300]))
        check("%s gateway exits 0" % plat, gw.stop() == 0, gw.err()[-1000:])


def main():
    e1 = procs.emulator(BIN, "--fault", "throttle:*")
    e2 = procs.emulator(BIN, "--region", "us-west-2")
    d = procs.workdir()
    gw = procs.Gateway(BIN, {
        "upstreams": [procs.bedrock_upstream(e1, cooldown_s=COOLDOWN),
                      procs.bedrock_upstream(e2, "us-west-2", cooldown_s=COOLDOWN)],
        "keys": [{"name": "k", "key": KEY}],
        "activity_log": {"dir": d + "/activity"}}, dirname=d)
    try:
        failover(e1, e2, gw)
        cut_by_fault(e1, e2, gw)
        cut_by_death()
        dead_and_all_failing(e2)
        cross_platform(e1)
        check("gateway exits 0 on SIGTERM", gw.stop() == 0, gw.err()[-2000:])
    finally:
        procs.stop_all()
    return summary()


if __name__ == "__main__":
    sys.exit(main())
