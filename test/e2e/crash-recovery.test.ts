/**
 * A `pulumi up` killed with SIGKILL while creates are in flight, then the recovery the README
 * documents (`pulumi cancel`, `pulumi refresh --clear-pending-creates`, `pulumi up`): the platform
 * must hold exactly what the state records (no orphan, no loss, no duplicate), `destroy` must
 * leave nothing, and no secret may reach the output, the state or the backend's files.
 */
import { runPulumi } from "../harness/engine";
import { admin, useEmulator } from "../support/emulator";
import type { TestProject } from "../support/pulumi-project";
import { Steps } from "../support/steps";
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
import { leaksIn, outputOf, statePlaces, unfoundIn, type Place, type SecretValue } from "../support/secret-search";

jest.setTimeout(900_000);
const COUNT = 50;

/** How many writes the emulator is holding back (its `holdWritesAfter` fault). */
async function heldWrites(emu: Parameters<typeof platformHoldings>[0]): Promise<number> {
  return (await admin(emu, "GET", "/stats")).held as number;
}

/** Fails with the command's own output when it did not succeed. */
function expectSuccess(step: string, r: { code: number; stdout: string; stderr: string }): void {
  if (r.code !== 0) throw new Error(`${step} exited ${r.code}:\n${r.stdout.slice(-4000)}\n${r.stderr.slice(-2000)}`);
}

/** The recovery the README documents after a killed `pulumi up`. */
async function recover(project: TestProject, log: Place[]): Promise<string> {
  const run = async (args: string[]) => {
    const r = await runPulumi([...args, "--non-interactive"], { cwd: project.dir, env: project.env });
    log.push(...outputOf(`pulumi ${args[0]} (recovery)`, r));
    return r;
  };
  const cancel = await run(["cancel", "--yes"]);
  expectSuccess("pulumi cancel", cancel);
  const refresh = await run(["refresh", "--yes", "--clear-pending-creates", "--skip-preview"]);
  expectSuccess("pulumi refresh", refresh);
  const up = await run(["up", "--yes", "--skip-preview"]);
  expectSuccess("pulumi up", up);
  return up.stdout + up.stderr;
}

// Kill points: early (few writes landed), in the middle, and near the end of the 50 creates. The
// emulator lets that many writes through and holds the later ones unanswered, so the kill always
// lands with creates in flight, however fast or slow the machine is.
describe.each([
  { killAfter: 5, tag: "early" },
  { killAfter: 25, tag: "middle" },
  { killAfter: 40, tag: "late" },
])("SIGKILL of `pulumi up` after $killAfter writes", ({ killAfter, tag }) => {
  const secrets = scaleSecrets(tag);
  const resources = scaleResources(COUNT, secrets);
  const log: Place[] = [];
  let project: TestProject;
  // The recovery works on what the kill left; the last checks on the stack the recovery settled,
  // and search for the secrets it held (read before destroy, with the export and backend of then).
  const steps = new Steps<{ orphansAtKill: string[]; recovered: true; secretsHeld: { secrets: SecretValue[]; control: Place; state: Place[] } }>({
    orphansAtKill: "the killed run leaves objects that its state does not record",
    recovered: "after the documented recovery the platform holds exactly what the state records",
    secretsHeld: "after the documented recovery the platform holds exactly what the state records",
  });
  const emu = useEmulator(); // a platform of its own for each kill point

  beforeAll(async () => {
    project = await scaleProject(emu(), resources);
  });

  afterAll(async () => {
    await project?.cleanup();
  });

  test("the killed run leaves objects that its state does not record", async () => {
    await admin(emu(), "PUT", "/faults", { latencyMs: 100, holdWritesAfter: killAfter });
    const up = startPulumi(["up", "--yes", "--skip-preview", "--non-interactive", "--parallel", "16"], project);
    await waitUntil(`the platform holds back writes after the first ${killAfter}`, async () => (await heldWrites(emu())) > 0);
    await new Promise((r) => setTimeout(r, 500)); // let other creates reach the platform and wait too
    up.kill();
    const killed = await up.done;
    log.push(...outputOf("killed pulumi up", killed));
    expect(killed.code).not.toBe(0);
    // The held writes now land, as a real platform finishes requests whose client has died.
    await admin(emu(), "PUT", "/faults", {});
    await waitUntil("the held writes have landed", async () => (await admin(emu(), "GET", "/stats")).inFlight === 0);
    const orphansAtKill = steps.finished("orphansAtKill", reconcile(await platformHoldings(emu()), await stateHoldings(project.stack)).orphans);
    // The point of the test: without recovery these would be orphans.
    expect(orphansAtKill.length).toBeGreaterThan(0);
  });

  test("after the documented recovery the platform holds exactly what the state records", async () => {
    const orphansAtKill = steps.after("orphansAtKill");
    const upOutput = await recover(project, log);
    steps.finished("recovered", true);
    // Each leftover was found by its resource's create, removed, and the user told so.
    const removed = [...upOutput.matchAll(/removed \S+ "[^"]+" \(id ([^)]+)\), left on the platform by an interrupted create/g)].map((m) => m[1]);
    expect([...new Set(removed)].sort()).toEqual([...orphansAtKill].sort());
    const platform = await platformHoldings(emu());
    const state = await stateHoldings(project.stack);
    expect(reconcile(platform, state)).toEqual({ orphans: [], lost: [], duplicateIds: [] });
    expect(state.vault.length + state.apiKeys.length + state.gatewayTokens.length).toBe(COUNT);
    steps.finished("secretsHeld", { ...(await stackSecrets(emu(), project, secrets)), state: await statePlaces(project, { historyConfig: "left out" }) });
  });

  test("a preview then finds nothing to do, and destroy leaves nothing behind", async () => {
    steps.after("recovered");
    const preview = await runPulumi(["preview", "--non-interactive", "--expect-no-changes"], { cwd: project.dir, env: project.env });
    log.push(...outputOf("pulumi preview", preview));
    expectSuccess("pulumi preview --expect-no-changes", preview);
    const destroy = await runPulumi(["destroy", "--yes", "--skip-preview", "--non-interactive"], { cwd: project.dir, env: project.env });
    log.push(...outputOf("pulumi destroy", destroy));
    expectSuccess("pulumi destroy", destroy);
    expect(await platformHoldings(emu())).toEqual({ vault: [], apiKeys: [], gatewayTokens: [] });
  });

  test("no secret reached the output, the state export or the backend's files", async () => {
    const { secrets: held, control, state } = steps.after("secretsHeld");
    expect(held.length).toBe(expectedSecretCount(secrets, resources));
    expect(leaksIn(held, [...log, ...state, ...(await statePlaces(project, { historyConfig: "left out" }))])).toEqual([]);
    expect(unfoundIn(held, [control])).toEqual([]); // the search finds them where they are in plaintext
  });
});
