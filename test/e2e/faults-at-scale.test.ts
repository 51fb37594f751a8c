/**
 * Whole stacks under a misbehaving platform, with the real engine: 50 credentials of every kind
 * up and destroyed under 5xx, 429, dropped connections and lost answers (each fault alone), 200 at
 * `--parallel 32` under 30 % 429, and a 5 s outage in the middle of an `up`. Each must complete in
 * one `up`, the platform must then hold exactly what the state records (no orphan, no loss, no
 * duplicate), and `destroy` must leave nothing.
 */
import { runPulumi, type PulumiRun } from "../harness/engine";
import { admin, useEmulator } from "../support/emulator";
import { leakedSecrets, platformHoldings, reconcile, scaleProject, scaleResources, scaleSecrets, startPulumi, stateHoldings, waitUntil } from "../support/stack-at-scale";

jest.setTimeout(900_000);
const emu = useEmulator();

function expectSuccess(step: string, r: PulumiRun): void {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
}

/** Faults apply to the platform's API only: the admin API and the engine are never faulted. */
async function setFaults(faults: Record<string, unknown>): Promise<void> {
  await admin(emu(), "PUT", "/faults", faults);
}

/** Runs `up` under the faults, then checks the books and destroys under the same faults. */
async function upAndDestroy(count: number, faults: Record<string, unknown>, tag: string, parallel = 8) {
  const secrets = scaleSecrets(tag);
  const project = await scaleProject(emu(), scaleResources(count, secrets));
  const log: string[] = [];
  try {
    await setFaults(faults);
    const up = await runPulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)], { cwd: project.dir, env: project.env });
    log.push(up.stdout, up.stderr);
    expectSuccess(`pulumi up under ${JSON.stringify(faults)}`, up);
    const stats = await admin(emu(), "GET", "/stats");
    await setFaults({});
    const books = reconcile(await platformHoldings(emu()), await stateHoldings(project.stack));
    const state = await stateHoldings(project.stack);
    await setFaults(faults);
    const destroy = await runPulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)], { cwd: project.dir, env: project.env });
    log.push(destroy.stdout, destroy.stderr);
    expectSuccess(`pulumi destroy under ${JSON.stringify(faults)}`, destroy);
    await setFaults({});
    const left = await platformHoldings(emu());
    return { books, recorded: state.vault.length + state.apiKeys.length + state.gatewayTokens.length, left, stats, leaked: leakedSecrets(Object.values(secrets), log) };
  } finally {
    await setFaults({});
    await project.cleanup();
  }
}

const nothing = { vault: [], apiKeys: [], gatewayTokens: [] };
const clean = { orphans: [], lost: [], duplicateIds: [] };

describe.each([
  { what: "20 % 5xx", faults: { error5xx: { rate: 0.2, status: 503 } }, hit: "error5xx" },
  { what: "20 % 429", faults: { rateLimit: { rate: 0.2, retryAfterSeconds: 1 } }, hit: "rateLimit" },
  { what: "10 % dropped connections", faults: { drop: { rate: 0.1 } }, hit: "drop" },
  { what: "10 % lost answers", faults: { responseLost: { rate: 0.1 } }, hit: "responseLost" },
])("50 credentials under $what", ({ faults, hit, what }) => {
  test("up completes in one run, the platform holds exactly the declared objects, destroy leaves nothing", async () => {
    const r = await upAndDestroy(50, faults, what.replace(/\W+/g, ""));
    expect(r.stats[hit]).toBeGreaterThan(0); // the fault really hit
    expect(r.books).toEqual(clean);
    expect(r.recorded).toBe(50);
    expect(r.left).toEqual(nothing);
    expect(r.leaked).toEqual([]);
  });
});

test("200 credentials at --parallel 32 under 30 % 429: one up, exact books, destroy leaves nothing", async () => {
  const r = await upAndDestroy(200, { rateLimit: { rate: 0.3, retryAfterSeconds: 1 } }, "p32", 32);
  expect(r.stats.rateLimit).toBeGreaterThan(0);
  expect(r.books).toEqual(clean);
  expect(r.recorded).toBe(200);
  expect(r.left).toEqual(nothing);
});

test("a 5 s outage of the platform in the middle of a 50-credential up: the up completes", async () => {
  const secrets = scaleSecrets("outage");
  const project = await scaleProject(emu(), scaleResources(50, secrets));
  try {
    // A little latency, so the outage lands while creates are still to come.
    await setFaults({ latencyMs: 200 });
    const up = startPulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "8"], project);
    await waitUntil("the first creates landed", async () => {
      const h = await platformHoldings(emu());
      return h.vault.length + h.apiKeys.length + h.gatewayTokens.length >= 10;
    });
    await emu().restart({ downForMs: 5000 }); // faults reset to none on restart
    const done = await up.done;
    expectSuccess("pulumi up across a 5 s outage", done);
    const state = await stateHoldings(project.stack);
    expect(reconcile(await platformHoldings(emu()), state)).toEqual(clean);
    expect(state.vault.length + state.apiKeys.length + state.gatewayTokens.length).toBe(50);
    expectSuccess("pulumi destroy", await runPulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"], { cwd: project.dir, env: project.env }));
    expect(await platformHoldings(emu())).toEqual(nothing);
  } finally {
    await project.cleanup();
  }
});
