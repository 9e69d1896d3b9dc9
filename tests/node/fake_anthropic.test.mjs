// The official @anthropic-ai/sdk against tests/fakes/fake_anthropic.py, the
// fake the library's and the CLI's Anthropic API tests run against: what
// the SDK does with it (create, streams with finalMessage(), count_tokens,
// paged models, its error classes, its retries steered by x-should-retry and
// retry-after-ms) is the proof that the fake behaves as the real API.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync, renameSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import Anthropic from "@anthropic-ai/sdk";

const KEY = "sk-ant-test-key";
const MODEL = "claude-opus-4-6"; // one the SDK does not warn about (it dates Sonnet 4.5's end of life)
const SONNET = "claude-sonnet-4-5-20250929";
const FAKE = fileURLToPath(new URL("../fakes/fake_anthropic.py", import.meta.url));

let fake;

async function startFake() {
  const dir = mkdtempSync(join(tmpdir(), "bedrock-fake-"));
  const state = join(dir, "state.json"), log = join(dir, "log.jsonl");
  writeFileSync(state, "{}");
  writeFileSync(log, "");
  const child = spawn("python3", [FAKE, "--state", state, "--log", log, "--lifetime", "600"],
    { stdio: ["ignore", "pipe", "inherit"] });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("fake_anthropic.py did not start")), 10000);
    rl.once("line", (l) => { clearTimeout(timer); resolve(l); });
    child.once("exit", (code) => reject(new Error(`fake_anthropic.py exited ${code}`)));
  });
  const port = /^PORT (\d+)$/.exec(line)[1];
  let n = 0;
  return {
    url: `http://127.0.0.1:${port}`,
    // A new state file each time: the fake then starts its script afresh.
    setState(s) { const tmp = `${state}.${n++}`; writeFileSync(tmp, JSON.stringify(s)); renameSync(tmp, state); },
    log() { return readFileSync(log, "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)); },
    logText() { return readFileSync(log, "utf8"); },
    clearLog() { writeFileSync(log, ""); },
    async stop() {
      const done = new Promise((r) => child.once("exit", r));
      child.kill("SIGTERM");
      await done;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

const client = (opts = {}) => new Anthropic({ baseURL: fake.url, apiKey: KEY, authToken: null, maxRetries: 0, ...opts });
const user = (text) => [{ role: "user", content: text }];
const PROMPT = "Grüße, ✓ 日本語 — long enough for many split points";

before(async () => { fake = await startFake(); });
after(async () => { await fake.stop(); });

test("messages.create", async () => {
  fake.setState({});
  fake.clearLog();
  const { data: m, response } = await client().messages.create({ model: MODEL, max_tokens: 100, messages: user(PROMPT) }).withResponse();
  assert.equal(m.type, "message");
  assert.equal(m.model, MODEL);
  assert.deepEqual(m.content, [{ type: "text", text: `You said: ${PROMPT}` }]);
  assert.equal(m.stop_reason, "end_turn");
  assert.match(m._request_id, /^req_/);
  assert.equal(response.headers.get("request-id"), m._request_id);
  const [e] = fake.log();
  assert.equal(e.request_id, m._request_id);
  // SDK 1.x sends its apiKey as "Authorization: Bearer": the fake takes
  // a key there, as the API does.
  assert.equal(e.auth, "bearer");
  assert.ok(!fake.logText().includes(KEY), "the key is masked in the log");
});

test("an alias answers as its dated model; Authorization: Bearer", async () => {
  fake.setState({ auth_token: "sk-ant-oauth-token" });
  fake.clearLog();
  const c = client({ apiKey: null, authToken: "sk-ant-oauth-token" });
  const m = await c.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, messages: user("hi") });
  assert.equal(m.model, SONNET);
  assert.equal(fake.log()[0].auth, "bearer");
});

for (const state of [{ split_seed: 1 }, { split_seed: 2, split_max: 2 }, { split_seed: 3, split_max: 1, crlf: true },
  { split_seed: 4, crlf: true, comments: true, pings: 3 }]) {
  test(`messages.stream + finalMessage() say what create says (${JSON.stringify(state)})`, async () => {
    fake.setState(state);
    const c = client();
    const full = await c.messages.create({ model: MODEL, max_tokens: 100, messages: user(PROMPT) });
    const stream = c.messages.stream({ model: MODEL, max_tokens: 100, messages: user(PROMPT) });
    const types = [];
    let text = "";
    stream.on("streamEvent", (ev) => types.push(ev.type));
    stream.on("text", (t) => { text += t; });
    const final = await stream.finalMessage();
    assert.equal(text, full.content[0].text);
    assert.deepEqual(final.content, full.content);
    assert.deepEqual(final.usage, full.usage);
    assert.equal(final.id, full.id);
    assert.deepEqual(types.slice(0, 2), ["message_start", "content_block_start"]);
    assert.deepEqual(types.slice(-3), ["content_block_stop", "message_delta", "message_stop"]);
  });
}

test("tool_use and thinking blocks, streamed and not", async () => {
  const entry = { text: "Checking.", thinking: "Weather, then.", tool_use: { name: "get_weather", input: { city: "Lyon", unit: "c" } } };
  fake.setState({ script: [entry, entry] });
  const c = client();
  const req = { model: MODEL, max_tokens: 300, messages: user("Weather in Lyon?"),
    tools: [{ name: "get_weather", description: "Weather", input_schema: { type: "object", properties: { city: { type: "string" } } } }] };
  const full = await c.messages.create(req);
  const final = await c.messages.stream(req).finalMessage();
  assert.deepEqual(full.content.map((b) => b.type), ["thinking", "text", "tool_use"]);
  assert.equal(full.stop_reason, "tool_use");
  assert.deepEqual(final.content, full.content);
});

test("count_tokens agrees with usage.input_tokens", async () => {
  fake.setState({});
  const c = client();
  const m = await c.messages.create({ model: MODEL, max_tokens: 100, messages: user(PROMPT) });
  const n = await c.messages.countTokens({ model: MODEL, messages: user(PROMPT) });
  assert.equal(n.input_tokens, m.usage.input_tokens);
});

test("models: auto-pagination over pages of 3, and retrieve by alias", async () => {
  fake.setState({ page_size_max: 3 });
  fake.clearLog();
  const ids = [];
  for await (const m of client().models.list({ limit: 1000 })) ids.push(m.id);
  assert.ok(ids.length >= 8 && ids.includes(MODEL));
  assert.equal(new Set(ids).size, ids.length);
  const pages = fake.log();
  assert.equal(pages.length, Math.ceil(ids.length / 3));
  assert.match(pages[1].query, /after_id=/);
  const one = await client().models.retrieve("claude-sonnet-4-5");
  assert.equal(one.id, SONNET);
});

test("errors come out as the SDK's own classes, with the request id", async () => {
  const cases = [
    [{ status: 400, message: "bad thing" }, Anthropic.BadRequestError, "invalid_request_error"],
    [{ status: 401 }, Anthropic.AuthenticationError, "authentication_error"],
    [{ status: 403 }, Anthropic.PermissionDeniedError, "permission_error"],
    [{ status: 404 }, Anthropic.NotFoundError, "not_found_error"],
    [{ status: 429 }, Anthropic.RateLimitError, "rate_limit_error"],
    [{ status: 500 }, Anthropic.InternalServerError, "api_error"],
    [{ status: 529 }, Anthropic.OverloadedError, "overloaded_error"],
  ];
  for (const [entry, cls, type] of cases) {
    fake.setState({ script: [{ ...entry, request_id: "req_scripted" }] });
    await assert.rejects(client().messages.create({ model: MODEL, max_tokens: 10, messages: user("x") }), (e) => {
      assert.ok(e instanceof cls, `${entry.status}: ${e.constructor.name}`);
      assert.equal(e.status, entry.status);
      assert.equal(e.error.error.type, type);
      assert.equal(e.requestID, "req_scripted");
      return true;
    });
  }
  // A real refusal, not scripted: a wrong key.
  fake.setState({});
  await assert.rejects(client({ apiKey: "sk-ant-wrong" }).messages.create({ model: MODEL, max_tokens: 10, messages: user("x") }),
    Anthropic.AuthenticationError);
});

const gaps = (log) => log.slice(1).map((e, i) => (e.time - log[i].time) * 1000);

test("retries: retry-after-ms is obeyed (fast), and the default back-off is not", async () => {
  fake.setState({ script: [{ status: 529, headers: { "retry-after-ms": "5" } }, { status: 200, text: "Hello" }] });
  fake.clearLog();
  const m = await client({ maxRetries: 2 }).messages.create({ model: MODEL, max_tokens: 10, messages: user("x") });
  assert.equal(m.content[0].text, "Hello");
  let log = fake.log();
  assert.deepEqual(log.map((e) => e.headers["x-stainless-retry-count"]), ["0", "1"]);
  assert.ok(gaps(log)[0] < 300, `retry-after-ms 5 honoured: ${gaps(log)}`);

  fake.setState({ script: [{ status: 429, headers: { "retry-after-ms": "700" } }] });
  fake.clearLog();
  await client({ maxRetries: 2 }).messages.create({ model: MODEL, max_tokens: 10, messages: user("x") });
  log = fake.log();
  assert.equal(log.length, 2);
  assert.ok(gaps(log)[0] >= 650, `retry-after-ms 700 honoured: ${gaps(log)}`);
});

test("retries: x-should-retry false stops a 500, true retries a 400", async () => {
  fake.setState({ script: [{ status: 500, headers: { "x-should-retry": "false" } }] });
  fake.clearLog();
  await assert.rejects(client({ maxRetries: 2 }).messages.create({ model: MODEL, max_tokens: 10, messages: user("x") }),
    Anthropic.InternalServerError);
  assert.equal(fake.log().length, 1);

  fake.setState({ script: [{ status: 400, headers: { "x-should-retry": "true", "retry-after-ms": "1" } }] });
  fake.clearLog();
  await client({ maxRetries: 2 }).messages.create({ model: MODEL, max_tokens: 10, messages: user("x") });
  assert.deepEqual(fake.log().map((e) => e.status), [400, 200]);
});

test("a mid-stream error: the text before it arrives, then the SDK throws the error's type", async () => {
  fake.setState({ script: [{ stream_error_after: 3 }], delta_chars: 2 });
  let text = "";
  const stream = client().messages.stream({ model: MODEL, max_tokens: 100, messages: user("a long prompt") });
  stream.on("text", (t) => { text += t; });
  await assert.rejects(stream.finalMessage(), (e) => {
    assert.ok(e instanceof Anthropic.APIError);
    assert.equal(e.error.error.type, "overloaded_error");
    return true;
  });
  assert.equal(text, "You sa"); // three deltas of two characters
});

test("a cut stream is an error for the SDK, not a short answer", async () => {
  fake.setState({ script: [{ cut_after: 2 }] });
  const stream = client().messages.stream({ model: MODEL, max_tokens: 100, messages: user("a long prompt") });
  await assert.rejects(stream.finalMessage());
});

test("an unknown event (vertex_event) is passed over by the SDK's stream", async () => {
  fake.setState({ vertex_event: true });
  const c = client();
  const full = await c.messages.create({ model: MODEL, max_tokens: 100, messages: user(PROMPT) });
  const final = await c.messages.stream({ model: MODEL, max_tokens: 100, messages: user(PROMPT) }).finalMessage();
  assert.deepEqual(final.content, full.content);
});
