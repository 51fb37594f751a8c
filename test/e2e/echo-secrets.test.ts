/**
 * Under the real engine, every kind that sends a secret to the platform (a registry password with
 * `"`, `\`, `/` and non-ASCII in it, an environment value, a bearer token, a Hugging Face token),
 * each with its secret from the environment (which the engine does not mask) and from secret
 * config, through the failure paths after `check`: error answers (422 and 500) that echo the
 * request in each style the emulator's `echo` fault has, and an answer later than the client's
 * request timeout. No secret may appear, in any of its raw, JSON-escaped, URL-encoded or base64
 * forms, in the engine's output, the CLI's state export or any file of the backend; and the
 * platform must hold exactly what the state records.
 */
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { runPulumi, type PulumiRun } from "../harness/engine";
import { admin, stackConfigFor, useEmulator } from "../support/emulator";
import { listFiles } from "../support/plugin-stack";
import { createTestProject, type TestProject } from "../support/pulumi-project";
import { platformHoldings, reconcile, stateHoldings, waitUntil } from "../support/stack-at-scale";

jest.setTimeout(600_000);
const emu = useEmulator();
let project: TestProject;

const tag = randomBytes(4).toString("hex");
const rand = () => randomBytes(9).toString("base64url");
/** The characters an escaper changes: quote, backslash, slash, and non-ASCII (two and three UTF-8 bytes). */
const awkward = '"\\/é✓';
const secretsOf = (source: string) => ({
  REGISTRY_PASSWORD: `reg${awkward}${source}-${tag}-${rand()}`,
  ENV_VALUE: `env ${awkward} +&=%${source}-${tag}-${rand()}`,
  BEARER: `brr${awkward}${source}-${tag}-${rand()}`,
  HF: `hf_${source}${tag}${randomBytes(16).toString("hex")}`,
});
const fromEnv = secretsOf("env");
const fromConfig = secretsOf("config");

/** The fixture's resources: name, type, and the secret it sends. */
const resources = (["env", "config"] as const).flatMap((source) => {
  const s = source === "env" ? fromEnv : fromConfig;
  return [
    { name: `registry-${source}`, kind: "RegistryCredential", secret: s.REGISTRY_PASSWORD },
    { name: `env-${source}`, kind: "EnvironmentVariable", secret: s.ENV_VALUE },
    { name: `bearer-${source}`, kind: "BearerToken", secret: s.BEARER },
    { name: `hf-${source}`, kind: "HuggingFaceToken", secret: s.HF },
  ];
});

beforeAll(async () => {
  project = await createTestProject({
    source: join(__dirname, "fixtures", "echo-secrets"),
    config: {
      ...stackConfigFor(emu()),
      secrets: { value: JSON.stringify(fromConfig), secret: true },
      // A 500 is retried; two seconds of it are enough to go through the retries and the lookups.
      "ccluster:retryTimeoutSeconds": { value: "2" },
    },
    env: Object.fromEntries(Object.entries(fromEnv).map(([k, v]) => [`ECHO_${k}`, v])),
  });
});
afterAll(async () => {
  await project?.cleanup();
});

/**
 * Every form in which a text could carry the secret: raw; JSON-escaped once and twice (a JSON
 * document in a JSON string, as the registry credential's value is), the usual way and with
 * `\uXXXX` for non-ASCII and `\/`; each of those URL-encoded (path and form style, either hex
 * case) and in base64 (standard and URL alphabets, on its own and at each of the three offsets
 * it can have inside a longer base64 text). Written here rather than taken from the scrubber, so
 * a form the scrubber forgets is still looked for.
 */
function formsOf(secret: string): string[] {
  const escapes = [
    (s: string) => JSON.stringify(s).slice(1, -1),
    (s: string) => JSON.stringify(s).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`),
    (s: string) => JSON.stringify(s).slice(1, -1).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0")}`),
    (s: string) => JSON.stringify(s).slice(1, -1).replace(/\//g, "\\/"),
  ];
  const escaped = new Set([secret, ...escapes.map((e) => e(secret))]);
  for (const once of [...escaped]) for (const e of escapes) escaped.add(e(once));
  const forms = new Set<string>();
  for (const text of escaped) {
    const uri = encodeURIComponent(text);
    const form = new URLSearchParams({ v: text }).toString().slice(2);
    for (const f of [text, uri, form]) forms.add(f).add(f.replace(/%[0-9A-F]{2}/g, (h) => h.toLowerCase()));
    const bytes = Buffer.from(text, "utf8");
    for (const alphabet of ["base64", "base64url"] as const) {
      forms.add(bytes.toString(alphabet));
      for (let offset = 0; offset < 3; offset++) {
        // Only the characters made of the text's bits alone: the same wherever the text sits.
        const encoded = Buffer.concat([Buffer.alloc(offset), bytes, Buffer.alloc(2)]).toString(alphabet);
        forms.add(encoded.slice(Math.ceil((offset * 8) / 6), Math.floor(((offset + bytes.length) * 8) / 6)));
      }
    }
  }
  return [...forms];
}

/** The resources (by name, never by value) whose secret appears in any form in any text. */
function leaked(texts: string[]): string[] {
  return resources.filter((r) => formsOf(r.secret).some((f) => texts.some((t) => t.includes(f)))).map((r) => r.name);
}

