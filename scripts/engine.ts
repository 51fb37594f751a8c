/**
 * The real Pulumi engine for end-to-end tests.
 *
 * `ensurePulumiEngine()` runs `scripts/install-pulumi.sh` once per process: it uses a Pulumi
 * already on PATH, or builds (once per machine, then cached) the CLI at the release of the
 * installed `@pulumi/pulumi` ({@link PULUMI_SDK_VERSION}) and this project's own Node.js
 * language host. Tests then drive the CLI with {@link runPulumi} or
 * with the Automation API:
 *
 * @example
 * ```ts
 * const engine = ensurePulumiEngine();
 * const backend = await createTempBackend();
 * const stack = await LocalWorkspace.createOrSelectStack(
 *   { stackName: "dev", workDir: projectDir },
 *   {
 *     pulumiCommand: await pulumiCommand(engine),
 *     envVars: { ...engine.env, PULUMI_BACKEND_URL: backend.backendUrl },
 *   },
 * );
 * await stack.up();
 * ```
 */
import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { PulumiCommand } from "@pulumi/pulumi/automation";

/** What {@link ensurePulumiEngine} provides. */
export interface PulumiEngine {
  /** Directory holding `pulumi`, `pulumi-language-nodejs` and `pulumi-resource-pulumi-nodejs`. */
  binDir: string;
  /** Environment for the CLI: `process.env` with PATH prefixed by `binDir`, update checks
   * off, and a fixed passphrase for the local secrets provider. */
  env: Record<string, string>;
}

/** The installed `@pulumi/pulumi`'s version, which the engine is built at (package.json pins it). */
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const PULUMI_SDK_VERSION: string = require("@pulumi/pulumi/package.json").version;

/** The passphrase every test stack uses for its (local) secrets provider. */
export const TEST_PASSPHRASE = "test-passphrase";

// From scripts/ (ts, tests) or dist/scripts/ (js, the demo): the folder that has scripts/install-pulumi.sh.
const repoRoot = [path.resolve(__dirname, ".."), path.resolve(__dirname, "..", "..")].find((d) => fs.existsSync(path.join(d, "scripts", "install-pulumi.sh")))!;
const installScript = path.join(repoRoot, "scripts", "install-pulumi.sh");

let cached: PulumiEngine | undefined;

/**
 * Returns the Pulumi engine, building it on first use (a cold build takes minutes; give the
 * calling `beforeAll` a long timeout). Throws with the install script's own message when
 * the engine cannot be provided, so the test fails saying what is missing.
 */
export function ensurePulumiEngine(options: { showProgress?: boolean } = {}): PulumiEngine {
  if (cached) return cached;
  // jest.config.js names each test's lane; only the e2e lane builds the engine first.
  const lane = (globalThis as { CCLUSTER_TEST_LANE?: string }).CCLUSTER_TEST_LANE;
  if (lane !== undefined && lane !== "e2e") {
    throw new Error(`This test needs the Pulumi engine, which the ${lane} lane does not provide: move it to test/e2e or test/engine (npm run test:e2e)`);
  }
  const result = spawnSync("bash", [installScript], {
    cwd: repoRoot,
    encoding: "utf8",
    // The demo shows the script's progress lines as they come; tests keep them for the error.
    stdio: ["ignore", "pipe", options.showProgress ? "inherit" : "pipe"],
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.error || result.status !== 0) {
    const output = (result.stderr ?? "").trim().split("\n").slice(-30).join("\n");
    throw new Error(
      `The Pulumi engine is not available: ${installScript} ` +
        (result.error ? `could not run (${result.error.message})` : `exited with ${result.status}`) +
        `:\n${output}`,
    );
  }
  const lines = result.stdout.trim().split("\n");
  const binDir = lines[lines.length - 1];
  if (!binDir || !fs.existsSync(path.join(binDir, "pulumi"))) {
    throw new Error(`${installScript} did not name a directory holding pulumi (stdout: ${result.stdout})`);
  }
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined) env[key] = value;
  }
  env.PATH = `${binDir}${path.delimiter}${process.env.PATH ?? ""}`;
  env.PULUMI_SKIP_UPDATE_CHECK = "true";
  env.PULUMI_AUTOMATION_API_SKIP_VERSION_CHECK = "true";
  env.PULUMI_CONFIG_PASSPHRASE = TEST_PASSPHRASE;
  cached = { binDir, env };
  return cached;
}

/**
 * A `PulumiCommand` for the Automation API that runs this engine's CLI. (The Automation API
 * prefixes PATH with the CLI's directory, so it also finds our language host there.)
 */
export async function pulumiCommand(engine: PulumiEngine = ensurePulumiEngine()): Promise<PulumiCommand> {
  if (path.basename(engine.binDir) !== "bin") {
    // PulumiCommand.get({ root }) looks for root/bin/pulumi; otherwise rely on PATH.
    return PulumiCommand.get({ skipVersionCheck: true });
  }
  return PulumiCommand.get({ root: path.dirname(engine.binDir), skipVersionCheck: true });
}

/** A local file backend in a fresh temporary directory. */
export interface TempBackend {
  /** The directory holding the state. */
  dir: string;
  /** `file://<dir>`: give it as `PULUMI_BACKEND_URL` (no `pulumi login` needed). */
  backendUrl: string;
  /** Removes the directory and all state in it. */
  cleanup(): Promise<void>;
}

/** Creates a local file backend in a new temporary directory. */
export async function createTempBackend(): Promise<TempBackend> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), "pulumi-backend-"));
  return {
    dir,
    backendUrl: `file://${dir}`,
    cleanup: () => fs.promises.rm(dir, { recursive: true, force: true }),
  };
}

/** What a CLI run produced. */
export interface PulumiRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the Pulumi CLI and collects its output; never throws for a non-zero exit code.
 * Pass `--non-interactive` (and `--yes` where needed) yourself; stdin is closed.
 */
export function runPulumi(
  args: string[],
  options: { cwd: string; env?: Record<string, string> },
): Promise<PulumiRun> {
  const env = options.env ?? ensurePulumiEngine().env;
  const binDir = ensurePulumiEngine().binDir;
  return new Promise((resolve, reject) => {
    const child = spawn(path.join(binDir, "pulumi"), args, {
      cwd: options.cwd,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code, signal) => {
      resolve({ code: code ?? (signal ? 128 : -1), stdout, stderr });
    });
  });
}
