/**
 * The README's main job, `npm run demo`, from start to finish as a user runs it (the compiled
 * script, the real engine, its own emulator), and what it does when a step fails: it names the
 * step, exits non-zero and still leaves nothing behind.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { repoRoot } from "../support/pulumi-project";

jest.setTimeout(300_000);
const demoScript = join(repoRoot, "dist/scripts/demo.js");

/**
 * What the run left in its TMPDIR. ts-node (which the engine's Node.js runtime uses for
 * TypeScript programs) keeps its compile cache there for every Pulumi program; that one is not ours.
 */
const leftIn = (tmp: string) => readdirSync(tmp).filter((entry) => !entry.startsWith("ts-node-"));

/** Runs the demo with its own TMPDIR, so "nothing left behind" can be checked exactly. */
function runDemo(extraEnv: Record<string, string> = {}): Promise<{ code: number | null; output: string; tmp: string }> {
  const tmp = mkdtempSync(join(tmpdir(), "demo-run-"));
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [demoScript], { cwd: repoRoot, env: { ...process.env, TMPDIR: tmp, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    child.stdout.on("data", (d: Buffer) => (output += d.toString()));
    child.stderr.on("data", (d: Buffer) => (output += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, output, tmp }));
  });
}

test("npm run demo: every step succeeds, each credential is proven where it is used, and nothing is left behind", async () => {
  const { code, output, tmp } = await runDemo();
  try {
    expect({ code, tail: code === 0 ? "" : output.slice(-3000) }).toEqual({ code: 0, tail: "" });
    for (const heading of ["1. Install the Pulumi engine", "2. Start the platform emulator", "3. pulumi up examples/quickstart", "4. Prove each credential", "5. What the policy pack says", "6. Destroy the stack"])
      expect(output).toContain(heading);
    expect(output).toMatch(/✓ dedicated endpoint {2}\+ BearerToken .*: 200/);
    expect(output).toMatch(/✓ dedicated endpoint {2}\+ serverless API key: 401 \(refused/);
    expect(output).toMatch(/✓ serverless endpoint \+ ServerlessApiKey sk-.*: 200/);
    expect(output).toMatch(/✓ private endpoint \(mTLS\): real `curl --cert .*\.pem` → 200/);
    // The demo's own folder, not one named after the tests.
    expect(output).toContain(`real \`curl --cert ${join(tmp, "ccluster-demo-quickstart-")}`);
    expect(output).not.toContain("ccluster-e2e-");
    expect(output).toMatch(/✓ AI gateway demo-gateway \+ AuthToken .* in `authorization`: 200/);
    expect(output).toMatch(/✓ AI gateway demo-gateway \+ AuthToken .* in `cf-aig-authorization`: 200/);
    const refused = /✓ preview refused: (\d+) mandatory violations/.exec(output);
    expect(Number(refused?.[1])).toBeGreaterThan(0);
    expect(output).toContain("✓ the vault is empty again and the .pem file is gone");
    expect(output).toContain("✓ Demo complete");
    expect(leftIn(tmp)).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test("a failing step is named, the demo exits 1, and it still cleans up", async () => {
  // A curl that cannot connect, first on PATH: step 4's mTLS proof fails.
  const bin = mkdtempSync(join(tmpdir(), "demo-bin-"));
  writeFileSync(join(bin, "curl"), "#!/bin/sh\necho 'curl: (7) Failed to connect' >&2\nexit 7\n");
  chmodSync(join(bin, "curl"), 0o755);
  const { code, output, tmp } = await runDemo({ PATH: `${bin}${delimiter}${process.env.PATH}` });
  try {
    expect(code).toBe(1);
    expect(output).toContain("✗ step 4 (Prove each credential works where it is used) failed: curl --cert");
    expect(output).toContain("exited with 7: curl: (7) Failed to connect");
    expect(output).toContain("✗ The demo failed at step 4 (Prove each credential works where it is used).");
    expect(output).not.toContain("5. What the policy pack says");
    expect(leftIn(tmp)).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
    rmSync(bin, { recursive: true, force: true });
  }
});
