#!/usr/bin/env python3
"""The fake Anthropic API checked on its own, with Python's urllib and raw
sockets (no code of ours on the client side): it refuses what the real API
refuses, in the API's error shape with a request-id; streams in the real
event order, in random pieces; pages the models; follows its script; logs
every request with the key masked. (tests/node/fake_anthropic.test.mjs
checks it with the official SDK.)
Usage: test_fake_anthropic.py"""
import json
import os
import socket
import sys
import time
import urllib.error
import urllib.request

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "cli"))
from checks import check, summary  # noqa: E402
from fakectl import Fake  # noqa: E402

KEY = "sk-ant-test-key"
MODEL = "claude-sonnet-4-5-20250929"
HEADERS = {"x-api-key": KEY, "anthropic-version": "2023-06-01", "content-type": "application/json"}


def body(prompt="Hello, world", **kw):
    b = {"model": MODEL, "max_tokens": 100, "messages": [{"role": "user", "content": prompt}]}
    b.update(kw)
    return b


def call(fake, path, data=None, headers=None, method=None, drop=()):
    """(status, headers, parsed body or text)."""
    h = dict(HEADERS if headers is None else headers)
    for k in drop:
        h.pop(k, None)
    raw = None if data is None else (data if isinstance(data, bytes) else json.dumps(data).encode())
    req = urllib.request.Request(fake.url + path, data=raw, headers=h,
                                 method=method or ("POST" if raw is not None else "GET"))
    try:
        with urllib.request.urlopen(req, timeout=30) as r:
            status, hdrs, text = r.status, r.headers, r.read().decode()
    except urllib.error.HTTPError as e:
        status, hdrs, text = e.code, e.headers, e.read().decode()
    try:
        return status, hdrs, json.loads(text)
    except ValueError:
        return status, hdrs, text


def raw_stream(fake, data, headers=None):
    """POSTs over a raw socket and returns (status line, headers, the chunk
    sizes, the body bytes, whether the chunked body ended cleanly)."""
    payload = json.dumps(data).encode()
    h = dict(HEADERS if headers is None else headers)
    s = socket.create_connection(("127.0.0.1", fake.port), timeout=30)
    req = "POST /v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: %d\r\n" % len(payload)
    req += "".join("%s: %s\r\n" % kv for kv in h.items()) + "Connection: close\r\n\r\n"
    s.sendall(req.encode() + payload)
    f = s.makefile("rb")
    status = f.readline().decode().strip()
    hdrs = {}
    while True:
        line = f.readline().decode()
        if line in ("\r\n", "\n", ""):
            break
        k, v = line.split(":", 1)
        hdrs[k.strip().lower()] = v.strip()
    sizes, out, clean = [], b"", False
    if hdrs.get("transfer-encoding") == "chunked":
        while True:
            line = f.readline()
            if not line.endswith(b"\r\n"):
                break
            n = int(line.strip(), 16)
            if n == 0:
                clean = f.readline() == b"\r\n"
                break
            piece = f.read(n)
            if len(piece) < n or f.read(2) != b"\r\n":
                out += piece
                break
            sizes.append(n)
            out += piece
    else:
        out = f.read()
        clean = True
    s.close()
    return status, hdrs, sizes, out, clean


def sse_events(data):
    """WHATWG event-stream parsing: (event, data) pairs; comments skipped."""
    text = data.decode("utf-8")
    events, name, lines = [], None, []
    for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        if line == "":
            if lines or name:
                events.append((name or "message", "\n".join(lines)))
            name, lines = None, []
        elif line.startswith(":"):
            continue
        else:
            field, _, value = line.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                lines.append(value)
    return events


def accumulate(events):
    """The final message, rebuilt from the events as the SDKs do."""
    msg = None
    for name, data in events:
        if name in ("ping", "vertex_event"):
            continue
        ev = json.loads(data)
        if ev["type"] == "message_start":
            msg = ev["message"]
        elif ev["type"] == "content_block_start":
            msg["content"].append(dict(ev["content_block"], _json=""))
        elif ev["type"] == "content_block_delta":
            b, d = msg["content"][ev["index"]], ev["delta"]
            if d["type"] == "text_delta":
                b["text"] += d["text"]
            elif d["type"] == "input_json_delta":
                b["_json"] += d["partial_json"]
            elif d["type"] == "thinking_delta":
                b["thinking"] += d["thinking"]
            elif d["type"] == "signature_delta":
                b["signature"] = d["signature"]
        elif ev["type"] == "content_block_stop":
            b = msg["content"][ev["index"]]
            if b["type"] == "tool_use" and b["_json"]:
                b["input"] = json.loads(b["_json"])
        elif ev["type"] == "message_delta":
            msg.update(ev["delta"])
            msg["usage"].update(ev["usage"])
    for b in (msg or {}).get("content", []):
        b.pop("_json", None)
    return msg


