/**
 * As users get it: `npm pack`, installed into a fresh project with npm. And the upgrade contract:
 * a stack created with an earlier packed build (the commit below, built from git history) still
 * refreshes, updates and destroys after `npm install` of the current build, because the
 * serialized provider in its state `require`s `pulumi-ccluster/provider` by package path.
 * Then a TypeScript project as `pulumi new typescript` makes it, sharing that installation (one
 * `npm install` for both): the quick start compiles with its stock tsconfig, and runs against
 * the emulator that the package installs, set up with the commands the emulator prints.
 */
import { execFile, spawn } from "node:child_process";
import { copyFileSync, cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { createTempBackend, ensurePulumiEngine, PULUMI_SDK_VERSION, pulumiCommand, runPulumi, type TempBackend } from "../harness/engine";
import { createClients } from "../../provider/client";
import { clientsFor, useEmulator } from "../support/emulator";
import { repoRoot } from "../support/pulumi-project";
import { Steps } from "../support/steps";

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

/**
 * Packs a source tree (already built) into scratch and returns the tarball's path. Without the
 * prepack build: rewriting dist/ here would pull files from under the tests running beside this one.
 */
async function pack(dir: string): Promise<string> {
  const { stdout } = await run("npm", ["pack", "--silent", "--ignore-scripts", "--pack-destination", scratch], { cwd: dir });
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

/** The stock project's own devDependencies (the TypeScript project below shares this installation). */
const typescriptProject = join(__dirname, "fixtures", "typescript-project");
const stockDevDependencies = Object.entries(JSON.parse(readFileSync(join(typescriptProject, "package.json"), "utf8")).devDependencies as Record<string, string>).map(([name, range]) => `${name}@${range}`);

/** Installs the current build over the earlier one, once (the upgrade and the TypeScript project both need it). */
let upgrading: Promise<void> | undefined;
const upgrade = () => (upgrading ??= npmInstall(currentTarball));

beforeAll(async () => {
  const engine = ensurePulumiEngine();
  const earlier = await packEarlierBuild();
  currentTarball = await pack(repoRoot);
  project = join(scratch, "user-project");
  cpSync(join(__dirname, "fixtures", "packaged"), project, { recursive: true });
  await run("npm", ["init", "-y"], { cwd: project });
  await npmInstall(`@pulumi/pulumi@${PULUMI_SDK_VERSION}`, ...stockDevDependencies, earlier);
  backend = await createTempBackend();
  const i = emu().info;
  stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", workDir: project },
    { pulumiCommand: await pulumiCommand(engine), envVars: { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl } },
  );
  await stack.setAllConfig({ "ccluster:apiUrl": { value: i.apiUrl }, "ccluster:token": { value: i.token, secret: true } });
});

/** The upgrade works on the stack the earlier build made. */
const steps = new Steps<{ createdByEarlierBuild: true }>({ createdByEarlierBuild: "the earlier packed build, installed with npm in a fresh project, creates its resources" });

test("the earlier packed build, installed with npm in a fresh project, creates its resources", async () => {
  const res = await stack.up();
  steps.finished("createdByEarlierBuild", true);
  expect(res.summary.resourceChanges).toMatchObject({ create: 3 });
  const outs = await stack.outputs();
  expect(await clientsFor(emu()).vault().find(outs.tokenItemId.value)).toMatchObject({ key: outs.tokenKey.value });
});

test("after upgrading to the current build, refresh, up and destroy run the provider stored in state", async () => {
  steps.after("createdByEarlierBuild");
  await upgrade();
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

describe("a project made like `pulumi new typescript`, with the quick start as its program", () => {
  let dir: string;
  beforeAll(async () => {
    await upgrade();
    dir = join(scratch, "typescript-project");
    cpSync(typescriptProject, dir, { recursive: true });
    copyFileSync(join(repoRoot, "examples", "quickstart", "index.ts"), join(dir, "index.ts"));
    symlinkSync(join(project, "node_modules"), join(dir, "node_modules"));
  });

  // The template's tsconfig now (module nodenext) and from 2024 to March 2026 (module commonjs,
  // where zod's declarations failed without esModuleInterop: 63 errors while the package's
  // declarations still reached zod's).
  test.each([["tsconfig.json", "nodenext"], ["tsconfig.commonjs.json", "commonjs"]])(
    "its stock %s (strict, module %s, no skipLibCheck, no esModuleInterop) compiles the program with the project's TypeScript",
    async (tsconfig, module) => {
      const { compilerOptions } = JSON.parse(readFileSync(join(dir, tsconfig), "utf8"));
      expect(compilerOptions).toMatchObject({ strict: true, module });
      expect({ skipLibCheck: compilerOptions.skipLibCheck, esModuleInterop: compilerOptions.esModuleInterop }).toEqual({});
      const tsc = await run(join(dir, "node_modules", ".bin", "tsc"), ["--noEmit", "--pretty", "false", "-p", tsconfig], { cwd: dir }).catch((e: { code: number; stdout: string }) => e);
      expect({ code: "code" in tsc ? tsc.code : 0, errors: tsc.stdout.trim().split("\n").slice(0, 20) }).toEqual({ code: 0, errors: [""] });
    },
  );

  test("without the project's own TypeScript, Pulumi's bundled one (3.8) reads these types too", () => {
    // What `pulumi up` does in a project with no typescript and no tsconfig: ts-node with the
    // TypeScript that @pulumi/pulumi vendors, reporting the program's own diagnostics.
    const vendor = join(dir, "node_modules", "@pulumi", "pulumi", "vendor");
    const bundled = readdirSync(vendor).find((d) => d.startsWith("typescript@"));
    if (!bundled) throw new Error(`@pulumi/pulumi ${PULUMI_SDK_VERSION} vendors no TypeScript in ${vendor}: update this test and the README`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the bundle's path is known only at run time
    const ts = require(join(vendor, bundled, "typescript.js"));
    const program = ts.createProgram([join(dir, "index.ts")], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2016, moduleResolution: ts.ModuleResolutionKind.NodeJs, strict: true, noEmit: true });
    const ours = program.getSourceFiles().filter((f: { fileName: string }) => f.fileName.endsWith("index.ts") || f.fileName.includes("/pulumi-ccluster/"));
    expect(ours.length).toBeGreaterThan(2); // the program and this package's declarations
    const diagnostics = ours.flatMap((f: unknown) => [...program.getSyntacticDiagnostics(f), ...program.getSemanticDiagnostics(f)]);
    expect({ version: ts.version, diagnostics: diagnostics.map((d: { messageText: unknown }) => ts.flattenDiagnosticMessageText(d.messageText, " ")) }).toEqual({ version: bundled.slice("typescript@".length), diagnostics: [] });
  });

  test("`npx ccluster-emulator` prints the config commands; with them the program runs: up, then destroy", async () => {
    const engine = ensurePulumiEngine();
    const emulator = spawn(join(dir, "node_modules", ".bin", "ccluster-emulator"), ["--port", "0", "--data-dir", join(scratch, "emulator-data")], { stdio: ["ignore", "pipe", "inherit"] });
    const printed: string[] = [];
    try {
      await new Promise<void>((resolve, reject) => {
        createInterface({ input: emulator.stdout! }).on("line", (line) => {
          printed.push(line);
          if (line.includes("stop with Ctrl-C")) resolve();
        });
        emulator.once("exit", (code) => reject(new Error(`ccluster-emulator exited with ${code}: ${printed.join("\n")}`)));
      });
      const info = JSON.parse(printed[0]);
      const configCommands = printed.filter((l) => l.trim().startsWith("pulumi config set")).map((l) => l.trim());
      const ownBackend = await createTempBackend();
      const env = { ...engine.env, PULUMI_BACKEND_URL: ownBackend.backendUrl };
      const sshKeyFile = join(scratch, "id_ed25519");
      await run("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", sshKeyFile]);
      try {
        // As a user types them: the emulator's lines, then the quick start's own config.
        const script = [
          "set -e",
          "pulumi stack init dev --non-interactive",
          ...configCommands,
          "pulumi config set --secret registryPassword example-password",
          `pulumi config set --secret hfToken hf_${"u".repeat(34)}`,
          `pulumi config set sshPublicKey "$(cat ${sshKeyFile}.pub)"`,
          "pulumi config set gateway user-gateway",
        ].join("\n");
        await run("bash", ["-c", script], { cwd: dir, env });
        const up = await runPulumi(["up", "--yes", "--non-interactive", "--stack", "dev"], { cwd: dir, env });
        expect({ code: up.code, stderr: up.stderr.trim() }).toEqual({ code: 0, stderr: "" });
        expect(up.stdout).toMatch(/\+ 10 created/);
        const vault = createClients({ apiUrl: info.apiUrl, token: info.token }).vault();
        expect((await vault.list()).map((i) => i.type).sort()).toEqual(["access_tokens", "bearer_tokens", "certificates", "env_vars", "registry_credentials", "ssh_keys"]);
        const down = await runPulumi(["destroy", "--yes", "--non-interactive", "--stack", "dev"], { cwd: dir, env });
        expect(down.code).toBe(0);
        expect(await vault.list()).toEqual([]);
      } finally {
        await ownBackend.cleanup();
      }
    } finally {
      emulator.kill("SIGTERM");
    }
  });
});
