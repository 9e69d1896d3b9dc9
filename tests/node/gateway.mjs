// Starts `bedrock gateway` on a free loopback port in front of one or more
// emulators, for a test file, and stops it afterwards. Its YAML
// configuration and activity log live in a temp dir of their own.
// BEDROCK_BIN names the binary (CTest sets it).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, writeFileSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KEY as EMU_AWS_KEY } from "./emulator.mjs";

// What clients present to the gateway: a key sent as Bearer or x-api-key,
// and a SigV4 key pair the gateway issued. Neither is an emulator key, so a
// request that skipped the gateway's own authentication would fail upstream.
export const GW_KEY = "gw-node-key-0123456789abcdef";
export const GW_PAIR = { accessKeyId: "GWNODEISSUEDPAIR01", secretAccessKey: "gateway-issued-secret-for-node-tests" };

// upstreams: [{ platform, region, endpoint_url, project, ... }] as in the
// YAML file; the emulator's own credentials reach the gateway through its
// environment, as a real deployment's would.
// bodies: log prompts and answers too (activity_log.bodies), to look into
// what a client sends.
export async function startGateway(upstreams, { extraYaml = "", bodies = false } = {}) {
  const bin = process.env.BEDROCK_BIN;
  if (!bin) throw new Error("set BEDROCK_BIN to the bedrock binary");
  const dir = mkdtempSync(join(tmpdir(), "bedrock-gw-node-"));
  const logDir = join(dir, "activity");
  const ups = upstreams.map((u) =>
    "  - " + Object.entries(u).map(([k, v]) => `${k}: ${JSON.stringify(String(v))}`).join("\n    ")).join("\n");
  const yaml = `listen: 127.0.0.1:0
upstreams:
${ups}
keys:
  - name: node-key
    key: ${GW_KEY}
  - name: node-pair
    aws_access_key_id: ${GW_PAIR.accessKeyId}
    aws_secret_access_key: ${GW_PAIR.secretAccessKey}
activity_log:
  dir: ${JSON.stringify(logDir)}
  bodies: ${bodies}
metrics: true
${extraYaml}`;
  const config = join(dir, "gateway.yaml");
  writeFileSync(config, yaml, { mode: 0o600 });

  // The gateway's upstream credentials: the emulator's AWS pair, its
  // Anthropic key, and Google's metadata server (the emulator's) for ADC;
  // an empty HOME so no real profile or gcloud file is found.
  const env = { ...process.env, HOME: dir, CLOUDSDK_CONFIG: dir, AWS_CONFIG_FILE: join(dir, "none"),
    AWS_SHARED_CREDENTIALS_FILE: join(dir, "none"), AWS_ACCESS_KEY_ID: EMU_AWS_KEY.accessKeyId,
    AWS_SECRET_ACCESS_KEY: EMU_AWS_KEY.secretAccessKey, ANTHROPIC_API_KEY: "sk-ant-emulator-key" };
  for (const v of ["AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_BEARER_TOKEN_BEDROCK", "GOOGLE_APPLICATION_CREDENTIALS",
    "HTTPS_PROXY", "HTTP_PROXY", "https_proxy", "http_proxy"]) delete env[v];
  const google = upstreams.find((u) => u.platform === "vertex" && u.endpoint_url);
  if (google) env.GCE_METADATA_HOST = new URL(google.endpoint_url).host;

  const child = spawn(bin, ["gateway", "--config", config], { stdio: ["ignore", "pipe", "pipe"], env });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 65536) stderr = stderr.slice(-32768); });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("gateway did not start: " + stderr)), 10000);
    rl.once("line", (l) => { clearTimeout(timer); resolve(l); });
    child.once("exit", (code) => { clearTimeout(timer); reject(new Error(`gateway exited ${code}: ${stderr}`)); });
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error("unexpected first line: " + line);
  return {
    url: m[1],
    dir,
    stderr: () => stderr,
    // Every activity-log line so far, parsed (one per request).
    activity() {
      let files = [];
      try { files = readdirSync(logDir).filter((f) => /^activity-.*\.jsonl$/.test(f)).sort(); } catch { return []; }
      return files.flatMap((f) => readFileSync(join(logDir, f), "utf8").split("\n").filter(Boolean).map((l) => JSON.parse(l)));
    },
    // The raw text of the activity log, to check what it must not hold,
    // once every line written so far is in it (lines are buffered for
    // activity_log.flush_ms, 200 ms by default).
    async activityText() {
      await new Promise((r) => setTimeout(r, ACTIVITY_FLUSH_MS));
      try {
        return readdirSync(logDir).map((f) => readFileSync(join(logDir, f), "utf8")).join("");
      } catch { return ""; }
    },
    // SIGTERM; resolves to the exit status once the process is gone and
    // its temp dir (configuration, activity log) removed.
    async stop() {
      const code = child.exitCode !== null ? child.exitCode
        : await new Promise((r) => { child.once("exit", (c) => r(c)); child.kill("SIGTERM"); });
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

// activity_log.flush_ms's default, and a margin: a line is in its file by then.
export const ACTIVITY_FLUSH_MS = 350;

// The activity line of the request a response came back with (the gateway's
// request id is the log's id); waits a little, as the line is written once
// the answer's last byte is out.
export async function activityOf(gw, requestId) {
  for (let i = 0; i < 50; i++) {
    const rec = gw.activity().find((r) => r.id === requestId);
    if (rec) return rec;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no activity line for " + requestId);
}

// The Vertex project the tests' Vertex upstreams and clients name.
export const PROJECT = "emulator-project";

// One gateway per upstream platform, all in front of the emulator at url:
// { anthropic, bedrock, vertex }.
export async function startGatewayPerPlatform(url) {
  return {
    anthropic: await startGateway([{ platform: "anthropic", endpoint_url: url }]),
    bedrock: await startGateway([{ platform: "bedrock", region: "us-east-1", endpoint_url: url }]),
    vertex: await startGateway([{ platform: "vertex", region: "us-east5", project: PROJECT, endpoint_url: url }]),
  };
}