async function pulumi(args: string[]): Promise<PulumiRun & { output: string }> {
  const run = await runPulumi([...args, "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env: project.env });
  return { ...run, output: run.stdout + run.stderr };
}

/** The CLI's export as a user runs it, and every file of the backend (the update history's config included). */
async function stateAndBackend(): Promise<string[]> {
  const exported = await pulumi(["stack", "export"]);
  expect(exported.code).toBe(0);
  expect(exported.stdout).toContain("pulumi:pulumi:Stack"); // the real state, written by the ups
  return [exported.stdout, ...listFiles(project.env.PULUMI_BACKEND_URL.replace("file://", "")).map((f) => readFileSync(f, "utf8"))];
}

const stats = async () => (await admin(emu(), "GET", "/stats")) as Record<string, number>;

describe.each([
  { style: "raw", status: 422 },
  { style: "json", status: 422 },
  { style: "urlencoded", status: 422 },
  { style: "base64", status: 422 },
  { style: "raw", status: 500 },
  { style: "json", status: 500 },
  { style: "urlencoded", status: 500 },
  { style: "base64", status: 500 },
])("every vault write answered $status with the request echoed ($style)", ({ style, status }) => {
  test("up fails naming each resource, and no secret is in the output, the state or the backend", async () => {
    const before = await stats();
    await admin(emu(), "PUT", "/faults", { echo: { rate: 1, status, style }, match: { method: "PUT", pathPrefix: "/user_vault" } });
    // Every resource is tried, rather than those the engine started before the first failure.
    const up = await pulumi(["up", "--yes", "--skip-preview", "--continue-on-error"]).finally(() => admin(emu(), "DELETE", "/faults"));
    expect(up.code).not.toBe(0);
    expect(leaked([up.output])).toEqual([]);
    expect(leaked(await stateAndBackend())).toEqual([]);
    // Not vacuous: every write was echoed, each failure names its resource and kind and quotes
    // the echo, in which the scrubber found something to redact.
    expect((await stats()).echo - before.echo).toBeGreaterThanOrEqual(resources.length);
    const diagnostics = up.output.slice(up.output.indexOf("Diagnostics:"));
    for (const r of resources) {
      const failure = new RegExp(`dynamic/ccluster:${r.kind} \\(${r.name}\\):\n\\s*error: (.*)`).exec(diagnostics)?.[1];
      expect([r.name, failure]).toEqual([r.name, expect.stringMatching(/could not process .*\[redacted\]/)]);
    }
    expect(await platformHoldings(emu())).toEqual({ vault: [], apiKeys: [], gatewayTokens: [] });
  });
});

/** Puts a 35 s latency on vault writes until the first one has arrived, so about one write answers after the client's fixed 30 s request timeout. */
async function upWithALateWrite(args: string[]): Promise<PulumiRun & { output: string; seconds: number }> {
  const before = await stats();
  await admin(emu(), "PUT", "/faults", { latencyMs: 35_000, match: { method: "PUT", pathPrefix: "/user_vault" } });
  const started = Date.now();
  const up = pulumi(["up", "--yes", "--skip-preview", ...args]);
  try {
    await waitUntil("a vault write is delayed", async () => (await stats()).latency > before.latency);
  } finally {
    await admin(emu(), "DELETE", "/faults");
  }
  const done = await up;
  await waitUntil("the late write has landed", async () => (await stats()).inFlight === 0);
  return { ...done, seconds: (Date.now() - started) / 1000 };
}

test("a vault write answered after the client's 30 s timeout, with no budget left to try again: up waits for the late write and takes it, no orphan, no secret anywhere", async () => {
  const up = await upWithALateWrite([]); // the echo rows' 2 s budget is spent when the write times out
  if (up.code !== 0) throw new Error(`up exited ${up.code}:\n${up.output.slice(-4000)}`);
  expect(up.seconds).toBeGreaterThan(30);
  const state = await stateHoldings(project.stack);
  expect(state.vault).toHaveLength(resources.length);
  expect(reconcile(await platformHoldings(emu()), state)).toEqual({ orphans: [], lost: [], duplicateIds: [] });
  expect(leaked([up.output])).toEqual([]);
  expect(leaked(await stateAndBackend())).toEqual([]);
  expect((await pulumi(["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  expect(await platformHoldings(emu())).toEqual({ vault: [], apiKeys: [], gatewayTokens: [] });
});

test("a vault write answered after the client's 30 s timeout, within the default budget: up completes, the late write is no orphan, no secret anywhere", async () => {
  await project.stack.setConfig("ccluster:retryTimeoutSeconds", { value: "60" }); // the default: room for a look after the timeout
  const up = await upWithALateWrite([]);
  if (up.code !== 0) throw new Error(`up exited ${up.code}:\n${up.output.slice(-4000)}`);
  expect(up.seconds).toBeGreaterThan(30); // it did wait out the timeout
  const state = await stateHoldings(project.stack);
  expect(state.vault).toHaveLength(resources.length);
  expect(reconcile(await platformHoldings(emu()), state)).toEqual({ orphans: [], lost: [], duplicateIds: [] });
  expect(leaked([up.output])).toEqual([]);
  expect(leaked(await stateAndBackend())).toEqual([]);

  const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(destroy.code).toBe(0);
  expect(await platformHoldings(emu())).toEqual({ vault: [], apiKeys: [], gatewayTokens: [] });
});
