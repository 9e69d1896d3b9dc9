// Claude Code itself (`claude -p`, @anthropic-ai/claude-code) through
// `bedrock gateway` to `bedrock emulate`, in its Bedrock, Vertex and
// Anthropic modes, configured as its gateway guide says: a base URL and a
// gateway key (or the SigV4 pair the gateway issued).
//
// Isolation: each run gets an empty HOME and config dir, telemetry, error
// reporting, the updater and nonessential traffic off, and HTTP(S)_PROXY
// pointing at a trap that records whatever tries to leave 127.0.0.1
// (NO_PROXY lets loopback through); the trap must stay empty.
//
// Built-in tools are off (--tools "") but for one test that allows Read
// alone: the emulator's echo model calls any tool whose name appears in
// the user text, and Claude Code's system reminders name several, so with
// every tool on it would run an agent loop that tests the emulator's model,
// not the gateway.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import { createRequire } from "node:module";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { startEmulator } from "./emulator.mjs";
import { startGatewayPerPlatform, PROJECT, GW_KEY, GW_PAIR, ACTIVITY_FLUSH_MS } from "./gateway.mjs";


// The native binary: the one npm's postinstall copied over bin/claude.exe,
// or straight from the platform package if the postinstall did not run.
function claudeBinary() {
  const require = createRequire(import.meta.url);
  const wrapper = dirname(require.resolve("@anthropic-ai/claude-code/package.json"));
  const copied = join(wrapper, "bin", "claude.exe");
  if (existsSync(copied) && statSync(copied).size > 1 << 20) return copied;
  const libc = process.report?.getReport?.().header?.glibcVersionRuntime ? "" : "-musl";
  const pkg = `@anthropic-ai/claude-code-${process.platform}-${process.arch}${process.platform === "linux" ? libc : ""}`;
  const native = join(wrapper, "..", "..", pkg, "claude");
  if (existsSync(native)) return native;
  throw new Error(`Claude Code's native binary is missing (neither ${copied} nor ${native}): run npm ci in tests/node`);
}

let emu, gw = {}, trap, trapped = [], proxy, bin;
before(async () => {
  bin = claudeBinary();
  trap = createServer((req, res) => { trapped.push(`${req.method} ${req.url}`); res.writeHead(403); res.end("trapped"); });
  trap.on("connect", (req, sock) => { trapped.push(`CONNECT ${req.url}`); sock.end("HTTP/1.1 403 Forbidden\r\n\r\n"); });
  await new Promise((r) => trap.listen(0, "127.0.0.1", r));
  proxy = `http://127.0.0.1:${trap.address().port}`;
  emu = await startEmulator();
  gw = await startGatewayPerPlatform(emu.url);
});
after(async () => {
  for (const g of Object.values(gw)) assert.equal(await g.stop(), 0);
  assert.equal(await emu.stop(), 0);
  await new Promise((r) => trap.close(r));
});

// Runs `claude -p PROMPT` with the mode's variables on top of a bare,
// isolated environment, in a fresh directory holding `files`; resolves to
// { code, stdout, stderr }.
async function claude(prompt, modeEnv, args = ["--output-format", "json"], { tools = "", files = {} } = {}) {
  const home = mkdtempSync(join(tmpdir(), "bedrock-claude-code-"));
  mkdirSync(join(home, "tmp"));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(home, name), text);
  const env = {
    PATH: process.env.PATH, HOME: home, CLAUDE_CONFIG_DIR: join(home, ".claude"), TMPDIR: join(home, "tmp"),
    DISABLE_TELEMETRY: "1", DISABLE_ERROR_REPORTING: "1", DISABLE_AUTOUPDATER: "1",
    CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", CLAUDE_CODE_MAX_RETRIES: "0",
    HTTPS_PROXY: proxy, HTTP_PROXY: proxy, https_proxy: proxy, http_proxy: proxy,
    NO_PROXY: "127.0.0.1,localhost", no_proxy: "127.0.0.1,localhost",
    ...modeEnv,
  };
  const child = spawn(bin, ["-p", prompt, "--tools", tools, "--strict-mcp-config", "--no-session-persistence", ...args],
    { env, cwd: home, stdio: ["ignore", "pipe", "pipe"] });
  let stdout = "", stderr = "";
  child.stdout.on("data", (d) => { stdout += d; });
  child.stderr.on("data", (d) => { stderr += d; });
  const timer = setTimeout(() => child.kill("SIGKILL"), 60000);
  const code = await new Promise((r) => child.once("exit", (c, sig) => r(c ?? sig)));
  clearTimeout(timer);
  rmSync(home, { recursive: true, force: true });
  return { code, stdout, stderr };
}

