#!/bin/sh
# Requests per second of `bedrock emulate` for POST /echo with a ~300-byte
# body: HTTP/1.1 keep-alive, 8 connections, 10 s, through wrk.
#
# wrk is not part of the build or of `make test`: install it by hand
# (apt-get install wrk). Usage: bench/bench_emulate.sh [BEDROCK_BINARY]
# Optional: DURATION=10s CONNECTIONS=8 THREADS=2 in the environment.
set -eu

BIN=${1:-build/bedrock}
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-8}
THREADS=${THREADS:-2}

command -v wrk >/dev/null || { echo "bench_emulate: wrk is needed (apt-get install wrk)" >&2; exit 1; }
tmp=$(mktemp -d)
trap 'kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null; rm -rf "$tmp"' EXIT

"$BIN" emulate --listen 127.0.0.1:0 --quiet >"$tmp/out" &
pid=$!
i=0
until [ -s "$tmp/out" ]; do
	i=$((i + 1))
	[ "$i" -lt 100 ] || { echo "bench_emulate: the emulator did not start" >&2; exit 1; }
	sleep 0.05
done
url=$(sed -n '1s/^listening on //p' "$tmp/out")

# A body the size of a small Messages request.
body=$(printf '{"anthropic_version":"bedrock-2023-05-31","max_tokens":256,"messages":[{"role":"user","content":"%0240d"}]}' 0)
cat >"$tmp/echo.lua" <<LUA
wrk.method = "POST"
wrk.body = '$body'
wrk.headers["Content-Type"] = "application/json"
LUA
echo "POST /echo, ${#body}-byte body, $CONNECTIONS connections, $THREADS wrk threads, $DURATION"
wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s "$tmp/echo.lua" "$url/echo"
