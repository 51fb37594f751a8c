/**
 * A stack of many credentials of every kind that talks to the platform (the `declared` fixture
 * program), and the books to check it against: what the platform holds next to what the state
 * records. Used by the crash and fault e2e suites.
 */
import { execFileSync, spawn } from "node:child_process";
import { readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Stack } from "@pulumi/pulumi/automation";
import { ensurePulumiEngine, type PulumiRun } from "../harness/engine";
import { clientsFor, stackConfigFor } from "./emulator";
import { createTestProject, repoRoot, type TestProject } from "./pulumi-project";

type Emulator = Parameters<typeof clientsFor>[0];

export const GATEWAY = "scale-gateway";

/** Secret values the stack declares, searched for in every output, state and backend file. */
export function scaleSecrets(tag: string) {
  return {
    env: `env-secret-${tag}-0123456789`,
    hf: `hf_${tag}${"s".repeat(34 - tag.length)}`,
    registry: `registry-pass-${tag}-987654`,
  };
}

let sshPublicKey: string | undefined;
function anSshPublicKey(): string {
  if (!sshPublicKey) {
    const keyFile = join(tmpdir(), `scale-ssh-${process.pid}`);
    rmSync(keyFile, { force: true });
    rmSync(`${keyFile}.pub`, { force: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "scale", "-f", keyFile]);
    sshPublicKey = readFileSync(`${keyFile}.pub`, "utf8").trim();
  }
  return sshPublicKey;
}

/**
 * `count` auto-named resources, cycling through every kind that lives on the platform (a vault
 * item of each type, a serverless key, a gateway token), with secrets from secret config.
 */
export function scaleResources(count: number, secrets: ReturnType<typeof scaleSecrets>) {
  const makers = [
    (n: string) => ({ kind: "BearerToken", name: n, args: {} }),
    (n: string) => ({ kind: "EnvironmentVariable", name: n, args: {}, secretArgs: { value: secrets.env } }),
    (n: string) => ({ kind: "ServerlessApiKey", name: n, args: {} }),
    (n: string) => ({ kind: "HuggingFaceToken", name: n, args: {}, secretArgs: { value: secrets.hf } }),
    (n: string) => ({ kind: "SshKey", name: n, args: { publicKey: anSshPublicKey() } }),
    (n: string) => ({ kind: "aigateway.AuthToken", name: n, args: { gateway: GATEWAY } }),
    (n: string) => ({ kind: "RegistryCredential", name: n, args: { username: "AWS", imageUrl: "123456789012.dkr.ecr.us-east-1.amazonaws.com/llm:1" }, secretArgs: { password: secrets.registry } }),
    (n: string) => ({ kind: "Certificate", name: n, args: { validityDays: 90 } }),
  ];
  return Array.from({ length: count }, (_, i) => makers[i % makers.length](`r${String(i).padStart(3, "0")}`));
}

export type ScaleResource = ReturnType<typeof scaleResources>[number];

/** A project of the `declared` fixture with these resources, pointed at the emulator. */
export async function scaleProject(emu: Emulator, resources: ScaleResource[], env: Record<string, string> = {}): Promise<TestProject> {
  const project = await createTestProject({ source: join(repoRoot, "test", "e2e", "fixtures", "declared"), config: stackConfigFor(emu), env });
  const shapes = resources.map((r) => ({ ...r, secretArgs: Object.keys(r.secretArgs ?? {}) }));
  const values = Object.fromEntries(resources.flatMap((r) => Object.entries(r.secretArgs ?? {}).map(([k, v]) => [`${r.name}.${k}`, v])));
  await project.stack.setConfig("resources", { value: JSON.stringify(shapes) });
  await project.stack.setConfig("secretValues", { value: JSON.stringify(values), secret: true });
  return project;
}

/** What the platform holds for user alice, by kind of object: sorted ids. */
export async function platformHoldings(emu: Emulator): Promise<{ vault: string[]; apiKeys: string[]; gatewayTokens: string[] }> {
  const clients = clientsFor(emu);
  const [vault, apiKeys, tokens] = await Promise.all([clients.vault().list(), clients.serverless().list(), clients.aigateway().listTokens(GATEWAY)]);
  return {
    vault: vault.map((i) => String(i.id)).sort(),
    apiKeys: apiKeys.map((k) => k.id).sort(),
    gatewayTokens: tokens.map((t) => t.id).sort(),
  };
}

