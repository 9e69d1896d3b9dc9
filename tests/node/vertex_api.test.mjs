// The official @anthropic-ai/vertex-sdk against `bedrock emulate`'s Vertex
// front, unmodified: its Google auth (google-auth-library) finds the
// emulator's metadata server through GCE_METADATA_HOST alone, with no
// Google credentials anywhere it looks; region, projectId and baseURL are
// given to the client.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { AnthropicVertex } from "@anthropic-ai/vertex-sdk";
import Anthropic from "@anthropic-ai/sdk";
import { GoogleAuth } from "google-auth-library";
import { user, weather, checkWeatherToolUse } from "./fixtures.mjs";
import { startEmulator } from "./emulator.mjs";

const PROJECT = "emulator-project";
const MODEL = "claude-sonnet-4-5@20250929";
const SCOPES = "https://www.googleapis.com/auth/cloud-platform";

let emu, client;
before(async () => {
  emu = await startEmulator();
  // Nowhere for google-auth-library to find real credentials: an empty
  // home and gcloud directory, no GOOGLE_APPLICATION_CREDENTIALS; then
  // the metadata server is the emulator.
  const home = mkdtempSync(join(tmpdir(), "bedrock-vertex-home-"));
  process.env.HOME = home;
  process.env.CLOUDSDK_CONFIG = home;
  delete process.env.GOOGLE_APPLICATION_CREDENTIALS;
  delete process.env.GOOGLE_CLOUD_PROJECT;
  delete process.env.GCLOUD_PROJECT;
  delete process.env.ANTHROPIC_VERTEX_PROJECT_ID;
  delete process.env.ANTHROPIC_VERTEX_BASE_URL;
  delete process.env.CLOUD_ML_REGION;
  process.env.GCE_METADATA_HOST = new URL(emu.url).host;
  client = new AnthropicVertex({ region: "us-east5", projectId: PROJECT, baseURL: emu.url + "/v1", maxRetries: 0 });
});
after(async () => { assert.equal(await emu.stop(), 0); });

// Access-log lines of the emulator whose path contains `part`, with that status.
const hits = (e, part, status) =>
  e.stderr().split("\n").filter((l) => l.includes(part) && l.includes(` ${status} `)).length;
const settle = () => new Promise((r) => setTimeout(r, 100));

test("messages.create, the token from the emulator's metadata server", async () => {
  const { data: m, response } = await client.messages.create({ model: MODEL, max_tokens: 100, messages: user("Hello, world") }).withResponse();
  assert.equal(m.type, "message");
  assert.equal(m.model, "claude-sonnet-4-5-20250929");
  assert.match(m.id, /^msg_vrtx_01/);
  assert.equal(m.content[0].text, "You said: Hello, world");
  assert.equal(m.stop_reason, "end_turn");
  assert.match(response.headers.get("request-id"), /^req_vrtx_011/);
  assert.match(m._request_id, /^req_vrtx_/);
  await settle();
  assert.ok(hits(emu, "GET /computeMetadata/v1/instance/service-accounts/default/token", 200) >= 1);
  assert.ok(hits(emu, `/v1/projects/${PROJECT}/locations/us-east5/publishers/anthropic/models/${MODEL}:rawPredict`, 200) >= 1);
  assert.ok(!emu.stderr().includes("ya29."), "no token in the access log");
});

test("google-auth-library alone: a token and the project from the metadata server", async () => {
  const auth = new GoogleAuth({ scopes: SCOPES });
  assert.match(await auth.getAccessToken(), /^ya29\.emulator-/);
  assert.equal(await auth.getProjectId(), PROJECT);
  const creds = await auth.getCredentials();
  assert.match(creds.client_email, /^\d{12}-compute@developer\.gserviceaccount\.com$/);
});

test("a base URL without /v1 (Claude Code's), region global, an undated model", async () => {
  const c = new AnthropicVertex({ region: "global", projectId: PROJECT, baseURL: emu.url, maxRetries: 0 });
  const m = await c.messages.create({ model: "claude-opus-4-6", max_tokens: 50, messages: user("Hello, global") });
  assert.equal(m.content[0].text, "You said: Hello, global");
  assert.equal(m.model, "claude-opus-4-6");
  await settle();
  assert.ok(hits(emu, `POST /projects/${PROJECT}/locations/global/publishers/anthropic/models/claude-opus-4-6:rawPredict`, 200) >= 1);
});

