/**
 * As users get it: `npm pack`, installed into a fresh project with npm. And the upgrade contract:
 * a stack created with an earlier packed build (the commit below, built from git history) still
 * refreshes, updates and destroys after `npm install` of the current build, because the
 * serialized provider in its state `require`s `pulumi-ccluster/provider` by package path.
 */
import { execFile } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { createTempBackend, ensurePulumiEngine, PULUMI_SDK_VERSION, pulumiCommand, type TempBackend } from "../harness/engine";
import { clientsFor, useEmulator } from "../support/emulator";
import { repoRoot } from "../support/pulumi-project";

/** An earlier build whose serialized provider is already the `require`-by-path shim. */
const EARLIER_BUILD = "441c457";

jest.setTimeout(900_000);
const run = promisify(execFile);
const emu = useEmulator();
const scratch = mkdtempSync(join(tmpdir(), "packaged-"));
let backend: TempBackend;
let stack: Stack;
let project: string;
let currentTarball: string;
afterAll(async () => {
  await backend?.cleanup();
  rmSync(scratch, { recursive: true, force: true });
});

/** Packs a source tree (already built) into scratch and returns the tarball's path. */
async function pack(dir: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--silent", "--pack-destination", scratch], { cwd: dir });
  return join(scratch, stdout.trim().split("\n").pop()!);
}

/** Builds the earlier commit from git history, with this repository's node_modules. */
async function packEarlierBuild(): Promise<string> {
  const dir = join(scratch, "earlier-src");
  try {
    await run("git", ["cat-file", "-e", `${EARLIER_BUILD}^{commit}`], { cwd: repoRoot });
  } catch {
    throw new Error(`the upgrade test needs commit ${EARLIER_BUILD} in git history; this clone lacks it (a shallow clone?): git fetch --unshallow`);
  }
  await run("bash", ["-c", `mkdir -p "${dir}" && git archive ${EARLIER_BUILD} | tar -x -C "${dir}"`], { cwd: repoRoot });
  symlinkSync(join(repoRoot, "node_modules"), join(dir, "node_modules"));
  await run(join(repoRoot, "node_modules", ".bin", "tsc"), ["-p", "tsconfig.json"], { cwd: dir });
  rmSync(join(dir, "node_modules"));
  return pack(dir);
}

async function npmInstall(...specs: string[]): Promise<void> {
  await run("npm", ["install", "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error", ...specs], { cwd: project, maxBuffer: 16 * 1024 * 1024 });
}

beforeAll(async () => {
  const engine = ensurePulumiEngine();
  const earlier = await packEarlierBuild();
  currentTarball = await pack(repoRoot);
  project = join(scratch, "user-project");
  cpSync(join(__dirname, "fixtures", "packaged"), project, { recursive: true });
  await run("npm", ["init", "-y"], { cwd: project });
  await npmInstall(`@pulumi/pulumi@${PULUMI_SDK_VERSION}`, earlier);
  backend = await createTempBackend();
  const i = emu().info;
  stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", workDir: project },
    { pulumiCommand: await pulumiCommand(engine), envVars: { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl } },
  );
  await stack.setAllConfig({ "ccluster:apiUrl": { value: i.apiUrl }, "ccluster:token": { value: i.token, secret: true } });
});

test("the earlier packed build, installed with npm in a fresh project, creates its resources", async () => {
  const res = await stack.up();
  expect(res.summary.resourceChanges).toMatchObject({ create: 3 });
  const outs = await stack.outputs();
  expect(await clientsFor(emu()).vault().find(outs.tokenItemId.value)).toMatchObject({ key: outs.tokenKey.value });
});

test("after upgrading to the current build, refresh, up and destroy run the provider stored in state", async () => {
  await npmInstall(currentTarball);
  const outs = await stack.outputs();
  await clientsFor(emu()).vault().delete(outs.variableItemId.value); // drift for refresh to find
  const refresh = await stack.refresh();
  expect(refresh.summary.resourceChanges).toMatchObject({ delete: 1 });
  const up = await stack.up();
  expect(up.summary.resourceChanges).toMatchObject({ create: 1 });
  const again = await stack.preview();
  expect(Object.keys(again.changeSummary)).toEqual(["same"]);
  await stack.destroy();
  expect(await clientsFor(emu()).vault().list()).toEqual([]);
});
