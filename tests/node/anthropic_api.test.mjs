// The official @anthropic-ai/sdk against `bedrock emulate`'s Anthropic API
// front: only baseURL and apiKey are set.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { user, weather, checkWeatherToolUse } from "./fixtures.mjs";
import { startEmulator, KEY as AWS_KEY } from "./emulator.mjs";

const KEY = "sk-ant-emulator-key"; // the documented default key
const MODEL = "claude-sonnet-4-5-20250929";

let emu, client;
before(async () => {
  emu = await startEmulator();
  client = new Anthropic({ baseURL: emu.url, apiKey: KEY, maxRetries: 0 });
});
after(async () => { assert.equal(await emu.stop(), 0); });


// Access-log lines of the emulator for a path (one per request).
const hits = (e, path, status) =>
  e.stderr().split("\n").filter((l) => l.includes(` ${path} `) && l.includes(` ${status} `)).length;

test("messages.create", async () => {
  const { data: m, response } = await client.messages.create({ model: MODEL, max_tokens: 100, messages: user("Hello, world") }).withResponse();
  assert.equal(m.type, "message");
  assert.equal(m.role, "assistant");
  assert.equal(m.model, MODEL);
  assert.match(m.id, /^msg_01/);
  assert.equal(m.content[0].text, "You said: Hello, world");
  assert.equal(m.stop_reason, "end_turn");
  assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
  assert.match(response.headers.get("request-id"), /^req_/);
  assert.match(m._request_id, /^req_/);
});

test("the Bedrock front says the same to the same request", async () => {
  const bedrock = new AnthropicBedrock({ awsRegion: "us-east-1", awsAccessKey: AWS_KEY.accessKeyId,
    awsSecretKey: AWS_KEY.secretAccessKey, baseURL: emu.url, maxRetries: 0 });
  const req = { max_tokens: 300, tools: [weather], messages: user("Use get_weather for Lyon") };
  const a = await client.messages.create({ model: MODEL, ...req });
  const b = await bedrock.messages.create({ model: "global.anthropic.claude-sonnet-4-5-20250929-v1:0", ...req });
  assert.equal(a.model, b.model);
  assert.deepEqual(a.usage, b.usage);
  assert.deepEqual(a.content.map(({ id, ...rest }) => rest), b.content.map(({ id, ...rest }) => rest));
});

test("an alias answers as its dated model", async () => {
  const m = await client.messages.create({ model: "claude-sonnet-4-5", max_tokens: 100, messages: user("Hello, alias") });
  assert.equal(m.model, MODEL);
});

test("messages.stream and finalMessage() say what create says", async () => {
  const full = await client.messages.create({ model: MODEL, max_tokens: 100, messages: user("Hello, stream") });
  const stream = client.messages.stream({ model: MODEL, max_tokens: 100, messages: user("Hello, stream") });
  const types = [];
  let text = "";
  stream.on("streamEvent", (ev) => types.push(ev.type));
  stream.on("text", (t) => { text += t; });
  const final = await stream.finalMessage();
  assert.equal(text, full.content[0].text);
  assert.deepEqual(final.content, full.content);
  assert.equal(final.stop_reason, "end_turn");
  assert.equal(final.usage.output_tokens, full.usage.output_tokens);
  assert.equal(types[0], "message_start");
  assert.equal(types[1], "content_block_start");
  assert.equal(types.at(-2), "message_delta");
  assert.equal(types.at(-1), "message_stop");
});

test("stream: true with raw events, and the beta path", async () => {
  const stream = await client.beta.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: user("Hello, beta") });
  let text = "";
  for await (const ev of stream)
    if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
  assert.equal(text, "You said: Hello, beta");
});


