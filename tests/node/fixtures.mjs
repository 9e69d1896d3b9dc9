// What several test files ask the clients for, and check in the answers.
import assert from "node:assert/strict";

export const user = (text) => [{ role: "user", content: text }];

export const weather = {
  name: "get_weather", description: "Weather for a city",
  input_schema: { type: "object", properties: { city: { type: "string" }, unit: { type: "string", enum: ["c", "f"] } }, required: ["city", "unit"] },
};

// Asks for get_weather, whole and streamed: both answers are the same
// tool_use block, its id in the platform's form (idPattern). Returns the
// whole message.
export async function checkWeatherToolUse(client, req, idPattern) {
  const m = await client.messages.create(req);
  assert.equal(m.stop_reason, "tool_use");
  const use = m.content.find((b) => b.type === "tool_use");
  assert.equal(use.name, "get_weather");
  assert.match(use.id, idPattern);
  assert.equal(typeof use.input.city, "string");
  assert.ok(["c", "f"].includes(use.input.unit));
  const streamed = await client.messages.stream(req).finalMessage();
  assert.deepEqual(streamed.content, m.content);
  return m;
}