def is_api_error(status, hdrs, b, want_status, want_type, words=""):
    rid = hdrs.get("request-id", "")
    return (status == want_status and isinstance(b, dict) and b.get("type") == "error" and
            b["error"]["type"] == want_type and words in b["error"]["message"] and
            rid.startswith("req_") and b.get("request_id") == rid)


def checks_refusals(fake):
    fake.set_state({})
    cases = [
        ("no key", {}, ["x-api-key"], 401, "authentication_error", "x-api-key header is required"),
        ("wrong key", {"x-api-key": "sk-ant-wrong"}, [], 401, "authentication_error", "invalid x-api-key"),
        ("both key and bearer", {"authorization": "Bearer " + KEY}, [], 400, "invalid_request_error",
         "both x-api-key and Authorization"),
        ("wrong bearer", {"authorization": "Bearer nope"}, ["x-api-key"], 401, "authentication_error",
         "bearer"),
        ("no anthropic-version", {}, ["anthropic-version"], 400, "invalid_request_error",
         "anthropic-version: header is required"),
        ("unknown anthropic-version", {"anthropic-version": "bedrock-2023-05-31"}, [], 400,
         "invalid_request_error", "bedrock-2023-05-31' is not a valid version"),
        ("not JSON content-type", {"content-type": "text/plain"}, [], 400, "invalid_request_error",
         "content-type"),
        ("bad anthropic-beta", {"anthropic-beta": "a,,b"}, [], 400, "invalid_request_error",
         "anthropic-beta"),
    ]
    for name, add, drop, st, et, words in cases:
        h = dict(HEADERS)
        h.update(add)
        s, hd, b = call(fake, "/v1/messages", body(), h, drop=drop)
        check("refused: " + name, is_api_error(s, hd, b, st, et, words), (s, b))
    bodies = [
        ("anthropic_version in the body", body(anthropic_version="bedrock-2023-05-31"), 400,
         "anthropic_version: Extra inputs are not permitted"),
        ("anthropic_beta in the body", body(anthropic_beta=["x"]), 400, "anthropic_beta: Extra inputs"),
        ("no model", {k: v for k, v in body().items() if k != "model"}, 400, "model: Field required"),
        ("no max_tokens", {k: v for k, v in body().items() if k != "max_tokens"}, 400,
         "max_tokens: Field required"),
        ("an unknown member", body(colour="blue"), 400, "colour: Extra inputs are not permitted"),
        ("max_tokens above the model's", body(max_tokens=1000000), 400, "maximum allowed"),
        ("no messages", body(messages=[]), 400, "messages"),
        ("a bad role", body(messages=[{"role": "robot", "content": "x"}]), 400, "messages.0.role"),
    ]
    for name, b_, st, words in bodies:
        s, hd, b = call(fake, "/v1/messages", b_)
        check("refused: " + name, is_api_error(s, hd, b, st, "invalid_request_error", words), (s, b))
    s, hd, b = call(fake, "/v1/messages", b"{not json")
    check("refused: a body that is not JSON", is_api_error(s, hd, b, 400, "invalid_request_error", "JSON"), b)
    s, hd, b = call(fake, "/v1/messages", body(model="sonnet-4.5"))
    check("an unknown model is a 404 naming it", is_api_error(s, hd, b, 404, "not_found_error",
                                                              "model: sonnet-4.5"), b)
    s, hd, b = call(fake, "/v1/messages/count_tokens", body())
    check("count_tokens refuses max_tokens", is_api_error(s, hd, b, 400, "invalid_request_error",
                                                          "max_tokens: Extra inputs"), b)
    s, hd, b = call(fake, "/v1/nowhere", body())
    check("an unknown path is a 404 in the API's shape", is_api_error(s, hd, b, 404, "not_found_error"), b)
    log = fake.log()
    check("refusals are logged as such", log and all(e["outcome"].startswith("rejected: ") for e in log),
          [e["outcome"] for e in log])


