// The official clients through `bedrock gateway` to `bedrock emulate`,
// unmodified: only the endpoint and the credentials (a gateway key, or the
// SigV4 pair the gateway issued) change. One emulator serves all three
// fronts; three gateways sit in front of it, one per upstream platform, so
// every client is tried against its own platform (bodies and stream bytes
// relayed) and against the others (re-rendered and re-framed).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import {
  BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand,
  ConverseCommand, ConverseStreamCommand, CountTokensCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { user, weather, checkWeatherToolUse } from "./fixtures.mjs";
import { startEmulator } from "./emulator.mjs";
import { startGatewayPerPlatform, PROJECT, activityOf, GW_KEY, GW_PAIR } from "./gateway.mjs";

// Haiku 4.5: current, thinks, and draws no deprecation warning from the SDK.
const API_MODEL = "claude-haiku-4-5-20251001";
const BEDROCK_MODEL = "us.anthropic.claude-haiku-4-5-20251001-v1:0";
const VERTEX_MODEL = "claude-haiku-4-5@20251001";

let emu, gw = {}, home;
before(async () => {
  // No AWS or Google credentials of the test's own environment may help a
  // client: what authenticates it to the gateway is what the test passes.
  home = mkdtempSync(join(tmpdir(), "bedrock-gw-sdk-home-"));
  Object.assign(process.env, { HOME: home, AWS_CONFIG_FILE: join(home, "none"), AWS_SHARED_CREDENTIALS_FILE: join(home, "none") });
  for (const v of ["AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK",
    "ANTHROPIC_API_KEY", "ANTHROPIC_AUTH_TOKEN", "ANTHROPIC_BASE_URL", "ANTHROPIC_BEDROCK_BASE_URL", "ANTHROPIC_VERTEX_BASE_URL",
    "GOOGLE_APPLICATION_CREDENTIALS", "GCE_METADATA_HOST"]) delete process.env[v];
  emu = await startEmulator();
  gw = await startGatewayPerPlatform(emu.url);
});
after(async () => {
  for (const g of Object.values(gw)) assert.equal(await g.stop(), 0);
  assert.equal(await emu.stop(), 0);
  rmSync(home, { recursive: true, force: true });
});

const THINK = { type: "enabled", budget_tokens: 1024 };
const settle = () => new Promise((r) => setTimeout(r, 100));
// The emulator's access-log lines so far: one per request that reached it
// (written just after the answer, hence the settle before counting).
const emuHits = async () => { await settle(); return emu.stderr().split("\n").filter(Boolean).length; };

const anthropicVia = (g, opts = { apiKey: GW_KEY }) => new Anthropic({ baseURL: g.url, maxRetries: 0, ...opts });
const bedrockVia = (g, auth = { awsAccessKey: GW_PAIR.accessKeyId, awsSecretKey: GW_PAIR.secretAccessKey }) =>
  new AnthropicBedrock({ awsRegion: "us-east-1", baseURL: g.url, maxRetries: 0, ...auth });
// The Vertex SDK takes its token from a Google auth client: this one hands
// out the gateway key as the Bearer token, as a gcloud token would be.
const gatewayAuthClient = { getRequestHeaders: async () => new Headers({ authorization: `Bearer ${GW_KEY}` }) };
const vertexVia = (g, base = "/v1") =>
  new AnthropicVertex({ region: "us-east5", projectId: PROJECT, baseURL: g.url + base, authClient: gatewayAuthClient, maxRetries: 0 });
const runtimeVia = (g, auth = { credentials: GW_PAIR }) =>
  new BedrockRuntimeClient({ region: "us-east-1", endpoint: g.url, maxAttempts: 1, ...auth });

