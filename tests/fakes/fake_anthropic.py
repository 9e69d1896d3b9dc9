#!/usr/bin/env python3
"""A loopback fake of the Anthropic API (api.anthropic.com): the Messages
API (JSON, or SSE when the body says "stream": true), count_tokens and the
models list, checking every request as the real API does and answering
the API's error shape when one is wrong, so that a client bug shows up as
a 400 that names it rather than as a silent success.

Usage: fake_anthropic.py --state STATE.json --log LOG.jsonl [--lifetime S]
Prints "PORT <n>" on stdout once listening on 127.0.0.1. The state file is
re-read on every request, so a test changes the fake's behaviour by
rewriting it (write a temporary file and rename it over the state: a new
state file also restarts its script). Every request is appended to the log
as one JSON line, its secrets masked. Stops on SIGTERM, or by itself after
--lifetime seconds (default 300). Python 3 standard library only.

The state (every key optional):
  api_key        the key x-api-key must carry (default "sk-ant-test-key")
  auth_token     the token "Authorization: Bearer" may carry (default:
                 api_key); the API key is accepted there too, as the API
                 does (the TypeScript SDK 1.x sends its apiKey as a Bearer)
  versions       anthropic-version values accepted (default "2023-06-01"
                 and the official TypeScript SDK's "2026-10-21")
  split_seed     seeds the random byte-sized pieces SSE is written in
                 (default 1); split_max: the largest piece (default 7; 0
                 writes each event whole); split_sleep_ms: the longest
                 pause between two pieces (default 1)
  crlf           SSE lines end with CRLF
  comments       ": ..." comment lines, inside events and on their own
  vertex_event   an unknown event ("event: vertex_event", or this name if
                 a string) after the first block starts
  pings          how many pings follow the first content_block_start
                 (default 1, as the API does)
  delta_chars    characters per text delta (default 4)
  models         the models list (default: the Claude models below)
  page_size_max  the most models one page holds, whatever the limit asked
                 (default 1000, the API's own cap), to make a client page
  max_body       the largest request body (default 32 MiB, as the API)
  script         a queue of outcomes, consumed in order by the requests
                 that pass the checks; once it is empty every request is
                 answered normally (a deterministic text echoing the
                 prompt: "You said: PROMPT"). An entry:
    path         only requests to this exact path take it (others skip it)
    repeat       how many requests it answers (default 1)
    status       HTTP status (default 200)
    error_type, message   the error of a status >= 400 (defaults by status)
    headers      extra response headers, e.g. {"x-should-retry": "true",
                 "retry-after-ms": "5"}
    body         a raw body to send instead (content_type: its type)
    request_id   the request-id to answer with (default random "req_...")
    text         the answer's text; thinking: a thinking block before it;
    tool_use     {"name", "input", "id"} or a list of them, after the text;
    stop_reason  (default end_turn, or tool_use when there is a tool call)
    input_tokens, output_tokens   override the usage (and count_tokens)
    stream_error_after  N: a stream sends N deltas, then
                 "event: error" with stream_error {"type", "message"}
                 (default overloaded_error, "Overloaded"); a request that
                 is not a stream gets that error as its HTTP answer
    cut_after    N: a stream sends N deltas and half an event, then the
                 connection closes (a complete call: half its body)
    stall        seconds to wait before the headers
    pause_after, pause   a stream waits `pause` seconds after N deltas
    close        true: the connection closes with no answer at all

A log line: method, path, query, headers (x-api-key, authorization,
cookie and the like masked to their last 4 characters and a SHA-256
prefix), body, auth ("x-api-key", "bearer", "both" or "none"), betas
(the anthropic-beta values), request_id, status, outcome ("normal",
"script[i]" or "rejected: WHY"), stream (true/false) and time (Unix
seconds, for measuring back-off between attempts).
"""
import argparse
import hashlib
import json
import math
import os
import random
import re
import signal
import socket
import string
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()
SCRIPT_LOCK = threading.Lock()
# Which state file the script position belongs to: (inode, mtime, digest).
SCRIPT = {"key": None, "used": []}

