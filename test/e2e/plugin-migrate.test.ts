/**
 * Moving a TypeScript stack from the dynamic resources to the provider plugin, under the real
 * engine against the emulator. A stack made with the dynamic resources (an EnvironmentVariable and
 * a generated BearerToken) is moved two ways, and what the README says is what this finds:
 * - aliases (the old type token `pulumi-nodejs:dynamic/ccluster:<Type>` on the plugin SDK's
 *   resources): the type token and the provider both change, and engine v3.246.0 moves the state
 *   entries as they are, with no replacement and no update: the same vault items, the same
 *   generated token; after that the aliases can go;
 * - `pulumi state delete` of each dynamic resource, `pulumi import` of its vault item under the
 *   plugin's type, then the program on the plugin SDK (the way into another stack or language):
 *   no changes, the same items. Either way no secret is in the state.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensurePulumiEngine } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { buildNodeSdk, linkNodeSdk, nodeSdkPackage } from "../support/node-sdk";
import { changes, pulumiOn } from "../support/plugin-stack";
import { createTestProject, repoRoot, type TestProject } from "../support/pulumi-project";

jest.setTimeout(300_000);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "plugin-migrate-"));
let project: TestProject;
const envValue = "migrated-env-secret-0001";
const secrets = new Set<string>([envValue]);

const dynamicProgram = `import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "pulumi-ccluster";
const config = new pulumi.Config();
const env = new ccluster.EnvironmentVariable("api-secret", { key: "API_SECRET", value: config.requireSecret("apiSecret") });
const token = new ccluster.BearerToken("inference-token", { key: "inference-token" });
export const envId = env.itemId;
export const tokenId = token.itemId;
export const tokenValue = token.value;
`;
/** The same resources on the plugin's Node.js SDK; \`opts\` goes into each resource's options. */
const pluginProgram = (opts: (type: string) => string) => `import * as pulumi from "@pulumi/pulumi";
import * as ccluster from "${nodeSdkPackage}";
const config = new pulumi.Config();
const env = new ccluster.EnvironmentVariable("api-secret", { key: "API_SECRET", value: config.requireSecret("apiSecret") }, { ${opts("EnvironmentVariable")} });
const token = new ccluster.BearerToken("inference-token", { key: "inference-token" }, { ${opts("BearerToken")} });
export const envId = env.itemId;
export const tokenId = token.itemId;
export const tokenValue = token.value;
`;