test("tools produce a tool_use block, streamed or not", async () => {
  const req = { model: MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Paris") };
  await checkWeatherToolUse(client, req, /^toolu_01/);
});

test("countTokens", async () => {
  const r = await client.messages.countTokens({ model: MODEL, messages: user("Hello, world") });
  const m = await client.messages.create({ model: MODEL, max_tokens: 10, messages: user("Hello, world") });
  assert.equal(r.input_tokens, m.usage.input_tokens);
});

test("models.list through every page, and models.retrieve", async () => {
  const ids = [];
  for await (const m of client.models.list({ limit: 3 })) {
    assert.equal(m.type, "model");
    assert.match(m.created_at, /^\d{4}-\d\d-\d\dT00:00:00Z$/);
    ids.push(m.id);
  }
  const all = await client.models.list({ limit: 1000 });
  assert.equal(all.has_more, false);
  assert.deepEqual(ids, all.data.map((m) => m.id));
  assert.ok(ids.length > 3);
  assert.ok(ids.includes(MODEL) && ids.includes("claude-opus-4-6") && ids.includes("claude-haiku-4-5-20251001"));
  const first = await client.models.list({ limit: 2 });
  assert.equal(first.has_more, true);
  assert.equal(first.first_id, ids[0]);
  assert.equal(first.last_id, ids[1]);
  const back = await client.models.list({ before_id: ids[3], limit: 2 });
  assert.deepEqual(back.data.map((m) => m.id), ids.slice(1, 3));
  assert.equal(back.has_more, true);
  const one = await client.models.retrieve("claude-opus-4-0");
  assert.equal(one.id, "claude-opus-4-20250514");
  assert.equal(one.display_name, "Claude Opus 4");
  await assert.rejects(client.models.retrieve("claude-nope"), Anthropic.NotFoundError);
});

test("a wrong or missing key is an AuthenticationError", async () => {
  const bad = new Anthropic({ baseURL: emu.url, apiKey: "sk-ant-wrong", maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: MODEL, max_tokens: 10, messages: user("hi") }), (e) => {
    assert.ok(e instanceof Anthropic.AuthenticationError);
    assert.equal(e.status, 401);
    assert.equal(e.error.error.type, "authentication_error");
    assert.match(e.requestID, /^req_/);
    return true;
  });
  const bearer = new Anthropic({ baseURL: emu.url, apiKey: null, authToken: KEY, maxRetries: 0 });
  assert.equal((await bearer.models.list()).data.length > 0, true);
});

test("bad requests are BadRequestError, unknown models NotFoundError", async () => {
  await assert.rejects(client.messages.create({ model: MODEL, messages: user("hi") }), (e) =>
    e instanceof Anthropic.BadRequestError && /max_tokens: Field required/.test(e.message));
  await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 10, messages: [{ role: "robot", content: "hi" }] }),
    Anthropic.BadRequestError);
  await assert.rejects(client.messages.create({ model: "claude-nope", max_tokens: 10, messages: user("hi") }), (e) =>
    e instanceof Anthropic.NotFoundError && e.error.error.type === "not_found_error" && /model: claude-nope/.test(e.message));
});

const faults = [
  ["throttle", Anthropic.RateLimitError, 429, "rate_limit_error"],
  ["internal", Anthropic.InternalServerError, 500, "api_error"],
  ["model-error", Anthropic.InternalServerError, 500, "api_error"],
  ["unavailable", Anthropic.OverloadedError, 529, "overloaded_error"],
  ["overloaded", Anthropic.OverloadedError, 529, "overloaded_error"],
  ["not-ready", Anthropic.OverloadedError, 529, "overloaded_error"],
  ["model-timeout", Anthropic.GatewayTimeoutError, 504, "timeout_error"],
  ["access-denied", Anthropic.PermissionDeniedError, 403, "permission_error"],
];
for (const [fault, cls, status, type] of faults) {
  test(`fault ${fault} is the SDK's ${cls.name}`, async () => {
    for (const stream of [false, true]) {
      const req = { model: MODEL, max_tokens: 50, messages: user(`hi [[emulate:fault=${fault}]]`) };
      const call = stream ? client.messages.stream(req).finalMessage() : client.messages.create(req);
      await assert.rejects(call, (e) => {
        assert.ok(e instanceof cls, `${e.constructor.name} for ${fault}`);
        assert.equal(e.status, status);
        assert.equal(e.error.type, "error");
        assert.equal(e.error.error.type, type);
        assert.match(e.requestID, /^req_/);
        if (status === 429) assert.equal(e.headers.get("retry-after"), "1");
        return true;
      });
    }
  });
}