DEFAULT_KEY = "sk-ant-test-key"
DEFAULT_VERSIONS = ["2023-06-01", "2026-10-21"]
SECRET_HEADERS = ("x-api-key", "authorization", "proxy-authorization", "cookie",
                  "x-goog-api-key", "x-amz-security-token")

# The API's models, newest first: id, display_name, created_at, max_tokens.
MODELS = [
    ("claude-opus-4-6", "Claude Opus 4.6", "2026-02-04T00:00:00Z", 128000),
    ("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-24T00:00:00Z", 64000),
    ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-15T00:00:00Z", 64000),
    ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z", 64000),
    ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z", 32000),
    ("claude-opus-4-20250514", "Claude Opus 4", "2025-05-22T00:00:00Z", 32000),
    ("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-22T00:00:00Z", 64000),
    ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-24T00:00:00Z", 64000),
    ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z", 8192),
    ("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07T00:00:00Z", 4096),
]

ERROR_TYPES = {400: "invalid_request_error", 401: "authentication_error", 402: "billing_error",
               403: "permission_error", 404: "not_found_error", 408: "timeout_error",
               409: "conflict_error", 413: "request_too_large", 429: "rate_limit_error",
               500: "api_error", 504: "timeout_error", 529: "overloaded_error"}
ERROR_MESSAGES = {
    "invalid_request_error": "Invalid request",
    "authentication_error": "invalid x-api-key",
    "billing_error": "Your credit balance is too low to access the Anthropic API.",
    "permission_error": "Your API key does not have permission to use the specified resource.",
    "not_found_error": "Not found",
    "timeout_error": "Request timeout",
    "conflict_error": "Conflict",
    "request_too_large": "Request exceeds the maximum allowed number of bytes.",
    "rate_limit_error": "Number of request tokens has exceeded your per-minute rate limit.",
    "api_error": "Internal server error",
    "overloaded_error": "Overloaded",
}

# Top-level members of a Messages body, and those count_tokens takes too.
MESSAGES_FIELDS = {"model", "messages", "max_tokens", "system", "metadata", "stop_sequences",
                   "stream", "temperature", "top_p", "top_k", "tools", "tool_choice", "thinking",
                   "service_tier", "container", "mcp_servers", "context_management",
                   "output_config", "output_format", "inference_geo"}
COUNT_FIELDS = {"model", "messages", "system", "tools", "tool_choice", "thinking", "mcp_servers",
                "context_management", "output_config", "output_format"}
# Members that belong to other platforms' bodies: why each is refused.
FOREIGN_FIELDS = {
    "anthropic_version": "Extra inputs are not permitted (the Anthropic API takes the "
                         "anthropic-version header; a body anthropic_version is Bedrock's and Vertex's)",
    "anthropic_beta": "Extra inputs are not permitted (the Anthropic API takes betas in the "
                      "anthropic-beta header)",
}


class Reject(Exception):
    """A request the API refuses: status, error type, message."""

    def __init__(self, status, etype, message):
        super().__init__(message)
        self.status, self.etype, self.message = status, etype, message


class Cut(Exception):
    """The connection is to be dropped without finishing the answer."""


def state_and_key():
    try:
        st = os.stat(ARGS.state)
        with open(ARGS.state, "rb") as f:
            raw = f.read()
        key = (st.st_ino, st.st_mtime_ns, hashlib.sha256(raw).hexdigest())
        data = json.loads(raw or b"{}")
        return (data if isinstance(data, dict) else {}), key
    except (OSError, ValueError):
        return {}, None


def take_script(st, key, path):
    """The next scripted outcome for this path (index, entry), or None.
    A new state file starts its script from the top."""
    script = st.get("script") or []
    with SCRIPT_LOCK:
        if SCRIPT["key"] != key:
            SCRIPT["key"], SCRIPT["used"] = key, [0] * len(script)
        used = SCRIPT["used"]
        for i, e in enumerate(script):
            if not isinstance(e, dict) or i >= len(used):
                continue
            if e.get("path") not in (None, path):
                continue
            if used[i] < int(e.get("repeat", 1)):
                used[i] += 1
                return i, e
    return None


def mask(value):
    digest = hashlib.sha256(value.encode()).hexdigest()[:12]
    return "****%s (sha256:%s)" % (value[-4:] if len(value) > 8 else "", digest)


