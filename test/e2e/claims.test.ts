/**
 * Two declared credentials must never merge into one platform object, under the real engine:
 * two resources of one stack with the same vault type, key and visibility fail before anything is
 * written and the message names both; a second stack claiming another stack's ORG key fails at
 * create and overwrites nothing; neither stack's value reaches the output, the state or the backend.
 */
import { join } from "node:path";
import { runPulumi, type PulumiRun } from "../harness/engine";
import { clientsFor, stackConfigFor, useEmulator } from "../support/emulator";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";
import { leaksIn, outputOf, statePlaces, unfoundIn, type Place } from "../support/secret-search";
import { declaredSecrets } from "../support/stack-at-scale";

jest.setTimeout(300_000);
const emu = useEmulator();
const projects: TestProject[] = [];
afterAll(async () => {
  for (const p of projects) await p.cleanup();
});
/** The export and the backend's files, as the search has always read them: the history's config record left out. */
const stateOf = (project: TestProject) => statePlaces(project, { historyConfig: "left out" });

type Decl = { kind: string; name: string; args: Record<string, unknown>; secretArgs?: Record<string, string> };

/** A stack of the `declared` fixture with these resources (secret arguments from secret config). */
async function stackOf(resources: Decl[], stackName = "test"): Promise<TestProject> {
  const project = await createTestProject({ source: join(repoRoot, "test", "e2e", "fixtures", "declared"), config: stackConfigFor(emu()), stackName });
  projects.push(project);
  const shapes = resources.map((r) => ({ ...r, secretArgs: Object.keys(r.secretArgs ?? {}) }));
  const values = Object.fromEntries(resources.flatMap((r) => Object.entries(r.secretArgs ?? {}).map(([k, v]) => [`${r.name}.${k}`, v])));
  await project.stack.setConfig("resources", { value: JSON.stringify(shapes) });
  await project.stack.setConfig("secretValues", { value: JSON.stringify(values), secret: true });
  return project;
}

const pulumi = (project: TestProject, args: string[]): Promise<PulumiRun> => runPulumi([...args, "--non-interactive"], { cwd: project.dir, env: project.env });
const envItems = async (key: string) => {
  const vault = clientsFor(emu()).vault();
  const items = (await vault.list({ type: "env_vars" })).filter((i) => i.key === key);
  return Promise.all(items.map((i) => vault.get(i.id)));
};

test("two resources of one stack with the same key and visibility: preview and up fail naming both, nothing is written", async () => {
  const project = await stackOf([
    { kind: "EnvironmentVariable", name: "first", args: { key: "DUP_KEY" }, secretArgs: { value: "dup-secret-one" } },
    { kind: "EnvironmentVariable", name: "second", args: { key: "DUP_KEY" }, secretArgs: { value: "dup-secret-two" } },
  ]);
  for (const args of [["preview"], ["up", "--yes", "--skip-preview"]]) {
    const r = await pulumi(project, args);
    const out = r.stdout + r.stderr;
    expect(r.code).not.toBe(0);
    expect(out).toMatch(/EnvironmentVariable "(first|second)" declares the same EnvironmentVariable \(key "DUP_KEY", visibility "USER"\) as EnvironmentVariable "(first|second)"/);
    expect(out).not.toContain("dup-secret-one");
    expect(out).not.toContain("dup-secret-two");
  }
  // The engine registers both before either is written, so neither was; and no value was lost to the other.
  const items = await envItems("DUP_KEY");
  expect(items.length).toBeLessThanOrEqual(1);
  for (const item of items) expect(["dup-secret-one", "dup-secret-two"]).toContain(item.value);
  expect((await pulumi(project, ["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  expect(await envItems("DUP_KEY")).toEqual([]);
});

test("a second stack claiming another stack's ORG key fails at create and overwrites nothing", async () => {
  const values = { owner: "owner-value", intruder: "intruder-value" };
  const log: Place[] = [];
  const run = async (project: TestProject, args: string[]) => {
    const r = await pulumi(project, args);
    log.push(...outputOf(`pulumi ${args[0]} (${project.stack.name})`, r));
    return r;
  };
  const owner = await stackOf([{ kind: "EnvironmentVariable", name: "shared", args: { key: "SHARED_ORG_KEY", visibility: "ORG" }, secretArgs: { value: values.owner } }], "owner");
  expect((await run(owner, ["up", "--yes", "--skip-preview"])).code).toBe(0);
  const intruder = await stackOf([{ kind: "EnvironmentVariable", name: "shared", args: { key: "SHARED_ORG_KEY", visibility: "ORG" }, secretArgs: { value: values.intruder } }], "intruder");
  const r = await run(intruder, ["up", "--yes", "--skip-preview"]);
  expect(r.code).not.toBe(0);
  expect(r.stdout + r.stderr).toMatch(/key "SHARED_ORG_KEY" and visibility ORG already exists in the vault \(id \d+\)/);
  expect((await envItems("SHARED_ORG_KEY")).map((i) => i.value)).toEqual([values.owner]);
  // The state and backend while both stacks stand; the search below adds them as destroy left them.
  const standing = [...(await stateOf(owner)), ...(await stateOf(intruder))];
  // Control: the owner's value is in its revealed state; the intruder's, whose create failed, only in its revealed config.
  const control = [
    { where: "pulumi stack export --show-secrets (owner)", text: (await pulumi(owner, ["stack", "export", "--show-secrets"])).stdout },
    { where: "pulumi config --show-secrets (intruder)", text: (await pulumi(intruder, ["config", "--show-secrets", "--json"])).stdout },
  ];
  // The intruder's destroy has nothing of its own to delete; the owner's item stays.
  expect((await run(intruder, ["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  expect((await envItems("SHARED_ORG_KEY")).map((i) => i.value)).toEqual([values.owner]);
  expect((await run(owner, ["destroy", "--yes", "--skip-preview"])).code).toBe(0);
  expect(await envItems("SHARED_ORG_KEY")).toEqual([]);
  const secrets = declaredSecrets(values);
  expect(leaksIn(secrets, [...log, ...standing, ...(await stateOf(owner)), ...(await stateOf(intruder))])).toEqual([]);
  expect(unfoundIn(secrets, control)).toEqual([]);
});