beforeAll(async () => {
  ensurePulumiEngine();
  const sdkBin = await buildNodeSdk(scratch);
  const source = join(scratch, "program");
  const example = join(repoRoot, "examples", "typescript-plugin");
  // The TypeScript example's project file (it names the plugin's folder) under a name of its own, and its tsconfig.
  const pulumiYaml = readFileSync(join(example, "Pulumi.yaml"), "utf8").replace("name: ccluster-ts-plugin", "name: ccluster-migrate");
  mkdirSync(source);
  writeFileSync(join(source, "Pulumi.yaml"), pulumiYaml);
  writeFileSync(join(source, "tsconfig.json"), readFileSync(join(example, "tsconfig.json"), "utf8"));
  writeFileSync(join(source, "package.json"), JSON.stringify({ name: "ccluster-migrate", private: true, main: "index.ts" }));
  writeFileSync(join(source, "index.ts"), dynamicProgram);
  const i = emu().info;
  secrets.add(i.token);
  project = await createTestProject({
    source,
    config: {
      "ccluster:apiUrl": { value: i.apiUrl },
      "ccluster:token": { value: i.token, secret: true },
      "ccluster-migrate:apiSecret": { value: envValue, secret: true },
    },
  });
  linkNodeSdk(project.dir, sdkBin);
});
afterAll(async () => {
  await project?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

const pulumi = (args: string[]) => pulumiOn(project, args);
const program = (text: string) => writeFileSync(join(project.dir, "index.ts"), text);
async function vaultItems(): Promise<[string, number][]> {
  return (await clientsFor(emu()).vault().list()).map((i) => [i.key, i.id] as [string, number]).sort();
}

/** The dynamic resources' stack, as it was after its first up. */
let before: { envId: number; tokenId: number; tokenValue: string; items: [string, number][] };

async function upDynamic(): Promise<void> {
  program(dynamicProgram);
  const up = await project.stack.up();
  expect(up.summary.result).toBe("succeeded");
  const outs = await project.stack.outputs();
  before = { envId: outs.envId.value, tokenId: outs.tokenId.value, tokenValue: outs.tokenValue.value, items: await vaultItems() };
  secrets.add(before.tokenValue);
  expect(before.items.map(([k]) => k)).toEqual(["API_SECRET", "inference-token"]);
}
type StateResource = { urn: string; type: string; provider?: string; outputs?: Record<string, unknown> };
async function exported(): Promise<{ text: string; resources: StateResource[] }> {
  const res = await pulumi(["stack", "export"]);
  expect(res.code).toBe(0);
  return { text: res.stdout, resources: JSON.parse(res.stdout).deployment.resources };
}
/** The stack holds the plugin's resources on the same items, and no secret, and none of the dynamic resources' types. */
async function expectMovedToPlugin(): Promise<StateResource[]> {
  const outs = await project.stack.outputs();
  expect([outs.envId.value, outs.tokenId.value, outs.tokenValue.value]).toEqual([before.envId, before.tokenId, before.tokenValue]);
  expect(await vaultItems()).toEqual(before.items);
  const state = await exported();
  expect(state.resources.map((r) => r.type).sort()).toEqual(["ccluster:index:BearerToken", "ccluster:index:EnvironmentVariable", "pulumi:providers:ccluster", "pulumi:pulumi:Stack"]);
  expect([...secrets].filter((s) => state.text.includes(s))).toEqual([]);
  return state.resources;
}

test("aliases from the dynamic type tokens move the stack to the plugin: no replacement, no update, the same items and token", async () => {
  await upDynamic();
  program(pluginProgram((type) => `aliases: [{ type: "pulumi-nodejs:dynamic/ccluster:${type}" }]`));
  const preview = await project.stack.preview({ diff: true });
  console.log(`pulumi preview, the program on the plugin SDK with aliases:\n${preview.stdout}`);
  expect(changes(preview.changeSummary)).toEqual({});
  const up = await project.stack.up();
  expect(changes(up.summary.resourceChanges)).toEqual({});
  const moved = await expectMovedToPlugin();
  // The entries moved as they were: the dynamic provider's serialized text (__provider) stays in their outputs until a refresh.
  const serializedProvider = (rs: StateResource[]) => rs.filter((r) => r.outputs && "__provider" in r.outputs).map((r) => r.type).sort();
  expect(serializedProvider(moved)).toEqual(["ccluster:index:BearerToken", "ccluster:index:EnvironmentVariable"]);

  // The aliases have done their work.
  program(pluginProgram(() => ""));
  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});
  const refresh = await project.stack.refresh();
  expect(changes(refresh.summary.resourceChanges)).toEqual({});
  expect(serializedProvider(await expectMovedToPlugin())).toEqual([]);
  expect(changes((await project.stack.preview()).changeSummary)).toEqual({});

  // The plugin now owns them: a changed value is an update in place of the same item.
  const changed = "migrated-env-secret-0002";
  secrets.add(changed);
  await project.stack.setConfig("apiSecret", { value: changed, secret: true });
  const update = await project.stack.up();
  expect(changes(update.summary.resourceChanges)).toEqual({ update: 1 });
  expect((await clientsFor(emu()).vault().get(before.envId)).value).toBe(changed);
  expect(await vaultItems()).toEqual(before.items);
  await project.stack.setConfig("apiSecret", { value: envValue, secret: true });
  await project.stack.destroy();
  expect(await vaultItems()).toEqual([]);
});

test("or state delete + import under the plugin's types, then the program on the plugin SDK: no changes, the same items", async () => {
  await upDynamic();
  const { resources } = await exported();
  for (const name of ["api-secret", "inference-token"]) {
    const res = await pulumi(["state", "delete", resources.find((r) => r.urn.endsWith(`::${name}`))!.urn, "--yes"]);
    expect(res.output).toContain("Resource deleted");
    expect(res.code).toBe(0);
  }
  const importFile = join(scratch, "imports.json");
  writeFileSync(
    importFile,
    JSON.stringify({
      resources: [
        { type: "ccluster:index:EnvironmentVariable", name: "api-secret", id: String(before.envId) },
        { type: "ccluster:index:BearerToken", name: "inference-token", id: String(before.tokenId) },
      ],
    }),
  );
  // This project's Node.js language host generates no code (the official one prints the TypeScript to declare them).
  const imported = await pulumi(["import", "--file", importFile, "--yes", "--protect=false", "--generate-code=false"]);
  expect(imported.output).toContain("2 imported");
  expect(imported.code).toBe(0);

  program(pluginProgram(() => ""));
  const up = await project.stack.up();
  expect(changes(up.summary.resourceChanges)).toEqual({});
  await expectMovedToPlugin();
  await project.stack.destroy();
  expect(await vaultItems()).toEqual([]);
});
