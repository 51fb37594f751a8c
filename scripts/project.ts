/**
 * A Pulumi project in a fresh temporary folder, driven by the Automation API with the real
 * engine and a local file backend. The project's node_modules links this repository as
 * `pulumi-ccluster` (as an installed package would be found) and shares its @pulumi/pulumi,
 * @pulumi/policy and typescript. Used by the demo and the e2e tests.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { existsSync } from "node:fs";
import { createTempBackend, ensurePulumiEngine, pulumiCommand } from "./engine";

/** From scripts/ (ts) or dist/scripts/ (js): the folder with this package's package.json. */
export const repoRoot = [resolve(__dirname, ".."), resolve(__dirname, "..", "..")].find((d) => existsSync(join(d, "scripts", "install-pulumi.sh")))!;

export interface TestProject {
  dir: string;
  stack: Stack;
  env: Record<string, string>;
  cleanup(): Promise<void>;
}

export interface ProjectOptions {
  /** A folder with Pulumi.yaml and the program, copied into the temporary project. */
  source: string;
  /** Stack config; `secret: true` values are encrypted by the stack's secrets provider. */
  config?: Record<string, { value: string; secret?: boolean }>;
  /** Extra environment for the CLI and the provider process. */
  env?: Record<string, string>;
  /**
   * The caller installs the packages itself (e.g. `npm install` of a packed tarball): nothing is
   * linked into node_modules. The value names what will be installed, for the reader.
   */
  packageDir?: string;
  /** Stack name (default `test`). */
  stackName?: string;
  /** Show the engine build's progress (the demo). */
  showProgress?: boolean;
  /** Start of the temporary folder's name, which shows in paths the user sees (`.pem` files). Default `ccluster-e2e-`. */
  folderPrefix?: string;
}

/** Links what a copied example needs from this repository into its node_modules. */
export function linkDependencies(dir: string): void {
  mkdirSync(join(dir, "node_modules", "@pulumi"), { recursive: true });
  for (const dep of ["@pulumi/pulumi", "@pulumi/policy", "typescript", "@types"]) {
    const target = join(dir, "node_modules", dep);
    if (!existsSync(target)) symlinkSync(join(repoRoot, "node_modules", dep), target);
  }
  symlinkSync(repoRoot, join(dir, "node_modules", "pulumi-ccluster"));
}

export async function createTestProject(opts: ProjectOptions): Promise<TestProject> {
  const engine = ensurePulumiEngine({ showProgress: opts.showProgress });
  const dir = mkdtempSync(join(tmpdir(), opts.folderPrefix ?? "ccluster-e2e-"));
  cpSync(opts.source, dir, { recursive: true });
  if (!opts.packageDir) linkDependencies(dir);
  const backend = await createTempBackend();
  // PWD as a shell would set it: the policy pack resolves relative .pem paths against it.
  const env = { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl, PWD: dir, ...opts.env };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: opts.stackName ?? "test", workDir: dir },
    { pulumiCommand: await pulumiCommand(engine), envVars: env },
  );
  if (opts.config) await stack.setAllConfig(opts.config);
  return {
    dir,
    stack,
    env,
    async cleanup() {
      await backend.cleanup();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// The settings that point a program at the emulator live with the emulator, which also prints them.
export { emulatorStackConfig, type EmulatorEndpoints } from "../emulator/stack-config";
