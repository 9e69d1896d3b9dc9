// Starts `bedrock emulate` on a free loopback port for a test file and
// stops it afterwards. BEDROCK_BIN names the binary (CTest sets it).
import { spawn } from "node:child_process";
import { createInterface } from "node:readline";

export const KEY = { accessKeyId: "AKIDEXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY" };

export async function startEmulator(args = []) {
  const bin = process.env.BEDROCK_BIN;
  if (!bin) throw new Error("set BEDROCK_BIN to the bedrock binary");
  const child = spawn(bin, ["emulate", "--listen", "127.0.0.1:0", ...args], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  child.stderr.on("data", (d) => { stderr += d; if (stderr.length > 65536) stderr = stderr.slice(-32768); });
  const line = await new Promise((resolve, reject) => {
    const rl = createInterface({ input: child.stdout });
    const timer = setTimeout(() => reject(new Error("emulator did not start: " + stderr)), 10000);
    rl.once("line", (l) => { clearTimeout(timer); resolve(l); });
    child.once("exit", (code) => reject(new Error(`emulator exited ${code}: ${stderr}`)));
  });
  const m = /^listening on (http:\/\/\S+)$/.exec(line);
  if (!m) throw new Error("unexpected first line: " + line);
  return {
    url: m[1],
    stderr: () => stderr,
    async stop() {
      if (child.exitCode !== null) return child.exitCode;
      const done = new Promise((r) => child.once("exit", (code) => r(code)));
      child.kill("SIGTERM");
      return done;
    },
  };
}