def request_id():
    return "req_011C" + "".join(random.choice(string.ascii_letters + string.digits) for _ in range(20))


def b62(data, n):
    alphabet = string.digits + string.ascii_letters
    v = int.from_bytes(hashlib.sha256(data).digest(), "big")
    out = ""
    while len(out) < n:
        v, r = divmod(v, 62)
        out += alphabet[r]
    return out


def canonical(obj):
    return json.dumps(obj, separators=(",", ":"), sort_keys=True, ensure_ascii=False).encode()


def compact(obj):
    """JSON as the API writes it: no spaces, UTF-8 as is."""
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode()


def tokens_of(nbytes):
    return max(1, math.ceil(nbytes / 4))


def models_of(st):
    given = st.get("models")
    if isinstance(given, list):
        return given
    return [{"type": "model", "id": i, "display_name": n, "created_at": c, "max_tokens": m,
             "max_input_tokens": 200000} for i, n, c, m in MODELS]


def aliases(model_id):
    """The API's undated names for a dated id, as the API accepts them:
    claude-sonnet-4-5, claude-opus-4-0, claude-3-7-sonnet-latest."""
    m = re.match(r"^(.*)-(\d{8})$", model_id)
    if not m:
        return []
    base = m.group(1)
    if base.startswith("claude-3"):
        return [base + "-latest"]
    if re.search(r"[^\d]-\d+$", base):  # claude-opus-4: one version number
        return [base + "-0"]
    return [base]


def find_model(st, name):
    for m in models_of(st):
        if name == m.get("id") or name in aliases(m.get("id", "")):
            return m
    return None


def text_of(content):
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "\n".join(b.get("text", "") for b in content
                         if isinstance(b, dict) and b.get("type") == "text")
    return ""


class Answer:
    """What a successful Messages call answers: blocks and usage."""

    def __init__(self, st, body, model, entry):
        entry = entry or {}
        prompt = ""
        for m in reversed(body.get("messages") or []):
            if isinstance(m, dict) and m.get("role") == "user":
                prompt = text_of(m.get("content"))
                break
        self.model = model["id"]
        seed = canonical({k: body.get(k) for k in ("model", "system", "messages", "tools")})
        self.id = "msg_01" + b62(seed, 22)
        self.blocks = []
        if entry.get("thinking"):
            self.blocks.append({"type": "thinking", "thinking": entry["thinking"],
                                "signature": "Sig" + b62(entry["thinking"].encode(), 40)})
        text = entry.get("text")
        if text is None:
            text = ("You said: " + prompt) if prompt else "Thanks for the tool result."
        tools = entry.get("tool_use") or []
        if isinstance(tools, dict):
            tools = [tools]
        if text or not tools:
            self.blocks.append({"type": "text", "text": text})
        for n, t in enumerate(tools):
            self.blocks.append({"type": "tool_use",
                                "id": t.get("id") or "toolu_01" + b62(seed + str(n).encode(), 22),
                                "name": t.get("name", "tool"), "input": t.get("input", {})})
        self.stop_reason = entry.get("stop_reason") or ("tool_use" if tools else "end_turn")
        self.input_tokens = entry.get("input_tokens", input_tokens(body))
        out = sum(len(canonical(b)) for b in self.blocks)
        self.output_tokens = entry.get("output_tokens", tokens_of(out))

    def usage(self, output_tokens):
        return {"input_tokens": self.input_tokens, "cache_creation_input_tokens": 0,
                "cache_read_input_tokens": 0, "output_tokens": output_tokens,
                "service_tier": "standard"}

    def message(self):
        return {"id": self.id, "type": "message", "role": "assistant", "model": self.model,
                "content": self.blocks, "stop_reason": self.stop_reason, "stop_sequence": None,
                "usage": self.usage(self.output_tokens)}

    def events(self, st):
        """The stream as (event name, data) pairs; ("delta", ...) marks the
        content_block_delta events the script counts."""
        n = max(1, int(st.get("delta_chars", 4)))
        start = self.message()
        start.update(content=[], stop_reason=None, usage=self.usage(1))
        yield "message_start", {"type": "message_start", "message": start}
        for i, b in enumerate(self.blocks):
            if b["type"] == "text":
                first, deltas = {"type": "text", "text": ""}, [
                    {"type": "text_delta", "text": b["text"][j:j + n]}
                    for j in range(0, len(b["text"]), n)]
            elif b["type"] == "thinking":
                first, deltas = {"type": "thinking", "thinking": "", "signature": ""}, [
                    {"type": "thinking_delta", "thinking": b["thinking"][j:j + n]}
                    for j in range(0, len(b["thinking"]), n)]
                deltas.append({"type": "signature_delta", "signature": b["signature"]})
            else:
                raw = json.dumps(b["input"], separators=(",", ":"), ensure_ascii=False)
                first = {"type": "tool_use", "id": b["id"], "name": b["name"], "input": {}}
                deltas = [{"type": "input_json_delta", "partial_json": ""}] + [
                    {"type": "input_json_delta", "partial_json": raw[j:j + 2 * n]}
                    for j in range(0, len(raw), 2 * n)]
            yield "content_block_start", {"type": "content_block_start", "index": i,
                                          "content_block": first}
            if i == 0:
                for _ in range(int(st.get("pings", 1))):
                    yield "ping", {"type": "ping"}
                if st.get("vertex_event"):
                    name = st["vertex_event"] if isinstance(st["vertex_event"], str) else "vertex_event"
                    yield name, {"type": name, "note": "an event this client does not know"}
            for d in deltas:
                yield "delta", {"type": "content_block_delta", "index": i, "delta": d}
            yield "content_block_stop", {"type": "content_block_stop", "index": i}
        usage = self.usage(self.output_tokens)
        del usage["service_tier"]
        yield "message_delta", {"type": "message_delta",
                                "delta": {"stop_reason": self.stop_reason, "stop_sequence": None},
                                "usage": usage}
        yield "message_stop", {"type": "message_stop"}


