/**
 * Whole stacks under a misbehaving platform, with the real engine: 50 credentials of every kind
 * up and destroyed under 5xx, 429, dropped connections and lost answers (each fault alone), 200 at
 * `--parallel 32` under 30 % 429, and a 5 s outage in the middle of an `up`. Each must complete in
 * one `up`, the platform must then hold exactly what the state records (no orphan, no loss, no
 * duplicate), `destroy` must leave nothing, and no secret, declared or generated, may reach the
 * output, the state export or the backend's files.
 */
import { runPulumi, type PulumiRun } from "../harness/engine";
import { admin, useEmulator } from "../support/emulator";
import type { TestProject } from "../support/pulumi-project";
import {
  expectedSecretCount,
  platformHoldings,
  reconcile,
  scaleProject,
  scaleResources,
  scaleSecrets,
  stackSecrets,
  startPulumi,
  stateHoldings,
  waitUntil,
} from "../support/stack-at-scale";
import { leaksIn, outputOf, statePlaces, unfoundIn, type Place } from "../support/secret-search";

jest.setTimeout(900_000);
const emu = useEmulator();

function expectSuccess(step: string, r: PulumiRun): void {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
}

/** Faults apply to the platform's API only: the admin API and the engine are never faulted. */
async function setFaults(faults: Record<string, unknown>): Promise<void> {
  await admin(emu(), "PUT", "/faults", faults);
}

/**
 * The secrets of the stack as it stands after its `up` (faults off), and the places to search
 * later: the export and backend now, before `destroy` empties the state.
 */
async function secretsBeforeDestroy(project: TestProject, declared: Record<string, string>) {
  const { secrets, control } = await stackSecrets(emu(), project, declared);
  return { secrets, control, state: await statePlaces(project, { historyConfig: "left out" }) };
}

/** The secret search over outputs, the state before and after destroy, and the backend; with its control. */
async function secretSearch(project: TestProject, found: Awaited<ReturnType<typeof secretsBeforeDestroy>>, outputs: Place[]) {
  const places = [...outputs, ...found.state, ...(await statePlaces(project, { historyConfig: "left out" }))];
  return { searched: found.secrets.length, leaked: leaksIn(found.secrets, places), unfoundInControl: unfoundIn(found.secrets, [found.control]) };
}

/** Runs `up` under the faults, then checks the books and destroys under the same faults. */
async function upAndDestroy(count: number, faults: Record<string, unknown>, tag: string, parallel = 8) {
  const secrets = scaleSecrets(tag);
  const resources = scaleResources(count, secrets);
  const project = await scaleProject(emu(), resources);
  const log: Place[] = [];
  try {
    await setFaults(faults);
    const up = await runPulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)], { cwd: project.dir, env: project.env });
    log.push(...outputOf("pulumi up", up));
    expectSuccess(`pulumi up under ${JSON.stringify(faults)}`, up);
    const stats = await admin(emu(), "GET", "/stats");
    await setFaults({});
    const books = reconcile(await platformHoldings(emu()), await stateHoldings(project.stack));
    const state = await stateHoldings(project.stack);
    const found = await secretsBeforeDestroy(project, secrets);
    await setFaults(faults);
    const destroy = await runPulumi(["destroy", "--yes", "--skip-preview", "--non-interactive", "--parallel", String(parallel)], { cwd: project.dir, env: project.env });
    log.push(...outputOf("pulumi destroy", destroy));
    expectSuccess(`pulumi destroy under ${JSON.stringify(faults)}`, destroy);
    await setFaults({});
    const left = await platformHoldings(emu());
    const search = await secretSearch(project, found, log);
    return { books, recorded: state.vault.length + state.apiKeys.length + state.gatewayTokens.length, left, stats, ...search, expectedSecrets: expectedSecretCount(secrets, resources) };
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
    expect(r.searched).toBe(r.expectedSecrets);
    expect(r.unfoundInControl).toEqual([]); // the search finds them where they are in plaintext
  });
});

test("200 credentials at --parallel 32 under 30 % 429: one up, exact books, destroy leaves nothing", async () => {
  const r = await upAndDestroy(200, { rateLimit: { rate: 0.3, retryAfterSeconds: 1 } }, "p32", 32);
  expect(r.stats.rateLimit).toBeGreaterThan(0);
  expect(r.books).toEqual(clean);
  expect(r.recorded).toBe(200);
  expect(r.left).toEqual(nothing);
  expect(r.leaked).toEqual([]);
  expect(r.searched).toBe(r.expectedSecrets);
  expect(r.unfoundInControl).toEqual([]);
});

test("a 5 s outage of the platform in the middle of a 50-credential up: the up completes", async () => {
  const secrets = scaleSecrets("outage");
  const resources = scaleResources(50, secrets);
  const project = await scaleProject(emu(), resources);
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
    const found = await secretsBeforeDestroy(project, secrets);
    const destroy = await runPulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"], { cwd: project.dir, env: project.env });
    expectSuccess("pulumi destroy", destroy);
    expect(await platformHoldings(emu())).toEqual(nothing);
    const search = await secretSearch(project, found, [...outputOf("pulumi up", done), ...outputOf("pulumi destroy", destroy)]);
    expect(search.leaked).toEqual([]);
    expect(search.searched).toBe(expectedSecretCount(secrets, resources));
    expect(search.unfoundInControl).toEqual([]);
  } finally {
    await project.cleanup();
  }
});