test("the Anthropic API front says the same to the same request", async () => {
  const api = new Anthropic({ baseURL: emu.url, apiKey: "sk-ant-emulator-key", maxRetries: 0 });
  const req = { max_tokens: 300, tools: [weather], messages: user("Use get_weather for Lyon") };
  const a = await client.messages.create({ model: MODEL, ...req });
  const b = await api.messages.create({ model: "claude-sonnet-4-5-20250929", ...req });
  assert.equal(a.model, b.model);
  assert.deepEqual(a.usage, b.usage);
  assert.deepEqual(a.content.map(({ id, ...rest }) => rest), b.content.map(({ id, ...rest }) => rest));
});

test("messages.stream and finalMessage(), vertex_events skipped", async () => {
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
  assert.match(final.id, /^msg_vrtx_01/);
  assert.equal(types[0], "message_start");
  assert.equal(types[1], "vertex_event");
  assert.equal(types.filter((t) => t === "vertex_event").length, 2);
  assert.equal(types.at(-1), "message_stop");
  await settle();
  assert.ok(hits(emu, `models/${MODEL}:streamRawPredict`, 200) >= 1);
});

test("stream: true with raw events", async () => {
  const stream = await client.messages.create({ model: MODEL, max_tokens: 100, stream: true, messages: user("Hello, raw") });
  let text = "";
  const seen = new Set();
  for await (const ev of stream) {
    seen.add(ev.type);
    if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") text += ev.delta.text;
  }
  assert.equal(text, "You said: Hello, raw");
  assert.ok(seen.has("vertex_event"));
});

test("tools produce a tool_use block, streamed or not", async () => {
  const req = { model: MODEL, max_tokens: 300, tools: [weather], messages: user("Use get_weather for Paris") };
  await checkWeatherToolUse(client, req, /^toolu_vrtx_01/);
});

test("countTokens at count-tokens:rawPredict", async () => {
  const r = await client.messages.countTokens({ model: MODEL, messages: user("Hello, world") });
  const m = await client.messages.create({ model: MODEL, max_tokens: 10, messages: user("Hello, world") });
  assert.equal(r.input_tokens, m.usage.input_tokens);
  await settle();
  assert.ok(hits(emu, "/models/count-tokens:rawPredict", 200) >= 1);
});

// A token the emulator never issued, through the SDK's authClient option.
const badAuth = { projectId: PROJECT, getRequestHeaders: async () => new Headers({ authorization: "Bearer ya29.not-issued-here" }) };

test("a bad token is the SDK's AuthenticationError (Google's 401)", async () => {
  const bad = new AnthropicVertex({ region: "us-east5", projectId: PROJECT, baseURL: emu.url + "/v1", authClient: badAuth, maxRetries: 0 });
  await assert.rejects(bad.messages.create({ model: MODEL, max_tokens: 10, messages: user("hi") }), (e) => {
    assert.ok(e instanceof Anthropic.AuthenticationError, e.constructor.name);
    assert.equal(e.status, 401);
    assert.equal(e.error.error.status, "UNAUTHENTICATED");
    assert.equal(e.error.error.code, 401);
    return true;
  });
  await assert.rejects(bad.messages.stream({ model: MODEL, max_tokens: 10, messages: user("hi") }).finalMessage(), (e) => {
    assert.ok(e instanceof Anthropic.AuthenticationError);
    // The streaming endpoint wraps Google's error in an array.
    assert.ok(Array.isArray(e.error));
    assert.equal(e.error[0].error.status, "UNAUTHENTICATED");
    return true;
  });
});

test("another project is PermissionDeniedError, an unknown model NotFoundError", async () => {
  const other = new AnthropicVertex({ region: "us-east5", projectId: "someone-elses", baseURL: emu.url + "/v1", maxRetries: 0 });
  await assert.rejects(other.messages.create({ model: MODEL, max_tokens: 10, messages: user("hi") }), (e) =>
    e instanceof Anthropic.PermissionDeniedError && e.error.error.status === "PERMISSION_DENIED");
  await assert.rejects(client.messages.create({ model: "claude-nope@20990101", max_tokens: 10, messages: user("hi") }), (e) =>
    e instanceof Anthropic.NotFoundError && e.error.error.status === "NOT_FOUND" && /Publisher Model/.test(e.message));
  await assert.rejects(client.messages.create({ model: MODEL, messages: user("hi") }), (e) =>
    e instanceof Anthropic.BadRequestError && e.error.error.type === "invalid_request_error" &&
    /max_tokens: Field required/.test(e.message) && /^req_vrtx_/.test(e.requestID));
});

