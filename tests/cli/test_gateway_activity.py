#!/usr/bin/env python3
"""`bedrock gateway activity` over fixture activity logs: the table and
--json (sums, errors, percentiles), grouping by key, model, session and
upstream, --since/--until as dates, times and durations, bad lines named
on stderr by file:line and skipped (never fatal), names with terminal
escapes shown harmlessly, and usage errors.
Usage: test_gateway_activity.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from checks import check, summary

BIN = sys.argv[1]
WORK = tempfile.mkdtemp(prefix="bedrock-gw-activity-")
LOG = os.path.join(WORK, "activity")
os.makedirs(LOG)

EVIL = "sess-\x1b]0;pwned\x07-x"


def rec(time_s, key, model, latency, ttft=None, status=200, inp=10, out=5, cr=0, cw=0,
        session=None, upstream="bedrock/us-east-1", error_type=None):
    r = {"time": time_s, "id": "r", "key": key, "front": "bedrock", "model": model,
         "upstream": upstream, "status": status, "input_tokens": inp, "output_tokens": out,
         "cache_read_tokens": cr, "cache_write_tokens": cw, "latency_ms": latency, "hops": 0}
    if ttft is not None:
        r["ttft_ms"] = ttft
    if session is not None:
        r["session_id"] = session
    if error_type:
        r["error_type"] = error_type
    return json.dumps(r, separators=(",", ":"))


def write(name, lines, end="\n"):
    with open(os.path.join(LOG, name), "w") as f:
        f.write("\n".join(lines) + end)


write("activity-2026-03-01.jsonl", [
    rec("2026-03-01T08:00:00.000Z", "alice", "sonnet-4.5", 100.0, 10.0, inp=100, out=50, cr=1000,
        session="s1"),
    rec("2026-03-01T09:00:00.000Z", "alice", "sonnet-4.5", 300.0, 30.0, inp=200, out=60, cw=7,
        session="s1"),
    "this is not JSON",
    rec("2026-03-01T10:00:00.000Z", "alice", "haiku", 200.0, 20.0, status=429, inp=0, out=0,
        error_type="rate_limit_error", session="s2", upstream="bedrock/us-west-2"),
    "",
    rec("2026-03-01T23:00:00.000Z", "build-bot", "haiku", 50.0, None, inp=1, out=1),
])
write("activity-2026-03-02.jsonl", [
    rec("2026-03-02T01:00:00.000Z", "bob", "opus", 1000.0, 400.0, inp=5000, out=900,
        session=EVIL),
    '{"time":"2026-03-02T02:00:00.000Z","key":"bob","input_tokens":"many"}',
    '{"time":"2026-03-02T03:00:00.000Z","key":"bob","latency_ms":12',
], end="")
# Not activity files: never read.
with open(os.path.join(LOG, "notes.txt"), "w") as f:
    f.write("garbage\n")
with open(os.path.join(LOG, "activity-2026-03-03.jsonl.gz"), "w") as f:
    f.write("garbage\n")


def run(*args):
    return subprocess.run([BIN, "gateway", "activity"] + list(args), capture_output=True,
                          text=True, errors="replace", timeout=60)


def table(out):
    """The rows of the table: first cell -> the other cells."""
    lines = out.rstrip("\n").split("\n")
    rows = {}
    for line in lines[1:]:
        cells = line.split()
        rows[cells[0]] = cells[1:]
    return lines[0].split(), rows


# ---- the table, by key (the default) ---------------------------------------
r = run("--dir", LOG)
check("exit 0 despite bad lines", r.returncode == 0, r.returncode)
head, rows = table(r.stdout)
check("header", head == ["KEY", "REQUESTS", "ERRORS", "INPUT", "OUTPUT", "CACHE_READ",
                         "CACHE_WRITE", "P50_MS", "P95_MS", "TTFT_P50_MS"], head)
check("alice: 3 requests, 1 error, tokens summed, p50/p95 nearest rank, ttft p50",
      rows.get("alice") == ["3", "1", "300", "110", "1000", "7", "200.0", "300.0", "20.0"],
      rows.get("alice"))
check("bob: the one good line", rows.get("bob") == ["1", "0", "5000", "900", "0", "0", "1000.0",
                                                    "1000.0", "400.0"], rows.get("bob"))
check("no ttft: shown as -", rows.get("build-bot", [])[-1:] == ["-"], rows.get("build-bot"))
check("TOTAL row", rows.get("TOTAL", [])[:5] == ["5", "1", "5301", "1011", "1000"],
      rows.get("TOTAL"))
check("most requests first", r.stdout.split("\n")[1].startswith("alice"), r.stdout)
check("bad line: not JSON, by file:line", "activity-2026-03-01.jsonl:3: not a JSON object" in r.stderr,
      r.stderr)
check("bad line: a field of the wrong type",
      "activity-2026-03-02.jsonl:2: input_tokens is not a count" in r.stderr, r.stderr)
check("bad line: a last line cut short",
      "activity-2026-03-02.jsonl:3: incomplete last line" in r.stderr, r.stderr)
check("the bad lines counted", "3 bad lines skipped" in r.stderr, r.stderr)
check("blank lines and other files are not bad lines",
      r.stderr.count("(skipped)") == 3 and "notes.txt" not in r.stderr, r.stderr)

# ---- --json ---------------------------------------------------------------
r = run("--dir", LOG, "--json")
check("--json exit 0", r.returncode == 0, r.returncode)
try:
    doc = json.loads(r.stdout)
except ValueError:
    doc = {}
    check("--json is JSON", False, r.stdout)
groups = {g.get("key"): g for g in doc.get("groups", [])}
a = groups.get("alice", {})
check("--json alice", a.get("requests") == 3 and a.get("errors") == 1 and
      a.get("input_tokens") == 300 and a.get("output_tokens") == 110 and
      a.get("cache_read_tokens") == 1000 and a.get("cache_write_tokens") == 7 and
      a.get("latency_p50_ms") == 200 and a.get("latency_p95_ms") == 300 and
      a.get("ttft_p50_ms") == 20, a)
check("--json no ttft is null", "ttft_p50_ms" in groups.get("build-bot", {}) and
      groups["build-bot"]["ttft_p50_ms"] is None, groups.get("build-bot"))
check("--json total and bad_lines", doc.get("total", {}).get("requests") == 5 and
      doc.get("bad_lines") == 3 and doc.get("by") == "key", doc)

# ---- --by -----------------------------------------------------------------
r = run("--dir", LOG, "--by", "model")
head, rows = table(r.stdout)
check("--by model", head[0] == "MODEL" and rows.get("haiku", [])[:2] == ["2", "1"] and
      rows.get("sonnet-4.5", [])[:1] == ["2"] and rows.get("opus", [])[:1] == ["1"], r.stdout)
r = run("--dir", LOG, "--by", "upstream")
head, rows = table(r.stdout)
check("--by upstream", rows.get("bedrock/us-east-1", [])[:1] == ["4"] and
      rows.get("bedrock/us-west-2", [])[:2] == ["1", "1"], r.stdout)
r = run("--dir", LOG, "--by", "session")
head, rows = table(r.stdout)
check("--by session: records without one are '-'", rows.get("-", [])[:1] == ["1"] and
      rows.get("s1", [])[:1] == ["2"], r.stdout)
check("--by session: escapes in a name are shown, not sent to the terminal",
      "\x1b" not in r.stdout and "\x07" not in r.stdout and "sess-^[]0;pwned^G-x" in r.stdout,
      repr(r.stdout))
r = run("--dir", LOG, "--by", "session", "--json")
check("--by session --json: the name as it is (JSON-escaped)",
      EVIL in [g.get("session") for g in json.loads(r.stdout)["groups"]], r.stdout)

# ---- --since / --until ------------------------------------------------------
r = run("--dir", LOG, "--since", "2026-03-02")
head, rows = table(r.stdout)
check("--since DATE", set(rows) == {"bob", "TOTAL"}, r.stdout)
check("--since DATE: the earlier file is not read", "2026-03-01.jsonl" not in r.stderr, r.stderr)
r = run("--dir", LOG, "--until", "2026-03-01")
head, rows = table(r.stdout)
check("--until DATE: to the end of that day", set(rows) == {"alice", "build-bot", "TOTAL"},
      r.stdout)
r = run("--dir", LOG, "--since", "2026-03-01T08:30:00Z", "--until", "2026-03-01T12:00:00Z")
head, rows = table(r.stdout)
check("--since/--until times", set(rows) == {"alice", "TOTAL"} and rows["alice"][0] == "2",
      r.stdout)

# Durations, against lines of the last hours.
now = time.time()


def iso(t):
    return time.strftime("%Y-%m-%dT%H:%M:%S.000Z", time.gmtime(t))


RECENT = os.path.join(WORK, "recent")
os.makedirs(RECENT)
by_day = {}
for ago, key in ((600, "fresh"), (7200, "hours-old"), (3 * 86400, "days-old")):
    t = now - ago
    by_day.setdefault(time.strftime("activity-%Y-%m-%d.jsonl", time.gmtime(t)), []).append(
        rec(iso(t), key, "haiku", 10.0))
for name, lines in by_day.items():
    with open(os.path.join(RECENT, name), "a") as f:
        f.write("\n".join(lines) + "\n")
for since, want in (("30m", {"fresh"}), ("3h", {"fresh", "hours-old"}),
                    ("7d", {"fresh", "hours-old", "days-old"}), ("1800s", {"fresh"})):
    r = run("--dir", RECENT, "--since", since)
    head, rows = table(r.stdout)
    check("--since %s" % since, set(rows) - {"TOTAL"} == want, r.stdout + r.stderr)
r = run("--dir", RECENT, "--until", "1h")
head, rows = table(r.stdout)
check("--until 1h", set(rows) - {"TOTAL"} == {"hours-old", "days-old"}, r.stdout)

# ---- an empty log, and mistakes ----------------------------------------------
EMPTY = os.path.join(WORK, "empty")
os.makedirs(EMPTY)
r = run("--dir", EMPTY)
head, rows = table(r.stdout)
check("empty: header and a zero total", r.returncode == 0 and rows.get("TOTAL", [])[:2] == ["0", "0"],
      r.stdout + r.stderr)
for args, needle in ((["--by", "key"], "--dir DIR is required"),
                     (["--dir", LOG, "--by", "colour"], "--by takes key, model, session or upstream"),
                     (["--dir", LOG, "--since", "yesterday"], "--since takes"),
                     (["--dir", LOG, "--until", "5 minutes"], "--until takes"),
                     (["--dir", LOG, "--since", "10y"], "--since takes"),
                     (["--dir", os.path.join(WORK, "nope")], "No such file or directory"),
                     (["--dir", LOG, "--jsn"], "did you mean '--json'"),
                     (["--dir"], "--dir needs a value"),
                     (["--dir", LOG, "extra"], "unexpected argument")):
    r = run(*args)
    check("usage error %s: exit 1 and says so" % args, r.returncode == 1 and needle in r.stderr,
          (r.returncode, r.stderr))
r = run("--help")
check("--help: exit 0, on stdout", r.returncode == 0 and "--since WHEN" in r.stdout, r.stdout)
r = subprocess.run([BIN, "--help"], capture_output=True, text=True, timeout=30)
check("bedrock --help lists gateway activity", "gateway activity --dir DIR" in r.stdout, r.stdout)

shutil.rmtree(WORK, ignore_errors=True)
sys.exit(summary())