def input_tokens(body):
    parts = {k: body.get(k) for k in ("system", "messages", "tools") if k in body}
    return tokens_of(len(canonical(parts)))


def check_fields(body, allowed):
    if not isinstance(body, dict):
        raise Reject(400, "invalid_request_error", "Input should be a valid dictionary")
    for k in body:
        if k in FOREIGN_FIELDS:
            raise Reject(400, "invalid_request_error", "%s: %s" % (k, FOREIGN_FIELDS[k]))
        if k not in allowed:
            raise Reject(400, "invalid_request_error", "%s: Extra inputs are not permitted" % k)


def check_messages(body):
    msgs = body.get("messages")
    if msgs is None:
        raise Reject(400, "invalid_request_error", "messages: Field required")
    if not isinstance(msgs, list):
        raise Reject(400, "invalid_request_error", "messages: Input should be a valid list")
    if not msgs:
        raise Reject(400, "invalid_request_error", "messages: at least one message is required")
    for i, m in enumerate(msgs):
        if not isinstance(m, dict) or m.get("role") not in ("user", "assistant"):
            raise Reject(400, "invalid_request_error",
                         "messages.%d.role: Input should be 'user' or 'assistant'" % i)
        c = m.get("content")
        if not isinstance(c, (str, list)):
            raise Reject(400, "invalid_request_error",
                         "messages.%d.content: Input should be a valid list" % i)
        for j, b in enumerate(c if isinstance(c, list) else []):
            if not isinstance(b, dict) or not isinstance(b.get("type"), str):
                raise Reject(400, "invalid_request_error",
                             "messages.%d.content.%d.type: Field required" % (i, j))
    if "system" in body and not isinstance(body["system"], (str, list)):
        raise Reject(400, "invalid_request_error", "system: Input should be a valid list")
    if "tools" in body and not isinstance(body["tools"], list):
        raise Reject(400, "invalid_request_error", "tools: Input should be a valid list")


def check_model(st, body):
    name = body.get("model")
    if name is None:
        raise Reject(400, "invalid_request_error", "model: Field required")
    if not isinstance(name, str):
        raise Reject(400, "invalid_request_error", "model: Input should be a valid string")
    m = find_model(st, name)
    if not m:
        raise Reject(404, "not_found_error", "model: %s" % name)
    return m