// The `claude -p --output-format json` result, checked for success and for
// the emulator's answer: it echoes the user text, which ends in the prompt.
function result(run, prompt) {
  assert.equal(run.code, 0, `claude exited ${run.code}: ${run.stderr.slice(0, 2000)} ${run.stdout.slice(0, 2000)}`);
  const out = JSON.parse(run.stdout);
  assert.equal(out.type, "result");
  assert.equal(out.subtype, "success");
  assert.equal(out.is_error, false);
  assert.match(out.result, /^You said: /);
  assert.ok(out.result.trimEnd().endsWith(prompt), out.result.slice(-200));
  assert.match(out.session_id, /^[0-9a-f]{8}-[0-9a-f]{4}-/);
  return out;
}

// The gateway's activity lines for a Claude Code session, waiting a moment
// for the last one (written after the answer's last byte).
async function sessionLines(g, sessionId, operation) {
  // Every line of the session, not only the first flushed (activity_log.flush_ms).
  await new Promise((r) => setTimeout(r, ACTIVITY_FLUSH_MS));
  for (let i = 0; i < 50; i++) {
    const lines = g.activity().filter((r) => r.session_id === sessionId && r.operation === operation);
    if (lines.length) return lines;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`no ${operation} line for session ${sessionId}`);
}

// What every mode must show: the conversation's request logged with Claude
// Code's session id, the right front, key and upstream, and the usage
// Claude Code reported; and nothing secret or private in the log.
async function checkActivity(g, out, { front, operation, key, upstream, prompt }) {
  const lines = await sessionLines(g, out.session_id, operation);
  for (const rec of lines) {
    assert.equal(rec.front, front);
    assert.equal(rec.key, key);
    assert.equal(rec.status, 200);
    assert.equal(rec.upstream_platform, upstream);
    assert.match(rec.user_agent, /^claude-cli\/\d/);
    assert.ok(rec.ttft_ms >= 0 && rec.latency_ms >= rec.ttft_ms);
  }
  const sum = (f) => lines.reduce((n, r) => n + (r[f] ?? 0), 0);
  assert.equal(sum("output_tokens"), out.usage.output_tokens);
  assert.equal(sum("input_tokens"), out.usage.input_tokens);
  assert.equal(sum("cache_write_tokens"), out.usage.cache_creation_input_tokens);
  assert.equal(sum("cache_read_tokens"), out.usage.cache_read_input_tokens);
  const text = await g.activityText();
  assert.ok(!text.includes(GW_KEY) && !text.includes(GW_PAIR.secretAccessKey), "no key or secret in the activity log");
  assert.ok(!text.includes(prompt), "no prompt in the activity log");
  return lines;
}

