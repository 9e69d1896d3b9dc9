#!/usr/bin/env python3
"""A loopback HTTP forward proxy that records what passes through it.

Usage: forward_proxy.py --log LOG.jsonl [--lifetime SECONDS]
Prints "PORT <n>" on stdout once listening on 127.0.0.1. Every request is
appended to the log as one JSON line: {"method", "target" (the request
target as sent: absolute-form for a proxied request), "headers" ([name,
value] pairs, names as sent, in order), "body_len"}.

An absolute-form request to a 127.0.0.1 origin is forwarded (HTTP/1.1,
kept alive) and the answer relayed with its status and headers; the body
is relayed as it arrives, so event streams keep their pacing. CONNECT is
recorded and refused with 403 without connecting anywhere: tests never
leave the machine. Anything else is answered 400.
Stops on SIGTERM, or by itself after --lifetime seconds (default 300).
Python 3 standard library only.
"""
import argparse
import http.client
import json
import os
import signal
import threading
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ARGS = None
LOG_LOCK = threading.Lock()
HOP = {"connection", "keep-alive", "proxy-connection", "proxy-authorization", "te", "trailers",
       "transfer-encoding", "upgrade"}


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def record(self, body_len):
        with LOG_LOCK, open(ARGS.log, "a") as f:
            f.write(json.dumps({"method": self.command, "target": self.path,
                                "headers": [[k, v] for k, v in self.headers.items()],
                                "body_len": body_len}) + "\n")

    def refuse(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_CONNECT(self):
        self.record(0)
        self.refuse(403, "this test proxy tunnels nowhere")
        self.close_connection = True

    def forward(self):
        n = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(n) if n else b""
        self.record(len(body))
        url = urllib.parse.urlsplit(self.path)
        if url.scheme != "http" or url.hostname != "127.0.0.1":
            return self.refuse(400, "only http://127.0.0.1 origins are forwarded")
        path = url.path + ("?" + url.query if url.query else "")
        headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP}
        up = http.client.HTTPConnection("127.0.0.1", url.port or 80, timeout=60)
        try:
            up.request(self.command, path, body=body if n or self.command in ("POST", "PUT") else None,
                       headers=headers)
            resp = up.getresponse()
            self.send_response(resp.status, resp.reason)
            for k, v in resp.getheaders():
                if k.lower() not in HOP and k.lower() != "content-length":
                    self.send_header(k, v)
            self.send_header("Transfer-Encoding", "chunked")
            self.end_headers()
            while True:
                piece = resp.read1(65536)
                if not piece:
                    break
                self.wfile.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                self.wfile.flush()
            self.wfile.write(b"0\r\n\r\n")
        except (OSError, http.client.HTTPException):
            self.close_connection = True
        finally:
            up.close()

    do_GET = do_PUT = do_POST = do_DELETE = forward


def main():
    global ARGS
    ap = argparse.ArgumentParser()
    ap.add_argument("--log", required=True)
    ap.add_argument("--lifetime", type=float, default=300)
    ARGS = ap.parse_args()
    srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    threading.Timer(ARGS.lifetime, lambda: os._exit(0)).start()
    print("PORT %d" % srv.server_address[1], flush=True)
    srv.serve_forever()


if __name__ == "__main__":
    main()