def checks_answers(fake):
    fake.set_state({})
    s, hd, m = call(fake, "/v1/messages", body("Héllo ✓ 日本"))
    check("create: 200 with a message", s == 200 and m["type"] == "message" and m["role"] == "assistant"
          and m["model"] == MODEL and m["id"].startswith("msg_01"), m)
    check("create: the text echoes the prompt", m["content"] == [{"type": "text", "text": "You said: Héllo ✓ 日本"}], m)
    check("create: usage and stop reason", m["stop_reason"] == "end_turn" and m["usage"]["input_tokens"] > 0
          and m["usage"]["output_tokens"] > 0, m)
    check("create: request-id", hd.get("request-id", "").startswith("req_"), dict(hd))
    s, hd, a = call(fake, "/v1/messages", body(model="claude-sonnet-4-5"))
    check("an alias answers as its dated model", s == 200 and a["model"] == MODEL, a)
    s, _, c = call(fake, "/v1/messages/count_tokens", {"model": MODEL, "messages": body("Héllo ✓ 日本")["messages"]})
    check("count_tokens agrees with the message's input_tokens",
          s == 200 and c == {"input_tokens": m["usage"]["input_tokens"]}, (c, m["usage"]))
    h = dict(HEADERS)
    del h["x-api-key"]
    h["authorization"] = "Bearer " + KEY
    s, _, _ = call(fake, "/v1/messages", body(), h)
    check("Authorization: Bearer works alone", s == 200, s)
    h = dict(HEADERS, **{"anthropic-version": "2026-10-21"})
    s, _, _ = call(fake, "/v1/messages?beta=true", body(), h)
    check("the TypeScript SDK's anthropic-version and the beta path", s == 200, s)
    fake.clear_log()
    h = dict(HEADERS, **{"anthropic-beta": "context-1m-2025-08-07, interleaved-thinking-2025-05-14"})
    call(fake, "/v1/messages", body(), h)
    e = fake.log()[-1]
    check("the log: betas, auth kind, outcome, status, the body",
          e["betas"] == ["context-1m-2025-08-07", "interleaved-thinking-2025-05-14"] and
          e["auth"] == "x-api-key" and e["outcome"] == "normal" and e["status"] == 200 and
          json.loads(e["body"])["model"] == MODEL and e["request_id"].startswith("req_"), e)
    check("the log masks the key", KEY not in fake.log_text() and e["headers"]["x-api-key"].startswith("****-key"),
          e["headers"].get("x-api-key"))


