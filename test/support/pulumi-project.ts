/**
 * A Pulumi project in a fresh temporary folder, driven by the Automation API with the real
 * engine and a local file backend. The project's node_modules links this repository as
 * `pulumi-ccluster` (as an installed package would be found) and shares its @pulumi/pulumi.
 */
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { LocalWorkspace, type Stack } from "@pulumi/pulumi/automation";
import { createTempBackend, ensurePulumiEngine, pulumiCommand } from "../harness/engine";

export const repoRoot = resolve(__dirname, "..", "..");

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
  /** Link `pulumi-ccluster` to this folder instead of the repository (a packed install). */
  packageDir?: string;
}

export async function createTestProject(opts: ProjectOptions): Promise<TestProject> {
  const engine = ensurePulumiEngine();
  const dir = mkdtempSync(join(tmpdir(), "ccluster-e2e-"));
  cpSync(opts.source, dir, { recursive: true });
  if (!opts.packageDir) {
    mkdirSync(join(dir, "node_modules", "@pulumi"), { recursive: true });
    symlinkSync(join(repoRoot, "node_modules", "@pulumi", "pulumi"), join(dir, "node_modules", "@pulumi", "pulumi"));
    symlinkSync(join(repoRoot, "node_modules", "@pulumi", "policy"), join(dir, "node_modules", "@pulumi", "policy"));
    symlinkSync(repoRoot, join(dir, "node_modules", "pulumi-ccluster"));
  }
  const backend = await createTempBackend();
  const env = { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl, ...opts.env };
  const stack = await LocalWorkspace.createOrSelectStack(
    { stackName: "test", workDir: dir },
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