// Collects an SDK stream's text, thinking and event types.
async function drain(stream) {
  const out = { types: [], text: "", thinking: "", signature: "" };
  for await (const ev of stream) {
    out.types.push(ev.type);
    if (ev.type === "content_block_delta") {
      if (ev.delta.type === "text_delta") out.text += ev.delta.text;
      if (ev.delta.type === "thinking_delta") out.thinking += ev.delta.thinking;
      if (ev.delta.type === "signature_delta") out.signature += ev.delta.signature;
    }
  }
  return out;
}

function assertThinking(m) {
  assert.equal(m.content[0].type, "thinking");
  assert.match(m.content[0].thinking, /^The last user message has \d+/);
  assert.ok(m.content[0].signature.length > 0);
  assert.equal(m.content.at(-1).type, "text");
  assert.equal(m.stop_reason, "end_turn");
}

// ---- @anthropic-ai/sdk to an Anthropic upstream ---------------------------

test("Anthropic SDK: messages.create, logged under the key's name", async () => {
  const { data: m, response } = await anthropicVia(gw.anthropic).messages
    .create({ model: API_MODEL, max_tokens: 100, messages: user("Hello, gateway") }).withResponse();
  assert.equal(m.content[0].text, "You said: Hello, gateway");
  assert.equal(m.model, API_MODEL);
  assert.match(m.id, /^msg_01/, "same platform: the upstream's answer as it came");
  assert.equal(m.stop_reason, "end_turn");
  assert.ok(m.usage.input_tokens > 0 && m.usage.output_tokens > 0);
  const rec = await activityOf(gw.anthropic, response.headers.get("request-id"));
  assert.equal(rec.key, "node-key");
  assert.equal(rec.front, "anthropic");
  assert.equal(rec.operation, "messages");
  assert.equal(rec.upstream_platform, "anthropic");
  assert.equal(rec.status, 200);
  assert.equal(rec.input_tokens, m.usage.input_tokens);
  assert.equal(rec.output_tokens, m.usage.output_tokens);
  assert.match(rec.user_agent, /^Anthropic\/JS /);
});

test("Anthropic SDK: the key as Authorization: Bearer (authToken) works too; a wrong key is a 403 that never reaches the emulator", async () => {
  const m = await anthropicVia(gw.anthropic, { authToken: GW_KEY, apiKey: null })
    .messages.create({ model: API_MODEL, max_tokens: 50, messages: user("Hello, bearer") });
  assert.equal(m.content[0].text, "You said: Hello, bearer");
  const before = await emuHits();
  await assert.rejects(
    anthropicVia(gw.anthropic, { apiKey: "gw-wrong-key-000000000000" }).messages.create({ model: API_MODEL, max_tokens: 50, messages: user("Hello, intruder") }),
    (e) => e instanceof Anthropic.PermissionDeniedError && e.error?.error?.type === "permission_error");
  await assert.rejects(
    anthropicVia(gw.anthropic, { apiKey: "sk-ant-emulator-key" }).messages.create({ model: API_MODEL, max_tokens: 50, messages: user("Hello, upstream key") }),
    (e) => e.status === 403, "the upstream's own key is not a gateway key");
  assert.equal(await emuHits(), before, "nothing reached the upstream");
});

test("Anthropic SDK: messages.stream says what create says", async () => {
  const c = anthropicVia(gw.anthropic);
  const full = await c.messages.create({ model: API_MODEL, max_tokens: 100, messages: user("Hello, stream") });
  const stream = c.messages.stream({ model: API_MODEL, max_tokens: 100, messages: user("Hello, stream") });
  const types = [];
  stream.on("streamEvent", (ev) => types.push(ev.type));
  const final = await stream.finalMessage();
  assert.deepEqual(final.content, full.content);
  assert.equal(final.stop_reason, "end_turn");
  assert.deepEqual(final.usage, full.usage);
  assert.deepEqual([types[0], types.at(-2), types.at(-1)], ["message_start", "message_delta", "message_stop"]);
});

