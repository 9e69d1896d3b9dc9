#!/usr/bin/env python3
"""`bedrock --platform anthropic`: the CLI on the Anthropic API, against a
loopback fake of the API (tests/fakes/fake_anthropic.py) that checks every
request as the API does and logs it. Where the platform, endpoint, key and
model come from (options and ANTHROPIC_* variables, CLAUDE_CODE_USE_BEDROCK),
ask / tokens / models / config / chat, exit statuses (2 API error, 3 cut or
stalled connection, 4 credentials or configuration), partial text kept on
stdout, and the key never printed by any of it.
Usage: test_platform_anthropic.py BEDROCK_BINARY VECTORS_DIR"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "fakes"))
from checks import check, summary  # noqa: E402
from fakectl import Fake  # noqa: E402

BIN = sys.argv[1]
KEY = "sk-ant-cli-test-key-5f2c9a"
TOKEN = "sk-ant-oat-cli-test-token-7d41"
SONNET = "claude-sonnet-4-5-20250929"
HOME = tempfile.mkdtemp(prefix="bedrock-anthropic-")
BASE = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": HOME, "LANG": "C.UTF-8",
        "XDG_STATE_HOME": os.path.join(HOME, "state"), "XDG_CONFIG_HOME": os.path.join(HOME, "config"),
        "AWS_EC2_METADATA_DISABLED": "true", "AWS_CONFIG_FILE": "/nonexistent",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent"}
# A model the library's catalog does not have, last in the fake's list (so
# on its last page): `models` shows it only if it read the API's every page.
EXTRA_MODEL = {"type": "model", "id": "claude-fake-9-20990101", "display_name": "Claude Fake 9",
               "created_at": "2099-01-01T00:00:00Z", "max_tokens": 8192}
OUTPUTS = []  # every stdout and stderr, to look for the key in


def run(*args, env=None, stdin=None, timeout=60):
    e = dict(BASE)
    e.update(env or {})
    r = subprocess.run([BIN] + list(args), capture_output=True, text=True, env=e, timeout=timeout,
                       input=stdin, stdin=None if stdin is not None else subprocess.DEVNULL)
    OUTPUTS.append(r.stdout + r.stderr)
    return r


def with_key(fake, **more):
    env = {"ANTHROPIC_API_KEY": KEY}
    env.update(more)
    return env


def api(fake, *args, env=None, **kw):
    """bedrock --platform anthropic --endpoint-url FAKE ARGS..., with the key."""
    return run("--platform", "anthropic", "--endpoint-url", fake.url, *args,
               env=with_key(fake, **(env or {})), **kw)


def only(fake):
    """The one request the fake received (None if not exactly one)."""
    log = fake.log()
    return log[0] if len(log) == 1 else None


def body_of(entry):
    return json.loads(entry["body"]) if entry else {}


def where_from(fake):
    """--platform, BEDROCK_PLATFORM, ANTHROPIC_BASE_URL, the two credentials."""
    fake.set_state({})
    for name, args, env in (
            ("--platform anthropic --endpoint-url", ["--platform", "anthropic", "--endpoint-url", fake.url],
             {"ANTHROPIC_API_KEY": KEY}),
            ("BEDROCK_PLATFORM=anthropic", ["--endpoint-url", fake.url],
             {"ANTHROPIC_API_KEY": KEY, "BEDROCK_PLATFORM": "anthropic"}),
            ("ANTHROPIC_BASE_URL", ["--platform", "anthropic"],
             {"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.url})):
        fake.clear_log()
        r = run(*args, "ask", "hi", env=env)
        e = only(fake)
        check("%s: ask streams the answer" % name, r.returncode == 0 and r.stdout.strip() == "You said: hi",
              (r.returncode, r.stdout, r.stderr))
        check("%s: one streamed POST /v1/messages with x-api-key and anthropic-version 2023-06-01" % name,
              e is not None and e["path"] == "/v1/messages" and e["stream"] and e["auth"] == "x-api-key" and
              e["headers"].get("anthropic-version") == "2023-06-01" and e["status"] == 200,
              fake.log())
        b = body_of(e)
        check("%s: the body has model and max_tokens, and no anthropic_version" % name,
              isinstance(b.get("model"), str) and b.get("max_tokens", 0) > 0 and "anthropic_version" not in b
              and b.get("stream") is True, b)

    fake.set_state({"auth_token": TOKEN})
    fake.clear_log()
    r = run("--platform", "anthropic", "--endpoint-url", fake.url, "ask", "hi",
            env={"ANTHROPIC_AUTH_TOKEN": TOKEN})
    e = only(fake)
    check("ANTHROPIC_AUTH_TOKEN: sent as Authorization: Bearer, alone",
          r.returncode == 0 and e is not None and e["auth"] == "bearer" and "x-api-key" not in e["headers"],
          (r.returncode, r.stderr, fake.log()))

    fake.set_state({})
    fake.clear_log()
    r = run("--platform", "anthropic", "--endpoint-url", fake.url, "ask", "hi",
            env={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_AUTH_TOKEN": TOKEN})
    check("both ANTHROPIC_API_KEY and ANTHROPIC_AUTH_TOKEN: exit 4 naming both",
          r.returncode == 4 and "ANTHROPIC_API_KEY" in r.stderr and "ANTHROPIC_AUTH_TOKEN" in r.stderr,
          (r.returncode, r.stderr))
    r = run("--platform", "anthropic", "--endpoint-url", fake.url, "ask", "hi")
    check("no key: exit 4 naming ANTHROPIC_API_KEY",
          r.returncode == 4 and "ANTHROPIC_API_KEY" in r.stderr, (r.returncode, r.stderr))
    check("...and neither sent a request", fake.log() == [], fake.log())

    # Claude Code's switch to Bedrock beats an Anthropic key in the environment.
    r = run("ask", "hi", env={"ANTHROPIC_API_KEY": KEY, "ANTHROPIC_BASE_URL": fake.url,
                              "CLAUDE_CODE_USE_BEDROCK": "1"})
    check("CLAUDE_CODE_USE_BEDROCK=1: the Bedrock platform, which wants a region (exit 4)",
          r.returncode == 4 and "region" in r.stderr.lower() and fake.log() == [],
          (r.returncode, r.stderr, fake.log()))


def ask_modes(fake):
    fake.set_state({})
    fake.clear_log()
    r = api(fake, "ask", "--no-stream", "Hello, world")
    e = only(fake)
    check("--no-stream: one complete call", r.returncode == 0 and r.stdout.strip() == "You said: Hello, world"
          and e is not None and not e["stream"] and body_of(e).get("stream") is not True,
          (r.returncode, r.stdout, r.stderr, fake.log()))
    for extra in ([], ["--no-stream"]):
        r = api(fake, "ask", "--json", *extra, "Hello, world")
        try:
            m = json.loads(r.stdout)
        except ValueError:
            m = {}
        check("--json %s: the final Message" % " ".join(extra),
              r.returncode == 0 and m.get("type") == "message" and
              m.get("content", [{}])[0].get("text") == "You said: Hello, world" and
              m.get("usage", {}).get("input_tokens", 0) > 0, (r.returncode, r.stdout[:500], r.stderr))

    fake.clear_log()
    r = api(fake, "ask", "-m", "sonnet-4.5", "hi")
    check("-m sonnet-4.5: body model %s" % SONNET,
          r.returncode == 0 and body_of(only(fake)).get("model") == SONNET, (r.stderr, fake.log()))
    fake.clear_log()
    r = api(fake, "ask", "hi", env={"ANTHROPIC_MODEL": "claude-opus-4-6"})
    check("ANTHROPIC_MODEL when there is no -m",
          r.returncode == 0 and body_of(only(fake)).get("model") == "claude-opus-4-6", (r.stderr, fake.log()))
    fake.clear_log()
    r = api(fake, "ask", "-m", "sonnet-4.5", "hi", env={"ANTHROPIC_MODEL": "claude-opus-4-6"})
    check("-m wins over ANTHROPIC_MODEL",
          r.returncode == 0 and body_of(only(fake)).get("model") == SONNET, (r.stderr, fake.log()))
    fake.clear_log()
    r = api(fake, "--debug", "ask", "--beta", "context-1m-2025-08-07", "hi")
    e = only(fake)
    check("--beta: the anthropic-beta header, not the body",
          r.returncode == 0 and e is not None and "context-1m-2025-08-07" in e["betas"] and
          "anthropic_beta" not in body_of(e), (r.stderr[-500:], fake.log()))

    # Retries as the SDKs do them: a 529 then an answer.
    fake.set_state({"script": [{"status": 529, "headers": {"retry-after-ms": "1"}}]})
    fake.clear_log()
    r = api(fake, "ask", "hi")
    check("a 529 is retried", r.returncode == 0 and [e["status"] for e in fake.log()] == [529, 200],
          (r.returncode, r.stderr, [e["status"] for e in fake.log()]))


def failures(fake):
    fake.set_state({"script": [{"status": 400, "message": "scripted bad request",
                                "request_id": "req_cli400"}]})
    r = api(fake, "ask", "hi")
    check("an API error: exit 2; stderr names its type, message and request id",
          r.returncode == 2 and "invalid_request_error" in r.stderr and "scripted bad request" in r.stderr
          and "req_cli400" in r.stderr, (r.returncode, r.stderr))
    fake.set_state({"script": [{"status": 529, "repeat": 5, "request_id": "req_cli529",
                                "headers": {"x-should-retry": "false"}}]})
    fake.clear_log()
    r = api(fake, "ask", "--no-stream", "hi")
    check("529 with x-should-retry: false: one attempt, exit 2 naming overloaded_error",
          r.returncode == 2 and "overloaded_error" in r.stderr and "req_cli529" in r.stderr and
          len(fake.log()) == 1, (r.returncode, r.stderr, len(fake.log())))
    fake.set_state({})
    r = api(fake, "ask", "-m", "claude-nope-1", "hi")
    check("an unknown model: exit 2, the API's not_found_error",
          r.returncode == 2 and "not_found_error" in r.stderr and "claude-nope-1" in r.stderr,
          (r.returncode, r.stderr))
    r = run("--platform", "anthropic", "--endpoint-url", fake.url, "ask", "hi",
            env={"ANTHROPIC_API_KEY": "sk-ant-wrong-key-000"})
    check("a wrong key: the API's authentication_error (exit 2 or 4), the key not shown",
          r.returncode in (2, 4) and "authentication_error" in r.stderr and "sk-ant-wrong-key" not in r.stderr,
          (r.returncode, r.stderr))

    # Streaming: what arrived before the error stays on stdout.
    fake.set_state({"script": [{"stream_error_after": 3}], "delta_chars": 4})
    r = api(fake, "ask", "Hello there")
    check("a mid-stream error: the partial text on stdout, exit 2 naming overloaded_error",
          r.returncode == 2 and r.stdout.startswith("You said: He") and "llo there" not in r.stdout and
          "overloaded_error" in r.stderr, (r.returncode, r.stdout, r.stderr))
    fake.set_state({"script": [{"cut_after": 2}], "delta_chars": 4})
    r = api(fake, "ask", "Hello there")
    check("a cut stream: exit 3, the partial text on stdout",
          r.returncode == 3 and r.stdout.startswith("You said") and "Hello there" not in r.stdout,
          (r.returncode, r.stdout, r.stderr))
    fake.set_state({"script": [{"stall": 6, "repeat": 5}]})
    t0 = time.time()
    r = api(fake, "--timeout", "1", "--max-attempts", "1", "ask", "hi")
    check("a stalled answer: exit 3 after --timeout", r.returncode == 3 and time.time() - t0 < 5,
          (r.returncode, r.stderr, time.time() - t0))
    fake.set_state({"script": [{"pause_after": 1, "pause": 6}], "delta_chars": 4})
    t0 = time.time()
    r = api(fake, "--timeout", "1", "ask", "hi")
    check("a stream gone silent: exit 3, the partial text on stdout",
          r.returncode == 3 and r.stdout.startswith("You ") and time.time() - t0 < 5,
          (r.returncode, r.stdout, r.stderr, time.time() - t0))


def tokens(fake):
    fake.set_state({})
    r = api(fake, "ask", "--json", "--no-stream", "Count me, please")
    try:
        want = json.loads(r.stdout)["usage"]["input_tokens"]
    except (ValueError, KeyError):
        want = None
    fake.clear_log()
    r = api(fake, "tokens", "Count me, please")
    got = re.search(r"\d+", r.stdout)
    e = only(fake)
    check("tokens: the count the API gives for the same request",
          r.returncode == 0 and want is not None and got and int(got.group()) == want,
          (r.returncode, r.stdout, r.stderr, want))
    check("tokens: POST /v1/messages/count_tokens, without max_tokens",
          e is not None and e["path"] == "/v1/messages/count_tokens" and "max_tokens" not in body_of(e),
          fake.log())


def models(fake):
    from fake_anthropic import MODELS
    ids = [m[0] for m in MODELS] + [EXTRA_MODEL["id"]]
    fake.set_state({"page_size_max": 3,
                    "models": [{"type": "model", "id": i, "display_name": n, "created_at": c, "max_tokens": t}
                               for i, n, c, t in MODELS] + [EXTRA_MODEL]})
    for extra in ([], ["--json"]):
        fake.clear_log()
        r = api(fake, "models", *extra)
        log = fake.log()
        missing = [i for i in ids if i not in r.stdout]
        check("models %s: every model of every page" % " ".join(extra),
              r.returncode == 0 and not missing, (r.returncode, missing, r.stderr))
        check("models %s: GET /v1/models page after page (after_id)" % " ".join(extra),
              len(log) >= (len(ids) + 2) // 3 and all(e["path"] == "/v1/models" for e in log) and
              all("after_id=" in e["query"] for e in log[1:]), [(e["path"], e["query"]) for e in log])
    fake.set_state({"script": [{"path": "/v1/models", "status": 500, "repeat": 5,
                                "headers": {"x-should-retry": "false"}}]})
    r = api(fake, "models")
    check("models: an API error is exit 2", r.returncode == 2 and "api_error" in r.stderr,
          (r.returncode, r.stderr))


def config(fake):
    r = api(fake, "config")
    check("config: platform anthropic, the endpoint, the key's source (exit 0)",
          r.returncode == 0 and "anthropic" in r.stdout and fake.url in r.stdout and
          "ANTHROPIC_API_KEY" in r.stdout, (r.returncode, r.stdout, r.stderr))
    r = run("--platform", "anthropic", "config", env={"ANTHROPIC_AUTH_TOKEN": TOKEN,
                                                      "ANTHROPIC_BASE_URL": fake.url})
    check("config: ANTHROPIC_AUTH_TOKEN and ANTHROPIC_BASE_URL as sources",
          r.returncode == 0 and "ANTHROPIC_AUTH_TOKEN" in r.stdout and fake.url in r.stdout,
          (r.returncode, r.stdout, r.stderr))
    r = run("config", env={"BEDROCK_PLATFORM": "anthropic", "ANTHROPIC_API_KEY": KEY})
    check("config: the default endpoint is https://api.anthropic.com",
          "https://api.anthropic.com" in r.stdout, (r.returncode, r.stdout, r.stderr))


def chat(fake):
    fake.set_state({})
    fake.clear_log()
    r = api(fake, "chat", stdin="hi\nsecond question\n")
    log = fake.log()
    check("chat piped: both answers, exit 0",
          r.returncode == 0 and "You said: hi" in r.stdout and "You said: second question" in r.stdout,
          (r.returncode, r.stdout, r.stderr))
    msgs = body_of(log[1]).get("messages", []) if len(log) == 2 else []
    check("chat: the second turn carries the first (user, assistant, user)",
          [m.get("role") for m in msgs] == ["user", "assistant", "user"], msgs)


def main():
    with Fake() as fake:
        # Every state expects this test's key (the fake's default is another).
        set_state = fake.set_state
        fake.set_state = lambda st: set_state(dict({"api_key": KEY}, **st))
        fake.set_state({})
        for part in (where_from, ask_modes, failures, tokens, models, config, chat):
            part(fake)
        check("the fake's log never has the key", KEY not in fake.log_text() and TOKEN not in fake.log_text())
    leaked = [o[:300] for o in OUTPUTS if KEY in o or TOKEN in o]
    check("no output of any run shows the key or the token", not leaked, leaked)
    return summary()


if __name__ == "__main__":
    sys.exit(main())