def checks_stream(fake):
    prompt = "Grüße, ✓ 日本語 — a longer prompt so the stream has many deltas to split"
    want = call(fake, "/v1/messages", body(prompt))[2]
    for seed in (1, 2, 3):
        fake.set_state({"split_seed": seed, "split_max": 5})
        status, hdrs, sizes, data, clean = raw_stream(fake, body(prompt, stream=True))
        events = sse_events(data)
        names = [n for n, _ in events]
        check("seed %d: 200 text/event-stream with a request-id" % seed,
              "200" in status and hdrs.get("content-type", "").startswith("text/event-stream") and
              hdrs.get("request-id", "").startswith("req_"), (status, hdrs))
        check("seed %d: written in pieces of 1..5 bytes" % seed,
              len(sizes) > 50 and max(sizes) <= 5 and min(sizes) >= 1 and clean, sizes[:20])
        check("seed %d: the real event order" % seed,
              names[:3] == ["message_start", "content_block_start", "ping"] and
              names[-3:] == ["content_block_stop", "message_delta", "message_stop"] and
              set(names[3:-3]) == {"content_block_delta"}, names)
        check("seed %d: accumulates to create's message" % seed, accumulate(events) == want,
              (accumulate(events), want))
    # The pieces cut UTF-8 sequences and lines somewhere.
    fake.set_state({"split_seed": 7, "split_max": 3, "crlf": True})
    _, _, sizes, data, _ = raw_stream(fake, body(prompt, stream=True))
    cuts, pos = [], 0
    for n in sizes[:-1]:
        pos += n
        cuts.append(pos)
    check("some piece ends inside a UTF-8 sequence", any(0x80 <= data[c] < 0xC0 for c in cuts))
    check("some piece ends between CR and LF", any(data[c - 1:c + 1] == b"\r\n" for c in cuts))
    check("crlf: every line ends with CRLF", data.count(b"\n") == data.count(b"\r\n") > 0)
    fake.set_state({"comments": True, "vertex_event": True, "crlf": True, "split_max": 0})
    _, _, sizes, data, _ = raw_stream(fake, body(prompt, stream=True))
    events = sse_events(data)
    check("comments and vertex_event are on the wire", b"\r\n: comment" in data and
          b"event: vertex_event\r\n" in data and b": keep-alive\r\n\r\n" in data, data[:300])
    check("split_max 0: one chunk per event", len(sizes) >= len(events), (len(sizes), len(events)))
    check("...and they change nothing for a client that skips them", accumulate(events) == want)
    fake.set_state({"script": [{"text": "Let me check.", "thinking": "The user wants weather.",
                                "tool_use": {"name": "get_weather", "input": {"city": "Lyon", "unit": "c"}}}] * 2})
    m = call(fake, "/v1/messages", body("Weather in Lyon?"))[2]
    events = sse_events(raw_stream(fake, body("Weather in Lyon?", stream=True))[3])
    check("thinking, text and tool_use blocks, stop_reason tool_use",
          [b["type"] for b in m["content"]] == ["thinking", "text", "tool_use"] and
          m["content"][2]["input"] == {"city": "Lyon", "unit": "c"} and m["stop_reason"] == "tool_use", m)
    check("the same streamed", accumulate(events) == m, (accumulate(events), m))


def checks_script(fake):
    fake.set_state({"script": [
        {"status": 529, "headers": {"x-should-retry": "true", "retry-after-ms": "5"}},
        {"status": 200, "text": "Hello"},
        {"path": "/v1/models", "status": 500, "message": "models broke"},
    ]})
    fake.clear_log()
    s, hd, b = call(fake, "/v1/messages", body())
    check("script[0]: 529 overloaded_error with its headers",
          is_api_error(s, hd, b, 529, "overloaded_error", "Overloaded") and
          hd.get("x-should-retry") == "true" and hd.get("retry-after-ms") == "5", (s, b, dict(hd)))
    s, hd, b = call(fake, "/v1/messages/count_tokens", {"model": MODEL, "messages": body()["messages"]})
    check("script[1] answers any path; it counts", s == 200 and "input_tokens" in b, b)
    s, hd, b = call(fake, "/v1/messages", body())
    check("script[2] is only for /v1/models: this one is normal", s == 200 and
          b["content"][0]["text"] == "You said: Hello, world", b)
    s, hd, b = call(fake, "/v1/models")
    check("script[2] on /v1/models", is_api_error(s, hd, b, 500, "api_error", "models broke"), b)
    s, _, b = call(fake, "/v1/models")
    check("then normal again", s == 200, b)
    check("the log names each outcome", [e["outcome"] for e in fake.log()] ==
          ["script[0]", "script[1]", "normal", "script[2]", "normal"], [e["outcome"] for e in fake.log()])
    fake.set_state({"script": [{"status": 400, "error_type": "invalid_request_error", "message": "nope",
                                "repeat": 2, "request_id": "req_fixed"}]})
    r = [call(fake, "/v1/messages", body()) for _ in range(3)]
    check("repeat and a fixed request_id", [x[0] for x in r] == [400, 400, 200] and
          r[0][1].get("request-id") == "req_fixed" and r[0][2]["request_id"] == "req_fixed",
          [(x[0], x[2]) for x in r])
    for t, st in (("rate_limit_error", 429), ("api_error", 500), ("authentication_error", 401),
                  ("permission_error", 403), ("billing_error", 402), ("timeout_error", 504)):
        fake.set_state({"script": [{"status": st}]})
        s, hd, b = call(fake, "/v1/messages", body())
        check("status %d defaults to %s" % (st, t), is_api_error(s, hd, b, st, t), b)

    # Mid-stream error after 3 deltas; a cut; a non-stream cut.
    fake.set_state({"script": [{"stream_error_after": 3}]})
    _, _, _, data, clean = raw_stream(fake, body("a prompt long enough", stream=True))
    ev = sse_events(data)
    check("stream_error_after 3: three deltas then event: error, cleanly ended",
          [n for n, _ in ev].count("content_block_delta") == 3 and ev[-1][0] == "error" and clean and
          json.loads(ev[-1][1]) == {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}},
          ev[-2:])
    fake.set_state({"script": [{"cut_after": 2}]})
    _, _, _, data, clean = raw_stream(fake, body("a prompt long enough", stream=True))
    check("cut_after 2: two deltas, half an event, no chunked end",
          not clean and [n for n, _ in sse_events(data)].count("content_block_delta") == 2 and
          data.count(b"event: content_block_delta") == 3 and not data.endswith(b"\n\n"),
          data[-80:])
    fake.set_state({"script": [{"cut_after": 0}]})
    req = urllib.request.Request(fake.url + "/v1/messages", data=json.dumps(body()).encode(),
                                 headers=HEADERS)
    try:
        urllib.request.urlopen(req, timeout=10).read()
        cut = False
    except Exception as e:  # http.client.IncompleteRead
        cut = "IncompleteRead" in type(e).__name__ or "IncompleteRead" in repr(e)
    check("cut_after on a complete call: half the body", cut)
    fake.set_state({"script": [{"stall": 1.0}]})
    t0 = time.time()
    s, _, _ = call(fake, "/v1/messages", body())
    check("stall: the answer waits", s == 200 and time.time() - t0 >= 0.9, time.time() - t0)
    fake.set_state({"script": [{"close": True}]})
    try:
        call(fake, "/v1/messages", body())
        closed = False
    except Exception:
        closed = True
    check("close: no answer at all", closed)
    fake.set_state({"script": [{"pause_after": 1, "pause": 0.8}]})
    t0 = time.time()
    _, _, _, data, clean = raw_stream(fake, body(stream=True))
    check("pause mid-stream, then the rest", clean and time.time() - t0 >= 0.7 and
          sse_events(data)[-1][0] == "message_stop", time.time() - t0)