test("same platform: the stream's bytes are the emulator's, ping included", async () => {
  const body = JSON.stringify({ model: API_MODEL, max_tokens: 100, stream: true, messages: user("Hello, bytes") });
  const post = (url, key) => fetch(url + "/v1/messages", { method: "POST", body,
    headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" } }).then((r) => r.text());
  const direct = await post(emu.url, "sk-ant-emulator-key");
  const relayed = await post(gw.anthropic.url, GW_KEY);
  assert.match(direct, /event: ping\n/);
  assert.equal(relayed, direct);
});

test("Anthropic SDK: tools, streamed or not", async () => {
  const c = anthropicVia(gw.anthropic);
  const req = { model: API_MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Paris") };
  const m = await checkWeatherToolUse(c, req, /^toolu_01/);
  const use = m.content.find((b) => b.type === "tool_use");
  // The tool's result goes back through the gateway and is answered.
  const next = await c.messages.create({ ...req, messages: [...req.messages, { role: "assistant", content: m.content },
    { role: "user", content: [{ type: "tool_result", tool_use_id: use.id, content: "18 degrees" }] }] });
  assert.equal(next.stop_reason, "end_turn");
  assert.equal(next.content.at(-1).type, "text");
});

test("Anthropic SDK: thinking, whole and streamed", async () => {
  const c = anthropicVia(gw.anthropic);
  const req = { model: API_MODEL, max_tokens: 2000, thinking: THINK, messages: user("Think about the sea") };
  const m = await c.messages.create(req);
  assertThinking(m);
  const s = await drain(await c.messages.create({ ...req, stream: true }));
  assert.equal(s.thinking, m.content[0].thinking);
  assert.equal(s.signature, m.content[0].signature);
  assert.equal(s.text, m.content.at(-1).text);
});

test("Anthropic SDK: countTokens and models.list", async () => {
  const c = anthropicVia(gw.anthropic);
  const r = await c.messages.countTokens({ model: API_MODEL, messages: user("Hello, world") });
  const m = await c.messages.create({ model: API_MODEL, max_tokens: 10, messages: user("Hello, world") });
  assert.equal(r.input_tokens, m.usage.input_tokens);
  const ids = [];
  for await (const model of c.models.list({ limit: 5 })) ids.push(model.id);
  assert.ok(ids.includes(API_MODEL) && ids.includes("claude-haiku-4-5-20251001"), ids.join(" "));
});

// ---- @anthropic-ai/bedrock-sdk to a Bedrock upstream ----------------------

test("Bedrock SDK: SigV4 with the gateway's pair, create and stream", async () => {
  const c = bedrockVia(gw.bedrock);
  const { data: m, response } = await c.messages.create({ model: BEDROCK_MODEL, max_tokens: 100, messages: user("Hello, signed") }).withResponse();
  assert.equal(m.content[0].text, "You said: Hello, signed");
  assert.match(m.id, /^msg_bdrk_/);
  assert.equal(m.stop_reason, "end_turn");
  const rec = await activityOf(gw.bedrock, response.headers.get("x-amzn-requestid"));
  assert.equal(rec.key, "node-pair");
  assert.equal(rec.front, "bedrock");
  assert.equal(rec.operation, "invoke");
  assert.equal(rec.upstream_model, BEDROCK_MODEL);
  assert.equal(rec.output_tokens, m.usage.output_tokens);
  const s = await drain(await c.messages.create({ model: BEDROCK_MODEL, max_tokens: 100, stream: true, messages: user("Hello, signed") }));
  assert.equal(s.text, m.content[0].text);
  assert.equal(s.types.at(-1), "message_stop");
});

test("Bedrock SDK: the gateway key as a Bedrock API key (apiKey, and AWS_BEARER_TOKEN_BEDROCK)", async () => {
  const m = await bedrockVia(gw.bedrock, { apiKey: GW_KEY }).messages.create({ model: BEDROCK_MODEL, max_tokens: 50, messages: user("Hello, API key") });
  assert.equal(m.content[0].text, "You said: Hello, API key");
  process.env.AWS_BEARER_TOKEN_BEDROCK = GW_KEY;
  try {
    const { data: m2, response } = await bedrockVia(gw.bedrock, {}).messages.create({ model: BEDROCK_MODEL, max_tokens: 50, messages: user("Hello, env key") }).withResponse();
    assert.equal(m2.content[0].text, "You said: Hello, env key");
    assert.equal((await activityOf(gw.bedrock, response.headers.get("x-amzn-requestid"))).key, "node-key");
  } finally { delete process.env.AWS_BEARER_TOKEN_BEDROCK; }
});

test("Bedrock SDK: a wrong secret is refused with 403 before the emulator sees it", async () => {
  const before = await emuHits();
  await assert.rejects(
    bedrockVia(gw.bedrock, { awsAccessKey: GW_PAIR.accessKeyId, awsSecretKey: "not-the-issued-secret" })
      .messages.create({ model: BEDROCK_MODEL, max_tokens: 50, messages: user("Hello, forger") }),
    (e) => e.status === 403);
  assert.equal(await emuHits(), before, "nothing reached the upstream");
  assert.ok(!(await gw.bedrock.activityText()).includes("not-the-issued-secret"));
  assert.ok(!(await gw.bedrock.activityText()).includes(GW_PAIR.secretAccessKey));
});

test("Bedrock SDK: tools and thinking", async () => {
  const c = bedrockVia(gw.bedrock);
  const t = await c.messages.create({ model: BEDROCK_MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Oslo") });
  assert.equal(t.stop_reason, "tool_use");
  const use = t.content.find((b) => b.type === "tool_use");
  assert.equal(use.name, "get_weather");
  assert.match(use.id, /^toolu_bdrk_/);
  const req = { model: BEDROCK_MODEL, max_tokens: 2000, thinking: THINK, messages: user("Think about the sea") };
  const m = await c.messages.create(req);
  assertThinking(m);
  const s = await drain(await c.messages.create({ ...req, stream: true }));
  assert.equal(s.thinking, m.content[0].thinking);
  assert.equal(s.text, m.content.at(-1).text);
});

// ---- @anthropic-ai/vertex-sdk to a Vertex upstream ------------------------

test("Vertex SDK: the gateway key as the Google token, create, stream, countTokens", async () => {
  const c = vertexVia(gw.vertex);
  const { data: m, response } = await c.messages.create({ model: VERTEX_MODEL, max_tokens: 100, messages: user("Hello, Vertex") }).withResponse();
  assert.equal(m.content[0].text, "You said: Hello, Vertex");
  assert.match(m.id, /^msg_vrtx_01/);
  assert.equal(m.stop_reason, "end_turn");
  const rec = await activityOf(gw.vertex, response.headers.get("request-id"));
  assert.equal(rec.key, "node-key");
  assert.equal(rec.front, "vertex");
  assert.equal(rec.upstream_platform, "vertex");
  assert.equal(rec.upstream_region, "us-east5");
  const s = await drain(await c.messages.create({ model: VERTEX_MODEL, max_tokens: 100, stream: true, messages: user("Hello, Vertex") }));
  assert.equal(s.text, m.content[0].text);
  assert.equal(s.types.at(-1), "message_stop");
  const n = await c.messages.countTokens({ model: VERTEX_MODEL, messages: user("Hello, Vertex") });
  assert.equal(n.input_tokens, m.usage.input_tokens);
  // Claude Code's base URL has no /v1: the gateway serves both.
  const bare = await vertexVia(gw.vertex, "").messages.create({ model: VERTEX_MODEL, max_tokens: 50, messages: user("Hello, bare") });
  assert.equal(bare.content[0].text, "You said: Hello, bare");
});

test("Vertex SDK: tools and thinking", async () => {
  const c = vertexVia(gw.vertex);
  const t = await c.messages.create({ model: VERTEX_MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Rome") });
  assert.equal(t.stop_reason, "tool_use");
  assert.match(t.content.find((b) => b.type === "tool_use").id, /^toolu_vrtx_01/);
  const m = await c.messages.create({ model: VERTEX_MODEL, max_tokens: 2000, thinking: THINK, messages: user("Think about the sea") });
  assertThinking(m);
});

// ---- @aws-sdk/client-bedrock-runtime to a Bedrock upstream ----------------

const invokeBody = (text, extra = {}) => JSON.stringify({ anthropic_version: "bedrock-2023-05-31", max_tokens: 200, messages: user(text), ...extra });
const decode = (bytes) => JSON.parse(new TextDecoder().decode(bytes));

async function invokeStream(client, modelId, body) {
  const r = await client.send(new InvokeModelWithResponseStreamCommand({ modelId, contentType: "application/json", body }));
  const out = { types: [], text: "", thinking: "", metrics: null };
  for await (const ev of r.body) {
    const e = decode(ev.chunk.bytes);
    out.types.push(e.type);
    if (e.type === "content_block_delta" && e.delta.type === "text_delta") out.text += e.delta.text;
    if (e.type === "content_block_delta" && e.delta.type === "thinking_delta") out.thinking += e.delta.thinking;
    if (e["amazon-bedrock-invocationMetrics"]) out.metrics = e["amazon-bedrock-invocationMetrics"];
  }
  return out;
}

test("AWS SDK: InvokeModel and InvokeModelWithResponseStream, signed with the gateway's pair", async () => {
  const c = runtimeVia(gw.bedrock);
  try {
    const r = await c.send(new InvokeModelCommand({ modelId: BEDROCK_MODEL, contentType: "application/json", body: invokeBody("Hello, AWS") }));
    const a = decode(r.body);
    assert.equal(a.content[0].text, "You said: Hello, AWS");
    assert.equal(a.stop_reason, "end_turn");
    const rec = await activityOf(gw.bedrock, r.$metadata.requestId);
    assert.equal(rec.key, "node-pair");
    assert.equal(rec.operation, "invoke");
    assert.match(rec.user_agent, /aws-sdk-js/);
    const s = await invokeStream(c, BEDROCK_MODEL, invokeBody("Hello, AWS"));
    assert.equal(s.text, a.content[0].text);
    assert.equal(s.types[0], "message_start");
    assert.equal(s.types.at(-1), "message_stop");
    assert.equal(s.metrics?.inputTokenCount, a.usage.input_tokens);
    assert.equal(s.metrics?.outputTokenCount, a.usage.output_tokens);
    const think = await invokeStream(c, BEDROCK_MODEL, invokeBody("Think about the sea", { max_tokens: 2000, thinking: THINK }));
    assert.match(think.thinking, /^The last user message has \d+/);
  } finally { c.destroy(); }
});

test("AWS SDK: Converse and ConverseStream, with a tool", async () => {
  const c = runtimeVia(gw.bedrock);
  try {
    const messages = [{ role: "user", content: [{ text: "Hello, Converse" }] }];
    const r = await c.send(new ConverseCommand({ modelId: BEDROCK_MODEL, messages, inferenceConfig: { maxTokens: 100 } }));
    assert.equal(r.output.message.content[0].text, "You said: Hello, Converse");
    assert.equal(r.stopReason, "end_turn");
    assert.ok(r.usage.inputTokens > 0 && r.usage.outputTokens > 0);
    assert.equal(r.usage.totalTokens, r.usage.inputTokens + r.usage.outputTokens);
    const s = await c.send(new ConverseStreamCommand({ modelId: BEDROCK_MODEL, messages, inferenceConfig: { maxTokens: 100 } }));
    let text = "", stop = null, usage = null;
    for await (const ev of s.stream) {
      if (ev.contentBlockDelta?.delta?.text) text += ev.contentBlockDelta.delta.text;
      if (ev.messageStop) stop = ev.messageStop.stopReason;
      if (ev.metadata) usage = ev.metadata.usage;
    }
    assert.equal(text, "You said: Hello, Converse");
    assert.equal(stop, "end_turn");
    assert.equal(usage.outputTokens, r.usage.outputTokens);
    const toolConfig = { tools: [{ toolSpec: { name: weather.name, description: weather.description, inputSchema: { json: weather.input_schema } } }] };
    const t = await c.send(new ConverseCommand({ modelId: BEDROCK_MODEL, messages: [{ role: "user", content: [{ text: "Use get_weather for Kyiv" }] }], toolConfig }));
    assert.equal(t.stopReason, "tool_use");
    assert.equal(t.output.message.content.find((b) => b.toolUse).toolUse.name, "get_weather");
  } finally { c.destroy(); }
});

test("AWS SDK: CountTokens, and the gateway key as a bearer token", async () => {
  const c = runtimeVia(gw.bedrock, { token: { token: GW_KEY }, authSchemePreference: ["httpBearerAuth"] });
  try {
    const body = invokeBody("Hello, count");
    const n = await c.send(new CountTokensCommand({ modelId: "anthropic.claude-haiku-4-5-20251001-v1:0", input: { invokeModel: { body } } }));
    const r = await c.send(new InvokeModelCommand({ modelId: BEDROCK_MODEL, contentType: "application/json", body }));
    assert.equal(n.inputTokens, decode(r.body).usage.input_tokens);
    assert.equal((await activityOf(gw.bedrock, r.$metadata.requestId)).key, "node-key");
  } finally { c.destroy(); }
});

// ---- across platforms ------------------------------------------------------

test("across: the Anthropic SDK through a gateway whose upstream is Bedrock", async () => {
  const c = anthropicVia(gw.bedrock);
  const { data: m, response } = await c.messages.create({ model: API_MODEL, max_tokens: 100, messages: user("Hello, across") }).withResponse();
  assert.equal(m.content[0].text, "You said: Hello, across");
  assert.equal(m.model, API_MODEL);
  const rec = await activityOf(gw.bedrock, response.headers.get("request-id"));
  assert.equal(rec.front, "anthropic");
  assert.equal(rec.upstream_platform, "bedrock");
  assert.match(rec.upstream_model, /anthropic\.claude-haiku-4-5-20251001-v1:0$/);
  // Bedrock's event stream, re-framed as SSE event by event.
  const s = await drain(await c.messages.create({ model: API_MODEL, max_tokens: 2000, stream: true, thinking: THINK, messages: user("Think about the sea") }));
  const whole = await c.messages.create({ model: API_MODEL, max_tokens: 2000, thinking: THINK, messages: user("Think about the sea") });
  assertThinking(whole);
  assert.equal(s.thinking, whole.content[0].thinking);
  assert.equal(s.text, whole.content.at(-1).text);
  assert.deepEqual([s.types[0], s.types.at(-1)], ["message_start", "message_stop"]);
  const t = await c.messages.stream({ model: API_MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Lima") }).finalMessage();
  assert.equal(t.stop_reason, "tool_use");
  assert.equal(t.content.find((b) => b.type === "tool_use").name, "get_weather");
  const n = await c.messages.countTokens({ model: API_MODEL, messages: user("Hello, across") });
  assert.equal(n.input_tokens, m.usage.input_tokens);
});

test("across: Bedrock clients through gateways whose upstream is the Anthropic API or Vertex", async () => {
  for (const g of [gw.anthropic, gw.vertex]) {
    const c = runtimeVia(g);
    try {
      const r = await c.send(new InvokeModelCommand({ modelId: BEDROCK_MODEL, contentType: "application/json", body: invokeBody("Hello, over there") }));
      const a = decode(r.body);
      assert.equal(a.content[0].text, "You said: Hello, over there");
      assert.equal(a.stop_reason, "end_turn");
      const rec = await activityOf(g, r.$metadata.requestId);
      assert.equal(rec.front, "bedrock");
      assert.equal(rec.upstream_platform, g === gw.vertex ? "vertex" : "anthropic");
      assert.equal(rec.upstream_model, g === gw.vertex ? VERTEX_MODEL : API_MODEL);
      // SSE re-framed as event-stream chunks; message_stop gains the invocation metrics.
      const s = await invokeStream(c, BEDROCK_MODEL, invokeBody("Hello, over there"));
      assert.equal(s.text, a.content[0].text);
      assert.ok(!s.types.includes("ping") && !s.types.includes("vertex_event"), s.types.join(" "));
      assert.equal(s.metrics?.inputTokenCount, a.usage.input_tokens);
      assert.equal(s.metrics?.outputTokenCount, a.usage.output_tokens);
      // Converse has no equivalent off Bedrock: refused in Bedrock's shape.
      await assert.rejects(c.send(new ConverseCommand({ modelId: BEDROCK_MODEL, messages: [{ role: "user", content: [{ text: "Hello" }] }] })),
        (e) => e.name === "ValidationException" && e.$metadata.httpStatusCode === 400 && /only by Bedrock upstreams/.test(e.message));
    } finally { c.destroy(); }
    const b = bedrockVia(g);
    const t = await b.messages.create({ model: BEDROCK_MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Quito") });
    assert.equal(t.stop_reason, "tool_use");
    assert.equal(t.content.find((x) => x.type === "tool_use").name, "get_weather");
    const m = await b.messages.create({ model: BEDROCK_MODEL, max_tokens: 2000, thinking: THINK, messages: user("Think about the sea") });
    assertThinking(m);
  }
});

test("across: the Vertex SDK through a gateway whose upstream is Bedrock", async () => {
  const c = vertexVia(gw.bedrock);
  const m = await c.messages.create({ model: VERTEX_MODEL, max_tokens: 100, messages: user("Hello, from Vertex") });
  assert.equal(m.content[0].text, "You said: Hello, from Vertex");
  const s = await drain(await c.messages.create({ model: VERTEX_MODEL, max_tokens: 100, stream: true, messages: user("Hello, from Vertex") }));
  assert.equal(s.text, m.content[0].text);
  assert.equal(s.types.at(-1), "message_stop");
});

// TODO (gateway): a request refused for its key is logged with error_type
// "forbidden"/"unauthenticated" (src/gateway/gw_handle.c, gw_precheck and
// the body check after gw_auth_body), while the client gets the front's
// type and docs/gateway.md says error_type is "the error's type, e.g.
// ThrottlingException, rate_limit_error".
test("a refused key's activity line says forbidden, whichever front refused it", async () => {
  // The client gets its front's own error (AccessDeniedException here); the
  // log keeps one vocabulary across fronts (docs/gateway.md, error_type).
  const c = runtimeVia(gw.bedrock, { credentials: { ...GW_PAIR, secretAccessKey: "not-the-issued-secret" } });
  let name, line;
  try {
    await c.send(new InvokeModelCommand({ modelId: BEDROCK_MODEL, contentType: "application/json", body: invokeBody("Hello, refused") }));
  } catch (e) {
    name = e.name;
    assert.equal(e.$metadata.httpStatusCode, 403);
    line = await activityOf(gw.bedrock, e.$metadata.requestId);
  } finally { c.destroy(); }
  assert.equal(name, "AccessDeniedException");
  assert.equal(line.error_type, "forbidden");
  assert.equal(line.status, 403);
});

test("the activity log holds no key, secret or prompt", async () => {
  for (const g of Object.values(gw)) {
    const text = await g.activityText();
    assert.ok(text.length > 0);
    assert.ok(!text.includes(GW_KEY), "no client key");
    assert.ok(!text.includes(GW_PAIR.secretAccessKey), "no issued secret");
    assert.ok(!text.includes("sk-ant-emulator-key"), "no upstream key");
    assert.ok(!text.includes("Hello, gateway") && !text.includes("You said"), "no prompt or answer");
  }
});