/** What the stack's state records, in the same shape (from the CLI's own export). */
export async function stateHoldings(stack: Stack): Promise<{ vault: string[]; apiKeys: string[]; gatewayTokens: string[] }> {
  const resources = ((await stack.exportStack()).deployment.resources ?? []) as { type: string; id?: string; outputs?: Record<string, unknown> }[];
  const ids = (suffix: string) =>
    resources
      .filter((r) => r.type.endsWith(suffix) && r.id)
      .map((r) => r.id!)
      .sort();
  const vaultTypes = [":BearerToken", ":EnvironmentVariable", ":HuggingFaceToken", ":SshKey", ":RegistryCredential", ":Certificate"];
  return {
    vault: vaultTypes.flatMap((t) => ids(t)).sort(),
    apiKeys: ids(":ServerlessApiKey"),
    gatewayTokens: ids("aigateway:AuthToken"),
  };
}

/** The counts a closing note reports: objects no state records, and state entries with no object. */
export function reconcile(platform: Awaited<ReturnType<typeof platformHoldings>>, state: Awaited<ReturnType<typeof stateHoldings>>) {
  const diff = (a: string[], b: string[]) => a.filter((x) => !b.includes(x));
  return {
    orphans: [...diff(platform.vault, state.vault), ...diff(platform.apiKeys, state.apiKeys), ...diff(platform.gatewayTokens, state.gatewayTokens)],
    lost: [...diff(state.vault, platform.vault), ...diff(state.apiKeys, platform.apiKeys), ...diff(state.gatewayTokens, platform.gatewayTokens)],
    duplicateIds: [state.vault, state.apiKeys, state.gatewayTokens].flatMap((ids) => ids.filter((x, i) => ids.indexOf(x) !== i)),
  };
}

/**
 * Starts a Pulumi CLI command in its own process group, so that a SIGKILL reaches the CLI, the
 * language host, the program and the provider plugin at once, as when a CI runner is killed.
 */
export function startPulumi(args: string[], project: TestProject): { done: Promise<PulumiRun>; kill(): void } {
  const child = spawn(join(ensurePulumiEngine().binDir, "pulumi"), args, { cwd: project.dir, env: project.env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let stdout = "";
  let stderr = "";
  child.stdout.setEncoding("utf8").on("data", (c: string) => (stdout += c));
  child.stderr.setEncoding("utf8").on("data", (c: string) => (stderr += c));
  const done = new Promise<PulumiRun>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", (code, signal) => resolve({ code: code ?? (signal ? 137 : -1), stdout, stderr }));
  });
  return {
    done,
    kill: () => {
      // The engine starts its plugins in process groups of their own, so they are looked up
      // first: killed with the engine, as a cancelled CI job kills the whole tree, they do not
      // outlive the test.
      const plugins = descendantsOf(child.pid!);
      for (const target of [-child.pid!, ...plugins]) {
        try {
          process.kill(target, "SIGKILL");
        } catch {
          // already gone
        }
      }
    },
  };
}

/** Every process below `pid` (children, their children, ...), read from /proc. */
function descendantsOf(pid: number): number[] {
  const parentOf = new Map<number, number>();
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      // /proc/<pid>/stat: "pid (command) state ppid ..."; the command may hold spaces or parentheses.
      const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
      parentOf.set(Number(entry), Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]));
    } catch {
      // the process ended while the table was read
    }
  }
  const found: number[] = [];
  const queue = [pid];
  while (queue.length) {
    const parent = queue.shift()!;
    for (const [child, itsParent] of parentOf) {
      if (itsParent !== parent) continue;
      found.push(child);
      queue.push(child);
    }
  }
  return found;
}

/** Waits until `predicate` holds, polling; fails with `what` after `timeoutMs`. */
export async function waitUntil(what: string, predicate: () => Promise<boolean>, timeoutMs = 120_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > until) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Every place a secret could leak to: engine output, the CLI's state export, the backend's files. */
export function leakedSecrets(secretValues: string[], texts: string[]): string[] {
  return secretValues.filter((s) => texts.some((t) => t.includes(s)));
}
