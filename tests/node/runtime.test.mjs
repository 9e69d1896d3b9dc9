// @aws-sdk/client-bedrock-runtime against `bedrock emulate`, endpoint changed only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BedrockRuntimeClient, InvokeModelCommand, InvokeModelWithResponseStreamCommand,
  ConverseCommand, ConverseStreamCommand, CountTokensCommand,
} from "@aws-sdk/client-bedrock-runtime";
import { startEmulator, KEY } from "./emulator.mjs";

const MODEL = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";
let emu, client;

before(async () => {
  emu = await startEmulator();
  client = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emu.url, credentials: KEY, maxAttempts: 1 });
});
after(async () => {
  client?.destroy();
  assert.equal(await emu.stop(), 0);
});

const body = (text, extra = {}) => JSON.stringify({
  anthropic_version: "bedrock-2023-05-31", max_tokens: 200,
  messages: [{ role: "user", content: text }], ...extra,
});

async function invokeText(text, extra) {
  const r = await client.send(new InvokeModelCommand({ modelId: MODEL, contentType: "application/json", body: body(text, extra) }));
  return JSON.parse(new TextDecoder().decode(r.body));
}

test("InvokeModel answers deterministically", async () => {
  const a = await invokeText("Hello, world");
  assert.equal(a.type, "message");
  assert.equal(a.role, "assistant");
  assert.match(a.content[0].text, /Hello, world/);
  assert.equal(a.stop_reason, "end_turn");
  const b = await invokeText("Hello, world");
  assert.equal(b.content[0].text, a.content[0].text);
  assert.ok(a.usage.input_tokens > 0 && a.usage.output_tokens > 0);
});

test("InvokeModelWithResponseStream says the same thing", async () => {
  const full = await invokeText("Stream me a sentence");
  const r = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, contentType: "application/json", body: body("Stream me a sentence") }));
  let text = "", types = [], metrics = null;
  for await (const ev of r.body) {
    const e = JSON.parse(new TextDecoder().decode(ev.chunk.bytes));
    types.push(e.type);
    if (e.type === "content_block_delta" && e.delta.type === "text_delta") text += e.delta.text;
    if (e["amazon-bedrock-invocationMetrics"]) metrics = e["amazon-bedrock-invocationMetrics"];
  }
  assert.equal(text, full.content[0].text);
  assert.equal(types[0], "message_start");
  assert.equal(types.at(-1), "message_stop");
  assert.ok(metrics && metrics.inputTokenCount === full.usage.input_tokens);
});

test("Converse and ConverseStream agree", async () => {
  const messages = [{ role: "user", content: [{ text: "Hello, world" }] }];
  const c = await client.send(new ConverseCommand({ modelId: MODEL, messages, inferenceConfig: { maxTokens: 200 } }));
  const text = c.output.message.content[0].text;
  assert.match(text, /Hello, world/);
  assert.equal(c.stopReason, "end_turn");
  assert.equal(c.usage.totalTokens, c.usage.inputTokens + c.usage.outputTokens);
  const s = await client.send(new ConverseStreamCommand({ modelId: MODEL, messages, inferenceConfig: { maxTokens: 200 } }));
  let streamed = "", stop = null, usage = null;
  for await (const ev of s.stream) {
    if (ev.contentBlockDelta?.delta?.text) streamed += ev.contentBlockDelta.delta.text;
    if (ev.messageStop) stop = ev.messageStop.stopReason;
    if (ev.metadata) usage = ev.metadata.usage;
  }
  assert.equal(streamed, text);
  assert.equal(stop, "end_turn");
  assert.deepEqual(usage, c.usage);
});

test("CountTokens matches usage", async () => {
  const a = await invokeText("Count these tokens, please");
  const r = await client.send(new CountTokensCommand({
    modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0",
    input: { invokeModel: { body: new TextEncoder().encode(body("Count these tokens, please")) } },
  }));
  assert.equal(r.inputTokens, a.usage.input_tokens);
});

test("max_tokens and stop reasons", async () => {
  const a = await invokeText("Please write a rather long answer about the sea and the sky", { max_tokens: 3 });
  assert.equal(a.stop_reason, "max_tokens");
  assert.ok(a.usage.output_tokens <= 3);
});

test("validation errors are Bedrock's", async () => {
  await assert.rejects(
    client.send(new InvokeModelCommand({ modelId: "anthropic.claude-sonnet-4-5-20250929-v1:0", body: body("hi") })),
    (e) => e.name === "ValidationException" && /on-demand throughput/.test(e.message));
  await assert.rejects(
    client.send(new InvokeModelCommand({ modelId: "anthropic.nope-v1:0", body: body("hi") })),
    (e) => e.name === "ValidationException" && /model identifier is invalid/.test(e.message));
  await assert.rejects(
    client.send(new InvokeModelCommand({ modelId: MODEL, body: JSON.stringify({ max_tokens: 5, messages: [] }) })),
    (e) => e.name === "ValidationException" && /anthropic_version/.test(e.message) && Boolean(e.$metadata.requestId));
});

test("a wrong secret is refused", async () => {
  const bad = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emu.url, maxAttempts: 1,
    credentials: { accessKeyId: KEY.accessKeyId, secretAccessKey: "not-the-secret" } });
  await assert.rejects(bad.send(new InvokeModelCommand({ modelId: MODEL, body: body("hi") })),
    (e) => e.name === "InvalidSignatureException" && e.$metadata.httpStatusCode === 403);
  const unknown = new BedrockRuntimeClient({ region: "us-east-1", endpoint: emu.url, maxAttempts: 1,
    credentials: { accessKeyId: "AKIDUNKNOWN", secretAccessKey: "x" } });
  await assert.rejects(unknown.send(new InvokeModelCommand({ modelId: MODEL, body: body("hi") })),
    (e) => e.name === "UnrecognizedClientException");
  bad.destroy();
  unknown.destroy();
});

const faults = {
  throttle: "ThrottlingException",
  "not-ready": "ModelNotReadyException",
  internal: "InternalServerException",
  unavailable: "ServiceUnavailableException",
  "model-timeout": "ModelTimeoutException",
  "model-error": "ModelErrorException",
  "access-denied": "AccessDeniedException",
};
for (const [fault, name] of Object.entries(faults)) {
  test(`fault ${fault} surfaces as ${name}`, async () => {
    await assert.rejects(client.send(new InvokeModelCommand({ modelId: MODEL, body: body(`hi [[emulate:fault=${fault}]]`) })),
      (e) => e.name === name);
  });
}

test("in-stream exceptions surface as the SDK's named exceptions", async () => {
  for (const [kind, name] of [["throttlingException", "ThrottlingException"], ["modelStreamErrorException", "ModelStreamErrorException"],
    ["internalServerException", "InternalServerException"], ["validationException", "ValidationException"],
    ["modelTimeoutException", "ModelTimeoutException"], ["serviceUnavailableException", "ServiceUnavailableException"]]) {
    const r = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL,
      body: body(`stream then fail [[emulate:fault=stream-exception=${kind}]]`) }));
    await assert.rejects((async () => { for await (const _ of r.body) { /* drain */ } })(), (e) => e.name === name, kind);
  }
});

test("a corrupt frame is detected by the SDK", async () => {
  const r = await client.send(new InvokeModelWithResponseStreamCommand({ modelId: MODEL, body: body("x [[emulate:fault=corrupt-crc]]") }));
  await assert.rejects((async () => { for await (const _ of r.body) { /* drain */ } })());
});
