// @anthropic-ai/bedrock-sdk against `bedrock emulate`, base URL changed only.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { AnthropicBedrock } from "@anthropic-ai/bedrock-sdk";
import { startEmulator, KEY } from "./emulator.mjs";

let emu, client;
before(async () => {
  emu = await startEmulator();
  client = new AnthropicBedrock({ awsRegion: "us-east-1", awsAccessKey: KEY.accessKeyId,
    awsSecretKey: KEY.secretAccessKey, baseURL: emu.url, maxRetries: 0 });
});
after(async () => { assert.equal(await emu.stop(), 0); });

const MODEL = "global.anthropic.claude-sonnet-4-5-20250929-v1:0";

test("messages.create", async () => {
  const m = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "Hello, world" }] });
  assert.equal(m.role, "assistant");
  assert.match(m.content[0].text, /Hello, world/);
});

test("messages.create with stream: true", async () => {
  const full = await client.messages.create({ model: MODEL, max_tokens: 100, messages: [{ role: "user", content: "Hello, stream" }] });
  const stream = await client.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: [{ role: "user", content: "Hello, stream" }] });
  let text = "";
  for await (const ev of stream)
    if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
  assert.equal(text, full.content[0].text);
});

test("tools produce a valid tool_use block", async () => {
  const m = await client.messages.create({ model: MODEL, max_tokens: 300,
    tools: [{ name: "get_weather", description: "Weather for a city",
      input_schema: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city", "unit"] } }],
    messages: [{ role: "user", content: "Use get_weather for Paris" }] });
  assert.equal(m.stop_reason, "tool_use");
  const use = m.content.find((b) => b.type === "tool_use");
  assert.equal(use.name, "get_weather");
  assert.equal(typeof use.input.city, "string");
  assert.ok(["c", "f"].includes(use.input.unit));
});