def checks_models(fake):
    fake.set_state({})
    s, hd, b = call(fake, "/v1/models")
    ids = [m["id"] for m in b["data"]]
    check("models: the default page", s == 200 and MODEL in ids and not b["has_more"] and
          b["first_id"] == ids[0] and b["last_id"] == ids[-1] and
          all(m["type"] == "model" and m["display_name"] and m["created_at"] for m in b["data"]), b)
    fake.set_state({"page_size_max": 3})
    seen, after = [], None
    for _ in range(10):
        q = "?limit=1000" + ("&after_id=" + after if after else "")
        b = call(fake, "/v1/models" + q)[2]
        seen += [m["id"] for m in b["data"]]
        check("page of at most 3", 0 < len(b["data"]) <= 3, b)
        if not b["has_more"]:
            break
        after = b["last_id"]
    check("paging with after_id walks every model once", seen == ids, seen)
    b = call(fake, "/v1/models?limit=2&before_id=" + ids[4])[2]
    check("before_id: the page just before", [m["id"] for m in b["data"]] == ids[2:4] and b["has_more"], b)
    s, hd, b = call(fake, "/v1/models?limit=0")
    check("limit 0 is refused", is_api_error(s, hd, b, 400, "invalid_request_error", "limit"), b)
    s, _, b = call(fake, "/v1/models/claude-sonnet-4-5")
    check("models/{alias}", s == 200 and b["id"] == MODEL, b)
    s, hd, b = call(fake, "/v1/models/claude-nope")
    check("models/{unknown} is a 404", is_api_error(s, hd, b, 404, "not_found_error", "claude-nope"), b)


def checks_state_restart(fake):
    script = {"script": [{"status": 529}]}
    fake.set_state(script)
    a = call(fake, "/v1/messages", body())[0]
    fake.set_state(script)
    b = call(fake, "/v1/messages", body())[0]
    c = call(fake, "/v1/messages", body())[0]
    check("writing the state again restarts its script", (a, b, c) == (529, 529, 200), (a, b, c))


def main():
    with Fake() as fake:
        for f in (checks_refusals, checks_answers, checks_stream, checks_script, checks_models,
                  checks_state_restart):
            fake.clear_log()
            f(fake)
        check("the key never reached the log", KEY not in fake.log_text())
    return summary()


if __name__ == "__main__":
    sys.exit(main())
