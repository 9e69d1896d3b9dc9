// The official @anthropic-ai/sdk streaming from `bedrock emulate`'s
// Anthropic API front, for bench/bench_platforms.c, which runs it beside
// our client against the same emulator.
//
//   node bench/node_anthropic_stream.mjs NODE_MODULES_DIR
//
// Env: BENCH_URL (the emulator), BENCH_API_KEY, BENCH_MODEL, BENCH_WORDS
// (the prompt: that many words, echoed back one delta each after
// "You said:"). It then reads commands from stdin, one a line: "run" and
// an optional system prompt (the emulator's directive for the mode, e.g.
// [[emulate:fault=burst]]) runs one stream and prints one JSON line
// {"cpu_us","wall_us","deltas","chars"}: process.cpuUsage() (user+sys of
// this process, every thread) around the stream alone, from the call to
// the last event; node's start, the import and the client's construction
// are outside it. "quit" ends.
import { createRequire } from "node:module";
import { createInterface } from "node:readline";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";

const modules = process.argv[2];
if (!modules) {
  console.error("usage: node node_anthropic_stream.mjs NODE_MODULES_DIR");
  process.exit(2);
}
// Resolved from the given node_modules (tests/node's), whatever the cwd.
const require = createRequire(join(resolve(modules), "index.js"));
const { default: Anthropic } = await import(pathToFileURL(require.resolve("@anthropic-ai/sdk")).href);

const words = Number(process.env.BENCH_WORDS ?? 997);
const prompt = Array.from({ length: words }, (_, i) => `w${i}`).join(" ");
const client = new Anthropic({
  baseURL: process.env.BENCH_URL,
  apiKey: process.env.BENCH_API_KEY,
  maxRetries: 0,
});

async function once(system) {
  const params = {
    model: process.env.BENCH_MODEL,
    max_tokens: words + 64,
    messages: [{ role: "user", content: prompt }],
    stream: true,
  };
  if (system) params.system = system;
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const stream = await client.messages.create(params);
  let deltas = 0, chars = 0;
  for await (const ev of stream) {
    if (ev.type === "content_block_delta" && ev.delta.type === "text_delta") {
      deltas++;
      chars += ev.delta.text.length;
    }
  }
  const wall = Number(process.hrtime.bigint() - t0) / 1e3;
  const cpu = process.cpuUsage(cpu0);
  return { cpu_us: cpu.user + cpu.system, wall_us: Math.round(wall), deltas, chars };
}

const rl = createInterface({ input: process.stdin });
for await (const line of rl) {
  if (line === "quit") break;
  if (line !== "run" && !line.startsWith("run ")) {
    console.log(JSON.stringify({ error: `unknown command ${line}` }));
    continue;
  }
  try {
    console.log(JSON.stringify(await once(line.slice(4))));
  } catch (e) {
    console.log(JSON.stringify({ error: String(e && e.message ? e.message : e) }));
  }
}
rl.close();
