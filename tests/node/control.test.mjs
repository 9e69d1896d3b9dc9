// @aws-sdk/client-bedrock (control plane) against `bedrock emulate`.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import {
  BedrockClient, ListFoundationModelsCommand, GetFoundationModelCommand,
  GetInferenceProfileCommand, paginateListInferenceProfiles,
  PutModelInvocationLoggingConfigurationCommand, GetModelInvocationLoggingConfigurationCommand,
  DeleteModelInvocationLoggingConfigurationCommand,
} from "@aws-sdk/client-bedrock";
import { startEmulator, KEY } from "./emulator.mjs";

let emu, client;
before(async () => {
  emu = await startEmulator();
  client = new BedrockClient({ region: "us-east-1", endpoint: emu.url, credentials: KEY, maxAttempts: 1 });
});
after(async () => { client?.destroy(); assert.equal(await emu.stop(), 0); });

test("foundation models", async () => {
  const all = await client.send(new ListFoundationModelsCommand({ byProvider: "Anthropic" }));
  assert.ok(all.modelSummaries.length >= 10);
  assert.ok(all.modelSummaries.every((m) => m.providerName === "Anthropic" && m.modelArn.startsWith("arn:aws:bedrock:us-east-1::foundation-model/")));
  const one = await client.send(new GetFoundationModelCommand({ modelIdentifier: "anthropic.claude-sonnet-4-5-20250929-v1:0" }));
  assert.equal(one.modelDetails.modelName, all.modelSummaries.find((m) => m.modelId === "anthropic.claude-sonnet-4-5-20250929-v1:0").modelName);
  await assert.rejects(client.send(new GetFoundationModelCommand({ modelIdentifier: "anthropic.nope" })),
    (e) => e.name === "ResourceNotFoundException");
});

test("inference profiles paginate", async () => {
  const ids = [];
  for await (const page of paginateListInferenceProfiles({ client, pageSize: 5 }, {}))
    for (const p of page.inferenceProfileSummaries) ids.push(p.inferenceProfileId);
  assert.ok(ids.length > 5);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.includes("global.anthropic.claude-sonnet-4-5-20250929-v1:0"));
  const p = await client.send(new GetInferenceProfileCommand({ inferenceProfileIdentifier: "us.anthropic.claude-sonnet-4-5-20250929-v1:0" }));
  assert.equal(p.type, "SYSTEM_DEFINED");
  assert.equal(p.status, "ACTIVE");
});

test("model invocation logging configuration", async () => {
  const cfg = { s3Config: { bucketName: "my-logs", keyPrefix: "bedrock/" }, textDataDeliveryEnabled: true };
  await client.send(new PutModelInvocationLoggingConfigurationCommand({ loggingConfig: cfg }));
  const got = await client.send(new GetModelInvocationLoggingConfigurationCommand({}));
  assert.equal(got.loggingConfig.s3Config.bucketName, "my-logs");
  await client.send(new DeleteModelInvocationLoggingConfigurationCommand({}));
  const gone = await client.send(new GetModelInvocationLoggingConfigurationCommand({}));
  assert.equal(gone.loggingConfig, undefined);
});