const ANTHROPIC_MODELS = { ANTHROPIC_MODEL: "claude-sonnet-4-5", ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-haiku-4-5", ANTHROPIC_SMALL_FAST_MODEL: "claude-haiku-4-5" };
const BEDROCK_MODELS = { ANTHROPIC_MODEL: "us.anthropic.claude-sonnet-4-5-20250929-v1:0",
  ANTHROPIC_DEFAULT_HAIKU_MODEL: "us.anthropic.claude-haiku-4-5-20251001-v1:0", ANTHROPIC_SMALL_FAST_MODEL: "us.anthropic.claude-haiku-4-5-20251001-v1:0" };
const VERTEX_MODELS = { ANTHROPIC_MODEL: "claude-sonnet-4-5@20250929",
  ANTHROPIC_DEFAULT_HAIKU_MODEL: "claude-haiku-4-5@20251001", ANTHROPIC_SMALL_FAST_MODEL: "claude-haiku-4-5@20251001" };

test("Bedrock mode, the gateway key as AWS_BEARER_TOKEN_BEDROCK", async () => {
  const prompt = "Hello from Claude Code on Bedrock with a key";
  const out = result(await claude(prompt, { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_BEDROCK_BASE_URL: gw.bedrock.url,
    AWS_BEARER_TOKEN_BEDROCK: GW_KEY, AWS_REGION: "us-east-1", ...BEDROCK_MODELS }), prompt);
  const [rec] = await checkActivity(gw.bedrock, out, { front: "bedrock", operation: "invoke-stream", key: "node-key", upstream: "bedrock", prompt });
  assert.equal(rec.model, BEDROCK_MODELS.ANTHROPIC_MODEL);
  assert.equal(rec.upstream_model, BEDROCK_MODELS.ANTHROPIC_MODEL);
  assert.ok(emu.stderr().includes("/model/us.anthropic.claude-sonnet-4-5-20250929-v1%3A0/invoke-with-response-stream 200 "));
});

test("Bedrock mode, SigV4 with the gateway-issued pair (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY)", async () => {
  const prompt = "Hello from Claude Code on Bedrock, signed";
  const out = result(await claude(prompt, { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_BEDROCK_BASE_URL: gw.bedrock.url,
    AWS_ACCESS_KEY_ID: GW_PAIR.accessKeyId, AWS_SECRET_ACCESS_KEY: GW_PAIR.secretAccessKey, AWS_REGION: "us-east-1", ...BEDROCK_MODELS }), prompt);
  await checkActivity(gw.bedrock, out, { front: "bedrock", operation: "invoke-stream", key: "node-pair", upstream: "bedrock", prompt });
});

test("Bedrock mode with a wrong secret: refused by the gateway, the emulator never asked", async () => {
  const before = emu.stderr().split("\n").filter((l) => l.includes("invoke-with-response-stream")).length;
  const run = await claude("Hello from a forger", { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_BEDROCK_BASE_URL: gw.bedrock.url,
    AWS_ACCESS_KEY_ID: GW_PAIR.accessKeyId, AWS_SECRET_ACCESS_KEY: "not-the-issued-secret", AWS_REGION: "us-east-1", ...BEDROCK_MODELS });
  assert.notEqual(run.code, 0);
  const out = JSON.parse(run.stdout);
  assert.equal(out.is_error, true);
  assert.equal(out.api_error_status, 403);
  await new Promise((r) => setTimeout(r, ACTIVITY_FLUSH_MS));
  assert.equal(emu.stderr().split("\n").filter((l) => l.includes("invoke-with-response-stream")).length, before);
  const refused = gw.bedrock.activity().filter((r) => r.session_id === out.session_id && r.operation === "invoke-stream");
  assert.ok(refused.length >= 1 && refused.every((r) => r.status === 403 && !r.key), JSON.stringify(refused));
});

test("Vertex mode: CLAUDE_CODE_SKIP_VERTEX_AUTH and the gateway key as ANTHROPIC_AUTH_TOKEN", async () => {
  const prompt = "Hello from Claude Code on Vertex";
  const out = result(await claude(prompt, { CLAUDE_CODE_USE_VERTEX: "1", ANTHROPIC_VERTEX_BASE_URL: gw.vertex.url,
    CLAUDE_CODE_SKIP_VERTEX_AUTH: "1", ANTHROPIC_AUTH_TOKEN: GW_KEY, CLOUD_ML_REGION: "us-east5",
    ANTHROPIC_VERTEX_PROJECT_ID: PROJECT, ...VERTEX_MODELS }), prompt);
  const [rec] = await checkActivity(gw.vertex, out, { front: "vertex", operation: "streamRawPredict", key: "node-key", upstream: "vertex", prompt });
  assert.equal(rec.model, VERTEX_MODELS.ANTHROPIC_MODEL);
  assert.equal(rec.upstream_region, "us-east5");
  // Claude Code's documented base URL has no /v1; the gateway serves it, and
  // the emulator is asked on its own Vertex path.
  assert.ok(gw.vertex.stderr().includes(`POST /projects/${PROJECT}/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict 200 `));
  assert.ok(emu.stderr().includes(`/projects/${PROJECT}/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict 200 `));
});

test("Vertex mode through a Bedrock upstream: a Read tool round trip", async () => {
  // The emulator calls Read (named in the prompt) on the file its schema
  // makes up, "example"; Claude Code reads it and sends the result back.
  const prompt = "Read the file named example and say what it holds";
  const run = await claude(prompt, { CLAUDE_CODE_USE_VERTEX: "1", ANTHROPIC_VERTEX_BASE_URL: gw.bedrock.url,
    CLAUDE_CODE_SKIP_VERTEX_AUTH: "1", ANTHROPIC_AUTH_TOKEN: GW_KEY, CLOUD_ML_REGION: "us-east5",
    ANTHROPIC_VERTEX_PROJECT_ID: PROJECT, ...VERTEX_MODELS }, ["--output-format", "json"],
  { tools: "Read", files: { example: "The gateway carried this file's text.\n" } });
  assert.equal(run.code, 0, run.stderr.slice(0, 2000));
  const out = JSON.parse(run.stdout);
  assert.equal(out.subtype, "success");
  assert.equal(out.num_turns, 2);
  assert.match(out.result, /^The Read tool returned: .*The gateway carried this file's text\./s);
  const lines = await checkActivity(gw.bedrock, out, { front: "vertex", operation: "streamRawPredict", key: "node-key", upstream: "bedrock", prompt });
  assert.equal(lines.length, 2, "the tool call, then the answer to its result");
  assert.ok(lines.every((r) => r.upstream_model === "global.anthropic.claude-sonnet-4-5-20250929-v1:0"), JSON.stringify(lines));
  assert.ok(!(await gw.bedrock.activityText()).includes("carried this file"), "no tool result in the activity log");
});

test("Anthropic mode: ANTHROPIC_BASE_URL and the gateway key as ANTHROPIC_AUTH_TOKEN, streamed as stream-json", async () => {
  const prompt = "Hello from Claude Code on the API";
  const run = await claude(prompt, { ANTHROPIC_BASE_URL: gw.anthropic.url, ANTHROPIC_AUTH_TOKEN: GW_KEY, ...ANTHROPIC_MODELS },
    ["--output-format", "stream-json", "--verbose", "--include-partial-messages"]);
  assert.equal(run.code, 0, run.stderr.slice(0, 2000));
  const events = run.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  const out = events.at(-1);
  assert.equal(out.type, "result");
  assert.equal(out.subtype, "success");
  // The text arrived as the emulator's deltas, relayed one by one.
  const deltas = events.filter((e) => e.type === "stream_event" && e.event.type === "content_block_delta" && e.event.delta.type === "text_delta");
  assert.ok(deltas.length > 3, `${deltas.length} text deltas`);
  assert.equal(deltas.map((e) => e.event.delta.text).join(""), out.result);
  assert.ok(out.result.trimEnd().endsWith(prompt));
  const [rec] = await checkActivity(gw.anthropic, out, { front: "anthropic", operation: "messages", key: "node-key", upstream: "anthropic", prompt });
  assert.equal(rec.model, "claude-sonnet-4-5");
  assert.ok(emu.stderr().includes("POST /v1/messages?beta=true 200 ") || emu.stderr().includes("POST /v1/messages 200 "));
});

test("Anthropic mode through a Bedrock upstream, the key as ANTHROPIC_API_KEY (x-api-key)", async () => {
  const prompt = "Hello from Claude Code, API to Bedrock";
  const out = result(await claude(prompt, { ANTHROPIC_BASE_URL: gw.bedrock.url, ANTHROPIC_API_KEY: GW_KEY, ...ANTHROPIC_MODELS }), prompt);
  const [rec] = await checkActivity(gw.bedrock, out, { front: "anthropic", operation: "messages", key: "node-key", upstream: "bedrock", prompt });
  assert.match(rec.upstream_model, /anthropic\.claude-sonnet-4-5-20250929-v1:0$/);
});

test("Vertex mode with /v1 in the base URL", async () => {
  const prompt = "Hello from Claude Code on Vertex, v1";
  const out = result(await claude(prompt, { CLAUDE_CODE_USE_VERTEX: "1", ANTHROPIC_VERTEX_BASE_URL: gw.vertex.url + "/v1",
    CLAUDE_CODE_SKIP_VERTEX_AUTH: "1", ANTHROPIC_AUTH_TOKEN: GW_KEY, CLOUD_ML_REGION: "us-east5",
    ANTHROPIC_VERTEX_PROJECT_ID: PROJECT, ...VERTEX_MODELS }), prompt);
  await checkActivity(gw.vertex, out, { front: "vertex", operation: "streamRawPredict", key: "node-key", upstream: "vertex", prompt });
  assert.ok(gw.vertex.stderr().includes(`POST /v1/projects/${PROJECT}/locations/us-east5/publishers/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict 200 `));
});

test("Bedrock mode through an Anthropic API upstream (SSE re-framed as event-stream)", async () => {
  const prompt = "Hello from Claude Code, Bedrock to the API";
  const out = result(await claude(prompt, { CLAUDE_CODE_USE_BEDROCK: "1", ANTHROPIC_BEDROCK_BASE_URL: gw.anthropic.url,
    AWS_BEARER_TOKEN_BEDROCK: GW_KEY, AWS_REGION: "us-east-1", ...BEDROCK_MODELS }), prompt);
  const [rec] = await checkActivity(gw.anthropic, out, { front: "bedrock", operation: "invoke-stream", key: "node-key", upstream: "anthropic", prompt });
  assert.equal(rec.upstream_model, "claude-sonnet-4-5-20250929");
});

test("Anthropic mode through a Vertex upstream", async () => {
  const prompt = "Hello from Claude Code, API to Vertex";
  const out = result(await claude(prompt, { ANTHROPIC_BASE_URL: gw.vertex.url, ANTHROPIC_AUTH_TOKEN: GW_KEY, ...ANTHROPIC_MODELS }), prompt);
  const [rec] = await checkActivity(gw.vertex, out, { front: "anthropic", operation: "messages", key: "node-key", upstream: "vertex", prompt });
  assert.equal(rec.upstream_model, "claude-sonnet-4-5@20250929");
});

test("the trap works: a base URL off loopback goes to the proxy, and Claude Code fails", async () => {
  const before = trapped.length;
  const run = await claude("Hello to nowhere", { ANTHROPIC_BASE_URL: "http://gateway.invalid", ANTHROPIC_AUTH_TOKEN: GW_KEY, ...ANTHROPIC_MODELS });
  assert.notEqual(run.code, 0);
  assert.ok(trapped.slice(before).some((t) => t.includes("gateway.invalid")), JSON.stringify(trapped));
  trapped.length = before; // this test's own traffic, meant to be caught
});

test("nothing left 127.0.0.1", () => {
  assert.deepEqual(trapped, []);
});
