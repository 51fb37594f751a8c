/**
 * Under the real engine, every kind that sends a secret to the platform (a registry password with
 * `"`, `\`, `/` and non-ASCII in it, an environment value, a bearer token, a Hugging Face token),
 * each with its secret from the environment (which the engine does not mask) and from secret
 * config, through the failure paths after `check`: error answers (422 and 500) that echo the
 * request in each style the emulator's `echo` fault has, and an answer later than the client's
 * request timeout. No secret may appear, in any of its raw, JSON-escaped, URL-encoded or base64
 * forms (test/support/secret-search.ts), in the engine's output, the CLI's state export or any file
 * of the backend; and the platform must hold exactly what the state records.
 */
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { runPulumi, type PulumiRun } from "../harness/engine";
import { admin, stackConfigFor, useEmulator } from "../support/emulator";
import { createTestProject, type TestProject } from "../support/pulumi-project";
import { leaksIn, outputOf, statePlaces, type Place, type SecretValue } from "../support/secret-search";
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

/** Each resource's secret, named by the resource: a leak report never prints the value. */
const secrets: SecretValue[] = resources.map((r) => ({ what: r.name, value: r.secret }));

async function pulumi(args: string[]): Promise<PulumiRun & { output: string }> {
  const run = await runPulumi([...args, "--stack", "test", "--non-interactive", "--color=never"], { cwd: project.dir, env: project.env });
  return { ...run, output: run.stdout + run.stderr };
}

/**
 * The CLI's export as a user runs it, and every file of the backend. Every secret here is set with
 * `--secret` or comes from the environment, so the history's record of the stack config is searched
 * too: it must hold them encrypted.
 */
async function stateAndBackend(): Promise<Place[]> {
  const places = await statePlaces(project, { historyConfig: "searched" });
  expect(places[0].text).toContain("pulumi:pulumi:Stack"); // the real state, written by the ups
  return places;
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
    expect(leaksIn(secrets, outputOf("pulumi up", up))).toEqual([]);
    expect(leaksIn(secrets, await stateAndBackend())).toEqual([]);
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
  expect(leaksIn(secrets, outputOf("pulumi up", up))).toEqual([]);
  expect(leaksIn(secrets, await stateAndBackend())).toEqual([]);
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
  expect(leaksIn(secrets, outputOf("pulumi up", up))).toEqual([]);
  expect(leaksIn(secrets, await stateAndBackend())).toEqual([]);

  const destroy = await pulumi(["destroy", "--yes", "--skip-preview"]);
  expect(destroy.code).toBe(0);
  expect(await platformHoldings(emu())).toEqual({ vault: [], apiKeys: [], gatewayTokens: [] });
});