// fault, SDK class, status, Google's status (Google's shape) or the Anthropic error type.
const faults = [
  ["throttle", Anthropic.RateLimitError, 429, "RESOURCE_EXHAUSTED"],
  ["unavailable", Anthropic.ServiceUnavailableError, 503, "UNAVAILABLE"],
  ["not-ready", Anthropic.ServiceUnavailableError, 503, "UNAVAILABLE"],
  ["internal", Anthropic.InternalServerError, 500, "INTERNAL"],
  ["access-denied", Anthropic.PermissionDeniedError, 403, "PERMISSION_DENIED"],
  ["retry-400", Anthropic.BadRequestError, 400, "INVALID_ARGUMENT"],
  ["overloaded", Anthropic.OverloadedError, 529, "overloaded_error"],
  ["model-error", Anthropic.InternalServerError, 500, "api_error"],
  ["model-timeout", Anthropic.GatewayTimeoutError, 504, "timeout_error"],
];
for (const [fault, cls, status, kind] of faults) {
  const google = kind === kind.toUpperCase();
  test(`fault ${fault} is the SDK's ${cls.name} (${google ? "Google's" : "Anthropic's"} ${kind})`, async () => {
    for (const stream of [false, true]) {
      const req = { model: MODEL, max_tokens: 50, messages: user(`hi [[emulate:fault=${fault}]]`) };
      const call = stream ? client.messages.stream(req).finalMessage() : client.messages.create(req);
      await assert.rejects(call, (e) => {
        assert.ok(e instanceof cls, `${e.constructor.name} for ${fault}`);
        assert.equal(e.status, status);
        if (google) {
          // Google's shape, in an array on streamRawPredict, no request id.
          const body = stream ? e.error[0] : e.error;
          assert.equal(body.error.status, kind);
          assert.equal(body.error.code, status);
          assert.equal(e.requestID ?? null, null);
        } else {
          assert.equal(e.error.type, "error");
          assert.equal(e.error.error.type, kind);
          assert.match(e.requestID, /^req_vrtx_/);
        }
        return true;
      });
    }
  });
}

test("in-stream faults: an error event, a broken event, a cut stream, a dropped connection", async () => {
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
  await assert.rejects(client.messages.stream(req("reset-after=3")).finalMessage(), Anthropic.AnthropicError);
  await assert.rejects(client.messages.create(req("reset")), Anthropic.APIConnectionError);
  const slow = await client.messages.stream(req("slow=5")).finalMessage();
  assert.equal(slow.stop_reason, "end_turn");
});

test("a throttle that fires once is retried (--fast-retry), the token from the refresh grant", async () => {
  const e2 = await startEmulator(["--fault", "throttle:1", "--fast-retry", "--project", "second-project"]);
  try {
    // An authorized_user credential (what gcloud application-default login
    // writes) whose token endpoint is the second emulator's.
    const googleAuth = new GoogleAuth({
      credentials: { type: "authorized_user", client_id: "764086051850-x.apps.googleusercontent.com",
        client_secret: "d-FL95Q-emulator", refresh_token: "1//0emulator-refresh" },
      scopes: SCOPES,
      clientOptions: { endpoints: { oauth2TokenUrl: e2.url + "/token" } },
    });
    const c = new AnthropicVertex({ region: "europe-west1", projectId: "second-project", baseURL: e2.url + "/v1beta1", googleAuth });
    // A token count takes no fault: it fetches the token first.
    assert.equal((await c.messages.countTokens({ model: MODEL, messages: user("Hello") })).input_tokens, 1);
    const t0 = Date.now();
    const m = await c.messages.create({ model: MODEL, max_tokens: 50, messages: user("Hello, retry") });
    assert.equal(m.content[0].text, "You said: Hello, retry");
    assert.ok(Date.now() - t0 < 400, "retry-after-ms: 1 makes the retry immediate");
    await settle();
    assert.equal(hits(e2, "POST /token", 200), 1);
    assert.equal(hits(e2, `models/${MODEL}:rawPredict`, 429), 1);
    assert.equal(hits(e2, `models/${MODEL}:rawPredict`, 200), 1);
    assert.ok(!e2.stderr().includes("1//0emulator-refresh") && !e2.stderr().includes("ya29."));
    // The first emulator's tokens are not this one's.
    const wrong = new AnthropicVertex({ region: "europe-west1", projectId: "second-project", baseURL: e2.url + "/v1", maxRetries: 0 });
    await assert.rejects(wrong.messages.create({ model: MODEL, max_tokens: 10, messages: user("hi") }), Anthropic.AuthenticationError);
  } finally {
    assert.equal(await e2.stop(), 0);
  }
});