def check_message_body(st, body):
    check_fields(body, MESSAGES_FIELDS)
    model = check_model(st, body)
    mt = body.get("max_tokens")
    if mt is None:
        raise Reject(400, "invalid_request_error", "max_tokens: Field required")
    if not isinstance(mt, int) or isinstance(mt, bool):
        raise Reject(400, "invalid_request_error", "max_tokens: Input should be a valid integer")
    if mt < 1:
        raise Reject(400, "invalid_request_error",
                     "max_tokens: Input should be greater than or equal to 1")
    if model.get("max_tokens") and mt > model["max_tokens"]:
        raise Reject(400, "invalid_request_error",
                     "max_tokens: %d > %d, which is the maximum allowed number of output tokens "
                     "for %s" % (mt, model["max_tokens"], model["id"]))
    if "stream" in body and not isinstance(body["stream"], bool):
        raise Reject(400, "invalid_request_error", "stream: Input should be a valid boolean")
    check_messages(body)
    return model


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def version_string(self):
        return "fake-anthropic"

    def log_message(self, *a):
        pass

    def setup(self):
        super().setup()
        # Each piece of a stream leaves as its own segment.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    # ---- plumbing --------------------------------------------------------

    def read_body(self, limit):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
                if len(data) > limit:
                    raise Reject(413, "request_too_large", ERROR_MESSAGES["request_too_large"])
        n = int(self.headers.get("Content-Length") or 0)
        if n > limit:
            self.close_connection = True
            raise Reject(413, "request_too_large", ERROR_MESSAGES["request_too_large"])
        return self.rfile.read(n) if n else b""

    def common_headers(self):
        self.send_header("request-id", self.rid)
        self.send_header("anthropic-organization-id", "00000000-0000-4000-8000-000000000000")
        for k, v in self.extra.items():
            self.send_header(k, str(v))

    def reply(self, status, body, ctype="application/json"):
        data = compact(body) if isinstance(body, (dict, list)) else (
            body.encode() if isinstance(body, str) else body)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.common_headers()
        self.end_headers()
        self.wfile.write(data)

    def error(self, status, etype, message):
        self.reply(status, {"type": "error", "error": {"type": etype, "message": message},
                            "request_id": self.rid})

    def log(self, body, outcome, status, stream=False):
        headers = {}
        for k, v in self.headers.items():
            k = k.lower()
            headers[k] = mask(v) if k in SECRET_HEADERS else v
        entry = {"method": self.command, "path": self.url.path, "query": self.url.query,
                 "headers": headers, "body": body.decode("utf-8", "replace"),
                 "auth": self.auth_kind(), "betas": self.betas(), "request_id": self.rid,
                 "status": status, "outcome": outcome, "stream": stream, "time": time.time()}
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps(entry) + "\n")

    def auth_kind(self):
        key = self.headers.get("x-api-key") is not None
        bearer = self.headers.get("authorization") is not None
        return "both" if key and bearer else "x-api-key" if key else "bearer" if bearer else "none"

    def betas(self):
        return [b.strip() for h in self.headers.get_all("anthropic-beta") or [] for b in h.split(",")]

    # ---- checks, in the API's order: auth, version, betas, then the body --

    def check_headers(self, st):
        key, auth = self.headers.get("x-api-key"), self.headers.get("authorization")
        if key is not None and auth is not None:
            raise Reject(400, "invalid_request_error",
                         "both x-api-key and Authorization headers were sent; send one of them")
        if key is None and auth is None:
            raise Reject(401, "authentication_error", "x-api-key header is required")
        want_key = st.get("api_key", DEFAULT_KEY)
        if key is not None and key != want_key:
            raise Reject(401, "authentication_error", "invalid x-api-key")
        if auth is not None:
            if not auth.startswith("Bearer "):
                raise Reject(401, "authentication_error",
                             "Authorization header must be 'Bearer <token>'")
            # An API key is a bearer credential too (the TypeScript SDK 1.x
            # sends its apiKey so).
            if auth[len("Bearer "):] not in (st.get("auth_token", want_key), want_key):
                raise Reject(401, "authentication_error", "Invalid bearer token")
        versions = self.headers.get_all("anthropic-version") or []
        if not versions:
            raise Reject(400, "invalid_request_error", "anthropic-version: header is required")
        if len(versions) > 1 or versions[0] not in st.get("versions", DEFAULT_VERSIONS):
            raise Reject(400, "invalid_request_error",
                         "anthropic-version: '%s' is not a valid version" % ", ".join(versions))
        for b in self.betas():
            if not re.match(r"^[a-z0-9][a-z0-9.-]*$", b):
                raise Reject(400, "invalid_request_error",
                             "anthropic-beta: unexpected value '%s' (a comma-separated list of "
                             "beta names)" % b)
        if self.command == "POST":
            ctype = self.headers.get("content-type", "")
            if ctype.split(";")[0].strip().lower() != "application/json":
                raise Reject(400, "invalid_request_error",
                             "content-type: must be application/json, not '%s'" % ctype)

    def json_body(self, raw):
        try:
            return json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError) as e:
            raise Reject(400, "invalid_request_error",
                         "There was an issue with the body of your request: not valid JSON (%s)" % e)

    # ---- requests --------------------------------------------------------

    def handle_any(self):
        self.rid = request_id()
        self.extra = {}
        self.url = urllib.parse.urlsplit(self.path)
        st, key = state_and_key()
        raw = b""
        route = (self.command, self.url.path)
        try:
            raw = self.read_body(int(st.get("max_body", 32 * 1024 * 1024)))
            if route not in (("POST", "/v1/messages"), ("POST", "/v1/messages/count_tokens"),
                             ("GET", "/v1/models")) and not (
                    self.command == "GET" and self.url.path.startswith("/v1/models/")):
                raise Reject(404, "not_found_error", "Not Found")
            self.check_headers(st)
            body = None
            if self.command == "POST":
                body = self.json_body(raw)
                if self.url.path == "/v1/messages":
                    model = check_message_body(st, body)
                else:
                    check_fields(body, COUNT_FIELDS)
                    model = check_model(st, body)
                    check_messages(body)
        except Reject as r:
            self.log(raw, "rejected: " + r.message, r.status)
            return self.error(r.status, r.etype, r.message)
        stream = bool(body and body.get("stream") is True and self.url.path == "/v1/messages")
        took = take_script(st, key, self.url.path)
        entry = took[1] if took else {}
        outcome = "script[%d]" % took[0] if took else "normal"
        self.rid = entry.get("request_id", self.rid)
        self.extra = dict(entry.get("headers") or {})
        status = int(entry.get("status", 200))
        self.log(raw, outcome, status, stream)
        if entry.get("close"):
            return self.drop()
        if entry.get("stall"):
            time.sleep(float(entry["stall"]))
        try:
            if entry.get("body") is not None:
                return self.reply(status, entry["body"], entry.get("content_type", "application/json"))
            if status >= 400:
                etype = entry.get("error_type") or ERROR_TYPES.get(
                    status, "api_error" if status >= 500 else "invalid_request_error")
                return self.error(status, etype, entry.get("message") or ERROR_MESSAGES.get(etype, etype))
            if self.url.path == "/v1/messages":
                return self.messages(st, body, model, entry, stream, status)
            if self.url.path == "/v1/messages/count_tokens":
                return self.reply(status, {"input_tokens": entry.get("input_tokens", input_tokens(body))})
            if self.url.path == "/v1/models":
                return self.models_list(st, status)
            return self.model_get(st, status)
        except Cut:
            return self.drop()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = handle_any

    def drop(self):
        self.close_connection = True
        try:
            self.wfile.flush()
            self.connection.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass

    def messages(self, st, body, model, entry, stream, status):
        ans = Answer(st, body, model, entry)
        if not stream:
            if entry.get("stream_error_after") is not None:
                e = entry.get("stream_error") or {}
                etype = e.get("type", "overloaded_error")
                code = {v: k for k, v in ERROR_TYPES.items()}.get(etype, 500)
                return self.error(code, etype, e.get("message", ERROR_MESSAGES.get(etype, etype)))
            data = compact(ans.message())
            if entry.get("cut_after") is not None:
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.common_headers()
                self.end_headers()
                self.wfile.write(data[:len(data) // 2])
                raise Cut()
            return self.reply(status, data)
        self.send_response(status)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.common_headers()
        self.end_headers()
        self.sse(st, ans, entry)

    def sse(self, st, ans, entry):
        rng = random.Random(st.get("split_seed", 1))
        split_max = int(st.get("split_max", 7))
        sleep_ms = float(st.get("split_sleep_ms", 1))
        eol = "\r\n" if st.get("crlf") else "\n"
        comments = bool(st.get("comments"))
        pending = bytearray()

        def send(data, final=False):
            """Writes bytes as chunks of random sizes (the split points are
            the chunk boundaries; TCP_NODELAY and the pauses keep them)."""
            pending.extend(data)
            while pending and (final or split_max > 0):
                n = len(pending) if split_max <= 0 else min(len(pending), rng.randint(1, split_max))
                piece = bytes(pending[:n])
                del pending[:n]
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
                if sleep_ms > 0 and rng.random() < 0.25:
                    time.sleep(rng.random() * sleep_ms / 1000.0)
            if split_max <= 0 and pending:
                self.wfile.write(b"%x\r\n%s\r\n" % (len(pending), bytes(pending)))
                self.wfile.flush()
                del pending[:]

        def event(name, data, n):
            lines = []
            if comments and n % 3 == 0:
                lines.append(": comment %d" % n)
            lines.append("event: " + name)
            lines.append("data: " + compact(data).decode())
            return (eol.join(lines) + eol + eol).encode()

        deltas = 0
        err_after = entry.get("stream_error_after")
        cut_after = entry.get("cut_after")
        pause_after = entry.get("pause_after")
        for n, (name, data) in enumerate(ans.events(st)):
            is_delta = name == "delta"
            if is_delta:
                name = "content_block_delta"
                if err_after is not None and deltas >= int(err_after):
                    e = entry.get("stream_error") or {}
                    etype = e.get("type", "overloaded_error")
                    send(event("error", {"type": "error", "error": {
                        "type": etype, "message": e.get("message", ERROR_MESSAGES.get(etype, etype))}}, n))
                    break
                if cut_after is not None and deltas >= int(cut_after):
                    half = event(name, data, n)
                    send(half[:len(half) // 2], final=True)
                    raise Cut()
                if pause_after is not None and deltas == int(pause_after):
                    send(b"", final=True)
                    time.sleep(float(entry.get("pause", 0)))
            send(event(name, data, n))
            if comments and name == "message_start":
                send((": keep-alive" + eol + eol).encode())
            if is_delta:
                deltas += 1
        send(b"", final=True)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def models_list(self, st, status):
        q = urllib.parse.parse_qs(self.url.query)
        models = models_of(st)
        ids = [m.get("id") for m in models]
        try:
            limit = int(q.get("limit", ["20"])[0])
        except ValueError:
            return self.error(400, "invalid_request_error", "limit: Input should be a valid integer")
        if not 1 <= limit <= 1000:
            return self.error(400, "invalid_request_error",
                              "limit: Input should be between 1 and 1000")
        limit = min(limit, int(st.get("page_size_max", 1000)))
        after, before = q.get("after_id", [None])[0], q.get("before_id", [None])[0]
        if after is not None and before is not None:
            return self.error(400, "invalid_request_error",
                              "after_id and before_id cannot both be given")
        for name, v in (("after_id", after), ("before_id", before)):
            if v is not None and v not in ids:
                return self.error(400, "invalid_request_error", "%s: unknown model id '%s'" % (name, v))
        if after is not None:
            page = models[ids.index(after) + 1:][:limit]
            more = ids.index(after) + 1 + len(page) < len(models)
        elif before is not None:
            head = models[:ids.index(before)]
            page = head[-limit:]
            more = len(head) > len(page)
        else:
            page = models[:limit]
            more = len(models) > len(page)
        self.reply(status, {"data": page, "has_more": more,
                            "first_id": page[0]["id"] if page else None,
                            "last_id": page[-1]["id"] if page else None})

    def model_get(self, st, status):
        name = urllib.parse.unquote(self.url.path[len("/v1/models/"):])
        m = find_model(st, name)
        if not m:
            return self.error(404, "not_found_error", "model: %s" % name)
        self.reply(status, m)


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ap.add_argument("--port", type=int, default=0)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", ARGS.port), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