test("dropped connections are APIConnectionError", async () => {
  for (const fault of ["reset", "reset-after=3"]) {
    const stream = fault !== "reset";
    const req = { model: MODEL, max_tokens: 50, messages: user(`hi [[emulate:fault=${fault}]]`) };
    await assert.rejects(stream ? client.messages.stream(req).finalMessage() : client.messages.create(req),
      (e) => e instanceof Anthropic.AnthropicError);
  }
  await assert.rejects(client.messages.create({ model: MODEL, max_tokens: 50, messages: user("hi [[emulate:fault=reset]]") }),
    Anthropic.APIConnectionError);
});

test("in-stream faults: an error event, a broken event, a cut stream", async () => {
  const req = (f) => ({ model: MODEL, max_tokens: 50, messages: user(`Hello there [[emulate:fault=${f}]]`) });
  await assert.rejects(client.messages.stream(req("stream-exception=throttlingException")).finalMessage(), (e) => {
    assert.ok(e instanceof Anthropic.APIError);
    assert.equal(e.error.error.type, "rate_limit_error");
    return true;
  });
  await assert.rejects(client.messages.stream(req("stream-exception=serviceUnavailableException")).finalMessage(),
    (e) => e.error?.error?.type === "overloaded_error");
  await assert.rejects(client.messages.stream(req("corrupt-crc")).finalMessage());
  await assert.rejects(client.messages.stream(req("truncate")).finalMessage());
  const slow = await client.messages.stream(req("slow=5")).finalMessage();
  assert.equal(slow.stop_reason, "end_turn");
});

test("x-should-retry steers the SDK: no-retry is not retried, retry-400 is", async () => {
  const c = new Anthropic({ baseURL: emu.url, apiKey: KEY, maxRetries: 1 });
  const before500 = hits(emu, "/v1/messages", 500), before400 = hits(emu, "/v1/messages", 400);
  await assert.rejects(c.messages.create({ model: MODEL, max_tokens: 10, messages: user("x [[emulate:fault=no-retry]]") }),
    (e) => e instanceof Anthropic.InternalServerError && e.headers.get("x-should-retry") === "false");
  await assert.rejects(c.messages.create({ model: MODEL, max_tokens: 10, messages: user("x [[emulate:fault=retry-400]]") }),
    Anthropic.BadRequestError);
  await new Promise((r) => setTimeout(r, 100));
  assert.equal(hits(emu, "/v1/messages", 500) - before500, 1);
  assert.equal(hits(emu, "/v1/messages", 400) - before400, 2);
});

test("a 529 that fires once is retried by the SDK (--fast-retry)", async () => {
  const e2 = await startEmulator(["--fault", "overloaded:1", "--fast-retry", "--api-key", "k1", "--api-key", "k2"]);
  try {
    const c = new Anthropic({ baseURL: e2.url, apiKey: "k2" });
    const t0 = Date.now();
    const m = await c.messages.create({ model: MODEL, max_tokens: 50, messages: user("Hello, retry") });
    assert.equal(m.content[0].text, "You said: Hello, retry");
    assert.ok(Date.now() - t0 < 400, "retry-after-ms: 1 makes the retry immediate");
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(hits(e2, "/v1/messages", 529), 1);
    assert.equal(hits(e2, "/v1/messages", 200), 1);
    const def = new Anthropic({ baseURL: e2.url, apiKey: KEY, maxRetries: 0 });
    await assert.rejects(def.models.list(), Anthropic.AuthenticationError);
  } finally {
    assert.equal(await e2.stop(), 0);
  }
});
